//! Failures in the IdP's own terms: what Entra, Okta or OneLogin does when a service provider answers a request
//! in a way it cannot use ("Entra will mark this user as failed and retry in 40 minutes because ...").
//!
//! The consequences come from IDP-TRAFFIC.md: Entra's retry schedule and quarantine rules (section 1, Throughput
//! and retries; Test Connection), Okta's admin Tasks and its empty-create error (section 2, Hire and Limits).
//! Section 3 documents no retry behaviour for Google, JumpCloud or Ping: their consequences say what fails and
//! no more (JumpCloud's event names are its Directory Insights events, jumpcloud/behaviour_notes.json).

use super::{Idp, Persona, Planned};

/// What the IdP does next when `planned` got `status` (`None`: no answer at all).
pub fn consequence(p: &Persona, planned: &Planned, status: Option<u16>) -> String {
    let subject = if planned.path.starts_with("/Groups") { "group" } else { "user" };
    match (p.idp, status) {
        (Idp::Entra, Some(401 | 403)) => {
            "Entra will put the provisioning job in quarantine (the credentials were refused) and run it at most \
             daily until an admin fixes them"
                .into()
        }
        (Idp::Entra, _) if planned.label == "test-connection" => {
            "Entra's Test Connection will fail, so the admin cannot save the provisioning configuration; a 404 to \
             this query is also a quarantine cause"
                .into()
        }
        (Idp::Entra, Some(404)) if planned.method == "GET" && planned.raw_query.is_some() => {
            "Entra will put the provisioning job in quarantine: a 404 to a query is a quarantine cause (SCIM \
             compliance issue)"
                .into()
        }
        (Idp::Entra, Some(429)) => "Entra will back off and retry after the Retry-After delay".into(),
        (Idp::Entra, _) => format!(
            "Entra will mark this {subject} as failed (SystemForCrossDomainIdentityManagementServiceIncompatible) and \
             retry it in the next cycle, about 40 minutes later, then after 6, 12 and 24 hours and daily for 28 \
             days; past 40% failures the whole job goes to quarantine"
        ),
        (Idp::Okta, Some(401 | 403)) => {
            "Okta will report the app's API credentials as invalid and stop provisioning to it".into()
        }
        (Idp::Okta, Some(s)) if planned.label == "create" && (200..300).contains(&s) => {
            "Okta will fail the assignment with \"Create new user returned empty user\"".into()
        }
        (Idp::Okta, Some(429)) => "Okta will retry after the Retry-After delay".into(),
        (Idp::Okta, _) => format!(
            "Okta will fail this {subject}'s provisioning and raise an admin Task; it does not retry until an admin \
             does"
        ),
        (Idp::OneLogin, _) => {
            format!(
                "OneLogin will show the provisioning of this {subject} as failed (no automatic retry is documented)"
            )
        }
        (Idp::Google, _) => format!(
            "Google Workspace's auto-provisioning will fail for this {subject} (Google documents no retry for SCIM \
             apps)"
        ),
        (Idp::JumpCloud, _) if planned.label.contains("test") => {
            "JumpCloud's Test Connection will fail, so the admin cannot activate the SCIM integration".into()
        }
        (Idp::JumpCloud, _) => {
            let event = match (subject, planned.label, planned.method) {
                ("user", "lookup", _) => "user_lookup_provision",
                ("user", "create", _) => "user_create_provision",
                ("user", _, "DELETE") => "user_delete_provision",
                ("user", _, _) if deactivates(planned) => "user_deprovision",
                ("user", _, _) => "user_update_provision",
                _ => "group sync",
            };
            format!("JumpCloud will log this {subject}'s {event} as failed and leave the app out of sync")
        }
        (Idp::Ping, _) if planned.label == "connection-check" => {
            "PingFederate's GitHub EMU provisioner will stop: its connection check before every operation failed, \
             so nothing is provisioned"
                .into()
        }
        (Idp::Ping, _) => {
            format!("PingFederate will log this {subject}'s provisioning as failed (no retry schedule is documented)")
        }
        (Idp::Rfc, _) => format!("an RFC 7644 client cannot provision this {subject}"),
    }
}

/// Whether `planned` sets `active` to false (a PATCH op on `active`, or a body with `active: false`).
fn deactivates(planned: &Planned) -> bool {
    let Some(body) = planned.body_for(None) else { return false };
    let ops = body.get("Operations").and_then(serde_json::Value::as_array);
    let by_op = ops.is_some_and(|ops| {
        ops.iter().any(|op| {
            op.get("path").and_then(serde_json::Value::as_str).is_some_and(|p| p.eq_ignore_ascii_case("active"))
                && op.get("value") == Some(&serde_json::Value::Bool(false))
        })
    });
    by_op || body.get("active") == Some(&serde_json::Value::Bool(false))
}

/// The whole message: the consequence, then why: the request (with `id`, the subject's id, filled in as sent),
/// what came back, what the persona needed, and where that need is documented.
pub fn explain(p: &Persona, planned: &Planned, id: Option<&str>, status: Option<u16>, got: &str) -> String {
    let sent = p.to_request(planned, id, None);
    let target = match sent.raw_query {
        Some(q) => format!("{}?{q}", sent.path),
        None => sent.path,
    };
    format!(
        "{} because {} {target} got {got}, where {} needs {}: {}",
        consequence(p, planned, status),
        planned.method,
        p.name,
        planned.expect.describe(),
        planned.why
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persona::catalog::ENTRA;
    use crate::persona::wire::ID;

    #[test]
    fn jumpcloud_names_the_event_that_failed() {
        use crate::intent::{Intent, UserChanges, UserProfile};
        use crate::persona::catalog::JUMPCLOUD;
        let before = UserProfile { user_name: "a".into(), active: true, ..UserProfile::default() };
        let deactivate = JUMPCLOUD.plan(&Intent::Deactivate { id: "u1".into(), before: before.clone() });
        assert!(consequence(&JUMPCLOUD, &deactivate[0], Some(500)).contains("user_deprovision"));
        let changes = UserChanges { title: Some("t".into()), ..UserChanges::default() };
        let update = JUMPCLOUD.plan(&Intent::Update { id: "u1".into(), before, changes });
        assert!(consequence(&JUMPCLOUD, &update[0], Some(500)).contains("user_lookup_provision"));
        assert!(consequence(&JUMPCLOUD, &update[1], Some(500)).contains("user_update_provision"));
    }

    #[test]
    fn the_message_names_the_request_as_sent_with_the_id_filled_in() {
        let planned = ENTRA.patch("update", format!("/Users/{ID}"), Vec::new());
        let message = explain(&ENTRA, &planned, Some("u 1"), Some(500), "500");
        assert!(message.contains("because PATCH /Users/u%201 got 500"), "{message}");
        assert!(!message.contains(ID), "{message}");
    }
}
