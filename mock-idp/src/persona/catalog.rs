//! The personas, as data. Every trait cites where it comes from: a section of `shared/reference/IDP-TRAFFIC.md`
//! (written "T1" for section 1 and so on) or a file of `shared/reference/idp-wire/`. Where the reference is
//! silent or says "?", the choice is marked "inferred" and kept as close to the IdP's documented habits as
//! possible.
//!
//! - `rfc`: a client that follows RFC 7644 to the letter (lowercase ops with paths, JSON booleans, `%20`
//!   encoding, `/Bulk` when announced), the baseline every server must accept.
//! - `entra`: Microsoft Entra ID's provisioning service as it behaves by default (T1, T4).
//! - `entra-2020`: Entra with the `aadOptscim062020` tenant-URL flag (T1, entra/known_issues_flag_matrix.json).
//! - `okta`: an Okta OIN integration (T2): PATCH only for (de)activation, GET then PUT for profiles.
//! - `okta-aiw`: an Okta App Integration Wizard app (T2): PUT for everything.
//! - `onelogin`: OneLogin's SCIM v2 Enterprise connector as captured in authentik#11249 (T3).
//! - `google`: Google Workspace auto-provisioning (T3): only its headers are observed; every body, lookup and
//!   verb is the plain RFC 7644 one, marked inferred.
//! - `jumpcloud`: JumpCloud's custom SCIM connector (T3, jumpcloud/behaviour_notes.json): Test Connection creates
//!   and deletes a test user and group, lookups before creates and updates, groups created only with members.
//! - `ping`, `ping-delete`: the PingFederate SCIM provisioner / PingOne (T3, ping/behaviour_notes.json): PUT for
//!   users, PATCH for groups, groups found by listing them all; a removed user disabled (`ping`, the default Remove
//!   User Action) or deleted (`ping-delete`).
//! - `ping-emu`: PingFederate's GitHub EMU provisioner, which GETs `/Users/0` and needs 404 before every operation.

use super::*;

const RFC_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: Some(concat!("scimlab/", env!("CARGO_PKG_VERSION"), " (rfc persona)")),
    accept: Some("application/scim+json"),
    accept_charset: None,
    content_type: "application/scim+json",
    accept_encoding: None,
};

/// Entra sends no documented User-Agent and no scim+json Accept (T1 Auth, entra/test_connection_get.src), and
/// `application/scim+json; charset=utf-8` on writes (entra/create_user_post_headers.json).
const ENTRA_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: None,
    accept: None,
    accept_charset: None,
    content_type: "application/scim+json; charset=utf-8",
    accept_encoding: None,
};

/// okta/request_headers_observed.json, `Accept-Encoding: gzip,deflate` included (T2 Headers). `Connection:
/// Keep-Alive` is not reproduced: it is the client's connection handling, not a header a server judges.
const OKTA_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: Some("Okta SCIM Client 1.0.0"),
    accept: Some("application/scim+json"),
    accept_charset: Some("utf-8"),
    content_type: "application/scim+json; charset=utf-8",
    accept_encoding: Some("gzip,deflate"),
};

/// OneLogin: an empty User-Agent and scim+json (T3, authentik#11249); its Accept is not known (inferred: none).
const ONELOGIN_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: Some(""),
    accept: None,
    accept_charset: None,
    content_type: "application/scim+json",
    accept_encoding: None,
};

/// Google: User-Agent `Google-Auto-Provisioning` and `Content-Type: application/json`, not configurable
/// (google/request_headers_observed.json, scimitar#142). Nothing else was observed: no Accept (inferred).
const GOOGLE_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: Some("Google-Auto-Provisioning"),
    accept: None,
    accept_charset: None,
    content_type: "application/json",
    accept_encoding: None,
};

/// JumpCloud and Ping: no request headers are known (T4, Content-Type row "?"): no User-Agent, and the RFC's
/// `application/scim+json` for Accept and Content-Type (inferred, RFC 7644 section 3.1 and 8.1).
const UNKNOWN_HEADERS: HeaderStyle = HeaderStyle {
    user_agent: None,
    accept: Some("application/scim+json"),
    accept_charset: None,
    content_type: "application/scim+json",
    accept_encoding: None,
};

