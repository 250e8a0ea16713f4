//! The schemas RFC 7643 defines (section 8.7.1 and 8.7.2), shipped as the JSON a server would publish at
//! `/Schemas`, and the URNs of RFC 7644's message schemas.

/// RFC 7643 section 4.1: the core User schema.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// RFC 7643 section 4.2: the core Group schema.
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// RFC 7643 section 4.3: the enterprise User extension.
pub const ENTERPRISE_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// RFC 7643 section 5: ServiceProviderConfig.
pub const SERVICE_PROVIDER_CONFIG_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// RFC 7643 section 6: ResourceType.
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// RFC 7643 section 7: Schema.
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// RFC 7644 section 3.4.2: ListResponse.
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// RFC 7644 section 3.4.3: SearchRequest (POST .search).
pub const SEARCH_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// RFC 7644 section 3.5.2: PatchOp.
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// RFC 7644 section 3.7: BulkRequest.
pub const BULK_REQUEST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// RFC 7644 section 3.7: BulkResponse.
pub const BULK_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// RFC 7643 section 8.7.1: User, Group and EnterpriseUser, as a JSON array of Schema resources.
pub(crate) const CORE_SCHEMAS_JSON: &str = include_str!("../../schemas/core.json");
/// RFC 7643 section 8.7.2: the ServiceProviderConfig, ResourceType and Schema schemas.
pub(crate) const SERVICE_SCHEMAS_JSON: &str = include_str!("../../schemas/service.json");
/// RFC 7643 section 8.6: the User and Group resource types.
pub(crate) const RESOURCE_TYPES_JSON: &str = include_str!("../../schemas/resource-types.json");
