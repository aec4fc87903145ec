//! Issue #5: every route of the OpenAPI document refuses an unauthenticated call and every
//! role outside its scope.
//!
//! The routes are read from `GET /api/openapi.json` (never listed here), so a route added
//! later is covered without touching this test: its path parameters are filled with real
//! ids of things inside one village (12.22.01.2009), its body is a plausible request, and
//! unless it is named in one of the short, commented allow-lists below it is held to the
//! strictest rule: 401 without sign-in, and 403 or 404 for everyone outside its scope.
//! Each allow-listed route must be in the document, so that no list grows stale.
//!
//! Runs on every configured database (SQLite, and PostgreSQL when `TEST_DATABASE_URL` is
//! set). A failure prints the table of (method, path, user, status) calls.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use common::{TestApp, PASSWORD};
use selaras_domain::access::{Permission, Role};
use selaras_domain::{RegionCode, RegionScope};
use serde_json::{json, Value};

// The conformance registry: H24114258751b4c83 is the only household of village
// 12.22.01.2009; its head's NIK is 1222016108457115.
const HH: &str = "H24114258751b4c83";
const HEAD: &str = "1222016108457115";
const VILLAGE: &str = "12.22.01.2009";
const CONTACT: &str = "081234567890";
const DESCRIPTION: &str = "Keluarga miskin tetapi tidak menerima PKH (uji rute).";
const VISIT_NOTE: &str = "Rumah dikunjungi untuk verifikasi (uji rute).";

/// Routes that answer without sign-in. Nothing else may.
const PUBLIC: &[(&str, &str)] = &[
    // Signing in.
    ("POST", "/api/v1/session"),
    // The family's status lookup by case number and NIK (no personal data in the answer;
    // rate-limited).
    ("GET", "/api/v1/public/case-status"),
];

/// What an outsider's successful answer on an [`OPEN`] route must be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// The same for every caller: no personal data and no region's data.
    Global,
    /// Eligibility runs: aggregate tables (no personal data) limited to the regencies that
    /// meet the caller's region; the national summary only for national callers.
    RunTables,
    /// A run's quota lists: named households, only those inside the caller's region (and
    /// only for roles that read personal data).
    QuotaUnits,
    /// Lists of personal records (cases, visits) limited to what the caller may see. The
    /// only such records in the database are the target village's, so an outsider's
    /// answer must list nothing: no array in it holds anything.
    TargetOnly,
    /// Aggregates (dashboards) of one region: the answer's region and every child's lie
    /// inside the caller's region.
    OwnRegion,
}

impl Filter {
    /// Whether the route shows personal data to those allowed: a viewer gets 403.
    fn personal(self) -> bool {
        matches!(self, Filter::QuotaUnits | Filter::TargetOnly)
    }
}

/// Routes an outsider may read with 2xx, because the answer holds nothing of another
/// region (checked by [`Filter`], and for every 2xx answer: no identifier of the target
/// household or case).
const OPEN: &[(&str, &str, Filter)] = &[
    // The program catalogue: public policy, no personal data, no region.
    ("GET", "/api/v1/programs", Filter::Global),
    ("GET", "/api/v1/programs/{code}", Filter::Global),
    ("GET", "/api/v1/catalogue", Filter::Global),
    // A catalogue version with its dry run: counts per regency and program, no personal
    // data (monitoring figures; not limited to the caller's region, unlike runs).
    ("GET", "/api/v1/catalogue/{version}", Filter::Global),
    // Case categories and service levels.
    ("GET", "/api/v1/case-settings", Filter::Global),
    // Eligibility runs: aggregate tables filtered by the caller's region.
    ("GET", "/api/v1/eligibility-runs", Filter::RunTables),
    ("GET", "/api/v1/eligibility-runs/{id}", Filter::RunTables),
    // Quota, case and visit lists "refuse" by leaving out what the caller may not see.
    (
        "GET",
        "/api/v1/eligibility-runs/{id}/quota",
        Filter::QuotaUnits,
    ),
    // The ministry's indicators: targets and aggregate actual values per year, no
    // personal data; a region other than one's own is 404 (probed with `region=`).
    ("GET", "/api/v1/indicators", Filter::Global),
    ("GET", "/api/v1/indicators/{code}", Filter::Global),
    ("GET", "/api/v1/cases", Filter::TargetOnly),
    ("GET", "/api/v1/visits", Filter::TargetOnly),
    // Dashboards: aggregate figures of the caller's region (by default their own); a
    // region outside is refused, which the test sees when it names the target's village.
    ("GET", "/api/v1/dashboard", Filter::OwnRegion),
    // Askesos products and the holiday calendar: public rules.
    ("GET", "/api/v1/askesos/products", Filter::Global),
    ("GET", "/api/v1/askesos/holidays/{year}", Filter::Global),
    // LPAs are designated organisations, not people; their list is limited to the
    // caller's region, and one outside it is 404. Reports are aggregates (no names)
    // of the caller's region; another region named is 404.
    ("GET", "/api/v1/askesos/lpas", Filter::Global),
    ("GET", "/api/v1/askesos/lpas/{id}", Filter::Global),
    ("GET", "/api/v1/askesos/lpas/{id}/reports", Filter::Global),
    ("GET", "/api/v1/askesos/reports", Filter::Global),
    // The member list leaves out members outside the caller's region or LPA.
    ("GET", "/api/v1/askesos/members", Filter::TargetOnly),
];

