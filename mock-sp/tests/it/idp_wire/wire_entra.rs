//! The Entra ID wire files of `shared/reference/idp-wire/`, embedded verbatim so the tests run from a clone
//! without `shared/`; `idp_wire::embedded_copies_match_the_reference` checks them against the originals when
//! present. Each file's `.src` beside the original names where it comes from.

/// `entra/add_single_value_attr_patch_aadOptscim062020.json`
pub(crate) const ADD_SINGLE_VALUE_ATTR_PATCH_AADOPTSCIM062020: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
      {
        "op": "add",
        "path": "nickName",
        "value": "Babs"
      }
    ]
}"#;

/// `entra/add_single_value_attr_patch_default_noflag.json`
pub(crate) const ADD_SINGLE_VALUE_ATTR_PATCH_DEFAULT_NOFLAG: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
      {
        "op": "Add",
        "path": "nickName",
        "value": "Babs"
      }
    ]
}"#;

/// `entra/create_user_post.json`
pub(crate) const CREATE_USER_POST: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
    "active": true,
    "emails": [{
        "primary": true,
        "type": "work",
        "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
    }],
    "meta": {
        "resourceType": "User"
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName"
    },
    "roles": []
}"#;

/// `entra/create_user_post_headers.json`
pub(crate) const CREATE_USER_POST_HEADERS: &str = r#"{
  "method": "POST",
  "path": "/scim/Users",
  "headers": {
    "Authorization": "Bearer <token>",
    "Content-Type": "application/scim+json; charset=utf-8"
  },
  "body_ref": "create_user_post.json"
}"#;

/// `entra/create_user_post_legacy_nulls.json`
pub(crate) const CREATE_USER_POST_LEGACY_NULLS: &str = r#"{
   "schemas":
   [
     "urn:ietf:params:scim:schemas:core:2.0:User",
     "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
   "externalId":"jyoung",
   "userName":"jyoung@testuser.com",
   "active":true,
   "addresses":null,
   "displayName":"Joy Young",
   "emails": [
     {
       "type":"work",
       "value":"jyoung@Contoso.com",
       "primary":true}],
   "meta": {
     "resourceType":"User"},
    "name":{
     "familyName":"Young",
     "givenName":"Joy"},
   "phoneNumbers":null,
   "preferredLanguage":null,
   "title":null,
   "department":null,
   "manager":null}"#;

/// `entra/disable_user_patch_aadOptscim062020.json`
pub(crate) const DISABLE_USER_PATCH_AADOPTSCIM062020: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "active",
            "value": false
        }
    ]
}"#;

/// `entra/disable_user_patch_default_noflag.json`
pub(crate) const DISABLE_USER_PATCH_DEFAULT_NOFLAG: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": "False"
        }
    ]
}"#;

/// `entra/disable_user_patch_tutorial.json`
pub(crate) const DISABLE_USER_PATCH_TUTORIAL: &str = r#"{
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": false
        }
    ],
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ]
}"#;

/// `entra/group_add_members_patch.json`
pub(crate) const GROUP_ADD_MEMBERS_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Add",
        "path": "members",
        "value": [{
            "$ref": null,
            "value": "f648f8d5ea4e4cd38e9c"
        }]
    }]
}"#;

/// `entra/group_create_post.json`
pub(crate) const GROUP_CREATE_POST: &str = r#"{
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
    "meta": {
        "resourceType": "Group"
    }
}"#;

/// `entra/group_lookup_get.json`
pub(crate) const GROUP_LOOKUP_GET: &str = r#"{
  "method": "GET",
  "raw_path_and_query": "/Groups?excludedAttributes=members&filter=displayName+eq+%22TEST%22",
  "decoded": {"excludedAttributes": "members", "filter": "displayName eq \"TEST\""},
  "then": {"method": "GET", "raw_path_and_query": "/Groups/40734ae655284ad3abcc?excludedAttributes=members"}
}"#;

/// `entra/group_remove_member_patch_aadOptscim062020.json`
pub(crate) const GROUP_REMOVE_MEMBER_PATCH_AADOPTSCIM062020: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "remove",
            "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"
        }
    ]
}"#;

/// `entra/group_remove_member_patch_default_noflag.json`
pub(crate) const GROUP_REMOVE_MEMBER_PATCH_DEFAULT_NOFLAG: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Remove",
            "path": "members",
            "value": [
                {
                    "value": "u1091"
                }
            ]
        }
    ]
}"#;

