//! One discovery: what a service provider says about itself, read once per run into protocol's typed models.
//!
//! [`discover`] reads `/ServiceProviderConfig`, `/Schemas` and `/ResourceTypes` (RFC 7644 section 4), resolves
//! each resource type's endpoint against the base URL (RFC 7643 section 6), and probes the User and Group
//! endpoints with `GET {endpoint}?count=1` to learn whether they answer as SCIM collections. Every job takes
//! its result: `scimlab test`, `replay`, `load` and cleanup, so they cannot disagree about the server.
//!
//! Servers publish endpoints in several forms. RFC 7643 section 6 defines the endpoint as relative to the base
//! URL (`/Users`); in the wild there are also `Users`, an absolute path that repeats the base path
//! (`/scim/v2/Users`) and an absolute URL on the same origin (`https://host/scim/v2/Users`). Identity providers
//! call `{base}/Users` whatever the server publishes, so every usable form resolves to a path relative to the base
//! ([`ResolvedType::endpoint`]), and the non-relative forms are kept as [`Finding`]s for the report. An endpoint
//! on another origin (scheme, host or port), outside the base path, or with dot segments is refused: credentials
//! go only to the base URL's origin, and only under its path.
//!
//! Status 401 or 403 on any discovery request stops discovery ([`DiscoveryError::Unauthorized`]); so does a
//! server that publishes nothing usable: no readable ServiceProviderConfig and no endpoint answering a SCIM
//! ListResponse ([`DiscoveryError::NotScim`], which lists every URL tried, what it answered, and the likely fix).

use crate::client::{ClientError, ScimClient, ScimRequest, ScimResponse};
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::json::get_ci;
use scimlab_protocol::schema::{ENTERPRISE_USER_URN, ResourceType};
use scimlab_protocol::spc::ServiceProviderConfig;
use serde_json::Value;
use std::fmt;

/// What the service provider said about itself, with endpoints resolved against the base URL.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The ServiceProviderConfig (RFC 7643 section 5), when the server published a readable one.
    pub spc: Option<ServiceProviderConfig>,
    /// RFC 7643's schemas and resource types, overlaid with the server's own from `/Schemas` and
    /// `/ResourceTypes` (their endpoints resolved to paths relative to the base).
    pub registry: SchemaRegistry,
    /// Every resource type the server published whose endpoint could be used.
    pub resource_types: Vec<ResolvedType>,
    /// The User endpoint relative to the base (`/Users`), when it answers as a collection.
    pub users: Option<String>,
    /// The Group endpoint relative to the base (`/Groups`), when it answers as a collection.
    pub groups: Option<String>,
    /// Whether the User resource type lists the enterprise extension (RFC 7643 section 4.3).
    pub enterprise: bool,
    /// Every request discovery sent, with what it answered, in order.
    pub probes: Vec<Probe>,
    /// What deviates from RFC 7643 section 6 or could not be used, in order of discovery.
    pub findings: Vec<Finding>,
}

/// A published resource type whose endpoint resolved to a usable path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedType {
    /// The type's name (`User`).
    pub name: String,
    /// The endpoint relative to the base URL, with one leading `/` (`/Users`): what requests are sent to.
    pub endpoint: String,
    /// The endpoint exactly as the server published it.
    pub published: String,
    /// The form it was published in.
    pub form: EndpointForm,
}

/// How a ResourceType's `endpoint` was written (RFC 7643 section 6 defines it as relative to the base URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointForm {
    /// `/Users` or `Users`: relative to the base URL, as the RFC says.
    Relative,
    /// `/scim/v2/Users` under the base `http://host/scim/v2`: an absolute path that repeats the base path.
    AbsolutePath,
    /// `http://host/scim/v2/Users`: an absolute URL on the base URL's origin, under its path.
    AbsoluteUrl,
}

/// One discovery request and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The full URL requested (GET).
    pub url: String,
    /// What came back.
    pub answer: Answer,
}

/// What a discovery request answered, classified by what matters to discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A SCIM ListResponse (RFC 7644 section 3.4.2): a JSON object with `Resources` or `totalResults`.
    ListResponse {
        /// HTTP status.
        status: u16,
    },
    /// Another JSON body (a resource, a SCIM Error).
    Json {
        /// HTTP status.
        status: u16,
    },
    /// An HTML page: a web application's fallback route or a login page, not a SCIM endpoint.
    Html {
        /// HTTP status.
        status: u16,
    },
    /// An empty body.
    Empty {
        /// HTTP status.
        status: u16,
    },
    /// A body that is neither JSON nor HTML.
    Other {
        /// HTTP status.
        status: u16,
        /// The Content-Type header, if any.
        content_type: Option<String>,
    },
}

