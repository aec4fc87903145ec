//! The SLRT case service, shared by the API and the pages: opening a case, reading it,
//! taking an action, listing the cases a caller may see. Every read and action goes
//! through `cases::visible` (region, program, route) and `cases::apply` (role, state,
//! fields); this module adds what needs the store: the household's region, the catalogue
//! (needs and referrals name programs), the settings (categories, service levels), the
//! registry change a resolved data case makes, and the message to the family, queued with
//! the action in one transaction.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::access::{authorize, Decision, Permission, Role};
use selaras_domain::cases::{self, Action, Actor, Case, CaseKind, CaseState, Request, Route};
use selaras_domain::casework::{self, CaseSettings, Deadline};
use selaras_domain::proposal::{self, Proposal};
use selaras_domain::registry::HouseholdId;
use selaras_domain::RegionCode;
use selaras_store::{
    CaseEvent, CaseFilter, CaseRecord, CaseTransition, ChangeKind, NewCase, NewChange, NewMessage,
    Unit,
};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::views::RegionView;
use crate::AppState;

/// How a case reached the service: (code, Indonesian, English).
pub const CHANNELS: &[(&str, &str, &str)] = &[
    ("walk_in", "Datang langsung ke Puskesos/SLRT", "Walk-in"),
    ("home_visit", "Kunjungan rumah", "Home visit"),
    ("phone", "Telepon atau SMS", "Phone"),
    ("letter", "Surat", "Letter"),
    ("online", "Daring", "Online"),
];

pub const DESCRIPTION_MAX: usize = 2_000;
pub const PAGE_SIZE: i64 = 50;

/// `POST /api/v1/cases`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseRequest {
    /// `complaint`, `need`, `update` or `registration`.
    pub kind: String,
    /// The household concerned (or `nik`); absent for a registration.
    pub household_id: Option<String>,
    /// A person of the household concerned (or `household_id`).
    pub nik: Option<String>,
    /// A complaint's, update's or registration's category from the settings; for a
    /// need, the code of the program asked for.
    pub category: String,
    pub description: String,
    /// `walk_in`, `home_visit`, `phone`, `letter` or `online`.
    pub channel: String,
    /// The family's phone number for status messages.
    pub contact: Option<String>,
    /// Registration: the new household and its members; update: the changed columns
    /// (interchange column names): `{"household": {...}, "members": [{...}]}`.
    #[schema(value_type = Option<Object>)]
    pub proposed: Option<serde_json::Value>,
}

/// `POST /api/v1/cases/{id}/actions`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    /// `submit`, `return`, `verify`, `refer`, `forward`, `review`, `accept`, `reject`,
    /// `resolve` or `close`.
    pub action: String,
    /// Required for `reject` (why) and `close` (what the family was told).
    pub note: Option<String>,
    /// For `refer`: the program the case goes to.
    pub program: Option<String>,
    /// The case version the caller saw; a newer case refuses the action (409).
    pub version: Option<i64>,
}

/// `GET /api/v1/cases`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// A case state (`submitted`, `referred`, …).
    pub status: Option<String>,
    pub kind: Option<String>,
    /// A region code inside the caller's region.
    pub region: Option<String>,
    /// Only open cases past their due time.
    pub overdue: Option<bool>,
    /// Only the cases the caller can act on now, soonest due first.
    pub mine: Option<bool>,
    pub household_id: Option<String>,
    /// From 1; 50 cases a page.
    pub page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    pub program: String,
    pub program_name: Option<String>,
    /// `central`, `province`, `regency` or `non_government`.
    pub level: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub action_label: String,
    pub from: String,
    pub to: String,
    pub to_label: String,
    pub note: Option<String>,
    pub program: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub at: String,
    pub recipient: String,
    pub channel: String,
    pub body: String,
    pub status: String,
    pub attempts: i64,
}

