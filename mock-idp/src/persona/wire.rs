//! Planned requests: what a persona will send for an intent, exactly as it goes on the wire (method, path, raw
//! query text, headers, body), with what the IdP expects back and why. A plan is data: the scenario engine sends
//! it through [`ScimClient`](crate::ScimClient), and snapshot tests render it as text without a server.
//!
//! Two things are only known once earlier requests of the same plan are answered: the id of a resource the plan
//! creates (`{id}` in a path or query stands for it) and the representation a `GET` returned (Okta reads the
//! user and PUTs it back with the changes: [`PlannedBody::OverFetched`]).

use serde::Serialize;
use serde_json::{Map, Value};

/// The placeholder for the SCIM id of the plan's subject in paths and queries, until it is known.
pub const ID: &str = "{id}";

/// The placeholder for the id of the user the plan created, in a plan that creates a group after it (JumpCloud's
/// Test Connection creates a test user and a test group, then deletes both).
pub const TEST_USER_ID: &str = "{test-user-id}";

/// The body of a planned request.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum PlannedBody {
    /// No body.
    None,
    /// This JSON.
    Json(Value),
    /// The representation the plan's last `GET` returned, with `meta` cut down to `resourceType`, `groups` sent
    /// empty, and this overlay merged in (objects merge member by member; everything else is replaced). Okta's
    /// "read the current object, modify the changed attributes, PUT it back" (IDP-TRAFFIC.md section 2, Update).
    OverFetched(Value),
}

/// What the IdP needs from the answer to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Expect {
    /// 200 with a ListResponse of zero resources; with `not_found_ok`, a 404 too.
    NoMatch {
        /// Whether 404 also means "not there".
        not_found_ok: bool,
    },
    /// 200 with a ListResponse (any number of resources).
    List,
    /// One of `statuses`, with a JSON resource that carries an `id`.
    Resource {
        /// Statuses accepted.
        statuses: &'static [u16],
    },
    /// One of `statuses`; the body is not read.
    Status {
        /// Statuses accepted.
        statuses: &'static [u16],
    },
    /// 200 with a ListResponse holding the plan's subject, and only it (JumpCloud's lookup before an update).
    Found,
    /// The collection listed page by page ([`ListAll`]): every page 200 with a ListResponse, the pages together
    /// as long as `totalResults`, and no resource matching (Ping's group lookup).
    NotListed,
}

impl Expect {
    /// The expectation in words, for failure messages and snapshots.
    pub fn describe(&self) -> String {
        let list = |s: &[u16]| s.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ");
        match self {
            Expect::NoMatch { not_found_ok: false } => "200 with an empty ListResponse".into(),
            Expect::NoMatch { not_found_ok: true } => "200 with an empty ListResponse, or 404".into(),
            Expect::List => "200 with a ListResponse".into(),
            Expect::Resource { statuses } => format!("{} with the resource and its id", list(statuses)),
            Expect::Status { statuses } => list(statuses),
            Expect::Found => "200 with a ListResponse holding exactly the resource".into(),
            Expect::NotListed => {
                "every page 200 with a ListResponse, the pages together listing totalResults resources, none of them \
                 a match"
                    .into()
            }
        }
    }
}

/// What a conditional request does with the answer to the request before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// Always sent.
    Always,
    /// Sent only when the request before it (a ListResponse) found nothing: Entra's manager check
    /// (`id eq ... and manager eq ...`) skips the PATCH when the manager is already the right one.
    IfPreviousFoundNothing,
    /// Sent only when the server refused the request before it (4xx, or 501), which then does not stop the plan:
    /// JumpCloud deactivates its test user when the DELETE is not supported.
    IfPreviousRefused,
}

/// A lookup that lists a whole collection page by page and matches one attribute in the client: Ping finds
/// groups by listing all of them (IDP-TRAFFIC.md section 3, Ping).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListAll {
    /// The attribute compared (`displayName`).
    pub attribute: &'static str,
    /// The value looked for.
    pub value: String,
    /// The `count` of each page.
    pub page_size: u32,
}

impl ListAll {
    /// The query of the page that starts at `start` (1-based, RFC 7644 section 3.4.2.4).
    pub fn page_query(&self, start: u64) -> String {
        format!("startIndex={start}&count={}", self.page_size)
    }
}

/// One request a persona will send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    /// What the request is for (`lookup`, `create`, `manager-check`...).
    pub label: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path relative to the SCIM base URL; may contain [`ID`].
    pub path: String,
    /// The query text as sent (without `?`); `Some("")` sends a bare trailing `?`; may contain [`ID`].
    pub raw_query: Option<String>,
    /// Headers the persona sends besides the credential, in order.
    pub headers: Vec<(String, String)>,
    /// Default client headers the persona does not send.
    pub omit: Vec<String>,
    /// The body.
    pub body: PlannedBody,
    /// What the IdP needs back.
    pub expect: Expect,
    /// Whether the answer's `id` becomes the plan's subject id ([`ID`]).
    pub captures_id: bool,
    /// When the request is sent.
    pub condition: Condition,
    /// For a lookup that pages through the whole collection: what it looks for ([`Expect::NotListed`]).
    pub list_all: Option<ListAll>,
    /// Why the IdP sends it this way, with the source (a section of IDP-TRAFFIC.md or a file of idp-wire/).
    pub why: &'static str,
}

