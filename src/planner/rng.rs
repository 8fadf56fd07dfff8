//! The planner's random number generator: SplitMix64 with a cached Box–Muller spare, bit for
//! bit the generator of the reference planner (so a seed gives the same draws, and the same
//! plan, as there).

use super::math;

/// SplitMix64's increment (the golden-ratio constant); also the state used for seed 0.
pub use crate::lang::splitmix::GOLDEN;

/// One generator per planning call, shared by every draw in program order.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    spare: Option<f64>,
}

impl Rng {
    /// A generator seeded with `seed` (0 is replaced by [`GOLDEN`]).
    pub fn new(seed: u64) -> Rng {
        Rng { state: if seed == 0 { GOLDEN } else { seed }, spare: None }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        crate::lang::splitmix::splitmix64(&mut self.state)
    }

    /// A double in `[0, 1)` from the top 53 bits of one draw.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in `[lo, hi)`; `lo == hi` gives `lo` without a draw. Callers pass `lo <= hi`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        if lo == hi {
            return lo;
        }
        lo + (hi - lo) * self.unit()
    }

    /// Normal with mean `mu` and deviation `sigma` (Box–Muller, the second value kept as a
    /// spare for the next call); `sigma == 0` gives `mu` without a draw. Callers pass
    /// `sigma >= 0`.
    pub fn normal(&mut self, mu: f64, sigma: f64) -> f64 {
        if sigma == 0.0 {
            return mu;
        }
        if let Some(spare) = self.spare.take() {
            return mu + sigma * spare;
        }
        let mut u1 = self.unit();
        while u1 <= f64::MIN_POSITIVE {
            u1 = self.unit();
        }
        let u2 = self.unit();
        let mag = (-2.0 * math::ln(u1)).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        self.spare = Some(mag * math::sin(theta));
        mu + sigma * (mag * math::cos(theta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_lisp_rng_vectors() {
        // language.md 4.6: seed 42 -> uniform 0.7415648787718233, normal 0.414719750431531.
        assert_eq!(Rng::new(42).uniform(0.0, 1.0), 0.7415648787718233);
        let mut r = Rng::new(42);
        assert_eq!(format!("{:.15}", r.normal(0.0, 1.0)), "0.414719750431531");
        assert_eq!(r.normal(0.0, 1.0), 0.6526812221519429);
    }

    #[test]
    fn degenerate_ranges_draw_nothing() {
        let mut a = Rng::new(9);
        let mut b = Rng::new(9);
        assert_eq!(a.uniform(2.0, 2.0), 2.0);
        assert_eq!(a.normal(3.0, 0.0), 3.0);
        assert_eq!(a.next_u64(), b.next_u64());
    }

    #[test]
    fn seed_zero_is_the_golden_state() {
        assert_eq!(Rng::new(0).next_u64(), Rng::new(GOLDEN).next_u64());
    }
}
