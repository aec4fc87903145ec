//! The catalogue in the registry (issue #4): drafts are checked when saved, published only
//! after a dry run, and eligibility runs are stored beside their ranking edition with
//! their quota lists — on SQLite and, when configured, PostgreSQL.

use std::path::Path;

use selaras_batch::catalogue::{
    dry_run_draft, in_force, publish, run_eligibility, save_draft, CatalogueError,
};
use selaras_batch::editions::{rank_registry, stored_model};
use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::programs::Catalogue;
use selaras_domain::Date;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

/// The shipped catalogue with `f` applied to its JSON.
fn edited(f: impl Fn(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&Catalogue::shipped().to_json()).unwrap();
    f(&mut v);
    v.to_string()
}

fn program<'a>(v: &'a mut serde_json::Value, code: &str) -> &'a mut serde_json::Value {
    v["programs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn drafts_dry_runs_publication_and_stored_runs() {
    let as_of = Date::parse("2026-01-01").unwrap();
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    // The BPNT threshold moves from the 25th to the 30th percentile; BPNT gets a quota of
    // 20 households in regency 33.14.
    let wider = edited(|v| {
        let p = program(v, "bpnt");
        p["rule"] = "national_percentile <= 30".into();
        p["quotas"] = serde_json::json!({"33.14": 20});
    });
    for t in selaras_store::testing::stores().await {
        let store = &*t.store;
        let data = tempfile::tempdir().unwrap();
        let cfg = selaras_synth::GenConfig {
            households: 300,
            seed: 4,
            regions: vec![selaras_domain::RegionScope::parse("33.14").unwrap()],
            ..Default::default()
        };
        selaras_synth::generate_to_dir(&cfg, data.path(), &|_| {}).unwrap();
        import_dir(
            t.store.clone(),
            Regions::default(),
            data.path(),
            ImportOptions::default(),
            None,
        )
        .await
        .unwrap();

        // Bad drafts are refused with the place; nothing is stored.
        let bad = edited(|v| program(v, "kip")["rule"] = "umur > 3".into());
        match save_draft(store, &bad, "salah", "admin").await {
            Err(CatalogueError::Invalid { place, reason }) => {
                assert_eq!(place, "programs[4].rule");
                assert!(reason.contains("column 1"), "{reason}");
                assert!(reason.contains("umur"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let bad = edited(|v| program(v, "kip")["rule"] = "age > \"x\"".into());
        assert!(matches!(
            save_draft(store, &bad, "salah", "admin").await,
            Err(CatalogueError::Invalid { .. })
        ));
        assert!(store.catalogues().await.unwrap().is_empty());
        assert_eq!(in_force(store).await.unwrap().0, None);

        let draft = save_draft(store, &wider, "BPNT diperluas", "admin")
            .await
            .unwrap();
        // No ranking edition yet: no dry run, and no publication without one.
        assert!(matches!(
            dry_run_draft(store, draft.version, as_of).await,
            Err(CatalogueError::NoEdition)
        ));
        assert!(matches!(
            publish(store, draft.version, "admin").await,
            Err(CatalogueError::Conflict(_))
        ));

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

        // The dry run: only BPNT changes, only gains, in regency 33.14; the gain equals
        // the households between the 25th and the 30th percentile.
        let rows = dry_run_draft(store, draft.version, as_of).await.unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!((r.regency.as_str(), r.program.as_str()), ("33.14", "bpnt"));
        let ranks: Vec<u64> = csv::Reader::from_path(out.path().join("r.csv"))
            .unwrap()
            .deserialize::<std::collections::HashMap<String, String>>()
            .filter_map(|x| x.unwrap()["national_percentile"].parse().ok())
            .collect();
        let between = ranks.iter().filter(|p| (26..=30).contains(*p)).count() as u64;
        assert!(between > 0);
        assert_eq!(r.households_gaining, between);
        assert_eq!(r.households_losing, 0);
        assert_eq!(r.people_losing, 0);
        assert!(r.people_gaining >= between, "{r:?}");

        publish(store, draft.version, "admin").await.unwrap();
        // Published once only.
        assert!(matches!(
            publish(store, draft.version, "admin").await,
            Err(CatalogueError::Conflict(_))
        ));
        assert!(matches!(
            dry_run_draft(store, draft.version, as_of).await,
            Err(CatalogueError::Conflict(_))
        ));
        assert_eq!(in_force(store).await.unwrap().0, Some(draft.version));

        // The run: beside the edition, with the published version, and BPNT's quota
        // list (20 selected in rank order, the rest waiting, positions from 1).
        let (run, outcome) = run_eligibility(store, None, as_of, "uji").await.unwrap();
        assert_eq!(run.edition_id, edition.id);
        assert_eq!(run.catalogue_version, Some(draft.version));
        let bpnt = outcome
            .summary
            .iter()
            .find(|s| s.program == "bpnt")
            .unwrap();
        let list = store.quota_units(Some(run.id), None).await.unwrap();
        // Without a run: the newest run's lists.
        assert_eq!(store.quota_units(None, None).await.unwrap(), list);
        assert_eq!(list.len() as u64, bpnt.eligible_units);
        let selected: Vec<_> = list.iter().filter(|u| u.selected).collect();
        let waiting: Vec<_> = list.iter().filter(|u| !u.selected).collect();
        assert_eq!(selected.len(), 20);
        assert_eq!(
            waiting.iter().map(|u| u.position).collect::<Vec<_>>(),
            (1..=waiting.len() as i64).collect::<Vec<_>>()
        );
        let worst_selected = selected
            .iter()
            .filter_map(|u| u.national_rank)
            .max()
            .unwrap();
        assert!(waiting
            .iter()
            .all(|u| u.national_rank.unwrap() > worst_selected));
        let one = &waiting[0];
        let mine = store
            .quota_units(Some(run.id), Some(&one.household_id))
            .await
            .unwrap();
        assert_eq!(mine, vec![(*one).clone()]);
        let runs = store.eligibility_runs().await.unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(
            store.eligibility_run(run.id).await.unwrap().as_ref(),
            Some(&runs[0])
        );
        assert_eq!(store.eligibility_run(run.id + 1).await.unwrap(), None);
        let gaps: serde_json::Value = serde_json::from_str(&runs[0].gaps).unwrap();
        assert!(gaps
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["regency"] == "33.14"));
    }
}
