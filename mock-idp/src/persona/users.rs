//! The user intents of every persona: test connection, hire (lookup, create, manager), attribute updates,
//! (de)activation and delete. Each branch on a persona trait names the behaviour it reproduces; the sources are
//! listed per persona in [`super::catalog`].

use super::wire::{ID, PlannedBody, filter_literal, object};
use super::{ActivationStyle, Expect, ManagerStyle, Persona, Planned, TestConnectionStyle, UpdateStyle};
use crate::intent::{Member, UserChanges, UserProfile};
use serde_json::{Map, Value, json};

const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// The enterprise extension URN of RFC 7643 section 4.3.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A PatchOp body.
pub(super) fn patch_body(ops: Vec<Value>) -> PlannedBody {
    PlannedBody::Json(json!({"schemas": [PATCH_OP], "Operations": ops}))
}

/// The "Test Connection" probe, in the persona's [`TestConnectionStyle`].
pub(super) fn test_connection(p: &Persona, probe: &str) -> Vec<Planned> {
    use super::Idp;
    match p.test_connection {
        TestConnectionStyle::ProbeLookup => {
            let why = match p.idp {
                Idp::Entra => {
                    "Entra's Test Connection filters on a random GUID and needs 200 with an empty ListResponse; a \
                     404 is a quarantine cause (Microsoft Learn, SCIM endpoint tutorial and quarantine status)"
                }
                Idp::OneLogin => {
                    "OneLogin looks users up by userName (observed in OneLogin's requests, authentik#11249)"
                }
                Idp::Ping => {
                    "PingFederate matches users on userName (Ping Identity docs, SCIM connector user management); \
                     its connection test is played as that lookup of an unknown user (inferred)"
                }
                _ => "RFC 7644 section 3.4.2.2: an eq filter that matches nothing answers an empty ListResponse",
            };
            // Entra: no Content-Type and no scim+json Accept (test_connection_get.json).
            let r = p.request("test-connection", "GET", "/Users".into(), PlannedBody::None);
            vec![
                r.with_query(p.lookup_query("userName", probe, false))
                    .expecting(Expect::NoMatch { not_found_ok: false }, why),
            ]
        }
        TestConnectionStyle::ListTwoUsers => {
            let r = p.request("test-connection", "GET", "/Users".into(), PlannedBody::None);
            vec![r.with_query("startIndex=1&count=2".into()).expecting(
                Expect::List,
                "Okta's Test API Credentials lists two users with startIndex=1&count=2 and needs 200 with a \
                 ListResponse (as integrators' setup guides report it)",
            )]
        }
        TestConnectionStyle::ServiceProviderConfig => {
            let why = match p.idp {
                Idp::Google => {
                    "Google's connection test is not documented; played as the RFC's discovery read (inferred, RFC \
                     7644 section 4)"
                }
                _ => "RFC 7644 section 4: a client learns what the server supports from /ServiceProviderConfig",
            };
            let r = p.request("test-connection", "GET", "/ServiceProviderConfig".into(), PlannedBody::None);
            vec![r.expecting(Expect::Status { statuses: &[200] }, why)]
        }
        TestConnectionStyle::CreateThenDelete => jumpcloud_test_connection(p, probe),
    }
}

