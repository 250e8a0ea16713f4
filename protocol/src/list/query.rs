//! RFC 7644 sections 3.4.2 and 3.4.3: the query of a GET (URL parameters) or a POST `.search` (a SearchRequest
//! body), in one shape, [`Query`], that a server evaluates the same way for both.
//!
//! Decisions where the RFC leaves room:
//!
//! - Query parameter names are matched case-insensitively (`startindex=` works). The RFC makes attribute names
//!   case-insensitive but says nothing of parameter names; accepting any case costs nothing and no client is
//!   hurt by it. Unknown parameters are ignored, as section 3.4.2 asks.
//! - A parameter given twice: the list-valued ones (`attributes`, `excludedAttributes`) are joined, as if the
//!   lists had been written as one; any other is a 400 `invalidValue`, since there is no telling which was meant.
//! - An empty parameter (`filter=`) counts as absent.
//! - `sortOrder` without `sortBy` is ignored: the RFC defines it only as the direction of `sortBy`.
//! - A SearchRequest body must list the SearchRequest URN in `schemas` (section 3.4.3 says requests MUST be
//!   identified by it); without it, and for members of the wrong JSON type, the answer is a 400 `invalidSyntax`.
//!   Integers must be JSON numbers there (a string is `invalidSyntax`); unknown members are ignored.

use crate::error::ScimError;
use crate::json::get_ci;
use crate::list::{Page, json_kind};
use crate::projection::Projection;
use crate::schema::{ResourceView, SEARCH_REQUEST_URN};
use crate::sort::SortSpec;
use serde_json::{Map, Value, json};

/// RFC 7644 section 3.4.3: the body of a POST `.search`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRequest {
    /// Attributes to return (standard attribute notation).
    pub attributes: Vec<String>,
    /// Attributes to leave out of the default set.
    pub excluded_attributes: Vec<String>,
    /// Filter text (section 3.4.2.2).
    pub filter: Option<String>,
    /// Attribute to sort by.
    pub sort_by: Option<String>,
    /// `ascending` or `descending`.
    pub sort_order: Option<String>,
    /// 1-based index of the first result, as sent (section 3.4.2.4 says how values below 1 are read).
    pub start_index: Option<i64>,
    /// Page size, as sent.
    pub count: Option<i64>,
}

impl SearchRequest {
    /// Reads a SearchRequest body; see the module documentation for what is refused.
    pub fn from_json(v: &Value) -> Result<SearchRequest, ScimError> {
        let Value::Object(obj) = v else {
            return Err(ScimError::invalid_syntax("SearchRequest: the body must be a JSON object"));
        };
        let listed = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(SEARCH_REQUEST_URN))));
        if !listed {
            return Err(ScimError::invalid_syntax(format!(
                "SearchRequest: schemas must list {SEARCH_REQUEST_URN} (RFC 7644 section 3.4.3)"
            )));
        }
        Ok(SearchRequest {
            attributes: string_list(obj, "attributes")?,
            excluded_attributes: string_list(obj, "excludedAttributes")?,
            filter: string(obj, "filter")?,
            sort_by: string(obj, "sortBy")?,
            sort_order: string(obj, "sortOrder")?,
            start_index: integer(obj, "startIndex")?,
            count: integer(obj, "count")?,
        })
    }

    /// The body as JSON, with only the members that are set.
    pub fn to_json(&self) -> Value {
        let mut v = json!({ "schemas": [SEARCH_REQUEST_URN] });
        if !self.attributes.is_empty() {
            v["attributes"] = json!(self.attributes);
        }
        if !self.excluded_attributes.is_empty() {
            v["excludedAttributes"] = json!(self.excluded_attributes);
        }
        for (name, value) in [("filter", &self.filter), ("sortBy", &self.sort_by), ("sortOrder", &self.sort_order)] {
            if let Some(s) = value {
                v[name] = json!(s);
            }
        }
        for (name, value) in [("startIndex", self.start_index), ("count", self.count)] {
            if let Some(n) = value {
                v[name] = json!(n);
            }
        }
        v
    }
}

fn present<'v>(obj: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    get_ci(obj, name).filter(|v| !v.is_null())
}

fn wrong_type(name: &str, expected: &str, found: &Value) -> ScimError {
    ScimError::invalid_syntax(format!("SearchRequest: {name} must be {expected}, found {}", json_kind(found)))
}

fn string_list(obj: &Map<String, Value>, name: &str) -> Result<Vec<String>, ScimError> {
    match present(obj, name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| wrong_type(name, "an array of strings", i)))
            .collect(),
        Some(other) => Err(wrong_type(name, "an array of strings", other)),
    }
}

