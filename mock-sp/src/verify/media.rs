//! RFC 7644 sections 3.8 and 8.1: the media types a client labels its bodies with and asks for in return.
//!
//! SCIM speaks JSON. A client that sends a body says what it is in `Content-Type`; the SCIM media type is
//! `application/scim+json`, and servers also take `application/json`. A client says which answers it takes in
//! `Accept`; servers must produce `application/scim+json` and should produce `application/json`.

use super::{Check, Finding, Level, Subject};

/// The checks of this area, in registry order.
pub(super) const CHECKS: &[&Check] = &[&CONTENT_TYPE_JSON, &CONTENT_TYPE_SCIM, &ACCEPT_JSON];

/// RFC 7644 section 3.8: a request body is labelled with its (JSON) format.
pub(super) static CONTENT_TYPE_JSON: Check = Check {
    id: "client/rfc7644/3.8/content-type-json",
    level: Level::Must,
    section: "RFC 7644 3.8",
    requirement: "a request that carries a body labels it in Content-Type as JSON: application/scim+json (or \
                  application/json)",
    judge: content_type_json,
};

/// RFC 7644 section 8.1: the SCIM media type is the label to use.
pub(super) static CONTENT_TYPE_SCIM: Check = Check {
    id: "client/rfc7644/8.1/content-type-scim",
    level: Level::Should,
    section: "RFC 7644 8.1",
    requirement: "a request body is labelled with the SCIM media type application/scim+json rather than plain \
                  application/json",
    judge: content_type_scim,
};

/// RFC 7644 section 3.8: the client says which response formats it takes.
pub(super) static ACCEPT_JSON: Check = Check {
    id: "client/rfc7644/3.8/accept-json",
    level: Level::Should,
    section: "RFC 7644 3.8",
    requirement: "a request sends Accept naming a type the server can answer with: application/scim+json, \
                  application/json, or a wildcard that covers them",
    judge: accept_json,
};

