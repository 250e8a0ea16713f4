//! Fixtures and judgements shared by the query checks (RFC 7644 sections 3.4.2 to 3.4.3 and 3.9): resources
//! created under a marker unique to one check, list requests, and the comparison of the resources a query
//! returned with exactly those it had to return.
//!
//! Every query a check sends ANDs its marker into the filter (`(...) and userName sw "<marker>-"`), so resources
//! of other checks and of the server's own customers can never change the answer, and an answer holding anything
//! else is wrong. The expected set is written by the check and cross-checked with the protocol crate's
//! [`Matcher`] over the resources as the server returned them on create: when the two disagree, the server did
//! not store what the check needs, and the check is skipped rather than judged.

use super::support::{excerpt, status};
use crate::check::Outcome;
use crate::ctx::{Created, Ctx, Kind, merge};
use scimlab_mock_idp::{ScimRequest, ScimResponse};
use scimlab_protocol::filter::{self, Matcher};
use scimlab_protocol::list::{Deviation, ListResponse};
use scimlab_protocol::schema::ResourceView;
use scimlab_protocol::sort::SortSpec;
use serde_json::{Value, json};
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// Resources created for one check: all named `<marker>-<suffix>` (userName for Users, displayName for Groups).
pub(crate) struct Marked {
    /// Users or Groups.
    pub kind: Kind,
    /// The check-unique marker.
    pub marker: String,
    /// Each resource with its suffix, in creation order.
    pub items: Vec<(String, Created)>,
}

impl Marked {
    /// The filter clause that selects exactly this fixture's resources.
    pub fn clause(&self) -> String {
        let attr = if self.kind == Kind::User { "userName" } else { "displayName" };
        format!("{attr} sw \"{}-\"", self.marker)
    }

    /// `(filter) and <clause>`.
    pub fn and(&self, filter: &str) -> String {
        format!("({filter}) and {}", self.clause())
    }

    /// The full name of the resource with `suffix`.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.marker)
    }

    /// The resource created with `suffix`. The suffixes are the check's own literals, so a miss is a harness bug.
    pub fn get(&self, suffix: &str) -> Result<&Created, Outcome> {
        self.items
            .iter()
            .find(|(s, _)| s == suffix)
            .map(|(_, c)| c)
            .ok_or_else(|| Outcome::Error(format!("harness: no fixture resource {suffix:?}")))
    }

    /// The suffix of the resource with `id`, or the id itself for a resource this fixture did not create.
    fn label(&self, id: &str) -> String {
        match self.items.iter().find(|(_, c)| c.id == id) {
            Some((s, _)) => s.clone(),
            None => format!("foreign id {id}"),
        }
    }

    /// The suffixes of the returned resources (ids of foreign ones), in the order returned.
    pub fn labels_in_order(&self, resources: &[Value]) -> Vec<String> {
        resources
            .iter()
            .map(|r| match r.get("id").and_then(Value::as_str) {
                Some(id) => self.label(id),
                None => "a resource without an id".to_owned(),
            })
            .collect()
    }

    /// The suffixes of the returned resources (ids of foreign ones), sorted.
    pub fn labels(&self, resources: &[Value]) -> Vec<String> {
        let mut v = self.labels_in_order(resources);
        v.sort();
        v
    }

    /// The schema view of this fixture's kind.
    pub fn view<'c>(&self, ctx: &'c Ctx) -> ResourceView<'c> {
        match self.kind {
            Kind::User => ctx.run.registry.user(),
            Kind::Group => ctx.run.registry.group(),
        }
    }
}

/// Creates one User per `(suffix, extra)`, named `<marker>-<suffix>` with the minimal body merged with `extra`,
/// side by side (in no particular order on the server).
pub(crate) async fn users(ctx: &Ctx, label: &str, specs: &[(&str, Value)]) -> Result<Marked, Outcome> {
    made_users(ctx, label, specs, None).await
}

/// [`users`], created one after the other in the order given: for the sort checks, whose fixtures are created
/// out of order so that a server returning them as stored cannot pass by chance.
pub(crate) async fn users_in_order(ctx: &Ctx, label: &str, specs: &[(&str, Value)]) -> Result<Marked, Outcome> {
    made_users(ctx, label, specs, Some(Duration::ZERO)).await
}