impl Answer {
    fn of(resp: &ScimResponse) -> Answer {
        let status = resp.status;
        let content_type = resp.header("content-type").map(str::to_owned);
        let html = content_type.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("html"))
            || resp.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
        match &resp.json {
            Some(Value::Object(o)) if get_ci(o, "Resources").is_some() || get_ci(o, "totalResults").is_some() => {
                Answer::ListResponse { status }
            }
            Some(_) => Answer::Json { status },
            None if resp.body.is_empty() => Answer::Empty { status },
            None if html => Answer::Html { status },
            None => Answer::Other { status, content_type },
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Answer::ListResponse { status }
            | Answer::Json { status }
            | Answer::Html { status }
            | Answer::Empty { status }
            | Answer::Other { status, .. } => *status,
        }
    }

    /// Whether this is a SCIM ListResponse with a 2xx status.
    pub fn is_list(&self) -> bool {
        matches!(self, Answer::ListResponse { status } if (200..300).contains(status))
    }

    /// Whether the answer shows there is no SCIM endpoint here: 404, 405, 410, or an HTML page.
    fn is_absent(&self) -> bool {
        matches!(self.status(), 404 | 405 | 410) || matches!(self, Answer::Html { .. })
    }
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::ListResponse { status } => write!(f, "{status} with a SCIM ListResponse"),
            Answer::Json { status } if (200..300).contains(status) => {
                write!(f, "{status} with a JSON body that is not a ListResponse")
            }
            Answer::Json { status } => write!(f, "{status} with a JSON body"),
            Answer::Html { status } => write!(f, "{status} with an HTML page"),
            Answer::Empty { status } => write!(f, "{status} with an empty body"),
            Answer::Other { status, content_type: Some(c) } => write!(f, "{status} with a {c} body"),
            Answer::Other { status, content_type: None } => write!(f, "{status} with a body that is not JSON"),
        }
    }
}

/// Something discovery noticed that a report should mention: a non-relative endpoint form it accepted, an
/// endpoint it refused, or a discovery document it could not use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// An endpoint published in a non-relative form, used as `resolved` (RFC 7643 section 6: relative).
    EndpointForm {
        /// The resource type.
        resource_type: String,
        /// As published.
        published: String,
        /// AbsolutePath or AbsoluteUrl.
        form: EndpointForm,
        /// The path relative to the base that requests go to.
        resolved: String,
    },
    /// An endpoint that cannot be used: another origin, outside the base path, dot segments, a query.
    EndpointRefused {
        /// The resource type.
        resource_type: String,
        /// As published.
        published: String,
        /// Why it was refused.
        reason: String,
    },
    /// A resource endpoint whose probe did not answer as a SCIM collection.
    EndpointUnanswered {
        /// The resource type (`User`).
        resource_type: String,
        /// The full URL probed.
        url: String,
        /// What it answered.
        answer: Answer,
        /// Whether the endpoint is still used (the server publishes it and answered neither 404 nor HTML).
        used: bool,
    },
    /// A discovery document (ServiceProviderConfig, ResourceTypes, Schemas) that could not be read.
    Unreadable {
        /// Which endpoint (`/ServiceProviderConfig`).
        endpoint: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl Finding {
    /// Whether the finding is about a resource type's endpoint (its form, its refusal, or its probe) rather than
    /// about a discovery document, which the discovery checks of RFC 7644 section 4 judge on their own.
    pub fn is_endpoint(&self) -> bool {
        !matches!(self, Finding::Unreadable { .. })
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::EndpointForm { resource_type, published, form, resolved } => {
                let what = match form {
                    EndpointForm::AbsoluteUrl => "an absolute URL",
                    EndpointForm::AbsolutePath => "an absolute path that repeats the base path",
                    EndpointForm::Relative => "a relative path",
                };
                write!(
                    f,
                    "the {resource_type} resource type publishes its endpoint as {what} ({published:?}) instead of \
                     relative to the base URL ({resolved:?}); requests go to {{base}}{resolved}"
                )
            }
            Finding::EndpointRefused { resource_type, published, reason } => {
                write!(f, "the {resource_type} resource type's endpoint {published:?} is not used: {reason}")
            }
            Finding::EndpointUnanswered { resource_type, url, answer, used } => {
                let then = if *used { "used anyway, as published" } else { "not used" };
                write!(f, "the {resource_type} endpoint GET {url} answered {answer}, not a SCIM ListResponse ({then})")
            }
            Finding::Unreadable { endpoint, reason } => write!(f, "{endpoint} could not be read: {reason}"),
        }
    }
}

