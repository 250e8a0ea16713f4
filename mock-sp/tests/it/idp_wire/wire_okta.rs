//! The Okta wire files of `shared/reference/idp-wire/`, embedded verbatim so the tests run from a clone
//! without `shared/`; `idp_wire::embedded_copies_match_the_reference` checks them against the originals when
//! present. Each file's `.src` beside the original names where it comes from.

/// `okta/create_user_post.json`
pub(crate) const CREATE_USER_POST: &str = r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Test",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work"
    }],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": "00ujl29u0le5T6Aj10h7",
    "groups": [],
    "password": "1mz050nq",
    "active": true
}"#;

/// `okta/deactivate_user_patch.json`
pub(crate) const DEACTIVATE_USER_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "replace",
        "value": {
            "active": false
        }
    }]
}"#;

/// `okta/group_create_post.json`
pub(crate) const GROUP_CREATE_POST: &str = r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "Test SCIMv2",
    "members": []
}"#;

/// `okta/group_membership_patch.json`
pub(crate) const GROUP_MEMBERSHIP_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
          "op": "remove",
          "path": "members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"
        },
        {
          "op": "add",
          "path": "members",
          "value": [{
              "value": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
              "display": "test.user@okta.local"
        }]
    }]
}"#;

/// `okta/group_membership_replace_all_patch.json`
pub(crate) const GROUP_MEMBERSHIP_REPLACE_ALL_PATCH: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ],
  "Operations": [
    {
      "op": "replace",
      "path": "members",
      "value": [
        {
          "value": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
          "display": "test.user@okta.local"
        },
        {
          "value": "89bb1940-b905-4575-9e7f-6f887cfb368e",
          "display": "test.user@okta.local"
        }
      ]
    }
  ]
}"#;

/// `okta/group_rename_patch.json`
pub(crate) const GROUP_RENAME_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "replace",
        "value": {
            "id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
            "displayName": "Test SCIMv2"
        }
    }]
}"#;

/// `okta/request_headers_observed.json`
pub(crate) const REQUEST_HEADERS_OBSERVED: &str = r#"{
  "method": "PUT",
  "path": "/v2/Users/{id}",
  "headers": {
    "Accept": "application/scim+json",
    "Accept-Charset": "utf-8",
    "Content-Type": "application/scim+json; charset=utf-8",
    "User-Agent": "Okta SCIM Client 1.0.0",
    "Authorization": "Bearer {token}",
    "Connection": "Keep-Alive",
    "Accept-Encoding": "gzip,deflate"
  }
}"#;

