//! RFC 7644 section 3.7: the BulkRequest and BulkResponse messages, `failOnErrors`, and the limits of 3.7.4.
//!
//! Requests are read strictly (a server decides by them); responses are read leniently (the harness reads other
//! servers' answers by them) and every liberty is reported as a [`Deviation`].

use crate::error::ScimError;
use crate::json::get_ci;
use crate::list::{Deviation, DeviationKind, check_schemas, json_kind, member};
use crate::schema::{BULK_REQUEST_URN, BULK_RESPONSE_URN};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value, json};
use std::fmt;

/// The HTTP method of one bulk operation (RFC 7644 section 3.7: POST, PUT, PATCH or DELETE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkMethod {
    /// Create a resource (needs `bulkId` and `data`).
    Post,
    /// Replace a resource.
    Put,
    /// Modify a resource (`data` is a PatchOp).
    Patch,
    /// Delete a resource.
    Delete,
}

impl BulkMethod {
    /// The method as written on the wire (upper case).
    pub fn as_str(self) -> &'static str {
        match self {
            BulkMethod::Post => "POST",
            BulkMethod::Put => "PUT",
            BulkMethod::Patch => "PATCH",
            BulkMethod::Delete => "DELETE",
        }
    }

    /// Reads a method in any case.
    pub fn parse(s: &str) -> Option<BulkMethod> {
        [BulkMethod::Post, BulkMethod::Put, BulkMethod::Patch, BulkMethod::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl fmt::Display for BulkMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 7644 section 3.7: a BulkRequest.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkRequest {
    /// How many errors the client accepts before the server stops (see [`should_stop`]).
    pub fail_on_errors: Option<u32>,
    /// The operations, in request order.
    pub operations: Vec<BulkOperation>,
}

/// One operation of a BulkRequest.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOperation {
    /// The HTTP method.
    pub method: BulkMethod,
    /// The client's surrogate id for the resource a POST creates.
    pub bulk_id: Option<String>,
    /// The ETag the client expects the resource to have (PUT, PATCH, DELETE).
    pub version: Option<String>,
    /// Relative to the service root: `/Users` for a POST, `/Users/{id}` otherwise.
    pub path: String,
    /// The body of the operation (a resource, or a PatchOp for PATCH).
    pub data: Option<Value>,
}

impl BulkRequest {
    /// The body as JSON.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "schemas": [BULK_REQUEST_URN] });
        if let Some(n) = self.fail_on_errors {
            v["failOnErrors"] = json!(n);
        }
        v["Operations"] = Value::Array(self.operations.iter().map(BulkOperation::to_json).collect());
        v
    }
}

impl BulkOperation {
    /// The operation as JSON.
    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("method".into(), json!(self.method.as_str()));
        if let Some(b) = &self.bulk_id {
            o.insert("bulkId".into(), json!(b));
        }
        if let Some(v) = &self.version {
            o.insert("version".into(), json!(v));
        }
        o.insert("path".into(), json!(self.path));
        if let Some(d) = &self.data {
            o.insert("data".into(), d.clone());
        }
        Value::Object(o)
    }
}

/// RFC 7644 section 3.7.3: a BulkResponse.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BulkResponse {
    /// The results of the operations processed, one per operation.
    pub operations: Vec<BulkOperationResponse>,
}

/// The result of one bulk operation.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkOperationResponse {
    /// The method of the operation.
    pub method: BulkMethod,
    /// The operation's `bulkId`, echoed.
    pub bulk_id: Option<String>,
    /// The resource's ETag after the operation.
    pub version: Option<String>,
    /// The resource's URL; absent only for a failed POST.
    pub location: Option<String>,
    /// The HTTP status the operation would have had on its own.
    pub status: u16,
    /// The response body; required (a SCIM Error) when `status` is not 2xx.
    pub response: Option<Value>,
}

impl BulkOperationResponse {
    /// The result of an operation that failed with `error`: its status, and the Error resource as `response`.
    pub fn failed(op: &BulkOperation, location: Option<String>, error: &ScimError) -> Self {
        BulkOperationResponse {
            method: op.method,
            bulk_id: op.bulk_id.clone(),
            version: None,
            location,
            status: error.status,
            response: Some(error.to_json()),
        }
    }

    /// The result as JSON, members in the order of RFC 7644 section 3.7.3's examples; `status` is a string, as
    /// they show it. The same as its [`Serialize`] form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    fn read(i: usize, v: &Value, dev: &mut Vec<Deviation>) -> Result<BulkOperationResponse, ScimError> {
        let here = |m: &str| format!("Operations[{i}]{m}");
        let bad = |m: &str, problem: String| ScimError::invalid_syntax(format!("{}: {problem}", here(m)));
        let Value::Object(obj) = v else {
            return Err(bad("", format!("must be an object, found {}", json_kind(v))));
        };
        let mut local = Vec::new();
        let text = |name: &str, local: &mut Vec<Deviation>| -> Result<Option<String>, ScimError> {
            match member(obj, name, local) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(bad(&format!(".{name}"), format!("must be a string, found {}", json_kind(other)))),
            }
        };
        let method = match text("method", &mut local)? {
            Some(m) => BulkMethod::parse(&m).ok_or_else(|| bad(".method", format!("{m:?} is not an HTTP method")))?,
            None => return Err(bad(".method", "is missing".into())),
        };
        let bulk_id = text("bulkId", &mut local)?;
        let version = text("version", &mut local)?;
        let location = text("location", &mut local)?;
        let status = match member(obj, "status", &mut local) {
            Some(s) => {
                read_status(s, &mut local).ok_or_else(|| bad(".status", format!("{s} is not an HTTP status")))?
            }
            None => return Err(bad(".status", "is missing".into())),
        };
        let response = member(obj, "response", &mut local).filter(|r| !r.is_null()).cloned();
        let ok = (200..300).contains(&status);
        if location.is_none() && (method != BulkMethod::Post || ok) {
            local.push(Deviation::new("location", DeviationKind::Missing));
        }
        if !ok && response.is_none() {
            local.push(Deviation::new("response", DeviationKind::Missing));
        }
        dev.extend(local.into_iter().map(|d| Deviation { member: here(&format!(".{}", d.member)), kind: d.kind }));
        Ok(BulkOperationResponse { method, bulk_id, version, location, status, response })
    }
}

