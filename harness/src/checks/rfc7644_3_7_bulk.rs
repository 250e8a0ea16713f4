//! RFC 7644 section 3.7: `/Bulk`. Several creates in one request, bulkId references (plain and circular),
//! `failOnErrors` and the default of carrying on past failures, PATCH through /Bulk, and the 413 of the limits
//! the ServiceProviderConfig announces (section 3.7.4).
//!
//! Safety: every operation is a POST carrying the run's prefix, or targets a resource this run created (the
//! context's guard refuses anything else), and every resource a BulkResponse reports created is registered for
//! cleanup. The limit checks send operations that cannot create anything (a User without the required
//! userName) with `failOnErrors` 1, so a server that ignores its limits still creates nothing.

use super::bulk_support::{bulk_body, located, send_bulk, send_bulk_body};
use super::support::{excerpt, lists_schema, outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, describe};
use crate::run;
use scimlab_mock_idp::ScimResponse;
use scimlab_protocol::bulk::{BulkOperationResponse, BulkResponse};
use scimlab_protocol::schema::{BULK_RESPONSE_URN, PATCH_OP_URN, USER_URN};
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.7";

const BULK_USERS: &[Capability] = &[Capability::Bulk, Capability::Users];
const BULK_GROUPS: &[Capability] = &[Capability::Bulk, Capability::Users, Capability::Groups];

/// Largest announced maxOperations the harness will exceed (beyond it the check would send too much).
const MAX_OPERATIONS_TRIED: u64 = 1000;
/// Largest announced maxPayloadSize the harness will exceed, in bytes.
const MAX_PAYLOAD_TRIED: u64 = 8 * 1024 * 1024;

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.7/creates-answer-200",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Users, Tag::Create],
        requires: BULK_USERS,
        profiles: &[Profile::Rfc],
        requirement: "a BulkRequest of creates answers 200 with a BulkResponse giving each operation's status and \
                      location, and the resources exist",
        sends: "POST /Bulk [POST /Users x2], GET each location",
        consequence: "",
        catches: &["bulk-no-location"],
        run: run!(creates_answer_200),
    },
    Check {
        id: "rfc7644/3.7/bulkid-reference-resolved",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Groups, Tag::Membership],
        requires: BULK_GROUPS,
        profiles: &[Profile::Rfc],
        requirement: "a \"bulkId:x\" reference in a later operation's data becomes the id of the resource created \
                      with bulkId x",
        sends: "POST /Bulk [POST /Users bulkId u, POST /Groups members [bulkId:u]], GET /Groups/{id}",
        consequence: "",
        catches: &["bulk-ignores-bulkid"],
        run: run!(bulkid_reference_resolved),
    },
    Check {
        id: "rfc7644/3.7.1/circular-references",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Groups, Tag::Membership],
        requires: BULK_GROUPS,
        profiles: &[Profile::Rfc],
        requirement: "two Groups that reference each other by bulkId are both created with the references \
                      resolved, or the server answers 409",
        sends: "POST /Bulk [POST /Groups a members [bulkId:b], POST /Groups b members [bulkId:a]], GET both",
        consequence: "",
        catches: &["bulk-ignores-bulkid"],
        run: run!(circular_references),
    },
    Check {
        id: "rfc7644/3.7/fail-on-errors-stops",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Users, Tag::Errors],
        requires: BULK_USERS,
        profiles: &[Profile::Rfc],
        requirement: "with failOnErrors 1, the server stops at the first failed operation: the operation after it \
                      is not performed",
        sends: "POST /Bulk failOnErrors 1 [POST /Users without userName, POST /Users valid]",
        consequence: "",
        catches: &["bulk-fail-on-errors-ignored"],
        run: run!(fail_on_errors_stops),
    },
    Check {
        id: "rfc7644/3.7/errors-do-not-stop-others",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Users, Tag::Errors],
        requires: BULK_USERS,
        profiles: &[Profile::Rfc],
        requirement: "without failOnErrors, a failed operation reports its own error status and SCIM Error while \
                      the others are performed",
        sends: "POST /Bulk [POST /Users without userName, POST /Users valid], GET the created User",
        consequence: "",
        catches: &["bulk-stops-at-first-error"],
        run: run!(errors_do_not_stop_others),
    },
    Check {
        id: "rfc7644/3.7/patch-operation",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Users, Tag::Patch],
        requires: &[Capability::Bulk, Capability::Users, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "a PATCH inside a BulkRequest changes the resource as the same PATCH sent alone would",
        sends: "POST /Users, POST /Bulk [PATCH /Users/{id} replace displayName], GET /Users/{id}",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(patch_operation),
    },
    Check {
        id: "rfc7644/3.7.4/max-operations-413",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Errors],
        requires: BULK_USERS,
        profiles: &[Profile::Rfc],
        requirement: "a BulkRequest with one operation more than bulk.maxOperations is refused with 413 and an \
                      Error naming the limit",
        sends: "POST /Bulk failOnErrors 1 with maxOperations + 1 POSTs of a User lacking userName",
        consequence: "",
        catches: &["bulk-no-limit"],
        run: run!(max_operations_413),
    },
    Check {
        id: "rfc7644/3.7.4/max-payload-413",
        level: Level::Must,
        tags: &[Tag::Bulk, Tag::Errors],
        requires: BULK_USERS,
        profiles: &[Profile::Rfc],
        requirement: "a BulkRequest larger than bulk.maxPayloadSize is refused with 413 and an Error naming the \
                      limit",
        sends: "POST /Bulk failOnErrors 1 with one POST of a User lacking userName, padded past maxPayloadSize",
        consequence: "",
        catches: &["bulk-no-limit"],
        run: run!(max_payload_413),
    },
];

