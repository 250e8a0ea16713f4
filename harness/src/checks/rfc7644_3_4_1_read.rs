//! RFC 7644 section 3.4.1: retrieving a known resource. GET on `/Users/{id}` answers 200 with the resource
//! itself (not a list), the same representation the create returned, and an unknown id answers 404 with a SCIM
//! Error.

use super::crud::{contains, show, str_at};
use super::support::{lists_schema, object, outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use scimlab_protocol::schema::USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.1";

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.1/read-returns-resource",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Read],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "GET /Users/{id} answers 200 with the User itself (schemas lists the User schema, same id), \
                      holding the values the create returned",
        sends: "POST /Users, then GET /Users/{id}",
        consequence: "",
        catches: &["read-as-list"],
        run: run!(read_returns_resource),
    },
    Check {
        id: "rfc7644/3.4.1/read-unknown-404",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Read, Tag::Errors],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "GET of an id that does not exist answers 404 with a SCIM Error",
        sends: "GET /Users/scimlab-missing-{uuid}",
        consequence: "",
        catches: &["not-found-200", "error-plain-text"],
        run: run!(read_unknown_404),
    },
    Check {
        id: "rfc7644/3.4.1/read-group-unknown-404",
        level: Level::Must,
        tags: &[Tag::Groups, Tag::Read, Tag::Errors],
        requires: &[Capability::Groups],
        profiles: &[Profile::Rfc],
        requirement: "GET of a Group id that does not exist answers 404 with a SCIM Error",
        sends: "GET /Groups/scimlab-missing-{uuid}",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(read_group_unknown_404),
    },
];

/// RFC 7644 section 3.4.1: a GET of an existing resource answers 200 with the resource in the body; section
/// 3.1: responses reflect the resource state, so the values match what the create answered.
async fn read_returns_resource(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("read", json!({"nickName": "Reader", "title": "Librarian"})).await?;
            let r = ctx.get(&created.path).await?;
            let what = format!("GET {}", created.path);
            status(&r, 200, &what)?;
            let body = Value::Object(object(&r, &what)?.clone());
            if !lists_schema(&body, USER_URN) {
                return Ok(Outcome::fail(
                    format!("the body is the User itself: schemas lists {USER_URN}"),
                    format!("schemas is {}", show(body.get("schemas"))),
                ));
            }
            if str_at(&body, &["id"]) != Some(created.id.as_str()) {
                return Ok(Outcome::fail(format!("id {:?}", created.id), format!("id is {}", show(body.get("id")))));
            }
            let mut expected = created.body.clone();
            match expected.as_object_mut() {
                Some(o) => {
                    o.remove("meta");
                }
                None => return Ok(Outcome::Pass),
            }
            Ok(match contains(&expected, &body, "") {
                Ok(()) => Outcome::Pass,
                Err(miss) => Outcome::fail("the values the create answered with", format!("on GET, {miss}")),
            })
        }
        .await,
    )
}

async fn unknown_404(ctx: &Ctx, kind: Kind) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(kind);
            let r = ctx.get(&path).await?;
            scim_error(&r, 404, None, &format!("GET {path}"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12: a resource that does not exist is 404, with a SCIM Error body.
async fn read_unknown_404(ctx: &Ctx) -> Outcome {
    unknown_404(ctx, Kind::User).await
}

/// RFC 7644 section 3.12: a Group that does not exist is 404, with a SCIM Error body.
async fn read_group_unknown_404(ctx: &Ctx) -> Outcome {
    unknown_404(ctx, Kind::Group).await
}
