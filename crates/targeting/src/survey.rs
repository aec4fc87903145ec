//! Survey truth (consumption.csv), model fitting by OLS and back-testing (pmt-model.md,
//! "Fitting and back-testing").

use std::path::Path;

use selaras_domain::pmt::{Derived, Model, Segment, Term, TermKind, VarValue, Variable};
use selaras_domain::Date;
use selaras_interchange::{CountingReader, CsvFile};

use crate::{Frame, FrameError};

pub const CONSUMPTION_FILE: &str = "consumption.csv";

/// Per-capita consumption of each household of `frame` (NaN: not surveyed).
pub fn read_consumption(dir: &Path, frame: &Frame) -> Result<Vec<f64>, FrameError> {
    use selaras_domain::registry::{Column, Kind};
    static COLS: &[Column] = &[
        Column {
            name: "household_id",
            kind: Kind::Text,
            required: true,
        },
        Column {
            name: "per_capita_consumption",
            kind: Kind::Real,
            required: true,
        },
    ];
    const F: &str = CONSUMPTION_FILE;
    let mut out = vec![f64::NAN; frame.len()];
    let mut file: CsvFile<CountingReader<std::fs::File>> = selaras_interchange::open(dir, F, COLS)?;
    let (id_pos, c_pos) = (
        file.map.position(0).unwrap_or(0),
        file.map.position(1).unwrap_or(1),
    );
    let err = |line, column, reason: String| FrameError::Row {
        file: F,
        line,
        column,
        reason,
    };
    while let Some(item) = file.next_bytes() {
        let (at, rec) = item.map_err(|(at, reason)| err(at, "", reason))?;
        let line = || selaras_interchange::line_at_offset(&dir.join(F), at).unwrap_or(0);
        let id = rec.get(id_pos).unwrap_or_default();
        let value = std::str::from_utf8(rec.get(c_pos).unwrap_or_default())
            .ok()
            .map(str::trim)
            .unwrap_or("");
        if value.is_empty() {
            continue;
        }
        let v: f64 = match value.parse() {
            Ok(v) if v > 0.0 && f64::is_finite(v) => v,
            _ => {
                return Err(err(
                    line(),
                    "per_capita_consumption",
                    format!("{value:?} is not a positive number"),
                ))
            }
        };
        match frame.find(id) {
            Some(i) => out[i] = v,
            None => {
                return Err(err(
                    line(),
                    "household_id",
                    format!(
                        "household {} is not in households.csv",
                        String::from_utf8_lossy(id)
                    ),
                ))
            }
        }
    }
    Ok(out)
}

/// The variables a fit uses when none are named: household make-up, the head, housing
/// and assets.
pub const DEFAULT_FIT_VARS: &[&str] = &[
    "log_hh_size",
    "dependency_ratio",
    "share_working",
    "floor_area_per_capita",
    "head_female",
    "head_age",
    "head_education",
    "head_sector",
    "children_0_6",
    "elderly_60",
    "disabled_members",
    "max_education",
    "floor_type",
    "wall_type",
    "roof_type",
    "drinking_water",
    "lighting",
    "cooking_fuel",
    "toilet",
    "ownership",
    "has_refrigerator",
    "has_motorcycle",
    "has_car",
    "has_television",
    "has_computer",
    "has_air_conditioner",
    "has_gold_10g",
    "owns_land",
];

/// A model with these variables and every coefficient 0: what a frame must read to fit.
pub fn design_model(vars: &[Variable], as_of: Date) -> Model {
    let terms = vars
        .iter()
        .map(|&var| Term {
            var,
            kind: if var.is_categorical() {
                TermKind::Levels(Vec::new())
            } else {
                TermKind::Coef(0.0)
            },
        })
        .collect();
    Model {
        id: "fit".into(),
        version: 1,
        as_of,
        default: Segment {
            prefix: None,
            intercept: 0.0,
            terms,
        },
        segments: Vec::new(),
        region_effects: Vec::new(),
    }
}

/// One column of the design matrix.
#[derive(Debug, Clone)]
pub struct Regressor {
    pub var: Variable,
    /// `Some(level)`: the dummy of this level.
    pub level: Option<String>,
    pub coef: f64,
    pub std_error: f64,
}

#[derive(Debug, Clone)]
pub struct Fit {
    pub intercept: f64,
    pub intercept_se: f64,
    pub regressors: Vec<Regressor>,
    pub r_squared: f64,
    pub households: usize,
    pub model: Model,
}

#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("too few households with consumption ({households}) for {parameters} parameters")]
    TooFew {
        households: usize,
        parameters: usize,
    },
    #[error("the variables are collinear (column {0} is a combination of the others): drop one")]
    Collinear(String),
}

