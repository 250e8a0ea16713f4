//! RFC 7644 sections 3.4.2.5 and 3.9, RFC 7643 section 7 (`returned`): which attributes a response carries.
//!
//! [`Projection::parse`] reads the `attributes` / `excludedAttributes` parameters against a resource type's
//! schema and precomputes, for every attribute the schema knows, whether it is dropped, kept whole, or kept with
//! some sub-attributes filtered out. [`Projection::apply`] (or [`Projection::apply_in_place`]) then walks a
//! resource once, in its own member order and with its own key spelling, without consulting the schema again.
//!
//! The rules, with the decisions taken where the RFC leaves room:
//!
//! - `returned: always` attributes (`id`, `schemas`, and whatever a schema marks so) are always kept;
//!   `returned: never` ones (`password`) never are. `returned: request` attributes appear only when named in
//!   `attributes`; `returned: default` ones appear unless excluded, or, when `attributes` is given, only if named.
//!   `meta` is a common attribute with `returned: default`: `attributes=userName` leaves it out, as the example
//!   of RFC 7644 section 3.9 shows.
//! - Naming a complex attribute keeps it whole (minus `returned: never` sub-attributes); naming `name.sub` keeps
//!   only that sub-attribute (plus any `returned: always` ones) of the complex value, or of every element of a
//!   multi-valued complex. A value, element or extension object that filtering leaves empty is dropped.
//! - A bare extension URN (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`) names every attribute of
//!   that extension; a bare core URN names every top-level attribute.
//! - `schemas` stays, but loses the URN of any extension whose object the projection removed, so that it lists
//!   exactly the extensions present in the output.
//! - Both parameters at once are a 400 `invalidValue`: RFC 7644 section 3.9 calls them mutually exclusive and
//!   gives no meaning to the combination. An empty list (`attributes=`) counts as absent.
//! - A name the schema does not know is ignored, not an error: the parameters only narrow or widen a
//!   representation, the RFC lists no error for an unknown name, and a client that asks a server with a smaller
//!   schema for an attribute it lacks should get the rest of its answer. Such a name still matches a member the
//!   resource carries under that name (servers keep attributes they publish no schema for).
//! - A name that is not in standard attribute notation (section 3.10: `[URN ":"] ATTRNAME ["." ATTRNAME]`, with
//!   `$ref` allowed) is a 400 `invalidValue` naming the parameter and the name.

use crate::error::ScimError;
use crate::json::key_ci;
use crate::schema::{AttrType, AttributeDef, ResourceView, Returned, split_urn};
use serde_json::{Map, Value};

/// A compiled `attributes` / `excludedAttributes` selection for one resource type.
#[derive(Debug, Clone)]
pub struct Projection {
    mode: Mode,
    top: Scope,
    extensions: Vec<Scope>,
}

/// Which of the two parameters (if any) was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Neither: the default set (`always` and `default`).
    Default,
    /// `attributes`: the minimum set plus what was named.
    Include,
    /// `excludedAttributes`: the default set minus what was named.
    Exclude,
}

/// What happens to one attribute.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Drop,
    Keep,
    /// Keep the complex value (or each element of a multi-valued one) with only some sub-attributes.
    Filter(SubFilter),
}

/// Sub-attribute rules for a complex value: named sub-attributes kept or not; `other` decides for sub-attributes
/// not listed, and for non-object elements of an array.
#[derive(Debug, Clone, PartialEq)]
struct SubFilter {
    rules: Vec<(String, bool)>,
    other: bool,
}

/// The attributes living at one level: the resource's top level, or one extension's object.
#[derive(Debug, Clone)]
struct Scope {
    /// The extension URN; `None` for the top level.
    urn: Option<String>,
    rules: Vec<(String, Action)>,
    /// For members no rule names.
    other: Action,
    /// Every rule and `other` are `Keep`: the object passes through untouched.
    keep_all: bool,
}

/// What one parameter named at one level: the whole attribute and/or some of its sub-attributes.
#[derive(Debug, Default)]
struct Named {
    whole: bool,
    subs: Vec<String>,
}

/// Attribute names at one level, each with what was named of it.
type NamedList = Vec<(String, Named)>;

/// The parsed names of one parameter, sorted by level.
#[derive(Debug, Default)]
struct Selection {
    top_whole: bool,
    top: NamedList,
    /// (extension URN, whole extension named, attributes named in it)
    ext: Vec<(String, bool, NamedList)>,
}

