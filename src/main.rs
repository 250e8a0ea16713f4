//! scimlab: the SCIM 2.0 conformance harness and identity-provider / service-provider simulator.
//!
//! This binary is thin: clap parses the command line, and each subcommand lives in its own module that calls
//! into the library crates. Exit status: 0 success, 1 a negative verdict (an invalid filter, a refused PATCH, a
//! failed MUST), 2 a usage error (bad flags, unreadable input files), 3 scimlab itself could not run.

mod client_args;
mod cmd_checks;
mod cmd_completions;
mod cmd_config;
mod cmd_filter;
mod cmd_load;
mod cmd_patch;
mod cmd_recordings;
mod cmd_replay;
mod cmd_report;
mod cmd_serve;
mod cmd_test;
mod config;
mod credentials;
mod deviations;
mod embedded;
mod examples;
mod exit;
mod registry;
mod reporting;
mod tls_args;
mod token_args;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// SCIM 2.0 (RFC 7643 / RFC 7644) conformance harness and IdP / SP simulator.
#[derive(Debug, Parser)]
#[command(name = "scimlab", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Settings file for test, replay and config show (default: scimlab.toml in the current directory, when
    /// there is one). Flags override it; it overrides the environment (SCIM_TOKEN).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Certify a SCIM service provider against RFC 7643 / 7644 and IdP profiles (with no --url: the built-in
    /// mock SP).
    Test(Box<cmd_test::TestArgs>),
    /// List and explain the conformance checks.
    #[command(subcommand)]
    Checks(cmd_checks::ChecksCommand),
    /// Parse and evaluate SCIM filters (RFC 7644 section 3.4.2.2) the way scimlab judges servers.
    #[command(subcommand)]
    Filter(cmd_filter::FilterCommand),
    /// Apply SCIM PATCH requests (RFC 7644 section 3.5.2) to resources with scimlab's reference semantics.
    #[command(subcommand)]
    Patch(cmd_patch::PatchCommand),
    /// Run the mock SCIM service provider: a complete RFC 7644 server that records what clients send.
    Serve(Box<cmd_serve::ServeArgs>),
    /// List, show, export (JSON Lines, HAR, a replayable scenario) and verify what the mock service provider
    /// recorded.
    Recordings(cmd_recordings::RecordingsArgs),
    /// Measure a SCIM server's bulk, filter and PATCH throughput and latency percentiles (open or closed model,
    /// sharded with --shard K/N).
    Load(Box<cmd_load::LoadArgs>),
    /// Replay identity-provider lifecycle scenarios (hire, offboarding, bulk-merge...) the way Entra ID, Okta or
    /// OneLogin send them (with no --url: the built-in mock SP).
    Replay(Box<cmd_replay::ReplayArgs>),
    /// Render, compare and merge saved JSON run reports.
    #[command(subcommand)]
    Report(cmd_report::ReportCommand),
    /// Write a shell completion script (bash, zsh, fish, elvish, powershell) on standard output.
    Completions(cmd_completions::CompletionsArgs),
    /// Write the man pages: the main one on standard output, or one per command into a directory.
    Man(cmd_completions::ManArgs),
    /// Show the settings a run would use: flags, scimlab.toml and the environment merged, secrets redacted.
    #[command(subcommand)]
    Config(cmd_config::ConfigCommand),
}

/// The whole command line as clap sees it, with every command's examples: what parses the arguments, and what
/// `completions` and `man` describe.
pub fn command() -> clap::Command {
    examples::apply(Cli::command())
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::from_arg_matches(&command().get_matches()).unwrap_or_else(|e| e.exit());
    let config = || config::Config::load(cli.config.as_deref());
    let outcome = match cli.command {
        Command::Test(a) => config().and_then(|c| cmd_test::run(*a, &c)),
        Command::Checks(c) => cmd_checks::run(c),
        Command::Filter(c) => cmd_filter::run(c),
        Command::Patch(c) => cmd_patch::run(c),
        Command::Serve(a) => cmd_serve::run(*a),
        Command::Recordings(a) => cmd_recordings::run(a),
        Command::Load(a) => cmd_load::run(*a),
        Command::Replay(a) => config().and_then(|c| cmd_replay::run(*a, &c)),
        Command::Report(c) => cmd_report::run(c),
        Command::Completions(a) => cmd_completions::completions(a),
        Command::Man(a) => cmd_completions::man(a),
        Command::Config(c) => config().and_then(|cfg| cmd_config::run(c, &cfg)),
    };
    exit::finish(outcome)
}

/// A reader that stops early (`scimlab checks list | head`) closes our stdout; Rust's print macros then panic.
/// Stop quietly with status 0 instead, as [`exit::Failure::ReaderGone`] does for commands that write through
/// [`exit::print`]: the reader took what it wanted. (Restoring SIGPIPE's default action would need `unsafe` and
/// would let a client hanging up on `scimlab serve` kill the server.)
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg =
            payload.downcast_ref::<String>().map(String::as_str).or_else(|| payload.downcast_ref::<&str>().copied());
        if msg.is_some_and(|m| m.contains("failed printing to stdout") && m.contains("Broken pipe")) {
            std::process::exit(0);
        }
        default(info);
    }));
}
