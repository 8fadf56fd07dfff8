//! The `docs/` tree on disk: every Markdown page, by its path relative to `docs/`.

use std::path::{Path, PathBuf};

use crate::lang::fnv;

/// One page file: its path relative to `docs/` (`/`-separated) and on disk.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageFile {
    pub rel: String,
    pub path: PathBuf,
}

/// Every `*.md` file under `root`, sorted by relative path. An unreadable or missing `root`
/// gives an error (callers that check the docs must not pass on an empty tree).
pub fn pages(root: &Path) -> Result<Vec<PageFile>, String> {
    let mut out = Vec::new();
    walk(root, root, &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<PageFile>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, root, out)?;
        } else if path.extension().and_then(|e| e.to_str()) == Some("md") {
            if let Ok(rel) = path.strip_prefix(root) {
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(PageFile { rel: rel.join("/"), path });
            }
        }
    }
    Ok(())
}

/// Reads every page under `root`: (path relative to `root`, text).
pub fn read(root: &Path) -> Result<Vec<(String, String)>, String> {
    pages(root)?
        .into_iter()
        .map(|p| std::fs::read_to_string(&p.path).map(|t| (p.rel, t)).map_err(|e| format!("{}: {e}", p.path.display())))
        .collect()
}

/// A content hash of named texts (FNV-1a over each name and text, NUL-separated), as 16 hex digits.
pub fn content_hash<'a>(items: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let bytes = items
        .into_iter()
        .flat_map(|(name, text)| name.as_bytes().iter().copied().chain([0u8]).chain(text.iter().copied()).chain([0u8]));
    format!("{:016x}", fnv::fnv1a64_from(fnv::STANDARD_BASIS, bytes))
}
