//! Entra's JWT bearer, signed with a local key: what Entra sends a custom SCIM app whose secret-token field is
//! left blank.
//!
//! The token is a JWS compact serialisation (RFC 7515 section 7.1) of a JWT (RFC 7519): a header with `alg`
//! (RS256 for an RSA key, as Entra signs; ES256 for an EC P-256 key), `typ` `JWT` and a `kid` (section 4.1.4 of
//! RFC 7515: the key's id, which the server looks up in its JWKS); claims `iss`
//! (`https://sts.windows.net/<tenant>/`), `aud` (the custom-app audience), `iat`, `nbf`, `exp` (section 4.1),
//! and Entra's `tid` (the tenant) and `ver`. The `kid` is the key's RFC 7638 thumbprint, so the JWKS that
//! [`EntraSigner::jwks`] writes for a key always matches the tokens signed with it.
//!
//! Keys are PEM files: PKCS#8 (`BEGIN PRIVATE KEY`, what `openssl genrsa` and `openssl genpkey` write) for RSA
//! or EC P-256, or PKCS#1 (`BEGIN RSA PRIVATE KEY`) for RSA. ring generates no RSA keys, so scimlab reads them.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use rustls::pki_types::pem::{self, SectionKind};
use scimlab_protocol::base64::encode_url;

/// The audience Entra puts in tokens for custom (non-gallery) SCIM apps.
pub const ENTRA_AUDIENCE: &str = "8adf8e6e-67b2-4cf2-a259-e3dc5476c621";

/// The tenant used when none is given: a fixed, obviously made-up GUID.
pub const DEFAULT_TENANT: &str = "00000000-0000-4000-8000-000000000001";

/// How long a token lives, as Entra's access tokens do (about an hour).
pub const LIFETIME_SECS: i64 = 3600;

enum Key {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// Signs Entra-style JWTs with one key.
pub struct EntraSigner {
    key: Key,
    kid: String,
    tenant: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for EntraSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntraSigner").field("kid", &self.kid).field("tenant", &self.tenant).finish_non_exhaustive()
    }
}

/// What the claims of one token say, for tests that need a token Entra would not send (expired, another
/// issuer or audience).
#[derive(Debug, Clone)]
pub struct Claims {
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: String,
    /// `iat` and `nbf`, in seconds since the epoch.
    pub issued_at: i64,
    /// `exp`, in seconds since the epoch.
    pub expires_at: i64,
}

