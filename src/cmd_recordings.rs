//! `scimlab recordings list | show SEQ | export | verify | audit`: what the mock SP recorded, read from a data
//! file (`--data FILE`, written by `scimlab serve --data FILE`) or from a running server (`--server URL`).
//!
//! `list` prints one line per exchange; `show` one exchange in full, with a curl command that replays it;
//! `export` writes JSON Lines (one `Exchange` per line) or HAR 1.2 (opens in browsers' developer tools);
//! `verify` runs the mock SP's passive client checks ([`scimlab_mock_sp::verify`]) and prints a verdict per
//! finding, grouped by check, with the exchange that proves it. It exits 1 when a MUST check found something.
//! Its verdicts also go through the run spine every run shares (RunStarted, CheckFinished for each passive check,
//! RunFinished) into the `--report FORMAT=PATH` sinks, so an IdP developer's CI gets the same JSON, JUnit,
//! Markdown or HTML a conformance run writes. `audit` shows what the clients' requests changed ([`audit`]).

mod audit;
mod har;
mod source;

use crate::credentials::CredentialArgs;
use crate::exit::{Failure, Outcome, stdout_failed};
use crate::tls_args::TlsArgs;
use anyhow::anyhow;
use clap::{Args, Subcommand, ValueEnum};
use scimlab_mock_idp::Credential;
use scimlab_mock_sp::verify::{self, Level, Verdict};
use scimlab_protocol::exchange::Exchange;
use scimlab_reports::Event;
use scimlab_reports::model::{
    CheckResult, Level as ReportLevel, RunKind, RunReport, Summary, Target, Verdict as ReportVerdict,
};
use source::Source;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

/// Options of `scimlab recordings`.
#[derive(Debug, Args)]
pub struct RecordingsArgs {
    /// Read the recordings of this SQLite data file (written by `scimlab serve --data FILE`).
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "server")]
    data: Option<PathBuf>,
    /// Read the recordings of a running `scimlab serve` through its control API, e.g. http://127.0.0.1:8080 (or an
    /// https:// address; see --ca-cert and --insecure).
    #[arg(long, value_name = "URL", global = true)]
    server: Option<String>,
    /// Bearer token of the server (as given to `scimlab serve --token`). Without --token or --basic, the token
    /// comes from the SCIM_TOKEN environment variable; a flag always wins. Never printed.
    // No clap `env` here: with `conflicts_with` it turned an exported SCIM_TOKEN plus --basic into an error
    // (see crate::credentials, which resolves flag over environment).
    #[arg(long, value_name = "TOKEN", global = true, conflicts_with = "basic")]
    token: Option<String>,
    /// HTTP Basic credentials of the server, as USER:PASS (wins over SCIM_TOKEN).
    #[arg(long, value_name = "USER:PASS", global = true)]
    basic: Option<String>,
    /// Trust the certificates of this PEM file as well as the system's roots, for an https:// --server (a private
    /// CA's certificate).
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "insecure")]
    ca_cert: Option<PathBuf>,
    /// Accept any TLS certificate of an https:// --server (a self-signed test server).
    #[arg(long, global = true)]
    insecure: bool,
    #[command(subcommand)]
    command: RecordingsCommand,
}

