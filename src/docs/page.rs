//! Where a page belongs and how it is addressed: its index group, its hash route (the part after
//! `#/`), its title and summary, and how a relative `.md` link on it becomes a hash route.
//!
//! Routes:
//! - builtins: `reference/<name>` with the name from the H1 (`reference/map.get`);
//! - special forms / data types: `reference/special-forms/<file>`, `reference/data-types/<file>`;
//! - bridge pages: `bridge/<file>` (`bridge/run_simulation`);
//! - anything else (guides, indexes): `docs/<path without .md>`.

/// Where a page belongs in the index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    SpecialForms,
    DataTypes,
    /// Builtins of one group (`map`, `vla`, `math`, ...).
    Builtins(String),
    Bridge,
    /// Bridge pages that are not a tool (lifecycle, auth, errors, index).
    BridgeGuides,
    Guides,
}

impl Group {
    pub fn label(&self) -> String {
        match self {
            Group::SpecialForms => "Special forms".into(),
            Group::DataTypes => "Data types".into(),
            Group::Builtins(g) => format!("Builtins: {g}"),
            Group::Bridge => "Bridge tools".into(),
            Group::BridgeGuides => "Bridge guides".into(),
            Group::Guides => "Guides".into(),
        }
    }
}

/// Percent-encodes everything but unreserved characters and a few safe ones.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@<>".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Minimal `%XX` decoding for hash routes (`map.set%21` → `map.set!`).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The first `# ` heading outside code fences: (text without backticks, whether it was a single
/// code span).
pub fn h1(source: &str) -> Option<(String, bool)> {
    let mut in_fence = false;
    for line in source.lines() {
        let l = line.trim_start();
        if l.starts_with("```") || l.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(rest) = l.strip_prefix("# ") {
            let t = rest.trim();
            let is_code =
                t.len() >= 2 && t.starts_with('`') && t.ends_with('`') && t[1..t.len() - 1].find('`').is_none();
            return Some((t.replace('`', ""), is_code));
        }
    }
    None
}

/// The `**Signature:**` code, or else the first ordinary paragraph line (shortened).
pub fn summary(source: &str) -> String {
    for line in source.lines() {
        if let Some(rest) = line.trim().strip_prefix("**Signature:**") {
            return rest.trim().trim_matches('`').to_string();
        }
    }
    let mut in_fence = false;
    for line in source.lines() {
        let l = line.trim();
        if l.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || l.is_empty() || l.starts_with('#') || l.starts_with('|') || l.starts_with('-') {
            continue;
        }
        let mut s: String = l.replace('`', "").replace("**", "");
        if s.chars().count() > 140 {
            s = s.chars().take(137).collect::<String>() + "...";
        }
        return s;
    }
    String::new()
}

/// The index group, route (after `#/`), title (without backticks) and whether the title is a
/// code span, of the page at `path` (relative to `docs/`). `is_tool` says whether a bridge page's
/// file stem names a bridge tool (it only changes the group, never the route).
pub fn classify(path: &str, source: &str, is_tool: &dyn Fn(&str) -> bool) -> (Group, String, String, bool) {
    let stem = path.rsplit('/').next().unwrap_or(path).trim_end_matches(".md").to_string();
    let parts: Vec<&str> = path.split('/').collect();
    let group = match parts.as_slice() {
        ["reference", "special-forms", ..] => Group::SpecialForms,
        ["reference", "data-types", ..] => Group::DataTypes,
        ["reference", "builtins", g, _file] => Group::Builtins((*g).to_string()),
        ["bridge", file] if is_tool(file.trim_end_matches(".md")) => Group::Bridge,
        ["bridge", _] => Group::BridgeGuides,
        _ => Group::Guides,
    };
    let (title, title_is_code) = h1(source).unwrap_or((stem.clone(), false));
    let route = match &group {
        Group::Builtins(_) if title_is_code => format!("reference/{title}"),
        Group::Builtins(g) => format!("reference/builtins/{g}/{stem}"),
        Group::SpecialForms => format!("reference/special-forms/{stem}"),
        Group::DataTypes => format!("reference/data-types/{stem}"),
        Group::Bridge => format!("bridge/{stem}"),
        Group::BridgeGuides if stem == "index" => "docs/bridge/index".to_string(),
        Group::BridgeGuides => format!("bridge/{stem}"),
        Group::Guides => format!("docs/{}", path.trim_end_matches(".md")),
    };
    (group, route, title, title_is_code)
}

/// The link to a page of `group` at `route` (`#/reference/map.get`, `#/reference/null%3F`): a
/// builtin's name is percent-encoded so `?`, `/` and `#` survive the hash router.
pub fn href(group: &Group, route: &str) -> String {
    match route.strip_prefix("reference/") {
        Some(name) if matches!(group, Group::Builtins(_)) => format!("#/reference/{}", encode_segment(name)),
        _ => format!("#/{route}"),
    }
}

/// Rewrites a Markdown link found on page `from` into a hash route where it points at a page
/// (`link` gives a page's href by its docs path); external links and anchors are left alone.
pub fn rewrite_link(from: &str, href: &str, link: &dyn Fn(&str) -> Option<String>) -> String {
    if href.starts_with('#') || href.contains("://") || href.starts_with("mailto:") {
        return href.to_string();
    }
    let target = match href.split_once('#') {
        Some((t, _anchor)) => t,
        None => href,
    };
    if !target.ends_with(".md") {
        return href.to_string();
    }
    let path = resolve_path(from, target);
    if path == "reference/index.md" {
        if link(&path).is_some() {
            return "#/reference".into();
        }
    } else if let Some(h) = link(&path) {
        return h;
    }
    // Index pages that are generated by the site rather than written as Markdown.
    if path.ends_with("index.md") {
        if path.starts_with("bridge") {
            return "#/bridge".into();
        }
        return "#/reference".into();
    }
    // A page not (yet) written: route by its file name so it resolves once it exists.
    let stem = path.rsplit('/').next().unwrap_or(&path).trim_end_matches(".md");
    if path.starts_with("bridge/") {
        format!("#/bridge/{stem}")
    } else {
        format!("#/docs/{}", path.trim_end_matches(".md"))
    }
}

/// Resolves a relative link target of the page at `from` (a docs path) to a docs path.
pub fn resolve_path(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file itself
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Heading id: lower-case words joined by `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    out.trim_end_matches('-').to_string()
}
