//! `scimlab test`: certify a SCIM service provider (or, with no `--url`, the embedded mock SP). With no `--profile`
//! the run covers RFC 7643 / 7644 and every IdP profile (readiness by default); `--profile` selects.
//!
//! Exit statuses: 0 when the selected MUST checks ran and passed; 1 when a MUST check failed (with `--strict`, a
//! SHOULD check too; with `--baseline`, a regression); 2 usage error; 3 when the run could not exercise the server.
//! A run that judged nothing is not a pass. The rule ([`scimlab_reports::model::Coverage::exercised`]): when none
//! of the selected MUST checks reached a verdict, or more than half of them were skipped, and none failed, the
//! run exits 3 and its last line says how many were skipped and the most frequent reasons ("171 of 183 MUST checks
//! skipped: the server announces filter.supported false (171)"). A selection without MUST checks is judged the
//! same way over all its checks. A failed MUST check still exits 1 (a real defect outranks a thin run), with the
//! same line as a note. Discovery that finds no SCIM service provider at `--url` also exits 3, naming every URL
//! it tried and what each answered.

use crate::config::{Config, RunFlags, Settings};
use crate::exit::{Failure, Outcome, usage};
use crate::reporting::{Reporters, time_seed};
use anyhow::anyhow;
use clap::Args;
use scimlab_harness::check::Tag;
use scimlab_harness::checks::registry;
use scimlab_harness::select::{Selector, select, unmatched};
use scimlab_harness::{RunError, RunOptions};
use scimlab_mock_idp::{Credential, ScimClient};
use scimlab_reports::model::RunReport;
use std::path::PathBuf;
use std::time::Duration;

/// `scimlab test --help` examples: the default run is readiness for every IdP as well as the RFCs.
const EXAMPLES: &str = "\
Profiles:
  With no --profile, a run covers RFC 7643 / 7644 and every IdP profile (entra: Microsoft Entra ID, okta:
  Okta), whose checks send each IdP's exact requests. --profile selects (repeatable) and the exit status
  follows the selection: a failed MUST check of any selected profile exits 1.

Examples:
  scimlab test
      certify the built-in mock SP (the demo)
  scimlab test --url https://app.example.com/scim/v2 --token \"$SCIM_TOKEN\"
      RFC checks and every IdP profile: will Entra and Okta provisioning work?
  scimlab test --url URL --token T --profile rfc
      RFC 7643 / 7644 only
  scimlab test --url URL --token T --profile entra --profile okta
      only what Microsoft Entra ID and Okta send
  scimlab test --url URL --basic okta:secret --profile okta --report junit=okta.xml
      Okta's profile with the Basic credentials Okta sends, as JUnit
  scimlab test --url URL --oauth-token-url https://idp.example.com/token --oauth-client-id scim
      bearer tokens by OAuth 2.0 client credentials, the secret in $SCIM_OAUTH_CLIENT_SECRET
  scimlab checks list --profile entra
      the checks a profile runs";

