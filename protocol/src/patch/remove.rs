//! RFC 7644 section 3.5.2.2: remove.
//!
//! - A singular attribute is unassigned. A multi-valued attribute without a filter loses all its values.
//! - With a value filter, the matching elements are removed; a filter that matches nothing is noTarget (RFC 7644
//!   section 3.12, table 9, defines noTarget as a path or filter that yields nothing to operate on). With a
//!   sub-attribute after the bracket (`emails[type eq "work"].display`), that sub-attribute is removed from the
//!   matching elements.
//! - A sub-attribute path without a filter removes the sub-attribute (from every element, for a multi-valued
//!   attribute). An element or complex value left empty is removed with it; an empty multi-valued attribute is
//!   unassigned.
//! - Removing an attribute that has no value changes nothing and is not an error: noTarget is defined for
//!   filters, and the end state is the one asked for.
//! - An extension URN as the path removes the whole extension object, and the URN leaves `schemas`.
//! - `remove` takes no `value`. With `remove_value_list` (Entra ID's and JumpCloud's member removal,
//!   `{"op":"Remove","path":"members","value":[{"value":"id"}]}`), the elements whose `value` equals a listed one
//!   are removed, and the leniency is recorded.

use super::apply::OpCx;
use super::ops::{edit_element, matching, snapshot, verify};
use super::options::Leniency;
use super::target::AttrTarget;
use super::undo::Doc;
use super::value::check_mutability;
use crate::error::{ScimError, ScimType};
use crate::json::{get_ci, remove_ci};
use crate::schema::Schema;
use crate::validate::same_value;
use serde_json::Value;

/// remove on an attribute target, without a value.
pub(super) fn remove<'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'_, 'v>,
    t: &AttrTarget<'v, '_>,
) -> Result<(), ScimError> {
    let attr = t.attr;
    let Some(mut place) = doc.place(cx, &attr.name, t.ext, false)? else {
        // The attribute has no value, so there is nothing to remove and no element can match a filter.
        return match &t.filter {
            Some(_) => {
                Err(cx.err(ScimType::NoTarget, format!("{} has no value, so no element matches the filter", attr.name)))
            }
            None => Ok(()),
        };
    };
    let snap = snapshot(attr, place.slot);
    let matched = match &t.filter {
        Some(f) => {
            let m = matching(place.slot, f);
            if m.is_empty() {
                return Err(cx.err(ScimType::NoTarget, format!("no element of {} matches the filter", attr.name)));
            }
            Some(m)
        }
        None => None,
    };
    place.save();
    let slot = &mut *place.slot;
    match (matched, t.sub) {
        (None, None) => *slot = Value::Null,
        (None, Some(sub)) if !attr.multi_valued => {
            if let Value::Object(obj) = slot {
                remove_ci(obj, &sub.name);
                if obj.is_empty() {
                    *slot = Value::Null;
                }
            }
        }
        (matched, sub) => {
            if let Value::Array(items) = slot {
                let matched = matched.unwrap_or_else(|| (0..items.len()).collect());
                match sub {
                    None => {
                        let mut i = 0;
                        items.retain(|_| {
                            i += 1;
                            matched.binary_search(&(i - 1)).is_err()
                        });
                    }
                    Some(s) => {
                        for &i in &matched {
                            if let Some(e) = items.get_mut(i).filter(|e| e.is_object()) {
                                // Checks readOnly and immutable sub-attributes: a stored element keeps them.
                                edit_element(cx, attr, i, e, |m| {
                                    remove_ci(m, &s.name);
                                })?;
                            }
                        }
                        items.retain(|e| !matches!(e, Value::Object(m) if m.is_empty()));
                    }
                }
                if items.is_empty() {
                    *slot = Value::Null;
                }
            }
        }
    }
    verify(cx, attr, snap, place.slot)
}

/// remove with a value list: Entra ID's and JumpCloud's way of removing group members.
pub(super) fn remove_listed<'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'_, 'v>,
    t: &AttrTarget<'v, '_>,
    v: &Value,
) -> Result<(), ScimError> {
    let attr = t.attr;
    if !cx.opts.remove_value_list {
        return Err(cx.err(
            ScimType::InvalidSyntax,
            "remove takes no value; name the values to remove with a filter in the path, such as \
             members[value eq \"...\"] (a value list is an Entra ID habit: remove_value_list)",
        ));
    }
    let value_sub = match attr.sub("value") {
        Some(s) if attr.is_multi_complex() && t.filter.is_none() && t.sub.is_none() => s,
        _ => {
            return Err(cx.err(
                ScimType::InvalidSyntax,
                "remove takes no value; a value list is read only on a multi-valued attribute with a value \
                 sub-attribute, named without a filter (members)",
            ));
        }
    };
    let Value::Array(listed) = v else {
        return Err(cx.err_value(format!(
            "a value list on remove is an array of {{\"value\": ...}} objects, got {}",
            crate::validate::describe(v)
        )));
    };
    let mut wanted = Vec::with_capacity(listed.len());
    for (j, item) in listed.iter().enumerate() {
        match item.as_object().and_then(|m| get_ci(m, "value")) {
            Some(w) if !w.is_null() => wanted.push(w),
            _ => {
                return Err(cx.err_value(format!(
                    "value[{j}] must be an object with a value member naming the element to remove"
                )));
            }
        }
    }
    cx.record(
        Leniency::RemoveValueList,
        format!(
            "remove with a list of {} value(s) read as removing the {} elements with those values",
            wanted.len(),
            attr.name
        ),
    );
    let Some(mut place) = doc.place(cx, &attr.name, t.ext, false)? else {
        return Ok(());
    };
    let snap = snapshot(attr, place.slot);
    place.save();
    if let Value::Array(items) = &mut *place.slot {
        items.retain(|e| {
            let ev = e.as_object().and_then(|m| get_ci(m, "value"));
            !ev.is_some_and(|ev| wanted.iter().any(|w| same_value(value_sub, ev, w)))
        });
        if items.is_empty() {
            *place.slot = Value::Null;
        }
    }
    verify(cx, attr, snap, place.slot)
}

/// remove with an extension URN as the path: the whole extension object goes. Each attribute in it must allow
/// that (a readOnly, immutable or required one with a value does not).
pub(super) fn remove_extension<'v>(
    doc: &mut Doc<'_, 'v>,
    cx: &mut OpCx<'_, 'v>,
    schema: &'v Schema,
) -> Result<(), ScimError> {
    let Some(obj) = doc.drop_extension(&schema.id) else {
        return Ok(());
    };
    for (k, v) in obj {
        if let Some(a) = schema.attribute(k) {
            check_mutability(a, &a.name, Some(v), None).map_err(|m| cx.err(ScimType::Mutability, m))?;
        }
    }
    doc.null_extension(&schema.id);
    Ok(())
}
