//! The web UI in a real browser: Debian's headless Chromium driven through chromedriver.
//! Screenshots go to `target/browser-artifacts/`. Without chromedriver the test says so and
//! passes, unless `SELARAS_REQUIRE_BROWSER=1` (CI sets it), where that is a failure.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{TestApp, PASSWORD};
use fantoccini::{ClientBuilder, Locator};
use selaras_domain::access::Role;

const NIK: &str = "1222016108457115";
const HH: &str = "H24114258751b4c83";

struct Driver(Child);
impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn artifacts() -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Chromedriver with a headless Chromium, or `None` when not installed (a failure when
/// `SELARAS_REQUIRE_BROWSER=1`).
async fn browser() -> Option<(Driver, fantoccini::Client)> {
    let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(chromedriver) = chromedriver else {
        assert_ne!(
            std::env::var("SELARAS_REQUIRE_BROWSER").as_deref(),
            Ok("1"),
            "chromedriver is required (apt-get install -y chromium chromium-driver)"
        );
        eprintln!(
            "skipped: chromedriver not installed (apt-get install -y chromium chromium-driver)"
        );
        return None;
    };
    let port = free_port();
    let driver = Driver(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1100,900",
                     format!("--user-data-dir={}", tempfile::tempdir().unwrap().keep().display())]
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    for _ in 0..50 {
        match ClientBuilder::new(connector.clone())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return Some((driver, c)),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    panic!("cannot connect to chromedriver");
}

async fn screenshot(c: &fantoccini::Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    std::fs::write(artifacts().join(name), png).unwrap();
}

async fn sign_in(c: &fantoccini::Client, base: &str, username: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill_sign_in(c, username).await;
}

/// Fills and sends the sign-in form on the page at hand; waits for the search page.
async fn fill_sign_in(c: &fantoccini::Client, username: &str) {
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("q")).await.unwrap();
}

#[tokio::test]
async fn sign_in_search_and_open_a_household_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let app = TestApp::builder()
        .user("fas.dalam", Role::Facilitator, "12.22.01.2009")
        .ranked()
        .build_all()
        .await
        .remove(0);
    let shot = |name: &'static str| {
        let c = c.clone();
        async move { screenshot(&c, name).await }
    };

    c.goto(&format!("{}/", app.base)).await.unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/login"));
    shot("01-login.png").await;
    // Labels are tied to their inputs (keyboard and screen-reader use).
    c.find(Locator::Css("label[for=username]")).await.unwrap();
    fill_sign_in(&c, "fas.dalam").await;

    c.find(Locator::Id("q"))
        .await
        .unwrap()
        .send_keys(NIK)
        .await
        .unwrap();
    c.find(Locator::Css("form[role=search] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let link = c
        .wait()
        .for_element(Locator::Css(&format!("a[href='/households/{HH}']")))
        .await
        .unwrap();
    shot("02-search.png").await;
    link.click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//h2[text()='Anggota rumah tangga']"))
        .await
        .unwrap();
    let body = c.source().await.unwrap();
    assert!(body.contains(NIK) && body.contains("Riwayat versi"));
    // The ranking: the decile and the table of what each variable adds.
    assert!(body.contains("Desil nasional") && body.contains("Mengapa skor ini"));
    shot("03-household.png").await;

    // Sign out from the header.
    c.find(Locator::Css("header form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
    c.close().await.unwrap();
}

/// An administrator changes a rule in the browser, dry-runs it, publishes it, and runs
/// eligibility: the gap tables and the quota list appear.
#[tokio::test]
async fn a_rule_change_dry_run_publication_and_run_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let app = TestApp::builder()
        .user("admin", Role::Admin, "national")
        .ranked()
        .build_all()
        .await
        .remove(0);
    sign_in(&c, &app.base, "admin").await;
    c.find(Locator::Css("nav.menu a[href='/programs']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let select = c.wait().for_element(Locator::Id("program")).await.unwrap();
    select.select_by_value("bpnt").await.unwrap();
    c.find(Locator::Id("rule"))
        .await
        .unwrap()
        .send_keys("national_percentile <= 30")
        .await
        .unwrap();
    c.find(Locator::Id("quotas"))
        .await
        .unwrap()
        .send_keys("12:1")
        .await
        .unwrap();
    c.find(Locator::Id("note"))
        .await
        .unwrap()
        .send_keys("BPNT sampai persentil 30")
        .await
        .unwrap();
    screenshot(&c, "11-programs-draft.png").await;
    c.find(Locator::Css("form[action='/programs/draft'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("run-dry-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("dry-run")).await.unwrap();
    let body = c.source().await.unwrap();
    assert!(body.contains("bpnt") && body.contains("Uji coba"), "{body}");
    screenshot(&c, "12-dry-run.png").await;
    c.find(Locator::Id("publish"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[contains(., '(berlaku)')]"))
        .await
        .unwrap();
    c.goto(&format!("{}/eligibility", app.base)).await.unwrap();
    c.find(Locator::Id("new-run"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("gaps")).await.unwrap();
    let body = c.source().await.unwrap();
    assert!(
        body.contains("daftar tunggu") && body.contains("katalog versi 1"),
        "{body}"
    );
    screenshot(&c, "13-eligibility-run.png").await;
    c.close().await.unwrap();
}

async fn click(c: &fantoccini::Client, css: &str) {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Signs the browser out and `username` in (a fresh session).
async fn switch_user(c: &fantoccini::Client, base: &str, username: &str) {
    c.delete_all_cookies().await.unwrap();
    sign_in(c, base, username).await;
}

/// Opens the case from the user's queue on `/cases` and takes `action` (with a note).
async fn act_from_queue(
    c: &fantoccini::Client,
    base: &str,
    number: &str,
    action: &str,
    note: &str,
) {
    c.goto(&format!("{base}/cases")).await.unwrap();
    let link = c
        .wait()
        .for_element(Locator::XPath(&format!(
            "//section[@id='antrean']//a[strong[text()='{number}']]"
        )))
        .await
        .unwrap_or_else(|e| panic!("{number} not in the queue: {e}"));
    link.click().await.unwrap();
    if !note.is_empty() {
        c.wait()
            .for_element(Locator::Id("note"))
            .await
            .unwrap()
            .send_keys(note)
            .await
            .unwrap();
    }
    click(c, &format!("button[value='{action}']")).await;
}

/// The page fits the window: nothing wider than a 360-px phone.
async fn fits(c: &fantoccini::Client, what: &str) {
    let w = c
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await
        .unwrap();
    let w = w.as_u64().unwrap();
    assert!(w <= 360, "{what} is {w} px wide on a 360-px phone");
}

/// A complaint from the desk to closing, across five roles, in Chromium; the facilitator
/// works on a 360-px-wide phone.
#[tokio::test]
async fn a_complaint_from_the_desk_to_closing_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let app = TestApp::builder()
        .user("fas", Role::Facilitator, "12.22.01.2009")
        .user("sup", Role::Supervisor, "12.22.01")
        .user("man", Role::Manager, "12.22")
        .program_user("po.pkh", "12.22", "pkh")
        .build_all()
        .await
        .remove(0);
    let base = app.base.as_str();
    c.set_window_size(360, 740).await.unwrap();
    sign_in(&c, base, "fas").await;
    c.goto(&format!("{base}/households/{HH}")).await.unwrap();
    click(&c, "a[href='/cases/new?household_id=H24114258751b4c83']").await;
    c.wait()
        .for_element(Locator::Id("description"))
        .await
        .unwrap();
    fits(&c, "the new-case form").await;
    c.find(Locator::Id("kind"))
        .await
        .unwrap()
        .select_by_value("complaint")
        .await
        .unwrap();
    c.find(Locator::Id("category"))
        .await
        .unwrap()
        .select_by_value("complaint:membership")
        .await
        .unwrap();
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("Keluarga miskin, belum menerima PKH.")
        .await
        .unwrap();
    c.find(Locator::Id("contact"))
        .await
        .unwrap()
        .send_keys("081234567890")
        .await
        .unwrap();
    screenshot(&c, "21-case-new-360px.png").await;
    click(&c, "form[action='/cases/new'] button[type=submit]").await;
    let h1 = c.wait().for_element(Locator::Css("main h1")).await.unwrap();
    let number = h1.text().await.unwrap();
    let number = number.split_whitespace().next().unwrap().to_string();
    assert!(number.starts_with("SLRT-"), "{number}");
    click(&c, "button[value='submit']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Diajukan']",
        ))
        .await
        .unwrap();
    fits(&c, "the case page").await;
    screenshot(&c, "22-case-submitted-360px.png").await;

    c.set_window_size(1100, 900).await.unwrap();
    switch_user(&c, base, "sup").await;
    act_from_queue(&c, base, &number, "verify", "").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Terverifikasi']",
        ))
        .await
        .unwrap();

    switch_user(&c, base, "man").await;
    c.goto(&format!("{base}/cases")).await.unwrap();
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//section[@id='antrean']//a[strong[text()='{number}']]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Referring without a program is refused on the page, then done right.
    click(&c, "button[value='refer']").await;
    let err = c.wait().for_element(Locator::Id("galat")).await.unwrap();
    assert!(err.text().await.unwrap().contains("Program"));
    c.find(Locator::Id("program"))
        .await
        .unwrap()
        .select_by_value("pkh")
        .await
        .unwrap();
    click(&c, "button[value='refer']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Dirujuk']",
        ))
        .await
        .unwrap();
    c.find(Locator::Css("a[href$='surat-rujukan.pdf']"))
        .await
        .unwrap();
    screenshot(&c, "23-case-referred.png").await;

    switch_user(&c, base, "po.pkh").await;
    act_from_queue(&c, base, &number, "accept", "").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Diterima']",
        ))
        .await
        .unwrap();
    click(&c, "button[value='resolve']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Diselesaikan']",
        ))
        .await
        .unwrap();

    c.set_window_size(360, 740).await.unwrap();
    switch_user(&c, base, "fas").await;
    act_from_queue(
        &c,
        base,
        &number,
        "close",
        "Keluarga sudah diberi tahu: masuk usulan PKH.",
    )
    .await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@class='state' and text()='Ditutup']",
        ))
        .await
        .unwrap();
    let body = c.source().await.unwrap();
    assert!(
        body.contains("masuk usulan PKH"),
        "the feedback is in the timeline"
    );
    fits(&c, "the closed case").await;
    screenshot(&c, "24-case-closed-360px.png").await;

    // The family checks the status without signing in.
    c.delete_all_cookies().await.unwrap();
    c.goto(&format!("{base}/status")).await.unwrap();
    c.find(Locator::Id("case"))
        .await
        .unwrap()
        .send_keys(&number)
        .await
        .unwrap();
    c.find(Locator::Id("nik"))
        .await
        .unwrap()
        .send_keys(NIK)
        .await
        .unwrap();
    click(&c, "form[action='/status'] button").await;
    let result = c.wait().for_element(Locator::Id("hasil")).await.unwrap();
    assert!(result.text().await.unwrap().contains("Ditutup"));
    fits(&c, "the status page").await;
    screenshot(&c, "25-status-360px.png").await;
    c.close().await.unwrap();
}

