//! RFC 7644 section 3.4.2.2: the attribute operators of filters (eq ne co sw ew pr gt ge lt le), and how names
//! are written (any case, sub-attributes, URN-qualified core and extension names, string escapes).
//!
//! Each check creates its own resources under a marker, ANDs the marker into the filter, and asserts exactly
//! which resources come back (see [`super::queries`]), so a server that ignores `filter` fails every one.

use super::queries::{Marked, expect_filter, groups, lit, users};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, USER_URN};
use serde_json::json;

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.2";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];
const TAGS: &[Tag] = &[Tag::Filter, Tag::Users];
const IGNORED: &[&str] = &["filter-ignored"];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.2/eq-exact-match",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "eq returns the resources whose value equals the literal, and no others",
        sends: "POST /Users x2, GET /Users?filter=(userName eq \"<a>\") and userName sw \"<marker>-\"",
        consequence: "",
        catches: IGNORED,
        run: run!(eq_exact_match),
    },
    Check {
        id: "rfc7644/3.4.2.2/ne-excludes-equal",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "ne returns the resources whose value differs from the literal",
        sends: "POST /Users x2 (title Engineer, Manager), GET /Users?filter=(title ne \"Engineer\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(ne_excludes_equal),
    },
    Check {
        id: "rfc7644/3.4.2.2/co-substring",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "co returns the resources whose value contains the literal",
        sends: "POST /Users x2, GET /Users?filter=(displayName co \"Lovelace\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(co_substring),
    },
    Check {
        id: "rfc7644/3.4.2.2/sw-prefix",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "sw returns the resources whose value starts with the literal",
        sends: "POST /Users x2, GET /Users?filter=(displayName sw \"Ada\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(sw_prefix),
    },
    Check {
        id: "rfc7644/3.4.2.2/ew-suffix",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "ew returns the resources whose value ends with the literal",
        sends: "POST /Users x2, GET /Users?filter=(displayName ew \"Hopper\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(ew_suffix),
    },
    Check {
        id: "rfc7644/3.4.2.2/pr-present",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "pr returns the resources that have a non-empty value for the attribute",
        sends: "POST /Users x2 (one with a title), GET /Users?filter=(title pr) and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(pr_present),
    },
    Check {
        id: "rfc7644/3.4.2.2/gt-lexicographic",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "gt on a string compares lexicographically: only greater values match",
        sends: "POST /Users x3 (<marker>-a, -b, -c), GET /Users?filter=(userName gt \"<marker>-b\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(gt_lexicographic),
    },
    Check {
        id: "rfc7644/3.4.2.2/ge-lexicographic",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "ge on a string matches equal and lexicographically greater values",
        sends: "POST /Users x3, GET /Users?filter=(userName ge \"<marker>-b\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(ge_lexicographic),
    },
    Check {
        id: "rfc7644/3.4.2.2/lt-lexicographic",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "lt on a string compares lexicographically: only smaller values match",
        sends: "POST /Users x3, GET /Users?filter=(userName lt \"<marker>-b\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(lt_lexicographic),
    },
    Check {
        id: "rfc7644/3.4.2.2/le-lexicographic",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "le on a string matches equal and lexicographically smaller values",
        sends: "POST /Users x3, GET /Users?filter=(userName le \"<marker>-b\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(le_lexicographic),
    },
    Check {
        id: "rfc7644/3.4.2.2/keywords-any-case",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "operators and logical keywords are case-insensitive: EQ, Or, AND, NOT, PR work as eq, or, and, not, pr",
        sends: "POST /Users x3, GET /Users?filter=((userName EQ \"<a>\" Or userName eQ \"<b>\") AND NOT (title PR)) and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-keywords-case-sensitive", "filter-or-as-and", "filter-not-ignored"],
        run: run!(keywords_any_case),
    },
    Check {
        id: "rfc7644/3.4.2.2/attribute-names-any-case",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "attribute names in filters are case-insensitive: USERNAME and NAME.FAMILYNAME name userName and name.familyName",
        sends: "POST /Users x2, GET /Users?filter=(USERNAME eq \"<a>\" and NAME.FAMILYNAME eq \"Lovelace\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(attribute_names_any_case),
    },
    Check {
        id: "rfc7644/3.4.2.2/string-escapes",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "string literals are JSON strings: \\\" and \\\\ in a literal stand for a quote and a backslash",
        sends: "POST /Users x2, GET /Users?filter=(displayName eq \"Say \\\"hi\\\" \\\\ there\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(string_escapes),
    },
    Check {
        id: "rfc7644/3.4.2.2/sub-attribute",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a sub-attribute is named with a dot (name.familyName) and filters on that sub-attribute",
        sends: "POST /Users x2, GET /Users?filter=(name.familyName eq \"Lovelace\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(sub_attribute),
    },
    Check {
        id: "rfc7644/3.4.2.2/urn-qualified-core-name",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a core attribute may be named with its schema URN (urn:...:core:2.0:User:name.familyName)",
        sends: "POST /Users x2, GET /Users?filter=(urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq \"Lovelace\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(urn_qualified_core_name),
    },
    Check {
        id: "rfc7644/3.4.2.2/urn-qualified-extension-name",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Users, Tag::Schema],
        requires: &[Capability::Users, Capability::Filter, Capability::EnterpriseUser],
        profiles: &[Profile::Rfc],
        requirement: "an extension attribute is named with its schema URN (urn:...:enterprise:2.0:User:department)",
        sends: "POST /Users x2 (enterprise department), GET /Users?filter=(urn:...:enterprise:2.0:User:department eq \"...\") and <marker>",
        consequence: "",
        catches: IGNORED,
        run: run!(urn_qualified_extension_name),
    },
    Check {
        id: "rfc7644/3.4.2.2/group-display-name",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Groups],
        requires: &[Capability::Groups, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "filters work on Groups: displayName eq returns the one Group with that name",
        sends: "POST /Groups x2, GET /Groups?filter=(displayName eq \"<a>\") and displayName sw \"<marker>-\"",
        consequence: "",
        catches: IGNORED,
        run: run!(group_display_name),
    },
];

