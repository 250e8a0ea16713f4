//! Queries: `GET /{type}` with a filter, `POST /{type}/.search` and `POST /.search` (RFC 7644 sections 3.4.2 and
//! 3.4.3), with sorting, pagination and projection.
//!
//! Equality on an indexed attribute (`id`, `userName`, `externalId`, Group `displayName`), alone or as one side
//! of an `and`, is answered from the store's index, which is what IdP lookups before a create need to be fast;
//! every other filter evaluates the protocol crate's compiled [`Matcher`] over the collection.

use crate::faults::lifecycle::{self, Lifecycle};
use crate::faults::resource::{self, Resource};
use crate::faults::{profile, query};
use crate::http::{ScimResult, check_content_type, error_response, method_not_allowed, parse_body, scim_json};
use crate::render::project;
use crate::resources::read_body;
use crate::state::{AppState, Shared};
use crate::store::{Indexed, Kind, Record};
use axum::extract::{Path, Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use scimlab_protocol::ScimError;
use scimlab_protocol::filter::{AttrExp, CompValue, CompareOp, Filter, Matcher, Test};
use scimlab_protocol::list::{ListResponse, Page, Query, SearchRequest};
use scimlab_protocol::projection::Projection;

/// `GET /{type}?filter=...`: the query string is already decoded into pairs.
pub fn list_get(st: &Shared, kind: Kind, pairs: &[(String, String)]) -> Result<Response, ScimError> {
    let q = Query::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    run(st, &[kind], &q)
}

async fn search_body(st: &Shared, req: Request) -> Result<Query, ScimError> {
    let (parts, body) = req.into_parts();
    check_content_type(&parts.headers)?;
    let bytes = read_body(st, body).await?;
    let v = parse_body(&bytes)?;
    Ok(Query::from_search(&SearchRequest::from_json(&v)?))
}

/// `POST /{type}/.search` (RFC 7644 section 3.4.3).
pub async fn search_endpoint(State(st): State<AppState>, Path(endpoint): Path<String>, req: Request) -> Response {
    let st = st.shared();
    let Some(kind) = Kind::from_endpoint(&endpoint) else {
        return error_response(&ScimError::not_found(format!("no resource endpoint /{endpoint}")));
    };
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    if let Err(e) = query::search_supported(st) {
        return error_response(&e);
    }
    let result = async { run(st, &[kind], &search_body(st, req).await?) }.await;
    ScimResult(result).into_response()
}

/// `POST /.search`: a query across every resource type (RFC 7644 section 3.4.3).
pub async fn search_root(State(st): State<AppState>, req: Request) -> Response {
    let st = st.shared();
    if req.method() != Method::POST {
        return method_not_allowed("POST");
    }
    if let Err(e) = query::search_supported(st) {
        return error_response(&e);
    }
    let result = async { run(st, &Kind::ALL, &search_body(st, req).await?) }.await;
    ScimResult(result).into_response()
}

/// One kind's matches: the records, in creation order.
fn matching(st: &Shared, kind: Kind, filter: Option<&Filter>) -> Result<Vec<Record>, ScimError> {
    let view = st.view(kind);
    let Some(f) = filter else {
        let mut all = Vec::with_capacity(st.store.count(kind)?);
        st.store.scan(kind, &mut |r| {
            all.push(r.clone());
            true
        })?;
        return Ok(all);
    };
    let matcher = Matcher::compile(f, &view)?;
    if lifecycle::filters_lag(st) {
        let mut out = Vec::new();
        st.store.scan(kind, &mut |r| {
            if matcher.matches(&lifecycle::as_filter_sees(st, r)) {
                out.push(r.clone());
            }
            true
        })?;
        return Ok(out);
    }
    if let Some((attr, value)) = indexed_eq(kind, f).filter(|_| query::uses_index(st)) {
        let candidates = match attr {
            None => st.store.get(kind, value)?.into_iter().collect(),
            Some(a) => st.store.find(kind, a, value)?,
        };
        let exact = attr == Some(Indexed::UserName) && st.faults.has(Resource::CaseSensitiveUserName);
        let keep = |r: &Record| matcher.matches(&r.resource) && (!exact || resource::user_name_is(r, value));
        return Ok(candidates.into_iter().filter(keep).collect());
    }
    // Resources whose text cannot hold the filter's literals are skipped unseen (crate::prefilter); a deviation
    // that folds case before matching gets no prefilter.
    let need = match query::uses_index(st) {
        true => crate::prefilter::needs(f, &view),
        false => crate::prefilter::Need::Any,
    };
    let mut texts = (!need.is_any()).then(|| st.texts.scan(st.store.count(kind).unwrap_or(0)));
    let folds = st.faults.has(query::Query::FilterCaseExactIgnored);
    let mut out = Vec::new();
    // Chunks of records go through `Matcher::select`, which evaluates them 16 at a time with their memory reads
    // overlapped; a deviation that folds case first matches each folded copy on its own.
    st.store.scan_chunks(kind, &mut |chunk| {
        let candidates = chunk.iter().copied().filter(|r| texts.as_mut().is_none_or(|t| t.holds(&need, r)));
        match folds {
            false => out.extend(matcher.select(candidates, |r| &r.resource).cloned()),
            true => out.extend(candidates.filter(|r| matcher.matches(&query::folded(st, &r.resource))).cloned()),
        }
        true
    })?;
    Ok(out)
}

/// An `eq` on an indexed attribute that every match must satisfy: the filter itself, or either side of a
/// top-level `and`. `None` for the attribute means `id`.
fn indexed_eq(kind: Kind, f: &Filter) -> Option<(Option<Indexed>, &str)> {
    match f {
        Filter::And(a, b) => indexed_eq(kind, a).or_else(|| indexed_eq(kind, b)),
        Filter::Attr(AttrExp { path, test: Test::Compare(CompareOp::Eq, CompValue::String(v)) }) => {
            let core = match (&path.urn, kind) {
                (None, _) => true,
                (Some(u), Kind::User) => u.eq_ignore_ascii_case(scimlab_protocol::schema::USER_URN),
                (Some(u), Kind::Group) => u.eq_ignore_ascii_case(scimlab_protocol::schema::GROUP_URN),
            };
            if !core || path.sub.is_some() {
                return None;
            }
            let n = path.name.as_str();
            let attr = if n.eq_ignore_ascii_case("id") {
                None
            } else if n.eq_ignore_ascii_case("externalId") {
                Some(Indexed::ExternalId)
            } else if kind == Kind::User && n.eq_ignore_ascii_case("userName") {
                Some(Indexed::UserName)
            } else if kind == Kind::Group && n.eq_ignore_ascii_case("displayName") {
                Some(Indexed::DisplayName)
            } else {
                return None;
            };
            Some((attr, v.as_str()))
        }
        _ => None,
    }
}

/// Runs a query over one or more kinds and answers with a ListResponse.
fn run(st: &Shared, kinds: &[Kind], q: &Query) -> Result<Response, ScimError> {
    let filter = match q.filter.as_deref() {
        Some(text) => query::filter(st, &st.view(kinds[0]), text)?,
        None => None,
    };
    let bent = query::query(st, q);
    let q = &*bent;
    let mut page = q.page(Some(st.config.max_results))?;
    if st.faults.has(query::Query::CountIgnored) {
        page.count = Some(st.config.max_results);
    }
    let mut hits: Vec<(Kind, Record)> = Vec::new();
    for &kind in kinds {
        hits.extend(matching(st, kind, filter.as_ref())?.into_iter().map(|r| (kind, r)));
    }
    // Sorting across kinds uses the first kind's schema; a cross-type sortBy is rare and still total.
    let spec = q.sort(&st.view(kinds[0]))?.map(|s| query::sort(st, s));
    if let Some(spec) = spec.filter(|_| !st.faults.has(query::Query::SortIgnored)) {
        let compare = |(_, a): &(Kind, Record), (_, b): &(Kind, Record)| spec.compare(&a.resource, &b.resource);
        match st.faults.has(Lifecycle::SortWithinPage) {
            false => hits.sort_by(compare),
            true => {
                let range = page.range(hits.len());
                lifecycle::sort_within_page(&mut hits, range, |(_, r)| r.version, compare);
            }
        }
    }
    // RFC 7644 section 3.4.2.4 lets a server return fewer results than asked for; clients must page.
    if let Some(c) = page.count.filter(|&c| st.config.vary && c > 1) {
        page.count = Some(st.dice.usize(1..=c));
    }
    hits.retain(|(_, r)| !profile::hides(st, r));
    let total = hits.len();
    if total == 0 && q.filter.is_some() && st.faults.has(query::Query::EmptyList404) {
        return Err(ScimError::not_found("no resource matches the filter"));
    }
    let range = match st.faults.has(query::Query::StartIndexZeroBased) {
        true => Page { start_index: page.start_index.saturating_add(1), ..page }.range(total),
        false => page.range(total),
    };
    let mut resources = Vec::with_capacity(range.len());
    for (kind, record) in &hits[range] {
        let view = st.view(*kind);
        let ignored = st.faults.has(query::Query::AttributesIgnored);
        let projection = if ignored { Projection::default_for(&view) } else { q.projection(&view)? };
        let mut shown = project(st, *kind, record, &projection)?;
        resource::present(st, record, &mut shown);
        query::drop_always(st, q.attributes.as_deref(), q.excluded_attributes.as_deref(), &mut shown);
        resources.push(shown);
    }
    let list = ListResponse::new(total, page.start_index, resources);
    Ok(scim_json(StatusCode::OK, &query::list_json(st, &list, &page)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_protocol::filter;

    #[test]
    fn indexed_lookups_are_recognised() {
        let f = filter::parse(r#"userName eq "a" and active eq true"#).expect("filter");
        assert_eq!(indexed_eq(Kind::User, &f), Some((Some(Indexed::UserName), "a")));
        let f = filter::parse(r#"displayName eq "g""#).expect("filter");
        assert_eq!(indexed_eq(Kind::User, &f), None);
        assert_eq!(indexed_eq(Kind::Group, &f), Some((Some(Indexed::DisplayName), "g")));
        let f = filter::parse(r#"userName eq "a" or userName eq "b""#).expect("filter");
        assert_eq!(indexed_eq(Kind::User, &f), None);
        let f = filter::parse(r#"id eq "x""#).expect("filter");
        assert_eq!(indexed_eq(Kind::Group, &f), Some((None, "x")));
    }
}
