//! RFC 7644 section 3.4.2.3: sorting query results by `sortBy` and `sortOrder`.
//!
//! [`SortSpec::parse`] resolves `sortBy` against the resource type's schema once (its type and `caseExact`),
//! [`SortSpec::sort`] orders resources stably by a key computed once per resource, and [`SortSpec::compare`] is
//! the same order on two resources, for checking whether a server's page came back sorted.
//!
//! The rules, with the decisions taken where the RFC leaves room:
//!
//! - Values compare by the attribute's type: strings (and references, binaries) by Unicode code point, after
//!   lowercasing both sides unless the attribute is `caseExact` (references and binaries always are, RFC 7643
//!   sections 2.3.6 and 2.3.7); dateTimes by instant (a dateTime without an offset is read as UTC, as the filter
//!   evaluator does); integers and decimals by numeric value; booleans `false` before `true`.
//! - A multi-valued attribute sorts by its primary value, or else its first value (section 3.4.2.3): for
//!   `emails.value`, the `value` of the element with `primary: true`, else of the first element that has one.
//! - A complex attribute named without a sub-attribute sorts by its `value` sub-attribute when it has one
//!   (`emails`, `manager`), which is how the filter evaluator reads such names; `sortBy=name` (no `value`) is a
//!   400 `invalidValue`, since section 3.4.2.3 asks for a path to a sub-attribute.
//! - A resource with no value sorts last when ascending and first when descending (section 3.4.2.3): absence is
//!   the greatest key, and descending is the exact reverse of ascending. Values of the wrong JSON type (a string
//!   in an integer attribute) sort after every well-typed value and before absence, by their JSON text, so the
//!   order stays total.
//! - Equal keys keep their input order (the sort is stable, in both directions).
//! - `sortBy` naming an attribute the schema does not know is a 400 `invalidValue`: the RFC is silent, but an
//!   order by an attribute the server cannot interpret would be arbitrary, and the client should learn so.
//! - `sortOrder` is `ascending` or `descending` in any case; anything else is a 400 `invalidValue`; absent (or
//!   empty) means ascending.

use crate::error::ScimError;
use crate::filter::{AttrPath, fold, parse_datetime};
use crate::json::{get_ci, is_present};
use crate::schema::{AttrType, AttributeDef, ResourceView};
use jiff::Timestamp;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

/// A resolved `sortBy` attribute and the direction.
#[derive(Debug, Clone, PartialEq)]
pub struct SortSpec {
    /// The attribute sorted by, with the schema's spelling; `urn` is set for extension attributes, whose values
    /// live under the extension's URN key.
    pub by: AttrPath,
    /// The type of the compared value (the sub-attribute's, when there is one).
    pub kind: AttrType,
    /// Whether strings compare case-sensitively.
    pub case_exact: bool,
    /// Whether `by.name` is multi-valued (the primary-or-first rule applies).
    pub multi_valued: bool,
    /// `sortOrder=descending`.
    pub descending: bool,
}

/// One resource's sort key. The derived order is the ascending order: typed values, then values of the wrong
/// type, then absence.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    Typed(Typed<'a>),
    Odd(Cow<'a, str>),
    Missing,
}

/// A well-typed key. One sort only ever compares keys of one variant (the attribute's type decides).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Typed<'a> {
    Bool(bool),
    Num(NumKey),
    Time(Timestamp),
    Str(Cow<'a, str>),
}

/// A number ordered by value: f64 first (total order), then the exact integer to separate integers that f64
/// cannot tell apart. Integral decimals carry their integer value, so `3.0` equals `3`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NumKey(f64, i128);

impl Eq for NumKey {}

impl PartialOrd for NumKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NumKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(self.1.cmp(&other.1))
    }
}

