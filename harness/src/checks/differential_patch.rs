//! Differential property checks, PATCH: proptest draws a User and a sequence of one to three PatchOp requests
//! (`scimlab_protocol::arbitrary::patch`, strict bodies over the RFC's uncontested core); the harness creates
//! the user, applies each request to the server and to the protocol crate's [`patch::apply`] over the user as
//! the server returned it, reads the user back, and compares the attributes the request touched (`meta` and
//! server-assigned `groups` are never compared). A disagreement is shrunk (user and requests together, a fresh
//! user per step) and reported with the requests that reproduce it as curl commands.
//!
//! Comparison follows RFC 7643 section 2.5 and the RFC's silences: null, `[]` and absence are the same state,
//! `primary: false` is the same as no `primary`, multi-valued attributes are compared as multisets, attribute
//! names without regard to case. A request the reference refuses must be refused with the same status (and the
//! same scimType when the server gives one) and leave the touched attributes as they were (atomicity).
//!
//! One reading beyond the strict one is accepted: a `replace` on `emails[type eq "..."].value` that matches no
//! element may create the element (as Entra ID needs, `profile/entra/patch-filter-creates-email`) instead of
//! failing with noTarget as RFC 7644 section 3.5.2.3 has it. The `rfc7644/3.5.2.3` checks judge that rule;
//! here either reading agrees, so that the differential check finds the disagreements no leniency explains. A
//! `remove` or an `add` whose value filter matches nothing is likewise read both ways, since the RFC is silent
//! there (see `silent_filter_reading`).

use super::differential::{Disagreement, Found, Judged, Step, cases, prepare, prerequisite, replay, run_cases};
use super::support::outcome;
use crate::check::{Capability, Check, Level, Outcome, Profile, Tag};
use crate::ctx::{Ctx, Kind, describe};
use crate::run;
use proptest::strategy::Strategy;
use reqwest::Method;
use scimlab_mock_idp::ScimRequest;
use scimlab_protocol::arbitrary::patch::arb_patch_request;
use scimlab_protocol::arbitrary::users::arb_user;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::patch::{self, PatchOpKind, PatchOptions, PatchRequest};
use scimlab_protocol::schema::{USER_URN, split_urn};
use scimlab_protocol::{ResourceView, ScimError};
use serde_json::{Map, Value, json};

/// The section every id of this file starts with.
pub const SECTION: &str = "differential/patch";

/// PATCH sequences drawn per run.
pub const PATCH_CASES: usize = 16;
/// Most cases proptest's shrinking may try on one disagreement (each costs a user and its requests).
pub const SHRINK_STEPS: u32 = 32;
/// Most cases the structural pass may try after it.
pub const DESCEND_STEPS: u32 = 24;
const PATCH_STREAM: u64 = 3;

/// The checks of this file.
pub const CHECKS: &[Check] = &[Check {
    id: "differential/patch/matches-reference",
    level: Level::Must,
    tags: &[Tag::Differential, Tag::Patch, Tag::Users],
    requires: &[Capability::Users, Capability::Patch],
    profiles: &[Profile::Rfc],
    requirement: "for 16 seeded random users and PATCH sequences, the server leaves every touched attribute as \
                  RFC 7644 section 3.5.2 (the protocol crate's applier) says, and refuses what it refuses",
    sends: "per case: POST /Users (a random user), GET /Users/{id}, then per request PATCH /Users/{id} and GET \
            /Users/{id}; again per shrinking step",
    consequence: "",
    catches: &[
        "patch-noop",
        "patch-add-replaces",
        "patch-replace-clears-siblings",
        "patch-not-atomic",
        "patch-no-target-accepted",
    ],
    run: run!(patch_matches_reference),
}];

/// One case: a user and the PatchOp bodies to apply to it in order.
type Case = (Value, Vec<Value>);

fn case_strategy() -> impl Strategy<Value = Case> {
    (arb_user(), proptest::collection::vec(arb_patch_request(), 1..4))
}

/// The first `n` cases drawn for `seed`.
pub fn patch_cases(seed: u64, n: usize) -> Result<Vec<Case>, Outcome> {
    cases(&case_strategy(), seed, PATCH_STREAM, n)
}

