//! The audit trail end to end: `scimlab serve --data FILE --audit-log FILE` as a child process, the shipped
//! lifecycle scenarios replayed against it by each persona, and `scimlab recordings audit` read from the running
//! server and from the data file. Each scenario's user has a timeline whose steps (operation, method, the
//! persona's User-Agent, the exact JSON Patch) are asserted; the streamed log holds the same entries; the token
//! appears in no output.
//!
//! A scenario joins the list in [`CASES`] with the timeline its user should have.

use crate::{scimlab, temp_dir};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Child;

const TOKEN: &str = "tok-audit-cmd-5be1c0";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// One replay and the timeline of its user `ada.lovelace`: (operation, method, patch) per change, with the user's
/// id written `{id}`, other resources' ids `{short name}`, the run tag `{run}` and other UUIDs `{uuid}`.
struct Case {
    scenario: &'static str,
    persona: &'static str,
    user_agent: Option<&'static str>,
    timeline: fn() -> Vec<(&'static str, &'static str, Value)>,
}

const CASES: &[Case] = &[
    Case { scenario: "hire", persona: "entra", user_agent: None, timeline: entra_hire },
    Case { scenario: "role-change", persona: "entra", user_agent: None, timeline: entra_role_change },
    Case { scenario: "offboarding", persona: "entra", user_agent: None, timeline: entra_offboarding },
    Case { scenario: "hire", persona: "okta", user_agent: Some("Okta SCIM Client 1.0.0"), timeline: okta_hire },
    Case {
        scenario: "offboarding",
        persona: "okta",
        user_agent: Some("Okta SCIM Client 1.0.0"),
        timeline: okta_offboarding,
    },
];

/// The patch of Ada's create: every attribute added, in the order the server stores them.
fn created(scenario: &str, persona: &str, number: &str, manager: bool) -> Value {
    let email = format!("scimlab-{{run}}-{scenario}-ada.lovelace@example.com");
    let okta = persona == "okta";
    let name = if okta {
        json!({"familyName": "Lovelace", "givenName": "Ada"})
    } else {
        json!({"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"})
    };
    let mut enterprise = json!({"employeeNumber": number, "department": "Engineering"});
    if manager {
        enterprise["manager"] = json!({"value": "{grace.hopper@example.com}"});
    }
    let mut ops = vec![
        json!({"op": "add", "path": "/id", "value": "{id}"}),
        json!({"op": "add", "path": "/schemas", "value": [USER, ENTERPRISE]}),
        json!({"op": "add", "path": "/externalId", "value": "{uuid}"}),
        json!({"op": "add", "path": "/userName", "value": email}),
        json!({"op": "add", "path": "/active", "value": true}),
        json!({"op": "add", "path": "/displayName", "value": "Ada Lovelace"}),
        json!({"op": "add", "path": "/title", "value": "Software Engineer"}),
        json!({"op": "add", "path": "/name", "value": name}),
        json!({"op": "add", "path": "/emails", "value": [{"primary": true, "type": "work", "value": email}]}),
    ];
    if okta {
        ops.push(json!({"op": "add", "path": "/locale", "value": "en-US"}));
    }
    ops.push(json!({"op": "add", "path": format!("/{ENTERPRISE}"), "value": enterprise}));
    if !okta {
        ops.push(json!({"op": "add", "path": "/roles", "value": []}));
    }
    Value::Array(ops)
}

const DEACTIVATED: fn() -> Value = || json!([{"op": "replace", "path": "/active", "value": false}]);

fn entra_hire() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("create", "POST", created("hire", "entra", "1002", false)),
        // Entra sets the manager in a PATCH of its own after the create.
        (
            "patch",
            "PATCH",
            json!([{"op": "add", "path": format!("/{ENTERPRISE}/manager"),
                                   "value": {"value": "{grace.hopper@example.com}"}}]),
        ),
    ]
}

/// Entra's app-role assignment for `role`, the JSON-encoded string it sends as the role's value.
fn entra_role(role: &str) -> String {
    json!({"id": format!("approle-{role}"), "value": role, "displayName": role}).to_string()
}

