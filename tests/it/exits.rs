//! Exit statuses that tell the truth (issue 10, "Exit codes lie"): a report that cannot be written is 3 with the
//! path and the OS error, for test, replay and load alike; numbers beyond what one process can do are usage
//! errors (2) refused before anything is allocated, never an abort (134) with a backtrace.

use crate::{scimlab, temp_dir};
use predicates::prelude::*;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::Arc;

/// Whether `/dev/full` is the device that refuses every write (the tests that need it skip where it is not).
fn dev_full() -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device())
}

/// The mock SP, no authentication, on 127.0.0.1 (port 0), in a runtime of its own; stops when dropped.
struct MockSp {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl MockSp {
    fn start() -> MockSp {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime for the mock SP");
        let store: Arc<dyn scimlab_mock_sp::store::Store> = Arc::new(scimlab_mock_sp::store::MemoryStore::default());
        let app =
            scimlab_mock_sp::router(scimlab_mock_sp::AppState::new(store, scimlab_mock_sp::ServerConfig::default()));
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        runtime.spawn(async move {
            let _ = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await;
        });
        MockSp { url: format!("http://{addr}/scim/v2"), _runtime: runtime }
    }
}

/// The arguments of a short load against `url`.
fn short_load(url: &str) -> Vec<String> {
    [
        "load",
        "--url",
        url,
        "--scenario",
        "read",
        "--users",
        "20",
        "--max-requests",
        "20",
        "--concurrency",
        "2",
        "--quiet",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Regression: as root, `--report json=/dev/full` renamed a temporary file over /dev/full and exited 0.
#[test]
fn a_report_on_a_full_device_is_exit_3_with_the_path_and_the_os_error() {
    if !dev_full() {
        return;
    }
    let lost = || predicate::str::contains("/dev/full").and(predicate::str::contains("No space left on device"));
    scimlab().args(["test", "--only", "rfc7643", "--report", "json=/dev/full"]).assert().code(3).stderr(lost());
    scimlab().args(["replay", "hire", "--report", "json=/dev/full"]).assert().code(3).stderr(lost());
    let sp = MockSp::start();
    scimlab().args(short_load(&sp.url)).args(["--report", "json=/dev/full"]).assert().code(3).stderr(lost());
    assert!(dev_full(), "/dev/full is still the device");
}

#[test]
fn a_report_directory_that_cannot_be_created_is_exit_3_before_the_run() {
    let dir = temp_dir("exits-not-a-dir");
    let file = dir.join("plain-file");
    std::fs::write(&file, "x").expect("a plain file");
    let spec = format!("json={}", file.join("sub/report.json").display());
    let named = || predicate::str::contains("plain-file/sub").and(predicate::str::contains("Not a directory"));
    scimlab().args(["test", "--only", "rfc7643", "--report", &spec]).assert().code(3).stderr(named());
    scimlab().args(["replay", "hire", "--report", &spec]).assert().code(3).stderr(named());
    scimlab()
        .args(["load", "--url", "http://127.0.0.1:9/scim/v2", "--scenario", "read", "--report", &spec])
        .assert()
        .code(3)
        .stderr(named());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--report json=-` with standard output on a full device: the report is lost, and the exit status says so.
#[test]
fn a_report_on_a_full_standard_output_is_exit_3() {
    if !dev_full() {
        return;
    }
    let bin = assert_cmd::cargo::cargo_bin("scimlab");
    let sp = MockSp::start();
    let runs: [Vec<String>; 3] = [
        ["test", "--only", "rfc7643", "--report", "json=-"].map(str::to_owned).to_vec(),
        ["replay", "hire", "--report", "json=-"].map(str::to_owned).to_vec(),
        short_load(&sp.url).into_iter().chain(["--report".to_owned(), "json=-".to_owned()]).collect(),
    ];
    for args in runs {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("open /dev/full");
        let out = Command::new(&bin)
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(full)
            .output()
            .expect("run scimlab");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains("standard output") && stderr.contains("No space left"), "{args:?}: {stderr}");
    }
}

/// Regression: both aborted with exit 134 and a backtrace after trying to allocate terabytes.
#[test]
fn sizes_beyond_one_process_are_usage_errors_naming_the_flag_and_the_limit() {
    let load = ["load", "--url", "http://127.0.0.1:9/scim/v2", "--scenario", "bulk-merge"];
    let cases: [(&[&str], &str, &str); 8] = [
        (&["--users", "1000000000"], "--users 1000000000", "10000000"),
        (&["--preload", "1000000000"], "--preload", "10000000"),
        (&["--concurrency", "0"], "--concurrency 0", "1000"),
        (&["--concurrency", "1000000000"], "--concurrency", "1000"),
        (&["--rate", "1e300"], "--rate", "1000000/s"),
        (&["--duration", "100000000h"], "--duration", "720h"),
        (&["--threads", "1000000000"], "--threads", "1024"),
        (&["--max-response-bytes", "0"], "--max-response-bytes", "67108864"),
    ];
    for (extra, flag, limit) in cases {
        scimlab()
            .args(load)
            .args(extra)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(flag).and(predicate::str::contains(limit)))
            .stderr(predicate::str::contains("backtrace").not());
    }
    scimlab()
        .args(["replay", "bulk-merge", "--users", "1000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--users 1000000000000").and(predicate::str::contains("1000000")));
}
