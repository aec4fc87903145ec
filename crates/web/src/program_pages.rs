//! Pages of the program side (issue #4), Bahasa Indonesia first: the catalogue in force
//! and its versions, a rule change as a draft, its dry run and publication, and the
//! eligibility runs with their gap, combination and quota tables. Every action goes
//! through the same functions and the same authorizer as the API.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use selaras_domain::access::{authorize, Decision, Permission};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::i18n::{self, Tr};
use crate::pages::{error_page, render, ts_label, user_bar, UserBar};
use crate::views::{self, CatalogueProgramView, CatalogueVersionView, DryRunView};
use crate::AppState;

/// "Province › Regency (code)" for a region code, else the code.
fn region_label(state: &AppState, code: &str) -> String {
    selaras_domain::RegionCode::parse(code)
        .map(|c| views::RegionView::new(state.regions, &c).label())
        .unwrap_or_else(|_| code.to_string())
}

fn may(c: &Caller, perm: Permission) -> bool {
    authorize(&c.principal, perm, None) == Decision::Allow
}

/// The signed-in caller with `perm`, or the response to send instead.
async fn caller_with(
    state: &AppState,
    headers: &HeaderMap,
    perm: Permission,
) -> Result<Caller, Response> {
    let c = crate::pages::signed_in(state, headers).await?;
    if may(&c, perm) {
        Ok(c)
    } else {
        Err(error_page(state, Some(&c), ApiError::Forbidden))
    }
}

/// The signed-in caller with `perm` who sent a form with the session's CSRF token, or
/// the response to send instead.
async fn form_caller(
    state: &AppState,
    headers: &HeaderMap,
    perm: Permission,
    csrf: &str,
) -> Result<Caller, Response> {
    let c = caller_with(state, headers, perm).await?;
    match csrf_refused(state, &c, csrf) {
        Some(r) => Err(r),
        None => Ok(c),
    }
}

/// The refusal of a form without the session's CSRF token.
pub(crate) fn csrf_refused(state: &AppState, c: &Caller, token: &str) -> Option<Response> {
    (c.session.csrf != token)
        .then(|| error_page(state, Some(c), ApiError::BadRequest("CSRF token".into())))
}

fn status_label(status: &str) -> String {
    i18n::text(match status {
        "published" => "prog-status-published",
        "superseded" => "prog-status-superseded",
        _ => "prog-status-draft",
    })
}

/// `time by user`.
fn at_by(ts: &str, who: &str) -> String {
    format!("{} {} {who}", ts_label(ts), i18n::text("prog-by"))
}

struct VersionRow {
    version: i64,
    status: String,
    note: String,
    created: String,
    dry_run: String,
    published: String,
}

impl From<&CatalogueVersionView> for VersionRow {
    fn from(v: &CatalogueVersionView) -> Self {
        VersionRow {
            version: v.version,
            status: status_label(&v.status),
            note: v.note.clone(),
            created: at_by(&v.created_at, &v.created_by),
            dry_run: v
                .dry_run_at
                .as_deref()
                .map_or_else(|| i18n::text("prog-not-yet"), ts_label),
            published: v.published_at.as_deref().map_or("–".into(), |p| {
                at_by(p, v.published_by.as_deref().unwrap_or(""))
            }),
        }
    }
}

struct ProgramLine {
    code: String,
    name: String,
    owner: String,
    unit: String,
    quotas: String,
    rule: String,
}

fn unit_label(u: &str) -> String {
    i18n::text(if u == "household" {
        "prog-unit-household"
    } else {
        "prog-unit-member"
    })
}

