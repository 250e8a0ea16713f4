//! `scimlab checks list | explain`: what the conformance suite would run, and why.

use crate::exit::{Failure, Outcome};
use anyhow::anyhow;
use clap::Subcommand;
use scimlab_harness::check::Profile;
use scimlab_harness::checks::registry;
use scimlab_harness::select::{Selector, select};

/// Subcommands of `scimlab checks`.
#[derive(Debug, Subcommand)]
pub enum ChecksCommand {
    /// List checks: id, level, tags.
    List {
        /// Only checks whose id starts with X or that carry tag X. Repeatable.
        #[arg(long, value_name = "X")]
        only: Vec<String>,
        /// Only checks of these profiles (repeatable); default all.
        #[arg(long = "profile", value_name = "PROFILE", value_parser = crate::registry::profiles(), ignore_case = true)]
        profiles: Vec<String>,
    },
    /// Explain one check: requirement, section, level, what it sends, what it needs.
    Explain {
        /// The check id, e.g. rfc7644/3.4.2.2/filter-eq-username.
        id: String,
    },
}

/// Runs a `scimlab checks` subcommand.
pub fn run(cmd: ChecksCommand) -> Result<Outcome, Failure> {
    let all = registry();
    match cmd {
        ChecksCommand::List { only, profiles } => {
            let profiles = if profiles.is_empty() {
                Profile::ALL.to_vec()
            } else {
                profiles
                    .iter()
                    .map(|p| {
                        Profile::parse(p).ok_or_else(|| {
                            Failure::Usage(anyhow!("unknown profile {p:?}; use one of {}", Profile::names()))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            let only: Vec<Selector> = only.iter().map(|s| Selector::parse(s)).collect();
            let chosen = select(&all, &profiles, &only, &[]);
            let width = chosen.iter().map(|c| c.id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for c in &chosen {
                let tags: Vec<&str> = c.tags.iter().map(|t| t.as_str()).collect();
                out.push_str(&format!("{:width$}  {:6}  {}\n", c.id, c.level.as_str(), tags.join(",")));
            }
            out.push_str(&format!("{} checks\n", chosen.len()));
            crate::exit::print(&out)?;
            Ok(Outcome::Success)
        }
        ChecksCommand::Explain { id } => {
            let Some(c) = all.iter().find(|c| c.id == id) else {
                let near = scimlab_protocol::suggest::suggest(&id, all.iter().map(|c| c.id));
                let hint = if near.is_empty() { String::new() } else { format!("; did you mean: {}", near.join(", ")) };
                return Err(Failure::Usage(anyhow!("no check with id {id:?}{hint}")));
            };
            let tags: Vec<&str> = c.tags.iter().map(|t| t.as_str()).collect();
            let profiles: Vec<&str> = c.profiles.iter().map(|p| p.as_str()).collect();
            let requires: Vec<&str> = c.requires.iter().map(|r| r.as_str()).collect();
            let mut out = format!(
                "{}\n  requirement: {}\n  section:     {}\n  level:       {}\n  sends:       {}\n  tags:        {}\n  \
                 profiles:    {}\n",
                c.id,
                c.requirement,
                c.section(),
                c.level.as_str(),
                c.sends,
                tags.join(", "),
                profiles.join(", ")
            );
            if !requires.is_empty() {
                out.push_str(&format!("  requires:    {} (skipped when the server lacks it)\n", requires.join(", ")));
            }
            if !c.consequence.is_empty() {
                out.push_str(&format!("  if it fails: {}\n", c.consequence));
            }
            if !c.catches.is_empty() {
                let faults = c.catches.join("` / `--fault ");
                out.push_str(&format!("  proven by:   fails against `scimlab serve --fault {faults}`\n"));
            }
            crate::exit::print(&out)?;
            Ok(Outcome::Success)
        }
    }
}
