//! Integration tests of scimlab-mock-idp against the mock SP on a loopback socket.

mod client;
mod compression;
mod deviations;
mod personas;
mod replay;
mod scenarios;
mod token;

use scimlab_mock_sp::store::MemoryStore;
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// Starts the mock SP on 127.0.0.1, port 0, with a bearer token; returns its base URL.
pub async fn start_mock_sp(token: &str) -> String {
    start_mock_sp_with(token, |_| {}).await
}

/// Starts the mock SP with a configuration changed by `change`.
pub async fn start_mock_sp_with(token: &str, change: impl FnOnce(&mut ServerConfig)) -> String {
    start_mock_sp_with_store(token, change).await.0
}

/// [`start_mock_sp_with`], also returning the store (to read what the server recorded).
pub async fn start_mock_sp_with_store(
    token: &str,
    change: impl FnOnce(&mut ServerConfig),
) -> (String, Arc<MemoryStore>) {
    let mut config = ServerConfig { auth: Auth::Bearer(token.to_owned()), ..ServerConfig::default() };
    change(&mut config);
    let store = Arc::new(MemoryStore::default());
    let app = scimlab_mock_sp::router(AppState::new(store.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let addr: SocketAddr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    (format!("http://{addr}/scim/v2"), store)
}
