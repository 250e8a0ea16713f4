//! `scimlab patch`: apply a PATCH request to a resource with the protocol crate's reference semantics, strictly by
//! default, or with the leniencies real identity providers need (`--lenient`).

use crate::exit::{Failure, Outcome, read_json_file};
use anyhow::anyhow;
use clap::Subcommand;
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::patch::{self, PatchOptions, PatchRequest};
use std::path::PathBuf;

/// Subcommands of `scimlab patch`.
#[derive(Debug, Subcommand)]
pub enum PatchCommand {
    /// Apply a PatchOp request to a resource and print the result; a refused request prints the SCIM Error and
    /// exits 1.
    Apply {
        /// JSON file holding the resource; its type is read from `meta.resourceType`, else from its core schema
        /// in `schemas` (RFC 7643 section 3).
        #[arg(long, value_name = "FILE")]
        resource: PathBuf,
        /// JSON file holding the PatchOp request body.
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        /// Accept what real IdPs send beyond the RFC: op names in any case, "True" / "False" strings for
        /// booleans, dotted keys in path-less values, remove with a value list, a bare string for a complex
        /// attribute, replace creating a filtered element. Each leniency used is reported on stderr.
        #[arg(long)]
        lenient: bool,
        /// Resource type whose schema governs the PATCH (User or Group), when the resource does not say or says
        /// otherwise.
        #[arg(long, value_name = "TYPE")]
        resource_type: Option<String>,
    },
}

/// Runs a `scimlab patch` subcommand.
pub fn run(cmd: PatchCommand) -> Result<Outcome, Failure> {
    let PatchCommand::Apply { resource, request, lenient, resource_type } = cmd;
    let registry = SchemaRegistry::core();
    let mut target = read_json_file(&resource, "resource")?;
    if !target.is_object() {
        return Err(Failure::Usage(anyhow!("resource file {} must hold a JSON object", resource.display())));
    }
    let resource_type = match resource_type.or_else(|| type_of(&target)) {
        Some(t) => t,
        None => {
            return Err(Failure::Usage(anyhow!(
                "resource file {} names no type (neither meta.resourceType nor the User or Group schema in \
                 schemas); pass --resource-type User or Group",
                resource.display()
            )));
        }
    };
    let view = registry.view(&resource_type).ok_or_else(|| {
        Failure::Usage(anyhow!("unknown resource type {resource_type:?}; known types are User and Group"))
    })?;
    let body = read_json_file(&request, "request")?;
    let opts = if lenient { PatchOptions::lenient() } else { PatchOptions::strict() };
    let applied = PatchRequest::from_json(&body, &opts).and_then(|(req, mut used)| {
        let outcome = patch::apply(&mut target, &req, &view, &opts)?;
        used.extend(outcome.leniencies);
        Ok(used)
    });
    match applied {
        Ok(used) => {
            for u in &used {
                eprintln!("leniency used: Operations[{}]: {:?}: {}", u.operation, u.leniency, u.detail);
            }
            let text = serde_json::to_string_pretty(&target).map_err(|e| Failure::Internal(e.into()))?;
            crate::exit::print(&format!("{text}\n"))?;
            Ok(Outcome::Success)
        }
        Err(e) => {
            let text = serde_json::to_string_pretty(&e.to_json()).map_err(|e| Failure::Internal(e.into()))?;
            crate::exit::print(&format!("{text}\n"))?;
            Ok(Outcome::Negative)
        }
    }
}

/// The resource type a resource names: `meta.resourceType`, else the resource type of its core schema in
/// `schemas` (RFC 7643 section 3: `schemas` lists the core schema and the extensions).
fn type_of(resource: &serde_json::Value) -> Option<String> {
    use scimlab_protocol::schema::{GROUP_URN, USER_URN};
    if let Some(t) = resource.pointer("/meta/resourceType").and_then(serde_json::Value::as_str) {
        return Some(t.to_owned());
    }
    let schemas = resource.get("schemas")?.as_array()?;
    schemas.iter().filter_map(serde_json::Value::as_str).find_map(|urn| {
        if urn.eq_ignore_ascii_case(USER_URN) {
            Some("User".to_owned())
        } else if urn.eq_ignore_ascii_case(GROUP_URN) {
            Some("Group".to_owned())
        } else {
            None
        }
    })
}
