//! The generator's cost per request end to end, against a live server: a whole `read` run (GET /Users/{id},
//! closed model, 16 workers, one runtime thread as `scimlab load --threads 1`), the same requests through the
//! wire client alone (16 tasks, one [`Conn`] each, no engine, no statistics), and through bare hyper
//! connections (the floor: the same request head written by hand). Side by side in one run, so the figures read
//! as ratios: what the engine and the wire client add over the HTTP library. Run with
//! `cargo bench -p scimlab-load --bench generator -- read_c16 --warm-up-time 1 --measurement-time 3` (a module of
//! the generator bench, which has the `harness = false` entry).
//!
//! The server is an in-process mock SP on its own thread (one Tokio worker, recording off), or the one at
//! `LOAD_BENCH_URL` (`http://127.0.0.1:PORT/scim/v2`, no authentication), e.g. a `scimlab serve --workers 1` pinned
//! to another core with the bench pinned beside it (`taskset -c 1`). The figures are per request with 16 in
//! flight: the server's time counts in all three, so the differences are what the client adds.

use criterion::Criterion;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use scimlab_load::persona::{self, Persona};
use scimlab_load::wire::{Conn, Endpoint, Fixed, Req, TlsTrust};
use scimlab_load::{LoadOptions, Model, Workload};
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const CONCURRENCY: usize = 16;

/// The base URL of the server under test: `LOAD_BENCH_URL`, or an in-process mock SP on its own thread.
fn server() -> String {
    if let Ok(url) = std::env::var("LOAD_BENCH_URL") {
        return url;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        rt.block_on(async move {
            let config = ServerConfig { auth: Auth::None, record: false, ..ServerConfig::default() };
            let app = scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
            tx.send(listener.local_addr().expect("local addr")).expect("report the address");
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
    });
    format!("http://{}/scim/v2", rx.recv().expect("the server's address"))
}

/// Creates `n` users (one /Bulk request) and returns their ids.
async fn population(endpoint: &Arc<Endpoint>, fixed: &Arc<Fixed>, n: usize) -> Vec<String> {
    let tag = fastrand::u64(..);
    let ops: Vec<String> = (0..n)
        .map(|k| {
            format!(
                r#"{{"method":"POST","path":"/Users","bulkId":"u{k}","data":{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"b{tag}.{k}@bench.test","active":true}}}}"#
            )
        })
        .collect();
    let body = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{}]}}"#,
        ops.join(",")
    );
    let mut conn = Conn::new(endpoint.clone(), fixed.clone());
    let reply = conn.send(&Req::with_body(Method::POST, "/Bulk".into(), body)).await.expect("a /Bulk answer");
    let ids: Vec<String> = scimlab_load::tasks::read_bulk(&reply.body).into_iter().filter_map(|r| r.id).collect();
    assert_eq!(ids.len(), n, "the population was created");
    ids
}

/// The `read_c16` group.
pub fn read(c: &mut Criterion) {
    let url = server();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let p: &'static Persona = &Persona::all()[0];
    let endpoint = Arc::new(rt.block_on(Endpoint::resolve(&url, &TlsTrust::Platform)).expect("endpoint"));
    let fixed = Arc::new(Fixed::new(&endpoint, None, persona::headers(p)).expect("headers"));
    let ids = Arc::new(rt.block_on(population(&endpoint, &fixed, 1000)));

    let mut g = c.benchmark_group("read_c16");
    g.bench_function("bare_hyper", |b| {
        b.iter_custom(|iters| {
            let left = Arc::new(AtomicU64::new(iters));
            rt.block_on(async {
                let t = Instant::now();
                let tasks: Vec<_> = (0..CONCURRENCY)
                    .map(|w| {
                        let (ids, left, endpoint) = (ids.clone(), left.clone(), endpoint.clone());
                        tokio::spawn(async move { bare_worker(&endpoint, &ids, &left, w as u64).await })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("a worker");
                }
                t.elapsed()
            })
        })
    });
    g.bench_function("wire_conn", |b| {
        b.iter_custom(|iters| {
            let left = Arc::new(AtomicU64::new(iters));
            rt.block_on(async {
                let t = Instant::now();
                let tasks: Vec<_> = (0..CONCURRENCY)
                    .map(|w| {
                        let (ids, left) = (ids.clone(), left.clone());
                        let mut conn = Conn::new(endpoint.clone(), fixed.clone());
                        tokio::spawn(async move {
                            let mut rng = fastrand::Rng::with_seed(w as u64);
                            while left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
                            {
                                let id = &ids[rng.usize(..ids.len())];
                                let reply =
                                    conn.send(&Req::new(Method::GET, format!("/Users/{id}"))).await.expect("a reply");
                                assert_eq!(reply.status, 200);
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("a worker");
                }
                t.elapsed()
            })
        })
    });
    g.bench_function("engine", |b| {
        b.iter_custom(|iters| {
            let mut o = LoadOptions::new(&url, Workload::Read);
            o.users = 100;
            o.keep = true;
            o.model = Model::Closed { concurrency: CONCURRENCY as u64 };
            o.max_requests = Some(iters);
            o.duration = Some(Duration::from_secs(3600));
            let outcome = rt.block_on(scimlab_load::run(&o, Arc::new(AtomicBool::new(false)))).expect("a run");
            let get = &outcome.section.operations[0];
            assert_eq!(get.requests, iters, "every request was answered");
            Duration::from_secs_f64(outcome.section.duration_ms / 1000.0)
        })
    });
    g.finish();
}

/// GETs by id on one hyper connection until `left` runs out: the request head as the wire client writes it.
async fn bare_worker(endpoint: &Endpoint, ids: &[String], left: &AtomicU64, seed: u64) {
    let tcp = tokio::net::TcpStream::connect(endpoint.addr).await.expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await.expect("handshake");
    tokio::spawn(conn);
    let mut rng = fastrand::Rng::with_seed(seed);
    while left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok() {
        let id = &ids[rng.usize(..ids.len())];
        let req = Request::builder()
            .uri(format!("{}/Users/{id}", endpoint.base_path))
            .header("host", endpoint.authority.as_str())
            .header("user-agent", "bench")
            .header("accept", "application/scim+json")
            .body(Empty::<Bytes>::new())
            .expect("a request");
        sender.ready().await.expect("ready");
        let resp = sender.send_request(req).await.expect("a response");
        assert_eq!(resp.status(), 200);
        let body = resp.into_body().collect().await.expect("a body").to_bytes();
        std::hint::black_box(body);
    }
}
