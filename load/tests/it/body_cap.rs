//! Response bodies are read up to `--max-response-bytes`: a server that answers with an endless chunked body is
//! counted as "body too large", its connections closed, and the run ends with its memory bounded (before the cap,
//! one such answer was buffered up to 4 GiB).

use hyper::body::{Body, Bytes, Frame};
use scimlab_load::{LoadOptions, Model, Workload};
use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, ServerConfig};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};

/// 64 KiB of JSON-looking filler, sent again and again.
static CHUNK: [u8; 65536] = [b' '; 65536];

/// A body that never ends, counting the bytes handed to the server.
struct Endless(Arc<AtomicU64>);

impl Body for Endless {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.fetch_add(CHUNK.len() as u64, Ordering::Relaxed);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(&CHUNK)))))
    }
}

/// The mock SP, except that `GET /Users/{id}` answers 200 with an endless chunked body. Returns the base URL and
/// the counter of bytes the endless bodies produced.
async fn serve_endless_reads() -> (String, Arc<AtomicU64>) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let served = Arc::new(AtomicU64::new(0));
    let counter = served.clone();
    let app = scimlab_mock_sp::router(AppState::new(store, ServerConfig::default())).layer(axum::middleware::from_fn(
        move |req: axum::extract::Request, next: axum::middleware::Next| {
            let counter = counter.clone();
            async move {
                let path = req.uri().path();
                let read = req.method() == hyper::Method::GET
                    && path.strip_prefix("/scim/v2/Users/").is_some_and(|id| !id.is_empty() && !id.contains('/'));
                if read {
                    let mut resp = axum::response::Response::new(axum::body::Body::new(Endless(counter)));
                    resp.headers_mut().insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static("application/scim+json"),
                    );
                    resp
                } else {
                    next.run(req).await
                }
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (format!("http://{addr}/scim/v2"), served)
}

/// The peak resident set of this process, in KiB (Linux; `None` elsewhere).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_cap_and_counted_as_too_large() {
    let _serial = crate::SERIAL.lock().await;
    let (url, served) = serve_endless_reads().await;
    let mut o = LoadOptions::new(&url, Workload::Read);
    o.users = 50;
    o.max_requests = Some(20);
    o.model = Model::Closed { concurrency: 4 };
    o.max_response_bytes = 256 * 1024;
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("the run finishes");
    let get = out.section.operations.iter().find(|o| o.operation == "get").expect("get row");
    assert_eq!(get.requests, 20, "every task was sent once");
    assert_eq!(get.body_too_large, 20, "every endless answer is too large: {get:?}");
    assert_eq!(get.transport_errors, 0, "a body too large is its own class, not a transport error");
    assert_eq!(get.errors, 20, "and it is an error");
    assert_eq!(get.status_classes.get("body-too-large"), Some(&20));
    assert!(!out.section.clean(), "a run with bodies too large is not clean");
    // Each connection was closed at the cap: what the server produced is the cap plus what the socket buffers
    // held, far from what an endless read would have pulled in.
    let produced = served.load(Ordering::Relaxed);
    assert!(produced < 20 * 32 * 1024 * 1024, "the server produced {produced} bytes");
    if let Some(kib) = peak_rss_kib() {
        assert!(kib < 512 * 1024, "peak RSS {kib} KiB is over the 512 MiB budget");
    }
}