/// Cases strictly smaller than `case`: a request fewer, an operation fewer, then a user attribute fewer.
fn smaller_cases((user, requests): &Case) -> Vec<Case> {
    let mut out = Vec::new();
    if requests.len() > 1 {
        for i in 0..requests.len() {
            let mut fewer = requests.clone();
            fewer.remove(i);
            out.push((user.clone(), fewer));
        }
    }
    for (i, request) in requests.iter().enumerate() {
        let ops = request.get("Operations").and_then(Value::as_array).cloned().unwrap_or_default();
        for j in (0..ops.len()).filter(|_| ops.len() > 1) {
            let mut fewer = ops.clone();
            fewer.remove(j);
            let mut changed = requests.clone();
            changed[i]["Operations"] = Value::Array(fewer);
            out.push((user.clone(), changed));
        }
    }
    let keys: Vec<String> = user.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    for key in keys.iter().filter(|k| !["schemas", "userName", "id", "meta"].contains(&k.as_str())) {
        let mut less = user.clone();
        if let Some(o) = less.as_object_mut() {
            o.remove(key);
        }
        out.push((less, requests.clone()));
    }
    out
}

/// The readings of a request the server may follow: the strict one, and the strict one with
/// `replace_creates_filtered` (see the file's documentation).
fn readings() -> [PatchOptions; 2] {
    [PatchOptions::strict(), PatchOptions { replace_creates_filtered: true, ..PatchOptions::strict() }]
}

/// Further readings where the RFC is silent about a value filter that matches nothing. RFC 7644 section 3.5.2.2
/// says what a `remove` with a filter does to the values it matches, and section 3.5.2.1 what an `add` does to a
/// target that exists, but neither says what happens when the filter matches no element. The reference takes
/// table 9's noTarget for the remove and creates the element for the add; a server may instead do nothing on the
/// remove (`remove_is_no_op`) or refuse the add with noTarget (`add_is_refused`). Operations run one by one, in
/// order; any other refusal refuses the whole request, as the strict reading does.
fn silent_filter_reading(
    before: &Value,
    req: &PatchRequest,
    view: &ResourceView<'_>,
    remove_is_no_op: bool,
    add_is_refused: bool,
) -> Result<Value, ScimError> {
    let count = |v: &Value, name: &str| {
        v.as_object().and_then(|o| get_ci(o, name)).and_then(Value::as_array).map_or(0, Vec::len)
    };
    let mut v = before.clone();
    for op in &req.operations {
        let filtered = op.path.as_ref().filter(|p| p.filter.is_some());
        let one = PatchRequest { operations: vec![op.clone()] };
        let mut next = v.clone();
        match patch::apply(&mut next, &one, view, &PatchOptions::strict()) {
            Ok(_) => {
                if let Some(p) = filtered.filter(|_| add_is_refused && op.op == PatchOpKind::Add)
                    && count(&next, &p.name) > count(&v, &p.name)
                {
                    return Err(ScimError::no_target(format!("no element of {} matches the filter", p.name)));
                }
                v = next;
            }
            Err(e)
                if remove_is_no_op
                    && op.op == PatchOpKind::Remove
                    && filtered.is_some()
                    && e.scim_type == Some(scimlab_protocol::ScimType::NoTarget) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(v)
}

/// The top-level attributes an attribute path (or a path-less value's key) touches: the attribute's name, or,
/// for an extension attribute, the extension's URN.
fn touched_by(path: &str) -> String {
    let path = path.split('[').next().unwrap_or(path);
    match split_urn(path) {
        (Some(urn), _) if !urn.eq_ignore_ascii_case(USER_URN) => urn.to_owned(),
        (_, rest) => rest.split('.').next().unwrap_or(rest).to_owned(),
    }
}

/// Every top-level attribute the operations of a PatchOp body touch.
fn touched(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let ops = body.get("Operations").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for op in ops {
        match (op.get("path").and_then(Value::as_str), op.get("value")) {
            (Some(p), _) => out.push(touched_by(p)),
            (None, Some(Value::Object(v))) => out.extend(v.keys().map(|k| touched_by(k))),
            _ => {}
        }
    }
    out.sort_by_key(|s| s.to_lowercase());
    out.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    out
}

/// The state of a value as RFC 7643 section 2.5 sees it: null for no value (absent, null, `[]`, `{}`), objects
/// without their valueless members and `primary: false`, keys lowercased and sorted, arrays sorted.
fn norm(v: Option<&Value>) -> Value {
    match v {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Object(o)) => {
            let mut members: Vec<(String, Value)> = o
                .iter()
                .map(|(k, v)| (k.to_lowercase(), norm(Some(v))))
                .filter(|(k, v)| !(v.is_null() || k == "primary" && *v == Value::Bool(false)))
                .collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            if members.is_empty() { Value::Null } else { Value::Object(members.into_iter().collect::<Map<_, _>>()) }
        }
        Some(Value::Array(a)) => {
            let mut items: Vec<Value> = a.iter().map(|e| norm(Some(e))).filter(|e| !e.is_null()).collect();
            items.sort_by_cached_key(Value::to_string);
            if items.is_empty() { Value::Null } else { Value::Array(items) }
        }
        Some(other) => other.clone(),
    }
}

/// A top-level attribute of a resource.
fn attr<'a>(resource: &'a Value, name: &str) -> Option<&'a Value> {
    resource.as_object().and_then(|o| get_ci(o, name))
}

