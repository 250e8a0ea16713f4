//! RFC 7643 section 5: the ServiceProviderConfig resource as a typed model, and the helpers that turn schemas and
//! resource types into the resources a server serves at `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas`.
//!
//! Reading is lenient, because the harness reads whatever a server publishes: member names match without regard
//! to case (RFC 7643 section 2.1), unknown members are ignored, and a missing member takes its default (a
//! capability not advertised counts as unsupported). A member of the wrong type is an error naming it.
//! [`ServiceProviderConfig::missing_required`] reports what the RFC requires but a document lacks, so a check can
//! still judge it. Writing is exact: the RFC's member names, and nothing that was not set.

use crate::error::ScimError;
use crate::json::get_ci;
use crate::schema::{RESOURCE_TYPE_URN, ResourceType, SCHEMA_URN, SERVICE_PROVIDER_CONFIG_URN, Schema};
use crate::validate::describe;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// RFC 7643 section 5: a feature the service provider may or may not support (`patch`, `changePassword`,
/// `sort`, `etag`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Supported {
    /// Whether the feature is supported.
    pub supported: bool,
}

/// RFC 7643 section 5, `bulk`: bulk support and its limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkConfig {
    /// Whether `/Bulk` is supported.
    pub supported: bool,
    /// The most operations one bulk request may carry.
    pub max_operations: u64,
    /// The largest bulk request body accepted, in bytes.
    pub max_payload_size: u64,
}

/// RFC 7643 section 5, `filter`: filter support and the result cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterConfig {
    /// Whether the `filter` query parameter is supported.
    pub supported: bool,
    /// The most resources the server returns in one response.
    pub max_results: u64,
}

/// RFC 7643 section 5, `authenticationSchemes`: one way a client may authenticate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationScheme {
    /// The scheme's keyword: `oauth`, `oauth2`, `oauthbearertoken`, `httpbasic` or `httpdigest` (others are
    /// read as they come).
    #[serde(rename = "type")]
    pub kind: String,
    /// The scheme's common name, such as "OAuth Bearer Token".
    pub name: String,
    /// A description of the scheme.
    pub description: String,
    /// Where the scheme's specification lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spec_uri: Option<String>,
    /// Where the service provider documents its use of the scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// Whether this is the preferred scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// RFC 7643 section 3.1: a resource's `meta`, as far as the server fills it in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The resource type's name (`ServiceProviderConfig`, `User`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// When the resource was created, as an xsd:dateTime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the resource last changed, as an xsd:dateTime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The resource's URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The resource's version (an entity tag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// RFC 7643 section 5: what a service provider supports, as published at `/ServiceProviderConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    /// The schema URNs of the document; [`SERVICE_PROVIDER_CONFIG_URN`] unless a server says otherwise.
    pub schemas: Vec<String>,
    /// Where the service provider's human-readable help lives.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// PATCH support (RFC 7644 section 3.5.2).
    pub patch: Supported,
    /// Bulk support (RFC 7644 section 3.7).
    pub bulk: BulkConfig,
    /// Filter support (RFC 7644 section 3.4.2.2).
    pub filter: FilterConfig,
    /// Whether a client may change a password through `password`.
    pub change_password: Supported,
    /// Sorting support (RFC 7644 section 3.4.2.3).
    pub sort: Supported,
    /// ETag support (RFC 7644 section 3.14).
    pub etag: Supported,
    /// The authentication schemes supported.
    pub authentication_schemes: Vec<AuthenticationScheme>,
    /// Resource metadata, when the document carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Default for ServiceProviderConfig {
    /// Nothing supported, no limits, no authentication schemes.
    fn default() -> Self {
        ServiceProviderConfig {
            schemas: vec![SERVICE_PROVIDER_CONFIG_URN.to_owned()],
            documentation_uri: None,
            patch: Supported::default(),
            bulk: BulkConfig::default(),
            filter: FilterConfig::default(),
            change_password: Supported::default(),
            sort: Supported::default(),
            etag: Supported::default(),
            authentication_schemes: Vec::new(),
            meta: None,
        }
    }
}