/// Writes to resources of the whole service (no region): only administrators; every other
/// user, inside the target region or not, gets 403. Administrators are not called here
/// (an administrator of any region manages them by design, and a call would change them).
const GLOBAL_WRITES: &[(&str, &str)] = &[
    ("POST", "/api/v1/catalogue/drafts"),
    ("POST", "/api/v1/catalogue/{version}/dry-run"),
    ("POST", "/api/v1/catalogue/{version}/publish"),
    ("PUT", "/api/v1/case-settings"),
    ("POST", "/api/v1/eligibility-runs"),
    // The working-day calendar of Askesos claims, and its product versions.
    ("PUT", "/api/v1/askesos/holidays/{year}"),
    ("POST", "/api/v1/askesos/products"),
];

/// The one exception to [`GLOBAL_WRITES`]: data managers hold `ImportRegistry`
/// (access.rs) and so may start an eligibility run, even when scoped to a regency or a
/// province (the run judges the whole registry); the run they get back must still be
/// limited to their region. Remove this line if only national roles should run them.
const DATA_MANAGER_RUNS: (&str, &str) = ("POST", "/api/v1/eligibility-runs");

#[derive(Debug)]
struct User {
    name: &'static str,
    role: Role,
    scope: &'static str,
    program: Option<&'static str>,
}

const fn user(name: &'static str, role: Role, scope: &'static str) -> User {
    User {
        name,
        role,
        scope,
        program: None,
    }
}

const fn officer(name: &'static str, scope: &'static str, program: &'static str) -> User {
    User {
        name,
        role: Role::ProgramOfficer,
        scope,
        program: Some(program),
    }
}

/// Users whose scope holds the household and the case (the sanity check: someone may
/// read every route, so that a refusal to outsiders means something).
const INSIDERS: &[User] = &[
    user("fas", Role::Facilitator, VILLAGE),
    user("sup", Role::Supervisor, "12.22.01"),
    user("man", Role::Manager, "12.22"),
    officer("po.pkh", "12.22", "pkh"),
    user("admin", Role::Admin, "national"),
];

/// Every role outside the target's scope: another village, district, regency or
/// province, another program, or a role without access to personal data.
const OUTSIDERS: &[User] = &[
    // The neighbouring village of the same district.
    user("fas.tetangga", Role::Facilitator, "12.22.01.2010"),
    user("fas.luar", Role::Facilitator, "33.14.01.2003"),
    user("fo.luar", Role::FrontOffice, "33.14"),
    user("bo.luar", Role::BackOffice, "33.14.02.2003"),
    // Another district of the same regency.
    user("sup.luar", Role::Supervisor, "12.22.02"),
    user("man.luar", Role::Manager, "33.14"),
    // Another program in the same regency; pkh in another district and another regency.
    officer("po.bpnt", "12.22", "bpnt"),
    officer("po.pkh.kec", "12.22.02", "pkh"),
    officer("po.pkh.luar", "33.14", "pkh"),
    user("dm.luar", Role::DataManager, "33.14"),
    user("dm.prov", Role::DataManager, "33"),
    // Read-only monitoring: nationally (inside the region, but no personal data) and in
    // another regency.
    user("pemantau", Role::Viewer, "national"),
    user("pemantau.luar", Role::Viewer, "33.14"),
    user("admin.luar", Role::Admin, "33.14"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Public,
    Open(Filter),
    GlobalWrite,
    /// Everything else: personal data or cases of the target.
    Private,
}

fn class_of(method: &str, path: &str) -> Class {
    if PUBLIC.contains(&(method, path)) {
        Class::Public
    } else if let Some((_, _, f)) = OPEN.iter().find(|(m, p, _)| (*m, *p) == (method, path)) {
        Class::Open(*f)
    } else if GLOBAL_WRITES.contains(&(method, path)) {
        Class::GlobalWrite
    } else {
        Class::Private
    }
}

/// One (method, path) of the document.
struct Route {
    method: String,
    path: String,
    op: Value,
}

fn routes_of(doc: &Value) -> Vec<Route> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"]
        .as_object()
        .expect("paths in the OpenAPI document")
    {
        for (method, op) in item.as_object().unwrap() {
            let m = method.to_ascii_uppercase();
            if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                out.push(Route {
                    method: m,
                    path: path.clone(),
                    op: op.clone(),
                });
            }
        }
    }
    out
}

