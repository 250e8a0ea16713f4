//! Google Workspace profile: what Google's auto-provisioning needs, judged by replaying the `google` persona
//! ([`super::profile_replay`]). Only Google's headers are observed (`User-Agent: Google-Auto-Provisioning`,
//! `Content-Type: application/json`: IDP-TRAFFIC.md section 3, google/request_headers_observed.json); its bodies,
//! lookups and verbs are the plain RFC 7644 ones, so what these checks add to the RFC profile is mostly that
//! every write is accepted with `application/json` (RFC 7644 section 3.1 names both media types).

use super::profile_replay::replay_check;
use crate::check::{Check, Profile};

/// The section every id of this file starts with.
pub const SECTION: &str = "profile/google";

/// The checks of this file.
pub const CHECKS: &[Check] = &[
    replay_check!(
        "profile/google/replay-hire",
        Profile::Google,
        "Google Workspace",
        "google",
        "hire",
        "Google Workspace cannot provision the app's users or groups: its writes carry Content-Type \
         application/json, which it cannot change",
        &["plain-json-refused"]
    ),
    replay_check!(
        "profile/google/replay-promotion",
        Profile::Google,
        "Google Workspace",
        "google",
        "promotion",
        "Google Workspace cannot keep users' attributes and group memberships in step with the directory",
        &["plain-json-refused"]
    ),
    replay_check!(
        "profile/google/replay-offboarding",
        Profile::Google,
        "Google Workspace",
        "google",
        "offboarding",
        "Google Workspace cannot deprovision users who leave",
        &["plain-json-refused"]
    ),
    replay_check!(
        "profile/google/replay-group-push",
        Profile::Google,
        "Google Workspace",
        "google",
        "group-push",
        "Google Workspace cannot keep the app's groups in step with the directory",
        &["plain-json-refused"]
    ),
];
