#!/usr/bin/env bash
# The mock SP's performance budgets, measured side by side with a bare axum hello-world, and the load
# generator's own cost against wrk's, in one run so that every figure can be read as a ratio.
#
#   cargo build --release -p scimlab && cargo build --release -p scimlab-mock-sp --example hello
#   bench/budgets.sh            # ROUNDS=5 D=2s C=16 USERS=10000 by default
#   ONLY=bulk bench/budgets.sh  # only the measurements whose name matches the regex (and the hello-world)
#
# Servers (mock SP, hello-world) run on core 0 with one Tokio worker (`--workers 1`), clients (wrk, scimlab
# load) on core 1, with C connections. The mock SP holds USERS users loaded by `scimlab load --scenario
# bulk-merge --keep`. Each budget is measured with recording on (the default) and off (`--no-record`).
#
# Two figures per measurement: the rate wrk saw, and the capacity, requests per CPU second of the server (what
# one whole core would sustain). On a shared machine both swing with what else runs, so every measurement is
# repeated ROUNDS times, interleaved with the hello-world's, and the summary keeps the best of each: the least
# disturbed sample. Raw lines go to $OUT/raw.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/scimlab}
HELLO=${HELLO:-target/release/examples/hello}
ROUNDS=${ROUNDS:-5}
D=${D:-2s}
C=${C:-16}
USERS=${USERS:-10000}
PORT=${PORT:-38181}
HPORT=${HPORT:-38182}
OUT=${OUT:-target/bench-budgets}
mkdir -p "$OUT"
RAW="$OUT/raw.txt"
: > "$RAW"
WRK="taskset -c 1 wrk -t1 -c$C"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rate() { awk '/Requests\/sec/ {print $2}' "$1"; }
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
# CPU seconds a process has used (all its threads).
cpu() { awk -v t="$(getconf CLK_TCK)" '{print ($14 + $15) / t}' "/proc/$1/stat"; }

# measure NAME FACTOR PID WRK-ARGS...: appends `NAME rate capacity` (both times FACTOR) to the raw file.
measure() {
  local name=$1 factor=$2 pid=$3; shift 3
  local c0 c1 file="$OUT/last.txt"
  c0=$(cpu "$pid"); $WRK "$@" > "$file"; c1=$(cpu "$pid")
  python3 -c "
n = $(awk '/requests in/ {print $1}' "$file")
print('$name', $(rate "$file") * $factor, n * $factor / max($c1 - $c0, 0.01))" >> "$RAW"
}

taskset -c 0 "$HELLO" "$HPORT" 1 > /dev/null & hp=$!; pids+=("$hp")
wait_port "$HPORT"
hello() { measure hello 1 "$hp" -d"$D" "http://127.0.0.1:$HPORT/"; }
# want NAME: whether NAME is selected by $ONLY (a regex; everything when unset).
want() { [[ -z "${ONLY:-}" || "$1" =~ $ONLY ]]; }

