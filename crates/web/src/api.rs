//! The JSON API under `/api/v1` and its OpenAPI document.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use selaras_domain::access::{authorize, Decision, Permission};

use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, Problem};
use crate::views::*;
use crate::AppState;

/// The signed-in caller of an API route; 401 otherwise.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        auth::caller(&parts.headers, &*state.store)
            .await?
            .map(ApiCaller)
            .ok_or(ApiError::Unauthorized)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SessionRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    pub token: String,
    /// UTC, RFC 3339.
    pub expires_at: String,
    pub username: String,
    pub role: String,
    /// `national` or a region code.
    pub region: String,
}

/// Signs in: a bearer token for later calls.
#[utoipa::path(post, path = "/api/v1/session", request_body = SessionRequest,
    responses((status = 200, body = SessionResponse), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn create_session(
    State(state): State<AppState>,
    body: Result<Json<SessionRequest>, JsonRejection>,
) -> ApiResult<Json<SessionResponse>> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (token, rec) = auth::sign_in(&*state.store, &req.username, &req.password).await?;
    let user = state
        .store
        .user_by_name(&req.username)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(Json(SessionResponse {
        token,
        expires_at: rec.expires_at,
        username: user.username,
        role: user.role.code().into(),
        region: user.scope.to_string(),
    }))
}

/// A person by NIK, with their household; 404 outside the caller's region.
#[utoipa::path(get, path = "/api/v1/people/{nik}", params(("nik" = String, Path, description = "16-digit NIK")),
    security(("bearer" = [])),
    responses((status = 200, body = PersonView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_person(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(nik): Path<String>,
) -> ApiResult<Json<PersonView>> {
    let id = household_id_of(&state, &nik).await?;
    let rec = readable_household(&state, &caller, &id).await?;
    let mut household = household_view(state.regions, &rec);
    household.ranks = rank_views(&state, &id).await?;
    let on = today();
    let person = rec
        .members
        .iter()
        .find(|m| m.member.nik.to_string() == nik)
        .map(|m| member_view(m, on))
        .ok_or(ApiError::NotFound)?;
    // The person's own verdicts under member programs, and the household programs.
    let programs = program_views(&state, &rec, &household.ranks)
        .await?
        .into_iter()
        .map(|mut p| {
            p.verdicts
                .retain(|v| v.nik.as_deref().is_none_or(|n| n == nik));
            p
        })
        .collect();
    Ok(Json(PersonView {
        person,
        ranks: household.ranks.clone(),
        household,
        programs,
        open_cases: crate::casework::open_cases(&state, &caller, &id).await?,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    /// Show the household as it stood at this moment (RFC 3339, e.g. `2026-01-31T00:00:00Z`).
    pub as_of: Option<String>,
}

/// A household with its members, now or as it stood at `as_of`; 404 outside the caller's
/// region (or before the household existed).
#[utoipa::path(get, path = "/api/v1/households/{id}", params(("id" = String, Path, description = "household_id"), AsOf),
    security(("bearer" = [])),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_household(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    query: Result<Query<AsOf>, QueryRejection>,
) -> ApiResult<Json<HouseholdView>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let rec = readable_household(&state, &caller, &id).await?;
    let Some(at) = q.as_of else {
        let mut view = household_view(state.regions, &rec);
        view.ranks = rank_views(&state, &id).await?;
        return Ok(Json(view));
    };
    let at = time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339)
        .map(selaras_store::format_ts)
        .map_err(|_| ApiError::Invalid {
            field: "as_of".into(),
            detail: "expected an RFC 3339 time such as 2026-01-31T00:00:00Z".into(),
        })?;
    let past = selaras_store::record_as_of(&state.store.history(&id).await?, &at)?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(household_view(state.regions, &past)))
}

/// Every version of a household and its members, newest first.
#[utoipa::path(get, path = "/api/v1/households/{id}/history", params(("id" = String, Path, description = "household_id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<VersionView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_history(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<VersionView>>> {
    readable_household(&state, &caller, &id).await?;
    Ok(Json(history_view(&state.store.history(&id).await?)))
}

/// Every program of the catalogue for the household: eligible or not and why (each
/// condition with the values it read), enrolled or not; member programs per member.
#[utoipa::path(get, path = "/api/v1/households/{id}/programs", params(("id" = String, Path, description = "household_id")),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ProgramView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_programs(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ProgramView>>> {
    let rec = readable_household(&state, &caller, &id).await?;
    let ranks = rank_views(&state, &id).await?;
    Ok(Json(program_views(&state, &rec, &ranks).await?))
}

