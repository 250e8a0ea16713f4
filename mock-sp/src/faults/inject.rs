//! The fault middlewares: [`transport`], outside the recorder, picks 429 / 5xx / drop with one roll of the dice;
//! [`inject`], inside it, delays, answers the picked status, and rewrites responses for the cross-cutting
//! deviations.

use super::{Answer, Deviation, Faults};
use crate::http::SCIM_JSON;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use scimlab_protocol::ScimError;
use serde_json::Value;

/// The outer middleware, around the recorder: `data-loss` forgets the store after its N-th request,
/// `reset-under-load` drops a request that arrives while K others are in flight, and one roll of the dice per
/// request picks among the 429 / 5xx / drop faults. A drop happens here, outside everything that would collect
/// the failing body (the recorder would turn it into an empty 200); an injected status is handed to [`inject`]
/// as a request extension, so the recorder keeps it like any other answer.
pub async fn transport(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let sh = st.shared();
    let f = &sh.faults;
    if !f.transport() {
        return next.run(req).await;
    }
    let Ok(_in_flight) = f.arrive(sh.store.as_ref()) else {
        return dropped_connection();
    };
    if f.answers.is_empty() {
        return next.run(req).await;
    }
    let roll = sh.dice.percent();
    match f.answers.iter().find(|(upto, _)| roll < *upto).map(|(_, a)| a) {
        Some(Answer::Drop) => dropped_connection(),
        Some(status) => {
            req.extensions_mut().insert(status.clone());
            next.run(req).await
        }
        None => next.run(req).await,
    }
}

/// The inner middleware, around authentication: the latency; the status [`transport`] picked, answered
/// instead of processing the request; every PATCH answered 501 for `patch-501` (before authentication, as a
/// server without the method routes it nowhere); `If-Match` removed for `if-match-ignored`; then the response
/// rewritten for `error-plain-text`, `no-scim-type`, `401-no-body` and `wrong-content-type` (injected errors
/// included).
pub async fn inject(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let sh = st.shared();
    let f = &sh.faults;
    if !f.middleware {
        return next.run(req).await;
    }
    if let Some((min, max)) = f.latency {
        let d = sh.dice.duration(min, max);
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }
    let resp = match req.extensions().get::<Answer>() {
        Some(Answer::Status { status, retry_after, spec }) => injected_error(*status, *retry_after, spec),
        _ if f.has(Deviation::Patch501) && req.method() == Method::PATCH => crate::http::error_response(
            &ScimError::new(501, "PATCH is not implemented by this server (scimlab --fault patch-501)"),
        ),
        _ => {
            if f.has(Deviation::IfMatchIgnored) {
                req.headers_mut().remove(header::IF_MATCH);
            }
            if f.has(Deviation::IfMatchRefused) && req.headers().contains_key(header::IF_MATCH) {
                req.headers_mut().insert(header::IF_MATCH, HeaderValue::from_static("\"scimlab-never-matches\""));
            }
            next.run(req).await
        }
    };
    rewrite(f, resp).await
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

fn is_scim_json(resp: &Response) -> bool {
    resp.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case(SCIM_JSON))
}

fn text_plain() -> HeaderValue {
    HeaderValue::from_static("text/plain; charset=utf-8")
}

async fn rewrite(f: &Faults, resp: Response) -> Response {
    let status = resp.status();
    let scim = is_scim_json(&resp);
    let error = status.is_client_error() || status.is_server_error();
    let no_body = status == StatusCode::UNAUTHORIZED && f.has(Deviation::Unauthorized401NoBody);
    let bend = f.has(Deviation::ErrorPlainText) || f.has(Deviation::NoScimType) || f.has(Deviation::ErrorStatusNumber);
    let resp = if error && scim && (no_body || bend) {
        let (mut parts, body) = resp.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
        let mut json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let body = if no_body {
            parts.headers.remove(header::CONTENT_TYPE);
            Body::empty()
        } else if f.has(Deviation::ErrorPlainText) {
            parts.headers.insert(header::CONTENT_TYPE, text_plain());
            let detail = json.get("detail").and_then(Value::as_str).unwrap_or("");
            let reason = status.canonical_reason().unwrap_or("error");
            Body::from(format!("{} {reason}: {detail}\n", status.as_u16()))
        } else {
            if let Some(o) = json.as_object_mut().filter(|_| f.has(Deviation::NoScimType)) {
                scimlab_protocol::json::remove_ci(o, "scimType");
            }
            if let Some(o) = json.as_object_mut() {
                crate::resource_faults::bend_error_status(f, o);
            }
            Body::from(serde_json::to_vec(&json).unwrap_or_else(|_| bytes.to_vec()))
        };
        Response::from_parts(parts, body)
    } else {
        resp
    };
    if f.has(Deviation::WrongContentType) && is_scim_json(&resp) {
        let mut resp = resp;
        resp.headers_mut().insert(header::CONTENT_TYPE, text_plain());
        return resp;
    }
    resp
}