/// [`users_in_order`], waiting `pause` between creates (so that `meta.created` and `meta.lastModified` differ).
pub(crate) async fn users_paced(
    ctx: &Ctx,
    label: &str,
    specs: &[(&str, Value)],
    pause: Duration,
) -> Result<Marked, Outcome> {
    made_users(ctx, label, specs, Some(pause)).await
}

/// The users of [`users`] (`in_order` `None`) or [`users_paced`].
async fn made_users(
    ctx: &Ctx,
    label: &str,
    specs: &[(&str, Value)],
    in_order: Option<Duration>,
) -> Result<Marked, Outcome> {
    let marker = ctx.unique(label);
    let bodies: Vec<(String, Value)> = specs
        .iter()
        .map(|(suffix, extra)| {
            let (mut body, _) = ctx.user_body(label);
            merge(&mut body, json!({"userName": format!("{marker}-{suffix}")}));
            merge(&mut body, extra.clone());
            ((*suffix).to_owned(), body)
        })
        .collect();
    let items = if let Some(pause) = in_order {
        let mut items = Vec::with_capacity(bodies.len());
        for (i, (suffix, body)) in bodies.into_iter().enumerate() {
            if i > 0 && !pause.is_zero() {
                tokio::time::sleep(pause).await;
            }
            items.push((suffix, ctx.create(Kind::User, &body).await?));
        }
        items
    } else {
        create_all(ctx, Kind::User, bodies).await?
    };
    Ok(Marked { kind: Kind::User, marker, items })
}

/// Two plain users, `a` and `b`, under one marker: shared by every check that only looks them up, filters or
/// searches for them (see [`Ctx::shared`]), instead of two new users per check.
pub(crate) async fn plain_pair(ctx: &Ctx) -> Result<Arc<Marked>, Outcome> {
    ctx.shared("queries/plain-pair", |setup| async move {
        users(&setup, "pair", &[("a", json!({})), ("b", json!({}))]).await
    })
    .await
}

/// Creates one Group per `(suffix, extra)`, with displayName `<marker>-<suffix>`.
pub(crate) async fn groups(ctx: &Ctx, label: &str, specs: &[(&str, Value)]) -> Result<Marked, Outcome> {
    let marker = ctx.unique(label);
    let bodies = specs
        .iter()
        .map(|(suffix, extra)| {
            let (mut body, _) = ctx.group_body(label);
            merge(&mut body, json!({"displayName": format!("{marker}-{suffix}")}));
            merge(&mut body, extra.clone());
            ((*suffix).to_owned(), body)
        })
        .collect();
    Ok(Marked { kind: Kind::Group, items: create_all(ctx, Kind::Group, bodies).await?, marker })
}

/// Creates every `(suffix, body)` side by side (the creates are independent: one round trip, not one per
/// resource), keeping their order. The first failure, in that order, is the answer.
async fn create_all(ctx: &Ctx, kind: Kind, bodies: Vec<(String, Value)>) -> Result<Vec<(String, Created)>, Outcome> {
    let creates = bodies.iter().map(|(_, body)| ctx.create(kind, body));
    let created = futures_util::future::join_all(creates).await;
    bodies.into_iter().zip(created).map(|((suffix, _), c)| Ok((suffix, c?))).collect()
}

/// `GET {collection}` with query `params`.
pub(crate) async fn list(ctx: &Ctx, kind: Kind, params: &[(&str, &str)]) -> Result<ScimResponse, Outcome> {
    let mut req = ScimRequest::get(ctx.run.path(kind));
    for (k, v) in params {
        req = req.query(*k, *v);
    }
    ctx.send(req).await
}

/// The response as a ListResponse: 200 and a body the lenient reader understands (integers as strings, names in
/// another case are accepted here; the ListResponse checks judge those).
pub(crate) fn read_list(r: &ScimResponse, what: &str) -> Result<ListResponse, Outcome> {
    read_list_noting(r, what).map(|(l, _)| l)
}

