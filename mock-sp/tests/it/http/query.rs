//! Queries (RFC 7644 sections 3.4.2 and 3.4.3): sorting, pagination, projection on read, list and `.search`,
//! and a root `.search` across resource types.

use super::{GROUP_URN, SEARCH_URN, Sp, USER_URN, assert_list, enc, id_of, ids};
use serde_json::{Value, json};

/// Users created in this order, with family names that sort differently from the user names.
async fn population(sp: &Sp) -> Vec<String> {
    let mut out = Vec::new();
    for (user, family) in [
        ("bravo", "Young"),
        ("Alpha", "Xu"),
        ("echo", "Zimmer"),
        ("charlie", "abbott"),
        ("Delta", "Walker"),
        ("foxtrot", "Brown"),
        ("golf", "carter"),
    ] {
        let u = sp
            .create(
                "/Users",
                &json!({"schemas": [USER_URN], "userName": user, "name": {"familyName": family},
                        "emails": [{"value": format!("{user}@example.com"), "type": "work", "primary": true}]}),
            )
            .await;
        out.push(id_of(&u));
    }
    out
}

fn user_names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn sorting_follows_the_attribute_type_and_order() {
    let sp = Sp::new();
    population(&sp).await;
    let asc = sp.read("/Users?sortBy=userName").await;
    // userName is not caseExact: case-insensitive order (RFC 7644 section 3.4.2.3).
    assert_eq!(user_names(&asc), ["Alpha", "bravo", "charlie", "Delta", "echo", "foxtrot", "golf"]);
    let desc = sp.read("/Users?sortBy=userName&sortOrder=descending").await;
    assert_eq!(user_names(&desc), ["golf", "foxtrot", "echo", "Delta", "charlie", "bravo", "Alpha"]);
    let by_family = sp.read("/Users?sortBy=name.familyName&sortOrder=ascending").await;
    assert_eq!(user_names(&by_family), ["charlie", "foxtrot", "golf", "Delta", "Alpha", "bravo", "echo"]);
    // Sorting happens before paging.
    let page = sp.read("/Users?sortBy=userName&startIndex=3&count=2").await;
    assert_eq!(user_names(&page), ["charlie", "Delta"]);
    assert_eq!(assert_list(&page), 7);
    // The same through .search, and a multi-valued attribute sorts by its primary value.
    let s = sp
        .post(
            "/Users/.search",
            &json!({"schemas": [SEARCH_URN], "sortBy": "emails", "sortOrder": "descending", "count": 3}),
        )
        .await
        .expect_json(200);
    assert_eq!(user_names(&s), ["golf", "foxtrot", "echo"]);
    sp.get("/Users?sortBy=noSuchAttribute").await.expect_error(400, Some("invalidValue"));
    let spc = sp.read("/ServiceProviderConfig").await;
    assert_eq!(spc["sort"]["supported"], json!(true));
}

#[tokio::test]
async fn pagination_is_one_based_stable_and_total() {
    let sp = Sp::new();
    let created = population(&sp).await;
    let all = sp.read("/Users").await;
    assert_eq!(assert_list(&all), 7);
    assert_eq!(ids(&all), created, "without sortBy, creation order");
    assert_eq!(ids(&sp.read("/Users").await), created, "and the same order every time");

    let mut paged = Vec::new();
    for start in [1, 4, 7] {
        let p = sp.read(&format!("/Users?startIndex={start}&count=3")).await;
        assert_eq!(assert_list(&p), 7);
        assert_eq!(p["startIndex"], json!(start));
        paged.extend(ids(&p));
    }
    assert_eq!(paged, created, "pages concatenate to the whole list");

    let zero = sp.read("/Users?count=0").await;
    assert_eq!(assert_list(&zero), 7, "count=0 asks only for totalResults");
    assert_eq!(zero["Resources"], json!([]));
    let beyond = sp.read("/Users?startIndex=8&count=3").await;
    assert_eq!(assert_list(&beyond), 7);
    assert_eq!(beyond["Resources"], json!([]));
    // A startIndex below 1 is read as 1, a negative count as 0 (section 3.4.2.4).
    for q in ["startIndex=0", "startIndex=-5"] {
        let p = sp.read(&format!("/Users?{q}&count=2")).await;
        assert_eq!(p["startIndex"], json!(1));
        assert_eq!(ids(&p), created[..2]);
    }
    assert_eq!(sp.read("/Users?count=-1").await["Resources"], json!([]));
    for q in ["count=abc", "startIndex=1.5", "count=2x"] {
        sp.get(&format!("/Users?{q}")).await.expect_error(400, Some("invalidValue"));
    }
    // Filter, then page.
    let f =
        sp.read(&format!("/Users?filter={}&startIndex=2&count=1", enc("userName sw \"g\" or userName sw \"e\""))).await;
    assert_eq!(assert_list(&f), 2);
    assert_eq!(ids(&f), [created[6].clone()]);
}

