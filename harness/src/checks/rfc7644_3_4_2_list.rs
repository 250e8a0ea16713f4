//! RFC 7644 section 3.4.2: the ListResponse every query answers with (its schema URN, an empty result, JSON
//! integers) and the rule that unknown query parameters are ignored.

use super::queries::{list, read_list};
use super::support::{excerpt, lists_schema, outcome, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::schema::LIST_RESPONSE_URN;
use serde_json::Value;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2/no-match-empty-list",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Users],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a query that matches nothing answers 200 with a ListResponse: totalResults 0, Resources empty or absent",
        sends: "GET /Users?filter=userName eq \"<a name no one has>\"",
        consequence: "",
        catches: &["empty-list-404"],
        run: run!(no_match_empty_list),
    },
    Check {
        id: "rfc7644/3.4.2/integers-are-numbers",
        level: Level::Must,
        tags: &[Tag::Pagination, Tag::Users],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "totalResults, itemsPerPage and startIndex are JSON numbers, not strings",
        sends: "POST /Users x2, GET /Users?filter=<marker>&count=1",
        consequence: "",
        catches: &["integers-as-strings"],
        run: run!(integers_are_numbers),
    },
    Check {
        id: "rfc7644/3.4.2/unknown-parameter-ignored",
        level: Level::Should,
        tags: &[Tag::Filter, Tag::Users, Tag::Http],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a query parameter the server does not know is ignored, not refused",
        sends: "POST /Users x2, GET /Users?filter=<marker>&scimlabUnknownParameter=1",
        consequence: "",
        catches: &[],
        run: run!(unknown_parameter_ignored),
    },
];

/// RFC 7644 section 3.4.2: a query answers with a ListResponse; `Resources` is required only when `totalResults`
/// is not 0, so an empty result may leave it out or send it empty.
async fn no_match_empty_list(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let filter = format!("userName eq \"{}-nobody\"", ctx.unique("list-empty"));
            let what = format!("GET {}?filter={filter}", ctx.run.path(Kind::User));
            let r = list(ctx, Kind::User, &[("filter", &filter)]).await?;
            status(&r, 200, &what)?;
            let body = r.body_json();
            if !lists_schema(body, LIST_RESPONSE_URN) {
                return Ok(Outcome::fail(
                    format!("{what} answers a ListResponse (schemas lists {LIST_RESPONSE_URN})"),
                    format!("the body is {}", excerpt(&r.text())),
                ));
            }
            let l = read_list(&r, &what)?;
            let resources = body.as_object().and_then(|o| get_ci(o, "Resources"));
            let empty = match resources {
                None | Some(Value::Null) => true,
                Some(Value::Array(a)) => a.is_empty(),
                Some(_) => false,
            };
            Ok(Outcome::check(
                l.total_results == 0 && empty,
                format!("{what} reports totalResults 0 and no Resources"),
                format!(
                    "totalResults {}, Resources {}",
                    l.total_results,
                    resources.map_or("absent".into(), |v| excerpt(&v.to_string()))
                ),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2 (with RFC 7643 section 2.3.4): the ListResponse's counts are integers, which JSON
/// writes as numbers.
async fn integers_are_numbers(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let clause = m.clause();
            let what = format!("GET {}?filter={clause}&count=1", ctx.run.path(Kind::User));
            let r = list(ctx, Kind::User, &[("filter", &clause), ("count", "1")]).await?;
            read_list(&r, &what)?;
            let obj = r.body_json().as_object().cloned().unwrap_or_default();
            for member in ["totalResults", "itemsPerPage", "startIndex"] {
                match get_ci(&obj, member) {
                    None if member != "totalResults" => {}
                    Some(Value::Number(_)) => {}
                    other => {
                        return Ok(Outcome::fail(
                            format!("{what}: {member} is a JSON number"),
                            format!("{member} is {}", other.map_or("absent".into(), Value::to_string)),
                        ));
                    }
                }
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2: service providers should ignore query parameters they do not recognise.
async fn unknown_parameter_ignored(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let clause = m.clause();
            let what = format!("GET {}?filter={clause}&scimlabUnknownParameter=1", ctx.run.path(Kind::User));
            let r = list(ctx, Kind::User, &[("filter", &clause), ("scimlabUnknownParameter", "1")]).await?;
            let l = read_list(&r, &what)?;
            let got = m.labels(&l.resources);
            Ok(Outcome::check(
                got == ["a", "b"],
                format!("{what} returns both marked users, as without the parameter"),
                format!("it returned {got:?}"),
            ))
        }
        .await,
    )
}
