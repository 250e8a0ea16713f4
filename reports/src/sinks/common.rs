//! Helpers every sink shares: verdict labels, durations, grouping by section, and the excerpts of evidence that
//! keep a report readable (request lines, statuses, bodies pretty-printed or cut short).
//!
//! Everything here treats text from the server as hostile: bodies can be huge, and they can hold terminal escape
//! sequences or markup. The helpers bound sizes and make control characters visible; escaping for a markup
//! language is left to the sink that knows the language.

use crate::model::{CheckResult, Level, Verdict};
use scimlab_protocol::exchange::Exchange;

/// Every verdict, in the order reports list them.
pub const VERDICTS: [Verdict; 5] = [Verdict::Pass, Verdict::Fail, Verdict::Warn, Verdict::Skip, Verdict::Error];

/// Every level, in the order reports list them.
pub const LEVELS: [Level; 3] = [Level::Must, Level::Should, Level::May];

/// The verdict as a fixed-width-friendly upper-case word: `PASS`, `FAIL`, `WARN`, `SKIP`, `ERROR`.
pub fn label(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Warn => "WARN",
        Verdict::Skip => "SKIP",
        Verdict::Error => "ERROR",
    }
}

/// Whether a verdict deserves details in a report: fail, warn and error.
pub fn is_problem(v: Verdict) -> bool {
    matches!(v, Verdict::Fail | Verdict::Warn | Verdict::Error)
}

/// Index of a verdict in [`VERDICTS`].
pub fn verdict_index(v: Verdict) -> usize {
    match v {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::Warn => 2,
        Verdict::Skip => 3,
        Verdict::Error => 4,
    }
}

/// A duration in milliseconds for people: `0.8 ms`, `412.0 ms`, `1.25 s`. Negative or non-finite input (a
/// hand-edited report) prints as `-`.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        "-".to_owned()
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A duration in milliseconds as a [`std::time::Duration`], zero when it is negative or not finite.
pub fn duration_of(ms: f64) -> std::time::Duration {
    std::time::Duration::try_from_secs_f64(ms / 1000.0).unwrap_or_default()
}

/// The checks grouped by section, sections in order of first appearance, checks in report order.
pub fn by_section(checks: &[CheckResult]) -> Vec<(&str, Vec<&CheckResult>)> {
    let mut groups: Vec<(&str, Vec<&CheckResult>)> = Vec::new();
    for c in checks {
        match groups.iter_mut().find(|(s, _)| *s == c.section) {
            Some((_, list)) => list.push(c),
            None => groups.push((&c.section, vec![c])),
        }
    }
    groups
}

/// Counts of `checks` by verdict, indexed like [`VERDICTS`].
pub fn counts<'a>(checks: impl IntoIterator<Item = &'a CheckResult>) -> [usize; 5] {
    let mut n = [0; 5];
    for c in checks {
        n[verdict_index(c.verdict)] += 1;
    }
    n
}

