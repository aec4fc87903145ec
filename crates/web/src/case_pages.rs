//! The SLRT pages (issue #5), Bahasa Indonesia first and usable on a 360-px phone: the
//! work queue of each role (`/cases`: what the caller can act on now, soonest due
//! first; what is overdue or escalated; everything in their region), the desk's form for
//! a new case (a complaint, need, data change or new household), the case page with its
//! timeline and the actions the caller may take, the referral letter, and the public
//! status page. Every read and action goes through [`crate::casework`], as the API does.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use selaras_domain::access::{authorize, Decision, Permission};
use selaras_domain::cases::{Action, CaseKind, CaseState};
use selaras_domain::casework::CaseSettings;
use selaras_domain::programs::Catalogue;
use selaras_domain::registry::{Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

use crate::auth::Caller;
use crate::case_api::ClientAddr;
use crate::casework::{self, ActionRequest, CaseQuery, CaseView, NewCaseRequest, CHANNELS};
use crate::error::ApiError;
use crate::i18n::{self, Tr};
use crate::pages::{
    column_choices, error_page, field_label, render, ts_label, user_bar, value_label, UserBar,
};
use crate::program_pages::csrf_refused;
use crate::AppState;

/// The signed-in caller who sent a form with the session's CSRF token.
async fn form_caller(
    state: &AppState,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<Caller, Response> {
    let c = crate::pages::signed_in(state, headers).await?;
    match csrf_refused(state, &c, csrf) {
        Some(r) => Err(r),
        None => Ok(c),
    }
}

fn may_record(c: &Caller) -> bool {
    authorize(&c.principal, Permission::RecordCase, None) == Decision::Allow
}

/// A due time as the queue shows it: the date, and how far it is.
fn due_label(v: &CaseView) -> String {
    match &v.due_at {
        None => "–".into(),
        Some(d) if v.overdue => format!("{} ({})", ts_label(d), i18n::text("case-overdue")),
        Some(d) => ts_label(d),
    }
}

struct Row {
    id: i64,
    number: String,
    kind: String,
    status: String,
    category: String,
    region: String,
    due: String,
    overdue: bool,
    escalated: String,
}

/// The settings and catalogue that name a case's category in the page's language.
type Namer<'a> = (&'a CaseSettings, &'a Catalogue);

fn category_of(v: &CaseView, (settings, catalogue): Namer) -> String {
    casework::category_label_in(
        i18n::current(),
        settings,
        CaseKind::parse(&v.kind),
        &v.category,
        catalogue,
    )
}

fn rows(vs: &[CaseView], names: Namer) -> Vec<Row> {
    vs.iter()
        .map(|v| Row {
            id: v.id,
            number: v.number.clone(),
            kind: CaseKind::parse(&v.kind).map_or_else(
                || v.kind_label.clone(),
                |k| i18n::pick(k.label_id(), k.label_en()).into(),
            ),
            status: CaseState::parse(&v.status).map_or_else(
                || v.status_label.clone(),
                |s| i18n::pick(s.label_id(), s.label_en()).into(),
            ),
            category: category_of(v, names),
            region: match &v.region.name {
                Some(name) => format!("{name} ({})", v.region.code),
                None => v.region.code.clone(),
            },
            due: due_label(v),
            overdue: v.overdue,
            escalated: v
                .escalated_to
                .iter()
                .filter_map(|r| selaras_domain::access::Role::parse(r))
                .map(|r| i18n::pick(r.label_id(), r.label_en()))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    can_record: bool,
    mine: Vec<Row>,
    overdue: Vec<Row>,
    all: Vec<Row>,
    status: String,
    kind: String,
    region: String,
    page: i64,
    more: bool,
    states: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The caller's own latest visits (facilitators and desks).
    visits: Vec<(String, String, String, String, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    /// A region inside the caller's (e.g. from a dashboard).
    #[serde(default)]
    region: String,
    page: Option<i64>,
}

async fn namer(state: &AppState) -> Result<(CaseSettings, Catalogue), ApiError> {
    let settings = casework::settings(state).await?;
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    Ok((settings, catalogue))
}

/// `/cases`: the caller's work queue, overdue cases and all cases of their region.
pub async fn cases(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<ListForm>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let page = f.page.unwrap_or(1).max(1);
    let load = |q: CaseQuery| {
        let state = state.clone();
        let c = c.clone();
        async move {
            let rs = casework::list(&state, &c, &q).await?;
            casework::views(&state, &c, &rs).await
        }
    };
    let lists = async {
        let mine = load(CaseQuery {
            mine: Some(true),
            ..CaseQuery::default()
        })
        .await?;
        let overdue = load(CaseQuery {
            overdue: Some(true),
            ..CaseQuery::default()
        })
        .await?;
        let all = load(CaseQuery {
            status: Some(f.status.clone()),
            kind: Some(f.kind.clone()),
            region: Some(f.region.clone()),
            page: Some(page),
            ..CaseQuery::default()
        })
        .await?;
        let visits = if may_record(&c) {
            casework::list_visits(
                &state,
                &c,
                &casework::VisitQuery {
                    mine: Some(true),
                    ..casework::VisitQuery::default()
                },
            )
            .await?
        } else {
            Vec::new()
        };
        Ok::<_, ApiError>((mine, overdue, all, visits))
    };
    let (mine, overdue, all, visits) = match lists.await {
        Ok(l) => l,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let (settings, catalogue) = match namer(&state).await {
        Ok(n) => n,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let names = (&settings, &catalogue);
    let p = CasesPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        can_record: may_record(&c),
        mine: rows(&mine, names),
        overdue: rows(&overdue, names),
        more: all.len() as i64 == casework::PAGE_SIZE,
        all: rows(&all, names),
        status: f.status,
        kind: f.kind,
        region: f.region,
        page,
        states: selaras_domain::cases::CaseState::ALL
            .iter()
            .map(|s| (s.code(), i18n::pick(s.label_id(), s.label_en())))
            .collect(),
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.code(), i18n::pick(k.label_id(), k.label_en())))
            .collect(),
        visits: visit_rows(&visits),
    };
    render(&p, StatusCode::OK)
}

/// One input of the proposed-data part of the form.
struct Field {
    name: String,
    label: String,
    /// `text`, `number`, `date`, `select`, `bool`.
    input: &'static str,
    options: Vec<(&'static str, &'static str)>,
}

fn fields(prefix: &str, columns: &[selaras_domain::registry::Column], skip: &[&str]) -> Vec<Field> {
    columns
        .iter()
        .filter(|c| !skip.contains(&c.name))
        .map(|c| {
            let options = column_choices(c.name);
            Field {
                name: format!("{prefix}.{}", c.name),
                label: format!(
                    "{}{}",
                    field_label(c.name),
                    if c.required { " *" } else { "" }
                ),
                input: match c.kind {
                    _ if !options.is_empty() => "select",
                    Kind::Bool => "bool",
                    Kind::Int | Kind::Real => "number",
                    Kind::Date => "date",
                    Kind::Text => "text",
                },
                options,
            }
        })
        .collect()
}

/// Members a registration form offers (more go through the API or a later update).
const FORM_MEMBERS: usize = 3;

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewCasePage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    error: Option<String>,
    values: HashMap<String, String>,
    kinds: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    /// (kind label, [(code, label)]) for the category select.
    categories: Vec<(String, Vec<(String, String)>)>,
    household: Vec<Field>,
    members: Vec<(usize, Vec<Field>)>,
}

impl NewCasePage {
    fn v(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }
    fn selected(&self, k: &str, code: &str) -> bool {
        self.v(k) == code
    }
}

async fn new_case_page(
    state: &AppState,
    c: &Caller,
    values: HashMap<String, String>,
    error: Option<String>,
) -> Response {
    let settings = match casework::settings(state).await {
        Ok(s) => s,
        Err(e) => return error_page(state, Some(c), e),
    };
    let programs = match selaras_batch::catalogue::in_force(&*state.store).await {
        Ok((_, cat)) => cat.programs,
        Err(e) => return error_page(state, Some(c), e.into()),
    };
    let mut categories = Vec::new();
    for kind in CaseKind::ALL {
        let list = match settings.categories(*kind) {
            Some(l) => l
                .iter()
                .map(|c| {
                    (
                        format!("{}:{}", kind.code(), c.code),
                        i18n::pick(&c.label_id, &c.label_en).to_string(),
                    )
                })
                .collect(),
            None => programs
                .iter()
                .map(|p| {
                    (
                        format!("{}:{}", kind.code(), p.code),
                        format!("{} ({})", i18n::pick(&p.name_id, &p.name_en), p.code),
                    )
                })
                .collect(),
        };
        categories.push((
            i18n::pick(kind.label_id(), kind.label_en()).to_string(),
            list,
        ));
    }
    let p = NewCasePage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        error,
        values,
        kinds: CaseKind::ALL
            .iter()
            .map(|k| (k.code(), i18n::pick(k.label_id(), k.label_en())))
            .collect(),
        channels: CHANNELS
            .iter()
            .map(|(c, id, en)| (*c, i18n::pick(id, en)))
            .collect(),
        categories,
        household: fields(
            "h",
            HOUSEHOLD_COLUMNS,
            &[
                "household_id",
                "exit_state",
                "in_pkh",
                "in_bpnt",
                "in_kis_pbi",
                "in_kip",
            ],
        ),
        members: (0..FORM_MEMBERS)
            .map(|i| {
                (
                    i + 1,
                    fields(
                        &format!("m{i}"),
                        MEMBER_COLUMNS,
                        &["household_id", "exit_state", "pmks"],
                    ),
                )
            })
            .collect(),
    };
    let status = if p.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(&p, status)
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    household_id: Option<String>,
    nik: Option<String>,
    kind: Option<String>,
}

/// `/cases/new`: the desk's form (prefilled with a household from its page).
pub async fn new_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(f): Query<NewForm>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) if may_record(&c) => c,
        Ok(c) => return error_page(&state, Some(&c), ApiError::Forbidden),
        Err(r) => return r,
    };
    let mut values = HashMap::new();
    for (k, v) in [
        ("household_id", f.household_id),
        ("nik", f.nik),
        ("kind", f.kind),
    ] {
        if let Some(v) = v {
            values.insert(k.to_string(), v);
        }
    }
    values.insert("channel".into(), "walk_in".into());
    new_case_page(&state, &c, values, None).await
}

