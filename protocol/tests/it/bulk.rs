//! RFC 7644 section 3.7: every bulk example of the RFC (3.7.1 circular groups, 3.7.2 user-and-group and
//! enterprise manager, 3.7.3 failOnErrors, 3.7.4 the 413), with the plans and responses written out. A small
//! in-memory executor below runs plans the way the `bulk` module tells a server to.

use scimlab_protocol::ScimError;
use scimlab_protocol::ScimType;
use scimlab_protocol::bulk::{
    BulkMethod, BulkOperationResponse, BulkPlan, BulkRequest, BulkResponse, BulkStep, check_limits, dependencies,
    execution_order, plan, resolve_path, resolve_references, should_stop,
};
use scimlab_protocol::list::DeviationKind;
use scimlab_protocol::schema::split_urn;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const BASE: &str = "https://example.com/v2";

/// A toy service provider: resources by path, ids handed out from a list, some operations made to fail.
struct Toy {
    ids: VecDeque<String>,
    store: HashMap<String, Value>,
    /// Operation index → the error it fails with.
    faults: HashMap<usize, ScimError>,
}

impl Toy {
    fn new(ids: &[&str]) -> Self {
        Toy { ids: ids.iter().map(|s| (*s).to_owned()).collect(), store: HashMap::new(), faults: HashMap::new() }
    }

    /// Runs `plan` for `req` and returns the BulkResponse, results in request order.
    fn run(&mut self, req: &BulkRequest, plan: &BulkPlan) -> BulkResponse {
        let defined: HashSet<&str> = req.operations.iter().filter_map(|o| o.bulk_id.as_deref()).collect();
        let mut created: HashMap<String, String> = HashMap::new();
        let mut results: Vec<Option<BulkOperationResponse>> = vec![None; req.operations.len()];
        let mut errors = 0;
        for step in &plan.steps {
            if should_stop(errors, req.fail_on_errors) {
                break;
            }
            match step {
                BulkStep::Fail { op, error } => {
                    results[*op] = Some(BulkOperationResponse::failed(&req.operations[*op], None, error));
                    errors += 1;
                }
                BulkStep::Run { op, data } => {
                    let o = &req.operations[*op];
                    let mut data = data.clone().or_else(|| o.data.clone());
                    let resolved = resolve_path(&o.path, &created).and_then(|p| match &mut data {
                        Some(d) => resolve_references(d, &created).map(|()| p),
                        None => Ok(p),
                    });
                    let outcome = match (resolved, self.faults.get(op)) {
                        (Err(u), _) => Err(u.to_scim_error(defined.contains(u.bulk_id.as_str()))),
                        (Ok(_), Some(e)) => Err(e.clone()),
                        (Ok(path), None) => self.perform(o.method, &path, data),
                    };
                    match outcome {
                        Ok((status, location)) => {
                            if let (BulkMethod::Post, Some(b)) = (o.method, &o.bulk_id) {
                                let id = location.rsplit('/').next().unwrap_or_default().to_owned();
                                created.insert(b.clone(), id);
                            }
                            results[*op] = Some(BulkOperationResponse {
                                method: o.method,
                                bulk_id: o.bulk_id.clone(),
                                version: (status != 204).then(|| "W/\"1\"".to_owned()),
                                location: Some(format!("{BASE}{location}")),
                                status,
                                response: None,
                            });
                        }
                        Err(e) => {
                            let location = (o.method != BulkMethod::Post).then(|| format!("{BASE}{}", o.path));
                            results[*op] = Some(BulkOperationResponse::failed(o, location, &e));
                            errors += 1;
                        }
                    }
                }
                BulkStep::Patch { op, patch } => {
                    let Some(done) = results[*op].as_mut().filter(|r| r.status == 201) else { continue };
                    let mut patch = patch.clone();
                    let path = done.location.as_deref().and_then(|l| l.strip_prefix(BASE)).unwrap_or("").to_owned();
                    match resolve_references(&mut patch, &created) {
                        Ok(()) => {
                            self.patch(&path, &patch);
                            done.version = Some("W/\"2\"".into());
                        }
                        Err(u) => {
                            let e = u.to_scim_error(true);
                            *done = BulkOperationResponse::failed(&req.operations[*op], done.location.clone(), &e);
                            errors += 1;
                        }
                    }
                }
            }
        }
        BulkResponse { operations: results.into_iter().flatten().collect() }
    }