/// `entra/group_remove_members_patch_tutorial.json`
pub(crate) const GROUP_REMOVE_MEMBERS_PATCH_TUTORIAL: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Remove",
        "path": "members",
        "value": [{
            "$ref": null,
            "value": "f648f8d5ea4e4cd38e9c"
        }]
    }]
}"#;

/// `entra/group_rename_patch.json`
pub(crate) const GROUP_RENAME_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Replace",
        "path": "displayName",
        "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    }]
}"#;

/// `entra/known_issues_flag_matrix.json`
pub(crate) const KNOWN_ISSUES_FLAG_MATRIX: &str = r#"{
  "_note": "What the ?aadOptscim062020 tenant-URL flag changes (Entra 'scim' job, non-gallery apps). Downgrade flag once new behaviour becomes default: AzureAdScimPatch2017. Flag does NOT apply to on-demand provisioning.",
  "disable_user":           {"default": {"op": "Replace", "path": "active", "value": "False"}, "flag": {"op": "replace", "path": "active", "value": false}},
  "add_single_value":       {"default": {"op": "Add", "path": "nickName", "value": "Babs"},    "flag": {"op": "add", "path": "nickName", "value": "Babs"}},
  "replace_multiple_attrs": {"default": "one op per attribute, each with path, op 'Replace'", "flag": "filtered paths stay separate; others merged into ONE no-path {op:'replace', value:{'displayName':..,'name.givenName':..,'urn:...:enterprise:2.0:User:employeeNumber':..}} with dotted/URN-qualified keys"},
  "remove_group_member":    {"default": {"op": "Remove", "path": "members", "value": [{"value": "u1091"}]}, "flag": {"op": "remove", "path": "members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}},
  "roles_patch": "customize-application-attributes.md: POST and PATCH role formats differ by default; flag makes them consistent / fixes 'id' attribute issue",
  "fixed_in_2018_scim_job_vs_customappsso": ["'/scim' no longer required in URL root", "extension attrs use ':' not '.' notation", "valid path filter syntax for multi-valued PATCH", "valid schema URI on group create"]
}"#;

/// `entra/manager_add_patch_tutorial_legacy.json`
pub(crate) const MANAGER_ADD_PATCH_TUTORIAL_LEGACY: &str = r#"{
    "schemas": 
    [
      "urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations":
    [
      {
        "op":"Add",
        "path":"manager",
        "value":
          [
            {
              "$ref":"http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
              "value":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}]}]}"#;

/// `entra/roles_approle_patch_default.json`
pub(crate) const ROLES_APPROLE_PATCH_DEFAULT: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ],
  "Operations": [
    {
      "op": "Add",
      "path": "roles",
      "value": [
        {
          "value": "{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"
        }
      ]
    }
  ]
}"#;

/// `entra/roles_assertive_patch.json`
pub(crate) const ROLES_ASSERTIVE_PATCH: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ],
  "Operations": [
    {
      "op": "replace",
      "path": "roles",
      "value": [
        {
          "primary": false,
          "type": "WindowsAzureActiveDirectoryRole",
          "display": "User",
          "value": "User"
        },
        {
          "primary": false,
          "type": "WindowsAzureActiveDirectoryRole",
          "display": "Test",
          "value": "Test"
        }
      ]
    }
  ]
}"#;

/// `entra/roles_single_approle_post.json`
pub(crate) const ROLES_SINGLE_APPROLE_POST: &str = r#"{
  "schemas": [
    "urn:ietf:params:scim:schemas:core:2.0:User"
  ],
  "externalId": "alias",
  "userName": "alias@contoso.OnMicrosoft.com",
  "active": true,
  "displayName": "First Name Last Name",
  "meta": {
    "resourceType": "User"
  },
  "roles": [
    {
      "primary": true,
      "type": "WindowsAzureActiveDirectoryRole",
      "value": "Admin"
    }
  ]
}"#;

/// `entra/test_connection_get.json`
pub(crate) const TEST_CONNECTION_GET: &str = r#"{
  "method": "GET",
  "raw_path_and_query": "/scim/Users?filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22",
  "decoded_filter": "userName eq \"7d420df3-9995-4831-a406-ecf8166f5f6a\"",
  "headers": {
    "Authorization": "Bearer <secret token from Entra 'Secret Token' field>"
  },
  "expected_response": {
    "status": 200,
    "body": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": [], "startIndex": 1, "itemsPerPage": 20}
  }
}"#;