/// A proposed person already in the registry: the registration links to them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub nik: String,
    pub household_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: i64,
    /// `SLRT-000042`: what the family and letters show.
    pub number: String,
    pub kind: String,
    pub kind_label: String,
    pub category: String,
    pub category_label: String,
    pub description: String,
    pub channel: String,
    pub household_id: Option<String>,
    pub nik: Option<String>,
    pub contact: Option<String>,
    pub region: RegionView,
    pub status: String,
    pub status_label: String,
    pub next_step: String,
    /// UTC, RFC 3339; none for drafts and closed cases.
    pub due_at: Option<String>,
    pub overdue: bool,
    /// Roles an overdue case is escalated to.
    pub escalated_to: Vec<String>,
    pub referral: Option<ReferralView>,
    #[schema(value_type = Option<Object>)]
    pub proposed: Option<serde_json::Value>,
    /// Registration: proposed people already in the registry.
    pub links: Vec<LinkView>,
    /// The registry change a resolved data case made.
    pub applied_change: Option<i64>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub version: i64,
    /// The actions the caller may take now.
    pub actions: Vec<String>,
    pub history: Vec<EventView>,
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseListView {
    pub page: i64,
    pub page_size: i64,
    pub cases: Vec<CaseView>,
}

use crate::error::invalid;

/// The settings in force (the defaults until an administrator saves some).
pub async fn settings(state: &AppState) -> ApiResult<CaseSettings> {
    match state.store.case_settings().await? {
        Some((_, body)) => serde_json::from_str(&body)
            .map_err(|e| ApiError::Internal(format!("stored case settings unreadable: {e}"))),
        None => Ok(CaseSettings::default()),
    }
}

/// Saves new settings after checking them (422 names the field).
pub async fn put_settings(state: &AppState, caller: &Caller, s: &CaseSettings) -> ApiResult<i64> {
    crate::views::require(caller, Permission::ManageService)?;
    s.check().map_err(|(f, d)| invalid(&f, d))?;
    let body = serde_json::to_string(s).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(state
        .store
        .put_case_settings(&body, &caller.principal.username)
        .await?)
}

/// The domain's view of a stored case.
pub fn domain_case(r: &CaseRecord) -> ApiResult<Case> {
    let bad = || ApiError::Internal(format!("case {} has an unknown kind or state", r.id));
    Ok(Case {
        kind: CaseKind::parse(&r.kind).ok_or_else(bad)?,
        state: CaseState::parse(&r.state).ok_or_else(bad)?,
        route: match (r.route.as_deref(), &r.program) {
            (Some("referral"), Some(p)) => Some(Route::Referral { program: p.clone() }),
            (Some("forward"), _) => Some(Route::Forward),
            _ => None,
        },
    })
}

fn region_of(r: &CaseRecord) -> ApiResult<RegionCode> {
    RegionCode::parse(&r.region)
        .map_err(|_| ApiError::Internal(format!("case {} has a bad region", r.id)))
}

fn decide(d: Decision) -> ApiResult<()> {
    match d {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ApiError::Forbidden),
        Decision::NotFound => Err(ApiError::NotFound),
    }
}

