//! Askesos storage (issue #7, migration 12): products (frozen versions), LPAs, members
//! with their heirs and cards, contribution payments (append-only), claims with their
//! history (append-only), the holiday calendar and LPA reports sent.
//!
//! The rules live in `selaras_domain::askesos`; this module stores what they decided.
//! Every write to a member (a payment, a claim, a change of state or card, an heir)
//! bumps the member's `version` in the same transaction, guarded by the version the
//! caller read: two clerks acting on one member at once get one success and one
//! `Conflict`, so a check made on a stale ledger is never stored. Money is integer
//! rupiah (`BIGINT`); dates are `YYYY-MM-DD` text; times are RFC 3339 UTC text.

use async_trait::async_trait;
use serde::Serialize;

use crate::schema::Dialect;
use crate::Result;

/// A stored product version (the domain's JSON file, frozen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredProduct {
    pub code: String,
    pub version: i64,
    pub body: String,
    /// SHA-256 of `body`, hex.
    pub digest: String,
    pub created_at: String,
    pub created_by: String,
}

/// An implementing institution (*Lembaga Pelaksana Askesos*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lpa {
    pub id: i64,
    pub name: String,
    /// `orsos`, `yayasan`, `lembaga_adat`, `perkumpulan`, `lsm`.
    pub legal_form: String,
    /// The regency (or a region below it) the LPA serves.
    pub region: String,
    pub address: String,
    /// The product code its members enrol in.
    pub product_code: String,
    /// `proposed`, `designated`, `revoked`.
    pub status: String,
    pub proposed_by: String,
    pub proposed_at: String,
    /// `kemensos` or `dinsos_provinsi`, and the date of designation.
    pub designated_by: Option<String>,
    pub designated_on: Option<String>,
    /// `none`, `a`, `b`, `c`.
    pub accreditation: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLpa {
    pub name: String,
    pub legal_form: String,
    pub region: String,
    pub address: String,
    pub product_code: String,
    pub proposed_by: String,
}

/// A change to an LPA's standing (designation, revocation, accreditation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LpaChange {
    pub status: String,
    pub designated_by: Option<String>,
    pub designated_on: Option<String>,
    pub accreditation: String,
}

/// A member (participant) of Askesos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: i64,
    /// `ASK-00000042`, also the card number.
    pub member_no: String,
    pub lpa_id: i64,
    pub product_code: String,
    pub product_version: i64,
    pub nik: String,
    pub household_id: String,
    /// The village code of the member's household at enrolment.
    pub region: String,
    pub name: String,
    pub birth_date: String,
    /// The occupation stated at enrolment (a work accident counts only for it).
    pub occupation: String,
    pub employment_status: String,
    pub enrolled_at: String,
    pub enrolled_by: String,
    pub cover_start: String,
    /// The eligibility checks at enrolment (JSON array of the domain's `Check`).
    pub checks: String,
    /// `active` or `ended`.
    pub state: String,
    pub ended_on: Option<String>,
    /// The domain's `EndReason` code.
    pub end_reason: Option<String>,
    pub card_issued_on: String,
    /// `lpa` until delivered, then `member`.
    pub card_holder: String,
    pub card_delivered_on: Option<String>,
    /// Who received the card (the member's or a family member's name).
    pub card_delivered_to: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMember {
    pub lpa_id: i64,
    pub product_code: String,
    pub product_version: i64,
    pub nik: String,
    pub household_id: String,
    pub region: String,
    pub name: String,
    pub birth_date: String,
    pub occupation: String,
    pub employment_status: String,
    pub enrolled_by: String,
    pub cover_start: String,
    pub checks: String,
}

/// A change of a member's state or card; `None` fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChange {
    /// `ended` with its day and reason.
    pub end: Option<(String, String)>,
    /// The card delivered on a day to someone.
    pub card_delivered: Option<(String, String)>,
}

/// An heir (*ahli waris*) of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heir {
    pub member_id: i64,
    pub nik: String,
    pub name: String,
    /// `spouse`, `child`, `parent`, `sibling`, `other`.
    pub relation: String,
    pub added_at: String,
    pub added_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHeir {
    pub nik: String,
    pub name: String,
    pub relation: String,
}

/// A contribution payment (append-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    pub id: i64,
    pub member_id: i64,
    pub paid_on: String,
    pub months: i64,
    pub amount: i64,
    /// `member`, `subsidy`, `lpa`; `enrolment` for the old scheme's one-off fund.
    pub payer: String,
    pub reinstate: bool,
    pub reference: String,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub paid_on: String,
    pub months: i64,
    pub amount: i64,
    pub payer: String,
    pub reinstate: bool,
    pub reference: String,
    pub recorded_by: String,
}

/// A member as the reports read it: what groups and dates it, and its payments in the
/// order recorded. Read with two queries (members, then their payments in member order)
/// rather than one row per payment with the member's columns; on a SQLite file through
/// rusqlite (see `member_ledgers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberLedgerRow {
    pub id: i64,
    pub lpa_id: i64,
    pub region: String,
    pub product_code: String,
    pub product_version: i64,
    pub cover_start: String,
    pub state: String,
    pub ended_on: Option<String>,
    pub card_delivered_on: Option<String>,
    pub payments: Vec<LedgerPayment>,
}

/// A payment as a ledger reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerPayment {
    pub paid_on: selaras_domain::Date,
    pub months: i64,
    pub amount: i64,
    /// `member`, `subsidy`, `lpa`, `enrolment`.
    pub payer: &'static str,
}

/// The stored payer code as a static string (the table's CHECK allows these only).
pub(crate) fn payer_code(s: &str) -> crate::Result<&'static str> {
    ["member", "subsidy", "lpa", "enrolment"]
        .into_iter()
        .find(|p| *p == s)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("payer {s:?}")))
}

/// The members of a ledger read (parameters as [`MEMBER_FILTER`], `$6` state, `$7`
/// limit, `$8` offset).
pub(crate) fn ledger_members_sql() -> String {
    format!("SELECT m.id, m.lpa_id, m.region, m.product_code, m.product_version, m.cover_start, m.state, m.ended_on, m.card_delivered_on FROM askesos_members m WHERE {MEMBER_FILTER} AND ($6 IS NULL OR m.state = $6) ORDER BY m.id LIMIT $7 OFFSET $8")
}

/// Whether a ledger read takes every member (then every payment is read in one index
/// scan, without the members' filter).
pub(crate) fn takes_all(f: &AskesosFilter) -> bool {
    f.region_prefix.is_empty()
        && f.lpa_id.is_none()
        && f.member_id.is_none()
        && f.nik.is_none()
        && f.state.is_none()
        && f.limit <= 0
        && f.offset <= 0
}

/// Every payment, by member and order recorded (no parameters).
pub(crate) const ALL_LEDGER_PAYMENTS_SQL: &str = "SELECT p.member_id, p.paid_on, p.months, p.amount, p.payer FROM askesos_payments p ORDER BY p.member_id, p.id";

/// Their payments, by member and order recorded (the same parameters).
pub(crate) fn ledger_payments_sql() -> String {
    format!("SELECT p.member_id, p.paid_on, p.months, p.amount, p.payer FROM askesos_payments p WHERE p.member_id IN (SELECT m.id FROM askesos_members m WHERE {MEMBER_FILTER} AND ($6 IS NULL OR m.state = $6) ORDER BY m.id LIMIT $7 OFFSET $8) ORDER BY p.member_id, p.id")
}