/// `entra/update_multiple_attrs_patch_aadOptscim062020.json`
pub(crate) const UPDATE_MULTIPLE_ATTRS_PATCH_AADOPTSCIM062020: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestMhvaes@test.microsoft.com"
        },
        {
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
            }
        }
    ]
}"#;

/// `entra/update_multiple_attrs_patch_default_noflag.json`
pub(crate) const UPDATE_MULTIPLE_ATTRS_PATCH_DEFAULT_NOFLAG: &str = r#"{
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Replace",
            "path": "displayName",
            "value": "Pvlo"
        },
        {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestBcwqnm@test.microsoft.com"
        },
        {
            "op": "Replace",
            "path": "name.givenName",
            "value": "Gtfd"
        },
        {
            "op": "Replace",
            "path": "name.familyName",
            "value": "Pkqf"
        },
        {
            "op": "Replace",
            "path": "externalId",
            "value": "Eqpj"
        },
        {
            "op": "Replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "value": "Eqpj"
        }
    ]
}"#;

/// `entra/update_user_multivalued_patch.json`
pub(crate) const UPDATE_USER_MULTIVALUED_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
            {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "updatedEmail@microsoft.com"
            },
            {
            "op": "Replace",
            "path": "name.familyName",
            "value": "updatedFamilyName"
            }
    ]
}"#;

/// `entra/update_username_patch.json`
pub(crate) const UPDATE_USERNAME_PATCH: &str = r#"{
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Replace",
        "path": "userName",
        "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    }]
}"#;

/// Every file above, by its path under `idp-wire/`.
pub(crate) const FILES: &[(&str, &str)] = &[
    ("entra/add_single_value_attr_patch_aadOptscim062020.json", ADD_SINGLE_VALUE_ATTR_PATCH_AADOPTSCIM062020),
    ("entra/add_single_value_attr_patch_default_noflag.json", ADD_SINGLE_VALUE_ATTR_PATCH_DEFAULT_NOFLAG),
    ("entra/create_user_post.json", CREATE_USER_POST),
    ("entra/create_user_post_headers.json", CREATE_USER_POST_HEADERS),
    ("entra/create_user_post_legacy_nulls.json", CREATE_USER_POST_LEGACY_NULLS),
    ("entra/disable_user_patch_aadOptscim062020.json", DISABLE_USER_PATCH_AADOPTSCIM062020),
    ("entra/disable_user_patch_default_noflag.json", DISABLE_USER_PATCH_DEFAULT_NOFLAG),
    ("entra/disable_user_patch_tutorial.json", DISABLE_USER_PATCH_TUTORIAL),
    ("entra/group_add_members_patch.json", GROUP_ADD_MEMBERS_PATCH),
    ("entra/group_create_post.json", GROUP_CREATE_POST),
    ("entra/group_lookup_get.json", GROUP_LOOKUP_GET),
    ("entra/group_remove_member_patch_aadOptscim062020.json", GROUP_REMOVE_MEMBER_PATCH_AADOPTSCIM062020),
    ("entra/group_remove_member_patch_default_noflag.json", GROUP_REMOVE_MEMBER_PATCH_DEFAULT_NOFLAG),
    ("entra/group_remove_members_patch_tutorial.json", GROUP_REMOVE_MEMBERS_PATCH_TUTORIAL),
    ("entra/group_rename_patch.json", GROUP_RENAME_PATCH),
    ("entra/known_issues_flag_matrix.json", KNOWN_ISSUES_FLAG_MATRIX),
    ("entra/manager_add_patch_tutorial_legacy.json", MANAGER_ADD_PATCH_TUTORIAL_LEGACY),
    ("entra/roles_approle_patch_default.json", ROLES_APPROLE_PATCH_DEFAULT),
    ("entra/roles_assertive_patch.json", ROLES_ASSERTIVE_PATCH),
    ("entra/roles_single_approle_post.json", ROLES_SINGLE_APPROLE_POST),
    ("entra/test_connection_get.json", TEST_CONNECTION_GET),
    ("entra/update_multiple_attrs_patch_aadOptscim062020.json", UPDATE_MULTIPLE_ATTRS_PATCH_AADOPTSCIM062020),
    ("entra/update_multiple_attrs_patch_default_noflag.json", UPDATE_MULTIPLE_ATTRS_PATCH_DEFAULT_NOFLAG),
    ("entra/update_user_multivalued_patch.json", UPDATE_USER_MULTIVALUED_PATCH),
    ("entra/update_username_patch.json", UPDATE_USERNAME_PATCH),
];
