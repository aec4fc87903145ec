//! Program participation (issue #4): who is enrolled in which program, from the
//! programs' own participant lists (`program,household_id,nik,period,status`).
//! A list row is parsed here; whether its household or person exists is the batch's
//! question (it asks the registry).

use crate::nik::Nik;
use crate::programs::Catalogue;
use crate::registry::HouseholdId;
use crate::rules::Unit;

/// The columns of a participant list, in order.
pub const PARTICIPATION_COLUMNS: [&str; 5] = ["program", "household_id", "nik", "period", "status"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Enrolled,
    Exited,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Status::Enrolled => "enrolled",
            Status::Exited => "exited",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "enrolled" => Some(Status::Enrolled),
            "exited" => Some(Status::Exited),
            _ => None,
        }
    }
}

/// One row of a participant list, parsed: a household (household programs) or a person
/// (member programs; the household is found through the person), in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    pub program: String,
    pub household_id: Option<HouseholdId>,
    pub nik: Option<Nik>,
    /// `YYYY-MM`.
    pub period: String,
    pub status: Status,
}

fn period(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 7
        && b[4] == b'-'
        && b[..4].iter().chain(&b[5..]).all(u8::is_ascii_digit)
        && (1..=12).contains(&s[5..].parse::<u8>().unwrap_or(0));
    ok.then(|| s.to_string())
}

impl Participation {
    /// Parses a row given in [`PARTICIPATION_COLUMNS`] order; every problem as (column,
    /// reason).
    pub fn parse(
        fields: &[&str; 5],
        catalogue: &Catalogue,
    ) -> Result<Participation, Vec<(&'static str, String)>> {
        let [program, household, nik, per, status] = fields.map(str::trim);
        let mut errs = Vec::new();
        let unit = match catalogue.program(program) {
            Some(p) => Some(p.unit),
            None => {
                errs.push(("program", format!("unknown program {program:?}")));
                None
            }
        };
        let household_id = if household.is_empty() {
            None
        } else {
            match HouseholdId::parse(household) {
                Ok(h) => Some(h),
                Err(e) => {
                    errs.push(("household_id", e));
                    None
                }
            }
        };
        let nik = if nik.is_empty() {
            None
        } else {
            match Nik::parse(nik, |_| true) {
                Ok(n) => Some(n),
                Err(e) => {
                    errs.push(("nik", e.to_string()));
                    None
                }
            }
        };
        match unit {
            Some(Unit::Member) if nik.is_none() && !errs.iter().any(|e| e.0 == "nik") => {
                errs.push(("nik", format!("{program} enrols people: give the NIK")))
            }
            Some(Unit::Household)
                if household_id.is_none()
                    && nik.is_none()
                    && !errs.iter().any(|e| e.0 == "household_id" || e.0 == "nik") =>
            {
                errs.push((
                    "household_id",
                    format!("{program} enrols households: give household_id (or a member's NIK)"),
                ))
            }
            _ => {}
        }
        let period = period(per);
        if period.is_none() {
            errs.push((
                "period",
                format!("{per:?} is not a month of the form YYYY-MM"),
            ));
        }
        let st = Status::parse(status);
        if st.is_none() {
            errs.push(("status", format!("{status:?} is not enrolled or exited")));
        }
        match (errs.is_empty(), period, st) {
            (true, Some(period), Some(status)) => Ok(Participation {
                program: program.to_string(),
                household_id,
                nik,
                period,
                status,
            }),
            _ => Err(errs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_parse_or_name_every_problem() {
        let c = Catalogue::shipped();
        let ok = Participation::parse(&["pkh", "H1", "", "2026-03", "enrolled"], c).unwrap();
        assert_eq!((ok.program.as_str(), ok.status), ("pkh", Status::Enrolled));
        let e = Participation::parse(&["xyz", "", "", "2026-13", "maybe"], c).unwrap_err();
        let cols: Vec<&str> = e.iter().map(|x| x.0).collect();
        assert_eq!(cols, ["program", "period", "status"]);
        let e = Participation::parse(&["kis_pbi", "H1", "", "2026-01", "enrolled"], c).unwrap_err();
        assert_eq!(e[0].0, "nik");
        let e = Participation::parse(&["pkh", "", "", "2026-01", "exited"], c).unwrap_err();
        assert_eq!(e[0].0, "household_id");
        let e = Participation::parse(&["kip", "", "12", "2026-01", "exited"], c).unwrap_err();
        assert_eq!(e[0].0, "nik");
    }
}