fn entra_role_change() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("create", "POST", created("role-change", "entra", "4001", false)),
        // Engineer assigned: the first element of roles.
        ("patch", "PATCH", json!([{"op": "add", "path": "/roles/0", "value": {"value": entra_role("Engineer")}}])),
        // Engineer taken away and Lead assigned in one PATCH: the one element's value changes.
        ("patch", "PATCH", json!([{"op": "replace", "path": "/roles/0/value", "value": entra_role("Lead")}])),
        // Reviewer assigned on top.
        ("patch", "PATCH", json!([{"op": "add", "path": "/roles/1", "value": {"value": entra_role("Reviewer")}}])),
        // Lead taken away: Reviewer moves to the front (json-patch compares arrays position by position).
        (
            "patch",
            "PATCH",
            json!([
                {"op": "replace", "path": "/roles/0/value", "value": entra_role("Reviewer")},
                {"op": "remove", "path": "/roles/1"}
            ]),
        ),
    ]
}

fn entra_offboarding() -> Vec<(&'static str, &'static str, Value)> {
    let removed: Vec<Value> = [
        "id",
        "schemas",
        "externalId",
        "userName",
        "active",
        "displayName",
        "title",
        "name",
        "emails",
        ENTERPRISE,
        "roles",
    ]
    .iter()
    .map(|a| json!({"op": "remove", "path": format!("/{a}")}))
    .collect();
    vec![
        ("create", "POST", created("offboarding", "entra", "3001", false)),
        ("patch", "PATCH", DEACTIVATED()),
        ("delete", "DELETE", Value::Array(removed)),
    ]
}

fn okta_hire() -> Vec<(&'static str, &'static str, Value)> {
    vec![("create", "POST", created("hire", "okta", "1002", true))]
}

fn okta_offboarding() -> Vec<(&'static str, &'static str, Value)> {
    // Okta never deletes a user: the timeline ends deactivated.
    vec![("create", "POST", created("offboarding", "okta", "3001", false)), ("patch", "PATCH", DEACTIVATED())]
}

/// `scimlab serve` on a free port with a data file and an audit log; the child and its base URL.
fn serve(data: &Path, log: &Path) -> (Child, String) {
    let args: [&std::ffi::OsStr; 6] =
        ["--token".as_ref(), TOKEN.as_ref(), "--data".as_ref(), data.as_ref(), "--audit-log".as_ref(), log.as_ref()];
    crate::serve(args)
}

/// Kills the server when the test ends, passing or not.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn jsonl(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}"))).collect()
}

/// `text` with the run tag, the ids of the trail's resources and other UUIDs written as placeholders.
fn normalised(text: &str, trail: &[Value], user_id: &str) -> String {
    let mut s = text.replace(user_id, "{id}");
    for e in trail {
        if let (Some(id), Some(name)) = (e["resourceId"].as_str(), e["name"].as_str()) {
            let short = name.splitn(4, '-').nth(3).unwrap_or(name);
            s = s.replace(id, &format!("{{{short}}}"));
        }
    }
    // scimlab-XXXXXXXX- run tags, then any remaining UUID.
    let mut out = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("scimlab-") {
        out.push_str(&rest[..i + 8]);
        rest = &rest[i + 8..];
        if rest.len() > 9 && rest.as_bytes()[8] == b'-' && rest[..8].bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("{run}");
            rest = &rest[8..];
        }
    }
    out.push_str(rest);
    let b = out.as_bytes();
    let is_uuid = |w: &[u8]| {
        w.len() == 36
            && w.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            })
    };
    let mut result = String::new();
    let mut i = 0;
    while i < b.len() {
        if i + 36 <= b.len() && is_uuid(&b[i..i + 36]) {
            result.push_str("{uuid}");
            i += 36;
        } else {
            let ch = out[i..].chars().next().unwrap_or_default();
            result.push(ch);
            i += ch.len_utf8();
        }
    }
    result
}