    fn perform(&mut self, method: BulkMethod, path: &str, data: Option<Value>) -> Result<(u16, String), ScimError> {
        match method {
            BulkMethod::Post => {
                let id = self.ids.pop_front().ok_or_else(|| ScimError::new(500, "out of ids"))?;
                let mut data = data.unwrap_or(Value::Null);
                data["id"] = json!(id);
                let location = format!("{path}/{id}");
                self.store.insert(location.clone(), data);
                Ok((201, location))
            }
            BulkMethod::Put => {
                self.store.insert(path.to_owned(), data.unwrap_or(Value::Null));
                Ok((200, path.to_owned()))
            }
            BulkMethod::Patch => {
                self.patch(path, &data.unwrap_or(Value::Null));
                Ok((200, path.to_owned()))
            }
            BulkMethod::Delete => match self.store.remove(path) {
                Some(_) => Ok((204, path.to_owned())),
                None => Err(ScimError::not_found("Resource does not exist.")),
            },
        }
    }

    /// Applies `add` operations only: appends arrays, sets anything else (URN-qualified paths into extensions).
    fn patch(&mut self, path: &str, patch: &Value) {
        let target = self.store.entry(path.to_owned()).or_insert_with(|| json!({}));
        for op in patch["Operations"].as_array().into_iter().flatten() {
            let p = op["path"].as_str().unwrap_or_default();
            let (urn, attr) = split_urn(p);
            let slot = match urn {
                Some(u) => &mut target[u][attr],
                None => &mut target[attr],
            };
            match (slot.as_array_mut(), &op["value"]) {
                (Some(items), Value::Array(more)) => items.extend(more.iter().cloned()),
                _ => *slot = op["value"].clone(),
            }
        }
    }
}

fn request(v: Value) -> BulkRequest {
    BulkRequest::from_json(&v).expect("valid BulkRequest")
}

/// RFC 7644 section 3.7.2: a User and a Group that has the User as a member.
fn user_and_group() -> Value {
    json!({
        "schemas": [BULK_REQUEST],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "qwerty",
             "data": {"schemas": [USER], "userName": "Alice"}},
            {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
             "data": {"schemas": [GROUP], "displayName": "Tour Guides",
                      "members": [{"type": "User", "value": "bulkId:qwerty"}]}}
        ]
    })
}

#[test]
fn rfc7644_3_7_2_user_then_group_with_member() {
    let req = request(user_and_group());
    assert_eq!(dependencies(&req), vec![vec![], vec![0]]);
    assert_eq!(execution_order(&req), Ok(vec![0, 1]));
    let p = plan(&req).expect("plan");
    assert_eq!(p.steps, vec![BulkStep::Run { op: 0, data: None }, BulkStep::Run { op: 1, data: None }]);
    let mut toy = Toy::new(&["92b725cd-9465-4e7d-8c16-01f8e146b87a", "e9e30dba-f08f-4109-8486-d5c6a331660a"]);
    let resp = toy.run(&req, &p);
    assert_eq!(
        resp.to_json(),
        json!({"schemas": [BULK_RESPONSE], "Operations": [
            {"location": "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a",
             "method": "POST", "bulkId": "qwerty", "version": "W/\"1\"", "status": "201"},
            {"location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a",
             "method": "POST", "bulkId": "ytrewq", "version": "W/\"1\"", "status": "201"}
        ]})
    );
    let group = &toy.store["/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a"];
    assert_eq!(group["members"], json!([{"type": "User", "value": "92b725cd-9465-4e7d-8c16-01f8e146b87a"}]));
}

