//! The audit log in storage (issue #5), on SQLite and, when configured, PostgreSQL:
//! appended entries form a chain that verifies; concurrent appenders (also through two
//! stores on one database) make one gap-free chain; the database refuses to change or
//! remove entries; and tampering done behind the triggers' back is found at the entry
//! tampered with.

use std::sync::Arc;

use selaras_domain::audit::{verify, ChainCheck, FIRST_SEQ, GENESIS};
use selaras_store::testing::{stores, TestStore};
use selaras_store::{AuditEntry, NewAuditEntry, Storage};
use sqlx::Connection;

fn entry(actor: &str, action: &str, target: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.into(),
        role: "supervisor".into(),
        action: action.into(),
        target: target.into(),
        region: "33.14.01.2001".into(),
        origin: "10.0.0.7".into(),
        detail: r#"{"page":"household"}"#.into(),
    }
}

async fn all(s: &dyn Storage) -> Vec<AuditEntry> {
    s.audit_entries(0, i64::MAX).await.unwrap()
}

/// Runs `sql` on a connection of its own, as someone with direct database access would.
async fn raw(t: &TestStore, sql: &str) -> Result<u64, sqlx::Error> {
    if t.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&t.url).await?;
        let n = sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected();
        c.close().await?;
        Ok(n)
    } else {
        let mut c = sqlx::PgConnection::connect(&t.url).await?;
        let n = sqlx::raw_sql(sql).execute(&mut c).await?.rows_affected();
        c.close().await?;
        Ok(n)
    }
}

/// Drops the triggers that keep `audit_log` append-only.
async fn drop_triggers(t: &TestStore) {
    let sql = if t.name == "postgres" {
        "DROP TRIGGER audit_log_frozen ON audit_log; DROP TRIGGER audit_log_no_truncate ON audit_log"
    } else {
        "DROP TRIGGER audit_log_u; DROP TRIGGER audit_log_d"
    };
    raw(t, sql).await.unwrap();
}

