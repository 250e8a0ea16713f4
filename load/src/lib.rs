//! scimlab-load: the load generator behind `scimlab load`. How fast a SCIM server provisions (bulk-merge of a
//! whole population through /Bulk or parallel POSTs), answers lookups (`userName eq`, `externalId eq`, complex
//! value-path filters), takes persona-shaped updates, and holds up under a mix resembling an incremental sync;
//! where it starts throttling (429s honoured and counted apart); with HdrHistogram latency percentiles per
//! operation, in an open (`--rate`, coordinated-omission-correct) or closed (`--concurrency`) model, always
//! bounded by count and time.
//!
//! Its own cost must stay far below the server's: one hyper HTTP/1.1 connection per worker, request bodies
//! written straight to bytes, statistics kept per worker without locks. `--shard K/N` runs one slice of a run
//! (disjoint users and names) and [`merge_load`] joins the slices' report sections exactly, so a load too big
//! for one machine runs as N copies under an existing scheduler.
//!
//! It imports `scimlab-reports` (the RunReport it writes) and meets the server only
//! over HTTP, and `scimlab-mock-idp` for the shape of what it sends: the mock IdP's personas plan every write
//! ([`persona`]), and its bulk-merge scenario's merger users are the population ([`population`]).

pub mod admin;
pub mod charts;
pub mod engine;
pub mod merge;
pub mod options;
pub mod persona;
pub mod pop;
pub mod population;
pub mod progress;
pub mod renewal;
pub mod report;
pub mod shard;
pub mod stats;
pub mod table;
pub mod tasks;
pub mod thresholds;
pub mod verdicts;
pub mod wire;

pub use engine::{Outcome, run};
pub use merge::merge_load;
pub use options::{LaneSpec, LoadOptions, Model, ScenarioFile, Workload, parse_duration, parse_rate};
pub use persona::Persona;
pub use report::LoadSection;
pub use shard::Shard;
pub use table::{render_table, render_verdicts};
pub use thresholds::Threshold;

use scimlab_reports::model::{RunKind, RunReport, Summary, Target};

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Bad options or scenario file.
    #[error("{0}")]
    Usage(String),
    /// The server cannot be reached.
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    /// The server refused the credential.
    #[error("{0}")]
    Refused(String),
    /// The server could not be loaded with what the run needs.
    #[error("{0}")]
    Server(String),
}

/// The RunReport of a finished run: kind `load`, the persona as its profile, the load section, and the load
/// verdicts as checks ([`verdicts::checks`]: the thresholds, or the defaults, then what the run set out to do),
/// so the report's result, every sink and the exit status agree.
pub fn run_report(opts: &LoadOptions, outcome: &Outcome) -> RunReport {
    let checks = verdicts::checks(&opts.thresholds, &outcome.section);
    RunReport {
        version: scimlab_reports::REPORT_VERSION,
        kind: RunKind::Load,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: outcome.started_at.clone(),
        duration_ms: outcome.wall_ms,
        target: Target { url: opts.url.trim_end_matches('/').to_owned(), embedded: false },
        profiles: vec![opts.persona.name.to_owned()],
        strict: false,
        seed: opts.seed,
        summary: Summary::of(&checks),
        checks,
        root_causes: Vec::new(),
        load: Some(outcome.section.clone()),
    }
}
