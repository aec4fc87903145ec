//! Whether a person of the registry may enrol in a product: every criterion is checked
//! and reported, passed or failed, with its reason in Indonesian (shown at the desk).

use serde::Serialize;

use crate::date::Date;

use super::product::{Product, RoleRule};

/// What the registry says of the person and their household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub birth_date: Date,
    pub marital_status: String,
    pub relation: String,
    pub working: bool,
    pub employment_status: Option<String>,
    pub exit_state: Option<String>,
    pub household_exit_state: Option<String>,
    /// The household's national decile in the newest ranking edition (`None`: not ranked).
    pub national_decile: Option<u8>,
    /// Whether the household's head works (for the main-breadwinner rule).
    pub head_working: bool,
}

/// One criterion and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `age`, `role`, `informal_work`, `poverty`, `registry_status`.
    pub criterion: &'static str,
    pub passed: bool,
    /// Why, in Indonesian.
    pub reason: String,
}

/// The age on `on`, and whether it lies within the product's bounds (marriage standing in
/// for the lower bound where the product says so).
pub fn age_ok(p: &Product, birth: Date, married: bool, on: Date) -> (i32, bool) {
    let e = &p.eligibility;
    let age = birth.age_on(on);
    let above_min = if e.min_age_inclusive {
        age >= e.min_age
    } else {
        age > e.min_age
    };
    let below_max = if e.max_age_inclusive {
        age <= e.max_age
    } else {
        age < e.max_age
    };
    (
        age,
        below_max && (above_min || (married && e.married_substitutes_min_age)),
    )
}

/// The day a member passes the product's maximum age (the birthday after which
/// `age_ok` fails on account of age).
pub fn age_out_date(p: &Product, birth: Date) -> Date {
    let e = &p.eligibility;
    let years = if e.max_age_inclusive {
        e.max_age + 1
    } else {
        e.max_age
    };
    birth.plus_months((years.max(0) as u32) * 12)
}

/// Every criterion of `p` for a person with `f` on `on`.
pub fn check(p: &Product, f: &PersonFacts, on: Date) -> Vec<Check> {
    let e = &p.eligibility;
    let married = f.marital_status == "married";
    let (age, ok) = age_ok(p, f.birth_date, married, on);
    let bounds = format!(
        "{}{}–{}{}",
        e.min_age,
        if e.min_age_inclusive {
            ""
        } else {
            " (lebih dari)"
        },
        e.max_age,
        if e.max_age_inclusive {
            ""
        } else {
            " (kurang dari)"
        }
    );
    let mut out = vec![Check {
        criterion: "age",
        passed: ok,
        reason: if ok {
            format!("umur {age} tahun, dalam batas {bounds}")
        } else {
            format!(
                "umur {age} tahun, di luar batas {bounds}{}",
                if e.married_substitutes_min_age && age < e.min_age {
                    " dan belum kawin"
                } else {
                    ""
                }
            )
        },
    }];
    let role_ok = match p.role() {
        RoleRule::Head => f.relation == "head",
        RoleRule::MainEarner => f.working && (f.relation == "head" || !f.head_working),
    };
    out.push(Check {
        criterion: "role",
        passed: role_ok,
        reason: match (p.role(), role_ok) {
            (RoleRule::Head, true) => "kepala keluarga".into(),
            (RoleRule::Head, false) => format!("bukan kepala keluarga (hubungan: {})", f.relation),
            (RoleRule::MainEarner, true) => "pencari nafkah utama".into(),
            (RoleRule::MainEarner, false) if !f.working => {
                "tidak bekerja, jadi bukan pencari nafkah utama".into()
            }
            (RoleRule::MainEarner, false) => {
                "kepala keluarga bekerja: dialah pencari nafkah utama".into()
            }
        },
    });
    let status = f.employment_status.as_deref().unwrap_or("");
    let informal = f.working && e.informal_statuses.iter().any(|s| s == status);
    out.push(Check {
        criterion: "informal_work",
        passed: informal,
        reason: if informal {
            format!("pekerja informal ({status})")
        } else if !f.working {
            "tidak bekerja".into()
        } else if status.is_empty() {
            "status pekerjaan tidak tercatat".into()
        } else {
            format!("status pekerjaan {status} bukan pekerjaan informal")
        },
    });
    let poor = f.national_decile.is_some_and(|d| d <= e.max_decile);
    out.push(Check {
        criterion: "poverty",
        passed: poor,
        reason: match f.national_decile {
            Some(d) if poor => format!("desil nasional {d} (batas {})", e.max_decile),
            Some(d) => format!("desil nasional {d} di atas batas {}", e.max_decile),
            None => "rumah tangga belum diperingkat (tidak ada desil)".into(),
        },
    });
    let exit = f
        .exit_state
        .as_deref()
        .or(f.household_exit_state.as_deref());
    out.push(Check {
        criterion: "registry_status",
        passed: exit.is_none(),
        reason: match exit {
            None => "aktif di registri".into(),
            Some(s) => format!("sudah keluar dari registri ({s})"),
        },
    });
    out
}

/// The reasons of the failed checks, joined (empty when all passed).
pub fn refusal(checks: &[Check]) -> Option<String> {
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.criterion, c.reason))
        .collect();
    (!failed.is_empty()).then(|| failed.join("; "))
}
