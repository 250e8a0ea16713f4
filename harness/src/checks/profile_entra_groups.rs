//! Microsoft Entra ID profile, groups: the lookup with `excludedAttributes=members`, the create without members
//! and with Microsoft's extra schema URN, membership changes in both dialects (a `members` value list by
//! default, a `members[value eq "..."]` filter with `aadOptscim062020`), and renames (`reference/IDP-TRAFFIC.md`
//! section 1, Groups; bodies in `reference/idp-wire/entra/group_*.json`). Entra expects 204 (or 200) to a group
//! PATCH and reads the group back without members. Every request is a step of the `entra` (or `entra-2020`)
//! persona's plan for a group intent.

use super::crud::{at, member_ids, show, str_at};
use super::profile_support::{
    create_fixture, edited, exactly, judge_group_create, list_planned, named, patch, send, step,
};
use super::support::{outcome, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::Persona;
use scimlab_mock_idp::intent::{GroupProfile, Intent, Member};
use scimlab_mock_idp::persona::Planned;
use scimlab_mock_idp::persona::catalog::{ENTRA, ENTRA_2020};
use serde_json::json;

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/entra";

const ENTRA_PROFILE: &[Profile] = &[Profile::Entra];
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
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
        profiles: ENTRA_PROFILE,
        requirement: "Entra's rename, Replace displayName, renames the group and answers 204 or 200",
        sends: "PATCH /Groups/{id} {\"op\":\"Replace\",\"path\":\"displayName\",\"value\":...}",
        consequence: "renamed groups keep their old name in the app, and Entra's next lookup by the new name \
                      misses and creates a duplicate group",
        catches: &["ops-case-sensitive", "patch-noop"],
        run: run!(group_rename),
    },
];

/// What Entra holds about a group it provisions: a run-unique displayName and an objectId as externalId.
fn entra_group(ctx: &Ctx, label: &str) -> GroupProfile {
    GroupProfile { display_name: ctx.unique(label), external_id: uuid::Uuid::new_v4().to_string(), members: Vec::new() }
}

/// Entra's group create (group_create_post.json): the `create` step of the persona's plan.
fn create_of(group: &GroupProfile) -> Result<Planned, Outcome> {
    step(ENTRA.plan(&Intent::CreateGroup { group: group.clone() }), "create")
}

/// A group fixture created as Entra creates groups (less `meta`).
async fn entra_group_fixture(ctx: &Ctx, label: &str) -> Result<(Created, GroupProfile), Outcome> {
    let group = entra_group(ctx, label);
    // Fixtures leave out the readOnly `meta`, so that only the create check judges how a server takes it.
    let create = edited(create_of(&group)?, |body| {
        if let Some(o) = body.as_object_mut() {
            o.remove("meta");
        }
    });
    Ok((create_fixture(ctx, &ENTRA, Kind::Group, create).await?, group))
}

/// Entra's group lookup (group_lookup_get.json): the `lookup` step of the persona's plan for `group`.
fn lookup_of(group: &GroupProfile) -> Result<Planned, Outcome> {
    step(ENTRA.plan(&Intent::CreateGroup { group: group.clone() }), "lookup")
}

/// A member as Entra knows it: the id the server gave the user.
fn member(user: &Created) -> Member {
    Member { id: user.id.clone(), display: str_at(&user.body, &["userName"]).unwrap_or_default().to_owned() }
}

/// The membership PATCH `persona` sends to `g` for adding `add` and removing `remove` (its `members` step).
fn members_patch(
    persona: &Persona,
    g: &Created,
    group: GroupProfile,
    add: Vec<Member>,
    remove: Vec<Member>,
) -> Result<Planned, Outcome> {
    step(persona.plan(&Intent::ChangeMembers { id: g.id.clone(), group, add, remove }), "members")
}

