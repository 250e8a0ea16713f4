//! PingFederate / PingOne profile: what the PingFederate SCIM provisioner needs, judged by replaying the `ping`
//! persona ([`super::profile_replay`]): full PUTs for users, PATCH for groups, groups found by listing every page
//! of /Groups, removal as a PUT with active false; and its GitHub EMU provisioner (`ping-emu`), which GETs
//! `/Users/0` and needs 404 before every operation (IDP-TRAFFIC.md section 3, ping/behaviour_notes.json).

use super::profile_replay::replay_check;
use crate::check::{Check, Profile};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/ping";

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    replay_check!(
        "profile/ping/replay-hire",
        Profile::Ping,
        "PingFederate",
        "ping",
        "hire",
        "PingFederate cannot provision new users or groups",
        &["create-empty-body"]
    ),
    replay_check!(
        "profile/ping/replay-promotion",
        Profile::Ping,
        "PingFederate",
        "ping",
        "promotion",
        "PingFederate's PUT updates are lost, or it cannot find the groups it lists page by page, so changes and \
         moves between groups are not provisioned",
        &["startindex-zero-based", "put-noop"]
    ),
    replay_check!(
        "profile/ping/replay-offboarding",
        Profile::Ping,
        "PingFederate",
        "ping",
        "offboarding",
        "PingFederate cannot disable users who leave (its PUT with active false is not kept)",
        &["put-noop"]
    ),
    replay_check!(
        "profile/ping/replay-group-push",
        Profile::Ping,
        "PingFederate",
        "ping",
        "group-push",
        "PingFederate cannot keep the app's group memberships in step with the directory",
        &["members-filter-remove-unsupported"]
    ),
    replay_check!(
        "profile/ping/replay-hire-emu",
        Profile::Ping,
        "PingFederate's GitHub EMU provisioner",
        "ping-emu",
        "hire",
        "PingFederate's GitHub EMU provisioner stops before every operation: its connection check GET /Users/0 \
         needs 404",
        &["not-found-200"]
    ),
];
