//! The registry data a case proposes: a new household with its members (`registration`)
//! or changes to a stored one (`update`). Proposed values use the interchange columns
//! (`households.csv`, `members.csv`) and pass the very parsers an import uses, so a case
//! can never put into the registry what an import would refuse.
//!
//! JSON shape: `{"household": {"floor_type": "ceramic", …}, "members": [{"nik": "…", …}]}`.
//! Values may be strings, numbers, booleans (0/1) or null (empty).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::codes::Relation;
use crate::registry::{
    HeadCheck, Household, HouseholdId, Member, RegionLookup, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS,
};

/// At most this many members in one proposal.
pub const MEMBERS_MAX: usize = 30;

/// A proposal as given: column → text, per household and member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proposal {
    pub household: BTreeMap<String, String>,
    pub members: Vec<BTreeMap<String, String>>,
}

/// What is wrong, naming the field as the API reports it (`proposed.members[1].nik`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalError {
    pub field: String,
    pub reason: String,
}

fn err(field: impl Into<String>, reason: impl Into<String>) -> ProposalError {
    ProposalError {
        field: field.into(),
        reason: reason.into(),
    }
}

fn text_of(v: &Json, field: &str) -> Result<String, ProposalError> {
    Ok(match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => if *b { "1" } else { "0" }.into(),
        Json::Number(n) => n.to_string(),
        _ => return Err(err(field, "expected a string, number, boolean or null")),
    })
}

fn object(
    v: &Json,
    field: &str,
    columns: &[crate::registry::Column],
) -> Result<BTreeMap<String, String>, ProposalError> {
    let Json::Object(map) = v else {
        return Err(err(field, "expected an object of column: value"));
    };
    let mut out = BTreeMap::new();
    for (k, v) in map {
        let f = format!("{field}.{k}");
        if !columns.iter().any(|c| c.name == k) {
            return Err(err(f, "unknown column"));
        }
        out.insert(k.clone(), text_of(v, &f)?);
    }
    Ok(out)
}

impl Proposal {
    /// Reads the JSON of a case's `proposed` field.
    pub fn from_json(v: &Json) -> Result<Proposal, ProposalError> {
        let Json::Object(map) = v else {
            return Err(err(
                "proposed",
                "expected an object with household and members",
            ));
        };
        let mut p = Proposal::default();
        for (k, v) in map {
            match k.as_str() {
                "household" => p.household = object(v, "proposed.household", HOUSEHOLD_COLUMNS)?,
                "members" => {
                    let Json::Array(list) = v else {
                        return Err(err("proposed.members", "expected a list"));
                    };
                    if list.len() > MEMBERS_MAX {
                        return Err(err(
                            "proposed.members",
                            format!("at most {MEMBERS_MAX} members"),
                        ));
                    }
                    for (i, m) in list.iter().enumerate() {
                        p.members.push(object(
                            m,
                            &format!("proposed.members[{i}]"),
                            MEMBER_COLUMNS,
                        )?);
                    }
                }
                other => return Err(err(format!("proposed.{other}"), "unknown field")),
            }
        }
        Ok(p)
    }

    pub fn to_json(&self) -> Json {
        serde_json::json!({ "household": self.household, "members": self.members })
    }

    /// The NIKs the proposal names, in order (unparsed text).
    pub fn niks(&self) -> impl Iterator<Item = &str> {
        self.members
            .iter()
            .filter_map(|m| m.get("nik").map(|s| s.trim()))
    }
}

/// Overlays `changes` on `base` (a row's text in `columns` order).
fn overlay(
    base: Vec<String>,
    changes: &BTreeMap<String, String>,
    columns: &[crate::registry::Column],
) -> Vec<String> {
    let mut row = base;
    for (k, v) in changes {
        if let Some(i) = columns.iter().position(|c| c.name == k) {
            row[i] = v.clone();
        }
    }
    row
}

fn first_error(prefix: &str, errs: Vec<crate::registry::FieldError>) -> ProposalError {
    match errs.into_iter().next() {
        Some(e) => err(format!("{prefix}.{}", e.column), e.reason),
        None => err(prefix, "is not valid"),
    }
}

/// `household_id` is the first column of both files.
const HOUSEHOLD_ID: usize = 0;

