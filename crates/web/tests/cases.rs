//! SLRT cases over the API on a real server and database (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set): each kind walked through its whole life, every refusal
//! (another region, another program, wrong role, wrong state, missing note, bad input,
//! stale action), registry changes made by data cases, messages to the family, the
//! public status lookup.

mod common;

use common::TestApp;
use selaras_domain::access::Role;
use serde_json::{json, Value};

// The conformance registry: H24114258751b4c83 lives in 12.22.01.2009 (the only household
// of that village); its head's NIK is 1222016108457115, a child's 1222012205197421.
const HH: &str = "H24114258751b4c83";
const HEAD: &str = "1222016108457115";
const CHILD: &str = "1222012205197421";
const VILLAGE: &str = "12.22.01.2009";

async fn apps() -> Vec<TestApp> {
    TestApp::builder()
        .user("fas", Role::Facilitator, VILLAGE)
        .user("fas.luar", Role::Facilitator, "12.22.01.2010")
        .user("fo", Role::FrontOffice, "12.22")
        .user("sup", Role::Supervisor, "12.22.01")
        .user("sup2", Role::Supervisor, "12.22.01")
        .user("bo", Role::BackOffice, "12.22")
        .user("man", Role::Manager, "12.22")
        .user("man.luar", Role::Manager, "33.14")
        .program_user("po.pkh", "12.22", "pkh")
        .program_user("po.pkh.pusat", "national", "pkh")
        .program_user("po.bpnt", "12.22", "bpnt")
        .program_user("po.pkh.luar", "33.14", "pkh")
        .user("dm", Role::DataManager, "12.22")
        .user("dm.luar", Role::DataManager, "33.14")
        .user("pemantau", Role::Viewer, "national")
        .user("admin", Role::Admin, "national")
        .build_all()
        .await
}

struct Client<'a> {
    app: &'a TestApp,
    tokens: std::collections::HashMap<String, String>,
}

