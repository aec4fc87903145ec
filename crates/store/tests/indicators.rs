//! Indicators in storage (issue #6, migration 10), on SQLite and, when configured,
//! PostgreSQL: catalogue versions are frozen and stored once per content; values are
//! append-only and the newest of an indicator, year and region counts; the SLRT
//! indicators are computed from cases and their history.

use selaras_store::indicators::{
    ClosedOnTime, IndicatorValueFilter, NewIndicatorCatalogue, NewIndicatorValue, YearCount,
};
use selaras_store::testing::{stores, TestStore};
use selaras_store::{CaseTransition, NewCase, Storage};

async fn raw(t: &TestStore, sql: &str) -> Result<(), String> {
    if t.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&t.url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.map(drop)
    } else {
        let pool = sqlx::PgPool::connect(&t.url).await.unwrap();
        sqlx::raw_sql(sql).execute(&pool).await.map(drop)
    }
    .map_err(|e| e.to_string())
}

fn catalogue(body: &str) -> NewIndicatorCatalogue {
    NewIndicatorCatalogue {
        body: body.into(),
        digest: format!("digest of {body}"),
        note: "uji".into(),
        created_by: "admin".into(),
    }
}

#[tokio::test]
async fn catalogue_versions_are_frozen_and_stored_once_per_content() {
    for t in stores().await {
        let s = &*t.store;
        assert!(s.indicator_catalogues().await.unwrap().is_empty());
        let shipped = selaras_domain::indicators::RENSTRA_2015_2019;
        let v1 = s
            .put_indicator_catalogue(&catalogue(shipped))
            .await
            .unwrap();
        assert_eq!(v1.version, 1, "{}", t.name);
        assert_eq!(v1.body, shipped);
        // The same text again: the newest version, nothing written.
        let again = s
            .put_indicator_catalogue(&catalogue(shipped))
            .await
            .unwrap();
        assert_eq!(again, v1, "{}", t.name);
        let v2 = s.put_indicator_catalogue(&catalogue("{}")).await.unwrap();
        assert_eq!(v2.version, 2);
        // Back to the first text: a new version (the newest is what is in force).
        let v3 = s
            .put_indicator_catalogue(&catalogue(shipped))
            .await
            .unwrap();
        assert_eq!(v3.version, 3);
        let all: Vec<i64> = s
            .indicator_catalogues()
            .await
            .unwrap()
            .iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(all, [1, 2, 3], "{}", t.name);
        for sql in [
            "UPDATE indicator_catalogues SET body = 'x' WHERE version = 1",
            "UPDATE indicator_catalogues SET note = 'x' WHERE version = 1",
            "DELETE FROM indicator_catalogues WHERE version = 1",
        ] {
            let e = raw(&t, sql).await.unwrap_err();
            assert!(e.contains("never change"), "{}: {sql}: {e}", t.name);
        }
    }
}

fn value(code: &str, year: i64, region: &str, text: &str, num: Option<f64>) -> NewIndicatorValue {
    NewIndicatorValue {
        code: code.into(),
        year,
        region: region.into(),
        value_text: text.into(),
        value_num: num,
        unit: "percent".into(),
        source: "manual".into(),
        entered_by: "man".into(),
        note: String::new(),
        catalogue_version: None,
    }
}