for mode in record no-record; do
  flag=""; [ "$mode" = no-record ] && flag="--no-record"
  taskset -c 0 "$BIN" serve --no-auth --workers 1 --addr "127.0.0.1:$PORT" $flag > "$OUT/serve-$mode.log" &
  sp=$!; pids+=("$sp")
  wait_port "$PORT"
  URL="http://127.0.0.1:$PORT/scim/v2"
  taskset -c 1 "$BIN" load --url "$URL" --scenario bulk-merge --users "$USERS" --keep --run-id bench \
    --quiet --threads 1 --concurrency 4 > "$OUT/populate-$mode.txt"
  : > "$OUT/ids.txt"
  for ((s = 1; s <= USERS; s += 1000)); do
    curl -s "$URL/Users?attributes=id&count=1000&startIndex=$s" | jq -r '.Resources[].id' >> "$OUT/ids.txt"
  done
  for ((r = 0; r < ROUNDS; r++)); do
    if want get-by-id; then hello; measure "get-by-id/$mode" 1 "$sp" -d"$D" -s bench/wrk/get.lua "$URL" -- "$OUT/ids.txt"; fi
    if want username-eq; then hello; measure "username-eq/$mode" 1 "$sp" -d"$D" -s bench/wrk/filter_username.lua "$URL" -- "$USERS"; fi
    if want complex-filter; then
      hello; measure "complex-filter/$mode" 1 "$sp" -d"$D" \
        "$URL/Users?filter=emails%5Btype%20eq%20%22work%22%20and%20value%20co%20%225000%22%5D"
    fi
    if want patch-replace; then hello; measure "patch-replace/$mode" 1 "$sp" -d"$D" -s bench/wrk/patch.lua "$URL" -- "$OUT/ids.txt"; fi
  done
  if [ "$mode" = no-record ] && want generator; then
    # The generator's own cost: wrk and scimlab load (one thread each, C connections, core 1) against the same
    # endpoint (GET by id), interleaved; request rates and client CPU per request.
    for ((r = 0; r < ROUNDS; r++)); do
      /usr/bin/time -f "%U %S" -o "$OUT/cpu.txt" $WRK -d"$D" -s bench/wrk/get.lua "$URL" -- "$OUT/ids.txt" \
        > "$OUT/gen-wrk.txt"
      echo "generator/wrk $(rate "$OUT/gen-wrk.txt") $(awk '/requests in/ {print $1}' "$OUT/gen-wrk.txt") \
        $(awk '{print $1 + $2}' "$OUT/cpu.txt")" >> "$RAW"
      /usr/bin/time -f "%U %S" -o "$OUT/cpu.txt" taskset -c 1 "$BIN" load --url "$URL" --scenario read \
        --users 1000 --concurrency "$C" --duration "$D" --threads 1 --quiet --report "json=$OUT/gen-load.json" \
        > /dev/null
      echo "generator/scimlab $(jq '.load.operations[0].throughput' "$OUT/gen-load.json") \
        $(jq '.load.operations[0].requests' "$OUT/gen-load.json") $(awk '{print $1 + $2}' "$OUT/cpu.txt")" >> "$RAW"
    done
  fi
  # /Bulk grows the store by 100 users a request, so it goes last; the rate is users per second.
  for ((r = 0; r < ROUNDS; r++)); do
    if want bulk-users; then hello; measure "bulk-users/$mode" 100 "$sp" -d"$D" -s bench/wrk/bulk.lua "$URL"; fi
  done
  kill "$sp"; wait "$sp" 2>/dev/null || true
done

python3 - "$RAW" <<'EOF'
import sys, collections
best = collections.defaultdict(lambda: [0.0, 0.0])
gen = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split()
    if f[0].startswith("generator/"):
        gen[f[0]].append((float(f[1]), float(f[3]) * 1e6 / float(f[2])))
        continue
    b = best[f[0]]
    b[0], b[1] = max(b[0], float(f[1])), max(b[1], float(f[2]))
h = best.pop("hello")
print(f"hello-world              best rate {h[0]:>8.0f}/s   best capacity {h[1]:>8.0f}/s")
for name, (r, c) in best.items():
    print(f"{name:<24} best rate {r:>8.0f}/s ({r / h[0]:.3f})   best capacity {c:>8.0f}/s ({c / h[1]:.3f})")
if gen:
    w, s = gen["generator/wrk"], gen["generator/scimlab"]
    bw, bs = max(x[0] for x in w), max(x[0] for x in s)
    cw, cs = min(x[1] for x in w), min(x[1] for x in s)
    print(f"generator: wrk best {bw:.0f}/s ({cw:.1f} us CPU/request), scimlab load best {bs:.0f}/s "
          f"({cs:.1f} us CPU/request incl. setup and cleanup); rate ratio {bs / bw:.3f}")
EOF
