//! RFC 7644 section 3.4.2.2 and RFC 7643 section 2.3: how one attribute value compares with a filter literal.
//!
//! These are the leaf rules of the filter evaluator, kept apart from name resolution: string tests with and
//! without case sensitivity, numeric ordering across integers and decimals, and dateTime comparison by instant.
//! Everything here runs once per value per resource, so it must not allocate on the common path: case-insensitive
//! tests lowercase ASCII bytes on the fly and allocate a lowercased copy only for non-ASCII text.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use serde_json::Number;
use std::borrow::Cow;
use std::cmp::Ordering;

/// An equality or ordering operator (`eq gt ge lt le`): the operators numbers and dateTimes accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrdOp {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

impl OrdOp {
    /// Whether `value.cmp(literal) == ord` satisfies the operator.
    pub(crate) fn holds(self, ord: Ordering) -> bool {
        match self {
            OrdOp::Eq => ord == Ordering::Equal,
            OrdOp::Gt => ord == Ordering::Greater,
            OrdOp::Ge => ord != Ordering::Less,
            OrdOp::Lt => ord == Ordering::Less,
            OrdOp::Le => ord != Ordering::Greater,
        }
    }
}

/// A string operator: equality and ordering, or one of the substring tests `co sw ew`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrOp {
    Ord(OrdOp),
    Co,
    Sw,
    Ew,
}

/// RFC 7643 section 2.3.1 and RFC 7644 section 3.4.2.2: the folded form of a literal compared with a
/// `caseExact=false` attribute. We fold by full Unicode lowercasing (the same function folds the resource's value),
/// so `"ÉLODIE"` and `"élodie"` compare equal.
/// Sorting (`crate::sort`) folds with the same function, so a filter and a sort agree on case. Borrowed when there
/// is nothing to fold.
pub(crate) fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(s.to_ascii_lowercase()) } else { Cow::Borrowed(s) }
    } else {
        Cow::Owned(s.to_lowercase())
    }
}

/// Whether a `caseExact=false` test `op lit` gives the same answer on the value as written as on its folded
/// form, so that the evaluator may skip folding. It does when `lit` is ASCII without letters (`"5000"`,
/// `"+1 555"`) and `op` is eq, co, sw or ew: folding maps ASCII letters to letters, leaves other ASCII characters
/// as they are, and turns no other character into anything that holds an ASCII non-letter (a test below checks
/// every character), so the folded value holds `lit` at its start, at its end, anywhere, or whole, exactly where
/// the value does. Ordering is another matter (`"["` sorts after `"A"` but before `"a"`).
pub(crate) fn fold_free(op: StrOp, lit: &str) -> bool {
    !matches!(op, StrOp::Ord(o) if o != OrdOp::Eq) && lit.bytes().all(|b| b.is_ascii() && !b.is_ascii_alphabetic())
}

/// RFC 7644 section 3.4.2.2: tests a string value against a literal. `lit` must already be folded with [`fold`]
/// when `exact` is false. Ordering is lexicographic by (folded) Unicode code points, which is the byte order of
/// UTF-8, so every test works on bytes. Substring tests on UTF-8 bytes are exact because UTF-8 never matches a
/// character boundary in the middle of another character.
pub(crate) fn str_test(value: &str, op: StrOp, lit: &str, exact: bool) -> bool {
    if exact {
        exact_test(value, op, lit)
    } else if value.is_ascii() {
        // ASCII fast path: lowercase each byte as it is compared; no copy.
        lowered_test(value.as_bytes(), op, lit.as_bytes())
    } else {
        exact_test(&value.to_lowercase(), op, lit)
    }
}

/// The test on `value` as given, with std's string operations (std's substring search is SIMD for short
/// needles: a scan of every value of every resource runs through here).
fn exact_test(value: &str, op: StrOp, lit: &str) -> bool {
    match op {
        StrOp::Ord(OrdOp::Eq) => value == lit,
        StrOp::Ord(o) => o.holds(value.as_bytes().cmp(lit.as_bytes())),
        StrOp::Sw => value.starts_with(lit),
        StrOp::Ew => value.ends_with(lit),
        StrOp::Co => value.contains(lit),
    }
}

/// The test on an ASCII `hay` lowercased byte by byte as it is compared with `needle`.
fn lowered_test(hay: &[u8], op: StrOp, needle: &[u8]) -> bool {
    match op {
        StrOp::Ord(OrdOp::Eq) => hay.len() == needle.len() && same_lowered(hay, needle),
        StrOp::Ord(o) => o.holds(hay.iter().map(u8::to_ascii_lowercase).cmp(needle.iter().copied())),
        StrOp::Sw => hay.len() >= needle.len() && same_lowered(&hay[..needle.len()], needle),
        StrOp::Ew => hay.len() >= needle.len() && same_lowered(&hay[hay.len() - needle.len()..], needle),
        StrOp::Co => contains_lowered(hay, needle),
    }
}

