//! Exports over a real server and database (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set): every table of an eligibility run, the cases and the visits
//! as CSV and XLSX (read back: the CSV parsed, the XLSX unzipped and its sheet read), the
//! printable PDF; the same values as the API, only inside the caller's region, the header
//! only for an empty region, 404 outside it, 403 for a role without the permission, 401
//! (or the sign-in page for a browser) without a session.

mod common;

use std::collections::HashMap;
use std::io::Read;

use common::{web_sign_in, TestApp};
use selaras_domain::access::Role;
use serde_json::{json, Value};

// H24114258751b4c83 lives in 12.22.01.2009 (the only household of that village).
const HH: &str = "H24114258751b4c83";
const VILLAGE: &str = "12.22.01.2009";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Got {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn fetch(app: &TestApp, path: &str, token: Option<&str>) -> Got {
    let mut req = app.http.get(format!("{}{path}", app.base));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    Got {
        status: r.status().as_u16(),
        headers: r.headers().clone(),
        body: r.bytes().await.unwrap().to_vec(),
    }
}

/// A CSV download: checks the type and the BOM; the header and the rows as maps.
fn csv_of(got: &Got, filename: &str) -> (Vec<String>, Vec<HashMap<String, String>>) {
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        got.header("content-disposition"),
        format!("attachment; filename=\"{filename}\"")
    );
    assert_eq!(got.header("cache-control"), "no-store");
    assert!(got.body.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let mut r = csv::Reader::from_reader(&got.body[3..]);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// An XLSX download read back: the first sheet as rows of cell texts (numbers as
/// written, inline and rich strings joined), and the names of its sheets.
fn xlsx_of(got: &Got, filename: &str) -> Vec<Vec<String>> {
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("content-type"), XLSX);
    assert_eq!(
        got.header("content-disposition"),
        format!("attachment; filename=\"{filename}\"")
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&got.body)).expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    assert!(
        xml.contains("<pane ySplit=\"1\""),
        "the header row is frozen"
    );
    assert!(xml.contains("<autoFilter ref=\"A1:"), "an autofilter");
    let mut rows: Vec<Vec<String>> = Vec::new();
    for c in xml.split("<c ").skip(1) {
        let r = c.split("r=\"").nth(1).unwrap().split('"').next().unwrap();
        let letters: String = r.chars().take_while(|c| c.is_ascii_uppercase()).collect();
        let row: usize = r[letters.len()..].parse().unwrap();
        let col = letters
            .bytes()
            .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1))
            - 1;
        let body = c.split("</c>").next().unwrap();
        let value = match body.split("<v>").nth(1) {
            Some(v) => v.split("</v>").next().unwrap().to_string(),
            None => body
                .split("<t")
                .skip(1)
                .filter_map(|s| s.split_once('>').map(|(_, rest)| rest))
                .map(|s| s.split("</t>").next().unwrap())
                .collect(),
        };
        while rows.len() < row {
            rows.push(Vec::new());
        }
        let cells = &mut rows[row - 1];
        while cells.len() <= col {
            cells.push(String::new());
        }
        cells[col] = unescape(&value);
    }
    rows
}

