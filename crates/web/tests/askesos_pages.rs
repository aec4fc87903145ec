//! The Askesos pages (issue #7) over HTTP, on SQLite and (with `TEST_DATABASE_URL`)
//! PostgreSQL: LPA staff look a NIK up (every criterion with its reason), enrol from the
//! form, record the card and are refused a payment on a lapsed policy; the district
//! office proposes an LPA and the ministry designates it; another LPA's member is a 404
//! page; a viewer reads the reports but no member; a claim goes from filing to payment;
//! the reports and their CSV/XLSX downloads carry the figures; the pages speak Indonesian
//! and English.

mod common;

use common::{csrf_of, post_form, web_sign_in, TestApp};
use selaras_domain::access::Role;
use selaras_domain::Date;
use serde_json::json;

/// A head of household in Kabupaten Magelang (33.08.17), born 1988, married, an unpaid
/// family worker, national decile 2 in the conformance edition: eligible for the New
/// Initiative in 2013.
const NIK: &str = "3308172001885444";
const NAME: &str = "Warga 4dd895";
/// Their spouse (the heir).
const SPOUSE: &str = "3308175806858005";
/// A child of another household in the regency (born 2005): not eligible.
const CHILD: &str = "3308182607055377";
/// Three more eligible heads in the regency (for the reform product's retention).
const OTHERS: [&str; 3] = ["3308181406893856", "3308185201909374", "3308011804789824"];

fn builder() -> common::Builder {
    TestApp::builder()
        .user("dinsos", Role::Manager, "33.08")
        .program_user("kemensos", "national", "askesos")
        .user("pemantau", Role::Viewer, "33.08")
        .user("fas", Role::Facilitator, "33.08.17.2006")
        .ranked()
}

/// An LPA proposed by the district office and designated by the ministry through the
/// API; returns its id.
async fn lpa(app: &TestApp, name: &str, product: &str) -> i64 {
    let dinsos = app.token("dinsos").await;
    let (s, _, l) = app
        .send(
            "POST",
            "/api/v1/askesos/lpas",
            Some(&dinsos),
            Some(json!({"name": name, "legal_form": "yayasan", "region": "33.08", "product_code": product})),
        )
        .await;
    assert_eq!(s, 201, "{} {l}", app.name);
    let id = l["id"].as_i64().unwrap();
    let kemensos = app.token("kemensos").await;
    let (s, _, l) = app
        .send(
            "POST",
            &format!("/api/v1/askesos/lpas/{id}/standing"),
            Some(&kemensos),
            Some(json!({"version": l["version"], "action": "designate"})),
        )
        .await;
    assert_eq!(s, 200, "{} {l}", app.name);
    id
}

