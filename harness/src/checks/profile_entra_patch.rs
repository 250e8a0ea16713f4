//! Microsoft Entra ID profile, user updates: the two PATCH dialects Entra sends (the default one with capitalised
//! ops and one op per attribute, and the `aadOptscim062020` one with a path-less replace of dotted and
//! URN-qualified keys), filtered email paths, the manager as a bare string, app roles as JSON-encoded strings, and
//! the answer Entra's validator wants (`reference/IDP-TRAFFIC.md` sections 1 and 5, bodies in
//! `reference/idp-wire/entra/`). The PATCH bodies are the `entra` and `entra-2020` personas' plans for an update
//! intent; only the legacy manager shape and app roles, which no intent models, are built beside them.

use super::crud::{at, show, str_at};
use super::profile_entra::{EntraUser, entra_fixture};
use super::profile_support::{edited, expect_str, patch, send, step, typed};
use super::support::{excerpt, outcome};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::Persona;
use scimlab_mock_idp::intent::{Intent, Member, UserChanges, UserProfile};
use scimlab_mock_idp::persona::Planned;
use scimlab_mock_idp::persona::catalog::{ENTRA, ENTRA_2020};
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/entra";

const ENTRA_PROFILE: &[Profile] = &[Profile::Entra];
const PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const PATCH_ENTERPRISE: &[Capability] = &[Capability::Users, Capability::Patch, Capability::EnterpriseUser];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/entra/patch-capitalised-ops",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's default update, one capitalised Replace per attribute (filtered email path, \
                      sub-attributes, enterprise URN path), is applied in full",
        sends: "PATCH /Users/{id} with Replace displayName, emails[type eq \"work\"].value, name.givenName, \
                name.familyName, externalId and urn:...:enterprise:2.0:User:employeeNumber",
        consequence: "Entra provisioning will fail here because it sends PATCH ops capitalised (\"Replace\") by \
                      default; the user is marked failed and retried on the next cycle (about 40 minutes), then \
                      quarantined",
        catches: &["ops-case-sensitive", "patch-noop"],
        run: run!(capitalised_ops),
    },
    Check {
        id: "profile/entra/patch-add-new-attribute",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's Add of a newly set single-valued attribute (Add nickName) sets it",
        sends: "PATCH /Users/{id} {\"op\":\"Add\",\"path\":\"nickName\",\"value\":\"Babs\"}",
        consequence: "attributes set for the first time in Entra never reach the app; Entra retries the update \
                      every cycle",
        catches: &["ops-case-sensitive", "patch-noop"],
        run: run!(add_new_attribute),
    },
    Check {
        id: "profile/entra/patch-dotted-keys",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "with aadOptscim062020, the path-less replace whose value uses dotted keys (name.givenName) \
                      and URN-qualified keys is applied in full",
        sends: "PATCH /Users/{id} replace emails[type eq \"work\"].value, then a path-less replace of \
                {displayName, name.givenName, name.familyName, urn:...:User:employeeNumber}",
        consequence: "tenants using the aadOptscim062020 flag (Microsoft's recommended behaviour) fail every \
                      profile update; users are retried each cycle and the job is quarantined",
        catches: &["dotted-keys-refused", "patch-noop"],
        run: run!(dotted_keys),
    },
    Check {
        id: "profile/entra/patch-filter-creates-email",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Replace emails[type eq \"work\"].value on a user without a work email creates that email",
        sends: "POST /Users without emails, PATCH Replace emails[type eq \"work\"].value",
        consequence: "when a user gets a mailbox after being provisioned, Entra's update is refused (noTarget) on \
                      every cycle and the app never learns the address",
        catches: &["filtered-replace-no-create", "patch-noop"],
        run: run!(filter_creates_email),
    },
    Check {
        id: "profile/entra/work-email-replaced-in-place",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Replace emails[type eq \"work\"].value changes the work email in place: one work email, the \
                      home email untouched (type stays unique)",
        sends: "POST /Users with a work and a home email, PATCH Replace emails[type eq \"work\"].value",
        consequence: "Entra reads emails by type; two work emails, or a lost one, make it see a difference on every \
                      cycle and send the update again, or report the attribute as unmatched",
        catches: &["patch-noop"],
        run: run!(work_email_in_place),
    },
    Check {
        id: "profile/entra/manager-bare-string",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch, Tag::Schema],
        requires: PATCH_ENTERPRISE,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's manager update, Add on urn:...:enterprise:2.0:User:manager with the manager's id as a \
                      bare string, is accepted and the manager reads back as a complex {value}",
        sends: "PATCH /Users/{id} {\"op\":\"Add\",\"path\":\"urn:...:enterprise:2.0:User:manager\",\
                \"value\":\"<manager id>\"}, GET /Users/{id}",
        consequence: "Entra sets the manager in a separate step after every create; a refusal marks the user \
                      failed on every cycle, and a manager read back as a plain string makes Entra report \
                      SystemForCrossDomainIdentityManagementServiceIncompatible",
        catches: &["manager-string-refused", "patch-noop"],
        run: run!(manager_bare_string),
    },
    Check {
        id: "profile/entra/manager-legacy-array",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch, Tag::Schema],
        requires: PATCH_ENTERPRISE,
        profiles: ENTRA_PROFILE,
        requirement: "the tutorial's manager update, Add manager with [{$ref, value}], sets the enterprise manager",
        sends: "PATCH /Users/{id} {\"op\":\"Add\",\"path\":\"manager\",\"value\":[{\"$ref\":...,\"value\":...}]}",
        consequence: "older Entra jobs and apps built from Microsoft's tutorial send this shape; their manager \
                      updates fail and are retried every cycle",
        catches: &["manager-string-refused"],
        run: run!(manager_legacy_array),
    },
    Check {
        id: "profile/entra/roles-json-string",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "an app role added as a JSON-encoded string value is stored and returned unchanged",
        sends: "PATCH /Users/{id} {\"op\":\"Add\",\"path\":\"roles\",\"value\":[{\"value\":\"{\\\"id\\\":...}\"}]}",
        consequence: "app-role assignments made in Entra never reach the app; Entra retries them every cycle",
        catches: &["patch-noop", "roles-json-rewritten", "roles-dropped"],
        run: run!(roles_json_string),
    },
    Check {
        id: "profile/entra/roles-assertive-replace",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's assertive role mapping (a lowercase replace of the whole roles array, each role with \
                      primary, type, display and value) leaves the user with exactly those roles",
        sends: "PATCH /Users/{id} add roles [Former], then {\"op\":\"replace\",\"path\":\"roles\",\"value\":[{primary,type,\
                display,value} x2]}, GET",
        consequence: "with AssertiveAppRoleAssignmentsComplex, a role removed in Entra stays in the app, or the \
                      roles Entra asserts never arrive",
        catches: &["patch-noop", "roles-dropped"],
        run: run!(roles_assertive_replace),
    },
    Check {
        id: "profile/entra/user-patch-returns-user",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "a user PATCH answers 200 with the updated User (the RFC also allows 204)",
        sends: "PATCH /Users/{id} {\"op\":\"Replace\",\"path\":\"displayName\",\"value\":...}",
        consequence: "Microsoft's SCIM Validator, required for a gallery listing, expects 200 with the User and \
                      fails the update tests on a 204",
        catches: &["patch-204"],
        run: run!(patch_returns_user),
    },
];

