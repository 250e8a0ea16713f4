//! Which checks run: profiles (by default all of them: the RFCs and every IdP, so that a plain run answers "will
//! Entra and Okta provisioning work?"), then `--only` and `--skip` by id prefix or tag.

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

/// The profiles named on the command line (`--profile`, repeatable, case-insensitive, duplicates ignored), or
/// every profile when none is named. `Err` names the unknown profile and the known ones.
pub fn profiles(names: &[String]) -> Result<Vec<Profile>, String> {
    if names.is_empty() {
        return Ok(Profile::ALL.to_vec());
    }
    let mut out = Vec::new();
    for name in names {
        let p = Profile::parse(name.trim())
            .ok_or_else(|| format!("unknown profile {name:?}; use one of {}", Profile::names()))?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_profile_means_every_profile_and_names_select() {
        assert_eq!(profiles(&[]), Ok(Profile::ALL.to_vec()));
        let named = |v: &[&str]| profiles(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(named(&["rfc"]), Ok(vec![Profile::Rfc]));
        assert_eq!(named(&["Okta", "rfc", "okta"]), Ok(vec![Profile::Okta, Profile::Rfc]));
        assert_eq!(named(&["google", "PING"]), Ok(vec![Profile::Google, Profile::Ping]));
        let err = named(&["azure"]).expect_err("unknown");
        assert!(err.contains("\"azure\"") && err.contains("rfc, entra, okta, google, jumpcloud, ping"), "{err}");
    }
}
