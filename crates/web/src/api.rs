//! The JSON API under `/api/v1` and its OpenAPI document.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

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
        open_cases: vec![],
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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

/// The program catalogue: every program with its owner, unit, benefit, quotas and rule.
#[utoipa::path(get, path = "/api/v1/programs",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CatalogueProgramView>), (status = 401, body = Problem)))]
pub async fn list_programs(_caller: ApiCaller) -> ApiResult<Json<Vec<CatalogueProgramView>>> {
    let c = selaras_domain::programs::Catalogue::shipped();
    Ok(Json(c.programs.iter().map(Into::into).collect()))
}

/// One program of the catalogue; 404 for an unknown code.
#[utoipa::path(get, path = "/api/v1/programs/{code}", params(("code" = String, Path, description = "program code, e.g. pkh")),
    security(("bearer" = [])),
    responses((status = 200, body = CatalogueProgramView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn get_program(
    _caller: ApiCaller,
    Path(code): Path<String>,
) -> ApiResult<Json<CatalogueProgramView>> {
    selaras_domain::programs::Catalogue::shipped()
        .program(&code)
        .map(|p| Json(p.into()))
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
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
    paths(create_session, get_person, get_household, get_history, get_explanation, get_programs, list_programs, get_program),
    components(schemas(Problem, SessionRequest, SessionResponse, PersonView, HouseholdView, MemberView, RegionView, RegionName, ChangeView, VersionView, RankView, TermView, ExplanationView, ProgramView, VerdictView, CheckView, CatalogueProgramView)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub fn openapi_json() -> String {
    let mut doc = ApiDoc::openapi();
    doc.openapi = utoipa::openapi::OpenApiVersion::Version31;
    doc.info.version = env!("CARGO_PKG_VERSION").into();
    doc.to_pretty_json().unwrap_or_default()
}
