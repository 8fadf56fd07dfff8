#!/usr/bin/env bash
# Build the embed (runnable muslisp snippets for other sites; docs/reference/guides/embed.md)
# into OUTDIR (default dist/embed), self-contained, stable file names:
#   granola-embed.js          the script a page includes: loader + wasm-bindgen glue (classic script)
#   granola-embed_bg.wasm     the small evaluator (fetched next to the script)
#   granola-embed_bg.wasm.js  the same bytes in a classic script, for file:// pages
#   granola-embed-full.js, granola-embed-full_bg.wasm(.js)
#                             the full evaluator (every front end), for pages that need it
#   granola-editor.js         the CodeMirror bundle (www/editor/src) as a classic script, on first edit
#   demo.html, mkdocs.html    the demo pages
set -euo pipefail
out=${1:-dist/embed}
rm -rf "$out"
mkdir -p "$out"
scripts/wasm-piece.sh granola-embed "$out" no-modules
scripts/wasm-piece.sh granola-embed-full "$out" no-modules
python3 scripts/embed-assemble.py www/embed/loader.js "$out"
esbuild www/editor/src/editor.js --bundle --format=iife --minify --target=es2020 --legal-comments=none \
  --log-level=warning --outfile="$out/granola-editor.js"
cp www/embed/demo.html www/embed/mkdocs.html "$out/"
ls -l "$out"
