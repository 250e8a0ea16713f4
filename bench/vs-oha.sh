#!/usr/bin/env bash
# `scimlab load` against oha on the same endpoint, interleaved in one run, so that the figures read as ratios:
# GET /Users/{id} on `scimlab serve` (one Tokio worker, core 0, recording off), each client on core 1 with one
# runtime thread and C connections, closed model (a new request as soon as one is answered), for D each, ROUNDS
# times, alternating which goes first. Prints each round's rates, the best of each, and the client CPU per request.
#
#   cargo build --release -p scimlab && cargo install oha --locked && bench/vs-oha.sh   # ROUNDS=5 D=3s C=16
#
# Both read the same ids of the same 1,000 users at random (oha from a file of URLs, scimlab load from its own
# population), so the server does the same work per request; what differs is the client.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=interop/lib.sh
. interop/lib.sh
BIN=${BIN:-target/release/scimlab}
OHA=${OHA:-oha}
ROUNDS=${ROUNDS:-5}
D=${D:-3s}
C=${C:-16}
OUT=${OUT:-target/bench-oha}
mkdir -p "$OUT"
for tool in "$BIN" "$OHA" jq curl taskset; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "missing $tool (cargo build --release -p scimlab; cargo install oha --locked; jq, curl, util-linux)" >&2
        exit 2
    fi
done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
# CPU seconds a finished child used, from /usr/bin/time's "%U %S".
cpu_of() { awk '{ print $1 + $2 }' "$1"; }

log="$OUT/serve.log"
taskset -c 0 "$BIN" serve --no-auth --no-record --workers 1 --addr 127.0.0.1:0 >"$log" 2>&1 &
pids+=($!)
url=$(interop_serve_url "$log")

# The population: 1,000 users kept (scimlab load's own read run creates its users under a run id of its own).
"$BIN" load --url "$url" --scenario bulk-merge --users 1000 --keep --run-id oha --quiet >/dev/null
curl -s "$url/Users?attributes=id&count=1000&filter=userName%20sw%20%22oha%22" \
    | jq -r --arg u "$url" '.Resources[].id | "\($u)/Users/\(.)"' >"$OUT/urls.txt"
[ "$(wc -l <"$OUT/urls.txt")" -ge 1000 ] || { echo "the population was not created: $(wc -l <"$OUT/urls.txt") ids" >&2; exit 3; }

raw="$OUT/raw.txt"
: >"$raw"
run_oha() {
    /usr/bin/time -f "%U %S" -o "$OUT/cpu.txt" taskset -c 1 "$OHA" -z "$D" -c "$C" --worker-threads 1 --no-tui \
        --output-format json --urls-from-file "$OUT/urls.txt" >"$OUT/oha.json"
    local n rps
    n=$(jq '[.statusCodeDistribution[]] | add' "$OUT/oha.json")
    rps=$(jq '.summary.requestsPerSec' "$OUT/oha.json")
    echo "oha $rps $n $(cpu_of "$OUT/cpu.txt") $(jq '.summary.successRate' "$OUT/oha.json")" >>"$raw"
}
run_load() {
    /usr/bin/time -f "%U %S" -o "$OUT/cpu.txt" taskset -c 1 "$BIN" load --url "$url" --scenario read --users 1000 \
        --concurrency "$C" --duration "$D" --threads 1 --quiet --report "json=$OUT/load.json" >/dev/null
    local op='.load.operations[0]'
    echo "scimlab $(jq "$op.throughput" "$OUT/load.json") $(jq "$op.requests" "$OUT/load.json") \
$(cpu_of "$OUT/cpu.txt") $(jq "1 - ($op.errors // 0) / $op.requests" "$OUT/load.json")" >>"$raw"
}
for r in $(seq "$ROUNDS"); do
    if ((r % 2)); then run_oha; run_load; else run_load; run_oha; fi
    echo "round $r: $(tail -2 "$raw" | awk '{ printf "%s %.0f/s  ", $1, $2 }')"
done

python3 - "$raw" <<'EOF'
import sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, rps, n, cpu, ok = line.split()
    runs[name].append((float(rps), float(n), float(cpu), float(ok)))
best = {k: max(v) for k, v in runs.items()}
for name, (rps, n, cpu, ok) in best.items():
    per = min(c * 1e6 / m for _, m, c, _ in runs[name])
    print(f"{name:<8} best {rps:>8.0f}/s  ({per:.1f} us client CPU per request, setup included; success {ok:.3f})")
print(f"scimlab load / oha = {best['scimlab'][0] / best['oha'][0]:.2f} (target >= 1.00)")
EOF
