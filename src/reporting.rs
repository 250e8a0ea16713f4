//! What `scimlab test`, `replay` and `load` share on the way out: the terminal reporter plus the `--report
//! FORMAT=PATH` sinks, with every sink failure kept so that a report that could not be written is never lost
//! silently.
//!
//! The harness runner feeds the sinks itself and ignores their errors by design (one broken report must not stop
//! the run or the other reports), so the errors are collected here and surface at [`Reporters::finish`]: a lost
//! report is exit 3 naming the path and the OS error. `finish` is also where an INCOMPLETE run (no MUST missed,
//! but checks the harness could not judge) becomes exit 3: scimlab could not complete the run, so it cannot say
//! "passed".

use crate::exit::{Failure, usage};
use anyhow::anyhow;
use scimlab_reports::model::{ReportError, RunReport, Verdict};
use scimlab_reports::{Event, Sink, sinks};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

/// The reporters of one run.
pub struct Reporters {
    /// The sinks, terminal first (when there is one).
    pub sinks: Vec<Box<dyn Sink>>,
    seen: Arc<Mutex<Seen>>,
}

/// What the sinks reported back: their write errors, and how the run ended.
#[derive(Default)]
struct Seen {
    errors: Vec<String>,
    /// Checks the harness could not judge, in a run with no missed requirement (the terminal's "INCOMPLETE").
    unjudged: usize,
}

impl Reporters {
    /// The terminal reporter on stderr (colour unless NO_COLOR or not a terminal) and one sink per `--report`
    /// spec. A malformed spec is a usage error naming it (exit 2); a destination that cannot be prepared (a
    /// directory that cannot be created) is exit 3 with the path and the OS error.
    pub fn new(specs: &[String]) -> Result<Reporters, Failure> {
        let colour = sinks::use_colour(std::io::stderr().is_terminal());
        Reporters::with_terminal(specs, Some(Box::new(sinks::TerminalSink::new(Box::new(std::io::stderr()), colour))))
    }

    /// Only the `--report` sinks, for commands that print their own summary (`scimlab load`).
    pub fn documents(specs: &[String]) -> Result<Reporters, Failure> {
        Reporters::with_terminal(specs, None)
    }

    fn with_terminal(specs: &[String], terminal: Option<Box<dyn Sink>>) -> Result<Reporters, Failure> {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut list: Vec<Box<dyn Sink>> = terminal.into_iter().collect();
        for spec in specs {
            let inner = sinks::sink_for(spec).map_err(|e| match e {
                ReportError::Write { .. } => Failure::Internal(anyhow!("--report {spec}: {e}")),
                other => usage(format!("--report {spec}: {other}")),
            })?;
            list.push(Box::new(Checked { spec: spec.clone(), inner, seen: seen.clone() }));
        }
        list.push(Box::new(Observer { seen: seen.clone() }));
        Ok(Reporters { sinks: list, seen })
    }

    /// Feeds one event to every sink; a failing sink does not stop the others or the run.
    pub fn emit(&mut self, event: &Event<'_>) {
        for s in self.sinks.iter_mut() {
            let _ = s.handle(event);
        }
    }

    /// After the run: exit 3 listing every report that could not be written (path and OS error), else exit 3
    /// when the run was INCOMPLETE.
    pub fn finish(&self) -> Result<(), Failure> {
        let seen = std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()));
        if !seen.errors.is_empty() {
            return Err(Failure::Internal(anyhow!(
                "the run finished but reports were lost: {}",
                seen.errors.join("; ")
            )));
        }
        if seen.unjudged > 0 {
            let n = seen.unjudged;
            return Err(Failure::Internal(anyhow!(
                "the run is incomplete: the harness could not judge {n} check{} (see the ERROR lines above)",
                if n == 1 { "" } else { "s" }
            )));
        }
        Ok(())
    }

    /// After an interrupted run: exit 3 when reports were lost; the run's incompleteness is the interruption's
    /// to report (status 130), not an INCOMPLETE.
    pub fn finish_interrupted(&self) -> Result<(), Failure> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.unjudged = 0;
        drop(seen);
        self.finish()
    }
}

/// A sink that remembers its failures.
struct Checked {
    spec: String,
    inner: Box<dyn Sink>,
    seen: Arc<Mutex<Seen>>,
}

impl Sink for Checked {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        let r = self.inner.handle(event);
        if let Err(e) = &r {
            self.seen.lock().unwrap_or_else(|p| p.into_inner()).errors.push(format!("--report {}: {e}", self.spec));
        }
        r
    }
}

/// Reads the final report: an INCOMPLETE run is one that missed no requirement but holds checks in error.
struct Observer {
    seen: Arc<Mutex<Seen>>,
}

impl Sink for Observer {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        if let Event::RunFinished(report) = event {
            self.seen.lock().unwrap_or_else(|p| p.into_inner()).unjudged = unjudged(report);
        }
        Ok(())
    }
}

/// Checks in error when nothing failed (the terminal prints "Result: INCOMPLETE" for exactly these runs).
fn unjudged(report: &RunReport) -> usize {
    if report.failed() { 0 } else { report.checks.iter().filter(|c| c.verdict == Verdict::Error).count() }
}

/// A seed for runs that were not given `--seed`: the clock's nanoseconds (printed by the caller, so the run can
/// be repeated).
pub fn time_seed() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_reports::model::{CheckResult, Level, RunKind, Summary, Target};

    fn report(verdicts: &[Verdict]) -> RunReport {
        let check = |(i, v): (usize, &Verdict)| CheckResult {
            section: "s".into(),
            requirement: "r".into(),
            ..CheckResult::bare(format!("c{i}"), Level::Must, *v)
        };
        RunReport {
            version: scimlab_reports::REPORT_VERSION,
            kind: RunKind::Conformance,
            tool_version: "0".into(),
            started_at: "2024-05-01T12:00:00Z".into(),
            duration_ms: 0.0,
            target: Target { url: "http://127.0.0.1:1".into(), embedded: true },
            profiles: vec![],
            strict: false,
            seed: 0,
            summary: Summary::default(),
            checks: verdicts.iter().enumerate().map(check).collect(),
            root_causes: Vec::new(),
            load: None,
        }
    }

    fn finished(verdicts: &[Verdict]) -> Result<(), Failure> {
        let mut r = Reporters::documents(&[]).expect("no specs");
        r.emit(&Event::RunFinished(&report(verdicts)));
        r.finish()
    }

    /// Regression: "Result: INCOMPLETE" exited 0.
    #[test]
    fn an_incomplete_run_is_exit_3_and_a_failed_one_stays_a_verdict() {
        match finished(&[Verdict::Pass, Verdict::Error, Verdict::Error]) {
            Err(Failure::Internal(e)) => assert!(e.to_string().contains("could not judge 2 checks"), "{e}"),
            other => panic!("expected exit 3, got {other:?}"),
        }
        assert!(finished(&[Verdict::Fail, Verdict::Error]).is_ok(), "FAILED is exit 1, decided by the caller");
        assert!(finished(&[Verdict::Pass, Verdict::Skip]).is_ok());
    }
}