impl Projection {
    /// RFC 7644 sections 3.4.2.5 and 3.9: compiles the `attributes` and `excludedAttributes` parameters (each a
    /// comma-separated list, as in a URL; whitespace around names is ignored, names compare case-insensitively)
    /// for resources of `view`'s type. See the module documentation for the rules and the errors.
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
        view: &ResourceView<'_>,
    ) -> Result<Projection, ScimError> {
        let attrs = names("attributes", attributes)?;
        let excl = names("excludedAttributes", excluded)?;
        let (mode, list) = match (attrs.is_empty(), excl.is_empty()) {
            (true, true) => (Mode::Default, attrs),
            (false, true) => (Mode::Include, attrs),
            (true, false) => (Mode::Exclude, excl),
            (false, false) => {
                return Err(ScimError::invalid_value(
                    "attributes and excludedAttributes are mutually exclusive (RFC 7644 section 3.9): send one of them",
                ));
            }
        };
        let sel = Selection::build(&list, view);
        Ok(Projection::compile(mode, &sel, view))
    }

    /// Compiles from list-valued parameters, as a POST `.search` body carries them (RFC 7644 section 3.4.3).
    pub fn from_lists(
        attributes: &[String],
        excluded: &[String],
        view: &ResourceView<'_>,
    ) -> Result<Projection, ScimError> {
        let a = attributes.join(",");
        let e = excluded.join(",");
        Projection::parse(Some(&a), Some(&e), view)
    }

    /// The default projection (neither parameter): `always` and `default` attributes.
    pub fn default_for(view: &ResourceView<'_>) -> Projection {
        Projection::compile(Mode::Default, &Selection::default(), view)
    }

    fn compile(mode: Mode, sel: &Selection, view: &ResourceView<'_>) -> Projection {
        let top_defs: Vec<&AttributeDef> = view.core.attributes.iter().chain(view.common()).collect();
        let top = Scope::build(mode, None, &top_defs, sel.top_whole, &sel.top);
        let mut extensions = Vec::new();
        for (schema, _) in &view.extensions {
            let named = sel.ext.iter().find(|(u, _, _)| u.eq_ignore_ascii_case(&schema.id));
            let (whole, list) = named.map_or((false, &[][..]), |(_, w, l)| (*w, l.as_slice()));
            let defs: Vec<&AttributeDef> = schema.attributes.iter().collect();
            extensions.push(Scope::build(mode, Some(schema.id.clone()), &defs, whole, list));
        }
        // Extensions the view does not know, named by URN-qualified names: matched by name only.
        for (urn, whole, list) in &sel.ext {
            if !extensions.iter().any(|s| s.urn.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(urn))) {
                extensions.push(Scope::build(mode, Some(urn.clone()), &[], *whole, list));
            }
        }
        Projection { mode, top, extensions }
    }

    /// Whether this is the default projection (no parameter given).
    pub fn is_default(&self) -> bool {
        self.mode == Mode::Default
    }

    /// Returns the projected copy of `resource`, copying only what is kept. A non-object is returned as is.
    pub fn apply(&self, resource: &Value) -> Value {
        let Value::Object(obj) = resource else {
            return resource.clone();
        };
        let mut out = Map::new();
        let mut dropped: Vec<&str> = Vec::new();
        for (k, v) in obj {
            if let Some(scope) = self.extension_scope(k) {
                match scope.project_object(v) {
                    Some(p) => {
                        out.insert(k.clone(), p);
                    }
                    None => dropped.push(k),
                }
            } else if let Some(p) = self.top.action(k).project(v) {
                out.insert(k.clone(), p);
            }
        }
        if !dropped.is_empty() {
            prune_schemas(&mut out, &dropped);
        }
        Value::Object(out)
    }

    /// Projects `resource` in place: the same result as [`Projection::apply`], without copying what is kept.
    pub fn apply_in_place(&self, resource: &mut Value) {
        let Value::Object(obj) = resource else {
            return;
        };
        let mut dropped: Vec<String> = Vec::new();
        obj.retain(|k, v| {
            if let Some(scope) = self.extension_scope(k) {
                let keep = scope.project_object_in_place(v);
                if !keep {
                    dropped.push(k.clone());
                }
                keep
            } else {
                self.top.action(k).project_in_place(v)
            }
        });
        if !dropped.is_empty() {
            let dropped: Vec<&str> = dropped.iter().map(String::as_str).collect();
            prune_schemas(obj, &dropped);
        }
    }

    fn extension_scope(&self, key: &str) -> Option<&Scope> {
        self.extensions.iter().find(|s| s.urn.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(key)))
    }
}

