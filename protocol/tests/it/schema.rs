//! RFC 7643 sections 6 and 7: schemas and resource types as a server publishes them, loaded, resolved, served
//! and round-tripped through serde.

use proptest::prelude::*;
use scimlab_protocol::SchemaRegistry;
use scimlab_protocol::schema::{
    AttrType, AttributeDef, ENTERPRISE_USER_URN, Mutability, ResourceType, Returned, SCHEMA_URN, Schema, USER_URN,
    Uniqueness,
};
use serde_json::{Value, json};

const DEVICE_URN: &str = "urn:example:params:scim:schemas:core:2.0:Device";
const LOCATION_URN: &str = "urn:example:params:scim:schemas:extension:location:2.0:Device";

/// What a server might publish at /Schemas: a ListResponse with a custom core schema and a custom extension,
/// with members in whatever order and spelling the server likes.
fn published_schemas() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "itemsPerPage": 2,
        "startIndex": 1,
        "Resources": [
            {
                "schemas": [SCHEMA_URN],
                "id": DEVICE_URN,
                "name": "Device",
                "description": "A managed device",
                "attributes": [
                    {"name": "serialNumber", "type": "string", "multiValued": false, "required": true,
                     "caseExact": true, "mutability": "immutable", "returned": "always", "uniqueness": "global"},
                    {"name": "model", "type": "string"},
                    {"name": "enrolled", "type": "dateTime", "mutability": "readOnly"},
                    {"name": "ports", "type": "complex", "multiValued": true, "subAttributes": [
                        {"name": "kind", "type": "string", "canonicalValues": ["usb", "hdmi"]},
                        {"name": "count", "type": "integer"}
                    ]},
                    {"name": "owner", "type": "reference", "referenceTypes": ["User"]}
                ],
                "meta": {"resourceType": "Schema", "location": format!("https://sp.example/v2/Schemas/{DEVICE_URN}")}
            },
            {
                "schemas": [SCHEMA_URN],
                "id": LOCATION_URN,
                "name": "DeviceLocation",
                "attributes": [
                    {"name": "building", "type": "string", "x-vendor-hint": "ignored"},
                    {"name": "geo", "type": "complex", "subAttributes": [
                        {"name": "lat", "type": "decimal"}, {"name": "lon", "type": "decimal"}
                    ]}
                ]
            }
        ]
    })
}

fn published_resource_types() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 1,
        "Resources": [{
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Device", "name": "Device", "endpoint": "/Devices", "schema": DEVICE_URN,
            "schemaExtensions": [{"schema": LOCATION_URN, "required": true}],
            "meta": {"resourceType": "ResourceType", "location": "https://sp.example/v2/ResourceTypes/Device"}
        }]
    })
}

#[test]
fn a_published_list_response_loads_and_resolves_through_its_resource_type() {
    let mut r = SchemaRegistry::empty();
    assert_eq!(r.load_schemas(&published_schemas()).expect("schemas load"), 2);
    assert_eq!(r.load_resource_types(&published_resource_types()).expect("types load"), 1);
    let view = r.view("/devices").expect("view by endpoint");
    assert_eq!(view.core.id, DEVICE_URN);
    assert_eq!(view.extensions.len(), 1);
    assert!(view.extensions[0].1, "the extension is required");

    let (serial, _) = view.resolve_dotted("SERIALNUMBER").expect("serialNumber");
    assert_eq!(serial.attr.mutability, Mutability::Immutable);
    assert_eq!(serial.attr.returned, Returned::Always);
    assert_eq!(serial.attr.uniqueness, Uniqueness::Global);
    assert!(serial.attr.required && serial.attr.case_exact);

    let (model, _) = view.resolve_dotted("model").expect("model");
    assert_eq!(
        (model.attr.multi_valued, model.attr.required, model.attr.mutability),
        (false, false, Mutability::ReadWrite),
        "missing characteristics take the RFC 7643 section 2.2 defaults"
    );
    let (_, kind) = view.resolve_dotted("ports.kind").expect("ports.kind");
    assert_eq!(kind.expect("sub").canonical_values, ["usb", "hdmi"]);
    let (lat, sub) = view.resolve_dotted(&format!("{LOCATION_URN}:geo.lat")).expect("qualified extension path");
    assert_eq!((lat.extension, sub.map(|s| s.kind)), (Some(LOCATION_URN), Some(AttrType::Decimal)));
    let (building, _) = view.resolve_dotted("building").expect("unqualified extension attribute");
    assert_eq!(building.extension, Some(LOCATION_URN));
    assert!(view.resolve_dotted(&format!("{DEVICE_URN}:id")).is_some(), "common attributes resolve too");
    assert!(view.resolve_dotted("userName").is_none());
    assert!(view.resolve_dotted(&format!("{ENTERPRISE_USER_URN}:manager")).is_none());
}