/// Why discovery stopped. Each message names the server and what would fix it.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// No HTTP answer.
    #[error("the server at {url} is unreachable: {reason}")]
    Unreachable {
        /// The base URL.
        url: String,
        /// What failed.
        reason: String,
    },
    /// 401 or 403.
    #[error("the server at {url} refused the credentials ({status} on GET {path}); check --token / --basic / --header")]
    Unauthorized {
        /// The base URL.
        url: String,
        /// The status received.
        status: u16,
        /// The path that was refused.
        path: String,
    },
    /// No readable ServiceProviderConfig and no endpoint answering a SCIM ListResponse.
    #[error("found no SCIM service provider at {url}: {}; {hint}", tried.iter().map(|p| format!("GET {} answered {}", p.url, p.answer)).collect::<Vec<_>>().join(", "))]
    NotScim {
        /// The base URL.
        url: String,
        /// Every request sent, with its answer.
        tried: Vec<Probe>,
        /// The likely fix.
        hint: String,
    },
}

impl Discovery {
    /// `bulk.maxOperations` when the ServiceProviderConfig announces /Bulk with a positive limit (RFC 7643
    /// section 5); `None` when /Bulk is not announced or not readable.
    pub fn bulk_max_operations(&self) -> Option<usize> {
        let bulk = self.spc.as_ref()?.bulk;
        (bulk.supported && bulk.max_operations > 0).then(|| usize::try_from(bulk.max_operations).unwrap_or(usize::MAX))
    }

    /// `bulk.maxPayloadSize` in bytes when /Bulk is announced with a positive payload limit (RFC 7643 section 5).
    pub fn bulk_max_payload(&self) -> Option<usize> {
        let bulk = self.spc.as_ref()?.bulk;
        (bulk.supported && bulk.max_payload_size > 0)
            .then(|| usize::try_from(bulk.max_payload_size).unwrap_or(usize::MAX))
    }

    /// The resolved endpoint of the resource type called `name` (`User`), case-insensitively.
    pub fn endpoint(&self, name: &str) -> Option<&str> {
        self.resource_types.iter().find(|t| t.name.eq_ignore_ascii_case(name)).map(|t| t.endpoint.as_str())
    }
}

/// Sends one discovery GET; 401 / 403 and transport failures end discovery.
async fn get(client: &ScimClient, path: &str, probes: &mut Vec<Probe>) -> Result<ScimResponse, DiscoveryError> {
    let url = client.url_for(path);
    match client.send(ScimRequest::get(path)).await {
        Ok(r) if r.status == 401 || r.status == 403 => Err(DiscoveryError::Unauthorized {
            url: client.base_url().to_owned(),
            status: r.status,
            path: path.to_owned(),
        }),
        Ok(r) => {
            probes.push(Probe { url, answer: Answer::of(&r) });
            Ok(r)
        }
        Err(ClientError::Transport { reason, .. }) => {
            Err(DiscoveryError::Unreachable { url: client.base_url().to_owned(), reason })
        }
        Err(e) => Err(DiscoveryError::Unreachable { url: client.base_url().to_owned(), reason: e.to_string() }),
    }
}

/// The documents of a discovery answer: a ListResponse's `Resources`, a bare array, or one object.
fn items(json: &Value) -> Vec<&Value> {
    match json {
        Value::Array(a) => a.iter().collect(),
        Value::Object(o) => match get_ci(o, "Resources") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(_) => Vec::new(),
            None => vec![json],
        },
        _ => Vec::new(),
    }
}

/// Why a 200 discovery answer could not be read, or `None` when it is JSON.
fn unreadable(resp: &ScimResponse, endpoint: &'static str, findings: &mut Vec<Finding>) -> Option<()> {
    if resp.status != 200 {
        let reason = format!("it answered {}", Answer::of(resp));
        findings.push(Finding::Unreadable { endpoint, reason });
        return Some(());
    }
    if resp.json.is_none() {
        let reason = format!("it answered {}, not JSON", Answer::of(resp));
        findings.push(Finding::Unreadable { endpoint, reason });
        return Some(());
    }
    None
}

