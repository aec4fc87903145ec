//! Registry records: households (*rumah tangga*) and their members, with every column of
//! the interchange format, parsed from text fields into checked values.
//!
//! Parsing here is per row; rules across rows (duplicate NIK, member of a missing
//! household, a second head) are in [`crate::registry::HeadCheck`] and the import pipeline.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::codes::*;
use crate::date::Date;
use crate::nik::{KkNumber, Nik};
use crate::region::{RegionCode, RegionLevel};

/// The kind of a column's value, for storage schemas and typed binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    Real,
    Bool,
    Date,
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn col(name: &'static str, kind: Kind, required: bool) -> Column {
    Column {
        name,
        kind,
        required,
    }
}

use Kind::{Bool as B, Date as D, Int as I, Real as R, Text as T};

/// Columns of `households.csv`, in the order the project writes them. `exit_state` is this
/// project's addition (empty = active).
pub const HOUSEHOLD_COLUMNS: &[Column] = &[
    col("household_id", T, true),
    col("region_code", T, true),
    col("address", T, false),
    col("latitude", R, false),
    col("longitude", R, false),
    col("survey_date", D, false),
    col("ownership", T, true),
    col("floor_area_m2", R, true),
    col("floor_type", T, true),
    col("wall_type", T, true),
    col("roof_type", T, true),
    col("drinking_water", T, true),
    col("lighting", T, true),
    col("electricity_va", I, false),
    col("cooking_fuel", T, true),
    col("toilet", T, true),
    col("has_lpg_5_5kg", B, true),
    col("has_refrigerator", B, true),
    col("has_air_conditioner", B, true),
    col("has_water_heater", B, true),
    col("has_landline", B, true),
    col("has_television", B, true),
    col("has_gold_10g", B, true),
    col("has_computer", B, true),
    col("has_bicycle", B, true),
    col("has_motorcycle", B, true),
    col("has_car", B, true),
    col("has_boat", B, true),
    col("has_motorboat", B, true),
    col("owns_land", B, true),
    col("owns_other_house", B, true),
    col("cattle", I, false),
    col("goats", I, false),
    col("in_pkh", B, false),
    col("in_bpnt", B, false),
    col("in_kis_pbi", B, false),
    col("in_kip", B, false),
    col("exit_state", T, false),
];

/// Names of the 15 asset flags, in `Household::assets` order.
pub const ASSET_COLUMNS: [&str; 15] = [
    "has_lpg_5_5kg",
    "has_refrigerator",
    "has_air_conditioner",
    "has_water_heater",
    "has_landline",
    "has_television",
    "has_gold_10g",
    "has_computer",
    "has_bicycle",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "has_motorboat",
    "owns_land",
    "owns_other_house",
];
const FIRST_ASSET: usize = 16;

/// Columns of `members.csv`; `exit_state` is this project's addition.
pub const MEMBER_COLUMNS: &[Column] = &[
    col("household_id", T, true),
    col("nik", T, true),
    col("kk_number", T, true),
    col("name", T, true),
    col("relation", T, true),
    col("sex", T, true),
    col("birth_date", D, true),
    col("marital_status", T, true),
    col("pregnant", B, false),
    col("disability", T, true),
    col("severe_disability", B, false),
    col("chronic_illness", B, false),
    col("school_participation", T, true),
    col("education_level", T, true),
    col("working", B, true),
    col("sector", T, false),
    col("employment_status", T, false),
    col("pmks", T, false),
    col("exit_state", T, false),
];

pub const HOUSEHOLD_ID_MAX: usize = 40;
pub const NAME_MAX: usize = 120;

/// A household identifier: non-empty, at most 40 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct HouseholdId(String);

