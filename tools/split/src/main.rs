//! `granola-split`: the last step of the site build (`make dist`, a Trunk `post_build` hook).
//!
//! usage: granola-split ORIGINAL_WASM STAGING_DIR
//!        granola-split --precompress DIST_DIR
//!
//! ORIGINAL_WASM is the app's wasm as the linker wrote it (built with `--emit-relocs` and the
//! `granola_split` cfg, see the Makefile); STAGING_DIR holds Trunk's output, whose `*_bg.wasm`
//! is that module after wasm-bindgen (Trunk's own wasm-opt is off for the site build).
//!
//! The app marks each module loaded on demand with one import/export pair (`web::lazy`). This
//! splits the wasm there: everything reachable from the first load stays in the main module;
//! what only a module's entry reaches moves to that module. Data is checked after
//! wasm-split-cli ([`place_data`]): what the main module's code or data points at stays there.
//! Then it
//! - runs `wasm-opt -Oz` on every part,
//! - names each part by a hash of its final bytes (`granola-web-<hash>_bg.wasm`,
//!   `granola-<module>-<hash>.wasm`), so every one of them can be cached forever,
//! - rewrites index.html: the main wasm's new name and integrity, and `window.granolaModules`
//!   (module name → file) for `web::lazy`, which fetches a module when a page first needs it,
//! - writes `granola-lazy.js`, the (empty) JS module the glue imports the markers from.
//!
//! With `--precompress` (`make dist`, after Trunk has finished) it writes a brotli (`.br`) and a
//! gzip (`.gz`) copy of every text and wasm file of the built site, which `granola serve` sends
//! to browsers that accept them.
//!
//! A build without markers (or without the cfg) is only optimised and renamed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

type Res<T> = Result<T, String>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: granola-split ORIGINAL_WASM STAGING_DIR | granola-split --precompress DIST_DIR");
        std::process::exit(2);
    }
    let done = if args[0] == "--precompress" {
        precompress(Path::new(&args[1])).map(|n| println!("granola-split: {n} file(s) precompressed (.br, .gz)"))
    } else {
        run(Path::new(&args[0]), Path::new(&args[1]))
    };
    if let Err(e) = done {
        eprintln!("granola-split: {e}");
        std::process::exit(1);
    }
}

