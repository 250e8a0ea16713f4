//! HTTP plumbing shared by every endpoint: SCIM responses, errors, query strings and media types.
//!
//! RFC 7644 section 3.1 and 8.1: SCIM bodies are `application/scim+json`; servers accept that and plain
//! `application/json`. Section 3.12: every error is a SCIM Error resource with the HTTP status repeated in it.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimlab_protocol::ScimError;
use serde_json::Value;

/// The SCIM media type (RFC 7644 section 8.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// A SCIM JSON response with the given status; `body` is any serialisable message (a `Value`, or a type that
/// writes itself straight to bytes, such as a BulkResponse).
pub fn scim_json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut resp = Response::new(Body::from(bytes));
            *resp.status_mut() = status;
            resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
            resp
        }
        Err(e) => error_response(&ScimError::new(500, format!("could not serialise the response: {e}"))),
    }
}

/// The SCIM Error resource for `e`, with its status (RFC 7644 section 3.12).
pub fn error_response(e: &ScimError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = scim_json(status, &e.to_json());
    if e.status == 401 {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"scimlab\""));
    }
    resp
}

/// A handler result: a response or a SCIM error.
pub struct ScimResult(pub Result<Response, ScimError>);

impl IntoResponse for ScimResult {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(r) => r,
            Err(e) => error_response(&e),
        }
    }
}

impl From<Result<Response, ScimError>> for ScimResult {
    fn from(r: Result<Response, ScimError>) -> Self {
        ScimResult(r)
    }
}

/// 405 with a SCIM Error naming the methods that do apply (RFC 7644 section 3.2 and 3.12).
pub fn method_not_allowed(allowed: &'static str) -> Response {
    let mut resp =
        error_response(&ScimError::new(405, format!("method not allowed here; this endpoint accepts {allowed}")));
    resp.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allowed));
    resp
}

/// Checks the request's Content-Type for a body-carrying request. `application/scim+json` and `application/json`
/// (any parameters, any case) are accepted; no Content-Type at all is accepted too, as the body is parsed as JSON
/// regardless and `recordings verify` reports the omission; anything else is 415.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), ScimError> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else { return Ok(()) };
    let ct = ct.to_str().unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case(SCIM_JSON) || essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ScimError::new(
            415,
            format!("unsupported Content-Type {ct:?}; send application/scim+json (or application/json)"),
        ))
    }
}

/// Parses a JSON request body: malformed JSON is 400 invalidSyntax naming the line and column.
pub fn parse_body(body: &[u8]) -> Result<Value, ScimError> {
    not_empty(body)?;
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}")))
}

/// A body of nothing but whitespace is a 400 invalidSyntax that says a JSON object was expected.
pub fn not_empty(body: &[u8]) -> Result<(), ScimError> {
    match body.iter().all(u8::is_ascii_whitespace) {
        true => Err(ScimError::invalid_syntax("the request body is empty; a JSON object was expected")),
        false => Ok(()),
    }
}

/// Readies a POST or PUT body for the strict checks of RFC 7644 sections 3.3 and 3.5.1 by dropping what carries
/// no data, so that identity providers' harmless extras do not fail a create:
/// - top-level members whose value is `null`: RFC 7643 section 2.5 makes a null the same as an unassigned
///   attribute (Entra's legacy bodies send `"manager": null` at the top level);
/// - URNs in `schemas` that are neither the type's core schema nor one of its extensions, when no member of the
///   body is keyed by them (Entra lists its `ADSCIM/2.0/Group` schema on every group create). The stored
///   resource then lists only schemas this server serves;
/// - and it reads OneLogin's draft-era URNs (`urn:scim:schemas:core:2.0`) as the RFC's (see `LEGACY_URNS`).
///
/// Everything that carries data is left for the checks to judge.
pub fn drop_dataless(body: &mut Value, view: &scimlab_protocol::schema::ResourceView<'_>) {
    let Some(obj) = body.as_object_mut() else { return };
    rename_legacy_urns(obj, view);
    obj.retain(|_, v| !v.is_null());
    let served = |u: &str| view.is_core_urn(u) || view.extension(u).is_some();
    let listed = scimlab_protocol::json::get_ci(obj, "schemas").and_then(Value::as_array);
    if listed.is_none_or(|schemas| schemas.iter().all(|s| s.as_str().is_none_or(served))) {
        return;
    }
    let keys: Vec<String> = obj.keys().cloned().collect();
    let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(obj, "schemas") else { return };
    schemas.retain(|s| s.as_str().is_none_or(|u| served(u) || keys.iter().any(|k| k.eq_ignore_ascii_case(u))));
}

