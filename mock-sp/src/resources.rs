//! The resource endpoints: `/Users`, `/Groups` and their members (RFC 7644 sections 3.3 to 3.6).
//!
//! Each handler reads the raw request so that every failure, a malformed body, an oversized one, a wrong media
//! type, becomes a SCIM Error with the right status and scimType instead of a framework's plain-text rejection.

use crate::faults::{Deviation, etag_shown};
use crate::http::{ScimResult, check_content_type, error_response, etag_listed, parse_body, query_pairs, scim_json};
use crate::render::{project_one, render};
use crate::state::{AppState, Shared};
use crate::store::{Kind, Record};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimlab_protocol::ScimError;
use scimlab_protocol::patch::PatchRequest;
use scimlab_protocol::validate::{self, Mode};
use serde_json::{Map, Value};

/// Reads a request body up to the configured limit (413 beyond it, RFC 7644 section 3.7.4 for the limit).
pub async fn read_body(st: &Shared, body: Body) -> Result<axum::body::Bytes, ScimError> {
    let limit = st.config.max_payload_bytes;
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ScimError::new(413, format!("the request body exceeds the maximum payload size of {limit} bytes")))
}

fn kind_of(endpoint: &str) -> Result<Kind, ScimError> {
    Kind::from_endpoint(endpoint).ok_or_else(|| {
        ScimError::not_found(format!("no resource endpoint /{endpoint}; this server serves /Users and /Groups"))
    })
}

/// `/{Users|Groups}`: GET lists (section 3.4.2), POST creates (section 3.3).
pub async fn collection(State(st): State<AppState>, Path(endpoint): Path<String>, req: Request) -> Response {
    let st = st.shared();
    let kind = match kind_of(&endpoint) {
        Ok(k) => k,
        Err(e) => return error_response(&e),
    };
    let method = req.method().clone();
    match method {
        Method::GET => {
            let pairs = query_pairs(req.uri().query());
            ScimResult(crate::list::list_get(st, kind, &pairs)).into_response()
        }
        Method::POST => {
            let (parts, body) = req.into_parts();
            let result = async {
                check_content_type(&parts.headers)?;
                crate::resource_faults::refuse_plain_json(st, &parts.headers)?;
                let bytes = read_body(st, body).await?;
                let value = parse_body(&bytes)?;
                let pairs = query_pairs(parts.uri.query());
                create(st, kind, value, &parts.headers, &pairs)
            }
            .await;
            ScimResult(result.map(IntoResponse::into_response)).into_response()
        }
        _ => crate::resource_faults::not_allowed(st, "GET, POST"),
    }
}

/// `/{Users|Groups}/{id}`: GET, PUT, PATCH, DELETE (sections 3.4.1, 3.5.1, 3.5.2, 3.6).
pub async fn item(State(st): State<AppState>, Path((endpoint, id)): Path<(String, String)>, req: Request) -> Response {
    let st = st.shared();
    let kind = match kind_of(&endpoint) {
        Ok(k) => k,
        Err(e) => return error_response(&e),
    };
    let (parts, body) = req.into_parts();
    let pairs = query_pairs(parts.uri.query());
    let result = match parts.method {
        Method::GET => get(st, kind, &id, &parts.headers, &pairs),
        Method::DELETE => delete(st, kind, &id, &parts.headers),
        Method::PUT | Method::PATCH => {
            let body = async {
                check_content_type(&parts.headers)?;
                crate::resource_faults::refuse_plain_json(st, &parts.headers)?;
                let bytes = read_body(st, body).await?;
                parse_body(&bytes)
            }
            .await;
            match body {
                Ok(value) if parts.method == Method::PUT => replace(st, kind, &id, value, &parts.headers, &pairs),
                Ok(value) => patch(st, kind, &id, &value, &parts.headers, &pairs),
                Err(e) => Err(e),
            }
        }
        _ => return crate::resource_faults::not_allowed(st, "GET, PUT, PATCH, DELETE"),
    };
    let result = match result {
        Err(e) if e.status == 404 && st.faults.has(Deviation::NotFound200) => Ok(OpResult::empty_object(&id)),
        r => r,
    };
    ScimResult(result.map(IntoResponse::into_response)).into_response()
}

