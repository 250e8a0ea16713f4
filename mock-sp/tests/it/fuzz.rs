//! Fuzzing of the mock SP's request handling (issue 10, "Proof"): arbitrary methods, paths, queries, headers and
//! bodies of a few KB, sent to [`scimlab_mock_sp::router`] in-process with `tower::ServiceExt::oneshot`.
//!
//! Each case builds a fresh server (one of a few configurations) holding one User and one Group, sends one to
//! four requests, then a plain `GET /Users?count=1`. Properties: nothing panics; no answer is a 500 (no faults are
//! configured, so an internal error is a bug); every other error status (4xx, and the 501 of `/Me`) carries a
//! SCIM Error (RFC 7644 section 3.12) whose `status` repeats the HTTP status; a body labelled
//! `application/scim+json` or `application/json` is JSON; the closing GET still answers 200.
//!
//! Paths, queries and bodies start from the seed corpus in `protocol/tests/fuzz-corpus/` and are edited there
//! (tokens inserted, ranges deleted or repeated, JSON nodes replaced); headers come from lists of plausible and
//! hostile values. Fixed case counts keep `cargo test` quick; `SCIMLAB_FUZZ_CASES=N` runs a campaign by hand, and
//! `SCIMLAB_FUZZ_LOG=1` (with `--nocapture`) prints each request's status, to see what a campaign reached.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request, Uri};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::Config as ProptestConfig;
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use tower::ServiceExt;

const TOKEN: &str = "fuzz-token";
const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Cases per property: `default`, or `SCIMLAB_FUZZ_CASES` when set.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("SCIMLAB_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    ProptestConfig { cases, max_shrink_iters: 1024, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------------------------
// Seeds

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../protocol/tests/fuzz-corpus")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `.json` files of corpus folders, in name order (placeholders left in: filled per case).
fn json_files(dirs: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in dirs {
        let dir = corpus_dir().join(dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("corpus entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        out.extend(paths.iter().map(|p| read(p)));
    }
    out
}

/// Bodies: resources, PATCH and Bulk requests.
static BODIES: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| json_files(&["resources", "patch", "bulk"]));
/// Filters, PATCH paths (as `filter`, `attributes` and `sortBy` values).
static FILTERS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ["filters.txt", "patch-paths.txt"]
        .iter()
        .flat_map(|name| {
            let text = String::from_utf8(read(&corpus_dir().join(name))).expect("UTF-8");
            text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
});
/// Dictionaries of text worth inserting into JSON and into filters.
static JSON_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| tokens("json-tokens.json"));
static FILTER_TOKENS: LazyLock<Vec<String>> = LazyLock::new(|| tokens("filter-tokens.json"));

fn tokens(name: &str) -> Vec<String> {
    serde_json::from_slice(&read(&corpus_dir().join(name))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Paths to start from, relative to the server root; `{uid}` and `{gid}` are the seeded User and Group.
const PATHS: &[&str] = &[
    "/scim/v2/Users",
    "/scim/v2/Users/{uid}",
    "/scim/v2/Groups",
    "/scim/v2/Groups/{gid}",
    "/scim/v2/Users/.search",
    "/scim/v2/.search",
    "/scim/v2/Bulk",
    "/scim/v2/Me",
    "/scim/v2/ServiceProviderConfig",
    "/scim/v2/ResourceTypes",
    "/scim/v2/ResourceTypes/User",
    "/scim/v2/Schemas",
    "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
    "/scim/v2/Users/{uid}/extra",
    "/scim/v2/Widgets/1",
    "/scim/v2/",
    "/scim/v2",
    "/_scimlab/recordings",
    "/",
];

/// Text worth inserting into a path.
const PATH_TOKENS: &[&str] = &[
    "/", "//", ".", "..", "/..", "%2e%2e", "%2F", "%00", "%", "%zz", "%C3%A9", "%FF", ";", ";x=1", "~", "{uid}",
    "{gid}", "Users", "Groups", ".search", "Bulk", "urn:", ":", "@", "!", "$", "&", "'", "(", "*", "+", ",", "=", "é",
    " ", "\t", "\"", "<", "#", "?", "\\", "^", "`", "|",
];

const QUERY_KEYS: &[&str] = &[
    "filter",
    "attributes",
    "excludedAttributes",
    "sortBy",
    "sortOrder",
    "startIndex",
    "count",
    "after",
    "limit",
    "Filter",
    "COUNT",
    "",
    "filter[",
];

const NUMBERS: &[&str] =
    &["0", "1", "-1", "2", "10", "1000", "999999999999999999999", "-9223372036854775808", "1.5", "1e3", "", "x", " 1"];

const SORT_ORDERS: &[&str] = &["ascending", "descending", "ASCENDING", "up", ""];

// ---------------------------------------------------------------------------------------------------------------
// Requests

/// Which server a case runs against.
#[derive(Debug, Clone, Copy)]
enum Server {
    /// Defaults, bearer authentication.
    Bearer,
    /// `vary` on (random PATCH 200 / 204, numeric ids, short pages) with a fixed seed, Basic authentication.
    VaryBasic,
    /// No authentication and small limits, so the limit paths are reached.
    SmallLimits,
}

fn server(kind: Server) -> Router {
    let mut config = ServerConfig { auth: Auth::Bearer(TOKEN.to_owned()), ..ServerConfig::default() };
    match kind {
        Server::Bearer => {}
        Server::VaryBasic => {
            config.auth = Auth::Basic { user: "fuzz".to_owned(), pass: TOKEN.to_owned() };
            config.vary = true;
            config.seed = Some(7);
        }
        Server::SmallLimits => {
            config.auth = Auth::None;
            config.max_payload_bytes = 2048;
            config.max_bulk_operations = 2;
            config.max_results = 2;
            config.max_uri_bytes = 300;
            config.max_header_bytes = 600;
            config.max_headers = 8;
        }
    }
    scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config))
}

/// The credential header each server accepts.
fn good_auth(kind: Server) -> &'static str {
    match kind {
        Server::VaryBasic => "Basic ZnV6ejpmdXp6LXRva2Vu",
        _ => "Bearer fuzz-token",
    }
}

