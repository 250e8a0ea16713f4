//! The resource being patched and its undo log: what makes a PATCH atomic (RFC 7644 section 3.5.2: all the
//! operations succeed, or the resource is left as it was) without cloning the resource up front.
//!
//! Before changing something, an operation saves the narrowest location that holds the change: an attribute's
//! whole value (a member of the resource, or an attribute inside an extension's object), an extension's whole
//! object, or, for an in-place edit that only sets one sub-attribute (`name.familyName`,
//! `emails[type eq "work"].value`), that sub-attribute. Each location is saved once, before its first change, with
//! its previous value or its absence; a location inside one already saved is not saved again. On error the log is
//! replayed in reverse, which puts every location back as it was.
//!
//! Members never move while a request runs: an attribute that is removed is set to `null` in place (RFC 7643
//! section 2.5 makes `null` and absent the same), a new member is appended, and a sub-attribute saved on its own
//! is only set in place or appended, never removed. So restoring values and removing appended members also
//! restores member order, byte for byte. The `null`s are dropped once every operation has succeeded.

use super::apply::OpCx;
use crate::error::ScimError;
use crate::members;
use crate::schema::ResourceView;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashSet;

/// Where an attribute's value lives: the key of the extension object holding it (`None`: the resource itself)
/// and the attribute's key, both as the resource spells them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct AttrLoc<'v> {
    ext: Option<Cow<'v, str>>,
    key: Cow<'v, str>,
}

/// A location the undo log can save.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Loc<'v> {
    /// An attribute's whole value.
    Attr(AttrLoc<'v>),
    /// An extension's whole object, under its URN key.
    ExtObject(Cow<'v, str>),
    /// One sub-attribute of an attribute's complex value, or of element `index` of a multi-valued one.
    Sub(AttrLoc<'v>, Option<usize>, Cow<'v, str>),
}

/// Whether saving `outer` already saved `inner`.
fn covers(outer: &Loc<'_>, inner: &Loc<'_>) -> bool {
    if outer == inner {
        return true;
    }
    match (outer, inner) {
        (Loc::ExtObject(e), Loc::Attr(a) | Loc::Sub(a, ..)) => a.ext.as_ref() == Some(e),
        (Loc::Attr(a), Loc::Sub(b, ..)) => a == b,
        _ => false,
    }
}

/// Whether some entry covers an entry saved before it, in one pass (the log is large when this is used): only an
/// attribute can cover an earlier sub-attribute of it, and only an extension object an earlier location inside it.
fn covers_earlier(entries: &[Saved<'_>]) -> bool {
    let (mut subs_of, mut inside) = (HashSet::new(), HashSet::new());
    for s in entries {
        match &s.loc {
            Loc::ExtObject(e) if inside.contains(e) => return true,
            Loc::Attr(a) if subs_of.contains(a) => return true,
            Loc::ExtObject(_) => {}
            Loc::Attr(a) | Loc::Sub(a, ..) => {
                if matches!(s.loc, Loc::Sub(..)) {
                    subs_of.insert(a.clone());
                }
                if let Some(e) = &a.ext {
                    inside.insert(e.clone());
                }
            }
        }
    }
    false
}

/// A location as it was before the request first changed it (`None`: absent).
struct Saved<'v> {
    loc: Loc<'v>,
    old: Option<Value>,
}

/// The undo log.
#[derive(Default)]
pub(super) struct Undo<'v> {
    entries: Vec<Saved<'v>>,
    /// The saved locations as a set, built once the log outgrows [`INDEX_FROM`] entries: a request that edits a
    /// sub-attribute of every element of a large multi-valued attribute saves one location per element, and a
    /// linear [`covers`] scan per save made such a request quadratic (1,000 operations on 2,000 emails held the
    /// store for seconds).
    index: Option<HashSet<Loc<'v>>>,
    /// Whether some attribute was left `null` (unassigned) by an operation, so that the end of the request must
    /// look for `null`s to drop.
    nulls: bool,
}