/// [`read_list`], with the liberties the server took (see [`ListResponse::read`]).
pub(crate) fn read_list_noting(r: &ScimResponse, what: &str) -> Result<(ListResponse, Vec<Deviation>), Outcome> {
    status(r, 200, what)?;
    let Some(body) = r.json.as_ref() else {
        return Err(Outcome::fail(format!("{what} returns a JSON ListResponse"), excerpt(&r.text())));
    };
    ListResponse::read(body).map_err(|e| {
        Outcome::fail(format!("{what} returns a ListResponse"), format!("{}: {}", e.detail, excerpt(&r.text())))
    })
}

/// A readable `GET /Users?filter=...` for messages.
pub(crate) fn described(kind: Kind, ctx: &Ctx, filter: &str) -> String {
    format!("GET {}?filter={filter}", ctx.run.path(kind))
}

/// The suffixes the protocol crate's reference evaluator says `filter` matches among the fixture's resources,
/// as the server returned them on create.
pub(crate) fn predicted(ctx: &Ctx, marked: &Marked, filter: &str) -> Result<BTreeSet<String>, Outcome> {
    let tree = filter::parse(filter).map_err(|e| Outcome::Error(format!("harness filter {filter:?}: {e}")))?;
    let view = marked.view(ctx);
    let m = Matcher::compile(&tree, &view).map_err(|e| Outcome::Error(format!("harness filter {filter:?}: {e}")))?;
    Ok(marked.items.iter().filter(|(_, c)| m.matches(&c.body)).map(|(s, _)| s.clone()).collect())
}

/// Sends `filter` (which must carry the fixture's clause) and judges that exactly the resources with suffixes
/// `expected` come back. Skips when the reference evaluator, over the resources as created, disagrees with
/// `expected` (the server did not keep a value the check relies on).
pub(crate) async fn expect_filter(ctx: &Ctx, marked: &Marked, filter: &str, expected: &[&str]) -> Result<(), Outcome> {
    let want: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    let reference = predicted(ctx, marked, filter)?;
    if reference != want {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: as the server returned them on create, the resources matching {filter:?} are \
             {reference:?}, not the {want:?} the check set up (an attribute was not stored as sent)"
        )));
    }
    let what = described(marked.kind, ctx, filter);
    let r = list(ctx, marked.kind, &[("filter", filter)]).await?;
    let l = read_list(&r, &what)?;
    let got = marked.labels(&l.resources);
    let want: Vec<String> = want.into_iter().collect();
    if got != want {
        lost(ctx, marked, &want, &got).await?;
        return Err(Outcome::fail(
            format!("{what} returns exactly {}", names(marked, &want)),
            format!("it returned {} (totalResults {})", names(marked, &got), l.total_results),
        ));
    }
    Ok(())
}

/// Sends the bare `filter` (no fixture clause: the exact form IdPs send, which servers may special-case) and
/// judges that exactly the resource with `suffix` comes back. The literal must be unique to the fixture (a
/// userName or displayName of it), so the answer is kept to the run's data by reading it: any other resource,
/// the fixture's or anyone's, is wrong. Skips when the reference evaluator disagrees, as [`expect_filter`] does.
pub(crate) async fn expect_bare(ctx: &Ctx, marked: &Marked, filter: &str, suffix: &str) -> Result<(), Outcome> {
    let reference = predicted(ctx, marked, filter)?;
    if reference.len() != 1 || !reference.contains(suffix) {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: as the server returned them on create, the resources matching {filter:?} are \
             {reference:?}, not [{suffix:?}] (an attribute was not stored as sent)"
        )));
    }
    let what = described(marked.kind, ctx, filter);
    let r = list(ctx, marked.kind, &[("filter", filter)]).await?;
    let l = read_list(&r, &what)?;
    let got = marked.labels(&l.resources);
    let expected = format!("{what} returns exactly {}", marked.name(suffix));
    if !got.iter().any(|g| g == suffix) {
        lost(ctx, marked, &[suffix.to_owned()], &got).await?;
    }
    match got.as_slice() {
        [one] if one == suffix => Ok(()),
        [] => Err(Outcome::fail(expected, format!("it returned nothing (totalResults {})", l.total_results))),
        [_, _, ..] => Err(Outcome::fail(
            expected,
            format!(
                "the server ignores filter: it returned {} resources (totalResults {}): {}",
                got.len(),
                l.total_results,
                names(marked, &got)
            ),
        )),
        _ => Err(Outcome::fail(expected, format!("it returned {}", names(marked, &got)))),
    }
}