const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

const PLAIN_USER: UserBodyStyle = UserBodyStyle {
    core_urn: CORE_USER,
    enterprise_urn: ENTERPRISE,
    always_enterprise: false,
    meta: false,
    roles: false,
    groups: false,
    formatted: false,
    empty_strings: false,
};

const ENTRA_USER: UserBodyStyle =
    UserBodyStyle { always_enterprise: true, meta: true, roles: true, formatted: true, ..PLAIN_USER };

const OKTA_USER: UserBodyStyle = UserBodyStyle { groups: true, ..PLAIN_USER };

const ENTRA_GROUP: GroupBodyStyle = GroupBodyStyle {
    extra_schema: Some("http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"),
    external_id: true,
    empty_members: false,
    meta: true,
    create_empty: true,
};

const ENTRA_LOOKUP: LookupStyle =
    LookupStyle { space: Space::Plus, suffix: "", groups_exclude_members: true, not_found_ok: false };

const RFC_LOOKUP: LookupStyle =
    LookupStyle { space: Space::Percent20, suffix: "", groups_exclude_members: false, not_found_ok: false };

const OKTA_LOOKUP: LookupStyle = LookupStyle {
    space: Space::Percent20,
    suffix: "&startIndex=1&count=100",
    groups_exclude_members: false,
    not_found_ok: true,
};

const ENTRA_SOURCES: &[(&str, &str)] = &[
    ("ops capitalised Add / Replace / Remove", "T1 Update; entra/update_multiple_attrs_patch_default_noflag.json"),
    ("active as the string \"True\" / \"False\"", "T1 Offboarding; entra/disable_user_patch_default_noflag.json"),
    ("Add when a value is set for the first time, else Replace", "T1 Update (inferred there from the nickName sample)"),
    ("lookup before create, + for spaces, %22 for quotes", "T1 Hire; entra/test_connection_get.json"),
    ("groups looked up with excludedAttributes=members", "entra/group_lookup_get.json"),
    ("POST /Users with enterprise URN, meta, roles: [], no nulls", "entra/create_user_post.json; T1 Hire"),
    ("manager afterwards: id eq / manager eq check, then a bare string", "T1 Hire; SCIM-SDK#541"),
    ("groups created without members, ADSCIM schema URN, externalId", "entra/group_create_post.json"),
    ("members added with $ref null, several per PATCH", "entra/group_add_members_patch.json"),
    ("members removed with Remove members + value list", "entra/group_remove_member_patch_default_noflag.json"),
    ("rename with Replace displayName", "entra/group_rename_patch.json"),
    (
        "app roles: Add roles [{value: <JSON-encoded assignment>}]; taken away with Remove roles and the same value",
        "entra/roles_approle_patch_default.json; T1 Update (the remove is inferred from the member removal)",
    ),
    ("PATCH only, never PUT; never /Bulk", "T1 Update, Discovery"),
    ("DELETE only on hard delete (after deactivation)", "T1 Offboarding"),
    ("Bearer token only, no Basic", "T1 Auth"),
    ("Content-Type application/scim+json; charset=utf-8; no User-Agent known", "entra/create_user_post_headers.json"),
    (
        "membership push sends the difference (no full replace)",
        "T1 Groups (inferred: no full-list replace is documented)",
    ),
];

const ENTRA_2020_SOURCES: &[(&str, &str)] = &[
    ("ops lowercase", "entra/known_issues_flag_matrix.json"),
    ("active as JSON booleans", "entra/disable_user_patch_aadOptscim062020.json"),
    (
        "filtered paths and adds alone; other replaces merged path-less with dotted and URN keys",
        "entra/update_multiple_attrs_patch_aadOptscim062020.json, add_single_value_attr_patch_aadOptscim062020.json",
    ),
    ("a single replace keeps its path", "entra/disable_user_patch_aadOptscim062020.json (inferred as the rule)"),
    (
        "members removed one by one with members[value eq] paths",
        "entra/group_remove_member_patch_aadOptscim062020.json",
    ),
    (
        "app roles with the assertive mapping: replace roles with the whole set [{primary, type, display, value}]",
        "entra/roles_assertive_patch.json (the mapping is the tenant's choice; played here with the flag)",
    ),
    ("everything else as entra", "T4 table, column Entra +flag"),
];

