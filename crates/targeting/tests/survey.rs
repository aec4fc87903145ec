//! `fit` and `backtest` on generated data: a planted model is recovered exactly, a fit on
//! the generator's noisy consumption explains a good part of it, and back-testing counts
//! what it should.

use selaras_domain::pmt::{Model, VarValue};
use selaras_domain::{Date, RegionScope};
use selaras_targeting::survey::{backtest, design_model, fit, parse_vars, read_consumption};
use selaras_targeting::Frame;

fn generated(households: u64) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let cfg = selaras_synth::GenConfig {
        households,
        seed: 11,
        regions: vec![
            RegionScope::parse("33.14").unwrap(),
            RegionScope::parse("73.03").unwrap(),
        ],
        ..Default::default()
    };
    selaras_synth::generate_to_dir(&cfg, d.path(), &|_| {}).unwrap();
    d
}

fn as_of() -> Date {
    Date::parse("2026-01-01").unwrap()
}

fn num(v: VarValue<'_>) -> f64 {
    match v {
        VarValue::Num(x) => x,
        other => panic!("{other:?}"),
    }
}

/// The planted model's variables.
fn planted_vars() -> Vec<selaras_domain::pmt::Variable> {
    parse_vars(&[
        "log_hh_size".into(),
        "has_car".into(),
        "floor_type".into(),
        "floor_area_per_capita".into(),
    ])
    .unwrap()
}

/// The planted coefficient of a regressor (levels not named plant 0).
fn truth(name: &str, level: Option<&str>) -> f64 {
    match (name, level) {
        ("log_hh_size", None) => -0.4,
        ("has_car", None) => 0.1,
        ("floor_area_per_capita", None) => 0.004,
        ("floor_type", Some("earth")) => -0.2,
        ("floor_type", Some("ceramic")) => 0.15,
        _ => 0.0,
    }
}

/// Writes consumption.csv as exp(12 + planted terms + noise(i)).
fn plant(
    dir: &std::path::Path,
    frame: &Frame,
    vars: &[selaras_domain::pmt::Variable],
    noise: impl Fn(usize) -> f64,
) {
    let mut text = String::from("household_id,per_capita_consumption\n");
    for i in 0..frame.len() {
        let floor = match frame.value(i, vars[2]) {
            VarValue::Level(l) => truth("floor_type", Some(l)),
            _ => 0.0,
        };
        let y = 12.0
            + truth("log_hh_size", None) * num(frame.value(i, vars[0]))
            + truth("has_car", None) * num(frame.value(i, vars[1]))
            + floor
            + truth("floor_area_per_capita", None) * num(frame.value(i, vars[3]))
            + noise(i);
        text.push_str(&format!(
            "{},{}\n",
            String::from_utf8_lossy(frame.id(i)),
            y.exp()
        ));
    }
    std::fs::write(dir.join("consumption.csv"), text).unwrap();
}

