//! The resource endpoints: `/Users`, `/Groups` and their members (RFC 7644 sections 3.3 to 3.6).
//!
//! Each handler reads the raw request so that every failure, a malformed body, an oversized one, a wrong media
//! type, becomes a SCIM Error with the right status and scimType instead of a framework's plain-text rejection.

use crate::audit::{Cause, Operation};
use crate::faults::profile::{self, Profile};
use crate::faults::query::{self, Query};
use crate::faults::resource::{self, Resource, etag_shown};
use crate::faults::write::{self, Write};
use crate::faults::{lifecycle, race, roles};
use crate::http::{ScimResult, check_content_type, error_response, etag_listed, parse_body, query_pairs, scim_json};
use crate::render::{project_one, render};
use crate::state::{AppState, Shared};
use crate::store::{Kind, Record};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimlab_protocol::ScimError;
use scimlab_protocol::error::ScimType;
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
                resource::refuse_plain_json(st, &parts.headers)?;
                let bytes = read_body(st, body).await?;
                let value = parse_body(&bytes)?;
                let pairs = query_pairs(parts.uri.query());
                let raced = race::looked_up_free(st, kind, &value);
                let request = crate::audit::request_of(st, &parts);
                let cause = Cause::by(Operation::Create, &request);
                create_with(st, kind, value, &parts.headers, &pairs, true, raced, cause)
            }
            .await;
            ScimResult(result.map(IntoResponse::into_response)).into_response()
        }
        _ => resource::not_allowed(st, "GET, POST"),
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
    let request = crate::audit::request_of(st, &parts);
    let result = match parts.method {
        Method::GET => get(st, kind, &id, &parts.headers, &pairs),
        Method::DELETE => delete(st, kind, &id, &parts.headers, Cause::by(Operation::Delete, &request)),
        Method::PUT | Method::PATCH => {
            let body = async {
                check_content_type(&parts.headers)?;
                resource::refuse_plain_json(st, &parts.headers)?;
                let bytes = read_body(st, body).await?;
                parse_body(&bytes)
            }
            .await;
            match body {
                Ok(value) if parts.method == Method::PUT => {
                    replace(st, kind, &id, value, &parts.headers, &pairs, Cause::by(Operation::Replace, &request))
                }
                Ok(value) => {
                    let stale = race::stale_read(st, kind, &id);
                    let cause = Cause::by(Operation::Patch, &request);
                    patch_from(st, kind, &id, &value, &parts.headers, &pairs, stale, cause)
                }
                Err(e) => Err(e),
            }
        }
        _ => return resource::not_allowed(st, "GET, PUT, PATCH, DELETE"),
    };
    let result = match result {
        Err(e) if e.status == 404 && st.faults.has(Resource::NotFound200) => Ok(OpResult::empty_object(&id)),
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
/// [`resource::present`] (`meta.version`, `password-returned`).
fn shown(st: &Shared, kind: Kind, record: &Record, pairs: &[(String, String)]) -> Result<Value, ScimError> {
    let pairs = if st.faults.has(Query::AttributesIgnored) { &[][..] } else { pairs };
    let bent = query::pairs(st, pairs);
    let pairs = &*bent;
    let mut body = project_one(st, kind, record, pairs)?;
    resource::present(st, record, &mut body);
    let param = |n: &str| pairs.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    query::drop_always(st, param("attributes"), param("excludedAttributes"), &mut body);
    Ok(body)
}

/// The SCIM base URL this server tells clients, for `meta.location`, the Location header and `$ref`s: the
/// configured public URL. Without one (an embedder that built the app before binding), a Host naming the loopback
/// interface is used and any other Host is ignored: a client must never be able to plant a host name in what the
/// server stores and shows to others.
pub(crate) fn base_url(st: &Shared, headers: &HeaderMap) -> String {
    if let Some(url) = &st.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(|h| is_loopback_authority(h));
    format!("http://{}{}", host.unwrap_or("localhost"), st.config.base_path)
}

/// `127.0.0.1:PORT`, `[::1]:PORT` or `localhost:PORT` (any 127/8 address; the port optional and numeric).
fn is_loopback_authority(h: &str) -> bool {
    let (host, port) = match h.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !port.contains(']') => (host, Some(port)),
        _ => (h, None),
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback());
    port_ok && host_ok
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
/// enforces uniqueness (409) and answers 201 with the resource and its Location. The response body is built only
/// when `want_body` (a /Bulk result carries none, RFC 7644 section 3.7.3, so rendering one per operation would be
/// wasted work). `raced`: under `create-race`, the userName was free when the create looked it up. `cause` goes
/// to the audit trail.
#[expect(clippy::too_many_arguments, reason = "two call sites; the parts of a create")]
pub(crate) fn create_with(
    st: &Shared,
    kind: Kind,
    mut body: Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    want_body: bool,
    raced: bool,
    cause: Cause<'_>,
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    profile::refuse_read_only(st, &body, &view)?;
    profile::lowercase_values(st, &mut body);
    crate::http::drop_dataless(&mut body, &view);
    resource::refuse_miscased_names(st, &body, &view)?;
    validate::check_resource(&body, &view, Mode::Create).map_err(|e| resource::schema_error(st, e))?;
    if !resource::keeps_read_only(st) {
        validate::strip_read_only(&mut body, &view);
    }
    resource::drop_extension(st, &mut body);
    roles::bend(st, &mut body);
    lifecycle::refuse_retired(st, kind, &body)?;
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
    let copy = (resource::keeps_duplicates(st) || raced).then(|| body.clone());
    let record = st
        .store
        .insert_by(kind, body, cause)
        .or_else(|e| if raced { race::lost_race(e, copy) } else { resource::unstored_duplicate(st, e, copy) })?;
    let shown = if want_body { Some(shown(st, kind, &record, pairs)?) } else { None };
    let mut result = OpResult::of(st, StatusCode::CREATED, &record, shown);
    result.location = (!st.faults.has(Resource::NoLocation)).then_some(location);
    if st.faults.has(Resource::Create200) {
        result.status = StatusCode::OK;
    }
    if st.faults.has(Resource::CreateEmptyBody) {
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
    let record = st.store.get(kind, id)?.filter(|r| !profile::hides(st, r));
    let record = record.ok_or_else(|| ScimError::not_found(format!("{} {id:?} not found", kind.name())))?;
    let if_none_match = headers.get(header::IF_NONE_MATCH).and_then(|h| h.to_str().ok());
    let honoured = !st.faults.has(Resource::IfNoneMatchIgnored);
    if honoured && if_none_match.is_some_and(|h| etag_listed(h, &crate::store::etag_of(record.version))) {
        return Ok(OpResult::of(st, StatusCode::NOT_MODIFIED, &record, None));
    }
    let body = resource::read_body(st, shown(st, kind, &record, pairs)?);
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
    cause: Cause<'_>,
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    profile::refuse_read_only(st, &body, &view)?;
    crate::http::drop_dataless(&mut body, &view);
    resource::refuse_miscased_names(st, &body, &view)?;
    validate::check_resource(&body, &view, Mode::Replace).map_err(|e| resource::schema_error(st, e))?;
    let keep = resource::keeps_read_only(st);
    if let Some(given) = body.get("id").and_then(Value::as_str).filter(|given| *given != id && !keep) {
        return Err(ScimError::mutability(format!("id is readOnly: the body says {given:?}, the URL {id:?}")));
    }
    if !keep {
        validate::strip_read_only(&mut body, &view);
    }
    if resource::put_is_noop(st) {
        return get(st, kind, id, &HeaderMap::new(), pairs);
    }
    lifecycle::before_write(st, kind, id);
    let mut replaced = |old: &Value| {
        check_if_match(headers, old)?;
        validate::immutable_violations(old, &body, &view)?;
        let merge = st.faults.has(Resource::PutIgnoresOmitted);
        let mut out = if merge { old.as_object().cloned().unwrap_or_default() } else { Map::new() };
        out.insert("id".into(), Value::String(id.to_owned()));
        if let Value::Object(b) = body.clone() {
            out.extend(b);
        }
        if let Some(meta) = old.get("meta") {
            out.insert("meta".into(), meta.clone());
        }
        let mut out = Value::Object(out);
        roles::bend(st, &mut out);
        Ok(out)
    };
    let record = st.store.update_by(kind, id, &mut replaced, cause)?;
    Ok(OpResult::of(st, StatusCode::OK, &record, Some(shown(st, kind, &record, pairs)?)))
}

/// RFC 7644 section 3.5.2: PATCH, atomically, with the configured IdP leniencies. Answers 200 with the resource
/// (or, with `--vary`, sometimes 204: the RFC allows either when no attributes were asked for).
///
/// The cost of one request is bounded before any of it is applied: at most `max_patch_operations` operations
/// (413 beyond) and at most `max_patch_work` element visits ([`scimlab_protocol::patch::work_bound`]; 400
/// tooMany beyond, RFC 7644 section 3.12). The patched resource is computed outside the store's lock from a
/// snapshot and committed only if the resource is still at the snapshot's version (see [`patch_and_commit`]).
pub(crate) fn patch(
    st: &Shared,
    kind: Kind,
    id: &str,
    body: &Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    cause: Cause<'_>,
) -> Result<OpResult, ScimError> {
    patch_from(st, kind, id, body, headers, pairs, None, cause)
}

/// [`patch`]; with `stale` (under `patch-lost-update`), applied to that earlier read of the resource and written
/// over the stored one unconditionally.
#[expect(clippy::too_many_arguments, reason = "two call sites; the parts of a PATCH request")]
fn patch_from(
    st: &Shared,
    kind: Kind,
    id: &str,
    body: &Value,
    headers: &HeaderMap,
    pairs: &[(String, String)],
    stale: Option<Record>,
    cause: Cause<'_>,
) -> Result<OpResult, ScimError> {
    let view = st.view(kind);
    let opts = write::patch_options(&st.faults, st.config.patch);
    check_operation_count(st, body)?;
    let (mut req, _) = PatchRequest::from_json(body, &opts)?;
    write::refuse_filtered_member_removal(st, &req)?;
    if st.faults.has(Write::PatchNoop) {
        return get(st, kind, id, &HeaderMap::new(), pairs);
    }
    write::bend_patch(st, &view, &mut req);
    lifecycle::before_write(st, kind, id);
    let mut late = None;
    let record = match patch_and_commit(st, kind, id, &req, &view, &opts, headers, &mut late, stale, cause) {
        Err(e) if write::swallows_no_target(st, &e, &req) => {
            return get(st, kind, id, &HeaderMap::new(), pairs);
        }
        r => r?,
    };
    if let Some(e) = late {
        return Err(e);
    }
    let asked_for_attributes = pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case("attributes"));
    if st.faults.has(Profile::Patch204) || (st.config.vary && !asked_for_attributes && st.dice.bool()) {
        return Ok(OpResult::of(st, StatusCode::NO_CONTENT, &record, None));
    }
    Ok(OpResult::of(st, StatusCode::OK, &record, Some(shown(st, kind, &record, pairs)?)))
}

/// 413 when the body lists more operations than `max_patch_operations`, counted before any is read.
fn check_operation_count(st: &Shared, body: &Value) -> Result<(), ScimError> {
    let max = st.config.max_patch_operations;
    let n = body
        .as_object()
        .and_then(|o| scimlab_protocol::json::get_ci(o, "Operations"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if n > max {
        return Err(ScimError::new(
            413,
            format!("the PATCH has {n} operations; this server accepts at most {max} in one request, so split it"),
        ));
    }
    Ok(())
}

/// 400 tooMany when applying `req` to `resource` could cost more than `max_patch_work` element visits.
fn check_work(st: &Shared, resource: &Value, req: &PatchRequest) -> Result<(), ScimError> {
    let (work, max) = (scimlab_protocol::patch::work_bound(resource, req), st.config.max_patch_work);
    if work > max {
        return Err(ScimError::bad_request(
            ScimType::TooMany,
            format!(
                "the PATCH could cost {work} element visits (its {} operations times the elements of the \
                 multi-valued attributes they scan), more than this server's limit of {max}; send fewer \
                 operations per request",
                req.operations.len()
            ),
        ));
    }
    Ok(())
}

/// RFC 7643 section 3 and RFC 7644 section 3.5.2: a PATCH that changes `schemas` must leave it as valid as a
/// POST or PUT must ([`validate::check_schemas`]); 400 otherwise, and nothing is stored.
fn check_schemas(
    before: &Value,
    after: &Value,
    view: &scimlab_protocol::schema::ResourceView<'_>,
) -> Result<(), ScimError> {
    let get = |v: &Value| v.as_object().and_then(|o| scimlab_protocol::json::get_ci(o, "schemas")).cloned();
    if get(after) == get(before) {
        return Ok(());
    }
    validate::check_schemas(after, view, "patched")
}

/// Applies `req` to a snapshot of the resource outside the store's lock, then commits the result only if the
/// resource is still at the snapshot's version (compare-and-swap on `meta.version`), so the lock is held for the
/// commit alone, never for the operations. A conflicting write retries once from a fresh snapshot; after a
/// second conflict the request is applied under the lock, which the work bound keeps short.
#[expect(clippy::too_many_arguments, reason = "one call site; the parts of a PATCH request")]
fn patch_and_commit(
    st: &Shared,
    kind: Kind,
    id: &str,
    req: &PatchRequest,
    view: &scimlab_protocol::schema::ResourceView<'_>,
    opts: &scimlab_protocol::patch::PatchOptions,
    headers: &HeaderMap,
    late: &mut Option<ScimError>,
    stale: Option<Record>,
    cause: Cause<'_>,
) -> Result<Record, ScimError> {
    let compute = |old: &Value, late: &mut Option<ScimError>| -> Result<Value, ScimError> {
        check_if_match(headers, old)?;
        check_work(st, old, req)?;
        let mut new = old.clone();
        write::apply_patch(st, &mut new, req, view, opts, late)?;
        lifecycle::drop_untouched_extension(st, req, &mut new);
        roles::bend(st, &mut new);
        check_schemas(old, &new, view)?;
        lifecycle::note_patched_members(st, kind, id, old, &new);
        Ok(new)
    };
    if let Some(stale) = stale {
        let mut new = Some(compute(&stale.resource, late)?);
        let mut overwrite = |_current: &Value| {
            new.take().ok_or_else(|| ScimError::new(500, "the patched resource was already committed"))
        };
        return st.store.update_by(kind, id, &mut overwrite, cause);
    }
    for _attempt in 0..2 {
        let snapshot = st.store.get(kind, id)?;
        let snapshot = snapshot.ok_or_else(|| ScimError::not_found(format!("{} {id:?} not found", kind.name())))?;
        let mut here = None;
        let mut new = Some(compute(&snapshot.resource, &mut here)?);
        let mut conflict = false;
        let mut swap = |current: &Value| {
            if !same_version(current, &snapshot.resource) {
                conflict = true;
                return Err(ScimError::new(409, "the resource changed while the PATCH was applied"));
            }
            new.take().ok_or_else(|| ScimError::new(500, "the patched resource was already committed"))
        };
        let committed = st.store.update_by(kind, id, &mut swap, cause);
        match committed {
            Err(_) if conflict => continue,
            r => {
                *late = here;
                return r;
            }
        }
    }
    st.store.update_by(kind, id, &mut |old| compute(old, late), cause)
}

/// Whether `current` is the stored version `snapshot` was read at: the same `meta.version` (every store stamps
/// one on each write), or, for a resource without one, the same value.
fn same_version(current: &Value, snapshot: &Value) -> bool {
    match (current.pointer("/meta/version"), snapshot.pointer("/meta/version")) {
        (Some(a), Some(b)) => a == b,
        _ => current == snapshot,
    }
}

/// RFC 7644 section 3.6: DELETE answers 204; the resource is gone for good (404 afterwards). Deleting a User
/// removes it from its Groups.
pub(crate) fn delete(
    st: &Shared,
    kind: Kind,
    id: &str,
    headers: &HeaderMap,
    cause: Cause<'_>,
) -> Result<OpResult, ScimError> {
    if resource::delete_is_noop(st) && st.store.get(kind, id)?.is_some() {
        let status = StatusCode::NO_CONTENT;
        return Ok(OpResult { status, id: id.to_owned(), body: None, location: None, version: None });
    }
    let mut gone = None;
    let mut check = |old: &Value| {
        check_if_match(headers, old)?;
        lifecycle::retire(st, kind, old);
        gone = st.faults.has(Resource::Delete200).then(|| old.clone());
        Ok(())
    };
    st.store.delete_by(kind, id, &mut check, cause)?;
    if kind == Kind::User {
        lifecycle::keep_patched_members(st, id);
    }
    let status = if gone.is_some() { StatusCode::OK } else { StatusCode::NO_CONTENT };
    Ok(OpResult { status, id: id.to_owned(), body: gone, location: None, version: None })
}

/// A stored record as a client sees it (used by list and bulk too).
pub fn representation(st: &Shared, kind: Kind, record: &Record) -> Result<Value, ScimError> {
    render(st, kind, record)
}