impl HouseholdId {
    pub fn parse(s: &str) -> Result<HouseholdId, String> {
        if s.is_empty() {
            Err("household_id is empty".into())
        } else if s.chars().count() > HOUSEHOLD_ID_MAX {
            Err(format!(
                "household_id is longer than {HOUSEHOLD_ID_MAX} characters"
            ))
        } else if s.chars().any(char::is_control) || s.trim() != s {
            Err("household_id has control characters or surrounding spaces".into())
        } else {
            Ok(HouseholdId(s.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the region table answers during parsing (implemented by `selaras-regions`).
pub trait RegionLookup {
    /// The code exists in the region table at village level.
    fn is_known_village(&self, code: &RegionCode) -> bool;
    /// `digits` (e.g. `b"320101"`) is a known district (*kecamatan*).
    fn is_known_district_digits(&self, digits: &[u8; 6]) -> bool;
}

/// One field's problem: the column it is in and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub column: &'static str,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.column, self.reason)
    }
}

/// Positional access to one row's text fields, aligned with a column list. A missing
/// optional column reads as `""`.
pub trait Row {
    fn field(&self, i: usize) -> &str;
}

impl<S: AsRef<str>> Row for [S] {
    fn field(&self, i: usize) -> &str {
        self.get(i).map(AsRef::as_ref).unwrap_or("")
    }
}

impl<S: AsRef<str>> Row for Vec<S> {
    fn field(&self, i: usize) -> &str {
        self.as_slice().field(i)
    }
}

/// A typed value of one column, for storage binding and for writing text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Text(Cow<'a, str>),
    Int(i64),
    Real(f64),
    Bool(bool),
    Date(Date),
}

impl fmt::Display for Value<'_> {
    /// The interchange text of a value: NULL is empty, booleans are 0/1, reals in the
    /// shortest form that reads back to the same number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Text(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Real(r) => write!(f, "{r}"),
            Value::Bool(b) => f.write_str(if *b { "1" } else { "0" }),
            Value::Date(d) => write!(f, "{d}"),
        }
    }
}

struct Parser<'r, R: Row + ?Sized> {
    row: &'r R,
    cols: &'static [Column],
    errs: Vec<FieldError>,
}

impl<'r, R: Row + ?Sized> Parser<'r, R> {
    fn new(row: &'r R, cols: &'static [Column]) -> Self {
        Parser {
            row,
            cols,
            errs: Vec::new(),
        }
    }

    fn raw(&self, i: usize) -> &'r str {
        self.row.field(i)
    }

    /// The trimmed field, `None` when empty; records an error when required and empty.
    fn get(&mut self, i: usize) -> Option<&'r str> {
        let v = self.row.field(i).trim();
        if v.is_empty() {
            if self.cols[i].required {
                self.fail(i, "is required".into());
            }
            None
        } else {
            Some(v)
        }
    }

    fn fail(&mut self, i: usize, reason: String) {
        self.errs.push(FieldError {
            column: self.cols[i].name,
            reason,
        });
    }

    fn code<T>(
        &mut self,
        i: usize,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let v = self.get(i)?;
        let parsed = parse(v);
        if parsed.is_none() {
            let shown: String = v.chars().take(40).collect();
            self.fail(
                i,
                format!("unknown code {shown:?}; expected one of {}", expected()),
            );
        }
        parsed
    }

    fn boolean(&mut self, i: usize) -> Option<bool> {
        match self.get(i)? {
            "0" => Some(false),
            "1" => Some(true),
            other => {
                let shown: String = other.chars().take(20).collect();
                self.fail(i, format!("{shown:?} is not a boolean (0 or 1)"));
                None
            }
        }
    }

    fn real(&mut self, i: usize, min: f64, max: f64, exclusive_min: bool) -> Option<f64> {
        let v = self.get(i)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && (x > min || (!exclusive_min && x == min)) && x <= max => {
                Some(x)
            }
            Ok(_) => {
                let op = if exclusive_min { ">" } else { "≥" };
                self.fail(
                    i,
                    format!("{v} is out of range (must be {op} {min} and ≤ {max})"),
                );
                None
            }
            Err(_) => {
                let shown: String = v.chars().take(20).collect();
                self.fail(i, format!("{shown:?} is not a number"));
                None
            }
        }
    }

    fn int(&mut self, i: usize, max: u32) -> Option<u32> {
        let v = self.get(i)?;
        match v.parse::<u32>() {
            Ok(x) if x <= max => Some(x),
            _ => {
                let shown: String = v.chars().take(20).collect();
                self.fail(
                    i,
                    format!("{shown:?} is not a whole number from 0 to {max}"),
                );
                None
            }
        }
    }

    fn date(&mut self, i: usize) -> Option<Date> {
        let v = self.get(i)?;
        match Date::parse(v) {
            Ok(d) => Some(d),
            Err(e) => {
                self.fail(i, e.to_string());
                None
            }
        }
    }

    fn text(&mut self, i: usize, max: usize) -> Option<String> {
        let raw = self.raw(i);
        if raw.trim().is_empty() {
            self.get(i); // records "is required" when it is
            return None;
        }
        if raw.chars().count() > max {
            self.fail(i, format!("is longer than {max} characters"));
            return None;
        }
        if raw
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            self.fail(i, "has control characters".into());
            return None;
        }
        Some(raw.to_owned())
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errs.is_empty() => Ok(v),
            _ => Err(self.errs),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Household {
    pub id: HouseholdId,
    pub region: RegionCode,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub survey_date: Option<Date>,
    pub ownership: Ownership,
    pub floor_area_m2: f64,
    pub floor_type: FloorType,
    pub wall_type: WallType,
    pub roof_type: RoofType,
    pub drinking_water: DrinkingWater,
    pub lighting: Lighting,
    pub electricity_va: Option<u32>,
    pub cooking_fuel: CookingFuel,
    pub toilet: Toilet,
    /// The 15 asset flags in [`ASSET_COLUMNS`] order.
    pub assets: [bool; 15],
    pub cattle: Option<u32>,
    pub goats: Option<u32>,
    pub in_pkh: Option<bool>,
    pub in_bpnt: Option<bool>,
    pub in_kis_pbi: Option<bool>,
    pub in_kip: Option<bool>,
    pub exit: Option<ExitState>,
}

