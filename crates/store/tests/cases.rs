//! Cases in storage (issue #5), on SQLite and, when configured, PostgreSQL: an action is
//! stored with its history row only at the version the actor saw; a stale action gets
//! `Conflict` and changes nothing; history cannot be changed; lists follow the region.

use selaras_store::testing::stores;
use selaras_store::{Attempt, CaseFilter, CaseTransition, NewCase, NewMessage, StoreError};

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
        contact: Some("081234567890".into()),
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
        level: None,
        household_id: None,
        applied_change: None,
        message: None,
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
        let under = |p: &str| CaseFilter {
            region_prefix: p.into(),
            limit: 50,
            ..CaseFilter::default()
        };
        assert_eq!(ids(s.cases(&under("33.14")).await.unwrap()), [c.id]);
        assert_eq!(ids(s.cases(&under("73")).await.unwrap()), [other.id]);
        assert_eq!(ids(s.cases(&under("")).await.unwrap()), [other.id, c.id]);
        assert!(
            s.cases(&under("33.1")).await.unwrap().is_empty(),
            "prefixes are whole codes"
        );
        let f = |f: CaseFilter| async move { ids(s.cases(&f).await.unwrap()) };
        assert_eq!(
            f(CaseFilter {
                state: Some("referred".into()),
                ..under("")
            })
            .await,
            [c.id]
        );
        assert_eq!(
            f(CaseFilter {
                program: Some("pkh".into()),
                ..under("")
            })
            .await,
            [c.id]
        );
        assert_eq!(
            f(CaseFilter {
                state: Some("draft".into()),
                ..under("")
            })
            .await,
            [other.id]
        );
        assert!(f(CaseFilter {
            kind: Some("need".into()),
            ..under("")
        })
        .await
        .is_empty());
        // Overdue: the referred case is due 2026-12-08, the draft has no clock.
        let overdue = CaseFilter {
            due_before: Some("2026-12-09T00:00:00Z".into()),
            ..under("")
        };
        assert_eq!(f(overdue.clone()).await, [c.id]);
        assert!(f(CaseFilter {
            due_before: Some("2026-12-07T00:00:00Z".into()),
            ..under("")
        })
        .await
        .is_empty());
        // Work queues: soonest due first, undated last.
        assert_eq!(
            f(CaseFilter {
                by_due: true,
                ..under("")
            })
            .await,
            [c.id, other.id]
        );
        assert_eq!(
            f(CaseFilter {
                limit: 1,
                offset: 1,
                ..under("")
            })
            .await,
            [c.id]
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

#[tokio::test]
async fn messages_are_queued_with_the_action_and_retried() {
    for t in stores().await {
        let s = &*t.store;
        let c = s.create_case(&new_case("33.14.01.2001")).await.unwrap();
        assert_eq!(c.contact.as_deref(), Some("081234567890"));
        let mut submit = step(c.id, 1, "submitted", "submit", "fo");
        submit.message = Some(NewMessage {
            recipient: "081234567890".into(),
            channel: "sms".into(),
            body: "SLRT-000001: status Diajukan.".into(),
        });
        s.transition_case(&submit).await.unwrap();
        // A stale action queues nothing.
        let mut stale = step(c.id, 1, "submitted", "submit", "fo");
        stale.message = submit.message.clone();
        assert!(s.transition_case(&stale).await.is_err());
        let due = s.due_messages("9999-01-01T00:00:00Z", 10).await.unwrap();
        assert_eq!(due.len(), 1, "{}", t.name);
        let m = &due[0];
        assert_eq!((m.status.as_str(), m.attempts), ("pending", 0));
        assert!(s
            .due_messages("2000-01-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty());
        // A failure is retried later, then sent and logged.
        s.message_attempt(
            m.id,
            &Attempt::Failed {
                error: "gateway down".into(),
                retry_at: Some("2030-01-01T00:00:00Z".into()),
            },
        )
        .await
        .unwrap();
        assert!(s
            .due_messages("2029-01-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            s.due_messages("2030-01-01T00:00:00Z", 10)
                .await
                .unwrap()
                .len(),
            1
        );
        s.message_attempt(m.id, &Attempt::Sent { log: true })
            .await
            .unwrap();
        let kept = s.case_messages(c.id).await.unwrap();
        assert_eq!((kept[0].status.as_str(), kept[0].attempts), ("sent", 2));
        assert_eq!(kept[0].last_error.as_deref(), Some("gateway down"));
        let log = s.message_log(10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!((log[0].0, log[0].3.as_str()), (m.id, "081234567890"));
        assert!(s
            .due_messages("9999-01-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty());
        // Given up: failed, not due again.
        let c2 = s.create_case(&new_case("33.14.01.2001")).await.unwrap();
        let mut submit = step(c2.id, 1, "submitted", "submit", "fo");
        submit.message = Some(NewMessage {
            recipient: String::new(),
            channel: "log".into(),
            body: "x".into(),
        });
        s.transition_case(&submit).await.unwrap();
        let m2 = s.due_messages("9999-01-01T00:00:00Z", 10).await.unwrap()[0].id;
        s.message_attempt(
            m2,
            &Attempt::Failed {
                error: "no".into(),
                retry_at: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(s.case_messages(c2.id).await.unwrap()[0].status, "failed");
        assert!(s
            .due_messages("9999-01-01T00:00:00Z", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn settings_keep_every_version() {
    for t in stores().await {
        let s = &*t.store;
        assert_eq!(s.case_settings().await.unwrap(), None);
        let v1 = s.put_case_settings("{\"a\":1}", "admin").await.unwrap();
        let v2 = s.put_case_settings("{\"a\":2}", "admin").await.unwrap();
        assert!(v2 > v1);
        assert_eq!(
            s.case_settings().await.unwrap(),
            Some((v2, "{\"a\":2}".into()))
        );
    }
}

#[tokio::test]
async fn visits_are_kept_and_listed_by_region_household_and_author() {
    use selaras_store::{NewVisit, VisitFilter};
    for t in stores().await {
        let s = &*t.store;
        let visit = |hh: &str, region: &str, on: &str, by: &str| NewVisit {
            household_id: hh.into(),
            region: region.into(),
            visited_on: on.into(),
            purpose: "verification".into(),
            note: "Rumah sudah diplester".into(),
            case_id: None,
            recorded_by: by.into(),
            role: "facilitator".into(),
        };
        let a = s
            .create_visit(&visit("H1", "33.14.01.2001", "2026-11-02", "fas"))
            .await
            .unwrap();
        let b = s
            .create_visit(&visit("H2", "33.14.01.2002", "2026-11-05", "fas"))
            .await
            .unwrap();
        let c = s
            .create_visit(&visit("H3", "73.03.01.2001", "2026-11-03", "lain"))
            .await
            .unwrap();
        let ids = |v: Vec<selaras_store::VisitRecord>| v.iter().map(|x| x.id).collect::<Vec<_>>();
        let f = |region: &str| VisitFilter {
            region_prefix: region.into(),
            limit: 50,
            ..VisitFilter::default()
        };
        assert_eq!(
            ids(s.visits(&f("33.14")).await.unwrap()),
            [b.id, a.id],
            "newest visit first"
        );
        assert_eq!(ids(s.visits(&f("")).await.unwrap()), [b.id, c.id, a.id]);
        assert_eq!(
            ids(s
                .visits(&VisitFilter {
                    household_id: Some("H1".into()),
                    ..f("")
                })
                .await
                .unwrap()),
            [a.id]
        );
        assert_eq!(
            ids(s
                .visits(&VisitFilter {
                    recorded_by: Some("lain".into()),
                    ..f("")
                })
                .await
                .unwrap()),
            [c.id]
        );
        let refused = if t.url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(&t.url).await.unwrap();
            sqlx::query("DELETE FROM visits")
                .execute(&pool)
                .await
                .is_err()
        } else {
            let pool = sqlx::PgPool::connect(&t.url).await.unwrap();
            sqlx::query("DELETE FROM visits")
                .execute(&pool)
                .await
                .is_err()
        };
        assert!(refused, "{}: visits are append-only", t.name);
    }
}
