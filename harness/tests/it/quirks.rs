//! The mock SP's quirk modes (issue 11, "Proof"): a whole `scimlab test` run, in-process and every profile
//! selected, against a server with each quirk, asserting the verdicts of the checks that exist for it and how
//! the run ends. Verdict counts are compared with a clean server's only where the quirk must not change them.

use crate::start_sp;
use scimlab_harness::check::Check;
use scimlab_harness::checks::registry;
use scimlab_harness::{Profile, RunError, RunOptions};
use scimlab_mock_idp::client::RetryPolicy;
use scimlab_mock_idp::{ClientOptions, Credential, ScimClient};
use scimlab_reports::model::{CheckResult, RunReport, RunResult, Summary, Verdict};

/// The whole registry against `base`, every profile, with the client's `options`.
async fn run_all(base: &str, options: ClientOptions) -> RunReport {
    try_run_all(base, options).await.expect("the run completes")
}

/// [`run_all`], which may end in a run error.
async fn try_run_all(base: &str, options: ClientOptions) -> Result<RunReport, RunError> {
    let all = registry();
    let refs: Vec<&Check> = all.iter().collect();
    let client = ScimClient::new(base, Credential::Bearer("pair-token".into()), options).expect("client");
    let run = RunOptions { profiles: Profile::ALL.to_vec(), seed: 42, ..RunOptions::default() };
    scimlab_harness::run(client, &refs, &run, &mut []).await
}

/// A whole run against a fresh mock SP with `faults`, with the default client.
async fn run_with(faults: &[&str]) -> RunReport {
    let (base, _) = start_sp(faults).await;
    run_all(&base, ClientOptions::default()).await
}

fn result<'r>(report: &'r RunReport, id: &str) -> &'r CheckResult {
    report.checks.iter().find(|c| c.id == id).unwrap_or_else(|| panic!("no result for {id}"))
}

/// Asserts `id`'s verdict, and that its `actual` says `words`.
#[track_caller]
fn assert_verdict(report: &RunReport, id: &str, verdict: Verdict, words: &str) {
    let r = result(report, id);
    let actual = r.actual.clone().unwrap_or_default();
    assert_eq!(r.verdict, verdict, "{id}: {} | {actual}", r.reason.clone().unwrap_or_default());
    assert!(actual.contains(words), "{id}: {words:?} not in {actual:?}");
}

/// The ids with `verdict`.
fn with_verdict(report: &RunReport, verdict: Verdict) -> Vec<&str> {
    report.checks.iter().filter(|c| c.verdict == verdict).map(|c| c.id.as_str()).collect()
}

/// One line per non-pass verdict, for the output of a test that documents them (`--nocapture`).
fn describe(fault: &str, report: &RunReport) -> String {
    let s = Summary::of(&report.checks);
    let mut out = format!(
        "{fault}: {} pass, {} fail, {} warn, {} skip, {} error; {}\n",
        s.pass,
        s.fail,
        s.warn,
        s.skip,
        s.error,
        report.result().word()
    );
    for cause in &report.root_causes {
        out.push_str(&format!("  root cause: {} ({} checks)\n", cause.summary, cause.checks.len()));
    }
    let statuses = |status: u16| {
        let evidence = report.checks.iter().flat_map(|c| &c.evidence);
        evidence.filter(|e| e.response.as_ref().is_some_and(|r| r.status == status)).count()
    };
    let dropped = report.checks.iter().flat_map(|c| &c.evidence).filter(|e| e.response.is_none()).count();
    out.push_str(&format!("  evidence: {} answered 429, {dropped} without an answer\n", statuses(429)));
    for c in report.checks.iter().filter(|c| c.verdict != Verdict::Pass) {
        let why = c.actual.clone().or_else(|| c.reason.clone()).unwrap_or_default();
        out.push_str(&format!("  {:?} {}: {}\n", c.verdict, c.id, why.chars().take(160).collect::<String>()));
    }
    out
}

