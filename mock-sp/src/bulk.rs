//! `POST /Bulk` (RFC 7644 section 3.7): many operations in one request, run through the same code as the
//! single-resource endpoints.
//!
//! The protocol crate reads the request ([`BulkRequest`]) and plans it ([`plan`]): operations run after the POSTs
//! whose bulkIds they reference, circular references are broken by creating without the withheld references and
//! patching them in once the cycle exists (section 3.7.1). This module executes the plan against the store with
//! [`crate::resources`]'s create / replace / patch / delete, substitutes created ids for `bulkId:` references in
//! paths and data as it goes (section 3.7.2), stops when `failOnErrors` is reached, and answers 200 with one
//! result per processed operation, in request order (section 3.7.3). The limits of section 3.7.4 (the
//! `maxOperations` and `maxPayloadSize` the ServiceProviderConfig publishes) are enforced with 413 before anything
//! runs.

use crate::audit::{Cause, Operation, RequestInfo};
use crate::faults::http::Http;
use crate::faults::write::{self, Write};
use crate::http::{ScimResult, check_content_type, method_not_allowed, scim_json};
use crate::resources::{self, OpResult, base_url};
use crate::state::{AppState, Shared};
use crate::store::Kind;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scimlab_protocol::ScimError;
use scimlab_protocol::bulk::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkPlan, BulkRequest, BulkResponse, BulkStep, UnresolvedBulkId,
    check_limits, holds_reference, plan, resolve_path, resolve_references, should_stop,
};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// `/Bulk`: POST runs a BulkRequest; every other method is 405.
pub async fn bulk(State(app): State<AppState>, req: Request) -> Response {
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    if app.shared().faults.has(Write::BulkUnsupported) {
        return crate::http::error_response(&ScimError::new(501, "/Bulk is not implemented by this server"));
    }
    let (parts, body) = req.into_parts();
    let result = async {
        let st = app.shared();
        check_content_type(&parts.headers)?;
        let limit = st.config.max_payload_bytes;
        let too_large = |_| {
            ScimError::new(
                413,
                format!("the bulk request is over the maxPayloadSize ({limit} bytes; RFC 7644 section 3.7.4)"),
            )
        };
        let read_limit = write::bulk_read_limit(st, limit);
        let bytes = axum::body::to_bytes(body, read_limit).await.map_err(too_large)?;
        crate::http::not_empty(&bytes)?;
        // The limits are checked on the count, before any operation is read, so an oversized request is refused
        // without the work.
        let enforced = write::bulk_limits_enforced(st);
        let admit = |count| match enforced {
            true => check_limits(count, bytes.len(), st.config.max_bulk_operations, limit),
            false => Ok(()),
        };
        let request = BulkRequest::from_slice(&bytes, admit)?;
        // The store calls block; a large bulk must not hold up the async workers.
        let headers = parts.headers.clone();
        let who = crate::audit::request_of(st, &parts);
        let response = tokio::task::spawn_blocking(move || run_owned(app.shared(), request, &headers, Some(&who)))
            .await
            .map_err(|e| ScimError::new(500, format!("the bulk request could not be completed: {e}")))??;
        Ok(scim_json(StatusCode::OK, &response))
    }
    .await;
    ScimResult(result).into_response()
}

/// RFC 7644 section 3.7: executes `req` and reports what happened to each operation processed, in request order.
/// The one error is the plan's 409 for a circular reference that cannot be deferred; every operation's own
/// failure is reported in its result (the status and a SCIM Error as `response`).
/// `request` is the /Bulk request as the audit trail names it (`None`: a change nobody asked for over HTTP).
pub fn run(
    st: &Shared,
    req: &BulkRequest,
    headers: &HeaderMap,
    request: Option<&RequestInfo>,
) -> Result<BulkResponse, ScimError> {
    run_owned(st, req.clone(), headers, request)
}

