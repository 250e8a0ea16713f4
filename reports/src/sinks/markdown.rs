//! The Markdown reporter, shaped for a CI step summary (GitHub's `$GITHUB_STEP_SUMMARY`, GitLab and others):
//! the result (with the exit rule's words), a table by verdict, a table by section, the root causes (each with
//! the ids of the checks it explains, collapsed), the details of a few representatives per root cause and of every
//! other failure, warning and error, a collapsed table per section listing every check with a plain PASS / FAIL
//! marker, and at the end the result again and one readiness line per IdP.
//!
//! GitHub refuses step summaries over 1 MiB, so the document is kept under [`MAX_BYTES`]: bodies, values and
//! reproducers are cut short, only the last exchange of a check is shown, details stop when their budget is spent
//! (the remaining problems are still listed, one line each), and when the full per-section tables would not fit
//! they list only the checks that did not pass. Text from the server is escaped for Markdown and HTML, and code
//! blocks are fenced with more backticks than the text holds, so a body cannot break out of its block.

use super::common::{
    LEVELS, VERDICTS, by_section, counts, fmt_ms, is_problem, label, request_line, shown_body, status_text, truncate,
    visible,
};
use super::output::Output;
use crate::causes::cause_of;
use crate::event::{Event, Sink};
use crate::model::{CheckResult, ReportError, RunKind, RunReport, Verdict};
use scimlab_protocol::exchange::Exchange;
use std::fmt::Write as _;

/// The most the document may weigh, below GitHub's 1 MiB limit with room for other steps' output.
pub const MAX_BYTES: usize = 900_000;
/// What the details of failures may take of it.
const DETAILS_BUDGET: usize = 500_000;
/// What the one-line entries of problems whose details did not fit may take.
const LEFT_OUT_BUDGET: usize = 100_000;
/// The longest body shown.
const BODY_MAX: usize = 2_000;
/// The longest expected / actual / reason value shown.
const VALUE_MAX: usize = 2_000;
/// The longest reproducer shown.
const REPRODUCER_MAX: usize = 4_000;

/// Escapes text for a line of Markdown (inline): markup characters get a backslash, `<`, `>` and `&` become
/// entities, line breaks become spaces, control characters become visible.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in visible(text).chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Text as an inline code span, or escaped text when it holds what a code span cannot (backticks, pipes, breaks).
fn code(text: &str) -> String {
    if text.contains(['`', '|', '\n', '\r']) || text.chars().any(char::is_control) {
        inline(text)
    } else {
        format!("`{text}`")
    }
}

/// A fenced code block, fenced with more backticks than any run inside `text`.
fn fenced(lang: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", visible(text).trim_end_matches('\n'))
}

