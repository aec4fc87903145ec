//! SQLite: the embedded default. WAL journal, one writer at a time (a mutex in front of
//! every write transaction, so that writers queue in the process instead of failing with
//! SQLITE_BUSY), readers in parallel.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use tokio::sync::Mutex;

use selaras_domain::registry::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::RegionScope;

use crate::codec;
use crate::schema::{self, Dialect};
use crate::sqlite_bulk::BulkWriter;
use crate::*;

pub struct SqliteStore {
    pool: SqlitePool,
    writer: Mutex<()>,
    /// The database file; `None` in memory.
    file: Option<std::path::PathBuf>,
    /// The import path's own connection, opened at the first import (see `sqlite_bulk`).
    bulk: Arc<std::sync::Mutex<Option<BulkWriter>>>,
}

const D: Dialect = Dialect::Sqlite;

impl SqliteStore {
    pub async fn open(url: &str) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
            .pragma("cache_size", "-65536")
            // Statement journals of the multi-row upserts stay in memory.
            .pragma("temp_store", "memory")
            // Checkpoint every ~400 MB of WAL rather than every 4 MB: an import chunk
            // dirties tens of MB of index pages, and a page dirtied by several chunks
            // between two checkpoints is copied back once. The file shrinks back to
            // 64 MB after each checkpoint.
            .pragma("wal_autocheckpoint", "100000")
            .pragma("journal_size_limit", "67108864");
        let file = BulkWriter::file_of(url, &opts);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        Ok(SqliteStore {
            pool,
            writer: Mutex::new(()),
            file,
            bulk: Arc::default(),
        })
    }
}

