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
