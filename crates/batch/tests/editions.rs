//! Ranking editions over the registry (issue #3), against SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL: `--db` equals `--data`, re-runs are
//! byte-identical even after the registry moved on, explanations equal stored scores.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use selaras_batch::editions::{rank_registry, rerun_edition, stored_model, EditionError};
use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::pmt::Model;
use selaras_store::testing::stores;
use selaras_store::{record_at_change, Storage, StoreError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

fn model() -> Model {
    Model::from_json(&std::fs::read_to_string(fixtures().join("model.json")).unwrap()).unwrap()
}

/// The conformance data, with `floor_area_m2` of household `edit` (if any) set to 999.
fn data(edit: Option<&str>) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["households.csv", "members.csv"] {
        let mut r = csv::Reader::from_path(fixtures().join("data").join(f)).unwrap();
        let header = r.headers().unwrap().clone();
        let id_at = header.iter().position(|c| c == "household_id").unwrap();
        let area_at = header.iter().position(|c| c == "floor_area_m2");
        let mut w = csv::Writer::from_path(d.path().join(f)).unwrap();
        w.write_record(&header).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let mut fields: Vec<String> = rec.iter().map(String::from).collect();
            if let (Some(a), Some(e)) = (area_at, edit) {
                if fields[id_at] == e {
                    fields[a] = "999".into();
                }
            }
            w.write_record(&fields).unwrap();
        }
        w.flush().unwrap();
    }
    d
}

async fn import(store: &Arc<dyn Storage>, dir: &Path) {
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

/// ranks.csv as id → the other fields.
fn rows(p: &Path) -> HashMap<String, Vec<String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x.iter().skip(1).map(String::from).collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn editions_equal_data_runs_rerun_identically_and_explain_themselves() {
    for t in stores().await {
        let name = t.name;
        let store = &t.store;
        let out = tempfile::tempdir().unwrap();
        let m = model();

        // No model stored yet: a clear refusal.
        let e = rank_registry(&**store, &m.id, None, &out.path().join("x.csv"), "t", None)
            .await
            .unwrap_err();
        assert!(matches!(e, EditionError::NotFound(_)), "{name}: {e}");

        let stored = stored_model(&m, "Statistik", "2026-01-15");
        assert!(store.put_model(&stored).await.unwrap(), "{name}");
        assert!(
            !store.put_model(&stored).await.unwrap(),
            "{name}: same again"
        );
        let mut other = m.clone();
        other.default.intercept += 1.0;
        match store
            .put_model(&stored_model(&other, "x", "2026-01-16"))
            .await
        {
            Err(StoreError::Conflict(msg)) => assert!(msg.contains("version"), "{msg}"),
            r => panic!("{name}: {r:?}"),
        }

        // Edition 1 over the registry equals a run over the same files.
        let first = data(None);
        import(store, first.path()).await;
        let a = out.path().join("a.csv");
        let e1 = rank_registry(&**store, &m.id, None, &a, "tester", None)
            .await
            .unwrap();
        assert_eq!(
            (e1.households, e1.ranked, e1.unscored),
            (600, 600, 0),
            "{name}"
        );
        assert_eq!(
            (e1.model_id.as_str(), e1.model_version),
            (m.id.as_str(), m.version)
        );
        let b = out.path().join("b.csv");
        selaras_targeting::rank_dir(first.path(), &m, &b, None).unwrap();
        assert_eq!(rows(&a), rows(&b), "{name}: --db and --data differ");

        // The registry moves on: one household's floor area changes.
        let (ids, changed) = {
            let mut ids: Vec<String> = rows(&a).into_keys().collect();
            ids.sort();
            let c = ids[7].clone();
            (ids, c)
        };
        let second = data(Some(&changed));
        import(store, second.path()).await;
        let c = out.path().join("c.csv");
        let e2 = rank_registry(&**store, &m.id, Some(m.version), &c, "tester", None)
            .await
            .unwrap();
        assert!(e2.snapshot_change > e1.snapshot_change, "{name}");
        assert_ne!(e2.input_digest, e1.input_digest, "{name}");
        assert_ne!(rows(&a)[&changed], rows(&c)[&changed], "{name}");

        // Edition 1 re-run on its own snapshot: byte-identical, though the data changed.
        let again = out.path().join("again.csv");
        let (e, same) = rerun_edition(&**store, e1.id, &again, None).await.unwrap();
        assert!(same, "{name}");
        assert_eq!(e.id, e1.id);
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&again).unwrap());
        assert!(matches!(
            rerun_edition(&**store, 99, &again, None).await,
            Err(EditionError::NotFound(_))
        ));

        // Each household shows both editions, newest first, with the stored ranks; the
        // explanation rebuilt from the household's history at the snapshot gives the
        // stored score to the last bit, for every household.
        let editions = store.editions().await.unwrap();
        assert_eq!(editions.len(), 2, "{name}");
        let first_rows = rows(&a);
        for id in &ids {
            let hist = store.household_ranks(id).await.unwrap();
            assert_eq!(
                hist.iter().map(|(e, _)| e.id).collect::<Vec<_>>(),
                vec![e2.id, e1.id],
                "{name}: {id}"
            );
            let (_, r1) = &hist[1];
            let want = &first_rows[id];
            assert_eq!(format!("{:.6}", r1.score.unwrap()), want[1], "{name}: {id}");
            assert_eq!(
                r1.national_rank.unwrap().to_string(),
                want[3],
                "{name}: {id}"
            );
            let versions = store.history(id).await.unwrap();
            let rec = record_at_change(&versions, e1.snapshot_change)
                .unwrap()
                .unwrap();
            let members: Vec<_> = rec.members.iter().map(|m| m.member.clone()).collect();
            let x = m.explain(&rec.household, &members);
            assert_eq!(x.score, r1.score, "{name}: {id}");
            assert_eq!(x.segment, r1.segment, "{name}: {id}");
            assert_eq!(x.imputed, r1.imputed, "{name}: {id}");
        }
    }
}
