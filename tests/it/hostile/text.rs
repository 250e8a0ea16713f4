//! Text helpers of the hostile server: percent-encoding (RFC 3986), query strings, quoted filter values and
//! the run prefix in scimlab's names.

use serde_json::Value;
use std::collections::HashMap;

/// `scimlab-1a2b3c4d-` from `scimlab-1a2b3c4d-user-3`: the run prefix a name carries.
pub fn run_prefix(name: &str) -> Option<String> {
    let mut dashes = name.match_indices('-');
    let (_, _) = dashes.next()?;
    let (second, _) = dashes.next()?;
    name.starts_with("scimlab-").then(|| name[..=second].to_owned())
}

/// The first `"…"` string of a filter, unescaped.
pub fn first_quoted(filter: &str) -> Option<String> {
    let start = filter.find('"')? + 1;
    let mut out = String::new();
    let mut chars = filter[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// A query string's parameters, decoded.
pub fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(&k.replace('+', " ")), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// The parameters of a POST .search body, as strings.
pub fn search_params(body: &[u8]) -> HashMap<String, String> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    ["filter", "startIndex", "count"]
        .into_iter()
        .filter_map(|k| {
            let x = v.get(k)?;
            Some((k.to_owned(), x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string())))
        })
        .collect()
}

/// Every byte outside RFC 3986's unreserved set, as `%XX`.
pub fn percent_encode(s: &str) -> String {
    scimlab_protocol::uri::percent_encode(s)
}

/// `%XX` sequences decoded (invalid ones kept as they are); invalid UTF-8 replaced.
pub fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}
