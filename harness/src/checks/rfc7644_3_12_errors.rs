//! RFC 7644 section 3.12: errors. Every error is a SCIM Error resource in the body (schemas lists the Error
//! URN, `status` repeats the HTTP status as a JSON string); a body that is not JSON, or missing, is 400 (with
//! scimType invalidSyntax where a scimType is given); an endpoint that does not exist is 404.

use super::crud::{post_request, show, str_at};
use super::support::{outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use reqwest::Method;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use serde_json::Value;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.12";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.12/malformed-json-400",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a request body that is not valid JSON answers 400 with a SCIM Error",
        sends: "POST /Users with a truncated JSON body",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(malformed_json_400),
    },
    Check {
        id: "rfc7644/3.12/malformed-json-invalid-syntax",
        level: Level::May,
        tags: &[Tag::Users, Tag::Create, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the 400 for a body that is not valid JSON carries scimType invalidSyntax (scimType is \
                      optional, hence MAY)",
        sends: "POST /Users with a truncated JSON body",
        consequence: "",
        catches: &["no-scim-type"],
        run: run!(malformed_json_invalid_syntax),
    },
    Check {
        id: "rfc7644/3.12/empty-body-400",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a create with an empty body answers 400 with a SCIM Error",
        sends: "POST /Users with Content-Type application/scim+json and no body",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(empty_body_400),
    },
    Check {
        id: "rfc7644/3.12/unknown-endpoint-404",
        level: Level::Must,
        tags: &[Tag::Errors, Tag::Http],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "a GET on an endpoint that does not exist answers 404 with a SCIM Error",
        sends: "GET /ScimlabNoSuchEndpoint",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(unknown_endpoint_404),
    },
    Check {
        id: "rfc7644/3.12/error-status-is-string",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "an Error's status is the HTTP status code as a JSON string (\"404\", not 404)",
        sends: "GET /Users/scimlab-missing-{uuid}",
        consequence: "",
        catches: &["error-status-number"],
        run: run!(error_status_is_string),
    },
];

const TRUNCATED: &str = r#"{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "scimlab-truncated"#;

/// POSTs raw `bytes` to /Users as application/scim+json.
async fn post_raw(ctx: &Ctx, bytes: &str) -> Result<ScimResponse, Outcome> {
    let mut req = ScimRequest::new(Method::POST, ctx.run.path(Kind::User));
    req.body = Some(bytes.as_bytes().to_vec());
    post_request(ctx, Kind::User, req.header("Content-Type", "application/scim+json")).await
}

/// RFC 7644 section 3.12: a request that is unparsable is 400, and errors are returned in a JSON body.
async fn malformed_json_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = post_raw(ctx, TRUNCATED).await?;
            scim_error(&r, 400, None, &format!("POST {} with a truncated JSON body", ctx.run.path(Kind::User)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12, Table 9: a body that does not parse is invalidSyntax.
async fn malformed_json_invalid_syntax(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = post_raw(ctx, TRUNCATED).await?;
            status(&r, 400, &format!("POST {} with a truncated JSON body", ctx.run.path(Kind::User)))?;
            let t = str_at(r.body_json(), &["scimType"]);
            Ok(Outcome::check(
                t == Some("invalidSyntax"),
                "scimType invalidSyntax",
                format!("scimType is {}", t.map_or("absent".to_owned(), |t| format!("{t:?}"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.12: a create without a body is a bad request, answered with a JSON error body.
async fn empty_body_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = post_raw(ctx, "").await?;
            scim_error(&r, 400, None, &format!("POST {} with no body", ctx.run.path(Kind::User)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12, Table 8: 404 when the endpoint does not exist.
async fn unknown_endpoint_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/ScimlabNoSuchEndpoint").await?;
            scim_error(&r, 404, None, "GET /ScimlabNoSuchEndpoint")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12: `status` is the HTTP status code expressed as a JSON string (REQUIRED).
async fn error_status_is_string(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = ctx.missing_path(Kind::User);
            let r = ctx.get(&path).await?;
            status(&r, 404, &format!("GET {path}"))?;
            let got = r.body_json().get("status");
            Ok(Outcome::check(
                got == Some(&Value::String("404".into())),
                "status is the JSON string \"404\"",
                format!("status is {}", show(got)),
            ))
        }
        .await,
    )
}