impl Household {
    /// Parses one row aligned with [`HOUSEHOLD_COLUMNS`]; every problem is reported.
    pub fn from_row<R: Row + ?Sized>(
        row: &R,
        regions: &impl RegionLookup,
    ) -> Result<Household, Vec<FieldError>> {
        let mut p = Parser::new(row, HOUSEHOLD_COLUMNS);
        let id = p.get(0).and_then(|v| match HouseholdId::parse(p.raw(0)) {
            Ok(id) => Some(id),
            Err(e) => {
                let _ = v;
                p.fail(0, e);
                None
            }
        });
        let region = p.get(1).and_then(|v| match RegionCode::parse(v) {
            Ok(c) if c.level() == RegionLevel::Village && regions.is_known_village(&c) => Some(c),
            Ok(c) if c.level() != RegionLevel::Village => {
                p.fail(1, format!("{c} is not a village code (PP.KK.CC.DDDD)"));
                None
            }
            Ok(c) => {
                p.fail(1, format!("unknown region code {c}"));
                None
            }
            Err(e) => {
                p.fail(1, e.to_string());
                None
            }
        });
        let address = p.text(2, 500);
        let latitude = p.real(3, -90.0, 90.0, false);
        let longitude = p.real(4, -180.0, 180.0, false);
        let survey_date = p.date(5);
        let ownership = p.code(6, Ownership::parse, Ownership::expected);
        let floor_area_m2 = p.real(7, 0.0, 100_000.0, true);
        let floor_type = p.code(8, FloorType::parse, FloorType::expected);
        let wall_type = p.code(9, WallType::parse, WallType::expected);
        let roof_type = p.code(10, RoofType::parse, RoofType::expected);
        let drinking_water = p.code(11, DrinkingWater::parse, DrinkingWater::expected);
        let lighting = p.code(12, Lighting::parse, Lighting::expected);
        let electricity_va = p.int(13, 1_000_000);
        let cooking_fuel = p.code(14, CookingFuel::parse, CookingFuel::expected);
        let toilet = p.code(15, Toilet::parse, Toilet::expected);
        let mut assets = [false; 15];
        let mut assets_ok = true;
        for (k, slot) in assets.iter_mut().enumerate() {
            match p.boolean(FIRST_ASSET + k) {
                Some(b) => *slot = b,
                None => assets_ok = false,
            }
        }
        let cattle = p.int(31, 100_000);
        let goats = p.int(32, 100_000);
        let in_pkh = p.boolean(33);
        let in_bpnt = p.boolean(34);
        let in_kis_pbi = p.boolean(35);
        let in_kip = p.boolean(36);
        let exit = p.get(37).and_then(|v| {
            let e = ExitState::parse(v);
            if e.is_none() {
                p.fail(
                    37,
                    format!(
                        "unknown code {v:?}; expected one of {}",
                        ExitState::expected()
                    ),
                );
            }
            e
        });
        let built = (|| {
            Some(Household {
                id: id?,
                region: region?,
                address,
                latitude,
                longitude,
                survey_date,
                ownership: ownership?,
                floor_area_m2: floor_area_m2?,
                floor_type: floor_type?,
                wall_type: wall_type?,
                roof_type: roof_type?,
                drinking_water: drinking_water?,
                lighting: lighting?,
                electricity_va,
                cooking_fuel: cooking_fuel?,
                toilet: toilet?,
                assets: assets_ok.then_some(assets)?,
                cattle,
                goats,
                in_pkh,
                in_bpnt,
                in_kis_pbi,
                in_kip,
                exit,
            })
        })();
        p.finish(built)
    }

