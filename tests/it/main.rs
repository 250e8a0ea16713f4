//! Integration tests of the `scimlab` binary: one test binary, one module per subcommand.

mod audit_cmd;
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

use assert_cmd::Command;
use std::path::PathBuf;

/// The built binary, run from the repository root.
pub fn scimlab() -> Command {
    let mut cmd = Command::cargo_bin("scimlab").expect("scimlab binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// A fresh temporary directory for files a test writes.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimlab-it-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}
