#!/usr/bin/env bash
# A short load run for CI: `scimlab serve` on a free loopback port, a bulk-merge of 2,000 users, then a mixed run
# in two shards whose reports are merged and rendered. Proves the load path end to end; the figures it prints are
# not judged (speed is measured by benchmarks, not by CI). Reports go to target/ci/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=interop/lib.sh
. interop/lib.sh
bin=${SCIMLAB_BIN:-target/debug/scimlab}
out=target/ci
mkdir -p "$out"
log="$out/load-serve.log"
"$bin" serve --no-auth --addr 127.0.0.1:0 >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
url=$(interop_serve_url "$log")
"$bin" load --url "$url" --scenario bulk-merge --users 2000 --quiet --report json="$out/load-bulk.json"
for k in 1 2; do
    "$bin" load --url "$url" --scenario mixed --users 400 --duration 2s --rate 100/s --shard "$k/2" --quiet \
        --report json="$out/load-mixed-$k.json"
done
"$bin" report merge "$out/load-mixed-1.json" "$out/load-mixed-2.json" -o "$out/load-mixed.json"
"$bin" report render "$out/load-mixed.json" --format html -o "$out/load-mixed.html"
"$bin" report render "$out/load-mixed.json" --format text
