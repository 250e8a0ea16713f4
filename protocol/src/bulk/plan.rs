//! RFC 7644 sections 3.7 and 3.7.1: how a server runs a bulk request, circular references included.
//!
//! [`plan`] turns a request into steps. Operations run after the POSTs whose bulkIds they reference, in request
//! order wherever the references allow. Section 3.7.1 asks a server to try to resolve circular references (group
//! A has member B, B has member A) rather than refuse them; the plan does it the way the RFC's example implies:
//! within a cycle, operations run in request order, each created without the references to members of its cycle
//! that do not exist yet, and once the whole cycle exists, a PATCH adds the withheld references back. A reference
//! to a bulkId that no POST defines makes its operation a failure step (400 `invalidValue`) without stopping the
//! others.
//!
//! A server executes the steps in order, keeping a map from bulkId to created id: before a `Run` or a `Patch`, it
//! resolves the step's references with [`super::resolve_references`] (and the path with [`super::resolve_path`]);
//! a reference whose operation failed then yields [`super::UnresolvedBulkId`], and the operation fails with 409.
//! It counts errors and consults [`super::should_stop`] before each step; it reports one result per processed
//! operation (a withheld-reference PATCH that fails makes its operation's result that failure). Results may be
//! reported in request order: the RFC fixes no order for them.

use super::model::{BulkMethod, BulkRequest};
use super::refs::{
    Known, UnresolvedBulkId, components, defined, is_cycle, mentions, op_holds_reference, op_refs, ordered_components,
};
use crate::error::ScimError;
use crate::schema::PATCH_OP_URN;
use serde_json::{Map, Value, json};
use std::collections::HashSet;

/// The steps that carry out a bulk request.
#[derive(Debug, Clone, PartialEq)]
pub struct BulkPlan {
    /// In execution order.
    pub steps: Vec<BulkStep>,
}

/// One step of a [`BulkPlan`].
#[derive(Debug, Clone, PartialEq)]
pub enum BulkStep {
    /// Perform `Operations[op]`. `data` is `Some` when circular references were withheld from the operation's
    /// data: send it instead. Every reference left in it names an operation that runs earlier.
    Run {
        /// Index of the operation.
        op: usize,
        /// The data to send instead of the operation's own, when references were withheld.
        data: Option<Value>,
    },
    /// Once every operation of its cycle exists, PATCH the resource `Operations[op]` created with `patch` (a
    /// PatchOp body that adds back the withheld references, still written as `bulkId:` references).
    Patch {
        /// Index of the (POST) operation whose resource is patched.
        op: usize,
        /// The PatchOp body.
        patch: Value,
    },
    /// `Operations[op]` fails without running.
    Fail {
        /// Index of the operation.
        op: usize,
        /// Why: a reference to an undefined bulkId.
        error: ScimError,
    },
}

impl BulkPlan {
    /// The operations in the order their `Run` or `Fail` step comes.
    pub fn order(&self) -> Vec<usize> {
        self.steps
            .iter()
            .filter_map(|s| match s {
                BulkStep::Run { op, .. } | BulkStep::Fail { op, .. } => Some(*op),
                BulkStep::Patch { .. } => None,
            })
            .collect()
    }
}

