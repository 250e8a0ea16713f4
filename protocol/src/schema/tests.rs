//! Unit tests of the built-in schemas (RFC 7643 sections 8.6 and 8.7) and of name resolution through them.

use super::*;

fn core() -> &'static SchemaRegistry {
    SchemaRegistry::core()
}

fn user_attr(path: &str) -> &'static AttributeDef {
    let (r, sub) = core().user().resolve_dotted(path).unwrap_or_else(|| panic!("{path} should resolve"));
    sub.unwrap_or(r.attr)
}

fn group_attr(path: &str) -> &'static AttributeDef {
    let (r, sub) = core().group().resolve_dotted(path).unwrap_or_else(|| panic!("{path} should resolve"));
    sub.unwrap_or(r.attr)
}

#[test]
fn core_registry_has_six_schemas_and_two_resource_types() {
    let r = core();
    let ids: Vec<&str> = r.schemas().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [USER_URN, GROUP_URN, ENTERPRISE_USER_URN, SERVICE_PROVIDER_CONFIG_URN, RESOURCE_TYPE_URN, SCHEMA_URN]
    );
    let types: Vec<(&str, &str)> = r.resource_types().iter().map(|t| (t.name.as_str(), t.endpoint.as_str())).collect();
    assert_eq!(types, [("User", "/Users"), ("Group", "/Groups")]);
}

#[test]
fn builtin_json_parses_and_every_item_loads() {
    for (src, n) in [(builtin::CORE_SCHEMAS_JSON, 3), (builtin::SERVICE_SCHEMAS_JSON, 3)] {
        let v: serde_json::Value = serde_json::from_str(src).expect("built-in schema JSON parses");
        let mut r = SchemaRegistry::empty();
        assert_eq!(r.load_schemas(&v).expect("loads"), n);
        for item in v.as_array().expect("array") {
            let id = item["id"].as_str().expect("id");
            assert_eq!(item["schemas"], serde_json::json!([SCHEMA_URN]), "{id}");
            assert_eq!(item["meta"]["resourceType"], "Schema", "{id}");
            assert_eq!(item["meta"]["location"], format!("/v2/Schemas/{id}"), "{id}");
        }
    }
    let v: serde_json::Value = serde_json::from_str(builtin::RESOURCE_TYPES_JSON).expect("parses");
    assert_eq!(SchemaRegistry::empty().load_resource_types(&v).expect("loads"), 2);
}

#[test]
fn user_resource_type_carries_the_optional_enterprise_extension() {
    let user = core().resource_type("User").expect("User type");
    assert_eq!(user.schema, USER_URN);
    assert_eq!(user.id.as_deref(), Some("User"));
    assert_eq!(user.schema_extensions, [SchemaExtension { schema: ENTERPRISE_USER_URN.into(), required: false }]);
    let group = core().resource_type("/groups").expect("Group type by endpoint");
    assert_eq!((group.schema.as_str(), group.schema_extensions.len()), (GROUP_URN, 0));
    let view = core().user();
    assert_eq!(view.extensions.len(), 1);
    assert!(!view.extensions[0].1);
}

#[test]
fn user_characteristics_follow_the_rfc() {
    let user_name = user_attr("userName");
    assert_eq!((user_name.kind, user_name.required, user_name.case_exact), (AttrType::String, true, false));
    assert_eq!(user_name.uniqueness, Uniqueness::Server);

    let password = user_attr("password");
    assert_eq!((password.mutability, password.returned), (Mutability::WriteOnly, Returned::Never));

    let id = user_attr("id");
    assert!(id.synthetic, "id comes from the common attributes, not the User schema");
    assert_eq!((id.mutability, id.returned, id.case_exact), (Mutability::ReadOnly, Returned::Always, true));

    let emails = user_attr("emails");
    assert!(emails.is_multi_complex());
    let value = emails.sub("VALUE").expect("emails.value");
    assert_eq!((value.kind, value.case_exact), (AttrType::String, false));
    assert_eq!(emails.sub("type").expect("emails.type").canonical_values, ["work", "home", "other"]);
    assert_eq!(emails.sub("primary").expect("emails.primary").kind, AttrType::Boolean);

    let phone_types = &user_attr("phoneNumbers.type").canonical_values;
    assert_eq!(phone_types, &["work", "home", "mobile", "fax", "pager", "other"]);
    assert_eq!(user_attr("ims.type").canonical_values.len(), 8);
    assert_eq!(user_attr("photos.value").kind, AttrType::Reference);
    assert_eq!(user_attr("photos.value").reference_types, ["external"]);
    assert_eq!(user_attr("profileUrl").reference_types, ["external"]);
    assert_eq!(user_attr("x509Certificates.value").kind, AttrType::Binary);
    assert!(user_attr("x509Certificates.value").is_case_exact(), "binary is case-exact whatever caseExact says");
    assert_eq!(user_attr("active").kind, AttrType::Boolean);
    for sub in ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type"] {
        assert!(user_attr("addresses").sub(sub).is_some(), "addresses.{sub}");
    }
    for sub in ["familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix", "formatted"] {
        assert_eq!(user_attr(&format!("name.{sub}")).kind, AttrType::String);
    }
    for attr in ["entitlements", "roles", "x509Certificates", "ims", "photos", "phoneNumbers"] {
        let a = user_attr(attr);
        assert!(a.is_multi_complex(), "{attr}");
        for sub in ["value", "display", "type", "primary"] {
            assert!(a.sub(sub).is_some(), "{attr}.{sub}");
        }
    }

    let groups = user_attr("groups");
    assert!(groups.is_multi_complex());
    assert_eq!(groups.mutability, Mutability::ReadOnly);
    assert!(groups.sub_attributes.iter().all(|s| s.mutability == Mutability::ReadOnly));
    assert_eq!(groups.sub("$ref").expect("groups.$ref").reference_types, ["Group"], "verified erratum 8471");
    assert_eq!(groups.sub("type").expect("groups.type").canonical_values, ["direct", "indirect"]);
}