/// JumpCloud's Test Connection: a test user and a test group created, then both DELETEd; a test user whose DELETE
/// is refused is deactivated instead (jumpcloud/behaviour_notes.json, test_connection). `probe` names them (the
/// scenario engine gives it the run prefix).
fn jumpcloud_test_connection(p: &Persona, probe: &str) -> Vec<Planned> {
    use super::wire::TEST_USER_ID;
    let user = UserProfile {
        user_name: probe.to_owned(),
        external_id: probe.to_owned(),
        email: Some(probe.to_owned()),
        active: true,
        ..UserProfile::default()
    };
    let create_user =
        p.request("test-user", "POST", "/Users".into(), PlannedBody::Json(user_body(p, &user, true))).expecting(
            Expect::Resource { statuses: &[201] },
            "JumpCloud's Test Connection creates a test user and needs 201 with its id (JumpCloud support, custom \
             SCIM integration)",
        );
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": probe});
    let create_group = p.request("test-group", "POST", "/Groups".into(), PlannedBody::Json(group)).expecting(
        Expect::Resource { statuses: &[201] },
        "JumpCloud's Test Connection creates a test group and needs 201 with its id (JumpCloud support, custom SCIM \
         integration)",
    );
    let delete_group = p.request("delete-test-group", "DELETE", format!("/Groups/{ID}"), PlannedBody::None).expecting(
        Expect::Status { statuses: &[204, 200] },
        "JumpCloud's Test Connection DELETEs the test group it created and needs 204 (JumpCloud support, custom SCIM \
         integration)",
    );
    let delete_user =
        p.request("delete-test-user", "DELETE", format!("/Users/{TEST_USER_ID}"), PlannedBody::None).expecting(
            Expect::Status { statuses: &[204, 200] },
            "JumpCloud's Test Connection DELETEs the test user it created, or deactivates it where DELETE is not \
             supported (JumpCloud support, custom SCIM integration)",
        );
    let op = json!({"op": p.op("replace"), "path": "active", "value": p.boolean(false)});
    let deactivate = p.request("deactivate-test-user", "PATCH", format!("/Users/{TEST_USER_ID}"), patch_body(vec![op]));
    let deactivate = Planned {
        condition: super::Condition::IfPreviousRefused,
        ..deactivate.expecting(
            Expect::Status { statuses: &[200, 204] },
            "JumpCloud deactivates the test user when the app does not support DELETE (JumpCloud support, custom \
             SCIM integration); the PATCH shape is inferred (RFC 7644 section 3.5.2.3)",
        )
    };
    vec![
        Planned { captures_id: true, ..create_user },
        Planned { captures_id: true, ..create_group },
        delete_group,
        delete_user,
        deactivate,
    ]
}

/// The lookup before a create (and, for JumpCloud, before an update).
fn lookup_user(p: &Persona, user: &UserProfile) -> Planned {
    let why = match p.idp {
        super::Idp::Entra => {
            "Entra looks the user up by its matching attribute before creating it, and needs 200 with an empty \
             ListResponse (Microsoft Learn, SCIM endpoint tutorial)"
        }
        super::Idp::Okta => {
            "Okta checks whether the user exists with startIndex=1&count=100, percent-encoded; an empty list or a \
             404 both mean no (Okta SCIM 2.0 reference)"
        }
        super::Idp::OneLogin => {
            "OneLogin looks the user up with a trailing & (observed in OneLogin's requests, authentik#11249)"
        }
        super::Idp::JumpCloud => {
            "JumpCloud looks the user up by userName before creating it, and needs 200 with an empty ListResponse \
             (JumpCloud support: user_lookup_provision precedes every create and update)"
        }
        super::Idp::Ping => {
            "PingFederate matches users on userName before creating them, and needs 200 with an empty ListResponse \
             (Ping Identity docs, SCIM connector user management)"
        }
        super::Idp::Google => {
            "Google's lookup is not documented; played as an eq filter on userName (inferred, RFC 7644 section \
             3.4.2.2)"
        }
        super::Idp::Rfc => "RFC 7644 section 3.4.2.2: an eq filter on userName finds an existing account",
    };
    p.request("lookup", "GET", "/Users".into(), PlannedBody::None)
        .with_query(p.lookup_query("userName", &user.user_name, false))
        .expecting(Expect::NoMatch { not_found_ok: p.lookup.not_found_ok }, why)
}

/// JumpCloud's lookup before an update: the user must be found, and be the one provisioned.
pub(super) fn lookup_existing(p: &Persona, user_name: &str) -> Planned {
    p.request("lookup", "GET", "/Users".into(), PlannedBody::None)
        .with_query(p.lookup_query("userName", user_name, false))
        .expecting(
            Expect::Found,
            "JumpCloud looks the user up by userName before every update and needs to find it \
             (JumpCloud support: user_lookup_provision precedes every create and update)",
        )
}

