#!/usr/bin/env bash
# Build one wasm binary of the crate (src/bin/BIN.rs) into OUTDIR as a piece a page loads:
# cargo (profile wasm-release, like the site), wasm-bindgen (TARGET: `web` = an ES module,
# `no-modules` = a classic script defining `wasm_bindgen`), then wasm-opt -Oz.
# Gives OUTDIR/BIN.js and OUTDIR/BIN_bg.wasm. The binary's JS exports are its own: exports
# in the library would be linked into every binary (see README, Sizes).
#   scripts/wasm-piece.sh granola-embed dist/embed no-modules
set -euo pipefail
bin=${1:?usage: wasm-piece.sh BIN OUTDIR [web|no-modules]}
out=${2:?usage: wasm-piece.sh BIN OUTDIR [web|no-modules]}
target=${3:-web}
target_dir=${CARGO_TARGET_DIR:-target}
cargo build --profile wasm-release --target wasm32-unknown-unknown --bin "$bin"
mkdir -p "$out"
wasm-bindgen --target "$target" --no-typescript --out-dir "$out" --out-name "$bin" \
  "$target_dir/wasm32-unknown-unknown/wasm-release/$bin.wasm"
# The features current rustc emits for wasm32 (wasm-opt must be allowed to keep them).
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-mutable-globals --enable-multivalue \
  "$out/${bin}_bg.wasm" -o "$out/${bin}_bg.wasm"
