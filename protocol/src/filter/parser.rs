//! The filter parser: recursive descent over the lexer's tokens, building a [`Filter`] tree.
//!
//! RFC 7644 section 3.4.2.2 (figure 1) is the grammar. Precedence from tightest: grouping `( )`, `not ( )`,
//! `and`, `or`; `and` and `or` associate to the left. Keywords and operators are case-insensitive. The same
//! machinery reads PATCH paths (section 3.5.2), whose brackets hold a filter.

use super::ast::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Test, ValuePath};
use super::error::FilterError;
use super::lexer::{Kind, Lexer, Token, decode_string, parse_number};
use crate::path::PatchPath;

/// How many parentheses, `not (` and brackets may enclose one another. Recursion is bounded so hostile input
/// cannot exhaust the stack.
pub const MAX_NESTING: u32 = 64;

/// How deep the resulting tree may be (a chain of n `and`s is n deep). Bounded because every consumer of the
/// tree (printer, evaluator, drop) recurses over it.
pub const MAX_TREE_DEPTH: u32 = 1000;

/// Parses filter text (RFC 7644 section 3.4.2.2) into a [`Filter`].
///
/// Beyond the RFC, a value path in a filter may be followed by a sub-attribute test, `emails[type eq
/// "work"].value eq "x"` (see [`ValuePath::then`]), as Entra ID sends. Errors carry the byte offset where the
/// filter broke and say what was expected there.
pub fn parse(input: &str) -> Result<Filter, FilterError> {
    let mut p = Parser { lx: Lexer::new(input) };
    if p.lx.peek()?.kind == Kind::End {
        return Err(FilterError::new(input.len(), "empty filter: expected an attribute path, `(` or `not`"));
    }
    let (f, _) = p.or_exp(0, false)?;
    let t = p.lx.next_token()?;
    match t.kind {
        Kind::End => Ok(f),
        Kind::RParen => Err(FilterError::new(t.start, "unbalanced `)`: no `(` before it to close")),
        Kind::RBracket => Err(FilterError::new(t.start, "unbalanced `]`: no `[` before it to close")),
        _ => Err(FilterError::new(
            t.start,
            format!("expected `and`, `or` or the end of the filter, found {}", p.lx.describe(t)),
        )),
    }
}

/// RFC 7644 section 3.5.2: parses a PATCH path, `attrPath` or `attrPath "[" valFilter "]" ["." subAttr]`, with
/// an optional schema URN prefix. The attribute before a bracket may not have a sub-attribute of its own.
pub(crate) fn parse_patch_path(input: &str) -> Result<PatchPath, FilterError> {
    let mut p = Parser { lx: Lexer::new(input) };
    let t = p.lx.next_token()?;
    if t.kind != Kind::Word {
        let msg = match t.kind {
            Kind::End => "empty path: expected an attribute name".to_owned(),
            _ => format!("expected an attribute name, found {}", p.lx.describe(t)),
        };
        return Err(FilterError::new(t.start, msg));
    }
    let (path, dot) = attr_path(input, t.start, t.end)?;
    let AttrPath { urn, name, sub } = path;
    let next = p.lx.next_token()?;
    match next.kind {
        Kind::End => return Ok(PatchPath { urn, name, filter: None, sub }),
        Kind::LBracket if !next.spaced => {}
        _ => {
            return Err(FilterError::new(
                next.start,
                format!("expected `[` or the end of the path, found {}", p.lx.describe(next)),
            ));
        }
    }
    if let Some(dot) = dot {
        return Err(sub_before_bracket(dot));
    }
    let (filter, _) = p.or_exp(1, true)?;
    p.close(Kind::RBracket, next.start)?;
    let after = p.lx.next_token()?;
    let sub = match after.kind {
        Kind::End => None,
        Kind::Word if !after.spaced && p.lx.text(after).starts_with('.') => {
            let s = bracket_sub(input, after)?;
            let end = p.lx.next_token()?;
            if end.kind != Kind::End {
                return Err(FilterError::new(
                    end.start,
                    format!("expected the end of the path, found {}", p.lx.describe(end)),
                ));
            }
            Some(s)
        }
        _ => {
            return Err(FilterError::new(
                after.start,
                format!("expected `.` and a sub-attribute, or the end of the path, found {}", p.lx.describe(after)),
            ));
        }
    };
    Ok(PatchPath { urn, name, filter: Some(filter), sub })
}

