//! RFC 7644 section 3.4.2.2 as identity providers use it: the lookups Entra ID and Okta send before they create
//! or change anything (`userName eq`, `externalId eq`, Group `displayName eq`, `members[value eq ...]`), probed
//! whatever the ServiceProviderConfig announces. An IdP sends these requests even to a server announcing
//! `filter.supported` false, so these checks have no `requires: Filter`: a server that ignores the filter (every
//! user comes back, and the IdP links the wrong account or creates a duplicate), or returns nothing for an
//! attribute it does not index, fails here with one verdict that says so. A server that announces no filter
//! support and refuses the lookup (400, 403, 501) does what the RFC asks of it: the check is skipped, and the
//! IdP profiles say what that costs.
//!
//! Each request is the IdP's own, built by its mock-idp persona (`+` or `%20` for spaces, Okta's
//! `&startIndex=1&count=100`, Entra's `excludedAttributes=members` on groups, the headers): a bare `attr eq
//! "value"`, never with a marker clause ANDed in, because servers special-case exactly that form. The check keeps
//! to the run's own data by reading the answer instead: the value looked up is unique to the run, so any resource
//! in the answer other than the expected ones is wrong, whoever created it.
//!
//! The last check is the note for the opposite lie: `filter.supported` false while the lookups work (MAY: a
//! warning that never fails a run).

use super::queries::{Marked, lit, read_list, users};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Created, Ctx, Kind, describe};
use crate::run;
use scimlab_mock_idp::intent::{GroupProfile, Intent, UserProfile};
use scimlab_mock_idp::persona::{Persona, Planned, wire};
use scimlab_mock_idp::scenario::to_request;
use scimlab_protocol::list::ListResponse;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.2";

const USER_TAGS: &[Tag] = &[Tag::Filter, Tag::Users, Tag::Entra, Tag::Okta];
/// RFC checks: a profile check speaks for one IdP (its readiness line); these judge the RFC's filter rules on
/// the IdPs' request forms, for both IdPs at once.
const RFC: &[Profile] = &[Profile::Rfc];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.2/idp-lookup-username",
        level: Level::Must,
        tags: USER_TAGS,
        requires: &[Capability::Users],
        profiles: RFC,
        requirement: "the IdPs' user lookup, a bare userName eq \"<name>\", returns exactly that user, whatever \
                      filter.supported says",
        sends: "POST /Users x2, GET /Users?filter=userName+eq+%22<a>%22 (Entra), \
                GET /Users?filter=userName%20eq%20%22<a>%22&startIndex=1&count=100 (Okta)",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(lookup_username),
    },
    Check {
        id: "rfc7644/3.4.2.2/idp-lookup-username-any-case",
        level: Level::Must,
        tags: USER_TAGS,
        requires: &[Capability::Users],
        profiles: RFC,
        requirement: "the IdPs' bare userName eq lookup ignores case (userName has caseExact false, RFC 7643 \
                      section 4.1.1): the name in capitals finds the user",
        sends: "POST /Users x2, GET /Users?filter=userName+eq+%22<A IN CAPITALS>%22 (Entra), then Okta's encoding",
        consequence: "",
        catches: &["lookup-case-sensitive", "case-sensitive-username", "filter-ignored"],
        run: run!(lookup_username_any_case),
    },
    Check {
        id: "rfc7644/3.4.2.2/idp-lookup-external-id",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Users, Tag::Entra],
        requires: &[Capability::Users],
        profiles: RFC,
        requirement: "Entra's lookup by its other matching attribute, a bare externalId eq \"<value>\", returns \
                      exactly that user, whatever filter.supported says",
        sends: "POST /Users x2 (externalId), GET /Users?filter=externalId+eq+%22<value>%22",
        consequence: "",
        catches: &["filter-ignored", "filter-partial"],
        run: run!(lookup_external_id),
    },
    Check {
        id: "rfc7644/3.4.2.2/idp-lookup-group-display-name",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Groups, Tag::Entra, Tag::Okta],
        requires: &[Capability::Groups],
        profiles: RFC,
        requirement: "the IdPs' group lookup, a bare displayName eq \"<name>\" on /Groups, returns exactly that \
                      group, whatever filter.supported says",
        sends: "POST /Groups x2, GET /Groups?excludedAttributes=members&filter=displayName+eq+%22<a>%22 (Entra), \
                GET /Groups?filter=displayName%20eq%20%22<a>%22&startIndex=1&count=100 (Okta)",
        consequence: "",
        catches: &["filter-ignored", "filter-partial"],
        run: run!(lookup_group_display_name),
    },
    Check {
        id: "rfc7644/3.4.2.2/idp-lookup-membership",
        level: Level::Should,
        tags: &[Tag::Filter, Tag::Groups, Tag::Membership, Tag::Entra],
        requires: &[Capability::Users, Capability::Groups],
        profiles: RFC,
        requirement: "a membership lookup, members[value eq \"<user id>\"] on /Groups with excludedAttributes=members, \
                      returns exactly the groups the user is in, whatever filter.supported says",
        sends: "POST /Users, POST /Groups x2 (one with the user as member), \
                GET /Groups?excludedAttributes=members&filter=members%5Bvalue+eq+%22<id>%22%5D",
        consequence: "",
        catches: &["filter-ignored", "filter-partial", "filter-valuepath-unsupported"],
        run: run!(lookup_membership),
    },
    Check {
        id: "rfc7644/3.4.2.2/filter-support-announced",
        level: Level::May,
        tags: &[Tag::Filter, Tag::Discovery],
        requires: &[Capability::Users],
        profiles: RFC,
        requirement: "a server whose filters work announces filter.supported true, so that clients reading the \
                      ServiceProviderConfig use them",
        sends: "GET /ServiceProviderConfig (discovery); when it announces filter.supported false: POST /Users x2, \
                GET /Users?filter=userName%20eq%20%22<a>%22",
        consequence: "",
        catches: &["filter-unsupported-working"],
        run: run!(filter_support_announced),
    },
];

