//! What the pair test cannot show for the IdP profile and differential checks: that the Okta checks pass against
//! a server that takes Okta's Basic credentials (the pair test's mock SP takes a bearer token), and that a
//! differential run is repeatable: the same seed finds and shrinks to the same case.

use crate::{run_checks, start_sp};
use scimlab_harness::check::Check;
use scimlab_harness::checks::registry;
use scimlab_harness::{Profile, RunOptions};
use scimlab_mock_idp::{ClientOptions, Credential, ScimClient};
use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use scimlab_reports::model::Verdict;
use std::net::SocketAddr;
use std::sync::Arc;

fn checks(prefix: &str) -> Vec<Check> {
    registry().into_iter().filter(|c| c.id.starts_with(prefix)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn okta_checks_pass_with_basic_credentials() {
    let config = ServerConfig {
        auth: Auth::Basic { user: "okta".into(), pass: "pair-secret".into() },
        seed: Some(7),
        ..ServerConfig::default()
    };
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let app = scimlab_mock_sp::router(AppState::new(store, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr: SocketAddr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let credential = Credential::Basic { user: "okta".into(), pass: "pair-secret".into() };
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), credential, ClientOptions::default()).expect("client");
    let okta = checks("profile/okta/");
    assert!(okta.len() >= 10);
    let refs: Vec<&Check> = okta.iter().collect();
    let options = RunOptions { profiles: vec![Profile::Okta], seed: 42, ..RunOptions::default() };
    let report = scimlab_harness::run(client, &refs, &options, &mut []).await.expect("the run completes");
    let bad: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| format!("{} {:?} {:?} {:?}", c.id, c.verdict, c.reason, c.actual))
        .collect();
    assert!(bad.is_empty(), "Okta checks that do not pass with Basic credentials:\n{}", bad.join("\n"));
}

/// The part of a differential failure that names the case: from "case " to the reproducer, which holds the
/// run's random prefix and the server's port.
fn case_of(actual: &str) -> &str {
    let from = actual.find("case ").unwrap_or(0);
    let to = actual.find("; reproduce with").unwrap_or(actual.len());
    &actual[from..to]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn differential_runs_repeat_with_the_same_seed() {
    for (prefix, deviation) in [("differential/filter/", "filter-or-as-and"), ("differential/patch/", "patch-noop")] {
        let diff = checks(prefix);
        let refs: Vec<&Check> = diff.iter().collect();
        let mut found = Vec::new();
        for _ in 0..2 {
            let (base, _) = start_sp(&[deviation]).await;
            let report = run_checks(&base, &refs).await;
            let c = &report.checks[0];
            assert_eq!(c.verdict, Verdict::Fail, "{prefix} under {deviation}: {:?}", c.reason);
            let actual = c.actual.clone().expect("a failure says what the server did");
            assert!(actual.contains("reproduce with:\ncurl "), "{actual}");
            found.push(case_of(&actual).to_owned());
        }
        assert_eq!(found[0], found[1], "{prefix}: the same seed found different cases");
    }
}
