//! RFC 7644 section 3.14: versioning with ETags, for servers that announce `etag.supported`. The ETag header on
//! reads and creates, `meta.version`, a new tag after a change, conditional GET (If-None-Match, 304), and
//! preconditions on writes (If-Match: 412 for a stale tag with nothing changed, success for the current one).
//!
//! Resources are modified with PUT where a change is only a means (so these checks do not depend on PATCH), and
//! the conditional requests follow RFC 7232, which section 3.14 builds on.

use super::rfc7644_3_5_2_patch::{op, unchanged};
use super::support::{excerpt, outcome, status, status_in};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, describe};
use crate::run;
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::schema::PATCH_OP_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.14";

const ETAG_USERS: &[Capability] = &[Capability::Etag, Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.14/etag-header-on-get",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Read],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "GET of a resource answers with an ETag header holding a well-formed entity-tag",
        sends: "POST /Users, GET /Users/{id}",
        consequence: "",
        catches: &["no-etag"],
        run: run!(etag_header_on_get),
    },
    Check {
        id: "rfc7644/3.14/etag-header-on-create",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Create],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "the 201 of a create carries the new resource's ETag header",
        sends: "POST /Users",
        consequence: "",
        catches: &["no-etag"],
        run: run!(etag_header_on_create),
    },
    Check {
        id: "rfc7644/3.14/meta-version-matches-etag",
        level: Level::Should,
        tags: &[Tag::Etag, Tag::Users, Tag::Read],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "the resource's meta.version holds the version, equal to the ETag header",
        sends: "POST /Users, GET /Users/{id}",
        consequence: "",
        catches: &["no-etag"],
        run: run!(meta_version_matches_etag),
    },
    Check {
        id: "rfc7644/3.14/etag-changes-after-update",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Replace],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "after a modification the resource answers with a different ETag",
        sends: "POST /Users, GET, PUT /Users/{id} (displayName changed), GET",
        consequence: "",
        catches: &["no-etag"],
        run: run!(etag_changes_after_update),
    },
    Check {
        id: "rfc7644/3.14/if-none-match-304",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Read],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "GET with If-None-Match naming the current ETag answers 304; naming an old one, 200 with the \
                      resource",
        sends: "POST /Users, GET, GET If-None-Match: current, PUT, GET If-None-Match: old",
        consequence: "",
        catches: &["if-none-match-ignored"],
        run: run!(if_none_match_304),
    },
    Check {
        id: "rfc7644/3.14/if-match-stale-put-412",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Replace],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "PUT with If-Match naming an outdated ETag answers 412 and changes nothing",
        sends: "POST /Users, GET, PUT, PUT If-Match: old ETag, GET",
        consequence: "",
        catches: &["if-match-ignored"],
        run: run!(if_match_stale_put_412),
    },
    Check {
        id: "rfc7644/3.14/if-match-stale-patch-412",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Patch],
        requires: &[Capability::Etag, Capability::Users, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "PATCH with If-Match naming an outdated ETag answers 412 and changes nothing",
        sends: "POST /Users, GET, PUT, PATCH If-Match: old ETag, GET",
        consequence: "",
        catches: &["if-match-ignored"],
        run: run!(if_match_stale_patch_412),
    },
    Check {
        id: "rfc7644/3.14/if-match-stale-delete-412",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Delete],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "DELETE with If-Match naming an outdated ETag answers 412 and the resource stays",
        sends: "POST /Users, GET, PUT, DELETE If-Match: old ETag, GET",
        consequence: "",
        catches: &["if-match-ignored"],
        run: run!(if_match_stale_delete_412),
    },
    Check {
        id: "rfc7644/3.14/if-match-current-succeeds",
        level: Level::Must,
        tags: &[Tag::Etag, Tag::Users, Tag::Replace, Tag::Delete],
        requires: ETAG_USERS,
        profiles: &[Profile::Rfc],
        requirement: "PUT, PATCH (when supported) and DELETE with If-Match naming the current ETag succeed",
        sends: "POST /Users, GET, PUT If-Match: current, GET, PATCH If-Match: current, GET, DELETE If-Match: current",
        consequence: "",
        catches: &["if-match-refused"],
        run: run!(if_match_current_succeeds),
    },
];

/// RFC 7232 section 2.3: `entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE`, etagc being visible characters other than
/// DQUOTE (and obs-text).
fn well_formed(tag: &str) -> bool {
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    opaque.len() >= 2
        && opaque.starts_with('"')
        && opaque.ends_with('"')
        && opaque[1..opaque.len() - 1].bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
}

/// The ETag header of a response, or the failure.
fn etag_of(r: &ScimResponse, what: &str) -> Result<String, Outcome> {
    match r.header("etag") {
        Some(t) if well_formed(t.trim()) => Ok(t.trim().to_owned()),
        Some(t) => Err(Outcome::fail(
            format!("{what} carries a well-formed ETag (\"...\" or W/\"...\")"),
            format!("ETag is {t:?}"),
        )),
        None => Err(Outcome::fail(format!("{what} carries an ETag header"), "no ETag header")),
    }
}