/// The media type without parameters, lowercased: `application/scim+json` of `Application/SCIM+JSON;
/// charset=utf-8`.
pub(super) fn essence(value: &str) -> String {
    value.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// Whether the request has a body that a Content-Type should describe: a non-blank body on any method but GET
/// and HEAD (a GET body is its own finding, `get-without-body`).
fn labelled_body(s: &Subject<'_>) -> Option<usize> {
    if s.is("GET") || s.is("HEAD") {
        return None;
    }
    s.body().map(str::len)
}

fn content_type_json(s: &Subject<'_>) -> Option<Finding> {
    let len = labelled_body(s)?;
    match s.header("content-type") {
        None => Some(Finding::new(format!(
            "{} sends a {len}-byte body without a Content-Type; label it application/scim+json",
            s.target()
        ))),
        Some(ct) if !matches!(essence(ct).as_str(), "application/scim+json" | "application/json") => Some(
            Finding::new(format!(
                "{} labels its JSON body {ct:?}; SCIM bodies are application/scim+json (or application/json)",
                s.target()
            ))
            .with_excerpt(format!("Content-Type: {ct}")),
        ),
        Some(_) => None,
    }
}

fn content_type_scim(s: &Subject<'_>) -> Option<Finding> {
    labelled_body(s)?;
    let ct = s.header("content-type")?;
    (essence(ct) == "application/json").then(|| {
        Finding::new(format!(
            "{} labels its body application/json; servers take it, but the SCIM media type is \
             application/scim+json",
            s.target()
        ))
        .with_excerpt(format!("Content-Type: {ct}"))
    })
}

fn accept_json(s: &Subject<'_>) -> Option<Finding> {
    let Some(accept) = s.header("accept").filter(|a| !a.trim().is_empty()) else {
        return Some(Finding::new(format!(
            "{} sends no Accept header; send Accept: application/scim+json so the answer's format is agreed",
            s.target()
        )));
    };
    if acceptable(accept) {
        None
    } else {
        Some(
            Finding::new(format!(
                "{} accepts only {accept:?}, none of which is application/scim+json or application/json",
                s.target()
            ))
            .with_excerpt(format!("Accept: {accept}")),
        )
    }
}

/// Whether an Accept value (RFC 9110 section 12.5.1) lets the server answer in JSON: some media range covering
/// `application/scim+json` or `application/json` whose quality is not zero.
fn acceptable(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        !refused && matches!(media.as_str(), "application/scim+json" | "application/json" | "application/*" | "*/*")
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{clean_headers, exchange, without};
    use super::*;

    const BODY: &str = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a"}"#;

    #[test]
    fn content_type_must_label_a_body_as_json() {
        let clean = exchange("POST", "/scim/v2/Users", clean_headers(), Some(BODY));
        assert_eq!(CONTENT_TYPE_JSON.run(&clean), None);
        let charset = exchange(
            "POST",
            "/Users",
            [("content-type", "application/scim+json; charset=utf-8")].into_iter().collect(),
            Some(BODY),
        );
        assert_eq!(CONTENT_TYPE_JSON.run(&charset), None);
        let plain_json = exchange("POST", "/Users", [("Content-Type", "application/json")].into(), Some(BODY));
        assert_eq!(CONTENT_TYPE_JSON.run(&plain_json), None, "application/json is a SHOULD miss, not a MUST miss");

        let none = exchange("PATCH", "/Users/1", without(clean_headers(), "content-type"), Some(BODY));
        let f = CONTENT_TYPE_JSON.run(&none).expect("no Content-Type is a MUST miss");
        assert!(f.detail.contains("without a Content-Type"), "{}", f.detail);
        let text = exchange("PUT", "/Users/1", [("Content-Type", "text/plain")].into(), Some(BODY));
        assert!(CONTENT_TYPE_JSON.run(&text).is_some());
        // No body, nothing to label.
        let empty = exchange("DELETE", "/Users/1", without(clean_headers(), "content-type"), None);
        assert_eq!(CONTENT_TYPE_JSON.run(&empty), None);
    }

    #[test]
    fn content_type_should_be_the_scim_media_type() {
        // Google Workspace sends application/json (IDP-TRAFFIC.md section 3).
        let google = exchange("POST", "/Users", [("Content-Type", "application/json")].into(), Some(BODY));
        let f = CONTENT_TYPE_SCIM.run(&google).expect("application/json is a SHOULD miss");
        assert_eq!(f.excerpt.as_deref(), Some("Content-Type: application/json"));
        let clean = exchange("POST", "/Users", clean_headers(), Some(BODY));
        assert_eq!(CONTENT_TYPE_SCIM.run(&clean), None);
        let none = exchange("POST", "/Users", without(clean_headers(), "content-type"), Some(BODY));
        assert_eq!(CONTENT_TYPE_SCIM.run(&none), None, "a missing Content-Type is content-type-json's finding");
    }

    #[test]
    fn accept_should_name_json() {
        let clean = exchange("GET", "/Users", clean_headers(), None);
        assert_eq!(ACCEPT_JSON.run(&clean), None);
        for ok in ["application/json", "*/*", "text/html, application/*;q=0.5", "application/scim+json; charset=utf-8"]
        {
            let e = exchange("GET", "/Users", [("Accept", ok)].into(), None);
            assert_eq!(ACCEPT_JSON.run(&e), None, "{ok}");
        }
        // Entra's Test Connection sends no Accept (IDP-TRAFFIC.md section 1).
        let entra = exchange("GET", "/Users", without(clean_headers(), "accept"), None);
        assert!(ACCEPT_JSON.run(&entra).is_some());
        for bad in ["text/html", "application/xml, application/json;q=0", ""] {
            let e = exchange("GET", "/Users", [("Accept", bad)].into(), None);
            assert!(ACCEPT_JSON.run(&e).is_some(), "{bad:?}");
        }
    }
}
