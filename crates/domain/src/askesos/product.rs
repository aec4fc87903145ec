//! Askesos products (scheme versions) as data: a JSON file per version, parsed into
//! [`Product`] and checked so that every error names its place (`benefits[2].amount`).
//!
//! Three versions ship in `crates/domain/askesos/`: `askesos_2003` (the old scheme,
//! 2003–2011), `askesos_ni` (the New Initiative with PT Jamsostek / BPJS
//! Ketenagakerjaan, 2012–2015) and `askesos_reform` (the proposed stand-alone scheme).
//! Amounts come from the sources (`shared/domain/askesos.md`); where they are silent the
//! file holds a setting whose default is written in its `notes`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::jsonfile::{err, PlaceError};
use crate::money::Rupiah;

labelled_codes!(
    /// What happened to the insured.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    Event {
        Illness = "illness" / "sakit" / "illness",
        Accident = "accident" / "kecelakaan" / "accident",
        Dentures = "dentures" / "gigi tiruan" / "replacement dentures",
        PartialDisability = "partial_disability" / "cacat sebagian" / "partial disability",
        Death = "death" / "meninggal dunia" / "death",
        DeathWorkAccident = "death_work_accident" / "meninggal karena kecelakaan kerja" / "death from a work accident",
    }
);

impl Event {
    /// Death benefits go to the heirs (*ahli waris*).
    pub fn is_death(self) -> bool {
        matches!(self, Event::Death | Event::DeathWorkAccident)
    }
}

labelled_codes!(
    /// Who pays a month's contribution.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    Payer {
        Member = "member" / "peserta" / "member",
        Subsidy = "subsidy" / "bantuan iuran pemerintah" / "government subsidy",
        Lpa = "lpa" / "LPA" / "implementing institution",
    }
);

labelled_codes!(
    /// Who runs the claim fund and decides claims.
    Operator {
        LpaFund = "lpa_fund" / "dana klaim dikelola LPA" / "claim fund run by the LPA",
        BpjsKetenagakerjaan = "bpjs_ketenagakerjaan" / "BPJS Ketenagakerjaan (PT Jamsostek)" / "BPJS Ketenagakerjaan (PT Jamsostek)",
        MicroInsurer = "micro_insurer" / "lembaga asuransi mikro" / "micro-insurer",
    }
);

labelled_codes!(
    /// The household role an enrolled worker must have.
    RoleRule {
        MainEarner = "main_earner" / "pencari nafkah utama" / "main breadwinner",
        Head = "head" / "kepala keluarga" / "head of family",
    }
);

/// A benefit amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Amount {
    /// A fixed sum.
    Fixed(Rupiah),
    /// The cost claimed, at most this.
    UpTo(Rupiah),
    /// By membership year (1, 2, 3, …); the last entry holds for later years.
    ByMembershipYear(Vec<Rupiah>),
    /// `percent_bp` (basis points) × `months` × the product's declared monthly wage.
    WageMonths { percent_bp: i64, months: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Benefit {
    pub event: String,
    pub amount: Amount,
    /// Illness: the days of illness the benefit needs (inclusive bounds).
    #[serde(default)]
    pub min_days: Option<u32>,
    #[serde(default)]
    pub max_days: Option<u32>,
    /// Claims in one group count together against `caps`.
    #[serde(default)]
    pub cap_group: Option<String>,
    /// Counts only at the occupation stated at enrolment or while commuting (JKK).
    #[serde(default)]
    pub work_related: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    pub min_age: i32,
    pub min_age_inclusive: bool,
    pub max_age: i32,
    pub max_age_inclusive: bool,
    /// A married person under `min_age` qualifies ("aged above 18 … or married").
    pub married_substitutes_min_age: bool,
    /// Poor (and near-poor, where the version targets them): the household's national
    /// decile in the newest ranking edition is at most this.
    pub max_decile: u8,
    pub role: String,
    /// Registry `employment_status` codes that count as informal work.
    pub informal_statuses: Vec<String>,
    /// Members past `max_age` leave at their birthday.
    pub auto_cancel_over_max_age: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Months in this phase; `null` for the open last phase.
    pub months: Option<u32>,
    pub payer: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// Due each month of cover, whoever pays it.
    pub monthly_amount: Rupiah,
    /// Paid once per member at enrolment to the claim fund (old scheme: Rp 365.000).
    #[serde(default)]
    pub enrolment_subsidy: Rupiah,
    /// A member's month unpaid this many days after it fell due lapses the policy.
    pub grace_period_days: u32,
    /// A lapsed policy may be reinstated (arrears paid in full) within this many days.
    pub reinstatement_days: u32,
    pub phases: Vec<Phase>,
}

/// The LPA's fee: a share of the subsidy paid, from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeRate {
    pub from: Date,
    pub percent_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimRules {
    /// A claim must be filed within this many days of the event.
    pub deadline_days: u32,
    /// Service level in working days from a complete claim to payment, per event code
    /// (`default` for the others).
    pub sla_working_days: BTreeMap<String, u32>,
    /// Documents a complete claim needs, per event code (`default` for the others).
    pub documents: BTreeMap<String, Vec<String>>,
}

/// One version of an Askesos product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub code: String,
    pub version: i64,
    pub name_id: String,
    pub name_en: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub operator: String,
    pub eligibility: Eligibility,
    pub contribution: Contribution,
    pub lpa_fee: Vec<FeeRate>,
    pub benefits: Vec<Benefit>,
    /// At most this many claims per cap group over a membership.
    #[serde(default)]
    pub caps: BTreeMap<String, u32>,
    /// The monthly wage the wage-based benefits use (none in the sources).
    #[serde(default)]
    pub declared_wage: Option<Rupiah>,
    pub claims: ClaimRules,
    /// Heirs in order of precedence: who receives a death benefit first.
    pub heir_order: Vec<String>,
    /// Where each figure comes from, and each default the sources leave open.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
}