#[test]
fn rfc7644_3_7_2_response_example_reads_with_its_status_objects_noted() {
    let rfc = json!({"schemas": [BULK_RESPONSE], "Operations": [
        {"location": "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a", "method": "POST",
         "bulkId": "qwerty", "version": "W/\"4weymrEsh5O6cAEK\"", "status": {"code": "201"}},
        {"location": "https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a", "method": "POST",
         "bulkId": "ytrewq", "version": "W/\"lha5bbazU3fNvfe5\"", "status": {"code": "201"}}
    ]});
    let (resp, dev) = BulkResponse::read(&rfc).expect("reads");
    assert_eq!(resp.operations.iter().map(|o| o.status).collect::<Vec<_>>(), [201, 201]);
    let members: Vec<(&str, &DeviationKind)> = dev.iter().map(|d| (d.member.as_str(), &d.kind)).collect();
    assert_eq!(
        members,
        [
            ("Operations[0].status", &DeviationKind::StatusAsObject),
            ("Operations[1].status", &DeviationKind::StatusAsObject)
        ]
    );
}

#[test]
fn rfc7644_3_7_2_enterprise_manager_reference() {
    let req = request(json!({
        "schemas": [BULK_REQUEST],
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "qwerty",
             "data": {"schemas": [USER], "userName": "Alice"}},
            {"method": "POST", "path": "/Users", "bulkId": "ytrewq",
             "data": {"schemas": [USER, ENTERPRISE], "userName": "Bob",
                      ENTERPRISE: {"employeeNumber": "11250", "manager": {"value": "bulkId:qwerty"}}}}
        ]
    }));
    assert_eq!(dependencies(&req), vec![vec![], vec![0]]);
    let p = plan(&req).expect("plan");
    let mut toy = Toy::new(&["alice-id", "bob-id"]);
    let resp = toy.run(&req, &p);
    assert!(resp.operations.iter().all(|o| o.status == 201));
    assert_eq!(toy.store["/Users/bob-id"][ENTERPRISE]["manager"], json!({"value": "alice-id"}));
}

/// RFC 7644 section 3.7.1: two groups, each a member of the other.
fn circular_groups() -> BulkRequest {
    request(json!({
        "schemas": [BULK_REQUEST],
        "Operations": [
            {"method": "POST", "path": "/Groups", "bulkId": "qwerty",
             "data": {"schemas": [GROUP], "displayName": "Group A",
                      "members": [{"type": "Group", "value": "bulkId:ytrewq"}]}},
            {"method": "POST", "path": "/Groups", "bulkId": "ytrewq",
             "data": {"schemas": [GROUP], "displayName": "Group B",
                      "members": [{"type": "Group", "value": "bulkId:qwerty"}]}}
        ]
    }))
}

#[test]
fn rfc7644_3_7_1_circular_groups_are_created_then_patched() {
    let req = circular_groups();
    assert_eq!(dependencies(&req), vec![vec![1], vec![0]]);
    let e = execution_order(&req).expect_err("a cycle has no plain order");
    assert_eq!(e.status, 409);
    assert!(e.detail.contains("Operations[0] (bulkId qwerty), Operations[1] (bulkId ytrewq)"), "{}", e.detail);
    let p = plan(&req).expect("plan resolves the cycle");
    assert_eq!(
        p.steps,
        vec![
            BulkStep::Run { op: 0, data: Some(json!({"schemas": [GROUP], "displayName": "Group A"})) },
            BulkStep::Run { op: 1, data: None },
            BulkStep::Patch {
                op: 0,
                patch: json!({"schemas": [PATCH_OP], "Operations": [
                    {"op": "add", "path": "members", "value": [{"type": "Group", "value": "bulkId:ytrewq"}]}
                ]})
            },
        ]
    );
    assert_eq!(p.order(), [0, 1]);
    let (a, b) = ("c3a26dd3-27a0-4dec-a2ac-ce211e105f97", "6c5bb468-14b2-4183-baf2-06d523e03bd3");
    let mut toy = Toy::new(&[a, b]);
    let resp = toy.run(&req, &p);
    assert_eq!(resp.operations.iter().map(|o| o.status).collect::<Vec<_>>(), [201, 201]);
    // The state of the RFC's subsequent GET: each group has the other as its member.
    assert_eq!(toy.store[&format!("/Groups/{a}")]["members"], json!([{"type": "Group", "value": b}]));
    assert_eq!(toy.store[&format!("/Groups/{b}")]["members"], json!([{"type": "Group", "value": a}]));
}