#[tokio::test]
async fn values_are_append_only_and_the_newest_counts() {
    for t in stores().await {
        let s = &*t.store;
        let cat = s
            .put_indicator_catalogue(&catalogue(selaras_domain::indicators::RENSTRA_2015_2019))
            .await
            .unwrap();
        let mut first = value("ikk.pkh.kesehatan", 2025, "33.14", "80", Some(80.0));
        first.catalogue_version = Some(cat.version);
        let a = s.record_indicator_value(&first).await.unwrap();
        assert_eq!(
            (a.value_text.as_str(), a.value_num, a.catalogue_version),
            ("80", Some(80.0), Some(1))
        );
        let mut correction = value("ikk.pkh.kesehatan", 2025, "33.14", "82.5", Some(82.5));
        correction.note = "koreksi: data Desember".into();
        correction.entered_by = "dm".into();
        let b = s.record_indicator_value(&correction).await.unwrap();
        assert!(b.id > a.id);
        s.record_indicator_value(&value("ikk.pkh.kesehatan", 2024, "33.14", "70", Some(70.0)))
            .await
            .unwrap();
        s.record_indicator_value(&value(
            "ikk.pkh.kesehatan",
            2025,
            "33.14.01",
            "90",
            Some(90.0),
        ))
        .await
        .unwrap();
        s.record_indicator_value(&value("ikk.pkh.kesehatan", 2025, "12.22", "60", Some(60.0)))
            .await
            .unwrap();
        let mut opinion = value("ikp.setjen.opini_bpk", 2025, "national", "WTP", None);
        opinion.unit = "opinion".into();
        s.record_indicator_value(&opinion).await.unwrap();

        let got = |f: IndicatorValueFilter| async move {
            s.indicator_values(&f)
                .await
                .unwrap()
                .into_iter()
                .map(|v| format!("{} {} {} {}", v.code, v.year, v.region, v.value_text))
                .collect::<Vec<_>>()
        };
        // The newest of each (indicator, year, region) inside 33.14.
        assert_eq!(
            got(IndicatorValueFilter {
                region_prefix: "33.14".into(),
                newest_only: true,
                ..Default::default()
            })
            .await,
            [
                "ikk.pkh.kesehatan 2024 33.14 70",
                "ikk.pkh.kesehatan 2025 33.14 82.5",
                "ikk.pkh.kesehatan 2025 33.14.01 90",
            ],
            "{}",
            t.name
        );
        // The history of one region and year, newest first.
        let history = s
            .indicator_values(&IndicatorValueFilter {
                code: Some("ikk.pkh.kesehatan".into()),
                year: Some(2025),
                region: Some("33.14".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let who: Vec<(&str, &str, &str)> = history
            .iter()
            .map(|v| {
                (
                    v.value_text.as_str(),
                    v.entered_by.as_str(),
                    v.note.as_str(),
                )
            })
            .collect();
        assert_eq!(
            who,
            [("82.5", "dm", "koreksi: data Desember"), ("80", "man", "")]
        );
        // Everything, national included, with an empty prefix; a code filter.
        assert_eq!(
            got(IndicatorValueFilter {
                newest_only: true,
                ..Default::default()
            })
            .await
            .len(),
            5
        );
        assert_eq!(
            got(IndicatorValueFilter {
                code: Some("ikp.setjen.opini_bpk".into()),
                region: Some("national".into()),
                ..Default::default()
            })
            .await,
            ["ikp.setjen.opini_bpk 2025 national WTP"]
        );
        // "33.1" is not a prefix of "33.14": codes match whole segments.
        assert!(got(IndicatorValueFilter {
            region_prefix: "33.1".into(),
            ..Default::default()
        })
        .await
        .is_empty());
        for sql in [
            "UPDATE indicator_values SET value_text = '99'",
            "DELETE FROM indicator_values",
        ] {
            let e = raw(&t, sql).await.unwrap_err();
            assert!(e.contains("append-only"), "{}: {sql}: {e}", t.name);
        }
        let mut bad = value("ikk.pkh.kesehatan", 2025, "33.14", "1", Some(1.0));
        bad.source = "guess".into();
        assert!(s.record_indicator_value(&bad).await.is_err(), "{}", t.name);
    }
}

fn new_case(region: &str, household: Option<&str>) -> NewCase {
    NewCase {
        kind: "need".into(),
        category: "pkh".into(),
        description: "Butuh PKH".into(),
        channel: "front_office".into(),
        household_id: household.map(String::from),
        nik: None,
        region: region.into(),
        proposed: None,
        created_by: "fo".into(),
        due_at: None,
        contact: None,
    }
}

/// Opens a case and walks it through `actions` (action, to state) with the store.
async fn walk(s: &dyn Storage, region: &str, household: Option<&str>, actions: &[(&str, &str)]) {
    let c = s.create_case(&new_case(region, household)).await.unwrap();
    let mut version = c.version;
    for (action, to) in actions {
        let done = s
            .transition_case(&CaseTransition {
                case_id: c.id,
                expected_version: version,
                to_state: (*to).into(),
                route: None,
                program: None,
                due_at: None,
                actor: "uji".into(),
                role: "manager".into(),
                action: (*action).into(),
                note: None,
                level: None,
                household_id: None,
                applied_change: None,
                message: None,
            })
            .await
            .unwrap();
        version = done.version;
    }
}

const REFERRED: &[(&str, &str)] = &[
    ("submit", "submitted"),
    ("verify", "verified"),
    ("refer", "referred"),
    ("accept", "accepted"),
];

/// A case with its history written directly, at the given times (action, to, at).
async fn case_at(
    t: &TestStore,
    id: i64,
    region: &str,
    household: Option<&str>,
    events: &[(&str, &str, &str)],
) {
    let hh = household.map_or("NULL".to_string(), |h| format!("'{h}'"));
    let mut sql = format!(
        "INSERT INTO cases (id, kind, category, description, channel, household_id, region, state, version, created_at, created_by, updated_at) \
         VALUES ({id}, 'need', 'pkh', 'lama', 'front_office', {hh}, '{region}', 'closed', {n}, '2024-01-01T00:00:00.000000Z', 'fo', '2024-01-01T00:00:00.000000Z');\n",
        n = events.len() + 1
    );
    let mut from = "draft";
    for (seq, (action, to, at)) in events.iter().enumerate() {
        sql.push_str(&format!(
            "INSERT INTO case_events (case_id, seq, at, actor, role, action, from_state, to_state) VALUES ({id}, {}, '{at}', 'uji', 'manager', '{action}', '{from}', '{to}');\n",
            seq + 1
        ));
        from = to;
    }
    raw(t, &sql).await.unwrap();
}

#[tokio::test]
async fn slrt_indicators_are_computed_from_cases() {
    for t in stores().await {
        let s = &*t.store;
        let year: i64 = selaras_store::now_utc()[..4].parse().unwrap();
        // This year: H1's need referred, resolved and closed, and a second one resolved
        // (one family); H2's referred and rejected, then closed; H3's data change
        // forwarded (not a referral), resolved and closed; H4 referred and resolved in
        // another regency; H6 referred but still being handled.
        let mut resolved_closed = REFERRED.to_vec();
        resolved_closed.extend([("resolve", "resolved"), ("close", "closed")]);
        walk(s, "33.14.01.2001", Some("H1"), &resolved_closed).await;
        let mut resolved = REFERRED.to_vec();
        resolved.push(("resolve", "resolved"));
        walk(s, "33.14.01.2001", Some("H1"), &resolved).await;
        walk(
            s,
            "33.14.01.2002",
            Some("H2"),
            &[
                ("submit", "submitted"),
                ("verify", "verified"),
                ("refer", "referred"),
                ("reject", "rejected"),
                ("close", "closed"),
            ],
        )
        .await;
        walk(
            s,
            "33.14.02.2001",
            Some("H3"),
            &[
                ("submit", "submitted"),
                ("verify", "verified"),
                ("forward", "forwarded"),
                ("accept", "accepted"),
                ("resolve", "resolved"),
                ("close", "closed"),
            ],
        )
        .await;
        walk(s, "12.22.01.2009", Some("H4"), &resolved).await;
        walk(s, "33.14.01.2001", Some("H6"), REFERRED).await;
        // 2024: H5's referral resolved on 1 March, closed 19 days later (late);
        // a registration without a household resolved on 30 December, closed on
        // 2 January 2025 (on time).
        let old = [
            ("submit", "submitted", "2024-02-01T08:00:00.000000Z"),
            ("verify", "verified", "2024-02-02T08:00:00.000000Z"),
            ("refer", "referred", "2024-02-03T08:00:00.000000Z"),
            ("accept", "accepted", "2024-02-10T08:00:00.000000Z"),
        ];
        let mut late = old.to_vec();
        late.extend([
            ("resolve", "resolved", "2024-03-01T08:00:00.000000Z"),
            ("close", "closed", "2024-03-20T08:00:00.000000Z"),
        ]);
        case_at(&t, 9001, "33.14.02.2001", Some("H5"), &late).await;
        let mut new_year = old.to_vec();
        new_year.extend([
            ("resolve", "resolved", "2024-12-30T08:00:00.000000Z"),
            ("close", "closed", "2025-01-02T08:00:00.000000Z"),
        ]);
        case_at(&t, 9002, "33.14.01.2003", None, &new_year).await;

        let served = |prefix: &'static str, len: i64| async move {
            s.slrt_referred_served(prefix, len)
                .await
                .unwrap()
                .into_iter()
                .map(
                    |YearCount {
                         year,
                         region,
                         count,
                     }| (year, region, count),
                )
                .collect::<Vec<_>>()
        };
        assert_eq!(
            served("33.14", 5).await,
            [(2024, "33.14".into(), 2), (year, "33.14".into(), 2)],
            "{}",
            t.name
        );
        assert_eq!(
            served("33.14", 8).await,
            [
                (2024, "33.14.01".into(), 1),
                (2024, "33.14.02".into(), 1),
                (year, "33.14.01".into(), 2),
            ],
            "{}",
            t.name
        );
        assert_eq!(
            served("", 0).await,
            [(2024, String::new(), 2), (year, String::new(), 3)],
            "{}",
            t.name
        );
        assert_eq!(
            served("12.22", 2).await,
            [(year, "12".into(), 1)],
            "{}",
            t.name
        );
        assert!(served("33.14.03", 8).await.is_empty());

        let closed = |prefix: &'static str, len: i64, days: i64| async move {
            s.slrt_closed_on_time(prefix, len, days)
                .await
                .unwrap()
                .into_iter()
                .map(
                    |ClosedOnTime {
                         year,
                         region,
                         closed,
                         on_time,
                     }| (year, region, closed, on_time),
                )
                .collect::<Vec<_>>()
        };
        assert_eq!(
            closed("33.14", 5, 7).await,
            [
                (2024, "33.14".into(), 1, 0),
                (2025, "33.14".into(), 1, 1),
                (year, "33.14".into(), 3, 3),
            ],
            "{}",
            t.name
        );
        // With 30 feedback days the March closing is on time.
        assert_eq!(
            closed("33.14.02", 8, 30).await[0],
            (2024, "33.14.02".into(), 1, 1)
        );
        assert_eq!(
            closed("33.14", 8, 7).await,
            [
                (2024, "33.14.02".into(), 1, 0),
                (2025, "33.14.01".into(), 1, 1),
                (year, "33.14.01".into(), 2, 2),
                (year, "33.14.02".into(), 1, 1),
            ],
            "{}",
            t.name
        );
    }
}
