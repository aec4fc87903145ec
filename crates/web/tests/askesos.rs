//! Issue #7: Askesos through the API, on every configured database. A member of each
//! product version is walked through enrolment, a year of contributions, lapse and
//! reinstatement, and each claim type with the sources' amounts; every refusal the issue
//! names is tried (and shown to store nothing); the reports reproduce figures computed
//! by hand below.
//!
//! The people are from the conformance registry, ranked (`.ranked()`), in regency 33.08:
//! - M1 3308011804789824 (head, self-employed, born 1978, decile 4), old scheme from
//!   10/03/2005; his wife 3308015110790045 works too, so she is not the main earner.
//! - M2 3308172001885444 (head, unpaid family worker, born 1988, married, decile 2), New
//!   Initiative from 01/01/2013; heir: his wife 3308175806858005.
//! - M3 3308181406893856 (head, self-employed, born 1989, decile 1), reform from
//!   01/01/2016; heir: his wife 3308184107950323.

mod common;

use common::TestApp;
use selaras_domain::access::Role;
use serde_json::{json, Value};

const M1: &str = "3308011804789824";
const M1_WIFE: &str = "3308015110790045";
const M2: &str = "3308172001885444";
const M2_WIFE: &str = "3308175806858005";
const M3: &str = "3308181406893856";
const M3_WIFE: &str = "3308184107950323";

struct Api<'a> {
    app: &'a TestApp,
}

impl Api<'_> {
    async fn call(&self, who: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.app.token(who).await;
        let (s, _, v) = self.app.send(method, path, Some(&token), body).await;
        (s, v)
    }

    async fn ok(&self, who: &str, method: &str, path: &str, body: Value, want: u16) -> Value {
        let (s, v) = self.call(who, method, path, Some(body)).await;
        assert_eq!(s, want, "{} {method} {path} as {who}: {v}", self.app.name);
        v
    }

    async fn get(&self, who: &str, path: &str) -> Value {
        let (s, v) = self.call(who, "GET", path, None).await;
        assert_eq!(s, 200, "{} GET {path} as {who}: {v}", self.app.name);
        v
    }

    /// A refusal: the status and, for 422, the field named.
    async fn refused(
        &self,
        who: &str,
        method: &str,
        path: &str,
        body: Value,
        status: u16,
        field: Option<&str>,
    ) -> Value {
        let (s, v) = self.call(who, method, path, Some(body)).await;
        assert_eq!(s, status, "{} {method} {path} as {who}: {v}", self.app.name);
        if let Some(f) = field {
            assert_eq!(v["field"], f, "{}: {v}", self.app.name);
        }
        v
    }

    async fn version(&self, who: &str, member: i64) -> i64 {
        self.get(who, &format!("/api/v1/askesos/members/{member}"))
            .await["version"]
            .as_i64()
            .unwrap()
    }

    async fn pay(
        &self,
        who: &str,
        member: i64,
        on: &str,
        (months, amount): (u32, i64),
        payer: &str,
        reinstate: bool,
    ) -> (u16, Value) {
        let v = self.version(who, member).await;
        self.call(
            who,
            "POST",
            &format!("/api/v1/askesos/members/{member}/payments"),
            Some(
                json!({"version": v, "paid_on": on, "months": months, "amount": amount,
                        "payer": payer, "reinstate": reinstate}),
            ),
        )
        .await
    }

    async fn claim(&self, who: &str, member: i64, mut body: Value) -> (u16, Value) {
        body["version"] = self.version(who, member).await.into();
        self.call(
            who,
            "POST",
            &format!("/api/v1/askesos/members/{member}/claims"),
            Some(body),
        )
        .await
    }

    /// Verifies (documents complete on `complete_on`), approves and pays a claim.
    async fn settle(
        &self,
        lpa: &str,
        decider: &str,
        claim: &Value,
        complete_on: &str,
        paid_on: &str,
    ) -> Value {
        let id = claim["id"].as_i64().unwrap();
        let path = format!("/api/v1/askesos/claims/{id}/actions");
        let c = self
            .ok(
                lpa,
                "POST",
                &path,
                json!({"version": claim["version"], "action": "verify",
                "documents": claim["checklist"], "complete_on": complete_on}),
                200,
            )
            .await;
        let c = self
            .ok(
                decider,
                "POST",
                &path,
                json!({"version": c["version"], "action": "approve"}),
                200,
            )
            .await;
        self.ok(
            decider,
            "POST",
            &path,
            json!({"version": c["version"], "action": "pay", "paid_on": paid_on}),
            200,
        )
        .await
    }
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