#[test]
fn longer_cycles_and_self_references_defer_only_what_does_not_exist_yet() {
    let group = |id: &str, refs: &[&str]| {
        let members: Vec<Value> = refs.iter().map(|r| json!({"value": format!("bulkId:{r}")})).collect();
        json!({"method": "POST", "path": "/Groups", "bulkId": id, "data": {"displayName": id, "members": members}})
    };
    let req = request(json!({"schemas": [BULK_REQUEST], "Operations": [
        group("a", &["b"]), group("b", &["c"]), group("c", &["a"]), group("self", &["self", "a"])
    ]}));
    let p = plan(&req).expect("plan");
    let kinds: Vec<(char, usize)> = p
        .steps
        .iter()
        .map(|s| match s {
            BulkStep::Run { op, data: None } => ('r', *op),
            BulkStep::Run { op, data: Some(_) } => ('w', *op),
            BulkStep::Patch { op, .. } => ('p', *op),
            BulkStep::Fail { op, .. } => ('f', *op),
        })
        .collect();
    assert_eq!(kinds, [('w', 0), ('w', 1), ('r', 2), ('p', 0), ('p', 1), ('w', 3), ('p', 3)]);
    // The self-referencing group keeps its reference to `a` (which exists) and withholds only itself.
    assert_eq!(
        p.steps[5],
        BulkStep::Run { op: 3, data: Some(json!({"displayName": "self", "members": [{"value": "bulkId:a"}]})) }
    );
    let mut toy = Toy::new(&["A", "B", "C", "S"]);
    let resp = toy.run(&req, &p);
    assert!(resp.operations.iter().all(|o| o.status == 201));
    assert_eq!(toy.store["/Groups/S"]["members"], json!([{"value": "A"}, {"value": "S"}]));
    assert_eq!(toy.store["/Groups/A"]["members"], json!([{"value": "B"}]));
}

#[test]
fn forward_references_run_after_what_they_need() {
    let req = request(json!({"schemas": [BULK_REQUEST], "Operations": [
        {"method": "POST", "path": "/Groups", "bulkId": "g",
         "data": {"displayName": "G", "members": [{"value": "bulkId:u", "$ref": "https://example.com/v2/Users/bulkId:u"}]}},
        {"method": "PATCH", "path": "/Groups/bulkId:g",
         "data": {"schemas": [PATCH_OP], "Operations": [{"op": "remove", "path": "members[value eq \"bulkId:u\"]"}]}},
        {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"userName": "U"}}
    ]}));
    assert_eq!(dependencies(&req), vec![vec![2], vec![0, 2], vec![]]);
    assert_eq!(execution_order(&req), Ok(vec![2, 0, 1]));
    let ids: HashMap<String, String> = [("u".to_owned(), "U1".to_owned()), ("g".to_owned(), "G1".to_owned())].into();
    let mut data = req.operations[0].data.clone().expect("data");
    resolve_references(&mut data, &ids).expect("resolves");
    assert_eq!(data["members"], json!([{"value": "U1", "$ref": "https://example.com/v2/Users/U1"}]));
    let mut patch = req.operations[1].data.clone().expect("data");
    resolve_references(&mut patch, &ids).expect("resolves");
    assert_eq!(patch["Operations"][0]["path"], "members[value eq \"U1\"]");
    assert_eq!(resolve_path(&req.operations[1].path, &ids), Ok("/Groups/G1".to_owned()));
}

