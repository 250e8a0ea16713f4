//! RFC 7644 section 3.4.2.2: evaluating a filter over resources, guided by the resource type's schema.
//!
//! [`Matcher::compile`] turns a [`Filter`] tree into a small owned program: every attribute name resolved once to
//! the JSON keys to look up (under an extension's URN key or not), every comparison checked against the
//! attribute's type and `caseExact`, every literal pre-processed (folded to lowercase, parsed as a number or an
//! instant). [`Matcher::matches`] then walks a resource without allocating on the common path. The leaf rules
//! (how one value compares with one literal) live in `compare.rs`.
//!
//! The evaluation rules are documented on [`Matcher`], where rustdoc shows them.

use super::ast::{AttrPath, CompValue, CompareOp, Filter, Test, ValuePath};
use super::batch::{NO_SLOT, Plan};
use super::compare::{NumLit, OrdOp, StrOp, fold, fold_free, num_cmp, parse_datetime, str_test};
use super::member;
use crate::error::ScimError;
use crate::json::is_present;
use crate::schema::{AttrType, AttributeDef, ResourceView};
use jiff::Timestamp;
use serde_json::Value;
use std::fmt;

/// A filter compiled against one resource type: attribute names resolved, types checked, literals pre-processed
/// (lowercased for `caseExact=false`, dateTimes parsed). It owns its data, so a server can cache it and share it
/// between threads.
///
/// The rules, with the decisions made where the RFC leaves room:
///
/// - Names (RFC 7643 section 2.1, RFC 7644 section 3.10): resolved through [`ResourceView::resolve`] (core schema,
///   then the common attributes `id`, `externalId`, `meta`, `schemas`, then the extensions), with or without a
///   URN prefix; extension values are read under the extension's URN key; every JSON member lookup ignores case.
///   A name the schema does not know is not an error: it is read as written and compared by the JSON value's own
///   type (strings case-insensitively), so it usually matches nothing.
/// - Multi-valued attributes (section 3.4.2.2): an expression matches when any value matches. `emails.value`
///   looks at the `value` of every element.
/// - Complex attributes compared without a sub-attribute (`emails co "x"`, `name eq "x"`) compare the `value`
///   sub-attribute, which RFC 7643 section 2.4 makes the primary value of a complex attribute.
/// - `pr`, `eq null`, `ne null` are presence tests ([`crate::json::is_present`]): `eq null` is `not pr`.
/// - `ne x` matches when no value equals `x`. It is exactly `not (eq x)`: an absent attribute matches `ne`, and
///   `emails.value ne "a"` means that no email has the value `a`.
/// - Value filters `emails[type eq "work"]` (section 3.4.2.2): some element satisfies the bracketed filter, whose
///   names are sub-attributes of the element; on a single-valued complex attribute the bracket applies to its one
///   object. The extension `emails[type eq "work"].value eq "a"` matches when one element satisfies both the
///   bracket and the test on its sub-attribute.
/// - Types (RFC 7643 section 2.3, RFC 7644 section 3.4.2.2): strings, references and binaries take eq ne co sw
///   ew gt ge lt le with a string literal (references and binaries are always case-exact; binaries refuse
///   ordering); booleans take eq and ne with true or false; integers and decimals take eq ne gt ge lt le with a
///   number (two integers compare exactly, anything else as f64); dateTimes take eq ne gt ge lt le with a string
///   that reads as an instant (compared by instant, whatever the offset; text without an offset is UTC) and co sw
///   ew on their text, case-exact. Anything else is 400 `invalidFilter`. A stored value of the wrong JSON type,
///   or a stored dateTime that does not parse, never passes a comparison (but counts as present for `pr`).
#[derive(Debug, Clone)]
pub struct Matcher {
    pub(super) root: Node,
    /// The attributes the root-level tests read, which [`Matcher::select`] resolves for many resources at once.
    pub(super) plan: Plan,
}