impl<'a> Client<'a> {
    async fn new(app: &'a TestApp) -> Client<'a> {
        let mut tokens = std::collections::HashMap::new();
        for u in [
            "fas",
            "fas.luar",
            "fo",
            "sup",
            "sup2",
            "bo",
            "man",
            "man.luar",
            "po.pkh",
            "po.pkh.pusat",
            "po.bpnt",
            "po.pkh.luar",
            "dm",
            "dm.luar",
            "pemantau",
            "admin",
        ] {
            tokens.insert(u.to_string(), app.token(u).await);
        }
        Client { app, tokens }
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        user: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let token = &self.tokens[user];
        let (status, _, v) = self.app.send(method, path, Some(token), body).await;
        (status, v)
    }

    async fn create(&self, user: &str, body: Value) -> (u16, Value) {
        self.call("POST", "/api/v1/cases", user, Some(body)).await
    }

    async fn act(
        &self,
        id: i64,
        user: &str,
        action: &str,
        note: Option<&str>,
        program: Option<&str>,
    ) -> (u16, Value) {
        let mut body = json!({ "action": action });
        if let Some(n) = note {
            body["note"] = json!(n);
        }
        if let Some(p) = program {
            body["program"] = json!(p);
        }
        self.call(
            "POST",
            &format!("/api/v1/cases/{id}/actions"),
            user,
            Some(body),
        )
        .await
    }

    /// Takes `action` and checks it succeeded and led to `to`.
    async fn step(
        &self,
        id: i64,
        user: &str,
        action: &str,
        note: Option<&str>,
        program: Option<&str>,
        to: &str,
    ) -> Value {
        let (s, v) = self.act(id, user, action, note, program).await;
        assert_eq!(s, 200, "{} {user} {action}: {v}", self.app.name);
        assert_eq!(v["status"], to, "{user} {action}");
        v
    }

    async fn status_of(&self, id: i64, user: &str) -> u16 {
        self.call("GET", &format!("/api/v1/cases/{id}"), user, None)
            .await
            .0
    }
}

fn complaint() -> Value {
    json!({
        "kind": "complaint", "household_id": HH, "category": "membership",
        "description": "Keluarga miskin tetapi tidak menerima PKH.", "channel": "home_visit",
        "contact": "081234567890"
    })
}

fn assert_problem(v: &Value, status: u16, field: Option<&str>) {
    assert_eq!(v["status"], status, "{v}");
    if let Some(f) = field {
        assert_eq!(v["field"], f, "{v}");
    }
}

#[tokio::test]
async fn a_complaint_walks_from_the_desk_to_closing() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (s, v) = c.create("fas", complaint()).await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["status"], "draft");
        assert_eq!(v["number"], format!("SLRT-{id:06}"));
        assert_eq!(v["due_at"], Value::Null, "a draft has no clock");
        assert_eq!(v["actions"], json!(["submit"]));
        assert_eq!(v["region"]["code"], VILLAGE);

        let v = c.step(id, "fas", "submit", None, None, "submitted").await;
        let due = v["due_at"].as_str().unwrap().to_string();
        assert!(
            due.as_str() > v["updated_at"].as_str().unwrap(),
            "verification is due later"
        );
        let v = c.step(id, "sup", "verify", None, None, "verified").await;
        assert_ne!(
            v["due_at"].as_str().unwrap(),
            due,
            "the referral decision has its own clock"
        );
        let decide = v["due_at"].clone();
        // Before the referral the program officers do not see it.
        assert_eq!(c.status_of(id, "po.pkh").await, 404);
        let v = c
            .step(id, "man", "refer", None, Some("pkh"), "referred")
            .await;
        assert_eq!(v["referral"]["program"], "pkh");
        assert_eq!(v["referral"]["level"], "central");
        assert_eq!(v["due_at"], decide, "the decision clock keeps running");
        // The officers of pkh see it at the regency and the centre; not another program,
        // not another regency.
        assert_eq!(c.status_of(id, "po.pkh").await, 200);
        assert_eq!(c.status_of(id, "po.pkh.pusat").await, 200);
        assert_eq!(c.status_of(id, "po.bpnt").await, 404);
        assert_eq!(c.status_of(id, "po.pkh.luar").await, 404);
        c.step(id, "po.pkh", "review", None, None, "in_review")
            .await;
        c.step(id, "po.pkh", "accept", None, None, "accepted").await;
        c.step(
            id,
            "po.pkh.pusat",
            "resolve",
            Some("Masuk usulan PKH tahap 2"),
            None,
            "resolved",
        )
        .await;
        let v = c
            .step(
                id,
                "fas",
                "close",
                Some("Keluarga sudah diberi tahu jadwal pencairan."),
                None,
                "closed",
            )
            .await;
        assert_eq!(v["due_at"], Value::Null);
        assert_eq!(v["actions"], json!([]));

        let steps: Vec<(String, String, String, String)> = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["actor"].as_str().unwrap().into(),
                    e["action"].as_str().unwrap().into(),
                    e["from"].as_str().unwrap().into(),
                    e["to"].as_str().unwrap().into(),
                )
            })
            .collect();
        let expect = [
            ("fas", "submit", "draft", "submitted"),
            ("sup", "verify", "submitted", "verified"),
            ("man", "refer", "verified", "referred"),
            ("po.pkh", "review", "referred", "in_review"),
            ("po.pkh", "accept", "in_review", "accepted"),
            ("po.pkh.pusat", "resolve", "accepted", "resolved"),
            ("fas", "close", "resolved", "closed"),
        ];
        assert_eq!(steps.len(), expect.len());
        for (got, want) in steps.iter().zip(expect) {
            assert_eq!(
                (
                    got.0.as_str(),
                    got.1.as_str(),
                    got.2.as_str(),
                    got.3.as_str()
                ),
                want
            );
        }
        assert_eq!(
            v["history"][6]["note"],
            "Keluarga sudah diberi tahu jadwal pencairan."
        );
        // The family heard of: receipt, referral, acceptance, resolution, closing.
        let msgs = v["messages"].as_array().unwrap();
        assert_eq!(msgs.len(), 5, "{msgs:?}");
        assert!(msgs.iter().all(|m| m["recipient"] == "081234567890"));
        assert!(msgs[4]["body"]
            .as_str()
            .unwrap()
            .contains(&format!("SLRT-{id:06}: status Ditutup")));
        assert!(msgs[4]["body"]
            .as_str()
            .unwrap()
            .contains("jadwal pencairan"));

        // Outside the region, the case does not exist; a viewer may not read it.
        assert_eq!(c.status_of(id, "fas.luar").await, 404);
        assert_eq!(c.status_of(id, "man.luar").await, 404);
        assert_eq!(
            c.status_of(id, "dm").await,
            404,
            "data managers see forwarded cases"
        );
        assert_eq!(c.status_of(id, "pemantau").await, 403);
        assert_eq!(c.status_of(id, "admin").await, 200);
        // A person's open cases come with them; this one is closed.
        let (_, p) = c
            .call("GET", &format!("/api/v1/people/{HEAD}"), "fas", None)
            .await;
        assert_eq!(p["open_cases"], json!([]));
        let (_, open) = c.create("fas", complaint()).await;
        let (_, p) = c
            .call("GET", &format!("/api/v1/people/{HEAD}"), "fas", None)
            .await;
        assert_eq!(p["open_cases"][0]["id"], open["id"]);
        assert_eq!(p["open_cases"].as_array().unwrap().len(), 1);
        // The number works as the id.
        assert_eq!(
            c.call("GET", &format!("/api/v1/cases/SLRT-{id:06}"), "fas", None)
                .await
                .0,
            200
        );
    }
}