/// The RFC 7643 section 5 members a ServiceProviderConfig must carry, and for each object member the members it
/// must carry in turn.
const REQUIRED: [(&str, &[&str]); 7] = [
    ("patch", &["supported"]),
    ("bulk", &["supported", "maxOperations", "maxPayloadSize"]),
    ("filter", &["supported", "maxResults"]),
    ("changePassword", &["supported"]),
    ("sort", &["supported"]),
    ("etag", &["supported"]),
    ("authenticationSchemes", &[]),
];

impl ServiceProviderConfig {
    /// Reads a ServiceProviderConfig document (RFC 7643 section 5) leniently: names match without regard to case,
    /// unknown members are ignored, missing members default (unsupported, zero limits, no schemes; `schemas`
    /// defaults to the ServiceProviderConfig URN). A member present with the wrong type is a 400 invalidValue
    /// naming it (`bulk.maxOperations: expected a non-negative integer, got the string "10"`); a body that is not
    /// an object is 400 invalidSyntax.
    pub fn from_json(json: &Value) -> Result<Self, ScimError> {
        let Value::Object(doc) = json else {
            return Err(ScimError::invalid_syntax(format!(
                "a ServiceProviderConfig must be a JSON object, got {}",
                describe(json)
            )));
        };
        let schemas = match get_ci(doc, "schemas") {
            None | Some(Value::Null) => vec![SERVICE_PROVIDER_CONFIG_URN.to_owned()],
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, v)| string(v, &format!("schemas[{i}]"))).collect::<Result<_, _>>()?
            }
            Some(other) => return Err(wrong("schemas", "an array of strings", other)),
        };
        let bulk = object(doc, "bulk")?;
        let filter = object(doc, "filter")?;
        let schemes = match get_ci(doc, "authenticationSchemes") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                items.iter().enumerate().map(|(i, v)| scheme(v, i)).collect::<Result<_, _>>()?
            }
            Some(other) => return Err(wrong("authenticationSchemes", "an array of objects", other)),
        };
        Ok(ServiceProviderConfig {
            schemas,
            documentation_uri: opt_string(doc, "documentationUri", "documentationUri")?,
            patch: supported(doc, "patch")?,
            bulk: BulkConfig {
                supported: flag(bulk, "supported", "bulk.supported")?,
                max_operations: count(bulk, "maxOperations", "bulk.maxOperations")?,
                max_payload_size: count(bulk, "maxPayloadSize", "bulk.maxPayloadSize")?,
            },
            filter: FilterConfig {
                supported: flag(filter, "supported", "filter.supported")?,
                max_results: count(filter, "maxResults", "filter.maxResults")?,
            },
            change_password: supported(doc, "changePassword")?,
            sort: supported(doc, "sort")?,
            etag: supported(doc, "etag")?,
            authentication_schemes: schemes,
            meta: match get_ci(doc, "meta") {
                None | Some(Value::Null) => None,
                Some(Value::Object(m)) => Some(meta(m)?),
                Some(other) => return Err(wrong("meta", "an object", other)),
            },
        })
    }

    /// RFC 7643 section 5: the members the RFC requires that `json` lacks (or holds as `null`), in the RFC's
    /// spelling, such as `etag` or `bulk.maxPayloadSize`. Empty for a complete document. For checks that judge a
    /// server's document, which [`ServiceProviderConfig::from_json`] reads leniently.
    pub fn missing_required(json: &Value) -> Vec<String> {
        let Value::Object(doc) = json else {
            return REQUIRED.iter().map(|(name, _)| (*name).to_owned()).collect();
        };
        let mut missing = Vec::new();
        for (name, members) in REQUIRED {
            match get_ci(doc, name) {
                None | Some(Value::Null) => missing.push(name.to_owned()),
                Some(Value::Object(o)) => missing.extend(
                    members
                        .iter()
                        .filter(|m| matches!(get_ci(o, m), None | Some(Value::Null)))
                        .map(|m| format!("{name}.{m}")),
                ),
                Some(_) => {}
            }
        }
        missing
    }

    /// The document as JSON, exactly: the RFC's member names in the RFC's order, optional members only when set.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The document as served at `{base_location}/ServiceProviderConfig`: [`ServiceProviderConfig::to_json`]
    /// with `meta.resourceType` and `meta.location` filled in (other `meta` members kept).
    pub fn to_resource_json(&self, base_location: &str) -> Value {
        let mut doc = self.clone();
        let meta = doc.meta.get_or_insert_with(Meta::default);
        meta.resource_type = Some("ServiceProviderConfig".to_owned());
        meta.location = Some(format!("{}/ServiceProviderConfig", base_location.trim_end_matches('/')));
        doc.to_json()
    }
}

