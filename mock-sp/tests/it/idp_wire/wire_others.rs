//! The Google Workspace, JumpCloud and Ping wire files of `shared/reference/idp-wire/`, embedded verbatim so the tests run from a clone
//! without `shared/`; `idp_wire::embedded_copies_match_the_reference` checks them against the originals when
//! present. Each file's `.src` beside the original names where it comes from.

/// `google/request_headers_observed.json`
pub(crate) const GOOGLE_REQUEST_HEADERS_OBSERVED: &str = r#"{
  "headers": {
    "User-Agent": "Google-Auto-Provisioning",
    "Content-Type": "application/json",
    "Authorization": "Bearer <token>"
  }
}"#;

/// `jumpcloud/behaviour_notes.json`
pub(crate) const JUMPCLOUD_BEHAVIOUR_NOTES: &str = r#"{
  "auth": ["Bearer token", "SCIM API key (token key)"],
  "scim_versions": ["1.1", "2.0"],
  "test_connection": "creates a test user (admin supplies a test email) and a test group, then DELETEs both if DELETE is supported; otherwise deactivates the test user",
  "user_events": ["user_lookup_provision (lookup before create/update)", "user_create_provision", "user_update_provision", "user_deprovision (set inactive)", "user_delete_provision"],
  "groups": {
    "empty_groups_created": false,
    "adopts_existing_group_with_same_name": true,
    "rename_supported": true,
    "sync_trigger": "every membership or group change event",
    "group_disassociated_from_app": "sync stops, group left as-is, members deactivated unless in another managed group",
    "group_deleted_in_jumpcloud": "DELETE in app"
  },
  "extension_schemas": "custom connector assumes no special extension schemas are required"
}"#;

/// `jumpcloud/group_member_patch_secondary.json`
pub(crate) const JUMPCLOUD_GROUP_MEMBER_PATCH_SECONDARY: &str = r#"{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [
    {"op": "remove", "path": "members", "value": [{"value": "<user id>"}]}
  ]
}"#;

/// `ping/behaviour_notes.json`
pub(crate) const PING_BEHAVIOUR_NOTES: &str = r#"{
  "auth": ["None", "Basic", "OAuth 2 Bearer Token", "OAuth 2 Client Credentials (token endpoint, client id/secret, optional scope)"],
  "scim_versions": ["2.0 (default)", "1.1"],
  "user_match": "userName (override: 'Unique User Identifier' / Filter Expression)",
  "user_update_method": "PUT (connector feature table: PATCH for Users = No)",
  "group_update_method": "PATCH (configurable)",
  "group_lookup": "lists all groups and matches client-side (no displayName filter)",
  "deprovision": "Remove User Action = Disable (active=false) or Delete",
  "provision_disabled_users": "optional: creates user with active=false",
  "pingone_overrides": ["filter expression", "authorization header type", "users API path"],
  "quirk_example": "PingFederate GitHub EMU provisioner sends GET /Users/0 as a connection check before every provisioning operation (expects 404)"
}"#;

/// Every file above, by its path under `idp-wire/`.
pub(crate) const FILES: &[(&str, &str)] = &[
    ("google/request_headers_observed.json", GOOGLE_REQUEST_HEADERS_OBSERVED),
    ("jumpcloud/behaviour_notes.json", JUMPCLOUD_BEHAVIOUR_NOTES),
    ("jumpcloud/group_member_patch_secondary.json", JUMPCLOUD_GROUP_MEMBER_PATCH_SECONDARY),
    ("ping/behaviour_notes.json", PING_BEHAVIOUR_NOTES),
];