/// The persona's update of `user` with `changes` (its `update` step), as Entra sends it; `before` is what
/// Entra held, which decides `Add` (first value) or `Replace`.
fn update(persona: &Persona, user: &EntraUser, before: UserProfile, changes: UserChanges) -> Result<Planned, Outcome> {
    let intent = Intent::Update { id: user.created.id.clone(), before, changes };
    step(persona.plan(&intent), "update")
}

/// `changes` less the attributes the server's User schema does not define (RFC 7643 section 7 lets it publish a
/// subset): an admin maps in Entra only attributes the app has, so Entra changes only those. The work email
/// needs `emails.type` (Entra writes `emails[type eq "work"].value`), enterprise attributes the extension. With
/// the full schema nothing is left out, and the request is the one captured.
fn mapped(ctx: &Ctx, mut changes: UserChanges) -> UserChanges {
    let has = |path: &str| ctx.defines(Kind::User, path);
    let enterprise = ctx.run.enterprise;
    let c = &mut changes;
    for (defined, value) in [
        (has("displayName"), &mut c.display_name),
        (has("nickName"), &mut c.nick_name),
        (has("title"), &mut c.title),
        (has("emails.type") && has("emails.value"), &mut c.email),
        (has("name.givenName"), &mut c.given_name),
        (has("name.familyName"), &mut c.family_name),
        (has("externalId"), &mut c.external_id),
        (enterprise, &mut c.employee_number),
        (enterprise, &mut c.department),
    ] {
        if !defined {
            *value = None;
        }
    }
    changes
}