#[test]
fn unresolved_references_leave_the_value_alone() {
    let ids: HashMap<String, String> = [("a".to_owned(), "A".to_owned())].into();
    let mut v = json!({"x": "bulkId:a", "y": ["bulkId:b"]});
    let before = v.clone();
    let e = resolve_references(&mut v, &ids).expect_err("b is unknown");
    assert_eq!(e.bulk_id, "b");
    assert_eq!(v, before);
    assert_eq!(e.to_scim_error(false).scim_type, Some(ScimType::InvalidValue));
    assert_eq!(e.to_scim_error(true).status, 409);
}

#[test]
fn an_undefined_bulk_id_fails_its_operation_only() {
    let req = request(json!({"schemas": [BULK_REQUEST], "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"userName": "U"}},
        {"method": "POST", "path": "/Groups", "bulkId": "g",
         "data": {"displayName": "G", "members": [{"value": "bulkId:nobody"}]}},
        {"method": "POST", "path": "/Groups", "bulkId": "h", "data": {"displayName": "H", "members": [{"value": "bulkId:g"}]}}
    ]}));
    let e = execution_order(&req).expect_err("undefined bulkId");
    assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidValue)));
    assert!(e.detail.starts_with("Operations[1] references bulkId:nobody"), "{}", e.detail);
    let p = plan(&req).expect("plan");
    assert!(matches!(&p.steps[1], BulkStep::Fail { op: 1, error } if error.detail.contains("bulkId:nobody")));
    let resp = Toy::new(&["U", "H"]).run(&req, &p).to_json();
    assert_eq!(resp["Operations"][1]["status"], "400");
    assert_eq!(resp["Operations"][1]["response"]["scimType"], "invalidValue");
    // The group that needed the failed one cannot resolve bulkId:g: 409.
    assert_eq!(resp["Operations"][2]["status"], "409");
    assert!(resp["Operations"][1].get("location").is_none());
}

/// RFC 7644 section 3.7.3's request (its PATCH data written as the PatchOp it means; the RFC's `{[...]}` is not
/// JSON).
fn add_update_remove() -> BulkRequest {
    request(json!({
        "schemas": [BULK_REQUEST],
        "failOnErrors": 1,
        "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "qwerty",
             "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:User"], "userName": "Alice"}},
            {"method": "PUT", "path": "/Users/b7c14771-226c-4d05-8860-134711653041", "version": "W/\"3694e05e9dff591\"",
             "data": {"schemas": [USER], "id": "b7c14771-226c-4d05-8860-134711653041", "userName": "Bob"}},
            {"method": "PATCH", "path": "/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc", "version": "W/\"edac3253e2c0ef2\"",
             "data": {"schemas": [PATCH_OP], "Operations": [
                 {"op": "remove", "path": "nickName"}, {"op": "add", "path": "userName", "value": "Dave"}]}},
            {"method": "DELETE", "path": "/Users/e9025315-6bea-44e1-899c-1e07454e468b", "version": "W/\"0ee8add0a938e1a\""}
        ]
    }))
}

fn seeded(ids: &[&str]) -> Toy {
    let mut toy = Toy::new(ids);
    toy.store.insert("/Users/e9025315-6bea-44e1-899c-1e07454e468b".into(), json!({"userName": "Eve"}));
    toy
}