fn run(original_path: &Path, dir: &Path) -> Res<()> {
    let bg = find_one(dir, |n| n.starts_with("granola-web-") && n.ends_with("_bg.wasm"))?;
    let index_path = dir.join("index.html");
    let mut index = fs::read_to_string(&index_path).map_err(|e| format!("{}: {e}", index_path.display()))?;
    let original = fs::read(original_path).map_err(|e| format!("{}: {e}", original_path.display()))?;
    let bindgened = fs::read(&bg).map_err(|e| format!("{}: {e}", bg.display()))?;

    let has_markers = String::from_utf8_lossy(&bindgened).contains("__wasm_split_00___");
    let (main, modules): (Vec<u8>, Vec<(String, Vec<u8>)>) = if has_markers {
        let splitter = wasm_split_cli::Splitter::new(&original, &bindgened).map_err(|e| format!("split: {e:#}"))?;
        let out = splitter.emit().map_err(|e| format!("split: {e:#}"))?;
        // GRANOLA_SPLIT_DEBUG=DIR keeps the parts before wasm-opt (with their names) for analysis.
        if let Some(d) = std::env::var_os("GRANOLA_SPLIT_DEBUG") {
            let d = PathBuf::from(d);
            fs::create_dir_all(&d).map_err(|e| e.to_string())?;
            fs::write(d.join("main.wasm"), &out.main.bytes).map_err(|e| e.to_string())?;
            for m in &out.modules {
                fs::write(d.join(format!("{}.wasm", m.module_name)), &m.bytes).map_err(|e| e.to_string())?;
            }
        }
        for m in &out.modules {
            if !m.relies_on_chunks.is_empty() {
                return Err(format!("module {} relies on shared chunks, which web::lazy does not load", m.module_name));
            }
        }
        // Where data lives: wasm-split-cli moves data it finds reachable only from a module
        // (zeroing it in the main module), but it misses some references from the first load
        // (measured: a string the JS API's eval result needs was zeroed). `place_data` checks
        // its choice against the main module's code and data and keeps in the main module
        // everything they point at; the module gets only the rest.
        if out.modules.len() != 1 {
            return Err(format!("{} modules: granola-split places data for exactly one", out.modules.len()));
        }
        let m = out.modules.into_iter().next().ok_or("no module")?;
        let (main, module) = place_data(&bindgened, &out.main.bytes, &m.bytes)?;
        (main, vec![(m.module_name, module)])
    } else {
        (bindgened.clone(), Vec::new())
    };

    let old_bg_name = file_name(&bg);
    fs::remove_file(&bg).map_err(|e| e.to_string())?;
    let main = wasm_opt(dir, "main", &main)?;
    let main_name = format!("granola-web-{}_bg.wasm", short_hash(&main));
    fs::write(dir.join(&main_name), &main).map_err(|e| e.to_string())?;
    let mut rows = vec![(main_name.clone(), main.len())];

    let mut manifest = BTreeMap::new();
    for (name, bytes) in &modules {
        if manifest.contains_key(name) {
            return Err(format!("two split points name the module {name}: one entry per module"));
        }
        let bytes = wasm_opt(dir, name, bytes)?;
        let file = format!("granola-{name}-{}.wasm", short_hash(&bytes));
        fs::write(dir.join(&file), &bytes).map_err(|e| e.to_string())?;
        rows.push((file.clone(), bytes.len()));
        manifest.insert(name.clone(), file);
    }

    // index.html: the main wasm's new name (Trunk's preload link and init call) and integrity.
    if !index.contains(&old_bg_name) {
        return Err(format!("index.html does not mention {old_bg_name}"));
    }
    index = index.replace(&old_bg_name, &main_name);
    index = set_integrity(&index, &main_name, &main);
    let modules_js = manifest.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect::<Vec<_>>().join(",");
    let script = format!(
        "<script>/* modules loaded on demand (web::lazy), written by granola-split */ window.granolaModules = {{{modules_js}}};</script>\n"
    );
    let Some(at) = index.find("</head>") else { return Err("index.html has no </head>".into()) };
    index.insert_str(at, &script);
    fs::write(&index_path, index).map_err(|e| e.to_string())?;
    fs::write(
        dir.join("granola-lazy.js"),
        "// The wasm's markers for modules loaded on demand are imports from this (empty) module;\n\
         // granola-split replaces them in the wasm, so nothing is imported from here.\nexport {};\n",
    )
    .map_err(|e| e.to_string())?;

    println!("granola-split: {} module(s) loaded on demand", modules.len());
    for (name, size) in rows {
        println!("  {name:<48} {size:>9} bytes");
    }
    Ok(())
}

const DATA_SECTION: u8 = 11;

fn leb_u32(bytes: &[u8], at: &mut usize) -> Res<u32> {
    let (mut value, mut shift) = (0u32, 0);
    loop {
        let b = *bytes.get(*at).ok_or("truncated wasm")?;
        *at += 1;
        value |= u32::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
        if shift > 28 {
            return Err("bad LEB128 in wasm".into());
        }
    }
}

/// The sections of a wasm module: (id, whole section bytes including its header).
fn sections(bytes: &[u8]) -> Res<Vec<(u8, &[u8])>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err("not a wasm module".into());
    }
    let mut out = Vec::new();
    let mut at = 8;
    while at < bytes.len() {
        let start = at;
        let id = bytes[at];
        at += 1;
        let len = leb_u32(bytes, &mut at)? as usize;
        let end = at.checked_add(len).filter(|&e| e <= bytes.len()).ok_or("truncated wasm section")?;
        out.push((id, &bytes[start..end]));
        at = end;
    }
    Ok(out)
}

/// The section with this id (header included), if any.
fn section(bytes: &[u8], id: u8) -> Res<Option<Vec<u8>>> {
    Ok(sections(bytes)?.into_iter().find(|(i, _)| *i == id).map(|(_, s)| s.to_vec()))
}

/// `bytes` with its section `id` replaced by `with` (or removed when `None`).
fn replace_section(bytes: &[u8], id: u8, with: Option<Vec<u8>>) -> Res<Vec<u8>> {
    let mut out = bytes[..8].to_vec();
    let mut replaced = false;
    for (i, s) in sections(bytes)? {
        if i == id {
            if let Some(w) = &with {
                out.extend_from_slice(w);
            }
            replaced = true;
        } else {
            out.extend_from_slice(s);
        }
    }
    if !replaced && with.is_some() {
        return Err(format!("no section {id} to replace"));
    }
    Ok(out)
}