/// A new household and its members, parsed as an import would; `id` is given to the
/// household (and its members) when the proposal names none.
pub fn registration(
    p: &Proposal,
    id: &HouseholdId,
    regions: &impl RegionLookup,
) -> Result<(Household, Vec<Member>), ProposalError> {
    let mut row = overlay(
        vec![String::new(); HOUSEHOLD_COLUMNS.len()],
        &p.household,
        HOUSEHOLD_COLUMNS,
    );
    if row[HOUSEHOLD_ID].trim().is_empty() {
        row[HOUSEHOLD_ID] = id.as_str().to_string();
    }
    let household =
        Household::from_row(&row, regions).map_err(|e| first_error("proposed.household", e))?;
    if p.members.is_empty() {
        return Err(err(
            "proposed.members",
            "name at least the head of the household",
        ));
    }
    let members = members_of(p, &household.id, |_| None, regions)?;
    if !members
        .iter()
        .any(|m| m.relation == Relation::Head && m.exit.is_none())
    {
        return Err(err(
            "proposed.members",
            "no member is the head of the household",
        ));
    }
    Ok((household, members))
}

/// Parses each proposed member, overlaid on `current(nik)` where one is stored.
fn members_of<'a>(
    p: &Proposal,
    household: &HouseholdId,
    current: impl Fn(&str) -> Option<&'a Member>,
    regions: &impl RegionLookup,
) -> Result<Vec<Member>, ProposalError> {
    let mut out: Vec<Member> = Vec::new();
    for (i, m) in p.members.iter().enumerate() {
        let prefix = format!("proposed.members[{i}]");
        let nik = m.get("nik").map(|s| s.trim()).unwrap_or("");
        if nik.is_empty() {
            return Err(err(format!("{prefix}.nik"), "is required"));
        }
        let base = match current(nik) {
            Some(c) => c.values().iter().map(|v| v.to_string()).collect(),
            None => vec![String::new(); MEMBER_COLUMNS.len()],
        };
        let mut row = overlay(base, m, MEMBER_COLUMNS);
        let hid = row[HOUSEHOLD_ID].trim();
        if !hid.is_empty() && hid != household.as_str() {
            return Err(err(
                format!("{prefix}.household_id"),
                "a member is proposed for this household only",
            ));
        }
        row[HOUSEHOLD_ID] = household.as_str().to_string();
        let member = Member::from_row(&row, regions).map_err(|e| first_error(&prefix, e))?;
        if out.iter().any(|o| o.nik == member.nik) {
            return Err(err(
                format!("{prefix}.nik"),
                "appears twice in the proposal",
            ));
        }
        out.push(member);
    }
    Ok(out)
}

