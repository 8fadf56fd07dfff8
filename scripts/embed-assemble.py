#!/usr/bin/env python3
"""Assemble granola-embed.js in OUTDIR: the loader (www/embed/loader.js) with wasm-bindgen's
no-modules glue (OUTDIR/granola-embed.js, replaced) put inside its function, so the page gets
no global but `GranolaEmbed`; and granola-embed_bg.wasm.js, the wasm as base64 in a classic
script (browsers refuse fetch() on file:// pages). The full build's glue
(OUTDIR/granola-embed-full.js, if there) is wrapped the same way: it hands its init function to
the loader as window.__granolaEmbedFull; its wasm's base64 copy is granola-embed-full_bg.wasm.js.

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
    base64_script(out, "granola-embed", "__granolaEmbedWasm")
    full_path = out / "granola-embed-full.js"
    if full_path.exists():
        glue = full_path.read_text(encoding="utf-8")
        if "let wasm_bindgen" not in glue:
            sys.exit(f"{full_path}: not wasm-bindgen no-modules glue")
        full_path.write_text(
            "/*! granola-embed-full (Granola, MIT): the full evaluator, loaded by granola-embed.js */\n"
            "(function () {\n" + glue.strip() + "\nwindow.__granolaEmbedFull = wasm_bindgen;\n})();\n",
            encoding="utf-8",
        )
        base64_script(out, "granola-embed-full", "__granolaEmbedFullWasm")


def base64_script(out, name, var):
    wasm = (out / f"{name}_bg.wasm").read_bytes()
    b64 = base64.b64encode(wasm).decode("ascii")
    (out / f"{name}_bg.wasm.js").write_text(f'window.{var}="{b64}";\n', encoding="ascii")


if __name__ == "__main__":
    main()
