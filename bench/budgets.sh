#!/usr/bin/env bash
# The mock SP's performance budgets, measured side by side with a bare axum hello-world, and the load
# generator's own cost against wrk's, all in one run so that every figure can be read as a ratio.
#
#   cargo build --release -p scimlab && cargo build --release -p scimlab-mock-sp --example hello
#   bench/budgets.sh            # D=10s C=16 USERS=10000 by default
#
# The server (mock SP or hello) runs on core 0 with one Tokio worker (`--workers 1`), the client (wrk or
# scimlab load) on core 1, with 16 connections. The mock SP holds USERS users loaded by `scimlab load
# --scenario bulk-merge --keep`. Each budget is measured with recording on (the default) and off
# (`--no-record`). Output: one line per measurement, `name rate/s ratio-to-hello`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/scimlab}
HELLO=${HELLO:-target/release/examples/hello}
D=${D:-10s}
C=${C:-16}
USERS=${USERS:-10000}
PORT=${PORT:-38181}
HPORT=${HPORT:-38182}
OUT=${OUT:-target/bench-budgets}
mkdir -p "$OUT"
WRK="taskset -c 1 wrk -t1 -c$C -d$D --latency"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

rate() { awk '/Requests\/sec/ {print $2}' "$1"; }

wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

hello() {
  taskset -c 0 "$HELLO" "$HPORT" 1 > /dev/null & local pid=$!
  wait_port "$HPORT"
  $WRK "http://127.0.0.1:$HPORT/" > "$OUT/hello-$1.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  rate "$OUT/hello-$1.txt"
}

H1=$(hello before)
echo "hello-world $H1 1.00"

for mode in record no-record; do
  flag=""; [ "$mode" = no-record ] && flag="--no-record"
  taskset -c 0 "$BIN" serve --no-auth --workers 1 --addr "127.0.0.1:$PORT" $flag > "$OUT/serve-$mode.log" & sp=$!
  pids+=("$sp")
  wait_port "$PORT"
  URL="http://127.0.0.1:$PORT/scim/v2"
  taskset -c 1 "$BIN" load --url "$URL" --scenario bulk-merge --users "$USERS" --keep --run-id bench \
    --quiet --threads 1 --concurrency 4 > "$OUT/populate-$mode.txt"
  : > "$OUT/ids.txt"
  for ((s = 1; s <= USERS; s += 1000)); do
    curl -s "$URL/Users?attributes=id&count=1000&startIndex=$s" | jq -r '.Resources[].id' >> "$OUT/ids.txt"
  done
  $WRK -s bench/wrk/get.lua "$URL" -- "$OUT/ids.txt" > "$OUT/get-$mode.txt"
  $WRK -s bench/wrk/filter_username.lua "$URL" -- "$USERS" > "$OUT/filter-$mode.txt"
  $WRK "$URL/Users?filter=emails%5Btype%20eq%20%22work%22%20and%20value%20co%20%225000%22%5D" > "$OUT/complex-$mode.txt"
  $WRK -s bench/wrk/patch.lua "$URL" -- "$OUT/ids.txt" > "$OUT/patch-$mode.txt"
  # /Bulk grows the store by 100 users a request: a shorter window keeps memory in bounds.
  taskset -c 1 wrk -t1 -c"$C" -d3s -s bench/wrk/bulk.lua "$URL" > "$OUT/bulk-$mode.txt"
  for m in get filter complex patch bulk; do
    r=$(rate "$OUT/$m-$mode.txt")
    if [ "$m" = bulk ]; then
      u=$(python3 -c "print(round($r * 100))")
      echo "bulk-users/s-$mode $u $(python3 -c "print(f'{$u / $H1:.2f}')")"
    else
      echo "$m-$mode $r $(python3 -c "print(f'{$r / $H1:.2f}')")"
    fi
  done
  if [ "$mode" = no-record ]; then
    # The generator's own cost: scimlab load and wrk against the same endpoint (GET by id), same core, same
    # connections; request rates and client CPU per request side by side.
    /usr/bin/time -f "%U %S" -o "$OUT/wrk-cpu.txt" $WRK -s bench/wrk/get.lua "$URL" -- "$OUT/ids.txt" > "$OUT/gen-wrk.txt"
    /usr/bin/time -f "%U %S" -o "$OUT/load-cpu.txt" taskset -c 1 "$BIN" load --url "$URL" --scenario read \
      --users 1000 --concurrency "$C" --duration "$D" --threads 1 --quiet --report "json=$OUT/gen-load.json" \
      > "$OUT/gen-load.txt"
    w=$(rate "$OUT/gen-wrk.txt")
    l=$(jq '.load.operations[0].throughput' "$OUT/gen-load.json")
    lreq=$(jq '.load.operations[0].requests' "$OUT/gen-load.json")
    wreq=$(awk '/requests in/ {print $1}' "$OUT/gen-wrk.txt")
    wcpu=$(awk '{print $1 + $2}' "$OUT/wrk-cpu.txt")
    lcpu=$(awk '{print $1 + $2}' "$OUT/load-cpu.txt")
    echo "generator-wrk $w req/s, $(python3 -c "print(f'{$wcpu * 1e6 / $wreq:.1f}')") us CPU/request"
    echo "generator-scimlab $l req/s, $(python3 -c "print(f'{$lcpu * 1e6 / $lreq:.1f}')") us CPU/request (incl. setup)"
    echo "generator-ratio $(python3 -c "print(f'{$l / $w:.2f}')")"
  fi
  kill "$sp"; wait "$sp" 2>/dev/null || true
done

H2=$(hello after)
echo "hello-world-after $H2 $(python3 -c "print(f'{$H2 / $H1:.2f}')")"
