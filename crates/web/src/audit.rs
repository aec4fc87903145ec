//! Writing the audit log (issue #5): every change, and every read of a person's data,
//! goes through [`record`] — called from the few places every such read and change
//! passes (`views::readable_household`, `casework::load_visible`, the case service, the
//! quota lists, the settings), so the API and the pages are covered alike.
//!
//! "From where": the client's address is set for the whole request by [`with_origin`]
//! (a task-local, so no handler has to carry it). Writing fails closed: a read whose
//! entry cannot be written is refused.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;

use selaras_store::NewAuditEntry;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::AppState;

tokio::task_local! {
    static ORIGIN: String;
}

/// Middleware: remembers the client's address for the request.
pub async fn with_origin(req: Request, next: Next) -> Response {
    let origin = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    ORIGIN.scope(origin, next.run(req)).await
}

/// The address of the request being served (`""` outside one).
pub fn origin() -> String {
    ORIGIN.try_with(Clone::clone).unwrap_or_default()
}

/// Appends one entry for `caller` (`None`: someone not signed in, e.g. the public status
/// lookup).
pub async fn record(
    state: &AppState,
    caller: Option<&Caller>,
    action: &str,
    target: &str,
    region: &str,
    detail: &str,
) -> ApiResult<()> {
    let (actor, role) = match caller {
        Some(c) => (
            c.principal.username.clone(),
            c.principal.role.code().to_string(),
        ),
        None => ("anonymous".to_string(), String::new()),
    };
    state
        .store
        .append_audit(&NewAuditEntry {
            actor,
            role,
            action: action.into(),
            target: target.into(),
            region: region.into(),
            origin: origin(),
            detail: detail.chars().take(1_000).collect(),
        })
        .await?;
    Ok(())
}

/// Marks a response whose handler wrote its own, more precise, audit entry.
#[derive(Debug, Clone, Copy)]
pub struct Audited;

/// Paths whose handlers audit themselves before any response exists (sign-in).
const SELF_AUDITED: &[&str] = &["/login", "/api/v1/session"];

/// Middleware: every request that may change something (not GET/HEAD) and succeeded is
/// written to the log with who, the method and path, and the status — unless its handler
/// wrote a more precise entry. Catches every change, including future routes.
pub async fn audit_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    use axum::http::Method;
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || SELF_AUDITED.contains(&req.uri().path())
    {
        return next.run(req).await;
    }
    let what = format!("{} {}", req.method(), req.uri().path());
    let caller = crate::auth::caller(req.headers(), &*state.store)
        .await
        .ok()
        .flatten();
    let resp = next.run(req).await;
    let status = resp.status();
    let done = status.is_success() || status.is_redirection();
    if done && resp.extensions().get::<Audited>().is_none() {
        if let Err(e) = record(
            &state,
            caller.as_ref(),
            "change",
            &what,
            "",
            &format!("status {}", status.as_u16()),
        )
        .await
        {
            // The change is made; the response cannot be taken back. Loudly logged.
            tracing::error!("audit entry for {what} not written: {e:?}");
        }
    }
    resp
}