/// The user as the persona writes it in a POST (or a template PUT).
pub(super) fn user_body(p: &Persona, u: &UserProfile, manager_in_body: bool) -> Value {
    let s = &p.user_body;
    let text = |v: &Option<String>| match v {
        Some(v) => Some(Value::String(v.clone())),
        None if s.empty_strings => Some(Value::String(String::new())),
        None => None,
    };
    let enterprise = s.always_enterprise || u.has_enterprise() || s.empty_strings;
    let mut schemas = vec![json!(s.core_urn)];
    if enterprise {
        schemas.push(json!(s.enterprise_urn));
    }
    let name = object(vec![
        ("formatted", if s.formatted { u.formatted_name().map(Value::String) } else { None }),
        ("familyName", text(&u.family_name)),
        ("givenName", text(&u.given_name)),
    ]);
    let emails = u.email.as_ref().map(|e| json!([{"primary": true, "type": "work", "value": e}]));
    let manager = u.manager.as_ref().filter(|_| manager_in_body).map(|m| manager_value(p, m));
    let ext = object(vec![
        ("employeeNumber", text(&u.employee_number)),
        ("department", text(&u.department)),
        ("manager", manager),
    ]);
    object(vec![
        ("schemas", Some(Value::Array(schemas))),
        ("externalId", Some(json!(u.external_id))),
        ("userName", Some(json!(u.user_name))),
        ("active", Some(json!(u.active))),
        ("displayName", text(&u.display_name)),
        ("nickName", u.nick_name.clone().map(Value::String)),
        ("title", text(&u.title)),
        ("name", Some(name).filter(|n| n.as_object().is_some_and(|o| !o.is_empty()))),
        ("emails", emails),
        ("locale", u.locale.clone().map(Value::String)),
        ("password", u.password.clone().map(Value::String)),
        (s.enterprise_urn, Some(ext).filter(|e| e.as_object().is_some_and(|o| !o.is_empty()))),
        ("groups", s.groups.then(|| json!([]))),
        ("roles", roles_value(p, &u.roles).or_else(|| s.roles.then(|| json!([])))),
        ("meta", s.meta.then(|| json!({"resourceType": "User"}))),
    ])
}

/// The manager as this persona writes it inside a user body.
fn manager_value(p: &Persona, m: &Member) -> Value {
    match p.manager {
        ManagerStyle::ComplexWithDisplay => json!({"value": m.id, "displayName": m.display}),
        ManagerStyle::Complex | ManagerStyle::CheckThenPatchString => json!({"value": m.id}),
    }
}

/// Hire: lookup, create, and Entra's separate manager step.
pub(super) fn hire(p: &Persona, user: &UserProfile) -> Vec<Planned> {
    let separate_manager = p.manager == ManagerStyle::CheckThenPatchString;
    let body = user_body(p, user, !separate_manager);
    let why = match p.idp {
        super::Idp::Okta => {
            "Okta needs 201 with the created user: an empty body fails with 'Create new user returned empty user' \
             (Okta SCIM 2.0 reference)"
        }
        super::Idp::Entra => {
            "Entra needs 201 with the user and its id, which it caches for every later request \
             (Microsoft Learn, SCIM endpoint tutorial)"
        }
        _ => "RFC 7644 section 3.3: a create answers 201 with the resource, including its id",
    };
    let create = p
        .request("create", "POST", "/Users".into(), PlannedBody::Json(body))
        .expecting(Expect::Resource { statuses: &[201] }, why);
    let mut plan = vec![lookup_user(p, user), Planned { captures_id: true, ..create }];
    if let (true, Some(m)) = (separate_manager, &user.manager) {
        plan.extend(entra_manager(p, m, false));
    }
    plan
}

/// Entra's manager step: the check query, then the PATCH with a bare string (SCIM-SDK#541) when the check finds
/// nothing. `had` says whether a manager was provisioned before (`Add` the first time, `Replace` after).
fn entra_manager(p: &Persona, m: &Member, had: bool) -> Vec<Planned> {
    let filter = format!("id eq {} and manager eq {}", filter_literal(ID), filter_literal(&m.id));
    let q = format!("filter={}", super::wire::encode_component(&filter, p.lookup.space)).replace("%7Bid%7D", ID);
    let check = p.request("manager-check", "GET", "/Users".into(), PlannedBody::None).with_query(q).expecting(
        Expect::List,
        "before changing a manager Entra asks whether it is already set, with id eq and manager eq \
         (Microsoft Learn, SCIM endpoint tutorial)",
    );
    let op = if had { p.op("replace") } else { p.op("add") };
    let body = patch_body(vec![json!({"op": op, "path": format!("{ENTERPRISE}:manager"), "value": m.id})]);
    let set = p.request("set-manager", "PATCH", format!("/Users/{ID}"), body).expecting(
        Expect::Status { statuses: &[200, 204] },
        "Entra sets the manager as a separate reference step, a bare string on the URN-qualified path \
         (Microsoft Learn, How provisioning works; observed in Entra's requests, SCIM-SDK#541)",
    );
    vec![check, Planned { condition: super::Condition::IfPreviousFoundNothing, ..set }]
}

