//! Joining the load sections of shards (`scimlab report merge A.json B.json ...`): the function the reports
//! crate's `merge_with` waits for.
//!
//! Counts add up; histograms are added bucket by bucket, so the merged percentiles are those of one histogram
//! of every shard's latencies (exactly, to the histogram's precision); timelines add bin by bin from each shard's
//! own start; throughput is the merged count over the longest shard's window (shards run side by side).
//! Sections must agree on the format, the scenario, the lanes and the population's shape, and two sections may
//! not hold the same shard (the same report given twice would double every count).

use crate::report::{CleanupDoc, CreatedDoc, LOAD_FORMAT, LoadSection, OpDoc, VerifyDoc};

/// Merges load sections, in order. `Ok(None)` for no sections; the one section unchanged for one.
pub fn merge_load(loads: &[&LoadSection]) -> Result<Option<LoadSection>, String> {
    for (i, s) in loads.iter().enumerate() {
        if s.format > LOAD_FORMAT {
            return Err(format!(
                "load results {}: load format {} is newer than this scimlab understands ({LOAD_FORMAT})",
                i + 1,
                s.format
            ));
        }
    }
    let sections: Vec<LoadSection> = loads.iter().map(|s| (*s).clone()).collect();
    merge_sections(&sections)
}

/// Reads a `load` member given as JSON (a `serde_json::Value`) or already typed, refusing a newer format.
pub fn read_section(v: &impl serde::Serialize) -> Result<LoadSection, String> {
    let v = serde_json::to_value(v).map_err(|e| format!("not a scimlab load section: {e}"))?;
    let format = v.get("format").and_then(serde_json::Value::as_u64).unwrap_or(0);
    if format > u64::from(LOAD_FORMAT) {
        return Err(format!("load format {format} is newer than this scimlab understands ({LOAD_FORMAT})"));
    }
    serde_json::from_value(v).map_err(|e| format!("not a scimlab load section: {e}"))
}

/// Merges parsed sections.
pub fn merge_sections(sections: &[LoadSection]) -> Result<Option<LoadSection>, String> {
    let Some(first) = sections.first() else { return Ok(None) };
    if sections.len() == 1 {
        return Ok(Some(first.clone()));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, s) in sections.iter().enumerate() {
        let n = i + 1;
        if s.scenario != first.scenario {
            return Err(format!("report {n} ran scenario {:?} and report 1 {:?}", s.scenario, first.scenario));
        }
        if s.lanes != first.lanes {
            return Err(format!("report {n} ran other lanes (workloads or models) than report 1"));
        }
        if (s.users, s.block) != (first.users, first.block) {
            return Err(format!(
                "report {n} has {} users in blocks of {} and report 1 {} in blocks of {}",
                s.users, s.block, first.users, first.block
            ));
        }
        for sh in &s.shards {
            if sh.shard != "1/1" && seen.contains(&sh.shard.as_str()) {
                return Err(format!(
                    "shard {} appears twice (report {n}); merging it again would count its requests twice",
                    sh.shard
                ));
            }
            seen.push(&sh.shard);
        }
    }
    let duration_ms = sections.iter().map(|s| s.duration_ms).fold(0.0, f64::max);
    let mut ops: Vec<(usize, String, String, crate::stats::OpStats)> = Vec::new();
    for s in sections {
        for o in &s.operations {
            let stats = crate::report::op_stats(o).map_err(|e| format!("{} / {}: {e}", o.workload, o.operation))?;
            match ops.iter_mut().find(|(l, _, op, _)| *l == o.lane && *op == o.operation) {
                Some((_, _, _, acc)) => acc.merge(&stats),
                None => ops.push((o.lane, o.workload.clone(), o.operation.clone(), stats)),
            }
        }
    }
    ops.sort_by_key(|(lane, _, op, _)| (*lane, op_rank(op)));
    let operations: Vec<OpDoc> =
        ops.iter().map(|(lane, w, op, s)| crate::report::op_doc(*lane, w, op, s, duration_ms)).collect();
    let mut merged = LoadSection {
        format: LOAD_FORMAT,
        scenario: first.scenario.clone(),
        persona: first.persona.clone(),
        run_id: first.run_id.clone(),
        users: first.users,
        block: first.block,
        shards: sections.iter().flat_map(|s| s.shards.iter().cloned()).collect(),
        lanes: first.lanes.clone(),
        duration_ms,
        operations,
        created: sum_created(sections),
        verify: sum_verify(sections),
        cleanup: sum_cleanup(sections),
        charts: Vec::new(),
    };
    merged.refresh();
    Ok(Some(merged))
}

fn op_rank(name: &str) -> usize {
    crate::stats::Op::ALL.iter().position(|o| o.name() == name).unwrap_or(usize::MAX)
}

fn sum_created(sections: &[LoadSection]) -> Option<CreatedDoc> {
    let all: Vec<&CreatedDoc> = sections.iter().filter_map(|s| s.created.as_ref()).collect();
    (!all.is_empty()).then(|| {
        all.iter().fold(CreatedDoc::default(), |a, c| CreatedDoc {
            expected_users: a.expected_users + c.expected_users,
            users: a.users + c.users,
            expected_groups: a.expected_groups + c.expected_groups,
            groups: a.groups + c.groups,
        })
    })
}

