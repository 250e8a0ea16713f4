//! RFC 7643 section 4.3 (with section 3 on `schemas` and 3.3 on extensions): the enterprise User extension.
//! Its attributes live in an object keyed by the extension URN, come back as they were sent, are replaced by a
//! PUT, and every representation carrying them lists the URN in `schemas`.

use super::crud::{at, contains, put, replacement, show, str_at, success};
use super::support::{lists_schema, outcome};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind};
use crate::run;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, USER_URN};
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7643/4.3";

const ENTERPRISE: &[Capability] = &[Capability::Users, Capability::EnterpriseUser];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7643/4.3/enterprise-round-trip",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Create, Tag::Schema],
        requires: ENTERPRISE,
        profiles: &[Profile::Rfc],
        requirement: "enterprise extension attributes sent on create (employeeNumber, costCenter, organization, \
                      division, department, manager.value) come back on GET",
        sends: "POST /Users (the manager), POST /Users with the enterprise extension, GET /Users/{id}",
        consequence: "",
        catches: &["extension-dropped"],
        run: run!(enterprise_round_trip),
    },
    Check {
        id: "rfc7643/4.3/enterprise-schemas-lists-urn",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Schema],
        requires: ENTERPRISE,
        profiles: &[Profile::Rfc],
        requirement: "a User representation carrying enterprise attributes lists the extension URN in schemas, in \
                      the create response and on GET",
        sends: "POST /Users with the enterprise extension, GET /Users/{id}",
        consequence: "",
        catches: &["extension-urn-unlisted"],
        run: run!(enterprise_schemas_lists_urn),
    },
    Check {
        id: "rfc7643/4.3/enterprise-put-replaces",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Replace, Tag::Schema],
        requires: ENTERPRISE,
        profiles: &[Profile::Rfc],
        requirement: "a PUT with a new enterprise department replaces the stored one",
        sends: "POST /Users with the enterprise extension, PUT /Users/{id} with another department, GET /Users/{id}",
        consequence: "",
        catches: &["put-noop"],
        run: run!(enterprise_put_replaces),
    },
];

/// Creates a User carrying `extension` under the enterprise URN.
async fn create_with_extension(ctx: &Ctx, label: &str, extension: &Value) -> Result<(Created, Value), Outcome> {
    let (mut body, _) = ctx.user_body(label);
    if let Some(o) = body.as_object_mut() {
        o.insert("schemas".into(), json!([USER_URN, ENTERPRISE_USER_URN]));
        o.insert(ENTERPRISE_USER_URN.into(), extension.clone());
    }
    let created = ctx.create(Kind::User, &body).await?;
    Ok((created, body))
}

/// RFC 7643 section 4.3 with RFC 7644 section 3.1 (responses reflect the stored state): the extension's values
/// are kept.
async fn enterprise_round_trip(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let manager = ctx.create_user("enterprise-manager", json!({})).await?;
            let extension = json!({
                "employeeNumber": "4217",
                "costCenter": "CC-9",
                "organization": "Scimlab",
                "division": "Conformance",
                "department": "Checks",
                "manager": {"value": manager.id}
            });
            let (created, _) = create_with_extension(ctx, "enterprise-round-trip", &extension).await?;
            let got = ctx.read_back(&created).await?;
            let Some(stored) = at(&got, &[ENTERPRISE_USER_URN]) else {
                return Ok(Outcome::fail(
                    format!("GET returns the {ENTERPRISE_USER_URN} object"),
                    "the extension object is absent",
                ));
            };
            Ok(match contains(&extension, stored, ENTERPRISE_USER_URN) {
                Ok(()) => Outcome::Pass,
                Err(miss) => Outcome::fail("every extension value as sent", format!("on GET, {miss}")),
            })
        }
        .await,
    )
}

/// RFC 7643 section 3: `schemas` lists the URIs of the schemas a representation uses; section 3.3: extension
/// attributes sit under their schema's URN.
async fn enterprise_schemas_lists_urn(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let extension = json!({"employeeNumber": "9001", "department": "Schemas"});
            let (created, _) = create_with_extension(ctx, "enterprise-schemas", &extension).await?;
            let got = ctx.read_back(&created).await?;
            let mut judged = 0;
            for (what, v) in [("the create response", &created.body), ("GET", &got)] {
                if at(v, &[ENTERPRISE_USER_URN]).is_none() {
                    continue;
                }
                judged += 1;
                if !lists_schema(v, ENTERPRISE_USER_URN) {
                    return Ok(Outcome::fail(
                        format!("{what} carries the extension and lists {ENTERPRISE_USER_URN} in schemas"),
                        format!("schemas is {}", show(v.get("schemas"))),
                    ));
                }
            }
            Ok(if judged == 0 {
                Outcome::Skip("the server returned no enterprise attributes (see enterprise-round-trip)".into())
            } else {
                Outcome::Pass
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.5.1 applied to extension attributes: values provided replace the stored ones.
async fn enterprise_put_replaces(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, _) =
                create_with_extension(ctx, "enterprise-put", &json!({"employeeNumber": "77", "department": "Before"}))
                    .await?;
            let changes = json!({
                "schemas": [USER_URN, ENTERPRISE_USER_URN],
                ENTERPRISE_USER_URN: {"employeeNumber": "77", "department": "After"}
            });
            let body = replacement(ctx, &created, changes).await?;
            let r = put(ctx, &created, &body).await?;
            success(&r, &format!("PUT {}", created.path))?;
            let got = ctx.read_back(&created).await?;
            let department = at(&got, &[ENTERPRISE_USER_URN]).and_then(|e| str_at(e, &["department"]));
            Ok(Outcome::check(
                department == Some("After"),
                "the enterprise department is \"After\" after the PUT",
                format!("it is {}", show(at(&got, &[ENTERPRISE_USER_URN, "department"]))),
            ))
        }
        .await,
    )
}
