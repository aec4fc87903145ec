//! Askesos in storage (issue #7, migration 12), on SQLite and, when configured,
//! PostgreSQL: product versions are frozen; an LPA, a member and a claim change only at
//! the version the caller saw (stale → `Conflict`, nothing stored); one active
//! membership per NIK; payments and claim history are append-only; filters follow the
//! region code's dots; the holiday calendar is replaced one year at a time.

use selaras_store::askesos::{
    AskesosFilter, ClaimStep, HolidayRow, LpaChange, MemberChange, NewClaim, NewHeir, NewLpa,
    NewMember, NewPayment, StoredProduct,
};
use selaras_store::testing::{stores, TestStore};
use selaras_store::{Storage, StoreError};
use sqlx::Connection;

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

fn conflict_message<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) -> String {
    match r {
        Err(StoreError::Conflict(m)) => m,
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

fn product(code: &str, version: i64, body: &str) -> StoredProduct {
    StoredProduct {
        code: code.into(),
        version,
        body: body.into(),
        digest: format!("digest-of-{body}"),
        created_at: String::new(),
        created_by: "admin".into(),
    }
}

fn new_lpa(name: &str, region: &str) -> NewLpa {
    NewLpa {
        name: name.into(),
        legal_form: "yayasan".into(),
        region: region.into(),
        address: "Jl. Merdeka 1".into(),
        product_code: "askesos-2025".into(),
        proposed_by: "dinsos".into(),
    }
}

fn new_member(lpa_id: i64, nik: &str, region: &str) -> NewMember {
    NewMember {
        lpa_id,
        product_code: "askesos-2025".into(),
        product_version: 1,
        nik: nik.into(),
        household_id: format!("H-{nik}"),
        region: region.into(),
        name: format!("Warga {nik}"),
        birth_date: "1980-05-17".into(),
        occupation: "petani".into(),
        employment_status: "informal".into(),
        enrolled_by: "lpa.clerk".into(),
        cover_start: "2025-02-01".into(),
        checks: "[]".into(),
    }
}

fn heir(nik: &str, relation: &str) -> NewHeir {
    NewHeir {
        nik: nik.into(),
        name: format!("Ahli {nik}"),
        relation: relation.into(),
    }
}

fn payment(paid_on: &str, months: i64, amount: i64, reinstate: bool) -> NewPayment {
    NewPayment {
        paid_on: paid_on.into(),
        months,
        amount,
        payer: "member".into(),
        reinstate,
        reference: format!("REF-{paid_on}"),
        recorded_by: "lpa.clerk".into(),
    }
}

fn new_claim(event: &str) -> NewClaim {
    NewClaim {
        event: event.into(),
        event_date: "2025-06-01".into(),
        filed_on: "2025-06-03".into(),
        claimant_nik: None,
        activity: "bertani".into(),
        occupation: Some("petani".into()),
        illness_days: Some(4),
        cost: Some(1_250_000),
        documents: "[\"ktp\"]".into(),
        basis: "".into(),
        opened_by: "lpa.clerk".into(),
    }
}

fn step(action: &str, to: &str, note: &str) -> ClaimStep {
    ClaimStep {
        action: action.into(),
        to_state: to.into(),
        actor: "verifier".into(),
        note: note.into(),
        documents: None,
        claimant_nik: None,
        amount: None,
        basis: None,
        complete_on: None,
        due_on: None,
        paid_on: None,
        paid_to: None,
    }
}

fn holiday(day: &str, name: &str) -> HolidayRow {
    HolidayRow {
        day: day.into(),
        kind: "holiday".into(),
        name_id: name.into(),
        name_en: format!("{name} (en)"),
    }
}

async fn lpa_id(s: &dyn Storage, name: &str, region: &str) -> i64 {
    s.create_lpa(&new_lpa(name, region)).await.unwrap().id
}

#[tokio::test]
async fn product_versions_are_frozen() {
    for t in stores().await {
        let s = &*t.store;
        assert!(s
            .put_product(&product("askesos-2025", 1, "a"))
            .await
            .unwrap());
        // The same text again: nothing to do.
        assert!(!s
            .put_product(&product("askesos-2025", 1, "a"))
            .await
            .unwrap());
        let other = s.put_product(&product("askesos-2025", 1, "b")).await;
        let m = conflict_message(other, t.name);
        assert!(m.contains("askesos-2025 version 1"), "{}: {m}", t.name);
        assert!(s
            .put_product(&product("askesos-2025", 2, "b"))
            .await
            .unwrap());
        assert!(s
            .put_product(&product("askesos-2024", 3, "c"))
            .await
            .unwrap());

        let all = s.products().await.unwrap();
        let keys: Vec<(&str, i64, &str)> = all
            .iter()
            .map(|p| (p.code.as_str(), p.version, p.body.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                ("askesos-2024", 3, "c"),
                ("askesos-2025", 1, "a"),
                ("askesos-2025", 2, "b")
            ],
            "{}",
            t.name
        );
        assert!(
            all.iter().all(|p| p.created_at.starts_with("20")),
            "{all:?}"
        );
        assert_eq!(all[1].digest, "digest-of-a");
        assert_eq!(all[1].created_by, "admin");

        assert!(raw(&t, "UPDATE askesos_products SET body = 'x'")
            .await
            .is_err());
        assert!(raw(&t, "DELETE FROM askesos_products").await.is_err());
        assert_eq!(s.products().await.unwrap(), all, "{}", t.name);
    }
}

#[tokio::test]
async fn lpas_change_at_the_version_seen() {
    for t in stores().await {
        let s = &*t.store;
        let l = s
            .create_lpa(&new_lpa("Yayasan Sejahtera", "62.1.01"))
            .await
            .unwrap();
        assert_eq!(
            (
                l.status.as_str(),
                l.accreditation.as_str(),
                l.version,
                l.designated_by.as_deref()
            ),
            ("proposed", "none", 1, None),
            "{}",
            t.name
        );
        assert_eq!(l.proposed_by, "dinsos");
        assert!(!l.proposed_at.is_empty());
        let change = LpaChange {
            status: "designated".into(),
            designated_by: Some("kemensos".into()),
            designated_on: Some("2025-01-10".into()),
            accreditation: "b".into(),
        };
        let d = s.change_lpa(l.id, 1, &change).await.unwrap();
        assert_eq!(
            (
                d.status.as_str(),
                d.designated_by.as_deref(),
                d.designated_on.as_deref(),
                d.accreditation.as_str(),
                d.version
            ),
            ("designated", Some("kemensos"), Some("2025-01-10"), "b", 2),
            "{}",
            t.name
        );
        let revoke = LpaChange {
            status: "revoked".into(),
            designated_by: None,
            designated_on: None,
            accreditation: "none".into(),
        };
        let stale = s.change_lpa(l.id, 1, &revoke).await;
        let m = conflict_message(stale, t.name);
        assert!(m.contains("reload"), "{}: {m}", t.name);
        assert_eq!(s.lpa(l.id).await.unwrap(), Some(d.clone()), "{}", t.name);
        let missing = s.change_lpa(l.id + 100, 1, &revoke).await;
        let m = conflict_message(missing, t.name);
        assert!(m.contains("no LPA"), "{}: {m}", t.name);
        assert_eq!(s.lpa(l.id + 100).await.unwrap(), None);

        // Regions follow the code's dots: 62.1 is not a prefix of 62.11.
        let b = lpa_id(s, "Orsos Bersama", "62.11.02").await;
        let a = lpa_id(s, "Lembaga Adat", "62.1").await;
        let names = |v: Vec<selaras_store::askesos::Lpa>| -> Vec<i64> {
            v.into_iter().map(|l| l.id).collect()
        };
        assert_eq!(
            names(s.lpas("62.1").await.unwrap()),
            [a, l.id],
            "{}",
            t.name
        );
        assert_eq!(names(s.lpas("62.11").await.unwrap()), [b], "{}", t.name);
        assert_eq!(
            names(s.lpas("").await.unwrap()),
            [a, b, l.id],
            "{}: by name",
            t.name
        );
        assert!(s.lpas("33").await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn enrolment_stores_member_heirs_and_payments_once_per_active_nik() {
    for t in stores().await {
        let s = &*t.store;
        let lpa = lpa_id(s, "Yayasan Sejahtera", "62.11").await;
        let m = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[
                    heir("6211010101850002", "spouse"),
                    heir("6211010101100003", "child"),
                ],
                &[payment("2025-01-20", 12, 120_000, false)],
            )
            .await
            .unwrap();
        assert_eq!(m.member_no, format!("ASK-{:08}", m.id), "{}", t.name);
        assert_eq!(m.member_no.len(), 12);
        assert_eq!(
            (
                m.state.as_str(),
                m.version,
                m.card_holder.as_str(),
                m.card_issued_on.as_str()
            ),
            ("active", 1, "lpa", "2025-02-01"),
            "{}",
            t.name
        );
        assert_eq!(
            (m.ended_on.as_deref(), m.card_delivered_on.as_deref()),
            (None, None)
        );
        assert_eq!((m.lpa_id, m.region.as_str()), (lpa, "62.11.01.2001"));
        assert_eq!(m.occupation, "petani");
        assert!(m.enrolled_at.starts_with("20"), "{}", m.enrolled_at);
        assert_eq!(s.member(m.id).await.unwrap(), Some(m.clone()), "{}", t.name);

        let heirs = s.heirs(m.id).await.unwrap();
        let seen: Vec<(&str, &str, &str)> = heirs
            .iter()
            .map(|h| (h.nik.as_str(), h.relation.as_str(), h.added_by.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("6211010101100003", "child", "lpa.clerk"),
                ("6211010101850002", "spouse", "lpa.clerk")
            ],
            "{}",
            t.name
        );
        let pays = s.payments(m.id).await.unwrap();
        assert_eq!(pays.len(), 1, "{}", t.name);
        assert_eq!(
            (
                pays[0].months,
                pays[0].amount,
                pays[0].reinstate,
                pays[0].member_id
            ),
            (12, 120_000, false, m.id)
        );

        // The same NIK again while active: refused with the member number, nothing stored.
        let again = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[heir("6211010101990009", "sibling")],
                &[payment("2025-03-01", 1, 10_000, false)],
            )
            .await;
        let msg = conflict_message(again, t.name);
        assert!(
            msg.contains("sudah terdaftar sebagai peserta aktif") && msg.contains(&m.member_no),
            "{}: {msg}",
            t.name
        );
        let all = AskesosFilter::default();
        assert_eq!(s.members(&all).await.unwrap().len(), 1, "{}", t.name);
        let paid: usize = s
            .member_ledgers(&all)
            .await
            .unwrap()
            .iter()
            .map(|m| m.payments.len())
            .sum();
        assert_eq!(paid, 1, "{}", t.name);

        // An heir listed twice undoes the whole enrolment.
        let twice = s
            .enrol_member(
                &new_member(lpa, "6211010101700004", "62.11.01.2001"),
                &[
                    heir("6211010101990009", "child"),
                    heir("6211010101990009", "child"),
                ],
                &[],
            )
            .await;
        assert!(
            matches!(twice, Err(StoreError::Conflict(_))),
            "{}: {twice:?}",
            t.name
        );
        let by_nik = AskesosFilter {
            nik: Some("6211010101700004".into()),
            ..Default::default()
        };
        assert!(s.members(&by_nik).await.unwrap().is_empty(), "{}", t.name);

        // Card delivered, then the membership ends: a new one may start.
        let delivered = s
            .change_member(
                m.id,
                1,
                &MemberChange {
                    end: None,
                    card_delivered: Some(("2025-02-05".into(), "Ibu Sari".into())),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (
                delivered.card_holder.as_str(),
                delivered.card_delivered_on.as_deref(),
                delivered.card_delivered_to.as_deref(),
                delivered.state.as_str(),
                delivered.version
            ),
            ("member", Some("2025-02-05"), Some("Ibu Sari"), "active", 2),
            "{}",
            t.name
        );
        let stale = s
            .change_member(
                m.id,
                1,
                &MemberChange {
                    end: Some(("2025-09-30".into(), "moved".into())),
                    card_delivered: None,
                },
            )
            .await;
        conflict_message(stale, t.name);
        assert_eq!(s.member(m.id).await.unwrap(), Some(delivered.clone()));
        let ended = s
            .change_member(
                m.id,
                2,
                &MemberChange {
                    end: Some(("2025-09-30".into(), "moved".into())),
                    card_delivered: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (
                ended.state.as_str(),
                ended.ended_on.as_deref(),
                ended.end_reason.as_deref(),
                ended.card_holder.as_str(),
                ended.version
            ),
            ("ended", Some("2025-09-30"), Some("moved"), "member", 3),
            "{}",
            t.name
        );
        let again = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        assert_ne!(again.member_no, m.member_no);
        assert_eq!(again.member_no, format!("ASK-{:08}", again.id));
        let same_nik = AskesosFilter {
            nik: Some("6211010101800001".into()),
            ..Default::default()
        };
        let both: Vec<(String, String)> = s
            .members(&same_nik)
            .await
            .unwrap()
            .into_iter()
            .map(|m| (m.member_no, m.state))
            .collect();
        assert_eq!(
            both,
            [
                (m.member_no.clone(), "ended".to_string()),
                (again.member_no.clone(), "active".to_string())
            ],
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn heirs_are_added_at_the_version_seen() {
    for t in stores().await {
        let s = &*t.store;
        let lpa = lpa_id(s, "Yayasan", "62.11").await;
        let m = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        let h = s
            .add_heir(m.id, 1, &heir("6211010101850002", "spouse"), "uji")
            .await
            .unwrap();
        assert_eq!(
            (
                h.member_id,
                h.nik.as_str(),
                h.relation.as_str(),
                h.added_by.as_str()
            ),
            (m.id, "6211010101850002", "spouse", "uji")
        );
        assert_eq!(
            s.member(m.id).await.unwrap().unwrap().version,
            2,
            "{}",
            t.name
        );
        let stale = s
            .add_heir(m.id, 1, &heir("6211010101100003", "child"), "uji")
            .await;
        conflict_message(stale, t.name);
        let twice = s
            .add_heir(m.id, 2, &heir("6211010101850002", "spouse"), "uji")
            .await;
        let msg = conflict_message(twice, t.name);
        assert!(msg.contains("6211010101850002"), "{}: {msg}", t.name);
        assert_eq!(s.heirs(m.id).await.unwrap(), [h], "{}", t.name);
        // A refused heir left the version where it was.
        assert_eq!(
            s.member(m.id).await.unwrap().unwrap().version,
            2,
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn payments_are_appended_at_the_version_seen() {
    for t in stores().await {
        let s = &*t.store;
        let lpa = lpa_id(s, "Yayasan", "62.11").await;
        let m = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        let p = s
            .add_payment(m.id, 1, &payment("2025-02-01", 3, 30_000, true))
            .await
            .unwrap();
        assert_eq!(
            (
                p.member_id,
                p.months,
                p.amount,
                p.reinstate,
                p.payer.as_str()
            ),
            (m.id, 3, 30_000, true, "member"),
            "{}",
            t.name
        );
        assert!(p.recorded_at.starts_with("20"));
        assert_eq!(s.member(m.id).await.unwrap().unwrap().version, 2);

        // A clerk who read version 1: refused, nothing stored, the version unchanged.
        let stale = s
            .add_payment(m.id, 1, &payment("2025-03-01", 1, 10_000, false))
            .await;
        let msg = conflict_message(stale, t.name);
        assert!(msg.contains("reload"), "{}: {msg}", t.name);
        assert_eq!(
            s.payments(m.id).await.unwrap(),
            std::slice::from_ref(&p),
            "{}",
            t.name
        );
        assert_eq!(s.member(m.id).await.unwrap().unwrap().version, 2);
        let missing = s
            .add_payment(m.id + 50, 1, &payment("2025-03-01", 1, 10_000, false))
            .await;
        let msg = conflict_message(missing, t.name);
        assert!(msg.contains("no Askesos member"), "{}: {msg}", t.name);

        let q = s
            .add_payment(m.id, 2, &payment("2025-03-01", 1, 10_000, false))
            .await
            .unwrap();
        assert!(q.id > p.id);
        assert_eq!(s.payments(m.id).await.unwrap(), [p.clone(), q.clone()]);

        // Two clerks at once on version 3: one payment stored, the other refused.
        let (pa, pb) = (
            payment("2025-04-01", 1, 10_000, false),
            payment("2025-04-02", 1, 10_000, false),
        );
        let (a, b) = tokio::join!(s.add_payment(m.id, 3, &pa), s.add_payment(m.id, 3, &pb));
        assert!(
            a.is_ok() != b.is_ok(),
            "{}: one of two must win: {a:?} {b:?}",
            t.name
        );
        assert!(matches!(a.err().or(b.err()), Some(StoreError::Conflict(_))));
        assert_eq!(s.payments(m.id).await.unwrap().len(), 3, "{}", t.name);

        // Append-only.
        assert!(
            raw(&t, "UPDATE askesos_payments SET amount = 1")
                .await
                .is_err(),
            "{}",
            t.name
        );
        assert!(
            raw(&t, "DELETE FROM askesos_payments").await.is_err(),
            "{}",
            t.name
        );
        assert_eq!(s.payments(m.id).await.unwrap()[0], p, "{}", t.name);
    }
}

#[tokio::test]
async fn concurrent_enrolments_of_one_nik_store_one() {
    for t in stores().await {
        let s = &*t.store;
        let lpa = lpa_id(s, "Yayasan", "62.11").await;
        let m = new_member(lpa, "6211010101800001", "62.11.01.2001");
        let (a, b) = tokio::join!(s.enrol_member(&m, &[], &[]), s.enrol_member(&m, &[], &[]));
        let (won, lost) = match (a, b) {
            (Ok(w), Err(e)) | (Err(e), Ok(w)) => (w, e),
            other => panic!("{}: one of two must win: {other:?}", t.name),
        };
        match lost {
            StoreError::Conflict(msg) => assert!(msg.contains(&won.member_no), "{msg}"),
            e => panic!("{}: {e:?}", t.name),
        }
        assert_eq!(
            s.members(&AskesosFilter::default()).await.unwrap(),
            [won],
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn claims_step_at_the_version_seen_with_their_history() {
    for t in stores().await {
        let s = &*t.store;
        let lpa = lpa_id(s, "Yayasan", "62.11").await;
        let m = s
            .enrol_member(
                &new_member(lpa, "6211010101800001", "62.11.01.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        let c = s
            .create_claim(m.id, 1, &new_claim("illness"))
            .await
            .unwrap();
        assert_eq!(c.claim_no, format!("KLM-{:08}", c.id), "{}", t.name);
        assert_eq!(
            (
                c.state.as_str(),
                c.version,
                c.note.as_str(),
                c.amount,
                c.member_id
            ),
            ("received", 1, "", None, m.id),
            "{}",
            t.name
        );
        assert_eq!((c.illness_days, c.cost), (Some(4), Some(1_250_000)));
        assert_eq!(c.opened_by, "lpa.clerk");
        assert_eq!(s.claim(c.id).await.unwrap(), Some(c.clone()));
        assert_eq!(
            s.member(m.id).await.unwrap().unwrap().version,
            2,
            "{}",
            t.name
        );

        // A claim on a stale member: refused, nothing stored.
        let stale = s.create_claim(m.id, 1, &new_claim("death")).await;
        conflict_message(stale, t.name);
        assert_eq!(
            s.claims_for(&AskesosFilter::default()).await.unwrap().len(),
            1,
            "{}",
            t.name
        );

        let mut verify = step("verify", "verified", "berkas lengkap");
        verify.documents = Some("[\"ktp\",\"surat_dokter\"]".into());
        verify.complete_on = Some("2025-06-05".into());
        verify.due_on = Some("2025-06-19".into());
        let v = s.step_claim(c.id, 1, &verify).await.unwrap();
        assert_eq!(
            (
                v.state.as_str(),
                v.version,
                v.note.as_str(),
                v.documents.as_str(),
                v.complete_on.as_deref(),
                v.due_on.as_deref()
            ),
            (
                "verified",
                2,
                "berkas lengkap",
                "[\"ktp\",\"surat_dokter\"]",
                Some("2025-06-05"),
                Some("2025-06-19")
            ),
            "{}",
            t.name
        );
        // A step with no note keeps the note; set fields stay set.
        let mut approve = step("approve", "approved", "");
        approve.amount = Some(500_000);
        approve.basis = Some("sakit 4 hari".into());
        let a = s.step_claim(c.id, 2, &approve).await.unwrap();
        assert_eq!(
            (
                a.state.as_str(),
                a.version,
                a.amount,
                a.basis.as_str(),
                a.note.as_str(),
                a.complete_on.as_deref()
            ),
            (
                "approved",
                3,
                Some(500_000),
                "sakit 4 hari",
                "berkas lengkap",
                Some("2025-06-05")
            ),
            "{}",
            t.name
        );
        let stale = s
            .step_claim(c.id, 2, &step("reject", "rejected", "x"))
            .await;
        let msg = conflict_message(stale, t.name);
        assert!(msg.contains("reload"), "{}: {msg}", t.name);
        assert_eq!(s.claim(c.id).await.unwrap(), Some(a.clone()), "{}", t.name);
        let missing = s
            .step_claim(c.id + 9, 1, &step("verify", "verified", ""))
            .await;
        conflict_message(missing, t.name);

        let mut pay = step("pay", "paid", "transfer");
        pay.paid_on = Some("2025-06-20".into());
        pay.paid_to = Some(m.nik.clone());
        let p = s.step_claim(c.id, 3, &pay).await.unwrap();
        assert_eq!(
            (p.paid_on.as_deref(), p.paid_to.as_deref(), p.amount),
            (Some("2025-06-20"), Some(m.nik.as_str()), Some(500_000))
        );

        let events = s.claim_events(c.id).await.unwrap();
        let seen: Vec<(i64, &str, &str, &str, &str, &str)> = events
            .iter()
            .map(|e| {
                (
                    e.seq,
                    e.action.as_str(),
                    e.from_state.as_str(),
                    e.to_state.as_str(),
                    e.actor.as_str(),
                    e.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, "file", "", "received", "lpa.clerk", ""),
                (
                    2,
                    "verify",
                    "received",
                    "verified",
                    "verifier",
                    "berkas lengkap"
                ),
                (3, "approve", "verified", "approved", "verifier", ""),
                (4, "pay", "approved", "paid", "verifier", "transfer"),
            ],
            "{}",
            t.name
        );
        assert!(events.iter().all(|e| e.claim_id == c.id));
        assert!(raw(&t, "UPDATE askesos_claim_events SET note = 'x'")
            .await
            .is_err());
        assert!(raw(&t, "DELETE FROM askesos_claim_events").await.is_err());
        assert!(raw(&t, "DELETE FROM askesos_claims").await.is_err());
        assert_eq!(s.claim_events(c.id).await.unwrap(), events, "{}", t.name);
    }
}

#[tokio::test]
async fn filters_follow_region_lpa_and_state() {
    for t in stores().await {
        let s = &*t.store;
        let la = lpa_id(s, "A", "62.1").await;
        let lb = lpa_id(s, "B", "62.11").await;
        let m1 = s
            .enrol_member(
                &new_member(la, "1000000000000001", "62.1.01.2001"),
                &[],
                &[payment("2025-01-01", 1, 10_000, false)],
            )
            .await
            .unwrap();
        let m2 = s
            .enrol_member(
                &new_member(lb, "1000000000000002", "62.11.01.2001"),
                &[],
                &[payment("2025-01-02", 2, 20_000, false)],
            )
            .await
            .unwrap();
        let m3 = s
            .enrol_member(
                &new_member(la, "1000000000000003", "62.1"),
                &[],
                &[payment("2025-01-03", 3, 30_000, false)],
            )
            .await
            .unwrap();
        let m3 = s
            .change_member(
                m3.id,
                1,
                &MemberChange {
                    end: Some(("2025-05-01".into(), "death".into())),
                    card_delivered: None,
                },
            )
            .await
            .unwrap();
        let p1b = s
            .add_payment(m1.id, 1, &payment("2025-02-01", 1, 10_000, false))
            .await
            .unwrap();
        let c1 = s
            .create_claim(m1.id, 2, &new_claim("illness"))
            .await
            .unwrap();
        let c2 = s
            .create_claim(m2.id, 1, &new_claim("accident"))
            .await
            .unwrap();
        let c3 = s.create_claim(m3.id, 2, &new_claim("death")).await.unwrap();
        s.step_claim(c3.id, 1, &step("verify", "verified", ""))
            .await
            .unwrap();

        let ids = |v: Vec<selaras_store::askesos::Member>| -> Vec<i64> {
            v.into_iter().map(|m| m.id).collect()
        };
        let f = |prefix: &str| AskesosFilter {
            region_prefix: prefix.into(),
            ..Default::default()
        };
        assert_eq!(
            ids(s.members(&f("")).await.unwrap()),
            [m1.id, m2.id, m3.id],
            "{}",
            t.name
        );
        assert_eq!(
            ids(s.members(&f("62.1")).await.unwrap()),
            [m1.id, m3.id],
            "{}: 62.1 is not under 62.11",
            t.name
        );
        assert_eq!(
            ids(s.members(&f("62.11")).await.unwrap()),
            [m2.id],
            "{}",
            t.name
        );
        assert_eq!(
            ids(s.members(&f("62.1.01")).await.unwrap()),
            [m1.id],
            "{}",
            t.name
        );
        assert!(
            s.members(&f("62.1.0")).await.unwrap().is_empty(),
            "{}",
            t.name
        );
        assert!(s.members(&f("6")).await.unwrap().is_empty(), "{}", t.name);
        let by_lpa = AskesosFilter {
            lpa_id: Some(la),
            ..Default::default()
        };
        assert_eq!(
            ids(s.members(&by_lpa).await.unwrap()),
            [m1.id, m3.id],
            "{}",
            t.name
        );
        let active = AskesosFilter {
            state: Some("active".into()),
            ..Default::default()
        };
        assert_eq!(
            ids(s.members(&active).await.unwrap()),
            [m1.id, m2.id],
            "{}",
            t.name
        );
        let ended_a = AskesosFilter {
            lpa_id: Some(la),
            state: Some("ended".into()),
            ..Default::default()
        };
        assert_eq!(
            ids(s.members(&ended_a).await.unwrap()),
            [m3.id],
            "{}",
            t.name
        );
        let one = AskesosFilter {
            member_id: Some(m2.id),
            ..Default::default()
        };
        assert_eq!(ids(s.members(&one).await.unwrap()), [m2.id], "{}", t.name);
        let page = AskesosFilter {
            limit: 1,
            offset: 1,
            ..Default::default()
        };
        assert_eq!(ids(s.members(&page).await.unwrap()), [m2.id], "{}", t.name);
        let rest = AskesosFilter {
            limit: 0,
            offset: 1,
            ..Default::default()
        };
        assert_eq!(
            ids(s.members(&rest).await.unwrap()),
            [m2.id, m3.id],
            "{}",
            t.name
        );

        // Ledgers: each member's payments with its LPA and region, by member then order
        // recorded.
        type Seen = Vec<(i64, i64, i64, String, String, i64)>;
        let flat = |v: Vec<selaras_store::askesos::MemberLedgerRow>| -> Seen {
            v.iter()
                .flat_map(|m| {
                    m.payments.iter().map(move |p| {
                        (
                            m.id,
                            p.amount,
                            m.lpa_id,
                            m.region.clone(),
                            m.product_code.clone(),
                            m.product_version,
                        )
                    })
                })
                .collect()
        };
        let led = s.member_ledgers(&f("62.1")).await.unwrap();
        let second = &led[0].payments[1];
        assert_eq!(
            (second.paid_on.to_string(), second.months, second.amount),
            (p1b.paid_on.clone(), p1b.months, p1b.amount),
            "{}",
            t.name
        );
        assert_eq!(
            flat(led),
            [
                (
                    m1.id,
                    10_000,
                    la,
                    "62.1.01.2001".into(),
                    "askesos-2025".into(),
                    1
                ),
                (
                    m1.id,
                    10_000,
                    la,
                    "62.1.01.2001".into(),
                    "askesos-2025".into(),
                    1
                ),
                (m3.id, 30_000, la, "62.1".into(), "askesos-2025".into(), 1),
            ],
            "{}",
            t.name
        );
        let active = flat(
            s.member_ledgers(&AskesosFilter {
                state: Some("active".into()),
                ..Default::default()
            })
            .await
            .unwrap(),
        );
        let members: Vec<i64> = active.iter().map(|p| p.0).collect();
        assert_eq!(members, [m1.id, m1.id, m2.id], "{}", t.name);
        let b = s
            .member_ledgers(&AskesosFilter {
                lpa_id: Some(lb),
                ..Default::default()
            })
            .await
            .unwrap();
        let b_pays: Vec<(i64, i64)> = b
            .iter()
            .flat_map(|m| m.payments.iter().map(move |p| (m.lpa_id, p.months)))
            .collect();
        assert_eq!(b_pays, [(lb, 2)], "{}", t.name);

        // Claims newest first, the filter's state being the claim's.
        let claims = |f: AskesosFilter| async move {
            s.claims_for(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|c| (c.claim.id, c.lpa_id, c.region))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            claims(AskesosFilter::default()).await,
            [
                (c3.id, la, "62.1".to_string()),
                (c2.id, lb, "62.11.01.2001".to_string()),
                (c1.id, la, "62.1.01.2001".to_string())
            ],
            "{}",
            t.name
        );
        let ids_of =
            |v: Vec<(i64, i64, String)>| -> Vec<i64> { v.into_iter().map(|c| c.0).collect() };
        assert_eq!(
            ids_of(claims(f("62.1")).await),
            [c3.id, c1.id],
            "{}",
            t.name
        );
        assert_eq!(ids_of(claims(f("62.11")).await), [c2.id], "{}", t.name);
        assert_eq!(
            ids_of(
                claims(AskesosFilter {
                    state: Some("received".into()),
                    ..Default::default()
                })
                .await
            ),
            [c2.id, c1.id],
            "{}",
            t.name
        );
        assert_eq!(
            ids_of(
                claims(AskesosFilter {
                    state: Some("verified".into()),
                    lpa_id: Some(la),
                    ..Default::default()
                })
                .await
            ),
            [c3.id],
            "{}",
            t.name
        );
        assert_eq!(
            ids_of(
                claims(AskesosFilter {
                    nik: Some("1000000000000002".into()),
                    ..Default::default()
                })
                .await
            ),
            [c2.id],
            "{}",
            t.name
        );
        assert_eq!(
            ids_of(
                claims(AskesosFilter {
                    limit: 2,
                    ..Default::default()
                })
                .await
            ),
            [c3.id, c2.id],
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn holidays_are_replaced_one_year_at_a_time() {
    for t in stores().await {
        let s = &*t.store;
        s.put_holidays(
            2025,
            &[
                holiday("2025-12-25", "Natal"),
                holiday("2025-01-01", "Tahun Baru"),
            ],
        )
        .await
        .unwrap();
        s.put_holidays(2026, &[holiday("2026-01-01", "Tahun Baru")])
            .await
            .unwrap();
        let days = |v: Vec<HolidayRow>| -> Vec<String> { v.into_iter().map(|h| h.day).collect() };
        assert_eq!(
            days(s.holidays().await.unwrap()),
            ["2025-01-01", "2025-12-25", "2026-01-01"],
            "{}",
            t.name
        );

        s.put_holidays(2025, &[holiday("2025-08-17", "Hari Kemerdekaan")])
            .await
            .unwrap();
        let all = s.holidays().await.unwrap();
        assert_eq!(
            days(all.clone()),
            ["2025-08-17", "2026-01-01"],
            "{}",
            t.name
        );
        assert_eq!(all[0], holiday("2025-08-17", "Hari Kemerdekaan"));

        // A day of another year, or a day twice: refused, the calendar unchanged.
        let wrong = s
            .put_holidays(
                2025,
                &[holiday("2025-05-01", "x"), holiday("2026-05-01", "y")],
            )
            .await;
        conflict_message(wrong, t.name);
        let twice = s
            .put_holidays(
                2025,
                &[holiday("2025-05-01", "x"), holiday("2025-05-01", "y")],
            )
            .await;
        conflict_message(twice, t.name);
        assert_eq!(s.holidays().await.unwrap(), all, "{}", t.name);

        s.put_holidays(2026, &[]).await.unwrap();
        assert_eq!(
            days(s.holidays().await.unwrap()),
            ["2025-08-17"],
            "{}",
            t.name
        );
    }
}

#[tokio::test]
async fn lpa_reports_are_kept_per_lpa() {
    for t in stores().await {
        let s = &*t.store;
        let a = lpa_id(s, "A", "62.11").await;
        let b = lpa_id(s, "B", "62.12").await;
        let r1 = s
            .save_lpa_report(a, "2025-01", "{\"members\":3}", "lpa.a")
            .await
            .unwrap();
        let r2 = s
            .save_lpa_report(a, "2025", "{\"members\":5}", "lpa.a")
            .await
            .unwrap();
        let r3 = s
            .save_lpa_report(b, "2025-01", "{}", "lpa.b")
            .await
            .unwrap();
        assert_eq!(
            (
                r1.lpa_id,
                r1.period.as_str(),
                r1.body.as_str(),
                r1.sent_by.as_str()
            ),
            (a, "2025-01", "{\"members\":3}", "lpa.a"),
            "{}",
            t.name
        );
        assert!(r1.sent_at.starts_with("20"));
        assert_eq!(s.lpa_reports(a).await.unwrap(), [r1, r2], "{}", t.name);
        assert_eq!(s.lpa_reports(b).await.unwrap(), [r3], "{}", t.name);
        assert!(s.lpa_reports(b + 10).await.unwrap().is_empty());
        // Reports refer to a stored LPA.
        assert!(
            s.save_lpa_report(b + 10, "2025", "{}", "x").await.is_err(),
            "{}",
            t.name
        );
    }
}

/// The reports' read: members with their payments in the order recorded, the whole
/// registry (one scan of the payments) or a region, an LPA, a page; on a SQLite file it
/// goes through rusqlite, elsewhere through sqlx — the same rows either way.
#[tokio::test]
async fn ledgers_hand_each_member_its_payments_in_order() {
    for t in stores().await {
        let s = &*t.store;
        let a = lpa_id(s, "LPA A", "62.11").await;
        let b = lpa_id(s, "LPA B", "62.12").await;
        let m1 = s
            .enrol_member(
                &new_member(a, "6211010101800001", "62.11.01.2001"),
                &[],
                &[payment("2025-02-01", 1, 10_400, false)],
            )
            .await
            .unwrap();
        let m2 = s
            .enrol_member(
                &new_member(b, "6212010101800002", "62.12.01.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        let m3 = s
            .enrol_member(
                &new_member(a, "6211010101800003", "62.11.02.2001"),
                &[],
                &[],
            )
            .await
            .unwrap();
        // Payments interleaved between members, so that the table's order is not the
        // members' order.
        s.add_payment(m3.id, 1, &payment("2025-02-03", 2, 20_800, false))
            .await
            .unwrap();
        s.add_payment(m1.id, 1, &payment("2025-03-01", 1, 10_400, false))
            .await
            .unwrap();
        s.add_payment(m3.id, 2, &payment("2025-04-01", 1, 10_400, true))
            .await
            .unwrap();
        let all = s.member_ledgers(&AskesosFilter::default()).await.unwrap();
        type Shape = Vec<(i64, Vec<(String, i64, i64)>)>;
        let shape: Shape = all
            .iter()
            .map(|m| {
                (
                    m.id,
                    m.payments
                        .iter()
                        .map(|p| (p.paid_on.to_string(), p.months, p.amount))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    m1.id,
                    vec![
                        ("2025-02-01".into(), 1, 10_400),
                        ("2025-03-01".into(), 1, 10_400)
                    ]
                ),
                (m2.id, vec![]),
                (
                    m3.id,
                    vec![
                        ("2025-02-03".into(), 2, 20_800),
                        ("2025-04-01".into(), 1, 10_400)
                    ]
                ),
            ],
            "{}",
            t.name
        );
        assert_eq!(all[0].payments[0].payer, "member");
        assert_eq!(
            (all[0].lpa_id, all[0].region.as_str()),
            (a, "62.11.01.2001")
        );
        let f = |region: &str, lpa: Option<i64>, limit: i64, offset: i64| AskesosFilter {
            region_prefix: region.into(),
            lpa_id: lpa,
            limit,
            offset,
            ..Default::default()
        };
        let ids = |v: Vec<selaras_store::askesos::MemberLedgerRow>| {
            v.iter()
                .map(|m| (m.id, m.payments.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(s.member_ledgers(&f("62.11", None, 0, 0)).await.unwrap()),
            [(m1.id, 2), (m3.id, 2)]
        );
        assert_eq!(
            ids(s.member_ledgers(&f("", Some(b), 0, 0)).await.unwrap()),
            [(m2.id, 0)]
        );
        assert_eq!(
            ids(s.member_ledgers(&f("", None, 1, 2)).await.unwrap()),
            [(m3.id, 2)]
        );
        assert!(s
            .member_ledgers(&f("62.1", None, 0, 0))
            .await
            .unwrap()
            .is_empty());
    }
}