/// `Ok` when `got` shows every change of `changes` (the manager aside); the failure names the first missing.
fn applied(got: &Value, changes: &UserChanges, what: &str) -> Result<(), Outcome> {
    let strings: [(&Option<String>, &[&str]); 4] = [
        (&changes.display_name, &["displayName"]),
        (&changes.given_name, &["name", "givenName"]),
        (&changes.family_name, &["name", "familyName"]),
        (&changes.external_id, &["externalId"]),
    ];
    for (change, path) in strings {
        if let Some(want) = change {
            expect_str(got, path, want, what)?;
        }
    }
    if let Some(mail) = &changes.email {
        work_email_is(got, mail)?;
    }
    if let Some(number) = &changes.employee_number {
        expect_str(got, &[ENTERPRISE_USER_URN, "employeeNumber"], number, what)?;
    }
    Ok(())
}

/// Section 1, Update: the default dialect, as captured in update_multiple_attrs_patch_default_noflag.json, for
/// the attributes the server defines ([`mapped`]; externalId always is).
async fn capitalised_ops(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-update", json!({})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let changes = mapped(
                ctx,
                UserChanges {
                    display_name: Some("Pvlo".into()),
                    email: Some(mail),
                    given_name: Some("Gtfd".into()),
                    family_name: Some("Pkqf".into()),
                    external_id: Some(uuid::Uuid::new_v4().to_string()),
                    employee_number: Some("Eqpj".into()),
                    ..UserChanges::default()
                },
            );
            // Every attribute had a value, so each op is a Replace with its path.
            patch(ctx, &ENTRA, &a.created, update(&ENTRA, &a, a.profile.clone(), changes.clone())?).await?;
            applied(&ctx.read_back(&a.created).await?, &changes, "after Entra's update")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// `Ok` when `got` has exactly one work email and its value is `mail`.
fn work_email_is(got: &Value, mail: &str) -> Result<(), Outcome> {
    let work = typed(got, "emails", "work");
    match work.as_slice() {
        [one] if str_at(one, &["value"]) == Some(mail) => Ok(()),
        _ => {
            Err(Outcome::fail(format!("one work email, {mail:?}"), format!("emails is {}", show(at(got, &["emails"])))))
        }
    }
}

/// Section 1, Update: `Add` when a single-valued attribute is newly set (add_single_value_attr_patch_default).
/// nickName is the one attribute Entra's fixture leaves unset; a server without it skips.
async fn add_new_attribute(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["nickName"])?;
            let a = entra_fixture(ctx, "entra-add", json!({})).await?;
            let changes = UserChanges { nick_name: Some("Babs".into()), ..UserChanges::default() };
            patch(ctx, &ENTRA, &a.created, update(&ENTRA, &a, a.profile.clone(), changes)?).await?;
            let got = ctx.read_back(&a.created).await?;
            expect_str(&got, &["nickName"], "Babs", "after Add nickName")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Update with the flag (update_multiple_attrs_patch_aadOptscim062020.json): the `entra-2020` persona,
