//! Auth as identity providers do it, end to end on loopback: Entra's JWT bearer (`replay --entra-jwt` against
//! `serve --jwt-issuer --jwks`) and OAuth 2.0 client credentials (`--oauth-token-url` against `serve --oauth`).
//! Expiry is made deterministic (tokens minted with an `exp` in the past; `--oauth-token-uses`), never waited for.

use crate::{scimlab, serve, serve_with_env, temp_dir};
use predicates::prelude::*;
use scimlab_mock_idp::client::jwt::{Claims, DEFAULT_TENANT, EntraSigner};
use std::io::{Read, Write};

const JWKS: &str = "tests/fixtures/jwt/test-only-jwks.json";
const RSA_KEY: &str = "tests/fixtures/jwt/test-only-rsa-key.pem";
const EC_KEY: &str = "tests/fixtures/jwt/test-only-ec-key.pem";
const SECRET: &str = "oauth-secret-5b2e91";

fn issuer() -> String {
    format!("https://sts.windows.net/{DEFAULT_TENANT}/")
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("fixture")
}

/// `GET {url}/Users` with `Authorization: Bearer token`, over a plain socket: the status and the
/// WWW-Authenticate header.
fn get_with(url: &str, token: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("http url");
    let (authority, path) = rest.split_once('/').expect("path");
    let mut s = std::net::TcpStream::connect(authority).expect("connect");
    write!(
        s,
        "GET /{path}/Users HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    let status = answer.split(' ').nth(1).and_then(|c| c.parse().ok()).expect("status");
    let challenge = answer
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("www-authenticate")).map(|(_, v)| v))
        .unwrap_or_default()
        .trim()
        .to_owned();
    (status, challenge)
}

#[test]
fn an_entra_replay_with_its_jwt_passes_and_each_bad_token_gets_401_saying_why() {
    let (mut child, url) = serve(["--jwt-issuer", &issuer(), "--jwks", JWKS]);
    for (persona, key) in [("entra", RSA_KEY), ("entra-2020", EC_KEY)] {
        scimlab()
            .args(["replay", "hire", "--url", &url, "--as", persona, "--entra-jwt", key])
            .env_remove("SCIM_TOKEN")
            .assert()
            .success()
            .stderr(predicate::str::contains("credential: Entra JWT"));
    }
    // `serve --jwks` also takes the PEM key itself, and verifies with its public half.
    let (mut from_pem, pem_url) = serve(["--jwt-issuer", &issuer(), "--jwks", RSA_KEY]);
    scimlab()
        .args(["replay", "hire", "--url", &pem_url, "--as", "entra", "--entra-jwt", RSA_KEY])
        .env_remove("SCIM_TOKEN")
        .assert()
        .success();
    let _ = from_pem.kill();
    // Only Entra sends such tokens.
    scimlab()
        .args(["replay", "hire", "--url", &url, "--as", "okta", "--entra-jwt", RSA_KEY])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--as entra"));

    let signer = EntraSigner::from_pem(&fixture(RSA_KEY), DEFAULT_TENANT).expect("key");
    let other = EntraSigner::from_pem(&fixture("tests/fixtures/jwt/test-only-other-rsa-key.pem"), DEFAULT_TENANT)
        .expect("other key");
    let now = jiff::Timestamp::now().as_second();
    let with = |change: &dyn Fn(&mut Claims)| {
        let mut c = signer.claims_now();
        change(&mut c);
        signer.sign(&c).expect("signed")
    };
    let good = signer.token().expect("token");
    let (head, _) = good.rsplit_once('.').expect("parts");
    let foreign = other.token().expect("token");
    let (_, foreign_sig) = foreign.rsplit_once('.').expect("parts");
    let payload = good.split('.').nth(1).expect("payload");
    let none_header = scimlab_protocol::base64::encode_url(
        serde_json::json!({ "alg": "none", "typ": "JWT", "kid": signer.kid() }).to_string().as_bytes(),
    );
    let cases = [
        (with(&|c| c.issuer = "https://sts.windows.net/11111111-1111-4111-8111-111111111111/".into()), "wrong issuer"),
        (with(&|c| c.audience = "api://someone-else".into()), "wrong audience"),
        (
            with(&|c| {
                c.issued_at = now - 7200;
                c.expires_at = now - 3600;
            }),
            "expired",
        ),
        // Entra's header and claims, with a signature made by a key outside the JWKS.
        (format!("{head}.{foreign_sig}"), "bad signature"),
        (foreign, "unknown kid"),
        (format!("{none_header}.{payload}."), "alg none"),
        ("Zm9v.YmFy.YmF6".to_owned(), "malformed"),
    ];
    assert_eq!(get_with(&url, &good).0, 200);
    for (token, why) in cases {
        let (status, challenge) = get_with(&url, &token);
        assert_eq!(status, 401, "{why}");
        assert!(challenge.starts_with("Bearer realm=\"scimlab\", error=\"invalid_token\""), "{why}: {challenge}");
        assert!(challenge.contains(&format!("error_description=\"{why}")) || challenge.contains(why), "{challenge}");
    }
    let _ = child.kill();
}

