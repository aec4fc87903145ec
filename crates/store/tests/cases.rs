//! Cases in storage (issue #5), on SQLite and, when configured, PostgreSQL: an action is
//! stored with its history row only at the version the actor saw; a stale action gets
//! `Conflict` and changes nothing; history cannot be changed; lists follow the region.

use selaras_store::testing::stores;
use selaras_store::{CaseTransition, NewCase, StoreError};

fn new_case(region: &str) -> NewCase {
    NewCase {
        kind: "complaint".into(),
        category: "membership".into(),
        description: "Tidak terdaftar PKH".into(),
        channel: "front_office".into(),
        household_id: Some("H1".into()),
        nik: None,
        region: region.into(),
        proposed: None,
        created_by: "fo".into(),
        due_at: None,
    }
}

fn step(id: i64, version: i64, to: &str, action: &str, actor: &str) -> CaseTransition {
    CaseTransition {
        case_id: id,
        expected_version: version,
        to_state: to.into(),
        route: None,
        program: None,
        due_at: Some("2026-12-08T00:00:00Z".into()),
        actor: actor.into(),
        role: "supervisor".into(),
        action: action.into(),
        note: None,
    }
}

#[tokio::test]
async fn actions_are_stored_once_at_the_version_seen() {
    for t in stores().await {
        let s = &*t.store;
        let c = s.create_case(&new_case("33.14.01.2001")).await.unwrap();
        assert_eq!((c.state.as_str(), c.version), ("draft", 1));
        let c = s
            .transition_case(&step(c.id, 1, "submitted", "submit", "fo"))
            .await
            .unwrap();
        assert_eq!((c.state.as_str(), c.version), ("submitted", 2));
        // Two supervisors saw version 2: the first verifies, the second's return is stale.
        let v = s
            .transition_case(&step(c.id, 2, "verified", "verify", "sup.a"))
            .await
            .unwrap();
        assert_eq!((v.state.as_str(), v.version), ("verified", 3));
        let stale = s
            .transition_case(&step(c.id, 2, "returned", "return", "sup.b"))
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(_))),
            "{}: {stale:?}",
            t.name
        );
        assert_eq!(s.case(c.id).await.unwrap().unwrap(), v);
        let mut referral = step(c.id, 3, "referred", "refer", "manajer");
        referral.route = Some("referral".into());
        referral.program = Some("pkh".into());
        referral.note = Some("ke pendamping PKH".into());
        let r = s.transition_case(&referral).await.unwrap();
        assert_eq!(
            (r.route.as_deref(), r.program.as_deref()),
            (Some("referral"), Some("pkh"))
        );

        let events = s.case_events(c.id).await.unwrap();
        let seen: Vec<(i64, &str, &str, &str, &str)> = events
            .iter()
            .map(|e| {
                (
                    e.seq,
                    e.action.as_str(),
                    e.from_state.as_str(),
                    e.to_state.as_str(),
                    e.actor.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, "submit", "draft", "submitted", "fo"),
                (2, "verify", "submitted", "verified", "sup.a"),
                (3, "refer", "verified", "referred", "manajer"),
            ]
        );
        assert_eq!(events[2].note.as_deref(), Some("ke pendamping PKH"));

        // Lists by region prefix.
        let other = s.create_case(&new_case("73.03.01.2001")).await.unwrap();
        let ids = |v: Vec<selaras_store::CaseRecord>| v.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(s.cases("33.14", 50, 0).await.unwrap()), [c.id]);
        assert_eq!(ids(s.cases("73", 50, 0).await.unwrap()), [other.id]);
        assert_eq!(ids(s.cases("", 50, 0).await.unwrap()), [other.id, c.id]);
        assert!(
            s.cases("33.1", 50, 0).await.unwrap().is_empty(),
            "prefixes are whole codes"
        );
        assert!(s.case(999).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn case_history_cannot_be_changed() {
    for t in stores().await {
        let c = t
            .store
            .create_case(&new_case("33.14.01.2001"))
            .await
            .unwrap();
        t.store
            .transition_case(&step(c.id, 1, "submitted", "submit", "fo"))
            .await
            .unwrap();
        let url = t.url.clone();
        let sqls = [
            "UPDATE case_events SET note = 'x'",
            "DELETE FROM case_events",
            "DELETE FROM cases",
        ];
        for sql in sqls {
            let refused = if url.starts_with("sqlite") {
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.is_err()
            } else {
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
                sqlx::query(sql).execute(&pool).await.is_err()
            };
            assert!(refused, "{}: {sql} went through", t.name);
        }
        assert_eq!(t.store.case_events(c.id).await.unwrap().len(), 1);
    }
}
