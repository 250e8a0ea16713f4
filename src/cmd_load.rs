//! `scimlab load`: bulk, filter and PATCH throughput of a SCIM server with latency percentiles, in an open or
//! closed model, bounded by count and time, sharded with `--shard K/N`. The engine is `scimlab-load`; this module
//! turns flags into its options, runs it on a Tokio runtime of `--threads` threads, prints the final table and
//! the verdicts, and writes the `--report` files.
//!
//! The run is judged by thresholds (`--threshold 'p99<500ms'`, a scenario file's `thresholds`, by default
//! `errors<1%`) and by what it set out to do (every user and group created, the read-back, the cleanup); they are
//! the report's checks, so the exit status is the report's: 0 when every MUST holds, 1 when one fails, 2 on a usage
//! error, 3 when the run could not be done.

use crate::exit::{Failure, Outcome};
use anyhow::anyhow;
use clap::Args;
use scimlab_load::{LoadError, LoadOptions, Model, ScenarioFile, Shard, Workload, parse_duration, parse_rate};
use scimlab_reports::event::Event;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Options of `scimlab load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Base URL of the SCIM API, e.g. http://127.0.0.1:8080/scim/v2 or https://app.example.com/scim/v2.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    auth: crate::credentials::CredentialArgs,
    #[command(flatten)]
    tokens: crate::token_args::TokenArgs,
    #[command(flatten)]
    tls: crate::tls_args::TlsArgs,
    /// bulk-merge, filter, patch, mixed or read; or a YAML / JSON file of lanes that run side by side.
    #[arg(long, value_name = "NAME|FILE")]
    scenario: String,
    /// Users of the population (all shards together; default 1000, or the scenario file's).
    #[arg(long, value_name = "N")]
    users: Option<u64>,
    /// Closed model: this many workers, each sending when its last request is answered (default 16).
    #[arg(long, value_name = "C", conflicts_with = "rate")]
    concurrency: Option<u64>,
    /// Open model: tasks per second (e.g. 25/s, 600/m), latency measured from each request's intended send time.
    #[arg(long, value_name = "R/s", value_parser = parse_rate)]
    rate: Option<f64>,
    /// Connections of the open model (the most requests in flight; default 32).
    #[arg(long, value_name = "N", requires = "rate")]
    connections: Option<u64>,
    /// Length of the measured window (default 30s; 1h when a bulk-merge sets the end).
    #[arg(long, value_name = "D", value_parser = parse_duration)]
    duration: Option<Duration>,
    /// Most tasks per lane, all shards together (a task is a request; for bulk-merge, a block of users).
    #[arg(long, value_name = "N")]
    max_requests: Option<u64>,
    /// Time at the start whose answers are not recorded.
    #[arg(long, value_name = "D", value_parser = parse_duration, default_value = "0s")]
    warmup: Duration,
    /// Persona whose requests are sent.
    #[arg(long = "as", value_name = "PERSONA", default_value = "entra", value_parser = crate::registry::personas())]
    persona: String,
    /// Run slice K of N (1-based): disjoint users and names; every total is split. Join with `report merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Pass / fail rule on the run's numbers (repeatable), e.g. 'p99<500ms', 'errors<1%', 'rps>=25',
    /// 'p99{filter-username}<200ms'; replaces a scenario file's thresholds. Default: errors<1%.
    #[arg(long = "threshold", value_name = "RULE")]
    thresholds: Vec<String>,
    /// Write a report: json, junit, markdown, html or text, to a file or - (repeatable). A report on standard
    /// output replaces the final table there.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<String>,
    /// Leave what the run created on the server.
    #[arg(long)]
    keep: bool,
    /// Skip reading back the groups and users a bulk-merge created.
    #[arg(long)]
    no_verify: bool,
    /// Create with POSTs even when the server supports /Bulk.
    #[arg(long)]
    no_bulk: bool,
    /// Users per block (one /Bulk request and one group per block; default 100).
    #[arg(long, value_name = "N")]
    block: Option<u64>,
    /// Users created, unmeasured, for query lanes that run beside a bulk-merge (default 1000).
    #[arg(long, value_name = "N")]
    preload: Option<u64>,
    /// Prefix of every name the run creates (default: random); give shards of one run the same one.
    #[arg(long, value_name = "ID")]
    run_id: Option<String>,
    /// Seed of the random choices.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Threads of the load generator (default: every core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Most bytes of one response body that are read (default 1 MiB, at most 64 MiB); a longer body counts as a
    /// "body too large" error and its connection is closed.
    #[arg(long, value_name = "BYTES")]
    max_response_bytes: Option<usize>,
}

/// The most `--threads`: more OS threads than this only add scheduling cost for a load generator.
const MAX_THREADS: usize = 1024;

fn usage(msg: String) -> Failure {
    Failure::Usage(anyhow!(msg))
}

