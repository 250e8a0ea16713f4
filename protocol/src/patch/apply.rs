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
use std::borrow::Cow;
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
    let mut doc = Doc { obj, undo: Vec::with_capacity(req.operations.len() + 1) };
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

/// Where an attribute's value lives: the map holding it, and the key it is (or will be) stored under (the
/// schema's spelling unless the resource spells it otherwise).
pub(super) type Slot<'m, 'v> = (&'m mut Map<String, Value>, Cow<'v, str>);

/// The resource being patched, with the undo log.
pub(super) struct Doc<'r, 'v> {
    obj: &'r mut Map<String, Value>,
    undo: Vec<Saved<'v>>,
}

/// What the undo log saves: a member of the resource, an extension's whole object, or one attribute inside an
/// extension's object (extension attributes are attributes of the resource like the core ones, so they are
/// saved one by one rather than by cloning the whole extension).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loc<'v> {
    /// A member of the resource: a core or common attribute, or `schemas`.
    Top(Cow<'v, str>),
    /// An extension's object, under its URN key.
    ExtObject(Cow<'v, str>),
    /// An attribute inside an extension's object: (URN key, attribute key).
    InExt(Cow<'v, str>, Cow<'v, str>),
}

/// A location as it was before the request first changed it.
struct Saved<'v> {
    loc: Loc<'v>,
    old: Option<Value>,
}

/// The exact key `name` is stored under in `m` (case-insensitively), borrowing the schema's spelling when the
/// resource uses it, so that the common case allocates nothing.
fn stored_key<'v>(m: &Map<String, Value>, name: &'v str) -> Cow<'v, str> {
    if m.contains_key(name) {
        return Cow::Borrowed(name);
    }
    match key_ci(m, name) {
        Some(k) => Cow::Owned(k.to_owned()),
        None => Cow::Borrowed(name),
    }
}

