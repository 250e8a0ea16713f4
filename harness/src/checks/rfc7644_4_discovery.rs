//! RFC 7644 section 4 (and RFC 7643 sections 5 to 7): the discovery endpoints, and whether what they announce is
//! true.

use super::support::{lists_schema, object, outcome, scim_error, status};
use crate::check::{Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;
use scimlab_mock_idp::ScimRequest;
use scimlab_protocol::schema::{
    LIST_RESPONSE_URN, RESOURCE_TYPE_URN, SCHEMA_URN, SERVICE_PROVIDER_CONFIG_URN, USER_URN,
};
use scimlab_protocol::spc::ServiceProviderConfig;
use serde_json::Value;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/4";

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/4/spc-readable",
        level: Level::Must,
        tags: &[Tag::Discovery],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /ServiceProviderConfig answers 200 with a ServiceProviderConfig resource",
        sends: "GET /ServiceProviderConfig",
        consequence: "",
        catches: &["spc-missing"],
        run: run!(spc_readable),
    },
    Check {
        id: "rfc7644/4/spc-complete",
        level: Level::Must,
        tags: &[Tag::Discovery],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "the ServiceProviderConfig carries every member RFC 7643 section 5 requires \
                      (patch, bulk, filter, changePassword, sort, etag, authenticationSchemes)",
        sends: "GET /ServiceProviderConfig",
        consequence: "",
        catches: &["spc-incomplete"],
        run: run!(spc_complete),
    },
    Check {
        id: "rfc7644/4/resource-types-list",
        level: Level::Must,
        tags: &[Tag::Discovery],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /ResourceTypes answers 200 with a ListResponse of ResourceType resources that includes User",
        sends: "GET /ResourceTypes",
        consequence: "",
        catches: &["resource-types-missing"],
        run: run!(resource_types_list),
    },
    Check {
        id: "rfc7644/4/schemas-list",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Schema],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /Schemas answers 200 with a ListResponse of Schema resources that includes the User schema",
        sends: "GET /Schemas",
        consequence: "",
        catches: &["schemas-missing"],
        run: run!(schemas_list),
    },
    Check {
        id: "rfc7644/4/schema-resources-name-schema-urn",
        level: Level::Should,
        tags: &[Tag::Discovery, Tag::Schema],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "every Schema resource's schemas lists urn:ietf:params:scim:schemas:core:2.0:Schema (RFC 7643 \
                      section 7 names it, section 8.7.1's examples omit it)",
        sends: "GET /Schemas",
        consequence: "clients that read schemas (some Keycloak SCIM clients) refuse the server's schemas",
        catches: &[],
        run: run!(schema_resources_name_schema_urn),
    },
    Check {
        id: "rfc7644/4/schema-by-id-unknown-404",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Errors],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /Schemas/{unknown urn} answers 404 with a SCIM Error",
        sends: "GET /Schemas/urn:scimlab:unknown:schema",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(schema_unknown_404),
    },
    Check {
        id: "rfc7644/4/spc-write-405",
        level: Level::Should,
        tags: &[Tag::Discovery, Tag::Http],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "the discovery endpoints are read-only: POST /ServiceProviderConfig answers 405 with a SCIM Error",
        sends: "POST /ServiceProviderConfig {}",
        consequence: "",
        catches: &["discovery-writable"],
        run: run!(spc_write_405),
    },
    Check {
        id: "rfc7644/4/schema-by-id",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Schema],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /Schemas/{urn} answers 200 with that one Schema (the User schema, with its attributes)",
        sends: "GET /Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        consequence: "",
        catches: &["schemas-missing"],
        run: run!(schema_by_id),
    },
    Check {
        id: "rfc7644/4/resource-type-by-id",
        level: Level::Must,
        tags: &[Tag::Discovery],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /ResourceTypes/{id} answers 200 with that one ResourceType (User)",
        sends: "GET /ResourceTypes, GET /ResourceTypes/{id of the User type}",
        consequence: "",
        catches: &["resource-types-missing"],
        run: run!(resource_type_by_id),
    },
    Check {
        id: "rfc7644/4/resource-type-unknown-404",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Errors],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "GET /ResourceTypes/{unknown} answers 404 with a SCIM Error",
        sends: "GET /ResourceTypes/ScimlabUnknownType",
        consequence: "",
        catches: &["not-found-200"],
        run: run!(resource_type_unknown_404),
    },
    Check {
        id: "rfc7644/4/schemas-write-405",
        level: Level::Should,
        tags: &[Tag::Discovery, Tag::Http],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "/Schemas is read-only: POST /Schemas answers 405 with a SCIM Error",
        sends: "POST /Schemas {}",
        consequence: "",
        catches: &["discovery-writable"],
        run: run!(schemas_write_405),
    },
    Check {
        id: "rfc7644/4/resource-types-write-405",
        level: Level::Should,
        tags: &[Tag::Discovery, Tag::Http],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "/ResourceTypes is read-only: POST /ResourceTypes answers 405 with a SCIM Error",
        sends: "POST /ResourceTypes {}",
        consequence: "",
        catches: &["discovery-writable"],
        run: run!(resource_types_write_405),
    },
    Check {
        id: "rfc7644/4/filter-forbidden",
        level: Level::Should,
        tags: &[Tag::Discovery, Tag::Filter],
        requires: &[],
        profiles: &[Profile::Rfc],
        requirement: "a filter on a discovery endpoint is answered 403, so no client takes an ignored filter for a match",
        sends: "GET /ServiceProviderConfig?filter=..., GET /ResourceTypes?filter=..., GET /Schemas?filter=...",
        consequence: "",
        catches: &["discovery-filter-accepted"],
        run: run!(filter_forbidden),
    },
];

