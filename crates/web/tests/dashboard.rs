//! Dashboards (issue #6) over the API and the page, on SQLite and PostgreSQL when
//! configured: the nation agrees with the registry, each level drills down to its
//! children, case figures follow the cases, and a region outside one's own is refused (a
//! 404 on the API, a notice on the page).

mod common;

use common::{web_sign_in, TestApp};
use selaras_domain::access::Role;
use serde_json::json;

const HH: &str = "H24114258751b4c83";
const VILLAGE: &str = "12.22.01.2009";

#[tokio::test]
async fn dashboards_drill_down_inside_the_callers_region() {
    for app in TestApp::builder()
        .user("admin", Role::Admin, "national")
        .user("pemantau", Role::Viewer, "national")
        .user("fas", Role::Facilitator, VILLAGE)
        .user("sup", Role::Supervisor, "12.22.01")
        .user("man.luar", Role::Manager, "33.14")
        .ranked()
        .build_all()
        .await
    {
        let admin = app.token("admin").await;
        let fas = app.token("fas").await;
        // An eligibility run (program figures) and a case (case figures).
        let (s, _, run) = app
            .send(
                "POST",
                "/api/v1/eligibility-runs",
                Some(&admin),
                Some(json!({"as_of": "2026-01-01"})),
            )
            .await;
        assert_eq!(s, 201, "{run}");
        let (s, _, case) = app
            .send("POST", "/api/v1/cases", Some(&fas), Some(json!({"kind": "complaint", "household_id": HH, "category": "membership", "description": "x", "channel": "walk_in"})))
            .await;
        assert_eq!(s, 201, "{case}");
        let id = case["id"].as_i64().unwrap();
        let (s, _, _) = app
            .send(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                Some(&fas),
                Some(json!({"action": "submit"})),
            )
            .await;
        assert_eq!(s, 200);

        let (s, _, nation) = app.get_json("/api/v1/dashboard", &admin).await;
        assert_eq!(s, 200, "{nation}");
        let counts = app.store.counts().await.unwrap();
        assert_eq!(nation["registry"]["households"], counts.households);
        assert_eq!(nation["registry"]["members"], counts.members);
        assert_eq!(nation["level"], "national");
        let provinces = nation["children"].as_array().unwrap();
        let sum: i64 = provinces
            .iter()
            .map(|p| p["households"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, counts.households, "provinces add up to the nation");
        let deciles: i64 = nation["registry"]["deciles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_i64().unwrap())
            .sum();
        assert_eq!(deciles, nation["registry"]["ranked"].as_i64().unwrap());
        assert!(
            !nation["programs"].as_array().unwrap().is_empty(),
            "program figures from the run"
        );
        assert_eq!(nation["cases"]["open"], 1);
        assert_eq!(nation["cases"]["by_kind_state"][0]["state"], "submitted");
        assert_eq!(nation["cases"]["steps"][0]["action"], "submit");

        // Drill down to the village, each level the sum of its children.
        let mut region = String::new();
        for next in ["12", "12.22", "12.22.01", VILLAGE] {
            let d = app
                .get_json(&format!("/api/v1/dashboard?region={region}"), &admin)
                .await
                .2;
            let child = d["children"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["region"] == next)
                .unwrap_or_else(|| panic!("{next} under {region:?}: {d}"))
                .clone();
            let (s, _, below) = app
                .get_json(&format!("/api/v1/dashboard?region={next}"), &admin)
                .await;
            assert_eq!(s, 200);
            assert_eq!(
                below["registry"]["households"], child["households"],
                "{next}"
            );
            region = next.to_string();
        }
        let village = app
            .get_json(&format!("/api/v1/dashboard?region={VILLAGE}"), &fas)
            .await
            .2;
        assert_eq!(village["registry"]["households"], 1);
        assert_eq!(village["cases"]["open"], 1);
        assert_eq!(
            village["path"].as_array().unwrap().len(),
            5,
            "nation, province, regency, district, village"
        );

        // Case figures of a period: the case was opened today.
        let today = selaras_store::today_utc().to_string();
        let (s, _, p) = app
            .get_json(
                &format!("/api/v1/dashboard?from={today}&to={today}"),
                &admin,
            )
            .await;
        assert_eq!((s, p["cases"]["open"].as_i64()), (200, Some(1)), "{p}");
        let p = app
            .get_json("/api/v1/dashboard?from=2000-01-01&to=2000-12-31", &admin)
            .await
            .2;
        assert_eq!(
            (
                p["cases"]["total"].as_i64(),
                p["cases"]["steps"].as_array().map(Vec::len)
            ),
            (Some(0), Some(0))
        );
        assert_eq!(
            p["registry"]["households"], nation["registry"]["households"],
            "the registry is a snapshot"
        );
        let (s, _, e) = app
            .get_json("/api/v1/dashboard?from=2026-13-01", &admin)
            .await;
        assert_eq!((s, e["field"].as_str()), (422, Some("from")));
        let (s, _, e) = app
            .get_json("/api/v1/dashboard?from=2026-02-01&to=2026-01-01", &admin)
            .await;
        assert_eq!((s, e["field"].as_str()), (422, Some("to")));

        // The facilitator's default is their village; outside it, 404; a bad code, 422.
        let own = app.get_json("/api/v1/dashboard", &fas).await.2;
        assert_eq!(own["region"], VILLAGE);
        assert_eq!(
            app.get_json("/api/v1/dashboard?region=12.22", &fas).await.0,
            404
        );
        assert_eq!(
            app.get_json("/api/v1/dashboard?region=national", &fas)
                .await
                .0,
            404
        );
        let man = app.token("man.luar").await;
        assert_eq!(
            app.get_json(&format!("/api/v1/dashboard?region={VILLAGE}"), &man)
                .await
                .0,
            404
        );
        assert_eq!(
            app.get_json("/api/v1/dashboard?region=xx", &admin).await.0,
            422
        );
        assert_eq!(app.get("/api/v1/dashboard", None).await.0, 401);
        // Viewers monitor (aggregates only).
        let viewer = app.token("pemantau").await;
        assert_eq!(
            app.get_json("/api/v1/dashboard?region=12", &viewer).await.0,
            200
        );

        // Exports: every table as CSV and Excel, a printable summary; an empty region gives
        // the header only; outside the region, 404.
        let get = |path: String, token: String| {
            let app = &app;
            async move {
                let r = app
                    .http
                    .get(format!("{}{path}", app.base))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let ct = r
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                (status, ct, r.bytes().await.unwrap().to_vec())
            }
        };
        let (s, ct, csv) = get(
            "/exports/dashboard/regions.csv?region=12".into(),
            admin.clone(),
        )
        .await;
        assert_eq!(s, 200);
        assert!(ct.starts_with("text/csv"), "{ct}");
        let text = String::from_utf8_lossy(&csv);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].contains("region,households,members"),
            "{}",
            lines[0]
        );
        let regencies = app.get_json("/api/v1/dashboard?region=12", &admin).await.2["children"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(
            lines.len(),
            2 + regencies,
            "header, the province, its regencies"
        );
        for t in ["regions", "programs", "cases", "steps"] {
            let (s, ct, body) = get(
                format!("/exports/dashboard/{t}.xlsx?region=12.22"),
                admin.clone(),
            )
            .await;
            assert_eq!(s, 200, "{t}");
            assert!(ct.contains("spreadsheetml"), "{ct}");
            assert!(body.starts_with(b"PK"), "an xlsx is a zip");
        }
        let (s, _, pdf) = get("/exports/dashboard/summary.pdf".into(), fas.clone()).await;
        assert_eq!(s, 200);
        assert!(pdf.starts_with(b"%PDF-"));
        let (s, _, pdf) = get(
            "/exports/dashboard/summary.pdf?from=2026-01-01&to=2026-12-31".into(),
            admin.clone(),
        )
        .await;
        assert_eq!(s, 200);
        // Strings with characters beyond ASCII are written as hex in the PDF.
        let hex: String = "kasus dibuka 01/01/2026"
            .bytes()
            .map(|b| format!("{b:02X}"))
            .collect();
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("kasus dibuka 01/01/2026") || text.contains(&hex),
            "the period is printed"
        );
        let (s, _, empty) = get(
            "/exports/dashboard/regions.csv?region=12.22.01.2010".into(),
            admin.clone(),
        )
        .await;
        assert_eq!(s, 200, "an empty region exports, it does not fail");
        assert_eq!(
            String::from_utf8_lossy(&empty).lines().count(),
            1,
            "the header only"
        );
        assert_eq!(
            get(
                "/exports/dashboard/regions.csv?region=12.22".into(),
                fas.clone()
            )
            .await
            .0,
            404
        );
        // The indicators' target-against-actual table too.
        let (s, _, csv) = get("/exports/indicators/targets.csv".into(), admin.clone()).await;
        assert_eq!(s, 200);
        let text = String::from_utf8_lossy(&csv);
        assert!(
            text.lines()
                .next()
                .unwrap()
                .contains("code,name,level,unit,year,target"),
            "{text}"
        );
        assert!(text.lines().count() > 67, "every indicator with its years");
        assert!(text.contains("ikss.fakir_miskin"));
        let (s, ct, _) = get(
            "/exports/indicators/targets.xlsx?level=strategic".into(),
            admin.clone(),
        )
        .await;
        assert_eq!(s, 200);
        assert!(ct.contains("spreadsheetml"));
        assert_eq!(
            get(
                "/exports/indicators/targets.csv?region=12.22".into(),
                fas.clone()
            )
            .await
            .0,
            404
        );
        assert_eq!(
            get("/exports/indicators/other.csv".into(), admin.clone())
                .await
                .0,
            404
        );
        assert_eq!(
            get("/exports/dashboard/nothing.csv".into(), admin.clone())
                .await
                .0,
            404
        );

        // The page: breadcrumbs, drill-down links, charts; outside the region a notice.
        web_sign_in(&app, "sup").await;
        let page = app.page("/dashboard").await;
        assert!(
            page.contains("Dasbor") && page.contains("<svg class=\"chart\""),
            "{page}"
        );
        assert!(
            page.contains(&format!("href=\"/dashboard?region={VILLAGE}\"")),
            "drill-down link to the village"
        );
        let refused = app.page("/dashboard?region=33.14").await;
        assert!(
            refused.contains("id=\"pemberitahuan\"") && refused.contains("di luar cakupan Anda"),
            "{refused}"
        );
        assert!(
            refused.contains("Dasbor Kotapinang"),
            "the caller's own region instead"
        );
        let bad = app.page("/dashboard?from=kemarin").await;
        assert!(
            bad.contains("id=\"pemberitahuan\""),
            "a bad period is a notice, not an error page"
        );
        let period = app
            .page("/dashboard?from=2026-01-01&to=2026-12-31")
            .await
            .replace("&#38;", "&amp;");
        assert!(
            period.contains("value=\"2026-01-01\""),
            "the form keeps the period"
        );
        assert!(
            period.contains("regions.xlsx?region=12.22.01&amp;from=2026-01-01&amp;to=2026-12-31"),
            "exports keep the period"
        );
        assert!(
            period.contains(&format!(
                "href=\"/dashboard?region={VILLAGE}&amp;from=2026-01-01&amp;to=2026-12-31\""
            )),
            "drill-down keeps the period"
        );
    }
}