/// One changed attribute: its PATCH path, whether the path filters, its value, and whether the IdP had a value.
struct Change {
    path: String,
    filtered: bool,
    value: Value,
    had: bool,
}

/// The changed attributes in the order Entra sends them (update_multiple_attrs_patch_default_noflag.json).
fn changes_of(p: &Persona, before: &UserProfile, c: &UserChanges) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |path: String, filtered: bool, new: &Option<String>, old: Option<&String>| {
        if let Some(v) = new {
            out.push(Change { path, filtered, value: json!(v), had: old.is_some() });
        }
    };
    let user_name = Some(&before.user_name);
    let external_id = Some(&before.external_id);
    push("userName".into(), false, &c.user_name, user_name);
    push("displayName".into(), false, &c.display_name, before.display_name.as_ref());
    push("nickName".into(), false, &c.nick_name, before.nick_name.as_ref());
    push("title".into(), false, &c.title, before.title.as_ref());
    push("emails[type eq \"work\"].value".into(), true, &c.email, before.email.as_ref());
    push("name.givenName".into(), false, &c.given_name, before.given_name.as_ref());
    push("name.familyName".into(), false, &c.family_name, before.family_name.as_ref());
    push("externalId".into(), false, &c.external_id, external_id);
    push(format!("{ENTERPRISE}:employeeNumber"), false, &c.employee_number, before.employee_number.as_ref());
    push(format!("{ENTERPRISE}:department"), false, &c.department, before.department.as_ref());
    if let (Some(m), ManagerStyle::Complex) = (&c.manager, p.manager) {
        out.push(Change {
            path: format!("{ENTERPRISE}:manager"),
            filtered: false,
            value: json!({"value": m.id}),
            had: before.manager.is_some(),
        });
    }
    out
}

/// The PATCH ops for `changes` in this persona's update style (PATCH styles only).
fn patch_ops(p: &Persona, before: &UserProfile, changes: &UserChanges) -> Vec<Value> {
    let list = changes_of(p, before, changes);
    match p.update {
        UpdateStyle::PatchPerAttribute { add_when_new } => list
            .into_iter()
            .map(|c| {
                let op = if add_when_new && !c.had { p.op("add") } else { p.op("replace") };
                json!({"op": op, "path": c.path, "value": c.value})
            })
            .collect(),
        UpdateStyle::PatchDottedPathless => {
            let (alone, merged): (Vec<Change>, Vec<Change>) = list.into_iter().partition(|c| c.filtered || !c.had);
            let mut ops: Vec<Value> = alone
                .into_iter()
                .map(|c| {
                    let op = if c.had { p.op("replace") } else { p.op("add") };
                    json!({"op": op, "path": c.path, "value": c.value})
                })
                .collect();
            if merged.len() == 1 {
                let c = &merged[0];
                ops.push(json!({"op": p.op("replace"), "path": c.path, "value": c.value}));
            } else if !merged.is_empty() {
                let value: Map<String, Value> = merged.into_iter().map(|c| (c.path, c.value)).collect();
                ops.push(json!({"op": p.op("replace"), "value": value}));
            }
            ops
        }
        UpdateStyle::GetThenPut | UpdateStyle::PutTemplate => Vec::new(),
    }
}

/// The overlay a GET-then-PUT persona applies to the fetched user: the changed attributes only.
fn put_overlay(p: &Persona, changes: &UserChanges, active: Option<bool>) -> Value {
    let name = object(vec![
        ("givenName", changes.given_name.clone().map(Value::String)),
        ("familyName", changes.family_name.clone().map(Value::String)),
    ]);
    let ext = object(vec![
        ("employeeNumber", changes.employee_number.clone().map(Value::String)),
        ("department", changes.department.clone().map(Value::String)),
        ("manager", changes.manager.as_ref().map(|m| manager_value(p, m))),
    ]);
    let non_empty = |v: Value| Some(v).filter(|v| v.as_object().is_some_and(|o| !o.is_empty()));
    object(vec![
        ("userName", changes.user_name.clone().map(Value::String)),
        ("externalId", changes.external_id.clone().map(Value::String)),
        ("displayName", changes.display_name.clone().map(Value::String)),
        ("nickName", changes.nick_name.clone().map(Value::String)),
        ("title", changes.title.clone().map(Value::String)),
        ("name", non_empty(name)),
        ("emails", changes.email.as_ref().map(|e| json!([{"primary": true, "value": e, "type": "work"}]))),
        (p.user_body.enterprise_urn, non_empty(ext)),
        ("active", active.map(Value::Bool)),
    ])
}