#[test]
fn a_malformed_published_schema_is_refused_with_its_name() {
    let bad = json!({"Resources": [{"id": "urn:x:Broken", "attributes": [{"name": "a", "type": "colour"}]}]});
    let e = SchemaRegistry::empty().load_schemas(&bad).expect_err("unknown type");
    assert_eq!(e.scim_type, Some(scimlab_protocol::ScimType::InvalidSyntax));
    assert!(e.detail.contains("urn:x:Broken"), "{}", e.detail);
}

#[test]
fn served_builtin_schemas_load_back_as_the_same_registry() {
    let core = SchemaRegistry::core();
    let list = |items: Vec<Value>| {
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": items.len(),
               "Resources": items})
    };
    let schemas = list(core.schemas().iter().map(|s| s.to_resource_json("https://sp.example/v2")).collect());
    let types = list(core.resource_types().iter().map(|t| t.to_resource_json("https://sp.example/v2")).collect());
    let mut again = SchemaRegistry::empty();
    assert_eq!(again.load_schemas(&schemas).expect("loads"), 6);
    assert_eq!(again.load_resource_types(&types).expect("loads"), 2);
    assert_eq!(again.schemas(), core.schemas());
    assert_eq!(again.resource_types(), core.resource_types());
    assert!(again.view("User").is_some_and(|v| v.core.id == USER_URN));
}

#[test]
fn every_builtin_schema_round_trips_through_json_text() {
    for schema in SchemaRegistry::core().schemas() {
        let text = serde_json::to_string_pretty(schema).expect("serialise");
        let back: Schema = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(&back, schema, "{}", schema.id);
    }
    for rt in SchemaRegistry::core().resource_types() {
        let back: ResourceType = serde_json::from_str(&serde_json::to_string(rt).expect("serialise")).expect("read");
        assert_eq!(&back, rt);
    }
}

fn arb_kind() -> impl Strategy<Value = AttrType> {
    prop_oneof![
        Just(AttrType::String),
        Just(AttrType::Boolean),
        Just(AttrType::Decimal),
        Just(AttrType::Integer),
        Just(AttrType::DateTime),
        Just(AttrType::Binary),
        Just(AttrType::Reference),
        Just(AttrType::Complex),
    ]
}

fn arb_leaf() -> impl Strategy<Value = AttributeDef> {
    let mutability = prop_oneof![
        Just(Mutability::ReadOnly),
        Just(Mutability::ReadWrite),
        Just(Mutability::Immutable),
        Just(Mutability::WriteOnly)
    ];
    let returned =
        prop_oneof![Just(Returned::Always), Just(Returned::Never), Just(Returned::Default), Just(Returned::Request)];
    let uniqueness = prop_oneof![Just(Uniqueness::None), Just(Uniqueness::Server), Just(Uniqueness::Global)];
    (
        ("[a-zA-Z$][a-zA-Z0-9_-]{0,12}", arb_kind(), any::<bool>(), ".{0,24}", any::<bool>()),
        (proptest::collection::vec("[a-z]{1,6}", 0..3), any::<bool>(), mutability, returned, uniqueness),
        (
            proptest::collection::vec(
                prop_oneof![Just("User".to_owned()), Just("external".to_owned()), "[A-Z][a-z]{1,5}"],
                0..3,
            ),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((name, kind, multi, description, required), (canon, case_exact, m, r, u), (refs, synthetic))| {
                let mut a = AttributeDef::new(name, kind);
                a.multi_valued = multi;
                a.description = description;
                a.required = required;
                a.canonical_values = canon;
                a.case_exact = case_exact;
                a.mutability = m;
                a.returned = r;
                a.uniqueness = u;
                a.reference_types = refs;
                a.synthetic = synthetic;
                a
            },
        )
}

fn arb_attribute() -> impl Strategy<Value = AttributeDef> {
    arb_leaf().prop_recursive(2, 12, 4, |inner| {
        (arb_leaf(), proptest::collection::vec(inner, 1..4)).prop_map(|(mut a, subs)| {
            a.kind = AttrType::Complex;
            a.sub_attributes = subs;
            a
        })
    })
}

proptest! {
    #[test]
    fn attribute_definitions_round_trip_through_serde(attr in arb_attribute()) {
        let v = serde_json::to_value(&attr).expect("serialise");
        prop_assert_eq!(&v["type"], &json!(attr.kind.as_str()));
        let back: AttributeDef = serde_json::from_value(v).expect("deserialise");
        prop_assert_eq!(back, attr);
    }

    #[test]
    fn schemas_of_generated_attributes_round_trip(attrs in proptest::collection::vec(arb_attribute(), 0..5)) {
        let schema = Schema { id: "urn:x:generated".into(), name: "Generated".into(), description: String::new(), attributes: attrs };
        let served = schema.to_resource_json("https://sp.example/v2");
        let mut r = SchemaRegistry::empty();
        prop_assert_eq!(r.load_schemas(&served).expect("loads"), 1);
        prop_assert_eq!(r.schema("URN:X:GENERATED"), Some(&schema));
    }
}
