//! RFC 7644 sections 3.1, 3.2 and 3.8: SCIM over HTTP. SCIM bodies, errors included, are labelled
//! `application/scim+json` (the default when the client names no format); a server should also take plain
//! `application/json`; a method an endpoint does not serve is 405. The checks span section 3's HTTP rules, so
//! this file's section is `rfc7644/3` and each id names its subsection.

use super::crud::{post_request, show, str_at};
use super::support::{media_type, outcome, scim_error, status, uncoded};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3";

const USERS: &[Capability] = &[Capability::Users];
const SCIM_JSON: &str = "application/scim+json";

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.1/response-media-type",
        level: Level::Must,
        tags: &[Tag::Http, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "resources are answered as application/scim+json to a client that accepts it (create and \
                      read)",
        sends: "POST /Users and GET /Users/{id}, both with Accept: application/scim+json",
        consequence: "",
        catches: &["wrong-content-type"],
        run: run!(response_media_type),
    },
    Check {
        id: "rfc7644/3.1/error-media-type",
        level: Level::Must,
        tags: &[Tag::Http, Tag::Errors, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a SCIM Error is labelled application/scim+json",
        sends: "GET /Users/scimlab-missing-{uuid} with Accept: application/scim+json",
        consequence: "",
        catches: &["wrong-content-type", "error-plain-text"],
        run: run!(error_media_type),
    },
    Check {
        id: "rfc7644/3.8/no-accept-defaults-to-scim-json",
        level: Level::Should,
        tags: &[Tag::Http, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a request that names no format (no Accept header of its own) is answered as \
                      application/scim+json",
        sends: "POST /Users, GET /Users/{id} without an Accept header",
        consequence: "",
        catches: &["wrong-content-type"],
        run: run!(no_accept_defaults_to_scim_json),
    },
    Check {
        id: "rfc7644/3.8/plain-json-accepted",
        level: Level::Should,
        tags: &[Tag::Http, Tag::Users, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a create sent as application/json (Content-Type and Accept) is served like \
                      application/scim+json",
        sends: "POST /Users with Content-Type: application/json and Accept: application/json",
        consequence: "",
        catches: &["plain-json-refused"],
        run: run!(plain_json_accepted),
    },
    Check {
        id: "rfc7644/3.2/method-not-allowed-405",
        level: Level::Should,
        tags: &[Tag::Http, Tag::Errors, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a method the endpoint does not serve (POST on /Users/{id}) answers 405 with a SCIM Error and \
                      an Allow header (RFC 7231 6.5.5)",
        sends: "POST /Users, POST /Users/{id}",
        consequence: "",
        catches: &["no-405"],
        run: run!(method_not_allowed_405),
    },
    Check {
        id: "rfc7644/3.1/identity-encoding-honoured",
        level: Level::Should,
        tags: &[Tag::Http, Tag::Discovery],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "a request whose Accept-Encoding allows only identity is answered without a content coding \
                      (RFC 9110 section 12.5.3)",
        sends: "GET /Schemas with Accept-Encoding: identity",
        consequence: "",
        catches: &["compress-unasked"],
        run: run!(identity_encoding_honoured),
    },
];

fn media_is_scim(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    let got = media_type(r);
    if got == SCIM_JSON {
        Ok(())
    } else {
        Err(Outcome::fail(
            format!("{what} is labelled Content-Type: {SCIM_JSON}"),
            format!("Content-Type is {}", r.header("content-type").unwrap_or("absent")),
        ))
    }
}

/// RFC 7644 section 3.1 (SCIM content is application/scim+json) and 3.8 (servers MUST support
/// Accept: application/scim+json).
async fn response_media_type(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, _) = ctx.user_body("media-type");
            let r = super::crud::post(ctx, Kind::User, &body).await?;
            let what = format!("POST {}", ctx.run.path(Kind::User));
            super::crud::success(&r, &what)?;
            if !r.body.is_empty() {
                media_is_scim(&r, &format!("the {what} response"))?;
            }
            let Some(created) = super::crud::created_from(ctx, Kind::User, &r) else {
                return Ok(Outcome::Skip("prerequisite failed: the create answered without an id".into()));
            };
            let got = ctx.get(&created.path).await?;
            status(&got, 200, &format!("GET {}", created.path))?;
            media_is_scim(&got, &format!("the GET {} response", created.path))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 sections 3.1 and 3.12: an error is a SCIM message, so it is labelled application/scim+json.
async fn error_media_type(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(Kind::User);
            let r = ctx.get(&path).await?;
            status(&r, 404, &format!("GET {path}"))?;
            media_is_scim(&r, &format!("the 404 for GET {path}"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.8: the format defaults to application/scim+json when none is specified.
async fn no_accept_defaults_to_scim_json(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("no-accept", serde_json::json!({})).await?;
            let r = ctx.send(ScimRequest::get(&created.path).without("Accept")).await?;
            let what = format!("GET {} without Accept", created.path);
            status(&r, 200, &what)?;
            media_is_scim(&r, &format!("the {what} response"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.8: service providers SHOULD support application/json as well.
async fn plain_json_accepted(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("plain-json");
            let req = ScimRequest::json(Method::POST, ctx.run.path(Kind::User), &body)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json");
            let r = post_request(ctx, Kind::User, req).await?;
            let what = format!("POST {} as application/json", ctx.run.path(Kind::User));
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::fail(format!("{what} succeeds"), format!("{what} answered {}", describe(&r))));
            }
            Ok(Outcome::check(
                r.body.is_empty() || str_at(r.body_json(), &["userName"]) == Some(name.as_str()),
                "the response is the new User as JSON",
                format!("the body is {}", show(r.json.as_ref())),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.2 lists the methods of each endpoint; RFC 7231 section 6.5.5: a method the target does
/// not support is 405, with an Allow header. RFC 7644 section 3.12: the error is a SCIM Error.
async fn method_not_allowed_405(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("method-405", serde_json::json!({})).await?;
            let (body, _) = ctx.user_body("method-405-post");
            let r = ctx.send(ScimRequest::json(Method::POST, &created.path, &body)).await?;
            let what = format!("POST {}", created.path);
            scim_error(&r, 405, None, &what)?;
            Ok(Outcome::check(
                r.header("allow").is_some_and(|a| !a.trim().is_empty()),
                "an Allow header listing the methods the resource serves",
                "no Allow header",
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3 carries SCIM over HTTP, so HTTP's content negotiation applies. RFC 9110 section 12.5.3: a
/// client that lists only `identity` in Accept-Encoding has said it takes no content coding, and when none of
/// the codings a server has is acceptable the server should answer without one. Servers may disregard proactive
/// negotiation (section 12.1), hence SHOULD. `/Schemas` is asked for because it is the largest answer every SCIM
/// server has (RFC 7644 section 4), and servers skip compression for small bodies.
async fn identity_encoding_honoured(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.send(ScimRequest::get("/Schemas").header("Accept-Encoding", "identity")).await?;
            uncoded(&r, "GET /Schemas", "Accept-Encoding: identity")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