async fn spc_readable(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/ServiceProviderConfig").await?;
            status(&r, 200, "GET /ServiceProviderConfig")?;
            let body = object(&r, "GET /ServiceProviderConfig")?;
            let v = Value::Object(body.clone());
            Ok(Outcome::check(
                lists_schema(&v, SERVICE_PROVIDER_CONFIG_URN),
                format!("schemas lists {SERVICE_PROVIDER_CONFIG_URN}"),
                format!("schemas is {}", v.get("schemas").map_or("absent".into(), Value::to_string)),
            ))
        }
        .await,
    )
}

async fn spc_complete(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/ServiceProviderConfig").await?;
            status(&r, 200, "GET /ServiceProviderConfig")?;
            let missing = ServiceProviderConfig::missing_required(r.body_json());
            Ok(Outcome::check(
                missing.is_empty(),
                "every required member present",
                format!("missing: {}", missing.join(", ")),
            ))
        }
        .await,
    )
}

/// The `Resources` of a ListResponse, or the failure.
fn list_resources<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, Outcome> {
    if !lists_schema(v, LIST_RESPONSE_URN) {
        return Err(Outcome::fail(
            format!("{what} is a ListResponse"),
            format!("schemas is {}", v.get("schemas").map_or("absent".into(), Value::to_string)),
        ));
    }
    v.get("Resources")
        .and_then(Value::as_array)
        .ok_or_else(|| Outcome::fail(format!("{what} has a Resources array"), "Resources is absent or not an array"))
}

async fn resource_types_list(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/ResourceTypes").await?;
            status(&r, 200, "GET /ResourceTypes")?;
            let items = list_resources(r.body_json(), "GET /ResourceTypes")?;
            if let Some(bad) = items.iter().find(|i| !lists_schema(i, RESOURCE_TYPE_URN)) {
                return Ok(Outcome::fail(
                    format!("every item's schemas lists {RESOURCE_TYPE_URN}"),
                    format!("an item is {bad}"),
                ));
            }
            let has_user = items
                .iter()
                .any(|i| i.get("schema").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(USER_URN)));
            Ok(Outcome::check(
                has_user,
                format!("a resource type with schema {USER_URN}"),
                format!("{} resource types, none for User", items.len()),
            ))
        }
        .await,
    )
}

async fn schemas_list(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/Schemas").await?;
            status(&r, 200, "GET /Schemas")?;
            // The `schemas` member of each Schema is judged apart, as a SHOULD (schema-resources-name-schema-urn).
            let items = list_resources(r.body_json(), "GET /Schemas")?;
            let has_user = items
                .iter()
                .any(|i| i.get("id").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(USER_URN)));
            Ok(Outcome::check(
                has_user,
                format!("the list includes {USER_URN}"),
                format!("{} schemas, not the User schema", items.len()),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 7 says Schema resources carry `schemas` with the Schema URN, without a requirement keyword,
/// and section 8.7.1's own representations carry none; section 3 makes `schemas` REQUIRED on resources, and
/// clients that read it refuse Schemas without it. So a missing one is a SHOULD.
async fn schema_resources_name_schema_urn(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/Schemas").await?;
            if r.status != 200 {
                return Ok(Outcome::Skip(format!(
                    "GET /Schemas answered {} (rfc7644/4/schemas-list judges it)",
                    r.status
                )));
            }
            let Ok(items) = list_resources(r.body_json(), "GET /Schemas") else {
                return Ok(Outcome::Skip(
                    "GET /Schemas is not a ListResponse (rfc7644/4/schemas-list judges it)".into(),
                ));
            };
            let bad: Vec<String> = items
                .iter()
                .filter(|i| !lists_schema(i, SCHEMA_URN))
                .map(|i| i.get("id").and_then(Value::as_str).unwrap_or("(no id)").to_owned())
                .collect();
            Ok(Outcome::check(
                bad.is_empty(),
                format!("every Schema's schemas lists {SCHEMA_URN}"),
                format!("{} of {} Schemas do not: {}", bad.len(), items.len(), bad.join(", ")),
            ))
        }
        .await,
    )
}

