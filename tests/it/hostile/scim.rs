//! The plausible half of the hostile server: just enough SCIM (discovery, a store of Users and Groups, create,
//! read, list with simple filters, PATCH, PUT, DELETE, Bulk) that scimlab runs its checks and replays far enough
//! to reach the hostile parts. The mode decides the ids creates hand out, where Location points and what lists
//! hold; shaping bodies on the wire is the server's job (`server.rs`).

use super::filter_patch::{SimpleFilter, apply_op, substitute};
use super::mode::Mode;
use super::text::{first_quoted, parse_query, percent_decode, percent_encode, run_prefix, search_params};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The base path the server publishes.
pub const BASE: &str = "/scim/v2";
const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const BULK_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const WHEN: &str = "2024-01-01T00:00:00Z";
/// What `totalResults` says in [`Mode::EndlessEcho`].
const ENDLESS_TOTAL: u64 = 1_000_000_000_000;

/// The two resource types the server serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl Kind {
    /// The endpoint's path segment, exactly as `/ResourceTypes` announces it.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    /// The kind whose endpoint is exactly `segment`.
    pub fn from_segment(segment: &str) -> Option<Kind> {
        [Kind::User, Kind::Group].into_iter().find(|k| k.endpoint() == segment)
    }

    fn name_attr(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }

    fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    fn schema(self) -> &'static str {
        match self {
            Kind::User => USER_URN,
            Kind::Group => GROUP_URN,
        }
    }
}

/// An answer before the server shapes it for the wire.
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Extra response headers (Location, Allow, WWW-Authenticate).
    pub headers: Vec<(String, String)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
    /// Ids this answer hands out in a 201 (or a Bulk `201`), in order.
    pub handed_out: Vec<(Kind, String)>,
    /// Whether this answers discovery, or a probe of an endpoint (`GET /Users?count=1`): the body-shaping modes
    /// leave it unharmed, so their hostility meets the checks rather than only the run's start.
    pub discovery: bool,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply { status, headers: Vec::new(), body: Some(body), handed_out: Vec::new(), discovery: false }
    }

    fn empty(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), body: None, handed_out: Vec::new(), discovery: false }
    }

    /// A SCIM Error (RFC 7644 section 3.12).
    pub fn error(status: u16, scim_type: Option<&str>, detail: &str) -> Reply {
        let mut body = json!({"schemas": [ERROR_URN], "status": status.to_string(), "detail": detail});
        if let Some(t) = scim_type {
            body["scimType"] = json!(t);
        }
        Reply::json(status, body)
    }

    fn header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_owned(), value));
        self
    }
}

/// The server's state: the mode, its origin, and what clients created.
pub struct Scim {
    mode: Mode,
    origin: String,
    other_port: u16,
    store: HashMap<(Kind, String), Value>,
    creates: u64,
    last_prefix: String,
}

impl Scim {
    /// An empty server at `origin` (`http://127.0.0.1:PORT`); `other_port` is the other-origin listener.
    pub fn new(mode: Mode, origin: String, other_port: u16) -> Scim {
        Scim { mode, origin, other_port, store: HashMap::new(), creates: 0, last_prefix: "scimlab-".into() }
    }

