//! Authentication of SCIM clients: a bearer token or HTTP Basic credentials, checked before any endpoint runs;
//! beside them, bearer JWTs ([`crate::jwt`]) and the access tokens of the server's own OAuth token endpoint
//! ([`crate::oauth`]) when those are configured.
//!
//! RFC 7644 section 2 leaves authentication to HTTP; a request without valid credentials gets 401 with a SCIM
//! Error body (section 3.12) and a `WWW-Authenticate` challenge. A bearer token that was presented and refused
//! gets RFC 6750 section 3's `error="invalid_token"` with an `error_description` saying why (expired, wrong
//! issuer, ...); a request without credentials gets the bare challenge (section 3.1 says no error code then).
//! Credentials are compared in constant time and never logged.

use crate::config::{Auth, ServerConfig};
use crate::http::error_response;
use crate::jwt::JwtValidator;
use crate::oauth::{OAuthIssuer, TokenState};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use scimlab_protocol::ScimError;
use std::sync::Arc;

/// The expected `Authorization` header forms for a configuration, computed once at start.
#[derive(Clone)]
pub struct Authenticator {
    /// Accepted header values (exact), e.g. `Bearer T` and `T`; empty means no authentication.
    accepted: Vec<Vec<u8>>,
    /// What the audit trail calls each accepted value, index for index: never the credential itself.
    labels: Vec<String>,
    basic: bool,
    jwt: Option<Arc<JwtValidator>>,
    oauth: Option<Arc<OAuthIssuer>>,
}

/// What a request's credential is.
enum Verdict {
    /// One of the static credentials, by index: labelled without allocating, since this is every request's path.
    Static(usize),
    /// A valid JWT, with what it says about its sender.
    Jwt(crate::jwt::Accepted),
    /// A valid access token of the token endpoint.
    OAuth,
    /// No Authorization header.
    Missing,
    /// A bearer token this server checked and refused, and why (RFC 6750 `invalid_token`).
    InvalidToken(String),
    /// Some other credential that matches nothing.
    NotValid,
}

impl Authenticator {
    /// Prepares the accepted header values for `auth`, with no JWTs or OAuth tokens.
    pub fn new(auth: &Auth) -> Self {
        let (accepted, labels, basic) = match auth {
            Auth::None => (Vec::new(), Vec::new(), false),
            Auth::Bearer(t) => (
                vec![format!("Bearer {t}").into_bytes(), t.clone().into_bytes()],
                vec!["bearer token".to_owned(), "bearer token (sent without the Bearer scheme)".to_owned()],
                false,
            ),
            Auth::Basic { user, pass } => (
                vec![
                    format!("Basic {}", scimlab_protocol::base64::encode(format!("{user}:{pass}").as_bytes()))
                        .into_bytes(),
                ],
                vec![format!("basic user {user}")],
                true,
            ),
        };
        Authenticator { accepted, labels, basic, jwt: None, oauth: None }
    }

    /// The authenticator of a server configuration: its `auth`, and its JWT validator and OAuth issuer if any.
    pub fn of(config: &ServerConfig) -> Self {
        Authenticator { jwt: config.jwt.clone(), oauth: config.oauth.clone(), ..Authenticator::new(&config.auth) }
    }

    /// Whether the server asks for any credential.
    fn required(&self) -> bool {
        !self.accepted.is_empty() || self.jwt.is_some() || self.oauth.is_some()
    }

