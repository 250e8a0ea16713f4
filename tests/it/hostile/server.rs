//! The hostile server's listeners and wire: a SCIM listener and an "other origin" listener on two loopback ports,
//! both recording every request exactly as it arrived (method, request target, headers, body) into one ordered
//! event log, next to the ids the SCIM listener handed out. Tests read the log to judge what scimlab sent; the
//! mode decides how bodies go on the wire (padded, endless, cut off, with the Authorization header echoed).

use super::mode::{HUGE_PADDING, Mode};
use super::scim::{BASE, Kind, Reply, Scim};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::Response;
use futures_util::StreamExt;
use futures_util::stream;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// The bearer token the tests give scimlab, and the only credential the server accepts.
pub const TOKEN: &str = "SECRET-TOKEN-xyz";
const SCIM_JSON: &str = "application/scim+json";

/// Which listener a request reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// The SCIM server under test.
    Main,
    /// The other origin (another port of 127.0.0.1; also the HTTP proxy in the unresolvable-host test).
    Other,
}

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The listener it reached.
    pub listener: Listener,
    /// The method.
    pub method: String,
    /// The request target as sent (origin form `/scim/v2/Users?filter=…`, or absolute form through a proxy).
    pub target: String,
    /// Every header, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The log, in the order things happened on the server.
#[derive(Clone, Debug)]
pub enum Event {
    /// A request arrived.
    Request(Recorded),
    /// A 201 (or a Bulk `201`) handed out this id, just before the answer left.
    HandedOut {
        /// The resource type it was created as.
        kind: Kind,
        /// The id, unencoded.
        id: String,
    },
}

struct Shared {
    mode: Mode,
    log: Mutex<Vec<Event>>,
    scim: Mutex<Scim>,
    answered: AtomicU64,
}

/// A running hostile server. Dropping it stops both listeners.
pub struct Hostile {
    _runtime: tokio::runtime::Runtime,
    port: u16,
    other_port: u16,
    shared: Arc<Shared>,
}

impl Hostile {
    /// Starts both listeners on 127.0.0.1, port 0.
    pub fn start(mode: Mode) -> Hostile {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the hostile server");
        let (main, other) = runtime.block_on(async {
            let main = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the hostile listener");
            let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the other-origin listener");
            (main, other)
        });
        let port = main.local_addr().expect("hostile listener address").port();
        let other_port = other.local_addr().expect("other-origin listener address").port();
        let shared = Arc::new(Shared {
            mode,
            log: Mutex::new(Vec::new()),
            scim: Mutex::new(Scim::new(mode, format!("http://127.0.0.1:{port}"), other_port)),
            answered: AtomicU64::new(0),
        });
        let main_app = Router::new().fallback(scim_handler).with_state(shared.clone());
        let other_app = Router::new().fallback(other_handler).with_state(shared.clone());
        runtime.spawn(async move { axum::serve(main, main_app).await });
        runtime.spawn(async move { axum::serve(other, other_app).await });
        Hostile { _runtime: runtime, port, other_port, shared }
    }

    /// The base URL to give scimlab.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{BASE}", self.port)
    }

    /// The other-origin listener (`http://127.0.0.1:OTHER_PORT`), also usable as an HTTP proxy.
    pub fn other_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.other_port)
    }

    /// A copy of the log so far.
    pub fn events(&self) -> Vec<Event> {
        lock(&self.shared.log).clone()
    }

    /// Writes the log, one line per event (the token shown as `<TOKEN>`), for whoever debugs a failure.
    pub fn write_log(&self, path: &std::path::Path) {
        let mut out = String::new();
        for event in lock(&self.shared.log).iter() {
            let line = match event {
                Event::Request(r) => format!(
                    "{:?} {} {} [{} body bytes]{}",
                    r.listener,
                    r.method,
                    r.target,
                    r.body.len(),
                    if r.method == "GET" || r.body.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", String::from_utf8_lossy(&r.body[..r.body.len().min(300)]))
                    }
                ),
                Event::HandedOut { kind, id } => format!("handed out {kind:?} {id:?}"),
            };
            out.push_str(&line.replace(TOKEN, "<TOKEN>").replace('\n', " "));
            out.push('\n');
        }
        let _ = std::fs::write(path, out);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Reads and records a request; returns it with its Authorization header.
async fn record(shared: &Shared, listener: Listener, req: Request) -> (Recorded, Option<String>) {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024).await.map(|b| b.to_vec()).unwrap_or_default();
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let auth = parts.headers.get("authorization").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let recorded =
        Recorded { listener, method: parts.method.as_str().to_owned(), target: parts.uri.to_string(), headers, body };
    lock(&shared.log).push(Event::Request(recorded.clone()));
    (recorded, auth)
}

