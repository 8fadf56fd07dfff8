//! Population runs: a small deterministic PRNG, log-normal sampling of CL and V, and
//! summary statistics.

/// SplitMix64: tiny, fast, and fully determined by its seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        crate::lang::splitmix::splitmix64(&mut self.state)
    }

    /// Uniform in (0, 1) (never exactly 0, so `ln` is safe).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller; one draw per call, the sine half is discarded so the
    /// stream position depends only on the number of calls).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Between-subject variability of one parameter: `P_i = P · exp(omega · z_i)`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Variability {
    /// `CL` or `V`.
    pub parameter: String,
    /// Standard deviation of the log-normal (log scale).
    pub omega: f64,
    /// The coefficient of variation it corresponds to: sqrt(exp(omega²) − 1).
    pub cv: f64,
}

impl Variability {
    pub fn from_cv(parameter: &str, cv: f64) -> Variability {
        Variability { parameter: parameter.to_string(), omega: (1.0 + cv * cv).ln().sqrt(), cv }
    }

    pub fn from_omega(parameter: &str, omega: f64) -> Variability {
        Variability { parameter: parameter.to_string(), omega, cv: ((omega * omega).exp() - 1.0).sqrt() }
    }
}

/// The variability used when a request gives no `covariates`: CL 30 % CV, V 20 % CV.
pub fn default_variability() -> Vec<Variability> {
    vec![Variability::from_cv("CL", 0.3), Variability::from_cv("V", 0.2)]
}

/// One sampled subject's individual parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct SubjectParams {
    /// 1-based.
    pub id: u32,
    pub cl: f64,
    pub v: f64,
}

/// Sample `size` subjects around typical values `cl`, `v`. Every subject consumes exactly
/// two normal draws (CL then V), so a cohort's first subjects do not depend on its size.
pub fn sample(size: u32, seed: u64, cl: f64, v: f64, vars: &[Variability]) -> Vec<SubjectParams> {
    let omega = |name: &str| vars.iter().filter(|x| x.parameter == name).map(|x| x.omega).next_back().unwrap_or(0.0);
    let (w_cl, w_v) = (omega("CL"), omega("V"));
    let mut rng = Rng::new(seed);
    (1..=size)
        .map(|id| {
            let z_cl = rng.normal();
            let z_v = rng.normal();
            SubjectParams { id, cl: cl * (w_cl * z_cl).exp(), v: v * (w_v * z_v).exp() }
        })
        .collect()
}

/// Arithmetic mean (0 for an empty slice).
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Sample standard deviation (n − 1; 0 for fewer than two values).
pub fn sd(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Percentile `p` (0–100) with linear interpolation between order statistics.
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut s = xs.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let rank = (p.clamp(0.0, 100.0) / 100.0) * (s.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let (a, b) = (s.get(lo).copied().unwrap_or(0.0), s.get(hi).copied().unwrap_or(0.0));
    a + (b - a) * (rank - lo as f64)
}
