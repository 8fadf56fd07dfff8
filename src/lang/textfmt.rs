//! The reference's text forms, one copy for the crate: numbers as C's `printf("%.<p>g")`
//! writes them (the printer's `%.15g`, `json.encode`'s `%.17g`, and the six-digit C++ stream
//! form of behaviour-tree dumps, planner seeds and hashed texts), and string escaping (the
//! printer's `write` form and `json.encode` escape the same five characters).

/// `x` formatted like `printf("%.<prec>g", x)`: `prec` significant digits, trailing zeros
/// removed, exponent form (`1e-05`, `1.5e+20`) when the exponent is below -4 or at least
/// `prec`. Non-finite values are `nan`, `inf`, `-inf`.
pub fn format_g(x: f64, prec: usize) -> String {
    let mut out = String::new();
    push_g(&mut out, x, prec);
    out
}

/// [`format_g`] appended to `out`.
pub fn push_g(out: &mut String, x: f64, prec: usize) {
    if x.is_nan() {
        out.push_str("nan");
        return;
    }
    if x.is_infinite() {
        out.push_str(if x < 0.0 { "-inf" } else { "inf" });
        return;
    }
    if x == 0.0 {
        out.push_str(if x.is_sign_negative() { "-0" } else { "0" });
        return;
    }
    // Fast path for integral values that print without an exponent.
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let digits = (x.abs() as u64).checked_ilog10().map_or(1, |d| d as usize + 1);
        if digits <= prec {
            out.push_str(&(x as i64).to_string());
            return;
        }
    }
    let p = prec.max(1);
    if push_g_short(out, x, p) {
        return;
    }
    push_g_digits(out, x, p);
}

/// [`push_g`] of a finite non-zero `x` whose exact decimal value has at most `p`
/// significant digits and prints in fixed notation (halves, 0.25, 1.125, 1e15, ...): written
/// from its exact digits, without the big-number arithmetic that `{:.*}` needs for them.
/// False (nothing written) for every other number.
fn push_g_short(out: &mut String, x: f64, p: usize) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff || p > 30 {
        return false;
    }
    let mut m = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    let mut e = biased - 1075;
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    // |x| = n * 10^-k exactly
    let (n, k): (u128, u32) = if e >= 0 {
        if e > 63 {
            return false;
        }
        (u128::from(m) << e, 0)
    } else {
        let k = e.unsigned_abs();
        match 5u128.checked_pow(k).and_then(|f| u128::from(m).checked_mul(f)) {
            Some(n) => (n, k),
            None => return false,
        }
    };
    let digits = n.to_string();
    let len = digits.len();
    // the exponent of the leading digit; %g prints fixed notation for -4 <= exp < p
    let exp = len as i64 - 1 - i64::from(k);
    if len > p || exp < -4 || exp >= p as i64 {
        return false;
    }
    let k = k as usize;
    if x < 0.0 {
        out.push('-');
    }
    if len > k {
        let (int, frac) = digits.split_at(len - k);
        out.push_str(int);
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
    } else {
        out.push_str("0.");
        for _ in len..k {
            out.push('0');
        }
        out.push_str(digits.trim_end_matches('0'));
    }
    true
}

/// [`push_g`]'s general case (a finite non-zero `x`), through the standard formatter.
fn push_g_digits(out: &mut String, x: f64, p: usize) {
    // The exponent %e would print at precision p-1 (after rounding).
    let e_form = format!("{:.*e}", p - 1, x);
    let (mant, exp) = match e_form.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (e_form.as_str(), 0),
    };
    if exp < -4 || exp >= p as i32 {
        out.push_str(trim_zeros(mant));
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push('0');
        }
        out.push_str(&a.to_string());
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{:.*}", decimals, x);
        out.push_str(trim_zeros(&s));
    }
}

fn trim_zeros(s: &str) -> &str {
    if !s.contains('.') {
        return s;
    }
    let t = s.trim_end_matches('0');
    t.strip_suffix('.').unwrap_or(t)
}

/// The printer's float form: `%.15g`, then `.0` when there is neither a `.` nor an exponent;
/// `nan`, `inf`, `-inf` for non-finite values.
pub fn format_float(x: f64) -> String {
    let mut s = format_g(x, 15);
    if x.is_finite() && !s.contains(['.', 'e']) {
        s.push_str(".0");
    }
    s
}

