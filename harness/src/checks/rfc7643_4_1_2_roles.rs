//! RFC 7643 section 4.1.2: a User's `roles` and `entitlements`, multi-valued complex attributes (`value`,
//! `display`, `type`, `primary`), changed with PATCH as RFC 7644 section 3.5.2 has it, and held the way
//! role-based access control needs them: an added role joins the others, a value filter picks out one role to
//! change or remove, at most one role is primary (RFC 7643 section 2.4), and a role's value comes back exactly as
//! it was sent, Entra's JSON-encoded app-role strings included. Each change is read back with GET.

use super::rfc7644_3_5_2_patch::{elements, is_primary, patched, shown, text, values};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind};
use crate::run;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7643/4.1.2";

const USERS_PATCH: &[Capability] = &[Capability::Users, Capability::Patch];

/// An Entra app-role assignment as Entra sends it by default: a JSON object encoded as a string (see
/// `../shared/reference/idp-wire/entra/roles_approle_patch_default.json`).
pub const ENTRA_ROLE_STRING: &str =
    r#"{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}"#;

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7643/4.1.2/roles-add-appends",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "PATCH add of a role to a user who has one keeps both (roles is multi-valued; RFC 7644 \
                      section 3.5.2.1)",
        sends: "POST /Users with roles [reader], PATCH add roles [writer], GET",
        consequence: "a role change in the IdP takes away the roles the user had",
        catches: &["roles-dropped", "patch-add-replaces", "patch-noop"],
        run: run!(roles_add_appends),
    },
    Check {
        id: "rfc7643/4.1.2/roles-replace-by-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "PATCH replace with path roles[value eq \"reader\"].display changes that role alone (RFC 7644 \
                      section 3.5.2.3)",
        sends: "POST /Users with roles [reader, writer], PATCH replace roles[value eq \"reader\"].display, GET",
        consequence: "",
        catches: &["roles-dropped", "patch-noop"],
        run: run!(roles_replace_by_filter),
    },
    Check {
        id: "rfc7643/4.1.2/roles-remove-by-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "PATCH remove with path roles[value eq \"reader\"] removes that role and keeps the others (RFC \
                      7644 section 3.5.2.2)",
        sends: "POST /Users with roles [reader, writer], PATCH remove roles[value eq \"reader\"], GET",
        consequence: "an unassigned role stays, or every role goes: access is not what the IdP says",
        catches: &["roles-dropped", "patch-noop"],
        run: run!(roles_remove_by_filter),
    },
    Check {
        id: "rfc7643/4.1.2/roles-primary-unique",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "adding a role with primary true takes primary from the role that had it: primary true appears \
                      at most once (RFC 7643 section 2.4)",
        sends: "POST /Users with roles [reader (primary)], PATCH add roles [writer (primary)], GET",
        consequence: "",
        catches: &["patch-primary-not-unique", "roles-dropped"],
        run: run!(roles_primary_unique),
    },
    Check {
        id: "rfc7643/4.1.2/roles-values-echoed",
        level: Level::Must,
        tags: &[Tag::Create, Tag::Users],
        requires: &[Capability::Users],
        profiles: &[Profile::Rfc],
        requirement: "a role's value comes back exactly as sent, a JSON-encoded string (Entra's app-role \
                      assignment) byte for byte: value is a string (RFC 7643 sections 2.3.1 and 4.1.2)",
        sends: "POST /Users with roles [{value: \"{\\\"id\\\":...}\", display}], GET",
        consequence: "the app reads a different role than the IdP assigned",
        catches: &["roles-json-rewritten", "roles-dropped"],
        run: run!(roles_values_echoed),
    },
    Check {
        id: "rfc7643/4.1.2/entitlements-add-remove",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "entitlements take PATCH add (appending) and remove by value filter like any multi-valued \
                      attribute",
        sends: "POST /Users, PATCH add entitlements [e1, e2], PATCH remove entitlements[value eq \"e1\"], GET",
        consequence: "",
        catches: &["roles-dropped", "patch-noop"],
        run: run!(entitlements_add_remove),
    },
];

/// A role element. No `type`: a server may restrict it to canonical values of its own (RFC 7643 section 2.3.1
/// lets a schema name them), and these checks are about the values, not the labels.
fn role(value: &str, primary: bool) -> Value {
    json!({"value": value, "display": format!("{value} role"), "primary": primary})
}

/// A user with `roles`, after making sure the server defines what the check needs; the roles it holds as
/// created are checked, so that a later verdict is not a create's.
async fn user_with_roles(ctx: &Ctx, label: &str, roles: Value) -> Result<(Created, Value), Outcome> {
    ctx.require_attrs(Kind::User, &["roles", "roles.value", "roles.display", "roles.primary"])?;
    let user = ctx.create_user(label, json!({"roles": roles})).await?;
    let got = ctx.read_back(&user).await?;
    let sent: Vec<String> =
        roles.as_array().into_iter().flatten().filter_map(|r| r["value"].as_str()).map(str::to_owned).collect();
    let mut want: Vec<&str> = sent.iter().map(String::as_str).collect();
    want.sort_unstable();
    if sorted_values(&got, "roles") != want {
        return Err(Outcome::fail(
            format!("the user created with roles {sent:?} holds them"),
            format!("roles is {}", shown(got.get("roles"))),
        ));
    }
    Ok((user, got))
}

/// The `value`s of a multi-valued attribute, sorted.
fn sorted_values<'a>(resource: &'a Value, attr: &str) -> Vec<&'a str> {
    let mut v = values(resource, attr);
    v.sort_unstable();
    v
}

