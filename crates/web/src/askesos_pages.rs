//! The Askesos pages (issue #7), Bahasa Indonesia first and usable on a 360-px phone:
//!
//! - `/askesos`: LPA staff see their LPA, look a NIK up (every criterion of the product,
//!   passed or failed, with its reason), enrol an eligible person with up to two heirs,
//!   and list their members; the district social office, the ministry and the monitoring
//!   roles see the LPAs of their region with their standing, propose LPAs (district
//!   office), designate, revoke and accredit them (ministry), and record the subsidy
//!   (district office, ministry). Those who may read members get the member list and the
//!   claims waiting for their action.
//! - `/askesos/members/{id}`: the member, the ledger (status, arrears, lapses), the card,
//!   heirs, payments and claims, with the forms of the actions the caller may take.
//! - `/askesos/claims/{id}`: the claim, its checklist, service level and history, and the
//!   caller's actions (verify, approve, reject, pay).
//! - `/askesos/reports`: members, retention after the subsidy, money and late claims,
//!   each downloadable as CSV and XLSX (`/exports/askesos/{table}.{csv|xlsx}`).
//!
//! Every read and action goes through [`crate::askesos`] (which asks
//! `askesos::access::decide`), as the API does. Forms post to sub-paths and redirect back
//! (303) with a notice; a refusal shows the page again with the reason and the input kept.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use selaras_domain::access::Decision;
use selaras_domain::askesos::access::{decide, Action, Target};
use selaras_domain::askesos::claims::{Activity, ClaimAction, ClaimState, EndReason};
use selaras_domain::askesos::ledger::CoverStatus;
use selaras_domain::askesos::product::{Event, Payer, Product, HEIR_RELATIONS};
use selaras_domain::{Date, RegionCode, RegionLevel, RegionScope, Rupiah};
use selaras_store::askesos::Lpa;

use crate::askesos::{self as svc, ReportView};
use crate::askesos_api::path_id;
use crate::audit::Audited;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::export::{self, Cell, Col, Table};
use crate::i18n::{self, Tr};
use crate::pages::{error_page, render, ts_label, user_bar, UserBar};
use crate::program_pages::csrf_refused;
use crate::views::RegionView;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/askesos", get(home))
        .route("/askesos/lpas", post(propose_lpa))
        .route("/askesos/lpas/{id}/standing", post(lpa_standing))
        .route("/askesos/lpas/{id}/subsidy", post(lpa_subsidy))
        .route("/askesos/members", post(enrol))
        .route("/askesos/members/{id}", get(member_page))
        .route("/askesos/members/{id}/{form}", post(member_form))
        .route("/askesos/claims/{id}", get(claim_page))
        .route("/askesos/claims/{id}/actions", post(claim_action))
        .route("/askesos/reports", get(reports_page))
        .route("/exports/askesos/{file}", get(export_table))
}

// ---- Small helpers ----------------------------------------------------------------------

/// `2026-11-21` (or a time stamp) → `21/11/2026`; the text itself when it is no date.
fn day(s: &str) -> String {
    match s.get(..10).map(Date::parse) {
        Some(Ok(d)) => d.to_id_string(),
        _ => s.to_string(),
    }
}

fn day_or_dash(s: Option<&str>) -> String {
    s.map_or_else(|| "–".into(), day)
}

fn rp(n: i64) -> String {
    Rupiah(n).to_string()
}

fn yes_no(b: bool) -> String {
    i18n::text(if b { "askesos-yes" } else { "askesos-no" })
}

/// Whole rupiah as typed: `1500000`, `1.500.000` or `Rp 1.500.000`; `None` when empty.
fn money(field: &str, s: &str) -> ApiResult<Option<i64>> {
    let t = s.trim();
    let t = t.strip_prefix("Rp").unwrap_or(t);
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse::<i64>()
        .map(Some)
        .map_err(|_| svc::invalid(field, "expected whole rupiah, e.g. 1.500.000"))
}

fn whole(field: &str, s: &str) -> ApiResult<Option<u32>> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .map(Some)
        .map_err(|_| svc::invalid(field, "expected a whole number"))
}

fn region_label(state: &AppState, code: &str) -> String {
    RegionCode::parse(code)
        .map(|c| RegionView::new(state.regions, &c).label())
        .unwrap_or_else(|_| code.to_string())
}

/// A form as posted (checkbox lists repeat their name).
struct Posted(Vec<(String, String)>);

impl Posted {
    fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    }

    fn opt(&self, k: &str) -> Option<String> {
        Some(self.get(k).trim().to_string()).filter(|v| !v.is_empty())
    }

    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn version(&self) -> ApiResult<i64> {
        self.get("version")
            .trim()
            .parse()
            .map_err(|_| ApiError::BadRequest("version".into()))
    }
}

/// The values the forms of a page show: the defaults, and the input of the form that was
/// refused (kept so that nothing typed is lost).
#[derive(Default)]
pub struct Kept {
    /// The form that was posted and refused (its hidden `form` field).
    form: String,
    posted: HashMap<String, String>,
    docs: Vec<String>,
    defaults: HashMap<String, String>,
}

impl Kept {
    fn new(defaults: Vec<(&str, String)>, posted: Option<&Posted>) -> Kept {
        let mut k = Kept {
            defaults: defaults
                .into_iter()
                .map(|(a, b)| (a.to_string(), b))
                .collect(),
            ..Kept::default()
        };
        if let Some(p) = posted {
            k.form = p.get("form").to_string();
            for (n, v) in &p.0 {
                if !matches!(n.as_str(), "csrf" | "version" | "form" | "documents") {
                    k.posted.entry(n.clone()).or_insert_with(|| v.clone());
                }
            }
            k.docs = p.all("documents");
        }
        k
    }

    /// A field's value.
    pub fn v(&self, key: &str) -> &str {
        self.posted
            .get(key)
            .or_else(|| self.defaults.get(key))
            .map_or("", String::as_str)
    }

    /// Whether a select shows `code`.
    pub fn sel(&self, key: &str, code: &str) -> bool {
        self.v(key) == code
    }

    /// Whether a checkbox of `form` is ticked.
    pub fn on(&self, form: &str, key: &str) -> bool {
        if self.form == form {
            self.posted.contains_key(key)
        } else {
            self.defaults.contains_key(key)
        }
    }

    /// A field of the `i`-th heir of the enrolment form.
    pub fn heir(&self, i: impl std::fmt::Display, field: &str) -> &str {
        self.v(&format!("heir{i}_{field}"))
    }

    pub fn heir_is(&self, i: impl std::fmt::Display, field: &str, code: &str) -> bool {
        self.heir(i, field) == code
    }

    /// Whether a document was ticked in the refused form.
    pub fn doc(&self, code: &str) -> bool {
        self.docs.iter().any(|d| d == code)
    }
}

