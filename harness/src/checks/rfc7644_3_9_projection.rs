//! RFC 7644 sections 3.9 and 3.4.2.5 (with RFC 7643 section 7, `returned`): the `attributes` and
//! `excludedAttributes` parameters on a read, a list, and a create. A named attribute replaces the default set
//! (but `id`, returned always, stays); an excluded one leaves the default set (unless it is returned always).
//! POST `.search` bodies carry the same lists; their checks live with section 3.4.3.

use super::queries::{list, read_list, users};
use super::support::{excerpt, object, outcome, status_in};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind};
use crate::run;
use scimlab_mock_idp::ScimRequest;
use scimlab_protocol::json::{get_ci, is_present};
use scimlab_protocol::schema::USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.9";

const TAGS: &[Tag] = &[Tag::Projection, Tag::Users];
const USERS: &[Capability] = &[Capability::Users];
const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.9/attributes-on-read",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Read],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "GET /Users/{id}?attributes=userName returns userName (and id) without the other default attributes",
        sends: "POST /Users, GET /Users/{id}?attributes=userName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_on_read),
    },
    Check {
        id: "rfc7644/3.9/attributes-keep-id",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "attributes never removes id, which is returned always",
        sends: "POST /Users, GET /Users/{id}?attributes=displayName",
        consequence: "",
        catches: &["returned-always-dropped", "attributes-ignored"],
        run: run!(attributes_keep_id),
    },
    Check {
        id: "rfc7644/3.9/attributes-sub-attribute",
        level: Level::Must,
        tags: TAGS,
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "attributes=name.familyName returns name with familyName only",
        sends: "POST /Users, GET /Users/{id}?attributes=name.familyName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_sub_attribute),
    },
    Check {
        id: "rfc7644/3.9/attributes-urn-qualified",
        level: Level::Must,
        tags: TAGS,
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "attributes may name an attribute with its schema URN (urn:...:core:2.0:User:displayName)",
        sends: "POST /Users, GET /Users/{id}?attributes=urn:ietf:params:scim:schemas:core:2.0:User:displayName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_urn_qualified),
    },
    Check {
        id: "rfc7644/3.9/attributes-any-case",
        level: Level::Must,
        tags: TAGS,
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "names in attributes are case-insensitive: DISPLAYNAME,Title select displayName and title",
        sends: "POST /Users, GET /Users/{id}?attributes=DISPLAYNAME,Title",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_any_case),
    },
    Check {
        id: "rfc7644/3.9/excluded-on-read",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Read],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "GET /Users/{id}?excludedAttributes=emails,title returns the default attributes without emails and title",
        sends: "POST /Users, GET /Users/{id}?excludedAttributes=emails,title",
        consequence: "",
        catches: &["excluded-ignored", "attributes-ignored"],
        run: run!(excluded_on_read),
    },
    Check {
        id: "rfc7644/3.9/excluded-keep-id",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "excludedAttributes never removes id, which is returned always",
        sends: "POST /Users, GET /Users/{id}?excludedAttributes=id,displayName",
        consequence: "",
        catches: &["returned-always-dropped", "excluded-ignored"],
        run: run!(excluded_keep_id),
    },
    Check {
        id: "rfc7644/3.9/attributes-on-list",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Filter],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "attributes applies to every resource of a list: each has id and userName, none has emails",
        sends: "POST /Users x2, GET /Users?filter=<marker>&attributes=userName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_on_list),
    },
    Check {
        id: "rfc7644/3.9/excluded-on-list",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Filter],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "excludedAttributes applies to every resource of a list: none has emails, each keeps userName",
        sends: "POST /Users x2, GET /Users?filter=<marker>&excludedAttributes=emails",
        consequence: "",
        catches: &["excluded-ignored", "attributes-ignored"],
        run: run!(excluded_on_list),
    },
    Check {
        id: "rfc7644/3.9/group-attributes-on-list",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Groups, Tag::Filter],
        requires: &[Capability::Users, Capability::Groups, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "GET /Groups?attributes=displayName leaves members out",
        sends: "POST /Users, POST /Groups (with the member), GET /Groups?filter=<marker>&attributes=displayName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(group_attributes_on_list),
    },
    Check {
        id: "rfc7644/3.9/attributes-on-create",
        level: Level::Must,
        tags: &[Tag::Projection, Tag::Users, Tag::Create],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "POST /Users?attributes=userName answers with id and userName only",
        sends: "POST /Users?attributes=userName",
        consequence: "",
        catches: &["attributes-ignored", "returned-always-dropped"],
        run: run!(attributes_on_create),
    },
];

