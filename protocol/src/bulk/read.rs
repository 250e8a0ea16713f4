//! RFC 7644 section 3.7: reading a BulkRequest strictly, from a JSON value or straight from the body's bytes.
//!
//! Both ways end in the same checks, so they accept the same requests and refuse the others with the same error.
//! [`BulkRequest::from_slice`] is the server's path: it reads each operation's five members (`method`, `bulkId`,
//! `path`, `version`, `data`) directly, so that only `data` becomes a JSON tree; a request of 100 creates then
//! builds no object for the operations around the 100 resources. Whatever that fast reader does not expect (an
//! operation that is not an object, one member given twice in different cases, malformed JSON) sends the body
//! through [`BulkRequest::from_value`], which reads every case exactly and names the problem.

use super::model::{BulkMethod, BulkOperation, BulkRequest};
use crate::error::ScimError;
use crate::json::{get_ci, remove_ci};
use crate::list::json_kind;
use crate::schema::BULK_REQUEST_URN;
use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;

/// The members of one operation that a server reads, each as sent. The other members are ignored.
#[derive(Default)]
struct RawOperation {
    /// `method`, `bulkId`, `path`, `version` and `data`, in that order.
    members: [Option<Value>; 5],
}

const OPERATION_MEMBERS: [&str; 5] = ["method", "bulkId", "path", "version", "data"];

impl RawOperation {
    fn from_map(mut obj: Map<String, Value>) -> RawOperation {
        RawOperation { members: OPERATION_MEMBERS.map(|name| remove_ci(&mut obj, name)) }
    }

    /// The operation the members describe (see [`BulkRequest::from_json`] for the checks).
    fn into_operation(self, i: usize) -> Result<BulkOperation, ScimError> {
        let at =
            |member: &str, problem: String| ScimError::invalid_syntax(format!("Operations[{i}]{member}: {problem}"));
        let [method, bulk_id, path, version, data] = self.members;
        let text = |name: &str, v: Option<Value>| -> Result<Option<String>, ScimError> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(other) => Err(at(&format!(".{name}"), format!("must be a string, found {}", json_kind(&other)))),
            }
        };
        let method = match text("method", method)? {
            Some(m) => BulkMethod::parse(&m)
                .ok_or_else(|| at(".method", format!("{m:?} is not one of POST, PUT, PATCH, DELETE")))?,
            None => return Err(at(".method", "is missing".into())),
        };
        let bulk_id = text("bulkId", bulk_id)?;
        if method == BulkMethod::Post && bulk_id.as_deref().is_none_or(str::is_empty) {
            return Err(at(".bulkId", "is required for a POST (RFC 7644 section 3.7)".into()));
        }
        let path = text("path", path)?.ok_or_else(|| at(".path", "is missing".into()))?;
        let segments = path.split('/').filter(|s| !s.is_empty()).count();
        match method {
            BulkMethod::Post if segments != 1 => {
                return Err(at(".path", format!("{path:?}: a POST must name a resource type endpoint, e.g. /Users")));
            }
            BulkMethod::Put | BulkMethod::Patch | BulkMethod::Delete if segments < 2 => {
                return Err(at(".path", format!("{path:?}: a {method} must name one resource, e.g. /Users/{{id}}")));
            }
            _ => {}
        }
        let version = text("version", version)?;
        let data = match data {
            None | Some(Value::Null) => None,
            Some(d @ Value::Object(_)) => Some(d),
            Some(other) => return Err(at(".data", format!("must be an object, found {}", json_kind(&other)))),
        };
        if data.is_none() && method != BulkMethod::Delete {
            return Err(at(".data", format!("is required for a {method} (RFC 7644 section 3.7)")));
        }
        Ok(BulkOperation { method, bulk_id, version, path, data })
    }
}

impl BulkRequest {
    /// Reads a BulkRequest body strictly. Each problem is a 400 `invalidSyntax` whose detail names the member:
    /// `schemas` without the BulkRequest URN, `Operations` missing or empty, an operation that is not an object,
    /// `Operations[i].method` not one of POST / PUT / PATCH / DELETE (any case), a POST without `bulkId`, a
    /// `bulkId` used twice, a missing `path` or one of the wrong shape (a POST names a resource type endpoint,
    /// `/Users`; the others a resource, `/Users/{id}`), and a POST, PUT or PATCH without an object `data`. A
    /// negative `failOnErrors` is a 400 `invalidValue`. Member names are read in any case.
    pub fn from_json(v: &Value) -> Result<BulkRequest, ScimError> {
        BulkRequest::from_value(v.clone())
    }

