//! The audit log in storage (issue #5): `audit_log`, append-only (triggers refuse UPDATE,
//! DELETE and, on PostgreSQL, TRUNCATE), each entry chained to the one before by the
//! domain's [`entry_hash`](selaras_domain::audit::entry_hash). The SQL is written once for
//! both databases and stamped out by [`audit_methods!`].
//!
//! Appending reads the newest entry and writes the next in one transaction that no other
//! appender can interleave with — on PostgreSQL behind a transaction-level advisory lock,
//! on SQLite in a `BEGIN IMMEDIATE` transaction (the write lock from the start, also
//! against other processes on the same file) — so that concurrent appenders make one
//! gap-free chain, never a fork.

use crate::schema::Dialect;

/// Migration 7: `audit_log` (append-only).
pub fn migration_7(d: Dialect) -> String {
    // SQLite: an INTEGER PRIMARY KEY is the rowid itself, no second index.
    let seq = match d {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGINT PRIMARY KEY",
    };
    let why = "the audit log is append-only";
    let mut s = format!(
        "CREATE TABLE audit_log (\n  seq {seq},\n  at TEXT NOT NULL,\n  actor TEXT NOT NULL,\n  role TEXT NOT NULL,\n  action TEXT NOT NULL,\n  target TEXT NOT NULL,\n  region TEXT NOT NULL,\n  origin TEXT NOT NULL,\n  detail TEXT NOT NULL,\n  prev_hash TEXT NOT NULL,\n  hash TEXT NOT NULL\n);\n\
         CREATE INDEX audit_log_target ON audit_log (target, seq);\n\
         CREATE INDEX audit_log_actor ON audit_log (actor, seq);\n"
    );
    s.push_str(&match d {
        Dialect::Sqlite => format!(
            "CREATE TRIGGER audit_log_u BEFORE UPDATE ON audit_log\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n\
             CREATE TRIGGER audit_log_d BEFORE DELETE ON audit_log\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n"
        ),
        // Row triggers do not fire on TRUNCATE: a statement trigger refuses it.
        Dialect::Postgres => format!(
            "CREATE TRIGGER audit_log_frozen BEFORE UPDATE OR DELETE ON audit_log\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('{why}');\n\
             CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log\n  FOR EACH STATEMENT EXECUTE FUNCTION selaras_forbid('{why}');\n"
        ),
    });
    s
}

/// The key of the PostgreSQL advisory lock appenders take (the migrator's is 7201201).
pub(crate) const APPEND_LOCK: i64 = 7_201_207;

pub(crate) const AUDIT_COLS: &str =
    "seq, at, actor, role, action, target, region, origin, detail, prev_hash, hash";

macro_rules! audit_methods {
    ($pool:ty, $db:ty, $d:expr) => {
        use selaras_domain::audit::{AuditEntry, NewAuditEntry, FIRST_SEQ, GENESIS};
        use $crate::audit::{APPEND_LOCK, AUDIT_COLS};
        use $crate::ranking::q;
        use $crate::schema::Dialect;

        fn entry_from_row(r: &<$db as sqlx::Database>::Row) -> Result<AuditEntry> {
            Ok(AuditEntry {
                seq: r.try_get(0)?,
                at: r.try_get(1)?,
                actor: r.try_get(2)?,
                role: r.try_get(3)?,
                action: r.try_get(4)?,
                target: r.try_get(5)?,
                region: r.try_get(6)?,
                origin: r.try_get(7)?,
                detail: r.try_get(8)?,
                prev_hash: r.try_get(9)?,
                hash: r.try_get(10)?,
            })
        }

        /// Appends `es` in order as the next entries of the chain, in one transaction
        /// that holds the append lock from before it reads the newest entry.
        pub(crate) async fn append(pool: &$pool, es: &[NewAuditEntry]) -> Result<Vec<AuditEntry>> {
            if es.is_empty() {
                return Ok(Vec::new());
            }
            let mut tx = match $d {
                Dialect::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
                Dialect::Postgres => pool.begin().await?,
            };
            if $d == Dialect::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(APPEND_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            let last: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let (mut seq, mut prev) = last.unwrap_or((FIRST_SEQ - 1, GENESIS.to_string()));
            let at = $crate::now_utc();
            let insert = q(
                $d,
                &format!("INSERT INTO audit_log ({AUDIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"),
            );
            let mut out = Vec::with_capacity(es.len());
            for n in es {
                seq += 1;
                let e = n.seal(seq, &at, &prev);
                sqlx::query(&insert)
                    .bind(e.seq)
                    .bind(&e.at)
                    .bind(&e.actor)
                    .bind(&e.role)
                    .bind(&e.action)
                    .bind(&e.target)
                    .bind(&e.region)
                    .bind(&e.origin)
                    .bind(&e.detail)
                    .bind(&e.prev_hash)
                    .bind(&e.hash)
                    .execute(&mut *tx)
                    .await?;
                prev.clone_from(&e.hash);
                out.push(e);
            }
            tx.commit().await?;
            Ok(out)
        }

        /// Up to `limit` entries after `after_seq`, in seq order.
        pub(crate) async fn entries(pool: &$pool, after_seq: i64, limit: i64) -> Result<Vec<AuditEntry>> {
            sqlx::query(&q(
                $d,
                &format!("SELECT {AUDIT_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"),
            ))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(entry_from_row)
            .collect()
        }

        /// The newest `limit` entries about `target` and/or by `actor` (either may be
        /// `None`: any). Only the conditions given go into the SQL, so that each can use
        /// its index.
        pub(crate) async fn filter(
            pool: &$pool,
            target: Option<&str>,
            actor: Option<&str>,
            limit: i64,
        ) -> Result<Vec<AuditEntry>> {
            let mut conds = Vec::new();
            let mut binds = Vec::new();
            for (col, v) in [("target", target), ("actor", actor)] {
                if let Some(v) = v {
                    binds.push(v);
                    conds.push(format!("{col} = ${}", binds.len()));
                }
            }
            let filter = if conds.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", conds.join(" AND "))
            };
            let sql = q(
                $d,
                &format!("SELECT {AUDIT_COLS} FROM audit_log {filter} ORDER BY seq DESC LIMIT ${}", binds.len() + 1),
            );
            let mut query = sqlx::query(&sql);
            for v in binds {
                query = query.bind(v);
            }
            query
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(entry_from_row)
                .collect()
        }
    };
}
pub(crate) use audit_methods;