/// The PUT path, with OneLogin's trailing `?`.
fn put(p: &Persona, label: &'static str, body: PlannedBody, why: &'static str) -> Planned {
    let mut r = p.request(label, "PUT", format!("/Users/{ID}"), body);
    r.raw_query = p.put_suffix.map(|s| s.trim_start_matches('?').to_owned());
    r.expecting(Expect::Resource { statuses: &[200] }, why)
}

/// A profile update, optionally with `active` set in the same write (a rehire).
pub(super) fn update(
    p: &Persona,
    id: &str,
    before: &UserProfile,
    changes: &UserChanges,
    active: Option<bool>,
) -> Vec<Planned> {
    let mut plan = match p.update {
        UpdateStyle::PatchPerAttribute { .. } | UpdateStyle::PatchDottedPathless => {
            let mut ops = patch_ops(p, before, changes);
            if let Some(a) = active {
                ops.push(json!({"op": p.op("replace"), "path": "active", "value": p.boolean(a)}));
            }
            if ops.is_empty() {
                Vec::new()
            } else {
                let why = match (p.idp, p.update) {
                    (super::Idp::Entra, UpdateStyle::PatchDottedPathless) => {
                        "Entra with aadOptscim062020 merges its replaces into one path-less value with dotted and \
                         URN-qualified keys, and needs 200 with the user \
                         (Microsoft Learn, SCIM 2.0 compliance known issues)"
                    }
                    (super::Idp::Entra, _) => {
                        "Entra modifies users with PATCH only, and needs 200 with the user \
                         (Microsoft Learn, SCIM endpoint tutorial)"
                    }
                    _ => "RFC 7644 section 3.5.2: PATCH answers 200 with the resource or 204",
                };
                vec![
                    p.request("update", "PATCH", format!("/Users/{ID}"), patch_body(ops))
                        .expecting(Expect::Status { statuses: &[200, 204] }, why),
                ]
            }
        }
        UpdateStyle::GetThenPut => {
            let fetch = p.request("fetch", "GET", format!("/Users/{ID}"), PlannedBody::None).expecting(
                Expect::Resource { statuses: &[200] },
                "Okta reads the current user before a PUT (Okta SCIM 2.0 reference)",
            );
            let body = PlannedBody::OverFetched(put_overlay(p, changes, active));
            vec![
                fetch,
                put(
                    p,
                    "update",
                    body,
                    "Okta PUTs the whole user back with the changed attributes and needs 200 with the user \
                     (Okta SCIM 2.0 reference)",
                ),
            ]
        }
        UpdateStyle::PutTemplate => {
            let mut after = before.with(changes);
            if let Some(a) = active {
                after.active = a;
            }
            let mut body = user_body(p, &after, true);
            if let Some(o) = body.as_object_mut() {
                o.insert("id".into(), json!(ID));
            }
            let why = match p.idp {
                super::Idp::Ping => {
                    "PingFederate updates users with a full PUT, never PATCH, and needs 200 with the user (Ping \
                     Identity docs, SCIM connector: PATCH for Users No); the body is its attribute mapping (inferred)"
                }
                _ => {
                    "OneLogin renders its SCIM JSON template into a PUT to the user's URL with a trailing ? \
                     (observed in OneLogin's requests, authentik#11249)"
                }
            };
            vec![put(p, "update", PlannedBody::Json(body), why)]
        }
    };
    for r in &mut plan {
        r.path = r.path.replace(ID, id);
        if let PlannedBody::Json(b) = &mut r.body
            && let Some(o) = b.as_object_mut()
            && o.get("id").and_then(Value::as_str) == Some(ID)
        {
            o.insert("id".into(), json!(id));
        }
    }
    if let (Some(m), ManagerStyle::CheckThenPatchString) = (&changes.manager, p.manager) {
        for mut r in entra_manager(p, m, before.manager.is_some()) {
            r.path = r.path.replace(ID, id);
            r.raw_query = r.raw_query.map(|q| super::wire::substitute_query(&q, id, p.lookup.space));
            plan.push(r);
        }
    }
    plan
}

