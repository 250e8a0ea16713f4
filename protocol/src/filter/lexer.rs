//! The filter lexer: splits filter (and PATCH path) text into tokens, working over bytes with no regex.
//!
//! Tokens are brackets, parentheses, quoted strings and words. A word is a maximal run of bytes that are not
//! whitespace, brackets, parentheses or `"`; it is an attribute path, a keyword or operator, or a number, and the
//! parser decides which by position. Tokens carry byte offsets into the input and borrow nothing, so lexing
//! allocates nothing; strings are unescaped only when the parser takes one as a value.
//!
//! Whitespace (spaces and tabs) may be repeated wherever the RFC has one space, and may surround parentheses and
//! brackets, but two words or strings must be separated by it: `userNameeq "x"` is one word, and `eq"x"` is
//! refused.

use super::error::FilterError;

/// What kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// A run of non-separator bytes: attribute path, keyword, operator or number.
    Word,
    /// A double-quoted JSON string, quotes included in its span.
    Str,
    /// The end of the input.
    End,
}

/// One token: its kind, its byte span, and whether whitespace came before it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub spaced: bool,
}

/// A lexer with one token of lookahead.
pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    peeked: Option<Token>,
    /// The span of the previous token when it was a word or string (for the missing-space check).
    prev_atom: Option<(usize, usize)>,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn ends_word(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'(' | b')' | b'[' | b']' | b'"') || b < 0x20 || b == 0x7f
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0, peeked: None, prev_atom: None }
    }

    /// The input text.
    pub fn src(&self) -> &'a str {
        self.src
    }

    /// The text of a token.
    pub fn text(&self, t: Token) -> &'a str {
        self.src.get(t.start..t.end).unwrap_or("")
    }

    /// The next token, without consuming it.
    pub fn peek(&mut self) -> Result<Token, FilterError> {
        match self.peeked {
            Some(t) => Ok(t),
            None => {
                let t = self.lex()?;
                self.peeked = Some(t);
                Ok(t)
            }
        }
    }

    /// The next token, consumed.
    pub fn next_token(&mut self) -> Result<Token, FilterError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    /// Describes a token for an error message: "`word`", "the string \"x\"", "the end of the input".
    pub fn describe(&self, t: Token) -> String {
        match t.kind {
            Kind::End => "the end of the input".to_owned(),
            Kind::Str => format!("the string {}", self.text(t)),
            _ => format!("`{}`", self.text(t)),
        }
    }

    fn lex(&mut self) -> Result<Token, FilterError> {
        let bytes = self.src.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let spaced = i > self.pos;
        let start = i;
        let Some(&b) = bytes.get(i) else {
            self.pos = i;
            return Ok(Token { kind: Kind::End, start, end: start, spaced });
        };
        let (kind, end) = match b {
            b'(' => (Kind::LParen, i + 1),
            b')' => (Kind::RParen, i + 1),
            b'[' => (Kind::LBracket, i + 1),
            b']' => (Kind::RBracket, i + 1),
            b'"' => (Kind::Str, self.string_end(start)?),
            _ if b < 0x20 || b == 0x7f => {
                return Err(FilterError::new(
                    start,
                    format!("unexpected control character U+{b:04X}: only spaces and tabs may separate tokens"),
                ));
            }
            _ => {
                let mut j = i + 1;
                while j < bytes.len() && !ends_word(bytes[j]) {
                    j += 1;
                }
                (Kind::Word, j)
            }
        };
        let atom = matches!(kind, Kind::Word | Kind::Str);
        if atom
            && !spaced
            && let Some((ps, pe)) = self.prev_atom
        {
            return Err(FilterError::new(
                start,
                format!(
                    "expected a space between `{}` and `{}`",
                    self.src.get(ps..pe).unwrap_or(""),
                    self.src.get(start..end).unwrap_or("")
                ),
            ));
        }
        self.prev_atom = if atom { Some((start, end)) } else { None };
        self.pos = end;
        Ok(Token { kind, start, end, spaced })
    }

    /// The offset just past the closing quote of the string opening at `start`.
    fn string_end(&self, start: usize) -> Result<usize, FilterError> {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        loop {
            match bytes.get(i) {
                None => {
                    return Err(FilterError::new(
                        start,
                        "unterminated string: expected a closing `\"` for the string that starts here",
                    ));
                }
                Some(b'"') => return Ok(i + 1),
                Some(b'\\') => i += 2,
                Some(_) => i += 1,
            }
        }
    }
}