/// A case the caller may see, or 404 (absent or outside) / 403 (viewers); the read is
/// audited.
pub async fn load_visible(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> ApiResult<(CaseRecord, Case)> {
    let (rec, case) = load_checked(state, caller, id).await?;
    audit_case(state, caller, "read.case", &rec, "").await?;
    Ok((rec, case))
}

async fn audit_case(
    state: &AppState,
    caller: &Caller,
    action: &str,
    rec: &CaseRecord,
    detail: &str,
) -> ApiResult<()> {
    crate::audit::record(
        state,
        Some(caller),
        action,
        &format!("case:{}", rec.id),
        &rec.region,
        detail,
    )
    .await
}

async fn load_checked(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(CaseRecord, Case)> {
    let rec = state.store.case(id).await?.ok_or(ApiError::NotFound)?;
    let case = domain_case(&rec)?;
    decide(cases::visible(
        &caller.principal,
        &region_of(&rec)?,
        case.route.as_ref(),
    ))?;
    Ok((rec, case))
}

fn actor(caller: &Caller) -> Actor<'_> {
    Actor {
        role: caller.principal.role,
        program: caller.principal.program.as_deref(),
    }
}

fn plain_text(field: &str, v: &str, max: usize, required: bool) -> ApiResult<()> {
    if required && v.trim().is_empty() {
        return Err(invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(invalid(field, format!("longer than {max} characters")));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(invalid(field, "has control characters"));
    }
    Ok(())
}

/// A phone number as given: digits with an optional leading `+`, 8 to 15 digits.
fn check_contact(c: &str) -> ApiResult<String> {
    let c = c.trim();
    let digits = c.strip_prefix('+').unwrap_or(c);
    if (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(c.to_string())
    } else {
        Err(invalid(
            "contact",
            "a phone number of 8 to 15 digits, e.g. 081234567890",
        ))
    }
}

/// A fresh household id for a registration.
fn registration_id(seq: u64) -> HouseholdId {
    HouseholdId::parse(&format!("REG-{seq:08}")).expect("REG- ids are valid")
}

/// Opens a case in `draft` after checking every field (422 names it) and that the
/// household is inside the caller's region (404 otherwise, as if absent).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    req: &NewCaseRequest,
) -> ApiResult<CaseRecord> {
    // Roles that never open cases learn so before anything is looked up.
    crate::views::require(caller, Permission::RecordCase)?;
    let kind = CaseKind::parse(req.kind.trim())
        .ok_or_else(|| invalid("kind", "one of complaint, need, update, registration"))?;
    let channel = req.channel.trim();
    if !CHANNELS.iter().any(|(c, _, _)| *c == channel) {
        let codes: Vec<&str> = CHANNELS.iter().map(|c| c.0).collect();
        return Err(invalid("channel", format!("one of {}", codes.join(", "))));
    }
    plain_text("description", &req.description, DESCRIPTION_MAX, true)?;
    let contact = req
        .contact
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(check_contact)
        .transpose()?;
    let category = req.category.trim();
    let settings = settings(state).await?;
    match settings.categories(kind) {
        Some(list) => {
            if !list.iter().any(|c| c.code == category) {
                let codes: Vec<&str> = list.iter().map(|c| c.code.as_str()).collect();
                return Err(invalid("category", format!("one of {}", codes.join(", "))));
            }
        }
        None => {
            let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
            if catalogue.program(category).is_none() {
                return Err(invalid(
                    "category",
                    "a need names the program asked for: a program code of the catalogue",
                ));
            }
        }
    }
    let proposed = match (&req.proposed, kind) {
        (None, CaseKind::Update | CaseKind::Registration) => {
            return Err(invalid("proposed", "give the proposed data"))
        }
        (Some(_), CaseKind::Complaint | CaseKind::Need) => {
            return Err(invalid(
                "proposed",
                "only data changes and registrations carry data",
            ))
        }
        (Some(v), _) => Some(Proposal::from_json(v).map_err(|e| invalid(&e.field, e.reason))?),
        (None, _) => None,
    };
    let (household_id, nik, region) = if kind == CaseKind::Registration {
        if req.household_id.is_some() || req.nik.is_some() {
            return Err(invalid(
                "household_id",
                "a registration is for a household not in the registry: give its proposed data only",
            ));
        }
        let p = proposed.as_ref().expect("checked above");
        let (h, members) = proposal::registration(p, &registration_id(0), state.regions)
            .map_err(|e| invalid(&e.field, e.reason))?;
        let head = members
            .iter()
            .find(|m| m.relation == selaras_domain::codes::Relation::Head)
            .map(|m| m.nik.to_string());
        (None, head, h.region)
    } else {
        let id = match (&req.household_id, &req.nik) {
            (Some(h), _) => h.trim().to_string(),
            (None, Some(n)) => {
                let n = n.trim();
                if n.len() != 16 || !n.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(invalid("nik", "16 digits"));
                }
                state
                    .store
                    .household_of_person(n)
                    .await?
                    .ok_or(ApiError::NotFound)?
            }
            (None, None) => {
                return Err(invalid(
                    "household_id",
                    "name the household or a person's NIK",
                ))
            }
        };
        let rec = state
            .store
            .household(&id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if let Some(n) = req.nik.as_deref().map(str::trim) {
            if !rec.members.iter().any(|m| m.member.nik.to_string() == n) {
                return Err(invalid("nik", "is not a member of that household"));
            }
        }
        if let (CaseKind::Update, Some(p)) = (kind, &proposed) {
            let members: Vec<_> = rec.members.iter().map(|m| m.member.clone()).collect();
            proposal::update(p, &rec.household, &members, state.regions)
                .map_err(|e| invalid(&e.field, e.reason))?;
        }
        (
            Some(id),
            req.nik.as_deref().map(|n| n.trim().to_string()),
            rec.household.region,
        )
    };
    decide(authorize(
        &caller.principal,
        Permission::RecordCase,
        Some(&region),
    ))?;
    let rec = state
        .store
        .create_case(&NewCase {
            kind: kind.code().into(),
            category: category.into(),
            description: req.description.trim().into(),
            channel: channel.into(),
            household_id,
            nik,
            region: region.to_string(),
            proposed: proposed.map(|p| p.to_json().to_string()),
            created_by: caller.principal.username.clone(),
            due_at: None,
            contact,
        })
        .await?;
    audit_case(
        state,
        caller,
        "case.create",
        &rec,
        &format!("{} {}", rec.kind, rec.category),
    )
    .await?;
    Ok(rec)
}

/// `now` plus `days`, as stored.
fn days_from_now(days: u32) -> String {
    selaras_store::format_ts(time::OffsetDateTime::now_utc() + time::Duration::days(days.into()))
}

/// Takes an action on a case: the case after it, or why not (nothing changes on refusal).
pub async fn act(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &ActionRequest,
) -> ApiResult<CaseRecord> {
    let (rec, case) = load_checked(state, caller, id).await?;
    let action = Action::parse(req.action.trim()).ok_or_else(|| {
        let codes: Vec<&str> = Action::ALL.iter().map(|a| a.code()).collect();
        invalid("action", format!("one of {}", codes.join(", ")))
    })?;
    if let Some(v) = req.version {
        if v != rec.version {
            return Err(ApiError::Conflict(format!(
                "the case changed since you saw it (version {v}, now {}): reload it",
                rec.version
            )));
        }
    }
    let after = cases::apply(
        &case,
        &actor(caller),
        &Request {
            action,
            note: req.note.as_deref(),
            program: req.program.as_deref(),
        },
    )
    .map_err(|e| match e {
        cases::CaseError::Forbidden { .. } => ApiError::Forbidden,
        cases::CaseError::WrongState { .. } => ApiError::Conflict(e.to_string()),
        cases::CaseError::Invalid { field, reason } => invalid(field, reason),
    })?;
    let mut level = None;
    if let Some(Route::Referral { program }) =
        after.route.as_ref().filter(|_| action == Action::Refer)
    {
        let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
        let p = catalogue
            .program(program)
            .ok_or_else(|| invalid("program", "not a program of the catalogue in force"))?;
        level = Some(p.owner_level.code().to_string());
    }
    let (household_id, applied_change) = if action == Action::Resolve {
        apply_data(state, caller, &rec, case.kind).await?
    } else {
        (None, None)
    };
    let levels = settings(state).await?.service_levels;
    let due_at = match casework::deadline(after.state, &levels) {
        Deadline::Days(d) => Some(days_from_now(d)),
        Deadline::Keep => rec.due_at.clone(),
        Deadline::None => None,
    };
    let note = req.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let message = casework::notifies_family(action).then(|| NewMessage {
        recipient: rec.contact.clone().unwrap_or_default(),
        channel: if rec.contact.is_some() { "sms" } else { "log" }.into(),
        body: casework::family_message(
            &casework::case_number(rec.id),
            after.state,
            // The family reads the closing feedback and the reason for a rejection.
            note.filter(|_| matches!(action, Action::Close | Action::Reject)),
        ),
    });
    let (route, program) = match &after.route {
        Some(Route::Referral { program }) => (Some("referral".to_string()), Some(program.clone())),
        Some(Route::Forward) => (Some("forward".to_string()), None),
        None => (None, None),
    };
    let done = state
        .store
        .transition_case(&CaseTransition {
            case_id: rec.id,
            expected_version: rec.version,
            to_state: after.state.code().into(),
            route,
            program,
            due_at,
            actor: caller.principal.username.clone(),
            role: caller.principal.role.code().into(),
            action: action.code().into(),
            note: note.map(String::from),
            level,
            household_id,
            applied_change,
            message,
        })
        .await?;
    let detail = match done.applied_change {
        Some(c) => format!("{} -> {}; registry change {c}", rec.state, done.state),
        None => format!("{} -> {}", rec.state, done.state),
    };
    audit_case(
        state,
        caller,
        &format!("case.{}", action.code()),
        &done,
        &detail,
    )
    .await?;
    Ok(done)
}

/// Resolving a data case changes the registry: an `update` as a new version of the
/// household (the old one kept, the change naming the case), a `registration` as a new
/// household — except that people already registered (by NIK) are linked, never copied.
async fn apply_data(
    state: &AppState,
    caller: &Caller,
    rec: &CaseRecord,
    kind: CaseKind,
) -> ApiResult<(Option<String>, Option<i64>)> {
    if !matches!(kind, CaseKind::Update | CaseKind::Registration) {
        return Ok((None, None));
    }
    let raw = rec.proposed.as_deref().unwrap_or("{}");
    let json: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| ApiError::Internal(e.to_string()))?;
    let p = Proposal::from_json(&json).map_err(|e| invalid(&e.field, e.reason))?;
    let number = casework::case_number(rec.id);
    let unit = if kind == CaseKind::Update {
        let id = rec.household_id.as_deref().unwrap_or_default();
        let stored = state.store.household(id).await?.ok_or_else(|| {
            ApiError::Conflict(format!("household {id} is no longer in the registry"))
        })?;
        let members: Vec<_> = stored.members.iter().map(|m| m.member.clone()).collect();
        // Checked again: the registry may have changed since the case was opened.
        let (household, changed) = proposal::update(&p, &stored.household, &members, state.regions)
            .map_err(|e| {
                invalid(
                    &e.field,
                    format!("{} (against the registry as it is now)", e.reason),
                )
            })?;
        let mut next = stored
            .members
            .iter()
            .map(|m| m.member_no)
            .max()
            .unwrap_or(0);
        let mut unit = Unit::new(household);
        for m in changed {
            let no = match stored.members.iter().find(|s| s.member.nik == m.nik) {
                Some(s) => s.member_no,
                None => {
                    next += 1;
                    next
                }
            };
            unit.push_member(m, no);
        }
        unit
    } else {
        let (household, members) =
            proposal::registration(&p, &registration_id(rec.id as u64), state.regions)
                .map_err(|e| invalid(&e.field, e.reason))?;
        let mut fresh = Vec::new();
        let mut linked = None;
        for m in members {
            match state.store.household_of_person(&m.nik.to_string()).await? {
                Some(h) => {
                    linked.get_or_insert(h);
                }
                None => fresh.push(m),
            }
        }
        if fresh.is_empty() {
            // Everyone is registered already: the case links to their household.
            return Ok((linked, None));
        }
        if !state
            .store
            .existing_households(&[household.id.as_str().to_string()])
            .await?
            .is_empty()
        {
            return Err(invalid(
                "proposed.household.household_id",
                "a household with this id is already registered",
            ));
        }
        let mut unit = Unit::new(Some(household));
        for (i, m) in fresh.into_iter().enumerate() {
            unit.push_member(m, i as i64 + 1);
        }
        unit
    };
    let household_id = unit
        .household()
        .map(|h| h.id.as_str().to_string())
        .or_else(|| rec.household_id.clone());
    let change = state
        .store
        .record_change(&NewChange {
            actor: caller.principal.username.clone(),
            kind: ChangeKind::Case,
            reference: Some(number),
            note: Some(format!("{} {}", rec.kind, rec.category)),
        })
        .await?;
    let stats = state.store.upsert_units(&change, vec![unit]).await?;
    if let Some((_, _, column, reason)) = stats.rejects.first() {
        return Err(invalid(&format!("proposed.{column}"), reason.clone()));
    }
    Ok((household_id, Some(change.id)))
}