#[tokio::test]
async fn a_need_is_rejected_with_a_reason_the_family_hears() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (s, v) = c
            .create("fo", json!({"kind": "need", "nik": CHILD, "category": "pkh",
                "description": "Anak usia sekolah, butuh bantuan pendidikan.", "channel": "walk_in"}))
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["household_id"], HH, "the NIK finds the household");
        assert!(v["category_label"].as_str().unwrap().contains("pkh"));
        c.step(id, "fo", "submit", None, None, "submitted").await;
        // Returned, completed, submitted again.
        c.step(
            id,
            "bo",
            "return",
            Some("Lengkapi data sekolah"),
            None,
            "returned",
        )
        .await;
        c.step(id, "fo", "submit", None, None, "submitted").await;
        c.step(id, "bo", "verify", None, None, "verified").await;
        c.step(id, "bo", "refer", None, Some("bpnt"), "referred")
            .await;
        // Another program's officer does not see it; bpnt's must say why it rejects.
        assert_eq!(c.act(id, "po.pkh", "reject", Some("x"), None).await.0, 404);
        let (s, v) = c.act(id, "po.bpnt", "reject", Some("   "), None).await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("note"));
        c.step(
            id,
            "po.bpnt",
            "reject",
            Some("Kuota desa penuh"),
            None,
            "rejected",
        )
        .await;
        let (s, v) = c.act(id, "fo", "close", None, None).await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("note"));
        let v = c
            .step(
                id,
                "fo",
                "close",
                Some("Disampaikan: kuota penuh, masuk daftar tunggu."),
                None,
                "closed",
            )
            .await;
        // No contact: messages are still kept for the desk to pass on.
        let msgs = v["messages"].as_array().unwrap();
        assert!(msgs
            .iter()
            .all(|m| m["channel"] == "log" && m["recipient"] == ""));
        assert!(msgs
            .iter()
            .any(|m| m["body"].as_str().unwrap().contains("Kuota desa penuh")));
    }
}

#[tokio::test]
async fn refusals_name_what_is_wrong_and_change_nothing() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let with = |k: &str, v: Value| {
            let mut b = complaint();
            b[k] = v;
            b
        };
        for (body, status, field) in [
            (with("kind", json!("gossip")), 422, "kind"),
            (with("category", json!("weather")), 422, "category"),
            (with("channel", json!("pigeon")), 422, "channel"),
            (with("description", json!("")), 422, "description"),
            (
                with("description", json!("x".repeat(2001))),
                422,
                "description",
            ),
            (with("contact", json!("call me")), 422, "contact"),
            (with("proposed", json!({"household": {}})), 422, "proposed"),
            (
                json!({"kind": "need", "household_id": HH, "category": "no_such_program", "description": "x", "channel": "walk_in"}),
                422,
                "category",
            ),
            (
                json!({"kind": "update", "household_id": HH, "category": "housing", "description": "x", "channel": "walk_in"}),
                422,
                "proposed",
            ),
            (
                json!({"kind": "update", "household_id": HH, "category": "housing", "description": "x", "channel": "walk_in", "proposed": {"household": {"floor_type": "gold"}}}),
                422,
                "proposed.household.floor_type",
            ),
            (
                json!({"kind": "complaint", "category": "membership", "description": "x", "channel": "walk_in"}),
                422,
                "household_id",
            ),
        ] {
            let (s, v) = c.create("fas", body.clone()).await;
            assert_eq!(s, status, "{body}: {v}");
            assert_problem(&v, status, Some(field));
        }
        // A household outside the caller's region is as absent as one that does not exist.
        let (s, _) = c.create("fas.luar", complaint()).await;
        assert_eq!(s, 404);
        let (s, _) = c.create("fas", with("household_id", json!("H-none"))).await;
        assert_eq!(s, 404);
        // Roles that do not open cases.
        assert_eq!(c.create("sup", complaint()).await.0, 403);
        assert_eq!(c.create("pemantau", complaint()).await.0, 403);
        // Malformed JSON and unknown fields are 400.
        let (s, _, v) = app
            .send_raw(
                "POST",
                "/api/v1/cases",
                Some(&c.tokens["fas"]),
                "{\"kind\": ",
            )
            .await;
        assert_eq!(s, 400);
        assert_problem(&v, 400, None);
        let (s, _) = c.create("fas", with("colour", json!("red"))).await;
        assert_eq!(s, 400);
        // Nothing was stored by any of these.
        let (_, list) = c.call("GET", "/api/v1/cases", "fas", None).await;
        assert_eq!(list["cases"], json!([]));

        let (_, v) = c.create("fas", complaint()).await;
        let id = v["id"].as_i64().unwrap();
        // Wrong state, wrong role, unknown action, unknown program.
        assert_eq!(c.act(id, "sup", "verify", None, None).await.0, 409);
        assert_eq!(c.act(id, "sup", "submit", None, None).await.0, 403);
        let (s, v) = c.act(id, "fas", "dance", None, None).await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("action"));
        c.step(id, "fas", "submit", None, None, "submitted").await;
        c.step(id, "sup", "verify", None, None, "verified").await;
        let (s, v) = c.act(id, "man", "refer", None, None).await;
        assert_problem(&v, s, Some("program"));
        let (s, v) = c.act(id, "man", "refer", None, Some("no_such")).await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("program"));
        assert_eq!(
            c.act(id, "man.luar", "refer", None, Some("pkh")).await.0,
            404
        );
        assert_eq!(
            c.act(id, "pemantau", "refer", None, Some("pkh")).await.0,
            403
        );
        // A stale version is refused.
        let (s, v) = c
            .call(
                "POST",
                &format!("/api/v1/cases/{id}/actions"),
                "man",
                Some(json!({"action": "refer", "program": "pkh", "version": 1})),
            )
            .await;
        assert_eq!(s, 409, "{v}");
        let (_, v) = c
            .call("GET", &format!("/api/v1/cases/{id}"), "man", None)
            .await;
        assert_eq!(v["status"], "verified");
        assert_eq!(
            v["history"].as_array().unwrap().len(),
            2,
            "refusals left no trace"
        );
        // Unknown ids and garbage ids are absent.
        assert_eq!(c.status_of(999_999, "admin").await, 404);
        assert_eq!(
            c.call("GET", "/api/v1/cases/abc", "admin", None).await.0,
            404
        );
    }
}

