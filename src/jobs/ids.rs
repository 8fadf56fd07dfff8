//! Identifiers that must not repeat across processes or be guessable (job ids, results ids):
//! version-4 UUIDs from a real random source.
//!
//! [`IdSource::random`] reads the operating system's generator natively and
//! `crypto.getRandomValues` in the browser (through `getrandom`). Tests that want repeatable
//! ids inject [`IdSource::seeded`] on purpose; nothing else uses a seeded source.

use crate::lang::splitmix::splitmix64;

/// Where identifiers come from.
#[derive(Clone, Debug)]
pub struct IdSource {
    seeded: Option<u64>,
}

impl Default for IdSource {
    fn default() -> Self {
        IdSource::random()
    }
}

impl IdSource {
    /// The platform's cryptographic generator: ids differ between processes, tabs and runs.
    pub fn random() -> IdSource {
        IdSource { seeded: None }
    }

    /// A deterministic generator (SplitMix64 from `seed`), for tests that need fixed ids.
    pub fn seeded(seed: u64) -> IdSource {
        IdSource { seeded: Some(seed) }
    }

    /// Whether this source repeats its sequence (a test's seeded source).
    pub fn is_seeded(&self) -> bool {
        self.seeded.is_some()
    }

    /// 16 random bytes.
    pub fn bytes(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        match &mut self.seeded {
            Some(state) => {
                let (a, b) = (splitmix64(state), splitmix64(state));
                out[..8].copy_from_slice(&a.to_le_bytes());
                out[8..].copy_from_slice(&b.to_le_bytes());
            }
            None => {
                if getrandom::getrandom(&mut out).is_err() {
                    // The platform refused (it practically never does): mix a process-wide
                    // counter with the address of a fresh allocation rather than fail the job.
                    static FALLBACK: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                    let probe = Box::new(0u8);
                    let mut state = FALLBACK.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                        ^ ((&*probe as *const u8 as usize as u64).rotate_left(32));
                    out[..8].copy_from_slice(&splitmix64(&mut state).to_le_bytes());
                    out[8..].copy_from_slice(&splitmix64(&mut state).to_le_bytes());
                }
            }
        }
        out
    }

    /// A version-4 (random) UUID, lowercase and hyphenated: 36 characters.
    pub fn uuid_v4(&mut self) -> String {
        format_uuid_v4(self.bytes())
    }
}

/// Lay out 16 bytes as a version-4, RFC 4122 variant UUID (`xxxxxxxx-xxxx-4xxx-[89ab]xxx-…`).
pub fn format_uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// Whether `s` is a lowercase version-4 UUID as [`IdSource::uuid_v4`] writes them.
pub fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c, b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_4_layout() {
        let mut ids = IdSource::random();
        for _ in 0..1000 {
            let id = ids.uuid_v4();
            assert!(is_uuid_v4(&id), "{id}");
        }
        assert!(is_uuid_v4(&format_uuid_v4([0xff; 16])));
        assert!(is_uuid_v4(&format_uuid_v4([0; 16])));
        assert!(!is_uuid_v4("8e7d5b9a-5c7f-3c3f-9a2f-1a2b3c4d5e6f"));
        assert!(!is_uuid_v4("8E7D5B9A-5C7F-4C3F-9A2F-1A2B3C4D5E6F"));
        assert!(!is_uuid_v4("8e7d5b9a-5c7f-4c3f-7a2f-1a2b3c4d5e6f"));
    }

    #[test]
    fn two_random_sources_differ_and_a_seeded_one_repeats() {
        let (mut a, mut b) = (IdSource::random(), IdSource::random());
        assert_ne!(a.uuid_v4(), b.uuid_v4());
        let (mut s, mut t) = (IdSource::seeded(7), IdSource::seeded(7));
        assert_eq!(s.uuid_v4(), t.uuid_v4());
        assert!(s.is_seeded() && !a.is_seeded());
    }
}