/// A national user drills down from the nation to one village's open cases on the
/// dashboard, then downloads that village's table as Excel (fetched by the page itself,
/// with its session).
#[tokio::test]
async fn a_dashboard_drill_down_and_an_export_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let app = TestApp::builder()
        .user("admin", Role::Admin, "national")
        .user("fas", Role::Facilitator, "12.22.01.2009")
        .ranked()
        .build_all()
        .await
        .remove(0);
    let base = app.base.as_str();
    // One open case in the village.
    let fas = app.token("fas").await;
    let (s, _, _) = app
        .send(
            "POST",
            "/api/v1/cases",
            Some(&fas),
            Some(serde_json::json!({"kind": "complaint", "household_id": HH, "category": "membership", "description": "x", "channel": "walk_in"})),
        )
        .await;
    assert_eq!(s, 201);
    sign_in(&c, base, "admin").await;
    click(&c, "nav.menu a[href='/dashboard']").await;
    c.wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Dasbor Indonesia')]"))
        .await
        .unwrap();
    screenshot(&c, "31-dashboard-nation.png").await;
    for code in ["12", "12.22", "12.22.01", "12.22.01.2009"] {
        click(&c, &format!("#wilayah a[href='/dashboard?region={code}']")).await;
        c.wait()
            .for_element(Locator::XPath(&format!("//h1/span[text()='({code})']")))
            .await
            .unwrap_or_else(|e| panic!("drill-down to {code}: {e}"));
    }
    let body = c.source().await.unwrap();
    assert!(
        body.contains("Kasus terbuka") && body.contains("Pengaduan"),
        "the village's open case"
    );
    screenshot(&c, "32-dashboard-village.png").await;
    // On a phone: the page fits, wide tables scroll inside their cards.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(&format!("{base}/dashboard?region=12.22.01"))
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("wilayah")).await.unwrap();
    fits(&c, "the district dashboard").await;
    screenshot(&c, "34-dashboard-district-360px.png").await;
    c.set_window_size(1100, 900).await.unwrap();
    c.goto(&format!("{base}/dashboard?region=12.22.01.2009"))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("kasus-terbuka"))
        .await
        .unwrap();
    // From the figures to the cases behind them, and those to Excel.
    click(&c, "#kasus-terbuka").await;
    c.wait()
        .for_element(Locator::XPath(
            "//section[@id='semua']//li[contains(., 'Pengaduan')]",
        ))
        .await
        .unwrap();
    screenshot(&c, "33-village-cases.png").await;
    let cases_xlsx = c
        .find(Locator::Id("unduh-kasus-xlsx"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(cases_xlsx.contains("region=12.22.01.2009"), "{cases_xlsx}");
    c.back().await.unwrap();
    c.wait()
        .for_element(Locator::Id("unduh-regions-xlsx"))
        .await
        .unwrap();
    let href = c
        .find(Locator::Id("unduh-regions-xlsx"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(href, "/exports/dashboard/regions.xlsx?region=12.22.01.2009");
    let got = c
        .execute_async(
            "const [url, done] = arguments; fetch(url).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength])));",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200, "{got}");
    assert!(got[1].as_str().unwrap().contains("spreadsheetml"), "{got}");
    assert!(got[2].as_u64().unwrap() > 1_000, "{got}");
    let got = c
        .execute_async(
            "const [url, done] = arguments; fetch(url).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), b.byteLength])));",
            vec![serde_json::json!(cases_xlsx)],
        )
        .await
        .unwrap();
    assert_eq!(got[0], 200, "{got}");
    assert!(got[1].as_str().unwrap().contains("spreadsheetml"), "{got}");
    c.close().await.unwrap();
}

/// The language link in the header of a 360-px phone: the next page is English and the
/// page still fits.
#[tokio::test]
async fn switching_to_english_from_the_header_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    let app = TestApp::builder()
        .user("fas.bahasa", Role::Facilitator, "12.22.01.2009")
        .ranked()
        .build_all()
        .await
        .remove(0);
    c.set_window_size(360, 740).await.unwrap();
    sign_in(&c, &app.base, "fas.bahasa").await;
    c.goto(&format!("{}/households/{HH}", app.base))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath("//h2[text()='Anggota rumah tangga']"))
        .await
        .unwrap();
    click(&c, "header a#ganti-bahasa").await;
    c.wait()
        .for_element(Locator::XPath("//h2[text()='Household members']"))
        .await
        .unwrap();
    assert!(c
        .current_url()
        .await
        .unwrap()
        .path()
        .ends_with(&format!("/households/{HH}")));
    let lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang.as_str(), Some("en"));
    fits(&c, "the English household page").await;
    screenshot(&c, "40-english-household-360.png").await;
    // The next page stays English.
    c.goto(&format!("{}/", app.base)).await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[text()='Find a household']"))
        .await
        .unwrap();
    fits(&c, "the English search page").await;
    c.close().await.unwrap();
}

