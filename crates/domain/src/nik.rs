//! NIK (*Nomor Induk Kependudukan*) and KK (family card) numbers, validated exactly as
//! `shared/spec/interchange.md` says.
//!
//! NIK = `PPKKCC` (district of registration) + `DDMMYY` (birth date, women add 40 to the
//! day) + `SSSS` (serial, not `0000`). Whether the district exists is asked of the caller
//! (the region table lives outside the domain), through `known_district`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::Sex;
use crate::date::Date;
use crate::region::RegionCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("NIK is not 16 digits")]
    NotSixteenDigits,
    #[error("NIK district {0} is not a known district")]
    UnknownDistrict(String),
    #[error("NIK date part {0} is not a real date")]
    BadDate(String),
    #[error("NIK serial is 0000")]
    ZeroSerial,
    #[error("NIK date part says {nik_says}, sex is {sex}")]
    SexMismatch { nik_says: &'static str, sex: Sex },
    #[error("NIK date part {nik_date} disagrees with birth_date {birth_date}")]
    BirthDateMismatch { nik_date: String, birth_date: Date },
    #[error("KK number is not 16 digits")]
    KkNotSixteenDigits,
    #[error("KK number district {0} is not a known district")]
    KkUnknownDistrict(String),
}

fn sixteen_digits(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    if b.len() != 16 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u8; 16];
    out.copy_from_slice(b);
    Some(out)
}

fn to_u64(d: &[u8; 16]) -> u64 {
    d.iter().fold(0u64, |acc, c| acc * 10 + (c - b'0') as u64)
}

fn digits_of(v: u64) -> [u8; 16] {
    let mut out = [b'0'; 16];
    let mut v = v;
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out
}

fn two(d: &[u8]) -> u8 {
    (d[0] - b'0') * 10 + (d[1] - b'0')
}

/// A structurally valid NIK whose district was known when it was parsed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nik(u64);

impl Nik {
    /// Full validation of a NIK on its own: 16 digits, known district, real date, serial.
    pub fn parse(s: &str, known_district: impl Fn(&[u8; 6]) -> bool) -> Result<Nik, NikError> {
        let d = sixteen_digits(s).ok_or(NikError::NotSixteenDigits)?;
        let district: [u8; 6] = d[0..6].try_into().expect("slice of 6");
        if !known_district(&district) {
            return Err(NikError::UnknownDistrict(format_district(&district)));
        }
        let (day, month, yy) = (two(&d[6..8]), two(&d[8..10]), two(&d[10..12]));
        let real_day = if day > 40 { day - 40 } else { day };
        let real = [1900, 2000]
            .iter()
            .any(|c| Date::from_ymd(c + yy as i32, month, real_day).is_some());
        if !real {
            return Err(NikError::BadDate(
                String::from_utf8_lossy(&d[6..12]).into_owned(),
            ));
        }
        if &d[12..16] == b"0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(Nik(to_u64(&d)))
    }

    /// Checks the date/sex part against a person's birth date and sex (two-digit year
    /// compared modulo 100).
    pub fn check_person(&self, birth_date: Date, sex: Sex) -> Result<(), NikError> {
        let d = digits_of(self.0);
        let day = two(&d[6..8]);
        let nik_female = day > 40;
        if nik_female != (sex == Sex::F) {
            return Err(NikError::SexMismatch {
                nik_says: if nik_female { "female" } else { "male" },
                sex,
            });
        }
        let real_day = if nik_female { day - 40 } else { day };
        let (month, yy) = (two(&d[8..10]), two(&d[10..12]));
        if real_day != birth_date.day()
            || month != birth_date.month()
            || yy as i32 != birth_date.year().rem_euclid(100)
        {
            return Err(NikError::BirthDateMismatch {
                nik_date: String::from_utf8_lossy(&d[6..12]).into_owned(),
                birth_date,
            });
        }
        Ok(())
    }

    /// Builds the NIK of a person registered in `district` (a district-level code).
    pub fn build(district: &RegionCode, birth_date: Date, sex: Sex, serial: u16) -> Option<Nik> {
        let dd = district.digits();
        if dd.len() != 6 || serial == 0 || serial > 9999 {
            return None;
        }
        let day = birth_date.day() + if sex == Sex::F { 40 } else { 0 };
        let s = format!(
            "{dd}{day:02}{:02}{:02}{serial:04}",
            birth_date.month(),
            birth_date.year().rem_euclid(100)
        );
        Nik::parse(&s, |_| true).ok()
    }

    pub fn district_digits(&self) -> [u8; 6] {
        digits_of(self.0)[0..6].try_into().expect("slice of 6")
    }

    pub fn as_u64(&self) -> u64 {
        self.0
    }

    /// For values that were validated before they were stored (e.g. read back from the
    /// registry). `None` if it is not 16 digits.
    pub fn from_stored(s: &str) -> Option<Nik> {
        sixteen_digits(s).map(|d| Nik(to_u64(&d)))
    }
}

fn format_district(d: &[u8; 6]) -> String {
    let s = String::from_utf8_lossy(d);
    format!("{}.{}.{}", &s[0..2], &s[2..4], &s[4..6])
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}", self.0)
    }
}
impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({:016})", self.0)
    }
}

/// A family card (*Kartu Keluarga*) number: 16 digits whose first six are a known district.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KkNumber(u64);

impl KkNumber {
    pub fn parse(s: &str, known_district: impl Fn(&[u8; 6]) -> bool) -> Result<KkNumber, NikError> {
        let d = sixteen_digits(s).ok_or(NikError::KkNotSixteenDigits)?;
        let district: [u8; 6] = d[0..6].try_into().expect("slice of 6");
        if !known_district(&district) {
            return Err(NikError::KkUnknownDistrict(format_district(&district)));
        }
        Ok(KkNumber(to_u64(&d)))
    }

