//! The HTTP API and pages over a real server and database.

mod common;

use common::{csrf_of, post_form, web_sign_in, TestApp, PASSWORD};
use selaras_domain::access::Role;

// H24114258751b4c83 lives in 12.22.01.2009; its head's NIK is 1222016108457115.
const HH: &str = "H24114258751b4c83";
const NIK: &str = "1222016108457115";

async fn apps() -> Vec<TestApp> {
    TestApp::builder()
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .user("fas.luar", Role::Facilitator, "12.22.01.2010")
        .user("sup.dalam", Role::Supervisor, "12.22.01")
        .user("manajer.luar", Role::Manager, "33.14")
        .user("pemantau", Role::Viewer, "national")
        .user("admin", Role::Admin, "national")
        .build_all()
        .await
}

#[tokio::test]
async fn healthz_and_openapi() {
    for app in TestApp::builder().empty().build_all().await {
        let (s, _, body) = app.get("/healthz", None).await;
        assert_eq!((s, body.as_str()), (200, "ok"));
        let (s, ct, body) = app.get("/api/openapi.json", None).await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("application/json"));
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for p in [
            "/api/v1/session",
            "/api/v1/people/{nik}",
            "/api/v1/households/{id}",
        ] {
            assert!(
                doc["paths"].get(p).is_some(),
                "{p} missing from the OpenAPI document"
            );
        }
    }
}

/// The OpenAPI document is a reviewed interface: a change shows up as a diff of
/// `openapi.snapshot.json` (regenerate with UPDATE_SNAPSHOTS=1).
#[test]
fn openapi_snapshot() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.snapshot.json");
    let now = selaras_web::api::openapi_json();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &now).unwrap();
    }
    let before = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        before, now,
        "OpenAPI changed: review and run with UPDATE_SNAPSHOTS=1"
    );
}

#[tokio::test]
async fn sign_in_gives_the_same_401_for_wrong_user_and_wrong_password() {
    for app in apps().await {
        let post = |u: &str, p: &str| {
            app.http
                .post(format!("{}/api/v1/session", app.base))
                .json(&serde_json::json!({"username": u, "password": p}))
                .send()
        };
        let a = post("fas.dalam", "salah").await.unwrap();
        let b = post("tidak.ada", PASSWORD).await.unwrap();
        assert_eq!((a.status().as_u16(), b.status().as_u16()), (401, 401));
        let (ta, tb) = (a.text().await.unwrap(), b.text().await.unwrap());
        assert_eq!(ta, tb);
        let ok = post("fas.dalam", PASSWORD).await.unwrap();
        assert_eq!(ok.status(), 200);
        let v: serde_json::Value = ok.json().await.unwrap();
        assert_eq!(v["role"], "facilitator");
        assert!(v["expires_at"].as_str().unwrap() > "2026");
        // Malformed bodies are 400 problems, never 500.
        for body in ["", "{", "[]", "{\"username\": 5}"] {
            let r = app
                .http
                .post(format!("{}/api/v1/session", app.base))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{body:?}");
            assert_eq!(r.headers()["content-type"], "application/problem+json");
        }
    }
}

#[tokio::test]
async fn people_and_households_only_inside_the_callers_region() {
    for app in apps().await {
        let inside = app.token("fas.dalam").await;
        let sup = app.token("sup.dalam").await;
        let outside = app.token("fas.luar").await;
        let far = app.token("manajer.luar").await;
        let viewer = app.token("pemantau").await;
        let admin = app.token("admin").await;

        for t in [&inside, &sup, &admin] {
            let (s, _, body) = app.get(&format!("/api/v1/people/{NIK}"), Some(t)).await;
            assert_eq!(s, 200, "{}: {body}", app.name);
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["person"]["nik"], NIK);
            assert_eq!(v["household"]["household_id"], HH);
            assert_eq!(v["household"]["region"]["code"], "12.22.01.2009");
            assert_eq!(
                v["household"]["members"].as_array().unwrap().len(),
                6,
                "members of {HH} in the conformance data"
            );
            assert!(
                v["ranks"].is_array() && v["programs"].is_array() && v["open_cases"].is_array()
            );
            let (s, _, _) = app.get(&format!("/api/v1/households/{HH}"), Some(t)).await;
            assert_eq!(s, 200);
        }
        // Outside the region: the same 404 as for a household that does not exist.
        for t in [&outside, &far] {
            let (s1, ct, b1) = app.get(&format!("/api/v1/households/{HH}"), Some(t)).await;
            let (s2, _, b2) = app.get("/api/v1/households/HTIDAKADA", Some(t)).await;
            assert_eq!((s1, s2), (404, 404));
            assert_eq!(b1, b2);
            assert_eq!(ct, "application/problem+json");
            let (s, _, _) = app.get(&format!("/api/v1/people/{NIK}"), Some(t)).await;
            assert_eq!(s, 404);
        }
        // A viewer sees the country, but no personal data: 403.
        let (s, _, _) = app
            .get(&format!("/api/v1/households/{HH}"), Some(&viewer))
            .await;
        assert_eq!(s, 403);
        // No token: 401; a bad NIK: 400.
        assert_eq!(
            app.get(&format!("/api/v1/households/{HH}"), None).await.0,
            401
        );
        assert_eq!(app.get("/api/v1/people/12AB", Some(&admin)).await.0, 400);
        assert_eq!(
            app.get("/api/v1/people/9999999999999999", Some(&admin))
                .await
                .0,
            404
        );
        assert_eq!(app.get("/api/v1/nothing", Some(&admin)).await.0, 404);
        // History is limited the same way.
        assert_eq!(
            app.get(&format!("/api/v1/households/{HH}/history"), Some(&inside))
                .await
                .0,
            200
        );
        assert_eq!(
            app.get(&format!("/api/v1/households/{HH}/history"), Some(&outside))
                .await
                .0,
            404
        );
    }
}

