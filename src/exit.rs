//! Exit statuses shared by every subcommand, and how a command's outcome becomes one.
//!
//! 0: success. 1: a negative verdict on the input (invalid filter, refused PATCH, failed MUST). 2: usage error
//! (bad arguments, unreadable or malformed input files, numbers beyond what one process can do, refused before
//! anything is allocated). 3: scimlab could not run or complete the run (server unreachable, credentials refused,
//! an INCOMPLETE result with checks it could not judge, a report or output that could not be written, internal
//! fault). 130: interrupted by Ctrl-C (128 + SIGINT, as shells report it), after cleanup and with every requested
//! report written for what ran.

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
        Err(Failure::Internal(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
        Err(Failure::Interrupted(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(130)
        }
    }
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
