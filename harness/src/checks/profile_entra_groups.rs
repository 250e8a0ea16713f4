//! Microsoft Entra ID profile, groups: the lookup with `excludedAttributes=members`, the create without members
//! and with Microsoft's extra schema URN, membership changes in both dialects (a `members` value list by
//! default, a `members[value eq "..."]` filter with `aadOptscim062020`), and renames (`reference/IDP-TRAFFIC.md`
//! section 1, Groups; bodies in `reference/idp-wire/entra/group_*.json`). Entra expects 204 (or 200) to a group
//! PATCH and reads the group back without members.

use super::crud::{at, member_ids, show, str_at};
use super::profile_support::{ADSCIM_GROUP_URN, Idp, entra_eq, entra_get, exactly, group, judge_group_create, named};
use super::support::{outcome, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use scimlab_protocol::schema::GROUP_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/entra";

const ENTRA: &[Profile] = &[Profile::Entra];
const GROUPS: &[Capability] = &[Capability::Groups];
const LOOKUP: &[Capability] = &[Capability::Groups, Capability::Filter];
const MEMBERSHIP: &[Capability] = &[Capability::Groups, Capability::Users, Capability::Patch];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/entra/group-create",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Create],
        requires: GROUPS,
        profiles: ENTRA,
        requirement: "Entra's group create (no members, Microsoft's ADSCIM schema URN beside the core one, \
                      meta.resourceType) is answered 201 with the group and its id",
        sends: "POST /Groups {schemas: [core Group, ADSCIM Group], externalId, displayName, meta}",
        consequence: "assigned groups are never created in the app: Entra marks each failed and retries it every \
                      cycle, and their members' memberships are never pushed",
        catches: &["create-empty-body", "create-200", "readonly-refused"],
        run: run!(group_create),
    },
    Check {
        id: "profile/entra/group-lookup",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA,
        requirement: "Entra's group lookup, displayName eq with excludedAttributes=members, returns exactly the \
                      matching group",
        sends: "GET /Groups?excludedAttributes=members&filter=displayName+eq+%22<name>%22",
        consequence: "Entra matches groups before creating them: a wrong answer makes it adopt (and rename and \
                      re-member) another group, a miss makes it create a duplicate",
        catches: &["filter-ignored"],
        run: run!(group_lookup),
    },
    Check {
        id: "profile/entra/group-excluded-members",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Groups, Tag::Projection],
        requires: LOOKUP,
        profiles: ENTRA,
        requirement: "excludedAttributes=members leaves members out, on the lookup and on the read by id",
        sends: "GET /Groups?excludedAttributes=members&filter=displayName+eq+..., \
                GET /Groups/{id}?excludedAttributes=members",
        consequence: "Entra never reads members back; returning them anyway makes every group read as large as the \
                      group, which for big groups times out and fails the operation for the cycle",
        catches: &["excluded-ignored", "attributes-ignored"],
        run: run!(group_excluded_members),
    },
    Check {
        id: "profile/entra/group-add-members",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Patch, Tag::Membership],
        requires: MEMBERSHIP,
        profiles: ENTRA,
        requirement: "Add members with several {\"$ref\": null, value} elements (no type, no display) adds them all \
                      and answers 204 or 200",
        sends: "PATCH /Groups/{id} {\"op\":\"Add\",\"path\":\"members\",\"value\":[{\"$ref\":null,\"value\":u1},\
                {\"$ref\":null,\"value\":u2}]}",
        consequence: "group memberships never reach the app; Entra retries the membership update every cycle and \
                      gallery certification fails (several members per PATCH is a gallery requirement)",
        catches: &["patch-noop", "ops-case-sensitive"],
        run: run!(group_add_members),
    },
    Check {
        id: "profile/entra/group-remove-members-value-list",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Patch, Tag::Membership],
        requires: MEMBERSHIP,
        profiles: ENTRA,
        requirement: "Entra's default member removal, Remove members with a value list, removes exactly those members",
        sends: "PATCH /Groups/{id} {\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":u1}]}",
        consequence: "users removed from a group in Entra keep the group's access in the app; Entra retries the \
                      removal every cycle without success",
        catches: &["members-value-remove-unsupported", "patch-noop"],
        run: run!(group_remove_value_list),
    },
    Check {
        id: "profile/entra/group-remove-member-filter",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Patch, Tag::Membership],
        requires: MEMBERSHIP,
        profiles: ENTRA,
        requirement: "with aadOptscim062020, remove on members[value eq \"<id>\"] removes exactly that member",
        sends: "PATCH /Groups/{id} {\"op\":\"remove\",\"path\":\"members[value eq \\\"u1\\\"]\"}",
        consequence: "in tenants with the aadOptscim062020 flag, users removed from a group keep its access in the \
                      app; the removal is retried every cycle",
        catches: &["members-filter-remove-unsupported", "patch-noop"],
        run: run!(group_remove_filter),
    },
    Check {
        id: "profile/entra/group-rename",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Groups, Tag::Patch],
        requires: &[Capability::Groups, Capability::Patch],
        profiles: ENTRA,
        requirement: "Entra's rename, Replace displayName, renames the group and answers 204 or 200",
        sends: "PATCH /Groups/{id} {\"op\":\"Replace\",\"path\":\"displayName\",\"value\":...}",
        consequence: "renamed groups keep their old name in the app, and Entra's next lookup by the new name \
                      misses and creates a duplicate group",
        catches: &["ops-case-sensitive", "patch-noop"],
        run: run!(group_rename),
    },
];

