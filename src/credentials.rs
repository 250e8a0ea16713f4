//! Where the credential of a run comes from, for every command that talks to a SCIM server (`test`, `replay`):
//! the flags (`--token`, `--basic`, `--header`), then the config file (`scimlab.toml`), then the `SCIM_TOKEN`
//! environment variable, first one found wins.
//!
//! Precedence is resolved here, in code, and never with clap's `env` plus `conflicts_with`: that pairing turned an
//! exported `SCIM_TOKEN` into a "cannot be used with --basic" error that never named the variable. Two flags that
//! both give the credential (`--token` with `--basic`, or with an `Authorization` `--header`) are still a usage
//! error, because the user wrote both.
//!
//! `--header` headers that are not the credential are the run's extra headers ([`Resolved::extra_headers`]):
//! the SCIM client sends them on every request and keeps their values out of everything it returns.

use crate::exit::{Failure, usage};
use clap::Args;
use scimlab_mock_idp::Credential;
use scimlab_mock_idp::client::{ClientOptions, RESERVED_HEADERS};

/// The environment variable a bearer token is read from when no flag and no config file gives a credential.
pub const TOKEN_ENV: &str = "SCIM_TOKEN";

/// `--token`, `--basic` and the repeatable `--header`.
#[derive(Debug, Args, Clone, Default)]
pub struct CredentialArgs {
    /// Bearer token. Without --token, --basic or --header, the token comes from the config file's [auth], else
    /// from the SCIM_TOKEN environment variable; a flag always wins. Never printed or stored.
    #[arg(long, value_name = "TOKEN", conflicts_with = "basic")]
    pub token: Option<String>,
    /// HTTP Basic credentials, USER:PASS (wins over SCIM_TOKEN and the config file).
    #[arg(long, value_name = "USER:PASS")]
    pub basic: Option<String>,
    /// A request header, 'Name: value', sent on every request; repeatable. An Authorization header is the
    /// credential (e.g. 'Authorization: SSWS abc') and wins over SCIM_TOKEN; a single header of another name with
    /// no --token or --basic is the credential too (e.g. 'X-API-Key: abc'). Beside a credential flag, any other
    /// header goes out as well (e.g. 'X-Tenant: acme'). Host, Content-Length and Transfer-Encoding are scimlab's.
    /// Values are never printed or stored.
    // Parsed in `resolve`, not by a clap value parser, whose errors would echo the value.
    #[arg(long = "header", value_name = "'K: V'")]
    pub headers: Vec<String>,
}

/// One `--header 'Name: value'`. Debug never shows the value: it is often a secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// The header name, as given.
    pub name: String,
    /// The value, without the blanks around it.
    pub value: String,
}

impl std::fmt::Debug for Header {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Header({}: [redacted])", self.name)
    }
}

impl Header {
    /// Whether this header carries the standard credential (RFC 7235 section 4.2: `Authorization`).
    pub fn is_authorization(&self) -> bool {
        self.name.eq_ignore_ascii_case("authorization")
    }
}

/// Parses `Name: value`. The name must be an HTTP token (RFC 9110 section 5.6.2: letters, digits and
/// ``!#$%&'*+-.^_`|~``), the value non-empty and on one line. Messages name the header, never its value.
pub fn parse_header(text: &str) -> Result<Header, String> {
    let Some((name, value)) = text.split_once(':') else {
        return Err("expected 'Name: value', e.g. 'Authorization: SSWS abc' (no ':' in the value given)".to_owned());
    };
    let name = name.trim();
    let tchar = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if name.is_empty() || !name.chars().all(tchar) {
        // Not echoed: a misplaced ':' can put part of a secret before it.
        return Err(
            "the text before ':' is not an HTTP field name (letters, digits and !#$%&'*+-.^_`|~ only)".to_owned()
        );
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(format!("the header {name} has an empty value"));
    }
    if value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
        return Err(format!("the value of the header {name} holds a line break or NUL"));
    }
    Ok(Header { name: name.to_owned(), value: value.to_owned() })
}

/// Where the credential of a run came from (for `config show` and messages; never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--basic`.
    Flag(&'static str),
    /// The config file, with the key or the variable it names.
    File(String),
    /// An environment variable.
    Env(String),
    /// No credential at all.
    Nothing,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "the {flag} flag"),
            Source::File(what) => write!(f, "the config file ({what})"),
            Source::Env(var) => write!(f, "the {var} environment variable"),
            Source::Nothing => f.write_str("none (no flag, config file or SCIM_TOKEN gave one)"),
        }
    }
}