/// HTML-escapes text for a `<summary>` element.
fn html(text: &str) -> String {
    visible(text).replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A `name: value` item: inline when short and on one line, a fenced block otherwise.
fn value_item(out: &mut String, name: &str, value: &str) {
    let value = truncate(value, VALUE_MAX);
    if value.contains('\n') || value.len() > 200 {
        let _ = write!(out, "- **{name}:**\n\n{}\n", fenced("text", &value));
    } else {
        let _ = writeln!(out, "- **{name}:** {}", inline(&value));
    }
}

fn message(headers: &[(String, String)], body: Option<&str>, first_line: &str) -> String {
    let mut text = format!("{first_line}\n");
    for (name, value) in headers {
        let _ = writeln!(text, "{name}: {value}");
    }
    if let Some(b) = body.filter(|b| !b.is_empty()) {
        text.push('\n');
        text.push_str(&shown_body(b, BODY_MAX));
    }
    text
}

/// Exchange `n` of a check's `of`, collapsed.
fn exchange_block(out: &mut String, x: &Exchange, n: usize, of: usize) {
    let line = truncate(&request_line(x), VALUE_MAX);
    let _ = write!(
        out,
        "<details><summary>Evidence #{n} of {of}: {} &rarr; {}</summary>\n\n",
        html(&line),
        html(&status_text(x))
    );
    out.push_str(&fenced("http", &message(&x.request.headers, x.request.body.as_deref(), &line)));
    if let Some(r) = &x.response {
        out.push('\n');
        out.push_str(&fenced("http", &message(&r.headers, r.body.as_deref(), &format!("HTTP {}", r.status))));
    }
    out.push_str("\n</details>\n");
}

fn problem_details(c: &CheckResult) -> String {
    let mut out =
        format!("#### {} {} ({}, {})\n\n", label(c.verdict), code(&c.id), c.level.as_str(), inline(&c.section));
    let _ = writeln!(out, "> {}\n", inline(&c.requirement));
    for (name, value) in [("expected", &c.expected), ("actual", &c.actual), ("reason", &c.reason)] {
        if let Some(v) = value {
            value_item(&mut out, name, v);
        }
    }
    if let Some(cmd) = super::problem_reproducer(c) {
        let _ = write!(out, "\nReproduce:\n\n{}", fenced("sh", &truncate(&cmd, REPRODUCER_MAX)));
    }
    if let Some(x) = c.evidence.last() {
        out.push('\n');
        exchange_block(&mut out, x, c.evidence.len(), c.evidence.len());
    }
    out.push('\n');
    out
}

fn count_row(name: &str, n: [usize; 5]) -> String {
    let cells: Vec<String> = n.iter().map(usize::to_string).collect();
    format!("| {name} | {} | {} |\n", cells.join(" | "), n.iter().sum::<usize>())
}

fn section_tables(report: &RunReport, all_rows: bool) -> String {
    let mut out = String::new();
    for (section, checks) in by_section(&report.checks) {
        let n = counts(checks.iter().copied());
        let tally: Vec<String> =
            VERDICTS.iter().zip(n).filter(|(_, k)| *k > 0).map(|(v, k)| format!("{k} {}", v.as_str())).collect();
        let _ = write!(out, "<details><summary>{}: {}</summary>\n\n", html(section), tally.join(", "));
        out.push_str("| verdict | level | check | time |\n|---|---|---|---:|\n");
        let mut hidden = 0;
        for c in checks {
            if !all_rows && c.verdict == Verdict::Pass {
                hidden += 1;
                continue;
            }
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                label(c.verdict),
                c.level.as_str(),
                code(&c.id),
                fmt_ms(c.duration_ms)
            );
        }
        if hidden > 0 {
            let _ = writeln!(out, "\n{hidden} passing checks not listed (size limit).");
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

/// The report as Markdown, under [`MAX_BYTES`].
pub fn render_markdown(report: &RunReport) -> String {
    let mut out = String::new();
    let result = report.result();
    let kind = serde_json::to_value(report.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    let _ = writeln!(out, "## scimlab {kind}: {}\n", result.word());
    let embedded = if report.target.embedded { " (embedded mock service provider)" } else { "" };
    let _ = writeln!(
        out,
        "{} checks against {}{embedded} in {}. Profiles: {}. Strict: {}. Seed: {}. scimlab {}, started {}.\n",
        report.checks.len(),
        code(&report.target.url),
        fmt_ms(report.duration_ms),
        inline(&report.profiles.join(", ")),
        if report.strict { "yes" } else { "no" },
        report.seed,
        inline(&report.tool_version),
        inline(&report.started_at),
    );

    if let Some(why) = result.why() {
        let _ = writeln!(out, "**Result: {}** ({})\n", result.word(), inline(&why));
    }
    if report.kind == RunKind::Load {
        verdict_table(&mut out, report);
    }

    out.push_str("| verdict | checks |\n|---|---:|\n");
    let n = counts(&report.checks);
    for (v, k) in VERDICTS.iter().zip(n) {
        let _ = writeln!(out, "| {} | {k} |", label(*v));
    }
    out.push('\n');

    let header = format!("| {} | total |\n|---|{}---:|\n", VERDICTS.map(label).join(" | "), "---:|".repeat(5));
    let _ = write!(out, "### By section\n\n| section {header}");
    for (section, checks) in by_section(&report.checks) {
        out.push_str(&count_row(&inline(section), counts(checks.iter().copied())));
    }
    let _ = write!(out, "\n### By level\n\n| level {header}");
    for level in LEVELS {
        let n = counts(report.checks.iter().filter(|c| c.level == level));
        if n.iter().sum::<usize>() > 0 {
            out.push_str(&count_row(level.as_str(), n));
        }
    }
    out.push('\n');

    root_causes(&mut out, report);
    // In full: each root cause's representatives, then every problem no cause explains.
    let causes = &report.root_causes;
    let mut problems: Vec<&CheckResult> = Vec::new();
    for k in causes {
        problems.extend(k.shown().filter_map(|id| report.checks.iter().find(|c| c.id == id)));
    }
    problems.extend(report.checks.iter().filter(|c| is_problem(c.verdict) && cause_of(causes, &c.id).is_none()));
    if !problems.is_empty() {
        out.push_str("### Failures, warnings and errors\n\n");
        if !causes.is_empty() {
            out.push_str("A few representatives of each root cause, then every problem no root cause explains.\n\n");
        }
        let mut spent = 0;
        let mut left_out = Vec::new();
        for c in problems {
            let details = problem_details(c);
            if spent + details.len() > DETAILS_BUDGET {
                left_out.push(c);
                continue;
            }
            spent += details.len();
            out.push_str(&details);
        }
        if !left_out.is_empty() {
            let _ = writeln!(
                out,
                "Details of {} more checks are left out to keep this summary small; the JSON and HTML reports have them:\n",
                left_out.len()
            );
            let mut listed = 0;
            let mut spent = 0;
            for c in &left_out {
                let line =
                    format!("- {} {}: {}\n", label(c.verdict), code(&c.id), inline(&truncate(&c.requirement, 300)));
                spent += line.len();
                if spent > LEFT_OUT_BUDGET {
                    break;
                }
                out.push_str(&line);
                listed += 1;
            }
            if listed < left_out.len() {
                let _ = writeln!(out, "- and {} more", left_out.len() - listed);
            }
            out.push('\n');
        }
    }

    if let Some(load) = &report.load {
        load_table(&mut out, load);
    }

    out.push_str("### Checks\n\n");
    let end = ending(report);
    let full = section_tables(report, true);
    if out.len() + full.len() + end.len() <= MAX_BYTES {
        out.push_str(&full);
    } else {
        out.push_str(&section_tables(report, false));
    }
    // The result and the readiness lines end the document, and survive the last-resort cut.
    let mut out = cut_to_limit(out, end.len());
    out.push_str(&end);
    out
}

/// A load run's verdicts (thresholds, and what the run set out to do) as one table: verdict, check, the rule,
/// what was measured.
fn verdict_table(out: &mut String, report: &RunReport) {
    out.push_str("| verdict | check | expected | measured |\n|---|---|---|---|\n");
    for c in report.checks.iter().take(200) {
        let cell = |v: &Option<String>| v.as_deref().map(|v| inline(&truncate(v, 300))).unwrap_or_default();
        let _ =
            writeln!(out, "| {} | {} | {} | {} |", label(c.verdict), code(&c.id), cell(&c.expected), cell(&c.actual));
    }
    out.push('\n');
}

/// The load results as a table, one row per operation (the verdicts on them are the report's checks, above);
/// the JSON report has the histograms and timelines.
fn load_table(out: &mut String, load: &crate::load::LoadSection) {
    let rows = super::charts::load_rows(load);
    let _ = writeln!(out, "### Load\n\n{}\n", inline(&super::charts::load_line(load)));
    for note in super::charts::load_notes(load).iter().take(50) {
        let _ = writeln!(out, "- {}", inline(&truncate(note, VALUE_MAX)));
    }
    out.push('\n');
    if rows.is_empty() {
        return;
    }
    out.push_str("| workload / operation | requests | responses/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | 429 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows.iter().take(200) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            inline(&r.name),
            r.requests,
            r.throughput,
            r.latency.join(" | "),
            r.errors,
            r.throttled
        );
    }
    out.push('\n');
}

/// The closing lines: the result again and one readiness line per IdP.
fn ending(report: &RunReport) -> String {
    let mut end = String::new();
    let result = report.result();
    let _ = writeln!(end, "**Result:** {}\n", inline(&result.to_string()));
    let readiness = report.readiness();
    if !readiness.is_empty() {
        end.push_str("### Readiness\n\n");
        for r in readiness {
            let _ = writeln!(end, "- {}", inline(&r.to_string()));
        }
        end.push('\n');
    }
    end
}

/// The root causes: the headline, then per cause its level, summary, evidence and the ids it explains (collapsed).
fn root_causes(out: &mut String, report: &RunReport) {
    let Some(headline) = crate::causes::headline(&report.root_causes, &report.checks) else { return };
    let _ = writeln!(out, "### Root causes\n\n**{}**\n", inline(&headline));
    let mut spent = 0;
    for k in &report.root_causes {
        let _ =
            writeln!(out, "- **{}** {} ({})", k.level.as_str(), inline(&k.summary), inline(&k.tally(&report.checks)));
        if let Some(e) = &k.evidence {
            let _ = writeln!(out, "  - evidence: {}", inline(&truncate(e, VALUE_MAX)));
        }
        let mut ids = String::new();
        for id in &k.checks {
            let line = format!("{} ", code(id));
            spent += line.len();
            if spent > LEFT_OUT_BUDGET {
                ids.push_str("... (the JSON report lists them all)");
                break;
            }
            ids.push_str(&line);
        }
        let _ = writeln!(
            out,
            "  - <details><summary>{} checks</summary>\n\n    {}\n\n    </details>",
            k.checks.len(),
            ids.trim_end()
        );
    }
    out.push('\n');
}

/// The last resort: `out` cut at the last line break that fits under [`MAX_BYTES`] less `reserve` (what will be
/// appended), with a note.
fn cut_to_limit(mut out: String, reserve: usize) -> String {
    const NOTE: &str =
        "\n\n(cut here to stay under the step summary size limit; the JSON and HTML reports are complete)\n";
    let limit = MAX_BYTES.saturating_sub(reserve);
    if out.len() <= limit {
        return out;
    }
    let mut end = limit.saturating_sub(NOTE.len());
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let end = out[..end].rfind('\n').unwrap_or(end);
    out.truncate(end);
    out.push_str(NOTE);
    out
}

/// Writes the report as Markdown at the end of the run.
#[derive(Debug)]
pub struct MarkdownSink {
    output: Output,
}

impl MarkdownSink {
    /// A reporter writing to `output` (typically the file `$GITHUB_STEP_SUMMARY` names).
    pub fn new(output: Output) -> MarkdownSink {
        MarkdownSink { output }
    }
}

impl Sink for MarkdownSink {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { .. } => Ok(()),
            Event::CheckFinished(_) => Ok(()),
            Event::RunFinished(report) => self.output.write_document(&render_markdown(report)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_inject_markup() {
        assert_eq!(inline("<img src=x> | *a* [l](u)"), "&lt;img src=x&gt; \\| \\*a\\* \\[l\\](u)");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(code("rfc7644/3.1/x"), "`rfc7644/3.1/x`");
    }

    #[test]
    fn fences_outgrow_the_text() {
        assert_eq!(fenced("text", "a ```` b"), "`````text\na ```` b\n`````\n");
        assert_eq!(fenced("", "x\n"), "```\nx\n```\n");
    }
}