/// Enrols `nik` through the API as `staff`; returns the member's id.
async fn enrol_api(app: &TestApp, staff: &str, lpa: i64, nik: &str, start: &str) -> i64 {
    let t = app.token(staff).await;
    let heirs = if nik == NIK {
        json!([{"nik": SPOUSE, "name": "Warga fc1659", "relation": "spouse"}])
    } else {
        json!([])
    };
    let (s, _, m) = app
        .send(
            "POST",
            "/api/v1/askesos/members",
            Some(&t),
            Some(
                json!({"lpa_id": lpa, "nik": nik, "occupation": "buruh_tani", "cover_start": start,
                        "heirs": heirs}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{} {m}", app.name);
    m["id"].as_i64().unwrap()
}

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let (s, _, body) = app.get_with_location(path).await;
    (s, body)
}

/// The value of the first form field named `name` on a page.
fn field(page: &str, name: &str) -> String {
    let tag = page
        .split(&format!("name=\"{name}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name}"))
        .split('>')
        .next()
        .unwrap();
    tag.split("value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{name} has no value"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn lpa_staff_look_up_enrol_record_the_card_and_are_refused_on_a_lapsed_policy() {
    for app in builder().build_all().await {
        let db = app.name;
        // The district office proposes the LPA on the page; the ministry designates it.
        web_sign_in(&app, "dinsos").await;
        let (s, page) = get(&app, "/askesos").await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains("Usulkan LPA") && page.contains("Laporan Askesos"),
            "{db}"
        );
        let csrf = csrf_of(&page);
        // A region outside the office's is refused on the page, the input kept.
        let (s, _, page) = post_form(
            &app,
            "/askesos/lpas",
            &[
                ("csrf", &csrf),
                ("form", "propose"),
                ("name", "Yayasan Peduli Magelang"),
                ("legal_form", "yayasan"),
                ("region", "33.14"),
                ("product_code", "askesos_ni"),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}: {page}");
        assert!(
            page.contains("id=\"galat\"") && page.contains("Kode wilayah"),
            "{db}: {page}"
        );
        assert!(
            page.contains("value=\"Yayasan Peduli Magelang\""),
            "{db}: the input is kept"
        );
        let (s, loc, _) = post_form(
            &app,
            "/askesos/lpas",
            &[
                ("csrf", &csrf),
                ("form", "propose"),
                ("name", "Yayasan Peduli Magelang"),
                ("legal_form", "yayasan"),
                ("region", "33.08"),
                ("address", "Jl. Pemuda 1, Mertoyudan"),
                ("product_code", "askesos_ni"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (303, "/askesos?ok=proposed#lpa"), "{db}");
        let (_, page) = get(&app, "/askesos?ok=proposed").await;
        assert!(
            page.contains("LPA diusulkan.") && page.contains("diusulkan"),
            "{db}"
        );
        // The office may not designate.
        assert!(!page.contains("value=\"designate\""), "{db}");
        let lpa_id = app.store.lpas("").await.unwrap()[0].id;

        web_sign_in(&app, "kemensos").await;
        let (_, page) = get(&app, "/askesos").await;
        assert!(
            page.contains(&format!("id=\"tetapkan-{lpa_id}\"")),
            "{db}: {page}"
        );
        let (s, loc, _) = post_form(
            &app,
            &format!("/askesos/lpas/{lpa_id}/standing"),
            &[
                ("csrf", &csrf_of(&page)),
                ("version", &field(&page, "version")),
                ("action", "designate"),
                ("designated_by", "kemensos"),
                ("designated_on", "2012-06-01"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (303, "/askesos?ok=standing#lpa"), "{db}");
        let (_, page) = get(&app, "/askesos").await;
        assert!(
            page.contains("ditetapkan") && page.contains("Kementerian Sosial, 01/06/2012"),
            "{db}: {page}"
        );

        app.add_user("lpa.magelang", Role::LpaStaff, "33.08", Some(lpa_id))
            .await;
        web_sign_in(&app, "lpa.magelang").await;
        let (s, page) = get(&app, "/").await;
        assert_eq!(s, 200);
        assert!(
            page.contains("href=\"/askesos\""),
            "{db}: the menu links Askesos"
        );
        let (s, page) = get(&app, "/askesos").await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains("Yayasan Peduli Magelang")
                && page.contains("Askesos New Initiative (2012–2015) (askesos_ni)")
                && page.contains("Cek NIK"),
            "{db}: {page}"
        );
        // The cover start suggested lies in the product's validity.
        assert!(page.contains("value=\"2015-06-30\""), "{db}");

        // A child: every criterion with its outcome; no enrolment form.
        let (s, page) = get(
            &app,
            &format!("/askesos?nik={CHILD}&cover_start=2013-01-01"),
        )
        .await;
        assert_eq!(s, 200, "{db}");
        for crit in [
            "Umur",
            "Peran dalam keluarga",
            "Pekerja informal",
            "Miskin / rentan (desil)",
            "Status di registri",
        ] {
            assert!(page.contains(&format!("<td>{crit}</td>")), "{db}: {crit}");
        }
        assert!(
            page.contains("✗ tidak memenuhi") && page.contains("umur 7 tahun"),
            "{db}: {page}"
        );
        assert!(
            page.contains("id=\"tidak-layak\"") && !page.contains("id=\"form-daftar\""),
            "{db}"
        );
        // A NIK not in the registry: a notice, not a crash.
        let (s, page) = get(&app, "/askesos?nik=3308170101800099").await;
        assert_eq!(s, 404, "{db}");
        assert!(
            page.contains("NIK tidak ada di registri") && page.contains("Cek NIK"),
            "{db}"
        );
        let (s, page) = get(&app, "/askesos?nik=123").await;
        assert_eq!(s, 422, "{db}");
        assert!(page.contains("16 digits"), "{db}: {page}");
        // Sixteen digits but no real birth date: not a NIK at all (the registry's parser).
        let (s, _) = get(&app, "/askesos?nik=3308179999999999").await;
        assert_eq!(s, 422, "{db}");

        // The eligible head: all passed, and the form.
        let (s, page) = get(&app, &format!("/askesos?nik={NIK}&cover_start=2013-01-01")).await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains(NAME) && page.contains("id=\"layak\""),
            "{db}: {page}"
        );
        assert!(!page.contains("✗"), "{db}: {page}");
        assert!(page.contains("desil nasional 2"), "{db}");
        let csrf = csrf_of(&page);
        // Without an occupation: refused, the page and the heir typed kept.
        let (s, _, page) = post_form(
            &app,
            "/askesos/members",
            &[
                ("csrf", &csrf),
                ("form", "enrol"),
                ("nik", NIK),
                ("occupation", ""),
                ("cover_start", "2013-01-01"),
                ("heir0_nik", SPOUSE),
                ("heir0_name", "Warga fc1659"),
                ("heir0_relation", "spouse"),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}: {page}");
        assert!(page.contains("Pekerjaan saat mendaftar"), "{db}: {page}");
        assert!(
            page.contains(&format!("value=\"{SPOUSE}\"")),
            "{db}: the heir is kept"
        );
        let (s, loc, _) = post_form(
            &app,
            "/askesos/members",
            &[
                ("csrf", &csrf),
                ("form", "enrol"),
                ("nik", NIK),
                ("occupation", "buruh_tani"),
                ("cover_start", "2013-01-01"),
                ("heir0_nik", SPOUSE),
                ("heir0_name", "Warga fc1659"),
                ("heir0_relation", "spouse"),
                ("heir1_nik", ""),
                ("heir1_name", ""),
                ("heir1_relation", "child"),
            ],
        )
        .await;
        assert_eq!(s, 303, "{db}");
        assert!(
            loc.starts_with("/askesos/members/") && loc.ends_with("?ok=enrolled"),
            "{loc}"
        );
        let member = loc
            .trim_start_matches("/askesos/members/")
            .trim_end_matches("?ok=enrolled");
        let (s, page) = get(&app, &loc).await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains("Peserta terdaftar") && page.contains("ASK-"),
            "{db}"
        );
        assert!(
            page.contains(NIK) && page.contains("Warga fc1659") && page.contains("suami/istri"),
            "{db}"
        );
        assert!(
            page.contains("Buruh tani") && page.contains("01/01/2013"),
            "{db}"
        );
        // Cover started in 2013: the subsidy paid the first year, then nobody did.
        assert!(
            page.contains("lapse (tidak aktif)") && page.contains("Rp 10.400 per bulan"),
            "{db}: {page}"
        );
        assert!(page.contains("LPA (belum diserahkan)"), "{db}");
        // The list shows the member.
        let (_, list) = get(&app, "/askesos").await;
        assert!(
            list.contains(&format!("href=\"/askesos/members/{member}\""))
                && list.contains("lapse (tidak aktif)"),
            "{db}"
        );
        // Looking the NIK up again says so.
        let (_, again) = get(&app, &format!("/askesos?nik={NIK}&cover_start=2013-01-01")).await;
        assert!(
            again.contains("Sudah terdaftar sebagai peserta aktif (ASK-"),
            "{db}"
        );

        // A payment on the lapsed policy: the refusal, the input kept.
        let version = field(&page, "version");
        let csrf = csrf_of(&page);
        let today = selaras_store::today_utc().to_string();
        let (s, _, refused) = post_form(
            &app,
            &format!("/askesos/members/{member}/payments"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("form", "pay"),
                ("months", "1"),
                ("amount", "10.400"),
                ("payer", "member"),
                ("paid_on", &today),
                ("reference", "KW-0077"),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}: {refused}");
        assert!(
            refused.contains("id=\"galat\"") && refused.contains("polis lapse sejak 01/02/2014"),
            "{db}: {refused}"
        );
        assert!(
            refused.contains("value=\"KW-0077\""),
            "{db}: the input is kept"
        );
        assert!(
            refused.contains("Belum ada iuran tercatat."),
            "{db}: nothing was stored"
        );
        // Reinstating a policy lapsed for years: refused too.
        let (s, _, refused) = post_form(
            &app,
            &format!("/askesos/members/{member}/payments"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("form", "pay"),
                ("months", "200"),
                ("amount", ""),
                ("payer", "member"),
                ("reinstate", "1"),
                ("paid_on", &today),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}");
        assert!(
            refused.contains("batas pemulihan 180 hari"),
            "{db}: {refused}"
        );

        // The card: a stale version is a conflict shown on the page; then recorded.
        let (s, _, stale) = post_form(
            &app,
            &format!("/askesos/members/{member}/card"),
            &[
                ("csrf", &csrf),
                ("version", "0"),
                ("form", "card"),
                ("delivered_on", "2013-02-01"),
                ("delivered_to", NAME),
            ],
        )
        .await;
        assert_eq!(s, 409, "{db}");
        assert!(
            stale.contains("Tidak dapat dilakukan") && stale.contains("reload"),
            "{db}"
        );
        let (s, loc, _) = post_form(
            &app,
            &format!("/askesos/members/{member}/card"),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("form", "card"),
                ("delivered_on", "2013-02-01"),
                ("delivered_to", NAME),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (
                303,
                format!("/askesos/members/{member}?ok=card#kartu").as_str()
            ),
            "{db}"
        );
        let (_, page) = get(&app, &loc).await;
        assert!(
            page.contains(&format!("01/02/2013 · {NAME}"))
                && page.contains("Penyerahan kartu dicatat."),
            "{db}"
        );
        assert!(
            !page.contains("id=\"serahkan-kartu\""),
            "{db}: no second delivery"
        );
        // Without the CSRF token: refused.
        let (s, _, _) = post_form(
            &app,
            &format!("/askesos/members/{member}/heirs"),
            &[
                ("version", "2"),
                ("nik", CHILD),
                ("name", "x"),
                ("relation", "child"),
            ],
        )
        .await;
        assert_eq!(s, 400, "{db}");

        // English: the same pages, in English, with Indonesian formats.
        let (s, _, _) = app
            .get_with_location(&format!("/lang/en?back=/askesos/members/{member}"))
            .await;
        assert_eq!(s, 303);
        let (s, page) = get(&app, &format!("/askesos/members/{member}")).await;
        assert_eq!(s, 200, "{db}");
        assert!(page.contains("<html lang=\"en\">"), "{db}");
        for en in [
            "Membership card",
            "Contributions",
            "Heirs",
            "File a claim",
            "Policy and contributions",
            "Rp 10.400 a month",
            "lapsed",
            "Farm labourer",
            "spouse",
        ] {
            assert!(page.contains(en), "{db}: {en} on the English member page");
        }
        for id in [
            "Kartu peserta",
            "Ahli waris",
            "Ajukan klaim",
            "Iuran per bulan",
            "Tunggakan",
            "Buruh tani",
            "suami/istri",
            "belum diserahkan",
        ] {
            assert!(!page.contains(id), "{db}: {id} on the English member page");
        }
        let (_, page) = get(
            &app,
            &format!("/askesos?nik={CHILD}&cover_start=2013-01-01"),
        )
        .await;
        assert!(
            page.contains("<td>Age</td>")
                && page.contains("✗ failed")
                && page.contains("Not eligible"),
            "{db}"
        );
        assert!(
            !page.contains("Cek NIK") && page.contains("Look up a NIK"),
            "{db}"
        );
        let (_, page) = get(&app, "/askesos/reports").await;
        assert!(
            page.contains("Askesos reports") && page.contains("Members by policy status and card"),
            "{db}"
        );
        app.get_with_location("/lang/id?back=/").await;
    }
}

#[tokio::test]
async fn another_lpas_member_is_not_found_and_a_viewer_reads_reports_only() {
    for app in builder().build_all().await {
        let db = app.name;
        let one = lpa(&app, "LPA Satu", "askesos_ni").await;
        let two = lpa(&app, "LPA Dua", "askesos_ni").await;
        app.add_user("lpa.satu", Role::LpaStaff, "33.08", Some(one))
            .await;
        app.add_user("lpa.dua", Role::LpaStaff, "33.08", Some(two))
            .await;
        let member = enrol_api(&app, "lpa.satu", one, NIK, "2013-01-01").await;

        web_sign_in(&app, "lpa.dua").await;
        let (s, page) = get(&app, &format!("/askesos/members/{member}")).await;
        assert_eq!(s, 404, "{db}");
        assert!(
            page.contains("Tidak ditemukan") && !page.contains(NIK),
            "{db}: {page}"
        );
        let (_, page) = get(&app, "/askesos").await;
        assert!(
            page.contains("LPA Dua") && !page.contains("LPA Satu") && !page.contains(NIK),
            "{db}"
        );
        // Its forms are refused the same way.
        let csrf = csrf_of(&page);
        let (s, _, _) = post_form(
            &app,
            &format!("/askesos/members/{member}/card"),
            &[("csrf", &csrf), ("version", "1"), ("delivered_to", "x")],
        )
        .await;
        assert_eq!(s, 404, "{db}");
        // Another LPA's reports: 404.
        let (s, _) = get(&app, &format!("/askesos/reports?lpa={one}")).await;
        assert_eq!(s, 404, "{db}");

        // A viewer: the LPAs and the reports, no member.
        web_sign_in(&app, "pemantau").await;
        let (s, page) = get(&app, "/askesos").await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains("LPA Satu")
                && page.contains("LPA Dua")
                && page.contains("href=\"/askesos\""),
            "{db}"
        );
        assert!(
            !page.contains("id=\"peserta\"")
                && !page.contains(NIK)
                && !page.contains("value=\"designate\""),
            "{db}"
        );
        let (s, page) = get(&app, &format!("/askesos/members/{member}")).await;
        assert_eq!(s, 403, "{db}");
        assert!(!page.contains(NIK), "{db}");
        let (s, page) = get(&app, "/askesos/reports").await;
        assert_eq!(s, 200, "{db}: {page}");
        assert!(
            page.contains("LPA Satu") && page.contains("Peserta menurut status polis dan kartu"),
            "{db}"
        );
        let (s, _, body) = app.get("/exports/askesos/members.csv", None).await;
        assert_eq!((s, body.contains("cards_delivered")), (200, true), "{db}");

        // A facilitator has no Askesos.
        web_sign_in(&app, "fas").await;
        let (_, page) = get(&app, "/").await;
        assert!(!page.contains("href=\"/askesos\""), "{db}");
        let (s, _) = get(&app, "/askesos").await;
        assert_eq!(s, 403, "{db}");
    }
}

#[tokio::test]
async fn a_claim_from_filing_to_payment_and_the_reports_with_their_downloads() {
    for app in builder().build_all().await {
        let db = app.name;
        let one = lpa(&app, "LPA Sejahtera", "askesos_ni").await;
        app.add_user("lpa.sejahtera", Role::LpaStaff, "33.08", Some(one))
            .await;
        let member = enrol_api(&app, "lpa.sejahtera", one, NIK, "2013-01-01").await;

        web_sign_in(&app, "lpa.sejahtera").await;
        let (_, page) = get(&app, &format!("/askesos/members/{member}")).await;
        // The claim form offers the product's events only, and the documents of each.
        assert!(
            page.contains("<option value=\"accident\"")
                && !page.contains("<option value=\"illness\""),
            "{db}"
        );
        assert!(
            page.contains("value=\"laporan_kecelakaan\"")
                && page.contains("value=\"surat_keterangan_cacat\""),
            "{db}"
        );
        let csrf = csrf_of(&page);
        let version = field(&page, "version");
        let form = |docs: &'static [&'static str]| {
            let mut f: Vec<(&str, String)> = vec![
                ("csrf", csrf.clone()),
                ("version", version.clone()),
                ("form", "claim".into()),
                ("event", "accident".into()),
                ("event_date", "2013-05-10".into()),
                ("filed_on", "2013-05-20".into()),
                ("claimant_nik", NIK.into()),
                ("activity", "work".into()),
                ("occupation", "buruh_tani".into()),
                ("cost", "Rp 1.500.000".into()),
            ];
            for d in docs {
                f.push(("documents", d.to_string()));
            }
            f
        };
        // An accident away from work is not covered: refused with the reason, kept.
        let mut off_work = form(&["kartu_peserta"]);
        off_work.retain(|(k, _)| *k != "activity");
        off_work.push(("activity", "other".into()));
        let refs: Vec<(&str, &str)> = off_work.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, page) =
            post_form(&app, &format!("/askesos/members/{member}/claims"), &refs).await;
        assert_eq!(s, 422, "{db}: {page}");
        assert!(
            page.contains("Kegiatan saat kejadian") && page.contains("hanya saat bekerja"),
            "{db}: {page}"
        );
        assert!(
            page.contains("value=\"Rp 1.500.000\""),
            "{db}: the cost is kept"
        );
        assert!(
            page.contains(
                "id=\"doc-kartu_peserta\" name=\"documents\" value=\"kartu_peserta\" checked"
            ),
            "{db}"
        );
        // Filed with two documents (a death certificate is not the accident's: ignored).
        let f = form(&["kartu_peserta", "ktp", "akta_kematian"]);
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, loc, _) =
            post_form(&app, &format!("/askesos/members/{member}/claims"), &refs).await;
        assert_eq!(s, 303, "{db}");
        assert!(
            loc.starts_with("/askesos/claims/") && loc.ends_with("?ok=claim"),
            "{loc}"
        );
        let claim = loc
            .trim_start_matches("/askesos/claims/")
            .trim_end_matches("?ok=claim")
            .to_string();
        let (s, page) = get(&app, &loc).await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains("KLM-")
                && page.contains("Klaim diajukan.")
                && page.contains(">diterima<"),
            "{db}: {page}"
        );
        assert!(
            page.contains("Laporan kecelakaan <span class=\"muted\">(belum ada)"),
            "{db}"
        );
        assert!(
            page.contains("value=\"verify\"") && !page.contains("value=\"approve\""),
            "{db}"
        );
        assert!(
            page.contains("Rp 1.500.000") && page.contains("Buruh tani"),
            "{db}"
        );
        // Verifying while documents are missing: refused.
        let csrf = csrf_of(&page);
        let cv = field(&page, "version");
        let (s, _, page) = post_form(
            &app,
            &format!("/askesos/claims/{claim}/actions"),
            &[
                ("csrf", &csrf),
                ("version", &cv),
                ("form", "verify"),
                ("action", "verify"),
                ("documents", "laporan_kecelakaan"),
                ("complete_on", "2013-05-25"),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}: {page}");
        assert!(
            page.contains("belum lengkap: kuitansi_perawatan"),
            "{db}: {page}"
        );
        let (s, loc, _) = post_form(
            &app,
            &format!("/askesos/claims/{claim}/actions"),
            &[
                ("csrf", &csrf),
                ("version", &cv),
                ("form", "verify"),
                ("action", "verify"),
                ("documents", "laporan_kecelakaan"),
                ("documents", "kuitansi_perawatan"),
                ("complete_on", "2013-05-27"),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (303, format!("/askesos/claims/{claim}?ok=verify").as_str()),
            "{db}"
        );
        let (_, page) = get(&app, &loc).await;
        assert!(
            page.contains("diverifikasi LPA") && page.contains("Dokumen lengkap."),
            "{db}"
        );
        // 14 working days from Monday 27 May 2013 (no holidays of 2013 in between
        // before 14 June? the calendar decides): the due day is shown.
        assert!(
            page.contains("27/05/2013") && page.contains("14 hari kerja"),
            "{db}: {page}"
        );
        // The LPA cannot decide a claim of the insurer-run product.
        assert!(
            !page.contains("value=\"approve\"") && !page.contains("value=\"reject\""),
            "{db}"
        );

        // The district office: the claim waits for it; rejecting needs a note; approve, pay.
        web_sign_in(&app, "dinsos").await;
        let (_, home) = get(&app, "/askesos").await;
        assert!(
            home.contains(&format!("href=\"/askesos/claims/{claim}\""))
                && home.contains("Klaim menunggu tindakan Anda"),
            "{db}: {home}"
        );
        let (_, page) = get(&app, &format!("/askesos/claims/{claim}")).await;
        assert!(
            page.contains("value=\"approve\"")
                && page.contains("value=\"reject\"")
                && !page.contains("value=\"verify\""),
            "{db}"
        );
        let csrf = csrf_of(&page);
        let cv = field(&page, "version");
        let (s, _, refused) = post_form(
            &app,
            &format!("/askesos/claims/{claim}/actions"),
            &[
                ("csrf", &csrf),
                ("version", &cv),
                ("action", "reject"),
                ("note", "  "),
            ],
        )
        .await;
        assert_eq!(s, 422, "{db}");
        assert!(refused.contains("Catatan"), "{db}: {refused}");
        let (s, _, _) = post_form(
            &app,
            &format!("/askesos/claims/{claim}/actions"),
            &[
                ("csrf", &csrf),
                ("version", &cv),
                ("action", "approve"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(s, 303, "{db}");
        let (_, page) = get(&app, &format!("/askesos/claims/{claim}?ok=approve")).await;
        assert!(
            page.contains(">disetujui<") && page.contains("<dd id=\"manfaat\">Rp 1.500.000</dd>"),
            "{db}: {page}"
        );
        assert!(
            page.contains("biaya Rp 1.500.000, paling banyak Rp 20.000.000"),
            "{db}"
        );
        let cv = field(&page, "version");
        let today = selaras_store::today_utc();
        let (s, _, _) = post_form(
            &app,
            &format!("/askesos/claims/{claim}/actions"),
            &[
                ("csrf", &csrf),
                ("version", &cv),
                ("action", "pay"),
                ("paid_on", &today.to_string()),
            ],
        )
        .await;
        assert_eq!(s, 303, "{db}");
        let (_, page) = get(&app, &format!("/askesos/claims/{claim}?ok=pay")).await;
        assert!(
            page.contains(">dibayar<")
                && page.contains("Pembayaran klaim dicatat.")
                && page.contains(&today.to_id_string()),
            "{db}"
        );
        // Paid years after the due day: late.
        assert!(
            page.contains("<span class=\"badge\">terlambat</span>"),
            "{db}"
        );
        assert!(
            !page.contains("id=\"tindakan\""),
            "{db}: nothing left to do"
        );
        for step in [
            "diajukan",
            "verifikasi kelengkapan",
            "setujui",
            "catat pembayaran",
        ] {
            assert!(
                page.contains(&format!("<strong>{step}</strong>")),
                "{db}: {step} in the history"
            );
        }

        // The reports: the claim paid this year, late; the member lapsed; the card not given.
        let year = today.year();
        let (s, page) = get(&app, "/askesos/reports").await;
        assert_eq!(s, 200, "{db}");
        assert!(
            page.contains(&format!("01/01/{year} sampai 31/12/{year}")),
            "{db}"
        );
        assert!(
            page.contains("LPA Sejahtera") && page.contains("<td class=\"num\">Rp 1.500.000</td>"),
            "{db}: {page}"
        );
        let money_row = page
            .split("id=\"money\"")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap();
        assert!(
            money_row.contains(&format!("<td>{year}</td>")),
            "{db}: {money_row}"
        );
        let late = page
            .split("id=\"lateness\"")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap();
        assert!(
            late.contains(
                "<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td>"
            ),
            "{db}: {late}"
        );
        let members = page
            .split("id=\"members\"")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap();
        // members 1, subsidised 0, self-paying 0, in arrears 0, lapsed 1, ended 0, cards 0 / 1
        assert!(members.contains("<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td>"), "{db}: {members}");
        // By regency: the regency's name.
        let (_, page) = get(&app, "/askesos/reports?by=region").await;
        assert!(
            page.contains("<td>33.08</td><td>Kabupaten Magelang</td>"),
            "{db}: {page}"
        );
        // A bad date: the notice on the page.
        let (s, page) = get(&app, "/askesos/reports?from=2026-13-01").await;
        assert_eq!(s, 422, "{db}");
        assert!(
            page.contains("id=\"galat\"") && page.contains("Dari"),
            "{db}"
        );

        // The downloads, with the page's filters.
        let (s, ct, csv) = app
            .get(
                &format!("/exports/askesos/money.csv?region=&lpa={one}&by=lpa&from=&to="),
                None,
            )
            .await;
        assert_eq!(s, 200, "{db}: {csv}");
        assert!(ct.starts_with("text/csv"), "{ct}");
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "group,name,year,member_contributions,lpa_contributions,subsidy,total_in,claims_paid,claims_paid_amount,claims_share,lpa_fees",
            "{db}"
        );
        assert_eq!(
            lines[1],
            // No money came in that year: the claims' share is empty, not 0 %.
            format!("{one},LPA Sejahtera,{year},0,0,0,0,1,1500000,,0"),
            "{db}"
        );
        let (s, _, csv) = app.get("/exports/askesos/lateness.csv", None).await;
        assert_eq!(s, 200);
        assert!(
            csv.contains(&format!("{one},LPA Sejahtera,1,1,0")),
            "{db}: {csv}"
        );
        let (s, _, csv) = app.get("/exports/askesos/retention.csv", None).await;
        assert_eq!(s, 200);
        assert!(
            csv.contains(&format!("{one},LPA Sejahtera,1,0,0")),
            "{db}: {csv}"
        );
        let r = app
            .http
            .get(format!(
                "{}/exports/askesos/members.xlsx?by=region",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{db}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml"));
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("askesos-members-33.08.xlsx"),
            "{db}"
        );
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK") && bytes.len() > 1_000, "{db}");
        for bad in [
            "/exports/askesos/nothing.csv",
            "/exports/askesos/money.pdf",
            "/exports/askesos/money.txt",
        ] {
            let (s, _, _) = app.get(bad, None).await;
            assert_eq!(s, 404, "{db}: {bad}");
        }
        let (s, _, _) = app.get("/exports/askesos/money.csv?lpa=x", None).await;
        assert_eq!(s, 422, "{db}");
        // Without a session: 401 for a program, /login for a browser.
        let anon = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = anon
            .get(format!("{}/exports/askesos/money.csv", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let r = anon
            .get(format!("{}/askesos", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
    }
}

/// Retention after the subsidy, shown from the report's tenths of a percent: 1 of 3
/// members still paying is `33,3 %`.
#[tokio::test]
async fn retention_after_the_subsidy_is_a_percent_with_a_decimal_comma() {
    for app in builder().build_all().await {
        let db = app.name;
        let reform = lpa(&app, "LPA Reformasi", "askesos_reform").await;
        app.add_user("lpa.reformasi", Role::LpaStaff, "33.08", Some(reform))
            .await;
        let today = selaras_store::today_utc();
        let years_back =
            |d: Date| Date::from_ymd(d.year() - 3, d.month(), d.day().min(28)).unwrap();
        // The 36 subsidised months ended 10 days ago for the first, two months ago for
        // the others (lapsed by now).
        let recent = years_back(today.plus_days(-10)).to_string();
        let earlier = years_back(today.plus_days(-70)).to_string();
        let paying = enrol_api(&app, "lpa.reformasi", reform, OTHERS[0], &recent).await;
        enrol_api(&app, "lpa.reformasi", reform, OTHERS[1], &earlier).await;
        enrol_api(&app, "lpa.reformasi", reform, OTHERS[2], &earlier).await;

        web_sign_in(&app, "lpa.reformasi").await;
        let (_, page) = get(&app, &format!("/askesos/members/{paying}")).await;
        assert!(page.contains("menunggak (masa tenggang)"), "{db}: {page}");
        // The form suggests the month in arrears; the amount is computed when left empty.
        assert_eq!(field(&page, "months"), "1");
        let (s, loc, _) = post_form(
            &app,
            &format!("/askesos/members/{paying}/payments"),
            &[
                ("csrf", &csrf_of(&page)),
                ("version", &field(&page, "version")),
                ("form", "pay"),
                ("months", "1"),
                ("amount", ""),
                ("payer", "member"),
                ("paid_on", &today.to_string()),
            ],
        )
        .await;
        assert_eq!(s, 303, "{db}");
        let (_, page) = get(&app, &loc).await;
        assert!(
            page.contains("Iuran dicatat.") && page.contains("aktif, iuran mandiri"),
            "{db}: {page}"
        );
        assert!(page.contains("<td class=\"num\">Rp 10.400</td>"), "{db}");

        let (_, page) = get(&app, "/askesos/reports").await;
        let retention = page
            .split("id=\"retention\"")
            .nth(1)
            .unwrap()
            .split("</section>")
            .next()
            .unwrap();
        assert!(
            retention.contains("<td>LPA Reformasi</td><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">33,3 %</td>"),
            "{db}: {retention}"
        );
        let (_, _, csv) = app.get("/exports/askesos/retention.csv", None).await;
        assert!(
            csv.contains(&format!("{reform},LPA Reformasi,3,1,33.3")),
            "{db}: {csv}"
        );
    }
}
