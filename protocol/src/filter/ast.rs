//! RFC 7644 section 3.4.2.2: the filter grammar as a syntax tree.
//!
//! Parentheses are not kept: the tree's shape carries precedence and grouping, and the printer puts back the
//! parentheses a reader needs, so `parse(print(f)) == f` for every tree. Names are kept as written (attribute
//! names compare case-insensitively later, through the schema).

use serde_json::Number;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath pr` or `attrPath op value`.
    Attr(AttrExp),
    /// `a and b` (binds tighter than `or`).
    And(Box<Filter>, Box<Filter>),
    /// `a or b`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (a)`.
    Not(Box<Filter>),
    /// `attr[valFilter]`, optionally followed by `.sub op value` (see [`ValuePath::then`]).
    ValuePath(ValuePath),
}

/// An attribute expression: the attribute and what is tested of it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrExp {
    /// Which attribute.
    pub path: AttrPath,
    /// `pr`, or a comparison.
    pub test: Test,
}

/// What an attribute expression tests.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// `pr`: the attribute has a non-empty value.
    Present,
    /// `op value`.
    Compare(CompareOp, CompValue),
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr` (RFC 7644 section 3.10 and the filter ABNF).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// Schema URN prefix, as written, without the final `:`.
    pub urn: Option<String>,
    /// The attribute name, as written.
    pub name: String,
    /// The sub-attribute, as written.
    pub sub: Option<String>,
}

/// A value path: `emails[type eq "work"]`.
///
/// `then` is an extension of the RFC's filter grammar that Entra ID sends as its matching filter
/// (`emails[type eq "work"].value eq "a@b.c"`): a sub-attribute test after the bracket, meaning "some element
/// matches the bracket and its sub-attribute passes the test". The RFC's filter ABNF has no such form (it
/// allows a sub-attribute after the bracket only in PATCH paths), so [`Filter::is_rfc_grammar`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ValuePath {
    /// The multi-valued (or complex) attribute the bracket applies to. Its `sub` is always `None`.
    pub attr: AttrPath,
    /// The filter applied to each element.
    pub filter: Box<Filter>,
    /// The Entra extension: `.sub pr` or `.sub op value` after the bracket.
    pub then: Option<(String, Test)>,
}

/// The comparison operators of RFC 7644 section 3.4.2.2, table 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains (substring)
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// greater than or equal
    Ge,
    /// less than
    Lt,
    /// less than or equal
    Le,
}

impl CompareOp {
    /// The operator's canonical (lowercase) spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    /// Every operator, in table order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// Parses an operator keyword in any case (the RFC makes keywords case-insensitive).
    pub fn parse(s: &str) -> Option<CompareOp> {
        Self::ALL.into_iter().find(|op| op.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether this is an ordering operator (gt ge lt le), which boolean and binary attributes refuse.
    pub fn is_ordering(self) -> bool {
        matches!(self, CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le)
    }
}

/// `compValue = false / null / true / number / string` (RFC 7644 section 3.4.2.2, with RFC 7159 literals).
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A JSON number, kept exactly as serde_json reads it (integer or decimal).
    Number(Number),
    /// A JSON string, unescaped.
    String(String),
}

impl AttrPath {
    /// A path with no URN and no sub-attribute.
    pub fn simple(name: impl Into<String>) -> Self {
        AttrPath { urn: None, name: name.into(), sub: None }
    }

    /// A path `name.sub`.
    pub fn with_sub(name: impl Into<String>, sub: impl Into<String>) -> Self {
        AttrPath { urn: None, name: name.into(), sub: Some(sub.into()) }
    }
}

impl Filter {
    /// `a and b`.
    pub fn and(a: Filter, b: Filter) -> Filter {
        Filter::And(Box::new(a), Box::new(b))
    }

    /// `a or b`.
    pub fn or(a: Filter, b: Filter) -> Filter {
        Filter::Or(Box::new(a), Box::new(b))
    }

    /// `not (a)`.
    #[expect(
        clippy::should_implement_trait,
        reason = "a constructor named after the filter keyword, not std::ops::Not"
    )]
    pub fn not(a: Filter) -> Filter {
        Filter::Not(Box::new(a))
    }

    /// `path op value`.
    pub fn compare(path: AttrPath, op: CompareOp, value: CompValue) -> Filter {
        Filter::Attr(AttrExp { path, test: Test::Compare(op, value) })
    }

    /// `path pr`.
    pub fn present(path: AttrPath) -> Filter {
        Filter::Attr(AttrExp { path, test: Test::Present })
    }

    /// Whether the filter stays within RFC 7644's filter ABNF (no Entra-style `[..].sub` tests).
    pub fn is_rfc_grammar(&self) -> bool {
        match self {
            Filter::Attr(_) => true,
            Filter::And(a, b) | Filter::Or(a, b) => a.is_rfc_grammar() && b.is_rfc_grammar(),
            Filter::Not(a) => a.is_rfc_grammar(),
            Filter::ValuePath(vp) => vp.then.is_none() && vp.filter.is_rfc_grammar(),
        }
    }
}