/// [`run`], taking the request, so that each operation's data moves into the resource it creates or changes
/// instead of being copied (the /Bulk endpoint's path: a request of 100 creates carries 100 user bodies).
pub fn run_owned(
    st: &Shared,
    mut req: BulkRequest,
    headers: &HeaderMap,
    request: Option<&RequestInfo>,
) -> Result<BulkResponse, ScimError> {
    let ignore_refs = st.faults.has(Write::BulkIgnoresBulkId);
    let plan = if ignore_refs {
        BulkPlan { steps: (0..req.operations.len()).map(|op| BulkStep::Run { op, data: None }).collect() }
    } else {
        plan(&req)?
    };
    // The plan has read the references in the data; each operation's data is used once, by its step.
    let data: Vec<Option<Value>> = req.operations.iter_mut().map(|o| o.data.take()).collect();
    let req = &req;
    let mut run = Run {
        data,
        st,
        req,
        base: base_url(st, headers),
        host: headers.get(header::HOST).cloned(),
        defined: req
            .operations
            .iter()
            .filter(|o| o.method == BulkMethod::Post)
            .filter_map(|o| o.bulk_id.as_deref())
            .collect(),
        ids: HashMap::new(),
        results: vec![None; req.operations.len()],
        errors: 0,
        ignore_refs,
        request,
    };
    for step in &plan.steps {
        if should_stop(run.errors, write::fail_on_errors(st, req.fail_on_errors)) {
            break;
        }
        match step {
            BulkStep::Fail { op, error } => run.fail(*op, None, error.clone()),
            BulkStep::Run { op, data } => run.operation(*op, data.as_ref()),
            BulkStep::Patch { op, patch } => run.add_withheld(*op, patch),
        }
    }
    Ok(BulkResponse { operations: run.results.into_iter().flatten().collect() })
}

/// The state of one bulk execution.
struct Run<'a> {
    st: &'a Shared,
    req: &'a BulkRequest,
    /// `http://host/scim/v2`, for locations.
    base: String,
    /// The request's Host, passed on to the operations (they build `meta.location` from it).
    host: Option<HeaderValue>,
    /// The bulkIds the request's POSTs define: a reference to one of them that cannot be resolved is a 409, to
    /// anything else a 400.
    defined: HashSet<&'a str>,
    /// bulkId to the id of the resource its POST created.
    ids: HashMap<String, String>,
    results: Vec<Option<BulkOperationResponse>>,
    errors: u32,
    ignore_refs: bool,
    /// Each operation's data, taken from the request; a step takes it (or uses the plan's own).
    data: Vec<Option<Value>>,
    /// The /Bulk request, for the audit trail.
    request: Option<&'a RequestInfo>,
}

