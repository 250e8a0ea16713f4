//! Runs a selection of checks against one server: discovery, concurrent execution, verdicts, cleanup.
//!
//! Discovery ([`scimlab_mock_idp::discovery`]) reads /ServiceProviderConfig, /ResourceTypes and /Schemas once and
//! resolves the endpoints; what it found wrong with them is judged by one SHOULD-level check ([`ENDPOINTS_CHECK_ID`]),
//! and a base URL where nothing speaks SCIM stops the run ([`RunError::NotScim`]). Checks then run concurrently (each
//! with its own evidence) and every outcome becomes a [`CheckResult`] streamed to the sinks as it completes. At
//! the end, or on Ctrl-C, everything the run created (and only that: [`crate::cleanup`]) is deleted; `keep` leaves
//! it in place.
//!
//! Ctrl-C is an event of the run, not an escape from it: the checks still running are dropped, cleanup runs, and
//! the sinks receive the report of what finished, with one ERROR result ([`INTERRUPTED_CHECK_ID`]) saying the run
//! was interrupted, so every requested report is written and no reader mistakes it for a complete run.
//!
//! Requests in flight are bounded by `concurrency` and adapt down when the server refuses or resets connections
//! ([`scimlab_mock_idp::gate::Gate`]), so a small server is certified at the pace it sustains.

use crate::check::{Capability, Check, Level, Outcome, Profile};
use crate::cleanup::{SWEEP_BATCH, cleanup, sweep};
use crate::ctx::{Ctx, RunShared};
use futures_util::StreamExt;
use scimlab_mock_idp::ScimClient;
use scimlab_mock_idp::discovery::{DiscoveryError, discover};
use scimlab_reports::model::{CheckResult, RunKind, RunReport, Summary, Target, Verdict};
use scimlab_reports::{Event, Sink};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Requests in flight at most, by default: enough to hide a remote server's round trip (30 to 100 ms) behind
/// the others, and few enough for any production server (Entra and Okta themselves send in parallel). A run is
/// bounded by requests x round trip / concurrency: the suite's ~1,500 requests at 50 ms take 2.5 s at 32 in
/// flight and 1.6 s at 48 (measured, `bench/remote.sh`: 3.06 s and 2.3 s). The gate lowers it for a server that
/// refuses, resets or stalls, and to 4 for one that closes every connection.
pub const DEFAULT_CONCURRENCY: usize = 48;

/// Requests in flight at most against the embedded mock SP, in process: with no round trip to hide, more only
/// adds contention (the whole suite, release build: 0.22 s at 16, 0.23 s at 32, 0.26 s at 48).
pub const EMBEDDED_CONCURRENCY: usize = 16;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Whether the target is the embedded mock SP.
    pub embedded: bool,
    /// SHOULD misses fail the run.
    pub strict: bool,
    /// Seed of every random choice (differential checks, names).
    pub seed: u64,
    /// Checks run at once.
    pub concurrency: usize,
    /// Time limit of one check.
    pub check_timeout: Duration,
    /// Leave created resources in place.
    pub keep: bool,
    /// Profiles selected, for the report.
    pub profiles: Vec<Profile>,
    /// Requests started per second at most (a rate limit the server documents); none by default.
    pub rate: Option<f64>,
    /// Requests the stateful differential check spends at most.
    pub state_budget: u32,
    /// Requests the concurrency checks send at once.
    pub race_width: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            embedded: false,
            strict: false,
            seed: 0,
            concurrency: DEFAULT_CONCURRENCY,
            check_timeout: Duration::from_secs(60),
            keep: false,
            // As `scimlab test` runs by default: the RFC and every IdP profile.
            profiles: Profile::ALL.to_vec(),
            rate: None,
            state_budget: crate::checks::DEFAULT_STATE_BUDGET,
            race_width: usize::from(crate::checks::DEFAULT_RACE_WIDTH),
        }
    }
}

/// Why a run could not be carried out (exit status 3, or 130 when interrupted). Failed checks are not run errors.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Discovery could not start the run: the server is unreachable, refused the credentials, or nothing at the
    /// base URL speaks SCIM (the message lists what was tried).
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// Interrupted (Ctrl-C); created data was cleaned up unless `keep`. The report of what ran was sent to the
    /// sinks and is here too.
    #[error("interrupted; {cleanup}")]
    Interrupted {
        /// The cleanup account.
        cleanup: String,
        /// What ran before the interruption.
        report: Box<RunReport>,
    },
}

/// Id of the check that judges what discovery found about the resource types' endpoints (RFC 7643 section 6).
pub const ENDPOINTS_CHECK_ID: &str = crate::checks::ENDPOINTS_CHECK_ID;