const OKTA_SOURCES: &[(&str, &str)] = &[
    ("headers: User-Agent Okta SCIM Client 1.0.0, Accept, Accept-Charset", "okta/request_headers_observed.json"),
    ("lookup %20-encoded with &startIndex=1&count=100; 404 also means absent", "okta/user_lookup_get.json"),
    (
        "POST /Users with locale, externalId, groups: [] (enterprise only when mapped)",
        "okta/create_user_post.json; T2 Hire",
    ),
    ("profile updates: GET then full PUT of what came back", "okta/update_user_put.json; T2 Update"),
    ("PATCH only for activation: path-less replace {active}", "okta/deactivate_user_patch.json; T2 Offboarding"),
    ("never DELETEs users", "T2 Offboarding (Okta SCIM FAQ)"),
    ("manager mapped as {value, displayName}", "T4 table, Manager row"),
    ("groups pushed with members: []", "okta/group_create_post.json"),
    ("membership delta: remove by members[value eq], add with value + display", "okta/group_membership_patch.json"),
    ("Push now: replace members with the full list", "okta/group_membership_replace_all_patch.json"),
    ("path-less rename {id, displayName} after every membership update", "okta/group_rename_patch.json"),
    ("Basic, header token or OAuth; no /Bulk", "T2 Auth, Not used"),
    ("roles as {value, display} in the GET-then-PUT", "inferred: no Okta role shape is documented (RFC 7643 4.1.2)"),
];

const OKTA_AIW_SOURCES: &[(&str, &str)] = &[
    ("PUT for everything, active: false included", "T2 Update (coder#15828); okta/update_user_put.src"),
    ("groups: the whole group PUT", "T2 Groups (scimgateway#95)"),
    ("headers, lookups, creates as okta", "T4 table, column Okta AIW"),
];

const ONELOGIN_SOURCES: &[(&str, &str)] = &[
    ("lookup with + and a trailing &", "T3 OneLogin (authentik#11249)"),
    ("PUT /Users/{id}? from the SCIM JSON template", "T3 OneLogin (authentik#11249)"),
    (
        "schemas urn:scim:schemas:core:2.0 and urn:scim:schemas:extension:enterprise:2.0",
        "T3 OneLogin (authentik#11249)",
    ),
    ("unset template values sent as \"\"", "T3 OneLogin (livingsecurity / templafy guides)"),
    ("empty User-Agent, Content-Type application/scim+json", "T3 OneLogin (authentik#11249)"),
    ("group ops lowercase add with [{value}]", "T3 OneLogin (AzureAD-BYOA#24)"),
    ("member removal by members[value eq], rename by replace displayName", "inferred (T4 table: '?')"),
    ("deprovisioning: PUT active false, then DELETE when configured so", "T4 table (PUT template; delete inferred)"),
    ("Bearer token", "T3 OneLogin"),
    ("roles as {value, display} in the template PUT", "inferred: no OneLogin role shape is documented"),
];

const GOOGLE_SOURCES: &[(&str, &str)] = &[
    ("User-Agent Google-Auto-Provisioning", "observed: google/request_headers_observed.json (scimitar#142)"),
    (
        "Content-Type application/json, not scim+json, not configurable",
        "observed: google/request_headers_observed.json",
    ),
    ("Bearer token", "google/request_headers_observed.json (T4 Auth row: 'Bearer?')"),
    ("no Accept header", "inferred: none observed"),
    ("Test Connection as GET /ServiceProviderConfig", "inferred: undocumented (RFC 7644 section 4)"),
    ("lookup before create: userName eq, %20 for spaces", "inferred: no Google lookup is known (RFC 7644 3.4.2.2)"),
    ("POST /Users with the core schema, enterprise only when set", "inferred: no Google body is known (RFC 7643 4.1)"),
    ("updates: lowercase PATCH, one op per attribute with a path", "inferred (RFC 7644 section 3.5.2.3)"),
    ("deactivation: PATCH replace active false", "inferred (RFC 7644 section 3.5.2.3)"),
    ("users DELETEd when deleted", "inferred (RFC 7644 section 3.6)"),
    (
        "groups: displayName eq lookup, POST without members, PATCH add / members[value eq] remove",
        "inferred (RFC 7644 3.5.2)",
    ),
    ("never /Bulk", "T3: none of the outbound clients use /Bulk"),
];

