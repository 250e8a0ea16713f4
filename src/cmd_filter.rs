//! `scimlab filter`: parse and evaluate filters with the protocol crate's reference semantics, so users can see
//! how scimlab reads a filter before they argue with a verdict.

use crate::exit::{Failure, Outcome, read_json_file};
use anyhow::anyhow;
use clap::Subcommand;
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::filter::{self, Matcher};
use serde_json::Value;
use std::path::PathBuf;

/// Subcommands of `scimlab filter`.
#[derive(Debug, Subcommand)]
pub enum FilterCommand {
    /// Parse a filter and print its canonical form; exit 1 with the position of the error if it is malformed.
    Parse {
        /// The filter, e.g. 'emails[type eq "work" and value co "@example.com"]'.
        expr: String,
    },
    /// Print the `id` of every resource in a file that the filter matches, one per line, in input order.
    Eval {
        /// The filter, e.g. 'userName eq "bjensen"'.
        expr: String,
        /// JSON file holding an array of resources (User resources with the enterprise extension by default).
        #[arg(long, value_name = "FILE")]
        resources: PathBuf,
        /// Resource type whose schema guides the comparison (case rules, types): User or Group.
        #[arg(long, default_value = "User", value_name = "TYPE")]
        resource_type: String,
    },
}

/// Runs a `scimlab filter` subcommand.
pub fn run(cmd: FilterCommand) -> Result<Outcome, Failure> {
    match cmd {
        FilterCommand::Parse { expr } => match filter::parse(&expr) {
            Ok(f) => {
                crate::exit::print(&format!("{f}\n"))?;
                Ok(Outcome::Success)
            }
            Err(e) => {
                eprintln!("{}", e.render(&expr));
                Ok(Outcome::Negative)
            }
        },
        FilterCommand::Eval { expr, resources, resource_type } => {
            let registry = SchemaRegistry::core();
            let view = registry.view(&resource_type).ok_or_else(|| {
                Failure::Usage(anyhow!("unknown resource type {resource_type:?}; known types are User and Group"))
            })?;
            let doc = read_json_file(&resources, "resources")?;
            let Value::Array(items) = doc else {
                return Err(Failure::Usage(anyhow!(
                    "resources file {} must hold a JSON array of resources",
                    resources.display()
                )));
            };
            let mut ids = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.get("id").and_then(Value::as_str) {
                    Some(id) if item.is_object() => ids.push(id),
                    _ => {
                        return Err(Failure::Usage(anyhow!(
                            "resources[{i}] in {} is not a resource with a string \"id\"",
                            resources.display()
                        )));
                    }
                }
            }
            let parsed = match filter::parse(&expr) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("{}", e.render(&expr));
                    return Ok(Outcome::Negative);
                }
            };
            let matcher = match Matcher::compile(&parsed, &view) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("invalid filter: {}", e.detail);
                    return Ok(Outcome::Negative);
                }
            };
            let mut out = String::new();
            for (item, id) in items.iter().zip(ids) {
                if matcher.matches(item) {
                    out.push_str(id);
                    out.push('\n');
                }
            }
            crate::exit::print(&out)?;
            Ok(Outcome::Success)
        }
    }
}
