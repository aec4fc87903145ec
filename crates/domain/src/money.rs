//! Money in whole rupiah. Never floats.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Rupiah(pub i64);

impl Rupiah {
    pub fn checked_add(self, o: Rupiah) -> Option<Rupiah> {
        self.0.checked_add(o.0).map(Rupiah)
    }
    pub fn checked_mul(self, n: i64) -> Option<Rupiah> {
        self.0.checked_mul(n).map(Rupiah)
    }
}

/// `Rp 1.500.000` (Indonesian thousands separator).
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}Rp {out}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn formats_indonesian() {
        assert_eq!(Rupiah(1_500_000).to_string(), "Rp 1.500.000");
        assert_eq!(Rupiah(0).to_string(), "Rp 0");
        assert_eq!(Rupiah(999).to_string(), "Rp 999");
        assert_eq!(Rupiah(-30_000_000).to_string(), "-Rp 30.000.000");
        assert_eq!(
            Rupiah(i64::MIN).to_string(),
            "-Rp 9.223.372.036.854.775.808"
        );
    }
}