#[test]
fn group_and_enterprise_characteristics_follow_the_rfc() {
    let display_name = group_attr("displayName");
    assert!(display_name.required, "RFC 7643 section 4.2 makes Group displayName required");
    let members = group_attr("members");
    assert!(members.is_multi_complex());
    assert_eq!(members.mutability, Mutability::ReadWrite);
    assert_eq!(group_attr("members.value").mutability, Mutability::Immutable);
    let member_ref = group_attr("members.$ref");
    assert_eq!((member_ref.kind, member_ref.mutability), (AttrType::Reference, Mutability::Immutable));
    assert_eq!(member_ref.reference_types, ["User", "Group"]);
    assert_eq!(group_attr("members.type").canonical_values, ["User", "Group"]);

    let manager = user_attr("manager");
    assert_eq!((manager.kind, manager.multi_valued), (AttrType::Complex, false));
    let names: Vec<&str> = manager.sub_attributes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["value", "$ref", "displayName"]);
    assert_eq!(manager.sub("displayName").expect("displayName").mutability, Mutability::ReadOnly);
    assert_eq!(manager.sub("$ref").expect("$ref").reference_types, ["User"]);
    // As published; verified erratum 8472 would make it case-exact, which the filter reference model would
    // have to follow too.
    assert!(!manager.sub("value").expect("value").case_exact);
    for a in ["employeeNumber", "costCenter", "organization", "division", "department"] {
        assert_eq!(user_attr(a).kind, AttrType::String, "{a}");
    }
}

#[test]
fn service_schemas_are_read_only_and_mark_required_members() {
    let spc = core().schema(SERVICE_PROVIDER_CONFIG_URN).expect("spc schema");
    for name in ["patch", "bulk", "filter", "changePassword", "sort", "etag", "authenticationSchemes"] {
        let a = spc.attribute(name).unwrap_or_else(|| panic!("{name}"));
        assert!(a.required && a.mutability == Mutability::ReadOnly, "{name}");
    }
    let bulk = spc.attribute("bulk").expect("bulk");
    assert_eq!(bulk.sub("maxPayloadSize").expect("maxPayloadSize").kind, AttrType::Integer);
    let rt = core().schema(RESOURCE_TYPE_URN).expect("resource type schema");
    assert_eq!(rt.attribute("endpoint").expect("endpoint").reference_types, ["uri"]);
    assert!(rt.attribute("schemaExtensions").expect("schemaExtensions").is_multi_complex());
    let schema = core().schema(SCHEMA_URN).expect("schema schema");
    let attributes = schema.attribute("attributes").expect("attributes");
    let nested = attributes.sub("subAttributes").expect("subAttributes");
    assert_eq!(nested.sub("mutability").expect("mutability").canonical_values.len(), 4);
}

#[test]
fn resolution_ignores_case_and_accepts_urn_prefixes() {
    let user = core().user();
    let name_of = |path: &str| user.resolve_dotted(path).map(|(r, s)| (s.unwrap_or(r.attr).name.clone(), r.extension));
    assert_eq!(name_of("userName"), Some(("userName".into(), None)));
    assert_eq!(name_of("USERNAME"), Some(("userName".into(), None)));
    assert_eq!(name_of("name.givenName"), Some(("givenName".into(), None)));
    assert_eq!(name_of("NAME.GIVENNAME"), Some(("givenName".into(), None)));
    assert_eq!(name_of(&format!("{USER_URN}:name.familyName")), Some(("familyName".into(), None)));
    assert_eq!(name_of(&format!("{USER_URN}:id")), Some(("id".into(), None)));
    assert_eq!(
        name_of(&format!("{ENTERPRISE_USER_URN}:manager.value")),
        Some(("value".into(), Some(ENTERPRISE_USER_URN)))
    );
    assert_eq!(name_of("employeeNumber"), Some(("employeeNumber".into(), Some(ENTERPRISE_USER_URN))));
    assert_eq!(name_of("emails.value"), Some(("value".into(), None)));
    for unknown in ["nope", "name.nope", "emails.nope", &format!("{GROUP_URN}:userName"), "urn:x:y:userName", ""] {
        assert!(user.resolve_dotted(unknown).is_none(), "{unknown:?} should not resolve");
    }
    assert!(core().group().resolve_dotted("members.value").is_some());
    assert!(core().group().resolve_dotted("userName").is_none());
    assert!(core().group().resolve_dotted("employeeNumber").is_none());
}

#[test]
fn every_builtin_schema_round_trips_through_serde() {
    for schema in core().schemas() {
        let v = serde_json::to_value(schema).expect("serialise");
        let back: Schema = serde_json::from_value(v).expect("deserialise");
        assert_eq!(&back, schema, "{}", schema.id);
    }
    for rt in core().resource_types() {
        let v = serde_json::to_value(rt).expect("serialise");
        let back: ResourceType = serde_json::from_value(v).expect("deserialise");
        assert_eq!(&back, rt, "{}", rt.name);
    }
}

#[test]
fn split_urn_never_panics_on_multibyte_text() {
    assert_eq!(split_urn("abcé:x"), (None, "abcé:x"));
    assert_eq!(split_urn("urn:a:b:c.d"), (Some("urn:a:b"), "c.d"));
}
