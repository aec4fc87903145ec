//! The Askesos API (`/api/v1/askesos/…`): LPAs, eligibility, members, contributions,
//! cards, heirs, claims, reports, the holiday calendar. The logic lives in
//! [`crate::askesos`], shared with the pages and the CLI.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::askesos::access::Action;
use selaras_store::askesos::{Claim, Heir, HolidayRow, Lpa, LpaReport, Member, Payment};

use crate::api::ApiCaller;
use crate::askesos::*;
use crate::audit::Audited;
use crate::error::{ApiError, ApiResult, Problem};
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/askesos/products",
            get(list_products).post(create_product),
        )
        .route(
            "/api/v1/askesos/holidays/{year}",
            get(get_holidays).put(put_holidays_api),
        )
        .route("/api/v1/askesos/lpas", get(list_lpas).post(create_lpa_api))
        .route("/api/v1/askesos/lpas/{id}", get(get_lpa))
        .route("/api/v1/askesos/lpas/{id}/standing", post(lpa_standing))
        .route("/api/v1/askesos/lpas/{id}/subsidy", post(lpa_subsidy))
        .route(
            "/api/v1/askesos/lpas/{id}/reports",
            get(list_lpa_reports).post(send_lpa_report),
        )
        .route("/api/v1/askesos/eligibility", get(get_eligibility))
        .route(
            "/api/v1/askesos/members",
            get(list_members_api).post(enrol_api),
        )
        .route("/api/v1/askesos/members/{id}", get(get_member))
        .route("/api/v1/askesos/members/{id}/payments", post(pay_api))
        .route("/api/v1/askesos/members/{id}/card", post(card_api))
        .route("/api/v1/askesos/members/{id}/heirs", post(heir_api))
        .route("/api/v1/askesos/members/{id}/end", post(end_api))
        .route("/api/v1/askesos/members/{id}/claims", post(claim_api))
        .route("/api/v1/askesos/claims/{id}", get(get_claim))
        .route(
            "/api/v1/askesos/claims/{id}/actions",
            post(claim_action_api),
        )
        .route("/api/v1/askesos/reports", get(get_report))
}