/// Every run of 64 hexadecimal digits in `text`: the shape of the mock SP's access tokens.
fn hex_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_hexdigit()).filter(|w| w.len() >= 64).map(str::to_owned).collect()
}

#[test]
fn oauth_client_credentials_get_tokens_pass_the_run_and_stay_out_of_every_output() {
    let (mut child, url, banner) =
        serve_with_env(["--oauth", "--oauth-client-id", "ping"], &[("SCIM_OAUTH_CLIENT_SECRET", SECRET)]);
    let token_url = banner
        .iter()
        .find_map(|l| l.strip_prefix("oauth token endpoint: "))
        .expect("the banner names the token endpoint")
        .to_owned();
    assert!(banner.iter().all(|l| !l.contains(SECRET)), "{banner:?}");
    let dir = temp_dir("oauth");
    let (json, html) = (dir.join("run.json"), dir.join("run.html"));
    let out = scimlab()
        .args(["test", "--url", &url, "--oauth-token-url", &token_url, "--oauth-client-id", "ping"])
        .arg("--report")
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("html={}", html.display()))
        .env_remove("SCIM_TOKEN")
        .env("SCIM_OAUTH_CLIENT_SECRET", SECRET)
        .assert()
        .success()
        .get_output()
        .clone();
    let mut seen = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    for f in [&json, &html] {
        seen.push_str(&std::fs::read_to_string(f).expect("report"));
    }
    assert!(!seen.contains(SECRET), "the client secret leaked");
    assert_eq!(hex_tokens(&seen), Vec::<String>::new(), "an access token leaked");

    // A wrong secret: the token endpoint's answer, once, and no checks run.
    scimlab()
        .args(["test", "--url", &url, "--oauth-token-url", &token_url, "--oauth-client-id", "ping"])
        .env("SCIM_OAUTH_CLIENT_SECRET", "not-the-secret-31")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "the token endpoint {token_url} refused the request: 401 invalid_client"
        )))
        .stderr(predicate::str::contains("not-the-secret-31").not())
        .stdout(predicate::str::contains("PASS").not());
    // No secret in the environment is a usage error that names the variable.
    scimlab()
        .args(["replay", "hire", "--url", &url, "--oauth-token-url", &token_url, "--oauth-client-id", "ping"])
        .env_remove("SCIM_OAUTH_CLIENT_SECRET")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SCIM_OAUTH_CLIENT_SECRET"));
    // The token URL must be https unless it is loopback.
    scimlab()
        .args(["replay", "hire", "--url", &url, "--oauth-token-url", "http://idp.example.com/token"])
        .args(["--oauth-client-id", "ping"])
        .env("SCIM_OAUTH_CLIENT_SECRET", SECRET)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must be https"));
    let _ = child.kill();
}

