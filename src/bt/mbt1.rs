//! MBT1, the reference's binary definition format (`bt.save` / `bt.load`), byte for byte,
//! its structural validator (shared with `bt.export-dot`), and DOT export.
//!
//! Layout (little-endian): a 20-byte header (`MBT1`, u32 version 1, u8 endianness marker 1,
//! 3 reserved bytes, u32 node count, u32 root id), then per node: u8 kind, 3 reserved,
//! i64 int param, u32 child count + u32 child ids, str leaf name (u32 length + bytes),
//! u32 arg count + args (u8 arg kind + payload). Reserved bytes and trailing data are
//! ignored on load, as in the reference.
//!
//! Deliberate difference: the reference accepts cycles (and then crashes when it ticks);
//! here a cycle is a load error, and so is a graph whose shared children would expand to more
//! than [`MAX_EXPANDED_NODES`] visits per walk.

use super::fmt;
use super::model::{Class, Def, Kind, Lit, Node, Origin};

const MAX_COUNT: u32 = 1_000_000;
const MAX_STRING: u32 = 16_000_000;
/// The most nodes a walk from the root may visit when shared children are expanded.
pub const MAX_EXPANDED_NODES: u64 = 4_000_000;

/// Serialise a definition.
pub fn save(def: &Def) -> Vec<u8> {
    let mut out = Vec::with_capacity(20 + def.nodes.len() * 32);
    out.extend_from_slice(b"MBT1");
    out.extend_from_slice(&1u32.to_le_bytes());
    out.push(1);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&(def.nodes.len() as u32).to_le_bytes());
    out.extend_from_slice(&def.root.to_le_bytes());
    for n in &def.nodes {
        out.push(n.kind.code());
        out.extend_from_slice(&[0, 0, 0]);
        out.extend_from_slice(&n.int_param.to_le_bytes());
        out.extend_from_slice(&(n.children.len() as u32).to_le_bytes());
        for c in &n.children {
            out.extend_from_slice(&c.to_le_bytes());
        }
        put_str(&mut out, &n.name);
        out.extend_from_slice(&(n.args.len() as u32).to_le_bytes());
        for a in &n.args {
            out.push(a.code());
            match a {
                Lit::Nil => {}
                Lit::Bool(b) => out.push(u8::from(*b)),
                Lit::Int(i) => out.extend_from_slice(&i.to_le_bytes()),
                Lit::Float(f) => out.extend_from_slice(&f.to_bits().to_le_bytes()),
                Lit::Sym(s) | Lit::Str(s) => put_str(&mut out, s),
            }
        }
    }
    out
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

const EOF: &str = "unexpected end of file";

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8], String> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(EOF)?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn string(&mut self) -> Result<String, String> {
        let len = self.u32()?;
        if len > MAX_STRING {
            return Err("string length is too large".into());
        }
        let b = self.take(len as usize)?;
        Ok(String::from_utf8_lossy(b).into_owned())
    }
}

/// Parse and validate an MBT1 file. `Err` is the message after the `bt.load: ` prefixes.
pub fn load(bytes: &[u8]) -> Result<Def, String> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(4)? != b"MBT1" {
        return Err("invalid header (expected MBT1)".into());
    }
    let version = r.u32()?;
    if version != 1 {
        return Err(format!("unsupported format version {version}"));
    }
    if r.u8()? != 1 {
        return Err("unsupported endianness marker".into());
    }
    r.take(3)?;
    let count = r.u32()?;
    if count == 0 {
        return Err("file has no nodes".into());
    }
    if count > MAX_COUNT {
        return Err("node count is too large".into());
    }
    let root = r.u32()?;
    let mut nodes = Vec::with_capacity(count.min(4096) as usize);
    for _ in 0..count {
        let kind = Kind::from_code(r.u8()?).ok_or("invalid node kind")?;
        r.take(3)?;
        let int_param = r.u64()? as i64;
        let nc = r.u32()?;
        if nc > MAX_COUNT {
            return Err("child count is too large".into());
        }
        let mut children = Vec::with_capacity(nc.min(4096) as usize);
        for _ in 0..nc {
            children.push(r.u32()?);
        }
        let name = r.string()?;
        let na = r.u32()?;
        if na > MAX_COUNT {
            return Err("arg count is too large".into());
        }
        let mut args = Vec::with_capacity(na.min(4096) as usize);
        for _ in 0..na {
            let a = match r.u8()? {
                0 => Lit::Nil,
                1 => Lit::Bool(r.u8()? != 0),
                2 => Lit::Int(r.u64()? as i64),
                3 => Lit::Float(f64::from_bits(r.u64()?)),
                4 => Lit::Sym(r.string()?),
                5 => Lit::Str(r.string()?),
                _ => return Err("invalid arg kind".into()),
            };
            args.push(a);
        }
        nodes.push(Node { kind, children, name, args, int_param });
    }
    let def = Def { nodes, root, origin: Origin::LoadBinary, canonical: None };
    validate(&def)?;
    check_graph(&def)?;
    Ok(def)
}

