//! The recording client: requests reach the server, exchanges are recorded and never hold the credential.

use crate::start_mock_sp;
use scimlab_mock_idp::{ClientError, ClientOptions, Credential, ScimClient, ScimRequest};
use serde_json::json;

#[tokio::test]
async fn create_and_lookup_record_redacted_exchanges() {
    let base = start_mock_sp("tok-123").await;
    let client =
        ScimClient::new(&base, Credential::Bearer("tok-123".into()), ClientOptions::default()).expect("client");
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a@example.com"});
    let created = client.send(ScimRequest::json(reqwest::Method::POST, "/Users", &user)).await.expect("create");
    assert_eq!(created.status, 201);
    assert!(created.header("location").is_some());
    let found = client
        .send(ScimRequest::get("/Users").query("filter", r#"userName eq "A@example.com""#))
        .await
        .expect("lookup");
    assert_eq!(found.body_json()["totalResults"], 1);
    for ex in [&created.exchange, &found.exchange] {
        let text = serde_json::to_string(ex).expect("serialise");
        assert!(!text.contains("tok-123"), "credential leaked into {text}");
        assert!(text.contains("Bearer"), "the scheme word is kept");
    }
    assert!(found.exchange.request.url.contains("filter=userName%20eq%20%22A%40example.com%22"));
}

#[tokio::test]
async fn a_wrong_token_is_a_response_not_an_error() {
    let base = start_mock_sp("right").await;
    let client = ScimClient::new(&base, Credential::Bearer("wrong".into()), ClientOptions::default()).expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("a 401 is a response");
    assert_eq!(r.status, 401);
    assert_eq!(r.body_json()["status"], "401");
}

#[tokio::test]
async fn an_unreachable_server_is_a_transport_error_with_the_request_recorded() {
    // A socket bound to a loopback port and never listening: connections to it are refused, and the port stays
    // this test's while the client retries (a port found by binding and dropping a listener could be taken by
    // another test's server in the meantime, which happened once in a stress run: a 401 instead of a refusal).
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    let port = socket.local_addr().expect("addr").port();
    let client =
        ScimClient::new(&format!("http://127.0.0.1:{port}/scim/v2"), Credential::None, ClientOptions::default())
            .expect("client");
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Transport { exchange, reason, .. }) => {
            assert!(reason.contains("connect"), "{reason}");
            assert!(exchange.response.is_none());
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    drop(socket);
}

fn faulty(spec: &str) -> impl FnOnce(&mut scimlab_mock_sp::ServerConfig) {
    let faults = scimlab_mock_sp::faults::parse_faults(&[spec.to_owned()]).expect("a fault spec");
    move |c| {
        c.faults = faults;
        c.seed = Some(7);
    }
}

#[tokio::test]
async fn throttled_requests_are_retried_and_the_attempts_kept() {
    let base = crate::start_mock_sp_with("t0k", faulty("429=50%:retry-after=0")).await;
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), ClientOptions::default()).expect("client");
    let mut retried = 0;
    for _ in 0..20 {
        let r = client.send(ScimRequest::get("/Users")).await.expect("retried until answered");
        assert_eq!(r.status, 200);
        assert!(r.retried.iter().all(|x| x.response.as_ref().is_some_and(|p| p.status == 429)));
        retried += r.retried.len();
    }
    assert!(retried > 0, "half of the answers were 429: some requests must have been retried");
}