/// The rows an `update` changes in a stored household: the household (if any of its
/// columns change) and the members changed or added. A proposal that changes nothing is
/// refused, as is one that would leave two heads.
pub fn update(
    p: &Proposal,
    household: &Household,
    members: &[Member],
    regions: &impl RegionLookup,
) -> Result<(Option<Household>, Vec<Member>), ProposalError> {
    if let Some(id) = p.household.get("household_id") {
        if id.trim() != household.id.as_str() {
            return Err(err(
                "proposed.household.household_id",
                "the household's id cannot change",
            ));
        }
    }
    let base: Vec<String> = household.values().iter().map(|v| v.to_string()).collect();
    let row = overlay(base, &p.household, HOUSEHOLD_COLUMNS);
    let new_household =
        Household::from_row(&row, regions).map_err(|e| first_error("proposed.household", e))?;
    let changed_household = (new_household != *household).then_some(new_household);
    let parsed = members_of(
        p,
        &household.id,
        |nik| members.iter().find(|m| m.nik.to_string() == nik),
        regions,
    )?;
    let changed: Vec<Member> = parsed
        .into_iter()
        .filter(|m| members.iter().all(|c| c != m))
        .collect();
    if changed_household.is_none() && changed.is_empty() {
        return Err(err("proposed", "changes nothing in the stored household"));
    }
    // The household after the change keeps at most one head.
    let mut heads = HeadCheck::default();
    for m in members
        .iter()
        .filter(|c| changed.iter().all(|n| n.nik != c.nik))
        .chain(&changed)
    {
        heads
            .admit(m)
            .map_err(|e| err("proposed.members", e.reason))?;
    }
    Ok((changed_household, changed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::RegionCode;
    use serde_json::json;

    struct All;
    impl RegionLookup for All {
        fn is_known_village(&self, c: &RegionCode) -> bool {
            !c.as_str().starts_with("99")
        }
        fn is_known_district_digits(&self, d: &[u8; 6]) -> bool {
            &d[..2] != b"99"
        }
    }

    fn household() -> Json {
        json!({
            "region_code": "32.01.01.2001", "ownership": "own", "floor_area_m2": 36.5,
            "floor_type": "earth", "wall_type": "bamboo", "roof_type": "zinc",
            "drinking_water": "piped", "lighting": "pln_metered", "cooking_fuel": "lpg_3kg",
            "toilet": "private", "has_lpg_5_5kg": 0, "has_refrigerator": false,
            "has_air_conditioner": 0, "has_water_heater": 0, "has_landline": 0,
            "has_television": 1, "has_gold_10g": 0, "has_computer": 0, "has_bicycle": 0,
            "has_motorcycle": 0, "has_car": 0, "has_boat": 0, "has_motorboat": 0,
            "owns_land": 0, "owns_other_house": 0
        })
    }

    fn member(nik: &str, relation: &str) -> Json {
        // Women's NIKs carry the birth day + 40 (DDMMYY).
        let birth = if nik == CHILD {
            "2010-05-15"
        } else {
            "1985-05-01"
        };
        json!({
            "nik": nik, "kk_number": "3201010101900001", "name": "Siti Aminah",
            "relation": relation, "sex": "F", "birth_date": birth,
            "marital_status": "married", "disability": "none",
            "school_participation": "stopped", "education_level": "sma", "working": 1
        })
    }

    const HEAD: &str = "3201014105850001";
    const CHILD: &str = "3201015505100002";

    fn proposal(v: Json) -> Result<Proposal, ProposalError> {
        Proposal::from_json(&v)
    }

    fn hid() -> HouseholdId {
        HouseholdId::parse("REG-1").unwrap()
    }

    #[test]
    fn a_registration_parses_like_an_import() {
        let p =
            proposal(json!({"household": household(), "members": [member(HEAD, "head")]})).unwrap();
        let (h, m) = registration(&p, &hid(), &All).unwrap();
        assert_eq!(h.id.as_str(), "REG-1");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].household_id.as_str(), "REG-1");
    }

    #[test]
    fn registration_errors_name_the_field() {
        let mut h = household();
        h["floor_type"] = json!("marble-ish");
        let p = proposal(json!({"household": h, "members": [member(HEAD, "head")]})).unwrap();
        assert_eq!(
            registration(&p, &hid(), &All).unwrap_err().field,
            "proposed.household.floor_type"
        );
        let p = proposal(json!({"household": household(), "members": [member(HEAD, "head"), member("12", "child")]}))
            .unwrap();
        assert_eq!(
            registration(&p, &hid(), &All).unwrap_err().field,
            "proposed.members[1].nik"
        );
        let p = proposal(json!({"household": household(), "members": [member(HEAD, "spouse")]}))
            .unwrap();
        assert_eq!(
            registration(&p, &hid(), &All).unwrap_err().field,
            "proposed.members"
        );
        let p = proposal(json!({"household": household(), "members": [member(HEAD, "head"), member(HEAD, "child")]}))
            .unwrap();
        assert_eq!(
            registration(&p, &hid(), &All).unwrap_err().reason,
            "appears twice in the proposal"
        );
        assert_eq!(
            proposal(json!({"household": {"colour": "red"}}))
                .unwrap_err()
                .field,
            "proposed.household.colour"
        );
        assert_eq!(
            proposal(json!({"members": [{"nik": [1]}]}))
                .unwrap_err()
                .field,
            "proposed.members[0].nik"
        );
        assert_eq!(
            proposal(json!({"extra": 1})).unwrap_err().field,
            "proposed.extra"
        );
        assert_eq!(proposal(json!([1])).unwrap_err().field, "proposed");
    }

    #[test]
    fn an_update_returns_only_what_changes() {
        let p =
            proposal(json!({"household": household(), "members": [member(HEAD, "head")]})).unwrap();
        let (h, m) = registration(&p, &hid(), &All).unwrap();
        let change = proposal(json!({"household": {"floor_type": "ceramic"}})).unwrap();
        let (nh, nm) = update(&change, &h, &m, &All).unwrap();
        assert_eq!(nh.unwrap().floor_type.code(), "ceramic");
        assert!(nm.is_empty());
        // A new member, and a change to an existing one.
        let change = proposal(json!({"members": [
            {"nik": HEAD, "working": 0},
            member(CHILD, "child"),
        ]}))
        .unwrap();
        let (nh, nm) = update(&change, &h, &m, &All).unwrap();
        assert!(nh.is_none());
        assert_eq!(nm.len(), 2);
        assert!(!nm[0].working);
        // Nothing new; a second head; a changed id.
        let same = proposal(json!({"household": {"floor_type": "earth"}})).unwrap();
        assert_eq!(update(&same, &h, &m, &All).unwrap_err().field, "proposed");
        let two_heads = proposal(json!({"members": [member(CHILD, "head")]})).unwrap();
        assert_eq!(
            update(&two_heads, &h, &m, &All).unwrap_err().reason,
            "a second head in the household"
        );
        let moved = proposal(json!({"household": {"household_id": "X"}})).unwrap();
        assert_eq!(
            update(&moved, &h, &m, &All).unwrap_err().field,
            "proposed.household.household_id"
        );
        let bad =
            proposal(json!({"members": [{"nik": HEAD, "birth_date": "1985-13-01"}]})).unwrap();
        assert_eq!(
            update(&bad, &h, &m, &All).unwrap_err().field,
            "proposed.members[0].birth_date"
        );
    }
}
