//! `scimlab serve`: the options that end before a socket is opened (`--fault list`, a bad `--fault`).

use crate::scimlab;
use predicates::prelude::*;

#[test]
fn fault_list_prints_every_fault_with_a_description() {
    let out = scimlab().args(["serve", "--fault", "list"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    for line in ["latency=DURATION", "429=P%[:retry-after=S]", "5xx=P%", "drop=P%"] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    for name in ["patch-noop", "filter-ignored", "wrong-content-type", "no-etag", "auth-ignored", "401-no-body"] {
        let line = text.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or_else(|| {
            panic!("{name} missing from:\n{text}");
        });
        assert!(line.len() > name.len() + 10, "{name} has no description: {line:?}");
    }
}

#[test]
fn a_bad_fault_is_a_usage_error_naming_it_and_the_valid_ones() {
    scimlab().args(["serve", "--no-auth", "--fault", "bogus"]).assert().code(2).stdout("").stderr(
        predicate::str::contains("\"bogus\"")
            .and(predicate::str::contains("patch-noop"))
            .and(predicate::str::contains("latency=DURATION"))
            .and(predicate::str::contains("drop=P%")),
    );
    scimlab()
        .args(["serve", "--no-auth", "--fault", "429=60%", "--fault", "drop=50%"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("over 100%"));
}

#[test]
fn a_public_url_that_is_not_an_absolute_http_url_is_a_usage_error() {
    for bad in ["ftp://x/scim/v2", "scim.example.com/scim/v2", "http:///scim/v2", "https://x/scim/v2?a=b"] {
        scimlab()
            .args(["serve", "--no-auth", "--addr", "127.0.0.1:0", "--public-url", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--public-url").and(predicate::str::contains(bad)));
    }
}

#[test]
fn the_help_states_the_connection_and_patch_limits() {
    let out = scimlab().args(["serve", "--help"]).assert().success().get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf-8");
    for flag in ["--public-url", "--max-patch-operations", "--max-patch-work", "--header-timeout", "--idle-timeout"] {
        assert!(text.contains(flag), "{flag} missing from:\n{text}");
    }
    for default in ["[default: 1000]", "[default: 1000000]", "[default: 30]", "[default: 120]"] {
        assert!(text.contains(default), "{default} missing from:\n{text}");
    }
}

/// A running `scimlab serve`: locations come from the listen address whatever Host a client sends, and a client
/// that sends half a request line is disconnected (`--header-timeout 1`).
#[test]
fn a_running_server_ignores_host_and_cuts_off_slowloris() {
    use std::io::{Read, Write};
    let (mut child, url) = crate::serve(["--no-auth", "--workers", "1", "--header-timeout", "1"]);
    let addr = url.trim_start_matches("http://").trim_end_matches("/scim/v2").to_owned();
    let exchange = |bytes: &[u8]| {
        let mut s = std::net::TcpStream::connect(&addr).expect("connect");
        // Only a guard against a hung server; nothing is asserted about time.
        s.set_read_timeout(Some(std::time::Duration::from_secs(60))).expect("read timeout");
        s.write_all(bytes).expect("write");
        let mut out = Vec::new();
        let read = s.read_to_end(&mut out);
        (read.is_ok(), String::from_utf8_lossy(&out).into_owned())
    };
    let body = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"host-test"}"#;
    let create = format!(
        "POST /scim/v2/Users HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/scim+json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (closed, created) = exchange(create.as_bytes());
    let (slow_closed, _) = exchange(b"GET /scim/v2/Us");
    let _ = child.kill();
    let _ = child.wait();
    assert!(!url.is_empty(), "scimlab serve did not print its address");
    assert!(closed && created.starts_with("HTTP/1.1 201"), "{created}");
    assert!(!created.contains("evil.example"), "{created}");
    assert!(created.contains(&format!("\"location\":\"{url}/Users/")), "{created}");
    assert!(slow_closed, "the slowloris connection was left open");
}