/// Two users, `a` and `b`, with the given display names.
async fn two_named(ctx: &Ctx, label: &str, a: &str, b: &str) -> Result<Marked, Outcome> {
    users(ctx, label, &[("a", json!({"displayName": a})), ("b", json!({"displayName": b}))]).await
}

/// Three users `a`, `b`, `c`, for the ordering operators.
async fn three(ctx: &Ctx, label: &str) -> Result<Marked, Outcome> {
    users(ctx, label, &[("a", json!({})), ("b", json!({})), ("c", json!({}))]).await
}

/// Runs `filter` (the fixture's clause is ANDed in) and expects exactly `expected`.
async fn judge(ctx: &Ctx, m: &Marked, filter: &str, expected: &[&str]) -> Outcome {
    outcome(expect_filter(ctx, m, &m.and(filter), expected).await.map(|()| Outcome::Pass))
}

/// RFC 7644 section 3.4.2.2, eq: the values are identical.
async fn eq_exact_match(ctx: &Ctx) -> Outcome {
    let m = match super::queries::plain_pair(ctx).await {
        Ok(m) => m,
        Err(o) => return o,
    };
    judge(ctx, &m, &format!("userName eq {}", lit(&m.name("a"))), &["a"]).await
}

/// RFC 7644 section 3.4.2.2, ne: the values are not identical.
async fn ne_excludes_equal(ctx: &Ctx) -> Outcome {
    let specs = [("a", json!({"title": "Engineer"})), ("b", json!({"title": "Manager"}))];
    match users(ctx, "flt-ne", &specs).await {
        Ok(m) => judge(ctx, &m, "title ne \"Engineer\"", &["b"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, co: the literal is a substring of the value.
async fn co_substring(ctx: &Ctx) -> Outcome {
    match two_named(ctx, "flt-co", "Ada Lovelace King", "Grace Hopper").await {
        Ok(m) => judge(ctx, &m, "displayName co \"Lovelace\"", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, sw: the value starts with the literal.
async fn sw_prefix(ctx: &Ctx) -> Outcome {
    match two_named(ctx, "flt-sw", "Ada Lovelace", "Grace Ada Hopper").await {
        Ok(m) => judge(ctx, &m, "displayName sw \"Ada\"", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, ew: the value ends with the literal.
async fn ew_suffix(ctx: &Ctx) -> Outcome {
    match two_named(ctx, "flt-ew", "Ada Lovelace", "Hopper Grace").await {
        Ok(m) => judge(ctx, &m, "displayName ew \"Lovelace\"", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, pr: the attribute has a non-empty value.
async fn pr_present(ctx: &Ctx) -> Outcome {
    match users(ctx, "flt-pr", &[("a", json!({"title": "Engineer"})), ("b", json!({}))]).await {
        Ok(m) => judge(ctx, &m, "title pr", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, gt: a lexicographical comparison for strings.
async fn gt_lexicographic(ctx: &Ctx) -> Outcome {
    match three(ctx, "flt-gt").await {
        Ok(m) => judge(ctx, &m, &format!("userName gt {}", lit(&m.name("b"))), &["c"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, ge: greater than or equal, lexicographically for strings.
async fn ge_lexicographic(ctx: &Ctx) -> Outcome {
    match three(ctx, "flt-ge").await {
        Ok(m) => judge(ctx, &m, &format!("userName ge {}", lit(&m.name("b"))), &["b", "c"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, lt: less than, lexicographically for strings.
async fn lt_lexicographic(ctx: &Ctx) -> Outcome {
    match three(ctx, "flt-lt").await {
        Ok(m) => judge(ctx, &m, &format!("userName lt {}", lit(&m.name("b"))), &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, le: less than or equal, lexicographically for strings.
async fn le_lexicographic(ctx: &Ctx) -> Outcome {
    match three(ctx, "flt-le").await {
        Ok(m) => judge(ctx, &m, &format!("userName le {}", lit(&m.name("b"))), &["a", "b"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2: attribute operators (and the logical ones of the same grammar) are
/// case-insensitive.
async fn keywords_any_case(ctx: &Ctx) -> Outcome {
    let specs = [("a", json!({})), ("b", json!({"title": "Engineer"})), ("c", json!({}))];
    let m = match users(ctx, "flt-kw", &specs).await {
        Ok(m) => m,
        Err(o) => return o,
    };
    let f = format!("(userName EQ {} Or userName eQ {}) AND NOT (title PR)", lit(&m.name("a")), lit(&m.name("b")));
    judge(ctx, &m, &f, &["a"]).await
}

/// RFC 7644 section 3.4.2.2 (and RFC 7643 section 2.1): attribute names in filters are case-insensitive.
async fn attribute_names_any_case(ctx: &Ctx) -> Outcome {
    let specs = [
        ("a", json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}})),
        ("b", json!({"name": {"givenName": "Ada", "familyName": "Byron"}})),
    ];
    let m = match users(ctx, "flt-names", &specs).await {
        Ok(m) => m,
        Err(o) => return o,
    };
    let f = format!("USERNAME eq {} and NAME.FAMILYNAME eq \"Lovelace\"", lit(&m.name("a")));
    judge(ctx, &m, &f, &["a"]).await
}

/// RFC 7644 section 3.4.2.2: a comparison value is a JSON string (RFC 7159), escapes included.
async fn string_escapes(ctx: &Ctx) -> Outcome {
    let tricky = "Say \"hi\" \\ there";
    match two_named(ctx, "flt-esc", tricky, "Say hi there").await {
        Ok(m) => judge(ctx, &m, &format!("displayName eq {}", lit(tricky)), &["a"]).await,
        Err(o) => o,
    }
}

/// Users `a` (familyName Lovelace) and `b` (familyName Byron).
async fn families(ctx: &Ctx, label: &str) -> Result<Marked, Outcome> {
    let specs = [
        ("a", json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}})),
        ("b", json!({"name": {"givenName": "Ada", "familyName": "Byron"}})),
    ];
    users(ctx, label, &specs).await
}

/// RFC 7644 section 3.4.2.2 (attrPath with subAttr) and section 3.10: `name.familyName`.
async fn sub_attribute(ctx: &Ctx) -> Outcome {
    match families(ctx, "flt-sub").await {
        Ok(m) => judge(ctx, &m, "name.familyName eq \"Lovelace\"", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 sections 3.4.2.2 and 3.10: an attribute path may start with the schema URN.
async fn urn_qualified_core_name(ctx: &Ctx) -> Outcome {
    match families(ctx, "flt-urn").await {
        Ok(m) => judge(ctx, &m, &format!("{USER_URN}:name.familyName eq \"Lovelace\""), &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 sections 3.4.2.2 and 3.10: extension attributes are named with the extension's URN.
async fn urn_qualified_extension_name(ctx: &Ctx) -> Outcome {
    let dept = |d: &str| json!({"schemas": [USER_URN, ENTERPRISE_USER_URN], ENTERPRISE_USER_URN: {"department": d}});
    match users(ctx, "flt-ext", &[("a", dept("Analytical Engines")), ("b", dept("Poetry"))]).await {
        Ok(m) => judge(ctx, &m, &format!("{ENTERPRISE_USER_URN}:department eq \"Analytical Engines\""), &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2 applies to every resource type: a Group filtered by displayName.
async fn group_display_name(ctx: &Ctx) -> Outcome {
    match groups(ctx, "flt-grp", &[("a", json!({})), ("b", json!({}))]).await {
        Ok(m) => judge(ctx, &m, &format!("displayName eq {}", lit(&m.name("a"))), &["a"]).await,
        Err(o) => o,
    }
}