/// RFC 7644 section 3.5.2.1: `add` to a multi-valued attribute adds the values.
async fn roles_add_appends(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, _) = user_with_roles(ctx, "roles-add", json!([role("reader", false)])).await?;
            let got =
                patched(ctx, &user, json!([{"op": "add", "path": "roles", "value": [role("writer", false)]}])).await?;
            let held = sorted_values(&got, "roles");
            Ok(Outcome::check(
                held == ["reader", "writer"],
                "roles holds reader and writer",
                format!("roles is {}", shown(got.get("roles"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: a replace whose path has a value filter and a sub-attribute changes that
/// sub-attribute of the matching values only.
async fn roles_replace_by_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let roles = json!([role("reader", false), role("writer", false)]);
            let (user, _) = user_with_roles(ctx, "roles-replace", roles).await?;
            let ops =
                json!([{"op": "replace", "path": "roles[value eq \"reader\"].display", "value": "Reader (renamed)"}]);
            let got = patched(ctx, &user, ops).await?;
            let display = |v: &str| {
                elements(&got, "roles")
                    .into_iter()
                    .find(|e| text(e, "value") == Some(v))
                    .and_then(|e| text(e, "display").map(str::to_owned))
            };
            let (reader, writer) = (display("reader"), display("writer"));
            Ok(Outcome::check(
                reader.as_deref() == Some("Reader (renamed)") && writer.as_deref() == Some("writer role"),
                "reader's display is \"Reader (renamed)\" and writer's is still \"writer role\"",
                format!("roles is {}", shown(got.get("roles"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.2: a remove whose path has a value filter removes the matching values.
async fn roles_remove_by_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let roles = json!([role("reader", false), role("writer", false)]);
            let (user, _) = user_with_roles(ctx, "roles-remove", roles).await?;
            let got = patched(ctx, &user, json!([{"op": "remove", "path": "roles[value eq \"reader\"]"}])).await?;
            Ok(Outcome::check(
                values(&got, "roles") == ["writer"],
                "roles holds writer alone",
                format!("roles is {}", shown(got.get("roles"))),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 2.4: the primary attribute's value true appears no more than once; RFC 7644 section
/// 3.5.2 has the server set the others to false when a value becomes primary.
async fn roles_primary_unique(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, _) = user_with_roles(ctx, "roles-primary", json!([role("reader", true)])).await?;
            let ops = json!([{"op": "add", "path": "roles", "value": [role("writer", true)]}]);
            let got = patched(ctx, &user, ops).await?;
            let primaries: Vec<String> = elements(&got, "roles")
                .into_iter()
                .filter(|e| is_primary(e))
                .filter_map(|e| text(e, "value").map(str::to_owned))
                .collect();
            Ok(Outcome::check(
                primaries == ["writer"],
                "writer alone is primary",
                format!("primary roles: {primaries:?}; roles is {}", shown(got.get("roles"))),
            ))
        }
        .await,
    )
}

/// RFC 7643 sections 2.3.1 and 4.1.2: `roles.value` is a string, stored and returned as sent; a server that
/// parses a JSON-looking string and writes it back (keys sorted, spaces changed) hands the app another value.
async fn roles_values_echoed(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["roles", "roles.value"])?;
            let sent = json!([{"value": ENTRA_ROLE_STRING, "display": "Role1234"}]);
            let user = ctx.create_user("roles-echo", json!({"roles": sent})).await?;
            let got = ctx.read_back(&user).await?;
            let held = values(&got, "roles");
            Ok(Outcome::check(
                held == [ENTRA_ROLE_STRING],
                format!("roles[0].value is the string {ENTRA_ROLE_STRING} byte for byte"),
                format!("roles is {}", shown(got.get("roles"))),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 4.1.2 (entitlements) with RFC 7644 sections 3.5.2.1 and 3.5.2.2.
async fn entitlements_add_remove(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["entitlements", "entitlements.value"])?;
            let user = ctx.create_user("entitlements", json!({})).await?;
            let add = json!([{"op": "add", "path": "entitlements", "value": [{"value": "e1"}, {"value": "e2"}]}]);
            let got = patched(ctx, &user, add).await?;
            if sorted_values(&got, "entitlements") != ["e1", "e2"] {
                return Ok(Outcome::fail(
                    "after add, entitlements holds e1 and e2",
                    format!("entitlements is {}", shown(got.get("entitlements"))),
                ));
            }
            let got = patched(ctx, &user, json!([{"op": "remove", "path": "entitlements[value eq \"e1\"]"}])).await?;
            Ok(Outcome::check(
                values(&got, "entitlements") == ["e2"],
                "after remove entitlements[value eq \"e1\"], entitlements holds e2 alone",
                format!("entitlements is {}", shown(got.get("entitlements"))),
            ))
        }
        .await,
    )
}