/// The cases the caller may see that `q` selects (50 a page).
pub async fn list(state: &AppState, caller: &Caller, q: &CaseQuery) -> ApiResult<Vec<CaseRecord>> {
    let who = &caller.principal;
    // Roles without access to personal data see no case lists (figures come with #6).
    if who.role != Role::ProgramOfficer {
        decide(authorize(who, Permission::ReadPersonalData, None))?;
    }
    let prefix = match crate::views::narrowed(caller, q.region.as_deref())? {
        Some(code) => code.to_string(),
        None => who.scope.prefix().to_string(),
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            CaseState::parse(s)
                .ok_or_else(|| invalid("status", "not a case state"))?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let kind = match q.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            CaseKind::parse(s)
                .ok_or_else(|| invalid("kind", "one of complaint, need, update, registration"))?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(invalid("page", "from 1"));
    }
    let (route, program) = match who.role {
        Role::ProgramOfficer => (
            Some("referral".to_string()),
            Some(who.program.clone().unwrap_or_default()),
        ),
        Role::DataManager => (Some("forward".to_string()), None),
        _ => (None, None),
    };
    let mine = q.mine.unwrap_or(false);
    let filter = CaseFilter {
        region_prefix: prefix,
        state: status,
        kind,
        route,
        program,
        household_id: q.household_id.clone().filter(|h| !h.is_empty()),
        due_before: q.overdue.unwrap_or(false).then(selaras_store::now_utc),
        open_only: mine,
        by_due: mine || q.overdue.unwrap_or(false),
        // "Mine" is filtered below by the life cycle; read generously so a page fills.
        limit: if mine { PAGE_SIZE * 20 } else { PAGE_SIZE },
        offset: if mine { 0 } else { (page - 1) * PAGE_SIZE },
    };
    let rows = state.store.cases(&filter).await?;
    let mut out = Vec::new();
    for r in rows {
        let case = domain_case(&r)?;
        if cases::visible(who, &region_of(&r)?, case.route.as_ref()) != Decision::Allow {
            continue;
        }
        if mine && cases::allowed_now(&case, &actor(caller)).is_empty() {
            continue;
        }
        out.push(r);
    }
    if mine {
        out = out
            .into_iter()
            .skip(((page - 1) * PAGE_SIZE) as usize)
            .take(PAGE_SIZE as usize)
            .collect();
    }
    let ids: Vec<String> = out.iter().map(|r| r.id.to_string()).collect();
    crate::audit::record(
        state,
        Some(caller),
        "read.cases",
        "cases",
        &filter.region_prefix,
        &ids.join(","),
    )
    .await?;
    Ok(out)
}

