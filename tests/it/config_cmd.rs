//! `scimlab.toml` (issue 13): flags override the file and the file overrides the environment; `config show`
//! prints the merged settings with secrets redacted; known deviations are expected failures, counted apart.

use crate::credentials_cmd::AuthSp;
use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use scimlab_mock_sp::{Auth, ServerConfig};
use std::path::PathBuf;

/// Writes `text` as a config file in a fresh directory; returns the directory and the file.
fn config_file(name: &str, text: &str) -> (PathBuf, PathBuf) {
    let dir = temp_dir(&format!("config-{name}"));
    let file = dir.join("scimlab.toml");
    std::fs::write(&file, text).expect("write the config file");
    (dir, file)
}

/// A short run's selection, from the file.
const SHORT: &str = "profiles = [\"rfc\"]\nonly = [\"rfc7644/3.3\"]\n";

#[test]
fn the_credential_is_the_flags_else_the_files_else_scim_token() {
    let sp = AuthSp::start(Auth::Bearer("file-token".into()));
    let text = format!("url = \"{}\"\n{SHORT}[auth]\nkind = \"bearer\"\ntoken_env = \"ACME_TOKEN\"\n", sp.url);
    let (dir, file) = config_file("precedence", &text);
    // The file's variable wins over SCIM_TOKEN, and the file is found in the current directory.
    scimlab()
        .current_dir(&dir)
        .env("ACME_TOKEN", "file-token")
        .env("SCIM_TOKEN", "env-token")
        .arg("test")
        .assert()
        .success()
        .stderr(predicate::str::contains("credential: the config file"));
    // A flag wins over the file: the wrong token is sent and refused (exit 3).
    scimlab()
        .arg("--config")
        .arg(&file)
        .env("ACME_TOKEN", "file-token")
        .args(["test", "--token", "flag-token"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("credential: the --token flag"));
    // Without [auth] the environment is read.
    let (_, bare) = config_file("precedence-env", &format!("url = \"{}\"\n{SHORT}", sp.url));
    scimlab().arg("--config").arg(&bare).env("SCIM_TOKEN", "file-token").arg("test").assert().success();
    // The URL too: the flag's, not the file's unreachable one.
    let (_, far) = config_file("precedence-url", &format!("url = \"http://127.0.0.1:9/scim/v2\"\n{SHORT}"));
    scimlab()
        .arg("--config")
        .arg(&far)
        .env("SCIM_TOKEN", "file-token")
        .args(["test", "--url", &sp.url])
        .assert()
        .success();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_show_merges_and_redacts() {
    let text = "url = \"https://app.example.com/scim/v2\"\nprofiles = [\"okta\"]\nskip = [\"bulk\"]\n\
                allow_secrets_in_file = true\n[auth]\nkind = \"bearer\"\ntoken = \"inline-secret-4711\"\n";
    let (_, file) = config_file("show", text);
    let out = scimlab()
        .arg("--config")
        .arg(&file)
        .env("SCIM_TOKEN", "env-secret-0815")
        .args(["config", "show", "--profile", "entra"])
        .assert()
        .success()
        .get_output()
        .clone();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(!shown.contains("inline-secret-4711") && !shown.contains("env-secret-0815"), "{shown}");
    for line in [
        "url = \"https://app.example.com/scim/v2\"  # file",
        "credential = \"bearer [redacted]\"",
        "profiles = [\"entra\"]  # flag",
        "skip = [\"bulk\"]  # file",
    ] {
        assert!(shown.contains(line), "{line} missing from:\n{shown}");
    }
    // A flag's credential, redacted too; and the file's secret needs the explicit switch.
    scimlab()
        .arg("--config")
        .arg(&file)
        .args(["config", "show", "--basic", "okta:flag-pass-99"])
        .assert()
        .success()
        .stdout(predicate::str::contains("basic okta:[redacted]").and(predicate::str::contains("flag-pass-99").not()));
    let (_, locked) = config_file("show-locked", "[auth]\nkind = \"bearer\"\ntoken = \"inline-secret-4711\"\n");
    scimlab()
        .arg("--config")
        .arg(&locked)
        .args(["config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("allow_secrets_in_file").and(predicate::str::contains("inline-secret").not()));
}

#[test]
fn known_deviations_are_expected_failures_counted_apart() {
    let faults = scimlab_mock_sp::faults::parse_faults(&["patch-noop"]).expect("a known fault");
    let sp = AuthSp::start_with(ServerConfig { auth: Auth::None, record: false, faults, ..ServerConfig::default() });
    let base = format!("url = \"{}\"\nprofiles = [\"rfc\"]\nonly = [\"rfc7644/3.5.2\"]\n", sp.url);
    let (_, plain) = config_file("deviations-none", &base);
    scimlab().arg("--config").arg(&plain).arg("test").assert().code(1);
    let known =
        format!("{base}[[known_deviation]]\ncheck = \"rfc7644/3.5.2\"\nreason = \"ticket 42: PATCH is ignored\"\n");
    let (_, file) = config_file("deviations", &known);
    scimlab().arg("--config").arg(&file).arg("test").assert().success().stdout(
        predicate::str::contains("Expected failures: ").and(predicate::str::contains("ticket 42: PATCH is ignored")),
    );
    // With the JSON report on stdout, the count goes to stderr and stdout stays one JSON document.
    let out = scimlab().arg("--config").arg(&file).args(["test", "--report", "json=-"]).assert().success();
    let out = out.get_output();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report alone");
    assert!(json["rootCauses"].to_string().contains("ticket 42"), "{json}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Expected failures: "));
    let bad = format!("{base}[[known_deviation]]\ncheck = \"rfc9999/1\"\nreason = \"typo\"\n");
    let (_, typo) = config_file("deviations-typo", &bad);
    scimlab().arg("--config").arg(&typo).arg("test").assert().code(2).stderr(predicate::str::contains("\"rfc9999/1\""));
}

#[test]
fn a_bad_config_file_is_a_usage_error_naming_the_file_and_the_key() {
    let (_, file) = config_file("misspelt", "urll = \"http://x\"\n");
    scimlab()
        .arg("--config")
        .arg(&file)
        .arg("test")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("scimlab.toml").and(predicate::str::contains("urll")));
    scimlab()
        .args(["--config", "no/such/scimlab.toml", "config", "show"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/scimlab.toml"));
}