impl EntraSigner {
    /// A signer with the PEM private key `pem` for `tenant`. Errors say what is wrong with the key, never its
    /// content.
    pub fn from_pem(pem: &str, tenant: &str) -> Result<EntraSigner, String> {
        if !is_guid(tenant) {
            return Err(format!(
                "the tenant must be a GUID such as {DEFAULT_TENANT} (Entra's directory id), got {:?}",
                tenant.chars().take(64).collect::<String>()
            ));
        }
        let (kind, der) = private_key_block(pem)?;
        let rng = SystemRandom::new();
        let key = match kind {
            SectionKind::RsaPrivateKey => {
                Key::Rsa(RsaKeyPair::from_der(&der).map_err(|e| format!("not a usable RSA key: {e}"))?)
            }
            SectionKind::PrivateKey => match RsaKeyPair::from_pkcs8(&der) {
                Ok(k) => Key::Rsa(k),
                Err(rsa) => Key::Ec(
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng)
                        .map_err(|ec| format!("neither an RSA key ({rsa}) nor an EC P-256 key ({ec}) in PKCS#8"))?,
                ),
            },
            _ => {
                return Err("an EC key must be PKCS#8 (BEGIN PRIVATE KEY): convert it with \
                            openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8"
                    .to_owned());
            }
        };
        if let Key::Rsa(k) = &key
            && k.public().modulus_len() < 256
        {
            return Err("the RSA key is shorter than 2048 bits".to_owned());
        }
        let kid = thumbprint(&jwk_members(&key));
        Ok(EntraSigner { key, kid, tenant: tenant.to_owned(), rng })
    }

    /// The key id the tokens carry (the key's RFC 7638 thumbprint).
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The tenant.
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// `https://sts.windows.net/<tenant>/`, the issuer of Entra's v1 tokens.
    pub fn issuer(&self) -> String {
        format!("https://sts.windows.net/{}/", self.tenant)
    }

    /// `RS256` or `ES256`.
    pub fn algorithm(&self) -> &'static str {
        match self.key {
            Key::Rsa(_) => "RS256",
            Key::Ec(_) => "ES256",
        }
    }

    /// The claims Entra would send now.
    pub fn claims_now(&self) -> Claims {
        let now = jiff::Timestamp::now().as_second();
        Claims {
            issuer: self.issuer(),
            audience: ENTRA_AUDIENCE.to_owned(),
            issued_at: now,
            expires_at: now + LIFETIME_SECS,
        }
    }

    /// A token with Entra's claims, valid from now for [`LIFETIME_SECS`].
    pub fn token(&self) -> Result<String, String> {
        self.sign(&self.claims_now())
    }

    /// A token with these claims.
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        let header = serde_json::json!({ "alg": self.algorithm(), "typ": "JWT", "kid": self.kid });
        let body = serde_json::json!({
            "aud": claims.audience,
            "iss": claims.issuer,
            "iat": claims.issued_at,
            "nbf": claims.issued_at,
            "exp": claims.expires_at,
            "tid": self.tenant,
            "ver": "1.0",
        });
        let message =
            format!("{}.{}", encode_url(header.to_string().as_bytes()), encode_url(body.to_string().as_bytes()));
        let sig = match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &self.rng, message.as_bytes(), &mut sig)
                    .map_err(|_| "RSA signing failed".to_owned())?;
                sig
            }
            Key::Ec(k) => {
                k.sign(&self.rng, message.as_bytes()).map_err(|_| "ECDSA signing failed".to_owned())?.as_ref().to_vec()
            }
        };
        Ok(format!("{message}.{}", encode_url(&sig)))
    }

    /// The JWKS (RFC 7517 section 5) holding this key's public half, for `scimlab serve --jwks`.
    pub fn jwks(&self) -> String {
        let mut jwk = jwk_members(&self.key);
        jwk.insert("kid".to_owned(), serde_json::Value::String(self.kid.clone()));
        jwk.insert("use".to_owned(), "sig".into());
        jwk.insert("alg".to_owned(), self.algorithm().into());
        let set = serde_json::json!({ "keys": [jwk] });
        serde_json::to_string_pretty(&set).unwrap_or_default() + "\n"
    }
}

/// The required public members of the key's JWK (RFC 7518 sections 6.2.1 and 6.3.1), in the lexicographic
/// order RFC 7638 section 3 hashes them in.
fn jwk_members(key: &Key) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    match key {
        Key::Rsa(k) => {
            let c: signature::RsaPublicKeyComponents<Vec<u8>> = k.public().into();
            m.insert("e".into(), encode_url(&c.e).into());
            m.insert("kty".into(), "RSA".into());
            m.insert("n".into(), encode_url(&c.n).into());
        }
        Key::Ec(k) => {
            // An uncompressed point: 0x04, then x and y, 32 bytes each (SEC 1 section 2.3.3).
            let point = k.public_key().as_ref();
            let (x, y) = point.get(1..).unwrap_or_default().split_at(point.len().saturating_sub(1) / 2);
            m.insert("crv".into(), "P-256".into());
            m.insert("kty".into(), "EC".into());
            m.insert("x".into(), encode_url(x).into());
            m.insert("y".into(), encode_url(y).into());
        }
    }
    m
}

/// RFC 7638 section 3: base64url of the SHA-256 of the required members, without whitespace, names sorted.
fn thumbprint(members: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut sorted: Vec<(&String, &serde_json::Value)> = members.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let text: Vec<String> =
        sorted.iter().map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), v)).collect();
    let digest = ring::digest::digest(&ring::digest::SHA256, format!("{{{}}}", text.join(",")).as_bytes());
    encode_url(digest.as_ref())
}

