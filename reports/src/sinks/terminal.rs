//! The terminal reporter: progress as the run goes, then, root causes first, what went wrong: every root cause
//! with the ids of the checks it explains and one of them in full, the details of every other failure, warning
//! and error, the skip reasons with their counts, a summary by verdict, the `Result:` line (the exit rule's own
//! words: [`RunReport::result`]) and one readiness line per IdP ([`RunReport::readiness`]).
//!
//! The output stays short however many checks fail alike: explained failures are ids, and the plain-text
//! progress is a line per quarter of the run (in colour, on a terminal, one status line rewritten in place with
//! the problems above it).
//!
//! Colour is ANSI escapes, on only when the caller says so; [`use_colour`] is the usual decision (a terminal, and
//! `NO_COLOR` unset or empty, per no-color.org). Text that came from the server is passed through
//! [`visible`](super::common::visible) so it cannot drive the terminal. Without colour the output is plain text,
//! which is also what `scimlab report render --format text` prints.

use super::common::{
    LEVELS, VERDICTS, body_excerpt, counts, excerpt, fmt_ms, is_problem, label, reproducer, request_line, status_text,
    visible,
};
use crate::causes;
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunReport, RunResult, Target, Verdict};
use anstyle::{AnsiColor, Style};
use std::io::Write;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const BOLD_GREEN: Style = AnsiColor::Green.on_default().bold();
const BOLD_RED: Style = AnsiColor::Red.on_default().bold();
const BOLD_YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const BOLD_MAGENTA: Style = AnsiColor::Magenta.on_default().bold();

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
    /// Counts by verdict so far, indexed like [`VERDICTS`].
    so_far: [usize; 5],
    /// Whether a progress line is on screen (colour mode rewrites it in place).
    progress_shown: bool,
}

/// Runs of at most this many checks print a plain-text line per check (the lines of a replay's steps).
const EVERY_LINE_UP_TO: usize = 30;
/// How many plain-text progress lines a run prints at most (one per quarter of the checks).
const PLAIN_PROGRESS_STEPS: usize = 4;
/// The width root-cause id lists are packed into.
const ID_LINE: usize = 116;
/// How many skip reasons the terminal lists before "N for M other reasons".
const SKIP_REASONS: usize = 8;

impl<W: Write + Send> TerminalSink<W> {
    /// A reporter writing to `out`, with ANSI colour when `colour` is true (see [`use_colour`]).
    pub fn new(out: W, colour: bool) -> TerminalSink<W> {
        TerminalSink { out, colour, total: 0, done: 0, so_far: [0; 5], progress_shown: false }
    }

    /// The writer back, with everything written so far.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn paint(&self, text: &str, style: Style) -> String {
        if self.colour { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }

    fn verdict_code(v: Verdict) -> Style {
        match v {
            Verdict::Pass => GREEN,
            Verdict::Fail => BOLD_RED,
            Verdict::Warn => YELLOW,
            Verdict::Skip => DIM,
            Verdict::Error => BOLD_MAGENTA,
        }
    }

    fn started(&mut self, target: &Target, checks: usize) -> std::io::Result<()> {
        self.total = checks;
        self.done = 0;
        self.so_far = [0; 5];
        let what = if target.embedded { " (embedded mock service provider)" } else { "" };
        let plural = if checks == 1 { "" } else { "s" };
        writeln!(self.out, "scimlab: {checks} check{plural} against {}{what}", visible(&target.url))
    }

    /// `53/209 checks done: 50 pass, 3 fail`.
    fn progress_text(&self) -> String {
        let width = self.total.max(self.done).to_string().len();
        let tally: Vec<String> = VERDICTS
            .iter()
            .zip(self.so_far)
            .filter(|(_, k)| *k > 0)
            .map(|(v, k)| format!("{k} {}", v.as_str()))
            .collect();
        format!("[{:>width$}/{}] {}", self.done, self.total, tally.join(", "))
    }

