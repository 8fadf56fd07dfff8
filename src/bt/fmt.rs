//! Text helpers shared by the behaviour-tree runtime: C++ stream number formatting (the
//! reference writes floats with `std::ostream`'s default six significant digits in dumps,
//! events and labels), the reader's `%.15g` float form, JSON string escaping, and the
//! FNV-1a hash the reference uses everywhere (with its non-standard offset basis).

/// The offset basis of the reference's FNV-1a: one digit short of the standard
/// 14695981039346656037 (it is 1469598103934665603 = 0x14650fb0739d0383).
pub const FNV_OFFSET: u64 = 1_469_598_103_934_665_603;
/// The standard 64-bit FNV prime.
pub const FNV_PRIME: u64 = 1_099_511_628_211;

/// FNV-1a over bytes with the reference's offset basis (no top-bit clearing).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// `fnv1a64:` followed by 16 lower-case hex digits.
pub fn hash_hex(h: u64) -> String {
    format!("fnv1a64:{h:016x}")
}

/// `fnv1a64:<hex>` of a text.
pub fn hash_text(text: &str) -> String {
    hash_hex(fnv1a64(text.as_bytes()))
}

/// `printf("%.<prec>g")`. Non-finite values are spelled as a C++ stream spells them; every
/// NaN is written `-nan`, the spelling the reference produces on x86 for the NaNs a program
/// can make (`(/ 0.0 0.0)`), so the text does not depend on the platform's NaN sign.
pub fn format_g(x: f64, prec: usize) -> String {
    let mut out = String::new();
    push_g(&mut out, x, prec);
    out
}

/// [`format_g`] appended to `out`.
pub fn push_g(out: &mut String, x: f64, prec: usize) {
    if x.is_nan() {
        out.push_str("-nan");
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

/// The C++ default stream form of a double: six significant digits, `%g` style.
pub fn cpp_double(x: f64) -> String {
    format_g(x, 6)
}

/// The muslisp printer's float form: `%.15g`, then `.0` when there is no `.` or exponent;
/// `nan`, `inf`, `-inf` for non-finite values.
pub fn lisp_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    let mut s = format_g(x, 15);
    if x.is_finite() && !s.contains(['.', 'e']) {
        s.push_str(".0");
    }
    s
}

/// JSON string body escaping as the reference does it: only `\` `"` newline, CR and tab.
pub fn push_json_escaped(out: &mut String, s: &str) {
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

/// `"` + escaped text + `"`.
pub fn push_json_string(out: &mut String, s: &str) {
    out.push('"');
    push_json_escaped(out, s);
    out.push('"');
}

/// A Lisp string literal (the printer's escaping: `\` `"` newline, tab, CR).
pub fn push_lisp_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out.push('"');
}

/// Nanoseconds of job time as the milliseconds double a C++ stream prints (`0.030296`).
pub fn ns_as_ms(ns: i64) -> String {
    cpp_double(ns as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digit_floats_match_cpp_streams() {
        let cases: &[(f64, &str)] = &[
            (2.0, "2"),
            (0.1, "0.1"),
            (123456789.123, "1.23457e+08"),
            (1e-7, "1e-07"),
            (1e20, "1e+20"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (f64::NAN, "-nan"),
            (0.000012345, "1.2345e-05"),
            (100000000.0, "1e+08"),
            (0.125, "0.125"),
            (0.7875, "0.7875"),
            (0.885, "0.885"),
            (1.25, "1.25"),
            (123456.0, "123456"),
            (1234567.0, "1.23457e+06"),
            (0.0001, "0.0001"),
            (0.030296, "0.030296"),
            (-1.5, "-1.5"),
        ];
        for (x, want) in cases {
            assert_eq!(cpp_double(*x), *want, "{x}");
        }
    }

    #[test]
    fn lisp_floats() {
        assert_eq!(lisp_float(1.0), "1.0");
        assert_eq!(lisp_float(2.5), "2.5");
        assert_eq!(lisp_float(1e15), "1e+15");
        assert_eq!(lisp_float(1e14), "100000000000000.0");
        assert_eq!(lisp_float(-0.0), "-0.0");
        assert_eq!(lisp_float(1.5e-7), "1.5e-07");
        assert_eq!(lisp_float(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn fnv_uses_the_reference_offset() {
        assert_eq!(fnv1a64(b""), 0x14650fb0739d0383);
        // bt.md 8.4: the structural string of (seq (cond always-true) (act always-success)).
        let s = "root=2|id=0|kind=5|name=always-true|int=0|id=1|kind=6|name=always-success|int=0|id=2|kind=0|name=|int=0->0->1";
        assert_eq!(hash_text(s), "fnv1a64:4a89db8174f35e95");
    }
}
