//! Microsoft Entra ID profile, users: what Entra's provisioning service sends to look users up, create them,
//! disable them and enable them again, and what it needs back (`reference/IDP-TRAFFIC.md` sections 1 and 5,
//! bodies in `reference/idp-wire/entra/`). Each check sends the requests of mock-idp's `entra` persona (the
//! model `scimlab replay --as entra` sends through: form-encoded filters, no `Accept` or User-Agent, `charset=utf-8`
//! on bodies, `"False"` strings) and says what Entra does when the answer is wrong. PATCH dialects are in
//! `profile_entra_patch.rs`, groups in `profile_entra_groups.rs`.

use super::crud::{contains, str_at};
use super::profile_support::{
    active, body_of, create_fixture, created_body, edited, exactly, list, list_planned, listed_inactive, no_match,
    patch, prerequisite, request, send, send_create, sent, show_active, step,
};
use super::support::{media_type, outcome, uncoded};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::intent::{Intent, UserChanges, UserProfile};
use scimlab_mock_idp::persona::catalog::ENTRA;
use scimlab_protocol::schema::ENTERPRISE_USER_URN;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/entra";

const ENTRA_PROFILE: &[Profile] = &[Profile::Entra];
const USERS: &[Capability] = &[Capability::Users];
const LOOKUP: &[Capability] = &[Capability::Users, Capability::Filter];
const PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const PATCH_FILTER: &[Capability] = &[Capability::Users, Capability::Patch, Capability::Filter];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "profile/entra/test-connection-empty-list",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "Test Connection's lookup of a random GUID answers 200 with an empty ListResponse, not 404",
        sends: "POST /Users, then GET /Users?filter=userName+eq+%22<random GUID>%22 with only the Authorization \
                header",
        consequence: "Entra's Test Connection fails and provisioning cannot be saved; in a running job a 404 on a \
                      lookup is a quarantine cause, after which the job runs at most once a day",
        catches: &["empty-list-404", "filter-ignored"],
        run: run!(test_connection),
    },
    Check {
        id: "profile/entra/lookup-username",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "the lookup before a create, userName eq with a form-encoded filter, returns exactly the \
                      matching user",
        sends: "POST /Users twice (Entra's create body), then GET /Users?filter=userName+eq+%22<UPN>%22",
        consequence: "Entra looks every user up by userName before creating it: when the answer holds other users, \
                      Entra takes the first as the match, caches its id and overwrites that user; when it misses, \
                      Entra POSTs a duplicate that fails with 409 and the user is retried every cycle",
        catches: &["filter-ignored"],
        run: run!(lookup_username),
    },
    Check {
        id: "profile/entra/lookup-username-any-case",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "the userName lookup ignores case, so a UPN whose case changed in Entra still matches",
        sends: "POST /Users (UPN <name>@Contoso.example), GET /Users?filter=userName+eq+%22<name>@contoso.example%22",
        consequence: "when a UPN's case changes in Entra, the lookup misses, Entra POSTs the user again and the \
                      create fails (409) or makes a second account for the same person",
        catches: &["case-sensitive-username"],
        run: run!(lookup_any_case),
    },
    Check {
        id: "profile/entra/lookup-externalid",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "a lookup on externalId (Entra's matching attribute when set to mailNickname or objectId) \
                      returns exactly the matching user",
        sends: "POST /Users twice, GET /Users?filter=externalId+eq+%22<externalId>%22",
        consequence: "apps matched on externalId get wrong or missing matches: Entra updates the wrong user or \
                      creates duplicates",
        catches: &["filter-ignored"],
        run: run!(lookup_external_id),
    },
    Check {
        id: "profile/entra/lookup-work-email",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Filter],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "a lookup on emails[type eq \"work\"].value (Entra's matching attribute when set to mail) \
                      returns exactly the matching user",
        sends: "POST /Users twice, GET /Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22<mail>%22",
        consequence: "apps matched on the work email cannot be provisioned: every lookup fails and each user is \
                      marked failed and retried on the next cycle",
        catches: &["filter-valuepath-unsupported", "filter-ignored"],
        run: run!(lookup_work_email),
    },
    Check {
        id: "profile/entra/create-user",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Create],
        requires: USERS,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's create body (core and enterprise schemas, meta.resourceType, roles []) is answered \
                      201 with the user and its id",
        sends: "POST /Users with Entra's create body and Content-Type: application/scim+json; charset=utf-8",
        consequence: "Entra needs the id from the 201 body to manage the user; without it the user is marked \
                      failed, retried on the next cycle (about 40 minutes) and eventually quarantined",
        catches: &["create-empty-body", "create-200", "readonly-refused"],
        run: run!(create_user),
    },
    Check {
        id: "profile/entra/values-echoed",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Read],
        requires: USERS,
        profiles: ENTRA_PROFILE,
        requirement: "every value Entra sent comes back exactly as sent (no case folding of userName or emails)",
        sends: "POST /Users with Entra's create body (mixed-case UPN and mail), GET /Users/{id}",
        consequence: "Entra compares what it reads with what it holds: a value that comes back changed looks \
                      like a difference on every cycle, so Entra PATCHes the user again every 40 minutes",
        catches: &["values-lowercased"],
        run: run!(values_echoed),
    },
    Check {
        id: "profile/entra/deactivate-string-false",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's default disable, Replace active with the string \"False\", sets active to false",
        sends: "PATCH /Users/{id} {\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}",
        consequence: "unassigned or disabled users stay active in the app: Entra marks the disable failed, retries \
                      it every cycle and quarantines the job once enough operations fail",
        catches: &["string-booleans-refused", "ops-case-sensitive", "patch-noop"],
        run: run!(deactivate_string_false),
    },
    Check {
        id: "profile/entra/reactivate-string-true",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Patch],
        requires: PATCH,
        profiles: ENTRA_PROFILE,
        requirement: "Entra's default re-enable, Replace active with the string \"True\", sets active to true",
        sends: "POST /Users with active false, PATCH /Users/{id} {\"op\":\"Replace\",\"path\":\"active\",\
                \"value\":\"True\"}",
        consequence: "a re-assigned or re-enabled user stays locked out of the app; Entra retries the enable every \
                      cycle without success",
        catches: &["string-booleans-refused", "patch-noop"],
        run: run!(reactivate_string_true),
    },
    Check {
        id: "profile/entra/inactive-user-readable",
        level: Level::Must,
        tags: &[Tag::Entra, Tag::Users, Tag::Read, Tag::Filter],
        requires: PATCH_FILTER,
        profiles: ENTRA_PROFILE,
        requirement: "a disabled user stays readable by id and by userName lookup, with active false",
        sends: "POST /Users, PATCH Replace active \"False\", GET /Users/{id}, GET /Users?filter=userName+eq+...",
        consequence: "Entra keeps managing disabled users (they can be re-enabled, and are deleted 30 days later): \
                      when they vanish, Entra's lookup misses, it POSTs the user again and the create fails with \
                      409 on every cycle",
        catches: &["inactive-hidden"],
        run: run!(inactive_readable),
    },
    Check {
        id: "profile/entra/response-media-type",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Http],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "answers to Entra's reads and lookups are labelled Content-Type: application/scim+json",
        sends: "POST /Users, GET /Users/{id} and GET /Users?filter=userName+eq+... without an Accept header",
        consequence: "Entra's documentation lists application/scim+json as a response requirement; an answer \
                      labelled otherwise may be rejected as unreadable, failing the operation for the cycle",
        catches: &["wrong-content-type"],
        run: run!(response_media_type),
    },
    Check {
        id: "profile/entra/no-unasked-compression",
        level: Level::Should,
        tags: &[Tag::Entra, Tag::Users, Tag::Http],
        requires: LOOKUP,
        profiles: ENTRA_PROFILE,
        requirement: "answers to Entra's reads and lookups, which carry no Accept-Encoding, are not compressed",
        sends: "POST /Users, GET /Users/{id} and GET /Users?filter=userName+eq+... without an Accept-Encoding \
                header",
        consequence: "Entra's provisioning sends no Accept-Encoding and is not known to decode gzip or deflate: a \
                      compressed answer may be read as malformed JSON, failing the read or lookup for the cycle",
        catches: &["compress-unasked"],
        run: run!(no_unasked_compression),
    },
];

