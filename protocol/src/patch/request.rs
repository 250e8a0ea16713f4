//! RFC 7644 section 3.5.2: the PatchOp request body, read into a model once so that applying it does no parsing.
//!
//! The body is an object whose `schemas` lists the PatchOp URN and whose `Operations` is a non-empty array of
//! operations. Each operation has an `op` (`add`, `remove` or `replace`), an optional `path` and, depending on the
//! op, a `value`. Member names of the body and of each operation are matched without regard to case (RFC 7643
//! section 2.1 makes attribute names case-insensitive, and `Operations` is one).

use super::options::{Leniency, LeniencyUse, PatchOptions};
use crate::error::ScimError;
use crate::json::get_ci;
use crate::path::PatchPath;
use crate::schema::PATCH_OP_URN;
use serde_json::{Map, Value};
use std::fmt;

/// RFC 7644 section 3.5.2: the three PATCH operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    /// Section 3.5.2.1: add a value, or merge into an existing one.
    Add,
    /// Section 3.5.2.2: remove a value.
    Remove,
    /// Section 3.5.2.3: replace a value.
    Replace,
}

impl PatchOpKind {
    /// The RFC's (lowercase) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }

    /// The kind spelled exactly as the RFC spells it.
    pub fn parse_strict(s: &str) -> Option<PatchOpKind> {
        match s {
            "add" => Some(PatchOpKind::Add),
            "remove" => Some(PatchOpKind::Remove),
            "replace" => Some(PatchOpKind::Replace),
            _ => None,
        }
    }

    /// The kind in any case (`Replace`, `ADD`).
    pub fn parse_any_case(s: &str) -> Option<PatchOpKind> {
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for PatchOpKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of a PATCH request (RFC 7644 section 3.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOpKind,
    /// The parsed `path`; `None` when the operation has none (the target is then the resource itself).
    pub path: Option<PatchPath>,
    /// The `path` exactly as the client wrote it, for error details.
    pub raw_path: Option<String>,
    /// The `value`. A JSON `null` is read as no value.
    pub value: Option<Value>,
}

impl PatchOperation {
    /// `Operations[i] (op path)`, the prefix every error detail about this operation starts with.
    pub fn label(&self, index: usize) -> String {
        match &self.raw_path {
            Some(p) => format!("Operations[{index}] ({} {p})", self.op),
            None => format!("Operations[{index}] ({})", self.op),
        }
    }
}

/// A PATCH request: its operations, in the order they are to be applied.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    /// The operations, in order. Never empty when read by [`PatchRequest::from_json`].
    pub operations: Vec<PatchOperation>,
}

impl PatchRequest {
    /// RFC 7644 section 3.5.2: reads a PatchOp body, parsing every `path` once.
    ///
    /// The rules, and the error for each:
    /// - The body is an object whose `schemas` array lists the PatchOp URN (else 400 invalidSyntax).
    /// - `Operations` is present, an array, and not empty (else invalidSyntax). Each element is an object (else
    ///   invalidSyntax naming `Operations[i]`).
    /// - `op` is `add`, `remove` or `replace`, in lowercase as the RFC spells them; another case is accepted only
    ///   with [`PatchOptions::op_any_case`] and recorded. Anything else is invalidSyntax.
    /// - `path`, when present, is a string that parses as a PATCH path (else invalidPath). `remove` must have one:
    ///   section 3.5.2.2 answers a path-less remove with noTarget.
    /// - `add` and `replace` need a `value` (sections 3.5.2.1 and 3.5.2.3 make it required); a missing or null
    ///   one is invalidValue.
    /// - `remove` takes no `value`: one is invalidSyntax, unless [`PatchOptions::remove_value_list`] is on, in
    ///   which case the applier reads it (and records the leniency when it does).
    ///
    /// Returns the request and the leniencies used while reading it; the applier reports the ones it uses in
    /// [`super::PatchOutcome`].
    pub fn from_json(body: &Value, opts: &PatchOptions) -> Result<(PatchRequest, Vec<LeniencyUse>), ScimError> {
        let Value::Object(body) = body else {
            return Err(ScimError::invalid_syntax("the PATCH body must be a JSON object"));
        };
        check_schemas(body)?;
        let ops = match get_ci(body, "Operations") {
            None | Some(Value::Null) => {
                return Err(ScimError::invalid_syntax("Operations is missing; a PatchOp needs at least one operation"));
            }
            Some(Value::Array(ops)) if ops.is_empty() => {
                return Err(ScimError::invalid_syntax("Operations is empty; a PatchOp needs at least one operation"));
            }
            Some(Value::Array(ops)) => ops,
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "Operations must be an array of operations, got {}",
                    crate::validate::describe(other)
                )));
            }
        };
        let mut used = Vec::new();
        let mut operations = Vec::with_capacity(ops.len());
        for (i, op) in ops.iter().enumerate() {
            operations.push(read_operation(i, op, opts, &mut used)?);
        }
        Ok((PatchRequest { operations }, used))
    }
}

