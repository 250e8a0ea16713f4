//! The schema registry and attribute resolution.
//!
//! RFC 7643 section 2.1: attribute names are case-insensitive. RFC 7644 section 3.10: an attribute may be named
//! with its schema URN as a prefix (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`); without
//! one it is looked up in the resource type's core schema, then in the common attributes of RFC 7643 section 3.1,
//! then in the extensions. Extension attribute values live in the resource under a key that is the extension's URN.

use super::attribute::{AttrType, AttributeDef, Mutability, Returned, Uniqueness};
use super::builtin::{CORE_SCHEMAS_JSON, RESOURCE_TYPES_JSON, SERVICE_SCHEMAS_JSON};
use crate::error::ScimError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

/// RFC 7643 section 7: a Schema resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schema {
    /// The schema URN.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The attributes the schema defines.
    #[serde(default)]
    pub attributes: Vec<AttributeDef>,
}

impl Schema {
    /// The attribute called `name`, case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&AttributeDef> {
        self.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// RFC 7643 section 6: an extension a resource type carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemaExtension {
    /// The extension's schema URN.
    pub schema: String,
    /// Whether every resource of the type must carry the extension.
    #[serde(default)]
    pub required: bool,
}

/// RFC 7643 section 6: a ResourceType resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceType {
    /// Identifier (usually the same as the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The type's name (`User`), used in `meta.resourceType`.
    pub name: String,
    /// Endpoint path relative to the base URL (`/Users`).
    pub endpoint: String,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The core schema URN.
    pub schema: String,
    /// The extensions this type may carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schema_extensions: Vec<SchemaExtension>,
}

/// A set of schemas and resource types, with name resolution.
#[derive(Debug, Clone, Default)]
pub struct SchemaRegistry {
    schemas: Vec<Schema>,
    resource_types: Vec<ResourceType>,
    common: Vec<AttributeDef>,
}

/// Where an attribute name resolved to.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    /// The definition.
    pub attr: &'a AttributeDef,
    /// `Some(urn)` when the value lives under the extension's key; `None` when it sits at the resource's top
    /// level (core schema and common attributes).
    pub extension: Option<&'a str>,
}

/// One resource type with its schemas: the view filters, PATCH and projection resolve names through.
#[derive(Debug, Clone)]
pub struct ResourceView<'a> {
    /// The resource type.
    pub resource_type: &'a ResourceType,
    /// Its core schema.
    pub core: &'a Schema,
    /// Its extensions, with whether each is required. An extension the registry lacks is left out.
    pub extensions: Vec<(&'a Schema, bool)>,
    common: &'a [AttributeDef],
}

impl SchemaRegistry {
    /// An empty registry (still knows the common attributes of RFC 7643 section 3.1).
    pub fn empty() -> Self {
        SchemaRegistry { schemas: Vec::new(), resource_types: Vec::new(), common: common_attributes() }
    }

