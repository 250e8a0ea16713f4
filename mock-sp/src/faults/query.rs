//! The query deviations (`--fault filter-or-as-and`, `total-results-page-size`, `excluded-ignored`, ...): how a
//! query handler bends the rules of RFC 7644 sections 3.4.2 to 3.4.3 and 3.9 when told to, so that the harness
//! can show each check of those sections failing.
//!
//! Each function is the identity unless its deviation is on; the handlers in [`crate::list`] and
//! [`crate::resources`] call them at one point each, and check the one-line deviations (`count-ignored`,
//! `sort-ignored`, ...) themselves. Every deviation breaks one rule: filters are rewritten (a
//! broken server's reading of the same text), refused, or dropped; ListResponse integers and projections are
//! altered after the correct answer is computed.

use super::Faults;
use crate::state::Shared;
use crate::store::{Indexed, Kind};
use scimlab_protocol::ScimError;
use scimlab_protocol::filter::{self, AttrExp, AttrPath, CompValue, CompareOp, Filter, Matcher, Test, ValuePath};
use scimlab_protocol::list::{self, ListResponse, Page};
use scimlab_protocol::schema::ResourceView;
use scimlab_protocol::sort::SortSpec;
use serde_json::Value;
use std::borrow::Cow;

family! {
    /// The deviations of queries: filters, sorting, paging, projections and the ListResponse.
    pub enum Query {
        /// Filters are ignored.
        FilterIgnored = "filter-ignored": "filters are accepted but every resource is returned",
        /// sortBy is ignored.
        SortIgnored = "sort-ignored": "sortBy and sortOrder are accepted but results keep creation order",
        /// startIndex off by one.
        StartIndexZeroBased = "startindex-zero-based": "startIndex is read as 0-based, so startIndex=1 skips the first result",
        /// An empty filter result is 404.
        EmptyList404 = "empty-list-404": "a filter that matches nothing is answered 404 instead of an empty ListResponse",
        /// count ignored.
        CountIgnored = "count-ignored": "count is ignored: every page holds up to filter.maxResults resources",
        /// Projection ignored.
        AttributesIgnored = "attributes-ignored": "attributes and excludedAttributes are ignored",
        /// `or` read as `and`.
        FilterOrAsAnd = "filter-or-as-and": "or in a filter is evaluated as and",
        /// `not` dropped.
        FilterNotIgnored = "filter-not-ignored": "not (...) in a filter is evaluated as its operand, without the negation",
        /// No precedence between and / or.
        FilterPrecedenceIgnored = "filter-precedence-ignored": "and / or are read left to right: a or b and c is evaluated as (a or b) and c",
        /// Value paths refused.
        FilterValuePathUnsupported = "filter-valuepath-unsupported": "filters with a value path (emails[type eq \"work\"]) are refused with 400 invalidFilter",
        /// dateTime offsets dropped.
        FilterDatetimeOffsetIgnored = "filter-datetime-offset-ignored": "dateTime literals in filters lose their UTC offset (T11:00:00+01:00 is read as T11:00:00Z)",
        /// Invalid filters ignored.
        FilterInvalidAccepted = "filter-invalid-accepted": "a filter that does not parse or type-check is ignored (200 with every resource) instead of 400 invalidFilter",
        /// Upper-case operators refused.
        FilterKeywordsCaseSensitive = "filter-keywords-case-sensitive": "filter operators and logical keywords must be lowercase: EQ and AND are refused with 400 invalidFilter",
        /// caseExact ignored in filters.
        FilterCaseExactIgnored = "filter-case-exact-ignored": "filters compare every string case-insensitively, caseExact attributes (id, externalId) included",
        /// sortOrder ignored.
        SortOrderIgnored = "sort-order-ignored": "sortOrder is ignored: results are always in ascending order",
        /// Case-sensitive sorting.
        SortCaseExact = "sort-case-exact": "sortBy orders strings case-sensitively even where caseExact is false",
        /// No .search.
        SearchUnsupported = "search-unsupported": "POST /.search and POST /{type}/.search answer 501",
        /// totalResults is the page size.
        TotalResultsPageSize = "total-results-page-size": "totalResults is the number of resources on the page, not the number that matched",
        /// itemsPerPage is the count asked for.
        ItemsPerPageIsCount = "items-per-page-is-count": "itemsPerPage is the page size asked for (or the server's maximum), not the number of resources returned",
        /// ListResponse integers as strings.
        IntegersAsStrings = "integers-as-strings": "totalResults, itemsPerPage and startIndex of a ListResponse are JSON strings",
        /// excludedAttributes ignored.
        ExcludedIgnored = "excluded-ignored": "excludedAttributes is ignored (attributes is honoured)",
        /// returned: always attributes dropped.
        ReturnedAlwaysDropped = "returned-always-dropped": "attributes / excludedAttributes can remove id, whose returned is always",
        /// Filters on most attributes match nothing.
        FilterPartial = "filter-partial": "filters work on userName and id only: a comparison on any other attribute (externalId, displayName, members[...]) silently matches nothing (200, empty list)",
        /// The IdPs' lookup compares case-exactly.
        LookupCaseSensitive = "lookup-case-sensitive": "a bare userName eq \"x\" filter (the lookup IdPs send) compares case-exactly; compound filters still ignore case",
    }
}