#[tokio::test]
async fn two_supervisors_at_once_one_wins_nothing_is_lost() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (_, v) = c.create("fas", complaint()).await;
        let id = v["id"].as_i64().unwrap();
        c.step(id, "fas", "submit", None, None, "submitted").await;
        let (a, b) = tokio::join!(
            c.act(id, "sup", "verify", None, None),
            c.act(id, "sup2", "return", Some("kurang lengkap"), None)
        );
        let mut codes = [a.0, b.0];
        codes.sort();
        assert_eq!(codes, [200, 409], "{}: {a:?} {b:?}", app.name);
        let (_, v) = c
            .call("GET", &format!("/api/v1/cases/{id}"), "sup", None)
            .await;
        assert_eq!(v["history"].as_array().unwrap().len(), 2);
        let winner = if a.0 == 200 { "verified" } else { "returned" };
        assert_eq!(v["status"], winner);
    }
}

#[tokio::test]
async fn a_data_change_becomes_a_new_registry_version_linked_to_the_case() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (s, v) = c
            .create("fas", json!({"kind": "update", "household_id": HH, "category": "housing",
                "description": "Lantai sudah diplester.", "channel": "home_visit",
                "proposed": {"household": {"floor_type": "cement_brick"}, "members": [{"nik": CHILD, "working": 1}]}}))
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        c.step(id, "fas", "submit", None, None, "submitted").await;
        c.step(id, "sup", "verify", None, None, "verified").await;
        assert_eq!(
            c.act(id, "bo", "forward", None, None).await.0,
            403,
            "only the manager forwards"
        );
        c.step(id, "man", "forward", None, None, "forwarded").await;
        assert_eq!(c.status_of(id, "po.pkh").await, 404);
        assert_eq!(c.status_of(id, "dm.luar").await, 404);
        c.step(id, "dm", "accept", None, None, "accepted").await;
        let (_, before) = c
            .call("GET", &format!("/api/v1/households/{HH}"), "fas", None)
            .await;
        assert_ne!(before["fields"]["floor_type"], "cement_brick");
        let v = c.step(id, "dm", "resolve", None, None, "resolved").await;
        let change = v["applied_change"].as_i64().expect("a registry change");
        let (_, after) = c
            .call("GET", &format!("/api/v1/households/{HH}"), "fas", None)
            .await;
        assert_eq!(after["fields"]["floor_type"], "cement_brick", "{after}");
        assert_eq!(after["changed_by"]["id"].as_i64(), Some(change));
        assert_eq!(after["changed_by"]["reference"], format!("SLRT-{id:06}"));
        // The old version is kept.
        let (_, hist) = c
            .call(
                "GET",
                &format!("/api/v1/households/{HH}/history"),
                "fas",
                None,
            )
            .await;
        let versions: Vec<&Value> = hist
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["subject"] == "household")
            .collect();
        assert_eq!(versions.len(), 2, "{hist}");
        let child: Vec<&Value> = hist
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["subject"] == CHILD)
            .collect();
        assert_eq!(child.len(), 2);
    }
}

fn registration(members: Value) -> Value {
    json!({"kind": "registration", "category": "facilitator_finding",
        "description": "Keluarga baru pindah, belum terdaftar.", "channel": "home_visit",
        "proposed": {"household": {
            "region_code": VILLAGE, "address": "Dusun 2", "ownership": "rent", "floor_area_m2": 24,
            "floor_type": "earth", "wall_type": "bamboo", "roof_type": "zinc",
            "drinking_water": "protected_well", "lighting": "pln_metered", "cooking_fuel": "firewood",
            "toilet": "none", "has_lpg_5_5kg": 0, "has_refrigerator": 0, "has_air_conditioner": 0,
            "has_water_heater": 0, "has_landline": 0, "has_television": 0, "has_gold_10g": 0,
            "has_computer": 0, "has_bicycle": 1, "has_motorcycle": 0, "has_car": 0, "has_boat": 0,
            "has_motorboat": 0, "owns_land": 0, "owns_other_house": 0},
          "members": members}})
}

fn person(nik: &str, relation: &str, birth: &str, sex: &str) -> Value {
    json!({"nik": nik, "kk_number": "1222010112250001", "name": "Warga Baru", "relation": relation,
        "sex": sex, "birth_date": birth, "marital_status": "married", "disability": "none",
        "school_participation": "stopped", "education_level": "sd", "working": 1})
}

async fn walk_to_resolved(c: &Client<'_>, id: i64) -> Value {
    c.step(id, "fas", "submit", None, None, "submitted").await;
    c.step(id, "sup", "verify", None, None, "verified").await;
    c.step(id, "man", "forward", None, None, "forwarded").await;
    c.step(id, "dm", "review", None, None, "in_review").await;
    c.step(id, "dm", "accept", None, None, "accepted").await;
    c.step(id, "dm", "resolve", None, None, "resolved").await
}