    /// The RFC 7643 registry: User (with the enterprise extension) and Group, plus the service schemas. Built once.
    pub fn core() -> &'static SchemaRegistry {
        static CORE: OnceLock<SchemaRegistry> = OnceLock::new();
        CORE.get_or_init(|| {
            let mut r = SchemaRegistry::empty();
            for src in [CORE_SCHEMAS_JSON, SERVICE_SCHEMAS_JSON] {
                let v: Value = serde_json::from_str(src).unwrap_or(Value::Null);
                // The built-in JSON is tested to load; a failure here would be a build defect caught by tests.
                let _ = r.load_schemas(&v);
            }
            let v: Value = serde_json::from_str(RESOURCE_TYPES_JSON).unwrap_or(Value::Null);
            let _ = r.load_resource_types(&v);
            r
        })
    }

    /// Adds a schema, replacing any with the same id.
    pub fn add_schema(&mut self, schema: Schema) {
        match self.schemas.iter_mut().find(|s| s.id.eq_ignore_ascii_case(&schema.id)) {
            Some(slot) => *slot = schema,
            None => self.schemas.push(schema),
        }
    }

    /// Adds a resource type, replacing any with the same name.
    pub fn add_resource_type(&mut self, rt: ResourceType) {
        match self.resource_types.iter_mut().find(|r| r.name.eq_ignore_ascii_case(&rt.name)) {
            Some(slot) => *slot = rt,
            None => self.resource_types.push(rt),
        }
    }

    /// Loads Schema resources as a server publishes them at `/Schemas`: a ListResponse, a bare array, or one
    /// Schema. Returns how many were loaded. A malformed schema is an invalidSyntax error naming it.
    pub fn load_schemas(&mut self, json: &Value) -> Result<usize, ScimError> {
        let items = resources_of(json);
        let mut n = 0;
        for (i, item) in items.iter().enumerate() {
            let schema: Schema = serde_json::from_value((*item).clone()).map_err(|e| {
                let id = item.get("id").and_then(Value::as_str).unwrap_or("?");
                ScimError::invalid_syntax(format!("schema #{i} ({id}) is not a valid Schema resource: {e}"))
            })?;
            self.add_schema(schema);
            n += 1;
        }
        Ok(n)
    }

    /// Loads ResourceType resources (a ListResponse, a bare array, or one). Returns how many were loaded.
    pub fn load_resource_types(&mut self, json: &Value) -> Result<usize, ScimError> {
        let items = resources_of(json);
        let mut n = 0;
        for (i, item) in items.iter().enumerate() {
            let rt: ResourceType = serde_json::from_value((*item).clone()).map_err(|e| {
                let name = item.get("name").and_then(Value::as_str).unwrap_or("?");
                ScimError::invalid_syntax(format!("resource type #{i} ({name}) is not a valid ResourceType: {e}"))
            })?;
            self.add_resource_type(rt);
            n += 1;
        }
        Ok(n)
    }

    /// All schemas, in load order.
    pub fn schemas(&self) -> &[Schema] {
        &self.schemas
    }

    /// All resource types, in load order.
    pub fn resource_types(&self) -> &[ResourceType] {
        &self.resource_types
    }

    /// The common attributes of RFC 7643 section 3.1 (`id`, `externalId`, `meta`).
    pub fn common_attributes(&self) -> &[AttributeDef] {
        &self.common
    }

    /// The schema with this URN, case-insensitively.
    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        self.schemas.iter().find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// The resource type with this name (`User`) or endpoint (`/Users`, `Users`), case-insensitively.
    pub fn resource_type(&self, name_or_endpoint: &str) -> Option<&ResourceType> {
        let bare = name_or_endpoint.trim_start_matches('/');
        self.resource_types.iter().find(|r| {
            r.name.eq_ignore_ascii_case(bare) || r.endpoint.trim_start_matches('/').eq_ignore_ascii_case(bare)
        })
    }

    /// The view of one resource type, by name or endpoint. `None` when the type or its core schema is unknown.
    pub fn view(&self, name_or_endpoint: &str) -> Option<ResourceView<'_>> {
        let rt = self.resource_type(name_or_endpoint)?;
        let core = self.schema(&rt.schema)?;
        let extensions =
            rt.schema_extensions.iter().filter_map(|e| self.schema(&e.schema).map(|s| (s, e.required))).collect();
        Some(ResourceView { resource_type: rt, core, extensions, common: &self.common })
    }

    /// The User view of this registry. Panics never: falls back to the built-in registry's User.
    pub fn user(&self) -> ResourceView<'_> {
        self.view("User").unwrap_or_else(|| builtin_view("User"))
    }

    /// The Group view of this registry, falling back to the built-in one.
    pub fn group(&self) -> ResourceView<'_> {
        self.view("Group").unwrap_or_else(|| builtin_view("Group"))
    }
}

fn builtin_view(name: &str) -> ResourceView<'static> {
    let core = SchemaRegistry::core();
    match core.view(name) {
        Some(v) => v,
        // The built-in registry always has User and Group (tested); keep a total function regardless.
        None => {
            ResourceView { resource_type: &FALLBACK_RT, core: &FALLBACK_SCHEMA, extensions: Vec::new(), common: &[] }
        }
    }
}

static FALLBACK_RT: ResourceType = ResourceType {
    id: None,
    name: String::new(),
    endpoint: String::new(),
    description: String::new(),
    schema: String::new(),
    schema_extensions: Vec::new(),
};
static FALLBACK_SCHEMA: Schema =
    Schema { id: String::new(), name: String::new(), description: String::new(), attributes: Vec::new() };

impl<'a> ResourceView<'a> {
    /// Every schema URN a resource of this type may list in `schemas`: the core one first.
    pub fn schema_urns(&self) -> impl Iterator<Item = &'a str> + '_ {
        std::iter::once(self.core.id.as_str()).chain(self.extensions.iter().map(|(s, _)| s.id.as_str()))
    }