/// Deactivate (`active` false) or reactivate with changes.
pub(super) fn set_active(
    p: &Persona,
    id: &str,
    before: &UserProfile,
    active: bool,
    changes: &UserChanges,
) -> Vec<Planned> {
    match p.activation {
        ActivationStyle::PatchPath => update(p, id, before, changes, Some(active)),
        ActivationStyle::AsUpdate => update(p, id, before, changes, Some(active)),
        ActivationStyle::PatchPathless => {
            let op = json!({"op": p.op("replace"), "value": {"active": active}});
            let r = p
                .request("activation", "PATCH", format!("/Users/{}", crate::ledger::segment(id)), patch_body(vec![op]))
                .expecting(
                    Expect::Status { statuses: &[200, 204] },
                    "Okta (de)activates with a path-less replace of {active} and takes 200 with the user or 204 \
                 (Okta SCIM 2.0 reference)",
                );
            let mut plan = vec![r];
            if !changes.is_empty() {
                plan.extend(update(p, id, &UserProfile { active, ..before.clone() }, changes, None));
            }
            plan
        }
    }
}

/// Delete, for the personas that send it; PingFederate's Remove User Action Disable disables the user instead,
/// when it is still active.
pub(super) fn delete(p: &Persona, id: &str, user: &UserProfile) -> Vec<Planned> {
    use super::DeletePolicy;
    let why = match (p.delete_users, p.idp) {
        (DeletePolicy::Never, _) => return Vec::new(),
        (DeletePolicy::DisableInstead, _) if !user.active => return Vec::new(),
        (DeletePolicy::DisableInstead, _) => return set_active(p, id, user, false, &UserChanges::default()),
        (DeletePolicy::HardDeleteOnly, _) => {
            "Entra sends DELETE only for a hard delete, 30 days after a soft delete, and needs 204 \
             (Microsoft Learn, How provisioning works)"
        }
        (DeletePolicy::Delete, super::Idp::JumpCloud) => {
            "JumpCloud DELETEs a user deleted in JumpCloud and needs 204 (JumpCloud support: user_delete_provision)"
        }
        (DeletePolicy::Delete, super::Idp::Ping) => {
            "PingFederate with the Remove User Action Delete DELETEs a removed user and needs 204 (Ping Identity \
             docs, SCIM connector settings reference)"
        }
        (DeletePolicy::Delete, _) => "RFC 7644 section 3.6: DELETE answers 204",
    };
    vec![
        p.request("delete", "DELETE", format!("/Users/{}", crate::ledger::segment(id)), PlannedBody::None)
            .expecting(Expect::Status { statuses: &[204, 200] }, why),
    ]
}

/// The `roles` of a user body: each role as the persona writes it; `None` for no roles.
fn roles_value(p: &Persona, roles: &[String]) -> Option<Value> {
    (!roles.is_empty()).then(|| Value::Array(roles.iter().map(|r| role_element(p, r)).collect()))
}

/// One role as the persona writes it (RFC 7643 section 4.1.2 `roles`).
///
/// - Entra, default mapping (SingleAppRoleAssignment / AppRoleAssignmentsComplex): `{"value": "<JSON object as a
///   string>"}` (documented: idp-wire/entra/roles_approle_patch_default.json).
/// - Entra with `aadOptscim062020`, played with the assertive mapping (AssertiveAppRoleAssignmentsComplex):
///   `{primary: false, type: "WindowsAzureActiveDirectoryRole", display, value}` (documented:
///   roles_assertive_patch.json; the mapping is the tenant's choice, independent of the flag).
/// - Okta, OneLogin and the RFC persona: `{value, display}`, the plain multi-valued complex attribute (inferred:
///   neither documents a role shape; RFC 7643 section 4.1.2).
pub fn role_element(p: &Persona, role: &str) -> Value {
    match (p.idp, p.update) {
        (super::Idp::Entra, UpdateStyle::PatchDottedPathless) => {
            json!({"primary": false, "type": "WindowsAzureActiveDirectoryRole", "display": role, "value": role})
        }
        (super::Idp::Entra, _) => json!({"value": role_value(p, role)}),
        _ => json!({"value": role, "display": role}),
    }
}

