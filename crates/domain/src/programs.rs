//! The program catalogue as data (issue #4): each program's code, names, owner, unit,
//! benefit, quotas, participation flag and eligibility rule, read from and written to a
//! JSON file and validated with messages that name the place
//! (`programs[2].rule: column 14: floor_type has no level "mud" …`).
//!
//! The default catalogue (programs-default.md) ships as `catalogue/default.json`.

use serde_json::{json, Map, Value as Json};

use crate::money::Rupiah;
use crate::registry::{Kind, HOUSEHOLD_COLUMNS};
use crate::rules::{Rule, Unit};
use crate::RegionCode;

/// Who runs a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerLevel {
    Central,
    Province,
    Regency,
    NonGovernment,
}

impl OwnerLevel {
    pub const CODES: [&'static str; 4] = ["central", "province", "regency", "non_government"];

    fn parse(s: &str) -> Option<OwnerLevel> {
        Some(match s {
            "central" => OwnerLevel::Central,
            "province" => OwnerLevel::Province,
            "regency" => OwnerLevel::Regency,
            "non_government" => OwnerLevel::NonGovernment,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenefitKind {
    Cash,
    InKind,
    Service,
    Insurance,
}

impl BenefitKind {
    pub const CODES: [&'static str; 4] = ["cash", "in_kind", "service", "insurance"];

    fn parse(s: &str) -> Option<BenefitKind> {
        Some(match s {
            "cash" => BenefitKind::Cash,
            "in_kind" => BenefitKind::InKind,
            "service" => BenefitKind::Service,
            "insurance" => BenefitKind::Insurance,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Benefit {
    pub kind: BenefitKind,
    /// Per unit and period, in whole rupiah; `None` where the sources give none.
    pub amount: Option<Rupiah>,
    /// e.g. `monthly`, `yearly`, `once`.
    pub period: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub owner_level: OwnerLevel,
    /// The ministry, province, regency or body (e.g. BAZNAS) that runs it.
    pub owner: String,
    pub unit: Unit,
    pub benefit: Benefit,
    /// Units that may be enrolled, per region (a region code at any level).
    pub quotas: Vec<(RegionCode, u64)>,
    /// The household column that says whether the household is enrolled (`in_pkh`, …).
    pub participation_flag: Option<usize>,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    pub version: i64,
    pub programs: Vec<Program>,
}

/// A catalogue that cannot be used: the place (a JSON path) and why.
pub type CatalogueError = crate::jsonfile::PlaceError;

use crate::jsonfile::err;

fn text(o: &Map<String, Json>, key: &str, place: &str) -> Result<String, CatalogueError> {
    match o.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Json::String(_)) => Err(err(format!("{place}.{key}"), "empty")),
        Some(_) => Err(err(format!("{place}.{key}"), "expected a text")),
        None => Err(err(format!("{place}.{key}"), "missing")),
    }
}

fn opt_text(
    o: &Map<String, Json>,
    key: &str,
    place: &str,
) -> Result<Option<String>, CatalogueError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(_) => text(o, key, place).map(Some),
    }
}

fn whole(v: &Json, place: &str) -> Result<u64, CatalogueError> {
    v.as_u64()
        .ok_or_else(|| err(place, format!("{v} is not a whole number ≥ 0")))
}

fn program(v: &Json, place: &str) -> Result<Program, CatalogueError> {
    let Json::Object(o) = v else {
        return Err(err(place, "expected an object"));
    };
    let code = text(o, "code", place)?;
    if !code
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(err(
            format!("{place}.code"),
            format!("{code:?}: use lower-case letters, digits and _"),
        ));
    }
    let owner_level = text(o, "owner_level", place)?;
    let owner_level = OwnerLevel::parse(&owner_level).ok_or_else(|| {
        err(
            format!("{place}.owner_level"),
            format!(
                "unknown level {owner_level:?} (expected one of: {})",
                OwnerLevel::CODES.join(", ")
            ),
        )
    })?;
    let unit = text(o, "unit", place)?;
    let unit = Unit::parse(&unit).ok_or_else(|| {
        err(
            format!("{place}.unit"),
            format!("unknown unit {unit:?} (expected household or member)"),
        )
    })?;
    let bp = format!("{place}.benefit");
    let benefit = match o.get("benefit") {
        Some(Json::Object(b)) => {
            let kind = text(b, "kind", &bp)?;
            Benefit {
                kind: BenefitKind::parse(&kind).ok_or_else(|| {
                    err(
                        format!("{bp}.kind"),
                        format!(
                            "unknown kind {kind:?} (expected one of: {})",
                            BenefitKind::CODES.join(", ")
                        ),
                    )
                })?,
                amount: match b.get("amount_rupiah") {
                    None | Some(Json::Null) => None,
                    Some(v) => Some(Rupiah(whole(v, &format!("{bp}.amount_rupiah"))? as i64)),
                },
                period: opt_text(b, "period", &bp)?,
                note: opt_text(b, "note", &bp)?,
            }
        }
        _ => return Err(err(bp, "missing or not an object")),
    };
    let mut quotas = Vec::new();
    match o.get("quotas") {
        None | Some(Json::Null) => {}
        Some(Json::Object(q)) => {
            for (region, n) in q {
                let qp = format!("{place}.quotas.{region}");
                let code = RegionCode::parse(region)
                    .map_err(|e| err(&qp, format!("{region:?} is not a region code: {e}")))?;
                quotas.push((code, whole(n, &qp)?));
            }
        }
        Some(_) => return Err(err(format!("{place}.quotas"), "expected an object")),
    }
    let participation_flag = match opt_text(o, "participation_flag", place)? {
        None => None,
        Some(name) => Some(
            HOUSEHOLD_COLUMNS
                .iter()
                .position(|c| c.name == name && c.kind == Kind::Bool && name.starts_with("in_"))
                .ok_or_else(|| {
                    err(
                        format!("{place}.participation_flag"),
                        format!("{name:?} is not a participation column of households.csv (in_pkh, in_bpnt, in_kis_pbi, in_kip)"),
                    )
                })?,
        ),
    };
    let rule_text = text(o, "rule", place)?;
    let rule =
        Rule::parse(&rule_text, unit).map_err(|e| err(format!("{place}.rule"), e.to_string()))?;
    Ok(Program {
        code,
        name_id: text(o, "name_id", place)?,
        name_en: text(o, "name_en", place)?,
        owner_level,
        owner: text(o, "owner", place)?,
        unit,
        benefit,
        quotas,
        participation_flag,
        rule,
    })
}

impl Catalogue {
    /// Parses and validates a catalogue file.
    pub fn from_json(text: &str) -> Result<Catalogue, CatalogueError> {
        let o = &crate::jsonfile::object(text, "a catalogue")?;
        let version = crate::jsonfile::version(o)?;
        let Some(Json::Array(list)) = o.get("programs") else {
            return Err(err("programs", "expected a list of programs"));
        };
        let mut programs: Vec<Program> = Vec::with_capacity(list.len());
        for (i, p) in list.iter().enumerate() {
            let place = format!("programs[{i}]");
            let p = program(p, &place)?;
            if let Some(j) = programs.iter().position(|q| q.code == p.code) {
                return Err(err(
                    format!("{place}.code"),
                    format!("{:?} is programs[{j}]'s code already", p.code),
                ));
            }
            programs.push(p);
        }
        Ok(Catalogue { version, programs })
    }

    /// The catalogue file; reads back to an equal catalogue.
    pub fn to_json(&self) -> String {
        let programs: Vec<Json> = self
            .programs
            .iter()
            .map(|p| {
                let quotas: Map<String, Json> = p
                    .quotas
                    .iter()
                    .map(|(r, n)| (r.to_string(), json!(n)))
                    .collect();
                json!({
                    "code": p.code,
                    "name_id": p.name_id,
                    "name_en": p.name_en,
                    "owner_level": p.owner_level.code(),
                    "owner": p.owner,
                    "unit": p.unit.code(),
                    "benefit": {
                        "kind": p.benefit.kind.code(),
                        "amount_rupiah": p.benefit.amount.map(|r| r.0),
                        "period": p.benefit.period,
                        "note": p.benefit.note,
                    },
                    "quotas": quotas,
                    "participation_flag": p.participation_flag.map(|i| HOUSEHOLD_COLUMNS[i].name),
                    "rule": p.rule.text,
                })
            })
            .collect();
        serde_json::to_string_pretty(&json!({"version": self.version, "programs": programs}))
            .unwrap_or_default()
    }

    /// The default catalogue of programs-default.md, as shipped: parsed (rules and all)
    /// once per process.
    pub fn shipped() -> &'static Catalogue {
        static SHIPPED: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(|| {
            // Validated by a test: the shipped file always loads.
            Catalogue::from_json(DEFAULT_CATALOGUE).unwrap_or(Catalogue {
                version: 0,
                programs: Vec::new(),
            })
        });
        &SHIPPED
    }

    pub fn program(&self, code: &str) -> Option<&Program> {
        self.programs.iter().find(|p| p.code == code)
    }
}

/// Fills a quota: the eligible units in rank order (poorest first; units without a rank
/// last; ties keep the order given), the first `quota` selected, the rest waiting in that
/// order. Returns (selected, waiting list).
pub fn apply_quota<T>(mut units: Vec<(Option<u64>, T)>, quota: u64) -> (Vec<T>, Vec<T>) {
    units.sort_by_key(|(rank, _)| rank.unwrap_or(u64::MAX));
    let mut selected = Vec::new();
    let mut waiting = Vec::new();
    for (i, (_, u)) in units.into_iter().enumerate() {
        if (i as u64) < quota {
            selected.push(u);
        } else {
            waiting.push(u);
        }
    }
    (selected, waiting)
}

impl Program {
    /// The quota that covers a household in `region`: the longest quota region that is
    /// `region` or contains it (index into `quotas`).
    pub fn quota_for(&self, region: &str) -> Option<usize> {
        self.quotas
            .iter()
            .enumerate()
            .filter(|(_, (r, _))| crate::pmt::is_prefix(r.as_str(), region))
            .max_by_key(|(_, (r, _))| r.as_str().len())
            .map(|(i, _)| i)
    }
}

/// `catalogue/default.json`.
pub const DEFAULT_CATALOGUE: &str = include_str!("../catalogue/default.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_catalogue_loads_round_trips_and_matches_the_spec() {
        let c = Catalogue::from_json(DEFAULT_CATALOGUE).unwrap();
        let codes: Vec<&str> = c.programs.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            ["pkh", "bpnt", "rs_rtlh", "kis_pbi", "kip", "aslut", "aspdb", "kube", "askesos"]
        );
        let members: Vec<&str> = c
            .programs
            .iter()
            .filter(|p| p.unit == Unit::Member)
            .map(|p| p.code.as_str())
            .collect();
        assert_eq!(
            members,
            ["kis_pbi", "kip", "aslut", "aspdb", "kube", "askesos"]
        );
        let flagged: Vec<&str> = c
            .programs
            .iter()
            .filter(|p| p.participation_flag.is_some())
            .map(|p| p.code.as_str())
            .collect();
        assert_eq!(flagged, ["pkh", "bpnt", "kis_pbi", "kip"]);
        assert_eq!(Catalogue::from_json(&c.to_json()).unwrap(), c);
        assert_eq!(Catalogue::shipped(), &c);
    }

    #[test]
    fn quotas_take_the_poorest_first_and_keep_a_waiting_list() {
        let units = vec![
            (Some(30), "c"),
            (None, "x"),
            (Some(10), "a"),
            (Some(20), "b"),
            (Some(20), "b2"),
        ];
        let (sel, wait) = apply_quota(units, 3);
        assert_eq!(sel, ["a", "b", "b2"]);
        assert_eq!(wait, ["c", "x"]);
        let (sel, wait) = apply_quota(vec![(Some(1), 1)], 0);
        assert!(sel.is_empty());
        assert_eq!(wait, [1]);

        let ok = DEFAULT_CATALOGUE.replacen(
            "\"quotas\": {}",
            "\"quotas\": {\"33\": 10, \"33.14\": 5}",
            1,
        );
        let c = Catalogue::from_json(&ok).unwrap();
        let p = &c.programs[0];
        assert_eq!(p.quota_for("33.14.01.2001").map(|i| p.quotas[i].1), Some(5));
        assert_eq!(
            p.quota_for("33.15.01.2001").map(|i| p.quotas[i].1),
            Some(10)
        );
        assert_eq!(p.quota_for("34.01.01.2001"), None);
    }

    #[test]
    fn bad_catalogues_name_the_place() {
        let cases = [
            (
                DEFAULT_CATALOGUE.replacen("'earth'", "'mud'", 1),
                "programs[2].rule",
                "column",
            ),
            (
                DEFAULT_CATALOGUE.replacen("\"unit\": \"household\"", "\"unit\": \"family\"", 1),
                "programs[0].unit",
                "family",
            ),
            (
                DEFAULT_CATALOGUE.replacen("\"code\": \"bpnt\"", "\"code\": \"pkh\"", 1),
                "programs[1].code",
                "already",
            ),
            (
                DEFAULT_CATALOGUE.replacen("\"in_pkh\"", "\"has_car\"", 1),
                "programs[0].participation_flag",
                "has_car",
            ),
            (
                DEFAULT_CATALOGUE.replacen(
                    "\"owner_level\": \"central\"",
                    "\"owner_level\": \"village\"",
                    1,
                ),
                "programs[0].owner_level",
                "village",
            ),
        ];
        for (text, place, word) in cases {
            let e = Catalogue::from_json(&text).unwrap_err();
            assert_eq!(e.place, place, "{e}");
            assert!(e.reason.contains(word), "{e}");
        }
        let with_quota = DEFAULT_CATALOGUE.replacen(
            "\"quotas\": {}",
            "\"quotas\": {\"33.14\": 1200, \"3x\": 5}",
            1,
        );
        let e = Catalogue::from_json(&with_quota).unwrap_err();
        assert_eq!(e.place, "programs[0].quotas.3x", "{e}");
        let ok = DEFAULT_CATALOGUE.replacen("\"quotas\": {}", "\"quotas\": {\"33.14\": 1200}", 1);
        let c = Catalogue::from_json(&ok).unwrap();
        assert_eq!(c.programs[0].quotas[0].1, 1200);
    }
}
