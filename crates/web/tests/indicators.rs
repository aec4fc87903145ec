//! The ministry's indicators over the API and the pages (issue #6), on a real server and
//! database (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set): target against
//! actual per year and region, the sources' inconsistencies flagged, hand-entered values
//! checked by unit (422 naming the field, nothing stored), corrections as newer values,
//! the SLRT indicators computed from cases, regions outside the caller's refused (404),
//! and the page in Indonesian with its form and charts.

mod common;

use common::{csrf_of, post_form, web_sign_in, TestApp};
use selaras_domain::access::Role;
use selaras_store::{CaseTransition, NewCase};
use serde_json::{json, Value};

async fn apps() -> Vec<TestApp> {
    TestApp::builder()
        .empty()
        .user("admin", Role::Admin, "national")
        .user("man", Role::Manager, "33.14")
        .user("man.luar", Role::Manager, "12.22")
        .user("dm", Role::DataManager, "33.14")
        .user("pemantau", Role::Viewer, "national")
        .user("pemantau.kab", Role::Viewer, "33.14")
        .user("fas", Role::Facilitator, "33.14.01.2001")
        .build_all()
        .await
}

fn indicator<'a>(list: &'a Value, code: &str) -> &'a Value {
    list["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .unwrap_or_else(|| panic!("{code} not listed"))
}

