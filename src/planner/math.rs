//! The transcendental functions the planner uses, in one place. Natively they are the
//! platform's (glibc on Linux, the reference's own), which is what makes seeded plans match
//! the reference digit for digit. In the browser (wasm32) Rust's standard library brings a
//! port of musl's libm instead, which differs in the last bit for a few percent of
//! arguments. Plans there are just as repeatable, and the differences are absorbed before
//! they reach the results of the verified transcripts: `make test` runs `tests/host_planner`
//! a second time with the `libm-math` feature, which makes a native build use that same
//! libm, and they match to the last digit.

#[cfg(feature = "libm-math")]
mod imp {
    pub fn ln(x: f64) -> f64 {
        libm::log(x)
    }
    pub fn sin(x: f64) -> f64 {
        libm::sin(x)
    }
    pub fn cos(x: f64) -> f64 {
        libm::cos(x)
    }
    pub fn exp(x: f64) -> f64 {
        libm::exp(x)
    }
    pub fn powf(x: f64, y: f64) -> f64 {
        libm::pow(x, y)
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        libm::atan2(y, x)
    }
}

#[cfg(not(feature = "libm-math"))]
mod imp {
    pub fn ln(x: f64) -> f64 {
        x.ln()
    }
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    pub fn exp(x: f64) -> f64 {
        x.exp()
    }
    pub fn powf(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
    pub fn atan2(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
}

pub use imp::*;