async fn append_ten(s: &dyn Storage) -> Vec<AuditEntry> {
    let mut out = Vec::new();
    for i in 0..10 {
        let actor = if i % 2 == 0 { "sup.a" } else { "fo" };
        out.push(
            s.append_audit(&entry(actor, "read.person", &format!("person:{i}")))
                .await
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn appended_entries_form_a_chain_that_verifies() {
    for t in stores().await {
        let s = &*t.store;
        assert!(all(s).await.is_empty(), "{}", t.name);
        assert_eq!(verify(all(s).await, GENESIS, FIRST_SEQ), Ok(0));

        let first = s
            .append_audit(&entry("sup.a", "case.create", "case:12"))
            .await
            .unwrap();
        assert_eq!((first.seq, first.prev_hash.as_str()), (1, GENESIS));
        assert_eq!(first.hash, first.computed_hash());
        assert!(first.at.ends_with('Z'), "{}", first.at);
        let second = s
            .append_audit(&entry("fo", "case.action.verify", "case:12"))
            .await
            .unwrap();
        assert_eq!((second.seq, &second.prev_hash), (2, &first.hash));
        s.append_audit_batch(&[
            entry("sup.a", "read.household", "household:3314010001"),
            entry("sup.a", "read.person", "person:3314010101800001"),
            entry("sup.b", "read.person", "person:3314010101800001"),
        ])
        .await
        .unwrap();
        s.append_audit_batch(&[]).await.unwrap();

        let stored = all(s).await;
        assert_eq!(stored[..2], [first, second], "{}", t.name);
        let seqs: Vec<i64> = stored.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5], "{}", t.name);
        assert_eq!(verify(stored.clone(), GENESIS, FIRST_SEQ), Ok(5));

        // Pages, as `selaras audit verify` reads them.
        let mut check = ChainCheck::new();
        let mut after = 0;
        loop {
            let page = s.audit_entries(after, 2).await.unwrap();
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                check.push(e).unwrap();
            }
        }
        assert_eq!(
            (check.count(), check.last_hash()),
            (5, stored[4].hash.as_str())
        );

        // The admin page's lists: newest first, by target and/or actor.
        let seqs = |v: Vec<AuditEntry>| v.iter().map(|e| e.seq).collect::<Vec<i64>>();
        let person = Some("person:3314010101800001");
        assert_eq!(
            seqs(s.audit_filter(person, None, 10).await.unwrap()),
            [5, 4]
        );
        assert_eq!(
            seqs(s.audit_filter(person, Some("sup.a"), 10).await.unwrap()),
            [4]
        );
        assert_eq!(
            seqs(s.audit_filter(None, Some("sup.a"), 10).await.unwrap()),
            [4, 3, 1]
        );
        assert_eq!(seqs(s.audit_filter(None, None, 2).await.unwrap()), [5, 4]);
        assert!(s
            .audit_filter(Some("case:99"), None, 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appenders_make_one_gap_free_chain() {
    for t in stores().await {
        // A second store on the same database, as another process (the CLI beside the
        // server) would open it: only the database's own locking orders the two.
        let other = selaras_store::connect(&t.url).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|w| {
                let s: Arc<dyn Storage> = if w % 2 == 0 {
                    t.store.clone()
                } else {
                    other.clone()
                };
                tokio::spawn(async move {
                    for i in 0..50 {
                        let e = entry(&format!("w{w}"), "read.person", &format!("person:{i}"));
                        if i % 10 == 9 {
                            s.append_audit_batch(&[e.clone(), e]).await.unwrap();
                        } else {
                            s.append_audit(&e).await.unwrap();
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let stored = all(&*t.store).await;
        // 45 single appends and 5 batches of two per appender.
        assert_eq!(stored.len(), 8 * 55, "{}", t.name);
        assert_eq!(
            verify(stored.clone(), GENESIS, FIRST_SEQ),
            Ok(8 * 55),
            "{}",
            t.name
        );
        // Each appender's entries are in the order it appended them.
        for w in 0..8 {
            let mine: Vec<&str> = stored
                .iter()
                .filter(|e| e.actor == format!("w{w}"))
                .map(|e| e.target.as_str())
                .collect();
            let mut expected = Vec::new();
            for i in 0..50 {
                expected.push(format!("person:{i}"));
                if i % 10 == 9 {
                    expected.push(format!("person:{i}"));
                }
            }
            assert_eq!(mine, expected, "{} w{w}", t.name);
        }
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_remove_entries() {
    for t in stores().await {
        let s = &*t.store;
        append_ten(s).await;
        for sql in [
            "UPDATE audit_log SET actor = 'x' WHERE seq = 3",
            "UPDATE audit_log SET hash = hash",
            "DELETE FROM audit_log WHERE seq = 10",
            "DELETE FROM audit_log",
        ] {
            let err = raw(&t, sql).await.expect_err(sql);
            assert!(
                err.to_string().contains("append-only"),
                "{}: {sql}: {err}",
                t.name
            );
        }
        if t.name == "postgres" {
            let err = raw(&t, "TRUNCATE audit_log").await.expect_err("truncate");
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        let stored = all(s).await;
        assert_eq!(verify(stored, GENESIS, FIRST_SEQ), Ok(10), "{}", t.name);
    }
}

#[tokio::test]
async fn tampering_behind_the_triggers_is_found_at_its_entry() {
    for t in stores().await {
        let s = &*t.store;
        append_ten(s).await;
        drop_triggers(&t).await;

        // A changed field.
        assert_eq!(
            raw(
                &t,
                "UPDATE audit_log SET actor = 'someone.else' WHERE seq = 4"
            )
            .await
            .unwrap(),
            1
        );
        let b = verify(all(s).await, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 4, "{}: {b}", t.name);
        raw(&t, "UPDATE audit_log SET actor = 'fo' WHERE seq = 4")
            .await
            .unwrap();
        assert_eq!(
            verify(all(s).await, GENESIS, FIRST_SEQ),
            Ok(10),
            "{}",
            t.name
        );

        // A removed entry.
        raw(&t, "DELETE FROM audit_log WHERE seq = 7")
            .await
            .unwrap();
        let b = verify(all(s).await, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 7, "{}: {b}", t.name);
        assert!(b.reason.contains("missing"), "{b}");

        // The gap closed by renumbering the rest: the links no longer hold.
        raw(&t, "UPDATE audit_log SET seq = seq + 100 WHERE seq > 7")
            .await
            .unwrap();
        raw(&t, "UPDATE audit_log SET seq = seq - 101 WHERE seq > 100")
            .await
            .unwrap();
        let stored = all(s).await;
        assert_eq!(stored.len(), 9);
        assert_eq!(stored.last().map(|e| e.seq), Some(9));
        let b = verify(stored, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 7, "{}: {b}", t.name);

        // Appends after tampering link to the tampered chain; the break stays visible.
        s.append_audit(&entry("sup.a", "read.person", "person:x"))
            .await
            .unwrap();
        assert_eq!(verify(all(s).await, GENESIS, FIRST_SEQ).unwrap_err().seq, 7);
    }
}