/// The proposed data of the form: household columns `h.*` and members `m0.*`, `m1.*`, …
/// (a member counts when its NIK is given). Empty inputs are left out; a registration's
/// unanswered yes/no questions are "no".
fn proposed_of(values: &HashMap<String, String>, kind: CaseKind) -> Option<serde_json::Value> {
    if !matches!(kind, CaseKind::Update | CaseKind::Registration) {
        return None;
    }
    let mut household = serde_json::Map::new();
    for c in HOUSEHOLD_COLUMNS {
        match values.get(&format!("h.{}", c.name)).map(|v| v.trim()) {
            Some(v) if !v.is_empty() => {
                household.insert(c.name.into(), v.into());
            }
            _ if kind == CaseKind::Registration && c.kind == Kind::Bool && c.required => {
                household.insert(c.name.into(), "0".into());
            }
            _ => {}
        }
    }
    let mut members = Vec::new();
    for i in 0..FORM_MEMBERS {
        let get = |col: &str| {
            values
                .get(&format!("m{i}.{col}"))
                .map(|v| v.trim())
                .unwrap_or("")
        };
        if get("nik").is_empty() {
            continue;
        }
        let mut m = serde_json::Map::new();
        for c in MEMBER_COLUMNS {
            let v = get(c.name);
            if !v.is_empty() {
                m.insert(c.name.into(), v.into());
            } else if kind == CaseKind::Registration && c.kind == Kind::Bool && c.required {
                m.insert(c.name.into(), "0".into());
            }
        }
        members.push(serde_json::Value::Object(m));
    }
    let mut out = serde_json::Map::new();
    if !household.is_empty() {
        out.insert("household".into(), household.into());
    }
    if !members.is_empty() {
        out.insert("members".into(), members.into());
    }
    Some(out.into())
}