/// An edit of text: insert a token, delete a range, repeat a range.
#[derive(Debug, Clone)]
enum Edit {
    Token(Index, Index),
    Delete(Index, u8),
    Repeat(Index, u8, u8),
    Bytes(Index, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, t)| Edit::Token(at, t)),
        2 => (any::<Index>(), 1..24u8).prop_map(|(at, n)| Edit::Delete(at, n)),
        1 => (any::<Index>(), 1..16u8, 1..40u8).prop_map(|(at, n, t)| Edit::Repeat(at, n, t)),
        1 => (any::<Index>(), proptest::collection::vec(any::<u8>(), 1..6)).prop_map(|(at, b)| Edit::Bytes(at, b)),
    ]
}

fn mutate(seed: &[u8], edits: &[Edit], tokens: &[impl AsRef<str>], limit: usize) -> Vec<u8> {
    let mut out = seed.to_vec();
    for e in edits {
        match e {
            Edit::Token(at, t) => {
                let p = at.index(out.len() + 1);
                out.splice(p..p, t.get(tokens).as_ref().bytes());
            }
            Edit::Delete(at, n) => {
                let p = at.index(out.len() + 1);
                let end = (p + usize::from(*n)).min(out.len());
                out.drain(p..end);
            }
            Edit::Repeat(at, n, times) => {
                let p = at.index(out.len() + 1);
                let end = (p + usize::from(*n)).min(out.len());
                let copies = out[p..end].repeat(usize::from(*times));
                out.splice(end..end, copies);
            }
            Edit::Bytes(at, bytes) => {
                let p = at.index(out.len() + 1);
                out.splice(p..p, bytes.iter().copied());
            }
        }
        out.truncate(limit);
    }
    out
}

/// A body: none, a corpus seed (edited as text, or with a JSON node replaced), or arbitrary bytes.
#[derive(Debug, Clone)]
enum BodySpec {
    None,
    Seed(Index, Vec<Edit>),
    Node(Index, Index, Value),
    Bytes(Vec<u8>),
}