/// Relations an heir may have.
pub const HEIR_RELATIONS: &[&str] = &["spouse", "child", "parent", "sibling", "other"];

/// The registry's informal employment statuses (BPS: own-account; employer with
/// temporary or unpaid help; casual worker in and outside agriculture; family worker).
pub const INFORMAL_STATUSES: &[&str] = &[
    "self_employed",
    "self_employed_with_helpers",
    "casual",
    "unpaid_family",
];

/// The shipped product files (code, JSON).
pub const SHIPPED: &[(&str, &str)] = &[
    (
        "askesos_2003",
        include_str!("../../askesos/askesos_2003.json"),
    ),
    ("askesos_ni", include_str!("../../askesos/askesos_ni.json")),
    (
        "askesos_reform",
        include_str!("../../askesos/askesos_reform.json"),
    ),
];

impl Product {
    /// Parses and checks a product file.
    pub fn parse(text: &str) -> Result<Product, PlaceError> {
        let p: Product = serde_json::from_str(text).map_err(|e| {
            err(
                format!("line {} column {}", e.line(), e.column()),
                e.to_string(),
            )
        })?;
        p.check()?;
        Ok(p)
    }

    /// The shipped versions, parsed (they are checked by the tests).
    pub fn shipped() -> Vec<Product> {
        SHIPPED
            .iter()
            .map(|(code, text)| {
                Product::parse(text).unwrap_or_else(|e| panic!("shipped product {code}: {e}"))
            })
            .collect()
    }

    pub fn operator(&self) -> Operator {
        Operator::parse(&self.operator).unwrap_or(Operator::LpaFund)
    }

    pub fn role(&self) -> RoleRule {
        RoleRule::parse(&self.eligibility.role).unwrap_or(RoleRule::Head)
    }

    /// The benefit the product pays for `event`, if any.
    pub fn benefit(&self, event: Event) -> Option<&Benefit> {
        self.benefits.iter().find(|b| b.event == event.code())
    }

    /// The events this product covers.
    pub fn events(&self) -> Vec<Event> {
        self.benefits
            .iter()
            .filter_map(|b| Event::parse(&b.event))
            .collect()
    }

    /// Who pays month `k` (1-based) of cover.
    pub fn payer_of_month(&self, k: u32) -> Payer {
        let mut start = 1u32;
        for p in &self.contribution.phases {
            match p.months {
                Some(n) if k < start + n => return Payer::parse(&p.payer).unwrap_or(Payer::Member),
                Some(n) => start += n,
                None => return Payer::parse(&p.payer).unwrap_or(Payer::Member),
            }
        }
        Payer::Member
    }

    /// Months of cover the subsidy pays at the start (0 when none).
    pub fn subsidy_months(&self) -> u32 {
        let mut n = 0;
        for p in &self.contribution.phases {
            match (p.payer.as_str(), p.months) {
                ("subsidy", Some(m)) => n += m,
                ("subsidy", None) => return u32::MAX,
                _ => return n,
            }
        }
        n
    }

    /// The LPA's fee rate (basis points) on `day`.
    pub fn fee_bp_on(&self, day: Date) -> i64 {
        self.lpa_fee
            .iter()
            .filter(|f| f.from <= day)
            .max_by_key(|f| f.from)
            .map_or(0, |f| f.percent_bp)
    }

    /// The service level of a claim for `event`, in working days.
    pub fn sla_days(&self, event: Event) -> u32 {
        let m = &self.claims.sla_working_days;
        m.get(event.code())
            .or_else(|| m.get("default"))
            .copied()
            .unwrap_or(14)
    }

    /// The documents a complete claim for `event` needs.
    pub fn documents(&self, event: Event) -> &[String] {
        let m = &self.claims.documents;
        m.get(event.code())
            .or_else(|| m.get("default"))
            .map_or(&[], Vec::as_slice)
    }

