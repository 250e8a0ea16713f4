//! Authentication of SCIM clients: a bearer token or HTTP Basic credentials, checked before any endpoint runs.
//!
//! RFC 7644 section 2 leaves authentication to HTTP; a request without valid credentials gets 401 with a SCIM
//! Error body (section 3.12) and a `WWW-Authenticate` challenge. Credentials are compared in constant time and
//! never logged.

use crate::config::Auth;
use crate::http::error_response;
use axum::http::{HeaderMap, header};
use axum::response::Response;
use scimlab_protocol::ScimError;

/// The expected `Authorization` header forms for a configuration, computed once at start.
#[derive(Clone)]
pub struct Authenticator {
    /// Accepted header values (exact), e.g. `Bearer T` and `T`; empty means no authentication.
    accepted: Vec<Vec<u8>>,
    /// What the audit trail calls each accepted value, index for index: never the credential itself.
    labels: Vec<String>,
    basic: bool,
}

impl Authenticator {
    /// Prepares the accepted header values for `auth`.
    pub fn new(auth: &Auth) -> Self {
        match auth {
            Auth::None => Authenticator { accepted: Vec::new(), labels: Vec::new(), basic: false },
            Auth::Bearer(t) => Authenticator {
                accepted: vec![format!("Bearer {t}").into_bytes(), t.clone().into_bytes()],
                labels: vec!["bearer token".to_owned(), "bearer token (sent without the Bearer scheme)".to_owned()],
                basic: false,
            },
            Auth::Basic { user, pass } => Authenticator {
                accepted: vec![
                    format!("Basic {}", scimlab_protocol::base64::encode(format!("{user}:{pass}").as_bytes()))
                        .into_bytes(),
                ],
                labels: vec![format!("basic user {user}")],
                basic: true,
            },
        }
    }

    /// `Ok(())` when the request carries an accepted credential; otherwise the 401 response to send.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        if self.accepted.is_empty() {
            return Ok(());
        }
        let Some(given) = headers.get(header::AUTHORIZATION) else {
            return Err(Box::new(self.refuse("the request has no Authorization header")));
        };
        match self.matching(given.as_bytes()) {
            Some(_) => Ok(()),
            None => Err(Box::new(self.refuse("the credential in the Authorization header is not valid"))),
        }
    }

    /// Which accepted value `given` is, compared in constant time; the scheme word is case-insensitive (RFC 7235
    /// section 2.1).
    fn matching(&self, given: &[u8]) -> Option<usize> {
        let normalised: Vec<u8> = match given.iter().position(|&b| b == b' ') {
            Some(i) if given[..i].eq_ignore_ascii_case(b"bearer") => [b"Bearer".as_slice(), &given[i..]].concat(),
            Some(i) if given[..i].eq_ignore_ascii_case(b"basic") => [b"Basic".as_slice(), &given[i..]].concat(),
            _ => given.to_vec(),
        };
        // Every value is compared, so the time taken does not tell which one matched.
        self.accepted.iter().enumerate().fold(None, |found, (i, a)| {
            let hit = constant_time_eq(a, &normalised);
            found.or(hit.then_some(i))
        })
    }

    /// The audit trail's name for the credential a request carries: `bearer token`, `basic user okta`; `None`
    /// when the server asks for no credential; `none` or `not valid` when the request was served without a valid
    /// one (the `auth-ignored` deviation). Never the credential itself.
    pub fn label(&self, headers: &HeaderMap) -> Option<String> {
        if self.accepted.is_empty() {
            return None;
        }
        let Some(given) = headers.get(header::AUTHORIZATION) else { return Some("none".to_owned()) };
        let found = self.matching(given.as_bytes()).and_then(|i| self.labels.get(i));
        Some(found.map_or_else(|| "not valid".to_owned(), Clone::clone))
    }

    fn refuse(&self, why: &str) -> Response {
        let mut resp = error_response(&ScimError::new(401, why));
        if self.basic {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Basic realm=\"scimlab\", charset=\"UTF-8\""),
            );
        }
        resp
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn bearer_accepts_any_scheme_case_and_raw_token() {
        let a = Authenticator::new(&Auth::Bearer("s3cret".into()));
        assert!(a.check(&headers("Bearer s3cret")).is_ok());
        assert!(a.check(&headers("bearer s3cret")).is_ok());
        assert!(a.check(&headers("s3cret")).is_ok());
        assert!(a.check(&headers("Bearer wrong")).is_err());
        assert!(a.check(&HeaderMap::new()).is_err());
    }

    #[test]
    fn labels_name_the_credential_and_never_hold_it() {
        let a = Authenticator::new(&Auth::Bearer("s3cret".into()));
        assert_eq!(a.label(&headers("bearer s3cret")).as_deref(), Some("bearer token"));
        assert_eq!(a.label(&headers("s3cret")).as_deref(), Some("bearer token (sent without the Bearer scheme)"));
        assert_eq!(a.label(&headers("Bearer nope")).as_deref(), Some("not valid"));
        assert_eq!(a.label(&HeaderMap::new()).as_deref(), Some("none"));
        let b = Authenticator::new(&Auth::Basic { user: "okta".into(), pass: "pw".into() });
        let given = format!("Basic {}", scimlab_protocol::base64::encode(b"okta:pw"));
        assert_eq!(b.label(&headers(&given)).as_deref(), Some("basic user okta"));
        assert_eq!(Authenticator::new(&Auth::None).label(&headers("x")), None);
    }

    #[test]
    fn basic_checks_user_and_password() {
        let a = Authenticator::new(&Auth::Basic { user: "okta".into(), pass: "pw".into() });
        assert!(a.check(&headers(&format!("Basic {}", scimlab_protocol::base64::encode(b"okta:pw")))).is_ok());
        assert!(a.check(&headers(&format!("Basic {}", scimlab_protocol::base64::encode(b"okta:px")))).is_err());
    }
}
