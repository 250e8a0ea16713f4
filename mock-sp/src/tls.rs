//! TLS for `scimlab serve`: a certificate chain and key read from PEM files, or a self-signed certificate made
//! at start, turned into the rustls configuration [`crate::serve::serve`] accepts connections with.
//!
//! IdP clients insist on https (Entra's and Okta's provisioning refuse plain http), so an IdP developer points
//! one at the mock SP through a tunnel or with the certificate trusted. Everything here fails with an error that
//! names the file and what is wrong with it; nothing panics on what a user gave. Only the `ring` provider is
//! used, as everywhere in the workspace. The server speaks HTTP/1.1 only, so ALPN offers `http/1.1` and nothing
//! else (RFC 7301 section 3.2: a server that selects no protocol the client offered may refuse the handshake).

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why TLS could not be set up. Messages read after "failed to" and name the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read.
    #[error("cannot read the TLS {what} file {}: {source}", path.display())]
    Read {
        /// "certificate" or "key".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The certificate file holds no certificate, or a broken one.
    #[error("the TLS certificate file {} {why}", path.display())]
    Certificate {
        /// The file.
        path: PathBuf,
        /// What is wrong, as a predicate ("holds no PEM certificate ...").
        why: String,
    },
    /// The key file holds no key, or a broken one.
    #[error("the TLS key file {} {why}", path.display())]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong, as a predicate.
        why: String,
    },
    /// rustls refused the pair (the key does not match the certificate, an unsupported key type).
    #[error("the TLS key {} does not fit the certificate {}: {why}", key.display(), cert.display())]
    Pair {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// rustls's reason.
        why: String,
    },
    /// The self-signed certificate could not be generated.
    #[error("cannot generate a self-signed certificate: {0}")]
    Generate(String),
}

/// A server identity ready to serve: the rustls configuration and the chain it presents.
#[derive(Clone)]
pub struct TlsIdentity {
    /// What the acceptor runs with.
    pub config: Arc<rustls::ServerConfig>,
    /// The chain presented, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The private key lives in the config; only the public part is shown.
        f.debug_struct("TlsIdentity").field("leaf_sha256", &self.fingerprint()).finish()
    }
}

impl TlsIdentity {
    /// The SHA-256 fingerprint of the leaf certificate (see [`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        self.chain.first().map(|c| fingerprint(c)).unwrap_or_default()
    }
}

/// Reads a PEM certificate chain (leaf first) and its PEM private key (PKCS#8, PKCS#1 or SEC1) and checks that
/// the key belongs to the leaf.
pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsIdentity, TlsError> {
    let read = |what, path: &Path| {
        std::fs::read(path).map_err(|source| TlsError::Read { what, path: path.to_owned(), source })
    };
    let cert_pem = read("certificate", cert)?;
    let key_pem = read("key", key)?;
    let bad_cert = |why: String| TlsError::Certificate { path: cert.to_owned(), why };
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_cert(format!("is not a valid PEM certificate file: {e}")))?;
    if chain.is_empty() {
        let why = if PrivateKeyDer::from_pem_slice(&cert_pem).is_ok() {
            "holds a private key, not a certificate (are --tls-cert and --tls-key swapped?)"
        } else {
            "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        };
        return Err(bad_cert(why.to_owned()));
    }
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::Key {
        path: key.to_owned(),
        why: match e {
            rustls::pki_types::pem::Error::NoItemsFound => {
                "holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)".to_owned()
            }
            other => format!("is not a valid PEM private key file: {other}"),
        },
    })?;
    identity(chain, key_der).map_err(|why| TlsError::Pair { cert: cert.to_owned(), key: key.to_owned(), why })
}

