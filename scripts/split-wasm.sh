#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): the last step of a release build. granola-split
# (tools/split, built by `make tools`) splits the app wasm into the first-load module and the
# modules loaded on demand (src/web/lazy.rs) when it was built with the granola_split cfg and
# --emit-relocs (`make dist` sets both), runs wasm-opt -Oz on every part, names each by its
# content hash and rewrites index.html. Debug builds (`trunk serve`) are left as they are.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || { echo "split-wasm: debug build, nothing to do"; exit 0; }
root=$(cd "$(dirname "$0")/.." && pwd)
tool="$root/target/tools/release/granola-split"
[ -x "$tool" ] || { echo "split-wasm: $tool is missing (make tools builds it)"; exit 1; }
exec "$tool" "$root/target/wasm32-unknown-unknown/wasm-release/granola-web.wasm" "${TRUNK_STAGING_DIR:?}"
