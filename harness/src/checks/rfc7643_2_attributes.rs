//! RFC 7643 section 2: attribute characteristics as a server must honour them. Attribute names are
//! case-insensitive (2.1); `returned: never` keeps the password out of every response (2.2; `returned: always`
//! is judged with the projection checks, `rfc7644/3.9/*-keep-id`); readOnly attributes such as `groups` are
//! ignored on input (2.2, with RFC 7644 3.3); required values must be there (2.2); values must have their
//! attribute's type (2.3).

use super::crud::{at, contains, group_ids, member_ids, post, show, str_at};
use super::support::{outcome, scim_error, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::ScimRequest;
use scimlab_protocol::schema::USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7643/2";

const USERS: &[Capability] = &[Capability::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7643/2.1/attribute-names-case-insensitive",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "attribute names are case-insensitive: a create spelling them USERNAME, NAME.GIVENNAME, \
                      DisplayName, EMAILS stores the values under those attributes",
        sends: "POST /Users with upper-case attribute names, GET /Users/{id}",
        consequence: "",
        catches: &["attribute-names-case-sensitive"],
        run: run!(attribute_names_case_insensitive),
    },
    Check {
        id: "rfc7643/2.2/password-never-returned",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "password is returned: never, so neither the create response nor a GET carries it",
        sends: "POST /Users with a password, GET /Users/{id}",
        consequence: "",
        catches: &["password-returned"],
        run: run!(password_never_returned),
    },
    Check {
        id: "rfc7643/2.2/password-not-returned-when-asked",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Schema, Tag::Projection],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "returned: never holds even when the client asks for the attribute: \
                      ?attributes=password,userName returns no password",
        sends: "POST /Users with a password, GET /Users/{id}?attributes=password,userName",
        consequence: "",
        catches: &["password-returned"],
        run: run!(password_not_returned_when_asked),
    },
    Check {
        id: "rfc7643/2.2/groups-readonly-ignored",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Groups, Tag::Schema, Tag::Membership],
        requires: &[Capability::Users, Capability::Groups],
        profiles: &[Profile::Rfc],
        requirement: "groups is readOnly on a User: a create that sends it succeeds and changes no membership \
                      (membership changes go through the Group, RFC 7643 4.1.2)",
        sends: "POST /Groups, POST /Users with groups naming that Group, GET both",
        consequence: "",
        catches: &["readonly-not-ignored"],
        run: run!(groups_readonly_ignored),
    },
    Check {
        id: "rfc7643/2.2/required-empty-username-400",
        level: Level::Must,
        tags: &[Tag::Users, Tag::Create, Tag::Errors, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "userName is required and non-empty (RFC 7643 4.1.1): a create with userName \"\" answers \
                      400 with a SCIM Error",
        sends: "POST /Users with \"userName\": \"\"",
        consequence: "",
        catches: &["schema-error-500"],
        run: run!(required_empty_username_400),
    },
    Check {
        id: "rfc7643/2.3/wrong-type-400",
        level: Level::Should,
        tags: &[Tag::Users, Tag::Create, Tag::Errors, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "a value of the wrong type (a string where active takes a boolean) is refused with 400 and a \
                      SCIM Error, not stored or answered 5xx",
        sends: "POST /Users with \"active\": \"not-a-boolean\"",
        consequence: "",
        catches: &["schema-error-500"],
        run: run!(wrong_type_400),
    },
    Check {
        id: "rfc7643/2.3/wrong-type-scim-type",
        level: Level::May,
        tags: &[Tag::Users, Tag::Create, Tag::Errors, Tag::Schema],
        requires: USERS,
        profiles: &[Profile::Rfc],
        requirement: "the 400 for a value of the wrong type carries scimType invalidValue (or invalidSyntax); \
                      scimType is optional, hence MAY",
        sends: "POST /Users with \"active\": \"not-a-boolean\"",
        consequence: "",
        catches: &["no-scim-type"],
        run: run!(wrong_type_scim_type),
    },
];

/// RFC 7643 section 2.1: attribute names are case-insensitive.
async fn attribute_names_case_insensitive(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let name = ctx.unique("names-any-case");
            let email = format!("{name}@example.com");
            let shouted = json!({
                "schemas": [USER_URN],
                "USERNAME": name,
                "NAME": {"GIVENNAME": "Ada", "FAMILYNAME": "Lovelace"},
                "DisplayName": "Ada Lovelace",
                "EMAILS": [{"VALUE": email, "TYPE": "work"}]
            });
            let canonical = json!({
                "userName": name,
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
                "displayName": "Ada Lovelace",
                "emails": [{"value": email, "type": "work"}]
            });
            // RFC 7643 section 7: only the attributes the server defines are sent and expected back.
            let (shouted, canonical) =
                (ctx.only_defined(Kind::User, &shouted), ctx.only_defined(Kind::User, &canonical));
            let r = post(ctx, Kind::User, &shouted).await?;
            let what = format!("POST {} with upper-case attribute names", ctx.run.path(Kind::User));
            super::crud::success(&r, &what)?;
            let Some(created) = super::crud::created_from(ctx, Kind::User, &r) else {
                return Ok(Outcome::fail(format!("{what} answers with the new id"), describe(&r)));
            };
            let got = ctx.read_back(&created).await?;
            Ok(match contains(&canonical, &got, "") {
                Ok(()) => Outcome::Pass,
                Err(miss) => Outcome::fail("the values stored under their attributes", format!("on GET, {miss}")),
            })
        }
        .await,
    )
}

