//! A resource's life as identity providers drive it: a rehire after an offboarding, the version that every kind
//! of write must move on, and the extension that a PATCH of core attributes must leave alone. Each is a short
//! sequence a one-request check cannot see.

use super::crud::{put, replacement, success};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe, merge};
use crate::run;
use scimlab_mock_idp::ScimRequest;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "lifecycle";

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "lifecycle/rehire/same-username",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Delete],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "a user deleted and then created again with the same userName and externalId (a rehire) is \
                      created (2xx), and the userName eq lookup finds the new user",
        sends: "POST /Users, DELETE it, POST /Users with the same body, GET /Users?filter=userName eq",
        consequence: "",
        catches: &["rehire-blocked"],
        run: run!(rehire_same_username),
    },
    Check {
        id: "lifecycle/version/changes-on-every-write",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Groups, Tag::Etag, Tag::Patch, Tag::Replace, Tag::Membership],
        requires: &[Capability::Users, Capability::Groups, Capability::Patch, Capability::Etag],
        profiles: &[Profile::Rfc],
        requirement: "the ETag changes with every write: a user's on PUT and on PATCH, a group's when a member is \
                      added",
        sends: "POST /Users, GET, PUT, GET, PATCH, GET; POST /Groups, GET, PATCH add member, GET",
        consequence: "",
        catches: &["version-frozen"],
        run: run!(version_changes_on_every_write),
    },
    Check {
        id: "lifecycle/patch/core-keeps-extension",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Patch, Tag::Schema],
        requires: &[Capability::Users, Capability::Patch, Capability::EnterpriseUser],
        profiles: &[Profile::Rfc],
        requirement: "a PATCH of a core attribute leaves the enterprise extension as it was",
        sends: "POST /Users with an enterprise department, PATCH a core attribute, GET",
        consequence: "",
        catches: &["patch-drops-extension"],
        run: run!(core_patch_keeps_extension),
    },
];

/// RFC 7644 section 3.6: a deleted resource is gone (the server may keep it, but every operation on it is 404),
/// so it holds no userName any more (RFC 7643 section 4.1.1 makes userName unique among the server's users).
/// Identity providers rehire by creating the user again with the same userName and externalId.
async fn rehire_same_username(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (mut body, name) = ctx.user_body("rehire");
            if ctx.defines(Kind::User, "externalId") {
                merge(&mut body, json!({"externalId": format!("{name}-object")}));
            }
            let first = ctx.create(Kind::User, &body).await?;
            let gone = ctx.delete(&first).await?;
            if !(200..300).contains(&gone.status) {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: DELETE {} answered {}",
                    first.path,
                    describe(&gone)
                )));
            }
            let again = super::crud::post(ctx, Kind::User, &body).await?;
            if !(200..300).contains(&again.status) {
                return Ok(Outcome::fail(
                    format!("creating userName {name:?} again after its user was deleted succeeds (2xx)"),
                    format!("POST {} answered {}", ctx.run.path(Kind::User), describe(&again)),
                ));
            }
            let id = again.body_json().get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let (_, found) = super::crud::query_ids(ctx, Kind::User, &format!("userName eq \"{name}\"")).await?;
            Ok(Outcome::check(
                found == [id.clone()],
                format!("userName eq {name:?} finds the rehired user, {id}"),
                format!("it finds [{}]", found.join(", ")),
            ))
        }
        .await,
    )
}

/// The ETag of a resource as a GET shows it now: the header, else `meta.version`.
async fn version(ctx: &Ctx, created: &Created) -> Result<String, Outcome> {
    let r = ctx.send(ScimRequest::get(&created.path)).await?;
    super::support::status(&r, 200, &format!("GET {}", created.path))?;
    let from_body = || r.body_json().pointer("/meta/version").and_then(Value::as_str).map(str::to_owned);
    r.header("etag").map(str::to_owned).or_else(from_body).ok_or_else(|| {
        Outcome::Skip(format!("prerequisite failed: GET {} shows no ETag and no meta.version", created.path))
    })
}

/// RFC 7644 section 3.14 (the version is the resource's ETag, RFC 7232 section 2.3: it changes when the
/// representation changes): after each write the version differs from before it, whatever the kind of write.
async fn version_changes_on_every_write(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, &["displayName", "title", "nickName"])?;
            let user = ctx.create_user("version", json!({})).await?;
            let mut unchanged = Vec::new();
            let v0 = version(ctx, &user).await?;
            let body = replacement(ctx, &user, json!({attr: ctx.unique("version-put")})).await?;
            success(&put(ctx, &user, &body).await?, &format!("PUT {}", user.path))?;
            let v1 = version(ctx, &user).await?;
            if v1 == v0 {
                unchanged.push(format!("PUT {} left it at {v0}", user.path));
            }
            let r = ctx.patch(&user, json!([{"op": "replace", "path": attr, "value": ctx.unique("version-patch")}]));
            success(&r.await?, &format!("PATCH {}", user.path))?;
            let v2 = version(ctx, &user).await?;
            if v2 == v1 {
                unchanged.push(format!("PATCH {} left it at {v1}", user.path));
            }
            let member = ctx.create_user("version-member", json!({})).await?;
            let group = ctx.create_group("version", json!({})).await?;
            let g0 = version(ctx, &group).await?;
            let add = ctx.patch(&group, json!([{"op": "add", "path": "members", "value": [{"value": member.id}]}]));
            success(&add.await?, &format!("PATCH {} adding a member", group.path))?;
            let g1 = version(ctx, &group).await?;
            if g1 == g0 {
                unchanged.push(format!("adding a member to {} left it at {g0}", group.path));
            }
            Ok(Outcome::check(
                unchanged.is_empty(),
                "every write (PUT, PATCH, a member added) changes the resource's ETag",
                unchanged.join("; "),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: a PATCH changes what its operations name and nothing else; an extension is part of
/// the resource (RFC 7643 section 3.3) and stays as it was when the operations touch only core attributes.
async fn core_patch_keeps_extension(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let urn = ctx.enterprise_urn();
            let department = ctx.unique("department");
            let schemas = json!([scimlab_protocol::schema::USER_URN, urn]);
            let extra = json!({"schemas": schemas, urn: {"department": department}});
            let user = ctx.create_user("keep-extension", extra).await?;
            let stored = ctx.read_back(&user).await?;
            if stored.get(urn).and_then(|e| e.get("department")).and_then(Value::as_str) != Some(department.as_str()) {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: the user created with the enterprise department {department:?} does not \
                     have it"
                )));
            }
            let attr = ctx.first_defined(Kind::User, &["displayName", "title", "nickName"])?;
            let r = ctx.patch(&user, json!([{"op": "replace", "path": attr, "value": ctx.unique("keep-ext")}]));
            success(&r.await?, &format!("PATCH {} replacing {attr}", user.path))?;
            let after = ctx.read_back(&user).await?;
            Ok(Outcome::check(
                after.get(urn) == stored.get(urn),
                format!("after a PATCH of {attr}, {urn} is as it was: {}", stored.get(urn).unwrap_or(&Value::Null)),
                format!("it is {}", after.get(urn).map_or_else(|| "absent".to_owned(), Value::to_string)),
            ))
        }
        .await,
    )
}