/// Entra's group create body (group_create_post.json) for a run-unique displayName.
fn entra_group(ctx: &Ctx, label: &str) -> (Value, String) {
    group(
        ctx,
        label,
        json!({
            "schemas": [GROUP_URN, ADSCIM_GROUP_URN],
            "externalId": uuid::Uuid::new_v4().to_string(),
            "meta": {"resourceType": "Group"}
        }),
    )
}

/// A group fixture created as Entra creates groups (less `meta`).
async fn entra_group_fixture(ctx: &Ctx, label: &str) -> Result<(Created, String), Outcome> {
    let (mut body, name) = entra_group(ctx, label);
    // Fixtures leave out the readOnly `meta`, so that only the create check judges how a server takes it.
    if let Some(o) = body.as_object_mut() {
        o.remove("meta");
    }
    Ok((Idp::Entra.fixture(ctx, Kind::Group, &body).await?, name))
}

/// Two users and a group holding them: the membership fixture.
async fn group_of_two(ctx: &Ctx, label: &str) -> Result<(Created, Created, Created), Outcome> {
    let u1 = ctx.create_user(label, json!({})).await?;
    let u2 = ctx.create_user(label, json!({})).await?;
    let g = ctx.create_group(label, json!({"members": [{"value": u1.id}, {"value": u2.id}]})).await?;
    let got = member_ids(&ctx.read_back(&g).await?);
    if !(got.contains(&u1.id) && got.contains(&u2.id)) {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: a group created with two members reads back with members {got:?}"
        )));
    }
    Ok((g, u1, u2))
}

/// Section 1, Groups: the create.
async fn group_create(ctx: &Ctx) -> Outcome {
    let (body, name) = entra_group(ctx, "entra-group");
    outcome(judge_group_create(ctx, Idp::Entra, &body, &name).await)
}