/// A credential the config file gives (already read from the variables it names).
#[derive(Debug, Clone)]
pub struct FileCredential {
    /// The credential.
    pub credential: Credential,
    /// How `config show` names where it came from, e.g. `token_env = "ACME_TOKEN"`.
    pub from: String,
}

/// The credential of a run, where it came from, and the other headers to send.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// What the client sends.
    pub credential: Credential,
    /// Where it came from.
    pub source: Source,
    /// `--header` headers that are not the credential, in the order given: sent on every request.
    pub extra_headers: Vec<Header>,
}

impl Resolved {
    /// `options` with the extra headers added, for the client that sends this credential.
    pub fn apply(&self, options: ClientOptions) -> ClientOptions {
        let mut extra_headers = options.extra_headers;
        extra_headers.extend(self.extra_headers.iter().map(|h| (h.name.clone(), h.value.clone())));
        ClientOptions { extra_headers, ..options }
    }
}

impl CredentialArgs {
    /// The credential: a flag, else the config file's (`file`, called only when no flag gives one), else
    /// `$SCIM_TOKEN` (`env` reads variables, so tests can give their own), else none; and the `--header` headers
    /// that are not the credential. Several headers with no credential flag among them are refused: scimlab could
    /// not tell which one to leave out when a check sends a request without the credential.
    pub fn resolve(
        &self,
        file: &dyn Fn() -> Result<Option<FileCredential>, Failure>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Resolved, Failure> {
        let headers = self
            .headers
            .iter()
            .map(|h| parse_header(h).map_err(|e| usage(format!("--header: {e}"))))
            .collect::<Result<Vec<Header>, Failure>>()?;
        for (i, h) in headers.iter().enumerate() {
            if let Some(r) = RESERVED_HEADERS.iter().find(|r| r.eq_ignore_ascii_case(&h.name)) {
                return Err(usage(format!("--header {r}: scimlab sets {r} itself on every request; drop it")));
            }
            if headers[..i].iter().any(|o| o.name.eq_ignore_ascii_case(&h.name)) {
                return Err(usage(format!("--header {} is given twice; give each header once", h.name)));
            }
        }
        let authorization = headers.iter().position(Header::is_authorization);
        let (flag, credential_header) = match (&self.token, &self.basic, authorization) {
            (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
                return Err(usage(
                    "--header Authorization and --token / --basic both give the credential; give one of them",
                ));
            }
            (Some(t), _, None) => (Some((Credential::Bearer(t.clone()), "--token")), None),
            (None, Some(b), None) => (Some((basic(b)?, "--basic")), None),
            (None, None, Some(i)) => (Some((as_credential(&headers[i]), "--header")), Some(i)),
            (None, None, None) => match headers.as_slice() {
                [] => (None, None),
                [only] => (Some((as_credential(only), "--header")), Some(0)),
                several => {
                    let names: Vec<&str> = several.iter().map(|h| h.name.as_str()).collect();
                    return Err(usage(format!(
                        "--header {}: which one is the credential? Give it with --token, --basic or an \
                         Authorization --header, or give a credential header alone",
                        names.join(", ")
                    )));
                }
            },
        };
        let extra_headers: Vec<Header> =
            headers.into_iter().enumerate().filter(|(i, _)| Some(*i) != credential_header).map(|(_, h)| h).collect();
        if let Some((credential, flag)) = flag {
            return Ok(Resolved { credential, source: Source::Flag(flag), extra_headers });
        }
        // The file is read only now: a variable it names need not be set when a flag gives the credential.
        if let Some(f) = file()? {
            return Ok(Resolved { credential: f.credential, source: Source::File(f.from), extra_headers });
        }
        match env(TOKEN_ENV).filter(|t| !t.is_empty()) {
            Some(t) => Ok(Resolved {
                credential: Credential::Bearer(t),
                source: Source::Env(TOKEN_ENV.to_owned()),
                extra_headers,
            }),
            None => Ok(Resolved { credential: Credential::None, source: Source::Nothing, extra_headers }),
        }
    }
}

/// A `--header` that is the credential.
fn as_credential(h: &Header) -> Credential {
    Credential::Header { name: h.name.clone(), value: h.value.clone() }
}

/// `USER:PASS` as Basic credentials (RFC 7617: the user name holds no colon; the password may).
pub fn basic(text: &str) -> Result<Credential, Failure> {
    let (user, pass) =
        text.split_once(':').ok_or_else(|| usage("--basic takes USER:PASS (no ':' in the value given)"))?;
    if user.is_empty() {
        return Err(usage("--basic takes USER:PASS, and the user is empty"));
    }
    Ok(Credential::Basic { user: user.to_owned(), pass: pass.to_owned() })
}

/// The process environment, for [`CredentialArgs::resolve`].
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(token: Option<&str>, basic: Option<&str>, headers: &[&str]) -> CredentialArgs {
        CredentialArgs {
            token: token.map(str::to_owned),
            basic: basic.map(str::to_owned),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        }
    }