/// The filter a query runs with: the parsed `text` (400 `invalidFilter` when it does not parse), or what a
/// deviation makes of it: `None` when it is ignored (`filter-ignored`, or `filter-invalid-accepted` for a filter
/// that does not parse or type-check against `view`), a refusal (`filter-keywords-case-sensitive`,
/// `filter-valuepath-unsupported`), or a rewritten tree (the other filter deviations).
pub fn filter(st: &Shared, view: &ResourceView<'_>, text: &str) -> Result<Option<Filter>, ScimError> {
    let f = &st.faults;
    if f.has(Query::FilterKeywordsCaseSensitive) {
        refuse_capital_keywords(text)?;
    }
    let parsed = match filter::parse(text) {
        Ok(p) => p,
        Err(_) if f.has(Query::FilterInvalidAccepted) => return Ok(None),
        Err(e) => return Err(e.to_scim()),
    };
    let ill_typed = || Matcher::compile(&parsed, view).is_err();
    if f.has(Query::FilterIgnored) || (f.has(Query::FilterInvalidAccepted) && ill_typed()) {
        return Ok(None);
    }
    if f.has(Query::FilterValuePathUnsupported) && has_value_path(&parsed) {
        return Err(ScimError::invalid_filter("value filters (attr[...]) are not supported by this server"));
    }
    if f.has(Query::LookupCaseSensitive)
        && view.resource_type.name.eq_ignore_ascii_case("User")
        && let Some(name) = bare_user_name_eq(&parsed)
    {
        return exact_user_name(st, name).map(Some);
    }
    let bent = bend(f, parsed);
    Ok(Some(if f.has(Query::FilterPartial) { partial(bent) } else { bent }))
}

/// `lookup-case-sensitive`: the value of a filter that is one `userName eq "value"` and nothing else (the lookup
/// IdPs send).
fn bare_user_name_eq(f: &Filter) -> Option<&str> {
    match f {
        Filter::Attr(AttrExp { path, test: Test::Compare(CompareOp::Eq, CompValue::String(v)) })
            if path.sub.is_none() && path.name.eq_ignore_ascii_case("userName") =>
        {
            Some(v)
        }
        _ => None,
    }
}

