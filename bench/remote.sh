#!/usr/bin/env bash
# How fast `scimlab test` certifies a server that is far away or slow, side by side with scim2-tester in one run, so
# that every figure reads as a ratio (the machine is shared and noisy: each measurement is repeated ROUNDS times,
# interleaved, and the best of each is kept).
#
#   cargo build --release -p scimlab && bench/remote.sh     # ROUNDS=3 LATENCY=50ms by default
#   ONLY=latency bench/remote.sh                              # only the parts whose name matches the regex
#
# Parts:
#   latency   `scimlab serve --fault latency=LATENCY` (every answer LATENCY late, as a server across the internet):
#             the default `scimlab test`, with the suite's totals from its JSON report (requests, the longest
#             critical path in round trips, and the check on it); scim2-tester's wall time on the same server once
#             (TESTER_ON_LATENCY=1, it takes tens of seconds).
#   scim2     scim2-server's own CLI server (PyPI; single-threaded, HTTP/1.0): `scimlab test` by default and with
#             --concurrency 1, and scim2-tester, interleaved; with the server's CPU time per run.
#   embedded  `scimlab test` with no --url (the built-in mock SP, in process).
#
# Environment: BIN (default target/release/scimlab), ROUNDS, LATENCY, ONLY, SCIMLAB_VENV (virtualenv with
# scim2-server and scim2-tester, shared with interop/), PYTHON, OUT (default target/bench-remote).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=interop/lib.sh
. interop/lib.sh
BIN=${BIN:-target/release/scimlab}
ROUNDS=${ROUNDS:-3}
LATENCY=${LATENCY:-50ms}
ONLY=${ONLY:-.}
OUT=${OUT:-target/bench-remote}
venv=${SCIMLAB_VENV:-$root/target/interop-venv}
python=${PYTHON:-python3}
mkdir -p "$OUT"
if [ ! -x "$BIN" ]; then
    echo "no scimlab binary at $BIN: cargo build --release -p scimlab" >&2
    exit 2
fi
wants() { [[ $1 =~ $ONLY ]]; }
pids=()
cleanup() { for p in "${pids[@]}"; do interop_stop "$p" TERM; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }
# elapsed START: seconds since START, two decimals.
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# best FILE: the smallest number in FILE.
best() { sort -g "$1" | head -1; }
# ratio A B: A / B, two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# cpu PID: the CPU seconds PID has used so far.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

# totals REPORT: the suite's totals from a JSON report: requests, the longest critical path and its check.
totals() {
    python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
costs = [(c.get("cost") or {}, c["id"]) for c in r["checks"]]
requests = sum(c.get("requests", 0) for c, _ in costs)
longest, check = max(((c.get("roundTrips", 0), i) for c, i in costs), default=(0, "-"))
s = r["summary"]
verdicts = ", ".join(f"{s[k]} {k}" for k in ("pass", "fail", "warn", "skip", "error") if s.get(k))
print(f"{len(r['checks'])} checks ({verdicts}), {requests} requests, "
      f"longest critical path {longest} round trips ({check})")
PY
}

# serve_scimlab LOG ARG...: starts `scimlab serve` on a free port with ARG; sets $url and $token.
serve_scimlab() {
    local log=$1
    shift
    token=$(interop_token python3)
    SCIM_TOKEN=$token "$BIN" serve --addr 127.0.0.1:0 --no-record "$@" >"$log" 2>&1 &
    pids+=($!)
    url=$(interop_serve_url "$log")
}

