//! RFC 7644 section 3.12: the one error type every layer of scimlab returns.
//!
//! A SCIM error is an HTTP status, an optional `scimType` keyword that says which rule was broken, and a
//! human-readable `detail`. It serialises as the SCIM Error resource
//! (`urn:ietf:params:scim:api:messages:2.0:Error`), with `status` written as a string as the RFC's examples do.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::fmt;

/// URN of the SCIM Error message schema (RFC 7644 section 3.12).
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// RFC 7644 section 3.12, table 9: the `scimType` keywords a 400 (and a 409 or 413) may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ScimType {
    /// The filter syntax was invalid, or the filter compares an attribute in a way its type forbids.
    InvalidFilter,
    /// The filter yields more results than the server is willing to compute or return.
    TooMany,
    /// One or more attribute values are already in use or reserved.
    Uniqueness,
    /// The attempted change is incompatible with an attribute's mutability (readOnly, immutable).
    Mutability,
    /// The request body structure was invalid or did not conform to the schema.
    InvalidSyntax,
    /// The PATCH `path` was invalid or malformed.
    InvalidPath,
    /// The PATCH `path` did not yield an attribute or value that could be operated on.
    NoTarget,
    /// A required value was missing, or a value was not compatible with the attribute's type.
    InvalidValue,
    /// The SCIM protocol version asked for is not supported.
    InvalidVers,
    /// The request cannot be completed because of sensitive data in the URI (use POST .search).
    Sensitive,
}

impl ScimType {
    /// The keyword exactly as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }

    /// Parses a wire keyword; the RFC spells them in camelCase, we accept any case.
    pub fn parse(s: &str) -> Option<ScimType> {
        const ALL: [ScimType; 10] = [
            ScimType::InvalidFilter,
            ScimType::TooMany,
            ScimType::Uniqueness,
            ScimType::Mutability,
            ScimType::InvalidSyntax,
            ScimType::InvalidPath,
            ScimType::NoTarget,
            ScimType::InvalidValue,
            ScimType::InvalidVers,
            ScimType::Sensitive,
        ];
        ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for ScimType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SCIM error: HTTP status, optional `scimType`, and a detail message (RFC 7644 section 3.12).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ScimError {
    /// HTTP status code (400, 401, 403, 404, 409, 412, 413, 500, 501, ...).
    pub status: u16,
    /// The RFC's error keyword, where one applies.
    pub scim_type: Option<ScimType>,
    /// What went wrong, in words a user can act on.
    pub detail: String,
}

impl ScimError {
    /// An error with a status and a detail but no `scimType`.
    pub fn new(status: u16, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type: None, detail: detail.into() }
    }

    /// A 400 with the given `scimType`.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        ScimError { status: 400, scim_type: Some(scim_type), detail: detail.into() }
    }

    /// 400 invalidFilter.
    pub fn invalid_filter(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidFilter, detail)
    }

    /// 400 invalidPath.
    pub fn invalid_path(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidPath, detail)
    }

    /// 400 invalidValue.
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidValue, detail)
    }

    /// 400 invalidSyntax.
    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// 400 noTarget.
    pub fn no_target(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::NoTarget, detail)
    }

    /// 400 mutability.
    pub fn mutability(detail: impl Into<String>) -> Self {
        Self::bad_request(ScimType::Mutability, detail)
    }

    /// 409 uniqueness (RFC 7644 section 3.3: a conflicting create or update).
    pub fn uniqueness(detail: impl Into<String>) -> Self {
        ScimError { status: 409, scim_type: Some(ScimType::Uniqueness), detail: detail.into() }
    }

    /// 404 for a resource or endpoint that does not exist.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(404, detail)
    }

    /// The error as a SCIM Error resource. `status` is a string, as in the RFC's examples.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "schemas": [ERROR_URN],
            "status": self.status.to_string(),
        });
        if let Some(t) = self.scim_type {
            v["scimType"] = Value::String(t.as_str().to_owned());
        }
        v["detail"] = Value::String(self.detail.clone());
        v
    }

    /// Reads a SCIM Error resource as a server sent it. `status` may be a string or a number; an unknown
    /// `scimType` keyword is dropped (the caller still has the body for evidence). `None` when the body is not
    /// an Error resource at all.
    pub fn from_json(v: &Value) -> Option<ScimError> {
        let obj = v.as_object()?;
        let status = match obj.get("status")? {
            Value::String(s) => s.trim().parse().ok()?,
            Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
            _ => return None,
        };
        let scim_type = obj.get("scimType").and_then(Value::as_str).and_then(ScimType::parse);
        let detail = obj.get("detail").and_then(Value::as_str).unwrap_or_default().to_owned();
        Some(ScimError { status, scim_type, detail })
    }

    fn render(&self) -> String {
        match self.scim_type {
            Some(t) => format!("{} {}: {}", self.status, t, self.detail),
            None => format!("{}: {}", self.status, self.detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_resource_round_trips() {
        let e = ScimError::invalid_filter("expected an operator at offset 9");
        let v = e.to_json();
        assert_eq!(v["status"], "400");
        assert_eq!(v["scimType"], "invalidFilter");
        assert_eq!(v["schemas"][0], ERROR_URN);
        assert_eq!(ScimError::from_json(&v), Some(e));
    }

    #[test]
    fn numeric_status_and_unknown_type_are_read() {
        let v = json!({"schemas": [ERROR_URN], "status": 404, "scimType": "bogus", "detail": "gone"});
        let e = ScimError::from_json(&v).expect("error resource");
        assert_eq!((e.status, e.scim_type), (404, None));
    }

    #[test]
    fn scim_type_parse_is_case_insensitive() {
        assert_eq!(ScimType::parse("NOTARGET"), Some(ScimType::NoTarget));
        assert_eq!(ScimType::parse("nope"), None);
    }
}