/// Whether the object has a present (non-null, non-empty) member `name`, in any case; `a.b` looks into `a`.
fn has(body: &Value, name: &str) -> bool {
    let Some(obj) = body.as_object() else { return false };
    match name.split_once('.') {
        Some((top, sub)) => get_ci(obj, top).is_some_and(|v| has(v, sub)),
        None => get_ci(obj, name).is_some_and(is_present),
    }
}

/// Fails unless every `present` member is there and every `absent` one is not.
fn members(what: &str, body: &Value, present: &[&str], absent: &[&str]) -> Result<(), Outcome> {
    let missing: Vec<&str> = present.iter().copied().filter(|n| !has(body, n)).collect();
    let extra: Vec<&str> = absent.iter().copied().filter(|n| has(body, n)).collect();
    if missing.is_empty() && extra.is_empty() {
        return Ok(());
    }
    Err(Outcome::fail(
        format!("{what} returns {} and not {}", present.join(", "), absent.join(", ")),
        match (missing.is_empty(), extra.is_empty()) {
            (false, true) => format!("missing {}: {}", missing.join(", "), excerpt(&body.to_string())),
            (true, false) => format!("it also returned {}", extra.join(", ")),
            _ => format!("missing {}; it also returned {}", missing.join(", "), extra.join(", ")),
        },
    ))
}

/// A User with every attribute the checks select or exclude; skipped if the server did not keep one of them.
async fn rich_user(ctx: &Ctx, label: &str) -> Result<Created, Outcome> {
    let user = ctx.create_user(label, json!({"title": "Engineer", "nickName": "Ada"})).await?;
    let wanted = ["userName", "displayName", "title", "nickName", "emails", "name.givenName", "name.familyName"];
    match wanted.iter().find(|n| !has(&user.body, n)) {
        Some(n) => Err(Outcome::Skip(format!("prerequisite failed: the user as created has no {n}"))),
        None => Ok(user),
    }
}

/// `GET {path}?{param}={value}`: 200 and a JSON object.
async fn read(ctx: &Ctx, user: &Created, param: &str, value: &str) -> Result<(String, Value), Outcome> {
    let what = format!("GET {}?{param}={value}", user.path);
    let r = ctx.send(ScimRequest::get(&user.path).query(param, value)).await?;
    status_in(&r, &[200], &what)?;
    let body = Value::Object(object(&r, &what)?.clone());
    Ok((what, body))
}