    pub fn build(district: &RegionCode, rest: u64) -> Option<KkNumber> {
        let dd = district.digits();
        (dd.len() == 6 && rest < 10_000_000_000)
            .then(|| KkNumber(dd.parse::<u64>().unwrap_or(0) * 10_000_000_000 + rest))
    }

    pub fn from_stored(s: &str) -> Option<KkNumber> {
        sixteen_digits(s).map(|d| KkNumber(to_u64(&d)))
    }

    pub fn as_u64(&self) -> u64 {
        self.0
    }
}

impl fmt::Display for KkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016}", self.0)
    }
}
impl fmt::Debug for KkNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KkNumber({:016})", self.0)
    }
}

macro_rules! string_serde {
    ($t:ty, $from:expr, $what:literal) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $from(&s)
                    .ok_or_else(|| serde::de::Error::custom(concat!($what, " is not 16 digits")))
            }
        }
    };
}
string_serde!(Nik, Nik::from_stored, "NIK");
string_serde!(KkNumber, KkNumber::from_stored, "KK number");

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn known(d: &[u8; 6]) -> bool {
        d != b"999999"
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn conformance_rows() {
        // From shared/spec/conformance/bad/members.csv.
        assert_eq!(Nik::parse("12345", known), Err(NikError::NotSixteenDigits));
        let n = Nik::parse("3201014101900002", known).unwrap();
        assert_eq!(
            n.check_person(date("1990-01-01"), Sex::M)
                .unwrap_err()
                .to_string(),
            "NIK date part says female, sex is M"
        );
        let ok = Nik::parse("3304067110227635", known).unwrap();
        ok.check_person(date("2022-10-31"), Sex::F).unwrap();
        // Leap day with a two-digit year.
        Nik::parse("1222012902969997", known)
            .unwrap()
            .check_person(date("1996-02-29"), Sex::M)
            .unwrap();
    }

    #[test]
    fn each_reason() {
        assert_eq!(
            Nik::parse("320101010190000a", known),
            Err(NikError::NotSixteenDigits)
        );
        assert_eq!(
            Nik::parse("32010101019000011", known),
            Err(NikError::NotSixteenDigits)
        );
        assert!(matches!(
            Nik::parse("9999990101900001", known),
            Err(NikError::UnknownDistrict(_))
        ));
        assert!(matches!(
            Nik::parse("3201013202900001", known),
            Err(NikError::BadDate(_))
        ));
        assert!(
            matches!(
                Nik::parse("3201012902010001", known),
                Err(NikError::BadDate(_))
            ),
            "29 Feb 1901/2001"
        );
        assert!(Nik::parse("3201012902000001", known).is_ok(), "29 Feb 2000");
        assert!(
            matches!(
                Nik::parse("3201017113900001", known),
                Err(NikError::BadDate(_))
            ),
            "month 13"
        );
        assert!(
            matches!(
                Nik::parse("3201010001900001", known),
                Err(NikError::BadDate(_))
            ),
            "day 0"
        );
        assert!(
            matches!(
                Nik::parse("3201014001900001", known),
                Err(NikError::BadDate(_))
            ),
            "day 40 = female day 0"
        );
        assert_eq!(
            Nik::parse("3201010101900000", known),
            Err(NikError::ZeroSerial)
        );
        let n = Nik::parse("3201010101900001", known).unwrap();
        assert!(matches!(
            n.check_person(date("1990-01-02"), Sex::M),
            Err(NikError::BirthDateMismatch { .. })
        ));
        assert!(
            n.check_person(date("1890-01-01"), Sex::M).is_ok(),
            "year modulo 100"
        );
        assert!(matches!(
            n.check_person(date("1990-01-01"), Sex::F),
            Err(NikError::SexMismatch { .. })
        ));
        assert!(matches!(
            KkNumber::parse("999999123", known),
            Err(NikError::KkNotSixteenDigits)
        ));
        assert!(matches!(
            KkNumber::parse("9999990000000001", known),
            Err(NikError::KkUnknownDistrict(_))
        ));
        assert!(KkNumber::parse("3201010000000000", known).is_ok());
    }

    proptest! {
        #[test]
        fn built_niks_validate(days in -25_000i32..20_000, female: bool, serial in 1u16..=9999, dist in 110101u32..999998) {
            let birth = Date::from_days_since_epoch(days).unwrap();
            let sex = if female { Sex::F } else { Sex::M };
            let ds = format!("{dist:06}");
            let code = RegionCode::parse(&format!("{}.{}.{}", &ds[0..2], &ds[2..4], &ds[4..6])).unwrap();
            let nik = Nik::build(&code, birth, sex, serial).unwrap();
            let s = nik.to_string();
            prop_assert_eq!(s.len(), 16);
            let parsed = Nik::parse(&s, known).unwrap();
            prop_assert_eq!(parsed, nik);
            prop_assert!(parsed.check_person(birth, sex).is_ok());
            let other = if female { Sex::M } else { Sex::F };
            prop_assert!(parsed.check_person(birth, other).is_err());
            prop_assert_eq!(&parsed.district_digits(), ds.as_bytes());
        }

        #[test]
        fn any_string_never_panics(s in "\\PC{0,20}") {
            let _ = Nik::parse(&s, known);
            let _ = KkNumber::parse(&s, known);
        }

        #[test]
        fn non_digit_is_rejected(pos in 0usize..16, c in "[^0-9]") {
            let mut s: Vec<char> = "3201010101900001".chars().collect();
            s[pos] = c.chars().next().unwrap();
            let s: String = s.into_iter().collect();
            prop_assert_eq!(Nik::parse(&s, known), Err(NikError::NotSixteenDigits));
        }
    }
}
