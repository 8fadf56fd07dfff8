//! `Plot`: an SVG concentration–time plot drawn from result data, with an optional
//! percentile band (population runs: median line, 5th–95th percentile band).
//!
//! [`from_json`] finds plottable data in a bridge results body: `series[{parameter, unit,
//! values[{time, value}]}]`, objects with `times`/`time` and `concentrations`/`concentration`
//! arrays, and percentile arrays (`p5`/`p50`/`p95`, `median`, `lower`/`upper`, ...).

use yew::prelude::*;

/// One curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// A shaded band between `lo` and `hi` at each time.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub name: String,
    pub points: Vec<(f64, f64, f64)>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct PlotData {
    pub series: Vec<Series>,
    pub bands: Vec<Band>,
    pub x_label: String,
    pub y_label: String,
}

impl PlotData {
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty()) && self.bands.iter().all(|b| b.points.is_empty())
    }
}

fn nums(v: &serde_json::Value) -> Option<Vec<f64>> {
    let arr = v.as_array()?;
    let out: Vec<f64> = arr.iter().filter_map(|x| x.as_f64()).collect();
    (out.len() == arr.len() && !out.is_empty()).then_some(out)
}

fn key_num_array(obj: &serde_json::Map<String, serde_json::Value>, names: &[&str]) -> Option<(String, Vec<f64>)> {
    for n in names {
        if let Some(v) = obj.get(*n).and_then(nums) {
            return Some((n.to_string(), v));
        }
    }
    None
}

/// Finds plottable data anywhere in a JSON value (bounded depth).
pub fn from_json(v: &serde_json::Value) -> PlotData {
    let mut out = PlotData { x_label: "time (h)".into(), y_label: "concentration (mg/L)".into(), ..Default::default() };
    walk(v, 0, "", &mut out);
    out
}