/// RFC 7644 section 3.7.3: `schemas` and `Operations`, one result per operation processed.
impl Serialize for BulkResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("schemas", &[BULK_RESPONSE_URN])?;
        m.serialize_entry("Operations", &self.operations)?;
        m.end()
    }
}

/// Members in the order of RFC 7644 section 3.7.3's examples: `location`, `method`, `bulkId`, `version`,
/// `status` (a string, as the examples show it) and `response`; absent ones are left out.
impl Serialize for BulkOperationResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        if let Some(l) = &self.location {
            m.serialize_entry("location", l)?;
        }
        m.serialize_entry("method", self.method.as_str())?;
        if let Some(b) = &self.bulk_id {
            m.serialize_entry("bulkId", b)?;
        }
        if let Some(v) = &self.version {
            m.serialize_entry("version", v)?;
        }
        m.serialize_entry("status", &self.status.to_string())?;
        if let Some(r) = &self.response {
            m.serialize_entry("response", r)?;
        }
        m.end()
    }
}

/// Reads a bulk `status`: `"201"` (the RFC's examples), `201`, or `{"code": "201"}` (section 3.7.2's example).
fn read_status(v: &Value, dev: &mut Vec<Deviation>) -> Option<u16> {
    let code = |v: &Value| match v {
        Value::String(s) => s.trim().parse::<u16>().ok(),
        Value::Number(n) => n.as_u64().and_then(|u| u16::try_from(u).ok()),
        _ => None,
    };
    match v {
        Value::String(_) => code(v),
        Value::Number(_) => {
            dev.push(Deviation::new("status", DeviationKind::StatusAsNumber));
            code(v)
        }
        Value::Object(o) => {
            dev.push(Deviation::new("status", DeviationKind::StatusAsObject));
            get_ci(o, "code").and_then(code)
        }
        _ => None,
    }
    .filter(|s| (100..600).contains(s))
}

impl BulkResponse {
    /// The message as JSON, the same as its [`Serialize`] form (which a server writes straight to bytes).
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Reads a server's BulkResponse leniently; see [`BulkResponse::read`]. The deviations are dropped.
    pub fn from_json(v: &Value) -> Result<BulkResponse, ScimError> {
        BulkResponse::read(v).map(|(r, _)| r)
    }

    /// Reads a server's BulkResponse, listing as [`Deviation`]s: a `schemas` without the BulkResponse URN,
    /// `failOnErrors` (not valid in a response), a `status` that is a number or a `{"code"}` object, a missing
    /// `location` (other than for a failed POST), a missing `response` on a non-2xx status, and member names in
    /// another case. Unreadable structure (no `Operations` array, an operation without a method or a status) is a
    /// 400 `invalidSyntax` naming the member.
    pub fn read(v: &Value) -> Result<(BulkResponse, Vec<Deviation>), ScimError> {
        let Value::Object(obj) = v else {
            return Err(ScimError::invalid_syntax("BulkResponse: the body must be a JSON object"));
        };
        let mut dev = Vec::new();
        check_schemas(obj, BULK_RESPONSE_URN, &mut dev);
        if member(obj, "failOnErrors", &mut dev).is_some() {
            dev.push(Deviation::new("failOnErrors", DeviationKind::NotValidHere));
        }
        let ops = match member(obj, "Operations", &mut dev) {
            Some(Value::Array(ops)) => ops,
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "BulkResponse: Operations must be an array, found {}",
                    json_kind(other)
                )));
            }
            None => return Err(ScimError::invalid_syntax("BulkResponse: Operations is missing")),
        };
        let operations = ops
            .iter()
            .enumerate()
            .map(|(i, op)| BulkOperationResponse::read(i, op, &mut dev))
            .collect::<Result<_, _>>()?;
        Ok((BulkResponse { operations }, dev))
    }
}

/// RFC 7644 section 3.7: whether a server that has met `errors` failed operations must stop, given the
/// request's `failOnErrors`. Without it the server carries on through every operation; with it, the server
/// stops once the count of errors reaches the number (1 stops at the first error, as section 3.7.3's example
/// shows). A `failOnErrors` of 0 is read as 1: stopping before any error would make no sense.
pub fn should_stop(errors: u32, fail_on_errors: Option<u32>) -> bool {
    fail_on_errors.is_some_and(|n| errors >= n.max(1))
}

/// RFC 7644 section 3.7.4: a bulk request beyond the server's `maxOperations` or `maxPayloadSize` is refused
/// with 413 (Payload Too Large), and the error names the limit exceeded and its value. The payload is checked
/// first, since a server knows the size before it parses the body.
pub fn check_limits(
    op_count: usize,
    payload_bytes: usize,
    max_operations: usize,
    max_payload_size: usize,
) -> Result<(), ScimError> {
    if payload_bytes > max_payload_size {
        return Err(ScimError::new(
            413,
            format!("the bulk request is {payload_bytes} bytes, over the maxPayloadSize ({max_payload_size})"),
        ));
    }
    if op_count > max_operations {
        return Err(ScimError::new(
            413,
            format!("the bulk request has {op_count} operations, over the maxOperations ({max_operations})"),
        ));
    }
    Ok(())
}
