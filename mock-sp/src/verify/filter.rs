//! RFC 7644 section 3.4.2.2: the filters a client queries with, in `GET ...?filter=` or in the body of a POST
//! to `.search` (section 3.4.3).
//!
//! A filter must follow the grammar, and each comparison must suit its attribute's type (no `gt` on a boolean,
//! a number compared with a number, a dateTime with a dateTime string...). The grammar is the protocol crate's
//! parser, the types its [`Matcher::compile`] against the core User or Group schema of the endpoint; a filter at
//! the server root, which spans both types, is refused only when it suits neither. Attributes the schema does not
//! know are not a finding: the RFC lets a server match them as it can.

use super::subject::{Endpoint, Subject, view_of};
use super::{Check, Finding, Level};
use crate::store::Kind;
use scimlab_protocol::filter::{self, Filter, Matcher};
use scimlab_protocol::json::get_ci;
use serde_json::Value;

/// The checks of this area, in registry order.
pub(super) const CHECKS: &[&Check] = &[&FILTER_SYNTAX, &FILTER_TYPES];

/// RFC 7644 section 3.4.2.2: the filter grammar.
pub(super) static FILTER_SYNTAX: Check = Check {
    id: "client/rfc7644/3.4.2.2/filter-syntax",
    level: Level::Must,
    section: "RFC 7644 3.4.2.2",
    requirement: "a filter follows the filter grammar: attribute paths, the RFC's operators, quoted strings, \
                  balanced parentheses and brackets",
    judge: filter_syntax,
};

/// RFC 7644 section 3.4.2.2: comparisons the attribute's type allows.
pub(super) static FILTER_TYPES: Check = Check {
    id: "client/rfc7644/3.4.2.2/filter-types",
    level: Level::Must,
    section: "RFC 7644 3.4.2.2",
    requirement: "a filter compares each attribute only in ways its type allows (eq and ne on booleans, numbers \
                  with numbers, no ordering of binaries)",
    judge: filter_types,
};

/// The filter a request queries with, and where it was: the `filter` query parameter of a GET, or the `filter`
/// member of a POST to `.search`.
fn filter_of(s: &Subject<'_>) -> Option<(String, &'static str)> {
    if s.is("GET") {
        return s.query_param("filter").map(|f| (f.to_owned(), "the filter query parameter"));
    }
    if s.is("POST") && matches!(s.endpoint, Endpoint::Search(_)) {
        let Some(Value::Object(body)) = s.json() else { return None };
        return get_ci(body, "filter").and_then(Value::as_str).map(|f| (f.to_owned(), "the filter member of the body"));
    }
    None
}

fn filter_syntax(s: &Subject<'_>) -> Option<Finding> {
    let (text, place) = filter_of(s)?;
    let e = filter::parse(&text).err()?;
    Some(
        Finding::new(format!(
            "{} sends {place} {text:?}, which is invalid at offset {}: {}",
            s.target(),
            e.offset,
            e.message
        ))
        .with_excerpt(e.render(&text)),
    )
}

fn filter_types(s: &Subject<'_>) -> Option<Finding> {
    let (text, place) = filter_of(s)?;
    let parsed: Filter = filter::parse(&text).ok()?;
    let kinds: &[Kind] = match s.kind() {
        Some(Kind::User) => &[Kind::User],
        Some(Kind::Group) => &[Kind::Group],
        None => &[Kind::User, Kind::Group],
    };
    let mut first_error = None;
    for &kind in kinds {
        match Matcher::compile(&parsed, &view_of(kind)) {
            Ok(_) => return None,
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let e = first_error?;
    Some(Finding::new(format!("{} sends {place} {text:?}: {}", s.target(), e.detail)).with_excerpt(text))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{clean_headers, exchange};
    use super::*;

    fn get(url: &str) -> scimlab_protocol::exchange::Exchange {
        exchange("GET", url, clean_headers(), None)
    }

    #[test]
    fn filters_must_parse() {
        // Entra's Test Connection and Okta's lookup (IDP-TRAFFIC.md sections 1 and 2), both encodings.
        for ok in [
            "/scim/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22",
            "/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22TEST%22",
            "/Users?startIndex=1&count=2",
        ] {
            assert_eq!(FILTER_SYNTAX.run(&get(ok)), None, "{ok}");
        }
        let bad = get("/Users?filter=userName%20eq%20bjensen");
        let f = FILTER_SYNTAX.run(&bad).expect("unquoted value");
        assert!(f.detail.contains("offset 12"), "{}", f.detail);
        assert!(f.excerpt.as_deref().is_some_and(|e| e.contains('^')));
        // Okta's old SPEC test sends a bare user name as the filter.
        assert!(FILTER_SYNTAX.run(&get("/Users?filter=RANDOMUSER")).is_some());
        let search = exchange("POST", "/scim/v2/.search", clean_headers(), Some(r#"{"filter":"userName eq"}"#));
        assert!(FILTER_SYNTAX.run(&search).is_some());
    }

    #[test]
    fn comparisons_must_suit_the_type() {
        assert_eq!(
            FILTER_TYPES.run(&get("/Users?filter=active+eq+true+and+meta.lastModified+gt+%222011-05-13T04:42:34Z%22")),
            None
        );
        assert_eq!(FILTER_TYPES.run(&get("/Users?filter=customThing+gt+3")), None, "unknown attributes are allowed");
        let f = FILTER_TYPES.run(&get("/Users?filter=active+gt+true")).expect("gt on a boolean");
        assert!(f.detail.contains("active"), "{}", f.detail);
        // A Group has no `active`; the same filter on /Groups compares an unknown attribute.
        assert_eq!(FILTER_TYPES.run(&get("/Groups?filter=active+gt+true")), None);
        let root = exchange("POST", "/.search", clean_headers(), Some(r#"{"filter":"displayName gt 3"}"#));
        assert!(FILTER_TYPES.run(&root).is_some(), "displayName is a string in both types");
        assert_eq!(FILTER_TYPES.run(&get("/Users?filter=userName%20eq%20bjensen")), None, "syntax is the other check");
    }
}
