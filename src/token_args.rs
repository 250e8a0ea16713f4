//! Credentials that are obtained rather than given, for `test`, `replay` and `load`: Entra's JWT bearer signed
//! with a local key (`--entra-jwt`), and OAuth 2.0 client credentials (`--oauth-token-url`, as Ping offers).
//!
//! The OAuth client secret comes only from the [`CLIENT_SECRET_ENV`] environment variable: a flag's value would
//! land in shell history and in `ps`. Either source replaces `--token` / `--basic` / `--header` as the
//! credential (giving both is a usage error); an exported `SCIM_TOKEN` or a config file's `[auth]` is simply
//! not used then. The first token is obtained before the run starts, so a refused client secret is one clear
//! error (exit 3) naming the token endpoint's answer, never a cascade of failed checks.

use crate::exit::{Failure, usage};
use crate::tls_args::TlsArgs;
use anyhow::anyhow;
use clap::Args;
use scimlab_mock_idp::client::jwt::{DEFAULT_TENANT, EntraSigner};
use scimlab_mock_idp::{OAuthClient, TokenSource};
use std::path::PathBuf;
use std::time::Duration;

/// The environment variable the OAuth client secret is read from.
pub const CLIENT_SECRET_ENV: &str = "SCIM_OAUTH_CLIENT_SECRET";

/// `--entra-jwt`, `--entra-tenant`, `--write-jwks`, `--oauth-token-url`, `--oauth-client-id`, `--oauth-scope`.
#[derive(Debug, Args, Clone, Default)]
pub struct TokenArgs {
    /// Authenticate as Entra does when an app's secret-token field is left blank: a JWT bearer (RS256 for an
    /// RSA key, ES256 for an EC P-256 key) signed with this PEM private key (PKCS#8 or PKCS#1), with Entra's
    /// issuer https://sts.windows.net/TENANT/, audience 8adf8e6e-67b2-4cf2-a259-e3dc5476c621, a one-hour
    /// lifetime (renewed before it ends) and a kid that is the key's RFC 7638 thumbprint. Make a key with
    /// `openssl genrsa -out entra-test.pem 2048`; --write-jwks writes the JWKS the server needs.
    #[arg(long, value_name = "KEYFILE", conflicts_with = "oauth_token_url")]
    pub entra_jwt: Option<PathBuf>,
    /// The tenant (directory) GUID in the Entra JWT's issuer and tid claim.
    #[arg(long, value_name = "GUID", requires = "entra_jwt", default_value = DEFAULT_TENANT)]
    pub entra_tenant: String,
    /// Write the JWKS (the public key, with its kid) of the --entra-jwt key to FILE, for the server to verify
    /// the tokens with (`scimlab serve --jwks FILE`).
    #[arg(long, value_name = "FILE", requires = "entra_jwt")]
    pub write_jwks: Option<PathBuf>,
    /// Get bearer tokens with the OAuth 2.0 client-credentials grant from this token endpoint (https, or http
    /// on loopback only), authenticating with HTTP Basic as --oauth-client-id and the secret in the
    /// SCIM_OAUTH_CLIENT_SECRET environment variable. Tokens are renewed before expires_in runs out and once
    /// after a 401; neither the secret nor a token is ever printed or stored.
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub oauth_token_url: Option<String>,
    /// The OAuth client id.
    #[arg(long, value_name = "ID", requires = "oauth_token_url")]
    pub oauth_client_id: Option<String>,
    /// The scope to ask the token endpoint for.
    #[arg(long, value_name = "SCOPE", requires = "oauth_token_url")]
    pub oauth_scope: Option<String>,
}

impl TokenArgs {
    /// Whether a token source is asked for.
    pub fn given(&self) -> bool {
        self.entra_jwt.is_some() || self.oauth_token_url.is_some()
    }

