//! RFC 7643 section 2.2 and section 7: attribute characteristics, as data.
//!
//! An [`AttributeDef`] serialises to exactly the JSON a server publishes under `attributes` in a Schema resource,
//! so the same type reads a server's `/Schemas` and writes ours. Where the RFC gives a default for a missing
//! characteristic (section 2.2), deserialisation applies it.

use serde::{Deserialize, Serialize};

/// RFC 7643 section 2.3: the data type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AttrType {
    /// A sequence of Unicode characters (section 2.3.1).
    String,
    /// `true` or `false` (section 2.3.2).
    Boolean,
    /// A real number with at least one digit after the point (section 2.3.3).
    Decimal,
    /// A whole number with no fractional part (section 2.3.4).
    Integer,
    /// An `xsd:dateTime` string such as `2008-01-23T04:56:22Z`, compared as an instant (section 2.3.5).
    DateTime,
    /// base64-encoded bytes, always case-exact, never ordered (section 2.3.6).
    Binary,
    /// A URI for a resource, always case-exact (section 2.3.7).
    Reference,
    /// A singular or multi-valued container of sub-attributes (section 2.3.8).
    Complex,
}

impl AttrType {
    /// The RFC's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Binary => "binary",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
        }
    }
}

/// RFC 7643 section 7: whether and how an attribute may be changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mutability {
    /// Set by the service provider only; a client's value is ignored (or refused by PATCH).
    ReadOnly,
    /// May be updated and read at any time (the default).
    #[default]
    ReadWrite,
    /// May be set when empty (create, or first assignment), never changed after.
    Immutable,
    /// May be written but is never returned (passwords).
    WriteOnly,
}

/// RFC 7643 section 7: when an attribute appears in a response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Returned {
    /// Always returned, whatever `attributes` / `excludedAttributes` say (`id`, for example).
    Always,
    /// Never returned (`password`).
    Never,
    /// Returned unless excluded (the default).
    #[default]
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

/// RFC 7643 section 7: how unique a value must be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Uniqueness {
    /// No requirement (the default).
    #[default]
    None,
    /// Unique within the service provider's tenant (`userName`).
    Server,
    /// Globally unique.
    Global,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One attribute definition (RFC 7643 section 7, `attributes` and `subAttributes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributeDef {
    /// The attribute's name, in the schema's spelling. Comparisons are case-insensitive (section 2.1).
    pub name: String,
    /// The data type (section 2.3).
    #[serde(rename = "type")]
    pub kind: AttrType,
    /// Whether the attribute holds an array of values.
    #[serde(default)]
    pub multi_valued: bool,
    /// Human-readable description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether a resource must carry a value.
    #[serde(default)]
    pub required: bool,
    /// Suggested values; the service provider may accept others unless it says otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub canonical_values: Vec<String>,
    /// Whether string comparisons respect case. Defaults to false for strings; `reference` and `binary`
    /// values are case-exact whatever this says (section 2.3.6, 2.3.7).
    #[serde(default)]
    pub case_exact: bool,
    /// See [`Mutability`].
    #[serde(default)]
    pub mutability: Mutability,
    /// See [`Returned`].
    #[serde(default)]
    pub returned: Returned,
    /// See [`Uniqueness`].
    #[serde(default)]
    pub uniqueness: Uniqueness,
    /// For `reference` attributes: the resource types or `external` / `uri` it may point to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_types: Vec<String>,
    /// For `complex` attributes: the sub-attributes. The RFC allows only one level of nesting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_attributes: Vec<AttributeDef>,
    /// Not part of the RFC's representation: whether this definition was written by scimlab rather than read.
    #[serde(default, skip_serializing_if = "is_false")]
    pub synthetic: bool,
}

impl AttributeDef {
    /// A definition with the RFC's defaults for everything but name and type.
    pub fn new(name: impl Into<String>, kind: AttrType) -> Self {
        AttributeDef {
            name: name.into(),
            kind,
            multi_valued: false,
            description: String::new(),
            required: false,
            canonical_values: Vec::new(),
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            reference_types: Vec::new(),
            sub_attributes: Vec::new(),
            synthetic: false,
        }
    }

    /// The sub-attribute called `name`, compared case-insensitively (section 2.1).
    pub fn sub(&self, name: &str) -> Option<&AttributeDef> {
        self.sub_attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether string comparisons on this attribute are case-exact. `binary` and `reference` values always are
    /// (RFC 7643 sections 2.3.6 and 2.3.7), whatever `caseExact` says.
    pub fn is_case_exact(&self) -> bool {
        self.case_exact || matches!(self.kind, AttrType::Binary | AttrType::Reference)
    }

    /// Whether this is a multi-valued complex attribute (`emails`, `members`...).
    pub fn is_multi_complex(&self) -> bool {
        self.multi_valued && self.kind == AttrType::Complex
    }
}
