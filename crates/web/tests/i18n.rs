//! Page language (issue #6): every main page switches to English from the header link,
//! the choice survives signing out and in, numbers, rupiah and dates keep the Indonesian
//! format, and the switch never sends the browser to another site.

mod common;

use common::{csrf_of, post_form, web_sign_in, TestApp};
use selaras_domain::access::Role;
use serde_json::json;

const HH: &str = "H24114258751b4c83";
const VILLAGE: &str = "12.22.01.2009";

/// Indonesian headings and labels that must not appear on an English page.
const INDONESIAN: &[&str] = &[
    "Cari rumah tangga",
    "Kasus terbuka",
    "Anggota rumah tangga",
    "Riwayat versi",
    "Peringkat PMT",
    "Kata sandi",
    "Nama pengguna",
    "Lewati ke isi",
    "Cek status kasus",
    ">Keluar<",
    "Nomor kasus",
    "Kasus SLRT",
    "Perlu tindakan Anda",
    "Semua kasus",
    "Pengaduan",
    "Lihat status",
    "Kembali ke beranda",
    // case pages
    "Catat kasus baru",
    ">Tindakan<",
    ">Riwayat<",
    "Kabar kepada keluarga",
    "Simpan sebagai draf",
    "Uraian",
    "Kategori",
    "Saluran",
    "Dicatat",
    "lewat tenggat",
    "Data usulan",
    "Datang langsung",
    "Jenis kasus",
    "Nomor telepon keluarga",
    "Rumah tangga",
    "Menunggu",
    "Sedang dicatat",
    ">ya<",
    ">tidak<",
    // labels of codes, roles, fields and model variables
    "Fasilitator desa",
    "kepala rumah tangga",
    "Kepala rumah tangga",
    "Status kepemilikan",
    "Jenis lantai",
    "Sumber air minum",
    "Konstanta model",
    "Desil nasional",
    "tidak diketahui",
    "Tidak ditemukan",
    "Data tidak ditemukan",
    "Edisi #",
    "laki-laki",
    "perempuan",
    "memenuhi",
    // program pages
    "Katalog program",
    "Katalog versi",
    "Uji coba",
    "Hasil kelayakan",
    "Kesalahan sasaran",
    "Kombinasi program",
    "daftar tunggu",
    "terpilih",
    ">Sasaran<",
    "Pengelola",
    ">Aturan",
    "Versi katalog",
    "Berlakukan",
    "Dibuat",
    "oleh",
    "katalog bawaan",
    "Unduh",
    "ringkasan <",
    "ringkasan PDF",
    // dashboard and indicators (source references of the indicator catalogue stay as
    // the documents name them)
    "Dasbor",
    "Sebaran",
    "Desil ",
    "Kemutakhiran",
    "Cakupan",
    "Komplementaritas",
    "Waktu per langkah",
    "Rujukan per program",
    "Berperingkat",
    "Diverifikasi",
    "Kasus terbuka",
    "Indikator kinerja",
    "Semua tingkat",
    "Tampilkan",
    ">Tahun<",
    ">Capaian<",
    "Target dan capaian",
    "Isi capaian",
    "Simpan nilai",
    "Tercapai",
    "Tanpa target",
    "Belum ada capaian",
    "Penanggung jawab",
    ">Rumus<",
    ">Kode<",
    "dihitung sistem",
    "Sasaran strategis",
    ">Nasional<",
];

