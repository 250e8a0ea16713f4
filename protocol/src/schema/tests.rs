//! Unit tests of the built-in schemas (RFC 7643 section 8.7) and of name resolution through them.

use super::*;

#[test]
fn core_registry_has_six_schemas_and_two_resource_types() {
    let r = SchemaRegistry::core();
    assert_eq!(r.schemas().len(), 6, "{:?}", r.schemas().iter().map(|s| &s.id).collect::<Vec<_>>());
    assert_eq!(r.resource_types().len(), 2);
}