/// The open cases of a household that the caller may see, soonest due first.
pub async fn open_cases(
    state: &AppState,
    caller: &Caller,
    household_id: &str,
) -> ApiResult<Vec<CaseView>> {
    let rows = state
        .store
        .cases(&CaseFilter {
            region_prefix: String::new(),
            household_id: Some(household_id.to_string()),
            open_only: true,
            by_due: true,
            limit: PAGE_SIZE,
            ..CaseFilter::default()
        })
        .await?;
    let mut seen = Vec::new();
    for r in rows {
        let case = domain_case(&r)?;
        if cases::visible(&caller.principal, &region_of(&r)?, case.route.as_ref())
            == Decision::Allow
        {
            seen.push(r);
        }
    }
    views(state, caller, &seen).await
}

fn category_label(
    settings: &CaseSettings,
    kind: Option<CaseKind>,
    code: &str,
    programs: &selaras_domain::programs::Catalogue,
) -> String {
    category_label_in(crate::i18n::Lang::Id, settings, kind, code, programs)
}

/// A case's category as a page in `lang` names it (the API keeps Indonesian).
pub(crate) fn category_label_in(
    lang: crate::i18n::Lang,
    settings: &CaseSettings,
    kind: Option<CaseKind>,
    code: &str,
    programs: &selaras_domain::programs::Catalogue,
) -> String {
    match kind.and_then(|k| settings.categories(k)) {
        Some(list) => list.iter().find(|c| c.code == code).map_or_else(
            || code.to_string(),
            |c| lang.pick(&c.label_id, &c.label_en).to_string(),
        ),
        None => programs.program(code).map_or_else(
            || code.to_string(),
            |p| format!("{} ({code})", lang.pick(&p.name_id, &p.name_en)),
        ),
    }
}

