//! Exit statuses shared by every subcommand, and how a command's outcome becomes one.
//!
//! 0: success. 1: a negative verdict on the input (invalid filter, refused PATCH, failed MUST). 2: usage error
//! (bad arguments, unreadable or malformed input files, numbers beyond what one process can do, refused before
//! anything is allocated). 3: scimlab could not run or complete the run (server unreachable, credentials refused,
//! an INCOMPLETE result with checks it could not judge, a report or output that could not be written, internal
//! fault). 130: interrupted by Ctrl-C (128 + SIGINT, as shells report it), after cleanup and with every requested
//! report written for what ran. A listing whose reader went away (`| head`) ends quietly with 0.

use std::io::{ErrorKind, Write};
use std::process::ExitCode;

/// What a subcommand reports back to `main`.
#[derive(Debug)]
pub enum Outcome {
    /// Everything went as asked.
    Success,
    /// The command ran and its verdict is negative; it has already printed why.
    Negative,
}

/// A failure that stops a command, with the exit status it maps to.
#[derive(Debug)]
pub enum Failure {
    /// The user's input was wrong (status 2).
    Usage(anyhow::Error),
    /// scimlab itself could not run (status 3).
    Internal(anyhow::Error),
    /// The user interrupted the run (status 130); cleanup ran and the reports hold what finished.
    Interrupted(anyhow::Error),
    /// Standard output's reader went away (`scimlab checks list | head -1`): the command stops quietly with
    /// status 0, as a Unix filter does; the reader took what it wanted.
    ReaderGone,
}

/// Converts an outcome into the process exit status, printing a failure's chain of causes on stderr.
pub fn finish(outcome: Result<Outcome, Failure>) -> ExitCode {
    match outcome {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::from(1),
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Interrupted(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(130)
        }
        Err(Failure::ReaderGone) => ExitCode::SUCCESS,
        Err(Failure::Internal(e)) if stdout_reader_gone(&e) => ExitCode::SUCCESS,
        Err(Failure::Internal(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

/// Whether `e` is a command's own account of a write to standard output whose reader went away ("cannot write to
/// standard output: Broken pipe (os error 32)", as `recordings` words it; such a command should return
/// [`stdout_failed`] instead). Narrow on purpose: a broken pipe to a server is a real failure, and so is a
/// `--report FORMAT=-` lost on a closed standard output (exit 3, "reports were lost").
fn stdout_reader_gone(e: &anyhow::Error) -> bool {
    let text = format!("{e:#}").to_ascii_lowercase();
    text.starts_with("cannot write") && text.contains("to standard output: ") && text.contains("broken pipe")
}

/// A failed write to standard output: [`Failure::ReaderGone`] when the reader went away, else exit 3 naming the
/// stream and the system's error.
pub fn stdout_failed(e: std::io::Error) -> Failure {
    if e.kind() == ErrorKind::BrokenPipe {
        Failure::ReaderGone
    } else {
        Failure::Internal(anyhow::anyhow!("cannot write to standard output: {e}"))
    }
}

/// Writes `text` to standard output whole, and flushes it (see [`stdout_failed`]).
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(stdout_failed)
}

/// A usage failure (exit status 2) with this message.
pub fn usage(msg: impl Into<String>) -> Failure {
    Failure::Usage(anyhow::anyhow!(msg.into()))
}

/// Reads a JSON file the user named, as a usage failure when it is missing or malformed.
pub fn read_json_file(path: &std::path::Path, what: &str) -> Result<serde_json::Value, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(anyhow::anyhow!("cannot read {what} file {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| Failure::Usage(anyhow::anyhow!("{what} file {} is not valid JSON: {e}", path.display())))
}
