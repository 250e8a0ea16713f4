//! What the Entra ID and Okta profile checks share: sending what an identity provider sends, and the judgements
//! the IdPs make of the answers (a ListResponse they can read, a resource they can take an id from).
//!
//! What an IdP sends (headers, user agent, query encodings, op casing, value shapes, bodies) is not described
//! here: it is mock-idp's persona of that IdP ([`scimlab_mock_idp::persona`]), the model `scimlab replay` sends
//! through too, so that a profile check and a replay cannot disagree about an IdP's wire requests. A check asks
//! the persona for a plan (`persona.plan(&Intent::Hire { .. })`) or a request (`persona.get`, `persona.patch`),
//! takes the step it needs ([`step`]), and sends it here, aimed at the path the run recorded for the resource
//! ([`send`]). Where a check needs a deliberately different request (the legacy manager shape, a PUT with an
//! attribute left out), it builds it from the persona's own request ([`Planned::with_body`]).

use super::crud::{self, at};
use super::support::excerpt;
use crate::check::Outcome;
use crate::ctx::{Created, Ctx, Kind, describe};
use scimlab_mock_idp::persona::{Idp, Planned};
use scimlab_mock_idp::{Persona, ScimRequest, ScimResponse};
use scimlab_protocol::list::{DeviationKind, ListResponse};
use serde_json::Value;

/// The one request of `plan` labelled `label` (a persona's plan labels its steps: `lookup`, `create`, `update`,
/// `members`...). Its absence is the harness's own fault: the persona no longer plans what the check expects.
pub fn step(plan: Vec<Planned>, label: &str) -> Result<Planned, Outcome> {
    let labels: Vec<&'static str> = plan.iter().map(|p| p.label).collect();
    plan.into_iter().find(|p| p.label == label).ok_or_else(|| {
        Outcome::Error(format!("harness: the persona's plan has no {label:?} request (it has {labels:?})"))
    })
}

/// `planned` as `persona` sends it, aimed at `path`: the collection or resource path the run recorded (the
/// persona's own `/Users/{id}` stands for the same resource).
pub fn request(persona: &Persona, planned: Planned, path: &str) -> ScimRequest {
    persona.to_request(&planned.at(path), None, None)
}

/// Sends `planned` as `persona` sends it, aimed at `path` ([`request`]).
pub async fn send(ctx: &Ctx, persona: &Persona, planned: Planned, path: &str) -> Result<ScimResponse, Outcome> {
    ctx.send(request(persona, planned, path)).await
}

/// Sends `planned` (a PATCH) to `created` as `persona` does; `Ok` for 200 or 204, the answers both IdPs accept.
pub async fn patch(ctx: &Ctx, persona: &Persona, created: &Created, planned: Planned) -> Result<(), Outcome> {
    let r = send(ctx, persona, planned, &created.path).await?;
    accepted(&r, &format!("PATCH {}", created.path))
}

/// Sends `planned` (a GET of the `kind` collection: a lookup, a Test Connection probe) as `persona` does, and
/// reads the answer as the IdP reads lists ([`read_list`]: Okta wants integer counts).
pub async fn list_planned(ctx: &Ctx, persona: &Persona, kind: Kind, planned: Planned) -> Result<ListResponse, Outcome> {
    let path = ctx.run.path(kind).to_owned();
    let what = match &planned.raw_query {
        Some(q) => format!("GET {path}?{q}"),
        None => format!("GET {path}"),
    };
    let r = send(ctx, persona, planned, &path).await?;
    read_list(&r, &what, persona.idp == Idp::Okta)
}

/// GETs the `kind` collection with `query` (already encoded, as the persona writes it) as `persona` does
/// ([`list_planned`]).
pub async fn list(ctx: &Ctx, persona: &Persona, kind: Kind, query: String) -> Result<ListResponse, Outcome> {
    let path = ctx.run.path(kind).to_owned();
    list_planned(ctx, persona, kind, persona.get("list", path, Some(query))).await
}

/// `planned` with its JSON body changed by `edit`: a variant built from the persona's own body.
pub fn edited(planned: Planned, edit: impl FnOnce(&mut Value)) -> Planned {
    let mut body = planned.body_for(None).unwrap_or(Value::Null);
    edit(&mut body);
    planned.with_body(body)
}