/// Below this many entries the log is scanned; a typical PATCH saves a handful of locations.
const INDEX_FROM: usize = 16;

impl<'v> Undo<'v> {
    fn save(&mut self, loc: Loc<'v>, old: impl FnOnce() -> Option<Value>) {
        if self.covered(&loc) {
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(loc.clone());
        } else if self.entries.len() + 1 >= INDEX_FROM {
            let mut index: HashSet<Loc<'v>> = self.entries.iter().map(|s| s.loc.clone()).collect();
            index.insert(loc.clone());
            self.index = Some(index);
        }
        self.entries.push(Saved { loc, old: old() });
    }

    /// Whether a saved location [`covers`] `loc`. With the index, the locations that could cover `loc` are
    /// looked up directly: `loc` itself, the attribute holding a sub-attribute, the extension object holding
    /// either.
    fn covered(&self, loc: &Loc<'v>) -> bool {
        let Some(index) = &self.index else { return self.entries.iter().any(|s| covers(&s.loc, loc)) };
        if index.contains(loc) {
            return true;
        }
        let attr = match loc {
            Loc::ExtObject(_) => return false,
            Loc::Attr(a) => a,
            Loc::Sub(a, ..) => {
                if index.contains(&Loc::Attr(a.clone())) {
                    return true;
                }
                a
            }
        };
        attr.ext.as_ref().is_some_and(|e| index.contains(&Loc::ExtObject(e.clone())))
    }
}

/// The key `name` is stored under in `m` (case-insensitively) and whether it is there, borrowing the schema's
/// spelling when the resource uses it, so that the common case allocates nothing. Members are found by scanning
/// (see `crate::members`), as everywhere in this file: a PATCH makes a few dozen lookups in small objects.
fn stored_key<'v>(m: &Map<String, Value>, name: &'v str) -> (Cow<'v, str>, bool) {
    match members::key_ci(m, name) {
        Some(k) if k == name => (Cow::Borrowed(name), true),
        Some(k) => (Cow::Owned(k.to_owned()), true),
        None => (Cow::Borrowed(name), false),
    }
}

/// The map an attribute lives in.
fn holder<'m>(obj: &'m Map<String, Value>, at: &AttrLoc<'_>) -> Option<&'m Map<String, Value>> {
    match &at.ext {
        None => Some(obj),
        Some(e) => members::get(obj, e)?.as_object(),
    }
}

fn holder_mut<'m>(obj: &'m mut Map<String, Value>, at: &AttrLoc<'_>) -> Option<&'m mut Map<String, Value>> {
    match &at.ext {
        None => Some(obj),
        Some(e) => members::get_mut(obj, e)?.as_object_mut(),
    }
}

/// Puts `old` back at `loc` in `obj`. A location whose holder is gone is skipped: a holder only goes after it was
/// saved itself, and its own entry restores everything inside it.
fn put_back(obj: &mut Map<String, Value>, loc: &Loc<'_>, old: Option<Value>) {
    match loc {
        Loc::ExtObject(k) => restore(obj, k, old),
        Loc::Attr(at) => {
            if let Some(m) = holder_mut(obj, at) {
                restore(m, &at.key, old);
            }
        }
        Loc::Sub(at, index, key) => {
            if let Some(m) = sub_holder_mut(obj, at, *index) {
                restore(m, key, old);
            }
        }
    }
}

/// The object holding a saved sub-attribute: the attribute's value, or its element `index`.
fn sub_holder_mut<'m>(
    obj: &'m mut Map<String, Value>,
    at: &AttrLoc<'_>,
    index: Option<usize>,
) -> Option<&'m mut Map<String, Value>> {
    let v = members::get_mut(holder_mut(obj, at)?, &at.key)?;
    match index {
        None => v.as_object_mut(),
        Some(i) => v.as_array_mut()?.get_mut(i)?.as_object_mut(),
    }
}

