#!/usr/bin/env bash
# `make bench`: release figures. The first-load size of dist/ (wasm + JS + CSS, raw and gzip -9;
# target <= 300 KB gzipped) and of the embed (dist/embed/, target <= 250 KB), then whichever CLI benchmarks exist (skipped when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.html ] || { echo "no dist/: run make dist first"; exit 1; }

# First load = index.html and every file it references (the wasm, its JS glue, the CSS);
# other files in dist/ (e.g. the editor bundle, fetched on first use) are listed apart.
echo "== first load (dist/, gzip -9)"
total_raw=0; total_gz=0
printf '%-48s %10s %10s\n' file raw gzip
row() { printf '%-48s %10d %10d\n' "$1" "$2" "$3"; }
for f in dist/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  if [ "$name" = index.html ] || grep -qF "$name" dist/index.html; then
    raw=$(wc -c <"$f"); gz=$(gzip -9c "$f" | wc -c)
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
    row "$name" "$raw" "$gz"
  fi
done
printf '%-48s %10d %10d   (%d KB gzipped; target <= 300 KB)\n' "first load total" "$total_raw" "$total_gz" $(((total_gz + 1023) / 1024))
later=0
for f in dist/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  if [ "$name" != index.html ] && ! grep -qF "$name" dist/index.html; then
    [ "$later" = 1 ] || { echo "-- loaded on demand (not part of the first load):"; later=1; }
    row "$name" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
  fi
done

# The embed (dist/embed/, scripts/embed-build.sh): what a page that includes granola-embed.js
# loads first (the script and its wasm; target <= 250 KB gzipped), and what it loads later.
echo "== embed first load (dist/embed/, gzip -9)"
[ -f dist/embed/granola-embed.js ] || { echo "no dist/embed/: make dist builds it"; exit 1; }
embed_raw=0; embed_gz=0
printf '%-48s %10s %10s\n' file raw gzip
for name in granola-embed.js granola-embed_bg.wasm; do
  f=dist/embed/$name
  raw=$(wc -c <"$f"); gz=$(gzip -9c "$f" | wc -c)
  embed_raw=$((embed_raw + raw)); embed_gz=$((embed_gz + gz))
  row "$name" "$raw" "$gz"
done
printf '%-48s %10d %10d   (%d KB gzipped; target <= 250 KB)\n' "embed first load total" "$embed_raw" "$embed_gz" $(((embed_gz + 1023) / 1024))
echo "-- loaded on demand: the editor on first edit; the base64 wasm only from file://"
for name in granola-editor.js granola-embed_bg.wasm.js; do
  f=dist/embed/$name
  row "$name" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done

echo "== browser (headless Chromium against dist/)"
if [ -x /usr/bin/chromium ] && [ -d node_modules/playwright-core ]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 & srv=$!
  trap 'kill $srv 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  node scripts/bench-browser.mjs "http://127.0.0.1:$port/"
  kill $srv 2>/dev/null || true
else
  echo "chromium or node_modules/playwright-core missing (make test installs them): skipped"
fi

if [ -x bench/run.sh ]; then
  echo "== bench/run.sh (evaluator)"
  bench/run.sh
else
  echo "== bench/run.sh: not present, skipped"
fi
for ex in bench_jobs bench_server bench_host bench_load; do
  if [ -f "examples/$ex.rs" ]; then
    echo "== cargo run --release --example $ex"
    cargo run --quiet --release --example "$ex"
  else
    echo "== examples/$ex.rs: not present, skipped"
  fi
done