#[tokio::test]
async fn askesos_products_members_contributions_claims_and_reports() {
    let apps = TestApp::builder()
        .ranked()
        .user("man", Role::Manager, "33.08")
        .user("man.luar", Role::Manager, "33.14")
        .program_user("po.askesos", "national", "askesos")
        .user("pemantau", Role::Viewer, "national")
        .user("admin", Role::Admin, "national")
        .build_all()
        .await;
    for app in &apps {
        walk(app).await;
    }
}

async fn walk(app: &TestApp) {
    let api = Api { app };

    // ---- LPAs: proposed by the district office, designated by the ministry.
    let mut lpa = Vec::new();
    for (name, product) in [
        ("Yayasan Sejahtera Bersama", "askesos_2003"),
        ("Orsos Karya Mandiri", "askesos_ni"),
        ("Perkumpulan Tani Makmur", "askesos_reform"),
    ] {
        let body = json!({"name": name, "legal_form": "yayasan", "region": "33.08",
                          "address": "Jl. Uji 1", "product_code": product});
        let l = api
            .ok("man", "POST", "/api/v1/askesos/lpas", body, 201)
            .await;
        assert_eq!(l["status"], "proposed");
        lpa.push(l);
    }
    let base = json!({"name": "X", "legal_form": "yayasan", "region": "33.08", "product_code": "askesos_ni"});
    let mut bad = base.clone();
    bad["legal_form"] = "pt".into();
    api.refused(
        "man",
        "POST",
        "/api/v1/askesos/lpas",
        bad,
        422,
        Some("legal_form"),
    )
    .await;
    let mut bad = base.clone();
    bad["product_code"] = "askesos_1999".into();
    api.refused(
        "man",
        "POST",
        "/api/v1/askesos/lpas",
        bad,
        422,
        Some("product_code"),
    )
    .await;
    api.refused(
        "man.luar",
        "POST",
        "/api/v1/askesos/lpas",
        base.clone(),
        404,
        None,
    )
    .await;
    api.refused("pemantau", "POST", "/api/v1/askesos/lpas", base, 403, None)
        .await;
    let a = id(&lpa[0]);
    // Only a designated LPA enrols.
    app.add_user("lpa.a", Role::LpaStaff, "33.08", Some(a))
        .await;
    api.refused(
        "lpa.a",
        "POST",
        "/api/v1/askesos/members",
        json!({"lpa_id": a, "nik": M1, "occupation": "buruh_tani"}),
        409,
        None,
    )
    .await;
    for (l, on) in lpa
        .iter_mut()
        .zip(["2003-01-02", "2012-01-02", "2015-07-01"])
    {
        let path = format!("/api/v1/askesos/lpas/{}/standing", id(l));
        let body = json!({"version": l["version"], "action": "designate", "designated_by": "kemensos", "designated_on": on});
        api.refused("man", "POST", &path, body.clone(), 403, None)
            .await;
        *l = api.ok("po.askesos", "POST", &path, body, 200).await;
        assert_eq!(l["status"], "designated");
    }
    let (b, c) = (id(&lpa[1]), id(&lpa[2]));
    app.add_user("lpa.b", Role::LpaStaff, "33.08", Some(b))
        .await;
    app.add_user("lpa.c", Role::LpaStaff, "33.08", Some(c))
        .await;
    // LPA staff see their own LPA only.
    let own = api.get("lpa.b", "/api/v1/askesos/lpas").await;
    assert_eq!(own.as_array().unwrap().len(), 1, "{own}");
    let (s, _) = api
        .call("lpa.b", "GET", &format!("/api/v1/askesos/lpas/{a}"), None)
        .await;
    assert_eq!(s, 404);

    // ---- Eligibility with reasons.
    let e = api
        .get(
            "lpa.a",
            &format!("/api/v1/askesos/eligibility?lpa={a}&nik={M1}&on=2005-03-10"),
        )
        .await;
    assert_eq!(e["eligible"], true, "{e}");
    let e = api
        .get(
            "lpa.a",
            &format!("/api/v1/askesos/eligibility?lpa={a}&nik={M1_WIFE}&on=2005-03-10"),
        )
        .await;
    assert_eq!(e["eligible"], false);
    let failed: Vec<&str> = e["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["passed"] == false)
        .map(|c| c["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["role"], "{e}");

    // ---- Old scheme: M1.
    let members_before = count_rows(app, "askesos_members").await;
    let v = api
        .refused("lpa.a", "POST", "/api/v1/askesos/members",
            json!({"lpa_id": a, "nik": M1_WIFE, "occupation": "buruh_tani", "cover_start": "2005-03-10"}),
            422, Some("nik"))
        .await;
    assert!(v["detail"].as_str().unwrap().contains("role:"), "{v}");
    // Bad heirs are refused by name, and nothing is stored.
    api.refused(
        "lpa.a",
        "POST",
        "/api/v1/askesos/members",
        json!({"lpa_id": a, "nik": M1, "occupation": "buruh_tani", "cover_start": "2005-03-10",
               "heirs": [{"nik": M1_WIFE, "name": "Istri", "relation": "wife"}]}),
        422,
        Some("heirs[0].relation"),
    )
    .await;
    api.refused(
        "lpa.b",
        "POST",
        "/api/v1/askesos/members",
        json!({"lpa_id": a, "nik": M1, "occupation": "buruh_tani"}),
        404,
        None,
    )
    .await;
    assert_eq!(count_rows(app, "askesos_members").await, members_before);
    let m1 = api
        .ok(
            "lpa.a",
            "POST",
            "/api/v1/askesos/members",
            json!({"lpa_id": a, "nik": M1, "occupation": "buruh_tani", "cover_start": "2005-03-10",
                   "heirs": [{"nik": M1_WIFE, "name": "Istri M1", "relation": "spouse"}]}),
            201,
        )
        .await;
    let m1_id = id(&m1);
    assert!(m1["member_no"].as_str().unwrap().starts_with("ASK-"));
    assert_eq!(m1["card_holder"], "lpa");
    // The old scheme's fund: Rp 365.000 recorded at enrolment.
    assert_eq!(m1["payments"][0]["amount"], 365_000);
    assert_eq!(m1["payments"][0]["payer"], "enrolment");
    // A duplicate member.
    let v = api
        .refused("lpa.a", "POST", "/api/v1/askesos/members",
            json!({"lpa_id": a, "nik": M1, "occupation": "buruh_tani", "cover_start": "2005-04-01"}),
            409, None)
        .await;
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains(m1["member_no"].as_str().unwrap()),
        "{v}"
    );
    // A year of savings (Rp 5.000 a month, each on its due day).
    for k in 0..12u32 {
        let due = format!("{}-{:02}-10", 2005 + (2 + k) / 12, (2 + k) % 12 + 1);
        let (s, v) = api
            .pay("lpa.a", m1_id, &due, (1, 5_000), "member", false)
            .await;
        assert_eq!(s, 201, "{}: {due}: {v}", app.name);
    }
    // A stale version is refused and stores nothing.
    let pays = count_rows(app, "askesos_payments").await;
    api.refused("lpa.a", "POST", &format!("/api/v1/askesos/members/{m1_id}/payments"),
        json!({"version": 1, "paid_on": "2006-03-01", "months": 1, "amount": 5000, "payer": "member"}),
        409, None).await;
    // Month 13 (10/03/2006) unpaid: lapsed from 10/04/2006. A payment for the lapsed
    // policy is refused; the reinstatement must clear the three months in arrears.
    let (s, v) = api
        .pay("lpa.a", m1_id, "2006-05-15", (1, 5_000), "member", false)
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("reinstate")), "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("lapse sejak 10/04/2006"),
        "{v}"
    );
    let (s, v) = api
        .pay("lpa.a", m1_id, "2006-05-15", (2, 10_000), "member", true)
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("months")), "{v}");
    assert_eq!(count_rows(app, "askesos_payments").await, pays);
    let (s, v) = api
        .pay("lpa.a", m1_id, "2006-05-15", (3, 15_000), "member", true)
        .await;
    assert_eq!(s, 201, "{v}");
    let view = api
        .get("lpa.a", &format!("/api/v1/askesos/members/{m1_id}"))
        .await;
    assert_eq!(
        view["ledger"]["gaps"],
        json!([["2006-04-10", "2006-05-15"]])
    );
    assert_eq!(view["ledger"]["member_months_paid"], 15);
    // Claims: illness (5–10 days) and accident Rp 250.000, at most 3 together.
    let docs_ill = json!(["kartu_peserta", "ktp", "surat_keterangan_sakit"]);
    let (s, v) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "illness", "event_date": "2005-06-01",
        "filed_on": "2005-06-20", "claimant_nik": M1, "illness_days": 11}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("illness_days")), "{v}");
    let (s, ill) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "illness", "event_date": "2005-06-01",
        "filed_on": "2005-06-20", "claimant_nik": M1, "illness_days": 7, "documents": docs_ill}),
        )
        .await;
    assert_eq!(s, 201, "{ill}");
    assert_eq!(ill["state"], "received");
    assert!(ill["missing_documents"].as_array().unwrap().is_empty());
    // Under the old scheme the LPA runs the fund, so it decides and pays.
    let paid = api
        .settle("lpa.a", "lpa.a", &ill, "2005-06-21", "2005-07-01")
        .await;
    assert_eq!(
        (paid["state"].as_str(), paid["amount"].as_i64()),
        (Some("paid"), Some(250_000))
    );
    assert_eq!(paid["paid_to"], M1);
    for (event, day, days) in [
        ("accident", "2005-09-01", None),
        ("illness", "2005-10-01", Some(8)),
    ] {
        let (s, v) = api
            .claim(
                "lpa.a",
                m1_id,
                json!({"event": event, "event_date": day,
            "filed_on": day, "claimant_nik": M1, "illness_days": days}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
    }
    let (s, v) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "illness", "event_date": "2005-11-01",
        "filed_on": "2005-11-02", "claimant_nik": M1, "illness_days": 6}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("event")), "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .contains("paling banyak 3 kali"),
        "{v}"
    );
    // An accident while the policy was lapsed, a claim before cover started, a claim by
    // someone who is not an heir.
    let (s, v) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "accident", "event_date": "2006-04-20",
        "filed_on": "2006-05-20", "claimant_nik": M1}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("event_date")), "{v}");
    let (s, v) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "death", "event_date": "2005-03-01",
        "filed_on": "2005-03-05", "claimant_nik": M1_WIFE}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("event_date")), "{v}");
    let (s, v) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "death", "event_date": "2006-06-01",
        "filed_on": "2006-06-05", "claimant_nik": M2}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("claimant_nik")), "{v}");
    // Death in membership year 2: Rp 600.000 to the heir.
    let (s, death) = api
        .claim(
            "lpa.a",
            m1_id,
            json!({"event": "death", "event_date": "2006-06-01",
        "filed_on": "2006-06-05", "claimant_nik": M1_WIFE}),
        )
        .await;
    assert_eq!(s, 201, "{death}");
    let paid = api
        .settle("lpa.a", "lpa.a", &death, "2006-06-06", "2006-06-12")
        .await;
    assert_eq!(
        (paid["amount"].as_i64(), paid["paid_to"].as_str()),
        (Some(600_000), Some(M1_WIFE))
    );
    assert_eq!(paid["basis"], "tahun kepesertaan ke-2: Rp 600.000");
    // Reading a claim names the heir: it is audited, and another LPA's staff get 404.
    let reads = "audit_log WHERE action = 'read.askesos_claim'";
    let before = count_rows(app, reads).await;
    let claim_path = format!(
        "/api/v1/askesos/claims/{}",
        paid["claim_no"].as_str().unwrap()
    );
    let got = api.get("lpa.a", &claim_path).await;
    assert_eq!(got["claimant_nik"], M1_WIFE);
    assert_eq!(count_rows(app, reads).await, before + 1);
    let (s, _) = api.call("lpa.b", "GET", &claim_path, None).await;
    assert_eq!(s, 404);

    // ---- New Initiative: M2.
    let m2 = api
        .ok(
            "lpa.b",
            "POST",
            "/api/v1/askesos/members",
            json!({"lpa_id": b, "nik": M2, "occupation": "tukang_ojek", "cover_start": "2013-01-01",
                   "heirs": [{"nik": M2_WIFE, "name": "Istri M2", "relation": "spouse"}]}),
            201,
        )
        .await;
    let m2_id = id(&m2);
    // The government's premium, Rp 10.400 × 12, recorded by the district office in two
    // instalments; LPA staff may not record it; a third finds nothing left.
    let subsidy = format!("/api/v1/askesos/lpas/{b}/subsidy");
    api.refused(
        "lpa.b",
        "POST",
        &subsidy,
        json!({"months": 6, "paid_on": "2013-01-05"}),
        403,
        None,
    )
    .await;
    for on in ["2013-01-05", "2013-07-05"] {
        let r = api
            .ok(
                "man",
                "POST",
                &subsidy,
                json!({"months": 6, "paid_on": on}),
                200,
            )
            .await;
        assert_eq!(
            (r["members_paid"].as_i64(), r["amount"].as_i64()),
            (Some(1), Some(62_400)),
            "{r}"
        );
    }
    let r = api
        .ok(
            "man",
            "POST",
            &subsidy,
            json!({"months": 6, "paid_on": "2013-08-05"}),
            200,
        )
        .await;
    assert_eq!(r["members_paid"], 0, "{r}");
    let v = api
        .get("lpa.b", &format!("/api/v1/askesos/members/{m2_id}"))
        .await;
    assert_eq!(v["ledger"]["subsidy_months_paid"], 12);
    // Month 13 paid by the member; month 14 (01/02/2014) not: lapsed from 04/03/2014.
    let (s, v) = api
        .pay("lpa.b", m2_id, "2014-01-03", (1, 10_400), "member", false)
        .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = api
        .pay("lpa.b", m2_id, "2014-03-10", (1, 10_400), "member", false)
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("reinstate")), "{v}");
    // The LPA pays the arrears (months 14–15) to reinstate.
    let (s, v) = api
        .pay("lpa.b", m2_id, "2014-03-10", (2, 20_800), "lpa", true)
        .await;
    assert_eq!(s, 201, "{v}");
    // A work accident counts only at the occupation of enrolment, or commuting.
    let (s, v) = api.claim("lpa.b", m2_id, json!({"event": "accident", "event_date": "2013-05-01",
        "filed_on": "2013-05-03", "claimant_nik": M2, "activity": "work", "occupation": "buruh_bangunan",
        "cost": 25_000_000})).await;
    assert_eq!((s, v["field"].as_str()), (422, Some("occupation")), "{v}");
    let (s, v) = api
        .claim(
            "lpa.b",
            m2_id,
            json!({"event": "illness", "event_date": "2013-05-01",
        "filed_on": "2013-05-03", "claimant_nik": M2, "illness_days": 6}),
        )
        .await;
    assert_eq!((s, v["field"].as_str()), (422, Some("event")), "{v}");
    let mut amounts = Vec::new();
    for (body, complete, paid_on) in [
        (
            json!({"event": "accident", "event_date": "2013-05-01", "filed_on": "2013-05-03",
                "claimant_nik": M2, "activity": "commute", "cost": 25_000_000}),
            "2013-05-06",
            "2013-05-20",
        ),
        (
            json!({"event": "dentures", "event_date": "2013-05-01", "filed_on": "2013-05-03",
                "claimant_nik": M2, "activity": "work", "occupation": "tukang_ojek", "cost": 1_500_000}),
            "2013-05-06",
            "2013-05-20",
        ),
        (
            json!({"event": "partial_disability", "event_date": "2014-04-01", "filed_on": "2014-04-02",
                "claimant_nik": M2, "activity": "work"}),
            "2014-04-03",
            "2014-04-10",
        ),
        (
            json!({"event": "death_work_accident", "event_date": "2014-04-20", "filed_on": "2014-07-22",
                "claimant_nik": M2_WIFE, "activity": "commute"}),
            "2014-07-25",
            "2014-08-07",
        ),
    ] {
        let (s, c) = api.claim("lpa.b", m2_id, body).await;
        assert_eq!(s, 201, "{c}");
        // The insurer's decision is recorded by the district office, not the LPA.
        let cid = id(&c);
        let path = format!("/api/v1/askesos/claims/{cid}/actions");
        let verified = api
            .ok(
                "lpa.b",
                "POST",
                &path,
                json!({"version": c["version"], "action": "verify",
                "documents": c["checklist"], "complete_on": complete}),
                200,
            )
            .await;
        api.refused(
            "lpa.b",
            "POST",
            &path,
            json!({"version": verified["version"], "action": "approve"}),
            403,
            None,
        )
        .await;
        let approved = api
            .ok(
                "man",
                "POST",
                &path,
                json!({"version": verified["version"], "action": "approve"}),
                200,
            )
            .await;
        // Two deciders at once: one wins, the other gets 409.
        api.refused(
            "po.askesos",
            "POST",
            &path,
            json!({"version": verified["version"], "action": "approve"}),
            409,
            None,
        )
        .await;
        let paid = api
            .ok(
                "man",
                "POST",
                &path,
                json!({"version": approved["version"], "action": "pay", "paid_on": paid_on}),
                200,
            )
            .await;
        amounts.push((
            paid["event"].as_str().unwrap().to_string(),
            paid["amount"].as_i64().unwrap(),
            paid["late"].as_bool().unwrap(),
            paid["due_on"].clone(),
        ));
    }
    assert_eq!(amounts[0].1, 20_000_000);
    assert_eq!(amounts[1].1, 1_500_000);
    assert_eq!(amounts[2].1, 56_000_000);
    assert_eq!(amounts[3].1, 48_000_000);
    // Complete on Friday 25/07/2014; 28–29 July Idul Fitri, 30 July–1 August joint leave:
    // the third working day is Wednesday 06/08/2014. Paid on the 7th: late.
    assert_eq!(amounts[3].3, "2014-08-06");
    assert!(amounts[3].2 && !amounts[2].2, "{amounts:?}");

    // ---- Reform: M3, enrolled without heirs; an heir added later.
    let m3 = api
        .ok("lpa.c", "POST", "/api/v1/askesos/members",
            json!({"lpa_id": c, "nik": M3, "occupation": "buruh_tani", "cover_start": "2016-01-01"}), 201)
        .await;
    let m3_id = id(&m3);
    let v = api.version("lpa.c", m3_id).await;
    api.refused(
        "lpa.c",
        "POST",
        &format!("/api/v1/askesos/members/{m3_id}/heirs"),
        json!({"version": v, "nik": M3, "name": "Diri", "relation": "spouse"}),
        422,
        Some("nik"),
    )
    .await;
    api.ok(
        "lpa.c",
        "POST",
        &format!("/api/v1/askesos/members/{m3_id}/heirs"),
        json!({"version": v, "nik": M3_WIFE, "name": "Istri M3", "relation": "spouse"}),
        201,
    )
    .await;
    // The card reaches the member (a problem of the field: cards kept at the LPA).
    let v = api.version("lpa.c", m3_id).await;
    let card = api
        .ok(
            "lpa.c",
            "POST",
            &format!("/api/v1/askesos/members/{m3_id}/card"),
            json!({"version": v, "delivered_on": "2016-02-01", "delivered_to": "Peserta sendiri"}),
            200,
        )
        .await;
    assert_eq!(card["card_holder"], "member");
    let r = api
        .ok(
            "man",
            "POST",
            &format!("/api/v1/askesos/lpas/{c}/subsidy"),
            json!({"months": 36, "paid_on": "2016-01-04"}),
            200,
        )
        .await;
    assert_eq!(r["amount"], 374_400);
    let (s, acc) = api
        .claim(
            "lpa.c",
            m3_id,
            json!({"event": "accident", "event_date": "2017-02-01",
        "filed_on": "2017-02-02", "claimant_nik": M3, "activity": "work", "cost": 12_000_000}),
        )
        .await;
    assert_eq!(s, 201, "{acc}");
    let paid = api
        .settle("lpa.c", "man", &acc, "2017-02-03", "2017-02-10")
        .await;
    assert_eq!(paid["amount"], 10_000_000);
    // The registry records M3's death: the sweep ends the membership and opens the death
    // claim for his heir, dated the day of the registry's record.
    app.sql(&format!(
        "UPDATE members SET exit_state = 'deceased', version = version + 1, valid_from = '2018-03-05T08:00:00Z' WHERE nik = '{M3}'"
    ))
    .await;
    let state = selaras_web::AppState::new(app.store.clone(), false);
    let today = selaras_web::askesos::today();
    let r = selaras_web::askesos::sweep(&state, today).await.unwrap();
    assert_eq!((r.deaths, r.death_claims_opened), (1, 1), "{r:?}");
    // Run again: nothing more.
    let r = selaras_web::askesos::sweep(&state, today).await.unwrap();
    assert_eq!(r.deaths, 0);
    let v = api
        .get("lpa.c", &format!("/api/v1/askesos/members/{m3_id}"))
        .await;
    assert_eq!(
        (
            v["state"].as_str(),
            v["end_reason"].as_str(),
            v["ended_on"].as_str()
        ),
        (Some("ended"), Some("death"), Some("2018-03-05"))
    );
    let opened = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["opened_by"] == "registry")
        .cloned()
        .unwrap();
    assert_eq!(
        (opened["event"].as_str(), opened["claimant_nik"].as_str()),
        (Some("death"), Some(M3_WIFE))
    );
    // A payment on an ended membership is refused.
    let (s, _) = api
        .pay("lpa.c", m3_id, "2018-04-01", (1, 10_400), "member", false)
        .await;
    assert_eq!(s, 409);

    // ---- Reports, by LPA, over 2013–2014 (hand-computed):
    // LPA B: subsidy 2 × 62.400 = 124.800 in 2013, fee 12,5 % = 15.600; member 10.400 and
    // LPA 20.800 in 2014; claims paid 2013: 20.000.000 + 1.500.000; 2014: 56.000.000 +
    // 48.000.000, one of them late. Retention: M2's subsidy ended; on 31/12/2014 his
    // policy has lapsed again (months 16 on unpaid): 0 of 1.
    let rep = api
        .get(
            "man",
            "/api/v1/askesos/reports?by=lpa&from=2013-01-01&to=2014-12-31",
        )
        .await;
    let bkey = b.to_string();
    let money: Vec<&Value> = rep["money"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["group"] == bkey.as_str())
        .collect();
    assert_eq!(money.len(), 2, "{rep}");
    assert_eq!(
        (
            money[0]["year"].as_i64(),
            money[0]["subsidy"].as_i64(),
            money[0]["lpa_fees"].as_i64(),
            money[0]["claims_paid"].as_i64(),
            money[0]["claims_paid_amount"].as_i64()
        ),
        (
            Some(2013),
            Some(124_800),
            Some(15_600),
            Some(2),
            Some(21_500_000)
        )
    );
    assert_eq!(
        (
            money[1]["member_contributions"].as_i64(),
            money[1]["lpa_contributions"].as_i64(),
            money[1]["total_in"].as_i64(),
            money[1]["claims_paid_amount"].as_i64(),
            money[1]["lpa_fees"].as_i64()
        ),
        (
            Some(10_400),
            Some(20_800),
            Some(31_200),
            Some(104_000_000),
            Some(0)
        )
    );
    let late: Vec<&Value> = rep["lateness"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["group"] == bkey.as_str())
        .collect();
    assert_eq!(
        (late[0]["paid"].as_i64(), late[0]["paid_late"].as_i64()),
        (Some(4), Some(1)),
        "{rep}"
    );
    let ret: Vec<&Value> = rep["retention"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["group"] == bkey.as_str())
        .collect();
    assert_eq!(
        (
            ret[0]["subsidy_ended"].as_i64(),
            ret[0]["still_paying"].as_i64()
        ),
        (Some(1), Some(0)),
        "{rep}"
    );
    assert_eq!(rep["names"][&bkey], "Orsos Karya Mandiri");
    // LPA A over 2005: the fund of Rp 365.000 and 10 months of savings (March–December).
    let rep = api
        .get(
            "man",
            "/api/v1/askesos/reports?by=lpa&from=2005-01-01&to=2005-12-31",
        )
        .await;
    let akey = a.to_string();
    let ma = rep["money"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"] == akey.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (
            ma["subsidy"].as_i64(),
            ma["member_contributions"].as_i64(),
            ma["claims_paid_amount"].as_i64()
        ),
        (Some(365_000), Some(50_000), Some(250_000)),
        "{ma}"
    );
    // Members by LPA today: M1 lapsed, M2 lapsed, M3 ended; one card delivered.
    let rep = api.get("admin", "/api/v1/askesos/reports?by=lpa").await;
    let counts: Vec<(String, i64, i64, i64, i64)> = rep["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["group"].as_str().unwrap().to_string(),
                r["members"].as_i64().unwrap(),
                r["lapsed"].as_i64().unwrap(),
                r["ended"].as_i64().unwrap(),
                r["cards_delivered"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            (akey.clone(), 1, 1, 0, 0),
            (bkey.clone(), 1, 1, 0, 0),
            (c.to_string(), 1, 0, 1, 1)
        ]
    );
    // By region: one regency.
    let rep = api.get("man", "/api/v1/askesos/reports?by=region").await;
    assert_eq!(rep["members"][0]["group"], "33.08");
    assert_eq!(rep["members"][0]["members"], 3);
    // Viewers see reports but no members; another regency's manager neither.
    api.get("pemantau", "/api/v1/askesos/reports").await;
    let (s, _) = api
        .call("pemantau", "GET", "/api/v1/askesos/members", None)
        .await;
    assert_eq!(s, 403);
    let (s, _) = api
        .call(
            "man.luar",
            "GET",
            "/api/v1/askesos/reports?region=33.08",
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = api
        .call(
            "man.luar",
            "GET",
            &format!("/api/v1/askesos/members/{m1_id}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    // LPA staff list their own members only.
    let list = api.get("lpa.b", "/api/v1/askesos/members").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["nik"], M2);
    let (s, _) = api
        .call(
            "lpa.b",
            "GET",
            &format!("/api/v1/askesos/members/{m1_id}"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    // The LPA sends its 2014 report (frozen figures).
    let sent = api
        .ok(
            "lpa.b",
            "POST",
            &format!("/api/v1/askesos/lpas/{b}/reports"),
            json!({"period": "2014"}),
            201,
        )
        .await;
    let body: Value = serde_json::from_str(sent["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["money"][0]["claims_paid_amount"], 104_000_000);
    api.refused(
        "lpa.b",
        "POST",
        &format!("/api/v1/askesos/lpas/{b}/reports"),
        json!({"period": "2014-13"}),
        422,
        Some("period"),
    )
    .await;
    let sent = api
        .get("man", &format!("/api/v1/askesos/lpas/{b}/reports"))
        .await;
    assert_eq!(sent.as_array().unwrap().len(), 1);

    // ---- Malformed input: 400, not 500.
    let token = app.token("lpa.b").await;
    let (s, ct, _) = app
        .send_raw(
            "POST",
            "/api/v1/askesos/members",
            Some(&token),
            "{\"lpa_id\": ",
        )
        .await;
    assert_eq!(s, 400);
    assert!(ct.starts_with("application/problem+json"));
    let (s, _, _) = app
        .send(
            "POST",
            "/api/v1/askesos/members",
            Some(&token),
            Some(json!({"lpa_id": b, "nik": M2, "occupation": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(s, 400);
    let (s, _) = api
        .call("lpa.b", "GET", "/api/v1/askesos/members/ASK-x", None)
        .await;
    assert_eq!(s, 404);
    // The holiday calendar: administrators only, dates checked.
    api.refused(
        "man",
        "PUT",
        "/api/v1/askesos/holidays/2027",
        json!({"days": []}),
        403,
        None,
    )
    .await;
    api.refused(
        "admin",
        "PUT",
        "/api/v1/askesos/holidays/2027",
        json!({"days": [{"date": "2028-01-01", "kind": "holiday", "name_id": "X"}]}),
        422,
        Some("days[0].date"),
    )
    .await;
    let h = api.get("man", "/api/v1/askesos/holidays/2014").await;
    assert!(h
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["day"] == "2014-07-28"));

    // ---- A new version of the reform product (administrators): new enrolments take it,
    // M3 kept the version he enrolled in.
    let mut v2: Value =
        serde_json::from_str(selaras_domain::askesos::product::SHIPPED[2].1).unwrap();
    v2["version"] = 2.into();
    v2["benefits"][0]["amount"] = json!({"up_to": 12_000_000});
    api.refused(
        "man",
        "POST",
        "/api/v1/askesos/products",
        v2.clone(),
        403,
        None,
    )
    .await;
    let mut bad = v2.clone();
    bad["benefits"][0]["amount"] = json!({"up_to": 0});
    api.refused(
        "admin",
        "POST",
        "/api/v1/askesos/products",
        bad,
        422,
        Some("product.benefits[0].amount"),
    )
    .await;
    let mut other_v1 = v2.clone();
    other_v1["version"] = 1.into();
    api.refused(
        "admin",
        "POST",
        "/api/v1/askesos/products",
        other_v1,
        409,
        None,
    )
    .await;
    let stored = api
        .ok("admin", "POST", "/api/v1/askesos/products", v2.clone(), 201)
        .await;
    assert_eq!(stored["version"], 2);
    let again = api
        .ok("admin", "POST", "/api/v1/askesos/products", v2, 200)
        .await;
    assert_eq!(again["version"], 2);
    let all = api.get("pemantau", "/api/v1/askesos/products").await;
    assert_eq!(all.as_array().unwrap().len(), 4);
    let m4 = api
        .ok("lpa.c", "POST", "/api/v1/askesos/members",
            json!({"lpa_id": c, "nik": "3308185201909374", "occupation": "buruh_tani", "cover_start": "2017-01-01"}), 201)
        .await;
    assert_eq!(
        (
            m4["product_version"].as_i64(),
            m3["product_version"].as_i64()
        ),
        (Some(2), Some(1))
    );

    // ---- Other exits: the registry records M1's household as moved away (2019), and M2
    // passes the age limit (56 on 20/01/2044): a sweep on that day ends both.
    app.sql(&format!(
        "UPDATE households SET exit_state = 'moved', version = version + 1, valid_from = '2019-01-01T00:00:00Z' \
         WHERE household_id = (SELECT household_id FROM members WHERE nik = '{M1}')"
    ))
    .await;
    let day = selaras_domain::Date::parse("2044-01-21").unwrap();
    let r = selaras_web::askesos::sweep(&state, day).await.unwrap();
    assert_eq!((r.registry_exits, r.age_outs, r.deaths), (1, 1, 0), "{r:?}");
    let v = api
        .get("admin", &format!("/api/v1/askesos/members/{m1_id}"))
        .await;
    assert_eq!(
        (v["end_reason"].as_str(), v["ended_on"].as_str()),
        (Some("registry_exit"), Some("2019-01-01"))
    );
    let v = api
        .get("admin", &format!("/api/v1/askesos/members/{m2_id}"))
        .await;
    assert_eq!(
        (v["end_reason"].as_str(), v["ended_on"].as_str()),
        (Some("age_out"), Some("2044-01-20"))
    );
    let r = selaras_web::askesos::sweep(&state, day).await.unwrap();
    assert_eq!(r.registry_exits + r.age_outs, 0);
}

async fn count_rows(app: &TestApp, table: &str) -> i64 {
    if app.url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(&app.url).await.unwrap();
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap()
    } else {
        let pool = sqlx::PgPool::connect(&app.url).await.unwrap();
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap()
    }
}