/// GET a created resource: the body and the ETag (its absence is the failure).
async fn get_tagged(ctx: &Ctx, created: &Created) -> Result<(Value, String), Outcome> {
    let r = ctx.get(&created.path).await?;
    status(&r, 200, &format!("GET {}", created.path))?;
    let tag = etag_of(&r, &format!("GET {}", created.path))?;
    Ok((r.json.unwrap_or(Value::Null), tag))
}

/// As [`get_tagged`], but a missing ETag is a skip: the checks that need one to work with are not the ones that
/// judge its presence.
async fn get_tag_or_skip(ctx: &Ctx, created: &Created) -> Result<(Value, String), Outcome> {
    get_tagged(ctx, created).await.map_err(|o| match o {
        Outcome::Fail { actual, .. } => Outcome::Skip(format!(
            "prerequisite failed: no usable ETag on GET ({actual}); etag-header-on-get judges it"
        )),
        other => other,
    })
}

/// The body of a PUT that changes `displayName` of `current` (as read), without its server-managed `meta`.
fn put_body(current: &Value, display_name: &str) -> Value {
    let mut body = current.clone();
    if let Some(o) = body.as_object_mut() {
        scimlab_protocol::json::remove_ci(o, "meta");
        o.insert("displayName".into(), json!(display_name));
    }
    body
}

/// PUT `created` with `body`, with `If-Match: tag` when given.
async fn put(ctx: &Ctx, created: &Created, body: &Value, if_match: Option<&str>) -> Result<ScimResponse, Outcome> {
    let mut req = ScimRequest::json(Method::PUT, &created.path, body);
    if let Some(t) = if_match {
        req = req.header("If-Match", t);
    }
    ctx.send(req).await
}

/// A User whose ETag has moved on: returns it, the outdated ETag, and the current representation. Skips when
/// no ETag is shown or it does not change (other checks judge those).
async fn with_stale_tag(ctx: &Ctx, label: &str) -> Result<(Created, String, Value), Outcome> {
    let created = ctx.create_user(label, json!({})).await?;
    let (body, old) = get_tag_or_skip(ctx, &created).await?;
    let r = put(ctx, &created, &put_body(&body, &ctx.unique("moved-on")), None).await?;
    status(&r, 200, &format!("PUT {}", created.path)).map_err(|o| match o {
        Outcome::Fail { actual, .. } => Outcome::Skip(format!("prerequisite failed: {actual}")),
        other => other,
    })?;
    let (current, new) = get_tag_or_skip(ctx, &created).await?;
    if new == old {
        return Err(Outcome::Skip(format!(
            "the ETag stayed {old} after a PUT, so no tag is outdated; etag-changes-after-update judges that"
        )));
    }
    Ok((created, old, current))
}

