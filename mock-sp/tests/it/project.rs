//! `render::project` (the hot path of GET, PATCH and list answers) shows exactly what projecting the full
//! rendering shows, for every kind of projection, with and without derived `groups`.

use scimlab_mock_sp::render::{project, projection_from_pairs, render};
use scimlab_mock_sp::store::{Kind, MemoryStore, Store};
use scimlab_mock_sp::{AppState, ServerConfig};
use serde_json::json;
use std::sync::Arc;

#[test]
fn projecting_the_stored_value_equals_projecting_the_rendering() {
    let store = Arc::new(MemoryStore::default());
    let state = AppState::new(store.clone(), ServerConfig::default());
    let st = state.shared();
    let user = |id: &str, extra: serde_json::Value| {
        let mut u = json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "id": id, "userName": format!("{id}@x.test"), "password": "secret", "title": "Eng",
            "emails": [{"type": "work", "value": format!("{id}@x.test"), "primary": true}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "D"},
            "meta": {"resourceType": "User", "location": format!("http://h/scim/v2/Users/{id}")}
        });
        if let (Some(o), Some(e)) = (u.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        store.insert(Kind::User, u).expect("user")
    };
    let member = user("u1", json!({}));
    let loner = user("u2", json!({"nickName": "n"}));
    let group = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g1", "displayName": "G",
        "members": [{"value": "u1"}], "meta": {"resourceType": "Group", "location": "http://h/scim/v2/Groups/g1"}});
    let group = store.insert(Kind::Group, group).expect("group");
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("attributes", "groups")],
        &[("attributes", "groups.display,userName")],
        &[("attributes", "userName")],
        &[("excludedAttributes", "groups")],
        &[("excludedAttributes", "emails,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")],
        &[("attributes", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department")],
        &[("attributes", "members.value")],
    ];
    for pairs in cases {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        for (kind, rec) in [(Kind::User, &member), (Kind::User, &loner), (Kind::Group, &group)] {
            let p = projection_from_pairs(st, kind, &pairs).expect("projection");
            let fast = project(st, kind, rec, &p).expect("project");
            let full = p.apply(&render(st, kind, rec).expect("render"));
            assert_eq!(fast, full, "{kind:?} {} with {pairs:?}", rec.id);
            assert_eq!(
                serde_json::to_string(&fast).expect("json"),
                serde_json::to_string(&full).expect("json"),
                "same member order"
            );
        }
    }
}
