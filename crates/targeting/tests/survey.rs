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

#[test]
fn a_planted_model_is_recovered_exactly() {
    let d = generated(2_000);
    // A continuous variable keeps households from tying on consumption.
    let vars = parse_vars(&[
        "log_hh_size".into(),
        "has_car".into(),
        "floor_type".into(),
        "floor_area_per_capita".into(),
    ])
    .unwrap();
    let frame = Frame::read_dir(d.path(), &design_model(&vars, as_of()), None).unwrap();
    // Replace the survey truth with an exact function of the variables.
    let mut text = String::from("household_id,per_capita_consumption\n");
    for i in 0..frame.len() {
        let floor = match frame.value(i, vars[2]) {
            VarValue::Level("earth") => -0.2,
            VarValue::Level("ceramic") => 0.15,
            _ => 0.0,
        };
        let y = 12.0 - 0.4 * num(frame.value(i, vars[0]))
            + 0.1 * num(frame.value(i, vars[1]))
            + floor
            + 0.004 * num(frame.value(i, vars[3]));
        text.push_str(&format!(
            "{},{}\n",
            String::from_utf8_lossy(frame.id(i)),
            y.exp()
        ));
    }
    std::fs::write(d.path().join("consumption.csv"), text).unwrap();
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
