//! RFC 7644 section 3.5.2: applying a PATCH request to a resource, atomically.
//!
//! Section 3.5.2 makes a PATCH all or nothing: if any operation fails, the resource is left as it was. Cloning
//! the resource up front would cost more than the operations themselves, so the applier keeps an undo log of the
//! top-level members it is about to touch (the member's key, its position and its previous value, or its
//! absence) and puts them back in reverse order on error. Removing a top-level member during the request leaves
//! `null` in its place (RFC 7643 section 2.5: `null` and absent mean the same), so no member moves while the
//! request runs; the `null`s are dropped once every operation has succeeded.

use super::ops::{apply_to_attr, remove_extension};
use super::options::{Leniency, LeniencyUse, PatchOptions};
use super::request::{PatchOpKind, PatchOperation, PatchRequest};
use super::target::{Target, resolve_key, resolve_path};
use crate::error::{ScimError, ScimType};
use crate::json::key_ci;
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
/// The rules of each operation are documented on [`super::ops`]; values are checked as
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
    let mut doc = Doc { obj, undo: Vec::new() };
    let mut leniencies = Vec::new();
    for (index, op) in req.operations.iter().enumerate() {
        let mut cx = OpCx { index, op, view, opts, leniencies: &mut leniencies, key: None };
        if let Err(e) = apply_one(&mut doc, &mut cx) {
            doc.rollback();
            return Err(e);
        }
    }
    doc.finish(view);
    Ok(PatchOutcome { changed: doc.changed(), leniencies })
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

fn apply_one(doc: &mut Doc<'_>, cx: &mut OpCx<'_, '_>) -> Result<(), ScimError> {
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
    doc: &mut Doc<'_>,
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

/// Where an attribute's value lives: the map holding it, and the key it is (or will be) stored under.
pub(super) type Slot<'m> = (&'m mut Map<String, Value>, String);

/// The resource being patched, with the undo log.
pub(super) struct Doc<'r> {
    obj: &'r mut Map<String, Value>,
    undo: Vec<Saved>,
}

/// A top-level member as it was before the request touched it.
struct Saved {
    key: String,
    /// Its position, when it was present.
    index: Option<usize>,
    old: Option<Value>,
    /// Whether the member is an extension's object.
    ext: bool,
}

impl<'r> Doc<'r> {
    /// Records a top-level member's state before its first change in this request.
    fn save(&mut self, key: &str, ext: bool) {
        if self.undo.iter().any(|s| s.key == key) {
            return;
        }
        let index = self.obj.keys().position(|k| k == key);
        let old = index.and_then(|_| self.obj.get(key).cloned());
        self.undo.push(Saved { key: key.to_owned(), index, old, ext });
    }

    /// The map holding `name` (the resource itself, or the object under the extension `ext`) and the key it is
    /// (or will be) stored under, after saving what is about to change. `None` when the extension object is
    /// absent and `create` is false.
    pub(super) fn container(
        &mut self,
        cx: &OpCx<'_, '_>,
        name: &str,
        ext: Option<&str>,
        create: bool,
    ) -> Result<Option<Slot<'_>>, ScimError> {
        let Some(urn) = ext else {
            let key = key_ci(self.obj, name).unwrap_or(name).to_owned();
            self.save(&key, false);
            return Ok(Some((&mut *self.obj, key)));
        };
        let ext_key = key_ci(self.obj, urn).unwrap_or(urn).to_owned();
        self.save(&ext_key, true);
        let absent = self.obj.get(&ext_key).is_none_or(Value::is_null);
        if absent && !create {
            return Ok(None);
        }
        let slot = self.obj.entry(ext_key).or_insert(Value::Null);
        if absent {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(m) = slot else {
            return Err(cx.err_value(format!(
                "the resource's {urn} member is not an object, so its attributes cannot be changed"
            )));
        };
        let key = key_ci(m, name).unwrap_or(name).to_owned();
        Ok(Some((m, key)))
    }

    /// Unassigns an extension's whole object (its URN leaves `schemas` when the request ends).
    pub(super) fn drop_extension(&mut self, urn: &str) -> Option<&Map<String, Value>> {
        let key = key_ci(self.obj, urn)?.to_owned();
        self.save(&key, true);
        self.obj.get(&key).and_then(Value::as_object)
    }