impl SortSpec {
    /// RFC 7644 section 3.4.2.3: resolves `sort_by` (standard attribute notation, names case-insensitive, with or
    /// without a schema URN) against `view`, and reads `sort_order`. See the module documentation for the rules
    /// and the errors.
    pub fn parse(sort_by: &str, sort_order: Option<&str>, view: &ResourceView<'_>) -> Result<SortSpec, ScimError> {
        let descending = match sort_order.map(str::trim).filter(|s| !s.is_empty()) {
            None => false,
            Some(o) if o.eq_ignore_ascii_case("ascending") => false,
            Some(o) if o.eq_ignore_ascii_case("descending") => true,
            Some(o) => {
                return Err(ScimError::invalid_value(format!(
                    "sortOrder: {o:?} is neither \"ascending\" nor \"descending\" (RFC 7644 section 3.4.2.3)"
                )));
            }
        };
        let text = sort_by.trim();
        if !crate::projection::is_attribute_notation(text) {
            return Err(ScimError::invalid_value(format!(
                "sortBy: {text:?} is not an attribute name in standard attribute notation (RFC 7644 section 3.10)"
            )));
        }
        let Some((resolved, sub)) = view.resolve_dotted(text) else {
            return Err(ScimError::invalid_value(format!(
                "sortBy: {text:?} is not an attribute of {} resources",
                view.resource_type.name
            )));
        };
        let attr = resolved.attr;
        let (leaf, sub_name): (&AttributeDef, Option<String>) = match sub {
            Some(s) => (s, Some(s.name.clone())),
            None if attr.kind == AttrType::Complex => {
                let value = attr.sub("value").ok_or_else(|| {
                    ScimError::invalid_value(format!(
                        "sortBy: {text:?} is a complex attribute; name one of its sub-attributes, e.g. \"{}.{}\" \
                         (RFC 7644 section 3.4.2.3)",
                        attr.name,
                        attr.sub_attributes.first().map_or("value", |s| s.name.as_str())
                    ))
                })?;
                (value, Some(value.name.clone()))
            }
            None => (attr, None),
        };
        Ok(SortSpec {
            by: AttrPath { urn: resolved.extension.map(str::to_owned), name: attr.name.clone(), sub: sub_name },
            kind: leaf.kind,
            case_exact: leaf.is_case_exact(),
            multi_valued: attr.multi_valued,
            descending,
        })
    }

    /// Sorts `resources` in place, stably, computing each resource's key once.
    pub fn sort(&self, resources: &mut [Value]) {
        // Sorting (key, index) pairs keeps each comparison's data together; the sort is stable, so equal keys
        // stay in input order in both directions.
        let order: Vec<usize> = {
            let mut keyed: Vec<(Key<'_>, usize)> = resources.iter().map(|r| self.key(r)).zip(0..).collect();
            if self.descending {
                keyed.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
            }
            keyed.into_iter().map(|(_, i)| i).collect()
        };
        let mut taken: Vec<Value> = resources.iter_mut().map(Value::take).collect();
        for (slot, &from) in resources.iter_mut().zip(&order) {
            *slot = taken[from].take();
        }
    }

    /// The order [`SortSpec::sort`] puts `a` and `b` in (`Less` when `a` comes first).
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        let ord = self.key(a).cmp(&self.key(b));
        if self.descending { ord.reverse() } else { ord }
    }

    /// Whether `resources` are in this order (equal keys in any order).
    pub fn is_sorted(&self, resources: &[Value]) -> bool {
        resources.windows(2).all(|w| self.compare(&w[0], &w[1]) != Ordering::Greater)
    }

