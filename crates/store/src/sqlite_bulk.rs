//! SQLite's import path: a connection of its own, driven through rusqlite on a blocking
//! thread, with prepared single-row upserts bound straight from the domain's values.
//!
//! Why not sqlx here: its SQLite driver copies every bound value into an owned argument
//! and runs each statement through a worker channel. For an import that is most of the
//! cost (measured on 200,000 households: sqlx multi-row upserts 23.2 s, this path and
//! deferred search indexes together ~2× faster; see BENCHMARKS.md). Both drivers link the
//! same bundled libsqlite3.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OptionalExtension, Statement, ToSql};

use selaras_domain::registry::{Column, Value, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

use crate::schema;
use crate::{Change, Result, StoreError, Unit, UpsertStats};

/// A value bound without copying its text.
struct Bind<'a>(&'a Value<'a>);

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(r) => ToSqlOutput::Borrowed(ValueRef::Real(*r)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(*b as i64)),
            Value::Date(d) => ToSqlOutput::Owned(rusqlite::types::Value::Text(d.to_string())),
        })
    }
}

pub(crate) struct BulkWriter {
    conn: Connection,
}

fn names(cols: &[Column]) -> String {
    cols.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
}

/// `INSERT … ON CONFLICT DO UPDATE` of one row; the update happens only when the content
/// changed and the stored row is in the same province (a move between provinces is an
/// exit and a new registration). Parameters: the columns, `extra`, prov, row_hash,
/// change_id, valid_from.
fn upsert_sql(table: &str, cols: &[Column], extra: &[&str], key: &str) -> String {
    let mut names = names(cols);
    for e in extra {
        names.push_str(", ");
        names.push_str(e);
    }
    let n = cols.len() + extra.len();
    let params: Vec<String> = (1..=n + 4).map(|i| format!("?{i}")).collect();
    let (values, meta) = params.split_at(n);
    let sets = super::sqlite::update_set(cols, table, extra);
    format!(
        "INSERT INTO {table} ({names}, {meta_cols}) VALUES ({values}, {prov}, {hash}, 1, {change}, {at}) \
         ON CONFLICT ({key}) DO UPDATE SET {sets} \
         WHERE {table}.row_hash <> excluded.row_hash AND {table}.prov = excluded.prov",
        meta_cols = schema::META,
        values = values.join(", "),
        prov = meta[0],
        hash = meta[1],
        change = meta[2],
        at = meta[3],
    )
}

/// Binds `values`, then prov, hash, change id and time; runs the statement and returns
/// the rows it wrote (0: unchanged, or stored in another province).
fn run(
    stmt: &mut Statement<'_>,
    values: &[Value<'_>],
    extra: &[i64],
    prov: &str,
    hash: i64,
    change: &Change,
) -> Result<usize> {
    let mut i = 1;
    for v in values {
        stmt.raw_bind_parameter(i, Bind(v))?;
        i += 1;
    }
    for e in extra {
        stmt.raw_bind_parameter(i, e)?;
        i += 1;
    }
    stmt.raw_bind_parameter(i, prov)?;
    stmt.raw_bind_parameter(i + 1, hash)?;
    stmt.raw_bind_parameter(i + 2, change.id)?;
    stmt.raw_bind_parameter(i + 3, change.at.as_str())?;
    Ok(stmt.raw_execute()?)
}

impl BulkWriter {
    pub(crate) fn open(path: &Path) -> Result<BulkWriter> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // As the pool's connections (see `SqliteStore::open`).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
             PRAGMA wal_autocheckpoint = 100000; PRAGMA journal_size_limit = 67108864;",
        )?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(BulkWriter { conn })
    }

    /// The file behind a `sqlite:` URL; `None` for an in-memory database, which another
    /// connection cannot see.
    pub(crate) fn file_of(url: &str, opts: &sqlx::sqlite::SqliteConnectOptions) -> Option<PathBuf> {
        if url.contains(":memory:") || url.contains("mode=memory") {
            return None;
        }
        Some(opts.get_filename().to_path_buf())
    }

    pub(crate) fn upsert(&mut self, change: &Change, units: &[Unit]) -> Result<UpsertStats> {
        let tx = self.conn.transaction()?;
        let mut stats = UpsertStats::default();
        let mut refused_unit = vec![false; units.len()];
        let mut provs: Vec<Option<String>> = vec![None; units.len()];
        {
            let mut upsert = tx.prepare_cached(&upsert_sql(
                "households",
                HOUSEHOLD_COLUMNS,
                &[],
                "household_id",
            ))?;
            let mut stored =
                tx.prepare_cached("SELECT prov FROM households WHERE household_id = ?1")?;
            for (i, u) in units.iter().enumerate() {
                let prov = match &u.household {
                    Some(h) => {
                        let prov = h.region.province().to_string();
                        let values = h.values();
                        let hash = u.household_hash;
                        if run(&mut upsert, &values, &[], &prov, hash, change)? == 1 {
                            stats.households_written += 1;
                        } else {
                            // Unchanged, or stored in another province.
                            let p: Option<String> =
                                stored.query_row([h.id.as_str()], |r| r.get(0)).optional()?;
                            match p {
                                Some(p) if p != prov => {
                                    refused_unit[i] = true;
                                    stats.rejects.push((i, None, "region_code", format!("household is registered in province {p}: record its exit (moved) and register it anew")));
                                    continue;
                                }
                                _ => stats.households_unchanged += 1,
                            }
                        }
                        prov
                    }
                    None => {
                        let Some(m) = u.members.first() else { continue };
                        let p: Option<String> = stored
                            .query_row([m.household_id.as_str()], |r| r.get(0))
                            .optional()?;
                        match p {
                            Some(p) => p,
                            None => {
                                refused_unit[i] = true;
                                stats.refuse_orphans(i, u.members.len());
                                continue;
                            }
                        }
                    }
                };
                provs[i] = Some(prov);
            }
        }
        {
            let mut upsert = tx.prepare_cached(&upsert_sql(
                "members",
                MEMBER_COLUMNS,
                &["member_no"],
                "nik",
            ))?;
            let mut stored = tx.prepare_cached("SELECT prov FROM members WHERE nik = ?1")?;
            for (i, u) in units.iter().enumerate() {
                let Some(prov) = provs[i].as_deref().filter(|_| !refused_unit[i]) else {
                    continue;
                };
                for (k, m) in u.members.iter().enumerate() {
                    let no = u.member_nos[k];
                    let values = m.values();
                    let hash = u.member_hashes[k];
                    if run(&mut upsert, &values, &[no], prov, hash, change)? == 1 {
                        stats.members_written += 1;
                        continue;
                    }
                    let nik = m.nik.to_string();
                    let p: Option<String> =
                        stored.query_row([nik.as_str()], |r| r.get(0)).optional()?;
                    match p {
                        Some(p) if p != prov => stats.rejects.push((
                            i,
                            Some(k),
                            "nik",
                            format!(
                                "person is registered in province {p}: record the move out first"
                            ),
                        )),
                        _ => stats.members_unchanged += 1,
                    }
                }
            }
        }
        tx.commit()?;
        Ok(stats)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e.to_string())
    }
}

