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

/// Sinks that receive the finished report after `mark` has changed a copy of it (`--baseline`'s known problems,
/// the config file's expected failures), and every other event unchanged.
pub struct Marked {
    mark: Box<dyn Fn(&mut RunReport) + Send>,
    inner: Vec<Box<dyn Sink>>,
}

impl Marked {
    /// Wraps `inner`, marking the finished report with `mark`.
    pub fn new(mark: impl Fn(&mut RunReport) + Send + 'static, inner: Vec<Box<dyn Sink>>) -> Marked {
        Marked { mark: Box::new(mark), inner }
    }
}

impl Sink for Marked {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        let marked;
        let event = match event {
            Event::RunFinished(report) => {
                let mut copy = (*report).clone();
                (self.mark)(&mut copy);
                marked = copy;
                Event::RunFinished(&marked)
            }
            other => other.clone(),
        };
        // Every sink gets the event even when one fails; the first error is kept.
        let mut first = Ok(());
        for s in &mut self.inner {
            let r = s.handle(&event);
            if first.is_ok() {
                first = r;
            }
        }
        first
    }
}
