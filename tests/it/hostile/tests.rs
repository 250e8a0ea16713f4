//! One test per hostile mode (issue 10, "Proof"). Each starts the server, runs scimlab against it under a hard
//! timeout and a memory budget, then judges the server's log and the run's output and reports.
//!
//! The crafted-id and repeated-id tests run the full default suite with `--concurrency 1`: the write rule counts
//! the handouts before each write, and with one check at a time the log's order is the order scimlab learnt the
//! ids in, so a write cannot be blamed on a repeat that another check was still reading. The other tests narrow
//! the suite with `--only` to the checks that meet the hostility (creates, reads, lists, deletes).

use super::judge::{Exit, Findings};
use super::mode::Mode;
use super::run::{Budget, Finished, load_args, replay_args, run_scimlab, test_args};
use super::server::Hostile;
use crate::temp_dir;
use std::path::Path;

/// `scimlab test` with `extra` arguments and `env`, in `dir/test`.
fn test(server: &Hostile, dir: &Path, extra: &[&str], env: &[(&str, String)]) -> Finished {
    let dir = dir.join("test");
    run_scimlab("test", &dir, &test_args(&server.url(), &dir, extra), env, Budget::TEST)
}

/// `scimlab replay hire offboarding --as entra`, in `dir/replay`.
fn replay(server: &Hostile, dir: &Path) -> Finished {
    let dir = dir.join("replay");
    run_scimlab("replay", &dir, &replay_args(&server.url(), &dir), &[], Budget::TEST)
}

/// The promises every test holds: no foreign writes and no token to the other origin. The server's log is left
/// in `dir/server-log.txt`.
fn findings(name: &str, server: &Hostile, dir: &Path, never_followed: bool) -> Findings {
    server.write_log(&dir.join("server-log.txt"));
    let events = server.events();
    let mut f = Findings::new(name);
    f.foreign_writes(&events);
    f.other_origin(&events, never_followed);
    f
}

/// A crafted id answers every create: the full suite and the entra replay must flag it and write to nothing.
fn crafted(name: &str, id: &'static str) {
    let server = Hostile::start(Mode::CraftedId(id));
    let dir = temp_dir(&format!("hostile-{name}"));
    let test = test(&server, &dir, &["--concurrency", "1"], &[]);
    let replay = replay(&server, &dir);
    let mut f = findings(name, &server, &dir, false);
    f.run(&test, Exit::NonZero);
    f.run(&replay, Exit::NonZero);
    f.finish();
}

#[test]
fn crafted_id_dot_is_flagged_and_never_written_to() {
    crafted("crafted-id-dot", ".");
}

#[test]
fn crafted_id_dot_dot_is_flagged_and_never_written_to() {
    crafted("crafted-id-dot-dot", "..");
}

#[test]
fn crafted_id_with_a_fragment_is_flagged_and_never_written_to() {
    crafted("crafted-id-fragment", "a#b");
}

#[test]
fn crafted_id_with_a_tab_is_flagged_and_never_written_to() {
    crafted("crafted-id-tab", "a\tb");
}

#[test]
fn crafted_id_climbing_to_groups_is_flagged_and_never_written_to() {
    crafted("crafted-id-parent-path", "../Groups/x");
}

#[test]
fn crafted_id_with_a_slash_is_flagged_and_never_written_to() {
    crafted("crafted-id-slash", "a/b");
}

#[test]
fn repeated_id_is_flagged_and_never_written_to_once_repeated() {
    let server = Hostile::start(Mode::SameId);
    let dir = temp_dir("hostile-same-id");
    let test = test(&server, &dir, &["--concurrency", "1"], &[]);
    let replay = replay(&server, &dir);
    let mut f = findings("same-id", &server, &dir, false);
    f.run(&test, Exit::NonZero);
    f.run(&replay, Exit::NonZero);
    f.finish();
}

#[test]
fn endless_lists_echoing_the_run_prefix_are_never_cleaned_up() {
    let server = Hostile::start(Mode::EndlessEcho);
    let dir = temp_dir("hostile-endless-echo");
    let only = ["--only", "rfc7644/3.3", "--only", "rfc7644/3.6", "--only", "rfc7644/3.4.2.4"];
    let test = test(&server, &dir, &only, &[]);
    let replay = replay(&server, &dir);
    let mut f = findings("endless-echo", &server, &dir, false);
    f.run(&test, Exit::NonZero);
    f.run(&replay, Exit::NonZero);
    f.finish();
}

