//! Okta profile, Group Push: the displayName lookup, the create with `members: []`, membership updates (a
//! filtered remove and an add without `type` in one PATCH), "Push now" (replace of the whole member list, or of
//! none), and the path-less rename `{id, displayName}` Okta sends on every push (`reference/IDP-TRAFFIC.md`
//! section 2, Groups; bodies in `reference/idp-wire/okta/group_*.json`). Okta accepts 200 or 204 to a group PATCH.
//! Every request is a step of the `okta` persona's plan for a group intent.

use super::crud::{member_ids, str_at};
use super::profile_support::{create_fixture, exactly, judge_group_create, list_planned, named, patch, step};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind};
use crate::run;
use scimlab_mock_idp::intent::{GroupProfile, Intent, Member};
use scimlab_mock_idp::persona::Planned;
use scimlab_mock_idp::persona::catalog::OKTA;
use serde_json::json;

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/okta";

const OKTA_PROFILE: &[Profile] = &[Profile::Okta];
const MEMBERSHIP: &[Capability] = &[Capability::Groups, Capability::Users, Capability::Patch];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/okta/group-push-create",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Groups, Tag::Create],
        requires: &[Capability::Groups],
        profiles: OKTA_PROFILE,
        requirement: "Group Push's create, {displayName, members: []}, is answered 201 with the group and its id",
        sends: "POST /Groups {\"schemas\":[...Group],\"displayName\":...,\"members\":[]} with Okta's headers",
        consequence: "pushed groups are never created in the app; Group Push shows an error for the group and its \
                      memberships are never pushed",
        catches: &["create-empty-body", "create-200"],
        run: run!(group_create),
    },
    Check {
        id: "profile/okta/group-lookup",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Groups, Tag::Filter],
        requires: &[Capability::Groups, Capability::Filter],
        profiles: OKTA_PROFILE,
        requirement: "Group Push's lookup, displayName eq, returns exactly the matching group",
        sends: "GET /Groups?filter=displayName%20eq%20%22<name>%22",
        consequence: "Group Push links a pushed group to what the lookup returns: a wrong answer makes Okta take \
                      over (rename, re-member) another group, a miss makes it create a duplicate",
        catches: &["filter-ignored", "integers-as-strings"],
        run: run!(group_lookup),
    },
    Check {
        id: "profile/okta/group-membership-update",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Groups, Tag::Patch, Tag::Membership],
        requires: MEMBERSHIP,
        profiles: OKTA_PROFILE,
        requirement: "Okta's membership PATCH, remove members[value eq \"u1\"] and add members [{value, display}] \
                      in one request, leaves exactly the added member",
        sends: "PATCH /Groups/{id} [{\"op\":\"remove\",\"path\":\"members[value eq \\\"u1\\\"]\"},\
                {\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":u2,\"display\":...}]}]",
        consequence: "membership changes in Okta never reach the app: removed users keep the group's access and \
                      Group Push reports the group as failed",
        catches: &["members-filter-remove-unsupported", "patch-noop"],
        run: run!(membership_update),
    },
    Check {
        id: "profile/okta/group-push-replace-members",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Groups, Tag::Patch, Tag::Membership],
        requires: MEMBERSHIP,
        profiles: OKTA_PROFILE,
        requirement: "\"Push now\", replace members with the full list, sets exactly that list, and replace \
                      members [] empties the group",
        sends: "PATCH /Groups/{id} {\"op\":\"replace\",\"path\":\"members\",\"value\":[u2, u3]}, then the same \
                with []",
        consequence: "\"Push now\" leaves stale members in the app, and emptying a group in Okta never empties it \
                      in the app",
        catches: &["patch-noop"],
        run: run!(replace_members),
    },
    Check {
        id: "profile/okta/group-rename-pathless",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Groups, Tag::Patch],
        requires: &[Capability::Groups, Capability::Patch],
        profiles: OKTA_PROFILE,
        requirement: "Okta's rename, a path-less replace of {id, displayName} (the group's own id included), \
                      renames the group",
        sends: "PATCH /Groups/{id} {\"op\":\"replace\",\"value\":{\"id\":<id>,\"displayName\":<new name>}}",
        consequence: "Okta sends this on every push, membership changes included: a refusal fails every Group \
                      Push of the group",
        catches: &["patch-noop"],
        run: run!(rename_pathless),
    },
];

/// What Group Push holds about a group: a run-unique displayName.
fn okta_group(ctx: &Ctx, label: &str) -> GroupProfile {
    GroupProfile { display_name: ctx.unique(label), ..GroupProfile::default() }
}

/// The step `label` of the persona's plan for a create of `group`.
fn create_step(group: &GroupProfile, label: &str) -> Result<Planned, Outcome> {
    step(OKTA.plan(&Intent::CreateGroup { group: group.clone() }), label)
}

