//! The generator's hot parts, whose cost is charged to every request it sends: building request bodies per
//! persona (a user create, a /Bulk request of 100 users, a profile update, a lookup query), recording a response
//! in the per-worker statistics, and reading a /Bulk answer. Run with
//! `cargo bench -p scimlab-load --bench generator -- --warm-up-time 1 --measurement-time 3`.
//!
//! For scale: a request to the mock SP costs its server some tens of microseconds; these should cost the
//! generator well under a microsecond each, except the 100-user /Bulk body (charged once per 100 users).

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use scimlab_load::persona::{self, Persona};
use scimlab_load::population::Population;
use scimlab_load::stats::{Op, Recorder, Slot};
use scimlab_load::tasks::{bulk_create_body, read_bulk};
use std::hint::black_box;
use std::time::Instant;

fn bulk_body(p: &'static Persona, pop: &Population, g: u64) -> String {
    let users: Vec<u64> = pop.block_users(g).collect();
    let refs: Vec<String> = users.iter().map(|u| format!("bulkId:u{u}")).collect();
    bulk_create_body(p, &persona::UserBodies::new(p, pop), pop, &users, Some((g, &refs)))
}

fn request_building(c: &mut Criterion) {
    let pop = Population::new("bench", 100_000, 100);
    let mut g = c.benchmark_group("request_building");
    for p in Persona::all() {
        g.bench_with_input(BenchmarkId::new("user_body", p.name), p, |b, p| {
            let mut i = 0u64;
            b.iter(|| {
                i = (i + 1) % 100_000;
                black_box(persona::user_body(p, &pop, i))
            })
        });
        let spliced = persona::UserBodies::new(p, &pop);
        g.bench_with_input(BenchmarkId::new("user_body_spliced", p.name), p, |b, _| {
            let mut i = 0u64;
            b.iter(|| {
                i = (i + 1) % 100_000;
                black_box(spliced.body(&pop, i))
            })
        });
        g.bench_with_input(BenchmarkId::new("update", p.name), p, |b, p| {
            let mut i = 0u64;
            b.iter(|| {
                i = (i + 1) % 100_000;
                black_box(persona::update(p, &pop, i, "2819c223-7f76-453a-919d-413861904646", i).len())
            })
        });
        g.bench_with_input(BenchmarkId::new("lookup_username", p.name), p, |b, p| {
            let mut i = 0u64;
            b.iter(|| {
                i = (i + 1) % 100_000;
                black_box(persona::lookup_query(p, &format!("userName eq \"{}\"", pop.user_name(i))))
            })
        });
    }
    g.throughput(Throughput::Elements(100));
    g.bench_function("bulk_body_100_users/entra", |b| {
        let mut k = 0u64;
        b.iter(|| {
            k = (k + 1) % 1000;
            black_box(bulk_body(&Persona::all()[0], &pop, k))
        })
    });
    let fetched = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bench.u0000001@load.scimlab.test","name":{"givenName":"Alan","familyName":"Turing"},"emails":[{"primary":true,"value":"bench.u0000001@load.scimlab.test","type":"work"}],"active":true,"groups":[{"value":"g1","display":"team"}],"meta":{"resourceType":"User","created":"2025-01-01T00:00:00Z","lastModified":"2025-01-01T00:00:00Z","version":"W/\"1\"","location":"http://h/scim/v2/Users/2819c223"}}"#;
    g.throughput(Throughput::Elements(1));
    let overlay = serde_json::json!({"title": "Analyst 2"});
    g.bench_function("okta_put_over_fetched", |b| {
        b.iter(|| black_box(persona::put_over(fetched, &overlay).map(|v| v.len()).unwrap_or(0)))
    });
    g.finish();
}

fn histogram_recording(c: &mut Criterion) {
    let mut g = c.benchmark_group("histogram");
    g.bench_function("record_response", |b| {
        let mut r = Recorder::new(1, Instant::now(), true);
        let slot = Slot { lane: 0, op: Op::Get };
        let mut v = 0u64;
        b.iter(|| {
            v = (v + 7919) % 2_000_000;
            r.response(black_box(slot), black_box(v + 50), 200, None, 0)
        })
    });
    g.bench_function("merge_two_workers", |b| {
        let mut rng = fastrand::Rng::with_seed(1);
        let fill = |rng: &mut fastrand::Rng| {
            let mut r = Recorder::new(1, Instant::now(), true);
            for _ in 0..10_000 {
                r.response(Slot { lane: 0, op: Op::Get }, rng.u64(50..100_000), 200, None, 0);
            }
            r
        };
        let (a, b2) = (fill(&mut rng), fill(&mut rng));
        let (a, b2) = (a.into_ops(), b2.into_ops());
        b.iter(|| {
            let mut x = a[0].2.clone();
            x.merge(&b2[0].2);
            black_box(x.hist.len())
        })
    });
    g.finish();
}

fn bulk_answers(c: &mut Criterion) {
    let mut body = String::from(r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":["#);
    for u in 0..100 {
        if u > 0 {
            body.push(',');
        }
        body.push_str(&format!(
            r#"{{"method":"POST","bulkId":"u{u}","version":"W/\"{u}\"","location":"http://127.0.0.1:8080/scim/v2/Users/6f2b1c9e-0000-4000-8000-{u:012}","status":"201"}}"#
        ));
    }
    body.push_str("]}");
    let mut g = c.benchmark_group("bulk_answer");
    g.throughput(Throughput::Elements(100));
    g.bench_function("read_100_results", |b| b.iter(|| black_box(read_bulk(body.as_bytes()).len())));
    g.finish();
}

mod live;

criterion_group!(benches, request_building, histogram_recording, bulk_answers, live::read);
criterion_main!(benches);