/// Replaces control characters other than newline and tab with a visible escape (`\u{1b}`), so that text from
/// the server cannot move a terminal's cursor, change its colours or hide lines.
pub fn visible(text: &str) -> String {
    if !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` cut to at most `max` bytes at a character boundary, with a note of how much was left out and of the
/// full size.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let head = prefix(text, max);
    format!("{head}\n... [{} more bytes not shown; {} bytes in all]", text.len() - head.len(), text.len())
}

/// The largest body that is parsed to be pretty-printed or compacted. A larger one is shown as it came, cut:
/// parsing 20 MB of JSON to show its first few KiB cost gigabytes of memory.
pub const PARSE_MAX: usize = 256 * 1024;

/// `text` on one line, whitespace runs collapsed, cut to about `max` characters with `...`. Only the start of a
/// long text is read, so the cost does not grow with the text.
pub fn one_line(text: &str, max: usize) -> String {
    let head = prefix(text, max.saturating_mul(8).saturating_add(64));
    let collapsed = head.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max && head.len() == text.len() {
        return collapsed;
    }
    let mut out: String = collapsed.chars().take(max).collect();
    out.push_str("...");
    out
}

/// At most the first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `text` for a terminal line: at most `max` characters, and when it was longer, `... (N bytes)` with its whole
/// size, so a 20 MB body or value never reaches the terminal whole.
pub fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}... ({} bytes)", &text[..end], text.len()),
    }
}

/// A body for reading: pretty-printed when it is JSON (and no larger than [`PARSE_MAX`]), as it is otherwise.
pub fn pretty_body(body: &str) -> String {
    if body.len() > PARSE_MAX {
        return body.to_owned();
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) if v.is_object() || v.is_array() => serde_json::to_string_pretty(&v).unwrap_or_else(|_| body.to_owned()),
        _ => body.to_owned(),
    }
}

/// A body for a document, at most `max` bytes (with a note of the full size when cut): pretty-printed when it
/// is small enough to parse, cut as it came otherwise.
pub fn shown_body(body: &str, max: usize) -> String {
    if body.len() > max.max(PARSE_MAX) {
        return truncate(body, max);
    }
    truncate(&pretty_body(body), max)
}

/// A short one-line excerpt of a body: compact JSON when it is JSON (and small enough to parse), at most `max`
/// characters.
pub fn body_excerpt(body: &str, max: usize) -> String {
    if body.len() > PARSE_MAX {
        return format!("{} ({} bytes)", one_line(body, max), body.len());
    }
    let compact = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(v) => v.to_string(),
        Err(_) => body.to_owned(),
    };
    one_line(&compact, max)
}

/// `METHOD URL` of an exchange's request.
pub fn request_line(x: &Exchange) -> String {
    format!("{} {}", x.request.method, x.request.url)
}

/// The outcome of an exchange in a few words: the status code, or `no response (the transport error)`.
pub fn status_text(x: &Exchange) -> String {
    match (&x.response, &x.error) {
        (Some(r), _) => r.status.to_string(),
        (None, Some(e)) => format!("no response ({})", one_line(e, 120)),
        (None, None) => "no response".to_owned(),
    }
}

/// The command that reproduces a check: its own reproducer, or else a curl of its last exchange.
pub fn reproducer(c: &CheckResult) -> Option<String> {
    c.reproducer.clone().or_else(|| c.evidence.last().map(Exchange::curl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(visible("a\u{1b}[31mb\n\tc"), "a\\u{1b}[31mb\n\tc");
        assert_eq!(visible("plain"), "plain");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("héllo", 2), "h\n... [5 more bytes not shown; 6 bytes in all]");
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(one_line("a\n  b   c", 3), "a b...");
    }

    /// Regression: a 20 MB response body was printed to the terminal as one line, and parsed whole to show
    /// its first bytes.
    #[test]
    fn huge_text_is_cut_with_its_size_and_never_parsed() {
        assert_eq!(excerpt("short", 300), "short");
        assert_eq!(excerpt("héllo wörld", 3), "hél... (13 bytes)");
        let huge = format!("{{\"a\": \"{}\"}}", "x".repeat(20_000_000));
        let e = excerpt(&huge, 300);
        assert!(e.len() < 400 && e.ends_with("... (20000009 bytes)"), "{}", &e[e.len() - 40..]);
        let b = body_excerpt(&huge, 200);
        assert!(b.len() < 300 && b.ends_with("(20000009 bytes)"), "{b}");
        let shown = shown_body(&huge, 64 * 1024);
        assert!(shown.len() < 65 * 1024 && shown.ends_with("20000009 bytes in all]"), "{}", shown.len());
        assert_eq!(shown_body("{\"a\":1}", 64 * 1024), "{\n  \"a\": 1\n}");
        assert_eq!(one_line(&"word ".repeat(1_000_000), 9), "word word...");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(fmt_ms(0.84), "0.8 ms");
        assert_eq!(fmt_ms(1250.0), "1.25 s");
        assert_eq!(fmt_ms(f64::NAN), "-");
        assert_eq!(duration_of(-1.0), std::time::Duration::ZERO);
    }

    #[test]
    fn bodies_are_pretty_or_kept() {
        assert_eq!(pretty_body("{\"a\":1}"), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_body("<html>"), "<html>");
        assert_eq!(body_excerpt("{ \"a\" : [1, 2] }", 100), "{\"a\":[1,2]}");
    }
}
