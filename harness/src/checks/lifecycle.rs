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
    Check {
        id: "lifecycle/delete/leaves-every-group",
        level: Level::May,
        tags: &[Tag::Users, Tag::Groups, Tag::Membership, Tag::Delete, Tag::Patch, Tag::Replace],
        requires: &[Capability::Users, Capability::Groups, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "a deleted user leaves every group it was in, however it joined: named at the group's \
                      creation, added by PATCH, or named in a PUT (the RFC does not require it, hence MAY)",
        sends: "POST /Users; POST /Groups with it as member; POST /Groups, PATCH add it; POST /Groups, PUT with it \
                as member; DELETE /Users/{id}; GET each group",
        consequence: "",
        catches: &["delete-keeps-patched-members", "delete-noop"],
        run: run!(delete_leaves_every_group),
    },
    Check {
        id: "lifecycle/filter/sees-latest-value",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Filter, Tag::Patch],
        requires: &[Capability::Users, Capability::Filter, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "a filter on an attribute changed a moment ago matches the new value and not the old: after a \
                      PATCH renames a user, userName eq finds it by the new name at once and not by the old",
        sends: "POST /Users, PATCH replace userName (and displayName), GET /Users?filter=userName eq (new, then \
                old), GET /Users?filter=displayName eq (new)",
        consequence: "",
        catches: &["filter-sees-old-value"],
        run: run!(filter_sees_latest_value),
    },
    Check {
        id: "lifecycle/paging/stable-under-change",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Pagination, Tag::Sort, Tag::Filter, Tag::Patch],
        requires: &[Capability::Users, Capability::Filter, Capability::Sort, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "with sortBy, a user changed between page requests in an attribute that is not the sort key \
                      keeps its place: the pages together hold every user once, in order",
        sends: "POST /Users x4, GET /Users?filter=userName sw&sortBy=userName&startIndex=1&count=2, PATCH the first \
                user's displayName, GET the following pages",
        consequence: "",
        catches: &["sort-within-page"],
        run: run!(paging_stable_under_change),
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

/// Whether the group at `created` lists `id` among its members, read back now.
async fn lists(ctx: &Ctx, group: &Created, id: &str) -> Result<bool, Outcome> {
    Ok(super::crud::member_ids(&ctx.read_back(group).await?).iter().any(|m| m == id))
}

/// RFC 7644 section 3.6 with RFC 7643 section 4.2: once a user is deleted, no group goes on naming it, whichever
/// way it joined the group (a server that keeps PATCHed memberships in a table of their own may forget that one).
async fn delete_leaves_every_group(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("leaves-groups", json!({})).await?;
            let member = json!([{"value": user.id}]);
            let (created, patched, put_in) = tokio::try_join!(
                ctx.create_group("leaves-created", json!({"members": member})),
                ctx.create_group("leaves-patched", json!({})),
                ctx.create_group("leaves-put", json!({})),
            )?;
            let r = ctx.patch(&patched, json!([{"op": "add", "path": "members", "value": member}])).await?;
            success(&r, &format!("PATCH {} adding a member", patched.path))?;
            let body = replacement(ctx, &put_in, json!({"members": member})).await?;
            success(&put(ctx, &put_in, &body).await?, &format!("PUT {} with a member", put_in.path))?;
            let ways = [("at its creation", &created), ("by PATCH", &patched), ("by PUT", &put_in)];
            for (how, group) in ways {
                if !lists(ctx, group, &user.id).await? {
                    return Ok(Outcome::Skip(format!(
                        "prerequisite failed: {} does not list the user added {how}",
                        group.path
                    )));
                }
            }
            success(&ctx.delete(&user).await?, &format!("DELETE {}", user.path))?;
            let mut still = Vec::new();
            for (how, group) in ways {
                if lists(ctx, group, &user.id).await? {
                    still.push(format!("{} (joined {how})", group.path));
                }
            }
            Ok(Outcome::check(
                still.is_empty(),
                "no group lists the deleted user, whether it joined at the group's creation, by PATCH or by PUT",
                format!("still listed by {}", still.join(", ")),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2: a filter is evaluated over the resources as they are. IdPs look a user up by
/// userName right after changing it (Entra renames a user when its UPN changes); a search index that lags the
/// store makes them create a duplicate.
async fn filter_sees_latest_value(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, old) = ctx.user_body("renamed");
            let user = ctx.create(Kind::User, &body).await?;
            let new = format!("{old}-new");
            let mut ops = vec![json!({"op": "replace", "path": "userName", "value": new})];
            let shown = ctx.defines(Kind::User, "displayName").then(|| ctx.unique("renamed-display"));
            if let Some(d) = &shown {
                ops.push(json!({"op": "replace", "path": "displayName", "value": d}));
            }
            success(&ctx.patch(&user, Value::Array(ops)).await?, &format!("PATCH {} renaming it", user.path))?;
            let mut wrong = Vec::new();
            let (_, by_new) = super::crud::query_ids(ctx, Kind::User, &format!("userName eq \"{new}\"")).await?;
            if by_new != [user.id.clone()] {
                wrong.push(format!("userName eq {new:?} finds [{}]", by_new.join(", ")));
            }
            let (_, by_old) = super::crud::query_ids(ctx, Kind::User, &format!("userName eq \"{old}\"")).await?;
            if !by_old.is_empty() {
                wrong.push(format!("userName eq {old:?} (the old name) finds [{}]", by_old.join(", ")));
            }
            if let Some(d) = shown {
                let (_, by_display) =
                    super::crud::query_ids(ctx, Kind::User, &format!("displayName eq \"{d}\"")).await?;
                if by_display != [user.id.clone()] {
                    wrong.push(format!("displayName eq {d:?} finds [{}]", by_display.join(", ")));
                }
            }
            Ok(Outcome::check(
                wrong.is_empty(),
                format!(
                    "right after the PATCH, the filters see the new values: {} and nothing by the old name",
                    user.id
                ),
                wrong.join("; "),
            ))
        }
        .await,
    )
}

/// One page of `userName sw "<marker>"` sorted by userName: the ids and the server's `totalResults`.
async fn sorted_page(ctx: &Ctx, marker: &str, start: usize) -> Result<(Vec<String>, u64), Outcome> {
    let path = ctx.run.path(Kind::User).to_owned();
    let req = ScimRequest::get(&path)
        .query("filter", format!("userName sw \"{marker}\""))
        .query("sortBy", "userName")
        .query("startIndex", start.to_string())
        .query("count", "2");
    let r = ctx.send(req).await?;
    super::support::status(&r, 200, &format!("GET {path} (page at {start})"))?;
    let body = r.body_json();
    let ids = body
        .get("Resources")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok((ids, body.get("totalResults").and_then(Value::as_u64).unwrap_or(0)))
}

/// RFC 7644 sections 3.4.2.3 and 3.4.2.4: with sortBy, startIndex counts in the sorted result; a change that
/// does not touch the sort key moves nothing, so pages requested around it still hold every user once, in order.
/// (Pages may hold fewer than `count`; the check follows the server's own page sizes.)
async fn paging_stable_under_change(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, &["displayName", "title", "nickName"])?;
            let marker = ctx.unique("paging-change");
            // Created one after the other, in sort order, so that creation order and sort order agree at first.
            let mut users = Vec::new();
            for i in 1..=4 {
                let (mut body, _) = ctx.user_body("paging-change");
                merge(&mut body, json!({"userName": format!("{marker}-{i}")}));
                users.push(ctx.create(Kind::User, &body).await?);
            }
            let want: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
            let (mut seen, total) = sorted_page(ctx, &marker, 1).await?;
            if total != 4 || seen.is_empty() {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: the first page says totalResults {total} and holds {} users, for the 4 \
                     users made",
                    seen.len()
                )));
            }
            let r = ctx.patch(&users[0], json!([{"op": "replace", "path": attr, "value": ctx.unique("moved")}]));
            success(&r.await?, &format!("PATCH {} between page requests", users[0].path))?;
            while seen.len() < want.len() {
                let (page, _) = sorted_page(ctx, &marker, seen.len() + 1).await?;
                if page.is_empty() {
                    break;
                }
                seen.extend(page);
            }
            Ok(Outcome::check(
                seen == want,
                format!("the pages hold the four users once each, sorted: {}", want.join(", ")),
                format!("they hold {}", seen.join(", ")),
            ))
        }
        .await,
    )
}