/// The bearer token of the run: `--token`, else `$SCIM_TOKEN` (read through `env`), resolved as `test` resolves
/// its credential ([`crate::credentials`]; `load` reads no config file). The load generator's connections send
/// `Authorization: Bearer` and no other header of the user's, so `--basic` and `--header` are refused, naming
/// the flag, never its value.
fn token(a: &LoadArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>, Failure> {
    use scimlab_mock_idp::Credential;
    let resolved = a.auth.resolve(&|| Ok(None), env)?;
    if let Some(h) = resolved.extra_headers.first() {
        return Err(usage(format!(
            "--header {}: scimlab load sends no headers of yours besides the credential (its connections send a \
             fixed set); scimlab test and replay send them",
            h.name
        )));
    }
    match resolved.credential {
        Credential::None => Ok(None),
        Credential::Bearer(t) => Ok(Some(t)),
        Credential::Basic { .. } | Credential::Header { .. } | Credential::Fetched(_) => Err(usage(format!(
            "{}: scimlab load authenticates with a bearer token only (--token, or the SCIM_TOKEN environment \
             variable); --basic and a credential --header work with scimlab test and replay",
            resolved.source
        ))),
    }
}

/// Builds the engine's options from the flags.
pub fn options(a: &LoadArgs) -> Result<LoadOptions, Failure> {
    options_with_env(a, &crate::credentials::process_env)
}

/// [`options`], reading environment variables through `env`.
fn options_with_env(a: &LoadArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<LoadOptions, Failure> {
    let (scenario, lanes, file) = match Workload::parse(&a.scenario) {
        Some(w) => (w.name().to_owned(), vec![scimlab_load::LaneSpec { workload: w, model: None }], None),
        None => {
            let path = Path::new(&a.scenario);
            if !path.exists() {
                let names: Vec<&str> = Workload::ALL.iter().map(|w| w.name()).collect();
                return Err(usage(format!(
                    "--scenario {:?} is neither a workload ({}) nor a file",
                    a.scenario,
                    names.join(", ")
                )));
            }
            let f = ScenarioFile::read(path).map_err(|e| usage(e.to_string()))?;
            (a.scenario.clone(), f.lanes().map_err(|e| usage(e.to_string()))?, Some(f))
        }
    };
    let mut o = LoadOptions::new(&a.url, lanes[0].workload);
    o.scenario = scenario;
    o.lanes = lanes;
    o.tls = a.tls.trust();
    o.token_source = a.tokens.source(&a.tls, Duration::from_secs(30), env)?;
    match &o.token_source {
        Some(_) => {
            let resolved = a.auth.resolve(&|| Ok(None), env)?;
            crate::token_args::check_no_other_flag(&resolved.source, a.tokens.flag())?;
        }
        None => o.token = token(a, env)?,
    }
    o.users = a.users.or(file.as_ref().and_then(|f| f.users)).unwrap_or(1000);
    o.block = a.block.or(file.as_ref().and_then(|f| f.block)).unwrap_or(o.block);
    o.preload = a.preload.or(file.as_ref().and_then(|f| f.preload)).unwrap_or(o.preload);
    o.model = match (a.concurrency, a.rate) {
        (_, Some(rate)) => Model::Open { rate, connections: a.connections.unwrap_or(32) },
        (c, None) => Model::Closed { concurrency: c.unwrap_or(16) },
    };
    o.duration = a.duration;
    o.max_requests = a.max_requests;
    o.warmup = a.warmup;
    o.persona = scimlab_load::persona::by_name(&a.persona).map_err(usage)?;
    o.shard = a.shard.unwrap_or(Shard::WHOLE);
    o.keep = a.keep;
    o.verify = !a.no_verify;
    o.use_bulk = !a.no_bulk;
    if let Some(id) = &a.run_id {
        let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(usage(format!("--run-id {id:?}: use lowercase letters, digits and '-' only")));
        }
        o.run_id = id.clone();
    }
    if let Some(s) = a.seed {
        o.seed = s;
    }
    o.progress = !a.quiet;
    if let Some(n) = a.max_response_bytes {
        o.max_response_bytes = n;
    }
    o.thresholds = if a.thresholds.is_empty() {
        file.as_ref().map(ScenarioFile::parsed_thresholds).transpose().map_err(usage)?.unwrap_or_default()
    } else {
        scimlab_load::thresholds::parse_all(&a.thresholds).map_err(|e| usage(format!("--threshold: {e}")))?
    };
    o.check_limits().map_err(|e| usage(e.to_string()))?;
    Ok(o)
}

/// Runs `scimlab load`.
pub fn run(a: LoadArgs) -> Result<Outcome, Failure> {
    let opts = options(&a)?;
    let mut reporters = crate::reporting::Reporters::documents(&a.reports)?;
    let threads = match a.threads {
        Some(n @ 1..=MAX_THREADS) => n,
        Some(n) => return Err(usage(format!("--threads {n} must be between 1 and {MAX_THREADS}"))),
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(anyhow!("cannot start the async runtime: {e}")))?;
    let stop = Arc::new(AtomicBool::new(false));
    let outcome = rt.block_on(async {
        let flag = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("stopping: the run ends now and cleans up (Ctrl-C again to abandon the cleanup)");
                flag.store(true, Ordering::Relaxed);
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        scimlab_load::run(&opts, stop.clone()).await
    });
    let outcome = outcome.map_err(|e| match e {
        LoadError::Usage(m) => usage(m),
        other => Failure::Internal(anyhow!("{other}")),
    })?;
    // The verdicts (thresholds, and what the run set out to do) are the report's checks: the table, every report
    // and the exit status read the same ones.
    let report = scimlab_load::run_report(&opts, &outcome);
    // A report written to standard output (`--report json=-`, as a Kubernetes Job's log) owns it: no table.
    let stdout_taken = a.reports.iter().any(|r| r.split_once('=').is_some_and(|(_, p)| p.trim() == "-"));
    let table = if stdout_taken {
        Ok(())
    } else {
        let text =
            format!("{}{}", scimlab_load::render_table(&outcome.section), scimlab_load::render_verdicts(&report));
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    // The reports are written even when the table could not be, then every loss is exit 3.
    reporters.emit(&Event::RunStarted { target: &report.target, checks: report.checks.len() });
    for c in &report.checks {
        reporters.emit(&Event::CheckFinished(c));
    }
    reporters.emit(&Event::RunFinished(&report));
    reporters.finish()?;
    table.map_err(|e| Failure::Internal(anyhow!("cannot write the result table to standard output: {e}")))?;
    Ok(if report.failed() { Outcome::Negative } else { Outcome::Success })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        load: LoadArgs,
    }

    fn options_of(args: &[&str]) -> Result<LoadOptions, Failure> {
        let cli = Cli::try_parse_from(["load", "--url", "http://127.0.0.1:1/scim/v2"].iter().chain(args))
            .map_err(|e| Failure::Usage(anyhow!("{e}")))?;
        options(&cli.load)
    }

    fn thresholds(o: &LoadOptions) -> Vec<String> {
        o.thresholds.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn thresholds_come_from_the_flags_else_the_scenario_file_else_the_defaults() {
        let o = options_of(&["--scenario", "read"]).expect("options");
        assert!(o.thresholds.is_empty(), "the defaults apply when the run judges");
        let o = options_of(&["--scenario", "read", "--threshold", "p99<500ms", "--threshold", "errors < 2%"])
            .expect("options");
        assert_eq!(thresholds(&o), ["p99<500ms", "errors<2%"]);
        let dir = std::env::temp_dir().join(format!("scimlab-cmd-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("judged.yaml");
        std::fs::write(&file, "lanes:\n  - workload: read\nthresholds: [\"p90<1s\"]\n").expect("scenario file");
        let path = file.display().to_string();
        let o = options_of(&["--scenario", &path]).expect("options");
        assert_eq!(thresholds(&o), ["p90<1000ms"]);
        let o = options_of(&["--scenario", &path, "--threshold", "rps>10"]).expect("options");
        assert_eq!(thresholds(&o), ["rps>10/s"], "the command line replaces the file's thresholds");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_token_is_the_flag_else_scim_token_and_other_credentials_are_refused_without_their_value() {
        let exported = |name: &str| (name == crate::credentials::TOKEN_ENV).then(|| "from-env".to_owned());
        let with = |args: &[&str], env: &dyn Fn(&str) -> Option<String>| {
            let cli = Cli::try_parse_from(
                ["load", "--url", "http://127.0.0.1:1/scim/v2", "--scenario", "read"].iter().chain(args),
            )
            .map_err(|e| Failure::Usage(anyhow!("{e}")))?;
            options_with_env(&cli.load, env).map(|o| o.token)
        };
        assert_eq!(with(&["--token", "flag"], &exported).expect("token"), Some("flag".to_owned()));
        assert_eq!(with(&[], &exported).expect("token"), Some("from-env".to_owned()));
        assert_eq!(with(&[], &|_| None).expect("no token"), None);
        let Err(Failure::Usage(e)) = with(&["--basic", "u:secret-pw"], &exported) else {
            panic!("--basic is refused, not overridden by SCIM_TOKEN");
        };
        let e = e.to_string();
        assert!(e.contains("--basic") && e.contains("bearer token only") && !e.contains("secret-pw"), "{e}");
        assert!(matches!(with(&["--header", "X-Key: secret-k"], &exported), Err(Failure::Usage(_))));
        let Err(Failure::Usage(e)) = with(&["--token", "t", "--header", "X-Tenant: secret-t"], &exported) else {
            panic!("an extra header is refused, not dropped");
        };
        let e = e.to_string();
        assert!(e.contains("X-Tenant") && !e.contains("secret-t"), "{e}");
    }

    #[test]
    fn a_bad_threshold_is_a_usage_error_naming_it() {
        let Err(Failure::Usage(e)) = options_of(&["--scenario", "read", "--threshold", "p98<1ms"]) else {
            panic!("a usage error");
        };
        let e = e.to_string();
        assert!(e.contains("--threshold") && e.contains("\"p98<1ms\"") && e.contains("unknown metric"), "{e}");
    }
}
