//! A fitted model's report for a person: one self-contained HTML page (no scripts, no
//! outside assets) with the coefficients, the fit, targeting errors at several coverages
//! and by province, and a chart of predicted against true consumption.

use std::fmt::Write;

use crate::survey::{backtest, Fit};
use crate::Frame;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Up to `max` surveyed households, evenly spaced in file order: (ln true, predicted log).
fn sample(consumption: &[f64], scores: &[f64], max: usize) -> Vec<(f64, f64)> {
    let surveyed: Vec<usize> = (0..consumption.len())
        .filter(|&i| !consumption[i].is_nan())
        .collect();
    let step = surveyed.len().div_ceil(max).max(1);
    surveyed
        .iter()
        .step_by(step)
        .map(|&i| (consumption[i].ln(), scores[i]))
        .collect()
}

fn scatter(points: &[(f64, f64)]) -> String {
    let (w, h, m) = (560.0, 420.0, 50.0);
    let lo = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(f64::INFINITY, f64::min);
    let hi = points
        .iter()
        .flat_map(|p| [p.0, p.1])
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo < hi {
        (lo, hi)
    } else {
        (lo - 1.0, lo + 1.0)
    };
    let x = |v: f64| m + (v - lo) / (hi - lo) * (w - 2.0 * m);
    let y = |v: f64| h - m - (v - lo) / (hi - lo) * (h - 2.0 * m);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"predicted against true log consumption\">\
         <rect x=\"{m}\" y=\"{m}\" width=\"{}\" height=\"{}\" fill=\"#fafafa\" stroke=\"#999\"/>",
        w - 2.0 * m,
        h - 2.0 * m
    );
    let _ = write!(
        s,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>",
        x(lo),
        y(lo),
        x(hi),
        y(hi)
    );
    for &(t, p) in points {
        let _ = write!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"1.6\" fill=\"#1f5f8b\" fill-opacity=\"0.45\"/>",
            x(t),
            y(p)
        );
    }
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{v:.1}</text>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{v:.1}</text>",
            x(v),
            h - m + 16.0,
            m - 6.0,
            y(v) + 4.0
        );
    }
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">ln konsumsi per kapita sebenarnya / true</text>\
         <text x=\"14\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">skor (ln prediksi) / predicted</text></svg>",
        w / 2.0,
        h - 12.0,
        h / 2.0,
        h / 2.0
    );
    s
}

/// The report of `fit` on the data it was fitted on.
pub fn html(fit: &Fit, frame: &Frame, consumption: &[f64]) -> String {
    let (scores, _) = frame.scores(&fit.model);
    let mut s = String::new();
    let m = &fit.model;
    let _ = write!(
        s,
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <title>Laporan model PMT {id}</title><style>\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}}\
         td:first-child,th:first-child{{text-align:left}}caption{{text-align:left;font-weight:600}}\
         </style></head><body>\
         <h1>Laporan model PMT <small>/ PMT model report</small>: {id} v{v}</h1>\
         <p>Tanggal usia / ages at: {as_of}. Rumah tangga dengan konsumsi survei / households with survey consumption: {n}. \
         Parameter: {p}. <strong>R² = {r2:.4}</strong> (OLS, ln konsumsi per kapita / ln per-capita consumption).</p>",
        id = esc(&m.id),
        v = m.version,
        as_of = m.as_of,
        n = fit.households,
        p = fit.regressors.len() + 1,
        r2 = fit.r_squared,
    );
    s.push_str("<h2>Prediksi vs. sebenarnya / predicted vs. true</h2>");
    s.push_str(&scatter(&sample(consumption, &scores, 3000)));
    s.push_str(
        "<table><caption>Galat penargetan / targeting errors</caption>\
         <tr><th>cakupan / coverage</th><th>miskin / poor</th><th>terpilih / selected</th>\
         <th>galat eksklusi / exclusion</th><th>galat inklusi / inclusion</th></tr>",
    );
    for c in [10, 20, 30, 40, 50] {
        let (e, _) = backtest(frame, &scores, consumption, c);
        let _ = write!(
            s,
            "<tr><td>{c} %</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td></tr>",
            e.poor, e.selected, e.exclusion_error, e.inclusion_error
        );
    }
    s.push_str("</table>");
    let (_, provinces) = backtest(frame, &scores, consumption, 40);
    s.push_str(
        "<table><caption>Per provinsi, cakupan 40 % / by province, 40 % coverage</caption>\
         <tr><th>provinsi / province</th><th>rumah tangga / households</th>\
         <th>galat eksklusi / exclusion</th><th>galat inklusi / inclusion</th></tr>",
    );
    for (p, e) in provinces {
        let _ = write!(
            s,
            "<tr><td>{p:02}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td></tr>",
            e.households, e.exclusion_error, e.inclusion_error
        );
    }
    s.push_str("</table>");
    s.push_str(
        "<table><caption>Koefisien / coefficients</caption>\
         <tr><th>suku / term</th><th>koefisien</th><th>galat baku / std. error</th><th>t</th></tr>",
    );
    let row = |s: &mut String, name: &str, c: f64, se: f64| {
        let t = if se > 0.0 { c / se } else { f64::NAN };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{c:.6}</td><td>{se:.6}</td><td>{t:.1}</td></tr>",
            esc(name)
        );
    };
    row(&mut s, "intercept", fit.intercept, fit.intercept_se);
    for r in &fit.regressors {
        let name = match &r.level {
            Some(l) => format!("{} = {l}", r.var.name()),
            None => r.var.name().to_string(),
        };
        row(&mut s, &name, r.coef, r.std_error);
    }
    s.push_str("</table><p>Kategori dasar / base level: kode pertama dalam daftar / the first code listed.</p></body></html>\n");
    s
}
