//! RFC 7644 section 3.4.2.2: the logical structure of filters (and, or, not, precedence and grouping) and
//! filters over multi-valued attributes (any element matches; value paths such as
//! `emails[type eq "work" and value co "@x"]` test one element at a time).

use super::queries::{Marked, expect_filter, groups, lit, users};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::Ctx;
use crate::run;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.4.2.2";

const USERS_FILTER: &[Capability] = &[Capability::Users, Capability::Filter];
const TAGS: &[Tag] = &[Tag::Filter, Tag::Users];

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.4.2.2/and-both-hold",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a and b matches the resources for which both expressions hold",
        sends: "POST /Users x3, GET /Users?filter=(title eq \"Engineer\" and nickName eq \"Nick\") and <marker>",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(and_both_hold),
    },
    Check {
        id: "rfc7644/3.4.2.2/or-either-holds",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a or b matches the resources for which either expression holds",
        sends: "POST /Users x4, GET /Users?filter=(title eq \"Engineer\" or nickName eq \"Nick\") and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-or-as-and"],
        run: run!(or_either_holds),
    },
    Check {
        id: "rfc7644/3.4.2.2/not-negates",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "not (a) matches the resources for which a does not hold",
        sends: "POST /Users x2, GET /Users?filter=(not (title eq \"Engineer\")) and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-not-ignored"],
        run: run!(not_negates),
    },
    Check {
        id: "rfc7644/3.4.2.2/not-of-group",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "not applies to the whole parenthesised expression: not (a or b) matches where neither holds",
        sends: "POST /Users x3, GET /Users?filter=(not (title eq \"a\" or title eq \"b\")) and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-not-ignored", "filter-or-as-and"],
        run: run!(not_of_group),
    },
    Check {
        id: "rfc7644/3.4.2.2/and-binds-tighter-than-or",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "and takes precedence over or: a or b and c is evaluated as a or (b and c)",
        sends: "POST /Users x3, GET /Users?filter=(title eq \"a\" or title eq \"b\" and nickName eq \"n\") and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-precedence-ignored", "filter-or-as-and"],
        run: run!(and_binds_tighter_than_or),
    },
    Check {
        id: "rfc7644/3.4.2.2/parentheses-group",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "parentheses group first: (a or b) and c requires c of every match",
        sends: "POST /Users x3, GET /Users?filter=((title eq \"a\" or title eq \"b\") and nickName eq \"n\") and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-or-as-and"],
        run: run!(parentheses_group),
    },
    Check {
        id: "rfc7644/3.4.2.2/multi-valued-any-element",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "on a multi-valued attribute a filter matches when any one value matches, not only the first",
        sends: "POST /Users x2 (two emails, one email), GET /Users?filter=(emails.value eq \"<second email>\") and <marker>, \
                then (emails.type eq \"home\") and <marker>",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(multi_valued_any_element),
    },
    Check {
        id: "rfc7644/3.4.2.2/value-path-same-element",
        level: Level::Must,
        tags: TAGS,
        requires: USERS_FILTER,
        profiles: &[Profile::Rfc],
        requirement: "a value path emails[type eq \"work\" and value co \"@x\"] matches only when one element satisfies the whole bracket",
        sends: "POST /Users x3, GET /Users?filter=(emails[type eq \"work\" and value co \"@x.example\"]) and <marker>",
        consequence: "",
        catches: &["filter-ignored", "filter-valuepath-unsupported"],
        run: run!(value_path_same_element),
    },
    Check {
        id: "rfc7644/3.4.2.2/group-members-value",
        level: Level::Must,
        tags: &[Tag::Filter, Tag::Groups, Tag::Membership],
        requires: &[Capability::Users, Capability::Groups, Capability::Filter],
        profiles: &[Profile::Rfc],
        requirement: "members.value eq \"<user id>\" returns the Groups that list the User, and no others",
        sends: "POST /Users, POST /Groups x2 (one with the user), GET /Groups?filter=(members.value eq \"<id>\") and <marker>",
        consequence: "",
        catches: &["filter-ignored"],
        run: run!(group_members_value),
    },
];

/// Runs `filter` (the fixture's clause is ANDed in) and expects exactly `expected`.
async fn judge(ctx: &Ctx, m: &Marked, filter: &str, expected: &[&str]) -> Outcome {
    outcome(expect_filter(ctx, m, &m.and(filter), expected).await.map(|()| Outcome::Pass))
}

/// Users titled and nicknamed per `(suffix, title, nickName)`; an empty string leaves the attribute out.
async fn staff(ctx: &Ctx, label: &str, people: &[(&str, &str, &str)]) -> Result<Marked, Outcome> {
    let specs: Vec<(&str, Value)> = people
        .iter()
        .map(|(s, title, nick)| {
            let mut extra = json!({});
            if !title.is_empty() {
                extra["title"] = json!(title);
            }
            if !nick.is_empty() {
                extra["nickName"] = json!(nick);
            }
            (*s, extra)
        })
        .collect();
    users(ctx, label, &specs).await
}

