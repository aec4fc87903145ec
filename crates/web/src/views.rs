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

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub person: MemberView,
    pub household: HouseholdView,
    /// Ranking editions (filled once ranking runs exist).
    #[schema(value_type = Vec<Object>)]
    pub ranks: Vec<serde_json::Value>,
    /// Programs: eligible / enrolled (filled once eligibility runs exist).
    #[schema(value_type = Vec<Object>)]
    pub programs: Vec<serde_json::Value>,
    /// Open cases about this person (filled once cases exist).
    #[schema(value_type = Vec<Object>)]
    pub open_cases: Vec<serde_json::Value>,
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
    Date::from(time::OffsetDateTime::now_utc().date())
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
        Decision::Allow => Ok(rec),
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