    /// A finished check: in colour (a terminal), a status line rewritten in place, with a line per check that
    /// did not pass above it; in plain text, a progress line per quarter of the run (a line per check in runs of
    /// at most thirty, such as a replay's steps). Details come at the end,
    /// grouped by root cause, so that the output stays short whatever the number of failures.
    fn finished_check(&mut self, c: &CheckResult) -> std::io::Result<()> {
        self.done += 1;
        self.so_far[super::common::verdict_index(c.verdict)] += 1;
        if self.colour {
            write!(self.out, "\r\u{1b}[2K")?;
            if is_problem(c.verdict) {
                let label = self.paint(&format!("{:<5}", label(c.verdict)), Self::verdict_code(c.verdict));
                writeln!(self.out, "{label} {}", visible(&c.id))?;
            }
            write!(self.out, "{}", self.progress_text())?;
            self.progress_shown = true;
            return self.out.flush();
        }
        if self.total <= EVERY_LINE_UP_TO {
            // A short run (a replay is a story of a few steps) reads best one line per step.
            let width = self.total.to_string().len();
            return writeln!(
                self.out,
                "[{:>width$}/{}] {:<5} {:>8.1} ms  {}",
                self.done,
                self.total,
                label(c.verdict),
                c.duration_ms,
                visible(&c.id)
            );
        }
        let step = self.total.div_ceil(PLAIN_PROGRESS_STEPS).max(1);
        if self.total >= 2 * PLAIN_PROGRESS_STEPS && self.done.is_multiple_of(step) && self.done < self.total {
            writeln!(self.out, "{}", self.progress_text())?;
        }
        Ok(())
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
            Verdict::Fail => BOLD_RED,
            Verdict::Warn => BOLD_YELLOW,
            _ => BOLD_MAGENTA,
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
        // A check of several requests is reproduced by all of them (its last one alone acts on data that cleanup
        // deleted): the documents hold the script, too long for a terminal.
        if c.evidence.len() > 1 {
            let note = format!(
                "a script replaying its {} requests in order (setup included) is in the HTML, Markdown and JUnit reports",
                c.evidence.len()
            );
            self.field("reproduce", &note, REPRODUCER_EXCERPT)?;
        } else if let Some(cmd) = reproducer(c) {
            self.field("reproduce", &cmd, REPRODUCER_EXCERPT)?;
        }
        Ok(())
    }

    /// The root causes, first: a headline, then per cause its level, summary, evidence, one representative in
    /// full and the ids of every check it explains, packed a few to a line.
    fn root_causes(&mut self, report: &RunReport) -> std::io::Result<()> {
        let Some(headline) = causes::headline(&report.root_causes, &report.checks) else { return Ok(()) };
        writeln!(self.out)?;
        writeln!(self.out, "{}", self.paint(&format!("Root cause: {}", visible(&headline)), BOLD))?;
        for cause in &report.root_causes {
            writeln!(self.out)?;
            let head =
                format!("{} {} ({})", cause.level.as_str(), visible(&cause.summary), cause.tally(&report.checks));
            let code = if cause.level == crate::model::Level::Must { BOLD_RED } else { BOLD_YELLOW };
            writeln!(self.out, "{}", self.paint(&head, code))?;
            if let Some(evidence) = &cause.evidence {
                self.field("evidence", evidence, VALUE_EXCERPT)?;
            }
            let ids: Vec<String> = cause.checks.iter().map(|id| visible(id)).collect();
            let mut line = String::new();
            let mut first = true;
            for id in ids {
                if !line.is_empty() && line.len() + 2 + id.len() > ID_LINE {
                    self.field(if first { "checks" } else { "" }, &line, ID_LINE + 8)?;
                    first = false;
                    line.clear();
                }
                if !line.is_empty() {
                    line.push_str("  ");
                }
                line.push_str(&id);
            }
            if !line.is_empty() {
                self.field(if first { "checks" } else { "" }, &line, ID_LINE + 8)?;
            }
            if let Some(example) = cause.shown().next().and_then(|id| report.checks.iter().find(|c| c.id == id)) {
                writeln!(
                    self.out,
                    "  {:<12} {} (the JSON and HTML reports hold every check's evidence)",
                    "for example",
                    visible(&example.id)
                )?;
                self.problem(example)?;
            }
        }
        Ok(())
    }

