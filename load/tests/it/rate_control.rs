//! The open model: requests go out at the asked rate, and when the server cannot keep up, the latency is
//! measured from each request's intended send time, so the queueing shows (no coordinated omission); the
//! closed model at the same concurrency reports only the service time.

use crate::{serve, serve_with_faults};
use scimlab_load::{LoadOptions, Model, Workload};
use scimlab_mock_sp::ServerConfig;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_open_model_sends_at_the_asked_rate() {
    let _serial = crate::SERIAL.lock().await;
    let (url, _store) = serve(ServerConfig::default()).await;
    let mut o = LoadOptions::new(&url, Workload::Read);
    o.users = 100;
    o.model = Model::Open { rate: 200.0, connections: 8 };
    o.duration = Some(Duration::from_secs(2));
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    let get = &out.section.operations[0];
    assert!((380..=401).contains(&get.responses), "200/s for 2 s: {} responses", get.responses);
    assert!((get.throughput - 200.0).abs() < 25.0, "{} per second", get.throughput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saturated_server_is_charged_for_the_wait() {
    let _serial = crate::SERIAL.lock().await;
    // 4 connections to a server answering in 50 ms carry at most 80 requests a second; 200 a second are asked.
    let (url, _store) = serve_with_faults(&["latency=50ms"]).await;
    let mut o = LoadOptions::new(&url, Workload::Read);
    o.users = 100;
    o.model = Model::Open { rate: 200.0, connections: 4 };
    o.max_requests = Some(160);
    let open = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("open run");
    o.model = Model::Closed { concurrency: 4 };
    let closed = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("closed run");
    let (lo, lc) = (open.section.operations[0].latency_ms, closed.section.operations[0].latency_ms);
    // Request i is due at i/200 s but answered at about i/80 s: the last ones waited about a second.
    assert!(lo.max > 800.0, "open model max latency {} ms", lo.max);
    assert!(lo.p50 > 5.0 * lc.p50, "open p50 {} ms against closed p50 {} ms", lo.p50, lc.p50);
    assert!(lc.p99 < 200.0, "the closed model sees only the service time: p99 {} ms", lc.p99);
}