/// Hands each member its payments (both lists ordered by member id).
pub(crate) fn merge_ledgers(
    mut members: Vec<MemberLedgerRow>,
    payments: Vec<(i64, LedgerPayment)>,
) -> Vec<MemberLedgerRow> {
    let mut i = 0;
    for (member_id, p) in payments {
        while i < members.len() && members[i].id < member_id {
            i += 1;
        }
        if let Some(m) = members.get_mut(i).filter(|m| m.id == member_id) {
            m.payments.push(p);
        }
    }
    members
}

/// The ledger read over a SQLite file through rusqlite (sqlx copies and sends every row
/// through a worker channel: 364,800 members took 9 s that way, see BENCHMARKS.md).
pub(crate) fn sqlite_ledgers(
    path: &std::path::Path,
    f: &AskesosFilter,
) -> crate::Result<Vec<MemberLedgerRow>> {
    use rusqlite::params;
    let conn = crate::sqlite_bulk::read_connection(path)?;
    // One read transaction: members and payments from the same state.
    conn.execute_batch("BEGIN")?;
    let pattern = under_pattern(&f.region_prefix);
    let limit = limit_of(f);
    let offset = f.offset.max(0);
    let args = params![
        f.region_prefix,
        pattern,
        f.lpa_id,
        f.member_id,
        f.nik,
        f.state,
        limit,
        offset
    ];
    let mut members = Vec::new();
    let mut stmt = conn.prepare(&crate::ranking::q(Dialect::Sqlite, &ledger_members_sql()))?;
    let mut rows = stmt.query(args)?;
    while let Some(r) = rows.next()? {
        members.push(MemberLedgerRow {
            id: r.get(0)?,
            lpa_id: r.get(1)?,
            region: r.get(2)?,
            product_code: r.get(3)?,
            product_version: r.get(4)?,
            cover_start: r.get(5)?,
            state: r.get(6)?,
            ended_on: r.get(7)?,
            card_delivered_on: r.get(8)?,
            payments: Vec::new(),
        });
    }
    drop(rows);
    let mut payments = Vec::new();
    let mut stmt;
    let mut rows = if takes_all(f) {
        stmt = conn.prepare(ALL_LEDGER_PAYMENTS_SQL)?;
        stmt.query([])?
    } else {
        stmt = conn.prepare(&crate::ranking::q(Dialect::Sqlite, &ledger_payments_sql()))?;
        stmt.query(args)?
    };
    while let Some(r) = rows.next()? {
        let on = r
            .get_ref(1)?
            .as_str()
            .map_err(|e| crate::StoreError::Sqlite(e.to_string()))?;
        let payer = r
            .get_ref(4)?
            .as_str()
            .map_err(|e| crate::StoreError::Sqlite(e.to_string()))?;
        payments.push((
            r.get::<_, i64>(0)?,
            LedgerPayment {
                paid_on: selaras_domain::Date::parse(on)
                    .map_err(|e| crate::StoreError::Corrupt(e.to_string()))?,
                months: r.get(2)?,
                amount: r.get(3)?,
                payer: payer_code(payer)?,
            },
        ));
    }
    Ok(merge_ledgers(members, payments))
}

/// A claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    pub id: i64,
    /// `KLM-00000042`.
    pub claim_no: String,
    pub member_id: i64,
    pub event: String,
    pub event_date: String,
    pub filed_on: String,
    pub claimant_nik: Option<String>,
    pub activity: String,
    pub occupation: Option<String>,
    pub illness_days: Option<i64>,
    pub cost: Option<i64>,
    /// The documents received (JSON array of codes).
    pub documents: String,
    /// The domain's `ClaimState` code.
    pub state: String,
    /// The benefit, set on approval.
    pub amount: Option<i64>,
    pub basis: String,
    /// The day the claim was complete (verified) and the service level's due day.
    pub complete_on: Option<String>,
    pub due_on: Option<String>,
    pub paid_on: Option<String>,
    /// The NIK paid (the member, or the heir).
    pub paid_to: Option<String>,
    pub note: String,
    /// `lpa`, `registry` (opened on a death recorded in the registry) or a username.
    pub opened_by: String,
    pub created_at: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub event: String,
    pub event_date: String,
    pub filed_on: String,
    pub claimant_nik: Option<String>,
    pub activity: String,
    pub occupation: Option<String>,
    pub illness_days: Option<i64>,
    pub cost: Option<i64>,
    pub documents: String,
    pub basis: String,
    pub opened_by: String,
}

/// A claim's step: its new state and the fields the step sets (`None` keeps them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimStep {
    pub action: String,
    pub to_state: String,
    pub actor: String,
    pub note: String,
    pub documents: Option<String>,
    pub claimant_nik: Option<String>,
    pub amount: Option<i64>,
    pub basis: Option<String>,
    pub complete_on: Option<String>,
    pub due_on: Option<String>,
    pub paid_on: Option<String>,
    pub paid_to: Option<String>,
}

/// One step of a claim's history (append-only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimEvent {
    pub claim_id: i64,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
}

/// A claim with what the reports group it by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimWithMember {
    pub claim: Claim,
    pub lpa_id: i64,
    pub region: String,
    pub member_no: String,
    pub member_name: String,
}

/// Which members, claims or payments to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AskesosFilter {
    /// Members whose `region` is this code or under it (`""`: all).
    pub region_prefix: String,
    pub lpa_id: Option<i64>,
    pub member_id: Option<i64>,
    pub nik: Option<String>,
    /// Members: `active` / `ended`; claims: a claim state.
    pub state: Option<String>,
    /// 0 = no limit.
    pub limit: i64,
    pub offset: i64,
}

/// A day of the holiday calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidayRow {
    pub day: String,
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
}

/// A report an LPA sent (its figures frozen as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LpaReport {
    pub id: i64,
    pub lpa_id: i64,
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
    pub body: String,
    pub sent_at: String,
    pub sent_by: String,
}

/// The Askesos part of the storage; both backends implement it with the same SQL.
#[async_trait]
pub trait AskesosStore: Send + Sync {
    /// Stores a product version unless the same (code, version) is stored: then `false`
    /// if the digest is the same, `Conflict` if it differs. An empty `created_at` is
    /// stored as now.
    async fn put_product(&self, p: &StoredProduct) -> Result<bool>;
    /// Every stored version, by code then version.
    async fn products(&self) -> Result<Vec<StoredProduct>>;

    async fn create_lpa(&self, l: &NewLpa) -> Result<Lpa>;
    async fn lpa(&self, id: i64) -> Result<Option<Lpa>>;
    /// LPAs whose region is under `region_prefix` (`""`: all), by name.
    async fn lpas(&self, region_prefix: &str) -> Result<Vec<Lpa>>;
    /// `Conflict` when `expected_version` is stale.
    async fn change_lpa(&self, id: i64, expected_version: i64, c: &LpaChange) -> Result<Lpa>;

    /// Enrols a member with their heirs and any payments made at enrolment, in one
    /// transaction. `Conflict` when the NIK has an active membership already.
    async fn enrol_member(
        &self,
        m: &NewMember,
        heirs: &[NewHeir],
        payments: &[NewPayment],
    ) -> Result<Member>;
    async fn member(&self, id: i64) -> Result<Option<Member>>;
    /// Members the filter selects, by id (the member number's order; the same page as
    /// [`AskesosStore::member_ledgers`] with the same filter).
    async fn members(&self, f: &AskesosFilter) -> Result<Vec<Member>>;
    /// Ends a membership or records card delivery. `Conflict` when stale.
    async fn change_member(
        &self,
        id: i64,
        expected_version: i64,
        c: &MemberChange,
    ) -> Result<Member>;
    /// Adds an heir. `Conflict` when stale or when the NIK is an heir already.
    async fn add_heir(
        &self,
        member_id: i64,
        expected_version: i64,
        h: &NewHeir,
        by: &str,
    ) -> Result<Heir>;
    async fn heirs(&self, member_id: i64) -> Result<Vec<Heir>>;

