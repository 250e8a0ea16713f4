# Shared by the interop scripts (sourced, not run): the Python virtualenv with a tool from PyPI, the scimlab binary,
# and stopping a background server. Each function exits with status 2 on a setup problem, naming it.

# interop_venv VENV PYTHON REQUIREMENT...: creates VENV with PYTHON if missing and pip-installs the requirements.
interop_venv() {
    local venv=$1 python=$2
    shift 2
    echo "== virtualenv $venv"
    if ! command -v "$python" >/dev/null 2>&1; then
        echo "$python is missing: install Python 3.10 or newer (or set PYTHON)" >&2
        exit 2
    fi
    if [ ! -x "$venv/bin/python" ]; then
        "$python" -m venv "$venv"
    fi
    # A package index that is briefly unreachable answers "from versions: none": try three times before giving up.
    if ! interop_retry 3 "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"; then
        echo "pip could not install $*" >&2
        exit 2
    fi
}

# interop_retry N CMD...: runs CMD up to N times, 10 s apart, until it succeeds (registry hiccups in CI).
interop_retry() {
    local tries=$1 i
    shift
    for i in $(seq "$tries"); do
        if "$@"; then
            return 0
        fi
        if [ "$i" -lt "$tries" ]; then
            echo "attempt $i of $tries failed; retrying in 10 s" >&2
            sleep 10
        fi
    done
    return 1
}

# interop_scimlab ROOT: prints the scimlab binary to use: $SCIMLAB_BIN, or a debug build made with cargo.
interop_scimlab() {
    local root=$1 bin
    if [ -n "${SCIMLAB_BIN:-}" ]; then
        bin=$SCIMLAB_BIN
    else
        cargo build --quiet -p scimlab --bin scimlab >&2
        bin=${CARGO_TARGET_DIR:-$root/target}/debug/scimlab
    fi
    if [ ! -x "$bin" ]; then
        echo "no scimlab binary at $bin" >&2
        exit 2
    fi
    echo "$bin"
}

# interop_serve_url LOG: the base URL `scimlab serve --addr 127.0.0.1:0` printed to LOG once it listens (it picks
# its port), waiting up to 30 s. Exits 3, showing LOG, when it never does.
interop_serve_url() {
    local log=$1 url=""
    for _ in $(seq 300); do
        url=$(sed -n 's/^scimlab mock SP listening on \(http:[^ ]*\)$/\1/p' "$log")
        if [ -n "$url" ]; then
            echo "$url"
            return 0
        fi
        sleep 0.1
    done
    echo "scimlab serve did not start:" >&2
    cat "$log" >&2
    exit 3
}

# interop_stop PID SIGNAL: sends SIGNAL to a background server, waits up to 5 s, then kills it.
interop_stop() {
    local pid=$1 signal=$2
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "-$signal" "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}

# interop_free_port PYTHON: prints a TCP port that is free on 127.0.0.1 right now.
interop_free_port() {
    "$1" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# interop_token PYTHON: prints a random throwaway bearer token.
interop_token() {
    "$1" -c 'import secrets; print(secrets.token_hex(16))'
}

# interop_wait_http PYTHON URL PID LOG NAME: waits up to 60 s until URL answers HTTP at all (any status: a 401 is
# an answer), while the server PID lives. Exits 3 (the server could not run), showing LOG, when it dies or never
# answers.
interop_wait_http() {
    local python=$1 url=$2 pid=$3 log=$4 name=$5
    for _ in $(seq 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$name exited before answering:" >&2
            tail -40 "$log" >&2
            exit 3
        fi
        if "$python" - "$url" 2>/dev/null <<'PY'; then
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError:
    pass
PY
            echo "$name answers at $url"
            return 0
        fi
        sleep 0.2
    done
    echo "$name does not answer at $url within 60 s:" >&2
    tail -40 "$log" >&2
    exit 3
}

# interop_scimlab_test BIN URL OUT SEED [ARG...]: runs `scimlab test` against URL with the token in $SCIM_TOKEN (or
# the credentials in ARG), writing OUT/report.json and OUT/terminal.txt. Exits 3 when the run did not complete
# (exit status other than 0 or 1, or no JSON report).
interop_scimlab_test() {
    local bin=$1 url=$2 out=$3 seed=$4 status
    shift 4
    echo "== scimlab test --url $url --seed $seed $*"
    set +e
    "$bin" test --url "$url" --seed "$seed" --report "json=$out/report.json" --report "html=$out/report.html" "$@" \
        >"$out/terminal.txt" 2>&1
    status=$?
    set -e
    grep -E '^(Summary|Result|Missed)' "$out/terminal.txt" || tail -3 "$out/terminal.txt"
    if { [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; } || [ ! -s "$out/report.json" ]; then
        echo "scimlab test did not run to completion (exit $status):" >&2
        tail -30 "$out/terminal.txt" >&2
        exit 3
    fi
}

# interop_triage PYTHON REPORT NAME KNOWN...: compares the verdicts of a `scimlab test` JSON report with the
# documented ones. KNOWN entries are "verdict check-id" for every expected non-pass verdict; every other check must
# pass, or be skipped because the server announces it lacks the feature ("the server announces etag.supported
# false": the RFC makes ETags, bulk, sorting, filtering optional, so that skip needs no entry). Prints the verdict counts; fails (status 1) on any harness error or on any verdict nobody has explained
# (docs/interop.md). A known verdict that no longer occurs is reported, not failed.
interop_triage() {
    local python=$1 report=$2 name=$3
    shift 3
    "$python" - "$report" "$name" "$@" <<'PY'
import json, sys
report, name, known = sys.argv[1], sys.argv[2], set(sys.argv[3:])
checks = json.load(open(report))["checks"]
counts = {v: 0 for v in ("pass", "fail", "warn", "skip", "error")}
unexpected, seen = [], set()
for c in checks:
    counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
    if c["verdict"] == "pass":
        continue
    key = f"{c['verdict']} {c['id']}"
    if c["verdict"] == "skip" and (c.get("reason") or "").startswith("the server announces "):
        continue
    if key in known and c["verdict"] != "error":
        seen.add(key)
        print(f"known       {key}")
    else:
        why = c.get("actual") or c.get("reason") or ""
        unexpected.append(f"{key}: {why[:300]}")
for k in sorted(known - seen):
    print(f"no longer seen: {k} (update the script and docs/interop.md)")
print(f"{name}: {len(checks)} checks: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
if unexpected:
    print(f"{len(unexpected)} verdicts nobody has explained (a harness error, a regression of ours, or a new "
          f"deviation of {name} to triage in docs/interop.md):", file=sys.stderr)
    for u in unexpected:
        print(f"  UNEXPECTED {u}", file=sys.stderr)
    sys.exit(1)
print(f"scimlab test against {name}: only the documented verdicts")
PY
}

# interop_certify NAME PYTHON BIN URL OUT SEED KNOWN...: the end every server script shares. Waits for the server
# the script started as $server (its log in OUT/server.log), runs `scimlab test` against URL with the token in
# $token, stops the server (clearing $server, so the script's EXIT trap has nothing left to stop) and fails on any
# verdict not in KNOWN.
interop_certify() {
    local name=$1 python=$2 bin=$3 url=$4 out=$5 seed=$6
    shift 6
    interop_wait_http "$python" "$url/ServiceProviderConfig" "$server" "$out/server.log" "$name"
    SCIM_TOKEN=$token interop_scimlab_test "$bin" "$url" "$out" "$seed"
    interop_stop "$server" TERM
    server=""
    interop_triage "$python" "$out/report.json" "$name" "$@"
}