/// Puts `key` of `m` back to `old` (absent when `None`).
fn restore(m: &mut Map<String, Value>, key: &str, old: Option<Value>) {
    match (old, members::get_mut(m, key)) {
        (Some(v), Some(slot)) => *slot = v,
        (Some(v), None) => {
            m.insert(key.to_owned(), v);
        }
        (None, _) => {
            m.shift_remove(key);
        }
    }
}

/// The resource being patched, with its undo log.
pub(super) struct Doc<'r, 'v> {
    obj: &'r mut Map<String, Value>,
    undo: Undo<'v>,
}

/// An attribute's value, ready to be changed: the value (`null` when the attribute has none), and the undo log
/// with the attribute's location, to save before changing.
pub(super) struct Place<'d, 'v> {
    /// The attribute's value; `null` means unassigned.
    pub slot: &'d mut Value,
    undo: &'d mut Undo<'v>,
    at: AttrLoc<'v>,
}

/// Notes an attribute left unassigned, for [`Doc::finish`].
impl Drop for Place<'_, '_> {
    fn drop(&mut self) {
        if self.slot.is_null() {
            self.undo.nulls = true;
        }
    }
}

impl<'v> Place<'_, 'v> {
    /// Saves the attribute's whole value before a change to it.
    pub fn save(&mut self) {
        let slot = &*self.slot;
        self.undo.save(Loc::Attr(self.at.clone()), || Some(slot.clone()));
    }

    /// Replaces the attribute's whole value. The old value is moved into the undo log rather than copied (when
    /// this is the attribute's first change; otherwise the log already holds what it was).
    pub fn replace(&mut self, new: Value) {
        let old = std::mem::replace(&mut *self.slot, new);
        self.undo.save(Loc::Attr(self.at.clone()), || Some(old));
    }

    /// Saves one sub-attribute of the value (of its element `index`, for a multi-valued attribute) before it is
    /// set in place, and returns the key it is stored under. Only for setting a value: a sub-attribute that is
    /// removed needs [`Place::save`].
    pub fn save_sub(&mut self, index: Option<usize>, name: &'v str) -> Cow<'v, str> {
        let holder = match index {
            None => self.slot.as_object(),
            Some(i) => self.slot.as_array().and_then(|a| a.get(i)).and_then(Value::as_object),
        };
        let Some(m) = holder else {
            self.save();
            return Cow::Borrowed(name);
        };
        let (key, old) = match members::entry_ci(m, name) {
            Some((k, v)) if k == name => (Cow::Borrowed(name), Some(v)),
            Some((k, v)) => (Cow::Owned(k.to_owned()), Some(v)),
            None => (Cow::Borrowed(name), None),
        };
        self.undo.save(Loc::Sub(self.at.clone(), index, key.clone()), || old.cloned());
        key
    }
}

/// The [`Place`] of attribute `name` in `m` (see [`Doc::place`]).
fn attr_place<'d, 'v>(
    m: &'d mut Map<String, Value>,
    undo: &'d mut Undo<'v>,
    ext: Option<Cow<'v, str>>,
    name: &'v str,
    create: bool,
) -> Option<Place<'d, 'v>> {
    let (key, found) = stored_key(m, name);
    let at = AttrLoc { ext, key };
    if !found {
        if !create {
            return None;
        }
        undo.save(Loc::Attr(at.clone()), || None);
        m.insert(at.key.clone().into_owned(), Value::Null);
    }
    match members::get_mut(m, &at.key) {
        Some(slot) if create || !slot.is_null() => Some(Place { slot, undo, at }),
        _ => None,
    }
}

impl<'r, 'v> Doc<'r, 'v> {
    /// The resource, with an empty undo log.
    pub(super) fn new(obj: &'r mut Map<String, Value>, capacity: usize) -> Self {
        Doc { obj, undo: Undo { entries: Vec::with_capacity(capacity), index: None, nulls: false } }
    }

