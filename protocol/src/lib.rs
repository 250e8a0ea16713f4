//! scimlab-protocol: RFC 7643 and RFC 7644 as data and pure functions.
//!
//! This crate is the reference semantics scimlab judges other servers by: schemas and attribute resolution,
//! filters (lexer, parser, printer, evaluator), PATCH paths and operations, projection, sorting and pagination,
//! bulk, the SCIM error type, and the `Exchange` evidence record; and, because every crate can reach it, the few
//! text rules all commands share (durations, "did you mean"). It does no I/O and nothing async, and it must
//! never import another scimlab crate: everything else imports it.

#[cfg(any(test, feature = "arbitrary"))]
pub mod arbitrary;
pub mod base64;
pub mod bulk;
pub mod duration;
pub mod error;
pub mod exchange;
pub mod filter;
pub mod json;
pub mod list;
mod members;
pub mod model;
pub mod patch;
pub mod path;
pub mod projection;
pub mod schema;
pub mod sort;
pub mod spc;
pub mod suggest;
pub mod uri;
pub mod validate;

pub use error::{ScimError, ScimType};
pub use filter::Filter;
pub use path::PatchPath;
pub use schema::{AttributeDef, ResourceView, SchemaRegistry};