/// Whether `a` lowercased equals `b`; the caller guarantees equal lengths.
fn same_lowered(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.to_ascii_lowercase() == *y)
}

/// Whether `needle` occurs in `hay` lowercased. A candidate is a byte equal to the needle's first byte in either
/// case (ASCII lowercasing maps exactly two bytes to a lowercase letter, and one byte to anything else), and only
/// the bytes after a candidate are lowercased.
fn contains_lowered(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let Some(last_start) = hay.len().checked_sub(needle.len()) else {
        return false;
    };
    let other = first.to_ascii_uppercase();
    let mut from = 0;
    while let Some(p) = hay[from..=last_start].iter().position(|&b| b == first || b == other) {
        let i = from + p;
        if same_lowered(&hay[i + 1..i + needle.len()], rest) {
            return true;
        }
        from = i + 1;
    }
    false
}

/// A numeric literal, kept as an integer when it is one so that integers compare exactly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NumLit {
    Int(i64),
    Float(f64),
}

impl NumLit {
    /// Reads a filter literal; `None` for a number that fits neither i64 nor f64.
    pub(crate) fn from_number(n: &Number) -> Option<NumLit> {
        match n.as_i64() {
            Some(i) => Some(NumLit::Int(i)),
            None => n.as_f64().filter(|f| f.is_finite()).map(NumLit::Float),
        }
    }
}

/// RFC 7643 sections 2.3.3 and 2.3.4: compares a numeric value with a literal. Two integers compare as i64
/// (exactly); anything else compares as f64. An unsigned value beyond i64 is greater than any i64 literal.
pub(crate) fn num_cmp(value: &Number, lit: NumLit) -> Option<Ordering> {
    match (lit, value.as_i64()) {
        (NumLit::Int(l), Some(v)) => Some(v.cmp(&l)),
        (NumLit::Int(_), None) if value.is_u64() => Some(Ordering::Greater),
        (NumLit::Int(l), None) => value.as_f64()?.partial_cmp(&(l as f64)),
        (NumLit::Float(l), _) => value.as_f64()?.partial_cmp(&l),
    }
}

