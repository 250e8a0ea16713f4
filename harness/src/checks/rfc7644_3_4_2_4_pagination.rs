//! RFC 7644 section 3.4.2.4: pagination with `startIndex` (1-based) and `count`, and the `totalResults`,
//! `itemsPerPage` and `startIndex` of the answer.
//!
//! Each check creates five users under its own marker and pages through exactly those. A server may return
//! fewer results than `count` asks for, so no check demands full pages; the checks that walk pages advance
//! `startIndex` by the number of resources actually returned, as a client must, and assume only that the
//! order does not change while nothing changes on the server.

use super::queries::{Marked, list, read_list_noting, users};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;
use scimlab_protocol::list::{Deviation, DeviationKind, ListResponse};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.4";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];
const TAGS: &[Tag] = &[Tag::Pagination, Tag::Users];

/// How many users each check pages through.
const N: usize = 5;

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.4/count-limits-page",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a page never holds more resources than count asks for",
        sends: "POST /Users x5, GET /Users?filter=<marker>&count=2",
        consequence: "",
        catches: &["count-ignored"],
        run: run!(count_limits_page),
    },
    Check {
        id: "rfc7644/3.4.2.4/pages-cover-the-set",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "paging from startIndex=1 with count=2 visits every result exactly once (startIndex is 1-based)",
        sends: "POST /Users x5, GET /Users?filter=<marker>&startIndex=1&count=2, then startIndex advanced by what came back",
        consequence: "",
        catches: &["startindex-zero-based", "count-ignored"],
        run: run!(pages_cover_the_set),
    },
    Check {
        id: "rfc7644/3.4.2.4/start-index-below-one",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a startIndex below 1 (0, -4) is read as 1: paging from there still visits every result",
        sends: "POST /Users x5, GET /Users?filter=<marker>&startIndex=0&count=2 (and -4), then onward",
        consequence: "",
        catches: &["startindex-zero-based"],
        run: run!(start_index_below_one),
    },
    Check {
        id: "rfc7644/3.4.2.4/last-and-past-the-end",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "startIndex=N of N results returns the last one; startIndex=N+1 returns none, with totalResults N",
        sends: "POST /Users x5, GET /Users?filter=<marker>&startIndex=5&count=5, then startIndex=6",
        consequence: "",
        catches: &["startindex-zero-based", "total-results-page-size"],
        run: run!(last_and_past_the_end),
    },
    Check {
        id: "rfc7644/3.4.2.4/count-zero",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "count=0 returns no resources, only totalResults",
        sends: "POST /Users x5, GET /Users?filter=<marker>&count=0",
        consequence: "",
        catches: &["count-ignored", "total-results-page-size"],
        run: run!(count_zero),
    },
    Check {
        id: "rfc7644/3.4.2.4/negative-count",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a negative count is read as 0: no resources, only totalResults",
        sends: "POST /Users x5, GET /Users?filter=<marker>&count=-3",
        consequence: "",
        catches: &["count-ignored", "total-results-page-size"],
        run: run!(negative_count),
    },
    Check {
        id: "rfc7644/3.4.2.4/total-results-is-total",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "totalResults is the number of results the query matched, not the size of the page",
        sends: "POST /Users x5, GET /Users?filter=<marker>&count=2",
        consequence: "",
        catches: &["total-results-page-size"],
        run: run!(total_results_is_total),
    },
    Check {
        id: "rfc7644/3.4.2.4/partial-page-members",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a partial page carries startIndex and itemsPerPage; itemsPerPage is the number of resources returned",
        sends: "POST /Users x5, GET /Users?filter=<marker>&count=2, then count=10",
        consequence: "",
        catches: &["items-per-page-is-count"],
        run: run!(partial_page_members),
    },
];

/// Five users `a` to `e` under one marker, shared by every pagination check (they only read them). `_label`
/// names the check's use in the source; the population is one.
async fn five(ctx: &Ctx, _label: &str) -> Result<Arc<Marked>, Outcome> {
    ctx.shared("pagination/five-users", |setup| async move {
        let specs: Vec<(&str, Value)> = ["a", "b", "c", "d", "e"].iter().map(|s| (*s, json!({}))).collect();
        users(&setup, "page", &specs).await
    })
    .await
}

/// One page of the marked users: the request as text, and the ListResponse.
async fn page(ctx: &Ctx, m: &Marked, params: &[(&str, &str)]) -> Result<(String, ListResponse), Outcome> {
    page_noting(ctx, m, params).await.map(|(what, l, _)| (what, l))
}

/// [`page`], with the liberties the server's ListResponse took.
async fn page_noting(
    ctx: &Ctx,
    m: &Marked,
    params: &[(&str, &str)],
) -> Result<(String, ListResponse, Vec<Deviation>), Outcome> {
    let clause = m.clause();
    let mut all = vec![("filter", clause.as_str())];
    all.extend_from_slice(params);
    let query: Vec<String> = all.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let what = format!("GET {}?{}", ctx.run.path(m.kind), query.join("&"));
    let r = list(ctx, m.kind, &all).await?;
    let (l, dev) = read_list_noting(&r, &what)?;
    Ok((what, l, dev))
}

/// Fails unless `got` is `N`.
fn total_is(what: &str, got: usize) -> Result<(), Outcome> {
    if got == N {
        Ok(())
    } else {
        Err(Outcome::fail(format!("{what} reports totalResults {N}"), format!("totalResults is {got}")))
    }
}

