//! RFC 7644 section 3.5.2: applying a PATCH request to a resource, atomically.
//!
//! Section 3.5.2 makes a PATCH all or nothing: if any operation fails, the resource is left as it was. Cloning
//! the resource up front would cost more than the operations themselves, so the applier keeps an undo log of what
//! each operation is about to change (see `undo.rs`) and replays it in reverse on error.

use super::ops::{apply_to_attr, remove_extension};
use super::options::{Leniency, LeniencyUse, PatchOptions};
use super::request::{PatchOpKind, PatchOperation, PatchRequest};
use super::target::{Target, resolve_key, resolve_path};
use super::undo::Doc;
use crate::error::{ScimError, ScimType};
use crate::schema::{ResourceView, Schema};
use serde_json::{Map, Value};
use std::fmt::Display;

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchOutcome {
    /// Whether the resource differs from what it was (`false` lets a server keep `meta.version`).
    pub changed: bool,
    /// The leniencies the applier used, in order. Those used while reading the body are returned by
    /// [`PatchRequest::from_json`].
    pub leniencies: Vec<LeniencyUse>,
}

/// RFC 7644 section 3.5.2: applies every operation of `req`, in order, to `resource` in place, under the schema
/// of `view`. Atomic: on error `resource` is exactly as before, member order included.
///
/// The rules of each operation are documented in `ops.rs` (add, replace) and `remove.rs`; values are checked as
/// [`crate::validate::check_value`] checks them. Every error detail starts with `Operations[i] (op path)`.
pub fn apply(
    resource: &mut Value,
    req: &PatchRequest,
    view: &ResourceView<'_>,
    opts: &PatchOptions,
) -> Result<PatchOutcome, ScimError> {
    let Value::Object(obj) = resource else {
        return Err(ScimError::invalid_value(format!(
            "the resource to patch must be a JSON object, got {}",
            crate::validate::describe(resource)
        )));
    };
    let mut doc = Doc::new(obj, req.operations.len() + 1);
    let mut leniencies = Vec::new();
    for (index, op) in req.operations.iter().enumerate() {
        let mut cx = OpCx { index, op, view, opts, leniencies: &mut leniencies, key: None };
        if let Err(e) = apply_one(&mut doc, &mut cx) {
            doc.rollback();
            return Err(e);
        }
    }
    let changed = doc.finish(view);
    Ok(PatchOutcome { changed, leniencies })
}

/// The context of one operation: where errors and leniencies are attributed.
pub(super) struct OpCx<'a, 'v> {
    /// The operation's index in `Operations`.
    pub index: usize,
    /// The operation.
    pub op: &'a PatchOperation,
    /// The resource type.
    pub view: &'a ResourceView<'v>,
    /// The leniencies allowed.
    pub opts: &'a PatchOptions,
    /// Where used leniencies are recorded.
    pub leniencies: &'a mut Vec<LeniencyUse>,
    /// For a path-less operation, the member of the value being applied.
    pub key: Option<&'a str>,
}

impl OpCx<'_, '_> {
    fn label(&self) -> String {
        let (i, op) = (self.index, self.op.op);
        match (&self.op.raw_path, self.key) {
            (Some(p), Some(k)) => format!("Operations[{i}] ({op} {p}, member {k:?})"),
            (None, Some(k)) => format!("Operations[{i}] ({op}, member {k:?})"),
            _ => self.op.label(i),
        }
    }

    /// A 400 with `scim_type` whose detail names the operation.
    pub fn err(&self, scim_type: ScimType, msg: impl Display) -> ScimError {
        ScimError::bad_request(scim_type, format!("{}: {msg}", self.label()))
    }

    /// 400 invalidValue naming the operation.
    pub fn err_value(&self, msg: impl Display) -> ScimError {
        self.err(ScimType::InvalidValue, msg)
    }

    /// 400 invalidPath naming the operation.
    pub fn err_path(&self, msg: impl Display) -> ScimError {
        self.err(ScimType::InvalidPath, msg)
    }

    /// Prefixes an error from elsewhere (a type check) with the operation.
    pub fn wrap(&self, e: ScimError) -> ScimError {
        ScimError { detail: format!("{}: {}", self.label(), e.detail), ..e }
    }

    /// Records a leniency used by this operation.
    pub fn record(&mut self, leniency: Leniency, detail: String) {
        self.leniencies.push(LeniencyUse { leniency, operation: self.index, detail });
    }
}

fn apply_one<'v>(doc: &mut Doc<'_, 'v>, cx: &mut OpCx<'_, 'v>) -> Result<(), ScimError> {
    let op = cx.op;
    let Some(path) = &op.path else {
        return match (op.op, &op.value) {
            (PatchOpKind::Remove, _) => {
                Err(cx.err(ScimType::NoTarget, "remove needs a path naming what to remove (RFC 7644 section 3.5.2.2)"))
            }
            (_, Some(Value::Object(members))) => apply_members(doc, cx, None, members),
            (kind, Some(other)) => Err(cx.err_value(format!(
                "a path-less {kind} takes an object whose members are attributes, got {}",
                crate::validate::describe(other)
            ))),
            (kind, None) => Err(cx.err_value(format!("{kind} requires a value (RFC 7644 section 3.5.2)"))),
        };
    };
    match resolve_path(cx, path)? {
        Target::Extension(schema) => match (op.op, &op.value) {
            (PatchOpKind::Remove, None) => remove_extension(doc, cx, schema),
            (PatchOpKind::Remove, Some(_)) => Err(cx.err(ScimType::InvalidSyntax, "remove takes no value")),
            (_, Some(Value::Object(members))) => apply_members(doc, cx, Some(schema), members),
            (kind, Some(other)) => Err(cx.err_value(format!(
                "{kind} on the extension {} takes an object of its attributes, got {}",
                schema.id,
                crate::validate::describe(other)
            ))),
            (kind, None) => Err(cx.err_value(format!("{kind} requires a value (RFC 7644 section 3.5.2)"))),
        },
        Target::Attr(t) => apply_to_attr(doc, cx, &t, op.value.as_ref()),
    }
}

/// RFC 7644 sections 3.5.2.1 and 3.5.2.3 without a path: each member of the value object is an attribute (or an
/// extension URN holding an object of that extension's attributes), added or replaced in turn.
fn apply_members<'a, 'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'a, 'v>,
    within: Option<&'v Schema>,
    members: &'a Map<String, Value>,
) -> Result<(), ScimError> {
    for (key, v) in members {
        let outer = cx.key;
        cx.key = Some(key);
        let result = match resolve_key(cx, within, key)? {
            Target::Extension(schema) => match v {
                Value::Object(inner) => apply_members(doc, cx, Some(schema), inner),
                Value::Null => remove_extension(doc, cx, schema),
                other => Err(cx.err_value(format!(
                    "the extension {} takes an object of its attributes, got {}",
                    schema.id,
                    crate::validate::describe(other)
                ))),
            },
            Target::Attr(t) => apply_to_attr(doc, cx, &t, Some(v)),
        };
        cx.key = outer;
        result?;
    }
    Ok(())
}
