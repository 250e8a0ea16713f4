//! RFC 7644 section 3.4.3: queries sent as a POST of a SearchRequest to `/{type}/.search` or `/.search`, with
//! the same filter, sort, pagination and projection rules as a GET, carried in the body.

use super::queries::{Marked, lit, read_list, users};
use super::support::{outcome, scim_error};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::json::{get_ci, is_present};
use scimlab_protocol::list::ListResponse;
use scimlab_protocol::schema::SEARCH_REQUEST_URN;
use serde_json::{Map, Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.3";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];
const TAGS: &[Tag] = &[Tag::Search, Tag::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.3/search-on-resource-type",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "POST /Users/.search with a filter answers 200 with a ListResponse of exactly the matching users",
        sends: "POST /Users x2, POST /Users/.search {filter: (userName eq \"<a>\") and <marker>}",
        consequence: "",
        catches: &["search-unsupported", "filter-ignored"],
        run: run!(search_on_resource_type),
    },
    Check {
        id: "rfc7644/3.4.3/search-at-root",
        level: Level::May,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "POST /.search queries every resource type: a userName filter finds exactly the matching user",
        sends: "POST /Users x2, POST /.search {filter: (userName eq \"<a>\") and <marker>}",
        consequence: "",
        catches: &["search-unsupported"],
        run: run!(search_at_root),
    },
    Check {
        id: "rfc7644/3.4.3/search-pagination",
        level: Level::Must,
        tags: &[Tag::Search, Tag::Users, Tag::Pagination],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "startIndex and count in a SearchRequest page the results as their query parameters do",
        sends: "POST /Users x3, POST /Users/.search {filter: <marker>, startIndex: 1, count: 1}",
        consequence: "",
        catches: &["search-unsupported", "count-ignored"],
        run: run!(search_pagination),
    },
    Check {
        id: "rfc7644/3.4.3/search-sort",
        level: Level::Must,
        tags: &[Tag::Search, Tag::Users, Tag::Sort],
        requires: &[Capability::Users, Capability::Filter, Capability::Sort],
        profiles: &[Profile::Rfc],
        requirement: "sortBy and sortOrder in a SearchRequest sort the results",
        sends: "POST /Users x3 (c, a, b), POST /Users/.search {filter: <marker>, sortBy: userName, sortOrder: descending}",
        consequence: "",
        catches: &["search-unsupported", "sort-ignored", "sort-order-ignored"],
        run: run!(search_sort),
    },
    Check {
        id: "rfc7644/3.4.3/search-attributes",
        level: Level::Must,
        tags: &[Tag::Search, Tag::Users, Tag::Projection],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "attributes in a SearchRequest (a JSON array) limits each result to id and the named attributes",
        sends: "POST /Users x2, POST /Users/.search {filter: <marker>, attributes: [userName]}",
        consequence: "",
        catches: &["search-unsupported", "attributes-ignored", "returned-always-dropped"],
        run: run!(search_attributes),
    },
    Check {
        id: "rfc7644/3.4.3/search-excluded-attributes",
        level: Level::Must,
        tags: &[Tag::Search, Tag::Users, Tag::Projection],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "excludedAttributes in a SearchRequest removes the named attributes from each result",
        sends: "POST /Users x2, POST /Users/.search {filter: <marker>, excludedAttributes: [emails]}",
        consequence: "",
        catches: &["search-unsupported", "excluded-ignored"],
        run: run!(search_excluded_attributes),
    },
    Check {
        id: "rfc7644/3.4.3/search-invalid-filter-400",
        level: Level::Must,
        tags: &[Tag::Search, Tag::Users, Tag::Errors],
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a SearchRequest with a malformed filter is answered 400 with scimType invalidFilter",
        sends: "POST /Users/.search {filter: \"userName eq\"}",
        consequence: "",
        catches: &["search-unsupported", "filter-invalid-accepted"],
        run: run!(search_invalid_filter_400),
    },
];

/// A SearchRequest body with `members` added to the schemas.
fn search_body(members: Value) -> Value {
    let mut body = Map::new();
    body.insert("schemas".into(), json!([SEARCH_REQUEST_URN]));
    if let Value::Object(m) = members {
        body.extend(m);
    }
    Value::Object(body)
}

/// POSTs `body` to `path` (`/Users/.search` or `/.search`).
async fn post(ctx: &Ctx, path: &str, body: &Value) -> Result<(String, ScimResponse), Outcome> {
    let what = format!("POST {path} {body}");
    let r = ctx.send(ScimRequest::json(reqwest::Method::POST, path, body)).await?;
    Ok((what, r))
}

/// The resource type's `.search` path.
fn users_search(ctx: &Ctx) -> String {
    format!("{}/.search", ctx.run.path(Kind::User).trim_end_matches('/'))
}

/// POSTs a SearchRequest to `/Users/.search` and reads the ListResponse.
async fn search(ctx: &Ctx, members: Value) -> Result<(String, ListResponse), Outcome> {
    let (what, r) = post(ctx, &users_search(ctx), &search_body(members)).await?;
    let l = read_list(&r, &what)?;
    Ok((what, l))
}

