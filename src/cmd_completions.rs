//! `scimlab completions SHELL` and `scimlab man`: shell completion scripts (clap_complete) and man pages
//! (clap_mangen), both generated from the same clap command tree that parses the command line, so flags,
//! subcommands, profiles, personas and scenarios never drift from what the binary accepts.

use crate::exit::{Failure, Outcome, print};
use anyhow::anyhow;
use clap::Args;
use clap_complete::Shell;
use std::path::PathBuf;

/// Options of `scimlab completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Options of `scimlab man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (scimlab.1, scimlab-test.1, scimlab-report-render.1, ...) into this directory,
    /// created if missing, instead of printing the main page on standard output.
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

/// Writes the completion script of `args.shell` on standard output.
pub fn completions(args: CompletionsArgs) -> Result<Outcome, Failure> {
    let mut cmd = crate::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "scimlab", &mut script);
    print(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Success)
}

/// Prints the main man page, or writes every command's page into `--dir`.
pub fn man(args: ManArgs) -> Result<Outcome, Failure> {
    let cmd = crate::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| Failure::Internal(anyhow!("cannot create the directory {}: {e}", dir.display())))?;
            clap_mangen::generate_to(cmd, &dir)
                .map_err(|e| Failure::Internal(anyhow!("cannot write man pages into {}: {e}", dir.display())))?;
            eprintln!("man pages written to {}", dir.display());
        }
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page).map_err(|e| Failure::Internal(e.into()))?;
            print(&String::from_utf8_lossy(&page))?;
        }
    }
    Ok(Outcome::Success)
}
