//! Calendar dates as the registry writes them (`YYYY-MM-DD`).

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Month;

/// A real calendar date. Wraps `time::Date` so that parsing and printing follow the
/// interchange format in one place.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a date of the form YYYY-MM-DD")]
pub struct DateError(pub String);

impl Date {
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let err = || DateError(s.chars().take(20).collect());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let mut v = 0u32;
            for &c in &b[r] {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + (c - b'0') as u32;
            }
            Some(v)
        };
        let (y, m, d) = (
            num(0..4).ok_or_else(err)?,
            num(5..7).ok_or_else(err)?,
            num(8..10).ok_or_else(err)?,
        );
        Date::from_ymd(y as i32, m as u8, d as u8).ok_or_else(err)
    }

    pub fn from_ymd(y: i32, m: u8, d: u8) -> Option<Date> {
        let month = Month::try_from(m).ok()?;
        time::Date::from_calendar_date(y, month, d).ok().map(Date)
    }

    pub fn year(&self) -> i32 {
        self.0.year()
    }
    pub fn month(&self) -> u8 {
        self.0.month() as u8
    }
    pub fn day(&self) -> u8 {
        self.0.day()
    }

    /// Whole years from `self` (a birth date) to `on`.
    pub fn age_on(&self, on: Date) -> i32 {
        let mut age = on.year() - self.year();
        if (on.month(), on.day()) < (self.month(), self.day()) {
            age -= 1;
        }
        age
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i32 {
        self.0.to_julian_day() - 2_440_588
    }

    pub fn from_days_since_epoch(days: i32) -> Option<Date> {
        time::Date::from_julian_day(days + 2_440_588).ok().map(Date)
    }

    /// The day `n` days later (earlier for negative `n`); saturates at the calendar's ends.
    pub fn plus_days(&self, n: i64) -> Date {
        let j = self.0.to_julian_day() as i64 + n;
        let j = j.clamp(
            time::Date::MIN.to_julian_day() as i64,
            time::Date::MAX.to_julian_day() as i64,
        );
        Date(time::Date::from_julian_day(j as i32).expect("clamped to the calendar"))
    }

    /// The same day `n` months later, or the month's last day when it is shorter
    /// (31 January + 1 month = 28 or 29 February).
    pub fn plus_months(&self, n: u32) -> Date {
        let total = self.year() as i64 * 12 + (self.month() as i64 - 1) + n as i64;
        let (y, m) = ((total / 12) as i32, (total % 12) as u8 + 1);
        let month = Month::try_from(m).expect("1..=12");
        let last = month.length(y);
        Date::from_ymd(y, m, self.day().min(last)).unwrap_or(*self)
    }

    /// `DD/MM/YYYY`, as Indonesian forms write dates.
    pub fn to_id_string(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day(), self.month(), self.year())
    }

    pub fn inner(&self) -> time::Date {
        self.0
    }
}

impl From<time::Date> for Date {
    fn from(d: time::Date) -> Self {
        Date(d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.year(),
            self.month(),
            self.day()
        )
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        let d = Date::parse("1996-02-29").unwrap();
        assert_eq!(d.to_string(), "1996-02-29");
        assert_eq!(d.to_id_string(), "29/02/1996");
        for bad in [
            "1997-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024/01/01",
            "",
            "abcd-ef-gh",
            "2024-04-31",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn age() {
        let b = Date::parse("2000-02-29").unwrap();
        assert_eq!(b.age_on(Date::parse("2018-02-28").unwrap()), 17);
        assert_eq!(b.age_on(Date::parse("2018-03-01").unwrap()), 18);
    }

    #[test]
    fn arithmetic() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.plus_months(1).to_string(), "2024-02-29");
        assert_eq!(d.plus_months(13).to_string(), "2025-02-28");
        assert_eq!(d.plus_months(0), d);
        assert_eq!(d.plus_days(30).to_string(), "2024-03-01");
        assert_eq!(d.plus_days(-31).to_string(), "2023-12-31");
    }

    #[test]
    fn epoch_days() {
        let d = Date::parse("1970-01-02").unwrap();
        assert_eq!(d.days_since_epoch(), 1);
        assert_eq!(Date::from_days_since_epoch(1).unwrap(), d);
    }
}
