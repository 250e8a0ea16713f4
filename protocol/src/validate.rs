//! Does a value fit its attribute, and does a resource body fit its resource type?
//!
//! RFC 7643 section 2 gives every attribute a data type and says how each type is written in JSON; RFC 7644
//! sections 3.3 (POST) and 3.5.1 (PUT) say what a service provider does with the body a client sends: refuse
//! values of the wrong type, insist on required attributes, ignore readOnly ones, and refuse to change immutable
//! ones. This module is the strict reading of those rules that the mock service provider applies and the harness
//! judges by. Error details name the attribute path (`emails[0].primary`) and say what was expected and what came.

use crate::error::ScimError;
use crate::json::is_present;
use crate::schema::{AttrType, AttributeDef, Mutability, ResourceView, Schema};
use serde_json::{Map, Value};
use std::fmt;

mod immutable;

pub use immutable::{immutable_violations, same_value};

/// Which request a body arrived with. RFC 7644 section 3.3 (POST) and section 3.5.1 (PUT) apply the same body
/// rules; the mode only changes the wording of errors. PUT's extra rule, that immutable values must not change,
/// needs the stored resource and lives in [`immutable_violations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// POST to a resource type's endpoint (RFC 7644 section 3.3).
    Create,
    /// PUT to a resource (RFC 7644 section 3.5.1).
    Replace,
}

impl Mode {
    fn verb(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Replace => "replace",
        }
    }
}

