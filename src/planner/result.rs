//! A [`PlanResult`] as the `planner.plan` result map and as `plan-action`'s meta JSON.

use super::{Action, PlanResult, Trace};
use crate::lang::textfmt::format_g;
use crate::lang::Datum;

/// A map with symbol keys whose entries are stored last-first: the reference's result maps
/// are hash maps that list their keys in reverse insertion order, so `map.keys` of a
/// `planner.plan` result prints what the reference prints.
fn rmap(entries: Vec<(&str, Datum)>) -> Datum {
    Datum::Map(entries.into_iter().rev().map(|(k, v)| (Datum::sym(k), v)).collect())
}

fn floats(v: &[f64]) -> Datum {
    Datum::list(v.iter().map(|x| Datum::Float(*x)).collect())
}

/// `{action_schema, u}` (`u` nil when empty).
pub fn action_datum(a: &Action) -> Datum {
    rmap(vec![("action_schema", Datum::Str(a.schema.clone())), ("u", floats(&a.u))])
}

impl PlanResult {
    /// The `planner.plan` result map: `schema_version`, `planner`, `status`, `confidence`,
    /// `action`, `stats` (seed masked to 63 bits), then `trace` and `error` when present.
    pub fn to_datum(&self) -> Datum {
        let s = &self.stats;
        let mut stats = vec![
            ("budget_ms", Datum::Int(s.budget_ms)),
            ("time_used_ms", Datum::Int(s.time_used_ms)),
            ("work_done", Datum::Int(s.work_done)),
            ("seed", Datum::Int((s.seed & 0x7fff_ffff_ffff_ffff) as i64)),
        ];
        if s.overrun {
            stats.push(("overrun", Datum::Bool(true)));
        }
        if !s.note.is_empty() {
            stats.push(("note", Datum::Str(s.note.clone())));
        }
        let mut out = vec![
            ("schema_version", Datum::str("planner.result.v1")),
            ("planner", Datum::str(self.planner.name())),
            ("status", Datum::sym(self.status.keyword())),
            ("confidence", Datum::Float(self.confidence)),
            ("action", action_datum(&self.action)),
            ("stats", rmap(stats)),
        ];
        let trace = match &self.trace {
            Trace::None => None,
            Trace::Mcts { root_visits, root_children, widen_added, top_k } => Some(rmap(vec![
                ("root_visits", Datum::Int(*root_visits)),
                ("root_children", Datum::Int(*root_children)),
                ("widen_added", Datum::Int(*widen_added)),
                (
                    "top_k",
                    Datum::list(
                        top_k
                            .iter()
                            .map(|c| {
                                rmap(vec![
                                    ("action", action_datum(&c.action)),
                                    ("visits", Datum::Int(c.visits)),
                                    ("q", Datum::Float(c.q)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])),
            Trace::Mppi { n_samples, horizon, top_k } => Some(rmap(vec![
                ("n_samples", Datum::Int(*n_samples)),
                ("horizon", Datum::Int(*horizon)),
                (
                    "top_k",
                    Datum::list(
                        top_k
                            .iter()
                            .map(|c| {
                                rmap(vec![
                                    ("action", action_datum(&c.action)),
                                    ("weight", Datum::Float(c.weight)),
                                    ("cost", Datum::Float(c.cost)),
                                ])
                            })
                            .collect(),
                    ),
                ),
            ])),
            Trace::Ilqr { iters, cost_init, cost_final, reg_final } => Some(rmap(vec![
                ("iters", Datum::Int(*iters)),
                ("cost_init", Datum::Float(*cost_init)),
                ("cost_final", Datum::Float(*cost_final)),
                ("reg_final", Datum::Float(*reg_final)),
            ])),
        };
        if let Some(t) = trace {
            out.push(("trace", t));
        }
        if !self.error.is_empty() {
            out.push(("error", Datum::Str(self.error.clone())));
        }
        rmap(out)
    }

    /// The meta JSON a planning leaf writes to its `:meta_key` (six significant digits, seed
    /// unmasked, fixed key order):
    /// `{"schema_version":"planner.v1","planner":..,"status":..,"tick_index":..,"seed":..,
    /// "budget_ms":..,"time_used_ms":..,"work_done":..,"confidence":..,"action":{..}
    /// [,"trace":{..}][,"overrun":true][,"note":..][,"error":..]}`.
    pub fn meta_json(&self, tick_index: u64) -> String {
        let s = &self.stats;
        let mut o = format!(
            "{{\"schema_version\":\"planner.v1\",\"planner\":\"{}\",\"status\":\"{}\",\"tick_index\":{},\"seed\":{},\"budget_ms\":{},\"time_used_ms\":{},\"work_done\":{},\"confidence\":{},\"action\":{}",
            self.planner.name(),
            self.status.name(),
            tick_index,
            s.seed,
            s.budget_ms,
            s.time_used_ms,
            s.work_done,
            format_g(self.confidence, 6),
            action_json(&self.action)
        );
        match &self.trace {
            Trace::None => {}
            Trace::Mcts { root_visits, root_children, widen_added, top_k } => {
                o.push_str(&format!(
                    ",\"trace\":{{\"root_visits\":{root_visits},\"root_children\":{root_children},\"widen_added\":{widen_added}"
                ));
                if !top_k.is_empty() {
                    let items: Vec<String> = top_k
                        .iter()
                        .map(|c| {
                            format!(
                                "{{\"action\":{},\"visits\":{},\"q\":{}}}",
                                action_json(&c.action),
                                c.visits,
                                format_g(c.q, 6)
                            )
                        })
                        .collect();
                    o.push_str(&format!(",\"top_k\":[{}]", items.join(",")));
                }
                o.push('}');
            }
            Trace::Mppi { n_samples, horizon, top_k } => {
                o.push_str(&format!(",\"trace\":{{\"n_samples\":{n_samples},\"horizon\":{horizon}"));
                if !top_k.is_empty() {
                    let items: Vec<String> = top_k
                        .iter()
                        .map(|c| {
                            format!(
                                "{{\"action\":{},\"weight\":{},\"cost\":{}}}",
                                action_json(&c.action),
                                format_g(c.weight, 6),
                                format_g(c.cost, 6)
                            )
                        })
                        .collect();
                    o.push_str(&format!(",\"top_k\":[{}]", items.join(",")));
                }
                o.push('}');
            }
            Trace::Ilqr { iters, cost_init, cost_final, reg_final } => {
                o.push_str(&format!(
                    ",\"trace\":{{\"iters\":{iters},\"cost_init\":{},\"cost_final\":{},\"reg_final\":{}}}",
                    format_g(*cost_init, 6),
                    format_g(*cost_final, 6),
                    format_g(*reg_final, 6)
                ));
            }
        }
        if s.overrun {
            o.push_str(",\"overrun\":true");
        }
        if !s.note.is_empty() {
            o.push_str(&format!(",\"note\":\"{}\"", escape(&s.note)));
        }
        if !self.error.is_empty() {
            o.push_str(&format!(",\"error\":\"{}\"", escape(&self.error)));
        }
        o.push('}');
        o
    }
}

fn action_json(a: &Action) -> String {
    let u: Vec<String> = a.u.iter().map(|x| format_g(*x, 6)).collect();
    format!("{{\"action_schema\":\"{}\",\"u\":[{}]}}", escape(&a.schema), u.join(","))
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::super::{plan, Algorithm, PlanRequest, Planner};

    #[test]
    fn meta_json_of_plan_action_tick_1() {
        let p = Planner::default();
        let mut req = PlanRequest::new(Algorithm::Mcts, "toy-1d", vec![0.0], 1000, p.derive_seed("pl", 1));
        req.work_max = 100;
        let meta = plan(&req).meta_json(1);
        let want = "{\"schema_version\":\"planner.v1\",\"planner\":\"mcts\",\"status\":\"ok\",\"tick_index\":1,\"seed\":178485435294584680,\"budget_ms\":1000,\"time_used_ms\":0,\"work_done\":100,\"confidence\":0.19,\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[0.917697]},\"trace\":{\"root_visits\":100,\"root_children\":20,\"widen_added\":100,\"top_k\":[{\"action\":";
        assert!(meta.starts_with(want), "{meta}");
        assert!(meta.contains("\"visits\":19,\"q\":-1.44956}"), "{meta}");
    }

    #[test]
    fn keys_list_in_the_reference_order() {
        let mut req = PlanRequest::new(Algorithm::Mcts, "toy-1d", vec![0.0], 1000, 7);
        req.work_max = 200;
        let d = plan(&req).to_datum();
        let crate::lang::Datum::Map(entries) = d else { panic!() };
        let keys: Vec<String> = entries.iter().map(|(k, _)| format!("{k:?}")).collect();
        assert_eq!(
            keys.join(" "),
            "Sym(\"trace\") Sym(\"stats\") Sym(\"action\") Sym(\"confidence\") Sym(\"status\") Sym(\"planner\") Sym(\"schema_version\")"
        );
    }
}