/// The view of a case for the caller; `full` adds history, messages and links.
pub async fn view(
    state: &AppState,
    caller: &Caller,
    r: &CaseRecord,
    full: bool,
) -> ApiResult<CaseView> {
    let settings = settings(state).await?;
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    view_with(state, caller, r, full, &settings, &catalogue).await
}

/// Views of many cases, reading the settings and catalogue once.
pub async fn views(
    state: &AppState,
    caller: &Caller,
    rs: &[CaseRecord],
) -> ApiResult<Vec<CaseView>> {
    let settings = settings(state).await?;
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    let mut out = Vec::with_capacity(rs.len());
    for r in rs {
        out.push(view_with(state, caller, r, false, &settings, &catalogue).await?);
    }
    Ok(out)
}

async fn view_with(
    state: &AppState,
    caller: &Caller,
    r: &CaseRecord,
    full: bool,
    settings: &CaseSettings,
    catalogue: &selaras_domain::programs::Catalogue,
) -> ApiResult<CaseView> {
    let case = domain_case(r)?;
    let now = selaras_store::now_utc();
    let overdue = !case.state.is_final() && r.due_at.as_deref().is_some_and(|d| d < now.as_str());
    let (history, messages, links, proposed) = if full {
        let history = state
            .store
            .case_events(r.id)
            .await?
            .iter()
            .map(event_view)
            .collect();
        let messages = state
            .store
            .case_messages(r.id)
            .await?
            .into_iter()
            .map(|m| MessageView {
                at: m.sent_at.unwrap_or(m.created_at),
                recipient: m.recipient,
                channel: m.channel,
                body: m.body,
                status: m.status,
                attempts: m.attempts,
            })
            .collect();
        let proposed: Option<serde_json::Value> = r
            .proposed
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok());
        let mut links = Vec::new();
        if case.kind == CaseKind::Registration && !case.state.is_final() {
            if let Some(p) = proposed.as_ref().and_then(|v| Proposal::from_json(v).ok()) {
                for nik in p.niks() {
                    if nik.len() == 16 {
                        if let Some(h) = state.store.household_of_person(nik).await? {
                            links.push(LinkView {
                                nik: nik.to_string(),
                                household_id: h,
                            });
                        }
                    }
                }
            }
        }
        (history, messages, links, proposed)
    } else {
        (Vec::new(), Vec::new(), Vec::new(), None)
    };
    let region = region_of(r)?;
    Ok(CaseView {
        id: r.id,
        number: casework::case_number(r.id),
        kind: r.kind.clone(),
        kind_label: case.kind.label_id().into(),
        category: r.category.clone(),
        category_label: category_label(settings, Some(case.kind), &r.category, catalogue),
        description: r.description.clone(),
        channel: r.channel.clone(),
        household_id: r.household_id.clone(),
        nik: r.nik.clone(),
        contact: r.contact.clone(),
        region: RegionView::new(state.regions, &region),
        status: r.state.clone(),
        status_label: case.state.label_id().into(),
        next_step: casework::next_step_id(case.state).into(),
        due_at: r.due_at.clone(),
        overdue,
        escalated_to: if overdue {
            casework::escalated_to(case.state, case.route.as_ref())
                .iter()
                .map(|r| r.code().to_string())
                .collect()
        } else {
            Vec::new()
        },
        referral: match &case.route {
            Some(Route::Referral { program }) => Some(ReferralView {
                program: program.clone(),
                program_name: catalogue.program(program).map(|p| p.name_id.clone()),
                level: r.level.clone(),
            }),
            _ => None,
        },
        proposed,
        links,
        applied_change: r.applied_change,
        created_at: r.created_at.clone(),
        created_by: r.created_by.clone(),
        updated_at: r.updated_at.clone(),
        version: r.version,
        actions: cases::allowed_now(&case, &actor(caller))
            .iter()
            .map(|a| a.code().to_string())
            .collect(),
        history,
        messages,
    })
}