impl Matcher {
    /// Compiles `filter` for resources of `view`'s type. Names resolve as RFC 7644 section 3.10 says (see the
    /// module documentation), and each comparison is checked against the attribute's type (RFC 7643 section 2.3,
    /// RFC 7644 section 3.4.2.2). A comparison the type forbids is a 400 `invalidFilter` whose detail names the
    /// attribute and the reason.
    pub fn compile(filter: &Filter, view: &ResourceView<'_>) -> Result<Matcher, ScimError> {
        let root = Compiler { view, scope: Scope::Resource }.node(filter)?;
        Ok(Matcher::new(root))
    }

    /// Compiles a filter whose names are sub-attributes of the elements of `parent` (the bracket of a PATCH
    /// value path, RFC 7644 section 3.5.2: `emails[type eq "work"]`, with `parent` the resolved `emails`). The
    /// resulting matcher tests one element, not a resource. Value filters cannot nest, and names inside the
    /// bracket cannot carry a URN: either is a 400 `invalidFilter`.
    pub fn compile_for_element(
        filter: &Filter,
        view: &ResourceView<'_>,
        parent: &AttributeDef,
    ) -> Result<Matcher, ScimError> {
        let scope = Scope::Element { parent: Some(parent), within: Within::Name(&parent.name) };
        let root = Compiler { view, scope }.node(filter)?;
        Ok(Matcher::new(root))
    }

    /// Whether the resource (or, for [`Matcher::compile_for_element`], the element) matches. A value that is not
    /// a JSON object has no attributes: only filters that a resource without attributes satisfies match it.
    pub fn matches(&self, resource: &Value) -> bool {
        self.root.eval(resource, &[])
    }

    fn new(mut root: Node) -> Matcher {
        let plan = Plan::assign(&mut root);
        Matcher { root, plan }
    }
}

/// Compiles `filter` for `view` and tests one resource. Compile once with [`Matcher::compile`] to test many.
pub fn matches(filter: &Filter, view: &ResourceView<'_>, resource: &Value) -> Result<bool, ScimError> {
    Ok(Matcher::compile(filter, view)?.matches(resource))
}

/// The compiled program.
#[derive(Debug, Clone)]
pub(super) enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Not(Box<Node>),
    /// Some value reached by `loc` passes `pred`. `slot`: where batched evaluation keeps the attribute's value
    /// once resolved ([`NO_SLOT`] for none, see `batch.rs`).
    Leaf {
        loc: Loc,
        pred: Pred,
        slot: u8,
    },
    /// Some element of the attribute at `loc` (or its one object, for a single-valued attribute) satisfies
    /// `filter`, evaluated with the element as its context.
    Elements {
        loc: Loc,
        filter: Box<Node>,
        slot: u8,
    },
}

/// Where an attribute's values live, relative to the context object (the resource, or one element).
#[derive(Debug, Clone)]
pub(super) struct Loc {
    /// The extension URN key the attribute lives under, if any.
    pub(super) ext: Option<Box<str>>,
    /// The attribute's key.
    pub(super) key: Box<str>,
    /// The sub-attribute's key, looked up in each value of the attribute.
    pub(super) sub: Option<Box<str>>,
}

/// A test of one value.
#[derive(Debug, Clone)]
pub(super) enum Pred {
    /// `pr`: the value is present ([`is_present`]).
    Present,
    /// A string test. `exact`: compare the value as written (a `caseExact` attribute, or a literal that folding
    /// cannot affect, see [`fold_free`]); otherwise `lit` is folded and so is the value.
    Str { op: StrOp, lit: Box<str>, exact: bool },
    /// `eq true` / `eq false`.
    Bool(bool),
    /// A numeric comparison.
    Num { op: OrdOp, lit: NumLit },
    /// A dateTime comparison by instant.
    Time { op: OrdOp, lit: Timestamp },
    /// A test that no value can pass (an untyped attribute compared in a way its literal's type cannot be).
    Never,
}