impl<'de> Deserialize<'de> for ServiceProviderConfig {
    /// Deserialises through [`ServiceProviderConfig::from_json`], with the same leniency.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(deserializer)?;
        ServiceProviderConfig::from_json(&v).map_err(|e| serde::de::Error::custom(e.detail))
    }
}

fn wrong(member: &str, expected: &str, got: &Value) -> ScimError {
    ScimError::invalid_value(format!("{member}: expected {expected}, got {}", describe(got)))
}

fn string(v: &Value, member: &str) -> Result<String, ScimError> {
    v.as_str().map(str::to_owned).ok_or_else(|| wrong(member, "a string", v))
}

fn opt_string(obj: &Map<String, Value>, key: &str, member: &str) -> Result<Option<String>, ScimError> {
    match get_ci(obj, key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => string(v, member).map(Some),
    }
}

fn flag(obj: Option<&Map<String, Value>>, key: &str, member: &str) -> Result<bool, ScimError> {
    match obj.and_then(|o| get_ci(o, key)) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong(member, "a boolean", other)),
    }
}

fn count(obj: Option<&Map<String, Value>>, key: &str, member: &str) -> Result<u64, ScimError> {
    match obj.and_then(|o| get_ci(o, key)) {
        None | Some(Value::Null) => Ok(0),
        Some(v) => v.as_u64().ok_or_else(|| wrong(member, "a non-negative integer", v)),
    }
}

fn object<'o>(doc: &'o Map<String, Value>, key: &str) -> Result<Option<&'o Map<String, Value>>, ScimError> {
    match get_ci(doc, key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o)),
        Some(other) => Err(wrong(key, "an object", other)),
    }
}

fn supported(doc: &Map<String, Value>, key: &str) -> Result<Supported, ScimError> {
    let obj = object(doc, key)?;
    Ok(Supported { supported: flag(obj, "supported", &format!("{key}.supported"))? })
}

fn scheme(v: &Value, i: usize) -> Result<AuthenticationScheme, ScimError> {
    let at = |m: &str| format!("authenticationSchemes[{i}].{m}");
    let Value::Object(o) = v else {
        return Err(wrong(&format!("authenticationSchemes[{i}]"), "an object", v));
    };
    let text = |key: &str| opt_string(o, key, &at(key)).map(Option::unwrap_or_default);
    Ok(AuthenticationScheme {
        kind: text("type")?,
        name: text("name")?,
        description: text("description")?,
        spec_uri: opt_string(o, "specUri", &at("specUri"))?,
        documentation_uri: opt_string(o, "documentationUri", &at("documentationUri"))?,
        primary: match get_ci(o, "primary") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => return Err(wrong(&at("primary"), "a boolean", other)),
        },
    })
}

fn meta(m: &Map<String, Value>) -> Result<Meta, ScimError> {
    let field = |key: &str| opt_string(m, key, &format!("meta.{key}"));
    Ok(Meta {
        resource_type: field("resourceType")?,
        created: field("created")?,
        last_modified: field("lastModified")?,
        location: field("location")?,
        version: field("version")?,
    })
}

/// Builds a served resource: `schemas` first, then the body's members, then `meta`.
fn served(schema_urn: &str, body: Value, resource_type: &str, location: String) -> Value {
    let mut out = Map::new();
    out.insert("schemas".to_owned(), Value::Array(vec![Value::String(schema_urn.to_owned())]));
    if let Value::Object(members) = body {
        out.extend(members.into_iter().filter(|(k, _)| k != "schemas" && k != "meta"));
    }
    let mut meta = Map::new();
    meta.insert("resourceType".to_owned(), Value::String(resource_type.to_owned()));
    meta.insert("location".to_owned(), Value::String(location));
    out.insert("meta".to_owned(), Value::Object(meta));
    Value::Object(out)
}