/// Section 1, Groups: the lookup (group_lookup_get.json).
async fn group_lookup(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, name) = entra_group_fixture(ctx, "entra-glookup").await?;
            entra_group_fixture(ctx, "entra-glookup").await?;
            let query = format!("excludedAttributes=members&{}", entra_eq("displayName", &name));
            exactly(&Idp::Entra.list(ctx, Kind::Group, query).await?, &[&a], "the displayName lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Groups: reads leave members out (MS answer #923479).
async fn group_excluded_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let u = ctx.create_user("entra-excl", json!({})).await?;
            let g = ctx.create_group("entra-excl", json!({"members": [{"value": u.id}]})).await?;
            if member_ids(&ctx.read_back(&g).await?).is_empty() {
                return Err(Outcome::Skip("prerequisite failed: the group created with a member has none".into()));
            }
            let name = str_at(&g.body, &["displayName"]).unwrap_or_default().to_owned();
            let groups = ctx.run.path(Kind::Group).to_owned();
            let query = format!("excludedAttributes=members&{}", entra_eq("displayName", &name));
            let what = format!("GET {groups}?{query}");
            let list = Idp::Entra.list(ctx, Kind::Group, query).await?;
            exactly(&list, &[&g], "the displayName lookup")?;
            if let Some(m) = list.resources.first().and_then(|r| at(r, &["members"])) {
                return Ok(Outcome::fail(
                    format!("{what} leaves members out"),
                    format!("members is {}", show(Some(m))),
                ));
            }
            let what = format!("GET {}?excludedAttributes=members", g.path);
            let r = ctx.send(entra_get(&g.path, Some("excludedAttributes=members".into()))).await?;
            status(&r, 200, &what)?;
            Ok(Outcome::check(
                at(r.body_json(), &["members"]).is_none() && str_at(r.body_json(), &["id"]) == Some(g.id.as_str()),
                format!("{what} answers the group without members"),
                format!("{}: members is {}", describe(&r), show(at(r.body_json(), &["members"]))),
            ))
        }
        .await,
    )
}

/// Section 1, Groups: add members (group_add_members_patch.json), several at once.
async fn group_add_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, _) = entra_group_fixture(ctx, "entra-add").await?;
            let u1 = ctx.create_user("entra-member", json!({})).await?;
            let u2 = ctx.create_user("entra-member", json!({})).await?;
            let value = json!([{"$ref": null, "value": u1.id}, {"$ref": null, "value": u2.id}]);
            Idp::Entra.patch(ctx, &g, json!([{"op": "Add", "path": "members", "value": value}])).await?;
            let got = member_ids(&ctx.read_back(&g).await?);
            Ok(Outcome::check(
                got.contains(&u1.id) && got.contains(&u2.id) && got.len() == 2,
                format!("members are exactly {} and {}", u1.id, u2.id),
                format!("members are {got:?}"),
            ))
        }
        .await,
    )
}

/// `Ok` when the group's members are exactly `[keep]` (the other one removed).
async fn only_member(ctx: &Ctx, g: &Created, keep: &Created, gone: &Created) -> Result<Outcome, Outcome> {
    let got = member_ids(&ctx.read_back(g).await?);
    Ok(Outcome::check(
        got == [keep.id.clone()],
        format!("members are exactly [{}] ({} removed)", keep.id, gone.id),
        format!("members are {got:?}"),
    ))
}

/// Section 1, Groups: the default removal (group_remove_member_patch_default_noflag.json).
async fn group_remove_value_list(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, u1, u2) = group_of_two(ctx, "entra-rmlist").await?;
            let ops = json!([{"op": "Remove", "path": "members", "value": [{"value": u1.id}]}]);
            Idp::Entra.patch(ctx, &g, ops).await?;
            only_member(ctx, &g, &u2, &u1).await
        }
        .await,
    )
}

/// Section 1, Groups: the removal with the flag (group_remove_member_patch_aadOptscim062020.json).
async fn group_remove_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, u1, u2) = group_of_two(ctx, "entra-rmfilter").await?;
            let ops = json!([{"op": "remove", "path": format!("members[value eq \"{}\"]", u1.id)}]);
            Idp::Entra.patch(ctx, &g, ops).await?;
            only_member(ctx, &g, &u2, &u1).await
        }
        .await,
    )
}

/// Section 1, Groups: rename (group_rename_patch.json).
async fn group_rename(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, _) = entra_group_fixture(ctx, "entra-rename").await?;
            let new_name = ctx.unique("entra-renamed");
            Idp::Entra.patch(ctx, &g, json!([{"op": "Replace", "path": "displayName", "value": new_name}])).await?;
            named(ctx, &g, &new_name).await
        }
        .await,
    )
}
