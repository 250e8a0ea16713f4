//! The transport faults (`latency=`, `429=`, `5xx=`, `drop=`) and the server-wide deviations that act on
//! requests as they arrive (`data-loss`, `reset-under-load`), with the two fault middlewares: [`transport`],
//! outside the recorder, picks 429 / 5xx / drop with one roll of the dice; [`inject`], inside it, delays, answers
//! the picked status, and hands the exchange to the [`super::http`] deviations.

use super::{Fault, Faults};
use crate::state::AppState;
use crate::store::{Kind, Store};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use scimlab_protocol::ScimError;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

family! {
    /// The deviations of a server that loses what it holds or cannot take the load: they act on every request
    /// as it arrives, in the [`transport`] middleware, and take a number (`data-loss=N`, `reset-under-load=K`).
    pub enum Transport {
        /// The store forgets everything once.
        DataLoss = "data-loss" (default 200): "after N requests (data-loss=N, default 200) every User and Group is forgotten, once, as by a restart without persistence",
        /// Connections dropped under concurrency.
        ResetUnderLoad = "reset-under-load" (default 4): "a request that arrives while K others are in flight (reset-under-load=K, default 4) has its connection closed unanswered, as by a server with a small worker pool",
    }
}

/// What the injection middleware does to a request that the dice pick.
#[derive(Debug, Clone)]
enum Answer {
    Status { status: u16, retry_after: Option<u32>, spec: String },
    Drop,
}

/// The transport faults of a server, prepared from its specs, and what `data-loss` and `reset-under-load`
/// count.
#[derive(Debug, Default)]
pub struct Plan {
    latency: Option<(Duration, Duration)>,
    /// Each answer with the upper end of its slice of one 0..100 roll: shares are exact, not compounded.
    answers: Vec<(f64, Answer)>,
    /// `data-loss`: the store is forgotten once this many requests have been answered.
    forget_after: Option<u64>,
    /// `reset-under-load`: a request arriving while this many are in flight is dropped.
    max_in_flight: Option<u64>,
    /// Requests counted for `data-loss` and `reset-under-load`.
    load: Arc<Load>,
}

/// What `data-loss` and `reset-under-load` count.
#[derive(Debug, Default)]
struct Load {
    /// Requests that reached the transport middleware.
    seen: AtomicU64,
    /// Requests being served now.
    in_flight: AtomicU64,
}

impl Plan {
    /// The plan for `faults` (the specs that are not transport faults are passed over).
    pub fn new(faults: &[Fault]) -> Plan {
        let mut out = Plan::default();
        let mut upto = 0.0;
        for f in faults {
            match f {
                Fault::Latency { min, max } => out.latency = Some((*min, *max)),
                Fault::Status { status, percent, retry_after } => {
                    upto += percent;
                    let answer = Answer::Status { status: *status, retry_after: *retry_after, spec: f.to_string() };
                    out.answers.push((upto, answer));
                }
                Fault::Drop { percent } => {
                    upto += percent;
                    out.answers.push((upto, Answer::Drop));
                }
                Fault::Deviation(d) => out.tune(*d, d.default_amount()),
                Fault::Tuned(d, n) => out.tune(*d, Some(*n)),
            }
        }
        out
    }

    /// Sets the number of `data-loss` or `reset-under-load` when `d` is one of them.
    fn tune(&mut self, d: super::Deviation, amount: Option<u64>) {
        match d {
            super::Deviation::Transport(Transport::DataLoss) => self.forget_after = amount,
            super::Deviation::Transport(Transport::ResetUnderLoad) => self.max_in_flight = amount,
            _ => {}
        }
    }

    /// Whether [`inject`] delays or answers requests.
    pub(super) fn injects(&self) -> bool {
        self.latency.is_some() || !self.answers.is_empty()
    }

    /// Whether the [`transport`] middleware has anything to do.
    fn active(&self) -> bool {
        !self.answers.is_empty() || self.forget_after.is_some() || self.max_in_flight.is_some()
    }