impl Node {
    /// Whether `ctx` satisfies the node. `tops` holds the values of the attributes with a slot, when batched
    /// evaluation resolved them already (`tops[slot]`); a slot past its end is looked up in `ctx`.
    pub(super) fn eval(&self, ctx: &Value, tops: &[Option<&Value>]) -> bool {
        match self {
            Node::And(a, b) => a.eval(ctx, tops) && b.eval(ctx, tops),
            Node::Or(a, b) => a.eval(ctx, tops) || b.eval(ctx, tops),
            Node::Not(a) => !a.eval(ctx, tops),
            Node::Leaf { loc, pred, slot } => {
                let top = tops.get(usize::from(*slot)).map_or_else(|| loc.top(ctx), |t| *t);
                top.is_some_and(|top| loc.any_in(top, &mut |v| pred.test(v)))
            }
            Node::Elements { loc, filter, slot } => {
                let top = tops.get(usize::from(*slot)).map_or_else(|| loc.top(ctx), |t| *t);
                top.is_some_and(|top| any_flat(top, &mut |e| filter.eval(e, &[])))
            }
        }
    }
}

impl Loc {
    /// The attribute's value in `ctx`, case-insensitively. Members are found by scanning (see `member.rs`):
    /// over 10,000 resources that are not in cache, each lookup costs a few cache misses.
    pub(super) fn top<'v>(&self, ctx: &'v Value) -> Option<&'v Value> {
        let mut obj = ctx.as_object()?;
        if let Some(ext) = &self.ext {
            obj = member::get_ci(obj, ext)?.as_object()?;
        }
        member::get_ci(obj, &self.key)
    }

    /// Whether `f` holds for some value the location reaches from `top`, the attribute's value: its values (array
    /// elements one by one), or the sub-attribute's values in each of them.
    fn any_in(&self, top: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
        match &self.sub {
            None => any_flat(top, f),
            Some(sub) => any_flat(top, &mut |e| {
                e.as_object().and_then(|o| member::get_ci(o, sub)).is_some_and(|v| any_flat(v, &mut *f))
            }),
        }
    }
}

/// `f` over the value, or over each element when it is an array (RFC 7644 section 3.4.2.2: any value matches).
fn any_flat(v: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|x| any_flat(x, &mut *f)),
        _ => f(v),
    }
}

impl Pred {
    fn test(&self, v: &Value) -> bool {
        match (self, v) {
            (Pred::Present, _) => is_present(v),
            (Pred::Str { op, lit, exact }, Value::String(s)) => str_test(s, *op, lit, *exact),
            (Pred::Bool(b), Value::Bool(x)) => b == x,
            (Pred::Num { op, lit }, Value::Number(n)) => num_cmp(n, *lit).is_some_and(|o| op.holds(o)),
            (Pred::Time { op, lit }, Value::String(s)) => parse_datetime(s).is_some_and(|t| op.holds(t.cmp(lit))),
            _ => false,
        }
    }
}

/// What names are relative to.
enum Scope<'c> {
    /// The resource: names resolve through the view.
    Resource,
    /// One element of a complex attribute (the bracket of a value path): names are its sub-attributes.
    /// `parent` is `None` for an attribute the schema does not know; `within` names it in errors.
    Element { parent: Option<&'c AttributeDef>, within: Within<'c> },
}

/// The attribute whose value filter the names sit in, as errors name it.
#[derive(Clone, Copy)]
enum Within<'c> {
    /// The parent given to [`Matcher::compile_for_element`], by its schema name.
    Name(&'c str),
    /// The attribute path before the bracket, as the filter wrote it.
    Path(&'c AttrPath),
}

impl fmt::Display for Within<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Within::Name(n) => f.write_str(n),
            Within::Path(p) => write_path(f, p),
        }
    }
}

