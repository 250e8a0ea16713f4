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
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "concurrency";

/// Requests the checks send at once by default (`--race-width`): creates of one userName; members added to one
/// group take two fewer, writers with one If-Match half as many.
pub const DEFAULT_RACE_WIDTH: u16 = 8;

/// Creates of one userName sent at once.
fn same_name_creates(ctx: &Ctx) -> usize {
    ctx.run.race_width.max(2)
}

/// Members added to one group at once, each by a PATCH of its own.
fn members_at_once(ctx: &Ctx) -> usize {
    ctx.run.race_width.saturating_sub(2).max(2)
}

/// PATCHes sent at once with the same If-Match.
fn conditional_writers(ctx: &Ctx) -> usize {
    (ctx.run.race_width / 2).max(2)
}

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "concurrency/create/same-username-one-wins",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "creates of one userName sent at once give one user: exactly one is answered 2xx, every other \
                      409 uniqueness, and the userName eq lookup finds one user",
        sends: "POST /Users x8 at once (one userName, eight externalIds; --race-width), then GET /Users?filter=userName eq",
        consequence: "",
        catches: &["create-race", "no-uniqueness"],
        run: run!(create_same_username_one_wins),
    },
    Check {
        id: "concurrency/create/resent-leaves-one-user",
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
        id: "concurrency/patch/group-adds-all-kept",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Patch, Tag::Membership],
        requires: &[Capability::Users, Capability::Groups, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "PATCHes adding members to one group sent at once all take effect: every member a 2xx \
                      answer added is in the group afterwards",
        sends: "POST /Users x6, POST /Groups, PATCH the group x6 at once (add one member each; --race-width less two), GET \
                the group",
        consequence: "",
        catches: &["patch-lost-update"],
        run: run!(group_adds_all_kept),
    },
    Check {
        id: "concurrency/patch/different-attributes-all-apply",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Patch],
        requires: &[Capability::Users, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "PATCHes of one user sent at once, each replacing a different attribute, all take effect",
        sends: "POST /Users, PATCH it x3 at once (displayName, title, nickName; those the server defines), GET it",
        consequence: "",
        catches: &["patch-lost-update"],
        run: run!(patches_of_different_attributes_all_apply),
    },
    Check {
        id: "concurrency/etag/one-writer-wins",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Patch, Tag::Etag],
        requires: &[Capability::Users, Capability::Patch, Capability::Etag],
        profiles: &[Profile::Rfc],
        requirement: "PATCHes sent at once with the same If-Match ETag: exactly one is applied, every other is \
                      answered 412",
        sends: "POST /Users, PATCH it x4 at once with If-Match: its ETag (half --race-width)",
        consequence: "",
        catches: &["if-match-ignored", "patch-lost-update"],
        run: run!(if_match_one_writer_wins),
    },
    Check {
        id: "concurrency/lookup/read-your-writes",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Filter, Tag::Patch],
        requires: &[Capability::Users, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "a user is found by the bare userName eq and externalId eq lookups as soon as it is created, \
                      and still once it is deactivated (Entra creates again a user it cannot find)",
        sends: "POST /Users, GET /Users?filter=userName eq, externalId eq, PATCH active false, the lookups again",
        consequence: "",
        catches: &["inactive-hidden"],
        run: run!(read_your_writes_lookups),
    },
];

/// `GET /Users?filter=ATTR eq "VALUE"`, a bare lookup as IdPs send it: the ids it finds.
async fn lookup_by(ctx: &Ctx, attr: &str, value: &str) -> Result<Vec<String>, Outcome> {
    let filter = format!("{attr} eq \"{value}\"");
    let r = ctx.send(ScimRequest::get(ctx.run.path(Kind::User)).query("filter", &filter)).await?;
    let list = super::queries::read_list(&r, &format!("GET {}?filter={filter}", ctx.run.path(Kind::User)))?;
    Ok(list.resources.iter().filter_map(|u| u.get("id").and_then(Value::as_str)).map(str::to_owned).collect())
}