    /// The value of attribute `name` (of the extension `ext`, or of the resource itself). With `create`, an
    /// absent attribute (and extension object) is created as `null`, and its absence saved; without, `None`
    /// when it has no value.
    pub(super) fn place(
        &mut self,
        cx: &OpCx<'_, '_>,
        name: &'v str,
        ext: Option<&'v str>,
        create: bool,
    ) -> Result<Option<Place<'_, 'v>>, ScimError> {
        // Split the borrows: each member is looked up as few times as possible, and the undo log is a separate
        // field.
        let Doc { obj, undo } = self;
        let m = match ext {
            None => &mut **obj,
            Some(urn) => {
                let (ext_key, found) = stored_key(obj, urn);
                if !found {
                    if !create {
                        return Ok(None);
                    }
                    undo.save(Loc::ExtObject(ext_key.clone()), || None);
                    obj.insert(ext_key.clone().into_owned(), Value::Null);
                }
                let Some(v) = members::get_mut(obj, &ext_key) else { return Ok(None) };
                if v.is_null() {
                    if !create {
                        return Ok(None);
                    }
                    undo.save(Loc::ExtObject(ext_key.clone()), || Some(Value::Null));
                    *v = Value::Object(Map::new());
                }
                let Value::Object(m) = v else {
                    return Err(cx.err_value(format!(
                        "the resource's {urn} member is not an object, so its attributes cannot be changed"
                    )));
                };
                return Ok(attr_place(m, undo, Some(ext_key), name, create));
            }
        };
        Ok(attr_place(m, undo, None, name, create))
    }

    /// Saves an extension's whole object before it is unassigned, and returns it (`None` when it is absent).
    pub(super) fn drop_extension(&mut self, urn: &'v str) -> Option<&Map<String, Value>> {
        let (key, found) = stored_key(self.obj, urn);
        if !found {
            return None;
        }
        let obj = &*self.obj;
        self.undo.save(Loc::ExtObject(key.clone()), || members::get(obj, &key).cloned());
        members::get(self.obj, &key).and_then(Value::as_object)
    }

    /// Unassigns an extension's object after [`Doc::drop_extension`]; its URN leaves `schemas` when the request
    /// ends.
    pub(super) fn null_extension(&mut self, urn: &str) {
        if let Some(k) = members::key_ci(self.obj, urn).map(str::to_owned)
            && let Some(v) = members::get_mut(self.obj, &k)
        {
            *v = Value::Null;
        }
    }

    /// Puts every saved location back, in reverse order. A location whose holder is gone by then is skipped: a
    /// holder only goes after it was saved itself, and its own entry restores everything inside it.
    pub(super) fn rollback(&mut self) {
        while let Some(Saved { loc, old }) = self.undo.entries.pop() {
            put_back(self.obj, &loc, old);
        }
    }

    /// Whether the resource differs from what it was before the request. An entry's saved value is the original
    /// one unless an entry saved before it lies inside it (a sub-attribute set, then its whole attribute removed):
    /// the earlier change is then part of the saved value, so the log is replayed on a copy and the copy compared.
    fn differs(&self) -> bool {
        let e = &self.undo.entries;
        let nested = match &self.undo.index {
            None => e.iter().enumerate().any(|(i, s)| e[..i].iter().any(|inner| covers(&s.loc, &inner.loc))),
            Some(_) => covers_earlier(e),
        };
        if !nested {
            return e.iter().any(|s| s.old.as_ref() != self.read(&s.loc));
        }
        let mut before = self.obj.clone();
        for s in e.iter().rev() {
            put_back(&mut before, &s.loc, s.old.clone());
        }
        before != *self.obj
    }

    fn read(&self, loc: &Loc<'_>) -> Option<&Value> {
        match loc {
            Loc::ExtObject(k) => members::get(self.obj, k),
            Loc::Attr(at) => members::get(holder(self.obj, at)?, &at.key),
            Loc::Sub(at, index, key) => {
                let v = members::get(holder(self.obj, at)?, &at.key)?;
                let m = match index {
                    None => v.as_object()?,
                    Some(i) => v.as_array()?.get(*i)?.as_object()?,
                };
                members::get(m, key)
            }
        }
    }