/// A field name of the service as the form's user reads it.
fn field_text(field: &str) -> String {
    let (heir, rest) = match field.strip_prefix("heirs[") {
        Some(r) => match r.split_once("].") {
            Some((n, f)) => (n.parse::<usize>().ok(), f),
            None => (None, field),
        },
        None => (None, field),
    };
    let rest = if rest.starts_with("documents[") {
        "documents"
    } else {
        rest
    };
    let label = i18n::text(match rest {
        "nik" => "askesos-f-nik",
        "occupation" => "askesos-f-occupation",
        "cover_start" => "askesos-f-cover-start",
        "name" => "askesos-f-name",
        "relation" => "askesos-f-relation",
        "months" => "askesos-f-months",
        "amount" => "askesos-f-amount",
        "payer" => "askesos-f-payer",
        "reinstate" => "askesos-f-reinstate",
        "paid_on" => "askesos-f-paid-on",
        "reference" => "askesos-f-reference",
        "delivered_on" => "askesos-f-delivered-on",
        "delivered_to" => "askesos-f-delivered-to",
        "reason" => "askesos-f-reason",
        "ended_on" => "askesos-f-ended-on",
        "event" => "askesos-f-event",
        "event_date" => "askesos-f-event-date",
        "filed_on" => "askesos-f-filed-on",
        "claimant_nik" => "askesos-f-claimant",
        "activity" => "askesos-f-activity",
        "illness_days" => "askesos-f-illness-days",
        "cost" => "askesos-f-cost",
        "documents" => "askesos-f-documents",
        "note" => "askesos-f-note",
        "legal_form" => "askesos-f-legal-form",
        "region" => "askesos-f-region",
        "address" => "askesos-f-address",
        "product_code" => "askesos-f-product",
        "designated_by" => "askesos-f-designated-by",
        "designated_on" => "askesos-f-designated-on",
        "accreditation" => "askesos-f-accreditation",
        "from" => "askesos-f-from",
        "to" => "askesos-f-to",
        "by" => "askesos-f-by",
        "lpa" => "askesos-f-lpa",
        "complete_on" => "askesos-f-complete-on",
        _ => return field.to_string(),
    });
    match heir {
        Some(n) => format!(
            "{} — {label}",
            Tr::current().arg("askesos-heir-n", "n", n + 1)
        ),
        None => label,
    }
}

/// A refusal as a form shows it: the service's message (in the page's language) with the
/// field named as the form names it.
fn form_error(e: &ApiError) -> String {
    match e {
        ApiError::Invalid { field, detail } => ApiError::Invalid {
            field: field_text(field),
            detail: detail.clone(),
        }
        .message(),
        other => other.message(),
    }
}

/// Refusals a form answers on its own page; anything else is an error page.
fn refusal(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Invalid { .. } | ApiError::Conflict(_) | ApiError::BadRequest(_)
    )
}

/// The redirect after an action whose service wrote its own audit entry.
fn audited_redirect(to: &str) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.extensions_mut().insert(Audited);
    r
}

/// The signed-in caller who sent a form with the session's CSRF token.
async fn form_caller(
    state: &AppState,
    headers: &HeaderMap,
    p: &Posted,
) -> Result<Caller, Response> {
    let c = crate::pages::signed_in(state, headers).await?;
    match csrf_refused(state, &c, p.get("csrf")) {
        Some(r) => Err(r),
        None => Ok(c),
    }
}

/// The success notice named by `?ok=` after a redirect.
fn ok_notice(ok: &str, n: &str, amount: &str, skipped: &str) -> Option<String> {
    let key = match ok {
        "enrolled" => "askesos-ok-enrolled",
        "paid" => "askesos-ok-paid",
        "card" => "askesos-ok-card",
        "heir" => "askesos-ok-heir",
        "ended" => "askesos-ok-ended",
        "claim" => "askesos-ok-claim",
        "verify" => "askesos-ok-verify",
        "approve" => "askesos-ok-approve",
        "reject" => "askesos-ok-reject",
        "pay" => "askesos-ok-pay",
        "proposed" => "askesos-ok-proposed",
        "standing" => "askesos-ok-standing",
        "subsidy" => {
            let n = n.parse::<i64>().unwrap_or(0);
            let amount = amount.parse::<i64>().unwrap_or(0);
            let skipped = skipped.parse::<i64>().unwrap_or(0);
            return Some(Tr::current().args(
                "askesos-ok-subsidy",
                &[
                    ("n", &export::thousands(n)),
                    ("amount", &rp(amount)),
                    ("skipped", &export::thousands(skipped)),
                ],
            ));
        }
        _ => return None,
    };
    Some(i18n::text(key))
}

// ---- Labels of codes ----------------------------------------------------------------------

fn status_label(code: &str) -> String {
    if code == "ended" {
        return i18n::text("askesos-status-ended");
    }
    CoverStatus::parse(code).map_or_else(
        || code.to_string(),
        |s| i18n::pick(s.label_id(), s.label_en()).to_string(),
    )
}

fn lpa_status_label(code: &str) -> String {
    match code {
        "proposed" => i18n::text("askesos-lpa-proposed"),
        "designated" => i18n::text("askesos-lpa-designated"),
        "revoked" => i18n::text("askesos-lpa-revoked"),
        other => other.to_string(),
    }
}

fn legal_form_label(code: &str) -> String {
    svc::LEGAL_FORMS
        .iter()
        .find(|f| f.0 == code)
        .map_or_else(|| code.to_string(), |f| i18n::pick(f.1, f.2).to_string())
}

fn designator_label(code: &str) -> String {
    svc::DESIGNATORS
        .iter()
        .find(|f| f.0 == code)
        .map_or_else(|| code.to_string(), |f| i18n::pick(f.1, f.2).to_string())
}

fn accreditation_label(code: &str) -> String {
    if code == "none" || code.is_empty() {
        i18n::text("askesos-accr-none")
    } else {
        code.to_uppercase()
    }
}

fn occupation_label(code: &str) -> String {
    let key = match code {
        "tukang_ojek" => "askesos-occ-ojek",
        "buruh_bangunan" => "askesos-occ-construction",
        "pedagang_keliling" => "askesos-occ-hawker",
        "pembantu_rumah_tangga" => "askesos-occ-domestic",
        "buruh_nelayan" => "askesos-occ-fishing",
        "buruh_tani" => "askesos-occ-farm",
        "penambang" => "askesos-occ-miner",
        "lainnya" => "askesos-occ-other",
        other => return other.to_string(),
    };
    i18n::text(key)
}

fn relation_label(code: &str) -> String {
    let key = match code {
        "spouse" => "askesos-rel-spouse",
        "child" => "askesos-rel-child",
        "parent" => "askesos-rel-parent",
        "sibling" => "askesos-rel-sibling",
        "other" => "askesos-rel-other",
        other => return other.to_string(),
    };
    i18n::text(key)
}

fn payer_label(code: &str) -> String {
    if code == "enrolment" {
        return i18n::text("askesos-payer-enrolment");
    }
    Payer::parse(code).map_or_else(
        || code.to_string(),
        |p| i18n::pick(p.label_id(), p.label_en()).to_string(),
    )
}

fn doc_label(code: &str) -> String {
    let key = match code {
        "kartu_peserta" => "askesos-doc-card",
        "ktp" => "askesos-doc-ktp",
        "ktp_ahli_waris" => "askesos-doc-ktp-heir",
        "kartu_keluarga" => "askesos-doc-kk",
        "akta_kematian" => "askesos-doc-death-certificate",
        "laporan_kecelakaan" => "askesos-doc-accident-report",
        "surat_keterangan_kecelakaan" => "askesos-doc-accident-letter",
        "surat_keterangan_sakit" => "askesos-doc-illness-letter",
        "surat_keterangan_cacat" => "askesos-doc-disability-letter",
        "kuitansi_perawatan" => "askesos-doc-receipts",
        other => return other.to_string(),
    };
    i18n::text(key)
}

fn criterion_label(code: &str) -> String {
    let key = match code {
        "age" => "askesos-crit-age",
        "role" => "askesos-crit-role",
        "informal_work" => "askesos-crit-informal",
        "poverty" => "askesos-crit-poverty",
        "registry_status" => "askesos-crit-registry",
        other => return other.to_string(),
    };
    i18n::text(key)
}