/// When a query's answer lacks fixture resources it had to hold: whether the server still has them. A resource
/// this check created and never deleted that now answers 404 means the server lost data (a restart without
/// persistence), which is the verdict, rather than a misreading of the query's rules.
async fn lost(ctx: &Ctx, marked: &Marked, want: &[String], got: &[String]) -> Result<(), Outcome> {
    for suffix in want.iter().filter(|w| !got.contains(w)) {
        let created = marked.get(suffix)?;
        let r = ctx.get(&created.path).await?;
        if r.status == 404 {
            return Err(Outcome::fail(
                format!("{} created by this check (201) stays until deleted", marked.name(suffix)),
                format!(
                    "the server lost data: GET {} answers 404 though this check created it and never deleted it \
                     (the query's answer, without it, is not judged)",
                    created.path
                ),
            ));
        }
    }
    Ok(())
}

/// `[<marker>-a, <marker>-b]`, or `nothing`.
pub(crate) fn names(marked: &Marked, suffixes: &[String]) -> String {
    if suffixes.is_empty() {
        return "nothing".to_owned();
    }
    let v: Vec<String> = suffixes
        .iter()
        .map(|s| if s.starts_with("foreign") || s.contains(' ') { s.clone() } else { marked.name(s) })
        .collect();
    format!("[{}]", v.join(", "))
}

/// A JSON string literal for a filter (quotes and backslashes escaped).
pub(crate) fn lit(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// Sends `GET {collection}?filter=<clause>&sortBy=..[&sortOrder=..]` and judges that every marked resource comes
/// back in exactly the order `designed` (suffixes). The order is cross-checked with the protocol crate's
/// [`SortSpec`] over the resources as created: a disagreement means the server did not store what the check
/// relies on, and the check is skipped.
pub(crate) async fn expect_order(
    ctx: &Ctx,
    marked: &Marked,
    sort_by: &str,
    sort_order: Option<&str>,
    designed: &[&str],
) -> Result<(), Outcome> {
    let view = marked.view(ctx);
    let spec = SortSpec::parse(sort_by, sort_order, &view)
        .map_err(|e| Outcome::Error(format!("harness sortBy {sort_by:?}: {}", e.detail)))?;
    let mut sorted: Vec<&(String, Created)> = marked.items.iter().collect();
    sorted.sort_by(|a, b| spec.compare(&a.1.body, &b.1.body));
    let distinct = sorted.windows(2).all(|w| spec.compare(&w[0].1.body, &w[1].1.body) != Ordering::Equal);
    let reference: Vec<&str> = sorted.iter().map(|(s, _)| s.as_str()).collect();
    if reference != designed || !distinct {
        return Err(Outcome::Skip(format!(
            "prerequisite failed: as the server returned them on create, sorting by {sort_by} gives {reference:?} \
             (distinct keys: {distinct}), not the {designed:?} the check set up"
        )));
    }
    let clause = marked.clause();
    let mut params = vec![("filter", clause.as_str()), ("sortBy", sort_by)];
    if let Some(o) = sort_order {
        params.push(("sortOrder", o));
    }
    let what = match sort_order {
        Some(o) => format!("GET {}?filter={clause}&sortBy={sort_by}&sortOrder={o}", ctx.run.path(marked.kind)),
        None => format!("GET {}?filter={clause}&sortBy={sort_by}", ctx.run.path(marked.kind)),
    };
    let r = list(ctx, marked.kind, &params).await?;
    let l = read_list(&r, &what)?;
    let got = marked.labels_in_order(&l.resources);
    let want: Vec<String> = designed.iter().map(|s| (*s).to_owned()).collect();
    if got != want {
        lost(ctx, marked, &want, &got).await?;
    }
    passed(Outcome::check(
        got == want,
        format!("{what} returns {} in that order", names(marked, &want)),
        format!("it returned {}", names(marked, &got)),
    ))
}

/// `Err` for anything but a pass, so checks can chain judgements with `?`.
pub(crate) fn passed(o: Outcome) -> Result<(), Outcome> {
    match o {
        Outcome::Pass => Ok(()),
        other => Err(other),
    }
}
