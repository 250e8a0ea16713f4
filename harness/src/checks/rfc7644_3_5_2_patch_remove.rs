//! RFC 7644 section 3.5.2.2: the PATCH `remove` operation: singular and multi-valued attributes, value
//! filters, sub-attributes, Group members by filter and all at once, and the noTarget refusal of a remove
//! without a path. Each change is read back with GET.

use super::rfc7644_3_5_2_patch::{
    bad_request_typed, elements, member, op, patched, refused_unchanged, shown, sub_text, user_with_two_emails, values,
    with,
};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx};
use crate::run;
use scimlab_protocol::json::is_present;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.2.2";

const USERS_PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const GROUPS_PATCH: &[Capability] = &[Capability::Users, Capability::Groups, Capability::Patch];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.5.2.2/single-valued",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove of a single-valued attribute leaves it unassigned",
        sends: "POST /Users (with nickName), PATCH remove nickName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(single_valued),
    },
    Check {
        id: "rfc7644/3.5.2.2/multi-valued-all",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove of a multi-valued attribute without a filter removes every value",
        sends: "POST /Users (two emails), PATCH remove emails, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(multi_valued_all),
    },
    Check {
        id: "rfc7644/3.5.2.2/value-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Filter],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove with a value filter (emails[type eq \"home\"]) removes the matching elements only",
        sends: "POST /Users (work and home emails), PATCH remove emails[type eq \"home\"], GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(value_filter),
    },
    Check {
        id: "rfc7644/3.5.2.2/sub-attribute",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove of a sub-attribute (name.middleName) unassigns it and leaves its siblings",
        sends: "POST /Users (name with middleName), PATCH remove name.middleName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(sub_attribute),
    },
    Check {
        id: "rfc7644/3.5.2.2/no-path-no-target",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove without a path fails with 400 and scimType noTarget, changing nothing",
        sends: "PATCH /Users/{id} {op: remove} (no path)",
        consequence: "",
        catches: &["no-scim-type", "error-plain-text"],
        run: run!(no_path_no_target),
    },
    Check {
        id: "rfc7644/3.5.2.2/group-member-by-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Groups, Tag::Membership, Tag::Filter],
        requires: GROUPS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove with members[value eq \"id\"] takes that member out and keeps the others",
        sends: "POST /Users x2, POST /Groups (both), PATCH remove members[value eq \"{first}\"], GET /Groups/{id}",
        consequence: "",
        catches: &["members-filter-remove-unsupported", "patch-noop"],
        run: run!(group_member_by_filter),
    },
    Check {
        id: "rfc7644/3.5.2.2/group-all-members",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Groups, Tag::Membership],
        requires: GROUPS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "remove of members without a filter empties the Group",
        sends: "POST /Users x2, POST /Groups (both), PATCH remove members, GET /Groups/{id}",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(group_all_members),
    },
];

/// The verdict that the member `name` of `back` is unassigned: absent, null, or holding nothing (RFC 7643
/// section 2.5).
fn unassigned(back: &Value, name: &str) -> Outcome {
    Outcome::check(
        member(back, name).is_none_or(|v| !is_present(v)),
        format!("{name} is unassigned"),
        format!("{name} is {}", shown(member(back, name))),
    )
}

/// RFC 7644 section 3.5.2.2: a single-valued target is removed and considered unassigned.
async fn single_valued(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("remove-single", json!({"nickName": "to-remove"})).await?;
            let back = patched(ctx, &created, json!([op("remove", Some("nickName"), None)])).await?;
            Ok(unassigned(&back, "nickName"))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: a multi-valued target without a filter loses all its values.
async fn multi_valued_all(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, _, _) = user_with_two_emails(ctx, "remove-all-emails").await?;
            let back = patched(ctx, &created, json!([op("remove", Some("emails"), None)])).await?;
            Ok(unassigned(&back, "emails"))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: with a filter on a complex multi-valued attribute, the matching records are
/// removed and the others stay.
async fn value_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, work, home) = user_with_two_emails(ctx, "remove-filter").await?;
            let back = patched(ctx, &created, json!([op("remove", Some("emails[type eq \"home\"]"), None)])).await?;
            let emails = elements(&back, "emails");
            Ok(Outcome::check(
                with(&emails, "value", &work).len() == 1 && with(&emails, "value", &home).is_empty(),
                format!("emails hold {work} and no longer {home}"),
                format!("emails are {}", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: a sub-attribute target is removed; the complex value keeps its other
/// sub-attributes.
async fn sub_attribute(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let name = json!({"givenName": "Ada", "middleName": "Augusta", "familyName": "Lovelace"});
            let created = ctx.create_user("remove-sub", json!({"name": name})).await?;
            let back = patched(ctx, &created, json!([op("remove", Some("name.middleName"), None)])).await?;
            let got = (
                sub_text(&back, "name", "givenName"),
                member(&back, "name").and_then(|n| member(n, "middleName")),
                sub_text(&back, "name", "familyName"),
            );
            Ok(Outcome::check(
                got == (Some("Ada"), None, Some("Lovelace")),
                "name is {givenName: Ada, familyName: Lovelace}",
                format!("name is {}", shown(member(&back, "name"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: a remove without a path fails with 400 and scimType noTarget.
async fn no_path_no_target(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("remove-no-path", json!({"nickName": "stays"})).await?;
            let what = format!("PATCH {} remove without a path", created.path);
            let ops = json!([op("remove", None, None)]);
            refused_unchanged(ctx, &created, ops, &what, |r, w| bad_request_typed(r, "noTarget", w)).await
        }
        .await,
    )
}

/// A Group holding two fresh Users; returns it with the two ids.
async fn group_of_two(ctx: &Ctx, label: &str) -> Result<(Created, String, String), Outcome> {
    let a = ctx.create_user(&format!("{label}-a"), json!({})).await?;
    let b = ctx.create_user(&format!("{label}-b"), json!({})).await?;
    let group = ctx.create_group(label, json!({"members": [{"value": a.id}, {"value": b.id}]})).await?;
    Ok((group, a.id, b.id))
}

/// RFC 7644 section 3.5.2.2 (and figure 8's `members[value eq "..."]`): the filtered member is removed.
async fn group_member_by_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (group, a, b) = group_of_two(ctx, "remove-member").await?;
            let path = format!("members[value eq \"{a}\"]");
            let back = patched(ctx, &group, json!([op("remove", Some(&path), None)])).await?;
            let now = values(&back, "members");
            Ok(Outcome::check(now == [b.as_str()], format!("members are [{b}]"), format!("members are {now:?}")))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: remove of `members` without a filter removes every member.
async fn group_all_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (group, _, _) = group_of_two(ctx, "remove-members").await?;
            let back = patched(ctx, &group, json!([op("remove", Some("members"), None)])).await?;
            Ok(unassigned(&back, "members"))
        }
        .await,
    )
}