fn string(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, ScimError> {
    match present(obj, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(wrong_type(name, "a string", other)),
    }
}

fn integer(obj: &Map<String, Value>, name: &str) -> Result<Option<i64>, ScimError> {
    match present(obj, name) {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.is_u64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, true) => Ok(Some(i64::MAX)),
            (None, false) => Err(wrong_type(name, "an integer", &Value::Number(n.clone()))),
        },
        Some(other) => Err(wrong_type(name, "an integer", other)),
    }
}

/// The query of a GET or a POST `.search`, as text, before it is checked against a schema.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// `filter`.
    pub filter: Option<String>,
    /// `attributes`, comma-separated.
    pub attributes: Option<String>,
    /// `excludedAttributes`, comma-separated.
    pub excluded_attributes: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortOrder`.
    pub sort_order: Option<String>,
    /// `startIndex`, as sent.
    pub start_index: Option<String>,
    /// `count`, as sent.
    pub count: Option<String>,
}

/// The parameters a Query knows, in their RFC spelling.
const PARAMS: [&str; 7] = ["filter", "attributes", "excludedAttributes", "sortBy", "sortOrder", "startIndex", "count"];

impl Query {
    /// Reads URL query pairs, already percent-decoded. See the module documentation for names, repeats and
    /// empty values.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Query, ScimError> {
        let mut q = Query::default();
        for (name, value) in pairs {
            let Some(canonical) = PARAMS.iter().find(|p| p.eq_ignore_ascii_case(name)) else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let list_valued = matches!(*canonical, "attributes" | "excludedAttributes");
            let slot = q.slot(canonical);
            match slot {
                Some(existing) if list_valued => {
                    existing.push(',');
                    existing.push_str(value);
                }
                Some(_) => {
                    return Err(ScimError::invalid_value(format!(
                        "query parameter {canonical} is given more than once"
                    )));
                }
                None => *slot = Some(value.to_owned()),
            }
        }
        Ok(q)
    }

    /// The same query from a SearchRequest body (RFC 7644 section 3.4.3).
    pub fn from_search(req: &SearchRequest) -> Query {
        let list = |l: &[String]| (!l.is_empty()).then(|| l.join(","));
        let text = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Query {
            filter: text(&req.filter),
            attributes: list(&req.attributes),
            excluded_attributes: list(&req.excluded_attributes),
            sort_by: text(&req.sort_by),
            sort_order: text(&req.sort_order),
            start_index: req.start_index.map(|n| n.to_string()),
            count: req.count.map(|n| n.to_string()),
        }
    }

    /// The query as URL pairs (not yet percent-encoded), in the RFC's spelling, for a client building a GET.
    pub fn to_pairs(&self) -> Vec<(&'static str, &str)> {
        PARAMS
            .iter()
            .zip([
                &self.filter,
                &self.attributes,
                &self.excluded_attributes,
                &self.sort_by,
                &self.sort_order,
                &self.start_index,
                &self.count,
            ])
            .filter_map(|(name, v)| v.as_deref().map(|v| (*name, v)))
            .collect()
    }

    fn slot(&mut self, canonical: &str) -> &mut Option<String> {
        match canonical {
            "filter" => &mut self.filter,
            "attributes" => &mut self.attributes,
            "excludedAttributes" => &mut self.excluded_attributes,
            "sortBy" => &mut self.sort_by,
            "sortOrder" => &mut self.sort_order,
            "startIndex" => &mut self.start_index,
            _ => &mut self.count,
        }
    }

    /// The projection the query asks for (RFC 7644 section 3.9).
    pub fn projection(&self, view: &ResourceView<'_>) -> Result<Projection, ScimError> {
        Projection::parse(self.attributes.as_deref(), self.excluded_attributes.as_deref(), view)
    }

    /// The sort the query asks for, if any (RFC 7644 section 3.4.2.3).
    pub fn sort(&self, view: &ResourceView<'_>) -> Result<Option<SortSpec>, ScimError> {
        self.sort_by.as_deref().map(|by| SortSpec::parse(by, self.sort_order.as_deref(), view)).transpose()
    }

    /// The page the query asks for (RFC 7644 section 3.4.2.4), with the server's ceiling.
    pub fn page(&self, max_results: Option<usize>) -> Result<Page, ScimError> {
        Page::from_query(self.start_index.as_deref(), self.count.as_deref(), max_results)
    }
}
