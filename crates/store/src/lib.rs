//! Storage of the registry behind one interface, [`Storage`], with two implementations:
//! SQLite (embedded default; WAL, one writer) and PostgreSQL (production; bulk loads with
//! COPY). The same test suite runs against both (`tests/storage.rs`).
//!
//! Invariants kept here, by triggers in the database itself so that no code path can
//! break them: registry rows are never deleted; every update that changes a row's
//! `version` first copies the old row into `*_history`; history is append-only.

pub mod askesos;
pub mod audit;
pub mod cases;
mod codec;
pub mod error;
pub mod indicators;
mod postgres;
pub mod programs;
pub mod ranking;
pub mod schema;
mod sqlite;
mod sqlite_bulk;
pub mod stats;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use selaras_domain::access::Role;
use selaras_domain::registry::{Household, Member};
use selaras_domain::RegionScope;

pub use error::{Result, StoreError};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Why the registry changed: the import batch, case or user behind a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Import,
    Case,
    User,
    System,
}

impl ChangeKind {
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Import => "import",
            ChangeKind::Case => "case",
            ChangeKind::User => "user",
            ChangeKind::System => "system",
        }
    }
    pub fn parse(s: &str) -> Option<ChangeKind> {
        Some(match s {
            "import" => ChangeKind::Import,
            "case" => ChangeKind::Case,
            "user" => ChangeKind::User,
            "system" => ChangeKind::System,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewChange {
    pub actor: String,
    pub kind: ChangeKind,
    /// The import source, case number or similar.
    pub reference: Option<String>,
    pub note: Option<String>,
}

/// A recorded change: who, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor: String,
    pub kind: ChangeKind,
    pub reference: Option<String>,
    pub note: Option<String>,
}

/// A household and (some of) its members, written in one transaction. `household` is
/// `None` when only members are loaded for a household that is already stored.
#[derive(Debug, Clone)]
pub struct Unit {
    household: Option<Household>,
    members: Vec<Member>,
    /// Position of each member within its household (kept for export order).
    member_nos: Vec<i64>,
    /// Content hashes ([`codec::row_hash`]; a member's includes its position), computed
    /// where the unit is built: an import's parser thread has time to spare, its writer
    /// has not.
    household_hash: i64,
    member_hashes: Vec<i64>,
}

impl Unit {
    /// A household with no members yet, or (`None`) members of a household already stored.
    pub fn new(household: Option<Household>) -> Unit {
        let household_hash = household
            .as_ref()
            .map_or(0, |h| codec::row_hash(&h.values()));
        Unit {
            household,
            members: Vec::new(),
            member_nos: Vec::new(),
            household_hash,
            member_hashes: Vec::new(),
        }
    }

    /// Adds a member at position `no` within its household.
    pub fn push_member(&mut self, m: Member, no: i64) {
        self.member_hashes
            .push(codec::row_hash(&m.values()) ^ no.wrapping_mul(0x9e37_79b9));
        self.members.push(m);
        self.member_nos.push(no);
    }

    pub fn household(&self) -> Option<&Household> {
        self.household.as_ref()
    }

    pub fn members(&self) -> &[Member] {
        &self.members
    }
}

/// A unit or member the store refused, by index into the units given to `upsert_units`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreReject {
    pub unit: usize,
    /// `None`: the whole unit (household and its members) was refused.
    pub member: Option<usize>,
    pub column: &'static str,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpsertStats {
    /// Rows inserted or changed (a new version).
    pub households_written: u64,
    pub members_written: u64,
    /// Rows identical to what was stored: nothing written.
    pub households_unchanged: u64,
    pub members_unchanged: u64,
    pub rejects: Vec<(usize, Option<usize>, &'static str, String)>,
}

impl UpsertStats {
    /// Refuses every member of unit `unit` (`members` of them) whose household is not
    /// stored.
    pub(crate) fn refuse_orphans(&mut self, unit: usize, members: usize) {
        for k in 0..members {
            self.rejects.push((
                unit,
                Some(k),
                "household_id",
                "household is not registered".into(),
            ));
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportTotals {
    pub households: u64,
    pub members: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

/// A stored household with its bookkeeping.
#[derive(Debug, Clone, Serialize)]
pub struct HouseholdRecord {
    pub household: Household,
    pub version: i64,
    pub valid_from: String,
    pub change: Change,
    pub members: Vec<MemberRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemberRecord {
    pub member: Member,
    pub member_no: i64,
    pub version: i64,
    pub valid_from: String,
}

/// One version of a household or member, for the history shown on a household page.
#[derive(Debug, Clone, Serialize)]
pub struct VersionEntry {
    /// `household` or the member's NIK.
    pub subject: String,
    pub version: i64,
    pub valid_from: String,
    /// `None` for the current version.
    pub valid_to: Option<String>,
    /// The change that replaced this version; `None` for the current version.
    pub superseded_by: Option<i64>,
    pub change: Change,
    /// The row's fields at that version, as interchange text (column, value).
    pub fields: Vec<(&'static str, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub household_id: String,
    pub region_code: String,
    pub head_name: Option<String>,
    pub matched_name: String,
    pub matched_nik: String,
    pub members: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub households: i64,
    pub members: i64,
    pub household_versions: i64,
    pub member_versions: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub scope: RegionScope,
    pub program: Option<String>,
    pub disabled: bool,
    /// For Askesos LPA staff: their LPA.
    pub lpa: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: RegionScope,
    pub program: Option<String>,
    /// For Askesos LPA staff: their LPA.
    pub lpa: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub user_id: i64,
    pub expires_at: String,
    pub csrf: String,
}

/// A PMT model as stored in the registry: frozen once stored; a new version is a new row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredModel {
    pub id: String,
    pub version: i64,
    pub author: String,
    /// The date the model was approved (YYYY-MM-DD).
    pub approved_on: String,
    pub stored_at: String,
    /// SHA-256 of `body`, hex.
    pub digest: String,
    /// The model file in its canonical form (`Model::to_json`).
    #[serde(skip)]
    pub body: String,
}

/// A ranking edition before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEdition {
    pub model_id: String,
    pub model_version: i64,
    /// The registry as it stood after this change ([`Storage::snapshot`]).
    pub snapshot_change: i64,
    pub snapshot_at: String,
    /// Rows read: households (without an exit state) and members.
    pub households: i64,
    pub members: i64,
    pub ranked: i64,
    pub unscored: i64,
    /// SHA-256 of the snapshot's households.csv then members.csv, hex.
    pub input_digest: String,
    /// SHA-256 of the ranks.csv written, hex.
    pub output_digest: String,
    pub created_by: String,
}

/// A stored, frozen ranking: what model, which registry state, what came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edition {
    pub id: i64,
    pub model_id: String,
    pub model_version: i64,
    pub snapshot_change: i64,
    pub snapshot_at: String,
    pub households: i64,
    pub members: i64,
    pub ranked: i64,
    pub unscored: i64,
    pub input_digest: String,
    pub output_digest: String,
    pub created_at: String,
    pub created_by: String,
}

/// One household's place in an edition; the ranks are `None` when it could not be
/// scored (`unscored` says why).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdRank {
    pub household_id: String,
    pub segment: String,
    pub score: Option<f64>,
    pub national_rank: Option<i64>,
    pub national_percentile: Option<i64>,
    pub national_decile: Option<i64>,
    pub province_decile: Option<i64>,
    pub regency_decile: Option<i64>,
    pub imputed: bool,
    pub unscored: Option<String>,
}

/// A participant-list entry to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParticipation {
    pub program: String,
    pub household_id: String,
    /// For member programs.
    pub nik: Option<String>,
    /// `YYYY-MM`.
    pub period: String,
    pub status: selaras_domain::participation::Status,
}

/// A recorded participant-list entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParticipationRecord {
    pub id: i64,
    pub program: String,
    pub household_id: String,
    pub nik: Option<String>,
    pub period: String,
    /// `enrolled` or `exited`.
    pub status: String,
    pub change_id: i64,
    pub recorded_at: String,
}

impl HouseholdRank {
    /// The ranks as eligibility rules read them; `None` when the household was not scored.
    pub fn rank_facts(&self) -> Option<selaras_domain::rules::RankFacts> {
        selaras_domain::rules::RankFacts::from_stored(
            self.score,
            [
                self.national_rank,
                self.national_percentile,
                self.national_decile,
                self.province_decile,
                self.regency_decile,
            ],
        )
    }
}

/// What an export hands out, in order: every household (by id), then every member (by
/// household and position).
pub enum ExportItem<'a> {
    Household(&'a Household),
    Member(&'a Member),
}

pub type ExportSink<'a> = dyn FnMut(ExportItem<'_>) -> std::result::Result<(), String> + Send + 'a;

pub use cases::{
    Attempt, CaseEvent, CaseFilter, CaseRecord, CaseTransition, NewCase, NewMessage, NewVisit,
    OutboxMessage, VisitFilter, VisitRecord,
};
pub use programs::{
    CatalogueVersion, EligibilityRun, NewCatalogueVersion, NewEligibilityRun, QuotaEntry,
};
pub use selaras_domain::audit::{AuditEntry, NewAuditEntry};

/// The registry's storage. Every method is one transaction.
#[async_trait]
pub trait Storage: askesos::AskesosStore + Send + Sync {
    fn backend(&self) -> Backend;

    /// Applies the migrations this database lacks.
    async fn migrate(&self) -> Result<()>;

    async fn record_change(&self, change: &NewChange) -> Result<Change>;

    async fn start_import(&self, change: &Change, source: &str) -> Result<()>;
    async fn finish_import(
        &self,
        change_id: i64,
        totals: &ImportTotals,
        status: &str,
    ) -> Result<()>;

    /// Inserts or updates households and members under `change`; a row whose content is
    /// unchanged is not written (no new version). All units in one transaction.
    async fn upsert_units(&self, change: &Change, units: Vec<Unit>) -> Result<UpsertStats>;

    /// Drops (`false`) or builds the missing (`true`) secondary indexes
    /// ([`schema::SEARCH_INDEXES`]) around a large load. `migrate` builds missing ones, so
    /// an import killed while they were dropped leaves only a slower registry, repaired by
    /// the next open.
    async fn search_indexes(&self, on: bool) -> Result<()>;

    /// Which of these household ids are stored (active or not).
    async fn existing_households(&self, ids: &[String]) -> Result<Vec<String>>;

    /// The registry as it stands (`at: None`) or as it stood right after change `at`.
    async fn export(&self, at: Option<i64>, sink: &mut ExportSink<'_>) -> Result<()>;

    /// The newest change after which the registry is complete (no import of it or
    /// before it still running), with its time: what a ranking edition freezes.
    async fn snapshot(&self) -> Result<Option<(i64, String)>>;

    /// Stores a model version; `false` if the same content was stored already. The
    /// same id and version with other content is a `Conflict`.
    async fn put_model(&self, model: &StoredModel) -> Result<bool>;
    /// Every stored model version, by id then version.
    async fn models(&self) -> Result<Vec<StoredModel>>;
    /// A model version, or (`version: None`) the highest version of `id`.
    async fn model(&self, id: &str, version: Option<i64>) -> Result<Option<StoredModel>>;
    /// Stores an edition and its household ranks, in one transaction.
    async fn save_edition(&self, edition: &NewEdition, ranks: &[HouseholdRank]) -> Result<Edition>;
    async fn editions(&self) -> Result<Vec<Edition>>;
    async fn edition(&self, id: i64) -> Result<Option<Edition>>;
    /// Records participant-list entries under `change`, in one transaction.
    async fn record_participation(&self, change: &Change, rows: &[NewParticipation])
        -> Result<u64>;
    /// Every participation entry of a household (and its members), oldest first.
    async fn participation(&self, household_id: &str) -> Result<Vec<ParticipationRecord>>;
    /// A household's place in every edition, newest first.
    async fn household_ranks(&self, household_id: &str) -> Result<Vec<(Edition, HouseholdRank)>>;

    /// Opens a case in `draft`.
    async fn create_case(&self, c: &NewCase) -> Result<CaseRecord>;
    async fn case(&self, id: i64) -> Result<Option<CaseRecord>>;
    /// Cases in villages under `region_prefix` (`""`: all), newest first.
    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRecord>>;
    /// A case's actions, oldest first.
    async fn case_events(&self, id: i64) -> Result<Vec<CaseEvent>>;
    /// Stores an action if the case is still at the version the actor saw (`Conflict`
    /// otherwise); the case and its history change together.
    async fn transition_case(&self, t: &CaseTransition) -> Result<CaseRecord>;
    /// Outbox messages pending and due at `now`.
    async fn due_messages(&self, now: &str, limit: i64) -> Result<Vec<OutboxMessage>>;
    async fn case_messages(&self, case_id: i64) -> Result<Vec<OutboxMessage>>;
    async fn message_attempt(&self, id: i64, outcome: &Attempt) -> Result<()>;
    /// The default sender's log, newest first: (outbox id, at, channel, recipient, body).
    async fn message_log(&self, limit: i64) -> Result<Vec<(i64, String, String, String, String)>>;
    /// The service settings in force (version, JSON); `None`: the defaults.
    async fn case_settings(&self) -> Result<Option<(i64, String)>>;
    async fn put_case_settings(&self, body: &str, by: &str) -> Result<i64>;
    async fn create_visit(&self, v: &NewVisit) -> Result<VisitRecord>;
    async fn visits(&self, filter: &VisitFilter) -> Result<Vec<VisitRecord>>;
    /// Stores an eligibility run's village rows (gap counts and combinations).
    async fn save_village_rows(
        &self,
        run_id: i64,
        gaps: &[stats::VillageGap],
        combos: &[(String, String, i64)],
    ) -> Result<()>;
    /// Brings the dashboard figures up to date; `day` is today, `cutoff` the first day of
    /// the 12-month freshness window.
    async fn refresh_stats(&self, day: &str, cutoff: &str) -> Result<stats::RefreshReport>;
    /// A region's figures and its children's (`""`: the nation).
    async fn region_stats(
        &self,
        region: &str,
    ) -> Result<(Option<stats::RegionStats>, Vec<stats::RegionStats>)>;
    async fn program_stats(&self, region: &str) -> Result<Vec<stats::ProgramStats>>;
    async fn combo_stats(&self, region: &str) -> Result<Vec<stats::ComboStats>>;
    /// Case figures under `prefix`, activity per child region of `child_len` characters.
    async fn case_stats(
        &self,
        prefix: &str,
        child_len: i64,
        now: &str,
        period: &stats::Period,
    ) -> Result<stats::CaseStats>;
    /// Stores a catalogue text as a new draft version.
    async fn put_catalogue(&self, c: &NewCatalogueVersion) -> Result<CatalogueVersion>;
    /// Every catalogue version, oldest first.
    async fn catalogues(&self) -> Result<Vec<CatalogueVersion>>;
    /// Stores a draft's dry run (`Conflict` once published).
    async fn set_dry_run(&self, version: i64, rows: &str) -> Result<()>;
    /// Publishes a draft with a dry run (`Conflict` otherwise).
    async fn publish_catalogue(&self, version: i64, by: &str) -> Result<()>;
    async fn save_eligibility_run(
        &self,
        run: &NewEligibilityRun,
        quota: &[QuotaEntry],
    ) -> Result<EligibilityRun>;
    /// Every eligibility run, oldest first.
    async fn eligibility_runs(&self) -> Result<Vec<EligibilityRun>>;
    async fn eligibility_run(&self, id: i64) -> Result<Option<EligibilityRun>>;
    /// A run's quota lists, selected and waiting (`run_id: None`: the newest run's), or
    /// one household's entries in them.
    async fn quota_units(
        &self,
        run_id: Option<i64>,
        household_id: Option<&str>,
    ) -> Result<Vec<QuotaEntry>>;

    async fn household(&self, id: &str) -> Result<Option<HouseholdRecord>>;
    /// The household id of the person with this NIK.
    async fn household_of_person(&self, nik: &str) -> Result<Option<String>>;
    async fn history(&self, household_id: &str) -> Result<Vec<VersionEntry>>;
    /// Households in `scope` whose member NIK or KK number equals `query`, or whose member
    /// name contains it (case-insensitive).
    async fn search(&self, scope: &RegionScope, query: &str, limit: i64) -> Result<Vec<SearchHit>>;
    async fn counts(&self) -> Result<Counts>;

    async fn create_user(&self, user: &NewUser) -> Result<i64>;
    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn set_password(&self, username: &str, password_hash: &str) -> Result<bool>;
    async fn create_session(&self, s: &SessionRecord) -> Result<()>;
    /// The unexpired session with this token hash, and its user.
    async fn session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    /// Appends an entry to the audit log as the next link of its chain (seq, time,
    /// prev_hash and hash set here); concurrent appenders queue, so the chain never forks.
    async fn append_audit(&self, e: &NewAuditEntry) -> Result<AuditEntry>;
    /// Appends entries in order, in one transaction (a page that reads many people).
    async fn append_audit_batch(&self, es: &[NewAuditEntry]) -> Result<()>;
    /// Up to `limit` audit entries after `after_seq`, in seq order (verification pages).
    async fn audit_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>>;
    /// The newest `limit` audit entries about `target` and/or by `actor` (`None`: any),
    /// newest first.
    async fn audit_filter(
        &self,
        target: Option<&str>,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;

    /// Stores an indicator catalogue text as the newest version, unless it equals the
    /// newest (that version is returned, nothing written).
    async fn put_indicator_catalogue(
        &self,
        c: &indicators::NewIndicatorCatalogue,
    ) -> Result<indicators::IndicatorCatalogueVersion>;
    /// Every stored indicator catalogue version, oldest first.
    async fn indicator_catalogues(&self) -> Result<Vec<indicators::IndicatorCatalogueVersion>>;
    /// Appends an indicator value (a correction is a newer value).
    async fn record_indicator_value(
        &self,
        v: &indicators::NewIndicatorValue,
    ) -> Result<indicators::IndicatorValue>;
    /// Indicator values by indicator, year and region, newest first within each.
    async fn indicator_values(
        &self,
        f: &indicators::IndicatorValueFilter,
    ) -> Result<Vec<indicators::IndicatorValue>>;
    /// SLRT: distinct households with a case referred and then resolved or closed, per
    /// year of resolution, in villages under `prefix` (`""`: all), grouped by the first
    /// `group_len` characters of the village code.
    async fn slrt_referred_served(
        &self,
        prefix: &str,
        group_len: i64,
    ) -> Result<Vec<indicators::YearCount>>;
    /// SLRT: cases closed per year of closing under `prefix`, grouped like
    /// [`slrt_referred_served`](Self::slrt_referred_served), and of them those closed
    /// no later than `feedback_days` after they were resolved or rejected.
    async fn slrt_closed_on_time(
        &self,
        prefix: &str,
        group_len: i64,
        feedback_days: i64,
    ) -> Result<Vec<indicators::ClosedOnTime>>;
}

/// Opens (and creates, for SQLite) the database named by `url` and migrates it.
pub async fn connect(url: &str) -> Result<Arc<dyn Storage>> {
    let store: Arc<dyn Storage> = if url.starts_with("sqlite:") {
        Arc::new(SqliteStore::open(url).await?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(PgStore::open(url).await?)
    } else {
        return Err(StoreError::BadUrl(url.chars().take(60).collect()));
    };
    store.migrate().await?;
    Ok(store)
}

/// Current UTC time as stored (RFC 3339, seconds, `Z`).
pub fn now_utc() -> String {
    codec::format_ts(time::OffsetDateTime::now_utc())
}

/// Today's date (UTC).
pub fn today_utc() -> selaras_domain::Date {
    selaras_domain::Date::from(time::OffsetDateTime::now_utc().date())
}

pub use codec::format_ts;

/// The household as it stood at `at` (a stored timestamp, RFC 3339 UTC), rebuilt from its
/// versions ([`Storage::history`]): for the household and each person, the version with
/// `valid_from <= at < valid_to`. `None` if the household did not exist yet.
pub fn record_as_of(entries: &[VersionEntry], at: &str) -> Result<Option<HouseholdRecord>> {
    record_where(entries, |e| {
        e.valid_from.as_str() <= at && e.valid_to.as_deref().is_none_or(|to| at < to)
    })
}

/// The household as it stood right after change `change` (a ranking edition's snapshot).
pub fn record_at_change(entries: &[VersionEntry], change: i64) -> Result<Option<HouseholdRecord>> {
    record_where(entries, |e| {
        e.change.id <= change && e.superseded_by.is_none_or(|by| by > change)
    })
}

fn record_where(
    entries: &[VersionEntry],
    live: impl Fn(&VersionEntry) -> bool,
) -> Result<Option<HouseholdRecord>> {
    let live = |e: &&VersionEntry| live(e);
    let text = |e: &VersionEntry| {
        e.fields
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<String>>()
    };
    let Some(h) = entries
        .iter()
        .filter(|e| e.subject == "household")
        .find(live)
    else {
        return Ok(None);
    };
    let household = codec::household_from_text(&text(h))?;
    let mut members = Vec::new();
    let mut people: Vec<&VersionEntry> = entries
        .iter()
        .filter(|e| e.subject != "household")
        .filter(live)
        .collect();
    people.sort_by(|a, b| a.subject.cmp(&b.subject));
    for (no, e) in people.into_iter().enumerate() {
        let member = codec::member_from_text(&text(e))?;
        // A person's versions under this household only: one that moved here later is not
        // part of it before then.
        if member.household_id != household.id {
            continue;
        }
        members.push(MemberRecord {
            member,
            member_no: no as i64,
            version: e.version,
            valid_from: e.valid_from.clone(),
        });
    }
    Ok(Some(HouseholdRecord {
        household,
        version: h.version,
        valid_from: h.valid_from.clone(),
        change: h.change.clone(),
        members,
    }))
}
