//! Syntax errors of filters and PATCH paths: where the text broke (a byte offset) and what was expected there.
//!
//! A [`FilterError`] is the parser's own error; it becomes a SCIM 400 `invalidFilter` (or `invalidPath`, for a
//! PATCH path) at the API boundary, and [`FilterError::render`] shows it under the input with a caret for people
//! reading a terminal (`scimlab filter parse`).

use crate::error::ScimError;

/// A filter (or PATCH path) that does not follow the grammar of RFC 7644 section 3.4.2.2 (or 3.5.2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at offset {offset}: {message}")]
pub struct FilterError {
    /// Byte offset into the input where the problem was found.
    pub offset: usize,
    /// What was wrong there and what would have been right, as a lowercase fragment.
    pub message: String,
}

impl FilterError {
    /// An error at `offset`.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        FilterError { offset, message: message.into() }
    }

    /// RFC 7644 section 3.4.2.2: a malformed filter is a 400 with scimType `invalidFilter`; the detail names the
    /// offset and the problem.
    pub fn to_scim(&self) -> ScimError {
        ScimError::invalid_filter(format!("invalid filter at offset {}: {}", self.offset, self.message))
    }

    /// RFC 7644 section 3.5.2: a malformed PATCH path is a 400 with scimType `invalidPath`.
    pub fn to_scim_path(&self) -> ScimError {
        ScimError::invalid_path(format!("invalid path at offset {}: {}", self.offset, self.message))
    }

    /// A multi-line message: the error, the input, and a caret under the offending position.
    ///
    /// The caret is placed by characters, not bytes, and tabs in the input are repeated in the caret line so the
    /// caret stays aligned.
    pub fn render(&self, input: &str) -> String {
        let before = input.get(..self.offset).unwrap_or(input);
        let pad: String = before.chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        format!("error at offset {}: {}\n  {}\n  {}^", self.offset, self.message, input, pad)
    }
}

impl From<FilterError> for ScimError {
    fn from(e: FilterError) -> Self {
        e.to_scim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ScimType;

    #[test]
    fn display_names_offset_then_message() {
        let e = FilterError::new(12, "expected a value");
        assert_eq!(e.to_string(), "at offset 12: expected a value");
    }

    #[test]
    fn scim_errors_carry_type_offset_and_problem() {
        let e = FilterError::new(3, "expected a value");
        let s: ScimError = e.clone().into();
        assert_eq!((s.status, s.scim_type), (400, Some(ScimType::InvalidFilter)));
        assert_eq!(s.detail, "invalid filter at offset 3: expected a value");
        let p = e.to_scim_path();
        assert_eq!(p.scim_type, Some(ScimType::InvalidPath));
        assert!(p.detail.contains("offset 3"));
    }

    #[test]
    fn render_puts_caret_under_offset_counting_chars() {
        // Offset 9 is the `x`; "é" is two bytes but one column, and the tab is kept so the caret lines up.
        let e = FilterError::new(9, "boom");
        assert_eq!(e.render("é\tab eq x"), "error at offset 9: boom\n  é\tab eq x\n   \t      ^");
    }
}