/// What Entra holds about a user it provisions (the data of idp-wire/entra/create_user_post.json, with the title,
/// display name and enterprise attributes of its attribute table), named from `name`: `userName` and the work
/// email are `<name>@Contoso.example`, in mixed case, to see whether they come back as sent. Enterprise
/// attributes only when the server has the extension.
pub(crate) fn entra_profile(ctx: &Ctx, name: &str) -> UserProfile {
    let upn = format!("{name}@Contoso.example");
    let enterprise = |v: &str| ctx.run.enterprise.then(|| v.to_owned());
    UserProfile {
        user_name: upn.clone(),
        external_id: uuid::Uuid::new_v4().to_string(),
        given_name: Some("Joy".into()),
        family_name: Some("Young".into()),
        display_name: Some("Joy Young".into()),
        email: Some(upn),
        title: Some("Tour Guide".into()),
        employee_number: enterprise("1001"),
        department: enterprise("Tour Operations"),
        active: true,
        ..UserProfile::default()
    }
}

/// A user Entra has provisioned: what the server made, the body Entra sent, and what Entra holds about it (for
/// the next intent's `before`).
pub(crate) struct EntraUser {
    /// The created user.
    pub created: Created,
    /// The create body sent.
    pub body: Value,
    /// Entra's view of the user.
    pub profile: UserProfile,
}