/// Removes from `schemas` the URNs of extension objects the projection dropped.
fn prune_schemas(obj: &mut Map<String, Value>, dropped: &[&str]) {
    let Some(key) = key_ci(obj, "schemas").map(str::to_owned) else {
        return;
    };
    if let Some(Value::Array(urns)) = obj.get_mut(&key) {
        urns.retain(|u| !u.as_str().is_some_and(|u| dropped.iter().any(|d| d.eq_ignore_ascii_case(u))));
    }
}

impl Scope {
    fn build(mode: Mode, urn: Option<String>, defs: &[&AttributeDef], whole: bool, named: &[(String, Named)]) -> Scope {
        let find = |name: &str| named.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, n)| n);
        let mut rules: Vec<(String, Action)> =
            defs.iter().map(|d| (d.name.clone(), action_for(mode, Some(d), find(&d.name), whole))).collect();
        for (name, n) in named {
            if !defs.iter().any(|d| d.name.eq_ignore_ascii_case(name)) {
                rules.push((name.clone(), action_for(mode, None, Some(n), whole)));
            }
        }
        let other = action_for(mode, None, None, whole);
        let keep_all = other == Action::Keep && rules.iter().all(|(_, a)| *a == Action::Keep);
        Scope { urn, rules, other, keep_all }
    }

    fn action(&self, key: &str) -> &Action {
        self.rules.iter().find(|(n, _)| n.eq_ignore_ascii_case(key)).map_or(&self.other, |(_, a)| a)
    }

    /// An extension object, projected; `None` when it is dropped.
    fn project_object(&self, v: &Value) -> Option<Value> {
        if self.keep_all {
            return Some(v.clone());
        }
        let Value::Object(o) = v else {
            return self.other.project(v);
        };
        let out: Map<String, Value> =
            o.iter().filter_map(|(k, v)| self.action(k).project(v).map(|p| (k.clone(), p))).collect();
        (!out.is_empty() || o.is_empty()).then_some(Value::Object(out))
    }

    fn project_object_in_place(&self, v: &mut Value) -> bool {
        if self.keep_all {
            return true;
        }
        let Value::Object(o) = v else {
            return self.other.project_in_place(v);
        };
        let was_empty = o.is_empty();
        o.retain(|k, v| self.action(k).project_in_place(v));
        was_empty || !o.is_empty()
    }
}

impl Action {
    fn project(&self, v: &Value) -> Option<Value> {
        match self {
            Action::Drop => None,
            Action::Keep => Some(v.clone()),
            Action::Filter(f) => f.project(v),
        }
    }

    fn project_in_place(&self, v: &mut Value) -> bool {
        match self {
            Action::Drop => false,
            Action::Keep => true,
            Action::Filter(f) => f.project_in_place(v),
        }
    }
}

impl SubFilter {
    fn keeps(&self, key: &str) -> bool {
        self.rules.iter().find(|(n, _)| n.eq_ignore_ascii_case(key)).map_or(self.other, |(_, k)| *k)
    }

