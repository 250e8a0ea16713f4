//! scimlab-reports: one versioned [`RunReport`] for every run (conformance, replay, load), the [`Event`] stream
//! that feeds reporters, and the sinks that write it for people and machines.
//!
//! It imports `scimlab-protocol` (for the `Exchange` evidence type) and nothing else of ours.

pub mod event;
pub mod model;

pub use event::{Event, Sink};
pub use model::{CheckResult, Level, REPORT_VERSION, RunKind, RunReport, Summary, Target, Verdict};