/// Creates a user as Entra does (the `entra` persona's create step, less `meta`), with `extra` members merged
/// into the body; a null in `extra` means "Entra sends no value" and leaves the member out (Entra never sends
/// nulls). Fixtures leave out the readOnly `meta`, so that only the create check judges how a server takes it,
/// and list the enterprise schema only when the server has the extension (the create check sends it always, as
/// Entra does).
pub(crate) async fn entra_fixture(ctx: &Ctx, label: &str, extra: Value) -> Result<EntraUser, Outcome> {
    let profile = entra_profile(ctx, &ctx.unique(label));
    let create = step(ENTRA.plan(&Intent::Hire { user: profile.clone() }), "create")?;
    let enterprise = ctx.run.enterprise;
    let create = edited(create, |body| {
        crate::ctx::merge(body, extra);
        if let Some(o) = body.as_object_mut() {
            o.retain(|k, v| !v.is_null() && k != "meta");
            if !enterprise && let Some(Value::Array(schemas)) = o.get_mut("schemas") {
                schemas.retain(|s| s.as_str() != Some(ENTERPRISE_USER_URN));
            }
        }
    });
    let body = body_of(&create);
    let created = create_fixture(ctx, &ENTRA, Kind::User, create).await?;
    Ok(EntraUser { created, body, profile })
}

/// Entra's lookup of `user` before a create (the hire plan's `lookup` step), sent and read as a list.
async fn lookup_of(ctx: &Ctx, user: &UserProfile) -> Result<scimlab_protocol::list::ListResponse, Outcome> {
    let lookup = step(ENTRA.plan(&Intent::Hire { user: user.clone() }), "lookup")?;
    list_planned(ctx, &ENTRA, Kind::User, lookup).await
}

/// Section 1, Test Connection: a lookup that matches nothing is a 200 with an empty ListResponse.
async fn test_connection(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // A user of the run's own, so that a server that ignores the filter cannot pass on an empty store.
            entra_fixture(ctx, "entra-test-connection", json!({})).await?;
            let probe = Intent::TestConnection { probe: uuid::Uuid::new_v4().to_string() };
            let get = step(ENTRA.plan(&probe), "test-connection")?;
            Ok(no_match(&list_planned(ctx, &ENTRA, Kind::User, get).await?))
        }
        .await,
    )
}