const LOOKUPS: [&str; 4] = [
    "rfc7644/3.4.2.2/idp-lookup-username",
    "rfc7644/3.4.2.2/idp-lookup-username-any-case",
    "rfc7644/3.4.2.2/idp-lookup-external-id",
    "rfc7644/3.4.2.2/idp-lookup-group-display-name",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_case_sensitive_fails_the_case_checks_and_only_the_bare_lookups() {
    let report = run_with(&["lookup-case-sensitive"]).await;
    let words = "the lookup is case-sensitive: userName eq with other case";
    assert_verdict(&report, "rfc7644/3.4.2.2/idp-lookup-username-any-case", Verdict::Fail, words);
    assert_verdict(&report, "rfc7644/3.4.2.2/username-case-insensitive", Verdict::Fail, words);
    for id in ["rfc7644/3.4.2.2/idp-lookup-username", "rfc7644/3.4.2.2/eq-exact-match"] {
        assert_eq!(result(&report, id).verdict, Verdict::Pass, "{id}: the exact name and compound filters work");
    }
    assert!(matches!(report.result(), RunResult::Failed { .. }), "{}", describe("lookup-case-sensitive", &report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_unsupported_working_runs_the_idp_lookups_and_notes_the_announcement() {
    let report = run_with(&["filter-unsupported-working"]).await;
    for id in LOOKUPS.iter().chain(&["rfc7644/3.4.2.2/idp-lookup-membership"]) {
        assert_eq!(result(&report, id).verdict, Verdict::Pass, "{id} runs and passes though filter is unannounced");
    }
    let note = "filter announced unsupported but works";
    assert_verdict(&report, "rfc7644/3.4.2.2/filter-support-announced", Verdict::Warn, note);
    // The checks that need an announced filter are skipped, and the announcement itself is no failure.
    assert_eq!(result(&report, "rfc7644/3.4.2.2/eq-exact-match").verdict, Verdict::Skip);
    assert!(with_verdict(&report, Verdict::Fail).is_empty(), "{}", describe("filter-unsupported-working", &report));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_partial_and_ignored_get_verdicts_that_say_so() {
    let partial = run_with(&["filter-partial"]).await;
    assert_eq!(result(&partial, "rfc7644/3.4.2.2/idp-lookup-username").verdict, Verdict::Pass);
    let nothing = "returns nothing for an existing";
    assert_verdict(
        &partial,
        "rfc7644/3.4.2.2/idp-lookup-external-id",
        Verdict::Fail,
        &format!("externalId eq {nothing} user"),
    );
    let group = format!("displayName eq {nothing} group");
    assert_verdict(&partial, "rfc7644/3.4.2.2/idp-lookup-group-display-name", Verdict::Fail, &group);
    assert_verdict(&partial, "rfc7644/3.4.2.2/idp-lookup-membership", Verdict::Warn, nothing);
    assert!(matches!(partial.result(), RunResult::Failed { .. }));

    let ignored = run_with(&["filter-ignored"]).await;
    for id in LOOKUPS {
        assert_verdict(&ignored, id, Verdict::Fail, "the server ignores filter: ");
    }
    assert_verdict(&ignored, LOOKUPS[0], Verdict::Fail, "an IdP would create duplicates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_501_is_named_once_as_announced_but_unimplemented() {
    let report = run_with(&["patch-501"]).await;
    let words = "announces PATCH and answers 501";
    assert_verdict(&report, "rfc7644/3.5.2/patch-announced-implemented", Verdict::Fail, words);
    let named: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| c.actual.as_deref().is_some_and(|a| a.contains(words)))
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(named, ["rfc7644/3.5.2/patch-announced-implemented"], "one verdict names the cause");
    assert!(matches!(report.result(), RunResult::Failed { .. }));
}

/// `data-loss` (the store forgotten after the 200th request): the run completes, with no harness error. Which
/// checks notice depends on which were in flight at the wipe (printed with `--nocapture`): typically 4 to 7 FAILs
/// of query checks whose fixtures vanished, which now say "the server lost data" (`queries::lost`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_loss_mid_run_completes() {
    let report = run_with(&["data-loss"]).await;
    println!("{}", describe("data-loss", &report));
    assert!(report.checks.len() >= registry().len());
    assert!(with_verdict(&report, Verdict::Error).is_empty(), "a server losing data is no harness error");
}

/// `reset-under-load` (a request arriving while K are in flight is dropped): the run completes, and a dropped
/// connection is never blamed on the server: every verdict that is not a pass is a harness ERROR (dropped GETs,
/// PUTs and DELETEs are retried; a dropped POST or PATCH is not resent, so its check errs and the run is
/// INCOMPLETE). The default K (4) rarely bites on loopback, where answers take microseconds; K=1 with a little
/// latency makes every overlap of the run's 8 concurrent checks drop a connection (about two thirds err).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_under_load_completes_and_blames_no_check() {
    for faults in [&["reset-under-load"][..], &["reset-under-load=1", "latency=2ms"]] {
        let report = run_with(faults).await;
        println!("{}", describe(&faults.join(" "), &report));
        assert!(report.checks.len() >= registry().len());
        let blamed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::Error))
            .map(|c| c.id.as_str())
            .collect();
        assert!(blamed.is_empty(), "under {faults:?}, dropped connections were blamed on: {blamed:?}");
    }
}

/// A 429 storm (20% of requests, Retry-After 0) is ridden out by the client's retries: with retries enough for
/// the storm, the clean server's pass / fail / warn / skip / error counts exactly. With the default policy (8
/// retries of one request), one request in 0.2^9 (about 2e-7) meets nine 429s in a row; should that happen, it
/// is an ERROR, never a FAIL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_gives_the_clean_servers_counts() {
    let clean = Summary::of(&run_with(&[]).await.checks);
    let (base, _) = start_sp(&["429=20%:retry-after=0"]).await;
    // 12 retries: one request in 0.2^13 (about 8e-10) is lost; the budget covers ten times the expected retries.
    let patient = RetryPolicy { per_request: 12, ..RetryPolicy::with_budget(3000) };
    let storm = run_all(&base, ClientOptions { retry: patient, ..ClientOptions::default() }).await;
    println!("{}", describe("429=20%:retry-after=0, 12 retries", &storm));
    let s = Summary::of(&storm.checks);
    assert_eq!(
        (s.pass, s.fail, s.warn, s.skip, s.error),
        (clean.pass, clean.fail, clean.warn, clean.skip, clean.error)
    );

    // Discovery meeting five 429s in a row (about 0.2% of runs) is a run error, as it should be: not judged.
    let (base, _) = start_sp(&["429=20%:retry-after=0"]).await;
    let default = match try_run_all(&base, ClientOptions::default()).await {
        Ok(report) => report,
        Err(e) => return println!("429=20%:retry-after=0, default retries: the run stopped: {e}"),
    };
    println!("{}", describe("429=20%:retry-after=0, default retries", &default));
    let d = Summary::of(&default.checks);
    assert_eq!((d.fail, d.warn, d.skip, d.pass + d.error), (clean.fail, clean.warn, clean.skip, clean.pass));
}

/// 503 without Retry-After (RFC 9110 section 15.6.4: the server is overloaded) on a tenth of the requests, met
/// with the client's default policy: backoff without a hint, and the clean server's counts exactly (nine 503s in a
/// row, one request in a billion, would be an ERROR, never a FAIL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_without_retry_after_is_backed_off_and_ridden_out() {
    let clean = Summary::of(&run_with(&[]).await.checks);
    let (base, _) = start_sp(&["503=10%"]).await;
    let report = run_all(&base, ClientOptions::default()).await;
    println!("{}", describe("503=10%, default retries", &report));
    let retried =
        report.checks.iter().flat_map(|c| &c.evidence).filter(|x| x.response.as_ref().is_some_and(|r| r.status == 503));
    assert!(retried.count() > 0, "the 503s the run rode out are in the evidence");
    let s = Summary::of(&report.checks);
    assert_eq!(
        (s.pass, s.fail, s.warn, s.skip, s.error),
        (clean.pass, clean.fail, clean.warn, clean.skip, clean.error)
    );
}
