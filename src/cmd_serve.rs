//! `scimlab serve`: run the mock service provider on a socket until Ctrl-C.

use crate::exit::{Failure, Outcome};
use anyhow::{Context, anyhow};
use clap::Args;
use scimlab_mock_sp::store::{MemoryStore, Store};
use scimlab_mock_sp::{AppState, Auth, ServerConfig};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Options of `scimlab serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Bearer token clients must send. Without --token, --basic or --no-auth, the SCIM_TOKEN environment
    /// variable's token (a flag always wins over it), else a random token, generated and
    /// printed once at start.
    #[arg(long, value_name = "TOKEN", conflicts_with_all = ["basic", "no_auth"])]
    token: Option<String>,
    /// HTTP Basic credentials clients must send, as USER:PASS.
    #[arg(long, value_name = "USER:PASS", conflicts_with = "no_auth")]
    basic: Option<String>,
    /// Accept requests without credentials.
    #[arg(long)]
    no_auth: bool,
    /// Accept bearer JWTs from this issuer (`iss`), as Entra sends them when the secret-token field is blank:
    /// e.g. https://sts.windows.net/TENANT/. Needs --jwks. A refused token gets 401 with
    /// `WWW-Authenticate: Bearer error="invalid_token"` and a description of why (expired, wrong issuer, ...).
    #[arg(long, value_name = "ISS", requires = "jwks", conflicts_with = "no_auth")]
    jwt_issuer: Option<String>,
    /// The audience (`aud`) JWTs must carry; default: the one Entra uses for custom SCIM apps.
    #[arg(long, value_name = "AUD", requires = "jwt_issuer", default_value = scimlab_mock_sp::jwt::ENTRA_AUDIENCE)]
    jwt_audience: String,
    /// The keys that verify JWTs: a JWKS file ({"keys": [...]}, each key with a kid; RS256 or ES256), or a PEM
    /// private key whose public half is used (`scimlab replay --entra-jwt KEY --write-jwks FILE` writes the
    /// JWKS of a key).
    #[arg(long, value_name = "FILE", requires = "jwt_issuer")]
    jwks: Option<PathBuf>,
    /// Host an OAuth 2.0 token endpoint (client-credentials grant) at /oauth/token, and accept its access tokens
    /// on the SCIM endpoints. The client authenticates with --oauth-client-id and the secret in
    /// SCIM_OAUTH_CLIENT_SECRET; without that variable a secret is generated and printed once at start.
    #[arg(long, conflicts_with = "no_auth")]
    oauth: bool,
    /// The client id the token endpoint knows.
    #[arg(long, value_name = "ID", requires = "oauth", default_value = "scimlab")]
    oauth_client_id: String,
    /// Seconds an access token lives (its expires_in); 0 issues tokens that are already expired.
    #[arg(long, value_name = "SECS", requires = "oauth", default_value_t = 3600)]
    oauth_token_ttl: u64,
    /// For testing clients' token renewal: each access token authenticates at most N SCIM requests, then it is
    /// refused as expired (401 invalid_token), as a revoked or expired token is. Requests in flight share one
    /// token, so a client sending many at once can use up a renewed token before its retry: test sequentially.
    #[arg(long, value_name = "N", requires = "oauth", value_parser = clap::value_parser!(u32).range(1..))]
    oauth_token_uses: Option<u32>,
    /// Keep resources and recordings in this SQLite file (created if missing), so they survive restarts.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Where the RFC allows a choice, choose at random, so clients cannot overfit to one server: PATCH answers 200
    /// with the resource or 204 without a body (when no attributes were asked for); new ids are UUIDs or plain
    /// numbers; pages hold anywhere from 1 to count resources (clients must page by itemsPerPage); ETags and
    /// meta.version are weak (W/"..") or strong (".."), fixed per resource version.
    #[arg(long)]
    vary: bool,
    /// Inject a fault; repeatable. latency=200ms (or 50ms..300ms), 429=10%[:retry-after=S], 500=1% (any 5xx),
    /// drop=1%, or a named deviation such as patch-noop. `--fault list` lists every one and exits.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,
    /// Seed the random draws of --fault and --vary, so a client sending the same requests in the same order
    /// meets the same faults and choices. Without it a random seed is used and printed.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Refuse what real IdPs send beyond the RFC (capitalised ops, "False" strings, dotted keys, ...) instead of
    /// accepting it and recording the deviation.
    #[arg(long)]
    strict: bool,
    /// Largest request body accepted, in bytes (413 beyond; published as bulk.maxPayloadSize).
    #[arg(long, default_value_t = 1024 * 1024, value_name = "BYTES")]
    max_payload: usize,
    /// Most operations in one /Bulk request (published as bulk.maxOperations).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_bulk_operations: usize,
    /// Most resources in one page (published as filter.maxResults).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    max_results: usize,
    /// Tokio worker threads serving requests (1 = one server core); default: one per core.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    workers: Option<u16>,
    /// The SCIM base URL clients are told in meta.location, Location headers and $refs (default: the listen
    /// address, http://ADDR/scim/v2). The request's Host header is never used for them.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Most operations in one PATCH request (413 beyond). The ServiceProviderConfig has no field for it.
    #[arg(long, default_value_t = scimlab_mock_sp::config::DEFAULT_MAX_PATCH_OPERATIONS, value_name = "N")]
    max_patch_operations: usize,
    /// Most work one PATCH may cost, in element visits: each operation counts the elements of the multi-valued
    /// attribute it targets (plus those earlier operations may add) times what it brings (given elements and
    /// filter terms). 400 tooMany beyond, before anything is applied. A million is a few tens of milliseconds.
    #[arg(long, default_value_t = scimlab_mock_sp::config::DEFAULT_MAX_PATCH_WORK, value_name = "N")]
    max_patch_work: u64,
    /// Seconds a client has to send a request's complete head (request line and headers), counted from when
    /// the server starts waiting for it: so a slowloris client is cut off, and a kept-alive connection with no
    /// new request for this long is closed.
    #[arg(long, default_value_t = scimlab_mock_sp::config::DEFAULT_HEADER_READ_TIMEOUT.as_secs(), value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,
    /// Seconds a connection may move no byte in either direction (a stalled body, a client that stops reading
    /// its response) before it is closed. Keep it above the longest --fault latency.
    #[arg(long, default_value_t = scimlab_mock_sp::config::DEFAULT_IDLE_TIMEOUT.as_secs(), value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..))]
    idle_timeout: u64,
    /// Do not record exchanges. Recording is on by default and `scimlab recordings` reads it; without --data the
    /// newest 100,000 exchanges are kept, and at most 256 MiB of them (a /Bulk of 100 users weighs about 50 kB).
    #[arg(long)]
    no_record: bool,
    /// Append every change to a resource to FILE as it happens, one JSON line per change (the audit trail that
    /// `scimlab recordings audit` shows: client, request, RFC 6902 patch): the feed a SIEM reads. Credentials
    /// appear only as labels ("bearer token", "basic user NAME"), passwords only as "[redacted]".
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Serve https with this PEM certificate chain (leaf first); needs --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key", conflicts_with = "tls_self_signed")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key (PKCS#8, RSA or EC) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Serve https with a certificate generated at start for localhost, 127.0.0.1, ::1, the host of --addr and
    /// the host of --public-url. Its SHA-256 fingerprint is printed, and its PEM written (see --tls-cert-out) so
    /// a client can trust it: `scimlab test --url https://127.0.0.1:8443/scim/v2 --ca-cert PEM`.
    #[arg(long)]
    tls_self_signed: bool,
    /// Where --tls-self-signed writes its certificate (PEM; the key is never written). Default: beside the
    /// --data file as FILE.cert.pem, else scimlab-serve-PORT.cert.pem in the temporary directory.
    #[arg(long, value_name = "FILE", requires = "tls_self_signed")]
    tls_cert_out: Option<PathBuf>,
}

