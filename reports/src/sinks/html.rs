//! The HTML reporter: one self-contained file (inline CSS, a few lines of plain JavaScript, no external assets)
//! with the result, summaries by section and by level, verdict filter checkboxes, and every check as a
//! collapsible block with its requirement, verdict, expected / actual, reason, reproducer and evidence (requests
//! and responses with headers and pretty-printed JSON bodies).
//!
//! The page is a minijinja template, `templates/report.html`, compiled in with `include_str!`; users may restyle
//! it with [`HtmlSink::with_template`] (`--template FILE`). The template receives the view built here (see
//! [`HtmlView`]; every field is plain data) and is always rendered with HTML auto-escaping, whatever the template
//! file is called, so server text (bodies, headers, URLs) can never become markup. Bodies longer than
//! [`BODY_MAX`] are cut short so a run with huge responses still opens in a browser.

use super::common::{
    LEVELS, VERDICTS, by_section, counts, fmt_ms, is_problem, label, reproducer, request_line, shown_body, status_text,
    truncate, verdict_index,
};
use super::output::Output;
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunReport, Verdict};
use minijinja::{AutoEscape, Environment};
use scimlab_protocol::exchange::Exchange;
use serde::Serialize;
use std::path::Path;

/// The built-in template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/report.html");

/// The longest body shown in the page (bytes; a longer one is cut with a note of its full size).
pub const BODY_MAX: usize = 64 * 1024;
/// The longest expected / actual / reason / reproducer / request line shown in the page.
pub const VALUE_MAX: usize = 64 * 1024;

/// What the template sees: the report, flattened into display strings and counts.
#[derive(Debug, Serialize)]
pub struct HtmlView {
    /// `conformance`, `replay` or `load`.
    pub kind: String,
    /// `passed`, `FAILED` or `INCOMPLETE`.
    pub result: &'static str,
    /// The report's format version.
    pub version: u32,
    /// scimlab's version.
    pub tool_version: String,
    /// When the run started.
    pub started_at: String,
    /// Wall time, for people.
    pub duration: String,
    /// The target's URL.
    pub target: String,
    /// Whether the target was the embedded mock SP.
    pub embedded: bool,
    /// Profiles, comma-separated.
    pub profiles: String,
    /// Whether the run was strict.
    pub strict: bool,
    /// The run's seed.
    pub seed: u64,
    /// Count per verdict, in display order.
    pub verdicts: Vec<VerdictCount>,
    /// Verdict names (lowercase) in display order, for table headers.
    pub verdict_names: Vec<&'static str>,
    /// A row per section: counts by verdict.
    pub section_rows: Vec<CountRow>,
    /// A row per level: counts by verdict.
    pub level_rows: Vec<CountRow>,
    /// The checks, grouped by section.
    pub sections: Vec<SectionView>,
    /// The load results, pretty JSON, if any.
    pub load: Option<String>,
    /// The load results' operations, one row each (see [`super::charts`]).
    pub load_rows: Vec<super::charts::LoadRow>,
    /// The load results' charts, as inline SVG built from numbers and escaped text only ([`super::charts`]).
    pub load_charts: Vec<String>,
}

/// One verdict and how many checks got it.
#[derive(Debug, Serialize)]
pub struct VerdictCount {
    /// `pass`, `fail`...
    pub name: &'static str,
    /// `PASS`, `FAIL`...
    pub label: &'static str,
    /// How many.
    pub count: usize,
}

/// A summary row.
#[derive(Debug, Serialize)]
pub struct CountRow {
    /// The section or level.
    pub name: String,
    /// Counts, in the order of `verdict_names`.
    pub counts: Vec<usize>,
    /// Their sum.
    pub total: usize,
}

/// The checks of one section.
#[derive(Debug, Serialize)]
pub struct SectionView {
    /// The section.
    pub name: String,
    /// Its checks, in report order.
    pub checks: Vec<CheckView>,
}

/// One check, ready to show.
#[derive(Debug, Serialize)]
pub struct CheckView {
    /// Its id.
    pub id: String,
    /// `MUST`, `SHOULD` or `MAY`.
    pub level: &'static str,
    /// Its tags, comma-separated.
    pub tags: String,
    /// Its profiles, comma-separated.
    pub profiles: String,
    /// The requirement.
    pub requirement: String,
    /// `pass`, `fail`...
    pub verdict: &'static str,
    /// `PASS`, `FAIL`...
    pub label: &'static str,
    /// Whether it is a fail, warn or error (open by default).
    pub problem: bool,
    /// Its wall time, for people.
    pub duration: String,
    /// Why.
    pub reason: Option<String>,
    /// What was expected.
    pub expected: Option<String>,
    /// What happened.
    pub actual: Option<String>,
    /// The command that reproduces it (for a fail, warn or error without one: the curl of its last exchange).
    pub reproducer: Option<String>,
    /// Its exchanges.
    pub evidence: Vec<ExchangeView>,
}

/// One exchange, ready to show.
#[derive(Debug, Serialize)]
pub struct ExchangeView {
    /// Sequence number.
    pub id: u64,
    /// `METHOD URL`.
    pub request_line: String,
    /// Request headers, `[name, value]`.
    pub request_headers: Vec<(String, String)>,
    /// The request body, pretty when JSON.
    pub request_body: Option<String>,
    /// The status code, or `no response (...)`.
    pub status: String,
    /// Whether a response arrived.
    pub has_response: bool,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body, pretty when JSON.
    pub response_body: Option<String>,
    /// How long it took, for people.
    pub duration: String,
}

/// A value for the page, cut at [`VALUE_MAX`] with a note of its full size.
fn value(v: &str) -> String {
    truncate(v, VALUE_MAX)
}

