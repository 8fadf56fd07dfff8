#!/usr/bin/env bash
# `make bench`: release figures. The first-load size of dist/ (wasm + JS + CSS, raw and gzip -9;
# target <= 300 KB gzipped), then whichever CLI benchmarks exist (skipped when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.html ] || { echo "no dist/: run make dist first"; exit 1; }

echo "== first load (dist/, gzip -9)"
total_raw=0; total_gz=0
printf '%-48s %10s %10s\n' file raw gzip
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  [ -f "$f" ] || continue
  raw=$(wc -c <"$f"); gz=$(gzip -9c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-48s %10d %10d\n' "$(basename "$f")" "$raw" "$gz"
done
printf '%-48s %10d %10d   (%d KB gzipped; target <= 300 KB)\n' total "$total_raw" "$total_gz" $(((total_gz + 1023) / 1024))

if [ -x bench/run.sh ]; then
  echo "== bench/run.sh (evaluator)"
  bench/run.sh
else
  echo "== bench/run.sh: not present, skipped"
fi
for ex in bench_jobs bench_server; do
  if [ -f "examples/$ex.rs" ]; then
    echo "== cargo run --release --example $ex"
    cargo run --quiet --release --example "$ex"
  else
    echo "== examples/$ex.rs: not present, skipped"
  fi
done