    /// The values in [`HOUSEHOLD_COLUMNS`] order.
    pub fn values(&self) -> Vec<Value<'_>> {
        (0..HOUSEHOLD_COLUMNS.len())
            .map(|i| self.value(i))
            .collect()
    }

    /// The value of column `i` of [`HOUSEHOLD_COLUMNS`] (`Null` past the last).
    pub fn value(&self, i: usize) -> Value<'_> {
        const ASSETS: usize = 16;
        match i {
            0 => Value::Text(Cow::Borrowed(self.id.as_str())),
            1 => Value::Text(Cow::Borrowed(self.region.as_str())),
            2 => opt_text(&self.address),
            3 => self.latitude.map_or(Value::Null, Value::Real),
            4 => self.longitude.map_or(Value::Null, Value::Real),
            5 => self.survey_date.map_or(Value::Null, Value::Date),
            6 => code(self.ownership.code()),
            7 => Value::Real(self.floor_area_m2),
            8 => code(self.floor_type.code()),
            9 => code(self.wall_type.code()),
            10 => code(self.roof_type.code()),
            11 => code(self.drinking_water.code()),
            12 => code(self.lighting.code()),
            13 => opt_int(self.electricity_va),
            14 => code(self.cooking_fuel.code()),
            15 => code(self.toilet.code()),
            i if (ASSETS..ASSETS + 15).contains(&i) => Value::Bool(self.assets[i - ASSETS]),
            31 => opt_int(self.cattle),
            32 => opt_int(self.goats),
            33 => opt_bool(self.in_pkh),
            34 => opt_bool(self.in_bpnt),
            35 => opt_bool(self.in_kis_pbi),
            36 => opt_bool(self.in_kip),
            37 => self.exit.map_or(Value::Null, |e| code(e.code())),
            _ => Value::Null,
        }
    }

    pub fn asset(&self, name: &str) -> Option<bool> {
        ASSET_COLUMNS
            .iter()
            .position(|c| *c == name)
            .map(|i| self.assets[i])
    }
}

