//! WCAG 2.1 AA contrast of the stylesheet's text colours (issue #6): every pair of text
//! and background the pages use reaches 4.5:1.

fn hex(c: &str) -> (f64, f64, f64) {
    let c = c.trim().trim_start_matches('#');
    let v = |i: usize| u8::from_str_radix(&c[i..i + 2], 16).unwrap() as f64 / 255.0;
    (v(0), v(2), v(4))
}

/// Relative luminance (WCAG 2.1).
fn luminance(c: &str) -> f64 {
    let lin = |v: f64| {
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = hex(c);
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn ratio(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The value of a custom property in `:root`.
fn var(css: &str, name: &str) -> String {
    let at = css
        .find(&format!("--{name}:"))
        .unwrap_or_else(|| panic!("--{name} not in app.css"));
    css[at..]
        .split(':')
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn text_colours_reach_aa_contrast() {
    let css = include_str!("../assets/app.css");
    let (ink, muted, brand, bg, err) = (
        var(css, "ink"),
        var(css, "muted"),
        var(css, "brand"),
        var(css, "bg"),
        var(css, "err"),
    );
    let white = "#ffffff";
    for (what, fg, back) in [
        ("text on cards", ink.as_str(), white),
        ("text on the page", &ink, &bg),
        ("muted text on cards", &muted, white),
        ("muted text on the page", &muted, &bg),
        ("header, buttons: white on the brand colour", white, &brand),
        ("errors on cards", &err, white),
        ("badges", &err, "#fde8e8"),
        ("links", "#0000ee", white),
        ("visited links", "#551a8b", white),
    ] {
        let r = ratio(fg, back);
        assert!(r >= 4.5, "{what}: {fg} on {back} is {r:.2}:1, under 4.5:1");
    }
    // The check itself: a pale grey on white fails.
    assert!(ratio("#aaaaaa", white) < 4.5);
    assert!((ratio("#000000", white) - 21.0).abs() < 1e-9);
}