/// How an error names a path: as the filter wrote it, after the attribute whose value filter it sits in
/// (`emails.type`). It is rendered only when an error is built: a PATCH compiles its value filters on every
/// request, and formatting labels that no error used was most of the cost of compiling `type eq "work"`.
struct Label<'s> {
    within: Option<Within<'s>>,
    path: &'s AttrPath,
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(w) = self.within {
            write!(f, "{w}.")?;
        }
        write_path(f, self.path)
    }
}

struct Compiler<'c, 'a> {
    view: &'c ResourceView<'a>,
    scope: Scope<'c>,
}

/// A resolved attribute: where its values are, and the definition of the values a comparison looks at.
struct Target<'c> {
    loc: Loc,
    def: Option<&'c AttributeDef>,
}

impl<'c> Compiler<'c, '_> {
    fn node(&self, f: &Filter) -> Result<Node, ScimError> {
        Ok(self.operand(f)?.0)
    }

    /// Compiles `f`, and says whether it only tests attributes that have canonical values (RFC 7643 section 7,
    /// `canonicalValues`: `emails.type` is work, home or other).
    ///
    /// Such a test rejects few elements, so `and` evaluates it after an operand that is not one: in
    /// `emails[type eq "work" and value co "5000"]` the `value` test alone rejects almost every email, and over
    /// 10,000 users that are not in cache, skipping the `type` test on each email made the scan a quarter faster
    /// (the scan waits on memory, and each test adds reads and instructions between one user and the next). No answer changes: evaluating a compiled filter has no
    /// effects and cannot fail, so `a and b` is `b and a`; compile errors are still reported in the order written.
    fn operand(&self, f: &Filter) -> Result<(Node, bool), ScimError> {
        Ok(match f {
            Filter::And(a, b) => {
                let ((a, broad_a), (b, broad_b)) = (self.operand(a)?, self.operand(b)?);
                let (first, then) = if broad_a && !broad_b { (b, a) } else { (a, b) };
                (Node::And(Box::new(first), Box::new(then)), broad_a && broad_b)
            }
            Filter::Or(a, b) => {
                let ((a, broad_a), (b, broad_b)) = (self.operand(a)?, self.operand(b)?);
                (Node::Or(Box::new(a), Box::new(b)), broad_a && broad_b)
            }
            Filter::Not(a) => {
                let (a, broad) = self.operand(a)?;
                (Node::Not(Box::new(a)), broad)
            }
            Filter::Attr(e) => self.leaf(&e.path, &e.test)?,
            Filter::ValuePath(vp) => (self.value_path(vp)?, false),
        })
    }

    /// How errors name `path` in the current scope.
    fn label<'s>(&'s self, path: &'s AttrPath) -> Label<'s> {
        let within = match &self.scope {
            Scope::Resource => None,
            Scope::Element { within, .. } => Some(*within),
        };
        Label { within, path }
    }

    /// RFC 7644 section 3.4.2.2, `attrPath op value` and `attrPath pr`; with whether the attribute has
    /// canonical values (see [`Compiler::operand`]).
    fn leaf(&self, path: &AttrPath, test: &Test) -> Result<(Node, bool), ScimError> {
        let comparing = matches!(test, Test::Compare(_, v) if *v != CompValue::Null);
        let target = self.target(path, comparing)?;
        let broad = target.def.is_some_and(|d| !d.canonical_values.is_empty());
        let (op, lit) = match test {
            Test::Present => return Ok((leaf(target.loc, Pred::Present), broad)),
            Test::Compare(op, lit) => (*op, lit),
        };
        if *lit == CompValue::Null {
            // `eq null`: no present value; `ne null`: some present value. Other operators have no meaning.
            let present = leaf(target.loc, Pred::Present);
            return match op {
                CompareOp::Eq => Ok((Node::Not(Box::new(present)), broad)),
                CompareOp::Ne => Ok((present, broad)),
                _ => Err(invalid(
                    self.label(path),
                    format!("null can be compared only with eq or ne, not {}", op.as_str()),
                )),
            };
        }
        let pred = typed_pred(target.def, op, lit, &self.label(path))?;
        let leaf = leaf(target.loc, pred);
        Ok((if op == CompareOp::Ne { Node::Not(Box::new(leaf)) } else { leaf }, broad))
    }

    /// Resolves a path in the current scope. When `comparing` and the path names a complex attribute without a
    /// sub-attribute, the comparison looks at its `value` sub-attribute (RFC 7643 section 2.4).
    fn target(&self, path: &AttrPath, comparing: bool) -> Result<Target<'c>, ScimError> {
        let (ext, key, def) = match &self.scope {
            Scope::Resource => match self.view.resolve(path.urn.as_deref(), &path.name) {
                Some(r) => (r.extension.map(Box::from), Box::from(r.attr.name.as_str()), Some(r.attr)),
                None => {
                    // Unknown: an unknown URN still says where the value would live.
                    let ext = path.urn.as_deref().filter(|u| !self.view.is_core_urn(u)).map(Box::from);
                    (ext, Box::from(path.name.as_str()), None)
                }
            },
            Scope::Element { parent, within } => {
                if path.urn.is_some() {
                    return Err(invalid(
                        self.label(path),
                        format!("names inside {within}[...] are sub-attributes of {within}; drop the URN"),
                    ));
                }
                let def = parent.and_then(|p| p.sub(&path.name));
                let key = def.map_or(path.name.as_str(), |d| d.name.as_str());
                (None, Box::from(key), def)
            }
        };
        let (sub, def) = match (&path.sub, def) {
            (Some(s), Some(d)) => {
                let sd = d.sub(s);
                (Some(Box::from(sd.map_or(s.as_str(), |x| x.name.as_str()))), sd)
            }
            (Some(s), None) => (Some(Box::from(s.as_str())), None),
            (None, Some(d)) if comparing && d.kind == AttrType::Complex => {
                let sd = d.sub("value");
                (Some(Box::from(sd.map_or("value", |x| x.name.as_str()))), sd)
            }
            (None, d) => (None, d),
        };
        Ok(Target { loc: Loc { ext, key, sub }, def })
    }

    /// RFC 7644 section 3.4.2.2, `attrPath "[" valFilter "]"`, with the `[..].sub test` extension.
    fn value_path(&self, vp: &ValuePath) -> Result<Node, ScimError> {
        let target = self.target(&vp.attr, false)?;
        if let Scope::Element { within, .. } = &self.scope {
            return Err(invalid(self.label(&vp.attr), format!("value filters cannot nest inside {within}[...]")));
        }
        if let Some(d) = target.def
            && d.kind != AttrType::Complex
        {
            return Err(invalid(
                self.label(&vp.attr),
                format!("a value filter [...] applies to complex attributes, and this one is {}", d.kind.as_str()),
            ));
        }
        if vp.attr.sub.is_some() {
            return Err(invalid(self.label(&vp.attr), "a value filter [...] cannot follow a sub-attribute"));
        }
        let scope = Scope::Element { parent: target.def, within: Within::Path(&vp.attr) };
        let inner = Compiler { view: self.view, scope };
        let mut filter = inner.node(&vp.filter)?;
        if let Some((sub, test)) = &vp.then {
            let (then, _) = inner.leaf(&AttrPath::simple(sub.as_str()), test)?;
            filter = Node::And(Box::new(filter), Box::new(then));
        }
        Ok(Node::Elements { loc: target.loc, filter: Box::new(filter), slot: NO_SLOT })
    }
}

