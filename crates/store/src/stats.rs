//! Pre-aggregated figures for the dashboards (issue #6), per region at every level
//! (nation `""`, province, regency, district, village), so that a dashboard reads a
//! region's children by one indexed query however large the registry is.
//!
//! - `region_stats`: households, members, households verified (surveyed) in the 12
//!   months before the refresh day, and the national-decile distribution of the newest
//!   ranking edition.
//! - `region_program_stats` / `region_combo_stats`: the newest eligibility run's gap
//!   counts and program combinations, from its village rows (`run_village_gaps`,
//!   `run_village_combos`, stored with each run).
//!
//! [`refresh`](crate::Storage::refresh_stats) is incremental: village rows are recomputed
//! only for villages whose households changed since the last refresh (a change id
//! watermark; a move counts for both villages), all of them when the day (the 12-month
//! window) or the ranking edition changed; the levels above are re-summed from villages
//! (one GROUP BY over at most ~84,000 rows); program figures only when a newer run exists.

use serde::Serialize;

use crate::schema::Dialect;

/// Migration 11.
pub fn migration_11(_d: Dialect) -> String {
    let deciles: String = (1..=10)
        .map(|i| format!("  d{i} BIGINT NOT NULL,\n"))
        .collect();
    format!(
        "CREATE TABLE run_village_gaps (\n  run_id BIGINT NOT NULL REFERENCES eligibility_runs (id),\n  village TEXT NOT NULL,\n  program TEXT NOT NULL,\n  eligible BIGINT NOT NULL,\n  enrolled BIGINT NOT NULL,\n  excluded BIGINT NOT NULL,\n  included BIGINT NOT NULL,\n  PRIMARY KEY (run_id, village, program)\n);\n\
         CREATE TABLE run_village_combos (\n  run_id BIGINT NOT NULL REFERENCES eligibility_runs (id),\n  village TEXT NOT NULL,\n  programs TEXT NOT NULL,\n  households BIGINT NOT NULL,\n  PRIMARY KEY (run_id, village, programs)\n);\n\
         CREATE TABLE region_stats (\n  region TEXT PRIMARY KEY,\n  parent TEXT NOT NULL,\n  level TEXT NOT NULL,\n  households BIGINT NOT NULL,\n  members BIGINT NOT NULL,\n  verified_12m BIGINT NOT NULL,\n  ranked BIGINT NOT NULL,\n{deciles}  refreshed_at TEXT NOT NULL\n);\n\
         CREATE INDEX region_stats_parent ON region_stats (parent);\n\
         CREATE TABLE region_program_stats (\n  region TEXT NOT NULL,\n  parent TEXT NOT NULL,\n  program TEXT NOT NULL,\n  eligible BIGINT NOT NULL,\n  enrolled BIGINT NOT NULL,\n  excluded BIGINT NOT NULL,\n  included BIGINT NOT NULL,\n  PRIMARY KEY (region, program)\n);\n\
         CREATE INDEX region_program_stats_parent ON region_program_stats (parent);\n\
         CREATE TABLE region_combo_stats (\n  region TEXT NOT NULL,\n  parent TEXT NOT NULL,\n  programs TEXT NOT NULL,\n  households BIGINT NOT NULL,\n  PRIMARY KEY (region, programs)\n);\n\
         CREATE INDEX region_combo_stats_parent ON region_combo_stats (parent);\n\
         CREATE TABLE stats_state (\n  id BIGINT PRIMARY KEY,\n  watermark BIGINT NOT NULL,\n  edition_id BIGINT,\n  run_id BIGINT,\n  day TEXT NOT NULL,\n  refreshed_at TEXT NOT NULL\n);\n"
    )
}