/// Runs `scimlab serve`.
pub fn run(args: ServeArgs) -> Result<Outcome, Failure> {
    if args.faults.iter().any(|f| f.trim() == "list") {
        crate::exit::print(&fault_list())?;
        return Ok(Outcome::Success);
    }
    let faults = scimlab_mock_sp::faults::parse_faults(&args.faults).map_err(|e| Failure::Usage(e.into()))?;
    let (auth, mut announce) = auth_of(&args, &crate::credentials::process_env)?;
    let jwt = jwt_of(&args)?;
    if let Some(j) = &jwt {
        announce.push_str(&format!(
            "\nauthentication: bearer JWTs from issuer {} for audience {}",
            j.issuer(),
            j.audience()
        ));
    }
    let oauth = oauth_of(&args, &crate::credentials::process_env)?;
    if let Some((_, line)) = &oauth {
        announce.push('\n');
        announce.push_str(line);
    }
    let mut config = ServerConfig {
        auth,
        jwt,
        oauth: oauth.map(|(o, _)| o),
        vary: args.vary,
        max_payload_bytes: args.max_payload,
        max_bulk_operations: args.max_bulk_operations,
        max_results: args.max_results,
        faults,
        seed: args.seed,
        record: !args.no_record,
        max_patch_operations: args.max_patch_operations,
        max_patch_work: args.max_patch_work,
        header_read_timeout: std::time::Duration::from_secs(args.header_timeout),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout),
        ..ServerConfig::default()
    };
    if args.strict {
        config.patch = scimlab_protocol::patch::PatchOptions::strict();
    }
    let store: Arc<dyn Store> = match &args.data {
        None => Arc::new(MemoryStore::default()),
        Some(path) => Arc::new(
            scimlab_mock_sp::store::SqliteStore::open(path)
                .map_err(|e| Failure::Usage(anyhow!("cannot open data file {}: {}", path.display(), e.detail)))?,
        ),
    };
    let base_path = config.base_path.clone();
    let mut notes = Vec::new();
    let mut audit_note = None;
    if let Some(path) = &args.audit_log {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Failure::Usage(anyhow!("cannot open audit log {} for appending: {e}", path.display())))?;
        let (tap, _writer) = scimlab_mock_sp::audit::stream_to(Box::new(file), path.display().to_string());
        if store.set_audit_tap(tap).is_err() {
            return Err(Failure::Internal(anyhow!("the store already streams its audit trail elsewhere")));
        }
        audit_note = Some(format!("audit log: {}", path.display()));
    }
    if !config.faults.is_empty() {
        let specs: Vec<String> = config.faults.iter().map(ToString::to_string).collect();
        notes.push(format!("faults: {}", specs.join(", ")));
    }
    if let Some(url) = &args.public_url {
        check_public_url(url)?;
    }
    let files_identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let identity = scimlab_mock_sp::tls::from_pem_files(cert, key).map_err(|e| Failure::Usage(e.into()))?;
            notes.push(format!("TLS certificate: {} (SHA-256 fingerprint {})", cert.display(), identity.fingerprint()));
            Some(identity)
        }
        _ => None,
    };
    let draws = !config.faults.is_empty() || args.vary;
    let https = files_identity.is_some() || args.tls_self_signed;
    let scheme = if https { "https" } else { "http" };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.workers {
        builder.worker_threads(usize::from(n));
    }
    let rt = builder.enable_all().build().context("cannot start the async runtime").map_err(Failure::Internal)?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| Failure::Usage(anyhow!("cannot listen on {}: {e}", args.addr)))?;
        let local = listener.local_addr().map_err(|e| Failure::Internal(e.into()))?;
        let identity = match files_identity {
            Some(identity) => Some(identity),
            None if args.tls_self_signed => Some(self_signed(&args, local, &mut notes)?),
            None => None,
        };
        let public = args.public_url.clone().unwrap_or_else(|| format!("{scheme}://{local}{base_path}"));
        config.public_url = Some(public.trim_end_matches('/').to_owned());
        let state = AppState::new(store, config);
        if draws {
            notes.push(format!("random draws: seed {} (--seed replays them)", state.shared().dice.seed()));
        }
        if args.public_url.is_some() {
            notes.push(format!("public URL: {public}"));
        }
        notes.extend(audit_note);
        let app = scimlab_mock_sp::router(state.clone());
        // The banner goes out before the address line, in one write, and a closed stdout (a parent that read the
        // address and went away) must not stop the server: print errors are ignored.
        let mut banner = format!("{announce}\n");
        for note in &notes {
            banner.push_str(note);
            banner.push('\n');
        }
        if state.shared().config.oauth.is_some() {
            let origin = public.split('/').take(3).collect::<Vec<_>>().join("/");
            banner.push_str(&format!("oauth token endpoint: {origin}{}\n", scimlab_mock_sp::oauth::TOKEN_PATH));
        }
        banner.push_str(&format!("scimlab mock SP listening on {scheme}://{local}{base_path}\n"));
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        drop(out);
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        let served = match &identity {
            Some(identity) => scimlab_mock_sp::serve::serve_tls(listener, &state, app, identity, shutdown).await,
            None => scimlab_mock_sp::serve::serve(listener, &state, app, shutdown).await,
        };
        served.map_err(|e| Failure::Internal(anyhow!("server failed: {e}")))
    })?;
    Ok(Outcome::Success)
}

