//! Kemendagri region codes (`PP`, `PP.KK`, `PP.KK.CC`, `PP.KK.CC.DDDD`) and region scopes.
//!
//! A code is stored inline (13 bytes + length) so that it is `Copy` and cheap to hash and
//! compare: the registry holds tens of millions of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four levels of the Kemendagri hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// *Provinsi*, `PP`.
    Province,
    /// *Kabupaten/Kota*, `PP.KK`.
    Regency,
    /// *Kecamatan*, `PP.KK.CC`.
    District,
    /// *Desa/Kelurahan*, `PP.KK.CC.DDDD`.
    Village,
}

impl RegionLevel {
    /// Length of a code at this level, dots included.
    pub const fn code_len(self) -> usize {
        match self {
            RegionLevel::Province => 2,
            RegionLevel::Regency => 5,
            RegionLevel::District => 8,
            RegionLevel::Village => 13,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Regency => "regency",
            RegionLevel::District => "district",
            RegionLevel::Village => "village",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("region code is empty")]
    Empty,
    #[error("region code {0:?} is not of the form PP, PP.KK, PP.KK.CC or PP.KK.CC.DDDD")]
    Malformed(String),
}

/// A syntactically valid region code. Whether it exists is the region table's business
/// (`selaras-regions`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode {
    bytes: [u8; 13],
    len: u8,
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let b = s.as_bytes();
        if b.is_empty() {
            return Err(RegionCodeError::Empty);
        }
        let ok_shape = matches!(b.len(), 2 | 5 | 8 | 13)
            && b.iter().enumerate().all(|(i, c)| {
                if i == 2 || i == 5 || i == 8 {
                    *c == b'.'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !ok_shape {
            return Err(RegionCodeError::Malformed(truncate_for_message(s)));
        }
        let mut bytes = [0u8; 13];
        bytes[..b.len()].copy_from_slice(b);
        Ok(RegionCode {
            bytes,
            len: b.len() as u8,
        })
    }

    /// The code of the district (*kecamatan*) written without dots as the first six digits
    /// of a NIK or KK number, e.g. `320101` → `32.01.01`.
    pub fn from_district_digits(d: &[u8; 6]) -> Result<Self, RegionCodeError> {
        let s = [d[0], d[1], b'.', d[2], d[3], b'.', d[4], d[5]];
        // Digits were checked by the caller; parse again so that the invariant holds anyway.
        RegionCode::parse(std::str::from_utf8(&s).unwrap_or(""))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and dots are ever stored.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    pub fn level(&self) -> RegionLevel {
        match self.len {
            2 => RegionLevel::Province,
            5 => RegionLevel::Regency,
            8 => RegionLevel::District,
            _ => RegionLevel::Village,
        }
    }

    /// The enclosing region, `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let new_len = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::Regency => 2,
            RegionLevel::District => 5,
            RegionLevel::Village => 8,
        };
        Some(self.truncate(new_len))
    }

    /// This code cut to `level` (which must not be finer than the code itself).
    pub fn at_level(&self, level: RegionLevel) -> Option<RegionCode> {
        (level <= self.level()).then(|| self.truncate(level.code_len()))
    }

    pub fn province(&self) -> RegionCode {
        self.truncate(2)
    }

    fn truncate(&self, len: usize) -> RegionCode {
        let mut bytes = [0u8; 13];
        bytes[..len].copy_from_slice(&self.bytes[..len]);
        RegionCode {
            bytes,
            len: len as u8,
        }
    }

    /// True when `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.len >= self.len && other.bytes[..self.len as usize] == self.bytes[..self.len as usize]
    }

    /// The code without dots (`32.01.01` → `320101`), as used inside NIKs.
    pub fn digits(&self) -> String {
        self.as_str().chars().filter(|c| *c != '.').collect()
    }
}

fn truncate_for_message(s: &str) -> String {
    s.chars().take(40).collect()
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({})", self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// What part of the country a user or a query covers: the whole nation or one region with
/// all its descendants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegionScope {
    National,
    Region(RegionCode),
}

impl RegionScope {
    pub fn contains(&self, code: &RegionCode) -> bool {
        match self {
            RegionScope::National => true,
            RegionScope::Region(r) => r.contains(code),
        }
    }

    /// The prefix to match codes stored as text with `LIKE prefix || '%'`; empty = all.
    pub fn prefix(&self) -> &str {
        match self {
            RegionScope::National => "",
            RegionScope::Region(r) => r.as_str(),
        }
    }

    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        if s.is_empty() || s.eq_ignore_ascii_case("national") || s == "00" {
            Ok(RegionScope::National)
        } else {
            RegionCode::parse(s).map(RegionScope::Region)
        }
    }
}

impl fmt::Display for RegionScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionScope::National => f.write_str("national"),
            RegionScope::Region(r) => f.write_str(r.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_each_level() {
        for (s, l) in [
            ("32", RegionLevel::Province),
            ("32.01", RegionLevel::Regency),
            ("32.01.01", RegionLevel::District),
            ("32.01.01.2001", RegionLevel::Village),
        ] {
            let c = RegionCode::parse(s).unwrap();
            assert_eq!(c.level(), l);
            assert_eq!(c.as_str(), s);
        }
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "3",
            "320",
            "32-01",
            "32.1",
            "32.01.01.200",
            "32.01.01.20011",
            "ab",
            "32.01.0a",
        ] {
            assert!(RegionCode::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn scope_contains_descendants_only() {
        let v = RegionCode::parse("32.01.01.2001").unwrap();
        for s in ["32", "32.01", "32.01.01", "32.01.01.2001"] {
            assert!(RegionScope::parse(s).unwrap().contains(&v), "{s}");
        }
        for s in ["33", "32.02", "32.01.02", "32.01.01.2002"] {
            assert!(!RegionScope::parse(s).unwrap().contains(&v), "{s}");
        }
        assert!(!RegionScope::parse("32.01.01.2001")
            .unwrap()
            .contains(&RegionCode::parse("32.01").unwrap()));
        assert!(RegionScope::National.contains(&v));
    }

    #[test]
    fn parent_chain() {
        let v = RegionCode::parse("32.01.01.2001").unwrap();
        let chain: Vec<String> = std::iter::successors(Some(v), |c| c.parent())
            .map(|c| c.to_string())
            .collect();
        assert_eq!(chain, ["32.01.01.2001", "32.01.01", "32.01", "32"]);
        assert_eq!(v.digits(), "3201012001");
    }

    proptest! {
        #[test]
        fn roundtrip_and_ancestry(p in 11u32..99, k in 1u32..99, c in 1u32..99, d in 1001u32..2999) {
            let s = format!("{p:02}.{k:02}.{c:02}.{d:04}");
            let code = RegionCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
            let mut cur = code;
            while let Some(parent) = cur.parent() {
                prop_assert!(parent.contains(&code));
                prop_assert!(!code.contains(&parent));
                cur = parent;
            }
        }
    }
}