/// A field name from the API as the form's user reads it.
fn field_text(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let member = field
        .split('.')
        .find_map(|p| p.strip_prefix("members[").and_then(|r| r.strip_suffix(']')))
        .and_then(|n| n.parse::<usize>().ok());
    match (field, member) {
        ("kind", _) => i18n::text("case-new-kind"),
        ("category", _) => i18n::text("case-category"),
        ("description", _) => i18n::text("case-description"),
        ("channel", _) => i18n::text("case-channel"),
        ("contact", _) => i18n::text("case-new-contact"),
        ("household_id", _) => i18n::text("case-new-household-id"),
        ("note", _) => i18n::text("case-note"),
        ("program", _) => "Program".into(),
        (_, Some(n)) => format!(
            "{} — {}",
            Tr::current().arg("case-member", "n", n + 1),
            field_label(last)
        ),
        (f, None) if f.starts_with("proposed.household") => {
            format!(
                "{} — {}",
                i18n::text("case-new-household-data"),
                field_label(last)
            )
        }
        (f, None) => f.to_string(),
    }
}

/// An error as the form shows it (the field in the page's language, the reason as given).
fn form_error(e: &ApiError) -> String {
    match e {
        ApiError::Invalid { field, detail } => format!("{}: {detail}", field_text(field)),
        other => other.message(),
    }
}