/// `--tls-self-signed`: generates the certificate for the hosts a client may reach the server by, writes its
/// PEM where `--tls-cert-out` (or the default) says, and notes the fingerprint and the file for the banner.
fn self_signed(
    args: &ServeArgs,
    local: SocketAddr,
    notes: &mut Vec<String>,
) -> Result<scimlab_mock_sp::tls::TlsIdentity, Failure> {
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    if !local.ip().is_unspecified() {
        hosts.push(local.ip().to_string());
    }
    if let Some(host) = args.public_url.as_deref().and_then(|u| url::Url::parse(u).ok()?.host_str().map(str::to_owned))
    {
        // An IPv6 host comes bracketed from the URL; the certificate names the address.
        hosts.push(host.trim_start_matches('[').trim_end_matches(']').to_owned());
    }
    let mut seen = std::collections::BTreeSet::new();
    hosts.retain(|h| seen.insert(h.to_ascii_lowercase()));
    let (identity, pem) = scimlab_mock_sp::tls::self_signed(&hosts).map_err(|e| Failure::Usage(e.into()))?;
    let out = match (&args.tls_cert_out, &args.data) {
        (Some(path), _) => path.clone(),
        (None, Some(data)) => {
            let mut name = data.file_name().unwrap_or_default().to_os_string();
            name.push(".cert.pem");
            data.with_file_name(name)
        }
        (None, None) => std::env::temp_dir().join(format!("scimlab-serve-{}.cert.pem", local.port())),
    };
    std::fs::write(&out, pem.as_bytes())
        .map_err(|e| Failure::Usage(anyhow!("cannot write the self-signed certificate to {}: {e}", out.display())))?;
    notes.push(format!(
        "TLS certificate: self-signed for {} (SHA-256 fingerprint {})",
        hosts.join(", "),
        identity.fingerprint()
    ));
    notes.push(format!("TLS certificate PEM: {} (clients trust it with --ca-cert {0})", out.display()));
    Ok(identity)
}