#[test]
fn replays_leave_each_user_a_timeline_of_its_steps_and_the_log_streams_it() {
    let dir = temp_dir("audit-cmd");
    let (data, log) = (dir.join("sp.sqlite"), dir.join("audit.jsonl"));
    let _ = std::fs::remove_file(&data);
    let _ = std::fs::remove_file(&log);
    let (child, url) = serve(&data, &log);
    let server = Killed(child);
    let origin = url.trim_end_matches("/scim/v2").to_owned();
    let mut outputs = String::new();
    for case in CASES {
        let out = scimlab()
            .args(["replay", case.scenario, "--as", case.persona, "--keep", "--url", &url])
            .env("SCIM_TOKEN", TOKEN)
            .output()
            .expect("replay runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{} as {}: {text}", case.scenario, case.persona);
    }
    let audit = |args: &[&str]| {
        let out = scimlab()
            .args(["recordings", "--server", &origin, "--token", TOKEN, "audit"])
            .args(args)
            .output()
            .expect("recordings audit runs");
        assert!(out.status.success(), "audit {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let all_text = audit(&["--format", "jsonl"]);
    let trail = jsonl(&all_text);
    outputs.push_str(&all_text);

    // The users `ada.lovelace` of the replays, in replay order: each one's timeline, read with --user-name.
    let adas: Vec<(String, String)> = trail
        .iter()
        .filter(|e| e["operation"] == "create" && e["resourceType"] == "User")
        .filter(|e| e["name"].as_str().is_some_and(|n| n.ends_with("-ada.lovelace@example.com")))
        .map(|e| (e["resourceId"].as_str().unwrap_or("").to_owned(), e["name"].as_str().unwrap_or("").to_owned()))
        .collect();
    assert_eq!(adas.len(), CASES.len(), "one ada per replay");
    for (case, (id, name)) in CASES.iter().zip(&adas) {
        let what = format!("{} as {}", case.scenario, case.persona);
        let upper = name.to_uppercase();
        let text = audit(&["--user-name", &upper, "--format", "jsonl"]);
        outputs.push_str(&text);
        let got = jsonl(&text);
        assert!(got.iter().all(|e| e["resourceId"] == id.as_str()), "{what}: only ada's entries");
        let steps: Vec<Value> = got
            .iter()
            .map(|e| {
                let patch = normalised(&e["patch"].to_string(), &trail, id);
                json!([e["operation"], e["request"]["method"], serde_json::from_str::<Value>(&patch).expect("json")])
            })
            .collect();
        let want: Vec<Value> = (case.timeline)().into_iter().map(|(op, m, p)| json!([op, m, p])).collect();
        assert_eq!(steps, want, "{what}: the timeline");
        for e in &got {
            let client = &e["request"]["client"];
            assert_eq!(client["userAgent"].as_str(), case.user_agent, "{what}: {e}");
            assert_eq!(client["credential"], "bearer token", "{what}: {e}");
            assert!(client["address"].as_str().is_some_and(|a| a.starts_with("127.0.0.1:")), "{what}: {e}");
            assert!(e["request"]["recording"].as_u64().is_some(), "{what}: the request's recording is named");
        }
        // The timeline text: one block per change, with the request and the patch.
        let timeline = audit(&["--resource", id]);
        outputs.push_str(&timeline);
        assert_eq!(timeline.matches("\n#").count() + 1, want.len(), "{what}: {timeline}");
        assert!(timeline.contains(&format!("create User {id} \"{name}\"")), "{what}: {timeline}");
        assert!(timeline.contains("credential bearer token"), "{what}: {timeline}");
    }
    assert!(audit(&["--since", "1h", "--format", "jsonl"]).lines().count() == trail.len(), "--since 1h: all");
    assert!(audit(&["--since", "2999-01-01T00:00:00Z"]).is_empty(), "--since the future: none");

    // The log streamed while serving holds the same entries, in the same order.
    let mut streamed = Vec::new();
    for _ in 0..50 {
        streamed = jsonl(&std::fs::read_to_string(&log).unwrap_or_default());
        if streamed.len() >= trail.len() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(streamed, trail, "the audit log is the trail, line for line");
    drop(server);
    // The data file holds the same trail once the server is gone.
    let out = scimlab()
        .args(["recordings", "--data"])
        .arg(&data)
        .args(["audit", "--format", "jsonl"])
        .output()
        .expect("recordings audit runs");
    assert_eq!(jsonl(&String::from_utf8_lossy(&out.stdout)), trail, "the data file's trail");
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    for (what, text) in [("the audit log", &log_text), ("recordings audit", &outputs)] {
        assert!(!text.contains(TOKEN), "{what} must never hold the token");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