#[test]
fn echoed_authorization_reaches_no_output_and_no_report() {
    let server = Hostile::start(Mode::EchoAuthorization);
    let dir = temp_dir("hostile-echo-auth");
    let only = ["--only", "rfc7644/2", "--only", "rfc7644/3.3", "--only", "rfc7644/3.4.1", "--only", "rfc7644/3.6"];
    let test = test(&server, &dir, &only, &[]);
    let replay = replay(&server, &dir);
    let mut f = findings("echo-authorization", &server, &dir, false);
    f.run(&test, Exit::Orderly);
    f.run(&replay, Exit::Orderly);
    f.finish();
}

#[test]
fn location_on_another_port_is_flagged_and_never_followed() {
    let server = Hostile::start(Mode::LocationOtherPort);
    let dir = temp_dir("hostile-location-port");
    let test = test(&server, &dir, &["--only", "rfc7644/3.3"], &[]);
    let mut f = findings("location-other-port", &server, &dir, true);
    f.run(&test, Exit::NonZero);
    f.finish();
}

/// `example.invalid` never resolves, so scimlab is given the other listener as its HTTP proxy (loopback
/// excepted): whatever it would send to that host, or look up, arrives there instead and is seen.
#[test]
fn location_on_an_unresolvable_host_is_flagged_and_never_followed() {
    let server = Hostile::start(Mode::LocationUnresolvable);
    let dir = temp_dir("hostile-location-invalid");
    let proxy = server.other_origin();
    let env = [
        ("HTTP_PROXY", proxy.clone()),
        ("http_proxy", proxy.clone()),
        ("HTTPS_PROXY", proxy.clone()),
        ("https_proxy", proxy),
        ("NO_PROXY", "127.0.0.1,localhost".to_owned()),
        ("no_proxy", "127.0.0.1,localhost".to_owned()),
    ];
    let test = test(&server, &dir, &["--only", "rfc7644/3.3"], &env);
    let mut f = findings("location-unresolvable", &server, &dir, true);
    f.run(&test, Exit::NonZero);
    f.finish();
}

#[test]
fn twenty_megabyte_bodies_stay_within_one_gib_and_short_output() {
    let server = Hostile::start(Mode::HugeBodies);
    let dir = temp_dir("hostile-huge-bodies");
    let test = test(&server, &dir, &["--only", "rfc7644/3.3", "--only", "rfc7644/3.6"], &[]);
    let mut f = findings("huge-bodies", &server, &dir, false);
    f.run(&test, Exit::Orderly);
    f.short_output(&test, 1024 * 1024);
    f.finish();
}

#[test]
fn endless_body_ends_test_and_load_with_a_clear_error_in_bounded_memory() {
    let server = Hostile::start(Mode::EndlessBody);
    let dir = temp_dir("hostile-endless-body");
    let test = test(&server, &dir, &["--only", "rfc7644/3.3", "--only", "rfc7644/3.4.1"], &[]);
    let load_dir = dir.join("load");
    let load_extra =
        ["--scenario", "read", "--users", "20", "--concurrency", "4", "--duration", "5s", "--max-requests", "200"];
    let load = run_scimlab("load", &load_dir, &load_args(&server.url(), &load_dir, &load_extra), &[], Budget::LOAD);
    let mut f = findings("endless-body", &server, &dir, false);
    f.run(&test, Exit::NonZero);
    f.explains_oversized_body(&test);
    f.run(&load, Exit::Orderly);
    f.finish();
}

#[test]
fn connections_dropped_mid_response_fail_the_run_without_a_crash() {
    let server = Hostile::start(Mode::DropMidResponse);
    let dir = temp_dir("hostile-dropped");
    let only = ["--only", "rfc7644/3.3", "--only", "rfc7644/3.4.1", "--only", "rfc7644/3.6"];
    let test = test(&server, &dir, &only, &[]);
    let mut f = findings("drop-mid-response", &server, &dir, false);
    f.run(&test, Exit::NonZero);
    f.finish();
}
