//! Integration tests of the `scimlab` binary: one test binary, one module per subcommand.

mod audit_cmd;
mod auth_cmd;
mod captured_cmd;
mod cli_surface;
mod client_flags;
mod config_cmd;
mod credentials_cmd;
mod exits;
mod filter_cmd;
mod hostile;
mod interrupt_cmd;
mod load_cmd;
mod patch_cmd;
mod recordings_cmd;
mod replay_cmd;
mod report_cmd;
mod serve_cmd;
mod streams_cmd;
mod tls_cmd;

use assert_cmd::Command;
use std::path::PathBuf;

/// The built binary, run from the repository root.
pub fn scimlab() -> Command {
    let mut cmd = Command::cargo_bin("scimlab").expect("scimlab binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// `scimlab serve --addr 127.0.0.1:0` with `args`, without a `SCIM_TOKEN` from the environment: the child and the
/// base URL it prints. The rest of its stdout is read on a thread, so the server never blocks on a full pipe.
pub fn serve<I, S>(args: I) -> (std::process::Child, String)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let (child, url, _) = serve_with_env(args, &[]);
    (child, url)
}

/// [`serve`] with `env` set for the child (and `SCIM_OAUTH_CLIENT_SECRET` removed unless `env` sets it); also
/// the banner lines printed before the address.
pub fn serve_with_env<I, S>(args: I, env: &[(&str, &str)]) -> (std::process::Child, String, Vec<String>)
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    use std::io::{BufRead, BufReader};
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("scimlab"));
    cmd.args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .env_remove("SCIM_TOKEN")
        .env_remove("SCIM_OAUTH_CLIENT_SECRET")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().expect("scimlab serve starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let mut banner = Vec::new();
    let url = lines
        .by_ref()
        .find_map(|l| match l.strip_prefix("scimlab mock SP listening on ") {
            Some(u) => Some(u.trim().to_owned()),
            None => {
                banner.push(l);
                None
            }
        })
        .expect("scimlab serve prints its address");
    std::thread::spawn(move || lines.for_each(drop));
    (child, url, banner)
}

/// A fresh temporary directory for files a test writes.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimlab-it-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
