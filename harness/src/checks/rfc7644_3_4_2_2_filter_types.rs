//! RFC 7644 section 3.4.2.2: how values of each type compare in filters (strings by their `caseExact`, booleans,
//! dateTimes chronologically whatever the offset), and the 400 `invalidFilter` for filters that do not parse or
//! compare a type in a way the RFC forbids.

use super::queries::{Marked, expect_bare, expect_filter, lit, predicted, users, users_paced};
use super::support::{outcome, scim_error};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::time::Duration;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.2";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];
const TAGS: &[Tag] = &[Tag::Filter, Tag::Users];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.2/username-case-insensitive",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "userName (caseExact false) compares case-insensitively: a bare eq with the name in capitals finds \
                      the User",
        sends: "POST /Users x2, GET /Users?filter=userName eq \"<A IN CAPITALS>\" (bare, the form IdPs send)",
        consequence: "",
        catches: &["case-sensitive-username", "lookup-case-sensitive", "filter-ignored"],
        run: run!(username_case_insensitive),
    },
    Check {
        id: "rfc7644/3.4.2.2/substring-case-insensitive",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "co on displayName (caseExact false) ignores case",
        sends: "POST /Users x2, GET /Users?filter=(displayName co \"LOVELACE\") and <marker>",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(substring_case_insensitive),
    },
    Check {
        id: "rfc7644/3.4.2.2/external-id-case-exact",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "externalId (caseExact true) compares case-sensitively: eq with another case finds nothing",
        sends: "POST /Users x2, GET /Users?filter=(externalId eq \"<value in lower case>\") and <marker>, then the exact value",
        consequence: "",
        catches: &["filter-case-exact-ignored"],
        run: run!(external_id_case_exact),
    },
    Check {
        id: "rfc7644/3.4.2.2/id-case-exact",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "id (caseExact true) compares case-sensitively: eq with the id's letters in the other case finds nothing",
        sends: "POST /Users x2, GET /Users?filter=(id eq \"<id, case swapped>\") and <marker>, then the exact id",
        consequence: "",
        catches: &["filter-case-exact-ignored"],
        run: run!(id_case_exact),
    },
    Check {
        id: "rfc7644/3.4.2.2/boolean-eq",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a boolean compares with the literals true and false: active eq false finds the inactive User",
        sends: "POST /Users x2 (active true, false), GET /Users?filter=(active eq false) and <marker>",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(boolean_eq),
    },
    Check {
        id: "rfc7644/3.4.2.2/datetime-chronological",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "gt, le and lt on meta.lastModified compare chronologically, relative to times the server returned",
        sends: "POST /Users x2 (a pause between), GET /Users?filter=(meta.lastModified gt \"<t(a)>\") and <marker>, \
                then le \"<t(a)>\", lt \"<t(b)>\"",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(datetime_chronological),
    },
    Check {
        id: "rfc7644/3.4.2.2/datetime-offset",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a dateTime literal with a UTC offset compares as the instant it denotes (+01:00 is an hour ahead of Z)",
        sends: "POST /Users x2, GET /Users?filter=(meta.lastModified ge \"<t(a) written at +01:00>\") and <marker>, then le",
        consequence: "",
        catches: &["filter-datetime-offset-ignored"],
        run: run!(datetime_offset),
    },
    Check {
        id: "rfc7644/3.4.2.2/invalid-syntax-400",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Users, Tag::Errors],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a filter that does not follow the grammar is answered 400 with scimType invalidFilter",
        sends: "GET /Users?filter=userName eq; ?filter=(userName eq \"x\"; ?filter=userName eq \"x\" and",
        consequence: "",
        catches: &["filter-invalid-accepted"],
        run: run!(invalid_syntax_400),
    },
    Check {
        id: "rfc7644/3.4.2.2/ordering-on-boolean-400",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Users, Tag::Errors],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "gt, ge, lt or le on a boolean attribute is answered 400 with scimType invalidFilter",
        sends: "GET /Users?filter=active gt true",
        consequence: "",
        catches: &["filter-invalid-accepted"],
        run: run!(ordering_on_boolean_400),
    },
];

/// Runs `filter` (the fixture's clause is ANDed in) and expects exactly `expected`.
async fn judge(ctx: &Ctx, m: &Marked, filter: &str, expected: &[&str]) -> Result<(), Outcome> {
    expect_filter(ctx, m, &m.and(filter), expected).await
}