    fn project_object(&self, o: &Map<String, Value>) -> Option<Map<String, Value>> {
        let out: Map<String, Value> =
            o.iter().filter(|(k, _)| self.keeps(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
        (!out.is_empty() || o.is_empty()).then_some(out)
    }

    fn project(&self, v: &Value) -> Option<Value> {
        match v {
            Value::Object(o) => self.project_object(o).map(Value::Object),
            Value::Array(items) => {
                let out: Vec<Value> = items
                    .iter()
                    .filter_map(|e| match e {
                        Value::Object(o) => self.project_object(o).map(Value::Object),
                        other => self.other.then(|| other.clone()),
                    })
                    .collect();
                (!out.is_empty() || items.is_empty()).then_some(Value::Array(out))
            }
            other => self.other.then(|| other.clone()),
        }
    }

    fn project_in_place(&self, v: &mut Value) -> bool {
        match v {
            Value::Object(o) => {
                let was_empty = o.is_empty();
                o.retain(|k, _| self.keeps(k));
                was_empty || !o.is_empty()
            }
            Value::Array(items) => {
                let was_empty = items.is_empty();
                items.retain_mut(|e| match e {
                    Value::Object(o) => {
                        let was_empty = o.is_empty();
                        o.retain(|k, _| self.keeps(k));
                        was_empty || !o.is_empty()
                    }
                    _ => self.other,
                });
                was_empty || !items.is_empty()
            }
            _ => self.other,
        }
    }
}

/// RFC 7643 section 7 and RFC 7644 section 3.9: what happens to one attribute, given its definition (if the
/// schema has one), what the parameter named of it, and whether its whole level (a bare URN) was named.
fn action_for(mode: Mode, def: Option<&AttributeDef>, named: Option<&Named>, level_whole: bool) -> Action {
    let returned = def.map_or(Returned::Default, |d| d.returned);
    let whole = level_whole || named.is_some_and(|n| n.whole);
    let subs: &[String] = named.map_or(&[], |n| &n.subs);
    match (returned, mode) {
        (Returned::Never, _) => Action::Drop,
        (Returned::Always, _) => default_subs(def),
        (Returned::Request, Mode::Default | Mode::Exclude) => Action::Drop,
        (Returned::Default, Mode::Default) => default_subs(def),
        (Returned::Default | Returned::Request, Mode::Include) => {
            if whole {
                named_whole(def)
            } else if !subs.is_empty() {
                include_subs(def, subs)
            } else {
                Action::Drop
            }
        }
        (Returned::Default, Mode::Exclude) => {
            if whole {
                Action::Drop
            } else if !subs.is_empty() {
                exclude_subs(def, subs)
            } else {
                default_subs(def)
            }
        }
    }
}

fn complex_subs(def: Option<&AttributeDef>) -> &[AttributeDef] {
    match def {
        Some(d) if d.kind == AttrType::Complex => &d.sub_attributes,
        _ => &[],
    }
}

/// The default set of a complex attribute's sub-attributes: everything but `never` and `request` ones.
fn default_subs(def: Option<&AttributeDef>) -> Action {
    let drop: Vec<(String, bool)> = complex_subs(def)
        .iter()
        .filter(|s| matches!(s.returned, Returned::Never | Returned::Request))
        .map(|s| (s.name.clone(), false))
        .collect();
    if drop.is_empty() { Action::Keep } else { Action::Filter(SubFilter { rules: drop, other: true }) }
}

/// A complex attribute named whole: every sub-attribute but `never` ones (naming the parent names its children).
fn named_whole(def: Option<&AttributeDef>) -> Action {
    let drop: Vec<(String, bool)> =
        complex_subs(def).iter().filter(|s| s.returned == Returned::Never).map(|s| (s.name.clone(), false)).collect();
    if drop.is_empty() { Action::Keep } else { Action::Filter(SubFilter { rules: drop, other: true }) }
}

/// `attributes=name.sub`: the named sub-attributes and the `always` ones; nothing else, and no scalar values.
fn include_subs(def: Option<&AttributeDef>, subs: &[String]) -> Action {
    let is_named = |n: &str| subs.iter().any(|s| s.eq_ignore_ascii_case(n));
    let defs = complex_subs(def);
    let mut rules: Vec<(String, bool)> = defs
        .iter()
        .map(|s| {
            let keep = s.returned == Returned::Always || (is_named(&s.name) && s.returned != Returned::Never);
            (s.name.clone(), keep)
        })
        .collect();
    for s in subs {
        if !defs.iter().any(|d| d.name.eq_ignore_ascii_case(s)) {
            rules.push((s.clone(), true));
        }
    }
    Action::Filter(SubFilter { rules, other: false })
}

/// `excludedAttributes=name.sub`: the default set of sub-attributes minus the named ones (never an `always` one).
fn exclude_subs(def: Option<&AttributeDef>, subs: &[String]) -> Action {
    let is_named = |n: &str| subs.iter().any(|s| s.eq_ignore_ascii_case(n));
    let defs = complex_subs(def);
    let mut rules: Vec<(String, bool)> = defs
        .iter()
        .map(|s| {
            let keep = s.returned == Returned::Always || (s.returned == Returned::Default && !is_named(&s.name));
            (s.name.clone(), keep)
        })
        .collect();
    for s in subs {
        if !defs.iter().any(|d| d.name.eq_ignore_ascii_case(s)) {
            rules.push((s.clone(), false));
        }
    }
    Action::Filter(SubFilter { rules, other: true })
}

/// Splits one parameter into its names: comma-separated, trimmed, empty items skipped, each checked against
/// standard attribute notation (RFC 7644 section 3.10).
fn names<'t>(param: &str, text: Option<&'t str>) -> Result<Vec<&'t str>, ScimError> {
    let Some(text) = text else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !is_attribute_notation(name) {
            return Err(ScimError::invalid_value(format!(
                "{param}: {name:?} is not an attribute name in standard attribute notation \
                 (RFC 7644 section 3.10: [schema URN \":\"] name [\".\" sub-attribute])"
            )));
        }
        out.push(name);
    }
    Ok(out)
}

