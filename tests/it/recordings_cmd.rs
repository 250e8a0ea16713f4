//! `scimlab recordings list | show | export | verify`, reading a SQLite data file and a running server's control
//! API. The server is the mock SP's router served in-process on a loopback port, with a data file, so both
//! sources hold the same recordings.

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

/// A mock SP with a data file, served on 127.0.0.1 until dropped.
struct Server {
    addr: SocketAddr,
    data: PathBuf,
    _rt: tokio::runtime::Runtime,
}

impl Server {
    fn start(name: &str) -> Server {
        let dir = temp_dir(&format!("recordings-{name}"));
        let data = dir.join("data.sqlite");
        let _ = std::fs::remove_file(&data);
        let store = SqliteStore::open(&data).expect("open data file");
        let config = ServerConfig { auth: Auth::Bearer(TOKEN.to_owned()), ..ServerConfig::default() };
        let app = scimlab_mock_sp::router(AppState::new(Arc::new(store), config));
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
        let addr = listener.local_addr().expect("addr");
        rt.spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        Server { addr, data, _rt: rt }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
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
    let server = Server::start("wrong-token");
    scimlab()
        .args(["recordings", "list", "--server", &server.url(), "--token", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refused the credentials (401)"));
}