fn year(i: &Value, y: i64) -> &Value {
    i["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["year"] == y)
        .unwrap_or_else(|| panic!("{} has no row for {y}: {i}", i["code"]))
}

#[tokio::test]
async fn targets_with_their_sources_and_flags() {
    for app in apps().await {
        let admin = app.token("admin").await;
        let (s, ct, _) = app.send("GET", "/api/v1/indicators", None, None).await;
        assert_eq!((s, ct.as_str()), (401, "application/problem+json"));
        let (s, _, list) = app
            .send("GET", "/api/v1/indicators", Some(&admin), None)
            .await;
        assert_eq!(s, 200, "{}: {list}", app.name);
        assert_eq!(list["region"]["code"], "national");
        assert_eq!(list["catalogue"]["id"], "renstra-2015-2019");
        assert_eq!(list["catalogue"]["stored_version"], Value::Null);
        assert_eq!(list["indicators"].as_array().unwrap().len(), 67);

        // IKSS: five yearly targets, printed identically in Tabel 8 and Lampiran A.
        let lks = indicator(&list, "ikss.lks_terakreditasi");
        assert_eq!(lks["level"], "strategic");
        let y2018 = year(lks, 2018);
        assert_eq!(y2018["target"]["display"], "11,60 %");
        assert_eq!(y2018["target"]["numeric"], 11.6);
        let refs: Vec<&str> = y2018["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["source_ref"].as_str().unwrap())
            .collect();
        assert_eq!(refs, ["Tabel 8", "Lampiran A"]);
        assert_eq!(y2018["status"], "no_actual");
        assert!(lks["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "plan_overshoot"));

        // Body and annex differ: both loaded, flagged, no target until one is chosen.
        let psks = indicator(&list, "ikp.dayasos.psks_perorangan");
        let y2019 = year(psks, 2019);
        assert_eq!(y2019["conflict"], true);
        assert_eq!(y2019["target"], Value::Null);
        assert_eq!(y2019["status"], "conflict");
        let printed: Vec<(&str, &str)> = y2019["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["source_ref"].as_str().unwrap(),
                    t["value"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            printed,
            [
                ("Tabel 9", "8,85"),
                ("Lampiran B", "70,00"),
                ("Tabel 13", "70,00"),
                ("Lampiran F", "70,00")
            ]
        );
        assert_eq!(psks["flags"][0]["kind"], "target_conflict");

        // Non-numeric and range targets; a published realisation as the nation's actual.
        let bpk = indicator(&list, "ikp.setjen.opini_bpk");
        assert_eq!(year(bpk, 2019)["target"]["display"], "WTP");
        let pov = indicator(&list, "context.kemiskinan");
        assert_eq!(pov["direction"], "lower");
        assert_eq!(year(pov, 2019)["target"]["display"], "7,00–8,00 %");
        let y2016 = year(pov, 2016);
        assert_eq!(y2016["actual"]["display"], "10,70 %");
        assert_eq!(y2016["actual"]["source"], "published");
        assert_eq!(y2016["status"], "not_met");
        assert_eq!(
            year(indicator(&list, "ikk.pfm.pangan"), 2019)["target"]["display"],
            "15.600.000 jiwa"
        );

        // Filters.
        let (s, _, l) = app
            .send(
                "GET",
                "/api/v1/indicators?level=strategic&year=2017",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(l["indicators"].as_array().unwrap().len(), 5);
        assert_eq!(
            l["indicators"][0]["years"].as_array().unwrap().len(),
            1,
            "{l}"
        );
        for (q, field) in [
            ("level=bogus", "level"),
            ("year=abc", "year"),
            ("region=99.99", "region"),
            ("region=desa", "region"),
        ] {
            let (s, ct, p) = app
                .send(
                    "GET",
                    &format!("/api/v1/indicators?{q}"),
                    Some(&admin),
                    None,
                )
                .await;
            assert_eq!(
                (s, ct.as_str()),
                (422, "application/problem+json"),
                "{q}: {p}"
            );
            assert_eq!(p["field"], field, "{q}");
        }

        // One indicator; an unknown code is 404.
        let (s, _, d) = app
            .send("GET", "/api/v1/indicators/ikk.pfm.kube", Some(&admin), None)
            .await;
        assert_eq!(s, 200, "{d}");
        assert_eq!(d["indicator"]["unit"], "persons");
        assert_eq!(d["indicator"]["flags"][0]["kind"], "target_conflict");
        assert!(d["indicator"]["flags"][0]["note"]
            .as_str()
            .unwrap()
            .contains("Lampiran D"));
        assert_eq!(d["formula"], Value::Null);
        let (s, _, _) = app
            .send(
                "GET",
                "/api/v1/indicators/ikk.tidak.ada",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(s, 404);
    }
}

#[tokio::test]
async fn regions_outside_the_callers_are_not_found() {
    for app in apps().await {
        let man = app.token("man").await;
        let (s, _, l) = app
            .send("GET", "/api/v1/indicators", Some(&man), None)
            .await;
        assert_eq!(s, 200);
        assert_eq!(l["region"]["code"], "33.14");
        assert_eq!(
            l["region"]["label"],
            "Jawa Tengah › Kabupaten Sragen (33.14)"
        );
        // No published national realisation for a regency.
        assert!(year(indicator(&l, "context.kemiskinan"), 2016)["actual"].is_null());
        for q in ["region=12.22", "region=national", "region=33"] {
            let (s, ct, _) = app
                .send("GET", &format!("/api/v1/indicators?{q}"), Some(&man), None)
                .await;
            assert_eq!((s, ct.as_str()), (404, "application/problem+json"), "{q}");
            let (s, _, _) = app
                .send(
                    "GET",
                    &format!("/api/v1/indicators/ikk.pkh.kesehatan?{q}"),
                    Some(&man),
                    None,
                )
                .await;
            assert_eq!(s, 404, "{q}");
        }
        let (s, _, l) = app
            .send(
                "GET",
                "/api/v1/indicators?region=33.14.01",
                Some(&man),
                None,
            )
            .await;
        assert_eq!((s, l["region"]["code"].as_str()), (200, Some("33.14.01")));
        // Everyone signed in reads (a facilitator, a viewer) inside their region.
        for u in ["fas", "pemantau.kab"] {
            let t = app.token(u).await;
            let (s, _, _) = app.send("GET", "/api/v1/indicators", Some(&t), None).await;
            assert_eq!(s, 200, "{u}");
        }
    }
}

async fn post_value(app: &TestApp, token: &str, code: &str, body: Value) -> (u16, Value) {
    let (s, _, v) = app
        .send(
            "POST",
            &format!("/api/v1/indicators/{code}/values"),
            Some(token),
            Some(body),
        )
        .await;
    (s, v)
}

async fn stored(app: &TestApp) -> usize {
    app.store
        .indicator_values(&Default::default())
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn values_are_checked_by_unit_and_corrections_count() {
    for app in apps().await {
        let man = app.token("man").await;
        let dm = app.token("dm").await;
        let admin = app.token("admin").await;

        let (s, v) = post_value(
            &app,
            &man,
            "ikk.pkh.kesehatan",
            json!({"year": 2019, "region": "33.14", "value": "86", "note": "laporan PKH kabupaten"}),
        )
        .await;
        assert_eq!(s, 201, "{}: {v}", app.name);
        assert_eq!(
            (
                v["display"].as_str(),
                v["entered_by"].as_str(),
                v["source"].as_str()
            ),
            (Some("86 %"), Some("man"), Some("manual"))
        );
        // The shipped catalogue was stored as version 1 with the first value.
        assert_eq!(v["catalogue_version"], 1);
        let list = |token: String| {
            let app = &app;
            async move {
                let (s, _, l) = app
                    .send(
                        "GET",
                        "/api/v1/indicators?region=33.14&year=2019",
                        Some(&token),
                        None,
                    )
                    .await;
                assert_eq!(s, 200, "{l}");
                l
            }
        };
        let l = list(man.clone()).await;
        assert_eq!(l["catalogue"]["stored_version"], 1);
        let row = year(indicator(&l, "ikk.pkh.kesehatan"), 2019);
        assert_eq!(row["actual"]["display"], "86 %");
        assert_eq!(row["actual"]["entered_by"], "man");
        assert_eq!(row["status"], "met");

        // A correction is a newer value; the newest counts, the older one stays.
        let (s, _) = post_value(
            &app,
            &dm,
            "ikk.pkh.kesehatan",
            json!({"year": 2019, "region": "33.14", "value": 84.5, "unit": "%", "note": "koreksi: data Desember"}),
        )
        .await;
        assert_eq!(s, 201);
        let row = year(
            indicator(&list(man.clone()).await, "ikk.pkh.kesehatan"),
            2019,
        )
        .clone();
        assert_eq!(
            (
                row["actual"]["display"].as_str(),
                row["actual"]["entered_by"].as_str()
            ),
            (Some("84,5 %"), Some("dm"))
        );
        assert_eq!(row["status"], "not_met");
        let (_, _, d) = app
            .send(
                "GET",
                "/api/v1/indicators/ikk.pkh.kesehatan?region=33.14",
                Some(&man),
                None,
            )
            .await;
        let history: Vec<(&str, bool)> = d["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["display"].as_str().unwrap(),
                    v["current"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(history, [("84,5 %", true), ("86 %", false)]);

        // A data manager of the regency enters for a district inside it; the regency's
        // detail lists it by region.
        let (s, _) = post_value(
            &app,
            &dm,
            "ikk.pkh.kesehatan",
            json!({"year": 2019, "region": "33.14.01", "value": "90,25"}),
        )
        .await;
        assert_eq!(s, 201);
        let (_, _, d) = app
            .send(
                "GET",
                "/api/v1/indicators/ikk.pkh.kesehatan?region=33.14",
                Some(&man),
                None,
            )
            .await;
        assert_eq!(d["by_region"][0]["region"]["code"], "33.14.01");
        assert_eq!(d["by_region"][0]["actual"]["display"], "90,25 %");

        // The nation: an audit opinion and a grade, met or not; a count.
        for (code, value, status) in [
            ("ikp.setjen.opini_bpk", "wtp", "met"),
            ("ikp.setjen.sakip", "BB", "not_met"),
            ("ikk.pfm.pangan", "15.000.000", "not_met"),
            ("context.kemiskinan", "7,5", "met"),
        ] {
            let (s, v) = post_value(
                &app,
                &admin,
                code,
                json!({"year": 2019, "region": "national", "value": value}),
            )
            .await;
            assert_eq!(s, 201, "{code}: {v}");
            let (_, _, l) = app
                .send("GET", "/api/v1/indicators?year=2019", Some(&admin), None)
                .await;
            assert_eq!(year(indicator(&l, code), 2019)["status"], status, "{code}");
        }
        // A national count target is not compared with a regency's count.
        let (s, _) = post_value(
            &app,
            &man,
            "ikk.pfm.pangan",
            json!({"year": 2019, "value": "1.200.000"}),
        )
        .await;
        assert_eq!(s, 201);
        let row = year(indicator(&list(man.clone()).await, "ikk.pfm.pangan"), 2019).clone();
        assert_eq!(row["actual"]["display"], "1.200.000 jiwa");
        assert_eq!(row["status"], "not_comparable");

        let before = stored(&app).await;
        // Bad input: 422 naming the field, nothing stored.
        for (code, body, field, says) in [
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "120"}),
                "value",
                "out of range",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "-1"}),
                "value",
                "out of range",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "banyak"}),
                "value",
                "not a number",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "1.200"}),
                "value",
                "ambiguous",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "80", "unit": "persons"}),
                "unit",
                "measured in percent, not persons",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "80", "unit": "kg"}),
                "unit",
                "unknown unit",
            ),
            (
                "ikk.pfm.pangan",
                json!({"year": 2019, "value": "2,5"}),
                "value",
                "whole",
            ),
            (
                "ikk.pfm.pangan",
                json!({"year": 2019, "value": "45 %"}),
                "unit",
                "percentage",
            ),
            (
                "ikk.itjen.iacm",
                json!({"year": 2019, "value": "6"}),
                "value",
                "level",
            ),
            (
                "ikp.setjen.rb",
                json!({"year": 2019, "value": "101"}),
                "value",
                "score",
            ),
            (
                "ikp.setjen.opini_bpk",
                json!({"year": 2019, "value": "baik"}),
                "value",
                "WTP/WDP/TW/TMP",
            ),
            (
                "ikp.setjen.sakip",
                json!({"year": 2019, "value": "E"}),
                "value",
                "AA/A/BB/B/CC/C/D",
            ),
            (
                "ikk.badan.peksos",
                json!({"year": 2019, "value": "1200", "unit": "jiwa"}),
                "unit",
                "measured in percent",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2099, "value": "80"}),
                "year",
                "year",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "80", "note": "x".repeat(501)}),
                "note",
                "500",
            ),
            (
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": true}),
                "value",
                "text or a number",
            ),
        ] {
            let (s, p) = post_value(&app, &dm, code, body.clone()).await;
            assert_eq!(s, 422, "{code} {body}: {p}");
            assert_eq!(p["field"], field, "{code} {body}: {p}");
            assert!(
                p["detail"].as_str().unwrap().contains(says),
                "{code} {body}: {p}"
            );
        }
        // Refusals: a region outside the caller's (404), the nation for a regency (404),
        // a role that may not enter (403), a computed indicator (409), an unknown one.
        let fas = app.token("fas").await;
        let viewer = app.token("pemantau").await;
        let outsider = app.token("man.luar").await;
        for (token, code, body, status) in [
            (
                &man,
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "region": "12.22", "value": "80"}),
                404,
            ),
            (
                &outsider,
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "region": "33.14", "value": "80"}),
                404,
            ),
            (
                &man,
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "region": "national", "value": "80"}),
                404,
            ),
            (
                &fas,
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "80"}),
                403,
            ),
            (
                &viewer,
                "ikk.pkh.kesehatan",
                json!({"year": 2019, "value": "80"}),
                403,
            ),
            (
                &admin,
                "slrt.families_referred_served",
                json!({"year": 2019, "value": "5"}),
                409,
            ),
            (
                &admin,
                "ikk.tidak.ada",
                json!({"year": 2019, "value": "5"}),
                404,
            ),
        ] {
            let (s, p) = post_value(&app, token, code, body.clone()).await;
            assert_eq!(s, status, "{code} {body}: {p}");
        }
        let (s, _, _) = app
            .send_raw(
                "POST",
                "/api/v1/indicators/ikk.pkh.kesehatan/values",
                Some(&dm),
                "{",
            )
            .await;
        assert_eq!(s, 400);
        assert_eq!(stored(&app).await, before, "{}: nothing stored", app.name);
    }
}

