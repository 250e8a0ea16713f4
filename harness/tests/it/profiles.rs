//! What the pair test cannot show for the IdP profile and differential checks: that the Okta checks pass against
//! a server that takes Okta's Basic credentials (the pair test's mock SP takes a bearer token), that the profile
//! checks send what mock-idp's personas send (one IdP model: what arrives at the server has the persona's headers
//! and lookup encoding), that every IdP profile can be named in a readiness line, and that a differential run is
//! repeatable: the same seed finds and shrinks to the same case.

use crate::{run_checks, start_sp};
use scimlab_harness::check::{Check, Level};
use scimlab_harness::checks::registry;
use scimlab_harness::{Profile, RunOptions};
use scimlab_mock_idp::persona::Idp;
use scimlab_mock_idp::persona::catalog::{ENTRA, OKTA};
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

/// Percent-decodes a query component (`+` is a space, as Entra writes it).
fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_checks_send_what_the_personas_send() {
    for (persona, prefix) in [(&ENTRA, "profile/entra/lookup-username"), (&OKTA, "profile/okta/lookup-username")] {
        let (base, store) = start_sp(&[]).await;
        let chosen: Vec<Check> = registry().into_iter().filter(|c| c.id == prefix).collect();
        let refs: Vec<&Check> = chosen.iter().collect();
        let report = run_checks(&base, &refs).await;
        assert!(report.checks.iter().all(|c| c.verdict == Verdict::Pass), "{prefix}: {:?}", report.checks);
        let recorded = store.recordings(0, 10_000).expect("the mock SP's recordings");
        let path = |url: &str| url.split_once("/scim/v2").map(|(_, p)| p.to_owned()).unwrap_or_default();
        let creates: Vec<_> = recorded
            .iter()
            .map(|(_, e)| &e.request)
            .filter(|r| r.method == "POST" && path(&r.url) == "/Users")
            .collect();
        let lookups: Vec<_> = recorded
            .iter()
            .map(|(_, e)| &e.request)
            .filter(|r| r.method == "GET" && path(&r.url).starts_with("/Users?filter=userName"))
            .collect();
        assert_eq!((creates.len(), lookups.len()), (2, 1), "{prefix}: two users made, one lookup");
        for r in creates.iter().chain(&lookups) {
            let h = &persona.headers;
            assert_eq!(header(&r.headers, "User-Agent"), h.user_agent, "{} {}", persona.name, r.url);
            // Without an Accept of the persona's, the HTTP client's transport adds `*/*` (replays send the same).
            let accept = header(&r.headers, "Accept").filter(|a| h.accept.is_some() || *a != "*/*");
            assert_eq!(accept, h.accept, "{} {}", persona.name, r.url);
            assert_eq!(header(&r.headers, "Accept-Charset"), h.accept_charset, "{} {}", persona.name, r.url);
        }
        for r in &creates {
            assert_eq!(header(&r.headers, "Content-Type"), Some(persona.headers.content_type), "{}", persona.name);
        }
        // The lookup's query is exactly the persona's lookup of the userName it asks for.
        let query = path(&lookups[0].url).split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
        let filter = decode(query.trim_start_matches("filter=").split('&').next().unwrap_or_default());
        let user_name = filter.trim_start_matches("userName eq ").trim_matches('"');
        assert_eq!(query, persona.lookup_query("userName", user_name, false), "{}", persona.name);
    }
}

#[test]
fn every_idp_profile_has_a_name_and_blocking_checks_of_its_own() {
    let all = registry();
    for profile in Profile::IDPS {
        let idp = profile.idp().expect("an IdP profile names its IdP");
        assert_eq!(profile.display_name(), idp.display_name());
        let own: Vec<&Check> = all.iter().filter(|c| c.profiles.contains(&profile)).collect();
        assert!(own.iter().any(|c| c.level == Level::Must), "{profile:?} has MUST checks, its blocking problems");
        for c in &own {
            // Readiness is computed per IdP from `profiles`: a check speaks for one IdP, and its id says which.
            assert_eq!(c.profiles, [profile], "{}", c.id);
            assert!(c.id.starts_with(&format!("profile/{}/", profile.as_str())), "{}", c.id);
        }
    }
    assert_eq!(Profile::Entra.display_name(), "Microsoft Entra ID");
    assert_eq!(Profile::Okta.display_name(), "Okta");
    // The reports crate imports neither the harness nor mock-idp: its list of readiness lines is held equal here.
    let lines: Vec<(&str, &str)> = Profile::IDPS.iter().map(|p| (p.as_str(), p.display_name())).collect();
    let reports: Vec<(&str, &str)> = scimlab_reports::IDPS.iter().map(|i| (i.profile, i.name)).collect();
    assert_eq!(lines, reports);
    // Personas of IdPs without a profile (yet): replayable, but no readiness line.
    let without: Vec<Idp> = scimlab_mock_idp::Persona::all()
        .iter()
        .map(|p| p.idp)
        .filter(|i| *i != Idp::Rfc && !Profile::IDPS.iter().any(|p| p.idp() == Some(*i)))
        .collect();
    assert!(without.iter().all(|i| *i == Idp::OneLogin), "{without:?}");
}