/// A row read for an export, parsed into the domain's record.
pub(crate) enum Exported {
    Household(selaras_domain::registry::Household),
    Member(selaras_domain::registry::Member),
}

/// Rows per batch handed from the reading thread to the export's sink.
const EXPORT_BATCH: usize = 4_096;

/// An export read through rusqlite on the calling (blocking) thread: households then
/// members, in the export's order, as of change `at` (see `ranking::export_sql`), sent in
/// batches. sqlx copies every value of every row (`sqlite3_value_dup`) and allocates it
/// apart: three quarters of an export's time went to malloc and free (measured with perf).
/// Stops quietly when the receiver is gone.
/// A read-only connection for bulk reads: pages mapped, not copied through read(2) (a
/// third of an export's time went to copies), a large cache.
pub(crate) fn read_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.execute_batch(
        "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 2147418112;",
    )?;
    Ok(conn)
}

pub(crate) fn export(
    path: &Path,
    at: Option<i64>,
    tx: tokio::sync::mpsc::Sender<Result<Vec<Exported>>>,
) {
    let run = || -> Result<()> {
        let conn = read_connection(path)?;
        // One read transaction: households and members from the same state.
        conn.execute_batch("BEGIN")?;
        for (table, cols, order) in [
            ("households", HOUSEHOLD_COLUMNS, "household_id"),
            ("members", MEMBER_COLUMNS, "household_id, member_no"),
        ] {
            let sql = crate::ranking::export_sql(schema::Dialect::Sqlite, at, cols, table, order);
            let mut stmt = conn.prepare(&sql)?;
            let mut rows = match at {
                Some(c) => stmt.query([c])?,
                None => stmt.query([])?,
            };
            let mut batch = Vec::with_capacity(EXPORT_BATCH);
            let mut text = Vec::with_capacity(cols.len());
            while let Some(row) = rows.next()? {
                text.clear();
                for (i, c) in cols.iter().enumerate() {
                    text.push(value_text(c, row.get_ref(i)?)?);
                }
                batch.push(if table == "households" {
                    Exported::Household(crate::codec::household_from_text(&text)?)
                } else {
                    Exported::Member(crate::codec::member_from_text(&text)?)
                });
                if batch.len() == EXPORT_BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(EXPORT_BATCH));
                    if tx.blocking_send(Ok(full)).is_err() {
                        return Ok(());
                    }
                }
            }
            if !batch.is_empty() && tx.blocking_send(Ok(batch)).is_err() {
                return Ok(());
            }
        }
        conn.execute_batch("COMMIT")?;
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.blocking_send(Err(e));
    }
}

/// A stored value as interchange text, as `codec::row_text` reads it through sqlx.
fn value_text(c: &Column, v: ValueRef<'_>) -> Result<String> {
    use selaras_domain::registry::Kind;
    Ok(match (c.kind, v) {
        (_, ValueRef::Null) => String::new(),
        (Kind::Bool, ValueRef::Integer(i)) => Value::Bool(i != 0).to_string(),
        (Kind::Real, ValueRef::Integer(i)) => Value::Real(i as f64).to_string(),
        (Kind::Real, ValueRef::Real(r)) => Value::Real(r).to_string(),
        (_, ValueRef::Integer(i)) => i.to_string(),
        (_, ValueRef::Text(t)) => std::str::from_utf8(t)
            .map_err(|_| StoreError::Corrupt(format!("{}: stored text is not UTF-8", c.name)))?
            .to_string(),
        (_, other) => {
            return Err(StoreError::Corrupt(format!(
                "{}: unexpected stored value {other:?}",
                c.name
            )))
        }
    })
}