fn code(s: &'static str) -> Value<'static> {
    Value::Text(Cow::Borrowed(s))
}
fn opt_text(s: &Option<String>) -> Value<'_> {
    s.as_deref()
        .map_or(Value::Null, |s| Value::Text(Cow::Borrowed(s)))
}
fn opt_bool(b: Option<bool>) -> Value<'static> {
    b.map_or(Value::Null, Value::Bool)
}
fn opt_int(i: Option<u32>) -> Value<'static> {
    i.map_or(Value::Null, |i| Value::Int(i as i64))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub household_id: HouseholdId,
    pub nik: Nik,
    pub kk_number: KkNumber,
    pub name: String,
    pub relation: Relation,
    pub sex: Sex,
    pub birth_date: Date,
    pub marital_status: MaritalStatus,
    pub pregnant: Option<bool>,
    pub disability: Disability,
    pub severe_disability: Option<bool>,
    pub chronic_illness: Option<bool>,
    pub school_participation: SchoolParticipation,
    pub education_level: EducationLevel,
    pub working: bool,
    pub sector: Option<Sector>,
    pub employment_status: Option<EmploymentStatus>,
    pub pmks: Vec<Pmks>,
    pub exit: Option<ExitState>,
}

impl Member {
    /// Parses one row aligned with [`MEMBER_COLUMNS`]: field formats, NIK and KK rules.
    pub fn from_row<R: Row + ?Sized>(
        row: &R,
        regions: &impl RegionLookup,
    ) -> Result<Member, Vec<FieldError>> {
        let mut p = Parser::new(row, MEMBER_COLUMNS);
        let household_id = p.get(0).and_then(|_| match HouseholdId::parse(p.raw(0)) {
            Ok(id) => Some(id),
            Err(e) => {
                p.fail(0, e);
                None
            }
        });
        let nik =
            p.get(1).and_then(
                |v| match Nik::parse(v, |d| regions.is_known_district_digits(d)) {
                    Ok(n) => Some(n),
                    Err(e) => {
                        p.fail(1, e.to_string());
                        None
                    }
                },
            );
        let kk_number = p.get(2).and_then(|v| {
            match KkNumber::parse(v, |d| regions.is_known_district_digits(d)) {
                Ok(n) => Some(n),
                Err(e) => {
                    p.fail(2, e.to_string());
                    None
                }
            }
        });
        let name = p.text(3, NAME_MAX);
        let relation = p.code(4, Relation::parse, Relation::expected);
        let sex = p.code(5, Sex::parse, Sex::expected);
        let birth_date = p.date(6);
        if let (Some(n), Some(b), Some(s)) = (nik, birth_date, sex) {
            if let Err(e) = n.check_person(b, s) {
                p.fail(1, e.to_string());
            }
        }
        let marital_status = p.code(7, MaritalStatus::parse, MaritalStatus::expected);
        let pregnant = p.boolean(8);
        let disability = p.code(9, Disability::parse, Disability::expected);
        let severe_disability = p.boolean(10);
        let chronic_illness = p.boolean(11);
        let school_participation = p.code(
            12,
            SchoolParticipation::parse,
            SchoolParticipation::expected,
        );
        let education_level = p.code(13, EducationLevel::parse, EducationLevel::expected);
        let working = p.boolean(14);
        let sector = p.code(15, Sector::parse, Sector::expected);
        let employment_status = p.code(16, EmploymentStatus::parse, EmploymentStatus::expected);
        let mut pmks = Vec::new();
        if let Some(v) = p.get(17) {
            for part in v.split('|').map(str::trim) {
                match Pmks::parse(part) {
                    Some(c) if !pmks.contains(&c) => pmks.push(c),
                    Some(_) => {}
                    None => {
                        let shown: String = part.chars().take(40).collect();
                        p.fail(17, format!("unknown PMKS code {shown:?}"));
                    }
                }
            }
        }
        let exit = p.code(18, ExitState::parse, ExitState::expected);
        if pregnant == Some(true) && sex == Some(Sex::M) {
            p.fail(8, "a male member cannot be pregnant".into());
        }
        let built = (|| {
            Some(Member {
                household_id: household_id?,
                nik: nik?,
                kk_number: kk_number?,
                name: name?,
                relation: relation?,
                sex: sex?,
                birth_date: birth_date?,
                marital_status: marital_status?,
                pregnant,
                disability: disability?,
                severe_disability,
                chronic_illness,
                school_participation: school_participation?,
                education_level: education_level?,
                working: working?,
                sector,
                employment_status,
                pmks,
                exit,
            })
        })();
        p.finish(built)
    }