/// A self-signed certificate for `hosts` (DNS names or IP addresses, as subject alternative names), valid from
/// yesterday for a year, with a new ECDSA P-256 key. Returns the identity and the certificate as PEM, which a
/// client trusts as its own root (`--ca-cert`). The key never leaves the process.
pub fn self_signed(hosts: &[String]) -> Result<(TlsIdentity, String), TlsError> {
    let generate = |e: rcgen::Error| TlsError::Generate(e.to_string());
    let mut params = rcgen::CertificateParams::new(hosts.to_vec()).map_err(generate)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(rcgen::DnType::CommonName, "scimlab serve (self-signed)");
    let today = jiff::Zoned::now().date();
    let day = |d: jiff::civil::Date| {
        rcgen::date_time_ymd(i32::from(d.year()), d.month().unsigned_abs(), d.day().unsigned_abs())
    };
    let from = today.yesterday().unwrap_or(today);
    let until = today.checked_add(jiff::Span::new().years(1)).unwrap_or(today);
    params.not_before = day(from);
    params.not_after = day(until);
    let key = rcgen::KeyPair::generate().map_err(generate)?;
    let cert = params.self_signed(&key).map_err(generate)?;
    let pem = cert.pem();
    let key_der = PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| TlsError::Generate(e.to_owned()))?;
    let identity = identity(vec![cert.der().clone()], key_der).map_err(TlsError::Generate)?;
    Ok((identity, pem))
}

/// The rustls server configuration for a chain and its key, on the ring provider, HTTP/1.1 only.
fn identity(chain: Vec<CertificateDer<'static>>, key: PrivateKeyDer<'static>) -> Result<TlsIdentity, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                "the private key does not match the certificate's public key".to_owned()
            }
            other => other.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsIdentity { config: Arc::new(config), chain })
}

/// The SHA-256 of a certificate's DER encoding as colon-separated upper-case hex pairs (`AB:CD:...`), the form
/// browsers and `openssl x509 -fingerprint -sha256` show.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let hex: Vec<String> = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("scimlab-tls-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn a_self_signed_certificate_names_its_hosts_and_its_fingerprint_is_its_der_sha256() {
        let (id, pem) = self_signed(&["localhost".into(), "127.0.0.1".into()]).expect("generated");
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).expect("pem");
        assert_eq!(der.as_ref(), id.chain[0].as_ref());
        let fp = id.fingerprint();
        assert_eq!(fp.len(), 32 * 3 - 1, "{fp}");
        assert!(fp.split(':').all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit() && !c.is_lowercase())));
        assert_eq!(fingerprint(b"abc")[..8], *"BA:78:16", "the SHA-256 of abc begins ba7816");
    }

    #[test]
    fn files_that_are_missing_empty_swapped_or_mismatched_get_errors_naming_them() {
        let key_a = rcgen::KeyPair::generate().expect("key");
        let cert_a =
            rcgen::CertificateParams::new(vec!["localhost".into()]).expect("params").self_signed(&key_a).expect("cert");
        let key_b = rcgen::KeyPair::generate().expect("key");
        let cert = temp("cert.pem", &cert_a.pem());
        let key = temp("key.pem", &key_a.serialize_pem());
        let other_key = temp("other.pem", &key_b.serialize_pem());
        let empty = temp("empty.pem", "");
        let missing = cert.with_file_name("missing.pem");

        assert!(from_pem_files(&cert, &key).is_ok());
        let err = |c: &Path, k: &Path| from_pem_files(c, k).expect_err("refused").to_string();
        let e = err(&missing, &key);
        assert!(e.starts_with("cannot read the TLS certificate file") && e.contains("missing.pem"), "{e}");
        let e = err(&empty, &key);
        assert!(e.contains("empty.pem holds no PEM certificate"), "{e}");
        let e = err(&key, &cert);
        assert!(e.contains("holds a private key, not a certificate"), "{e}");
        let e = err(&cert, &empty);
        assert!(e.contains("empty.pem holds no PEM private key"), "{e}");
        let e = err(&cert, &other_key);
        assert!(e.contains("does not match the certificate"), "{e}");
        assert!(e.contains("other.pem") && e.contains("cert.pem"), "{e}");
    }
}
