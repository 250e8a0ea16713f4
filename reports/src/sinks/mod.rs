//! The reporters: every one is a [`Sink`] fed by the run's event stream, and every document format can also be
//! rendered from a finished [`RunReport`] (`scimlab report render`).
//!
//! `--report FORMAT=PATH` arguments become sinks through [`sink_for`]; [`render`] turns a report into any format.

pub mod charts;
pub(crate) mod common;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod output;
pub mod script;
pub mod terminal;

pub use common::{label, one_line, reproducer};
pub use html::{HtmlSink, render_html};
pub use json::{JsonSink, render_json};
pub use junit::{JunitSink, render_junit};
pub use markdown::{MarkdownSink, render_markdown};
pub use output::Output;
pub use script::replay_script;
pub use terminal::{TerminalSink, render_text, use_colour};

use crate::event::Sink;
use crate::model::{ReportError, RunReport};
use std::path::Path;

/// The formats a `--report FORMAT=PATH` spec accepts, for messages.
pub const SINK_FORMATS: &str = "json, junit, markdown (md), html, text";

/// The formats [`render`] accepts, for messages.
pub const RENDER_FORMATS: &str = "json, junit, markdown (md), html, text";

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The RunReport as JSON.
    Json,
    /// JUnit XML.
    Junit,
    /// Markdown for a CI step summary.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// Plain text, as the terminal shows it without colour.
    Text,
}

impl Format {
    /// The format called `name` (case-insensitive; `md` is Markdown).
    pub fn parse(name: &str) -> Option<Format> {
        match name.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "junit" => Some(Format::Junit),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "text" => Some(Format::Text),
            _ => None,
        }
    }
}

/// A sink for a `FORMAT=PATH` spec: FORMAT is json, junit, markdown (or md), html or text; PATH is a file, whose
/// parent directories are created now, or `-` for standard output. The file itself is written when the run
/// finishes. Errors name the spec and say what would be right: [`ReportError::Spec`] for a spec that is wrong as
/// written, [`ReportError::Write`] for a destination the machine refuses (a directory that cannot be created).
pub fn sink_for(spec: &str) -> Result<Box<dyn Sink>, ReportError> {
    let bad = |reason: String| ReportError::Spec { spec: spec.to_owned(), reason };
    let Some((name, path)) = spec.split_once('=') else {
        return Err(bad(format!("expected FORMAT=PATH, e.g. junit=out/junit.xml, with FORMAT one of {SINK_FORMATS}")));
    };
    let format = Format::parse(name)
        .ok_or_else(|| bad(format!("unknown format {:?}; known formats are {SINK_FORMATS}", name.trim())))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(bad("the PATH after '=' is empty; give a file, or - for standard output".to_owned()));
    }
    if path != "-" {
        let file = Path::new(path);
        if file.is_dir() {
            return Err(bad(format!("{path} is a directory; give a file name")));
        }
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| ReportError::Write {
                path: path.to_owned(),
                reason: format!("cannot create the directory {}: {e}", parent.display()),
            })?;
        }
    }
    let output = Output::from_path(path);
    Ok(match format {
        Format::Json => Box::new(JsonSink::new(output)),
        Format::Junit => Box::new(JunitSink::new(output)),
        Format::Markdown => Box::new(MarkdownSink::new(output)),
        Format::Html => Box::new(HtmlSink::new(output)),
        Format::Text => Box::new(DocumentText { output }),
    })
}

/// Plain text written to a file at the end of the run (`text=PATH`), as `report render --format text` prints it.
struct DocumentText {
    output: Output,
}

impl Sink for DocumentText {
    fn handle(&mut self, event: &crate::event::Event<'_>) -> Result<(), ReportError> {
        match event {
            crate::event::Event::RunStarted { .. } => Ok(()),
            crate::event::Event::CheckFinished(_) => Ok(()),
            crate::event::Event::RunFinished(report) => self.output.write_document(&render_text(report)),
        }
    }
}

/// What reproduces a problem: the replay script of every request of the check ([`replay_script`]) when it
/// sent more than one, otherwise its reproducer (or the curl of its one request).
pub fn problem_reproducer(c: &crate::model::CheckResult) -> Option<String> {
    replay_script(c).or_else(|| reproducer(c))
}

/// `report` in the format called `format` (json, junit, markdown or md, html, text).
pub fn render(report: &RunReport, format: &str) -> Result<String, ReportError> {
    let known = Format::parse(format)
        .ok_or_else(|| ReportError::Format { format: format.to_owned(), known: RENDER_FORMATS })?;
    render_as(report, known)
}

/// `report` in `format`.
pub fn render_as(report: &RunReport, format: Format) -> Result<String, ReportError> {
    match format {
        Format::Json => render_json(report),
        Format::Junit => render_junit(report),
        Format::Markdown => Ok(render_markdown(report)),
        Format::Html => render_html(report),
        Format::Text => Ok(render_text(report)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Level, RunKind, Summary, Target, Verdict};

    /// A failed check whose actual value, request and response bodies are each 20 MB.
    fn huge_report() -> RunReport {
        let huge = format!("{{\"detail\": \"{}\"}}", "x".repeat(20_000_000));
        let exchange = serde_json::from_value(serde_json::json!({
            "id": 1,
            "startedAt": "2024-05-01T12:00:00Z",
            "request": {"method": "POST", "url": "http://127.0.0.1:1/scim/v2/Users", "headers": [], "body": huge},
            "response": {"status": 500, "headers": [], "body": huge},
            "timings": {"totalUs": 1000},
        }))
        .expect("an exchange");
        RunReport {
            version: crate::REPORT_VERSION,
            kind: RunKind::Conformance,
            tool_version: "0".into(),
            started_at: "2024-05-01T12:00:00Z".into(),
            duration_ms: 1.0,
            target: Target { url: "http://127.0.0.1:1/scim/v2".into(), embedded: false },
            profiles: vec!["rfc".into()],
            strict: false,
            seed: 1,
            summary: Summary::default(),
            checks: vec![CheckResult {
                id: "rfc7644/3.3/create".into(),
                level: Level::Must,
                section: "RFC 7644 3.3".into(),
                tags: vec![],
                profiles: vec!["rfc".into()],
                requirement: "a create answers 201".into(),
                verdict: Verdict::Fail,
                reason: Some(huge.clone()),
                expected: Some("201".into()),
                actual: Some(huge.clone()),
                reproducer: None,
                evidence: vec![exchange],
                duration_ms: 1.0,
                cost: None,
            }],
            root_causes: vec![],
            load: None,
        }
    }

    /// Regression: a 20 MB body was printed to stderr as one line; documents held every body whole.
    #[test]
    fn huge_values_and_bodies_are_cut_in_every_sink_with_their_size() {
        let report = huge_report();
        let text = render_text(&report);
        assert!(text.len() < 8_000, "the terminal text is {} bytes", text.len());
        assert!(text.contains("... (20000014 bytes)"), "{text}");
        assert!(text.lines().all(|l| l.len() < 1_200), "no line is long");
        let md = render_markdown(&report);
        assert!(md.len() < 64 * 1024, "the Markdown is {} bytes", md.len());
        assert!(md.contains("20000014 bytes in all"));
        let html = render_html(&report).expect("html");
        assert!(html.len() < 6 * 64 * 1024 + 64 * 1024, "the HTML is {} bytes", html.len());
        assert!(html.contains("20000014 bytes in all"));
        let junit = render_junit(&report).expect("junit");
        assert!(junit.len() < 64 * 1024, "the JUnit XML is {} bytes", junit.len());
    }
}