/// RFC 7644 section 3.4.2.2 (compValue) and RFC 7159 section 7: unescapes the JSON string token at
/// `start..end` (quotes included). Every JSON escape is understood, `\uXXXX` included, and a UTF-16 surrogate pair
/// written as two escapes becomes one character; a lone surrogate, an unknown escape, or an unescaped control
/// character is an error at its offset.
pub(crate) fn decode_string(src: &str, start: usize, end: usize) -> Result<String, FilterError> {
    let inner_start = start + 1;
    let inner_end = end.saturating_sub(1).max(inner_start);
    let inner = src.get(inner_start..inner_end).unwrap_or("");
    let bytes = inner.as_bytes();
    if !bytes.iter().any(|&b| b == b'\\' || b < 0x20) {
        return Ok(inner.to_owned());
    }
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    let mut run = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x20 {
            return Err(FilterError::new(
                inner_start + i,
                format!("unescaped control character U+{b:04X} in a string: write it as \\u{b:04x}"),
            ));
        }
        if b != b'\\' {
            i += 1;
            continue;
        }
        out.push_str(inner.get(run..i).unwrap_or(""));
        let esc = bytes.get(i + 1).copied().unwrap_or(b'"');
        let simple = match esc {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            i += 2;
        } else if esc == b'u' {
            let (c, len) = unicode_escape(inner, i, inner_start)?;
            out.push(c);
            i += len;
        } else {
            let shown = inner.get(i + 1..).and_then(|s| s.chars().next()).unwrap_or('"');
            return Err(FilterError::new(
                inner_start + i,
                format!(
                    "invalid escape `\\{shown}` in a string: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
                ),
            ));
        }
        run = i;
    }
    out.push_str(inner.get(run..).unwrap_or(""));
    Ok(out)
}

/// Reads the four hex digits of a `\u` escape at `at` (the backslash) in `s`.
fn hex4(s: &str, at: usize, base: usize) -> Result<u32, FilterError> {
    let digits = s.get(at + 2..at + 6).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
    match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
        Some(v) => Ok(v),
        None => Err(FilterError::new(base + at, "invalid \\u escape in a string: expected four hex digits after \\u")),
    }
}

/// Decodes the `\uXXXX` escape at `at` (and its low-surrogate partner, if it opens a pair); returns the
/// character and the number of bytes consumed.
fn unicode_escape(s: &str, at: usize, base: usize) -> Result<(char, usize), FilterError> {
    let hi = hex4(s, at, base)?;
    if (0xDC00..0xE000).contains(&hi) {
        return Err(FilterError::new(
            base + at,
            format!("unpaired surrogate \\u{hi:04X} in a string: a low surrogate must follow a high one"),
        ));
    }
    if !(0xD800..0xDC00).contains(&hi) {
        return match char::from_u32(hi) {
            Some(c) => Ok((c, 6)),
            None => Err(FilterError::new(base + at, "invalid \\u escape in a string")),
        };
    }
    let lo = if s.as_bytes().get(at + 6) == Some(&b'\\') && s.as_bytes().get(at + 7) == Some(&b'u') {
        Some(hex4(s, at + 6, base)?)
    } else {
        None
    };
    match lo {
        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            match char::from_u32(c) {
                Some(c) => Ok((c, 12)),
                None => Err(FilterError::new(base + at, "invalid surrogate pair in a string")),
            }
        }
        _ => Err(FilterError::new(
            base + at,
            format!("unpaired surrogate \\u{hi:04X} in a string: expected a low surrogate \\uDC00-\\uDFFF after it"),
        )),
    }
}