/// A group created as Group Push creates it.
async fn okta_group_fixture(ctx: &Ctx, label: &str) -> Result<(Created, GroupProfile), Outcome> {
    let group = okta_group(ctx, label);
    Ok((create_fixture(ctx, &OKTA, Kind::Group, create_step(&group, "create")?).await?, group))
}

/// A member as Okta sends it: the id the server gave the user and its userName as `display`.
fn member(user: &Created) -> Member {
    Member { id: user.id.clone(), display: str_at(&user.body, &["userName"]).unwrap_or_default().to_owned() }
}

/// A group holding one user (created with it), as the membership fixture, with Okta's view of it.
async fn group_with(ctx: &Ctx, label: &str, user: &Created) -> Result<(Created, GroupProfile), Outcome> {
    let g = ctx.create_group(label, json!({"members": [{"value": user.id}]})).await?;
    if member_ids(&ctx.read_back(&g).await?) != [user.id.clone()] {
        return Err(Outcome::Skip("prerequisite failed: a group created with one member does not hold it".into()));
    }
    let group = GroupProfile {
        display_name: str_at(&g.body, &["displayName"]).unwrap_or_default().to_owned(),
        external_id: String::new(),
        members: vec![member(user)],
    };
    Ok((g, group))
}

/// `Ok` when the group's members are exactly `want` (in any order).
async fn members_are(ctx: &Ctx, g: &Created, want: &[&Created], when: &str) -> Result<(), Outcome> {
    let mut got = member_ids(&ctx.read_back(g).await?);
    got.sort();
    let mut expected: Vec<String> = want.iter().map(|c| c.id.clone()).collect();
    expected.sort();
    if got == expected {
        Ok(())
    } else {
        Err(Outcome::fail(format!("members are exactly {expected:?} {when}"), format!("members are {got:?}")))
    }
}

/// Section 2, Groups: the create.
async fn group_create(ctx: &Ctx) -> Outcome {
    let group = okta_group(ctx, "okta-group");
    outcome(async { judge_group_create(ctx, &OKTA, create_step(&group, "create")?, &group.display_name).await }.await)
}

/// Section 2, Groups: the lookup.
async fn group_lookup(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, group) = okta_group_fixture(ctx, "okta-glookup").await?;
            okta_group_fixture(ctx, "okta-glookup").await?;
            let list = list_planned(ctx, &OKTA, Kind::Group, create_step(&group, "lookup")?).await?;
            exactly(&list, &[&a], "the displayName lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 2, Groups: membership PATCH (group_membership_patch.json), the persona's `members` step (Okta's
/// rename that follows it is judged by its own check).
async fn membership_update(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let u1 = ctx.create_user("okta-member", json!({})).await?;
            let u2 = ctx.create_user("okta-member", json!({})).await?;
            let (g, group) = group_with(ctx, "okta-members", &u1).await?;
            let intent =
                Intent::ChangeMembers { id: g.id.clone(), group, add: vec![member(&u2)], remove: vec![member(&u1)] };
            patch(ctx, &OKTA, &g, step(OKTA.plan(&intent), "members")?).await?;
            members_are(ctx, &g, &[&u2], "after the membership PATCH").await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 2, Groups: "Push now" (group_membership_replace_all_patch.json), then an empty group.
async fn replace_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let u1 = ctx.create_user("okta-push", json!({})).await?;
            let u2 = ctx.create_user("okta-push", json!({})).await?;
            let u3 = ctx.create_user("okta-push", json!({})).await?;
            let (g, group) = group_with(ctx, "okta-push", &u1).await?;
            let push = |members: Vec<Member>| {
                let intent = Intent::PushMembers { id: g.id.clone(), group: group.clone(), members };
                step(OKTA.plan(&intent), "push")
            };
            patch(ctx, &OKTA, &g, push(vec![member(&u2), member(&u3)])?).await?;
            members_are(ctx, &g, &[&u2, &u3], "after replace members [u2, u3]").await?;
            patch(ctx, &OKTA, &g, push(Vec::new())?).await?;
            members_are(ctx, &g, &[], "after replace members []").await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 2, Groups: the path-less rename (group_rename_patch.json).
async fn rename_pathless(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (g, group) = okta_group_fixture(ctx, "okta-rename").await?;
            let new_name = ctx.unique("okta-renamed");
            let intent = Intent::RenameGroup { id: g.id.clone(), group, display_name: new_name.clone() };
            patch(ctx, &OKTA, &g, step(OKTA.plan(&intent), "rename")?).await?;
            named(ctx, &g, &new_name).await
        }
        .await,
    )
}