/// RFC 7644 section 3.4.2.2: string comparisons follow the attribute's caseExact; userName's is false (RFC 7643
/// section 4.1.1). The filter is the bare `userName eq "X"` IdPs send, without the fixture's clause (servers
/// often answer that exact form from a case-exact index while compound filters ignore case); the answer is kept
/// to the run's data by reading it ([`expect_bare`]).
async fn username_case_insensitive(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let upper = m.name("a").to_uppercase();
            expect_bare(ctx, &m, &format!("userName eq {}", lit(&upper)), "a").await.map_err(|o| match o {
                Outcome::Fail { expected, actual } if actual.starts_with("it returned nothing") => Outcome::Fail {
                    expected,
                    actual: format!(
                        "the lookup is case-sensitive: userName eq with other case ({upper:?}) found nothing (RFC \
                         7643 2.1 / userName caseExact false)"
                    ),
                },
                other => other,
            })?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2: co on a caseExact=false attribute ignores case.
async fn substring_case_insensitive(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let specs = [("a", json!({"displayName": "Ada Lovelace"})), ("b", json!({"displayName": "Grace Hopper"}))];
            let m = users(ctx, "flt-cocase", &specs).await?;
            judge(ctx, &m, "displayName co \"LOVELACE\"", &["a"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2 with RFC 7643 section 3.1: externalId is caseExact, so case matters.
async fn external_id_case_exact(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let ext = ctx.unique("Ext-MiXeD");
            let specs = [("a", json!({"externalId": ext})), ("b", json!({"externalId": format!("{ext}-other")}))];
            let m = users(ctx, "flt-extid", &specs).await?;
            judge(ctx, &m, &format!("externalId eq {}", lit(&ext.to_lowercase())), &[]).await?;
            judge(ctx, &m, &format!("externalId eq {}", lit(&ext)), &["a"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// `s` with the case of every ASCII letter swapped.
fn swap_case(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
}

/// RFC 7644 section 3.4.2.2 with RFC 7643 section 3.1: id is caseExact.
async fn id_case_exact(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let id = m.get("a")?.id.clone();
            let swapped = swap_case(&id);
            if swapped == id {
                return Ok(Outcome::Skip(format!("the server's id {id:?} has no letters whose case could differ")));
            }
            judge(ctx, &m, &format!("id eq {}", lit(&swapped)), &[]).await?;
            judge(ctx, &m, &format!("id eq {}", lit(&id)), &["a"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2: booleans compare with `true` / `false` literals.
async fn boolean_eq(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = users(ctx, "flt-bool", &[("a", json!({"active": true})), ("b", json!({"active": false}))]).await?;
            judge(ctx, &m, "active eq false", &["b"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Two users created a few milliseconds apart, with the `meta.lastModified` each was returned with (text and
/// instant).
async fn timed_pair(ctx: &Ctx, label: &str) -> Result<(Marked, [(String, Timestamp); 2]), Outcome> {
    let m = users_paced(ctx, label, &[("a", json!({})), ("b", json!({}))], Duration::from_millis(15)).await?;
    let mut times = Vec::with_capacity(2);
    for (suffix, c) in &m.items {
        let text = c.body.pointer("/meta/lastModified").and_then(Value::as_str).unwrap_or("");
        let Ok(t) = text.parse::<Timestamp>() else {
            return Err(Outcome::Skip(format!(
                "prerequisite failed: user {suffix} was returned without a readable meta.lastModified ({text:?})"
            )));
        };
        times.push((text.to_owned(), t));
    }
    let [a, b]: [(String, Timestamp); 2] =
        times.try_into().map_err(|_| Outcome::Error("harness: two times expected".into()))?;
    Ok((m, [a, b]))
}

/// Expects what the reference evaluator says of `filter` over the users as created (the expectation depends on
/// the times the server assigned), after checking that it leaves at least one user out (so it can fail).
async fn judge_by_reference(ctx: &Ctx, m: &Marked, filter: &str) -> Result<usize, Outcome> {
    let full = m.and(filter);
    let expected = predicted(ctx, m, &full)?;
    let refs: Vec<&str> = expected.iter().map(String::as_str).collect();
    expect_filter(ctx, m, &full, &refs).await?;
    Ok(m.items.len() - expected.len())
}

/// RFC 7644 section 3.4.2.2: for dateTime attributes, gt / ge / lt / le are chronological comparisons.
async fn datetime_chronological(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (m, [(ta, _), (tb, _)]) = timed_pair(ctx, "flt-time").await?;
            let mut excluded = 0;
            for f in [format!("meta.lastModified gt {}", lit(&ta)), format!("meta.lastModified le {}", lit(&ta))] {
                excluded += judge_by_reference(ctx, &m, &f).await?;
            }
            excluded += judge_by_reference(ctx, &m, &format!("meta.lastModified lt {}", lit(&tb))).await?;
            Ok(Outcome::check(
                excluded > 0,
                "at least one of the comparisons leaves a user out (the check can fail)",
                "every comparison matched both users",
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2 with RFC 7643 section 2.3.5: a dateTime is an instant; its offset is part of it.
async fn datetime_offset(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (m, [(_, ta), _]) = timed_pair(ctx, "flt-tzone").await?;
            let shifted = ta.display_with_offset(jiff::tz::Offset::constant(1)).to_string();
            let left_out = judge_by_reference(ctx, &m, &format!("meta.lastModified ge {}", lit(&shifted))).await?;
            if left_out != 0 {
                return Ok(Outcome::Error(format!("harness: ge {shifted} should match both users")));
            }
            judge_by_reference(ctx, &m, &format!("meta.lastModified le {}", lit(&shifted))).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 sections 3.4.2.2 and 3.12: a malformed filter is 400 invalidFilter.
async fn invalid_syntax_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            for text in ["userName eq", "(userName eq \"x\"", "userName eq \"x\" and"] {
                let r = super::queries::list(ctx, Kind::User, &[("filter", text)]).await?;
                scim_error(&r, 400, Some("invalidFilter"), &super::queries::described(Kind::User, ctx, text))?;
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.2: gt / ge / lt / le on a boolean (or binary) attribute must fail with 400
/// invalidFilter.
async fn ordering_on_boolean_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let text = "active gt true";
            let r = super::queries::list(ctx, Kind::User, &[("filter", text)]).await?;
            scim_error(&r, 400, Some("invalidFilter"), &super::queries::described(Kind::User, ctx, text))?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