fn json<T>(body: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    body.map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// An id in a path: the number, or `ASK-00000042` / `KLM-00000042`.
pub fn path_id(s: &str, prefix: &str) -> ApiResult<i64> {
    let digits = s.strip_prefix(prefix).unwrap_or(s);
    digits
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or(ApiError::NotFound)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    pub code: String,
    pub version: i64,
    pub name_id: String,
    pub name_en: String,
    /// The product file (JSON), as stored.
    #[schema(value_type = Object)]
    pub product: serde_json::Value,
}

/// Every stored product version (the rules of eligibility, money, benefits and claims).
#[utoipa::path(get, path = "/api/v1/askesos/products", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProductView>), (status = 401, body = Problem)))]
pub async fn list_products(
    State(state): State<AppState>,
    ApiCaller(_caller): ApiCaller,
) -> ApiResult<Json<Vec<ProductView>>> {
    let out = products(&state)
        .await?
        .into_iter()
        .map(|p| ProductView {
            code: p.code.clone(),
            version: p.version,
            name_id: p.name_id.clone(),
            name_en: p.name_en.clone(),
            product: serde_json::to_value(&p).unwrap_or_default(),
        })
        .collect();
    Ok(Json(out))
}

/// Stores a new version of a product (administrators); the body is the product file
/// (as in `crates/domain/askesos/`). 201 when stored, 200 when that very text is stored.
#[utoipa::path(post, path = "/api/v1/askesos/products", request_body(content = Object, description = "a product file"),
    security(("bearer" = [])),
    responses((status = 201, body = ProductView), (status = 200, body = ProductView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_product(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: String,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    let (p, stored) = put_product(&state, &caller, &body).await?;
    Ok((
        if stored {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        Json(ProductView {
            code: p.code.clone(),
            version: p.version,
            name_id: p.name_id.clone(),
            name_en: p.name_en.clone(),
            product: serde_json::to_value(&p).unwrap_or_default(),
        }),
    ))
}

fn year(y: &str) -> ApiResult<i32> {
    y.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| invalid("year", "expected 2000–2100"))
}

/// The holidays and joint leave days of a year (the working-day calendar of claims).
#[utoipa::path(get, path = "/api/v1/askesos/holidays/{year}", params(("year" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn get_holidays(
    State(state): State<AppState>,
    ApiCaller(_caller): ApiCaller,
    Path(y): Path<String>,
) -> ApiResult<Json<Vec<HolidayRow>>> {
    let y = year(&y)?;
    let prefix = format!("{y}-");
    Ok(Json(
        state
            .store
            .holidays()
            .await?
            .into_iter()
            .filter(|h| h.day.starts_with(&prefix))
            .collect(),
    ))
}

/// Replaces a year's holidays (administrators).
#[utoipa::path(put, path = "/api/v1/askesos/holidays/{year}", params(("year" = String, Path)),
    request_body = HolidaysRequest, security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_holidays_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(y): Path<String>,
    body: Result<Json<HolidaysRequest>, JsonRejection>,
) -> ApiResult<Json<Vec<HolidayRow>>> {
    let y = year(&y)?;
    let req = json(body)?;
    put_holidays(&state, &caller, y, &req).await?;
    let prefix = format!("{y}-");
    Ok(Json(
        state
            .store
            .holidays()
            .await?
            .into_iter()
            .filter(|h| h.day.starts_with(&prefix))
            .collect(),
    ))
}

/// The LPAs inside the caller's region (LPA staff: their own).
#[utoipa::path(get, path = "/api/v1/askesos/lpas", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 401, body = Problem)))]
pub async fn list_lpas(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<Lpa>>> {
    Ok(Json(lpas(&state, &caller).await?))
}

/// Proposes an LPA (the regency's social office, inside its region).
#[utoipa::path(post, path = "/api/v1/askesos/lpas", request_body = NewLpaRequest,
    security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_lpa_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<NewLpaRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Lpa>)> {
    let req = json(body)?;
    Ok((
        StatusCode::CREATED,
        Json(create_lpa(&state, &caller, &req).await?),
    ))
}

/// An LPA; 404 outside the caller's region (LPA staff: another LPA).
#[utoipa::path(get, path = "/api/v1/askesos/lpas/{id}", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_lpa(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Lpa>> {
    Ok(Json(
        lpa_for(&state, &caller, path_id(&id, "")?, Action::ViewReports).await?,
    ))
}

/// Designates, revokes or accredits an LPA (the ministry or the province).
#[utoipa::path(post, path = "/api/v1/askesos/lpas/{id}/standing", params(("id" = String, Path)),
    request_body = LpaStandingRequest, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn lpa_standing(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<LpaStandingRequest>, JsonRejection>,
) -> ApiResult<Json<Lpa>> {
    let req = json(body)?;
    Ok(Json(
        change_lpa(&state, &caller, path_id(&id, "")?, &req).await?,
    ))
}

/// Records the government's contribution for an LPA's subsidised members.
#[utoipa::path(post, path = "/api/v1/askesos/lpas/{id}/subsidy", params(("id" = String, Path)),
    request_body = SubsidyBody, security(("bearer" = [])),
    responses((status = 200, body = SubsidyReport), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn lpa_subsidy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<SubsidyBody>, JsonRejection>,
) -> ApiResult<(Extension<Audited>, Json<SubsidyReport>)> {
    let req = json(body)?;
    Ok((
        Extension(Audited),
        Json(pay_subsidy(&state, &caller, path_id(&id, "")?, &req).await?),
    ))
}

/// The reports an LPA sent.
#[utoipa::path(get, path = "/api/v1/askesos/lpas/{id}/reports", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_lpa_reports(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<LpaReport>>> {
    let l = lpa_for(&state, &caller, path_id(&id, "")?, Action::ViewReports).await?;
    Ok(Json(state.store.lpa_reports(l.id).await?))
}