/// A leaf without a slot yet (slots are assigned once the whole tree is compiled).
fn leaf(loc: Loc, pred: Pred) -> Node {
    Node::Leaf { loc, pred, slot: NO_SLOT }
}

/// RFC 7644 section 3.4.2.2 with RFC 7643 section 2.3: the comparison `op lit` on a value of `def`'s type, `ne`
/// compiled as `eq` (the caller negates it). `None` (an attribute the schema does not know) compares by the
/// literal's own type and never fails.
fn typed_pred(
    def: Option<&AttributeDef>,
    op: CompareOp,
    lit: &CompValue,
    label: &dyn fmt::Display,
) -> Result<Pred, ScimError> {
    let Some(def) = def else {
        return Ok(untyped_pred(op, lit));
    };
    let kind = def.kind;
    let refuse = |why: String| Err(invalid(label, why));
    let wrong_literal = |want: &str| {
        refuse(format!("it is a {} attribute, so compare it with {want}, not {}", kind.as_str(), describe(lit)))
    };
    match kind {
        AttrType::String | AttrType::Reference | AttrType::Binary => {
            // RFC 7644 section 3.4.2.2: gt ge lt le on binary attributes are refused.
            if kind == AttrType::Binary && op.is_ordering() {
                return refuse(format!("{} is not allowed on binary attributes", op.as_str()));
            }
            let CompValue::String(s) = lit else {
                return wrong_literal("a string");
            };
            let op = str_op(op);
            let exact = def.is_case_exact() || fold_free(op, s);
            let lit = if exact { s.clone() } else { fold(s).into_owned() };
            Ok(Pred::Str { op, lit: lit.into_boxed_str(), exact })
        }
        AttrType::Boolean => {
            // RFC 7644 section 3.4.2.2: booleans take eq and ne only.
            if !matches!(op, CompareOp::Eq | CompareOp::Ne) {
                return refuse(format!("boolean attributes accept only eq and ne, not {}", op.as_str()));
            }
            match lit {
                CompValue::Bool(b) => Ok(Pred::Bool(*b)),
                _ => wrong_literal("true or false"),
            }
        }
        AttrType::Integer | AttrType::Decimal => {
            let Some(o) = ord_op(op) else {
                return refuse(format!("{} applies to strings, not {} attributes", op.as_str(), kind.as_str()));
            };
            let CompValue::Number(n) = lit else {
                return wrong_literal("a number");
            };
            match NumLit::from_number(n) {
                Some(lit) => Ok(Pred::Num { op: o, lit }),
                None => refuse(format!("the number {n} is out of range")),
            }
        }
        AttrType::DateTime => {
            let CompValue::String(s) = lit else {
                return wrong_literal("a dateTime string such as \"2011-05-13T04:42:34Z\"");
            };
            match ord_op(op) {
                // co / sw / ew on a dateTime look at its text, as written (case-exact).
                None => Ok(Pred::Str { op: str_op(op), lit: s.as_str().into(), exact: true }),
                Some(o) => match parse_datetime(s) {
                    Some(t) => Ok(Pred::Time { op: o, lit: t }),
                    None => refuse(format!(
                        "{s:?} is not a valid dateTime; write an RFC 3339 instant such as \"2011-05-13T04:42:34Z\""
                    )),
                },
            }
        }
        AttrType::Complex => refuse("a complex attribute cannot be compared; name one of its sub-attributes".into()),
    }
}

