//! Integration tests of scimlab-load against the mock SP, in-process on a loopback port: one binary, one module
//! per area.

mod body_cap;
mod bulk_merge;
mod rate_control;
mod shards;
mod throttling;
mod tls;
mod workloads;

use scimlab_mock_sp::store::{MemoryStore, Store};
use tokio::sync::Mutex;

/// Held by every test while it runs a load: the tests of this binary run one at a time, so that the one that
/// compares latencies between runs is not measuring the others.
pub static SERIAL: Mutex<()> = Mutex::const_new(());
use scimlab_mock_sp::{AppState, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// A mock SP on 127.0.0.1 (port 0) with `config`; returns the SCIM base URL and the store behind it.
pub async fn serve(config: ServerConfig) -> (String, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::default());
    let dyn_store: Arc<dyn Store> = store.clone();
    let app = scimlab_mock_sp::router(AppState::new(dyn_store, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (format!("http://{addr}/scim/v2"), store)
}

/// A mock SP with fault specs (`latency=20ms`, `429=10%:retry-after=0`).
pub async fn serve_with_faults(faults: &[&str]) -> (String, Arc<MemoryStore>) {
    let faults = scimlab_mock_sp::faults::parse_faults(faults).expect("valid fault specs");
    serve(ServerConfig { faults, seed: Some(7), ..ServerConfig::default() }).await
}
