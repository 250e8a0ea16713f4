//! Okta profile, users: what Okta's OIN SCIM 2.0 client (and its AIW variant) sends to test credentials, look
//! users up, create, update with a full PUT, deactivate and reactivate them, and import them page by page, and
//! what it needs back (`reference/IDP-TRAFFIC.md` sections 2 and 5, bodies in `reference/idp-wire/okta/`). Every
//! request is built by mock-idp's `okta` (or `okta-aiw`) persona, so it carries Okta's headers (`User-Agent: Okta
//! SCIM Client 1.0.0`, `Accept-Charset: utf-8`, `Content-Type: application/scim+json; charset=utf-8`) and Okta's
//! query encoding (`%20`, `&startIndex=1&count=100`). Group Push is in `profile_okta_groups.rs`.

use super::crud::{at, has_value, show, str_at};
use super::profile_support::{
    active, body_of, create_fixture, created_body, edited, exactly, ids, list, list_planned, listed_inactive, no_match,
    patch, prerequisite, read_list, request, send, send_create, show_active, step,
};
use super::support::{excerpt, lists_schema, outcome, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::Persona;
use scimlab_mock_idp::intent::{Intent, UserChanges, UserProfile};
use scimlab_mock_idp::persona::Planned;
use scimlab_mock_idp::persona::catalog::{OKTA, OKTA_AIW};
use scimlab_protocol::error::ERROR_URN;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/okta";

const OKTA_PROFILE: &[Profile] = &[Profile::Okta];
const USERS: &[Capability] = &[Capability::Users];
const LOOKUP: &[Capability] = &[Capability::Users, Capability::Filter];
const PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const PATCH_FILTER: &[Capability] = &[Capability::Users, Capability::Patch, Capability::Filter];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/okta/test-api-credentials",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Auth, Tag::Pagination],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "Okta's Test API Credentials probe, with the run's credential in the Authorization header \
                      (Basic, or a token as HTTP Header mode sends it), answers 200 with a ListResponse whose \
                      totalResults, startIndex and itemsPerPage are integers",
        sends: "GET /Users?startIndex=1&count=2 with Okta's headers",
        consequence: "Okta's \"Test API Credentials\" fails, so the app's provisioning settings cannot be saved and \
                      nothing is ever provisioned",
        catches: &["integers-as-strings"],
        run: run!(test_api_credentials),
    },
    Check {
        id: "profile/okta/lookup-miss-empty-list",
        level: Level::Should,
        tags: &[Tag::Okta, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: OKTA_PROFILE,
        requirement: "a userName lookup that matches nothing answers 200 with totalResults 0 (Okta also copes \
                      with 404, its SPEC test does not)",
        sends: "POST /Users, then GET /Users?filter=userName%20eq%20%22<random>%22&startIndex=1&count=100",
        consequence: "Okta's published SPEC test (required for an OIN submission) asserts 200 with totalResults 0 \
                      and fails the submission",
        catches: &["empty-list-404", "filter-ignored"],
        run: run!(lookup_miss),
    },
    Check {
        id: "profile/okta/lookup-username",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: OKTA_PROFILE,
        requirement: "the lookup before a create, userName eq %20-encoded with startIndex=1&count=100, returns \
                      exactly the matching user",
        sends: "POST /Users twice, GET /Users?filter=userName%20eq%20%22<login>%22&startIndex=1&count=100",
        consequence: "Okta links an assigned user to what the lookup returns: a wrong answer links (and then \
                      overwrites) another user, a miss makes Okta create a duplicate that fails with 409",
        catches: &["filter-ignored", "integers-as-strings"],
        run: run!(lookup_username),
    },
    Check {
        id: "profile/okta/create-user",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Create],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "Okta's create (with password, locale, externalId and groups: []) is answered 201 with the \
                      user and its id",
        sends: "POST /Users with Okta's create body",
        consequence: "Okta reports \"Create new user returned empty user\" (or the error) as a failed Task in the \
                      admin console and the user is not provisioned",
        catches: &["create-empty-body", "create-200", "readonly-refused"],
        run: run!(create_user),
    },
    Check {
        id: "profile/okta/duplicate-username-409",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Create, Tag::Errors],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "a create with a userName already taken is answered 409 with a SCIM Error",
        sends: "POST /Users with Okta's body, then the same POST again",
        consequence: "Okta relies on the 409 to learn that the user exists; a 201 leaves two accounts for one \
                      person, and Okta manages only the second",
        catches: &["no-uniqueness"],
        run: run!(duplicate_409),
    },
    Check {
        id: "profile/okta/deactivate-pathless",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: OKTA_PROFILE,
        requirement: "Okta's deactivation, a path-less replace of {\"active\": false}, sets active to false",
        sends: "PATCH /Users/{id} {\"op\":\"replace\",\"value\":{\"active\":false}}",
        consequence: "unassigned, deactivated and suspended users keep access to the app; Okta shows a failed \
                      Task for each",
        catches: &["patch-noop"],
        run: run!(deactivate_pathless),
    },
    Check {
        id: "profile/okta/reactivate-pathless",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: OKTA_PROFILE,
        requirement: "Okta's reactivation, a path-less replace of {\"active\": true}, sets active to true",
        sends: "POST /Users with active false, PATCH /Users/{id} {\"op\":\"replace\",\"value\":{\"active\":true}}",
        consequence: "re-assigned or reactivated users stay locked out of the app; Okta shows a failed Task",
        catches: &["patch-noop"],
        run: run!(reactivate_pathless),
    },
    Check {
        id: "profile/okta/inactive-user-readable",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Read, Tag::Filter],
        requires: PATCH_FILTER,
        profiles: OKTA_PROFILE,
        requirement: "a deactivated user stays readable by id and by userName lookup, with active false",
        sends: "PATCH {\"op\":\"replace\",\"value\":{\"active\":false}}, GET /Users/{id}, \
                GET /Users?filter=userName%20eq%20...",
        consequence: "Okta never deletes users, it deactivates them; when they vanish, reassigning the user makes \
                      Okta's lookup miss and its create fail with 409, and imports report them as missing",
        catches: &["inactive-hidden"],
        run: run!(inactive_readable),
    },
    Check {
        id: "profile/okta/roles-put",
        level: Level::Should,
        tags: &[Tag::Okta, Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "a role change sent Okta's way, GET then a full PUT whose roles are the new set ({value, \
                      display}; the shape is inferred, Okta documents none), leaves the user with exactly those roles",
        sends: "POST /Users with roles [Former], GET /Users/{id}, PUT /Users/{id} with roles [Engineer], GET",
        consequence: "role changes made in Okta never reach the app, or the role taken away stays",
        catches: &["roles-dropped", "put-noop"],
        run: run!(roles_put),
    },
    Check {
        id: "profile/okta/put-full-replace",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "Okta's profile update, a full PUT of the user as read with its changes (meta cut down, \
                      groups: [], a password), replaces the user: changes applied, omitted attributes cleared",
        sends: "GET /Users/{id}, PUT /Users/{id} with that body, name changed, locale left out, password, groups []",
        consequence: "profile changes in Okta (name, email, attributes cleared) never reach the app; each update \
                      becomes a failed Task",
        catches: &["put-ignores-omitted", "put-noop", "readonly-refused"],
        run: run!(put_full_replace),
    },
    Check {
        id: "profile/okta/put-deactivates",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Replace],
        requires: USERS,
        profiles: OKTA_PROFILE,
        requirement: "an AIW app's deactivation, a full PUT with active false, deactivates the user",
        sends: "GET /Users/{id}, PUT /Users/{id} with that body and active false",
        consequence: "for apps built with Okta's App Integration Wizard, deprovisioning never takes effect: the \
                      user keeps access and Okta shows a failed Task",
        catches: &["put-noop"],
        run: run!(put_deactivates),
    },
    Check {
        id: "profile/okta/import-paging",
        level: Level::Must,
        tags: &[Tag::Okta, Tag::Users, Tag::Pagination],
        requires: LOOKUP,
        profiles: OKTA_PROFILE,
        requirement: "Okta's import pages (startIndex=1&count=100, then +count) carry integer counts and, in a \
                      stable order, return every user exactly once",
        sends: "GET /Users?startIndex=1&count=100, then five users' userName sw filter paged with count=2 at \
                startIndex 1, 3, 5",
        consequence: "imports miss users or show them twice, so Okta's import matching links the wrong accounts or \
                      proposes duplicates",
        catches: &["startindex-zero-based", "count-ignored", "integers-as-strings"],
        run: run!(import_paging),
    },
];

