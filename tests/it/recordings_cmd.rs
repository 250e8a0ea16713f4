//! `scimlab recordings list | show | export | verify`, reading a SQLite data file and a running server's control
//! API. The server is the mock SP's router served in-process on a loopback port, with a data file, so both
//! sources hold the same recordings; for `https://` the same router is also served over TLS with the test
//! certificate of `load/tests/fixtures/` (for 127.0.0.1, signed by a test CA).

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use scimlab_mock_sp::store::SqliteStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

const TOKEN: &str = "tok-recordings-cmd-0f9a7c";
const USER: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen","active":true}"#;
const PATCH_CAPITALISED: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#;
const PATCH_CLEAN: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#;

/// A mock SP with a data file, served on 127.0.0.1 until dropped: over plain HTTP, and over TLS too.
struct Server {
    addr: SocketAddr,
    tls_addr: SocketAddr,
    data: PathBuf,
    _rt: tokio::runtime::Runtime,
}

const CERT: &[u8] = include_bytes!("../../load/tests/fixtures/localhost.pem");
const KEY: &[u8] = include_bytes!("../../load/tests/fixtures/localhost.key");
/// The test CA that signed [`CERT`], as the binary reads it (run from the repository root).
const CA: &str = "load/tests/fixtures/ca.pem";

