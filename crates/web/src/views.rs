//! What the API and the pages show of registry records. Built from store records; the
//! interchange column names are the field names.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use selaras_domain::access::{authorize, Decision, Permission};
use selaras_domain::{Date, RegionCode};
use selaras_regions::RegionTable;
use selaras_store::{HouseholdRecord, MemberRecord, VersionEntry};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionView {
    pub code: String,
    pub name: Option<String>,
    /// From the province down to the region itself.
    pub path: Vec<RegionName>,
}

impl RegionView {
    pub fn new(table: &RegionTable, code: &RegionCode) -> RegionView {
        RegionView {
            code: code.to_string(),
            name: table.name(code).map(String::from),
            path: table
                .path_names(code)
                .into_iter()
                .map(|(c, n)| RegionName {
                    code: c.to_string(),
                    name: n.to_string(),
                })
                .collect(),
        }
    }

    /// "Jawa Tengah › Kabupaten Sragen › … (33.14.01.2001)".
    pub fn label(&self) -> String {
        let names: Vec<&str> = self.path.iter().map(|r| r.name.as_str()).collect();
        format!("{} ({})", names.join(" › "), self.code)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub id: i64,
    pub at: String,
    pub actor: String,
    /// `import`, `case`, `user` or `system`.
    pub kind: String,
    pub reference: Option<String>,
}

impl From<&selaras_store::Change> for ChangeView {
    fn from(c: &selaras_store::Change) -> Self {
        ChangeView {
            id: c.id,
            at: c.at.clone(),
            actor: c.actor.clone(),
            kind: c.kind.code().into(),
            reference: c.reference.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub nik: String,
    pub kk_number: String,
    pub name: String,
    pub relation: String,
    pub sex: String,
    pub birth_date: String,
    pub age: i32,
    pub exit_state: Option<String>,
    pub version: i64,
    pub valid_from: String,
    /// Every column of members.csv, as interchange text (empty = unknown).
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HouseholdView {
    pub household_id: String,
    pub region: RegionView,
    pub exit_state: Option<String>,
    pub version: i64,
    pub valid_from: String,
    pub changed_by: ChangeView,
    /// Every column of households.csv, as interchange text (empty = unknown).
    pub fields: BTreeMap<String, String>,
    pub members: Vec<MemberView>,
    /// Ranking editions that ranked the household, newest first.
    pub ranks: Vec<RankView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub person: MemberView,
    pub household: HouseholdView,
    /// The household's ranking editions, newest first (as in `household.ranks`).
    pub ranks: Vec<RankView>,
    /// Every program: the household's enrolment and the verdicts for the household (its
    /// programs) and for this person (member programs).
    pub programs: Vec<ProgramView>,
    /// Open cases about the person's household that the caller may see.
    pub open_cases: Vec<crate::casework::CaseView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionView {
    /// `household` or a member's NIK.
    pub subject: String,
    pub version: i64,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub changed_by: ChangeView,
    /// Fields that differ from the previous version of the same subject (all for the first).
    pub changed_fields: BTreeMap<String, String>,
}

pub fn today() -> Date {
    selaras_store::today_utc()
}

fn text_fields(
    values: Vec<selaras_domain::registry::Value<'_>>,
    cols: &[selaras_domain::registry::Column],
) -> BTreeMap<String, String> {
    cols.iter()
        .zip(values)
        .map(|(c, v)| (c.name.to_string(), v.to_string()))
        .collect()
}

pub fn member_view(m: &MemberRecord, on: Date) -> MemberView {
    let p = &m.member;
    MemberView {
        nik: p.nik.to_string(),
        kk_number: p.kk_number.to_string(),
        name: p.name.clone(),
        relation: p.relation.code().into(),
        sex: p.sex.code().into(),
        birth_date: p.birth_date.to_string(),
        age: p.age_on(on),
        exit_state: p.exit.map(|e| e.code().into()),
        version: m.version,
        valid_from: m.valid_from.clone(),
        fields: text_fields(p.values(), selaras_domain::registry::MEMBER_COLUMNS),
    }
}

pub fn household_view(table: &RegionTable, r: &HouseholdRecord) -> HouseholdView {
    let on = today();
    HouseholdView {
        household_id: r.household.id.to_string(),
        region: RegionView::new(table, &r.household.region),
        exit_state: r.household.exit.map(|e| e.code().into()),
        version: r.version,
        valid_from: r.valid_from.clone(),
        changed_by: (&r.change).into(),
        fields: text_fields(
            r.household.values(),
            selaras_domain::registry::HOUSEHOLD_COLUMNS,
        ),
        members: r.members.iter().map(|m| member_view(m, on)).collect(),
        ranks: Vec::new(),
    }
}

/// History, newest first, each entry with only what changed from the version before it.
pub fn history_view(entries: &[VersionEntry]) -> Vec<VersionView> {
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let previous = entries
            .iter()
            .find(|p| p.subject == e.subject && p.version == e.version - 1);
        let changed_fields = e
            .fields
            .iter()
            .filter(|(k, v)| {
                previous.is_none_or(|p| {
                    p.fields
                        .iter()
                        .find(|(pk, _)| pk == k)
                        .is_none_or(|(_, pv)| pv != v)
                })
            })
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        out.push(VersionView {
            subject: e.subject.clone(),
            version: e.version,
            valid_from: e.valid_from.clone(),
            valid_to: e.valid_to.clone(),
            changed_by: (&e.change).into(),
            changed_fields,
        });
    }
    out
}

/// Loads a household the caller may read; 404 when absent or outside their region.
pub async fn readable_household(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<HouseholdRecord> {
    let rec = state.store.household(id).await?.ok_or(ApiError::NotFound)?;
    match authorize(
        &caller.principal,
        Permission::ReadPersonalData,
        Some(&rec.household.region),
    ) {
        Decision::Allow => {
            crate::audit::record(
                state,
                Some(caller),
                "read.household",
                &format!("household:{id}"),
                rec.household.region.as_str(),
                "",
            )
            .await?;
            Ok(rec)
        }
        Decision::Forbidden => Err(ApiError::Forbidden),
        Decision::NotFound => Err(ApiError::NotFound),
    }
}

/// The household id behind a NIK the caller may read.
pub async fn household_id_of(state: &AppState, nik: &str) -> ApiResult<String> {
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::BadRequest("nik must be 16 digits".into()));
    }
    state
        .store
        .household_of_person(nik)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A household's place in one ranking edition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankView {
    pub edition: i64,
    pub model_id: String,
    pub model_version: i64,
    /// The registry state ranked: right after this change, at this time.
    pub snapshot_change: i64,
    pub snapshot_at: String,
    pub created_at: String,
    /// The segment's region prefix, or `default`.
    pub segment: String,
    /// Rounded to 6 decimals; `null` when the household could not be scored.
    pub score: Option<f64>,
    pub predicted_consumption: Option<f64>,
    pub national_rank: Option<i64>,
    /// Households ranked nationally in this edition.
    pub ranked: i64,
    pub national_percentile: Option<i64>,
    pub national_decile: Option<i64>,
    pub province_decile: Option<i64>,
    pub regency_decile: Option<i64>,
    pub imputed: bool,
    /// Why it has no score: `no_members`, `no_head` or `several_heads`.
    pub unscored: Option<String>,
}

/// Every edition that ranked the household, newest first.
pub async fn rank_views(state: &AppState, id: &str) -> ApiResult<Vec<RankView>> {
    Ok(state
        .store
        .household_ranks(id)
        .await?
        .into_iter()
        .map(|(e, r)| RankView {
            edition: e.id,
            model_id: e.model_id,
            model_version: e.model_version,
            snapshot_change: e.snapshot_change,
            snapshot_at: e.snapshot_at,
            created_at: e.created_at,
            segment: r.segment,
            score: r.score,
            predicted_consumption: r.score.map(f64::exp),
            national_rank: r.national_rank,
            ranked: e.ranked,
            national_percentile: r.national_percentile,
            national_decile: r.national_decile,
            province_decile: r.province_decile,
            regency_decile: r.regency_decile,
            imputed: r.imputed,
            unscored: r.unscored,
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermView {
    /// The model variable.
    pub var: String,
    /// The household's value (empty: unknown, the term adds 0).
    pub value: String,
    /// What the term adds to the score.
    pub contribution: f64,
}

/// Why a household scored what it scored in an edition: every term's part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExplanationView {
    pub rank: RankView,
    pub intercept: f64,
    pub terms: Vec<TermView>,
    /// Region effects whose key is a prefix of the household's region.
    pub region_effects: Vec<TermView>,
    /// intercept + terms + region effects, rounded to 6 decimals: equals `rank.score`.
    pub score: Option<f64>,
}

impl RankView {
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

/// The explanation of household `id`'s score in the edition of `rank` (one of
/// [`rank_views`]), rebuilt from the household as it stood at the edition's snapshot.
pub async fn explanation(state: &AppState, id: &str, rank: RankView) -> ApiResult<ExplanationView> {
    let stored = state
        .store
        .model(&rank.model_id, Some(rank.model_version))
        .await?
        .ok_or(ApiError::NotFound)?;
    let model = selaras_domain::pmt::Model::from_json(&stored.body).map_err(|e| {
        ApiError::Internal(format!(
            "stored model {} version {}: {e}",
            stored.id, stored.version
        ))
    })?;
    let versions = state.store.history(id).await?;
    let rec = selaras_store::record_at_change(&versions, rank.snapshot_change)?
        .ok_or(ApiError::NotFound)?;
    let members: Vec<_> = rec.members.iter().map(|m| m.member.clone()).collect();
    let x = model.explain(&rec.household, &members);
    Ok(ExplanationView {
        intercept: x.intercept,
        terms: x
            .terms
            .into_iter()
            .map(|c| TermView {
                var: c.var.into(),
                value: c.value,
                contribution: c.amount,
            })
            .collect(),
        region_effects: x
            .region_effects
            .into_iter()
            .map(|(region, amount)| TermView {
                var: "region_effect".into(),
                value: region,
                contribution: amount,
            })
            .collect(),
        score: x.score,
        rank,
    })
}

/// One comparison a rule made, for explanations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckView {
    /// The comparison as written in the rule.
    pub clause: String,
    /// The values it read (`name = value`).
    pub values: Vec<String>,
    /// `true` met, `false` not met, `null` unknown.
    pub passed: Option<bool>,
}

/// A unit's verdict under a program's rule, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VerdictView {
    /// The member's NIK (member programs); `null` for the household.
    pub nik: Option<String>,
    /// `true` eligible, `false` not, `null` undecided (an unknown value).
    pub eligible: Option<bool>,
    /// "memenuhi" or the first condition not met (or unknown), in Indonesian.
    pub reason: String,
    /// The unit's latest participant-list entry: enrolled (`true`) or exited (`false`);
    /// `null` when no list names it.
    pub enrolled: Option<bool>,
    /// The month of that entry (`YYYY-MM`).
    pub enrolled_period: Option<String>,
    pub checks: Vec<CheckView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramView {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// `household` or `member`.
    pub unit: String,
    pub rule: String,
    /// Enrolled: the household's latest participant-list entry for the program, else
    /// its participation flag (programs that have one); `null` when neither says.
    pub enrolled: Option<bool>,
    /// One verdict for a household program; one per active member otherwise.
    pub verdicts: Vec<VerdictView>,
    /// Under a quota: the household's units in the newest eligibility run's list,
    /// selected or waiting, with their positions.
    pub quota: Vec<QuotaView>,
}

/// A unit's place in a program's quota list of an eligibility run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotaView {
    pub run: i64,
    pub program: String,
    /// The region the quota covers.
    pub quota_region: String,
    pub household_id: String,
    /// Empty for household programs.
    pub nik: String,
    pub national_rank: Option<i64>,
    /// `selected` or `waiting`.
    pub status: String,
    /// 1-based place in that list (the waiting list for `waiting`).
    pub position: i64,
}

impl From<&selaras_store::QuotaEntry> for QuotaView {
    fn from(q: &selaras_store::QuotaEntry) -> Self {
        QuotaView {
            run: q.run_id,
            program: q.program.clone(),
            quota_region: q.quota_region.clone(),
            household_id: q.household_id.clone(),
            nik: q.nik.clone(),
            national_rank: q.national_rank,
            status: if q.selected { "selected" } else { "waiting" }.into(),
            position: q.position,
        }
    }
}

fn reason(r: Option<bool>, checks: &[selaras_domain::rules::Check]) -> String {
    let why = |c: &selaras_domain::rules::Check| {
        if c.values.is_empty() {
            c.clause.clone()
        } else {
            format!("{} ({})", c.clause, c.values.join(", "))
        }
    };
    match r {
        Some(true) => "memenuhi semua syarat".into(),
        Some(false) => checks
            .iter()
            .rev()
            .find(|c| c.passed == Some(false))
            .map_or("tidak memenuhi".into(), |c| {
                format!("tidak memenuhi: {}", why(c))
            }),
        None => checks
            .iter()
            .find(|c| c.passed.is_none())
            .map_or("belum dapat diputuskan".into(), |c| {
                format!("belum dapat diputuskan, data tidak diketahui: {}", why(c))
            }),
    }
}

/// Every program of the default catalogue for one household: eligible or not and why
/// (ranks of the newest of its editions, `ranks` as [`rank_views`] gives them; ages
/// today), and enrolment.
pub async fn program_views(
    state: &AppState,
    rec: &HouseholdRecord,
    ranks: &[RankView],
) -> ApiResult<Vec<ProgramView>> {
    use selaras_domain::rules::{Facts, RecordFacts, Unit, Val, Var};
    let id = rec.household.id.to_string();
    let rank = ranks.first().and_then(RankView::rank_facts);
    let members: Vec<_> = rec.members.iter().map(|m| m.member.clone()).collect();
    let facts = RecordFacts::new(&rec.household, &members, today(), rank);
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    let history = state.store.participation(&id).await?;
    // The household's places in the newest run's quota lists.
    let quota: Vec<QuotaView> = state
        .store
        .quota_units(None, Some(&id))
        .await?
        .iter()
        .map(Into::into)
        .collect();
    // The latest entry of a program for a person (`Some(nik)`) or for the household.
    let latest = |program: &str, nik: Option<&str>| {
        history
            .iter()
            .rev()
            .find(|p| p.program == program && p.nik.as_deref() == nik)
            .map(|p| (p.status == "enrolled", p.period.clone()))
    };
    let verdict = |program: &str,
                   nik: Option<String>,
                   member: Option<usize>,
                   rule: &selaras_domain::rules::Rule| {
        let (r, checks) = rule.explain(&facts, member);
        let entry = latest(program, nik.as_deref());
        VerdictView {
            enrolled: entry.as_ref().map(|e| e.0),
            enrolled_period: entry.map(|e| e.1),
            nik,
            eligible: r,
            reason: reason(r, &checks),
            checks: checks
                .into_iter()
                .map(|c| CheckView {
                    clause: c.clause,
                    values: c.values,
                    passed: c.passed,
                })
                .collect(),
        }
    };
    Ok(catalogue
        .programs
        .iter()
        .map(|p| ProgramView {
            code: p.code.clone(),
            name_id: p.name_id.clone(),
            name_en: p.name_en.clone(),
            unit: p.unit.code().into(),
            rule: p.rule.text.clone(),
            enrolled: latest(&p.code, None).map(|e| e.0).or_else(|| {
                p.participation_flag
                    .map(|c| facts.value(Var::Household(c), None) == Val::Bool(true))
            }),
            verdicts: match p.unit {
                Unit::Household => vec![verdict(&p.code, None, None, &p.rule)],
                Unit::Member => facts
                    .niks()
                    .iter()
                    .enumerate()
                    .map(|(k, nik)| verdict(&p.code, Some(nik.clone()), Some(k), &p.rule))
                    .collect(),
            },
            quota: quota
                .iter()
                .filter(|q| q.program == p.code)
                .cloned()
                .collect(),
        })
        .collect())
}

/// A program of the catalogue, as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueProgramView {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    /// `central`, `province`, `regency` or `non_government`.
    pub owner_level: String,
    pub owner: String,
    /// `household` or `member`.
    pub unit: String,
    /// `cash`, `in_kind`, `service` or `insurance`.
    pub benefit_kind: String,
    /// Whole rupiah per unit and period; `null` where the sources give none.
    pub benefit_amount_rupiah: Option<i64>,
    pub benefit_period: Option<String>,
    pub benefit_note: Option<String>,
    /// Region code → units that may be enrolled.
    pub quotas: BTreeMap<String, u64>,
    pub participation_flag: Option<String>,
    /// The eligibility rule, in the rule language.
    pub rule: String,
}

impl From<&selaras_domain::programs::Program> for CatalogueProgramView {
    fn from(p: &selaras_domain::programs::Program) -> Self {
        CatalogueProgramView {
            code: p.code.clone(),
            name_id: p.name_id.clone(),
            name_en: p.name_en.clone(),
            owner_level: p.owner_level.code().into(),
            owner: p.owner.clone(),
            unit: p.unit.code().into(),
            benefit_kind: p.benefit.kind.code().into(),
            benefit_amount_rupiah: p.benefit.amount.map(|r| r.0),
            benefit_period: p.benefit.period.clone(),
            benefit_note: p.benefit.note.clone(),
            quotas: p.quotas.iter().map(|(r, n)| (r.to_string(), *n)).collect(),
            participation_flag: p
                .participation_flag
                .map(|i| selaras_domain::registry::HOUSEHOLD_COLUMNS[i].name.into()),
            rule: p.rule.text.clone(),
        }
    }
}

/// A stored version of the program catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueVersionView {
    pub version: i64,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
    /// The version in force when it was drafted (`null`: the shipped catalogue).
    pub based_on: Option<i64>,
    /// `draft`, `published` (in force) or `superseded`.
    pub status: String,
    pub dry_run_at: Option<String>,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    pub digest: String,
}

impl CatalogueVersionView {
    pub fn new(v: &selaras_store::CatalogueVersion, in_force: Option<i64>) -> Self {
        CatalogueVersionView {
            version: v.version,
            note: v.note.clone(),
            created_at: v.created_at.clone(),
            created_by: v.created_by.clone(),
            based_on: v.based_on,
            status: if in_force == Some(v.version) {
                "published"
            } else if v.published_at.is_some() {
                "superseded"
            } else {
                "draft"
            }
            .into(),
            dry_run_at: v.dry_run_at.clone(),
            published_at: v.published_at.clone(),
            published_by: v.published_by.clone(),
            digest: v.digest.clone(),
        }
    }
}

/// The catalogue's versions and the one in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueStateView {
    /// `null`: the shipped default catalogue is in force.
    pub in_force: Option<i64>,
    pub versions: Vec<CatalogueVersionView>,
}

/// One version with its programs and, once run, its dry run.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueDetailView {
    #[serde(flatten)]
    pub version: CatalogueVersionView,
    pub programs: Vec<CatalogueProgramView>,
    /// Programs whose rule, quota or unit differ from the catalogue in force (by code;
    /// added and removed ones included).
    pub changed_programs: Vec<String>,
    pub dry_run: Option<Vec<DryRunView>>,
}

/// A dry run's line: a program's households and people in one regency that would gain
/// or lose eligibility.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct DryRunView {
    pub regency: String,
    pub program: String,
    pub households_gaining: u64,
    pub households_losing: u64,
    pub people_gaining: u64,
    pub people_losing: u64,
}

