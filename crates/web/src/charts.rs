//! Small server-rendered SVG charts (no script, no CDN): horizontal bars for figures per
//! region or program, columns for the decile distribution. Each chart carries a title and
//! a text alternative for screen readers; the numbers are also in the table beside it.

use std::fmt::Write;

/// Escapes text for SVG/XML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Horizontal bars, one per `(label, value, shown)` (`shown`: the value as text). The
/// longest bar is the largest value (or `max` when given, e.g. 100 for percents).
pub fn bars(title: &str, rows: &[(String, f64, String)], max: Option<f64>) -> String {
    let top = max
        .unwrap_or_else(|| rows.iter().map(|r| r.1).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let (label_w, bar_w, row_h) = (150.0, 170.0, 22.0);
    let h = row_h * rows.len().max(1) as f64 + 8.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        w = label_w + bar_w + 70.0,
        t = esc(title)
    );
    for (i, (label, v, shown)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * row_h;
        let len = (v.max(0.0) / top * bar_w).min(bar_w);
        let short: String = label.chars().take(24).collect();
        let _ = write!(
            s,
            r##"<text x="{lx}" y="{ty}" text-anchor="end" font-size="11">{l}</text><rect x="{bx}" y="{y}" width="{len:.1}" height="{bh}" fill="#0b5d3b"/><text x="{vx:.1}" y="{ty}" font-size="11">{v}</text>"##,
            lx = label_w - 6.0,
            ty = y + 14.0,
            l = esc(&short),
            bx = label_w,
            bh = row_h - 6.0,
            vx = label_w + len + 4.0,
            v = esc(shown),
        );
    }
    s.push_str("</svg>");
    s
}

/// Columns for ten deciles (counts of households), labelled 1–10.
pub fn deciles(title: &str, counts: &[i64; 10]) -> String {
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let (w, h, col) = (330.0, 140.0, 30.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        t = esc(title)
    );
    for (i, n) in counts.iter().enumerate() {
        let x = 10.0 + i as f64 * (col + 2.0);
        let bh = *n as f64 / top * 100.0;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{y:.1}" width="{col}" height="{bh:.1}" fill="#0b5d3b"><title>{word} {d}: {n}</title></rect><text x="{tx}" y="{ly}" text-anchor="middle" font-size="11">{d}</text>"##,
            y = 110.0 - bh,
            word = crate::i18n::pick("Desil", "Decile"),
            d = i + 1,
            tx = x + col / 2.0,
            ly = 126.0,
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let svg = bars(
            "Cakupan <uji>",
            &[
                ("A & B".into(), 50.0, "50".into()),
                ("C".into(), 100.0, "100".into()),
            ],
            None,
        );
        assert!(svg.contains("Cakupan &lt;uji&gt;") && svg.contains("A &amp; B"));
        assert!(svg.contains(r#"width="85.0""#) && svg.contains(r#"width="170.0""#));
        // A fixed maximum: percents against 100.
        let svg = bars("p", &[("x".into(), 25.0, "25 %".into())], Some(100.0));
        assert!(svg.contains(r#"width="42.5""#));
        // Nothing to show is still a valid picture.
        assert!(bars("kosong", &[], None).ends_with("</svg>"));
    }

    #[test]
    fn deciles_have_ten_columns() {
        let svg = deciles("Desil", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(svg.matches("<rect").count(), 10);
        assert!(svg.contains("Desil 10: 10"));
    }
}