/// for the attributes the server defines ([`mapped`]). The dotted keys are the point, so a server with neither
/// name.givenName nor name.familyName skips.
async fn dotted_keys(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.first_defined(Kind::User, &["name.givenName", "name.familyName"])?;
            let a = entra_fixture(ctx, "entra-dotted", json!({})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let changes = mapped(
                ctx,
                UserChanges {
                    display_name: Some("Bjfe".into()),
                    email: Some(mail),
                    given_name: Some("Kkom".into()),
                    family_name: Some("Unua".into()),
                    employee_number: Some("Aklq".into()),
                    ..UserChanges::default()
                },
            );
            let plan = update(&ENTRA_2020, &a, a.profile.clone(), changes.clone())?;
            patch(ctx, &ENTRA_2020, &a.created, plan).await?;
            let got = ctx.read_back(&a.created).await?;
            applied(&got, &changes, "after the path-less replace with dotted keys")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 5 item 5: filter paths that create the element when it is missing. Entra holds a work email the app
/// does not have (the app dropped it, or it was set before the app's mapping), so it sends a Replace. The path
/// selects by `emails.type`, so a server without it skips.
async fn filter_creates_email(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type"])?;
            let a = entra_fixture(ctx, "entra-nomail", json!({"emails": null})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let changes = UserChanges { email: Some(mail.clone()), ..UserChanges::default() };
            patch(ctx, &ENTRA, &a.created, update(&ENTRA, &a, a.profile.clone(), changes)?).await?;
            let got = ctx.read_back(&a.created).await?;
            work_email_is(&got, &mail)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Responses: `type` unique within multi-valued attributes (update_user_multivalued_patch.json). A
/// server without `emails.type` skips.
async fn work_email_in_place(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type"])?;
            let home = format!("{}@home.example", ctx.unique("entra-home"));
            let extra = json!({"emails": [
                {"primary": true, "type": "work", "value": format!("{}@Contoso.example", ctx.unique("entra-work"))},
                {"type": "home", "value": home}
            ]});
            let a = entra_fixture(ctx, "entra-inplace", extra).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let changes = UserChanges {
                email: Some(mail.clone()),
                family_name: Some("updatedFamilyName".into()),
                ..UserChanges::default()
            };
            patch(ctx, &ENTRA, &a.created, update(&ENTRA, &a, a.profile.clone(), changes)?).await?;
            let got = ctx.read_back(&a.created).await?;
            work_email_is(&got, &mail)?;
            let homes = typed(&got, "emails", "home");
            Ok(Outcome::check(
                homes.len() == 1 && str_at(homes[0], &["value"]) == Some(home.as_str()),
                format!("the home email {home:?} is untouched"),
                format!("emails is {}", show(at(&got, &["emails"]))),
            ))
        }
        .await,
    )
}

/// `Ok` when the enterprise manager of `got` is a complex value whose `value` is `id`.
fn manager_is(got: &Value, id: &str) -> Result<(), Outcome> {
    let manager = at(got, &[ENTERPRISE_USER_URN, "manager"]);
    match manager {
        Some(Value::Object(_)) if manager.and_then(|m| str_at(m, &["value"])) == Some(id) => Ok(()),
        _ => Err(Outcome::fail(
            format!("the enterprise manager reads back as {{\"value\": {id:?}}}"),
            format!("manager is {}", show(manager)),
        )),
    }
}

/// Entra's manager step for `user` getting the manager `boss` for the first time: the `set-manager` PATCH of
/// the persona's plan (sent when the `id eq ... and manager eq ...` check before it finds nothing, as it does
/// for a new user).
fn set_manager(user: &EntraUser, boss: &EntraUser) -> Result<Planned, Outcome> {
    let manager = Member { id: boss.created.id.clone(), display: boss.profile.user_name.clone() };
    let changes = UserChanges { manager: Some(manager), ..UserChanges::default() };
    let intent = Intent::Update { id: user.created.id.clone(), before: user.profile.clone(), changes };
    step(ENTRA.plan(&intent), "set-manager")
}

/// Section 1, Hire: the manager is set afterwards, as a bare string (SCIM-SDK#541), and read back complex.
async fn manager_bare_string(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let boss = entra_fixture(ctx, "entra-boss", json!({})).await?;
            let a = entra_fixture(ctx, "entra-report", json!({})).await?;
            patch(ctx, &ENTRA, &a.created, set_manager(&a, &boss)?).await?;
            manager_is(&ctx.read_back(&a.created).await?, &boss.created.id)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Hire: the tutorial's legacy manager shape (manager_add_patch_tutorial_legacy.json), built from the
/// persona's manager step with the op's path and value changed to the tutorial's.
async fn manager_legacy_array(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let boss = entra_fixture(ctx, "entra-boss", json!({})).await?;
            let a = entra_fixture(ctx, "entra-report", json!({})).await?;
            let reference = ctx.run.client.url_for(&boss.created.path);
            let value = json!([{"$ref": reference, "value": boss.created.id}]);
            let legacy = edited(set_manager(&a, &boss)?, |body| {
                if let Some(op) = body.pointer_mut("/Operations/0") {
                    op["path"] = json!("manager");
                    op["value"] = value;
                }
            });
            patch(ctx, &ENTRA, &a.created, legacy).await?;
            manager_is(&ctx.read_back(&a.created).await?, &boss.created.id)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Update: app roles as JSON-encoded strings (roles_approle_patch_default.json). No lifecycle intent
/// carries roles, so the op is built with the persona's casing and sent with its headers. A server without
/// `roles` skips.
async fn roles_json_string(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["roles", "roles.value"])?;
            let a = entra_fixture(ctx, "entra-roles", json!({})).await?;
            let role = super::rfc7643_4_1_2_roles::ENTRA_ROLE_STRING;
            let op = json!({"op": ENTRA.op("add"), "path": "roles", "value": [{"value": role}]});
            patch(ctx, &ENTRA, &a.created, ENTRA.patch("roles", a.created.path.as_str(), vec![op])).await?;
            let got = ctx.read_back(&a.created).await?;
            let roles = at(&got, &["roles"]).and_then(Value::as_array);
            Ok(Outcome::check(
                roles.is_some_and(|r| r.iter().any(|e| str_at(e, &["value"]) == Some(role))),
                format!("roles holds an element whose value is the string {role}"),
                format!("roles is {}", show(at(&got, &["roles"]))),
            ))
        }
        .await,
    )
}

/// Section 1, Update: the assertive role mapping (roles_assertive_patch.json): every role change replaces the whole
/// array, as RFC 7644 section 3.5.2.3 has replace of a multi-valued attribute do. The user starts with a role
/// the assertion drops, so a server that appends instead of replacing is seen.
async fn roles_assertive_replace(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["roles", "roles.value", "roles.type", "roles.display"])?;
            // Entra creates the user with roles [] and asserts its roles afterwards; the role it will take away is
            // added first, without a type, so that only the assertion carries Entra's role type.
            let a = entra_fixture(ctx, "entra-roles-assert", json!({})).await?;
            let former = json!([{"op": "add", "path": "roles", "value": [{"value": "Former", "display": "Former"}]}]);
            let r = ctx.patch(&a.created, former).await?;
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: PATCH {} adding a role answered {}",
                    a.created.path,
                    crate::ctx::describe(&r)
                )));
            }
            let asserted: Value = serde_json::from_str(
                r#"[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},
                    {"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]"#,
            )
            .map_err(|e| Outcome::Error(format!("harness: the assertive roles body: {e}")))?;
            let op = json!({"op": "replace", "path": "roles", "value": asserted});
            patch(ctx, &ENTRA, &a.created, ENTRA.patch("roles", a.created.path.as_str(), vec![op])).await?;
            let got = ctx.read_back(&a.created).await?;
            let mut held = super::rfc7644_3_5_2_patch::values(&got, "roles");
            held.sort();
            Ok(Outcome::check(
                held == ["Test", "User"],
                "roles holds exactly User and Test (Former is gone)",
                format!("roles is {}", show(at(&got, &["roles"]))),
            ))
        }
        .await,
    )
}