/// Real things inside the target village (and global ones) the routes are called on.
struct Fixture {
    case_id: i64,
    case_number: String,
    run_id: i64,
    edition: i64,
    catalogue_version: i64,
    settings: Value,
    draft: Value,
    /// An Askesos LPA serving the target's regency, the target's head as its member, and
    /// a claim of his.
    lpa_id: i64,
    member_id: i64,
    claim_id: i64,
}

/// One call to make: a route with its parameters filled.
struct Probe {
    method: String,
    template: String,
    url: String,
    body: Option<Value>,
    class: Class,
}

/// A path parameter's value, by the segment before it and its name.
fn path_value(fx: &Fixture, path: &str, before: &str, name: &str) -> String {
    match (before, name) {
        ("people", "nik") => HEAD.into(),
        ("households", "id") => HH.into(),
        ("cases", "id") => fx.case_id.to_string(),
        ("programs", "code") => "pkh".into(),
        ("catalogue", "version") => fx.catalogue_version.to_string(),
        ("eligibility-runs", "id") => fx.run_id.to_string(),
        ("indicators", "code") => "ikk.pkh.kesehatan".into(),
        ("lpas", "id") => fx.lpa_id.to_string(),
        ("members", "id") => fx.member_id.to_string(),
        ("claims", "id") => fx.claim_id.to_string(),
        ("holidays", "year") => "2026".into(),
        _ => panic!(
            "{path}: no value for the path parameter {{{name}}} after /{before}/: add a real id \
             of something in {VILLAGE} to routes.rs"
        ),
    }
}

/// A query parameter's value aimed at the target (`None`: left out when optional).
fn query_value(fx: &Fixture, name: &str) -> Option<String> {
    Some(match name {
        "case" => fx.case_number.clone(),
        "nik" => HEAD.into(),
        "household_id" => HH.into(),
        "region" => VILLAGE.into(),
        "status" => "referred".into(),
        "kind" => "complaint".into(),
        "program" => "pkh".into(),
        "as_of" => "2100-01-01T00:00:00Z".into(),
        "edition" => fx.edition.to_string(),
        "mine" => "true".into(),
        "page" => "1".into(),
        "lpa" => fx.lpa_id.to_string(),
        _ => return None,
    })
}

/// A valid body for each write route, so that a refusal comes from authorization and not
/// from validation; `{}` for a route added later (listed in the report of a failure).
fn body_for(fx: &Fixture, method: &str, path: &str) -> Value {
    match (method, path) {
        ("POST", "/api/v1/session") => json!({"username": "fas", "password": PASSWORD}),
        ("POST", "/api/v1/cases") => complaint(),
        // The action the referred case awaits, from a program officer of pkh.
        ("POST", "/api/v1/cases/{id}/actions") => json!({"action": "review"}),
        ("POST", "/api/v1/households/{id}/participation") => {
            json!({"program": "pkh", "period": "2026-01", "status": "enrolled"})
        }
        ("POST", "/api/v1/catalogue/drafts") => fx.draft.clone(),
        ("POST", "/api/v1/catalogue/{version}/dry-run") => json!({"as_of": "2026-01-01"}),
        ("PUT", "/api/v1/case-settings") => fx.settings.clone(),
        ("POST", "/api/v1/eligibility-runs") => json!({"as_of": "2026-01-01"}),
        ("POST", "/api/v1/visits") => visit(),
        ("POST", "/api/v1/indicators/{code}/values") => {
            json!({"year": 2025, "region": VILLAGE, "value": "80"})
        }
        ("PUT", "/api/v1/askesos/holidays/{year}") => {
            json!({"days": [{"date": "2026-08-17", "kind": "holiday", "name_id": "Hari Kemerdekaan"}]})
        }
        ("POST", "/api/v1/askesos/products") => {
            let mut p: Value =
                serde_json::from_str(selaras_domain::askesos::product::SHIPPED[2].1).unwrap();
            p["version"] = 2.into();
            p
        }
        ("POST", "/api/v1/askesos/lpas") => json!({
            "name": "Yayasan Uji", "legal_form": "yayasan", "region": "12.22",
            "product_code": "askesos_ni"
        }),
        ("POST", "/api/v1/askesos/lpas/{id}/standing") => {
            json!({"version": 2, "action": "accredit", "accreditation": "b"})
        }
        ("POST", "/api/v1/askesos/lpas/{id}/subsidy") => json!({"months": 1}),
        ("POST", "/api/v1/askesos/lpas/{id}/reports") => json!({"period": "2025"}),
        ("POST", "/api/v1/askesos/members") => {
            json!({"lpa_id": fx.lpa_id, "nik": HEAD, "occupation": "buruh_tani"})
        }
        ("POST", "/api/v1/askesos/members/{id}/payments") => {
            json!({"version": 1, "months": 1, "amount": 10400, "payer": "member"})
        }
        ("POST", "/api/v1/askesos/members/{id}/card") => {
            json!({"version": 1, "delivered_to": "Peserta"})
        }
        ("POST", "/api/v1/askesos/members/{id}/heirs") => {
            json!({"version": 1, "nik": "1222014101900001", "name": "Ahli", "relation": "child"})
        }
        ("POST", "/api/v1/askesos/members/{id}/end") => {
            json!({"version": 1, "reason": "request"})
        }
        ("POST", "/api/v1/askesos/members/{id}/claims") => json!({
            "version": 1, "event": "death", "event_date": "2013-05-01",
            "claimant_nik": "1222014101900001"
        }),
        ("POST", "/api/v1/askesos/claims/{id}/actions") => {
            json!({"version": 1, "action": "verify"})
        }
        _ => json!({}),
    }
}