/// The LPA sends its report for a period (`YYYY` or `YYYY-MM`); the figures are frozen.
#[utoipa::path(post, path = "/api/v1/askesos/lpas/{id}/reports", params(("id" = String, Path)),
    request_body = SendReportBody, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn send_lpa_report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<SendReportBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<LpaReport>)> {
    let req = json(body)?;
    Ok((
        StatusCode::CREATED,
        Json(send_report(&state, &caller, path_id(&id, "")?, &req).await?),
    ))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EligibilityQuery {
    pub lpa: i64,
    pub nik: String,
    /// YYYY-MM-DD (default today).
    pub on: Option<String>,
}

/// Whether a person of the registry may enrol with an LPA, criterion by criterion.
#[utoipa::path(get, path = "/api/v1/askesos/eligibility", params(EligibilityQuery),
    security(("bearer" = [])),
    responses((status = 200, body = EligibilityView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn get_eligibility(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    q: Result<Query<EligibilityQuery>, QueryRejection>,
) -> ApiResult<Json<EligibilityView>> {
    let q = query(q)?;
    let on = match &q.on {
        Some(d) => selaras_domain::Date::parse(d).map_err(|e| invalid("on", e.to_string()))?,
        None => today(),
    };
    let (view, ..) = eligibility(&state, &caller, q.lpa, &q.nik, on).await?;
    crate::audit::record(
        &state,
        Some(&caller),
        "read.askesos_eligibility",
        &format!("person:{}", view.nik),
        &view.region,
        "",
    )
    .await?;
    Ok(Json(view))
}

/// Members the caller may see (100 a page), with where their policies stand today.
#[utoipa::path(get, path = "/api/v1/askesos/members", params(MemberQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<MemberRowView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_members_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    q: Result<Query<MemberQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<MemberRowView>>> {
    let q = query(q)?;
    Ok(Json(list_members(&state, &caller, &q).await?))
}

/// Enrols a person of the registry with an LPA after checking the product's
/// eligibility (422 with every failed criterion) and that no active membership exists
/// (409).
#[utoipa::path(post, path = "/api/v1/askesos/members", request_body = EnrolRequest,
    security(("bearer" = [])),
    responses((status = 201, body = MemberView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn enrol_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Result<Json<EnrolRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<MemberView>)> {
    let req = json(body)?;
    let m = enrol(&state, &caller, &req).await?;
    let l = load(&state, &caller, m.id, Action::ReadMembers).await?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(member_view(&state, &caller, &l).await?),
    ))
}

/// A member with the ledger (status, arrears, lapses), heirs, payments and claims.
#[utoipa::path(get, path = "/api/v1/askesos/members/{id}", params(("id" = String, Path, description = "member id or number (ASK-00000042)")),
    security(("bearer" = [])),
    responses((status = 200, body = MemberView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_member(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<MemberView>> {
    let (_, view) = read_member(&state, &caller, path_id(&id, "ASK-")?).await?;
    Ok(Json(view))
}

/// Records a contribution (member, LPA or subsidy); a lapsed policy takes only a
/// reinstatement that clears all arrears.
#[utoipa::path(post, path = "/api/v1/askesos/members/{id}/payments", params(("id" = String, Path)),
    request_body = PaymentBody, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn pay_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<PaymentBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<Payment>)> {
    let req = json(body)?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(pay(&state, &caller, path_id(&id, "ASK-")?, &req).await?),
    ))
}

/// Records that the card reached the member.
#[utoipa::path(post, path = "/api/v1/askesos/members/{id}/card", params(("id" = String, Path)),
    request_body = CardBody, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn card_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<CardBody>, JsonRejection>,
) -> ApiResult<(Extension<Audited>, Json<Member>)> {
    let req = json(body)?;
    Ok((
        Extension(Audited),
        Json(deliver_card(&state, &caller, path_id(&id, "ASK-")?, &req).await?),
    ))
}

/// Adds an heir (*ahli waris*).
#[utoipa::path(post, path = "/api/v1/askesos/members/{id}/heirs", params(("id" = String, Path)),
    request_body = HeirBody, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn heir_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<HeirBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<Heir>)> {
    let req = json(body)?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(add_heir(&state, &caller, path_id(&id, "ASK-")?, &req).await?),
    ))
}