/// The pre-RFC schema URNs of the SCIM 2.0 drafts that OneLogin still sends (IDP-TRAFFIC.md section 3, from a
/// captured v2-Enterprise flow), with the RFC 7643 URN each stands for. The core one depends on the resource
/// type, so it maps to `None` and is resolved through the view.
const LEGACY_URNS: [(&str, Option<&str>); 2] = [
    ("urn:scim:schemas:core:2.0", None),
    ("urn:scim:schemas:extension:enterprise:2.0", Some(scimlab_protocol::schema::ENTERPRISE_USER_URN)),
];

/// Reads OneLogin's draft URNs as the RFC's: in `schemas`, and as the key of the extension's attributes. Only
/// URNs this resource type serves are substituted; `recordings verify` still reports the client's deviation.
fn rename_legacy_urns(obj: &mut serde_json::Map<String, Value>, view: &scimlab_protocol::schema::ResourceView<'_>) {
    let target = |legacy: &str| {
        LEGACY_URNS.iter().find(|(l, _)| l.eq_ignore_ascii_case(legacy)).map(|(_, rfc)| match rfc {
            None => view.core.id.clone(),
            Some(u) => (*u).to_owned(),
        })
    };
    if let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(obj, "schemas") {
        for s in schemas.iter_mut() {
            if let Some(rfc) =
                s.as_str().and_then(target).filter(|u| view.is_core_urn(u) || view.extension(u).is_some())
            {
                *s = Value::String(rfc);
            }
        }
    }
    let legacy_keys: Vec<(String, String)> =
        obj.keys().filter_map(|k| target(k).filter(|u| view.extension(u).is_some()).map(|u| (k.clone(), u))).collect();
    for (legacy, rfc) in legacy_keys {
        if let Some(v) = obj.shift_remove(&legacy) {
            obj.insert(rfc, v);
        }
    }
}

/// Decoded `key=value` pairs of a query string, read as `application/x-www-form-urlencoded` (the WHATWG URL
/// standard's parser, from the `url` crate): `+` is a space, `%XX` escapes decode (invalid UTF-8 is replaced, a `%`
/// without two hex digits stays as it is), empty segments (a trailing `&`, as OneLogin sends) are skipped.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query else { return Vec::new() };
    url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// Whether an `If-None-Match` / `If-Match` header value lists `etag` (or is `*`). Weak comparison
/// (RFC 7232 section 2.3.2), which is what RFC 7644 section 3.14 needs for `W/` tags.
pub fn etag_listed(header_value: &str, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let want = bare(etag);
    header_value.split(',').any(|t| t.trim() == "*" || bare(t) == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding_handles_plus_percent_and_trailing_ampersand() {
        let pairs = query_pairs(Some("filter=userName+eq+%22a%40b.c%22&startIndex=1&"));
        assert_eq!(pairs, vec![("filter".into(), "userName eq \"a@b.c\"".into()), ("startIndex".into(), "1".into())]);
        assert_eq!(query_pairs(Some("a=%zz%")), vec![("a".into(), "%zz%".into())]);
        assert_eq!(
            query_pairs(Some("a%2Bb=1%2B1&flag")),
            vec![("a+b".into(), "1+1".into()), ("flag".into(), "".into())]
        );
        assert_eq!(query_pairs(Some("n=%C3%A9%FF")), vec![("n".into(), "é\u{fffd}".into())]);
    }

    #[test]
    fn weak_etags_compare_weakly() {
        assert!(etag_listed("W/\"1a\"", "W/\"1a\""));
        assert!(etag_listed("\"1a\", W/\"2\"", "W/\"1a\""));
        assert!(etag_listed("*", "W/\"9\""));
        assert!(!etag_listed("W/\"1b\"", "W/\"1a\""));
    }
}
