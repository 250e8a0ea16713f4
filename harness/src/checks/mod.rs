//! The check registry: one file per RFC section (or profile), each exporting `SECTION` and `CHECKS`; this module
//! joins them in a fixed order. Ids are stable and never carry a position number.

pub mod bulk_support;
pub mod support;

mod concurrency;
mod crud;
mod differential;
mod differential_patch;
mod differential_state;

pub use concurrency::DEFAULT_RACE_WIDTH;
pub use differential_state::DEFAULT_BUDGET as DEFAULT_STATE_BUDGET;
mod lifecycle;
mod profile_support;
mod queries;

mod rfc7643_2_attributes;
mod rfc7643_4_1_2_roles;
mod rfc7643_4_2_groups;
mod rfc7643_4_3_enterprise;
mod rfc7643_6_resource_types;
mod rfc7644_2_auth;
mod rfc7644_3_11_me;
mod rfc7644_3_12_errors;
mod rfc7644_3_14_etag;
mod rfc7644_3_1_http;
mod rfc7644_3_3_create;
mod rfc7644_3_4_1_read;
mod rfc7644_3_4_2_2_filter_logic;
mod rfc7644_3_4_2_2_filter_ops;
mod rfc7644_3_4_2_2_filter_types;
mod rfc7644_3_4_2_2_idp_lookups;
mod rfc7644_3_4_2_3_sort;
mod rfc7644_3_4_2_4_pagination;
mod rfc7644_3_4_2_list;
mod rfc7644_3_4_3_search;
mod rfc7644_3_5_1_replace;
mod rfc7644_3_5_2_patch;
mod rfc7644_3_5_2_patch_add;
mod rfc7644_3_5_2_patch_announced;
mod rfc7644_3_5_2_patch_remove;
mod rfc7644_3_5_2_patch_replace;
mod rfc7644_3_6_delete;
mod rfc7644_3_7_bulk;
mod rfc7644_3_9_projection;
mod rfc7644_4_discovery;

mod profile_entra;
mod profile_entra_groups;
mod profile_entra_patch;
mod profile_google;
mod profile_jumpcloud;
mod profile_okta;
mod profile_okta_groups;
mod profile_ping;
mod profile_replay;
mod rfc7644_4_discovery_announced;

use crate::check::Check;

/// Id of the check that judges the forms of the resource types' endpoints (RFC 7643 section 6).
pub const ENDPOINTS_CHECK_ID: &str = "rfc7643/6/resource-type-endpoints";

/// Every section's checks, in registry order: `(section prefix, checks)`. A check's id starts with its section.
pub fn sections() -> Vec<(&'static str, &'static [Check])> {
    vec![
        (rfc7644_2_auth::SECTION, rfc7644_2_auth::CHECKS),
        (rfc7644_3_1_http::SECTION, rfc7644_3_1_http::CHECKS),
        (rfc7644_3_3_create::SECTION, rfc7644_3_3_create::CHECKS),
        (rfc7644_3_4_1_read::SECTION, rfc7644_3_4_1_read::CHECKS),
        (rfc7644_3_4_2_list::SECTION, rfc7644_3_4_2_list::CHECKS),
        (rfc7644_3_4_2_2_filter_ops::SECTION, rfc7644_3_4_2_2_filter_ops::CHECKS),
        (rfc7644_3_4_2_2_filter_logic::SECTION, rfc7644_3_4_2_2_filter_logic::CHECKS),
        (rfc7644_3_4_2_2_filter_types::SECTION, rfc7644_3_4_2_2_filter_types::CHECKS),
        (rfc7644_3_4_2_2_idp_lookups::SECTION, rfc7644_3_4_2_2_idp_lookups::CHECKS),
        (rfc7644_3_4_2_3_sort::SECTION, rfc7644_3_4_2_3_sort::CHECKS),
        (rfc7644_3_4_2_4_pagination::SECTION, rfc7644_3_4_2_4_pagination::CHECKS),
        (rfc7644_3_4_3_search::SECTION, rfc7644_3_4_3_search::CHECKS),
        (rfc7644_3_5_1_replace::SECTION, rfc7644_3_5_1_replace::CHECKS),
        (rfc7644_3_5_2_patch::SECTION, rfc7644_3_5_2_patch::CHECKS),
        (rfc7644_3_5_2_patch_announced::SECTION, rfc7644_3_5_2_patch_announced::CHECKS),
        (rfc7644_3_5_2_patch_add::SECTION, rfc7644_3_5_2_patch_add::CHECKS),
        (rfc7644_3_5_2_patch_remove::SECTION, rfc7644_3_5_2_patch_remove::CHECKS),
        (rfc7644_3_5_2_patch_replace::SECTION, rfc7644_3_5_2_patch_replace::CHECKS),
        (rfc7644_3_6_delete::SECTION, rfc7644_3_6_delete::CHECKS),
        (rfc7644_3_7_bulk::SECTION, rfc7644_3_7_bulk::CHECKS),
        (rfc7644_3_9_projection::SECTION, rfc7644_3_9_projection::CHECKS),
        (rfc7644_3_11_me::SECTION, rfc7644_3_11_me::CHECKS),
        (rfc7644_3_12_errors::SECTION, rfc7644_3_12_errors::CHECKS),
        (rfc7644_3_14_etag::SECTION, rfc7644_3_14_etag::CHECKS),
        (rfc7644_4_discovery::SECTION, rfc7644_4_discovery::CHECKS),
        (rfc7644_4_discovery_announced::SECTION, rfc7644_4_discovery_announced::CHECKS),
        (rfc7643_2_attributes::SECTION, rfc7643_2_attributes::CHECKS),
        (rfc7643_4_1_2_roles::SECTION, rfc7643_4_1_2_roles::CHECKS),
        (rfc7643_4_2_groups::SECTION, rfc7643_4_2_groups::CHECKS),
        (rfc7643_4_3_enterprise::SECTION, rfc7643_4_3_enterprise::CHECKS),
        (rfc7643_6_resource_types::SECTION, rfc7643_6_resource_types::CHECKS),
        (profile_entra::SECTION, profile_entra::CHECKS),
        (profile_entra_patch::SECTION, profile_entra_patch::CHECKS),
        (profile_entra_groups::SECTION, profile_entra_groups::CHECKS),
        (profile_okta::SECTION, profile_okta::CHECKS),
        (profile_okta_groups::SECTION, profile_okta_groups::CHECKS),
        (profile_google::SECTION, profile_google::CHECKS),
        (profile_jumpcloud::SECTION, profile_jumpcloud::CHECKS),
        (profile_ping::SECTION, profile_ping::CHECKS),
        (differential::SECTION, differential::CHECKS),
        (differential_patch::SECTION, differential_patch::CHECKS),
        (differential_state::SECTION, differential_state::CHECKS),
        (concurrency::SECTION, concurrency::CHECKS),
        (lifecycle::SECTION, lifecycle::CHECKS),
    ]
}

/// Every check, in registry order.
pub fn registry() -> Vec<Check> {
    sections().into_iter().flat_map(|(_, checks)| checks.iter().copied()).collect()
}
