//! RFC 7644 sections 3.5.2.1 (add) and 3.5.2.3 (replace) on one attribute target, and the helpers the three
//! operations share. Removal lives in `remove.rs`.
//!
//! The rules, in our words:
//!
//! - add, no filter: a singular attribute takes the value; a complex one merges the given sub-attributes into
//!   what it has; a multi-valued one gains the given elements, except those already present (compared as JSON).
//!   An absent target is created.
//! - replace, no filter: a multi-valued attribute's whole set is replaced (an empty array unassigns it); a complex
//!   attribute's given sub-attributes replace or add, the others stay; a singular one takes the value. An absent
//!   target is added (section 3.5.2.3 says so).
//! - With a value filter (`emails[type eq "work"]`): each matching element is merged into (add), replaced whole
//!   (replace), or, with a sub-attribute after the bracket, has that sub-attribute set. When nothing matches, add
//!   creates an element from the filter's `eq` terms plus the value (that is what adding "where the target does not
//!   exist" means for a filtered path, and Entra ID relies on it); replace answers noTarget, unless
//!   `replace_creates_filtered` is on.
//! - A sub-attribute path on a multi-valued attribute without a filter (`emails.type`) acts on every element, or
//!   creates one element when there is none.
//! - `null` means "unassign" (RFC 7643 section 2.5).
//! - An operation that makes an element primary settles `primary` (RFC 7643 section 2.4), and every operation is
//!   checked against mutability (RFC 7644 section 3.5.2): see `value.rs`.
//! - Atomicity: before changing anything, an operation saves what it is about to change (see `undo.rs`).

use super::apply::OpCx;
use super::options::Leniency;
use super::remove::{remove, remove_listed};
use super::request::PatchOpKind;
use super::target::{AttrTarget, ElementFilter};
use super::undo::{Doc, Place};
use super::value::{
    canonicalise, check_mutability, check_sub_mutability, demote, has_guarded_subs, is_guarded, is_primary, merge_into,
    prepare_one, prepare_whole, primary_losers, settle_primary, strip_nulls,
};
use crate::error::{ScimError, ScimType};
use crate::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Test};
use crate::json::remove_ci;
use crate::schema::{AttrType, AttributeDef};
use crate::validate::check_element;
use serde_json::{Map, Value};

pub(super) use super::remove::remove_extension;

/// Applies the current operation to one attribute target. `value` is the operation's value, or the member of a
/// path-less value being applied.
pub(super) fn apply_to_attr<'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'_, 'v>,
    t: &AttrTarget<'v, '_>,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let kind = cx.op.op;
    match (kind, value) {
        (PatchOpKind::Remove, None) => remove(doc, cx, t),
        (PatchOpKind::Remove, Some(v)) => remove_listed(doc, cx, t, v),
        (_, Some(Value::Null)) if cx.key.is_some() => remove(doc, cx, t),
        (_, None | Some(Value::Null)) => Err(cx.err_value(format!("{kind} requires a value (RFC 7644 section 3.5.2)"))),
        (_, Some(v)) => set(doc, cx, t, kind, v),
    }
}

/// add or replace on an attribute target.
fn set<'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'_, 'v>,
    t: &AttrTarget<'v, '_>,
    kind: PatchOpKind,
    v: &Value,
) -> Result<(), ScimError> {
    let attr = t.attr;
    // Read the value before touching the resource: most errors are found here and need no undo.
    let given = match (t.sub, &t.filter) {
        (Some(sub), _) => prepare_whole(cx, sub, v, &sub.name)?,
        (None, Some(_)) => prepare_one(cx, attr, v, &attr.name)?,
        (None, None) => prepare_whole(cx, attr, v, &attr.name)?,
    };
    let Some(mut place) = doc.place(cx, &attr.name, t.ext, true)? else {
        return Ok(());
    };
    let snap = snapshot(attr, place.slot);
    match (&t.filter, t.sub) {
        // A singular simple value is replaced whole, by add and replace alike.
        (None, None) if !attr.multi_valued && attr.kind != AttrType::Complex => place.replace(given),
        (None, None) => {
            place.save();
            set_whole(cx, attr, place.slot, kind, given)?;
        }
        (None, Some(sub)) => set_sub_everywhere(cx, attr, sub, &mut place, given)?,
        (Some(f), sub) => set_filtered(cx, attr, f, sub, &mut place, kind, given)?,
    }
    verify(cx, attr, snap, place.slot)
}