fn body(b: Option<&str>) -> Option<String> {
    b.filter(|b| !b.is_empty()).map(|b| shown_body(b, BODY_MAX))
}

fn exchange_view(x: &Exchange) -> ExchangeView {
    ExchangeView {
        id: x.id,
        request_line: value(&request_line(x)),
        request_headers: x.request.headers.clone(),
        request_body: body(x.request.body.as_deref()),
        status: status_text(x),
        has_response: x.response.is_some(),
        response_headers: x.response.as_ref().map(|r| r.headers.clone()).unwrap_or_default(),
        response_body: body(x.response.as_ref().and_then(|r| r.body.as_deref())),
        duration: fmt_ms(x.timings.total_us as f64 / 1000.0),
    }
}

fn check_view(c: &CheckResult) -> CheckView {
    CheckView {
        id: c.id.clone(),
        level: c.level.as_str(),
        tags: c.tags.join(", "),
        profiles: c.profiles.join(", "),
        requirement: c.requirement.clone(),
        verdict: c.verdict.as_str(),
        label: label(c.verdict),
        problem: is_problem(c.verdict),
        duration: fmt_ms(c.duration_ms),
        reason: c.reason.as_deref().map(value),
        expected: c.expected.as_deref().map(value),
        actual: c.actual.as_deref().map(value),
        // A passing check shows its own reproducer only; the curl of its last exchange is noise there.
        reproducer: if is_problem(c.verdict) { reproducer(c) } else { c.reproducer.clone() }.as_deref().map(value),
        evidence: c.evidence.iter().map(exchange_view).collect(),
    }
}

fn row(name: String, n: [usize; 5]) -> CountRow {
    CountRow { name, counts: n.to_vec(), total: n.iter().sum() }
}

impl HtmlView {
    /// The view of `report`.
    pub fn of(report: &RunReport) -> HtmlView {
        let n = counts(&report.checks);
        let groups = by_section(&report.checks);
        HtmlView {
            kind: serde_json::to_value(report.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            result: if report.failed() {
                "FAILED"
            } else if n[verdict_index(Verdict::Error)] > 0 {
                "INCOMPLETE"
            } else {
                "passed"
            },
            version: report.version,
            tool_version: report.tool_version.clone(),
            started_at: report.started_at.clone(),
            duration: fmt_ms(report.duration_ms),
            target: report.target.url.clone(),
            embedded: report.target.embedded,
            profiles: report.profiles.join(", "),
            strict: report.strict,
            seed: report.seed,
            verdicts: VERDICTS
                .iter()
                .zip(n)
                .map(|(v, count)| VerdictCount { name: v.as_str(), label: label(*v), count })
                .collect(),
            verdict_names: VERDICTS.map(Verdict::as_str).to_vec(),
            section_rows: groups.iter().map(|(s, cs)| row((*s).to_owned(), counts(cs.iter().copied()))).collect(),
            level_rows: LEVELS
                .iter()
                .map(|l| row(l.as_str().to_owned(), counts(report.checks.iter().filter(|c| c.level == *l))))
                .filter(|r| r.total > 0)
                .collect(),
            sections: groups
                .into_iter()
                .map(|(s, cs)| SectionView { name: s.to_owned(), checks: cs.into_iter().map(check_view).collect() })
                .collect(),
            load: report.load.as_ref().map(|l| serde_json::to_string_pretty(l).unwrap_or_default()),
            load_rows: report.load.as_ref().map(super::charts::load_rows).unwrap_or_default(),
            load_charts: report.load.as_ref().map(super::charts::load_charts).unwrap_or_default(),
        }
    }
}

/// Renders `report` with `template` (the template's source; `name` names it in errors).
pub fn render_html_with(report: &RunReport, template: &str, name: &str) -> Result<String, ReportError> {
    let fail = |e: minijinja::Error| ReportError::Template { path: name.to_owned(), reason: format!("{e:#}") };
    let mut env = Environment::new();
    // Escape everything, whatever the template's file name says: the view holds text from the server.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("report", template).map_err(fail)?;
    let tmpl = env.get_template("report").map_err(fail)?;
    tmpl.render(minijinja::value::Serde(HtmlView::of(report))).map_err(fail)
}

/// Renders `report` with the built-in template.
pub fn render_html(report: &RunReport) -> Result<String, ReportError> {
    render_html_with(report, DEFAULT_TEMPLATE, "built-in")
}

/// Writes the report as one HTML page at the end of the run.
#[derive(Debug)]
pub struct HtmlSink {
    output: Output,
    template: Option<(String, String)>,
}

impl HtmlSink {
    /// A reporter writing to `output` with the built-in template.
    pub fn new(output: Output) -> HtmlSink {
        HtmlSink { output, template: None }
    }

    /// Uses the minijinja template at `path` instead of the built-in one (start from
    /// `reports/templates/report.html`). The file is read now, so a bad path fails before the run.
    pub fn with_template(mut self, path: impl AsRef<Path>) -> Result<HtmlSink, ReportError> {
        let path = path.as_ref();
        let source = std::fs::read_to_string(path)
            .map_err(|e| ReportError::Template { path: path.display().to_string(), reason: e.to_string() })?;
        self.template = Some((path.display().to_string(), source));
        Ok(self)
    }

    /// The page for `report`.
    pub fn render(&self, report: &RunReport) -> Result<String, ReportError> {
        match &self.template {
            Some((name, source)) => render_html_with(report, source, name),
            None => render_html(report),
        }
    }
}

impl Sink for HtmlSink {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { .. } => Ok(()),
            Event::CheckFinished(_) => Ok(()),
            Event::RunFinished(report) => {
                let text = self.render(report)?;
                self.output.write_document(&text)
            }
        }
    }
}