/// An attribute the schema does not know: compared as the literal's JSON type says (strings case-insensitively);
/// values of another JSON type never match.
fn untyped_pred(op: CompareOp, lit: &CompValue) -> Pred {
    match lit {
        CompValue::String(s) => {
            let op = str_op(op);
            let exact = fold_free(op, s);
            Pred::Str { op, lit: if exact { s.as_str().into() } else { fold(s).into_owned().into_boxed_str() }, exact }
        }
        CompValue::Number(n) => match (ord_op(op), NumLit::from_number(n)) {
            (Some(op), Some(lit)) => Pred::Num { op, lit },
            _ => Pred::Never,
        },
        CompValue::Bool(b) if matches!(op, CompareOp::Eq | CompareOp::Ne) => Pred::Bool(*b),
        CompValue::Bool(_) | CompValue::Null => Pred::Never,
    }
}

/// `ne` maps to `eq` (negated by the caller).
fn ord_op(op: CompareOp) -> Option<OrdOp> {
    match op {
        CompareOp::Eq | CompareOp::Ne => Some(OrdOp::Eq),
        CompareOp::Gt => Some(OrdOp::Gt),
        CompareOp::Ge => Some(OrdOp::Ge),
        CompareOp::Lt => Some(OrdOp::Lt),
        CompareOp::Le => Some(OrdOp::Le),
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => None,
    }
}

