//! The recorder and the control API end to end: the router served on a loopback socket with connect info (as
//! `scimlab serve` runs it), real HTTP/1.1 requests, and the recordings read back through `/_scimlab/recordings`
//! and through a SQLite data file. No credential may survive anywhere in a recording.

use scimlab_mock_sp::store::{MemoryStore, SqliteStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig, verify};
use scimlab_protocol::exchange::Exchange;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;

const TOKEN: &str = "tok-7d1e93c2-recorder-secret";
const WRONG: &str = "tok-wrong-55aa";
const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// A mock SP served on 127.0.0.1 with an ephemeral port, stopped when dropped (with its runtime).
struct Server {
    addr: SocketAddr,
    _rt: tokio::runtime::Runtime,
}

fn serve(store: Arc<dyn Store>, config: ServerConfig) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let app = scimlab_mock_sp::router(AppState::new(store, config));
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    rt.spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Server { addr, _rt: rt }
}

fn config() -> ServerConfig {
    ServerConfig { auth: Auth::Bearer(TOKEN.to_owned()), max_payload_bytes: 4096, ..ServerConfig::default() }
}

/// One HTTP/1.1 request on its own connection; the status and body of the answer.
fn send(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)], body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    req.push_str("\r\n");
    req.push_str(body.unwrap_or(""));
    stream.write_all(req.as_bytes()).expect("write");
    let mut raw = Vec::new();
    // The server may answer (413) before reading the whole body and close; what it sent is still readable.
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete head");
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("status");
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(body) } else { body.into() };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Reads every recording through the control API.
fn control(addr: SocketAddr, query: &str) -> (u16, String) {
    send(addr, "GET", &format!("/_scimlab/recordings{query}"), &[("Authorization", &bearer())], None)
}

fn recordings(addr: SocketAddr) -> Vec<(u64, Exchange)> {
    let (status, body) = control(addr, "");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("JSON");
    v["recordings"]
        .as_array()
        .expect("recordings array")
        .iter()
        .map(|r| (r["seq"].as_u64().expect("seq"), serde_json::from_value(r["exchange"].clone()).expect("exchange")))
        .collect()
}

/// The traffic every test sends: a create, a lookup with a token in the query, a refused token, a PATCH with a
/// bare token and Entra's capitalised op, and a path outside the SCIM base.
fn traffic(addr: SocketAddr) {
    let auth = bearer();
    let user = json!({"schemas": [USER_URN], "userName": "bjensen", "active": true}).to_string();
    let ua = ("User-Agent", "recorder-test/1.0");
    let ct = ("Content-Type", "application/scim+json");
    let (status, created) = send(
        addr,
        "POST",
        "/scim/v2/Users",
        &[("Authorization", &auth), ct, ua, ("Accept", "application/scim+json")],
        Some(&user),
    );
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<Value>(&created).expect("JSON")["id"].as_str().expect("id").to_owned();
    let lookup = format!("/scim/v2/Users?filter=userName%20eq%20%22bjensen%22&access_token={TOKEN}");
    assert_eq!(send(addr, "GET", &lookup, &[("Authorization", &auth), ua], None).0, 200);
    assert_eq!(send(addr, "GET", "/scim/v2/Users", &[("Authorization", &format!("Bearer {WRONG}")), ua], None).0, 401);
    let patch = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#;
    let (status, _) =
        send(addr, "PATCH", &format!("/scim/v2/Users/{id}"), &[("Authorization", TOKEN), ct, ua], Some(patch));
    assert_eq!(status, 200);
    assert_eq!(send(addr, "GET", "/elsewhere", &[("Authorization", &auth)], None).0, 404);
}

fn assert_no_credentials(text: &str) {
    assert!(!text.contains(TOKEN), "the token appears in a recording");
    assert!(!text.contains(WRONG), "the refused token appears in a recording");
}

