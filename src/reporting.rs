//! What `scimlab test`, `replay` and `load` share on the way out: the terminal reporter plus the `--report
//! FORMAT=PATH` sinks, with every sink failure kept so that a report that could not be written is never lost
//! silently.

use crate::exit::{Failure, usage};
use anyhow::anyhow;
use scimlab_reports::model::ReportError;
use scimlab_reports::{Event, Sink, sinks};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

/// The reporters of one run.
pub struct Reporters {
    /// The sinks, terminal first.
    pub sinks: Vec<Box<dyn Sink>>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Reporters {
    /// The terminal reporter on stderr (colour unless NO_COLOR or not a terminal) and one sink per `--report`
    /// spec. A malformed spec is a usage error naming it.
    pub fn new(specs: &[String]) -> Result<Reporters, Failure> {
        let colour = sinks::use_colour(std::io::stderr().is_terminal());
        let mut list: Vec<Box<dyn Sink>> =
            vec![Box::new(sinks::TerminalSink::new(Box::new(std::io::stderr()), colour))];
        let errors = Arc::new(Mutex::new(Vec::new()));
        for spec in specs {
            let inner = sinks::sink_for(spec).map_err(|e| usage(format!("--report {spec}: {e}")))?;
            list.push(Box::new(Checked { spec: spec.clone(), inner, errors: errors.clone() }));
        }
        Ok(Reporters { sinks: list, errors })
    }

    /// Feeds one event to every sink; a failing sink does not stop the others or the run.
    pub fn emit(&mut self, event: &Event<'_>) {
        for s in self.sinks.iter_mut() {
            let _ = s.handle(event);
        }
    }

    /// After the run: an internal failure (exit 3) listing every report that could not be written.
    pub fn finish(&self) -> Result<(), Failure> {
        let errors = std::mem::take(&mut *self.errors.lock().unwrap_or_else(|p| p.into_inner()));
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Failure::Internal(anyhow!("the run finished but reports were lost: {}", errors.join("; "))))
        }
    }
}

/// A sink that remembers its failures.
struct Checked {
    spec: String,
    inner: Box<dyn Sink>,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Sink for Checked {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        let r = self.inner.handle(event);
        if let Err(e) = &r {
            self.errors.lock().unwrap_or_else(|p| p.into_inner()).push(format!("--report {}: {e}", self.spec));
        }
        r
    }
}

/// A seed for runs that were not given `--seed`: the clock's nanoseconds (printed by the caller, so the run can
/// be repeated).
pub fn time_seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
}