/// The persona called `name` (a harness error if mock-idp has none).
fn persona(name: &str) -> Result<&'static Persona, Outcome> {
    Persona::by_name(name).ok_or_else(|| Outcome::Error(format!("harness: mock-idp has no persona {name:?}")))
}

/// The request `label` of the persona's plan for `intent` (a harness error if the plan has none).
fn planned(p: &Persona, intent: &Intent, label: &str) -> Result<Planned, Outcome> {
    p.plan(intent).into_iter().find(|r| r.label == label).ok_or_else(|| {
        Outcome::Error(format!("harness: the {} persona plans no {label:?} for {}", p.name, intent.name()))
    })
}

/// The persona's user lookup before a hire: `GET /Users?filter=userName eq "<name>"` as it writes it.
fn user_lookup(p: &Persona, user_name: &str) -> Result<Planned, Outcome> {
    let user = UserProfile { user_name: user_name.to_owned(), ..UserProfile::default() };
    planned(p, &Intent::Hire { user }, "lookup")
}

/// The persona's group lookup before a push: `GET /Groups?filter=displayName eq "<name>"` as it writes it.
fn group_lookup(p: &Persona, display_name: &str) -> Result<Planned, Outcome> {
    let group = GroupProfile { display_name: display_name.to_owned(), ..GroupProfile::default() };
    planned(p, &Intent::CreateGroup { group }, "lookup")
}

/// The persona's lookup with another filter: its user or group lookup (headers, path) with the query written as
/// the persona writes lookup queries (Entra's `excludedAttributes=members&` first on groups, the filter encoded
/// with its space, its suffix after).
fn lookup_with(p: &Persona, kind: Kind, filter: &str) -> Result<Planned, Outcome> {
    let mut base = match kind {
        Kind::User => user_lookup(p, "x")?,
        Kind::Group => group_lookup(p, "x")?,
    };
    let mut q = String::new();
    if kind == Kind::Group && p.lookup.groups_exclude_members {
        q.push_str("excludedAttributes=members&");
    }
    q.push_str("filter=");
    q.push_str(&wire::encode_component(filter, p.lookup.space));
    q.push_str(p.lookup.suffix);
    base.raw_query = Some(q);
    Ok(base)
}

/// What one lookup looked for, for the verdict's words.
struct Sought<'a> {
    /// The filter as the IdP writes it before encoding: `userName eq "x"`.
    filter: String,
    /// The attribute compared, for the verdict: `userName`.
    attr: &'a str,
    /// `user` or `group`.
    noun: &'a str,
    /// What must come back.
    want: Vec<&'a Created>,
    /// Resources of the run that must not come back (the sibling created to catch an ignored filter).
    not: Vec<&'a Created>,
}