/// Where a value sits in a body. Built on the stack as the checks descend and rendered only when an error names
/// it, so a valid body costs no allocation.
#[derive(Clone, Copy)]
enum Loc<'a> {
    /// The top level of a resource.
    Top,
    /// The object under an extension's URN key.
    Ext(&'a str),
    /// A caller-supplied path.
    Path(&'a str),
    /// A member of the parent.
    Member(&'a Loc<'a>, &'a str),
    /// An element of the parent array.
    Index(&'a Loc<'a>, usize),
}

impl fmt::Display for Loc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loc::Top => Ok(()),
            Loc::Ext(urn) | Loc::Path(urn) => f.write_str(urn),
            Loc::Member(Loc::Top, name) => f.write_str(name),
            Loc::Member(Loc::Path(""), name) => f.write_str(name),
            Loc::Member(parent @ Loc::Ext(_), name) => write!(f, "{parent}:{name}"),
            Loc::Member(parent, name) => write!(f, "{parent}.{name}"),
            Loc::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// How the checks treat readOnly attributes: PATCH checks every value it is given, while POST and PUT ignore
/// readOnly values altogether (RFC 7644 sections 3.3 and 3.5.1), so their type is none of our business.
#[derive(Clone, Copy)]
struct Opts {
    skip_read_only: bool,
}

/// RFC 7643 section 2.3: checks that `value` is a JSON value of `attr`'s type. `path` names the value in errors.
///
/// Strings, references and binaries must be JSON strings, and a binary must be base64 (RFC 4648 section 4:
/// standard alphabet, padded). Booleans must be JSON booleans (the string `"True"` is not one). Integers must be
/// numbers written without a fraction or exponent; decimals may be any number. A dateTime must be an
/// `xsd:dateTime` string (section 2.3.5). A complex value must be an object whose members are sub-attributes of
/// `attr` (names compared without regard to case, section 2.1), each checked in turn. A multi-valued attribute
/// takes an array of such values; a lone value where an array belongs is refused, because lenient servers accept
/// it and the harness must be able to tell them apart. `null` always fits: it means "no value" (section 2.5).
/// Canonical values are not enforced: section 7 calls them suggestions.
///
/// Errors are 400 invalidValue, for example `emails[0].primary: expected a boolean, got the string "True"`.
pub fn check_value(attr: &AttributeDef, value: &Value, path: &str) -> Result<(), ScimError> {
    check_at(attr, value, &Loc::Path(path), Opts { skip_read_only: false })
}

/// Checks one element of a multi-valued attribute (or the value of a single-valued one) against `attr`'s type,
/// whatever `attr.multi_valued` says. For PATCH, which may add a single object to a multi-valued attribute.
/// Unlike [`check_value`], `null` is refused: an array element cannot be "no value".
pub fn check_element(attr: &AttributeDef, value: &Value, path: &str) -> Result<(), ScimError> {
    check_one(attr, value, &Loc::Path(path), Opts { skip_read_only: false })
}

fn check_at(attr: &AttributeDef, value: &Value, loc: &Loc<'_>, opts: Opts) -> Result<(), ScimError> {
    match value {
        Value::Null => Ok(()),
        Value::Array(items) if attr.multi_valued => {
            for (i, item) in items.iter().enumerate() {
                check_one(attr, item, &Loc::Index(loc, i), opts)?;
            }
            Ok(())
        }
        _ if attr.multi_valued => Err(mismatch(loc, &format!("an array of {}", expected(attr, true)), value)),
        _ => check_one(attr, value, loc, opts),
    }
}

fn check_one(attr: &AttributeDef, value: &Value, loc: &Loc<'_>, opts: Opts) -> Result<(), ScimError> {
    let fits = match (attr.kind, value) {
        (AttrType::String | AttrType::Reference, Value::String(_)) => true,
        (AttrType::Binary, Value::String(s)) => {
            if !is_base64(s) {
                return Err(mismatch(loc, "a base64 string (RFC 4648 section 4)", value));
            }
            true
        }
        (AttrType::Boolean, Value::Bool(_)) => true,
        (AttrType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
        (AttrType::Decimal, Value::Number(_)) => true,
        (AttrType::DateTime, Value::String(s)) => {
            if parse_date_time(s).is_none() {
                return Err(mismatch(loc, "an xsd:dateTime string such as 2015-09-14T20:59:00Z", value));
            }
            true
        }
        (AttrType::Complex, Value::Object(members)) => return check_members(attr, members, loc, opts),
        _ => false,
    };
    if fits { Ok(()) } else { Err(mismatch(loc, expected(attr, false), value)) }
}

fn check_members(
    attr: &AttributeDef,
    members: &Map<String, Value>,
    loc: &Loc<'_>,
    opts: Opts,
) -> Result<(), ScimError> {
    if let Some((a, b)) = duplicate_key(members) {
        return Err(ScimError::invalid_value(format!(
            "{loc}: sub-attribute {a:?} appears twice (as {a:?} and {b:?}); names are case-insensitive"
        )));
    }
    for (key, v) in members {
        let Some(sub) = attr.sub(key) else {
            let known: Vec<&str> = attr.sub_attributes.iter().map(|s| s.name.as_str()).collect();
            return Err(ScimError::invalid_value(format!(
                "{}: unknown sub-attribute {key:?} of {} (known: {})",
                Loc::Member(loc, key),
                attr.name,
                known.join(", ")
            )));
        };
        if opts.skip_read_only && sub.mutability == Mutability::ReadOnly {
            continue;
        }
        check_at(sub, v, &Loc::Member(loc, key), opts)?;
    }
    Ok(())
}

/// The first pair of member names that differ only in case, if any.
fn duplicate_key(members: &Map<String, Value>) -> Option<(&str, &str)> {
    members.keys().enumerate().find_map(|(i, a)| {
        members.keys().skip(i + 1).find(|b| b.eq_ignore_ascii_case(a)).map(|b| (a.as_str(), b.as_str()))
    })
}

fn expected(attr: &AttributeDef, plural: bool) -> &'static str {
    match (attr.kind, plural) {
        (AttrType::String, false) => "a string",
        (AttrType::String, true) => "strings",
        (AttrType::Boolean, false) => "a boolean",
        (AttrType::Boolean, true) => "booleans",
        (AttrType::Decimal, false) => "a number",
        (AttrType::Decimal, true) => "numbers",
        (AttrType::Integer, false) => "an integer",
        (AttrType::Integer, true) => "integers",
        (AttrType::DateTime, false) => "a dateTime string",
        (AttrType::DateTime, true) => "dateTime strings",
        (AttrType::Binary, false) => "a base64 string",
        (AttrType::Binary, true) => "base64 strings",
        (AttrType::Reference, false) => "a reference (a URI string)",
        (AttrType::Reference, true) => "references (URI strings)",
        (AttrType::Complex, false) => "an object",
        (AttrType::Complex, true) => "objects",
    }
}

/// A short description of a JSON value for error details: its kind and, for scalars, the value itself.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let ellipsis = if shown.len() < s.len() { "..." } else { "" };
            format!("the string {}{ellipsis}", Value::String(shown))
        }
        Value::Array(a) => format!("an array of {} value{}", a.len(), if a.len() == 1 { "" } else { "s" }),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn mismatch(loc: &Loc<'_>, expected: &str, got: &Value) -> ScimError {
    ScimError::invalid_value(format!("{loc}: expected {expected}, got {}", describe(got)))
}

/// RFC 4648 section 4 (the encoding RFC 7643 section 2.3.6 names): the standard alphabet, a length that is a
/// multiple of four, and at most two `=` of padding at the end. Decoded by [`crate::base64::decode`].
pub fn is_base64(s: &str) -> bool {
    crate::base64::decode(s).is_some()
}

/// RFC 7643 section 2.3.5: parses an `xsd:dateTime` (`2008-01-23T04:56:22Z`, with optional fractional seconds
/// and an optional `Z` or `±hh:mm` offset) to an instant. A value without an offset is read as UTC, the
/// conventional choice since the RFC does not say. `None` when the text is not an xsd:dateTime or names a
/// date that does not exist (February 30th). Years are the four-digit years 0001 to 9999, offsets at most 14
/// hours either way (XML Schema 1.1 part 2, section 3.3.7).
///
/// jiff reads the values (calendar, fraction, offset); [`xsd_date_time_form`] first pins the lexical form, since
/// jiff also reads RFC 9557 text that xsd:dateTime is not (a space or `t` for `T`, `z`, hour-only or colon-less
/// offsets, minutes without seconds, `[zone]` annotations).
pub fn parse_date_time(s: &str) -> Option<jiff::Timestamp> {
    if !xsd_date_time_form(s) {
        return None;
    }
    let pieces = jiff::fmt::temporal::Pieces::parse(s).ok()?;
    let offset = pieces.to_numeric_offset().unwrap_or(jiff::tz::Offset::UTC);
    if pieces.date().year() < 1 || offset.seconds().abs() > 14 * 3600 {
        return None;
    }
    offset.to_timestamp(pieces.date().to_datetime(pieces.time()?)).ok()
}

/// Whether `s` has the lexical form of an xsd:dateTime with a four-digit year:
/// `dddd-dd-ddTdd:dd:dd`, then optionally `.` and digits, then optionally `Z` or `+dd:dd` / `-dd:dd`.
fn xsd_date_time_form(s: &str) -> bool {
    let digit = |c: &u8| c.is_ascii_digit();
    let b = s.as_bytes();
    let Some((head, mut rest)) = b.split_at_checked(19) else { return false };
    let head_fits = head.iter().zip(b"dddd-dd-ddTdd:dd:dd").all(|(c, t)| if *t == b'd' { digit(c) } else { c == t });
    if !head_fits {
        return false;
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| digit(c)).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].into_iter().all(digit),
        _ => false,
    }
}

