//! RFC 7644 section 3.5.1: replacing a resource with PUT. Values provided replace the stored ones, `null`
//! clears, omitted attributes may be cleared, readOnly values are ignored, `id` never changes, the answer is 200
//! with the resource, and a PUT never creates (404 for an unknown id).

use super::crud::{has_value, nested, put, replacement, show, str_at, success};
use super::support::{object, outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use reqwest::Method;
use scimlab_mock_idp::ScimRequest;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.1";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.5.1/put-replaces-values",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the values a PUT provides replace the stored ones (a later GET shows them)",
        sends: "POST /Users, PUT /Users/{id} with new displayName, nickName and name, GET /Users/{id}",
        consequence: "",
        catches: &["put-noop"],
        run: run!(put_replaces_values),
    },
    Check {
        id: "rfc7644/3.5.1/put-returns-resource",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a successful PUT answers 200 with the whole updated resource",
        sends: "POST /Users, PUT /Users/{id} with a new title",
        consequence: "",
        catches: &["put-noop"],
        run: run!(put_returns_resource),
    },
    Check {
        id: "rfc7644/3.5.1/put-omitted-cleared",
        level: Level::May,
        tags: &[Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a readWrite attribute the PUT body omits is cleared (the RFC lets a server keep or default \
                      it instead, hence MAY)",
        sends: "POST /Users with a title, PUT /Users/{id} without title, GET /Users/{id}",
        consequence: "",
        catches: &["put-ignores-omitted"],
        run: run!(put_omitted_cleared),
    },
    Check {
        id: "rfc7644/3.5.1/put-null-clears",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Replace, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a PUT that gives a single-valued attribute the value null clears it (provided values replace; \
                      null is no value, RFC 7643 2.5)",
        sends: "POST /Users with a nickName, PUT /Users/{id} with \"nickName\": null, GET /Users/{id}",
        consequence: "",
        catches: &["put-ignores-omitted"],
        run: run!(put_null_clears),
    },
    Check {
        id: "rfc7644/3.5.1/put-ignores-readonly",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Replace, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "readOnly values in a PUT body (meta, groups) are ignored: the PUT succeeds and they keep the \
                      server's values",
        sends: "POST /Users, PUT /Users/{id} with a meta from 2001 and a made-up groups entry, GET /Users/{id}",
        consequence: "",
        catches: &["readonly-not-ignored"],
        run: run!(put_ignores_readonly),
    },
    Check {
        id: "rfc7644/3.5.1/put-keeps-id",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Replace, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "id is stable (RFC 7643 3.1): a PUT carrying another id is ignored or refused, never applied",
        sends: "POST /Users, PUT /Users/{id} whose body says another id, GET /Users/{id}",
        consequence: "",
        catches: &["readonly-not-ignored"],
        run: run!(put_keeps_id),
    },
    Check {
        id: "rfc7644/3.5.1/put-unknown-404",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Replace, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "PUT never creates: a PUT to an id that does not exist answers 404 with a SCIM Error and \
                      nothing appears there",
        sends: "PUT /Users/scimlab-missing-{uuid} with a valid User, then GET it",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(put_unknown_404),
    },
];