    /// After the last operation: drops unassigned members and extension objects left empty, and brings `schemas`
    /// in line with the extension objects the request wrote to (listed while they have a value, unlisted when the
    /// request removed them). Returns whether the resource differs from what it was.
    pub(super) fn finish(&mut self, view: &ResourceView<'_>) -> bool {
        let mut exts: Vec<(Cow<'v, str>, bool)> = Vec::new();
        for Saved { loc, old } in &self.undo.entries {
            match loc {
                Loc::Attr(AttrLoc { ext: None, key }) => {
                    if self.undo.nulls && members::get(self.obj, key).is_some_and(Value::is_null) {
                        self.obj.shift_remove(key.as_ref());
                    }
                }
                Loc::ExtObject(e)
                | Loc::Attr(AttrLoc { ext: Some(e), .. })
                | Loc::Sub(AttrLoc { ext: Some(e), .. }, ..) => {
                    // Whether the object existed before the request: only an ExtObject entry says it did not.
                    let existed = !matches!((loc, old), (Loc::ExtObject(_), None | Some(Value::Null)));
                    match exts.iter_mut().find(|(x, _)| x == e) {
                        Some((_, ex)) => *ex = *ex && existed,
                        None => exts.push((e.clone(), existed)),
                    }
                }
                Loc::Sub(..) => {}
            }
        }
        let mut changed = false;
        for (e, existed) in exts {
            let present = match members::get_mut(self.obj, &e) {
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
            // An extension the request wrote to is listed while it has a value; one it removed is unlisted.
            if present || existed {
                let urn = view.extension(&e).map_or(e.as_ref(), |s| s.id.as_str());
                changed |= self.list_schema(urn, present, view);
            }
        }
        changed || self.differs()
    }

    /// Adds `urn` to `schemas` (when `listed`) or removes it; returns whether `schemas` changed.
    fn list_schema(&mut self, urn: &str, listed: bool, view: &ResourceView<'_>) -> bool {
        let (key, _) = stored_key(self.obj, "schemas");
        let present = match members::get(self.obj, &key) {
            Some(Value::Array(urns)) => {
                urns.iter().any(|u| u.as_str().is_some_and(|u| u == urn || u.eq_ignore_ascii_case(urn)))
            }
            _ => false,
        };
        if present == listed {
            return false;
        }
        let obj = &*self.obj;
        self.undo.save(Loc::Attr(AttrLoc { ext: None, key: key.clone() }), || members::get(obj, &key).cloned());
        match members::get_mut(self.obj, &key) {
            Some(Value::Array(urns)) if listed => urns.push(Value::String(urn.to_owned())),
            Some(Value::Array(urns)) => urns.retain(|u| !u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(urn))),
            _ if listed => {
                let urns = vec![Value::String(view.core.id.clone()), Value::String(urn.to_owned())];
                self.obj.insert(key.into_owned(), Value::Array(urns));
            }
            _ => {}
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn top(k: &str) -> AttrLoc<'_> {
        AttrLoc { ext: None, key: Cow::Borrowed(k) }
    }

    /// The index answers what the linear scan answers, for every kind of location, before and after it exists;
    /// the one-pass nesting test agrees with the pairwise one.
    #[test]
    fn the_index_agrees_with_the_scan() {
        let ext = |k: &'static str| AttrLoc { ext: Some(Cow::Borrowed("urn:e")), key: Cow::Borrowed(k) };
        let mut probes = vec![Loc::ExtObject(Cow::Borrowed("urn:e")), Loc::ExtObject(Cow::Borrowed("urn:f"))];
        for i in 0..40 {
            probes.push(Loc::Sub(top("emails"), Some(i), Cow::Borrowed("type")));
            probes.push(Loc::Sub(ext("m"), Some(i), Cow::Borrowed("value")));
        }
        probes.extend([Loc::Attr(top("emails")), Loc::Attr(ext("m")), Loc::Attr(top("name"))]);
        let saves: Vec<Loc<'_>> = probes.iter().filter(|l| !matches!(l, Loc::ExtObject(_))).cloned().collect();
        let mut undo = Undo::default();
        for (n, loc) in saves.into_iter().enumerate() {
            for p in &probes {
                let scan = undo.entries.iter().any(|s| covers(&s.loc, p));
                assert_eq!(undo.covered(p), scan, "after {n} saves, probe {p:?}");
            }
            undo.save(loc, || None);
            let e = &undo.entries;
            let pairwise = e.iter().enumerate().any(|(i, s)| e[..i].iter().any(|inner| covers(&s.loc, &inner.loc)));
            assert_eq!(covers_earlier(e), pairwise, "after {n} saves");
        }
        assert!(undo.index.is_some(), "a long log is indexed");
        undo.save(Loc::ExtObject(Cow::Borrowed("urn:e")), || None);
        assert!(covers_earlier(&undo.entries) && undo.covered(&Loc::Sub(ext("q"), None, Cow::Borrowed("r"))));
    }

    #[test]
    fn rollback_restores_values_presence_and_order() {
        let original = json!({"a": 1, "b": {"x": [1, 2], "y": "y"}, "c": null, "d": "keep"});
        let mut v = original.clone();
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc::new(obj, 4);
        // A sub-attribute saved alone, then its whole attribute, then the sub-attribute again.
        doc.undo.save(Loc::Sub(top("b"), None, Cow::Borrowed("y")), || Some(json!("y")));
        doc.obj["b"]["y"] = json!("changed");
        doc.undo.save(Loc::Sub(top("b"), None, Cow::Borrowed("z")), || None);
        doc.obj["b"].as_object_mut().expect("object").insert("z".into(), json!(1));
        doc.undo.save(Loc::Attr(top("b")), || Some(json!({"x": [1, 2], "y": "changed", "z": 1})));
        doc.obj["b"]["x"] = json!([]);
        doc.obj["a"] = Value::Null;
        doc.undo.save(Loc::Attr(top("a")), || Some(json!(1)));
        doc.obj.insert("e".into(), json!("new"));
        doc.undo.save(Loc::Attr(top("e")), || None);
        doc.rollback();
        assert_eq!(serde_json::to_string(&v).expect("json"), serde_json::to_string(&original).expect("json"));
    }

    #[test]
    fn a_saved_location_covers_what_it_holds() {
        let ext = AttrLoc { ext: Some(Cow::Borrowed("urn:x")), key: Cow::Borrowed("k") };
        assert!(covers(&Loc::ExtObject(Cow::Borrowed("urn:x")), &Loc::Attr(ext.clone())));
        assert!(covers(&Loc::Attr(ext.clone()), &Loc::Sub(ext.clone(), Some(1), Cow::Borrowed("value"))));
        assert!(!covers(&Loc::Sub(ext.clone(), None, Cow::Borrowed("value")), &Loc::Attr(ext)));
        assert!(!covers(&Loc::Attr(top("a")), &Loc::Attr(top("b"))));
    }

    #[test]
    fn finish_drops_nulls_and_reports_changes() {
        let mut v = json!({"a": 1, "b": 2});
        let Value::Object(obj) = &mut v else { panic!("object") };
        let mut doc = Doc::new(obj, 2);
        doc.undo.save(Loc::Attr(top("a")), || Some(json!(1)));
        doc.obj["a"] = Value::Null;
        doc.undo.nulls = true; // what dropping the Place of `a` would note
        doc.undo.save(Loc::Attr(top("z")), || None);
        let view = crate::schema::SchemaRegistry::core().user();
        assert!(doc.finish(&view));
        assert_eq!(v, json!({"b": 2}));
    }
}