fn visit() -> Value {
    json!({
        "household_id": HH, "visited_on": "2025-06-01", "purpose": "verification",
        "note": VISIT_NOTE
    })
}

fn complaint() -> Value {
    json!({
        "kind": "complaint", "household_id": HH, "category": "membership",
        "description": DESCRIPTION, "channel": "home_visit", "contact": CONTACT
    })
}

/// The probes of a route: its path and required query parameters filled; then once more
/// with each optional query parameter that can aim at the target, and once with all of
/// them (a filter by household or region must not widen what an outsider sees).
fn probes_of(fx: &Fixture, r: &Route) -> Vec<Probe> {
    let segments: Vec<&str> = r.path.split('/').collect();
    let mut path = String::new();
    for (i, s) in segments.iter().enumerate() {
        if i > 0 {
            path.push('/');
        }
        match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => path.push_str(&path_value(fx, &r.path, segments[i - 1], name)),
            None => path.push_str(s),
        }
    }
    // Query parameters. The document declares those of `IntoParams` structs (the case
    // list's filters, `as_of`, `edition`, `program`, the status lookup's `case` and `nik`)
    // as required *path* parameters; a "path" parameter that is not in the template is
    // read here as an optional query parameter.
    let params = r.op["parameters"].as_array().cloned().unwrap_or_default();
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for p in &params {
        let name = p["name"].as_str().unwrap();
        let in_template = r.path.contains(&format!("{{{name}}}"));
        let declared_query = p["in"] == "query";
        if !declared_query && (p["in"] != "path" || in_template) {
            continue;
        }
        let value = query_value(fx, name);
        if declared_query && p["required"].as_bool().unwrap_or(false) {
            let v = value.unwrap_or_else(|| {
                panic!(
                    "{} {}: no value for the required query parameter {name}: add one to \
                     routes.rs",
                    r.method, r.path
                )
            });
            required.push(format!("{name}={v}"));
        } else if let Some(v) = value {
            optional.push(format!("{name}={v}"));
        }
    }
    let url = |extra: &[String]| {
        let all: Vec<&String> = required.iter().chain(extra).collect();
        if all.is_empty() {
            path.clone()
        } else {
            let all: Vec<&str> = all.iter().map(|s| s.as_str()).collect();
            format!("{path}?{}", all.join("&"))
        }
    };
    let body =
        r.op.get("requestBody")
            .map(|_| body_for(fx, &r.method, &r.path));
    let probe = |url: String| Probe {
        method: r.method.clone(),
        template: r.path.clone(),
        url,
        body: body.clone(),
        class: class_of(&r.method, &r.path),
    };
    // Without the optional parameters, with each alone, and with all of them.
    let mut urls = vec![url(&[])];
    urls.extend(optional.iter().map(|o| url(std::slice::from_ref(o))));
    if optional.len() > 1 {
        urls.push(url(&optional));
    }
    urls.into_iter().map(probe).collect()
}

fn row(rows: &mut Vec<Row>, p: &Probe, user: &str, status: u16, verdict: Result<(), String>) {
    rows.push(Row {
        method: p.method.clone(),
        url: p.url.clone(),
        user: user.into(),
        status,
        verdict,
    });
}

struct Row {
    method: String,
    url: String,
    user: String,
    status: u16,
    verdict: Result<(), String>,
}

fn table(rows: &[&Row]) -> String {
    let mut t = String::new();
    for r in rows {
        let _ = writeln!(
            t,
            "  {:<6} {:<68} {:<16} {}  {}",
            r.method,
            r.url,
            r.user,
            r.status,
            match &r.verdict {
                Ok(()) => "ok".to_string(),
                Err(e) => format!("FAIL: {e}"),
            }
        );
    }
    t
}