    /// [`BulkRequest::from_json`], taking the body: each operation's `data` moves into the request instead of
    /// being copied.
    pub fn from_value(v: Value) -> Result<BulkRequest, ScimError> {
        BulkRequest::admitted(v, |_| Ok(()))
    }

    /// [`BulkRequest::from_value`], calling `admit` with the number of operations before any of them is read: a
    /// server refuses a request over its `maxOperations` there (RFC 7644 section 3.7.4), before the work.
    fn admitted(v: Value, admit: impl FnOnce(usize) -> Result<(), ScimError>) -> Result<BulkRequest, ScimError> {
        let Value::Object(mut obj) = v else {
            admit(0)?;
            return Err(ScimError::invalid_syntax("BulkRequest: the body must be a JSON object"));
        };
        let ops = remove_ci(&mut obj, "Operations");
        admit(match &ops {
            Some(Value::Array(items)) => items.len(),
            _ => 0,
        })?;
        let fail_on_errors = read_top(&obj)?;
        let ops = match ops {
            Some(Value::Array(ops)) if !ops.is_empty() => ops,
            Some(Value::Array(_)) => {
                return Err(ScimError::invalid_syntax("BulkRequest: Operations must hold at least one operation"));
            }
            Some(other) => {
                return Err(ScimError::invalid_syntax(format!(
                    "BulkRequest: Operations must be an array, found {}",
                    json_kind(&other)
                )));
            }
            None => return Err(ScimError::invalid_syntax("BulkRequest: Operations is missing")),
        };
        let raw = ops.into_iter().enumerate().map(|(i, op)| match op {
            Value::Object(obj) => Ok(RawOperation::from_map(obj)),
            other => Err(ScimError::invalid_syntax(format!(
                "Operations[{i}]: an operation must be an object, found {}",
                json_kind(&other)
            ))),
        });
        assemble(fail_on_errors, raw)
    }

    /// Reads a BulkRequest from the body's bytes, as [`BulkRequest::from_json`] reads it from a value (the same
    /// checks, the same errors), calling `admit` with the number of operations before any of them is checked: a
    /// server refuses a request over its `maxOperations` there (RFC 7644 section 3.7.4). JSON that does not
    /// parse is a 400 `invalidSyntax` naming the line and column.
    pub fn from_slice(
        bytes: &[u8],
        admit: impl FnOnce(usize) -> Result<(), ScimError>,
    ) -> Result<BulkRequest, ScimError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let shape = de.deserialize_map(ShapeVisitor).and_then(|shape| de.end().map(|()| shape));
        let Ok(Shape { top, operations }) = shape else {
            let v: Value = serde_json::from_slice(bytes)
                .map_err(|e| ScimError::invalid_syntax(format!("the request body is not valid JSON: {e}")))?;
            return BulkRequest::admitted(v, admit);
        };
        admit(operations.len())?;
        let fail_on_errors = read_top(&top)?;
        if operations.is_empty() {
            return Err(ScimError::invalid_syntax("BulkRequest: Operations must hold at least one operation"));
        }
        assemble(fail_on_errors, operations.into_iter().map(Ok))
    }
}

/// The checks of the request's own members: `schemas` lists the BulkRequest URN, and `failOnErrors`, if given,
/// is a non-negative integer (returned).
fn read_top(obj: &Map<String, Value>) -> Result<Option<u32>, ScimError> {
    let listed = get_ci(obj, "schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(BULK_REQUEST_URN))));
    if !listed {
        return Err(ScimError::invalid_syntax(format!(
            "BulkRequest: schemas must list {BULK_REQUEST_URN} (RFC 7644 section 3.7)"
        )));
    }
    match get_ci(obj, "failOnErrors") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(u) => Ok(Some(u32::try_from(u).unwrap_or(u32::MAX))),
            None if n.as_i64().is_some() => {
                Err(ScimError::invalid_value(format!("BulkRequest: failOnErrors must not be negative, found {n}")))
            }
            None => Err(ScimError::invalid_syntax(format!("BulkRequest: failOnErrors must be an integer, found {n}"))),
        },
        Some(other) => Err(ScimError::invalid_syntax(format!(
            "BulkRequest: failOnErrors must be an integer, found {}",
            json_kind(other)
        ))),
    }
}