const JUMPCLOUD_SOURCES: &[(&str, &str)] = &[
    (
        "Test Connection: POST a test user and a test group, then DELETE both; a refused user DELETE becomes a deactivation",
        "documented: jumpcloud/behaviour_notes.json test_connection; T3 JumpCloud",
    ),
    (
        "lookup by userName eq before every create and every update",
        "documented: behaviour_notes.json user_events (user_lookup_provision)",
    ),
    (
        "deactivation: PATCH replace active false",
        "documented (user_deprovision, set inactive); the PATCH shape is inferred",
    ),
    ("users DELETEd when deleted in JumpCloud", "documented: behaviour_notes.json user_events (user_delete_provision)"),
    (
        "profile updates with PATCH, one op per attribute with a path, lowercase",
        "T4 Profile update row 'PATCH (S)'; shapes inferred",
    ),
    (
        "empty groups never created: create-group sends nothing; the group is POSTed with its members at its first add",
        "documented: behaviour_notes.json groups.empty_groups_created false (the mapping onto intents is ours)",
    ),
    (
        "an existing group of the same name is adopted: displayName eq lookup first",
        "documented (adopts_existing_group_with_same_name); the filter is inferred",
    ),
    (
        "membership: add and remove on path members with [{value: id}], no filter",
        "secondary: jumpcloud/group_member_patch_secondary.json (a vendor KB), unverified",
    ),
    (
        "every membership change synced as the difference (no full replace)",
        "documented sync_trigger; the diff is inferred",
    ),
    ("renames: replace displayName", "documented rename_supported; the shape is inferred"),
    ("group deleted in JumpCloud: DELETE", "documented: behaviour_notes.json group_deleted_in_jumpcloud"),
    ("Bearer / API-key token", "documented: behaviour_notes.json auth"),
    ("headers: no User-Agent, application/scim+json", "inferred: none known (T4 '?')"),
];

const PING_SOURCES: &[(&str, &str)] = &[
    ("users matched on userName", "documented: ping/behaviour_notes.json user_match"),
    (
        "users updated with a full PUT, never PATCH",
        "documented: behaviour_notes.json user_update_method (PATCH for Users: No)",
    ),
    ("the PUT body is the whole user as mapped, without reading it first", "inferred: no Ping body is known"),
    (
        "removal: Disable, a PUT with active false (the default Remove User Action)",
        "documented: behaviour_notes.json deprovision; the PUT shape follows the update verb",
    ),
    (
        "a deleted user is disabled, never DELETEd (nothing sent when already disabled)",
        "documented: Remove User Action = Disable",
    ),
    ("groups updated with PATCH", "documented: behaviour_notes.json group_update_method"),
    (
        "groups found by listing all of them (GET /Groups?startIndex=..&count=100, paged) and matching displayName in the client",
        "documented: behaviour_notes.json group_lookup; the page size 100 is inferred",
    ),
    ("Test Connection as a userName eq lookup of an unknown user", "inferred: undocumented"),
    (
        "member add [{value}], remove members[value eq], replace displayName, replace members for a full push",
        "inferred (RFC 7644 3.5.2)",
    ),
    (
        "auth: None, Basic, Bearer or OAuth 2 client credentials (played: Bearer, Basic)",
        "documented: behaviour_notes.json auth",
    ),
    ("headers: no User-Agent, application/scim+json", "inferred: none known (T4 '?')"),
];