/// Section 1, Hire: the userName lookup finds exactly the user, and not the one beside it.
async fn lookup_username(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-lookup", json!({})).await?;
            entra_fixture(ctx, "entra-lookup", json!({})).await?;
            exactly(&lookup_of(ctx, &a.profile).await?, &[&a.created], "the userName lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 5 item 1: userName is compared without regard to case, as its schema says (caseExact false).
async fn lookup_any_case(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-case", json!({})).await?;
            entra_fixture(ctx, "entra-case", json!({})).await?;
            let lower = UserProfile { user_name: a.profile.user_name.to_lowercase(), ..a.profile.clone() };
            exactly(&lookup_of(ctx, &lower).await?, &[&a.created], "the lookup with the UPN in lower case")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Hire: externalId as the matching attribute.
async fn lookup_external_id(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-extid", json!({})).await?;
            entra_fixture(ctx, "entra-extid", json!({})).await?;
            let query = ENTRA.lookup_query("externalId", sent(&a.body, &["externalId"])?, false);
            exactly(&list(ctx, &ENTRA, Kind::User, query).await?, &[&a.created], "the externalId lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Hire: `emails[type eq "work"].value` as the matching attribute. An app whose schema has no
/// `emails.type` cannot be matched on it (RFC 7643 section 7 lets a server publish a subset), so the check skips.
async fn lookup_work_email(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type", "emails.value"])?;
            let a = entra_fixture(ctx, "entra-mail", json!({})).await?;
            entra_fixture(ctx, "entra-mail", json!({})).await?;
            let mail = sent(&a.body, &["userName"])?;
            let query = ENTRA.lookup_query("emails[type eq \"work\"].value", mail, false);
            exactly(&list(ctx, &ENTRA, Kind::User, query).await?, &[&a.created], "the work email lookup")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Section 1, Hire, and section 5 item 4: 201 with the user and its id, for the body Entra sends.
async fn create_user(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let profile = entra_profile(ctx, &ctx.unique("entra-create"));
            let create = step(ENTRA.plan(&Intent::Hire { user: profile }), "create")?;
            let body = body_of(&create);
            let users = ctx.run.path(Kind::User).to_owned();
            let r = send_create(ctx, Kind::User, request(&ENTRA, create, &users)).await?;
            let got = created_body(&r, &format!("POST {users}"), "User")?;
            let name = str_at(got, &["userName"]);
            Ok(Outcome::check(
                name == str_at(&body, &["userName"]),
                "the created User carries the userName sent",
                format!("userName is {name:?}"),
            ))
        }
        .await,
    )
}

/// Section 1, Responses: values are stored exactly as sent. Entra sends its whole create body; only the
/// attributes the server's schema defines are expected back (RFC 7643 section 7 lets it publish a subset, and an
/// Entra admin maps only attributes the app has).
async fn values_echoed(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let EntraUser { created: a, body, .. } = entra_fixture(ctx, "entra-echo", json!({})).await?;
            let mut body = ctx.only_defined(Kind::User, &body);
            if let Some(o) = body.as_object_mut() {
                // `schemas` may list only what is used, and `roles: []` is no value (RFC 7643 section 2.5).
                o.remove("schemas");
                o.remove("roles");
            }
            let got = ctx.read_back(&a).await?;
            match contains(&body, &got, "") {
                Ok(()) => Ok(Outcome::Pass),
                Err(why) => Ok(Outcome::fail("every value sent comes back exactly as sent", why)),
            }
        }
        .await,
    )
}

/// Entra's disable of `user` (the persona's deactivation: `Replace active "False"` by default).
fn disable(user: &EntraUser) -> Result<scimlab_mock_idp::persona::Planned, Outcome> {
    let intent = Intent::Deactivate { id: user.created.id.clone(), before: user.profile.clone() };
    step(ENTRA.plan(&intent), "update")
}

/// Section 1, Offboarding: the default dialect's disable.
async fn deactivate_string_false(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-disable", json!({})).await?;
            patch(ctx, &ENTRA, &a.created, disable(&a)?).await?;
            let got = ctx.read_back(&a.created).await?;
            Ok(Outcome::check(
                active(&got) == Some(false),
                "active is false (a JSON boolean) after the disable",
                format!("active is {}", show_active(&got)),
            ))
        }
        .await,
    )
}

