//! Where the credential comes from (issue 13): an exported `SCIM_TOKEN` never conflicts with a flag, the flag
//! wins, for `test` (`--basic`, `--header Authorization`), `replay` and `serve --no-auth`; `--header` is checked
//! without showing its value.

use crate::scimlab;
use predicates::prelude::*;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// The mock SP with `auth`, on 127.0.0.1 (port 0), in a runtime of its own; stops when dropped.
pub struct AuthSp {
    /// Its SCIM base URL.
    pub url: String,
    _runtime: tokio::runtime::Runtime,
}

impl AuthSp {
    /// Starts it.
    pub fn start(auth: Auth) -> AuthSp {
        AuthSp::start_with(ServerConfig { auth, record: false, ..ServerConfig::default() })
    }

    /// Starts the mock SP with `config`.
    pub fn start_with(config: ServerConfig) -> AuthSp {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
        let store: Arc<dyn scimlab_mock_sp::store::Store> = Arc::new(scimlab_mock_sp::store::MemoryStore::default());
        let app = scimlab_mock_sp::router(AppState::new(store, config));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        runtime.spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        AuthSp { url: format!("http://{addr}/scim/v2"), _runtime: runtime }
    }
}

/// A short conformance run against `url` (a few RFC 7644 section 3.3 checks).
fn short_test(url: &str) -> assert_cmd::Command {
    let mut cmd = scimlab();
    cmd.args(["test", "--url", url, "--profile", "rfc", "--only", "rfc7644/3.3"]);
    cmd
}

/// Regression: `SCIM_TOKEN` exported plus `--basic` was "the argument '--token' cannot be used with '--basic'".
#[test]
fn scim_token_exported_and_basic_given_the_flag_wins() {
    let sp = AuthSp::start(Auth::Basic { user: "okta".into(), pass: "s3cret-pass".into() });
    short_test(&sp.url)
        .env("SCIM_TOKEN", "a-wrong-token")
        .args(["--basic", "okta:s3cret-pass"])
        .assert()
        .success()
        .stderr(predicate::str::contains("credential: the --basic flag"))
        .stdout(predicate::str::contains("s3cret-pass").not());
    // Without the flag the exported token is used, and the server refuses it: the flag above did the work.
    short_test(&sp.url)
        .env("SCIM_TOKEN", "a-wrong-token")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("credential: the SCIM_TOKEN environment variable"));
}

#[test]
fn scim_token_exported_and_an_authorization_header_given_the_header_wins() {
    let sp = AuthSp::start(Auth::Bearer("right-token".into()));
    short_test(&sp.url)
        .env("SCIM_TOKEN", "a-wrong-token")
        .args(["--header", "Authorization: Bearer right-token"])
        .assert()
        .success()
        .stderr(predicate::str::contains("credential: the --header flag"));
    short_test(&sp.url).env("SCIM_TOKEN", "right-token").assert().success();
}

#[test]
fn replay_with_scim_token_exported_and_basic_takes_the_basic_credentials() {
    let sp = AuthSp::start(Auth::Basic { user: "okta".into(), pass: "pw".into() });
    scimlab()
        .env("SCIM_TOKEN", "a-wrong-token")
        .args(["replay", "hire", "--as", "okta", "--url", &sp.url, "--basic", "okta:pw"])
        .assert()
        .success()
        .stderr(predicate::str::contains("credential: the --basic flag"));
}

#[test]
fn two_credential_flags_are_a_usage_error_and_a_bad_header_is_named_without_its_value() {
    scimlab()
        .args(["test", "--url", "http://127.0.0.1:9/scim/v2", "--token", "t", "--header", "Authorization: Bearer x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--header Authorization and --token"));
    scimlab()
        .args(["test", "--url", "http://127.0.0.1:9/scim/v2", "--header", "Authorization SSWS hidden-value"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--header").and(predicate::str::contains("hidden-value").not()));
}

/// Regression: `SCIM_TOKEN` exported made `serve --no-auth` a flag conflict.
#[test]
fn serve_no_auth_with_scim_token_exported_serves_without_authentication() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("scimlab"))
        .args(["serve", "--no-auth", "--addr", "127.0.0.1:0", "--workers", "1", "--no-record"])
        .env("SCIM_TOKEN", "exported-token")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scimlab serve");
    let mut first = String::new();
    let read = BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first);
    let _ = child.kill();
    let out = child.wait_with_output().expect("wait");
    assert!(read.is_ok(), "no banner");
    assert_eq!(first.trim(), "authentication: none (--no-auth)", "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

/// Issue 13: an extra header (`--header 'K: V'` beside a credential flag) reaches the server on the requests of
/// `scimlab test`, and its value is in no output (the JSON report and the terminal); the mock SP records what
/// arrived.
#[test]
fn an_extra_header_reaches_the_server_and_stays_out_of_the_output() {
    use scimlab_mock_sp::store::{MemoryStore, Store};
    const TENANT: &str = "tenant-value-8d41";
    let store = Arc::new(MemoryStore::default());
    let config = ServerConfig { auth: Auth::Bearer("right-token".into()), ..ServerConfig::default() };
    let app = scimlab_mock_sp::router(AppState::new(store.clone(), config));
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    runtime.spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    let out = short_test(&format!("http://{addr}/scim/v2"))
        .args(["--token", "right-token", "--header", &format!("X-Tenant: {TENANT}"), "--report", "json=-"])
        .output()
        .expect("scimlab runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert!(stdout.contains("X-Tenant"), "the header is in the evidence, by name: {stdout}");
    assert!(!stdout.contains(TENANT) && !stderr.contains(TENANT), "its value is not: {stdout}\n{stderr}");
    let recorded = store.recordings(0, 1000).expect("recordings");
    assert!(!recorded.is_empty(), "the server saw the run");
    for (_, arrived) in &recorded {
        assert_eq!(arrived.request.header("x-tenant"), Some(TENANT), "on every request: {:?}", arrived.request);
    }
}