fn str_op(op: CompareOp) -> StrOp {
    match (op, ord_op(op)) {
        (_, Some(o)) => StrOp::Ord(o),
        (CompareOp::Sw, None) => StrOp::Sw,
        (CompareOp::Ew, None) => StrOp::Ew,
        _ => StrOp::Co,
    }
}

fn describe(lit: &CompValue) -> String {
    match lit {
        CompValue::Null => "null".into(),
        CompValue::Bool(b) => b.to_string(),
        CompValue::Number(n) => format!("the number {n}"),
        CompValue::String(s) => format!("the string {s:?}"),
    }
}

/// Writes a path as the filter wrote it: `urn:name.sub`.
fn write_path(f: &mut fmt::Formatter<'_>, p: &AttrPath) -> fmt::Result {
    if let Some(u) = &p.urn {
        write!(f, "{u}:")?;
    }
    f.write_str(&p.name)?;
    if let Some(sub) = &p.sub {
        write!(f, ".{sub}")?;
    }
    Ok(())
}

fn invalid(label: impl fmt::Display, why: impl fmt::Display) -> ScimError {
    ScimError::invalid_filter(format!("invalid filter on {label}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members;
    use serde_json::{Map, json};

    #[test]
    fn member_prefers_exact_then_any_case_like_get_ci() {
        let v = json!({"UserName": "a", "userName": "b", "x": 1});
        let o = v.as_object().expect("object");
        assert_eq!(members::get_ci(o, "userName"), Some(&json!("b")));
        assert_eq!(members::get_ci(o, "USERNAME"), Some(&json!("a")));
        assert_eq!(members::get_ci(o, "nope"), None);
        let mut big = Map::new();
        for i in 0..40 {
            big.insert(format!("k{i}"), json!(i));
        }
        assert_eq!(members::get_ci(&big, "K39"), Some(&json!(39)));
        assert_eq!(members::get_ci(&big, "k7"), crate::json::get_ci(&big, "k7"));
    }

    #[test]
    fn non_objects_have_no_attributes() {
        let view = crate::schema::SchemaRegistry::core().user();
        let title = AttrPath::simple("title");
        let pr = Matcher::compile(&Filter::present(title.clone()), &view).expect("compiles");
        let absent = Matcher::compile(&Filter::not(Filter::present(title)), &view).expect("compiles");
        for v in [json!(null), json!("title"), json!([{"title": "x"}])] {
            assert!(!pr.matches(&v) && absent.matches(&v), "{v}");
        }
    }

    #[test]
    fn and_tests_attributes_with_canonical_values_last() {
        let view = crate::schema::SchemaRegistry::core().user();
        let first_key = |text: &str| {
            let m = Matcher::compile(&crate::filter::parse(text).expect("parses"), &view).expect("compiles");
            let Node::Elements { filter, .. } = m.root else { panic!("a value filter") };
            let Node::And(first, _) = *filter else { panic!("an and") };
            match *first {
                Node::Leaf { loc, .. } => loc.key,
                Node::Not(leaf) => match *leaf {
                    Node::Leaf { loc, .. } => loc.key,
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(&*first_key(r#"emails[type eq "work" and value co "5000"]"#), "value");
        assert_eq!(&*first_key(r#"emails[type ne "work" and primary eq true]"#), "primary");
        assert_eq!(&*first_key(r#"emails[value co "5000" and type eq "work"]"#), "value");
        assert_eq!(&*first_key(r#"emails[type eq "work" and type ne "home"]"#), "type");
    }

    #[test]
    fn matchers_can_be_cached_and_shared() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Matcher>();
    }
}