/// The JSON body `planned` sends (`Null` without one).
pub fn body_of(planned: &Planned) -> Value {
    planned.body_for(None).unwrap_or(Value::Null)
}

/// A [`fixture`] of `kind` made by sending `create` (a persona's create step, or a variant of it) to the
/// collection.
pub async fn create_fixture(ctx: &Ctx, persona: &Persona, kind: Kind, create: Planned) -> Result<Created, Outcome> {
    let path = ctx.run.path(kind).to_owned();
    fixture(ctx, kind, request(persona, create, &path)).await
}

/// Sends a create built as an IdP builds it; registers what it made for cleanup. `Ok` with the response, which
/// the caller judges.
pub async fn send_create(ctx: &Ctx, kind: Kind, req: ScimRequest) -> Result<ScimResponse, Outcome> {
    crud::post_request(ctx, kind, req).await
}

/// Sends `create`, a persona's Group create step, and judges the answer: 201 with the created Group, its id,
/// and the displayName `name`.
pub async fn judge_group_create(ctx: &Ctx, persona: &Persona, create: Planned, name: &str) -> Result<Outcome, Outcome> {
    let groups = ctx.run.path(Kind::Group).to_owned();
    let r = send_create(ctx, Kind::Group, request(persona, create, &groups)).await?;
    let got = created_body(&r, &format!("POST {groups}"), "Group")?;
    Ok(Outcome::check(
        crud::str_at(got, &["displayName"]) == Some(name),
        format!("the created Group is named {name:?}"),
        format!("displayName is {}", crud::show(at(got, &["displayName"]))),
    ))
}

/// A fixture made with an IdP-shaped create: anything but a 2xx with an id is a skip (the create checks judge
/// creation itself).
pub async fn fixture(ctx: &Ctx, kind: Kind, req: ScimRequest) -> Result<Created, Outcome> {
    let path = req.path.clone();
    let r = send_create(ctx, kind, req).await?;
    match crud::created_from(ctx, kind, &r).filter(|_| (200..300).contains(&r.status)) {
        Some(c) => Ok(c),
        None => Err(Outcome::Skip(format!("prerequisite failed: POST {path} answered {}", describe(&r)))),
    }
}

/// `Ok` with the body of a create's answer when it is 201 with the created `noun` (`User`, `Group`) and a
/// non-empty id; the failure otherwise.
pub fn created_body<'r>(r: &'r ScimResponse, what: &str, noun: &str) -> Result<&'r Value, Outcome> {
    super::support::status(r, 201, what)?;
    let got = r.body_json();
    if crud::str_at(got, &["id"]).is_none_or(str::is_empty) {
        return Err(Outcome::fail(
            format!("{what} answers with the created {noun} and its id"),
            format!("the body is: {}", excerpt(&r.text())),
        ));
    }
    Ok(got)
}

/// Reads `created` back and judges that its displayName is `name` (after a rename).
pub async fn named(ctx: &Ctx, created: &Created, name: &str) -> Result<Outcome, Outcome> {
    let got = ctx.read_back(created).await?;
    Ok(Outcome::check(
        crud::str_at(&got, &["displayName"]) == Some(name),
        format!("displayName is {name:?}"),
        format!("displayName is {}", crud::show(at(&got, &["displayName"]))),
    ))
}

/// A string member of the body a fixture was created from; its absence is the harness's own fault.
pub fn sent<'a>(body: &'a Value, path: &[&str]) -> Result<&'a str, Outcome> {
    crud::str_at(body, path)
        .ok_or_else(|| Outcome::Error(format!("harness: the fixture body has no {}", path.join("."))))
}

/// `Ok` for a 2xx answer to a prerequisite step; otherwise the check is skipped.
pub fn prerequisite(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    if (200..300).contains(&r.status) {
        Ok(())
    } else {
        Err(Outcome::Skip(format!("prerequisite failed: {what} answered {}", describe(r))))
    }
}

