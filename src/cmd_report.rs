//! `scimlab report`: work with saved JSON run reports: render one in another format, compare two (what
//! regressed), merge shards of one run into a single report; `render --reproduce CHECK` prints what reproduces
//! one check.

use crate::exit::{Failure, Outcome};
use anyhow::anyhow;
use clap::{Subcommand, ValueEnum};
use scimlab_reports::model::RunReport;
use scimlab_reports::sinks::{self, Format, HtmlSink, Output};
use std::path::{Path, PathBuf};

/// Subcommands of `scimlab report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Render a JSON run report (written by `--report json=FILE`) as HTML, Markdown, JUnit XML, JSON or text.
    Render {
        /// The JSON run report.
        report: PathBuf,
        /// The output format.
        #[arg(long, value_enum, default_value_t = RenderFormat::Text)]
        format: RenderFormat,
        /// Write to FILE instead of standard output (parent directories are created).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// A minijinja template to use instead of the built-in HTML page (start from the built-in one, `scimlab report template`).
        #[arg(long, value_name = "FILE")]
        template: Option<PathBuf>,
        /// Print instead the shell script that reproduces the check CHECK (its id): every request it sent, in
        /// order, setup included, ids the server assigns captured from its answers (needs curl and jq; the
        /// credential comes from $SCIM_TOKEN); for a check of one request, its curl command.
        #[arg(long, value_name = "CHECK", conflicts_with = "template")]
        reproduce: Option<String>,
    },
    /// Compare two JSON run reports; exit 1 if a check regressed (pass to fail, warn or error; see `--help`).
    ///
    /// Checks are matched by id. A regression is a check whose verdict got worse: pass or skip to error, warn or
    /// fail; error to warn or fail; warn to fail. A check failing in both reports is not a regression, nor is a
    /// check that is new in NEW or missing from it (those depend on the selection and scimlab's version, not on
    /// the server); they are listed all the same.
    Diff {
        /// The base report (e.g. the last release's run).
        base: PathBuf,
        /// The new report.
        new: PathBuf,
    },
    /// Print the built-in HTML page's minijinja template, to start a `render --template` of your own from.
    Template,
    /// Merge reports of shards of one run (`scimlab load --shard K/N`, or a split CI matrix) into one.
    ///
    /// The merged report holds the checks of every input in input order, the sum of their summaries, the first
    /// input's start time, tool version and seed, and the longest wall time. Inputs must agree on kind, target
    /// and --strict. Load results are merged exactly: counts add up, latency histograms are added bucket by bucket,
    /// throughput is taken over the longest shard's window; a shard given twice is refused.
    Merge {
        /// The reports, in order.
        #[arg(required = true, num_args = 1..)]
        reports: Vec<PathBuf>,
        /// Write the merged JSON report to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// A format `report render` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RenderFormat {
    /// One self-contained HTML page.
    Html,
    /// Markdown for a CI step summary.
    #[value(alias = "md")]
    Markdown,
    /// JUnit XML, one suite per RFC section.
    Junit,
    /// The JSON run report (re-written by this version).
    Json,
    /// Plain text, as the terminal shows it.
    Text,
}

impl RenderFormat {
    fn format(self) -> Format {
        match self {
            RenderFormat::Html => Format::Html,
            RenderFormat::Markdown => Format::Markdown,
            RenderFormat::Junit => Format::Junit,
            RenderFormat::Json => Format::Json,
            RenderFormat::Text => Format::Text,
        }
    }
}

fn usage(msg: String) -> Failure {
    Failure::Usage(anyhow!(msg))
}

/// Reads a JSON run report, naming the file in any error (exit 2).
pub fn read_report(path: &Path) -> Result<RunReport, Failure> {
    let text =
        std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read report file {}: {e}", path.display())))?;
    RunReport::from_json(&text).map_err(|e| usage(format!("report file {}: {e}", path.display())))
}

