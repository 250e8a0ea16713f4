//! The examples that end every command's `--help` (and its man page), by command path. `scimlab test` keeps its
//! own, longer text beside its flags ([`crate::cmd_test`]); every other command's is here, so commands whose
//! flags live in other modules get theirs too. A test walks the whole command tree: a new command without
//! examples fails it.

/// `(command path, examples)`; the path is the subcommand names below `scimlab`.
const EXAMPLES: &[(&[&str], &str)] = &[
    (
        &[],
        "\
  scimlab test
      certify the built-in mock SP: the whole suite, RFC checks and every IdP profile
  scimlab test --url https://app.example.com/scim/v2
      certify your server, the bearer token taken from $SCIM_TOKEN
  scimlab replay hire offboarding --as okta --url URL
      replay what Okta sends when it hires and offboards someone
  scimlab serve --no-auth
      a SCIM server on 127.0.0.1:8080 that records what clients send
  scimlab completions bash > ~/.local/share/bash-completion/completions/scimlab
      tab completion for bash (zsh, fish, elvish, powershell)",
    ),
    (
        &["checks"],
        "\
  scimlab checks list --profile okta
      the checks the Okta profile runs
  scimlab checks explain rfc7644/3.4.2.2/eq-exact-match
      what one check requires and sends",
    ),
    (
        &["checks", "list"],
        "\
  scimlab checks list
      every check: id, level, tags
  scimlab checks list --profile entra --only patch
      Entra's PATCH checks",
    ),
    (
        &["checks", "explain"],
        "\
  scimlab checks explain rfc7644/3.4.2.2/eq-exact-match
      requirement, RFC section, level, what it sends and which fault proves it can fail",
    ),
    (
        &["filter"],
        "\
  scimlab filter parse 'emails[type eq \"work\"].value co \"@example.com\"'
      scimlab's reading of a filter
  scimlab filter eval 'active eq true' --resources users.json
      the ids a filter matches",
    ),
    (
        &["filter", "parse"],
        "\
  scimlab filter parse 'userName eq \"bjensen\" and not (active eq false)'
      the canonical form, or the position of the error (exit 1)",
    ),
    (
        &["filter", "eval"],
        "\
  scimlab filter eval 'name.familyName sw \"J\"' --resources users.json
      the id of every User in users.json the filter matches
  scimlab filter eval 'displayName eq \"Sales\"' --resources groups.json --resource-type Group
      the same for Groups",
    ),
    (
        &["patch"],
        "\
  scimlab patch apply --resource user.json --request patch.json
      the resource after the PATCH, or the SCIM error (exit 1)",
    ),
    (
        &["patch", "apply"],
        "\
  scimlab patch apply --resource user.json --request patch.json
      apply strictly, as RFC 7644 section 3.5.2 reads
  scimlab patch apply --resource user.json --request entra-patch.json --lenient
      accept what Entra ID really sends, naming each leniency used",
    ),
    (
        &["serve"],
        "\
  scimlab serve
      a server on 127.0.0.1:8080 with a generated token (printed once)
  scimlab serve --no-auth --data scim.sqlite
      no authentication; resources and recordings kept in a file
  scimlab serve --token T --fault 429=10% --fault patch-noop --vary
      throttle a tenth of requests, ignore PATCH, vary every RFC choice
  scimlab serve --data scim.sqlite --audit-log audit.jsonl
      every change to a resource appended to audit.jsonl as it happens
  scimlab serve --addr 127.0.0.1:8443 --tls-self-signed --tls-cert-out sp.pem
      https with a generated certificate; clients trust it with --ca-cert sp.pem
  scimlab serve --addr 0.0.0.0:8443 --tls-cert chain.pem --tls-key key.pem
      https with your own certificate
  scimlab serve --jwt-issuer https://sts.windows.net/TENANT/ --jwks jwks.json
      accept Entra's JWT bearer tokens, verified with the keys of jwks.json
  SCIM_OAUTH_CLIENT_SECRET=S scimlab serve --oauth --oauth-client-id ping
      an OAuth client-credentials token endpoint at /oauth/token; its tokens open the SCIM API",
    ),
    (
        &["recordings"],
        "\
  scimlab recordings --server http://127.0.0.1:8080 list
      what clients sent to a running `scimlab serve`
  scimlab recordings --data scim.sqlite verify --report junit=client.xml
      judge what an IdP sent against the RFCs, as JUnit",
    ),
    (
        &["recordings", "list"],
        "\
  scimlab recordings --data scim.sqlite list
      one line per exchange",
    ),
    (
        &["recordings", "show"],
        "\
  scimlab recordings --data scim.sqlite show 42
      exchange 42 in full, with a curl command that replays it",
    ),
    (
        &["recordings", "export"],
        "\
  scimlab recordings --data scim.sqlite export --format har --output idp.har
      every exchange as an HTTP Archive for a browser's developer tools
  scimlab recordings --server http://127.0.0.1:8080 export --format jsonl
      one JSON exchange per line on standard output",
    ),
    (
        &["recordings", "verify"],
        "\
  scimlab recordings --data scim.sqlite verify
      a verdict per finding, exit 1 if a MUST check found something
  scimlab recordings --data scim.sqlite verify --report json=verify.json
      the same, saved as a JSON run report",
    ),
    (
        &["recordings", "audit"],
        "\
  scimlab recordings --data scim.sqlite audit --user-name ada.lovelace
      what each request changed in ada.lovelace's account, as a timeline
  scimlab recordings --server http://127.0.0.1:8080 audit --since 10m --format jsonl
      the last ten minutes of changes, one JSON entry per line",
    ),
    (
        &["load"],
        "\
  scimlab load --url http://127.0.0.1:8080/scim/v2 --scenario bulk-merge --users 100000
      import a hundred thousand users, with latency percentiles
  scimlab load --url URL --scenario mixed --rate 200/s --duration 60s
      an open-model mixed run at 200 tasks a second
  scimlab load --url URL --scenario read --shard 1/4 --report json=shard1.json
      one of four shards; join them with `scimlab report merge`
  scimlab load --url URL --scenario mixed --oauth-token-url https://idp/token --oauth-client-id ID
      bearer tokens by OAuth client credentials (secret in $SCIM_OAUTH_CLIENT_SECRET), renewed during the run",
    ),
    (
        &["replay"],
        "\
  scimlab replay --list
      the shipped scenarios and the personas
  scimlab replay hire offboarding --as okta
      Okta's hire and offboarding against the built-in mock SP
  scimlab replay hire --as entra --url https://app.example.com/scim/v2 --report junit=replay.xml
      Entra's hire against your server ($SCIM_TOKEN), as JUnit
  scimlab replay hire --as entra --url URL --entra-jwt key.pem --write-jwks jwks.json
      Entra's JWT bearer (the secret-token field left blank), signed with key.pem; jwks.json for your server",
    ),
    (
        &["report"],
        "\
  scimlab report render run.json --format html -o run.html
      one HTML page from a JSON run report
  scimlab report diff last-release.json run.json
      what regressed (exit 1 if anything did)",
    ),
    (
        &["report", "render"],
        "\
  scimlab report render run.json
      the report as the terminal shows it
  scimlab report render run.json --format markdown -o summary.md
      Markdown for a CI step summary
  scimlab report render run.json --reproduce rfc7644/3.3/create-201 > repro.sh
      a shell script that sends that check's requests again, in order
  scimlab report render run.json --format html --template page.html -o run.html
      HTML from your own template (start from `scimlab report template`)",
    ),
    (
        &["report", "template"],
        "\
  scimlab report template > page.html
      the built-in HTML page's template, to edit
  scimlab report render run.json --format html --template page.html -o run.html
      render a report with it",
    ),
    (
        &["report", "diff"],
        "\
  scimlab report diff base.json new.json
      regressions, new and missing checks; exit 1 on a regression",
    ),
    (
        &["report", "merge"],
        "\
  scimlab report merge shard1.json shard2.json -o run.json
      one report from the shards of one run",
    ),
    (
        &["completions"],
        "\
  scimlab completions bash > ~/.local/share/bash-completion/completions/scimlab
  scimlab completions zsh > ~/.zfunc/_scimlab
  scimlab completions fish > ~/.config/fish/completions/scimlab.fish",
    ),
    (
        &["man"],
        "\
  scimlab man | man -l -
      read the main page now
  scimlab man --dir ~/.local/share/man/man1
      install a page per command (man scimlab-test)",
    ),
    (
        &["config"],
        "\
  scimlab config show
      the settings a run would use here, secrets redacted
  scimlab --config ci/scimlab.toml config show
      the same for another file",
    ),
    (
        &["config", "show"],
        "\
  scimlab config show
      url, credential source, profiles, selections, known deviations and reports, merged and redacted
  scimlab --config ci/scimlab.toml config show --url https://staging.example.com/scim/v2
      what a flag changes",
    ),
];

/// `cmd` with every command's examples set as its `after_help` (test's own text kept).
pub fn apply(cmd: clap::Command) -> clap::Command {
    EXAMPLES.iter().fold(cmd, |cmd, (path, text)| with_examples(cmd, path, text))
}

fn with_examples(cmd: clap::Command, path: &[&str], text: &'static str) -> clap::Command {
    match path.split_first() {
        // The texts' first lines lost their indent to the string continuations (`"\`) above.
        None => cmd.after_help(format!("Examples:\n  {text}")),
        Some((first, rest)) => {
            let rest: Vec<&str> = rest.to_vec();
            cmd.mut_subcommand(*first, move |sub| with_examples(sub, &rest, text))
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every command of the tree, `help` aside, ends its help with examples: add a command, add its examples.
    #[test]
    fn every_command_has_examples() {
        fn walk(cmd: &clap::Command, path: String, missing: &mut Vec<String>) {
            let text = cmd.get_after_help().map(ToString::to_string).unwrap_or_default();
            if !text.contains("Examples:\n  scimlab") {
                missing.push(path.clone());
            }
            for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = crate::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "scimlab".to_owned(), &mut missing);
        assert!(missing.is_empty(), "commands without examples: {missing:?}");
    }
}