    /// The values in [`MEMBER_COLUMNS`] order.
    pub fn values(&self) -> Vec<Value<'_>> {
        (0..MEMBER_COLUMNS.len()).map(|i| self.value(i)).collect()
    }

    /// The value of column `i` of [`MEMBER_COLUMNS`] (`Null` past the last).
    pub fn value(&self, i: usize) -> Value<'_> {
        match i {
            0 => Value::Text(Cow::Borrowed(self.household_id.as_str())),
            1 => Value::Text(Cow::Owned(self.nik.to_string())),
            2 => Value::Text(Cow::Owned(self.kk_number.to_string())),
            3 => Value::Text(Cow::Borrowed(&self.name)),
            4 => code(self.relation.code()),
            5 => code(self.sex.code()),
            6 => Value::Date(self.birth_date),
            7 => code(self.marital_status.code()),
            8 => opt_bool(self.pregnant),
            9 => code(self.disability.code()),
            10 => opt_bool(self.severe_disability),
            11 => opt_bool(self.chronic_illness),
            12 => code(self.school_participation.code()),
            13 => code(self.education_level.code()),
            14 => Value::Bool(self.working),
            15 => self.sector.map_or(Value::Null, |s| code(s.code())),
            16 => self
                .employment_status
                .map_or(Value::Null, |s| code(s.code())),
            17 if self.pmks.is_empty() => Value::Null,
            17 => Value::Text(Cow::Owned(
                self.pmks
                    .iter()
                    .map(|p| p.code())
                    .collect::<Vec<_>>()
                    .join("|"),
            )),
            18 => self.exit.map_or(Value::Null, |e| code(e.code())),
            _ => Value::Null,
        }
    }

    pub fn age_on(&self, on: Date) -> i32 {
        self.birth_date.age_on(on)
    }
}

/// Keeps "exactly one head per household" across rows: the second head is refused.
#[derive(Debug, Default)]
pub struct HeadCheck {
    has_head: bool,
}