    /// `Ok(())` when the request carries an accepted credential; otherwise the 401 response to send.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), Box<Response>> {
        if !self.required() {
            return Ok(());
        }
        match self.verdict(headers, true) {
            Verdict::Static(_) | Verdict::Jwt(_) | Verdict::OAuth => Ok(()),
            Verdict::Missing => Err(Box::new(self.refuse("the request has no Authorization header"))),
            Verdict::InvalidToken(why) => Err(Box::new(invalid_token(&why))),
            Verdict::NotValid => Err(Box::new(self.refuse("the credential in the Authorization header is not valid"))),
        }
    }

    /// What the request's credential is; with `consume`, an OAuth token with limited uses spends one.
    fn verdict(&self, headers: &HeaderMap, consume: bool) -> Verdict {
        let Some(given) = headers.get(header::AUTHORIZATION) else { return Verdict::Missing };
        if let Some(i) = self.matching(given.as_bytes()) {
            return Verdict::Static(i);
        }
        if self.jwt.is_none() && self.oauth.is_none() {
            return Verdict::NotValid;
        }
        // RFC 6750 section 2.1: `Bearer` and the token, separated by one or more spaces; the scheme word is
        // case-insensitive (RFC 7235 section 2.1).
        let Some(token) = given
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
        else {
            return Verdict::NotValid;
        };
        if let Some(oauth) = &self.oauth {
            match oauth.check(token, consume) {
                TokenState::Valid => return Verdict::OAuth,
                TokenState::Expired => return Verdict::InvalidToken("the access token expired".to_owned()),
                TokenState::Unknown => {}
            }
        }
        match &self.jwt {
            Some(jwt) if JwtValidator::looks_like_jwt(token) => match jwt.validate(token) {
                Ok(accepted) => Verdict::Jwt(accepted),
                Err(refusal) => Verdict::InvalidToken(refusal.0),
            },
            Some(_) if self.oauth.is_none() => {
                Verdict::InvalidToken("malformed token: a JWT has three dot-separated parts".to_owned())
            }
            _ => Verdict::InvalidToken("unknown access token: this server did not issue it".to_owned()),
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
        if !self.required() {
            return None;
        }
        Some(match self.verdict(headers, false) {
            Verdict::Static(i) => self.labels.get(i).cloned().unwrap_or_default(),
            Verdict::Jwt(accepted) => accepted.label(),
            Verdict::OAuth => {
                format!("oauth token (client {})", self.oauth.as_ref().map_or("", |o| o.client_id()))
            }
            Verdict::Missing => "none".to_owned(),
            Verdict::InvalidToken(_) | Verdict::NotValid => "not valid".to_owned(),
        })
    }

    fn refuse(&self, why: &str) -> Response {
        let mut resp = error_response(&ScimError::new(401, why));
        if self.basic {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"scimlab\", charset=\"UTF-8\""),
            );
        }
        resp
    }
}

/// RFC 6750 section 3: a presented bearer token that is refused gets `error="invalid_token"` and a description
/// of why. The description is printable ASCII without `"` or `\\` (section 3's grammar), at most 200 characters.
fn invalid_token(why: &str) -> Response {
    let mut resp = error_response(&ScimError::new(401, format!("invalid bearer token: {why}")));
    let clean: String = why
        .chars()
        .map(|c| if c == '"' || c == '\\' { '\'' } else { c })
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(200)
        .collect();
    let challenge = format!("Bearer realm=\"scimlab\", error=\"invalid_token\", error_description=\"{clean}\"");
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

/// Whether `a` and `b` are equal, in a time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_refused_bearer_token_says_why_in_the_rfc6750_challenge() {
        let jwks = include_str!("../../tests/fixtures/jwt/test-only-jwks.json");
        let jwt = crate::jwt::JwtValidator::new("https://sts.windows.net/t/", crate::jwt::ENTRA_AUDIENCE, jwks);
        let issuer = OAuthIssuer::new("ping".into(), "pw-secret".into(), std::time::Duration::ZERO, None);
        let config = ServerConfig {
            jwt: Some(Arc::new(jwt.expect("validator"))),
            oauth: Some(Arc::new(issuer)),
            ..ServerConfig::default()
        };
        let a = Authenticator::of(&config);
        let challenge = |h: &HeaderMap| {
            let refused = a.check(h).expect_err("refused");
            let v = refused.headers().get(header::WWW_AUTHENTICATE).expect("challenge");
            (refused.status().as_u16(), v.to_str().expect("ascii").to_owned())
        };
        let (status, c) = challenge(&headers("Bearer x.y.z"));
        assert_eq!(status, 401);
        assert!(
            c.starts_with("Bearer realm=\"scimlab\", error=\"invalid_token\", error_description=\"malformed"),
            "{c}"
        );
        let (_, c) = challenge(&headers("Bearer opaque-unknown"));
        assert!(c.contains("did not issue it"), "{c}");
        // Section 3.1: no credentials, no error code.
        let (_, c) = challenge(&HeaderMap::new());
        assert_eq!(c, "Bearer realm=\"scimlab\"");
        assert_eq!(a.label(&headers("Bearer x.y.z")).as_deref(), Some("not valid"));
    }

    #[test]
    fn jwts_and_oauth_tokens_are_labelled_without_their_values() {
        let issuer = OAuthIssuer::new("ping".into(), "pw-secret".into(), std::time::Duration::from_secs(60), Some(1));
        let token = issuer.issue().expect("token");
        let a = Authenticator::of(&ServerConfig { oauth: Some(Arc::new(issuer)), ..ServerConfig::default() });
        let given = headers(&format!("Bearer {token}"));
        // Labelling spends no use: the one use is still there for the request itself.
        assert_eq!(a.label(&given).as_deref(), Some("oauth token (client ping)"));
        assert!(a.check(&given).is_ok());
        assert_eq!(a.label(&given).as_deref(), Some("oauth token (client ping)"), "the request that spent it");
        assert!(a.check(&given).is_err(), "the token's one use is spent");
    }
}