/// The `value` a role is sent with, which the service provider must store and return unchanged: the role's
/// name, or for Entra's default mapping its app-role assignment as a JSON-encoded string.
pub fn role_value(p: &Persona, role: &str) -> String {
    match (p.idp, p.update) {
        (super::Idp::Entra, UpdateStyle::PatchPerAttribute { .. }) => {
            json!({"id": format!("approle-{role}"), "value": role, "displayName": role}).to_string()
        }
        _ => role.to_owned(),
    }
}

/// A role change: `add` assigned, `remove` taken away.
///
/// - Entra default: one PATCH, `Add roles [{value}]` per role assigned and `Remove roles [{value}]` per role taken
///   away (the add is documented; the remove is inferred from Entra's default member removal, which has the same
///   shape).
/// - Entra assertive: one PATCH, `replace roles` with the whole set after the change (documented).
/// - Okta: GET, then a PUT of the whole user with `roles` replaced (inferred from Okta's GET-then-PUT updates).
/// - OneLogin, Ping: a PUT of the whole user with the roles (inferred from their PUT updates).
/// - RFC: one PATCH, `add roles [...]` and `remove roles[value eq "..."]` per role (RFC 7644 sections 3.5.2.1 and
///   3.5.2.2).
pub(super) fn change_roles(
    p: &Persona,
    id: &str,
    before: &UserProfile,
    add: &[String],
    remove: &[String],
) -> Vec<Planned> {
    let after = before.roles_after(add, remove);
    let path = format!("/Users/{}", crate::ledger::segment(id));
    let patch = |ops: Vec<Value>, why: &'static str| {
        p.request("roles", "PATCH", path.clone(), patch_body(ops))
            .expecting(Expect::Status { statuses: &[200, 204] }, why)
    };
    let element_list = |roles: &[String]| Value::Array(roles.iter().map(|r| role_element(p, r)).collect());
    match (p.idp, p.update) {
        (super::Idp::Entra, UpdateStyle::PatchDottedPathless) => vec![patch(
            vec![json!({"op": "replace", "path": "roles", "value": element_list(&after)})],
            "Entra's assertive role mapping replaces the whole roles array on every change, and needs 200 with the \
             user (Microsoft Learn, customize application attributes: AssertiveAppRoleAssignmentsComplex)",
        )],
        (super::Idp::Entra, _) => {
            let mut ops: Vec<Value> = remove
                .iter()
                .map(|r| json!({"op": p.op("remove"), "path": "roles", "value": [role_element(p, r)]}))
                .collect();
            ops.extend(add.iter().map(|r| json!({"op": p.op("add"), "path": "roles", "value": [role_element(p, r)]})));
            vec![patch(
                ops,
                "Entra sends app-role assignments as Add roles with the assignment as a JSON-encoded string, and \
                 needs 200 with the user (Microsoft Learn, customize application attributes: provisioning a role)",
            )]
        }
        (_, UpdateStyle::GetThenPut) => {
            let fetch = p.request("fetch", "GET", path.clone(), PlannedBody::None).expecting(
                Expect::Resource { statuses: &[200] },
                "Okta reads the current user before a PUT (Okta SCIM 2.0 reference)",
            );
            let body = PlannedBody::OverFetched(json!({"roles": element_list(&after)}));
            let mut r =
                put(p, "roles", body, "Okta PUTs the whole user back, roles replaced (inferred from its updates)");
            r.path = path;
            vec![fetch, r]
        }
        (_, UpdateStyle::PutTemplate) => {
            let mut body = user_body(p, &UserProfile { roles: after, ..before.clone() }, true);
            if let Some(o) = body.as_object_mut() {
                o.insert("id".into(), json!(id));
            }
            let why = match p.idp {
                super::Idp::Ping => "PingFederate PUTs the whole user, roles included (inferred from its PUT updates)",
                _ => "OneLogin renders its template, roles included, into a PUT (inferred from its template PUTs)",
            };
            let mut r = put(p, "roles", PlannedBody::Json(body), why);
            r.path = path;
            vec![r]
        }
        _ => {
            let mut ops: Vec<Value> = remove
                .iter()
                .map(|r| json!({"op": p.op("remove"), "path": format!("roles[value eq {}]", filter_literal(&role_value(p, r)))}))
                .collect();
            if !add.is_empty() {
                ops.push(json!({"op": p.op("add"), "path": "roles", "value": element_list(add)}));
            }
            vec![patch(ops, "RFC 7644 section 3.5.2: add appends roles, remove with a value filter takes one away")]
        }
    }
}
