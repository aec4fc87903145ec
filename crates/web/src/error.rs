//! Error policy of the HTTP layer.
//!
//! - Every error leaves as `application/problem+json` (RFC 9457) on `/api`, or as an HTML
//!   page elsewhere, with a status that tells the caller what to do: 400 malformed, 401 not
//!   signed in, 403 signed in but not allowed, 404 absent *or outside the caller's
//!   region* (one answer, so that existence does not leak), 409 wrong state, 422 a value
//!   that fails validation (naming the field).
//! - Bad input never yields 500. A 500 means a bug or a broken database; its details go
//!   to the log, never to the client.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use selaras_store::StoreError;

#[derive(Debug)]
pub enum ApiError {
    BadRequest(String),
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict(String),
    Invalid {
        field: String,
        detail: String,
    },
    /// Too many requests from one client (the public status page).
    TooMany,
    Internal(String),
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field at fault (422).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooMany => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (detail, field) = match self {
            ApiError::BadRequest(d) | ApiError::Conflict(d) => (Some(d.clone()), None),
            ApiError::Invalid { field, detail } => (Some(detail.clone()), Some(field.clone())),
            ApiError::Unauthorized => (Some("sign in first (POST /api/v1/session)".into()), None),
            ApiError::Forbidden => (Some("your role may not do this".into()), None),
            ApiError::NotFound => (None, None),
            ApiError::TooMany => (Some("too many requests: wait a minute".into()), None),
            ApiError::Internal(_) => (Some("internal error; it has been logged".into()), None),
        };
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            field,
        }
    }

    /// Indonesian message for pages.
    pub fn message_id(&self) -> String {
        match self {
            ApiError::BadRequest(d) => format!("Permintaan tidak valid: {d}"),
            ApiError::Unauthorized => "Silakan masuk terlebih dahulu.".into(),
            ApiError::Forbidden => "Peran Anda tidak diizinkan melakukan ini.".into(),
            ApiError::NotFound => "Data tidak ditemukan atau berada di luar wilayah Anda.".into(),
            ApiError::Conflict(d) => format!("Tidak dapat dilakukan: {d}"),
            ApiError::Invalid { field, detail } => format!("Isian {field} tidak valid: {detail}"),
            ApiError::TooMany => {
                "Terlalu banyak permintaan. Tunggu satu menit lalu coba lagi.".into()
            }
            ApiError::Internal(_) => "Terjadi kesalahan pada sistem; sudah dicatat.".into(),
        }
    }

    /// English message for pages.
    pub fn message_en(&self) -> String {
        match self {
            ApiError::BadRequest(d) => format!("Invalid request: {d}"),
            ApiError::Unauthorized => "Please sign in first.".into(),
            ApiError::Forbidden => "Your role may not do this.".into(),
            ApiError::NotFound => "Not found, or outside your region.".into(),
            ApiError::Conflict(d) => format!("Cannot be done: {d}"),
            ApiError::Invalid { field, detail } => format!("Invalid {field}: {detail}"),
            ApiError::TooMany => "Too many requests. Wait a minute and try again.".into(),
            ApiError::Internal(_) => {
                "Something went wrong in the system; it has been logged.".into()
            }
        }
    }

    /// The message for a page in the language of the request being served.
    pub fn message(&self) -> String {
        match crate::i18n::current() {
            crate::i18n::Lang::Id => self.message_id(),
            crate::i18n::Lang::En => self.message_en(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::Conflict(m),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<selaras_batch::catalogue::CatalogueError> for ApiError {
    fn from(e: selaras_batch::catalogue::CatalogueError) -> Self {
        use selaras_batch::catalogue::CatalogueError as E;
        match e {
            E::Invalid { place, reason } => ApiError::Invalid {
                field: format!("catalogue.{place}"),
                detail: reason,
            },
            E::NotFound(_) => ApiError::NotFound,
            E::Conflict(m) => ApiError::Conflict(m),
            e @ E::NoEdition => ApiError::Conflict(e.to_string()),
            E::Store(s) => s.into(),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (
            self.status(),
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A value that fails validation (422), naming the field.
pub fn invalid(field: &str, detail: impl Into<String>) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        detail: detail.into(),
    }
}