/// Ends a membership (age limit, no longer eligible, on request, death, left the
/// registry).
#[utoipa::path(post, path = "/api/v1/askesos/members/{id}/end", params(("id" = String, Path)),
    request_body = EndBody, security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn end_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<EndBody>, JsonRejection>,
) -> ApiResult<(Extension<Audited>, Json<Member>)> {
    let req = json(body)?;
    Ok((
        Extension(Audited),
        Json(end(&state, &caller, path_id(&id, "ASK-")?, &req).await?),
    ))
}

/// Files a claim; refused (422 naming the field) when the product does not cover it.
#[utoipa::path(post, path = "/api/v1/askesos/members/{id}/claims", params(("id" = String, Path)),
    request_body = ClaimBody, security(("bearer" = [])),
    responses((status = 201, body = ClaimView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn claim_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<ClaimBody>, JsonRejection>,
) -> ApiResult<(StatusCode, Extension<Audited>, Json<ClaimView>)> {
    let req = json(body)?;
    let c = file_claim(&state, &caller, path_id(&id, "ASK-")?, &req).await?;
    Ok((
        StatusCode::CREATED,
        Extension(Audited),
        Json(claim_json(&state, &caller, c).await?),
    ))
}

async fn claim_json(
    state: &AppState,
    caller: &crate::auth::Caller,
    c: Claim,
) -> ApiResult<ClaimView> {
    let l = load(state, caller, c.member_id, Action::ReadMembers).await?;
    claim_view_of(state, caller, &l, &c).await
}

/// A claim with its checklist, service level and history.
#[utoipa::path(get, path = "/api/v1/askesos/claims/{id}", params(("id" = String, Path, description = "claim id or number (KLM-00000042)")),
    security(("bearer" = [])),
    responses((status = 200, body = ClaimView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_claim(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ClaimView>> {
    let (_, _, view) = read_claim(&state, &caller, path_id(&id, "KLM-")?).await?;
    Ok(Json(view))
}

/// Verifies (documents complete: the service-level clock starts), approves (the benefit
/// computed from the product's table), rejects or pays a claim.
#[utoipa::path(post, path = "/api/v1/askesos/claims/{id}/actions", params(("id" = String, Path)),
    request_body = ClaimActionBody, security(("bearer" = [])),
    responses((status = 200, body = ClaimView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn claim_action_api(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<ClaimActionBody>, JsonRejection>,
) -> ApiResult<(Extension<Audited>, Json<ClaimView>)> {
    let req = json(body)?;
    let c = act_on_claim(&state, &caller, path_id(&id, "KLM-")?, &req).await?;
    Ok((
        Extension(Audited),
        Json(claim_json(&state, &caller, c).await?),
    ))
}

/// Members by LPA or region, retention after the subsidy, contributions against claims
/// paid and LPA fees per year, claims paid late.
#[utoipa::path(get, path = "/api/v1/askesos/reports", params(ReportQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> ApiResult<Json<ReportView>> {
    let q = query(q)?;
    Ok(Json(report(&state, &caller, &q).await?))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_products,
        create_product,
        get_holidays,
        put_holidays_api,
        list_lpas,
        create_lpa_api,
        get_lpa,
        lpa_standing,
        lpa_subsidy,
        list_lpa_reports,
        send_lpa_report,
        get_eligibility,
        list_members_api,
        enrol_api,
        get_member,
        pay_api,
        card_api,
        heir_api,
        end_api,
        claim_api,
        get_claim,
        claim_action_api,
        get_report
    ),
    components(schemas(
        ProductView,
        HolidaysRequest,
        HolidayEntry,
        NewLpaRequest,
        LpaStandingRequest,
        SubsidyBody,
        SubsidyReport,
        SendReportBody,
        EligibilityView,
        EnrolRequest,
        HeirRequest,
        MemberView,
        MemberRowView,
        LedgerView,
        PaymentBody,
        CardBody,
        HeirBody,
        EndBody,
        ClaimBody,
        ClaimView,
        ClaimActionBody,
        ReportView
    ))
)]
pub struct AskesosDoc;