    /// Answers one authenticated request. `path` and `query` are as received, still percent-encoded.
    pub fn handle(&mut self, method: &str, path: &str, query: &str, body: &[u8]) -> Reply {
        let Some(rel) = path.strip_prefix(BASE) else {
            return Reply::error(404, None, "no such endpoint");
        };
        let segments: Vec<&str> = rel.trim_start_matches('/').split('/').collect();
        let params = parse_query(query);
        match (method, segments.as_slice()) {
            ("GET", ["ServiceProviderConfig"]) => discovery(self.spc()),
            ("GET", ["ResourceTypes"]) => {
                discovery(list_of(vec![resource_type(Kind::User), resource_type(Kind::Group)]))
            }
            ("GET", ["ResourceTypes", name]) => {
                match [Kind::User, Kind::Group].into_iter().find(|k| k.resource_type() == *name) {
                    Some(k) => discovery(resource_type(k)),
                    None => Reply::error(404, None, "no such resource type"),
                }
            }
            ("GET", ["Schemas"]) => discovery(list_of(vec![schema(Kind::User), schema(Kind::Group)])),
            ("GET", ["Schemas", urn]) => match [Kind::User, Kind::Group].into_iter().find(|k| k.schema() == *urn) {
                Some(k) => discovery(schema(k)),
                None => Reply::error(404, None, "no such schema"),
            },
            (_, ["ServiceProviderConfig" | "ResourceTypes" | "Schemas", ..]) => {
                Reply::error(405, None, "discovery is read-only").header("Allow", "GET".into())
            }
            ("POST", ["Bulk"]) => self.bulk(body),
            ("POST", [".search"]) => self.list(Kind::User, &search_params(body)),
            (_, [collection, rest @ ..]) if Kind::from_segment(collection).is_some() => {
                let Some(kind) = Kind::from_segment(collection) else {
                    return Reply::error(404, None, "no such endpoint");
                };
                match (method, rest) {
                    ("GET", []) => self.list(kind, &params),
                    ("POST", []) => self.create(kind, body),
                    ("POST", [".search"]) => self.list(kind, &search_params(body)),
                    (_, []) => Reply::error(405, None, "a collection is only read or POSTed to")
                        .header("Allow", "GET, POST".into()),
                    (_, [segment]) => {
                        let id = percent_decode(segment);
                        self.item(method, kind, &id, body)
                    }
                    _ => Reply::error(404, None, "no such resource"),
                }
            }
            _ => Reply::error(404, None, "no such endpoint"),
        }
    }

