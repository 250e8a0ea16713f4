//! RFC 7644 section 3.5.2: what a PATCH `path`, or a member name of a path-less value, points at in a resource
//! of a given type.
//!
//! A path names a schema's attribute (with or without its schema URN, RFC 7644 section 3.10), optionally a
//! sub-attribute, and optionally a value filter selecting elements of a multi-valued attribute. A bare extension
//! URN names the whole extension object. Names the schema does not know are refused: in a path with invalidPath;
//! as a member name of a path-less value with invalidValue (section 3.5.2 names no error for that case, and the
//! value is what is wrong).

use super::apply::OpCx;
use super::options::Leniency;
use crate::error::ScimError;
use crate::filter::{AttrPath, Filter, Matcher};
use crate::path::PatchPath;
use crate::schema::{AttrType, AttributeDef, Schema, split_urn};

/// What an operation acts on.
pub(super) enum Target<'v, 'p> {
    /// A whole schema's object: an extension URN as the path (`urn:...:enterprise:2.0:User`), or as a member name
    /// of a path-less value.
    Extension(&'v Schema),
    /// An attribute, possibly narrowed.
    Attr(AttrTarget<'v, 'p>),
}

/// An attribute target.
pub(super) struct AttrTarget<'v, 'p> {
    /// The top-level attribute.
    pub attr: &'v AttributeDef,
    /// The extension URN its value lives under, or `None` for the resource's top level.
    pub ext: Option<&'v str>,
    /// The sub-attribute, when the path names one.
    pub sub: Option<&'v AttributeDef>,
    /// The value filter, compiled once for this operation.
    pub filter: Option<ElementFilter<'p>>,
}

/// A value filter (`emails[type eq "work"]`) with its compiled matcher.
pub(super) struct ElementFilter<'p> {
    /// The filter as parsed.
    pub filter: &'p Filter,
    /// The filter compiled to test one element.
    pub matcher: Matcher,
}

/// The schema whose URN is `urn:name`, when `urn` and `name` together spell a schema of the view (a PATCH path
/// that is a bare URN parses with its last segment as the name). `true` with it when it is the core schema.
fn whole_schema<'v>(cx: &OpCx<'_, 'v>, urn: &str, name: &str) -> Option<(&'v Schema, bool)> {
    let spells = |id: &str| {
        id.len() == urn.len() + 1 + name.len()
            && id.get(..urn.len()).is_some_and(|p| p.eq_ignore_ascii_case(urn))
            && id.as_bytes().get(urn.len()) == Some(&b':')
            && id.get(urn.len() + 1..).is_some_and(|n| n.eq_ignore_ascii_case(name))
    };
    if spells(&cx.view.core.id) {
        return Some((cx.view.core, true));
    }
    cx.view.extensions.iter().map(|(s, _)| *s).find(|s| spells(&s.id)).map(|s| (s, false))
}

/// Resolves a parsed PATCH path. Errors are invalidPath.
pub(super) fn resolve_path<'v, 'p>(cx: &OpCx<'_, 'v>, path: &'p PatchPath) -> Result<Target<'v, 'p>, ScimError> {
    if let Some(urn) = &path.urn
        && let Some((schema, core)) = whole_schema(cx, urn, &path.name)
    {
        if core {
            return Err(
                cx.err_path(format!("{} is the core schema, not an attribute; name one of its attributes", schema.id))
            );
        }
        if path.filter.is_some() || path.sub.is_some() {
            return Err(
                cx.err_path(format!("{} is an extension schema; it takes no filter or sub-attribute", schema.id))
            );
        }
        return Ok(Target::Extension(schema));
    }
    let Some(r) = cx.view.resolve(path.urn.as_deref(), &path.name) else {
        return Err(cx.err_path(unknown_attribute(cx, path.urn.as_deref(), &path.name)));
    };
    let attr = r.attr;
    let sub = match &path.sub {
        None => None,
        Some(s) => Some(resolve_sub(attr, s).map_err(|m| cx.err_path(m))?),
    };
    let filter = match &path.filter {
        None => None,
        Some(f) => {
            if !attr.multi_valued {
                return Err(cx.err_path(format!(
                    "{} is single-valued; a value filter selects elements of a multi-valued attribute",
                    attr.name
                )));
            }
            check_filter_names(attr, f).map_err(|m| cx.err_path(m))?;
            let matcher = Matcher::compile_for_element(f, cx.view, attr).map_err(|e| cx.err_path(e.detail))?;
            Some(ElementFilter { filter: f, matcher })
        }
    };
    Ok(Target::Attr(AttrTarget { attr, ext: r.extension, sub, filter }))
}