async fn schema_unknown_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/Schemas/urn:scimlab:unknown:schema").await?;
            scim_error(&r, 404, None, "GET /Schemas/urn:scimlab:unknown:schema")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

async fn spc_write_405(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx
                .send(ScimRequest::json(reqwest::Method::POST, "/ServiceProviderConfig", &serde_json::json!({})))
                .await?;
            scim_error(&r, 405, None, "POST /ServiceProviderConfig")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 4: a Schema is retrieved by its id, the schema URN.
async fn schema_by_id(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let path = format!("/Schemas/{USER_URN}");
            let r = ctx.get(&path).await?;
            status(&r, 200, &format!("GET {path}"))?;
            let v = r.body_json();
            let id = v.get("id").and_then(Value::as_str);
            let attributes = v.get("attributes").and_then(Value::as_array).map_or(0, Vec::len);
            Ok(Outcome::check(
                id.is_some_and(|i| i.eq_ignore_ascii_case(USER_URN)) && attributes > 0,
                format!("GET {path} returns the Schema {USER_URN} with its attributes"),
                format!("id {}, {attributes} attributes", id.unwrap_or("absent")),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 4: a ResourceType is retrieved by its id (the User type's, as /ResourceTypes lists it).
async fn resource_type_by_id(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // The User type's id as /ResourceTypes lists it; "User" (the RFC's) when the list cannot be read, which
            // the resource-types-list check judges.
            let r = ctx.get("/ResourceTypes").await?;
            let listed = list_resources(r.body_json(), "GET /ResourceTypes").ok().and_then(|items| {
                let user = items.iter().find(|i| {
                    i.get("schema").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(USER_URN))
                })?;
                user.get("id").or_else(|| user.get("name")).and_then(Value::as_str).map(str::to_owned)
            });
            let id = listed.unwrap_or_else(|| "User".to_owned());
            let path = format!("/ResourceTypes/{id}");
            let r = ctx.get(&path).await?;
            status(&r, 200, &format!("GET {path}"))?;
            let v = r.body_json();
            Ok(Outcome::check(
                lists_schema(v, RESOURCE_TYPE_URN)
                    && v.get("schema").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(USER_URN)),
                format!("GET {path} returns the User ResourceType (schemas lists {RESOURCE_TYPE_URN})"),
                format!("the body is {}", super::support::excerpt(&r.text())),
            ))
        }
        .await,
    )
}

/// RFC 7644 sections 3.12 and 4: an unknown ResourceType is not found.
async fn resource_type_unknown_404(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = ctx.get("/ResourceTypes/ScimlabUnknownType").await?;
            scim_error(&r, 404, None, "GET /ResourceTypes/ScimlabUnknownType")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// POST `{}` to a discovery endpoint; it must answer 405.
async fn write_405(ctx: &Ctx, path: &str) -> Outcome {
    outcome(
        async {
            let r = ctx.send(ScimRequest::json(reqwest::Method::POST, path, &serde_json::json!({}))).await?;
            scim_error(&r, 405, None, &format!("POST {path}"))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 4: the discovery endpoints are read with GET only.
async fn schemas_write_405(ctx: &Ctx) -> Outcome {
    write_405(ctx, "/Schemas").await
}

/// RFC 7644 section 4: the discovery endpoints are read with GET only.
async fn resource_types_write_405(ctx: &Ctx) -> Outcome {
    write_405(ctx, "/ResourceTypes").await
}

/// RFC 7644 section 4: a filter on a discovery endpoint should be answered 403 (query parameters are otherwise
/// ignored there, and an ignored filter would read as a match).
async fn filter_forbidden(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            for (path, filter) in [
                ("/ServiceProviderConfig", "patch.supported eq true"),
                ("/ResourceTypes", "name eq \"User\""),
                ("/Schemas", "id eq \"urn:scimlab:unknown\""),
            ] {
                let r = ctx.send(ScimRequest::get(path).query("filter", filter)).await?;
                status(&r, 403, &format!("GET {path}?filter={filter}"))?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}