/// The active data segments of a module: (address, bytes).
fn data_segments(bytes: &[u8]) -> Res<Vec<(u32, Vec<u8>)>> {
    let Some(sec) = section(bytes, DATA_SECTION)? else { return Ok(Vec::new()) };
    let mut at = 1;
    let _size = leb_u32(&sec, &mut at)?;
    let count = leb_u32(&sec, &mut at)?;
    let mut out = Vec::new();
    for _ in 0..count {
        let flags = leb_u32(&sec, &mut at)?;
        if flags != 0 || sec.get(at) != Some(&0x41) {
            return Err("a data segment that is not active at an i32.const address".into());
        }
        at += 1;
        // sleb128 i32
        let (mut value, mut shift) = (0i64, 0);
        loop {
            let b = *sec.get(at).ok_or("truncated data section")?;
            at += 1;
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if b & 0x40 != 0 && shift < 64 {
                    value -= 1 << shift;
                }
                break;
            }
        }
        if sec.get(at) != Some(&0x0b) {
            return Err("a data segment whose address is not a constant".into());
        }
        at += 1;
        let len = leb_u32(&sec, &mut at)? as usize;
        let data = sec.get(at..at + len).ok_or("truncated data segment")?.to_vec();
        at += len;
        out.push((value as u32, data));
    }
    Ok(out)
}

fn push_leb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn push_sleb(out: &mut Vec<u8>, mut v: i64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        let done = (v == 0 && b & 0x40 == 0) || (v == -1 && b & 0x40 != 0);
        out.push(if done { b } else { b | 0x80 });
        if done {
            return;
        }
    }
}

