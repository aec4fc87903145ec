//! Dashboard figures (issue #6) on SQLite and, when configured, PostgreSQL: every level is
//! the sum of its children, the nation agrees with the registry, the deciles with the
//! edition, the program figures with the eligibility run; a refresh recomputes only the
//! villages that changed.

use std::collections::HashMap;
use std::path::Path;

use selaras_batch::catalogue::run_eligibility;
use selaras_batch::editions::{rank_registry, stored_model};
use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::Date;
use selaras_store::stats::RegionStats;
use selaras_store::Storage;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

async fn import(store: &std::sync::Arc<dyn Storage>, dir: &Path) {
    let r = import_dir(
        store.clone(),
        Regions::default(),
        dir,
        ImportOptions::default(),
        None,
    )
    .await
    .unwrap();
    assert_eq!(r.rejected, 0);
}

/// Households per village and those surveyed on or after `cutoff`, read from the file.
fn from_file(dir: &Path, cutoff: &str) -> HashMap<String, (i64, i64)> {
    let mut r = csv::Reader::from_path(dir.join("households.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let (region, survey, exit) = (col("region_code"), col("survey_date"), col("exit_state"));
    let mut out: HashMap<String, (i64, i64)> = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        if !rec[exit].is_empty() {
            continue;
        }
        let e = out.entry(rec[region].to_string()).or_default();
        e.0 += 1;
        e.1 += (!rec[survey].is_empty() && &rec[survey] >= cutoff) as i64;
    }
    out
}

fn sum(rows: &[RegionStats]) -> (i64, i64, i64, i64, [i64; 10]) {
    let mut d = [0; 10];
    for r in rows {
        for (a, b) in d.iter_mut().zip(r.deciles) {
            *a += b;
        }
    }
    (
        rows.iter().map(|r| r.households).sum(),
        rows.iter().map(|r| r.members).sum(),
        rows.iter().map(|r| r.verified_12m).sum(),
        rows.iter().map(|r| r.ranked).sum(),
        d,
    )
}

fn totals(r: &RegionStats) -> (i64, i64, i64, i64, [i64; 10]) {
    (r.households, r.members, r.verified_12m, r.ranked, r.deciles)
}

/// Walks the tree from `region` down, checking every row against the sum of its
/// children; returns the villages seen.
async fn check_tree(store: &dyn Storage, region: &str) -> Vec<RegionStats> {
    let mut villages = Vec::new();
    let mut todo = vec![region.to_string()];
    while let Some(r) = todo.pop() {
        let (own, children) = store.region_stats(&r).await.unwrap();
        let own = own.unwrap_or_else(|| panic!("no row for {r:?}"));
        if own.level == "village" {
            assert!(children.is_empty());
            villages.push(own);
            continue;
        }
        assert!(!children.is_empty(), "{r:?} has no children");
        assert_eq!(
            totals(&own),
            sum(&children),
            "{r:?} is the sum of its children"
        );
        todo.extend(children.into_iter().map(|c| c.region));
    }
    villages
}

#[tokio::test]
async fn figures_add_up_at_every_level_and_refresh_incrementally() {
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    let (day, cutoff) = ("2026-06-30", "2025-07-01");
    for t in selaras_store::testing::stores().await {
        let store = &*t.store;
        let data = tempfile::tempdir().unwrap();
        let cfg = selaras_synth::GenConfig {
            households: 500,
            seed: 11,
            regions: ["33.14", "73.03"]
                .iter()
                .map(|r| selaras_domain::RegionScope::parse(r).unwrap())
                .collect(),
            ..Default::default()
        };
        selaras_synth::generate_to_dir(&cfg, data.path(), &|_| {}).unwrap();
        import(&t.store, data.path()).await;
        store
            .put_model(&stored_model(&model, "uji", "2026-01-01"))
            .await
            .unwrap();
        let out = tempfile::tempdir().unwrap();
        let edition = rank_registry(
            store,
            &model.id,
            None,
            &out.path().join("r.csv"),
            "uji",
            None,
        )
        .await
        .unwrap();
        let (run, outcome) = run_eligibility(store, None, Date::parse(day).unwrap(), "uji")
            .await
            .unwrap();

        let first = store.refresh_stats(day, cutoff).await.unwrap();
        assert!(first.full, "{}", t.name);
        assert_eq!(first.programs_from_run, Some(run.id));
        let villages = check_tree(store, "").await;
        assert_eq!(villages.len() as u64, first.villages);
        let (nation, provinces) = store.region_stats("").await.unwrap();
        let nation = nation.unwrap();
        assert_eq!(provinces.len(), 2);
        let counts = store.counts().await.unwrap();
        assert_eq!(
            (nation.households, nation.members),
            (counts.households, counts.members)
        );
        assert_eq!(nation.ranked, edition.ranked);
        // Villages agree with the file: households and the verified ones.
        let expect = from_file(data.path(), cutoff);
        for v in &villages {
            assert_eq!(
                expect[&v.region],
                (v.households, v.verified_12m),
                "{}",
                v.region
            );
        }
        assert!(nation.verified_12m > 0 && nation.verified_12m < nation.households);

        // Program figures: regencies agree with the run's table, the nation with its summary.
        for g in &outcome.gaps {
            let rows = store.program_stats(&g.regency).await.unwrap();
            let own = rows
                .iter()
                .find(|p| p.region == g.regency && p.program == g.program)
                .unwrap();
            assert_eq!(
                (own.eligible, own.enrolled, own.excluded, own.included),
                (
                    g.eligible_households as i64,
                    g.enrolled_households as i64,
                    g.eligible_not_enrolled as i64,
                    g.enrolled_not_eligible as i64
                ),
                "{} {}",
                g.regency,
                g.program
            );
        }
        let national = store.program_stats("").await.unwrap();
        for s in outcome
            .summary
            .iter()
            .filter(|s| s.enrolled_households.is_some())
        {
            let own = national
                .iter()
                .find(|p| p.region.is_empty() && p.program == s.program)
                .unwrap();
            assert_eq!(own.eligible, s.eligible_households as i64);
            assert_eq!(Some(own.excluded as u64), s.eligible_not_enrolled);
        }
        let combos = store.combo_stats("33.14").await.unwrap();
        let expected: u64 = outcome
            .combinations
            .iter()
            .filter(|c| c.regency == "33.14")
            .map(|c| c.households)
            .sum();
        assert_eq!(
            combos.iter().map(|c| c.households).sum::<i64>() as u64,
            expected
        );

        // Nothing changed: nothing recomputed.
        let again = store.refresh_stats(day, cutoff).await.unwrap();
        assert_eq!(
            (again.full, again.villages, again.programs_from_run),
            (false, 0, None)
        );

        // One household surveyed today: only its village is recomputed.
        let path = data.path().join("households.csv");
        let mut r = csv::Reader::from_path(&path).unwrap();
        let header = r.headers().unwrap().clone();
        let survey = header.iter().position(|c| c == "survey_date").unwrap();
        let region = header.iter().position(|c| c == "region_code").unwrap();
        let mut rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        let i = rows
            .iter()
            .position(|f| !f[survey].is_empty() && &f[survey] < cutoff)
            .expect("a household surveyed before the window");
        let village = rows[i][region].to_string();
        let changed: csv::StringRecord = rows[i]
            .iter()
            .enumerate()
            .map(|(k, v)| if k == survey { day } else { v })
            .collect();
        rows[i] = changed;
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(&header).unwrap();
        for row in &rows {
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();
        let before = store.region_stats(&village).await.unwrap().0.unwrap();
        import(&t.store, data.path()).await;
        let step = store.refresh_stats(day, cutoff).await.unwrap();
        assert_eq!((step.full, step.villages), (false, 1), "{}", t.name);
        let after = store.region_stats(&village).await.unwrap().0.unwrap();
        assert_eq!(after.verified_12m, before.verified_12m + 1);
        assert_eq!(after.households, before.households);
        check_tree(store, "").await;
        let nation2 = store.region_stats("").await.unwrap().0.unwrap();
        assert_eq!(nation2.verified_12m, nation.verified_12m + 1);

        // A new day moves the window: everything is recomputed.
        let next = store
            .refresh_stats("2026-07-01", "2025-07-02")
            .await
            .unwrap();
        assert!(next.full);
    }
}