/// add or replace of a whole attribute value; the caller has saved it.
fn set_whole(
    cx: &mut OpCx<'_, '_>,
    attr: &AttributeDef,
    slot: &mut Value,
    kind: PatchOpKind,
    given: Value,
) -> Result<(), ScimError> {
    if !attr.multi_valued {
        if attr.kind == AttrType::Complex {
            let obj = object_slot(cx, attr, slot)?;
            merge_into(obj, &given);
            if obj.is_empty() {
                *slot = Value::Null;
            }
        } else {
            *slot = given;
        }
        return Ok(());
    }
    let Value::Array(given) = given else {
        return Err(cx.err_value(format!("{} is multi-valued and takes an array", attr.name)));
    };
    if has_guarded_subs(attr) {
        for (i, g) in given.iter().enumerate() {
            new_element_mutability(cx, attr, i, g)?;
        }
    }
    match kind {
        PatchOpKind::Replace => {
            let mut given = given;
            let written: Vec<usize> = (0..given.len()).collect();
            settle_primary(cx, attr, &mut given, &written)?;
            *slot = if given.is_empty() { Value::Null } else { Value::Array(given) };
        }
        _ => {
            if given.is_empty() {
                return Ok(());
            }
            let items = array_slot(cx, attr, slot)?;
            let mut written = Vec::with_capacity(given.len());
            for g in given {
                match items.iter().position(|e| *e == g) {
                    Some(i) => written.push(i),
                    None => {
                        items.push(g);
                        written.push(items.len() - 1);
                    }
                }
            }
            settle_primary(cx, attr, items, &written)?;
        }
    }
    Ok(())
}

/// `name.givenName` on a singular complex attribute, or `emails.type` on every element of a multi-valued one.
/// Setting one sub-attribute of an existing value saves only that sub-attribute.
fn set_sub_everywhere<'v>(
    cx: &mut OpCx<'_, 'v>,
    attr: &AttributeDef,
    sub: &'v AttributeDef,
    place: &mut Place<'_, 'v>,
    given: Value,
) -> Result<(), ScimError> {
    if !attr.multi_valued {
        if place.slot.is_object() && !given.is_null() {
            let key = place.save_sub(None, &sub.name);
            if let Value::Object(m) = &mut *place.slot {
                put(m, &key, given);
            }
            return Ok(());
        }
        place.save();
        let obj = object_slot(cx, attr, place.slot)?;
        set_member(obj, &sub.name, given);
        if obj.is_empty() {
            *place.slot = Value::Null;
        }
        return Ok(());
    }
    place.save();
    let made_primary = sets_primary(sub, &given);
    let items = array_slot(cx, attr, place.slot)?;
    let mut written = Vec::new();
    if items.is_empty() {
        let mut m = Map::new();
        set_member(&mut m, &sub.name, given);
        let elem = Value::Object(m);
        new_element_mutability(cx, attr, 0, &elem)?;
        items.push(elem);
        written.push(0);
    } else {
        for (i, e) in items.iter_mut().enumerate() {
            edit_element(cx, attr, i, e, |m| set_member(m, &sub.name, given.clone()))?;
            written.push(i);
        }
    }
    if made_primary {
        settle_primary(cx, attr, items, &written)?;
    }
    if items.is_empty() {
        *place.slot = Value::Null;
    }
    Ok(())
}

/// Whether setting `sub` to `given` makes an element primary, so that [`settle_primary`] has a winner to enforce.
fn sets_primary(sub: &AttributeDef, given: &Value) -> bool {
    sub.name.eq_ignore_ascii_case("primary") && *given == Value::Bool(true)
}

