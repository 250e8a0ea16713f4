//! proptest strategies (feature `arbitrary`): random filters, users and PATCH requests. The protocol crate's own
//! property tests use them, and the harness's differential checks generate their populations and queries with them.

pub mod patch;
pub mod syntax;
pub mod users;