/// A POST operation creating `data` at `path` under `bulk_id`.
fn post(path: &str, bulk_id: &str, data: Value) -> Value {
    json!({"method": "POST", "path": path, "bulkId": bulk_id, "data": data})
}

/// The `/Users` path of the run, as bulk paths want it (relative to the service root).
fn users(ctx: &Ctx) -> String {
    ctx.run.path(crate::ctx::Kind::User).to_owned()
}

fn groups(ctx: &Ctx) -> String {
    ctx.run.path(crate::ctx::Kind::Group).to_owned()
}

/// A User body that no server may create: userName is required (RFC 7643 section 4.1.1).
fn invalid_user() -> Value {
    json!({"schemas": [USER_URN], "displayName": "scimlab: no userName, must be refused"})
}

/// Requires a 200 BulkResponse and reads it.
fn bulk_response(r: &ScimResponse) -> Result<BulkResponse, Outcome> {
    status(r, 200, "POST /Bulk")?;
    if !lists_schema(r.body_json(), BULK_RESPONSE_URN) {
        return Err(Outcome::fail(
            format!("the body is a BulkResponse (schemas lists {BULK_RESPONSE_URN})"),
            format!("the body is: {}", excerpt(&r.text())),
        ));
    }
    BulkResponse::from_json(r.body_json())
        .map_err(|e| Outcome::fail("a readable BulkResponse", format!("{}: {}", e.detail, excerpt(&r.text()))))
}

/// The result of the operation with `bulk_id`, else the one at `index` when it has no bulkId (bulkId is only
/// echoed for POSTs by most servers, and the RFC's examples list results in request order).
fn result_of<'a>(resp: &'a BulkResponse, bulk_id: &str, index: usize) -> Option<&'a BulkOperationResponse> {
    resp.operations
        .iter()
        .find(|o| o.bulk_id.as_deref() == Some(bulk_id))
        .or_else(|| resp.operations.get(index).filter(|o| o.bulk_id.is_none()))
}