fn verdict_of(level: Level, outcome: &Outcome) -> Verdict {
    match (outcome, level) {
        (Outcome::Pass, _) => Verdict::Pass,
        (Outcome::Fail { .. }, Level::Must) => Verdict::Fail,
        (Outcome::Fail { .. }, _) => Verdict::Warn,
        (Outcome::Skip(_), _) => Verdict::Skip,
        (Outcome::Error(_), _) => Verdict::Error,
    }
}

fn result_of(
    check: &Check,
    outcome: Outcome,
    evidence: Vec<scimlab_protocol::exchange::Exchange>,
    ms: f64,
) -> CheckResult {
    let verdict = verdict_of(check.level, &outcome);
    let (reason, expected, actual) = match outcome {
        Outcome::Pass => (None, None, None),
        Outcome::Fail { expected, actual } => {
            let reason = if check.consequence.is_empty() { None } else { Some(check.consequence.to_owned()) };
            (reason, Some(expected), Some(actual))
        }
        Outcome::Skip(r) | Outcome::Error(r) => (Some(r), None, None),
    };
    let reproducer =
        matches!(verdict, Verdict::Fail | Verdict::Warn).then(|| evidence.last().map(|e| e.curl())).flatten();
    CheckResult {
        id: check.id.to_owned(),
        level: check.level,
        section: check.section(),
        tags: check.tags.iter().map(|t| t.as_str().to_owned()).collect(),
        profiles: check.profiles.iter().map(|p| p.as_str().to_owned()).collect(),
        requirement: check.requirement.to_owned(),
        verdict,
        reason,
        expected,
        actual,
        reproducer,
        evidence,
        duration_ms: ms,
        cost: None,
    }
}

/// Runs one check; returns its result and what it created (collection, id).
async fn run_one(run: Arc<RunShared>, check: &Check, timeout: Duration) -> (CheckResult, Vec<(String, String)>) {
    let started = Instant::now();
    if let Some(missing) = check.requires.iter().find(|c| !run.has(**c)) {
        let why = match missing {
            Capability::Users | Capability::Groups | Capability::EnterpriseUser => {
                format!("the server does not have {}", missing.as_str())
            }
            _ => format!("the server announces {} false", missing.as_str()),
        };
        return (result_of(check, Outcome::Skip(why), Vec::new(), 0.0), Vec::new());
    }
    let ctx = Ctx::new(run);
    let outcome = match tokio::time::timeout(timeout, (check.run)(&ctx)).await {
        Ok(o) => o,
        Err(_) => Outcome::Error(format!("the check did not finish within {} s", timeout.as_secs())),
    };
    let cost = ctx.cost();
    let mut result = result_of(check, outcome, ctx.take_evidence(), started.elapsed().as_secs_f64() * 1000.0);
    result.cost = Some(cost);
    (result, ctx.take_made())
}

/// Checks run side by side for `concurrency` requests in flight: a check spends most of its time waiting for
/// answers, so several checks per request slot keep the slots busy. The client's gate, not this number, bounds
/// what the server sees.
fn checks_at_once(concurrency: usize) -> usize {
    concurrency.max(1).saturating_mul(4)
}

/// Whether `check` is one of the long chains of dependent requests: a differential or lifecycle sequence, or an
/// IdP persona's replay (ten round trips or more on its critical path; the other checks take one to nine).
pub fn long_chain(check: &Check) -> bool {
    check.id.starts_with("differential/") || check.id.starts_with("lifecycle/") || check.id.contains("/replay-")
}

/// The order checks are started in: the long chains first, then the rest in the order given (longest processing
/// time first). Started last, a chain of twenty round trips is the run's tail however many requests the server
/// takes at once; started first, it runs while the short checks fill the other places.
pub fn admission_order(checks: &[&Check]) -> Vec<usize> {
    let (mut first, rest): (Vec<usize>, Vec<usize>) = (0..checks.len()).partition(|&i| long_chain(checks[i]));
    first.extend(rest);
    first
}

/// After Ctrl-C, how long cleanup waits for the creates still on the wire.
const SETTLE_LIMIT: Duration = Duration::from_secs(10);

/// Starts checks from `waiting` until `room` are running.
fn admit<F: std::future::Future>(
    running: &mut futures_util::stream::FuturesUnordered<F>,
    waiting: &mut impl Iterator<Item = F>,
    room: usize,
) {
    while running.len() < room {
        match waiting.next() {
            Some(check) => running.push(check),
            None => break,
        }
    }
}