impl Planned {
    /// The request line's target: path and query, with `{id}` as it stands.
    pub fn target(&self) -> String {
        match &self.raw_query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }

    /// The plan rendered as HTTP text (method, target, headers, pretty body, expectation), for snapshots and
    /// `--dry-run` style listings. `fetched` stands in for the answer to the plan's GET when the body is
    /// [`PlannedBody::OverFetched`].
    pub fn render(&self, credential_header: Option<&str>, fetched: Option<&Value>) -> String {
        let mut out = format!("{} {}\n", self.method, self.target());
        if let Some(c) = credential_header {
            out.push_str(&format!("Authorization: {c}\n"));
        }
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\n"));
        }
        let body = match &self.body {
            PlannedBody::None => None,
            PlannedBody::Json(v) => Some(v.clone()),
            PlannedBody::OverFetched(overlay) => Some(match fetched {
                Some(f) => over_fetched(f, overlay),
                None => serde_json::json!({"(the fetched resource, with)": overlay}),
            }),
        };
        if let Some(b) = body {
            out.push('\n');
            out.push_str(&serde_json::to_string_pretty(&b).unwrap_or_default());
            out.push('\n');
        }
        let when = match self.condition {
            Condition::Always => "",
            Condition::IfPreviousFoundNothing => " (sent only if the request before found nothing)",
            Condition::IfPreviousRefused => " (sent only if the request before was refused)",
        };
        if let Some(l) = &self.list_all {
            out.push_str(&format!(
                "=> pages on (startIndex + the resources returned, count {}) until totalResults are listed, \
                 comparing {} with {:?} in the client\n",
                l.page_size, l.attribute, l.value
            ));
        }
        out.push_str(&format!("=> expects {}{when}\n", self.expect.describe()));
        out
    }
}

/// The body of a [`PlannedBody::OverFetched`] PUT: `fetched` with `meta` reduced to `resourceType`, `groups`
/// sent as `[]` (it is read-only and Okta always sends it empty), and `overlay` merged in.
pub fn over_fetched(fetched: &Value, overlay: &Value) -> Value {
    let mut base = fetched.clone();
    if let Some(obj) = base.as_object_mut() {
        let resource_type = obj.get("meta").and_then(|m| m.get("resourceType")).cloned();
        obj.shift_remove("meta");
        if obj.contains_key("groups") {
            obj.insert("groups".into(), Value::Array(Vec::new()));
        }
        if let Some(rt) = resource_type {
            obj.insert("meta".into(), serde_json::json!({ "resourceType": rt }));
        }
    }
    merge(&mut base, overlay);
    base
}

/// Merges `overlay` into `base`: objects member by member (names matched without regard to case, as SCIM
/// attribute names are), anything else replaced.
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                let existing = b.keys().find(|bk| bk.eq_ignore_ascii_case(k)).cloned();
                match existing {
                    Some(ek) => {
                        if let Some(slot) = b.get_mut(&ek) {
                            merge(slot, v);
                        }
                    }
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// How an IdP writes a space in a query string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Space {
    /// `+`, as HTML forms do (Entra, OneLogin).
    Plus,
    /// `%20`, RFC 3986 percent-encoding (Okta, the RFC persona).
    Percent20,
}

/// Encodes one query component: RFC 3986 unreserved characters stay, a space becomes `+` or `%20`, everything
/// else is `%XX`.
pub fn encode_component(s: &str, space: Space) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else if b == b' ' && space == Space::Plus {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `query` with [`ID`] replaced by `id`, encoded as the rest of the query is.
pub fn substitute_query(query: &str, id: &str, space: Space) -> String {
    query.replace(ID, &encode_component(id, space))
}

/// A SCIM string literal for a filter: quoted, with `"` and `\` escaped (RFC 7644 section 3.4.2.2 uses JSON
/// string syntax).
pub fn filter_literal(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// An object built from pairs, leaving out the `None` values (IdPs do not send nulls).
pub fn object(pairs: Vec<(&str, Option<Value>)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn components_encode_the_two_ways() {
        assert_eq!(encode_component("userName eq \"a@b\"", Space::Plus), "userName+eq+%22a%40b%22");
        assert_eq!(encode_component("userName eq \"a@b\"", Space::Percent20), "userName%20eq%20%22a%40b%22");
    }

    #[test]
    fn over_fetched_keeps_unmapped_attributes_and_merges_objects() {
        let fetched = json!({"id": "1", "userName": "a", "nickName": "x", "name": {"givenName": "A", "familyName": "B"},
            "groups": [{"value": "g"}], "meta": {"resourceType": "User", "location": "http://x/Users/1"}});
        let body = over_fetched(&fetched, &json!({"name": {"givenName": "C"}, "active": false}));
        assert_eq!(
            body,
            json!({"id": "1", "userName": "a", "nickName": "x", "name": {"givenName": "C", "familyName": "B"},
                "groups": [], "meta": {"resourceType": "User"}, "active": false})
        );
    }

    #[test]
    fn filter_literals_escape_quotes() {
        assert_eq!(filter_literal("a\"b"), "\"a\\\"b\"");
    }
}
