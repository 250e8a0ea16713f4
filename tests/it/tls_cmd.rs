//! `scimlab serve` over TLS: a self-signed certificate that clients trust through its PEM (`--ca-cert`) and
//! refuse without it, the printed fingerprint, certificate and key files, and the errors for bad ones.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// `scimlab serve --addr 127.0.0.1:0` with `args`: the child, its base URL and the banner lines before it.
fn serve_tls(args: &[&str]) -> (std::process::Child, String, Vec<String>) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("scimlab"))
        .args(["serve", "--addr", "127.0.0.1:0", "--token", "tls-token"])
        .args(args)
        .env_remove("SCIM_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("scimlab serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let mut banner = Vec::new();
    let url = lines
        .by_ref()
        .find_map(|l| {
            let url = l.strip_prefix("scimlab mock SP listening on ").map(|u| u.trim().to_owned());
            banner.push(l);
            url
        })
        .expect("scimlab serve prints its address");
    std::thread::spawn(move || lines.for_each(drop));
    (child, url, banner)
}

/// The fingerprint the banner prints: the text after "SHA-256 fingerprint " up to the closing parenthesis.
fn printed_fingerprint(banner: &[String]) -> String {
    banner
        .iter()
        .find_map(|l| l.split_once("SHA-256 fingerprint ").map(|(_, r)| r.trim_end_matches(')').to_owned()))
        .unwrap_or_else(|| panic!("no fingerprint in the banner: {banner:?}"))
}

/// The SHA-256 of the first certificate of a PEM file, colon-separated upper-case hex.
fn der_sha256(pem: &Path) -> String {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let der = CertificateDer::from_pem_file(pem).expect("a PEM certificate");
    let digest = ring::digest::digest(&ring::digest::SHA256, der.as_ref());
    digest.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn stop(mut child: std::process::Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// (a) a client trusting the PEM certifies the server over https; (b) without it the client refuses the
/// certificate and says so; (c) the banner's fingerprint is the SHA-256 of the PEM's DER.
#[test]
fn a_self_signed_server_is_trusted_through_its_pem_and_refused_without_it() {
    let dir = temp_dir("tls-self-signed");
    let pem = dir.join("sp.pem");
    let (child, url, banner) = serve_tls(&["--tls-self-signed", "--tls-cert-out", &pem.display().to_string()]);
    let trusted = scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.3", "--token", "tls-token", "--url", &url])
        .arg("--ca-cert")
        .arg(&pem)
        .assert();
    let untrusted = scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/3.3", "--token", "tls-token", "--url", &url])
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .assert();
    stop(child);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    assert!(banner.iter().any(|l| l.contains(&pem.display().to_string())), "{banner:?}");
    assert_eq!(printed_fingerprint(&banner), der_sha256(&pem));
    trusted.success();
    untrusted.code(3).stderr(
        predicate::str::contains("UnknownIssuer")
            .and(predicate::str::contains("certificate is not trusted: pass --ca-cert")),
    );
}

/// A certificate and key from files: served, with the chain's fingerprint in the banner; and a missing,
/// swapped or mismatched file is a usage error that names it, before anything listens.
#[test]
fn a_certificate_and_key_from_files_are_served_and_bad_ones_named() {
    let dir = temp_dir("tls-files");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    let (cert_path, key_path) = (dir.join("chain.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");
    let other = dir.join("other-key.pem");
    std::fs::write(&other, rcgen::KeyPair::generate().expect("key").serialize_pem()).expect("write key");

    let (cert_arg, key_arg) = (cert_path.display().to_string(), key_path.display().to_string());
    let (child, url, banner) = serve_tls(&["--tls-cert", &cert_arg, "--tls-key", &key_arg]);
    let replay = scimlab()
        .args(["test", "--profile", "rfc", "--only", "rfc7644/4", "--token", "tls-token", "--url", &url])
        .arg("--ca-cert")
        .arg(&cert_path)
        .assert();
    stop(child);
    assert!(url.starts_with("https://"), "{url}");
    assert_eq!(printed_fingerprint(&banner), der_sha256(&cert_path));
    replay.success();

    let refused = |cert: &Path, key: &Path, says: &str| {
        scimlab()
            .args(["serve", "--addr", "127.0.0.1:0", "--no-auth", "--tls-cert"])
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    };
    refused(&dir.join("absent.pem"), &key_path, "cannot read the TLS certificate file");
    refused(&dir.join("absent.pem"), &key_path, "absent.pem");
    refused(&key_path, &cert_path, "holds a private key, not a certificate");
    refused(&cert_path, &other, "does not match the certificate");
    scimlab()
        .args(["serve", "--tls-cert"])
        .arg(&cert_path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--tls-key"));
}

/// A client that opens a connection to the https server and never starts the handshake is disconnected after
/// the header timeout, like a slowloris over plain http.
#[test]
fn a_client_that_never_finishes_the_handshake_is_disconnected() {
    use std::io::{Read, Write};
    let dir = temp_dir("tls-handshake");
    let pem = dir.join("sp.pem").display().to_string();
    let (child, url, _) = serve_tls(&["--tls-self-signed", "--tls-cert-out", &pem, "--header-timeout", "1"]);
    let addr = url.trim_start_matches("https://").trim_end_matches("/scim/v2").to_owned();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    // Only a guard against a hung server; nothing is asserted about time.
    s.set_read_timeout(Some(std::time::Duration::from_secs(60))).expect("read timeout");
    // The first bytes of a TLS record header, and then nothing.
    s.write_all(&[0x16, 0x03]).expect("write");
    let mut out = Vec::new();
    let closed = s.read_to_end(&mut out).is_ok();
    stop(child);
    assert!(closed, "the half-open handshake was left open");
}
