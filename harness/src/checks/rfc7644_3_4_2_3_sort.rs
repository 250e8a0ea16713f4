//! RFC 7644 section 3.4.2.3: sorting with `sortBy` and `sortOrder`, for servers that announce `sort.supported`.
//!
//! Each check creates three users under its own marker, in an order that is neither the ascending nor the
//! descending order of the sort key (so a server that ignores `sortBy`, or `sortOrder`, cannot pass by chance),
//! asks for the marked users sorted, and compares the order returned with the one the protocol crate's
//! [`scimlab_protocol::sort::SortSpec`] gives over the users as created.

use super::queries::{Marked, expect_order, users_in_order, users_paced};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.3";

const USERS_SORT: &[Capability] = &[Capability::Users, Capability::Filter, Capability::Sort];
const TAGS: &[Tag] = &[Tag::Sort, Tag::Users];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.3/ascending-by-username",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortBy=userName&sortOrder=ascending returns the users in ascending userName order",
        sends: "POST /Users x3 (c, a, b), GET /Users?filter=<marker>&sortBy=userName&sortOrder=ascending",
        consequence: "",
        catches: &["sort-ignored"],
        run: run!(ascending_by_username),
    },
    Check {
        id: "rfc7644/3.4.2.3/descending-by-username",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortOrder=descending reverses the order: the greatest userName first",
        sends: "POST /Users x3 (c, a, b), GET /Users?filter=<marker>&sortBy=userName&sortOrder=descending",
        consequence: "",
        catches: &["sort-ignored", "sort-order-ignored"],
        run: run!(descending_by_username),
    },
    Check {
        id: "rfc7644/3.4.2.3/default-ascending",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortBy without sortOrder sorts ascending",
        sends: "POST /Users x3 (c, a, b), GET /Users?filter=<marker>&sortBy=userName",
        consequence: "",
        catches: &["sort-ignored"],
        run: run!(default_ascending),
    },
    Check {
        id: "rfc7644/3.4.2.3/sort-order-any-case",
        level: Level::May,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortOrder=DESCENDING (another case than the RFC's) is read as descending",
        sends: "POST /Users x3 (c, a, b), GET /Users?filter=<marker>&sortBy=userName&sortOrder=DESCENDING",
        consequence: "",
        catches: &["sort-ignored", "sort-order-ignored"],
        run: run!(sort_order_any_case),
    },
    Check {
        id: "rfc7644/3.4.2.3/by-datetime",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortBy a dateTime (meta.created) orders chronologically: descending gives the newest first",
        sends: "POST /Users x3 (a pause between), GET /Users?filter=<marker>&sortBy=meta.created&sortOrder=descending",
        consequence: "",
        catches: &["sort-ignored", "sort-order-ignored"],
        run: run!(by_datetime),
    },
    Check {
        id: "rfc7644/3.4.2.3/by-sub-attribute",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortBy a sub-attribute of a complex attribute (name.familyName) orders by that sub-attribute",
        sends: "POST /Users x3 (Carroll, Austen, Byron), GET /Users?filter=<marker>&sortBy=name.familyName",
        consequence: "",
        catches: &["sort-ignored"],
        run: run!(by_sub_attribute),
    },
    Check {
        id: "rfc7644/3.4.2.3/multi-valued-by-primary",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "sortBy a multi-valued attribute (emails.value) sorts by the primary value, else the first value",
        sends: "POST /Users x3 (primary emails not first), GET /Users?filter=<marker>&sortBy=emails.value",
        consequence: "",
        catches: &["sort-ignored"],
        run: run!(multi_valued_by_primary),
    },
    Check {
        id: "rfc7644/3.4.2.3/missing-last-ascending",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "resources with no value for sortBy come last when ascending",
        sends: "POST /Users x3 (one without title, first), GET /Users?filter=<marker>&sortBy=title&sortOrder=ascending",
        consequence: "",
        catches: &["sort-ignored"],
        run: run!(missing_last_ascending),
    },
    Check {
        id: "rfc7644/3.4.2.3/missing-first-descending",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "resources with no value for sortBy come first when descending",
        sends: "POST /Users x3 (one without title, first), GET /Users?filter=<marker>&sortBy=title&sortOrder=descending",
        consequence: "",
        catches: &["sort-ignored", "sort-order-ignored"],
        run: run!(missing_first_descending),
    },
    Check {
        id: "rfc7644/3.4.2.3/case-insensitive-strings",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_SORT,
        profiles: &[Profile::Rfc],
        requirement: "strings of a caseExact=false attribute (displayName) sort case-insensitively: Alpha, beta, Gamma",
        sends: "POST /Users x3 (beta, Gamma, Alpha), GET /Users?filter=<marker>&sortBy=displayName",
        consequence: "",
        catches: &["sort-ignored", "sort-case-exact"],
        run: run!(case_insensitive_strings),
    },
];