fn event_view(e: &CaseEvent) -> EventView {
    let action = Action::parse(&e.action);
    let to = CaseState::parse(&e.to_state);
    EventView {
        seq: e.seq,
        at: e.at.clone(),
        actor: e.actor.clone(),
        role: e.role.clone(),
        action: e.action.clone(),
        action_label: action.map_or(e.action.as_str(), |a| a.label_id()).into(),
        from: e.from_state.clone(),
        to: e.to_state.clone(),
        to_label: to.map_or(e.to_state.as_str(), |s| s.label_id()).into(),
        note: e.note.clone(),
        program: e.program.clone(),
    }
}

/// Why a visit was made: (code, Indonesian, English).
pub const PURPOSES: &[(&str, &str, &str)] = &[
    (
        "verification",
        "Verifikasi dan pemutakhiran data",
        "Data verification",
    ),
    ("need_assessment", "Pendataan kebutuhan", "Needs assessment"),
    ("complaint", "Penerimaan pengaduan", "Complaint intake"),
    ("follow_up", "Tindak lanjut kasus", "Case follow-up"),
    (
        "feedback",
        "Penyampaian umpan balik",
        "Feedback to the family",
    ),
    ("other", "Lainnya", "Other"),
];

/// `POST /api/v1/visits`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitRequest {
    pub household_id: String,
    /// The day of the visit (YYYY-MM-DD), today or earlier.
    pub visited_on: String,
    /// `verification`, `need_assessment`, `complaint`, `follow_up`, `feedback` or `other`.
    pub purpose: String,
    pub note: Option<String>,
    /// A case of the same household the visit served.
    pub case_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitView {
    pub id: i64,
    pub household_id: String,
    pub region: RegionView,
    pub visited_on: String,
    pub purpose: String,
    pub purpose_label: String,
    pub note: String,
    pub case_id: Option<i64>,
    pub recorded_by: String,
    pub role: String,
    pub recorded_at: String,
}

