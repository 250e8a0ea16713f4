//! The event stream every reporter is fed from (nextest's model): one `RunStarted`, a `CheckFinished` per check as
//! it completes, one `RunFinished` with the whole report. Each sink handles each event kind explicitly.

use crate::model::{CheckResult, ReportError, RunReport, Target};

/// What happened in a run.
#[derive(Debug, Clone)]
pub enum Event<'a> {
    /// The run is about to start `checks` checks against `target`.
    RunStarted {
        /// What is tested.
        target: &'a Target,
        /// How many checks were selected.
        checks: usize,
    },
    /// One check finished.
    CheckFinished(&'a CheckResult),
    /// The run is over; the report is complete.
    RunFinished(&'a RunReport),
}

/// A reporter.
pub trait Sink: Send {
    /// Handles one event. Errors stop the sink, never the run.
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError>;
}
