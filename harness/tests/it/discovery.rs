//! One discovery (issue 11): endpoints published in every form servers use give the same verdicts as the RFC's
//! relative form, plus one warning that names the form; a base URL with nothing SCIM behind it stops the run with
//! what was tried; a run that judged almost nothing is not a pass.

use crate::start_sp;
use scimlab_harness::check::Check;
use scimlab_harness::checks::registry;
use scimlab_harness::runner::ENDPOINTS_CHECK_ID;
use scimlab_harness::{Profile, RunError, RunOptions};
use scimlab_mock_idp::{ClientOptions, Credential, DiscoveryError, ScimClient};
use scimlab_reports::model::{CheckResult, Level, RunReport, Summary, Verdict};

async fn run(base: &str, checks: &[&Check]) -> Result<RunReport, RunError> {
    let client =
        ScimClient::new(base, Credential::Bearer("pair-token".into()), ClientOptions::default()).expect("client");
    let options = RunOptions { profiles: Profile::ALL.to_vec(), seed: 42, ..RunOptions::default() };
    scimlab_harness::run(client, checks, &options, &mut []).await
}

/// The verdict of every check but the endpoint finding, by id.
fn verdicts(report: &RunReport) -> Vec<(String, Verdict)> {
    report.checks.iter().filter(|c| c.id != ENDPOINTS_CHECK_ID).map(|c| (c.id.clone(), c.verdict)).collect()
}