/// `s` escaped as the reference's printer and JSON encoder escape strings: only `\\`, `"`,
/// newline, carriage return and tab.
pub fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
}

/// `"` + [`push_escaped`] text + `"`: a string literal in `write` form, or a JSON string.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    push_escaped(out, s);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The short-decimal path writes exactly what the general path writes.
    #[test]
    fn short_floats_print_as_the_general_path() {
        let mut xs: Vec<f64> = Vec::new();
        for i in -3000i32..3000 {
            for d in [1.0, 2.0, 4.0, 8.0, 16.0, 1024.0, 0.001, 10.0, 3.0] {
                xs.push(f64::from(i) / d);
                xs.push(f64::from(i) * d * 1.0e6);
            }
        }
        let mut state = 0x1234_5678_9abc_def0u64;
        for _ in 0..20000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            xs.push(f64::from_bits(state >> 2));
            xs.push((state % 100_000) as f64 / 64.0);
            xs.push((state >> 11) as f64);
        }
        xs.extend([9007199254740992.0, 9007199254740993.0, 1e15, 1e16, 1e17, 123456789012345678.0, 1e-4, 1e-5, 5e-324]);
        let mut shorts = 0;
        for x in xs {
            if x == 0.0 || !x.is_finite() {
                continue;
            }
            for p in [6, 15, 17] {
                let mut short = String::new();
                if super::push_g_short(&mut short, x, p) {
                    shorts += 1;
                    let mut general = String::new();
                    super::push_g_digits(&mut general, x, p);
                    assert_eq!(short, general, "{x:e} at {p}");
                }
            }
        }
        assert!(shorts > 100_000, "{shorts}");
    }

    #[test]
    fn six_digits_like_printf_and_a_stream() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (0.1, "0.1"),
            (0.19, "0.19"),
            (0.81, "0.81"),
            (-0.35, "-0.35"),
            (1.0 / 3.0, "0.333333"),
            (-1.449563211, "-1.44956"),
            (0.917696957308584, "0.917697"),
            (100.0, "100"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (123456789.123, "1.23457e+08"),
            (100000000.0, "1e+08"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000012345, "1.2345e-05"),
            (2.5e-7, "2.5e-07"),
            (999999.5, "1e+06"),
            (1e20, "1e+20"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        for (x, want) in cases {
            assert_eq!(format_g(*x, 6), *want, "{x}");
        }
    }

    #[test]
    fn seventeen_digits_like_json_encode() {
        assert_eq!(format_g(0.1, 17), "0.10000000000000001");
        assert_eq!(format_g(2.0, 17), "2");
        assert_eq!(format_g(1e16, 17), "10000000000000000");
        assert_eq!(format_g(1e17, 17), "1e+17");
        assert_eq!(format_g(-0.0, 17), "-0");
        assert_eq!(format_g(0.998_931_279_155_149_7, 17), "0.99893127915514968");
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        push_quoted(&mut s, "a\\b\"c\nd\re\tf\u{7}é");
        assert_eq!(s, "\"a\\\\b\\\"c\\nd\\re\\tf\u{7}é\"");
    }

    #[test]
    fn printer_floats() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(2.5), "2.5");
        assert_eq!(format_float(1e15), "1e+15");
        assert_eq!(format_float(1e14), "100000000000000.0");
        assert_eq!(format_float(-0.0), "-0.0");
        assert_eq!(format_float(1.5e-7), "1.5e-07");
        assert_eq!(format_float(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_float(f64::NAN), "nan");
    }

    #[test]
    fn the_integer_shortcut_agrees_with_the_general_path() {
        for x in [1.0, -7.0, 999_999.0, 1_000_000.0, 123_456_789.0, 1e14, 99_999_999_999_999.0] {
            for prec in [1, 6, 15, 17] {
                let p = prec;
                let e_form = format!("{:.*e}", p - 1, x);
                let exp: i32 = e_form.split_once('e').unwrap().1.parse().unwrap();
                let general = if exp < -4 || exp >= p as i32 {
                    let (m, _) = e_form.split_once('e').unwrap();
                    format!("{}e{}{:02}", trim_zeros(m), if exp < 0 { '-' } else { '+' }, exp.unsigned_abs())
                } else {
                    trim_zeros(&format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x)).to_string()
                };
                assert_eq!(format_g(x, prec), general, "{x} at {prec}");
            }
        }
    }
}