/// The levels a categorical variable's dummies stand for: all but the first listed (the
/// base); free-text variables in sorted order of the values seen.
fn dummy_levels(var: Variable, frame: &Frame) -> Vec<String> {
    let levels: Vec<String> = match var.levels() {
        Some(l) => l.into_iter().map(String::from).collect(),
        None => {
            let mut seen: Vec<String> = (0..frame.len())
                .filter_map(|i| match frame.value(i, var) {
                    VarValue::Level(l) => Some(l.to_string()),
                    _ => None,
                })
                .collect();
            seen.sort();
            seen.dedup();
            seen
        }
    };
    levels.into_iter().skip(1).collect()
}

/// OLS of ln(per-capita consumption) on `vars` over the surveyed households that have
/// every variable known; categorical variables as dummies with the first level as base.
pub fn fit(
    frame: &Frame,
    consumption: &[f64],
    vars: &[Variable],
    id: &str,
    as_of: Date,
) -> Result<Fit, FitError> {
    // Columns: intercept, then each numeric variable or each non-base level.
    let mut cols: Vec<(Variable, Option<String>)> = Vec::new();
    for &v in vars {
        if v.is_categorical() {
            for l in dummy_levels(v, frame) {
                cols.push((v, Some(l)));
            }
        } else {
            cols.push((v, None));
        }
    }
    let p = cols.len() + 1;
    let mut xtx = vec![0.0f64; p * p];
    let mut xty = vec![0.0f64; p];
    let (mut n, mut sum_y, mut sum_yy) = (0usize, 0.0f64, 0.0f64);
    let mut x = vec![0.0f64; p];
    let mut rows: Vec<(usize, f64)> = Vec::new();
    'households: for (i, &c) in consumption.iter().enumerate() {
        if c.is_nan() || frame.unscorable(i).is_some() {
            continue;
        }
        x[0] = 1.0;
        for (k, (v, level)) in cols.iter().enumerate() {
            x[k + 1] = match (frame.value(i, *v), level) {
                (VarValue::Num(a), None) => a,
                (VarValue::Level(l), Some(want)) => (l == want) as u8 as f64,
                // A household with an unknown variable is left out of the fit.
                _ => continue 'households,
            };
        }
        let y = c.ln();
        for a in 0..p {
            xty[a] += x[a] * y;
            for b in 0..=a {
                xtx[a * p + b] += x[a] * x[b];
            }
        }
        n += 1;
        sum_y += y;
        sum_yy += y * y;
        rows.push((i, y));
    }
    if n <= p {
        return Err(FitError::TooFew {
            households: n,
            parameters: p,
        });
    }
    for a in 0..p {
        for b in 0..a {
            xtx[b * p + a] = xtx[a * p + b];
        }
    }
    let name = |k: usize| match k {
        0 => "intercept".to_string(),
        k => match &cols[k - 1] {
            (v, None) => v.name().to_string(),
            (v, Some(l)) => format!("{}={l}", v.name()),
        },
    };
    let inv = invert_spd(&xtx, p).map_err(|k| FitError::Collinear(name(k)))?;
    let beta: Vec<f64> = (0..p)
        .map(|a| (0..p).map(|b| inv[a * p + b] * xty[b]).sum())
        .collect();
    // Residual sum of squares: y'y - 2 b'X'y + b'X'X b, computed directly for accuracy.
    let mut rss = 0.0;
    for &(i, y) in &rows {
        let mut pred = beta[0];
        for (k, (v, level)) in cols.iter().enumerate() {
            pred += beta[k + 1]
                * match (frame.value(i, *v), level) {
                    (VarValue::Num(a), None) => a,
                    (VarValue::Level(l), Some(want)) => (l == want) as u8 as f64,
                    _ => 0.0,
                };
        }
        rss += (y - pred) * (y - pred);
    }
    let tss = sum_yy - sum_y * sum_y / n as f64;
    let sigma2 = rss / (n - p) as f64;
    let se = |a: usize| (sigma2 * inv[a * p + a]).max(0.0).sqrt();
    let regressors: Vec<Regressor> = cols
        .iter()
        .enumerate()
        .map(|(k, (v, l))| Regressor {
            var: *v,
            level: l.clone(),
            coef: beta[k + 1],
            std_error: se(k + 1),
        })
        .collect();
    // The model file: numeric terms with their coefficient, categorical ones with their
    // non-base levels.
    let mut terms: Vec<Term> = Vec::new();
    for &v in vars {
        let mine = regressors.iter().filter(|r| r.var == v);
        let kind = if v.is_categorical() {
            TermKind::Levels(
                mine.filter_map(|r| r.level.clone().map(|l| (l, r.coef)))
                    .collect(),
            )
        } else {
            TermKind::Coef(mine.map(|r| r.coef).next().unwrap_or(0.0))
        };
        terms.push(Term { var: v, kind });
    }
    Ok(Fit {
        intercept: beta[0],
        intercept_se: se(0),
        regressors,
        r_squared: if tss > 0.0 { 1.0 - rss / tss } else { 0.0 },
        households: n,
        model: Model {
            id: id.to_string(),
            version: 1,
            as_of,
            default: Segment {
                prefix: None,
                intercept: beta[0],
                terms,
            },
            segments: Vec::new(),
            region_effects: Vec::new(),
        },
    })
}