/// Walks the pages of the marked users from `first` (as sent) with `count`, advancing from the effective start
/// (`first` read as at least 1) by the number of resources each page returned, and judges that the pages visit
/// every marked user exactly once and that no page holds more than `count`.
async fn walk(ctx: &Ctx, m: &Marked, first: i64, count: usize) -> Result<(), Outcome> {
    let mut seen: Vec<String> = Vec::new();
    let mut sent = first.to_string();
    let mut start = usize::try_from(first.max(1)).unwrap_or(1);
    let count_text = count.to_string();
    let mut log = Vec::new();
    for _ in 0..(2 * N + 2) {
        let (what, l) = page(ctx, m, &[("startIndex", &sent), ("count", &count_text)]).await?;
        if l.resources.len() > count {
            return Err(Outcome::fail(
                format!("{what} holds at most {count} resources"),
                format!("it holds {}", l.resources.len()),
            ));
        }
        let labels = m.labels_in_order(&l.resources);
        log.push(format!("startIndex={sent}: [{}]", labels.join(", ")));
        seen.extend(labels);
        if l.resources.is_empty() || start + l.resources.len() > l.total_results {
            break;
        }
        start += l.resources.len();
        sent = start.to_string();
    }
    let distinct: BTreeSet<&String> = seen.iter().collect();
    let all: BTreeSet<String> = m.items.iter().map(|(s, _)| s.clone()).collect();
    let covered = distinct.len() == seen.len() && distinct.into_iter().cloned().collect::<BTreeSet<_>>() == all;
    if covered {
        Ok(())
    } else {
        Err(Outcome::fail(
            format!("paging from startIndex={first} with count={count} visits each of the {N} marked users once"),
            format!("the pages held {}", log.join("; ")),
        ))
    }
}

/// RFC 7644 section 3.4.2.4: the server must not return more results than `count`.
async fn count_limits_page(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-count").await?;
            let (what, l) = page(ctx, &m, &[("count", "2")]).await?;
            Ok(Outcome::check(
                l.resources.len() <= 2,
                format!("{what} holds at most 2 resources"),
                format!("it holds {}", l.resources.len()),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.4: startIndex is the 1-based index of the first result; pages continue from there.
async fn pages_cover_the_set(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-walk").await?;
            walk(ctx, &m, 1, 2).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.4: a startIndex below 1 is interpreted as 1.
async fn start_index_below_one(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-below").await?;
            walk(ctx, &m, 0, 2).await?;
            walk(ctx, &m, -4, 2).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.4: startIndex is 1-based, so index N is the last of N results and N+1 is past them.
async fn last_and_past_the_end(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-end").await?;
            let (what, l) = page(ctx, &m, &[("startIndex", "5"), ("count", "5")]).await?;
            total_is(&what, l.total_results)?;
            let labels = m.labels(&l.resources);
            let one_marked = labels.len() == 1 && m.items.iter().any(|(s, _)| *s == labels[0]);
            if !one_marked {
                return Ok(Outcome::fail(
                    format!("{what} returns exactly one of the marked users (the 5th of 5)"),
                    format!("it returned {} resources: {labels:?}", labels.len()),
                ));
            }
            let (what, l) = page(ctx, &m, &[("startIndex", "6"), ("count", "5")]).await?;
            total_is(&what, l.total_results)?;
            Ok(Outcome::check(
                l.resources.is_empty(),
                format!("{what} returns no resources (startIndex is past the 5 results)"),
                format!("it returned {:?}", m.labels(&l.resources)),
            ))
        }
        .await,
    )
}

/// `count` as sent must return no resources and the full totalResults.
async fn no_resources_with(ctx: &Ctx, label: &str, count: &str) -> Outcome {
    outcome(
        async {
            let m = five(ctx, label).await?;
            let (what, l) = page(ctx, &m, &[("count", count)]).await?;
            if !l.resources.is_empty() {
                return Ok(Outcome::fail(
                    format!("{what} returns no resources, only totalResults"),
                    format!("it returned {} resources", l.resources.len()),
                ));
            }
            total_is(&what, l.total_results)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 section 3.4.2.4: count=0 asks for totalResults only.
async fn count_zero(ctx: &Ctx) -> Outcome {
    no_resources_with(ctx, "page-zero", "0").await
}

/// RFC 7644 section 3.4.2.4: a negative count is interpreted as 0.
async fn negative_count(ctx: &Ctx) -> Outcome {
    no_resources_with(ctx, "page-negative", "-3").await
}

/// RFC 7644 sections 3.4.2 and 3.4.2.4: totalResults counts every result, not the page.
async fn total_results_is_total(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-total").await?;
            let (what, l) = page(ctx, &m, &[("count", "2")]).await?;
            total_is(&what, l.total_results)?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7644 sections 3.4.2 and 3.4.2.4: startIndex and itemsPerPage are required on a partial page, and
/// itemsPerPage is the number of resources in this page.
async fn partial_page_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = five(ctx, "page-members").await?;
            let (what, l, dev) = page_noting(ctx, &m, &[("count", "2")]).await?;
            let partial = l.resources.len() < l.total_results;
            if let Some(d) = dev.iter().find(|d| partial && d.kind == DeviationKind::Missing) {
                return Ok(Outcome::fail(
                    format!("{what} (a partial page) carries startIndex and itemsPerPage"),
                    d.to_string(),
                ));
            }
            if l.items_per_page != l.resources.len() {
                return Ok(Outcome::fail(
                    format!("{what}: itemsPerPage is the number of resources returned ({})", l.resources.len()),
                    format!("itemsPerPage is {}", l.items_per_page),
                ));
            }
            let (what, l) = page(ctx, &m, &[("count", "10")]).await?;
            Ok(Outcome::check(
                l.items_per_page == l.resources.len(),
                format!("{what}: itemsPerPage, when sent, is the number of resources returned ({})", l.resources.len()),
                format!("itemsPerPage is {}", l.items_per_page),
            ))
        }
        .await,
    )
}
