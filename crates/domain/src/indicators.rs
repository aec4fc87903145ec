//! The ministry's performance indicators as data (issue #6): the strategic (IKSS),
//! programme (IKP) and activity (IKK) indicators of the strategic plan 2015–2019
//! (indicators.md), the national context indicators beside them and the SLRT indicators
//! this platform computes, each with its unit, direction, yearly targets and where each
//! target is printed (`source_ref`: "Tabel 9", "Lampiran B").
//!
//! The plan prints its catalogue twice (body and annex) and the two do not always agree:
//! both targets are loaded, and a year whose targets differ is flagged `target_conflict`
//! by the loader itself (the file may explain it; it cannot hide it). Until an
//! administrator marks one target `authoritative`, such a year has no target to compare
//! with. Other inconsistencies of the source (wording, units, labels) are flags in the
//! file.
//!
//! Values are parsed as Indonesia writes them and as the annex sometimes does ("2,61" and
//! "2.61", "15.600.000"), checked against the indicator's unit (percent 0–100, counts as
//! whole numbers ≥ 0, score 0–100, level 1–5, index 0–1, an audit opinion, a grade) and
//! shown the Indonesian way (`12,5 %`, `15.600.000 jiwa`).
//!
//! The shipped catalogue is `indicators/renstra-2015-2019.json`.

use std::fmt;

use serde_json::{Map, Value as Json};

use crate::jsonfile::{err, PlaceError};

/// The shipped catalogue file.
pub const RENSTRA_2015_2019: &str = include_str!("../indicators/renstra-2015-2019.json");

/// An indicator catalogue that cannot be used: the place (a JSON path) and why.
pub type IndicatorCatalogueError = PlaceError;

labelled_codes!(
    /// Where an indicator sits: strategic target (IKSS), programme (IKP), activity (IKK),
    /// or national context (not the ministry's own).
    Level {
        Strategic = "strategic" / "Sasaran strategis (IKSS)" / "Strategic (IKSS)",
        Program = "program" / "Program (IKP)" / "Programme (IKP)",
        Activity = "activity" / "Kegiatan (IKK)" / "Activity (IKK)",
        Context = "context" / "Konteks nasional" / "National context",
    }
);

labelled_codes!(
    /// What an indicator is measured in.
    Unit {
        Percent = "percent" / "persen" / "percent",
        Persons = "persons" / "jiwa" / "persons",
        Families = "families" / "keluarga" / "families",
        Locations = "locations" / "lokasi" / "locations",
        Units = "units" / "unit" / "units",
        Score = "score" / "nilai" / "score",
        Level = "level" / "level" / "level",
        Grade = "grade" / "predikat" / "grade",
        Opinion = "opinion" / "opini BPK" / "audit opinion",
        Index = "index" / "indeks" / "index",
    }
);

labelled_codes!(
    /// Which way is better.
    Direction {
        Higher = "higher" / "makin tinggi makin baik" / "higher is better",
        Lower = "lower" / "makin rendah makin baik" / "lower is better",
    }
);

labelled_codes!(
    /// An opinion of the Supreme Audit Agency (BPK) on financial statements, worst first.
    Opinion {
        Tmp = "TMP" / "Tidak Menyatakan Pendapat" / "disclaimer",
        Tw = "TW" / "Tidak Wajar" / "adverse",
        Wdp = "WDP" / "Wajar Dengan Pengecualian" / "qualified",
        Wtp = "WTP" / "Wajar Tanpa Pengecualian" / "unqualified",
    }
);

labelled_codes!(
    /// A performance-accountability grade (SAKIP), worst first.
    Grade {
        D = "D" / "D (sangat kurang)" / "D",
        C = "C" / "C (kurang)" / "C",
        Cc = "CC" / "CC (cukup)" / "CC",
        B = "B" / "B (baik)" / "B",
        Bb = "BB" / "BB (sangat baik)" / "BB",
        A = "A" / "A (memuaskan)" / "A",
        Aa = "AA" / "AA (istimewa)" / "AA",
    }
);

labelled_codes!(
    /// An inconsistency of the source, or a reading made of it.
    FlagKind {
        TargetConflict = "target_conflict" / "Target berbeda antar sumber" / "Targets differ between sources",
        OnlyInBody = "only_in_body" / "Hanya di batang tubuh" / "Only in the body",
        UnitLabel = "unit_label" / "Satuan tercetak tidak sesuai" / "Printed unit does not fit",
        Wording = "wording" / "Perbedaan kata" / "Wording differs",
        TableHeader = "table_header" / "Judul tabel keliru" / "Wrong table header",
        PlanOvershoot = "plan_overshoot" / "Rencana melampaui target" / "Plan overshoots the target",
        BaselineLabel = "baseline_label" / "Label baseline keliru" / "Wrong baseline label",
        DecimalSeparator = "decimal_separator" / "Pemisah desimal berbeda" / "Decimal separator differs",
    }
);

labelled_codes!(
    /// How the system computes an indicator's actual value from its own data.
    Method {
        FamiliesReferredServed = "families_referred_served" / "keluarga dirujuk dan terlayani" / "families referred and served",
        CasesClosedOnTime = "cases_closed_on_time" / "kasus ditutup tepat waktu" / "cases closed on time",
    }
);

impl Unit {
    /// Counted in whole things.
    pub fn is_count(self) -> bool {
        matches!(
            self,
            Unit::Persons | Unit::Families | Unit::Locations | Unit::Units
        )
    }

    /// A unit as a user may name it: its code, or a common Indonesian word or sign.
    pub fn from_user(s: &str) -> Option<Unit> {
        let s = s.trim().to_lowercase();
        if let Some(u) = Unit::parse(&s) {
            return Some(u);
        }
        Some(match s.as_str() {
            "%" | "persen" | "persentase" => Unit::Percent,
            "jiwa" | "orang" => Unit::Persons,
            "keluarga" | "kk" | "rumah tangga" => Unit::Families,
            "lokasi" => Unit::Locations,
            "unit" | "unit kerja" => Unit::Units,
            "nilai" | "skor" => Unit::Score,
            "tingkat" => Unit::Level,
            "predikat" => Unit::Grade,
            "opini" | "opini bpk" => Unit::Opinion,
            "indeks" => Unit::Index,
            _ => return None,
        })
    }

    /// What a value of this unit must be, in English (API messages).
    pub fn expects_en(self) -> String {
        match self {
            Unit::Percent => "a percentage from 0 to 100 (e.g. 12,5 or 12.5)".into(),
            Unit::Persons | Unit::Families | Unit::Locations | Unit::Units => {
                format!("a whole number of {} ≥ 0 (e.g. 15.600.000)", self.code())
            }
            Unit::Score => "a score from 0 to 100".into(),
            Unit::Level => "a level, a whole number from 1 to 5".into(),
            Unit::Index => "an index from 0 to 1 (e.g. 0,405)".into(),
            Unit::Grade => format!("one of the grades {}", codes_of(Grade::ALL)),
            Unit::Opinion => format!("one of the audit opinions {}", codes_of(Opinion::ALL)),
        }
    }