/// `lookup-case-sensitive`: the bare lookup answered from a case-exact path, as servers with a fast path for
/// the IdPs' lookup do: the filter becomes `id eq` the Users whose userName is `name` exactly (none matches when
/// there is none).
fn exact_user_name(st: &Shared, name: &str) -> Result<Filter, ScimError> {
    let exact = st.store.find(Kind::User, Indexed::UserName, name)?;
    let by_id = |id: &str| {
        Filter::Attr(AttrExp {
            path: AttrPath::simple("id"),
            test: Test::Compare(CompareOp::Eq, CompValue::String(id.to_owned())),
        })
    };
    Ok(exact
        .iter()
        .filter(|r| super::resource::user_name_is(r, name))
        .map(|r| by_id(&r.id))
        .reduce(|a, b| Filter::Or(Box::new(a), Box::new(b)))
        .unwrap_or_else(nothing))
}

/// A filter no resource matches: `not (id pr)` (every resource has an id).
fn nothing() -> Filter {
    Filter::Not(Box::new(Filter::Attr(AttrExp { path: AttrPath::simple("id"), test: Test::Present })))
}

/// `filter-partial`: the tree as a server that filters only on userName and id reads it: every other
/// comparison, value paths included, matches nothing.
fn partial(tree: Filter) -> Filter {
    match tree {
        Filter::Attr(a)
            if a.path.sub.is_none() && ["userName", "id"].iter().any(|n| a.path.name.eq_ignore_ascii_case(n)) =>
        {
            Filter::Attr(a)
        }
        Filter::Attr(_) | Filter::ValuePath(_) => nothing(),
        Filter::And(a, b) => Filter::And(Box::new(partial(*a)), Box::new(partial(*b))),
        Filter::Or(a, b) => Filter::Or(Box::new(partial(*a)), Box::new(partial(*b))),
        Filter::Not(a) => Filter::Not(Box::new(partial(*a))),
    }
}

/// `filter-case-exact-ignored`: whether equality lookups may use the store's (case-exact) indexes.
pub fn uses_index(st: &Shared) -> bool {
    !st.faults.has(Query::FilterCaseExactIgnored)
}

/// `filter-case-exact-ignored`: the resource a filter is evaluated on, with every string lowercased (the filter's
/// literals are lowercased by [`filter()`]), so that every comparison ignores case.
pub fn folded<'a>(st: &Shared, resource: &'a Value) -> Cow<'a, Value> {
    if st.faults.has(Query::FilterCaseExactIgnored) { Cow::Owned(lowercase(resource)) } else { Cow::Borrowed(resource) }
}

/// `sort-order-ignored` (always ascending) and `sort-case-exact` (strings compared case-sensitively).
pub fn sort(st: &Shared, spec: SortSpec) -> SortSpec {
    let f = &st.faults;
    SortSpec {
        descending: spec.descending && !f.has(Query::SortOrderIgnored),
        case_exact: spec.case_exact || f.has(Query::SortCaseExact),
        ..spec
    }
}

/// `search-unsupported`: POST `.search` answered 501.
pub fn search_supported(st: &Shared) -> Result<(), ScimError> {
    match st.faults.has(Query::SearchUnsupported) {
        true => Err(ScimError::new(501, "POST .search is not implemented by this server")),
        false => Ok(()),
    }
}

/// `excluded-ignored`: the query with its `excludedAttributes` dropped.
pub fn query<'a>(st: &Shared, q: &'a list::Query) -> Cow<'a, list::Query> {
    if st.faults.has(Query::ExcludedIgnored) && q.excluded_attributes.is_some() {
        Cow::Owned(list::Query { excluded_attributes: None, ..q.clone() })
    } else {
        Cow::Borrowed(q)
    }
}

/// `excluded-ignored`: URL query pairs without `excludedAttributes`.
pub fn pairs<'a>(st: &Shared, pairs: &'a [(String, String)]) -> Cow<'a, [(String, String)]> {
    if st.faults.has(Query::ExcludedIgnored) {
        Cow::Owned(pairs.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("excludedAttributes")).cloned().collect())
    } else {
        Cow::Borrowed(pairs)
    }
}