/// What one resource operation produced, before it becomes an HTTP response. The /Bulk endpoint reports the same
/// parts for each of its operations (RFC 7644 section 3.7.3: status, location, version).
#[derive(Debug, Clone)]
pub struct OpResult {
    /// The status the operation answers with.
    pub status: StatusCode,
    /// The id of the resource the operation touched.
    pub id: String,
    /// The response body, if any.
    pub body: Option<Value>,
    /// The `Location` header to send (creates only).
    pub location: Option<String>,
    /// The resource's ETag after the operation, as clients see it.
    pub version: Option<String>,
}

impl OpResult {
    fn of(st: &Shared, status: StatusCode, record: &Record, body: Option<Value>) -> OpResult {
        OpResult { status, id: record.id.clone(), body, location: None, version: etag_shown(st, record.version) }
    }

    /// `not-found-200`: an unknown id answered 200 with an empty object.
    fn empty_object(id: &str) -> OpResult {
        let body = Some(Value::Object(Map::new()));
        OpResult { status: StatusCode::OK, id: id.to_owned(), body, location: None, version: None }
    }
}

impl IntoResponse for OpResult {
    fn into_response(self) -> Response {
        let mut resp = match &self.body {
            Some(body) => scim_json(self.status, body),
            None => {
                let mut resp = Response::new(Body::empty());
                *resp.status_mut() = self.status;
                resp
            }
        };
        for (name, value) in [(header::LOCATION, self.location), (header::ETAG, self.version)] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                resp.headers_mut().insert(name, v);
            }
        }
        resp
    }
}

/// A record as a response shows it: projected per the query (unless `attributes-ignored`), then finished by
/// [`crate::faults::present`] (`meta.version`, `password-returned`).
fn shown(st: &Shared, kind: Kind, record: &Record, pairs: &[(String, String)]) -> Result<Value, ScimError> {
    let pairs = if st.faults.has(Deviation::AttributesIgnored) { &[][..] } else { pairs };
    let bent = crate::query_faults::pairs(st, pairs);
    let pairs = &*bent;
    let mut body = project_one(st, kind, record, pairs)?;
    crate::faults::present(st, record, &mut body);
    let param = |n: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    crate::query_faults::drop_always(st, param("attributes"), param("excludedAttributes"), &mut body);
    Ok(body)
}

/// Base URL of this server as the client addressed it, for `meta.location` and the Location header.
pub(crate) fn base_url(st: &Shared, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}{}", st.config.base_path)
}

/// RFC 7644 section 3.14: a request whose If-Match lists no current version fails with 412.
fn check_if_match(headers: &HeaderMap, current: &Value) -> Result<(), ScimError> {
    let Some(h) = headers.get(header::IF_MATCH).and_then(|h| h.to_str().ok()) else { return Ok(()) };
    let version = current.pointer("/meta/version").and_then(Value::as_str).unwrap_or("");
    if etag_listed(h, version) {
        Ok(())
    } else {
        Err(ScimError::new(412, format!("If-Match {h} does not match the current version {version}")))
    }
}

