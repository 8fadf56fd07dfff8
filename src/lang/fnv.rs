//! FNV-1a, 64 bits: the crate's one implementation of the hash.
//!
//! Two offset bases are in use, and every output that shows a hash depends on which:
//! - [`REFERENCE_BASIS`] (via [`fnv1a64`]): the basis the reference interpreter uses, so
//!   every hash the reference also prints agrees with it: `hash64`, the behaviour-tree
//!   tree/DSL/value hashes, the `fnv1a64:` request/response hashes of `cap.call`, planner
//!   seeds taken from names.
//! - [`STANDARD_BASIS`] (via [`fnv1a64_standard`]): Granola's own hashes that the reference
//!   never shows (the VLA request hash and string seeds, the docs tree's content hash, the key
//!   of an example's saved edits).
//!
//! This file imports nothing: `build.rs`, which compiles `src/docs` without the rest of the
//! crate, compiles it too as `crate::lang::fnv` (the docs tree's content hash uses it).

/// The 64-bit FNV prime.
pub const PRIME: u64 = 0x0000_0100_0000_01b3;

/// The reference's offset basis, 1469598103934665603 (0x14650fb0739d0383): the standard
/// basis 14695981039346656037 with its last digit dropped.
pub const REFERENCE_BASIS: u64 = 1_469_598_103_934_665_603;

/// The standard FNV-1a 64 offset basis, 14695981039346656037 (0xcbf29ce484222325).
pub const STANDARD_BASIS: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a over `bytes`, starting from `basis` (no top-bit clearing).
pub fn fnv1a64_from(basis: u64, bytes: impl IntoIterator<Item = u8>) -> u64 {
    let mut h = basis;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// FNV-1a with the reference's offset basis ([`REFERENCE_BASIS`]).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_from(REFERENCE_BASIS, bytes.iter().copied())
}

/// FNV-1a with the standard offset basis ([`STANDARD_BASIS`]).
pub fn fnv1a64_standard(bytes: &[u8]) -> u64 {
    fnv1a64_from(STANDARD_BASIS, bytes.iter().copied())
}

/// `fnv1a64:` followed by 16 lower-case hex digits (the reference's tagged form).
pub fn tagged(h: u64) -> String {
    format!("fnv1a64:{h:016x}")
}

/// The tagged form ([`tagged`]) of [`fnv1a64`] over a text.
pub fn tagged_text(text: &str) -> String {
    tagged(fnv1a64(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_basis() {
        assert_eq!(fnv1a64(b""), 0x1465_0fb0_739d_0383);
        // bt.md 8.4: the structural string of (seq (cond always-true) (act always-success)).
        let s = "root=2|id=0|kind=5|name=always-true|int=0|id=1|kind=6|name=always-success|int=0|id=2|kind=0|name=|int=0->0->1";
        assert_eq!(tagged_text(s), "fnv1a64:4a89db8174f35e95");
    }

    #[test]
    fn standard_basis() {
        // the published FNV-1a 64 test vectors
        assert_eq!(fnv1a64_standard(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64_standard(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64_standard(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