/// The first touched attribute where `want` and `got` differ, in words.
fn first_difference(want: &Value, got: &Value, touched: &[String]) -> Option<String> {
    touched.iter().find_map(|name| {
        let (w, g) = (norm(attr(want, name)), norm(attr(got, name)));
        (w != g).then(|| format!("{name} is {} on the server and {} in the reference", short(&g), short(&w)))
    })
}

fn short(v: &Value) -> String {
    let s = if v.is_null() { "no value".to_owned() } else { v.to_string() };
    let cut: String = s.chars().take(240).collect();
    if cut.len() < s.len() { format!("{cut}...") } else { cut }
}

/// Whether the server's answer (`status`, `scim_type`) and state (`after`) agree with one reading's result.
fn agrees(
    reading: &Result<Value, ScimError>,
    status: u16,
    scim_type: Option<&str>,
    before: &Value,
    after: &Value,
    touched: &[String],
) -> Result<(), String> {
    match reading {
        Ok(want) => {
            if status != 200 && status != 204 {
                return Err(format!("answered {status} where the reference applies the request"));
            }
            first_difference(want, after, touched).map_or(Ok(()), Err)
        }
        Err(e) => {
            if status != e.status {
                return Err(format!("answered {status} where the reference refuses with {} ({})", e.status, e.detail));
            }
            let want_type = e.scim_type.map(|t| t.as_str());
            if let (Some(got), Some(want)) = (scim_type, want_type)
                && !got.eq_ignore_ascii_case(want)
            {
                return Err(format!("refused with scimType {got} where the reference has {want}"));
            }
            first_difference(before, after, touched)
                .map(|d| format!("refused the request but changed it: {d}"))
                .map_or(Ok(()), Err)
        }
    }
}

/// What the reference does with a request, in words.
fn reference_says(reading: &Result<Value, ScimError>, touched: &[String]) -> String {
    match reading {
        Ok(want) => {
            let parts: Vec<String> = touched.iter().map(|n| format!("{n} = {}", short(&norm(attr(want, n))))).collect();
            format!("applies it, leaving {}", parts.join(", "))
        }
        Err(e) => format!(
            "refuses it with {} {} ({}), changing nothing",
            e.status,
            e.scim_type.map_or("", |t| t.as_str()),
            e.detail
        ),
    }
}

