//! Integration tests of scimlab-protocol: one binary, one module per area.
mod validate;
mod filter_syntax;
