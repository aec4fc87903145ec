//! Conversions shared by both backends: row hashes, select lists and decoding stored rows
//! back into domain records (through the same parser the import uses, so that what is
//! read is exactly what the interchange format would give).

use sqlx::{ColumnIndex, Decode, Row, Type};

use selaras_domain::registry::{Column, Household, Kind, Member, RegionLookup, Value};
use selaras_domain::RegionCode;

use crate::error::{Result, StoreError};
use crate::schema::Dialect;

/// FNV-1a over the interchange text of the values: stable across versions and platforms,
/// and cheap enough for millions of rows. It only decides "changed or not", so a
/// cryptographic hash is not needed.
pub fn row_hash(values: &[Value<'_>]) -> i64 {
    use std::fmt::Write;
    struct Fnv(u64);
    impl Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 ^= b as u64;
                self.0 = self.0.wrapping_mul(0x100_0000_01b3);
            }
            Ok(())
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    for v in values {
        let _ = write!(h, "{v}\u{1f}");
    }
    h.0 as i64
}

pub fn format_ts(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

/// Stored rows were validated on the way in; reading them back must not depend on the
/// region table of the day.
pub struct TrustStored;
impl RegionLookup for TrustStored {
    fn is_known_village(&self, _: &RegionCode) -> bool {
        true
    }
    fn is_known_district_digits(&self, _: &[u8; 6]) -> bool {
        true
    }
}

/// `SELECT` list for data columns; PostgreSQL dates are read as text.
pub fn select_list(d: Dialect, cols: &[Column], table_alias: &str) -> String {
    cols.iter()
        .map(|c| match (d, c.kind) {
            (Dialect::Postgres, Kind::Date) => format!("{table_alias}{0}::text AS {0}", c.name),
            _ => format!("{table_alias}{}", c.name),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads `cols.len()` data columns starting at `start` as interchange text.
pub fn row_text<R>(row: &R, cols: &[Column], start: usize) -> Result<Vec<String>>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<f64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut out = Vec::with_capacity(cols.len());
    for (k, c) in cols.iter().enumerate() {
        let i = start + k;
        let v = match c.kind {
            Kind::Text | Kind::Date => row.try_get::<Option<String>, _>(i)?.unwrap_or_default(),
            Kind::Int => row
                .try_get::<Option<i64>, _>(i)?
                .map(|v| v.to_string())
                .unwrap_or_default(),
            Kind::Real => row
                .try_get::<Option<f64>, _>(i)?
                .map(|v| Value::Real(v).to_string())
                .unwrap_or_default(),
            Kind::Bool => row
                .try_get::<Option<bool>, _>(i)?
                .map(|v| Value::Bool(v).to_string())
                .unwrap_or_default(),
        };
        out.push(v);
    }
    Ok(out)
}

pub fn household_from_text(text: &[String]) -> Result<Household> {
    Household::from_row(text, &TrustStored).map_err(|e| corrupt("household", &e))
}

pub fn member_from_text(text: &[String]) -> Result<Member> {
    Member::from_row(text, &TrustStored).map_err(|e| corrupt("member", &e))
}

fn corrupt(what: &str, e: &[selaras_domain::registry::FieldError]) -> StoreError {
    let msg: Vec<String> = e.iter().map(|e| e.to_string()).collect();
    StoreError::Corrupt(format!("stored {what} does not parse: {}", msg.join("; ")))
}

/// Interchange text of a record, by column (for history entries).
pub fn fields(cols: &[Column], text: Vec<String>) -> Vec<(&'static str, String)> {
    cols.iter().map(|c| c.name).zip(text).collect()
}

/// Escapes a value for PostgreSQL `COPY … (FORMAT csv)`: always quoted unless NULL.
pub fn copy_csv_field(out: &mut String, v: &Value<'_>) {
    use std::fmt::Write;
    match v {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "t" } else { "f" }),
        Value::Text(s) => {
            out.push('"');
            for ch in s.chars() {
                if ch == '"' {
                    out.push('"');
                }
                out.push(ch);
            }
            out.push('"');
        }
        other => {
            let _ = write!(out, "{other}");
        }
    }
}
