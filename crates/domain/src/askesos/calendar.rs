//! Working days: Monday to Friday, less the holidays and joint leave days of a calendar
//! held as data (`crates/domain/askesos/holidays.csv`, the SKB 3 Menteri of each year;
//! administrators can change the stored calendar).

use std::collections::BTreeSet;

use time::Weekday;

use crate::date::Date;

/// The shipped calendar (`date,kind,name_id,name_en`).
pub const SHIPPED_HOLIDAYS: &str = include_str!("../../askesos/holidays.csv");

/// A holiday of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    /// `holiday` (libur nasional) or `joint_leave` (cuti bersama).
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
}

/// Parses the calendar CSV; an error names the line.
pub fn parse_holidays(text: &str) -> Result<Vec<Holiday>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        if f.len() != 4 {
            return Err(format!(
                "line {}: expected 4 fields, found {}",
                i + 1,
                f.len()
            ));
        }
        let date = Date::parse(f[0]).map_err(|e| format!("line {}: date: {e}", i + 1))?;
        if f[1] != "holiday" && f[1] != "joint_leave" {
            return Err(format!(
                "line {}: kind: expected holiday or joint_leave",
                i + 1
            ));
        }
        out.push(Holiday {
            date,
            kind: f[1].into(),
            name_id: f[2].into(),
            name_en: f[3].into(),
        });
    }
    Ok(out)
}

/// Which days are worked.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = Date>) -> Calendar {
        Calendar {
            holidays: days.into_iter().collect(),
        }
    }

    /// The shipped calendar.
    pub fn shipped() -> Calendar {
        let h = parse_holidays(SHIPPED_HOLIDAYS).expect("shipped holidays.csv parses");
        Calendar::new(h.into_iter().map(|h| h.date))
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !matches!(d.inner().weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&d)
    }

    /// The `n`-th working day after `start` (`start` itself is not counted; `n == 0`
    /// gives `start`).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.plus_days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.plus_days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn weekends_and_holidays_are_skipped() {
        // Friday 2014-07-25; Idul Fitri 2014 fell on Mon 28 and Tue 29 July.
        let c = Calendar::new([d("2014-07-28"), d("2014-07-29")]);
        assert_eq!(c.add_working_days(d("2014-07-25"), 1), d("2014-07-30"));
        assert_eq!(c.add_working_days(d("2014-07-25"), 3), d("2014-08-01"));
        assert_eq!(c.add_working_days(d("2014-07-25"), 0), d("2014-07-25"));
        assert_eq!(c.working_days_between(d("2014-07-25"), d("2014-08-01")), 3);
        assert_eq!(c.working_days_between(d("2014-08-01"), d("2014-07-25")), 0);
        let plain = Calendar::default();
        assert_eq!(plain.add_working_days(d("2014-07-25"), 3), d("2014-07-30"));
    }

    #[test]
    fn shipped_calendar_parses_and_has_independence_day_every_year() {
        let h = parse_holidays(SHIPPED_HOLIDAYS).unwrap();
        let c = Calendar::shipped();
        for y in 2012..=2027 {
            let day = Date::from_ymd(y, 8, 17).unwrap();
            assert!(h.iter().any(|x| x.date == day), "{y}");
            assert!(!c.is_working_day(day));
        }
        assert!(
            parse_holidays("date,kind,name_id,name_en\n2014-13-01,holiday,a,b\n")
                .unwrap_err()
                .starts_with("line 2: date")
        );
        assert!(parse_holidays("h\n2014-01-01,feast,a,b\n")
            .unwrap_err()
            .contains("kind"));
    }
}
