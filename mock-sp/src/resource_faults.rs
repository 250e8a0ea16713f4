//! The resource deviations (`--fault readonly-not-ignored`, `put-noop`, `delete-noop`, `schema-error-500`,
//! `read-as-list`, `no-405`, `plain-json-refused`, ...): how the create / read / replace / delete handlers, the
//! rendering of a resource and the error bodies bend RFC 7643 sections 2 to 4 and RFC 7644 sections 2, 3.1 to
//! 3.6 and 3.12 when told to, so that the harness can show each check of those sections failing.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; the handlers call them
//! at one point each. Every deviation breaks one rule and leaves the rest of the server correct.

use crate::faults::{Deviation, Faults};
use crate::state::Shared;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use scimlab_protocol::ScimError;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, LIST_RESPONSE_URN, ResourceView};
use serde_json::{Map, Value, json};

/// `readonly-not-ignored`: whether readOnly values of a POST or PUT body are kept (RFC 7644 sections 3.3 and
/// 3.5.1 say they are ignored).
pub fn keeps_read_only(st: &Shared) -> bool {
    st.faults.has(Deviation::ReadonlyNotIgnored)
}

/// `put-noop`: whether a PUT leaves the resource as it was.
pub fn put_is_noop(st: &Shared) -> bool {
    st.faults.has(Deviation::PutNoop)
}

/// `delete-noop`: whether a DELETE leaves the resource in place.
pub fn delete_is_noop(st: &Shared) -> bool {
    st.faults.has(Deviation::DeleteNoop)
}

/// `schema-error-500`: a schema violation of a POST or PUT body (RFC 7644 section 3.12: 400) answered as a
/// server failure.
pub fn schema_error(st: &Shared, e: ScimError) -> ScimError {
    if e.status == 400 && st.faults.has(Deviation::SchemaError500) {
        ScimError::new(500, format!("internal server error while storing the resource ({})", e.detail))
    } else {
        e
    }
}

/// `read-as-list`: a GET by id answered as a ListResponse holding the resource (RFC 7644 section 3.4.1 answers
/// with the resource itself).
pub fn read_body(st: &Shared, body: Value) -> Value {
    if st.faults.has(Deviation::ReadAsList) {
        json!({"schemas": [LIST_RESPONSE_URN], "totalResults": 1, "startIndex": 1, "itemsPerPage": 1, "Resources": [body]})
    } else {
        body
    }
}

/// `no-405`: the answer to a method a resource endpoint does not serve: 405 naming the methods that apply
/// (RFC 7231 section 6.5.5), or 404 under the deviation.
pub fn not_allowed(st: &Shared, allowed: &'static str) -> Response {
    if st.faults.has(Deviation::No405) {
        crate::http::error_response(&ScimError::not_found("no such endpoint"))
    } else {
        crate::http::method_not_allowed(allowed)
    }
}

/// `plain-json-refused`: refuses a request body labelled `application/json`, which RFC 7644 section 3.8 says a
/// server should take like `application/scim+json`.
pub fn refuse_plain_json(st: &Shared, headers: &HeaderMap) -> Result<(), ScimError> {
    if !st.faults.has(Deviation::PlainJsonRefused) {
        return Ok(());
    }
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json") {
        return Err(ScimError::new(415, "unsupported Content-Type application/json; send application/scim+json"));
    }
    Ok(())
}

/// `no-www-authenticate`: strips the challenge from a 401 (RFC 7644 section 2 says the server names its schemes
/// in WWW-Authenticate).
pub fn unchallenged(st: &Shared, mut resp: Response) -> Response {
    if st.faults.has(Deviation::NoWwwAuthenticate) {
        resp.headers_mut().remove(header::WWW_AUTHENTICATE);
    }
    resp
}

/// `error-status-number`: the `status` of a SCIM Error body as a JSON number (RFC 7644 section 3.12 makes it a
/// string). Applied by the fault middleware to every error body.
pub fn bend_error_status(f: &Faults, error: &mut Map<String, Value>) {
    if !f.has(Deviation::ErrorStatusNumber) {
        return;
    }
    if let Some(n) = error.get("status").and_then(Value::as_str).and_then(|s| s.trim().parse::<u64>().ok()) {
        error.insert("status".into(), Value::from(n));
    }
}

/// `user-groups-missing`: whether a User's derived `groups` is left out (RFC 7643 section 4.1.2).
pub fn hides_user_groups(st: &Shared) -> bool {
    st.faults.has(Deviation::UserGroupsMissing)
}

/// `extension-urn-unlisted`: takes the enterprise URN out of `schemas` of a representation that carries the
/// extension's attributes (RFC 7643 section 3: `schemas` lists every schema the representation uses).
pub fn unlist_extension(st: &Shared, body: &mut Map<String, Value>) {
    if !st.faults.has(Deviation::ExtensionUrnUnlisted) {
        return;
    }
    if let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(body, "schemas") {
        schemas.retain(|u| u.as_str().is_none_or(|u| !u.eq_ignore_ascii_case(ENTERPRISE_USER_URN)));
    }
}

/// `extension-dropped`: removes the enterprise extension (its object and its URN) from a create body, so it is
/// accepted but not stored.
pub fn drop_extension(st: &Shared, body: &mut Value) {
    if !st.faults.has(Deviation::ExtensionDropped) {
        return;
    }
    let Some(obj) = body.as_object_mut() else { return };
    scimlab_protocol::json::remove_ci(obj, ENTERPRISE_USER_URN);
    if let Some(Value::Array(schemas)) = scimlab_protocol::json::get_ci_mut(obj, "schemas") {
        schemas.retain(|u| u.as_str().is_none_or(|u| !u.eq_ignore_ascii_case(ENTERPRISE_USER_URN)));
    }
}

/// `attribute-names-case-sensitive`: refuses top-level attribute names spelled in another case than the
/// schema's (RFC 7643 section 2.1 makes them case-insensitive), as unknown attributes.
pub fn refuse_miscased_names(st: &Shared, body: &Value, view: &ResourceView<'_>) -> Result<(), ScimError> {
    if !st.faults.has(Deviation::AttributeNamesCaseSensitive) {
        return Ok(());
    }
    let Some(obj) = body.as_object() else { return Ok(()) };
    for key in obj.keys().filter(|k| view.extension(k).is_none()) {
        if let Some(r) = view.resolve(None, key).filter(|r| r.attr.name != *key) {
            return Err(ScimError::invalid_syntax(format!(
                "unknown attribute {key:?} (attribute names are matched exactly here: {})",
                r.attr.name
            )));
        }
    }
    Ok(())
}