    fn exported(name: &str) -> Option<String> {
        (name == TOKEN_ENV).then(|| "from-env".to_owned())
    }

    fn source(a: &CredentialArgs, file: Option<FileCredential>) -> Source {
        a.resolve(&|| Ok(file.clone()), &exported).expect("resolves").source
    }

    fn no_file() -> Result<Option<FileCredential>, Failure> {
        Ok(None)
    }

    #[test]
    fn a_flag_wins_over_the_file_and_the_file_over_the_environment() {
        let file = || Some(FileCredential { credential: Credential::Bearer("f".into()), from: "token_env".into() });
        assert_eq!(source(&args(None, Some("u:p"), &[]), file()), Source::Flag("--basic"));
        assert_eq!(source(&args(Some("t"), None, &[]), file()), Source::Flag("--token"));
        assert_eq!(source(&args(None, None, &["Authorization: SSWS x"]), file()), Source::Flag("--header"));
        assert_eq!(source(&args(None, None, &[]), file()), Source::File("token_env".into()));
        assert_eq!(source(&args(None, None, &[]), None), Source::Env(TOKEN_ENV.into()));
        assert_eq!(args(None, None, &[]).resolve(&no_file, &|_| None).expect("none").source, Source::Nothing);
    }

    #[test]
    fn two_credential_flags_are_a_usage_error_but_the_environment_never_is() {
        assert!(args(Some("t"), None, &["Authorization: Bearer x"]).resolve(&no_file, &exported).is_err());
        assert!(args(None, None, &["Authorization: a", "authorization: b"]).resolve(&no_file, &exported).is_err());
        assert!(args(None, Some("nocolon"), &[]).resolve(&no_file, &exported).is_err());
    }

    fn extras(a: &CredentialArgs) -> Vec<String> {
        let r = a.resolve(&no_file, &exported).expect("resolves");
        r.extra_headers.iter().map(|h| format!("{}={}", h.name, h.value)).collect()
    }

    #[test]
    fn headers_beside_the_credential_are_sent_as_extra_headers() {
        let a = args(Some("t"), None, &["X-Tenant: acme", "X-Trace: on"]);
        assert_eq!(extras(&a), ["X-Tenant=acme", "X-Trace=on"]);
        let a = args(None, None, &["X-Tenant: acme", "Authorization: SSWS k"]);
        assert_eq!(extras(&a), ["X-Tenant=acme"]);
        let r = a.resolve(&no_file, &exported).expect("resolves");
        assert!(matches!(r.credential, Credential::Header { ref name, .. } if name == "Authorization"));
        // One header alone is the credential, as before; none beside it.
        assert!(extras(&args(None, None, &["X-API-Key: k"])).is_empty());
        let options = r.apply(ClientOptions::default());
        assert_eq!(options.extra_headers, [("X-Tenant".to_owned(), "acme".to_owned())]);
    }

    #[test]
    fn headers_scimlab_sets_or_cannot_place_are_usage_errors_without_their_values() {
        for (i, bad) in [
            args(Some("t"), None, &["Host: evil.example"]),
            args(Some("t"), None, &["content-length: 9999"]),
            args(Some("t"), None, &["X-A: secret-one", "x-a: secret-two"]),
            args(None, None, &["X-API-Key: secret-one", "X-Tenant: secret-two"]),
        ]
        .iter()
        .enumerate()
        {
            let Err(Failure::Usage(e)) = bad.resolve(&no_file, &exported) else { panic!("case {i} is refused") };
            let e = e.to_string();
            assert!(!e.contains("secret") && !e.contains("evil") && !e.contains("9999"), "{e}");
        }
    }

    #[test]
    fn header_values_stay_out_of_messages() {
        let e = parse_header("Authorization SSWS secret-value").expect_err("no colon");
        assert!(!e.contains("secret-value"), "{e}");
        let h = parse_header("X-Key:  secret-value ").expect("valid");
        assert_eq!((h.name.as_str(), h.value.as_str()), ("X-Key", "secret-value"));
        assert!(!format!("{h:?}").contains("secret-value"));
        assert!(parse_header("Bad Name: v").is_err());
        assert!(parse_header("X-Key:   ").is_err());
    }
}