/// RFC 7643 section 2.3.5: reads an `xsd:dateTime` as an instant. Accepts RFC 3339 text with `Z` or a numeric
/// offset and optional fractional seconds (`2011-05-13T04:42:34.5+02:00`). xsd:dateTime also allows text with no
/// time zone at all; we read such text as UTC, since an instant needs some offset and UTC is what servers
/// overwhelmingly mean. Anything else is `None`. Sorting (`crate::sort`) reads dateTimes with this too.
pub(crate) fn parse_datetime(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    let dt: DateTime = s.parse().ok()?;
    // A civil datetime only: insist on the date and a time, as section 2.3.5 does (jiff would read a bare date).
    if !s.contains(['T', 't', ' ']) {
        return None;
    }
    TimeZone::UTC.to_timestamp(dt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(value: &str, op: StrOp, lit: &str) -> bool {
        str_test(value, op, &fold(lit), false)
    }

    #[test]
    fn case_insensitive_strings_fold_both_sides() {
        assert!(ci("BJensen", StrOp::Ord(OrdOp::Eq), "bjensen"));
        assert!(ci("bjensen", StrOp::Ord(OrdOp::Eq), "BJENSEN"));
        assert!(ci("Élodie", StrOp::Ord(OrdOp::Eq), "éLODIE"));
        assert!(ci("ÉLODIE@x", StrOp::Sw, "élo"));
        assert!(ci("Barbara", StrOp::Co, "RBA"));
        assert!(ci("Barbara", StrOp::Ew, "ARA"));
        assert!(!ci("Barbara", StrOp::Co, "rbx"));
        assert!(!ci("Bar", StrOp::Sw, "bart"));
        assert!(ci("anything", StrOp::Co, ""));
        // The Kelvin sign lowercases to ASCII `k`: a non-ASCII value may fold to ASCII.
        assert!(ci("\u{212A}elvin", StrOp::Ord(OrdOp::Eq), "kelvin"));
    }

    /// Every string of up to `max` characters over `alphabet`.
    fn strings(alphabet: &[char], max: usize) -> Vec<String> {
        let mut all = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..max {
            last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            all.extend(last.iter().cloned());
        }
        all
    }

    #[test]
    fn co_agrees_with_lowercasing_then_searching() {
        // Letters in both cases, a digit, punctuation next to the case bit ('@' | 0x20 is '`'), non-ASCII.
        let hays = strings(&['a', 'A', 'b', '5', '@', '`', 'é'], 4);
        let needles = strings(&['a', 'B', '5', '@', 'É'], 3);
        for hay in &hays {
            for needle in &needles {
                let lit = fold(needle);
                assert_eq!(str_test(hay, StrOp::Co, &lit, false), fold(hay).contains(&*lit), "{hay:?} co {needle:?}");
                assert_eq!(str_test(hay, StrOp::Co, needle, true), hay.contains(needle.as_str()), "{hay:?} {needle:?}");
            }
        }
    }

    #[test]
    fn folding_turns_no_character_into_an_ascii_non_letter() {
        // What fold_free relies on: only an ASCII non-letter folds to one, and it folds to itself.
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            let mut buf = [0; 4];
            let folded = fold(c.encode_utf8(&mut buf));
            if folded.bytes().any(|b| b.is_ascii() && !b.is_ascii_alphabetic()) {
                assert!(
                    c.is_ascii() && !c.is_ascii_alphabetic() && folded == c.to_string(),
                    "{c:?} folds to {folded:?}"
                );
            }
        }
    }

    #[test]
    fn fold_free_tests_answer_as_folded_ones() {
        let hays = strings(&['a', 'A', '5', '@', '[', 'é', '\u{212A}'], 3);
        let lits = strings(&['5', '@', '['], 2);
        let ops = [StrOp::Ord(OrdOp::Eq), StrOp::Co, StrOp::Sw, StrOp::Ew];
        for (hay, lit, op) in hays.iter().flat_map(|h| lits.iter().flat_map(move |l| ops.map(|o| (h, l, o)))) {
            assert!(fold_free(op, lit));
            assert_eq!(str_test(hay, op, lit, true), str_test(hay, op, lit, false), "{hay:?} {op:?} {lit:?}");
        }
        assert!(!fold_free(StrOp::Co, "a5") && !fold_free(StrOp::Co, "é") && !fold_free(StrOp::Ord(OrdOp::Lt), "5"));
    }

    #[test]
    fn case_exact_strings_compare_bytes() {
        assert!(str_test("BJensen", StrOp::Ord(OrdOp::Eq), "BJensen", true));
        assert!(!str_test("BJensen", StrOp::Ord(OrdOp::Eq), "bjensen", true));
        assert!(!str_test("ABC", StrOp::Co, "b", true));
        assert!(str_test("ABC", StrOp::Co, "B", true));
    }

    #[test]
    fn ordering_is_by_folded_code_points() {
        assert!(ci("alice", StrOp::Ord(OrdOp::Lt), "BOB"));
        assert!(str_test("alice", StrOp::Ord(OrdOp::Gt), "BOB", true));
        assert!(ci("Bob", StrOp::Ord(OrdOp::Ge), "bob"));
        assert!(ci("Bob", StrOp::Ord(OrdOp::Le), "bob"));
        assert!(!ci("Bob", StrOp::Ord(OrdOp::Gt), "bob"));
        assert!(ci("zoë", StrOp::Ord(OrdOp::Gt), "ZOE"));
        assert!(ci("ab", StrOp::Ord(OrdOp::Lt), "abc"));
    }

    #[test]
    fn numbers_compare_across_integer_and_decimal() {
        let n = |s: &str| serde_json::from_str::<Number>(s).expect("number");
        let lit = |s: &str| NumLit::from_number(&n(s)).expect("literal");
        assert_eq!(num_cmp(&n("10"), lit("10")), Some(Ordering::Equal));
        assert_eq!(num_cmp(&n("10"), lit("10.0")), Some(Ordering::Equal));
        assert_eq!(num_cmp(&n("10.5"), lit("10")), Some(Ordering::Greater));
        assert_eq!(num_cmp(&n("9007199254740993"), lit("9007199254740992")), Some(Ordering::Greater));
        assert_eq!(num_cmp(&n("18446744073709551615"), lit("5")), Some(Ordering::Greater));
        assert_eq!(num_cmp(&n("-3"), lit("-2.5")), Some(Ordering::Less));
    }

    #[test]
    fn datetimes_are_instants() {
        let a = parse_datetime("2011-05-13T04:42:34Z").expect("Z");
        let b = parse_datetime("2011-05-13T06:42:34+02:00").expect("offset");
        let c = parse_datetime("2011-05-13t04:42:34.000z").expect("lowercase, fraction");
        let d = parse_datetime("2011-05-13T04:42:34").expect("no zone is UTC");
        assert_eq!((a, a, a), (b, c, d));
        assert!(parse_datetime("2011-05-13T04:42:34.5Z").expect("fraction") > a);
        for bad in ["2011-05-13", "yesterday", "", "2011-13-01T00:00:00Z"] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }
}