/// Section 1, Responses: the SCIM Validator expects 200 with the User (scimgateway#89). The update changes
/// displayName, or name.familyName on a server without displayName: the answer is the point, not the attribute.
async fn patch_returns_user(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, &["displayName", "name.familyName"])?;
            let a = entra_fixture(ctx, "entra-answer", json!({})).await?;
            let changes = match attr {
                "displayName" => UserChanges { display_name: Some("Validated".into()), ..UserChanges::default() },
                _ => UserChanges { family_name: Some("Validated".into()), ..UserChanges::default() },
            };
            let path = a.created.path.clone();
            let r = send(ctx, &ENTRA, update(&ENTRA, &a, a.profile.clone(), changes)?, &path).await?;
            let what = format!("PATCH {path}");
            super::support::status(&r, 200, &what)?;
            let body = r.body_json();
            if str_at(body, &["id"]) != Some(a.created.id.as_str()) {
                return Ok(Outcome::fail(
                    format!("{what} answers with the User (id {})", a.created.id),
                    format!("the body is: {}", excerpt(&r.text())),
                ));
            }
            let path: Vec<&str> = attr.split('.').collect();
            Ok(Outcome::check(
                str_at(body, &path) == Some("Validated"),
                format!("the User returned carries the new {attr}"),
                format!("{}: {attr} is {}", describe(&r), show(at(body, &path))),
            ))
        }
        .await,
    )
}