#[tokio::test]
async fn page_size_is_capped_at_the_published_max_results() {
    let sp = Sp::with(|c| c.max_results = 5);
    let created = population(&sp).await;
    for q in ["", "?count=100"] {
        let p = sp.read(&format!("/Users{q}")).await;
        assert_eq!(assert_list(&p), 7);
        assert_eq!(ids(&p), created[..5]);
    }
    assert_eq!(sp.read("/ServiceProviderConfig").await["filter"]["maxResults"], json!(5));
}

#[tokio::test]
async fn attributes_and_excluded_attributes_on_read_list_and_search() {
    let sp = Sp::new();
    let created = population(&sp).await;
    let path = format!("/Users/{}", created[0]);

    let only = sp.read(&format!("{path}?attributes=userName")).await;
    assert_eq!(only["userName"], "bravo");
    assert_eq!(only["id"], json!(created[0]), "id is always returned");
    assert!(only.get("emails").is_none() && only.get("name").is_none(), "{only}");
    let sub = sp.read(&format!("{path}?attributes=name.familyName,emails.value")).await;
    assert_eq!(sub["name"], json!({"familyName": "Young"}));
    assert_eq!(sub["emails"], json!([{"value": "bravo@example.com"}]));
    assert!(sub.get("userName").is_none(), "{sub}");
    let urn = sp.read(&format!("{path}?attributes={USER_URN}:name.familyName")).await;
    assert_eq!(urn["name"], json!({"familyName": "Young"}));

    let without = sp.read(&format!("{path}?excludedAttributes=emails,name")).await;
    assert!(without.get("emails").is_none() && without.get("name").is_none(), "{without}");
    assert_eq!(without["userName"], "bravo");
    let keep_id = sp.read(&format!("{path}?excludedAttributes=id")).await;
    assert_eq!(keep_id["id"], json!(created[0]), "id cannot be excluded (returned always)");

    let list = sp.read("/Users?attributes=userName&count=2").await;
    for r in list["Resources"].as_array().expect("Resources") {
        assert!(r.get("emails").is_none() && r["id"].is_string() && r["userName"].is_string(), "{r}");
    }
    let list = sp.read("/Users?excludedAttributes=emails").await;
    for r in list["Resources"].as_array().expect("Resources") {
        assert!(r.get("emails").is_none() && r["name"].is_object(), "{r}");
    }

    let s = sp
        .post(
            "/Users/.search",
            &json!({"schemas": [SEARCH_URN], "attributes": ["userName"], "filter": "userName eq \"ALPHA\""}),
        )
        .await
        .expect_json(200);
    assert_eq!(assert_list(&s), 1);
    let r = &s["Resources"][0];
    assert_eq!(r["userName"], "Alpha");
    assert!(r.get("name").is_none(), "{r}");
    let s = sp
        .post("/.search", &json!({"schemas": [SEARCH_URN], "excludedAttributes": ["emails", "name"], "filter": "userName eq \"echo\""}))
        .await
        .expect_json(200);
    assert_eq!(assert_list(&s), 1);
    assert!(s["Resources"][0].get("emails").is_none() && s["Resources"][0]["userName"] == "echo", "{s}");
}

