//! Server-rendered pages (Bahasa Indonesia first): sign-in, household search, household.
//! Every read goes through the same authorizer as the API (`views::readable_household`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use selaras_domain::access::{authorize, Decision, Permission};
use selaras_domain::codes::*;
use selaras_domain::registry::ASSET_COLUMNS;
use selaras_domain::RegionScope;

use crate::auth::{self, Caller, SESSION_COOKIE, SESSION_HOURS};
use crate::error::ApiError;
use crate::i18n::{self, Tr};
use crate::views::{self, RegionView};
use crate::AppState;

const LOGIN_CSRF_COOKIE: &str = "selaras_login_csrf";

pub(crate) struct UserBar {
    pub username: String,
    pub role_label: String,
    pub region_label: String,
    /// The menu shows Askesos: the caller may at least read its reports.
    pub askesos: bool,
}

pub(crate) fn user_bar(state: &AppState, c: &Caller) -> UserBar {
    use selaras_domain::askesos::access::{decide, Action};
    UserBar {
        username: c.principal.username.clone(),
        role_label: i18n::pick(c.principal.role.label_id(), c.principal.role.label_en()).into(),
        region_label: scope_label(state, &c.principal.scope),
        askesos: decide(&c.principal, Action::ViewReports, None)
            == selaras_domain::access::Decision::Allow,
    }
}

fn scope_label(state: &AppState, s: &RegionScope) -> String {
    match s {
        RegionScope::National => i18n::text("base-national"),
        RegionScope::Region(code) => RegionView::new(state.regions, code).label(),
    }
}

pub(crate) fn render(t: &impl Template, status: StatusCode) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => ApiError::Internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    title: String,
    message: String,
}

/// An error as a page, for the browser.
pub fn error_page(state: &AppState, caller: Option<&Caller>, e: ApiError) -> Response {
    if let ApiError::Internal(d) = &e {
        tracing::error!(detail = %d, "internal error on a page");
    }
    let status = e.status();
    let page = MessagePage {
        user: caller.map(|c| user_bar(state, c)),
        t: Tr::current(),
        csrf: caller.map(|c| c.session.csrf.clone()).unwrap_or_default(),
        title: match status {
            StatusCode::NOT_FOUND => i18n::text("message-not-found"),
            StatusCode::FORBIDDEN => i18n::text("message-forbidden"),
            _ => i18n::text("message-unprocessable"),
        },
        message: e.message(),
    };
    render(&page, status)
}

/// The signed-in caller of a page, or the redirect to the sign-in page.
pub(crate) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    match page_caller(state, headers).await? {
        Some(c) => Ok(c),
        None => Err(Redirect::to("/login").into_response()),
    }
}

pub(crate) async fn page_caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Caller>, Response> {
    auth::caller(headers, &*state.store)
        .await
        .map_err(|e| error_page(state, None, e))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    login_csrf: String,
    username: String,
    error: Option<String>,
}

fn login_page(
    state: &AppState,
    username: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = auth::random_token();
    let page = LoginPage {
        user: None,
        t: Tr::current(),
        csrf: String::new(),
        login_csrf: token.clone(),
        username,
        error,
    };
    let mut resp = render(&page, status);
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/login; Max-Age=3600{}",
        secure(state)
    );
    if let Ok(v) = cookie.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

fn secure(state: &AppState) -> &'static str {
    if state.secure_cookies {
        "; Secure"
    } else {
        ""
    }
}