/// What Okta holds about a user it assigns (the data of idp-wire/okta/create_user_post.json), with `userName` and
/// email `<name>@okta.example` and the password Okta sends when password sync is on.
fn okta_profile(name: &str) -> UserProfile {
    let login = format!("{name}@okta.example");
    UserProfile {
        user_name: login.clone(),
        external_id: format!("00u{}", uuid::Uuid::new_v4().simple()),
        given_name: Some("Test".into()),
        family_name: Some("User".into()),
        display_name: Some("Test User".into()),
        email: Some(login),
        locale: Some("en-US".into()),
        password: Some("1mz050nq-Scimlab".into()),
        active: true,
        ..UserProfile::default()
    }
}

/// Okta's create of `user`: the `create` step of the persona's hire plan.
fn create_of(user: &UserProfile) -> Result<Planned, Outcome> {
    step(OKTA.plan(&Intent::Hire { user: user.clone() }), "create")
}

/// Okta's lookup of `user` before a create: the `lookup` step of the persona's hire plan.
fn lookup_of(user: &UserProfile) -> Result<Planned, Outcome> {
    step(OKTA.plan(&Intent::Hire { user: user.clone() }), "lookup")
}

/// A user created as Okta creates it (less `groups`), with `extra` members merged into the body; returns it with
/// the body sent and Okta's view of the user.
pub(crate) async fn okta_fixture(
    ctx: &Ctx,
    label: &str,
    extra: Value,
) -> Result<(Created, Value, UserProfile), Outcome> {
    let profile = okta_profile(&ctx.unique(label));
    // Fixtures leave out the readOnly `groups: []`, so that only the create check judges how a server takes it.
    let create = edited(create_of(&profile)?, |body| {
        crate::ctx::merge(body, extra);
        if let Some(o) = body.as_object_mut() {
            o.remove("groups");
        }
    });
    let body = body_of(&create);
    let created = create_fixture(ctx, &OKTA, Kind::User, create).await?;
    Ok((created, body, profile))
}

