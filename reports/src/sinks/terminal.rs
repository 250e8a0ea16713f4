//! The terminal reporter: a line per finished check as the run goes, then the details of every failure, warning
//! and error, and a summary by verdict.
//!
//! Colour is ANSI escapes, on only when the caller says so; [`use_colour`] is the usual decision (a terminal, and
//! `NO_COLOR` unset or empty, per no-color.org). Text that came from the server is passed through
//! [`visible`](super::common::visible) so it cannot drive the terminal. Without colour the output is plain text,
//! which is also what `scimlab report render --format text` prints.

use super::common::{
    LEVELS, VERDICTS, body_excerpt, counts, excerpt, fmt_ms, is_problem, label, reproducer, request_line, status_text,
    visible,
};
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunReport, Target, Verdict};
use std::io::Write;

/// How many characters of a response body a failure shows.
const BODY_EXCERPT: usize = 200;
/// How many characters of any other value (requirement, expected, actual, reason, request line) a failure shows;
/// longer values end with `... (N bytes)`.
const VALUE_EXCERPT: usize = 300;
/// How many characters of a reproducer a failure shows (a curl carries its request body).
const REPRODUCER_EXCERPT: usize = 1_000;

/// Whether to colour output for a writer: `is_terminal` (the caller asks its writer, e.g.
/// `std::io::stdout().is_terminal()`), unless the `NO_COLOR` environment variable is set to something non-empty.
pub fn use_colour(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Progress and results for people, written to any writer.
pub struct TerminalSink<W> {
    out: W,
    colour: bool,
    total: usize,
    done: usize,
}

impl<W: Write + Send> TerminalSink<W> {
    /// A reporter writing to `out`, with ANSI colour when `colour` is true (see [`use_colour`]).
    pub fn new(out: W, colour: bool) -> TerminalSink<W> {
        TerminalSink { out, colour, total: 0, done: 0 }
    }

    /// The writer back, with everything written so far.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, text: &str, code: &str) -> String {
        if self.colour { format!("\u{1b}[{code}m{text}\u{1b}[0m") } else { text.to_owned() }
    }

    fn painted_label(&self, v: Verdict) -> String {
        let code = match v {
            Verdict::Pass => "32",
            Verdict::Fail => "1;31",
            Verdict::Warn => "33",
            Verdict::Skip => "2",
            Verdict::Error => "1;35",
        };
        // Pad before painting so the escapes do not upset the column.
        self.paint(&format!("{:<5}", label(v)), code)
    }

    fn started(&mut self, target: &Target, checks: usize) -> std::io::Result<()> {
        self.total = checks;
        self.done = 0;
        let what = if target.embedded { " (embedded mock service provider)" } else { "" };
        let plural = if checks == 1 { "" } else { "s" };
        writeln!(self.out, "scimlab: {checks} check{plural} against {}{what}", visible(&target.url))
    }

    fn finished_check(&mut self, c: &CheckResult) -> std::io::Result<()> {
        self.done += 1;
        let width = self.total.max(self.done).to_string().len();
        let counter = if self.total > 0 {
            format!("[{:>width$}/{}]", self.done, self.total)
        } else {
            format!("[{:>width$}]", self.done)
        };
        let line =
            format!("{counter} {} {:>9}  {}", self.painted_label(c.verdict), fmt_ms(c.duration_ms), visible(&c.id));
        writeln!(self.out, "{line}")
    }

    /// `name` and at most `max` characters of `value` (see [`excerpt`]).
    fn field(&mut self, name: &str, value: &str, max: usize) -> std::io::Result<()> {
        let value = excerpt(value, max);
        let mut lines = value.lines();
        let first = lines.next().unwrap_or("");
        writeln!(self.out, "  {name:<12} {}", visible(first))?;
        for more in lines {
            writeln!(self.out, "  {:<12} {}", "", visible(more))?;
        }
        Ok(())
    }

    fn problem(&mut self, c: &CheckResult) -> std::io::Result<()> {
        writeln!(self.out)?;
        let head = format!("{} {} ({}, {})", label(c.verdict), visible(&c.id), c.level.as_str(), visible(&c.section));
        let code = match c.verdict {
            Verdict::Fail => "1;31",
            Verdict::Warn => "1;33",
            _ => "1;35",
        };
        writeln!(self.out, "{}", self.paint(&head, code))?;
        self.field("requirement", &c.requirement, VALUE_EXCERPT)?;
        for (name, value) in [("expected", &c.expected), ("actual", &c.actual), ("reason", &c.reason)] {
            if let Some(v) = value {
                self.field(name, v, VALUE_EXCERPT)?;
            }
        }
        if let Some(x) = c.evidence.last() {
            let mut exchange = format!("{} -> {}", excerpt(&request_line(x), VALUE_EXCERPT), status_text(x));
            if let Some(body) = x.response.as_ref().and_then(|r| r.body.as_deref()).filter(|b| !b.trim().is_empty()) {
                exchange.push('\n');
                exchange.push_str(&body_excerpt(body, BODY_EXCERPT));
            }
            self.field("exchange", &exchange, 2 * VALUE_EXCERPT + BODY_EXCERPT)?;
        }
        if let Some(cmd) = reproducer(c) {
            self.field("reproduce", &cmd, REPRODUCER_EXCERPT)?;
        }
        Ok(())
    }

    fn finished_run(&mut self, report: &RunReport) -> std::io::Result<()> {
        let problems: Vec<&CheckResult> = report.checks.iter().filter(|c| is_problem(c.verdict)).collect();
        if !problems.is_empty() {
            writeln!(self.out)?;
            writeln!(self.out, "{}", self.paint("Failures, warnings and errors:", "1"))?;
            for c in problems {
                self.problem(c)?;
            }
        }
        writeln!(self.out)?;
        let n = counts(&report.checks);
        let by_verdict: Vec<String> = VERDICTS
            .iter()
            .zip(n)
            .map(|(v, k)| {
                let text = format!("{k} {}", v.as_str());
                if k > 0 && *v != Verdict::Pass && *v != Verdict::Skip { self.paint(&text, "1") } else { text }
            })
            .collect();
        let plural = if report.checks.len() == 1 { "" } else { "s" };
        writeln!(
            self.out,
            "Summary: {} check{plural} in {}: {}",
            report.checks.len(),
            fmt_ms(report.duration_ms),
            by_verdict.join(", ")
        )?;
        let missed: Vec<String> = LEVELS
            .iter()
            .filter_map(|l| {
                let k = report
                    .checks
                    .iter()
                    .filter(|c| c.level == *l && matches!(c.verdict, Verdict::Fail | Verdict::Warn))
                    .count();
                (k > 0).then(|| format!("{k} {}", l.as_str()))
            })
            .collect();
        if !missed.is_empty() {
            writeln!(self.out, "Missed requirements: {}", missed.join(", "))?;
        }
        let result = if report.failed() {
            let why = if report.strict {
                "a MUST or SHOULD requirement was missed (--strict)"
            } else {
                "a MUST requirement was missed"
            };
            format!("{} ({why})", self.paint("FAILED", "1;31"))
        } else if n[4] > 0 {
            format!(
                "{} (the harness could not judge {} check{})",
                self.paint("INCOMPLETE", "1;35"),
                n[4],
                if n[4] == 1 { "" } else { "s" }
            )
        } else {
            self.paint("passed", "1;32")
        };
        writeln!(self.out, "Result: {result}")?;
        self.out.flush()
    }
}

impl<W: Write + Send> Sink for TerminalSink<W> {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        let written = match event {
            Event::RunStarted { target, checks } => self.started(target, *checks),
            Event::CheckFinished(c) => self.finished_check(c),
            Event::RunFinished(report) => self.finished_run(report),
        };
        written.map_err(|e| ReportError::Write { path: "the terminal".to_owned(), reason: e.to_string() })
    }
}

/// The whole report as plain text, as the terminal reporter would have printed it during the run.
pub fn render_text(report: &RunReport) -> String {
    let mut sink = TerminalSink::new(Vec::new(), false);
    let mut write = || -> std::io::Result<()> {
        sink.started(&report.target, report.checks.len())?;
        for c in &report.checks {
            sink.finished_check(c)?;
        }
        sink.finished_run(report)
    };
    // Writing to a Vec cannot fail.
    let _ = write();
    String::from_utf8_lossy(&sink.into_inner()).into_owned()
}
