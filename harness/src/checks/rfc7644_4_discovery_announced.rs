//! RFC 7644 section 4 with RFC 7643 section 5: what the ServiceProviderConfig announces is true. A server that
//! says `filter.supported` filters, `sort.supported` sorts, `etag.supported` sends ETags, `patch.supported`
//! patches, `bulk.supported` answers /Bulk, and no page holds more than `filter.maxResults`.
//!
//! Each check runs only when the capability is announced (a server announcing `false` is skipped, never
//! failed), and tests it once, the simplest way; the sections on filtering, sorting, ETags, PATCH and /Bulk
//! test each feature in depth.

use super::bulk_support::send_bulk;
use super::queries::{expect_filter, expect_order, list, lit, read_list, users};
use super::support::{outcome, status};
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use scimlab_protocol::bulk::BulkResponse;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/4";

/// The largest `filter.maxResults` the check fills a page past by creating users.
const FILLABLE: u64 = 20;

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/4/filter-supported-filters",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Filter],
        requires: &[Capability::Users, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "a server announcing filter.supported filters: a filter matching one of two fresh users returns exactly that one",
        sends: "POST /Users x2, GET /Users?filter=(userName eq \"<a>\") and userName sw \"<marker>-\"",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(filter_supported_filters),
    },
    Check {
        id: "rfc7644/4/sort-supported-sorts",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Sort],
        requires: &[Capability::Users, Capability::Filter, Capability::Sort],
        profiles: &[Profile::Rfc],
        requirement: "a server announcing sort.supported sorts: sortBy=userName&sortOrder=descending orders three fresh users",
        sends: "POST /Users x3 (c, a, b), GET /Users?filter=<marker>&sortBy=userName&sortOrder=descending",
        consequence: "",
        catches: &["sort-ignored", "sort-order-ignored"],
        run: run!(sort_supported_sorts),
    },
    Check {
        id: "rfc7644/4/etag-supported-sends-etags",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Etag],
        requires: &[Capability::Users, Capability::Etag],
        profiles: &[Profile::Rfc],
        requirement: "a server announcing etag.supported sends an ETag header with a resource",
        sends: "POST /Users, GET /Users/{id}",
        consequence: "",
        catches: &["no-etag"],
        run: run!(etag_supported_sends_etags),
    },
    Check {
        id: "rfc7644/4/patch-supported-patches",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Patch],
        requires: &[Capability::Users, Capability::Patch],
        profiles: &[Profile::Rfc],
        requirement: "a server announcing patch.supported applies a PATCH: a replaced displayName (or another string \
                      attribute the server defines) reads back changed",
        sends: "POST /Users, PATCH replace displayName, GET /Users/{id}",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(patch_supported_patches),
    },
    Check {
        id: "rfc7644/4/bulk-supported-answers",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Bulk],
        requires: &[Capability::Users, Capability::Bulk],
        profiles: &[Profile::Rfc],
        requirement: "a server announcing bulk.supported runs a BulkRequest: one POST of a User answers 200 with status 201",
        sends: "POST /Bulk {Operations: [POST /Users]}",
        consequence: "",
        catches: &["bulk-unsupported"],
        run: run!(bulk_supported_answers),
    },
    Check {
        id: "rfc7644/4/max-results-honoured",
        level: Level::Must,
        tags: &[Tag::Discovery, Tag::Pagination],
        requires: &[Capability::Users, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "no page holds more than filter.maxResults resources, even when count asks for more (which is not an error)",
        sends: "POST /Users x(maxResults+1) when maxResults is small, GET /Users?filter=<marker>&count=<maxResults+1>",
        consequence: "",
        catches: &["spc-max-results-lies"],
        run: run!(max_results_honoured),
    },
];

