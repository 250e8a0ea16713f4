//! The recorder: an axum middleware that keeps every exchange the mock SP sees as an [`Exchange`] in the store.
//!
//! It wraps the whole SCIM application from the outside (authentication included), so a 401, a 404 for a wrong
//! base path and a 413 are evidence like any other answer; the control API at `/_scimlab/` is mounted beside it
//! and is not recorded. It sits on the hot path of a server that aims at tens of thousands of requests per
//! second, so it does the least it can: a request without a body is not touched, a body arriving in one frame is
//! kept as the same reference-counted buffer the handler reads (no copy), the response body is collected once
//! and handed back as the same buffer, and each body is copied exactly once, into the recorded text. The store
//! write happens after the response is built and before it is returned, so a client that has its answer can read
//! the recording at once. Credentials are redacted ([`Exchange::redact`]) before anything is stored.
//!
//! Bodies are recorded up to a bound: a request body up to the configured `max_payload_bytes` (a larger one is
//! refused with 413 by the handler anyway), a response body up to [`response_record_limit`]; a truncated body is
//! noted in the exchange's `error` field, which the `Exchange` type reserves for what kept the record from being
//! complete.
//!
//! A compressed answer ([`crate::compress`]) is recorded with the `Content-Encoding` header the client got and
//! the body as the handler built it (the [`crate::compress::Uncompressed`] extension), so that it reads as JSON.

use crate::http::error_response;
use crate::state::AppState;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::{self, Next};
use axum::response::Response;
use scimlab_protocol::ScimError;
use scimlab_protocol::exchange::{Exchange, HttpRequest, HttpResponse, Timings};
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// Wraps `app` in the recorder when the configuration asks for recording (`config.record`); otherwise returns
/// it unchanged, so a server that does not record pays nothing.
pub fn wrap(app: Router, state: &AppState) -> Router {
    if state.shared().config.record { app.layer(middleware::from_fn_with_state(state.clone(), record)) } else { app }
}

/// The most response bytes recorded: the payload limit, but never less than 1 MiB, so that a small
/// `--max-payload` does not cut the list responses that are the evidence.
pub fn response_record_limit(max_payload_bytes: usize) -> usize {
    max_payload_bytes.max(1024 * 1024)
}

/// The sequence number the exchange of a request will be recorded under, a request extension: the audit trail
/// names it, so that `scimlab recordings show SEQ` finds the request that made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordingSeq(pub u64);

/// The middleware: runs the request through the application and records what went in and came out.
pub async fn record(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let started_at = jiff::Timestamp::now();
    let clock = Instant::now();
    let limit = st.shared().config.max_payload_bytes;
    let (mut parts, body) = req.into_parts();
    let seq = st.shared().store.reserve_recording();
    parts.extensions.insert(RecordingSeq(seq));
    let client = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.to_string());
    let url = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let mut request = HttpRequest {
        method: parts.method.as_str().to_owned(),
        url,
        headers: header_pairs(&parts.headers),
        body: None,
    };
    let mut notes = Vec::new();
    let response = match read_request_body(body, limit).await {
        Ok(RequestBody { bytes, over_limit }) => {
            request.body = text_of(&bytes, limit);
            if over_limit {
                notes.push(format!(
                    "the request body exceeds the {limit}-byte payload limit; only its first {limit} bytes are recorded"
                ));
            }
            // Over the limit, the handler still sees more than `limit` bytes and answers 413 as it would have.
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        Err((partial, e)) => {
            request.body = text_of(&partial, limit);
            notes.push(format!("the request body could not be read to its end: {e}"));
            error_response(&ScimError::invalid_syntax(format!("the request body could not be read: {e}")))
        }
    };
    let ttfb = clock.elapsed();
    let (rparts, rbody) = response.into_parts();
    let cap = response_record_limit(limit);
    // A compressed answer is recorded with its Content-Encoding header and the body as the handler built it.
    let uncompressed = rparts.extensions.get::<crate::compress::Uncompressed>().map(|u| u.0.clone());
    // A body of known length (every body the mock SP builds) is collected and handed back as the same buffer. A
    // streamed one (a fault that breaks the connection mid-body, say) passes through untouched, unrecorded, so
    // that the client meets exactly what the application sent.
    let (bytes, passthrough) = if rbody.size_hint().exact().is_some() {
        let (bytes, read_error) = collect(rbody).await;
        if let Some(e) = read_error {
            notes.push(format!("the response body failed after {} bytes: {e}", bytes.len()));
        }
        (bytes, None)
    } else {
        notes.push("the response body is streamed; it is not recorded".to_owned());
        (Bytes::new(), Some(rbody))
    };
    let recorded = uncompressed.as_ref().unwrap_or(&bytes);
    if recorded.len() > cap {
        notes.push(format!("the response body has {} bytes; only its first {cap} are recorded", recorded.len()));
    }
    let mut exchange = Exchange {
        id: seq,
        started_at,
        request,
        response: Some(HttpResponse {
            status: rparts.status.as_u16(),
            headers: header_pairs(&rparts.headers),
            body: text_of(recorded, cap),
        }),
        timings: Timings { total_us: micros(clock.elapsed()), ttfb_us: Some(micros(ttfb)) },
        client,
        error: if notes.is_empty() { None } else { Some(notes.join("; ")) },
    };
    exchange.redact();
    // A recording that cannot be stored must not cost the client its answer; the store already reports its own
    // faults on the requests that need it.
    let _ = st.shared().store.record_owned(exchange);
    Response::from_parts(rparts, passthrough.unwrap_or_else(|| Body::from(bytes)))
}