#[tokio::test]
async fn a_registration_creates_the_household_and_links_people_already_registered() {
    for app in apps().await {
        let c = Client::new(&app).await;
        // A new head (man born 15 March 1990) and a person already in the registry.
        let new_head = "1222011503900042";
        let (s, v) = c
            .create("fas", registration(json!([person(new_head, "head", "1990-03-15", "M"), {
                "nik": CHILD, "kk_number": "1222010112250001", "name": "Sudah Terdaftar", "relation": "child",
                "sex": "M", "birth_date": "2019-05-22", "marital_status": "single", "disability": "none",
                "school_participation": "stopped", "education_level": "sd", "working": 1}])))
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["nik"], new_head);
        assert_eq!(
            v["links"],
            json!([{"nik": CHILD, "household_id": HH}]),
            "the reviewer sees the link"
        );
        let v = walk_to_resolved(&c, id).await;
        let new_id = v["household_id"]
            .as_str()
            .expect("the new household")
            .to_string();
        assert_eq!(new_id, format!("REG-{id:08}"));
        let (s, h) = c
            .call("GET", &format!("/api/v1/households/{new_id}"), "fas", None)
            .await;
        assert_eq!(s, 200, "{h}");
        let niks: Vec<&str> = h["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["nik"].as_str().unwrap())
            .collect();
        assert_eq!(
            niks,
            [new_head],
            "the registered person is linked, not copied"
        );
        let (_, p) = c
            .call("GET", &format!("/api/v1/people/{CHILD}"), "fas", None)
            .await;
        assert_eq!(
            p["household"]["household_id"], HH,
            "still in their own household"
        );
        // The person's open cases come with them.
        assert_eq!(p["open_cases"], json!([]));

        // Everyone already registered: the case links to their household, creates nothing.
        let (_, v) = c
            .create(
                "fas",
                registration(json!([person(new_head, "head", "1990-03-15", "M")])),
            )
            .await;
        let id2 = v["id"].as_i64().unwrap();
        let v = walk_to_resolved(&c, id2).await;
        assert_eq!(v["household_id"], new_id.as_str());
        assert_eq!(v["applied_change"], Value::Null);

        // A registration's errors name the proposed field.
        let (s, v) = c
            .create(
                "fas",
                registration(json!([person(
                    "1222011503900042",
                    "head",
                    "1990-03-16",
                    "M"
                )])),
            )
            .await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("proposed.members[0].nik"));
        let (s, v) = c
            .create(
                "fas.luar",
                registration(json!([person(
                    "1222011503900043",
                    "head",
                    "1990-03-15",
                    "M"
                )])),
            )
            .await;
        assert_eq!(s, 404, "a registration outside the caller's village: {v}");
    }
}

#[tokio::test]
async fn lists_follow_region_role_program_and_due_time() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (_, a) = c.create("fas", complaint()).await;
        let a = a["id"].as_i64().unwrap();
        let (_, b) = c.create("fo", complaint()).await;
        let b = b["id"].as_i64().unwrap();
        c.step(b, "fo", "submit", None, None, "submitted").await;
        let ids = |v: &Value| -> Vec<i64> {
            v["cases"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect()
        };
        let none: Vec<i64> = Vec::new();
        for (query, user, want) in [
            ("", "fas", vec![b, a]),
            ("", "fas.luar", none.clone()),
            ("?status=submitted", "sup", vec![b]),
            ("?mine=true", "sup", vec![b]),
            ("?mine=true", "fas", vec![a]),
            ("?kind=need", "sup", none.clone()),
            ("?region=12.22.01", "man", vec![b, a]),
            ("", "po.pkh", none.clone()),
            ("", "dm", none.clone()),
            ("?overdue=true", "sup", none.clone()),
        ] {
            let (s, v) = c
                .call("GET", &format!("/api/v1/cases{query}"), user, None)
                .await;
            assert_eq!((s, ids(&v)), (200, want), "{user} {query}");
        }
        for (query, user, status) in [
            ("?region=33.14", "man", 404),
            ("?region=nowhere", "man", 422),
            ("?status=lost", "man", 422),
            ("?page=0", "man", 422),
            ("", "pemantau", 403),
        ] {
            let (s, _) = c
                .call("GET", &format!("/api/v1/cases{query}"), user, None)
                .await;
            assert_eq!(s, status, "{user} {query}");
        }
        // Overdue: past its due time, flagged and escalated to the manager.
        app.sql(&format!(
            "UPDATE cases SET due_at = '2020-01-01T00:00:00Z' WHERE id = {b}"
        ))
        .await;
        let (_, v) = c
            .call("GET", "/api/v1/cases?overdue=true", "man", None)
            .await;
        assert_eq!(ids(&v), [b]);
        assert_eq!(v["cases"][0]["overdue"], true);
        assert_eq!(v["cases"][0]["escalated_to"], json!(["manager"]));
    }
}

