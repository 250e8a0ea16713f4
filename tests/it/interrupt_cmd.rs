//! Ctrl-C during `scimlab test`: cleanup runs, every requested report is written with what ran, the run is
//! marked interrupted, and the exit status is 130.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

/// `scimlab serve` on a free port, slowed so the run is still going when it is interrupted.
fn slow_server() -> (std::process::Child, String) {
    crate::serve(["--token", "interrupt-token", "--fault", "latency=100ms"])
}

/// The number of Users the server holds, read over a raw HTTP/1.1 GET.
fn users_left(url: &str) -> u64 {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, path) = rest.split_once('/').expect("a base path");
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(
        s,
        "GET /{path}/Users?count=0 HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer interrupt-token\r\n\
         Connection: close\r\n\r\n"
    )
    .expect("send");
    let mut text = String::new();
    s.read_to_string(&mut text).expect("read");
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).expect("a ListResponse");
    v["totalResults"].as_u64().expect("totalResults")
}

#[test]
fn ctrl_c_cleans_up_writes_the_reports_and_exits_130() {
    let (mut server, url) = slow_server();
    let dir = crate::temp_dir("interrupt");
    let report = dir.join("r.json");
    let mut run = Command::new(assert_cmd::cargo::cargo_bin("scimlab"))
        .args(["test", "--url", &url, "--concurrency", "2", "--report"])
        .arg(format!("json={}", report.display()))
        .env("SCIM_TOKEN", "interrupt-token")
        .env("NO_COLOR", "1")
        // Results (the Result line among them) go to stdout; progress goes to stderr.
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("scimlab test starts");
    let stdout = run.stdout.take().expect("stdout");
    let output = std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>());
    // Interrupt once the run has created resources on the server (so cleanup has work to do), and while it still
    // has most of its checks to go (every request is slowed by 100 ms).
    while users_left(&url) < 3 {
        assert!(run.try_wait().expect("poll the run").is_none(), "the run ended before it was interrupted");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill").args(["-INT", &run.id().to_string()]).status().expect("kill -INT");
    assert!(status.success());
    let rest = output.join().expect("stdout read");
    let code = run.wait().expect("the run ends").code();
    let left = users_left(&url);
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(code, Some(130), "{}", rest.join("\n"));
    assert!(rest.iter().any(|l| l.starts_with("Result: INTERRUPTED")), "{}", rest.join("\n"));
    let text = std::fs::read_to_string(&report).expect("the JSON report was written");
    let v: serde_json::Value = serde_json::from_str(&text).expect("a JSON report");
    let checks = v["checks"].as_array().expect("checks");
    let marker = checks.iter().find(|c| c["id"] == "run/interrupted").expect("the run is marked interrupted");
    assert_eq!(marker["verdict"], "error");
    let reason = marker["reason"].as_str().expect("a reason");
    let finished: usize = reason
        .split("after ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the reason says how many checks finished");
    let ran = checks.iter().filter(|c| c["id"] != "run/interrupted");
    assert_eq!(ran.count(), finished, "the report holds exactly the checks that finished: {reason}");
    assert!(reason.contains("cleaned up"), "{reason}");
    assert_eq!(left, 0, "cleanup deleted what the run created");
}