#[test]
fn rfc7644_3_7_3_all_operations_succeed() {
    let req = add_update_remove();
    assert_eq!(req.fail_on_errors, Some(1));
    assert_eq!(
        req.to_json()["Operations"][3],
        json!({"method": "DELETE", "version": "W/\"0ee8add0a938e1a\"", "path": "/Users/e9025315-6bea-44e1-899c-1e07454e468b"})
    );
    assert_eq!(BulkRequest::from_json(&req.to_json()), Ok(req.clone()));
    let resp = seeded(&["92b725cd-9465-4e7d-8c16-01f8e146b87a"]).run(&req, &plan(&req).expect("plan"));
    assert_eq!(
        resp.to_json(),
        json!({"schemas": [BULK_RESPONSE], "Operations": [
            {"location": "https://example.com/v2/Users/92b725cd-9465-4e7d-8c16-01f8e146b87a", "method": "POST",
             "bulkId": "qwerty", "version": "W/\"1\"", "status": "201"},
            {"location": "https://example.com/v2/Users/b7c14771-226c-4d05-8860-134711653041", "method": "PUT",
             "version": "W/\"1\"", "status": "200"},
            {"location": "https://example.com/v2/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc", "method": "PATCH",
             "version": "W/\"1\"", "status": "200"},
            {"location": "https://example.com/v2/Users/e9025315-6bea-44e1-899c-1e07454e468b", "method": "DELETE",
             "status": "204"}
        ]})
    );
}

fn rfc_400() -> ScimError {
    ScimError::invalid_syntax("Request is unparsable, syntactically incorrect, or violates schema.")
}

#[test]
fn rfc7644_3_7_3_fail_on_errors_1_stops_at_the_first_error() {
    let req = add_update_remove();
    let mut toy = seeded(&["92b725cd-9465-4e7d-8c16-01f8e146b87a"]);
    toy.faults.insert(0, rfc_400());
    let resp = toy.run(&req, &plan(&req).expect("plan"));
    assert_eq!(
        resp.to_json(),
        json!({"schemas": [BULK_RESPONSE], "Operations": [
            {"method": "POST", "bulkId": "qwerty", "status": "400", "response": {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400",
                "scimType": "invalidSyntax",
                "detail": "Request is unparsable, syntactically incorrect, or violates schema."}}
        ]})
    );
}

#[test]
fn rfc7644_3_7_3_without_fail_on_errors_every_operation_runs() {
    let mut req = add_update_remove();
    req.fail_on_errors = None;
    let mut toy = Toy::new(&["unused"]);
    toy.faults.insert(0, rfc_400());
    let changed = ScimError::new(412, "Failed to update.  Resource changed on the server.");
    toy.faults.insert(1, changed.clone());
    toy.faults.insert(2, changed);
    let resp = toy.run(&req, &plan(&req).expect("plan")).to_json();
    let statuses: Vec<&str> =
        resp["Operations"].as_array().into_iter().flatten().filter_map(|o| o["status"].as_str()).collect();
    assert_eq!(statuses, ["400", "412", "412", "404"]);
    assert_eq!(resp["Operations"][3]["response"]["detail"], "Resource does not exist.");
    assert_eq!(resp["Operations"][3]["location"], "https://example.com/v2/Users/e9025315-6bea-44e1-899c-1e07454e468b");
    // What we wrote, read back as a client would, shows no deviation.
    let (_, dev) = BulkResponse::read(&resp).expect("reads");
    assert_eq!(dev, vec![]);
}

#[test]
fn fail_on_errors_counts() {
    for (errors, limit, stop) in [
        (0, None, false),
        (9, None, false),
        (0, Some(1), false),
        (1, Some(1), true),
        (1, Some(2), false),
        (2, Some(2), true),
        (0, Some(0), false),
        (1, Some(0), true),
    ] {
        assert_eq!(should_stop(errors, limit), stop, "{errors} errors, failOnErrors {limit:?}");
    }
}

#[test]
fn rfc7644_3_7_4_limits_answer_413_naming_the_limit() {
    let e = check_limits(4, 4_294_967_296, 1000, 1_048_576).expect_err("too large");
    assert_eq!((e.status, e.scim_type), (413, None));
    assert!(e.detail.contains("maxPayloadSize (1048576)"), "{}", e.detail);
    assert_eq!(e.to_json()["status"], "413");
    let e = check_limits(1001, 10, 1000, 1_048_576).expect_err("too many");
    assert!(e.detail.contains("maxOperations (1000)"), "{}", e.detail);
    assert_eq!(check_limits(1000, 1_048_576, 1000, 1_048_576), Ok(()));
}