/// A value path (`emails[type eq "work"]`, optionally followed by `.value`): edits the matching elements, or
/// creates one (see the module documentation). Setting a sub-attribute of matching elements saves only the
/// sub-attributes it sets (and the `primary` flags it clears); anything else saves the whole attribute.
fn set_filtered<'v>(
    cx: &mut OpCx<'_, 'v>,
    attr: &'v AttributeDef,
    f: &ElementFilter<'_>,
    sub: Option<&'v AttributeDef>,
    place: &mut Place<'_, 'v>,
    kind: PatchOpKind,
    given: Value,
) -> Result<(), ScimError> {
    let matched = matching(place.slot, f);
    if matched.is_empty() {
        if kind == PatchOpKind::Replace {
            if !cx.opts.replace_creates_filtered {
                return Err(cx.err(
                    ScimType::NoTarget,
                    format!(
                        "no element of {} matches the filter (replace does not create one; that is an IdP \
                         habit: replace_creates_filtered)",
                        attr.name
                    ),
                ));
            }
            cx.record(
                Leniency::ReplaceCreatesFiltered,
                format!("no element of {} matched the filter, so replace created one", attr.name),
            );
        }
        let elem = create_element(cx, attr, f, sub, given)?;
        place.save();
        let items = array_slot(cx, attr, place.slot)?;
        items.push(elem);
        let written = [items.len() - 1];
        return settle_primary(cx, attr, items, &written);
    }
    if let (Some(s), false) = (sub, given.is_null()) {
        for &i in &matched {
            let key = place.save_sub(Some(i), &s.name);
            if let Some(e) = place.slot.as_array_mut().and_then(|items| items.get_mut(i)) {
                edit_element(cx, attr, i, e, |m| put(m, &key, given.clone()))?;
            }
        }
        if !sets_primary(s, &given) {
            return Ok(());
        }
        let Some(items) = place.slot.as_array_mut() else { return Ok(()) };
        let losers = primary_losers(cx, attr, items, &matched)?;
        if let (false, Some(p)) = (losers.is_empty(), attr.sub("primary")) {
            for &j in &losers {
                place.save_sub(Some(j), &p.name);
            }
            if let Some(items) = place.slot.as_array_mut() {
                demote(items, &losers);
            }
        }
        return Ok(());
    }
    place.save();
    let items = array_slot(cx, attr, place.slot)?;
    for &i in &matched {
        let e = &mut items[i];
        match (sub, kind) {
            (Some(s), _) => edit_element(cx, attr, i, e, |m| set_member(m, &s.name, given.clone()))?,
            (None, PatchOpKind::Add) => edit_element(cx, attr, i, e, |m| merge_into(m, &given))?,
            (None, _) => {
                let mut whole = given.clone();
                strip_nulls(&mut whole);
                if has_guarded_subs(attr) {
                    let label = format!("{}[{i}]", attr.name);
                    check_sub_mutability(attr, &label, e, &whole).map_err(|m| cx.err(ScimType::Mutability, m))?;
                }
                *e = whole;
            }
        }
    }
    let made_primary = match sub {
        Some(s) => sets_primary(s, &given),
        None => is_primary(&given),
    };
    if made_primary {
        settle_primary(cx, attr, items, &matched)?;
    }
    items.retain(|e| !matches!(e, Value::Object(m) if m.is_empty()));
    if items.is_empty() {
        *place.slot = Value::Null;
    }
    Ok(())
}

