//! `scimlab replay`: replay identity-provider lifecycle scenarios (hire, offboarding, bulk-merge...) against a
//! SCIM service provider, exactly as Entra ID, Okta or OneLogin send them (with no `--url`: the embedded mock SP).
//!
//! Every step becomes a check of a RunReport of kind `replay` (id `replay/<scenario>/<persona>/<step>`), so the
//! terminal and every `--report` sink work as for `scimlab test`, and so do the exit statuses: 0 every step
//! passed, 1 a step failed where the IdP would fail, 2 usage error, 3 the replay could not run.

use crate::config::{Config, Settings};
use crate::exit::{Failure, Outcome, usage};
use crate::reporting::{Reporters, time_seed};
use anyhow::anyhow;
use clap::Args;
use scimlab_mock_idp::scenario::{self, ReplayOptions, Replayer, Scenario, StepOutcome, StepVerdict};
use scimlab_mock_idp::{Credential, Persona, ScimClient};
use scimlab_reports::Event;
use scimlab_reports::model::{CheckResult, Level, RunKind, RunReport, Summary, Target, Verdict};
use std::time::{Duration, Instant};

/// Options of `scimlab replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Names of shipped scenarios (see --list), or scenario files (YAML).
    #[arg(value_name = "SCENARIO", value_parser = crate::registry::ScenarioArg)]
    scenarios: Vec<String>,
    /// List the shipped scenarios and the personas, and exit.
    #[arg(long)]
    list: bool,
    /// Base URL of the SCIM service provider. Without it, scimlab starts its own mock SP on a loopback port.
    #[arg(long)]
    url: Option<String>,
    /// The identity provider to imitate.
    #[arg(long = "as", value_name = "PERSONA", default_value = "entra", value_parser = crate::registry::personas())]
    persona: String,
    #[command(flatten)]
    auth: crate::credentials::CredentialArgs,
    #[command(flatten)]
    tokens: crate::token_args::TokenArgs,
    /// Users in bulk imports (bulk-merge; default 1000).
    #[arg(long, value_name = "N")]
    users: Option<u64>,
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = crate::registry::ReportSpec,
          help = crate::registry::report_help())]
    reports: Vec<String>,
    /// Leave what the replay created in place.
    #[arg(long)]
    keep: bool,
    /// Requests in flight at once in bulk imports and cleanup.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seed of the sample a bulk import verifies (printed, so a run can be repeated).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    tls: crate::tls_args::TlsArgs,
    #[command(flatten)]
    client: crate::client_args::ClientArgs,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// Loads one SCENARIO argument: a file when one exists at that path (or it ends in .yaml / .yml), else a shipped
/// scenario's name.
fn load(arg: &str) -> Result<Scenario, Failure> {
    let path = std::path::Path::new(arg);
    if path.exists() || arg.ends_with(".yaml") || arg.ends_with(".yml") {
        let text = std::fs::read_to_string(path).map_err(|e| usage(format!("cannot read scenario file {arg}: {e}")))?;
        return Scenario::from_yaml(&text, arg).map_err(|e| usage(e.to_string()));
    }
    match scenario::shipped(arg) {
        Some(r) => r.map_err(|e| Failure::Internal(anyhow!("the shipped scenario {e}"))),
        None => {
            let names: Vec<&str> = scenario::SHIPPED.iter().map(|(n, _)| *n).collect();
            Err(usage(format!(
                "{arg:?} is neither a scenario file nor a shipped scenario ({}); see `scimlab replay --list`",
                names.join(", ")
            )))
        }
    }
}

fn list() -> Result<(), Failure> {
    let mut out = String::from("shipped scenarios:\n");
    for (name, text) in scenario::SHIPPED {
        let about = Scenario::from_yaml(text, name).map(|s| s.description).unwrap_or_default();
        out.push_str(&format!("  {name:<12} {about}\n"));
    }
    out.push_str("personas (--as):\n");
    for p in Persona::all() {
        out.push_str(&format!("  {:<12} {}\n", p.name, p.summary));
    }
    crate::exit::print(&out)
}