impl From<&selaras_batch::eligibility::DryRunRow> for DryRunView {
    fn from(r: &selaras_batch::eligibility::DryRunRow) -> Self {
        DryRunView {
            regency: r.regency.clone(),
            program: r.program.clone(),
            households_gaining: r.households_gaining,
            households_losing: r.households_losing,
            people_gaining: r.people_gaining,
            people_losing: r.people_losing,
        }
    }
}

/// The codes of programs that differ between two catalogues (added, removed, or with
/// another rule, unit, quota or participation flag), in `new`'s order then `old`'s.
pub fn changed_programs(
    old: &selaras_domain::programs::Catalogue,
    new: &selaras_domain::programs::Catalogue,
) -> Vec<String> {
    let same = |a: &selaras_domain::programs::Program, b: &selaras_domain::programs::Program| {
        a.rule.text == b.rule.text
            && a.unit == b.unit
            && a.quotas == b.quotas
            && a.participation_flag == b.participation_flag
    };
    let mut out: Vec<String> = new
        .programs
        .iter()
        .filter(|p| old.program(&p.code).is_none_or(|o| !same(o, p)))
        .map(|p| p.code.clone())
        .collect();
    out.extend(
        old.programs
            .iter()
            .filter(|p| new.program(&p.code).is_none())
            .map(|p| p.code.clone()),
    );
    out
}

