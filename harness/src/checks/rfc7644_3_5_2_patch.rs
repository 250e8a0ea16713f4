//! RFC 7644 section 3.5.2: PATCH as a whole (the answer, atomicity, `primary`, 404) and the errors a PATCH must
//! be refused with, plus the helpers the add / remove / replace files share.
//!
//! Every change is judged by reading the resource back with GET, never by the PATCH answer alone; every refusal
//! is checked to have left the resource as it was. Requests are strict RFC ones (lowercase ops, real booleans),
//! since the point is the server's reading of the RFC, not its tolerance of IdP dialects.

use super::support::{excerpt, outcome, scim_error, status_in};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::json::get_ci;
use scimlab_protocol::schema::PATCH_OP_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.2";

const USERS_PATCH: &[Capability] = &[Capability::Users, Capability::Patch];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.5.2/success-200-or-204",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a successful PATCH answers 200 with the whole, changed resource, or 204 without a body",
        sends: "POST /Users, PATCH /Users/{id} replace displayName, GET /Users/{id}",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(success_200_or_204),
    },
    Check {
        id: "rfc7644/3.5.2/attributes-param-200",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Projection],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a PATCH sent with the attributes parameter answers 200 (not 204) with the asked-for, changed \
                      attribute",
        sends: "POST /Users, PATCH /Users/{id}?attributes=displayName replace displayName",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(attributes_param_200),
    },
    Check {
        id: "rfc7644/3.5.2/atomic",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a PATCH is all or nothing: when its last operation fails, the earlier ones are not kept",
        sends: "POST /Users, PATCH /Users/{id} [replace displayName, add nickName, replace active \"maybe\"], GET",
        consequence: "",
        catches: &["patch-not-atomic"],
        run: run!(atomic),
    },
    Check {
        id: "rfc7644/3.5.2/primary-true-clears-others",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Schema],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "adding an email with primary true makes the server set primary false on the email that had it",
        sends: "POST /Users (a primary work email), PATCH add emails [{home, primary: true}], GET",
        consequence: "",
        catches: &["patch-primary-not-unique"],
        run: run!(primary_true_clears_others),
    },
    Check {
        id: "rfc7644/3.5.2/unknown-id-404",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a PATCH of a resource that does not exist answers 404 with a SCIM Error",
        sends: "PATCH /Users/{never-existing id} replace displayName",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(unknown_id_404),
    },
    Check {
        id: "rfc7644/3.5.2/invalid-path-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a malformed path is refused with 400 (scimType invalidPath when given) and changes nothing",
        sends: "PATCH /Users/{id} replace path `emails[type eq` (unclosed filter)",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(invalid_path_400),
    },
    Check {
        id: "rfc7644/3.5.2/invalid-value-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors, Tag::Schema],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a value of the wrong type is refused with 400 (scimType invalidValue when given) and changes \
                      nothing",
        sends: "PATCH /Users/{id} replace active \"maybe\"",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(invalid_value_400),
    },
    Check {
        id: "rfc7644/3.5.2/mutability-id-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors, Tag::Schema],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replacing the readOnly id is refused with 400 (scimType mutability when given) and the id \
                      stays",
        sends: "PATCH /Users/{id} replace id",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(mutability_id_400),
    },
    Check {
        id: "rfc7644/3.5.2/mutability-meta-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors, Tag::Schema],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replacing the readOnly meta.created is refused with 400 (scimType mutability when given) and \
                      changes nothing",
        sends: "PATCH /Users/{id} replace meta.created",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(mutability_meta_400),
    },
    Check {
        id: "rfc7644/3.5.2/unknown-op-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "an op other than add, remove or replace is refused with 400 and changes nothing",
        sends: "PATCH /Users/{id} op \"bogus\"",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(unknown_op_400),
    },
    Check {
        id: "rfc7644/3.5.2/missing-operations-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "a PatchOp without Operations is refused with 400 (scimType invalidSyntax or invalidValue when \
                      given)",
        sends: "PATCH /Users/{id} {\"schemas\": [PatchOp]}",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(missing_operations_400),
    },
    Check {
        id: "rfc7644/3.5.2/errors-name-scim-type",
        level: Level::May,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "refused PATCHes name the scimType of RFC 7644 table 9 (invalidPath, invalidValue, mutability, \
                      invalidSyntax)",
        sends: "PATCH /Users/{id} four times: a malformed path, active \"maybe\", replace id, op \"bogus\"",
        consequence: "",
        catches: &["no-scim-type"],
        run: run!(errors_name_scim_type),
    },
];

