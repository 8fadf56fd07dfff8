//! SplitMix64, the crate's one copy: the generator behind `rng.*`, the planner's random
//! draws, the bridge's populations and seeded job ids.

/// The SplitMix64 increment (the golden ratio in 64 bits).
pub const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Advance `state` by [`GOLDEN`] and return the next 64 random bits.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(GOLDEN);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_sequence() {
        // SplitMix64 from state 0 (the published reference values)
        let mut s = 0;
        assert_eq!(super::splitmix64(&mut s), 0xe220_a839_7b1d_cdaf);
        assert_eq!(super::splitmix64(&mut s), 0x6e78_9e6a_a1b9_65f4);
    }
}