pub async fn catalogue_detail(state: &AppState, n: i64) -> ApiResult<CatalogueDetailView> {
    Ok(catalogue_detail_with_current(state, n).await?.0)
}

/// [`catalogue_detail`] and the catalogue in force, from one read of the versions.
pub async fn catalogue_detail_with_current(
    state: &AppState,
    n: i64,
) -> ApiResult<(CatalogueDetailView, selaras_domain::programs::Catalogue)> {
    let versions = state.store.catalogues().await?;
    let v = versions
        .iter()
        .find(|v| v.version == n)
        .ok_or(ApiError::NotFound)?;
    let (in_force, current) = selaras_batch::catalogue::in_force_of(&versions)?;
    let c = selaras_domain::programs::Catalogue::from_json(&v.body)
        .map_err(|e| ApiError::Internal(format!("stored catalogue {n}: {e}")))?;
    // What it changes: against the version it was drafted from (a draft: the catalogue
    // in force).
    let base = match v.based_on {
        Some(b) => versions
            .iter()
            .find(|x| x.version == b)
            .and_then(|x| selaras_domain::programs::Catalogue::from_json(&x.body).ok())
            .unwrap_or_else(|| current.clone()),
        None if v.published_at.is_some() => selaras_domain::programs::Catalogue::shipped().clone(),
        None => current.clone(),
    };
    let detail = CatalogueDetailView {
        version: CatalogueVersionView::new(v, in_force),
        changed_programs: changed_programs(&base, &c),
        programs: c.programs.iter().map(Into::into).collect(),
        dry_run: v
            .dry_run
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok()),
    };
    Ok((detail, current))
}

