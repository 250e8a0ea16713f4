//! Test data: the request bodies real identity providers send, from `shared/reference/idp-wire/` (see
//! `reference/IDP-TRAFFIC.md`), each with the checks it must trip. Only compiled for tests.

/// One captured body and the request it came with.
pub(super) struct IdpBody {
    /// The file under `idp-wire/`.
    pub(super) file: &'static str,
    /// The request method it is sent with.
    pub(super) method: &'static str,
    /// A request path it is sent to.
    pub(super) url: &'static str,
    /// The slugs (last id segment) of the checks it must trip; every other check must pass it.
    pub(super) trips: &'static [&'static str],
    /// The body.
    pub(super) body: &'static str,
}

/// The bodies of `shared/reference/idp-wire/` (compacted; the test `idp_bodies_match_the_reference_files` compares
/// them with the files when those are present), the request each came with, and the slugs of the checks each
/// must trip: none for the RFC-clean ones.
pub(super) const IDP_BODIES: &[IdpBody] = &[
    IdpBody {
        file: "entra/add_single_value_attr_patch_aadOptscim062020.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"nickName","value":"Babs"}]}"#,
    },
    IdpBody {
        file: "entra/add_single_value_attr_patch_default_noflag.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"nickName","value":"Babs"}]}"#,
    },
    IdpBody {
        file: "entra/disable_user_patch_aadOptscim062020.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}"#,
    },
    IdpBody {
        file: "entra/disable_user_patch_default_noflag.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase", "boolean-not-string"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}"#,
    },
    IdpBody {
        file: "entra/disable_user_patch_tutorial.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"Operations":[{"op":"Replace","path":"active","value":false}],"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}"#,
    },
    IdpBody {
        file: "entra/group_add_members_patch.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}"#,
    },
    IdpBody {
        file: "entra/group_remove_member_patch_aadOptscim062020.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"7f4bc1a3-285e-48ae-8202-5accb43efb0e\"]"}]}"#,
    },
    IdpBody {
        file: "entra/group_remove_member_patch_default_noflag.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &["op-lowercase", "remove-without-value"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"u1091"}]}]}"#,
    },
    IdpBody {
        file: "entra/group_remove_members_patch_tutorial.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &["op-lowercase", "remove-without-value"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"f648f8d5ea4e4cd38e9c"}]}]}"#,
    },
    IdpBody {
        file: "entra/group_rename_patch.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"}]}"#,
    },
    IdpBody {
        file: "entra/manager_add_patch_tutorial_legacy.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase", "complex-is-object"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"http://.../scim/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee","value":"00aa00aa-bb11-cc22-dd33-44ee44ee44ee"}]}]}"#,
    },
    IdpBody {
        file: "entra/roles_approle_patch_default.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}]}"#,
    },
    IdpBody {
        file: "entra/roles_assertive_patch.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"roles","value":[{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"User","value":"User"},{"primary":false,"type":"WindowsAzureActiveDirectoryRole","display":"Test","value":"Test"}]}]}"#,
    },
    IdpBody {
        file: "entra/update_multiple_attrs_patch_aadOptscim062020.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["no-dotted-keys"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"TestMhvaes@test.microsoft.com"},{"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}"#,
    },
    IdpBody {
        file: "entra/update_multiple_attrs_patch_default_noflag.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"Pvlo"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"TestBcwqnm@test.microsoft.com"},{"op":"Replace","path":"name.givenName","value":"Gtfd"},{"op":"Replace","path":"name.familyName","value":"Pkqf"},{"op":"Replace","path":"externalId","value":"Eqpj"},{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"Eqpj"}]}"#,
    },
    IdpBody {
        file: "entra/update_user_multivalued_patch.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}"#,
    },
    IdpBody {
        file: "entra/update_username_patch.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &["op-lowercase"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"userName","value":"5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]}"#,
    },
    IdpBody {
        file: "okta/deactivate_user_patch.json",
        method: "PATCH",
        url: "/scim/v2/Users/u1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#,
    },
    IdpBody {
        file: "okta/group_membership_patch.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"},{"op":"add","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"}]}]}"#,
    },
    IdpBody {
        file: "okta/group_membership_replace_all_patch.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173","display":"test.user@okta.local"},{"value":"89bb1940-b905-4575-9e7f-6f887cfb368e","display":"test.user@okta.local"}]}]}"#,
    },
    IdpBody {
        file: "okta/group_rename_patch.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b","displayName":"Test SCIMv2"}}]}"#,
    },
    IdpBody {
        file: "jumpcloud/group_member_patch_secondary.json",
        method: "PATCH",
        url: "/scim/v2/Groups/g1",
        trips: &["remove-without-value"],
        body: r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members","value":[{"value":"<user id>"}]}]}"#,
    },
    IdpBody {
        file: "entra/create_user_post.json",
        method: "POST",
        url: "/scim/v2/Users",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee","active":true,"emails":[{"primary":true,"type":"work","value":"Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"}],"meta":{"resourceType":"User"},"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}"#,
    },
    IdpBody {
        file: "entra/create_user_post_legacy_nulls.json",
        method: "POST",
        url: "/scim/v2/Users",
        trips: &["schemas-known", "known-attributes"],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],"externalId":"jyoung","userName":"jyoung@testuser.com","active":true,"addresses":null,"displayName":"Joy Young","emails":[{"type":"work","value":"jyoung@Contoso.com","primary":true}],"meta":{"resourceType":"User"},"name":{"familyName":"Young","givenName":"Joy"},"phoneNumbers":null,"preferredLanguage":null,"title":null,"department":null,"manager":null}"#,
    },
    IdpBody {
        file: "entra/group_create_post.json",
        method: "POST",
        url: "/scim/v2/Groups",
        trips: &["schemas-known"],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],"externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"displayName","meta":{"resourceType":"Group"}}"#,
    },
    IdpBody {
        file: "entra/roles_single_approle_post.json",
        method: "POST",
        url: "/scim/v2/Users",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"alias","userName":"alias@contoso.OnMicrosoft.com","active":true,"displayName":"First Name Last Name","meta":{"resourceType":"User"},"roles":[{"primary":true,"type":"WindowsAzureActiveDirectoryRole","value":"Admin"}]}"#,
    },
    IdpBody {
        file: "okta/create_user_post.json",
        method: "POST",
        url: "/scim/v2/Users",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work"}],"displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7","groups":[],"password":"1mz050nq","active":true}"#,
    },
    IdpBody {
        file: "okta/group_create_post.json",
        method: "POST",
        url: "/scim/v2/Groups",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]}"#,
    },
    IdpBody {
        file: "okta/update_user_put.json",
        method: "PUT",
        url: "/scim/v2/Users/23a35c27-23d3-4c03-b4c5-6443c09e7173",
        trips: &[],
        body: r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"23a35c27-23d3-4c03-b4c5-6443c09e7173","userName":"test.user@okta.local","name":{"givenName":"Another","middleName":"Excited","familyName":"User"},"emails":[{"primary":true,"value":"test.user@okta.local","type":"work","display":"test.user@okta.local"}],"active":true,"groups":[],"meta":{"resourceType":"User"}}"#,
    },
];
