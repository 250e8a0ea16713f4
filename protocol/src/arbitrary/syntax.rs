//! proptest strategies for the filter and PATCH path grammar (RFC 7644 sections 3.4.2.2 and 3.5.2): random
//! trees that the parser can produce, for the parse / print round trip and for anyone who needs syntactically
//! varied filters.
//!
//! The trees cover the whole grammar: URN prefixes (with dots, any case of `urn:`), sub-attributes, `$ref`,
//! value paths with nested logic inside the brackets, the `[..].sub` extension, every operator, and every kind
//! of literal (strings with escapes, control characters and non-ASCII; integers across the i64 and u64 ranges;
//! finite decimals). They are syntax, not semantics: names are random, so most filters match nothing in a real
//! schema (see [`super::users`] for type-correct filters over a population).
//!
//! Decimals are drawn so that serde_json reads their printed form back to the same f64 (a mantissa below 2^53
//! scaled by a power of ten up to 10^16, which serde_json's reader computes exactly); the round trip is a
//! property of the grammar, not of float parsing.

use crate::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Test, ValuePath};
use crate::path::PatchPath;
use proptest::prelude::*;
use serde_json::Number;

/// Realistic attribute names, mixed in with random ones.
const NAMES: &[&str] = &[
    "userName",
    "name",
    "emails",
    "members",
    "value",
    "type",
    "meta",
    "title",
    "active",
    "id",
    "externalId",
    "$ref",
    "display",
    "primary",
    "lastModified",
    "x509Certificates",
];

/// A random ATTRNAME (a letter, then letters, digits, `-`, `_`) or a realistic one, never a keyword that starts
/// a filter term (`and`, `or`, `not` in any case), which the parser refuses as a name.
pub fn arb_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z][a-zA-Z0-9_-]{0,9}",
        2 => proptest::sample::select(NAMES).prop_map(str::to_owned),
    ]
    .prop_filter("keywords are not attribute names", |n| {
        !["and", "or", "not"].iter().any(|k| k.eq_ignore_ascii_case(n))
    })
}

/// A schema URN: the core and extension URNs, or a random `urn:` (any case) with segments that may hold dots.
pub fn arb_urn() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("urn:ietf:params:scim:schemas:core:2.0:User".to_owned()),
        Just("urn:ietf:params:scim:schemas:core:2.0:Group".to_owned()),
        Just("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".to_owned()),
        "(urn|URN|Urn):[a-z][a-z0-9-]{0,6}(:[A-Za-z0-9.-]{1,6}){0,3}",
    ]
}

/// `[urn ":"] name ["." sub]`.
pub fn arb_attr_path() -> impl Strategy<Value = AttrPath> {
    (proptest::option::weighted(0.2, arb_urn()), arb_name(), proptest::option::weighted(0.3, arb_name()))
        .prop_map(|(urn, name, sub)| AttrPath { urn, name, sub })
}

/// A strategy for strings: arbitrary Unicode, printable ASCII dense in quotes and backslashes, control
/// characters, and plain words.
pub fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"[ -~]{0,12}"#,
        "[\\x00-\\x1f\"\\\\/\u{7f}\u{e9}\u{1F600}]{0,6}",
        "[a-zA-Z0-9@. ]{0,12}",
    ]
}

/// A finite JSON number as the parser would read it: an integer anywhere in i64 or u64, or a decimal.
pub fn arb_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        (-1000i64..1000).prop_map(Number::from),
        (-999_999_999_999i64..=999_999_999_999, 0i32..=8).prop_filter_map("finite", |(m, s)| decimal(m, -s)),
        (-999_999i64..=999_999, -16i32..=16).prop_filter_map("finite", |(m, e)| decimal(m, e)),
    ]
}

/// `m * 10^e` as f64, computed as serde_json reads such a literal.
fn decimal(m: i64, e: i32) -> Option<Number> {
    let scale = 10f64.powi(e.abs());
    #[expect(clippy::cast_precision_loss, reason = "m is below 2^53, so the conversion is exact")]
    let m = m as f64;
    Number::from_f64(if e >= 0 { m * scale } else { m / scale })
}

/// `null`, a boolean, a number or a string.
pub fn arb_comp_value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        1 => Just(CompValue::Null),
        1 => any::<bool>().prop_map(CompValue::Bool),
        3 => arb_number().prop_map(CompValue::Number),
        5 => arb_string().prop_map(CompValue::String),
    ]
}

/// `pr`, or any of the nine operators with a value.
pub fn arb_test() -> impl Strategy<Value = Test> {
    prop_oneof![
        1 => Just(Test::Present),
        4 => (proptest::sample::select(&CompareOp::ALL[..]), arb_comp_value())
            .prop_map(|(op, v)| Test::Compare(op, v)),
    ]
}

/// `attrPath pr` or `attrPath op value`.
pub fn arb_attr_exp() -> impl Strategy<Value = Filter> {
    (arb_attr_path(), arb_test()).prop_map(|(path, test)| Filter::Attr(AttrExp { path, test }))
}

/// Combines `leaf` with `and`, `or` and `not` up to `depth` levels.
fn logic(leaf: BoxedStrategy<Filter>, depth: u32, size: u32) -> BoxedStrategy<Filter> {
    leaf.prop_recursive(depth, size, 2, |inner| {
        prop_oneof![
            2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::and(a, b)),
            2 => (inner.clone(), inner.clone()).prop_map(|(a, b)| Filter::or(a, b)),
            1 => inner.prop_map(Filter::not),
        ]
    })
    .boxed()
}

/// A filter as it may appear inside value-path brackets: attribute expressions combined with `and`, `or` and
/// `not`, but no value path (they cannot nest).
pub fn arb_val_filter() -> impl Strategy<Value = Filter> {
    logic(arb_attr_exp().boxed(), 4, 16)
}

/// `attr[valFilter]`, with the `.sub test` extension a third of the time.
pub fn arb_value_path() -> impl Strategy<Value = Filter> {
    (
        proptest::option::weighted(0.2, arb_urn()),
        arb_name(),
        arb_val_filter(),
        proptest::option::weighted(0.3, (arb_name(), arb_test())),
    )
        .prop_map(|(urn, name, filter, then)| {
            Filter::ValuePath(ValuePath { attr: AttrPath { urn, name, sub: None }, filter: Box::new(filter), then })
        })
}

/// Any filter the parser can produce, up to eight levels of `and` / `or` / `not` over attribute expressions and
/// value paths.
pub fn arb_filter() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![3 => arb_attr_exp(), 1 => arb_value_path()].boxed();
    logic(leaf, 8, 48)
}

/// Any PATCH path: `attrPath`, or `attr[valFilter]` with an optional `.sub`, each with an optional URN prefix.
pub fn arb_patch_path() -> impl Strategy<Value = PatchPath> {
    prop_oneof![
        arb_attr_path().prop_map(|p| PatchPath { urn: p.urn, name: p.name, filter: None, sub: p.sub }),
        (
            proptest::option::weighted(0.2, arb_urn()),
            arb_name(),
            arb_val_filter(),
            proptest::option::weighted(0.5, arb_name())
        )
            .prop_map(|(urn, name, filter, sub)| PatchPath { urn, name, filter: Some(filter), sub }),
    ]
}
