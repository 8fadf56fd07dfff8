#!/usr/bin/env python3
"""Copies docs.json, the rendered documentation pages of the release site, into Trunk's staging dir.

Run by Trunk as a post_build hook (Trunk.toml). The release wasm does not compile docs/**/*.md
in (see build.rs): the app fetches this file after start-up instead, so the pages stay out of
the first load. build.rs renders every page (Markdown -> HTML fragments and example blocks, so the
app needs no Markdown parser) and writes the file next to the release wasm, at
<target>/wasm32-unknown-unknown/wasm-release/docs.json. Format: [[path relative to docs/,
Markdown text, rendering], ...], sorted by path.
"""
import os
import shutil
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
out_dir = Path(os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else root / "dist"))
target = Path(os.environ.get("CARGO_TARGET_DIR") or root / "target")
if not target.is_absolute():
    target = root / target
src = target / "wasm32-unknown-unknown" / "wasm-release" / "docs.json"
if not src.is_file():
    sys.exit(f"docs-asset: {src} is missing (build.rs writes it in the wasm-release build)")
out_dir.mkdir(parents=True, exist_ok=True)
shutil.copyfile(src, out_dir / "docs.json")
print(f"docs-asset: {src} -> {out_dir / 'docs.json'}")