/// Options of `scimlab test`.
#[derive(Debug, Args)]
#[command(after_help = EXAMPLES)]
pub struct TestArgs {
    /// Base URL of the SCIM service provider (e.g. https://app.example.com/scim/v2). Without it, scimlab starts
    /// its own mock SP on a loopback port and certifies that.
    #[arg(long)]
    url: Option<String>,
    #[command(flatten)]
    auth: crate::credentials::CredentialArgs,
    #[command(flatten)]
    tokens: crate::token_args::TokenArgs,
    /// Profiles to certify against (repeatable); default: all of them.
    #[arg(long = "profile", value_name = "PROFILE", value_parser = crate::registry::profiles(), ignore_case = true)]
    profiles: Vec<String>,
    /// Run only checks whose id starts with X, or that carry tag X. Repeatable.
    #[arg(long, value_name = "X")]
    only: Vec<String>,
    /// Skip checks whose id starts with X, or that carry tag X. Repeatable.
    #[arg(long, value_name = "X")]
    skip: Vec<String>,
    /// Fail the run on SHOULD misses too.
    #[arg(long)]
    strict: bool,
    /// Seed of the random populations and filters of differential checks (printed, so a run can be repeated).
    #[arg(long)]
    seed: Option<u64>,
    /// Start at most this many requests per second, evenly spaced, to certify a server under the rate limit it
    /// documents: 25/s, 600/m (the Entra gallery floor is 25 requests a second). Default: no limit.
    #[arg(long, value_name = "RATE", value_parser = scimlab_load::parse_rate)]
    rate: Option<f64>,
    /// Requests in flight at most [default: 48 with --url, 16 for the embedded mock SP, which has no round trip to
    /// hide]. Checks run side by side as far as this allows; the client lowers it by itself when the server
    /// refuses or resets connections, and to 4 against a server that closes every connection.
    #[arg(long, value_name = "N")]
    concurrency: Option<usize>,
    /// Requests the stateful differential check (differential/state/matches-model) spends at most: about two
    /// thirds on random sequences, the rest on shrinking the first divergence. Raise it to search longer.
    #[arg(long, value_name = "REQUESTS", default_value_t = scimlab_harness::checks::DEFAULT_STATE_BUDGET,
          value_parser = clap::value_parser!(u32).range(1..))]
    state_budget: u32,
    /// Requests the concurrency checks send at once: creates of one userName (members added to one group take
    /// two fewer, writers with one If-Match half as many).
    #[arg(long, value_name = "N", default_value_t = scimlab_harness::checks::DEFAULT_RACE_WIDTH,
          value_parser = clap::value_parser!(u16).range(2..=256))]
    race_width: u16,
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = crate::registry::ReportSpec,
          help = crate::registry::report_help())]
    reports: Vec<String>,
    /// A previous JSON report: fail only on regressions against it.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    #[command(flatten)]
    tls: crate::tls_args::TlsArgs,
    #[command(flatten)]
    client: crate::client_args::ClientArgs,
    /// Leave the resources the run created in place (for debugging).
    #[arg(long)]
    keep: bool,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
}