/// Sends `planned` through the persona and judges that exactly `sought.want` comes back (by id).
async fn expect_lookup(ctx: &Ctx, p: &Persona, planned: &Planned, sought: &Sought<'_>) -> Result<(), Outcome> {
    let what =
        format!("{} {}?{} ({})", planned.method, planned.path, planned.raw_query.as_deref().unwrap_or(""), p.name);
    let r = ctx.send(to_request(p, planned, None, None)).await?;
    let names: Vec<String> = sought.want.iter().map(|c| c.id.clone()).collect();
    let expected = format!(
        "{what} answers 200 with a ListResponse holding exactly the {} {} (ids [{}])",
        sought.noun,
        sought.filter,
        names.join(", ")
    );
    let announced = announcement(ctx);
    let unannounced = ctx.run.spc.as_ref().is_some_and(|spc| !spc.filter.supported);
    if unannounced && matches!(r.status, 400 | 403 | 501) {
        // Refusing a filter it does not claim to support is the RFC's way (section 3.12, invalidFilter); that
        // Entra and Okta cannot work with such a server is for their profile checks to say.
        return Err(Outcome::Skip(format!(
            "the server announces filter.supported false and refuses {what} ({}); IdPs need this lookup",
            describe(&r)
        )));
    }
    if r.status != 200 {
        let refused = format!("{} eq is refused: {what} answered {}{announced}", sought.attr, describe(&r));
        return Err(Outcome::fail(expected, refused));
    }
    let list = read_list(&r, &what).map_err(|o| with_note(o, &announced))?;
    judge(&list, sought, &announced).map_err(|actual| Outcome::fail(expected, actual))
}

