//! The HTTP rules SCIM stands on (RFC 7644 section 2 leaves authentication to HTTP): the Authorization scheme
//! (RFC 7235 section 2.1), User-Agent (RFC 7231 section 5.5.3), and bodies on GET (RFC 7231 section 4.3.1).
//!
//! Recordings are redacted, but redaction keeps the scheme word of an Authorization value (`Bearer
//! [redacted]`), so whether a client sent one can still be judged.

use super::{Check, Finding, Level, Subject};

/// The checks of this area, in registry order.
pub(super) const CHECKS: &[&Check] = &[&AUTHORIZATION_SCHEME, &USER_AGENT, &GET_WITHOUT_BODY];

/// RFC 7235 section 2.1: credentials open with the scheme they are for.
pub(super) static AUTHORIZATION_SCHEME: Check = Check {
    id: "client/rfc7235/2.1/authorization-scheme",
    level: Level::Must,
    section: "RFC 7235 2.1",
    requirement: "an Authorization value opens with its scheme word (Bearer, Basic) before the credential, \
                  never a bare token",
    judge: authorization_scheme,
};

/// RFC 7231 section 5.5.3: clients name themselves.
pub(super) static USER_AGENT: Check = Check {
    id: "client/rfc7231/5.5.3/user-agent",
    level: Level::Should,
    section: "RFC 7231 5.5.3",
    requirement: "a request names its client in a non-empty User-Agent (informational: it lets a server's \
                  operator tell clients apart)",
    judge: user_agent,
};

/// RFC 7231 section 4.3.1: a GET has no body.
pub(super) static GET_WITHOUT_BODY: Check = Check {
    id: "client/rfc7231/4.3.1/get-without-body",
    level: Level::Should,
    section: "RFC 7231 4.3.1",
    requirement: "a GET carries no body: one has no defined meaning; a query with a body is POST .search \
                  (RFC 7644 3.4.3)",
    judge: get_without_body,
};

fn authorization_scheme(s: &Subject<'_>) -> Option<Finding> {
    let value = s.header("authorization")?;
    let has_scheme = value.trim().split_once(char::is_whitespace).is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && !rest.trim().is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
    });
    (!has_scheme).then(|| {
        Finding::new(format!(
            "{} sends a bare credential in Authorization, without a scheme word (Okta's HTTP Header mode \
             without the Bearer prefix does this); send Authorization: Bearer <token>",
            s.target()
        ))
        .with_excerpt(format!("Authorization: {value}"))
    })
}

fn user_agent(s: &Subject<'_>) -> Option<Finding> {
    match s.header("user-agent") {
        Some(ua) if !ua.trim().is_empty() => None,
        Some(_) => Some(
            Finding::new(format!("{} sends an empty User-Agent; name the client and its version", s.target()))
                .with_excerpt("User-Agent: "),
        ),
        None => Some(Finding::new(format!("{} sends no User-Agent; name the client and its version", s.target()))),
    }
}

fn get_without_body(s: &Subject<'_>) -> Option<Finding> {
    if !(s.is("GET") || s.is("HEAD")) {
        return None;
    }
    let body = s.body()?;
    Some(
        Finding::new(format!(
            "{} carries a {}-byte body, which servers may ignore or refuse; put query parameters in the URL, or \
             POST the query to .search",
            s.target(),
            body.len()
        ))
        .with_excerpt(super::subject::clip(body)),
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{clean_headers, exchange, without};
    use super::*;
    use scimlab_protocol::exchange::Exchange;

    fn redacted(mut e: Exchange) -> Exchange {
        e.redact();
        e
    }

    #[test]
    fn authorization_must_name_its_scheme() {
        let bearer = redacted(exchange("GET", "/Users", clean_headers(), None));
        assert_eq!(bearer.request.header("authorization"), Some("Bearer [redacted]"));
        assert_eq!(AUTHORIZATION_SCHEME.run(&bearer), None);
        let basic = exchange("GET", "/Users", [("Authorization", "Basic b2t0YTpwdw==")].into(), None);
        assert_eq!(AUTHORIZATION_SCHEME.run(&basic), None);
        let none = exchange("GET", "/Users", without(clean_headers(), "authorization"), None);
        assert_eq!(AUTHORIZATION_SCHEME.run(&none), None, "no header at all is the server's 401, not this check");

        // Okta's HTTP Header mode with the raw token (IDP-TRAFFIC.md section 2), before and after redaction.
        let raw = exchange("GET", "/Users", [("Authorization", "00abcDEF123tok")].into(), None);
        assert!(AUTHORIZATION_SCHEME.run(&raw).is_some());
        let raw = redacted(raw);
        assert_eq!(raw.request.header("authorization"), Some("[redacted]"));
        let f = AUTHORIZATION_SCHEME.run(&raw).expect("a bare token is a finding after redaction too");
        assert_eq!(f.excerpt.as_deref(), Some("Authorization: [redacted]"));
        assert!(!f.detail.contains("00abc"));
    }

    #[test]
    fn user_agent_should_be_sent() {
        let okta = exchange("GET", "/Users", clean_headers(), None);
        assert_eq!(USER_AGENT.run(&okta), None);
        // OneLogin's group PATCH comes with an empty User-Agent (IDP-TRAFFIC.md section 3).
        let onelogin = exchange("PATCH", "/Groups/1", [("User-Agent", "")].into(), None);
        assert!(USER_AGENT.run(&onelogin).expect("empty").detail.contains("empty User-Agent"));
        let none = exchange("GET", "/Users", without(clean_headers(), "user-agent"), None);
        assert!(USER_AGENT.run(&none).expect("missing").detail.contains("no User-Agent"));
    }

    #[test]
    fn get_should_not_carry_a_body() {
        let clean = exchange("GET", "/Users?filter=userName%20eq%20%22a%22", clean_headers(), None);
        assert_eq!(GET_WITHOUT_BODY.run(&clean), None);
        let blank = exchange("GET", "/Users", clean_headers(), Some("  \r\n"));
        assert_eq!(GET_WITHOUT_BODY.run(&blank), None);
        let post = exchange("POST", "/Users/.search", clean_headers(), Some(r#"{"filter":"x pr"}"#));
        assert_eq!(GET_WITHOUT_BODY.run(&post), None);
        let bad = exchange("GET", "/Users", clean_headers(), Some(r#"{"filter":"userName eq \"a\""}"#));
        let f = GET_WITHOUT_BODY.run(&bad).expect("GET with a body");
        assert_eq!(f.excerpt.as_deref(), Some(r#"{"filter":"userName eq \"a\""}"#));
    }
}