/// The kind and the bytes of the first private key block of `text` (RFC 7468, read by rustls' PEM reader): PKCS#1
/// RSA, PKCS#8 or SEC1 EC. The error says what the file holds instead, never its content.
fn private_key_block(text: &str) -> Result<(SectionKind, Vec<u8>), String> {
    let mut rest = text.as_bytes();
    let mut other = None;
    while let Some((kind, der)) = pem::from_buf(&mut rest).map_err(|e| format!("not a valid PEM file: {e}"))? {
        match kind {
            SectionKind::RsaPrivateKey | SectionKind::PrivateKey | SectionKind::EcPrivateKey => return Ok((kind, der)),
            kind => other = other.or(Some(kind)),
        }
    }
    Err(match other {
        Some(kind) => format!("a PEM block of {kind:?} is not a private key"),
        // rustls' reader skips the blocks it does not know, an encrypted key among them.
        None if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") => {
            "the key is encrypted; write it unencrypted (openssl pkey -in KEY -out PLAIN)".to_owned()
        }
        None => "not a PEM file (no -----BEGIN ...----- line of a private key)".to_owned(),
    })
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSA: &str = include_str!("../../../tests/fixtures/jwt/test-only-rsa-key.pem");
    const EC: &str = include_str!("../../../tests/fixtures/jwt/test-only-ec-key.pem");
    const JWKS: &str = include_str!("../../../tests/fixtures/jwt/test-only-jwks.json");

    fn part(token: &str, i: usize) -> serde_json::Value {
        let p = token.split('.').nth(i).expect("part");
        serde_json::from_slice(&scimlab_protocol::base64::decode_url(p).expect("base64url")).expect("json")
    }

    #[test]
    fn tokens_carry_entra_claims_and_the_kid_of_the_jwks() {
        let s = EntraSigner::from_pem(RSA, DEFAULT_TENANT).expect("key");
        let t = s.token().expect("token");
        let (h, c) = (part(&t, 0), part(&t, 1));
        assert_eq!((h["alg"].as_str(), h["kid"].as_str()), (Some("RS256"), Some(s.kid())));
        assert_eq!(c["iss"], format!("https://sts.windows.net/{DEFAULT_TENANT}/"));
        assert_eq!((c["aud"].as_str(), c["tid"].as_str()), (Some(ENTRA_AUDIENCE), Some(DEFAULT_TENANT)));
        assert_eq!(c["exp"].as_i64().expect("exp") - c["iat"].as_i64().expect("iat"), LIFETIME_SECS);
        // The committed fixture is what `jwks` writes for the committed key (regenerate both together).
        let ec = EntraSigner::from_pem(EC, DEFAULT_TENANT).expect("ec key");
        let mut keys = serde_json::from_str::<serde_json::Value>(&s.jwks()).expect("jwks")["keys"].clone();
        let ec_keys = serde_json::from_str::<serde_json::Value>(&ec.jwks()).expect("jwks")["keys"].clone();
        keys.as_array_mut().expect("array").extend(ec_keys.as_array().expect("array").iter().cloned());
        let committed: serde_json::Value = serde_json::from_str(JWKS).expect("fixture");
        assert_eq!(committed["keys"], keys);
        assert_eq!(part(&ec.token().expect("token"), 0)["alg"], "ES256");
    }

    #[test]
    fn bad_keys_and_tenants_are_clear_errors_without_the_key() {
        assert!(EntraSigner::from_pem("hello", DEFAULT_TENANT).expect_err("no pem").contains("not a PEM"));
        let e = EntraSigner::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", DEFAULT_TENANT);
        assert!(e.expect_err("cert").contains("not a private key"));
        let block = |label: &str| format!("-----BEGIN {label}-----\nAAAA\n-----END {label}-----\n");
        let e = EntraSigner::from_pem(&block("ENCRYPTED PRIVATE KEY"), DEFAULT_TENANT).expect_err("encrypted");
        assert!(e.contains("encrypted"), "{e}");
        let e = EntraSigner::from_pem(&block("EC PRIVATE KEY"), DEFAULT_TENANT).expect_err("sec1");
        assert!(e.contains("must be PKCS#8"), "{e}");
        assert!(EntraSigner::from_pem(RSA, "acme").expect_err("tenant").contains("GUID"));
    }

    #[test]
    fn the_thumbprint_follows_rfc7638() {
        // RFC 7638 section 3.1's example key and thumbprint.
        let mut m = serde_json::Map::new();
        m.insert("e".into(), "AQAB".into());
        m.insert("kty".into(), "RSA".into());
        m.insert("n".into(), "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw".into());
        assert_eq!(thumbprint(&m), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