/// `returned-always-dropped`: removes `id` (returned: always) from a projected resource when `attributes` does
/// not name it or `excludedAttributes` does.
pub fn drop_always(st: &Shared, attributes: Option<&str>, excluded: Option<&str>, body: &mut Value) {
    if !st.faults.has(Query::ReturnedAlwaysDropped) {
        return;
    }
    let names = |list: Option<&str>| -> Vec<String> {
        list.unwrap_or("").split(',').map(|n| n.trim().to_ascii_lowercase()).filter(|n| !n.is_empty()).collect()
    };
    let (attrs, excl) = (names(attributes), names(excluded));
    let named = |list: &[String]| list.iter().any(|n| n == "id" || n.ends_with(":id"));
    let drop = (!attrs.is_empty() && !named(&attrs)) || named(&excl);
    if let Some(o) = body.as_object_mut().filter(|_| drop) {
        o.remove("id");
    }
}

/// The ListResponse as JSON, bent by `total-results-page-size`, `items-per-page-is-count` and
/// `integers-as-strings`.
pub fn list_json(st: &Shared, list: &ListResponse, page: &Page) -> Value {
    let mut v = list.to_json();
    let f = &st.faults;
    if f.has(Query::TotalResultsPageSize) {
        v["totalResults"] = Value::from(list.resources.len());
    }
    if f.has(Query::ItemsPerPageIsCount) {
        v["itemsPerPage"] = Value::from(page.count.unwrap_or(st.config.max_results));
    }
    if f.has(Query::IntegersAsStrings) {
        for key in ["totalResults", "itemsPerPage", "startIndex"] {
            let text = v[key].to_string();
            v[key] = Value::String(text);
        }
    }
    v
}

/// `filter-keywords-case-sensitive`: refuses an operator or logical keyword written in anything but lowercase
/// (outside string literals), as servers with a case-sensitive grammar do.
fn refuse_capital_keywords(text: &str) -> Result<(), ScimError> {
    const KEYWORDS: [&str; 13] = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr", "and", "or", "not"];
    let mut outside = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, _, '"') => {
                in_string = !in_string;
                outside.push(' ');
            }
            (true, false, _) => {}
            (false, _, '(' | ')' | '[' | ']') => outside.push(' '),
            (false, _, c) => outside.push(c),
        }
    }
    match outside.split_whitespace().find(|w| KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w) && k != w)) {
        Some(w) => Err(ScimError::invalid_filter(format!("unknown operator {w:?}: operators are lowercase here"))),
        None => Ok(()),
    }
}

fn has_value_path(f: &Filter) -> bool {
    match f {
        Filter::ValuePath(_) => true,
        Filter::And(a, b) | Filter::Or(a, b) => has_value_path(a) || has_value_path(b),
        Filter::Not(a) => has_value_path(a),
        Filter::Attr(_) => false,
    }
}

/// The tree as a server with the deviations on reads it.
fn bend(f: &Faults, tree: Filter) -> Filter {
    match tree {
        Filter::Not(a) if f.has(Query::FilterNotIgnored) => bend(f, *a),
        Filter::Not(a) => Filter::Not(Box::new(bend(f, *a))),
        Filter::And(a, b) => Filter::And(Box::new(bend(f, *a)), Box::new(bend(f, *b))),
        Filter::Or(a, b) => {
            let (a, b) = (bend(f, *a), bend(f, *b));
            match b {
                _ if f.has(Query::FilterOrAsAnd) => Filter::And(Box::new(a), Box::new(b)),
                // Left to right: `a or (b and c)` becomes `(a or b) and c`.
                Filter::And(b, c) if f.has(Query::FilterPrecedenceIgnored) => {
                    Filter::And(Box::new(Filter::Or(Box::new(a), b)), c)
                }
                b => Filter::Or(Box::new(a), Box::new(b)),
            }
        }
        Filter::Attr(AttrExp { path, test: Test::Compare(op, CompValue::String(s)) }) => {
            let s = if f.has(Query::FilterDatetimeOffsetIgnored) { drop_offset(s) } else { s };
            let s = if f.has(Query::FilterCaseExactIgnored) { s.to_lowercase() } else { s };
            Filter::Attr(AttrExp { path, test: Test::Compare(op, CompValue::String(s)) })
        }
        Filter::ValuePath(ValuePath { attr, filter, then }) => {
            Filter::ValuePath(ValuePath { attr, filter: Box::new(bend(f, *filter)), then })
        }
        other => other,
    }
}