impl HeadCheck {
    /// Whether `m` may join a household whose earlier members passed this check.
    pub fn admit(&mut self, m: &Member) -> Result<(), FieldError> {
        if m.relation == Relation::Head && m.exit.is_none() {
            if self.has_head {
                return Err(FieldError {
                    column: "relation",
                    reason: "a second head in the household".into(),
                });
            }
            self.has_head = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct All;
    impl RegionLookup for All {
        fn is_known_village(&self, c: &RegionCode) -> bool {
            !c.as_str().starts_with("99")
        }
        fn is_known_district_digits(&self, d: &[u8; 6]) -> bool {
            &d[..2] != b"99"
        }
    }

    fn household_row() -> Vec<String> {
        let mut r: Vec<String> = HOUSEHOLD_COLUMNS.iter().map(|_| String::new()).collect();
        let set = |r: &mut Vec<String>, n: &str, v: &str| {
            let i = HOUSEHOLD_COLUMNS.iter().position(|c| c.name == n).unwrap();
            r[i] = v.into();
        };
        set(&mut r, "household_id", "H1");
        set(&mut r, "region_code", "32.01.01.2001");
        set(&mut r, "ownership", "own");
        set(&mut r, "floor_area_m2", "36.5");
        set(&mut r, "floor_type", "earth");
        set(&mut r, "wall_type", "bamboo");
        set(&mut r, "roof_type", "zinc");
        set(&mut r, "drinking_water", "piped");
        set(&mut r, "lighting", "pln_metered");
        set(&mut r, "cooking_fuel", "lpg_3kg");
        set(&mut r, "toilet", "private");
        for a in ASSET_COLUMNS {
            set(&mut r, a, "0");
        }
        r
    }

    #[test]
    fn household_roundtrip_through_values() {
        let row = household_row();
        let h = Household::from_row(&row, &All).unwrap();
        let text: Vec<String> = h.values().iter().map(|v| v.to_string()).collect();
        assert_eq!(text, row);
        assert_eq!(Household::from_row(&text, &All).unwrap(), h);
    }

    #[test]
    fn household_reports_every_bad_field() {
        let mut row = household_row();
        row[1] = "99.99.99.9999".into();
        row[6] = "1".into();
        row[7] = "-3".into();
        row[16] = "yes".into();
        let errs = Household::from_row(&row, &All).unwrap_err();
        let cols: Vec<&str> = errs.iter().map(|e| e.column).collect();
        assert_eq!(
            cols,
            ["region_code", "ownership", "floor_area_m2", "has_lpg_5_5kg"]
        );
        assert!(errs[0].reason.contains("unknown region code"));
    }

    #[test]
    fn missing_required_field_is_named() {
        let mut row = household_row();
        row[8] = String::new();
        let errs = Household::from_row(&row, &All).unwrap_err();
        assert_eq!(
            errs,
            vec![FieldError {
                column: "floor_type",
                reason: "is required".into()
            }]
        );
    }

    fn member_row() -> Vec<String> {
        [
            "H1",
            "3201010101900001",
            "3201010000000001",
            "Budi",
            "head",
            "M",
            "1990-01-01",
            "married",
            "",
            "none",
            "0",
            "",
            "stopped",
            "sd",
            "1",
            "agriculture",
            "casual",
            "fakir_miskin|homeless",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn member_roundtrip_and_rules() {
        let row = member_row();
        let m = Member::from_row(&row, &All).unwrap();
        let text: Vec<String> = m.values().iter().map(|v| v.to_string()).collect();
        assert_eq!(text, row);

        let mut bad = member_row();
        bad[5] = "F".into();
        let e = Member::from_row(&bad, &All).unwrap_err();
        assert_eq!(e[0].column, "nik");
        assert_eq!(e[0].reason, "NIK date part says male, sex is F");

        let mut bad = member_row();
        bad[8] = "1".into();
        assert_eq!(
            Member::from_row(&bad, &All).unwrap_err()[0].column,
            "pregnant"
        );

        let mut bad = member_row();
        bad[17] = "fakir_miskin|nope".into();
        assert_eq!(Member::from_row(&bad, &All).unwrap_err()[0].column, "pmks");

        let mut bad = member_row();
        bad[3] = "x".repeat(121);
        assert_eq!(Member::from_row(&bad, &All).unwrap_err()[0].column, "name");
    }

    proptest::proptest! {
        /// Whatever the fields hold, parsing answers (a record or named errors), never panics,
        /// and every error names a real column.
        #[test]
        fn arbitrary_rows_never_panic(fields in proptest::collection::vec("\\PC{0,24}", 0..45)) {
            if let Err(errs) = Household::from_row(&fields, &All) {
                for e in errs {
                    proptest::prop_assert!(HOUSEHOLD_COLUMNS.iter().any(|c| c.name == e.column));
                }
            }
            if let Err(errs) = Member::from_row(&fields, &All) {
                for e in errs {
                    proptest::prop_assert!(MEMBER_COLUMNS.iter().any(|c| c.name == e.column));
                }
            }
        }

        /// A valid row with one field replaced by junk (never a valid code: it starts with
        /// `#`) is refused, naming that field.
        #[test]
        fn one_bad_field_is_named(col in 0usize..19, junk in "#[a-z%]{0,7}") {
            let mut row = member_row();
            let name = MEMBER_COLUMNS[col].name;
            // Free text and the household id accept any text.
            proptest::prop_assume!(!matches!(name, "name" | "household_id"));
            row[col] = junk;
            let errs = Member::from_row(&row, &All).unwrap_err();
            proptest::prop_assert!(errs.iter().any(|e| e.column == name), "{:?}", errs);
        }
    }

    #[test]
    fn second_head_is_refused() {
        let m = Member::from_row(&member_row(), &All).unwrap();
        let mut hc = HeadCheck::default();
        hc.admit(&m).unwrap();
        assert_eq!(
            hc.admit(&m).unwrap_err().reason,
            "a second head in the household"
        );
    }
}
