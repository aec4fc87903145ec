//! The case API of interfaces.md (`/api/v1/cases…`), the service settings, and the
//! public status lookup. The logic lives in [`crate::casework`], shared with the pages.

use std::net::{IpAddr, SocketAddr};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::cases::CaseState;
use selaras_domain::casework::{self, CaseSettings};

use crate::api::ApiCaller;
use crate::audit::Audited;
use crate::casework::*;
use crate::error::{ApiError, ApiResult, Problem};
use crate::AppState;

fn json<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// A case id as in a path: the number or `SLRT-000042`; anything else is absent.
pub fn case_id(s: &str) -> ApiResult<i64> {
    casework::parse_case_number(s).ok_or(ApiError::NotFound)
}

/// Opens a case in `draft` (facilitators and front offices, inside their region).
#[utoipa::path(post, path = "/api/v1/cases", request_body = NewCaseRequest,
    security(("bearer" = [])),
    responses((status = 201, body = CaseView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<NewCaseRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<CaseView>)> {
    let req = json(body)?;
    let rec = create(&state, &caller, &req).await?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(view(&state, &caller, &rec, true).await?),
    ))
}

/// A case with its status, due time, referral and history; 404 when absent or outside
/// the caller's region (or, for program officers, not referred to their program).
#[utoipa::path(get, path = "/api/v1/cases/{id}", params(("id" = String, Path, description = "case id or number (SLRT-000042)")),
    security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    let (rec, _) = load_visible(&state, &caller, case_id(&id)?).await?;
    Ok(Json(view(&state, &caller, &rec, true).await?))
}

/// Takes an action on a case (life cycle of interfaces.md): 403 a role that may not,
/// 409 a state that does not allow it (or a stale `version`), 422 a missing note or
/// program.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", params(("id" = String, Path, description = "case id or number")), request_body = ActionRequest,
    security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn case_action(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<ActionRequest>, JsonRejection>,
) -> ApiResult<(Extension<Audited>, Json<CaseView>)> {
    let id = case_id(&id)?;
    let req = json(body)?;
    let rec = act(&state, &caller, id, &req).await?;
    Ok((
        Extension(Audited),
        Json(view(&state, &caller, &rec, true).await?),
    ))
}

/// The referral letter (*surat rujukan*) of a referred case as a PDF, with a QR code to
/// the public status page; 409 before the case is referred.
#[utoipa::path(get, path = "/api/v1/cases/{id}/letter", params(("id" = String, Path, description = "case id or number")),
    security(("bearer" = [])),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn get_letter(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
) -> ApiResult<axum::response::Response> {
    let id = case_id(&id)?;
    let pdf = crate::case_pages::letter_pdf(
        &state,
        &caller,
        id,
        &crate::case_pages::public_base(&headers),
    )
    .await?;
    Ok(crate::case_pages::pdf_response(
        &casework::case_number(id),
        pdf,
    ))
}

/// The cases the caller may see, newest first (with `mine` or `overdue`: soonest due
/// first); 50 a page.
#[utoipa::path(get, path = "/api/v1/cases", params(CaseQuery),
    security(("bearer" = [])),
    responses((status = 200, body = CaseListView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_cases(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> ApiResult<Json<CaseListView>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let rows = list(&state, &caller, &q).await?;
    Ok(Json(CaseListView {
        page: q.page.unwrap_or(1),
        page_size: PAGE_SIZE,
        cases: views(&state, &caller, &rows).await?,
    }))
}

/// The service settings in force: case categories and service levels (days).
#[utoipa::path(get, path = "/api/v1/case-settings",
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = Problem)))]
pub async fn get_settings(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> ApiResult<Json<CaseSettings>> {
    Ok(Json(settings(&state).await?))
}

/// Replaces the service settings (administrators); the previous ones are kept.
#[utoipa::path(put, path = "/api/v1/case-settings", request_body = Object,
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_case_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<CaseSettings>, JsonRejection>,
) -> ApiResult<Json<CaseSettings>> {
    // The role is checked before the body is read: a clerk learns 403, not 400.
    crate::views::require(&caller, selaras_domain::access::Permission::ManageService)?;
    let s = json(body)?;
    put_settings(&state, &caller, &s).await?;
    Ok(Json(s))
}

/// The client's address, when the server knows it.
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// The case number (`SLRT-000042`).
    pub case: String,
    /// The NIK of a person the case concerns.
    pub nik: String,
}

/// What anyone holding a case number and a NIK may learn: the status and the next step.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatus {
    pub number: String,
    pub status: String,
    pub status_label: String,
    pub next_step: String,
    pub updated_at: String,
}

/// The status of a case for the family, by case number and NIK; no sign-in; at most 10
/// lookups a minute from one address (429 beyond). A wrong pair is 404, like an absent
/// case.
pub async fn public_status(
    state: &AppState,
    who: Option<IpAddr>,
    case: &str,
    nik: &str,
) -> ApiResult<PublicStatus> {
    if !state.limiter.allow(who) {
        return Err(ApiError::TooMany);
    }
    let id = case_id(case)?;
    let nik = nik.trim();
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::Invalid {
            field: "nik".into(),
            detail: "16 digits".into(),
        });
    }
    let rec = state.store.case(id).await?.ok_or(ApiError::NotFound)?;
    let concerns = rec.nik.as_deref() == Some(nik)
        || match &rec.household_id {
            Some(h) => state.store.household_of_person(nik).await?.as_deref() == Some(h),
            None => false,
        }
        || rec.proposed.as_deref().is_some_and(|p| {
            serde_json::from_str::<serde_json::Value>(p)
                .ok()
                .and_then(|v| selaras_domain::proposal::Proposal::from_json(&v).ok())
                .is_some_and(|p| p.niks().any(|n| n == nik))
        });
    if !concerns {
        return Err(ApiError::NotFound);
    }
    crate::audit::record(
        state,
        None,
        "read.status",
        &format!("case:{id}"),
        &rec.region,
        "public status lookup",
    )
    .await?;
    let st = CaseState::parse(&rec.state).ok_or_else(|| ApiError::Internal("bad state".into()))?;
    Ok(PublicStatus {
        number: casework::case_number(rec.id),
        status: st.code().into(),
        status_label: st.label_id().into(),
        next_step: casework::next_step_id(st).into(),
        updated_at: rec.updated_at,
    })
}

#[utoipa::path(get, path = "/api/v1/public/case-status", params(StatusQuery),
    responses((status = 200, body = PublicStatus), (status = 400, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn get_public_status(
    State(state): State<AppState>,
    ClientAddr(who): ClientAddr,
    query: Result<Query<StatusQuery>, QueryRejection>,
) -> ApiResult<Json<PublicStatus>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(public_status(&state, who, &q.case, &q.nik).await?))
}

/// Records a visit to a household (facilitators and desks, inside their region).
#[utoipa::path(post, path = "/api/v1/visits", request_body = NewVisitRequest,
    security(("bearer" = [])),
    responses((status = 201, body = VisitView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_visit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<NewVisitRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<VisitView>)> {
    let req = json(body)?;
    let v = record_visit(&state, &caller, &req).await?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(visit_view(&state, &v)),
    ))
}

/// Visits inside the caller's region, newest first; `mine` for one's own.
#[utoipa::path(get, path = "/api/v1/visits", params(VisitQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<VisitView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn get_visits(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    query: Result<Query<VisitQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<VisitView>>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let vs = list_visits(&state, &caller, &q).await?;
    Ok(Json(vs.iter().map(|v| visit_view(&state, v)).collect()))
}