/// Writes `text` to `output`, or to standard output. An output that cannot be written (a directory that cannot be
/// created, a full disk, a closed standard output) is exit 3 with the path and the OS error.
fn write_out(output: Option<&Path>, text: &str) -> Result<(), Failure> {
    let lost = |e: String| Failure::Internal(anyhow!(e));
    let mut target = match output {
        Some(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    lost(format!(
                        "cannot write {}: cannot create the directory {}: {e}",
                        path.display(),
                        parent.display()
                    ))
                })?;
            }
            Output::File(path.to_owned())
        }
        None => Output::Stdout,
    };
    target.write_document(text).map_err(|e| lost(e.to_string()))
}

/// Runs a `scimlab report` subcommand.
pub fn run(cmd: ReportCommand) -> Result<Outcome, Failure> {
    match cmd {
        ReportCommand::Render { report, output, reproduce: Some(check), .. } => {
            let run = read_report(&report)?;
            let Some(c) = run.checks.iter().find(|c| c.id == check) else {
                let near = scimlab_protocol::suggest::suggest(&check, run.checks.iter().map(|c| c.id.as_str()));
                let hint = if near.is_empty() { String::new() } else { format!("; did you mean {}?", near.join(", ")) };
                return Err(usage(format!("{} has no check {check:?}{hint}", report.display())));
            };
            let Some(script) = sinks::problem_reproducer(c) else {
                return Err(usage(format!("the check {check:?} in {} sent no request to reproduce", report.display())));
            };
            write_out(output.as_deref(), &format!("{}\n", script.trim_end()))?;
            Ok(Outcome::Success)
        }
        ReportCommand::Render { report, format, output, template, reproduce: None } => {
            let run = read_report(&report)?;
            let text = match (format, template) {
                (RenderFormat::Html, Some(t)) => HtmlSink::new(Output::Stdout)
                    .with_template(&t)
                    .and_then(|sink| sink.render(&run))
                    .map_err(|e| usage(e.to_string()))?,
                (_, Some(t)) => {
                    return Err(usage(format!("--template {} applies to --format html only", t.display())));
                }
                (f, None) => sinks::render_as(&run, f.format())
                    .map_err(|e| Failure::Internal(anyhow!("cannot render {}: {e}", report.display())))?,
            };
            // A load run's results are its table.
            let text = match run.load.as_ref().filter(|_| format == RenderFormat::Text) {
                Some(section) => format!("{text}{}", scimlab_load::render_table(section)),
                None => text,
            };
            write_out(output.as_deref(), &text)?;
            Ok(Outcome::Success)
        }
        ReportCommand::Template => {
            write_out(None, scimlab_reports::sinks::html::DEFAULT_TEMPLATE)?;
            Ok(Outcome::Success)
        }
        ReportCommand::Diff { base, new } => {
            let d = scimlab_reports::diff(&read_report(&base)?, &read_report(&new)?);
            write_out(None, &d.render_text())?;
            Ok(if d.regressions().is_empty() { Outcome::Success } else { Outcome::Negative })
        }
        ReportCommand::Merge { reports, output } => {
            let runs = reports.iter().map(|p| read_report(p)).collect::<Result<Vec<_>, _>>()?;
            let names = || -> String {
                let names: Vec<String> =
                    reports.iter().enumerate().map(|(i, p)| format!("{} is {}", i + 1, p.display())).collect();
                names.join(", ")
            };
            let mut merged = scimlab_reports::merge_with(&runs, scimlab_load::merge_load)
                .map_err(|e| usage(format!("{e} (report {})", names())))?;
            // A merged load run is judged again, on the merged numbers (the shards' own verdicts judged a slice).
            if merged.kind == scimlab_reports::RunKind::Load {
                scimlab_load::verdicts::rejudge(&mut merged)
                    .map_err(|e| usage(format!("cannot judge the merged load results: {e} (report {})", names())))?;
            }
            let text = sinks::render_json(&merged).map_err(|e| Failure::Internal(anyhow!("{e}")))?;
            write_out(output.as_deref(), &text)?;
            Ok(Outcome::Success)
        }
    }
}
