//! Every request of `shared/reference/idp-wire/` replayed through the mock SP in-process, with the headers the
//! identity provider sends (IDP-TRAFFIC.md sections 1 to 3), against resources set up first; each test asserts
//! the status that IdP expects (sections 1, 2 and 5) and then reads the resulting state back. One test per wire
//! file, named after it (the Google, JumpCloud and Ping ones prefixed with the vendor); the files themselves are
//! embedded in `wire_*.rs`, and two tests keep the copies and the test list in step with the reference.

use crate::http::{Reply, SCIM_CT, Sp};
use axum::http::Method;
use serde_json::Value;
use std::path::Path;

mod entra;
mod okta;
mod others;
mod wire_entra;
mod wire_okta;
mod wire_others;

/// What Entra ID sends with a body (IDP-TRAFFIC.md section 1, azure-docs#12728), besides its bearer token.
/// Its GETs carry neither Content-Type nor Accept.
pub(crate) const ENTRA: &[(&str, &str)] = &[("content-type", SCIM_CT)];

/// What the Okta SCIM client sends (okta/request_headers_observed.json), besides its credential.
pub(crate) const OKTA: &[(&str, &str)] = &[
    ("accept", "application/scim+json"),
    ("accept-charset", "utf-8"),
    ("content-type", SCIM_CT),
    ("user-agent", "Okta SCIM Client 1.0.0"),
    ("connection", "Keep-Alive"),
    ("accept-encoding", "gzip,deflate"),
];

/// Parses an embedded wire file after replacing each placeholder id with a real one.
#[track_caller]
pub(crate) fn wire(text: &str, subst: &[(&str, &str)]) -> Value {
    let mut t = text.to_owned();
    for (from, to) in subst {
        assert!(t.contains(from), "placeholder {from:?} is not in the wire file");
        t = t.replace(from, to);
    }
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("wire file is not JSON ({e})"))
}

/// Sends an embedded body (after substitution) as the IdP does: the bytes of the JSON with `headers`.
pub(crate) async fn replay(
    sp: &Sp,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    text: &str,
    subst: &[(&str, &str)],
) -> Reply {
    let body = serde_json::to_vec(&wire(text, subst)).expect("serialise");
    sp.send(method, path, headers, Some(body)).await
}

/// A descriptor's string member.
#[track_caller]
pub(crate) fn member<'a>(descriptor: &'a Value, name: &str) -> &'a str {
    descriptor[name].as_str().unwrap_or_else(|| panic!("descriptor has no string {name:?}: {descriptor}"))
}

fn all_files() -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    wire_entra::FILES.iter().chain(wire_okta::FILES).chain(wire_others::FILES)
}

/// The test a wire file must have: the file's stem in lower case, prefixed with the vendor for `others`.
fn test_name(file: &str) -> (String, &'static str) {
    let (vendor, name) = file.split_once('/').expect("vendor/file");
    let stem = name.trim_end_matches(".json").to_lowercase();
    match vendor {
        "entra" => (stem, include_str!("idp_wire/entra.rs")),
        "okta" => (stem, include_str!("idp_wire/okta.rs")),
        _ => (format!("{vendor}_{stem}"), include_str!("idp_wire/others.rs")),
    }
}

#[test]
fn every_wire_file_has_its_test() {
    for (file, _) in all_files() {
        let (name, source) = test_name(file);
        assert!(source.contains(&format!("async fn {name}()")), "{file} has no test named {name}");
    }
}

#[test]
fn embedded_copies_match_the_reference() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/idp-wire");
    if !root.is_dir() {
        eprintln!("skipped: {} is not present", root.display());
        return;
    }
    let mut on_disk = Vec::new();
    for vendor in std::fs::read_dir(&root).expect("read idp-wire").flatten() {
        for f in std::fs::read_dir(vendor.path()).expect("read vendor dir").flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") {
                on_disk.push((format!("{}/{name}", vendor.file_name().to_string_lossy()), f.path()));
            }
        }
    }
    for (file, path) in &on_disk {
        let (_, text) = all_files()
            .find(|(f, _)| f == file)
            .unwrap_or_else(|| panic!("{file} is in the reference but not embedded; add it to wire_*.rs and test it"));
        let original: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
        assert_eq!(wire(text, &[]), original, "{file}: the embedded copy differs from the reference");
    }
    assert_eq!(on_disk.len(), all_files().count(), "an embedded file is no longer in the reference");
}
