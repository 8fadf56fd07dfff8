//! The built-in catalogue of pharmacokinetic models, as data, and loaded simulations.
//!
//! Units throughout: time h, amount mg, volume L, clearance L/h, rate constants 1/h,
//! concentration mg/L.

use std::collections::BTreeMap;

/// The structural model (which ODE system a simulation integrates).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Structure {
    /// Gut depot with first-order absorption (`ka`, bioavailability `F`) into one compartment.
    OneCompartmentOral,
    /// One compartment, IV bolus at t = 0.
    OneCompartmentIv,
    /// Central and peripheral compartments (`Q`, `V2`), IV bolus into the central one.
    TwoCompartmentIv,
}

impl Structure {
    pub fn name(self) -> &'static str {
        match self {
            Structure::OneCompartmentOral => "one_compartment_oral",
            Structure::OneCompartmentIv => "one_compartment_iv",
            Structure::TwoCompartmentIv => "two_compartment_iv",
        }
    }

    pub fn parse(s: &str) -> Option<Structure> {
        match s {
            "one_compartment_oral" => Some(Structure::OneCompartmentOral),
            "one_compartment_iv" => Some(Structure::OneCompartmentIv),
            "two_compartment_iv" => Some(Structure::TwoCompartmentIv),
            _ => None,
        }
    }

    /// Number of state variables (amounts).
    pub fn states(self) -> usize {
        match self {
            Structure::OneCompartmentIv => 1,
            _ => 2,
        }
    }
}

/// One catalogue parameter: path, default, unit, allowed range (inclusive).
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    pub path: &'static str,
    pub display: &'static str,
    pub value: f64,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug)]
pub struct CatalogueEntry {
    pub name: &'static str,
    pub structure: Structure,
    pub description: &'static str,
    pub version: &'static str,
    pub params: &'static [ParamSpec],
}

const fn p(path: &'static str, display: &'static str, value: f64, unit: &'static str, min: f64, max: f64) -> ParamSpec {
    ParamSpec { path, display, value, unit, min, max }
}

/// Time-grid parameters every model carries.
const END_TIME: ParamSpec = p("EndTime", "Simulated duration", 24.0, "h", 0.01, 2000.0);
const INTERVAL: ParamSpec = p("OutputInterval", "Output interval", 0.5, "h", 0.001, 100.0);

/// The catalogue.
pub const CATALOGUE: &[CatalogueEntry] = &[
    CatalogueEntry {
        name: "one_compartment_oral",
        structure: Structure::OneCompartmentOral,
        description: "One compartment, oral dose with first-order absorption and linear elimination",
        version: "1.0",
        params: &[
            p("Dose", "Oral dose", 100.0, "mg", 0.0, 1.0e6),
            p("F", "Bioavailability", 1.0, "", 0.0, 1.0),
            p("ka", "Absorption rate constant", 1.0, "1/h", 0.001, 100.0),
            p("CL", "Clearance", 5.0, "L/h", 0.001, 1000.0),
            p("V", "Volume of distribution", 50.0, "L", 0.01, 1.0e5),
            END_TIME,
            INTERVAL,
        ],
    },
    CatalogueEntry {
        name: "one_compartment_iv",
        structure: Structure::OneCompartmentIv,
        description: "One compartment, intravenous bolus at time zero, linear elimination",
        version: "1.0",
        params: &[
            p("Dose", "IV bolus dose", 100.0, "mg", 0.0, 1.0e6),
            p("CL", "Clearance", 5.0, "L/h", 0.001, 1000.0),
            p("V", "Volume of distribution", 50.0, "L", 0.01, 1.0e5),
            END_TIME,
            INTERVAL,
        ],
    },
    CatalogueEntry {
        name: "two_compartment_iv",
        structure: Structure::TwoCompartmentIv,
        description: "Central and peripheral compartments, intravenous bolus into the central one",
        version: "1.0",
        params: &[
            p("Dose", "IV bolus dose", 100.0, "mg", 0.0, 1.0e6),
            p("CL", "Clearance", 5.0, "L/h", 0.001, 1000.0),
            p("V", "Central volume", 20.0, "L", 0.01, 1.0e5),
            p("Q", "Intercompartmental clearance", 10.0, "L/h", 0.0, 1000.0),
            p("V2", "Peripheral volume", 40.0, "L", 0.01, 1.0e5),
            END_TIME,
            INTERVAL,
        ],
    },
];

pub fn lookup(name: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|e| e.name == name)
}

/// A parameter of a loaded simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub path: String,
    pub display: String,
    pub value: f64,
    pub unit: String,
    pub min: f64,
    pub max: f64,
    /// Job time (ms) of the last change, if it was set after loading.
    pub updated_at: Option<f64>,
}

/// A loaded simulation: a structure plus its current parameter values.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    pub id: String,
    pub name: String,
    pub structure: Structure,
    pub version: String,
    pub description: String,
    pub params: BTreeMap<String, Param>,
    pub loaded_at: f64,
}

