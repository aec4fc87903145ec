//! `selaras audit verify` as scripts use it: a key=value last line and exit 0 on an intact
//! chain, one line naming the broken entry and exit 1 on a tampered one (SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set).

use std::process::Command;

use selaras_domain::audit::GENESIS;
use selaras_store::testing::{stores, TestStore};
use selaras_store::NewAuditEntry;
use sqlx::Connection;

fn verify(db: &str) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_selaras"))
        .args(["audit", "verify", "--db", db])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn read(target: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor: "sup.a".into(),
        role: "supervisor".into(),
        action: "read.person".into(),
        target: target.into(),
        region: "33.14.01.2001".into(),
        origin: "cli".into(),
        detail: String::new(),
    }
}

/// Changes entry 2 behind the triggers' back.
async fn tamper(t: &TestStore) {
    let sql = "UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 2";
    if t.name == "postgres" {
        let mut c = sqlx::PgConnection::connect(&t.url).await.unwrap();
        sqlx::raw_sql(&format!(
            "DROP TRIGGER audit_log_frozen ON audit_log; {sql}"
        ))
        .execute(&mut c)
        .await
        .unwrap();
    } else {
        let mut c = sqlx::SqliteConnection::connect(&t.url).await.unwrap();
        sqlx::raw_sql(&format!("DROP TRIGGER audit_log_u; {sql}"))
            .execute(&mut c)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_passes_an_intact_chain_and_names_a_broken_entry() {
    // A database the command creates: an empty chain.
    let d = tempfile::tempdir().unwrap();
    let fresh = format!("sqlite://{}", d.path().join("fresh.db").display());
    let (code, out, err) = verify(&fresh);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().last(),
        Some(format!("entries=0 last_seq=0 hash={GENESIS}").as_str())
    );

    // More than one page (10 000 entries): the pages join up.
    let store = selaras_store::connect(&fresh).await.unwrap();
    let many: Vec<NewAuditEntry> = (0..10_001).map(|i| read(&format!("person:{i}"))).collect();
    store.append_audit_batch(&many).await.unwrap();
    let newest = store.audit_entries(10_000, 1).await.unwrap();
    let (code, out, err) = verify(&fresh);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().last(),
        Some(format!("entries=10001 last_seq=10001 hash={}", newest[0].hash).as_str())
    );

    for t in stores().await {
        let (code, out, err) = verify(&t.url);
        assert_eq!(
            (code, out.lines().last()),
            (
                0,
                Some(format!("entries=0 last_seq=0 hash={GENESIS}").as_str())
            ),
            "{}: {err}",
            t.name
        );
        let mut last = None;
        for i in 0..3 {
            last = Some(
                t.store
                    .append_audit(&read(&format!("person:{i}")))
                    .await
                    .unwrap(),
            );
        }
        let last = last.unwrap();
        let (code, out, err) = verify(&t.url);
        assert_eq!(code, 0, "{}: {err}", t.name);
        assert_eq!(
            out.lines().last(),
            Some(format!("entries=3 last_seq=3 hash={}", last.hash).as_str()),
            "{}",
            t.name
        );

        tamper(&t).await;
        let (code, out, err) = verify(&t.url);
        assert_eq!(code, 1, "{}: {out}", t.name);
        assert!(out.is_empty(), "{}: {out}", t.name);
        assert_eq!(err.trim_end().lines().count(), 1, "{}: {err}", t.name);
        assert!(
            err.starts_with("selaras: audit chain broken at seq 2: "),
            "{}: {err}",
            t.name
        );
    }
}