/// The reference's structural validation (messages without prefix).
pub fn validate(def: &Def) -> Result<(), String> {
    let n = def.nodes.len() as u32;
    if def.root >= n {
        return Err("root node id out of range".into());
    }
    for node in &def.nodes {
        if node.children.iter().any(|&c| c >= n) {
            return Err("child node id out of range".into());
        }
        match node.kind.class() {
            Class::Composite => {
                if node.children.is_empty() {
                    return Err("composite nodes require at least one child".into());
                }
            }
            Class::Decorator => {
                if node.children.len() != 1 {
                    return Err("decorator nodes require exactly one child".into());
                }
                if node.kind == Kind::Slot && node.name.is_empty() {
                    return Err("slot nodes require a name".into());
                }
            }
            Class::Leaf => {
                if node.name.is_empty() {
                    return Err("cond/act nodes require a leaf name".into());
                }
            }
            Class::Utility => {
                if !node.children.is_empty() {
                    return Err("utility nodes cannot have children".into());
                }
            }
            Class::Host => {
                if !node.children.is_empty() {
                    return Err("planner/vla nodes cannot have children".into());
                }
            }
        }
    }
    Ok(())
}

/// Reject cycles, and DAGs whose walk from the root would visit too many nodes.
pub fn check_graph(def: &Def) -> Result<(), String> {
    let n = def.nodes.len();
    let walked = |_: Kind| true;
    // Iterative DFS colouring over the whole graph: 0 new, 1 on the path, 2 done.
    let mut colour = vec![0u8; n];
    let mut order = Vec::with_capacity(n);
    for start in 0..n {
        if colour[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        colour[start] = 1;
        while let Some(&mut (v, ref mut i)) = stack.last_mut() {
            let node = &def.nodes[v];
            let kids: &[u32] = if walked(node.kind) { &node.children } else { &[] };
            if *i < kids.len() {
                let c = kids[*i] as usize;
                *i += 1;
                match colour[c] {
                    0 => {
                        colour[c] = 1;
                        stack.push((c, 0));
                    }
                    1 => return Err("node graph has a cycle".into()),
                    _ => {}
                }
            } else {
                colour[v] = 2;
                order.push(v);
                stack.pop();
            }
        }
    }
    // `order` is a post-order: children before parents. Count expanded sizes.
    let mut size = vec![0u64; n];
    for &v in &order {
        let node = &def.nodes[v];
        let mut s = 1u64;
        if walked(node.kind) {
            for &c in &node.children {
                s = s.saturating_add(size[c as usize]);
            }
        }
        size[v] = s.min(MAX_EXPANDED_NODES + 1);
    }
    if size[def.root as usize] > MAX_EXPANDED_NODES {
        return Err(format!("tree too large: shared nodes expand to more than {MAX_EXPANDED_NODES} nodes"));
    }
    Ok(())
}

/// `bt.export-dot` text (after [`validate`] has passed).
pub fn dot(def: &Def) -> String {
    let mut out = String::from(
        "digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n",
    );
    for (i, n) in def.nodes.iter().enumerate() {
        let mut label = format!("id={i}\n");
        if !n.name.is_empty() {
            label.push_str(&n.name);
            label.push('\n');
        }
        match n.kind {
            Kind::Repeat | Kind::Retry => label.push_str(&format!("[{} {}]", n.kind.dsl_name(), n.int_param)),
            k => label.push_str(&format!("[{}]", k.dsl_name())),
        }
        out.push_str(&format!("  n{i} [label=\""));
        fmt::push_json_escaped(&mut out, &label);
        out.push('"');
        if i as u32 == def.root {
            out.push_str(", style=\"bold\"");
        }
        out.push_str("];\n");
    }
    for (i, n) in def.nodes.iter().enumerate() {
        for c in &n.children {
            out.push_str(&format!("  n{i} -> n{c};\n"));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bt::compile::tests::compile_str;

    fn def(src: &str) -> Def {
        let (nodes, root) = compile_str(src).unwrap();
        Def { nodes, root, origin: Origin::Form, canonical: None }
    }

    #[test]
    fn the_reference_probe_file_byte_for_byte() {
        let d = def("(invert (act grasp 7 -1.5 \"s\" k #t nil))");
        let bytes = save(&d);
        let want: &[u8] = &[
            0x4d, 0x42, 0x54, 0x31, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x05, 0x00, 0x00, 0x00, 0x67, 0x72, 0x61, 0x73, 0x70, 0x06, 0x00, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0xbf, 0x05, 0x01, 0x00, 0x00, 0x00,
            0x73, 0x04, 0x01, 0x00, 0x00, 0x00, 0x6b, 0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00,
        ];
        assert_eq!(bytes.len(), 110);
        assert_eq!(bytes, want);
        let back = load(&bytes).unwrap();
        assert_eq!(back.nodes, d.nodes);
        assert_eq!(back.root, d.root);
    }

    #[test]
    fn load_errors() {
        let good = save(&def("(seq (succeed) (fail))"));
        assert_eq!(load(b"MBT").unwrap_err(), "unexpected end of file");
        assert_eq!(load(b"XXXX").unwrap_err(), "invalid header (expected MBT1)");
        let mut v = good.clone();
        v[4] = 2;
        assert_eq!(load(&v).unwrap_err(), "unsupported format version 2");
        let mut v = good.clone();
        v[8] = 0;
        assert_eq!(load(&v).unwrap_err(), "unsupported endianness marker");
        let mut v = good.clone();
        v[12..16].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(load(&v).unwrap_err(), "file has no nodes");
        let mut v = good.clone();
        v[12..16].copy_from_slice(&2_000_000u32.to_le_bytes());
        assert_eq!(load(&v).unwrap_err(), "node count is too large");
        let mut v = good.clone();
        v[16..20].copy_from_slice(&9u32.to_le_bytes());
        assert_eq!(load(&v).unwrap_err(), "root node id out of range");
        let mut v = good.clone();
        v[20] = 20;
        assert_eq!(load(&v).unwrap_err(), "invalid node kind");
        assert_eq!(load(&good[..good.len() - 1]).unwrap_err(), "unexpected end of file");
        let mut trailing = good.clone();
        trailing.extend_from_slice(b"junk");
        assert!(load(&trailing).is_ok());
    }

    #[test]
    fn cycles_are_rejected() {
        let mut d = def("(seq (succeed) (invert (fail)))");
        // node 2 = invert; point it at the seq (node 3).
        d.nodes[2].children = vec![3];
        assert_eq!(load(&save(&d)).unwrap_err(), "node graph has a cycle");
        let mut d = def("(invert (succeed))");
        d.nodes[1].children = vec![1];
        assert_eq!(load(&save(&d)).unwrap_err(), "node graph has a cycle");
    }

    #[test]
    fn shared_children_load_but_explosions_do_not() {
        // A chain of 30 seqs each using the next twice: 2^30 visits.
        let mut nodes = vec![Node::new(Kind::Succeed)];
        for i in 0..30u32 {
            let mut n = Node::new(Kind::Seq);
            n.children = vec![i, i];
            nodes.push(n);
        }
        let d = Def { root: 30, nodes, origin: Origin::LoadBinary, canonical: None };
        assert!(load(&save(&d)).unwrap_err().starts_with("tree too large"));
        let small = Def { root: 3, nodes: d.nodes[..4].to_vec(), origin: Origin::LoadBinary, canonical: None };
        assert!(load(&save(&small)).is_ok());
    }

    #[test]
    fn dot_matches_the_reference() {
        let d = def("(sel (seq (cond bb-has \"say \\\"hi\\\"\") (act running-then-success 2)) (retry 2 (fail)))");
        let want = "digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n  n0 [label=\"id=0\\nbb-has\\n[cond]\"];\n  n1 [label=\"id=1\\nrunning-then-success\\n[act]\"];\n  n2 [label=\"id=2\\n[seq]\"];\n  n3 [label=\"id=3\\n[fail]\"];\n  n4 [label=\"id=4\\n[retry 2]\"];\n  n5 [label=\"id=5\\n[sel]\", style=\"bold\"];\n  n2 -> n0;\n  n2 -> n1;\n  n4 -> n3;\n  n5 -> n2;\n  n5 -> n4;\n}\n";
        assert_eq!(dot(&d), want);
    }
}