/// RFC 7644 sections 3.3 and 3.5.1, with RFC 7643 sections 3 and 4: checks a POST or PUT body against a
/// resource type.
///
/// - The body must be a JSON object (else invalidSyntax).
/// - `schemas` must be present (else invalidValue, a required value is missing) and an array of strings (else
///   invalidSyntax); it must list the core schema, and every URN it lists must be the core schema or one of the
///   type's extensions (else invalidValue).
/// - Every top-level member must be a core or common attribute of the type, or the URN key of one of its
///   extensions; anything else is refused with invalidSyntax naming it (RFC 7644 section 3.3 lets a server
///   refuse attributes it does not know, and the mock SP does). Names match without regard to case, and two
///   members whose names differ only in case are refused as ambiguous. An extension object's members must be
///   attributes of that extension. An extension present in the body must be listed in `schemas` (invalidValue).
/// - Required attributes must have a value (invalidValue): those of the core schema (`userName` for User,
///   `displayName` for Group), those of every extension present or required by the type, and the required
///   sub-attributes of every complex value present. readOnly attributes are exempt: the server sets them.
/// - Every value must fit its attribute (see [`check_value`]), except readOnly ones, which the server ignores.
///   They are not an error: use [`strip_read_only`] to drop them before storing.
pub fn check_resource(resource: &Value, view: &ResourceView<'_>, mode: Mode) -> Result<(), ScimError> {
    let Value::Object(body) = resource else {
        return Err(ScimError::invalid_syntax(format!(
            "the {} body must be a JSON object, got {}",
            mode.verb(),
            describe(resource)
        )));
    };
    let opts = Opts { skip_read_only: true };
    if let Some((a, b)) = duplicate_key(body) {
        return Err(ScimError::invalid_syntax(format!(
            "attribute {a:?} appears twice (as {a:?} and {b:?}); attribute names are case-insensitive"
        )));
    }
    let listed = check_schemas_member(body, view, mode.verb())?;
    let type_name = &view.resource_type.name;
    for (key, value) in body {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if let Some(ext) = view.extension(key) {
            if !listed.iter().any(|u| u.eq_ignore_ascii_case(&ext.id)) {
                return Err(ScimError::invalid_value(format!(
                    "the body carries the extension {key} but schemas does not list it; add {} to schemas",
                    ext.id
                )));
            }
            check_extension_object(ext, key, value, opts)?;
            continue;
        }
        let Some(resolved) = view.resolve(None, key).filter(|r| r.extension.is_none()) else {
            return Err(ScimError::invalid_syntax(format!(
                "unknown attribute {key:?} for resource type {type_name} (an extension attribute belongs inside \
                 its extension's object, under the extension URN)"
            )));
        };
        if resolved.attr.mutability == Mutability::ReadOnly {
            continue;
        }
        check_at(resolved.attr, value, &Loc::Member(&Loc::Top, key), opts)?;
    }
    check_required(view.core, body, &Loc::Top, mode)?;
    for (ext, required) in &view.extensions {
        match crate::json::get_ci(body, &ext.id) {
            Some(Value::Object(obj)) => check_required(ext, obj, &Loc::Ext(&ext.id), mode)?,
            _ if *required => {
                return Err(ScimError::invalid_value(format!(
                    "resource type {type_name} requires the extension {}, which the {} body lacks",
                    ext.id,
                    mode.verb()
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// RFC 7643 section 3: the `schemas` of a resource that a request of kind `verb` (`create`, `replace`,
/// `patched`) would leave: an array of URN strings (else invalidSyntax) listing the core schema and nothing but it
/// and the type's extensions (else invalidValue), the same rule [`check_resource`] applies to a POST or PUT body.
pub fn check_schemas(resource: &Value, view: &ResourceView<'_>, verb: &str) -> Result<(), ScimError> {
    let Value::Object(body) = resource else {
        return Err(ScimError::invalid_syntax(format!("the {verb} resource is not a JSON object")));
    };
    check_schemas_member(body, view, verb).map(|_| ())
}

/// Checks the `schemas` member and returns the URNs it lists.
fn check_schemas_member<'b>(
    body: &'b Map<String, Value>,
    view: &ResourceView<'_>,
    verb: &str,
) -> Result<Vec<&'b str>, ScimError> {
    let Some(schemas) = crate::json::get_ci(body, "schemas") else {
        return Err(ScimError::invalid_value(format!(
            "the {verb} body has no schemas attribute; it must list {}",
            view.core.id
        )));
    };
    let not_strings =
        || ScimError::invalid_syntax(format!("schemas must be an array of URN strings, got {}", describe(schemas)));
    let Value::Array(items) = schemas else {
        return Err(not_strings());
    };
    let urns: Vec<&str> = items.iter().map(Value::as_str).collect::<Option<_>>().ok_or_else(not_strings)?;
    if !urns.iter().any(|u| view.is_core_urn(u)) {
        return Err(ScimError::invalid_value(format!(
            "schemas must list the core schema {} of resource type {}, got {}",
            view.core.id, view.resource_type.name, schemas
        )));
    }
    if let Some(stranger) = urns.iter().find(|u| !view.is_core_urn(u) && view.extension(u).is_none()) {
        let known: Vec<&str> = view.schema_urns().collect();
        return Err(ScimError::invalid_value(format!(
            "schemas lists {stranger}, which resource type {} does not carry (known: {})",
            view.resource_type.name,
            known.join(", ")
        )));
    }
    Ok(urns)
}

fn check_extension_object(ext: &Schema, key: &str, value: &Value, opts: Opts) -> Result<(), ScimError> {
    let loc = Loc::Ext(key);
    let members = match value {
        Value::Object(m) => m,
        Value::Null => return Ok(()),
        other => return Err(mismatch(&loc, "an object holding the extension's attributes", other)),
    };
    if let Some((a, b)) = duplicate_key(members) {
        return Err(ScimError::invalid_syntax(format!(
            "{key}: attribute {a:?} appears twice (as {a:?} and {b:?}); attribute names are case-insensitive"
        )));
    }
    for (name, v) in members {
        let Some(attr) = ext.attribute(name) else {
            return Err(ScimError::invalid_syntax(format!(
                "unknown attribute {} (the extension {} defines no {name:?})",
                Loc::Member(&loc, name),
                ext.id
            )));
        };
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        check_at(attr, v, &Loc::Member(&loc, name), opts)?;
    }
    Ok(())
}

/// RFC 7643 section 2.2 (`required`): every required, client-writable attribute of `schema` has a value in
/// `obj`, and so does every required sub-attribute of each complex value present.
fn check_required(schema: &Schema, obj: &Map<String, Value>, loc: &Loc<'_>, mode: Mode) -> Result<(), ScimError> {
    for attr in &schema.attributes {
        if attr.mutability == Mutability::ReadOnly {
            continue;
        }
        let value = crate::json::get_ci(obj, &attr.name);
        if attr.required && !value.is_some_and(is_present) {
            return Err(ScimError::invalid_value(format!(
                "required attribute {} is missing from the {} body",
                Loc::Member(loc, &attr.name),
                mode.verb()
            )));
        }
        if attr.kind != AttrType::Complex || !attr.sub_attributes.iter().any(|s| s.required) {
            continue;
        }
        let here = Loc::Member(loc, &attr.name);
        match value {
            Some(Value::Object(m)) => required_subs(attr, m, &here, mode)?,
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(m) = item {
                        required_subs(attr, m, &Loc::Index(&here, i), mode)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn required_subs(attr: &AttributeDef, obj: &Map<String, Value>, loc: &Loc<'_>, mode: Mode) -> Result<(), ScimError> {
    for sub in attr.sub_attributes.iter().filter(|s| s.required && s.mutability != Mutability::ReadOnly) {
        if !crate::json::get_ci(obj, &sub.name).is_some_and(is_present) {
            return Err(ScimError::invalid_value(format!(
                "required sub-attribute {} is missing from the {} body",
                Loc::Member(loc, &sub.name),
                mode.verb()
            )));
        }
    }
    Ok(())
}

/// RFC 7644 sections 3.3 and 3.5.1: the server ignores readOnly attributes a client sends. Removes them from
/// `resource`: readOnly top-level attributes (`id`, `meta`, `groups`), readOnly attributes of extension objects,
/// and readOnly sub-attributes of complex values (`manager.displayName`), keeping every other member in its
/// order. `schemas` stays. A complex value left empty stays as an empty object. Members the type does not know
/// are left alone: [`check_resource`] is the place that refuses them.
pub fn strip_read_only(resource: &mut Value, view: &ResourceView<'_>) {
    let Value::Object(body) = resource else {
        return;
    };
    body.retain(|key, value| {
        if let Some(ext) = view.extension(key) {
            if let Value::Object(members) = value {
                strip_schema_members(members, |name| ext.attribute(name));
            }
            return true;
        }
        match view.resolve(None, key).filter(|r| r.extension.is_none()) {
            Some(r) if r.attr.mutability == Mutability::ReadOnly && !key.eq_ignore_ascii_case("schemas") => false,
            Some(r) => {
                strip_sub_attributes(r.attr, value);
                true
            }
            None => true,
        }
    });
}

fn strip_schema_members<'s>(members: &mut Map<String, Value>, lookup: impl Fn(&str) -> Option<&'s AttributeDef>) {
    members.retain(|name, value| match lookup(name) {
        Some(attr) if attr.mutability == Mutability::ReadOnly => false,
        Some(attr) => {
            strip_sub_attributes(attr, value);
            true
        }
        None => true,
    });
}

fn strip_sub_attributes(attr: &AttributeDef, value: &mut Value) {
    if attr.kind != AttrType::Complex || !attr.sub_attributes.iter().any(|s| s.mutability == Mutability::ReadOnly) {
        return;
    }
    match value {
        Value::Object(m) => strip_schema_members(m, |n| attr.sub(n)),
        Value::Array(items) => {
            for item in items {
                if let Value::Object(m) = item {
                    strip_schema_members(m, |n| attr.sub(n));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::parse_date_time;

    #[test]
    fn rfc9557_text_that_is_not_an_xsd_date_time_is_refused() {
        // jiff reads each of these; xsd:dateTime allows none (the last is past its 14-hour offset bound).
        for other in [
            "2008-01-23 04:56:22Z",
            "2008-01-23t04:56:22Z",
            "2008-01-23T04:56:22z",
            "2008-01-23T04:56Z",
            "2008-01-23T04:56:22+02",
            "2008-01-23T04:56:22+0200",
            "2008-01-23T04:56:22,5Z",
            "2008-01-23T04:56:22Z[Europe/Paris]",
            "20080123T045622Z",
            "+002008-01-23T04:56:22Z",
            "2008-01-23T04:56:22-14:01",
        ] {
            assert_eq!(parse_date_time(other), None, "{other}");
        }
    }

    #[test]
    fn offsets_and_fractions_are_read_by_value() {
        let utc = parse_date_time("2008-01-23T04:56:22.25Z").expect("parses");
        assert_eq!(parse_date_time("2008-01-22T23:56:22.250-05:00"), Some(utc));
        assert_eq!(parse_date_time("2008-01-23T18:56:22.25+14:00"), Some(utc));
        assert_eq!(parse_date_time("2008-01-23T04:56:22.25"), Some(utc));
        assert_eq!(utc.as_millisecond(), 1_201_064_182_250);
        assert_eq!(parse_date_time("2008-01-23T04:56:22.123456789Z").map(|t| t.subsec_nanosecond()), Some(123_456_789));
    }
}