    /// Skip reasons with their counts, most frequent first.
    fn skips(&mut self, report: &RunReport) -> std::io::Result<()> {
        let mut reasons: Vec<(&str, usize)> = Vec::new();
        for c in report.checks.iter().filter(|c| c.verdict == Verdict::Skip) {
            let reason = c.reason.as_deref().unwrap_or("no reason given");
            match reasons.iter_mut().find(|(r, _)| *r == reason) {
                Some((_, n)) => *n += 1,
                None => reasons.push((reason, 1)),
            }
        }
        if reasons.is_empty() {
            return Ok(());
        }
        reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
        let total: usize = reasons.iter().map(|r| r.1).sum();
        writeln!(self.out)?;
        writeln!(self.out, "{}", self.paint(&format!("Skipped: {total} check{}, by reason:", plural(total)), BOLD))?;
        let width = total.to_string().len();
        let shown = if reasons.len() <= SKIP_REASONS + 1 { reasons.len() } else { SKIP_REASONS };
        for (reason, n) in &reasons[..shown] {
            writeln!(self.out, "  {n:>width$}  {}", visible(&excerpt(reason, VALUE_EXCERPT)))?;
        }
        let rest: usize = reasons[shown..].iter().map(|r| r.1).sum();
        if rest > 0 {
            writeln!(
                self.out,
                "  {rest:>width$}  for {} other reasons (the JSON report has each)",
                reasons.len() - shown
            )?;
        }
        Ok(())
    }

    fn finished_run(&mut self, report: &RunReport) -> std::io::Result<()> {
        if self.progress_shown {
            write!(self.out, "\r\u{1b}[2K")?;
            self.progress_shown = false;
        }
        self.root_causes(report)?;
        let problems: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| is_problem(c.verdict) && causes::cause_of(&report.root_causes, &c.id).is_none())
            .collect();
        if !problems.is_empty() {
            writeln!(self.out)?;
            let title = if report.root_causes.is_empty() {
                "Failures, warnings and errors:"
            } else {
                "Other failures, warnings and errors:"
            };
            writeln!(self.out, "{}", self.paint(title, BOLD))?;
            for c in problems {
                self.problem(c)?;
            }
        }
        self.skips(report)?;
        writeln!(self.out)?;
        let n = counts(&report.checks);
        let by_verdict: Vec<String> = VERDICTS
            .iter()
            .zip(n)
            .map(|(v, k)| {
                let text = format!("{k} {}", v.as_str());
                if k > 0 && *v != Verdict::Pass && *v != Verdict::Skip { self.paint(&text, BOLD) } else { text }
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
        let result = report.result();
        let code = match result {
            RunResult::Passed | RunResult::NoRegression { .. } => BOLD_GREEN,
            RunResult::Failed { .. } => BOLD_RED,
            RunResult::NotExercised(_) | RunResult::Incomplete { .. } | RunResult::Interrupted(_) => BOLD_MAGENTA,
        };
        let word = self.paint(result.word(), code);
        match result.why() {
            Some(why) => writeln!(self.out, "Result: {word} ({})", visible(&why))?,
            None => writeln!(self.out, "Result: {word}")?,
        }
        for line in report.readiness() {
            let text = line.to_string();
            let text = if line.ready() { self.paint(&text, GREEN) } else { text };
            writeln!(self.out, "{}", visible(&text))?;
        }
        self.out.flush()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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

/// The whole report as plain text, as the terminal reporter prints it at the end of a run (without the progress
/// lines of the run itself).
pub fn render_text(report: &RunReport) -> String {
    let mut sink = TerminalSink::new(Vec::new(), false);
    let mut write = || -> std::io::Result<()> {
        sink.started(&report.target, report.checks.len())?;
        sink.finished_run(report)
    };
    // Writing to a Vec cannot fail.
    let _ = write();
    String::from_utf8_lossy(&sink.into_inner()).into_owned()
}