    /// The value sorted by: under the extension key if any; primary-or-first for multi-valued attributes.
    fn value_of<'v>(&self, resource: &'v Value) -> Option<&'v Value> {
        let obj = resource.as_object()?;
        let container = match &self.by.urn {
            Some(u) => get_ci(obj, u)?.as_object()?,
            None => obj,
        };
        let v = get_ci(container, &self.by.name)?;
        match (&self.by.sub, v) {
            (None, Value::Array(items)) => items.iter().find(|e| is_present(e)),
            (None, v) => Some(v),
            (Some(sub), Value::Array(items)) => {
                let sub_of = |e: &'v Value| e.as_object().and_then(|o| get_ci(o, sub)).filter(|s| is_present(s));
                items.iter().find(|e| is_primary(e)).and_then(sub_of).or_else(|| items.iter().find_map(sub_of))
            }
            (Some(sub), Value::Object(o)) => get_ci(o, sub),
            (Some(_), _) => None,
        }
    }

    fn key<'v>(&self, resource: &'v Value) -> Key<'v> {
        let Some(v) = self.value_of(resource).filter(|v| is_present(v)) else {
            return Key::Missing;
        };
        let typed = match (self.kind, v) {
            (AttrType::Boolean, Value::Bool(b)) => Some(Typed::Bool(*b)),
            (AttrType::Integer | AttrType::Decimal, Value::Number(n)) => num_key(n).map(Typed::Num),
            (AttrType::DateTime, Value::String(s)) => parse_datetime(s).map(Typed::Time),
            (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
                Some(Typed::Str(if self.case_exact { Cow::Borrowed(s.as_str()) } else { fold(s) }))
            }
            _ => None,
        };
        match typed {
            Some(t) => Key::Typed(t),
            None => Key::Odd(match v {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                other => Cow::Owned(other.to_string()),
            }),
        }
    }
}

/// RFC 7643 section 2.4: `primary: true` marks the preferred element. A string `"true"` (as some IdPs send
/// booleans) counts too.
fn is_primary(e: &Value) -> bool {
    e.as_object().and_then(|o| get_ci(o, "primary")).is_some_and(|p| match p {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

fn num_key(n: &serde_json::Number) -> Option<NumKey> {
    if let Some(i) = n.as_i64() {
        return Some(NumKey(i as f64, i128::from(i)));
    }
    if let Some(u) = n.as_u64() {
        return Some(NumKey(u as f64, i128::from(u)));
    }
    let f = n.as_f64().filter(|f| f.is_finite())?;
    // An integral decimal within i128 carries its integer value; any other decimal carries 0, which only
    // matters against integers with the same f64 image, and keeps the order total either way.
    let exact = if f.fract() == 0.0 && f.abs() < 1e38 { f as i128 } else { 0 };
    Some(NumKey(f, exact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaRegistry;

    #[test]
    fn numbers_compare_by_value_and_integral_decimals_equal_integers() {
        let n = |s: &str| num_key(&serde_json::from_str(s).expect("number")).expect("finite");
        assert!(n("2") < n("10"));
        assert!(n("-1.5") < n("-1"));
        assert_eq!(n("3.0").cmp(&n("3")), Ordering::Equal);
        assert!(n("9007199254740992") < n("9007199254740993"));
        assert!(n("18446744073709551615") > n("9223372036854775807"));
    }

    #[test]
    fn fold_borrows_lowercase_ascii() {
        assert!(matches!(fold("abc"), Cow::Borrowed(_)));
        assert_eq!(fold("ÉLODIE"), "élodie");
    }

    #[test]
    fn sort_order_words_and_errors() {
        let r = SchemaRegistry::core();
        let v = r.user();
        assert!(SortSpec::parse("userName", Some("DESCENDING"), &v).expect("ok").descending);
        assert!(!SortSpec::parse("userName", Some(""), &v).expect("ok").descending);
        let e = SortSpec::parse("userName", Some("up"), &v).expect_err("bad order");
        assert_eq!(e.scim_type, Some(crate::ScimType::InvalidValue));
        assert!(SortSpec::parse("nosuch", None, &v).is_err());
        assert!(SortSpec::parse("name", None, &v).is_err());
        let s = SortSpec::parse("emails", None, &v).expect("emails sorts by value");
        assert_eq!(s.by.sub.as_deref(), Some("value"));
    }
}