/// Fails unless the returned resources are exactly the marked ones with `expected` suffixes.
fn exactly(what: &str, m: &Marked, l: &ListResponse, expected: &[&str]) -> Result<(), Outcome> {
    let got = m.labels(&l.resources);
    if got == expected {
        Ok(())
    } else {
        Err(Outcome::fail(
            format!("{what} returns exactly {expected:?} of the marked users"),
            format!("it returned {got:?}"),
        ))
    }
}

/// Creates two marked users, POSTs to `path` a SearchRequest for the first one's userName and judges that
/// exactly that user comes back.
async fn finds_by_user_name(ctx: &Ctx, path: &str) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let filter = m.and(&format!("userName eq {}", lit(&m.name("a"))));
            let (what, r) = post(ctx, path, &search_body(json!({"filter": filter}))).await?;
            let l = read_list(&r, &what)?;
            exactly(&what, &m, &l, &["a"])?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.3: POST to `/{type}/.search` is a query, answered like the GET.
async fn search_on_resource_type(ctx: &Ctx) -> Outcome {
    finds_by_user_name(ctx, &users_search(ctx)).await
}

/// RFC 7644 sections 3.4.2 and 3.4.3: a query at the root covers every resource type; a Group has no userName, so
/// it never matches a userName filter.
async fn search_at_root(ctx: &Ctx) -> Outcome {
    finds_by_user_name(ctx, "/.search").await
}

/// RFC 7644 section 3.4.3 with 3.4.2.4: `startIndex` and `count` are JSON integers in the body.
async fn search_pagination(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = users(ctx, "search-page", &[("a", json!({})), ("b", json!({})), ("c", json!({}))]).await?;
            let (what, l) = search(ctx, json!({"filter": m.clause(), "startIndex": 1, "count": 1})).await?;
            if l.resources.len() > 1 || l.total_results != 3 {
                return Ok(Outcome::fail(
                    format!("{what} returns at most 1 resource and totalResults 3"),
                    format!("{} resources, totalResults {}", l.resources.len(), l.total_results),
                ));
            }
            let got = m.labels(&l.resources);
            Ok(Outcome::check(
                got.iter().all(|s| m.items.iter().any(|(x, _)| x == s)),
                format!("{what} returns one of the marked users"),
                format!("it returned {got:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.3 with 3.4.2.3: `sortBy` and `sortOrder` in the body.
async fn search_sort(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::rfc7644_3_4_2_3_sort::cab(ctx).await?;
            let body = json!({"filter": m.clause(), "sortBy": "userName", "sortOrder": "descending"});
            let (what, l) = search(ctx, body).await?;
            let got = m.labels_in_order(&l.resources);
            Ok(Outcome::check(
                got == ["c", "b", "a"],
                format!("{what} returns the marked users c, b, a in that order"),
                format!("it returned {got:?}"),
            ))
        }
        .await,
    )
}

/// Whether a resource has a present member `name`, in any case.
fn has(res: &Value, name: &str) -> bool {
    res.as_object().and_then(|o| get_ci(o, name)).is_some_and(is_present)
}

/// Searches the two marked users with `members` added to the body and judges each result.
async fn projected(ctx: &Ctx, members: Value, present: &[&str], absent: &[&str]) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            let mut body = json!({"filter": m.clause()});
            if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), members) {
                b.extend(extra);
            }
            let (what, l) = search(ctx, body).await?;
            exactly(&what, &m, &l, &["a", "b"])?;
            for res in &l.resources {
                let missing: Vec<&&str> = present.iter().filter(|n| !has(res, n)).collect();
                let extra: Vec<&&str> = absent.iter().filter(|n| has(res, n)).collect();
                if !missing.is_empty() || !extra.is_empty() {
                    return Ok(Outcome::fail(
                        format!("{what}: each result has {present:?} and none of {absent:?}"),
                        format!("a result lacks {missing:?} and has {extra:?}"),
                    ));
                }
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.3: `attributes` is a list of attribute names in the body.
async fn search_attributes(ctx: &Ctx) -> Outcome {
    projected(ctx, json!({"attributes": ["userName"]}), &["id", "userName"], &["emails", "displayName"]).await
}

/// RFC 7644 section 3.4.3: `excludedAttributes` is a list of attribute names in the body.
async fn search_excluded_attributes(ctx: &Ctx) -> Outcome {
    projected(ctx, json!({"excludedAttributes": ["emails"]}), &["id", "userName"], &["emails"]).await
}

/// RFC 7644 sections 3.4.3 and 3.12: invalidFilter applies to POST .search as to GET.
async fn search_invalid_filter_400(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (what, r) = post(ctx, &users_search(ctx), &search_body(json!({"filter": "userName eq"}))).await?;
            scim_error(&r, 400, Some("invalidFilter"), &what)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}
