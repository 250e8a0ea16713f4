//! Requests sent together, as identity providers send them: Entra ID and Okta provision with many requests in
//! flight and resend a create whose answer timed out. A server that checks, then writes, without holding
//! anything in between passes every one-request-at-a-time check and still breaks here: two accounts for one
//! person, or a group member silently dropped.
//!
//! Each check sends its requests at once (the client's gate bounds how many are really in flight, so against a
//! server that takes one connection per request they overlap less, and the check is weaker there, never wrong).

use super::crud::{member_ids, post};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, merge};
use crate::run;
use futures_util::future::join_all;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "concurrency";

/// Creates of one userName sent at once.
const SAME_NAME_CREATES: usize = 8;

/// Members added to one group at once, each by a PATCH of its own.
const MEMBERS_AT_ONCE: usize = 6;

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "concurrency/create-same-username-one-wins",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "creates of one userName sent at once give one user: exactly one is answered 2xx, every other \
                      409 uniqueness, and the userName eq lookup finds one user",
        sends: "POST /Users x8 at once (one userName, eight externalIds), then GET /Users?filter=userName eq",
        consequence: "",
        catches: &["create-race", "no-uniqueness"],
        run: run!(create_same_username_one_wins),
    },
    Check {
        id: "concurrency/retried-create-leaves-one-user",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "the same create sent twice in flight (an IdP resending after a timeout) leaves one user: the \
                      answers name one id, and the userName eq lookup finds one user",
        sends: "POST /Users x2 at once (the same body), then GET /Users?filter=userName eq",
        consequence: "",
        catches: &["create-race", "no-uniqueness"],
        run: run!(retried_create_leaves_one_user),
    },
    Check {
        id: "concurrency/group-adds-all-kept",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Patch, Tag::Membership],
        requires: &[Capability::Users, Capability::Groups, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "PATCHes adding members to one group sent at once all take effect: every member a 2xx \
                      answer added is in the group afterwards",
        sends: "POST /Users x6, POST /Groups, PATCH the group x6 at once (add one member each), GET the group",
        consequence: "",
        catches: &["patch-lost-update"],
        run: run!(group_adds_all_kept),
    },
];

/// `GET /Users?filter=userName eq "NAME"`, the bare lookup IdPs send: the ids it finds.
async fn lookup(ctx: &Ctx, name: &str) -> Result<Vec<String>, Outcome> {
    let filter = format!("userName eq \"{name}\"");
    let r = ctx.send(ScimRequest::get(ctx.run.path(Kind::User)).query("filter", &filter)).await?;
    let list = super::queries::read_list(&r, &format!("GET {}?filter={filter}", ctx.run.path(Kind::User)))?;
    Ok(list.resources.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_owned).collect())
}

/// The answers' statuses, in the order sent (`201, 409, 409`).
fn statuses(answers: &[ScimResponse]) -> String {
    answers.iter().map(|r| r.status.to_string()).collect::<Vec<_>>().join(", ")
}

/// The ids the 2xx answers name, in the order sent.
fn ids_of(answers: &[ScimResponse]) -> Vec<String> {
    answers
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .filter_map(|r| r.body_json().get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Sends every body of `bodies` to /Users at once.
async fn create_at_once(ctx: &Ctx, bodies: &[Value]) -> Result<Vec<ScimResponse>, Outcome> {
    join_all(bodies.iter().map(|b| post(ctx, Kind::User, b))).await.into_iter().collect()
}

/// RFC 7644 section 3.3 (a create that conflicts with an existing resource, such as a duplicate userName, MUST be
/// answered 409) and RFC 7643 section 4.1.1 (userName is unique): the rule holds when the creates arrive
/// together, not only one after another.
async fn create_same_username_one_wins(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("race-name");
            let bodies: Vec<Value> = (0..SAME_NAME_CREATES)
                .map(|i| {
                    let mut b = body.clone();
                    merge(&mut b, json!({"externalId": format!("{name}-object-{i}")}));
                    ctx.only_defined(Kind::User, &b)
                })
                .collect();
            let answers = create_at_once(ctx, &bodies).await?;
            let won = answers.iter().filter(|r| (200..300).contains(&r.status)).count();
            let refused = answers.iter().filter(|r| r.status == 409).count();
            if won != 1 || refused != SAME_NAME_CREATES - 1 {
                return Ok(Outcome::fail(
                    format!(
                        "of {SAME_NAME_CREATES} creates of userName {name:?} sent at once, one is answered 2xx and \
                         {} are answered 409",
                        SAME_NAME_CREATES - 1
                    ),
                    format!("{won} were answered 2xx and {refused} 409 (statuses in order: {})", statuses(&answers)),
                ));
            }
            let found = lookup(ctx, &name).await?;
            Ok(Outcome::check(
                found.len() == 1,
                format!("userName eq {name:?} finds one user"),
                format!("it finds {} ({})", found.len(), found.join(", ")),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.3 with RFC 7643 section 4.1.1: a create resent while the first is still in flight is a
/// duplicate of it, whichever arrives first; the person has one account.
async fn retried_create_leaves_one_user(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("race-retry");
            let mut body = body;
            merge(&mut body, json!({"externalId": format!("{name}-object")}));
            let body = ctx.only_defined(Kind::User, &body);
            let answers = create_at_once(ctx, &[body.clone(), body]).await?;
            let mut ids = ids_of(&answers);
            ids.dedup();
            if ids.len() != 1 {
                return Ok(Outcome::fail(
                    format!("the same create of userName {name:?} sent twice at once gives one id"),
                    format!("the answers were {} and named {} ids: {}", statuses(&answers), ids.len(), ids.join(", ")),
                ));
            }
            let found = lookup(ctx, &name).await?;
            Ok(Outcome::check(
                found == ids,
                format!("userName eq {name:?} finds the one user, {}", ids[0]),
                format!("it finds {} ({})", found.len(), found.join(", ")),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: each PATCH request is atomic, and one answered 2xx has taken effect. PATCHes of one
/// group sent together (an IdP pushing several memberships at once) must not overwrite each other's members.
async fn group_adds_all_kept(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let labels: Vec<String> = (0..MEMBERS_AT_ONCE).map(|i| format!("race-member-{i}")).collect();
            let users = join_all(labels.iter().map(|l| ctx.create_user(l, json!({})))).await;
            let users = users.into_iter().collect::<Result<Vec<_>, _>>()?;
            let group = ctx.create_group("race-group", json!({})).await?;
            let adds = users.iter().map(|u| {
                ctx.patch(&group, json!([{"op": "add", "path": "members", "value": [{"value": u.id}]}]))
            });
            let answers = join_all(adds).await.into_iter().collect::<Result<Vec<_>, _>>()?;
            let added: Vec<&str> = users
                .iter()
                .zip(&answers)
                .filter(|(_, r)| (200..300).contains(&r.status))
                .map(|(u, _)| u.id.as_str())
                .collect();
            if added.is_empty() {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: no PATCH adding a member to {} was answered 2xx ({})",
                    group.path,
                    statuses(&answers)
                )));
            }
            let members = member_ids(&ctx.read_back(&group).await?);
            let lost: Vec<&str> = added.iter().copied().filter(|id| !members.iter().any(|m| m == id)).collect();
            Ok(Outcome::check(
                lost.is_empty(),
                format!(
                    "the {} members that PATCHes sent at once added (answered 2xx) are all in {}",
                    added.len(),
                    group.path
                ),
                format!(
                    "{} of them are missing: {}; the group holds [{}]",
                    lost.len(),
                    lost.join(", "),
                    members.join(", ")
                ),
            ))
        }
        .await,
    )
}
