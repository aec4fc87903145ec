//! Throwaway databases for tests: a fresh SQLite file always, and a fresh PostgreSQL
//! database when `TEST_DATABASE_URL` names a server (CI sets it; `scripts/pg-temp.sh`
//! starts one). Every suite that touches storage runs against each of [`stores`].

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::{connect, Storage};

/// A migrated, empty database and what keeps it alive.
pub struct TestStore {
    pub name: &'static str,
    pub url: String,
    pub store: Arc<dyn Storage>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let store = connect(&url).await.expect("open sqlite");
    TestStore {
        name: "sqlite",
        url,
        store,
        _dir: Some(dir),
    }
}

/// A new database on the server named by `TEST_DATABASE_URL`, or `None` without one.
pub async fn postgres() -> Option<TestStore> {
    let admin_url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let db = format!(
        "t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let admin = crate::PgStore::open(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE {db}"))
        .execute(admin.pool())
        .await
        .expect("create test database");
    admin.pool().close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("URL with a database name");
    let url = format!("{base}/{db}");
    let store = connect(&url).await.expect("open postgres");
    Some(TestStore {
        name: "postgres",
        url,
        store,
        _dir: None,
    })
}

/// SQLite, and PostgreSQL when configured.
pub async fn stores() -> Vec<TestStore> {
    let mut v = vec![sqlite().await];
    if let Some(pg) = postgres().await {
        v.push(pg);
    }
    v
}

/// Another database of the same kind as `like` (for round trips).
pub async fn another(like: &TestStore) -> TestStore {
    match like.name {
        "postgres" => postgres().await.expect("postgres configured"),
        _ => sqlite().await,
    }
}

/// The search indexes ([`crate::schema::SEARCH_INDEXES`]) present in the database at
/// `url`, read on a connection of its own (opening a store would build missing ones).
pub async fn search_indexes_present(url: &str) -> Vec<String> {
    use sqlx::Connection;
    let names: Vec<String> = crate::schema::SEARCH_INDEXES
        .iter()
        .map(|(n, _, _)| n.to_string())
        .collect();
    let present: Vec<String> = if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url)
            .await
            .expect("open sqlite");
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index'")
            .fetch_all(&mut c)
            .await
            .expect("list indexes")
    } else {
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .expect("open postgres");
        sqlx::query_scalar(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()",
        )
        .fetch_all(&mut c)
        .await
        .expect("list indexes")
    };
    names.into_iter().filter(|n| present.contains(n)).collect()
}
