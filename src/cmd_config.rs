//! `scimlab config show`: the settings a `scimlab test` here would use, merged (flag, else config file, else
//! environment or default) with where each came from, and the credential as its source, never its value.

use crate::config::{Config, RunFlags, Settings};
use crate::credentials::CredentialArgs;
use crate::exit::{Failure, Outcome, print};
use clap::Subcommand;

/// Subcommands of `scimlab config`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the merged settings, secrets redacted; the flags given here override the file as they would for
    /// `scimlab test`.
    Show {
        /// Base URL of the SCIM service provider.
        #[arg(long)]
        url: Option<String>,
        #[command(flatten)]
        auth: CredentialArgs,
        /// Profiles (repeatable).
        #[arg(long = "profile", value_name = "PROFILE", value_parser = crate::registry::profiles(), ignore_case = true)]
        profiles: Vec<String>,
        /// Check id prefixes or tags to run (repeatable).
        #[arg(long, value_name = "X")]
        only: Vec<String>,
        /// Check id prefixes or tags to skip (repeatable).
        #[arg(long, value_name = "X")]
        skip: Vec<String>,
        #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = crate::registry::ReportSpec,
              help = crate::registry::report_help())]
        reports: Vec<String>,
        /// Fail on SHOULD misses too.
        #[arg(long)]
        strict: bool,
    },
}

/// Runs a `scimlab config` subcommand. A credential that cannot be resolved (a variable the file names is not
/// set) is shown as the error it would be, and the command exits 2.
pub fn run(cmd: ConfigCommand, config: &Config) -> Result<Outcome, Failure> {
    let ConfigCommand::Show { url, auth, profiles, only, skip, reports, strict } = cmd;
    let flags =
        RunFlags { url: url.as_deref(), profiles: &profiles, only: &only, skip: &skip, reports: &reports, strict };
    let settings = Settings::merge(&flags, config);
    let credential = Settings::credential(&auth, config, &crate::credentials::process_env);
    print(&settings.show(config, &credential))?;
    match credential {
        Ok(_) => Ok(Outcome::Success),
        Err(e) => Err(e),
    }
}
