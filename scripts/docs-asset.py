#!/usr/bin/env python3
"""Writes docs.json, the documentation pages of the release site, into Trunk's staging dir.

Run by Trunk as a post_build hook (Trunk.toml). The release wasm does not compile docs/**/*.md
in (see build.rs): the app fetches this file after start-up instead, so the pages stay out of
the first load. Format: [[path relative to docs/, Markdown text], ...], sorted by path, the same
list build.rs compiles into the other builds.
"""
import json
import os
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
docs = root / "docs"
out_dir = Path(os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else root / "dist"))
pages = sorted(
    ("/".join(p.relative_to(docs).parts), p.read_text(encoding="utf-8"))
    for p in docs.rglob("*.md")
    if p.is_file()
)
out_dir.mkdir(parents=True, exist_ok=True)
(out_dir / "docs.json").write_text(json.dumps(pages, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
print(f"docs-asset: {len(pages)} pages -> {out_dir / 'docs.json'}")
