//! Microsoft Entra ID profile, user updates: the two PATCH dialects Entra sends (the default one with capitalised
//! ops and one op per attribute, and the `aadOptscim062020` one with a path-less replace of dotted and
//! URN-qualified keys), filtered email paths, the manager as a bare string, app roles as JSON-encoded strings, and
//! the answer Entra's validator wants (`reference/IDP-TRAFFIC.md` sections 1 and 5, bodies in
//! `reference/idp-wire/entra/`).

use super::crud::{at, show, str_at};
use super::profile_entra::entra_fixture;
use super::profile_support::{Idp, entra_write, expect_str, patch_op, typed};
use super::support::{excerpt, outcome};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, describe};
use crate::run;
use reqwest::Method;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/entra";

const ENTRA: &[Profile] = &[Profile::Entra];
const PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const PATCH_ENTERPRISE: &[Capability] = &[Capability::Users, Capability::Patch, Capability::EnterpriseUser];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/entra/patch-capitalised-ops",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
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
        profiles: ENTRA,
        requirement: "an app role added as a JSON-encoded string value is stored and returned unchanged",
        sends: "PATCH /Users/{id} {\"op\":\"Add\",\"path\":\"roles\",\"value\":[{\"value\":\"{\\\"id\\\":...}\"}]}",
        consequence: "app-role assignments made in Entra never reach the app; Entra retries them every cycle",
        catches: &["patch-noop"],
        run: run!(roles_json_string),
    },
    Check {
        id: "profile/entra/user-patch-returns-user",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA,
        requirement: "a user PATCH answers 200 with the updated User (the RFC also allows 204)",
        sends: "PATCH /Users/{id} {\"op\":\"Replace\",\"path\":\"displayName\",\"value\":...}",
        consequence: "Microsoft's SCIM Validator, required for a gallery listing, expects 200 with the User and \
                      fails the update tests on a 204",
        catches: &["patch-204"],
        run: run!(patch_returns_user),
    },
];