/// Reads the service provider behind `client`: its configuration, schemas and resource types, with endpoints
/// resolved per RFC 7643 section 6 and the User and Group endpoints probed.
pub async fn discover(client: &ScimClient) -> Result<Discovery, DiscoveryError> {
    let mut probes = Vec::new();
    let mut findings = Vec::new();

    // The three discovery documents are independent: asked for side by side, read in order.
    let (mut spc_probe, mut schemas_probe, mut types_probe) = (Vec::new(), Vec::new(), Vec::new());
    let (spc_resp, schemas_resp, types_resp) = tokio::join!(
        get(client, "/ServiceProviderConfig", &mut spc_probe),
        get(client, "/Schemas", &mut schemas_probe),
        get(client, "/ResourceTypes", &mut types_probe),
    );
    let resp = spc_resp?;
    let (schemas_resp, types_resp) = (schemas_resp?, types_resp?);
    probes.extend(spc_probe.into_iter().chain(schemas_probe).chain(types_probe));

    // RFC 7644 section 4: the ServiceProviderConfig.
    let spc = match (unreadable(&resp, "/ServiceProviderConfig", &mut findings), &resp.json) {
        (None, Some(json)) => match ServiceProviderConfig::from_json(json) {
            Ok(spc) => Some(spc),
            Err(e) => {
                findings.push(Finding::Unreadable { endpoint: "/ServiceProviderConfig", reason: e.to_string() });
                None
            }
        },
        _ => None,
    };

    // RFC 7643 section 7: the server's schemas replace RFC 7643's where they share an id.
    let mut registry = SchemaRegistry::core().clone();
    let resp = schemas_resp;
    if let (None, Some(json)) = (unreadable(&resp, "/Schemas", &mut findings), &resp.json)
        && let Err(e) = registry.load_schemas(json)
    {
        findings.push(Finding::Unreadable { endpoint: "/Schemas", reason: e.to_string() });
    }

    // RFC 7643 section 6: resource types, each endpoint resolved against the base URL.
    let mut resource_types = Vec::new();
    let mut enterprise = false;
    let resp = types_resp;
    if let (None, Some(json)) = (unreadable(&resp, "/ResourceTypes", &mut findings), &resp.json) {
        for (i, item) in items(json).into_iter().enumerate() {
            let mut rt: ResourceType = match serde_json::from_value(item.clone()) {
                Ok(rt) => rt,
                Err(e) => {
                    let name = item.get("name").and_then(Value::as_str).unwrap_or("?");
                    let reason = format!("resource type #{i} ({name}) is not a valid ResourceType: {e}");
                    findings.push(Finding::Unreadable { endpoint: "/ResourceTypes", reason });
                    continue;
                }
            };
            let (endpoint, form) = match resolve_endpoint(client.base_url(), &rt.endpoint) {
                Ok(r) => r,
                Err(reason) => {
                    let (resource_type, published) = (rt.name.clone(), rt.endpoint.clone());
                    findings.push(Finding::EndpointRefused { resource_type, published, reason });
                    continue;
                }
            };
            if form != EndpointForm::Relative {
                findings.push(Finding::EndpointForm {
                    resource_type: rt.name.clone(),
                    published: rt.endpoint.clone(),
                    form,
                    resolved: endpoint.clone(),
                });
            }
            if rt.name.eq_ignore_ascii_case("User") {
                enterprise = rt.schema_extensions.iter().any(|e| e.schema.eq_ignore_ascii_case(ENTERPRISE_USER_URN));
            }
            let published = std::mem::replace(&mut rt.endpoint, endpoint.clone());
            resource_types.push(ResolvedType { name: rt.name.clone(), endpoint, published, form });
            registry.add_resource_type(rt);
        }
    }

    // The collections every job uses: the published endpoint first, then the RFC's usual one, each probed.
    // Users and Groups are probed side by side; their probes and findings are kept in that order.
    let (user_probe, group_probe) = tokio::join!(
        probe_collection(client, &resource_types, "User", "/Users"),
        probe_collection(client, &resource_types, "Group", "/Groups"),
    );
    let mut listed = false;
    let mut found = [None, None];
    for (slot, probed) in found.iter_mut().zip([user_probe?, group_probe?]) {
        probes.extend(probed.probes);
        findings.extend(probed.findings);
        listed |= probed.listed;
        *slot = probed.endpoint;
    }
    let [users, groups] = found;

    if spc.is_none() && !listed {
        return Err(DiscoveryError::NotScim { url: client.base_url().to_owned(), tried: probes, hint: hint(client) });
    }
    Ok(Discovery { spc, registry, resource_types, users, groups, enterprise, probes, findings })
}