/// A data section of active segments in memory 0.
fn data_section(segments: &[(u32, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    push_leb(&mut body, segments.len() as u64);
    for (addr, bytes) in segments {
        body.push(0);
        body.push(0x41);
        push_sleb(&mut body, i64::from(*addr as i32));
        body.push(0x0b);
        push_leb(&mut body, bytes.len() as u64);
        body.extend_from_slice(bytes);
    }
    let mut sec = vec![DATA_SECTION];
    push_leb(&mut sec, body.len() as u64);
    sec.extend(body);
    sec
}

/// `bytes` with `section` (an id + body) put where its id belongs: replacing the section with
/// that id, else before the first custom section after the code section (or at the end).
fn put_section(bytes: &[u8], section: Vec<u8>) -> Res<Vec<u8>> {
    let id = section[0];
    let secs = sections(bytes)?;
    if secs.iter().any(|(i, _)| *i == id) {
        return replace_section(bytes, id, Some(section));
    }
    let mut out = bytes[..8].to_vec();
    let mut placed = false;
    for (i, s) in secs {
        if !placed && (i > id || (i == 0 && out.len() > 8 && id == DATA_SECTION)) {
            out.extend_from_slice(&section);
            placed = true;
        }
        out.extend_from_slice(s);
    }
    if !placed {
        out.extend_from_slice(&section);
    }
    Ok(out)
}

/// Every constant address the code of `module` names: `i32.const` operands and the offsets of
/// loads and stores (a static's address is often folded into the offset).
fn code_addresses(module: &[u8]) -> Res<Vec<u32>> {
    use wasmparser::{Operator as O, Parser, Payload};
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(module) {
        let Payload::CodeSectionEntry(body) = payload.map_err(|e| e.to_string())? else { continue };
        let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
        while !ops.eof() {
            match ops.read().map_err(|e| e.to_string())? {
                O::I32Const { value } => out.push(value as u32),
                O::I32Load { memarg }
                | O::I64Load { memarg }
                | O::F32Load { memarg }
                | O::F64Load { memarg }
                | O::I32Load8S { memarg }
                | O::I32Load8U { memarg }
                | O::I32Load16S { memarg }
                | O::I32Load16U { memarg }
                | O::I64Load8S { memarg }
                | O::I64Load8U { memarg }
                | O::I64Load16S { memarg }
                | O::I64Load16U { memarg }
                | O::I64Load32S { memarg }
                | O::I64Load32U { memarg }
                | O::I32Store { memarg }
                | O::I64Store { memarg }
                | O::F32Store { memarg }
                | O::F64Store { memarg }
                | O::I32Store8 { memarg }
                | O::I32Store16 { memarg }
                | O::I64Store8 { memarg }
                | O::I64Store16 { memarg }
                | O::I64Store32 { memarg } => out.push(memarg.offset as u32),
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The address range of the linker's `.rodata` segment (by its name in the name section).
fn rodata_range(module: &[u8], segments: &[(u32, Vec<u8>)]) -> Res<Option<std::ops::Range<u32>>> {
    use wasmparser::{KnownCustom, Name, Parser, Payload};
    for payload in Parser::new(0).parse_all(module) {
        let Payload::CustomSection(c) = payload.map_err(|e| e.to_string())? else { continue };
        let KnownCustom::Name(names) = c.as_known() else { continue };
        for sub in names {
            let Name::Data(map) = sub.map_err(|e| e.to_string())? else { continue };
            for naming in map {
                let naming = naming.map_err(|e| e.to_string())?;
                if naming.name == ".rodata" {
                    return Ok(segments.get(naming.index as usize).map(|(a, d)| *a..*a + d.len() as u32));
                }
            }
        }
    }
    Ok(None)
}

/// Decides where the app's data lives after the split, from the linker's layout (the data of
/// `bindgened`) and wasm-split-cli's choice (what it zeroed in `main`): a zeroed run stays in
/// the module only if nothing the main module keeps points into it (a constant address in its
/// code, or a pointer-sized word in its data, followed transitively through restored runs);
/// every other run is restored in the main module. The module then initialises exactly the
/// runs the main module lacks, so it never writes memory the first load uses. Returns the new
/// (main, module).
fn place_data(bindgened: &[u8], main: &[u8], module: &[u8]) -> Res<(Vec<u8>, Vec<u8>)> {
    let original = data_segments(bindgened)?;
    let lo = original.iter().map(|(a, _)| *a).min().ok_or("no data")?;
    let hi = original.iter().map(|(a, d)| *a + d.len() as u32).max().ok_or("no data")?;
    let image = |segs: &[(u32, Vec<u8>)]| -> Res<Vec<u8>> {
        let mut img = vec![0u8; (hi - lo) as usize];
        for (a, d) in segs {
            let start = a.checked_sub(lo).ok_or("data below the linker's data")? as usize;
            img.get_mut(start..start + d.len()).ok_or("data beyond the linker's data")?.copy_from_slice(d);
        }
        Ok(img)
    };
    let full = image(&original)?;
    let mut kept = image(&data_segments(main)?)?;
    // Runs where the main module differs from the linker's data (what wasm-split-cli zeroed).
    let mut runs: Vec<(u32, u32)> = Vec::new();
    let mut i = 0;
    while i < full.len() {
        if kept[i] != full[i] {
            let start = i;
            while i < full.len() && kept[i] != full[i] {
                i += 1;
            }
            runs.push((lo + start as u32, lo + i as u32));
        } else {
            i += 1;
        }
    }
    let run_of = |addr: u32| -> Option<usize> {
        let k = runs.partition_point(|(s, _)| *s <= addr).checked_sub(1)?;
        (addr < runs[k].1).then_some(k)
    };
    let mut restore = vec![false; runs.len()];
    let mut todo = Vec::new();
    let mut mark = |addr: u32, todo: &mut Vec<usize>| {
        if let Some(k) = run_of(addr) {
            if !restore[k] {
                restore[k] = true;
                todo.push(k);
            }
        }
    };
    for addr in code_addresses(main)? {
        mark(addr, &mut todo);
    }
    for w in kept.chunks_exact(4) {
        mark(u32::from_le_bytes([w[0], w[1], w[2], w[3]]), &mut todo);
    }
    while let Some(k) = todo.pop() {
        let (s, e) = runs[k];
        let (s, e) = ((s - lo) as usize & !3, (e - lo) as usize);
        for w in full[s..e.min(full.len())].chunks_exact(4) {
            mark(u32::from_le_bytes([w[0], w[1], w[2], w[3]]), &mut todo);
        }
    }
    let (mut restored_bytes, mut moved_bytes) = (0, 0);
    let mut moved_runs: Vec<(u32, u32)> = Vec::new();
    for (k, &(s, e)) in runs.iter().enumerate() {
        let range = (s - lo) as usize..(e - lo) as usize;
        if restore[k] {
            kept[range.clone()].copy_from_slice(&full[range.clone()]);
            restored_bytes += range.len();
        } else {
            moved_bytes += range.len();
            moved_runs.push((s, e));
        }
    }
    // One segment per run would cost ~6 bytes each (thousands of runs: zero bytes inside a
    // moved string split it). In read-only data (the linker's .rodata), nearby runs become one
    // segment: the bytes between them are the linker's own, so writing them again changes
    // nothing. Elsewhere (mutable statics) each run stays exact.
    let rodata = rodata_range(bindgened, &original)?;
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (s, e) in moved_runs {
        match merged.last_mut() {
            Some(last) if s - last.1 <= 64 && rodata.as_ref().is_some_and(|r| r.start <= last.0 && e <= r.end) => {
                last.1 = e;
            }
            _ => merged.push((s, e)),
        }
    }
    let moved: Vec<(u32, &[u8])> =
        merged.iter().map(|&(s, e)| (s, &full[(s - lo) as usize..(e - lo) as usize])).collect();
    println!(
        "granola-split: data: {moved_bytes} bytes go with the module ({} segments); {} runs ({restored_bytes} bytes) the first load points at stay",
        moved.len(),
        restore.iter().filter(|r| **r).count()
    );
    let main = replace_section(main, DATA_SECTION, Some(data_section(&[(lo, &kept[..])])))?;
    let module = put_section(module, data_section(&moved))?;
    Ok((main, module))
}

/// Writes `NAME.br` (brotli, quality 11) and `NAME.gz` (gzip -9) next to every file of the site
/// worth compressing, so `granola serve` sends the smallest encoding the browser accepts without
/// compressing on each request. Returns how many files it compressed.
fn precompress(dir: &Path) -> Res<usize> {
    use std::io::Write as _;
    let mut n = 0;
    let mut entries: Vec<PathBuf> = fs::read_dir(dir).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = file_name(&path);
        let ext = name.rsplit('.').next().unwrap_or("");
        if !path.is_file()
            || name.starts_with('.')
            || !["wasm", "js", "css", "html", "json", "svg", "txt"].contains(&ext)
        {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut br = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
            brotli::BrotliCompress(&mut &bytes[..], &mut br, &params).map_err(|e| format!("brotli {name}: {e}"))?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        fs::write(dir.join(format!("{name}.br")), br).map_err(|e| e.to_string())?;
        fs::write(dir.join(format!("{name}.gz")), gz).map_err(|e| e.to_string())?;
        n += 1;
    }
    Ok(n)
}

/// `wasm-opt -Oz` (npm binaryen 132, first on PATH) with the features rustc's wasm32 target uses.
fn wasm_opt(dir: &Path, label: &str, bytes: &[u8]) -> Res<Vec<u8>> {
    let tmp_in = dir.join(format!(".split-{label}.in.wasm"));
    let tmp_out = dir.join(format!(".split-{label}.out.wasm"));
    fs::write(&tmp_in, bytes).map_err(|e| e.to_string())?;
    let status = Command::new("wasm-opt")
        .args([
            "-Oz",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(&tmp_in)
        .arg("-o")
        .arg(&tmp_out)
        .status()
        .map_err(|e| format!("wasm-opt: {e} (is node_modules/.bin on PATH?)"))?;
    if !status.success() {
        return Err(format!("wasm-opt failed on {label}"));
    }
    let out = fs::read(&tmp_out).map_err(|e| e.to_string())?;
    let _ = fs::remove_file(&tmp_in);
    let _ = fs::remove_file(&tmp_out);
    Ok(out)
}

fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Replace the `integrity` attribute of the tag that references `name` (Trunk's preload link).
fn set_integrity(html: &str, name: &str, bytes: &[u8]) -> String {
    let sri = format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)));
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(name) {
        let tag_start = rest[..i].rfind('<').unwrap_or(0);
        let tag_end = rest[i..].find('>').map(|j| i + j).unwrap_or(rest.len());
        let tag = &rest[tag_start..tag_end];
        out.push_str(&rest[..tag_start]);
        match tag.find("integrity=\"") {
            Some(a) => {
                let v = a + "integrity=\"".len();
                let e = tag[v..].find('"').map(|k| v + k).unwrap_or(tag.len());
                out.push_str(&tag[..v]);
                out.push_str(&sri);
                out.push_str(&tag[e..]);
            }
            None => out.push_str(tag),
        }
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    out
}

fn find_one(dir: &Path, want: impl Fn(&str) -> bool) -> Res<PathBuf> {
    let mut found = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
        if want(&e.file_name().to_string_lossy()) {
            found.push(e.path());
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!("expected one app wasm in {}, found {n}", dir.display())),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
