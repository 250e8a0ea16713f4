//! What `scimlab test`, `replay` and `load` share on the way out: the terminal reporter plus the `--report
//! FORMAT=PATH` sinks, with every sink failure kept so that a report that could not be written is never lost
//! silently.
//!
//! Streams: results on standard output, progress and diagnostics on standard error, so `scimlab test > out.txt`
//! keeps the verdicts. The terminal reporter is fed twice for that: once on stdout with the run's start and end
//! (the header line and everything after the last check), once on stderr with the start (silenced: it only
//! learns the total) and every finished check (the progress). When a `--report FORMAT=-` puts a document on
//! stdout, the whole terminal output moves to stderr instead, and at most one report may name `-`: two
//! documents one after the other on one stream would be neither.
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
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The reporters of one run.
pub struct Reporters {
    /// The sinks, terminal first (results, then progress, when there is one).
    pub sinks: Vec<Box<dyn Sink>>,
    seen: Arc<Mutex<Seen>>,
    /// Whether results go to stdout (no report took it).
    results_on_stdout: bool,
}

/// What the sinks reported back: their write errors, and how the run ended.
#[derive(Default)]
struct Seen {
    errors: Vec<String>,
    /// Checks the harness could not judge, in a run with no missed requirement (the terminal's "INCOMPLETE").
    unjudged: usize,
}

impl Reporters {
    /// The terminal reporter, results on stdout and progress on stderr (all of it on stderr when a report goes to
    /// `-`), colour on each stream that is a terminal (unless NO_COLOR), and one sink per `--report` spec. A
    /// malformed spec, or more than one on `-`, is a usage error naming it (exit 2); a destination that cannot be
    /// prepared (a directory that cannot be created) is exit 3 with the path and the OS error.
    pub fn new(specs: &[String]) -> Result<Reporters, Failure> {
        let stderr_colour = sinks::use_colour(std::io::stderr().is_terminal());
        let terminal: Vec<Box<dyn Sink>> = if on_stdout(specs).next().is_some() {
            vec![Box::new(sinks::TerminalSink::new(Box::new(std::io::stderr()), stderr_colour))]
        } else {
            let stdout_colour = sinks::use_colour(std::io::stdout().is_terminal());
            vec![
                Box::new(Results(sinks::TerminalSink::new(std::io::stdout(), stdout_colour))),
                Box::new(Progress::new(stderr_colour)),
            ]
        };
        Reporters::with_terminal(specs, terminal)
    }

    /// Prints lines of results where the terminal's results go: stdout, or stderr when a report owns stdout (a
    /// line after a JSON document would break it).
    pub fn results(&self, text: &str) -> Result<(), Failure> {
        if self.results_on_stdout {
            crate::exit::print(text)
        } else {
            eprint!("{text}");
            Ok(())
        }
    }

    /// Only the `--report` sinks, for commands that print their own summary (`scimlab load`).
    pub fn documents(specs: &[String]) -> Result<Reporters, Failure> {
        Reporters::with_terminal(specs, Vec::new())
    }

    fn with_terminal(specs: &[String], terminal: Vec<Box<dyn Sink>>) -> Result<Reporters, Failure> {
        let dashes: Vec<&String> = on_stdout(specs).collect();
        if dashes.len() > 1 {
            let named: Vec<String> = dashes.iter().map(|s| format!("--report {s}")).collect();
            return Err(usage(format!(
                "{} all write to standard output (-); give at most one report on -, and files for the others",
                named.join(", ")
            )));
        }
        let seen = Arc::new(Mutex::new(Seen::default()));
        let mut list = terminal;
        for spec in specs {
            let inner = sinks::sink_for(spec).map_err(|e| match e {
                ReportError::Write { .. } => Failure::Internal(anyhow!("--report {spec}: {e}")),
                other => usage(format!("--report {spec}: {other}")),
            })?;
            list.push(Box::new(Checked { spec: spec.clone(), inner, seen: seen.clone() }));
        }
        list.push(Box::new(Observer { seen: seen.clone() }));
        let results_on_stdout = on_stdout(specs).next().is_none();
        Ok(Reporters { sinks: list, seen, results_on_stdout })
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

/// The `--report` specs whose PATH is `-` (standard output).
fn on_stdout(specs: &[String]) -> impl Iterator<Item = &String> {
    specs.iter().filter(|s| s.split_once('=').is_some_and(|(_, path)| path.trim() == "-"))
}

/// The terminal's results on stdout: the header at the start and everything after the last check, no progress.
struct Results<W>(sinks::TerminalSink<W>);

impl<W: Write + Send> Sink for Results<W> {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::CheckFinished(_) => Ok(()),
            Event::RunStarted { .. } | Event::RunFinished(_) => self.0.handle(event),
        }
    }
}

/// The terminal's progress on stderr: each finished check (a line per step of a short run, a line per quarter of
/// a long one, or one status line rewritten in place on a colour terminal, which is cleared at the end). The
/// header is the results' (stdout); the start event only tells this sink the total, through a muted writer.
struct Progress {
    inner: sinks::TerminalSink<Muted>,
    mute: Arc<AtomicBool>,
    colour: bool,
    shown: bool,
}

impl Progress {
    fn new(colour: bool) -> Progress {
        let mute = Arc::new(AtomicBool::new(false));
        let inner = sinks::TerminalSink::new(Muted { mute: mute.clone() }, colour);
        Progress { inner, mute, colour, shown: false }
    }
}

impl Sink for Progress {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { .. } => {
                self.mute.store(true, Ordering::Relaxed);
                let r = self.inner.handle(event);
                self.mute.store(false, Ordering::Relaxed);
                r
            }
            Event::CheckFinished(_) => {
                self.shown = true;
                self.inner.handle(event)
            }
            Event::RunFinished(_) => {
                if self.colour && self.shown {
                    // Clear the status line, as the terminal reporter does before its results.
                    let mut err = std::io::stderr();
                    let _ = err.write_all(b"\r\x1b[2K").and_then(|()| err.flush());
                }
                Ok(())
            }
        }
    }
}

/// Standard error, or nowhere while `mute` is set.
struct Muted {
    mute: Arc<AtomicBool>,
}

impl Write for Muted {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.mute.load(Ordering::Relaxed) { Ok(buf.len()) } else { std::io::stderr().write(buf) }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
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
