//! Values a PATCH operation carries: read against the attribute they are for, with the opt-in IdP leniencies,
//! type-checked, and put into the shape the resource stores (sub-attribute names in the schema's spelling).
//!
//! Also the two rules that look at a value after an operation: `primary` uniqueness (RFC 7643 section 2.4) and
//! mutability (RFC 7643 section 2.2 and section 7, RFC 7644 section 3.5.2).

use super::apply::OpCx;
use super::options::Leniency;
use crate::error::ScimError;
use crate::json::{get_ci, get_ci_mut, is_present};
use crate::schema::{AttrType, AttributeDef, Mutability};
use crate::validate::{check_element, check_value, describe};
use serde_json::{Map, Value};
use std::fmt;

/// Reads the value of a whole attribute: an array of elements for a multi-valued one, one value otherwise.
/// `null` is not handled here (the caller treats it as "unassign"). `path` names the value in errors.
pub(super) fn prepare_whole(
    cx: &mut OpCx<'_, '_>,
    attr: &AttributeDef,
    v: &Value,
    path: &str,
) -> Result<Value, ScimError> {
    if !attr.multi_valued {
        return prepare_one(cx, attr, v, path);
    }
    let mut out = v.clone();
    if cx.opts.scalar_for_complex && attr.kind == AttrType::Complex && out.is_string() && attr.sub("value").is_some() {
        // A bare string for a multi-valued complex attribute (`roles` given a JSON-encoded assignment instead of
        // `[{"value": ...}]`): read as one element with that value, and recorded, as for a singular one.
        cx.record(Leniency::ScalarForComplex, format!("{path}: the string {out} read as [{{\"value\": {out}}}]"));
        let mut m = Map::new();
        m.insert(sub_name(attr, "value"), out.take());
        out = Value::Array(vec![Value::Object(m)]);
    }
    if let Value::Array(items) = &mut out {
        for item in items.iter_mut() {
            coerce_one(cx, attr, item, &path);
        }
    }
    check_value(attr, &out, path).map_err(|e| cx.wrap(e))?;
    if let Value::Array(items) = &mut out {
        for (i, item) in items.iter().enumerate() {
            if item.is_null() {
                return Err(cx.err_value(format!("{path}[{i}]: an element of a multi-valued attribute cannot be null")));
            }
        }
        for item in items.iter_mut() {
            canonicalise(attr, item);
            strip_nulls(item);
        }
    }
    Ok(out)
}

/// Reads one value of a singular attribute, or one element of a multi-valued one (a PATCH may target a single
/// element through a value filter). Sub-attributes set to `null` are kept: in a merge they mean "unassign".
pub(super) fn prepare_one(
    cx: &mut OpCx<'_, '_>,
    attr: &AttributeDef,
    v: &Value,
    path: &str,
) -> Result<Value, ScimError> {
    let mut out = v.clone();
    coerce_one(cx, attr, &mut out, &path);
    check_element(attr, &out, path).map_err(|e| cx.wrap(e))?;
    canonicalise(attr, &mut out);
    Ok(out)
}

