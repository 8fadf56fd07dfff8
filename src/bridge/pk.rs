//! Non-compartmental PK parameters of a concentration–time series.

/// Default number of trailing points used for the terminal log-linear fit.
pub const DEFAULT_TERMINAL_POINTS: usize = 3;

#[derive(Clone, Debug, PartialEq)]
pub struct PkParams {
    pub cmax: f64,
    pub tmax: f64,
    /// AUC from the first to the last time point, linear trapezoidal rule.
    pub auc: f64,
    /// Terminal elimination rate constant (negative slope of ln C over the last points).
    pub lambda_z: Option<f64>,
    /// ln 2 / lambda_z.
    pub half_life: Option<f64>,
    /// AUC extrapolated to infinity: auc + C_last / lambda_z.
    pub auc_inf: Option<f64>,
    /// Points actually used for the terminal fit.
    pub terminal_points: usize,
    pub warnings: Vec<String>,
}

/// Compute PK parameters. `times` must be strictly increasing and the same length as
/// `conc` (at least 2 points); the caller validates that.
pub fn compute(times: &[f64], conc: &[f64], terminal_points: usize) -> PkParams {
    let n = times.len().min(conc.len());
    let mut cmax = f64::NEG_INFINITY;
    let mut tmax = 0.0;
    let mut imax = 0;
    for i in 0..n {
        if conc[i] > cmax {
            cmax = conc[i];
            tmax = times[i];
            imax = i;
        }
    }
    if n == 0 {
        cmax = 0.0;
    }
    let mut auc = 0.0;
    for i in 1..n {
        auc += (times[i] - times[i - 1]) * (conc[i] + conc[i - 1]) / 2.0;
    }
    let mut warnings = Vec::new();
    // Terminal fit: the last `terminal_points` points after Cmax with positive concentration.
    let want = terminal_points.max(2);
    let tail: Vec<(f64, f64)> =
        (imax + 1..n).rev().take(want).filter(|&i| conc[i] > 0.0).map(|i| (times[i], conc[i].ln())).collect();
    let mut lambda_z = None;
    if tail.len() < want {
        warnings.push(format!(
            "terminal phase: {} usable points after Cmax (need {want}); half-life not computed",
            tail.len()
        ));
    } else {
        let m = tail.len() as f64;
        let mt = tail.iter().map(|p| p.0).sum::<f64>() / m;
        let my = tail.iter().map(|p| p.1).sum::<f64>() / m;
        let sxx: f64 = tail.iter().map(|p| (p.0 - mt) * (p.0 - mt)).sum();
        let sxy: f64 = tail.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
        let slope = if sxx > 0.0 { sxy / sxx } else { f64::NAN };
        if slope.is_finite() && slope < 0.0 {
            lambda_z = Some(-slope);
        } else {
            warnings.push("terminal phase is not declining; half-life not computed".to_string());
        }
    }
    let half_life = lambda_z.map(|l| std::f64::consts::LN_2 / l);
    let c_last = if n > 0 { conc[n - 1] } else { 0.0 };
    let auc_inf = lambda_z.map(|l| auc + c_last / l);
    PkParams {
        cmax,
        tmax,
        auc,
        lambda_z,
        half_life,
        auc_inf,
        terminal_points: if lambda_z.is_some() { tail.len() } else { 0 },
        warnings,
    }
}
