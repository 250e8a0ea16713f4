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
pub mod terminal;

pub use common::{label, reproducer};
pub use html::{HtmlSink, render_html};
pub use json::{JsonSink, render_json};
pub use junit::{JunitSink, render_junit};
pub use markdown::{MarkdownSink, render_markdown};
pub use output::Output;
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
