//! The conformance client's own cost per request: a [`ScimRequest`] built, sent through [`ScimClient`] to an
//! in-process mock SP on 127.0.0.1, and its evidence kept (the exchange cloned into a Vec, as the harness's
//! `Ctx::send` does), against the same GET sent by a bare reqwest client in the same run, so the figures read as
//! a ratio: what the client's rules (URL building, headers, redaction and scrubbing of the evidence, the body
//! parsed as JSON, retries, the slot of a POST) cost over the HTTP library underneath. Run with
//! `cargo bench -p scimlab-mock-idp --bench client -- --warm-up-time 1 --measurement-time 3`.
//!
//! The server runs on its own thread (one Tokio worker, recording off), the client on the bench thread (a
//! current-thread runtime), one request at a time: a round trip is the client's cost plus the server's, and the
//! server's is the same on both sides of a ratio.

use criterion::{Criterion, criterion_group, criterion_main};
use scimlab_mock_idp::client::{ClientOptions, Credential, RetryPolicy, ScimClient, ScimRequest};
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use scimlab_protocol::exchange::Exchange;
use serde_json::json;
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "bench-token";

/// Starts the mock SP on its own thread; returns its base URL.
fn start_mock_sp() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let config =
                ServerConfig { auth: Auth::Bearer(TOKEN.to_owned()), record: false, ..ServerConfig::default() };
            let app = scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
            let addr: SocketAddr = listener.local_addr().expect("local addr");
            tx.send(addr).expect("report the address");
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
    });
    let addr = rx.recv().expect("the server's address");
    format!("http://{addr}/scim/v2")
}

fn user(name: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Bench", "familyName": "User"},
        "emails": [{"type": "work", "primary": true, "value": name}],
        "active": true,
    })
}

/// The evidence a check keeps: every exchange, in order. Cleared now and then so a long run stays small.
struct Evidence(Vec<Exchange>);

impl Evidence {
    fn keep(&mut self, e: &Exchange) {
        if self.0.len() >= 1024 {
            self.0.clear();
        }
        self.0.push(e.clone());
    }
}

fn client_overhead(c: &mut Criterion) {
    let base = start_mock_sp();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let options = ClientOptions { retry: RetryPolicy::none(), ..ClientOptions::default() };
    let client = ScimClient::new(&base, Credential::Bearer(TOKEN.to_owned()), options).expect("client");
    // Built after the ScimClient, which installs the TLS crypto provider reqwest needs even for http://.
    let bare = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("bare client");
    let created = rt.block_on(client.send(ScimRequest::json(reqwest::Method::POST, "/Users", &user("get@bench.test"))));
    let id = created
        .ok()
        .and_then(|r| r.json.and_then(|j| j.get("id").and_then(|v| v.as_str()).map(str::to_owned)))
        .expect("the user to read back");
    let path = format!("/Users/{id}");
    let url = format!("{base}{path}");
    let mut evidence = Evidence(Vec::new());

    let mut g = c.benchmark_group("client");
    g.bench_function("get_by_id/scim_client", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let t = Instant::now();
                for _ in 0..iters {
                    let r = client.send(ScimRequest::get(path.as_str())).await.expect("an answer");
                    assert_eq!(r.status, 200);
                    evidence.keep(&r.exchange);
                    black_box(r);
                }
                t.elapsed()
            })
        })
    });
    g.bench_function("get_by_id/bare_reqwest", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let t = Instant::now();
                for _ in 0..iters {
                    let r = bare
                        .get(url.as_str())
                        .header("Authorization", format!("Bearer {TOKEN}"))
                        .header("Accept", "application/scim+json")
                        .send()
                        .await
                        .expect("an answer");
                    assert_eq!(r.status(), 200);
                    black_box(r.bytes().await.expect("a body"));
                }
                t.elapsed()
            })
        })
    });
    let mut n = 0u64;
    g.bench_function("post_create_user/scim_client", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let t = Instant::now();
                for _ in 0..iters {
                    n += 1;
                    let body = user(&format!("c{n}@bench.test"));
                    let r = client
                        .send(ScimRequest::json(reqwest::Method::POST, "/Users", &body))
                        .await
                        .expect("an answer");
                    assert_eq!(r.status, 201);
                    evidence.keep(&r.exchange);
                    black_box(r);
                }
                t.elapsed()
            })
        })
    });
    let users = format!("{base}/Users");
    g.bench_function("post_create_user/bare_reqwest", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let t = Instant::now();
                for _ in 0..iters {
                    n += 1;
                    let body = serde_json::to_vec(&user(&format!("r{n}@bench.test"))).expect("a body");
                    let r = bare
                        .post(users.as_str())
                        .header("Authorization", format!("Bearer {TOKEN}"))
                        .header("Accept", "application/scim+json")
                        .header("Content-Type", "application/scim+json")
                        .body(body)
                        .send()
                        .await
                        .expect("an answer");
                    assert_eq!(r.status(), 201);
                    black_box(r.bytes().await.expect("a body"));
                }
                t.elapsed()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, client_overhead);
criterion_main!(benches);