fn check_schemas(body: &Map<String, Value>) -> Result<(), ScimError> {
    let listed = match get_ci(body, "schemas") {
        Some(Value::Array(urns)) => {
            urns.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP_URN)))
        }
        _ => false,
    };
    if listed {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!("schemas must be an array listing {PATCH_OP_URN}")))
    }
}

fn read_operation(
    i: usize,
    op: &Value,
    opts: &PatchOptions,
    used: &mut Vec<LeniencyUse>,
) -> Result<PatchOperation, ScimError> {
    let Value::Object(members) = op else {
        return Err(ScimError::invalid_syntax(format!(
            "Operations[{i}]: an operation must be an object, got {}",
            crate::validate::describe(op)
        )));
    };
    let path_member = get_ci(members, "path");
    let kind = read_kind(i, members, path_member.and_then(Value::as_str), opts, used)?;
    let (path, raw_path) = match path_member {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(raw)) => {
            let parsed = PatchPath::parse(raw)
                .map_err(|e| ScimError { detail: format!("Operations[{i}] ({kind} {raw}): {}", e.detail), ..e })?;
            (Some(parsed), Some(raw.clone()))
        }
        Some(other) => {
            return Err(ScimError::invalid_path(format!(
                "Operations[{i}] ({kind}): path must be a string, got {}",
                crate::validate::describe(other)
            )));
        }
    };
    let value = match get_ci(members, "value") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.clone()),
    };
    let operation = PatchOperation { op: kind, path, raw_path, value };
    match kind {
        PatchOpKind::Remove if operation.path.is_none() => Err(ScimError::no_target(format!(
            "{}: remove needs a path naming what to remove (RFC 7644 section 3.5.2.2)",
            operation.label(i)
        ))),
        PatchOpKind::Remove if operation.value.is_some() && !opts.remove_value_list => {
            Err(ScimError::invalid_syntax(format!(
                "{}: remove takes no value; name the values to remove with a filter in the path, such as \
                 members[value eq \"...\"] (a value list is an Entra ID extension: remove_value_list)",
                operation.label(i)
            )))
        }
        PatchOpKind::Add | PatchOpKind::Replace if operation.value.is_none() => Err(ScimError::invalid_value(format!(
            "{}: {kind} requires a value (RFC 7644 section 3.5.2)",
            operation.label(i)
        ))),
        _ => Ok(operation),
    }
}

