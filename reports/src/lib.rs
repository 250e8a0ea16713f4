//! scimlab-reports: one versioned [`RunReport`] for every run (conformance, replay, load), the [`Event`] stream
//! that feeds reporters, and the sinks that write it for people and machines.
//!
//! It imports `scimlab-protocol` (for the `Exchange` evidence type) and nothing else of ours. The load section
//! ([`load`]) is typed here, so that every sink reads it through types; `scimlab-load` writes it.

pub mod baseline;
pub mod causes;
pub mod diff;
pub mod event;
pub mod load;
pub mod merge;
pub mod model;
pub mod readiness;
pub mod schema;
pub mod sinks;

pub use baseline::{against_baseline, mark_known};
pub use causes::{CauseKind, RootCause};
pub use diff::{ReportDiff, diff};
pub use event::{Event, Marked, Sink};
pub use merge::{merge, merge_with};
pub use model::{
    CheckResult, Coverage, Level, REPORT_VERSION, ReportError, RunKind, RunReport, RunResult, Summary, Target, Verdict,
};
pub use readiness::{IDPS, Idp, Readiness, ReadinessState};
pub use schema::run_report_schema;
pub use sinks::{render, sink_for};
