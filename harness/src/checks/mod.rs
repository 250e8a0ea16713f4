//! The check registry: one file per RFC section (or profile), each exporting `SECTION` and `CHECKS`; this module
//! joins them in a fixed order. Ids are stable and never carry a position number.

pub mod bulk_support;
pub mod support;

mod queries;

mod rfc7644_3_4_2_2_filter_logic;
mod rfc7644_3_4_2_2_filter_ops;
mod rfc7644_3_4_2_2_filter_types;
mod rfc7644_3_4_2_3_sort;
mod rfc7644_3_4_2_4_pagination;
mod rfc7644_3_4_2_list;
mod rfc7644_3_4_3_search;
mod rfc7644_3_5_2_patch;
mod rfc7644_3_5_2_patch_add;
mod rfc7644_3_5_2_patch_remove;
mod rfc7644_3_5_2_patch_replace;
mod rfc7644_3_7_bulk;
mod rfc7644_3_14_etag;
mod rfc7644_3_9_projection;
mod rfc7644_4_discovery;

use crate::check::Check;

/// Every section's checks, in registry order: `(section prefix, checks)`. A check's id starts with its section.
pub fn sections() -> Vec<(&'static str, &'static [Check])> {
    vec![
        (rfc7644_3_4_2_list::SECTION, rfc7644_3_4_2_list::CHECKS),
        (rfc7644_3_4_2_2_filter_ops::SECTION, rfc7644_3_4_2_2_filter_ops::CHECKS),
        (rfc7644_3_4_2_2_filter_logic::SECTION, rfc7644_3_4_2_2_filter_logic::CHECKS),
        (rfc7644_3_4_2_2_filter_types::SECTION, rfc7644_3_4_2_2_filter_types::CHECKS),
        (rfc7644_3_4_2_3_sort::SECTION, rfc7644_3_4_2_3_sort::CHECKS),
        (rfc7644_3_4_2_4_pagination::SECTION, rfc7644_3_4_2_4_pagination::CHECKS),
        (rfc7644_3_4_3_search::SECTION, rfc7644_3_4_3_search::CHECKS),
        (rfc7644_3_5_2_patch::SECTION, rfc7644_3_5_2_patch::CHECKS),
        (rfc7644_3_5_2_patch_add::SECTION, rfc7644_3_5_2_patch_add::CHECKS),
        (rfc7644_3_5_2_patch_remove::SECTION, rfc7644_3_5_2_patch_remove::CHECKS),
        (rfc7644_3_5_2_patch_replace::SECTION, rfc7644_3_5_2_patch_replace::CHECKS),
        (rfc7644_3_7_bulk::SECTION, rfc7644_3_7_bulk::CHECKS),
        (rfc7644_3_14_etag::SECTION, rfc7644_3_14_etag::CHECKS),
        (rfc7644_3_9_projection::SECTION, rfc7644_3_9_projection::CHECKS),
        (rfc7644_4_discovery::SECTION, rfc7644_4_discovery::CHECKS),
    ]
}

/// Every check, in registry order.
pub fn registry() -> Vec<Check> {
    sections().into_iter().flat_map(|(_, checks)| checks.iter().copied()).collect()
}