/// Resolves a member name of a path-less value object (RFC 7644 section 3.5.2.1: the value holds attribute
/// names, URN-qualified ones allowed per section 3.10, and an extension URN holding that extension's attributes).
/// `within` is the extension whose object the name sits in. A dotted name (`name.givenName`) is an Entra ID
/// habit, accepted with `dotted_keys` and recorded. Errors are invalidValue.
pub(super) fn resolve_key<'v>(
    cx: &mut OpCx<'_, 'v>,
    within: Option<&'v Schema>,
    key: &str,
) -> Result<Target<'v, 'static>, ScimError> {
    let (urn, rest) = match within {
        Some(s) => (Some(s.id.as_str()), key),
        None => split_urn(key),
    };
    if within.is_none()
        && let Some(u) = urn
        && let Some((schema, core)) = whole_schema(cx, u, rest)
    {
        if core {
            return Err(cx.err_value(format!(
                "{} is the core schema; its attributes go at the top level of the value",
                schema.id
            )));
        }
        return Ok(Target::Extension(schema));
    }
    let (name, sub) = match rest.split_once('.') {
        Some((n, s)) => (n, Some(s)),
        None => (rest, None),
    };
    let Some(r) = cx.view.resolve(urn, name) else {
        return Err(cx.err_value(unknown_attribute(cx, urn, name)));
    };
    let sub = match sub {
        None => None,
        Some(s) => {
            if !cx.opts.dotted_keys {
                return Err(cx.err_value(format!(
                    "member {key:?} is a dotted name; RFC 7644 section 3.5.2 wants a nested object such as \
                     {{{:?}: {{{s:?}: ...}}}} (dotted names are an Entra ID habit: dotted_keys)",
                    r.attr.name
                )));
            }
            let d = resolve_sub(r.attr, s).map_err(|m| cx.err_value(m))?;
            cx.record(Leniency::DottedKey, format!("member {key:?} read as the path {}.{}", r.attr.name, d.name));
            Some(d)
        }
    };
    Ok(Target::Attr(AttrTarget { attr: r.attr, ext: r.extension, sub, filter: None }))
}

fn resolve_sub<'v>(attr: &'v AttributeDef, s: &str) -> Result<&'v AttributeDef, String> {
    if attr.kind != AttrType::Complex {
        return Err(format!("{} is not complex and has no sub-attribute {s:?}", attr.name));
    }
    attr.sub(s).ok_or_else(|| format!("{} has no sub-attribute {s:?} (it has {})", attr.name, sub_list(attr)))
}

fn sub_list(attr: &AttributeDef) -> String {
    attr.sub_attributes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn unknown_attribute(cx: &OpCx<'_, '_>, urn: Option<&str>, name: &str) -> String {
    match urn {
        Some(u) if u.eq_ignore_ascii_case(&cx.view.core.id) || cx.view.extension(u).is_some() => {
            format!("schema {u} has no attribute {name:?}")
        }
        Some(u) => format!("{u} is not a schema of the {} resource type", cx.view.resource_type.name),
        None => format!("the {} resource type has no attribute {name:?}", cx.view.resource_type.name),
    }
}

/// The names inside a value filter are sub-attributes of the filtered attribute; one it does not have makes
/// the path invalid.
fn check_filter_names(attr: &AttributeDef, f: &Filter) -> Result<(), String> {
    let check = |p: &AttrPath| {
        if attr.kind != AttrType::Complex || p.urn.is_some() {
            return Ok(()); // left to the matcher, which refuses URNs inside a bracket
        }
        match attr.sub(&p.name) {
            Some(s) if p.sub.is_none() || s.kind == AttrType::Complex => Ok(()),
            Some(_) => Err(format!("{}.{} has no sub-attributes", attr.name, p.name)),
            None => Err(format!(
                "the filter names {:?}, which is not a sub-attribute of {} (it has {})",
                p.name,
                attr.name,
                sub_list(attr)
            )),
        }
    };
    match f {
        Filter::Attr(e) => check(&e.path),
        Filter::And(a, b) | Filter::Or(a, b) => {
            check_filter_names(attr, a)?;
            check_filter_names(attr, b)
        }
        Filter::Not(a) => check_filter_names(attr, a),
        Filter::ValuePath(vp) => check(&vp.attr),
    }
}
