//! The names the command line accepts, each read from the one list its library keeps: profiles from the harness
//! (`Profile::ALL`), personas from the mock IdP (`Persona::all()`), shipped scenarios from the mock IdP
//! (`scenario::SHIPPED`), report formats from the reports crate (`sinks::SINK_FORMATS`, checked by
//! `Format::parse`). Each list becomes a clap value parser here, so `--help`, validation, `scimlab completions`
//! and `scimlab man` all show the same names, and a profile or persona added to its library reaches all four
//! without an edit in this crate.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use scimlab_harness::check::Profile;
use scimlab_mock_idp::Persona;
use scimlab_mock_idp::scenario;
use scimlab_reports::sinks::{Format, SINK_FORMATS};

/// `--profile`: the harness's profiles, with the name of what each certifies.
pub fn profiles() -> PossibleValuesParser {
    PossibleValuesParser::new(Profile::ALL.map(|p| PossibleValue::new(p.as_str()).help(p.display_name())))
}

/// `--as`: the mock IdP's personas, with their one-line summaries.
pub fn personas() -> PossibleValuesParser {
    PossibleValuesParser::new(Persona::all().iter().map(|p| PossibleValue::new(p.name).help(p.summary)))
}

/// The shipped scenarios' names.
pub fn scenario_names() -> impl Iterator<Item = &'static str> {
    scenario::SHIPPED.iter().map(|(name, _)| *name)
}

/// The report formats' names (`json`, `junit`, ...), read from the reports crate's list of what `--report`
/// accepts (aliases such as `md` left out).
pub fn report_formats() -> Vec<&'static str> {
    SINK_FORMATS.split(',').filter_map(|f| f.split_whitespace().next()).collect()
}

/// `replay SCENARIO`: a shipped scenario's name or a scenario file. The names are offered to help and completion;
/// anything else is taken as a path and checked when it is loaded.
#[derive(Clone, Debug)]
pub struct ScenarioArg;

impl TypedValueParser for ScenarioArg {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(scenario_names().map(PossibleValue::new)))
    }
}

/// `--report FORMAT=PATH`: FORMAT is checked against the reports crate's formats as the command line is read, so
/// a typo is a usage error before any work (the sink checks the whole spec again when it is built).
#[derive(Clone, Debug)]
pub struct ReportSpec;

impl TypedValueParser for ReportSpec {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let text = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        let problem = match text.split_once('=') {
            None => Some(format!("expected FORMAT=PATH (e.g. junit=out/junit.xml), FORMAT one of {SINK_FORMATS}")),
            Some((name, _)) if Format::parse(name).is_none() => {
                Some(format!("unknown format {:?}; known formats are {SINK_FORMATS}", name.trim()))
            }
            Some(_) => None,
        };
        match problem {
            None => Ok(text),
            Some(why) => {
                let flag = arg.map(|a| a.to_string()).unwrap_or_else(|| "--report".to_owned());
                Err(clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{flag} {text}: {why}\n"))
                    .with_cmd(cmd))
            }
        }
    }
}

/// The help line of `--report` (test, replay): the format names from the reports crate.
pub fn report_help() -> String {
    format!(
        "Write a report: FORMAT=PATH with FORMAT {} (PATH - for standard output, at most one report on -). \
         Repeatable",
        report_formats().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_format_is_one_the_reports_crate_parses() {
        let formats = report_formats();
        assert!(formats.len() >= 5, "{formats:?}");
        for f in formats {
            assert!(Format::parse(f).is_some(), "{f}");
        }
    }

    #[test]
    fn the_lists_are_the_libraries_lists() {
        assert_eq!(profiles().possible_values().map(Iterator::count), Some(Profile::ALL.len()));
        assert_eq!(personas().possible_values().map(Iterator::count), Some(Persona::all().len()));
        assert_eq!(ScenarioArg.possible_values().map(Iterator::count), Some(scenario::SHIPPED.len()));
    }
}