/// One PATCH case on a fresh user.
/// A PatchOp body cut to the attributes the server's User schema defines (RFC 7643 section 7 lets a server
/// publish a subset): operations whose path names an attribute, sub-attribute or value-filter attribute it lacks
/// are dropped, and values keep only the members it defines. `None` when no operation is left. With the full
/// schema the body comes back unchanged.
fn restrict_request(ctx: &Ctx, body: &Value) -> Option<Value> {
    let keep = |v: Value| ctx.only_defined(Kind::User, &v);
    let ops = body.get("Operations").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let kept: Vec<Value> = ops
        .iter()
        .filter_map(|op| {
            let mut op = op.clone();
            let value = op.get("value").cloned();
            let Some(path) = op.get("path").and_then(Value::as_str).map(str::to_owned) else {
                // Path-less: the value's members are attributes (or an extension's URN).
                let Some(v @ Value::Object(_)) = value else { return Some(op) };
                let cut = keep(v);
                if cut.as_object().is_none_or(serde_json::Map::is_empty) {
                    return None;
                }
                set(&mut op, "value", cut);
                return Some(op);
            };
            let defined = match path.split_once('[') {
                Some((attr, rest)) => {
                    let (inner, after) = rest.rsplit_once(']')?;
                    let filter = scimlab_protocol::filter::parse(inner).ok()?;
                    ctx.defines(Kind::User, attr)
                        && super::differential::filter_defined(ctx, &filter, Some(attr))
                        && (after.is_empty() || ctx.defines(Kind::User, &format!("{attr}{after}")))
                }
                None => ctx.defines(Kind::User, &path),
            };
            if !defined {
                return None;
            }
            // A plain attribute's value keeps the sub-attributes the server defines.
            if let Some(v) = value
                && split_urn(&path).0.is_none()
                && !path.contains(['.', '['])
            {
                let cut = keep(json!({ path.as_str(): v })).get(path.as_str()).cloned().unwrap_or(Value::Null);
                set(&mut op, "value", cut);
            }
            Some(op)
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    let mut body = body.clone();
    set(&mut body, "Operations", Value::Array(kept));
    Some(body)
}

/// Sets member `key` of `v` when `v` is an object.
fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

async fn judge_patch(ctx: &Ctx, (user, requests): Case) -> Result<Judged, Outcome> {
    let requests: Vec<Value> = requests.iter().filter_map(|r| restrict_request(ctx, r)).collect();
    if requests.is_empty() {
        return Ok(Judged::NotApplicable);
    }
    // Only the attributes the server defines (RFC 7643 section 7), as the operations are.
    let body = ctx.only_defined(Kind::User, &prepare(user, &ctx.unique("diff-patch"), ctx.run.enterprise));
    let users = ctx.run.path(Kind::User).to_owned();
    let r = super::crud::post_request(ctx, Kind::User, ScimRequest::json(Method::POST, &users, &body)).await?;
    let Some(created) = super::crud::created_from(ctx, Kind::User, &r).filter(|_| (200..300).contains(&r.status))
    else {
        // The server refused this user (a rule of its own); the case says nothing about PATCH.
        return Ok(Judged::NotApplicable);
    };
    let mut reproduce = vec![r.exchange.curl()];
    let mut before = match ctx.read_back(&created).await {
        Ok(v) => v,
        // RFC 7643 leaves the meaning of `active` to the server: one that hides inactive users is not judged here.
        Err(_) if body.get("active") == Some(&Value::Bool(false)) => return Ok(Judged::NotApplicable),
        Err(o) => return Err(prerequisite(o)),
    };
    let view: ResourceView<'_> = ctx.users_view();
    for (k, request) in requests.iter().enumerate() {
        let Ok((req, _)) = PatchRequest::from_json(request, &PatchOptions::strict()) else {
            return Ok(Judged::NotApplicable);
        };
        let mut results: Vec<Result<Value, ScimError>> = readings()
            .iter()
            .map(|o| {
                let mut v = before.clone();
                patch::apply(&mut v, &req, &view, o).map(|_| v)
            })
            .collect();
        for (remove_is_no_op, add_is_refused) in [(true, false), (false, true), (true, true)] {
            results.push(silent_filter_reading(&before, &req, &view, remove_is_no_op, add_is_refused));
        }
        let r = ctx.send(ScimRequest::json(Method::PATCH, &created.path, request)).await?;
        reproduce.push(r.exchange.curl());
        let scim_type = r.json.as_ref().and_then(|b| b.get("scimType")).and_then(Value::as_str).map(str::to_owned);
        let read = ctx.get(&created.path).await?;
        let touched = touched(request);
        let what = format!("PATCH #{} of {}", k + 1, requests.len());
        let deactivated =
            results.iter().any(|res| res.as_ref().is_ok_and(|v| v.get("active") == Some(&Value::Bool(false))));
        if read.status != 200 && deactivated {
            return Ok(Judged::NotApplicable);
        }
        if read.status != 200 {
            return Ok(Judged::Disagree(Disagreement {
                expected: format!(
                    "after {what} the user is still readable; the reference {}",
                    reference_says(&results[0], &touched)
                ),
                actual: format!("GET {} answered {}", created.path, describe(&read)),
                reproduce: reproduce.join("\n"),
            }));
        }
        let after = read.json.unwrap_or(Value::Null);
        let verdicts: Vec<Result<(), String>> =
            results.iter().map(|res| agrees(res, r.status, scim_type.as_deref(), &before, &after, &touched)).collect();
        // The server must agree with one reading; when it agrees with none, the strict reading's difference is shown.
        if !verdicts.iter().any(Result::is_ok) {
            let why = verdicts.into_iter().find_map(Result::err).unwrap_or_default();
            return Ok(Judged::Disagree(Disagreement {
                expected: format!(
                    "on {what} the server does what the reference does: it {}",
                    reference_says(&results[0], &touched)
                ),
                actual: format!("the server disagrees: {why}"),
                reproduce: reproduce.join("\n"),
            }));
        }
        before = after;
    }
    Ok(Judged::Agree)
}

/// The PATCH differential check (see the file's documentation).
async fn patch_matches_reference(ctx: &Ctx) -> Outcome {
    outcome(
        async {
            let seed = ctx.run.seed;
            let (agreed, found) = run_cases(
                patch_cases(seed, PATCH_CASES)?,
                |c| judge_patch(ctx, c),
                |case, steps: &[Step], next| replay(&case_strategy(), (seed, PATCH_STREAM, case), steps, next),
                smaller_cases,
                (SHRINK_STEPS, DESCEND_STEPS),
            )
            .await?;
            if let Some(Found { case, minimal, disagreement: d, steps: (steps, descended), .. }) = found {
                let bodies: Vec<String> = minimal.1.iter().map(Value::to_string).collect();
                return Ok(Outcome::fail(
                    d.expected,
                    format!(
                        "{} (seed {}, case {} of {PATCH_CASES}, shrunk in {steps} + {descended} steps to {} \
                         request(s): {}); \
                         reproduce with:\n{}",
                        d.actual,
                        seed,
                        case + 1,
                        bodies.len(),
                        bodies.join(" then "),
                        d.reproduce
                    ),
                ));
            }
            if agreed == 0 {
                return Ok(Outcome::Skip(
                    "no generated case applied: the server refused every generated user, or no operation names an \
                     attribute its User schema defines (RFC 7643 section 7 allows a subset)"
                        .into(),
                ));
            }
            Ok(Outcome::Pass)
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_protocol::schema::ENTERPRISE_USER_URN;
    use serde_json::json;

    #[test]
    fn the_same_seed_draws_the_same_cases() {
        let a = patch_cases(7, PATCH_CASES).expect("draw");
        assert_eq!(a, patch_cases(7, PATCH_CASES).expect("draw"));
        assert_ne!(a, patch_cases(8, PATCH_CASES).expect("draw"));
        assert!(a.iter().all(|(_, reqs)| (1..4).contains(&reqs.len())));
    }

    #[test]
    fn touched_attributes_come_from_paths_and_pathless_keys() {
        let body = json!({"Operations": [
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "a@b"},
            {"op": "add", "path": "name.givenName", "value": "A"},
            {"op": "replace", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": "S"},
            {"op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "T"},
            {"op": "replace", "value": {"displayName": "D", "Emails": []}}
        ]});
        assert_eq!(
            touched(&body),
            ["displayName", "emails", "name", "title", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
        );
    }

    #[test]
    fn normal_form_follows_rfc7643_section_2_5() {
        let a = json!({"emails": [{"value": "x", "primary": false}, {"Value": "y", "type": null}], "title": []});
        let b = json!({"emails": [{"value": "y"}, {"value": "x"}]});
        assert_eq!(norm(a.get("emails")), norm(b.get("emails")));
        assert_eq!(norm(a.get("title")), norm(b.get("title")));
        assert_ne!(norm(Some(&json!({"value": "X"}))), norm(Some(&json!({"value": "x"}))));
    }
}