/// Accepts TCP connections and completes the TLS handshake; a failed handshake is dropped and the next
/// connection waited for.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    tls: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else { continue };
            if let Ok(tls) = self.tls.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().expect("the fixture certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("the fixture key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server configuration");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

impl Server {
    fn start(name: &str) -> Server {
        Server::start_with(name, Auth::Bearer(TOKEN.to_owned()))
    }

    /// A server whose control API takes `auth` (the recordings are read, not made, by the tests that use it).
    fn start_with(name: &str, auth: Auth) -> Server {
        let dir = temp_dir(&format!("recordings-{name}"));
        let data = dir.join("data.sqlite");
        let _ = std::fs::remove_file(&data);
        let store = SqliteStore::open(&data).expect("open data file");
        let config = ServerConfig { auth, ..ServerConfig::default() };
        let app = scimlab_mock_sp::router(AppState::new(Arc::new(store), config));
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let tcp = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let tls_addr = tcp.local_addr().expect("addr");
        let tls_listener = TlsListener { tcp, tls: tls_acceptor() };
        let tls_app = app.clone();
        rt.spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        rt.spawn(async move {
            let _ = axum::serve(tls_listener, tls_app).await;
        });
        Server { addr, tls_addr, data, _rt: rt }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same server over TLS, with a certificate for 127.0.0.1 that only [`CA`] vouches for.
    fn https_url(&self) -> String {
        format!("https://{}", self.tls_addr)
    }

    fn data(&self) -> &str {
        self.data.to_str().expect("UTF-8 path")
    }

    /// One request with the right token, a user agent and SCIM media types; the status and body.
    fn send(&self, method: &str, target: &str, body: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        let mut req = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {TOKEN}\r\nUser-Agent: it/1.0\r\n\
             Accept: application/scim+json\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(b) = body {
            req.push_str(&format!("Content-Type: application/scim+json\r\nContent-Length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        req.push_str(body.unwrap_or(""));
        stream.write_all(req.as_bytes()).expect("write");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        let (head, body) = text.split_once("\r\n\r\n").expect("head");
        (head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status"), body.to_owned())
    }

    /// Creates a user and PATCHes it with `patch`; three exchanges (create, lookup, patch).
    fn traffic(&self, patch: &str) {
        let (status, created) = self.send("POST", "/scim/v2/Users", Some(USER));
        assert_eq!(status, 201, "{created}");
        let id = serde_json::from_str::<Value>(&created).expect("JSON")["id"].as_str().expect("id").to_owned();
        assert_eq!(self.send("GET", "/scim/v2/Users?filter=userName%20eq%20%22bjensen%22", None).0, 200);
        assert_eq!(self.send("PATCH", &format!("/scim/v2/Users/{id}"), Some(patch)).0, 200);
    }
}

#[test]
fn list_reads_the_same_recordings_from_the_file_and_the_server() {
    let server = Server::start("list");
    server.traffic(PATCH_CAPITALISED);
    let from_file = scimlab().args(["recordings", "list", "--data", server.data()]).assert().success();
    let file_out = String::from_utf8(from_file.get_output().stdout.clone()).expect("UTF-8");
    let lines: Vec<&str> = file_out.lines().collect();
    assert_eq!(lines.len(), 3, "{file_out}");
    assert!(
        lines[0].trim_start().starts_with("1  ") && lines[0].contains("POST   /scim/v2/Users  201"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("127.0.0.1:") && lines[0].ends_with("it/1.0"), "{}", lines[0]);
    assert!(lines[2].contains("PATCH  /scim/v2/Users/") && lines[2].contains(" 200 "), "{}", lines[2]);
    // The server reads the same file's recordings through its control API; the token comes from SCIM_TOKEN.
    scimlab()
        .env("SCIM_TOKEN", TOKEN)
        .args(["recordings", "--server", &server.url(), "list"])
        .assert()
        .success()
        .stdout(file_out);
}

#[test]
fn show_prints_one_exchange_redacted_with_a_replay() {
    let server = Server::start("show");
    server.traffic(PATCH_CAPITALISED);
    let out = scimlab().args(["recordings", "show", "1", "--data", server.data()]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8");
    for part in [
        "exchange 1",
        "> POST /scim/v2/Users",
        "> authorization: Bearer [redacted]",
        "< 201 Created",
        "\"userName\": \"bjensen\"",
        "replay:",
        "\"$SCIM_TOKEN\"",
    ] {
        assert!(text.contains(part), "{part:?} missing from\n{text}");
    }
    assert!(!text.contains(TOKEN));
    scimlab()
        .args(["recordings", "show", "99", "--server", &server.url(), "--token", TOKEN])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no exchange with seq 99"));
}

#[test]
fn export_writes_json_lines_of_exchanges() {
    let server = Server::start("jsonl");
    server.traffic(PATCH_CLEAN);
    let out = scimlab().args(["recordings", "export", "--format", "jsonl", "--data", server.data()]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8");
    assert!(!text.contains(TOKEN));
    let exchanges: Vec<Exchange> =
        text.lines().map(|l| serde_json::from_str(l).expect("an Exchange per line")).collect();
    assert_eq!(exchanges.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(exchanges[2].request.method, "PATCH");
    assert_eq!(exchanges[2].request.body.as_deref(), Some(PATCH_CLEAN));
}

/// The fields HAR 1.2 requires of an entry, with their JSON types.
fn assert_har_shape(har: &Value) {
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert!(log["creator"]["name"].is_string() && log["creator"]["version"].is_string());
    let entries = log["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    for e in entries {
        let started = e["startedDateTime"].as_str().expect("startedDateTime");
        assert!(started.len() == 24 && started.ends_with('Z') && &started[19..20] == ".", "{started}");
        assert!(e["time"].is_number());
        let req = &e["request"];
        assert!(req["method"].is_string() && req["httpVersion"].is_string());
        assert!(req["url"].as_str().is_some_and(|u| u.starts_with("http://127.0.0.1:")), "{}", req["url"]);
        for list in ["cookies", "headers", "queryString"] {
            assert!(
                req[list].as_array().is_some_and(|l| l.iter().all(|p| p["name"].is_string() && p["value"].is_string())),
                "request.{list}"
            );
        }
        assert_eq!(req["headersSize"], -1);
        assert!(req["bodySize"].is_i64());
        if req["method"] != "GET" {
            assert!(req["postData"]["mimeType"].is_string() && req["postData"]["text"].is_string());
        }
        let resp = &e["response"];
        assert!(resp["status"].is_u64() && resp["statusText"].is_string() && resp["httpVersion"].is_string());
        assert!(resp["cookies"].is_array() && resp["headers"].is_array());
        assert!(resp["content"]["size"].is_i64() && resp["content"]["mimeType"].is_string());
        assert_eq!(resp["redirectURL"], "");
        assert_eq!(resp["headersSize"], -1);
        assert!(resp["bodySize"].is_i64());
        assert!(e["cache"].is_object());
        let t = &e["timings"];
        assert!(t["send"].is_number() && t["wait"].is_number() && t["receive"].is_number());
    }
}

#[test]
fn export_writes_a_har_file_for_developer_tools() {
    let server = Server::start("har");
    server.traffic(PATCH_CLEAN);
    let dir = temp_dir("recordings-har-out");
    let out = dir.join("exchanges.har");
    let out_path = out.to_str().expect("UTF-8");
    scimlab()
        .args([
            "recordings",
            "export",
            "--format",
            "har",
            "--output",
            out_path,
            "--server",
            &server.url(),
            "--token",
            TOKEN,
        ])
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&out).expect("HAR written");
    assert!(!text.contains(TOKEN));
    let har: Value = serde_json::from_str(&text).expect("HAR is JSON");
    assert_har_shape(&har);
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["response"]["status"], 201);
    assert_eq!(entries[0]["response"]["statusText"], "Created");
    assert_eq!(
        entries[1]["request"]["queryString"][0],
        serde_json::json!({"name": "filter", "value": "userName eq \"bjensen\""})
    );
    assert_eq!(entries[2]["request"]["postData"]["text"], PATCH_CLEAN);
}

#[test]
fn verify_fails_on_a_must_finding_and_names_the_exchange() {
    let server = Server::start("verify-fail");
    server.traffic(PATCH_CAPITALISED);
    let out = scimlab().args(["recordings", "verify", "--data", server.data()]).assert().code(1);
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8");
    assert!(text.contains("FAIL client/rfc7644/3.5.2/op-lowercase (MUST, RFC 7644 3.5.2)"), "{text}");
    assert!(text.contains("  #3 (answered 200): PATCH /scim/v2/Users/"), "{text}");
    assert!(text.contains(r#"      | {"op":"Replace","path":"active","value":"False"}"#), "{text}");
    assert!(text.contains("FAIL client/rfc7643/2.3.2/boolean-not-string"), "{text}");
    assert!(text.contains("3 exchanges judged by 20 checks: 2 MUST checks failed (2 findings)"), "{text}");
}

#[test]
fn verify_writes_the_same_reports_a_run_writes() {
    let server = Server::start("verify-reports");
    server.traffic(PATCH_CAPITALISED);
    let dir = crate::temp_dir("verify-reports");
    let json = dir.join("verify.json");
    let junit = dir.join("verify.xml");
    scimlab()
        .args(["recordings", "verify", "--data", server.data(), "--report"])
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("junit={}", junit.display()))
        .assert()
        .code(1);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).expect("JSON report")).expect("JSON");
    assert_eq!(report["kind"], "recordings");
    let checks = report["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), 20, "one result per passive check");
    let op = checks.iter().find(|c| c["id"] == "client/rfc7644/3.5.2/op-lowercase").expect("the op check");
    assert_eq!((op["verdict"].as_str(), op["level"].as_str()), (Some("fail"), Some("MUST")));
    assert!(op["actual"].as_str().is_some_and(|a| a.contains("#3")), "{op}");
    assert_eq!(op["evidence"].as_array().map(Vec::len), Some(1));
    assert!(checks.iter().filter(|c| c["verdict"] == "pass").count() >= 15);
    let xml = std::fs::read_to_string(&junit).expect("JUnit report");
    assert!(xml.contains("client/rfc7644/3.5.2/op-lowercase") && xml.contains("<failure"), "{xml}");
}

#[test]
fn verify_passes_rfc_clean_traffic() {
    let server = Server::start("verify-pass");
    server.traffic(PATCH_CLEAN);
    scimlab()
        .args(["recordings", "verify", "--server", &server.url(), "--token", TOKEN])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 MUST checks failed").and(predicate::str::contains("FAIL").not()));
}

#[test]
fn unreadable_sources_are_usage_errors_naming_them() {
    scimlab()
        .args(["recordings", "list", "--data", "no/such/file.sqlite"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read data file no/such/file.sqlite"));
    scimlab()
        .args(["recordings", "list", "--data", "Cargo.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a SQLite database"));
    // Port 9 (discard) on loopback: nothing of ours listens there.
    scimlab()
        .args(["recordings", "list", "--server", "http://127.0.0.1:9"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot reach server http://127.0.0.1:9"));
    scimlab().args(["recordings", "list"]).assert().code(2).stderr(predicate::str::contains("--data FILE"));
    // A password in the URL is refused and never echoed.
    scimlab().args(["recordings", "list", "--server", "https://admin:hunter2-pw@127.0.0.1:9"]).assert().code(2).stderr(
        predicate::str::contains("credentials in the URL are not accepted")
            .and(predicate::str::contains("hunter2").not()),
    );
    let server = Server::start("wrong-token");
    scimlab()
        .args(["recordings", "list", "--server", &server.url(), "--token", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused the credentials (401)"));
}

/// Regression (issue 13): `--server https://...` was refused ("https is not supported"): the control API was read
/// with a hand-written HTTP/1.1 client. It is now read with the conformance client, with its TLS rules.
#[test]
fn recordings_are_read_over_https_with_the_certificate_checked() {
    let server = Server::start("https");
    server.traffic(PATCH_CLEAN);
    let from_file = scimlab().args(["recordings", "list", "--data", server.data()]).assert().success();
    let file_out = String::from_utf8(from_file.get_output().stdout.clone()).expect("UTF-8");
    assert_eq!(file_out.lines().count(), 3, "{file_out}");
    let https = server.https_url();
    scimlab()
        .args(["recordings", "list", "--server", &https, "--token", TOKEN, "--ca-cert", CA])
        .assert()
        .success()
        .stdout(file_out.clone());
    // No root the client trusts by default vouches for the test CA: refused, saying what failed, never the token.
    let refused = scimlab().args(["recordings", "list", "--server", &https, "--token", TOKEN]).assert().code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains(&format!("cannot reach server {https}")), "{stderr}");
    assert!(stderr.contains("certificate") && stderr.contains("--ca-cert FILE"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
    scimlab()
        .args(["recordings", "--insecure", "--server", &https, "list"])
        .env("SCIM_TOKEN", TOKEN)
        .assert()
        .success()
        .stdout(file_out);
}

/// The credential goes to the origin of `--server` and nowhere else: a redirect to another port is not followed
/// (the other port never sees a connection), and the token is printed nowhere.
#[test]
fn a_redirect_elsewhere_is_not_followed_with_the_credential() {
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let elsewhere_addr = elsewhere.local_addr().expect("addr");
    let redirector = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let redirector_addr = redirector.local_addr().expect("addr");
    let answer = std::thread::spawn(move || {
        let (mut stream, _) = redirector.accept().expect("the client connects");
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).expect("read") == 1 {
            head.push(byte[0]);
        }
        let reply = format!(
            "HTTP/1.1 302 Found\r\nLocation: http://{elsewhere_addr}/_scimlab/recordings\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        stream.write_all(reply.as_bytes()).expect("write");
        String::from_utf8_lossy(&head).into_owned()
    });
    let out = scimlab()
        .args(["recordings", "list", "--server", &format!("http://{redirector_addr}"), "--token", TOKEN])
        .assert()
        .code(2);
    let request = answer.join().expect("the redirector thread");
    assert!(request.starts_with("GET /_scimlab/recordings?after=0&limit=1000 HTTP/1.1"), "{request}");
    assert!(request.contains(&format!("Bearer {TOKEN}")), "the origin itself gets the token: {request}");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("answered 302"), "{stderr}");
    assert!(!stderr.contains(TOKEN) && !String::from_utf8_lossy(&out.get_output().stdout).contains(TOKEN));
    // Had the client followed the redirect, its connection would wait in this listener's queue now.
    elsewhere.set_nonblocking(true).expect("non-blocking");
    assert!(
        matches!(elsewhere.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the client connected to the redirect's target"
    );
}

/// Regression (issue 13): `--token` read SCIM_TOKEN through clap's `env` and conflicted with `--basic`, so an
/// exported SCIM_TOKEN made `--basic` a usage error. The flag wins now, and the variable is never echoed.
#[test]
fn an_exported_scim_token_does_not_conflict_with_basic() {
    let server = Server::start_with("basic", Auth::Basic { user: "ops".into(), pass: "pw-basic-4c1e".into() });
    let out = scimlab()
        .env("SCIM_TOKEN", "env-token-never-shown-77")
        .args(["recordings", "list", "--server", &server.url(), "--basic", "ops:pw-basic-4c1e"])
        .assert()
        .success();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.get_output().stdout),
        String::from_utf8_lossy(&out.get_output().stderr)
    );
    assert!(!text.contains("env-token-never-shown-77") && !text.contains("pw-basic-4c1e"), "{text}");
    // Without a flag the variable is the credential: the wrong one here, refused by the server, never printed.
    let refused = scimlab()
        .env("SCIM_TOKEN", "env-token-never-shown-77")
        .args(["recordings", "list", "--server", &server.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused the credentials (401)"));
    let text = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(!text.contains("env-token-never-shown-77"), "{text}");
    // Both flags are still the user's contradiction.
    scimlab()
        .args(["recordings", "list", "--server", &server.url(), "--basic", "ops:x", "--token", "t"])
        .assert()
        .code(2);
}