/// A stored eligibility run; 404 when there is none with this id.
pub async fn run_of(state: &AppState, id: i64) -> ApiResult<selaras_store::EligibilityRun> {
    state
        .store
        .eligibility_run(id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A run's quota units the caller may read (named people: roles that read personal data,
/// inside their region), optionally of one program.
pub async fn visible_quota(
    state: &AppState,
    caller: &Caller,
    run: i64,
    program: Option<&str>,
) -> ApiResult<Vec<selaras_store::QuotaEntry>> {
    require(caller, Permission::ReadPersonalData)?;
    crate::audit::record(
        state,
        Some(caller),
        "read.quota",
        &format!("eligibility_run:{run}"),
        caller.principal.scope.prefix(),
        program.unwrap_or(""),
    )
    .await?;
    let mut units = state.store.quota_units(Some(run), None).await?;
    units.retain(|u| {
        program.is_none_or(|p| u.program == p)
            && RegionCode::parse(&u.region).is_ok_and(|r| {
                authorize(&caller.principal, Permission::ReadPersonalData, Some(&r))
                    == Decision::Allow
            })
    });
    Ok(units)
}

/// An eligibility run: the edition and catalogue it used, and its tables, limited to
/// the regencies that meet the caller's region.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EligibilityRunView {
    pub id: i64,
    pub edition: i64,
    /// `null`: the shipped catalogue.
    pub catalogue_version: Option<i64>,
    pub as_of: String,
    pub created_at: String,
    pub created_by: String,
    /// National figures per program (only for callers with a national region).
    pub summary: Option<Vec<SummaryView>>,
    pub gaps: Vec<GapView>,
    pub combinations: Vec<ComboView>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct SummaryView {
    pub program: String,
    pub unit: String,
    pub eligible_units: u64,
    pub eligible_households: u64,
    pub enrolled_households: Option<u64>,
    pub eligible_not_enrolled: Option<u64>,
    pub enrolled_not_eligible: Option<u64>,
}

/// Per regency and program with a participation flag: eligible, enrolled, exclusion
/// (eligible, not enrolled) and inclusion (enrolled, not eligible) counts of households.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct GapView {
    pub regency: String,
    pub program: String,
    pub eligible_households: u64,
    pub enrolled_households: u64,
    pub eligible_not_enrolled: u64,
    pub enrolled_not_eligible: u64,
}

/// Households of a regency that receive exactly this set of programs.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct ComboView {
    pub regency: String,
    /// `pkh+bpnt+kip`, or `none`.
    pub programs_received: String,
    pub households: u64,
}