fn is_2xx(s: u16) -> bool {
    (200..300).contains(&s)
}

fn is_problem(ct: &str) -> bool {
    ct.starts_with("application/problem+json")
}

fn scope_of(u: &User) -> RegionScope {
    RegionScope::parse(u.scope).unwrap()
}

/// Whether regency `code` and the caller's region overlap (one holds the other).
fn meets(scope: &RegionScope, code: &str) -> bool {
    match scope {
        RegionScope::National => true,
        RegionScope::Region(r) => {
            let r = r.as_str();
            r == code || code.starts_with(&format!("{r}.")) || r.starts_with(&format!("{code}."))
        }
    }
}

/// A viewer whose region holds the target: signed in and inside, but without access to
/// personal data, so 403 (not 404) on it.
fn viewer_inside(u: &User) -> bool {
    u.role == Role::Viewer && scope_of(u).contains(&RegionCode::parse(VILLAGE).unwrap())
}

fn run_tables_filtered(u: &User, run: &Value) -> Result<(), String> {
    let scope = scope_of(u);
    if scope != RegionScope::National && !run["summary"].is_null() {
        return Err("the national summary to a regional caller".into());
    }
    for table in ["gaps", "combinations"] {
        let rows = run[table]
            .as_array()
            .ok_or_else(|| format!("no {table} table"))?;
        if let Some(row) = rows
            .iter()
            .find(|g| !meets(&scope, g["regency"].as_str().unwrap_or("")))
        {
            return Err(format!("{table} of another region: {row}"));
        }
    }
    Ok(())
}

/// Whether any array in `v` holds something.
fn lists_something(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => o.values().any(lists_something),
        _ => false,
    }
}

/// The verdict on an outsider's answer.
async fn judge(
    app: &TestApp,
    u: &User,
    p: &Probe,
    status: u16,
    ct: &str,
    body: &Value,
    sensitive: &BTreeSet<String>,
) -> Result<(), String> {
    let refused = |allowed: &[u16]| {
        if allowed.contains(&status) {
            Ok(())
        } else {
            Err(format!("expected {allowed:?}"))
        }
    };
    if is_2xx(status) {
        let text = body.to_string();
        if let Some(s) = sensitive.iter().find(|s| text.contains(s.as_str())) {
            return Err(format!("LEAK: 2xx naming {s:?} of the target: {text}"));
        }
    } else if !is_problem(ct) {
        return Err(format!("a refusal as {ct:?}, not application/problem+json"));
    }
    match p.class {
        Class::Public => Ok(()),
        Class::Private if viewer_inside(u) => refused(&[403]),
        Class::Private => refused(&[403, 404]),
        Class::GlobalWrite => {
            let data_manager_run = u.role == Role::DataManager
                && (p.method.as_str(), p.template.as_str()) == DATA_MANAGER_RUNS;
            if data_manager_run && status == 201 {
                run_tables_filtered(u, body)
            } else {
                refused(&[403])
            }
        }
        Class::Open(f) if !is_2xx(status) => {
            if f.personal() && viewer_inside(u) {
                refused(&[403])
            } else {
                refused(&[403, 404])
            }
        }
        Class::Open(f) => {
            if f.personal() && u.role == Role::Viewer {
                return Err("LEAK: personal data to a viewer".into());
            }
            match f {
                Filter::Global => Ok(()),
                Filter::RunTables => match body {
                    Value::Array(runs) => runs.iter().try_for_each(|r| run_tables_filtered(u, r)),
                    run => run_tables_filtered(u, run),
                },
                Filter::OwnRegion => {
                    let inside = |code: &str| match scope_of(u) {
                        RegionScope::National => true,
                        RegionScope::Region(r) => {
                            code == r.as_str() || code.starts_with(&format!("{}.", r.as_str()))
                        }
                    };
                    let region = body["region"].as_str().ok_or("no region")?;
                    let children = body["children"].as_array().ok_or("no children")?;
                    if !inside(region)
                        || children
                            .iter()
                            .any(|c| !inside(c["region"].as_str().unwrap_or("")))
                    {
                        Err(format!("LEAK: figures of another region: {region}"))
                    } else {
                        Ok(())
                    }
                }
                Filter::TargetOnly => {
                    if lists_something(body) {
                        Err(format!("LEAK: records of another region: {body}"))
                    } else {
                        Ok(())
                    }
                }
                Filter::QuotaUnits => {
                    let scope = scope_of(u);
                    if !u.role.has(Permission::ReadPersonalData) {
                        return Err(format!(
                            "LEAK: a quota list to a role without personal data: {body}"
                        ));
                    }
                    for unit in body.as_array().ok_or("not a list")? {
                        let id = unit["household_id"].as_str().unwrap_or("");
                        let rec =
                            app.store.household(id).await.unwrap().ok_or_else(|| {
                                format!("quota household {id} not in the registry")
                            })?;
                        if !scope.contains(&rec.household.region) {
                            return Err(format!(
                                "LEAK: quota unit of {} outside the caller's region: {unit}",
                                rec.household.region.as_str()
                            ));
                        }
                    }
                    Ok(())
                }
            }
        }
    }
}