// ----- shared helpers for the PATCH files -----

/// One PatchOp operation.
pub(super) fn op(kind: &str, path: Option<&str>, value: Option<Value>) -> Value {
    let mut o = json!({ "op": kind });
    if let Some(p) = path {
        o["path"] = json!(p);
    }
    if let Some(v) = value {
        o["value"] = v;
    }
    o
}

/// The member `name` of a resource, case-insensitively; `null` counts as absent (RFC 7643 section 2.5).
pub(super) fn member<'a>(res: &'a Value, name: &str) -> Option<&'a Value> {
    res.as_object().and_then(|o| get_ci(o, name)).filter(|v| !v.is_null())
}

/// A string member of a resource.
pub(super) fn text<'a>(res: &'a Value, name: &str) -> Option<&'a str> {
    member(res, name).and_then(Value::as_str)
}

/// A string sub-attribute of a complex member (`name.givenName`).
pub(super) fn sub_text<'a>(res: &'a Value, name: &str, sub: &str) -> Option<&'a str> {
    member(res, name).and_then(|v| text(v, sub))
}

/// The elements of a multi-valued member (none when it is absent or not an array).
pub(super) fn elements<'a>(res: &'a Value, name: &str) -> Vec<&'a Value> {
    member(res, name).and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default()
}

/// The elements whose sub-attribute `sub` is the string `want` (case-insensitively: email values and types are
/// not case-exact).
pub(super) fn with<'a>(items: &[&'a Value], sub: &str, want: &str) -> Vec<&'a Value> {
    items.iter().copied().filter(|e| text(e, sub).is_some_and(|s| s.eq_ignore_ascii_case(want))).collect()
}

/// The `value`s of a multi-valued member, for members and emails.
pub(super) fn values<'a>(res: &'a Value, name: &str) -> Vec<&'a str> {
    elements(res, name).into_iter().filter_map(|e| text(e, "value")).collect()
}

/// A member for failure messages: its JSON, or "absent".
pub(super) fn shown(v: Option<&Value>) -> String {
    v.map_or_else(|| "absent".to_owned(), |v| excerpt(&v.to_string()))
}

/// Whether an element's `primary` is true.
pub(super) fn is_primary(e: &Value) -> bool {
    member(e, "primary").and_then(Value::as_bool) == Some(true)
}

/// PATCH `created` with `ops` and require success (200 or 204); returns the answer.
pub(super) async fn patch_ok(ctx: &Ctx, created: &Created, ops: Value) -> Result<ScimResponse, Outcome> {
    let r = ctx.patch(created, ops).await?;
    status_in(&r, &[200, 204], &format!("PATCH {}", created.path))?;
    Ok(r)
}

/// Reads `created` back after a successful PATCH of `ops`.
pub(super) async fn patched(ctx: &Ctx, created: &Created, ops: Value) -> Result<Value, Outcome> {
    patch_ok(ctx, created, ops).await?;
    ctx.read_back(created).await
}

/// The verdict that the string member `name` of `back` is `want`.
/// Top-level single-valued, writable string attributes of the User, RFC 7643's usual choice first: a check that
/// writes "some string attribute" takes the first the server defines (RFC 7643 section 7 allows a subset), so a
/// server with the full schema is always tested with `displayName`. `externalId` is a common attribute (section
/// 3.1), last because it means something to the client.
pub(super) const STRINGS: &[&str] = &["displayName", "nickName", "title", "userType", "externalId"];

/// [`STRINGS`] without `displayName`, which [`Ctx::user_body`] sets: attributes a new User has no value for.
pub(super) const UNSET_STRINGS: &[&str] = &["nickName", "title", "userType", "externalId"];

