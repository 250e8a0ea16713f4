//! The embedded mock service provider: started in-process on a loopback port when `scimlab test` has no
//! `--url`, so one command shows the whole tool and doubles as a self-test.

use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// A running embedded server.
pub struct Embedded {
    /// Its SCIM base URL.
    pub base_url: String,
    /// The token it accepts (random per run, never printed).
    pub token: String,
}

/// Starts the mock SP on 127.0.0.1 with an OS-assigned port and a random bearer token. It serves until the
/// runtime shuts down.
pub async fn start() -> std::io::Result<Embedded> {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let config = ServerConfig { auth: Auth::Bearer(token.clone()), record: false, ..ServerConfig::default() };
    let store: Arc<dyn Store> = Arc::new(MemoryStore::default());
    let app = scimlab_mock_sp::router(AppState::new(store, config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
    });
    Ok(Embedded { base_url: format!("http://{addr}/scim/v2"), token })
}