#[test]
fn bulk_request_refusals_name_the_operation() {
    let op = |o: Value| json!({"schemas": [BULK_REQUEST], "Operations": [o]});
    let cases = [
        (json!({"Operations": [{"method": "DELETE", "path": "/Users/1"}]}), "schemas"),
        (json!({"schemas": [BULK_REQUEST], "Operations": []}), "at least one"),
        (op(json!({"method": "POST", "path": "/Users", "data": {}})), "Operations[0].bulkId"),
        (op(json!({"method": "post", "bulkId": "x", "path": "/Users/1", "data": {}})), "Operations[0].path"),
        (op(json!({"method": "PUT", "path": "/Users", "data": {}})), "Operations[0].path"),
        (op(json!({"method": "PATCH", "path": "/Users/1"})), "Operations[0].data"),
        (op(json!({"method": "GET", "path": "/Users/1"})), "Operations[0].method"),
        (op(json!({"path": "/Users/1"})), "Operations[0].method"),
        (op(json!({"method": "DELETE"})), "Operations[0].path"),
        (op(json!({"method": "PUT", "path": "/Users/1", "data": []})), "Operations[0].data"),
        (op(json!("DELETE /Users/1")), "Operations[0]"),
        (
            json!({"schemas": [BULK_REQUEST], "Operations": [
            {"method": "POST", "bulkId": "x", "path": "/Users", "data": {}},
            {"method": "POST", "bulkId": "x", "path": "/Users", "data": {}}]}),
            "Operations[1].bulkId",
        ),
        (
            json!({"schemas": [BULK_REQUEST], "failOnErrors": "1", "Operations": [{"method": "DELETE", "path": "/Users/1"}]}),
            "failOnErrors",
        ),
    ];
    for (body, named) in cases {
        let e = BulkRequest::from_json(&body).expect_err(named);
        assert_eq!((e.status, e.scim_type), (400, Some(ScimType::InvalidSyntax)), "{named}: {}", e.detail);
        assert!(e.detail.contains(named), "{named}: {}", e.detail);
    }
    let negative = json!({"schemas": [BULK_REQUEST], "failOnErrors": -1, "Operations": [{"method": "delete", "path": "/Users/1"}]});
    assert_eq!(BulkRequest::from_json(&negative).expect_err("negative").scim_type, Some(ScimType::InvalidValue));
    let lower = json!({"schemas": [BULK_REQUEST], "operations": [{"Method": "delete", "PATH": "/Users/1"}]});
    assert_eq!(request(lower).operations[0].method, BulkMethod::Delete);
}

#[test]
fn bulk_response_reader_reports_liberties() {
    let v = json!({"schemas": ["urn:x"], "failOnErrors": 1, "Operations": [
        {"method": "POST", "bulkId": "a", "status": 201},
        {"method": "PUT", "location": "https://h/Users/1", "status": {"code": 412}},
        {"method": "DELETE", "location": "https://h/Users/2", "status": "404"}
    ]});
    let (resp, dev) = BulkResponse::read(&v).expect("lenient");
    assert_eq!(resp.operations.iter().map(|o| o.status).collect::<Vec<_>>(), [201, 412, 404]);
    let got: Vec<String> = dev.iter().map(ToString::to_string).collect();
    assert_eq!(
        got,
        [
            "schemas: does not list the message's schema URN",
            "failOnErrors: not valid in this message",
            "Operations[0].status: status sent as a JSON number, not a string",
            "Operations[0].location: required member is missing",
            "Operations[1].status: status sent as an object with a code",
            "Operations[1].response: required member is missing",
            "Operations[2].response: required member is missing",
        ]
    );
    for bad in [
        json!({"Operations": {}}),
        json!({"Operations": [{"status": "200"}]}),
        json!({"Operations": [{"method": "PUT", "status": "ok"}]}),
    ] {
        assert_eq!(
            BulkResponse::from_json(&bad).expect_err("unreadable").scim_type,
            Some(ScimType::InvalidSyntax),
            "{bad}"
        );
    }
}

