//! RFC 7644 section 3.5.1 and RFC 7643 section 7: a PUT must not change an immutable value, and the equality
//! that decides whether it did.

use super::{Loc, parse_date_time};
use crate::error::ScimError;
use crate::json::{get_ci, is_present};
use crate::schema::{AttrType, AttributeDef, Mutability, ResourceView, Schema};
use serde_json::{Map, Value};

/// RFC 7644 section 3.5.1 with RFC 7643 section 7 (`immutable`): a PUT may not change an immutable attribute
/// that already has a value; the new body must carry the same value (omitting it counts as a change). Checked for
/// immutable attributes of the core schema and of each extension, and for immutable sub-attributes of singular
/// complex attributes. Values compare by the attribute's rules: strings ignore case unless caseExact, dateTimes
/// compare as instants, multi-valued attributes as sets. Elements of multi-valued complex attributes
/// (`members`) have no identity across a PUT, so their immutable sub-attributes mean "an element is replaced
/// whole, never edited" and there is nothing to compare; they are not checked here.
///
/// The error is 400 mutability naming the attribute and both values.
pub fn immutable_violations(old: &Value, new: &Value, view: &ResourceView<'_>) -> Result<(), ScimError> {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        return Ok(());
    };
    immutable_in_schema(view.core, Some(old), Some(new), &Loc::Top)?;
    for (ext, _) in &view.extensions {
        immutable_in_schema(ext, ext_object(old, &ext.id), ext_object(new, &ext.id), &Loc::Ext(&ext.id))?;
    }
    Ok(())
}

fn ext_object<'m>(body: &'m Map<String, Value>, urn: &str) -> Option<&'m Map<String, Value>> {
    get_ci(body, urn).and_then(Value::as_object)
}

fn immutable_in_schema(
    schema: &Schema,
    old: Option<&Map<String, Value>>,
    new: Option<&Map<String, Value>>,
    loc: &Loc<'_>,
) -> Result<(), ScimError> {
    let Some(old) = old else { return Ok(()) };
    for attr in &schema.attributes {
        let before = get_ci(old, &attr.name).unwrap_or(&Value::Null);
        let after = new.and_then(|n| get_ci(n, &attr.name)).unwrap_or(&Value::Null);
        let here = Loc::Member(loc, &attr.name);
        if attr.mutability == Mutability::Immutable {
            immutable_pair(attr, before, after, &here)?;
        } else if attr.kind == AttrType::Complex
            && !attr.multi_valued
            && let Value::Object(b) = before
        {
            let a = after.as_object();
            for sub in attr.sub_attributes.iter().filter(|s| s.mutability == Mutability::Immutable) {
                let sb = get_ci(b, &sub.name).unwrap_or(&Value::Null);
                let sa = a.and_then(|a| get_ci(a, &sub.name)).unwrap_or(&Value::Null);
                immutable_pair(sub, sb, sa, &Loc::Member(&here, &sub.name))?;
            }
        }
    }
    Ok(())
}

fn immutable_pair(attr: &AttributeDef, before: &Value, after: &Value, loc: &Loc<'_>) -> Result<(), ScimError> {
    if !is_present(before) || same_value(attr, before, after) {
        return Ok(());
    }
    let change = if is_present(after) { format!("changes it to {after}") } else { "omits it".to_owned() };
    Err(ScimError::mutability(format!(
        "attribute {loc} is immutable and already has the value {before}; the replace body {change}"
    )))
}

/// Equality under an attribute's comparison rules (RFC 7643 section 2.3 and `caseExact`). Absent and `null`
/// are the same.
pub fn same_value(attr: &AttributeDef, a: &Value, b: &Value) -> bool {
    if attr.multi_valued {
        let as_items = |v: &Value| match v {
            Value::Array(items) => items.iter().filter(|i| is_present(i)).cloned().collect::<Vec<_>>(),
            Value::Null => Vec::new(),
            other => vec![other.clone()],
        };
        let (xs, ys) = (as_items(a), as_items(b));
        return xs.iter().all(|x| ys.iter().any(|y| same_single(attr, x, y)))
            && ys.iter().all(|y| xs.iter().any(|x| same_single(attr, x, y)));
    }
    same_single(attr, a, b)
}

fn same_single(attr: &AttributeDef, a: &Value, b: &Value) -> bool {
    match (attr.kind, a, b) {
        (_, Value::Null, Value::Null) => true,
        (AttrType::DateTime, Value::String(x), Value::String(y)) => match (parse_date_time(x), parse_date_time(y)) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        },
        (_, Value::String(x), Value::String(y)) => {
            if attr.is_case_exact() {
                x == y
            } else {
                x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
            }
        }
        (AttrType::Decimal, Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (AttrType::Complex, Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys());
            keys.into_iter().all(|k| {
                let xv = get_ci(x, k).unwrap_or(&Value::Null);
                let yv = get_ci(y, k).unwrap_or(&Value::Null);
                match attr.sub(k) {
                    Some(sub) => same_value(sub, xv, yv),
                    None => xv == yv,
                }
            })
        }
        _ => a == b,
    }
}