    /// Appends a payment. `Conflict` when `expected_version` is stale.
    async fn add_payment(
        &self,
        member_id: i64,
        expected_version: i64,
        p: &NewPayment,
    ) -> Result<Payment>;
    /// A member's payments in the order recorded.
    async fn payments(&self, member_id: i64) -> Result<Vec<Payment>>;
    /// The members the filter selects with their payments, by member id.
    async fn member_ledgers(&self, f: &AskesosFilter) -> Result<Vec<MemberLedgerRow>>;
    /// Active members whose person or household has left the registry: (member id, exit
    /// state, when the registry recorded it).
    async fn registry_exits(&self) -> Result<Vec<(i64, String, String)>>;
    /// Every active member's (id, product code, product version, birth date), for the
    /// age limits.
    async fn active_birth_dates(&self) -> Result<Vec<(i64, String, i64, String)>>;

    /// Opens a claim (state `received`). `Conflict` when the member's version is stale.
    async fn create_claim(
        &self,
        member_id: i64,
        expected_version: i64,
        c: &NewClaim,
    ) -> Result<Claim>;
    async fn claim(&self, id: i64) -> Result<Option<Claim>>;
    /// Claims of the members the filter selects (the filter's `state` is the claim's),
    /// newest first.
    async fn claims_for(&self, f: &AskesosFilter) -> Result<Vec<ClaimWithMember>>;
    /// Moves a claim one step and appends it to its history. `Conflict` when stale.
    async fn step_claim(&self, id: i64, expected_version: i64, s: &ClaimStep) -> Result<Claim>;
    async fn claim_events(&self, id: i64) -> Result<Vec<ClaimEvent>>;

    /// The holiday calendar, by day.
    async fn holidays(&self) -> Result<Vec<HolidayRow>>;
    /// Replaces the calendar's days of `year` with `days`.
    async fn put_holidays(&self, year: i32, days: &[HolidayRow]) -> Result<()>;

    async fn save_lpa_report(
        &self,
        lpa_id: i64,
        period: &str,
        body: &str,
        by: &str,
    ) -> Result<LpaReport>;
    async fn lpa_reports(&self, lpa_id: i64) -> Result<Vec<LpaReport>>;
}

/// Migration 13: the payments index covers what a ledger reads, so that reading every
/// member's payments in member order touches the index only (no table lookups).
pub fn migration_13(_d: Dialect) -> String {
    "CREATE INDEX askesos_payments_ledger ON askesos_payments (member_id, id, paid_on, months, amount, payer);\n\
     DROP INDEX askesos_payments_member;\n"
        .into()
}