/// Section 1, Update: the default dialect, as captured in update_multiple_attrs_patch_default_noflag.json.
async fn capitalised_ops(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-update", json!({})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let external = uuid::Uuid::new_v4().to_string();
            let mut ops = vec![
                json!({"op": "Replace", "path": "displayName", "value": "Pvlo"}),
                json!({"op": "Replace", "path": "emails[type eq \"work\"].value", "value": mail}),
                json!({"op": "Replace", "path": "name.givenName", "value": "Gtfd"}),
                json!({"op": "Replace", "path": "name.familyName", "value": "Pkqf"}),
                json!({"op": "Replace", "path": "externalId", "value": external}),
            ];
            if ctx.run.enterprise {
                let path = format!("{ENTERPRISE_USER_URN}:employeeNumber");
                ops.push(json!({"op": "Replace", "path": path, "value": "Eqpj"}));
            }
            Idp::Entra.patch(ctx, &a, Value::Array(ops)).await?;
            let got = ctx.read_back(&a).await?;
            let what = "after Entra's update";
            expect_str(&got, &["displayName"], "Pvlo", what)?;
            expect_str(&got, &["name", "givenName"], "Gtfd", what)?;
            expect_str(&got, &["name", "familyName"], "Pkqf", what)?;
            expect_str(&got, &["externalId"], &external, what)?;
            work_email_is(&got, &mail)?;
            if ctx.run.enterprise {
                expect_str(&got, &[ENTERPRISE_USER_URN, "employeeNumber"], "Eqpj", what)?;
            }
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
async fn add_new_attribute(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-add", json!({})).await?;
            Idp::Entra.patch(ctx, &a, json!([{"op": "Add", "path": "nickName", "value": "Babs"}])).await?;
            let got = ctx.read_back(&a).await?;
            expect_str(&got, &["nickName"], "Babs", "after Add nickName")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Update with the flag (update_multiple_attrs_patch_aadOptscim062020.json).
async fn dotted_keys(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-dotted", json!({})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let mut value = json!({"displayName": "Bjfe", "name.givenName": "Kkom", "name.familyName": "Unua"});
            if ctx.run.enterprise {
                value[format!("{ENTERPRISE_USER_URN}:employeeNumber")] = json!("Aklq");
            }
            let ops = json!([
                {"op": "replace", "path": "emails[type eq \"work\"].value", "value": mail},
                {"op": "replace", "value": value}
            ]);
            Idp::Entra.patch(ctx, &a, ops).await?;
            let got = ctx.read_back(&a).await?;
            let what = "after the path-less replace with dotted keys";
            expect_str(&got, &["displayName"], "Bjfe", what)?;
            expect_str(&got, &["name", "givenName"], "Kkom", what)?;
            expect_str(&got, &["name", "familyName"], "Unua", what)?;
            work_email_is(&got, &mail)?;
            if ctx.run.enterprise {
                expect_str(&got, &[ENTERPRISE_USER_URN, "employeeNumber"], "Aklq", what)?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 5 item 5: filter paths that create the element when it is missing.
async fn filter_creates_email(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-nomail", json!({"emails": null})).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let op = json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": mail}]);
            Idp::Entra.patch(ctx, &a, op).await?;
            let got = ctx.read_back(&a).await?;
            work_email_is(&got, &mail)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Responses: `type` unique within multi-valued attributes (update_user_multivalued_patch.json).
async fn work_email_in_place(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let home = format!("{}@home.example", ctx.unique("entra-home"));
            let extra = json!({"emails": [
                {"primary": true, "type": "work", "value": format!("{}@Contoso.example", ctx.unique("entra-work"))},
                {"type": "home", "value": home}
            ]});
            let (a, _) = entra_fixture(ctx, "entra-inplace", extra).await?;
            let mail = format!("{}@test.example", ctx.unique("entra-mail"));
            let ops = json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": mail},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
            ]);
            Idp::Entra.patch(ctx, &a, ops).await?;
            let got = ctx.read_back(&a).await?;
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

/// Section 1, Hire: the manager is set afterwards, as a bare string (SCIM-SDK#541), and read back complex.
async fn manager_bare_string(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (boss, _) = entra_fixture(ctx, "entra-boss", json!({})).await?;
            let (a, _) = entra_fixture(ctx, "entra-report", json!({})).await?;
            let path = format!("{ENTERPRISE_USER_URN}:manager");
            Idp::Entra.patch(ctx, &a, json!([{"op": "Add", "path": path, "value": boss.id}])).await?;
            manager_is(&ctx.read_back(&a).await?, &boss.id)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Hire: the tutorial's legacy manager shape (manager_add_patch_tutorial_legacy.json).
async fn manager_legacy_array(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (boss, _) = entra_fixture(ctx, "entra-boss", json!({})).await?;
            let (a, _) = entra_fixture(ctx, "entra-report", json!({})).await?;
            let reference = ctx.run.client.url_for(&boss.path);
            let value = json!([{"$ref": reference, "value": boss.id}]);
            Idp::Entra.patch(ctx, &a, json!([{"op": "Add", "path": "manager", "value": value}])).await?;
            manager_is(&ctx.read_back(&a).await?, &boss.id)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Update: app roles as JSON-encoded strings (roles_approle_patch_default.json).
async fn roles_json_string(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-roles", json!({})).await?;
            let role = r#"{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}"#;
            Idp::Entra.patch(ctx, &a, json!([{"op": "Add", "path": "roles", "value": [{"value": role}]}])).await?;
            let got = ctx.read_back(&a).await?;
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

/// Section 1, Responses: the SCIM Validator expects 200 with the User (scimgateway#89).
async fn patch_returns_user(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _) = entra_fixture(ctx, "entra-answer", json!({})).await?;
            let ops = patch_op(json!([{"op": "Replace", "path": "displayName", "value": "Validated"}]));
            let r = ctx.send(entra_write(Method::PATCH, &a.path, &ops)).await?;
            let what = format!("PATCH {}", a.path);
            super::support::status(&r, 200, &what)?;
            let body = r.body_json();
            if str_at(body, &["id"]) != Some(a.id.as_str()) {
                return Ok(Outcome::fail(
                    format!("{what} answers with the User (id {})", a.id),
                    format!("the body is: {}", excerpt(&r.text())),
                ));
            }
            Ok(Outcome::check(
                str_at(body, &["displayName"]) == Some("Validated"),
                "the User returned carries the new displayName",
                format!("{}: displayName is {}", describe(&r), show(at(body, &["displayName"]))),
            ))
        }
        .await,
    )
}
