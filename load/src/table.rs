//! The final table on the terminal: one row per lane and operation with throughput, latency percentiles and
//! status classes, then the population created, the verification and the cleanup.

use crate::report::LoadSection;
use scimlab_reports::model::RunReport;
use std::fmt::Write;

fn ms(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// One entry of the errors by scimType: `invalidValue 2`, or `3 without a scimType` for the errors whose body
/// named none (recorded under `none`, which read as "no errors").
pub fn scim_type_count(scim_type: &str, n: u64) -> String {
    if scim_type == crate::stats::NO_SCIM_TYPE { format!("{n} without a scimType") } else { format!("{scim_type} {n}") }
}

/// The verdicts of a load report, one line each, and its result: what the exit status says, in words.
pub fn render_verdicts(report: &RunReport) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let mut line = format!("{:<5} {}", scimlab_reports::sinks::label(c.verdict), c.id);
        if let Some(a) = &c.actual {
            let _ = write!(line, ": {}", scimlab_reports::sinks::one_line(a, 200));
        }
        if let Some(r) = &c.reason {
            let _ = write!(line, " ({})", scimlab_reports::sinks::one_line(r, 300));
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "Result: {}", report.result());
    out
}

/// The section as a plain-text table.
pub fn render_table(s: &LoadSection) -> String {
    let mut out = String::new();
    let shards: Vec<&str> = s.shards.iter().map(|x| x.shard.as_str()).collect();
    let _ = writeln!(
        out,
        "scimlab load: scenario {}, persona {}, run {}, shard {}, window {:.1} s",
        s.scenario,
        s.persona,
        s.run_id,
        shards.join("+"),
        s.duration_ms / 1000.0
    );
    for (i, l) in s.lanes.iter().enumerate() {
        let model = match (l.concurrency, l.rate) {
            (Some(c), _) => format!("closed, concurrency {c}"),
            (None, Some(r)) => format!("open, {r}/s over {} connections", l.connections.unwrap_or(0)),
            (None, None) => l.model.clone(),
        };
        let _ = writeln!(out, "  lane {}: {} ({model})", i + 1, l.workload);
    }
    let head = [
        "lane/operation",
        "requests",
        "resp/s",
        "items/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "2xx",
        "4xx",
        "5xx",
        "429",
        "no-answer",
        "errors",
    ];
    let mut rows: Vec<Vec<String>> = vec![head.iter().map(|h| (*h).to_owned()).collect()];
    for o in &s.operations {
        let class = |k: &str| o.status_classes.get(k).copied().unwrap_or(0).to_string();
        let l = &o.latency_ms;
        rows.push(vec![
            format!("{}:{}/{}", o.lane + 1, o.workload, o.operation),
            o.requests.to_string(),
            format!("{:.1}", o.throughput),
            if o.items > 0 { format!("{:.0}", o.items_per_second) } else { "-".into() },
            ms(l.p50),
            ms(l.p90),
            ms(l.p99),
            ms(l.p999),
            ms(l.max),
            class("2xx"),
            class("4xx"),
            class("5xx"),
            class("429"),
            o.transport_errors.to_string(),
            (o.errors + o.item_errors).to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..head.len()).map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0)).collect();
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c == 0 {
                let _ = write!(line, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(line, "  {cell:>w$}", w = widths[c]);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    for o in s.operations.iter().filter(|o| !o.scim_types.is_empty()) {
        let types: Vec<String> = o.scim_types.iter().map(|(k, v)| scim_type_count(k, *v)).collect();
        let _ =
            writeln!(out, "  {}:{}/{} errors by scimType: {}", o.lane + 1, o.workload, o.operation, types.join(", "));
    }
    for o in s.operations.iter().filter(|o| o.body_too_large > 0) {
        let _ = writeln!(
            out,
            "  {}:{}/{} body too large: {} response(s) beyond --max-response-bytes (not read; connection closed)",
            o.lane + 1,
            o.workload,
            o.operation,
            o.body_too_large
        );
    }
    if let Some(c) = &s.created {
        let _ =
            writeln!(out, "created: {}/{} users, {}/{} groups", c.users, c.expected_users, c.groups, c.expected_groups);
    }
    if let Some(v) = &s.verify {
        let users = match (v.users_expected, v.users_found) {
            (Some(e), Some(f)) => format!("; {f}/{e} users with the run's prefix"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "verify: {} ({} groups read back, {} wrong; {}/{} memberships{users})",
            if v.ok() { "the server holds exactly what was sent" } else { "MISMATCH" },
            v.groups_checked,
            v.groups_wrong,
            v.memberships_found,
            v.memberships_expected
        );
        for p in &v.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    match &s.cleanup {
        Some(c) => {
            let _ = writeln!(
                out,
                "cleanup: {} deleted, {} already gone, {} failed, in {:.1} s",
                c.deleted,
                c.not_found,
                c.failed,
                c.duration_ms / 1000.0
            );
            if c.left > 0 {
                let _ = writeln!(
                    out,
                    "cleanup: {} left in place (creates that got no answer, or ids the server repeated or that are \
                     not one path segment); names start with {}",
                    c.left, s.run_id
                );
            }
        }
        None => {
            let _ = writeln!(out, "cleanup: skipped (--keep); names start with {}", s.run_id);
        }
    }
    out
}