/// `okta/runscope_spec_test_scim20_condensed.json`
pub(crate) const RUNSCOPE_SPEC_TEST_SCIM20_CONDENSED: &str = r#"{
  "_note": "Condensed step list of Okta's published 'Okta SCIM 2.0 SPEC Test' Runscope suite (exported_at 1478558704). Headers on most steps: Accept-Charset: utf-8; Content-Type: application/scim+json; charset=utf-8; Accept: application/scim+json; User-Agent: OKTA SCIM Integration; Authorization: {{auth}}. The two POST steps send only Authorization + Accept: application/scim+json; charset=utf-8 (no Content-Type) -- a known suite bug fixed for SCIM 1.1 in OKTA-192001. 5 s pause between steps. Response-time assertions: <400 ms for discovery/filter-miss, <600 ms otherwise.",
  "steps": [
    {"opt": true,  "method": "GET",  "url": "/ServiceProviderConfig", "expect": 200, "asserts": ["schemas has urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig", "patch.supported, bulk.supported, bulk.maxOperations, bulk.maxPayloadSize, filter.supported, filter.maxResults, changePassword.supported, sort.supported, etag.supported, authenticationSchemes[0].type, authenticationSchemes[0].description all non-empty"]},
    {"opt": true,  "method": "POST", "url": "/ServiceProviderConfig", "body": "test\\r\\n\\r\\n", "expect": 405},
    {"opt": true,  "method": "GET",  "url": "/ResourceTypes", "expect": 200, "asserts": ["ListResponse schema", "Resources[0].name, .endpoint, .schema non-empty"]},
    {"opt": true,  "method": "POST", "url": "/ResourceTypes", "body": "test", "expect": 405},
    {"opt": true,  "method": "GET",  "url": "/Schemas", "expect": 200, "asserts": ["ListResponse schema", "Resources[0].id, .attributes non-empty"]},
    {"opt": true,  "method": "POST", "url": "/Schemas", "body": "test", "expect": 405},
    {"opt": false, "method": "GET",  "url": "/Users?count=1&startIndex=1", "expect": 200, "asserts": ["ListResponse schema", "itemsPerPage, startIndex, totalResults are numbers", "Resources[0].id, name.familyName, name.givenName, userName, active, emails.value present"], "captures": "ISVUserid = Resources[0].id"},
    {"opt": false, "method": "GET",  "url": "/Users/{{ISVUserid}}", "expect": 200, "asserts": ["id, name.familyName, name.givenName, userName, active, emails[0].value present", "id == ISVUserid"]},
    {"opt": false, "method": "GET",  "url": "/Users?filter=userName eq \"{{InvalidUserEmail}}\"", "expect": 200, "asserts": ["ListResponse schema", "totalResults == 0"]},
    {"opt": false, "method": "GET",  "url": "/Users/{{UserIdThatDoesNotExist}}", "expect": 404, "asserts": ["detail non-empty", "schemas has urn:ietf:params:scim:api:messages:2.0:Error"]},
    {"opt": false, "method": "GET",  "url": "/Users?filter=userName eq \"{{randomEmail}}\"", "expect": 200, "asserts": ["totalResults == 0"]},
    {"opt": false, "method": "POST", "url": "/Users", "body": {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"{{randomUsername}}","name":{"givenName":"{{randomGivenName}}","familyName":"{{randomFamilyName}}"},"emails":[{"primary":true,"value":"{{randomEmail}}","type":"work"}],"displayName":"{{randomGivenName}} {{randomFamilyName}}","active":true}, "expect": 201, "asserts": ["active == true", "id non-empty", "name/userName echoed", "schemas contains core User"], "captures": "idUserOne = id"},
    {"opt": false, "method": "GET",  "url": "/Users/{{idUserOne}}", "expect": 200},
    {"opt": false, "method": "POST", "url": "/Users", "body": "same as above", "expect": 409},
    {"opt": false, "method": "GET",  "url": "/Users?filter={{randomUsernameCaps}}", "expect": 400, "note": "old suite: malformed filter must be rejected; Okta's newer guidance describes randomUsernameCaps as a case-sensitivity check"},
    {"opt": true,  "method": "GET",  "url": "/Groups", "expect": 200, "asserts": ["script: totalResults >= 1 and Resources is an array"]}
  ]
}"#;

/// `okta/update_user_put.json`
pub(crate) const UPDATE_USER_PUT: &str = r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "23a35c27-23d3-4c03-b4c5-6443c09e7173",
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Another",
        "middleName": "Excited",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work",
        "display": "test.user@okta.local"
    }],
    "active": true,
    "groups": [],
    "meta": {
        "resourceType": "User"
    }
}"#;

/// `okta/user_lookup_get.json`
pub(crate) const USER_LOOKUP_GET: &str = r#"{
  "method": "GET",
  "raw_path_and_query": "/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
  "headers": {"User-Agent": "Okta SCIM Client 1.0.0", "Authorization": "<configured credentials>"},
  "import_paging": "/scim/v2/Users?startIndex=1&count=100, then startIndex=101&count=100 ... until totalResults reached",
  "test_api_credentials_probe_reported": "/Users?startIndex=1&count=2 (per third-party Delinea doc and Okta Runscope suite; count=1 in older SPEC test)"
}"#;

/// Every file above, by its path under `idp-wire/`.
pub(crate) const FILES: &[(&str, &str)] = &[
    ("okta/create_user_post.json", CREATE_USER_POST),
    ("okta/deactivate_user_patch.json", DEACTIVATE_USER_PATCH),
    ("okta/group_create_post.json", GROUP_CREATE_POST),
    ("okta/group_membership_patch.json", GROUP_MEMBERSHIP_PATCH),
    ("okta/group_membership_replace_all_patch.json", GROUP_MEMBERSHIP_REPLACE_ALL_PATCH),
    ("okta/group_rename_patch.json", GROUP_RENAME_PATCH),
    ("okta/request_headers_observed.json", REQUEST_HEADERS_OBSERVED),
    ("okta/runscope_spec_test_scim20_condensed.json", RUNSCOPE_SPEC_TEST_SCIM20_CONDENSED),
    ("okta/update_user_put.json", UPDATE_USER_PUT),
    ("okta/user_lookup_get.json", USER_LOOKUP_GET),
];
