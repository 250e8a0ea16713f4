//! Runs a selection of checks against one server: discovery, concurrent execution, verdicts, cleanup.
//!
//! Discovery reads /ServiceProviderConfig, /ResourceTypes and /Schemas once; checks then run concurrently (each
//! with its own evidence) and every outcome becomes a [`CheckResult`] streamed to the sinks as it completes. At
//! the end, or on Ctrl-C, everything the run created is deleted: first what it registered, then anything left
//! that carries the run's prefix (a create that answered without an id). `keep` leaves it all in place.

use crate::check::{Capability, Check, Level, Outcome, Profile};
use crate::ctx::{Ctx, Kind, RunShared};
use futures_util::StreamExt;
use scimlab_mock_idp::{ClientError, ScimClient, ScimRequest};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use scimlab_protocol::spc::ServiceProviderConfig;
use scimlab_reports::model::{CheckResult, RunKind, RunReport, Summary, Target, Verdict};
use scimlab_reports::{Event, Sink};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            embedded: false,
            strict: false,
            seed: 0,
            concurrency: 8,
            check_timeout: Duration::from_secs(60),
            keep: false,
            profiles: vec![Profile::Rfc],
        }
    }
}

/// Why a run could not be carried out (exit status 3). Failed checks are not run errors.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The server did not answer.
    #[error("the server at {url} is unreachable: {reason}")]
    Unreachable {
        /// Base URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// The credential was refused.
    #[error("the server at {url} refused the credentials ({status} on GET {path}); check --token / --basic / --header")]
    Unauthorized {
        /// Base URL.
        url: String,
        /// Status received.
        status: u16,
        /// Path probed.
        path: String,
    },
    /// Interrupted (Ctrl-C); created data was cleaned up unless `keep`.
    #[error("interrupted; {0}")]
    Interrupted(String),
}

/// What discovery found.
struct Discovered {
    spc: Option<ServiceProviderConfig>,
    registry: SchemaRegistry,
    users: Option<String>,
    groups: Option<String>,
    enterprise: bool,
}

async fn fetch(client: &ScimClient, path: &str) -> Result<(u16, Option<Value>), RunError> {
    match client.send(ScimRequest::get(path)).await {
        Ok(r) if r.status == 401 || r.status == 403 => {
            Err(RunError::Unauthorized { url: client.base_url().to_owned(), status: r.status, path: path.to_owned() })
        }
        Ok(r) => Ok((r.status, r.json)),
        Err(ClientError::Transport { reason, .. }) => {
            Err(RunError::Unreachable { url: client.base_url().to_owned(), reason })
        }
        Err(e) => Err(RunError::Unreachable { url: client.base_url().to_owned(), reason: e.to_string() }),
    }
}

async fn discover(client: &ScimClient) -> Result<Discovered, RunError> {
    let (status, spc_json) = fetch(client, "/ServiceProviderConfig").await?;
    let spc =
        if status == 200 { spc_json.as_ref().and_then(|v| ServiceProviderConfig::from_json(v).ok()) } else { None };
    let mut registry = SchemaRegistry::core().clone();
    if let (200, Some(v)) = fetch(client, "/Schemas").await? {
        let _ = registry.load_schemas(&v);
    }
    let mut users = None;
    let mut groups = None;
    let mut enterprise = false;
    if let (200, Some(v)) = fetch(client, "/ResourceTypes").await? {
        let mut loaded = SchemaRegistry::empty();
        if loaded.load_resource_types(&v).is_ok() {
            for rt in loaded.resource_types() {
                let endpoint = format!("/{}", rt.endpoint.trim_start_matches('/'));
                if rt.name.eq_ignore_ascii_case("User") {
                    enterprise =
                        rt.schema_extensions.iter().any(|e| e.schema.eq_ignore_ascii_case(ENTERPRISE_USER_URN));
                    users = Some(endpoint);
                } else if rt.name.eq_ignore_ascii_case("Group") {
                    groups = Some(endpoint);
                }
                registry.add_resource_type(rt.clone());
            }
        }
    }
    // A server without /ResourceTypes may still serve the usual endpoints: probe them.
    for (slot, path) in [(&mut users, "/Users"), (&mut groups, "/Groups")] {
        if slot.is_none() {
            let (status, _) = fetch(client, &format!("{path}?count=1")).await?;
            if status == 200 {
                *slot = Some(path.to_owned());
            }
        }
    }
    // The credential must work on the resource endpoints too (some servers leave discovery public).
    if let Some(u) = &users {
        fetch(client, &format!("{u}?count=1")).await?;
    }
    Ok(Discovered { spc, registry, users, groups, enterprise })
}

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
    }
}

