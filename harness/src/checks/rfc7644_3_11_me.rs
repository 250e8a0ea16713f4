//! RFC 7644 section 3.11: the `/Me` alias for the authenticated subject's own resource. A server may process
//! it directly (200 with the resource), redirect to the resource (308 with its Location), or, when it does not
//! support the alias, answer 501 Not Implemented with a SCIM Error. Anything else (404, 500) misses the
//! section's SHOULD.

use super::crud::{show, str_at};
use super::support::{outcome, scim_error};
use crate::check::{Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, describe};
use crate::run;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.11";

/// The checks of this section.
pub const CHECKS: &[Check] = &[Check {
    id: "rfc7644/3.11/me-resource-or-501",
    level: Level::Should,
    tags: &[Tag::Me],
    requires: &[],
    profiles: &[Profile::Rfc],
    requirement: "GET /Me answers with the authenticated subject's resource (200, or a 308 redirect to it), or 501 \
                  Not Implemented with a SCIM Error when the alias is not supported",
    sends: "GET /Me",
    consequence: "",
    catches: &["error-plain-text"],
    run: run!(me_resource_or_501),
}];

/// RFC 7644 section 3.11: a server that does not support /Me SHOULD answer 501; one that does processes the
/// request as the subject's resource or redirects to it with 308.
async fn me_resource_or_501(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/Me").await?;
            match r.status {
                200 => Ok(Outcome::check(
                    str_at(r.body_json(), &["id"]).is_some_and(|id| !id.is_empty()),
                    "GET /Me answers with a resource carrying its id",
                    format!("the body's id is {}", show(r.body_json().get("id"))),
                )),
                307 | 308 => Ok(Outcome::check(
                    r.header("location").is_some_and(|l| !l.trim().is_empty()),
                    "a redirect from /Me names the subject's resource in Location",
                    format!("{} without a Location header", r.status),
                )),
                501 => {
                    scim_error(&r, 501, None, "GET /Me")?;
                    Ok(Outcome::Pass)
                }
                _ => Ok(Outcome::fail(
                    "GET /Me answers 200 or 308 with the subject's resource, or 501 with a SCIM Error",
                    format!("GET /Me answered {}", describe(&r)),
                )),
            }
        }
        .await,
    )
}
