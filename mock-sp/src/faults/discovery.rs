//! The discovery deviations (`--fault spc-lies`, `spc-missing`, `schemas-missing`, `endpoint-absolute-url`,
//! `discovery-writable`, ...): how the endpoints of RFC 7644 section 4 (`/ServiceProviderConfig`,
//! `/ResourceTypes`, `/Schemas`) and the configuration they publish (RFC 7643 sections 5 and 6) bend when told
//! to, so that the harness can show each check of those sections failing.
//!
//! Each function is the identity (or the correct behaviour) unless its deviation is on; the handlers in
//! [`crate::discovery`] call them at one point each.

use super::Faults;
use scimlab_protocol::spc::ServiceProviderConfig;

family! {
    /// The deviations of the discovery endpoints and of the configuration they publish.
    pub enum Discovery {
        /// The ServiceProviderConfig lies.
        SpcLies = "spc-lies": "the ServiceProviderConfig announces bulk limits ten times those enforced (413 below them)",
        /// No ServiceProviderConfig.
        SpcMissing = "spc-missing": "GET /ServiceProviderConfig answers 404",
        /// Incomplete ServiceProviderConfig.
        SpcIncomplete = "spc-incomplete": "the ServiceProviderConfig lacks its etag member",
        /// No /ResourceTypes.
        ResourceTypesMissing = "resource-types-missing": "GET /ResourceTypes and /ResourceTypes/{id} answer 404",
        /// No /Schemas.
        SchemasMissing = "schemas-missing": "GET /Schemas and /Schemas/{id} answer 404",
        /// Endpoints published as absolute URLs.
        EndpointAbsoluteUrl = "endpoint-absolute-url": "ResourceTypes publish each endpoint as an absolute URL (http://host/scim/v2/Users) instead of relative to the base URL (/Users)",
        /// Endpoints published as absolute paths.
        EndpointAbsolutePath = "endpoint-absolute-path": "ResourceTypes publish each endpoint as an absolute path that repeats the base path (/scim/v2/Users) instead of /Users",
        /// Discovery endpoints writable.
        DiscoveryWritable = "discovery-writable": "the discovery endpoints answer POST, PUT, PATCH and DELETE like GET (200) instead of 405",
        /// Filters on discovery endpoints ignored.
        DiscoveryFilterAccepted = "discovery-filter-accepted": "a filter on a discovery endpoint is ignored (200) instead of answered 403",
        /// maxResults announced lower than enforced.
        SpcMaxResultsLies = "spc-max-results-lies": "the ServiceProviderConfig announces filter.maxResults 2 while pages hold up to 1000 resources",
        /// Filters work, though announced unsupported.
        FilterUnsupportedWorking = "filter-unsupported-working": "the ServiceProviderConfig announces filter.supported false, yet every filter works",
    }
}

/// The ServiceProviderConfig as the server announces it: `spc` (the truth) with bulk limits ten times those
/// enforced under `spc-lies`, `filter.maxResults` 2 under `spc-max-results-lies`, and `filter.supported` false
/// under `filter-unsupported-working`.
pub fn announced(f: &Faults, mut spc: ServiceProviderConfig) -> ServiceProviderConfig {
    if f.has(Discovery::SpcLies) {
        spc.bulk.max_operations *= 10;
        spc.bulk.max_payload_size *= 10;
    }
    if f.has(Discovery::FilterUnsupportedWorking) {
        spc.filter.supported = false;
    }
    if f.has(Discovery::SpcMaxResultsLies) {
        spc.filter.max_results = 2;
    }
    spc
}

/// The `endpoint` a ResourceType publishes for `relative` (`/Users`): `None` keeps RFC 7643 section 6's form,
/// relative to the base URL; `endpoint-absolute-url` and `endpoint-absolute-path` publish the forms some servers
/// use instead (`http://host/scim/v2/Users`, `/scim/v2/Users`), which clients must still resolve to
/// `{base}/Users`.
pub fn published_endpoint(f: &Faults, base_url: &str, base_path: &str, relative: &str) -> Option<String> {
    if f.has(Discovery::EndpointAbsoluteUrl) {
        Some(format!("{}{relative}", base_url.trim_end_matches('/')))
    } else if f.has(Discovery::EndpointAbsolutePath) {
        Some(format!("{}{relative}", base_path.trim_end_matches('/')))
    } else {
        None
    }
}