/// What clients must send: the flags (which clap keeps apart), else the `SCIM_TOKEN` environment variable, else
/// a generated token. An exported `SCIM_TOKEN` never conflicts with `--basic` or `--no-auth`: the flag wins.
fn auth_of(args: &ServeArgs, env: &dyn Fn(&str) -> Option<String>) -> Result<(Auth, String), Failure> {
    use crate::credentials::TOKEN_ENV;
    if args.no_auth {
        return Ok((Auth::None, "authentication: none (--no-auth)".to_owned()));
    }
    if let Some(t) = &args.token {
        return Ok((Auth::Bearer(t.clone()), "authentication: bearer token (as given)".to_owned()));
    }
    if let Some(b) = &args.basic {
        let (user, pass) = b
            .split_once(':')
            .ok_or_else(|| Failure::Usage(anyhow!("--basic takes USER:PASS, got no ':' in the value")))?;
        return Ok((
            Auth::Basic { user: user.into(), pass: pass.into() },
            format!("authentication: basic, user {user:?}"),
        ));
    }
    if args.jwt_issuer.is_some() || args.oauth {
        // JWTs or the token endpoint's tokens are the credential; a static token only when a flag gives one.
        return Ok((Auth::None, "authentication: no static credential (--jwt-issuer / --oauth)".to_owned()));
    }
    if let Some(t) = env(TOKEN_ENV).filter(|t| !t.is_empty()) {
        return Ok((Auth::Bearer(t), format!("authentication: bearer token (from {TOKEN_ENV})")));
    }
    let token = uuid_token();
    let line = format!("authentication: bearer token {token} (generated; pass --token to choose one)");
    Ok((Auth::Bearer(token), line))
}

/// The JWT validator of `--jwt-issuer`, `--jwt-audience` and `--jwks` (a JWKS, or a PEM private key whose JWKS
/// is derived here).
fn jwt_of(args: &ServeArgs) -> Result<Option<Arc<scimlab_mock_sp::jwt::JwtValidator>>, Failure> {
    let (Some(issuer), Some(path)) = (&args.jwt_issuer, &args.jwks) else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(anyhow!("--jwks {}: cannot read it: {e}", path.display())))?;
    let jwks = if text.trim_start().starts_with("-----BEGIN") {
        // Only the public half is kept; the tenant does not matter to the key set.
        let signer =
            scimlab_mock_idp::client::jwt::EntraSigner::from_pem(&text, scimlab_mock_idp::client::jwt::DEFAULT_TENANT)
                .map_err(|e| Failure::Usage(anyhow!("--jwks {}: {e}", path.display())))?;
        signer.jwks()
    } else {
        text
    };
    let v = scimlab_mock_sp::jwt::JwtValidator::new(issuer, &args.jwt_audience, &jwks)
        .map_err(|e| Failure::Usage(anyhow!("--jwks {}: {e}", path.display())))?;
    Ok(Some(Arc::new(v)))
}

