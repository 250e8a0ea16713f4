//! `https://` targets: the mock SP behind TLS, with a certificate for 127.0.0.1 signed by a test CA
//! (`load/tests/fixtures/`). Verified against that CA (`--ca-cert`), a bulk-merge runs clean; no root vouches
//! for it otherwise, so the run is refused with an error that says what to do, unless `--insecure`. The
//! conformance client (`scimlab test` and `replay`, reqwest) is checked against the same server and CA here.

use axum::serve::Listener;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use scimlab_load::wire::TlsTrust;
use scimlab_load::{LoadOptions, Model, Workload};
use scimlab_mock_sp::store::{Kind, MemoryStore, Store};
use scimlab_mock_sp::{AppState, ServerConfig};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

const CERT: &[u8] = include_bytes!("../fixtures/localhost.pem");
const KEY: &[u8] = include_bytes!("../fixtures/localhost.key");

/// Accepts TCP connections and completes the TLS handshake; a failed handshake is dropped and the next
/// connection waited for.
struct TlsListener {
    tcp: TcpListener,
    tls: TlsAcceptor,
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else { continue };
            if let Ok(tls) = self.tls.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// The mock SP over TLS on 127.0.0.1 (port 0): the `https://` base URL and the store.
async fn serve_tls() -> (String, Arc<MemoryStore>) {
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(CERT).collect::<Result<_, _>>().expect("the fixture certificate");
    let key = PrivateKeyDer::from_pem_slice(KEY).expect("the fixture key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("a server configuration");
    let store = Arc::new(MemoryStore::default());
    let dyn_store: Arc<dyn Store> = store.clone();
    let app = scimlab_mock_sp::router(AppState::new(dyn_store, ServerConfig::default()));
    let tcp = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let addr = tcp.local_addr().expect("local address");
    let listener = TlsListener { tcp, tls: TlsAcceptor::from(Arc::new(config)) };
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("https://{addr}/scim/v2"), store)
}

fn options(url: &str, workload: Workload, tls: TlsTrust) -> LoadOptions {
    let mut o = LoadOptions::new(url, workload);
    o.users = 300;
    o.block = 50;
    o.max_requests = Some(200);
    o.model = Model::Closed { concurrency: 4 };
    o.tls = tls;
    o
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_merge_runs_over_tls_verified_against_a_private_ca() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve_tls().await;
    let o = options(&url, Workload::BulkMerge, TlsTrust::ExtraRoots(fixture("ca.pem")));
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    let s = &out.section;
    assert!(s.clean(), "{}", scimlab_load::render_table(s));
    let verify = s.verify.as_ref().expect("the read-back ran");
    assert_eq!(verify.users_found, Some(300), "{verify:?}");
    assert_eq!(s.cleanup.expect("cleanup").failed, 0);
    assert_eq!(store.count(Kind::User).expect("count"), 0, "the run removed what it created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_accepts_a_certificate_no_root_vouches_for() {
    let _serial = crate::SERIAL.lock().await;
    let (url, _store) = serve_tls().await;
    let o = options(&url, Workload::Read, TlsTrust::Insecure);
    let out = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect("run");
    assert!(out.section.clean(), "{}", scimlab_load::render_table(&out.section));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_issuer_is_refused_with_the_way_out() {
    let _serial = crate::SERIAL.lock().await;
    let (url, store) = serve_tls().await;
    let o = options(&url, Workload::BulkMerge, TlsTrust::Platform);
    let shown = match scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await {
        Err(e) => e.to_string(),
        Ok(out) => format!("{:?}", out.section),
    };
    assert!(shown.contains("TLS handshake") && shown.contains("--ca-cert") && shown.contains("--insecure"), "{shown}");
    assert_eq!(store.count(Kind::User).expect("count"), 0, "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_file_without_certificates_is_a_usage_error() {
    let (url, _store) = serve_tls().await;
    for file in [fixture("localhost.key"), fixture("missing.pem")] {
        let o = options(&url, Workload::Read, TlsTrust::ExtraRoots(file.clone()));
        let e = scimlab_load::run(&o, Arc::new(AtomicBool::new(false))).await.expect_err("refused");
        assert!(matches!(e, scimlab_load::LoadError::Usage(_)), "{e}");
        assert!(e.to_string().contains("--ca-cert"), "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_conformance_client_trusts_the_same_private_ca() {
    use scimlab_mock_idp::client::{ClientOptions, Credential, ScimClient, ScimRequest};
    let (url, _store) = serve_tls().await;
    let with = |ca_cert| ClientOptions { ca_cert, ..ClientOptions::default() };
    let client = ScimClient::new(&url, Credential::None, with(Some(fixture("ca.pem")))).expect("a client");
    let resp = client.send(ScimRequest::get("/ServiceProviderConfig")).await.expect("a verified exchange");
    assert_eq!(resp.status, 200);
    let client = ScimClient::new(&url, Credential::None, with(None)).expect("a client");
    let e = client.send(ScimRequest::get("/ServiceProviderConfig")).await.expect_err("an unknown issuer");
    assert!(matches!(e, scimlab_mock_idp::client::ClientError::Transport { .. }), "{e}");
    let e = ScimClient::new(&url, Credential::None, with(Some(fixture("localhost.key")))).expect_err("no certificate");
    assert!(e.to_string().contains("--ca-cert"), "{e}");
}
