//! The HTTP layer: JSON API under `/api/v1` (with its OpenAPI document) and the
//! server-rendered web UI, both over the same store and the same authorizer.

pub mod api;
pub mod askesos;
pub mod askesos_api;
pub mod askesos_pages;
pub mod audit;
pub mod auth;
pub mod case_api;
pub mod case_pages;
pub mod casework;
pub mod charts;
pub mod dashboard;
pub mod demo;
pub mod error;
pub mod export;
pub mod i18n;
pub mod indicators;
pub mod limit;
pub mod map;
pub mod outbox;
pub mod pages;
pub mod program_pages;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;

use selaras_regions::RegionTable;
use selaras_store::Storage;

use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Storage>,
    pub regions: &'static RegionTable,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Limits lookups on the public status page.
    pub limiter: Arc<limit::RateLimiter>,
}

impl AppState {
    pub fn new(store: Arc<dyn Storage>, secure_cookies: bool) -> AppState {
        AppState {
            store,
            regions: RegionTable::embedded(),
            secure_cookies,
            limiter: Arc::new(limit::RateLimiter::new(10, Duration::from_secs(60))),
        }
    }
}

pub struct ServeOptions {
    pub db: String,
    pub addr: SocketAddr,
    pub demo: bool,
}

const APP_CSS: &str = include_str!("../assets/app.css");

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        api::openapi_json(),
    )
        .into_response()
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::NotFound.into_response()
    } else {
        let t = i18n::Tr::current();
        let html = format!(
            "<!doctype html><html lang=\"{}\"><title>{}</title><p>{} <a href=\"/\">{}</a></p></html>",
            t.code(),
            t.get("message-not-found"),
            t.get("message-page-not-found"),
            t.get("message-home")
        );
        (StatusCode::NOT_FOUND, axum::response::Html(html)).into_response()
    }
}

/// Headers every response carries: no framing, no sniffing, only our own assets.
async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
    );
    resp
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("handler panicked".into()).into_response()
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/session", post(api::create_session))
        .route("/api/v1/people/{nik}", get(api::get_person))
        .route("/api/v1/households/{id}", get(api::get_household))
        .route("/api/v1/households/{id}/history", get(api::get_history))
        .route(
            "/api/v1/households/{id}/explanation",
            get(api::get_explanation),
        )
        .route("/api/v1/households/{id}/programs", get(api::get_programs))
        .route(
            "/api/v1/households/{id}/participation",
            post(api::record_participation),
        )
        .route("/api/v1/programs", get(api::list_programs))
        .route("/api/v1/programs/{code}", get(api::get_program))
        .route("/api/v1/catalogue", get(api::get_catalogue))
        .route("/api/v1/catalogue/drafts", post(api::create_draft))
        .route(
            "/api/v1/catalogue/{version}",
            get(api::get_catalogue_version),
        )
        .route("/api/v1/catalogue/{version}/dry-run", post(api::dry_run))
        .route("/api/v1/catalogue/{version}/publish", post(api::publish))
        .route(
            "/api/v1/eligibility-runs",
            get(api::list_runs).post(api::create_run),
        )
        .route("/api/v1/eligibility-runs/{id}", get(api::get_run))
        .route("/api/v1/eligibility-runs/{id}/quota", get(api::get_quota))
        .route(
            "/api/v1/cases",
            get(case_api::list_cases).post(case_api::create_case),
        )
        .route("/api/v1/cases/{id}", get(case_api::get_case))
        .route("/api/v1/cases/{id}/actions", post(case_api::case_action))
        .route("/api/v1/cases/{id}/letter", get(case_api::get_letter))
        .route(
            "/api/v1/visits",
            get(case_api::get_visits).post(case_api::create_visit),
        )
        .route(
            "/api/v1/case-settings",
            get(case_api::get_settings).put(case_api::put_case_settings),
        )
        .route(
            "/api/v1/public/case-status",
            get(case_api::get_public_status),
        )
        .route("/", get(pages::search))
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/households/{id}", get(pages::household))
        .route("/api/v1/dashboard", get(dashboard::get_dashboard))
        .route("/dashboard", get(dashboard::page))
        .route("/exports/dashboard/{file}", get(dashboard::export))
        .route("/cases", get(case_pages::cases))
        .route(
            "/cases/new",
            get(case_pages::new_case).post(case_pages::create_case),
        )
        .route("/cases/{id}", get(case_pages::case_page))
        .route("/cases/{id}/actions", post(case_pages::case_action))
        .route("/cases/{id}/surat-rujukan.pdf", get(case_pages::letter))
        .route("/status", get(case_pages::status))
        .route("/households/{id}/visits", post(case_pages::record_visit))
        .route("/programs", get(program_pages::programs))
        .route("/programs/draft", post(program_pages::create_draft))
        .route("/catalogue/{version}", get(program_pages::version))
        .route("/catalogue/{version}/dry-run", post(program_pages::dry_run))
        .route("/catalogue/{version}/publish", post(program_pages::publish))
        .route(
            "/eligibility",
            get(program_pages::runs).post(program_pages::create_run),
        )
        .route("/eligibility/{id}", get(program_pages::run))
        .route("/assets/app.css", get(css))
        .route("/lang/{code}", get(i18n::switch))
        .merge(export::routes())
        .merge(indicators::routes())
        .merge(askesos_api::routes())
        .merge(askesos_pages::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::audit_writes,
        ))
        .layer(axum::middleware::from_fn(audit::with_origin))
        .layer(axum::middleware::from_fn(i18n::scope))
        .layer(axum::middleware::map_response(security_headers))
        .layer(DefaultBodyLimit::max(1 << 20))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .with_state(state)
}

pub async fn serve(opts: ServeOptions) -> anyhow::Result<()> {
    let store = selaras_store::connect(&opts.db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", opts.db))?;
    if opts.demo {
        let users = demo::load(&store).await?;
        println!("Demo: {} — open http://{}/", opts.db, opts.addr);
        println!(
            "{:<18} {:<16} {:<16} wilayah / region",
            "username", "password", "role"
        );
        for u in &users {
            println!(
                "{:<18} {:<16} {:<16} {}",
                u.username, u.password, u.role, u.region
            );
        }
    }
    let state = AppState::new(
        store,
        std::env::var("SELARAS_SECURE_COOKIES").is_ok_and(|v| v == "1"),
    );
    askesos::seed(&state)
        .await
        .map_err(|e| anyhow::anyhow!("cannot store the Askesos products: {e:?}"))?;
    dashboard::spawn_refresher(state.clone(), Duration::from_secs(60));
    askesos::spawn_sweeper(state.clone(), Duration::from_secs(60));
    outbox::spawn_dispatcher(
        state.store.clone(),
        Arc::new(outbox::LogSender),
        Duration::from_secs(10),
    );
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", opts.addr))?;
    tracing::info!("listening on http://{}", opts.addr);
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