/// What to do with the recordings.
#[derive(Debug, Subcommand)]
pub enum RecordingsCommand {
    /// One line per exchange: seq, time, client, method, path, status, duration, user agent.
    List,
    /// One exchange in full: request, response, timings, and a curl command that replays it.
    Show {
        /// The exchange's sequence number, as `list` shows it.
        seq: u64,
    },
    /// Write every exchange as JSON Lines, HAR 1.2, or a scenario that `scimlab replay FILE` sends again.
    #[command(after_help = "Examples:\n  \
        scimlab recordings --data scim.db export --format har --output capture.har\n  \
        scimlab recordings --data scim.db export --format scenario --name entra-capture --output entra.yaml\n  \
        scimlab replay entra.yaml --url https://scim.example.com/scim/v2")]
    Export {
        /// jsonl: one JSON exchange per line; har: an HTTP Archive for browsers' developer tools; scenario: a
        /// scenario file of the exact requests, with the ids the server assigned as variables.
        #[arg(long, value_enum)]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The scenario's name, for --format scenario (check ids read replay/NAME/captured/STEP).
        #[arg(long, value_name = "NAME", default_value = "captured")]
        name: String,
    },
    /// Judge what the clients sent against RFC 7643 / RFC 7644; exit 1 if a MUST check found something.
    Verify {
        #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = crate::registry::ReportSpec,
              help = crate::registry::report_help())]
        reports: Vec<String>,
    },
    /// The audit trail: every change to a resource, oldest first, with the client that made it (address, user
    /// agent, credential label), its request, and the change as an RFC 6902 JSON Patch.
    Audit {
        /// Only the history of the resource with this id.
        #[arg(long, value_name = "ID")]
        resource: Option<String>,
        /// Only the history of the Users that had this userName at any time (case-insensitively).
        #[arg(long, value_name = "NAME")]
        user_name: Option<String>,
        /// Only changes at or after T: an RFC 3339 instant (2026-05-01T09:00:00Z) or a duration back from now
        /// (10m, 2h).
        #[arg(long, value_name = "T")]
        since: Option<String>,
        /// text: a timeline, one block per change; jsonl: one JSON entry per line (as serve --audit-log writes).
        #[arg(long, value_enum, default_value = "text")]
        format: AuditFormat,
    },
}

/// Formats of `recordings audit`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AuditFormat {
    /// A timeline, one block per change.
    Text,
    /// One JSON audit entry per line.
    Jsonl,
}

/// Export formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// One JSON exchange per line.
    Jsonl,
    /// HTTP Archive 1.2.
    Har,
    /// A scenario file of `request` steps, replayed byte for byte by `scimlab replay FILE`.
    Scenario,
}

/// Runs `scimlab recordings`.
pub fn run(args: RecordingsArgs) -> Result<Outcome, Failure> {
    let source = match (&args.data, &args.server) {
        (Some(path), _) => Source::data(path)?,
        (None, Some(url)) => {
            let tls = TlsArgs { ca_cert: args.ca_cert.clone(), insecure: args.insecure };
            Source::server(url, credential(&args, &crate::credentials::process_env)?, &tls)?
        }
        (None, None) => {
            return Err(Failure::Usage(anyhow!(
                "say where the recordings are: --data FILE (a scimlab serve data file) or --server URL (a running \
                 scimlab serve)"
            )));
        }
    };
    match args.command {
        RecordingsCommand::List => list(&source),
        RecordingsCommand::Show { seq } => show(&source, seq),
        RecordingsCommand::Export { format, output, name } => export(&source, format, output, &name),
        RecordingsCommand::Verify { reports } => verify_all(&source, &reports),
        RecordingsCommand::Audit { resource, user_name, since, format } => {
            let since = since.map(|t| audit::parse_since(&t, jiff::Timestamp::now())).transpose()?;
            show_audit(&source, &audit::Filter { resource, user_name, since }, format)
        }
    }
}

fn show_audit(source: &Source, filter: &audit::Filter, format: AuditFormat) -> Result<Outcome, Failure> {
    let all = source.audit_all()?;
    let shown = filter.apply(&all);
    if shown.is_empty() {
        let what = if all.is_empty() { "no audit entries" } else { "no audit entries match the filters" };
        eprintln!("{what} in {}", source.describe());
    }
    let text = match format {
        AuditFormat::Text => audit::timeline(&shown),
        AuditFormat::Jsonl => audit::jsonl(&shown)?,
    };
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(stdout_failed)?;
    Ok(Outcome::Success)
}