/// The members of `candidates` the server defines for Users, in order.
pub(super) fn defined<'c>(ctx: &Ctx, candidates: &[&'c str]) -> Vec<&'c str> {
    candidates.iter().copied().filter(|c| ctx.defines(Kind::User, c)).collect()
}

pub(super) fn text_is(back: &Value, name: &str, want: &str) -> Outcome {
    Outcome::check(
        text(back, name) == Some(want),
        format!("{name} is {want:?}"),
        format!("{name} is {}", shown(member(back, name))),
    )
}

/// A two-email User: a primary work email and a home one. Returns it with the two addresses.
pub(super) async fn user_with_two_emails(ctx: &Ctx, label: &str) -> Result<(Created, String, String), Outcome> {
    let work = format!("{}@example.com", ctx.unique(&format!("{label}-work")));
    let home = format!("{}@example.org", ctx.unique(&format!("{label}-home")));
    let created = ctx
        .create_user(
            label,
            json!({"emails": [
                {"value": work, "type": "work", "primary": true},
                {"value": home, "type": "home"}
            ]}),
        )
        .await?;
    Ok((created, work, home))
}

/// `Ok(())` when `r` is a 400 SCIM Error whose scimType, if it has one, is among `types`.
pub(super) fn bad_request(r: &ScimResponse, types: &[&str], what: &str) -> Result<(), Outcome> {
    scim_error(r, 400, None, what)?;
    match r.body_json().get("scimType").and_then(Value::as_str) {
        Some(t) if !types.contains(&t) => Err(Outcome::fail(
            format!("{what} is refused with scimType {}", types.join(" or ")),
            format!("scimType is {t:?}"),
        )),
        _ => Ok(()),
    }
}

/// `Ok(())` when `r` is a 400 SCIM Error with exactly the scimType `t` (for the errors the RFC names outright).
pub(super) fn bad_request_typed(r: &ScimResponse, t: &str, what: &str) -> Result<(), Outcome> {
    scim_error(r, 400, Some(t), what)
}

/// A resource without `meta`, for before / after comparisons that a refused request must leave equal.
fn without_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        scimlab_protocol::json::remove_ci(o, "meta");
    }
    v
}

/// Reads `created` back and requires it to equal `before` (both without `meta`).
pub(super) async fn unchanged(ctx: &Ctx, created: &Created, before: &Value, after_what: &str) -> Result<(), Outcome> {
    let after = ctx.read_back(created).await?;
    if without_meta(&after) == without_meta(before) {
        return Ok(());
    }
    Err(Outcome::fail(
        format!("the resource is unchanged after {after_what}"),
        format!("before: {} | after: {}", excerpt(&before.to_string()), excerpt(&after.to_string())),
    ))
}

/// Sends `ops` to `created`, requires a 400 refusal (`check` judges it, `what` names the request), then
/// requires `created` unchanged.
pub(super) async fn refused_unchanged(
    ctx: &Ctx,
    created: &Created,
    ops: Value,
    what: &str,
    check: impl Fn(&ScimResponse, &str) -> Result<(), Outcome>,
) -> Result<Outcome, Outcome> {
    let before = ctx.read_back(created).await?;
    let r = ctx.patch(created, ops).await?;
    check(&r, what)?;
    unchanged(ctx, created, &before, "the refused PATCH").await?;
    Ok(Outcome::Pass)
}

/// [`refused_unchanged`] on a fresh User, the request named `PATCH <its path>`.
pub(super) async fn refused_and_unchanged(
    ctx: &Ctx,
    label: &str,
    ops: Value,
    check: impl Fn(&ScimResponse, &str) -> Result<(), Outcome>,
) -> Result<Outcome, Outcome> {
    let created = ctx.create_user(label, json!({})).await?;
    refused_unchanged(ctx, &created, ops, &format!("PATCH {}", created.path), check).await
}

// ----- the checks -----