/// RFC 7644 section 3.10: `[URN ":"] ATTRNAME ["." ATTRNAME]`. A URN-qualified name is only checked for
/// characters no URN may hold (whitespace, quotes, brackets), since URNs may contain dots.
pub(crate) fn is_attribute_notation(name: &str) -> bool {
    // `get`, not `[..4]`: a name such as `A𐫀` has no char boundary at 4 (found by fuzzing the mock SP).
    if name.len() > 4 && name.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return !name.contains(|c: char| c.is_whitespace() || "\"'[]()<>{}".contains(c));
    }
    let mut parts = name.split('.');
    let ok = |p: Option<&str>| p.is_some_and(is_attrname);
    match (parts.next(), parts.next(), parts.next()) {
        (first, None, None) => ok(first),
        (first, Some(sub), None) => ok(first) && is_attrname(sub),
        _ => false,
    }
}

/// `ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_")`, plus `$ref`, which RFC 7643 uses as a sub-attribute name.
fn is_attrname(s: &str) -> bool {
    if s.eq_ignore_ascii_case("$ref") {
        return true;
    }
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Selection {
    /// Sorts validated names by level. Unqualified names resolve as RFC 7644 section 3.10 says (core schema,
    /// common attributes, then extensions); a name nothing resolves stays at the top level, as written.
    fn build(list: &[&str], view: &ResourceView<'_>) -> Selection {
        let mut sel = Selection::default();
        for &text in list {
            if let Some(ext) = view.extension(text) {
                *sel.ext_entry(&ext.id).0 = true;
                continue;
            }
            if view.is_core_urn(text) {
                sel.top_whole = true;
                continue;
            }
            let (urn, rest) = split_urn(text);
            let (name, sub) = match rest.split_once('.') {
                Some((n, s)) => (n, Some(s)),
                None => (rest, None),
            };
            let level: Option<String> = match urn {
                Some(u) if view.is_core_urn(u) => None,
                Some(u) => match view.extension(u) {
                    Some(ext) => Some(ext.id.clone()),
                    None => {
                        // Could also be the bare URN of an extension the view lacks: that object sits at the top
                        // level under the URN itself, so name it there too.
                        add_named(&mut sel.top, text, None);
                        Some(u.to_owned())
                    }
                },
                None => view.resolve(None, name).and_then(|r| r.extension.map(str::to_owned)),
            };
            let canonical = view
                .resolve(Some(level.as_deref().unwrap_or(view.core.id.as_str())), name)
                .map_or(name, |r| r.attr.name.as_str());
            match level {
                None => add_named(&mut sel.top, canonical, sub),
                Some(u) => add_named(sel.ext_entry(&u).1, canonical, sub),
            }
        }
        sel
    }

    fn ext_entry(&mut self, urn: &str) -> (&mut bool, &mut NamedList) {
        let i = match self.ext.iter().position(|(u, _, _)| u.eq_ignore_ascii_case(urn)) {
            Some(i) => i,
            None => {
                self.ext.push((urn.to_owned(), false, Vec::new()));
                self.ext.len() - 1
            }
        };
        let (_, whole, list) = &mut self.ext[i];
        (whole, list)
    }
}

fn add_named(list: &mut NamedList, name: &str, sub: Option<&str>) {
    let i = match list.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(i) => i,
        None => {
            list.push((name.to_owned(), Named::default()));
            list.len() - 1
        }
    };
    let named = &mut list[i].1;
    match sub {
        None => named.whole = true,
        Some(s) => named.subs.push(s.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SchemaRegistry;
    use serde_json::json;

    #[test]
    fn attribute_notation() {
        for ok in ["userName", "name.givenName", "members.$ref", "urn:ietf:params:scim:schemas:core:2.0:User:name"] {
            assert!(is_attribute_notation(ok), "{ok}");
        }
        for bad in ["", "1abc", "name.given.x", "emails[type eq \"work\"]", "user name", ".x", "a.", "urn:x y"] {
            assert!(!is_attribute_notation(bad), "{bad}");
        }
    }

    #[test]
    fn default_drops_never_and_keeps_order_and_key_case() {
        let r = SchemaRegistry::core();
        let p = Projection::default_for(&r.user());
        let u = json!({"UserName": "a", "password": "x", "id": "1", "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]});
        let out = p.apply(&u);
        assert_eq!(
            out.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["UserName".to_owned(), "id".to_owned(), "schemas".to_owned()])
        );
    }

    #[test]
    fn both_parameters_are_refused_but_empty_counts_as_absent() {
        let r = SchemaRegistry::core();
        let e = Projection::parse(Some("userName"), Some("emails"), &r.user()).expect_err("exclusive");
        assert_eq!(e.status, 400);
        assert!(Projection::parse(Some("userName"), Some(" , "), &r.user()).is_ok());
    }
}