/// The credential for `--server`: `--token` as a bearer token or `--basic USER:PASS`, else `$SCIM_TOKEN`, else
/// none; resolved as `test` and `replay` resolve theirs ([`crate::credentials`]), with no config file.
fn credential(args: &RecordingsArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Credential, Failure> {
    let flags = CredentialArgs { token: args.token.clone(), basic: args.basic.clone(), headers: Vec::new() };
    Ok(flags.resolve(&|| Ok(None), env)?.credential)
}

fn list(source: &Source) -> Result<Outcome, Failure> {
    let all = source.all()?;
    let mut out = std::io::stdout().lock();
    for (seq, e) in &all {
        writeln!(out, "{}", list_line(*seq, e)).map_err(stdout_failed)?;
    }
    if all.is_empty() {
        eprintln!("no recordings in {}", source.describe());
    }
    Ok(Outcome::Success)
}

/// `seq  time  client  METHOD path  status  duration  user-agent`.
fn list_line(seq: u64, e: &Exchange) -> String {
    let status = e.response.as_ref().map_or_else(|| "---".to_owned(), |r| r.status.to_string());
    format!(
        "{seq:>6}  {}  {:<21}  {:<6} {}  {status}  {}  {}",
        har::millis_time(&e.started_at.to_string()),
        e.client.as_deref().unwrap_or("-"),
        e.request.method,
        e.request.url,
        duration(e.timings.total_us),
        e.request.header("user-agent").filter(|u| !u.is_empty()).unwrap_or("-"),
    )
}

fn duration(us: u64) -> String {
    format!("{:.3}ms", us as f64 / 1000.0)
}

fn show(source: &Source, seq: u64) -> Result<Outcome, Failure> {
    let e = source
        .one(seq)?
        .ok_or_else(|| Failure::Usage(anyhow!("no exchange with seq {seq} in {}", source.describe())))?;
    crate::exit::print(&render(seq, &e))?;
    Ok(Outcome::Success)
}

/// One exchange, readable: a summary, the request and the response as HTTP with pretty-printed JSON bodies, and
/// a curl command replaying the request with `$SCIM_TOKEN` for the credential.
fn render(seq: u64, e: &Exchange) -> String {
    let mut s = format!("exchange {seq}\n  started  {}\n", har::millis_time(&e.started_at.to_string()));
    s.push_str(&format!("  client   {}\n", e.client.as_deref().unwrap_or("-")));
    let ttfb = e.timings.ttfb_us.map(|t| format!(" (response ready after {})", duration(t))).unwrap_or_default();
    s.push_str(&format!("  took     {}{ttfb}\n", duration(e.timings.total_us)));
    if let Some(note) = &e.error {
        s.push_str(&format!("  note     {note}\n"));
    }
    s.push_str(&format!("\n> {} {}\n", e.request.method, e.request.url));
    for (n, v) in &e.request.headers {
        s.push_str(&format!("> {n}: {v}\n"));
    }
    if let Some(body) = &e.request.body {
        s.push_str(&format!("\n{}\n", pretty(body)));
    }
    match &e.response {
        Some(r) => {
            s.push_str(&format!("\n< {} {}\n", r.status, har::status_text(r.status)));
            for (n, v) in &r.headers {
                s.push_str(&format!("< {n}: {v}\n"));
            }
            if let Some(body) = &r.body {
                s.push_str(&format!("\n{}\n", pretty(body)));
            }
        }
        None => s.push_str("\n< (no response)\n"),
    }
    let mut replay = e.clone();
    replay.request.url = har::absolute_url(e);
    s.push_str(&format!("\nreplay:\n{}\n", replay.curl()));
    s
}

/// A JSON body pretty-printed; anything else as it is.
fn pretty(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned())
}