    /// The same in Indonesian (pages).
    pub fn expects_id(self) -> String {
        match self {
            Unit::Percent => "persentase 0 sampai 100 (mis. 12,5)".into(),
            Unit::Persons | Unit::Families | Unit::Locations | Unit::Units => {
                format!("bilangan bulat {} ≥ 0 (mis. 15.600.000)", self.label_id())
            }
            Unit::Score => "nilai 0 sampai 100".into(),
            Unit::Level => "level, bilangan bulat 1 sampai 5".into(),
            Unit::Index => "indeks 0 sampai 1 (mis. 0,405)".into(),
            Unit::Grade => format!("salah satu predikat {}", codes_of(Grade::ALL)),
            Unit::Opinion => format!("salah satu opini {}", codes_of(Opinion::ALL)),
        }
    }

    /// The range a number of this unit must lie in (`None`: not a number).
    fn bounds(self) -> Option<(f64, f64)> {
        match self {
            Unit::Percent | Unit::Score => Some((0.0, 100.0)),
            Unit::Persons | Unit::Families | Unit::Locations | Unit::Units => Some((0.0, f64::MAX)),
            Unit::Level => Some((1.0, 5.0)),
            Unit::Index => Some((0.0, 1.0)),
            Unit::Grade | Unit::Opinion => None,
        }
    }

    fn whole(self) -> bool {
        self.is_count() || self == Unit::Level
    }
}

fn codes_of<T: fmt::Display>(all: &[T]) -> String {
    all.iter()
        .rev()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// A number with the decimals it was written with (kept for showing it back: "0,20").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub value: f64,
    pub decimals: u8,
}

/// A target or an actual value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Number),
    /// A target band, e.g. a poverty rate of 7,00–8,00 %.
    Range(Number, Number),
    Opinion(Opinion),
    Grade(Grade),
}

const EPS: f64 = 1e-9;

impl Value {
    /// The number, for a single number.
    pub fn numeric(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(n.value),
            _ => None,
        }
    }

    /// The value as stored: a plain decimal with a dot (`12.5`, `15600000`), `low–high`,
    /// or the code (`WTP`).
    pub fn canonical(&self) -> String {
        let plain = |n: &Number| format!("{:.*}", n.decimals as usize, n.value);
        match self {
            Value::Number(n) => plain(n),
            Value::Range(a, b) => format!("{}–{}", plain(a), plain(b)),
            Value::Opinion(o) => o.code().into(),
            Value::Grade(g) => g.code().into(),
        }
    }

    /// The value as an Indonesian page shows it: `12,5 %`, `15.600.000 jiwa`,
    /// `7,00–8,00 %`, `level 3`, `WTP`.
    pub fn display_id(&self, unit: Unit) -> String {
        let n = |n: &Number| format_number_id(n.value, n.decimals);
        let with_unit = |s: String| match unit {
            Unit::Percent => format!("{s} %"),
            Unit::Persons | Unit::Families | Unit::Locations | Unit::Units => {
                format!("{s} {}", unit.label_id())
            }
            Unit::Level => format!("level {s}"),
            _ => s,
        };
        match self {
            Value::Number(x) => with_unit(n(x)),
            Value::Range(a, b) => with_unit(format!("{}–{}", n(a), n(b))),
            Value::Opinion(o) => o.code().into(),
            Value::Grade(g) => g.code().into(),
        }
    }

    /// Whether two values say the same (numbers compared by value: "2,61" = "2.61").
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => (a.value - b.value).abs() < EPS,
            (Value::Range(a, b), Value::Range(c, d)) => {
                (a.value - c.value).abs() < EPS && (b.value - d.value).abs() < EPS
            }
            (Value::Opinion(a), Value::Opinion(b)) => a == b,
            (Value::Grade(a), Value::Grade(b)) => a == b,
            _ => false,
        }
    }
}

/// `value` with `decimals` decimals, a comma for the decimals and a dot between thousands:
/// `15.600.000`, `12,5`, `0,20`.
pub fn format_number_id(value: f64, decimals: u8) -> String {
    let text = format!("{:.*}", decimals as usize, value.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// Parses a number written the Indonesian way (`2,61`, `15.600.000`, `1.234,5`) or the
/// English way (`2.61`, `15,600,000`, `1,234.5`). A single separator followed by exactly
/// three digits groups thousands when `whole` (counts: `24.320` is 24 320); otherwise it
/// is a decimal separator after a zero (`0,405`) and refused as ambiguous after anything
/// else (`1.200`: 1,2 or 1 200?). The message says what is wrong.
pub fn parse_number(text: &str, whole: bool) -> Result<Number, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty: give a number".into());
    }
    let (negative, body) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.is_empty()
        || !body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
    {
        return Err(format!("{t:?} is not a number"));
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    // (thousands separator, decimal separator)
    let (group, decimal): (Option<char>, Option<char>) = match (dots, commas) {
        (0, 0) => (None, None),
        (_, 0) if dots > 1 => (Some('.'), None),
        (0, _) if commas > 1 => (Some(','), None),
        (1, 0) | (0, 1) => {
            let sep = if dots == 1 { '.' } else { ',' };
            let at = body.find(sep).unwrap_or(0);
            let after = body.len() - at - 1;
            if after == 3 && whole {
                (Some(sep), None)
            } else if after == 3 && !body[..at].trim_start_matches('0').is_empty() {
                let frac = body[at + 1..].trim_end_matches('0');
                let decimal = if frac.is_empty() {
                    body[..at].to_string()
                } else {
                    format!("{},{frac}", &body[..at])
                };
                return Err(format!(
                    "{t:?} is ambiguous: write {decimal} for a decimal, or the whole number without separators"
                ));
            } else {
                (None, Some(sep))
            }
        }
        _ => {
            let last_dot = body.rfind('.').unwrap_or(0);
            let last_comma = body.rfind(',').unwrap_or(0);
            if last_comma > last_dot {
                (Some('.'), Some(','))
            } else {
                (Some(','), Some('.'))
            }
        }
    };
    let (int, frac) = match decimal {
        Some(d) => {
            let mut parts = body.splitn(2, d);
            let int = parts.next().unwrap_or("");
            let frac = parts.next().unwrap_or("");
            if frac.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "{t:?} is not a number: digits must follow the decimal separator"
                ));
            }
            (int, frac)
        }
        None => (body, ""),
    };
    let digits: String = match group {
        Some(g) => {
            let groups: Vec<&str> = int.split(g).collect();
            let ok = groups.first().is_some_and(|f| (1..=3).contains(&f.len()))
                && groups[1..].iter().all(|p| p.len() == 3)
                && groups.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(format!(
                    "{t:?} is not a number: thousands are grouped by three digits (15.600.000)"
                ));
            }
            groups.concat()
        }
        None => int.to_string(),
    };
    if digits.is_empty() {
        return Err(format!("{t:?} is not a number"));
    }
    if digits.len() > 18 || frac.len() > 6 {
        return Err(format!("{t:?}: too many digits"));
    }
    let mut value: f64 = format!("{digits}.{}", if frac.is_empty() { "0" } else { frac })
        .parse()
        .map_err(|_| format!("{t:?} is not a number"))?;
    if negative {
        value = -value;
    }
    let mut decimals = frac.len() as u8;
    if whole && decimals > 0 {
        if value.fract().abs() > EPS {
            return Err(format!("{t:?} is not a whole number"));
        }
        decimals = 0;
    }
    Ok(Number { value, decimals })
}