fn sum_verify(sections: &[LoadSection]) -> Option<VerifyDoc> {
    let all: Vec<&VerifyDoc> = sections.iter().filter_map(|s| s.verify.as_ref()).collect();
    if all.is_empty() {
        return None;
    }
    let opt_sum = |f: &dyn Fn(&VerifyDoc) -> Option<u64>| -> Option<u64> {
        all.iter().map(|v| f(v)).try_fold(0u64, |a, x| x.map(|x| a + x))
    };
    Some(VerifyDoc {
        groups_checked: all.iter().map(|v| v.groups_checked).sum(),
        groups_wrong: all.iter().map(|v| v.groups_wrong).sum(),
        memberships_expected: all.iter().map(|v| v.memberships_expected).sum(),
        memberships_found: all.iter().map(|v| v.memberships_found).sum(),
        users_expected: opt_sum(&|v| v.users_expected),
        users_found: opt_sum(&|v| v.users_found),
        problems: all.iter().flat_map(|v| v.problems.iter().cloned()).take(10).collect(),
    })
}

fn sum_cleanup(sections: &[LoadSection]) -> Option<CleanupDoc> {
    let all: Vec<&CleanupDoc> = sections.iter().filter_map(|s| s.cleanup.as_ref()).collect();
    (!all.is_empty()).then(|| CleanupDoc {
        deleted: all.iter().map(|c| c.deleted).sum(),
        not_found: all.iter().map(|c| c.not_found).sum(),
        failed: all.iter().map(|c| c.failed).sum(),
        left: all.iter().map(|c| c.left).sum(),
        duration_ms: all.iter().map(|c| c.duration_ms).fold(0.0, f64::max),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{LaneDoc, ShardDoc, op_docs};
    use crate::stats::{Op, Recorder, Slot};
    use std::time::Instant;

    fn section(shard: &str, values: &[u64]) -> LoadSection {
        let mut r = Recorder::new(1, Instant::now(), true);
        for v in values {
            let status = if v % 97 == 0 { 500 } else { 200 };
            r.response(Slot { lane: 0, op: Op::Get }, *v, status, None, 0);
        }
        r.throttled(Slot { lane: 0, op: Op::Get }, 1000);
        let lanes = vec![LaneDoc {
            workload: "read".into(),
            model: "closed".into(),
            concurrency: Some(4),
            rate: None,
            connections: None,
        }];
        let mut s = LoadSection {
            format: LOAD_FORMAT,
            scenario: "read".into(),
            persona: "entra".into(),
            run_id: "r".into(),
            users: 0,
            block: 100,
            shards: vec![ShardDoc {
                shard: shard.into(),
                users: [0, 0],
                started_at: String::new(),
                duration_ms: 1000.0,
            }],
            operations: op_docs(&r.into_ops(), &lanes, 1000.0),
            lanes,
            duration_ms: 1000.0,
            created: None,
            verify: Some(VerifyDoc { groups_checked: 1, ..VerifyDoc::default() }),
            cleanup: None,
            charts: Vec::new(),
        };
        s.refresh();
        s
    }

    #[test]
    fn merged_shards_equal_one_run_of_everything() {
        let mut rng = fastrand::Rng::with_seed(3);
        let values: Vec<u64> = (0..9000).map(|_| rng.u64(100..90_000)).collect();
        let (a, b) = values.split_at(4000);
        let whole = section("1/1", &values);
        let parts = [section("1/2", a), section("2/2", b)];
        let merged = merge_sections(&parts).expect("merge").expect("some");
        let (m, w) = (&merged.operations[0], &whole.operations[0]);
        assert_eq!((m.requests, m.responses, m.errors, m.throttled - 1), (w.requests + 1, w.responses, w.errors, 1));
        assert_eq!(m.latency_ms, w.latency_ms);
        assert_eq!(m.histogram, w.histogram);
        assert_eq!(m.statuses.get("200"), w.statuses.get("200"));
        assert_eq!(merged.verify.as_ref().map(|v| v.groups_checked), Some(2));
        assert_eq!(merged.shards.len(), 2);
    }

    #[test]
    fn the_same_shard_twice_is_refused() {
        let a = section("1/2", &[5, 6]);
        let err = merge_sections(&[a.clone(), a]).expect_err("duplicate");
        assert!(err.contains("appears twice"), "{err}");
    }

    #[test]
    fn different_scenarios_are_refused_and_json_round_trips() {
        let a = section("1/2", &[5]);
        let mut b = section("2/2", &[6]);
        b.scenario = "filter".into();
        assert!(merge_sections(&[a.clone(), b]).expect_err("scenario").contains("scenario"));
        assert_eq!(merge_load(&[&a]).expect("one"), Some(a.clone()));
        assert_eq!(merge_load(&[]).expect("none"), None);
        let v = serde_json::to_value(&a).expect("json");
        assert_eq!(read_section(&v).expect("reads"), a);
        let mut newer = v;
        newer["format"] = 99.into();
        assert!(read_section(&newer).expect_err("newer").contains("newer"));
        let mut typed_newer = a;
        typed_newer.format = 99;
        assert!(merge_load(&[&typed_newer]).expect_err("newer").contains("newer"));
    }
}