#[tokio::test]
async fn settings_are_data_for_administrators() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (s, mut settings) = c.call("GET", "/api/v1/case-settings", "fas", None).await;
        assert_eq!(s, 200);
        assert_eq!(settings["service_levels"]["verify_days"], 7);
        settings["complaint_categories"]
            .as_array_mut()
            .unwrap()
            .push(json!({"code": "fraud", "label_id": "Penyimpangan", "label_en": "Fraud"}));
        settings["service_levels"]["verify_days"] = json!(3);
        assert_eq!(
            c.call(
                "PUT",
                "/api/v1/case-settings",
                "man",
                Some(settings.clone())
            )
            .await
            .0,
            403
        );
        let (s, _) = c
            .call(
                "PUT",
                "/api/v1/case-settings",
                "admin",
                Some(settings.clone()),
            )
            .await;
        assert_eq!(s, 200);
        let (s, v) = c.create("fas", json!({"kind": "complaint", "household_id": HH, "category": "fraud", "description": "x", "channel": "phone"})).await;
        assert_eq!(s, 201, "{v}");
        let mut bad = settings.clone();
        bad["service_levels"]["decide_days"] = json!(0);
        let (s, v) = c
            .call("PUT", "/api/v1/case-settings", "admin", Some(bad))
            .await;
        assert_eq!(s, 422);
        assert_problem(&v, 422, Some("service_levels.decide_days"));
    }
}

#[tokio::test]
async fn the_family_reads_status_and_next_step_only_and_guessing_is_slow() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (_, v) = c.create("fas", complaint()).await;
        let id = v["id"].as_i64().unwrap();
        c.step(id, "fas", "submit", None, None, "submitted").await;
        let url =
            |case: &str, nik: &str| format!("/api/v1/public/case-status?case={case}&nik={nik}");
        let number = format!("SLRT-{id:06}");
        // Anyone in the household may ask, without signing in.
        let (s, _, v) = app.get(&url(&number, CHILD), None).await;
        assert_eq!(s, 200, "{v}");
        let v: Value = serde_json::from_str(&v).unwrap();
        assert_eq!(v["status"], "submitted");
        assert!(v["next_step"].as_str().unwrap().contains("supervisor"));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "next_step",
                "number",
                "status",
                "status_label",
                "updated_at"
            ]
        );
        assert_eq!(
            app.get(&url(&number, "3201014105850001"), None).await.0,
            404
        );
        assert_eq!(app.get(&url("SLRT-999999", HEAD), None).await.0, 404);
        assert_eq!(app.get(&url(&number, "12"), None).await.0, 422);
        // Ten lookups a minute from one address; the 11th waits.
        let mut last = 0;
        for _ in 0..8 {
            last = app.get(&url(&number, HEAD), None).await.0;
        }
        assert_eq!(last, 429);
    }
}

#[tokio::test]
async fn the_outbox_is_delivered_retried_and_logged() {
    use selaras_store::OutboxMessage;
    use selaras_web::outbox::{deliver_due, LogSender, Sender};
    use std::sync::atomic::{AtomicU32, Ordering};

    struct Flaky(AtomicU32);
    #[async_trait::async_trait]
    impl Sender for Flaky {
        fn name(&self) -> &'static str {
            "flaky"
        }
        async fn send(&self, _: &OutboxMessage) -> Result<(), String> {
            if self.0.fetch_add(1, Ordering::SeqCst) < 2 {
                Err("gateway timeout".into())
            } else {
                Ok(())
            }
        }
    }

    for app in apps().await {
        let c = Client::new(&app).await;
        let (_, v) = c.create("fas", complaint()).await;
        let id = v["id"].as_i64().unwrap();
        c.step(id, "fas", "submit", None, None, "submitted").await;
        let store = &*app.store;
        let now = time::OffsetDateTime::now_utc();
        let flaky = Flaky(AtomicU32::new(0));
        let d = deliver_due(store, &flaky, now).await.unwrap();
        assert_eq!((d.sent, d.retried), (0, 1));
        // Not due again until the pause has passed.
        assert_eq!(deliver_due(store, &flaky, now).await.unwrap().retried, 0);
        let later = now + time::Duration::minutes(2);
        assert_eq!(deliver_due(store, &flaky, later).await.unwrap().retried, 1);
        let much_later = now + time::Duration::hours(1);
        assert_eq!(
            deliver_due(store, &flaky, much_later).await.unwrap().sent,
            1
        );
        let m = &store.case_messages(id).await.unwrap()[0];
        assert_eq!((m.status.as_str(), m.attempts), ("sent", 3));
        assert!(
            store.message_log(10).await.unwrap().is_empty(),
            "a gateway does not log"
        );
        // The default sender logs.
        c.step(id, "sup", "verify", None, None, "verified").await;
        c.step(id, "man", "refer", None, Some("pkh"), "referred")
            .await;
        let d = deliver_due(store, &LogSender, much_later).await.unwrap();
        assert_eq!(d.sent, 1);
        let log = store.message_log(10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert!(log[0].4.contains("Dirujuk"));
    }
}