/// The verdict on a lookup's answer: `Err` with what is wrong, in words.
fn judge(list: &ListResponse, s: &Sought<'_>, announced: &str) -> Result<(), String> {
    let ids: Vec<Option<&str>> = list.resources.iter().map(|r| r.get("id").and_then(Value::as_str)).collect();
    let wanted = |id: &Option<&str>| id.is_some_and(|id| s.want.iter().any(|c| c.id == id));
    let extra: Vec<String> =
        ids.iter().filter(|id| !wanted(id)).map(|id| id.unwrap_or("(a resource without an id)").to_owned()).collect();
    let missing: Vec<&str> =
        s.want.iter().filter(|c| !ids.contains(&Some(c.id.as_str()))).map(|c| c.id.as_str()).collect();
    let plural = |n: usize| if n == 1 { s.noun.to_owned() } else { format!("{}s", s.noun) };
    let sibling = ids.iter().any(|id| id.is_some_and(|id| s.not.iter().any(|c| c.id == id)));
    if !extra.is_empty() && (extra.len() >= 2 || sibling) {
        return Err(format!(
            "the server ignores filter: {} eq returned {} {} (totalResults {}) where only [{}] match{announced} \
             (an IdP would create duplicates or link the wrong account)",
            s.attr,
            ids.len(),
            plural(ids.len()),
            list.total_results,
            s.want.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if !extra.is_empty() {
        return Err(format!(
            "{} eq returned a {} that does not match: [{}]{}{announced}",
            s.attr,
            s.noun,
            extra.join(", "),
            if missing.is_empty() { String::new() } else { format!(", and not [{}]", missing.join(", ")) }
        ));
    }
    if !missing.is_empty() {
        let none = ids.is_empty();
        return Err(format!(
            "{} eq returns {} for an existing {}: {} is missing (totalResults {}){announced} (an IdP would \
             create a duplicate, or fail its create with 409)",
            s.attr,
            if none { "nothing" } else { "too little" },
            s.noun,
            missing.join(", "),
            list.total_results
        ));
    }
    Ok(())
}

/// `; the ServiceProviderConfig announces filter.supported false, but IdPs send this lookup all the same` when
/// it does: the server may believe it need not answer filters.
fn announcement(ctx: &Ctx) -> String {
    match &ctx.run.spc {
        Some(spc) if !spc.filter.supported => {
            " (the ServiceProviderConfig announces filter.supported false, but IdPs send this lookup all the same)"
                .to_owned()
        }
        _ => String::new(),
    }
}

/// A failure with `note` appended to its actual.
fn with_note(o: Outcome, note: &str) -> Outcome {
    match o {
        Outcome::Fail { expected, actual } => Outcome::Fail { expected, actual: format!("{actual}{note}") },
        other => other,
    }
}

/// Users `a` and `b` of the run, or the skip.
async fn two_users(ctx: &Ctx, label: &str, extra: impl Fn(&str) -> Value) -> Result<Marked, Outcome> {
    users(ctx, label, &[("a", extra("a")), ("b", extra("b"))]).await
}

/// The string at `key` of the resource as the server returned it on create, or the skip when it did not keep
/// what was sent (the lookup would be judged on a value the server never stored).
fn kept<'a>(c: &'a Created, key: &str, sent: &str) -> Result<&'a str, Outcome> {
    let got = c.body.get(key).and_then(Value::as_str);
    match got {
        Some(v) if v.eq_ignore_ascii_case(sent) => Ok(v),
        _ => Err(Outcome::Skip(format!(
            "prerequisite failed: the create answered {key} {}, not the {sent:?} sent",
            got.map_or("absent".to_owned(), |g| format!("{g:?}"))
        ))),
    }
}

/// Entra's and Okta's lookup of `name`, which must find `a` and not `b`.
async fn both_idps_find_user(ctx: &Ctx, m: &Marked, name: &str) -> Result<(), Outcome> {
    let (a, b) = (m.get("a")?, m.get("b")?);
    for idp in ["entra", "okta"] {
        let p = persona(idp)?;
        let sought = Sought {
            filter: format!("userName eq {}", lit(name)),
            attr: "userName",
            noun: "user",
            want: vec![a],
            not: vec![b],
        };
        expect_lookup(ctx, p, &user_lookup(p, name)?, &sought).await?;
    }
    Ok(())
}

/// RFC 7644 section 3.4.2.2 (eq) as Entra ID and Okta send it before a hire (IDP-TRAFFIC.md sections 1 and 2).
async fn lookup_username(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let name = kept(m.get("a")?, "userName", &m.name("a"))?.to_owned();
            both_idps_find_user(ctx, &m, &name).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2 with RFC 7643 sections 2.1 and 4.1.1: userName compares without regard to case, in
/// the bare lookup IdPs send too (servers often give that form a case-exact fast path).
async fn lookup_username_any_case(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let upper = kept(m.get("a")?, "userName", &m.name("a"))?.to_uppercase();
            both_idps_find_user(ctx, &m, &upper).await.map_err(|o| case_sensitive(o, &upper))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// A lookup in capitals that found nothing is the case-sensitive lookup, in the RFC's words.
fn case_sensitive(o: Outcome, upper: &str) -> Outcome {
    match o {
        Outcome::Fail { expected, actual } if actual.contains("returns nothing") => Outcome::Fail {
            expected,
            actual: format!(
                "the lookup is case-sensitive: userName eq with other case ({upper:?}) found nothing (RFC 7643 \
                 2.1 / userName caseExact false); {actual}"
            ),
        },
        other => other,
    }
}

/// RFC 7644 section 3.4.2.2 (eq on a caseExact attribute) as Entra ID sends it when externalId is the matching
/// attribute (IDP-TRAFFIC.md section 1, Hire).
async fn lookup_external_id(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let ext = uuid::Uuid::new_v4().to_string();
            let m = two_users(ctx, "idp-extid", |s| json!({"externalId": format!("{ext}-{s}")})).await?;
            let (a, b) = (m.get("a")?, m.get("b")?);
            let value = kept(a, "externalId", &format!("{ext}-a"))?.to_owned();
            let p = persona("entra")?;
            let filter = format!("externalId eq {}", lit(&value));
            let sought =
                Sought { filter: filter.clone(), attr: "externalId", noun: "user", want: vec![a], not: vec![b] };
            expect_lookup(ctx, p, &lookup_with(p, Kind::User, &filter)?, &sought).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2 on /Groups as Entra ID (`excludedAttributes=members&`, `+`) and Okta (`%20`, its
/// paging suffix) send it before a group push (IDP-TRAFFIC.md sections 1 and 2, Groups).
async fn lookup_group_display_name(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (a, b) =
                (ctx.create_group("idp-group", json!({})).await?, ctx.create_group("idp-group", json!({})).await?);
            let name = a.body.get("displayName").and_then(Value::as_str).unwrap_or("").to_owned();
            if name.is_empty() {
                return Err(Outcome::Skip("prerequisite failed: the create answered no displayName".into()));
            }
            for idp in ["entra", "okta"] {
                let p = persona(idp)?;
                let sought = Sought {
                    filter: format!("displayName eq {}", lit(&name)),
                    attr: "displayName",
                    noun: "group",
                    want: vec![&a],
                    not: vec![&b],
                };
                expect_lookup(ctx, p, &group_lookup(p, &name)?, &sought).await?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2 (a value path on `members`) as a membership lookup, with Entra's encoding and its
/// `excludedAttributes=members` on group queries. The evidence for this exact form is thin (IDP-TRAFFIC.md has
/// no capture; a secondary source reports `id eq "<group>" and members eq "<user>"`), hence SHOULD.
async fn lookup_membership(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("idp-member", json!({})).await?;
            let member = json!({"members": [{"value": user.id}]});
            let (with, without) =
                (ctx.create_group("idp-member", member).await?, ctx.create_group("idp-member", json!({})).await?);
            let listed =
                with.body.get("members").and_then(Value::as_array).is_some_and(|ms| {
                    ms.iter().any(|m| m.get("value").and_then(Value::as_str) == Some(user.id.as_str()))
                });
            if !listed {
                return Err(Outcome::Skip(
                    "prerequisite failed: the group created with the user as member does not list it".into(),
                ));
            }
            let p = persona("entra")?;
            let filter = format!("members[value eq {}]", lit(&user.id));
            let sought = Sought {
                filter: filter.clone(),
                attr: "members.value",
                noun: "group",
                want: vec![&with],
                not: vec![&without],
            };
            expect_lookup(ctx, p, &lookup_with(p, Kind::Group, &filter)?, &sought).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 5 (`filter.supported`) against what the server does: a server announcing no filter support
/// whose lookups work is told so, as a note (MAY), since clients that read the ServiceProviderConfig will not
/// filter.
async fn filter_support_announced(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let Some(spc) = &ctx.run.spc else {
                return Err(Outcome::Skip("the server publishes no readable ServiceProviderConfig".into()));
            };
            if spc.filter.supported {
                return Ok(Outcome::Pass);
            }
            let m = super::queries::plain_pair(ctx).await?;
            let (a, b) = (m.get("a")?, m.get("b")?);
            let name = kept(a, "userName", &m.name("a"))?.to_owned();
            let p = persona("rfc")?;
            let filter = format!("userName eq {}", lit(&name));
            let sought = Sought { filter: filter.clone(), attr: "userName", noun: "user", want: vec![a], not: vec![b] };
            let planned = lookup_with(p, Kind::User, &filter)?;
            match expect_lookup(ctx, p, &planned, &sought).await {
                Ok(()) => Err(Outcome::fail(
                    "filter.supported true in the ServiceProviderConfig, since filters work",
                    format!(
                        "filter announced unsupported but works: filter.supported is false, yet {filter} returned \
                         exactly that user"
                    ),
                )),
                // Filters that do not work (or are refused) match the announcement.
                Err(Outcome::Fail { .. } | Outcome::Skip(_)) => Ok(Outcome::Pass),
                Err(other) => Err(other),
            }
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_the_personas_own() {
        for name in ["entra", "okta", "rfc"] {
            let p = Persona::by_name(name).expect("persona");
            let own = user_lookup(p, "a b").expect("plan");
            let ours = lookup_with(p, Kind::User, "userName eq \"a b\"").expect("query");
            assert_eq!(own.raw_query, ours.raw_query, "{name}");
            assert_eq!((own.headers, own.omit), (ours.headers, ours.omit));
            let own = group_lookup(p, "g").expect("plan");
            assert_eq!(own.raw_query, lookup_with(p, Kind::Group, "displayName eq \"g\"").expect("q").raw_query);
        }
        let entra = Persona::by_name("entra").expect("entra");
        assert_eq!(user_lookup(entra, "a b").expect("plan").raw_query.as_deref(), Some("filter=userName+eq+%22a+b%22"));
        let q = lookup_with(entra, Kind::Group, "members[value eq \"1\"]").expect("q").raw_query;
        assert_eq!(q.as_deref(), Some("excludedAttributes=members&filter=members%5Bvalue+eq+%221%22%5D"));
        let okta = Persona::by_name("okta").expect("okta");
        assert_eq!(
            user_lookup(okta, "a").expect("plan").raw_query.as_deref(),
            Some("filter=userName%20eq%20%22a%22&startIndex=1&count=100")
        );
    }
}