    /// Sets an extension's member to null after [`Doc::drop_extension`] checked it.
    pub(super) fn null_extension(&mut self, urn: &str) {
        if let Some(k) = key_ci(self.obj, urn).map(str::to_owned)
            && let Some(v) = self.obj.get_mut(&k)
        {
            *v = Value::Null;
        }
    }

    /// Puts every saved member back, in reverse order, at its old position.
    fn rollback(&mut self) {
        while let Some(s) = self.undo.pop() {
            match (s.old, s.index) {
                (Some(v), Some(i)) => {
                    // Members are never moved during a request, only set in place or appended.
                    match self.obj.get_mut(&s.key) {
                        Some(slot) => *slot = v,
                        None => {
                            self.obj.shift_insert(i.min(self.obj.len()), s.key, v);
                        }
                    }
                }
                _ => {
                    self.obj.shift_remove(&s.key);
                }
            }
        }
    }

    /// After the last operation: drops unassigned members, drops extension objects left empty, and brings
    /// `schemas` in line with every extension object the request changed (listed when it has a value, not listed
    /// when it has none). An extension the request did not change keeps its `schemas` entry as it was.
    fn finish(&mut self, view: &ResourceView<'_>) {
        let touched: Vec<(String, bool)> = self.undo.iter().map(|s| (s.key.clone(), s.ext)).collect();
        for (key, ext) in &touched {
            let keep = match self.obj.get_mut(key) {
                None | Some(Value::Null) => false,
                Some(Value::Object(m)) if *ext => {
                    m.retain(|_, v| !v.is_null());
                    !m.is_empty()
                }
                Some(_) => true,
            };
            if !keep {
                self.obj.shift_remove(key);
            }
        }
        for (key, _) in touched.iter().filter(|(_, ext)| *ext) {
            let old = self.undo.iter().find(|s| s.key == *key).and_then(|s| s.old.as_ref());
            let now = self.obj.get(key);
            if old == now {
                continue;
            }
            let present = now.is_some();
            let urn = view.extension(key).map_or(key.as_str(), |s| s.id.as_str()).to_owned();
            self.list_schema(&urn, present, view);
        }
    }

    /// Adds `urn` to `schemas` (when `listed`) or removes it.
    fn list_schema(&mut self, urn: &str, listed: bool, view: &ResourceView<'_>) {
        let key = key_ci(self.obj, "schemas").unwrap_or("schemas").to_owned();
        let present = match self.obj.get(&key) {
            Some(Value::Array(urns)) => urns.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn))),
            _ => false,
        };
        if present == listed {
            return;
        }
        self.save(&key, false);
        match self.obj.get_mut(&key) {
            Some(Value::Array(urns)) if listed => urns.push(Value::String(urn.to_owned())),
            Some(Value::Array(urns)) => urns.retain(|u| !u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn))),
            _ if listed => {
                let urns = vec![Value::String(view.core.id.clone()), Value::String(urn.to_owned())];
                self.obj.insert(key, Value::Array(urns));
            }
            _ => {}
        }
    }

    /// Whether any saved member differs from what it was.
    fn changed(&self) -> bool {
        self.undo.iter().any(|s| s.old.as_ref() != self.obj.get(&s.key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rollback_restores_values_presence_and_order() {
        let original = json!({"a": 1, "b": {"x": [1, 2]}, "c": null, "d": "keep"});
        let mut v = original.clone();
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc { obj, undo: Vec::new() };
        doc.save("b", false);
        doc.obj["b"]["x"] = json!([]);
        doc.save("a", false);
        doc.obj["a"] = Value::Null;
        doc.save("e", false);
        doc.obj.insert("e".into(), json!("new"));
        doc.save("c", false);
        doc.obj["c"] = json!(3);
        doc.save("b", false); // a second save of the same member keeps the first state
        doc.rollback();
        assert_eq!(serde_json::to_string(&v).expect("json"), serde_json::to_string(&original).expect("json"));
    }

    #[test]
    fn finish_drops_nulls_and_reports_changes() {
        let mut v = json!({"a": 1, "b": 2});
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc { obj, undo: Vec::new() };
        doc.save("a", false);
        doc.obj["a"] = Value::Null;
        doc.save("z", false);
        let view = crate::schema::SchemaRegistry::core().user();
        doc.finish(&view);
        assert!(doc.changed());
        assert_eq!(v, json!({"b": 2}));
    }
}
