//! RFC 7644 section 2 (with the 401 row of section 3.12's Table 8): authentication. SCIM relies on HTTP
//! authentication, so a request to a resource endpoint without a credential, or with a wrong one, is refused
//! with 401, a SCIM Error body, and a WWW-Authenticate header naming the schemes the server supports.
//!
//! Section 2.2 lets some deployments accept anonymous requests (self-registration); a server the harness was
//! given a credential for is not one of them for listing Users. The requests here read only, and go out through
//! the run's client with its credential replaced, recorded as evidence like every other request.

use super::crud::show;
use super::support::{outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::{Credential, ScimRequest, ScimResponse};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/2";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/2/missing-credential-401",
        level: Level::Must,
        tags: &[Tag::Auth, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a request without credentials is refused with 401 (Table 8: the authorization header is \
                      missing)",
        sends: "GET /Users?count=1 with no Authorization header",
        consequence: "",
        catches: &["auth-ignored"],
        run: run!(missing_credential_401),
    },
    Check {
        id: "rfc7644/2/wrong-credential-401",
        level: Level::Must,
        tags: &[Tag::Auth, Tag::Users],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a request with a wrong credential is refused with 401 (Table 8: the authorization header is \
                      invalid)",
        sends: "GET /Users?count=1 with Authorization: Bearer scimlab-wrong-credential",
        consequence: "",
        catches: &["auth-ignored"],
        run: run!(wrong_credential_401),
    },
    Check {
        id: "rfc7644/2/unauthorized-scim-error",
        level: Level::Must,
        tags: &[Tag::Auth, Tag::Errors],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the 401 carries a SCIM Error body with status \"401\" (every error is returned in a JSON body)",
        sends: "GET /Users?count=1 with a wrong credential",
        consequence: "",
        catches: &["401-no-body"],
        run: run!(unauthorized_scim_error),
    },
    Check {
        id: "rfc7644/2/unauthorized-www-authenticate",
        level: Level::Must,
        tags: &[Tag::Auth, Tag::Http],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the 401 names the supported authentication schemes in a WWW-Authenticate header",
        sends: "GET /Users?count=1 with no Authorization header",
        consequence: "",
        catches: &["no-www-authenticate"],
        run: run!(unauthorized_www_authenticate),
    },
];

fn probe(ctx: &Ctx) -> (ScimRequest, String) {
    let path = ctx.run.path(Kind::User).to_owned();
    (ScimRequest::get(&path).query("count", "1"), format!("GET {path}?count=1"))
}

/// Sends the probe with no credential at all.
async fn anonymous(ctx: &Ctx) -> Result<(ScimResponse, String), Outcome> {
    let (req, what) = probe(ctx);
    let client = ctx.run.client.with_credential(Credential::None);
    let r = ctx.send_via(&client, req.without("Authorization")).await?;
    Ok((r, format!("{what} without credentials")))
}

/// Sends the probe with a bearer token the server cannot know.
async fn wrong(ctx: &Ctx) -> Result<(ScimResponse, String), Outcome> {
    let (req, what) = probe(ctx);
    let client = ctx.run.client.with_credential(Credential::Bearer("scimlab-wrong-credential".into()));
    let r = ctx.send_via(&client, req).await?;
    Ok((r, format!("{what} with a wrong credential")))
}

/// RFC 7644 section 2 and section 3.12 (401: the authorization header is missing).
async fn missing_credential_401(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (r, what) = anonymous(ctx).await?;
            status(&r, 401, &what)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 2 and section 3.12 (401: the authorization header is invalid).
async fn wrong_credential_401(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (r, what) = wrong(ctx).await?;
            status(&r, 401, &what)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12: errors, 401 included, are returned as a SCIM Error in the body.
async fn unauthorized_scim_error(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (r, what) = wrong(ctx).await?;
            if r.status != 401 {
                return Ok(Outcome::Skip(format!("prerequisite failed: {what} answered {}", describe(&r))));
            }
            scim_error(&r, 401, None, &what)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 2: the service provider SHALL indicate the supported HTTP authentication schemes in
/// WWW-Authenticate (RFC 7235 section 4.1).
async fn unauthorized_www_authenticate(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (r, what) = anonymous(ctx).await?;
            if r.status != 401 {
                return Ok(Outcome::Skip(format!("prerequisite failed: {what} answered {}", describe(&r))));
            }
            let challenge = r.header("www-authenticate").map(str::trim).filter(|h| !h.is_empty());
            Ok(Outcome::check(
                challenge.is_some(),
                "a WWW-Authenticate header naming the supported schemes",
                format!("no WWW-Authenticate header (body {})", show(r.json.as_ref().and_then(|b| b.get("detail")))),
            ))
        }
        .await,
    )
}