/// Reads a rich user with `param=value` and judges the members.
async fn projected(ctx: &Ctx, label: &str, param: &str, value: &str, present: &[&str], absent: &[&str]) -> Outcome {
    outcome(
        async {
            let user = rich_user(ctx, label).await?;
            let (what, body) = read(ctx, &user, param, value).await?;
            members(&what, &body, present, absent)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.9: `attributes` overrides the default set.
async fn attributes_on_read(ctx: &Ctx) -> Outcome {
    let absent = ["displayName", "title", "emails", "name", "nickName"];
    projected(ctx, "proj-read", "attributes", "userName", &["id", "userName"], &absent).await
}

/// RFC 7644 section 3.9 and RFC 7643 section 7: `id` is returned always, whatever `attributes` says.
async fn attributes_keep_id(ctx: &Ctx) -> Outcome {
    projected(ctx, "proj-id", "attributes", "displayName", &["id", "displayName"], &["emails", "title"]).await
}

/// RFC 7644 section 3.9: a sub-attribute named alone is returned alone within its parent.
async fn attributes_sub_attribute(ctx: &Ctx) -> Outcome {
    let absent = ["name.givenName", "displayName", "emails"];
    projected(ctx, "proj-sub", "attributes", "name.familyName", &["id", "name.familyName"], &absent).await
}

/// RFC 7644 sections 3.9 and 3.10: attribute names may carry their schema URN.
async fn attributes_urn_qualified(ctx: &Ctx) -> Outcome {
    let value = format!("{USER_URN}:displayName");
    projected(ctx, "proj-urn", "attributes", &value, &["id", "displayName"], &["emails", "title"]).await
}

/// RFC 7643 section 2.1: attribute names are case-insensitive, in `attributes` too.
async fn attributes_any_case(ctx: &Ctx) -> Outcome {
    projected(ctx, "proj-case", "attributes", "DISPLAYNAME,Title", &["id", "displayName", "title"], &["emails"]).await
}

/// RFC 7644 section 3.9: `excludedAttributes` removes the named attributes from the default set.
async fn excluded_on_read(ctx: &Ctx) -> Outcome {
    let present = ["id", "userName", "displayName", "name.familyName"];
    projected(ctx, "proj-excl", "excludedAttributes", "emails,title", &present, &["emails", "title"]).await
}

/// RFC 7644 section 3.9 and RFC 7643 section 7: excluding `id` has no effect, it is returned always.
async fn excluded_keep_id(ctx: &Ctx) -> Outcome {
    projected(ctx, "proj-exclid", "excludedAttributes", "id,displayName", &["id", "userName"], &["displayName"]).await
}

/// Lists two marked users with `param=value` and judges the members of each.
async fn listed(ctx: &Ctx, label: &str, param: &str, value: &str, present: &[&str], absent: &[&str]) -> Outcome {
    outcome(
        async {
            let m =
                users(ctx, label, &[("a", json!({"title": "Engineer"})), ("b", json!({"title": "Manager"}))]).await?;
            let clause = m.clause();
            let what = format!("GET {}?filter={clause}&{param}={value}", ctx.run.path(Kind::User));
            let r = list(ctx, Kind::User, &[("filter", &clause), (param, value)]).await?;
            let l = read_list(&r, &what)?;
            let got = m.labels(&l.resources);
            if got != ["a", "b"] {
                return Ok(Outcome::fail(format!("{what} returns both marked users"), format!("it returned {got:?}")));
            }
            // RFC 7643 section 7: an attribute the server does not define cannot be expected back.
            let present: Vec<&str> = present.iter().copied().filter(|a| ctx.defines(Kind::User, a)).collect();
            for res in &l.resources {
                members(&what, res, &present, absent)?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 sections 3.4.2.5 and 3.9: `attributes` on a query applies to each resource returned.
async fn attributes_on_list(ctx: &Ctx) -> Outcome {
    listed(ctx, "proj-list", "attributes", "userName", &["id", "userName"], &["emails", "displayName", "title"]).await
}

/// RFC 7644 sections 3.4.2.5 and 3.9: `excludedAttributes` on a query applies to each resource returned.
async fn excluded_on_list(ctx: &Ctx) -> Outcome {
    listed(ctx, "proj-exlist", "excludedAttributes", "emails", &["id", "userName", "title"], &["emails"]).await
}

/// RFC 7644 section 3.9 on Groups: `attributes=displayName` leaves `members` out.
async fn group_attributes_on_list(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("proj-member", json!({})).await?;
            let m =
                super::queries::groups(ctx, "proj-groups", &[("a", json!({"members": [{"value": user.id}]}))]).await?;
            if !has(&m.get("a")?.body, "members") {
                return Ok(Outcome::Skip("prerequisite failed: the group as created shows no members".into()));
            }
            let clause = m.clause();
            let what = format!("GET {}?filter={clause}&attributes=displayName", ctx.run.path(Kind::Group));
            let r = list(ctx, Kind::Group, &[("filter", &clause), ("attributes", "displayName")]).await?;
            let l = read_list(&r, &what)?;
            if m.labels(&l.resources) != ["a"] {
                return Ok(Outcome::fail(
                    format!("{what} returns the marked group"),
                    format!("it returned {:?}", m.labels(&l.resources)),
                ));
            }
            for res in &l.resources {
                members(&what, res, &["id", "displayName"], &["members"])?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.9: the parameters apply to any operation that returns a resource, a create included.
async fn attributes_on_create(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (body, name) = ctx.user_body("proj-create");
            let path = ctx.run.path(Kind::User).to_owned();
            let what = format!("POST {path}?attributes=userName");
            let r = ctx
                .send(ScimRequest::json(reqwest::Method::POST, &path, &body).query("attributes", "userName"))
                .await?;
            if let Some(id) = r.body_json().get("id").and_then(Value::as_str).filter(|_| (200..300).contains(&r.status))
            {
                ctx.adopt(Kind::User, id).map_err(|d| crate::ctx::id_defect(&d))?;
            }
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::Skip(format!("prerequisite failed: {what} answered {}", crate::ctx::describe(&r))));
            }
            let shown = Value::Object(object(&r, &what)?.clone());
            members(&what, &shown, &["id", "userName"], &["emails", "displayName", "name"])?;
            Ok(Outcome::check(
                shown.get("userName").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(&name)),
                format!("{what} answers with the created user's userName {name:?}"),
                format!("userName is {}", shown.get("userName").map_or("absent".into(), Value::to_string)),
            ))
        }
        .await,
    )
}