/// RFC 7644 section 3.5.2: on success the server answers 200 with the entire resource, or 204; a 200 body must
/// therefore show the change.
async fn success_200_or_204(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, STRINGS)?;
            let created = ctx.create_user("patch-answer", json!({})).await?;
            let name = ctx.unique("renamed");
            let r = patch_ok(ctx, &created, json!([op("replace", Some(attr), Some(json!(name)))])).await?;
            if r.status == 200 {
                let body = r.body_json();
                let id_ok = text(body, "id") == Some(created.id.as_str());
                let name_ok = text(body, attr) == Some(name.as_str());
                if !(id_ok && name_ok) {
                    return Ok(Outcome::fail(
                        format!("the 200 body is the resource {} with {attr} {name:?}", created.id),
                        format!("id {}, {attr} {}", shown(member(body, "id")), shown(member(body, attr))),
                    ));
                }
            }
            let back = ctx.read_back(&created).await?;
            Ok(Outcome::check(
                text(&back, attr) == Some(name.as_str()),
                format!("GET shows {attr} {name:?}"),
                format!("GET shows {attr} {}", shown(member(&back, attr))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: with `attributes` in the request the server must answer 200 (204 is only for
/// requests without it), and the body holds the asked-for attribute.
async fn attributes_param_200(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, STRINGS)?;
            let created = ctx.create_user("patch-attrs", json!({})).await?;
            let name = ctx.unique("renamed");
            let body = json!({
                "schemas": [PATCH_OP_URN],
                "Operations": [op("replace", Some(attr), Some(json!(name)))]
            });
            let req = ScimRequest::json(Method::PATCH, &created.path, &body).query("attributes", attr);
            let r = ctx.send(req).await?;
            let what = format!("PATCH {}?attributes={attr}", created.path);
            super::support::status(&r, 200, &what)?;
            let got = member(r.body_json(), attr);
            Ok(Outcome::check(
                got.and_then(Value::as_str) == Some(name.as_str()),
                format!("the body holds {attr} {name:?}"),
                format!("{attr} is {}", shown(got)),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: a PATCH is atomic; when one operation fails the resource is restored and a failure
/// is returned.
async fn atomic(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("patch-atomic", json!({})).await?;
            let before = ctx.read_back(&created).await?;
            let ops = json!([
                op("replace", Some("displayName"), Some(json!(ctx.unique("atomic")))),
                op("add", Some("nickName"), Some(json!("atomic-nick"))),
                op("replace", Some("active"), Some(json!("maybe"))),
            ]);
            let r = ctx.patch(&created, ops).await?;
            if (200..300).contains(&r.status) {
                return Ok(Outcome::Skip(format!(
                    "the server accepted active \"maybe\" ({}), so no operation failed; invalid-value-400 judges \
                     that",
                    describe(&r)
                )));
            }
            if !(400..500).contains(&r.status) {
                return Ok(Outcome::fail(
                    "the failing PATCH answers a 4xx failure status",
                    format!("PATCH {} answered {}", created.path, describe(&r)),
                ));
            }
            unchanged(ctx, &created, &before, "a PATCH whose third operation failed").await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: setting `primary` true on one value of a multi-valued attribute makes the server set
/// it false on every other value (RFC 7643 section 2.4: at most one primary).
async fn primary_true_clears_others(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("patch-primary", json!({})).await?;
            let home = format!("{}@example.org", ctx.unique("primary-home"));
            let value = json!([{"value": home, "type": "home", "primary": true}]);
            patch_ok(ctx, &created, json!([op("add", Some("emails"), Some(value))])).await?;
            let back = ctx.read_back(&created).await?;
            let emails = elements(&back, "emails");
            let primaries: Vec<&str> =
                emails.iter().filter(|e| is_primary(e)).filter_map(|e| text(e, "value")).collect();
            Ok(Outcome::check(
                primaries.len() == 1 && primaries[0].eq_ignore_ascii_case(&home),
                format!("exactly one primary email, {home}"),
                format!("primary emails: {primaries:?} (emails {})", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.12: a resource that does not exist is 404.
async fn unknown_id_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(crate::ctx::Kind::User);
            let body = json!({
                "schemas": [PATCH_OP_URN],
                "Operations": [op("replace", Some("displayName"), Some(json!("nobody")))]
            });
            let r = ctx.send(ScimRequest::json(Method::PATCH, &path, &body)).await?;
            scim_error(&r, 404, None, &format!("PATCH {path}"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 sections 3.5.2 and 3.12: a path that does not parse is refused (invalidPath).
async fn invalid_path_400(ctx: &Ctx) -> Outcome {
    let ops = json!([op("replace", Some("emails[type eq"), Some(json!("x@example.com")))]);
    outcome(refused_and_unchanged(ctx, "patch-bad-path", ops, |r, w| bad_request(r, &["invalidPath"], w)).await)
}

/// RFC 7644 section 3.5.2: an operation incompatible with the attribute's schema is refused (invalidValue).
async fn invalid_value_400(ctx: &Ctx) -> Outcome {
    let ops = json!([op("replace", Some("active"), Some(json!("maybe")))]);
    outcome(refused_and_unchanged(ctx, "patch-bad-value", ops, |r, w| bad_request(r, &["invalidValue"], w)).await)
}

/// RFC 7644 section 3.5.2: an operation incompatible with the attribute's mutability (the readOnly `id`) is
/// refused (mutability).
async fn mutability_id_400(ctx: &Ctx) -> Outcome {
    let ops = json!([op("replace", Some("id"), Some(json!(uuid::Uuid::new_v4().to_string())))]);
    outcome(refused_and_unchanged(ctx, "patch-id", ops, |r, w| bad_request(r, &["mutability"], w)).await)
}

/// RFC 7644 section 3.5.2: `meta.created` is readOnly; changing it is refused (mutability).
async fn mutability_meta_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("patch-meta", json!({})).await?;
            let before = ctx.read_back(&created).await?;
            let ops = json!([op("replace", Some("meta.created"), Some(json!("2001-01-01T00:00:00Z")))]);
            let r = ctx.patch(&created, ops).await?;
            bad_request(&r, &["mutability"], &format!("PATCH {}", created.path))?;
            let after = ctx.read_back(&created).await?;
            let (was, now) = (sub_text(&before, "meta", "created"), sub_text(&after, "meta", "created"));
            Ok(Outcome::check(
                was == now,
                format!("meta.created stays {was:?}"),
                format!("meta.created is now {now:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: `op` is one of add, remove, replace; anything else is not a PatchOp (invalidSyntax;
/// invalidValue is tolerated here, the scimType check is stricter).
async fn unknown_op_400(ctx: &Ctx) -> Outcome {
    let ops = json!([op("bogus", Some("nickName"), Some(json!("x")))]);
    outcome(
        refused_and_unchanged(ctx, "patch-bogus-op", ops, |r, w| bad_request(r, &["invalidSyntax", "invalidValue"], w))
            .await,
    )
}

/// RFC 7644 section 3.5.2: the body must hold Operations; without it the request does not conform. Table 9 fits
/// two keywords: invalidSyntax (the body does not follow the PatchOp schema) and invalidValue (a required value is
/// missing), so either passes.
async fn missing_operations_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("patch-no-ops", json!({})).await?;
            let body = json!({"schemas": [PATCH_OP_URN]});
            let r = ctx.send(ScimRequest::json(Method::PATCH, &created.path, &body)).await?;
            bad_request(&r, &["invalidSyntax", "invalidValue"], &format!("PATCH {} without Operations", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12, table 9: the error keyword of each refusal. scimType is OPTIONAL in an Error, so a
/// server that leaves it out only misses an option.
async fn errors_name_scim_type(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("patch-scim-types", json!({})).await?;
            let cases = [
                ("invalidPath", op("replace", Some("emails[type eq"), Some(json!("x@example.com")))),
                ("invalidValue", op("replace", Some("active"), Some(json!("maybe")))),
                ("mutability", op("replace", Some("id"), Some(json!(uuid::Uuid::new_v4().to_string())))),
                ("invalidSyntax", op("bogus", Some("nickName"), Some(json!("x")))),
            ];
            let mut wrong = Vec::new();
            for (want, o) in cases {
                let r = ctx.patch(&created, json!([o])).await?;
                let got = r.body_json().get("scimType").and_then(Value::as_str);
                if r.status != 400 || got != Some(want) {
                    wrong.push(format!("{} answered {} (wanted scimType {want})", o, describe(&r)));
                }
            }
            Ok(Outcome::check(wrong.is_empty(), "each refusal is a 400 naming its scimType", wrong.join("; ")))
        }
        .await,
    )
}