    /// `data-loss` and `reset-under-load` for one arriving request: forgets every resource of `store` when this
    /// request follows the N-th, then counts it in flight. `Err` when it arrives while K others are in flight
    /// (the connection is to be dropped); otherwise the guard that counts it in flight until it is dropped.
    fn arrive(&self, store: &dyn Store) -> Result<Option<InFlight>, Dropped> {
        if let Some(n) = self.forget_after
            && self.load.seen.fetch_add(1, Ordering::SeqCst) == n
        {
            forget_everything(store);
        }
        let Some(k) = self.max_in_flight else { return Ok(None) };
        let before = self.load.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(self.load.clone());
        if before < k { Ok(Some(guard)) } else { Err(Dropped) }
    }
}

/// `reset-under-load` picked this request: its connection is to be dropped.
struct Dropped;

/// A request counted in flight by `reset-under-load`, until dropped (also when its future is).
struct InFlight(Arc<Load>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `data-loss`: deletes every Group, then every User, as a server restarted without persistence has none.
fn forget_everything(store: &dyn Store) {
    for kind in [Kind::Group, Kind::User] {
        let mut ids = Vec::new();
        let _ = store.scan(kind, &mut |r| {
            ids.push(r.id.clone());
            true
        });
        for id in ids {
            // A resource deleted meanwhile is gone either way.
            let _ = store.delete(kind, &id, &mut |_| Ok(()));
        }
    }
}

/// The outer middleware, around the recorder: `data-loss` forgets the store after its N-th request,
/// `reset-under-load` drops a request that arrives while K others are in flight, and one roll of the dice per
/// request picks among the 429 / 5xx / drop faults. A drop happens here, outside everything that would collect
/// the failing body (the recorder would turn it into an empty 200); an injected status is handed to [`inject`]
/// as a request extension, so the recorder keeps it like any other answer.
pub async fn transport(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let sh = st.shared();
    let plan = &sh.faults.transport;
    if !plan.active() {
        return next.run(req).await;
    }
    let Ok(_in_flight) = plan.arrive(sh.store.as_ref()) else {
        return dropped_connection();
    };
    if plan.answers.is_empty() {
        return next.run(req).await;
    }
    let roll = sh.dice.percent();
    match plan.answers.iter().find(|(upto, _)| roll < *upto).map(|(_, a)| a) {
        Some(Answer::Drop) => dropped_connection(),
        Some(status) => {
            req.extensions_mut().insert(status.clone());
            next.run(req).await
        }
        None => next.run(req).await,
    }
}

/// The inner middleware, around authentication: the latency; the status [`transport`] picked, answered
/// instead of processing the request; otherwise the request and its response bent by the deviations of
/// [`super::http`] (`patch-501`, `if-match-ignored`, `error-plain-text`, ..., injected errors included).
pub async fn inject(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let sh = st.shared();
    let f: &Faults = &sh.faults;
    if !f.middleware {
        return next.run(req).await;
    }
    if let Some((min, max)) = f.transport.latency {
        let d = sh.dice.duration(min, max);
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }
    let resp = match req.extensions().get::<Answer>() {
        Some(Answer::Status { status, retry_after, spec }) => injected_error(*status, *retry_after, spec),
        _ => match super::http::bend_request(f, &mut req) {
            Some(refused) => refused,
            None => next.run(req).await,
        },
    };
    super::http::bend_response(f, resp).await
}

fn injected_error(status: u16, retry_after: Option<u32>, spec: &str) -> Response {
    let why = if status == 429 { "too many requests" } else { "server failure" };
    let detail = match retry_after {
        Some(s) => format!("{why} injected by scimlab --fault {spec}; retry after {s} s"),
        None => format!("{why} injected by scimlab --fault {spec}"),
    };
    let mut resp = crate::http::error_response(&ScimError::new(status, detail));
    if let Some(s) = retry_after {
        resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    resp
}

/// A response hyper cannot send: its body fails on the first poll, before any byte of the head leaves (hyper
/// buffers the head with the first body frame), so hyper aborts the connection and the client sees it close
/// with no HTTP response at all. Nothing between it and hyper may collect the body. axum has no other way for a
/// handler to drop a connection; tower's `call_all` over a one-chunk stream is the failing stream, as the crate
/// has no stream library of its own.
fn dropped_connection() -> Response {
    use tower::ServiceExt;
    let fail = tower::service_fn(|_chunk: Result<Bytes, axum::Error>| async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "connection dropped by scimlab --fault drop",
        ))
    });
    Response::new(Body::from_stream(fail.call_all(Body::from("x").into_data_stream())))
}