/// A value the unit does not allow, or a unit that is not the indicator's: the request
/// field at fault (`value` or `unit`) and why, in English and in Indonesian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub field: &'static str,
    pub reason: String,
    pub reason_id: String,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

fn value_error(unit: Unit, why_en: String, why_id: String) -> ValueError {
    ValueError {
        field: "value",
        reason: format!("{why_en}; expected {}", unit.expects_en()),
        reason_id: format!("{why_id}; yang diharapkan: {}", unit.expects_id()),
    }
}

/// Checks one number against the unit's range.
fn check_bounds(t: &str, n: Number, unit: Unit) -> Result<Number, ValueError> {
    let Some((lo, hi)) = unit.bounds() else {
        return Err(value_error(
            unit,
            format!("{t:?} is a number"),
            format!("\u{201c}{t}\u{201d} adalah angka"),
        ));
    };
    if n.value < lo - EPS || n.value > hi + EPS {
        let shown = format_number_id(n.value, n.decimals);
        return Err(value_error(
            unit,
            format!("{t} is out of range"),
            format!("{shown} di luar rentang"),
        ));
    }
    Ok(n)
}

/// Parses one value (an actual: no ranges) of `unit`, checked against the unit.
pub fn parse_value(text: &str, unit: Unit) -> Result<Value, ValueError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(value_error(unit, "empty".into(), "kosong".into()));
    }
    match unit {
        Unit::Opinion => Opinion::parse(&t.to_uppercase())
            .map(Value::Opinion)
            .ok_or_else(|| {
                value_error(
                    unit,
                    format!("{t:?} is not an audit opinion"),
                    format!("\u{201c}{t}\u{201d} bukan opini BPK"),
                )
            }),
        Unit::Grade => Grade::parse(&t.to_uppercase())
            .map(Value::Grade)
            .ok_or_else(|| {
                value_error(
                    unit,
                    format!("{t:?} is not a grade"),
                    format!("\u{201c}{t}\u{201d} bukan predikat"),
                )
            }),
        _ => {
            let (t, percent_sign) = match t.strip_suffix('%') {
                Some(rest) => (rest.trim_end(), true),
                None => (t, false),
            };
            if percent_sign && unit != Unit::Percent {
                return Err(ValueError {
                    field: "unit",
                    reason: format!(
                        "a percentage was given, but this indicator is measured in {}",
                        unit.code()
                    ),
                    reason_id: format!(
                        "yang diisi persentase, padahal indikator ini diukur dalam {}",
                        unit.label_id()
                    ),
                });
            }
            if t.contains('–') || t.get(1..).is_some_and(|r| r.contains('-')) {
                return Err(value_error(
                    unit,
                    format!("{t:?} is a range; give one value"),
                    format!("\u{201c}{t}\u{201d} berupa rentang; isi satu nilai"),
                ));
            }
            let n = parse_number(t, unit.whole()).map_err(|e| {
                value_error(unit, e, format!("\u{201c}{t}\u{201d} bukan angka yang sah"))
            })?;
            check_bounds(t, n, unit).map(Value::Number)
        }
    }
}

/// Parses a target of `unit`: one value, or a band `low–high` (`7,00–8,00`).
pub fn parse_target(text: &str, unit: Unit) -> Result<Value, ValueError> {
    let t = text.trim();
    let split = t
        .split_once('–')
        .or_else(|| t.split_once('—'))
        .or_else(|| {
            t.get(1..)
                .and_then(|r| r.split_once('-'))
                .map(|(a, b)| (&t[..a.len() + 1], b))
        })
        .or_else(|| t.split_once(" s.d. "));
    match split {
        Some((a, b)) if unit.bounds().is_some() => {
            let low = match parse_value(a, unit)? {
                Value::Number(n) => n,
                _ => unreachable!("numbers parse as numbers"),
            };
            let high = match parse_value(b, unit)? {
                Value::Number(n) => n,
                _ => unreachable!("numbers parse as numbers"),
            };
            if low.value > high.value {
                return Err(value_error(
                    unit,
                    format!("{t:?}: the low end is above the high end"),
                    format!("\u{201c}{t}\u{201d}: batas bawah di atas batas atas"),
                ));
            }
            Ok(Value::Range(low, high))
        }
        _ => parse_value(t, unit),
    }
}

/// Whether `actual` meets `target` for an indicator of `direction` (`None`: they cannot
/// be compared, e.g. a number against an opinion). A band is met from its better end
/// on (higher is better: from the low end; lower is better: up to the high end).
pub fn met(direction: Direction, target: &Value, actual: &Value) -> Option<bool> {
    let better = |a: f64, t: f64| match direction {
        Direction::Higher => a >= t - EPS,
        Direction::Lower => a <= t + EPS,
    };
    match (target, actual) {
        (Value::Number(t), Value::Number(a)) => Some(better(a.value, t.value)),
        (Value::Range(lo, hi), Value::Number(a)) => Some(match direction {
            Direction::Higher => a.value >= lo.value - EPS,
            Direction::Lower => a.value <= hi.value + EPS,
        }),
        (Value::Opinion(t), Value::Opinion(a)) => Some(a >= t),
        (Value::Grade(t), Value::Grade(a)) => Some(a >= t),
        _ => None,
    }
}

/// A yearly target as printed in one place of the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub year: i32,
    /// As written in the file (the source's own notation: "0,20", "2.61", "15.600.000").
    pub text: String,
    pub value: Value,
    /// The indicator's unit, unless this printing gives another (Lampiran D's "10.775
    /// jiwa" for an indicator counted in locations).
    pub unit: Unit,
    /// Where it is printed: "Tabel 9", "Lampiran B".
    pub source_ref: String,
    /// How the source prints it when that differs from `text` ("86,40 juta (86 %)").
    pub printed: Option<String>,
    /// Marked by an administrator as the one that counts among differing targets.
    pub authoritative: bool,
    pub note: Option<String>,
}