/// Checks the operations in request order; a bulkId may be used by one operation only.
fn assemble(
    fail_on_errors: Option<u32>,
    raw: impl ExactSizeIterator<Item = Result<RawOperation, ScimError>>,
) -> Result<BulkRequest, ScimError> {
    let mut operations: Vec<BulkOperation> = Vec::with_capacity(raw.len());
    // bulkId to the index of the operation that first used it.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, op) in raw.enumerate() {
        let op = op?.into_operation(i)?;
        if let Some(id) = &op.bulk_id {
            if let Some(j) = seen.get(id) {
                return Err(ScimError::invalid_syntax(format!(
                    "Operations[{i}].bulkId: {id:?} is already used by Operations[{j}]; bulkIds must be unique \
                     within a request (RFC 7644 section 3.7)"
                )));
            }
            seen.insert(id.clone(), i);
        }
        operations.push(op);
    }
    Ok(BulkRequest { fail_on_errors, operations })
}

/// What the fast reader takes from a body: the members other than `Operations` as values, and the operations.
struct Shape {
    top: Map<String, Value>,
    operations: Vec<RawOperation>,
}

/// Why the fast reader gave up; the slow one then reads the body and says what is wrong, if anything.
const UNEXPECTED: &str = "not the shape the fast reader handles";

/// Reads the body object; `Operations` (in any case, once) must be an array of objects.
struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a BulkRequest object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut top = Map::new();
        let mut operations = None;
        while let Some(key) = map.next_key_seed(MemberSeed(&["Operations"]))? {
            match key {
                Member::Known(_) if operations.is_some() => return Err(de::Error::custom(UNEXPECTED)),
                Member::Known(_) => operations = Some(map.next_value_seed(OperationsSeed)?),
                Member::Other(name) => {
                    top.insert(name, map.next_value()?);
                }
            }
        }
        let operations = operations.ok_or_else(|| de::Error::custom(UNEXPECTED))?;
        Ok(Shape { top, operations })
    }
}

/// Reads `Operations`: an array of objects.
struct OperationsSeed;

impl<'de> DeserializeSeed<'de> for OperationsSeed {
    type Value = Vec<RawOperation>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for OperationsSeed {
    type Value = Vec<RawOperation>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of operations")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut ops = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(op) = seq.next_element_seed(OperationSeed)? {
            ops.push(op);
        }
        Ok(ops)
    }
}

/// Reads one operation object: its five members as values, each at most once in any case; others are skipped.
struct OperationSeed;