#[test]
fn every_exchange_is_recorded_with_its_client_and_without_credentials() {
    let server = serve(Arc::new(MemoryStore::default()), config());
    traffic(server.addr);
    let recs = recordings(server.addr);
    // Reading did not add to what is read: the control API is not recorded.
    assert_eq!(recordings(server.addr).len(), recs.len());
    let lines: Vec<(u64, &str, &str, u16)> = recs
        .iter()
        .map(|(seq, e)| {
            (
                *seq,
                e.request.method.as_str(),
                e.request.url.split('?').next().unwrap_or(""),
                e.response.as_ref().map_or(0, |r| r.status),
            )
        })
        .collect();
    let id_path = lines[3].2;
    assert_eq!(
        lines,
        [
            (1, "POST", "/scim/v2/Users", 201),
            (2, "GET", "/scim/v2/Users", 200),
            (3, "GET", "/scim/v2/Users", 401),
            (4, "PATCH", id_path, 200),
            (5, "GET", "/elsewhere", 404)
        ]
    );
    for (seq, e) in &recs {
        assert_eq!(e.id, *seq);
        assert!(e.client.as_deref().is_some_and(|c| c.starts_with("127.0.0.1:")), "{:?}", e.client);
        assert!(e.timings.ttfb_us.is_some_and(|t| t <= e.timings.total_us));
        assert_eq!(e.error, None);
    }
    let post = &recs[0].1;
    assert_eq!(post.request.header("user-agent"), Some("recorder-test/1.0"));
    assert_eq!(post.request.header("authorization"), Some("Bearer [redacted]"));
    assert!(post.request.body.as_deref().is_some_and(|b| b.contains("bjensen")));
    let resp = post.response.as_ref().expect("response");
    assert_eq!(resp.header("content-type"), Some("application/scim+json"));
    assert!(resp.body.as_deref().is_some_and(|b| b.contains("\"meta\"")));
    assert!(recs[1].1.request.url.ends_with("access_token=[redacted]"), "{}", recs[1].1.request.url);
    assert_eq!(recs[2].1.request.header("authorization"), Some("Bearer [redacted]"));
    assert_eq!(recs[3].1.request.header("authorization"), Some("[redacted]"));
    let (_, raw) = control(server.addr, "");
    assert_no_credentials(&raw);

    // The recordings are evidence for the passive checks.
    let verdicts = verify::verify(recs.iter().map(|(s, e)| (*s, e)));
    let found = |id: &str| verdicts.iter().filter(|v| v.check.id == id).map(|v| v.seq).collect::<Vec<_>>();
    assert_eq!(found("client/rfc7644/3.5.2/op-lowercase"), [4]);
    assert_eq!(found("client/rfc7643/2.3.2/boolean-not-string"), [4]);
    assert_eq!(found("client/rfc7235/2.1/authorization-scheme"), [4]);
    assert_eq!(found("client/rfc7231/5.5.3/user-agent"), [5]);
}

#[test]
fn the_control_api_pages_and_checks_its_callers() {
    let server = serve(Arc::new(MemoryStore::default()), config());
    traffic(server.addr);
    let (status, body) = control(server.addr, "?after=2&limit=2");
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).expect("JSON");
    let seqs: Vec<u64> = v["recordings"].as_array().expect("array").iter().filter_map(|r| r["seq"].as_u64()).collect();
    assert_eq!(seqs, [3, 4]);
    let (status, body) = control(server.addr, "?after=x");
    assert_eq!(status, 400);
    assert!(body.contains("after"), "{body}");
    let (status, _) = send(server.addr, "GET", "/_scimlab/recordings", &[], None);
    assert_eq!(status, 401, "the control API asks for the SCIM credentials");
    let (status, _) = send(server.addr, "POST", "/_scimlab/recordings", &[("Authorization", &bearer())], Some("{}"));
    assert_eq!(status, 405);
    assert_eq!(recordings(server.addr).len(), 5, "none of these were recorded");
}

#[test]
fn an_oversized_body_is_refused_and_recorded_truncated() {
    let server = serve(Arc::new(MemoryStore::default()), config());
    let big = format!(r#"{{"schemas":["{USER_URN}"],"userName":"big","displayName":"{}"}}"#, "x".repeat(5_000));
    let headers = [("Authorization", bearer()), ("Content-Type", "application/scim+json".to_owned())];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    assert_eq!(send(server.addr, "POST", "/scim/v2/Users", &headers, Some(&big)).0, 413);
    let recs = recordings(server.addr);
    let e = &recs.last().expect("recorded").1;
    assert_eq!(e.response.as_ref().map(|r| r.status), Some(413));
    assert_eq!(e.request.body.as_deref().map(str::len), Some(4096));
    assert!(e.error.as_deref().is_some_and(|n| n.contains("4096-byte payload limit")), "{:?}", e.error);
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("scimlab-recorder-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_sqlite_data_file_keeps_the_recordings() {
    let dir = TempDir::new("sqlite");
    let path = dir.0.join("data.sqlite");
    let store = SqliteStore::open(&path).expect("open");
    let server = serve(Arc::new(store), config());
    traffic(server.addr);
    let via_api = recordings(server.addr);
    // A second reader of the same file, as `scimlab recordings --data` is.
    let reader = SqliteStore::open(&path).expect("reopen");
    let mut via_file = reader.recordings(0, 100).expect("recordings");
    for (seq, e) in &mut via_file {
        e.id = *seq;
    }
    assert_eq!(via_file.len(), 5);
    assert_eq!(via_file, via_api);
    drop(server);
    for entry in std::fs::read_dir(&dir.0).expect("dir").flatten() {
        let bytes = std::fs::read(entry.path()).expect("read");
        assert_no_credentials(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn nothing_is_recorded_when_recording_is_off() {
    let store = Arc::new(MemoryStore::default());
    let server = serve(store.clone(), ServerConfig { record: false, ..config() });
    traffic(server.addr);
    assert_eq!(store.recordings(0, 100).expect("recordings"), []);
}

#[test]
fn without_connect_info_the_client_is_unknown() {
    use tower::ServiceExt;
    let store = Arc::new(MemoryStore::default());
    let app = scimlab_mock_sp::router(AppState::new(store.clone(), ServerConfig::default()));
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let req = axum::http::Request::get("/scim/v2/Users").body(axum::body::Body::empty()).expect("request");
    let resp = rt.block_on(app.oneshot(req)).expect("response");
    assert_eq!(resp.status(), 200);
    let recs = store.recordings(0, 10).expect("recordings");
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].1.client, None);
}
