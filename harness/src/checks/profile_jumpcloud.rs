//! JumpCloud profile: what JumpCloud's custom SCIM connector needs, judged by replaying the `jumpcloud` persona
//! ([`super::profile_replay`]): a Test Connection that creates a test user and a test group and DELETEs both,
//! userName lookups before creates and updates, groups created only with members, members added and removed on
//! `members` with a value list (IDP-TRAFFIC.md section 3, jumpcloud/behaviour_notes.json,
//! jumpcloud/group_member_patch_secondary.json).

use super::profile_replay::replay_check;
use crate::check::{Check, Profile};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/jumpcloud";

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    replay_check!(
        "profile/jumpcloud/replay-hire",
        Profile::JumpCloud,
        "JumpCloud",
        "jumpcloud",
        "hire",
        "JumpCloud's Test Connection fails (it deletes the test user and group it creates), so the SCIM \
         integration cannot be activated; or new users and groups are not provisioned",
        &["delete-405"]
    ),
    replay_check!(
        "profile/jumpcloud/replay-promotion",
        Profile::JumpCloud,
        "JumpCloud",
        "jumpcloud",
        "promotion",
        "JumpCloud leaves users' attributes or group memberships out of sync with the directory",
        &["members-value-remove-unsupported"]
    ),
    replay_check!(
        "profile/jumpcloud/replay-offboarding",
        Profile::JumpCloud,
        "JumpCloud",
        "jumpcloud",
        "offboarding",
        "JumpCloud cannot deprovision or delete users who leave, or take them out of their groups",
        &["delete-405", "members-value-remove-unsupported"]
    ),
    replay_check!(
        "profile/jumpcloud/replay-group-push",
        Profile::JumpCloud,
        "JumpCloud",
        "jumpcloud",
        "group-push",
        "JumpCloud cannot keep the app's groups in step: members it removes stay, or deleted groups remain",
        &["delete-405", "members-value-remove-unsupported"]
    ),
];