/// RFC 7644 section 3.5.2.1: the element an add creates when a value filter matches nothing. It holds the
/// filter's `eq` terms (`type eq "work"` gives `"type": "work"`) and the value; only filters made of `eq` terms
/// joined by `and` describe such an element, and the element must then match the filter.
fn create_element(
    cx: &mut OpCx<'_, '_>,
    attr: &AttributeDef,
    f: &ElementFilter<'_>,
    sub: Option<&AttributeDef>,
    given: Value,
) -> Result<Value, ScimError> {
    let no_target = |cx: &OpCx<'_, '_>, why: &str| {
        cx.err(ScimType::NoTarget, format!("no element of {} matches the filter, {why}", attr.name))
    };
    let mut terms = Vec::new();
    if attr.kind != AttrType::Complex || !eq_terms(f.filter, &mut terms) {
        return Err(no_target(
            cx,
            "and the filter does not say what a new one would hold (only eq terms joined by and do)",
        ));
    }
    let mut m = Map::new();
    for (name, lit) in terms {
        let Some(s) = attr.sub(name) else {
            return Err(no_target(cx, "and the filter names an unknown sub-attribute"));
        };
        let v = match lit {
            CompValue::Bool(b) => Value::Bool(*b),
            CompValue::Number(n) => Value::Number(n.clone()),
            CompValue::String(s) => Value::String(s.clone()),
            CompValue::Null => Value::Null,
        };
        m.insert(s.name.clone(), v);
    }
    match sub {
        Some(s) => set_member(&mut m, &s.name, given),
        None => merge_into(&mut m, &given),
    }
    let mut elem = Value::Object(m);
    strip_nulls(&mut elem);
    canonicalise(attr, &mut elem);
    check_element(attr, &elem, &attr.name).map_err(|e| cx.wrap(e))?;
    if !f.matcher.matches(&elem) {
        return Err(no_target(cx, "and the element the add would create does not match the filter either"));
    }
    new_element_mutability(cx, attr, 0, &elem)?;
    Ok(elem)
}

/// The `name eq value` terms of a filter made only of such terms joined by `and`; `false` for any other filter.
fn eq_terms<'f>(f: &'f Filter, out: &mut Vec<(&'f str, &'f CompValue)>) -> bool {
    match f {
        Filter::Attr(AttrExp {
            path: AttrPath { urn: None, name, sub: None },
            test: Test::Compare(CompareOp::Eq, lit),
        }) if !matches!(lit, CompValue::Null) => {
            out.push((name, lit));
            true
        }
        Filter::And(a, b) => eq_terms(a, out) && eq_terms(b, out),
        _ => false,
    }
}

/// Indices of the elements of a multi-valued attribute's value that match the filter.
pub(super) fn matching(slot: &Value, f: &ElementFilter<'_>) -> Vec<usize> {
    match slot {
        Value::Array(items) => items.iter().enumerate().filter(|(_, e)| f.matcher.matches(e)).map(|(i, _)| i).collect(),
        _ => Vec::new(),
    }
}

/// Edits an existing element in place, checking its readOnly and immutable sub-attributes (RFC 7643 section 7:
/// an element already stored keeps their values; `members[...].value` cannot be edited).
pub(super) fn edit_element(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    i: usize,
    e: &mut Value,
    edit: impl FnOnce(&mut Map<String, Value>),
) -> Result<(), ScimError> {
    let before = has_guarded_subs(attr).then(|| e.clone());
    let Value::Object(m) = e else {
        return Err(cx.err_value(format!("the stored element {}[{i}] is not an object", attr.name)));
    };
    edit(m);
    if let Some(before) = before {
        let label = format!("{}[{i}]", attr.name);
        check_sub_mutability(attr, &label, &before, e).map_err(|m| cx.err(ScimType::Mutability, m))?;
    }
    Ok(())
}

/// A new element may set immutable sub-attributes (they have no value yet) but not readOnly ones.
fn new_element_mutability(cx: &OpCx<'_, '_>, attr: &AttributeDef, i: usize, e: &Value) -> Result<(), ScimError> {
    if !has_guarded_subs(attr) {
        return Ok(());
    }
    let label = format!("{}[{i}]", attr.name);
    check_sub_mutability(attr, &label, &Value::Object(Map::new()), e).map_err(|m| cx.err(ScimType::Mutability, m))
}

/// Sets a member by name (case-insensitively, in place when present); `null` removes it.
pub(super) fn set_member(m: &mut Map<String, Value>, name: &str, v: Value) {
    if v.is_null() {
        remove_ci(m, name);
        return;
    }
    match crate::json::get_ci_mut(m, name) {
        Some(slot) => *slot = v,
        None => {
            m.insert(name.to_owned(), v);
        }
    }
}