/// The id a successful POST result's location names, or the failure.
fn created_id(ctx: &Ctx, resp: &BulkResponse, bulk_id: &str, index: usize) -> Result<String, Outcome> {
    let Some(res) = result_of(resp, bulk_id, index) else {
        return Err(Outcome::fail(
            format!("a result for the operation with bulkId {bulk_id:?}"),
            format!("{} results, none for it", resp.operations.len()),
        ));
    };
    if !(200..300).contains(&res.status) {
        return Err(Outcome::fail(
            format!("the operation {bulk_id:?} succeeds (201)"),
            format!(
                "its status is {} ({})",
                res.status,
                res.response.as_ref().map_or("no response".into(), |v| excerpt(&v.to_string()))
            ),
        ));
    }
    let Some(location) = res.location.as_deref() else {
        return Err(Outcome::fail(
            format!("the result of {bulk_id:?} carries the created resource's location"),
            "location is absent",
        ));
    };
    located(ctx, location).map(|(_, id)| id).ok_or_else(|| {
        Outcome::fail(
            format!("the location of {bulk_id:?} names a resource of the server's collections"),
            format!("location is {location:?}"),
        )
    })
}

/// GET a created resource by collection and id; anything but 200 is the failure.
async fn fetch(ctx: &Ctx, collection: &str, id: &str) -> Result<Value, Outcome> {
    let path = format!("{collection}/{id}");
    let r = ctx.get(&path).await?;
    status(&r, 200, &format!("GET {path}"))?;
    Ok(r.json.unwrap_or(Value::Null))
}

/// The `members[].value`s of a Group.
fn member_values(group: &Value) -> Vec<&str> {
    group
        .get("members")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|m| m.get("value").and_then(Value::as_str)).collect())
        .unwrap_or_default()
}