fn shipped_with_a_bpnt_quota() -> Value {
    let mut catalogue: Value =
        serde_json::from_str(&selaras_domain::programs::Catalogue::shipped().to_json()).unwrap();
    let bpnt = catalogue["programs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["code"] == "bpnt")
        .unwrap();
    bpnt["rule"] = "national_percentile <= 30".into();
    bpnt["quotas"] = json!({"12": 1});
    catalogue
}

/// A published catalogue with a BPNT quota in province 12 and an eligibility run; its id.
async fn a_run(app: &TestApp, admin: &str) -> i64 {
    let draft = json!({"catalogue": shipped_with_a_bpnt_quota(), "note": "kuota BPNT"});
    let (s, _, v) = app
        .send("POST", "/api/v1/catalogue/drafts", Some(admin), Some(draft))
        .await;
    assert_eq!(s, 201, "{v}");
    let n = v["version"].as_i64().unwrap();
    let as_of = json!({"as_of": "2026-01-01"});
    let (s, _, v) = app
        .send(
            "POST",
            &format!("/api/v1/catalogue/{n}/dry-run"),
            Some(admin),
            Some(as_of.clone()),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _, v) = app
        .send(
            "POST",
            &format!("/api/v1/catalogue/{n}/publish"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, _, run) = app
        .send("POST", "/api/v1/eligibility-runs", Some(admin), Some(as_of))
        .await;
    assert_eq!(s, 201, "{run}");
    run["id"].as_i64().unwrap()
}

fn n(v: &Value) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

#[tokio::test]
async fn every_table_of_an_eligibility_run_to_csv_xlsx_and_pdf_inside_the_callers_region() {
    for app in TestApp::builder()
        .user("admin", Role::Admin, "national")
        .user("pemantau", Role::Viewer, "national")
        .user("manajer", Role::Manager, "33.14")
        .user("manajer.kosong", Role::Manager, "53.71")
        .user("fas", Role::Facilitator, VILLAGE)
        .ranked()
        .build_all()
        .await
    {
        let admin = app.token("admin").await;
        let id = a_run(&app, &admin).await;
        let (s, _, body) = app
            .get(&format!("/api/v1/eligibility-runs/{id}"), Some(&admin))
            .await;
        assert_eq!(s, 200);
        let run: Value = serde_json::from_str(&body).unwrap();
        let base = format!("/exports/eligibility/{id}");

        // The national summary: the API's values, raw.
        let got = fetch(&app, &format!("{base}/summary.csv"), Some(&admin)).await;
        let (header, rows) = csv_of(&got, &format!("eligibility-{id}-summary.csv"));
        assert_eq!(
            header,
            [
                "program",
                "unit",
                "eligible_units",
                "eligible_households",
                "enrolled_households",
                "eligible_not_enrolled",
                "enrolled_not_eligible",
                "exclusion_rate",
                "inclusion_rate"
            ]
        );
        let summary = run["summary"].as_array().unwrap();
        assert_eq!(rows.len(), summary.len(), "{}", app.name);
        for (row, s) in rows.iter().zip(summary) {
            assert_eq!(row["program"], s["program"].as_str().unwrap());
            for k in &header[2..7] {
                assert_eq!(row[k], n(&s[k]), "{k} of {}", s["program"]);
            }
            if let (Some(x), Some(e)) = (
                s["eligible_not_enrolled"].as_f64(),
                s["eligible_households"].as_f64().filter(|e| *e > 0.0),
            ) {
                let rate: f64 = row["exclusion_rate"].parse().unwrap();
                assert!((rate - x * 100.0 / e).abs() < 1e-3, "{row:?}");
            }
        }
        let sheet = xlsx_of(
            &fetch(&app, &format!("{base}/summary.xlsx"), Some(&admin)).await,
            &format!("eligibility-{id}-summary.xlsx"),
        );
        assert_eq!(sheet[0][0], "Program");
        assert_eq!(sheet[0][2], "Unit layak\nEligible units");
        assert_eq!(sheet.len(), summary.len() + 1);
        for (cells, s) in sheet[1..].iter().zip(summary) {
            assert_eq!(cells[0], s["program"].as_str().unwrap());
            assert_eq!(cells[2], n(&s["eligible_units"]));
        }

        // Gaps and combinations: the regions with their names in Excel, codes in CSV.
        let gaps = run["gaps"].as_array().unwrap();
        assert!(!gaps.is_empty());
        let got = fetch(&app, &format!("{base}/gaps.csv"), Some(&admin)).await;
        let (_, rows) = csv_of(&got, &format!("eligibility-{id}-gaps.csv"));
        assert_eq!(rows.len(), gaps.len());
        for (row, g) in rows.iter().zip(gaps) {
            assert_eq!(row["regency"], g["regency"].as_str().unwrap());
            assert_eq!(row["program"], g["program"].as_str().unwrap());
            for k in [
                "eligible_households",
                "enrolled_households",
                "eligible_not_enrolled",
                "enrolled_not_eligible",
            ] {
                assert_eq!(row[k], n(&g[k]));
            }
        }
        let sheet = xlsx_of(
            &fetch(&app, &format!("{base}/gaps.xlsx"), Some(&admin)).await,
            &format!("eligibility-{id}-gaps.xlsx"),
        );
        assert_eq!(sheet.len(), gaps.len() + 1);
        assert_eq!(sheet[0][0], "Kabupaten/kota\nRegency/city");
        let sragen = sheet
            .iter()
            .find(|r| r[0].ends_with("(33.14)"))
            .expect("a row of Sragen");
        assert_eq!(sragen[0], "Kabupaten Sragen (33.14)");

        let combos = run["combinations"].as_array().unwrap();
        let got = fetch(&app, &format!("{base}/combinations.csv"), Some(&admin)).await;
        let (_, rows) = csv_of(&got, &format!("eligibility-{id}-combinations.csv"));
        assert_eq!(rows.len(), combos.len());
        for (row, c) in rows.iter().zip(combos) {
            assert_eq!(row["regency"], c["regency"].as_str().unwrap());
            assert_eq!(
                row["programs_received"],
                c["programs_received"].as_str().unwrap()
            );
            assert_eq!(row["households"], n(&c["households"]));
        }
        // Each regency's shares add up to 100.
        let mut shares: HashMap<&str, f64> = HashMap::new();
        for row in &rows {
            *shares.entry(row["regency"].as_str()).or_default() +=
                row["share"].parse::<f64>().unwrap();
        }
        assert!(
            shares.values().all(|s| (s - 100.0).abs() < 0.01),
            "{shares:?}"
        );
        let sheet = xlsx_of(
            &fetch(&app, &format!("{base}/combinations.xlsx"), Some(&admin)).await,
            &format!("eligibility-{id}-combinations.xlsx"),
        );
        assert_eq!(sheet.len(), combos.len() + 1);

        // The quota list: named units, the same as the API's.
        let (s, _, body) = app
            .get(
                &format!("/api/v1/eligibility-runs/{id}/quota"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, 200);
        let quota: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert!(quota.len() > 1);
        let got = fetch(&app, &format!("{base}/quota.csv"), Some(&admin)).await;
        let (_, rows) = csv_of(&got, &format!("eligibility-{id}-quota.csv"));
        assert_eq!(rows.len(), quota.len());
        for (row, q) in rows.iter().zip(&quota) {
            assert_eq!(row["household_id"], q["household_id"].as_str().unwrap());
            assert_eq!(row["nik"], q["nik"].as_str().unwrap());
            assert_eq!(row["status"], q["status"].as_str().unwrap());
            assert_eq!(row["position"], n(&q["position"]));
            assert_eq!(row["quota_region"], q["quota_region"].as_str().unwrap());
        }
        assert_eq!(rows.iter().filter(|r| r["status"] == "selected").count(), 1);
        let sheet = xlsx_of(
            &fetch(
                &app,
                &format!("{base}/quota.xlsx?program=bpnt"),
                Some(&admin),
            )
            .await,
            &format!("eligibility-{id}-quota.xlsx"),
        );
        assert_eq!(sheet.len(), quota.len() + 1);
        assert!(sheet[1..].iter().all(|r| r[0] == "bpnt"));
        assert!(sheet[1..]
            .iter()
            .any(|r| r[6] == "selected" && r[7] == "terpilih"));

        // A facilitator: the units of their village only.
        let fas = app.token("fas").await;
        let got = fetch(&app, &format!("{base}/quota.csv"), Some(&fas)).await;
        let (_, rows) = csv_of(&got, &format!("eligibility-{id}-quota.csv"));
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["region"] == VILLAGE));
        assert!(rows.iter().any(|r| r["household_id"] == HH));

        // A manager of Sragen: the gaps of Sragen; no national summary (404, as if
        // absent); a district inside narrows; a region outside is 404.
        let manager = app.token("manajer").await;
        let got = fetch(&app, &format!("{base}/gaps.csv"), Some(&manager)).await;
        let (_, rows) = csv_of(&got, &format!("eligibility-{id}-gaps.csv"));
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r["regency"] == "33.14"));
        let got = fetch(&app, &format!("{base}/summary.csv"), Some(&manager)).await;
        assert_eq!(got.status, 404);
        assert_eq!(got.header("content-type"), "application/problem+json");
        let got = fetch(
            &app,
            &format!("{base}/gaps.csv?region=33.14.01"),
            Some(&manager),
        )
        .await;
        let (_, narrowed) = csv_of(&got, &format!("eligibility-{id}-gaps-33.14.01.csv"));
        assert_eq!(narrowed, rows, "a district meets its regency's rows");
        let got = fetch(&app, &format!("{base}/gaps.csv?region=33"), Some(&manager)).await;
        let (_, wider) = csv_of(&got, &format!("eligibility-{id}-gaps.csv"));
        assert_eq!(wider, rows, "a wider region is the caller's own");
        for path in [
            format!("{base}/gaps.csv?region=12"),
            format!("{base}/combinations.xlsx?region=12.22"),
            format!("{base}/quota.csv?region=35"),
            format!("{base}/report.pdf?region=12"),
        ] {
            let got = fetch(&app, &path, Some(&manager)).await;
            assert_eq!(got.status, 404, "{path}");
            assert_eq!(got.header("content-type"), "application/problem+json");
        }
        let got = fetch(
            &app,
            &format!("{base}/gaps.csv?region=33.1x"),
            Some(&manager),
        )
        .await;
        assert_eq!(got.status, 422);

        // An empty region: the header only, never an error.
        let empty = app.token("manajer.kosong").await;
        for (table, who) in [
            ("gaps", &empty),
            ("combinations", &empty),
            ("quota", &empty),
            ("gaps", &admin),
        ] {
            let path = if who == &admin {
                format!("{base}/{table}.csv?region=53.71")
            } else {
                format!("{base}/{table}.csv")
            };
            let got = fetch(&app, &path, Some(who)).await;
            assert_eq!(got.status, 200, "{path}: {}", got.text());
            let (header, rows) = csv_of(
                &got,
                got.header("content-disposition")[22..].trim_end_matches('"'),
            );
            assert!(!header.is_empty() && rows.is_empty(), "{path}");
            let text = got.text();
            assert_eq!(text.lines().count(), 1, "{path}: {text}");
            let got = fetch(&app, &path.replace(".csv", ".xlsx"), Some(who)).await;
            let sheet = xlsx_of(
                &got,
                got.header("content-disposition")[22..].trim_end_matches('"'),
            );
            assert_eq!(sheet.len(), 1, "{path}: the header row only");
            assert_eq!(sheet[0].len(), header.len());
        }

        // Roles: the quota list is personal data; unknown tables, runs and formats 404.
        let viewer = app.token("pemantau").await;
        assert_eq!(
            fetch(&app, &format!("{base}/quota.csv"), Some(&viewer))
                .await
                .status,
            403
        );
        assert_eq!(
            fetch(&app, &format!("{base}/gaps.csv"), Some(&viewer))
                .await
                .status,
            200
        );
        for path in [
            format!("{base}/households.csv"),
            format!("{base}/gaps.txt"),
            format!("{base}/gaps.pdf"),
            format!("{base}/gaps"),
            "/exports/eligibility/999/gaps.csv".to_string(),
            "/exports/eligibility/abc/gaps.csv".to_string(),
        ] {
            assert_eq!(fetch(&app, &path, Some(&admin)).await.status, 404, "{path}");
        }

        // The printable summary: a PDF with the run's tables.
        let got = fetch(&app, &format!("{base}/report.pdf"), Some(&admin)).await;
        assert_eq!(got.status, 200);
        assert_eq!(got.header("content-type"), "application/pdf");
        assert_eq!(
            got.header("content-disposition"),
            format!("attachment; filename=\"eligibility-{id}-report.pdf\"")
        );
        assert!(got.body.starts_with(b"%PDF-"));
        let text = got.text();
        for want in [
            format!("Hasil kelayakan #{id}"),
            "Ringkasan nasional per program".into(),
            "Kesalahan sasaran per kabupaten/kota".into(),
            "Kabupaten Sragen".into(),
        ] {
            assert!(text.contains(&want), "{want} in the PDF");
        }
        let got = fetch(&app, &format!("{base}/report.pdf"), Some(&manager)).await;
        assert_eq!(got.status, 200);
        let text = got.text();
        assert!(text.contains("Kabupaten Sragen") && !text.contains("Ringkasan nasional"));

        // Without a session: 401 problem+json; a browser's navigation goes to sign-in.
        for token in [None, Some("not-a-token")] {
            let got = fetch(&app, &format!("{base}/gaps.csv"), token).await;
            assert_eq!(got.status, 401);
            assert_eq!(got.header("content-type"), "application/problem+json");
        }
        let r = app
            .http
            .get(format!("{}{base}/gaps.xlsx", app.base))
            .header("accept", "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/login");

        // Signed in through the web UI: the same files; errors as pages.
        web_sign_in(&app, "manajer").await;
        let got = fetch(&app, &format!("{base}/gaps.csv"), None).await;
        let (_, rows_by_cookie) = csv_of(&got, &format!("eligibility-{id}-gaps.csv"));
        assert_eq!(rows_by_cookie, rows);
        let got = fetch(&app, &format!("{base}/summary.csv"), None).await;
        assert_eq!(got.status, 404);
        assert!(got.header("content-type").starts_with("text/html"));
        assert!(got.text().contains("di luar wilayah Anda"));
    }
}

