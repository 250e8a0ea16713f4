//! HAR 1.2 (the HTTP Archive format browsers' developer tools import) of recorded exchanges.
//!
//! One entry per exchange, with every field the format requires: `startedDateTime`, `time`, `request` (method,
//! absolute url, httpVersion, cookies, headers, queryString, postData, headersSize, bodySize), `response`
//! (status, statusText, httpVersion, cookies, headers, content, redirectURL, headersSize, bodySize), `cache` and
//! `timings`. The recorder does not see the wire, so sizes of headers are unknown (-1), and the whole server
//! time is `wait`. A recorded note (a truncated body) becomes the entry's `comment`.

use scimlab_protocol::exchange::Exchange;
use serde_json::{Value, json};

/// The HAR document for `exchanges`.
pub fn document(exchanges: &[(u64, Exchange)]) -> Value {
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "scimlab", "version": env!("CARGO_PKG_VERSION")},
            "entries": exchanges.iter().map(|(_, e)| entry(e)).collect::<Vec<_>>(),
        }
    })
}

fn entry(e: &Exchange) -> Value {
    let ms = e.timings.total_us as f64 / 1000.0;
    let req = &e.request;
    let mut request = json!({
        "method": req.method,
        "url": absolute_url(e),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": name_values(&req.headers),
        "queryString": name_values(&scimlab_mock_sp::http::query_pairs(query_of(&req.url))),
        "headersSize": -1,
        "bodySize": req.body.as_ref().map_or(0, String::len),
    });
    if let Some(body) = &req.body {
        request["postData"] = json!({"mimeType": req.header("content-type").unwrap_or(""), "text": body});
    }
    let response = match &e.response {
        Some(r) => {
            let mut content = json!({
                "size": r.body.as_ref().map_or(0, String::len),
                "mimeType": r.header("content-type").unwrap_or(""),
            });
            if let Some(body) = &r.body {
                content["text"] = json!(body);
            }
            json!({
                "status": r.status,
                "statusText": status_text(r.status),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": name_values(&r.headers),
                "content": content,
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": r.body.as_ref().map_or(0, String::len),
            })
        }
        // What browsers write for a request that got no response.
        None => json!({
            "status": 0, "statusText": "", "httpVersion": "", "cookies": [], "headers": [],
            "content": {"size": 0, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": -1,
        }),
    };
    let mut out = json!({
        "startedDateTime": millis_time(&e.started_at.to_string()),
        "time": ms,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": ms, "receive": 0},
    });
    if let Some(note) = &e.error {
        out["comment"] = json!(note);
    }
    out
}

/// The request's URL made absolute for HAR readers: the recorder keeps the request target (`/scim/v2/Users`),
/// so the scheme is `http` (the mock SP serves plain HTTP) and the host is the request's Host header.
pub fn absolute_url(e: &Exchange) -> String {
    let url = &e.request.url;
    if url.contains("://") {
        return url.clone();
    }
    let host = e.request.header("host").unwrap_or("localhost");
    format!("http://{host}{url}")
}

fn query_of(url: &str) -> Option<&str> {
    url.split('#').next().and_then(|u| u.split_once('?')).map(|(_, q)| q)
}

fn name_values(pairs: &[(String, String)]) -> Vec<Value> {
    pairs.iter().map(|(n, v)| json!({"name": n, "value": v})).collect()
}

/// The reason phrase of a status code, or an empty one for codes without.
pub fn status_text(status: u16) -> &'static str {
    axum::http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("")
}

/// An RFC 3339 instant with exactly three fractional digits (`2024-05-01T12:00:00.120Z`), as HAR readers expect.
pub fn millis_time(rfc3339: &str) -> String {
    let Some(body) = rfc3339.strip_suffix('Z') else { return rfc3339.to_owned() };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let mut digits: String = fraction.chars().take(3).collect();
    while digits.len() < 3 {
        digits.push('0');
    }
    format!("{whole}.{digits}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_get_three_fraction_digits() {
        assert_eq!(millis_time("2024-05-01T12:00:00Z"), "2024-05-01T12:00:00.000Z");
        assert_eq!(millis_time("2024-05-01T12:00:00.1Z"), "2024-05-01T12:00:00.100Z");
        assert_eq!(millis_time("2024-05-01T12:00:00.123456789Z"), "2024-05-01T12:00:00.123Z");
    }

    #[test]
    fn reason_phrases() {
        assert_eq!(status_text(201), "Created");
        assert_eq!(status_text(799), "");
    }
}