pub async fn login_form(State(state): State<AppState>) -> Response {
    login_page(&state, String::new(), None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || expected != f.csrf {
        return login_page(
            &state,
            f.username,
            Some(i18n::text("login-expired")),
            StatusCode::BAD_REQUEST,
        );
    }
    match auth::sign_in(&*state.store, &f.username, &f.password).await {
        Ok((token, _)) => {
            let mut resp = Redirect::to("/").into_response();
            let cookie = format!(
                "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}",
                SESSION_HOURS * 3600,
                secure(&state)
            );
            if let Ok(v) = cookie.parse() {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            resp
        }
        Err(ApiError::Unauthorized) => login_page(
            &state,
            f.username,
            Some(i18n::text("login-wrong")),
            StatusCode::UNAUTHORIZED,
        ),
        Err(e) => error_page(&state, None, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Response {
    let caller = match page_caller(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(c) = &caller {
        if c.session.csrf != f.csrf {
            return error_page(
                &state,
                caller.as_ref(),
                ApiError::BadRequest("CSRF token".into()),
            );
        }
        if let Err(e) = state.store.delete_session(&c.session.token_hash).await {
            return error_page(&state, caller.as_ref(), e.into());
        }
    }
    let mut resp = Redirect::to("/login").into_response();
    if let Ok(v) = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0").parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

pub struct HitRow {
    household_id: String,
    head_name: String,
    matched_name: String,
    matched_nik: String,
    members: i64,
    region_label: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    scope_label: String,
    q: String,
    searched: bool,
    hits: Vec<HitRow>,
    notice: Option<String>,
    /// The desk may start a registration for a family not found.
    can_record: bool,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(sq): Query<SearchQuery>,
) -> Response {
    let caller = match page_caller(&state, &headers).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    let mut page = SearchPage {
        user: Some(user_bar(&state, &caller)),
        t: Tr::current(),
        csrf: caller.session.csrf.clone(),
        scope_label: scope_label(&state, &caller.principal.scope),
        q: sq.q.trim().chars().take(120).collect(),
        searched: false,
        hits: vec![],
        notice: None,
        can_record: authorize(&caller.principal, Permission::RecordCase, None) == Decision::Allow,
    };
    if authorize(&caller.principal, Permission::SearchRegistry, None) != Decision::Allow {
        page.notice = Some(i18n::text("search-no-personal"));
        return render(&page, StatusCode::OK);
    }
    if page.q.chars().count() >= 3 {
        match state
            .store
            .search(&caller.principal.scope, &page.q, 50)
            .await
        {
            Ok(hits) => {
                let found: Vec<&str> = hits.iter().map(|h| h.household_id.as_str()).collect();
                let detail = format!("q={}; households={}", page.q, found.join(","));
                if let Err(e) = crate::audit::record(
                    &state,
                    Some(&caller),
                    "read.search",
                    "households",
                    caller.principal.scope.prefix(),
                    &detail,
                )
                .await
                {
                    return error_page(&state, Some(&caller), e);
                }
                page.searched = true;
                page.hits = hits
                    .into_iter()
                    .map(|h| HitRow {
                        region_label: selaras_domain::RegionCode::parse(&h.region_code)
                            .map(|c| RegionView::new(state.regions, &c).label())
                            .unwrap_or(h.region_code),
                        household_id: h.household_id,
                        head_name: h.head_name.unwrap_or_else(|| "—".into()),
                        matched_name: h.matched_name,
                        matched_nik: h.matched_nik,
                        members: h.members,
                    })
                    .collect();
            }
            Err(e) => return error_page(&state, Some(&caller), e.into()),
        }
    } else if !page.q.is_empty() {
        page.notice = Some(i18n::text("search-too-short"));
    }
    render(&page, StatusCode::OK)
}

pub struct MemberRow {
    nik: String,
    kk_number: String,
    name: String,
    relation: String,
    sex: String,
    birth_date: String,
    age: i32,
    education: String,
    working: String,
}

pub struct HistoryRow {
    subject: String,
    version: i64,
    valid_from: String,
    valid_to: String,
    actor: String,
    changed: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    h: views::HouseholdView,
    region_label: String,
    since: String,
    exit_label: Option<String>,
    members: Vec<MemberRow>,
    housing: Vec<(String, String)>,
    assets: Vec<(String, bool)>,
    history: Vec<HistoryRow>,
    /// The newest edition's explanation, if an edition ranked the household.
    explain: Option<ExplainBlock>,
    editions: Vec<EditionRow>,
    programs: Vec<ProgramRow>,
    /// Open cases of the household: (id, number, kind, status, due).
    cases: Vec<(i64, String, String, String, String)>,
    can_record: bool,
    /// The household's visits: (date, household, purpose, note, who).
    visits: Vec<(String, String, String, String, String)>,
    purposes: Vec<(&'static str, &'static str)>,
    today: String,
}

/// A program on the household page: who is eligible, enrolment, and why.
struct ProgramRow {
    name: String,
    code: String,
    /// "Layak", "Tidak layak", "Belum dapat diputuskan", or for member programs the
    /// eligible members by name.
    status: String,
    enrolled: String,
    reason: String,
    /// Places in the newest run's quota list ("terpilih, urutan 1"), or "–".
    quota: String,
}

fn program_rows(
    programs: Vec<views::ProgramView>,
    members: &[views::MemberView],
) -> Vec<ProgramRow> {
    let name_of = |nik: &str| {
        members
            .iter()
            .find(|m| m.nik == nik)
            .map_or(nik.to_string(), |m| m.name.clone())
    };
    programs
        .into_iter()
        .map(|p| {
            let (status, reason) = if p.unit == "household" {
                let v = &p.verdicts[0];
                let status = match v.eligible {
                    Some(true) => i18n::pick("Layak", "Eligible"),
                    Some(false) => i18n::pick("Tidak layak", "Not eligible"),
                    None => i18n::pick("Belum dapat diputuskan", "Cannot be decided yet"),
                };
                (status.to_string(), reason_label(&v.reason))
            } else {
                let yes: Vec<String> = p
                    .verdicts
                    .iter()
                    .filter(|v| v.eligible == Some(true))
                    .filter_map(|v| v.nik.as_deref().map(name_of))
                    .collect();
                let status = if yes.is_empty() {
                    i18n::pick("Tidak ada anggota yang layak", "No member is eligible").to_string()
                } else {
                    format!("{}: {}", i18n::pick("Layak", "Eligible"), yes.join(", "))
                };
                // The reason of the first member not eligible, if any.
                let reason = p.verdicts.iter().find(|v| v.eligible != Some(true)).map_or(
                    i18n::pick("semua anggota memenuhi", "all members qualify").to_string(),
                    |v| {
                        format!(
                            "{}: {}",
                            v.nik.as_deref().map(name_of).unwrap_or_default(),
                            reason_label(&v.reason)
                        )
                    },
                );
                (status, reason)
            };
            let quota = if p.quota.is_empty() {
                "–".to_string()
            } else {
                p.quota
                    .iter()
                    .map(|q| {
                        let who = if q.nik.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", name_of(&q.nik))
                        };
                        if q.status == "selected" {
                            format!(
                                "{who}{} {})",
                                i18n::pick("terpilih (urutan", "selected (place"),
                                q.position
                            )
                        } else {
                            format!(
                                "{who}{} {}",
                                i18n::pick("daftar tunggu nomor", "waiting list number"),
                                q.position
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            ProgramRow {
                quota,
                name: i18n::pick(&p.name_id, &p.name_en).to_string(),
                code: p.code,
                status,
                enrolled: match p.enrolled {
                    Some(true) => i18n::pick("terdaftar", "enrolled").into(),
                    Some(false) => i18n::pick("tidak terdaftar", "not enrolled").into(),
                    None => "–".into(),
                },
                reason,
            }
        })
        .collect()
}

struct ExplainBlock {
    headline: String,
    detail: String,
    /// (term, household value, contribution with sign).
    terms: Vec<(String, String, String)>,
    total: String,
}

struct EditionRow {
    edition: i64,
    model: String,
    snapshot: String,
    score: String,
    national: String,
    province: String,
    regency: String,
}

/// An eligibility reason of the API (Indonesian, see `views::reason`) in the page's
/// language; the rule's own text stays as written.
pub(crate) fn reason_label(reason: &str) -> String {
    if i18n::current() == i18n::Lang::Id {
        return reason.to_string();
    }
    const WORDS: &[(&str, &str)] = &[
        ("memenuhi semua syarat", "meets every condition"),
        (
            "belum dapat diputuskan, data tidak diketahui",
            "cannot be decided yet, data unknown",
        ),
        ("belum dapat diputuskan", "cannot be decided yet"),
        ("tidak memenuhi", "does not meet"),
    ];
    for (id, en) in WORDS {
        if let Some(rest) = reason.strip_prefix(id) {
            return format!("{en}{rest}");
        }
    }
    reason.to_string()
}

/// The label of a model variable in the page's language (derived ones, then household columns).
fn var_label(var: &str) -> &str {
    match var {
        "intercept" => i18n::pick("Konstanta model", "Model constant"),
        "region_effect" => i18n::pick("Efek wilayah", "Region effect"),
        "hh_size" => i18n::pick("Jumlah anggota rumah tangga", "Number of household members"),
        "log_hh_size" => i18n::pick("ln(jumlah anggota)", "ln(number of members)"),
        "dependency_ratio" => i18n::pick("Rasio ketergantungan", "Dependency ratio"),
        "share_working" => i18n::pick("Proporsi anggota yang bekerja", "Share of members working"),
        "floor_area_per_capita" => {
            i18n::pick("Luas lantai per kapita (m²)", "Floor area per person (m²)")
        }
        "head_age" => i18n::pick("Umur kepala rumah tangga", "Age of the household head"),
        "head_female" => i18n::pick("Kepala rumah tangga perempuan", "Female household head"),
        "head_education" => i18n::pick(
            "Pendidikan kepala rumah tangga",
            "Education of the household head",
        ),
        "head_sector" => i18n::pick(
            "Lapangan usaha kepala rumah tangga",
            "Sector of work of the household head",
        ),
        "head_working" => i18n::pick("Kepala rumah tangga bekerja", "Household head working"),
        "children_0_6" => i18n::pick("Anak umur 0–6 tahun", "Children aged 0–6"),
        "children_7_18" => i18n::pick("Anak umur 7–18 tahun", "Children aged 7–18"),
        "elderly_60" => i18n::pick("Lansia umur ≥ 60 tahun", "Elderly aged ≥ 60"),
        "disabled_members" => i18n::pick(
            "Anggota penyandang disabilitas",
            "Members with a disability",
        ),
        "max_education" => i18n::pick(
            "Pendidikan tertinggi anggota",
            "Highest education of any member",
        ),
        other => field_label(other),
    }
}

fn unscored_label(code: &str) -> &str {
    match code {
        "no_members" => i18n::pick("tidak ada anggota aktif", "no active member"),
        "no_head" => i18n::pick("tidak ada kepala rumah tangga", "no household head"),
        "several_heads" => i18n::pick(
            "lebih dari satu kepala rumah tangga",
            "more than one household head",
        ),
        other => other,
    }
}

fn opt_num(v: Option<i64>) -> String {
    v.map_or_else(|| "–".into(), |x| x.to_string())
}

fn edition_rows(ranks: &[views::RankView]) -> Vec<EditionRow> {
    ranks
        .iter()
        .map(|r| EditionRow {
            edition: r.edition,
            model: format!("{} v{}", r.model_id, r.model_version),
            snapshot: ts_label(&r.snapshot_at),
            score: r.score.map_or_else(
                || {
                    format!(
                        "{}: {}",
                        i18n::pick("tanpa skor", "no score"),
                        unscored_label(r.unscored.as_deref().unwrap_or(""))
                    )
                },
                |s| format!("{s:.6}"),
            ),
            national: opt_num(r.national_decile),
            province: opt_num(r.province_decile),
            regency: opt_num(r.regency_decile),
        })
        .collect()
}

fn explain_block(x: views::ExplanationView) -> ExplainBlock {
    let r = &x.rank;
    let signed = |v: f64| format!("{v:+.6}");
    let headline = match (r.national_decile, r.unscored.as_deref()) {
        (Some(d), _) => i18n::pick(
            "Desil nasional {d} · desil provinsi {p} · desil kabupaten/kota {r} · peringkat nasional {n} dari {of}",
            "National decile {d} · province decile {p} · regency/city decile {r} · national rank {n} of {of}",
        )
        .replace("{d}", &d.to_string())
        .replace("{p}", &opt_num(r.province_decile))
        .replace("{r}", &opt_num(r.regency_decile))
        .replace("{n}", &opt_num(r.national_rank))
        .replace("{of}", &r.ranked.to_string()),
        (None, why) => format!(
            "{}: {}",
            i18n::pick("Tidak dapat diberi skor", "Cannot be scored"),
            unscored_label(why.unwrap_or(""))
        ),
    };
    let detail = format!(
        "{} #{} · model {} {} {} · {} {} · {} {}{}",
        i18n::pick("Edisi", "Edition"),
        r.edition,
        r.model_id,
        i18n::pick("versi", "version"),
        r.model_version,
        i18n::pick("data per", "data as of"),
        ts_label(&r.snapshot_at),
        i18n::pick("segmen", "segment"),
        r.segment,
        match r.predicted_consumption {
            Some(c) => format!(
                " · {} {}",
                i18n::pick(
                    "perkiraan pengeluaran per kapita",
                    "predicted consumption per person"
                ),
                selaras_domain::money::Rupiah(c.round() as i64)
            ),
            None => String::new(),
        }
    );
    let mut terms = vec![(
        var_label("intercept").to_string(),
        String::new(),
        signed(x.intercept),
    )];
    for t in x.terms.iter().chain(&x.region_effects) {
        let value = match t.value.parse::<f64>() {
            _ if t.value.is_empty() => i18n::pick("tidak diketahui", "unknown").to_string(),
            // Derived ratios and logarithms: four decimals are enough to read.
            Ok(v) if v.fract() != 0.0 => format!("{v:.4}"),
            _ => {
                // Derived categorical variables take the codes of a member column.
                let column = match t.var.as_str() {
                    "head_education" | "max_education" => "education_level",
                    "head_sector" => "sector",
                    other => other,
                };
                value_label(column, &t.value)
            }
        };
        terms.push((var_label(&t.var).to_string(), value, signed(t.contribution)));
    }
    ExplainBlock {
        headline,
        detail,
        terms,
        total: x.score.map_or_else(|| "–".into(), |s| format!("{s:.6}")),
    }
}

/// The label of a household or member column in the page's language.
pub(crate) fn field_label(col: &str) -> &str {
    match field_labels(col) {
        Some((id, en)) => i18n::pick(id, en),
        None => col,
    }
}

/// (Indonesian, English) label of a household or member column.
fn field_labels(col: &str) -> Option<(&'static str, &'static str)> {
    Some(match col {
        "household_id" => ("ID rumah tangga", "Household ID"),
        "region_code" => ("Kode desa/kelurahan", "Village code"),
        "nik" => ("NIK", "NIK"),
        "kk_number" => ("Nomor KK", "Family card (KK) number"),
        "name" => ("Nama", "Name"),
        "relation" => (
            "Hubungan dengan kepala keluarga",
            "Relation to the head of family",
        ),
        "sex" => ("Jenis kelamin", "Sex"),
        "birth_date" => ("Tanggal lahir", "Date of birth"),
        "marital_status" => ("Status perkawinan", "Marital status"),
        "pregnant" => ("Sedang hamil", "Pregnant"),
        "disability" => ("Disabilitas", "Disability"),
        "severe_disability" => ("Disabilitas berat", "Severe disability"),
        "chronic_illness" => ("Penyakit kronis", "Chronic illness"),
        "school_participation" => ("Partisipasi sekolah", "School participation"),
        "education_level" => ("Pendidikan tertinggi", "Highest education"),
        "working" => ("Bekerja", "Working"),
        "sector" => ("Lapangan usaha", "Sector of work"),
        "employment_status" => ("Status pekerjaan", "Employment status"),
        "pmks" => ("Jenis PMKS", "PMKS type"),
        "exit_state" => ("Keluar (pindah/meninggal)", "Left (moved/died)"),
        "address" => ("Alamat", "Address"),
        "latitude" => ("Lintang", "Latitude"),
        "longitude" => ("Bujur", "Longitude"),
        "survey_date" => ("Tanggal kunjungan terakhir", "Date of the last visit"),
        "ownership" => ("Status kepemilikan bangunan", "Ownership of the dwelling"),
        "floor_area_m2" => ("Luas lantai (m²)", "Floor area (m²)"),
        "floor_type" => ("Jenis lantai terluas", "Main floor material"),
        "wall_type" => ("Jenis dinding terluas", "Main wall material"),
        "roof_type" => ("Jenis atap terluas", "Main roof material"),
        "drinking_water" => ("Sumber air minum", "Drinking water source"),
        "lighting" => ("Sumber penerangan", "Lighting source"),
        "electricity_va" => ("Daya listrik (VA)", "Electricity capacity (VA)"),
        "cooking_fuel" => ("Bahan bakar memasak", "Cooking fuel"),
        "toilet" => ("Fasilitas buang air besar", "Toilet facility"),
        "cattle" => ("Sapi (ekor)", "Cattle (head)"),
        "goats" => ("Kambing (ekor)", "Goats (head)"),
        "in_pkh" => ("Peserta PKH", "PKH recipient"),
        "in_bpnt" => ("Peserta BPNT", "BPNT recipient"),
        "in_kis_pbi" => ("Peserta KIS-PBI", "KIS-PBI recipient"),
        "in_kip" => ("Peserta KIP", "KIP recipient"),
        "has_lpg_5_5kg" => (
            "Tabung gas 5,5 kg atau lebih",
            "Gas cylinder of 5.5 kg or more",
        ),
        "has_refrigerator" => ("Lemari es", "Refrigerator"),
        "has_air_conditioner" => ("AC", "Air conditioner"),
        "has_water_heater" => ("Pemanas air", "Water heater"),
        "has_landline" => ("Telepon rumah", "Landline telephone"),
        "has_television" => ("Televisi", "Television"),
        "has_gold_10g" => ("Emas/perhiasan ≥ 10 gram", "Gold/jewellery ≥ 10 grams"),
        "has_computer" => ("Komputer/laptop", "Computer/laptop"),
        "has_bicycle" => ("Sepeda", "Bicycle"),
        "has_motorcycle" => ("Sepeda motor", "Motorcycle"),
        "has_car" => ("Mobil", "Car"),
        "has_boat" => ("Perahu", "Boat"),
        "has_motorboat" => ("Perahu motor", "Motorboat"),
        "owns_land" => ("Memiliki lahan", "Owns land"),
        "owns_other_house" => ("Memiliki rumah di tempat lain", "Owns a house elsewhere"),
        _ => return None,
    })
}

/// The (Indonesian, English) labels of a coded value of a column.
pub(crate) fn code_labels(col: &str, v: &str) -> Option<(&'static str, &'static str)> {
    fn l<T: Copy>(
        p: Option<T>,
        id: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Option<(&'static str, &'static str)> {
        p.map(|x| (id(x), en(x)))
    }
    match col {
        "ownership" => l(
            Ownership::parse(v),
            Ownership::label_id,
            Ownership::label_en,
        ),
        "floor_type" => l(
            FloorType::parse(v),
            FloorType::label_id,
            FloorType::label_en,
        ),
        "wall_type" => l(WallType::parse(v), WallType::label_id, WallType::label_en),
        "roof_type" => l(RoofType::parse(v), RoofType::label_id, RoofType::label_en),
        "drinking_water" => l(
            DrinkingWater::parse(v),
            DrinkingWater::label_id,
            DrinkingWater::label_en,
        ),
        "lighting" => l(Lighting::parse(v), Lighting::label_id, Lighting::label_en),
        "cooking_fuel" => l(
            CookingFuel::parse(v),
            CookingFuel::label_id,
            CookingFuel::label_en,
        ),
        "toilet" => l(Toilet::parse(v), Toilet::label_id, Toilet::label_en),
        "relation" => l(Relation::parse(v), Relation::label_id, Relation::label_en),
        "sex" => l(Sex::parse(v), Sex::label_id, Sex::label_en),
        "marital_status" => l(
            MaritalStatus::parse(v),
            MaritalStatus::label_id,
            MaritalStatus::label_en,
        ),
        "disability" => l(
            Disability::parse(v),
            Disability::label_id,
            Disability::label_en,
        ),
        "school_participation" => l(
            SchoolParticipation::parse(v),
            SchoolParticipation::label_id,
            SchoolParticipation::label_en,
        ),
        "education_level" => l(
            EducationLevel::parse(v),
            EducationLevel::label_id,
            EducationLevel::label_en,
        ),
        "sector" => l(Sector::parse(v), Sector::label_id, Sector::label_en),
        "employment_status" => l(
            EmploymentStatus::parse(v),
            EmploymentStatus::label_id,
            EmploymentStatus::label_en,
        ),
        "exit_state" => l(
            ExitState::parse(v),
            ExitState::label_id,
            ExitState::label_en,
        ),
        "pmks" => l(Pmks::parse(v), Pmks::label_id, Pmks::label_en),
        _ => None,
    }
}

/// The choices of a coded column for a form, in the page's language.
pub(crate) fn column_choices(col: &str) -> Vec<(&'static str, &'static str)> {
    column_options(col)
        .unwrap_or_default()
        .into_iter()
        .map(|(code, id)| {
            let label = code_labels(col, code).map_or(id, |(id, en)| i18n::pick(id, en));
            (code, label)
        })
        .collect()
}

/// The text of a stored value in the page's language (codes become labels; booleans
/// yes/no).
pub(crate) fn value_label(col: &str, v: &str) -> String {
    if v.is_empty() {
        return i18n::pick("tidak diketahui", "unknown").into();
    }
    if let Some((id, en)) = code_labels(col, v) {
        return i18n::pick(id, en).into();
    }
    match col {
        _ if col.starts_with("in_")
            || col.starts_with("has_")
            || col.starts_with("owns_")
            || col == "working" =>
        {
            if v == "1" {
                i18n::pick("ya", "yes")
            } else {
                i18n::pick("tidak", "no")
            }
            .into()
        }
        _ => v.to_string(),
    }
}

/// `2026-11-22T00:25:16.745393Z` → `22/11/2026 00:25 UTC`, as forms in Indonesia write it.
pub(crate) fn ts_label(ts: &str) -> String {
    match (ts.get(0..4), ts.get(5..7), ts.get(8..10), ts.get(11..16)) {
        (Some(y), Some(m), Some(d), Some(hm)) => format!("{d}/{m}/{y} {hm} UTC"),
        _ => ts.to_string(),
    }
}

pub async fn household(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let caller = match page_caller(&state, &headers).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    let rec = match views::readable_household(&state, &caller, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, Some(&caller), e),
    };
    let history = match state.store.history(&id).await {
        Ok(h) => views::history_view(&h),
        Err(e) => return error_page(&state, Some(&caller), e.into()),
    };
    let h = views::household_view(state.regions, &rec);
    let housing = [
        "address",
        "survey_date",
        "ownership",
        "floor_area_m2",
        "floor_type",
        "wall_type",
        "roof_type",
        "drinking_water",
        "lighting",
        "electricity_va",
        "cooking_fuel",
        "toilet",
        "cattle",
        "goats",
        "in_pkh",
        "in_bpnt",
        "in_kis_pbi",
        "in_kip",
    ]
    .iter()
    .map(|c| {
        (
            field_label(c).to_string(),
            value_label(c, h.fields.get(*c).map(String::as_str).unwrap_or("")),
        )
    })
    .collect();
    let assets = ASSET_COLUMNS
        .iter()
        .map(|c| {
            (
                field_label(c).to_string(),
                h.fields.get(*c).is_some_and(|v| v == "1"),
            )
        })
        .collect();
    let members = h
        .members
        .iter()
        .map(|m| MemberRow {
            nik: m.nik.clone(),
            kk_number: m.kk_number.clone(),
            name: m.name.clone(),
            relation: value_label("relation", &m.relation),
            sex: if m.sex == "F" {
                i18n::pick("P", "F").into()
            } else {
                i18n::pick("L", "M").into()
            },
            birth_date: selaras_domain::Date::parse(&m.birth_date)
                .map(|d| d.to_id_string())
                .unwrap_or_else(|_| m.birth_date.clone()),
            age: m.age,
            education: value_label(
                "education_level",
                m.fields
                    .get("education_level")
                    .map(String::as_str)
                    .unwrap_or(""),
            ),
            working: value_label(
                "working",
                m.fields.get("working").map(String::as_str).unwrap_or(""),
            ),
        })
        .collect();
    let history = history
        .into_iter()
        .map(|v| HistoryRow {
            subject: if v.subject == "household" {
                i18n::pick("rumah tangga", "household").into()
            } else {
                v.subject
            },
            version: v.version,
            valid_from: ts_label(&v.valid_from),
            valid_to: v
                .valid_to
                .as_deref()
                .map(ts_label)
                .unwrap_or_else(|| i18n::pick("sekarang", "now").into()),
            actor: format!("{} ({})", v.changed_by.actor, v.changed_by.kind),
            changed: if v.version == 1 {
                i18n::pick("data awal", "first data").into()
            } else {
                v.changed_fields
                    .iter()
                    .map(|(k, val)| format!("{} = {}", field_label(k), value_label(k, val)))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        })
        .collect();
    let ranks = match views::rank_views(&state, &id).await {
        Ok(r) => r,
        Err(e) => return error_page(&state, Some(&caller), e),
    };
    let explain = match ranks.first() {
        None => None,
        Some(r) => match views::explanation(&state, &id, r.clone()).await {
            Ok(x) => Some(explain_block(x)),
            Err(e) => return error_page(&state, Some(&caller), e),
        },
    };
    let editions = edition_rows(&ranks);
    let programs = match views::program_views(&state, &rec, &ranks).await {
        Ok(p) => program_rows(p, &h.members),
        Err(e) => return error_page(&state, Some(&caller), e),
    };
    let since = ts_label(&h.valid_from);
    let cases = match crate::casework::open_cases(&state, &caller, &id).await {
        Ok(cs) => cs
            .into_iter()
            .map(|c| {
                let due = c.due_at.as_deref().map_or_else(|| "–".into(), ts_label);
                use selaras_domain::cases::{CaseKind, CaseState};
                let kind = CaseKind::parse(&c.kind).map_or(c.kind_label, |k| {
                    i18n::pick(k.label_id(), k.label_en()).into()
                });
                let status = CaseState::parse(&c.status).map_or(c.status_label, |s| {
                    i18n::pick(s.label_id(), s.label_en()).into()
                });
                (c.id, c.number, kind, status, due)
            })
            .collect(),
        Err(e) => return error_page(&state, Some(&caller), e),
    };
    let visits = match crate::casework::list_visits(
        &state,
        &caller,
        &crate::casework::VisitQuery {
            household_id: Some(id.clone()),
            ..Default::default()
        },
    )
    .await
    {
        Ok(v) => crate::case_pages::visit_rows(&v),
        Err(e) => return error_page(&state, Some(&caller), e),
    };
    let page = HouseholdPage {
        visits,
        purposes: crate::casework::PURPOSES
            .iter()
            .map(|(c, id, en)| (*c, i18n::pick(id, en)))
            .collect(),
        today: selaras_store::today_utc().to_string(),
        cases,
        can_record: authorize(&caller.principal, Permission::RecordCase, None) == Decision::Allow,
        explain,
        editions,
        programs,
        since,
        user: Some(user_bar(&state, &caller)),
        t: Tr::current(),
        csrf: caller.session.csrf.clone(),
        region_label: h.region.label(),
        exit_label: h
            .exit_state
            .as_deref()
            .map(|e| value_label("exit_state", e)),
        members,
        housing,
        assets,
        history,
        h,
    };
    render(&page, StatusCode::OK)
}
