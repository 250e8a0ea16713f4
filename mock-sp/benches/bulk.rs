//! /Bulk (RFC 7644 section 3.7) in process: the server-side cost of a BulkRequest creating 100 users, from the
//! request bytes to the response bytes, through the whole router (recorder, faults layer, authentication).
//!
//! `bulk/100_users` posts the body `bench/wrk/bulk.lua` sends (a core User with a name, a work email and an
//! externalId per operation) to a memory store that starts with 10,000 users, as `bench/budgets.sh` does, and
//! grows by 100 users a request. Every sample starts from a fresh store, and the store and the bodies are built
//! outside the timed part. Throughput is in users, so criterion prints users per second. The budget (over 50,000 users/s on one core) is for the served
//! figure, which adds HTTP; this bench isolates the part the server's own code decides, and runs under callgrind.
//! `bulk/100_users_no_record` is the same with the recorder off (`--no-record`).

use axum::body::Body;
use axum::http::Request;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_body_util::BodyExt;
use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use tower::ServiceExt;

const USERS: usize = 10_000;
const PER_REQUEST: usize = 100;

/// A BulkRequest creating `PER_REQUEST` users whose names start with `tag`, as `bench/wrk/bulk.lua` builds it.
fn bulk_body(tag: &str) -> String {
    let ops: Vec<String> = (1..=PER_REQUEST)
        .map(|k| {
            let name = format!("{tag}-{k}");
            format!(
                r#"{{"method":"POST","path":"/Users","bulkId":"b{k}","data":{{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{name}@bulk.test","externalId":"{name}","name":{{"givenName":"Bulk","familyName":"User{k}"}},"emails":[{{"type":"work","primary":true,"value":"{name}@bulk.test"}}],"active":true}}}}"#
            )
        })
        .collect();
    format!(r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{}]}}"#, ops.join(","))
}

fn request(body: String) -> Request<Body> {
    Request::post("/scim/v2/Bulk")
        .header("content-type", "application/scim+json")
        .header("host", "127.0.0.1:8080")
        .body(Body::from(body))
        .expect("a valid request")
}

/// A fresh mock SP holding `USERS` users, and the counter that names the next request's users.
fn loaded(rt: &tokio::runtime::Runtime, record: bool) -> (axum::Router, AtomicU64) {
    let config = ServerConfig { auth: Auth::None, record, ..ServerConfig::default() };
    let app = scimlab_mock_sp::router(AppState::new(Arc::new(MemoryStore::default()), config));
    let counter = AtomicU64::new(0);
    for _ in 0..USERS / PER_REQUEST {
        send(rt, &app, next_body(&counter));
    }
    (app, counter)
}

fn next_body(counter: &AtomicU64) -> String {
    bulk_body(&format!("u{}", counter.fetch_add(1, Ordering::Relaxed)))
}

fn send(rt: &tokio::runtime::Runtime, app: &axum::Router, body: String) -> axum::body::Bytes {
    rt.block_on(async {
        let resp = app.clone().oneshot(request(body)).await.expect("the router is infallible");
        assert_eq!(resp.status(), 200, "the bulk request failed");
        resp.into_body().collect().await.expect("a body").to_bytes()
    })
}

fn bench_bulk(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    let mut group = c.benchmark_group("bulk");
    group.throughput(Throughput::Elements(PER_REQUEST as u64));
    group.sample_size(20);
    for (name, record) in [("100_users", true), ("100_users_no_record", false)] {
        // Each sample starts from a fresh store of USERS users (built untimed), so that the figure does not
        // depend on how far earlier samples grew the heap; the bodies are built untimed too.
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let (app, counter) = loaded(&rt, record);
                let bodies: Vec<String> = (0..iters).map(|_| next_body(&counter)).collect();
                let start = Instant::now();
                for body in bodies {
                    black_box(send(&rt, &app, body));
                }
                start.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_bulk);
criterion_main!(benches);