/// `POST /cases/new`.
pub async fn create_case(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let values: HashMap<String, String> = form.into_iter().collect();
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = csrf_refused(
        &state,
        &c,
        values.get("csrf").map(String::as_str).unwrap_or(""),
    ) {
        return r;
    }
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    // The category select carries `kind:code`, so one list serves every kind.
    let kind_code = get("kind").unwrap_or_default();
    let category = get("category").unwrap_or_default();
    let category = match category.split_once(':') {
        Some((k, c)) if k == kind_code => c.to_string(),
        Some(_) => String::new(),
        None => category,
    };
    let kind = CaseKind::parse(&kind_code);
    let req = NewCaseRequest {
        kind: kind_code.clone(),
        household_id: get("household_id").filter(|_| kind != Some(CaseKind::Registration)),
        nik: get("nik").filter(|_| kind != Some(CaseKind::Registration)),
        category,
        description: values.get("description").cloned().unwrap_or_default(),
        channel: get("channel").unwrap_or_default(),
        contact: get("contact"),
        proposed: kind.and_then(|k| proposed_of(&values, k)),
    };
    match casework::create(&state, &c, &req).await {
        Ok(rec) => Redirect::to(&format!("/cases/{}", rec.id)).into_response(),
        Err(e @ (ApiError::Invalid { .. } | ApiError::NotFound | ApiError::BadRequest(_))) => {
            let msg = match e {
                ApiError::NotFound => i18n::text("case-new-not-found"),
                ref e => form_error(e),
            };
            new_case_page(&state, &c, values, Some(msg)).await
        }
        Err(e) => error_page(&state, Some(&c), e),
    }
}

struct ActionButton {
    code: &'static str,
    label: &'static str,
    note_required: bool,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    c: CaseView,
    kind: String,
    status: String,
    next_step: String,
    category: String,
    channel: String,
    referral_program: String,
    referral_level: String,
    region_label: String,
    created: String,
    updated: String,
    due: String,
    error: Option<String>,
    actions: Vec<ActionButton>,
    can_refer: bool,
    programs: Vec<(String, String)>,
    history: Vec<(String, String, String, String, String)>,
    messages: Vec<(String, String, String, String)>,
    proposed_household: Vec<(String, String)>,
    proposed_members: Vec<Vec<(String, String)>>,
    letter: bool,
}