impl ResourceType {
    /// RFC 7643 section 6 and RFC 7644 section 4: the resource type as served at
    /// `{base_location}/ResourceTypes/{id}`, with `schemas` and `meta` added. A type without an `id` is served
    /// under its name, which also becomes its `id` (RFC 7643 section 8.6 does the same).
    pub fn to_resource_json(&self, base_location: &str) -> Value {
        let mut rt = self.clone();
        let id = rt.id.get_or_insert_with(|| self.name.clone()).clone();
        let location = format!("{}/ResourceTypes/{id}", base_location.trim_end_matches('/'));
        served(RESOURCE_TYPE_URN, serde_json::to_value(&rt).unwrap_or(Value::Null), "ResourceType", location)
    }
}

impl Schema {
    /// RFC 7643 section 7 and RFC 7644 section 4: the schema as served at `{base_location}/Schemas/{urn}`, with
    /// `schemas` and `meta` added.
    pub fn to_resource_json(&self, base_location: &str) -> Value {
        let location = format!("{}/Schemas/{}", base_location.trim_end_matches('/'), self.id);
        served(SCHEMA_URN, serde_json::to_value(self).unwrap_or(Value::Null), "Schema", location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> Value {
        json!({
            "schemas": [SERVICE_PROVIDER_CONFIG_URN],
            "documentationUri": "https://example.com/help/scim.html",
            "patch": {"supported": true},
            "bulk": {"supported": true, "maxOperations": 1000, "maxPayloadSize": 1048576},
            "filter": {"supported": true, "maxResults": 200},
            "changePassword": {"supported": true},
            "sort": {"supported": true},
            "etag": {"supported": true},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "OAuth Bearer Token",
                "description": "Authentication scheme using the OAuth Bearer Token Standard",
                "specUri": "http://www.rfc-editor.org/info/rfc6750",
                "documentationUri": "http://example.com/help/oauth.html",
                "primary": true
            }],
            "meta": {
                "location": "https://example.com/v2/ServiceProviderConfig",
                "resourceType": "ServiceProviderConfig",
                "created": "2010-01-23T04:56:22Z",
                "lastModified": "2011-05-13T04:42:34Z",
                "version": "W/\"3694e05e9dff594\""
            }
        })
    }

    #[test]
    fn reads_the_rfc_example_and_writes_it_back() {
        let spc = ServiceProviderConfig::from_json(&full()).expect("valid");
        assert!(spc.patch.supported && spc.etag.supported);
        assert_eq!(spc.bulk, BulkConfig { supported: true, max_operations: 1000, max_payload_size: 1_048_576 });
        assert_eq!(spc.filter.max_results, 200);
        assert_eq!(spc.authentication_schemes[0].kind, "oauthbearertoken");
        assert_eq!(spc.authentication_schemes[0].primary, Some(true));
        let written = spc.to_json();
        assert_eq!(ServiceProviderConfig::from_json(&written).expect("round trip"), spc);
        // Same members as the input, whatever the order.
        let (a, b) = (written.as_object().expect("object"), full());
        assert_eq!(a.len(), b.as_object().expect("object").len());
        assert_eq!(written["meta"], b["meta"]);
        assert!(ServiceProviderConfig::missing_required(&full()).is_empty());
    }

    #[test]
    fn reading_is_lenient_about_absence_case_and_extras() {
        let v = json!({"PATCH": {"Supported": true}, "bulk": {"supported": false}, "x-vendor": {"a": 1}});
        let spc = ServiceProviderConfig::from_json(&v).expect("lenient");
        assert!(spc.patch.supported);
        assert!(!spc.filter.supported && !spc.etag.supported);
        assert_eq!(spc.schemas, vec![SERVICE_PROVIDER_CONFIG_URN.to_owned()]);
        assert!(spc.authentication_schemes.is_empty() && spc.meta.is_none());
        assert_eq!(
            ServiceProviderConfig::missing_required(&v),
            [
                "bulk.maxOperations",
                "bulk.maxPayloadSize",
                "filter",
                "changePassword",
                "sort",
                "etag",
                "authenticationSchemes"
            ]
        );
    }