/// A baseline or a published realisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub year: i32,
    pub text: String,
    pub value: Value,
    pub source_ref: String,
    pub printed: Option<String>,
    /// The period it refers to ("Sept 2016").
    pub period: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub kind: FlagKind,
    pub note: String,
}

/// An indicator whose actual value the system computes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    pub method: Method,
    pub definition_id: String,
    pub definition_en: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub code: String,
    pub level: Level,
    /// The indicator this one serves (an IKK's IKP, an IKP's IKSS), where the plan makes
    /// it clear.
    pub parent: Option<String>,
    pub programme: Option<String>,
    pub strategic_target: Option<String>,
    pub responsible_unit: Option<String>,
    pub name_id: String,
    pub name_en: String,
    pub unit: Unit,
    pub direction: Direction,
    /// From the ministry's key-performance-indicator manual; not in the sources, so empty
    /// until known.
    pub formula: Option<String>,
    pub computed: Option<Computed>,
    pub targets: Vec<Target>,
    pub baseline: Option<Figure>,
    pub realisations: Vec<Figure>,
    pub flags: Vec<Flag>,
    pub notes: Option<String>,
}

/// The target of a year, once the sources are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolved<'a> {
    /// No source gives one.
    None,
    /// Every source agrees (the first printing), or one is marked authoritative.
    One(&'a Target),
    /// The sources differ and none is marked authoritative.
    Conflict,
}

impl Indicator {
    /// Every printed target of `year`, in file order.
    pub fn targets_of(&self, year: i32) -> Vec<&Target> {
        self.targets.iter().filter(|t| t.year == year).collect()
    }

    /// The years with a target, ascending.
    pub fn target_years(&self) -> Vec<i32> {
        let mut y: Vec<i32> = self.targets.iter().map(|t| t.year).collect();
        y.sort_unstable();
        y.dedup();
        y
    }

    /// Whether the printed targets of `year` differ (in value or unit).
    pub fn conflicting(&self, year: i32) -> bool {
        let ts = self.targets_of(year);
        ts.iter().any(|a| {
            ts.iter()
                .any(|b| a.unit != b.unit || !a.value.same_as(&b.value))
        })
    }

    /// The years whose printed targets differ.
    pub fn conflict_years(&self) -> Vec<i32> {
        self.target_years()
            .into_iter()
            .filter(|y| self.conflicting(*y))
            .collect()
    }

    /// The target that counts for `year`.
    pub fn target(&self, year: i32) -> Resolved<'_> {
        let ts = self.targets_of(year);
        if let Some(t) = ts.iter().find(|t| t.authoritative) {
            return Resolved::One(t);
        }
        match ts.first() {
            None => Resolved::None,
            Some(_) if self.conflicting(year) => Resolved::Conflict,
            Some(t) => Resolved::One(t),
        }
    }

    pub fn has_flag(&self, kind: FlagKind) -> bool {
        self.flags.iter().any(|f| f.kind == kind)
    }

    /// The realisation the source publishes for `year`.
    pub fn realisation(&self, year: i32) -> Option<&Figure> {
        self.realisations.iter().find(|r| r.year == year)
    }

    /// Checks a hand-entered value: the unit named with it (if any) must be the
    /// indicator's, and the value must suit that unit.
    pub fn check_value(&self, text: &str, unit: Option<&str>) -> Result<Value, ValueError> {
        if let Some(u) = unit.map(str::trim).filter(|u| !u.is_empty()) {
            match Unit::from_user(u) {
                Some(given) if given == self.unit => {}
                Some(given) => {
                    return Err(ValueError {
                        field: "unit",
                        reason: format!(
                            "{} is measured in {}, not {}",
                            self.code,
                            self.unit.code(),
                            given.code()
                        ),
                        reason_id: format!(
                            "{} diukur dalam {}, bukan {}",
                            self.code,
                            self.unit.label_id(),
                            given.label_id()
                        ),
                    })
                }
                None => {
                    return Err(ValueError {
                        field: "unit",
                        reason: format!(
                            "unknown unit {u:?}; {} is measured in {}",
                            self.code,
                            self.unit.code()
                        ),
                        reason_id: format!(
                            "satuan \u{201c}{u}\u{201d} tidak dikenal; {} diukur dalam {}",
                            self.code,
                            self.unit.label_id()
                        ),
                    })
                }
            }
        }
        parse_value(text, self.unit)
    }
}

/// A catalogue of indicators: the shipped file, or a stored version of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    pub id: String,
    /// The file's own version.
    pub version: i64,
    pub title_id: String,
    pub title_en: String,
    pub source: String,
    pub indicators: Vec<Indicator>,
}

fn text(o: &Map<String, Json>, key: &str, place: &str) -> Result<String, PlaceError> {
    match o.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Json::String(_)) => Err(err(format!("{place}.{key}"), "empty")),
        Some(_) => Err(err(format!("{place}.{key}"), "expected a text")),
        None => Err(err(format!("{place}.{key}"), "missing")),
    }
}

fn opt_text(o: &Map<String, Json>, key: &str, place: &str) -> Result<Option<String>, PlaceError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(_) => text(o, key, place).map(Some),
    }
}

fn coded<T>(
    o: &Map<String, Json>,
    key: &str,
    place: &str,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> Result<T, PlaceError> {
    let s = text(o, key, place)?;
    parse(&s).ok_or_else(|| {
        err(
            format!("{place}.{key}"),
            format!("unknown {key} {s:?} (expected one of: {})", all.join(", ")),
        )
    })
}

fn year(o: &Map<String, Json>, place: &str) -> Result<i32, PlaceError> {
    o.get("year")
        .and_then(Json::as_i64)
        .filter(|y| (2000..=2100).contains(y))
        .map(|y| y as i32)
        .ok_or_else(|| err(format!("{place}.year"), "expected a year from 2000 to 2100"))
}

fn objects<'a>(
    o: &'a Map<String, Json>,
    key: &str,
    place: &str,
) -> Result<Vec<&'a Map<String, Json>>, PlaceError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_object()
                    .ok_or_else(|| err(format!("{place}.{key}[{i}]"), "expected an object"))
            })
            .collect(),
        Some(_) => Err(err(format!("{place}.{key}"), "expected a list")),
    }
}

fn value_at(place: String, e: ValueError) -> PlaceError {
    err(place, e.reason)
}