async fn case_page_for(state: &AppState, c: &Caller, id: i64, error: Option<String>) -> Response {
    let (rec, _) = match casework::load_visible(state, c, id).await {
        Ok(x) => x,
        Err(e) => return error_page(state, Some(c), e),
    };
    let v = match casework::view(state, c, &rec, true).await {
        Ok(v) => v,
        Err(e) => return error_page(state, Some(c), e),
    };
    let programs = match selaras_batch::catalogue::in_force(&*state.store).await {
        Ok((_, cat)) => cat
            .programs
            .iter()
            .map(|p| {
                (
                    p.code.clone(),
                    format!("{} ({})", i18n::pick(&p.name_id, &p.name_en), p.code),
                )
            })
            .collect(),
        Err(e) => return error_page(state, Some(c), e.into()),
    };
    let (settings, catalogue) = match namer(state).await {
        Ok(n) => n,
        Err(e) => return error_page(state, Some(c), e),
    };
    let state_of = CaseState::parse(&v.status);
    let actions: Vec<ActionButton> = v
        .actions
        .iter()
        .filter_map(|a| Action::parse(a))
        .map(|a| ActionButton {
            code: a.code(),
            label: i18n::pick(a.label_id(), a.label_en()),
            note_required: selaras_domain::casework::note_required(a),
        })
        .collect();
    let (proposed_household, proposed_members) = proposed_rows(v.proposed.as_ref());
    let p = CasePage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        kind: CaseKind::parse(&v.kind).map_or_else(
            || v.kind_label.clone(),
            |k| i18n::pick(k.label_id(), k.label_en()).into(),
        ),
        status: state_of.map_or_else(
            || v.status_label.clone(),
            |s| i18n::pick(s.label_id(), s.label_en()).into(),
        ),
        next_step: state_of.map_or_else(
            || v.next_step.clone(),
            |s| {
                i18n::pick(
                    selaras_domain::casework::next_step_id(s),
                    selaras_domain::casework::next_step_en(s),
                )
                .into()
            },
        ),
        category: category_of(&v, (&settings, &catalogue)),
        channel: CHANNELS
            .iter()
            .find(|ch| ch.0 == v.channel)
            .map_or_else(|| v.channel.clone(), |ch| i18n::pick(ch.1, ch.2).into()),
        referral_program: v.referral.as_ref().map_or_else(String::new, |r| {
            catalogue.program(&r.program).map_or_else(
                || r.program_name.clone().unwrap_or_default(),
                |p| i18n::pick(&p.name_id, &p.name_en).to_string(),
            )
        }),
        referral_level: v
            .referral
            .as_ref()
            .and_then(|r| r.level.as_deref())
            .map_or_else(String::new, |l| {
                i18n::text(&format!("case-level-{}", l.replace('_', "-")))
            }),
        region_label: v.region.label(),
        created: format!(
            "{} {} {}",
            ts_label(&v.created_at),
            i18n::text("hh-by"),
            v.created_by
        ),
        updated: ts_label(&v.updated_at),
        due: due_label(&v),
        error,
        can_refer: actions.iter().any(|a| a.code == "refer"),
        actions,
        programs,
        history: v
            .history
            .iter()
            .map(|e| {
                (
                    ts_label(&e.at),
                    e.actor.clone(),
                    Action::parse(&e.action).map_or_else(
                        || e.action_label.clone(),
                        |a| i18n::pick(a.label_id(), a.label_en()).into(),
                    ),
                    CaseState::parse(&e.to).map_or_else(
                        || e.to_label.clone(),
                        |s| i18n::pick(s.label_id(), s.label_en()).into(),
                    ),
                    e.note.clone().unwrap_or_default(),
                )
            })
            .collect(),
        messages: v
            .messages
            .iter()
            .map(|m| {
                (
                    ts_label(&m.at),
                    if m.recipient.is_empty() {
                        i18n::text("case-by-staff")
                    } else {
                        m.recipient.clone()
                    },
                    m.status.clone(),
                    m.body.clone(),
                )
            })
            .collect(),
        proposed_household,
        proposed_members,
        letter: v.referral.is_some(),
        c: v,
    };
    let status = if p.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(&p, status)
}

type Pairs = Vec<(String, String)>;