/// `GET /Users?filter=userName eq "NAME"`, the bare lookup IdPs send: the ids it finds.
async fn lookup(ctx: &Ctx, name: &str) -> Result<Vec<String>, Outcome> {
    lookup_by(ctx, "userName", name).await
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
            let n = same_name_creates(ctx);
            let bodies: Vec<Value> = (0..n)
                .map(|i| {
                    let mut b = body.clone();
                    merge(&mut b, json!({"externalId": format!("{name}-object-{i}")}));
                    ctx.only_defined(Kind::User, &b)
                })
                .collect();
            let answers = create_at_once(ctx, &bodies).await?;
            let won = answers.iter().filter(|r| (200..300).contains(&r.status)).count();
            let refused = answers.iter().filter(|r| r.status == 409).count();
            if won != 1 || refused != n - 1 {
                return Ok(Outcome::fail(
                    format!(
                        "of {n} creates of userName {name:?} sent at once, one is answered 2xx and {} are answered \
                         409",
                        n - 1
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
            let labels: Vec<String> = (0..members_at_once(ctx)).map(|i| format!("race-member-{i}")).collect();
            let users = join_all(labels.iter().map(|l| ctx.create_user(l, json!({})))).await;
            let users = users.into_iter().collect::<Result<Vec<_>, _>>()?;
            let group = ctx.create_group("race-group", json!({})).await?;
            let adds = users
                .iter()
                .map(|u| ctx.patch(&group, json!([{"op": "add", "path": "members", "value": [{"value": u.id}]}])));
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

/// One PATCH operation replacing `path` with `value`.
fn replace(path: &str, value: Value) -> Value {
    json!([{"op": "replace", "path": path, "value": value}])
}

/// RFC 7644 section 3.5.2: each PATCH request is applied whole, and one answered 2xx has taken effect; PATCHes of
/// different attributes sent together (an IdP syncing several changes at once) must all be kept.
async fn patches_of_different_attributes_all_apply(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attrs: Vec<&str> =
                ["displayName", "title", "nickName"].into_iter().filter(|a| ctx.defines(Kind::User, a)).collect();
            if attrs.len() < 2 {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: the server's User schema defines {} of displayName, title and nickName; \
                     two are needed",
                    attrs.len()
                )));
            }
            let user = ctx.create_user("race-attrs", json!({})).await?;
            let values: Vec<String> = attrs.iter().map(|a| ctx.unique(&format!("race-{a}"))).collect();
            let patches = attrs.iter().zip(&values).map(|(a, v)| ctx.patch(&user, replace(a, json!(v))));
            let answers = join_all(patches).await.into_iter().collect::<Result<Vec<_>, _>>()?;
            let applied: Vec<(&str, &String)> = attrs
                .iter()
                .copied()
                .zip(&values)
                .zip(&answers)
                .filter(|(_, r)| (200..300).contains(&r.status))
                .map(|(pair, _)| pair)
                .collect();
            if applied.is_empty() {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: no PATCH of {} was answered 2xx ({})",
                    user.path,
                    statuses(&answers)
                )));
            }
            let now = ctx.read_back(&user).await?;
            let lost: Vec<String> = applied
                .iter()
                .filter(|(a, v)| now.get(*a).and_then(Value::as_str) != Some(v.as_str()))
                .map(|(a, v)| format!("{a} is {} instead of {v:?}", now.get(*a).unwrap_or(&Value::Null)))
                .collect();
            Ok(Outcome::check(
                lost.is_empty(),
                format!(
                    "the {} attributes that PATCHes sent at once replaced (answered 2xx) all hold their new values",
                    applied.len()
                ),
                lost.join("; "),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.14 with RFC 7232 section 3.1: a write with If-Match goes ahead only while the resource is
/// at that version. Writes sent together with the same ETag: the first applied changes the version, so every
/// other must be refused with 412; applying them all loses every change but one.
async fn if_match_one_writer_wins(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("race-etag", json!({})).await?;
            let etag = match user.etag.clone() {
                Some(e) => e,
                None => {
                    let r = ctx.get(&user.path).await?;
                    r.header("etag").map(str::to_owned).ok_or_else(|| {
                        Outcome::Skip(format!(
                            "prerequisite failed: neither the create nor GET {} answered an ETag header",
                            user.path
                        ))
                    })?
                }
            };
            let attr = ctx.first_defined(Kind::User, &["displayName", "title", "nickName"])?;
            let writes = (0..conditional_writers(ctx)).map(|i| {
                let body = json!({
                    "schemas": [scimlab_protocol::schema::PATCH_OP_URN],
                    "Operations": replace(attr, json!(ctx.unique(&format!("race-etag-{i}")))),
                });
                ctx.send(ScimRequest::json(Method::PATCH, &user.path, &body).header("If-Match", &etag))
            });
            let answers = join_all(writes).await.into_iter().collect::<Result<Vec<_>, _>>()?;
            let applied = answers.iter().filter(|r| (200..300).contains(&r.status)).count();
            let refused = answers.iter().filter(|r| r.status == 412).count();
            Ok(Outcome::check(
                applied == 1 && refused == answers.len() - 1,
                format!(
                    "of {} PATCHes of {} sent at once with If-Match: {etag}, one is applied and {} are answered 412",
                    answers.len(),
                    user.path,
                    answers.len() - 1
                ),
                format!(
                    "{applied} were applied and {refused} answered 412 (statuses in order: {})",
                    statuses(&answers)
                ),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2: a filter returns every resource it matches, as the server holds them now: a user
/// just created, and a user deactivated (RFC 7643 section 4.1.1: `active` is the user's status, not its
/// existence). Identity providers look a user up by userName or externalId before every change, and Entra
/// creates again a user its lookup does not find.
async fn read_your_writes_lookups(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let with_external_id = ctx.defines(Kind::User, "externalId");
            let (body, name) = ctx.user_body("ryw");
            let mut body = body;
            let external = format!("{name}-object");
            if with_external_id {
                merge(&mut body, json!({"externalId": external}));
            }
            let user = ctx.create(Kind::User, &body).await?;
            let lookups = |when: &'static str| {
                let (user, name, external) = (&user, &name, &external);
                async move {
                    let mut wrong = Vec::new();
                    let mut checks = vec![("userName", name.as_str())];
                    if with_external_id {
                        checks.push(("externalId", external.as_str()));
                    }
                    for (attr, value) in checks {
                        let found = lookup_by(ctx, attr, value).await?;
                        if found != [user.id.clone()] {
                            wrong.push(format!("{when}, {attr} eq {value:?} finds [{}]", found.join(", ")));
                        }
                    }
                    Ok::<Vec<String>, Outcome>(wrong)
                }
            };
            let mut wrong = lookups("just created").await?;
            let r = ctx.patch(&user, replace("active", json!(false))).await?;
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::Skip(format!(
                    "prerequisite failed: PATCH {} setting active false answered {}",
                    user.path, r.status
                )));
            }
            wrong.extend(lookups("deactivated").await?);
            Ok(Outcome::check(
                wrong.is_empty(),
                format!("the lookups find {} ({}) just created and once deactivated", name, user.id),
                wrong.join("; "),
            ))
        }
        .await,
    )
}
