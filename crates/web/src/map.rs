//! A choropleth of Indonesia's provinces, drawn by the server as SVG (no script, no CDN).
//! The outlines are `assets/provinces.tsv`, converted from the npm package
//! `@svg-maps/indonesia` 1.0.0 (CC BY 4.0, after MapSVG; see `assets/MAP-NOTICE.md` and
//! `tools/convert_map.py`). The map predates the provinces carved out of Papua in 2022:
//! 93, 94 and 95 are shown within Papua (91) and 96 within Papua Barat (92).

use std::fmt::Write;

use crate::charts::esc;

const PROVINCES: &str = include_str!("../assets/provinces.tsv");

/// Five classes, light to dark (ColorBrewer "Greens"); no data: grey.
const CLASSES: [&str; 5] = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"];
const NO_DATA: &str = "#d9d9d9";

/// The provinces of the map: (code, name, path).
pub fn provinces() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    PROVINCES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            Some((f.next()?, f.next()?, f.next()?))
        })
}

fn view_box() -> &'static str {
    PROVINCES
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# viewBox "))
        .unwrap_or("0 29 793 288")
}

/// The province of the map a province code is drawn in.
fn drawn_in(code: &str) -> &str {
    match code {
        "93" | "94" | "95" => "91",
        "96" => "92",
        c => c,
    }
}

/// Shares per province: `(code, part, whole)` (e.g. households verified, households),
/// folded into the map's provinces, coloured in five equal classes from the lowest to the
/// highest share, each province a link to its dashboard. `name_of` gives a province's
/// name for the tooltips.
pub fn province_shares(
    title: &str,
    rows: &[(String, i64, i64)],
    name_of: impl Fn(&str) -> String,
) -> String {
    let mut sums: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for (code, part, whole) in rows {
        let e = sums.entry(drawn_in(code)).or_default();
        e.0 += part;
        e.1 += whole;
    }
    let share = |c: &str| {
        sums.get(c)
            .filter(|(_, w)| *w > 0)
            .map(|(p, w)| *p as f64 * 100.0 / *w as f64)
    };
    let values: Vec<f64> = provinces().filter_map(|(c, _, _)| share(c)).collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let class = |v: f64| {
        if hi <= lo {
            return CLASSES.len() - 1;
        }
        (((v - lo) / (hi - lo)) * CLASSES.len() as f64).min(CLASSES.len() as f64 - 1.0) as usize
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="map" viewBox="{vb}" role="img" aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>"#,
        vb = view_box(),
        t = esc(title)
    );
    for (code, _, path) in provinces() {
        let (fill, shown) = match share(code) {
            Some(v) => (CLASSES[class(v)], format!("{:.1} %", v).replace('.', ",")),
            None => (NO_DATA, "tidak ada data".to_string()),
        };
        let _ = write!(
            s,
            r##"<a href="/dashboard?region={code}"><path d="{path}" fill="{fill}" stroke="#fff" stroke-width="0.4"><title>{n} ({code}): {shown}</title></path></a>"##,
            n = esc(&name_of(code)),
        );
    }
    s.push_str("</svg>");
    if values.is_empty() {
        return s;
    }
    // The legend: the five classes with their bounds.
    s.push_str(r#"<p class="legend">"#);
    let step = (hi - lo) / CLASSES.len() as f64;
    for (i, c) in CLASSES.iter().enumerate() {
        let a = lo + step * i as f64;
        let b = if i + 1 == CLASSES.len() { hi } else { a + step };
        let _ = write!(
            s,
            r#"<span><i style="background:{c}"></i>{} – {} %</span> "#,
            format!("{a:.1}").replace('.', ","),
            format!("{b:.1}").replace('.', ",")
        );
    }
    s.push_str("</p>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_holds_the_34_provinces_of_its_time_with_their_codes() {
        let table = selaras_regions::RegionTable::embedded();
        let codes: Vec<&str> = provinces().map(|p| p.0).collect();
        assert_eq!(codes.len(), 34);
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(unique.len(), 34, "sorted and unique");
        for (code, _, path) in provinces() {
            let c = selaras_domain::RegionCode::parse(code).unwrap();
            assert!(
                table.name(&c).is_some(),
                "{code} is a province of the region table"
            );
            assert!(path.starts_with('M') && path.ends_with('Z'), "{code}");
        }
    }

    #[test]
    fn shares_fold_new_papua_provinces_and_colour_by_class() {
        let rows = vec![
            ("33".to_string(), 90, 100),
            ("11".to_string(), 10, 100),
            ("91".to_string(), 50, 100),
            ("95".to_string(), 50, 100),
        ];
        let svg = province_shares("Kemutakhiran", &rows, |c| format!("P{c}"));
        assert_eq!(svg.matches("<path").count(), 34);
        assert!(svg.contains("P33 (33): 90,0 %") && svg.contains("P11 (11): 10,0 %"));
        assert!(svg.contains("P91 (91): 50,0 %"), "95 is drawn within 91");
        assert!(svg.contains("P12 (12): tidak ada data"));
        // The highest share is in the darkest class, the lowest in the lightest.
        let fill_of = |code: &str| {
            let at = svg.find(&format!("region={code}\"")).unwrap();
            svg[at..]
                .split("fill=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_string()
        };
        assert_eq!(fill_of("33"), CLASSES[4]);
        assert_eq!(fill_of("11"), CLASSES[0]);
        assert_eq!(fill_of("91"), CLASSES[2]);
        assert_eq!(fill_of("12"), NO_DATA);
        assert!(svg.contains("class=\"legend\""));
    }
}
