#!/usr/bin/env bash
# `make bench`: release figures. The first-load size of dist/ (wasm + JS + CSS, raw and gzip -9;
# target <= 300 KB gzipped) and of the embed (dist/embed/, target <= 250 KB), then whichever CLI benchmarks exist (skipped when absent).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/index.html ] || { echo "no dist/: run make dist first"; exit 1; }

# First load = index.html and every file it references (the wasm, its JS glue, the CSS), and
# granola-lazy.js, which the glue imports; the modules loaded on demand that index.html lists in
# window.granolaModules (src/web/lazy.rs) and other files in dist/ (docs.json, the editor bundle,
# fetched on first use) are listed apart.
# The .br/.gz copies make dist writes for `granola serve` are not counted as files of their own;
# the brotli column is what `granola serve` sends to a browser that accepts br.
echo "== first load (dist/, gzip -9; brotli = the .br copy granola serve sends)"
total_raw=0; total_gz=0; total_br=0
printf '%-48s %10s %10s %10s\n' file raw gzip brotli
brsize() { if [ -f "$1.br" ]; then wc -c <"$1.br"; else echo 0; fi; }
row() { if [ $# -ge 4 ]; then printf '%-48s %10d %10d %10d\n' "$1" "$2" "$3" "$4"; else printf '%-48s %10d %10d\n' "$1" "$2" "$3"; fi; }
on_demand=$(grep -o 'window.granolaModules = {[^}]*}' dist/index.html | grep -o 'granola-[a-z0-9-]*\.wasm' || true)
first_load() {
  [ "$1" = index.html ] || [ "$1" = granola-lazy.js ] \
    || { grep -qF "$1" dist/index.html && ! grep -qxF "$1" <<<"$on_demand"; }
}
for f in dist/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  case "$name" in *.br | *.gz) continue ;; esac
  if first_load "$name"; then
    raw=$(wc -c <"$f"); gz=$(gzip -9c "$f" | wc -c); br=$(brsize "$f")
    total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz)); total_br=$((total_br + br))
    row "$name" "$raw" "$gz" "$br"
  fi
done
printf '%-48s %10d %10d %10d   (%d KB gzipped; target <= 300 KB)\n' "first load total" "$total_raw" "$total_gz" "$total_br" $(((total_gz + 1023) / 1024))
later=0
for f in dist/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  case "$name" in *.br | *.gz) continue ;; esac
  if ! first_load "$name"; then
    [ "$later" = 1 ] || { echo "-- loaded on demand (not part of the first load):"; later=1; }
    row "$name" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)" "$(brsize "$f")"
  fi
done

# The embed (dist/embed/, scripts/embed-build.sh): what a page that includes granola-embed.js
# loads first (the script and its wasm; target <= 250 KB gzipped), and what it loads later.
echo "== embed first load, small build (dist/embed/, gzip -9)"
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
echo "-- the full build instead (pages that use env.*, planner.*, ...: granola::embed::evaluator)"
full_raw=0; full_gz=0
for name in granola-embed.js granola-embed-full.js granola-embed-full_bg.wasm; do
  f=dist/embed/$name
  raw=$(wc -c <"$f"); gz=$(gzip -9c "$f" | wc -c)
  full_raw=$((full_raw + raw)); full_gz=$((full_gz + gz))
  row "$name" "$raw" "$gz"
done
printf '%-48s %10d %10d   (%d KB gzipped)\n' "embed first load total, full build" "$full_raw" "$full_gz" $(((full_gz + 1023) / 1024))
echo "-- loaded on demand: the editor on first edit; the base64 wasm only from file://"
for name in granola-editor.js granola-embed_bg.wasm.js granola-embed-full_bg.wasm.js; do
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