/// The registry figures of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RegionStats {
    /// The region code (`""`: the nation).
    pub region: String,
    pub parent: String,
    /// `national`, `province`, `regency`, `district` or `village`.
    pub level: String,
    pub households: i64,
    pub members: i64,
    /// Households surveyed (verified) in the 12 months before the refresh day.
    pub verified_12m: i64,
    /// Households ranked by the newest edition; `deciles[i]` in national decile i+1.
    pub ranked: i64,
    pub deciles: [i64; 10],
    pub refreshed_at: String,
}

/// The gap counts of one program in one region, from the newest eligibility run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProgramStats {
    pub region: String,
    pub program: String,
    pub eligible: i64,
    pub enrolled: i64,
    /// Eligible, not enrolled (exclusion).
    pub excluded: i64,
    /// Enrolled, not eligible (inclusion).
    pub included: i64,
}

/// How many households of a region receive exactly this set of programs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ComboStats {
    pub region: String,
    pub programs: String,
    pub households: i64,
}

/// A village row of a run, stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageGap {
    pub village: String,
    pub program: String,
    pub counts: [i64; 4],
}

/// A period of days, both ends included (`YYYY-MM-DD`); `None` ends are open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl Period {
    /// The bounds as timestamps for `>= from` and `< day after to` (empty: open).
    pub(crate) fn bounds(&self) -> (String, String) {
        let from = self
            .from
            .as_ref()
            .map(|d| format!("{d}T00:00:00Z"))
            .unwrap_or_default();
        let to = self
            .to
            .as_ref()
            .and_then(|d| selaras_domain::Date::parse(d).ok())
            .and_then(|d| selaras_domain::Date::from_days_since_epoch(d.days_since_epoch() + 1))
            .map(|d| format!("{d}T00:00:00Z"))
            .unwrap_or_default();
        (from, to)
    }
}

/// Case figures of a region, read live (cases are few next to households).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CaseStats {
    /// (kind, state, cases, of which overdue).
    pub by_kind_state: Vec<(String, String, i64, i64)>,
    /// Referrals: (program, state, cases).
    pub referrals: Vec<(String, String, i64)>,
    /// Per child region: (region, cases opened, visits).
    pub activity: Vec<(String, i64, i64)>,
    /// Every action's time: (action, seconds since the case's previous step).
    pub step_seconds: Vec<(String, i64)>,
}

/// What a refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefreshReport {
    /// Village rows recomputed (0: nothing changed).
    pub villages: u64,
    /// Every village recomputed (first refresh, new day or new edition).
    pub full: bool,
    /// The program figures were taken from a newer run.
    pub programs_from_run: Option<i64>,
    pub watermark: i64,
}

/// The level of a stored region code by its length.
pub fn level_of(region: &str) -> &'static str {
    match region.len() {
        0 => "national",
        2 => "province",
        5 => "regency",
        8 => "district",
        _ => "village",
    }
}

/// The parent of a region code (`""` for provinces; `"-"` for the nation).
pub fn parent_of(region: &str) -> &str {
    match region.len() {
        0 => "-",
        2 => "",
        n => &region[..n.saturating_sub(if n == 13 { 5 } else { 3 })],
    }
}

pub(crate) const STATS_COLS: &str = "region, parent, level, households, members, verified_12m, ranked, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, refreshed_at";