/// `2024-05-01T11:00:00.123+01:00` → `2024-05-01T11:00:00.123Z`: the offset dropped, the wall time kept.
fn drop_offset(s: String) -> String {
    let b = s.as_bytes();
    let n = b.len();
    let offset = n > 16
        && s.contains('T')
        && matches!(b[n - 6], b'+' | b'-')
        && b[n - 3] == b':'
        && [n - 5, n - 4, n - 2, n - 1].iter().all(|&i| b[i].is_ascii_digit());
    if offset { format!("{}Z", &s[..n - 6]) } else { s }
}

fn lowercase(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Array(a) => Value::Array(a.iter().map(lowercase).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), lowercase(v))).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(d: Query) -> Faults {
        Faults::new(&[crate::faults::Fault::Deviation(d.into())])
    }

    fn bent(d: Query, text: &str) -> String {
        bend(&faults(d), filter::parse(text).expect("filter")).to_string()
    }

    #[test]
    fn rewrites_read_the_filter_as_a_broken_server_would() {
        let p = |t: &str| filter::parse(t).expect("filter").to_string();
        assert_eq!(bent(Query::FilterOrAsAnd, r#"a eq "1" or b eq "2""#), p(r#"a eq "1" and b eq "2""#));
        assert_eq!(bent(Query::FilterNotIgnored, r#"not (a eq "1")"#), p(r#"a eq "1""#));
        assert_eq!(
            bent(Query::FilterPrecedenceIgnored, r#"a eq "1" or b eq "2" and c eq "3""#),
            p(r#"(a eq "1" or b eq "2") and c eq "3""#)
        );
        assert_eq!(
            bent(Query::FilterDatetimeOffsetIgnored, r#"meta.created gt "2024-05-01T11:00:00.5+01:00""#),
            p(r#"meta.created gt "2024-05-01T11:00:00.5Z""#)
        );
        assert_eq!(bent(Query::SortIgnored, r#"not (a eq "1" or b eq "2")"#), p(r#"not (a eq "1" or b eq "2")"#));
    }

    #[test]
    fn partial_filters_keep_user_name_and_id_only() {
        let p = |t: &str| partial(filter::parse(t).expect("filter")).to_string();
        let none = nothing().to_string();
        assert_eq!(p(r#"userName eq "a""#), filter::parse(r#"userName eq "a""#).expect("f").to_string());
        assert_eq!(p(r#"externalId eq "a""#), none);
        assert_eq!(p(r#"members[value eq "1"]"#), none);
        assert_eq!(p(r#"id eq "1" and displayName eq "g""#), format!("id eq \"1\" and {none}"));
        assert_eq!(bare_user_name_eq(&filter::parse(r#"USERNAME eq "A""#).expect("f")), Some("A"));
        assert_eq!(bare_user_name_eq(&filter::parse(r#"userName eq "a" and title pr"#).expect("f")), None);
        assert_eq!(bare_user_name_eq(&filter::parse(r#"name.userName eq "a""#).expect("f")), None);
    }

    #[test]
    fn capital_keywords_are_found_outside_strings_only() {
        assert!(refuse_capital_keywords(r#"userName EQ "x""#).is_err());
        assert!(refuse_capital_keywords(r#"(a eq "1") AND b pr"#).is_err());
        assert!(refuse_capital_keywords(r#"userName eq "EQ \" AND""#).is_ok());
        assert!(refuse_capital_keywords(r#"emails[type eq "work"]"#).is_ok());
    }
}