/// Two users and a group holding them: the membership fixture, with Entra's view of the group.
async fn group_of_two(ctx: &Ctx, label: &str) -> Result<(Created, GroupProfile, Created, Created), Outcome> {
    let u1 = ctx.create_user(label, json!({})).await?;
    let u2 = ctx.create_user(label, json!({})).await?;
    let g = ctx.create_group(label, json!({"members": [{"value": u1.id}, {"value": u2.id}]})).await?;
    let got = member_ids(&ctx.read_back(&g).await?);
    if !(got.contains(&u1.id) && got.contains(&u2.id)) {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: a group created with two members reads back with members {got:?}"
        )));
    }
    let group = GroupProfile {
        display_name: str_at(&g.body, &["displayName"]).unwrap_or_default().to_owned(),
        external_id: String::new(),
        members: vec![member(&u1), member(&u2)],
    };
    Ok((g, group, u1, u2))
}

/// Section 1, Groups: the create.
async fn group_create(ctx: &Ctx) -> Outcome {
    let group = entra_group(ctx, "entra-group");
    outcome(
        async {
            let create = create_of(&group)?;
            judge_group_create(ctx, &ENTRA, create, &group.display_name).await
        }
        .await,
    )
}

/// Section 1, Groups: the lookup (group_lookup_get.json).
async fn group_lookup(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, group) = entra_group_fixture(ctx, "entra-glookup").await?;
            entra_group_fixture(ctx, "entra-glookup").await?;
            let list = list_planned(ctx, &ENTRA, Kind::Group, lookup_of(&group)?).await?;
            exactly(&list, &[&a], "the displayName lookup")?;
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
            let group = GroupProfile { display_name: name, ..GroupProfile::default() };
            let lookup = lookup_of(&group)?;
            let groups = ctx.run.path(Kind::Group).to_owned();
            let what = format!("GET {groups}?{}", lookup.raw_query.clone().unwrap_or_default());
            let list = list_planned(ctx, &ENTRA, Kind::Group, lookup).await?;
            exactly(&list, &[&g], "the displayName lookup")?;
            if let Some(m) = list.resources.first().and_then(|r| at(r, &["members"])) {
                return Ok(Outcome::fail(
                    format!("{what} leaves members out"),
                    format!("members is {}", show(Some(m))),
                ));
            }
            let what = format!("GET {}?excludedAttributes=members", g.path);
            let read = ENTRA.get("read", g.path.as_str(), Some("excludedAttributes=members".into()));
            let r = send(ctx, &ENTRA, read, &g.path).await?;
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
            let (g, group) = entra_group_fixture(ctx, "entra-add").await?;
            let u1 = ctx.create_user("entra-member", json!({})).await?;
            let u2 = ctx.create_user("entra-member", json!({})).await?;
            let add = members_patch(&ENTRA, &g, group, vec![member(&u1), member(&u2)], Vec::new())?;
            patch(ctx, &ENTRA, &g, add).await?;
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
            let (g, group, u1, u2) = group_of_two(ctx, "entra-rmlist").await?;
            patch(ctx, &ENTRA, &g, members_patch(&ENTRA, &g, group, Vec::new(), vec![member(&u1)])?).await?;
            only_member(ctx, &g, &u2, &u1).await
        }
        .await,
    )
}

/// Section 1, Groups: the removal with the flag (group_remove_member_patch_aadOptscim062020.json).
async fn group_remove_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, group, u1, u2) = group_of_two(ctx, "entra-rmfilter").await?;
            let remove = members_patch(&ENTRA_2020, &g, group, Vec::new(), vec![member(&u1)])?;
            patch(ctx, &ENTRA_2020, &g, remove).await?;
            only_member(ctx, &g, &u2, &u1).await
        }
        .await,
    )
}

/// Section 1, Groups: rename (group_rename_patch.json).
async fn group_rename(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, group) = entra_group_fixture(ctx, "entra-rename").await?;
            let new_name = ctx.unique("entra-renamed");
            let intent = Intent::RenameGroup { id: g.id.clone(), group, display_name: new_name.clone() };
            patch(ctx, &ENTRA, &g, step(ENTRA.plan(&intent), "rename")?).await?;
            named(ctx, &g, &new_name).await
        }
        .await,
    )
}
