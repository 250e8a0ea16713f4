#!/usr/bin/env bash
# Replays IdP lifecycles against a third-party SCIM server: scim2-server (PyPI), with the rfc and okta personas
# and the hire and offboarding scenarios (`scimlab replay`). Installs scim2-server in a virtualenv (the same one
# as interop/scim2-tester.sh), starts it on a free loopback port with a random bearer token, replays, stops the
# server, and compares every step's verdict with what is expected: every step passes, except the steps listed in
# EXPECTED below (the Okta persona never deletes users, so that step is skipped; a step that fails because
# scim2-server deviates from the RFC would be listed there too, and explained in docs/interop.md).
#
# Environment:
#   SCIMLAB_BIN     the scimlab binary (default: build target/debug/scimlab with cargo)
#   SCIMLAB_VENV    the virtualenv to use or create (default: target/interop-venv)
#   SCIM2_SERVER    pip requirement for scim2-server (default: scim2-server==0.8.3)
#   PYTHON          the interpreter that creates the virtualenv (default: python3; 3.10 or newer)
#   INTEROP_OUT     where the reports and logs go (default: target/interop/scim2-server-replay)
# Exit codes: 0 as expected, 1 a step's verdict differs from the expected one, 2 setup problem, 3 the server or
# the replay could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=interop/lib.sh
. interop/lib.sh

venv=${SCIMLAB_VENV:-$root/target/interop-venv}
python=${PYTHON:-python3}
requirement=${SCIM2_SERVER:-scim2-server==0.8.3}
out=${INTEROP_OUT:-$root/target/interop/scim2-server-replay}
mkdir -p "$out"

PERSONAS=(rfc okta)
SCENARIOS=(hire offboarding)
# Steps whose verdict is not "pass", as "check id<TAB>verdict". Everything else must pass.
EXPECTED=(
    $'replay/offboarding/okta/delete\tskip'
)

interop_venv "$venv" "$python" "$requirement"
"$venv/bin/python" -m pip list --disable-pip-version-check 2>/dev/null | grep -Ei '^(scim2-|werkzeug )' || true

echo "== scimlab"
bin=$(interop_scimlab "$root")

# A free loopback port, and a random token (scim2-server takes it as an argument: it is a throwaway value).
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
token=$("$venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
url="http://127.0.0.1:$port"
log="$out/scim2-server.log"
server=""
stop_server() {
    interop_stop "$server" TERM
}
trap stop_server EXIT
trap 'exit 130' INT TERM

"$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$token" >"$log" 2>&1 &
server=$!
ready=""
for _ in $(seq 150); do
    if ! kill -0 "$server" 2>/dev/null; then
        echo "scim2-server exited:" >&2
        cat "$log" >&2
        exit 3
    fi
    if SCIM_TOKEN=$token "$venv/bin/python" -c '
import os, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/ServiceProviderConfig", headers={"Authorization": "Bearer " + os.environ["SCIM_TOKEN"]})
urllib.request.urlopen(req, timeout=2)' "$url" 2>/dev/null; then
        ready=yes
        break
    fi
    sleep 0.2
done
if [ -z "$ready" ]; then
    echo "scim2-server at $url does not answer within 30 s:" >&2
    cat "$log" >&2
    exit 3
fi
echo "scim2-server at $url"

status=0
for persona in "${PERSONAS[@]}"; do
    echo "== scimlab replay ${SCENARIOS[*]} --as $persona"
    set +e
    SCIM_TOKEN=$token "$bin" replay "${SCENARIOS[@]}" --as "$persona" --url "$url" \
        --report "json=$out/$persona.json" 2>"$out/$persona.log"
    code=$?
    set -e
    grep -E '^\[ *[0-9]+/[0-9]+\]|^Summary|cleaned up' "$out/$persona.log" || true
    if [ "$code" -gt 1 ] || [ ! -s "$out/$persona.json" ]; then
        echo "scimlab replay --as $persona could not run (exit $code):" >&2
        cat "$out/$persona.log" >&2
        exit 3
    fi
done
stop_server
trap - EXIT

expected_file="$out/expected.tsv"
printf '%s\n' "${EXPECTED[@]}" >"$expected_file"
"$venv/bin/python" - "$expected_file" "${PERSONAS[@]/#/$out/}" <<'PY' || status=1
import json, sys
expected = dict(line.split("\t") for line in open(sys.argv[1]).read().splitlines() if line)
checks, unexpected, seen = 0, [], set()
for base in sys.argv[2:]:
    report = json.load(open(base + ".json"))
    persona = report["profiles"][0]
    counts = {}
    for c in report["checks"]:
        checks += 1
        want = expected.get(c["id"], "pass")
        seen.add(c["id"])
        counts[c["verdict"]] = counts.get(c["verdict"], 0) + 1
        if c["verdict"] != want:
            unexpected.append(f"{c['id']}: {c['verdict']} (expected {want}): {c.get('reason', '')}")
    print(f"{persona}: " + ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
for k in expected:
    if k not in seen:
        print(f"note: the expected case {k} did not occur; update EXPECTED and docs/interop.md")
if unexpected:
    print(f"{len(unexpected)} unexpected verdicts:", file=sys.stderr)
    for u in unexpected:
        print("  " + u, file=sys.stderr)
    sys.exit(1)
print(f"scim2-server replay: {checks - len(expected)} passed, 0 failed, {len(expected)} skipped")
PY
exit $status