fn password_of(ctx: &Ctx, label: &str) -> String {
    format!("Pw-{}-9x!", ctx.unique(label))
}

/// Whether a representation carries a password member (any case, any value).
fn shows_password(v: &Value) -> Option<&Value> {
    at(v, &["password"])
}

/// RFC 7643 section 2.2 (`returned: never`) and 4.1.1 (password): the password never appears in a response.
async fn password_never_returned(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("password", json!({"password": password_of(ctx, "pw")})).await?;
            if let Some(p) = shows_password(&created.body) {
                return Ok(Outcome::fail(
                    "no password in the create response",
                    format!("password is {}", show(Some(p))),
                ));
            }
            let got = ctx.read_back(&created).await?;
            Ok(match shows_password(&got) {
                None => Outcome::Pass,
                Some(p) => Outcome::fail(
                    format!("no password in GET {}", created.path),
                    format!("password is {}", show(Some(p))),
                ),
            })
        }
        .await,
    )
}

/// RFC 7643 section 2.2: a `returned: never` attribute is not returned even when a client asks for it.
async fn password_not_returned_when_asked(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("password-asked", json!({"password": password_of(ctx, "pw")})).await?;
            let r = ctx.send(ScimRequest::get(&created.path).query("attributes", "password,userName")).await?;
            let what = format!("GET {}?attributes=password,userName", created.path);
            status(&r, 200, &what)?;
            Ok(match shows_password(r.body_json()) {
                None => Outcome::Pass,
                Some(p) => Outcome::fail(format!("no password in {what}"), format!("password is {}", show(Some(p)))),
            })
        }
        .await,
    )
}

/// RFC 7644 section 3.3 (readOnly values SHALL be ignored on create) with RFC 7643 section 4.1.2 (`groups` is
/// readOnly; membership changes go through the Group resource).
async fn groups_readonly_ignored(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let group = ctx.create_group("readonly-groups", json!({})).await?;
            let (mut body, _) = ctx.user_body("readonly-groups");
            crate::ctx::merge(&mut body, json!({"groups": [{"value": group.id, "display": "ignored"}]}));
            let r = post(ctx, Kind::User, &body).await?;
            let what = format!("POST {} with groups", ctx.run.path(Kind::User));
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::fail(
                    format!("{what} succeeds: readOnly values are ignored, not refused"),
                    format!("{what} answered {}", describe(&r)),
                ));
            }
            let Some(user) = super::crud::created_from(ctx, Kind::User, &r) else {
                return Ok(Outcome::Skip("prerequisite failed: the create answered without an id".into()));
            };
            let g = ctx.read_back(&group).await?;
            if member_ids(&g).contains(&user.id) {
                return Ok(Outcome::fail(
                    "the Group's members unchanged",
                    format!("the Group lists the new User: members {}", show(at(&g, &["members"]))),
                ));
            }
            let u = ctx.read_back(&user).await?;
            Ok(Outcome::check(
                !group_ids(&u).contains(&group.id),
                "the User's groups does not list a Group it is not a member of",
                format!("groups is {}", show(at(&u, &["groups"]))),
            ))
        }
        .await,
    )
}

/// RFC 7643 sections 2.2 and 4.1.1: userName is required and must not be empty; RFC 7644 section 3.12: 400.
async fn required_empty_username_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (mut body, name) = ctx.user_body("empty-username");
            crate::ctx::merge(&mut body, json!({"userName": "", "displayName": name, "externalId": name}));
            let r = post(ctx, Kind::User, &body).await?;
            scim_error(&r, 400, None, &format!("POST {} with userName \"\"", ctx.run.path(Kind::User)))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// POSTs a User whose `active` is a string.
async fn post_wrong_type(ctx: &Ctx) -> Result<scimlab_mock_idp::ScimResponse, Outcome> {
    let (mut body, _) = ctx.user_body("wrong-type");
    crate::ctx::merge(&mut body, json!({"active": "not-a-boolean"}));
    post(ctx, Kind::User, &body).await
}

/// RFC 7643 section 2.3.2 (booleans are true or false) with RFC 7644 section 3.12 (400 for a body that violates
/// the schema).
async fn wrong_type_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = post_wrong_type(ctx).await?;
            scim_error(
                &r,
                400,
                None,
                &format!("POST {} with \"active\": \"not-a-boolean\"", ctx.run.path(Kind::User)),
            )?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.12, Table 9: a value not compatible with its attribute's type is invalidValue.
async fn wrong_type_scim_type(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let r = post_wrong_type(ctx).await?;
            let what = format!("POST {} with \"active\": \"not-a-boolean\"", ctx.run.path(Kind::User));
            status(&r, 400, &what)?;
            let t = str_at(r.body_json(), &["scimType"]);
            Ok(Outcome::check(
                matches!(t, Some("invalidValue" | "invalidSyntax")),
                "scimType invalidValue (or invalidSyntax)",
                format!("scimType is {}", t.map_or("absent".to_owned(), |t| format!("{t:?}"))),
            ))
        }
        .await,
    )
}