#[tokio::test]
async fn web_sign_in_search_and_household_page() {
    for app in apps().await {
        // Not signed in: to the sign-in page.
        let r = app.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login");
        let page = app.page("/login").await;
        assert!(page.contains("<html lang=\"id\">") && page.contains("Kata sandi"));
        let csrf = csrf_of(&page);

        // A form without the matching CSRF token is refused.
        let r = app
            .http
            .post(format!("{}/login", app.base))
            .form(&[
                ("username", "fas.dalam"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let page = r.text().await.unwrap();
        let csrf2 = csrf_of(&page);
        assert_ne!(csrf, csrf2);
        let r = app
            .http
            .post(format!("{}/login", app.base))
            .form(&[
                ("username", "fas.dalam"),
                ("password", PASSWORD),
                ("csrf", &csrf2),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{}", app.name);

        let page = app.page(&format!("/?q={NIK}")).await;
        assert!(page.contains(&format!("/households/{HH}")), "{page}");
        // A name search inside the village finds members, outside nothing.
        let page = app.page("/?q=warga").await;
        assert!(page.contains("hasil"), "{page}");
        let page = app
            .http
            .get(format!("{}/households/{HH}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        for s in [
            "Anggota rumah tangga",
            NIK,
            "Riwayat versi",
            "Kabupaten",
            "12.22.01.2009",
            "data awal",
        ] {
            assert!(page.contains(s), "{s} missing");
        }
        // Another village's household: the not-found page, not its data.
        let hh_outside = app
            .store
            .search(
                &selaras_domain::RegionScope::parse("33").unwrap(),
                "warga",
                1,
            )
            .await
            .unwrap();
        let other = &hh_outside[0].household_id;
        let r = app
            .http
            .get(format!("{}/households/{other}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.text().await.unwrap().contains("di luar wilayah Anda"));

        // Sign out needs the session's CSRF token.
        let csrf = csrf_of(&page);
        let r = app
            .http
            .post(format!("{}/logout", app.base))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = app.http.get(format!("{}/", app.base)).send().await.unwrap();
        assert_eq!(r.status(), 303, "signed out");
    }
}

#[tokio::test]
async fn a_household_as_it_stood_before_a_change() {
    for app in apps().await {
        let admin = app.token("admin").await;
        let (_, _, now) = app
            .get(&format!("/api/v1/households/{HH}"), Some(&admin))
            .await;
        let now: serde_json::Value = serde_json::from_str(&now).unwrap();
        let loaded_at = now["valid_from"].as_str().unwrap().to_string();
        // Change the household's floor area through a second import of that one household.
        let dir = tempfile::tempdir().unwrap();
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/conformance/data");
        let text = std::fs::read_to_string(src.join("households.csv")).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let row = lines.find(|l| l.contains(HH)).unwrap();
        let cols: Vec<&str> = header.split(',').collect();
        let area = cols.iter().position(|c| *c == "floor_area_m2").unwrap();
        let mut rec = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(row.as_bytes());
        let mut fields: Vec<String> = rec
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        let old_area = fields[area].clone();
        fields[area] = "123.5".into();
        let mut w = csv::Writer::from_path(dir.path().join("households.csv")).unwrap();
        w.write_record(&cols).unwrap();
        w.write_record(&fields).unwrap();
        w.flush().unwrap();
        let members = std::fs::read_to_string(src.join("members.csv")).unwrap();
        let mut m: Vec<&str> = members.lines().take(1).collect();
        m.extend(members.lines().filter(|l| l.starts_with(HH)));
        std::fs::write(dir.path().join("members.csv"), m.join("\n") + "\n").unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let r = selaras_batch::import::import_dir(
            app.store.clone(),
            selaras_batch::Regions::default(),
            dir.path(),
            Default::default(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.households_changed, 1);

        let (_, _, cur) = app
            .get(&format!("/api/v1/households/{HH}"), Some(&admin))
            .await;
        let cur: serde_json::Value = serde_json::from_str(&cur).unwrap();
        assert_eq!(cur["fields"]["floor_area_m2"], "123.5");
        assert_eq!(cur["version"], 2);
        let (s, _, past) = app
            .get(
                &format!("/api/v1/households/{HH}?as_of={loaded_at}"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, 200, "{past}");
        let past: serde_json::Value = serde_json::from_str(&past).unwrap();
        assert_eq!(past["fields"]["floor_area_m2"], old_area.as_str());
        assert_eq!(past["version"], 1);
        assert_eq!(past["members"].as_array().unwrap().len(), 6);
        // Before it was loaded: not there. A malformed time: 422 naming the field.
        assert_eq!(
            app.get(
                &format!("/api/v1/households/{HH}?as_of=2000-01-01T00:00:00Z"),
                Some(&admin)
            )
            .await
            .0,
            404
        );
        let (s, _, body) = app
            .get(
                &format!("/api/v1/households/{HH}?as_of=kemarin"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, 422);
        assert!(body.contains("\"field\":\"as_of\""), "{body}");
    }
}

/// The program with this code in a list of programs.
fn by_code<'a>(list: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("{code} missing"))
}

/// The row of `expected/ranks.csv` for household `id`.
fn expected_rank(id: &str) -> Vec<String> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/conformance/expected/ranks.csv");
    let mut r = csv::Reader::from_path(p).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .find(|x| &x[0] == id)
        .map(|x| x.iter().map(String::from).collect())
        .unwrap()
}

#[tokio::test]
async fn ranks_and_explanations_inside_the_region_add_up_to_the_score() {
    let want = expected_rank(HH);
    let num = |s: &str| s.parse::<f64>().unwrap();
    for app in TestApp::builder()
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .user("fas.luar", Role::Facilitator, "12.22.01.2010")
        .ranked()
        .build_all()
        .await
    {
        let inside = app.token("fas.dalam").await;
        let outside = app.token("fas.luar").await;
        let (s, _, body) = app
            .get(&format!("/api/v1/households/{HH}"), Some(&inside))
            .await;
        assert_eq!(s, 200, "{}: {body}", app.name);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let r = &v["ranks"][0];
        assert_eq!(v["ranks"].as_array().unwrap().len(), 1, "{}", app.name);
        assert_eq!(r["edition"], 1);
        assert!((r["score"].as_f64().unwrap() - num(&want[2])).abs() <= 1e-6);
        assert_eq!(r["national_rank"].as_f64().unwrap(), num(&want[4]));
        assert_eq!(r["national_decile"].as_f64().unwrap(), num(&want[6]));
        assert_eq!(r["province_decile"].as_f64().unwrap(), num(&want[7]));
        assert_eq!(r["regency_decile"].as_f64().unwrap(), num(&want[8]));
        assert_eq!(r["ranked"], 600);
        let (s, _, body) = app
            .get(&format!("/api/v1/people/{NIK}"), Some(&inside))
            .await;
        assert_eq!(s, 200);
        let p: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            p["household"]["ranks"][0]["national_decile"],
            r["national_decile"]
        );

        let path = format!("/api/v1/households/{HH}/explanation");
        let (s, ct, body) = app.get(&path, Some(&inside)).await;
        assert_eq!(s, 200, "{}: {body}", app.name);
        assert!(ct.starts_with("application/json"));
        let x: serde_json::Value = serde_json::from_str(&body).unwrap();
        let parts: f64 = x["terms"]
            .as_array()
            .unwrap()
            .iter()
            .chain(x["region_effects"].as_array().unwrap())
            .map(|t| t["contribution"].as_f64().unwrap())
            .sum::<f64>()
            + x["intercept"].as_f64().unwrap();
        assert!(
            (parts - x["score"].as_f64().unwrap()).abs() < 1e-6,
            "{body}"
        );
        assert_eq!(
            x["score"], r["score"],
            "{}: explanation vs stored",
            app.name
        );
        assert!(x["terms"].as_array().unwrap().len() >= 10, "{body}");
        assert!(x["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["var"] == "log_hh_size"));

        for (q, status) in [
            ("?edition=1", 200),
            ("?edition=2", 404),
            ("?edition=x", 400),
        ] {
            let (s, ct, _) = app.get(&format!("{path}{q}"), Some(&inside)).await;
            assert_eq!(s, status, "{q}");
            if status != 200 {
                assert_eq!(ct, "application/problem+json");
            }
        }
        assert_eq!(app.get(&path, Some(&outside)).await.0, 404);
        assert_eq!(app.get(&path, None).await.0, 401);

        // The household page shows the decile, the terms and the editions.
        let page = app.page("/login").await;
        let csrf = csrf_of(&page);
        let signed_in = app
            .http
            .post(format!("{}/login", app.base))
            .form(&[
                ("username", "fas.dalam"),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), 303);
        let page = app.page(&format!("/households/{HH}")).await;
        let decile = format!("Desil nasional {}", r["national_decile"]);
        assert!(page.contains(&decile), "{decile}: {page}");
        assert!(page.contains("Mengapa skor ini"), "{page}");
        assert!(page.contains("ln(jumlah anggota)"), "{page}");
        assert!(page.contains(&format!("{:.6}", num(&want[2]))), "{page}");
        // …and the programs, with who is eligible.
        assert!(page.contains("Bantuan Pangan Non Tunai"), "{page}");
        assert!(page.contains("Layak: Warga"), "{page}");
    }
    // No edition yet: nothing to explain.
    for app in TestApp::builder()
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .build_all()
        .await
    {
        let t = app.token("fas.dalam").await;
        let path = format!("/api/v1/households/{HH}/explanation");
        assert_eq!(app.get(&path, Some(&t)).await.0, 404);
    }
}

#[tokio::test]
async fn programs_of_a_household_say_who_is_eligible_and_why() {
    // A household in national decile 6 (not poor enough for any program).
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/conformance/expected/ranks.csv");
    let mut r = csv::Reader::from_path(p).unwrap();
    let rich = r
        .records()
        .map(|x| x.unwrap())
        .find(|x| &x[6] == "6.0" || &x[6] == "6")
        .map(|x| x[0].to_string())
        .unwrap();
    for app in TestApp::builder()
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .user("fas.luar", Role::Facilitator, "12.22.01.2010")
        .user("admin", Role::Admin, "national")
        .ranked()
        .build_all()
        .await
    {
        let inside = app.token("fas.dalam").await;
        let path = format!("/api/v1/households/{HH}/programs");
        let (s, _, body) = app.get(&path, Some(&inside)).await;
        assert_eq!(s, 200, "{}: {body}", app.name);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let program = |code: &str| by_code(&v, code).clone();
        assert_eq!(v.as_array().unwrap().len(), 9);
        // Decile 1, percentile 7: BPNT holds, every member is in KIS-PBI.
        let bpnt = program("bpnt");
        assert_eq!(bpnt["verdicts"][0]["eligible"], true, "{bpnt}");
        assert_eq!(bpnt["verdicts"][0]["reason"], "memenuhi semua syarat");
        assert!(bpnt["enrolled"].is_boolean());
        let kis = program("kis_pbi");
        let verdicts = kis["verdicts"].as_array().unwrap();
        assert_eq!(verdicts.len(), 6);
        assert!(verdicts.iter().all(|x| x["eligible"] == true), "{kis}");
        assert_eq!(
            app.get(&path, Some(&app.token("fas.luar").await)).await.0,
            404
        );
        assert_eq!(app.get(&path, None).await.0, 401);

        // Participant lists: the person's KIS-PBI enrolment and the household's PKH exit.
        use selaras_domain::participation::Status;
        let change = app
            .store
            .record_change(&selaras_store::NewChange {
                actor: "uji".into(),
                kind: selaras_store::ChangeKind::Import,
                reference: None,
                note: None,
            })
            .await
            .unwrap();
        let entry = |program: &str, nik: Option<&str>, period: &str, status| {
            selaras_store::NewParticipation {
                program: program.into(),
                household_id: HH.into(),
                nik: nik.map(String::from),
                period: period.into(),
                status,
            }
        };
        app.store
            .record_participation(
                &change,
                &[
                    entry("kis_pbi", Some(NIK), "2026-02", Status::Enrolled),
                    entry("pkh", None, "2026-01", Status::Enrolled),
                    entry("pkh", None, "2026-05", Status::Exited),
                ],
            )
            .await
            .unwrap();
        let (_, _, body) = app.get(&path, Some(&inside)).await;
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let find = |code: &str| by_code(&v, code).clone();
        assert_eq!(
            find("pkh")["enrolled"],
            false,
            "the latest entry is the exit"
        );
        let kis = find("kis_pbi");
        let verdicts = kis["verdicts"].as_array().unwrap();
        let mine = verdicts.iter().find(|x| x["nik"] == NIK).unwrap();
        assert_eq!(mine["enrolled"], true);
        assert_eq!(mine["enrolled_period"], "2026-02");
        let other = verdicts.iter().find(|x| x["nik"] != NIK).unwrap();
        assert!(other["enrolled"].is_null());

        // The person's view keeps their own verdicts.
        let (_, _, body) = app
            .get(&format!("/api/v1/people/{NIK}"), Some(&inside))
            .await;
        let person: serde_json::Value = serde_json::from_str(&body).unwrap();
        let kis = by_code(&person["programs"], "kis_pbi");
        assert_eq!(kis["verdicts"].as_array().unwrap().len(), 1);
        assert_eq!(kis["verdicts"][0]["nik"], NIK);

        // Decile 6: not eligible, and the reason names the condition and the value.
        let admin = app.token("admin").await;
        let (s, _, body) = app
            .get(&format!("/api/v1/households/{rich}/programs"), Some(&admin))
            .await;
        assert_eq!(s, 200);
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let bpnt = by_code(&v, "bpnt");
        assert_eq!(bpnt["verdicts"][0]["eligible"], false);
        let reason = bpnt["verdicts"][0]["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("tidak memenuhi: national_percentile <= 25 (national_percentile = "),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn the_catalogue_is_on_the_api() {
    for app in TestApp::builder()
        .user("pemantau", Role::Viewer, "national")
        .empty()
        .build_all()
        .await
    {
        let t = app.token("pemantau").await;
        let (s, _, body) = app.get("/api/v1/programs", Some(&t)).await;
        assert_eq!(s, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 9);
        let (s, _, body) = app.get("/api/v1/programs/kip", Some(&t)).await;
        assert_eq!(s, 200);
        let kip: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(kip["unit"], "member");
        assert_eq!(kip["participation_flag"], "in_kip");
        assert!(kip["rule"]
            .as_str()
            .unwrap()
            .contains("age between 6 and 21"));
        let (s, ct, _) = app.get("/api/v1/programs/beasiswa", Some(&t)).await;
        assert_eq!((s, ct.as_str()), (404, "application/problem+json"));
        assert_eq!(app.get("/api/v1/programs", None).await.0, 401);
    }
}

/// (status, content type, JSON body) of a POST with a JSON body.
async fn post_json(
    app: &TestApp,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, String, serde_json::Value) {
    app.send("POST", path, Some(token), body).await
}

/// Conformance households by id: (region, national percentile if ranked).
fn conformance_percentiles() -> std::collections::HashMap<String, (String, Option<f64>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let mut region = std::collections::HashMap::new();
    for r in csv::Reader::from_path(root.join("data/households.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let r = r.unwrap();
        region.insert(r["household_id"].clone(), r["region_code"].clone());
    }
    let mut out = std::collections::HashMap::new();
    for r in csv::Reader::from_path(root.join("expected/ranks.csv"))
        .unwrap()
        .deserialize::<std::collections::HashMap<String, String>>()
    {
        let r = r.unwrap();
        let id = r["household_id"].clone();
        out.insert(
            id.clone(),
            (region[&id].clone(), r["national_percentile"].parse().ok()),
        );
    }
    out
}

#[tokio::test]
async fn catalogue_drafts_dry_runs_publication_runs_and_quotas_on_the_api() {
    let ranks = conformance_percentiles();
    // BPNT widened to the 30th percentile, with a quota of one household in province 12.
    let mut catalogue: serde_json::Value =
        serde_json::from_str(&selaras_domain::programs::Catalogue::shipped().to_json()).unwrap();
    let bpnt = catalogue["programs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["code"] == "bpnt")
        .unwrap();
    bpnt["rule"] = "national_percentile <= 30".into();
    bpnt["quotas"] = serde_json::json!({"12": 1});
    let gaining = ranks
        .values()
        .filter(|(_, p)| p.is_some_and(|p| p > 25.0 && p <= 30.0))
        .count() as u64;
    let in_12: Vec<&String> = ranks
        .iter()
        .filter(|(_, (r, p))| r.starts_with("12.") && p.is_some_and(|p| p <= 30.0))
        .map(|(id, _)| id)
        .collect();
    assert!(gaining > 0 && in_12.len() > 1);

    for app in TestApp::builder()
        .user("admin", Role::Admin, "national")
        .user("pemantau", Role::Viewer, "national")
        .user("manajer.luar", Role::Manager, "33.14")
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .ranked()
        .build_all()
        .await
    {
        let admin = app.token("admin").await;
        let viewer = app.token("pemantau").await;
        let (s, _, body) = app.get("/api/v1/catalogue", Some(&viewer)).await;
        assert_eq!(s, 200, "{body}");
        let state: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(state["in_force"].is_null());
        assert_eq!(state["versions"], serde_json::json!([]));

        let draft = serde_json::json!({"catalogue": catalogue, "note": "BPNT diperluas"});
        // Only administrators draft; a bad rule is refused with its place and column.
        let (s, _, _) = post_json(
            &app,
            "/api/v1/catalogue/drafts",
            &viewer,
            Some(draft.clone()),
        )
        .await;
        assert_eq!(s, 403, "{}", app.name);
        let mut bad = catalogue.clone();
        bad["programs"][1]["rule"] = "national_percentile <= 30 and umur > 3".into();
        let (s, ct, p) = post_json(
            &app,
            "/api/v1/catalogue/drafts",
            &admin,
            Some(serde_json::json!({"catalogue": bad, "note": "x"})),
        )
        .await;
        assert_eq!((s, ct.as_str()), (422, "application/problem+json"), "{p}");
        assert_eq!(p["field"], "catalogue.programs[1].rule");
        assert!(p["detail"].as_str().unwrap().contains("column 31"), "{p}");
        bad["programs"][1]["rule"] = "hh_size / cattle > 1".into();
        let (s, _, p) = post_json(
            &app,
            "/api/v1/catalogue/drafts",
            &admin,
            Some(serde_json::json!({"catalogue": bad, "note": "x"})),
        )
        .await;
        assert_eq!(s, 422);
        assert!(p["detail"].as_str().unwrap().contains("zero"), "{p}");
        let r = app
            .http
            .post(format!("{}/api/v1/catalogue/drafts", app.base))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"catalogue\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let (s, _, p) = post_json(
            &app,
            "/api/v1/catalogue/drafts",
            &admin,
            Some(serde_json::json!({"catalogue": catalogue, "note": " "})),
        )
        .await;
        assert_eq!((s, p["field"].as_str()), (422, Some("note")));

        let (s, _, v) = post_json(&app, "/api/v1/catalogue/drafts", &admin, Some(draft)).await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["status"], "draft");
        let n = v["version"].as_i64().unwrap();
        let (s, _, _) = post_json(
            &app,
            &format!("/api/v1/catalogue/{n}/publish"),
            &admin,
            None,
        )
        .await;
        assert_eq!(s, 409, "no publication without a dry run");
        let (s, _, _) = post_json(
            &app,
            &format!("/api/v1/catalogue/{n}/dry-run"),
            &viewer,
            None,
        )
        .await;
        assert_eq!(s, 403);
        let (s, _, rows) = post_json(
            &app,
            &format!("/api/v1/catalogue/{n}/dry-run"),
            &admin,
            Some(serde_json::json!({"as_of": "2026-01-01"})),
        )
        .await;
        assert_eq!(s, 200, "{rows}");
        let rows = rows.as_array().unwrap();
        assert!(rows.iter().all(|r| r["program"] == "bpnt"
            && r["households_losing"] == 0
            && r["people_losing"] == 0));
        let sum: u64 = rows
            .iter()
            .map(|r| r["households_gaining"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, gaining, "{}", app.name);
        let (s, _, body) = app
            .get(&format!("/api/v1/catalogue/{n}"), Some(&viewer))
            .await;
        assert_eq!(s, 200);
        let detail: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(detail["changed_programs"], serde_json::json!(["bpnt"]));
        assert_eq!(detail["dry_run"].as_array().unwrap().len(), rows.len());

        let (s, _, v) = post_json(
            &app,
            &format!("/api/v1/catalogue/{n}/publish"),
            &admin,
            None,
        )
        .await;
        assert_eq!((s, v["status"].as_str()), (200, Some("published")));
        let (s, _, _) = post_json(
            &app,
            &format!("/api/v1/catalogue/{n}/publish"),
            &admin,
            None,
        )
        .await;
        assert_eq!(s, 409);
        let (_, _, body) = app.get("/api/v1/programs/bpnt", Some(&viewer)).await;
        assert!(body.contains("national_percentile <= 30"), "{body}");

        // A run: for roles that load the registry; tables limited to the region.
        let (s, _, _) = post_json(&app, "/api/v1/eligibility-runs", &viewer, None).await;
        assert_eq!(s, 403);
        let (s, _, run) = post_json(
            &app,
            "/api/v1/eligibility-runs",
            &admin,
            Some(serde_json::json!({"as_of": "2026-01-01"})),
        )
        .await;
        assert_eq!(s, 201, "{run}");
        assert_eq!(run["catalogue_version"], n);
        let id = run["id"].as_i64().unwrap();
        let bpnt = run["summary"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["program"] == "bpnt")
            .unwrap();
        assert_eq!(
            bpnt["eligible_households"].as_u64().unwrap(),
            ranks
                .values()
                .filter(|(_, p)| p.is_some_and(|p| p <= 30.0))
                .count() as u64
        );
        let manager = app.token("manajer.luar").await;
        let (s, _, body) = app
            .get(&format!("/api/v1/eligibility-runs/{id}"), Some(&manager))
            .await;
        assert_eq!(s, 200);
        let mine: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(mine["summary"].is_null());
        assert!(!mine["combinations"].as_array().unwrap().is_empty());
        assert!(mine["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .chain(mine["combinations"].as_array().unwrap())
            .all(|g| g["regency"] == "33.14"));

        // The quota list: one selected in province 12 (the poorest), the rest waiting.
        let (s, _, body) = app
            .get(
                &format!("/api/v1/eligibility-runs/{id}/quota?program=bpnt"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let list: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(list.len(), in_12.len());
        let selected: Vec<_> = list.iter().filter(|u| u["status"] == "selected").collect();
        assert_eq!(selected.len(), 1);
        let poorest = in_12
            .iter()
            .min_by(|a, b| ranks[**a].1.partial_cmp(&ranks[**b].1).unwrap())
            .unwrap();
        assert_eq!(selected[0]["household_id"], poorest.as_str());
        assert_eq!(
            app.get(
                &format!("/api/v1/eligibility-runs/{id}/quota"),
                Some(&viewer)
            )
            .await
            .0,
            403
        );
        let fas = app.token("fas.dalam").await;
        let (_, _, body) = app
            .get(&format!("/api/v1/eligibility-runs/{id}/quota"), Some(&fas))
            .await;
        let visible: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
        assert!(!visible.is_empty());
        assert!(visible
            .iter()
            .all(|u| ranks[u["household_id"].as_str().unwrap()].0 == "12.22.01.2009"));
        // …and on the household: its place in the list.
        let (_, _, body) = app
            .get(&format!("/api/v1/households/{HH}/programs"), Some(&fas))
            .await;
        let programs: serde_json::Value = serde_json::from_str(&body).unwrap();
        let q = &by_code(&programs, "bpnt")["quota"];
        let entry = list.iter().find(|u| u["household_id"] == HH).unwrap();
        assert_eq!(q[0]["status"], entry["status"]);
        assert_eq!(q[0]["position"], entry["position"]);
        assert_eq!(
            app.get("/api/v1/eligibility-runs/999", Some(&viewer))
                .await
                .0,
            404
        );
        assert_eq!(app.get("/api/v1/catalogue", None).await.0, 401);
    }
}

#[tokio::test]
async fn catalogue_pages_draft_dry_run_publish_and_a_run() {
    for app in TestApp::builder()
        .user("admin", Role::Admin, "national")
        .user("pemantau", Role::Viewer, "national")
        .ranked()
        .build_all()
        .await
    {
        web_sign_in(&app, "admin").await;
        let page = app.page("/programs").await;
        assert!(page.contains("Katalog program") && page.contains("katalog bawaan"));
        assert!(page.contains("Ubah aturan satu program"));
        let csrf = csrf_of(&page);
        // A bad rule: the form again, with the place of the error.
        let (s, _, page) = post_form(
            &app,
            "/programs/draft",
            &[
                ("csrf", &csrf),
                ("program", "bpnt"),
                ("rule", "national_percentile <= 30 and umur > 3"),
                ("quotas", ""),
                ("note", "uji"),
            ],
        )
        .await;
        assert_eq!(s, 422, "{page}");
        assert!(
            page.contains("programs[1].rule") && page.contains("umur"),
            "{page}"
        );
        assert!(
            page.contains("national_percentile &lt;= 30 and umur &gt; 3")
                || page.contains("national_percentile &#60;= 30"),
            "the form keeps the text"
        );
        let (s, _, page) = post_form(
            &app,
            "/programs/draft",
            &[
                ("csrf", &csrf),
                ("program", "bpnt"),
                ("rule", "national_percentile <= 30"),
                ("quotas", "12:satu"),
                ("note", "uji"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(page.contains("bilangan bulat"), "{page}");
        let (s, location, _) = post_form(
            &app,
            "/programs/draft",
            &[
                ("csrf", &csrf),
                ("program", "bpnt"),
                ("rule", "national_percentile <= 30"),
                ("quotas", "12:1"),
                ("note", "BPNT diperluas"),
            ],
        )
        .await;
        assert_eq!((s, location.as_str()), (303, "/catalogue/1"));
        let page = app.page("/catalogue/1").await;
        assert!(page.contains("Belum diuji coba") && !page.contains("id=\"publish\""));
        assert!(
            page.contains("national_percentile &lt;= 25")
                || page.contains("national_percentile &#60;= 25"),
            "{page}"
        );
        let (s, location, _) = post_form(&app, "/catalogue/1/dry-run", &[("csrf", &csrf)]).await;
        assert_eq!((s, location.as_str()), (303, "/catalogue/1"));
        let page = app.page("/catalogue/1").await;
        assert!(
            page.contains("id=\"dry-run\"") && page.contains("id=\"publish\""),
            "{page}"
        );
        // The catalogue in force to a file: one row per program.
        let catalogue = app.page("/exports/programs/catalogue.csv").await;
        assert!(
            catalogue
                .lines()
                .next()
                .unwrap()
                .contains("code,name,owner_level"),
            "{catalogue}"
        );
        assert_eq!(
            catalogue.lines().count(),
            1 + selaras_domain::programs::Catalogue::shipped()
                .programs
                .len()
        );
        assert!(app
            .page("/programs")
            .await
            .contains("href=\"/exports/programs/catalogue.xlsx\""));
        // The dry run's table to a file: the same rows as the API.
        assert!(page.contains("href=\"/exports/catalogue/1/dry-run.xlsx\""));
        let csv = app.page("/exports/catalogue/1/dry-run.csv").await;
        let api_rows = app
            .send(
                "GET",
                "/api/v1/catalogue/1",
                Some(&app.token("admin").await),
                None,
            )
            .await
            .2["dry_run"]
            .as_array()
            .unwrap()
            .len();
        assert!(
            csv.lines()
                .next()
                .unwrap()
                .contains("regency,program,households_gaining"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), 1 + api_rows);
        let (s, _, _) = post_form(&app, "/catalogue/1/publish", &[("csrf", "salah")]).await;
        assert_eq!(s, 400);
        let (s, _, _) = post_form(&app, "/catalogue/1/publish", &[("csrf", &csrf)]).await;
        assert_eq!(s, 303);
        assert!(app
            .page("/programs")
            .await
            .contains("Yang berlaku: <strong>versi 1</strong>"));

        let (s, location, _) = post_form(&app, "/eligibility", &[("csrf", &csrf)]).await;
        assert_eq!((s, location.as_str()), (303, "/eligibility/1"));
        let page = app.page("/eligibility/1").await;
        for s in [
            "Kesalahan sasaran",
            "id=\"gaps\"",
            "id=\"combinations\"",
            "daftar tunggu",
            "terpilih",
        ] {
            assert!(page.contains(s), "{s} missing");
        }
        assert!(app.page("/eligibility").await.contains("/eligibility/1"));
        assert!(app
            .page(&format!("/households/{HH}"))
            .await
            .contains("Kuota"));

        // A viewer sees the catalogue and the aggregate tables, not the forms or names.
        let viewer = &app;
        let r = viewer
            .http
            .post(format!("{}/logout", viewer.base))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        web_sign_in(viewer, "pemantau").await;
        let page = viewer.page("/programs").await;
        assert!(page.contains("versi 1") && !page.contains("Ubah aturan satu program"));
        let csrf = csrf_of(&page);
        let (s, _, _) = post_form(
            viewer,
            "/programs/draft",
            &[
                ("csrf", &csrf),
                ("program", "bpnt"),
                ("rule", "national_decile <= 1"),
                ("note", "x"),
            ],
        )
        .await;
        assert_eq!(s, 403);
        let page = viewer.page("/eligibility/1").await;
        assert!(page.contains("id=\"gaps\"") && !page.contains("id=\"kuota\""));
        assert_eq!(
            viewer
                .http
                .get(format!("{}/eligibility/9", viewer.base))
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
}

/// Enrolment and exit decisions on the API: appended to the history, shown as the unit's
/// latest entry; refused outside the region, for roles without the right, and with the
/// field named for a bad program, month, status or a NIK of another household.
#[tokio::test]
async fn enrolment_and_exit_decisions_are_recorded_with_history() {
    for app in TestApp::builder()
        .user("manajer.dalam", Role::Manager, "12.22")
        .user("manajer.luar", Role::Manager, "33.14")
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .build_all()
        .await
    {
        let path = format!("/api/v1/households/{HH}/participation");
        let manager = app.token("manajer.dalam").await;
        let body = |program: &str, nik: Option<&str>, period: &str, status: &str| serde_json::json!({"program": program, "nik": nik, "period": period, "status": status});
        let (s, _, _) = post_json(
            &app,
            &path,
            &app.token("manajer.luar").await,
            Some(body("bpnt", None, "2026-11", "enrolled")),
        )
        .await;
        assert_eq!(s, 404, "outside the region");
        let (s, _, _) = post_json(
            &app,
            &path,
            &app.token("fas.dalam").await,
            Some(body("bpnt", None, "2026-11", "enrolled")),
        )
        .await;
        assert_eq!(s, 403, "a facilitator does not decide enrolment");
        for (b, field) in [
            (body("beasiswa", None, "2026-11", "enrolled"), "program"),
            (body("bpnt", None, "2026-13", "enrolled"), "period"),
            (body("bpnt", None, "2026-11", "maybe"), "status"),
            (
                body("kip", Some("3314010101010001"), "2026-11", "enrolled"),
                "nik",
            ),
        ] {
            let (s, ct, p) = post_json(&app, &path, &manager, Some(b)).await;
            assert_eq!((s, ct.as_str()), (422, "application/problem+json"), "{p}");
            assert_eq!(p["field"], field, "{p}");
        }
        let (s, _, v) = post_json(
            &app,
            &path,
            &manager,
            Some(body("bpnt", None, "2026-10", "enrolled")),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(by_code(&v, "bpnt")["enrolled"], true);
        let (s, _, v) = post_json(
            &app,
            &path,
            &manager,
            Some(body("bpnt", None, "2026-11", "exited")),
        )
        .await;
        assert_eq!(s, 201);
        assert_eq!(by_code(&v, "bpnt")["enrolled"], false);
        let (s, _, v) = post_json(
            &app,
            &path,
            &manager,
            Some(body("kip", Some(NIK), "2026-11", "enrolled")),
        )
        .await;
        assert_eq!(s, 201, "{v}");
        let kip = by_code(&v, "kip");
        let mine = kip["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["nik"] == NIK)
            .unwrap();
        assert_eq!(
            (mine["enrolled"].as_bool(), mine["enrolled_period"].as_str()),
            (Some(true), Some("2026-11"))
        );
        // Both decisions on BPNT are kept, oldest first.
        let history = app.store.participation(HH).await.unwrap();
        let bpnt: Vec<&str> = history
            .iter()
            .filter(|p| p.program == "bpnt")
            .map(|p| p.status.as_str())
            .collect();
        assert_eq!(bpnt, ["enrolled", "exited"]);
    }
}
