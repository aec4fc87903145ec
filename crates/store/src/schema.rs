//! Schema of both databases, generated from the domain's column lists so that storage and
//! the interchange format cannot drift apart. Migrations are numbered; a database records
//! the ones it has applied in `schema_migrations`.
//!
//! PostgreSQL keys carry the province (`prov`) first, so that the big tables can be
//! distributed by region on Citus (`create_distributed_table('households', 'prov')`, the
//! other registry tables co-located); see ARCHITECTURE.md.

use selaras_domain::registry::{Column, Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

fn sql_type(d: Dialect, k: Kind) -> &'static str {
    match (d, k) {
        (_, Kind::Text) => "TEXT",
        (Dialect::Sqlite, Kind::Int | Kind::Bool) => "INTEGER",
        (Dialect::Sqlite, Kind::Real) => "REAL",
        (Dialect::Sqlite, Kind::Date) => "TEXT",
        (Dialect::Postgres, Kind::Int) => "BIGINT",
        (Dialect::Postgres, Kind::Bool) => "BOOLEAN",
        (Dialect::Postgres, Kind::Real) => "DOUBLE PRECISION",
        (Dialect::Postgres, Kind::Date) => "DATE",
    }
}

fn column_defs(d: Dialect, cols: &[Column]) -> String {
    cols.iter()
        .map(|c| {
            let null = if c.required { " NOT NULL" } else { "" };
            format!("  {} {}{}", c.name, sql_type(d, c.kind), null)
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

fn names(cols: &[Column], prefix: &str) -> String {
    cols.iter()
        .map(|c| format!("{prefix}{}", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bookkeeping columns every registry row carries after its data columns.
pub const META: &str = "prov, row_hash, version, change_id, valid_from";

fn registry_table(d: Dialect, table: &str, cols: &[Column], key: &str, extra: &str) -> String {
    let bigint = if d == Dialect::Sqlite {
        "INTEGER"
    } else {
        "BIGINT"
    };
    let pk = match d {
        Dialect::Sqlite => key.to_string(),
        Dialect::Postgres => format!("prov, {key}"),
    };
    let hist_pk = match d {
        Dialect::Sqlite => format!("{key}, version"),
        Dialect::Postgres => format!("prov, {key}, version"),
    };
    format!(
        "CREATE TABLE {table} (\n{cols_def},\n{extra}  prov TEXT NOT NULL,\n  row_hash {bigint} NOT NULL,\n  version {bigint} NOT NULL,\n  change_id {bigint} NOT NULL REFERENCES changes(id),\n  valid_from TEXT NOT NULL,\n  PRIMARY KEY ({pk})\n);\n\
         CREATE TABLE {table}_history (\n{cols_def},\n{extra}  prov TEXT NOT NULL,\n  row_hash {bigint} NOT NULL,\n  version {bigint} NOT NULL,\n  change_id {bigint} NOT NULL,\n  valid_from TEXT NOT NULL,\n  valid_to TEXT NOT NULL,\n  superseded_by {bigint} NOT NULL,\n  PRIMARY KEY ({hist_pk})\n);\n",
        cols_def = column_defs(d, cols),
    )
}

/// The trigger that keeps every replaced version, and the guards that forbid deleting
/// registry rows or rewriting history.
fn history_triggers(d: Dialect, table: &str, cols: &[Column], extra_cols: &str) -> String {
    let all = format!("{}{extra_cols}, {META}", names(cols, ""));
    let old = format!(
        "{}{}, {}",
        names(cols, "OLD."),
        prefixed(extra_cols, "OLD."),
        prefixed_list(META, "OLD.")
    );
    match d {
        Dialect::Sqlite => format!(
            "CREATE TRIGGER {table}_keep_history BEFORE UPDATE ON {table}\n\
             WHEN OLD.version IS NOT NEW.version\n\
             BEGIN\n  INSERT INTO {table}_history ({all}, valid_to, superseded_by)\n  VALUES ({old}, NEW.valid_from, NEW.change_id);\nEND;\n\
             CREATE TRIGGER {table}_never_delete BEFORE DELETE ON {table}\n\
             BEGIN SELECT RAISE(ABORT, 'registry rows are never deleted: record an exit state'); END;\n\
             CREATE TRIGGER {table}_history_append_only_u BEFORE UPDATE ON {table}_history\n\
             BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;\n\
             CREATE TRIGGER {table}_history_append_only_d BEFORE DELETE ON {table}_history\n\
             BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;\n"
        ),
        Dialect::Postgres => format!(
            "CREATE FUNCTION {table}_keep_history() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n  IF OLD.version IS DISTINCT FROM NEW.version THEN\n    INSERT INTO {table}_history ({all}, valid_to, superseded_by)\n    VALUES ({old}, NEW.valid_from, NEW.change_id);\n  END IF;\n  RETURN NEW;\nEND $$;\n\
             CREATE TRIGGER {table}_keep_history BEFORE UPDATE ON {table}\n  FOR EACH ROW EXECUTE FUNCTION {table}_keep_history();\n\
             CREATE TRIGGER {table}_never_delete BEFORE DELETE ON {table}\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('registry rows are never deleted: record an exit state');\n\
             CREATE TRIGGER {table}_history_append_only BEFORE UPDATE OR DELETE ON {table}_history\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('history is append-only');\n"
        ),
    }
}

fn prefixed(extra_cols: &str, p: &str) -> String {
    if extra_cols.is_empty() {
        String::new()
    } else {
        format!(
            ", {}",
            prefixed_list(extra_cols.trim_start_matches(", "), p)
        )
    }
}

fn prefixed_list(list: &str, p: &str) -> String {
    list.split(',')
        .map(|c| format!("{p}{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Migration 1: changes, import batches, households, members, their history, users,
/// sessions.
pub fn migration_1(d: Dialect) -> String {
    let (id, bigint) = match d {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY", "INTEGER"),
        Dialect::Postgres => (
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
            "BIGINT",
        ),
    };
    let mut s = String::new();
    if d == Dialect::Postgres {
        s.push_str(
            "CREATE FUNCTION selaras_forbid() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;\n",
        );
    }
    s.push_str(&format!(
        "CREATE TABLE changes (\n  id {id},\n  at TEXT NOT NULL,\n  actor TEXT NOT NULL,\n  kind TEXT NOT NULL CHECK (kind IN ('import', 'case', 'user', 'system')),\n  ref TEXT,\n  note TEXT\n);\n\
         CREATE TABLE import_batches (\n  change_id {bigint} PRIMARY KEY REFERENCES changes(id),\n  source TEXT NOT NULL,\n  started_at TEXT NOT NULL,\n  finished_at TEXT,\n  status TEXT NOT NULL,\n  households {bigint} NOT NULL DEFAULT 0,\n  members {bigint} NOT NULL DEFAULT 0,\n  unchanged {bigint} NOT NULL DEFAULT 0,\n  rejected {bigint} NOT NULL DEFAULT 0\n);\n"
    ));
    s.push_str(&registry_table(
        d,
        "households",
        HOUSEHOLD_COLUMNS,
        "household_id",
        "",
    ));
    s.push_str(&registry_table(
        d,
        "members",
        MEMBER_COLUMNS,
        "nik",
        &format!("  member_no {bigint} NOT NULL,\n"),
    ));
    s.push_str(&history_triggers(d, "households", HOUSEHOLD_COLUMNS, ""));
    s.push_str(&history_triggers(
        d,
        "members",
        MEMBER_COLUMNS,
        ", member_no",
    ));
    // Lookups by id alone, search and region scans.
    for (name, table, cols) in SEARCH_INDEXES {
        s.push_str(&format!("CREATE INDEX {name} ON {table} ({cols});\n"));
    }
    if d == Dialect::Postgres {
        // One node: ids are unique nationally. On Citus these two become checks in the
        // import (which it does anyway) because a unique index must include `prov`.
        s.push_str(
            "CREATE UNIQUE INDEX households_id_unique ON households (household_id);\n\
             CREATE UNIQUE INDEX members_nik_unique ON members (nik);\n",
        );
    }
    s.push_str(&format!(
        "CREATE TABLE users (\n  id {id},\n  username TEXT NOT NULL UNIQUE,\n  password_hash TEXT NOT NULL,\n  role TEXT NOT NULL,\n  scope TEXT NOT NULL,\n  program TEXT,\n  created_at TEXT NOT NULL,\n  disabled {flag} NOT NULL DEFAULT {no}\n);\n\
         CREATE TABLE sessions (\n  token_hash TEXT PRIMARY KEY,\n  user_id {bigint} NOT NULL REFERENCES users(id),\n  created_at TEXT NOT NULL,\n  expires_at TEXT NOT NULL,\n  csrf TEXT NOT NULL\n);\n",
        flag = if d == Dialect::Sqlite { "INTEGER" } else { "BOOLEAN" },
        no = if d == Dialect::Sqlite { "0" } else { "false" },
    ));
    s
}

/// Secondary indexes (name, table, columns): lookups of a household's members, search by
/// KK number and name, region scans. No constraint rests on them, so a large load may drop
/// them and build them again afterwards (one sort instead of millions of random inserts);
/// every open of the store builds any that are missing.
pub const SEARCH_INDEXES: &[(&str, &str, &str)] = &[
    ("households_region", "households", "region_code"),
    ("members_household", "members", "household_id, member_no"),
    ("members_kk", "members", "kk_number"),
    ("members_name", "members", "name"),
];

/// Statements that drop (`on == false`) or build the missing (`on == true`) search indexes.
pub fn search_index_statements(on: bool) -> Vec<String> {
    SEARCH_INDEXES
        .iter()
        .map(|(name, table, cols)| {
            if on {
                format!("CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})")
            } else {
                format!("DROP INDEX IF EXISTS {name}")
            }
        })
        .collect()
}

/// Splits a script into statements at top-level `;` line ends (not inside `$$` bodies),
/// for drivers that prepare one statement at a time.
pub fn split_statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_body = false;
    for line in sql.lines() {
        if line.matches("$$").count() % 2 == 1 {
            in_body = !in_body;
        }
        cur.push_str(line);
        cur.push('\n');
        if !in_body && line.trim_end().ends_with(';') {
            let stmt = cur.trim().trim_end_matches(';').to_string();
            if !stmt.is_empty() {
                out.push(stmt);
            }
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// PostgreSQL: the registry tables' foreign keys to `changes` go. The server checks
/// them one row at a time after each COPY (a quarter of its work in a large load,
/// measured); the store writes only change ids that `record_change` returned, and
/// `changes` rows can no longer be deleted, so a reference cannot dangle. SQLite keeps its
/// (cheap) foreign keys: nothing to do there.
pub fn migration_2(d: Dialect) -> String {
    match d {
        Dialect::Sqlite => "SELECT 1;\n".into(),
        Dialect::Postgres => "ALTER TABLE households DROP CONSTRAINT IF EXISTS households_change_id_fkey;\n\
             ALTER TABLE members DROP CONSTRAINT IF EXISTS members_change_id_fkey;\n\
             CREATE TRIGGER changes_never_delete BEFORE DELETE ON changes\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('changes are never deleted: registry versions refer to them');\n"
            .into(),
    }
}

/// All migrations in order, as (version, SQL).
pub fn migrations(d: Dialect) -> Vec<(i64, String)> {
    vec![
        (1, migration_1(d)),
        (2, migration_2(d)),
        (3, crate::ranking::migration_3(d)),
        (4, crate::ranking::migration_4(d)),
        (5, crate::programs::migration_5(d)),
        (6, crate::cases::migration_6(d)),
        (7, crate::audit::migration_7(d)),
        (8, crate::cases::migration_8(d)),
        (9, crate::cases::migration_9(d)),
        (10, crate::indicators::migration_10(d)),
        (11, crate::stats::migration_11(d)),
        (12, crate::askesos::migration_12(d)),
        (13, crate::askesos::migration_13(d)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 1 is frozen once released: if the domain's columns change, add a
    /// migration instead of letting this one change under existing databases.
    #[test]
    fn migration_1_columns_are_frozen() {
        let h: Vec<&str> = HOUSEHOLD_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(h.len(), 38);
        assert_eq!(h[0], "household_id");
        assert_eq!(h[37], "exit_state");
        let m: Vec<&str> = MEMBER_COLUMNS.iter().map(|c| c.name).collect();
        assert_eq!(m.len(), 19);
        assert_eq!(m[18], "exit_state");
    }

    #[test]
    fn ddl_mentions_every_column() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            let sql = migration_1(d);
            for c in HOUSEHOLD_COLUMNS.iter().chain(MEMBER_COLUMNS) {
                assert!(sql.contains(&format!("  {} ", c.name)), "{}", c.name);
            }
        }
    }
}