/// RFC 7644 section 3.14: when supported, ETags must be given as an HTTP header.
async fn etag_header_on_get(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-get", json!({})).await?;
            get_tagged(ctx, &created).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.14 (its create example answers with the ETag): the new resource's version is given as an
/// HTTP header.
async fn etag_header_on_create(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-create", json!({})).await?;
            let tag = created.etag.as_deref().unwrap_or("");
            Ok(Outcome::check(
                well_formed(tag.trim()),
                format!("the 201 of POST {} carries a well-formed ETag", ctx.run.path(created.kind)),
                if tag.is_empty() { "no ETag header".to_owned() } else { format!("ETag is {tag:?}") },
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.14: the ETag should also be given as `meta.version` (RFC 7643 section 3.1: the same value
/// as the ETag header).
async fn meta_version_matches_etag(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-meta", json!({})).await?;
            let r = ctx.get(&created.path).await?;
            status(&r, 200, &format!("GET {}", created.path))?;
            let version = r.body_json().pointer("/meta/version").and_then(Value::as_str);
            let header = r.header("etag");
            Ok(Outcome::check(
                version.is_some() && version.map(str::trim) == header.map(str::trim),
                "meta.version is present and equal to the ETag header",
                format!("meta.version is {version:?}, the ETag header {header:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.14 with RFC 7232 section 2.3: an entity-tag tells versions apart, so a modified resource
/// has a new one (else If-Match could not refuse outdated writes).
async fn etag_changes_after_update(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-change", json!({})).await?;
            let (body, old) = get_tagged(ctx, &created).await?;
            let r = put(ctx, &created, &put_body(&body, &ctx.unique("changed")), None).await?;
            status(&r, 200, &format!("PUT {}", created.path))?;
            let (_, new) = get_tagged(ctx, &created).await?;
            Ok(Outcome::check(
                new != old,
                format!("an ETag other than {old} after the PUT"),
                format!("the ETag is still {new}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.14 with RFC 7232 section 3.2: If-None-Match with the current tag is answered 304 with no
/// body; with an outdated tag the condition holds and the resource is returned.
async fn if_none_match_304(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-inm", json!({})).await?;
            let (body, old) = get_tag_or_skip(ctx, &created).await?;
            let r = ctx.send(ScimRequest::get(&created.path).header("If-None-Match", &old)).await?;
            status(&r, 304, &format!("GET {} with If-None-Match: {old}", created.path))?;
            let name = ctx.unique("after-inm");
            let w = put(ctx, &created, &put_body(&body, &name), None).await?;
            status(&w, 200, &format!("PUT {}", created.path))?;
            let r = ctx.send(ScimRequest::get(&created.path).header("If-None-Match", &old)).await?;
            status(&r, 200, &format!("GET {} with the outdated If-None-Match: {old}", created.path))?;
            let shown = r.body_json().get("displayName").and_then(Value::as_str);
            Ok(Outcome::check(
                shown == Some(name.as_str()),
                format!("the 200 shows the changed displayName {name:?}"),
                format!("displayName is {shown:?}"),
            ))
        }
        .await,
    )
}

/// Requires a 412 for a request made with an outdated If-Match.
fn precondition_failed(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    status(r, 412, what)
}

/// RFC 7644 section 3.14: PUT with If-Match succeeds only if the tag is the current one; otherwise 412
/// Precondition Failed (section 3.12), and the resource is untouched.
async fn if_match_stale_put_412(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, old, current) = with_stale_tag(ctx, "etag-put-412").await?;
            let r = put(ctx, &created, &put_body(&current, &ctx.unique("lost-update")), Some(&old)).await?;
            precondition_failed(&r, &format!("PUT {} with If-Match: {old}", created.path))?;
            unchanged(ctx, &created, &current, "the refused PUT").await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.14: PATCH with an outdated If-Match is 412, and the resource is untouched.
async fn if_match_stale_patch_412(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, old, current) = with_stale_tag(ctx, "etag-patch-412").await?;
            let body = json!({
                "schemas": [PATCH_OP_URN],
                "Operations": [op("replace", Some("displayName"), Some(json!(ctx.unique("lost-update"))))]
            });
            let r = ctx.send(ScimRequest::json(Method::PATCH, &created.path, &body).header("If-Match", &old)).await?;
            precondition_failed(&r, &format!("PATCH {} with If-Match: {old}", created.path))?;
            unchanged(ctx, &created, &current, "the refused PATCH").await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12 (412 applies to DELETE) with RFC 7232 section 3.1: DELETE with an outdated If-Match is
/// 412 and the resource is still there.
async fn if_match_stale_delete_412(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, old, _) = with_stale_tag(ctx, "etag-delete-412").await?;
            let r = ctx.send(ScimRequest::delete(&created.path).header("If-Match", &old)).await?;
            if (200..300).contains(&r.status) {
                ctx.run.forget(created.kind, &created.id);
            }
            precondition_failed(&r, &format!("DELETE {} with If-Match: {old}", created.path))?;
            let still = ctx.get(&created.path).await?;
            Ok(Outcome::check(
                still.status == 200,
                "the resource is still there (GET answers 200)",
                format!("GET {} answered {}", created.path, describe(&still)),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.14: a write whose If-Match names the current version goes ahead.
async fn if_match_current_succeeds(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("etag-current", json!({})).await?;
            let (body, tag) = get_tag_or_skip(ctx, &created).await?;
            let name = ctx.unique("put-current");
            let r = put(ctx, &created, &put_body(&body, &name), Some(&tag)).await?;
            status(&r, 200, &format!("PUT {} with the current If-Match: {tag}", created.path))?;
            let (back, mut tag) = get_tag_or_skip(ctx, &created).await?;
            if back.get("displayName").and_then(Value::as_str) != Some(name.as_str()) {
                return Ok(Outcome::fail(
                    format!("the PUT with the current If-Match set displayName {name:?}"),
                    format!("GET shows {}", excerpt(&back.to_string())),
                ));
            }
            if ctx.run.has(Capability::Patch) {
                let body = json!({
                    "schemas": [PATCH_OP_URN],
                    "Operations": [op("replace", Some("nickName"), Some(json!("current-tag")))]
                });
                let req = ScimRequest::json(Method::PATCH, &created.path, &body).header("If-Match", &tag);
                let r = ctx.send(req).await?;
                status_in(&r, &[200, 204], &format!("PATCH {} with the current If-Match: {tag}", created.path))?;
                tag = get_tag_or_skip(ctx, &created).await?.1;
            }
            let r = ctx.send(ScimRequest::delete(&created.path).header("If-Match", &tag)).await?;
            if (200..300).contains(&r.status) {
                ctx.run.forget(created.kind, &created.id);
            }
            status_in(&r, &[200, 204], &format!("DELETE {} with the current If-Match: {tag}", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