fn export(source: &Source, format: Format, output: Option<PathBuf>, name: &str) -> Result<Outcome, Failure> {
    let all = source.all()?;
    if all.is_empty() {
        eprintln!("no recordings in {}", source.describe());
    }
    let text = match format {
        Format::Jsonl => {
            let mut text = String::new();
            for (_, e) in &all {
                let line = serde_json::to_string(e)
                    .map_err(|err| Failure::Internal(anyhow!("cannot serialise exchange {}: {err}", e.id)))?;
                text.push_str(&line);
                text.push('\n');
            }
            text
        }
        Format::Har => {
            let doc = har::document(&all);
            let mut text = serde_json::to_string_pretty(&doc)
                .map_err(|err| Failure::Internal(anyhow!("cannot serialise the HAR document: {err}")))?;
            text.push('\n');
            text
        }
        Format::Scenario => captured_scenario(source, &all, name)?,
    };
    match output {
        Some(path) => std::fs::write(&path, text)
            .map_err(|e| Failure::Usage(anyhow!("cannot write output file {}: {e}", path.display())))?,
        None => std::io::stdout().lock().write_all(text.as_bytes()).map_err(stdout_failed)?,
    }
    Ok(Outcome::Success)
}

/// The recordings as a scenario file: a comment on where it came from and how to replay it, then the YAML; what
/// could not go in is said on standard error.
fn captured_scenario(source: &Source, all: &[(u64, Exchange)], name: &str) -> Result<String, Failure> {
    if !scimlab_mock_idp::scenario::model::is_variable_name(name) {
        return Err(Failure::Usage(anyhow!("--name {name:?}: a scenario name is letters, digits and '-'")));
    }
    let out = scimlab_mock_idp::scenario::export::from_exchanges(name, all.iter().map(|(seq, e)| (*seq, e)));
    for note in &out.notes {
        eprintln!("note: {note}");
    }
    let yaml =
        out.scenario.to_yaml().map_err(|err| Failure::Internal(anyhow!("cannot write the scenario as YAML: {err}")))?;
    Ok(format!(
        "# {} requests recorded by scimlab serve ({}), exported with `scimlab recordings export --format scenario`.\n\
         # Replay them, byte for byte with the server's ids filled in: scimlab replay THIS-FILE --url URL\n{yaml}",
        out.scenario.steps.len(),
        source.describe()
    ))
}

fn verify_all(source: &Source, specs: &[String]) -> Result<Outcome, Failure> {
    let mut reporters = crate::reporting::Reporters::documents(specs)?;
    let started_at = scimlab_mock_idp::scenario::timestamp();
    let started = std::time::Instant::now();
    let all = source.all()?;
    let verdicts = verify::verify(all.iter().map(|(seq, e)| (*seq, e)));
    let by_seq: HashMap<u64, &Exchange> = all.iter().map(|(seq, e)| (*seq, e)).collect();
    let report = verify_report(&verdicts, &by_seq, all.len());
    crate::exit::print(&report)?;
    let target = Target { url: source.describe(), embedded: false };
    reporters.emit(&Event::RunStarted { target: &target, checks: verify::checks().len() });
    let mut checks = Vec::with_capacity(verify::checks().len());
    for check in verify::checks() {
        let result = check_result(check, &verdicts, &by_seq);
        reporters.emit(&Event::CheckFinished(&result));
        checks.push(result);
    }
    let run = RunReport {
        version: scimlab_reports::REPORT_VERSION,
        kind: RunKind::Recordings,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        target,
        profiles: Vec::new(),
        strict: false,
        seed: 0,
        summary: Summary::of(&checks),
        root_causes: Vec::new(),
        checks,
        load: None,
    };
    reporters.emit(&Event::RunFinished(&run));
    reporters.finish()?;
    let failed = verdicts.iter().any(|v| v.check.level == Level::Must);
    Ok(if failed { Outcome::Negative } else { Outcome::Success })
}

/// Exchanges kept as evidence of one passive check, at most (the text report lists every finding).
const EVIDENCE_PER_CHECK: usize = 8;