    fn check(&self) -> Result<(), PlaceError> {
        if self.code.is_empty()
            || !self
                .code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(err("code", "expected lower-case letters, digits and _"));
        }
        if self.version < 1 {
            return Err(err("version", "expected a whole number ≥ 1"));
        }
        if let Some(to) = self.valid_to {
            if to < self.valid_from {
                return Err(err("valid_to", "is before valid_from"));
            }
        }
        if Operator::parse(&self.operator).is_none() {
            return Err(err(
                "operator",
                "expected lpa_fund, bpjs_ketenagakerjaan or micro_insurer",
            ));
        }
        let e = &self.eligibility;
        if RoleRule::parse(&e.role).is_none() {
            return Err(err("eligibility.role", "expected main_earner or head"));
        }
        if !(0..=120).contains(&e.min_age) || e.max_age < e.min_age || e.max_age > 120 {
            return Err(err(
                "eligibility.max_age",
                "expected 0 ≤ min_age ≤ max_age ≤ 120",
            ));
        }
        if !(1..=10).contains(&e.max_decile) {
            return Err(err("eligibility.max_decile", "expected a decile 1–10"));
        }
        for (i, s) in e.informal_statuses.iter().enumerate() {
            if crate::codes::EmploymentStatus::parse(s).is_none() {
                return Err(err(
                    format!("eligibility.informal_statuses[{i}]"),
                    format!(
                        "{s:?} is not an employment status ({})",
                        crate::codes::EmploymentStatus::expected()
                    ),
                ));
            }
        }
        let c = &self.contribution;
        if c.monthly_amount.0 <= 0 {
            return Err(err("contribution.monthly_amount", "expected more than 0"));
        }
        if c.enrolment_subsidy.0 < 0 {
            return Err(err("contribution.enrolment_subsidy", "expected 0 or more"));
        }
        if c.phases.is_empty() {
            return Err(err("contribution.phases", "expected at least one phase"));
        }
        for (i, p) in c.phases.iter().enumerate() {
            if Payer::parse(&p.payer).is_none() {
                return Err(err(
                    format!("contribution.phases[{i}].payer"),
                    "expected member, subsidy or lpa",
                ));
            }
            let last = i + 1 == c.phases.len();
            match (p.months, last) {
                (Some(0), _) => {
                    return Err(err(
                        format!("contribution.phases[{i}].months"),
                        "expected at least 1",
                    ))
                }
                (None, false) => {
                    return Err(err(
                        format!("contribution.phases[{i}].months"),
                        "only the last phase may be open (null)",
                    ))
                }
                (Some(_), true) => {
                    return Err(err(
                        format!("contribution.phases[{i}].months"),
                        "the last phase is open: null",
                    ))
                }
                _ => {}
            }
        }
        for (i, f) in self.lpa_fee.iter().enumerate() {
            if !(0..=10_000).contains(&f.percent_bp) {
                return Err(err(
                    format!("lpa_fee[{i}].percent_bp"),
                    "expected 0–10000 basis points",
                ));
            }
        }
        if self.benefits.is_empty() {
            return Err(err("benefits", "expected at least one benefit"));
        }
        for (i, b) in self.benefits.iter().enumerate() {
            let place = |f: &str| format!("benefits[{i}].{f}");
            if Event::parse(&b.event).is_none() {
                let all: Vec<&str> = Event::ALL.iter().map(|e| e.code()).collect();
                return Err(err(
                    place("event"),
                    format!("{:?} is not an event ({})", b.event, all.join(", ")),
                ));
            }
            if self.benefits[..i].iter().any(|o| o.event == b.event) {
                return Err(err(place("event"), "listed twice"));
            }
            match &b.amount {
                Amount::Fixed(r) | Amount::UpTo(r) if r.0 <= 0 => {
                    return Err(err(place("amount"), "expected more than 0"))
                }
                Amount::ByMembershipYear(v) if v.is_empty() || v.iter().any(|r| r.0 <= 0) => {
                    return Err(err(place("amount"), "expected one or more amounts above 0"))
                }
                Amount::WageMonths { percent_bp, months } if *percent_bp <= 0 || *months <= 0 => {
                    return Err(err(
                        place("amount"),
                        "expected percent_bp and months above 0",
                    ))
                }
                Amount::WageMonths { .. } if self.declared_wage.is_none() => {
                    return Err(err(
                        place("amount"),
                        "a wage-based benefit needs declared_wage",
                    ))
                }
                _ => {}
            }
            if let (Some(a), Some(z)) = (b.min_days, b.max_days) {
                if z < a {
                    return Err(err(place("max_days"), "is below min_days"));
                }
            }
            if let Some(g) = &b.cap_group {
                if !self.caps.contains_key(g) {
                    return Err(err(
                        place("cap_group"),
                        format!("{g:?} has no entry in caps"),
                    ));
                }
            }
        }
        for (i, h) in self.heir_order.iter().enumerate() {
            if !HEIR_RELATIONS.contains(&h.as_str()) {
                return Err(err(
                    format!("heir_order[{i}]"),
                    format!("expected one of {}", HEIR_RELATIONS.join(", ")),
                ));
            }
        }
        if !self.claims.sla_working_days.contains_key("default") {
            return Err(err("claims.sla_working_days", "needs a default"));
        }
        for key in self
            .claims
            .sla_working_days
            .keys()
            .chain(self.claims.documents.keys())
        {
            if key != "default" && Event::parse(key).is_none() {
                return Err(err("claims", format!("{key:?} is not an event")));
            }
        }
        Ok(())
    }
}