/// RFC 7644 section 3.4.2.2, and: both expressions are true.
async fn and_both_hold(ctx: &Ctx) -> Outcome {
    let people = [("a", "Engineer", "Nick"), ("b", "Engineer", ""), ("c", "", "Nick")];
    match staff(ctx, "flt-and", &people).await {
        Ok(m) => judge(ctx, &m, "title eq \"Engineer\" and nickName eq \"Nick\"", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, or: either expression is true.
async fn or_either_holds(ctx: &Ctx) -> Outcome {
    let people = [("a", "Engineer", "Nick"), ("b", "Engineer", ""), ("c", "", "Nick"), ("d", "Manager", "")];
    match staff(ctx, "flt-or", &people).await {
        Ok(m) => judge(ctx, &m, "title eq \"Engineer\" or nickName eq \"Nick\"", &["a", "b", "c"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, not: the expression is false.
async fn not_negates(ctx: &Ctx) -> Outcome {
    match staff(ctx, "flt-not", &[("a", "Engineer", ""), ("b", "Manager", "")]).await {
        Ok(m) => judge(ctx, &m, "not (title eq \"Engineer\")", &["b"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2: `not` negates the whole grouped expression it is applied to.
async fn not_of_group(ctx: &Ctx) -> Outcome {
    match staff(ctx, "flt-notgrp", &[("a", "a", ""), ("b", "b", ""), ("c", "c", "")]).await {
        Ok(m) => judge(ctx, &m, "not (title eq \"a\" or title eq \"b\")", &["c"]).await,
        Err(o) => o,
    }
}

/// The precedence fixture: `a` matches the left of the or, `b` its right, `c` only half of the right.
async fn precedence_fixture(ctx: &Ctx, label: &str) -> Result<Marked, Outcome> {
    staff(ctx, label, &[("a", "a", ""), ("b", "b", "n"), ("c", "b", "")]).await
}

/// RFC 7644 section 3.4.2.2, order of operations: `and` before `or`.
async fn and_binds_tighter_than_or(ctx: &Ctx) -> Outcome {
    match precedence_fixture(ctx, "flt-prec").await {
        Ok(m) => judge(ctx, &m, "title eq \"a\" or title eq \"b\" and nickName eq \"n\"", &["a", "b"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2, order of operations: grouping first.
async fn parentheses_group(ctx: &Ctx) -> Outcome {
    match precedence_fixture(ctx, "flt-group").await {
        Ok(m) => judge(ctx, &m, "(title eq \"a\" or title eq \"b\") and nickName eq \"n\"", &["b"]).await,
        Err(o) => o,
    }
}

fn email(value: &str, kind: &str) -> Value {
    json!({"value": value, "type": kind})
}

/// RFC 7644 section 3.4.2.2: for a multi-valued attribute, one matching value is enough.
async fn multi_valued_any_element(ctx: &Ctx) -> Outcome {
    let specs = [
        ("a", json!({"emails": [email("ada@one.example", "work"), email("ada@two.example", "home")]})),
        ("b", json!({"emails": [email("grace@one.example", "work")]})),
    ];
    let m = match users(ctx, "flt-multi", &specs).await {
        Ok(m) => m,
        Err(o) => return o,
    };
    match judge(ctx, &m, "emails.value eq \"ada@two.example\"", &["a"]).await {
        Outcome::Pass => judge(ctx, &m, "emails.type eq \"home\"", &["a"]).await,
        other => other,
    }
}

/// RFC 7644 section 3.4.2.2, valuePath: the bracketed filter applies to each element on its own.
async fn value_path_same_element(ctx: &Ctx) -> Outcome {
    let specs = [
        ("a", json!({"emails": [email("ada@x.example", "work")]})),
        ("b", json!({"emails": [email("grace@y.example", "work"), email("grace@x.example", "home")]})),
        ("c", json!({"emails": [email("alan@y.example", "home")]})),
    ];
    match users(ctx, "flt-vpath", &specs).await {
        Ok(m) => judge(ctx, &m, "emails[type eq \"work\" and value co \"@x.example\"]", &["a"]).await,
        Err(o) => o,
    }
}

/// RFC 7644 section 3.4.2.2 over Group membership (a multi-valued complex attribute).
async fn group_members_value(ctx: &Ctx) -> Outcome {
    let user = match ctx.create_user("flt-member", json!({})).await {
        Ok(u) => u,
        Err(o) => return o,
    };
    let specs = [("a", json!({"members": [{"value": user.id}]})), ("b", json!({}))];
    match groups(ctx, "flt-members", &specs).await {
        Ok(m) => judge(ctx, &m, &format!("members.value eq {}", lit(&user.id)), &["a"]).await,
        Err(o) => o,
    }
}
