//! Integration tests of scimlab-protocol: one binary, one module per area.
mod schema;
mod validate;
mod filter_syntax;
mod filter_eval;
mod query;
mod patch;
mod bulk;
