//! Captured traffic as a scenario: what clients sent to `scimlab serve` (its recordings) turned into a file of
//! `request` steps that `scimlab replay FILE` sends again, byte for byte, to any server.
//!
//! Each recorded exchange becomes one step: its method, the path after the SCIM base URL, the query text as
//! sent, the headers in order and the body as sent, with the status the client got as the step's expectation.
//! A create answered 201 with an `id` gets a variable (`user-1`, `group-1`), and every later place the id
//! appears (a path segment, the query, a body) is written `${user-1}`, so the replay fills in the id its own
//! create got. The credential, `Host`, `Content-Length`, `Connection` and `Transfer-Encoding` are left out: the
//! replaying client sends its own.
//!
//! Left out, with a note each: exchanges not addressed to a SCIM endpoint, exchanges with no response, bodies the
//! recorder cut short, and text that already holds a `${name}` reference (it would read as a variable).

use super::model::{Action, CapturedRequest, Expectations, Scenario, Step, variables_in};
use scimlab_protocol::exchange::Exchange;
use serde_json::Value;

/// The last path segment of each SCIM endpoint (RFC 7644 section 3.2), lowercased: where the base URL ends.
const ENDPOINTS: [&str; 8] =
    ["users", "groups", "bulk", "me", "schemas", "serviceproviderconfig", "resourcetypes", ".search"];

/// Headers the replaying client writes itself.
const LEFT_OUT: [&str; 5] = ["authorization", "host", "content-length", "connection", "transfer-encoding"];

/// Ids shorter than this are only replaced where they stand alone (a path segment, a whole JSON string): a
/// short id such as `7` also appears inside unrelated values.
const SUBSTRING_ID_LEN: usize = 8;

/// A captured scenario and what could not go in it.
#[derive(Debug)]
pub struct Exported {
    /// The scenario.
    pub scenario: Scenario,
    /// One line per exchange left out, or per thing the replay cannot reproduce.
    pub notes: Vec<String>,
}

/// The scenario `name` made of `exchanges` (recording sequence number, exchange), oldest first.
pub fn from_exchanges<'a>(name: &str, exchanges: impl IntoIterator<Item = (u64, &'a Exchange)>) -> Exported {
    let mut notes = Vec::new();
    let mut steps = Vec::new();
    // (variable, id), in the order the creates answered.
    let mut variables: Vec<(String, String)> = Vec::new();
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut schemes: Vec<String> = Vec::new();
    for (seq, e) in exchanges {
        let (path, query) = split_target(&e.request.url);
        let Some(rel) = relative(&path) else {
            notes.push(format!("#{seq} {} {path}: left out, not addressed to a SCIM endpoint", e.request.method));
            continue;
        };
        let Some(resp) = &e.response else {
            notes.push(format!("#{seq} {} {rel}: left out, the client got no response", e.request.method));
            continue;
        };
        if e.error.as_deref().is_some_and(|n| n.contains("only its first")) {
            notes.push(format!("#{seq} {} {rel}: left out, its body was recorded only in part", e.request.method));
            continue;
        }
        let texts = [Some(rel.as_str()), query.as_deref(), e.request.body.as_deref()];
        if texts.iter().flatten().any(|t| !variables_in(t).is_empty()) {
            notes.push(format!(
                "#{seq} {} {rel}: left out, it holds text of the form ${{name}}, which a scenario reads as a variable",
                e.request.method
            ));
            continue;
        }
        let mut headers = Vec::new();
        for (n, v) in &e.request.headers {
            let lower = n.to_ascii_lowercase();
            if lower == "authorization" {
                let scheme = v.split(' ').next().unwrap_or_default().to_owned();
                if !schemes.contains(&scheme) {
                    schemes.push(scheme);
                }
            }
            if !LEFT_OUT.contains(&lower.as_str()) {
                headers.push(format!("{n}: {v}"));
            }
        }
        let method = e.request.method.to_ascii_uppercase();
        let mut r = CapturedRequest {
            method: method.clone(),
            path: rel.clone(),
            query: query.clone(),
            headers,
            body: e.request.body.clone(),
            status: vec![resp.status],
            capture_id: None,
        };
        for (var, id) in &variables {
            substitute(&mut r, var, id);
        }
        let created = (method == "POST" && resp.status == 201 && is_collection(&rel))
            .then(|| resp.body.as_deref().and_then(|b| serde_json::from_str::<Value>(b).ok()))
            .flatten()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
            .filter(|id| !id.is_empty());
        if let Some(id) = created {
            let kind = rel.trim_start_matches('/').to_ascii_lowercase();
            let kind = kind.strip_suffix('s').unwrap_or(&kind).to_owned();
            let n = counts.entry(kind.clone()).or_insert(0);
            *n += 1;
            let var = format!("{kind}-{n}");
            r.capture_id = Some(var.clone());
            variables.push((var, id));
        }
        if rel.eq_ignore_ascii_case("/Bulk") && method == "POST" {
            notes.push(format!(
                "#{seq} POST /Bulk: ids the bulk operations created are not captured; later requests that name them \
                 keep the captured ids, and the replay does not send writes to them"
            ));
        }
        let ua = e.request.header("user-agent").filter(|u| !u.is_empty()).unwrap_or("no User-Agent");
        let target = match &query {
            Some(q) => format!("{rel}?{q}"),
            None => rel.clone(),
        };
        steps.push(Step {
            id: format!("{:03}-{}-{}", steps.len() + 1, method.to_ascii_lowercase(), slug(&rel)),
            about: Some(format!(
                "#{seq} {method} {target} from {} ({ua}) at {}; the client got {}",
                e.client.as_deref().unwrap_or("an unknown address"),
                e.started_at,
                resp.status
            )),
            action: Action::Request(r),
            expect: Expectations::default(),
        });
    }
    if !schemes.is_empty() {
        notes.push(format!(
            "the client authenticated with {}; the replay sends its own credential (--token, --basic, --header)",
            schemes.join(", ")
        ));
    }
    let described = format!(
        "{} requests a client sent to scimlab serve, captured with `scimlab recordings export --format scenario`; \
         each is sent again as it was, with the ids the server assigns filled in.",
        steps.len()
    );
    Exported { scenario: Scenario { name: name.to_owned(), description: described, steps }, notes }
}