#[tokio::test]
async fn excluded_members_on_group_list_and_read() {
    let sp = Sp::new();
    let a = sp.user("a").await;
    let gid = sp.group("team", &[&a]).await;
    let full = sp.read(&format!("/Groups/{gid}")).await;
    assert_eq!(super::member_values(&full), [a.as_str()]);
    let lean = sp.read(&format!("/Groups/{gid}?excludedAttributes=members")).await;
    assert!(lean.get("members").is_none(), "{lean}");
    assert_eq!(lean["displayName"], "team");
    let list = sp.read(&format!("/Groups?excludedAttributes=members&filter={}", enc("displayName eq \"team\""))).await;
    assert_eq!(assert_list(&list), 1);
    assert!(list["Resources"][0].get("members").is_none());
}

#[tokio::test]
async fn root_search_spans_users_and_groups() {
    let sp = Sp::new();
    let u = sp.create("/Users", &json!({"schemas": [USER_URN], "userName": "lead", "displayName": "team lead"})).await;
    sp.user("other").await;
    let g = sp.create("/Groups", &json!({"schemas": [GROUP_URN], "displayName": "team a"})).await;
    sp.create("/Groups", &json!({"schemas": [GROUP_URN], "displayName": "solo"})).await;

    let s = sp
        .post("/.search", &json!({"schemas": [SEARCH_URN], "filter": "displayName sw \"team\""}))
        .await
        .expect_json(200);
    assert_eq!(assert_list(&s), 2);
    let mut got = ids(&s);
    got.sort();
    let mut want = vec![id_of(&u), id_of(&g)];
    want.sort();
    assert_eq!(got, want);
    let types: Vec<&str> = s["Resources"]
        .as_array()
        .expect("Resources")
        .iter()
        .filter_map(|r| r["meta"]["resourceType"].as_str())
        .collect();
    assert!(types.contains(&"User") && types.contains(&"Group"), "{types:?}");

    let everything = sp.post("/.search", &json!({"schemas": [SEARCH_URN]})).await.expect_json(200);
    assert_eq!(assert_list(&everything), 4);
    let paged =
        sp.post("/.search", &json!({"schemas": [SEARCH_URN], "startIndex": 2, "count": 2})).await.expect_json(200);
    assert_eq!(assert_list(&paged), 4);
    assert_eq!(ids(&paged), ids(&everything)[1..3]);
    // A type-scoped .search sees only its type.
    let scoped = sp
        .post("/Groups/.search", &json!({"schemas": [SEARCH_URN], "filter": "displayName sw \"team\""}))
        .await
        .expect_json(200);
    assert_eq!(ids(&scoped), [id_of(&g)]);
}

#[tokio::test]
async fn filters_on_the_lookups_idps_use() {
    let sp = Sp::new();
    let u = sp
        .create(
            "/Users",
            &json!({"schemas": [USER_URN], "userName": "Jane.Doe@Example.com", "externalId": "ext-1", "active": true,
                    "emails": [{"type": "work", "value": "jane@work.example"}, {"type": "home", "value": "jane@home.example"}]}),
        )
        .await;
    let id = id_of(&u);
    for f in [
        "userName eq \"jane.doe@example.com\"",
        "externalId eq \"ext-1\"",
        "emails[type eq \"work\"].value eq \"jane@work.example\"",
        "emails[type eq \"work\" and value co \"@work\"]",
        "userName eq \"JANE.DOE@EXAMPLE.COM\" and active eq true",
        &format!("id eq \"{id}\""),
        "emails.value ew \"home.example\"",
    ] {
        let l = sp.read(&format!("/Users?filter={}", enc(f))).await;
        assert_eq!(ids(&l), [id.as_str()], "{f}");
    }
    for f in ["externalId eq \"EXT-1\"", "emails[type eq \"home\"].value eq \"jane@work.example\"", "active eq false"] {
        let l = sp.read(&format!("/Users?filter={}", enc(f))).await;
        assert_eq!(assert_list(&l), 0, "{f}");
        assert_eq!(l["Resources"], json!([]));
    }
}