/// Applies the leniencies that turn an IdP's value into the RFC's shape, recording each use.
///
/// - `string_booleans`: `"True"` / `"false"` (any case) where a boolean is expected becomes the boolean.
/// - `scalar_for_complex`: a bare string where a complex value with a `value` sub-attribute is expected becomes
///   `{"value": ...}`; a one-element array holding an object where a singular complex value is expected becomes
///   that object (Entra ID's legacy manager shape).
fn coerce_one(cx: &mut OpCx<'_, '_>, attr: &AttributeDef, v: &mut Value, path: &dyn fmt::Display) {
    match attr.kind {
        AttrType::Boolean if cx.opts.string_booleans => {
            let (b, s) = match v.as_str() {
                Some(s) if s.eq_ignore_ascii_case("true") => (true, s),
                Some(s) if s.eq_ignore_ascii_case("false") => (false, s),
                _ => return,
            };
            // `s` is letters only, so quoting it by hand gives what `{s:?}` would, without escaping each char.
            cx.record(Leniency::StringBoolean, format!("{path}: the string \"{s}\" read as the boolean {b}"));
            *v = Value::Bool(b);
        }
        AttrType::Complex => {
            if cx.opts.scalar_for_complex {
                if v.is_string() && attr.sub("value").is_some() {
                    cx.record(Leniency::ScalarForComplex, format!("{path}: the string {v} read as {{\"value\": {v}}}"));
                    let mut m = Map::new();
                    m.insert(sub_name(attr, "value"), v.take());
                    *v = Value::Object(m);
                } else if !attr.multi_valued
                    && let Value::Array(items) = v
                    && items.len() == 1
                    && items[0].is_object()
                {
                    cx.record(
                        Leniency::ScalarForComplex,
                        format!("{path}: a one-element array read as its element, {} being single-valued", attr.name),
                    );
                    let one = items.swap_remove(0);
                    *v = one;
                }
            }
            if let Value::Object(members) = v {
                for (key, sv) in members.iter_mut() {
                    let Some(sub) = attr.sub(key) else { continue };
                    if sub.kind == AttrType::Boolean || sub.kind == AttrType::Complex {
                        let sub_path = SubPath(path, &sub.name);
                        match sv {
                            Value::Array(items) if sub.multi_valued => {
                                for item in items {
                                    coerce_one(cx, sub, item, &sub_path);
                                }
                            }
                            _ => coerce_one(cx, sub, sv, &sub_path),
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// `parent.sub`, rendered only when a leniency detail names it.
struct SubPath<'a>(&'a dyn fmt::Display, &'a str);

impl fmt::Display for SubPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

fn sub_name(attr: &AttributeDef, name: &str) -> String {
    attr.sub(name).map_or_else(|| name.to_owned(), |s| s.name.clone())
}

/// Renames the members of a complex value to the schema's spelling (`Value` becomes `value`), keeping their
/// order, so that stored elements compare equal however the client spelled the names.
pub(super) fn canonicalise(attr: &AttributeDef, v: &mut Value) {
    let Value::Object(members) = v else { return };
    if attr.kind != AttrType::Complex || members.keys().all(|k| attr.sub(k).is_none_or(|s| s.name == *k)) {
        return;
    }
    let old = std::mem::take(members);
    for (k, sv) in old {
        let name = match attr.sub(&k) {
            Some(s) if s.name != k => s.name.clone(),
            _ => k,
        };
        members.insert(name, sv);
    }
}

/// Drops `null` members of an object: in a new element they mean "no value" (RFC 7643 section 2.5).
pub(super) fn strip_nulls(v: &mut Value) {
    if let Value::Object(members) = v
        && members.values().any(Value::is_null)
    {
        members.retain(|_, sv| !sv.is_null());
    }
}

/// Merges the members of `given` into `target` (RFC 7644 sections 3.5.2.1 and 3.5.2.3 on complex attributes):
/// each given sub-attribute replaces or adds, a `null` one is unassigned, the others are untouched. Existing
/// members are updated in place under their stored spelling.
pub(super) fn merge_into(target: &mut Map<String, Value>, given: &Value) {
    let Value::Object(given) = given else { return };
    for (k, v) in given {
        match (get_ci_mut(target, k), v) {
            (Some(_), Value::Null) => {
                crate::json::remove_ci(target, k);
            }
            (Some(slot), v) => *slot = v.clone(),
            (None, Value::Null) => {}
            (None, v) => {
                target.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Whether an element of a multi-valued attribute is marked primary.
pub(super) fn is_primary(e: &Value) -> bool {
    e.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true))
}

/// RFC 7643 section 2.4: at most one element of a multi-valued attribute may be primary. When the operation
/// just made one element primary (`written` lists the elements it wrote with `primary` true, or the elements it
/// wrote whole), that element wins and every other primary element loses its `primary` (it becomes false): this
/// returns the losers. An operation that makes two elements primary is refused with invalidValue. Elements the
/// operation did not make primary are not judged: a resource stored with two primaries keeps them until an
/// operation picks one.
pub(super) fn primary_losers(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    items: &[Value],
    written: &[usize],
) -> Result<Vec<usize>, ScimError> {
    if attr.sub("primary").is_none() {
        return Ok(Vec::new());
    }
    let mut winner = None;
    for &i in written {
        if items.get(i).is_some_and(is_primary) && winner != Some(i) {
            if winner.is_some() {
                return Err(cx.err_value(format!(
                    "more than one element of {} would be primary; RFC 7643 section 2.4 allows one",
                    attr.name
                )));
            }
            winner = Some(i);
        }
    }
    let Some(w) = winner else { return Ok(Vec::new()) };
    Ok(items.iter().enumerate().filter(|&(i, e)| i != w && is_primary(e)).map(|(i, _)| i).collect())
}

/// Sets `primary` to false on the given elements.
pub(super) fn demote(items: &mut [Value], losers: &[usize]) {
    for &i in losers {
        if let Some(Value::Object(m)) = items.get_mut(i)
            && let Some(p) = get_ci_mut(m, "primary")
        {
            *p = Value::Bool(false);
        }
    }
}

/// [`primary_losers`] and [`demote`] together, for an attribute saved whole.
pub(super) fn settle_primary(
    cx: &OpCx<'_, '_>,
    attr: &AttributeDef,
    items: &mut [Value],
    written: &[usize],
) -> Result<(), ScimError> {
    let losers = primary_losers(cx, attr, items, written)?;
    demote(items, &losers);
    Ok(())
}

/// Whether a change to `attr` must be checked: it is readOnly, immutable, or required (RFC 7644 section 3.5.2
/// refuses to unassign a required attribute, with mutability).
pub(super) fn is_guarded(attr: &AttributeDef) -> bool {
    attr.required || matches!(attr.mutability, Mutability::ReadOnly | Mutability::Immutable)
}

/// Whether any sub-attribute of a complex attribute is guarded (see [`is_guarded`]).
pub(super) fn has_guarded_subs(attr: &AttributeDef) -> bool {
    attr.sub_attributes.iter().any(is_guarded)
}

/// RFC 7644 section 3.5.2 with RFC 7643 section 7: whether a change from `old` to `new` respects `attr`'s
/// mutability. A readOnly value may not change at all, though setting it to the value it already has changes
/// nothing and is allowed (Okta's path-less replace repeats the `id`). An immutable value may be set while it has
/// none, and never changed or removed after. A required attribute may change but not become unassigned (section
/// 3.5.2 answers that with mutability too). `Err` carries the detail for the mutability error.
pub(super) fn check_mutability(
    attr: &AttributeDef,
    name: &str,
    old: Option<&Value>,
    new: Option<&Value>,
) -> Result<(), String> {
    let old = old.filter(|v| is_present(v));
    let new = new.filter(|v| is_present(v));
    if old == new {
        return Ok(());
    }
    if attr.required && new.is_none() {
        return Err(format!(
            "{name} is required; the operation would leave it without a value (it has {})",
            shown(old)
        ));
    }
    match attr.mutability {
        Mutability::ReadOnly => {
            Err(format!("{name} is readOnly; the operation would change it from {} to {}", shown(old), shown(new)))
        }
        Mutability::Immutable if old.is_some() => Err(format!(
            "{name} is immutable and already has a value ({}); the operation would change it to {}",
            shown(old),
            shown(new)
        )),
        _ => Ok(()),
    }
}

/// The guarded sub-attributes of one complex value, before and after an edit (the value itself stays assigned).
pub(super) fn check_sub_mutability(attr: &AttributeDef, label: &str, old: &Value, new: &Value) -> Result<(), String> {
    let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else { return Ok(()) };
    for sub in attr.sub_attributes.iter().filter(|s| is_guarded(s)) {
        check_mutability(sub, &format!("{label}.{}", sub.name), get_ci(o, &sub.name), get_ci(n, &sub.name))?;
    }
    Ok(())
}

fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "no value".to_owned(), describe_full)
}

fn describe_full(v: &Value) -> String {
    match v {
        Value::Object(_) | Value::Array(_) => {
            let text = v.to_string();
            if text.len() <= 120 { text } else { describe(v) }
        }
        _ => describe(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaRegistry;
    use serde_json::json;

    fn emails() -> &'static AttributeDef {
        SchemaRegistry::core().user().resolve(None, "emails").expect("emails").attr
    }

    #[test]
    fn canonicalise_renames_to_the_schema_spelling_in_order() {
        let mut v = json!({"Value": "a@b.c", "TYPE": "work", "primary": true});
        canonicalise(emails(), &mut v);
        assert_eq!(serde_json::to_string(&v).expect("json"), r#"{"value":"a@b.c","type":"work","primary":true}"#);
    }

    #[test]
    fn merge_sets_adds_and_unassigns() {
        let mut m = json!({"givenName": "Barbara", "FamilyName": "Jensen"}).as_object().cloned().expect("object");
        merge_into(&mut m, &json!({"familyName": "Smith", "middleName": "J", "givenName": null, "formatted": null}));
        assert_eq!(Value::Object(m), json!({"FamilyName": "Smith", "middleName": "J"}));
    }

    #[test]
    fn mutability_rules() {
        let mut a = AttributeDef::new("x", AttrType::String);
        let (one, two) = (json!("1"), json!("2"));
        assert!(check_mutability(&a, "x", Some(&one), Some(&two)).is_ok());
        a.mutability = Mutability::ReadOnly;
        assert!(check_mutability(&a, "x", Some(&one), Some(&one)).is_ok());
        assert!(check_mutability(&a, "x", None, Some(&json!(""))).is_ok(), "an empty string is no value");
        assert!(check_mutability(&a, "x", Some(&one), Some(&two)).is_err());
        assert!(check_mutability(&a, "x", Some(&one), None).is_err());
        assert!(check_mutability(&a, "x", None, Some(&one)).is_err());
        a.mutability = Mutability::Immutable;
        assert!(check_mutability(&a, "x", None, Some(&one)).is_ok());
        assert!(check_mutability(&a, "x", Some(&one), Some(&one)).is_ok());
        assert!(check_mutability(&a, "x", Some(&one), Some(&two)).is_err());
        assert!(check_mutability(&a, "x", Some(&one), None).is_err());
    }

    #[test]
    fn a_string_boolean_is_recorded_with_the_string_quoted() {
        use crate::patch::request::{PatchOpKind, PatchOperation};
        let view = SchemaRegistry::core().user();
        let active = view.resolve(None, "active").expect("active").attr;
        let op = PatchOperation { op: PatchOpKind::Replace, path: None, raw_path: None, value: None };
        let opts = crate::patch::PatchOptions::lenient();
        let mut used = Vec::new();
        let mut cx = OpCx { index: 2, op: &op, view: &view, opts: &opts, leniencies: &mut used, key: None };
        assert_eq!(prepare_one(&mut cx, active, &json!("FaLsE"), "active").expect("read"), json!(false));
        assert_eq!(used[0].detail, format!("active: the string {:?} read as the boolean false", "FaLsE"));
        assert_eq!(used[0].operation, 2);
    }

    #[test]
    fn primary_detection_ignores_case_and_wants_a_boolean() {
        assert!(is_primary(&json!({"Primary": true})));
        assert!(!is_primary(&json!({"primary": "true"})));
        assert!(!is_primary(&json!({"primary": false})));
        assert!(!is_primary(&json!("x")));
    }
}
