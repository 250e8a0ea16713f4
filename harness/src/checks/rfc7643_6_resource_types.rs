//! RFC 7643 section 6: a ResourceType's `endpoint` is relative to the base URL, and clients reach the type at
//! `{base}{endpoint}`. Discovery ([`scimlab_mock_idp::discovery`]) resolves every form servers publish and notes
//! the forms that are not relative (an absolute path, an absolute URL) and endpoints that do not answer; this check
//! turns those notes into a verdict. IdPs call `{base}/Users` whatever is published, so it is a SHOULD.

use crate::check::{Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7643/6";

/// The checks of this section.
pub const CHECKS: &[Check] = &[Check {
    id: super::ENDPOINTS_CHECK_ID,
    level: Level::Should,
    tags: &[Tag::Discovery],
    requires: &[],
    profiles: &[Profile::Rfc],
    requirement: "each ResourceType's endpoint is a path relative to the base URL (/Users) that answers GET with a \
                  SCIM ListResponse",
    sends: "nothing of its own: it judges what discovery read from /ResourceTypes and the endpoints' probes",
    consequence: "clients that use the endpoint as published (appended to the base URL) reach the wrong URL",
    catches: &["endpoint-absolute-url", "endpoint-absolute-path"],
    run: run!(endpoints_relative),
}];

/// RFC 7643 section 6: `endpoint` is "the resource type's HTTP-addressable endpoint relative to the Base URL".
async fn endpoints_relative(ctx: &Ctx) -> Outcome {
    let found = &ctx.run.endpoint_findings;
    Outcome::check(
        found.is_empty(),
        "endpoints relative to the base URL, each answering a SCIM ListResponse",
        found.join("; "),
    )
}