#[tokio::test]
async fn every_change_and_every_read_of_personal_data_is_audited_in_a_chain() {
    for app in apps().await {
        let c = Client::new(&app).await;
        let (_, v) = c.create("fas", complaint()).await;
        let id = v["id"].as_i64().unwrap();
        c.step(id, "fas", "submit", None, None, "submitted").await;
        assert_eq!(c.status_of(id, "sup").await, 200);
        assert_eq!(c.status_of(id, "fas.luar").await, 404);
        c.call("GET", &format!("/api/v1/people/{HEAD}"), "fas", None)
            .await;
        // A change the handler does not audit itself is caught by the middleware.
        let (s, _) = c
            .call(
                "PUT",
                "/api/v1/case-settings",
                "admin",
                Some(
                    serde_json::to_value(selaras_domain::casework::CaseSettings::default())
                        .unwrap(),
                ),
            )
            .await;
        assert_eq!(s, 200);
        let store = &*app.store;
        let on_case = store
            .audit_filter(Some(&format!("case:{id}")), None, 100)
            .await
            .unwrap();
        let seen: Vec<(&str, &str)> = on_case
            .iter()
            .rev()
            .map(|e| (e.actor.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                ("fas", "case.create"),
                ("fas", "case.submit"),
                ("sup", "read.case")
            ],
            "{}",
            app.name
        );
        assert!(on_case
            .iter()
            .all(|e| e.origin == "127.0.0.1" && e.region == VILLAGE));
        assert_eq!(on_case[1].detail, "draft -> submitted");
        let reads = store
            .audit_filter(Some(&format!("household:{HH}")), Some("fas"), 10)
            .await
            .unwrap();
        assert_eq!(reads.len(), 1, "the person's household was read once");
        let all = store.audit_entries(0, 10_000).await.unwrap();
        assert!(all
            .iter()
            .any(|e| e.action == "session.create" && e.actor == "pemantau"));
        assert!(all.iter().any(|e| e.action == "change"
            && e.target == "PUT /api/v1/case-settings"
            && e.actor == "admin"));
        assert!(
            !all.iter()
                .any(|e| e.actor == "fas.luar" && e.action == "read.case"),
            "a refused read is not a read"
        );
        let n =
            selaras_domain::audit::verify(all.clone(), selaras_domain::audit::GENESIS, 1).unwrap();
        assert_eq!(n, all.len() as u64);
    }
}