/// What probing one collection found.
struct Probed {
    endpoint: Option<String>,
    listed: bool,
    probes: Vec<Probe>,
    findings: Vec<Finding>,
}

/// Probes the collection of resource type `name`: its published endpoint first, then the RFC's usual one
/// (`fallback`), until one answers with a list.
async fn probe_collection(
    client: &ScimClient,
    resource_types: &[ResolvedType],
    name: &str,
    fallback: &str,
) -> Result<Probed, DiscoveryError> {
    let mut probed = Probed { endpoint: None, listed: false, probes: Vec::new(), findings: Vec::new() };
    let published = resource_types.iter().find(|t| t.name.eq_ignore_ascii_case(name)).map(|t| t.endpoint.clone());
    let mut candidates: Vec<(String, bool)> = published.iter().map(|p| (p.clone(), true)).collect();
    if published.as_deref() != Some(fallback) {
        candidates.push((fallback.to_owned(), false));
    }
    for (endpoint, is_published) in candidates {
        let path = format!("{endpoint}?count=1");
        let url = client.url_for(&path);
        let resp = get(client, &path, &mut probed.probes).await?;
        let answer = Answer::of(&resp);
        if answer.is_list() {
            probed.listed = true;
            probed.endpoint = Some(endpoint);
            break;
        }
        // A published endpoint that answers with anything but "not here" is kept: its checks judge it.
        let used = is_published && !answer.is_absent();
        if is_published || !answer.is_absent() {
            probed.findings.push(Finding::EndpointUnanswered { resource_type: name.to_owned(), url, answer, used });
        }
        if used {
            probed.endpoint = Some(endpoint);
            break;
        }
    }
    Ok(probed)
}

/// The likely fix when nothing at the base URL speaks SCIM.
fn hint(client: &ScimClient) -> String {
    if client.base_url().ends_with("/scim/v2") {
        "is the base URL right? it is the URL the server's SCIM endpoints hang under, the one /Users is appended to"
            .to_owned()
    } else {
        "is the base URL right? it usually ends in /scim/v2".to_owned()
    }
}

/// RFC 7643 section 6: resolves a published `endpoint` against `base` (the service provider's base URL),
/// returning the path relative to the base with one leading `/` and the form it was published in.
///
/// Accepted: relative (`/Users`, `Users`), an absolute path under the base path (`/scim/v2/Users`), an absolute
/// URL on the base's origin under its path. Refused (with the reason): another origin, a path outside the base,
/// a query or fragment, empty or dot segments.
pub fn resolve_endpoint(base: &str, endpoint: &str) -> Result<(String, EndpointForm), String> {
    let e = endpoint.trim();
    if e.is_empty() {
        return Err("it is empty".into());
    }
    if e.contains(['?', '#']) {
        return Err("it carries a query or fragment; an endpoint is a path".into());
    }
    let base_url = reqwest::Url::parse(base).map_err(|err| format!("the base URL {base:?} is not a URL: {err}"))?;
    let base_path = base_url.path().trim_end_matches('/');
    let has_scheme = e.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty() && !s.contains('/') && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let (rest, form) = if has_scheme || e.starts_with("//") {
        let url = base_url
            .join(e)
            .map_err(|err| format!("it is not a valid URL ({err}); an endpoint is a path relative to the base URL"))?;
        if url.origin() != base_url.origin() {
            return Err(format!(
                "it names another origin than the base URL ({}); requests go only to the base URL's origin",
                base_url.origin().ascii_serialization()
            ));
        }
        let Some(rest) = under(url.path(), base_path) else {
            return Err(format!("its path {:?} is not under the base path {base_path:?}", url.path()));
        };
        (rest.to_owned(), EndpointForm::AbsoluteUrl)
    } else if !base_path.is_empty() && e.trim_end_matches('/') == base_path {
        return Err("it names the base URL itself, not a resource endpoint".into());
    } else if let Some(rest) = under(e, base_path).filter(|_| !base_path.is_empty()) {
        (rest.to_owned(), EndpointForm::AbsolutePath)
    } else {
        (e.to_owned(), EndpointForm::Relative)
    };
    let trimmed = rest.trim_start_matches('/').trim_end_matches('/');
    if trimmed.is_empty() {
        return Err("it names the base URL itself, not a resource endpoint".into());
    }
    if trimmed.split('/').any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\')) {
        return Err("it has empty, dot or backslash segments; an endpoint is a plain path like /Users".into());
    }
    Ok((format!("/{trimmed}"), form))
}

