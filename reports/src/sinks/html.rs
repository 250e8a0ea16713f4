//! The HTML reporter: one self-contained file (inline CSS, a few lines of plain JavaScript, no external assets)
//! with the result and the IdP readiness lines, the root causes (each with the ids of the checks it explains),
//! the failures, warnings and errors in full (a few representatives per root cause, every unexplained one),
//! summaries by section and by level with problem rows highlighted, verdict filter checkboxes, and every check as
//! a collapsible block with its requirement, verdict, expected / actual, reason, reproducer and evidence (requests
//! and responses with headers and pretty-printed JSON bodies, numbered within the check).
//!
//! The page stays small whatever the run: a check shows its last [`EXCHANGES_MAX`] exchanges, bodies are cut
//! (shorter for passing checks), all bodies together stay within [`EVIDENCE_BUDGET`], and a check a root cause
//! explains carries no evidence of its own. The JSON report keeps everything.
//!
//! The page is a minijinja template, `templates/report.html`, compiled in with `include_str!`; users may restyle
//! it with [`HtmlSink::with_template`] (`--template FILE`). The template receives the view built here (see
//! [`HtmlView`]; every field is plain data) and is always rendered with HTML auto-escaping, whatever the template
//! file is called, so server text (bodies, headers, URLs) can never become markup.

use super::common::{
    LEVELS, VERDICTS, by_section, counts, fmt_ms, is_problem, label, request_line, shown_body, status_text, truncate,
    verdict_index,
};
use super::output::Output;
use crate::causes::RootCause;
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunReport, Verdict};
use minijinja::{AutoEscape, Environment};
use scimlab_protocol::exchange::Exchange;
use serde::Serialize;
use std::path::Path;

/// The built-in template.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/report.html");

/// The longest body shown in the page, for a failure, warning or error (bytes; a longer one is cut with a note of
/// its full size).
pub const BODY_MAX: usize = 16 * 1024;
/// The longest expected / actual / reason / reproducer / request line shown in the page.
pub const VALUE_MAX: usize = 64 * 1024;

/// What the template sees: the report, flattened into display strings and counts.
#[derive(Debug, Serialize)]
pub struct HtmlView {
    /// `conformance`, `replay` or `load`.
    pub kind: String,
    /// `passed`, `FAILED`, `NOT EXERCISED` or `INCOMPLETE` ([`RunReport::result`]).
    pub result: &'static str,
    /// Why, in words (empty for a pass): the same words as the terminal's `Result:` line.
    pub result_why: String,
    /// One line per IdP: `Microsoft Entra ID: ready`, `Okta: 3 blocking problems (...)`.
    pub readiness: Vec<ReadinessView>,
    /// `1 root cause explains 62 failures: the server ignores filter`, when there are root causes.
    pub root_cause_headline: Option<String>,
    /// The root causes, MUST first.
    pub root_causes: Vec<CauseView>,
    /// The failures, warnings and errors shown in full, before everything else: the representatives of each root
    /// cause, then every problem no cause explains.
    pub problems: Vec<CheckView>,
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
    /// The checks, grouped by section. A problem shown in full in `problems` is a summary line here
    /// (`details` false), and the evidence of passing checks is cut shorter, within the page's budget.
    pub sections: Vec<SectionView>,
    /// Whether some evidence was left out to keep the page small (the JSON report has all of it).
    pub evidence_trimmed: bool,
    /// A load run's verdicts (thresholds, and what the run set out to do), one row each; empty for other runs.
    pub verdict_rows: Vec<VerdictRow>,
    /// The load run in one line (scenario, persona, run id, shards, window), if the report has load results.
    pub load: Option<String>,
    /// What the load run created, read back and cleaned up, and its errors by scimType, one line each.
    pub load_notes: Vec<String>,
    /// The load results' operations, one row each (see [`super::charts`]).
    pub load_rows: Vec<super::charts::LoadRow>,
    /// The load results' charts, as inline SVG built from numbers and escaped text only ([`super::charts`]).
    pub load_charts: Vec<String>,
}