/// RFC 7644 sections 3.7, 3.7.1 and 3.7.2: plans the execution of `req` (see the module documentation). The one
/// error is a 409, which section 3.7.1 allows when a server cannot resolve a circular reference: a cycle that
/// runs through an operation's `path` (which cannot be withheld and added later). [`BulkRequest::from_json`]
/// never yields such a request, since a POST's path names an endpoint.
pub fn plan(req: &BulkRequest) -> Result<BulkPlan, ScimError> {
    // Without a single reference every operation runs as it is, in request order (the common case, and the
    // costly one to plan in full: a request of 1,000 creates).
    if !req.operations.iter().any(op_holds_reference) {
        return Ok(BulkPlan { steps: (0..req.operations.len()).map(|op| BulkStep::Run { op, data: None }).collect() });
    }
    let def = defined(req);
    let known = Known::new(def.keys().copied());
    let deps = super::dependencies(req);
    let comps = components(&deps);
    let mut steps = Vec::with_capacity(req.operations.len());
    for comp in ordered_components(&deps, &comps) {
        let cyclic = is_cycle(comp, &deps);
        let mut patches = Vec::new();
        for (pos, &i) in comp.iter().enumerate() {
            let op = &req.operations[i];
            if let Some((id, _)) = op_refs(op, &known).into_iter().find(|(_, k)| !k) {
                let error = UnresolvedBulkId { bulk_id: id.to_owned() }.to_scim_error(false);
                let error = ScimError { detail: format!("Operations[{i}]: {}", error.detail), ..error };
                steps.push(BulkStep::Fail { op: i, error });
                continue;
            }
            if !cyclic {
                steps.push(BulkStep::Run { op: i, data: None });
                continue;
            }
            // Members of the cycle that have not run yet (this one included): references to them wait.
            let later: HashSet<&str> = comp[pos..]
                .iter()
                .filter(|&&j| deps[i].contains(&j))
                .filter_map(|&j| req.operations[j].bulk_id.as_deref())
                .collect();
            if later.is_empty() {
                steps.push(BulkStep::Run { op: i, data: None });
                continue;
            }
            let path_refs = mentions(&Value::String(op.path.clone()), &known, &later);
            if path_refs || op.method != BulkMethod::Post {
                return Err(ScimError::new(
                    409,
                    format!(
                        "Operations[{i}] ({} {}) is part of a circular bulkId reference that cannot be deferred \
                         (RFC 7644 section 3.7.1)",
                        op.method, op.path
                    ),
                ));
            }
            let data = op.data.clone().unwrap_or(Value::Null);
            let (kept, withheld) = withhold(data, &known, &later);
            steps.push(BulkStep::Run { op: i, data: Some(kept) });
            patches.push(BulkStep::Patch { op: i, patch: patch_op(withheld) });
        }
        steps.extend(patches);
    }
    Ok(BulkPlan { steps })
}

/// Splits a resource into what can be created now and the attributes (or elements of multi-valued attributes)
/// that reference `later`, as (path, value) pairs for a PATCH `add`. Extension attributes are split one level
/// down, with URN-qualified paths.
fn withhold(data: Value, known: &Known<'_>, later: &HashSet<&str>) -> (Value, Vec<(String, Value)>) {
    let Value::Object(obj) = data else {
        return (data, Vec::new());
    };
    let mut withheld = Vec::new();
    let mut kept = Map::new();
    for (k, v) in obj {
        if !mentions(&v, known, later) {
            kept.insert(k, v);
        } else if k.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) && k.len() > 4 && v.is_object() {
            let (inner, mut w) = withhold(v, known, later);
            for (path, _) in &mut w {
                *path = format!("{k}:{path}");
            }
            withheld.append(&mut w);
            if inner.as_object().is_some_and(|o| !o.is_empty()) {
                kept.insert(k, inner);
            }
        } else if let Value::Array(items) = v {
            let (refs, rest): (Vec<Value>, Vec<Value>) = items.into_iter().partition(|e| mentions(e, known, later));
            withheld.push((k.clone(), Value::Array(refs)));
            if !rest.is_empty() {
                kept.insert(k, Value::Array(rest));
            }
        } else {
            withheld.push((k, v));
        }
    }
    (Value::Object(kept), withheld)
}

fn patch_op(withheld: Vec<(String, Value)>) -> Value {
    let ops: Vec<Value> =
        withheld.into_iter().map(|(path, value)| json!({"op": "add", "path": path, "value": value})).collect();
    json!({ "schemas": [PATCH_OP_URN], "Operations": ops })
}
