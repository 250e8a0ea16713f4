//! RFC 7644 section 3.5.2.3: the PATCH `replace` operation: with and without a path, complex attributes (the
//! sub-attributes not named stay), whole multi-valued sets, value filters with and without a sub-attribute,
//! `primary`, Group members, and the noTarget refusal of a filter that matches nothing. Each change is read back
//! with GET.

use super::rfc7644_3_5_2_patch::{
    STRINGS, UNSET_STRINGS, bad_request_typed, defined, elements, is_primary, member, op, patched, refused_unchanged,
    shown, sub_text, text, text_is, user_with_two_emails, values, with,
};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.2.3";

const USERS_PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const GROUPS_PATCH: &[Capability] = &[Capability::Users, Capability::Groups, Capability::Patch];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.5.2.3/single-valued",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of a single-valued attribute (active) sets the new value",
        sends: "POST /Users (active true), PATCH replace active false, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(single_valued),
    },
    Check {
        id: "rfc7644/3.5.2.3/without-path",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace without a path replaces each attribute named in the value object",
        sends: "POST /Users, PATCH replace value {displayName, nickName}, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(without_path),
    },
    Check {
        id: "rfc7644/3.5.2.3/complex-keeps-unnamed-sub-attributes",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of a complex attribute (name) changes the sub-attributes given and leaves the others",
        sends: "POST /Users (name given+family), PATCH replace name {givenName}, GET",
        consequence: "",
        catches: &["patch-replace-clears-siblings"],
        run: run!(complex_keeps_unnamed),
    },
    Check {
        id: "rfc7644/3.5.2.3/sub-attribute-path",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace with a sub-attribute path (name.givenName) changes it and leaves its siblings",
        sends: "POST /Users, PATCH replace name.givenName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(sub_attribute_path),
    },
    Check {
        id: "rfc7644/3.5.2.3/multi-valued-whole-set",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of a multi-valued attribute without a filter replaces all its values",
        sends: "POST /Users (two emails), PATCH replace emails [one new email], GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(multi_valued_whole_set),
    },
    Check {
        id: "rfc7644/3.5.2.3/value-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Filter],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace with a value filter (emails[type eq \"work\"]) replaces the matching element only",
        sends: "POST /Users (work and home emails), PATCH replace emails[type eq \"work\"] {value, type}, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(value_filter),
    },
    Check {
        id: "rfc7644/3.5.2.3/filter-sub-attribute",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Filter],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of emails[type eq \"work\"].value changes that sub-attribute of the matching element \
                      only",
        sends: "POST /Users (work and home emails), PATCH replace emails[type eq \"work\"].value, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(filter_sub_attribute),
    },
    Check {
        id: "rfc7644/3.5.2.3/absent-target-added",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of an attribute that has no value is treated as an add",
        sends: "POST /Users (no nickName), PATCH replace nickName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(absent_target_added),
    },
    Check {
        id: "rfc7644/3.5.2.3/primary-via-filter",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Schema],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "setting primary true through emails[type eq \"home\"].primary clears primary on the work \
                      email",
        sends: "POST /Users (primary work, home), PATCH replace emails[type eq \"home\"].primary true, GET",
        consequence: "",
        catches: &["patch-primary-not-unique"],
        run: run!(primary_via_filter),
    },
    Check {
        id: "rfc7644/3.5.2.3/filter-no-match-no-target",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors, Tag::Filter],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace with a value filter that matches no element fails with 400 and scimType noTarget, \
                      changing nothing",
        sends: "PATCH /Users/{id} replace emails[value sw \"{marker}\"].display",
        consequence: "",
        catches: &["no-scim-type", "patch-no-target-accepted"],
        run: run!(filter_no_match_no_target),
    },
    Check {
        id: "rfc7644/3.5.2.3/group-members",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Groups, Tag::Membership],
        requires: GROUPS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "replace of members sets the membership to exactly the given members",
        sends: "POST /Users x2, POST /Groups (first), PATCH replace members [second], GET /Groups/{id}",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(group_members),
    },
];

