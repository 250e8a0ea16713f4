//! Which checks run: profiles, then `--only` and `--skip` by id prefix or tag.

use crate::check::{Check, Profile, Tag};

/// A selector from the command line: an id prefix (`rfc7644/3.5.2`, `profile/entra/`) or a tag name (`filter`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Checks whose id starts with this.
    Prefix(String),
    /// Checks with this tag.
    Tag(Tag),
}

impl Selector {
    /// Reads a selector: a known tag name is a tag, anything else an id prefix.
    pub fn parse(s: &str) -> Selector {
        match Tag::parse(s) {
            Some(t) => Selector::Tag(t),
            None => Selector::Prefix(s.to_owned()),
        }
    }

    /// Whether `check` is selected by this.
    pub fn matches(&self, check: &Check) -> bool {
        match self {
            Selector::Prefix(p) => check.id.starts_with(p.as_str()),
            Selector::Tag(t) => check.tags.contains(t),
        }
    }
}

impl std::fmt::Display for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Selector::Prefix(p) => write!(f, "id prefix {p:?}"),
            Selector::Tag(t) => write!(f, "tag {:?}", t.as_str()),
        }
    }
}

/// The checks of `all` that belong to one of `profiles`, match any `only` selector (all, when none is given) and
/// no `skip` selector, in registry order.
pub fn select<'a>(all: &'a [Check], profiles: &[Profile], only: &[Selector], skip: &[Selector]) -> Vec<&'a Check> {
    all.iter()
        .filter(|c| c.in_profiles(profiles))
        .filter(|c| only.is_empty() || only.iter().any(|s| s.matches(c)))
        .filter(|c| !skip.iter().any(|s| s.matches(c)))
        .collect()
}

/// Selectors that match no check of `all` (a typo the user should hear about).
pub fn unmatched<'a>(all: &[Check], selectors: &'a [Selector]) -> Vec<&'a Selector> {
    selectors.iter().filter(|s| !all.iter().any(|c| s.matches(c))).collect()
}