fn sub_before_bracket(dot: usize) -> FilterError {
    FilterError::new(dot, "a value path's attribute cannot have a sub-attribute: put the `[` right after the name")
}

struct Parser<'a> {
    lx: Lexer<'a>,
}

impl<'a> Parser<'a> {
    /// `or_exp = and_exp *(SP "or" SP and_exp)`, folded to the left.
    fn or_exp(&mut self, nest: u32, in_bracket: bool) -> Result<(Filter, u32), FilterError> {
        let (mut left, mut depth) = self.and_exp(nest, in_bracket)?;
        loop {
            let t = self.lx.peek()?;
            if t.kind != Kind::Word || !self.lx.text(t).eq_ignore_ascii_case("or") {
                return Ok((left, depth));
            }
            self.lx.next_token()?;
            let (right, rd) = self.and_exp(nest, in_bracket)?;
            depth = grow(depth, rd, t.start)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
    }

    /// `and_exp = unary *(SP "and" SP unary)`, folded to the left.
    fn and_exp(&mut self, nest: u32, in_bracket: bool) -> Result<(Filter, u32), FilterError> {
        let (mut left, mut depth) = self.unary(nest, in_bracket)?;
        loop {
            let t = self.lx.peek()?;
            if t.kind != Kind::Word || !self.lx.text(t).eq_ignore_ascii_case("and") {
                return Ok((left, depth));
            }
            self.lx.next_token()?;
            let (right, rd) = self.unary(nest, in_bracket)?;
            depth = grow(depth, rd, t.start)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
    }

    /// `"(" filter ")"`, `"not" "(" filter ")"`, or an attribute expression / value path.
    fn unary(&mut self, nest: u32, in_bracket: bool) -> Result<(Filter, u32), FilterError> {
        let t = self.lx.next_token()?;
        match t.kind {
            Kind::LParen => self.group(t, nest, in_bracket),
            Kind::Word => {
                let w = self.lx.text(t);
                if w.eq_ignore_ascii_case("not") {
                    let open = self.lx.next_token()?;
                    if open.kind != Kind::LParen {
                        return Err(FilterError::new(
                            open.start,
                            format!("expected `(` after `not`, found {}", self.lx.describe(open)),
                        ));
                    }
                    let (inner, d) = self.group(open, nest, in_bracket)?;
                    Ok((Filter::Not(Box::new(inner)), grow(d, 0, t.start)?))
                } else if w.eq_ignore_ascii_case("and") || w.eq_ignore_ascii_case("or") {
                    Err(FilterError::new(
                        t.start,
                        format!("expected an attribute path, `(` or `not`, found the keyword `{w}`"),
                    ))
                } else {
                    self.attr_filter(t, nest, in_bracket)
                }
            }
            _ => Err(FilterError::new(
                t.start,
                format!("expected an attribute path, `(` or `not`, found {}", self.lx.describe(t)),
            )),
        }
    }

    /// The inside of a `(` already consumed, and its `)`.
    fn group(&mut self, open: Token, nest: u32, in_bracket: bool) -> Result<(Filter, u32), FilterError> {
        let nest = deeper(nest, open.start)?;
        let inner = self.or_exp(nest, in_bracket)?;
        self.close(Kind::RParen, open.start)?;
        Ok(inner)
    }

    /// Consumes the `)` or `]` closing the bracket opened at `open`.
    fn close(&mut self, kind: Kind, open: usize) -> Result<(), FilterError> {
        let t = self.lx.next_token()?;
        if t.kind == kind {
            return Ok(());
        }
        let (c, o) = if kind == Kind::RParen { (')', '(') } else { (']', '[') };
        let msg = if t.kind == Kind::End {
            format!("expected `{c}` to close the `{o}` at offset {open}, found the end of the input")
        } else {
            format!(
                "expected `and`, `or` or a `{c}` to close the `{o}` at offset {open}, found {}",
                self.lx.describe(t)
            )
        };
        Err(FilterError::new(t.start, msg))
    }

    /// An attribute expression (`attrPath pr`, `attrPath op value`) or a value path (`attr[filter]`, optionally
    /// with the `.sub test` extension), starting with the word `t`.
    fn attr_filter(&mut self, t: Token, nest: u32, in_bracket: bool) -> Result<(Filter, u32), FilterError> {
        let src = self.lx.src();
        let (path, dot) = attr_path(src, t.start, t.end)?;
        let next = self.lx.peek()?;
        if next.kind != Kind::LBracket || next.spaced {
            let test = self.test(t)?;
            return Ok((Filter::Attr(AttrExp { path, test }), 1));
        }
        if in_bracket {
            return Err(FilterError::new(
                next.start,
                "value paths cannot nest: a `[` inside another value path's brackets is not allowed",
            ));
        }
        if let Some(dot) = dot {
            return Err(sub_before_bracket(dot));
        }
        self.lx.next_token()?;
        let (filter, d) = self.or_exp(deeper(nest, next.start)?, true)?;
        self.close(Kind::RBracket, next.start)?;
        let after = self.lx.peek()?;
        let then = if after.kind == Kind::Word && !after.spaced && self.lx.text(after).starts_with('.') {
            self.lx.next_token()?;
            let sub = bracket_sub(src, after)?;
            Some((sub, self.test(Token { start: t.start, ..after })?))
        } else {
            None
        };
        Ok((Filter::ValuePath(ValuePath { attr: path, filter: Box::new(filter), then }), grow(d, 0, t.start)?))
    }

    /// `SP "pr"` or `SP compareOp SP compValue` after the attribute spanning `attr`.
    fn test(&mut self, attr: Token) -> Result<Test, FilterError> {
        let op = self.lx.next_token()?;
        let w = if op.kind == Kind::Word { self.lx.text(op) } else { "" };
        if w.eq_ignore_ascii_case("pr") {
            return Ok(Test::Present);
        }
        let Some(cop) = CompareOp::parse(w) else {
            let shown = self.lx.src().get(attr.start..attr.end).unwrap_or("");
            return Err(FilterError::new(
                op.start,
                format!(
                    "expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le) or `pr` after `{shown}`, found {}",
                    self.lx.describe(op)
                ),
            ));
        };
        let v = self.lx.next_token()?;
        let value = match v.kind {
            Kind::Str => CompValue::String(decode_string(self.lx.src(), v.start, v.end)?),
            Kind::Word => self.value_word(v)?,
            _ => {
                return Err(FilterError::new(
                    v.start,
                    format!(
                        "expected a value after `{w}` (a quoted string, a number, true, false or null), found {}",
                        self.lx.describe(v)
                    ),
                ));
            }
        };
        Ok(Test::Compare(cop, value))
    }

    /// RFC 7644 section 3.4.2.2: a compValue that is not a string: `true`, `false`, `null` (any case) or a JSON
    /// number. Anything else is a bare word, which the RFC does not allow.
    fn value_word(&self, v: Token) -> Result<CompValue, FilterError> {
        let w = self.lx.text(v);
        if w.eq_ignore_ascii_case("true") {
            return Ok(CompValue::Bool(true));
        }
        if w.eq_ignore_ascii_case("false") {
            return Ok(CompValue::Bool(false));
        }
        if w.eq_ignore_ascii_case("null") {
            return Ok(CompValue::Null);
        }
        let first = w.as_bytes().first().copied().unwrap_or(b' ');
        if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
            return parse_number(self.lx.src(), v.start, v.end).map(CompValue::Number);
        }
        Err(FilterError::new(
            v.start,
            format!(
                "expected a value (a quoted string, a number, true, false or null), found the bare word `{w}`: \
                 strings must be in double quotes"
            ),
        ))
    }
}

/// One more level of brackets, refused past [`MAX_NESTING`].
fn deeper(nest: u32, at: usize) -> Result<u32, FilterError> {
    if nest >= MAX_NESTING {
        return Err(FilterError::new(at, format!("filter nests more than {MAX_NESTING} levels of brackets")));
    }
    Ok(nest + 1)
}

/// The depth of a node over children of depth `a` and `b`, refused past [`MAX_TREE_DEPTH`].
fn grow(a: u32, b: u32, at: usize) -> Result<u32, FilterError> {
    let d = a.max(b) + 1;
    if d > MAX_TREE_DEPTH {
        return Err(FilterError::new(
            at,
            format!("filter too complex: more than {MAX_TREE_DEPTH} nested `and`, `or`, `not` and value paths"),
        ));
    }
    Ok(d)
}

/// The sub-attribute name in a word `.name` that directly follows a `]`.
fn bracket_sub(src: &str, w: Token) -> Result<String, FilterError> {
    let end = attr_name(src, w.start + 1, w.end)?;
    if end < w.end {
        return Err(unexpected_in_path(src, end));
    }
    Ok(src.get(w.start + 1..end).unwrap_or("").to_owned())
}

/// RFC 7644 section 3.4.2.2 / 3.10: reads `[URN ":"] ATTRNAME ["." subAttr]` from the word at `start..end`;
/// returns the path and the offset of the `.` before the sub-attribute, if any.
///
/// A URN prefix starts with `urn:` in any case and runs to the last `:` of the word, so it may contain dots
/// (`...:enterprise:2.0:User:manager.value`). ATTRNAME is a letter then letters, digits, `-` or `_`; a leading
/// `$` is also accepted, for names such as `$ref`. There is at most one sub-attribute.
pub(crate) fn attr_path(src: &str, start: usize, end: usize) -> Result<(AttrPath, Option<usize>), FilterError> {
    let word = src.get(start..end).unwrap_or("");
    let mut urn = None;
    let mut name_start = start;
    if word.len() >= 4 && word.as_bytes()[..4].eq_ignore_ascii_case(b"urn:") {
        let last = word.rfind(':').unwrap_or(3);
        if last <= 4 {
            return Err(FilterError::new(
                start,
                format!("incomplete schema URN in `{word}`: expected `urn:<namespace>:...:<attribute>`"),
            ));
        }
        if let Some(bad) = word[..last].bytes().position(|b| !b.is_ascii_graphic()) {
            return Err(FilterError::new(
                start + bad,
                format!("unexpected character `{}` in a schema URN", char_at(src, start + bad)),
            ));
        }
        urn = Some(word[..last].to_owned());
        name_start = start + last + 1;
    }
    let name_end = attr_name(src, name_start, end)?;
    let name = src.get(name_start..name_end).unwrap_or("").to_owned();
    if name_end == end {
        return Ok((AttrPath { urn, name, sub: None }, None));
    }
    if src.as_bytes()[name_end] != b'.' {
        return Err(unexpected_in_path(src, name_end));
    }
    let sub_end = attr_name(src, name_end + 1, end)?;
    if sub_end < end {
        return Err(unexpected_in_path(src, sub_end));
    }
    let sub = src.get(name_end + 1..sub_end).map(str::to_owned);
    Ok((AttrPath { urn, name, sub }, Some(name_end)))
}

/// ATTRNAME at `start` (within a word ending at `end`): returns where it ends.
fn attr_name(src: &str, start: usize, end: usize) -> Result<usize, FilterError> {
    let b = src.as_bytes();
    let mut i = start;
    if i < end && b[i] == b'$' {
        i += 1;
    }
    if i >= end || !b[i].is_ascii_alphabetic() {
        let found = if i >= end { "nothing".to_owned() } else { format!("`{}`", char_at(src, i)) };
        return Err(FilterError::new(
            i,
            format!("expected an attribute name (a letter, then letters, digits, `-` or `_`), found {found}"),
        ));
    }
    i += 1;
    while i < end && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b'_') {
        i += 1;
    }
    Ok(i)
}

/// The error for a character that cannot continue an attribute path.
fn unexpected_in_path(src: &str, at: usize) -> FilterError {
    let msg = match src.as_bytes().get(at) {
        Some(b'.') => "an attribute path has at most one sub-attribute: unexpected second `.`".to_owned(),
        Some(b':') => "unexpected `:` in an attribute path: a schema URN prefix must start with `urn:`".to_owned(),
        _ => format!(
            "unexpected character `{}` in an attribute path: names are letters, digits, `-` and `_`",
            char_at(src, at)
        ),
    };
    FilterError::new(at, msg)
}

fn char_at(src: &str, at: usize) -> char {
    src.get(at..).and_then(|s| s.chars().next()).unwrap_or(' ')
}