impl<'de> DeserializeSeed<'de> for OperationSeed {
    type Value = RawOperation;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OperationSeed {
    type Value = RawOperation;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an operation object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawOperation, A::Error> {
        let mut raw = RawOperation::default();
        while let Some(key) = map.next_key_seed(MemberSeed(&OPERATION_MEMBERS))? {
            match key {
                Member::Known(k) if raw.members[k].is_some() => return Err(de::Error::custom(UNEXPECTED)),
                Member::Known(k) => raw.members[k] = Some(map.next_value()?),
                // Read, not skipped with `IgnoredAny`: skipping neither checks UTF-8 nor counts nesting, so bodies
                // that are not JSON were accepted here and refused by `from_value` (found by fuzzing).
                Member::Other(_) => {
                    map.next_value::<Value>()?;
                }
            }
        }
        Ok(raw)
    }
}

/// A member name: one of the names sought (its index; compared in any case, without copying the key), or another.
enum Member {
    Known(usize),
    Other(String),
}

/// Reads a member name against the names sought.
struct MemberSeed<'n>(&'n [&'static str]);

impl<'de> DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = Member;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Member, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_> {
    type Value = Member;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Member, E> {
        Ok(match self.0.iter().position(|m| m.eq_ignore_ascii_case(key)) {
            Some(k) => Member::Known(k),
            None => Member::Other(key.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn both(body: &Value) -> (Result<BulkRequest, ScimError>, Result<BulkRequest, ScimError>) {
        let bytes = serde_json::to_vec(body).expect("serialises");
        (BulkRequest::from_json(body), BulkRequest::from_slice(&bytes, |_| Ok(())))
    }

    #[test]
    fn the_fast_reader_agrees_with_the_value_reader() {
        let post = json!({"method": "POST", "path": "/Users", "bulkId": "a", "data": {"userName": "x"}});
        let bodies = [
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [post]}),
            json!({"schemas": [BULK_REQUEST_URN], "failOnErrors": 2, "operations": [post, post]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [{"METHOD": "delete", "Path": "/Users/1"}]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [{"method": "POST", "Method": "PUT", "path": "/Users", "bulkId": "a", "data": {}}]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [post, "not an object"]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": []}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": {}}),
            json!({"schemas": [BULK_REQUEST_URN]}),
            json!({"schemas": ["urn:other"], "Operations": [post]}),
            json!({"schemas": [BULK_REQUEST_URN], "failOnErrors": -1, "Operations": [post]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [post], "operations": [post]}),
            json!({"schemas": [BULK_REQUEST_URN], "Operations": [{"method": "PATCH", "path": "/Users/1", "data": 3}]}),
            json!([post]),
        ];
        for body in &bodies {
            let (slow, fast) = both(body);
            assert_eq!(fast, slow, "{body}");
        }
    }

    #[test]
    fn malformed_json_names_the_position() {
        let e = BulkRequest::from_slice(b"{\"schemas\": [", |_| Ok(())).expect_err("malformed");
        assert!(e.detail.contains("not valid JSON") && e.detail.contains("line 1"), "{}", e.detail);
    }

    #[test]
    fn admit_sees_the_count_before_the_operations_are_checked() {
        let body = br#"{"schemas": [], "Operations": [1, 2, 3]}"#;
        let refused = |n: usize| Err(ScimError::new(413, format!("{n} operations")));
        assert_eq!(BulkRequest::from_slice(body, refused).expect_err("refused").status, 413);
        let ok = format!(
            r#"{{"schemas": ["{BULK_REQUEST_URN}"], "Operations": [{{"method": "DELETE", "path": "/Users/1"}}]}}"#
        );
        let mut seen = None;
        BulkRequest::from_slice(ok.as_bytes(), |n| {
            seen = Some(n);
            Ok(())
        })
        .expect("valid");
        assert_eq!(seen, Some(1));
    }

    fn member_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(json!("POST")),
            Just(json!("delete")),
            Just(json!("PATCH")),
            Just(json!("/Users")),
            Just(json!("/Users/1")),
            Just(json!("b1")),
            Just(json!("")),
            Just(json!(null)),
            Just(json!(7)),
            Just(json!({"userName": "u"})),
            Just(json!([1])),
        ]
    }

    /// Mostly valid operations, with member names in varying case, sometimes a member given twice in different
    /// cases (with another value), sometimes garbage.
    fn operation() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let valid = prop_oneof![
            Just(vec![
                ("method", json!("POST")),
                ("path", json!("/Users")),
                ("bulkId", json!("b")),
                ("data", json!({}))
            ]),
            Just(vec![("method", json!("PATCH")), ("path", json!("/Users/1")), ("data", json!({"Operations": []}))]),
            Just(vec![("method", json!("DELETE")), ("path", json!("/Users/1")), ("version", json!("W/\"1\""))]),
        ];
        let shout = |k: &str, how: u8| match how % 3 {
            0 => k.to_owned(),
            1 => k.to_ascii_uppercase(),
            _ => k[..1].to_ascii_uppercase() + &k[1..],
        };
        let op = (valid, proptest::collection::vec(any::<u8>(), 4), any::<u8>(), member_value()).prop_map(
            move |(members, cases, twice, extra)| {
                let mut obj = Map::new();
                for (i, (k, v)) in members.iter().enumerate() {
                    obj.insert(shout(k, cases[i]), v.clone());
                }
                if twice % 3 == 0 {
                    let (k, _) = members[usize::from(twice) % members.len()];
                    obj.insert(shout(k, twice / 3 + 1), extra);
                }
                Value::Object(obj)
            },
        );
        prop_oneof![6 => op, 1 => member_value()]
    }

    proptest::proptest! {
        /// Whatever the body, the fast reader and the value reader accept and refuse alike.
        #[test]
        fn both_readers_agree_on_any_body(
            ops in proptest::collection::vec(operation(), 0..4),
            key in proptest::sample::select(vec!["Operations", "Operations", "operations", "OPERATIONS", "Ops"]),
            schemas in proptest::sample::select(vec![json!([BULK_REQUEST_URN]), json!([BULK_REQUEST_URN]), json!(["urn:x"])]),
            fail in proptest::sample::select(vec![json!(null), json!(null), json!(1), json!(-2), json!("1"), json!(1.5)]),
        ) {
            let body = json!({"schemas": schemas, "failOnErrors": fail, key: ops});
            let (slow, fast) = both(&body);
            proptest::prop_assert_eq!(fast, slow);
        }
    }
}