macro_rules! stats_methods {
    ($pool:ty, $db:ty, $d:expr) => {
        use $crate::ranking::q;
        use $crate::stats::{
            parent_of, ComboStats, ProgramStats, RefreshReport, RegionStats, VillageGap,
            STATS_COLS, CaseStats, Period,
        };

        fn stats_from_row(r: &<$db as sqlx::Database>::Row) -> Result<RegionStats> {
            let mut deciles = [0i64; 10];
            for (i, d) in deciles.iter_mut().enumerate() {
                *d = r.try_get(7 + i)?;
            }
            Ok(RegionStats {
                region: r.try_get(0)?,
                parent: r.try_get(1)?,
                level: r.try_get(2)?,
                households: r.try_get(3)?,
                members: r.try_get(4)?,
                verified_12m: r.try_get(5)?,
                ranked: r.try_get(6)?,
                deciles,
                refreshed_at: r.try_get(17)?,
            })
        }

        /// Stores a run's village rows (in one transaction, after the run itself).
        pub(crate) async fn save_village_rows(
            pool: &$pool,
            run_id: i64,
            gaps: &[VillageGap],
            combos: &[(String, String, i64)],
        ) -> Result<()> {
            let mut tx = pool.begin().await?;
            for chunk in gaps.chunks(500) {
                let mut b = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO run_village_gaps (run_id, village, program, eligible, enrolled, excluded, included) ",
                );
                b.push_values(chunk, |mut row, g| {
                    row.push_bind(run_id)
                        .push_bind(&g.village)
                        .push_bind(&g.program)
                        .push_bind(g.counts[0])
                        .push_bind(g.counts[1])
                        .push_bind(g.counts[2])
                        .push_bind(g.counts[3]);
                });
                b.build().execute(&mut *tx).await?;
            }
            for chunk in combos.chunks(800) {
                let mut b = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO run_village_combos (run_id, village, programs, households) ",
                );
                b.push_values(chunk, |mut row, c| {
                    row.push_bind(run_id)
                        .push_bind(&c.0)
                        .push_bind(&c.1)
                        .push_bind(c.2);
                });
                b.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        /// The villages whose households changed after `watermark` (a moved household
        /// counts for the village it left, through its history row).
        async fn changed_villages(
            tx: &mut sqlx::Transaction<'_, $db>,
            watermark: i64,
        ) -> Result<Vec<String>> {
            let rows: Vec<(String,)> = sqlx::query_as(&q(
                $d,
                "SELECT region_code FROM households WHERE change_id > $1 UNION SELECT region_code FROM households_history WHERE superseded_by > $1 UNION SELECT h.region_code FROM members m JOIN households h ON h.household_id = m.household_id WHERE m.change_id > $1",
            ))
            .bind(watermark)
            .fetch_all(&mut **tx)
            .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }

        /// Runs an aggregate with $1 = the cutoff day, $2 = the edition, $3… = villages.
        async fn fetch3(
            tx: &mut sqlx::Transaction<'_, $db>,
            sql: &str,
            cutoff: &str,
            edition: Option<i64>,
            villages: Option<&[String]>,
        ) -> Result<Vec<(String, i64, i64)>> {
            let sql = q($d, sql);
            let mut qy = sqlx::query_as::<_, (String, i64, i64)>(&sql)
                .bind(cutoff)
                .bind(edition.unwrap_or(-1));
            for v in villages.unwrap_or(&[]) {
                qy = qy.bind(v);
            }
            Ok(qy.fetch_all(&mut **tx).await?)
        }

        /// Recomputes the village rows of `villages` (`None`: all).
        async fn village_rows(
            tx: &mut sqlx::Transaction<'_, $db>,
            villages: Option<&[String]>,
            cutoff: &str,
            edition: Option<i64>,
            now: &str,
        ) -> Result<u64> {
            let date = match $d {
                $crate::schema::Dialect::Postgres => "CAST($1 AS DATE)",
                $crate::schema::Dialect::Sqlite => "$1",
            };
            let active = "(h.exit_state IS NULL OR h.exit_state = '')";
            let chunks: Vec<Option<&[String]>> = match villages {
                None => vec![None],
                Some(v) => v.chunks(400).map(Some).collect(),
            };
            let mut done = 0u64;
            for chunk in chunks {
                let filter = match chunk {
                    None => String::new(),
                    Some(c) => {
                        let list: Vec<String> = (0..c.len()).map(|i| format!("${}", i + 3)).collect();
                        format!(" AND h.region_code IN ({})", list.join(", "))
                    }
                };
                // Households and the verified ones; members; the deciles.
                let hh = fetch3(tx, &format!(
                    "SELECT h.region_code, COUNT(*), SUM(CASE WHEN h.survey_date >= {date} THEN 1 ELSE 0 END) FROM households h WHERE {active} AND $2 = $2{filter} GROUP BY h.region_code"
                ), cutoff, edition, chunk)
                .await?;
                let members = fetch3(tx, &format!(
                    "SELECT h.region_code, COUNT(*), CAST(0 AS BIGINT) FROM members m JOIN households h ON h.household_id = m.household_id WHERE {active} AND (m.exit_state IS NULL OR m.exit_state = '') AND $1 = $1 AND $2 = $2{filter} GROUP BY h.region_code"
                ), cutoff, edition, chunk)
                .await?;
                let deciles = fetch3(tx, &format!(
                    "SELECT h.region_code, COALESCE(r.national_decile, 0), COUNT(*) FROM household_ranks r JOIN households h ON h.household_id = r.household_id WHERE r.edition_id = $2 AND {active} AND $1 = $1{filter} GROUP BY h.region_code, r.national_decile"
                ), cutoff, edition, chunk)
                .await?;
                let mut rows: std::collections::BTreeMap<String, RegionStats> = Default::default();
                for (v, n, verified) in hh {
                    let s = rows.entry(v.clone()).or_default();
                    s.households = n;
                    s.verified_12m = verified;
                }
                for (v, n, _) in members {
                    rows.entry(v).or_default().members = n;
                }
                for (v, decile, n) in deciles {
                    let s = rows.entry(v).or_default();
                    s.ranked += n;
                    if (1..=10).contains(&decile) {
                        s.deciles[decile as usize - 1] += n;
                    }
                }
                // Drop the old rows of these villages, then write the new ones.
                match chunk {
                    None => {
                        sqlx::query(&q($d, "DELETE FROM region_stats WHERE level = 'village'"))
                            .execute(&mut **tx)
                            .await?;
                    }
                    Some(c) => {
                        let list: Vec<String> = (0..c.len()).map(|i| format!("${}", i + 1)).collect();
                        let sql = q($d, &format!("DELETE FROM region_stats WHERE region IN ({})", list.join(", ")));
                        let mut qy = sqlx::query(&sql);
                        for v in c {
                            qy = qy.bind(v.clone());
                        }
                        qy.execute(&mut **tx).await?;
                    }
                }
                let list: Vec<(String, RegionStats)> = rows.into_iter().collect();
                for part in list.chunks(400) {
                    let mut b = sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO region_stats ({STATS_COLS}) "));
                    b.push_values(part, |mut row, (v, s)| {
                        row.push_bind(v.clone())
                            .push_bind(parent_of(v).to_string())
                            .push_bind("village")
                            .push_bind(s.households)
                            .push_bind(s.members)
                            .push_bind(s.verified_12m)
                            .push_bind(s.ranked);
                        for d in s.deciles {
                            row.push_bind(d);
                        }
                        row.push_bind(now.to_string());
                    });
                    b.build().execute(&mut **tx).await?;
                    done += part.len() as u64;
                }
            }
            Ok(done)
        }

        /// Re-sums the levels above the villages.
        async fn roll_up(tx: &mut sqlx::Transaction<'_, $db>, now: &str) -> Result<()> {
            sqlx::query("DELETE FROM region_stats WHERE level <> 'village'")
                .execute(&mut **tx)
                .await?;
            let sums = "SUM(households), SUM(members), SUM(verified_12m), SUM(ranked), SUM(d1), SUM(d2), SUM(d3), SUM(d4), SUM(d5), SUM(d6), SUM(d7), SUM(d8), SUM(d9), SUM(d10)";
            // District, regency, province from the villages; the nation from provinces.
            for (len, level, parent) in [
                (8, "district", "substr(region, 1, 5)"),
                (5, "regency", "substr(region, 1, 2)"),
                (2, "province", "''"),
            ] {
                // The parent depends on the key; PostgreSQL wants it aggregated.
                let parent = if parent == "''" { parent.to_string() } else { format!("MIN({parent})") };
                let sql = format!(
                    "INSERT INTO region_stats ({STATS_COLS}) SELECT substr(region, 1, {len}), {parent}, '{level}', {sums}, $1 FROM region_stats WHERE level = 'village' GROUP BY substr(region, 1, {len})"
                );
                sqlx::query(&q($d, &sql)).bind(now).execute(&mut **tx).await?;
            }
            let sql = format!(
                "INSERT INTO region_stats ({STATS_COLS}) SELECT '', '-', 'national', {sums}, $1 FROM region_stats WHERE level = 'province' GROUP BY level"
            );
            sqlx::query(&q($d, &sql)).bind(now).execute(&mut **tx).await?;
            Ok(())
        }

        /// Takes the program figures of run `run` at every level.
        async fn program_rows(tx: &mut sqlx::Transaction<'_, $db>, run: i64) -> Result<()> {
            sqlx::query("DELETE FROM region_program_stats").execute(&mut **tx).await?;
            sqlx::query("DELETE FROM region_combo_stats").execute(&mut **tx).await?;
            for (len, parent) in [(13, "substr(village, 1, 8)"), (8, "substr(village, 1, 5)"), (5, "substr(village, 1, 2)"), (2, "''"), (0, "'-'")] {
                let key = if len == 0 { "''".to_string() } else { format!("substr(village, 1, {len})") };
                let group = if len == 0 { String::new() } else { format!(", {key}") };
                let parent = if parent.starts_with('\'') { parent.to_string() } else { format!("MIN({parent})") };
                let sql = format!(
                    "INSERT INTO region_program_stats (region, parent, program, eligible, enrolled, excluded, included) SELECT {key}, {parent}, program, SUM(eligible), SUM(enrolled), SUM(excluded), SUM(included) FROM run_village_gaps WHERE run_id = $1 GROUP BY program{group}"
                );
                sqlx::query(&q($d, &sql)).bind(run).execute(&mut **tx).await?;
                let sql = format!(
                    "INSERT INTO region_combo_stats (region, parent, programs, households) SELECT {key}, {parent}, programs, SUM(households) FROM run_village_combos WHERE run_id = $1 GROUP BY programs{group}"
                );
                sqlx::query(&q($d, &sql)).bind(run).execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// Brings the dashboard figures up to date (see the module's doc).
        pub(crate) async fn refresh_stats(pool: &$pool, day: &str, cutoff: &str) -> Result<RefreshReport> {
            let mut tx = pool.begin().await?;
            let now = $crate::now_utc();
            let state: Option<(i64, Option<i64>, Option<i64>, String)> = sqlx::query_as(
                "SELECT watermark, edition_id, run_id, day FROM stats_state WHERE id = 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let (top,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM changes")
                .fetch_one(&mut *tx)
                .await?;
            let top = top.unwrap_or(0);
            let (edition,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM ranking_editions")
                .fetch_one(&mut *tx)
                .await?;
            let (run,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM eligibility_runs")
                .fetch_one(&mut *tx)
                .await?;
            let mut report = RefreshReport {
                watermark: top,
                ..Default::default()
            };
            let full = match &state {
                None => true,
                Some((_, e, _, d)) => *e != edition || d != day,
            };
            let watermark = state.as_ref().map_or(0, |s| s.0);
            if full {
                report.full = true;
                report.villages = village_rows(&mut tx, None, cutoff, edition, &now).await?;
            } else if top > watermark {
                let changed = changed_villages(&mut tx, watermark).await?;
                report.villages = village_rows(&mut tx, Some(&changed), cutoff, edition, &now).await?;
                // A village left empty keeps no row.
                if report.villages < changed.len() as u64 {
                    report.villages = changed.len() as u64;
                }
            }
            if full || top > watermark {
                roll_up(&mut tx, &now).await?;
            }
            let old_run = state.as_ref().and_then(|s| s.2);
            if let Some(r) = run.filter(|r| Some(*r) != old_run) {
                program_rows(&mut tx, r).await?;
                report.programs_from_run = Some(r);
            }
            sqlx::query(&q($d, "DELETE FROM stats_state WHERE id = 1")).execute(&mut *tx).await?;
            sqlx::query(&q(
                $d,
                "INSERT INTO stats_state (id, watermark, edition_id, run_id, day, refreshed_at) VALUES (1, $1, $2, $3, $4, $5)",
            ))
            .bind(top)
            .bind(edition)
            .bind(run.or(old_run))
            .bind(day)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(report)
        }

        /// A region's row and its children's (`region` `""`: the nation).
        pub(crate) async fn region_stats(pool: &$pool, region: &str) -> Result<(Option<RegionStats>, Vec<RegionStats>)> {
            let own = sqlx::query(&q($d, &format!("SELECT {STATS_COLS} FROM region_stats WHERE region = $1")))
                .bind(region)
                .fetch_optional(pool)
                .await?;
            let children = sqlx::query(&q($d, &format!("SELECT {STATS_COLS} FROM region_stats WHERE parent = $1 ORDER BY region")))
                .bind(region)
                .fetch_all(pool)
                .await?;
            Ok((
                own.as_ref().map(stats_from_row).transpose()?,
                children.iter().map(stats_from_row).collect::<Result<_>>()?,
            ))
        }

        /// The program figures of a region and of its children.
        pub(crate) async fn program_stats(pool: &$pool, region: &str) -> Result<Vec<ProgramStats>> {
            sqlx::query_as::<_, (String, String, i64, i64, i64, i64)>(&q(
                $d,
                "SELECT region, program, eligible, enrolled, excluded, included FROM region_program_stats WHERE region = $1 OR parent = $1 ORDER BY region, program",
            ))
            .bind(region)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(region, program, eligible, enrolled, excluded, included)| {
                Ok(ProgramStats { region, program, eligible, enrolled, excluded, included })
            })
            .collect()
        }

        /// The case figures of the villages under `prefix` (`""`: all); activity per child
        /// region of length `child_len`.
        /// Runs one of the case figures' queries. They all take the same parameters: $1 the
        /// region prefix, $2 its LIKE pattern, $3 now, $4 the child code length, $5/$6 the
        /// period's timestamps and $7/$8 its days (empty: open).
        async fn case_rows<O>(
            pool: &$pool,
            sql: &str,
            p: (&str, &str, &str, i64, &str, &str, &str, &str),
        ) -> Result<Vec<O>>
        where
            O: for<'r> sqlx::FromRow<'r, <$db as sqlx::Database>::Row> + Send + Unpin,
        {
            Ok(sqlx::query_as::<_, O>(&q($d, sql))
                .bind(p.0)
                .bind(p.1)
                .bind(p.2)
                .bind(p.3)
                .bind(p.4)
                .bind(p.5)
                .bind(p.6)
                .bind(p.7)
                .fetch_all(pool)
                .await?)
        }

        pub(crate) async fn case_stats(pool: &$pool, prefix: &str, child_len: i64, now: &str, period: &Period) -> Result<CaseStats> {
            let (from, to) = period.bounds();
            let (from_day, to_day) = (period.from.clone().unwrap_or_default(), period.to.clone().unwrap_or_default());
            let like = format!("{prefix}.%");
            let p = (prefix, like.as_str(), now, child_len, from.as_str(), to.as_str(), from_day.as_str(), to_day.as_str());
            // PostgreSQL wants every bound parameter used: each query mentions them all.
            let all = "($3 = $3 AND $4 = $4 AND $5 = $5 AND $6 = $6 AND $7 = $7 AND $8 = $8)";
            // Cases under the prefix opened in the period; visits made in it.
            let cases = format!("($1 = '' OR region = $1 OR region LIKE $2) AND ($5 = '' OR created_at >= $5) AND ($6 = '' OR created_at < $6) AND {all}");
            let visits_under = format!("($1 = '' OR region = $1 OR region LIKE $2) AND ($7 = '' OR visited_on >= $7) AND ($8 = '' OR visited_on <= $8) AND {all}");
            let child = "substr(region, 1, CAST($4 AS INTEGER))";
            let by_kind_state: Vec<(String, String, i64, i64)> = case_rows(pool, &format!(
                "SELECT kind, state, COUNT(*), SUM(CASE WHEN due_at < $3 AND state <> 'closed' THEN 1 ELSE 0 END) FROM cases WHERE {cases} GROUP BY kind, state ORDER BY kind, state"
            ), p).await?;
            let referrals: Vec<(String, String, i64)> = case_rows(pool, &format!(
                "SELECT COALESCE(program, ''), state, COUNT(*) FROM cases WHERE route = 'referral' AND {cases} GROUP BY program, state ORDER BY 1, 2"
            ), p).await?;
            let opened: Vec<(String, i64)> = case_rows(pool, &format!(
                "SELECT {child}, COUNT(*) FROM cases WHERE {cases} GROUP BY {child}"
            ), p).await?;
            let visits: Vec<(String, i64)> = case_rows(pool, &format!(
                "SELECT {child}, COUNT(*) FROM visits WHERE {visits_under} GROUP BY {child}"
            ), p).await?;
            let mut activity: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
            for (r, n) in opened {
                activity.entry(r).or_default().0 = n;
            }
            for (r, n) in visits {
                activity.entry(r).or_default().1 = n;
            }
            // Steps: each action's time since the case's previous step (or its opening).
            let events: Vec<(i64, String, String, String)> = case_rows(pool, &format!(
                "SELECT e.case_id, e.action, e.at, c.created_at FROM case_events e JOIN cases c ON c.id = e.case_id WHERE {} ORDER BY e.case_id, e.seq",
                cases.replace("region", "c.region").replace("created_at", "c.created_at")
            ), p).await?;
            let mut step_seconds = Vec::with_capacity(events.len());
            let mut last: Option<(i64, String)> = None;
            for (case, action, at, created) in events {
                let from = match &last {
                    Some((c, t)) if *c == case => t.clone(),
                    _ => created,
                };
                if let (Some(a), Some(b)) = (parse_ts(&from), parse_ts(&at)) {
                    step_seconds.push((action, (b - a).whole_seconds()));
                }
                last = Some((case, at));
            }
            Ok(CaseStats {
                by_kind_state,
                referrals,
                activity: activity.into_iter().map(|(r, (c, v))| (r, c, v)).collect(),
                step_seconds,
            })
        }

        fn parse_ts(s: &str) -> Option<time::OffsetDateTime> {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        }

        /// The combinations of programs received in a region.
        pub(crate) async fn combo_stats(pool: &$pool, region: &str) -> Result<Vec<ComboStats>> {
            sqlx::query_as::<_, (String, String, i64)>(&q(
                $d,
                "SELECT region, programs, households FROM region_combo_stats WHERE region = $1 ORDER BY households DESC, programs",
            ))
            .bind(region)
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|(region, programs, households)| Ok(ComboStats { region, programs, households }))
            .collect()
        }
    };
}
pub(crate) use stats_methods;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_parents_follow_the_code() {
        for (code, level, parent) in [
            ("", "national", "-"),
            ("33", "province", ""),
            ("33.14", "regency", "33"),
            ("33.14.01", "district", "33.14"),
            ("33.14.01.2001", "village", "33.14.01"),
        ] {
            assert_eq!((level_of(code), parent_of(code)), (level, parent), "{code}");
        }
    }
}