pub(crate) fn update_set(
    cols: &[selaras_domain::registry::Column],
    table: &str,
    extra: &[&str],
) -> String {
    let mut sets: Vec<String> = cols
        .iter()
        .map(|c| c.name)
        .chain(extra.iter().copied())
        .chain(["prov", "row_hash", "change_id", "valid_from"])
        .filter(|n| *n != "household_id" || table == "members")
        .filter(|n| *n != "nik")
        .map(|n| format!("{n} = excluded.{n}"))
        .collect();
    sets.push(format!("version = {table}.version + 1"));
    sets.join(", ")
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn change_from_row(row: &sqlx::sqlite::SqliteRow, start: usize) -> Result<Change> {
    let kind: String = row.try_get(start + 2)?;
    Ok(Change {
        id: row.try_get(start)?,
        at: row.try_get(start + 1)?,
        kind: ChangeKind::parse(&kind).unwrap_or(ChangeKind::System),
        actor: row.try_get(start + 3)?,
        reference: row.try_get(start + 4)?,
        note: row.try_get(start + 5)?,
    })
}

const CHANGE_COLS: &str = "c.id, c.at, c.kind, c.actor, c.ref, c.note";

fn user_from_row(row: &sqlx::sqlite::SqliteRow, start: usize) -> Result<UserRecord> {
    let role: String = row.try_get(start + 3)?;
    let scope: String = row.try_get(start + 4)?;
    Ok(UserRecord {
        id: row.try_get(start)?,
        username: row.try_get(start + 1)?,
        password_hash: row.try_get(start + 2)?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {role}")))?,
        scope: RegionScope::parse(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        program: row.try_get(start + 5)?,
        disabled: row.try_get(start + 6)?,
        lpa: row.try_get(start + 7)?,
    })
}

const USER_COLS: &str =
    "u.id, u.username, u.password_hash, u.role, u.scope, u.program, u.disabled, u.lpa_id";

#[async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn migrate(&self) -> Result<()> {
        let _w = self.writer.lock().await;
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&self.pool)
            .await?;
        for (version, sql) in schema::migrations(D) {
            let mut tx = self.pool.begin().await?;
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = ?")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_none() {
                sqlx::Executor::execute(&mut *tx, AsRef::<str>::as_ref(&&sql)).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                    .bind(version)
                    .bind(now_utc())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        }
        drop(_w);
        self.search_indexes(true).await
    }

    async fn search_indexes(&self, on: bool) -> Result<()> {
        let _w = self.writer.lock().await;
        let mut tx = self.pool.begin().await?;
        // Building an index sorts the table: let SQLite sort on helper threads.
        sqlx::query("PRAGMA threads = 4").execute(&mut *tx).await?;
        for stmt in schema::search_index_statements(on) {
            sqlx::query(&stmt).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_change(&self, c: &NewChange) -> Result<Change> {
        let _w = self.writer.lock().await;
        let at = now_utc();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO changes (at, actor, kind, ref, note) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&at)
        .bind(&c.actor)
        .bind(c.kind.code())
        .bind(&c.reference)
        .bind(&c.note)
        .fetch_one(&self.pool)
        .await?;
        Ok(Change {
            id,
            at,
            actor: c.actor.clone(),
            kind: c.kind,
            reference: c.reference.clone(),
            note: c.note.clone(),
        })
    }

    async fn start_import(&self, change: &Change, source: &str) -> Result<()> {
        let _w = self.writer.lock().await;
        sqlx::query("INSERT INTO import_batches (change_id, source, started_at, status) VALUES (?, ?, ?, 'running')")
            .bind(change.id)
            .bind(source)
            .bind(&change.at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn finish_import(&self, change_id: i64, t: &ImportTotals, status: &str) -> Result<()> {
        let _w = self.writer.lock().await;
        sqlx::query("UPDATE import_batches SET finished_at = ?, status = ?, households = ?, members = ?, unchanged = ?, rejected = ? WHERE change_id = ?")
            .bind(now_utc())
            .bind(status)
            .bind(t.households as i64)
            .bind(t.members as i64)
            .bind(t.unchanged as i64)
            .bind(t.rejected as i64)
            .bind(change_id)
            .execute(&self.pool)
            .await?;
        // Copy the import's pages back from the WAL now rather than in some later
        // transaction (readers keep going; it does not wait for them).
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn upsert_units(&self, change: &Change, units: Vec<Unit>) -> Result<UpsertStats> {
        let _w = self.writer.lock().await;
        let Some(path) = self.file.clone() else {
            return Err(StoreError::Conflict(
                "an in-memory SQLite database cannot take imports: name a file (sqlite://PATH)"
                    .into(),
            ));
        };
        let bulk = self.bulk.clone();
        let change = change.clone();
        tokio::task::spawn_blocking(move || {
            let mut slot = bulk.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some(BulkWriter::open(&path)?);
            }
            match slot.as_mut() {
                Some(w) => w.upsert(&change, &units),
                None => unreachable!("opened above"),
            }
        })
        .await
        .map_err(|e| StoreError::Sqlite(format!("writer thread stopped: {e}")))?
    }

    async fn existing_households(&self, ids: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT household_id FROM households WHERE household_id IN ({})",
                placeholders(chunk.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for id in chunk {
                q = q.bind(id.as_str());
            }
            out.extend(q.fetch_all(&self.pool).await?);
        }
        Ok(out)
    }

    async fn export(&self, at: Option<i64>, sink: &mut ExportSink<'_>) -> Result<()> {
        if let Some(path) = self.file.clone() {
            // A file database: read through rusqlite on a blocking thread (see
            // `sqlite_bulk::export`), hand the records to the sink here.
            let (tx, mut rx) = tokio::sync::mpsc::channel(4);
            let reader =
                tokio::task::spawn_blocking(move || crate::sqlite_bulk::export(&path, at, tx));
            while let Some(batch) = rx.recv().await {
                for item in batch? {
                    match &item {
                        crate::sqlite_bulk::Exported::Household(h) => {
                            sink(ExportItem::Household(h))
                        }
                        crate::sqlite_bulk::Exported::Member(m) => sink(ExportItem::Member(m)),
                    }
                    .map_err(StoreError::Conflict)?;
                }
            }
            reader
                .await
                .map_err(|e| StoreError::Sqlite(format!("export reader stopped: {e}")))?;
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        let sql =
            crate::ranking::export_sql(D, at, HOUSEHOLD_COLUMNS, "households", "household_id");
        let mut query = sqlx::query(&sql);
        if let Some(c) = at {
            query = query.bind(c);
        }
        let mut rows = query.fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let h = codec::household_from_text(&codec::row_text(&row, HOUSEHOLD_COLUMNS, 0)?)?;
            sink(ExportItem::Household(&h)).map_err(StoreError::Conflict)?;
        }
        drop(rows);
        let sql =
            crate::ranking::export_sql(D, at, MEMBER_COLUMNS, "members", "household_id, member_no");
        let mut query = sqlx::query(&sql);
        if let Some(c) = at {
            query = query.bind(c);
        }
        let mut rows = query.fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let m = codec::member_from_text(&codec::row_text(&row, MEMBER_COLUMNS, 0)?)?;
            sink(ExportItem::Member(&m)).map_err(StoreError::Conflict)?;
        }
        Ok(())
    }

    async fn household(&self, id: &str) -> Result<Option<HouseholdRecord>> {
        let n = HOUSEHOLD_COLUMNS.len();
        let sql = format!(
            "SELECT {}, h.version, h.valid_from, {CHANGE_COLS} FROM households h JOIN changes c ON c.id = h.change_id WHERE h.household_id = ?",
            codec::select_list(D, HOUSEHOLD_COLUMNS, "h.")
        );
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let household = codec::household_from_text(&codec::row_text(&row, HOUSEHOLD_COLUMNS, 0)?)?;
        let version: i64 = row.try_get(n)?;
        let valid_from: String = row.try_get(n + 1)?;
        let change = change_from_row(&row, n + 2)?;
        let m = MEMBER_COLUMNS.len();
        let sql = format!(
            "SELECT {}, member_no, version, valid_from FROM members WHERE household_id = ? ORDER BY member_no",
            codec::select_list(D, MEMBER_COLUMNS, "")
        );
        let mut members = Vec::new();
        for row in sqlx::query(&sql).bind(id).fetch_all(&self.pool).await? {
            members.push(MemberRecord {
                member: codec::member_from_text(&codec::row_text(&row, MEMBER_COLUMNS, 0)?)?,
                member_no: row.try_get(m)?,
                version: row.try_get(m + 1)?,
                valid_from: row.try_get(m + 2)?,
            });
        }
        Ok(Some(HouseholdRecord {
            household,
            version,
            valid_from,
            change,
            members,
        }))
    }

    async fn household_of_person(&self, nik: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT household_id FROM members WHERE nik = ?")
                .bind(nik)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn history(&self, household_id: &str) -> Result<Vec<VersionEntry>> {
        let mut out = Vec::new();
        let hl = codec::select_list(D, HOUSEHOLD_COLUMNS, "h.");
        let n = HOUSEHOLD_COLUMNS.len();
        let sql = format!(
            "SELECT {hl}, h.version, h.valid_from, NULL, NULL, {CHANGE_COLS} FROM households h JOIN changes c ON c.id = h.change_id WHERE h.household_id = ?1 \
             UNION ALL SELECT {hl}, h.version, h.valid_from, h.valid_to, h.superseded_by, {CHANGE_COLS} FROM households_history h JOIN changes c ON c.id = h.change_id WHERE h.household_id = ?1"
        );
        for row in sqlx::query(&sql)
            .bind(household_id)
            .fetch_all(&self.pool)
            .await?
        {
            out.push(VersionEntry {
                subject: "household".into(),
                fields: codec::fields(
                    HOUSEHOLD_COLUMNS,
                    codec::row_text(&row, HOUSEHOLD_COLUMNS, 0)?,
                ),
                version: row.try_get(n)?,
                valid_from: row.try_get(n + 1)?,
                valid_to: row.try_get(n + 2)?,
                superseded_by: row.try_get(n + 3)?,
                change: change_from_row(&row, n + 4)?,
            });
        }
        let ml = codec::select_list(D, MEMBER_COLUMNS, "m.");
        let n = MEMBER_COLUMNS.len();
        let sql = format!(
            "SELECT {ml}, m.version, m.valid_from, NULL, NULL, {CHANGE_COLS} FROM members m JOIN changes c ON c.id = m.change_id WHERE m.household_id = ?1 \
             UNION ALL SELECT {ml}, m.version, m.valid_from, m.valid_to, m.superseded_by, {CHANGE_COLS} FROM members_history m JOIN changes c ON c.id = m.change_id WHERE m.household_id = ?1"
        );
        for row in sqlx::query(&sql)
            .bind(household_id)
            .fetch_all(&self.pool)
            .await?
        {
            let text = codec::row_text(&row, MEMBER_COLUMNS, 0)?;
            out.push(VersionEntry {
                subject: text[1].clone(),
                fields: codec::fields(MEMBER_COLUMNS, text),
                version: row.try_get(n)?,
                valid_from: row.try_get(n + 1)?,
                valid_to: row.try_get(n + 2)?,
                superseded_by: row.try_get(n + 3)?,
                change: change_from_row(&row, n + 4)?,
            });
        }
        out.sort_by(|a, b| {
            b.valid_from
                .cmp(&a.valid_from)
                .then(a.subject.cmp(&b.subject))
                .then(b.version.cmp(&a.version))
        });
        Ok(out)
    }

    async fn search(&self, scope: &RegionScope, query: &str, limit: i64) -> Result<Vec<SearchHit>> {
        let q = query.trim();
        let digits = q.len() == 16 && q.bytes().all(|b| b.is_ascii_digit());
        let cond = if digits {
            "(m.nik = ?1 OR m.kk_number = ?1)"
        } else {
            "m.name LIKE ?1 ESCAPE '\\'"
        };
        let needle = if digits {
            q.to_string()
        } else {
            format!("%{}%", like_escape(q))
        };
        let sql = format!(
            "SELECT h.household_id, h.region_code, m.name, m.nik, \
               (SELECT x.name FROM members x WHERE x.household_id = h.household_id AND x.relation = 'head' AND x.exit_state IS NULL LIMIT 1), \
               (SELECT COUNT(*) FROM members x WHERE x.household_id = h.household_id) \
             FROM members m JOIN households h ON h.household_id = m.household_id \
             WHERE {cond} AND h.region_code LIKE ?2 ORDER BY h.household_id, m.member_no LIMIT ?3"
        );
        let rows = sqlx::query_as::<_, (String, String, String, String, Option<String>, i64)>(&sql)
            .bind(needle)
            .bind(format!("{}%", scope.prefix()))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(household_id, region_code, matched_name, matched_nik, head_name, members)| {
                    SearchHit {
                        household_id,
                        region_code,
                        head_name,
                        matched_name,
                        matched_nik,
                        members,
                    }
                },
            )
            .collect())
    }

    async fn counts(&self) -> Result<Counts> {
        let (households, members, household_versions, member_versions) = sqlx::query_as::<_, (i64, i64, i64, i64)>(
            "SELECT (SELECT COUNT(*) FROM households), (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM households_history), (SELECT COUNT(*) FROM members_history)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            households,
            members,
            household_versions,
            member_versions,
        })
    }

    async fn create_user(&self, u: &NewUser) -> Result<i64> {
        let _w = self.writer.lock().await;
        let res = sqlx::query_scalar("INSERT INTO users (username, password_hash, role, scope, program, created_at, lpa_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id")
            .bind(&u.username)
            .bind(&u.password_hash)
            .bind(u.role.code())
            .bind(u.scope.to_string())
            .bind(&u.program)
            .bind(now_utc())
            .bind(u.lpa)
            .fetch_one(&self.pool)
            .await;
        unique_violation(res, &u.username)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLS} FROM users u WHERE u.username = ?"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_from_row(&r, 0)).transpose()
    }

    async fn set_password(&self, username: &str, hash: &str) -> Result<bool> {
        let _w = self.writer.lock().await;
        let n = sqlx::query("UPDATE users SET password_hash = ? WHERE username = ?")
            .bind(hash)
            .bind(username)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn create_session(&self, s: &SessionRecord) -> Result<()> {
        let _w = self.writer.lock().await;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, csrf) VALUES (?, ?, ?, ?, ?)")
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(now_utc())
            .bind(&s.expires_at)
            .bind(&s.csrf)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>> {
        let row = sqlx::query(&format!(
            "SELECT s.token_hash, s.user_id, s.expires_at, s.csrf, {USER_COLS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let s = SessionRecord {
            token_hash: row.try_get(0)?,
            user_id: row.try_get(1)?,
            expires_at: row.try_get(2)?,
            csrf: row.try_get(3)?,
        };
        Ok(Some((s, user_from_row(&row, 4)?)))
    }

    async fn snapshot(&self) -> Result<Option<(i64, String)>> {
        ranking_sql::snapshot(&self.pool).await
    }

    async fn put_model(&self, model: &StoredModel) -> Result<bool> {
        let _w = self.writer.lock().await;
        ranking_sql::put_model(&self.pool, model).await
    }

    async fn models(&self) -> Result<Vec<StoredModel>> {
        ranking_sql::models(&self.pool).await
    }

    async fn model(&self, id: &str, version: Option<i64>) -> Result<Option<StoredModel>> {
        ranking_sql::model(&self.pool, id, version).await
    }

    async fn save_edition(&self, edition: &NewEdition, ranks: &[HouseholdRank]) -> Result<Edition> {
        let _w = self.writer.lock().await;
        ranking_sql::save_edition(&self.pool, edition, ranks).await
    }

    async fn editions(&self) -> Result<Vec<Edition>> {
        ranking_sql::editions(&self.pool).await
    }

    async fn edition(&self, id: i64) -> Result<Option<Edition>> {
        ranking_sql::edition(&self.pool, id).await
    }

    async fn record_participation(
        &self,
        change: &Change,
        rows: &[NewParticipation],
    ) -> Result<u64> {
        let _w = self.writer.lock().await;
        ranking_sql::record_participation(&self.pool, change, rows).await
    }

    async fn participation(&self, household_id: &str) -> Result<Vec<ParticipationRecord>> {
        ranking_sql::participation(&self.pool, household_id).await
    }

    async fn household_ranks(&self, household_id: &str) -> Result<Vec<(Edition, HouseholdRank)>> {
        ranking_sql::household_ranks(&self.pool, household_id).await
    }

    async fn create_case(&self, c: &crate::NewCase) -> Result<crate::CaseRecord> {
        let _w = self.writer.lock().await;
        cases_sql::create_case(&self.pool, c).await
    }

    async fn case(&self, id: i64) -> Result<Option<crate::CaseRecord>> {
        cases_sql::case(&self.pool, id).await
    }

    async fn cases(&self, filter: &crate::CaseFilter) -> Result<Vec<crate::CaseRecord>> {
        cases_sql::cases(&self.pool, filter).await
    }

    async fn case_events(&self, id: i64) -> Result<Vec<crate::CaseEvent>> {
        cases_sql::case_events(&self.pool, id).await
    }

    async fn transition_case(&self, t: &crate::CaseTransition) -> Result<crate::CaseRecord> {
        let _w = self.writer.lock().await;
        cases_sql::transition_case(&self.pool, t).await
    }

    async fn due_messages(&self, now: &str, limit: i64) -> Result<Vec<crate::OutboxMessage>> {
        cases_sql::due_messages(&self.pool, now, limit).await
    }

    async fn case_messages(&self, case_id: i64) -> Result<Vec<crate::OutboxMessage>> {
        cases_sql::case_messages(&self.pool, case_id).await
    }

    async fn message_attempt(&self, id: i64, outcome: &crate::Attempt) -> Result<()> {
        let _w = self.writer.lock().await;
        cases_sql::message_attempt(&self.pool, id, outcome).await
    }

    async fn message_log(&self, limit: i64) -> Result<Vec<(i64, String, String, String, String)>> {
        cases_sql::message_log(&self.pool, limit).await
    }

    async fn case_settings(&self) -> Result<Option<(i64, String)>> {
        cases_sql::case_settings(&self.pool).await
    }

    async fn put_case_settings(&self, body: &str, by: &str) -> Result<i64> {
        let _w = self.writer.lock().await;
        cases_sql::put_case_settings(&self.pool, body, by).await
    }

    async fn create_visit(&self, v: &crate::NewVisit) -> Result<crate::VisitRecord> {
        let _w = self.writer.lock().await;
        cases_sql::create_visit(&self.pool, v).await
    }

    async fn visits(&self, filter: &crate::VisitFilter) -> Result<Vec<crate::VisitRecord>> {
        cases_sql::visits(&self.pool, filter).await
    }

    async fn save_village_rows(
        &self,
        run_id: i64,
        gaps: &[crate::stats::VillageGap],
        combos: &[(String, String, i64)],
    ) -> Result<()> {
        let _w = self.writer.lock().await;
        stats_sql::save_village_rows(&self.pool, run_id, gaps, combos).await
    }

    async fn refresh_stats(&self, day: &str, cutoff: &str) -> Result<crate::stats::RefreshReport> {
        let _w = self.writer.lock().await;
        stats_sql::refresh_stats(&self.pool, day, cutoff).await
    }

    async fn region_stats(
        &self,
        region: &str,
    ) -> Result<(
        Option<crate::stats::RegionStats>,
        Vec<crate::stats::RegionStats>,
    )> {
        stats_sql::region_stats(&self.pool, region).await
    }

    async fn program_stats(&self, region: &str) -> Result<Vec<crate::stats::ProgramStats>> {
        stats_sql::program_stats(&self.pool, region).await
    }

    async fn combo_stats(&self, region: &str) -> Result<Vec<crate::stats::ComboStats>> {
        stats_sql::combo_stats(&self.pool, region).await
    }

    async fn case_stats(
        &self,
        prefix: &str,
        child_len: i64,
        now: &str,
        period: &crate::stats::Period,
    ) -> Result<crate::stats::CaseStats> {
        stats_sql::case_stats(&self.pool, prefix, child_len, now, period).await
    }

    async fn put_catalogue(
        &self,
        c: &crate::NewCatalogueVersion,
    ) -> Result<crate::CatalogueVersion> {
        let _w = self.writer.lock().await;
        programs_sql::put_catalogue(&self.pool, c).await
    }

    async fn catalogues(&self) -> Result<Vec<crate::CatalogueVersion>> {
        programs_sql::catalogues(&self.pool).await
    }

    async fn set_dry_run(&self, version: i64, rows: &str) -> Result<()> {
        let _w = self.writer.lock().await;
        programs_sql::set_dry_run(&self.pool, version, rows).await
    }

    async fn publish_catalogue(&self, version: i64, by: &str) -> Result<()> {
        let _w = self.writer.lock().await;
        programs_sql::publish_catalogue(&self.pool, version, by).await
    }

    async fn save_eligibility_run(
        &self,
        run: &crate::NewEligibilityRun,
        quota: &[crate::QuotaEntry],
    ) -> Result<crate::EligibilityRun> {
        let _w = self.writer.lock().await;
        programs_sql::save_eligibility_run(&self.pool, run, quota).await
    }

    async fn eligibility_runs(&self) -> Result<Vec<crate::EligibilityRun>> {
        programs_sql::eligibility_runs(&self.pool).await
    }

    async fn eligibility_run(&self, id: i64) -> Result<Option<crate::EligibilityRun>> {
        programs_sql::eligibility_run(&self.pool, id).await
    }

    async fn quota_units(
        &self,
        run_id: Option<i64>,
        household_id: Option<&str>,
    ) -> Result<Vec<crate::QuotaEntry>> {
        programs_sql::quota_units(&self.pool, run_id, household_id).await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let _w = self.writer.lock().await;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn append_audit(&self, e: &crate::NewAuditEntry) -> Result<crate::AuditEntry> {
        let _w = self.writer.lock().await;
        let mut out = audit_sql::append(&self.pool, std::slice::from_ref(e)).await?;
        out.pop()
            .ok_or_else(|| StoreError::Corrupt("audit entry not appended".into()))
    }

    async fn append_audit_batch(&self, es: &[crate::NewAuditEntry]) -> Result<()> {
        let _w = self.writer.lock().await;
        audit_sql::append(&self.pool, es).await.map(drop)
    }

    async fn audit_entries(&self, after_seq: i64, limit: i64) -> Result<Vec<crate::AuditEntry>> {
        audit_sql::entries(&self.pool, after_seq, limit).await
    }

    async fn audit_filter(
        &self,
        target: Option<&str>,
        actor: Option<&str>,
        limit: i64,
    ) -> Result<Vec<crate::AuditEntry>> {
        audit_sql::filter(&self.pool, target, actor, limit).await
    }

    async fn put_indicator_catalogue(
        &self,
        c: &crate::indicators::NewIndicatorCatalogue,
    ) -> Result<crate::indicators::IndicatorCatalogueVersion> {
        let _w = self.writer.lock().await;
        indicators_sql::put_catalogue(&self.pool, c).await
    }

    async fn indicator_catalogues(
        &self,
    ) -> Result<Vec<crate::indicators::IndicatorCatalogueVersion>> {
        indicators_sql::catalogues(&self.pool).await
    }

    async fn record_indicator_value(
        &self,
        v: &crate::indicators::NewIndicatorValue,
    ) -> Result<crate::indicators::IndicatorValue> {
        let _w = self.writer.lock().await;
        indicators_sql::record_value(&self.pool, v).await
    }

    async fn indicator_values(
        &self,
        f: &crate::indicators::IndicatorValueFilter,
    ) -> Result<Vec<crate::indicators::IndicatorValue>> {
        indicators_sql::values(&self.pool, f).await
    }

    async fn slrt_referred_served(
        &self,
        prefix: &str,
        group_len: i64,
    ) -> Result<Vec<crate::indicators::YearCount>> {
        indicators_sql::referred_served(&self.pool, prefix, group_len).await
    }

    async fn slrt_closed_on_time(
        &self,
        prefix: &str,
        group_len: i64,
        feedback_days: i64,
    ) -> Result<Vec<crate::indicators::ClosedOnTime>> {
        indicators_sql::closed_on_time(&self.pool, prefix, group_len, feedback_days).await
    }
}

pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(crate) fn unique_violation(
    res: std::result::Result<i64, sqlx::Error>,
    username: &str,
) -> Result<i64> {
    match res {
        Ok(id) => Ok(id),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict(
            format!("user {username:?} exists already"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Models and ranking editions: the SQL shared with the other backend.
mod ranking_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::ranking::ranking_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

/// Catalogue versions and eligibility runs: the SQL shared with the other backend.
mod programs_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::programs::programs_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

/// Cases and their history: the SQL shared with the other backend.
mod cases_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::cases::cases_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

/// Dashboard figures: the SQL shared with the other backend.
mod stats_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::stats::stats_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

/// The audit log: the SQL shared with the other backend.
mod audit_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::audit::audit_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

/// Indicator catalogues and values, and the computed SLRT indicators: the SQL shared with
/// the other backend.
mod indicators_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::indicators::indicators_methods!(sqlx::SqlitePool, sqlx::Sqlite, D);
}

crate::askesos::askesos_impl!(
    SqliteStore,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    D,
    writer = writer
);

impl SqliteStore {
    /// The Askesos ledger read through rusqlite on a file database (`None` in memory:
    /// the shared SQL path through sqlx then).
    async fn bulk_ledgers(
        &self,
        f: &crate::askesos::AskesosFilter,
    ) -> Result<Option<Vec<crate::askesos::MemberLedgerRow>>> {
        let Some(path) = self.file.clone() else {
            return Ok(None);
        };
        let f = f.clone();
        tokio::task::spawn_blocking(move || crate::askesos::sqlite_ledgers(&path, &f))
            .await
            .map_err(|e| StoreError::Sqlite(format!("ledger reader stopped: {e}")))?
            .map(Some)
    }
}
