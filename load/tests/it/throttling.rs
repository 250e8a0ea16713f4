//! 429s are honoured (Retry-After) and counted apart from errors; the request is sent again and answered.

use crate::serve_with_faults;
use scimlab_load::{LoadOptions, Model, Workload};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_requests_are_retried_and_counted_apart() {
    let _serial = crate::SERIAL.lock().await;
    let (url, _store) = serve_with_faults(&["429=20%:retry-after=0"]).await;
    let mut o = LoadOptions::new(&url, Workload::Read);
    o.users = 200;
    o.max_requests = Some(300);
    o.model = Model::Closed { concurrency: 4 };
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    let get = out.section.operations.iter().find(|o| o.operation == "get").expect("get row");
    assert_eq!(get.responses, 300, "every task is answered in the end");
    assert!(get.throttled > 20, "about a fifth of the requests are throttled: {}", get.throttled);
    assert_eq!(get.requests, 300 + get.throttled);
    assert_eq!(get.errors, 0, "429s are not errors");
    assert_eq!(get.status_classes.get("429"), Some(&get.throttled));
    assert_eq!(get.histogram.buckets.iter().map(|b| b[1]).sum::<u64>(), 300, "429s stay out of the histogram");
}