/// RFC 7159 section 6: checks that the word at `start..end` is a JSON number
/// (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`) and reads it as serde_json does. Leading zeros, a
/// leading `+`, a bare `.5` or `5.`, and numbers beyond the range of f64 are errors at their offset.
pub(crate) fn parse_number(src: &str, start: usize, end: usize) -> Result<serde_json::Number, FilterError> {
    let word = src.get(start..end).unwrap_or("");
    let b = word.as_bytes();
    let err = |i: usize, msg: &str| Err(FilterError::new(start + i, format!("invalid number `{word}`: {msg}")));
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut i = 0;
    match b.first() {
        Some(b'+') => return err(0, "a number cannot start with `+`"),
        Some(b'.') => return err(0, "expected a digit before the `.`"),
        Some(b'-') => i += 1,
        _ => {}
    }
    match b.get(i) {
        Some(b'0') => {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                return err(i - 1, "leading zeros are not allowed");
            }
        }
        Some(b'1'..=b'9') => i = digits(i),
        _ => return err(i, "expected a digit"),
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(i + 1);
        if j == i + 1 {
            return err(i + 1, "expected a digit after the `.`");
        }
        i = j;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let j = digits(i);
        if j == i {
            return err(i, "expected a digit in the exponent");
        }
        i = j;
    }
    if i < b.len() {
        let c = word.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
        return err(i, &format!("unexpected `{c}`"));
    }
    word.parse::<serde_json::Number>().or_else(|_| err(0, "out of the range of a 64-bit float"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str, bool)> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().expect("token");
            out.push((t.kind, lx.text(t), t.spaced));
            if t.kind == Kind::End {
                return out;
            }
        }
    }

    #[test]
    fn splits_words_strings_and_brackets() {
        use Kind::*;
        assert_eq!(
            kinds(r#"emails[type eq "w\"k"].value  pr"#),
            vec![
                (Word, "emails", false),
                (LBracket, "[", false),
                (Word, "type", false),
                (Word, "eq", true),
                (Str, r#""w\"k""#, true),
                (RBracket, "]", false),
                (Word, ".value", false),
                (Word, "pr", true),
                (End, "", false),
            ]
        );
    }

    #[test]
    fn missing_space_between_atoms_is_an_error() {
        let mut lx = Lexer::new(r#"eq"x""#);
        lx.next_token().expect("eq");
        let e = lx.next_token().expect_err("missing space");
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("expected a space between `eq` and `\"x\"`"), "{}", e.message);
    }

    #[test]
    fn strings_decode_every_escape() {
        let src = r#""a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00z""#;
        assert_eq!(decode_string(src, 0, src.len()).expect("ok"), "a\"\\/\u{8}\u{c}\n\r\té😀z");
    }

    #[test]
    fn string_errors_point_at_the_escape() {
        let bad = |src: &str| decode_string(src, 0, src.len()).expect_err("bad");
        assert_eq!(bad(r#""ab\qc""#).offset, 3);
        assert_eq!(bad(r#""\uD83Dx""#).offset, 1);
        assert!(bad(r#""\uDE00""#).message.contains("unpaired surrogate"));
        assert!(bad(r#""\u12G4""#).message.contains("four hex digits"));
        assert!(bad("\"a\u{1}\"").message.contains("control character"));
    }

    #[test]
    fn numbers_follow_rfc7159() {
        let num = |s: &str| parse_number(s, 0, s.len());
        assert_eq!(num("0").expect("0").to_string(), "0");
        assert_eq!(num("-12").expect("-12").to_string(), "-12");
        assert_eq!(num("1.5e3").expect("1.5e3").to_string(), "1500.0");
        assert_eq!(num("18446744073709551615").expect("u64 max").as_u64(), Some(u64::MAX));
        for (bad, at) in [("01", 0), ("+1", 0), (".5", 0), ("5.", 2), ("1e", 2), ("-", 1), ("1x", 1), ("1e999", 0)] {
            assert_eq!(num(bad).expect_err(bad).offset, at, "{bad}");
        }
    }
}
