//! SLRT cases (issue #5): the case row with its current state and a version for
//! optimistic concurrency, and the append-only history of its actions. The SQL is written
//! once for both databases and stamped out by [`cases_methods!`].
//!
//! An action is stored only if the case is still at the version the actor saw (two
//! supervisors at once: the second gets `Conflict`, nothing is lost); the case row and
//! its history row change in one transaction.

use serde::Serialize;

use crate::schema::Dialect;

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRecord {
    pub id: i64,
    pub kind: String,
    pub category: String,
    pub description: String,
    pub channel: String,
    pub household_id: Option<String>,
    pub nik: Option<String>,
    /// The village the case belongs to (the household's, or a registration's proposed
    /// one): what region checks read.
    pub region: String,
    /// A registration's or update's proposed data (JSON).
    pub proposed: Option<String>,
    pub state: String,
    /// `referral` or `forward` once routed.
    pub route: Option<String>,
    pub program: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub due_at: Option<String>,
    /// The family's phone number for messages (migration 8).
    pub contact: Option<String>,
    /// The registry change a resolved `update` or `registration` made.
    pub applied_change: Option<i64>,
    /// The referral's level (`central`, `province`, `regency`, `non_government`).
    pub level: Option<String>,
}

/// A case to open (in `draft`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    pub kind: String,
    pub category: String,
    pub description: String,
    pub channel: String,
    pub household_id: Option<String>,
    pub nik: Option<String>,
    pub region: String,
    pub proposed: Option<String>,
    pub created_by: String,
    pub due_at: Option<String>,
    pub contact: Option<String>,
}

/// One action in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseEvent {
    pub case_id: i64,
    /// 1 for the first action, then in order.
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: Option<String>,
    pub program: Option<String>,
}

/// An action to store: the case's new state (and route) and the history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTransition {
    pub case_id: i64,
    /// The version the actor saw.
    pub expected_version: i64,
    pub to_state: String,
    pub route: Option<String>,
    pub program: Option<String>,
    pub due_at: Option<String>,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub note: Option<String>,
    pub level: Option<String>,
    /// A resolved data case: the household it created or linked to, and the change.
    pub household_id: Option<String>,
    pub applied_change: Option<i64>,
    /// The message to the family, queued in the same transaction (transactional outbox).
    pub message: Option<NewMessage>,
}

/// A message to a family, queued in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// A phone number, or empty when the family gave none (the message is still kept, and
    /// the default sender logs it for the desk to pass on).
    pub recipient: String,
    pub channel: String,
    pub body: String,
}

/// A message in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    pub id: i64,
    pub case_id: i64,
    pub recipient: String,
    pub channel: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (given up after the last retry).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

/// Which cases to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Villages under this region code (`""`: all).
    pub region_prefix: String,
    pub state: Option<String>,
    pub kind: Option<String>,
    pub route: Option<String>,
    pub program: Option<String>,
    pub household_id: Option<String>,
    /// Only open cases due before this time (overdue lists).
    pub due_before: Option<String>,
    /// Only cases not closed.
    pub open_only: bool,
    /// Soonest due first (work queues); otherwise newest first.
    pub by_due: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Migration 8: the case columns for contact, applied change and referral level; the
/// service settings (a new row per change, the newest in force); the outbox and the
/// default sender's log.
pub fn migration_8(d: Dialect) -> String {
    let id = match d {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    format!(
        "ALTER TABLE cases ADD COLUMN contact TEXT;\n\
         ALTER TABLE cases ADD COLUMN applied_change BIGINT;\n\
         ALTER TABLE cases ADD COLUMN level TEXT;\n\
         CREATE INDEX cases_due ON cases (due_at);\n\
         CREATE TABLE case_settings (\n  version {id},\n  body TEXT NOT NULL,\n  created_at TEXT NOT NULL,\n  created_by TEXT NOT NULL\n);\n\
         CREATE TABLE outbox (\n  id {id},\n  case_id BIGINT NOT NULL REFERENCES cases (id),\n  recipient TEXT NOT NULL,\n  channel TEXT NOT NULL,\n  body TEXT NOT NULL,\n  status TEXT NOT NULL,\n  attempts BIGINT NOT NULL,\n  next_attempt_at TEXT,\n  created_at TEXT NOT NULL,\n  sent_at TEXT,\n  last_error TEXT\n);\n\
         CREATE INDEX outbox_due ON outbox (status, next_attempt_at);\n\
         CREATE INDEX outbox_case ON outbox (case_id);\n\
         CREATE TABLE message_log (\n  id {id},\n  outbox_id BIGINT NOT NULL REFERENCES outbox (id),\n  at TEXT NOT NULL,\n  channel TEXT NOT NULL,\n  recipient TEXT NOT NULL,\n  body TEXT NOT NULL\n);\n"
    )
}

/// A facilitator's or desk's visit to a household (home visit or desk meeting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VisitRecord {
    pub id: i64,
    pub household_id: String,
    pub region: String,
    /// The day of the visit (YYYY-MM-DD).
    pub visited_on: String,
    pub purpose: String,
    pub note: String,
    pub case_id: Option<i64>,
    pub recorded_at: String,
    pub recorded_by: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub household_id: String,
    pub region: String,
    pub visited_on: String,
    pub purpose: String,
    pub note: String,
    pub case_id: Option<i64>,
    pub recorded_by: String,
    pub role: String,
}