#[tokio::test]
async fn a_server_that_only_throttles_exhausts_the_budget_as_unstable() {
    let base = crate::start_mock_sp_with("t0k", faulty("429=100%:retry-after=0")).await;
    let options = ClientOptions {
        retry: scimlab_mock_idp::client::RetryPolicy {
            per_request: 4,
            backoff: std::time::Duration::from_millis(1),
            ..scimlab_mock_idp::client::RetryPolicy::with_budget(5)
        },
        ..ClientOptions::default()
    };
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), options).expect("client");
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Unstable { attempts, reason, .. }) => {
            assert_eq!(attempts.len(), 5, "four retries after the first attempt");
            assert!(reason.contains("429"), "{reason}");
        }
        other => panic!("expected the retries to run out, got {other:?}"),
    }
    // The run-wide budget (5) has one retry left: the next request gets one retry, then gives up.
    match client.send(ScimRequest::get("/Users")).await {
        Err(ClientError::Unstable { attempts, .. }) => assert_eq!(attempts.len(), 2),
        other => panic!("expected the budget to run out, got {other:?}"),
    }
}

#[tokio::test]
async fn other_origins_are_never_contacted() {
    let base = start_mock_sp("t0k").await;
    let client = ScimClient::new(&base, Credential::Bearer("t0k".into()), ClientOptions::default()).expect("client");
    let port = base.split(':').nth(2).and_then(|p| p.split('/').next()).expect("a port");
    for url in [
        "http://example.invalid/scim/v2/Users/1".to_owned(),
        format!("http://127.0.0.2:{port}/scim/v2/Users"),
        format!("https://127.0.0.1:{port}/scim/v2/Users"),
        "http://127.0.0.1:9/scim/v2/Users".to_owned(),
    ] {
        match client.send(ScimRequest::get(&url)).await {
            Err(ClientError::Refused(why)) => assert!(why.contains("origin"), "{why}"),
            other => panic!("{url} must be refused before any lookup or connection, got {other:?}"),
        }
    }
    assert!(client.send(ScimRequest::get(format!("{base}/Users"))).await.is_ok(), "the base origin is fine");
}