fn proposed_rows(p: Option<&serde_json::Value>) -> (Pairs, Vec<Pairs>) {
    let pairs = |o: &serde_json::Value| -> Pairs {
        o.as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let v = v
                            .as_str()
                            .map(String::from)
                            .unwrap_or_else(|| v.to_string());
                        (field_label(k).to_string(), value_label(k, &v))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    match p {
        Some(p) => (
            p.get("household").map(pairs).unwrap_or_default(),
            p.get("members")
                .and_then(|m| m.as_array())
                .map(|ms| ms.iter().map(pairs).collect())
                .unwrap_or_default(),
        ),
        None => (Vec::new(), Vec::new()),
    }
}

/// `/cases/{id}`.
pub async fn case_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match crate::case_api::case_id(&id) {
        Ok(id) => case_page_for(&state, &c, id, None).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    action: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    program: String,
    version: Option<i64>,
}

/// `POST /cases/{id}/actions`: the action, then back to the case (or the case with the
/// reason it was refused).
pub async fn case_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<ActionForm>,
) -> Response {
    let c = match form_caller(&state, &headers, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match crate::case_api::case_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let req = ActionRequest {
        action: f.action,
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
        program: Some(f.program).filter(|p| !p.is_empty()),
        version: f.version,
    };
    match casework::act(&state, &c, id, &req).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}")).into_response(),
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict(_))) => {
            case_page_for(&state, &c, id, Some(form_error(&e))).await
        }
        Err(e) => error_page(&state, Some(&c), e),
    }
}

fn level_label(level: Option<&str>) -> &'static str {
    match level {
        Some("central") => "pusat",
        Some("province") => "provinsi",
        Some("regency") => "kabupaten/kota",
        Some("non_government") => "non-pemerintah",
        _ => "–",
    }
}