/// One passive check as a run result: PASS when it found nothing in what was recorded, else FAIL (MUST) or WARN
/// (SHOULD) with its findings and the exchanges that prove them.
fn check_result(check: &verify::Check, verdicts: &[Verdict], by_seq: &HashMap<u64, &Exchange>) -> CheckResult {
    let found: Vec<&Verdict> = verdicts.iter().filter(|v| v.check.id == check.id).collect();
    let verdict = match (found.is_empty(), check.level) {
        (true, _) => ReportVerdict::Pass,
        (false, Level::Must) => ReportVerdict::Fail,
        (false, Level::Should) => ReportVerdict::Warn,
    };
    let level = match check.level {
        Level::Must => ReportLevel::Must,
        Level::Should => ReportLevel::Should,
    };
    let details: Vec<String> = found.iter().take(3).map(|v| format!("#{}: {}", v.seq, v.finding.detail)).collect();
    let more = found.len().saturating_sub(details.len());
    let evidence = found
        .iter()
        .take(EVIDENCE_PER_CHECK)
        .filter_map(|v| by_seq.get(&v.seq))
        .map(|e| {
            let mut e = (*e).clone();
            e.limit_bodies(64 * 1024);
            e
        })
        .collect();
    CheckResult {
        id: check.id.to_owned(),
        level,
        section: check.section.to_owned(),
        tags: vec!["client".to_owned()],
        profiles: Vec::new(),
        requirement: check.requirement.to_owned(),
        verdict,
        reason: (!found.is_empty())
            .then(|| format!("{} finding{}", found.len(), if found.len() == 1 { "" } else { "s" })),
        expected: (!found.is_empty()).then(|| check.requirement.to_owned()),
        actual: (!found.is_empty())
            .then(|| if more > 0 { format!("{} (and {more} more)", details.join("; ")) } else { details.join("; ") }),
        reproducer: None,
        evidence,
        duration_ms: 0.0,
        cost: None,
    }
}

/// The verdicts grouped by check: a heading per check that found something (FAIL for MUST, WARN for SHOULD,
/// its id, level, section and requirement), then each finding with the exchange that proves it; then a summary.
fn verify_report(verdicts: &[Verdict], exchanges: &HashMap<u64, &Exchange>, judged: usize) -> String {
    let mut s = String::new();
    let mut groups: Vec<(&'static verify::Check, Vec<&Verdict>)> = Vec::new();
    for v in verdicts {
        match groups.last_mut() {
            Some((c, list)) if c.id == v.check.id => list.push(v),
            _ => groups.push((v.check, vec![v])),
        }
    }
    for (check, list) in &groups {
        let verdict = if check.level == Level::Must { "FAIL" } else { "WARN" };
        s.push_str(&format!("{verdict} {} ({}, {})\n", check.id, check.level, check.section));
        s.push_str(&format!("     {}\n", check.requirement));
        for v in list {
            let status = exchanges
                .get(&v.seq)
                .and_then(|e| e.response.as_ref())
                .map_or_else(|| "no response".to_owned(), |r| format!("answered {}", r.status));
            s.push_str(&format!("  #{} ({status}): {}\n", v.seq, v.finding.detail));
            if let Some(excerpt) = &v.finding.excerpt {
                for line in excerpt.lines() {
                    s.push_str(&format!("      | {line}\n"));
                }
            }
        }
        s.push('\n');
    }
    let must = groups.iter().filter(|(c, _)| c.level == Level::Must).count();
    let should = groups.len() - must;
    let must_findings = verdicts.iter().filter(|v| v.check.level == Level::Must).count();
    let passed = verify::checks().len() - groups.len();
    s.push_str(&format!(
        "{judged} {} judged by {} checks: {must} MUST {} failed ({must_findings} {}), {should} SHOULD {} warned \
         ({} {}), {passed} passed\n",
        plural(judged, "exchange"),
        verify::checks().len(),
        plural(must, "check"),
        plural(must_findings, "finding"),
        plural(should, "check"),
        verdicts.len() - must_findings,
        plural(verdicts.len() - must_findings, "finding"),
    ));
    s
}

/// `word` or `words`, for `n` of them.
fn plural(n: usize, word: &str) -> String {
    if n == 1 { word.to_owned() } else { format!("{word}s") }
}
