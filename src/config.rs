//! `scimlab.toml`: the settings of a CI job in a file, read from the current directory or from `--config FILE`.
//!
//! It holds the URL, where the credential comes from (environment variable names, never the secret itself unless
//! `allow_secrets_in_file = true`), profiles, `only` / `skip` selections, report outputs, and known deviations
//! (checks the server is known to fail, each with a reason; they are reported as expected failures and do not
//! fail the run). Precedence is the same for every setting: a flag overrides the file, and the file overrides
//! the environment (`SCIM_TOKEN`). A list given by flags (`--profile`, `--only`, `--skip`, `--report`) replaces
//! the file's list. The schema is strict (`deny_unknown_fields`): a misspelt key is an error naming it, not a
//! setting silently ignored. `docs/config.md` describes the file.

use crate::credentials::{CredentialArgs, FileCredential, Resolved};
use crate::exit::{Failure, usage};
use scimlab_mock_idp::Credential;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file looked for in the current directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "scimlab.toml";

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Base URL of the SCIM service provider.
    pub url: Option<String>,
    /// Profiles to certify against (`scimlab test --profile`).
    #[serde(default)]
    pub profiles: Vec<String>,
    /// Check id prefixes or tags to run (`--only`).
    #[serde(default)]
    pub only: Vec<String>,
    /// Check id prefixes or tags to skip (`--skip`).
    #[serde(default)]
    pub skip: Vec<String>,
    /// Fail on SHOULD misses too (`--strict`).
    #[serde(default)]
    pub strict: bool,
    /// Reports to write, `FORMAT=PATH` as `--report` takes them.
    #[serde(default)]
    pub reports: Vec<String>,
    /// Where the credential comes from.
    pub auth: Option<AuthSource>,
    /// Whether `[auth]` may hold a secret itself (`token`, `password`, `value`). Off by default: files get
    /// committed.
    #[serde(default)]
    pub allow_secrets_in_file: bool,
    /// Checks the server is known to fail, each with its reason.
    #[serde(default, rename = "known_deviation")]
    pub known_deviations: Vec<KnownDeviation>,
}

/// `[auth]`: the credential, by kind. Each kind reads its secret from an environment variable (`*_env`), or,
/// with `allow_secrets_in_file = true`, from the file.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum AuthSource {
    /// `Authorization: Bearer TOKEN`.
    Bearer {
        /// The variable holding the token.
        token_env: Option<String>,
        /// The token itself (needs `allow_secrets_in_file`).
        token: Option<String>,
    },
    /// HTTP Basic.
    Basic {
        /// The user name (not a secret).
        user: String,
        /// The variable holding the password.
        password_env: Option<String>,
        /// The password itself (needs `allow_secrets_in_file`).
        password: Option<String>,
    },
    /// Any header, e.g. `Authorization: SSWS ...`.
    Header {
        /// The header name.
        name: String,
        /// The variable holding the value.
        value_env: Option<String>,
        /// The value itself (needs `allow_secrets_in_file`).
        value: Option<String>,
    },
    /// No credential at all (and `SCIM_TOKEN` is not read).
    None {},
}

/// `[[known_deviation]]`: the checks (an id, or an id prefix, as `--only` reads one) the server fails on purpose
/// or until a fix ships, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviation {
    /// The check id or id prefix.
    pub check: String,
    /// Why the server deviates (a ticket, a vendor decision).
    pub reason: String,
}

impl KnownDeviation {
    /// Whether this deviation covers the check `id`: the id starts with `check`, as `--only` selects.
    pub fn covers(&self, id: &str) -> bool {
        id.starts_with(self.check.as_str())
    }
}

/// A loaded config file and where it came from.
#[derive(Debug, Default)]
pub struct Config {
    /// The file, when there is one.
    pub path: Option<PathBuf>,
    /// Its settings (all empty when there is no file).
    pub file: ConfigFile,
}