fn quotas_text(p: &CatalogueProgramView) -> String {
    p.quotas
        .iter()
        .map(|(r, n)| format!("{r}:{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<&CatalogueProgramView> for ProgramLine {
    fn from(p: &CatalogueProgramView) -> Self {
        ProgramLine {
            code: p.code.clone(),
            name: i18n::pick(&p.name_id, &p.name_en).to_string(),
            owner: p.owner.clone(),
            unit: unit_label(&p.unit),
            quotas: quotas_text(p),
            rule: p.rule.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "programs.html")]
struct ProgramsPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    in_force: String,
    programs: Vec<ProgramLine>,
    versions: Vec<VersionRow>,
    can_edit: bool,
    /// The form as sent, after a refused draft.
    form: DraftForm,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    program: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    quotas: String,
    #[serde(default)]
    note: String,
}

async fn programs_page(
    state: &AppState,
    c: &Caller,
    form: DraftForm,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let versions = match state.store.catalogues().await {
        Ok(v) => v,
        Err(e) => return error_page(state, Some(c), e.into()),
    };
    let (in_force, current) = match selaras_batch::catalogue::in_force_of(&versions) {
        Ok(x) => x,
        Err(e) => return error_page(state, Some(c), e.into()),
    };
    let page = ProgramsPage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        in_force: in_force.map_or_else(
            || i18n::text("prog-default"),
            |v| Tr::current().arg("prog-version", "n", v),
        ),
        programs: current
            .programs
            .iter()
            .map(|p| (&CatalogueProgramView::from(p)).into())
            .collect(),
        versions: versions
            .iter()
            .rev()
            .map(|v| (&CatalogueVersionView::new(v, in_force)).into())
            .collect(),
        can_edit: may(c, Permission::ManageCatalogue),
        form,
        error,
    };
    render(&page, status)
}

/// `GET /programs`: the catalogue in force, its versions, and (administrators) a form
/// to change one program's rule and quotas.
pub async fn programs(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match caller_with(&state, &headers, Permission::ViewMonitoring).await {
        Ok(c) => programs_page(&state, &c, DraftForm::default(), None, StatusCode::OK).await,
        Err(r) => r,
    }
}

/// Quotas typed as `REGION:N, REGION:N`.
fn parse_quotas(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut out = serde_json::Map::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (region, n) = part
            .split_once(':')
            .ok_or_else(|| Tr::current().arg("prog-quota-form", "part", part))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| Tr::current().arg("prog-quota-number", "part", part))?;
        out.insert(region.trim().to_string(), n.into());
    }
    Ok(out)
}

/// `POST /programs/draft`: one program's rule and quotas changed in the catalogue in
/// force, saved as a draft when it checks; otherwise the form again with the error.
pub async fn create_draft(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<DraftForm>,
) -> Response {
    let c = match form_caller(&state, &headers, Permission::ManageCatalogue, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let refuse = |f: DraftForm, why: String| async {
        programs_page(&state, &c, f, Some(why), StatusCode::UNPROCESSABLE_ENTITY).await
    };
    if f.note.trim().is_empty() || f.note.chars().count() > 500 {
        return refuse(f, i18n::text("prog-note-required")).await;
    }
    let quotas = match parse_quotas(&f.quotas) {
        Ok(q) => q,
        Err(why) => return refuse(f, why).await,
    };
    let (_, current) = match selaras_batch::catalogue::in_force(&*state.store).await {
        Ok(x) => x,
        Err(e) => return error_page(&state, Some(&c), e.into()),
    };
    let mut json: serde_json::Value = serde_json::from_str(&current.to_json()).unwrap_or_default();
    let Some(p) = json["programs"]
        .as_array_mut()
        .and_then(|ps| ps.iter_mut().find(|p| p["code"] == f.program.as_str()))
    else {
        let why = Tr::current().arg("prog-unknown-program", "code", &f.program);
        return refuse(f, why).await;
    };
    p["rule"] = f.rule.trim().into();
    p["quotas"] = quotas.into();
    match selaras_batch::catalogue::save_draft(
        &*state.store,
        &json.to_string(),
        f.note.trim(),
        &c.principal.username,
    )
    .await
    {
        Ok(v) => Redirect::to(&format!("/catalogue/{}", v.version)).into_response(),
        Err(selaras_batch::catalogue::CatalogueError::Invalid { place, reason }) => {
            let why = format!("{} — {place}: {reason}", i18n::text("prog-refused"));
            refuse(f, why).await
        }
        Err(e) => error_page(&state, Some(&c), e.into()),
    }
}

struct ChangeLine {
    code: String,
    before: String,
    after: String,
}

struct DryRunLine {
    regency: String,
    program: String,
    households_gaining: u64,
    households_losing: u64,
    people_gaining: u64,
    people_losing: u64,
}

#[derive(Template)]
#[template(path = "catalogue_version.html")]
struct VersionPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    v: VersionRow,
    is_draft: bool,
    changes: Vec<ChangeLine>,
    dry_run: Option<Vec<DryRunLine>>,
    /// Totals of the dry run: households gaining, losing; people gaining, losing.
    totals: [u64; 4],
    can_edit: bool,
}