#[tokio::test]
async fn echoed_credentials_are_scrubbed_from_everything_returned() {
    use axum::routing::get;
    let secret = "s3cret-T0KEN.with+odd/chars";
    let app = axum::Router::new().route(
        "/scim/v2/Users",
        get(|headers: axum::http::HeaderMap| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            ([("x-debug-auth", auth.clone())], format!(r#"{{"echo":"{auth}","detail":"{auth}"}}"#))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::Bearer(secret.into()), ClientOptions::default())
            .expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("answered");
    let everything = format!("{} {:?} {}", r.text(), r.headers, serde_json::to_string(&r.exchange).expect("json"));
    assert!(!everything.contains(secret), "{everything}");
    assert!(r.body_json()["echo"].as_str().is_some_and(|e| e.contains("[redacted]")));
}

#[test]
fn credentials_and_queries_in_the_base_url_are_refused_without_echoing_them() {
    for url in ["http://user:hunter22@127.0.0.1:1/scim/v2", "http://127.0.0.1:1/scim/v2?token=hunter22"] {
        let e = ScimClient::new(url, Credential::None, ClientOptions::default()).expect_err("refused");
        let msg = e.to_string();
        assert!(!msg.contains("hunter22"), "{msg}");
        assert!(msg.contains("--basic") || msg.contains("--token"), "{msg}");
    }
}

#[tokio::test]
async fn evidence_keeps_a_bounded_excerpt_of_large_bodies() {
    use axum::routing::get;
    let app = axum::Router::new().route("/scim/v2/Users", get(|| async { "x".repeat(1_000_000) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::None, ClientOptions::default()).expect("client");
    let r = client.send(ScimRequest::get("/Users")).await.expect("answered");
    assert_eq!(r.body.len(), 1_000_000, "the check sees the whole body");
    let kept = r.exchange.response.and_then(|x| x.body).expect("an excerpt");
    assert!(kept.len() < 70 * 1024, "{}", kept.len());
    assert!(kept.ends_with("of 1000000 bytes of this body]"));
}

/// What [`express_like_server`] saw: the connection (numbered from 0) and request line of every request it read;
/// for the connection it gave up, `reset` when a request arrived on it anyway, or `closed` when the client closed it.
type Seen = tokio::sync::mpsc::UnboundedReceiver<(usize, String)>;

/// A raw HTTP/1.1 server on 127.0.0.1:0 that answers every POST with a 201, except the first of them: that one gets
/// a 500 before its body is read, and then its connection is dropped without a `Connection: close`, the way Express
/// destroys the socket when an error reaches its final handler after the answer went out (SCIMMY Routers pass every
/// 5xx on). It waits to see whether the client sends another request on that connection, and if so closes it with
/// the request unread, which makes the kernel answer with a reset.
async fn express_like_server() -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        for conn in 0.. {
            let Ok((stream, _)) = listener.accept().await else { return };
            tokio::spawn(serve_express_like(stream, conn, refused.clone(), tx.clone()));
        }
    });
    (format!("http://{addr}/scim/v2"), rx)
}

async fn serve_express_like(
    stream: tokio::net::TcpStream,
    conn: usize,
    refused: std::sync::Arc<std::sync::atomic::AtomicBool>,
    seen: tokio::sync::mpsc::UnboundedSender<(usize, String)>,
) {
    let mut buf = Vec::new();
    loop {
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            if !read_some(&stream, &mut buf).await {
                return;
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let line = head.lines().next().unwrap_or("").to_owned();
        let length: usize = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        let fail = line.starts_with("POST") && !refused.swap(true, std::sync::atomic::Ordering::SeqCst);
        if fail {
            // Answered before the body is read: what a server does when it gives up on a request early.
            let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500"}"#;
            let answer = format!("HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\n\r\n{body}", body.len());
            write_all(&stream, answer.as_bytes()).await;
        }
        while buf.len() < head_end + length {
            if !read_some(&stream, &mut buf).await {
                return;
            }
        }
        buf.drain(..head_end + length);
        let _ = seen.send((conn, line));
        if fail {
            // The client closing the connection is fine; a request arriving on it is closed unread: a reset.
            let mut next = [0u8; 1];
            if !buf.is_empty() || stream.peek(&mut next).await.is_ok_and(|n| n > 0) {
                let _ = stream.set_zero_linger();
                drop(stream);
                let _ = seen.send((conn, "reset".to_owned()));
            } else {
                let _ = seen.send((conn, "closed".to_owned()));
            }
            return;
        }
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u{conn}","userName":"u{conn}"}}"#
        );
        let answer = format!("HTTP/1.1 201 Created\r\ncontent-length: {}\r\n\r\n{body}", body.len());
        if !write_all(&stream, answer.as_bytes()).await {
            return;
        }
    }
}

/// Appends what the socket has to `buf`; false at the end of the stream or on an error.
async fn read_some(stream: &tokio::net::TcpStream, buf: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 4096];
    loop {
        if stream.readable().await.is_err() {
            return false;
        }
        match stream.try_read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return false,
        }
    }
}

async fn write_all(stream: &tokio::net::TcpStream, mut data: &[u8]) -> bool {
    while !data.is_empty() {
        if stream.writable().await.is_err() {
            return false;
        }
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(_) => return false,
        }
    }
    true
}

fn create(n: usize) -> ScimRequest {
    let user = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("u{n}")});
    ScimRequest::json(reqwest::Method::POST, "/Users", &user)
}

/// SCIMMY on Express (interop/scimmy-test.sh) failed one run in two with "connection reset by peer" on a POST or
/// PATCH: it went on the keep-alive connection of an earlier 5xx, which Express destroys right after answering.
#[tokio::test]
async fn a_post_after_a_5xx_does_not_meet_the_reset_of_its_connection() {
    let (base, mut seen) = express_like_server().await;
    let client = ScimClient::new(&base, Credential::None, ClientOptions::default()).expect("client");
    let failed = client.send(create(0)).await.expect("a 500 is a response");
    assert_eq!(failed.status, 500);
    let mut answered = Vec::new();
    for n in 1..4 {
        answered.push(client.send(create(n)).await.map(|r| r.status).map_err(|e| e.to_string()));
    }
    drop(client);
    // The server reads every request before answering it, so each is in the channel; the given-up connection
    // reports how it ended once the client has used or closed it.
    let mut requests = Vec::new();
    let end = loop {
        match seen.recv().await {
            Some((0, line)) if line == "reset" || line == "closed" => break line,
            Some(request) => requests.push(request),
            None => unreachable!("the server keeps its sender"),
        }
    };
    assert_eq!(end, "closed", "a request was sent on the connection the server gave up: {answered:?}");
    assert_eq!(answered, vec![Ok(201); 3]);
    assert!(requests[1..].iter().all(|(conn, _)| *conn != 0), "{requests:?}");
}