/// Section 2, Auth and Test API Credentials.
async fn test_api_credentials(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let users = ctx.run.path(Kind::User).to_owned();
            let probe = step(OKTA.plan(&Intent::TestConnection { probe: String::new() }), "test-connection")?;
            let what = format!("GET {users}?{}", probe.raw_query.clone().unwrap_or_default());
            let r = send(ctx, &OKTA, probe, &users).await?;
            // Okta puts Basic credentials and HTTP Header tokens in the Authorization header, nowhere else.
            let in_authorization =
                r.exchange.request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
            if !in_authorization {
                return Err(Outcome::Skip(
                    "the run authenticates with a header other than Authorization; Okta sends Basic credentials or \
                     a token only in the Authorization header: run with --token or --basic to check what Okta sends"
                        .into(),
                ));
            }
            let list = read_list(&r, &what, true)?;
            Ok(Outcome::check(
                list.resources.len() <= 2,
                "at most 2 resources (count=2)",
                format!("{} resources", list.resources.len()),
            ))
        }
        .await,
    )
}

/// Section 2, Responses, and the SPEC test: a lookup miss is 200 with totalResults 0.
async fn lookup_miss(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // A user of the run's own, so that a server that ignores the filter cannot pass on an empty store.
            okta_fixture(ctx, "okta-somebody", json!({})).await?;
            let nobody = okta_profile(&ctx.unique("okta-nobody"));
            Ok(no_match(&list_planned(ctx, &OKTA, Kind::User, lookup_of(&nobody)?).await?))
        }
        .await,
    )
}