async fn scim_handler(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (r, auth) = record(&shared, Listener::Main, req).await;
    let (path, query) = r.target.split_once('?').unwrap_or((&r.target, ""));
    let reply = if auth.as_deref() == Some(format!("Bearer {TOKEN}").as_str()) {
        lock(&shared.scim).handle(&r.method, path, query, &r.body)
    } else {
        let mut reply = Reply::error(401, None, "a valid bearer token is required");
        reply.headers.push(("WWW-Authenticate".into(), "Bearer realm=\"hostile\"".into()));
        reply
    };
    {
        let mut log = lock(&shared.log);
        for (kind, id) in &reply.handed_out {
            log.push(Event::HandedOut { kind: *kind, id: id.clone() });
        }
    }
    shape(&shared, &r.method, reply, auth)
}

/// Whatever reaches the other origin is recorded and answered like a resource, so a client that follows a
/// foreign Location would see success.
async fn other_handler(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let _ = record(&shared, Listener::Other, req).await;
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "other-origin", "userName": "other-origin"
    });
    response(200, &[], Some(SCIM_JSON), Body::from(body.to_string()))
}

/// Puts a reply on the wire the way the mode wants it.
fn shape(shared: &Shared, method: &str, reply: Reply, auth: Option<String>) -> Response {
    let mut headers = reply.headers;
    let mut body = reply.body;
    if shared.mode == Mode::EchoAuthorization
        && let Some(auth) = &auth
    {
        headers.push(("X-Debug-Auth".into(), auth.clone()));
        if let Some(b) = body.as_mut().and_then(|b| b.as_object_mut()) {
            b.insert("debugAuthorization".into(), auth.clone().into());
            if let Some(list) = b.get_mut("Resources").and_then(|r| r.as_array_mut()) {
                for item in list.iter_mut().filter_map(|i| i.as_object_mut()) {
                    item.insert("debugAuthorization".into(), auth.clone().into());
                }
            }
        }
    }
    let Some(body) = body else {
        return response(reply.status, &headers, None, Body::empty());
    };
    let text = body.to_string();
    let harmless = reply.discovery;
    let n = shared.answered.fetch_add(1, Ordering::Relaxed);
    match shared.mode {
        Mode::HugeBodies => {
            let (head, tail) = padded(&text);
            let len = head.len() + HUGE_PADDING + tail.len();
            headers.push(("Content-Length".into(), len.to_string()));
            let chunks = [Bytes::from(head), padding().clone(), Bytes::from(tail)];
            let s = stream::iter(chunks).map(Ok::<_, Infallible>);
            response(reply.status, &headers, Some(SCIM_JSON), Body::from_stream(s))
        }
        Mode::EndlessBody if method == "GET" && !harmless => {
            let head = Bytes::from_static(
                b"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"id\":\"endless\",\"padding\":\"",
            );
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let s = stream::once(async move { head }).chain(stream::repeat(chunk)).map(Ok::<_, Infallible>);
            response(reply.status, &headers, Some(SCIM_JSON), Body::from_stream(s))
        }
        Mode::DropMidResponse if !harmless && n.is_multiple_of(2) => {
            let bytes = Bytes::from(text);
            headers.push(("Content-Length".into(), bytes.len().to_string()));
            let half = bytes.slice(..bytes.len() / 2);
            let s =
                stream::iter([Ok(half), Err(std::io::Error::other("hostile server: connection dropped mid-response"))]);
            response(reply.status, &headers, Some(SCIM_JSON), Body::from_stream(s))
        }
        _ => response(reply.status, &headers, Some(SCIM_JSON), Body::from(text)),
    }
}

/// The JSON text split around where the padding goes: `{"hostilePadding":"` + padding + `",…rest`.
fn padded(text: &str) -> (String, String) {
    let rest = text.strip_prefix('{').unwrap_or(text);
    let tail = if rest == "}" { "\"}".to_owned() } else { format!("\",{rest}") };
    ("{\"hostilePadding\":\"".to_owned(), tail)
}

fn padding() -> &'static Bytes {
    static PADDING: OnceLock<Bytes> = OnceLock::new();
    PADDING.get_or_init(|| Bytes::from(vec![b'x'; HUGE_PADDING]))
}

fn response(status: u16, headers: &[(String, String)], content_type: Option<&str>, body: Body) -> Response {
    let mut builder = Response::builder().status(status);
    if let Some(ct) = content_type {
        builder = builder.header("Content-Type", ct);
    }
    for (k, v) in headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.body(body).unwrap_or_else(|_| Response::new(Body::from("hostile server: unbuildable response")))
}