/// Askesos (issue #7) in Chromium: LPA staff look a NIK up, enrol the member with an heir,
/// record the card, file an accident claim and verify it once every document is in; the
/// district social office opens the claim from its list, approves and pays it; the
/// report shows the claim paid. The member page is checked and shot on a 360-px phone.
#[tokio::test]
async fn askesos_from_a_nik_lookup_to_a_paid_claim_in_chromium() {
    let Some((_driver, c)) = browser().await else {
        return;
    };
    const MEMBER: &str = "3308172001885444";
    const SPOUSE: &str = "3308175806858005";
    let app = TestApp::builder()
        .user("dinsos", Role::Manager, "33.08")
        .program_user("kemensos", "national", "askesos")
        .ranked()
        .build_all()
        .await
        .remove(0);
    let base = app.base.as_str();
    // An LPA of the New Initiative, proposed by the office and designated by the ministry.
    let dinsos = app.token("dinsos").await;
    let (s, _, lpa) = app
        .send(
            "POST",
            "/api/v1/askesos/lpas",
            Some(&dinsos),
            Some(serde_json::json!({"name": "Yayasan Peduli Magelang", "legal_form": "yayasan", "region": "33.08", "product_code": "askesos_ni"})),
        )
        .await;
    assert_eq!(s, 201, "{lpa}");
    let lpa_id = lpa["id"].as_i64().unwrap();
    let kemensos = app.token("kemensos").await;
    let (s, _, _) = app
        .send(
            "POST",
            &format!("/api/v1/askesos/lpas/{lpa_id}/standing"),
            Some(&kemensos),
            Some(serde_json::json!({"version": lpa["version"], "action": "designate"})),
        )
        .await;
    assert_eq!(s, 200);
    app.add_user("lpa.magelang", Role::LpaStaff, "33.08", Some(lpa_id))
        .await;
    // Date inputs take keys in the browser's locale: their values are set directly.
    let set = |id: &'static str, value: &'static str| {
        let c = c.clone();
        async move {
            c.execute(
                "document.getElementById(arguments[0]).value = arguments[1];",
                vec![serde_json::json!(id), serde_json::json!(value)],
            )
            .await
            .unwrap();
        }
    };

    sign_in(&c, base, "lpa.magelang").await;
    click(&c, "nav.menu a[href='/askesos']").await;
    c.wait()
        .for_element(Locator::Id("nik"))
        .await
        .unwrap()
        .send_keys(MEMBER)
        .await
        .unwrap();
    set("cover_start", "2013-01-01").await;
    click(&c, "#cek").await;
    c.wait().for_element(Locator::Id("layak")).await.unwrap();
    let body = c.source().await.unwrap();
    assert!(
        body.contains("desil nasional 2") && !body.contains("✗"),
        "{body}"
    );
    c.find(Locator::Id("occupation"))
        .await
        .unwrap()
        .select_by_value("buruh_tani")
        .await
        .unwrap();
    c.find(Locator::Id("heir0_nik"))
        .await
        .unwrap()
        .send_keys(SPOUSE)
        .await
        .unwrap();
    c.find(Locator::Id("heir0_name"))
        .await
        .unwrap()
        .send_keys("Warga fc1659")
        .await
        .unwrap();
    screenshot(&c, "51-askesos-eligible.png").await;
    click(&c, "#daftarkan").await;
    c.wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'ASK-')]"))
        .await
        .unwrap();
    let mut member_url = c.current_url().await.unwrap();
    member_url.set_query(None);
    let body = c.source().await.unwrap();
    assert!(
        body.contains("Peserta terdaftar") && body.contains("Warga fc1659"),
        "{body}"
    );

    // The card reached the member.
    set("delivered_on", "2013-02-01").await;
    click(&c, "#serahkan-kartu").await;
    c.wait()
        .for_element(Locator::XPath(
            "//dd[@id='kartu-diserahkan' and contains(., '01/02/2013')]",
        ))
        .await
        .unwrap();

    // An accident at work in May 2013, filed with two documents, then verified with all.
    set("event_date", "2013-05-10").await;
    set("filed_on", "2013-05-20").await;
    c.find(Locator::Id("cost"))
        .await
        .unwrap()
        .send_keys("1.500.000")
        .await
        .unwrap();
    click(&c, "#doc-kartu_peserta").await;
    click(&c, "#doc-ktp").await;
    click(&c, "#ajukan-klaim").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@id='status-klaim' and text()='diterima']",
        ))
        .await
        .unwrap();
    let claim_url = c.current_url().await.unwrap();
    let claim_path = claim_url.path().to_string();
    click(&c, "#verify-laporan_kecelakaan").await;
    click(&c, "#verify-kuitansi_perawatan").await;
    click(&c, "button[value='verify']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@id='status-klaim' and text()='diverifikasi LPA']",
        ))
        .await
        .unwrap();
    screenshot(&c, "52-askesos-claim-verified.png").await;

    // The district office approves and pays it.
    switch_user(&c, base, "dinsos").await;
    click(&c, "nav.menu a[href='/askesos']").await;
    click(&c, &format!("#klaim-menunggu a[href='{claim_path}']")).await;
    click(&c, "button[value='approve']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@id='status-klaim' and text()='disetujui']",
        ))
        .await
        .unwrap();
    assert_eq!(
        c.find(Locator::Id("manfaat"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Rp 1.500.000"
    );
    click(&c, "button[value='pay']").await;
    c.wait()
        .for_element(Locator::XPath(
            "//span[@id='status-klaim' and text()='dibayar']",
        ))
        .await
        .unwrap();
    screenshot(&c, "53-askesos-claim-paid.png").await;

    // The report: one claim paid this year, Rp 1.500.000, on time.
    click(&c, "nav.menu a[href='/askesos']").await;
    click(&c, "#laporan").await;
    let money = c.wait().for_element(Locator::Id("money")).await.unwrap();
    let text = money.text().await.unwrap();
    assert!(
        text.contains("Yayasan Peduli Magelang") && text.contains("Rp 1.500.000"),
        "{text}"
    );
    let late = c
        .find(Locator::Id("lateness"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(late.contains("Yayasan Peduli Magelang 1 0 0"), "{late}");
    screenshot(&c, "54-askesos-reports.png").await;

    // The member's page on a phone: it fits; wide tables scroll inside their cards.
    c.set_window_size(360, 740).await.unwrap();
    c.goto(member_url.as_str()).await.unwrap();
    c.wait().for_element(Locator::Id("klaim")).await.unwrap();
    fits(&c, "the Askesos member page").await;
    screenshot(&c, "55-askesos-member-360px.png").await;
    c.close().await.unwrap();
}