/// The POSTs to a well-behaved server keep their connection: keep-alive is given up only after an answer that
/// may be followed by a close.
#[tokio::test]
async fn posts_to_a_well_behaved_server_reuse_their_connection() {
    let (base, mut seen) = express_like_server().await;
    let client = ScimClient::new(&base, Credential::None, ClientOptions::default()).expect("client");
    assert_eq!(client.send(create(0)).await.expect("answered").status, 500);
    for n in 1..11 {
        assert_eq!(client.send(create(n)).await.expect("answered").status, 201);
    }
    let mut per_connection = std::collections::BTreeMap::<usize, usize>::new();
    while let Ok((conn, line)) = seen.try_recv() {
        if line.starts_with("POST") && conn != 0 {
            *per_connection.entry(conn).or_default() += 1;
        }
    }
    assert_eq!(per_connection.values().sum::<usize>(), 10, "{per_connection:?}");
    assert!(per_connection.values().any(|&n| n >= 2), "no connection carried two POSTs: {per_connection:?}");
}

/// A server that answers HTTP/1.0 and closes every connection takes a connection per request; the client keeps at
/// most four requests in flight against it, below the listen queue of five simple servers keep.
#[tokio::test]
async fn a_server_without_keep_alive_caps_the_requests_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let answer = "HTTP/1.0 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 2\r\n\r\n{}";
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    let client = ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::None, ClientOptions::default())
        .expect("client")
        .with_gate(std::sync::Arc::new(scimlab_mock_idp::gate::Gate::new(8)));
    assert_eq!(client.gate().map(|g| g.limit()), Some(8));
    let r = client.send(ScimRequest::get("/Users")).await.expect("answered");
    assert_eq!(r.status, 200);
    assert_eq!(client.gate().map(|g| g.limit()), Some(scimlab_mock_idp::gate::NO_KEEP_ALIVE_MAX));
}