fn body_spec() -> impl Strategy<Value = BodySpec> {
    let hostile = prop_oneof![
        Just(json!(null)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1e300)),
        Just(json!("")),
        Just(json!([])),
        Just(json!({})),
        Just(json!("bulkId:qwerty")),
        Just(json!("{uid}")),
        Just(json!(["urn:x"])),
        Just(json!({"value": "{uid}", "primary": true})),
        Just(json!([{"op": "remove", "path": "members"}])),
        Just(json!("x".repeat(3000))),
        any::<Index>().prop_map(|i| json!(i.get::<String>(&FILTERS))),
        "\\PC{0,16}".prop_map(Value::String),
    ];
    prop_oneof![
        1 => Just(BodySpec::None),
        5 => (any::<Index>(), proptest::collection::vec(edit(), 0..5)).prop_map(|(s, e)| BodySpec::Seed(s, e)),
        4 => (any::<Index>(), any::<Index>(), hostile).prop_map(|(s, n, v)| BodySpec::Node(s, n, v)),
        1 => proptest::collection::vec(any::<u8>(), 0..2048).prop_map(BodySpec::Bytes),
    ]
}

/// Replaces the `n`th node (pre-order) of `v` with `with`.
fn replace_node(v: &mut Value, n: &mut usize, with: &Value) -> bool {
    if *n == 0 {
        *v = with.clone();
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(items) => items.iter_mut().any(|c| replace_node(c, n, with)),
        Value::Object(members) => members.values_mut().any(|c| replace_node(c, n, with)),
        _ => false,
    }
}