/// The header's switch link on a page.
fn switch_link(page: &str) -> String {
    let at = page
        .find("id=\"ganti-bahasa\" href=\"")
        .expect("a language link in the header");
    let rest = &page[at + "id=\"ganti-bahasa\" href=\"".len()..];
    rest[..rest.find('"').unwrap()]
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Follows a page's language link: (status, location).
async fn follow_switch(app: &TestApp, page: &str) -> (u16, String) {
    let link = switch_link(page);
    let (s, location, _) = app.get_with_location(&link).await;
    (s, location)
}

fn assert_english(path: &str, page: &str) {
    assert!(
        page.contains("<html lang=\"en\">"),
        "{path}: not English:\n{page}"
    );
    for phrase in INDONESIAN {
        assert!(
            !page.contains(phrase),
            "{path}: Indonesian {phrase:?} on the English page"
        );
    }
}

/// A dotted group of thousands (`1.234`) or rupiah (`Rp 1.500.000`).
fn has_indonesian_number(page: &str) -> bool {
    let b = page.as_bytes();
    (0..b.len().saturating_sub(4)).any(|i| {
        b[i].is_ascii_digit()
            && b[i + 1] == b'.'
            && b[i + 2..i + 5].iter().all(u8::is_ascii_digit)
            && !b.get(i + 5).is_some_and(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() || b[i - 1].is_ascii_digit())
    })
}

/// A percentage with a decimal comma (`12,5 %`).
fn has_decimal_comma(page: &str) -> bool {
    let b = page.as_bytes();
    (0..b.len().saturating_sub(4)).any(|i| {
        b[i].is_ascii_digit() && b[i + 1] == b',' && b[i + 2].is_ascii_digit() && b[i + 3] == b' '
    })
}

/// A date as `21/11/2026`.
fn has_date(page: &str) -> bool {
    let b = page.as_bytes();
    (0..b.len().saturating_sub(10)).any(|i| {
        let d = |j: usize| b[i + j].is_ascii_digit();
        d(0) && d(1) && b[i + 2] == b'/' && d(3) && d(4) && b[i + 5] == b'/' && (6..10).all(d)
    })
}

#[tokio::test]
async fn every_page_in_english_after_the_switch_and_the_choice_is_remembered() {
    for app in TestApp::builder()
        .user("fas", Role::Facilitator, VILLAGE)
        .user("admin", Role::Admin, "national")
        .ranked()
        .build_all()
        .await
    {
        let fas = app.token("fas").await;
        let (s, _, case) = app
            .send("POST", "/api/v1/cases", Some(&fas), Some(json!({"kind": "complaint", "household_id": HH, "category": "membership", "description": "kartu hilang", "channel": "walk_in"})))
            .await;
        assert_eq!(s, 201, "{case}");
        let case_id = case["id"].as_i64().unwrap();

        web_sign_in(&app, "fas").await;
        let home = app.page("/").await;
        assert!(home.contains("<html lang=\"id\">") && home.contains("Cari rumah tangga"));
        // The link comes back to the page it was followed from.
        let (s, location) = follow_switch(&app, &app.page("/cases?kind=complaint").await).await;
        assert_eq!((s, location.as_str()), (303, "/cases?kind=complaint"));

        let household = format!("/households/{HH}");
        let case_page = format!("/cases/{case_id}");
        // Program, dashboard and indicator pages for an administrator: the next test.
        let pages = [
            "/",
            household.as_str(),
            "/status",
            "/cases",
            "/cases/new",
            case_page.as_str(),
            "/dashboard",
            "/indicators",
        ];
        for path in pages {
            let page = app.page(path).await;
            assert_english(path, &page);
        }
        // Error pages too.
        let missing = app.page("/households/H000000000000000").await;
        assert_english("/households/H000000000000000", &missing);
        assert!(
            missing.contains("Not found, or outside your region."),
            "{missing}"
        );
        let hh = app.page(&household).await;
        assert!(
            hh.contains("Household members") && hh.contains("Open cases"),
            "{hh}"
        );
        assert!(
            has_indonesian_number(&hh),
            "no 1.234-style number on {household}"
        );
        assert!(hh.contains("Rp "), "rupiah on {household}");
        assert!(has_date(&hh), "no 21/11/2026-style date on {household}");

        // Signing out and in keeps the language; /login is English too.
        let csrf = csrf_of(&app.page("/").await);
        let (s, _, _) = post_form(&app, "/logout", &[("csrf", &csrf)]).await;
        assert_eq!(s, 303);
        let login = app.page("/login").await;
        assert_english("/login", &login);
        assert!(login.contains("Sign in") && login.contains("Bahasa Indonesia"));
        web_sign_in(&app, "fas").await;
        assert_english("/ after signing in again", &app.page("/").await);

        // And back to Indonesian.
        let (s, location) = follow_switch(&app, &app.page("/").await).await;
        assert_eq!((s, location.as_str()), (303, "/"));
        let home = app.page("/").await;
        assert!(home.contains("<html lang=\"id\">") && home.contains("Cari rumah tangga"));
    }
}

/// A catalogue draft with a BPNT quota in province 12, dry-run and published, and an
/// eligibility run with it: (catalogue version, run id).
async fn a_run(app: &TestApp, admin: &str) -> (i64, i64) {
    let mut catalogue: serde_json::Value =
        serde_json::from_str(&selaras_domain::programs::Catalogue::shipped().to_json()).unwrap();
    let bpnt = catalogue["programs"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["code"] == "bpnt")
        .unwrap();
    bpnt["rule"] = "national_percentile <= 30".into();
    bpnt["quotas"] = json!({"12": 1});
    let draft = json!({"catalogue": catalogue, "note": "BPNT quota"});
    let (s, _, v) = app
        .send("POST", "/api/v1/catalogue/drafts", Some(admin), Some(draft))
        .await;
    assert_eq!(s, 201, "{v}");
    let n = v["version"].as_i64().unwrap();
    let as_of = json!({"as_of": "2026-01-01"});
    let dry_run = format!("/api/v1/catalogue/{n}/dry-run");
    let (s, _, v) = app
        .send("POST", &dry_run, Some(admin), Some(as_of.clone()))
        .await;
    assert_eq!(s, 200, "{v}");
    let publish = format!("/api/v1/catalogue/{n}/publish");
    let (s, _, v) = app.send("POST", &publish, Some(admin), None).await;
    assert_eq!(s, 200, "{v}");
    let (s, _, run) = app
        .send("POST", "/api/v1/eligibility-runs", Some(admin), Some(as_of))
        .await;
    assert_eq!(s, 201, "{run}");
    (n, run["id"].as_i64().unwrap())
}

#[tokio::test]
async fn program_dashboard_and_indicator_pages_in_english() {
    for app in TestApp::builder()
        .user("admin", Role::Admin, "national")
        .ranked()
        .build_all()
        .await
    {
        let admin = app.token("admin").await;
        let (version, run) = a_run(&app, &admin).await;
        web_sign_in(&app, "admin").await;
        let (s, _, _) = app.get_with_location("/lang/en?back=/").await;
        assert_eq!(s, 303);
        let catalogue = format!("/catalogue/{version}");
        let run_page = format!("/eligibility/{run}");
        let indicators = app.page("/indicators").await;
        let at = indicators
            .find("<a href=\"/indicators/")
            .expect("a link to an indicator");
        let rest = &indicators[at + "<a href=\"".len()..];
        let indicator = rest[..rest.find('"').unwrap()].replace("&amp;", "&");
        for path in [
            "/programs",
            catalogue.as_str(),
            "/eligibility",
            run_page.as_str(),
            "/dashboard",
            "/dashboard?region=12",
            "/indicators",
            indicator.as_str(),
        ] {
            let page = app.page(path).await;
            assert_english(path, &page);
        }
        // Figures keep the Indonesian format: thousands with dots, decimal commas.
        let dashboard = app.page("/dashboard").await;
        assert!(
            dashboard.contains("Dashboard Indonesia") && dashboard.contains("Households"),
            "{dashboard}"
        );
        assert!(
            has_indonesian_number(&dashboard),
            "no 1.234-style number on /dashboard"
        );
        assert!(has_decimal_comma(&dashboard), "no 12,5 % on /dashboard");
        // An unknown region: the notice is English too.
        let unknown = app.page("/dashboard?region=x1").await;
        assert_english("/dashboard?region=x1", &unknown);
        assert!(unknown.contains("is unknown"), "{unknown}");
        let run = app.page(&run_page).await;
        assert!(
            run.contains("Targeting errors by regency/city") && run.contains("waiting list"),
            "{run}"
        );
        // A refused draft explains itself in English.
        let csrf = csrf_of(&app.page("/programs").await);
        let (s, _, body) = post_form(
            &app,
            "/programs/draft",
            &[
                ("csrf", &csrf),
                ("program", "bpnt"),
                ("rule", "national_percentile <= 40"),
                ("quotas", "12:x"),
                ("note", "try"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert_english("/programs/draft", &body);
        assert!(body.contains("must be a whole number"), "{body}");
    }
}

#[tokio::test]
async fn the_switch_sets_a_lasting_cookie_and_stays_on_this_site() {
    for app in TestApp::builder().build_all().await {
        for (back, expected) in [
            ("//evil.example", "/"),
            ("https://evil.example/", "/"),
            ("/\\evil.example", "/"),
            ("/status?case=SLRT-000001", "/status?case=SLRT-000001"),
        ] {
            let r = app
                .http
                .get(format!("{}/lang/en", app.base))
                .query(&[("back", back)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{back}");
            let location = r.headers()["location"].to_str().unwrap();
            assert_eq!(location, expected, "back={back}");
            let cookie = r.headers()["set-cookie"].to_str().unwrap();
            for part in [
                "selaras_lang=en",
                "Path=/",
                "Max-Age=31536000",
                "SameSite=Lax",
                "HttpOnly",
            ] {
                assert!(cookie.contains(part), "{cookie}");
            }
        }
        let (s, _, _) = app.get_with_location("/lang/fr?back=/").await;
        assert_eq!(s, 404);
        // Public pages without a session follow the cookie.
        assert_english("/status", &app.page("/status").await);
        assert_english("/login", &app.page("/login").await);
        // The API stays language-neutral.
        let (s, _, body) = app.get("/api/v1/cases", None).await;
        assert_eq!(s, 401);
        assert!(
            !body.contains("Tidak") && body.contains("\"status\""),
            "{body}"
        );
    }
}