/// Runs `checks` against the server behind `client`, feeding `sinks`, and returns the report.
pub async fn run(
    client: ScimClient,
    checks: &[&Check],
    options: &RunOptions,
    sinks: &mut [Box<dyn Sink>],
) -> Result<RunReport, RunError> {
    let started_at = jiff::Timestamp::now();
    let started = Instant::now();
    let mut gate = scimlab_mock_idp::gate::Gate::new(options.concurrency);
    if let Some(rate) = options.rate {
        gate = gate.with_rate(rate);
    }
    let gate = Arc::new(gate);
    let client = client.with_gate(gate.clone());
    let d = discover(&client).await?;
    let endpoint_findings: Vec<String> =
        d.findings.iter().filter(|f| f.is_endpoint()).map(ToString::to_string).collect();
    let prefix = format!("scimlab-{:08x}-", fastrand::u32(..));
    let mut shared =
        RunShared::new(client.clone(), d.spc, d.registry, d.users, d.groups, d.enterprise, prefix, options.seed);
    shared.endpoint_findings = endpoint_findings;
    shared.state_budget = options.state_budget;
    shared.race_width = options.race_width;
    let run = Arc::new(shared);
    let target = Target { url: client.base_url().to_owned(), embedded: options.embedded };
    emit(sinks, &Event::RunStarted { target: &target, checks: checks.len() });

    let mut results: Vec<(usize, CheckResult)> = Vec::with_capacity(checks.len());
    // Checks are admitted as places in the gate allow: four per request the server is taking now. A server the
    // gate has capped (one connection per request) gets fewer checks at once, so fewer of their fixtures sit in
    // its collections and every filter it scans is shorter. Dropping `stream` drops the checks still running
    // (and the places they hold in the client's gate) before cleanup needs them.
    let mut waiting = admission_order(checks).into_iter().map(|i| {
        let (run, c) = (run.clone(), checks[i]);
        async move {
            let (result, made) = run_one(run, c, options.check_timeout).await;
            (i, result, made)
        }
    });
    let mut stream = futures_util::stream::FuturesUnordered::new();
    let room = || checks_at_once(gate.limit().min(options.concurrency));
    // Until the first answers tell the gate what kind of server this is, as few as a capped gate would allow.
    admit(
        &mut stream,
        &mut waiting,
        checks_at_once(scimlab_mock_idp::gate::NO_KEEP_ALIVE_MAX.min(options.concurrency)),
    );
    // One listener for the whole run: a Ctrl-C that lands while a result is being emitted must not be missed.
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    // What finished checks created is deleted while the others run (unless kept), a batch at a time.
    let mut sweeps = futures_util::stream::FuturesUnordered::new();
    let mut unswept: Vec<(String, String)> = Vec::new();
    let mut swept = 0;
    let interrupted = loop {
        tokio::select! {
            next = stream.next() => match next {
                Some((i, r, made)) => {
                    admit(&mut stream, &mut waiting, room());
                    emit(sinks, &Event::CheckFinished(&r));
                    results.push((i, r));
                    if !options.keep {
                        unswept.extend(made);
                        if unswept.len() >= SWEEP_BATCH {
                            sweeps.push(sweep(&run, std::mem::take(&mut unswept)));
                        }
                    }
                }
                None => break false,
            },
            Some(deleted) = sweeps.next(), if !sweeps.is_empty() => swept += deleted,
            _ = &mut ctrl_c => break true,
        }
    };
    drop(stream);
    // The dropped checks' creates still get their answers, so that what they made is cleaned up too.
    if interrupted {
        run.settle(SETTLE_LIMIT).await;
    }
    if !interrupted {
        while let Some(deleted) = sweeps.next().await {
            swept += deleted;
        }
    }
    // A sweep cut short leaves its resources in the ledger, for the cleanup.
    drop(sweeps);
    let cleanup_note = if options.keep { "created data kept (--keep)".to_owned() } else { cleanup(&run, swept).await };
    results.sort_by_key(|(i, _)| *i);
    let finished = results.len();
    let interruption = interrupted.then(|| CheckResult::interrupted(finished, checks.len(), "checks", &cleanup_note));
    let checks: Vec<CheckResult> = results.into_iter().map(|(_, r)| r).chain(interruption).collect();
    let report = RunReport {
        version: scimlab_reports::REPORT_VERSION,
        kind: RunKind::Conformance,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at: started_at.to_string(),
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        target,
        profiles: options.profiles.iter().map(|p| p.as_str().to_owned()).collect(),
        strict: options.strict,
        seed: options.seed,
        summary: Summary::of(&checks),
        root_causes: crate::rootcause::classify(&checks),
        checks,
        load: None,
    };
    emit(sinks, &Event::RunFinished(&report));
    if interrupted {
        return Err(RunError::Interrupted { cleanup: cleanup_note, report: Box::new(report) });
    }
    Ok(report)
}

/// The id of the result that marks an interrupted run.
pub const INTERRUPTED_CHECK_ID: &str = scimlab_reports::model::INTERRUPTED_ID;

fn emit(sinks: &mut [Box<dyn Sink>], event: &Event<'_>) {
    for s in sinks.iter_mut() {
        // A sink that fails (a full disk) must not stop the run; it reports its own error at the end.
        let _ = s.handle(event);
    }
}