/// Plans over random reference graphs (cycles, self-references and all): every step only references what runs
/// before it, every operation runs once, and the executed result is the one the request describes.
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn refs_in(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.extend(s.strip_prefix("bulkId:").map(str::to_owned)),
            Value::Array(items) => items.iter().for_each(|i| refs_in(i, out)),
            Value::Object(o) => o.values().for_each(|i| refs_in(i, out)),
            _ => {}
        }
    }

    proptest! {
        #[test]
        fn plans_respect_every_reference(edges in proptest::collection::vec(proptest::collection::vec(0..8usize, 0..3), 1..8)) {
            let n = edges.len();
            let wanted: Vec<Vec<usize>> = edges.iter().map(|r| r.iter().copied().filter(|&j| j < n).collect()).collect();
            let ops: Vec<Value> = wanted
                .iter()
                .enumerate()
                .map(|(i, refs)| {
                    let members: Vec<Value> = refs.iter().map(|j| json!({"value": format!("bulkId:g{j}")})).collect();
                    json!({"method": "POST", "path": "/Groups", "bulkId": format!("g{i}"),
                           "data": {"displayName": i.to_string(), "members": members}})
                })
                .collect();
            let req = request(json!({"schemas": [BULK_REQUEST], "Operations": ops}));
            let p = plan(&req).expect("every cycle of POSTs can be planned");
            let mut done: HashSet<String> = HashSet::new();
            let mut runs = vec![0; n];
            for step in &p.steps {
                let mut refs = Vec::new();
                match step {
                    BulkStep::Run { op, data } => {
                        refs_in(data.as_ref().or(req.operations[*op].data.as_ref()).unwrap_or(&Value::Null), &mut refs);
                        runs[*op] += 1;
                    }
                    BulkStep::Patch { op, patch } => {
                        let created = done.contains(&format!("g{op}"));
                        prop_assert!(created);
                        refs_in(patch, &mut refs);
                    }
                    BulkStep::Fail { .. } => prop_assert!(false, "no undefined references here"),
                }
                for r in refs {
                    prop_assert!(done.contains(&r), "{r} referenced before it exists: {:?}", p.steps);
                }
                if let BulkStep::Run { op, .. } = step {
                    done.insert(format!("g{op}"));
                }
            }
            prop_assert!(runs.iter().all(|&r| r == 1));
            if let Ok(order) = execution_order(&req) {
                prop_assert_eq!(p.order(), order);
                let plain = p.steps.iter().all(|s| matches!(s, BulkStep::Run { data: None, .. }));
                prop_assert!(plain);
            }
            let ids: Vec<String> = (0..n).map(|i| format!("G{i}")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut toy = Toy::new(&ids);
            let resp = toy.run(&req, &p);
            prop_assert!(resp.operations.iter().all(|o| o.status == 201));
            // Ids are handed out in execution order; map them back to operations through the locations.
            let id_of: HashMap<usize, String> = resp
                .operations
                .iter()
                .enumerate()
                .map(|(i, o)| (i, o.location.as_deref().and_then(|l| l.rsplit('/').next()).unwrap_or("").to_owned()))
                .collect();
            for (i, refs) in wanted.iter().enumerate() {
                let stored = &toy.store[&format!("/Groups/{}", id_of[&i])]["members"];
                let mut got: Vec<String> =
                    stored.as_array().into_iter().flatten().filter_map(|m| m["value"].as_str().map(str::to_owned)).collect();
                let mut expected: Vec<String> = refs.iter().map(|j| id_of[j].clone()).collect();
                got.sort();
                expected.sort();
                prop_assert_eq!(got, expected, "group {}", i);
            }
        }
    }
}
