//! The one way scimlab reads a duration a person wrote (`--fault latency=1m`, `load --duration 30s`): jiff's
//! friendly format (`500ms`, `1.5s`, `1m`, `2h 30m`, `1 minute`) or ISO 8601 (`PT1M`), through
//! [`jiff::SignedDuration`]'s parser. A unit is required, since a bare `30` is milliseconds to some tools and
//! seconds to others; negative durations and calendar units (days and longer, whose length depends on a date)
//! are refused. Callers with a ceiling (the mock SP's latency) apply it themselves.

use std::time::Duration;

/// A duration that could not be read. The message quotes the text and shows the accepted form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a duration: {problem}; write a number and a unit, such as 500ms, 1.5s, 5m, 1h or 2h 30m")]
pub struct DurationError {
    /// The text as given.
    pub text: String,
    /// What was wrong with it.
    pub problem: String,
}

/// Parses `text` (surrounding whitespace ignored) as a non-negative duration with units.
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    let bad = |problem: &str| DurationError { text: text.to_owned(), problem: problem.to_owned() };
    if t.is_empty() {
        return Err(bad("it is empty"));
    }
    if t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(bad("it needs a unit"));
    }
    let signed: jiff::SignedDuration = t.parse().map_err(|e: jiff::Error| {
        let why = e.to_string();
        // jiff's advice for calendar units names its own types; say it in the user's terms.
        if why.contains("calendar units") {
            bad("days, weeks, months and years have no fixed length; give hours (24h)")
        } else {
            bad(&why)
        }
    })?;
    Duration::try_from(signed).map_err(|_| bad("it is negative"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_and_iso_durations_parse() {
        for (text, want) in [
            ("500ms", Duration::from_millis(500)),
            ("1.5s", Duration::from_millis(1500)),
            ("0ms", Duration::ZERO),
            ("1m", Duration::from_secs(60)),
            (" 2m ", Duration::from_secs(120)),
            ("1.5h", Duration::from_secs(5400)),
            ("2h 30m", Duration::from_secs(9000)),
            ("1 minute", Duration::from_secs(60)),
            ("250us", Duration::from_micros(250)),
            ("PT1M", Duration::from_secs(60)),
        ] {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn errors_quote_the_text_and_say_what_is_wrong() {
        for (text, problem) in [
            ("30", "needs a unit"),
            ("1.5", "needs a unit"),
            ("", "empty"),
            ("-1s", "negative"),
            ("ten", ""),
            ("3d", ""),
        ] {
            let e = parse(text).expect_err(text);
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{text:?} is not a duration: ")), "{msg}");
            assert!(msg.contains(problem) && msg.ends_with("2h 30m"), "{msg}");
        }
    }
}