if wants latency; then
    echo "== latency: scimlab serve --fault latency=$LATENCY"
    serve_scimlab "$OUT/serve-latency.log" --fault "latency=$LATENCY"
    : >"$OUT/latency.txt"
    for i in $(seq "$ROUNDS"); do
        start=$(now)
        SCIM_TOKEN=$token "$BIN" test --url "$url" --seed 7 --report "json=$OUT/latency.json" >/dev/null 2>&1 || true
        t=$(elapsed "$start")
        echo "$t" >>"$OUT/latency.txt"
        echo "  round $i: scimlab test ${t} s"
    done
    echo "  scimlab test: best $(best "$OUT/latency.txt") s of $ROUNDS; $(totals "$OUT/latency.json")"
    if [ "${TESTER_ON_LATENCY:-0}" = 1 ] && [ -x "$venv/bin/scim2" ]; then
        start=$(now)
        SCIM_CLI_HEADERS="Authorization: Bearer $token" "$venv/bin/scim2" --url "$url" test >"$OUT/tester-latency.out" 2>&1 || true
        t=$(elapsed "$start")
        echo "  scim2-tester: ${t} s; scimlab / scim2-tester = $(ratio "$(best "$OUT/latency.txt")" "$t")"
    fi
    cleanup
    pids=()
fi

if wants scim2; then
    echo "== scim2: scim2-server's CLI server, scimlab test (default, --concurrency 1) and scim2-tester interleaved"
    # The versions interop/scim2-tester.sh and interop/scim2-server-test.sh pin.
    interop_venv "$venv" "$python" "${SCIM2_SERVER:-scim2-server==0.8.3}" "${SCIM2_TESTER:-scim2-tester==0.5.2}" \
        "${SCIM2_CLI:-scim2-cli==0.6.0}" "${SCIM2_MODELS:-scim2-models==0.12.3}" \
        "${SCIM2_CLIENT:-scim2-client==0.13.2}" >/dev/null
    port=$(interop_free_port "$venv/bin/python")
    token=$(interop_token "$venv/bin/python")
    url="http://127.0.0.1:$port/v2"
    "$venv/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$token" >"$OUT/scim2-server.log" 2>&1 &
    server=$!
    pids+=("$server")
    interop_wait_http "$venv/bin/python" "$url/ServiceProviderConfig" "$server" "$OUT/scim2-server.log" scim2-server >/dev/null
    : >"$OUT/default.txt"
    : >"$OUT/c1.txt"
    : >"$OUT/tester.txt"
    for i in $(seq "$ROUNDS"); do
        line="  round $i:"
        for kind in default c1 tester; do
            before=$(cpu "$server")
            start=$(now)
            case $kind in
            default) SCIM_TOKEN=$token "$BIN" test --url "$url" --seed 7 --report "json=$OUT/scim2.json" >/dev/null 2>&1 || true ;;
            c1) SCIM_TOKEN=$token "$BIN" test --url "$url" --seed 7 --concurrency 1 >/dev/null 2>&1 || true ;;
            tester) SCIM_CLI_HEADERS="Authorization: Bearer $token" "$venv/bin/scim2" --url "$url" test >"$OUT/tester.out" 2>&1 || true ;;
            esac
            t=$(elapsed "$start")
            echo "$t" >>"$OUT/$kind.txt"
            line="$line $kind ${t} s (server CPU $(awk -v a="$before" -v b="$(cpu "$server")" 'BEGIN { printf "%.2f", b - a }') s),"
        done
        echo "${line%,}"
    done
    d=$(best "$OUT/default.txt")
    c=$(best "$OUT/c1.txt")
    s=$(best "$OUT/tester.txt")
    echo "  best of $ROUNDS: scimlab default $d s, --concurrency 1 $c s, scim2-tester $s s"
    echo "  scimlab / scim2-tester = $(ratio "$d" "$s") (target <= 0.50); default / --concurrency 1 = $(ratio "$d" "$c") (target <= 1.00)"
    echo "  $(totals "$OUT/scim2.json")"
    cleanup
    pids=()
fi

if wants embedded; then
    echo "== embedded: scimlab test on the built-in mock SP"
    : >"$OUT/embedded.txt"
    for _ in $(seq "$ROUNDS"); do
        start=$(now)
        "$BIN" test --report "json=$OUT/embedded.json" >/dev/null 2>&1 || true
        elapsed "$start" >>"$OUT/embedded.txt"
        echo >>"$OUT/embedded.txt"
    done
    sed -i '/^$/d' "$OUT/embedded.txt"
    echo "  best $(best "$OUT/embedded.txt") s of $ROUNDS (target < 0.30 s); $(totals "$OUT/embedded.json")"
fi