/// Everything that names the target household and its case: ids, NIKs, KK number,
/// names, the family's phone and the case's text.
fn sensitive_strings(case_number: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/conformance/data/members.csv");
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let (hh, nik, kk, name) = (
        col("household_id"),
        col("nik"),
        col("kk_number"),
        col("name"),
    );
    let mut out: BTreeSet<String> = [HH, CONTACT, DESCRIPTION, VISIT_NOTE, case_number]
        .into_iter()
        .map(String::from)
        .collect();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if &rec[hh] == HH {
            out.extend([&rec[nik], &rec[kk], &rec[name]].map(String::from));
        }
    }
    assert!(out.contains(HEAD), "the head of {HH} is in members.csv");
    out
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (s, _, v) = app.send(method, path, Some(token), body).await;
    (s, v)
}

/// The case (walked to `referred` to pkh), a visit, a catalogue draft with its dry run, and an
/// eligibility run.
async fn fixture(app: &TestApp, tokens: &BTreeMap<&str, String>) -> Fixture {
    let t = |u: &str| tokens[u].as_str();
    let (s, v) = call(app, t("fas"), "POST", "/api/v1/cases", Some(complaint())).await;
    assert_eq!(s, 201, "{}: creating the case: {v}", app.name);
    let case_id = v["id"].as_i64().unwrap();
    let case_number = v["number"].as_str().unwrap().to_string();
    for (u, action, to) in [
        ("fas", json!({"action": "submit"}), "submitted"),
        ("sup", json!({"action": "verify"}), "verified"),
        (
            "man",
            json!({"action": "refer", "program": "pkh"}),
            "referred",
        ),
    ] {
        let (s, v) = call(
            app,
            t(u),
            "POST",
            &format!("/api/v1/cases/{case_id}/actions"),
            Some(action),
        )
        .await;
        assert_eq!(
            (s, v["status"].as_str()),
            (200, Some(to)),
            "{}: {v}",
            app.name
        );
    }

    let (s, v) = call(app, t("fas"), "POST", "/api/v1/visits", Some(visit())).await;
    assert_eq!(s, 201, "{}: recording the visit: {v}", app.name);

    // No catalogue version is stored at first (the shipped one is in force): a draft
    // that widens BPNT, with its dry run.
    let mut catalogue: Value =
        serde_json::from_str(&selaras_domain::programs::Catalogue::shipped().to_json()).unwrap();
    for p in catalogue["programs"].as_array_mut().unwrap() {
        if p["code"] == "bpnt" {
            p["rule"] = "national_percentile <= 30".into();
        }
    }
    let draft = json!({"catalogue": catalogue, "note": "BPNT diperluas (uji rute)"});
    let (s, v) = call(
        app,
        t("admin"),
        "POST",
        "/api/v1/catalogue/drafts",
        Some(draft.clone()),
    )
    .await;
    assert_eq!(s, 201, "{}: the draft: {v}", app.name);
    let catalogue_version = v["version"].as_i64().unwrap();
    let (s, v) = call(
        app,
        t("admin"),
        "POST",
        &format!("/api/v1/catalogue/{catalogue_version}/dry-run"),
        Some(json!({"as_of": "2026-01-01"})),
    )
    .await;
    assert_eq!(s, 200, "{}: the dry run: {v}", app.name);

    // Runs judge a ranking edition's snapshot: the app is built `.ranked()`.
    let (s, v) = call(
        app,
        t("admin"),
        "POST",
        "/api/v1/eligibility-runs",
        Some(json!({"as_of": "2026-01-01"})),
    )
    .await;
    assert_eq!(s, 201, "{}: the eligibility run: {v}", app.name);
    let run_id = v["id"].as_i64().unwrap();
    let edition = v["edition"].as_i64().unwrap();

    let (s, settings) = call(app, t("admin"), "GET", "/api/v1/case-settings", None).await;
    assert_eq!(s, 200);

    // Askesos: an LPA of the regency, the household's head as a member (stored directly:
    // this test is about access, not eligibility), and a death claim by his heir.
    use selaras_store::askesos::{LpaChange, NewClaim, NewHeir, NewLpa, NewMember};
    let lpa = app
        .store
        .create_lpa(&NewLpa {
            name: "Yayasan Rute".into(),
            legal_form: "yayasan".into(),
            region: "12.22".into(),
            address: String::new(),
            product_code: "askesos_ni".into(),
            proposed_by: "man".into(),
        })
        .await
        .unwrap();
    let lpa = app
        .store
        .change_lpa(
            lpa.id,
            lpa.version,
            &LpaChange {
                status: "designated".into(),
                designated_by: Some("kemensos".into()),
                designated_on: Some("2012-01-02".into()),
                accreditation: "none".into(),
            },
        )
        .await
        .unwrap();
    let member = app
        .store
        .enrol_member(
            &NewMember {
                lpa_id: lpa.id,
                product_code: "askesos_ni".into(),
                product_version: 1,
                nik: HEAD.into(),
                household_id: HH.into(),
                region: VILLAGE.into(),
                name: "Kepala (uji rute)".into(),
                birth_date: "1980-01-01".into(),
                occupation: "buruh_tani".into(),
                employment_status: "casual".into(),
                enrolled_by: "uji".into(),
                cover_start: "2013-01-01".into(),
                checks: "[]".into(),
            },
            &[NewHeir {
                nik: "1222014101900002".into(),
                name: "Ahli waris (uji rute)".into(),
                relation: "spouse".into(),
            }],
            &[],
        )
        .await
        .unwrap();
    let claim = app
        .store
        .create_claim(
            member.id,
            member.version,
            &NewClaim {
                event: "death".into(),
                event_date: "2013-05-01".into(),
                filed_on: "2013-05-02".into(),
                claimant_nik: Some("1222014101900002".into()),
                activity: "other".into(),
                occupation: None,
                illness_days: None,
                cost: None,
                documents: "[]".into(),
                basis: String::new(),
                opened_by: "uji".into(),
            },
        )
        .await
        .unwrap();
    Fixture {
        lpa_id: lpa.id,
        member_id: member.id,
        claim_id: claim.id,
        case_id,
        case_number,
        run_id,
        edition,
        catalogue_version,
        settings,
        draft,
    }
}