    #[test]
    fn wrong_types_name_the_member() {
        let cases = [
            (
                json!({"bulk": {"maxOperations": "10"}}),
                r#"bulk.maxOperations: expected a non-negative integer, got the string "10""#,
            ),
            (json!({"etag": {"supported": "true"}}), r#"etag.supported: expected a boolean, got the string "true""#),
            (json!({"filter": true}), "filter: expected an object, got the boolean true"),
            (
                json!({"filter": {"maxResults": -1}}),
                "filter.maxResults: expected a non-negative integer, got the number -1",
            ),
            (
                json!({"authenticationSchemes": [{"primary": "yes"}]}),
                "authenticationSchemes[0].primary: expected a boolean",
            ),
            (
                json!({"authenticationSchemes": {"type": "httpbasic"}}),
                "authenticationSchemes: expected an array of objects",
            ),
            (json!({"meta": {"location": 5}}), "meta.location: expected a string, got the number 5"),
        ];
        for (doc, detail) in cases {
            let e = ServiceProviderConfig::from_json(&doc).expect_err("wrong type");
            assert_eq!((e.status, e.scim_type), (400, Some(crate::ScimType::InvalidValue)));
            assert!(e.detail.starts_with(detail), "{:?} should start with {detail:?}", e.detail);
        }
        let e = ServiceProviderConfig::from_json(&json!([1])).expect_err("not an object");
        assert_eq!(e.scim_type, Some(crate::ScimType::InvalidSyntax));
    }

    #[test]
    fn writing_is_exact() {
        let spc = ServiceProviderConfig::default();
        assert_eq!(
            spc.to_json(),
            json!({
                "schemas": [SERVICE_PROVIDER_CONFIG_URN],
                "patch": {"supported": false},
                "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": false, "maxResults": 0},
                "changePassword": {"supported": false},
                "sort": {"supported": false},
                "etag": {"supported": false},
                "authenticationSchemes": []
            })
        );
        let served = spc.to_resource_json("https://example.com/v2/");
        assert_eq!(
            served["meta"],
            json!({"resourceType": "ServiceProviderConfig", "location": "https://example.com/v2/ServiceProviderConfig"})
        );
        let back: ServiceProviderConfig = serde_json::from_value(served).expect("deserialize");
        assert_eq!(back.meta.and_then(|m| m.resource_type).as_deref(), Some("ServiceProviderConfig"));
    }

    #[test]
    fn resource_types_and_schemas_are_served_with_schemas_and_meta() {
        let reg = crate::SchemaRegistry::core();
        let user = reg.resource_type("User").expect("user type");
        let v = user.to_resource_json("https://example.com/v2");
        let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys.first(), Some(&"schemas"));
        assert_eq!(keys.last(), Some(&"meta"));
        assert_eq!(v["schemas"], json!([RESOURCE_TYPE_URN]));
        assert_eq!(v["id"], "User");
        assert_eq!(v["endpoint"], "/Users");
        assert_eq!(v["meta"]["location"], "https://example.com/v2/ResourceTypes/User");
        assert_eq!(v["meta"]["resourceType"], "ResourceType");
        let unnamed = ResourceType { id: None, ..user.clone() };
        assert_eq!(unnamed.to_resource_json("/v2")["id"], "User");

        let schema = reg.schema(crate::schema::USER_URN).expect("user schema");
        let v = schema.to_resource_json("https://example.com/v2");
        assert_eq!(v["schemas"], json!([SCHEMA_URN]));
        assert_eq!(v["meta"]["location"], format!("https://example.com/v2/Schemas/{}", crate::schema::USER_URN));
        let back: Schema = serde_json::from_value(v).expect("a served schema reads back");
        assert_eq!(&back, schema);
    }
}