fn figure(o: &Map<String, Json>, place: &str, unit: Unit) -> Result<Figure, PlaceError> {
    let t = text(o, "value", place)?;
    Ok(Figure {
        year: year(o, place)?,
        value: parse_value(&t, unit).map_err(|e| value_at(format!("{place}.value"), e))?,
        text: t,
        source_ref: text(o, "source_ref", place)?,
        printed: opt_text(o, "printed", place)?,
        period: opt_text(o, "period", place)?,
    })
}

fn units_codes() -> Vec<&'static str> {
    Unit::ALL.iter().map(|u| u.code()).collect()
}

fn indicator(o: &Map<String, Json>, place: &str) -> Result<Indicator, PlaceError> {
    let code = text(o, "code", place)?;
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        || code.starts_with('.')
        || code.ends_with('.')
    {
        return Err(err(
            format!("{place}.code"),
            format!("{code:?}: use lower-case letters, digits, _ and ."),
        ));
    }
    let levels: Vec<&str> = Level::ALL.iter().map(|l| l.code()).collect();
    let level = coded(o, "level", place, Level::parse, &levels)?;
    let expected = match code.split('.').next() {
        Some("ikss") => Some(Level::Strategic),
        Some("ikp") => Some(Level::Program),
        Some("ikk") => Some(Level::Activity),
        Some("context") => Some(Level::Context),
        _ => None,
    };
    if let Some(e) = expected.filter(|e| *e != level) {
        return Err(err(
            format!("{place}.level"),
            format!(
                "{code} is a {} indicator by its code, not {}",
                e.code(),
                level.code()
            ),
        ));
    }
    let unit = coded(o, "unit", place, Unit::parse, &units_codes())?;
    let direction = coded(
        o,
        "direction",
        place,
        Direction::parse,
        &["higher", "lower"],
    )?;
    let mut targets = Vec::new();
    for (i, t) in objects(o, "targets", place)?.into_iter().enumerate() {
        let tp = format!("{place}.targets[{i}]");
        let tunit = match t.get("unit") {
            None | Some(Json::Null) => unit,
            Some(_) => coded(t, "unit", &tp, Unit::parse, &units_codes())?,
        };
        let tx = text(t, "value", &tp)?;
        targets.push(Target {
            year: year(t, &tp)?,
            value: parse_target(&tx, tunit).map_err(|e| value_at(format!("{tp}.value"), e))?,
            text: tx,
            unit: tunit,
            source_ref: text(t, "source_ref", &tp)?,
            printed: opt_text(t, "printed", &tp)?,
            authoritative: match t.get("authoritative") {
                None | Some(Json::Null) => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(err(format!("{tp}.authoritative"), "expected true or false"))
                }
            },
            note: opt_text(t, "note", &tp)?,
        });
    }
    let baseline = match o.get("baseline") {
        None | Some(Json::Null) => None,
        Some(Json::Object(b)) => Some(figure(b, &format!("{place}.baseline"), unit)?),
        Some(_) => return Err(err(format!("{place}.baseline"), "expected an object")),
    };
    let realisations = objects(o, "realisations", place)?
        .into_iter()
        .enumerate()
        .map(|(i, r)| figure(r, &format!("{place}.realisations[{i}]"), unit))
        .collect::<Result<Vec<_>, _>>()?;
    let kinds: Vec<&str> = FlagKind::ALL.iter().map(|k| k.code()).collect();
    let mut flags = Vec::new();
    for (i, f) in objects(o, "flags", place)?.into_iter().enumerate() {
        let fp = format!("{place}.flags[{i}]");
        flags.push(Flag {
            kind: coded(f, "kind", &fp, FlagKind::parse, &kinds)?,
            note: text(f, "note", &fp)?,
        });
    }
    let computed = match o.get("computed") {
        None | Some(Json::Null) => None,
        Some(Json::Object(c)) => {
            let cp = format!("{place}.computed");
            let methods: Vec<&str> = Method::ALL.iter().map(|m| m.code()).collect();
            let method = coded(c, "method", &cp, Method::parse, &methods)?;
            let needs = match method {
                Method::FamiliesReferredServed => Unit::Families,
                Method::CasesClosedOnTime => Unit::Percent,
            };
            if unit != needs {
                return Err(err(
                    format!("{place}.unit"),
                    format!(
                        "{} computes {}, not {}",
                        method.code(),
                        needs.code(),
                        unit.code()
                    ),
                ));
            }
            Some(Computed {
                method,
                definition_id: text(c, "definition_id", &cp)?,
                definition_en: text(c, "definition_en", &cp)?,
            })
        }
        Some(_) => return Err(err(format!("{place}.computed"), "expected an object")),
    };
    let mut ind = Indicator {
        code,
        level,
        parent: opt_text(o, "parent", place)?,
        programme: opt_text(o, "programme", place)?,
        strategic_target: opt_text(o, "strategic_target", place)?,
        responsible_unit: opt_text(o, "responsible_unit", place)?,
        name_id: text(o, "name_id", place)?,
        name_en: text(o, "name_en", place)?,
        unit,
        direction,
        formula: opt_text(o, "formula", place)?,
        computed,
        targets,
        baseline,
        realisations,
        flags,
        notes: opt_text(o, "notes", place)?,
    };
    // Differing targets are flagged whatever the file says; a flag that claims a
    // difference the targets do not show is an error in the file.
    let conflicts = ind.conflict_years();
    for y in ind.target_years() {
        let authoritative = ind.targets_of(y).iter().filter(|t| t.authoritative).count();
        if authoritative > 1 {
            return Err(err(
                format!("{place}.targets"),
                format!("{authoritative} targets of {y} are marked authoritative; mark one"),
            ));
        }
    }
    match (conflicts.is_empty(), ind.has_flag(FlagKind::TargetConflict)) {
        (true, true) => {
            return Err(err(
                format!("{place}.flags"),
                "flagged target_conflict, but the targets of every year agree",
            ))
        }
        (false, false) => {
            let note = conflicts
                .iter()
                .map(|y| {
                    let parts: Vec<String> = ind
                        .targets_of(*y)
                        .iter()
                        .map(|t| format!("{} {}", t.source_ref, t.value.display_id(t.unit)))
                        .collect();
                    format!("{y}: {}", parts.join("; "))
                })
                .collect::<Vec<_>>()
                .join(" · ");
            ind.flags.push(Flag {
                kind: FlagKind::TargetConflict,
                note: format!("Target berbeda antar sumber — {note}"),
            });
        }
        _ => {}
    }
    Ok(ind)
}