/// Reads a query's answer as the IdP does: 200 with a ListResponse (schemas listing the ListResponse URN, a
/// `Resources` array whenever something matched). With `integers`, Okta's reading: `totalResults`,
/// `startIndex` and `itemsPerPage` present and JSON integers.
pub fn read_list(r: &ScimResponse, what: &str, integers: bool) -> Result<ListResponse, Outcome> {
    if r.status != 200 {
        return Err(Outcome::fail(format!("{what} answers 200 with a ListResponse"), describe(r)));
    }
    let (list, deviations) = ListResponse::read(r.body_json()).map_err(|e| {
        Outcome::fail(format!("{what} answers a ListResponse"), format!("{}: {}", e.detail, excerpt(&r.text())))
    })?;
    let fatal = deviations.iter().find(|d| match &d.kind {
        DeviationKind::WrongSchema => true,
        DeviationKind::Missing => integers || d.member == "Resources",
        DeviationKind::IntegerAsString => integers,
        _ => false,
    });
    match fatal {
        Some(d) => Err(Outcome::fail(
            if integers {
                format!("{what} answers a ListResponse with integer totalResults, startIndex and itemsPerPage")
            } else {
                format!("{what} answers a ListResponse (schemas, totalResults, Resources)")
            },
            d.to_string(),
        )),
        None => Ok(list),
    }
}

/// The ids of listed resources, in order.
pub fn ids(resources: &[Value]) -> Vec<String> {
    resources.iter().filter_map(|r| crud::str_at(r, &["id"])).map(str::to_owned).collect()
}

/// `Ok` when the list holds exactly the resources `want` (by id), each once.
pub fn exactly(list: &ListResponse, want: &[&Created], what: &str) -> Result<(), Outcome> {
    let mut got = ids(&list.resources);
    got.sort();
    let mut expected: Vec<String> = want.iter().map(|c| c.id.clone()).collect();
    expected.sort();
    if got == expected && list.total_results == want.len() {
        return Ok(());
    }
    Err(Outcome::fail(
        format!("{what} returns exactly {} (totalResults {})", expected.join(", "), want.len()),
        format!("totalResults {}, ids [{}]", list.total_results, got.join(", ")),
    ))
}

/// The verdict on a lookup that must match nothing: totalResults 0 and no Resources.
pub fn no_match(list: &ListResponse) -> Outcome {
    Outcome::check(
        list.total_results == 0 && list.resources.is_empty(),
        "totalResults 0 and no Resources",
        format!("totalResults {} with {} resources", list.total_results, list.resources.len()),
    )
}

/// The verdict on a lookup of the disabled user `user`: exactly that user (`what` names the lookup), shown with
/// active false.
pub fn listed_inactive(list: &ListResponse, user: &Created, what: &str) -> Result<Outcome, Outcome> {
    exactly(list, &[user], what)?;
    let first = list.resources.first();
    Ok(Outcome::check(
        first.and_then(active) == Some(false),
        "the lookup shows the user with active false",
        format!("active is {}", first.map_or("absent".into(), show_active)),
    ))
}

/// `active` of a representation, when it is a boolean.
pub fn active(v: &Value) -> Option<bool> {
    at(v, &["active"]).and_then(Value::as_bool)
}

/// A representation's `active` for failure messages.
pub fn show_active(v: &Value) -> String {
    crud::show(at(v, &["active"]))
}

/// `Ok` when a PATCH was accepted (200 or 204); otherwise the failure naming the request.
pub fn accepted(r: &ScimResponse, what: &str) -> Result<(), Outcome> {
    super::support::status_in(r, &[200, 204], what)
}

/// `Ok` when `got` at `path` is the string `want`; the failure names the attribute otherwise.
pub fn expect_str(got: &Value, path: &[&str], want: &str, what: &str) -> Result<(), Outcome> {
    match crud::str_at(got, path) {
        Some(s) if s == want => Ok(()),
        _ => Err(Outcome::fail(
            format!("{what}: {} is {want:?}", path.join(".")),
            format!("{} is {}", path.join("."), crud::show(at(got, path))),
        )),
    }
}

/// The elements of a multi-valued attribute of `v` whose `type` is `kind` (case-insensitively).
pub fn typed<'a>(v: &'a Value, attr: &str, kind: &str) -> Vec<&'a Value> {
    at(v, &[attr])
        .and_then(Value::as_array)
        .map(|a| {
            a.iter().filter(|e| crud::str_at(e, &["type"]).is_some_and(|t| t.eq_ignore_ascii_case(kind))).collect()
        })
        .unwrap_or_default()
}