fn walk(v: &serde_json::Value, depth: usize, name: &str, out: &mut PlotData) {
    if depth > 8 || out.series.len() > 50 {
        return;
    }
    match v {
        serde_json::Value::Object(obj) => {
            let label = obj
                .get("parameter")
                .or_else(|| obj.get("name"))
                .or_else(|| obj.get("subjectId"))
                .map(|x| x.as_str().map(str::to_string).unwrap_or_else(|| x.to_string()))
                .unwrap_or_else(|| name.to_string());
            if let Some(unit) = obj.get("unit").and_then(|u| u.as_str()) {
                out.y_label = format!("concentration ({unit})");
            }
            if let Some(tu) = obj.get("timeUnit").and_then(|u| u.as_str()) {
                out.x_label = format!("time ({tu})");
            }
            // {values: [{time, value}]}
            if let Some(vals) = obj.get("values").and_then(|x| x.as_array()) {
                let pts: Vec<(f64, f64)> =
                    vals.iter().filter_map(|p| Some((p.get("time")?.as_f64()?, p.get("value")?.as_f64()?))).collect();
                if !pts.is_empty() {
                    out.series.push(Series { name: label.clone(), points: pts });
                }
            }
            // {times: [...], concentrations / median / percentiles}
            if let Some((_, times)) = key_num_array(obj, &["times", "time", "t"]) {
                let lo = key_num_array(obj, &["p5", "p05", "p10", "lower", "lo", "low"]);
                let hi = key_num_array(obj, &["p95", "p90", "upper", "hi", "high"]);
                let mid = key_num_array(obj, &["p50", "median"]);
                if let (Some((ln, lo)), Some((hn, hi))) = (&lo, &hi) {
                    if lo.len() == times.len() && hi.len() == times.len() {
                        let pts = times.iter().zip(lo.iter().zip(hi.iter())).map(|(t, (a, b))| (*t, *a, *b)).collect();
                        out.bands.push(Band { name: format!("{ln}–{hn}"), points: pts });
                    }
                }
                if let Some((mn, m)) = &mid {
                    if m.len() == times.len() {
                        out.series.push(Series {
                            name: mn.clone(),
                            points: times.iter().copied().zip(m.iter().copied()).collect(),
                        });
                    }
                }
                if let Some((_, c)) = key_num_array(obj, &["concentrations", "concentration", "values", "mean"]) {
                    if c.len() == times.len() {
                        let nm = if label.is_empty() { "concentration".to_string() } else { label.clone() };
                        out.series.push(Series { name: nm, points: times.iter().copied().zip(c).collect() });
                    }
                }
            }
            for (k, child) in obj {
                if matches!(k.as_str(), "values" | "times" | "time" | "concentrations" | "concentration") {
                    continue;
                }
                walk(child, depth + 1, k, out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate().take(200) {
                walk(child, depth + 1, &format!("{name}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[derive(Properties, PartialEq)]
pub struct PlotProps {
    pub data: PlotData,
    #[prop_or(560)]
    pub width: u32,
    #[prop_or(300)]
    pub height: u32,
    #[prop_or_default]
    pub title: AttrValue,
}

fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(raw);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 && out.len() < 20 {
        out.push(t);
        t += step;
    }
    out
}

fn fmt_tick(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}").trim_end_matches('0').to_string()
    }
}

const COLORS: &[&str] = &["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

/// The SVG plot.
#[function_component(Plot)]
pub fn plot(props: &PlotProps) -> Html {
    let d = &props.data;
    if d.is_empty() {
        return html! { <p class="plot-empty">{"No plottable data."}</p> };
    }
    let (w, h) = (props.width as f64, props.height as f64);
    let (ml, mr, mt, mb) = (56.0, 12.0, 16.0, 40.0);
    let mut xs: Vec<f64> = Vec::new();
    let mut ys: Vec<f64> = vec![0.0];
    for s in &d.series {
        for (x, y) in &s.points {
            xs.push(*x);
            ys.push(*y);
        }
    }
    for b in &d.bands {
        for (x, lo, hi) in &b.points {
            xs.push(*x);
            ys.push(*lo);
            ys.push(*hi);
        }
    }
    let finite = |v: &f64| v.is_finite();
    let x0 = xs.iter().copied().filter(finite).fold(f64::INFINITY, f64::min);
    let x1 = xs.iter().copied().filter(finite).fold(f64::NEG_INFINITY, f64::max);
    let y0 = ys.iter().copied().filter(finite).fold(f64::INFINITY, f64::min).min(0.0);
    let y1 = ys.iter().copied().filter(finite).fold(f64::NEG_INFINITY, f64::max);
    let (x0, x1) = if x1 > x0 { (x0, x1) } else { (x0 - 1.0, x0 + 1.0) };
    let y1 = if y1 > y0 { y1 * 1.05 } else { y0 + 1.0 };
    let sx = move |x: f64| ml + (x - x0) / (x1 - x0) * (w - ml - mr);
    let sy = move |y: f64| h - mb - (y - y0) / (y1 - y0) * (h - mt - mb);

    let bands = d.bands.iter().map(|b| {
        let mut pts: Vec<String> = b.points.iter().map(|(x, _, hi)| format!("{:.1},{:.1}", sx(*x), sy(*hi))).collect();
        pts.extend(b.points.iter().rev().map(|(x, lo, _)| format!("{:.1},{:.1}", sx(*x), sy(*lo))));
        html! { <polygon class="plot-band" points={pts.join(" ")} fill="#2563eb" fill-opacity="0.18" stroke="none"><title>{b.name.clone()}</title></polygon> }
    });
    let lines = d.series.iter().enumerate().map(|(i, s)| {
        let pts: Vec<String> = s.points.iter().filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| format!("{:.1},{:.1}", sx(*x), sy(*y))).collect();
        let color = COLORS[i % COLORS.len()];
        html! { <polyline class="plot-line" points={pts.join(" ")} fill="none" stroke={color} stroke-width="2"><title>{s.name.clone()}</title></polyline> }
    });
    let xt = nice_ticks(x0, x1, 6);
    let yt = nice_ticks(y0, y1, 5);
    let legend = d
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), COLORS[i % COLORS.len()].to_string(), false))
        .chain(d.bands.iter().map(|b| (format!("{} band", b.name), "#2563eb".to_string(), true)))
        .take(8)
        .enumerate()
        .map(|(i, (name, color, band))| {
            let y = mt + 4.0 + i as f64 * 16.0;
            let x = w - mr - 150.0;
            html! { <g class="plot-legend">
                if band { <rect x={format!("{x}")} y={format!("{}", y - 6.0)} width="14" height="10" fill={color} fill-opacity="0.25" /> }
                else { <line x1={format!("{x}")} x2={format!("{}", x + 14.0)} y1={format!("{y}")} y2={format!("{y}")} stroke={color} stroke-width="2" /> }
                <text x={format!("{}", x + 20.0)} y={format!("{}", y + 4.0)} font-size="11">{name}</text>
            </g> }
        });
    html! {
        <figure class="plot">
            if !props.title.is_empty() { <figcaption>{props.title.clone()}</figcaption> }
            <svg viewBox={format!("0 0 {w} {h}")} width="100%" role="img" aria-label={format!("{} against {}", d.y_label, d.x_label)}>
                <g class="plot-grid" stroke="currentColor" stroke-opacity="0.12">
                    { for yt.iter().map(|t| html!{ <line x1={format!("{ml}")} x2={format!("{}", w - mr)} y1={format!("{:.1}", sy(*t))} y2={format!("{:.1}", sy(*t))} /> }) }
                </g>
                <g class="plot-axes" stroke="currentColor" stroke-opacity="0.6">
                    <line x1={format!("{ml}")} x2={format!("{ml}")} y1={format!("{mt}")} y2={format!("{}", h - mb)} />
                    <line x1={format!("{ml}")} x2={format!("{}", w - mr)} y1={format!("{}", h - mb)} y2={format!("{}", h - mb)} />
                </g>
                <g class="plot-ticks" font-size="11" fill="currentColor">
                    { for xt.iter().map(|t| html!{ <text x={format!("{:.1}", sx(*t))} y={format!("{}", h - mb + 14.0)} text-anchor="middle">{fmt_tick(*t)}</text> }) }
                    { for yt.iter().map(|t| html!{ <text x={format!("{}", ml - 6.0)} y={format!("{:.1}", sy(*t) + 4.0)} text-anchor="end">{fmt_tick(*t)}</text> }) }
                </g>
                <text x={format!("{}", (ml + w - mr) / 2.0)} y={format!("{}", h - 6.0)} text-anchor="middle" font-size="12" fill="currentColor">{d.x_label.clone()}</text>
                <text transform={format!("translate(14,{}) rotate(-90)", (mt + h - mb) / 2.0)} text-anchor="middle" font-size="12" fill="currentColor">{d.y_label.clone()}</text>
                { for bands }
                { for lines }
                { for legend }
            </svg>
        </figure>
    }
}
