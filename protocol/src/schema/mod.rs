//! RFC 7643: schemas as data.
//!
//! [`AttributeDef`] carries every attribute characteristic of section 7; [`Schema`] and [`ResourceType`] are the
//! resources of sections 7 and 6; [`SchemaRegistry`] holds a server's schemas (the built-in core User, Group and
//! EnterpriseUser of section 4, or whatever a server publishes at `/Schemas`) and resolves attribute names the way
//! section 2.1 and RFC 7644 section 3.10 require: case-insensitively, with or without a URN prefix.

mod attribute;
mod builtin;
mod registry;
#[cfg(test)]
mod tests;

pub use attribute::{AttrType, AttributeDef, Mutability, Returned, Uniqueness};
pub use builtin::{
    BULK_REQUEST_URN, BULK_RESPONSE_URN, ENTERPRISE_USER_URN, GROUP_URN, LIST_RESPONSE_URN, PATCH_OP_URN,
    RESOURCE_TYPE_URN, SCHEMA_URN, SEARCH_REQUEST_URN, SERVICE_PROVIDER_CONFIG_URN, USER_URN,
};
pub use registry::split_urn;
pub use registry::{Resolved, ResourceType, ResourceView, Schema, SchemaExtension, SchemaRegistry};
