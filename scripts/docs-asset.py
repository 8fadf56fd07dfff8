#!/usr/bin/env python3
"""Copies docs.json, the rendered documentation pages of the site build, into Trunk's staging dir.

Run by Trunk as a post_build hook (Trunk.toml). In the site build (`make dist`) the environment
variable GRANOLA_DOCS_JSON names the file build.rs wrote the pages to, instead of compiling them
into the wasm ([[path relative to docs/, Markdown text, rendering], ...], sorted by path); this
copies it to dist/docs.json, which the app fetches after start-up. Without the variable the
pages are compiled into the wasm (a plain `trunk build` or `trunk serve`) and there is nothing
to copy.
"""
import os
import shutil
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
out_dir = Path(os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else root / "dist"))
asset = os.environ.get("GRANOLA_DOCS_JSON")
if not asset:
    print("docs-asset: GRANOLA_DOCS_JSON not set: the docs pages are compiled into the wasm")
    sys.exit(0)
src = Path(asset)
if not src.is_file():
    sys.exit(f"docs-asset: {src} is missing (build.rs writes it when GRANOLA_DOCS_JSON is set)")
out_dir.mkdir(parents=True, exist_ok=True)
shutil.copyfile(src, out_dir / "docs.json")
print(f"docs-asset: {src} -> {out_dir / 'docs.json'}")
