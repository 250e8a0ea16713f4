//! The filter printer: the canonical text of a [`Filter`] and its parts, which parses back to the same tree.
//!
//! Canonical means lowercase keywords and operators, single spaces, strings escaped as serde_json escapes them,
//! numbers as serde_json prints them, `not (x)`, and exactly the parentheses the tree's shape needs: `and` binds
//! tighter than `or` and both associate to the left, so `And(a, And(b, c))` prints `a and (b and c)` and an `or`
//! under an `and` is parenthesised.

use super::ast::{AttrExp, AttrPath, CompValue, Filter, Test, ValuePath};
use std::fmt::{self, Display, Formatter, Write};

/// Binding strength: `or` 1, `and` 2, everything else (an atom, or `not (..)`, which carries its own
/// parentheses) 3.
fn strength(f: &Filter) -> u8 {
    match f {
        Filter::Or(..) => 1,
        Filter::And(..) => 2,
        _ => 3,
    }
}

/// Writes `node`, parenthesised when it binds more loosely than its position requires.
fn write_at(out: &mut Formatter<'_>, node: &Filter, min: u8) -> fmt::Result {
    if strength(node) < min {
        out.write_char('(')?;
        write_node(out, node)?;
        out.write_char(')')
    } else {
        write_node(out, node)
    }
}

fn write_node(out: &mut Formatter<'_>, node: &Filter) -> fmt::Result {
    match node {
        // Left operands may be the same operator (left associativity); right operands must bind tighter.
        Filter::Or(a, b) => {
            write_at(out, a, 1)?;
            out.write_str(" or ")?;
            write_at(out, b, 2)
        }
        Filter::And(a, b) => {
            write_at(out, a, 2)?;
            out.write_str(" and ")?;
            write_at(out, b, 3)
        }
        Filter::Not(a) => {
            out.write_str("not (")?;
            write_at(out, a, 1)?;
            out.write_char(')')
        }
        Filter::Attr(e) => e.fmt(out),
        Filter::ValuePath(vp) => vp.fmt(out),
    }
}

/// RFC 7644 section 3.4.2.2: the canonical filter text.
impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_at(f, self, 1)
    }
}

/// `attrPath pr` or `attrPath op value`.
impl Display for AttrExp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path, self.test)
    }
}

/// `[urn ":"] name ["." sub]`, as written.
impl Display for AttrPath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            f.write_char(':')?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            f.write_char('.')?;
            f.write_str(sub)?;
        }
        Ok(())
    }
}

/// `pr` or `op value`.
impl Display for Test {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Test::Present => f.write_str("pr"),
            Test::Compare(op, v) => write!(f, "{} {}", op.as_str(), v),
        }
    }
}

/// `null`, `true`, `false`, a number as serde_json prints it, or a JSON string.
impl Display for CompValue {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Null => f.write_str("null"),
            CompValue::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            CompValue::Number(n) => n.fmt(f),
            CompValue::String(s) => write_json_string(f, s),
        }
    }
}

/// `attr[filter]`, then `.sub test` for the Entra extension.
impl Display for ValuePath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.attr, self.filter)?;
        if let Some((sub, test)) = &self.then {
            write!(f, ".{sub} {test}")?;
        }
        Ok(())
    }
}

/// Writes `s` as a JSON string exactly as `serde_json::to_string` does: `"` and `\` escaped, the short escapes
/// `\b \f \n \r \t`, other control characters as `\u00xx`, everything else (including `/` and non-ASCII) as is.
pub(crate) fn write_json_string(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..0x20 => None,
            _ => continue,
        };
        out.write_str(s.get(run..i).unwrap_or(""))?;
        match esc {
            Some(e) => out.write_str(e)?,
            None => write!(out, "\\u{b:04x}")?,
        }
        run = i + 1;
    }
    out.write_str(s.get(run..).unwrap_or(""))?;
    out.write_char('"')
}
