//! RFC 7644 sections 3.4.2 and 3.4.2.4: pagination and the ListResponse message; section 3.4.3: the
//! [`SearchRequest`] body and the query parameters of a GET, as one [`Query`].
//!
//! [`Page`] reads `startIndex` and `count` the way section 3.4.2.4 says (below 1 means 1, negative means 0) and
//! slices a result set; [`ListResponse`] writes the answer (with every member present, `Resources` even when
//! empty, because Microsoft Entra ID refuses a ListResponse without it) and reads a server's answer leniently,
//! reporting each liberty the server took as a [`Deviation`] so the harness can judge it.

mod query;

pub use query::{Query, SearchRequest};

use crate::error::ScimError;
use crate::json::key_ci;
use crate::schema::LIST_RESPONSE_URN;
use serde_json::{Map, Value, json};
use std::fmt;
use std::ops::Range;

/// RFC 7644 section 3.4.2.4: the page a query asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based index of the first result to return.
    pub start_index: usize,
    /// The most results to return; `None` for no limit. `Some(0)` is legal: only `totalResults` is wanted.
    pub count: Option<usize>,
}

impl Default for Page {
    fn default() -> Self {
        Page { start_index: 1, count: None }
    }
}

impl Page {
    /// RFC 7644 section 3.4.2.4: reads the `startIndex` and `count` query parameters. A `startIndex` below 1
    /// is read as 1 and a negative `count` as 0, as the RFC says; a value that is not an integer is a 400
    /// `invalidValue` naming the parameter. An absent or empty parameter takes its default (1; no limit).
    /// `max_results` is the server's page-size ceiling: a larger `count` is clamped to it, and an absent `count`
    /// becomes it (the RFC lets the server set the size when the client does not).
    pub fn from_query(
        start_index: Option<&str>,
        count: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page, ScimError> {
        let start = parse_query_int("startIndex", start_index)?;
        let count = parse_query_int("count", count)?;
        Ok(Page::from_ints(start, count, max_results))
    }

    /// The same rules over integers already parsed (a POST `.search` body carries JSON numbers).
    pub fn from_ints(start_index: Option<i64>, count: Option<i64>, max_results: Option<usize>) -> Page {
        let start_index = start_index.map_or(1, |s| usize::try_from(s.max(1)).unwrap_or(usize::MAX));
        let count = count.map(|c| usize::try_from(c.max(0)).unwrap_or(usize::MAX));
        let count = match (count, max_results) {
            (Some(c), Some(m)) => Some(c.min(m)),
            (None, m) => m,
            (c, None) => c,
        };
        Page { start_index, count }
    }

    /// The indices (0-based) of the results this page holds, out of `total`.
    pub fn range(&self, total: usize) -> Range<usize> {
        let start = (self.start_index - 1).min(total);
        let end = match self.count {
            Some(c) => start.saturating_add(c).min(total),
            None => total,
        };
        start..end
    }

    /// The part of `items` this page holds.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> &'a [T] {
        &items[self.range(items.len())]
    }
}

/// Reads an integer query parameter: optional sign, digits, nothing else; beyond i64 it saturates.
fn parse_query_int(param: &str, text: Option<&str>) -> Result<Option<i64>, ScimError> {
    let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ScimError::invalid_value(format!("{param}: {t:?} is not an integer (RFC 7644 section 3.4.2.4)")));
    }
    Ok(Some(t.parse::<i64>().unwrap_or(if t.starts_with('-') { i64::MIN } else { i64::MAX })))
}

/// RFC 7644 section 3.4.2: a ListResponse.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListResponse {
    /// How many results the query matched in all.
    pub total_results: usize,
    /// How many results this page holds.
    pub items_per_page: usize,
    /// 1-based index of this page's first result.
    pub start_index: usize,
    /// The results of this page.
    pub resources: Vec<Value>,
}

/// Something a server's message did that the RFC does not, which a lenient reader accepted anyway. The harness
/// decides what each is worth (a failed MUST, a warning, or nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    /// Where, as a JSON path: `totalResults`, `Operations[2].status`.
    pub member: String,
    /// What.
    pub kind: DeviationKind,
}