    fn spc(&self) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": "https://example.invalid/docs",
            "patch": {"supported": true},
            "bulk": {"supported": true, "maxOperations": 1000, "maxPayloadSize": 1_048_576},
            "filter": {"supported": true, "maxResults": 200},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication with a bearer token",
                "primary": true
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}{BASE}/ServiceProviderConfig", self.origin)}
        })
    }

    /// Where a resource lives, as the mode has it: this origin, or another one.
    fn location(&self, kind: Kind, id: &str) -> String {
        let origin = self.mode.foreign_origin(self.other_port).unwrap_or_else(|| self.origin.clone());
        format!("{origin}{BASE}/{}/{}", kind.endpoint(), percent_encode(id))
    }

    fn render(&self, resource: &Value) -> Value {
        let mut out = resource.clone();
        if let Some(obj) = out.as_object_mut() {
            obj.remove("password");
            if let Some(members) = obj.get_mut("members").and_then(Value::as_array_mut) {
                for m in members.iter_mut() {
                    if let Some(value) = m.get("value").and_then(Value::as_str).map(str::to_owned) {
                        m["$ref"] = json!(self.location(Kind::User, &value));
                    }
                }
            }
        }
        out
    }

    fn create(&mut self, kind: Kind, body: &[u8]) -> Reply {
        let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(body) else {
            return Reply::error(400, Some("invalidSyntax"), "the body is not a JSON object");
        };
        let Some(name) = obj.get(kind.name_attr()).and_then(Value::as_str).map(str::to_owned) else {
            return Reply::error(400, Some("invalidValue"), "a required attribute is missing");
        };
        if name.is_empty() {
            return Reply::error(400, Some("invalidValue"), "a required attribute is empty");
        }
        if let Some(p) = run_prefix(&name) {
            self.last_prefix = p;
        }
        let taken = self.store.iter().any(|((k, _), r)| {
            *k == kind && r.get(kind.name_attr()).and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(&name))
        });
        if taken {
            return Reply::error(409, Some("uniqueness"), "the name is taken");
        }
        let id = self.mode.create_id(self.creates);
        self.creates += 1;
        let location = self.location(kind, &id);
        obj.insert("id".into(), json!(id));
        obj.entry("schemas").or_insert_with(|| json!([kind.schema()]));
        obj.insert(
            "meta".into(),
            json!({"resourceType": kind.resource_type(), "created": WHEN, "lastModified": WHEN, "location": location}),
        );
        let resource = Value::Object(obj);
        self.store.insert((kind, id.clone()), resource.clone());
        let mut reply = Reply::json(201, self.render(&resource)).header("Location", location);
        reply.handed_out.push((kind, id));
        reply
    }

    fn item(&mut self, method: &str, kind: Kind, id: &str, body: &[u8]) -> Reply {
        let key = (kind, id.to_owned());
        let found = self.store.get(&key).cloned().or_else(|| self.echoed(kind, id));
        let Some(current) = found else {
            return Reply::error(404, None, "no such resource");
        };
        match method {
            "GET" => Reply::json(200, self.render(&current)),
            "DELETE" => {
                self.store.remove(&key);
                Reply::empty(204)
            }
            "PUT" => {
                let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(body) else {
                    return Reply::error(400, Some("invalidSyntax"), "the body is not a JSON object");
                };
                obj.insert("id".into(), json!(id));
                if let Some(meta) = current.get("meta") {
                    obj.insert("meta".into(), meta.clone());
                }
                let resource = Value::Object(obj);
                self.store.insert(key, resource.clone());
                Reply::json(200, self.render(&resource))
            }
            "PATCH" => {
                let Ok(patch) = serde_json::from_slice::<Value>(body) else {
                    return Reply::error(400, Some("invalidSyntax"), "the body is not JSON");
                };
                let Some(ops) = patch.get("Operations").and_then(Value::as_array) else {
                    return Reply::error(400, Some("invalidSyntax"), "no Operations");
                };
                let mut resource = current;
                for op in ops {
                    if let Err(e) = apply_op(&mut resource, op) {
                        return Reply::error(400, Some(e.scim_type), e.detail);
                    }
                }
                self.store.insert(key, resource.clone());
                Reply::json(200, self.render(&resource))
            }
            _ => Reply::error(405, None, "not allowed on a resource").header("Allow", "GET, PUT, PATCH, DELETE".into()),
        }
    }

    /// In [`Mode::EndlessEcho`], the ids the lists made up read back as resources too.
    fn echoed(&self, kind: Kind, id: &str) -> Option<Value> {
        (self.mode.echoes_lists() && id.starts_with("foreign-")).then(|| {
            json!({"schemas": [kind.schema()], "id": id, kind.name_attr(): format!("{}{id}", self.last_prefix),
                   "meta": {"resourceType": kind.resource_type(), "location": self.location(kind, id)}})
        })
    }

    fn list(&self, kind: Kind, params: &HashMap<String, String>) -> Reply {
        let filter = params.get("filter").map(String::as_str).unwrap_or("");
        let start: u64 = params.get("startIndex").and_then(|s| s.parse().ok()).filter(|s| *s >= 1).unwrap_or(1);
        let count: Option<u64> = params.get("count").and_then(|s| s.parse().ok());
        if self.mode.echoes_lists() {
            return self.endless_echo(kind, filter, start, count);
        }
        let matches: Vec<Value> = if filter.is_empty() {
            self.of_kind(kind).collect()
        } else {
            let Some(simple) = SimpleFilter::parse(filter) else {
                return Reply::error(400, Some("invalidFilter"), "this server understands only `attr op \"value\"`");
            };
            self.of_kind(kind).filter(|r| simple.matches(r)).collect()
        };
        let total = matches.len();
        let take = count.unwrap_or(100).min(200) as usize;
        let page: Vec<Value> =
            matches.into_iter().skip(start as usize - 1).take(take).map(|r| self.render(&r)).collect();
        let mut reply = Reply::json(
            200,
            json!({"schemas": [LIST_URN], "totalResults": total, "startIndex": start, "itemsPerPage": page.len(), "Resources": page}),
        );
        // `GET /Users?count=1` is how clients probe an endpoint and a credential before they start.
        reply.discovery = filter.is_empty() && count.is_some_and(|c| c <= 1);
        reply
    }

    fn of_kind(&self, kind: Kind) -> impl Iterator<Item = Value> + '_ {
        let mut all: Vec<(&String, &Value)> =
            self.store.iter().filter(|((k, _), _)| *k == kind).map(|((_, id), r)| (id, r)).collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        all.into_iter().map(|(_, r)| r.clone())
    }

    /// A full page of made-up resources named as the filter asked, whatever page is asked for.
    fn endless_echo(&self, kind: Kind, filter: &str, start: u64, count: Option<u64>) -> Reply {
        let asked = first_quoted(filter);
        let exact = asked.is_some() && filter.to_ascii_lowercase().contains(" eq ");
        let prefix = asked.unwrap_or_else(|| self.last_prefix.clone());
        let size = count.filter(|c| (1..=200).contains(c)).unwrap_or(100);
        let resources: Vec<Value> = (0..size)
            .map(|i| {
                let n = start + i;
                let id = format!("foreign-{}-{n}", kind.endpoint().to_ascii_lowercase());
                let name = if exact { prefix.clone() } else { format!("{prefix}echo-{n}") };
                json!({"schemas": [kind.schema()], "id": id, kind.name_attr(): name, "active": true,
                       "meta": {"resourceType": kind.resource_type(), "location": self.location(kind, &id)}})
            })
            .collect();
        Reply::json(
            200,
            json!({"schemas": [LIST_URN], "totalResults": ENDLESS_TOTAL, "startIndex": start, "itemsPerPage": size, "Resources": resources}),
        )
    }

    /// RFC 7644 section 3.7, loosely: POSTs create (ids by the mode), other operations act on the store.
    fn bulk(&mut self, body: &[u8]) -> Reply {
        let Ok(request) = serde_json::from_slice::<Value>(body) else {
            return Reply::error(400, Some("invalidSyntax"), "the body is not JSON");
        };
        let Some(ops) = request.get("Operations").and_then(Value::as_array) else {
            return Reply::error(400, Some("invalidSyntax"), "no Operations");
        };
        let mut bulk_ids: HashMap<String, String> = HashMap::new();
        let mut results = Vec::new();
        let mut handed_out = Vec::new();
        for op in ops {
            let method = op.get("method").and_then(Value::as_str).unwrap_or("").to_ascii_uppercase();
            let mut path = op.get("path").and_then(Value::as_str).unwrap_or("").to_owned();
            let mut data = op.get("data").cloned().unwrap_or(Value::Null);
            for (bulk_id, id) in &bulk_ids {
                path = path.replace(&format!("bulkId:{bulk_id}"), id);
                substitute(&mut data, &format!("bulkId:{bulk_id}"), id);
            }
            let rel = path.strip_prefix(BASE).unwrap_or(&path).trim_start_matches('/').to_owned();
            let segments: Vec<&str> = rel.split('/').collect();
            let data_bytes = serde_json::to_vec(&data).unwrap_or_default();
            let reply = match segments.as_slice() {
                [collection] if method == "POST" => match Kind::from_segment(collection) {
                    Some(kind) => self.create(kind, &data_bytes),
                    None => Reply::error(404, None, "no such endpoint"),
                },
                [collection, segment] => match Kind::from_segment(collection) {
                    Some(kind) => self.item(&method, kind, &percent_decode(segment), &data_bytes),
                    None => Reply::error(404, None, "no such endpoint"),
                },
                _ => Reply::error(400, Some("invalidPath"), "not a bulk path"),
            };
            let mut result = json!({"method": method, "status": reply.status.to_string()});
            if let Some(b) = op.get("bulkId") {
                result["bulkId"] = b.clone();
            }
            if let Some((kind, id)) = reply.handed_out.first() {
                result["location"] = json!(self.location(*kind, id));
                if let Some(b) = op.get("bulkId").and_then(Value::as_str) {
                    bulk_ids.insert(b.to_owned(), id.clone());
                }
            } else if reply.status >= 400 {
                result["response"] = reply.body.clone().unwrap_or(Value::Null);
            }
            handed_out.extend(reply.handed_out);
            results.push(result);
        }
        let mut reply = Reply::json(200, json!({"schemas": [BULK_RESPONSE_URN], "Operations": results}));
        reply.handed_out = handed_out;
        reply
    }
}

fn discovery(body: Value) -> Reply {
    let mut reply = Reply::json(200, body);
    reply.discovery = true;
    reply
}

fn list_of(resources: Vec<Value>) -> Value {
    json!({"schemas": [LIST_URN], "totalResults": resources.len(), "startIndex": 1, "itemsPerPage": resources.len(), "Resources": resources})
}

fn resource_type(kind: Kind) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": kind.resource_type(), "name": kind.resource_type(),
        "endpoint": format!("/{}", kind.endpoint()), "schema": kind.schema(), "schemaExtensions": [],
        "meta": {"resourceType": "ResourceType", "location": format!("{BASE}/ResourceTypes/{}", kind.resource_type())}
    })
}

fn schema(kind: Kind) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": kind.schema(), "name": kind.resource_type(),
        "attributes": [{
            "name": kind.name_attr(), "type": "string", "multiValued": false, "required": true,
            "caseExact": false, "mutability": "readWrite", "returned": "default", "uniqueness": "server"
        }],
        "meta": {"resourceType": "Schema", "location": format!("{BASE}/Schemas/{}", kind.schema())}
    })
}