    /// The flag that asked for it, for messages.
    pub fn flag(&self) -> &'static str {
        if self.entra_jwt.is_some() { "--entra-jwt" } else { "--oauth-token-url" }
    }

    /// A usage error when a token source is asked for without `--url` (`remote` false): the embedded mock SP has
    /// its own credential.
    pub fn need_url(&self, remote: bool) -> Result<(), Failure> {
        if !remote && self.given() {
            return Err(usage(format!("{} needs --url: the embedded mock SP has its own credential", self.flag())));
        }
        Ok(())
    }

    /// The token source the flags ask for (none without them); writes `--write-jwks`. The secret is read
    /// through `env`.
    pub fn source(
        &self,
        tls: &TlsArgs,
        timeout: Duration,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<TokenSource>, Failure> {
        if let Some(path) = &self.entra_jwt {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| usage(format!("--entra-jwt {}: cannot read the key: {e}", path.display())))?;
            let signer = EntraSigner::from_pem(&pem, &self.entra_tenant)
                .map_err(|e| usage(format!("--entra-jwt {}: {e}", path.display())))?;
            if let Some(out) = &self.write_jwks {
                std::fs::write(out, signer.jwks())
                    .map_err(|e| usage(format!("--write-jwks {}: cannot write: {e}", out.display())))?;
                eprintln!("wrote the JWKS of kid {} to {}", signer.kid(), out.display());
            }
            return Ok(Some(TokenSource::entra(signer)));
        }
        let Some(url) = &self.oauth_token_url else { return Ok(None) };
        let client_id = self.oauth_client_id.clone().unwrap_or_default();
        let client_secret = env(CLIENT_SECRET_ENV).filter(|s| !s.is_empty()).ok_or_else(|| {
            usage(format!(
                "--oauth-token-url: set the client secret in the {CLIENT_SECRET_ENV} environment variable (it is never \
                 taken as a flag, which would land in shell history)"
            ))
        })?;
        let client = OAuthClient {
            token_url: url.clone(),
            client_id,
            client_secret,
            scope: self.oauth_scope.clone(),
            insecure: tls.insecure,
            ca_cert: tls.ca_cert.clone(),
            timeout,
        };
        TokenSource::oauth(client).map(Some).map_err(|e| usage(e.to_string()))
    }
}

/// Gets the first token before the run, so a refused client (`invalid_client`) stops it with one clear error.
pub async fn first_token(source: &TokenSource) -> Result<(), Failure> {
    source.token().await.map(drop).map_err(|e| Failure::Internal(anyhow!("cannot authenticate: {e}")))
}

/// A credential flag given beside a token source is a usage error; the environment and the config file are
/// quietly overruled.
pub fn check_no_other_flag(source: &crate::credentials::Source, flag: &str) -> Result<(), Failure> {
    match source {
        crate::credentials::Source::Flag(other) => {
            Err(usage(format!("{flag} and {other} both give the credential; give one of them")))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>) -> TokenArgs {
        TokenArgs {
            oauth_token_url: url.map(str::to_owned),
            oauth_client_id: Some("ping".into()),
            entra_tenant: DEFAULT_TENANT.into(),
            ..TokenArgs::default()
        }
    }

    fn tls() -> TlsArgs {
        TlsArgs { ca_cert: None, insecure: false }
    }

    fn err(r: Result<Option<TokenSource>, Failure>) -> String {
        match r {
            Err(Failure::Usage(e)) => e.to_string(),
            other => panic!("a usage error, got {other:?}"),
        }
    }

    #[test]
    fn the_secret_comes_from_the_environment_only_and_never_shows() {
        let a = args(Some("https://idp.example.com/token"));
        let e = err(a.source(&tls(), Duration::from_secs(5), &|_| None));
        assert!(e.contains(CLIENT_SECRET_ENV), "{e}");
        let env = |n: &str| (n == CLIENT_SECRET_ENV).then(|| "env-secret-77".to_owned());
        let s = a.source(&tls(), Duration::from_secs(5), &env).expect("source").expect("some");
        assert!(!format!("{s:?} {}", s.describe()).contains("env-secret-77"));
        let e = err(args(Some("http://idp.example.com/token")).source(&tls(), Duration::from_secs(5), &env));
        assert!(e.contains("must be https"), "{e}");
        assert!(args(None).source(&tls(), Duration::from_secs(5), &env).expect("none").is_none());
    }

    #[test]
    fn a_credential_flag_beside_a_token_source_is_a_usage_error() {
        use crate::credentials::Source;
        assert!(check_no_other_flag(&Source::Flag("--token"), "--oauth-token-url").is_err());
        assert!(check_no_other_flag(&Source::Env("SCIM_TOKEN".into()), "--oauth-token-url").is_ok());
        assert!(check_no_other_flag(&Source::Nothing, "--entra-jwt").is_ok());
    }

    #[test]
    fn the_client_and_the_server_agree_on_entras_audience() {
        // Two crates that never import each other each hold it; this binary sees both.
        assert_eq!(scimlab_mock_idp::client::jwt::ENTRA_AUDIENCE, scimlab_mock_sp::jwt::ENTRA_AUDIENCE);
    }

    #[test]
    fn a_bad_key_file_is_a_usage_error_naming_it() {
        let a = TokenArgs { entra_jwt: Some("/nonexistent/key.pem".into()), ..args(None) };
        assert!(err(a.source(&tls(), Duration::from_secs(5), &|_| None)).contains("/nonexistent/key.pem"));
    }
}