/// The request target split into path and query text (`None` without `?`); an absolute URL is cut to its path.
fn split_target(url: &str) -> (String, Option<String>) {
    let target = match url.find("://") {
        Some(i) => url[i + 3..].find('/').map_or("/", |j| &url[i + 3 + j..]),
        None => url,
    };
    let target = target.split('#').next().unwrap_or(target);
    match target.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (target.to_owned(), None),
    }
}

/// The path after the base URL: from the first SCIM endpoint segment on (`/Users/1` of `/scim/v2/Users/1`).
fn relative(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    let at = segments.iter().position(|s| ENDPOINTS.contains(&s.to_ascii_lowercase().as_str()))?;
    Some(format!("/{}", segments[at..].join("/")))
}

/// Whether `rel` is a collection a POST creates in (`/Users`), not `/Bulk` or a `.search`.
fn is_collection(rel: &str) -> bool {
    let name = rel.trim_start_matches('/');
    !name.is_empty() && !name.contains('/') && !name.eq_ignore_ascii_case("bulk") && !name.starts_with('.')
}

/// A step id part for a path: its first segment, letters and digits only.
fn slug(rel: &str) -> String {
    let first = rel.trim_start_matches('/').split('/').next().unwrap_or_default();
    let s: String = first.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    if s.is_empty() { "root".into() } else { s }
}