/// Creates `specs`, then expects `sortBy` / `sortOrder` to return them in `order`.
async fn sorted(
    ctx: &Ctx,
    made: Result<impl Into<Arc<Marked>>, Outcome>,
    sort_by: &str,
    sort_order: Option<&str>,
    order: &[&str],
) -> Outcome {
    outcome(
        async {
            let m: Arc<Marked> = made?.into();
            expect_order(ctx, &m, sort_by, sort_order, order).await?;
            Ok(Outcome::Pass)
        }
        .await,
    )
}

/// Three users created c, a, b, one after the other: neither ascending nor descending by userName. Shared by
/// the checks that only sort them (by userName here, in /.search and in the ServiceProviderConfig's sort check).
pub(crate) async fn cab(ctx: &Ctx) -> Result<Arc<Marked>, Outcome> {
    ctx.shared("sort/c-a-b", |setup| async move {
        users_in_order(&setup, "sort", &[("c", json!({})), ("a", json!({})), ("b", json!({}))]).await
    })
    .await
}

/// RFC 7644 section 3.4.2.3: sortBy orders the results; ascending is the natural order.
async fn ascending_by_username(ctx: &Ctx) -> Outcome {
    sorted(ctx, cab(ctx).await, "userName", Some("ascending"), &["a", "b", "c"]).await
}

/// RFC 7644 section 3.4.2.3: sortOrder=descending.
async fn descending_by_username(ctx: &Ctx) -> Outcome {
    sorted(ctx, cab(ctx).await, "userName", Some("descending"), &["c", "b", "a"]).await
}

/// RFC 7644 section 3.4.2.3: sortOrder defaults to ascending when sortBy is given alone.
async fn default_ascending(ctx: &Ctx) -> Outcome {
    sorted(ctx, cab(ctx).await, "userName", None, &["a", "b", "c"]).await
}

/// RFC 7644 section 3.4.2.3 names the values "ascending" and "descending"; it does not say their case matters.
async fn sort_order_any_case(ctx: &Ctx) -> Outcome {
    sorted(ctx, cab(ctx).await, "userName", Some("DESCENDING"), &["c", "b", "a"]).await
}

/// RFC 7644 section 3.4.2.3: the sort follows the attribute's type; dateTimes sort chronologically.
async fn by_datetime(ctx: &Ctx) -> Outcome {
    let specs = [("a", json!({})), ("b", json!({})), ("c", json!({}))];
    let made = users_paced(ctx, "sort-time", &specs, Duration::from_millis(15)).await;
    sorted(ctx, made, "meta.created", Some("descending"), &["c", "b", "a"]).await
}

/// RFC 7644 section 3.4.2.3: a complex attribute is sorted by the sub-attribute named in standard notation.
async fn by_sub_attribute(ctx: &Ctx) -> Outcome {
    let name = |f: &str| json!({"name": {"givenName": "Test", "familyName": f}});
    let specs = [("x", name("Carroll")), ("y", name("Austen")), ("z", name("Byron"))];
    let made = users_in_order(ctx, "sort-sub", &specs).await;
    sorted(ctx, made, "name.familyName", None, &["y", "z", "x"]).await
}

fn email(value: &str, primary: bool) -> Value {
    json!({"value": value, "type": "work", "primary": primary})
}

/// RFC 7644 section 3.4.2.3: a multi-valued attribute sorts by its primary value, or else its first value.
async fn multi_valued_by_primary(ctx: &Ctx) -> Outcome {
    let specs = [
        ("p", json!({"emails": [email("aardvark@example.com", false), email("gamma@example.com", true)]})),
        ("q", json!({"emails": [email("zeta@example.com", false), email("alpha@example.com", true)]})),
        ("r", json!({"emails": [{"value": "beta@example.com", "type": "work"}]})),
    ];
    let made = users_in_order(ctx, "sort-multi", &specs).await;
    sorted(ctx, made, "emails.value", None, &["q", "r", "p"]).await
}

/// One user without a title (created first), then titles Alpha and Beta.
async fn titles(ctx: &Ctx, label: &str) -> Result<Marked, Outcome> {
    users_in_order(ctx, label, &[("n", json!({})), ("t1", json!({"title": "Alpha"})), ("t2", json!({"title": "Beta"}))])
        .await
}

/// RFC 7644 section 3.4.2.3: resources without a value are ordered last when ascending.
async fn missing_last_ascending(ctx: &Ctx) -> Outcome {
    sorted(ctx, titles(ctx, "sort-nolast").await, "title", Some("ascending"), &["t1", "t2", "n"]).await
}

/// RFC 7644 section 3.4.2.3: resources without a value are ordered first when descending.
async fn missing_first_descending(ctx: &Ctx) -> Outcome {
    sorted(ctx, titles(ctx, "sort-nofirst").await, "title", Some("descending"), &["n", "t2", "t1"]).await
}

/// RFC 7644 section 3.4.2.3: case-insensitive attributes sort in case-insensitive Unicode order.
async fn case_insensitive_strings(ctx: &Ctx) -> Outcome {
    let dn = |d: &str| json!({"displayName": d});
    let specs = [("a", dn("beta")), ("c", dn("Gamma")), ("b", dn("Alpha"))];
    let made = users_in_order(ctx, "sort-ci", &specs).await;
    sorted(ctx, made, "displayName", None, &["b", "a", "c"]).await
}