/// `path` without the leading `base_path`, when `path` lies strictly under it (`/scim/v2/Users` under
/// `/scim/v2` is `/Users`).
fn under<'p>(path: &'p str, base_path: &str) -> Option<&'p str> {
    let rest = path.strip_prefix(base_path)?;
    rest.starts_with('/').then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://h:8080/scim/v2";

    fn ok(e: &str) -> (String, EndpointForm) {
        resolve_endpoint(BASE, e).unwrap_or_else(|r| panic!("{e:?} refused: {r}"))
    }

    #[test]
    fn relative_forms_resolve_to_themselves() {
        assert_eq!(ok("/Users"), ("/Users".into(), EndpointForm::Relative));
        assert_eq!(ok("Users"), ("/Users".into(), EndpointForm::Relative));
        assert_eq!(ok("/Users/"), ("/Users".into(), EndpointForm::Relative));
        assert_eq!(ok("/custom/Roles"), ("/custom/Roles".into(), EndpointForm::Relative));
    }

    #[test]
    fn an_absolute_path_under_the_base_loses_the_base_path() {
        assert_eq!(ok("/scim/v2/Users"), ("/Users".into(), EndpointForm::AbsolutePath));
        // Only a whole segment counts: /scim/v2Users is a relative path that happens to share characters.
        assert_eq!(ok("/scim/v2Users"), ("/scim/v2Users".into(), EndpointForm::Relative));
    }

    #[test]
    fn an_absolute_url_on_the_same_origin_resolves() {
        assert_eq!(ok("http://h:8080/scim/v2/Users"), ("/Users".into(), EndpointForm::AbsoluteUrl));
        assert_eq!(ok("HTTP://H:8080/scim/v2/Groups"), ("/Groups".into(), EndpointForm::AbsoluteUrl));
        assert_eq!(ok("//h:8080/scim/v2/Users"), ("/Users".into(), EndpointForm::AbsoluteUrl));
    }

    #[test]
    fn other_origins_and_paths_outside_the_base_are_refused() {
        for e in [
            "https://h:8080/scim/v2/Users",
            "http://h/scim/v2/Users",
            "http://other:8080/scim/v2/Users",
            "http://h:8080/other/Users",
            "http://h:8080/scim/v2",
            "/scim/v2",
            "/Users/../Groups",
            "./Users",
            "/Users?x=1",
            "",
            "  ",
            "mailto:x@y",
        ] {
            assert!(resolve_endpoint(BASE, e).is_err(), "{e:?} should be refused");
        }
    }

    #[test]
    fn a_base_at_the_root_takes_paths_as_relative() {
        assert_eq!(resolve_endpoint("http://h", "/Users"), Ok(("/Users".into(), EndpointForm::Relative)));
        assert_eq!(resolve_endpoint("http://h/", "http://h/Users"), Ok(("/Users".into(), EndpointForm::AbsoluteUrl)));
    }

    #[test]
    fn the_bulk_helpers_read_the_announced_limits() {
        let mut d = Discovery {
            spc: None,
            registry: SchemaRegistry::empty(),
            resource_types: Vec::new(),
            users: None,
            groups: None,
            enterprise: false,
            probes: Vec::new(),
            findings: Vec::new(),
        };
        assert_eq!(d.bulk_max_operations(), None);
        let mut spc = ServiceProviderConfig::default();
        spc.bulk.supported = true;
        spc.bulk.max_operations = 100;
        d.spc = Some(spc.clone());
        assert_eq!((d.bulk_max_operations(), d.bulk_max_payload()), (Some(100), None));
        spc.bulk.supported = false;
        d.spc = Some(spc);
        assert_eq!(d.bulk_max_operations(), None);
    }
}