/// Which visits to list (newest visit first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitFilter {
    pub region_prefix: String,
    pub household_id: Option<String>,
    pub recorded_by: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Migration 9: `visits` (append-only: a wrong visit is corrected by a note on a new one).
pub fn migration_9(d: Dialect) -> String {
    let id = match d {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    let why = "visits are append-only";
    let mut s = format!(
        "CREATE TABLE visits (\n  id {id},\n  household_id TEXT NOT NULL,\n  region TEXT NOT NULL,\n  visited_on TEXT NOT NULL,\n  purpose TEXT NOT NULL,\n  note TEXT NOT NULL,\n  case_id BIGINT REFERENCES cases (id),\n  recorded_at TEXT NOT NULL,\n  recorded_by TEXT NOT NULL,\n  role TEXT NOT NULL\n);\n\
         CREATE INDEX visits_region ON visits (region);\n\
         CREATE INDEX visits_household ON visits (household_id);\n\
         CREATE INDEX visits_by ON visits (recorded_by);\n"
    );
    s.push_str(&match d {
        Dialect::Sqlite => format!(
            "CREATE TRIGGER visits_u BEFORE UPDATE ON visits\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n\
             CREATE TRIGGER visits_d BEFORE DELETE ON visits\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n"
        ),
        Dialect::Postgres => format!(
            "CREATE TRIGGER visits_frozen BEFORE UPDATE OR DELETE ON visits\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('{why}');\n"
        ),
    });
    s
}

/// Migration 6: `cases`, `case_events` (append-only).
pub fn migration_6(d: Dialect) -> String {
    let id = match d {
        Dialect::Sqlite => "INTEGER PRIMARY KEY",
        Dialect::Postgres => "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    };
    let why = "case history is append-only";
    let mut s = format!(
        "CREATE TABLE cases (\n  id {id},\n  kind TEXT NOT NULL,\n  category TEXT NOT NULL,\n  description TEXT NOT NULL,\n  channel TEXT NOT NULL,\n  household_id TEXT,\n  nik TEXT,\n  region TEXT NOT NULL,\n  proposed TEXT,\n  state TEXT NOT NULL,\n  route TEXT,\n  program TEXT,\n  version BIGINT NOT NULL,\n  created_at TEXT NOT NULL,\n  created_by TEXT NOT NULL,\n  updated_at TEXT NOT NULL,\n  due_at TEXT\n);\n\
         CREATE INDEX cases_region ON cases (region);\n\
         CREATE INDEX cases_household ON cases (household_id);\n\
         CREATE TABLE case_events (\n  case_id BIGINT NOT NULL REFERENCES cases (id),\n  seq BIGINT NOT NULL,\n  at TEXT NOT NULL,\n  actor TEXT NOT NULL,\n  role TEXT NOT NULL,\n  action TEXT NOT NULL,\n  from_state TEXT NOT NULL,\n  to_state TEXT NOT NULL,\n  note TEXT,\n  program TEXT,\n  PRIMARY KEY (case_id, seq)\n);\n"
    );
    s.push_str(&match d {
        Dialect::Sqlite => format!(
            "CREATE TRIGGER case_events_u BEFORE UPDATE ON case_events\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n\
             CREATE TRIGGER case_events_d BEFORE DELETE ON case_events\nBEGIN SELECT RAISE(ABORT, '{why}'); END;\n\
             CREATE TRIGGER cases_d BEFORE DELETE ON cases\nBEGIN SELECT RAISE(ABORT, 'cases are never deleted'); END;\n"
        ),
        Dialect::Postgres => format!(
            "CREATE TRIGGER case_events_frozen BEFORE UPDATE OR DELETE ON case_events\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('{why}');\n\
             CREATE TRIGGER cases_never_delete BEFORE DELETE ON cases\n  FOR EACH ROW EXECUTE FUNCTION selaras_forbid('cases are never deleted');\n"
        ),
    });
    s
}

pub(crate) const CASE_COLS: &str = "id, kind, category, description, channel, household_id, nik, region, proposed, state, route, program, version, created_at, created_by, updated_at, due_at, contact, applied_change, level";
pub(crate) const VISIT_COLS: &str =
    "id, household_id, region, visited_on, purpose, note, case_id, recorded_at, recorded_by, role";
pub(crate) const OUTBOX_COLS: &str = "id, case_id, recipient, channel, body, status, attempts, next_attempt_at, created_at, sent_at, last_error";
pub(crate) const EVENT_COLS: &str =
    "case_id, seq, at, actor, role, action, from_state, to_state, note, program";

macro_rules! cases_methods {
    ($pool:ty, $db:ty, $d:expr) => {
        use $crate::cases::{
            CaseEvent, CaseFilter, CaseRecord, CaseTransition, NewCase, NewVisit, OutboxMessage,
            VisitFilter, VisitRecord, CASE_COLS, EVENT_COLS, OUTBOX_COLS, VISIT_COLS,
        };
        use $crate::ranking::q;

        fn case_from_row(r: &<$db as sqlx::Database>::Row) -> Result<CaseRecord> {
            Ok(CaseRecord {
                id: r.try_get(0)?,
                kind: r.try_get(1)?,
                category: r.try_get(2)?,
                description: r.try_get(3)?,
                channel: r.try_get(4)?,
                household_id: r.try_get(5)?,
                nik: r.try_get(6)?,
                region: r.try_get(7)?,
                proposed: r.try_get(8)?,
                state: r.try_get(9)?,
                route: r.try_get(10)?,
                program: r.try_get(11)?,
                version: r.try_get(12)?,
                created_at: r.try_get(13)?,
                created_by: r.try_get(14)?,
                updated_at: r.try_get(15)?,
                due_at: r.try_get(16)?,
                contact: r.try_get(17)?,
                applied_change: r.try_get(18)?,
                level: r.try_get(19)?,
            })
        }

        fn message_from_row(r: &<$db as sqlx::Database>::Row) -> Result<OutboxMessage> {
            Ok(OutboxMessage {
                id: r.try_get(0)?,
                case_id: r.try_get(1)?,
                recipient: r.try_get(2)?,
                channel: r.try_get(3)?,
                body: r.try_get(4)?,
                status: r.try_get(5)?,
                attempts: r.try_get(6)?,
                next_attempt_at: r.try_get(7)?,
                created_at: r.try_get(8)?,
                sent_at: r.try_get(9)?,
                last_error: r.try_get(10)?,
            })
        }

        pub(crate) async fn create_case(pool: &$pool, c: &NewCase) -> Result<CaseRecord> {
            let now = $crate::now_utc();
            let row = sqlx::query(&q(
                $d,
                &format!("INSERT INTO cases (kind, category, description, channel, household_id, nik, region, proposed, state, version, created_at, created_by, updated_at, due_at, contact) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', 1, $9, $10, $9, $11, $12) RETURNING {CASE_COLS}"),
            ))
            .bind(&c.kind)
            .bind(&c.category)
            .bind(&c.description)
            .bind(&c.channel)
            .bind(&c.household_id)
            .bind(&c.nik)
            .bind(&c.region)
            .bind(&c.proposed)
            .bind(&now)
            .bind(&c.created_by)
            .bind(&c.due_at)
            .bind(&c.contact)
            .fetch_one(pool)
            .await?;
            case_from_row(&row)
        }

        pub(crate) async fn case(pool: &$pool, id: i64) -> Result<Option<CaseRecord>> {
            let row = sqlx::query(&q($d, &format!("SELECT {CASE_COLS} FROM cases WHERE id = $1")))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(case_from_row).transpose()
        }

        /// The cases `f` selects, newest first or soonest due first.
        pub(crate) async fn cases(pool: &$pool, f: &CaseFilter) -> Result<Vec<CaseRecord>> {
            let order = if f.by_due { "due_at IS NULL, due_at, id" } else { "id DESC" };
            sqlx::query(&q(
                $d,
                &format!("SELECT {CASE_COLS} FROM cases WHERE ($1 = '' OR region = $1 OR region LIKE $2) AND ($3 IS NULL OR state = $3) AND ($4 IS NULL OR kind = $4) AND ($5 IS NULL OR route = $5) AND ($6 IS NULL OR program = $6) AND ($7 IS NULL OR household_id = $7) AND ($8 IS NULL OR (due_at < $8 AND state <> 'closed')) AND ($9 = 0 OR state <> 'closed') ORDER BY {order} LIMIT $10 OFFSET $11"),
            ))
            .bind(&f.region_prefix)
            .bind(format!("{}.%", f.region_prefix))
            .bind(&f.state)
            .bind(&f.kind)
            .bind(&f.route)
            .bind(&f.program)
            .bind(&f.household_id)
            .bind(&f.due_before)
            .bind(i64::from(f.open_only))
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(pool)
            .await?
            .iter()
            .map(case_from_row)
            .collect()
        }

        pub(crate) async fn case_events(pool: &$pool, id: i64) -> Result<Vec<CaseEvent>> {
            sqlx::query(&q(
                $d,
                &format!("SELECT {EVENT_COLS} FROM case_events WHERE case_id = $1 ORDER BY seq"),
            ))
            .bind(id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(CaseEvent {
                    case_id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    at: r.try_get(2)?,
                    actor: r.try_get(3)?,
                    role: r.try_get(4)?,
                    action: r.try_get(5)?,
                    from_state: r.try_get(6)?,
                    to_state: r.try_get(7)?,
                    note: r.try_get(8)?,
                    program: r.try_get(9)?,
                })
            })
            .collect()
        }

        /// Stores an action if the case is still at `expected_version` (else `Conflict`).
        pub(crate) async fn transition_case(
            pool: &$pool,
            t: &CaseTransition,
        ) -> Result<CaseRecord> {
            let mut tx = pool.begin().await?;
            let now = $crate::now_utc();
            let before: Option<(String, i64)> = sqlx::query_as(&q(
                $d,
                "SELECT state, version FROM cases WHERE id = $1",
            ))
            .bind(t.case_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((from_state, _)) = before else {
                return Err(StoreError::Conflict(format!("no case {}", t.case_id)));
            };
            let done = sqlx::query(&q(
                $d,
                "UPDATE cases SET state = $1, route = $2, program = $3, due_at = $4, updated_at = $5, version = version + 1, level = COALESCE($8, level), household_id = COALESCE($9, household_id), applied_change = COALESCE($10, applied_change) WHERE id = $6 AND version = $7",
            ))
            .bind(&t.to_state)
            .bind(&t.route)
            .bind(&t.program)
            .bind(&t.due_at)
            .bind(&now)
            .bind(t.case_id)
            .bind(t.expected_version)
            .bind(&t.level)
            .bind(&t.household_id)
            .bind(t.applied_change)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::Conflict(format!(
                    "case {} has changed since version {}: reload it",
                    t.case_id, t.expected_version
                )));
            }
            sqlx::query(&q(
                $d,
                "INSERT INTO case_events (case_id, seq, at, actor, role, action, from_state, to_state, note, program) VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1), $2, $3, $4, $5, $6, $7, $8, $9)",
            ))
            .bind(t.case_id)
            .bind(&now)
            .bind(&t.actor)
            .bind(&t.role)
            .bind(&t.action)
            .bind(&from_state)
            .bind(&t.to_state)
            .bind(&t.note)
            .bind(&t.program)
            .execute(&mut *tx)
            .await?;
            if let Some(m) = &t.message {
                sqlx::query(&q(
                    $d,
                    "INSERT INTO outbox (case_id, recipient, channel, body, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
                ))
                .bind(t.case_id)
                .bind(&m.recipient)
                .bind(&m.channel)
                .bind(&m.body)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let row = sqlx::query(&q($d, &format!("SELECT {CASE_COLS} FROM cases WHERE id = $1")))
                .bind(t.case_id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            case_from_row(&row)
        }

        /// Messages due for sending (pending, their next attempt at or before `now`).
        pub(crate) async fn due_messages(
            pool: &$pool,
            now: &str,
            limit: i64,
        ) -> Result<Vec<OutboxMessage>> {
            sqlx::query(&q(
                $d,
                &format!("SELECT {OUTBOX_COLS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2"),
            ))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
        }

        pub(crate) async fn case_messages(pool: &$pool, case_id: i64) -> Result<Vec<OutboxMessage>> {
            sqlx::query(&q(
                $d,
                &format!("SELECT {OUTBOX_COLS} FROM outbox WHERE case_id = $1 ORDER BY id"),
            ))
            .bind(case_id)
            .fetch_all(pool)
            .await?
            .iter()
            .map(message_from_row)
            .collect()
        }

        /// Records one attempt: sent (and logged by the default sender when `log`), or
        /// failed with the next attempt's time (`None`: given up).
        pub(crate) async fn message_attempt(
            pool: &$pool,
            id: i64,
            outcome: &$crate::cases::Attempt,
        ) -> Result<()> {
            let now = $crate::now_utc();
            let mut tx = pool.begin().await?;
            match outcome {
                $crate::cases::Attempt::Sent { log } => {
                    sqlx::query(&q($d, "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, next_attempt_at = NULL WHERE id = $2"))
                        .bind(&now)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    if *log {
                        sqlx::query(&q($d, "INSERT INTO message_log (outbox_id, at, channel, recipient, body) SELECT id, $1, channel, recipient, body FROM outbox WHERE id = $2"))
                            .bind(&now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                $crate::cases::Attempt::Failed { error, retry_at } => {
                    let status = if retry_at.is_some() { "pending" } else { "failed" };
                    sqlx::query(&q($d, "UPDATE outbox SET status = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $4"))
                        .bind(status)
                        .bind(error)
                        .bind(retry_at)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(())
        }

        /// The default sender's log, newest first.
        pub(crate) async fn message_log(pool: &$pool, limit: i64) -> Result<Vec<(i64, String, String, String, String)>> {
            Ok(sqlx::query_as(&q($d, "SELECT outbox_id, at, channel, recipient, body FROM message_log ORDER BY id DESC LIMIT $1"))
                .bind(limit)
                .fetch_all(pool)
                .await?)
        }

        fn visit_from_row(r: &<$db as sqlx::Database>::Row) -> Result<VisitRecord> {
            Ok(VisitRecord {
                id: r.try_get(0)?,
                household_id: r.try_get(1)?,
                region: r.try_get(2)?,
                visited_on: r.try_get(3)?,
                purpose: r.try_get(4)?,
                note: r.try_get(5)?,
                case_id: r.try_get(6)?,
                recorded_at: r.try_get(7)?,
                recorded_by: r.try_get(8)?,
                role: r.try_get(9)?,
            })
        }

        pub(crate) async fn create_visit(pool: &$pool, v: &NewVisit) -> Result<VisitRecord> {
            let row = sqlx::query(&q(
                $d,
                &format!("INSERT INTO visits (household_id, region, visited_on, purpose, note, case_id, recorded_at, recorded_by, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {VISIT_COLS}"),
            ))
            .bind(&v.household_id)
            .bind(&v.region)
            .bind(&v.visited_on)
            .bind(&v.purpose)
            .bind(&v.note)
            .bind(v.case_id)
            .bind($crate::now_utc())
            .bind(&v.recorded_by)
            .bind(&v.role)
            .fetch_one(pool)
            .await?;
            visit_from_row(&row)
        }

        pub(crate) async fn visits(pool: &$pool, f: &VisitFilter) -> Result<Vec<VisitRecord>> {
            sqlx::query(&q(
                $d,
                &format!("SELECT {VISIT_COLS} FROM visits WHERE ($1 = '' OR region = $1 OR region LIKE $2) AND ($3 IS NULL OR household_id = $3) AND ($4 IS NULL OR recorded_by = $4) ORDER BY visited_on DESC, id DESC LIMIT $5 OFFSET $6"),
            ))
            .bind(&f.region_prefix)
            .bind(format!("{}.%", f.region_prefix))
            .bind(&f.household_id)
            .bind(&f.recorded_by)
            .bind(f.limit)
            .bind(f.offset)
            .fetch_all(pool)
            .await?
            .iter()
            .map(visit_from_row)
            .collect()
        }

        /// The settings in force: (version, JSON), or `None` for the defaults.
        pub(crate) async fn case_settings(pool: &$pool) -> Result<Option<(i64, String)>> {
            Ok(sqlx::query_as(&q($d, "SELECT version, body FROM case_settings ORDER BY version DESC LIMIT 1"))
                .fetch_optional(pool)
                .await?)
        }

        pub(crate) async fn put_case_settings(pool: &$pool, body: &str, by: &str) -> Result<i64> {
            let (v,): (i64,) = sqlx::query_as(&q($d, "INSERT INTO case_settings (body, created_at, created_by) VALUES ($1, $2, $3) RETURNING version"))
                .bind(body)
                .bind($crate::now_utc())
                .bind(by)
                .fetch_one(pool)
                .await?;
            Ok(v)
        }
    };
}
pub(crate) use cases_methods;

/// The outcome of one attempt to send a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Delivered; `log` copies it to the default sender's log table.
    Sent { log: bool },
    /// Not delivered: why, and when to try again (`None`: give up).
    Failed {
        error: String,
        retry_at: Option<String>,
    },
}