/// Section 2, Hire: the lookup.
async fn lookup_username(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _, profile) = okta_fixture(ctx, "okta-lookup", json!({})).await?;
            okta_fixture(ctx, "okta-lookup", json!({})).await?;
            exactly(&list_planned(ctx, &OKTA, Kind::User, lookup_of(&profile)?).await?, &[&a], "the userName lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 2, Hire: 201 with a body.
async fn create_user(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let create = create_of(&okta_profile(&ctx.unique("okta-create")))?;
            let body = body_of(&create);
            let users = ctx.run.path(Kind::User).to_owned();
            let r = send_create(ctx, Kind::User, request(&OKTA, create, &users)).await?;
            let got = created_body(&r, &format!("POST {users}"), "User")?;
            Ok(Outcome::check(
                str_at(got, &["userName"]) == str_at(&body, &["userName"]) && active(got) == Some(true),
                "the created User carries the userName sent and active true",
                format!("userName {}, active {}", show(at(got, &["userName"])), show_active(got)),
            ))
        }
        .await,
    )
}

/// Section 2, Hire: a duplicate gets 409.
async fn duplicate_409(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (_, body, profile) = okta_fixture(ctx, "okta-dup", json!({})).await?;
            let users = ctx.run.path(Kind::User).to_owned();
            let again = create_of(&profile)?.with_body(body);
            let r = send_create(ctx, Kind::User, request(&OKTA, again, &users)).await?;
            let what = format!("a second POST {users} with the same userName");
            status(&r, 409, &what)?;
            Ok(Outcome::check(
                lists_schema(r.body_json(), ERROR_URN),
                format!("{what} answers a SCIM Error"),
                format!("the body is: {}", excerpt(&r.text())),
            ))
        }
        .await,
    )
}

/// `Ok` when `created` reads back with `active` equal to `want`.
async fn reads_active(ctx: &Ctx, created: &Created, want: bool, when: &str) -> Result<Outcome, Outcome> {
    let got = ctx.read_back(created).await?;
    Ok(Outcome::check(
        active(&got) == Some(want),
        format!("active is {want} {when}"),
        format!("active is {}", show_active(&got)),
    ))
}

/// Okta's deactivation of `created` (deactivate_user_patch.json): the `activation` step of the persona's plan.
fn deactivation(created: &Created, before: &UserProfile) -> Result<Planned, Outcome> {
    step(OKTA.plan(&Intent::Deactivate { id: created.id.clone(), before: before.clone() }), "activation")
}

/// Section 2, Offboarding (deactivate_user_patch.json).
async fn deactivate_pathless(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _, profile) = okta_fixture(ctx, "okta-deactivate", json!({})).await?;
            patch(ctx, &OKTA, &a, deactivation(&a, &profile)?).await?;
            reads_active(ctx, &a, false, "after the deactivation").await
        }
        .await,
    )
}

/// Section 2, Offboarding: reactivation is the same PATCH with true.
async fn reactivate_pathless(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _, profile) = okta_fixture(ctx, "okta-reactivate", json!({"active": false})).await?;
            if active(&ctx.read_back(&a).await?) != Some(false) {
                return Err(Outcome::Skip("prerequisite failed: a user created with active false is active".into()));
            }
            let intent = Intent::Reactivate {
                id: a.id.clone(),
                before: UserProfile { active: false, ..profile },
                changes: UserChanges::default(),
            };
            patch(ctx, &OKTA, &a, step(OKTA.plan(&intent), "activation")?).await?;
            reads_active(ctx, &a, true, "after the reactivation").await
        }
        .await,
    )
}

/// Section 5 item 9: inactive users stay readable by id and by filter.
async fn inactive_readable(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _, profile) = okta_fixture(ctx, "okta-inactive", json!({})).await?;
            let r = send(ctx, &OKTA, deactivation(&a, &profile)?, &a.path).await?;
            prerequisite(&r, &format!("PATCH {} (deactivation)", a.path))?;
            let r = send(ctx, &OKTA, OKTA.get("read", a.path.as_str(), None), &a.path).await?;
            if r.status != 200 || active(r.body_json()) != Some(false) {
                return Ok(Outcome::fail(
                    format!("GET {} answers 200 with the user, active false", a.path),
                    format!("{}, active {}", describe(&r), show_active(r.body_json())),
                ));
            }
            let list = list_planned(ctx, &OKTA, Kind::User, lookup_of(&profile)?).await?;
            listed_inactive(&list, &a, "the userName lookup of the deactivated user")
        }
        .await,
    )
}

