//! Running the scimlab binary against the hostile server: its output goes to files, its peak resident memory
//! (VmHWM) is polled every 50 ms, and it is killed, with the reason kept, when it runs past the hard timeout, past
//! its memory budget, or writes more output than any sane run does (so a broken build cannot fill the disk or the
//! machine's memory while the test waits).

use super::server::TOKEN;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long one scimlab invocation may run before it is killed and the test fails.
pub const HARD_TIMEOUT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(50);
const MIB: u64 = 1024 * 1024;

/// What one invocation may use.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Peak resident set, bytes.
    pub rss: u64,
    /// Bytes written to stdout, and to stderr, each.
    pub output: u64,
}

impl Budget {
    /// `scimlab test` and `scimlab replay`: 1 GiB, as issue 10 budgets a test against 20 MB bodies.
    pub const TEST: Budget = Budget { rss: 1024 * MIB, output: 32 * MIB };
    /// `scimlab load`: 512 MiB, as issue 10 budgets a load against an endless body.
    pub const LOAD: Budget = Budget { rss: 512 * MIB, output: 32 * MIB };
}

/// A finished (or killed) invocation.
#[derive(Debug)]
pub struct Finished {
    /// What ran, for messages (`test`, `replay`, `load`).
    pub label: String,
    /// The directory holding its stdout, stderr and reports.
    pub dir: PathBuf,
    /// How it ended.
    pub status: ExitStatus,
    /// Why the test killed it, if it did.
    pub killed: Option<String>,
    /// The highest VmHWM seen, bytes.
    pub peak_rss: u64,
    /// The budget it ran under.
    pub budget: Budget,
    /// Standard output (the first `budget.output` bytes).
    pub stdout: String,
    /// Standard error (the first `budget.output` bytes).
    pub stderr: String,
}

/// `scimlab test` against `url`, with a JSON and an HTML report in `dir`, and `extra` arguments.
pub fn test_args(url: &str, dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["test".to_owned(), "--url".into(), url.into(), "--token".into(), TOKEN.into()];
    args.extend(report_args(dir));
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// `scimlab replay hire offboarding --as entra` against `url`, with a JSON and an HTML report in `dir`.
pub fn replay_args(url: &str, dir: &Path) -> Vec<String> {
    let mut args: Vec<String> = ["replay", "hire", "offboarding", "--as", "entra", "--url", url, "--token", TOKEN]
        .into_iter()
        .map(str::to_owned)
        .collect();
    args.extend(report_args(dir));
    args
}

/// `scimlab load` against `url` with a JSON report in `dir`, and `extra` arguments.
pub fn load_args(url: &str, dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> =
        ["load", "--url", url, "--token", TOKEN, "--quiet"].into_iter().map(str::to_owned).collect();
    args.extend(["--report".to_owned(), format!("json={}", dir.join("r.json").display())]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn report_args(dir: &Path) -> Vec<String> {
    vec![
        "--report".into(),
        format!("json={}", dir.join("r.json").display()),
        "--report".into(),
        format!("html={}", dir.join("r.html").display()),
    ]
}

/// Runs the binary with `args` (and `env` on top of a proxy-free environment), output in `dir`, until it exits
/// or is killed.
pub fn run_scimlab(label: &str, dir: &Path, args: &[String], env: &[(&str, String)], budget: Budget) -> Finished {
    std::fs::create_dir_all(dir).expect("create the run directory");
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("create the stdout file"))
        .stderr(File::create(&err_path).expect("create the stderr file"));
    for var in ["SCIM_TOKEN", "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let mut child = cmd.spawn().expect("spawn the scimlab binary");
    let started = Instant::now();
    let mut peak_rss = 0;
    let mut killed = None;
    let status = loop {
        // Read the high-water mark before asking whether it exited: a reaped process has no status file.
        peak_rss = peak_rss.max(vm_hwm(child.id()).unwrap_or(0));
        if let Some(status) = child.try_wait().expect("poll the scimlab process") {
            break status;
        }
        let written = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        killed = if started.elapsed() > HARD_TIMEOUT {
            Some(format!("still running after {} s: killed", HARD_TIMEOUT.as_secs()))
        } else if peak_rss > budget.rss {
            Some(format!("peak RSS {} MiB passed the {} MiB budget: killed", peak_rss / MIB, budget.rss / MIB))
        } else if written(&out_path) > budget.output || written(&err_path) > budget.output {
            Some(format!("wrote more than {} MiB to stdout or stderr: killed", budget.output / MIB))
        } else {
            None
        };
        if killed.is_some() {
            let _ = child.kill();
            break child.wait().expect("reap the killed scimlab process");
        }
        std::thread::sleep(POLL);
    };
    Finished {
        label: label.to_owned(),
        dir: dir.to_owned(),
        status,
        killed,
        peak_rss,
        budget,
        stdout: read_capped(&out_path, budget.output),
        stderr: read_capped(&err_path, budget.output),
    }
}

/// The binary under test: this build's, or the one `SCIMLAB_HOSTILE_BIN` names (to hold an older or a
/// release build to the same promises).
fn binary() -> std::ffi::OsString {
    std::env::var_os("SCIMLAB_HOSTILE_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_scimlab").into())
}

/// VmHWM of a live process, bytes.
fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

fn read_capped(path: &Path, cap: u64) -> String {
    let mut bytes = Vec::new();
    if let Ok(f) = File::open(path) {
        let _ = f.take(cap).read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