/// One check of a load run as a table row.
#[derive(Debug, Serialize)]
pub struct VerdictRow {
    /// `pass`, `fail`...
    pub verdict: &'static str,
    /// `PASS`, `FAIL`...
    pub label: &'static str,
    /// The check's id, e.g. `load/threshold/p99<500ms`.
    pub id: String,
    /// The rule.
    pub expected: String,
    /// What was measured.
    pub actual: String,
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

/// One IdP's readiness line.
#[derive(Debug, Serialize)]
pub struct ReadinessView {
    /// The whole line.
    pub line: String,
    /// Whether the server is ready for the IdP.
    pub ready: bool,
    /// `ready`, `blocked`, `unjudged` or `untested`, for colouring.
    pub state: &'static str,
}

/// One root cause, ready to show.
#[derive(Debug, Serialize)]
pub struct CauseView {
    /// `MUST`, `SHOULD` or `MAY`.
    pub level: &'static str,
    /// Its kind, e.g. `filter-ignored`.
    pub kind: String,
    /// The cause in a few words.
    pub summary: String,
    /// `62 failures and 3 warnings`.
    pub tally: String,
    /// What shows it.
    pub evidence: Option<String>,
    /// The checks it explains: id, verdict name and label, and whether its details are shown in full.
    pub checks: Vec<CauseCheck>,
}

/// A check a root cause explains.
#[derive(Debug, Serialize)]
pub struct CauseCheck {
    /// Its id.
    pub id: String,
    /// `fail`, `warn`...
    pub verdict: &'static str,
    /// `FAIL`, `WARN`...
    pub label: &'static str,
    /// Whether its details are shown in full (a representative).
    pub representative: bool,
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
    /// The most serious verdict in the row (`fail`, `error`, `warn`, then `pass`, `skip`), for colouring;
    /// empty for an empty row.
    pub worst: &'static str,
}

/// The checks of one section.
#[derive(Debug, Serialize)]
pub struct SectionView {
    /// The section.
    pub name: String,
    /// How many of its checks failed, warned or erred (a section with none is shown collapsed).
    pub problems: usize,
    /// The most serious verdict in it (`fail`, `error`, `warn`, `pass` or `skip`), for colouring.
    pub worst: &'static str,
    /// `12 pass, 1 fail`.
    pub tally: String,
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
    /// Whether this view shows the check's details (false for a problem listed in full in `problems`, or for a
    /// check a root cause explains and whose evidence is shown by its representatives).
    pub details: bool,
    /// Whether its details are shown in full in `problems` (this view then links there).
    pub shown_above: bool,
    /// The summary of the root cause that explains it, if any.
    pub explained_by: Option<String>,
    /// What evidence was left out, e.g. `316 earlier exchanges are in the JSON report`.
    pub evidence_note: Option<String>,
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
    /// Its number within the check, from 1 (the recorded sequence number is often the same for every check).
    pub n: usize,
    /// Its number: the recorded sequence number, or its position when the run left the evidence unnumbered.
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

/// The text from the run the page may hold in all: bodies, values, reproducers (bytes before escaping). A report
/// with hundreds of checks and long list answers weighed tens of megabytes; past the budget, bodies are left out
/// and values cut to [`VALUE_FLOOR`], with a note (the JSON keeps them whole).
pub const EVIDENCE_BUDGET: usize = 900_000;
/// What a value is cut to once the budget is spent, or for a check whose details are not shown.
const VALUE_FLOOR: usize = 300;
/// The longest body shown for a check that passed.
const PASS_BODY_MAX: usize = 2 * 1024;
/// The most exchanges shown for one check (its last ones, which its verdict rests on).
const EXCHANGES_MAX: usize = 8;

/// What is left of [`EVIDENCE_BUDGET`], and whether anything was left out.
struct Budget {
    left: usize,
    trimmed: bool,
}

impl Budget {
    /// A value (expected, actual, reason, reproducer), at most `max` bytes while the budget lasts.
    fn value(&mut self, v: Option<&str>, max: usize) -> Option<String> {
        let v = v?;
        let max = if self.left == 0 { VALUE_FLOOR } else { max.min(self.left).max(VALUE_FLOOR) };
        if v.len() > max && max == VALUE_FLOOR {
            self.trimmed = true;
        }
        let shown = truncate(v, max);
        self.left = self.left.saturating_sub(shown.len());
        Some(shown)
    }