fn event_label(code: &str) -> String {
    Event::parse(code).map_or_else(
        || code.to_string(),
        |e| i18n::pick(e.label_id(), e.label_en()).to_string(),
    )
}

fn claim_state_label(code: &str) -> String {
    ClaimState::parse(code).map_or_else(
        || code.to_string(),
        |s| i18n::pick(s.label_id(), s.label_en()).to_string(),
    )
}

fn claim_action_label(code: &str) -> String {
    if code == "file" {
        return i18n::text("askesos-action-file");
    }
    ClaimAction::parse(code).map_or_else(
        || code.to_string(),
        |a| i18n::pick(a.label_id(), a.label_en()).to_string(),
    )
}

fn activity_label(code: &str) -> String {
    Activity::parse(code).map_or_else(
        || code.to_string(),
        |a| i18n::pick(a.label_id(), a.label_en()).to_string(),
    )
}

fn end_reason_label(code: &str) -> String {
    EndReason::parse(code).map_or_else(
        || code.to_string(),
        |r| i18n::pick(r.label_id(), r.label_en()).to_string(),
    )
}

fn product_label(p: &Product) -> String {
    format!("{} ({})", i18n::pick(&p.name_id, &p.name_en), p.code)
}

/// The newest version of each product.
fn newest(prods: &[Product]) -> Vec<&Product> {
    let mut by: BTreeMap<&str, &Product> = BTreeMap::new();
    for p in prods {
        let e = by.entry(p.code.as_str()).or_insert(p);
        if p.version > e.version {
            *e = p;
        }
    }
    by.into_values().collect()
}

/// The cover start an LPA's form suggests: today, moved into the product's validity.
fn default_start(p: Option<&Product>, today: Date) -> Date {
    match p {
        Some(p) if today < p.valid_from => p.valid_from,
        Some(p) if p.valid_to.is_some_and(|t| today > t) => p.valid_to.unwrap_or(today),
        _ => today,
    }
}

/// The (code, label) choices of the forms.
fn occupations() -> Vec<(&'static str, String)> {
    svc::OCCUPATIONS
        .iter()
        .map(|(c, _)| (*c, occupation_label(c)))
        .collect()
}

fn relations() -> Vec<(&'static str, String)> {
    HEIR_RELATIONS
        .iter()
        .map(|c| (*c, relation_label(c)))
        .collect()
}

// ---- /askesos -----------------------------------------------------------------------------

/// An LPA as the pages show it.
pub struct LpaRow {
    id: i64,
    version: i64,
    name: String,
    legal_form: String,
    region: String,
    address: String,
    product: String,
    status_code: String,
    status: String,
    designated: String,
    accreditation: String,
    can_designate: bool,
    can_subsidy: bool,
}

fn lpa_row(state: &AppState, c: &Caller, l: &Lpa, prods: &[Product]) -> LpaRow {
    let region = RegionCode::parse(&l.region).ok();
    let may = |a: Action| {
        region.as_ref().is_some_and(|r| {
            decide(
                &c.principal,
                a,
                Some(Target {
                    region: r,
                    lpa_id: Some(l.id),
                    operator: None,
                }),
            ) == Decision::Allow
        })
    };
    let product = prods
        .iter()
        .filter(|p| p.code == l.product_code)
        .max_by_key(|p| p.version)
        .map_or_else(|| l.product_code.clone(), product_label);
    LpaRow {
        id: l.id,
        version: l.version,
        name: l.name.clone(),
        legal_form: legal_form_label(&l.legal_form),
        region: region_label(state, &l.region),
        address: l.address.clone(),
        product,
        status_code: l.status.clone(),
        status: lpa_status_label(&l.status),
        designated: match (&l.designated_by, &l.designated_on) {
            (Some(by), Some(on)) if l.status != "proposed" => {
                format!("{}, {}", designator_label(by), day(on))
            }
            _ => String::new(),
        },
        accreditation: accreditation_label(&l.accreditation),
        can_designate: may(Action::DesignateLpa),
        can_subsidy: may(Action::RecordSubsidy) && l.status == "designated",
    }
}

/// The eligibility of a person, criterion by criterion.
pub struct CheckBlock {
    nik: String,
    name: String,
    household_id: String,
    region: String,
    on: String,
    eligible: bool,
    member_no: Option<String>,
    /// (criterion, passed, reason)
    checks: Vec<(String, bool, String)>,
}

pub struct MemberRow {
    id: i64,
    member_no: String,
    name: String,
    nik: String,
    lpa: String,
    status: String,
    card: String,
    arrears: String,
}

/// A claim waiting for the caller's action.
pub struct PendingRow {
    id: i64,
    claim_no: String,
    member: String,
    event: String,
    state: String,
    due: String,
    late: bool,
    actions: String,
}