impl Simulation {
    /// A simulation with the catalogue defaults of `entry`.
    pub fn from_entry(id: &str, entry: &CatalogueEntry, now: f64) -> Simulation {
        let params = entry
            .params
            .iter()
            .map(|s| {
                (
                    s.path.to_string(),
                    Param {
                        path: s.path.to_string(),
                        display: s.display.to_string(),
                        value: s.value,
                        unit: s.unit.to_string(),
                        min: s.min,
                        max: s.max,
                        updated_at: None,
                    },
                )
            })
            .collect();
        Simulation {
            id: id.to_string(),
            name: entry.name.to_string(),
            structure: entry.structure,
            version: entry.version.to_string(),
            description: entry.description.to_string(),
            params,
            loaded_at: now,
        }
    }

    /// Current value of a parameter (catalogue paths always exist).
    pub fn value(&self, path: &str) -> f64 {
        self.params.get(path).map(|p| p.value).unwrap_or(0.0)
    }

    /// The numeric snapshot a run integrates.
    pub fn model(&self) -> Model {
        Model {
            structure: self.structure,
            dose: self.value("Dose"),
            f: self.params.get("F").map(|p| p.value).unwrap_or(1.0),
            ka: self.value("ka"),
            cl: self.value("CL"),
            v: self.value("V"),
            q: self.value("Q"),
            v2: self.value("V2"),
            end_time: self.value("EndTime"),
            interval: self.value("OutputInterval"),
        }
    }
}

/// Parameter values frozen at submission (a run is not affected by later `set_parameter_value`).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Model {
    pub structure: Structure,
    pub dose: f64,
    pub f: f64,
    pub ka: f64,
    pub cl: f64,
    pub v: f64,
    pub q: f64,
    pub v2: f64,
    pub end_time: f64,
    pub interval: f64,
}

/// Most output points a run may produce.
pub const MAX_OUTPUT_POINTS: usize = 20_001;

impl Model {
    /// The output time grid `0, dt, 2dt, …, end` (the end time is always included).
    pub fn grid(&self) -> Vec<f64> {
        let n = (self.end_time / self.interval).floor();
        let n = if n.is_finite() && n >= 0.0 { (n as usize).min(MAX_OUTPUT_POINTS - 1) } else { 0 };
        let mut g: Vec<f64> = (0..=n).map(|i| i as f64 * self.interval).collect();
        if let Some(&last) = g.last() {
            if self.end_time - last > 1e-9 * self.end_time.max(1.0) {
                g.push(self.end_time);
            }
        }
        g
    }

    /// Initial amounts.
    pub fn initial(&self) -> [f64; 2] {
        match self.structure {
            Structure::OneCompartmentOral => [self.dose * self.f, 0.0],
            Structure::OneCompartmentIv | Structure::TwoCompartmentIv => [self.dose, 0.0],
        }
    }

    /// d(amounts)/dt.
    pub fn rhs(&self, a: &[f64; 2]) -> [f64; 2] {
        match self.structure {
            Structure::OneCompartmentOral => {
                let absorbed = self.ka * a[0];
                [-absorbed, absorbed - self.cl / self.v * a[1]]
            }
            Structure::OneCompartmentIv => [-self.cl / self.v * a[0], 0.0],
            Structure::TwoCompartmentIv => {
                let k10 = self.cl / self.v;
                let k12 = self.q / self.v;
                let k21 = self.q / self.v2;
                [-(k10 + k12) * a[0] + k21 * a[1], k12 * a[0] - k21 * a[1]]
            }
        }
    }

    /// Plasma (central) concentration for amounts `a`.
    pub fn concentration(&self, a: &[f64; 2]) -> f64 {
        match self.structure {
            Structure::OneCompartmentOral => a[1] / self.v,
            _ => a[0] / self.v,
        }
    }

    /// Fastest rate constant in the system (sets the integrator step).
    pub fn max_rate(&self) -> f64 {
        let k = self.cl / self.v;
        let r = match self.structure {
            Structure::OneCompartmentOral => self.ka.max(k),
            Structure::OneCompartmentIv => k,
            Structure::TwoCompartmentIv => k + self.q / self.v + self.q / self.v2,
        };
        if r.is_finite() && r > 0.0 {
            r
        } else {
            1.0
        }
    }

    /// Closed-form concentration at time `t` (for verification; `None` where the formula is
    /// singular, e.g. oral with `ka == k`).
    pub fn exact(&self, t: f64) -> Option<f64> {
        let k = self.cl / self.v;
        match self.structure {
            Structure::OneCompartmentIv => Some(self.dose / self.v * (-k * t).exp()),
            Structure::OneCompartmentOral => {
                if (self.ka - k).abs() < 1e-12 {
                    return None;
                }
                Some(self.f * self.dose * self.ka / (self.v * (self.ka - k)) * ((-k * t).exp() - (-self.ka * t).exp()))
            }
            Structure::TwoCompartmentIv => {
                let k10 = k;
                let k12 = self.q / self.v;
                let k21 = self.q / self.v2;
                let sum = k10 + k12 + k21;
                let disc = sum * sum - 4.0 * k10 * k21;
                if disc <= 0.0 {
                    return None;
                }
                let alpha = (sum + disc.sqrt()) / 2.0;
                let beta = (sum - disc.sqrt()) / 2.0;
                let c0 = self.dose / self.v;
                let a = c0 * (alpha - k21) / (alpha - beta);
                let b = c0 * (k21 - beta) / (alpha - beta);
                Some(a * (-alpha * t).exp() + b * (-beta * t).exp())
            }
        }
    }
}
