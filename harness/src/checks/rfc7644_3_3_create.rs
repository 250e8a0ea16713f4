//! RFC 7644 section 3.3 (and 3.3.1, RFC 7643 sections 3.1 and 4.1.1): creating resources with POST. The answer is
//! 201 with a Location equal to `meta.location`; the server assigns `id` and `meta`, ignores readOnly values the
//! client sends, keeps what it was given, and refuses duplicates (409 uniqueness, userName compared without
//! regard to case) and Users without a userName.

use super::crud::{contains, created_from, on_our_origin, post, show, str_at};
use super::support::{lists_schema, object, outcome, scim_error, status, status_in};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use scimlab_protocol::schema::USER_URN;
use scimlab_protocol::validate::parse_date_time;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.3";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.3/create-201",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a successful create answers 201 Created",
        sends: "POST /Users with a minimal User",
        consequence: "",
        catches: &["create-200"],
        run: run!(create_201),
    },
    Check {
        id: "rfc7644/3.3/create-location-header",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Http],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a create answers with a Location header equal to meta.location, and that URL serves the new \
                      resource",
        sends: "POST /Users, then GET the Location URL",
        consequence: "",
        catches: &["no-location"],
        run: run!(create_location),
    },
    Check {
        id: "rfc7644/3.3/create-returns-representation",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the create response body is the server's representation of the new User (schemas, id, \
                      userName)",
        sends: "POST /Users with a minimal User",
        consequence: "",
        catches: &["create-empty-body"],
        run: run!(create_returns_representation),
    },
    Check {
        id: "rfc7644/3.3/create-meta",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the server sets meta on create: resourceType User, created and lastModified as equal \
                      xsd:dateTime values, location ending in the id, and version when ETags are supported",
        sends: "POST /Users with a minimal User",
        consequence: "",
        catches: &["no-etag"],
        run: run!(create_meta),
    },
    Check {
        id: "rfc7644/3.3/create-ignores-readonly",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "readOnly attributes in a create body (id, meta) are ignored: the create succeeds with a \
                      server-assigned id and server-set meta",
        sends: "POST /Users with a client-chosen id and a meta from 2001",
        consequence: "",
        catches: &["readonly-not-ignored"],
        run: run!(create_ignores_readonly),
    },
    Check {
        id: "rfc7644/3.3/create-keeps-values",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "every attribute sent on create comes back with the value sent, in the response and on a later \
                      GET (userName keeps its case); the RFC lets a server alter content, hence SHOULD",
        sends: "POST /Users with a mixed-case userName, name, nickName, title, emails, phoneNumbers (and the \
                enterprise extension when announced), then GET it",
        consequence: "",
        catches: &["extension-dropped"],
        run: run!(create_keeps_values),
    },
    Check {
        id: "rfc7644/3.3/create-duplicate-409",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a create whose userName is taken answers 409 with a SCIM Error whose scimType is uniqueness",
        sends: "POST /Users twice with the same userName",
        consequence: "",
        catches: &["no-uniqueness", "no-scim-type"],
        run: run!(create_duplicate_409),
    },
    Check {
        id: "rfc7644/3.3/create-duplicate-other-case-409",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "userName is not case-exact (RFC 7643 4.1.1), so a create whose userName differs from an \
                      existing one only in case answers 409",
        sends: "POST /Users, then POST /Users with the same userName in upper case",
        consequence: "",
        catches: &["case-sensitive-username"],
        run: run!(create_duplicate_other_case_409),
    },
    Check {
        id: "rfc7644/3.3/create-without-username-400",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "every User needs a userName (RFC 7643 4.1.1): a create without one answers 400 with a SCIM \
                      Error",
        sends: "POST /Users with name and emails but no userName",
        consequence: "",
        catches: &["schema-error-500"],
        run: run!(create_without_username_400),
    },
];

fn users_path(ctx: &Ctx) -> String {
    ctx.run.path(Kind::User).to_owned()
}