/// RFC 7644 section 3.3: create. The server assigns `id` and `meta`, ignores readOnly values the client sent,
/// enforces uniqueness (409) and answers 201 with the resource and its Location.
pub(crate) fn create(
    st: &Shared,
    kind: Kind,
    body: Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<OpResult, ScimError> {
    create_with(st, kind, body, headers, pairs, true)
}

/// [`create`], building the response body only when `want_body` (a /Bulk result carries none, RFC 7644
/// section 3.7.3, so rendering one per operation would be wasted work).
pub(crate) fn create_with(
    st: &Shared,
    kind: Kind,
    mut body: Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    want_body: bool,
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    crate::profile_faults::refuse_read_only(st, &body, &view)?;
    crate::profile_faults::lowercase_values(st, &mut body);
    crate::http::drop_dataless(&mut body, &view);
    crate::resource_faults::refuse_miscased_names(st, &body, &view)?;
    validate::check_resource(&body, &view, Mode::Create).map_err(|e| crate::resource_faults::schema_error(st, e))?;
    if !crate::resource_faults::keeps_read_only(st) {
        validate::strip_read_only(&mut body, &view);
    }
    crate::resource_faults::drop_extension(st, &mut body);
    let id = st.new_id();
    let base = base_url(st, headers);
    let now = crate::store::now_rfc3339();
    let obj = body.as_object_mut().ok_or_else(|| ScimError::invalid_syntax("the body must be a JSON object"))?;
    // `id` goes first; one the client sent survives only where read-only attributes are kept (a deviation).
    let given = obj.shift_remove("id");
    obj.shift_insert(0, "id".into(), given.unwrap_or_else(|| Value::String(id.clone())));
    let location = format!("{base}/{}/{id}", kind.endpoint());
    let mut meta = Map::with_capacity(5);
    meta.insert("resourceType".into(), kind.name().into());
    meta.insert("created".into(), now.as_str().into());
    meta.insert("lastModified".into(), now.into());
    meta.insert("location".into(), location.as_str().into());
    obj.insert("meta".into(), Value::Object(meta));
    let copy = crate::faults::keeps_duplicates(st).then(|| body.clone());
    let record = st.store.insert(kind, body).or_else(|e| crate::faults::unstored_duplicate(st, e, copy))?;
    let shown = if want_body { Some(shown(st, kind, &record, pairs)?) } else { None };
    let mut result = OpResult::of(st, StatusCode::CREATED, &record, shown);
    result.location = (!st.faults.has(Deviation::NoLocation)).then_some(location);
    if st.faults.has(Deviation::Create200) {
        result.status = StatusCode::OK;
    }
    if st.faults.has(Deviation::CreateEmptyBody) {
        result.body = None;
    }
    Ok(result)
}

/// RFC 7644 section 3.4.1: read one resource, honouring attributes / excludedAttributes and If-None-Match (304).
fn get(
    st: &Shared,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<OpResult, ScimError> {
    let record = st.store.get(kind, id)?.filter(|r| !crate::profile_faults::hides(st, r));
    let record = record.ok_or_else(|| ScimError::not_found(format!("{} {id:?} not found", kind.name())))?;
    let if_none_match = headers.get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok());
    let honoured = !st.faults.has(Deviation::IfNoneMatchIgnored);
    if honoured && if_none_match.is_some_and(|h| etag_listed(h, &crate::store::etag_of(record.version))) {
        return Ok(OpResult::of(st, StatusCode::NOT_MODIFIED, &record, None));
    }
    let body = crate::resource_faults::read_body(st, shown(st, kind, &record, pairs)?);
    Ok(OpResult::of(st, StatusCode::OK, &record, Some(body)))
}

/// RFC 7644 section 3.5.1: PUT replaces every writable attribute; omitted ones are cleared, readOnly ones are
/// ignored, immutable ones may not change, `id` is kept.
pub(crate) fn replace(
    st: &Shared,
    kind: Kind,
    id: &str,
    mut body: Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    crate::profile_faults::refuse_read_only(st, &body, &view)?;
    crate::http::drop_dataless(&mut body, &view);
    crate::resource_faults::refuse_miscased_names(st, &body, &view)?;
    validate::check_resource(&body, &view, Mode::Replace).map_err(|e| crate::resource_faults::schema_error(st, e))?;
    let keep = crate::resource_faults::keeps_read_only(st);
    if let Some(given) = body.get("id").and_then(Value::as_str).filter(|given| *given != id && !keep) {
        return Err(ScimError::mutability(format!("id is readOnly: the body says {given:?}, the URL {id:?}")));
    }
    if !keep {
        validate::strip_read_only(&mut body, &view);
    }
    if crate::resource_faults::put_is_noop(st) {
        return get(st, kind, id, &HeaderMap::new(), pairs);
    }
    let record = st.store.update(kind, id, &mut |old| {
        check_if_match(headers, old)?;
        validate::immutable_violations(old, &body, &view)?;
        let merge = st.faults.has(Deviation::PutIgnoresOmitted);
        let mut out = if merge { old.as_object().cloned().unwrap_or_default() } else { Map::new() };
        out.insert("id".into(), Value::String(id.to_owned()));
        if let Value::Object(b) = body.clone() {
            out.extend(b);
        }
        if let Some(meta) = old.get("meta") {
            out.insert("meta".into(), meta.clone());
        }
        Ok(Value::Object(out))
    })?;
    Ok(OpResult::of(st, StatusCode::OK, &record, Some(shown(st, kind, &record, pairs)?)))
}

/// RFC 7644 section 3.5.2: PATCH, atomically, with the configured IdP leniencies. Answers 200 with the resource
/// (or, with `--vary`, sometimes 204: the RFC allows either when no attributes were asked for).
pub(crate) fn patch(
    st: &Shared,
    kind: Kind,
    id: &str,
    body: &Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    let opts = st.faults.patch_options(st.config.patch);
    let (mut req, _) = PatchRequest::from_json(body, &opts)?;
    crate::faults::refuse_filtered_member_removal(st, &req)?;
    if st.faults.has(Deviation::PatchNoop) {
        return get(st, kind, id, &HeaderMap::new(), pairs);
    }
    crate::write_faults::bend_patch(st, &view, &mut req);
    let mut late = None;
    let record = match st.store.update(kind, id, &mut |old| {
        check_if_match(headers, old)?;
        let mut new = old.clone();
        crate::write_faults::apply_patch(st, &mut new, &req, &view, &opts, &mut late)?;
        Ok(new)
    }) {
        Err(e) if crate::write_faults::swallows_no_target(st, &e, &req) => {
            return get(st, kind, id, &HeaderMap::new(), pairs);
        }
        r => r?,
    };
    if let Some(e) = late {
        return Err(e);
    }
    let asked_for_attributes = pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case("attributes"));
    if st.faults.has(Deviation::Patch204) || (st.config.vary && !asked_for_attributes && st.dice.bool()) {
        return Ok(OpResult::of(st, StatusCode::NO_CONTENT, &record, None));
    }
    Ok(OpResult::of(st, StatusCode::OK, &record, Some(shown(st, kind, &record, pairs)?)))
}

/// RFC 7644 section 3.6: DELETE answers 204; the resource is gone for good (404 afterwards). Deleting a User
/// removes it from its Groups.
pub(crate) fn delete(st: &Shared, kind: Kind, id: &str, headers: &HeaderMap) -> Result<OpResult, ScimError> {
    if crate::resource_faults::delete_is_noop(st) && st.store.get(kind, id)?.is_some() {
        let status = StatusCode::NO_CONTENT;
        return Ok(OpResult { status, id: id.to_owned(), body: None, location: None, version: None });
    }
    let mut gone = None;
    st.store.delete(kind, id, &mut |old| {
        check_if_match(headers, old)?;
        gone = st.faults.has(Deviation::Delete200).then(|| old.clone());
        Ok(())
    })?;
    let status = if gone.is_some() { StatusCode::OK } else { StatusCode::NO_CONTENT };
    Ok(OpResult { status, id: id.to_owned(), body: gone, location: None, version: None })
}

/// A stored record as a client sees it (used by list and bulk too).
pub fn representation(st: &Shared, kind: Kind, record: &Record) -> Result<Value, ScimError> {
    render(st, kind, record)
}