/// Whether regency `code` and the caller's region overlap.
pub fn meets_scope(scope: &selaras_domain::RegionScope, code: &str) -> bool {
    match scope {
        selaras_domain::RegionScope::National => true,
        selaras_domain::RegionScope::Region(r) => {
            let r = r.as_str();
            r.starts_with(code) || code.starts_with(r)
        }
    }
}

pub fn run_view(
    run: &selaras_store::EligibilityRun,
    caller: &Caller,
) -> ApiResult<EligibilityRunView> {
    let scope = &caller.principal.scope;
    let parse = |what: &str, text: &str| {
        ApiError::Internal(format!("eligibility run {}: {what}: {text}", run.id))
    };
    let mut gaps: Vec<GapView> =
        serde_json::from_str(&run.gaps).map_err(|e| parse("gaps", &e.to_string()))?;
    gaps.retain(|g| meets_scope(scope, &g.regency));
    let mut combinations: Vec<ComboView> = serde_json::from_str(&run.combinations)
        .map_err(|e| parse("combinations", &e.to_string()))?;
    combinations.retain(|c| meets_scope(scope, &c.regency));
    let summary = match scope {
        selaras_domain::RegionScope::National => {
            Some(serde_json::from_str(&run.summary).map_err(|e| parse("summary", &e.to_string()))?)
        }
        _ => None,
    };
    Ok(EligibilityRunView {
        id: run.id,
        edition: run.edition_id,
        catalogue_version: run.catalogue_version,
        as_of: run.as_of.clone(),
        created_at: run.created_at.clone(),
        created_by: run.created_by.clone(),
        summary,
        gaps,
        combinations,
    })
}