impl<'v> Doc<'_, 'v> {
    fn read(&self, loc: &Loc<'_>) -> Option<&Value> {
        match loc {
            Loc::Top(k) | Loc::ExtObject(k) => self.obj.get(k.as_ref()),
            Loc::InExt(e, k) => self.obj.get(e.as_ref()).and_then(Value::as_object).and_then(|m| m.get(k.as_ref())),
        }
    }

    /// Records a location's state before its first change in this request.
    fn save(&mut self, loc: Loc<'v>) {
        let covered = self
            .undo
            .iter()
            .any(|s| s.loc == loc || matches!((&s.loc, &loc), (Loc::ExtObject(e), Loc::InExt(x, _)) if e == x));
        if !covered {
            let old = self.read(&loc).cloned();
            self.undo.push(Saved { loc, old });
        }
    }

    /// The map holding `name` (the resource itself, or the object under the extension `ext`) and the key it is
    /// (or will be) stored under, after saving what is about to change. `None` when the extension object is
    /// absent and `create` is false.
    pub(super) fn container(
        &mut self,
        cx: &OpCx<'_, '_>,
        name: &'v str,
        ext: Option<&'v str>,
        create: bool,
    ) -> Result<Option<Slot<'_, 'v>>, ScimError> {
        let Some(urn) = ext else {
            let key = stored_key(self.obj, name);
            self.save(Loc::Top(key.clone()));
            return Ok(Some((&mut *self.obj, key)));
        };
        let ext_key = stored_key(self.obj, urn);
        let absent = self.obj.get(ext_key.as_ref()).is_none_or(Value::is_null);
        if absent {
            if !create {
                return Ok(None);
            }
            self.save(Loc::ExtObject(ext_key.clone()));
            self.obj.insert(ext_key.clone().into_owned(), Value::Object(Map::new()));
        }
        let key = match self.obj.get(ext_key.as_ref()) {
            Some(Value::Object(m)) => stored_key(m, name),
            _ => {
                return Err(cx.err_value(format!(
                    "the resource's {urn} member is not an object, so its attributes cannot be changed"
                )));
            }
        };
        self.save(Loc::InExt(ext_key.clone(), key.clone()));
        match self.obj.get_mut(ext_key.as_ref()) {
            Some(Value::Object(m)) => Ok(Some((m, key))),
            _ => Ok(None),
        }
    }

    /// Saves an extension's whole object before it is unassigned, and returns it.
    pub(super) fn drop_extension(&mut self, urn: &'v str) -> Option<&Map<String, Value>> {
        let key = stored_key(self.obj, urn);
        self.obj.get(key.as_ref())?;
        self.save(Loc::ExtObject(key.clone()));
        self.obj.get(key.as_ref()).and_then(Value::as_object)
    }

    /// Unassigns an extension's object after [`Doc::drop_extension`]; its URN leaves `schemas` when the request
    /// ends.
    pub(super) fn null_extension(&mut self, urn: &str) {
        if let Some(k) = key_ci(self.obj, urn).map(str::to_owned)
            && let Some(v) = self.obj.get_mut(&k)
        {
            *v = Value::Null;
        }
    }

    /// Puts every saved location back, in reverse order. Members never move during a request (they are set in
    /// place, set to `null`, or appended), so restoring values and removing appended members restores the order
    /// too. An attribute whose extension object is gone by then is skipped: the object's own entry restores it.
    fn rollback(&mut self) {
        while let Some(Saved { loc, old }) = self.undo.pop() {
            let (map, key) = match loc {
                Loc::Top(k) | Loc::ExtObject(k) => (&mut *self.obj, k),
                Loc::InExt(e, k) => match self.obj.get_mut(e.as_ref()) {
                    Some(Value::Object(m)) => (m, k),
                    _ => continue,
                },
            };
            match (old, map.get_mut(key.as_ref())) {
                (Some(v), Some(slot)) => *slot = v,
                (Some(v), None) => {
                    map.insert(key.into_owned(), v);
                }
                (None, _) => {
                    map.shift_remove(key.as_ref());
                }
            }
        }
    }

    /// After the last operation: drops unassigned members, drops extension objects left empty, and brings
    /// `schemas` in line with every extension object the request changed (listed when it has a value, not listed
    /// when it has none). An extension the request did not change keeps its `schemas` entry as it was.
    fn finish(&mut self, view: &ResourceView<'_>) {
        let mut exts: Vec<Cow<'v, str>> = Vec::new();
        for i in 0..self.undo.len() {
            match &self.undo[i].loc {
                Loc::Top(k) => {
                    if self.obj.get(k.as_ref()).is_some_and(Value::is_null) {
                        self.obj.shift_remove(k.as_ref());
                    }
                }
                Loc::ExtObject(e) | Loc::InExt(e, _) => {
                    if !exts.contains(e) {
                        exts.push(e.clone());
                    }
                }
            }
        }
        for e in exts {
            let present = match self.obj.get_mut(e.as_ref()) {
                Some(Value::Object(m)) => {
                    m.retain(|_, v| !v.is_null());
                    !m.is_empty()
                }
                Some(Value::Null) | None => false,
                Some(_) => true,
            };
            if !present {
                self.obj.shift_remove(e.as_ref());
            }
            let changed = self.undo.iter().any(|s| match &s.loc {
                Loc::ExtObject(x) | Loc::InExt(x, _) if *x == e => s.old.as_ref() != self.read(&s.loc),
                _ => false,
            });
            if changed {
                let urn = view.extension(&e).map_or(e.as_ref(), |s| s.id.as_str());
                self.list_schema(urn, present, view);
            }
        }
    }

    /// Adds `urn` to `schemas` (when `listed`) or removes it.
    fn list_schema(&mut self, urn: &str, listed: bool, view: &ResourceView<'_>) {
        let key = stored_key(self.obj, "schemas");
        let present = match self.obj.get(key.as_ref()) {
            Some(Value::Array(urns)) => urns.iter().any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn))),
            _ => false,
        };
        if present == listed {
            return;
        }
        self.save(Loc::Top(key.clone()));
        match self.obj.get_mut(key.as_ref()) {
            Some(Value::Array(urns)) if listed => urns.push(Value::String(urn.to_owned())),
            Some(Value::Array(urns)) => urns.retain(|u| !u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn))),
            _ if listed => {
                let urns = vec![Value::String(view.core.id.clone()), Value::String(urn.to_owned())];
                self.obj.insert(key.into_owned(), Value::Array(urns));
            }
            _ => {}
        }
    }

    /// Whether any saved location differs from what it was.
    fn changed(&self) -> bool {
        self.undo.iter().any(|s| s.old.as_ref() != self.read(&s.loc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn top(k: &str) -> Loc<'_> {
        Loc::Top(Cow::Borrowed(k))
    }

    #[test]
    fn rollback_restores_values_presence_and_order() {
        let original = json!({"a": 1, "b": {"x": [1, 2]}, "c": null, "d": "keep"});
        let mut v = original.clone();
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc { obj, undo: Vec::new() };
        doc.save(top("b"));
        doc.obj["b"]["x"] = json!([]);
        doc.save(top("a"));
        doc.obj["a"] = Value::Null;
        doc.save(top("e"));
        doc.obj.insert("e".into(), json!("new"));
        doc.save(top("c"));
        doc.obj["c"] = json!(3);
        doc.save(top("b")); // a second save of the same member keeps the first state
        doc.obj["b"]["x"] = json!([3]);
        doc.rollback();
        assert_eq!(serde_json::to_string(&v).expect("json"), serde_json::to_string(&original).expect("json"));
    }

    #[test]
    fn finish_drops_nulls_and_reports_changes() {
        let mut v = json!({"a": 1, "b": 2});
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc { obj, undo: Vec::new() };
        doc.save(top("a"));
        doc.obj["a"] = Value::Null;
        doc.save(top("z"));
        let view = crate::schema::SchemaRegistry::core().user();
        doc.finish(&view);
        assert!(doc.changed());
        assert_eq!(v, json!({"b": 2}));
    }
}
