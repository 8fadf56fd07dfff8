#!/usr/bin/env python3
"""Assemble granola-embed.js in OUTDIR: the loader (www/embed/loader.js) with wasm-bindgen's
no-modules glue (OUTDIR/granola-embed.js, replaced) put inside its function, so the page gets
no global but `GranolaEmbed`; and granola-embed_bg.wasm.js, the wasm as base64 in a classic
script (browsers refuse fetch() on file:// pages).

usage: embed-assemble.py LOADER OUTDIR
"""
import base64
import pathlib
import sys

MARK = "/*__WASM_BINDGEN_GLUE__*/"


def main():
    loader_path, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    loader = loader_path.read_text(encoding="utf-8")
    if loader.count(MARK) != 1:
        sys.exit(f"{loader_path}: expected one {MARK}")
    glue_path = out / "granola-embed.js"
    glue = glue_path.read_text(encoding="utf-8")
    if "let wasm_bindgen" not in glue:
        sys.exit(f"{glue_path}: not wasm-bindgen no-modules glue")
    glue_path.write_text(loader.replace(MARK, glue.strip()), encoding="utf-8")
    wasm = (out / "granola-embed_bg.wasm").read_bytes()
    b64 = base64.b64encode(wasm).decode("ascii")
    (out / "granola-embed_bg.wasm.js").write_text(
        f'window.__granolaEmbedWasm="{b64}";\n', encoding="ascii"
    )


if __name__ == "__main__":
    main()
