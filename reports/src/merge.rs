//! Joining reports: `scimlab report merge A.json B.json...`, for runs split into shards (`scimlab load --shard
//! K/N` on several machines, or a conformance run split by `--only` across a CI matrix).
//!
//! The merged report keeps every check of every input, in input order, and its summary is the sum of the inputs'
//! summaries. Root causes met by several inputs are joined (same kind and summary). The other fields: the format version is this scimlab's; kind, target and strictness must agree
//! (merging a load run with a conformance run, or runs against different servers, is refused); `startedAt`, the
//! tool version and the seed are the first input's; the wall time is the longest input's (shards run side by
//! side); profiles are the union, in order of first appearance.
//!
//! Merging the `load` member (HdrHistograms merge exactly, derived numbers are recomputed) belongs to the load
//! engine, which passes its function to [`merge_with`]. [`merge`] keeps `load` when at most one input has it and
//! refuses to merge two inputs that both have one, rather than silently keeping only one shard's latencies.

use crate::causes::RootCause;
use crate::load::LoadSection;
use crate::model::{REPORT_VERSION, ReportError, RunReport, Summary};

/// Merges `reports`, refusing when more than one carries load results (see [`merge_with`]).
pub fn merge(reports: &[RunReport]) -> Result<RunReport, ReportError> {
    merge_with(reports, |loads| match loads {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        _ => Err(format!(
            "{} inputs carry load results, and this scimlab cannot merge load results yet; merge reports without them",
            loads.len()
        )),
    })
}

/// The root causes of every input, one per kind and summary: shards that met the same cause (each its own share
/// of the filter checks failing because the server ignores filter) report it once, explaining the checks of all.
fn merge_causes(reports: &[RunReport]) -> Vec<RootCause> {
    let mut causes: Vec<RootCause> = Vec::new();
    for c in reports.iter().flat_map(|r| &r.root_causes) {
        match causes.iter_mut().find(|m| m.kind == c.kind && m.summary == c.summary) {
            Some(m) => {
                m.level = m.level.min(c.level);
                m.checks.extend(c.checks.iter().cloned());
                m.representatives.extend(c.representatives.iter().cloned());
            }
            None => causes.push(c.clone()),
        }
    }
    crate::causes::sort(&mut causes);
    causes
}

/// Merges `reports`; `merge_load` receives the `load` members of the inputs that have one, in input order, and
/// returns the merged member (or why it cannot).
pub fn merge_with(
    reports: &[RunReport],
    merge_load: impl FnOnce(&[&LoadSection]) -> Result<Option<LoadSection>, String>,
) -> Result<RunReport, ReportError> {
    let Some(first) = reports.first() else {
        return Err(ReportError::Merge("no reports to merge".to_owned()));
    };
    for (i, r) in reports.iter().enumerate().skip(1) {
        let n = i + 1;
        if r.kind != first.kind {
            return Err(ReportError::Merge(format!(
                "report {n} is a {:?} run and report 1 a {:?} run",
                r.kind, first.kind
            )));
        }
        if r.target != first.target {
            return Err(ReportError::Merge(format!(
                "report {n} tested {} and report 1 tested {}",
                r.target.url, first.target.url
            )));
        }
        if r.strict != first.strict {
            return Err(ReportError::Merge(format!("report {n} and report 1 disagree on --strict")));
        }
    }
    let loads: Vec<&LoadSection> = reports.iter().filter_map(|r| r.load.as_ref()).collect();
    let load = merge_load(&loads).map_err(ReportError::Merge)?;
    let mut profiles: Vec<String> = Vec::new();
    for p in reports.iter().flat_map(|r| &r.profiles) {
        if !profiles.contains(p) {
            profiles.push(p.clone());
        }
    }
    let summary = reports.iter().fold(Summary::default(), |s, r| Summary {
        total: s.total + r.summary.total,
        pass: s.pass + r.summary.pass,
        fail: s.fail + r.summary.fail,
        warn: s.warn + r.summary.warn,
        skip: s.skip + r.summary.skip,
        error: s.error + r.summary.error,
        expected: s.expected + r.summary.expected,
    });
    Ok(RunReport {
        version: REPORT_VERSION,
        kind: first.kind,
        tool_version: first.tool_version.clone(),
        started_at: first.started_at.clone(),
        duration_ms: reports.iter().map(|r| r.duration_ms).fold(0.0, f64::max),
        target: first.target.clone(),
        profiles,
        strict: first.strict,
        seed: first.seed,
        summary,
        checks: reports.iter().flat_map(|r| r.checks.iter().cloned()).collect(),
        root_causes: merge_causes(reports),
        load,
    })
}