const PING_DELETE_SOURCES: &[(&str, &str)] = &[
    (
        "removal: Delete, DELETE /Users/{id} for a deleted user",
        "documented: behaviour_notes.json deprovision (Remove User Action = Delete)",
    ),
    (
        "a disabled user: PUT with active false",
        "documented: provision_disabled_users; the shape follows the update verb",
    ),
    ("everything else as ping", "ping/behaviour_notes.json"),
];

const PING_EMU_SOURCES: &[(&str, &str)] = &[
    (
        "GET /Users/0 before every operation, needing 404",
        "documented: ping/behaviour_notes.json quirk_example (PingFederate GitHub EMU provisioner)",
    ),
    ("everything else as ping", "inferred: the EMU provisioner is a PingFederate SCIM provisioner"),
];

const RFC_SOURCES: &[(&str, &str)] = &[
    ("lowercase ops with paths, JSON booleans", "RFC 7644 section 3.5.2"),
    ("replace on an absent attribute adds it", "RFC 7644 section 3.5.2.3"),
    ("filters percent-encoded with %20", "RFC 7644 section 3.4.2.2; RFC 3986 section 2.1"),
    (
        "/Bulk when the ServiceProviderConfig announces it, within its limits",
        "RFC 7644 section 3.7; RFC 7643 section 5",
    ),
    ("manager as {value}", "RFC 7643 section 4.3"),
    ("roles: add [{value, display}], remove roles[value eq \"...\"]", "RFC 7643 section 4.1.2; RFC 7644 3.5.2"),
];

/// Microsoft Entra ID as it behaves by default (T1, T4).
pub const ENTRA: Persona = Persona {
    name: "entra",
    idp: Idp::Entra,
    summary: "Microsoft Entra ID, default: capitalised ops, \"False\" strings, per-attribute PATCH, never PUT",
    headers: ENTRA_HEADERS,
    auth: AuthSupport { bearer: true, basic: false },
    lookup: ENTRA_LOOKUP,
    test_connection: TestConnectionStyle::ProbeLookup,
    group_lookup: GroupLookupStyle::Filter,
    lookup_before_update: false,
    connection_check: None,
    op_case: OpCase::Capitalised,
    booleans: BoolStyle::String,
    update: UpdateStyle::PatchPerAttribute { add_when_new: true },
    activation: ActivationStyle::PatchPath,
    manager: ManagerStyle::CheckThenPatchString,
    user_body: ENTRA_USER,
    group_body: ENTRA_GROUP,
    member_add: MemberAddStyle::RefNull,
    member_remove: MemberRemoveStyle::ValueList,
    group_update: GroupUpdateStyle::Patch,
    push: PushStyle::Diff,
    delete_users: DeletePolicy::HardDeleteOnly,
    put_suffix: None,
    uses_bulk: false,
    group_patch_statuses: &[204, 200],
    sources: ENTRA_SOURCES,
};

/// Entra ID with the `aadOptscim062020` tenant-URL flag (T1).
pub const ENTRA_2020: Persona = Persona {
    name: "entra-2020",
    summary: "Entra ID with ?aadOptscim062020: lowercase ops, JSON booleans, path-less dotted-key replaces",
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::PatchDottedPathless,
    member_remove: MemberRemoveStyle::FilterPath,
    sources: ENTRA_2020_SOURCES,
    ..ENTRA
};

/// An Okta OIN integration (T2).
pub const OKTA: Persona = Persona {
    name: "okta",
    idp: Idp::Okta,
    summary: "Okta OIN: GET then PUT for profiles, path-less PATCH for (de)activation, never DELETE users",
    headers: OKTA_HEADERS,
    auth: AuthSupport { bearer: true, basic: true },
    lookup: OKTA_LOOKUP,
    test_connection: TestConnectionStyle::ListTwoUsers,
    group_lookup: GroupLookupStyle::Filter,
    lookup_before_update: false,
    connection_check: None,
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::GetThenPut,
    activation: ActivationStyle::PatchPathless,
    manager: ManagerStyle::ComplexWithDisplay,
    user_body: OKTA_USER,
    group_body: GroupBodyStyle {
        extra_schema: None,
        external_id: false,
        empty_members: true,
        meta: false,
        create_empty: true,
    },
    member_add: MemberAddStyle::ValueDisplay,
    member_remove: MemberRemoveStyle::FilterPath,
    group_update: GroupUpdateStyle::PatchPathlessRename,
    push: PushStyle::Replace,
    delete_users: DeletePolicy::Never,
    put_suffix: None,
    uses_bulk: false,
    group_patch_statuses: &[200, 204],
    sources: OKTA_SOURCES,
};

