//! RFC 7644 section 3.5.2.1: the PATCH `add` operation, with and without a path, on singular, complex,
//! multi-valued and extension attributes, and on Group membership. Each change is read back with GET.

use super::rfc7644_3_5_2_patch::{
    STRINGS, UNSET_STRINGS, bad_request, defined, elements, member, op, patched, refused_and_unchanged, shown,
    sub_text, text, text_is, user_with_two_emails, values, with,
};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind};
use crate::run;
use serde_json::{Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "rfc7644/3.5.2.1";

const USERS_PATCH: &[Capability] = &[Capability::Users, Capability::Patch];
const GROUPS_PATCH: &[Capability] = &[Capability::Users, Capability::Groups, Capability::Patch];

/// The checks of this section.
pub const CHECKS: &[Check] = &[
    Check {
        id: "rfc7644/3.5.2.1/absent-attribute-added",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add with a path to an attribute that has no value gives it the value",
        sends: "POST /Users, PATCH add nickName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(absent_attribute_added),
    },
    Check {
        id: "rfc7644/3.5.2.1/without-path-value-object",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add without a path adds each attribute of the value object to the resource",
        sends: "POST /Users, PATCH add value {nickName, title}, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(without_path_value_object),
    },
    Check {
        id: "rfc7644/3.5.2.1/multi-valued-appends",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add to a multi-valued attribute adds the new value and keeps the existing ones",
        sends: "POST /Users (a work email), PATCH add emails [{home}], GET",
        consequence: "",
        catches: &["patch-add-replaces", "patch-noop"],
        run: run!(multi_valued_appends),
    },
    Check {
        id: "rfc7644/3.5.2.1/existing-value-not-duplicated",
        level: Level::Should,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "adding a value the attribute already holds succeeds and changes nothing (no duplicate)",
        sends: "POST /Users (a work email), PATCH add emails [the same email], GET",
        consequence: "",
        catches: &[],
        run: run!(existing_value_not_duplicated),
    },
    Check {
        id: "rfc7644/3.5.2.1/single-valued-replaced",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add to a single-valued attribute that has a value replaces the value",
        sends: "POST /Users, PATCH add displayName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(single_valued_replaced),
    },
    Check {
        id: "rfc7644/3.5.2.1/sub-attribute-path",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add with a sub-attribute path (name.middleName) sets it and leaves the other sub-attributes",
        sends: "POST /Users, PATCH add name.middleName, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(sub_attribute_path),
    },
    Check {
        id: "rfc7644/3.5.2.1/filter-sub-attribute",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Filter],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "add with a value-path filter and a sub-attribute (emails[type eq \"work\"].display) sets it on \
                      the matching element only",
        sends: "POST /Users (work and home emails), PATCH add emails[type eq \"work\"].display, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(filter_sub_attribute),
    },
    Check {
        id: "rfc7644/3.5.2.1/extension-urn-path",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Schema],
        requires: &[Capability::Users, Capability::Patch, Capability::EnterpriseUser],
        profiles: &[Profile::Rfc],
        requirement: "add with a path qualified by the enterprise extension URN sets the extension attribute",
        sends: "POST /Users, PATCH add urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department, GET",
        consequence: "",
        catches: &["patch-noop"],
        run: run!(extension_urn_path),
    },
    Check {
        id: "rfc7644/3.5.2.1/group-members-several",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Groups, Tag::Membership],
        requires: GROUPS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "one add of several members adds them all and keeps the existing member",
        sends: "POST /Users x3, POST /Groups (one member), PATCH add members [two more], GET /Groups/{id}",
        consequence: "",
        catches: &["patch-add-replaces", "patch-noop"],
        run: run!(group_members_several),
    },
    Check {
        id: "rfc7644/3.5.2.1/missing-value-400",
        level: Level::Must,
        tags: &[Tag::Patch, Tag::Users, Tag::Errors],
        requires: USERS_PATCH,
        profiles: &[Profile::Rfc],
        requirement: "an add without a value is refused with 400 (scimType invalidValue or invalidSyntax when given) \
                      and changes nothing",
        sends: "PATCH /Users/{id} add nickName, no value",
        consequence: "",
        catches: &["error-plain-text"],
        run: run!(missing_value_400),
    },
];

