//! Bearer JWTs as Entra sends them when an app's secret-token field is left blank: a JSON Web Token (RFC 7519)
//! signed with a key the server finds by `kid` in a JSON Web Key Set (RFC 7517 section 5).
//!
//! [`JwtValidator::validate`] checks, in this order: the token's shape (three base64url parts, RFC 7515 section
//! 7.1), the header's `alg` against a fixed allow-list of public-key algorithms (`none` and the HMAC family are
//! never accepted, so a public key can never be used as an HMAC secret: RFC 8725 section 3.1), the `kid` against
//! the key set, the signature, then the claims: `iss` and `aud` must be the configured ones (RFC 7519 sections
//! 4.1.1 and 4.1.3), `exp` must be in the future and `nbf` in the past, give or take [`LEEWAY_SECS`] (sections
//! 4.1.4 and 4.1.5). Each refusal says which rule failed, for the `error_description` of the 401 (RFC 6750
//! section 3). The token itself never appears in a refusal.

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Seconds of clock skew allowed on `exp` and `nbf`.
pub const LEEWAY_SECS: u64 = 60;

/// The audience Entra puts in the JWTs it sends to custom (non-gallery) SCIM apps.
pub const ENTRA_AUDIENCE: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/// The algorithms accepted: Entra signs with RS256; ES256 for P-256 keys. Nothing symmetric, never `none`.
const ALLOWED: [(&str, Algorithm); 2] = [("RS256", Algorithm::RS256), ("ES256", Algorithm::ES256)];

/// One verification key of the set.
struct Key {
    kid: String,
    /// The algorithm the key is for: its `alg`, else the one its type implies (RSA: RS256, EC P-256: ES256).
    alg: Algorithm,
    key: DecodingKey,
}

/// Checks bearer JWTs against one issuer, one audience and a key set.
pub struct JwtValidator {
    issuer: String,
    audience: String,
    keys: Vec<Key>,
}

impl std::fmt::Debug for JwtValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_str()).collect();
        f.debug_struct("JwtValidator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("kids", &kids)
            .finish()
    }
}

/// Why a token was refused: the text of `error_description`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// What an accepted token says about its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The `tid` claim (Entra's tenant id), when there is one.
    pub tenant: Option<String>,
    /// The `iss` claim.
    pub issuer: String,
}

impl Accepted {
    /// The audit trail's name for the credential: `entra jwt (tenant …)`, never the token.
    pub fn label(&self) -> String {
        match (&self.tenant, self.issuer.starts_with("https://sts.windows.net/")) {
            (Some(t), true) => format!("entra jwt (tenant {t})"),
            (Some(t), false) => format!("jwt (issuer {}, tenant {t})", self.issuer),
            (None, _) => format!("jwt (issuer {})", self.issuer),
        }
    }
}

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<serde_json::Value>,
    kid: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    #[serde(default)]
    tid: Option<String>,
}

