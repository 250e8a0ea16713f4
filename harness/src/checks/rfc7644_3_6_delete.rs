//! RFC 7644 section 3.6: deleting resources. DELETE answers 204; afterwards every operation on the resource is
//! 404, queries no longer return it, and its unique values are free again; an unknown id is 404.

use super::crud::{put, query_ids};
use super::support::{outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::ScimRequest;
use serde_json::json;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.6";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.6/delete-204",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Delete],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a successful DELETE answers 204 No Content",
        sends: "POST /Users, DELETE /Users/{id}",
        consequence: "",
        catches: &["delete-200", "delete-405"],
        run: run!(delete_204),
    },
    Check {
        id: "rfc7644/3.6/deleted-get-404",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Delete, Tag::Read],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "after a DELETE, GET of the resource answers 404",
        sends: "POST /Users, DELETE /Users/{id}, GET /Users/{id}",
        consequence: "",
        catches: &["delete-noop"],
        run: run!(deleted_get_404),
    },
    Check {
        id: "rfc7644/3.6/deleted-any-operation-404",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Delete, Tag::Replace],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "after a DELETE, every operation on the resource answers 404: a PUT and a second DELETE too",
        sends: "POST /Users, DELETE /Users/{id}, PUT /Users/{id}, DELETE /Users/{id}",
        consequence: "",
        catches: &["delete-noop"],
        run: run!(deleted_any_operation_404),
    },
    Check {
        id: "rfc7644/3.6/delete-unknown-404",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Delete, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "DELETE of an id that does not exist answers 404 with a SCIM Error",
        sends: "DELETE /Users/scimlab-missing-{uuid}",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(delete_unknown_404),
    },
    Check {
        id: "rfc7644/3.6/deleted-omitted-from-queries",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Delete, Tag::Filter],
        requires: &[Capability::Users, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "a deleted resource is omitted from query results",
        sends: "POST /Users, GET /Users?filter=userName eq \"...\", DELETE /Users/{id}, the same GET again",
        consequence: "",
        catches: &["delete-noop"],
        run: run!(deleted_omitted_from_queries),
    },
    Check {
        id: "rfc7644/3.6/deleted-frees-unique-values",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Delete, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a deleted resource no longer takes part in uniqueness: its userName can be created again",
        sends: "POST /Users, DELETE /Users/{id}, POST /Users with the same userName",
        consequence: "",
        catches: &["delete-noop"],
        run: run!(deleted_frees_unique_values),
    },
];

/// Creates a User and deletes it, which must succeed; the failure otherwise.
async fn create_and_delete(ctx: &Ctx, label: &str) -> Result<(crate::ctx::Created, String), Outcome> {
    let (body, name) = ctx.user_body(label);
    let created = ctx.create(Kind::User, &body).await?;
    let r = ctx.delete(&created).await?;
    super::crud::success(&r, &format!("DELETE {}", created.path))?;
    Ok((created, name))
}

/// RFC 7644 section 3.6: a successful DELETE SHALL answer 204.
async fn delete_204(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("delete-204", json!({})).await?;
            let r = ctx.delete(&created).await?;
            status(&r, 204, &format!("DELETE {}", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.6: every operation on a deleted resource MUST answer 404.
async fn deleted_get_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, _) = create_and_delete(ctx, "deleted-get").await?;
            let r = ctx.get(&created.path).await?;
            status(&r, 404, &format!("GET {} after the DELETE", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.6: every operation on a deleted resource MUST answer 404, writes included.
async fn deleted_any_operation_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, name) = create_and_delete(ctx, "deleted-any").await?;
            let (mut body, _) = ctx.user_body("deleted-any-put");
            crate::ctx::merge(&mut body, json!({"userName": name}));
            let r = put(ctx, &created, &body).await?;
            status(&r, 404, &format!("PUT {} after the DELETE", created.path))?;
            let r = ctx.send(ScimRequest::delete(&created.path)).await?;
            status(&r, 404, &format!("a second DELETE {}", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12: DELETE of a resource that does not exist is 404 with a SCIM Error.
async fn delete_unknown_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(Kind::User);
            let r = ctx.send(ScimRequest::delete(&path)).await?;
            scim_error(&r, 404, None, &format!("DELETE {path}"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.6: service providers MUST omit a deleted resource from future query results. The query
/// is checked to find the User before the DELETE, so an ignored filter cannot pass it.
async fn deleted_omitted_from_queries(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("deleted-query");
            let created = ctx.create(Kind::User, &body).await?;
            let filter = format!("userName eq \"{name}\"");
            let (_, before) = query_ids(ctx, Kind::User, &filter).await?;
            if !before.contains(&created.id) {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: {filter} did not find the User before the DELETE"
                )));
            }
            let r = ctx.delete(&created).await?;
            super::crud::success(&r, &format!("DELETE {}", created.path))?;
            let (total, after) = query_ids(ctx, Kind::User, &filter).await?;
            Ok(Outcome::check(
                total == 0 && !after.contains(&created.id),
                format!("{filter} finds nothing after the DELETE"),
                format!("totalResults {total}, ids {after:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.6: a deleted resource SHOULD NOT be considered in conflict calculation, so its userName
/// can be used again.
async fn deleted_frees_unique_values(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, name) = create_and_delete(ctx, "deleted-frees").await?;
            let (mut body, _) = ctx.user_body("deleted-frees-again");
            crate::ctx::merge(&mut body, json!({"userName": name}));
            let r = super::crud::post(ctx, Kind::User, &body).await?;
            Ok(Outcome::check(
                (200..300).contains(&r.status),
                format!("a new POST with the userName of the deleted {} succeeds", created.id),
                format!("it answered {}", describe(&r)),
            ))
        }
        .await,
    )
}