fn case(i: usize) -> Value {
    let (kind, category) = if i.is_multiple_of(3) {
        ("need", "pkh")
    } else {
        ("complaint", "membership")
    };
    json!({
        "kind": kind, "household_id": HH, "category": category,
        "description": format!("=HYPERLINK(\"x\") kasus {i}, \"dikutip\"\nbaris kedua"),
        "channel": "walk_in",
    })
}

#[tokio::test]
async fn cases_and_visits_to_csv_and_xlsx_page_by_page_inside_the_callers_region() {
    for app in TestApp::builder()
        .user("fas", Role::Facilitator, VILLAGE)
        .user("fas.luar", Role::Facilitator, "12.22.01.2010")
        .user("sup", Role::Supervisor, "12.22.01")
        .user("pemantau", Role::Viewer, "national")
        .build_all()
        .await
    {
        let fas = app.token("fas").await;
        // 53 cases: more than one page of the case list (50).
        let mut ids = Vec::new();
        for i in 0..53 {
            let (s, _, v) = app
                .send("POST", "/api/v1/cases", Some(&fas), Some(case(i)))
                .await;
            assert_eq!(s, 201, "{v}");
            ids.push(v["id"].as_i64().unwrap());
        }
        let (s, _, v) = app
            .send(
                "POST",
                &format!("/api/v1/cases/{}/actions", ids[0]),
                Some(&fas),
                Some(json!({"action": "submit"})),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let today = selaras_store::today_utc().to_string();
        for purpose in ["verification", "follow_up"] {
            let (s, _, v) = app
                .send(
                    "POST",
                    "/api/v1/visits",
                    Some(&fas),
                    Some(
                        json!({"household_id": HH, "visited_on": today, "purpose": purpose,
                                "note": "Cek kondisi rumah", "case_id": ids[1]}),
                    ),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        let day = today.clone();
        let filename = |what: &str, place: &str, ext: &str| format!("{what}-{place}-{day}.{ext}");

        // Every case once, newest first, across pages.
        let sup = app.token("sup").await;
        let got = fetch(&app, "/exports/cases.csv", Some(&sup)).await;
        let (header, rows) = csv_of(&got, &filename("kasus", "12.22.01", "csv"));
        assert_eq!(header[0], "case");
        assert_eq!(rows.len(), 53, "{}", app.name);
        let mut want: Vec<String> = ids
            .iter()
            .map(|id| selaras_domain::casework::case_number(*id))
            .collect();
        want.reverse();
        let got_numbers: Vec<&str> = rows.iter().map(|r| r["case"].as_str()).collect();
        assert_eq!(got_numbers, want);
        let r = &rows[52]; // the first case
        assert_eq!(r["status"], "submitted");
        assert_eq!(r["kind"], "need");
        assert_eq!(r["region"], VILLAGE);
        assert_eq!(r["household_id"], HH);
        assert_eq!(r["created_on"], today);
        assert_eq!(r["created_by"], "fas");
        assert_eq!(r["overdue"], "tidak");
        assert!(r["due_on"].len() == 10 && r["due_on"] > today);
        // A formula is neutralised for spreadsheets; quotes, commas and lines survive.
        assert_eq!(
            r["description"],
            "'=HYPERLINK(\"x\") kasus 0, \"dikutip\"\nbaris kedua"
        );

        // Filters are the case list's.
        let got = fetch(&app, "/exports/cases.csv?status=submitted", Some(&sup)).await;
        let (_, rows) = csv_of(&got, &filename("kasus", "12.22.01", "csv"));
        assert_eq!(rows.len(), 1);
        let got = fetch(
            &app,
            "/exports/cases.csv?kind=need&region=12.22.01.2009",
            Some(&fas),
        )
        .await;
        let (_, rows) = csv_of(&got, &filename("kasus", VILLAGE, "csv"));
        assert_eq!(rows.len(), 18);
        assert!(rows.iter().all(|r| r["kind"] == "need"));
        assert_eq!(
            fetch(&app, "/exports/cases.csv?status=lost", Some(&sup))
                .await
                .status,
            422
        );

        // XLSX: the same cases, typed.
        let sheet = xlsx_of(
            &fetch(&app, "/exports/cases.xlsx", Some(&sup)).await,
            &filename("kasus", "12.22.01", "xlsx"),
        );
        assert_eq!(sheet.len(), 54);
        assert_eq!(sheet[0][0], "Nomor kasus\nCase number");
        let numbers: Vec<&str> = sheet[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(numbers, want);
        let first = &sheet[53];
        assert!(first[7].ends_with(&format!("({VILLAGE})")), "{first:?}");
        assert_eq!(
            first[12], "=HYPERLINK(\"x\") kasus 0, \"dikutip\"\nbaris kedua",
            "text, never a formula, in Excel"
        );
        let serial: f64 = first[13].parse().expect("a date as a number");
        assert!(serial > 45_000.0);

        // Outside the caller's region: 404; an empty village: the header only.
        let got = fetch(&app, "/exports/cases.csv?region=33.14", Some(&fas)).await;
        assert_eq!(got.status, 404);
        let luar = app.token("fas.luar").await;
        let got = fetch(&app, "/exports/cases.csv", Some(&luar)).await;
        let (header, rows) = csv_of(&got, &filename("kasus", "12.22.01.2010", "csv"));
        assert!(rows.is_empty() && header.len() == 18);
        let sheet = xlsx_of(
            &fetch(&app, "/exports/cases.xlsx", Some(&luar)).await,
            &filename("kasus", "12.22.01.2010", "xlsx"),
        );
        assert_eq!(sheet.len(), 1);
        // No personal data for viewers.
        let viewer = app.token("pemantau").await;
        assert_eq!(
            fetch(&app, "/exports/cases.csv", Some(&viewer))
                .await
                .status,
            403
        );
        assert_eq!(
            fetch(&app, "/exports/visits.xlsx", Some(&viewer))
                .await
                .status,
            403
        );

        // Visits.
        let got = fetch(&app, "/exports/visits.csv", Some(&sup)).await;
        let (_, rows) = csv_of(&got, &filename("kunjungan", "12.22.01", "csv"));
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r["household_id"] == HH
            && r["visited_on"] == today
            && r["case"] == selaras_domain::casework::case_number(ids[1])
            && r["recorded_by"] == "fas"));
        let purposes: Vec<&str> = rows.iter().map(|r| r["purpose"].as_str()).collect();
        assert_eq!(purposes, ["follow_up", "verification"]);
        let sheet = xlsx_of(
            &fetch(
                &app,
                "/exports/visits.xlsx?region=12.22.01.2009",
                Some(&sup),
            )
            .await,
            &filename("kunjungan", VILLAGE, "xlsx"),
        );
        assert_eq!(sheet.len(), 3);
        assert!(sheet[1][4] == "Tindak lanjut kasus" && sheet[2][4].starts_with("Verifikasi"));
        let got = fetch(&app, "/exports/visits.csv?region=12.22.01.2010", Some(&sup)).await;
        let (_, rows) = csv_of(&got, &filename("kunjungan", "12.22.01.2010", "csv"));
        assert!(rows.is_empty());
        assert_eq!(
            fetch(&app, "/exports/visits.csv?region=12.22.02", Some(&sup))
                .await
                .status,
            404
        );
        let got = fetch(&app, "/exports/visits.csv", Some(&luar)).await;
        assert!(csv_of(&got, &filename("kunjungan", "12.22.01.2010", "csv"))
            .1
            .is_empty());

        // Unknown lists and formats; no session.
        for path in [
            "/exports/households.csv",
            "/exports/cases.pdf",
            "/exports/cases",
        ] {
            assert_eq!(fetch(&app, path, Some(&sup)).await.status, 404, "{path}");
        }
        let got = fetch(&app, "/exports/cases.csv", None).await;
        assert_eq!(got.status, 401);
        assert_eq!(got.header("content-type"), "application/problem+json");

        // Each export is in the audit log.
        let entries = app.store.audit_entries(0, 10_000).await.unwrap();
        assert!(entries
            .iter()
            .any(|e| e.action == "export.cases" && e.actor == "sup"));
        assert!(entries
            .iter()
            .any(|e| e.action == "export.visits" && e.detail.ends_with(".xlsx")));
    }
}
