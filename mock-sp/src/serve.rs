//! Serving the router on a socket with the connection limits a server facing hostile clients needs.
//!
//! `axum::serve` has no header-read timeout, so a client that sends half a request line and waits (slowloris)
//! holds a connection and a task forever. [`serve`] runs each connection with hyper's HTTP/1.1 server directly:
//! - `header_read_timeout` (hyper's, driven by a Tokio timer): a request head must arrive complete within it from
//!   when the server starts waiting for one, on a new connection or after the previous response on a kept-alive
//!   one (so it also closes kept-alive connections left idle that long);
//! - `idle_timeout`: a connection on which no byte moves either way for that long is closed (a stalled body, a
//!   client that stops reading the response);
//! - at most twice `max_headers` header lines reach hyper's parser, so the router's own 431 (a SCIM Error, see
//!   [`crate::guard`]) answers all but absurd heads.
//!
//! [`serve_tls`] does the same over TLS, with a handshake timeout in front (see there).
//!
//! hyper itself still answers, without a body and before the router sees anything: 400 for a request line or
//! header it cannot parse, 414 for a target over 65,534 bytes, 431 for a head over its ~400 KB buffer or with more
//! header lines than allowed here; and a timed-out head gets its connection closed (hyper sends 408 when nothing
//! was answered yet).

use crate::state::AppState;
use crate::tls::TlsIdentity;
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

/// Serves `app` (built by [`crate::router`] over `state`) on `listener` until `shutdown` completes, with the
/// timeouts of `state`'s configuration. Connections still open at shutdown are dropped with the runtime.
pub async fn serve(
    listener: TcpListener,
    state: &AppState,
    app: Router,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    serve_with(listener, state, app, None, shutdown).await
}

/// [`serve`] over TLS with `identity` (RFC 9110 section 4.2.2: the https scheme). The handshake has the
/// header-read timeout to finish, counted from the accept, so a client that opens a connection and never
/// completes the handshake is cut off like one that never completes a request head; after it, the same header
/// and idle timeouts as over plain TCP apply (the idle clock counts the encrypted bytes).
pub async fn serve_tls(
    listener: TcpListener,
    state: &AppState,
    app: Router,
    identity: &TlsIdentity,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    serve_with(listener, state, app, Some(TlsAcceptor::from(identity.config.clone())), shutdown).await
}

async fn serve_with(
    listener: TcpListener,
    state: &AppState,
    app: Router,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let config = &state.shared().config;
    let limits = Limits {
        header_timeout: config.header_read_timeout,
        idle: config.idle_timeout,
        max_headers: config.max_headers.saturating_mul(2).max(100),
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // A failed accept (a client gone before it was accepted, or too many open files) ends no other
                // connection; wait a moment so that running out of descriptors does not spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => return Ok(()),
        };
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _ = stream.set_nodelay(true);
            let watched = Watched::new(stream);
            let activity = watched.activity.clone();
            match tls {
                None => connection(watched, activity, remote, app, limits).await,
                Some(acceptor) => {
                    // A failed or timed-out handshake just ends the connection: rustls has already sent the
                    // client its alert where there was one to send.
                    if let Ok(Ok(stream)) = tokio::time::timeout(limits.header_timeout, acceptor.accept(watched)).await
                    {
                        connection(stream, activity, remote, app, limits).await;
                    }
                }
            }
        });
    }
}

/// The per-connection protections, from the server's configuration.
#[derive(Clone, Copy)]
struct Limits {
    header_timeout: Duration,
    idle: Duration,
    max_headers: usize,
}

/// Serves HTTP/1.1 on one connection (plain or TLS) until the client closes it, it stays idle too long, or a
/// request head takes too long to arrive.
async fn connection<S>(io: S, activity: Arc<Activity>, remote: SocketAddr, app: Router, limits: Limits)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(remote));
        app.clone().oneshot(req.map(Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_headers(limits.max_headers);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        () = activity.idle_for(limits.idle) => {}
    }
}

/// When a connection last moved a byte, in milliseconds since it was accepted.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes once no byte has moved for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let quiet = self.start.elapsed().saturating_sub(last);
            if quiet >= idle {
                return;
            }
            tokio::time::sleep(idle - quiet).await;
        }
    }
}

/// A TCP stream that notes when bytes move.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl Watched {
    fn new(stream: TcpStream) -> Watched {
        Watched { stream, activity: Arc::new(Activity { start: Instant::now(), last_ms: AtomicU64::new(0) }) }
    }
}

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write(cx, data);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