/// An Okta App Integration Wizard app (T2).
pub const OKTA_AIW: Persona = Persona {
    name: "okta-aiw",
    summary: "Okta App Integration Wizard app: GET then PUT for everything, active: false included",
    activation: ActivationStyle::AsUpdate,
    group_update: GroupUpdateStyle::Put,
    sources: OKTA_AIW_SOURCES,
    ..OKTA
};

/// OneLogin's SCIM v2 Enterprise connector (T3).
pub const ONELOGIN: Persona = Persona {
    name: "onelogin",
    idp: Idp::OneLogin,
    summary: "OneLogin SCIM v2 Enterprise: template PUTs with a trailing ?, legacy URNs, \"\" for unset values",
    headers: ONELOGIN_HEADERS,
    auth: AuthSupport { bearer: true, basic: false },
    lookup: LookupStyle { space: Space::Plus, suffix: "&", groups_exclude_members: false, not_found_ok: false },
    test_connection: TestConnectionStyle::ProbeLookup,
    group_lookup: GroupLookupStyle::Filter,
    lookup_before_update: false,
    connection_check: None,
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::PutTemplate,
    activation: ActivationStyle::AsUpdate,
    manager: ManagerStyle::Complex,
    user_body: UserBodyStyle {
        core_urn: "urn:scim:schemas:core:2.0",
        enterprise_urn: "urn:scim:schemas:extension:enterprise:2.0",
        empty_strings: true,
        ..PLAIN_USER
    },
    group_body: GroupBodyStyle {
        extra_schema: None,
        external_id: false,
        empty_members: false,
        meta: false,
        create_empty: true,
    },
    member_add: MemberAddStyle::Value,
    member_remove: MemberRemoveStyle::FilterPath,
    group_update: GroupUpdateStyle::Patch,
    push: PushStyle::Replace,
    delete_users: DeletePolicy::Delete,
    put_suffix: Some("?"),
    uses_bulk: false,
    group_patch_statuses: &[200, 204],
    sources: ONELOGIN_SOURCES,
};

/// Google Workspace auto-provisioning (T3): observed headers, RFC 7644 shapes for the rest.
pub const GOOGLE: Persona = Persona {
    name: "google",
    idp: Idp::Google,
    summary: "Google Workspace: UA Google-Auto-Provisioning, Content-Type application/json; RFC shapes (inferred)",
    headers: GOOGLE_HEADERS,
    auth: AuthSupport { bearer: true, basic: false },
    uses_bulk: false,
    sources: GOOGLE_SOURCES,
    ..RFC
};

/// JumpCloud's custom SCIM connector (T3).
pub const JUMPCLOUD: Persona = Persona {
    name: "jumpcloud",
    idp: Idp::JumpCloud,
    summary: "JumpCloud: test user and group created and deleted, lookups before updates, no empty groups",
    headers: UNKNOWN_HEADERS,
    auth: AuthSupport { bearer: true, basic: false },
    lookup: RFC_LOOKUP,
    test_connection: TestConnectionStyle::CreateThenDelete,
    group_lookup: GroupLookupStyle::Filter,
    lookup_before_update: true,
    connection_check: None,
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::PatchPerAttribute { add_when_new: false },
    activation: ActivationStyle::PatchPath,
    manager: ManagerStyle::Complex,
    user_body: PLAIN_USER,
    group_body: GroupBodyStyle {
        extra_schema: None,
        external_id: false,
        empty_members: false,
        meta: false,
        create_empty: false,
    },
    member_add: MemberAddStyle::Value,
    member_remove: MemberRemoveStyle::ValueList,
    group_update: GroupUpdateStyle::Patch,
    push: PushStyle::Diff,
    delete_users: DeletePolicy::Delete,
    put_suffix: None,
    uses_bulk: false,
    group_patch_statuses: &[200, 204],
    sources: JUMPCLOUD_SOURCES,
};