/// With normal noise (σ = 0.3) every estimate lies within 3 standard errors of the
/// planted value, and the standard errors are those of the noise, not arbitrary.
#[test]
fn a_noisy_planted_model_is_recovered_within_its_standard_errors() {
    let d = generated(4_000);
    let vars = planted_vars();
    let frame = Frame::read_dir(d.path(), &design_model(&vars, as_of()), None).unwrap();
    // Box–Muller over a fixed xorshift stream: the same noise every run.
    let normals: Vec<f64> = {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        (0..frame.len())
            .map(|_| {
                let (u, v) = (next(), next());
                (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            })
            .collect()
    };
    plant(d.path(), &frame, &vars, |i| 0.3 * normals[i]);
    let consumption = read_consumption(d.path(), &frame).unwrap();
    let f = fit(&frame, &consumption, &vars, "noisy", as_of()).unwrap();
    assert!(
        (f.intercept - 12.0).abs() <= 3.0 * f.intercept_se,
        "intercept {} ± {}",
        f.intercept,
        f.intercept_se
    );
    let mut checked = 0;
    for r in &f.regressors {
        let want = truth(r.var.name(), r.level.as_deref());
        assert!(
            (r.coef - want).abs() <= 3.0 * r.std_error,
            "{} {:?}: {} ± {} vs planted {want}",
            r.var.name(),
            r.level,
            r.coef,
            r.std_error
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked} regressors");
    // σ = 0.3 over 4,000 households: the slope of log size is known to a few hundredths.
    let se = |name: &str| {
        f.regressors
            .iter()
            .find(|r| r.var.name() == name)
            .unwrap()
            .std_error
    };
    assert!(se("log_hh_size") > 0.001 && se("log_hh_size") < 0.05);
    assert!(
        f.r_squared > 0.05 && f.r_squared < 0.95,
        "R² {}",
        f.r_squared
    );
}

#[test]
fn a_planted_model_is_recovered_exactly() {
    let d = generated(2_000);
    // A continuous variable keeps households from tying on consumption.
    let vars = planted_vars();
    let frame = Frame::read_dir(d.path(), &design_model(&vars, as_of()), None).unwrap();
    // Replace the survey truth with an exact function of the variables.
    plant(d.path(), &frame, &vars, |_| 0.0);
    let consumption = read_consumption(d.path(), &frame).unwrap();
    let f = fit(&frame, &consumption, &vars, "planted", as_of()).unwrap();
    assert!((f.r_squared - 1.0).abs() < 1e-6, "R² {}", f.r_squared);
    assert!(
        (f.intercept - 12.0).abs() < 1e-3,
        "intercept {}",
        f.intercept
    );
    let coef = |name: &str, level: Option<&str>| {
        f.regressors
            .iter()
            .find(|r| r.var.name() == name && r.level.as_deref() == level)
            .unwrap_or_else(|| panic!("{name} {level:?}"))
            .coef
    };
    assert!((coef("log_hh_size", None) + 0.4).abs() < 1e-6);
    assert!((coef("has_car", None) - 0.1).abs() < 1e-6);
    assert!((coef("floor_area_per_capita", None) - 0.004).abs() < 1e-8);
    // Base level of floor_type is the first listed (marble_granite), whose planted
    // effect is 0 like every other unlisted level.
    assert!((coef("floor_type", Some("earth")) + 0.2).abs() < 1e-6);
    assert!((coef("floor_type", Some("ceramic")) - 0.15).abs() < 1e-6);
    assert!(coef("floor_type", Some("bamboo")).abs() < 1e-6);
    assert!(f
        .regressors
        .iter()
        .all(|r| r.level.as_deref() != Some("marble_granite")));

    // The model file reads back, and a perfect model makes no targeting errors.
    let model = Model::from_json(&f.model.to_json()).unwrap();
    let (scores, _) = frame.scores(&model);
    let (national, provinces) = backtest(&frame, &scores, &consumption, 40);
    assert_eq!(national.households, frame.len());
    assert_eq!(national.poor, frame.len() * 40 / 100);
    assert!(
        national.exclusion_error < 0.01 && national.inclusion_error < 0.01,
        "{national:?}"
    );
    assert_eq!(provinces.len(), 2, "33 and 73");
    assert_eq!(
        provinces.iter().map(|(_, e)| e.households).sum::<usize>(),
        national.households
    );
}

#[test]
fn a_fit_on_generated_survey_data_explains_much_and_errs_some() {
    let d = generated(3_000);
    let names: Vec<String> = selaras_targeting::survey::DEFAULT_FIT_VARS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let vars = parse_vars(&names).unwrap();
    let frame = Frame::read_dir(d.path(), &design_model(&vars, as_of()), None).unwrap();
    let consumption = read_consumption(d.path(), &frame).unwrap();
    let f = fit(&frame, &consumption, &vars, "g", as_of()).unwrap();
    assert!(
        f.r_squared > 0.3 && f.r_squared < 0.95,
        "R² {}",
        f.r_squared
    );
    assert!(f
        .regressors
        .iter()
        .all(|r| r.std_error > 0.0 && r.std_error.is_finite()));
    let (scores, _) = frame.scores(&f.model);
    let (e, _) = backtest(&frame, &scores, &consumption, 40);
    assert!(e.exclusion_error > 0.05 && e.exclusion_error < 0.6, "{e:?}");
    assert!(e.inclusion_error > 0.05 && e.inclusion_error < 0.6, "{e:?}");
}

#[test]
fn collinear_variables_and_unknown_names_are_refused() {
    let d = generated(500);
    assert!(parse_vars(&["log_size".into()])
        .unwrap_err()
        .contains("log_size"));
    let vars = parse_vars(&["hh_size".into(), "hh_size".into()]).unwrap();
    let frame = Frame::read_dir(d.path(), &design_model(&vars, as_of()), None).unwrap();
    let consumption = read_consumption(d.path(), &frame).unwrap();
    let e = fit(&frame, &consumption, &vars, "c", as_of()).unwrap_err();
    assert!(e.to_string().contains("collinear"), "{e}");
}
