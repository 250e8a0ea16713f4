//! Integration tests of scimlab-protocol: one binary, one module per area.
mod bulk;
mod filter_eval;
mod filter_syntax;
mod fuzz;
mod patch;
mod query;
mod schema;
mod validate;
