//! Replays against the mock SP with a named deviation: the persona that sends what the deviation refuses fails
//! at the step where the real IdP would fail, with a message in the IdP's terms, and a persona that sends the
//! other form passes.

use crate::replay::replay_on;
use scimlab_mock_idp::scenario::{StepOutcome, StepVerdict};

/// The first failing step and its reason.
fn first_failure(out: &[StepOutcome]) -> Option<(&str, &str)> {
    out.iter()
        .find(|o| o.verdict == StepVerdict::Fail)
        .map(|o| (o.step.as_str(), o.reason.as_deref().unwrap_or_default()))
}

async fn sp_with(fault: &str) -> (String, &'static str) {
    let token = "deviation-token";
    let faults = scimlab_mock_sp::faults::parse_faults(&[fault.to_owned()]).expect("fault parses");
    let url = crate::start_mock_sp_with(token, |c| c.faults = faults).await;
    (url, token)
}

/// (fault, scenario, persona that fails, step where it fails, words the message must hold, persona that passes)
type Case = (&'static str, &'static str, &'static str, &'static str, &'static [&'static str], &'static str);

const CASES: &[Case] = &[
    (
        "ops-case-sensitive",
        "hire",
        "entra",
        "hire-employee",
        &["Entra will mark this user as failed", "retry", "40 minutes", "PATCH /Users/"],
        "entra-2020",
    ),
    (
        "string-booleans-refused",
        "offboarding",
        "entra",
        "deactivate",
        &["Entra will mark this user as failed", "PATCH /Users/", "400"],
        "entra-2020",
    ),
    (
        "members-filter-remove-unsupported",
        "offboarding",
        "okta",
        "leave-group",
        &["Okta will fail this group's provisioning", "admin Task", "members[value eq] path"],
        "entra",
    ),
    (
        "members-value-remove-unsupported",
        "group-push",
        "entra",
        "remove-member",
        &["Entra will mark this group as failed", "Remove on members and a value list"],
        "entra-2020",
    ),
    (
        "dotted-keys-refused",
        "rehire",
        "entra-2020",
        "reactivate",
        &["Entra will mark this user as failed", "dotted", "aadOptscim062020"],
        "entra",
    ),
    ("empty-list-404", "hire", "entra", "test-connection", &["Entra's Test Connection will fail", "404"], "okta"),
    (
        "roles-json-rewritten",
        "role-change",
        "entra",
        "assign-role",
        &["Entra will retry the role assignment every cycle", "as Entra sent them", "approle-Engineer"],
        "entra-2020",
    ),
    ("roles-dropped", "role-change", "okta", "assign-role", &["its roles are not the ones assigned", "Engineer"], ""),
    (
        "plain-json-refused",
        "hire",
        "google",
        "hire-manager",
        &["Google Workspace's auto-provisioning will fail for this user", "POST /Users", "415"],
        "rfc",
    ),
    (
        "delete-405",
        "hire",
        "jumpcloud",
        "test-connection",
        &["JumpCloud's Test Connection will fail", "DELETE /Groups/", "405", "DELETEs the test group"],
        "entra",
    ),
    (
        "startindex-zero-based",
        "promotion",
        "ping",
        "create-new-team",
        &["PingFederate will log this group's provisioning as failed", "empty page at startIndex=1", "listing all"],
        "entra",
    ),
    (
        "not-found-200",
        "hire",
        "ping-emu",
        "test-connection",
        &["GitHub EMU provisioner will stop", "GET /Users/0 got 200", "needs 404"],
        "ping",
    ),
    (
        "create-empty-body",
        "hire",
        "okta",
        "hire-manager",
        &["Create new user returned empty user", "201 with an empty body"],
        "",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replays_fail_where_the_real_idp_would() {
    for (fault, scenario, fails, step, words, passes) in CASES {
        let (url, token) = sp_with(fault).await;
        let (out, r) = replay_on(&url, token, fails, scenario).await;
        let Some((at, reason)) = first_failure(&out) else {
            panic!("{fault}: {fails} replaying {scenario} did not fail");
        };
        assert_eq!(at, *step, "{fault}: {fails} failed at {at}: {reason}");
        for w in *words {
            assert!(reason.contains(w), "{fault}: {w:?} is not in {reason:?}");
        }
        r.cleanup().await;
        if !passes.is_empty() {
            let (out, r) = replay_on(&url, token, passes, scenario).await;
            assert!(
                first_failure(&out).is_none(),
                "{fault}: {passes} should pass {scenario}: {:?}",
                first_failure(&out)
            );
            r.cleanup().await;
        }
    }
}

/// Entra's reading of a whole replay (`scimlab replay --as entra`): a 404 to its lookups quarantines the job; a
/// role the app rewrites is a failure Entra never sees; a clean server quarantines nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entra_says_when_it_would_quarantine_the_app() {
    use scimlab_mock_idp::scenario::entra::JobVerdict;
    let (url, token) = sp_with("empty-list-404").await;
    let (out, r) = replay_on(&url, token, "entra", "hire").await;
    let v = JobVerdict::of(&out);
    assert!(v.quarantined(), "{v}");
    assert!(v.to_string().contains("404 at hire/test-connection"), "{v}");
    let failed = out.iter().find(|o| o.verdict == StepVerdict::Fail).expect("a failed step");
    assert!(failed.reason.as_deref().unwrap_or_default().contains("Entra quarantines the provisioning job"));
    r.cleanup().await;

    let (url, token) = sp_with("roles-json-rewritten").await;
    let (out, r) = replay_on(&url, token, "entra", "role-change").await;
    let v = JobVerdict::of(&out);
    assert!(!v.quarantined(), "{v}");
    assert!(v.to_string().contains("which Entra never notices (role-change/assign-role"), "{v}");
    r.cleanup().await;

    let (url, token) = sp_with("patch-noop").await;
    let (out, r) = replay_on(&url, token, "entra-2020", "hire").await;
    assert!(JobVerdict::of(&out).to_string().starts_with("Entra would not quarantine"), "{}", JobVerdict::of(&out));
    r.cleanup().await;
}