/// The pages, form by form: the desk records a complaint for a household, each role acts
/// from its queue, the letter comes as a PDF, the family checks the status.
#[tokio::test]
async fn the_pages_carry_a_complaint_from_the_desk_to_closing() {
    use common::{csrf_of, post_form, web_sign_in};
    for app in apps().await {
        web_sign_in(&app, "fas").await;
        // A family not found: the desk is offered a registration.
        let search = app.page("/?q=Tidak+Ada+Orangnya").await;
        assert!(
            search.contains("id=\"daftar-baru\" href=\"/cases/new?kind=registration\""),
            "{search}"
        );
        let form = app.page("/cases/new?kind=registration").await;
        assert!(form.contains("<option value=\"registration\" selected>"));
        let household = app.page(&format!("/households/{HH}")).await;
        assert!(
            household.contains("Kasus terbuka")
                && household.contains(&format!("/cases/new?household_id={HH}"))
        );
        let form = app.page(&format!("/cases/new?household_id={HH}")).await;
        assert!(form.contains(&format!("value=\"{HH}\"")), "prefilled");
        assert!(
            form.contains("<label for=\"description\">"),
            "labelled fields"
        );
        let csrf = csrf_of(&form);
        // A refusal keeps what was typed and names the field in Indonesian.
        let (s, _, body) = post_form(
            &app,
            "/cases/new",
            &[
                ("csrf", &csrf),
                ("kind", "complaint"),
                ("category", "complaint:membership"),
                ("household_id", HH),
                ("description", "Tidak terdaftar PKH"),
                ("channel", "walk_in"),
                ("contact", "12ab"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            body.contains("Nomor telepon keluarga:") && body.contains("Tidak terdaftar PKH"),
            "{body}"
        );
        let (s, location, _) = post_form(
            &app,
            "/cases/new",
            &[
                ("csrf", &csrf),
                ("kind", "complaint"),
                ("category", "complaint:membership"),
                ("household_id", HH),
                ("description", "Tidak terdaftar PKH"),
                ("channel", "walk_in"),
                ("contact", "081234567890"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let id: i64 = location.trim_start_matches("/cases/").parse().unwrap();
        let act = |user: &'static str,
                   action: &'static str,
                   note: &'static str,
                   program: &'static str| {
            let app = &app;
            async move {
                web_sign_in(app, user).await;
                let page = app.page(&format!("/cases/{id}")).await;
                assert!(
                    page.contains(&format!("value=\"{action}\"")),
                    "{user} is offered {action}: {page}"
                );
                let csrf = csrf_of(&page);
                post_form(
                    app,
                    &format!("/cases/{id}/actions"),
                    &[
                        ("csrf", &csrf),
                        ("action", action),
                        ("note", note),
                        ("program", program),
                    ],
                )
                .await
            }
        };
        assert_eq!(act("fas", "submit", "", "").await.0, 303);
        web_sign_in(&app, "sup").await;
        let queue = app.page("/cases").await;
        let mine = queue.split("id=\"tenggat\"").next().unwrap();
        assert!(
            mine.contains(&format!("SLRT-{id:06}")),
            "the supervisor's queue holds it: {queue}"
        );
        assert_eq!(act("sup", "verify", "", "").await.0, 303);
        assert_eq!(act("man", "refer", "", "pkh").await.0, 303);
        let page = app.page(&format!("/cases/{id}")).await;
        assert!(page.contains("surat-rujukan.pdf"));
        let pdf = app
            .http
            .get(format!("{}/cases/{id}/surat-rujukan.pdf", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let bytes = pdf.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 2_000);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(&format!("SLRT-{id:06}")) && text.contains("/status?case="),
            "the letter names the case and its status page"
        );
        assert_eq!(act("po.pkh", "accept", "", "").await.0, 303);
        assert_eq!(act("po.pkh", "resolve", "", "").await.0, 303);
        // Closing without the feedback is refused on the page, with the reason.
        let (s, _, body) = act("fas", "close", "", "").await;
        assert_eq!(s, 422);
        assert!(body.contains("Catatan:"), "{body}");
        assert_eq!(
            act("fas", "close", "Keluarga sudah diberi tahu.", "")
                .await
                .0,
            303
        );
        let page = app.page(&format!("/cases/{id}")).await;
        assert!(page.contains("Ditutup") && page.contains("Keluarga sudah diberi tahu."));
        // The family's page, without signing in.
        let anon = reqwest::Client::new();
        let status = anon
            .get(format!("{}/status?case=SLRT-{id:06}&nik={HEAD}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            status.contains("Ditutup") && status.contains("Langkah berikutnya"),
            "{status}"
        );
        let wrong = anon
            .get(format!(
                "{}/status?case=SLRT-{id:06}&nik=3201014105850001",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 404);
        // The API gives the same letter.
        let token = app.token("man").await;
        let r = app
            .http
            .get(format!("{}/api/v1/cases/{id}/letter", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
    }
}

#[tokio::test]
async fn visits_count_only_inside_the_region_and_are_listed() {
    use common::{csrf_of, post_form, web_sign_in};
    for app in apps().await {
        let c = Client::new(&app).await;
        let today = selaras_store::today_utc().to_string();
        let visit = |on: &str, purpose: &str| json!({"household_id": HH, "visited_on": on, "purpose": purpose, "note": "Cek kondisi rumah"});
        let (s, v) = c
            .call(
                "POST",
                "/api/v1/visits",
                "fas",
                Some(visit(&today, "verification")),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["purpose_label"], "Verifikasi dan pemutakhiran data");
        assert_eq!(v["region"]["code"], VILLAGE);
        // Outside one's region the household does not exist; bad fields are named.
        assert_eq!(
            c.call(
                "POST",
                "/api/v1/visits",
                "fas.luar",
                Some(visit(&today, "verification"))
            )
            .await
            .0,
            404
        );
        assert_eq!(
            c.call(
                "POST",
                "/api/v1/visits",
                "sup",
                Some(visit(&today, "verification"))
            )
            .await
            .0,
            403
        );
        for (body, field) in [
            (visit("2999-01-01", "verification"), "visited_on"),
            (visit("1999-12-31", "verification"), "visited_on"),
            (visit("kemarin", "verification"), "visited_on"),
            (visit(&today, "gossip"), "purpose"),
            (
                json!({"household_id": HH, "visited_on": today, "purpose": "follow_up", "case_id": 999}),
                "case_id",
            ),
        ] {
            let (s, v) = c.call("POST", "/api/v1/visits", "fas", Some(body)).await;
            assert_eq!(s, 422, "{v}");
            assert_problem(&v, 422, Some(field));
        }
        // A visit may name a case of the same household.
        let (_, case) = c.create("fas", complaint()).await;
        let body = json!({"household_id": HH, "visited_on": today, "purpose": "follow_up", "case_id": case["id"]});
        assert_eq!(
            c.call("POST", "/api/v1/visits", "fas", Some(body)).await.0,
            201
        );
        let (s, list) = c.call("GET", "/api/v1/visits?mine=true", "fas", None).await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert_eq!(
            c.call("GET", "/api/v1/visits", "fas.luar", None).await.1,
            json!([])
        );
        assert_eq!(
            c.call(
                "GET",
                &format!("/api/v1/visits?household_id={HH}"),
                "sup",
                None
            )
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
            2
        );
        assert_eq!(
            c.call("GET", "/api/v1/visits", "pemantau", None).await.0,
            403
        );
        // On the pages: the household's form, then the facilitator's list.
        web_sign_in(&app, "fas").await;
        let page = app.page(&format!("/households/{HH}")).await;
        let csrf = csrf_of(&page);
        let (s, location, _) = post_form(
            &app,
            &format!("/households/{HH}/visits"),
            &[
                ("csrf", &csrf),
                ("visited_on", &today),
                ("purpose", "feedback"),
                ("note", "Menyampaikan hasil rujukan"),
            ],
        )
        .await;
        assert_eq!(
            (s, location.as_str()),
            (303, format!("/households/{HH}#kunjungan").as_str())
        );
        let (s, _, body) = post_form(
            &app,
            &format!("/households/{HH}/visits"),
            &[
                ("csrf", &csrf),
                ("visited_on", "2999-01-01"),
                ("purpose", "feedback"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(body.contains("Tanggal kunjungan"), "{body}");
        let queue = app.page("/cases").await;
        assert!(queue.contains("Kunjungan saya") && queue.contains("Menyampaikan hasil rujukan"));
    }
}