/// The run's credential (flag, else config file, else `SCIM_TOKEN`), refused when the persona could not send it:
/// Entra and OneLogin send bearer tokens only.
/// The credential a remote replay sends, and its `--header` headers that are not the credential.
fn credential(
    args: &ReplayArgs,
    persona: &Persona,
    config: &Config,
    remote: bool,
) -> Result<Option<crate::credentials::Resolved>, Failure> {
    if !remote {
        return Ok(None);
    }
    let resolved = Settings::credential(&args.auth, config, &crate::credentials::process_env)?;
    if args.tokens.given() {
        crate::token_args::check_no_other_flag(&resolved.source, args.tokens.flag())?;
        if args.tokens.entra_jwt.is_some() && persona.idp != scimlab_mock_idp::persona::Idp::Entra {
            return Err(usage(format!(
                "--entra-jwt is how Entra authenticates, and {} never sends such a token; use --as entra or \
                 entra-2020",
                persona.name
            )));
        }
        return Ok(Some(resolved));
    }
    {
        eprintln!("credential: {}", resolved.source);
    }
    if matches!(resolved.credential, Credential::Basic { .. }) && !persona.auth.basic {
        return Err(usage(format!(
            "{} cannot authenticate with HTTP Basic (it sends a bearer token only); use --token",
            persona.name
        )));
    }
    Ok(Some(resolved))
}

/// A step as a check of the report.
fn check_of(o: &StepOutcome) -> CheckResult {
    CheckResult {
        id: format!("replay/{}/{}/{}", o.scenario, o.persona, o.step),
        level: Level::Must,
        section: format!("replay {}", o.scenario),
        tags: vec!["replay".into()],
        profiles: vec![o.persona.to_owned()],
        requirement: match &o.about {
            Some(a) => format!("{} ({}): {a}", o.step, o.action),
            None => format!("{} ({}) as {} sends it", o.step, o.action, o.persona),
        },
        verdict: match o.verdict {
            StepVerdict::Pass => Verdict::Pass,
            StepVerdict::Fail => Verdict::Fail,
            StepVerdict::Skip => Verdict::Skip,
            StepVerdict::Error => Verdict::Error,
        },
        reason: o.reason.clone(),
        expected: o.expected.clone(),
        actual: o.actual.clone(),
        reproducer: (o.verdict == StepVerdict::Fail).then(|| o.exchanges.last().map(|e| e.curl())).flatten(),
        evidence: o.exchanges.clone(),
        duration_ms: o.duration_ms,
        cost: None,
    }
}