#[test]
fn an_expired_oauth_token_is_renewed_and_the_replay_still_passes() {
    // Each token authenticates two requests, then is refused as expired: a replay of a dozen requests passes
    // only if the client renews its token after the 401 and sends the request again. One request at a time
    // (cleanup included), so which request meets a token's end never depends on timing.
    let (mut child, url, banner) =
        serve_with_env(["--oauth", "--oauth-token-uses", "2"], &[("SCIM_OAUTH_CLIENT_SECRET", SECRET)]);
    let token_url = banner.iter().find_map(|l| l.strip_prefix("oauth token endpoint: ")).expect("endpoint").to_owned();
    scimlab()
        .args(["replay", "hire", "--url", &url, "--as", "entra", "--oauth-token-url", &token_url])
        .args(["--oauth-client-id", "scimlab", "--concurrency", "1"])
        .env("SCIM_OAUTH_CLIENT_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 fail"))
        .stderr(predicate::str::contains("cleaned up 3 resources"));
    let _ = child.kill();
}

#[test]
fn load_runs_with_oauth_tokens() {
    let (mut child, url, banner) = serve_with_env(["--oauth"], &[("SCIM_OAUTH_CLIENT_SECRET", SECRET)]);
    let token_url = banner.iter().find_map(|l| l.strip_prefix("oauth token endpoint: ")).expect("endpoint").to_owned();
    let out = scimlab()
        .args(["load", "--url", &url, "--scenario", "bulk-merge", "--users", "100", "--quiet", "--concurrency", "2"])
        .args(["--oauth-token-url", &token_url, "--oauth-client-id", "scimlab"])
        .env_remove("SCIM_TOKEN")
        .env("SCIM_OAUTH_CLIENT_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicate::str::contains("the server holds exactly what was sent"))
        .get_output()
        .clone();
    let seen = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(!seen.contains(SECRET) && hex_tokens(&seen).is_empty(), "{seen}");
    let _ = child.kill();
}

#[test]
fn load_renews_a_refused_oauth_token_and_sends_the_request_again() {
    // Each token authenticates twelve requests, and forty imports go out one at a time, so tokens run out at
    // fixed requests. Verification and cleanup are left out: their eight workers would share a token, and which
    // of them meets its end would depend on timing.
    let (mut child, url, banner) =
        serve_with_env(["--oauth", "--oauth-token-uses", "12"], &[("SCIM_OAUTH_CLIENT_SECRET", SECRET)]);
    let token_url = banner.iter().find_map(|l| l.strip_prefix("oauth token endpoint: ")).expect("endpoint").to_owned();
    scimlab()
        .args(["load", "--url", &url, "--scenario", "bulk-merge", "--users", "200", "--block", "5", "--quiet"])
        .args(["--concurrency", "1", "--no-verify", "--keep"])
        .args(["--oauth-token-url", &token_url, "--oauth-client-id", "scimlab"])
        .env_remove("SCIM_TOKEN")
        .env("SCIM_OAUTH_CLIENT_SECRET", SECRET)
        .assert()
        .success()
        .stdout(predicate::str::contains("created: 200/200 users, 40/40 groups"))
        .stdout(predicate::str::contains("PASS  load/threshold/errors<1%: 0.00%"));
    let _ = child.kill();
}

#[test]
fn serve_generates_and_prints_a_client_secret_only_when_none_is_given() {
    let (mut child, _, banner) = serve_with_env(["--oauth"], &[]);
    let line = banner.iter().find(|l| l.contains("OAuth client credentials")).expect("auth line");
    assert!(line.contains("client secret") && line.contains("generated"), "{line}");
    let _ = child.kill();
    let (mut child, _, banner) = serve_with_env(["--oauth"], &[("SCIM_OAUTH_CLIENT_SECRET", SECRET)]);
    assert!(banner.iter().all(|l| !l.contains(SECRET)), "{banner:?}");
    let _ = child.kill();
}
