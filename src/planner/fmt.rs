//! Number formatting as C's `%.<p>g` (what a C++ stream prints for a double): precision 6 for
//! the planner's seed material and meta JSON, 17 for `json.encode`.

/// `x` formatted like `printf("%.<prec>g", x)`: `prec` significant digits, trailing zeros
/// removed, exponent form (`1e-05`, `1.5e+20`) when the exponent is below -4 or at least
/// `prec`. Non-finite values print `inf`, `-inf`, `nan` (a C++ stream's spelling).
pub fn g(x: f64, prec: usize) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let p = prec.max(1);
    if x == 0.0 {
        return if x.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // The exponent %e would print at precision p-1 (after rounding).
    let e_form = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = e_form.split_once('e').unwrap_or((e_form.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.unsigned_abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, x)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::g;

    #[test]
    fn six_digits_like_a_stream() {
        assert_eq!(g(0.0, 6), "0");
        assert_eq!(g(0.19, 6), "0.19");
        assert_eq!(g(-1.449563211, 6), "-1.44956");
        assert_eq!(g(0.917696957308584, 6), "0.917697");
        assert_eq!(g(100.0, 6), "100");
        assert_eq!(g(1234567.0, 6), "1.23457e+06");
        assert_eq!(g(0.00001, 6), "1e-05");
        assert_eq!(g(0.0001, 6), "0.0001");
        assert_eq!(g(999999.5, 6), "1e+06");
        assert_eq!(g(f64::INFINITY, 6), "inf");
    }

    #[test]
    fn seventeen_digits_like_json_encode() {
        assert_eq!(g(0.1, 17), "0.10000000000000001");
        assert_eq!(g(2.0, 17), "2");
        assert_eq!(g(1e16, 17), "10000000000000000");
        assert_eq!(g(1e17, 17), "1e+17");
        assert_eq!(g(-0.0, 17), "-0");
        assert_eq!(g(0.998_931_279_155_149_7, 17), "0.99893127915514968");
    }
}