/// RFC 7644 section 3.5.2.3: a single-valued target takes the new value.
async fn single_valued(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("replace-active", json!({"active": true})).await?;
            let back = patched(ctx, &created, json!([op("replace", Some("active"), Some(json!(false)))])).await?;
            let got = member(&back, "active");
            Ok(Outcome::check(
                got.and_then(Value::as_bool) == Some(false),
                "active is false",
                format!("active is {}", shown(got)),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: without a path the value lists the attributes to replace.
async fn without_path(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // Two string attributes the server defines (one when it defines only one), each with a value first.
            let attrs: Vec<&str> = defined(ctx, STRINGS).into_iter().take(2).collect();
            if attrs.is_empty() {
                ctx.first_defined(Kind::User, STRINGS)?;
            }
            let old: serde_json::Map<String, Value> =
                attrs.iter().map(|a| ((*a).to_owned(), json!(ctx.unique("old")))).collect();
            let created = ctx.create_user("replace-no-path", Value::Object(old)).await?;
            let sent: Vec<(&str, String)> = attrs.iter().map(|a| (*a, ctx.unique("new"))).collect();
            let value: serde_json::Map<String, Value> = sent.iter().map(|(a, v)| ((*a).to_owned(), json!(v))).collect();
            let back = patched(ctx, &created, json!([op("replace", None, Some(Value::Object(value)))])).await?;
            let expected: Vec<String> = sent.iter().map(|(a, v)| format!("{a} {v:?}")).collect();
            let actual: Vec<String> = sent.iter().map(|(a, _)| format!("{a} {}", shown(member(&back, a)))).collect();
            Ok(Outcome::check(
                sent.iter().all(|(a, v)| text(&back, a) == Some(v.as_str())),
                expected.join(" and "),
                actual.join(", "),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: for a complex target, the given sub-attributes replace or add; those not given are
/// left unchanged.
async fn complex_keeps_unnamed(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx
                .create_user("replace-complex", json!({"name": {"givenName": "Ada", "familyName": "Byron"}}))
                .await?;
            let ops = json!([op("replace", Some("name"), Some(json!({"givenName": "Augusta"})))]);
            let back = patched(ctx, &created, ops).await?;
            let got = (sub_text(&back, "name", "givenName"), sub_text(&back, "name", "familyName"));
            Ok(Outcome::check(
                got == (Some("Augusta"), Some("Byron")),
                "name is {givenName: Augusta, familyName: Byron}",
                format!("name is {}", shown(member(&back, "name"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: a sub-attribute path replaces that sub-attribute alone.
async fn sub_attribute_path(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created =
                ctx.create_user("replace-sub", json!({"name": {"givenName": "Ada", "familyName": "Byron"}})).await?;
            let ops = json!([op("replace", Some("name.familyName"), Some(json!("Lovelace")))]);
            let back = patched(ctx, &created, ops).await?;
            let got = (sub_text(&back, "name", "givenName"), sub_text(&back, "name", "familyName"));
            Ok(Outcome::check(
                got == (Some("Ada"), Some("Lovelace")),
                "name is {givenName: Ada, familyName: Lovelace}",
                format!("name is {}", shown(member(&back, "name"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: a multi-valued target without a filter has all its values replaced.
async fn multi_valued_whole_set(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let (created, _, _) = user_with_two_emails(ctx, "replace-emails").await?;
            let other = format!("{}@example.net", ctx.unique("only"));
            let value = json!([{"value": other, "type": "other"}]);
            let back = patched(ctx, &created, json!([op("replace", Some("emails"), Some(value))])).await?;
            let now = values(&back, "emails");
            Ok(Outcome::check(
                now.len() == 1 && now[0].eq_ignore_ascii_case(&other),
                format!("emails are exactly [{other}]"),
                format!("emails are {now:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: with a value filter, all matching elements are replaced; the others stay.
async fn value_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type"])?;
            let (created, work, home) = user_with_two_emails(ctx, "replace-filter").await?;
            let new = format!("{}@example.com", ctx.unique("new-work"));
            let ops =
                json!([op("replace", Some("emails[type eq \"work\"]"), Some(json!({"value": new, "type": "work"})))]);
            let back = patched(ctx, &created, ops).await?;
            let emails = elements(&back, "emails");
            let ok = with(&emails, "value", &new).len() == 1
                && with(&emails, "value", &work).is_empty()
                && with(&emails, "value", &home).len() == 1
                && emails.len() == 2;
            Ok(Outcome::check(
                ok,
                format!("emails are {new} (work) and {home} (home)"),
                format!("emails are {}", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: with a value filter and a sub-attribute, that sub-attribute of every matching
/// element is replaced.
async fn filter_sub_attribute(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type"])?;
            let (created, work, home) = user_with_two_emails(ctx, "replace-filter-sub").await?;
            let new = format!("{}@example.com", ctx.unique("new-value"));
            let ops = json!([op("replace", Some("emails[type eq \"work\"].value"), Some(json!(new)))]);
            let back = patched(ctx, &created, ops).await?;
            let emails = elements(&back, "emails");
            let changed = with(&emails, "value", &new);
            let ok = changed.len() == 1
                && text(changed[0], "type") == Some("work")
                && with(&emails, "value", &work).is_empty()
                && with(&emails, "value", &home).len() == 1;
            Ok(Outcome::check(
                ok,
                format!("the work email's value is {new}, its type kept; {home} untouched"),
                format!("emails are {}", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: a target that does not exist is treated as an add.
async fn absent_target_added(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, UNSET_STRINGS)?;
            let created = ctx.create_user("replace-absent", json!({})).await?;
            let nick = ctx.unique("nick");
            let back = patched(ctx, &created, json!([op("replace", Some(attr), Some(json!(nick)))])).await?;
            Ok(text_is(&back, attr, &nick))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2: setting `primary` true on one value makes the server set it false on the others.
async fn primary_via_filter(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type", "emails.primary"])?;
            let (created, _, home) = user_with_two_emails(ctx, "replace-primary").await?;
            let ops = json!([op("replace", Some("emails[type eq \"home\"].primary"), Some(json!(true)))]);
            let back = patched(ctx, &created, ops).await?;
            let emails = elements(&back, "emails");
            let primaries: Vec<&str> =
                emails.iter().filter(|e| is_primary(e)).filter_map(|e| text(e, "value")).collect();
            Ok(Outcome::check(
                primaries.len() == 1 && primaries[0].eq_ignore_ascii_case(&home),
                format!("exactly one primary email, {home}"),
                format!("primary emails: {primaries:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: a value filter that matches nothing fails with 400 and scimType noTarget. The
/// filter uses `sw`, so a server that creates elements from `eq` filters (an IdP leniency) is still judged on
/// the rule itself.
async fn filter_no_match_no_target(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // A sub-attribute of emails the server defines: display, else value itself.
            let sub = ctx.first_defined(Kind::User, &["emails.display", "emails.value"])?.trim_start_matches("emails.");
            let created = ctx.create_user("replace-no-match", json!({})).await?;
            let path = format!("emails[value sw \"{}\"].{sub}", ctx.unique("nomatch"));
            let what = format!("PATCH {} replace {path}", created.path);
            let ops = json!([op("replace", Some(&path), Some(json!("x")))]);
            refused_unchanged(ctx, &created, ops, &what, |r, w| bad_request_typed(r, "noTarget", w)).await
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.3: replace of the multi-valued `members` sets exactly the given members.
async fn group_members(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let a = ctx.create_user("replace-member-a", json!({})).await?;
            let b = ctx.create_user("replace-member-b", json!({})).await?;
            let group = ctx.create_group("replace-members", json!({"members": [{"value": a.id}]})).await?;
            let ops = json!([op("replace", Some("members"), Some(json!([{"value": b.id}])))]);
            let back = patched(ctx, &group, ops).await?;
            let now = values(&back, "members");
            Ok(Outcome::check(
                now == [b.id.as_str()],
                format!("members are [{}]", b.id),
                format!("members are {now:?}"),
            ))
        }
        .await,
    )
}
