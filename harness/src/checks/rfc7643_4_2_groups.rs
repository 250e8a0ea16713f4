//! RFC 7643 section 4.2 (with 4.1.2 and RFC 7644 sections 3.3 to 3.6 applied to /Groups): Groups are created
//! with a required displayName and members referenced by id, read back as Groups, their membership replaced
//! with PUT, and deleted without touching their members. A User's readOnly `groups` may mirror membership, and a
//! deleted User may drop out of the Groups that listed it.

use super::crud::{at, group_ids, member_ids, post, put, replacement, show, str_at, success};
use super::support::{lists_schema, object, outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind};
use crate::run;
use scimlab_protocol::schema::GROUP_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7643/4.2";

const GROUPS: &[Capability] = &[Capability::Groups];
const BOTH: &[Capability] = &[Capability::Users, Capability::Groups];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7643/4.2/group-create-with-members",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Create, Tag::Membership],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "POST /Groups with a member answers 201 with a Location, and the Group lists the member by \
                      its id",
        sends: "POST /Users, POST /Groups with members [{value: user id}], GET the Group",
        consequence: "",
        catches: &["create-200", "no-location"],
        run: run!(group_create_with_members),
    },
    Check {
        id: "rfc7643/4.2/group-displayname-required",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Create, Tag::Errors, Tag::Schema],
        requires: GROUPS,
        profiles: &[Profile::Rfc],
        requirement: "displayName is required on a Group: a create without it answers 400 with a SCIM Error",
        sends: "POST /Groups with externalId but no displayName",
        consequence: "",
        catches: &["schema-error-500"],
        run: run!(group_displayname_required),
    },
    Check {
        id: "rfc7643/4.2/group-read",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Read],
        requires: GROUPS,
        profiles: &[Profile::Rfc],
        requirement: "GET /Groups/{id} answers 200 with the Group itself: schemas lists the Group schema, \
                      displayName as created, meta.resourceType Group",
        sends: "POST /Groups, GET /Groups/{id}",
        consequence: "",
        catches: &["read-as-list"],
        run: run!(group_read),
    },
    Check {
        id: "rfc7643/4.2/group-put-replaces-members",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Replace, Tag::Membership],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "a PUT with members [B] on a Group listing [A] leaves exactly [B]: B added, A removed",
        sends: "POST /Users twice, POST /Groups with A, PUT /Groups/{id} with B, GET /Groups/{id}",
        consequence: "",
        catches: &["put-noop"],
        run: run!(group_put_replaces_members),
    },
    Check {
        id: "rfc7643/4.2/group-put-empty-members",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Replace, Tag::Membership],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "a PUT with members [] removes every member (an empty array clears, RFC 7643 2.5)",
        sends: "POST /Users, POST /Groups with the User, PUT /Groups/{id} with \"members\": [], GET /Groups/{id}",
        consequence: "",
        catches: &["put-noop"],
        run: run!(group_put_empty_members),
    },
    Check {
        id: "rfc7643/4.2/group-delete",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Delete, Tag::Membership],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "DELETE /Groups/{id} answers 204, the Group is then 404, and its member Users remain",
        sends: "POST /Users, POST /Groups with the User, DELETE /Groups/{id}, GET both",
        consequence: "",
        catches: &["delete-200", "delete-noop"],
        run: run!(group_delete),
    },
    Check {
        id: "rfc7643/4.2/user-groups-lists-membership",
        level: Level::May,
        tags: &[Tag::Users, Tag::Groups, Tag::Membership, Tag::Schema],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "a User's readOnly groups lists the Groups it is a direct member of by their id (RFC 7643 \
                      4.1.2; a server may leave groups out, hence MAY)",
        sends: "POST /Users, POST /Groups with the User, GET /Users/{id}",
        consequence: "",
        catches: &["user-groups-missing"],
        run: run!(user_groups_lists_membership),
    },
    Check {
        id: "rfc7643/4.2/deleted-user-leaves-groups",
        level: Level::May,
        tags: &[Tag::Users, Tag::Groups, Tag::Membership, Tag::Delete],
        requires: BOTH,
        profiles: &[Profile::Rfc],
        requirement: "deleting a User removes it from the members of its Groups (the RFC does not require it, \
                      hence MAY)",
        sends: "POST /Users, POST /Groups with the User, DELETE /Users/{id}, GET /Groups/{id}",
        consequence: "",
        catches: &["delete-noop"],
        run: run!(deleted_user_leaves_groups),
    },
];

fn members_of(ids: &[&str]) -> Value {
    Value::Array(ids.iter().map(|id| json!({"value": id})).collect())
}

/// Creates a User and a Group listing it, both through the harness's fixtures, and makes sure the Group does
/// list the User (so no check built on it can pass without membership).
async fn user_in_group(ctx: &Ctx, label: &str) -> Result<(Created, Created), Outcome> {
    let user = ctx.create_user(label, json!({})).await?;
    let group = ctx.create_group(label, json!({"members": members_of(&[&user.id])})).await?;
    if !member_ids(&ctx.read_back(&group).await?).contains(&user.id) {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: the Group created with member {} does not list it (see group-create-with-members)",
            user.id
        )));
    }
    Ok((user, group))
}