/// Migration 12: the Askesos tables, and the LPA of a staff user.
pub fn migration_12(d: Dialect) -> String {
    let id = match d {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    let mut s = format!(
        "CREATE TABLE askesos_products (\n  code TEXT NOT NULL,\n  version BIGINT NOT NULL,\n  body TEXT NOT NULL,\n  digest TEXT NOT NULL,\n  created_at TEXT NOT NULL,\n  created_by TEXT NOT NULL,\n  PRIMARY KEY (code, version)\n);\n\
         CREATE TABLE askesos_lpas (\n  id {id},\n  name TEXT NOT NULL,\n  legal_form TEXT NOT NULL,\n  region TEXT NOT NULL,\n  address TEXT NOT NULL,\n  product_code TEXT NOT NULL,\n  status TEXT NOT NULL CHECK (status IN ('proposed', 'designated', 'revoked')),\n  proposed_by TEXT NOT NULL,\n  proposed_at TEXT NOT NULL,\n  designated_by TEXT,\n  designated_on TEXT,\n  accreditation TEXT NOT NULL,\n  version BIGINT NOT NULL\n);\n\
         CREATE INDEX askesos_lpas_region ON askesos_lpas (region);\n\
         CREATE TABLE askesos_members (\n  id {id},\n  member_no TEXT NOT NULL UNIQUE,\n  lpa_id BIGINT NOT NULL REFERENCES askesos_lpas (id),\n  product_code TEXT NOT NULL,\n  product_version BIGINT NOT NULL,\n  nik TEXT NOT NULL,\n  household_id TEXT NOT NULL,\n  region TEXT NOT NULL,\n  name TEXT NOT NULL,\n  birth_date TEXT NOT NULL,\n  occupation TEXT NOT NULL,\n  employment_status TEXT NOT NULL,\n  enrolled_at TEXT NOT NULL,\n  enrolled_by TEXT NOT NULL,\n  cover_start TEXT NOT NULL,\n  checks TEXT NOT NULL,\n  state TEXT NOT NULL CHECK (state IN ('active', 'ended')),\n  ended_on TEXT,\n  end_reason TEXT,\n  card_issued_on TEXT NOT NULL,\n  card_holder TEXT NOT NULL,\n  card_delivered_on TEXT,\n  card_delivered_to TEXT,\n  version BIGINT NOT NULL\n);\n\
         CREATE UNIQUE INDEX askesos_members_one_active ON askesos_members (nik) WHERE state = 'active';\n\
         CREATE INDEX askesos_members_region ON askesos_members (region);\n\
         CREATE INDEX askesos_members_lpa ON askesos_members (lpa_id);\n\
         CREATE INDEX askesos_members_nik ON askesos_members (nik);\n\
         CREATE TABLE askesos_heirs (\n  member_id BIGINT NOT NULL REFERENCES askesos_members (id),\n  nik TEXT NOT NULL,\n  name TEXT NOT NULL,\n  relation TEXT NOT NULL,\n  added_at TEXT NOT NULL,\n  added_by TEXT NOT NULL,\n  PRIMARY KEY (member_id, nik)\n);\n\
         CREATE TABLE askesos_payments (\n  id {id},\n  member_id BIGINT NOT NULL REFERENCES askesos_members (id),\n  paid_on TEXT NOT NULL,\n  months BIGINT NOT NULL,\n  amount BIGINT NOT NULL,\n  payer TEXT NOT NULL CHECK (payer IN ('member', 'subsidy', 'lpa', 'enrolment')),\n  reinstate BIGINT NOT NULL,\n  reference TEXT NOT NULL,\n  recorded_by TEXT NOT NULL,\n  recorded_at TEXT NOT NULL\n);\n\
         CREATE INDEX askesos_payments_member ON askesos_payments (member_id, id);\n\
         CREATE TABLE askesos_claims (\n  id {id},\n  claim_no TEXT NOT NULL UNIQUE,\n  member_id BIGINT NOT NULL REFERENCES askesos_members (id),\n  event TEXT NOT NULL,\n  event_date TEXT NOT NULL,\n  filed_on TEXT NOT NULL,\n  claimant_nik TEXT,\n  activity TEXT NOT NULL,\n  occupation TEXT,\n  illness_days BIGINT,\n  cost BIGINT,\n  documents TEXT NOT NULL,\n  state TEXT NOT NULL,\n  amount BIGINT,\n  basis TEXT NOT NULL,\n  complete_on TEXT,\n  due_on TEXT,\n  paid_on TEXT,\n  paid_to TEXT,\n  note TEXT NOT NULL,\n  opened_by TEXT NOT NULL,\n  created_at TEXT NOT NULL,\n  version BIGINT NOT NULL\n);\n\
         CREATE INDEX askesos_claims_member ON askesos_claims (member_id);\n\
         CREATE TABLE askesos_claim_events (\n  claim_id BIGINT NOT NULL REFERENCES askesos_claims (id),\n  seq BIGINT NOT NULL,\n  at TEXT NOT NULL,\n  actor TEXT NOT NULL,\n  action TEXT NOT NULL,\n  from_state TEXT NOT NULL,\n  to_state TEXT NOT NULL,\n  note TEXT NOT NULL,\n  PRIMARY KEY (claim_id, seq)\n);\n\
         CREATE TABLE askesos_holidays (\n  day TEXT PRIMARY KEY,\n  kind TEXT NOT NULL,\n  name_id TEXT NOT NULL,\n  name_en TEXT NOT NULL\n);\n\
         CREATE TABLE askesos_lpa_reports (\n  id {id},\n  lpa_id BIGINT NOT NULL REFERENCES askesos_lpas (id),\n  period TEXT NOT NULL,\n  body TEXT NOT NULL,\n  sent_at TEXT NOT NULL,\n  sent_by TEXT NOT NULL\n);\n\
         ALTER TABLE users ADD COLUMN lpa_id BIGINT;\n"
    );
    let frozen = [
        (
            "askesos_products",
            "product versions never change: store a new version",
        ),
        (
            "askesos_payments",
            "payments are append-only: record a correction as a new payment",
        ),
        ("askesos_claim_events", "claim history is append-only"),
    ];
    for (t, why) in frozen {
        s.push_str(&match d {
            Dialect::Sqlite => format!(
                "CREATE TRIGGER {t}_u BEFORE UPDATE ON {t}\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n\
                 CREATE TRIGGER {t}_d BEFORE DELETE ON {t}\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n"
            ),
            Dialect::Postgres => format!(
                "CREATE TRIGGER {t}_frozen BEFORE UPDATE OR DELETE ON {t}\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('{why}');\n"
            ),
        });
    }
    for t in [
        "askesos_members",
        "askesos_claims",
        "askesos_lpas",
        "askesos_heirs",
    ] {
        let why = format!("{t} rows are never deleted");
        s.push_str(&match d {
            Dialect::Sqlite => format!(
                "CREATE TRIGGER {t}_d BEFORE DELETE ON {t}\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n"
            ),
            Dialect::Postgres => format!(
                "CREATE TRIGGER {t}_never_delete BEFORE DELETE ON {t}\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('{why}');\n"
            ),
        });
    }
    s
}

pub(crate) const PRODUCT_COLS: &str = "code, version, body, digest, created_at, created_by";
pub(crate) const LPA_COLS: &str = "id, name, legal_form, region, address, product_code, status, proposed_by, proposed_at, designated_by, designated_on, accreditation, version";
pub(crate) const MEMBER_COLS: &str = "id, member_no, lpa_id, product_code, product_version, nik, household_id, region, name, birth_date, occupation, employment_status, enrolled_at, enrolled_by, cover_start, checks, state, ended_on, end_reason, card_issued_on, card_holder, card_delivered_on, card_delivered_to, version";
pub(crate) const HEIR_COLS: &str = "member_id, nik, name, relation, added_at, added_by";
pub(crate) const PAYMENT_COLS: &str =
    "id, member_id, paid_on, months, amount, payer, reinstate, reference, recorded_by, recorded_at";
pub(crate) const CLAIM_COLS: &str = "id, claim_no, member_id, event, event_date, filed_on, claimant_nik, activity, occupation, illness_days, cost, documents, state, amount, basis, complete_on, due_on, paid_on, paid_to, note, opened_by, created_at, version";
pub(crate) const CLAIM_EVENT_COLS: &str =
    "claim_id, seq, at, actor, action, from_state, to_state, note";
pub(crate) const HOLIDAY_COLS: &str = "day, kind, name_id, name_en";
pub(crate) const REPORT_COLS: &str = "id, lpa_id, period, body, sent_at, sent_by";

/// `cols` with each column qualified by the table alias `t`.
pub(crate) fn qualified(t: &str, cols: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{t}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The member number of a member id (also the card number): `ASK-00000042`.
pub fn member_no(id: i64) -> String {
    format!("ASK-{id:08}")
}

/// The claim number of a claim id: `KLM-00000042`.
pub fn claim_no(id: i64) -> String {
    format!("KLM-{id:08}")
}

/// The `WHERE` conditions of [`AskesosFilter`] on the members table aliased `m`:
/// `$1` prefix, `$2` its `LIKE` pattern, `$3` LPA, `$4` member, `$5` NIK. The caller
/// binds `$6` (a state), `$7` limit and `$8` offset.
pub(crate) const MEMBER_FILTER: &str = "($1 = '' OR m.region = $1 OR m.region LIKE $2 ESCAPE '\\') AND ($3 IS NULL OR m.lpa_id = $3) AND ($4 IS NULL OR m.id = $4) AND ($5 IS NULL OR m.nik = $5)";

/// The `LIMIT` of a filter (0: none).
pub(crate) fn limit_of(f: &AskesosFilter) -> i64 {
    if f.limit > 0 {
        f.limit
    } else {
        i64::MAX
    }
}

/// The `LIKE` pattern of the regions strictly under `prefix`.
pub(crate) fn under_pattern(prefix: &str) -> String {
    format!("{}.%", crate::sqlite::like_escape(prefix))
}

/// `impl AskesosStore` for a backend: `$store` has a `pool` field of type `$pool`; with
/// `writer = FIELD`, every write first holds `self.FIELD.lock().await` (SQLite's one
/// writer) and multi-statement writes begin with `BEGIN IMMEDIATE`.
macro_rules! askesos_impl {
    ($store:ty, $pool:ty, $db:ty, $d:expr $(, writer = $w:ident)?) => {
        const _: () = {
            use sqlx::Row as _;

            use $crate::askesos::{
                claim_no, limit_of, member_no, qualified, under_pattern, AskesosFilter, Claim,
                ClaimEvent, ClaimStep, ClaimWithMember, Heir, HolidayRow, Lpa, LpaChange,
                LpaReport, Member, MemberChange, NewClaim, NewHeir, NewLpa, NewMember,
                NewPayment, Payment, StoredProduct, CLAIM_COLS,
                CLAIM_EVENT_COLS, HEIR_COLS, HOLIDAY_COLS, LPA_COLS, MEMBER_COLS, MEMBER_FILTER,
                PAYMENT_COLS, PRODUCT_COLS, REPORT_COLS,
            };
            use $crate::ranking::q;
            use $crate::schema::Dialect;
            use $crate::{Result, StoreError};

            type DbRow = <$db as sqlx::Database>::Row;
            type Conn = <$db as sqlx::Database>::Connection;

            const STALE_MEMBER: &str = "member changed meanwhile: reload and try again";

            /// A write transaction: `BEGIN IMMEDIATE` on SQLite (the writer lock is held
            /// by the caller), an ordinary one on PostgreSQL.
            /// Binds an [`AskesosFilter`] to `$1`…`$8` (see [`MEMBER_FILTER`]).
            fn with_filter<'q>(
                q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>,
                f: &'q AskesosFilter,
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                q.bind(&f.region_prefix)
                    .bind(under_pattern(&f.region_prefix))
                    .bind(f.lpa_id)
                    .bind(f.member_id)
                    .bind(&f.nik)
                    .bind(&f.state)
                    .bind(limit_of(f))
                    .bind(f.offset.max(0))
            }

            async fn begin(pool: &$pool) -> Result<sqlx::Transaction<'static, $db>> {
                Ok(match $d {
                    Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
                    Dialect::Postgres => pool.begin().await?,
                })
            }

            fn is_unique(e: &sqlx::Error) -> bool {
                matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
            }

            fn product_from_row(r: &DbRow) -> Result<StoredProduct> {
                Ok(StoredProduct {
                    code: r.try_get(0)?,
                    version: r.try_get(1)?,
                    body: r.try_get(2)?,
                    digest: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    created_by: r.try_get(5)?,
                })
            }

            fn lpa_from_row(r: &DbRow) -> Result<Lpa> {
                Ok(Lpa {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    legal_form: r.try_get(2)?,
                    region: r.try_get(3)?,
                    address: r.try_get(4)?,
                    product_code: r.try_get(5)?,
                    status: r.try_get(6)?,
                    proposed_by: r.try_get(7)?,
                    proposed_at: r.try_get(8)?,
                    designated_by: r.try_get(9)?,
                    designated_on: r.try_get(10)?,
                    accreditation: r.try_get(11)?,
                    version: r.try_get(12)?,
                })
            }

            fn member_from_row(r: &DbRow) -> Result<Member> {
                Ok(Member {
                    id: r.try_get(0)?,
                    member_no: r.try_get(1)?,
                    lpa_id: r.try_get(2)?,
                    product_code: r.try_get(3)?,
                    product_version: r.try_get(4)?,
                    nik: r.try_get(5)?,
                    household_id: r.try_get(6)?,
                    region: r.try_get(7)?,
                    name: r.try_get(8)?,
                    birth_date: r.try_get(9)?,
                    occupation: r.try_get(10)?,
                    employment_status: r.try_get(11)?,
                    enrolled_at: r.try_get(12)?,
                    enrolled_by: r.try_get(13)?,
                    cover_start: r.try_get(14)?,
                    checks: r.try_get(15)?,
                    state: r.try_get(16)?,
                    ended_on: r.try_get(17)?,
                    end_reason: r.try_get(18)?,
                    card_issued_on: r.try_get(19)?,
                    card_holder: r.try_get(20)?,
                    card_delivered_on: r.try_get(21)?,
                    card_delivered_to: r.try_get(22)?,
                    version: r.try_get(23)?,
                })
            }

            fn heir_from_row(r: &DbRow) -> Result<Heir> {
                Ok(Heir {
                    member_id: r.try_get(0)?,
                    nik: r.try_get(1)?,
                    name: r.try_get(2)?,
                    relation: r.try_get(3)?,
                    added_at: r.try_get(4)?,
                    added_by: r.try_get(5)?,
                })
            }

            /// A payment from the columns of [`PAYMENT_COLS`] (10 of them).
            fn payment_from_row(r: &DbRow) -> Result<Payment> {
                let reinstate: i64 = r.try_get(6)?;
                Ok(Payment {
                    id: r.try_get(0)?,
                    member_id: r.try_get(1)?,
                    paid_on: r.try_get(2)?,
                    months: r.try_get(3)?,
                    amount: r.try_get(4)?,
                    payer: r.try_get(5)?,
                    reinstate: reinstate != 0,
                    reference: r.try_get(7)?,
                    recorded_by: r.try_get(8)?,
                    recorded_at: r.try_get(9)?,
                })
            }

            /// A claim from the columns of [`CLAIM_COLS`] (23 of them).
            fn claim_from_row(r: &DbRow) -> Result<Claim> {
                Ok(Claim {
                    id: r.try_get(0)?,
                    claim_no: r.try_get(1)?,
                    member_id: r.try_get(2)?,
                    event: r.try_get(3)?,
                    event_date: r.try_get(4)?,
                    filed_on: r.try_get(5)?,
                    claimant_nik: r.try_get(6)?,
                    activity: r.try_get(7)?,
                    occupation: r.try_get(8)?,
                    illness_days: r.try_get(9)?,
                    cost: r.try_get(10)?,
                    documents: r.try_get(11)?,
                    state: r.try_get(12)?,
                    amount: r.try_get(13)?,
                    basis: r.try_get(14)?,
                    complete_on: r.try_get(15)?,
                    due_on: r.try_get(16)?,
                    paid_on: r.try_get(17)?,
                    paid_to: r.try_get(18)?,
                    note: r.try_get(19)?,
                    opened_by: r.try_get(20)?,
                    created_at: r.try_get(21)?,
                    version: r.try_get(22)?,
                })
            }

            fn claim_event_from_row(r: &DbRow) -> Result<ClaimEvent> {
                Ok(ClaimEvent {
                    claim_id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    at: r.try_get(2)?,
                    actor: r.try_get(3)?,
                    action: r.try_get(4)?,
                    from_state: r.try_get(5)?,
                    to_state: r.try_get(6)?,
                    note: r.try_get(7)?,
                })
            }

            fn report_from_row(r: &DbRow) -> Result<LpaReport> {
                Ok(LpaReport {
                    id: r.try_get(0)?,
                    lpa_id: r.try_get(1)?,
                    period: r.try_get(2)?,
                    body: r.try_get(3)?,
                    sent_at: r.try_get(4)?,
                    sent_by: r.try_get(5)?,
                })
            }

            /// Bumps the member's version if it is still `expected`: the guard of every
            /// write to a member. `Conflict` when stale or when there is no such member.
            async fn bump_member(c: &mut Conn, id: i64, expected: i64) -> Result<()> {
                let done = sqlx::query(&q(
                    $d,
                    "UPDATE askesos_members SET version = version + 1 WHERE id = $1 AND version = $2",
                ))
                .bind(id)
                .bind(expected)
                .execute(&mut *c)
                .await?
                .rows_affected();
                if done == 1 {
                    return Ok(());
                }
                let found: Option<i64> =
                    sqlx::query_scalar(&q($d, "SELECT version FROM askesos_members WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *c)
                        .await?;
                Err(StoreError::Conflict(match found {
                    None => format!("no Askesos member {id}"),
                    Some(_) => STALE_MEMBER.to_string(),
                }))
            }

            async fn member_in(c: &mut Conn, id: i64) -> Result<Member> {
                let row = sqlx::query(&q(
                    $d,
                    &format!("SELECT {MEMBER_COLS} FROM askesos_members WHERE id = $1"),
                ))
                .bind(id)
                .fetch_one(&mut *c)
                .await?;
                member_from_row(&row)
            }

            async fn claim_in(c: &mut Conn, id: i64) -> Result<Claim> {
                let row = sqlx::query(&q(
                    $d,
                    &format!("SELECT {CLAIM_COLS} FROM askesos_claims WHERE id = $1"),
                ))
                .bind(id)
                .fetch_one(&mut *c)
                .await?;
                claim_from_row(&row)
            }

            async fn insert_payment(
                c: &mut Conn,
                member_id: i64,
                p: &NewPayment,
                now: &str,
            ) -> Result<Payment> {
                let row = sqlx::query(&q(
                    $d,
                    &format!("INSERT INTO askesos_payments (member_id, paid_on, months, amount, payer, reinstate, reference, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {PAYMENT_COLS}"),
                ))
                .bind(member_id)
                .bind(&p.paid_on)
                .bind(p.months)
                .bind(p.amount)
                .bind(&p.payer)
                .bind(i64::from(p.reinstate))
                .bind(&p.reference)
                .bind(&p.recorded_by)
                .bind(now)
                .fetch_one(&mut *c)
                .await?;
                payment_from_row(&row)
            }

            async fn insert_heir(
                c: &mut Conn,
                member_id: i64,
                h: &NewHeir,
                now: &str,
                by: &str,
            ) -> Result<Heir> {
                let res = sqlx::query(&q(
                    $d,
                    &format!("INSERT INTO askesos_heirs (member_id, nik, name, relation, added_at, added_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {HEIR_COLS}"),
                ))
                .bind(member_id)
                .bind(&h.nik)
                .bind(&h.name)
                .bind(&h.relation)
                .bind(now)
                .bind(by)
                .fetch_one(&mut *c)
                .await;
                match res {
                    Ok(row) => heir_from_row(&row),
                    Err(e) if is_unique(&e) => Err(StoreError::Conflict(format!(
                        "NIK {} is an heir of this member already",
                        h.nik
                    ))),
                    Err(e) => Err(e.into()),
                }
            }

            /// The member number of the NIK's active membership, if any.
            async fn active_member_no<'e, E>(c: E, nik: &str) -> Result<Option<String>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                Ok(sqlx::query_scalar(&q(
                    $d,
                    "SELECT member_no FROM askesos_members WHERE nik = $1 AND state = 'active'",
                ))
                .bind(nik)
                .fetch_optional(c)
                .await?)
            }

            fn active_conflict(nik: &str, no: &str) -> StoreError {
                StoreError::Conflict(format!(
                    "NIK {nik} sudah terdaftar sebagai peserta aktif ({no})"
                ))
            }

            /// The enrolment proper, in the caller's transaction.
            async fn enrol_in(
                c: &mut Conn,
                m: &NewMember,
                heirs: &[NewHeir],
                payments: &[NewPayment],
            ) -> std::result::Result<Member, StoreError> {
                if let Some(no) = active_member_no(&mut *c, &m.nik).await? {
                    return Err(active_conflict(&m.nik, &no));
                }
                let now = $crate::now_utc();
                // A placeholder unique to this NIK, replaced before commit by the number
                // made of the id.
                let id: i64 = sqlx::query_scalar(&q(
                    $d,
                    "INSERT INTO askesos_members (member_no, lpa_id, product_code, product_version, nik, household_id, region, name, birth_date, occupation, employment_status, enrolled_at, enrolled_by, cover_start, checks, state, card_issued_on, card_holder, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'active', $14, 'lpa', 1) RETURNING id",
                ))
                .bind(format!("ASK-NEW-{}", m.nik))
                .bind(m.lpa_id)
                .bind(&m.product_code)
                .bind(m.product_version)
                .bind(&m.nik)
                .bind(&m.household_id)
                .bind(&m.region)
                .bind(&m.name)
                .bind(&m.birth_date)
                .bind(&m.occupation)
                .bind(&m.employment_status)
                .bind(&now)
                .bind(&m.enrolled_by)
                .bind(&m.cover_start)
                .bind(&m.checks)
                .fetch_one(&mut *c)
                .await?;
                sqlx::query(&q($d, "UPDATE askesos_members SET member_no = $1 WHERE id = $2"))
                    .bind(member_no(id))
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                for h in heirs {
                    insert_heir(&mut *c, id, h, &now, &m.enrolled_by).await?;
                }
                for p in payments {
                    insert_payment(&mut *c, id, p, &now).await?;
                }
                member_in(&mut *c, id).await
            }

            #[async_trait::async_trait]
            impl $crate::askesos::AskesosStore for $store {
                async fn put_product(&self, p: &StoredProduct) -> Result<bool> {
                    $(let _w = self.$w.lock().await;)?
                    let stored = sqlx::query(&q(
                        $d,
                        "INSERT INTO askesos_products (code, version, body, digest, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code, version) DO NOTHING",
                    ))
                    .bind(&p.code)
                    .bind(p.version)
                    .bind(&p.body)
                    .bind(&p.digest)
                    .bind(if p.created_at.is_empty() {
                        $crate::now_utc()
                    } else {
                        p.created_at.clone()
                    })
                    .bind(&p.created_by)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    if stored == 1 {
                        return Ok(true);
                    }
                    let digest: Option<String> = sqlx::query_scalar(&q(
                        $d,
                        "SELECT digest FROM askesos_products WHERE code = $1 AND version = $2",
                    ))
                    .bind(&p.code)
                    .bind(p.version)
                    .fetch_optional(&self.pool)
                    .await?;
                    match digest {
                        Some(d) if d == p.digest => Ok(false),
                        Some(_) => Err(StoreError::Conflict(format!(
                            "product {} version {} is stored with other content: store a new version",
                            p.code, p.version
                        ))),
                        None => Err(StoreError::Corrupt(format!(
                            "product {} version {} was neither stored nor found",
                            p.code, p.version
                        ))),
                    }
                }

                async fn products(&self) -> Result<Vec<StoredProduct>> {
                    sqlx::query(&format!(
                        "SELECT {PRODUCT_COLS} FROM askesos_products ORDER BY code, version"
                    ))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(product_from_row)
                    .collect()
                }

                async fn create_lpa(&self, l: &NewLpa) -> Result<Lpa> {
                    $(let _w = self.$w.lock().await;)?
                    let row = sqlx::query(&q(
                        $d,
                        &format!("INSERT INTO askesos_lpas (name, legal_form, region, address, product_code, status, proposed_by, proposed_at, accreditation, version) VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, 'none', 1) RETURNING {LPA_COLS}"),
                    ))
                    .bind(&l.name)
                    .bind(&l.legal_form)
                    .bind(&l.region)
                    .bind(&l.address)
                    .bind(&l.product_code)
                    .bind(&l.proposed_by)
                    .bind($crate::now_utc())
                    .fetch_one(&self.pool)
                    .await?;
                    lpa_from_row(&row)
                }

                async fn lpa(&self, id: i64) -> Result<Option<Lpa>> {
                    let row = sqlx::query(&q(
                        $d,
                        &format!("SELECT {LPA_COLS} FROM askesos_lpas WHERE id = $1"),
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.as_ref().map(lpa_from_row).transpose()
                }

                async fn lpas(&self, region_prefix: &str) -> Result<Vec<Lpa>> {
                    sqlx::query(&q(
                        $d,
                        &format!("SELECT {LPA_COLS} FROM askesos_lpas WHERE $1 = '' OR region = $1 OR region LIKE $2 ESCAPE '\\' ORDER BY name, id"),
                    ))
                    .bind(region_prefix)
                    .bind(under_pattern(region_prefix))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(lpa_from_row)
                    .collect()
                }

                async fn change_lpa(
                    &self,
                    id: i64,
                    expected_version: i64,
                    c: &LpaChange,
                ) -> Result<Lpa> {
                    $(let _w = self.$w.lock().await;)?
                    let row = sqlx::query(&q(
                        $d,
                        &format!("UPDATE askesos_lpas SET status = $3, designated_by = $4, designated_on = $5, accreditation = $6, version = version + 1 WHERE id = $1 AND version = $2 RETURNING {LPA_COLS}"),
                    ))
                    .bind(id)
                    .bind(expected_version)
                    .bind(&c.status)
                    .bind(&c.designated_by)
                    .bind(&c.designated_on)
                    .bind(&c.accreditation)
                    .fetch_optional(&self.pool)
                    .await?;
                    match row {
                        Some(row) => lpa_from_row(&row),
                        None => {
                            let found: Option<i64> = sqlx::query_scalar(&q(
                                $d,
                                "SELECT version FROM askesos_lpas WHERE id = $1",
                            ))
                            .bind(id)
                            .fetch_optional(&self.pool)
                            .await?;
                            Err(StoreError::Conflict(match found {
                                None => format!("no LPA {id}"),
                                Some(_) => "LPA changed meanwhile: reload and try again".into(),
                            }))
                        }
                    }
                }

                async fn enrol_member(
                    &self,
                    m: &NewMember,
                    heirs: &[NewHeir],
                    payments: &[NewPayment],
                ) -> Result<Member> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    match enrol_in(&mut tx, m, heirs, payments).await {
                        Ok(member) => {
                            tx.commit().await?;
                            Ok(member)
                        }
                        Err(StoreError::Db(e)) if is_unique(&e) => {
                            // Another enrolment of the NIK committed meanwhile (the partial
                            // index `askesos_members_one_active` refused this one).
                            tx.rollback().await?;
                            match active_member_no(&self.pool, &m.nik).await? {
                                Some(no) => Err(active_conflict(&m.nik, &no)),
                                None => Err(StoreError::Db(e)),
                            }
                        }
                        Err(e) => Err(e),
                    }
                }

                async fn member(&self, id: i64) -> Result<Option<Member>> {
                    let row = sqlx::query(&q(
                        $d,
                        &format!("SELECT {MEMBER_COLS} FROM askesos_members WHERE id = $1"),
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.as_ref().map(member_from_row).transpose()
                }

                async fn members(&self, f: &AskesosFilter) -> Result<Vec<Member>> {
                    let cols = qualified("m", MEMBER_COLS);
                    with_filter(sqlx::query(&q(
                        $d,
                        &format!("SELECT {cols} FROM askesos_members m WHERE {MEMBER_FILTER} AND ($6 IS NULL OR m.state = $6) ORDER BY m.id LIMIT $7 OFFSET $8"),
                    )), f)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(member_from_row)
                    .collect()
                }

                async fn member_ledgers(&self, f: &AskesosFilter) -> Result<Vec<$crate::askesos::MemberLedgerRow>> {
                    if let Some(rows) = self.bulk_ledgers(f).await? {
                        return Ok(rows);
                    }
                    let members = with_filter(sqlx::query(&q($d, &$crate::askesos::ledger_members_sql())), f)
                        .fetch_all(&self.pool)
                        .await?
                        .iter()
                        .map(|r| {
                            Ok($crate::askesos::MemberLedgerRow {
                                id: r.try_get(0)?,
                                lpa_id: r.try_get(1)?,
                                region: r.try_get(2)?,
                                product_code: r.try_get(3)?,
                                product_version: r.try_get(4)?,
                                cover_start: r.try_get(5)?,
                                state: r.try_get(6)?,
                                ended_on: r.try_get(7)?,
                                card_delivered_on: r.try_get(8)?,
                                payments: Vec::new(),
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let rows = if $crate::askesos::takes_all(f) {
                        sqlx::query($crate::askesos::ALL_LEDGER_PAYMENTS_SQL)
                            .fetch_all(&self.pool)
                            .await?
                    } else {
                        with_filter(sqlx::query(&q($d, &$crate::askesos::ledger_payments_sql())), f)
                            .fetch_all(&self.pool)
                            .await?
                    };
                    let payments = rows
                        .iter()
                        .map(|r| {
                            let on: String = r.try_get(1)?;
                            let payer: String = r.try_get(4)?;
                            Ok((
                                r.try_get::<i64, _>(0)?,
                                $crate::askesos::LedgerPayment {
                                    paid_on: selaras_domain::Date::parse(&on)
                                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                                    months: r.try_get(2)?,
                                    amount: r.try_get(3)?,
                                    payer: $crate::askesos::payer_code(&payer)?,
                                },
                            ))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    Ok($crate::askesos::merge_ledgers(members, payments))
                }

                async fn registry_exits(&self) -> Result<Vec<(i64, String, String)>> {
                    Ok(sqlx::query_as(
                        "SELECT a.id, COALESCE(m.exit_state, h.exit_state), \
                                CASE WHEN m.exit_state IS NOT NULL THEN m.valid_from ELSE h.valid_from END \
                         FROM askesos_members a JOIN members m ON m.nik = a.nik \
                         JOIN households h ON h.household_id = m.household_id \
                         WHERE a.state = 'active' AND (m.exit_state IS NOT NULL OR h.exit_state IS NOT NULL) \
                         ORDER BY a.id",
                    )
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn active_birth_dates(&self) -> Result<Vec<(i64, String, i64, String)>> {
                    Ok(sqlx::query_as(
                        "SELECT id, product_code, product_version, birth_date FROM askesos_members WHERE state = 'active' ORDER BY id",
                    )
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn change_member(
                    &self,
                    id: i64,
                    expected_version: i64,
                    c: &MemberChange,
                ) -> Result<Member> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    bump_member(&mut tx, id, expected_version).await?;
                    if let Some((on, reason)) = &c.end {
                        sqlx::query(&q(
                            $d,
                            "UPDATE askesos_members SET state = 'ended', ended_on = $2, end_reason = $3 WHERE id = $1",
                        ))
                        .bind(id)
                        .bind(on)
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if let Some((on, to)) = &c.card_delivered {
                        sqlx::query(&q(
                            $d,
                            "UPDATE askesos_members SET card_holder = 'member', card_delivered_on = $2, card_delivered_to = $3 WHERE id = $1",
                        ))
                        .bind(id)
                        .bind(on)
                        .bind(to)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let m = member_in(&mut tx, id).await?;
                    tx.commit().await?;
                    Ok(m)
                }

                async fn add_heir(
                    &self,
                    member_id: i64,
                    expected_version: i64,
                    h: &NewHeir,
                    by: &str,
                ) -> Result<Heir> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    bump_member(&mut tx, member_id, expected_version).await?;
                    let heir = insert_heir(&mut tx, member_id, h, &$crate::now_utc(), by).await?;
                    tx.commit().await?;
                    Ok(heir)
                }

                async fn heirs(&self, member_id: i64) -> Result<Vec<Heir>> {
                    sqlx::query(&q(
                        $d,
                        &format!("SELECT {HEIR_COLS} FROM askesos_heirs WHERE member_id = $1 ORDER BY added_at, nik"),
                    ))
                    .bind(member_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(heir_from_row)
                    .collect()
                }

                async fn add_payment(
                    &self,
                    member_id: i64,
                    expected_version: i64,
                    p: &NewPayment,
                ) -> Result<Payment> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    bump_member(&mut tx, member_id, expected_version).await?;
                    let paid = insert_payment(&mut tx, member_id, p, &$crate::now_utc()).await?;
                    tx.commit().await?;
                    Ok(paid)
                }

                async fn payments(&self, member_id: i64) -> Result<Vec<Payment>> {
                    sqlx::query(&q(
                        $d,
                        &format!("SELECT {PAYMENT_COLS} FROM askesos_payments WHERE member_id = $1 ORDER BY id"),
                    ))
                    .bind(member_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(payment_from_row)
                    .collect()
                }

                async fn create_claim(
                    &self,
                    member_id: i64,
                    expected_version: i64,
                    c: &NewClaim,
                ) -> Result<Claim> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    bump_member(&mut tx, member_id, expected_version).await?;
                    let now = $crate::now_utc();
                    // A placeholder unique while the member's row is locked by the bump,
                    // replaced before commit by the number made of the id.
                    let id: i64 = sqlx::query_scalar(&q(
                        $d,
                        "INSERT INTO askesos_claims (claim_no, member_id, event, event_date, filed_on, claimant_nik, activity, occupation, illness_days, cost, documents, state, amount, basis, note, opened_by, created_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', NULL, $12, '', $13, $14, 1) RETURNING id",
                    ))
                    .bind(format!("KLM-NEW-{member_id}"))
                    .bind(member_id)
                    .bind(&c.event)
                    .bind(&c.event_date)
                    .bind(&c.filed_on)
                    .bind(&c.claimant_nik)
                    .bind(&c.activity)
                    .bind(&c.occupation)
                    .bind(c.illness_days)
                    .bind(c.cost)
                    .bind(&c.documents)
                    .bind(&c.basis)
                    .bind(&c.opened_by)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(&q($d, "UPDATE askesos_claims SET claim_no = $1 WHERE id = $2"))
                        .bind(claim_no(id))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(&q(
                        $d,
                        "INSERT INTO askesos_claim_events (claim_id, seq, at, actor, action, from_state, to_state, note) VALUES ($1, 1, $2, $3, 'file', '', 'received', '')",
                    ))
                    .bind(id)
                    .bind(&now)
                    .bind(&c.opened_by)
                    .execute(&mut *tx)
                    .await?;
                    let claim = claim_in(&mut tx, id).await?;
                    tx.commit().await?;
                    Ok(claim)
                }

                async fn claim(&self, id: i64) -> Result<Option<Claim>> {
                    let row = sqlx::query(&q(
                        $d,
                        &format!("SELECT {CLAIM_COLS} FROM askesos_claims WHERE id = $1"),
                    ))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                    row.as_ref().map(claim_from_row).transpose()
                }

                async fn claims_for(&self, f: &AskesosFilter) -> Result<Vec<ClaimWithMember>> {
                    let cols = qualified("c", CLAIM_COLS);
                    with_filter(sqlx::query(&q(
                        $d,
                        &format!("SELECT {cols}, m.lpa_id, m.region, m.member_no, m.name FROM askesos_claims c JOIN askesos_members m ON m.id = c.member_id WHERE {MEMBER_FILTER} AND ($6 IS NULL OR c.state = $6) ORDER BY c.id DESC LIMIT $7 OFFSET $8"),
                    )), f)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(ClaimWithMember {
                            claim: claim_from_row(r)?,
                            lpa_id: r.try_get(23)?,
                            region: r.try_get(24)?,
                            member_no: r.try_get(25)?,
                            member_name: r.try_get(26)?,
                        })
                    })
                    .collect()
                }

                async fn step_claim(
                    &self,
                    id: i64,
                    expected_version: i64,
                    s: &ClaimStep,
                ) -> Result<Claim> {
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    let from: Option<String> =
                        sqlx::query_scalar(&q($d, "SELECT state FROM askesos_claims WHERE id = $1"))
                            .bind(id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    let Some(from) = from else {
                        return Err(StoreError::Conflict(format!("no claim {id}")));
                    };
                    let done = sqlx::query(&q(
                        $d,
                        "UPDATE askesos_claims SET state = $3, version = version + 1, documents = COALESCE($4, documents), claimant_nik = COALESCE($5, claimant_nik), amount = COALESCE($6, amount), basis = COALESCE($7, basis), complete_on = COALESCE($8, complete_on), due_on = COALESCE($9, due_on), paid_on = COALESCE($10, paid_on), paid_to = COALESCE($11, paid_to), note = CASE WHEN $12 = '' THEN note ELSE $12 END WHERE id = $1 AND version = $2",
                    ))
                    .bind(id)
                    .bind(expected_version)
                    .bind(&s.to_state)
                    .bind(&s.documents)
                    .bind(&s.claimant_nik)
                    .bind(s.amount)
                    .bind(&s.basis)
                    .bind(&s.complete_on)
                    .bind(&s.due_on)
                    .bind(&s.paid_on)
                    .bind(&s.paid_to)
                    .bind(&s.note)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if done != 1 {
                        return Err(StoreError::Conflict(
                            "claim changed meanwhile: reload and try again".into(),
                        ));
                    }
                    sqlx::query(&q(
                        $d,
                        "INSERT INTO askesos_claim_events (claim_id, seq, at, actor, action, from_state, to_state, note) SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7 FROM askesos_claim_events WHERE claim_id = $1",
                    ))
                    .bind(id)
                    .bind($crate::now_utc())
                    .bind(&s.actor)
                    .bind(&s.action)
                    .bind(&from)
                    .bind(&s.to_state)
                    .bind(&s.note)
                    .execute(&mut *tx)
                    .await?;
                    let claim = claim_in(&mut tx, id).await?;
                    tx.commit().await?;
                    Ok(claim)
                }

                async fn claim_events(&self, id: i64) -> Result<Vec<ClaimEvent>> {
                    sqlx::query(&q(
                        $d,
                        &format!("SELECT {CLAIM_EVENT_COLS} FROM askesos_claim_events WHERE claim_id = $1 ORDER BY seq"),
                    ))
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(claim_event_from_row)
                    .collect()
                }

                async fn holidays(&self) -> Result<Vec<HolidayRow>> {
                    sqlx::query(&format!(
                        "SELECT {HOLIDAY_COLS} FROM askesos_holidays ORDER BY day"
                    ))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(HolidayRow {
                            day: r.try_get(0)?,
                            kind: r.try_get(1)?,
                            name_id: r.try_get(2)?,
                            name_en: r.try_get(3)?,
                        })
                    })
                    .collect()
                }

                async fn put_holidays(&self, year: i32, days: &[HolidayRow]) -> Result<()> {
                    let prefix = format!("{year:04}-");
                    if let Some(d) = days.iter().find(|d| !d.day.starts_with(&prefix)) {
                        return Err(StoreError::Conflict(format!(
                            "holiday {} is not in {year}",
                            d.day
                        )));
                    }
                    $(let _w = self.$w.lock().await;)?
                    let mut tx = begin(&self.pool).await?;
                    sqlx::query(&q($d, "DELETE FROM askesos_holidays WHERE day LIKE $1"))
                        .bind(format!("{prefix}%"))
                        .execute(&mut *tx)
                        .await?;
                    for d in days {
                        let res = sqlx::query(&q(
                            $d,
                            "INSERT INTO askesos_holidays (day, kind, name_id, name_en) VALUES ($1, $2, $3, $4)",
                        ))
                        .bind(&d.day)
                        .bind(&d.kind)
                        .bind(&d.name_id)
                        .bind(&d.name_en)
                        .execute(&mut *tx)
                        .await;
                        match res {
                            Ok(_) => {}
                            Err(e) if is_unique(&e) => {
                                return Err(StoreError::Conflict(format!(
                                    "holiday {} is given twice",
                                    d.day
                                )))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    tx.commit().await?;
                    Ok(())
                }

                async fn save_lpa_report(
                    &self,
                    lpa_id: i64,
                    period: &str,
                    body: &str,
                    by: &str,
                ) -> Result<LpaReport> {
                    $(let _w = self.$w.lock().await;)?
                    let row = sqlx::query(&q(
                        $d,
                        &format!("INSERT INTO askesos_lpa_reports (lpa_id, period, body, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5) RETURNING {REPORT_COLS}"),
                    ))
                    .bind(lpa_id)
                    .bind(period)
                    .bind(body)
                    .bind($crate::now_utc())
                    .bind(by)
                    .fetch_one(&self.pool)
                    .await?;
                    report_from_row(&row)
                }

                async fn lpa_reports(&self, lpa_id: i64) -> Result<Vec<LpaReport>> {
                    sqlx::query(&q(
                        $d,
                        &format!("SELECT {REPORT_COLS} FROM askesos_lpa_reports WHERE lpa_id = $1 ORDER BY id"),
                    ))
                    .bind(lpa_id)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(report_from_row)
                    .collect()
                }
            }
        };
    };
}
pub(crate) use askesos_impl;