pub fn visit_view(state: &AppState, v: &selaras_store::VisitRecord) -> VisitView {
    let region = RegionCode::parse(&v.region)
        .map(|c| RegionView::new(state.regions, &c))
        .unwrap_or(RegionView {
            code: v.region.clone(),
            name: None,
            path: Vec::new(),
        });
    VisitView {
        id: v.id,
        household_id: v.household_id.clone(),
        region,
        visited_on: v.visited_on.clone(),
        purpose: v.purpose.clone(),
        purpose_label: PURPOSES
            .iter()
            .find(|p| p.0 == v.purpose)
            .map_or(v.purpose.as_str(), |p| p.1)
            .into(),
        note: v.note.clone(),
        case_id: v.case_id,
        recorded_by: v.recorded_by.clone(),
        role: v.role.clone(),
        recorded_at: v.recorded_at.clone(),
    }
}

/// Records a visit to a household inside the caller's region (404 outside, as if absent):
/// it counts only there.
pub async fn record_visit(
    state: &AppState,
    caller: &Caller,
    req: &NewVisitRequest,
) -> ApiResult<selaras_store::VisitRecord> {
    crate::views::require(caller, Permission::RecordCase)?;
    let id = req.household_id.trim();
    let rec = state.store.household(id).await?.ok_or(ApiError::NotFound)?;
    decide(authorize(
        &caller.principal,
        Permission::RecordCase,
        Some(&rec.household.region),
    ))?;
    let on = selaras_domain::Date::parse(req.visited_on.trim())
        .map_err(|e| invalid("visited_on", e.to_string()))?;
    let today = selaras_store::today_utc();
    if on > today {
        return Err(invalid("visited_on", "a visit cannot be in the future"));
    }
    if on.year() < 2000 {
        return Err(invalid("visited_on", "from the year 2000"));
    }
    let purpose = req.purpose.trim();
    if !PURPOSES.iter().any(|p| p.0 == purpose) {
        let codes: Vec<&str> = PURPOSES.iter().map(|p| p.0).collect();
        return Err(invalid("purpose", format!("one of {}", codes.join(", "))));
    }
    let note = req.note.as_deref().unwrap_or("");
    plain_text("note", note, DESCRIPTION_MAX, false)?;
    if let Some(case) = req.case_id {
        let (c, _) = load_checked(state, caller, case)
            .await
            .map_err(|_| invalid("case_id", "not a case you can see"))?;
        if c.household_id.as_deref() != Some(id) {
            return Err(invalid("case_id", "a case of another household"));
        }
    }
    let v = state
        .store
        .create_visit(&selaras_store::NewVisit {
            household_id: id.to_string(),
            region: rec.household.region.to_string(),
            visited_on: on.to_string(),
            purpose: purpose.to_string(),
            note: note.trim().to_string(),
            case_id: req.case_id,
            recorded_by: caller.principal.username.clone(),
            role: caller.principal.role.code().into(),
        })
        .await?;
    crate::audit::record(
        state,
        Some(caller),
        "visit.create",
        &format!("household:{id}"),
        &v.region,
        &format!("visit {} on {}", v.id, v.visited_on),
    )
    .await?;
    Ok(v)
}

/// `GET /api/v1/visits`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    pub household_id: Option<String>,
    /// Only the caller's own visits.
    pub mine: Option<bool>,
    /// From 1; 50 a page.
    pub page: Option<i64>,
}

/// The visits inside the caller's region, newest first.
pub async fn list_visits(
    state: &AppState,
    caller: &Caller,
    q: &VisitQuery,
) -> ApiResult<Vec<selaras_store::VisitRecord>> {
    crate::views::require(caller, Permission::ReadPersonalData)?;
    let page = q.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(invalid("page", "from 1"));
    }
    let region_prefix = caller.principal.scope.prefix().to_string();
    let out = state
        .store
        .visits(&selaras_store::VisitFilter {
            region_prefix: region_prefix.clone(),
            household_id: q.household_id.clone().filter(|h| !h.is_empty()),
            recorded_by: q
                .mine
                .unwrap_or(false)
                .then(|| caller.principal.username.clone()),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
        .await?;
    let ids: Vec<String> = out.iter().map(|v| v.id.to_string()).collect();
    crate::audit::record(
        state,
        Some(caller),
        "read.visits",
        "visits",
        &region_prefix,
        &ids.join(","),
    )
    .await?;
    Ok(out)
}