impl JwtValidator {
    /// A validator for tokens from `issuer` to `audience`, verified with the keys of the JWKS document `jwks`
    /// (RFC 7517 section 5: `{"keys": [...]}`). Every key needs a `kid`; keys of other types than RSA and EC
    /// P-256 are refused, as are symmetric keys (`kty` `oct`), which must never verify a bearer token.
    pub fn new(issuer: &str, audience: &str, jwks: &str) -> Result<JwtValidator, String> {
        if issuer.is_empty() || audience.is_empty() {
            return Err("the issuer and the audience must not be empty".to_owned());
        }
        let set: JwkSet =
            serde_json::from_str(jwks).map_err(|e| format!("not a JWKS document ({{\"keys\": [...]}}): {e}"))?;
        if set.keys.is_empty() {
            return Err("the JWKS holds no key".to_owned());
        }
        let mut keys = Vec::new();
        for (i, jwk) in set.keys.iter().enumerate() {
            let kid = jwk.common.key_id.clone().ok_or_else(|| format!("key {} of the JWKS has no kid", i + 1))?;
            let implied = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
                _ => {
                    return Err(format!(
                        "key {kid} of the JWKS is neither RSA nor EC P-256; only RS256 and ES256 are accepted"
                    ));
                }
            };
            let alg = match jwk.common.key_algorithm {
                None => implied,
                Some(KeyAlgorithm::RS256) if implied == Algorithm::RS256 => implied,
                Some(KeyAlgorithm::ES256) if implied == Algorithm::ES256 => implied,
                Some(a) => {
                    return Err(format!(
                        "key {kid} of the JWKS is for {a:?}, which does not fit its key type or is not RS256 / ES256"
                    ));
                }
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("key {kid} of the JWKS is not usable: {e}"))?;
            keys.push(Key { kid, alg, key });
        }
        Ok(JwtValidator { issuer: issuer.to_owned(), audience: audience.to_owned(), keys })
    }

    /// The issuer tokens must carry.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The audience tokens must carry.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Whether `token` has the shape of a JWS compact serialisation (three dot-separated parts), so it is worth
    /// validating as a JWT rather than as an opaque token.
    pub fn looks_like_jwt(token: &str) -> bool {
        token.split('.').count() == 3
    }

    /// Checks `token` as the module documentation says.
    pub fn validate(&self, token: &str) -> Result<Accepted, Refusal> {
        let refuse = |why: &str| Err(Refusal(why.to_owned()));
        let parts: Vec<&str> = token.split('.').collect();
        let [header, _, _] = parts.as_slice() else {
            return refuse("malformed token: a JWT has three dot-separated parts");
        };
        let Some(header) =
            scimlab_protocol::base64::decode_url(header).and_then(|b| serde_json::from_slice::<RawHeader>(&b).ok())
        else {
            return refuse("malformed token: the header is not base64url-encoded JSON");
        };
        let alg = match header.alg {
            Some(serde_json::Value::String(a)) => a,
            _ => return refuse("malformed token: the header has no alg"),
        };
        if alg.eq_ignore_ascii_case("none") {
            return refuse("unsigned token (alg none) refused");
        }
        let Some((_, alg)) = ALLOWED.iter().find(|(name, _)| *name == alg) else {
            let shown: String = alg.chars().filter(char::is_ascii_alphanumeric).take(16).collect();
            return Err(Refusal(format!("algorithm {shown} not allowed; accepted: RS256, ES256")));
        };
        let kid = match header.kid {
            Some(serde_json::Value::String(k)) => k,
            _ => return refuse("the token header has no kid, so no key of the JWKS can verify it"),
        };
        let Some(key) = self.keys.iter().find(|k| k.kid == kid) else {
            let shown: String = kid.chars().filter(|c| c.is_ascii_graphic() && *c != '\'').take(64).collect();
            return Err(Refusal(format!("unknown kid '{shown}': no key of the JWKS has it")));
        };
        if key.alg != *alg {
            return Err(Refusal(format!("the key of this kid is not for {alg:?}")));
        }
        let mut v = Validation::new(*alg);
        v.leeway = LEEWAY_SECS;
        v.validate_nbf = true;
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        use jsonwebtoken::errors::ErrorKind as E;
        match jsonwebtoken::decode::<Claims>(token, &key.key, &v) {
            Ok(data) => Ok(Accepted { tenant: data.claims.tid, issuer: data.claims.iss }),
            Err(e) => Err(Refusal(match e.kind() {
                E::InvalidSignature => "bad signature: the token was not signed by the key its kid names".to_owned(),
                E::ExpiredSignature => "the token expired (exp is in the past)".to_owned(),
                E::ImmatureSignature => "the token is not valid yet (nbf is in the future)".to_owned(),
                E::InvalidIssuer => format!("wrong issuer: expected {}", self.issuer),
                E::InvalidAudience => format!("wrong audience: expected {}", self.audience),
                E::MissingRequiredClaim(c) => format!("malformed token: the {c} claim is missing"),
                E::InvalidAlgorithm => "the token's algorithm does not fit the key".to_owned(),
                _ => "malformed token: the claims or the signature cannot be decoded".to_owned(),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};

    const JWKS: &str = include_str!("../../tests/fixtures/jwt/test-only-jwks.json");
    const RSA: &[u8] = include_bytes!("../../tests/fixtures/jwt/test-only-rsa-key.pem");
    const EC: &[u8] = include_bytes!("../../tests/fixtures/jwt/test-only-ec-key.pem");
    const OTHER: &[u8] = include_bytes!("../../tests/fixtures/jwt/test-only-other-rsa-key.pem");
    const TENANT: &str = "00000000-0000-4000-8000-000000000001";

    fn iss() -> String {
        format!("https://sts.windows.net/{TENANT}/")
    }

    fn kid(i: usize) -> String {
        let set: serde_json::Value = serde_json::from_str(JWKS).expect("fixture");
        set["keys"][i]["kid"].as_str().expect("kid").to_owned()
    }

    fn validator() -> JwtValidator {
        JwtValidator::new(&iss(), ENTRA_AUDIENCE, JWKS).expect("validator")
    }

    fn now() -> i64 {
        jiff::Timestamp::now().as_second()
    }

    fn claims(iss: &str, aud: &str, iat: i64, exp: i64) -> serde_json::Value {
        serde_json::json!({ "iss": iss, "aud": aud, "iat": iat, "nbf": iat, "exp": exp, "tid": TENANT })
    }

    /// A JWS signed by hand with ring (the test keys are PKCS#8 PEM; HS256 takes `key` as the HMAC secret), so
    /// that jsonwebtoken needs no PEM support, which would bring an ASN.1 and a date-time crate into the build.
    fn jws(alg: &str, kid: &str, claims: &serde_json::Value, key: &[u8]) -> String {
        let b64 = scimlab_protocol::base64::encode_url;
        let header = serde_json::json!({ "alg": alg, "typ": "JWT", "kid": kid });
        let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let der = || {
            let text = std::str::from_utf8(key).expect("pem");
            let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
            scimlab_protocol::base64::decode(&body).expect("base64")
        };
        let rng = SystemRandom::new();
        let sig = match alg {
            "RS256" => {
                let k = RsaKeyPair::from_pkcs8(&der()).expect("rsa key");
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut sig).expect("signed");
                sig
            }
            "ES256" => {
                let k = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der(), &rng)
                    .expect("ec key");
                k.sign(&rng, message.as_bytes()).expect("signed").as_ref().to_vec()
            }
            _ => ring::hmac::sign(&ring::hmac::Key::new(ring::hmac::HMAC_SHA256, key), message.as_bytes())
                .as_ref()
                .to_vec(),
        };
        format!("{message}.{}", b64(&sig))
    }

    fn rs256(key: &[u8], kid: &str, claims: &serde_json::Value) -> String {
        jws("RS256", kid, claims, key)
    }

    fn good() -> serde_json::Value {
        claims(&iss(), ENTRA_AUDIENCE, now(), now() + 3600)
    }

    fn refusal(token: &str) -> String {
        validator().validate(token).expect_err("refused").0
    }

    #[test]
    fn entra_shaped_tokens_pass_with_rs256_and_es256() {
        let ok = validator().validate(&rs256(RSA, &kid(0), &good())).expect("accepted");
        assert_eq!(ok.label(), format!("entra jwt (tenant {TENANT})"));
        assert!(validator().validate(&jws("ES256", &kid(1), &good(), EC)).is_ok());
    }

    #[test]
    fn each_broken_rule_is_refused_with_its_own_reason() {
        let t = now();
        let cases = [
            (rs256(RSA, &kid(0), &claims("https://sts.windows.net/other/", ENTRA_AUDIENCE, t, t + 60)), "wrong issuer"),
            (rs256(RSA, &kid(0), &claims(&iss(), "api://other", t, t + 60)), "wrong audience"),
            // Expired well beyond the leeway: deterministic without waiting for a clock.
            (rs256(RSA, &kid(0), &claims(&iss(), ENTRA_AUDIENCE, t - 7200, t - 3600)), "expired"),
            (rs256(RSA, &kid(0), &claims(&iss(), ENTRA_AUDIENCE, t + 3600, t + 7200)), "not valid yet"),
            // Signed with a key outside the JWKS, under the kid of one inside it.
            (rs256(OTHER, &kid(0), &good()), "bad signature"),
            (rs256(OTHER, "no-such-kid", &good()), "unknown kid"),
            ("not-a-jwt".to_owned(), "malformed"),
            ("a.b.c".to_owned(), "malformed"),
        ];
        for (token, why) in cases {
            let got = refusal(&token);
            assert!(got.contains(why), "expected {why:?}, got {got:?}");
            assert!(!got.contains(&token) || token.len() < 12, "the token is not echoed");
        }
    }

    #[test]
    fn alg_none_and_hmac_with_the_public_key_are_refused() {
        let body = scimlab_protocol::base64::encode_url(good().to_string().as_bytes());
        let header = |alg: &str| {
            let h = serde_json::json!({ "alg": alg, "typ": "JWT", "kid": kid(0) });
            scimlab_protocol::base64::encode_url(h.to_string().as_bytes())
        };
        assert!(refusal(&format!("{}.{body}.", header("none"))).contains("alg none"));
        assert!(refusal(&format!("{}.{body}.", header("None"))).contains("alg none"));
        // The classic confusion: HS256 keyed with the RSA public key the attacker can read.
        let hs = jws("HS256", &kid(0), &good(), JWKS.as_bytes());
        assert!(refusal(&hs).contains("HS256 not allowed"));
        // A header naming ES256 over the RSA key's kid.
        assert!(refusal(&jws("ES256", &kid(0), &good(), EC)).contains("not for"));
    }

    #[test]
    fn key_sets_that_could_verify_unsafely_are_refused_at_start() {
        let oct = r#"{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}"#;
        assert!(JwtValidator::new(&iss(), ENTRA_AUDIENCE, oct).is_err());
        let no_kid = r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#;
        assert!(JwtValidator::new(&iss(), ENTRA_AUDIENCE, no_kid).expect_err("no kid").contains("no kid"));
        assert!(JwtValidator::new(&iss(), ENTRA_AUDIENCE, r#"{"keys":[]}"#).is_err());
        assert!(JwtValidator::new(&iss(), ENTRA_AUDIENCE, "nope").is_err());
        assert!(JwtValidator::new("", ENTRA_AUDIENCE, JWKS).is_err());
    }
}