#[tokio::test]
async fn every_openapi_route_refuses_the_unauthenticated_and_every_role_outside_its_scope() {
    let mut builder = TestApp::builder().ranked();
    for u in INSIDERS.iter().chain(OUTSIDERS) {
        builder = match u.program {
            Some(p) => builder.program_user(u.name, u.scope, p),
            None => builder.user(u.name, u.role, u.scope),
        };
    }
    for app in builder.build_all().await {
        check(&app).await;
    }
}

async fn check(app: &TestApp) {
    let (s, _, text) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, 200);
    let doc: Value = serde_json::from_str(&text).unwrap();
    let routes = routes_of(&doc);
    let listed: BTreeSet<(&str, &str)> = routes
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    // The allow-lists name only routes that exist.
    for (m, p) in PUBLIC
        .iter()
        .chain(GLOBAL_WRITES)
        .copied()
        .chain(OPEN.iter().map(|(m, p, _)| (*m, *p)))
        .chain([DATA_MANAGER_RUNS])
    {
        assert!(
            listed.contains(&(m, p)),
            "{m} {p} is allow-listed in routes.rs but not in the OpenAPI document"
        );
    }

    let mut tokens = BTreeMap::new();
    for u in INSIDERS.iter().chain(OUTSIDERS) {
        tokens.insert(u.name, app.token(u.name).await);
    }
    let fx = fixture(app, &tokens).await;
    let mut sensitive = sensitive_strings(&fx.case_number);
    // The Askesos member's and heir's names and the heir's NIK.
    for s in [
        "Kepala (uji rute)",
        "Ahli waris (uji rute)",
        "1222014101900002",
    ] {
        sensitive.insert(s.into());
    }
    let probes: Vec<Probe> = routes.iter().flat_map(|r| probes_of(&fx, r)).collect();
    eprintln!(
        "{}: {} routes in the OpenAPI document, {} probes, {} users",
        app.name,
        routes.len(),
        probes.len(),
        INSIDERS.len() + OUTSIDERS.len()
    );

    let mut rows: Vec<Row> = Vec::new();

    // 1. Without sign-in, and with a token that is not one: 401, as a problem. A public
    //    route answers without sign-in: never 401 (nor 5xx), and 2xx with all its
    //    parameters.
    let mut public_answered: BTreeMap<&str, bool> = BTreeMap::new();
    for p in &probes {
        if p.class == Class::Public {
            let (s, _, v) = app.send(&p.method, &p.url, None, p.body.clone()).await;
            let verdict = if s == 401 || s >= 500 {
                Err(format!("a public route refuses the public: {v}"))
            } else {
                Ok(())
            };
            *public_answered.entry(p.template.as_str()).or_default() |= is_2xx(s);
            row(&mut rows, p, "(none)", s, verdict);
            continue;
        }
        for (who, token) in [("(none)", None), ("(bad token)", Some("not-a-token"))] {
            let (s, ct, _) = app.send(&p.method, &p.url, token, p.body.clone()).await;
            let verdict = if s != 401 {
                Err("expected 401".into())
            } else if !is_problem(&ct) {
                Err(format!("401 as {ct:?}, not application/problem+json"))
            } else {
                Ok(())
            };
            row(&mut rows, p, who, s, verdict);
        }
    }

    for (template, answered) in &public_answered {
        if !answered {
            rows.push(Row {
                method: String::new(),
                url: template.to_string(),
                user: "(none)".into(),
                status: 0,
                verdict: Err("a public route never answered 2xx without sign-in".into()),
            });
        }
    }

    // 2. Every role outside the target's scope.
    for u in OUTSIDERS {
        for p in &probes {
            if p.class == Class::Public || (p.class == Class::GlobalWrite && u.role == Role::Admin)
            {
                continue;
            }
            let (s, ct, v) = app
                .send(&p.method, &p.url, Some(&tokens[u.name]), p.body.clone())
                .await;
            let verdict = judge(app, u, p, s, &ct, &v, &sensitive).await;
            row(&mut rows, p, u.name, s, verdict);
        }
    }

    // 3. Insiders: global writes refused to all but administrators; every read answered
    //    to at least one of them (a route refusing everyone would pass the above).
    let mut readable: BTreeMap<String, bool> = BTreeMap::new();
    let mut main_reads: BTreeMap<(String, &str), u16> = BTreeMap::new();
    for u in INSIDERS {
        for p in &probes {
            if p.class == Class::Public || (u.role == Role::Admin && p.method != "GET") {
                continue;
            }
            if p.class == Class::GlobalWrite {
                let (s, ct, _) = app
                    .send(&p.method, &p.url, Some(&tokens[u.name]), p.body.clone())
                    .await;
                let verdict = if s == 403 && is_problem(&ct) {
                    Ok(())
                } else {
                    Err("expected 403: only administrators".into())
                };
                row(&mut rows, p, u.name, s, verdict);
                continue;
            }
            if p.method != "GET" {
                continue;
            }
            let (s, _, _) = app.send("GET", &p.url, Some(&tokens[u.name]), None).await;
            *readable.entry(p.url.clone()).or_default() |= is_2xx(s);
            main_reads.insert((p.url.clone(), u.name), s);
            row(&mut rows, p, u.name, s, Ok(()));
        }
    }
    for p in probes
        .iter()
        .filter(|p| p.method == "GET" && p.class != Class::Public)
    {
        if !readable[&p.url] {
            row(
                &mut rows,
                p,
                "(insiders)",
                0,
                Err("no insider can read it: a broken route would refuse everyone".into()),
            );
        }
    }
    // The main reads, by name: the facilitator of the village reads the case, the
    // household and the person; the program officer of pkh reads the case referred to it;
    // the facilitator's case list holds the case (so an outsider's empty list means
    // something).
    let case = format!("/api/v1/cases/{}", fx.case_id);
    let household = format!("/api/v1/households/{HH}");
    let person = format!("/api/v1/people/{HEAD}");
    for (url, user) in [
        (case.as_str(), "fas"),
        (household.as_str(), "fas"),
        (person.as_str(), "fas"),
        (case.as_str(), "po.pkh"),
    ] {
        let s = main_reads.get(&(url.to_string(), user)).copied();
        if s != Some(200) {
            rows.push(Row {
                method: "GET".into(),
                url: url.into(),
                user: user.into(),
                status: s.unwrap_or(0),
                verdict: Err("the insider must read it (0: not in the document)".into()),
            });
        }
    }
    // The lists an outsider must find empty hold the target's records for an insider
    // (the village's facilitator for cases and visits, the regency's manager for Askesos
    // members), so that an outsider's empty list means something.
    for p in probes
        .iter()
        .filter(|p| p.class == Class::Open(Filter::TargetOnly))
    {
        if p.url.contains('?') {
            continue;
        }
        let mut seen = Vec::new();
        for u in INSIDERS {
            let (s, v) = call(app, &tokens[u.name], "GET", &p.url, None).await;
            if s == 200 && lists_something(&v) {
                seen.clear();
                break;
            }
            seen.push(format!("{}: {s}", u.name));
        }
        if !seen.is_empty() {
            row(
                &mut rows,
                p,
                "(insiders)",
                0,
                Err(format!(
                    "an insider's list must hold the target's records: {}",
                    seen.join(", ")
                )),
            );
        }
    }

    let failed: Vec<&Row> = rows.iter().filter(|r| r.verdict.is_err()).collect();
    assert!(
        failed.is_empty(),
        "{}: {} of {} calls failed:\n{}\nAll calls:\n{}",
        app.name,
        failed.len(),
        rows.len(),
        table(&failed),
        table(&rows.iter().collect::<Vec<_>>())
    );
}