/// RFC 7644 section 3.7 and 3.7.3: the server answers 200 with a BulkResponse; each result has the status of
/// the operation and, for a successful one, the resource's location (REQUIRED except for a failed POST).
async fn creates_answer_200(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, name_a) = ctx.user_body("bulk-create-a");
            let (b, name_b) = ctx.user_body("bulk-create-b");
            let path = users(ctx);
            let r = send_bulk(ctx, vec![post(&path, "a", a), post(&path, "b", b)], None).await?;
            let resp = bulk_response(&r)?;
            for (i, (bulk_id, name)) in [("a", &name_a), ("b", &name_b)].into_iter().enumerate() {
                let id = created_id(ctx, &resp, bulk_id, i)?;
                let got = fetch(ctx, &path, &id).await?;
                let user_name = got.get("userName").and_then(Value::as_str);
                if user_name != Some(name.as_str()) {
                    return Ok(Outcome::fail(
                        format!("the location of {bulk_id:?} is the User {name}"),
                        format!("it is a resource with userName {user_name:?}"),
                    ));
                }
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.7.2: a `bulkId:` reference in data is replaced by the id of the resource created under
/// that bulkId.
async fn bulkid_reference_resolved(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, _) = ctx.user_body("bulk-ref-user");
            let (mut group, _) = ctx.group_body("bulk-ref-group");
            group["members"] = json!([{"value": "bulkId:u", "type": "User"}]);
            let ops = vec![post(&users(ctx), "u", user), post(&groups(ctx), "g", group)];
            let r = send_bulk(ctx, ops, None).await?;
            let resp = bulk_response(&r)?;
            let user_id = created_id(ctx, &resp, "u", 0)?;
            let group_id = created_id(ctx, &resp, "g", 1)?;
            let got = fetch(ctx, &groups(ctx), &group_id).await?;
            let members = member_values(&got);
            Ok(Outcome::check(
                members == [user_id.as_str()],
                format!("the Group's members are [{user_id}]"),
                format!("members are {members:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.7.1: the server must try to resolve circular references between resources of one bulk
/// request, and may instead answer 409 after a failed attempt.
async fn circular_references(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (mut a, _) = ctx.group_body("bulk-cycle-a");
            let (mut b, _) = ctx.group_body("bulk-cycle-b");
            a["members"] = json!([{"value": "bulkId:b", "type": "Group"}]);
            b["members"] = json!([{"value": "bulkId:a", "type": "Group"}]);
            let path = groups(ctx);
            let r = send_bulk(ctx, vec![post(&path, "a", a), post(&path, "b", b)], None).await?;
            if r.status == 409 {
                return Ok(Outcome::Pass);
            }
            let resp = bulk_response(&r)?;
            if resp.operations.iter().any(|o| o.status == 409) {
                return Ok(Outcome::Pass);
            }
            let (id_a, id_b) = (created_id(ctx, &resp, "a", 0)?, created_id(ctx, &resp, "b", 1)?);
            let (got_a, got_b) = (fetch(ctx, &path, &id_a).await?, fetch(ctx, &path, &id_b).await?);
            let (ma, mb) = (member_values(&got_a), member_values(&got_b));
            Ok(Outcome::check(
                ma == [id_b.as_str()] && mb == [id_a.as_str()],
                format!("Group a's members are [{id_b}] and Group b's are [{id_a}], or a 409"),
                format!("a's members are {ma:?}, b's are {mb:?}"),
            ))
        }
        .await,
    )
}

/// Looks for a User by userName (when the server filters): whether a bulk operation that must not have run did.
/// A user found this way is named in the cleanup account, never deleted: a listing proves nothing about who
/// created what.
async fn user_exists(ctx: &Ctx, user_name: &str) -> Result<Option<bool>, Outcome> {
    if !ctx.run.has(Capability::Filter) {
        return Ok(None);
    }
    let req = scimlab_mock_idp::ScimRequest::get(users(ctx)).query("filter", format!("userName eq \"{user_name}\""));
    let r = ctx.send(req).await?;
    if r.status != 200 {
        return Ok(None);
    }
    let found: Vec<String> = r
        .body_json()
        .get("Resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|res| res.get("userName").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(user_name)))
        .filter_map(|res| res.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    if !found.is_empty() {
        ctx.run.ledger.orphan(user_name);
    }
    Ok(Some(!found.is_empty()))
}

/// RFC 7644 section 3.7: failOnErrors is the number of errors after which the server stops processing.
async fn fail_on_errors_stops(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (good, name) = ctx.user_body("bulk-after-failure");
            let path = users(ctx);
            let ops = vec![post(&path, "bad", invalid_user()), post(&path, "good", good)];
            let r = send_bulk(ctx, ops, Some(1)).await?;
            // A whole-request error is a way of stopping too; the User must not exist either way.
            if r.status == 200 {
                let resp = bulk_response(&r)?;
                if let Some(done) = result_of(&resp, "good", 1).filter(|o| (200..300).contains(&o.status)) {
                    return Ok(Outcome::fail(
                        "processing stops at the first error: no result for the operation after it",
                        format!("the second operation was performed: status {}", done.status),
                    ));
                }
            } else if !(400..500).contains(&r.status) {
                return Ok(Outcome::fail("POST /Bulk answers 200 with the results so far", describe(&r)));
            }
            Ok(match user_exists(ctx, &name).await? {
                Some(true) => Outcome::fail(
                    "the operation after the first error is not performed",
                    format!("the User {name} was created"),
                ),
                _ => Outcome::Pass,
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.7: without failOnErrors the server carries on past failures; a failed operation's result
/// has its error status and, since the status is not 2xx, a `response` holding the SCIM Error (section 3.7.3).
async fn errors_do_not_stop_others(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (good, name) = ctx.user_body("bulk-despite-failure");
            let path = users(ctx);
            let r = send_bulk(ctx, vec![post(&path, "bad", invalid_user()), post(&path, "good", good)], None).await?;
            let resp = bulk_response(&r)?;
            let Some(bad) = result_of(&resp, "bad", 0) else {
                return Ok(Outcome::fail("a result for the failed operation", "none"));
            };
            let error_ok = (400..500).contains(&bad.status)
                && bad.response.as_ref().is_some_and(|v| lists_schema(v, scimlab_protocol::error::ERROR_URN));
            if !error_ok {
                return Ok(Outcome::fail(
                    "the failed operation's result has a 4xx status and a SCIM Error as response",
                    format!(
                        "status {}, response {}",
                        bad.status,
                        bad.response.as_ref().map_or("absent".into(), |v| excerpt(&v.to_string()))
                    ),
                ));
            }
            let id = created_id(ctx, &resp, "good", 1)?;
            let got = fetch(ctx, &path, &id).await?;
            Ok(Outcome::check(
                got.get("userName").and_then(Value::as_str) == Some(name.as_str()),
                format!("the User {name} was created despite the earlier failure"),
                format!("the location shows {}", excerpt(&got.to_string())),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.7: each operation has the effect and status it would have alone; here a PATCH.
async fn patch_operation(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("bulk-patch", json!({})).await?;
            let name = ctx.unique("bulk-patched");
            let data = json!({
                "schemas": [PATCH_OP_URN],
                "Operations": [{"op": "replace", "path": "displayName", "value": name}]
            });
            let op = json!({"method": "PATCH", "path": created.path, "data": data});
            let r = send_bulk(ctx, vec![op], None).await?;
            let resp = bulk_response(&r)?;
            let Some(res) = resp.operations.first() else {
                return Ok(Outcome::fail("one result", "no results"));
            };
            if !matches!(res.status, 200 | 204) {
                return Ok(Outcome::fail("the PATCH's status is 200 or 204", format!("status {}", res.status)));
            }
            let back = ctx.read_back(&created).await?;
            Ok(Outcome::check(
                back.get("displayName").and_then(Value::as_str) == Some(name.as_str()),
                format!("displayName is {name:?}"),
                format!("displayName is {}", back.get("displayName").map_or("absent".into(), Value::to_string)),
            ))
        }
        .await,
    )
}

/// Requires a 413 SCIM Error whose detail names the limit (its value or its name).
fn refused_413(r: &ScimResponse, limit_name: &str, limit: u64) -> Result<Outcome, Outcome> {
    scim_error(r, 413, None, "POST /Bulk")?;
    let detail = r.body_json().get("detail").and_then(Value::as_str).unwrap_or("");
    let names =
        detail.contains(&limit.to_string()) || detail.to_ascii_lowercase().contains(&limit_name.to_ascii_lowercase());
    Ok(Outcome::check(
        names,
        format!("the Error names the limit exceeded ({limit_name} {limit})"),
        format!("detail is {detail:?}"),
    ))
}

/// RFC 7644 section 3.7.4: beyond maxOperations the server answers 413 and says which limit was exceeded.
async fn max_operations_413(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let Some(bulk) = ctx.run.spc.as_ref().map(|s| s.bulk) else {
                return Ok(Outcome::Skip("the ServiceProviderConfig could not be read".into()));
            };
            let limit = bulk.max_operations;
            if limit == 0 || limit > MAX_OPERATIONS_TRIED {
                return Ok(Outcome::Skip(format!(
                    "bulk.maxOperations is {limit}; the check exceeds limits of 1 to {MAX_OPERATIONS_TRIED} only"
                )));
            }
            let path = users(ctx);
            let ops: Vec<Value> = (0..=limit).map(|i| post(&path, &format!("op{i}"), invalid_user())).collect();
            let body = bulk_body(ops, Some(1));
            let size = body.to_string().len() as u64;
            if bulk.max_payload_size > 0 && size > bulk.max_payload_size {
                return Ok(Outcome::Skip(format!(
                    "{} operations take {size} bytes, over bulk.maxPayloadSize {}: the operation limit cannot be \
                     tested alone",
                    limit + 1,
                    bulk.max_payload_size
                )));
            }
            let r = send_bulk_body(ctx, &body).await?;
            refused_413(&r, "maxOperations", limit)
        }
        .await,
    )
}

/// RFC 7644 section 3.7.4: beyond maxPayloadSize the server answers 413 and says which limit was exceeded.
async fn max_payload_413(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let Some(bulk) = ctx.run.spc.as_ref().map(|s| s.bulk) else {
                return Ok(Outcome::Skip("the ServiceProviderConfig could not be read".into()));
            };
            let limit = bulk.max_payload_size;
            if limit == 0 || limit > MAX_PAYLOAD_TRIED {
                return Ok(Outcome::Skip(format!(
                    "bulk.maxPayloadSize is {limit}; the check exceeds limits of 1 to {MAX_PAYLOAD_TRIED} bytes only"
                )));
            }
            let mut data = invalid_user();
            let pad = usize::try_from(limit).unwrap_or(usize::MAX).saturating_add(1024);
            data["nickName"] = json!("x".repeat(pad));
            let body = bulk_body(vec![post(&users(ctx), "big", data)], Some(1));
            let r = send_bulk_body(ctx, &body).await?;
            refused_413(&r, "maxPayloadSize", limit)
        }
        .await,
    )
}