/// Section 1, Offboarding: re-enabling mirrors the disable with `"True"`.
async fn reactivate_string_true(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-enable", json!({"active": false})).await?;
            let before = ctx.read_back(&a.created).await?;
            if active(&before) != Some(false) {
                return Err(Outcome::Skip(format!(
                    "prerequisite failed: a user created with active false reads back with active {}",
                    show_active(&before)
                )));
            }
            let intent = Intent::Reactivate {
                id: a.created.id.clone(),
                before: UserProfile { active: false, ..a.profile.clone() },
                changes: UserChanges::default(),
            };
            patch(ctx, &ENTRA, &a.created, step(ENTRA.plan(&intent), "update")?).await?;
            let got = ctx.read_back(&a.created).await?;
            Ok(Outcome::check(
                active(&got) == Some(true),
                "active is true (a JSON boolean) after the re-enable",
                format!("active is {}", show_active(&got)),
            ))
        }
        .await,
    )
}

/// Section 1, Responses: the user is returned even when inactive, by id and by lookup.
async fn inactive_readable(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-inactive", json!({})).await?;
            let path = a.created.path.clone();
            let r = send(ctx, &ENTRA, disable(&a)?, &path).await?;
            prerequisite(&r, &format!("PATCH {path} (disable)"))?;
            let r = send(ctx, &ENTRA, ENTRA.get("read", path.as_str(), None), &path).await?;
            if r.status != 200 {
                return Ok(Outcome::fail(format!("GET {path} answers 200 with the disabled user"), describe(&r)));
            }
            if active(r.body_json()) != Some(false) {
                return Ok(Outcome::fail(
                    format!("GET {path} shows active false"),
                    format!("active is {}", show_active(r.body_json())),
                ));
            }
            let list = lookup_of(ctx, &a.profile).await?;
            listed_inactive(&list, &a.created, "the userName lookup of the disabled user")
        }
        .await,
    )
}

/// Section 1, Responses: `Content-Type: application/scim+json`.
async fn response_media_type(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-media", json!({})).await?;
            let path = a.created.path.clone();
            let by_id = send(ctx, &ENTRA, ENTRA.get("read", path.as_str(), None), &path).await?;
            let users = ctx.run.path(Kind::User).to_owned();
            let lookup = step(ENTRA.plan(&Intent::Hire { user: a.profile.clone() }), "lookup")?;
            let listed = send(ctx, &ENTRA, lookup, &users).await?;
            for (r, what) in [(&by_id, format!("GET {path}")), (&listed, format!("GET {users}?filter=..."))] {
                let mt = media_type(r);
                if mt != "application/scim+json" {
                    return Ok(Outcome::fail(
                        format!("{what} is labelled application/scim+json"),
                        format!("{what} answered {} labelled {:?}", r.status, r.header("content-type").unwrap_or("")),
                    ));
                }
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 9110 section 12.5.3 lets a server choose any coding for a request without Accept-Encoding, and Entra
/// sends none (no capture in `reference/IDP-TRAFFIC.md` section 1 shows one, and the `entra` persona sends
/// none). Entra's documentation names no compression support, so the answers it reads should be plain JSON: a
/// server (or a proxy in front of it) that compresses by default can break Entra while passing every RFC check.
/// SHOULD, as no failure of Entra's has been recorded for it.
async fn no_unasked_compression(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = entra_fixture(ctx, "entra-coding", json!({})).await?;
            let path = a.created.path.clone();
            let by_id = send(ctx, &ENTRA, ENTRA.get("read", path.as_str(), None), &path).await?;
            uncoded(&by_id, &format!("Entra's GET {path}"), "no Accept-Encoding")?;
            let users = ctx.run.path(Kind::User).to_owned();
            let lookup = step(ENTRA.plan(&Intent::Hire { user: a.profile.clone() }), "lookup")?;
            let listed = send(ctx, &ENTRA, lookup, &users).await?;
            uncoded(&listed, &format!("Entra's lookup GET {users}?filter=..."), "no Accept-Encoding")?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