/// RFC 7643 section 5, `filter.supported`.
async fn filter_supported_filters(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::queries::plain_pair(ctx).await?;
            expect_filter(ctx, &m, &m.and(&format!("userName eq {}", lit(&m.name("a")))), &["a"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 5, `sort.supported`.
async fn sort_supported_sorts(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let m = super::rfc7644_3_4_2_3_sort::cab(ctx).await?;
            expect_order(ctx, &m, "userName", Some("descending"), &["c", "b", "a"]).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// RFC 7643 section 5, `etag.supported`, with RFC 7644 section 3.14: a versioning server sends ETag headers.
async fn etag_supported_sends_etags(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let user = ctx.create_user("spc-etag", json!({})).await?;
            let what = format!("GET {}", user.path);
            let r = ctx.get(&user.path).await?;
            status(&r, 200, &what)?;
            Ok(Outcome::check(
                r.header("etag").is_some_and(|t| !t.trim().is_empty()),
                format!("{what} carries an ETag header"),
                "no ETag header",
            ))
        }
        .await,
    )
}

/// RFC 7643 section 5, `patch.supported`.
async fn patch_supported_patches(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // A string attribute the server defines: displayName with the full schema (RFC 7643 section 7).
            let attr = ctx.first_defined(crate::ctx::Kind::User, super::rfc7644_3_5_2_patch::STRINGS)?;
            let user = ctx.create_user("spc-patch", json!({})).await?;
            let wanted = format!("Patched {}", ctx.unique("name"));
            let r = ctx.patch(&user, json!([{"op": "replace", "path": attr, "value": wanted}])).await?;
            if !(200..300).contains(&r.status) {
                return Ok(Outcome::fail(
                    format!("PATCH {} answers 200 or 204", user.path),
                    format!("it answered {}", crate::ctx::describe(&r)),
                ));
            }
            let now = ctx.read_back(&user).await?;
            let shown = now.get(attr).and_then(Value::as_str);
            Ok(Outcome::check(
                shown == Some(wanted.as_str()),
                format!("after the PATCH, GET {} shows {attr} {wanted:?}", user.path),
                format!("{attr} is {}", shown.map_or("absent".into(), |s| format!("{s:?}"))),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 5, `bulk.supported`, with RFC 7644 section 3.7.
async fn bulk_supported_answers(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (user, _) = ctx.user_body("spc-bulk");
            let path = ctx.run.path(Kind::User).to_owned();
            let op = json!({"method": "POST", "path": path, "bulkId": "scimlab-1", "data": user});
            let r = send_bulk(ctx, vec![op], None).await?;
            status(&r, 200, "POST /Bulk")?;
            let resp = BulkResponse::from_json(r.body_json()).map_err(|e| {
                Outcome::fail("POST /Bulk answers a BulkResponse", format!("{}: {}", e.detail, r.text()))
            })?;
            let first = resp.operations.first().map(|o| o.status);
            Ok(Outcome::check(
                first == Some(201),
                "the BulkResponse reports the POST with status 201",
                format!("its first operation has status {}", first.map_or("(none)".into(), |s| s.to_string())),
            ))
        }
        .await,
    )
}

/// RFC 7643 section 5, `filter.maxResults`: the most resources one response returns. RFC 7644 section 3.4.2.4
/// lets a server return fewer than `count`, so a larger count is not an error.
async fn max_results_honoured(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let max = ctx.run.spc.as_ref().map_or(0, |s| s.filter.max_results);
            if max == 0 {
                return Ok(Outcome::Skip("the ServiceProviderConfig announces no filter.maxResults".into()));
            }
            let over = (max + 1).to_string();
            let (params, what, filled) = if max <= FILLABLE {
                let specs: Vec<(String, Value)> = (0..=max).map(|i| (format!("u{i:02}"), json!({}))).collect();
                let refs: Vec<(&str, Value)> = specs.iter().map(|(s, v)| (s.as_str(), v.clone())).collect();
                let m = users(ctx, "spc-max", &refs).await?;
                let clause = m.clause();
                let what = format!("GET {}?filter={clause}&count={over}", ctx.run.path(Kind::User));
                (vec![("filter".to_owned(), clause), ("count".to_owned(), over.clone())], what, true)
            } else {
                let what = format!("GET {}?count={over}", ctx.run.path(Kind::User));
                (vec![("count".to_owned(), over.clone())], what, false)
            };
            let refs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = list(ctx, Kind::User, &refs).await?;
            let l = read_list(&r, &what)?;
            let n = l.resources.len() as u64;
            if n > max {
                return Ok(Outcome::fail(
                    format!("{what} holds at most filter.maxResults = {max} resources"),
                    format!("it holds {n}"),
                ));
            }
            if filled && l.total_results as u64 != max + 1 {
                return Ok(Outcome::fail(
                    format!("{what} reports totalResults {}", max + 1),
                    format!("totalResults is {}", l.total_results),
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}