/// RFC 7644 section 3.3: a successful create answers 201.
async fn create_201(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, _) = ctx.user_body("create-201");
            let r = post(ctx, Kind::User, &body).await?;
            status(&r, 201, &format!("POST {}", users_path(ctx)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.3: the new resource's URI is in the Location header and in `meta.location`, the same
/// URI in both, and it addresses the resource.
async fn create_location(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, _) = ctx.user_body("create-location");
            let r = post(ctx, Kind::User, &body).await?;
            let what = format!("POST {}", users_path(ctx));
            status_in(&r, &[200, 201], &what)?;
            let Some(location) = r.header("location").map(str::to_owned) else {
                return Ok(Outcome::fail("a Location header naming the new resource", "no Location header"));
            };
            let id = str_at(r.body_json(), &["id"]).map(str::to_owned);
            if let Some(meta_location) = str_at(r.body_json(), &["meta", "location"])
                && meta_location != location
            {
                return Ok(Outcome::fail(
                    "Location equal to meta.location",
                    format!("Location is {location}, meta.location is {meta_location}"),
                ));
            }
            let got = ctx.get(&on_our_origin(ctx, "the Location", &location)?).await?;
            status(&got, 200, &format!("GET {location} (the Location)"))?;
            let got_id = str_at(got.body_json(), &["id"]);
            Ok(match (&id, got_id) {
                (Some(id), Some(g)) if g == id => Outcome::Pass,
                (None, Some(_)) => Outcome::Pass,
                _ => Outcome::fail(
                    format!("GET {location} serves the created resource (id {})", id.as_deref().unwrap_or("?")),
                    format!("it served id {}", got_id.unwrap_or("absent")),
                ),
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.3: the response body SHOULD hold the server's representation of the new resource.
async fn create_returns_representation(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("create-representation");
            let r = post(ctx, Kind::User, &body).await?;
            let what = format!("POST {}", users_path(ctx));
            status_in(&r, &[200, 201], &what)?;
            let obj = Value::Object(object(&r, &what)?.clone());
            if !lists_schema(&obj, USER_URN) {
                return Ok(Outcome::fail(
                    format!("the body's schemas lists {USER_URN}"),
                    format!("schemas is {}", show(obj.get("schemas"))),
                ));
            }
            if str_at(&obj, &["id"]).is_none_or(str::is_empty) {
                return Ok(Outcome::fail("the body carries the new id", format!("id is {}", show(obj.get("id")))));
            }
            Ok(Outcome::check(
                str_at(&obj, &["userName"]) == Some(name.as_str()),
                format!("the body's userName is {name:?}"),
                format!("userName is {}", show(obj.get("userName"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.3.1 and RFC 7643 section 3.1: the server sets `meta`: `resourceType` from the endpoint,
/// `created` and `lastModified` as dateTimes (equal until the first change), `location`, and `version` when it
/// supports ETags (RFC 7644 section 3.14).
async fn create_meta(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("create-meta", json!({})).await?;
            let body = match &created.body {
                Value::Object(_) => created.body.clone(),
                _ => ctx.read_back(&created).await?,
            };
            let Some(meta) = body.get("meta").filter(|m| m.is_object()) else {
                return Ok(Outcome::fail("the new User carries meta", "meta is absent"));
            };
            let field = |n: &str| str_at(meta, &[n]);
            if field("resourceType") != Some("User") {
                return Ok(Outcome::fail(
                    "meta.resourceType is \"User\"",
                    format!("meta.resourceType is {}", show(meta.get("resourceType"))),
                ));
            }
            let created_at = field("created").and_then(parse_date_time);
            let modified_at = field("lastModified").and_then(parse_date_time);
            let (Some(c), Some(m)) = (created_at, modified_at) else {
                return Ok(Outcome::fail(
                    "meta.created and meta.lastModified are xsd:dateTime strings",
                    format!("created {}, lastModified {}", show(meta.get("created")), show(meta.get("lastModified"))),
                ));
            };
            if c != m {
                return Ok(Outcome::fail(
                    "lastModified equals created on a resource never modified",
                    format!("created {c}, lastModified {m}"),
                ));
            }
            if !field("location").is_some_and(|l| l.trim_end_matches('/').ends_with(&format!("/{}", created.id))) {
                return Ok(Outcome::fail(
                    format!("meta.location is the URL of the resource (ends with /{})", created.id),
                    format!("meta.location is {}", show(meta.get("location"))),
                ));
            }
            if ctx.run.has(Capability::Etag) && field("version").is_none_or(str::is_empty) {
                return Ok(Outcome::fail(
                    "meta.version, since the ServiceProviderConfig announces etag.supported",
                    "meta.version is absent",
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.3: readOnly attributes in the request body SHALL be ignored; RFC 7643 section 3.1: the
/// service provider issues `id` and sets `meta`.
async fn create_ignores_readonly(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (mut body, _) = ctx.user_body("create-readonly");
            let client_id = ctx.unique("client-chosen-id");
            let old = "2001-01-01T00:00:00Z";
            crate::ctx::merge(
                &mut body,
                json!({"id": client_id, "meta": {"resourceType": "Group", "created": old, "lastModified": old}}),
            );
            let r = post(ctx, Kind::User, &body).await?;
            let what = format!("POST {} with id and meta", users_path(ctx));
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::fail(
                    format!("{what} succeeds: readOnly values are ignored, not refused"),
                    format!("{what} answered {}", crate::ctx::describe(&r)),
                ));
            }
            let Some(created) = created_from(ctx, Kind::User, &r) else {
                return Ok(Outcome::Skip("prerequisite failed: the create answered without an id".into()));
            };
            let shown = if created.body.is_object() { created.body.clone() } else { ctx.read_back(&created).await? };
            if created.id == client_id {
                return Ok(Outcome::fail(
                    "a server-assigned id",
                    format!("the server kept the client's id {client_id:?}"),
                ));
            }
            let meta_created = str_at(&shown, &["meta", "created"]);
            let resource_type = str_at(&shown, &["meta", "resourceType"]);
            if meta_created.and_then(parse_date_time) == parse_date_time(old) || resource_type == Some("Group") {
                return Ok(Outcome::fail(
                    "meta set by the server, not the meta sent",
                    format!("meta is {}", show(shown.get("meta"))),
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.3 (the response reflects the created resource) and section 3.1 (responses reflect the
/// server's state): what a client sends comes back unaltered. The RFC lets a server alter content, so a miss is
/// a warning.
async fn create_keeps_values(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let name = ctx.unique("Keep-MiXeD-Case");
            let mut body = json!({
                "schemas": [USER_URN],
                "userName": name,
                "name": {"givenName": "Grace", "familyName": "Hopper", "formatted": "Grace Hopper"},
                "displayName": "Grace Hopper",
                "nickName": "Amazing Grace",
                "title": "Rear Admiral",
                "active": true,
                "emails": [{"value": format!("{}@example.com", name.to_ascii_lowercase()), "type": "work", "primary": true}],
                "phoneNumbers": [{"value": "tel:+1-201-555-0123", "type": "work"}]
            });
            if ctx.run.has(Capability::EnterpriseUser) {
                let urn = ctx.enterprise_urn();
                if let Some(o) = body.as_object_mut() {
                    o.insert("schemas".into(), json!([USER_URN, urn]));
                    o.insert(urn.into(), json!({"employeeNumber": "701", "department": "Navy"}));
                }
            }
            // RFC 7643 section 7: a server may publish a subset of the core schema; only what it defines is
            // sent and expected back.
            let body = ctx.only_defined(Kind::User, &body);
            let created = ctx.create(Kind::User, &body).await?;
            if created.body.is_object()
                && let Err(miss) = contains(&body, &created.body, "")
            {
                return Ok(Outcome::fail(
                    "the create response carries every attribute with the value sent",
                    format!("in the create response, {miss}"),
                ));
            }
            let got = ctx.read_back(&created).await?;
            Ok(match contains(&body, &got, "") {
                Ok(()) => Outcome::Pass,
                Err(miss) => Outcome::fail(
                    "GET returns every attribute with the value sent",
                    format!("on GET {}, {miss}", created.path),
                ),
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.3: a create that conflicts with an existing resource (a duplicate userName) MUST answer
/// 409 with scimType uniqueness.
async fn create_duplicate_409(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("create-duplicate");
            ctx.create(Kind::User, &body).await?;
            let mut again = body.clone();
            crate::ctx::merge(
                &mut again,
                json!({"emails": [{"value": format!("other-{name}@example.com"), "type": "work"}]}),
            );
            let r = post(ctx, Kind::User, &again).await?;
            scim_error(
                &r,
                409,
                Some("uniqueness"),
                &format!("a second POST {} with userName {name:?}", users_path(ctx)),
            )?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 4.1.1 (userName is unique and case-insensitive) with RFC 7644 section 3.3 (409 for a
/// conflicting create): a userName that differs only in case is a duplicate.
async fn create_duplicate_other_case_409(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("create-dup-case");
            ctx.create(Kind::User, &body).await?;
            let upper = name.to_ascii_uppercase();
            let mut again = body.clone();
            crate::ctx::merge(
                &mut again,
                json!({"userName": upper, "emails": [{"value": format!("other-{name}@example.com"), "type": "work"}]}),
            );
            let r = post(ctx, Kind::User, &again).await?;
            scim_error(&r, 409, None, &format!("POST {} with userName {upper:?} after {name:?}", users_path(ctx)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 4.1.1: each User MUST have a non-empty userName, so a create without one is a bad request
/// (RFC 7644 section 3.12: 400, the body violates the schema).
async fn create_without_username_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (mut body, name) = ctx.user_body("create-no-username");
            if let Some(o) = body.as_object_mut() {
                o.remove("userName");
                o.insert("externalId".into(), Value::String(name.clone()));
                o.insert("displayName".into(), Value::String(name));
            }
            let r = post(ctx, Kind::User, &body).await?;
            scim_error(&r, 400, None, &format!("POST {} without userName", users_path(ctx)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