/// Runs `scimlab replay`: the config file gives the URL, the credential and the reports when flags do not.
pub fn run(args: ReplayArgs, config: &Config) -> Result<Outcome, Failure> {
    if args.list {
        list()?;
        return Ok(Outcome::Success);
    }
    if args.scenarios.is_empty() {
        return Err(usage("name at least one SCENARIO (a file or a shipped name; `scimlab replay --list` lists them)"));
    }
    let persona = Persona::by_name(&args.persona)
        .ok_or_else(|| usage(format!("unknown persona {:?}; use one of {}", args.persona, Persona::names())))?;
    let scenarios = args.scenarios.iter().map(|s| load(s)).collect::<Result<Vec<_>, _>>()?;
    // Files of captured requests (`recordings export --format scenario`) are sent as they were, whatever --as says.
    let captured_only =
        scenarios.iter().all(|s| s.steps.iter().all(|st| matches!(st.action, scenario::model::Action::Request(_))));
    args.users.map(|n| scenario::model::check_import_users(n, "--users")).transpose().map_err(usage)?;
    let remote = args.url.clone().or_else(|| config.file.url.clone());
    let reports = if args.reports.is_empty() { config.file.reports.clone() } else { args.reports.clone() };
    let credential = credential(&args, persona, config, remote.is_some())?;
    args.tokens.need_url(remote.is_some())?;
    let source = args.tokens.source(&args.tls, Duration::from_secs(args.timeout), &crate::credentials::process_env)?;
    let mut reporters = Reporters::new(&reports)?;
    let seed = args.seed.unwrap_or_else(time_seed);
    let mut client_options = args.client.apply(args.tls.client_options(Duration::from_secs(args.timeout)));
    if let Some(r) = &credential {
        client_options = r.apply(client_options);
    }
    let rt = tokio::runtime::Runtime::new().map_err(|e| Failure::Internal(e.into()))?;
    let report = rt.block_on(async {
        let (url, credential) = match (&remote, credential) {
            (Some(u), Some(r)) => match source {
                Some(source) => {
                    eprintln!("credential: {}", source.describe());
                    crate::token_args::first_token(&source).await?;
                    (u.clone(), Credential::Fetched(source))
                }
                None => (u.clone(), r.credential),
            },
            _ => {
                let e = crate::embedded::start()
                    .await
                    .map_err(|e| Failure::Internal(anyhow!("cannot start the embedded mock SP: {e}")))?;
                eprintln!("replaying against the embedded mock SP at {} (pass --url for your own server)", e.base_url);
                (e.base_url, Credential::Bearer(e.token))
            }
        };
        let client = ScimClient::new(&url, credential, client_options).map_err(|e| usage(e.to_string()))?;
        let found = preflight(&client).await?;
        let options =
            ReplayOptions { users: args.users, concurrency: args.concurrency.max(1), seed, ..ReplayOptions::new() };
        let replayer = Replayer::new(client.clone(), persona, options);
        replayer.set_discovery(found);
        if captured_only {
            eprintln!("replaying captured requests as they were sent (--as does not apply to them); seed {seed}");
        } else {
            eprintln!(
                "replaying as {} ({}); run prefix {}; seed {seed}",
                persona.name,
                persona.summary,
                replayer.prefix()
            );
        }
        let target = Target { url: client.base_url().to_owned(), embedded: remote.is_none() };
        let total: usize = scenarios.iter().map(|s| s.steps.len()).sum();
        let started_at = scenario::timestamp();
        let started = Instant::now();
        reporters.emit(&Event::RunStarted { target: &target, checks: total });
        let mut checks = Vec::with_capacity(total);
        // What Entra's provisioning service would make of the steps (their verdicts and failures; no evidence).
        let mut judged: Vec<StepOutcome> = Vec::new();
        let work = async {
            for sc in &scenarios {
                let mut on_step = |o: &StepOutcome| {
                    let c = check_of(o);
                    reporters.emit(&Event::CheckFinished(&c));
                    checks.push(c);
                    judged.push(StepOutcome { exchanges: Vec::new(), ..o.clone() });
                };
                replayer.run(sc, &mut on_step).await;
            }
        };
        let interrupted = tokio::select! {
            _ = work => false,
            _ = tokio::signal::ctrl_c() => true,
        };
        let finished = checks.len();
        let cleanup_note = if args.keep {
            format!("kept what the replay created (--keep); its names start with {}", replayer.prefix())
        } else {
            replayer.cleanup().await.to_string()
        };
        eprintln!("{cleanup_note}");
        if interrupted {
            // Ctrl-C is an event of the run, as in `test`: the report of the steps that finished is written,
            // marked interrupted.
            checks.push(CheckResult::interrupted(finished, total, "steps", &cleanup_note));
        }
        let report = RunReport {
            version: scimlab_reports::REPORT_VERSION,
            kind: RunKind::Replay,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            target,
            profiles: vec![persona.name.to_owned()],
            strict: false,
            seed,
            summary: Summary::of(&checks),
            checks,
            root_causes: Vec::new(),
            load: None,
        };
        reporters.emit(&Event::RunFinished(&report));
        if persona.idp == scimlab_mock_idp::persona::Idp::Entra && !interrupted && !captured_only {
            eprintln!("{}", scenario::entra::JobVerdict::of(&judged));
        }
        Ok((report, interrupted.then_some(cleanup_note)))
    })?;
    let (report, interrupted) = report;
    if let Some(note) = interrupted {
        reporters.finish_interrupted()?;
        return Err(Failure::Interrupted(anyhow!("interrupted; {note}")));
    }
    reporters.finish()?;
    Ok(if report.failed() { Outcome::Negative } else { Outcome::Success })
}

/// Stops before any step when the server cannot be reached, refuses the credentials, or does not answer as a
/// SCIM service provider at all (exit status 3), through the one discovery that `test` and `load` use. What
/// discovery noticed about the resource types' endpoints (RFC 7643 section 6) is printed as notes.
async fn preflight(client: &ScimClient) -> Result<scimlab_mock_idp::Discovery, Failure> {
    let found = scimlab_mock_idp::discover(client).await.map_err(|e| Failure::Internal(anyhow!("{e}")))?;
    for f in found.findings.iter().filter(|f| f.is_endpoint()) {
        eprintln!("note: {f}");
    }
    Ok(found)
}
