//! Participant lists into the registry (issue #4), on SQLite and (when configured)
//! PostgreSQL: good rows recorded, bad rows rejected with line, column and reason,
//! history kept.

use std::path::Path;

use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::participation::import_participation;
use selaras_batch::Regions;
use selaras_domain::programs::Catalogue;
use selaras_store::testing::stores;

// From the conformance data: a household, its head's NIK, and a member of another household.
const HH: &str = "H24114258751b4c83";
const NIK: &str = "1222016108457115";

#[tokio::test]
async fn participant_lists_load_with_rejects_and_history() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance/data");
    let catalogue = Catalogue::shipped();
    for t in stores().await {
        let src = tempfile::tempdir().unwrap();
        for f in ["households.csv", "members.csv"] {
            std::fs::copy(data.join(f), src.path().join(f)).unwrap();
        }
        import_dir(
            t.store.clone(),
            Regions::default(),
            src.path(),
            ImportOptions::default(),
            None,
        )
        .await
        .unwrap();
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("pkh-2026.csv");
        // Columns in another order; lines 2–3 good, 4–8 bad.
        std::fs::write(
            &file,
            format!(
                "status,program,period,nik,household_id\n\
                 enrolled,pkh,2026-01,,{HH}\n\
                 enrolled,kis_pbi,2026-01,{NIK},\n\
                 enrolled,beasiswa,2026-01,,{HH}\n\
                 enrolled,kis_pbi,2026-01,3201010101010001,\n\
                 enrolled,pkh,2026-13,,{HH}\n\
                 enrolled,pkh,2026-01,,H-not-there\n\
                 enrolled,kis_pbi,2026-01,{NIK},H00376f4af7a74145\n"
            ),
        )
        .unwrap();
        let r = import_participation(&*t.store, catalogue, &file, "uji")
            .await
            .unwrap();
        assert_eq!((r.loaded, r.rejected), (2, 5), "{}", t.name);
        let mut rej = csv::Reader::from_path(&r.rejects_path).unwrap();
        let got: Vec<(u64, String)> = rej
            .records()
            .map(|x| {
                let x = x.unwrap();
                assert_eq!(&x[0], "pkh-2026.csv");
                (x[1].parse().unwrap(), x[2].to_string())
            })
            .collect();
        assert_eq!(
            got,
            [
                (4, "program".to_string()),
                (6, "period".to_string()),
                (5, "nik".to_string()),
                (7, "household_id".to_string()),
                (8, "household_id".to_string()),
            ],
            "{}",
            t.name
        );

        // An exit later: history keeps both, in order.
        let exit = d.path().join("pkh-exit.csv");
        std::fs::write(
            &exit,
            format!("program,household_id,nik,period,status\npkh,{HH},,2026-06,exited\n"),
        )
        .unwrap();
        let r = import_participation(&*t.store, catalogue, &exit, "uji")
            .await
            .unwrap();
        assert_eq!((r.loaded, r.rejected), (1, 0));
        let hist = t.store.participation(HH).await.unwrap();
        let pkh: Vec<(&str, &str)> = hist
            .iter()
            .filter(|p| p.program == "pkh")
            .map(|p| (p.period.as_str(), p.status.as_str()))
            .collect();
        assert_eq!(
            pkh,
            [("2026-01", "enrolled"), ("2026-06", "exited")],
            "{}",
            t.name
        );
        let kis = hist.iter().find(|p| p.program == "kis_pbi").unwrap();
        assert_eq!(kis.nik.as_deref(), Some(NIK));

        // A list without a required column stops before anything is written.
        let bad = d.path().join("bad.csv");
        std::fs::write(&bad, "program,nik,period\npkh,,2026-01\n").unwrap();
        let e = import_participation(&*t.store, catalogue, &bad, "uji")
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("missing columns: household_id, status"),
            "{e}"
        );
        assert_eq!(t.store.participation(HH).await.unwrap().len(), hist.len());
    }
}