/// Every page with its assets stays under 200 KB (a slow link), and every form field has
/// a label.
#[tokio::test]
async fn pages_are_light_and_their_fields_labelled() {
    let app = TestApp::builder()
        .user("admin", Role::Admin, "national")
        .ranked()
        .build_all()
        .await
        .remove(0);
    let css = app.page("/assets/app.css").await.len();
    let login = app.page("/login").await;
    web_sign_in(&app, "admin").await;
    let mut pages = vec![("/login".to_string(), login)];
    for path in [
        "/".to_string(),
        format!("/?q={HH}"),
        format!("/households/{HH}"),
        "/cases".into(),
        "/cases/new".into(),
        "/dashboard".into(),
        "/dashboard?region=12".into(),
        "/programs".into(),
        "/eligibility".into(),
        "/indicators".into(),
        "/status".into(),
    ] {
        let body = app.page(&path).await;
        pages.push((path, body));
    }
    let national = &pages.iter().find(|(p, _)| p == "/dashboard").unwrap().1;
    assert_eq!(national.matches("<path d=").count(), 34, "the province map");
    assert!(
        national.contains("href=\"/dashboard?region=12\"><path"),
        "provinces link to their dashboards"
    );
    assert!(national.contains("class=\"legend\"") && national.contains("CC BY 4.0"));
    for (path, body) in &pages {
        let total = body.len() + css;
        assert!(total < 200_000, "{path}: {total} bytes with its stylesheet");
        assert!(
            body.contains("<html lang=\"id\">"),
            "{path}: the language is declared"
        );
        // Each input, select and textarea with an id has a <label for=…>.
        for tag in ["<input id=\"", "<select id=\"", "<textarea id=\""] {
            for part in body.split(tag).skip(1) {
                let id = part.split('"').next().unwrap();
                assert!(
                    body.contains(&format!("<label for=\"{id}\"")),
                    "{path}: the field {id} has no label"
                );
            }
        }
    }
}