/// Opens a case and walks it through `actions` (action, to state) with the store.
async fn walk(app: &TestApp, region: &str, household: &str, actions: &[&str]) {
    let s = &app.store;
    let c = s
        .create_case(&NewCase {
            kind: "need".into(),
            category: "pkh".into(),
            description: "Butuh PKH".into(),
            channel: "front_office".into(),
            household_id: Some(household.into()),
            nik: None,
            region: region.into(),
            proposed: None,
            created_by: "fo".into(),
            due_at: None,
            contact: None,
        })
        .await
        .unwrap();
    let mut version = c.version;
    for action in actions {
        let to = match *action {
            "submit" => "submitted",
            "verify" => "verified",
            "refer" => "referred",
            "accept" => "accepted",
            "reject" => "rejected",
            "resolve" => "resolved",
            _ => "closed",
        };
        version = s
            .transition_case(&CaseTransition {
                case_id: c.id,
                expected_version: version,
                to_state: to.into(),
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
            .unwrap()
            .version;
    }
}

#[tokio::test]
async fn slrt_indicators_are_computed_on_reading() {
    for app in apps().await {
        let now: i64 = selaras_store::now_utc()[..4].parse().unwrap();
        let served = ["submit", "verify", "refer", "accept", "resolve", "close"];
        walk(&app, "33.14.01.2001", "H1", &served).await;
        walk(&app, "33.14.01.2001", "H1", &served[..5]).await;
        walk(
            &app,
            "33.14.02.2001",
            "H2",
            &["submit", "verify", "refer", "reject", "close"],
        )
        .await;
        walk(&app, "12.22.01.2009", "H4", &served).await;
        // A closing 19 days after the resolution, in 2024: late.
        app.sql(
            "INSERT INTO cases (id, kind, category, description, channel, household_id, region, state, version, created_at, created_by, updated_at) \
             VALUES (9001, 'need', 'pkh', 'lama', 'front_office', 'H5', '33.14.02.2001', 'closed', 4, '2024-01-01T00:00:00.000000Z', 'fo', '2024-01-01T00:00:00.000000Z')",
        )
        .await;
        app.sql(
            "INSERT INTO case_events (case_id, seq, at, actor, role, action, from_state, to_state) VALUES \
             (9001, 1, '2024-02-03T08:00:00.000000Z', 'uji', 'manager', 'refer', 'verified', 'referred'), \
             (9001, 2, '2024-03-01T08:00:00.000000Z', 'uji', 'program_officer', 'resolve', 'accepted', 'resolved'), \
             (9001, 3, '2024-03-20T08:00:00.000000Z', 'uji', 'front_office', 'close', 'resolved', 'closed')",
        )
        .await;

        let man = app.token("man").await;
        let (s, _, l) = app
            .send("GET", "/api/v1/indicators?level=activity", Some(&man), None)
            .await;
        assert_eq!(s, 200, "{l}");
        let fam = indicator(&l, "slrt.families_referred_served");
        assert_eq!(fam["computed"], true);
        let this = year(fam, now);
        assert_eq!(
            this["actual"]["display"], "2 keluarga",
            "{}: {fam}",
            app.name
        );
        assert_eq!(this["actual"]["source"], "computed");
        assert_eq!(this["status"], "no_target");
        assert_eq!(year(fam, 2024)["actual"]["numeric"], 1.0);
        let on_time = indicator(&l, "slrt.cases_closed_on_time");
        assert_eq!(year(on_time, now)["actual"]["display"], "100,0 %");
        assert_eq!(year(on_time, 2024)["actual"]["display"], "0,0 %");
        assert!(year(on_time, 2024)["actual"]["detail"]
            .as_str()
            .unwrap()
            .contains("0 dari 1 kasus"));

        // The nation counts the other regency's family too; per province below it.
        let admin = app.token("admin").await;
        let (_, _, d) = app
            .send(
                "GET",
                "/api/v1/indicators/slrt.families_referred_served",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(year(&d["indicator"], now)["actual"]["numeric"], 3.0, "{d}");
        let by: Vec<(String, i64, f64)> = d["by_region"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["region"]["code"].as_str().unwrap().to_string(),
                    r["year"].as_i64().unwrap(),
                    r["actual"]["numeric"].as_f64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            by,
            [
                ("33".to_string(), 2024, 1.0),
                ("12".to_string(), now, 1.0),
                ("33".to_string(), now, 2.0)
            ]
        );
        assert!(d["definition_en"]
            .as_str()
            .unwrap()
            .starts_with("Distinct households"));
        // Computed on reading, never stored.
        assert_eq!(stored(&app).await, 0);
    }
}

#[tokio::test]
async fn the_page_in_indonesian_with_its_form() {
    for app in apps().await {
        web_sign_in(&app, "man").await;
        let (s, _, page) = app.get("/indicators", None).await;
        assert_eq!(s, 200);
        for text in [
            "Indikator kinerja <span class=\"muted\">(performance indicators)</span>",
            "Sasaran strategis (IKSS) <span class=\"muted\">(Strategic (IKSS))</span>",
            "Jawa Tengah › Kabupaten Sragen (33.14)",
            "11,60 % (Tabel 8, Lampiran A)",
            "15.600.000 jiwa (Tabel 11, Lampiran D)",
            "⚠ 8,85 % (Tabel 9)",
            "⚠ 70,00 % (Lampiran B, Tabel 13, Lampiran F)",
            "Target berbeda antar sumber",
            "<svg",
            "Isi capaian <span class=\"muted\">(enter an actual value)</span>",
            "<label for=\"v-value\">",
        ] {
            assert!(page.contains(text), "{}: no {text:?} in the page", app.name);
        }
        assert!(page.len() < 200_000, "page of {} bytes", page.len());
        let csrf = csrf_of(&page);

        // Bad input: the page again with a message and the form as sent; nothing stored.
        for (value, unit, says) in [
            ("120", "", "di luar rentang"),
            ("80", "persons", "diukur dalam persen, bukan jiwa"),
        ] {
            let (s, _, body) = post_form(
                &app,
                "/indicators/values",
                &[
                    ("csrf", &csrf),
                    ("code", "ikk.pkh.kesehatan"),
                    ("year", "2019"),
                    ("region", "33.14"),
                    ("value", value),
                    ("unit", unit),
                    ("note", ""),
                ],
            )
            .await;
            assert_eq!(s, 422, "{value}");
            assert!(body.contains("id=\"value-error\""), "{body}");
            assert!(body.contains("Nilai tidak disimpan"), "{value}");
            assert!(body.contains(says), "{value}: {says}");
            assert!(
                body.contains(&format!("value=\"{value}\"")),
                "the form keeps {value}"
            );
            assert!(
                body.contains("Indikator kinerja"),
                "a page, not an error page"
            );
        }
        assert_eq!(stored(&app).await, 0);

        // A good value: back to the list, saved and shown the Indonesian way.
        let (s, location, _) = post_form(
            &app,
            "/indicators/values",
            &[
                ("csrf", &csrf),
                ("code", "ikk.pkh.kesehatan"),
                ("year", "2019"),
                ("region", "33.14"),
                ("value", "86,5"),
                ("unit", "percent"),
                ("note", "laporan kabupaten"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        assert!(location.starts_with("/indicators?region=33.14&year=2019&saved=ikk.pkh.kesehatan"));
        let page = app.page(&location).await;
        assert!(page.contains("id=\"saved\""), "{page}");
        assert!(page.contains("86,5 %"));
        assert!(page.contains("Tercapai"));
        assert!(page.contains("diisi man"));

        // The indicator's page: sources, and who entered what.
        let page = app.page("/indicators/ikk.pkh.kesehatan?region=33.14").await;
        for text in [
            "Riwayat nilai yang diisi",
            "laporan kabupaten",
            "86,5 %",
            "85,00 % (Tabel 10, Lampiran C)",
        ] {
            assert!(page.contains(text), "no {text:?}");
        }
        let page = app.page("/indicators/ikp.dayasos.sumber_dana").await;
        assert!(
            page.contains("44,00 sama dengan target IKSS PSKS"),
            "the flag's note"
        );

        // A region outside one's own: one's own, with a message.
        let (s, _, page) = app.get("/indicators?region=12.22", None).await;
        assert_eq!(s, 404);
        assert!(page.contains("berada di luar wilayah Anda"));
        assert!(page.contains("Kabupaten Sragen (33.14)"));
        let (s, _, body) = post_form(
            &app,
            "/indicators/values",
            &[
                ("csrf", &csrf),
                ("code", "ikk.pkh.kesehatan"),
                ("year", "2019"),
                ("region", "12.22"),
                ("value", "80"),
            ],
        )
        .await;
        assert_eq!(s, 404);
        assert!(body.contains("di luar wilayah Anda"));
        assert_eq!(stored(&app).await, 1);

        // A viewer reads without the form.
        web_sign_in(&app, "pemantau").await;
        let page = app.page("/indicators?level=context&year=2016").await;
        assert!(page.contains("10,70 %"), "the published poverty rate");
        assert!(page.contains("dipublikasikan"));
        assert!(!page.contains("Isi capaian"));
        let (s, _, _) = post_form(
            &app,
            "/indicators/values",
            &[
                ("csrf", &csrf_of(&page)),
                ("code", "ikk.pkh.kesehatan"),
                ("year", "2019"),
                ("value", "1"),
            ],
        )
        .await;
        assert_eq!(s, 403);
    }
}