impl Config {
    /// `--config FILE` (which must exist), else `scimlab.toml` in the current directory when there is one, else
    /// no file. A file that cannot be read or parsed is a usage error naming it and what is wrong.
    pub fn load(explicit: Option<&Path>) -> Result<Config, Failure> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| usage(format!("cannot read the config file {}: {e}", path.display())))?;
        let file = parse(&text).map_err(|e| usage(format!("config file {}: {e}", path.display())))?;
        Ok(Config { path: Some(path), file })
    }

    /// How messages name the file.
    pub fn name(&self) -> String {
        self.path.as_ref().map_or_else(|| DEFAULT_FILE.to_owned(), |p| p.display().to_string())
    }

    /// The credential `[auth]` gives, read from the variables it names (`env`); `None` without `[auth]`. A secret
    /// written in the file without `allow_secrets_in_file`, or a variable that is not set, is a usage error.
    pub fn credential(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<FileCredential>, Failure> {
        let Some(auth) = &self.file.auth else { return Ok(None) };
        let name = self.name();
        let secret =
            |from_env: &Option<String>, inline: &Option<String>, key: &str| -> Result<(String, String), Failure> {
                match (from_env, inline) {
                    (Some(_), Some(_)) => Err(usage(format!("{name}: [auth] has both {key}_env and {key}; keep one"))),
                    (Some(var), None) => match env(var).filter(|v| !v.is_empty()) {
                        Some(v) => Ok((v, format!("{key}_env = {var:?}"))),
                        None => Err(usage(format!(
                            "{name}: [auth] {key}_env names the environment variable {var}, which is not set"
                        ))),
                    },
                    (None, Some(v)) if self.file.allow_secrets_in_file => Ok((v.clone(), format!("{key} in the file"))),
                    (None, Some(_)) => Err(usage(format!(
                        "{name}: [auth] {key} is a secret written in the file; name the environment variable that \
                     holds it with {key}_env = \"NAME\", or set allow_secrets_in_file = true"
                    ))),
                    (None, None) => Err(usage(format!("{name}: [auth] needs {key}_env = \"NAME\""))),
                }
            };
        let (credential, from) = match auth {
            AuthSource::Bearer { token_env, token } => {
                let (t, from) = secret(token_env, token, "token")?;
                (Credential::Bearer(t), from)
            }
            AuthSource::Basic { user, password_env, password } => {
                let (pass, from) = secret(password_env, password, "password")?;
                (Credential::Basic { user: user.clone(), pass }, format!("basic, user {user:?}, {from}"))
            }
            AuthSource::Header { name: header, value_env, value } => {
                let (v, from) = secret(value_env, value, "value")?;
                (Credential::Header { name: header.clone(), value: v }, format!("header {header}, {from}"))
            }
            AuthSource::None {} => (Credential::None, "kind = \"none\"".to_owned()),
        };
        Ok(Some(FileCredential { credential, from: format!("{name}: {from}") }))
    }
}

/// Parses the text of a config file.
pub fn parse(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
}

/// Where a merged setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    Flag,
    /// The config file.
    File,
    /// Neither: scimlab's default.
    Default,
}

impl Origin {
    fn word(self) -> &'static str {
        match self {
            Origin::Flag => "flag",
            Origin::File => "file",
            Origin::Default => "default",
        }
    }
}

/// The flags of a run that the file can also give.
pub struct RunFlags<'a> {
    /// `--url`.
    pub url: Option<&'a str>,
    /// `--profile`.
    pub profiles: &'a [String],
    /// `--only`.
    pub only: &'a [String],
    /// `--skip`.
    pub skip: &'a [String],
    /// `--report`.
    pub reports: &'a [String],
    /// `--strict`.
    pub strict: bool,
}

/// The settings of a run, merged: flag, else file, else environment or default.
#[derive(Debug)]
pub struct Settings {
    /// The URL (none: the embedded mock SP).
    pub url: (Option<String>, Origin),
    /// Profiles (empty: all).
    pub profiles: (Vec<String>, Origin),
    /// `only` selectors.
    pub only: (Vec<String>, Origin),
    /// `skip` selectors.
    pub skip: (Vec<String>, Origin),
    /// Report specs.
    pub reports: (Vec<String>, Origin),
    /// `strict`.
    pub strict: (bool, Origin),
    /// Known deviations (file only).
    pub deviations: Vec<KnownDeviation>,
}

fn list(flag: &[String], file: &[String]) -> (Vec<String>, Origin) {
    if !flag.is_empty() {
        (flag.to_vec(), Origin::Flag)
    } else if !file.is_empty() {
        (file.to_vec(), Origin::File)
    } else {
        (Vec::new(), Origin::Default)
    }
}

impl Settings {
    /// Merges `flags` over `config`.
    pub fn merge(flags: &RunFlags<'_>, config: &Config) -> Settings {
        let f = &config.file;
        let url = match (flags.url, &f.url) {
            (Some(u), _) => (Some(u.to_owned()), Origin::Flag),
            (None, Some(u)) => (Some(u.clone()), Origin::File),
            (None, None) => (None, Origin::Default),
        };
        let strict = match (flags.strict, f.strict) {
            (true, _) => (true, Origin::Flag),
            (false, true) => (true, Origin::File),
            (false, false) => (false, Origin::Default),
        };
        Settings {
            url,
            profiles: list(flags.profiles, &f.profiles),
            only: list(flags.only, &f.only),
            skip: list(flags.skip, &f.skip),
            reports: list(flags.reports, &f.reports),
            strict,
            deviations: f.known_deviations.clone(),
        }
    }

