//! An upper bound on what applying a PATCH request to a resource costs, computed before anything is applied, so
//! that a server can refuse a request that would keep it busy (RFC 7644 section 3.12 offers `tooMany` for "more
//! than the server is willing to process").
//!
//! The cost that grows without bound is the work on multi-valued attributes: a value filter is evaluated on every
//! element (`emails[value sw "e"].type` on a user with 2,000 emails is 2,000 evaluations, and each match is an
//! edit), an `add` compares every given element with every stored one, a `remove` with a value list compares
//! every listed value with every element. The bound counts, per operation, the elements of the attribute it
//! targets (as stored, plus every element earlier operations of the request may have added) times the size of
//! what it brings (the given elements, plus the terms of its filter). Everything else an operation does is
//! small and counted as one element.

use super::request::PatchRequest;
use crate::filter::Filter;
use crate::json::get_ci;
use serde_json::{Map, Value};

/// RFC 7644 section 3.5.2: an upper bound, in element visits, on applying `req` to `resource` (see the module
/// documentation). Linear in the size of the request; does not evaluate any filter.
pub fn work_bound(resource: &Value, req: &PatchRequest) -> u64 {
    let empty = Map::new();
    let obj = resource.as_object().unwrap_or(&empty);
    let mut grown: u64 = 0;
    let mut total: u64 = 0;
    for op in &req.operations {
        let given = op.value.as_ref().map_or(0, elements_in);
        let cost = match &op.path {
            Some(path) => {
                let stored = stored_len(obj, path.urn.as_deref(), &path.name);
                let brings = given.max(1).saturating_add(path.filter.as_ref().map_or(0, terms));
                stored.saturating_add(grown).saturating_add(1).saturating_mul(brings.saturating_add(1))
            }
            None => match &op.value {
                Some(Value::Object(members)) => members_cost(obj, None, members, grown),
                _ => 1,
            },
        };
        total = total.saturating_add(cost);
        grown = grown.saturating_add(given);
    }
    total
}

/// The cost of a path-less value object: each member is an attribute set as if it were the path (an extension
/// URN holds an object of that extension's attributes).
fn members_cost(obj: &Map<String, Value>, within: Option<&str>, members: &Map<String, Value>, grown: u64) -> u64 {
    let mut cost: u64 = 0;
    for (key, v) in members {
        let part = match (within, v) {
            (None, Value::Object(inner)) if key.contains(':') && get_ci(obj, key).is_none_or(Value::is_object) => {
                members_cost(obj, Some(key), inner, grown)
            }
            _ => {
                let name = key.rsplit_once(':').map_or(key.as_str(), |(_, n)| n);
                let name = name.split_once('.').map_or(name, |(n, _)| n);
                let urn = within.or_else(|| key.rsplit_once(':').map(|(u, _)| u));
                let stored = stored_len(obj, urn, name);
                let brings = elements_in(v).max(1);
                stored.saturating_add(grown).saturating_add(1).saturating_mul(brings.saturating_add(1))
            }
        };
        cost = cost.saturating_add(part);
    }
    cost
}

/// How many elements the attribute `name` (under the extension `urn`, when the resource has an object keyed by
/// it) holds now: an array's length, 1 for any other value, 0 when absent.
fn stored_len(obj: &Map<String, Value>, urn: Option<&str>, name: &str) -> u64 {
    let holder = urn.and_then(|u| get_ci(obj, u)).and_then(Value::as_object).unwrap_or(obj);
    get_ci(holder, name).map_or(0, elements_in)
}

/// The elements a value brings: an array's length, 1 for anything else.
fn elements_in(v: &Value) -> u64 {
    match v {
        Value::Array(items) => items.len() as u64,
        _ => 1,
    }
}

/// The comparisons one evaluation of a filter makes, at most.
fn terms(f: &Filter) -> u64 {
    match f {
        Filter::Attr(_) => 1,
        Filter::And(a, b) | Filter::Or(a, b) => terms(a).saturating_add(terms(b)),
        Filter::Not(a) => terms(a),
        Filter::ValuePath(vp) => terms(&vp.filter).saturating_add(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::PatchOptions;
    use serde_json::json;

    fn req(ops: Value) -> PatchRequest {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        PatchRequest::from_json(&body, &PatchOptions::lenient()).expect("test request reads").0
    }

    fn user_with_emails(n: usize) -> Value {
        let emails: Vec<Value> = (0..n).map(|i| json!({"value": format!("e{i}@x.example")})).collect();
        json!({"userName": "u", "emails": emails})
    }

    #[test]
    fn a_filtered_operation_costs_the_elements_it_scans() {
        let one = req(json!([{"op": "replace", "path": "emails[value sw \"e\"].type", "value": "home"}]));
        let small = work_bound(&user_with_emails(10), &one);
        let large = work_bound(&user_with_emails(2000), &one);
        assert!(large >= 2000, "{large}");
        assert!(large > 100 * small, "{small} vs {large}");
    }

    #[test]
    fn the_hostile_request_costs_operations_times_elements() {
        let ops: Vec<Value> =
            (0..1000).map(|_| json!({"op": "replace", "path": "emails[value sw \"e\"].type", "value": "x"})).collect();
        assert!(work_bound(&user_with_emails(2000), &req(Value::Array(ops))) >= 2_000_000);
    }

    #[test]
    fn small_requests_cost_little() {
        let entra = req(json!([
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "members", "value": [{"value": "a"}]},
            {"op": "replace", "value": {"displayName": "x", "name.givenName": "y"}},
        ]));
        assert!(work_bound(&json!({"userName": "u"}), &entra) < 50);
    }

    #[test]
    fn earlier_additions_count_for_later_operations() {
        let added: Vec<Value> = (0..500).map(|i| json!({"value": format!("n{i}@x")})).collect();
        let r = req(json!([
            {"op": "add", "path": "emails", "value": added},
            {"op": "remove", "path": "emails[value eq \"n1@x\"]"},
        ]));
        // The remove scans up to the 500 elements the add brought, though the stored user has none.
        assert!(work_bound(&json!({"userName": "u"}), &r) >= 1000);
    }

    #[test]
    fn path_less_values_count_their_members_and_extensions() {
        let ent = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        let r = req(json!([{"op": "add", "value": {"emails": [{"value": "z@x"}], ent: {"department": "d"}}}]));
        let bound = work_bound(&user_with_emails(300), &r);
        assert!((300..10_000).contains(&bound), "{bound}");
    }
}