/// Writes `${var}` where `id` stands in the request: whole path segments (compared decoded), the query (as sent
/// or percent-encoded), and the body.
fn substitute(r: &mut CapturedRequest, var: &str, id: &str) {
    let placeholder = format!("${{{var}}}");
    r.path = r
        .path
        .split('/')
        .map(|s| {
            let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
            if decoded == id { placeholder.clone() } else { s.to_owned() }
        })
        .collect::<Vec<_>>()
        .join("/");
    let encoded = percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string();
    if let Some(q) = &mut r.query
        && id.len() >= SUBSTRING_ID_LEN
    {
        *q = q.replace(id, &placeholder).replace(&encoded, &placeholder);
    }
    if let Some(b) = &mut r.body {
        let inner = super::captured::json_escaped(id);
        *b = if id.len() >= SUBSTRING_ID_LEN {
            b.replace(&inner, &placeholder)
        } else {
            b.replace(&format!("\"{inner}\""), &format!("\"{placeholder}\""))
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scimlab_protocol::exchange::{HttpRequest, HttpResponse, Timings};

    fn exchange(method: &str, url: &str, body: Option<&str>, status: u16, answer: Option<&str>) -> Exchange {
        Exchange {
            id: 0,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            request: HttpRequest {
                method: method.into(),
                url: url.into(),
                headers: vec![
                    ("authorization".into(), "Bearer [redacted]".into()),
                    ("user-agent".into(), "Okta SCIM Client 1.0.0".into()),
                    ("content-length".into(), "2".into()),
                ],
                body: body.map(str::to_owned),
            },
            response: Some(HttpResponse { status, headers: Vec::new(), body: answer.map(str::to_owned) }),
            timings: Timings::default(),
            client: Some("127.0.0.1:5000".into()),
            error: None,
        }
    }

    #[test]
    fn a_create_becomes_a_variable_that_later_steps_use() {
        let id = "2819c223-7f76-453a-919d-413861904646";
        let all = [
            exchange("GET", "/scim/v2/Users?filter=userName%20eq%20%22a%22", None, 200, Some("{}")),
            exchange("POST", "/scim/v2/Users", Some("{}"), 201, Some(&format!(r#"{{"id":"{id}"}}"#))),
            exchange(
                "PATCH",
                &format!("http://x:1/scim/v2/Users/{id}"),
                Some(&format!(r#"{{"v":"{id}"}}"#)),
                200,
                None,
            ),
            exchange("GET", &format!("/scim/v2/Users?filter=id%20eq%20%22{id}%22"), None, 200, None),
            exchange("GET", "/favicon.ico", None, 404, None),
        ];
        let out = from_exchanges("captured", all.iter().enumerate().map(|(i, e)| (i as u64 + 1, e)));
        let steps = &out.scenario.steps;
        assert_eq!(steps.len(), 4);
        let Action::Request(create) = &steps[1].action else { panic!("a request step") };
        assert_eq!(create.capture_id.as_deref(), Some("user-1"));
        assert_eq!(create.headers, vec!["user-agent: Okta SCIM Client 1.0.0".to_owned()]);
        let Action::Request(patch) = &steps[2].action else { panic!("a request step") };
        assert_eq!(patch.path, "/Users/${user-1}");
        assert_eq!(patch.body.as_deref(), Some(r#"{"v":"${user-1}"}"#));
        let Action::Request(lookup) = &steps[3].action else { panic!("a request step") };
        assert_eq!(lookup.query.as_deref(), Some("filter=id%20eq%20%22${user-1}%22"));
        assert_eq!(steps[2].id, "003-patch-users");
        assert!(out.notes.iter().any(|n| n.contains("/favicon.ico")), "{:?}", out.notes);
        assert!(out.notes.iter().any(|n| n.contains("Bearer")), "{:?}", out.notes);
        out.scenario.validate().expect("valid");
        let yaml = serde_saphyr::to_string(&out.scenario).expect("yaml");
        assert_eq!(Scenario::from_yaml(&yaml, "x").expect("reads back"), out.scenario);
    }
}

#[cfg(test)]
mod yaml_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The file keeps every byte of what was sent: bodies and header values with any characters (line
        /// breaks, `\r`, tabs, quotes, `#`, leading and trailing blanks, non-ASCII) read back exactly as written.
        #[test]
        fn captured_text_survives_the_yaml_file(body in any::<String>(), value in "[ -~\t]{0,40}", query in any::<String>()) {
            let r = CapturedRequest {
                method: "POST".into(),
                path: "/Users".into(),
                query: Some(query.replace("${", "$ {")),
                headers: vec![format!("X-Test: {}", value.trim())],
                body: Some(body.replace("${", "$ {")),
                status: vec![201],
                capture_id: None,
            };
            let s = Scenario {
                name: "captured".into(),
                description: "x".into(),
                steps: vec![Step { id: "001-post-users".into(), about: None, action: Action::Request(r), expect: Expectations::default() }],
            };
            let yaml = serde_saphyr::to_string(&s).expect("yaml");
            prop_assert_eq!(Scenario::from_yaml(&yaml, "p").expect("reads back"), s);
        }
    }
}
