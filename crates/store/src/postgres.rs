//! PostgreSQL: the production database. Bulk loads go through `COPY` into a temporary
//! staging table, then one `INSERT … SELECT … ON CONFLICT` per table, so that a chunk of
//! thousands of households costs a handful of round trips.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures::TryStreamExt;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{PgPool, Row};

use selaras_domain::registry::{Column, Value, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::RegionScope;

use crate::codec::{self, copy_csv_field};
use crate::schema::{self, Dialect};
use crate::sqlite::{like_escape, unique_violation};
use crate::*;

pub struct PgStore {
    pool: PgPool,
    /// Household ids and NIKs have unique indexes of their own (see `upsert_units`).
    national_keys: tokio::sync::OnceCell<bool>,
    /// The last chunk written held new rows only.
    all_new: AtomicBool,
}

const D: Dialect = Dialect::Postgres;

impl PgStore {
    pub async fn open(url: &str) -> Result<PgStore> {
        let opts: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        Ok(PgStore {
            pool,
            national_keys: tokio::sync::OnceCell::new(),
            all_new: AtomicBool::new(true),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

const CHANGE_COLS: &str = "c.id, c.at, c.kind, c.actor, c.ref, c.note";
const USER_COLS: &str =
    "u.id, u.username, u.password_hash, u.role, u.scope, u.program, u.disabled, u.lpa_id";

fn change_from_row(row: &sqlx::postgres::PgRow, start: usize) -> Result<Change> {
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

fn user_from_row(row: &sqlx::postgres::PgRow, start: usize) -> Result<UserRecord> {
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

fn col_names(cols: &[Column]) -> String {
    cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

fn update_set(cols: &[Column], table: &str, key: &str, extra: &[&str]) -> String {
    let mut sets: Vec<String> = cols
        .iter()
        .map(|c| c.name)
        .chain(extra.iter().copied())
        .chain(["row_hash", "change_id", "valid_from"])
        .filter(|n| *n != key)
        .map(|n| format!("{n} = EXCLUDED.{n}"))
        .collect();
    sets.push(format!("version = {table}.version + 1"));
    sets.join(", ")
}

/// Builds the search indexes that are missing. (Statistics after a large load are left to
/// autovacuum, which analyses a table that grew this much within a minute.)
async fn build_missing_indexes(tx: &mut PgConnection) -> Result<()> {
    let names: Vec<String> = schema::SEARCH_INDEXES
        .iter()
        .map(|(n, _, _)| n.to_string())
        .collect();
    let present: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = ANY($1)",
    )
    .bind(&names)
    .fetch_one(&mut *tx)
    .await?;
    if present as usize == names.len() {
        return Ok(());
    }
    for stmt in schema::search_index_statements(true) {
        sqlx::query(&stmt).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Rows in COPY CSV text.
#[derive(Default)]
struct Rows {
    text: String,
    count: u64,
}

/// One table's rows of a chunk: new keys, and keys found stored.
#[derive(Default)]
struct CopyRows {
    new: Rows,
    stored: Rows,
}

impl CopyRows {
    fn pick(&mut self, stored: bool) -> &mut Rows {
        if stored {
            &mut self.stored
        } else {
            &mut self.new
        }
    }
}

async fn copy_in(conn: &mut PgConnection, table: &str, cols: &str, rows: &Rows) -> Result<()> {
    if rows.count == 0 {
        return Ok(());
    }
    let mut copy = conn
        .copy_in_raw(&format!("COPY {table} ({cols}) FROM STDIN (FORMAT csv)"))
        .await?;
    copy.send(rows.text.as_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// How `upsert_once` treats rows it has not looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No lookups: every row is taken to be new and copied straight in.
    Optimistic,
    /// Stored provinces looked up first; new rows copied straight in, stored ones upserted.
    Lookups,
    /// Lookups, and every row upserted (after a COPY met a row stored meanwhile).
    UpsertAll,
}

/// One attempt at `upsert_units` in `tx`. `None`: a row copied in as new was stored
/// after all (unique violation); the caller rolls back and tries the next mode.
async fn upsert_once(
    tx: &mut PgConnection,
    change: &Change,
    units: &[Unit],
    mode: Mode,
) -> Result<Option<UpsertStats>> {
    let mut stats = UpsertStats::default();
    let lookups = mode != Mode::Optimistic;

    let ids: Vec<String> = if lookups {
        units
            .iter()
            .filter_map(|u| u.household.as_ref().map(|h| h.id.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let stored_prov = provinces(
        &mut *tx,
        "SELECT household_id, prov FROM households WHERE household_id = ANY($1)",
        &ids,
    )
    .await?;
    let mut refused_unit = vec![false; units.len()];
    for (i, u) in units.iter().enumerate() {
        if let Some(h) = &u.household {
            if let Some(p) = stored_prov.get(h.id.as_str()) {
                if p != h.region.province().as_str() {
                    refused_unit[i] = true;
                    stats.rejects.push((i, None, "region_code", format!("household is registered in province {p}: record its exit (moved) and register it anew")));
                }
            }
        }
    }
    let niks: Vec<String> = if lookups {
        units
            .iter()
            .flat_map(|u| u.members.iter().map(|m| m.nik.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let nik_prov = provinces(
        &mut *tx,
        "SELECT nik, prov FROM members WHERE nik = ANY($1)",
        &niks,
    )
    .await?;
    let missing: Vec<String> = units
        .iter()
        .filter(|u| u.household.is_none())
        .filter_map(|u| u.members.first().map(|m| m.household_id.to_string()))
        .collect();
    let parent_prov = provinces(
        &mut *tx,
        "SELECT household_id, prov FROM households WHERE household_id = ANY($1)",
        &missing,
    )
    .await?;

    // Rows as COPY text: new rows are copied straight into the tables; those found
    // stored go through a staging table and an upsert.
    let upsert_all = mode == Mode::UpsertAll;
    let mut hh = CopyRows::default();
    for (i, u) in units.iter().enumerate() {
        let Some(h) = u.household.as_ref().filter(|_| !refused_unit[i]) else {
            continue;
        };
        let values = h.values();
        let hash = u.household_hash;
        let rows = hh.pick(upsert_all || stored_prov.contains_key(h.id.as_str()));
        for v in &values {
            copy_csv_field(&mut rows.text, v);
            rows.text.push(',');
        }
        let _ = writeln!(
            rows.text,
            "{},{hash},1,{},{}",
            h.region.province(),
            change.id,
            change.at
        );
        rows.count += 1;
    }
    let mut mm = CopyRows::default();
    for (i, u) in units.iter().enumerate() {
        if refused_unit[i] {
            continue;
        }
        let prov = match &u.household {
            Some(h) => h.region.province().to_string(),
            None => match u
                .members
                .first()
                .and_then(|m| parent_prov.get(m.household_id.as_str()))
            {
                Some(p) => p.clone(),
                None => {
                    // Its household is not stored (the import checked, but it may have
                    // been refused meanwhile): each member is refused by name.
                    stats.refuse_orphans(i, u.members.len());
                    continue;
                }
            },
        };
        for (k, m) in u.members.iter().enumerate() {
            let values = m.values();
            // values[1] is the NIK as text.
            let stored = match (nik_prov.is_empty(), &values[1]) {
                (false, Value::Text(nik)) => nik_prov.get(&**nik),
                _ => None,
            };
            if let Some(p) = stored {
                if *p != prov {
                    stats.rejects.push((
                        i,
                        Some(k),
                        "nik",
                        format!("person is registered in province {p}: record the move out first"),
                    ));
                    continue;
                }
            }
            let no = u.member_nos[k];
            let hash = u.member_hashes[k];
            let rows = mm.pick(upsert_all || stored.is_some());
            for v in &values {
                copy_csv_field(&mut rows.text, v);
                rows.text.push(',');
            }
            let _ = writeln!(
                rows.text,
                "{no},{prov},{hash},1,{},{}",
                change.id, change.at
            );
            rows.count += 1;
        }
    }
    let hcols = format!("{}, {}", col_names(HOUSEHOLD_COLUMNS), schema::META);
    let mcols = format!("{}, member_no, {}", col_names(MEMBER_COLUMNS), schema::META);

    // New rows: no staging, no conflict handling.
    for (table, cols, rows) in [
        ("households", &hcols, &hh.new),
        ("members", &mcols, &mm.new),
    ] {
        match copy_in(&mut *tx, table, cols, rows).await {
            Ok(()) => {}
            Err(StoreError::Db(sqlx::Error::Database(e))) if e.is_unique_violation() => {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
    }
    stats.households_written = hh.new.count;
    stats.members_written = mm.new.count;

    // Stored rows: stage, then one upsert per table that writes a new version only where
    // the content differs.
    if hh.stored.count + mm.stored.count > 0 {
        // One round trip for both (simple protocol; notices about existing tables are
        // dropped).
        sqlx::Executor::execute(
            &mut *tx,
            "SET LOCAL client_min_messages = warning; \
             CREATE TEMP TABLE IF NOT EXISTS stage_households (LIKE households INCLUDING DEFAULTS) ON COMMIT DELETE ROWS; \
             CREATE TEMP TABLE IF NOT EXISTS stage_members (LIKE members INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
        )
        .await?;
    }
    if hh.stored.count > 0 {
        copy_in(&mut *tx, "stage_households", &hcols, &hh.stored).await?;
        let n = sqlx::query(&format!(
            "INSERT INTO households ({hcols}) SELECT {hcols} FROM stage_households \
             ON CONFLICT (prov, household_id) DO UPDATE SET {} WHERE households.row_hash <> EXCLUDED.row_hash",
            update_set(HOUSEHOLD_COLUMNS, "households", "household_id", &[])
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stats.households_written += n;
    }
    if mm.stored.count > 0 {
        copy_in(&mut *tx, "stage_members", &mcols, &mm.stored).await?;
        let n = sqlx::query(&format!(
            "INSERT INTO members ({mcols}) SELECT {mcols} FROM stage_members \
             ON CONFLICT (prov, nik) DO UPDATE SET {} WHERE members.row_hash <> EXCLUDED.row_hash",
            update_set(MEMBER_COLUMNS, "members", "nik", &["member_no"])
        ))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        stats.members_written += n;
    }
    stats.households_unchanged = hh.new.count + hh.stored.count - stats.households_written;
    stats.members_unchanged = mm.new.count + mm.stored.count - stats.members_written;
    Ok(Some(stats))
}

/// `(key, prov)` rows of `sql` for these keys; no query for none.
async fn provinces(
    conn: &mut PgConnection,
    sql: &str,
    keys: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    if keys.is_empty() {
        return Ok(Default::default());
    }
    Ok(sqlx::query_as::<_, (String, String)>(sql)
        .bind(keys)
        .fetch_all(conn)
        .await?
        .into_iter()
        .collect())
}

#[async_trait]
impl Storage for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        // Serialises concurrent migrators (two servers starting at once).
        sqlx::query("SELECT pg_advisory_xact_lock(7201201)")
            .execute(&mut *tx)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        for (version, sql) in schema::migrations(D) {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_none() {
                for stmt in schema::split_statements(&sql) {
                    sqlx::query(&stmt).execute(&mut *tx).await?;
                }
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(version)
                    .bind(now_utc())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        build_missing_indexes(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn search_indexes(&self, on: bool) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(7201201)")
            .execute(&mut *tx)
            .await?;
        if on {
            build_missing_indexes(&mut tx).await?;
        } else {
            for stmt in schema::search_index_statements(false) {
                sqlx::query(&stmt).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_change(&self, c: &NewChange) -> Result<Change> {
        let at = now_utc();
        let id: i64 = sqlx::query_scalar("INSERT INTO changes (at, actor, kind, ref, note) VALUES ($1, $2, $3, $4, $5) RETURNING id")
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
        sqlx::query("INSERT INTO import_batches (change_id, source, started_at, status) VALUES ($1, $2, $3, 'running')")
            .bind(change.id)
            .bind(source)
            .bind(&change.at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn finish_import(&self, change_id: i64, t: &ImportTotals, status: &str) -> Result<()> {
        sqlx::query("UPDATE import_batches SET finished_at = $1, status = $2, households = $3, members = $4, unchanged = $5, rejected = $6 WHERE change_id = $7")
            .bind(now_utc())
            .bind(status)
            .bind(t.households as i64)
            .bind(t.members as i64)
            .bind(t.unchanged as i64)
            .bind(t.rejected as i64)
            .bind(change_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn upsert_units(&self, change: &Change, units: Vec<Unit>) -> Result<UpsertStats> {
        // Household ids and NIKs unique nationally (the single-node indexes of migration
        // 1) let a load of new rows skip the province lookups: should a row exist after
        // all, the COPY fails on those indexes and the chunk is redone with lookups.
        let national = *self
            .national_keys
            .get_or_try_init(|| async {
                let n: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() \
                     AND indexname IN ('households_id_unique', 'members_nik_unique')",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok::<_, StoreError>(n == 2)
            })
            .await?;
        let mut mode = if national && self.all_new.load(Ordering::Relaxed) {
            Mode::Optimistic
        } else {
            Mode::Lookups
        };
        loop {
            let mut tx = self.pool.begin().await?;
            match upsert_once(&mut tx, change, &units, mode).await? {
                Some(stats) => {
                    tx.commit().await?;
                    self.all_new.store(
                        stats.households_unchanged + stats.members_unchanged == 0
                            && stats.rejects.is_empty(),
                        Ordering::Relaxed,
                    );
                    return Ok(stats);
                }
                None => {
                    tx.rollback().await?;
                    self.all_new.store(false, Ordering::Relaxed);
                    mode = match mode {
                        Mode::Optimistic => Mode::Lookups,
                        _ => Mode::UpsertAll,
                    };
                }
            }
        }
    }

    async fn existing_households(&self, ids: &[String]) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT household_id FROM households WHERE household_id = ANY($1)")
                .bind(ids)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn export(&self, at: Option<i64>, sink: &mut ExportSink<'_>) -> Result<()> {
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
            "SELECT {}, h.version, h.valid_from, {CHANGE_COLS} FROM households h JOIN changes c ON c.id = h.change_id WHERE h.household_id = $1",
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
            "SELECT {}, member_no, version, valid_from FROM members WHERE household_id = $1 ORDER BY member_no",
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
            sqlx::query_scalar("SELECT household_id FROM members WHERE nik = $1")
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
            "SELECT {hl}, h.version, h.valid_from, NULL::text, NULL::bigint, {CHANGE_COLS} FROM households h JOIN changes c ON c.id = h.change_id WHERE h.household_id = $1 \
             UNION ALL SELECT {hl}, h.version, h.valid_from, h.valid_to, h.superseded_by, {CHANGE_COLS} FROM households_history h JOIN changes c ON c.id = h.change_id WHERE h.household_id = $1"
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
            "SELECT {ml}, m.version, m.valid_from, NULL::text, NULL::bigint, {CHANGE_COLS} FROM members m JOIN changes c ON c.id = m.change_id WHERE m.household_id = $1 \
             UNION ALL SELECT {ml}, m.version, m.valid_from, m.valid_to, m.superseded_by, {CHANGE_COLS} FROM members_history m JOIN changes c ON c.id = m.change_id WHERE m.household_id = $1"
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
            "(m.nik = $1 OR m.kk_number = $1)"
        } else {
            "m.name ILIKE $1"
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
             WHERE {cond} AND h.region_code LIKE $2 ORDER BY h.household_id, m.member_no LIMIT $3"
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
        let res = sqlx::query_scalar("INSERT INTO users (username, password_hash, role, scope, program, created_at, lpa_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
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
            "SELECT {USER_COLS} FROM users u WHERE u.username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| user_from_row(&r, 0)).transpose()
    }

    async fn set_password(&self, username: &str, hash: &str) -> Result<bool> {
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash)
            .bind(username)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    async fn create_session(&self, s: &SessionRecord) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, csrf) VALUES ($1, $2, $3, $4, $5)")
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
            "SELECT s.token_hash, s.user_id, s.expires_at, s.csrf, {USER_COLS} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
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
        ranking_sql::put_model(&self.pool, model).await
    }

    async fn models(&self) -> Result<Vec<StoredModel>> {
        ranking_sql::models(&self.pool).await
    }

    async fn model(&self, id: &str, version: Option<i64>) -> Result<Option<StoredModel>> {
        ranking_sql::model(&self.pool, id, version).await
    }

    async fn save_edition(&self, edition: &NewEdition, ranks: &[HouseholdRank]) -> Result<Edition> {
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
        ranking_sql::record_participation(&self.pool, change, rows).await
    }

    async fn participation(&self, household_id: &str) -> Result<Vec<ParticipationRecord>> {
        ranking_sql::participation(&self.pool, household_id).await
    }

    async fn household_ranks(&self, household_id: &str) -> Result<Vec<(Edition, HouseholdRank)>> {
        ranking_sql::household_ranks(&self.pool, household_id).await
    }

    async fn create_case(&self, c: &crate::NewCase) -> Result<crate::CaseRecord> {
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
        cases_sql::transition_case(&self.pool, t).await
    }

    async fn due_messages(&self, now: &str, limit: i64) -> Result<Vec<crate::OutboxMessage>> {
        cases_sql::due_messages(&self.pool, now, limit).await
    }

    async fn case_messages(&self, case_id: i64) -> Result<Vec<crate::OutboxMessage>> {
        cases_sql::case_messages(&self.pool, case_id).await
    }

    async fn message_attempt(&self, id: i64, outcome: &crate::Attempt) -> Result<()> {
        cases_sql::message_attempt(&self.pool, id, outcome).await
    }

    async fn message_log(&self, limit: i64) -> Result<Vec<(i64, String, String, String, String)>> {
        cases_sql::message_log(&self.pool, limit).await
    }

    async fn case_settings(&self) -> Result<Option<(i64, String)>> {
        cases_sql::case_settings(&self.pool).await
    }

    async fn put_case_settings(&self, body: &str, by: &str) -> Result<i64> {
        cases_sql::put_case_settings(&self.pool, body, by).await
    }

    async fn create_visit(&self, v: &crate::NewVisit) -> Result<crate::VisitRecord> {
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
        stats_sql::save_village_rows(&self.pool, run_id, gaps, combos).await
    }

    async fn refresh_stats(&self, day: &str, cutoff: &str) -> Result<crate::stats::RefreshReport> {
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
        programs_sql::put_catalogue(&self.pool, c).await
    }

    async fn catalogues(&self) -> Result<Vec<crate::CatalogueVersion>> {
        programs_sql::catalogues(&self.pool).await
    }

    async fn set_dry_run(&self, version: i64, rows: &str) -> Result<()> {
        programs_sql::set_dry_run(&self.pool, version, rows).await
    }

    async fn publish_catalogue(&self, version: i64, by: &str) -> Result<()> {
        programs_sql::publish_catalogue(&self.pool, version, by).await
    }

    async fn save_eligibility_run(
        &self,
        run: &crate::NewEligibilityRun,
        quota: &[crate::QuotaEntry],
    ) -> Result<crate::EligibilityRun> {
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
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn append_audit(&self, e: &crate::NewAuditEntry) -> Result<crate::AuditEntry> {
        let mut out = audit_sql::append(&self.pool, std::slice::from_ref(e)).await?;
        out.pop()
            .ok_or_else(|| StoreError::Corrupt("audit entry not appended".into()))
    }

    async fn append_audit_batch(&self, es: &[crate::NewAuditEntry]) -> Result<()> {
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

/// Models and ranking editions: the SQL shared with the other backend.
mod ranking_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::ranking::ranking_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

/// Catalogue versions and eligibility runs: the SQL shared with the other backend.
mod programs_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::programs::programs_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

/// Cases and their history: the SQL shared with the other backend.
mod cases_sql {
    use sqlx::Row;

    use super::D;
    use crate::{Result, StoreError};

    crate::cases::cases_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

/// Dashboard figures: the SQL shared with the other backend.
mod stats_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::stats::stats_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

/// The audit log: the SQL shared with the other backend.
mod audit_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::audit::audit_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

/// Indicator catalogues and values, and the computed SLRT indicators: the SQL shared with
/// the other backend.
mod indicators_sql {
    use sqlx::Row;

    use super::D;
    use crate::Result;

    crate::indicators::indicators_methods!(sqlx::PgPool, sqlx::Postgres, D);
}

crate::askesos::askesos_impl!(PgStore, sqlx::PgPool, sqlx::Postgres, D);

impl PgStore {
    /// PostgreSQL reads ledgers through the shared SQL.
    async fn bulk_ledgers(
        &self,
        _f: &crate::askesos::AskesosFilter,
    ) -> Result<Option<Vec<crate::askesos::MemberLedgerRow>>> {
        Ok(None)
    }
}
