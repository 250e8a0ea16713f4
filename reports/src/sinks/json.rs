//! The JSON reporter: the [`RunReport`] itself, pretty-printed, written once the run is over. This is the file
//! that `scimlab report render | diff | merge` and `--baseline` read back.

use super::output::Output;
use crate::event::{Event, Sink};
use crate::model::{ReportError, RunReport};

/// The report as pretty JSON with a trailing newline, its evidence numbered 1..n within each check
/// ([`RunReport::number_evidence`]) when the run left it unnumbered.
pub fn render_json(report: &RunReport) -> Result<String, ReportError> {
    let numbered;
    let report = if report.evidence_numbered() {
        report
    } else {
        let mut copy = report.clone();
        copy.number_evidence();
        numbered = copy;
        &numbered
    };
    let mut text = serde_json::to_string_pretty(report)
        .map_err(|e| ReportError::Write { path: "JSON".to_owned(), reason: e.to_string() })?;
    text.push('\n');
    Ok(text)
}

/// Writes the [`RunReport`] as JSON at the end of the run.
#[derive(Debug)]
pub struct JsonSink {
    output: Output,
}

impl JsonSink {
    /// A reporter writing to `output`.
    pub fn new(output: Output) -> JsonSink {
        JsonSink { output }
    }
}

impl Sink for JsonSink {
    fn handle(&mut self, event: &Event<'_>) -> Result<(), ReportError> {
        match event {
            Event::RunStarted { .. } => Ok(()),
            Event::CheckFinished(_) => Ok(()),
            Event::RunFinished(report) => {
                let text = render_json(report)?;
                self.output.write_document(&text)
            }
        }
    }
}