fn count_nodes(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(members) => members.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// One fuzzed request, before the seeded ids are filled in.
#[derive(Debug, Clone)]
struct Spec {
    method: &'static str,
    path: (Index, Vec<(Index, Index)>),
    query: Vec<(&'static str, QueryValue)>,
    content_type: Option<&'static str>,
    headers: Vec<(&'static str, String)>,
    auth: u8,
    body: BodySpec,
}

#[derive(Debug, Clone)]
enum QueryValue {
    Filter(Index, Vec<Edit>),
    Word(&'static str),
    Text(String),
}

fn query_value() -> impl Strategy<Value = QueryValue> {
    prop_oneof![
        3 => (any::<Index>(), proptest::collection::vec(edit(), 0..3)).prop_map(|(i, e)| QueryValue::Filter(i, e)),
        2 => select(NUMBERS).prop_map(QueryValue::Word),
        1 => select(SORT_ORDERS).prop_map(QueryValue::Word),
        1 => "\\PC{0,30}".prop_map(QueryValue::Text),
    ]
}

fn header() -> impl Strategy<Value = (&'static str, String)> {
    let content_types = select(
        &[
            "application/scim+json",
            "application/scim+json; charset=utf-8",
            "application/json",
            "Application/SCIM+JSON",
            "application/scim+json; charset=latin1",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "",
            ";;;",
        ][..],
    );
    let etags = select(&["*", "W/\"1\"", "\"1\"", "W/", "\"", "W/\"1\", \"2\"", "", "x"][..]);
    prop_oneof![
        2 => content_types.prop_map(|v| ("content-type", v.to_owned())),
        1 => etags.clone().prop_map(|v| ("if-match", v.to_owned())),
        1 => etags.prop_map(|v| ("if-none-match", v.to_owned())),
        1 => select(&["application/scim+json", "text/html", "*/*", ""][..]).prop_map(|v| ("accept", v.to_owned())),
        1 => select(&["sp.test", "evil.example", "127.0.0.1:1", "[::1]:8080", "", "a b"][..]).prop_map(|v| ("host", v.to_owned())),
        1 => select(&["gzip", "br", "identity"][..]).prop_map(|v| ("content-encoding", v.to_owned())),
        1 => select(&["PATCH", "DELETE", "GET"][..]).prop_map(|v| ("x-http-method-override", v.to_owned())),
        1 => select(&["10", "0", "-1", "99999999999999999999", "x"][..]).prop_map(|v| ("content-length", v.to_owned())),
        1 => select(&["chunked", "gzip, chunked"][..]).prop_map(|v| ("transfer-encoding", v.to_owned())),
        1 => "[ -~\\x80-\\xff]{0,60}".prop_map(|v| ("x-fuzz", v)),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    let method = select(
        &["GET", "GET", "POST", "POST", "PUT", "PATCH", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "FOO", "get"][..],
    );
    // Most paths are left as they are, so most requests reach a handler.
    let path_edits = prop_oneof![
        3 => Just(Vec::new()),
        1 => proptest::collection::vec((any::<Index>(), any::<Index>()), 1..4),
    ];
    let path = (any::<Index>(), path_edits);
    let content_type = prop_oneof![
        6 => Just(Some("application/scim+json")),
        1 => Just(Some("application/json; charset=utf-8")),
        1 => Just(None),
    ];
    let query = proptest::collection::vec((select(QUERY_KEYS), query_value()), 0..4);
    (method, path, query, content_type, proptest::collection::vec(header(), 0..4), any::<u8>(), body_spec()).prop_map(
        |(method, path, query, content_type, headers, auth, body)| Spec {
            method,
            path,
            query,
            content_type,
            headers,
            auth,
            body,
        },
    )
}

/// Percent-encodes what a request target cannot carry as it is (and `%` too when `all`).
fn encode(bytes: &[u8], keep: &[u8], all: bool) -> String {
    let mut out = String::new();
    for &b in bytes {
        let plain = b.is_ascii_alphanumeric() || keep.contains(&b) || (!all && b == b'%');
        if plain {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The request a spec describes, with the seeded ids filled in.
fn build(spec: &Spec, kind: Server, uid: &str, gid: &str) -> Request<Body> {
    let fill = |s: &str| s.replace("{uid}", uid).replace("{gid}", gid);
    let mut path = fill(spec.path.0.get::<&str>(PATHS)).into_bytes();
    for (at, token) in &spec.path.1 {
        let p = at.index(path.len() + 1);
        path.splice(p..p, fill(token.get::<&str>(PATH_TOKENS)).bytes());
    }
    if path.first() != Some(&b'/') {
        path.insert(0, b'/');
    }
    let path_keep = b"/-._~!$&'()*+,;=:@";
    let mut target = encode(&path, path_keep, false);
    let mut sep = '?';
    for (key, value) in &spec.query {
        let value = match value {
            QueryValue::Filter(i, edits) => mutate(i.get::<String>(&FILTERS).as_bytes(), edits, &FILTER_TOKENS, 2048),
            QueryValue::Word(w) => w.as_bytes().to_vec(),
            QueryValue::Text(t) => t.as_bytes().to_vec(),
        };
        target.push(sep);
        target.push_str(&encode(key.as_bytes(), b"-._~[", true));
        target.push('=');
        target.push_str(&encode(&value, b"-._~:", true));
        sep = '&';
    }
    let uri = Uri::try_from(target.as_str())
        .or_else(|_| Uri::try_from(encode(target.as_bytes(), b"/-._~!$&'()*+,;=:@?", true)))
        .expect("an all-encoded target is a valid URI");
    let method = Method::from_bytes(spec.method.as_bytes()).expect("method token");
    let mut req = Request::builder().method(method).uri(uri);
    // One request in four carries a wrong, malformed or no credential.
    let auth = match (spec.auth % 4, spec.auth / 4 % 5) {
        (0, 0) => None,
        (0, 1) => Some("Bearer wrong"),
        (0, 2) => Some("Basic Zm9vOmJhcg=="),
        (0, 3) => Some("bearer fuzz-token"),
        (0, _) => Some("Bearer"),
        _ => Some(good_auth(kind)),
    };
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    if let Some(ct) = spec.content_type {
        req = req.header("content-type", ct);
    }
    for (name, value) in &spec.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_bytes(value.as_bytes())) {
            req = req.header(n, v);
        }
    }
    let body = match &spec.body {
        BodySpec::None => Vec::new(),
        BodySpec::Seed(i, edits) => {
            let seed = fill(&String::from_utf8_lossy(i.get::<Vec<u8>>(&BODIES)));
            mutate(seed.as_bytes(), edits, &JSON_TOKENS, 6 * 1024)
        }
        BodySpec::Node(i, n, with) => {
            let seed = fill(&String::from_utf8_lossy(i.get::<Vec<u8>>(&BODIES)));
            let mut v: Value = serde_json::from_str(&seed).expect("corpus JSON");
            let with: Value = serde_json::from_str(&fill(&with.to_string())).expect("JSON");
            let mut at = n.index(count_nodes(&v));
            replace_node(&mut v, &mut at, &with);
            serde_json::to_vec(&v).expect("serialises")
        }
        BodySpec::Bytes(b) => b.clone(),
    };
    req.body(Body::from(body)).expect("a request from valid parts")
}

/// What the server answered.
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let resp = app.clone().oneshot(req).await.expect("the router is infallible");
    let status = resp.status().as_u16();
    let content_type = resp.headers().get("content-type").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = resp.into_body().collect().await.expect("a response body").to_bytes().to_vec();
    Answer { status, content_type, body }
}

/// Creates the User and Group every case starts with; returns their ids.
async fn seed(app: &Router, kind: Server) -> (String, String) {
    let mut ids = Vec::new();
    for (path, body) in [
        (
            "/scim/v2/Users",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "fuzz",
            "emails": [{"value": "f@example.com", "type": "work", "primary": true}]}),
        ),
        ("/scim/v2/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"})),
    ] {
        let req = Request::post(path)
            .header("authorization", good_auth(kind))
            .header("content-type", "application/scim+json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let answer = send(app, req).await;
        assert_eq!(answer.status, 201, "seeding {path}: {}", String::from_utf8_lossy(&answer.body));
        let v: Value = serde_json::from_slice(&answer.body).expect("JSON");
        ids.push(v["id"].as_str().expect("an id").to_owned());
    }
    let gid = ids.pop().expect("two ids");
    (ids.pop().expect("two ids"), gid)
}

/// The properties of one answer (see the module comment).
fn judge(what: &str, head: bool, a: &Answer) -> Result<(), TestCaseError> {
    let text = String::from_utf8_lossy(&a.body);
    if std::env::var_os("SCIMLAB_FUZZ_LOG").is_some() {
        // One line per request, for counting what a campaign reached (`--nocapture`).
        eprintln!("fuzz-answer {} {what}", a.status);
    }
    prop_assert!(a.status != 500, "{what} answered 500: {text}");
    let json_type = a.content_type.as_deref().is_some_and(|ct| {
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        essence == "application/scim+json" || essence == "application/json"
    });
    let empty_allowed = head || a.status == 204 || a.status == 304;
    if json_type && !(empty_allowed && a.body.is_empty()) {
        prop_assert!(
            serde_json::from_slice::<Value>(&a.body).is_ok(),
            "{what}: {} {:?} not JSON: {text}",
            a.status,
            a.content_type
        );
    }
    if a.status >= 400 && !(head && a.body.is_empty()) {
        let e: Value = serde_json::from_slice(&a.body)
            .map_err(|_| TestCaseError::fail(format!("{what}: {} without a SCIM Error body: {text:?}", a.status)))?;
        prop_assert!(json_type, "{what}: {} error body labelled {:?}", a.status, a.content_type);
        prop_assert!(
            e["schemas"].as_array().is_some_and(|s| s.iter().any(|u| u == ERROR_URN)),
            "{what}: {} body is not a SCIM Error: {text}",
            a.status
        );
        prop_assert_eq!(&e["status"], &json!(a.status.to_string()), "{}: {}", what, text);
    }
    Ok(())
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime"));

fn run_case(kind: Server, specs: &[Spec]) -> Result<(), TestCaseError> {
    RUNTIME.block_on(async {
        let app = server(kind);
        let (uid, gid) = seed(&app, kind).await;
        for spec in specs {
            let req = build(spec, kind, &uid, &gid);
            let what = format!("{} {}", req.method(), req.uri());
            let head = req.method() == Method::HEAD;
            let answer = send(&app, req).await;
            judge(&what, head, &answer)?;
        }
        let req = Request::get("/scim/v2/Users?count=1").header("authorization", good_auth(kind)).body(Body::empty());
        let after = send(&app, req.expect("request")).await;
        prop_assert_eq!(after.status, 200, "the server still answers: {}", String::from_utf8_lossy(&after.body));
        Ok(())
    })
}

#[test]
fn corpus_bodies_are_json() {
    for body in BODIES.iter() {
        serde_json::from_slice::<Value>(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)));
    }
    assert!(!FILTERS.is_empty() && !JSON_TOKENS.is_empty());
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn mock_sp_answers_every_request(
        kind in select(&[Server::Bearer, Server::VaryBasic, Server::SmallLimits][..]),
        specs in proptest::collection::vec(spec(), 1..=4),
    ) {
        run_case(kind, &specs)?;
    }
}