    /// The extension schema with this URN, if the type carries it.
    pub fn extension(&self, urn: &str) -> Option<&'a Schema> {
        self.extensions.iter().map(|(s, _)| *s).find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Whether `urn` names this type's core schema.
    pub fn is_core_urn(&self, urn: &str) -> bool {
        self.core.id.eq_ignore_ascii_case(urn)
    }

    /// The common attributes of RFC 7643 section 3.1.
    pub fn common(&self) -> &'a [AttributeDef] {
        self.common
    }

    /// Resolves a top-level attribute name, optionally qualified by a schema URN (RFC 7644 section 3.10).
    /// Unqualified names are tried in the core schema, then the common attributes, then each extension.
    pub fn resolve(&self, urn: Option<&str>, name: &str) -> Option<Resolved<'a>> {
        match urn {
            Some(u) if self.is_core_urn(u) => self.resolve_core(name),
            Some(u) => {
                let ext = self.extension(u)?;
                ext.attribute(name).map(|attr| Resolved { attr, extension: Some(ext.id.as_str()) })
            }
            None => self.resolve_core(name).or_else(|| {
                self.extensions
                    .iter()
                    .find_map(|(s, _)| s.attribute(name).map(|attr| Resolved { attr, extension: Some(s.id.as_str()) }))
            }),
        }
    }

    fn resolve_core(&self, name: &str) -> Option<Resolved<'a>> {
        self.core
            .attribute(name)
            .or_else(|| self.common.iter().find(|a| a.name.eq_ignore_ascii_case(name)))
            .map(|attr| Resolved { attr, extension: None })
    }

    /// Resolves a full attribute path in text form: `name`, `name.sub`, `urn:...:name` or `urn:...:name.sub`.
    /// Returns the top-level resolution and the sub-attribute definition when one was named.
    pub fn resolve_dotted(&self, path: &str) -> Option<(Resolved<'a>, Option<&'a AttributeDef>)> {
        let (urn, rest) = split_urn(path);
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n, Some(s)),
            None => (rest, None),
        };
        let r = self.resolve(urn, name)?;
        match sub {
            None => Some((r, None)),
            Some(s) => r.attr.sub(s).map(|d| (r, Some(d))),
        }
    }
}

/// Splits `urn:...:name.sub` into its URN and the attribute part. The URN ends at the last `:`; text that does
/// not start with `urn:` has no URN. URNs may themselves contain dots (`...:2.0:User`), so the split must not
/// look at dots before the last colon.
pub fn split_urn(path: &str) -> (Option<&str>, &str) {
    if path.len() > 4
        && path.is_char_boundary(4)
        && path[..4].eq_ignore_ascii_case("urn:")
        && let Some(i) = path.rfind(':')
    {
        return (Some(&path[..i]), &path[i + 1..]);
    }
    (None, path)
}

fn resources_of(json: &Value) -> Vec<&Value> {
    match json {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match o.get("Resources") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![json],
        },
        _ => Vec::new(),
    }
}

/// RFC 7643 section 3.1: `id`, `externalId` and `meta`, which every resource has but no schema lists.
fn common_attributes() -> Vec<AttributeDef> {
    let mut id = AttributeDef::new("id", AttrType::String);
    id.case_exact = true;
    id.mutability = Mutability::ReadOnly;
    id.returned = Returned::Always;
    id.uniqueness = Uniqueness::Server;
    id.description = "Unique identifier assigned by the service provider.".into();
    let mut external_id = AttributeDef::new("externalId", AttrType::String);
    external_id.case_exact = true;
    external_id.description = "Identifier of the resource as the provisioning client knows it.".into();
    let ro = |name: &str, kind: AttrType, case_exact: bool| {
        let mut a = AttributeDef::new(name, kind);
        a.mutability = Mutability::ReadOnly;
        a.case_exact = case_exact;
        a
    };
    let mut location = ro("location", AttrType::Reference, true);
    location.reference_types = vec!["uri".into()];
    let mut meta = ro("meta", AttrType::Complex, false);
    meta.description = "Resource metadata maintained by the service provider.".into();
    meta.sub_attributes = vec![
        ro("resourceType", AttrType::String, true),
        ro("created", AttrType::DateTime, false),
        ro("lastModified", AttrType::DateTime, false),
        location,
        ro("version", AttrType::String, true),
    ];
    let mut schemas = AttributeDef::new("schemas", AttrType::Reference);
    schemas.multi_valued = true;
    schemas.required = true;
    schemas.returned = Returned::Always;
    schemas.synthetic = true;
    [id, external_id, meta, schemas]
        .into_iter()
        .map(|mut a| {
            a.synthetic = true;
            a
        })
        .collect()
}
