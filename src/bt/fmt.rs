//! Text helpers shared by the behaviour-tree runtime: C++ stream number formatting (the
//! reference writes floats with `std::ostream`'s default six significant digits in dumps,
//! events and labels) and JSON string escaping.

use crate::lang::textfmt;
/// JSON string escaping (the reference escapes only `\\` `"` newline, CR and tab), with and
/// without the quotes, and a Lisp string literal in `write` form (the same escapes).
pub use crate::lang::textfmt::{
    push_escaped as push_json_escaped, push_quoted as push_json_string, push_quoted as push_lisp_string,
};

/// `printf("%.<prec>g")`, except that every NaN is written `-nan`: the spelling the reference
/// produces on x86 for the NaNs a program can make (`(/ 0.0 0.0)`), so the text does not
/// depend on the platform's NaN sign.
pub fn format_g(x: f64, prec: usize) -> String {
    if x.is_nan() {
        "-nan".into()
    } else {
        textfmt::format_g(x, prec)
    }
}

/// [`format_g`] appended to `out`.
pub fn push_g(out: &mut String, x: f64, prec: usize) {
    if x.is_nan() {
        out.push_str("-nan");
    } else {
        textfmt::push_g(out, x, prec);
    }
}

/// The C++ default stream form of a double: six significant digits, `%g` style.
pub fn cpp_double(x: f64) -> String {
    format_g(x, 6)
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
}