/// Runs `scimlab test`: flags over `config`'s settings (see [`crate::config`]).
pub fn run(args: TestArgs, config: &Config) -> Result<Outcome, Failure> {
    let settings = Settings::merge(
        &RunFlags {
            url: args.url.as_deref(),
            profiles: &args.profiles,
            only: &args.only,
            skip: &args.skip,
            reports: &args.reports,
            strict: args.strict,
        },
        config,
    );
    let profiles = scimlab_harness::select::profiles(&settings.profiles.0).map_err(usage)?;
    let all = registry();
    let only: Vec<Selector> = settings.only.0.iter().map(|s| Selector::parse(s)).collect();
    let skip: Vec<Selector> = settings.skip.0.iter().map(|s| Selector::parse(s)).collect();
    if let Some(s) = unmatched(&all, &only).into_iter().chain(unmatched(&all, &skip)).next() {
        let tags: Vec<&str> = Tag::ALL.iter().map(|t| t.as_str()).collect();
        return Err(usage(format!(
            "{s} matches no check: give an id prefix (see `scimlab checks list`) or a tag ({})",
            tags.join(", ")
        )));
    }
    if let Some(d) = settings.deviations.iter().find(|d| !all.iter().any(|c| d.covers(c.id))) {
        return Err(usage(format!(
            "{}: the known deviation {:?} names no check; give a check id or id prefix from `scimlab checks list`",
            config.name(),
            d.check
        )));
    }
    let selected = select(&all, &profiles, &only, &skip);
    if selected.is_empty() {
        return Err(usage("the selection is empty: no check matches these --profile / --only / --skip"));
    }
    let baseline = match &args.baseline {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).map_err(|e| usage(format!("cannot read baseline {}: {e}", p.display())))?;
            Some(RunReport::from_json(&text).map_err(|e| usage(format!("baseline {}: {e}", p.display())))?)
        }
        None => None,
    };
    let mut reporters = Reporters::new(&settings.reports.0)?;
    // Known deviations, then (outside them) the baseline, are marked on the report every sink receives.
    if !settings.deviations.is_empty() {
        let sinks = std::mem::take(&mut reporters.sinks);
        reporters.sinks = vec![Box::new(crate::deviations::expected(settings.deviations.clone(), sinks))];
    }
    if let Some(base) = &baseline {
        let sinks = std::mem::take(&mut reporters.sinks);
        reporters.sinks = vec![Box::new(scimlab_reports::against_baseline(base.clone(), sinks))];
    }
    let seed = args.seed.unwrap_or_else(time_seed);
    let url = settings.url.0.clone();
    let options = RunOptions {
        embedded: url.is_none(),
        strict: settings.strict.0,
        seed,
        concurrency: args.concurrency.unwrap_or(if url.is_none() {
            scimlab_harness::runner::EMBEDDED_CONCURRENCY
        } else {
            scimlab_harness::runner::DEFAULT_CONCURRENCY
        }),
        state_budget: args.state_budget,
        race_width: usize::from(args.race_width),
        rate: args.rate,
        keep: args.keep,
        profiles: profiles.clone(),
        ..RunOptions::default()
    };
    let mut client_options = args.client.apply(args.tls.client_options(Duration::from_secs(args.timeout)));
    args.tokens.need_url(url.is_some())?;
    let source = args.tokens.source(&args.tls, Duration::from_secs(args.timeout), &crate::credentials::process_env)?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| Failure::Internal(e.into()))?;
    let report = rt.block_on(async {
        let (url, credential) = match &url {
            Some(u) => {
                let resolved = Settings::credential(&args.auth, config, &crate::credentials::process_env)?;
                client_options = resolved.apply(client_options);
                let credential = match source {
                    Some(source) => {
                        crate::token_args::check_no_other_flag(&resolved.source, args.tokens.flag())?;
                        eprintln!("credential: {}", source.describe());
                        crate::token_args::first_token(&source).await?;
                        Credential::Fetched(source)
                    }
                    None => {
                        eprintln!("credential: {}", resolved.source);
                        resolved.credential
                    }
                };
                (u.clone(), credential)
            }
            None => {
                let e = crate::embedded::start()
                    .await
                    .map_err(|e| Failure::Internal(anyhow!("cannot start the embedded mock SP: {e}")))?;
                eprintln!("certifying the embedded mock SP at {} (pass --url to test your own server)", e.base_url);
                (e.base_url, Credential::Bearer(e.token))
            }
        };
        let client = ScimClient::new(&url, credential, client_options).map_err(|e| usage(e.to_string()))?;
        eprintln!("seed {seed}; {} checks selected", selected.len());
        Ok(scimlab_harness::run(client, &selected, &options, &mut reporters.sinks).await)
    })?;
    let report = match report {
        Ok(r) => r,
        Err(e @ RunError::Interrupted { .. }) => {
            // The sinks have the report of what ran: write the files, then say how the run ended.
            reporters.finish_interrupted()?;
            return Err(Failure::Interrupted(anyhow!("{e}")));
        }
        Err(e @ RunError::Discovery(_)) => {
            return Err(Failure::Internal(anyhow!("{e}")));
        }
    };
    reporters.finish()?;
    let mut report = report;
    if let Some(base) = &baseline {
        let d = scimlab_reports::diff::diff(base, &report);
        let regressions = d.regressions();
        if !regressions.is_empty() {
            let mut out = format!("{} regression(s) against the baseline:\n", regressions.len());
            for r in &regressions {
                out.push_str(&format!("  {r}\n"));
            }
            reporters.results(&out)?;
        }
        scimlab_reports::mark_known(&mut report, base);
    }
    let marked = crate::deviations::mark(&mut report, &settings.deviations);
    if marked.expected > 0 {
        reporters.results(&format!(
            "Expected failures: {} (known deviations in {}), counted apart: they do not fail the run\n",
            marked.expected,
            config.name()
        ))?;
    }
    for check in &marked.unused {
        eprintln!(
            "note: the known deviation {check:?} did not fail: if the server was fixed, remove it from {}",
            config.name()
        );
    }
    let failed = report.failed();
    let coverage = report.coverage();
    if coverage.exercised() {
        Ok(if failed { Outcome::Negative } else { Outcome::Success })
    } else if failed {
        eprintln!("note: the run barely exercised the server: {coverage}");
        Ok(Outcome::Negative)
    } else {
        Err(Failure::Internal(anyhow!("could not exercise the server: {coverage}")))
    }
}