#[derive(Template)]
#[template(path = "askesos.html")]
struct HomePage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    kept: Kept,
    /// LPA staff: their LPA.
    own: Option<LpaRow>,
    can_enrol: bool,
    /// The NIK looked up.
    nik: String,
    check: Option<CheckBlock>,
    occupations: Vec<(&'static str, String)>,
    relations: Vec<(&'static str, String)>,
    /// The LPAs of the caller's region (not for LPA staff).
    lpas: Vec<LpaRow>,
    can_propose: bool,
    legal_forms: Vec<(&'static str, String)>,
    products: Vec<(String, String)>,
    designators: Vec<(&'static str, String)>,
    accreditations: Vec<(&'static str, String)>,
    can_members: bool,
    members: Vec<MemberRow>,
    lpa_filter: String,
    offset: i64,
    more: bool,
    pending: Vec<PendingRow>,
    today: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    nik: String,
    #[serde(default)]
    cover_start: String,
    #[serde(default)]
    ok: String,
    #[serde(default)]
    n: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    skipped: String,
    #[serde(default)]
    lpa: String,
    #[serde(default)]
    offset: String,
}

/// `GET /askesos`.
async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<HomeQuery>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    home_for(&state, &c, &q, None, None).await
}

async fn home_for(
    state: &AppState,
    c: &Caller,
    q: &HomeQuery,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> Response {
    match home_page(state, c, q, failure, posted).await {
        Ok((page, status)) => render(&page, status),
        Err(e) => error_page(state, Some(c), e),
    }
}

async fn home_page(
    state: &AppState,
    c: &Caller,
    q: &HomeQuery,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> ApiResult<(HomePage, StatusCode)> {
    if decide(&c.principal, Action::ViewReports, None) != Decision::Allow {
        return Err(ApiError::Forbidden);
    }
    let mut status = failure.as_ref().map_or(StatusCode::OK, ApiError::status);
    let mut error = failure.as_ref().map(form_error);
    let today = svc::today();
    let prods = svc::products(state).await?;
    let own = match c.principal.lpa {
        Some(id) => Some(svc::lpa_for(state, c, id, Action::ViewReports).await?),
        None => None,
    };
    let own_product = own.as_ref().and_then(|l| {
        prods
            .iter()
            .filter(|p| p.code == l.product_code)
            .max_by_key(|p| p.version)
    });
    let can_enrol = own.as_ref().is_some_and(|l| {
        RegionCode::parse(&l.region).is_ok_and(|r| {
            decide(
                &c.principal,
                Action::Enrol,
                Some(Target {
                    region: &r,
                    lpa_id: Some(l.id),
                    operator: None,
                }),
            ) == Decision::Allow
        })
    });
    // The lookup: the NIK and cover start of the query, or of the refused enrolment.
    let nik = posted
        .map_or(q.nik.as_str(), |p| p.get("nik"))
        .trim()
        .to_string();
    let start_text = posted
        .map_or(q.cover_start.as_str(), |p| p.get("cover_start"))
        .trim()
        .to_string();
    let start = match Date::parse(&start_text) {
        Ok(d) => d,
        Err(_) => default_start(own_product, today),
    };
    let mut check = None;
    if let (Some(l), true) = (&own, can_enrol && !nik.is_empty()) {
        match svc::eligibility(state, c, l.id, &nik, start).await {
            Ok((v, ..)) => {
                crate::audit::record(
                    state,
                    Some(c),
                    "read.askesos_eligibility",
                    &format!("person:{}", v.nik),
                    &v.region,
                    "",
                )
                .await?;
                check = Some(CheckBlock {
                    region: region_label(state, &v.region),
                    on: day(&v.on),
                    eligible: v.eligible,
                    member_no: v.member_no.clone(),
                    checks: v
                        .checks
                        .iter()
                        .map(|k| (criterion_label(k.criterion), k.passed, k.reason.clone()))
                        .collect(),
                    nik: v.nik,
                    name: v.name,
                    household_id: v.household_id,
                });
            }
            Err(e) if error.is_none() && matches!(e, ApiError::NotFound) => {
                error = Some(i18n::text("askesos-nik-not-found"));
                status = StatusCode::NOT_FOUND;
            }
            Err(e) if error.is_none() && (refusal(&e) || matches!(e, ApiError::Forbidden)) => {
                error = Some(form_error(&e));
                status = e.status();
            }
            Err(ApiError::Internal(d)) => return Err(ApiError::Internal(d)),
            Err(_) => {}
        }
    }
    let all = svc::lpas(state, c).await?;
    let lpa_names: BTreeMap<i64, String> = all.iter().map(|l| (l.id, l.name.clone())).collect();
    let lpas = if own.is_none() {
        all.iter().map(|l| lpa_row(state, c, l, &prods)).collect()
    } else {
        Vec::new()
    };
    let can_members = decide(&c.principal, Action::ReadMembers, None) == Decision::Allow;
    let offset = q.offset.parse::<i64>().unwrap_or(0).max(0);
    let lpa_filter = match &own {
        Some(l) => Some(l.id),
        None => q.lpa.trim().parse::<i64>().ok(),
    };
    let (members, pending) = if can_members {
        let rows = svc::list_members(
            state,
            c,
            &svc::MemberQuery {
                lpa: lpa_filter,
                offset: Some(offset),
                ..Default::default()
            },
        )
        .await?;
        let rows: Vec<MemberRow> = rows
            .into_iter()
            .map(|m| MemberRow {
                lpa: lpa_names
                    .get(&m.lpa_id)
                    .cloned()
                    .unwrap_or_else(|| m.lpa_id.to_string()),
                id: m.id,
                member_no: m.member_no,
                name: m.name,
                nik: m.nik,
                status: status_label(&m.status),
                card: yes_no(m.card_delivered),
                arrears: rp(m.arrears),
            })
            .collect();
        (rows, pending_claims(state, c).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let default_region = match &c.principal.scope {
        RegionScope::Region(r) if r.level() <= RegionLevel::District => r.to_string(),
        _ => String::new(),
    };
    let first_product = newest(&prods)
        .first()
        .map(|p| p.code.clone())
        .unwrap_or_default();
    let kept = Kept::new(
        vec![
            ("cover_start", start.to_string()),
            ("occupation", String::new()),
            ("heir0_relation", "spouse".into()),
            ("heir1_relation", "child".into()),
            ("legal_form", "yayasan".into()),
            ("region", default_region),
            ("product_code", first_product),
        ],
        posted,
    );
    let page = HomePage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        notice: ok_notice(&q.ok, &q.n, &q.amount, &q.skipped),
        error,
        kept,
        own: own.as_ref().map(|l| lpa_row(state, c, l, &prods)),
        can_enrol,
        nik,
        check,
        occupations: occupations(),
        relations: relations(),
        lpas,
        can_propose: own.is_none()
            && decide(&c.principal, Action::ProposeLpa, None) == Decision::Allow,
        legal_forms: svc::LEGAL_FORMS
            .iter()
            .map(|(c, id, en)| (*c, i18n::pick(id, en).to_string()))
            .collect(),
        products: newest(&prods)
            .into_iter()
            .map(|p| (p.code.clone(), product_label(p)))
            .collect(),
        designators: svc::DESIGNATORS
            .iter()
            .map(|(c, id, en)| (*c, i18n::pick(id, en).to_string()))
            .collect(),
        accreditations: svc::ACCREDITATIONS
            .iter()
            .map(|a| (*a, accreditation_label(a)))
            .collect(),
        can_members,
        more: members.len() as i64 == svc::PAGE,
        members,
        lpa_filter: lpa_filter.map_or_else(String::new, |l| l.to_string()),
        offset,
        pending,
        today: today.to_string(),
    };
    Ok((page, status))
}

/// The claims waiting for a step the caller may take (decided by the service).
async fn pending_claims(state: &AppState, c: &Caller) -> ApiResult<Vec<PendingRow>> {
    Ok(svc::pending_claims(state, c)
        .await?
        .into_iter()
        .map(|p| PendingRow {
            id: p.claim.id,
            claim_no: p.claim.claim_no.clone(),
            member: format!("{} · {}", p.member_no, p.member_name),
            event: event_label(&p.claim.event),
            state: claim_state_label(&p.claim.state),
            due: day_or_dash(p.claim.due_on.as_deref()),
            late: p.late,
            actions: p
                .steps
                .iter()
                .map(|a| claim_action_label(a.code()))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect())
}

/// `POST /askesos/members`: LPA staff enrol the person looked up.
async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let lpa_id = match c.principal.lpa.or_else(|| p.get("lpa_id").parse().ok()) {
        Some(id) => id,
        None => return error_page(&state, Some(&c), ApiError::Forbidden),
    };
    let occupation = match (p.get("occupation"), p.opt("occupation_other")) {
        ("lainnya", Some(other)) => other,
        (o, _) => o.to_string(),
    };
    let mut heirs = Vec::new();
    for i in 0..2 {
        let nik = p.get(&format!("heir{i}_nik")).trim().to_string();
        let name = p.get(&format!("heir{i}_name")).trim().to_string();
        if nik.is_empty() && name.is_empty() {
            continue;
        }
        heirs.push(svc::HeirRequest {
            nik,
            name,
            relation: p.get(&format!("heir{i}_relation")).to_string(),
        });
    }
    let req = svc::EnrolRequest {
        lpa_id,
        nik: p.get("nik").trim().to_string(),
        occupation,
        cover_start: p.opt("cover_start"),
        heirs,
    };
    match svc::enrol(&state, &c, &req).await {
        Ok(m) => audited_redirect(&format!("/askesos/members/{}?ok=enrolled", m.id)),
        Err(e) if refusal(&e) => {
            home_for(&state, &c, &HomeQuery::default(), Some(e), Some(&p)).await
        }
        Err(e) => error_page(&state, Some(&c), e),
    }
}

/// `POST /askesos/lpas`: the district social office proposes an LPA.
async fn propose_lpa(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let req = svc::NewLpaRequest {
        name: p.get("name").into(),
        legal_form: p.get("legal_form").into(),
        region: p.get("region").into(),
        address: p.get("address").into(),
        product_code: p.get("product_code").into(),
    };
    match svc::create_lpa(&state, &c, &req).await {
        Ok(_) => Redirect::to("/askesos?ok=proposed#lpa").into_response(),
        Err(e) if refusal(&e) || matches!(e, ApiError::NotFound) => {
            let e = match e {
                ApiError::NotFound => svc::invalid("region", "outside your region"),
                e => e,
            };
            home_for(&state, &c, &HomeQuery::default(), Some(e), Some(&p)).await
        }
        Err(e) => error_page(&state, Some(&c), e),
    }
}

/// `POST /askesos/lpas/{id}/standing`: designation, revocation, accreditation.
async fn lpa_standing(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let res = async {
        let id = path_id(&id, "")?;
        let req = svc::LpaStandingRequest {
            version: p.version()?,
            action: p.get("action").into(),
            designated_by: p.opt("designated_by"),
            designated_on: p.opt("designated_on"),
            accreditation: p.opt("accreditation"),
        };
        svc::change_lpa(&state, &c, id, &req).await
    }
    .await;
    match res {
        Ok(_) => Redirect::to("/askesos?ok=standing#lpa").into_response(),
        Err(e) if refusal(&e) => home_for(&state, &c, &HomeQuery::default(), Some(e), None).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

/// `POST /askesos/lpas/{id}/subsidy`: the government's contribution for an LPA's members.
async fn lpa_subsidy(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let res = async {
        let id = path_id(&id, "")?;
        let req = svc::SubsidyBody {
            paid_on: p.opt("paid_on"),
            months: whole("months", p.get("months"))?.unwrap_or(0),
            reference: p.get("reference").into(),
        };
        svc::pay_subsidy(&state, &c, id, &req).await
    }
    .await;
    match res {
        Ok(r) => audited_redirect(&format!(
            "/askesos?ok=subsidy&n={}&amount={}&skipped={}#lpa",
            r.members_paid,
            r.amount,
            r.skipped.len()
        )),
        Err(e) if refusal(&e) => home_for(&state, &c, &HomeQuery::default(), Some(e), None).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

// ---- /askesos/members/{id} ------------------------------------------------------------------

pub struct PaymentRow {
    paid_on: String,
    months: i64,
    amount: String,
    payer: String,
    reinstate: bool,
    reference: String,
    by: String,
}

pub struct ClaimRow {
    id: i64,
    claim_no: String,
    event: String,
    event_date: String,
    state: String,
    amount: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "askesos_member.html")]
struct MemberPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    kept: Kept,
    id: i64,
    version: i64,
    member_no: String,
    name: String,
    nik: String,
    household_id: String,
    region: String,
    lpa: String,
    product: String,
    occupation: String,
    cover_start: String,
    enrolled: String,
    status: String,
    arrears: String,
    arrears_months: u32,
    next_due: String,
    lapsed_since: String,
    gaps: Vec<(String, String)>,
    months_due: u32,
    subsidy: String,
    member_months: u32,
    monthly: String,
    card_issued: String,
    card_holder: String,
    card_delivered: Option<(String, String)>,
    heirs: Vec<(String, String, String)>,
    payments: Vec<PaymentRow>,
    claims: Vec<ClaimRow>,
    can_enrol: bool,
    can_pay: bool,
    can_claim: bool,
    payers: Vec<(&'static str, String)>,
    events: Vec<(&'static str, String)>,
    documents: Vec<(String, String)>,
    activities: Vec<(&'static str, String)>,
    occupations: Vec<(String, String)>,
    relations: Vec<(&'static str, String)>,
    end_reasons: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OkQuery {
    #[serde(default)]
    ok: String,
}

/// `GET /askesos/members/{id}` (also `ASK-00000042`).
async fn member_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<OkQuery>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    match path_id(&id, "ASK-") {
        Ok(id) => member_for(&state, &c, id, &q.ok, None, None).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

async fn member_for(
    state: &AppState,
    c: &Caller,
    id: i64,
    ok: &str,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> Response {
    match member_page_of(state, c, id, ok, failure, posted).await {
        Ok((page, status)) => render(&page, status),
        Err(e) => error_page(state, Some(c), e),
    }
}

async fn member_page_of(
    state: &AppState,
    c: &Caller,
    id: i64,
    ok: &str,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> ApiResult<(MemberPage, StatusCode)> {
    let (l, v) = svc::read_member(state, c, id).await?;
    let m = &l.member;
    let region = RegionCode::parse(&m.region)
        .map_err(|e| ApiError::Internal(format!("stored region: {e}")))?;
    let target = Target {
        region: &region,
        lpa_id: Some(m.lpa_id),
        operator: Some(l.product.operator()),
    };
    let may = |a: Action| decide(&c.principal, a, Some(target)) == Decision::Allow;
    let active = m.state == "active";
    let g = &v.ledger;
    let status = if g.status == "ended" {
        Tr::current().args(
            "askesos-ended-on",
            &[
                ("date", &day_or_dash(m.ended_on.as_deref())),
                (
                    "reason",
                    &end_reason_label(m.end_reason.as_deref().unwrap_or("")),
                ),
            ],
        )
    } else {
        status_label(&g.status)
    };
    let can_pay = active && may(Action::RecordPayment);
    let can_subsidy = active && may(Action::RecordSubsidy);
    let mut payers = Vec::new();
    if can_pay {
        payers.push(("member", payer_label("member")));
        payers.push(("lpa", payer_label("lpa")));
    }
    if can_subsidy && l.product.subsidy_months() > 0 {
        payers.push(("subsidy", payer_label("subsidy")));
    }
    // The months the form suggests: the arrears (a member or the LPA pays), or what is
    // left of the subsidy (the office records it).
    let months = if can_pay {
        g.arrears_months.max(1)
    } else {
        g.subsidy_months
            .saturating_sub(g.subsidy_months_paid)
            .max(1)
    };
    let mut documents: Vec<(String, String)> = Vec::new();
    for e in l.product.events() {
        for d in l.product.documents(e) {
            if !documents.iter().any(|(c, _)| c == d) {
                documents.push((d.clone(), doc_label(d)));
            }
        }
    }
    let mut occupations: Vec<(String, String)> = occupations()
        .into_iter()
        .map(|(c, l)| (c.to_string(), l))
        .collect();
    if !occupations.iter().any(|(c, _)| *c == m.occupation) {
        occupations.insert(0, (m.occupation.clone(), m.occupation.clone()));
    }
    let today = svc::today();
    let mut defaults = vec![
        ("months", months.to_string()),
        (
            "amount",
            export::thousands(g.monthly_amount * i64::from(months)),
        ),
        (
            "payer",
            payers.first().map_or("member", |p| p.0).to_string(),
        ),
        ("paid_on", today.to_string()),
        ("delivered_on", today.to_string()),
        ("delivered_to", m.name.clone()),
        ("relation", "spouse".into()),
        (
            "event",
            l.product
                .events()
                .first()
                .map_or("", |e| e.code())
                .to_string(),
        ),
        ("filed_on", today.to_string()),
        ("claimant_nik", m.nik.clone()),
        ("activity", "work".into()),
        ("occupation", m.occupation.clone()),
        ("reason", "request".into()),
        ("ended_on", today.to_string()),
    ];
    if g.status == "lapsed" {
        defaults.push(("reinstate", "1".into()));
    }
    let page = MemberPage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        notice: ok_notice(ok, "", "", ""),
        error: failure.as_ref().map(form_error),
        kept: Kept::new(defaults, posted),
        id: m.id,
        version: m.version,
        member_no: m.member_no.clone(),
        name: m.name.clone(),
        nik: m.nik.clone(),
        household_id: m.household_id.clone(),
        region: region_label(state, &m.region),
        lpa: l.lpa.name.clone(),
        product: product_label(&l.product),
        occupation: occupation_label(&m.occupation),
        cover_start: day(&m.cover_start),
        enrolled: format!("{} · {}", ts_label(&m.enrolled_at), m.enrolled_by),
        status,
        arrears: rp(g.arrears),
        arrears_months: g.arrears_months,
        next_due: day_or_dash(g.next_due.as_deref()),
        lapsed_since: day_or_dash(g.lapsed_since.as_deref()),
        gaps: g.gaps.iter().map(|(a, b)| (day(a), day(b))).collect(),
        months_due: g.months_due,
        subsidy: format!("{} / {}", g.subsidy_months_paid, g.subsidy_months),
        member_months: g.member_months_paid,
        monthly: rp(g.monthly_amount),
        card_issued: day(&m.card_issued_on),
        card_holder: i18n::text(if m.card_holder == "member" {
            "askesos-card-at-member"
        } else {
            "askesos-card-at-lpa"
        }),
        card_delivered: m
            .card_delivered_on
            .as_deref()
            .map(|d| (day(d), m.card_delivered_to.clone().unwrap_or_default())),
        heirs: l
            .heirs
            .iter()
            .map(|h| (h.nik.clone(), h.name.clone(), relation_label(&h.relation)))
            .collect(),
        payments: l
            .payments
            .iter()
            .map(|p| PaymentRow {
                paid_on: day(&p.paid_on),
                months: p.months,
                amount: rp(p.amount),
                payer: payer_label(&p.payer),
                reinstate: p.reinstate,
                reference: p.reference.clone(),
                by: p.recorded_by.clone(),
            })
            .collect(),
        claims: v
            .claims
            .iter()
            .map(|cv| ClaimRow {
                id: cv.claim.id,
                claim_no: cv.claim.claim_no.clone(),
                event: event_label(&cv.claim.event),
                event_date: day(&cv.claim.event_date),
                state: claim_state_label(&cv.claim.state),
                amount: cv.claim.amount.map_or_else(|| "–".into(), rp),
                late: cv.late,
            })
            .collect(),
        can_enrol: active && may(Action::Enrol),
        can_pay: !payers.is_empty(),
        can_claim: may(Action::FileClaim),
        payers,
        events: l
            .product
            .events()
            .into_iter()
            .map(|e| (e.code(), event_label(e.code())))
            .collect(),
        documents,
        activities: Activity::ALL
            .iter()
            .map(|a| (a.code(), activity_label(a.code())))
            .collect(),
        occupations,
        relations: relations(),
        end_reasons: EndReason::ALL
            .iter()
            .map(|r| (r.code(), end_reason_label(r.code())))
            .collect(),
    };
    let status = failure.as_ref().map_or(StatusCode::OK, ApiError::status);
    Ok((page, status))
}

/// `POST /askesos/members/{id}/{payments|card|heirs|claims|end}`.
async fn member_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, form)): Path<(String, String)>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match path_id(&id, "ASK-") {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let res = member_action(&state, &c, id, &form, &p).await;
    match res {
        Ok(to) => audited_redirect(&to),
        Err(e) if refusal(&e) => member_for(&state, &c, id, "", Some(e), Some(&p)).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

/// The action of a member form; where to go after it.
async fn member_action(
    state: &AppState,
    c: &Caller,
    id: i64,
    form: &str,
    p: &Posted,
) -> ApiResult<String> {
    let back = format!("/askesos/members/{id}");
    match form {
        "payments" => {
            let months = whole("months", p.get("months"))?
                .ok_or_else(|| svc::invalid("months", "is required"))?;
            let amount = match money("amount", p.get("amount"))? {
                Some(a) => a,
                None => {
                    let l = svc::load(state, c, id, Action::ReadMembers).await?;
                    l.product.contribution.monthly_amount.0 * i64::from(months)
                }
            };
            let req = svc::PaymentBody {
                version: p.version()?,
                paid_on: p.opt("paid_on"),
                months,
                amount,
                payer: p.get("payer").into(),
                reinstate: !p.get("reinstate").is_empty(),
                reference: p.get("reference").into(),
            };
            svc::pay(state, c, id, &req).await?;
            Ok(format!("{back}?ok=paid#iuran"))
        }
        "card" => {
            let req = svc::CardBody {
                version: p.version()?,
                delivered_on: p.opt("delivered_on"),
                delivered_to: p.get("delivered_to").into(),
            };
            svc::deliver_card(state, c, id, &req).await?;
            Ok(format!("{back}?ok=card#kartu"))
        }
        "heirs" => {
            let req = svc::HeirBody {
                version: p.version()?,
                nik: p.get("nik").into(),
                name: p.get("name").into(),
                relation: p.get("relation").into(),
            };
            svc::add_heir(state, c, id, &req).await?;
            Ok(format!("{back}?ok=heir#ahli-waris"))
        }
        "end" => {
            let req = svc::EndBody {
                version: p.version()?,
                ended_on: p.opt("ended_on"),
                reason: p.get("reason").into(),
            };
            svc::end(state, c, id, &req).await?;
            Ok(format!("{back}?ok=ended"))
        }
        "claims" => {
            let version = p.version()?;
            let l = svc::load(state, c, id, Action::ReadMembers).await?;
            // The form lists the documents of every covered event; only those of the
            // claim's event count.
            let documents = match Event::parse(p.get("event")) {
                Some(e) => {
                    let list = l.product.documents(e);
                    p.all("documents")
                        .into_iter()
                        .filter(|d| list.contains(d))
                        .collect()
                }
                None => Vec::new(),
            };
            let req = svc::ClaimBody {
                version,
                event: p.get("event").into(),
                event_date: p.get("event_date").into(),
                filed_on: p.opt("filed_on"),
                claimant_nik: p.get("claimant_nik").into(),
                activity: p.opt("activity"),
                occupation: p.opt("occupation"),
                illness_days: whole("illness_days", p.get("illness_days"))?,
                cost: money("cost", p.get("cost"))?,
                documents,
            };
            let claim = svc::file_claim(state, c, id, &req).await?;
            Ok(format!("/askesos/claims/{}?ok=claim", claim.id))
        }
        _ => Err(ApiError::NotFound),
    }
}

// ---- /askesos/claims/{id} -------------------------------------------------------------------

pub struct HistoryRow {
    at: String,
    actor: String,
    action: String,
    to: String,
    note: String,
}

#[derive(Template)]
#[template(path = "askesos_claim.html")]
struct ClaimPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    kept: Kept,
    id: i64,
    version: i64,
    claim_no: String,
    member_id: i64,
    member: String,
    lpa: String,
    product: String,
    event: String,
    event_date: String,
    filed_on: String,
    claimant: String,
    activity: String,
    occupation: String,
    illness_days: String,
    cost: String,
    amount: String,
    basis: String,
    state: String,
    note: String,
    /// (code, label, received)
    checklist: Vec<(String, String, bool)>,
    missing: Vec<String>,
    complete_on: String,
    due_on: String,
    sla_days: u32,
    working_days: String,
    late: bool,
    paid_on: String,
    paid_to: String,
    history: Vec<HistoryRow>,
    can_verify: bool,
    can_approve: bool,
    can_reject: bool,
    can_pay: bool,
    needs_claimant: bool,
}

/// `GET /askesos/claims/{id}` (also `KLM-00000042`).
async fn claim_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: Result<Query<OkQuery>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    match path_id(&id, "KLM-") {
        Ok(id) => claim_for(&state, &c, id, &q.ok, None, None).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

async fn claim_for(
    state: &AppState,
    c: &Caller,
    id: i64,
    ok: &str,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> Response {
    match claim_page_of(state, c, id, ok, failure, posted).await {
        Ok((page, status)) => render(&page, status),
        Err(e) => error_page(state, Some(c), e),
    }
}

async fn claim_page_of(
    state: &AppState,
    c: &Caller,
    id: i64,
    ok: &str,
    failure: Option<ApiError>,
    posted: Option<&Posted>,
) -> ApiResult<(ClaimPage, StatusCode)> {
    let (claim, l, v) = svc::read_claim(state, c, id).await?;
    let docs = svc::documents_of(&claim);
    let has = |a: &str| v.actions.iter().any(|x| x == a);
    let today = svc::today();
    let page = ClaimPage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        notice: ok_notice(ok, "", "", ""),
        error: failure.as_ref().map(form_error),
        kept: Kept::new(
            vec![
                ("paid_on", today.to_string()),
                ("complete_on", today.to_string()),
            ],
            posted,
        ),
        id: claim.id,
        version: claim.version,
        claim_no: claim.claim_no.clone(),
        member_id: l.member.id,
        member: format!("{} · {}", l.member.member_no, l.member.name),
        lpa: l.lpa.name.clone(),
        product: product_label(&l.product),
        event: event_label(&claim.event),
        event_date: day(&claim.event_date),
        filed_on: day(&claim.filed_on),
        claimant: claim.claimant_nik.clone().unwrap_or_else(|| "–".into()),
        activity: activity_label(&claim.activity),
        occupation: claim
            .occupation
            .as_deref()
            .map_or_else(|| "–".into(), occupation_label),
        illness_days: claim
            .illness_days
            .map_or_else(|| "–".into(), |d| d.to_string()),
        cost: claim.cost.map_or_else(|| "–".into(), rp),
        amount: claim.amount.map_or_else(|| "–".into(), rp),
        basis: claim.basis.clone(),
        state: claim_state_label(&claim.state),
        note: claim.note.clone(),
        checklist: v
            .checklist
            .iter()
            .map(|d| (d.clone(), doc_label(d), docs.contains(d)))
            .collect(),
        missing: v.missing_documents.iter().map(|d| doc_label(d)).collect(),
        complete_on: day_or_dash(claim.complete_on.as_deref()),
        due_on: day_or_dash(claim.due_on.as_deref()),
        sla_days: v.sla_working_days,
        working_days: v.working_days.map_or_else(|| "–".into(), |d| d.to_string()),
        late: v.late,
        paid_on: day_or_dash(claim.paid_on.as_deref()),
        paid_to: claim.paid_to.clone().unwrap_or_else(|| "–".into()),
        history: v
            .events
            .iter()
            .map(|e| HistoryRow {
                at: ts_label(&e.at),
                actor: e.actor.clone(),
                action: claim_action_label(&e.action),
                to: claim_state_label(&e.to_state),
                note: e.note.clone(),
            })
            .collect(),
        can_verify: has("verify"),
        can_approve: has("approve"),
        can_reject: has("reject"),
        can_pay: has("pay"),
        needs_claimant: claim.claimant_nik.is_none(),
    };
    let status = failure.as_ref().map_or(StatusCode::OK, ApiError::status);
    Ok((page, status))
}

/// `POST /askesos/claims/{id}/actions`.
async fn claim_action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let p = Posted(f);
    let c = match form_caller(&state, &headers, &p).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let id = match path_id(&id, "KLM-") {
        Ok(id) => id,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let action = p.get("action").to_string();
    let res = async {
        let req = svc::ClaimActionBody {
            version: p.version()?,
            action: action.clone(),
            note: p.get("note").into(),
            documents: p.all("documents"),
            claimant_nik: p.opt("claimant_nik"),
            paid_on: p.opt("paid_on"),
            complete_on: p.opt("complete_on"),
        };
        svc::act_on_claim(&state, &c, id, &req).await
    }
    .await;
    match res {
        Ok(_) => {
            let ok = ClaimAction::parse(&action).map_or("", |a| a.code());
            audited_redirect(&format!("/askesos/claims/{id}?ok={ok}"))
        }
        Err(e) if refusal(&e) => claim_for(&state, &c, id, "", Some(e), Some(&p)).await,
        Err(e) => error_page(&state, Some(&c), e),
    }
}

// ---- /askesos/reports and their exports -------------------------------------------------------

/// The report's filters as a form sends them (empty fields are "not given").
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    region: String,
    #[serde(default)]
    lpa: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl ReportForm {
    fn query(&self) -> ApiResult<svc::ReportQuery> {
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let lpa = match self.lpa.trim() {
            "" => None,
            s => Some(
                s.parse::<i64>()
                    .map_err(|_| svc::invalid("lpa", "expected an LPA number"))?,
            ),
        };
        Ok(svc::ReportQuery {
            region: opt(&self.region),
            lpa,
            by: opt(&self.by),
            from: opt(&self.from),
            to: opt(&self.to),
        })
    }

    /// The filters as a query string, for the download links.
    fn query_string(&self) -> String {
        [
            ("region", &self.region),
            ("lpa", &self.lpa),
            ("by", &self.by),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The four tables of a report (for the page and the downloads), named by their file.
pub fn report_tables(
    state: &AppState,
    v: &ReportView,
    lpas: &BTreeMap<i64, String>,
) -> Vec<(&'static str, Table)> {
    let name = |g: &str| -> String {
        if let Some(n) = v.names.get(g) {
            return n.clone();
        }
        if v.by == "lpa" {
            g.parse::<i64>()
                .ok()
                .and_then(|id| lpas.get(&id).cloned())
                .unwrap_or_default()
        } else {
            RegionCode::parse(g)
                .ok()
                .and_then(|c| state.regions.name(&c).map(String::from))
                .unwrap_or_default()
        }
    };
    let (group_id, group_en) = if v.by == "lpa" {
        ("LPA", "LPA")
    } else {
        ("Kabupaten/kota", "Regency")
    };
    let group_cols = || {
        vec![
            Col::new("group", group_id, group_en),
            Col::new("name", "Nama", "Name"),
        ]
    };
    let group_cells = |g: &str| vec![Cell::text(g), Cell::text(name(g))];
    let int = Cell::Int;
    let members = Table {
        title_id: "Peserta menurut status polis dan kartu".into(),
        title_en: "Members by policy status and card".into(),
        columns: [
            group_cols(),
            vec![
                Col::new("members", "Peserta", "Members"),
                Col::new("subsidised", "Iuran dibantu", "Subsidised"),
                Col::new("self_paying", "Iuran mandiri", "Self-paying"),
                Col::new("in_arrears", "Menunggak", "In arrears"),
                Col::new("lapsed", "Lapse", "Lapsed"),
                Col::new("ended", "Berakhir", "Ended"),
                Col::new("cards_delivered", "Kartu diserahkan", "Cards delivered"),
                Col::new(
                    "cards_not_delivered",
                    "Kartu belum diserahkan",
                    "Cards not delivered",
                ),
            ],
        ]
        .concat(),
        rows: v
            .members
            .iter()
            .map(|r| {
                let mut row = group_cells(&r.group);
                row.extend([
                    int(r.members),
                    int(r.subsidised),
                    int(r.self_paying),
                    int(r.in_arrears),
                    int(r.lapsed),
                    int(r.ended),
                    int(r.cards_delivered),
                    int(r.cards_not_delivered),
                ]);
                row
            })
            .collect(),
    };
    let retention = Table {
        title_id: "Retensi setelah bantuan iuran berakhir".into(),
        title_en: "Retention after the subsidy ended".into(),
        columns: [
            group_cols(),
            vec![
                Col::new("subsidy_ended", "Bantuan iuran berakhir", "Subsidy ended"),
                Col::new("still_paying", "Masih membayar", "Still paying"),
                Col::new("retention", "Retensi", "Retention"),
            ],
        ]
        .concat(),
        rows: v
            .retention
            .iter()
            .map(|r| {
                let mut row = group_cells(&r.group);
                row.extend([
                    int(r.subsidy_ended),
                    int(r.still_paying),
                    Cell::Percent(r.permille as f64 / 10.0),
                ]);
                row
            })
            .collect(),
    };
    let money = Table {
        title_id: "Iuran masuk, klaim dibayar dan imbalan LPA per tahun".into(),
        title_en: "Contributions, claims paid and LPA fees per year".into(),
        columns: [
            group_cols(),
            vec![
                Col::new("year", "Tahun", "Year"),
                Col::new(
                    "member_contributions",
                    "Iuran peserta",
                    "Member contributions",
                ),
                Col::new("lpa_contributions", "Iuran LPA", "LPA contributions"),
                Col::new("subsidy", "Bantuan iuran", "Subsidy"),
                Col::new("total_in", "Jumlah masuk", "Total in"),
                Col::new("claims_paid", "Klaim dibayar", "Claims paid"),
                Col::new(
                    "claims_paid_amount",
                    "Nilai klaim dibayar",
                    "Claims paid (amount)",
                ),
                Col::new(
                    "claims_share",
                    "Klaim terhadap iuran",
                    "Claims against contributions",
                ),
                Col::new("lpa_fees", "Imbalan LPA", "LPA fees"),
            ],
        ]
        .concat(),
        rows: v
            .money
            .iter()
            .map(|r| {
                let mut row = group_cells(&r.group);
                row.extend([
                    Cell::Text(r.year.to_string()),
                    Cell::Rupiah(r.member_contributions.0),
                    Cell::Rupiah(r.lpa_contributions.0),
                    Cell::Rupiah(r.subsidy.0),
                    Cell::Rupiah(r.total_in.0),
                    int(r.claims_paid),
                    Cell::Rupiah(r.claims_paid_amount.0),
                    r.claims_permille
                        .map_or(Cell::Empty, |p| Cell::Percent(p as f64 / 10.0)),
                    Cell::Rupiah(r.lpa_fees.0),
                ]);
                row
            })
            .collect(),
    };
    let lateness = Table {
        title_id: "Klaim dibayar terlambat".into(),
        title_en: "Claims paid late".into(),
        columns: [
            group_cols(),
            vec![
                Col::new("paid", "Klaim dibayar", "Claims paid"),
                Col::new("paid_late", "Dibayar terlambat", "Paid late"),
                Col::new(
                    "open_overdue",
                    "Belum dibayar, lewat tenggat",
                    "Unpaid, overdue",
                ),
            ],
        ]
        .concat(),
        rows: v
            .lateness
            .iter()
            .map(|r| {
                let mut row = group_cells(&r.group);
                row.extend([int(r.paid), int(r.paid_late), int(r.open_overdue)]);
                row
            })
            .collect(),
    };
    vec![
        ("members", members),
        ("retention", retention),
        ("money", money),
        ("lateness", lateness),
    ]
}

/// A table as the page shows it (labels in the page's language, Indonesian formats).
pub struct TableView {
    key: &'static str,
    title: String,
    columns: Vec<(String, bool)>,
    rows: Vec<Vec<(String, bool)>>,
}

fn table_view(key: &'static str, t: &Table) -> TableView {
    let numeric = |c: &Cell| matches!(c, Cell::Int(_) | Cell::Rupiah(_) | Cell::Percent(_));
    let first = t.rows.first();
    TableView {
        key,
        title: i18n::pick(&t.title_id, &t.title_en).to_string(),
        columns: t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    i18n::pick(&c.label_id, &c.label_en).to_string(),
                    first.and_then(|r| r.get(i)).is_some_and(numeric),
                )
            })
            .collect(),
        rows: t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| (c.display(), numeric(c))).collect())
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "askesos_reports.html")]
struct ReportsPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    error: Option<String>,
    f: ReportForm,
    is_lpa_staff: bool,
    lpas: Vec<(String, String)>,
    period: String,
    tables: Vec<TableView>,
    qs: String,
}

/// `GET /askesos/reports?region=&lpa=&by=lpa|region&from=&to=`.
async fn reports_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<ReportForm>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let f = q.map(|Query(q)| q).unwrap_or_default();
    let lpas = match svc::lpas(&state, &c).await {
        Ok(l) => l,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let names: BTreeMap<i64, String> = lpas.iter().map(|l| (l.id, l.name.clone())).collect();
    let (view, error, status) = match f.query() {
        Ok(rq) => match svc::report(&state, &c, &rq).await {
            Ok(v) => (Some(v), None, StatusCode::OK),
            Err(e @ (ApiError::Forbidden | ApiError::Internal(_))) => {
                return error_page(&state, Some(&c), e)
            }
            Err(e) => (None, Some(form_error(&e)), e.status()),
        },
        Err(e) => (None, Some(form_error(&e)), e.status()),
    };
    let tables = view.as_ref().map_or_else(Vec::new, |v| {
        report_tables(&state, v, &names)
            .iter()
            .map(|(k, t)| table_view(k, t))
            .collect()
    });
    let period = view.as_ref().map_or_else(String::new, |v| {
        Tr::current().args(
            "askesos-report-period",
            &[("from", &day(&v.from)), ("to", &day(&v.to))],
        )
    });
    let mut f = f;
    if f.by.is_empty() {
        f.by = "lpa".into();
    }
    let page = ReportsPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        error,
        is_lpa_staff: c.principal.lpa.is_some(),
        lpas: lpas
            .iter()
            .map(|l| (l.id.to_string(), l.name.clone()))
            .collect(),
        period,
        tables,
        qs: f.query_string(),
        f,
    };
    render(&page, status)
}

/// `GET /exports/askesos/{members|retention|money|lateness}.{csv|xlsx}` with the report's
/// filters.
async fn export_table(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    q: Result<Query<ReportForm>, QueryRejection>,
) -> Response {
    let c = match export::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let res = async {
        let Query(f) = q.map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let (name, format) = export::split_file(&file).ok_or(ApiError::NotFound)?;
        if format == export::FileType::Pdf {
            return Err(ApiError::NotFound);
        }
        if !["members", "retention", "money", "lateness"].contains(&name) {
            return Err(ApiError::NotFound);
        }
        let view = svc::report(&state, &c, &f.query()?).await?;
        let lpas: BTreeMap<i64, String> = svc::lpas(&state, &c)
            .await?
            .into_iter()
            .map(|l| (l.id, l.name))
            .collect();
        let table = report_tables(&state, &view, &lpas)
            .into_iter()
            .find(|(k, _)| *k == name)
            .map(|(_, t)| t)
            .ok_or(ApiError::NotFound)?;
        let mut filename = format!("askesos-{name}");
        if !view.region.is_empty() {
            filename.push('-');
            filename.push_str(&view.region);
        }
        if let Some(l) = f.query()?.lpa {
            filename.push_str(&format!("-lpa{l}"));
        }
        filename.push('.');
        filename.push_str(file.rsplit('.').next().unwrap_or("csv"));
        export::respond(table, format, filename).await
    }
    .await;
    match res {
        Ok(r) => r,
        Err(e) => export::failure(&state, &c, e),
    }
}