/// Checks that the caller's role has `perm` (an action without a place).
pub fn require(caller: &Caller, perm: Permission) -> ApiResult<()> {
    match authorize(&caller.principal, perm, None) {
        Decision::Allow => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// The one region a view is about (`region` parameter): the caller's own by default, else
/// `national` or a code of the region table, inside the caller's region and with `perm`
/// there — decided by the authorizer (404 outside, 403 without `perm`, 422 malformed or
/// unknown, naming `region`).
pub fn region_param(
    state: &AppState,
    c: &Caller,
    asked: Option<&str>,
    perm: Permission,
) -> ApiResult<selaras_domain::RegionScope> {
    region_param_by(state, c, asked, |target| {
        authorize(&c.principal, perm, target)
    })
}

/// [`region_param`] with another authorizer deciding the region (`None`: the nation),
/// such as Askesos's.
pub fn region_param_by(
    state: &AppState,
    c: &Caller,
    asked: Option<&str>,
    decide: impl FnOnce(Option<&RegionCode>) -> Decision,
) -> ApiResult<selaras_domain::RegionScope> {
    use selaras_domain::RegionScope;
    let invalid = |detail: String| ApiError::Invalid {
        field: "region".into(),
        detail,
    };
    let region = match asked.map(str::trim).filter(|s| !s.is_empty()) {
        None => c.principal.scope,
        Some(s) => RegionScope::parse(s).map_err(|_| {
            invalid(format!(
                "{s:?} is not a region: give `national` or a region code such as 33.14"
            ))
        })?,
    };
    let target = match region {
        RegionScope::National => {
            if c.principal.scope != RegionScope::National {
                return Err(ApiError::NotFound);
            }
            None
        }
        RegionScope::Region(code) => {
            if !state.regions.contains(&code) {
                return Err(invalid(format!(
                    "there is no region {code} in the region table"
                )));
            }
            Some(code)
        }
    };
    match decide(target.as_ref()) {
        Decision::Allow => Ok(region),
        Decision::Forbidden => Err(ApiError::Forbidden),
        Decision::NotFound => Err(ApiError::NotFound),
    }
}

/// The region a list's `region` parameter narrows to: `None` for the caller's whole region
/// (no parameter, or a region that contains the caller's), 404 for a region outside it,
/// 422 for a malformed code.
pub fn narrowed(c: &Caller, asked: Option<&str>) -> ApiResult<Option<RegionCode>> {
    use selaras_domain::RegionScope;
    let Some(r) = asked.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let code = RegionCode::parse(r).map_err(|e| ApiError::Invalid {
        field: "region".into(),
        detail: e.to_string(),
    })?;
    match &c.principal.scope {
        RegionScope::National => Ok(Some(code)),
        RegionScope::Region(mine) if mine.contains(&code) => Ok(Some(code)),
        RegionScope::Region(mine) if code.contains(mine) => Ok(None),
        RegionScope::Region(_) => Err(ApiError::NotFound),
    }
}
