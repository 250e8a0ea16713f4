//! Integration tests of scimlab-harness: the registry's rules, and every check's pass / fail pair against the
//! mock SP (in-process, loopback, port 0).

mod discovery;
mod pairs;
mod profiles;
mod quirks;
mod registry;
mod safety;
mod state;

use scimlab_harness::check::Check;
use scimlab_harness::{Profile, RunOptions};
use scimlab_mock_idp::{ClientOptions, Credential, ScimClient};
use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use scimlab_reports::model::RunReport;
use std::net::SocketAddr;
use std::sync::Arc;

/// A mock SP on 127.0.0.1, port 0, with `faults` (deviation names or fault specs); returns its base URL and
/// store.
pub async fn start_sp(faults: &[&str]) -> (String, Arc<dyn Store>) {
    let faults = scimlab_mock_sp::faults::parse_faults(faults).expect("valid fault specs");
    let config =
        ServerConfig { auth: Auth::Bearer("pair-token".into()), faults, seed: Some(7), ..ServerConfig::default() };
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let app = scimlab_mock_sp::router(AppState::new(store.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr: SocketAddr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (format!("http://{addr}/scim/v2"), store)
}

/// Runs `checks` against `base` with every profile selected.
pub async fn run_checks(base: &str, checks: &[&Check]) -> RunReport {
    run_seeded(base, checks, 42).await
}

/// [`run_checks`] with the run's seed.
pub async fn run_seeded(base: &str, checks: &[&Check], seed: u64) -> RunReport {
    let client =
        ScimClient::new(base, Credential::Bearer("pair-token".into()), ClientOptions::default()).expect("client");
    let options = RunOptions { profiles: Profile::ALL.to_vec(), seed, ..RunOptions::default() };
    scimlab_harness::run(client, checks, &options, &mut []).await.expect("the run completes")
}