/// RFC 7644 section 3.5.2.1: an attribute that does not exist is added with the value.
async fn absent_attribute_added(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, UNSET_STRINGS)?;
            let created = ctx.create_user("add-absent", json!({})).await?;
            let nick = ctx.unique("nick");
            let back = patched(ctx, &created, json!([op("add", Some(attr), Some(json!(nick)))])).await?;
            Ok(text_is(&back, attr, &nick))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: without a path the target is the resource and the value holds the attributes to
/// add.
async fn without_path_value_object(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // Two attributes a new User has no value for (one when the server defines only one).
            let attrs: Vec<&str> = defined(ctx, UNSET_STRINGS).into_iter().take(2).collect();
            if attrs.is_empty() {
                ctx.first_defined(Kind::User, UNSET_STRINGS)?;
            }
            let created = ctx.create_user("add-no-path", json!({})).await?;
            let sent: Vec<(&str, String)> = attrs.iter().map(|a| (*a, ctx.unique("added"))).collect();
            let value: serde_json::Map<String, Value> = sent.iter().map(|(a, v)| ((*a).to_owned(), json!(v))).collect();
            let back = patched(ctx, &created, json!([op("add", None, Some(Value::Object(value)))])).await?;
            let user_name = text(&created.body, "userName");
            let expected: Vec<String> = sent.iter().map(|(a, v)| format!("{a} {v:?}")).collect();
            let actual: Vec<String> = sent.iter().map(|(a, _)| format!("{a} {}", shown(member(&back, a)))).collect();
            Ok(Outcome::check(
                sent.iter().all(|(a, v)| text(&back, a) == Some(v.as_str())) && text(&back, "userName") == user_name,
                format!("{} added, userName kept", expected.join(" and ")),
                format!("{}, userName {}", actual.join(", "), shown(member(&back, "userName"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: add to a multi-valued attribute adds a new value; the existing ones stay.
async fn multi_valued_appends(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("add-append", json!({})).await?;
            let work: Vec<String> = values(&created.body, "emails").into_iter().map(str::to_owned).collect();
            let home = format!("{}@example.org", ctx.unique("append-home"));
            let value = json!([{"value": home, "type": "home"}]);
            let back = patched(ctx, &created, json!([op("add", Some("emails"), Some(value))])).await?;
            let now = values(&back, "emails");
            let has = |v: &str| now.iter().any(|n| n.eq_ignore_ascii_case(v));
            Ok(Outcome::check(
                has(&home) && work.iter().all(|w| has(w)),
                format!("emails hold {home} and the existing {work:?}"),
                format!("emails hold {now:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: when the target already holds the value, no change should be made and success
/// should be returned.
async fn existing_value_not_duplicated(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("add-same", json!({})).await?;
            let same = member(&created.body, "emails").cloned().unwrap_or_else(|| json!([]));
            let Some(addr) = values(&created.body, "emails").first().map(|s| (*s).to_owned()) else {
                return Ok(Outcome::Skip("prerequisite failed: the created User shows no email".into()));
            };
            let back = patched(ctx, &created, json!([op("add", Some("emails"), Some(same))])).await?;
            let copies = values(&back, "emails").into_iter().filter(|v| v.eq_ignore_ascii_case(&addr)).count();
            Ok(Outcome::check(
                copies == 1,
                format!("one email {addr}"),
                format!("{copies} emails {addr} (emails {})", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: add to a single-valued attribute replaces its value.
async fn single_valued_replaced(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let attr = ctx.first_defined(Kind::User, STRINGS)?;
            // The attribute has a value before the add (the minimal body sets displayName).
            let created = ctx.create_user("add-single", json!({attr: ctx.unique("before")})).await?;
            let name = ctx.unique("display");
            let back = patched(ctx, &created, json!([op("add", Some(attr), Some(json!(name)))])).await?;
            Ok(text_is(&back, attr, &name))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: a sub-attribute path targets the sub-attribute alone.
async fn sub_attribute_path(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            // A sub-attribute of name the server defines, set beside givenName (and familyName when it is not the
            // target).
            ctx.require_attrs(Kind::User, &["name.givenName"])?;
            let target = ctx.first_defined(
                Kind::User,
                &["name.middleName", "name.honorificPrefix", "name.honorificSuffix", "name.familyName"],
            )?;
            let sub = target.trim_start_matches("name.");
            let mut before = vec![("givenName", "Ada")];
            if sub != "familyName" {
                before.push(("familyName", "Lovelace"));
            }
            let name: serde_json::Map<String, Value> =
                before.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
            let created = ctx.create_user("add-sub", json!({"name": name})).await?;
            let back = patched(ctx, &created, json!([op("add", Some(target), Some(json!("Augusta")))])).await?;
            let mut after = before.clone();
            after.push((sub, "Augusta"));
            let expected: Vec<String> = after.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            Ok(Outcome::check(
                after.iter().all(|(k, v)| sub_text(&back, "name", k) == Some(*v)),
                format!("name is {{{}}}", expected.join(", ")),
                format!("name is {}", shown(member(&back, "name"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2 (figure 8): `attr[filter].sub` names a sub-attribute of the matching elements.
async fn filter_sub_attribute(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            ctx.require_attrs(Kind::User, &["emails.type", "emails.display"])?;
            let (created, work, home) = user_with_two_emails(ctx, "add-filter-sub").await?;
            let ops = json!([op("add", Some("emails[type eq \"work\"].display"), Some(json!("Work mail")))]);
            let back = patched(ctx, &created, ops).await?;
            let emails = elements(&back, "emails");
            let (w, h) = (with(&emails, "value", &work), with(&emails, "value", &home));
            let ok = w.len() == 1
                && text(w[0], "display") == Some("Work mail")
                && text(w[0], "type") == Some("work")
                && h.len() == 1
                && member(h[0], "display").is_none();
            Ok(Outcome::check(
                ok,
                format!("the work email {work} gains display \"Work mail\"; the home email {home} does not"),
                format!("emails are {}", shown(member(&back, "emails"))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2 (paths may carry a schema URN): add to an enterprise extension attribute.
async fn extension_urn_path(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let created = ctx.create_user("add-ext", json!({})).await?;
            let urn = ctx.enterprise_urn();
            let dept = ctx.unique("dept");
            let ops = json!([op("add", Some(&format!("{urn}:department")), Some(json!(dept)))]);
            let back = patched(ctx, &created, ops).await?;
            let got = member(&back, urn).and_then(|e| text(e, "department"));
            Ok(Outcome::check(
                got == Some(dept.as_str()),
                format!("{urn}.department is {dept:?}"),
                format!("the extension is {}", shown(member(&back, urn))),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: several members added in one operation all join; the existing member stays.
async fn group_members_several(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let u1 = ctx.create_user("add-member-1", json!({})).await?;
            let u2 = ctx.create_user("add-member-2", json!({})).await?;
            let u3 = ctx.create_user("add-member-3", json!({})).await?;
            let group = ctx.create_group("add-members", json!({"members": [{"value": u1.id}]})).await?;
            let value = json!([{"value": u2.id}, {"value": u3.id}]);
            let back = patched(ctx, &group, json!([op("add", Some("members"), Some(value))])).await?;
            let now = values(&back, "members");
            let want = [&u1.id, &u2.id, &u3.id];
            Ok(Outcome::check(
                want.iter().all(|id| now.contains(&id.as_str())) && now.len() == 3,
                format!("members are exactly {want:?}"),
                format!("members are {now:?}"),
            ))
        }
        .await,
    )
}

/// RFC 7644 section 3.5.2.1: add must carry a value; a missing one is a missing required value
/// (invalidValue).
async fn missing_value_400(ctx: &Ctx) -> Outcome {
    let ops = json!([op("add", Some("nickName"), None)]);
    outcome(
        refused_and_unchanged(ctx, "add-no-value", ops, |r, w| bad_request(r, &["invalidValue", "invalidSyntax"], w))
            .await,
    )
}