/// The token endpoint of `--oauth`, and the banner line about it: the client id, and the secret only when it
/// was generated (the client cannot learn it otherwise; it is printed once and kept nowhere).
fn oauth_of(
    args: &ServeArgs,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(Arc<scimlab_mock_sp::oauth::OAuthIssuer>, String)>, Failure> {
    use crate::token_args::CLIENT_SECRET_ENV;
    if !args.oauth {
        return Ok(None);
    }
    if args.oauth_client_id.is_empty() || args.oauth_client_id.contains(':') {
        return Err(Failure::Usage(anyhow!("--oauth-client-id must be non-empty and hold no ':'")));
    }
    let (secret, line) = match env(CLIENT_SECRET_ENV).filter(|s| !s.is_empty()) {
        Some(s) => (
            s,
            format!(
                "authentication: OAuth client credentials, client id {} (secret from {CLIENT_SECRET_ENV})",
                args.oauth_client_id
            ),
        ),
        None => {
            let s = uuid_token();
            let line = format!(
                "authentication: OAuth client credentials, client id {}, client secret {s} (generated; set \
                 {CLIENT_SECRET_ENV} to choose one)",
                args.oauth_client_id
            );
            (s, line)
        }
    };
    let ttl = std::time::Duration::from_secs(args.oauth_token_ttl);
    let issuer =
        scimlab_mock_sp::oauth::OAuthIssuer::new(args.oauth_client_id.clone(), secret, ttl, args.oauth_token_uses);
    Ok(Some((Arc::new(issuer), line)))
}

/// `--public-url` must be an absolute http(s) URL without a query or fragment: it is the prefix of every
/// location the server hands out.
fn check_public_url(url: &str) -> Result<(), Failure> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    let host = rest.map(|r| r.split('/').next().unwrap_or(""));
    match (rest, host) {
        (Some(_), Some(h)) if !h.is_empty() && !url.contains(['?', '#', ' ']) => Ok(()),
        _ => Err(Failure::Usage(anyhow!(
            "--public-url takes an absolute http or https URL such as https://scim.example.com/scim/v2, got {url:?}"
        ))),
    }
}

/// `--fault list`: every fault and deviation with its one-line description.
fn fault_list() -> String {
    use scimlab_mock_sp::faults::{Deviation, TRANSPORT_FAULTS};
    let width = TRANSPORT_FAULTS.iter().map(|(s, _)| s.len()).chain(Deviation::all().map(|d| d.name().len()));
    let width = width.max().unwrap_or(0);
    let mut out = String::from("transport faults (shares add up to 100% at most):\n");
    for (spec, what) in TRANSPORT_FAULTS {
        out.push_str(&format!("  {spec:width$}  {what}\n"));
    }
    out.push_str("deviations (each breaks one rule on purpose):\n");
    for d in Deviation::all() {
        out.push_str(&format!("  {:width$}  {}\n", d.name(), d.description()));
    }
    out
}

fn uuid_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn auth(args: &[&str], env: Option<&str>) -> String {
        let cli = <Cli as clap::Parser>::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .expect("valid flags");
        let env = |name: &str| (name == "SCIM_TOKEN").then(|| env.map(str::to_owned)).flatten();
        match auth_of(&cli.serve, &env) {
            Ok((_, line)) => line,
            Err(e) => format!("{e:?}"),
        }
    }

    /// Regression: an exported SCIM_TOKEN made `serve --no-auth` and `serve --basic` flag conflicts.
    #[test]
    fn a_flag_wins_over_scim_token_and_scim_token_over_the_generated_token() {
        assert_eq!(auth(&["--no-auth"], Some("t")), "authentication: none (--no-auth)");
        assert_eq!(auth(&["--basic", "u:p"], Some("t")), "authentication: basic, user \"u\"");
        assert_eq!(auth(&["--token", "x"], Some("t")), "authentication: bearer token (as given)");
        assert_eq!(auth(&[], Some("t")), "authentication: bearer token (from SCIM_TOKEN)");
        assert!(auth(&[], None).contains("(generated"));
    }

    #[test]
    fn jwts_or_oauth_replace_the_generated_and_the_exported_token() {
        assert!(auth(&["--oauth"], Some("t")).contains("no static credential"));
        assert!(auth(&["--jwt-issuer", "https://i/", "--jwks", "f"], None).contains("no static credential"));
        assert_eq!(auth(&["--oauth", "--token", "x"], None), "authentication: bearer token (as given)");
    }

    #[test]
    fn the_help_states_the_recording_limits() {
        use scimlab_mock_sp::store::{DEFAULT_RECORDING_BYTES, DEFAULT_RECORDING_CAPACITY};
        // `--no-record`'s help writes these numbers out; change it with them.
        assert_eq!((DEFAULT_RECORDING_CAPACITY, DEFAULT_RECORDING_BYTES >> 20), (100_000, 256));
    }
}