    /// The run's credential: flag, else file, else `SCIM_TOKEN` (see [`CredentialArgs::resolve`]).
    pub fn credential(
        flags: &CredentialArgs,
        config: &Config,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Resolved, Failure> {
        flags.resolve(&|| config.credential(env), env)
    }

    /// The merged settings as `config show` prints them: one `key = value  # origin` line each, TOML-like, the
    /// credential as where it comes from, never its value.
    pub fn show(&self, config: &Config, credential: &Result<Resolved, Failure>) -> String {
        let quoted = |v: &[String]| format!("[{}]", v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", "));
        let mut out = match &config.path {
            Some(p) => format!("# config file: {}\n", p.display()),
            None => format!("# config file: none ({DEFAULT_FILE} not found here; --config FILE names one)\n"),
        };
        let url = self.url.0.as_ref().map_or_else(|| "(none: the embedded mock SP)".to_owned(), |u| format!("{u:?}"));
        out.push_str(&format!("url = {url}  # {}\n", self.url.1.word()));
        let credential = match credential {
            Ok(r) => format!("{:?}  # {}", redacted(&r.credential), r.source),
            Err(Failure::Usage(e) | Failure::Internal(e) | Failure::Interrupted(e)) => format!("(error: {e:#})"),
            Err(Failure::ReaderGone) => "(error)".to_owned(),
        };
        out.push_str(&format!("credential = {credential}\n"));
        for (key, (v, origin)) in
            [("profiles", &self.profiles), ("only", &self.only), ("skip", &self.skip), ("reports", &self.reports)]
        {
            let shown = if v.is_empty() && key == "profiles" { "[] (all)".to_owned() } else { quoted(v) };
            out.push_str(&format!("{key} = {shown}  # {}\n", origin.word()));
        }
        out.push_str(&format!("strict = {}  # {}\n", self.strict.0, self.strict.1.word()));
        for d in &self.deviations {
            out.push_str(&format!("\n[[known_deviation]]\ncheck = {:?}\nreason = {:?}\n", d.check, d.reason));
        }
        out
    }
}

/// The credential with its secret parts replaced, for `config show`.
fn redacted(c: &Credential) -> String {
    match c {
        Credential::None => "none".to_owned(),
        Credential::Bearer(_) => "bearer [redacted]".to_owned(),
        Credential::Basic { user, .. } => format!("basic {user}:[redacted]"),
        Credential::Header { name, .. } => format!("{name}: [redacted]"),
        Credential::Fetched(source) => source.describe(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_key_is_an_error_naming_it() {
        let e = parse("urll = \"x\"").expect_err("unknown key");
        assert!(e.contains("urll"), "{e}");
        let e = parse("[auth]\nkind = \"bearer\"\ntoken_envv = \"X\"").expect_err("unknown auth key");
        assert!(e.contains("token_envv"), "{e}");
        let e = parse("[auth]\nkind = \"kerberos\"").expect_err("unknown kind");
        assert!(e.contains("kerberos"), "{e}");
    }

    #[test]
    fn a_deviation_covers_the_ids_it_prefixes_as_only_does() {
        let d = KnownDeviation { check: "rfc7644/3.5.2".into(), reason: "r".into() };
        assert!(d.covers("rfc7644/3.5.2/remove-value") && d.covers("rfc7644/3.5.2.3/group-members"));
        assert!(!d.covers("rfc7644/3.5") && !d.covers("rfc7643/3.5.2/x"));
    }

    #[test]
    fn a_secret_in_the_file_needs_the_explicit_switch() {
        let env = |_: &str| None;
        let config = |text: &str| Config { path: None, file: parse(text).expect("valid") };
        let inline = "[auth]\nkind = \"bearer\"\ntoken = \"in-file\"";
        assert!(config(inline).credential(&env).is_err());
        let allowed = config(&format!("allow_secrets_in_file = true\n{inline}"));
        let got = allowed.credential(&env).expect("allowed").expect("a credential");
        assert!(matches!(got.credential, Credential::Bearer(t) if t == "in-file"));
        assert!(config("[auth]\nkind = \"bearer\"\ntoken_env = \"UNSET_VAR\"").credential(&env).is_err());
    }
}