impl Catalogue {
    /// Parses and checks a catalogue file; an error names its place
    /// (`indicators[12].targets[1].value: …`).
    pub fn from_json(text_: &str) -> Result<Catalogue, IndicatorCatalogueError> {
        let o = &crate::jsonfile::object(text_, "an indicator catalogue")?;
        let version = crate::jsonfile::version(o)?;
        let Some(Json::Array(list)) = o.get("indicators") else {
            return Err(err("indicators", "expected a list of indicators"));
        };
        let mut indicators: Vec<Indicator> = Vec::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            let place = format!("indicators[{i}]");
            let Json::Object(io) = v else {
                return Err(err(place, "expected an object"));
            };
            let ind = indicator(io, &place)?;
            if let Some(j) = indicators.iter().position(|x| x.code == ind.code) {
                return Err(err(
                    format!("{place}.code"),
                    format!("{:?} is indicators[{j}]'s code already", ind.code),
                ));
            }
            indicators.push(ind);
        }
        for (i, ind) in indicators.iter().enumerate() {
            if let Some(p) = &ind.parent {
                if *p == ind.code || !indicators.iter().any(|x| x.code == *p) {
                    return Err(err(
                        format!("indicators[{i}].parent"),
                        format!("{p:?} is not another indicator of the catalogue"),
                    ));
                }
            }
        }
        Ok(Catalogue {
            id: text(o, "id", "").map_err(|e| err("id", e.reason))?,
            version,
            title_id: text(o, "title_id", "").map_err(|e| err("title_id", e.reason))?,
            title_en: text(o, "title_en", "").map_err(|e| err("title_en", e.reason))?,
            source: text(o, "source", "").map_err(|e| err("source", e.reason))?,
            indicators,
        })
    }

    /// The shipped catalogue (`indicators/renstra-2015-2019.json`), parsed once per
    /// process.
    pub fn shipped() -> &'static Catalogue {
        static SHIPPED: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(|| {
            // Validated by a test: the shipped file always loads.
            Catalogue::from_json(RENSTRA_2015_2019).unwrap_or(Catalogue {
                id: "renstra-2015-2019".into(),
                version: 0,
                title_id: String::new(),
                title_en: String::new(),
                source: String::new(),
                indicators: Vec::new(),
            })
        });
        &SHIPPED
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// The indicator whose actual value `method` computes.
    pub fn computed(&self, method: Method) -> Option<&Indicator> {
        self.indicators
            .iter()
            .find(|i| i.computed.as_ref().is_some_and(|c| c.method == method))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(text: &str, whole: bool) -> f64 {
        parse_number(text, whole).unwrap().value
    }

    #[test]
    fn indicators_numbers_in_both_notations() {
        // V15: "2,61" (Tabel 12) and "2.61" (Lampiran E) are the same number.
        assert_eq!(num("2,61", false), 2.61);
        assert_eq!(num("2.61", false), 2.61);
        assert_eq!(parse_number("2,61", false).unwrap().decimals, 2);
        assert_eq!(num("0,20", false), 0.2);
        assert_eq!(num("67.5", false), 67.5);
        assert_eq!(num("12,5", false), 12.5);
        // Thousands: dots the Indonesian way, commas the English way, mixed with decimals.
        assert_eq!(num("15.600.000", true), 15_600_000.0);
        assert_eq!(num("15,600,000", true), 15_600_000.0);
        assert_eq!(num("1.234,5", false), 1234.5);
        assert_eq!(num("1,234.5", false), 1234.5);
        // One separator and three digits: thousands in a count, decimals otherwise.
        assert_eq!(num("24.320", true), 24_320.0);
        assert_eq!(num("24,320", true), 24_320.0);
        assert_eq!(num("0,405", false), 0.405);
        let e = parse_number("1.200", false).unwrap_err();
        assert!(e.contains("ambiguous: write 1,2 for a decimal"), "{e}");
        assert_eq!(num("96700000", true), 96_700_000.0);
        assert_eq!(num("3,00", true), 3.0);
        for bad in ["", "abc", "1.2.3,4,5", "15.60.000", "1,", "2,5 juta", "3,5"] {
            assert!(parse_number(bad, true).is_err(), "{bad:?}");
        }
        assert!(parse_number("12,3,4", false).is_err());
    }

    #[test]
    fn indicators_numbers_are_shown_the_indonesian_way() {
        assert_eq!(format_number_id(15_600_000.0, 0), "15.600.000");
        assert_eq!(format_number_id(12.5, 1), "12,5");
        assert_eq!(format_number_id(0.2, 2), "0,20");
        assert_eq!(format_number_id(1234.5, 2), "1.234,50");
        assert_eq!(format_number_id(999.0, 0), "999");
        assert_eq!(format_number_id(-1000.0, 0), "-1.000");
        let v = parse_value("12,5", Unit::Percent).unwrap();
        assert_eq!(v.display_id(Unit::Percent), "12,5 %");
        assert_eq!(v.canonical(), "12.5");
        let v = parse_value("15.600.000", Unit::Persons).unwrap();
        assert_eq!(v.display_id(Unit::Persons), "15.600.000 jiwa");
        assert_eq!(v.canonical(), "15600000");
        assert_eq!(
            parse_value("3", Unit::Level)
                .unwrap()
                .display_id(Unit::Level),
            "level 3"
        );
    }

    #[test]
    fn indicators_values_checked_by_unit() {
        let bad = |t: &str, u: Unit| parse_value(t, u).unwrap_err();
        assert_eq!(bad("100,5", Unit::Percent).field, "value");
        assert!(bad("100,5", Unit::Percent).reason.contains("out of range"));
        assert!(bad("-1", Unit::Percent).reason.contains("out of range"));
        assert!(parse_value("100", Unit::Percent).is_ok());
        assert!(parse_value("0", Unit::Percent).is_ok());
        assert!(parse_value("45 %", Unit::Percent).is_ok());
        assert!(bad("2,5", Unit::Persons).reason.contains("whole"));
        assert!(bad("-3", Unit::Families).reason.contains("out of range"));
        assert_eq!(bad("45 %", Unit::Persons).field, "unit");
        assert!(bad("0", Unit::Level).reason.contains("out of range"));
        assert!(bad("6", Unit::Level).reason.contains("out of range"));
        assert!(bad("2,5", Unit::Level).reason.contains("whole"));
        assert!(parse_value("5", Unit::Level).is_ok());
        assert!(bad("101", Unit::Score).reason.contains("out of range"));
        assert!(bad("1,2", Unit::Index).reason.contains("out of range"));
        assert_eq!(
            parse_value("wtp", Unit::Opinion).unwrap(),
            Value::Opinion(Opinion::Wtp)
        );
        assert!(bad("baik", Unit::Opinion).reason.contains("WTP/WDP/TW/TMP"));
        assert_eq!(
            parse_value("BB", Unit::Grade).unwrap(),
            Value::Grade(Grade::Bb)
        );
        assert!(bad("E", Unit::Grade).reason.contains("AA/A/BB/B/CC/C/D"));
        assert!(bad("80", Unit::Grade).reason.contains("grade"));
        assert!(bad("7–8", Unit::Percent).reason.contains("range"));
        assert!(bad("", Unit::Percent).reason.contains("empty"));
        // Messages in Indonesian for pages.
        assert!(bad("100,5", Unit::Percent)
            .reason_id
            .contains("100,5 di luar rentang"));
    }

    #[test]
    fn indicators_ranges_and_non_numeric_targets() {
        let r = parse_target("7,00–8,00", Unit::Percent).unwrap();
        assert!(matches!(r, Value::Range(a, b) if a.value == 7.0 && b.value == 8.0));
        assert_eq!(r.display_id(Unit::Percent), "7,00–8,00 %");
        assert_eq!(r.canonical(), "7.00–8.00");
        assert!(parse_target("7.00-8.00", Unit::Percent)
            .unwrap()
            .same_as(&r));
        assert!(parse_target("8–7", Unit::Percent).is_err());
        assert!(parse_target("7–108", Unit::Percent).is_err());
        // Lower is better: a poverty rate meets 7,00–8,00 up to 8,00.
        let rate = |t: &str| parse_value(t, Unit::Percent).unwrap();
        assert_eq!(met(Direction::Lower, &r, &rate("7,5")), Some(true));
        assert_eq!(met(Direction::Lower, &r, &rate("6,9")), Some(true));
        assert_eq!(met(Direction::Lower, &r, &rate("8,1")), Some(false));
        assert_eq!(
            met(Direction::Higher, &rate("70"), &rate("69,9")),
            Some(false)
        );
        // An audit opinion and a grade: at least as good.
        let wtp = parse_target("WTP", Unit::Opinion).unwrap();
        assert_eq!(
            met(Direction::Higher, &wtp, &Value::Opinion(Opinion::Wtp)),
            Some(true)
        );
        assert_eq!(
            met(Direction::Higher, &wtp, &Value::Opinion(Opinion::Wdp)),
            Some(false)
        );
        let a = parse_target("A", Unit::Grade).unwrap();
        assert_eq!(
            met(Direction::Higher, &a, &Value::Grade(Grade::Aa)),
            Some(true)
        );
        assert_eq!(
            met(Direction::Higher, &a, &Value::Grade(Grade::Bb)),
            Some(false)
        );
        assert_eq!(met(Direction::Higher, &a, &rate("80")), None);
    }

    #[test]
    fn indicators_shipped_catalogue_loads_every_indicator() {
        let c = Catalogue::from_json(RENSTRA_2015_2019).unwrap();
        assert_eq!(c.id, "renstra-2015-2019");
        let count = |l: Level| c.indicators.iter().filter(|i| i.level == l).count();
        assert_eq!(count(Level::Strategic), 5);
        assert_eq!(count(Level::Program), 22);
        // 31 IKK of the plan and the 2 SLRT indicators of this platform.
        assert_eq!(count(Level::Activity), 33);
        assert_eq!(count(Level::Context), 7);
        assert_eq!(c.indicators.len(), 67);
        assert_eq!(Catalogue::shipped(), &c);
        // Fixture: IKSS LKS accredited, 2018 = 11,60 (Tabel 8 and Lampiran A).
        let lks = c.indicator("ikss.lks_terakreditasi").unwrap();
        match lks.target(2018) {
            Resolved::One(t) => assert_eq!(t.value.numeric(), Some(11.6)),
            other => panic!("{other:?}"),
        }
        let refs: Vec<&str> = lks
            .targets_of(2018)
            .iter()
            .map(|t| t.source_ref.as_str())
            .collect();
        assert_eq!(refs, ["Tabel 8", "Lampiran A"]);
        // Non-numeric targets.
        let bpk = c.indicator("ikp.setjen.opini_bpk").unwrap();
        assert!(
            matches!(bpk.target(2019), Resolved::One(t) if t.value == Value::Opinion(Opinion::Wtp))
        );
        let sakip = c.indicator("ikp.setjen.sakip").unwrap();
        assert!(
            matches!(sakip.target(2019), Resolved::One(t) if t.value == Value::Grade(Grade::A))
        );
        // Range targets and the lower-is-better poverty rate.
        let pov = c.indicator("context.kemiskinan").unwrap();
        assert_eq!(pov.direction, Direction::Lower);
        assert!(matches!(pov.target(2019), Resolved::One(t) if t.text == "7,00–8,00"));
        assert!(
            matches!(pov.target(2015), Resolved::One(t) if matches!(t.value, Value::Range(..)))
        );
        assert_eq!(pov.realisation(2016).unwrap().value.numeric(), Some(10.7));
        // Counts read with their thousands.
        let pangan = c.indicator("ikk.pfm.pangan").unwrap();
        assert!(
            matches!(pangan.target(2019), Resolved::One(t) if t.value.numeric() == Some(15_600_000.0))
        );
        // "2,61" and "2.61" agree: no conflict, the separator is flagged.
        let rehsos = c.indicator("ikk.rehsos.kebutuhan_dasar").unwrap();
        let texts: Vec<&str> = rehsos.targets.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["2,61", "2.61"]);
        assert!(!rehsos.conflicting(2019));
        assert!(matches!(rehsos.target(2019), Resolved::One(t) if t.value.numeric() == Some(2.61)));
        // The computed SLRT indicators.
        assert_eq!(
            c.computed(Method::FamiliesReferredServed).unwrap().code,
            "slrt.families_referred_served"
        );
        assert_eq!(
            c.computed(Method::CasesClosedOnTime).unwrap().unit,
            Unit::Percent
        );
    }

    #[test]
    fn indicators_inconsistencies_of_the_source_are_flagged() {
        let c = Catalogue::shipped();
        let flagged = |code: &str, kind: FlagKind| {
            let i = c.indicator(code).unwrap_or_else(|| panic!("{code}"));
            assert!(i.has_flag(kind), "{code} is not flagged {kind}");
            i
        };
        // §5 nos. 1–3 (V3): body and annex differ; both targets loaded with their sources.
        for (code, body, annex) in [
            ("ikp.dayasos.psks_perorangan", 8.85, 70.0),
            ("ikp.dayasos.psks_kelembagaan", 7.92, 80.0),
            ("ikp.dayasos.sumber_dana", 44.0, 75.0),
        ] {
            let i = flagged(code, FlagKind::TargetConflict);
            let of = |r: &str| {
                i.targets_of(2019)
                    .iter()
                    .find(|t| t.source_ref == r)
                    .and_then(|t| t.value.numeric())
            };
            assert_eq!(of("Tabel 9"), Some(body), "{code}");
            assert_eq!(of("Lampiran B"), Some(annex), "{code}");
            assert_eq!(i.target(2019), Resolved::Conflict, "{code}");
        }
        // §5 no. 4 (V5): Lampiran D shifted a row.
        for (code, body, annex) in [
            ("ikk.pfm.kube", 94_700.0, 24_320.0),
            ("ikk.pfm.bpsu", 500.0, 94_700.0),
            ("ikk.pfm.rtlh", 10_775.0, 500.0),
            ("ikk.pfm.sarana_lingkungan", 200.0, 10_775.0),
        ] {
            let i = flagged(code, FlagKind::TargetConflict);
            let ts = i.targets_of(2019);
            assert_eq!(ts[0].source_ref, "Tabel 11");
            assert_eq!(ts[0].value.numeric(), Some(body), "{code}");
            assert_eq!(ts[1].source_ref, "Lampiran D");
            assert_eq!(ts[1].value.numeric(), Some(annex), "{code}");
        }
        assert_eq!(
            c.indicator("ikk.pfm.sarana_lingkungan")
                .unwrap()
                .targets_of(2019)[1]
                .unit,
            Unit::Persons
        );
        // The rows that agree are not flagged.
        for code in [
            "ikk.pfm.pangan",
            "ikk.pfm.uep",
            "ikss.fakir_miskin",
            "ikp.dayasos.kat",
        ] {
            assert!(
                !c.indicator(code)
                    .unwrap()
                    .has_flag(FlagKind::TargetConflict),
                "{code}"
            );
        }
        // No. 5, 6: only in the body.
        flagged("ikp.pfm.produktivitas", FlagKind::OnlyInBody);
        let k2ks = flagged("ikk.dayasos.k2ks", FlagKind::OnlyInBody);
        assert_eq!(k2ks.targets.len(), 1);
        assert_eq!(k2ks.targets[0].source_ref, "Tabel 13");
        // No. 7 (V6): "Jumlah" with percentages: stored as percent, flagged.
        for code in [
            "ikk.badan.peksos",
            "ikk.badan.penyuluh",
            "ikk.badan.tks",
            "ikk.badan.lks",
        ] {
            assert_eq!(flagged(code, FlagKind::UnitLabel).unit, Unit::Percent);
        }
        // Nos. 8, 9: wording.
        assert!(flagged("ikp.rehsos.pulih", FlagKind::Wording)
            .name_id
            .contains("pulih"));
        flagged("ikp.linjamsos.kemandirian", FlagKind::Wording);
        flagged("ikk.dayasos.k2ks", FlagKind::Wording);
        // No. 10 (V10), 11 (V8), 12, 13 (V15).
        flagged("ikss.lks_terakreditasi", FlagKind::PlanOvershoot);
        let pov = flagged("context.kemiskinan", FlagKind::BaselineLabel);
        assert_eq!(pov.baseline.as_ref().unwrap().year, 2014);
        for code in [
            "ikp.setjen.rb",
            "ikp.setjen.opini_bpk",
            "ikp.setjen.sakip",
            "ikp.setjen.kepuasan",
        ] {
            assert_eq!(flagged(code, FlagKind::TableHeader).level, Level::Program);
        }
        flagged("ikk.rehsos.kebutuhan_dasar", FlagKind::DecimalSeparator);
    }

    fn one(indicator: &str) -> String {
        format!(
            r#"{{"id": "t", "version": 1, "title_id": "t", "title_en": "t", "source": "s",
               "indicators": [{indicator}]}}"#
        )
    }

    #[test]
    fn indicators_file_errors_name_their_place() {
        let base = r#"{"code": "ikp.x", "level": "program", "name_id": "x", "name_en": "x",
            "unit": "percent", "direction": "higher", "targets": [
            {"year": 2019, "value": "70,00", "source_ref": "Tabel 9"},
            {"year": 2019, "value": "8,85", "source_ref": "Lampiran B"}]}"#;
        // A conflict the file does not flag is flagged by the loader.
        let c = Catalogue::from_json(&one(base)).unwrap();
        let f = &c.indicators[0].flags;
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FlagKind::TargetConflict);
        assert!(f[0].note.contains("Tabel 9 70,00 %"), "{}", f[0].note);
        // An authoritative target settles the year.
        let marked = base.replace(
            r#""source_ref": "Tabel 9"}"#,
            r#""source_ref": "Tabel 9", "authoritative": true}"#,
        );
        let c = Catalogue::from_json(&one(&marked)).unwrap();
        assert!(
            matches!(c.indicators[0].target(2019), Resolved::One(t) if t.source_ref == "Tabel 9")
        );
        let e = |text: &str| Catalogue::from_json(&one(text)).unwrap_err().to_string();
        assert_eq!(
            e(&base.replace("8,85", "108")),
            "indicators[0].targets[1].value: 108 is out of range; expected a percentage from 0 to 100 (e.g. 12,5 or 12.5)"
        );
        assert!(e(&base.replace("\"program\"", "\"activity\""))
            .starts_with("indicators[0].level: ikp.x is a program indicator"));
        assert!(e(&base.replace("percent", "kg"))
            .starts_with("indicators[0].unit: unknown unit \"kg\""));
        assert!(e(&base.replace("\"8,85\"", "\"70\"").replace(
            "]}",
            "], \"flags\": [{\"kind\": \"target_conflict\", \"note\": \"n\"}]}"
        ))
        .starts_with("indicators[0].flags: flagged target_conflict"));
        assert!(
            e(&base.replace("\"unit\"", "\"parent\": \"ikp.y\", \"unit\""))
                .starts_with("indicators[0].parent")
        );
        assert!(Catalogue::from_json("{")
            .unwrap_err()
            .to_string()
            .starts_with("line 1"));
    }

    #[test]
    fn indicators_check_value_names_the_unit() {
        let c = Catalogue::shipped();
        let pkh = c.indicator("ikk.pkh.kesehatan").unwrap();
        assert!(pkh.check_value("85,5", Some("%")).is_ok());
        assert!(pkh.check_value("85,5", Some("percent")).is_ok());
        let e = pkh.check_value("85", Some("persons")).unwrap_err();
        assert_eq!(e.field, "unit");
        assert_eq!(
            e.reason,
            "ikk.pkh.kesehatan is measured in percent, not persons"
        );
        assert_eq!(pkh.check_value("85", Some("kg")).unwrap_err().field, "unit");
        // V6: "Jumlah …" that counts in percent refuses a count.
        let peksos = c.indicator("ikk.badan.peksos").unwrap();
        assert_eq!(
            peksos.check_value("1200", Some("jiwa")).unwrap_err().field,
            "unit"
        );
        assert_eq!(
            peksos.check_value("1.200", None).unwrap_err().field,
            "value"
        );
    }
}