/// The kinds of [`Deviation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviationKind {
    /// An integer came as a JSON string (`"totalResults": "5"`).
    IntegerAsString,
    /// A member the RFC requires here is absent.
    Missing,
    /// The member's name differs in case from the RFC's spelling (legal, since names are case-insensitive, but
    /// some clients, Entra among them, insist on the RFC's spelling).
    NameCase {
        /// The spelling the server used.
        found: String,
    },
    /// `schemas` does not list the message's URN.
    WrongSchema,
    /// A bulk `status` came as a JSON number rather than the string of RFC 7644 section 3.7.3's examples.
    StatusAsNumber,
    /// A bulk `status` came as an object `{"code": ...}`, the form of RFC 7644 section 3.7.2's example (the
    /// RFC shows both forms; its later examples use a plain string).
    StatusAsObject,
    /// The member is present where the RFC says it is not valid (`failOnErrors` in a BulkResponse).
    NotValidHere,
    /// The value contradicts the rest of the message.
    Inconsistent {
        /// How.
        detail: String,
    },
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.member;
        match &self.kind {
            DeviationKind::IntegerAsString => write!(f, "{m}: integer sent as a JSON string"),
            DeviationKind::Missing => write!(f, "{m}: required member is missing"),
            DeviationKind::NameCase { found } => write!(f, "{m}: spelt {found:?}"),
            DeviationKind::WrongSchema => write!(f, "{m}: does not list the message's schema URN"),
            DeviationKind::StatusAsNumber => write!(f, "{m}: status sent as a JSON number, not a string"),
            DeviationKind::StatusAsObject => write!(f, "{m}: status sent as an object with a code"),
            DeviationKind::NotValidHere => write!(f, "{m}: not valid in this message"),
            DeviationKind::Inconsistent { detail } => write!(f, "{m}: {detail}"),
        }
    }
}

impl Deviation {
    /// A deviation at `member`.
    pub fn new(member: impl Into<String>, kind: DeviationKind) -> Self {
        Deviation { member: member.into(), kind }
    }
}

impl ListResponse {
    /// A response holding `resources` as the page starting at `start_index` of `total_results` matches.
    pub fn new(total_results: usize, start_index: usize, resources: Vec<Value>) -> Self {
        ListResponse { total_results, items_per_page: resources.len(), start_index, resources }
    }

    /// RFC 7644 section 3.4.2.4: the page `page` of the whole result set `all`.
    pub fn paginate(mut all: Vec<Value>, page: &Page) -> Self {
        let total = all.len();
        let range = page.range(total);
        let start = range.start;
        all.truncate(range.end);
        all.drain(..start);
        ListResponse::new(total, page.start_index, all)
    }

    /// The message as JSON. Every member is written, `Resources` even when empty.
    pub fn to_json(&self) -> Value {
        json!({
            "schemas": [LIST_RESPONSE_URN],
            "totalResults": self.total_results,
            "itemsPerPage": self.items_per_page,
            "startIndex": self.start_index,
            "Resources": self.resources,
        })
    }

    /// Reads a server's ListResponse leniently; see [`ListResponse::read`]. The deviations are dropped.
    pub fn from_json(v: &Value) -> Result<Self, ScimError> {
        ListResponse::read(v).map(|(l, _)| l)
    }