/// Inverse of a symmetric positive-definite matrix by Cholesky; `Err(k)`: column `k` is
/// (numerically) a combination of the ones before it.
fn invert_spd(a: &[f64], p: usize) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0f64; p * p];
    for j in 0..p {
        let mut d = a[j * p + j];
        for k in 0..j {
            d -= l[j * p + k] * l[j * p + k];
        }
        if d <= a[j * p + j].abs() * 1e-10 || d <= 0.0 {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * p + j] = d;
        for i in j + 1..p {
            let mut s = a[i * p + j];
            for k in 0..j {
                s -= l[i * p + k] * l[j * p + k];
            }
            l[i * p + j] = s / d;
        }
    }
    // inv = L^-T L^-1: solve for each unit vector.
    let mut inv = vec![0.0f64; p * p];
    let mut y = vec![0.0f64; p];
    for c in 0..p {
        for i in 0..p {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for k in 0..i {
                s -= l[i * p + k] * y[k];
            }
            y[i] = s / l[i * p + i];
        }
        for i in (0..p).rev() {
            let mut s = y[i];
            for k in i + 1..p {
                s -= l[k * p + i] * inv[k * p + c];
            }
            inv[i * p + c] = s / l[i * p + i];
        }
    }
    Ok(inv)
}

/// Targeting errors at a coverage (percent), over the surveyed households.
#[derive(Debug, Clone, PartialEq)]
pub struct Errors {
    pub households: usize,
    pub poor: usize,
    pub selected: usize,
    pub exclusion_error: f64,
    pub inclusion_error: f64,
}

/// Back-test at `coverage` percent: the truly poor are the surveyed households in the
/// bottom `coverage` percent by consumption (the ranking's percentile formula, ties by
/// household id), which sets a line: the highest consumption among them; the model
/// selects the surveyed households whose predicted consumption (exp(score)) is at or
/// below that line. Returns the national errors and those of each province.
pub fn backtest(
    frame: &Frame,
    scores: &[f64],
    consumption: &[f64],
    coverage: u32,
) -> (Errors, Vec<(u8, Errors)>) {
    // A household that cannot be scored cannot be selected either: left out.
    let mut surveyed: Vec<usize> = (0..frame.len())
        .filter(|&i| !consumption[i].is_nan() && frame.unscorable(i).is_none())
        .collect();
    surveyed.sort_unstable_by(|&a, &b| {
        consumption[a]
            .total_cmp(&consumption[b])
            .then_with(|| frame.id(a).cmp(frame.id(b)))
    });
    let n = surveyed.len() as u64;
    let mut poor = vec![false; frame.len()];
    let mut line = f64::NEG_INFINITY;
    for (pos, &i) in surveyed.iter().enumerate() {
        if selaras_domain::pmt::bucket(pos as u64 + 1, n, 100) <= coverage as u64 {
            poor[i] = true;
            line = line.max(consumption[i]);
        }
    }
    let selected = |i: usize| scores[i].exp() <= line;
    let errors = |members: &mut dyn Iterator<Item = usize>| {
        let (mut h, mut p, mut s, mut poor_missed, mut wrongly) = (0, 0, 0, 0, 0);
        for i in members {
            h += 1;
            let (is_poor, is_sel) = (poor[i], selected(i));
            p += is_poor as usize;
            s += is_sel as usize;
            poor_missed += (is_poor && !is_sel) as usize;
            wrongly += (is_sel && !is_poor) as usize;
        }
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        Errors {
            households: h,
            poor: p,
            selected: s,
            exclusion_error: ratio(poor_missed, p),
            inclusion_error: ratio(wrongly, s),
        }
    };
    let national = errors(&mut surveyed.iter().copied());
    let mut provinces: Vec<u8> = surveyed.iter().map(|&i| frame.province_of(i)).collect();
    provinces.sort_unstable();
    provinces.dedup();
    let by_province = provinces
        .into_iter()
        .map(|p| {
            (
                p,
                errors(
                    &mut surveyed
                        .iter()
                        .copied()
                        .filter(|&i| frame.province_of(i) == p),
                ),
            )
        })
        .collect();
    (national, by_province)
}

/// Parses variable names for `fit --vars`.
pub fn parse_vars(names: &[String]) -> Result<Vec<Variable>, String> {
    names
        .iter()
        .map(|n| {
            Variable::parse(n.trim()).ok_or_else(|| {
                let derived: Vec<&str> = Derived::ALL.iter().map(|d| d.name()).collect();
                format!(
                    "unknown variable {n:?} (household columns or one of: {})",
                    derived.join(", ")
                )
            })
        })
        .collect()
}