/// RFC 7644 section 3.5.1: for readWrite attributes, any values provided SHALL replace the existing ones.
async fn put_replaces_values(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("put-values", json!({"nickName": "Before"})).await?;
            // RFC 7643 section 7: only the attributes the server defines are replaced and expected back.
            let changes = ctx.only_defined(
                Kind::User,
                &json!({
                    "displayName": "After Name",
                    "nickName": "After",
                    "name": {"givenName": "Changed", "familyName": "Person"}
                }),
            );
            let body = replacement(ctx, &created, changes.clone()).await?;
            let r = put(ctx, &created, &body).await?;
            success(&r, &format!("PUT {}", created.path))?;
            let got = ctx.read_back(&created).await?;
            Ok(match super::crud::contains(&changes, &got, "") {
                Ok(()) => Outcome::Pass,
                Err(miss) => Outcome::fail("GET shows the values the PUT provided", format!("after the PUT, {miss}")),
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1: a successful PUT returns 200 and the entire resource in the body.
async fn put_returns_resource(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // RFC 7643 section 7: a single-valued string attribute the server defines.
            let attr = ctx.first_defined(Kind::User, &["title", "nickName", "displayName", "name.givenName"])?;
            let path: Vec<&str> = attr.split('.').collect();
            let created = ctx.create_user("put-returns", nested(&path, json!("Before Title"))).await?;
            let body = replacement(ctx, &created, nested(&path, json!("After Title"))).await?;
            let r = put(ctx, &created, &body).await?;
            let what = format!("PUT {}", created.path);
            status(&r, 200, &what)?;
            let got = Value::Object(object(&r, &what)?.clone());
            if str_at(&got, &["id"]) != Some(created.id.as_str()) {
                return Ok(Outcome::fail(
                    format!("the body is the resource {}", created.id),
                    format!("id is {}", show(got.get("id"))),
                ));
            }
            Ok(Outcome::check(
                str_at(&got, &path) == Some("After Title"),
                format!("the body shows the new {attr} \"After Title\""),
                format!("{attr} is {}", show(super::crud::at(&got, &path))),
            ))
        }
        .await,
    )
}

/// PUTs `body` and reads the resource back; the attribute `name`, which must have a value before (else the
/// check could pass without the PUT clearing anything), must then have none.
async fn cleared_after(ctx: &Ctx, created: &crate::ctx::Created, body: &Value, name: &str) -> Result<Outcome, Outcome> {
    let before = ctx.read_back(created).await?;
    if !has_value(&before, &[name]) {
        return Ok(Outcome::Skip(format!("prerequisite failed: the server did not keep the {name} sent on create")));
    }
    let r = put(ctx, created, body).await?;
    success(&r, &format!("PUT {}", created.path))?;
    let got = ctx.read_back(created).await?;
    Ok(Outcome::check(
        !has_value(&got, &[name]),
        format!("{name} has no value after the PUT"),
        format!("{name} is {}", show(super::crud::at(&got, &[name]))),
    ))
}

/// RFC 7644 section 3.5.1: a readWrite attribute omitted from the body MAY be taken as cleared.
async fn put_omitted_cleared(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("put-omitted", json!({"title": "To Be Dropped"})).await?;
            let body = replacement(ctx, &created, json!({"title": null})).await?;
            cleared_after(ctx, &created, &body, "title").await
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1 (values provided replace existing ones) with RFC 7643 section 2.5 (null is the same
/// as no value): `"nickName": null` clears it.
async fn put_null_clears(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("put-null", json!({"nickName": "Nick"})).await?;
            let mut body = replacement(ctx, &created, json!({"nickName": null})).await?;
            if let Some(o) = body.as_object_mut() {
                o.insert("nickName".into(), Value::Null);
            }
            cleared_after(ctx, &created, &body, "nickName").await
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1: readOnly values provided SHALL be ignored.
async fn put_ignores_readonly(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("put-readonly", json!({})).await?;
            let before = ctx.read_back(&created).await?;
            let old = "2001-01-01T00:00:00Z";
            let bogus_group = ctx.missing_id();
            let mut body = replacement(ctx, &created, json!({})).await?;
            if let Some(o) = body.as_object_mut() {
                o.insert("meta".into(), json!({"resourceType": "Group", "created": old, "lastModified": old}));
                o.insert("groups".into(), json!([{"value": bogus_group, "display": "Not a group"}]));
            }
            let r = put(ctx, &created, &body).await?;
            let what = format!("PUT {} with meta and groups", created.path);
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::fail(
                    format!("{what} succeeds: readOnly values are ignored, not refused"),
                    format!("{what} answered {}", crate::ctx::describe(&r)),
                ));
            }
            let got = ctx.read_back(&created).await?;
            let created_before = str_at(&before, &["meta", "created"]);
            let created_after = str_at(&got, &["meta", "created"]);
            if created_after != created_before || str_at(&got, &["meta", "resourceType"]) == Some("Group") {
                return Ok(Outcome::fail(
                    format!("meta unchanged by the PUT (created {})", created_before.unwrap_or("?")),
                    format!("meta is {}", show(got.get("meta"))),
                ));
            }
            Ok(Outcome::check(
                !super::crud::group_ids(&got).contains(&bogus_group),
                "groups unchanged by the PUT",
                format!("groups is {}", show(super::crud::at(&got, &["groups"]))),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 3.1: `id` is stable and issued by the server; RFC 7644 section 3.5.1: readOnly values in a
/// PUT are ignored. Refusing the body is tolerated; changing the id is not.
async fn put_keeps_id(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("put-id", json!({})).await?;
            let other = ctx.unique("other-id");
            let mut body = replacement(ctx, &created, json!({})).await?;
            if let Some(o) = body.as_object_mut() {
                o.insert("id".into(), Value::String(other.clone()));
            }
            let r = put(ctx, &created, &body).await?;
            if (200..300).contains(&r.status)
                && let Some(id) = str_at(r.body_json(), &["id"]).filter(|id| *id != created.id)
            {
                return Ok(Outcome::fail(format!("id stays {:?}", created.id), format!("PUT answered with id {id:?}")));
            }
            let got = ctx.read_back(&created).await?;
            Ok(Outcome::check(
                str_at(&got, &["id"]) == Some(created.id.as_str()),
                format!("GET {} shows id {:?}", created.path, created.id),
                format!("id is {}", show(got.get("id"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.2 (PUT MUST NOT create) and section 3.12 (404 for a resource that does not exist).
async fn put_unknown_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(Kind::User);
            let (body, _) = ctx.user_body("put-unknown");
            let r = ctx.send(ScimRequest::json(Method::PUT, &path, &body)).await?;
            // A wrong server may create the resource: its own answer names it, so cleanup can remove it.
            if (200..300).contains(&r.status)
                && let Some(id) = r.body_json().get("id").and_then(serde_json::Value::as_str)
            {
                ctx.adopt(Kind::User, id).map_err(|d| crate::ctx::id_defect(&d))?;
            }
            scim_error(&r, 404, None, &format!("PUT {path}"))?;
            let after = ctx.get(&path).await?;
            status(&after, 404, &format!("GET {path} after the PUT"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