    /// Reads a server's ListResponse, accepting what can be understood and listing each liberty as a
    /// [`Deviation`]: integers sent as strings, members spelt in another case, a missing or wrong `schemas`, a
    /// missing `totalResults` (taken as the number of resources), a missing `Resources` when `totalResults` is
    /// not 0, missing `startIndex` / `itemsPerPage` on a partial page (RFC 7644 section 3.4.2 requires them
    /// then), and an `itemsPerPage` that is not the number of resources. What cannot be read at all (not an
    /// object, `Resources` not an array, an integer member that is negative or not a number) is a 400
    /// `invalidSyntax` naming the member.
    pub fn read(v: &Value) -> Result<(Self, Vec<Deviation>), ScimError> {
        let Value::Object(obj) = v else {
            return Err(ScimError::invalid_syntax("a ListResponse must be a JSON object"));
        };
        let mut dev = Vec::new();
        check_schemas(obj, LIST_RESPONSE_URN, &mut dev);
        let resources = match member(obj, "Resources", &mut dev) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items.clone()),
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "ListResponse: Resources must be an array, found {}",
                    json_kind(other)
                )));
            }
        };
        let total = read_uint(obj, "totalResults", &mut dev)?;
        let start = read_uint(obj, "startIndex", &mut dev)?;
        let per_page = read_uint(obj, "itemsPerPage", &mut dev)?;
        let n = resources.as_ref().map_or(0, Vec::len);
        let total_results = total.unwrap_or_else(|| {
            dev.push(Deviation::new("totalResults", DeviationKind::Missing));
            n
        });
        if resources.is_none() && total_results > 0 {
            dev.push(Deviation::new("Resources", DeviationKind::Missing));
        }
        let partial = n < total_results;
        if partial && start.is_none() {
            dev.push(Deviation::new("startIndex", DeviationKind::Missing));
        }
        if partial && per_page.is_none() {
            dev.push(Deviation::new("itemsPerPage", DeviationKind::Missing));
        }
        if let Some(p) = per_page.filter(|p| *p != n) {
            let detail = format!("itemsPerPage is {p} but Resources holds {n}");
            dev.push(Deviation::new("itemsPerPage", DeviationKind::Inconsistent { detail }));
        }
        if n > total_results {
            let detail = format!("totalResults is {total_results} but Resources holds {n}");
            dev.push(Deviation::new("totalResults", DeviationKind::Inconsistent { detail }));
        }
        if start == Some(0) {
            let detail = "startIndex is 1-based; 0 is not a valid index".to_owned();
            dev.push(Deviation::new("startIndex", DeviationKind::Inconsistent { detail }));
        }
        let list = ListResponse {
            total_results,
            items_per_page: per_page.unwrap_or(n),
            start_index: start.unwrap_or(1),
            resources: resources.unwrap_or_default(),
        };
        Ok((list, dev))
    }
}

/// Looks a member up case-insensitively, noting a spelling that differs from the RFC's.
pub(crate) fn member<'v>(obj: &'v Map<String, Value>, name: &str, dev: &mut Vec<Deviation>) -> Option<&'v Value> {
    let key = key_ci(obj, name)?;
    if key != name {
        dev.push(Deviation::new(name, DeviationKind::NameCase { found: key.to_owned() }));
    }
    obj.get(key)
}

/// Notes a `schemas` that is missing or does not list `urn`.
pub(crate) fn check_schemas(obj: &Map<String, Value>, urn: &str, dev: &mut Vec<Deviation>) {
    let listed = member(obj, "schemas", dev)
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(urn))));
    if !listed {
        dev.push(Deviation::new("schemas", DeviationKind::WrongSchema));
    }
}

/// Reads a non-negative integer member that may have come as a string. Absent (or null) is `None`.
pub(crate) fn read_uint(
    obj: &Map<String, Value>,
    name: &str,
    dev: &mut Vec<Deviation>,
) -> Result<Option<usize>, ScimError> {
    let bad = |found: &str| ScimError::invalid_syntax(format!("{name} must be a non-negative integer, found {found}"));
    match member(obj, name, dev) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(u) => Ok(Some(usize::try_from(u).unwrap_or(usize::MAX))),
            None => Err(bad(&n.to_string())),
        },
        Some(Value::String(s)) => match s.trim().parse::<u64>() {
            Ok(u) => {
                dev.push(Deviation::new(name, DeviationKind::IntegerAsString));
                Ok(Some(usize::try_from(u).unwrap_or(usize::MAX)))
            }
            Err(_) => Err(bad(&format!("{s:?}"))),
        },
        Some(other) => Err(bad(json_kind(other))),
    }
}

/// The JSON type of a value, for error details.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_integers() {
        assert_eq!(parse_query_int("count", Some(" 10 ")), Ok(Some(10)));
        assert_eq!(parse_query_int("count", Some("-3")), Ok(Some(-3)));
        assert_eq!(parse_query_int("count", Some("99999999999999999999")), Ok(Some(i64::MAX)));
        assert_eq!(parse_query_int("count", Some("")), Ok(None));
        for bad in ["1.5", "ten", "-", "+", "1e3", "0x10"] {
            let e = parse_query_int("count", Some(bad)).expect_err(bad);
            assert!(e.detail.starts_with("count:"), "{}", e.detail);
        }
    }

    #[test]
    fn range_is_clamped() {
        let p = Page { start_index: 5, count: Some(10) };
        assert_eq!(p.range(3), 3..3);
        assert_eq!(p.range(8), 4..8);
        assert_eq!(Page { start_index: 1, count: Some(usize::MAX) }.range(4), 0..4);
    }
}