    fn body(&mut self, b: Option<&str>, max: usize) -> Option<String> {
        let b = b.filter(|b| !b.is_empty())?;
        if self.left == 0 {
            self.trimmed = true;
            return Some(format!("[{} bytes left out to keep this page small; the JSON report has them]", b.len()));
        }
        let shown = shown_body(b, max.min(self.left));
        self.left = self.left.saturating_sub(shown.len());
        Some(shown)
    }
}

fn exchange_view(n: usize, id: u64, x: &Exchange, budget: &mut Budget, max: usize) -> ExchangeView {
    ExchangeView {
        n,
        id,
        request_line: value(&request_line(x)),
        request_headers: x.request.headers.clone(),
        request_body: budget.body(x.request.body.as_deref(), max),
        status: status_text(x),
        has_response: x.response.is_some(),
        response_headers: x.response.as_ref().map(|r| r.headers.clone()).unwrap_or_default(),
        response_body: budget.body(x.response.as_ref().and_then(|r| r.body.as_deref()), max),
        duration: fmt_ms(x.timings.total_us as f64 / 1000.0),
    }
}

/// The view of a check. `details` says whether its evidence is shown here; `cause` is the root cause that
/// explains it.
fn check_view(
    c: &CheckResult,
    details: bool,
    shown_above: bool,
    cause: Option<&RootCause>,
    budget: &mut Budget,
) -> CheckView {
    let problem = is_problem(c.verdict);
    let max = if problem { BODY_MAX } else { PASS_BODY_MAX };
    let value_max = if details { VALUE_MAX } else { VALUE_FLOOR };
    let (evidence, evidence_note) = if details {
        let skip = c.evidence.len().saturating_sub(EXCHANGES_MAX);
        // Unnumbered evidence (the harness leaves every id at 0) is numbered as the JSON report numbers it.
        let numbered = c.evidence_numbered();
        let shown = c
            .evidence
            .iter()
            .enumerate()
            .skip(skip)
            .map(|(i, x)| exchange_view(i + 1, if numbered { x.id } else { i as u64 + 1 }, x, budget, max))
            .collect();
        let note = (skip > 0).then(|| {
            format!("{skip} earlier exchange{} of this check are in the JSON report", if skip == 1 { "" } else { "s" })
        });
        (shown, note)
    } else if !c.evidence.is_empty() && cause.is_some() && !shown_above {
        (
            Vec::new(),
            Some("its evidence is like that of the root cause's representatives; the JSON report has it".to_owned()),
        )
    } else {
        (Vec::new(), None)
    };
    CheckView {
        id: c.id.clone(),
        level: c.level.as_str(),
        tags: c.tags.join(", "),
        profiles: c.profiles.join(", "),
        requirement: c.requirement.clone(),
        verdict: c.verdict.as_str(),
        label: label(c.verdict),
        problem,
        details,
        shown_above,
        explained_by: cause.map(|k| k.summary.clone()),
        evidence_note,
        duration: fmt_ms(c.duration_ms),
        reason: budget.value(c.reason.as_deref(), value_max),
        expected: budget.value(c.expected.as_deref(), value_max),
        actual: budget.value(c.actual.as_deref(), value_max),
        // A passing check shows its own reproducer only; the curl of its last exchange is noise there. A check
        // shown elsewhere or explained by a root cause needs none here.
        reproducer: if !details {
            None
        } else if problem {
            budget.value(super::problem_reproducer(c).as_deref(), value_max)
        } else {
            budget.value(c.reproducer.as_deref(), value_max)
        },
        evidence,
    }
}

fn row(name: String, n: [usize; 5]) -> CountRow {
    let worst = [Verdict::Fail, Verdict::Error, Verdict::Warn, Verdict::Pass, Verdict::Skip]
        .into_iter()
        .find(|v| n[verdict_index(*v)] > 0)
        .map_or("", Verdict::as_str);
    CountRow { name, counts: n.to_vec(), total: n.iter().sum(), worst }
}

impl HtmlView {
    /// The view of `report`.
    pub fn of(report: &RunReport) -> HtmlView {
        let n = counts(&report.checks);
        let groups = by_section(&report.checks);
        let mut budget = Budget { left: EVIDENCE_BUDGET, trimmed: false };
        let causes = &report.root_causes;
        let cause_of = |id: &str| crate::causes::cause_of(causes, id);
        let representative = |id: &str| cause_of(id).is_some_and(|k| k.shown().any(|r| r == id));
        // Problems first: each cause's representatives, then what no cause explains.
        let mut problems: Vec<&CheckResult> = Vec::new();
        for k in causes {
            problems.extend(k.shown().filter_map(|id| report.checks.iter().find(|c| c.id == id)));
        }
        problems.extend(report.checks.iter().filter(|c| is_problem(c.verdict) && cause_of(&c.id).is_none()));
        let problems: Vec<CheckView> =
            problems.into_iter().map(|c| check_view(c, true, false, cause_of(&c.id), &mut budget)).collect();
        let sections = groups
            .iter()
            .map(|(s, cs)| SectionView {
                name: (*s).to_owned(),
                problems: cs.iter().filter(|c| is_problem(c.verdict)).count(),
                worst: row(String::new(), counts(cs.iter().copied())).worst,
                tally: {
                    let n = counts(cs.iter().copied());
                    let parts: Vec<String> = VERDICTS
                        .iter()
                        .zip(n)
                        .filter(|(_, k)| *k > 0)
                        .map(|(v, k)| format!("{k} {}", v.as_str()))
                        .collect();
                    parts.join(", ")
                },
                checks: cs
                    .iter()
                    .map(|c| {
                        let listed_above =
                            is_problem(c.verdict) && (cause_of(&c.id).is_none() || representative(&c.id));
                        let details = !listed_above && cause_of(&c.id).is_none();
                        check_view(c, details, listed_above, cause_of(&c.id), &mut budget)
                    })
                    .collect(),
            })
            .collect();
        let result = report.result();
        HtmlView {
            kind: serde_json::to_value(report.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            result: result.word(),
            result_why: result.why().unwrap_or_default(),
            readiness: report
                .readiness()
                .into_iter()
                .map(|r| ReadinessView {
                    line: r.to_string(),
                    ready: r.ready(),
                    state: match r.state {
                        crate::readiness::ReadinessState::Ready => "ready",
                        crate::readiness::ReadinessState::Blocked(_) => "blocked",
                        crate::readiness::ReadinessState::Unjudged(_) => "unjudged",
                        crate::readiness::ReadinessState::NotTested(_) => "untested",
                    },
                })
                .collect(),
            root_cause_headline: crate::causes::headline(causes, &report.checks),
            root_causes: causes
                .iter()
                .map(|k| CauseView {
                    level: k.level.as_str(),
                    kind: serde_json::to_value(k.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    summary: k.summary.clone(),
                    tally: k.tally(&report.checks),
                    evidence: k.evidence.as_deref().map(value),
                    checks: k
                        .checks
                        .iter()
                        .map(|id| {
                            let verdict =
                                report.checks.iter().find(|c| &c.id == id).map_or(Verdict::Fail, |c| c.verdict);
                            CauseCheck {
                                id: id.clone(),
                                verdict: verdict.as_str(),
                                label: label(verdict),
                                representative: k.shown().any(|r| r == id),
                            }
                        })
                        .collect(),
                })
                .collect(),
            problems,
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
            sections,
            evidence_trimmed: budget.trimmed,
            verdict_rows: if report.kind == crate::model::RunKind::Load {
                report
                    .checks
                    .iter()
                    .map(|c| VerdictRow {
                        verdict: c.verdict.as_str(),
                        label: label(c.verdict),
                        id: c.id.clone(),
                        expected: c.expected.as_deref().map(value).unwrap_or_default(),
                        actual: c.actual.as_deref().map(|a| truncate(a, VALUE_FLOOR * 4)).unwrap_or_default(),
                    })
                    .collect()
            } else {
                Vec::new()
            },
            load: report.load.as_ref().map(super::charts::load_line),
            load_notes: report.load.as_ref().map(super::charts::load_notes).unwrap_or_default(),
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
