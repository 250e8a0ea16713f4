//! Two shards merged equal one unsharded run of the same total: the same counts; and the merged percentiles are
//! exactly those of the shards' samples pooled (two independently timed runs are never compared, so a busy machine
//! cannot fail the test).

use crate::{serve, serve_with_faults};
use scimlab_load::{LoadOptions, LoadSection, Model, Shard, Workload};
use scimlab_mock_sp::ServerConfig;
use scimlab_mock_sp::store::{Kind, Store};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

async fn sharded(o: &LoadOptions) -> (LoadSection, LoadSection, [LoadSection; 2]) {
    let stop = Arc::new(AtomicBool::new(false));
    let whole = scimlab_load::run(o, stop.clone()).await.expect("unsharded run").section;
    // The shards of one run share a run id (their names are disjoint anyway); it differs from the unsharded
    // run's, whose users may still be on the server.
    let mut a = o.clone();
    a.shard = Shard { index: 1, count: 2 };
    a.run_id = format!("{}s", o.run_id);
    let mut b = a.clone();
    b.shard = Shard { index: 2, count: 2 };
    let (ra, rb) = tokio::join!(scimlab_load::run(&a, stop.clone()), scimlab_load::run(&b, stop));
    let (ra, rb) = (ra.expect("shard 1"), rb.expect("shard 2"));
    // Merge through the RunReport JSON, as `scimlab report merge` does.
    let reports = [scimlab_load::run_report(&a, &ra), scimlab_load::run_report(&b, &rb)];
    let merged = scimlab_reports::merge_with(&reports, scimlab_load::merge_load).expect("merge");
    let load = merged.load.expect("merged load");
    (whole, scimlab_load::merge::read_section(&load).expect("section"), [ra.section, rb.section])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_bulk_merge_shards_count_like_one_run() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve(ServerConfig::default()).await;
    let mut o = LoadOptions::new(&url, Workload::BulkMerge);
    o.users = 1000;
    o.model = Model::Closed { concurrency: 4 };
    o.keep = true;
    let (whole, merged, _) = sharded(&o).await;
    assert!(whole.clean() && merged.clean());
    let (w, m) = (&whole.operations[0], &merged.operations[0]);
    assert_eq!((m.requests, m.responses, m.items, m.errors), (w.requests, w.responses, w.items, w.errors));
    assert_eq!(m.statuses, w.statuses);
    assert_eq!(merged.created, whole.created);
    let (vw, vm) = (whole.verify.expect("verify"), merged.verify.expect("verify"));
    assert_eq!((vm.memberships_found, vm.groups_checked, vm.groups_wrong), (1000, 10, 0));
    assert_eq!(vw.memberships_found, 1000);
    assert_eq!(merged.shards.iter().map(|s| s.users).collect::<Vec<_>>(), vec![[0, 500], [500, 1000]]);
    // The unsharded run's 1,000 users and the two shards' 500 each, kept.
    assert_eq!(store.count(Kind::User).expect("n"), 2000);
    assert_eq!(store.count(Kind::Group).expect("n"), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merged_percentiles_are_the_pooled_shards_percentiles() {
    let _serial = crate::SERIAL.lock().await;
    // A fixed server latency far above the scheduling noise of a busy machine.
    let (url, _store) = serve_with_faults(&["latency=100ms"]).await;
    let mut o = LoadOptions::new(&url, Workload::Read);
    o.users = 400;
    o.max_requests = Some(400);
    o.model = Model::Closed { concurrency: 20 };
    let (whole, merged, shards) = sharded(&o).await;
    let (w, m) = (&whole.operations[0], &merged.operations[0]);
    assert_eq!((m.requests, m.responses, m.errors), (400, 400, 0));
    assert_eq!((w.requests, w.responses, w.errors), (400, 400, 0));
    // The shards' own histograms, pooled here: the merged report must hold exactly their percentiles.
    let mut pooled = shards[0].operations[0].histogram.to_histogram().expect("shard 1 histogram");
    pooled.add(shards[1].operations[0].histogram.to_histogram().expect("shard 2 histogram")).expect("same bounds");
    let expected = scimlab_load::report::Percentiles::of(&pooled);
    assert_eq!(m.latency_ms, expected, "the merged percentiles are the pooled samples' percentiles");
    assert!(m.latency_ms.p50 >= 100.0 && w.latency_ms.p50 >= 100.0, "the injected latency is measured");
    // The merged histogram is exactly the sum of the shards' histograms.
    let total: u64 = m.histogram.buckets.iter().map(|b| b[1]).sum();
    assert_eq!(total, 400);
}