/// RFC 7644 section 3.3 applied to /Groups, with RFC 7643 section 4.2: a member's `value` is the member's id.
async fn group_create_with_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("group-create", json!({})).await?;
            let (mut body, _) = ctx.group_body("group-create");
            crate::ctx::merge(&mut body, json!({"members": members_of(&[&user.id])}));
            let r = post(ctx, Kind::Group, &body).await?;
            let what = format!("POST {}", ctx.run.path(Kind::Group));
            status(&r, 201, &what)?;
            if r.header("location").is_none() {
                return Ok(Outcome::fail("a Location header naming the new Group", "no Location header"));
            }
            let Some(group) = super::crud::created_from(ctx, Kind::Group, &r) else {
                return Ok(Outcome::Skip("prerequisite failed: the create answered without an id".into()));
            };
            let got = ctx.read_back(&group).await?;
            Ok(Outcome::check(
                member_ids(&got).contains(&user.id),
                format!("the Group's members list value {:?}", user.id),
                format!("members is {}", show(at(&got, &["members"]))),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 4.2: displayName is REQUIRED; RFC 7644 section 3.12: 400 for a body that violates the
/// schema.
async fn group_displayname_required(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let name = ctx.unique("group-no-name");
            let body = json!({"schemas": [GROUP_URN], "externalId": name});
            let r = post(ctx, Kind::Group, &body).await?;
            scim_error(&r, 400, None, &format!("POST {} without displayName", ctx.run.path(Kind::Group)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.1 applied to /Groups, with 3.3.1 (meta.resourceType is the endpoint's type).
async fn group_read(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.group_body("group-read");
            let group = ctx.create(Kind::Group, &body).await?;
            let r = ctx.get(&group.path).await?;
            let what = format!("GET {}", group.path);
            status(&r, 200, &what)?;
            let got = Value::Object(object(&r, &what)?.clone());
            if !lists_schema(&got, GROUP_URN) {
                return Ok(Outcome::fail(
                    format!("the body is the Group itself: schemas lists {GROUP_URN}"),
                    format!("schemas is {}", show(got.get("schemas"))),
                ));
            }
            if str_at(&got, &["displayName"]) != Some(name.as_str()) {
                return Ok(Outcome::fail(
                    format!("displayName {name:?}"),
                    format!("displayName is {}", show(at(&got, &["displayName"]))),
                ));
            }
            Ok(Outcome::check(
                str_at(&got, &["meta", "resourceType"]) == Some("Group"),
                "meta.resourceType \"Group\"",
                format!("meta.resourceType is {}", show(at(&got, &["meta", "resourceType"]))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1 (values provided replace the existing ones) applied to `members`.
async fn group_put_replaces_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, group) = user_in_group(ctx, "group-put-a").await?;
            let b = ctx.create_user("group-put-b", json!({})).await?;
            let body = replacement(ctx, &group, json!({"members": members_of(&[&b.id])})).await?;
            let r = put(ctx, &group, &body).await?;
            success(&r, &format!("PUT {}", group.path))?;
            let got = ctx.read_back(&group).await?;
            let ids = member_ids(&got);
            Ok(Outcome::check(
                ids == vec![b.id.clone()],
                format!("members exactly [{}] (not {})", b.id, a.id),
                format!("members is {}", show(at(&got, &["members"]))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1 with RFC 7643 section 2.5: an empty array clears a multi-valued attribute.
async fn group_put_empty_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (_, group) = user_in_group(ctx, "group-put-empty").await?;
            let body = replacement(ctx, &group, json!({"members": []})).await?;
            let r = put(ctx, &group, &body).await?;
            success(&r, &format!("PUT {} with \"members\": []", group.path))?;
            let got = ctx.read_back(&group).await?;
            Ok(Outcome::check(
                member_ids(&got).is_empty(),
                "no members after the PUT",
                format!("members is {}", show(at(&got, &["members"]))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.6 applied to /Groups: 204, then 404; deleting a Group deletes no User.
async fn group_delete(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, group) = user_in_group(ctx, "group-delete").await?;
            let r = ctx.delete(&group).await?;
            status(&r, 204, &format!("DELETE {}", group.path))?;
            let r = ctx.get(&group.path).await?;
            status(&r, 404, &format!("GET {} after the DELETE", group.path))?;
            let r = ctx.get(&user.path).await?;
            status(&r, 200, &format!("GET {} (a member of the deleted Group)", user.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 4.1.2: `groups` lists the Groups the User belongs to, each `value` the Group's id.
async fn user_groups_lists_membership(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, group) = user_in_group(ctx, "user-groups").await?;
            let got = ctx.read_back(&user).await?;
            Ok(Outcome::check(
                group_ids(&got).contains(&group.id),
                format!("the User's groups lists value {:?}", group.id),
                format!("groups is {}", show(at(&got, &["groups"]))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.6: a deleted resource is gone for every operation; a Group still listing it as a member
/// points at nothing, which a server may avoid.
async fn deleted_user_leaves_groups(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, group) = user_in_group(ctx, "deleted-member").await?;
            let r = ctx.delete(&user).await?;
            success(&r, &format!("DELETE {}", user.path))?;
            let got = ctx.read_back(&group).await?;
            Ok(Outcome::check(
                !member_ids(&got).contains(&user.id),
                "the Group no longer lists the deleted User",
                format!("members is {}", show(at(&got, &["members"]))),
            ))
        }
        .await,
    )
}