/// The PingFederate SCIM provisioner / PingOne, Remove User Action Disable (T3).
pub const PING: Persona = Persona {
    name: "ping",
    idp: Idp::Ping,
    summary: "PingFederate / PingOne: full PUT for users, PATCH for groups, groups found by listing them all",
    headers: UNKNOWN_HEADERS,
    auth: AuthSupport { bearer: true, basic: true },
    lookup: RFC_LOOKUP,
    test_connection: TestConnectionStyle::ProbeLookup,
    group_lookup: GroupLookupStyle::ListAll { page_size: 100 },
    lookup_before_update: false,
    connection_check: None,
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::PutTemplate,
    activation: ActivationStyle::AsUpdate,
    manager: ManagerStyle::Complex,
    user_body: PLAIN_USER,
    group_body: GroupBodyStyle {
        extra_schema: None,
        external_id: false,
        empty_members: false,
        meta: false,
        create_empty: true,
    },
    member_add: MemberAddStyle::Value,
    member_remove: MemberRemoveStyle::FilterPath,
    group_update: GroupUpdateStyle::Patch,
    push: PushStyle::Replace,
    delete_users: DeletePolicy::DisableInstead,
    put_suffix: None,
    uses_bulk: false,
    group_patch_statuses: &[200, 204],
    sources: PING_SOURCES,
};

/// PingFederate with the Remove User Action Delete (T3).
pub const PING_DELETE: Persona = Persona {
    name: "ping-delete",
    summary: "PingFederate / PingOne with Remove User Action Delete: a deleted user is DELETEd",
    delete_users: DeletePolicy::Delete,
    sources: PING_DELETE_SOURCES,
    ..PING
};

/// PingFederate's GitHub EMU provisioner (T3).
pub const PING_EMU: Persona = Persona {
    name: "ping-emu",
    summary: "PingFederate GitHub EMU provisioner: GET /Users/0 (needing 404) before every operation",
    connection_check: Some("/Users/0"),
    sources: PING_EMU_SOURCES,
    ..PING
};

/// A client that follows RFC 7644 to the letter.
pub const RFC: Persona = Persona {
    name: "rfc",
    idp: Idp::Rfc,
    summary: "a client that follows RFC 7644 to the letter, with /Bulk where the server announces it",
    headers: RFC_HEADERS,
    auth: AuthSupport { bearer: true, basic: true },
    lookup: RFC_LOOKUP,
    test_connection: TestConnectionStyle::ServiceProviderConfig,
    group_lookup: GroupLookupStyle::Filter,
    lookup_before_update: false,
    connection_check: None,
    op_case: OpCase::Lower,
    booleans: BoolStyle::Json,
    update: UpdateStyle::PatchPerAttribute { add_when_new: false },
    activation: ActivationStyle::PatchPath,
    manager: ManagerStyle::Complex,
    user_body: PLAIN_USER,
    group_body: GroupBodyStyle {
        extra_schema: None,
        external_id: true,
        empty_members: false,
        meta: false,
        create_empty: true,
    },
    member_add: MemberAddStyle::Value,
    member_remove: MemberRemoveStyle::FilterPath,
    group_update: GroupUpdateStyle::Patch,
    push: PushStyle::Replace,
    delete_users: DeletePolicy::Delete,
    put_suffix: None,
    uses_bulk: true,
    group_patch_statuses: &[200, 204],
    sources: RFC_SOURCES,
};

/// Every persona; `entra` first, the default of `--as`.
pub static ALL: &[Persona] =
    &[ENTRA, ENTRA_2020, OKTA, OKTA_AIW, ONELOGIN, GOOGLE, JUMPCLOUD, PING, PING_DELETE, PING_EMU, RFC];