fn finding(report: &RunReport) -> Option<&CheckResult> {
    report.checks.iter().find(|c| c.id == ENDPOINTS_CHECK_ID)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_published_absolute_give_the_clean_servers_verdicts_and_one_warning() {
    let all = registry();
    let refs: Vec<&Check> = all.iter().collect();
    let (clean_base, _) = start_sp(&[]).await;
    let clean = run(&clean_base, &refs).await.expect("the clean run completes");
    assert_eq!(finding(&clean).map(|f| f.verdict), Some(Verdict::Pass), "a server publishing /Users passes");
    assert!(clean.coverage().exercised());
    for (fault, form) in [("endpoint-absolute-url", "an absolute URL"), ("endpoint-absolute-path", "an absolute path")]
    {
        let (base, _) = start_sp(&[fault]).await;
        let report = run(&base, &refs).await.expect("the run completes");
        let differ: Vec<String> = verdicts(&clean)
            .into_iter()
            .zip(verdicts(&report))
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("{} {:?} -> {:?}", a.0, a.1, b.1))
            .collect();
        assert!(differ.is_empty(), "under {fault}, verdicts differ from the clean server's:\n{}", differ.join("\n"));
        let f = finding(&report).unwrap_or_else(|| panic!("no endpoint finding under {fault}"));
        assert_eq!((f.verdict, f.level), (Verdict::Warn, Level::Should));
        let actual = f.actual.clone().unwrap_or_default();
        assert!(actual.contains(form) && actual.contains("\"/Users\"") && actual.contains("\"/Groups\""), "{actual}");
        let (c, r) = (Summary::of(&clean.checks), Summary::of(&report.checks));
        assert_eq!((r.pass, r.fail, r.skip, r.warn), (c.pass - 1, c.fail, c.skip, c.warn + 1), "under {fault}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_base_path_stops_the_run_naming_what_was_tried() {
    let all = registry();
    let refs: Vec<&Check> = all.iter().take(5).collect();
    let (base, _) = start_sp(&[]).await;
    let wrong = base.replace("/scim/v2", "/wrong/v2");
    let e = run(&wrong, &refs).await.expect_err("nothing SCIM at /wrong/v2");
    assert!(matches!(e, RunError::Discovery(DiscoveryError::NotScim { .. })), "{e:?}");
    let msg = e.to_string();
    for tried in ["/wrong/v2/ServiceProviderConfig", "/wrong/v2/ResourceTypes", "/wrong/v2/Users?count=1"] {
        assert!(msg.contains(&format!("GET {}", wrong.replace("/wrong/v2", "") + tried)), "{tried} in: {msg}");
    }
    assert!(msg.contains("answered 404") && msg.contains("usually ends in /scim/v2"), "{msg}");
    // The pair: the right base path runs.
    assert!(run(&base, &refs).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_credential_is_still_an_unauthorized_error() {
    let (base, _) = start_sp(&[]).await;
    let client = ScimClient::new(&base, Credential::Bearer("wrong".into()), ClientOptions::default()).expect("client");
    let e = scimlab_harness::run(client, &[], &RunOptions::default(), &mut []).await.expect_err("refused");
    assert!(matches!(e, RunError::Discovery(DiscoveryError::Unauthorized { status: 401, .. })), "{e:?}");
}

fn result(level: Level, verdict: Verdict, reason: &str) -> CheckResult {
    CheckResult {
        id: format!("rfc7644/x/{}", fastrand::u64(..)),
        level,
        section: "RFC 7644 x".into(),
        tags: Vec::new(),
        profiles: vec!["rfc".into()],
        requirement: String::new(),
        verdict,
        reason: (!reason.is_empty()).then(|| reason.to_owned()),
        expected: None,
        actual: None,
        reproducer: None,
        evidence: Vec::new(),
        duration_ms: 0.0,
        cost: None,
    }
}

fn report_of(checks: Vec<CheckResult>) -> RunReport {
    RunReport {
        version: scimlab_reports::REPORT_VERSION,
        kind: scimlab_reports::model::RunKind::Conformance,
        tool_version: String::new(),
        started_at: String::new(),
        duration_ms: 0.0,
        target: scimlab_reports::model::Target { url: String::new(), embedded: false },
        profiles: Vec::new(),
        strict: false,
        seed: 0,
        summary: Summary::of(&checks),
        checks,
        root_causes: Vec::new(),
        load: None,
    }
}

const FILTER: &str = "the server announces filter.supported false";

#[test]
fn a_run_with_most_must_checks_skipped_is_not_exercised_and_says_why() {
    let mut checks: Vec<CheckResult> = (0..171).map(|_| result(Level::Must, Verdict::Skip, FILTER)).collect();
    checks.extend((0..12).map(|_| result(Level::Must, Verdict::Pass, "")));
    checks.extend((0..40).map(|_| result(Level::Should, Verdict::Pass, "")));
    let cov = report_of(checks).coverage();
    assert!(!cov.exercised());
    assert_eq!(cov.to_string(), format!("171 of 183 MUST checks skipped: {FILTER} (171)"));
}

#[test]
fn half_skipped_is_still_exercised_but_more_than_half_is_not() {
    let run = |skipped: usize, passed: usize| {
        let mut checks: Vec<CheckResult> =
            (0..skipped).map(|i| result(Level::Must, Verdict::Skip, if i % 2 == 0 { FILTER } else { "b" })).collect();
        checks.extend((0..passed).map(|_| result(Level::Must, Verdict::Pass, "")));
        report_of(checks).coverage()
    };
    assert!(run(10, 10).exercised());
    assert!(!run(11, 10).exercised());
    assert!(run(0, 1).exercised());
    let cov = run(11, 10);
    assert_eq!(cov.to_string(), format!("11 of 21 MUST checks skipped: {FILTER} (6), b (5)"));
}

#[test]
fn a_run_where_nothing_reached_a_verdict_is_not_exercised() {
    let errors = report_of(vec![result(Level::Must, Verdict::Error, "boom"), result(Level::Should, Verdict::Pass, "")]);
    assert!(!errors.coverage().exercised());
    assert_eq!(errors.coverage().to_string(), "0 of 1 MUST checks skipped and none of the others reached a verdict");
    // Without MUST checks in the selection, every check counts.
    let shoulds = report_of(vec![result(Level::Should, Verdict::Warn, ""), result(Level::May, Verdict::Skip, "x")]);
    assert!(shoulds.coverage().exercised());
    assert_eq!(shoulds.coverage().level, "");
    // Nothing selected at all (a load report) says nothing.
    assert!(report_of(Vec::new()).coverage().exercised());
    // Four reasons are all shown; beyond that, the rest is summed.
    let four: Vec<CheckResult> = ["a", "b", "c", "d"].iter().map(|r| result(Level::Must, Verdict::Skip, r)).collect();
    assert_eq!(report_of(four).coverage().to_string(), "4 of 4 MUST checks skipped: a (1), b (1), c (1), d (1)");
    let many: Vec<CheckResult> =
        ["a", "a", "b", "c", "d", "e", "f"].iter().map(|r| result(Level::Must, Verdict::Skip, r)).collect();
    assert_eq!(
        report_of(many).coverage().to_string(),
        "7 of 7 MUST checks skipped: a (2), b (1), c (1), 3 for 3 other reasons"
    );
}
