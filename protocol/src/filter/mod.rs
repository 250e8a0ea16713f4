//! RFC 7644 section 3.4.2.2: filters.
//!
//! [`parse`] turns filter text into a [`Filter`] tree; `Display` prints the canonical text back
//! (`parse(&f.to_string()) == Ok(f)`); [`Matcher`] compiles a tree against a resource type's schema and
//! evaluates it over serde_json resources.

mod ast;
mod batch;
mod compare;
mod error;
mod eval;
mod lexer;
mod member;
mod parser;
mod print;

pub use ast::{AttrExp, AttrPath, CompValue, CompareOp, Filter, Test, ValuePath};
pub use batch::{BATCH, Select};
pub(crate) use compare::{fold, parse_datetime};
pub use error::FilterError;
pub use eval::{Matcher, matches};
pub(crate) use parser::parse_patch_path;
pub use parser::{MAX_NESTING, MAX_TREE_DEPTH, parse};