/// Stores a value under `key`, in place when the member exists (allocating a key only for a new member).
fn put(m: &mut Map<String, Value>, key: &str, v: Value) {
    match crate::members::get_mut(m, key) {
        Some(slot) => *slot = v,
        None => {
            m.insert(key.to_owned(), v);
        }
    }
}

/// The array of a multi-valued attribute, created empty when the attribute has no value.
pub(super) fn array_slot<'m>(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    slot: &'m mut Value,
) -> Result<&'m mut Vec<Value>, ScimError> {
    if slot.is_null() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(items) => Ok(items),
        _ => Err(cx.err_value(format!("the stored value of {} is not an array", attr.name))),
    }
}

/// The object of a singular complex attribute, created empty when the attribute has no value.
fn object_slot<'m>(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    slot: &'m mut Value,
) -> Result<&'m mut Map<String, Value>, ScimError> {
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(m) => Ok(m),
        _ => Err(cx.err_value(format!("the stored value of {} is not an object", attr.name))),
    }
}

/// The attribute's value before the operation, kept only when its mutability (or that of a sub-attribute of a
/// singular complex attribute) has to be checked afterwards.
pub(super) fn snapshot(attr: &AttributeDef, slot: &Value) -> Option<Option<Value>> {
    let needed = is_guarded(attr) || (attr.kind == AttrType::Complex && !attr.multi_valued && has_guarded_subs(attr));
    needed.then(|| (!slot.is_null()).then(|| slot.clone()))
}

/// RFC 7644 section 3.5.2 and RFC 7643 section 7: compares the attribute before and after the operation.
/// Sub-attributes of a singular complex value are compared while the value stays assigned; unassigning the
/// whole value is governed by the attribute's own mutability.
pub(super) fn verify(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    snap: Option<Option<Value>>,
    slot: &Value,
) -> Result<(), ScimError> {
    let Some(old) = snap else { return Ok(()) };
    let now = (!slot.is_null()).then_some(slot);
    check_mutability(attr, &attr.name, old.as_ref(), now).map_err(|m| cx.err(ScimType::Mutability, m))?;
    if attr.kind == AttrType::Complex
        && !attr.multi_valued
        && let Some(now) = now
    {
        let empty = Value::Object(Map::new());
        check_sub_mutability(attr, &attr.name, old.as_ref().unwrap_or(&empty), now)
            .map_err(|m| cx.err(ScimType::Mutability, m))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    fn terms(text: &str) -> Option<Vec<(String, CompValue)>> {
        let f = parse(text).expect("parses");
        let mut out = Vec::new();
        eq_terms(&f, &mut out).then(|| out.into_iter().map(|(n, v)| (n.to_owned(), v.clone())).collect())
    }

    #[test]
    fn only_eq_terms_joined_by_and_describe_an_element() {
        assert_eq!(terms(r#"type eq "work""#), Some(vec![("type".into(), CompValue::String("work".into()))]));
        assert_eq!(
            terms(r#"type eq "work" and primary eq true"#),
            Some(vec![("type".into(), CompValue::String("work".into())), ("primary".into(), CompValue::Bool(true))])
        );
        for text in
            [r#"type ne "work""#, r#"type eq "a" or type eq "b""#, "type pr", r#"not (type eq "a")"#, "type eq null"]
        {
            assert_eq!(terms(text), None, "{text}");
        }
    }

    #[test]
    fn set_member_updates_in_place_and_null_removes() {
        let mut m = serde_json::json!({"Value": "a", "type": "work"}).as_object().cloned().expect("object");
        set_member(&mut m, "value", Value::String("b".into()));
        set_member(&mut m, "type", Value::Null);
        set_member(&mut m, "display", Value::String("d".into()));
        assert_eq!(serde_json::to_string(&m).expect("json"), r#"{"Value":"b","display":"d"}"#);
    }
}
