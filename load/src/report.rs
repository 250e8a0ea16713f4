//! The load section of a RunReport, as the load engine writes it. The types are the reports crate's
//! ([`scimlab_reports::load`], re-exported here), so every sink reads them typed; this module turns the engine's
//! statistics into them and back (for merging): [`op_doc`], [`op_stats`], [`timeline_doc`], [`timeline_of`].

use crate::stats::{Op, OpStats, Timeline};
pub use scimlab_reports::load::{
    CleanupDoc, CreatedDoc, LOAD_FORMAT, LaneDoc, LoadSection, OpDoc, Percentiles, ShardDoc, TimelineDoc, VerifyDoc,
};
use std::collections::BTreeMap;

/// The document of timeline `t`.
pub fn timeline_doc(t: &Timeline) -> TimelineDoc {
    TimelineDoc {
        interval_ms: t.interval_ms,
        count: t.bins.iter().map(|b| b.count).collect(),
        errors: t.bins.iter().map(|b| b.errors).collect(),
        sum_us: t.bins.iter().map(|b| b.sum_us).collect(),
        max_us: t.bins.iter().map(|b| b.max_us).collect(),
    }
}

/// The timeline back from its document.
pub fn timeline_of(doc: &TimelineDoc) -> Result<Timeline, String> {
    let n = doc.count.len();
    if [doc.errors.len(), doc.sum_us.len(), doc.max_us.len()].iter().any(|l| *l != n) {
        return Err("a timeline's arrays differ in length".into());
    }
    let base = crate::stats::BASE_INTERVAL_MS;
    if doc.interval_ms < base || !doc.interval_ms.is_multiple_of(base) || !(doc.interval_ms / base).is_power_of_two() {
        return Err(format!("a timeline interval of {} ms is not {base} ms times a power of two", doc.interval_ms));
    }
    let bins = (0..n)
        .map(|i| crate::stats::Bin {
            count: doc.count[i],
            errors: doc.errors[i],
            sum_us: doc.sum_us[i],
            max_us: doc.max_us[i],
        })
        .collect();
    Ok(Timeline { interval_ms: doc.interval_ms, bins })
}

/// The document of one operation's statistics over a window of `duration_ms`.
pub fn op_doc(lane: usize, workload: &str, op: &str, s: &OpStats, duration_ms: f64) -> OpDoc {
    let mut classes: BTreeMap<String, u64> = BTreeMap::new();
    for (status, n) in &s.statuses {
        let class = if *status == 429 { "429".to_owned() } else { format!("{}xx", status / 100) };
        *classes.entry(class).or_default() += n;
    }
    if s.transport_errors > 0 {
        classes.insert("transport".into(), s.transport_errors);
    }
    if s.body_too_large > 0 {
        classes.insert("body-too-large".into(), s.body_too_large);
    }
    let per_s = |n: u64| if duration_ms > 0.0 { n as f64 * 1000.0 / duration_ms } else { 0.0 };
    OpDoc {
        lane,
        workload: workload.to_owned(),
        operation: op.to_owned(),
        requests: s.requests(),
        responses: s.responses(),
        errors: s.errors(),
        throughput: per_s(s.responses()),
        items: s.items,
        items_per_second: per_s(s.items),
        item_errors: s.item_errors(),
        status_classes: classes,
        statuses: s.statuses.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        scim_types: s.scim_types.clone(),
        item_failures: s.item_failures.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        transport_errors: s.transport_errors,
        body_too_large: s.body_too_large,
        throttled: s.throttled,
        throttle_wait_ms: s.throttle_wait_us as f64 / 1000.0,
        latency_ms: Percentiles::of(&s.hist),
        histogram: scimlab_reports::load::HistogramDoc::of(&s.hist),
        timeline: timeline_doc(&s.timeline),
    }
}

/// The statistics back from an operation's document (for merging).
pub fn op_stats(doc: &OpDoc) -> Result<OpStats, String> {
    let parse = |m: &BTreeMap<String, u64>, what: &str| -> Result<BTreeMap<u16, u64>, String> {
        m.iter()
            .map(|(k, v)| k.parse::<u16>().map(|k| (k, *v)).map_err(|_| format!("{what} has a status {k:?}")))
            .collect()
    };
    Ok(OpStats {
        hist: doc.histogram.to_histogram()?,
        statuses: parse(&doc.statuses, "statuses")?,
        scim_types: doc.scim_types.clone(),
        transport_errors: doc.transport_errors,
        body_too_large: doc.body_too_large,
        throttled: doc.throttled,
        throttle_wait_us: (doc.throttle_wait_ms * 1000.0).round() as u64,
        items: doc.items,
        item_failures: parse(&doc.item_failures, "itemFailures")?,
        timeline: timeline_of(&doc.timeline)?,
    })
}

/// The recorded operations of a run, as documents, in lane then [`Op::ALL`] order.
pub fn op_docs(ops: &[(usize, Op, OpStats)], lanes: &[LaneDoc], duration_ms: f64) -> Vec<OpDoc> {
    ops.iter()
        .map(|(lane, op, s)| {
            let workload = lanes.get(*lane).map_or("", |l| l.workload.as_str());
            op_doc(*lane, workload, op.name(), s, duration_ms)
        })
        .collect()
}