fn read_kind(
    i: usize,
    members: &Map<String, Value>,
    path: Option<&str>,
    opts: &PatchOptions,
    used: &mut Vec<LeniencyUse>,
) -> Result<PatchOpKind, ScimError> {
    let raw = match get_ci(members, "op") {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]{}: op is missing; it must be add, remove or replace",
                path.map(|p| format!(" (path {p})")).unwrap_or_default()
            )));
        }
        Some(other) => {
            return Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]{}: op must be the string add, remove or replace, got {}",
                path.map(|p| format!(" (path {p})")).unwrap_or_default(),
                crate::validate::describe(other)
            )));
        }
    };
    if let Some(kind) = PatchOpKind::parse_strict(raw) {
        return Ok(kind);
    }
    let label = || match path {
        Some(p) => format!("Operations[{i}] ({raw} {p})"),
        None => format!("Operations[{i}] ({raw})"),
    };
    match PatchOpKind::parse_any_case(raw) {
        Some(kind) if opts.op_any_case => {
            used.push(LeniencyUse {
                leniency: Leniency::OpCase,
                operation: i,
                detail: format!("op {raw:?} read as {:?}", kind.as_str()),
            });
            Ok(kind)
        }
        Some(kind) => Err(ScimError::invalid_syntax(format!(
            "{}: op {raw:?} must be written {:?} (RFC 7644 section 3.5.2 spells the ops in \
             lowercase; other cases are an Entra ID habit: op_any_case)",
            label(),
            kind.as_str()
        ))),
        None => Err(ScimError::invalid_syntax(format!(
            "{}: unknown op {raw:?}; it must be add, remove or replace",
            label()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(ops: Value) -> Value {
        json!({"schemas": [PATCH_OP_URN], "Operations": ops})
    }

    #[test]
    fn op_kinds_parse_strictly_or_in_any_case() {
        assert_eq!(PatchOpKind::parse_strict("add"), Some(PatchOpKind::Add));
        assert_eq!(PatchOpKind::parse_strict("Add"), None);
        assert_eq!(PatchOpKind::parse_any_case("REPLACE"), Some(PatchOpKind::Replace));
        assert_eq!(PatchOpKind::parse_any_case("move"), None);
    }

    #[test]
    fn paths_are_parsed_once_and_kept_as_written() {
        let (req, used) = PatchRequest::from_json(
            &body(json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@b.c"}])),
            &PatchOptions::strict(),
        )
        .expect("reads");
        assert!(used.is_empty());
        let op = &req.operations[0];
        assert_eq!(op.raw_path.as_deref(), Some("emails[type eq \"work\"].value"));
        let path = op.path.as_ref().expect("a path");
        assert_eq!((path.name.as_str(), path.sub.as_deref(), path.filter.is_some()), ("emails", Some("value"), true));
        assert_eq!(op.label(3), "Operations[3] (replace emails[type eq \"work\"].value)");
    }

    #[test]
    fn capitalised_ops_are_recorded_when_allowed() {
        let b = body(json!([{"op": "add", "path": "title", "value": "x"}, {"op": "Remove", "path": "title"}]));
        let opts = PatchOptions { op_any_case: true, ..PatchOptions::strict() };
        let (req, used) = PatchRequest::from_json(&b, &opts).expect("reads");
        assert_eq!(req.operations[1].op, PatchOpKind::Remove);
        assert_eq!(
            used,
            [LeniencyUse {
                leniency: Leniency::OpCase,
                operation: 1,
                detail: "op \"Remove\" read as \"remove\"".into()
            }]
        );
    }

    #[test]
    fn a_null_path_or_value_counts_as_absent() {
        let (req, _) = PatchRequest::from_json(
            &body(json!([{"op": "replace", "path": null, "value": {"title": "x"}}, {"op": "remove", "path": "title", "value": null}])),
            &PatchOptions::strict(),
        )
        .expect("reads");
        assert!(req.operations[0].path.is_none());
        assert!(req.operations[1].value.is_none());
    }

    #[test]
    fn a_path_of_the_wrong_type_is_invalid_path() {
        let e = PatchRequest::from_json(&body(json!([{"op": "remove", "path": 7}])), &PatchOptions::strict())
            .expect_err("refused");
        assert_eq!(e.scim_type, Some(crate::error::ScimType::InvalidPath));
        assert!(e.detail.starts_with("Operations[0] (remove): path must be a string"), "{}", e.detail);
    }
}