/// The program catalogue in force: every program with its owner, unit, benefit, quotas
/// and rule.
#[utoipa::path(get, path = "/api/v1/programs",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CatalogueProgramView>), (status = 401, body = Problem)))]
pub async fn list_programs(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> ApiResult<Json<Vec<CatalogueProgramView>>> {
    let (_, c) = selaras_batch::catalogue::in_force(&*state.store).await?;
    Ok(Json(c.programs.iter().map(Into::into).collect()))
}

/// One program of the catalogue; 404 for an unknown code.
#[utoipa::path(get, path = "/api/v1/programs/{code}", params(("code" = String, Path, description = "program code, e.g. pkh")),
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueProgramView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_program(
    State(state): State<AppState>,
    _caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<CatalogueProgramView>> {
    let (_, c) = selaras_batch::catalogue::in_force(&*state.store).await?;
    c.program(&code)
        .map(|p| Json(p.into()))
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EditionQuery {
    /// A ranking edition (default: the newest that ranked the household).
    pub edition: Option<i64>,
}

/// Why the household has its score: every term of the model with the household's value
/// and what it adds, then the region effects; the household as it stood at the edition's
/// snapshot. 404 when no edition ranked it (or outside the caller's region).
#[utoipa::path(get, path = "/api/v1/households/{id}/explanation", params(("id" = String, Path, description = "household_id"), EditionQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ExplanationView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_explanation(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    query: Result<Query<EditionQuery>, QueryRejection>,
) -> ApiResult<Json<ExplanationView>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    readable_household(&state, &caller, &id).await?;
    let rank = rank_views(&state, &id)
        .await?
        .into_iter()
        .find(|r| q.edition.is_none_or(|e| r.edition == e))
        .ok_or(ApiError::NotFound)?;
    Ok(Json(explanation(&state, &id, rank).await?))
}

/// The catalogue's stored versions and the one in force.
#[utoipa::path(get, path = "/api/v1/catalogue",
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueStateView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn get_catalogue(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<CatalogueStateView>> {
    require(&caller, Permission::ViewMonitoring)?;
    let versions = state.store.catalogues().await?;
    let (in_force, _) = selaras_batch::catalogue::in_force_of(&versions)?;
    Ok(Json(CatalogueStateView {
        in_force,
        versions: versions
            .iter()
            .map(|v| CatalogueVersionView::new(v, in_force))
            .collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DraftRequest {
    /// The whole catalogue, in the catalogue file's format (`version`, `programs`).
    #[schema(value_type = Object)]
    pub catalogue: serde_json::Value,
    /// Why it changes.
    pub note: String,
}

/// Stores a catalogue as a draft after checking it: a rule with a syntax error, an
/// unknown column, a type mismatch or a division that can be by zero is refused (422,
/// `field` names the program's rule, `detail` the column of the rule text).
#[utoipa::path(post, path = "/api/v1/catalogue/drafts", request_body = DraftRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CatalogueVersionView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create_draft(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<DraftRequest>, JsonRejection>,
) -> ApiResult<(axum::http::StatusCode, Json<CatalogueVersionView>)> {
    require(&caller, Permission::ManageCatalogue)?;
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let note = req.note.trim();
    if note.is_empty() || note.chars().count() > 500 {
        return Err(ApiError::Invalid {
            field: "note".into(),
            detail: "say why the catalogue changes, in 1 to 500 characters".into(),
        });
    }
    let v = selaras_batch::catalogue::save_draft(
        &*state.store,
        &req.catalogue.to_string(),
        note,
        &caller.principal.username,
    )
    .await?;
    let (in_force, _) = selaras_batch::catalogue::in_force(&*state.store).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(CatalogueVersionView::new(&v, in_force)),
    ))
}

/// One catalogue version: its programs, what it changes, and its dry run once run.
#[utoipa::path(get, path = "/api/v1/catalogue/{version}", params(("version" = i64, Path, description = "catalogue version")),
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueDetailView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_catalogue_version(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(version): Path<i64>,
) -> ApiResult<Json<CatalogueDetailView>> {
    require(&caller, Permission::ViewMonitoring)?;
    Ok(Json(catalogue_detail(&state, version).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DryRunRequest {
    /// The date ages are counted at (YYYY-MM-DD; default: today).
    pub as_of: Option<String>,
}

fn as_of_or_today(as_of: Option<&str>) -> ApiResult<selaras_domain::Date> {
    match as_of {
        None => Ok(today()),
        Some(d) => selaras_domain::Date::parse(d).map_err(|e| ApiError::Invalid {
            field: "as_of".into(),
            detail: e.to_string(),
        }),
    }
}

/// Dry-runs a draft against the catalogue in force over the newest ranking edition's
/// snapshot: per regency and program, the households and people that would gain or lose
/// eligibility (stored with the draft). 409 for a published version or without an edition.
#[utoipa::path(post, path = "/api/v1/catalogue/{version}/dry-run", params(("version" = i64, Path, description = "catalogue version")),
    request_body = DryRunRequest,
    security(("bearer" = [])),
    responses((status = 200, body = Vec<DryRunView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn dry_run(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(version): Path<i64>,
    body: Result<Option<Json<DryRunRequest>>, JsonRejection>,
) -> ApiResult<Json<Vec<DryRunView>>> {
    require(&caller, Permission::ManageCatalogue)?;
    let req = body
        .map_err(|e| ApiError::BadRequest(e.body_text()))?
        .map(|Json(b)| b)
        .unwrap_or_default();
    let as_of = as_of_or_today(req.as_of.as_deref())?;
    let rows = selaras_batch::catalogue::dry_run_draft(&*state.store, version, as_of).await?;
    Ok(Json(rows.iter().map(Into::into).collect()))
}

/// Puts a draft in force; 409 without a dry run or when published already.
#[utoipa::path(post, path = "/api/v1/catalogue/{version}/publish", params(("version" = i64, Path, description = "catalogue version")),
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueVersionView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(version): Path<i64>,
) -> ApiResult<Json<CatalogueVersionView>> {
    require(&caller, Permission::ManageCatalogue)?;
    selaras_batch::catalogue::publish(&*state.store, version, &caller.principal.username).await?;
    Ok(Json(catalogue_detail(&state, version).await?.version))
}

/// The eligibility runs, oldest first (tables limited to the caller's region).
#[utoipa::path(get, path = "/api/v1/eligibility-runs",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<EligibilityRunView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_runs(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<EligibilityRunView>>> {
    require(&caller, Permission::ViewMonitoring)?;
    state
        .store
        .eligibility_runs()
        .await?
        .iter()
        .map(|r| run_view(r, &caller))
        .collect::<ApiResult<_>>()
        .map(Json)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RunRequest {
    /// A ranking edition (default: the newest).
    pub edition: Option<i64>,
    /// The date ages are counted at (YYYY-MM-DD; default: today).
    pub as_of: Option<String>,
}

/// Judges an edition's snapshot with the catalogue in force and stores the run (gap and
/// combination tables, quota lists). For roles that load the registry.
#[utoipa::path(post, path = "/api/v1/eligibility-runs", request_body = RunRequest,
    security(("bearer" = [])),
    responses((status = 201, body = EligibilityRunView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_run(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Option<Json<RunRequest>>, JsonRejection>,
) -> ApiResult<(axum::http::StatusCode, Json<EligibilityRunView>)> {
    require(&caller, Permission::ImportRegistry)?;
    let req = body
        .map_err(|e| ApiError::BadRequest(e.body_text()))?
        .map(|Json(b)| b)
        .unwrap_or_default();
    let as_of = as_of_or_today(req.as_of.as_deref())?;
    let (run, _) = selaras_batch::catalogue::run_eligibility(
        &*state.store,
        req.edition,
        as_of,
        &caller.principal.username,
    )
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(run_view(&run, &caller)?),
    ))
}

/// One eligibility run (tables limited to the caller's region).
#[utoipa::path(get, path = "/api/v1/eligibility-runs/{id}", params(("id" = i64, Path, description = "run id")),
    security(("bearer" = [])),
    responses((status = 200, body = EligibilityRunView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_run(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<EligibilityRunView>> {
    require(&caller, Permission::ViewMonitoring)?;
    Ok(Json(run_view(&run_of(&state, id).await?, &caller)?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuotaQuery {
    /// Only this program.
    pub program: Option<String>,
}

/// A run's quota lists — units selected in rank order and the waiting list — for the
/// households inside the caller's region (personal data: roles that may read it).
#[utoipa::path(get, path = "/api/v1/eligibility-runs/{id}/quota", params(("id" = i64, Path, description = "run id"), QuotaQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<QuotaView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_quota(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<i64>,
    query: Result<Query<QuotaQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<QuotaView>>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let run = run_of(&state, id).await?;
    let units = visible_quota(&state, &caller, run.id, q.program.as_deref()).await?;
    Ok(Json(units.iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ParticipationRequest {
    /// A program code of the catalogue in force.
    pub program: String,
    /// For member programs: the member's NIK.
    pub nik: Option<String>,
    /// The month of the decision, `YYYY-MM`.
    pub period: String,
    /// `enrolled` or `exited`.
    pub status: String,
}

/// Records a decision: the household (household programs) or one of its members (member
/// programs, by NIK) enrolled in or exited from a program in a month. Appended to the
/// participation history (nothing is overwritten); answers with the household's programs.
/// 404 outside the caller's region; 422 names the field (unknown program, a NIK not of
/// this household, a bad month or status).
#[utoipa::path(post, path = "/api/v1/households/{id}/participation", params(("id" = String, Path, description = "household_id")),
    request_body = ParticipationRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Vec<ProgramView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn record_participation(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<ParticipationRequest>, JsonRejection>,
) -> ApiResult<(axum::http::StatusCode, Json<Vec<ProgramView>>)> {
    let rec = state
        .store
        .household(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match authorize(
        &caller.principal,
        Permission::RecordParticipation,
        Some(&rec.household.region),
    ) {
        Decision::Allow => {}
        Decision::Forbidden => return Err(ApiError::Forbidden),
        Decision::NotFound => return Err(ApiError::NotFound),
    }
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    let nik = req.nik.as_deref().unwrap_or("");
    let fields = [
        req.program.as_str(),
        id.as_str(),
        nik,
        &req.period,
        &req.status,
    ];
    let p = selaras_domain::participation::Participation::parse(&fields, &catalogue).map_err(
        |errs| {
            let (field, detail) = errs
                .into_iter()
                .next()
                .unwrap_or(("program", "invalid".into()));
            ApiError::Invalid {
                field: field.into(),
                detail,
            }
        },
    )?;
    let nik = p.nik.map(|n| n.to_string());
    if let Some(n) = &nik {
        if !rec.members.iter().any(|m| m.member.nik.to_string() == *n) {
            return Err(ApiError::Invalid {
                field: "nik".into(),
                detail: format!("NIK {n} is not a member of household {id}"),
            });
        }
    }
    let change = state
        .store
        .record_change(&selaras_store::NewChange {
            actor: caller.principal.username.clone(),
            kind: selaras_store::ChangeKind::User,
            reference: Some(format!("participation:{id}")),
            note: None,
        })
        .await?;
    state
        .store
        .record_participation(
            &change,
            &[selaras_store::NewParticipation {
                program: p.program,
                household_id: id.clone(),
                nik,
                period: p.period,
                status: p.status,
            }],
        )
        .await?;
    let ranks = rank_views(&state, &id).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(program_views(&state, &rec, &ranks).await?),
    ))
}

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let comps = api.components.get_or_insert_with(Default::default);
        comps.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Selaras API", description = "Integrated social service and referral system (SLRT). Errors are application/problem+json (RFC 9457)."),
    paths(create_session, crate::dashboard::get_dashboard, crate::case_api::create_case, crate::case_api::list_cases, crate::case_api::get_case, crate::case_api::case_action, crate::case_api::get_letter, crate::case_api::create_visit, crate::case_api::get_visits, crate::case_api::get_settings, crate::case_api::put_case_settings, crate::case_api::get_public_status, get_person, get_household, get_history, get_explanation, get_programs, record_participation, list_programs, get_program, get_catalogue, create_draft, get_catalogue_version, dry_run, publish, list_runs, create_run, get_run, get_quota),
    components(schemas(Problem, crate::dashboard::Dashboard, crate::dashboard::Figures, crate::dashboard::ProgramFigures, crate::dashboard::ComboFigures, crate::dashboard::CaseFigures, crate::dashboard::KindStateFigures, crate::dashboard::ReferralFigures, crate::dashboard::StepFigures, crate::dashboard::ActivityFigures, crate::casework::NewCaseRequest, crate::casework::ActionRequest, crate::casework::CaseView, crate::casework::CaseListView, crate::casework::ReferralView, crate::casework::EventView, crate::casework::MessageView, crate::casework::LinkView, crate::casework::NewVisitRequest, crate::casework::VisitView, crate::case_api::PublicStatus, SessionRequest, SessionResponse, PersonView, HouseholdView, MemberView, RegionView, RegionName, ChangeView, VersionView, RankView, TermView, ExplanationView, ProgramView, VerdictView, CheckView, CatalogueProgramView, QuotaView, CatalogueStateView, CatalogueVersionView, CatalogueDetailView, DryRunView, DraftRequest, DryRunRequest, RunRequest, EligibilityRunView, SummaryView, GapView, ComboView, ParticipationRequest)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::indicators::IndicatorDoc::openapi());
    doc.merge(crate::askesos_api::AskesosDoc::openapi());
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.to_pretty_json().unwrap_or_default()
}