/// A request body as read: the bytes, and whether reading stopped because they passed the limit.
struct RequestBody {
    bytes: Bytes,
    over_limit: bool,
}

/// Reads a request body until its end or until more than `limit` bytes have arrived. A body that is already
/// finished (every GET without a body) is not polled at all. A read failure returns what arrived before it.
async fn read_request_body(mut body: Body, limit: usize) -> Result<RequestBody, (Bytes, axum::Error)> {
    if body.is_end_stream() {
        return Ok(RequestBody { bytes: Bytes::new(), over_limit: false });
    }
    let mut acc = Accumulator::default();
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            None => return Ok(RequestBody { bytes: acc.finish(), over_limit: false }),
            Some(Err(e)) => return Err((acc.finish(), e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    acc.push(data);
                    if acc.len > limit {
                        return Ok(RequestBody { bytes: acc.finish(), over_limit: true });
                    }
                }
            }
        }
    }
}

/// Collects a whole response body of known length. The mock SP's responses are built in memory, so this is one
/// frame and no copy; a failing body yields what arrived before the failure.
async fn collect(mut body: Body) -> (Bytes, Option<axum::Error>) {
    let mut acc = Accumulator::default();
    loop {
        match std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            None => return (acc.finish(), None),
            Some(Err(e)) => return (acc.finish(), Some(e)),
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    acc.push(data);
                }
            }
        }
    }
}

/// Joins data frames, keeping a lone frame as it is (no copy) and concatenating only when a second arrives.
#[derive(Default)]
struct Accumulator {
    first: Option<Bytes>,
    rest: Vec<u8>,
    len: usize,
}

impl Accumulator {
    fn push(&mut self, data: Bytes) {
        if data.is_empty() {
            return;
        }
        self.len += data.len();
        match self.first.take() {
            None if self.rest.is_empty() => self.first = Some(data),
            None => self.rest.extend_from_slice(&data),
            Some(first) => {
                self.rest.reserve(first.len() + data.len());
                self.rest.extend_from_slice(&first);
                self.rest.extend_from_slice(&data);
            }
        }
    }

    fn finish(self) -> Bytes {
        match self.first {
            Some(b) => b,
            None => Bytes::from(self.rest),
        }
    }
}

/// The recorded text of a body: `None` when empty, else its first `cap` bytes as UTF-8 (invalid sequences, and
/// a character cut by the bound, replaced).
fn text_of(bytes: &[u8], cap: usize) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let kept = &bytes[..bytes.len().min(cap)];
    Some(String::from_utf8_lossy(kept).into_owned())
}

/// Headers as (name, value) text pairs, in the order the map holds them. Names are lowercase: HTTP/1 header
/// names are case-insensitive and hyper normalises them.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers.iter().map(|(n, v)| (n.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect()
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_frame_is_kept_and_several_are_joined() {
        let mut a = Accumulator::default();
        let one = Bytes::from_static(b"abc");
        a.push(one.clone());
        let got = a.finish();
        assert_eq!(got, one);
        assert_eq!(got.as_ptr(), one.as_ptr(), "a lone frame is not copied");

        let mut a = Accumulator::default();
        for part in [&b"ab"[..], b"", b"cd", b"e"] {
            a.push(Bytes::copy_from_slice(part));
        }
        assert_eq!(a.len, 5);
        assert_eq!(a.finish(), Bytes::from_static(b"abcde"));
    }

    #[test]
    fn text_is_bounded_and_lossy() {
        assert_eq!(text_of(b"", 10), None);
        assert_eq!(text_of(b"hello", 3).as_deref(), Some("hel"));
        assert_eq!(text_of(&[b'a', 0xff], 10).as_deref(), Some("a\u{fffd}"));
        assert_eq!(response_record_limit(10), 1024 * 1024);
        assert_eq!(response_record_limit(8 << 20), 8 << 20);
    }

    #[tokio::test]
    async fn streamed_responses_pass_through_unrecorded() {
        use crate::store::{MemoryStore, Store};
        use std::sync::Arc;
        let store = Arc::new(MemoryStore::default());
        let state = AppState::new(store.clone(), crate::ServerConfig::default());
        let streamed = axum::routing::get(|| async {
            let chunks = Body::from("part one").into_data_stream();
            Response::new(Body::from_stream(chunks))
        });
        let app = wrap(Router::new().route("/s", streamed), &state);
        let req = axum::http::Request::get("/s").body(Body::empty()).expect("request");
        let resp = tower::ServiceExt::oneshot(app, req).await.expect("response");
        let (bytes, error) = collect(resp.into_body()).await;
        assert_eq!((bytes.as_ref(), error.is_none()), (&b"part one"[..], true));
        let recs = store.recordings(0, 10).expect("recordings");
        let e = &recs[0].1;
        assert_eq!(e.response.as_ref().and_then(|r| r.body.as_deref()), None);
        assert_eq!(e.error.as_deref(), Some("the response body is streamed; it is not recorded"));
    }

    #[tokio::test]
    async fn request_bodies_stop_past_the_limit() {
        let small = read_request_body(Body::from("0123456789"), 10).await.expect("read");
        assert_eq!((small.bytes.len(), small.over_limit), (10, false));
        let big = read_request_body(Body::from("0123456789x"), 10).await.expect("read");
        assert_eq!((big.bytes.len(), big.over_limit), (11, true));
        let empty = read_request_body(Body::empty(), 10).await.expect("read");
        assert_eq!((empty.bytes.len(), empty.over_limit), (0, false));
    }
}