impl Run<'_> {
    /// The audit cause of one operation of this request.
    fn cause(&self, operation: Operation) -> Cause<'_> {
        Cause { operation, request: self.request }
    }

    fn fail(&mut self, op: usize, location: Option<String>, error: ScimError) {
        let error = match self.st.faults.has(Http::NoScimType) {
            true => ScimError { scim_type: None, ..error },
            false => error,
        };
        self.results[op] = Some(BulkOperationResponse::failed(&self.req.operations[op], location, &error));
        self.errors += 1;
    }

    fn unresolved(&self, u: &UnresolvedBulkId) -> ScimError {
        u.to_scim_error(self.defined.contains(u.bulk_id.as_str()))
    }

    /// Substitutes created ids for the `bulkId:` references in `v` (unless `bulk-ignores-bulkid`).
    fn resolve(&self, v: &mut Value) -> Result<(), ScimError> {
        if self.ignore_refs || !holds_reference(v) {
            return Ok(());
        }
        resolve_references(v, &self.ids).map_err(|u| self.unresolved(&u))
    }

    /// The headers an operation runs with: the request's Host, and its `version` as If-Match (RFC 7644 section
    /// 3.7 carries the ETag in the operation; `if-match-ignored` drops it, as it drops the header).
    fn headers(&self, version: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(host) = &self.host {
            h.insert(header::HOST, host.clone());
        }
        let version = version.filter(|_| !self.st.faults.has(Http::IfMatchIgnored));
        if let Some(v) = version.and_then(|v| HeaderValue::from_str(v).ok()) {
            h.insert(header::IF_MATCH, v);
        }
        h
    }

    /// A `Run` step: the operation, with `data` in place of its own when the plan withheld references.
    fn operation(&mut self, i: usize, data: Option<&Value>) {
        let op = &self.req.operations[i];
        let mut location = None;
        let outcome = (|| {
            // Resolving indexes every bulkId created so far: only paths that hold a reference pay for it.
            let path = match self.ignore_refs || !op.path.contains("bulkId:") {
                true => op.path.clone(),
                false => resolve_path(&op.path, &self.ids).map_err(|u| self.unresolved(&u))?,
            };
            let (kind, id) = target(&path, op.method)?;
            location = id.map(|id| format!("{}/{}/{id}", self.base, kind.endpoint()));
            let mut body = match data {
                Some(d) => d.clone(),
                None => self.data.get_mut(i).and_then(Option::take).unwrap_or(Value::Null),
            };
            self.resolve(&mut body)?;
            let headers = self.headers(op.version.as_deref());
            let st = self.st;
            match (op.method, id) {
                (BulkMethod::Post, _) => {
                    let cause = self.cause(Operation::BulkCreate);
                    resources::create_with(st, kind, body, &headers, &[], false, false, cause)
                }
                (BulkMethod::Put, Some(id)) => {
                    resources::replace(st, kind, id, body, &headers, &[], self.cause(Operation::BulkReplace))
                }
                (BulkMethod::Patch, Some(id)) => {
                    resources::patch(st, kind, id, &body, &headers, &[], self.cause(Operation::BulkPatch))
                }
                (BulkMethod::Delete, Some(id)) => {
                    resources::delete(st, kind, id, &headers, self.cause(Operation::BulkDelete))
                }
                (m, None) => Err(ScimError::invalid_syntax(format!("a {m} must name one resource: {path:?}"))),
            }
        })();
        match outcome {
            Ok(r) => {
                if let (BulkMethod::Post, Some(b)) = (op.method, &op.bulk_id) {
                    self.ids.insert(b.clone(), r.id.clone());
                }
                let mut done = succeeded(op, r, location);
                if self.st.faults.has(Write::BulkNoLocation) {
                    done.location = None;
                }
                self.results[i] = Some(done);
            }
            Err(e) => self.fail(i, location, e),
        }
    }

    /// A `Patch` step: adds back the references withheld from `Operations[i]`'s create, once the cycle exists. A
    /// failure here becomes the operation's result.
    fn add_withheld(&mut self, i: usize, patch: &Value) {
        let op = &self.req.operations[i];
        let created = op.bulk_id.as_ref().and_then(|b| self.ids.get(b)).cloned();
        let (Some(id), Some(Some(done))) = (created, self.results.get(i)) else { return };
        let location = done.location.clone();
        let outcome = (|| {
            let (kind, _) = target(&op.path, op.method)?;
            let mut patch = patch.clone();
            self.resolve(&mut patch)?;
            resources::patch(self.st, kind, &id, &patch, &self.headers(None), &[], self.cause(Operation::BulkPatch))
        })();
        match outcome {
            Ok(r) => {
                if let Some(Some(done)) = self.results.get_mut(i) {
                    done.version = r.version;
                }
            }
            Err(e) => self.fail(i, location, e),
        }
    }
}

/// The result of an operation that succeeded. A create reports the Location it would send; the others the URL
/// of the resource they addressed.
fn succeeded(op: &BulkOperation, r: OpResult, location: Option<String>) -> BulkOperationResponse {
    BulkOperationResponse {
        method: op.method,
        bulk_id: op.bulk_id.clone(),
        version: r.version,
        location: if op.method == BulkMethod::Post { r.location } else { location },
        status: r.status.as_u16(),
        response: None,
    }
}

/// The resource type and id an operation's (resolved) path names: `/Users` for a POST, `/Users/{id}` otherwise.
fn target(path: &str, method: BulkMethod) -> Result<(Kind, Option<&str>), ScimError> {
    let mut segments = path.split('/').filter(|s| !s.is_empty());
    let endpoint = segments.next().unwrap_or("");
    let kind = Kind::from_endpoint(endpoint).ok_or_else(|| {
        ScimError::not_found(format!("no resource endpoint /{endpoint}; this server serves /Users and /Groups"))
    })?;
    let id = segments.next();
    if segments.next().is_some() || (method == BulkMethod::Post) != id.is_none() {
        return Err(ScimError::invalid_syntax(format!("path {path:?} does not fit a {method} operation")));
    }
    Ok((kind, id))
}