/// Okta's profile update of `created` as `persona` sends it (update_user_put.json): the plan's `fetch` GET is
/// sent, and its answer becomes the `update` PUT's body (meta cut down, `groups` sent empty, `changes` merged
/// in). `edit` then makes the check's variant of that body. Returns the PUT, ready to send.
async fn get_then_put(
    ctx: &Ctx,
    persona: &Persona,
    created: &Created,
    intent: Intent,
    edit: impl FnOnce(&mut Value),
) -> Result<Planned, Outcome> {
    let plan = persona.plan(&intent);
    let fetch = step(plan.clone(), "fetch")?;
    let put = step(plan, "update")?;
    let r = send(ctx, persona, fetch, &created.path).await?;
    prerequisite(&r, &format!("GET {}", created.path))?;
    let fetched =
        r.json.clone().filter(Value::is_object).ok_or_else(|| {
            Outcome::Skip(format!("prerequisite failed: GET {} did not return an object", created.path))
        })?;
    let mut body = put.body_for(Some(&fetched)).unwrap_or(Value::Null);
    edit(&mut body);
    Ok(put.with_body(body))
}

/// Section 2, Update (update_user_put.json): the full PUT. Okta PUTs back what it read with the changed name; the
/// check's variant adds a middle name (where the server defines it) and a password and leaves locale out (cleared
/// in Okta), to see that the PUT replaces. Clearing is the point, so a server without locale skips: RFC 7643
/// section 7 lets it publish a subset, and what it never held cannot show a PUT clearing it.
/// RFC 7643 section 4.1.2 with RFC 7644 section 3.5.1, as the okta persona sends a role change (see
/// `scimlab_mock_idp` persona users.rs, `change_roles`): the PUT's roles replace the user's.
async fn roles_put(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["roles", "roles.value", "roles.display"])?;
            let former = json!([{"value": "Former", "display": "Former"}]);
            let (a, _, profile) = okta_fixture(ctx, "okta-roles", json!({"roles": former})).await?;
            let before = UserProfile { roles: vec!["Former".into()], ..profile };
            let intent = Intent::ChangeRoles {
                id: a.id.clone(),
                before,
                add: vec!["Engineer".into()],
                remove: vec!["Former".into()],
            };
            let plan = OKTA.plan(&intent);
            let r = send(ctx, &OKTA, step(plan.clone(), "fetch")?, &a.path).await?;
            prerequisite(&r, &format!("GET {}", a.path))?;
            let fetched = r.json.clone().filter(Value::is_object).ok_or_else(|| {
                Outcome::Skip(format!("prerequisite failed: GET {} did not return an object", a.path))
            })?;
            let put = step(plan, "roles")?;
            let body = put.body_for(Some(&fetched)).unwrap_or(Value::Null);
            let r = send(ctx, &OKTA, put.with_body(body), &a.path).await?;
            status(&r, 200, &format!("PUT {}", a.path))?;
            let got = ctx.read_back(&a).await?;
            let roles = super::rfc7644_3_5_2_patch::values(&got, "roles");
            Ok(Outcome::check(
                roles == ["Engineer"],
                "roles holds Engineer alone (Former is gone)",
                format!("roles is {}", show(at(&got, &["roles"]))),
            ))
        }
        .await,
    )
}

