//! Captured traffic as a scenario: a persona replayed against `scimlab serve`, its recordings exported with
//! `recordings export --format scenario`, and the export replayed against a fresh server must put the same
//! requests on the wire (ids aside: the export names them as variables, so the two exports compare equal).
//! And the replay of a captured file never changes what it did not create, and says when the server answers
//! differently from the server the capture was made against.

use crate::{scimlab, temp_dir};
use scimlab_mock_idp::scenario::Scenario;
use scimlab_mock_idp::scenario::model::Action;
use std::path::Path;

const TOKEN: &str = "captured-cmd-token-5b1e";

/// A server with a data file; killed on drop.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path) -> Served {
    let data = data.to_str().expect("utf-8 path");
    let (child, url) = crate::serve(["--token", TOKEN, "--data", data]);
    Served { child, url }
}

/// `scimlab replay ARGS --url URL` with the token; stdout and stderr together.
fn replay(url: &str, args: &[&str]) -> String {
    let out = scimlab().arg("replay").args(args).args(["--url", url]).env("SCIM_TOKEN", TOKEN).output().expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "replay {args:?} failed:\n{text}");
    text
}

/// The recordings of `data` as a scenario file at `out`; the scenario read back.
fn export(data: &Path, out: &Path) -> Scenario {
    let assert = scimlab()
        .args(["recordings", "--data", data.to_str().expect("utf-8")])
        .args(["export", "--format", "scenario", "--name", "captured-test", "--output"])
        .arg(out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out).expect("export written");
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!text.contains(TOKEN) && !stderr.contains(TOKEN), "the token must never be exported");
    Scenario::from_yaml(&text, "export").expect("the export is a valid scenario")
}

fn requests(s: &Scenario) -> Vec<&Action> {
    s.steps.iter().map(|st| &st.action).collect()
}

/// Entra (capitalised ops, `"False"` strings, JSON-encoded roles) and OneLogin (an empty User-Agent, `PUT
/// /Users/{id}?` with a bare `?`, a trailing `&` in lookups): every byte of what they sent comes back.
#[test]
fn an_exported_capture_replays_the_same_requests_on_a_fresh_server() {
    for persona in ["entra", "onelogin"] {
        let dir = temp_dir(&format!("captured-{persona}"));
        let (first, second) = (dir.join("first.db"), dir.join("second.db"));
        let _ = std::fs::remove_file(&first);
        let _ = std::fs::remove_file(&second);
        let original = serve(&first);
        replay(&original.url, &["hire", "role-change", "offboarding", "--as", persona]);
        let exported = export(&first, &dir.join("first.yaml"));
        assert!(exported.steps.len() > 20, "{persona}: {} steps", exported.steps.len());
        let captured = exported.steps.iter().filter_map(|s| match &s.action {
            Action::Request(r) => r.capture_id.as_deref(),
            _ => None,
        });
        assert!(captured.count() >= 3, "{persona}: the creates' ids become variables");

        let fresh = serve(&second);
        let text = replay(&fresh.url, &[dir.join("first.yaml").to_str().expect("utf-8")]);
        assert!(text.contains("replaying captured requests"), "{text}");
        assert!(!text.contains("Entra would"), "no Entra verdict on captured requests: {text}");
        let again = export(&second, &dir.join("second.yaml"));
        // The second server also saw the replay's own discovery first; the capture follows it, request for request.
        let (a, b) = (requests(&exported), requests(&again));
        assert!(b.len() >= a.len(), "{persona}: {} requests replayed of {}", b.len(), a.len());
        let tail = &b[b.len() - a.len()..];
        for (i, (x, y)) in a.iter().zip(tail).enumerate() {
            assert_eq!(x, y, "{persona}: request {} differs on the wire", i + 1);
        }
    }
}

#[test]
fn a_captured_replay_changes_only_what_it_created_and_names_a_different_answer() {
    let dir = temp_dir("captured-guard");
    let data = dir.join("guard.db");
    let _ = std::fs::remove_file(&data);
    let server = serve(&data);
    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"captured.guard@example.com"}"#;
    let file = dir.join("guard.yaml");
    let yaml = format!(
        "name: guard\ndescription: x\nsteps:\n\
         - id: create\n  do:\n    request:\n      method: POST\n      path: /Users\n      headers: ['Content-Type: application/scim+json']\n      body: '{user}'\n      status: [201]\n      captureId: user-1\n\
         - id: create-again\n  do:\n    request:\n      method: POST\n      path: /Users\n      headers: ['Content-Type: application/scim+json']\n      body: '{user}'\n      status: [201]\n\
         - id: delete-other\n  do:\n    request:\n      method: DELETE\n      path: /Users/2819c223-7f76-453a-919d-413861904646\n      status: [204]\n\
         - id: delete-own\n  do:\n    request:\n      method: DELETE\n      path: /Users/${{user-1}}\n      status: [204]\n"
    );
    std::fs::write(&file, yaml).expect("write scenario");
    let out = scimlab()
        .args(["replay", file.to_str().expect("utf-8"), "--url", &server.url])
        .env("SCIM_TOKEN", TOKEN)
        .output()
        .expect("runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "a step failed:\n{text}");
    assert!(text.contains("PASS") && text.contains("replay/guard/captured/create"), "{text}");
    assert!(text.contains("the client got 201 when this request was captured; this server answered 409"), "{text}");
    assert!(text.contains("not sent") && text.contains("was not created by this run"), "{text}");
    assert!(text.contains("replay/guard/captured/delete-own"), "{text}");
    assert!(text.contains("cleaned up 0 resources"), "the captured DELETE removed the user: {text}");
}