/// The public address of this server, for the letter's QR code: `SELARAS_PUBLIC_URL`, or
/// the address the request came to.
pub fn public_base(headers: &HeaderMap) -> String {
    if let Ok(u) = std::env::var("SELARAS_PUBLIC_URL") {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

/// The referral letter of a referred case, as a PDF.
pub async fn letter_pdf(
    state: &AppState,
    c: &Caller,
    id: i64,
    base: &str,
) -> Result<Vec<u8>, ApiError> {
    let (rec, _) = casework::load_visible(state, c, id).await?;
    let v = casework::view(state, c, &rec, true).await?;
    let Some(referral) = &v.referral else {
        return Err(ApiError::Conflict(
            "only a referred case has a referral letter".into(),
        ));
    };
    // The case was judged visible above; the household is read for the letter only.
    let household = match &rec.household_id {
        Some(h) => state.store.household(h).await?,
        None => None,
    };
    let head = household
        .as_ref()
        .and_then(|h| {
            h.members
                .iter()
                .find(|m| m.member.relation == selaras_domain::codes::Relation::Head)
        })
        .map(|m| (m.member.name.clone(), m.member.nik.to_string()));
    let (head_name, nik) =
        head.unwrap_or_else(|| ("–".into(), rec.nik.clone().unwrap_or_default()));
    let nik_masked = if nik.len() == 16 {
        format!("{}••••••••{}", &nik[..4], &nik[12..])
    } else {
        "–".into()
    };
    let address = match household.as_ref().and_then(|h| h.household.address.clone()) {
        Some(a) => format!("{a}, {}", v.region.label()),
        None => v.region.label(),
    };
    let regency = v.region.path.get(1).map_or_else(
        || v.region.code.clone(),
        |r| format!("{} ({})", r.name, r.code),
    );
    let referred_by = v
        .history
        .iter()
        .rev()
        .find(|e| e.action == "refer")
        .map(|e| format!("{} ({}), {}", e.actor, e.role, ts_label(&e.at)))
        .unwrap_or_default();
    let issued = v
        .history
        .iter()
        .rev()
        .find(|e| e.action == "refer")
        .map(|e| e.at.clone())
        .unwrap_or_else(|| v.updated_at.clone());
    let issued_on = ts_label(&issued)
        .split(' ')
        .next()
        .unwrap_or("")
        .to_string();
    let program = match &referral.program_name {
        Some(n) => format!("{n} ({})", referral.program),
        None => referral.program.clone(),
    };
    let url = format!("{base}/status?case={}", v.number);
    Ok(selaras_letters::referral_letter_pdf(
        &selaras_letters::ReferralLetter {
            case_number: &v.number,
            issued_on: &issued_on,
            issuer: &format!("SLRT {regency}"),
            family_head: &head_name,
            nik_masked: &nik_masked,
            household_id: rec.household_id.as_deref().unwrap_or("–"),
            address: &address,
            kind_label: &v.kind_label,
            category: &v.category_label,
            description: &v.description,
            program: &program,
            level: level_label(referral.level.as_deref()),
            referred_by: &referred_by,
            status_url: &url,
        },
    ))
}

pub fn pdf_response(number: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"surat-rujukan-{number}.pdf\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `/cases/{id}/surat-rujukan.pdf`.
pub async fn letter(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match crate::case_api::case_id(&id) {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    match letter_pdf(&state, &c, id, &public_base(&headers)).await {
        Ok(b) => pdf_response(&selaras_domain::casework::case_number(id), b),
        Err(e) => error_page(&state, Some(&c), e),
    }
}

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    case: String,
    error: Option<String>,
    result: Option<crate::case_api::PublicStatus>,
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    case: String,
    #[serde(default)]
    nik: String,
}

/// `/status`: the family's page: case number and NIK in, status and next step out.
pub async fn status(
    State(state): State<AppState>,
    ClientAddr(who): ClientAddr,
    Query(f): Query<StatusForm>,
) -> Response {
    let mut p = StatusPage {
        user: None,
        t: Tr::current(),
        csrf: String::new(),
        case: f.case.chars().take(20).collect(),
        error: None,
        result: None,
    };
    if f.case.is_empty() || f.nik.is_empty() {
        return render(&p, StatusCode::OK);
    }
    let status = match crate::case_api::public_status(&state, who, &f.case, &f.nik).await {
        Ok(mut r) => {
            if let Some(st) = CaseState::parse(&r.status) {
                r.status_label = i18n::pick(st.label_id(), st.label_en()).into();
                r.next_step = i18n::pick(
                    selaras_domain::casework::next_step_id(st),
                    selaras_domain::casework::next_step_en(st),
                )
                .into();
            }
            p.result = Some(r);
            StatusCode::OK
        }
        Err(e) => {
            p.error = Some(match e {
                ApiError::NotFound => i18n::text("status-no-match"),
                ApiError::Invalid { .. } => i18n::text("status-nik-digits"),
                ref e => e.message(),
            });
            e.status()
        }
    };
    render(&p, status)
}

#[derive(Debug, Deserialize)]
pub struct VisitForm {
    csrf: String,
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    note: String,
}

/// `POST /households/{id}/visits`: records a visit, then back to the household's visits
/// (or a page naming what is wrong).
pub async fn record_visit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<VisitForm>,
) -> Response {
    let c = match form_caller(&state, &headers, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = casework::NewVisitRequest {
        household_id: id.clone(),
        visited_on: f.visited_on,
        purpose: f.purpose,
        note: Some(f.note),
        case_id: None,
    };
    match casework::record_visit(&state, &c, &req).await {
        Ok(_) => Redirect::to(&format!("/households/{id}#kunjungan")).into_response(),
        Err(e @ ApiError::Invalid { .. }) => {
            let msg = match &e {
                ApiError::Invalid { field, detail } => {
                    let f = match field.as_str() {
                        "visited_on" => i18n::text("hh-visit-date"),
                        "purpose" => i18n::text("hh-visit-purpose"),
                        "note" => i18n::text("case-note"),
                        other => other.to_string(),
                    };
                    format!("{f}: {detail}")
                }
                _ => e.message(),
            };
            error_page(
                &state,
                Some(&c),
                ApiError::Invalid {
                    field: String::new(),
                    detail: msg,
                },
            )
        }
        Err(e) => error_page(&state, Some(&c), e),
    }
}

/// Visit rows for pages: (date, household, purpose, note, who).
pub(crate) fn visit_rows(
    vs: &[selaras_store::VisitRecord],
) -> Vec<(String, String, String, String, String)> {
    vs.iter()
        .map(|v| {
            let purpose = casework::PURPOSES
                .iter()
                .find(|p| p.0 == v.purpose)
                .map_or(v.purpose.as_str(), |p| i18n::pick(p.1, p.2));
            let date = selaras_domain::Date::parse(&v.visited_on)
                .map(|d| d.to_id_string())
                .unwrap_or_else(|_| v.visited_on.clone());
            (
                date,
                v.household_id.clone(),
                purpose.to_string(),
                v.note.clone(),
                v.recorded_by.clone(),
            )
        })
        .collect()
}