async fn put_full_replace(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["locale"])?;
            let middle = ctx.defines(Kind::User, "name.middleName");
            let (a, _, profile) = okta_fixture(ctx, "okta-put", json!({})).await?;
            let changes = UserChanges {
                given_name: Some("Another".into()),
                family_name: Some("User".into()),
                ..UserChanges::default()
            };
            let intent = Intent::Update { id: a.id.clone(), before: profile, changes };
            let put = get_then_put(ctx, &OKTA, &a, intent, |body| {
                if middle {
                    body["name"]["middleName"] = json!("Excited");
                }
                body["password"] = json!("7wq2Lx9p-Scimlab");
                if let Some(o) = body.as_object_mut() {
                    o.shift_remove("locale");
                }
            })
            .await?;
            let r = send(ctx, &OKTA, put, &a.path).await?;
            status(&r, 200, &format!("PUT {}", a.path))?;
            let got = ctx.read_back(&a).await?;
            let name = |sub: &str| str_at(&got, &["name", sub]).unwrap_or("absent").to_owned();
            if name("givenName") != "Another" || (middle && name("middleName") != "Excited") {
                return Ok(Outcome::fail(
                    if middle {
                        "name.givenName \"Another\" and name.middleName \"Excited\" after the PUT"
                    } else {
                        "name.givenName \"Another\" after the PUT"
                    },
                    format!("name is {}", show(at(&got, &["name"]))),
                ));
            }
            Ok(Outcome::check(
                !has_value(&got, &["locale"]),
                "locale, left out of the PUT, is cleared",
                format!("locale is {}", show(at(&got, &["locale"]))),
            ))
        }
        .await,
    )
}

/// Section 2, Update: AIW apps deactivate with a PUT (coder#15828): the `okta-aiw` persona's deactivation.
async fn put_deactivates(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, _, profile) = okta_fixture(ctx, "okta-aiw", json!({})).await?;
            let intent = Intent::Deactivate { id: a.id.clone(), before: profile };
            let put = get_then_put(ctx, &OKTA_AIW, &a, intent, |_| {}).await?;
            let r = send(ctx, &OKTA_AIW, put, &a.path).await?;
            status(&r, 200, &format!("PUT {}", a.path))?;
            reads_active(ctx, &a, false, "after the PUT with active false").await
        }
        .await,
    )
}

/// Section 2, Import: integer counts, and pages that return each user once.
async fn import_paging(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let first = list(ctx, &OKTA, Kind::User, "startIndex=1&count=100".into()).await?;
            if first.start_index != 1 || first.resources.len() > 100 {
                return Ok(Outcome::fail(
                    "the first import page has startIndex 1 and at most 100 users",
                    format!("startIndex {}, {} users", first.start_index, first.resources.len()),
                ));
            }
            // Okta imports the whole collection; the harness pages through its own five users only, so that
            // foreign users (and other checks' users) cannot change the answer.
            let marker = ctx.unique("okta-import");
            let mut mine = BTreeSet::new();
            for i in 0..5 {
                mine.insert(
                    create_fixture(ctx, &OKTA, Kind::User, create_of(&okta_profile(&format!("{marker}-{i}")))?)
                        .await?
                        .id,
                );
            }
            let filter = OKTA.filter_query(&format!("userName sw \"{marker}-\""));
            let mut seen = Vec::new();
            for start in [1, 3, 5] {
                let page = list(ctx, &OKTA, Kind::User, format!("{filter}&startIndex={start}&count=2")).await?;
                if page.total_results != 5 || page.start_index != start {
                    return Ok(Outcome::fail(
                        format!("the page at startIndex {start} says totalResults 5 and startIndex {start}"),
                        format!("totalResults {}, startIndex {}", page.total_results, page.start_index),
                    ));
                }
                let left = 5usize.saturating_sub(start - 1).min(2);
                if page.resources.len() < left {
                    return Ok(Outcome::fail(
                        format!("the page at startIndex {start} holds {left} users (count=2, 5 in all)"),
                        format!(
                            "it holds {}: Okta advances startIndex by count, so the users a short page leaves out are \
                             never imported",
                            page.resources.len()
                        ),
                    ));
                }
                seen.extend(ids(&page.resources));
            }
            let distinct: BTreeSet<String> = seen.iter().cloned().collect();
            Ok(Outcome::check(
                distinct == mine && seen.len() == mine.len(),
                format!("pages of 2 at startIndex 1, 3, 5 return the 5 users once each: {mine:?}"),
                format!("the pages returned {seen:?}"),
            ))
        }
        .await,
    )
}