/// `GET /catalogue/{version}`: a version, what it changes, its dry run, and the
/// actions its state allows.
pub async fn version(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(n): Path<i64>,
) -> Response {
    let c = match caller_with(&state, &headers, Permission::ViewMonitoring).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (detail, current) = match views::catalogue_detail_with_current(&state, n).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let changes = detail
        .changed_programs
        .iter()
        .map(|code| {
            let describe = |p: Option<CatalogueProgramView>| {
                p.map_or_else(
                    || i18n::text("ver-none"),
                    |p| {
                        let q = quotas_text(&p);
                        if q.is_empty() {
                            p.rule
                        } else {
                            format!("{} · {} {q}", p.rule, i18n::text("ver-quota"))
                        }
                    },
                )
            };
            ChangeLine {
                code: code.clone(),
                before: describe(current.program(code).map(Into::into)),
                after: describe(detail.programs.iter().find(|p| &p.code == code).cloned()),
            }
        })
        .collect();
    let mut totals = [0u64; 4];
    let dry_run = detail.dry_run.as_ref().map(|rows| {
        rows.iter()
            .map(|r: &DryRunView| {
                totals[0] += r.households_gaining;
                totals[1] += r.households_losing;
                totals[2] += r.people_gaining;
                totals[3] += r.people_losing;
                DryRunLine {
                    regency: region_label(&state, &r.regency),
                    program: r.program.clone(),
                    households_gaining: r.households_gaining,
                    households_losing: r.households_losing,
                    people_gaining: r.people_gaining,
                    people_losing: r.people_losing,
                }
            })
            .collect()
    });
    let page = VersionPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        is_draft: detail.version.status == "draft",
        v: (&detail.version).into(),
        changes,
        dry_run,
        totals,
        can_edit: may(&c, Permission::ManageCatalogue),
    };
    render(&page, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /catalogue/{version}/dry-run` (ages at today).
pub async fn dry_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(n): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let c = match form_caller(&state, &headers, Permission::ManageCatalogue, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match selaras_batch::catalogue::dry_run_draft(&*state.store, n, views::today()).await {
        Ok(_) => Redirect::to(&format!("/catalogue/{n}")).into_response(),
        Err(e) => error_page(&state, Some(&c), e.into()),
    }
}

/// `POST /catalogue/{version}/publish`.
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(n): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let c = match form_caller(&state, &headers, Permission::ManageCatalogue, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match selaras_batch::catalogue::publish(&*state.store, n, &c.principal.username).await {
        Ok(()) => Redirect::to(&format!("/catalogue/{n}")).into_response(),
        Err(e) => error_page(&state, Some(&c), e.into()),
    }
}

struct RunLine {
    id: i64,
    edition: i64,
    catalogue: String,
    as_of: String,
    created: String,
}

#[derive(Template)]
#[template(path = "runs.html")]
struct RunsPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    runs: Vec<RunLine>,
    can_run: bool,
}

fn catalogue_label(v: Option<i64>) -> String {
    v.map_or_else(
        || i18n::text("runs-default"),
        |v| Tr::current().arg("prog-version", "n", v),
    )
}

/// `GET /eligibility`: the stored runs, newest first.
pub async fn runs(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let c = match caller_with(&state, &headers, Permission::ViewMonitoring).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let runs = match state.store.eligibility_runs().await {
        Ok(r) => r,
        Err(e) => return error_page(&state, Some(&c), e.into()),
    };
    let page = RunsPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        runs: runs
            .iter()
            .rev()
            .map(|r| RunLine {
                id: r.id,
                edition: r.edition_id,
                catalogue: catalogue_label(r.catalogue_version),
                as_of: selaras_domain::Date::parse(&r.as_of)
                    .map(|d| d.to_id_string())
                    .unwrap_or_else(|_| r.as_of.clone()),
                created: at_by(&r.created_at, &r.created_by),
            })
            .collect(),
        can_run: may(&c, Permission::ImportRegistry),
    };
    render(&page, StatusCode::OK)
}

/// `POST /eligibility`: a run over the newest edition with the catalogue in force.
pub async fn create_run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let c = match form_caller(&state, &headers, Permission::ImportRegistry, &f.csrf).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match selaras_batch::catalogue::run_eligibility(
        &*state.store,
        None,
        views::today(),
        &c.principal.username,
    )
    .await
    {
        Ok((run, _)) => Redirect::to(&format!("/eligibility/{}", run.id)).into_response(),
        Err(e) => error_page(&state, Some(&c), e.into()),
    }
}

struct QuotaLine {
    program: String,
    quota_region: String,
    household_id: String,
    nik: String,
    status: String,
    position: i64,
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    run: RunLine,
    scope: String,
    summary: Option<Vec<views::SummaryView>>,
    gaps: Vec<views::GapView>,
    combinations: Vec<views::ComboView>,
    /// `None`: the role may not see named units.
    quota: Option<Vec<QuotaLine>>,
}

/// `GET /eligibility/{id}`: a run's tables inside the caller's region.
pub async fn run(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Response {
    let c = match caller_with(&state, &headers, Permission::ViewMonitoring).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let r = match views::run_of(&state, id).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let mut view = match views::run_view(&r, &c) {
        Ok(v) => v,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    for g in &mut view.gaps {
        g.regency = region_label(&state, &g.regency);
    }
    for x in &mut view.combinations {
        x.regency = region_label(&state, &x.regency);
    }
    let quota = if may(&c, Permission::ReadPersonalData) {
        match views::visible_quota(&state, &c, id, None).await {
            Ok(units) => Some(
                units
                    .iter()
                    .map(|u| QuotaLine {
                        program: u.program.clone(),
                        quota_region: u.quota_region.clone(),
                        household_id: u.household_id.clone(),
                        nik: u.nik.clone(),
                        status: i18n::text(if u.selected {
                            "run-selected"
                        } else {
                            "run-waiting"
                        }),
                        position: u.position,
                    })
                    .collect(),
            ),
            Err(e) => return error_page(&state, Some(&c), e),
        }
    } else {
        None
    };
    let page = RunPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        run: RunLine {
            id: r.id,
            edition: r.edition_id,
            catalogue: catalogue_label(r.catalogue_version),
            as_of: selaras_domain::Date::parse(&r.as_of)
                .map(|d| d.to_id_string())
                .unwrap_or_else(|_| r.as_of.clone()),
            created: at_by(&r.created_at, &r.created_by),
        },
        scope: match &c.principal.scope {
            selaras_domain::RegionScope::National => i18n::text("run-national"),
            selaras_domain::RegionScope::Region(code) => {
                views::RegionView::new(state.regions, code).label()
            }
        },
        summary: view.summary,
        gaps: view.gaps,
        combinations: view.combinations,
        quota,
    };
    render(&page, StatusCode::OK)
}