/// What the server sees of a persona's request is what the persona says it sends: Okta's `Accept-Encoding:
/// gzip,deflate` (IDP-TRAFFIC.md section 2, Headers) and Google's User-Agent and `application/json` body
/// (google/request_headers_observed.json) reach the socket unchanged.
#[tokio::test]
async fn persona_headers_reach_the_server_as_the_persona_sends_them() {
    use axum::routing::any;
    use scimlab_mock_idp::Persona;
    use scimlab_mock_idp::intent::{Intent, UserProfile};
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<axum::http::HeaderMap>>> = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/scim/v2/Users",
        any(move |headers: axum::http::HeaderMap| {
            let keep = keep.clone();
            async move {
                keep.lock().expect("lock").push(headers);
                r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        ScimClient::new(&format!("http://{addr}/scim/v2"), Credential::Bearer("t".into()), ClientOptions::default())
            .expect("client");
    let user = UserProfile { user_name: "a@example.com".into(), active: true, ..UserProfile::default() };
    for name in ["okta", "google"] {
        let persona = Persona::by_name(name).expect("persona");
        for planned in persona.plan(&Intent::Hire { user: user.clone() }) {
            client.send(persona.to_request(&planned, None, None)).await.expect("answered");
        }
    }
    let seen = seen.lock().expect("lock");
    let header = |i: usize, name: &str| seen[i].get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    assert_eq!(seen.len(), 4, "okta and google each look up, then create");
    for okta in [0, 1] {
        assert_eq!(header(okta, "accept-encoding").as_deref(), Some("gzip,deflate"));
        assert_eq!(header(okta, "user-agent").as_deref(), Some("Okta SCIM Client 1.0.0"));
    }
    for google in [2, 3] {
        assert_eq!(header(google, "user-agent").as_deref(), Some("Google-Auto-Provisioning"));
    }
    assert_eq!(header(3, "content-type").as_deref(), Some("application/json"));
}

/// JumpCloud's Test Connection on a server that supports DELETE for groups but not for users: the test user is
/// deactivated instead (jumpcloud/behaviour_notes.json, test_connection), so the test passes; on a server that
/// refuses both, the group's DELETE fails it, and the plan reports what it left behind for cleanup.
#[tokio::test]
async fn jumpcloud_deactivates_its_test_user_when_the_delete_is_refused() {
    use axum::http::{Method, StatusCode};
    use axum::routing::any;
    use scimlab_mock_idp::Persona;
    use scimlab_mock_idp::intent::Intent;
    use scimlab_mock_idp::scenario::send_plan;
    use std::sync::{Arc, Mutex};
    async fn start(refuse_group_delete: bool) -> (ScimClient, Arc<Mutex<Vec<String>>>) {
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let keep = seen.clone();
        let app = axum::Router::new().fallback(any(move |method: Method, uri: axum::http::Uri| {
            let keep = keep.clone();
            async move {
                keep.lock().expect("lock").push(format!("{method} {}", uri.path()));
                let path = uri.path().trim_start_matches("/scim/v2");
                match (method.as_str(), path) {
                    ("POST", "/Users") => (StatusCode::CREATED, r#"{"id":"u1"}"#),
                    ("POST", "/Groups") => (StatusCode::CREATED, r#"{"id":"g1"}"#),
                    ("DELETE", "/Groups/g1") if !refuse_group_delete => (StatusCode::NO_CONTENT, ""),
                    ("DELETE", _) => (StatusCode::METHOD_NOT_ALLOWED, r#"{"detail":"no DELETE","status":"405"}"#),
                    ("PATCH", "/Users/u1") => (StatusCode::OK, r#"{"id":"u1","active":false}"#),
                    _ => (StatusCode::NOT_FOUND, r#"{"status":"404"}"#),
                }
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = ScimClient::new(
            &format!("http://{addr}/scim/v2"),
            Credential::Bearer("t".into()),
            ClientOptions::default(),
        )
        .expect("client");
        (client, seen)
    }
    let jumpcloud = Persona::by_name("jumpcloud").expect("persona");
    let plan = jumpcloud.plan(&Intent::TestConnection { probe: "scimlab-test@example.com".into() });

    let (client, seen) = start(false).await;
    let run = send_plan(&client, jumpcloud, &plan, None).await;
    assert!(run.failure.is_none(), "{:?}", run.failure);
    let sent = seen.lock().expect("lock").clone();
    let want = ["POST /scim/v2/Users", "POST /scim/v2/Groups", "DELETE /scim/v2/Groups/g1", "DELETE /scim/v2/Users/u1"];
    assert_eq!(sent[..4], want);
    assert_eq!(sent[4], "PATCH /scim/v2/Users/u1", "the refused user DELETE becomes a deactivation");
    assert_eq!(run.leftovers, [("/Users".to_owned(), "u1".to_owned())], "the deactivated test user is left over");

    let (client, _) = start(true).await;
    let run = send_plan(&client, jumpcloud, &plan, None).await;
    let failure = run.failure.expect("the group's DELETE fails the test");
    assert_eq!(failure.label, "delete-test-group");
    assert!(failure.reason.contains("JumpCloud's Test Connection will fail"), "{}", failure.reason);
    assert_eq!(run.leftovers.len(), 2, "{:?}", run.leftovers);
}
