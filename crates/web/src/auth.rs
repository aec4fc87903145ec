//! Passwords (argon2id), sessions (random tokens, stored only as SHA-256 hashes, with an
//! expiry) for both the API (`Authorization: Bearer`) and the web UI (an HttpOnly cookie
//! plus a CSRF token bound to the session), and the signed-in caller.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::HeaderMap;
use base64::Engine;
use sha2::{Digest, Sha256};

use selaras_domain::access::Principal;
use selaras_store::{SessionRecord, Storage};

use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "selaras_session";
pub const SESSION_HOURS: i64 = 12;

pub fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    // The OS random source failing is not recoverable for a server that issues sessions.
    getrandom::fill(&mut buf).expect("operating system random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(
        Argon2::default() // argon2id, v19, OWASP-recommended defaults
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hashing: {e}"))?
            .to_string(),
    )
}

/// A fixed hash to verify against when the user does not exist, so that a wrong user and
/// a wrong password take the same time.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not a password of anyone").unwrap_or_default())
}

pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    let h = hash.unwrap_or_else(|| dummy_hash());
    let ok = PasswordHash::new(h).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    ok && hash.is_some()
}

/// Signs `username` in: the new session's token (to hand out once) and record.
pub async fn sign_in(
    store: &dyn Storage,
    username: &str,
    password: &str,
) -> Result<(String, SessionRecord), ApiError> {
    let user = store.user_by_name(username).await?;
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .map(|u| u.password_hash.as_str());
    if !verify_password(hash, password) {
        return Err(ApiError::Unauthorized);
    }
    let user = user.ok_or(ApiError::Unauthorized)?;
    let token = random_token();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(SESSION_HOURS);
    let rec = SessionRecord {
        token_hash: token_hash(&token),
        user_id: user.id,
        expires_at: selaras_store::format_ts(expires),
        csrf: random_token(),
    };
    store.create_session(&rec).await?;
    store
        .append_audit(&selaras_store::NewAuditEntry {
            actor: user.username.clone(),
            role: user.role.code().into(),
            action: "session.create".into(),
            target: format!("user:{}", user.username),
            region: user.scope.to_string(),
            origin: crate::audit::origin(),
            detail: String::new(),
        })
        .await?;
    Ok((token, rec))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The caller and their session, from a bearer token or the session cookie.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub session: SessionRecord,
    /// Signed in through the cookie (the web UI), so state changes need the CSRF token.
    pub via_cookie: bool,
}

pub async fn caller(headers: &HeaderMap, store: &dyn Storage) -> Result<Option<Caller>, ApiError> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let (token, via_cookie) = match bearer {
        Some(t) => (t, false),
        None => match cookie(headers, SESSION_COOKIE) {
            Some(t) => (t, true),
            None => return Ok(None),
        },
    };
    let now = selaras_store::now_utc();
    let Some((session, user)) = store.session(&token_hash(&token), &now).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    let principal = Principal {
        user_id: user.id,
        username: user.username,
        role: user.role,
        scope: user.scope,
        program: user.program,
        lpa: user.lpa,
    };
    Ok(Some(Caller {
        principal,
        session,
        via_cookie,
    }))
}

/// The named user as a caller without a session (the command line, the demo loader):
/// every rule of the web applies.
pub async fn offline_caller(store: &dyn Storage, username: &str) -> Result<Caller, ApiError> {
    let u = store
        .user_by_name(username)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| ApiError::Invalid {
            field: "user".into(),
            detail: format!("no active user {username:?}"),
        })?;
    Ok(Caller {
        principal: Principal {
            user_id: u.id,
            username: u.username.clone(),
            role: u.role,
            scope: u.scope,
            program: u.program.clone(),
            lpa: u.lpa,
        },
        session: SessionRecord {
            token_hash: String::new(),
            user_id: u.id,
            expires_at: String::new(),
            csrf: String::new(),
        },
        via_cookie: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords() {
        let h = hash_password("rahasia-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(Some(&h), "rahasia-123"));
        assert!(!verify_password(Some(&h), "rahasia-124"));
        assert!(!verify_password(None, "rahasia-123"));
        assert!(!verify_password(Some("garbage"), "x"));
    }

    #[test]
    fn usernames() {
        assert!(valid_username("fasilitator.sragen-1"));
        assert!(!valid_username("ab"));
        assert!(!valid_username("a b c"));
    }
}
