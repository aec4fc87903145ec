// Each test binary uses part of this module.
#![allow(dead_code)]

//! `TestApp`: a running server on a real socket over a real database (SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set), loaded with the conformance registry and
//! users of every role.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::access::Role;
use selaras_domain::RegionScope;
use selaras_store::testing::{stores, TestStore};
use selaras_store::{NewUser, Storage};
use selaras_web::{router, AppState};

pub const PASSWORD: &str = "kata-sandi-uji";

pub struct TestApp {
    pub name: &'static str,
    pub url: String,
    pub base: String,
    pub store: Arc<dyn Storage>,
    pub http: reqwest::Client,
    _db: TestStore,
    _server: tokio::task::JoinHandle<()>,
}

pub struct Builder {
    users: Vec<(String, Role, RegionScope, Option<String>)>,
    load_conformance: bool,
    ranked: bool,
}

impl TestApp {
    pub fn builder() -> Builder {
        Builder {
            users: vec![],
            load_conformance: true,
            ranked: false,
        }
    }

    pub async fn token(&self, username: &str) -> String {
        let r = self
            .http
            .post(format!("{}/api/v1/session", self.base))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "sign-in of {username}");
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The body of a page, with the client's cookies.
    pub async fn page(&self, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, String, String) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, r.text().await.unwrap())
    }
}

impl TestApp {
    /// A GET with the client's cookies, not following redirects: (status, Location, body).
    pub async fn get_with_location(&self, path: &str) -> (u16, String, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, location, r.text().await.unwrap())
    }

    /// A JSON call: (status, content type, body as JSON or `Null`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, String, serde_json::Value) {
        let text = body.map(|b| b.to_string());
        self.send_raw(method, path, token, text.as_deref().unwrap_or(""))
            .await
    }

    /// A call with a raw body (sent as JSON when not empty).
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, String, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if !body.is_empty() {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = r.text().await.unwrap();
        (
            status,
            ct,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// A GET with a token: (status, content type, JSON body).
    pub async fn get_json(&self, path: &str, token: &str) -> (u16, String, serde_json::Value) {
        self.send("GET", path, Some(token), None).await
    }

    /// Adds a user after the start (e.g. the staff of an LPA created by the test).
    pub async fn add_user(&self, username: &str, role: Role, scope: &str, lpa: Option<i64>) {
        let hash = selaras_web::auth::hash_password(PASSWORD).unwrap();
        self.store
            .create_user(&NewUser {
                username: username.into(),
                password_hash: hash,
                role,
                scope: RegionScope::parse(scope).unwrap(),
                program: None,
                lpa,
            })
            .await
            .unwrap();
    }

    /// Runs raw SQL on the app's database (to move clocks in tests).
    pub async fn sql(&self, sql: &str) {
        if self.url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        } else {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
    }
}

impl Builder {
    pub fn user(mut self, username: &str, role: Role, scope: &str) -> Self {
        self.users.push((
            username.into(),
            role,
            RegionScope::parse(scope).unwrap(),
            None,
        ));
        self
    }

    /// A program officer of `program`.
    pub fn program_user(mut self, username: &str, scope: &str, program: &str) -> Self {
        self.users.push((
            username.into(),
            Role::ProgramOfficer,
            RegionScope::parse(scope).unwrap(),
            Some(program.into()),
        ));
        self
    }

    /// After the load: the conformance model stored and one ranking edition.
    pub fn ranked(mut self) -> Self {
        self.ranked = true;
        self
    }

    pub fn empty(mut self) -> Self {
        self.load_conformance = false;
        self
    }

    /// One app per configured database.
    pub async fn build_all(self) -> Vec<TestApp> {
        let mut apps = Vec::new();
        for db in stores().await {
            apps.push(self.build_on(db).await);
        }
        apps
    }

    async fn build_on(&self, db: TestStore) -> TestApp {
        let store = db.store.clone();
        if self.load_conformance {
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance/data");
            let tmp = tempfile::tempdir().unwrap();
            for f in ["households.csv", "members.csv"] {
                std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
            }
            let r = import_dir(
                store.clone(),
                Regions::default(),
                tmp.path(),
                ImportOptions::default(),
                None,
            )
            .await
            .unwrap();
            assert_eq!(r.rejected, 0);
        }
        if self.ranked {
            let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
            let model = selaras_domain::pmt::Model::from_json(
                &std::fs::read_to_string(root.join("model.json")).unwrap(),
            )
            .unwrap();
            use selaras_batch::editions::{rank_registry, stored_model};
            store
                .put_model(&stored_model(&model, "uji", "2026-01-01"))
                .await
                .unwrap();
            let tmp = tempfile::tempdir().unwrap();
            rank_registry(
                &*store,
                &model.id,
                None,
                &tmp.path().join("ranks.csv"),
                "uji",
                None,
            )
            .await
            .unwrap();
        }
        let hash = selaras_web::auth::hash_password(PASSWORD).unwrap();
        for (u, role, scope, program) in &self.users {
            store
                .create_user(&NewUser {
                    username: u.clone(),
                    password_hash: hash.clone(),
                    role: *role,
                    scope: *scope,
                    program: program.clone(),
                    lpa: None,
                })
                .await
                .unwrap();
        }
        let state = AppState::new(store.clone(), false);
        selaras_web::askesos::seed(&state).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        TestApp {
            name: db.name,
            url: db.url.clone(),
            base: format!("http://{addr}"),
            store,
            http,
            _db: db,
            _server: server,
        }
    }
}

/// The CSRF token a page's form carries.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// Signs `username` in through the sign-in form (the client keeps the cookie).
pub async fn web_sign_in(app: &TestApp, username: &str) {
    let csrf = csrf_of(&app.page("/login").await);
    let r = app
        .http
        .post(format!("{}/login", app.base))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in of {username}");
}

/// Posts a form: (status, Location header, body).
pub async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
    let r = app
        .http
        .post(format!("{}{path}", app.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, location, r.text().await.unwrap())
}
