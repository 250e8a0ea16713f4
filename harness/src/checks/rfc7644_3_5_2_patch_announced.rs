//! RFC 7644 section 3.5.2 with RFC 7643 section 5: a server that announces `patch.supported` true implements
//! PATCH. A server that announces it and answers 501 Not Implemented (or 405) fails every PATCH check of the
//! suite; this check gives that one cause one verdict, in its own words, so a reader of the report learns the
//! cause before the cascade. The other PATCH checks stay as they are and judge the semantics.

use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, describe};
use crate::run;
use serde_json::json;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.2";

/// The checks of this file.
pub const CHECKS: &[Check] = &[Check {
    id: "rfc7644/3.5.2/patch-announced-implemented",
    level: Level::Must,
    tags: &[Tag::Patch, Tag::Discovery, Tag::Users],
    requires: &[Capability::Users, Capability::Patch],
    profiles: &[Profile::Rfc],
    requirement: "a server announcing patch.supported true implements PATCH: a plain replace is not answered 501 or 405",
    sends: "POST /Users, PATCH /Users/{id} [{\"op\": \"replace\", \"path\": \"displayName\", \"value\": ...}]",
    consequence: "",
    catches: &["patch-501"],
    run: run!(patch_announced_implemented),
}];

/// RFC 7643 section 5 (`patch.supported`) and RFC 7644 section 3.5.2: the method is there when announced. Only
/// 501 and 405 are judged here; any other answer is for the PATCH checks of section 3.5.2.
async fn patch_announced_implemented(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("patch-announced", json!({})).await?;
            let ops = json!([{"op": "replace", "path": "displayName", "value": "Patched Announced"}]);
            let r = ctx.patch(&user, ops).await?;
            if r.status == 501 || r.status == 405 {
                return Err(Outcome::fail(
                    format!(
                        "PATCH {} answers 200 or 204, since the ServiceProviderConfig announces patch.supported true",
                        user.path
                    ),
                    format!(
                        "announces PATCH and answers {}: patch.supported is true, yet PATCH {} answered {}; every \
                         PATCH (updates, deactivation, group membership) fails, and so does every PATCH check",
                        r.status,
                        user.path,
                        describe(&r)
                    ),
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}