async fn run_one(run: Arc<RunShared>, check: &Check, timeout: Duration) -> CheckResult {
    let started = Instant::now();
    if let Some(missing) = check.requires.iter().find(|c| !run.has(**c)) {
        let why = match missing {
            Capability::Users | Capability::Groups | Capability::EnterpriseUser => {
                format!("the server has no {}", missing.as_str())
            }
            _ => format!("the server announces {} false", missing.as_str()),
        };
        return result_of(check, Outcome::Skip(why), Vec::new(), 0.0);
    }
    let ctx = Ctx::new(run);
    let outcome = match tokio::time::timeout(timeout, (check.run)(&ctx)).await {
        Ok(o) => o,
        Err(_) => Outcome::Error(format!("the check did not finish within {} s", timeout.as_secs())),
    };
    result_of(check, outcome, ctx.take_evidence(), started.elapsed().as_secs_f64() * 1000.0)
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
    let d = discover(&client).await?;
    let prefix = format!("scimlab-{:08x}-", fastrand::u32(..));
    let run = Arc::new(RunShared::new(
        client.clone(),
        d.spc,
        d.registry,
        d.users,
        d.groups,
        d.enterprise,
        prefix,
        options.seed,
    ));
    let target = Target { url: client.base_url().to_owned(), embedded: options.embedded };
    emit(sinks, &Event::RunStarted { target: &target, checks: checks.len() });

    let mut results: Vec<(usize, CheckResult)> = Vec::with_capacity(checks.len());
    let stream = futures_util::stream::iter(checks.iter().enumerate())
        .map(|(i, c)| {
            let run = run.clone();
            async move { (i, run_one(run, c, options.check_timeout).await) }
        })
        .buffer_unordered(options.concurrency.max(1));
    tokio::pin!(stream);
    let interrupted = loop {
        tokio::select! {
            next = stream.next() => match next {
                Some((i, r)) => {
                    emit(sinks, &Event::CheckFinished(&r));
                    results.push((i, r));
                }
                None => break false,
            },
            _ = tokio::signal::ctrl_c() => break true,
        }
    };
    let cleanup_note = if options.keep { "created data kept (--keep)".to_owned() } else { cleanup(&run).await };
    if interrupted {
        return Err(RunError::Interrupted(cleanup_note));
    }
    results.sort_by_key(|(i, _)| *i);
    let checks: Vec<CheckResult> = results.into_iter().map(|(_, r)| r).collect();
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
        checks,
        load: None,
    };
    emit(sinks, &Event::RunFinished(&report));
    Ok(report)
}

fn emit(sinks: &mut [Box<dyn Sink>], event: &Event<'_>) {
    for s in sinks.iter_mut() {
        // A sink that fails (a full disk) must not stop the run; it reports its own error at the end.
        let _ = s.handle(event);
    }
}

/// Deletes what the run created: registered resources first (Groups before Users), then a sweep for anything
/// else named with the run's prefix. Returns a one-line account.
pub async fn cleanup(run: &Arc<RunShared>) -> String {
    let ctx = Ctx::new(run.clone());
    let mut deleted = 0;
    let mut failed = Vec::new();
    for (kind, id) in run.created() {
        let path = format!("{}/{id}", run.path(kind));
        match ctx.send(ScimRequest::delete(&path)).await {
            Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                run.forget(&id);
                deleted += 1;
            }
            Ok(r) => failed.push(format!("{path} ({})", r.status)),
            Err(_) => failed.push(path),
        }
    }
    for (kind, attr) in [(Kind::Group, "displayName"), (Kind::User, "userName")] {
        let Some(collection) = (match kind {
            Kind::User => run.users.clone(),
            Kind::Group => run.groups.clone(),
        }) else {
            continue;
        };
        let filter = format!("{attr} sw \"{}\"", run.prefix);
        let Ok(r) = ctx.send(ScimRequest::get(&collection).query("filter", filter)).await else { continue };
        let leftovers: Vec<String> = r
            .body_json()
            .get("Resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|res| res.get(attr).and_then(Value::as_str).is_some_and(|n| n.starts_with(&run.prefix)))
            .filter_map(|res| res.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        for id in leftovers {
            // The prefix proves this run created it.
            run.adopt(kind, &id);
            let path = format!("{collection}/{id}");
            match ctx.send(ScimRequest::delete(&path)).await {
                Ok(r) if (200..300).contains(&r.status) || r.status == 404 => deleted += 1,
                _ => failed.push(path),
            }
        }
    }
    if failed.is_empty() {
        format!("cleaned up {deleted} resources")
    } else {
        format!("cleaned up {deleted} resources; could not delete {}", failed.join(", "))
    }
}
