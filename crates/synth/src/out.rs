//! Allocation-free calendar arithmetic and text output into byte buffers.

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
#[inline]
pub fn civil(days: i32) -> (i32, u8, u8) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// (year, month, day) → days since 1970-01-01 (`days_from_civil`).
#[inline]
pub fn days_of(y: i32, m: u8, d: u8) -> i32 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// Whole years from `birth` to `on` (both days since the epoch): the difference of the years,
/// less one when the birthday falls after `on` in the year.
#[inline]
pub fn age_years(birth: i32, on: i32) -> i32 {
    let (by, bm, bd) = civil(birth);
    let (oy, om, od) = civil(on);
    let mut age = oy - by;
    if (om, od) < (bm, bd) {
        age -= 1;
    }
    age
}

/// The date `years` whole years after `days` (29 February → 28 February in common years).
pub fn add_years(days: i32, years: i32) -> i32 {
    let (y, m, d) = civil(days);
    let y2 = y + years;
    let leap = (y2 % 4 == 0 && y2 % 100 != 0) || y2 % 400 == 0;
    let d2 = if m == 2 && d == 29 && !leap { 28 } else { d };
    days_of(y2, m, d2)
}

/// A byte buffer that rows are written into.
pub trait Out {
    fn s(&mut self, s: &str);
    fn b(&mut self, c: u8);
    fn uint(&mut self, v: u64);
    fn date(&mut self, days: i32);
    fn digits2(&mut self, v: u32);
    fn digits4(&mut self, v: u32);
    fn bool01(&mut self, v: bool);
    fn opt_bool(&mut self, v: Option<bool>);
    fn tenths(&mut self, v: u32);
    fn micro(&mut self, v: i64);
}

impl Out for Vec<u8> {
    #[inline]
    fn s(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
    #[inline]
    fn b(&mut self, c: u8) {
        self.push(c);
    }
    #[inline]
    fn uint(&mut self, v: u64) {
        let mut buf = itoa::Buffer::new();
        self.extend_from_slice(buf.format(v).as_bytes());
    }
    /// `YYYY-MM-DD` (years 0–9999).
    #[inline]
    fn date(&mut self, days: i32) {
        let (y, m, d) = civil(days);
        self.digits4(y as u32);
        self.push(b'-');
        self.digits2(m as u32);
        self.push(b'-');
        self.digits2(d as u32);
    }
    #[inline]
    fn digits2(&mut self, v: u32) {
        self.extend_from_slice(&[b'0' + (v / 10 % 10) as u8, b'0' + (v % 10) as u8]);
    }
    #[inline]
    fn digits4(&mut self, v: u32) {
        self.digits2(v / 100 % 100);
        self.digits2(v % 100);
    }
    #[inline]
    fn bool01(&mut self, v: bool) {
        self.push(if v { b'1' } else { b'0' });
    }
    #[inline]
    fn opt_bool(&mut self, v: Option<bool>) {
        if let Some(v) = v {
            self.bool01(v);
        }
    }
    /// A number of tenths with exactly one decimal: 531 → `53.1`, 190 → `19.0`.
    #[inline]
    fn tenths(&mut self, v: u32) {
        self.uint((v / 10) as u64);
        self.push(b'.');
        self.push(b'0' + (v % 10) as u8);
    }
    #[allow(clippy::manual_is_multiple_of)] // `is_multiple_of` is newer than the MSRV
    /// A number of millionths written as Rust's `{}` writes the `f64` nearest to it: no
    /// trailing zeros, no decimal point for a whole number (`-6200000` → `-6.2`).
    fn micro(&mut self, v: i64) {
        if v < 0 {
            self.push(b'-');
        }
        let a = v.unsigned_abs();
        self.uint(a / 1_000_000);
        let mut frac = a % 1_000_000;
        if frac != 0 {
            self.push(b'.');
            let mut width = 6;
            while frac % 10 == 0 {
                frac /= 10;
                width -= 1;
            }
            let mut digits = [b'0'; 6];
            let mut f = frac;
            for i in (0..width).rev() {
                digits[i] = b'0' + (f % 10) as u8;
                f /= 10;
            }
            self.extend_from_slice(&digits[..width]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use selaras_domain::Date;

    #[test]
    fn calendar_matches_the_domain() {
        for days in (-40_000..40_000).step_by(7) {
            let (y, m, d) = civil(days);
            let dd = Date::from_days_since_epoch(days).unwrap();
            assert_eq!((y, m, d), (dd.year(), dd.month(), dd.day()));
            assert_eq!(days_of(y, m, d), days);
            let on = days + 9_000 + days.rem_euclid(5_000);
            let ond = Date::from_days_since_epoch(on).unwrap();
            assert_eq!(age_years(days, on), dd.age_on(ond));
            let mut s = Vec::new();
            s.date(days);
            assert_eq!(String::from_utf8(s).unwrap(), dd.to_string());
        }
        assert_eq!(add_years(days_of(2000, 2, 29), 1), days_of(2001, 2, 28));
    }

    #[test]
    fn micro_prints_like_rust_display() {
        let mut x: i64 = 12_345;
        for _ in 0..20_000 {
            x = (x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407))
            .rem_euclid(360_000_000)
                - 180_000_000;
            for v in [x, x / 10 * 10, x / 1000 * 1000, x / 1_000_000 * 1_000_000] {
                let mut s = Vec::new();
                s.micro(v);
                let f = v as f64 / 1e6;
                assert_eq!(String::from_utf8(s).unwrap(), format!("{f}"), "{v}");
            }
        }
        let mut s = Vec::new();
        s.tenths(190);
        s.b(b',');
        s.tenths(5);
        assert_eq!(s, b"19.0,0.5");
    }
}
