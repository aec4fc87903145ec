//! The Askesos service, shared by the API, the pages and the CLI: LPAs, enrolment checked
//! against the product and the registry, contributions, cards, heirs, claims, the sweep
//! that follows the registry (deaths, exits, age limits) and the reports.
//!
//! Every read and action asks `askesos::access::decide` (place first, then role); the
//! rules of money and cover are the domain's (`selaras_domain::askesos`); this module
//! loads what they need and stores what they decide, guarded by the member's version so
//! that a decision taken on a stale ledger is never stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::access::Decision;
use selaras_domain::askesos::access::{decide, Action, Target};
use selaras_domain::askesos::calendar::Calendar;
use selaras_domain::askesos::claims::{
    self, Activity, ClaimAction, ClaimInput, ClaimState, EndReason, HeirRef, Insured, PriorClaim,
};
use selaras_domain::askesos::eligibility::{self, Check, PersonFacts};
use selaras_domain::askesos::ledger::{self, CoverStatus, Ledger, PaymentEntry, PaymentRequest};
use selaras_domain::askesos::product::{Event, Operator, Payer, Product, HEIR_RELATIONS};
use selaras_domain::askesos::reports;
use selaras_domain::{Date, RegionCode, Rupiah};
use selaras_store::askesos::{
    AskesosFilter, Claim, ClaimStep, Heir, HolidayRow, Lpa, LpaChange, Member, MemberChange,
    NewClaim, NewHeir, NewLpa, NewMember, NewPayment, Payment, StoredProduct,
};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::AppState;

/// LPA legal forms (code, Indonesian, English).
pub const LEGAL_FORMS: &[(&str, &str, &str)] = &[
    ("orsos", "Organisasi sosial", "Social organisation"),
    ("yayasan", "Yayasan", "Foundation"),
    ("perkumpulan", "Perkumpulan", "Association"),
    ("lembaga_adat", "Lembaga adat", "Customary institution"),
    ("lsm", "Lembaga swadaya masyarakat", "NGO"),
];

/// Designating bodies.
pub const DESIGNATORS: &[(&str, &str, &str)] = &[
    (
        "kemensos",
        "Kementerian Sosial",
        "Ministry of Social Affairs",
    ),
    (
        "dinsos_provinsi",
        "Dinas Sosial Provinsi",
        "Provincial social office",
    ),
];

pub const ACCREDITATIONS: &[&str] = &["none", "a", "b", "c"];

/// Occupations offered at enrolment (the study's examples); any other is typed in.
pub const OCCUPATIONS: &[(&str, &str)] = &[
    ("tukang_ojek", "Tukang ojek"),
    ("buruh_bangunan", "Buruh bangunan"),
    (
        "pedagang_keliling",
        "Pedagang keliling (penjual bakso, dll.)",
    ),
    ("pembantu_rumah_tangga", "Pembantu rumah tangga"),
    ("buruh_nelayan", "Buruh nelayan"),
    ("buruh_tani", "Buruh tani"),
    ("penambang", "Penambang"),
    ("lainnya", "Lainnya"),
];

const TEXT_MAX: usize = 200;

pub(crate) use crate::error::invalid;

fn allow(d: Decision) -> ApiResult<()> {
    match d {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ApiError::Forbidden),
        Decision::NotFound => Err(ApiError::NotFound),
    }
}

fn text(field: &str, v: &str, required: bool) -> ApiResult<String> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(invalid(field, "is required"));
    }
    if v.chars().count() > TEXT_MAX {
        return Err(invalid(field, format!("longer than {TEXT_MAX} characters")));
    }
    if v.chars().any(char::is_control) {
        return Err(invalid(field, "has control characters"));
    }
    Ok(v.to_string())
}

fn date(field: &str, v: &str) -> ApiResult<Date> {
    Date::parse(v.trim()).map_err(|e| invalid(field, e.to_string()))
}

/// A date field, or today when it is left out.
fn date_or_today(field: &str, v: &Option<String>) -> ApiResult<Date> {
    match v {
        Some(d) => date(field, d),
        None => Ok(today()),
    }
}

/// The LPA a list or report is limited to: LPA staff their own (another is absent),
/// others the one asked for, if any.
fn lpa_param(caller: &Caller, asked: Option<i64>) -> ApiResult<Option<i64>> {
    match (caller.principal.lpa, asked) {
        (Some(own), Some(asked)) if own != asked => Err(ApiError::NotFound),
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

fn stored_date(v: &str) -> ApiResult<Date> {
    Date::parse(v).map_err(|e| ApiError::Internal(format!("stored date: {e}")))
}

pub use crate::views::today;

fn region(code: &str) -> ApiResult<RegionCode> {
    RegionCode::parse(code).map_err(|e| ApiError::Internal(format!("stored region: {e}")))
}

// ---------------------------------------------------------------------------------------
// Products and calendar

/// Stores the shipped product versions and holiday calendar where the database has none
/// (idempotent; run at start).
pub async fn seed(state: &AppState) -> ApiResult<()> {
    let stored = state.store.products().await?;
    for (code, body) in selaras_domain::askesos::product::SHIPPED {
        let p = Product::parse(body).map_err(|e| ApiError::Internal(format!("{code}: {e}")))?;
        if stored
            .iter()
            .any(|s| s.code == p.code && s.version == p.version)
        {
            continue;
        }
        state
            .store
            .put_product(&StoredProduct {
                code: p.code.clone(),
                version: p.version,
                body: body.to_string(),
                digest: {
                    use sha2::Digest;
                    hex::encode(sha2::Sha256::digest(body.as_bytes()))
                },
                created_at: String::new(),
                created_by: "selaras".into(),
            })
            .await?;
    }
    if state.store.holidays().await?.is_empty() {
        let all = selaras_domain::askesos::calendar::parse_holidays(
            selaras_domain::askesos::calendar::SHIPPED_HOLIDAYS,
        )
        .map_err(ApiError::Internal)?;
        let mut by_year: BTreeMap<i32, Vec<HolidayRow>> = BTreeMap::new();
        for h in all {
            by_year.entry(h.date.year()).or_default().push(HolidayRow {
                day: h.date.to_string(),
                kind: h.kind,
                name_id: h.name_id,
                name_en: h.name_en,
            });
        }
        for (y, days) in by_year {
            state.store.put_holidays(y, &days).await?;
        }
    }
    Ok(())
}

/// Stores a new version of a product (administrators): the file is checked as the
/// shipped ones are (422 naming the place); its version must be above the stored ones of
/// its code, unless it is the very text stored (then nothing changes). Members keep the
/// version they enrolled in; new enrolments take the newest.
pub async fn put_product(
    state: &AppState,
    caller: &Caller,
    body: &str,
) -> ApiResult<(Product, bool)> {
    allow(decide(&caller.principal, Action::ManageSettings, None))?;
    let p = Product::parse(body).map_err(|e| invalid(&format!("product.{}", e.place), e.reason))?;
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(body.as_bytes()))
    };
    let stored = state.store.products().await?;
    if let Some(same) = stored
        .iter()
        .find(|s| s.code == p.code && s.version == p.version)
    {
        return if same.digest == digest {
            Ok((p, false))
        } else {
            Err(ApiError::Conflict(format!(
                "{} version {} is stored with other content: give the next version",
                p.code, p.version
            )))
        };
    }
    if let Some(newest) = stored
        .iter()
        .filter(|s| s.code == p.code)
        .map(|s| s.version)
        .max()
    {
        if p.version < newest {
            return Err(invalid(
                "product.version",
                format!(
                    "{} has version {newest} already: give {}",
                    p.code,
                    newest + 1
                ),
            ));
        }
    }
    state
        .store
        .put_product(&StoredProduct {
            code: p.code.clone(),
            version: p.version,
            body: body.to_string(),
            digest,
            created_at: String::new(),
            created_by: caller.principal.username.clone(),
        })
        .await?;
    Ok((p, true))
}

/// Every stored product version, parsed.
pub async fn products(state: &AppState) -> ApiResult<Vec<Product>> {
    state
        .store
        .products()
        .await?
        .iter()
        .map(|s| {
            Product::parse(&s.body)
                .map_err(|e| ApiError::Internal(format!("stored product {}: {e}", s.code)))
        })
        .collect()
}

/// Version `version` of product `code` among `prods`.
pub fn product_of<'a>(prods: &'a [Product], code: &str, version: i64) -> Option<&'a Product> {
    prods
        .iter()
        .find(|p| p.code == code && p.version == version)
}

/// The newest version of `code`, or a given version.
pub async fn product(state: &AppState, code: &str, version: Option<i64>) -> ApiResult<Product> {
    products(state)
        .await?
        .into_iter()
        .filter(|p| p.code == code && version.is_none_or(|v| v == p.version))
        .max_by_key(|p| p.version)
        .ok_or_else(|| invalid("product_code", format!("no product {code:?}")))
}

pub async fn calendar(state: &AppState) -> ApiResult<Calendar> {
    let days = state.store.holidays().await?;
    Ok(Calendar::new(
        days.iter().filter_map(|h| Date::parse(&h.day).ok()),
    ))
}

/// `PUT /api/v1/askesos/holidays/{year}`: the year's holidays.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidaysRequest {
    pub days: Vec<HolidayEntry>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolidayEntry {
    pub date: String,
    /// `holiday` or `joint_leave`.
    pub kind: String,
    pub name_id: String,
    #[serde(default)]
    pub name_en: String,
}

pub async fn put_holidays(
    state: &AppState,
    caller: &Caller,
    year: i32,
    req: &HolidaysRequest,
) -> ApiResult<usize> {
    allow(decide(&caller.principal, Action::ManageSettings, None))?;
    if !(2000..=2100).contains(&year) {
        return Err(invalid("year", "expected 2000–2100"));
    }
    let mut rows = Vec::new();
    for (i, d) in req.days.iter().enumerate() {
        let day = date(&format!("days[{i}].date"), &d.date)?;
        if day.year() != year {
            return Err(invalid(
                &format!("days[{i}].date"),
                format!("not in {year}"),
            ));
        }
        if d.kind != "holiday" && d.kind != "joint_leave" {
            return Err(invalid(
                &format!("days[{i}].kind"),
                "expected holiday or joint_leave",
            ));
        }
        if rows.iter().any(|r: &HolidayRow| r.day == day.to_string()) {
            return Err(invalid(&format!("days[{i}].date"), "listed twice"));
        }
        rows.push(HolidayRow {
            day: day.to_string(),
            kind: d.kind.clone(),
            name_id: text(&format!("days[{i}].name_id"), &d.name_id, true)?,
            name_en: text(&format!("days[{i}].name_en"), &d.name_en, false)?,
        });
    }
    state.store.put_holidays(year, &rows).await?;
    Ok(rows.len())
}

// ---------------------------------------------------------------------------------------
// LPAs

/// `POST /api/v1/askesos/lpas`: a district social office proposes an LPA.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLpaRequest {
    pub name: String,
    /// `orsos`, `yayasan`, `perkumpulan`, `lembaga_adat`, `lsm`.
    pub legal_form: String,
    /// The regency (or district) it serves.
    pub region: String,
    #[serde(default)]
    pub address: String,
    pub product_code: String,
}

/// `POST /api/v1/askesos/lpas/{id}/standing`: designation, revocation, accreditation.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LpaStandingRequest {
    pub version: i64,
    /// `designate`, `revoke` or `accredit`.
    pub action: String,
    /// `kemensos` or `dinsos_provinsi` (designate).
    #[serde(default)]
    pub designated_by: Option<String>,
    /// YYYY-MM-DD (designate; default today).
    #[serde(default)]
    pub designated_on: Option<String>,
    /// `none`, `a`, `b`, `c` (accredit).
    #[serde(default)]
    pub accreditation: Option<String>,
}

fn lpa_target<'a>(l: &'a Lpa, r: &'a RegionCode, op: Option<Operator>) -> Option<Target<'a>> {
    Some(Target {
        region: r,
        lpa_id: Some(l.id),
        operator: op,
    })
}

pub async fn create_lpa(state: &AppState, caller: &Caller, req: &NewLpaRequest) -> ApiResult<Lpa> {
    let name = text("name", &req.name, true)?;
    if !LEGAL_FORMS.iter().any(|(c, _, _)| *c == req.legal_form) {
        let all: Vec<&str> = LEGAL_FORMS.iter().map(|(c, _, _)| *c).collect();
        return Err(invalid(
            "legal_form",
            format!("expected one of {}", all.join(", ")),
        ));
    }
    let r = RegionCode::parse(req.region.trim()).map_err(|e| invalid("region", e.to_string()))?;
    if state.regions.name(&r).is_none() {
        return Err(invalid("region", "not in the region table"));
    }
    if r.level() > selaras_domain::RegionLevel::District {
        return Err(invalid("region", "an LPA serves a regency or a district"));
    }
    allow(decide(
        &caller.principal,
        Action::ProposeLpa,
        Some(Target {
            region: &r,
            lpa_id: None,
            operator: None,
        }),
    ))?;
    product(state, req.product_code.trim(), None).await?;
    Ok(state
        .store
        .create_lpa(&NewLpa {
            name,
            legal_form: req.legal_form.clone(),
            region: r.to_string(),
            address: text("address", &req.address, false)?,
            product_code: req.product_code.trim().into(),
            proposed_by: caller.principal.username.clone(),
        })
        .await?)
}

/// An LPA the caller may act on with `action` (its standing is read with `ViewReports`:
/// whoever may see its reports there).
pub async fn lpa_for(state: &AppState, caller: &Caller, id: i64, action: Action) -> ApiResult<Lpa> {
    let l = state.store.lpa(id).await?.ok_or(ApiError::NotFound)?;
    let r = region(&l.region)?;
    allow(decide(&caller.principal, action, lpa_target(&l, &r, None)))?;
    Ok(l)
}

pub async fn change_lpa(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &LpaStandingRequest,
) -> ApiResult<Lpa> {
    let l = lpa_for(state, caller, id, Action::DesignateLpa).await?;
    let mut c = LpaChange {
        status: l.status.clone(),
        designated_by: l.designated_by.clone(),
        designated_on: l.designated_on.clone(),
        accreditation: l.accreditation.clone(),
    };
    match req.action.as_str() {
        "designate" => {
            if l.status == "designated" {
                return Err(ApiError::Conflict("the LPA is designated already".into()));
            }
            let by = req.designated_by.as_deref().unwrap_or("kemensos");
            if !DESIGNATORS.iter().any(|(c, _, _)| *c == by) {
                return Err(invalid(
                    "designated_by",
                    "expected kemensos or dinsos_provinsi",
                ));
            }
            let on = date_or_today("designated_on", &req.designated_on)?;
            c.status = "designated".into();
            c.designated_by = Some(by.into());
            c.designated_on = Some(on.to_string());
        }
        "revoke" => {
            if l.status != "designated" {
                return Err(ApiError::Conflict(
                    "only a designated LPA can be revoked".into(),
                ));
            }
            c.status = "revoked".into();
        }
        "accredit" => {
            let a = req.accreditation.as_deref().unwrap_or("");
            if !ACCREDITATIONS.contains(&a) {
                return Err(invalid("accreditation", "expected none, a, b or c"));
            }
            c.accreditation = a.into();
        }
        _ => return Err(invalid("action", "expected designate, revoke or accredit")),
    }
    Ok(state.store.change_lpa(id, req.version, &c).await?)
}

/// The LPAs inside the caller's region (LPA staff: their own).
pub async fn lpas(state: &AppState, caller: &Caller) -> ApiResult<Vec<Lpa>> {
    let all = state.store.lpas("").await?;
    Ok(all
        .into_iter()
        .filter(|l| {
            RegionCode::parse(&l.region).is_ok_and(|r| {
                decide(
                    &caller.principal,
                    Action::ViewReports,
                    lpa_target(l, &r, None),
                ) == Decision::Allow
            })
        })
        .filter(|l| caller.principal.lpa.is_none_or(|x| x == l.id))
        .collect())
}

// ---------------------------------------------------------------------------------------
// Enrolment

/// `POST /api/v1/askesos/members`: an LPA enrols a person of the registry.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub lpa_id: i64,
    pub nik: String,
    /// The occupation at enrolment (a work accident counts only for it).
    pub occupation: String,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub cover_start: Option<String>,
    #[serde(default)]
    pub heirs: Vec<HeirRequest>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeirRequest {
    pub nik: String,
    pub name: String,
    /// `spouse`, `child`, `parent`, `sibling`, `other`.
    pub relation: String,
}

/// The eligibility of a person for an LPA's product, criterion by criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EligibilityView {
    pub nik: String,
    pub name: String,
    pub household_id: String,
    pub region: String,
    pub product_code: String,
    pub on: String,
    pub eligible: bool,
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<Check>,
    /// An active membership the person has already.
    pub member_no: Option<String>,
}

pub struct Person {
    facts: PersonFacts,
    name: String,
    household_id: String,
    region: RegionCode,
    employment_status: String,
}

async fn person(state: &AppState, nik: &str) -> ApiResult<Option<Person>> {
    let Some(hid) = state.store.household_of_person(nik).await? else {
        return Ok(None);
    };
    let Some(h) = state.store.household(&hid).await? else {
        return Ok(None);
    };
    let decile = state
        .store
        .household_ranks(&hid)
        .await?
        .first()
        .and_then(|(_, r)| r.national_decile)
        .map(|d| d.clamp(0, 10) as u8);
    let head_working = h
        .members
        .iter()
        .any(|m| m.member.relation.code() == "head" && m.member.working);
    let Some(m) = h.members.iter().find(|m| m.member.nik.to_string() == nik) else {
        return Ok(None);
    };
    let m = &m.member;
    Ok(Some(Person {
        facts: PersonFacts {
            birth_date: m.birth_date,
            marital_status: m.marital_status.code().into(),
            relation: m.relation.code().into(),
            working: m.working,
            employment_status: m.employment_status.map(|s| s.code().to_string()),
            exit_state: m.exit.map(|e| e.code().to_string()),
            household_exit_state: h.household.exit.map(|e| e.code().to_string()),
            national_decile: decile,
            head_working,
        },
        name: m.name.clone(),
        household_id: hid,
        region: h.household.region,
        employment_status: m
            .employment_status
            .map_or(String::new(), |s| s.code().into()),
    }))
}

/// A NIK as the registry parses it (16 digits, a known district, a real birth date).
fn check_nik(state: &AppState, field: &str, nik: &str) -> ApiResult<String> {
    selaras_domain::Nik::parse(nik.trim(), |d| state.regions.is_known_district_digits(d))
        .map(|n| n.to_string())
        .map_err(|e| invalid(field, e.to_string()))
}

/// Whether the person may enrol with the LPA on `on`; 404 when the person is not in the
/// registry or outside the caller's (or the LPA's) region.
pub async fn eligibility(
    state: &AppState,
    caller: &Caller,
    lpa_id: i64,
    nik: &str,
    on: Date,
) -> ApiResult<(EligibilityView, Lpa, Product, Person)> {
    let nik = check_nik(state, "nik", nik)?;
    let lpa = lpa_for(state, caller, lpa_id, Action::Enrol).await?;
    if lpa.status != "designated" {
        return Err(ApiError::Conflict(format!(
            "LPA {} is {}: only a designated LPA enrols members",
            lpa.name, lpa.status
        )));
    }
    let p = person(state, &nik).await?.ok_or(ApiError::NotFound)?;
    let lpa_region = region(&lpa.region)?;
    allow(decide(
        &caller.principal,
        Action::Enrol,
        Some(Target {
            region: &p.region,
            lpa_id: Some(lpa.id),
            operator: None,
        }),
    ))?;
    if !lpa_region.contains(&p.region) {
        return Err(invalid(
            "nik",
            format!("the household lives outside the LPA's area {}", lpa.region),
        ));
    }
    let prod = product(state, &lpa.product_code, None).await?;
    let checks = eligibility::check(&prod, &p.facts, on);
    let active = state
        .store
        .members(&AskesosFilter {
            nik: Some(nik.clone()),
            state: Some("active".into()),
            ..Default::default()
        })
        .await?;
    let view = EligibilityView {
        nik,
        name: p.name.clone(),
        household_id: p.household_id.clone(),
        region: p.region.to_string(),
        product_code: prod.code.clone(),
        on: on.to_string(),
        eligible: eligibility::refusal(&checks).is_none() && active.is_empty(),
        checks,
        member_no: active.first().map(|m| m.member_no.clone()),
    };
    Ok((view, lpa, prod, p))
}

fn heirs_of(state: &AppState, req: &[HeirRequest], member_nik: &str) -> ApiResult<Vec<NewHeir>> {
    let mut out: Vec<NewHeir> = Vec::new();
    for (i, h) in req.iter().enumerate() {
        let f = |x: &str| format!("heirs[{i}].{x}");
        let nik = check_nik(state, &f("nik"), &h.nik)?;
        if nik == member_nik {
            return Err(invalid(&f("nik"), "the member cannot be their own heir"));
        }
        if out.iter().any(|o| o.nik == nik) {
            return Err(invalid(&f("nik"), "listed twice"));
        }
        if !HEIR_RELATIONS.contains(&h.relation.as_str()) {
            return Err(invalid(
                &f("relation"),
                format!("expected one of {}", HEIR_RELATIONS.join(", ")),
            ));
        }
        out.push(NewHeir {
            nik,
            name: text(&f("name"), &h.name, true)?,
            relation: h.relation.clone(),
        });
    }
    Ok(out)
}

pub async fn enrol(state: &AppState, caller: &Caller, req: &EnrolRequest) -> ApiResult<Member> {
    let occupation = text("occupation", &req.occupation, true)?;
    let start = date_or_today("cover_start", &req.cover_start)?;
    let (view, lpa, prod, p) = eligibility(state, caller, req.lpa_id, &req.nik, start).await?;
    if let Some(no) = &view.member_no {
        return Err(ApiError::Conflict(format!(
            "NIK {} sudah terdaftar sebagai peserta aktif ({no})",
            view.nik
        )));
    }
    if let Some(why) = eligibility::refusal(&view.checks) {
        return Err(invalid(
            "nik",
            format!("tidak memenuhi syarat {}: {why}", prod.code),
        ));
    }
    if start < prod.valid_from || prod.valid_to.is_some_and(|t| start > t) {
        return Err(invalid(
            "cover_start",
            format!(
                "{} berlaku {} sampai {}",
                prod.code,
                prod.valid_from,
                prod.valid_to.map_or("sekarang".into(), |t| t.to_string())
            ),
        ));
    }
    let heirs = heirs_of(state, &req.heirs, &view.nik)?;
    let mut first = Vec::new();
    if prod.contribution.enrolment_subsidy.0 > 0 {
        first.push(NewPayment {
            paid_on: start.to_string(),
            months: 0,
            amount: prod.contribution.enrolment_subsidy.0,
            payer: "enrolment".into(),
            reinstate: false,
            reference: "dana bantuan Askesos".into(),
            recorded_by: caller.principal.username.clone(),
        });
    }
    let m = state
        .store
        .enrol_member(
            &NewMember {
                lpa_id: lpa.id,
                product_code: prod.code.clone(),
                product_version: prod.version,
                nik: view.nik.clone(),
                household_id: p.household_id.clone(),
                region: p.region.to_string(),
                name: p.name.clone(),
                birth_date: p.facts.birth_date.to_string(),
                occupation,
                employment_status: p.employment_status.clone(),
                enrolled_by: caller.principal.username.clone(),
                cover_start: start.to_string(),
                checks: serde_json::to_string(&view.checks)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
            },
            &heirs,
            &first,
        )
        .await?;
    audit(state, caller, "askesos.enrol", &m, "").await?;
    Ok(m)
}

async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    m: &Member,
    detail: &str,
) -> ApiResult<()> {
    crate::audit::record(
        state,
        Some(caller),
        action,
        &format!("askesos_member:{}", m.member_no),
        &m.region,
        detail,
    )
    .await
}

// ---------------------------------------------------------------------------------------
// A member and their ledger

/// A member as loaded for a decision: the record, the product version it enrolled in,
/// its LPA, payments, heirs and claims.
pub struct Loaded {
    pub member: Member,
    pub product: Product,
    pub lpa: Lpa,
    pub payments: Vec<Payment>,
    pub heirs: Vec<Heir>,
    pub claims: Vec<Claim>,
}

/// Loads a member the caller may act on with `action` (404 outside region or LPA).
pub async fn load(state: &AppState, caller: &Caller, id: i64, action: Action) -> ApiResult<Loaded> {
    let member = state.store.member(id).await?.ok_or(ApiError::NotFound)?;
    let lpa = state
        .store
        .lpa(member.lpa_id)
        .await?
        .ok_or_else(|| ApiError::Internal("member without LPA".into()))?;
    let product = product(state, &member.product_code, Some(member.product_version)).await?;
    let r = region(&member.region)?;
    allow(decide(
        &caller.principal,
        action,
        Some(Target {
            region: &r,
            lpa_id: Some(member.lpa_id),
            operator: Some(product.operator()),
        }),
    ))?;
    load_rest(state, member, lpa, product).await
}

async fn load_rest(
    state: &AppState,
    member: Member,
    lpa: Lpa,
    product: Product,
) -> ApiResult<Loaded> {
    let payments = state.store.payments(member.id).await?;
    let heirs = state.store.heirs(member.id).await?;
    let claims = state
        .store
        .claims_for(&AskesosFilter {
            member_id: Some(member.id),
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|c| c.claim)
        .collect();
    Ok(Loaded {
        member,
        product,
        lpa,
        payments,
        heirs,
        claims,
    })
}

/// The ledger's payments of a ledger read (the old scheme's enrolment fund is not a
/// month's contribution).
pub fn ledger_entries(payments: &[selaras_store::askesos::LedgerPayment]) -> Vec<PaymentEntry> {
    payments.iter().filter_map(ledger_entry).collect()
}

fn ledger_entry(x: &selaras_store::askesos::LedgerPayment) -> Option<PaymentEntry> {
    Some(PaymentEntry {
        paid_on: x.paid_on,
        months: x.months.clamp(0, u32::MAX as i64) as u32,
        amount: Rupiah(x.amount),
        payer: Payer::parse(x.payer)?,
    })
}

/// The ledger's payments (the old scheme's enrolment fund is not a month's contribution).
pub fn entries(payments: &[Payment]) -> Vec<PaymentEntry> {
    payments
        .iter()
        .filter_map(|p| {
            Some(PaymentEntry {
                paid_on: Date::parse(&p.paid_on).ok()?,
                months: p.months.clamp(0, u32::MAX as i64) as u32,
                amount: Rupiah(p.amount),
                payer: Payer::parse(&p.payer)?,
            })
        })
        .collect()
}

impl Loaded {
    pub fn cover_start(&self) -> ApiResult<Date> {
        stored_date(&self.member.cover_start)
    }

    pub fn ledger(&self, on: Date) -> ApiResult<Ledger> {
        Ok(ledger::evaluate(
            &self.product,
            self.cover_start()?,
            &entries(&self.payments),
            on,
        ))
    }

    pub fn ended(&self) -> Option<(Date, EndReason)> {
        let on = Date::parse(self.member.ended_on.as_deref()?).ok()?;
        let why = EndReason::parse(self.member.end_reason.as_deref()?)?;
        Some((on, why))
    }

    fn active(&self) -> ApiResult<()> {
        if self.member.state == "active" {
            Ok(())
        } else {
            Err(ApiError::Conflict(format!(
                "kepesertaan {} sudah berakhir ({})",
                self.member.member_no,
                self.member.end_reason.as_deref().unwrap_or("")
            )))
        }
    }
}

fn check_version(field_version: i64, m: &Member) -> ApiResult<()> {
    if field_version != m.version {
        Err(ApiError::Conflict(format!(
            "the member changed meanwhile (version {} now, {field_version} given): reload and try again",
            m.version
        )))
    } else {
        Ok(())
    }
}

/// `POST /api/v1/askesos/members/{id}/payments`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// The member's version as read.
    pub version: i64,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub paid_on: Option<String>,
    pub months: u32,
    /// Whole rupiah: months × the product's monthly amount.
    pub amount: i64,
    /// `member`, `lpa` or `subsidy`.
    pub payer: String,
    /// Pays all arrears of a lapsed policy and reinstates it.
    #[serde(default)]
    pub reinstate: bool,
    #[serde(default)]
    pub reference: String,
}

pub async fn pay(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &PaymentBody,
) -> ApiResult<Payment> {
    let payer = Payer::parse(&req.payer)
        .ok_or_else(|| invalid("payer", "expected member, lpa or subsidy"))?;
    let action = if payer == Payer::Subsidy {
        Action::RecordSubsidy
    } else {
        Action::RecordPayment
    };
    let l = load(state, caller, id, action).await?;
    l.active()?;
    check_version(req.version, &l.member)?;
    let paid_on = date_or_today("paid_on", &req.paid_on)?;
    if paid_on > today() {
        return Err(invalid("paid_on", "in the future"));
    }
    let r = PaymentRequest {
        paid_on,
        months: req.months,
        amount: Rupiah(req.amount),
        payer,
        reinstate: req.reinstate,
    };
    let before = l.ledger(paid_on)?;
    let last = l
        .payments
        .iter()
        .filter(|p| p.payer != "enrolment")
        .filter_map(|p| Date::parse(&p.paid_on).ok())
        .max();
    ledger::check_payment(&l.product, &before, last, &r).map_err(|(f, why)| invalid(f, why))?;
    let p = state
        .store
        .add_payment(
            id,
            req.version,
            &NewPayment {
                paid_on: paid_on.to_string(),
                months: req.months as i64,
                amount: req.amount,
                payer: payer.code().into(),
                reinstate: req.reinstate,
                reference: text("reference", &req.reference, false)?,
                recorded_by: caller.principal.username.clone(),
            },
        )
        .await?;
    audit(
        state,
        caller,
        "askesos.payment",
        &l.member,
        &format!("{} months {} {}", req.months, req.amount, payer.code()),
    )
    .await?;
    Ok(p)
}

/// `POST /api/v1/askesos/lpas/{id}/subsidy`: the government's contribution for the
/// subsidised months of every active member of an LPA that still has some.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubsidyBody {
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub paid_on: Option<String>,
    /// Months paid per member (at most what each has left).
    pub months: u32,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubsidyReport {
    pub members_paid: i64,
    pub months: i64,
    pub amount: i64,
    /// Members skipped and why (subsidy used up, not started, ended).
    pub skipped: Vec<String>,
}

pub async fn pay_subsidy(
    state: &AppState,
    caller: &Caller,
    lpa_id: i64,
    req: &SubsidyBody,
) -> ApiResult<SubsidyReport> {
    let lpa = lpa_for(state, caller, lpa_id, Action::RecordSubsidy).await?;
    if req.months == 0 || req.months > 36 {
        return Err(invalid("months", "expected 1–36"));
    }
    let paid_on = date_or_today("paid_on", &req.paid_on)?;
    let reference = text("reference", &req.reference, false)?;
    // The LPA's active members and their payments in two reads; products parsed once.
    let f = AskesosFilter {
        lpa_id: Some(lpa.id),
        state: Some("active".into()),
        ..Default::default()
    };
    let members = state.store.members(&f).await?;
    let mut paid: BTreeMap<i64, Vec<PaymentEntry>> = state
        .store
        .member_ledgers(&f)
        .await?
        .into_iter()
        .map(|l| (l.id, ledger_entries(&l.payments)))
        .collect();
    let prods = products(state).await?;
    let mut out = SubsidyReport {
        members_paid: 0,
        months: 0,
        amount: 0,
        skipped: Vec::new(),
    };
    for m in members {
        let no = &m.member_no;
        let Some(p) = product_of(&prods, &m.product_code, m.product_version) else {
            continue;
        };
        let book = paid.remove(&m.id).unwrap_or_default();
        let before = ledger::evaluate(p, stored_date(&m.cover_start)?, &book, paid_on);
        let left = before
            .subsidy_months
            .saturating_sub(before.subsidy_months_paid);
        let months = req.months.min(left);
        if months == 0 || p.subsidy_months() == 0 {
            out.skipped.push(format!("{no}: bantuan iuran sudah habis"));
            continue;
        }
        let amount = p.contribution.monthly_amount.0 * months as i64;
        let r = PaymentRequest {
            paid_on,
            months,
            amount: Rupiah(amount),
            payer: Payer::Subsidy,
            reinstate: false,
        };
        if let Err((_, why)) = ledger::check_payment(p, &before, None, &r) {
            out.skipped.push(format!("{no}: {why}"));
            continue;
        }
        state
            .store
            .add_payment(
                m.id,
                m.version,
                &NewPayment {
                    paid_on: paid_on.to_string(),
                    months: months as i64,
                    amount,
                    payer: "subsidy".into(),
                    reinstate: false,
                    reference: reference.clone(),
                    recorded_by: caller.principal.username.clone(),
                },
            )
            .await?;
        out.members_paid += 1;
        out.months += months as i64;
        out.amount += amount;
    }
    crate::audit::record(
        state,
        Some(caller),
        "askesos.subsidy",
        &format!("askesos_lpa:{}", lpa.id),
        &lpa.region,
        &format!("members={} amount={}", out.members_paid, out.amount),
    )
    .await?;
    Ok(out)
}

/// `POST /api/v1/askesos/members/{id}/card`: the card reached the member.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardBody {
    pub version: i64,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub delivered_on: Option<String>,
    /// Who received it (the member or a family member).
    pub delivered_to: String,
}

pub async fn deliver_card(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &CardBody,
) -> ApiResult<Member> {
    let l = load(state, caller, id, Action::Enrol).await?;
    l.active()?;
    check_version(req.version, &l.member)?;
    if l.member.card_delivered_on.is_some() {
        return Err(ApiError::Conflict("the card was delivered already".into()));
    }
    let on = date_or_today("delivered_on", &req.delivered_on)?;
    if on < stored_date(&l.member.card_issued_on)? || on > today() {
        return Err(invalid(
            "delivered_on",
            "before the card was issued, or in the future",
        ));
    }
    let to = text("delivered_to", &req.delivered_to, true)?;
    let m = state
        .store
        .change_member(
            id,
            req.version,
            &MemberChange {
                card_delivered: Some((on.to_string(), to)),
                ..Default::default()
            },
        )
        .await?;
    audit(state, caller, "askesos.card", &m, "").await?;
    Ok(m)
}

/// `POST /api/v1/askesos/members/{id}/heirs`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeirBody {
    pub version: i64,
    pub nik: String,
    pub name: String,
    pub relation: String,
}

pub async fn add_heir(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &HeirBody,
) -> ApiResult<Heir> {
    let l = load(state, caller, id, Action::Enrol).await?;
    l.active()?;
    check_version(req.version, &l.member)?;
    let h = heirs_of(
        state,
        &[HeirRequest {
            nik: req.nik.clone(),
            name: req.name.clone(),
            relation: req.relation.clone(),
        }],
        &l.member.nik,
    )
    .map_err(|e| match e {
        ApiError::Invalid { field, detail } => invalid(&field.replace("heirs[0].", ""), detail),
        e => e,
    })?;
    if l.heirs.iter().any(|x| x.nik == h[0].nik) {
        return Err(invalid("nik", "already an heir of this member"));
    }
    let heir = state
        .store
        .add_heir(id, req.version, &h[0], &caller.principal.username)
        .await?;
    audit(state, caller, "askesos.heir", &l.member, "").await?;
    Ok(heir)
}

/// `POST /api/v1/askesos/members/{id}/end`: a membership ends.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndBody {
    pub version: i64,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub ended_on: Option<String>,
    /// `age_out`, `ineligible`, `request`, `death`, `registry_exit`.
    pub reason: String,
}

pub async fn end(state: &AppState, caller: &Caller, id: i64, req: &EndBody) -> ApiResult<Member> {
    let l = load(state, caller, id, Action::Enrol).await?;
    l.active()?;
    check_version(req.version, &l.member)?;
    let why = EndReason::parse(&req.reason).ok_or_else(|| {
        invalid(
            "reason",
            "expected age_out, ineligible, request, death or registry_exit",
        )
    })?;
    let on = date_or_today("ended_on", &req.ended_on)?;
    if on < l.cover_start()? {
        return Err(invalid("ended_on", "before cover started"));
    }
    let m = end_member(state, &l, on, why).await?;
    audit(state, caller, "askesos.end", &m, why.code()).await?;
    Ok(m)
}

async fn end_member(state: &AppState, l: &Loaded, on: Date, why: EndReason) -> ApiResult<Member> {
    Ok(state
        .store
        .change_member(
            l.member.id,
            l.member.version,
            &MemberChange {
                end: Some((on.to_string(), why.code().into())),
                ..Default::default()
            },
        )
        .await?)
}

// ---------------------------------------------------------------------------------------
// Claims

/// `POST /api/v1/askesos/members/{id}/claims`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimBody {
    /// The member's version as read.
    pub version: i64,
    /// `illness`, `accident`, `dentures`, `partial_disability`, `death`,
    /// `death_work_accident`.
    pub event: String,
    pub event_date: String,
    /// YYYY-MM-DD; default today.
    #[serde(default)]
    pub filed_on: Option<String>,
    /// The member (illness, accident) or an heir (death).
    pub claimant_nik: String,
    /// `work`, `commute`, `other`.
    #[serde(default)]
    pub activity: Option<String>,
    /// The occupation at the time of an accident (default: the one of enrolment).
    #[serde(default)]
    pub occupation: Option<String>,
    #[serde(default)]
    pub illness_days: Option<u32>,
    /// Treatment cost in whole rupiah (benefits paid up to a cap).
    #[serde(default)]
    pub cost: Option<i64>,
    /// Document codes received (the product's checklist).
    #[serde(default)]
    pub documents: Vec<String>,
}

/// `POST /api/v1/askesos/claims/{id}/actions`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimActionBody {
    /// The claim's version as read.
    pub version: i64,
    /// `verify`, `approve`, `reject`, `pay`.
    pub action: String,
    #[serde(default)]
    pub note: String,
    /// Documents received (added to those on file; `verify`).
    #[serde(default)]
    pub documents: Vec<String>,
    /// The heir who claims (a death claim opened from the registry; `verify`).
    #[serde(default)]
    pub claimant_nik: Option<String>,
    /// YYYY-MM-DD (`pay`; default today).
    #[serde(default)]
    pub paid_on: Option<String>,
    /// YYYY-MM-DD: the day the last document arrived (`verify`; default today).
    #[serde(default)]
    pub complete_on: Option<String>,
}

fn claim_input(l: &Loaded, c: &Claim) -> ApiResult<ClaimInput> {
    Ok(ClaimInput {
        event: Event::parse(&c.event).ok_or_else(|| ApiError::Internal("stored event".into()))?,
        event_date: stored_date(&c.event_date)?,
        filed_on: stored_date(&c.filed_on)?,
        claimant_nik: c.claimant_nik.clone(),
        activity: Activity::parse(&c.activity).unwrap_or(Activity::Other),
        occupation: c
            .occupation
            .clone()
            .or_else(|| Some(l.member.occupation.clone())),
        illness_days: c.illness_days.map(|d| d.clamp(0, u32::MAX as i64) as u32),
        cost: c.cost.map(Rupiah),
    })
}

/// The domain's assessment of `input` on the member, excluding the claim `own` itself
/// from the prior claims.
fn assess(l: &Loaded, input: &ClaimInput, own: Option<i64>) -> ApiResult<claims::Assessment> {
    let ledger = l.ledger(input.event_date.max(input.filed_on))?;
    let heirs: Vec<HeirRef> = l
        .heirs
        .iter()
        .map(|h| HeirRef {
            nik: h.nik.clone(),
            relation: h.relation.clone(),
        })
        .collect();
    let prior: Vec<PriorClaim> = l
        .claims
        .iter()
        .filter(|c| Some(c.id) != own)
        .filter_map(|c| {
            Some(PriorClaim {
                event: Event::parse(&c.event)?,
                state: ClaimState::parse(&c.state)?,
            })
        })
        .collect();
    let insured = Insured {
        nik: &l.member.nik,
        occupation: &l.member.occupation,
        ended: l.ended(),
        heirs: &heirs,
        ledger: &ledger,
        prior: &prior,
    };
    claims::assess(&l.product, &insured, input).map_err(|(f, why)| invalid(f, why))
}

fn documents_json(docs: &[String], p: &Product, event: Event) -> ApiResult<String> {
    for (i, d) in docs.iter().enumerate() {
        if !p.documents(event).contains(d) {
            return Err(invalid(
                &format!("documents[{i}]"),
                format!(
                    "{d:?} is not on the checklist ({})",
                    p.documents(event).join(", ")
                ),
            ));
        }
    }
    serde_json::to_string(docs).map_err(|e| ApiError::Internal(e.to_string()))
}

pub fn documents_of(c: &Claim) -> Vec<String> {
    serde_json::from_str(&c.documents).unwrap_or_default()
}

pub async fn file_claim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &ClaimBody,
) -> ApiResult<Claim> {
    let l = load(state, caller, id, Action::FileClaim).await?;
    check_version(req.version, &l.member)?;
    let event = Event::parse(&req.event).ok_or_else(|| {
        let all: Vec<&str> = Event::ALL.iter().map(|e| e.code()).collect();
        invalid("event", format!("expected one of {}", all.join(", ")))
    })?;
    let activity = match req.activity.as_deref() {
        None | Some("") => Activity::Other,
        Some(a) => Activity::parse(a)
            .ok_or_else(|| invalid("activity", "expected work, commute or other"))?,
    };
    let filed_on = date_or_today("filed_on", &req.filed_on)?;
    if filed_on > today() {
        return Err(invalid("filed_on", "in the future"));
    }
    let occupation = match &req.occupation {
        Some(o) if !o.trim().is_empty() => Some(text("occupation", o, false)?),
        _ => None,
    };
    if req.cost.is_some_and(|c| c < 0) {
        return Err(invalid("cost", "negative"));
    }
    let input = ClaimInput {
        event,
        event_date: date("event_date", &req.event_date)?,
        filed_on,
        claimant_nik: Some(check_nik(state, "claimant_nik", &req.claimant_nik)?),
        activity,
        occupation: occupation.clone(),
        illness_days: req.illness_days,
        cost: req.cost.map(Rupiah),
    };
    let a = assess(&l, &input, None)?;
    let docs = documents_json(&req.documents, &l.product, event)?;
    let c = state
        .store
        .create_claim(
            id,
            req.version,
            &NewClaim {
                event: event.code().into(),
                event_date: input.event_date.to_string(),
                filed_on: filed_on.to_string(),
                claimant_nik: input.claimant_nik.clone(),
                activity: activity.code().into(),
                occupation,
                illness_days: req.illness_days.map(i64::from),
                cost: req.cost,
                documents: docs,
                basis: a.basis,
                opened_by: caller.principal.username.clone(),
            },
        )
        .await?;
    audit(state, caller, "askesos.claim", &l.member, &c.claim_no).await?;
    Ok(c)
}

/// A claim and its member, for the caller acting with `action`.
pub async fn load_claim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    action: Action,
) -> ApiResult<(Claim, Loaded)> {
    let c = state.store.claim(id).await?.ok_or(ApiError::NotFound)?;
    let l = load(state, caller, c.member_id, action).await?;
    Ok((c, l))
}

pub async fn act_on_claim(
    state: &AppState,
    caller: &Caller,
    id: i64,
    req: &ClaimActionBody,
) -> ApiResult<Claim> {
    let action = ClaimAction::parse(&req.action)
        .ok_or_else(|| invalid("action", "expected verify, approve, reject or pay"))?;
    let needs = selaras_domain::askesos::access::for_claim(action);
    // Rejecting is the decider's; an LPA verifying may also turn a claim down only under
    // the old scheme, where it decides.
    let (c, l) = load_claim(state, caller, id, needs).await?;
    if c.version != req.version {
        return Err(ApiError::Conflict(format!(
            "the claim changed meanwhile (version {} now): reload and try again",
            c.version
        )));
    }
    let from =
        ClaimState::parse(&c.state).ok_or_else(|| ApiError::Internal("stored state".into()))?;
    let to = claims::next_state(from, action).ok_or_else(|| {
        ApiError::Conflict(format!(
            "a claim that is {} cannot be {}",
            from.label_en(),
            action.label_en()
        ))
    })?;
    let note = text("note", &req.note, action == ClaimAction::Reject)?;
    let event = Event::parse(&c.event).ok_or_else(|| ApiError::Internal("stored event".into()))?;
    let mut step = ClaimStep {
        action: action.code().into(),
        to_state: to.code().into(),
        actor: caller.principal.username.clone(),
        note,
        documents: None,
        claimant_nik: None,
        amount: None,
        basis: None,
        complete_on: None,
        due_on: None,
        paid_on: None,
        paid_to: None,
    };
    match action {
        ClaimAction::Verify => {
            let mut docs = documents_of(&c);
            for d in &req.documents {
                if !docs.contains(d) {
                    docs.push(d.clone());
                }
            }
            let json = documents_json(&docs, &l.product, event)?;
            let missing = claims::missing_documents(&l.product, event, &docs);
            if !missing.is_empty() {
                return Err(invalid(
                    "documents",
                    format!("belum lengkap: {}", missing.join(", ")),
                ));
            }
            let claimant = match (&req.claimant_nik, &c.claimant_nik) {
                (Some(n), _) => Some(check_nik(state, "claimant_nik", n)?),
                (None, Some(n)) => Some(n.clone()),
                (None, None) => {
                    return Err(invalid("claimant_nik", "name the heir who claims"));
                }
            };
            let mut probe = c.clone();
            probe.claimant_nik = claimant.clone();
            assess(&l, &claim_input(&l, &probe)?, Some(c.id))?;
            let on = date_or_today("complete_on", &req.complete_on)?;
            if on > today() || on.to_string() < c.filed_on {
                return Err(invalid(
                    "complete_on",
                    "before the claim was filed, or in the future",
                ));
            }
            let due = calendar(state)
                .await?
                .add_working_days(on, l.product.sla_days(event));
            step.documents = Some(json);
            step.claimant_nik = claimant;
            step.complete_on = Some(on.to_string());
            step.due_on = Some(due.to_string());
        }
        ClaimAction::Approve => {
            let a = assess(&l, &claim_input(&l, &c)?, Some(c.id))?;
            step.amount = Some(a.amount.0);
            step.basis = Some(a.basis);
        }
        ClaimAction::Reject => {}
        ClaimAction::Pay => {
            let on = date_or_today("paid_on", &req.paid_on)?;
            if on > today()
                || c.complete_on
                    .as_deref()
                    .is_some_and(|x| on.to_string().as_str() < x)
            {
                return Err(invalid(
                    "paid_on",
                    "before the claim was complete, or in the future",
                ));
            }
            step.paid_on = Some(on.to_string());
            step.paid_to = c.claimant_nik.clone();
        }
    }
    let out = state.store.step_claim(id, req.version, &step).await?;
    audit(
        state,
        caller,
        "askesos.claim_action",
        &l.member,
        &format!("{} {}", out.claim_no, action.code()),
    )
    .await?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// The sweep: the registry and the calendar end memberships

/// What a sweep did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SweepReport {
    pub deaths: i64,
    pub death_claims_opened: i64,
    /// Deaths the product does not cover (e.g. during a lapse).
    pub death_claims_refused: i64,
    pub registry_exits: i64,
    pub age_outs: i64,
}

/// Ends the memberships the registry or the calendar ends: a member recorded deceased
/// in the registry (a death claim opens for the heirs, dated the day the registry
/// recorded it), a member who left the registry otherwise, a member past the product's
/// age limit. Run by `selaras serve` every minute and by `selaras askesos sweep`.
pub async fn sweep(state: &AppState, on: Date) -> ApiResult<SweepReport> {
    let mut out = SweepReport::default();
    sweep_exits(state, &mut out).await?;
    sweep_ages(state, on, &mut out).await?;
    Ok(out)
}

/// A member for the system's own decisions (no caller to authorize).
async fn load_for_system(
    state: &AppState,
    id: i64,
    prods: &[Product],
) -> ApiResult<Option<Loaded>> {
    let Some(member) = state.store.member(id).await? else {
        return Ok(None);
    };
    let Some(lpa) = state.store.lpa(member.lpa_id).await? else {
        return Ok(None);
    };
    let Some(product) = product_of(prods, &member.product_code, member.product_version).cloned()
    else {
        return Ok(None);
    };
    Ok(Some(load_rest(state, member, lpa, product).await?))
}

/// Memberships the registry ended (one query finds them; only those are loaded).
pub async fn sweep_exits(state: &AppState, out: &mut SweepReport) -> ApiResult<()> {
    let exits = state.store.registry_exits().await?;
    if exits.is_empty() {
        return Ok(());
    }
    let prods = products(state).await?;
    for (id, code, since) in exits {
        let Some(l) = load_for_system(state, id, &prods).await? else {
            continue;
        };
        let day = since
            .get(..10)
            .and_then(|d| Date::parse(d).ok())
            .unwrap_or_else(today)
            .max(l.cover_start()?);
        if code != "deceased" {
            end_member(state, &l, day, EndReason::RegistryExit).await?;
            out.registry_exits += 1;
            continue;
        }
        let heir = l
            .product
            .heir_order
            .iter()
            .find_map(|rel| l.heirs.iter().find(|h| &h.relation == rel))
            .map(|h| h.nik.clone());
        let ended = end_member(state, &l, day, EndReason::Death).await?;
        out.deaths += 1;
        let input = ClaimInput {
            event: Event::Death,
            event_date: day,
            // Filed by the system the day the registry recorded the death.
            filed_on: day,
            claimant_nik: None,
            activity: Activity::Other,
            occupation: None,
            illness_days: None,
            cost: None,
        };
        let l2 = Loaded { member: ended, ..l };
        match assess(&l2, &input, None) {
            Ok(a) => {
                state
                    .store
                    .create_claim(
                        l2.member.id,
                        l2.member.version,
                        &NewClaim {
                            event: "death".into(),
                            event_date: day.to_string(),
                            filed_on: day.to_string(),
                            claimant_nik: heir,
                            activity: "other".into(),
                            occupation: None,
                            illness_days: None,
                            cost: None,
                            documents: "[]".into(),
                            basis: a.basis,
                            opened_by: "registry".into(),
                        },
                    )
                    .await?;
                out.death_claims_opened += 1;
            }
            Err(e) => {
                // Not covered (lapsed, say): the membership still ends; the LPA sees
                // the reason on the member's page.
                tracing::info!(member = %l2.member.member_no, "no death claim: {}", e.message_en());
                out.death_claims_refused += 1;
            }
        }
    }
    Ok(())
}

/// Memberships past the product's age limit (where the product ends them), as of `on`.
pub async fn sweep_ages(state: &AppState, on: Date, out: &mut SweepReport) -> ApiResult<()> {
    let prods = products(state).await?;
    for (id, code, version, birth) in state.store.active_birth_dates().await? {
        let Some(p) = product_of(&prods, &code, version) else {
            continue;
        };
        let Ok(birth) = Date::parse(&birth) else {
            continue;
        };
        let age_out = eligibility::age_out_date(p, birth);
        if !p.eligibility.auto_cancel_over_max_age || on < age_out {
            continue;
        }
        let Some(l) = load_for_system(state, id, &prods).await? else {
            continue;
        };
        end_member(state, &l, age_out.max(l.cover_start()?), EndReason::AgeOut).await?;
        out.age_outs += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Views

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerView {
    pub as_of: String,
    /// `not_started`, `subsidised`, `self_paying`, `in_arrears`, `lapsed`; `ended` when
    /// the membership ended.
    pub status: String,
    pub status_label: String,
    pub months_due: u32,
    pub subsidy_months: u32,
    pub subsidy_months_paid: u32,
    pub member_months_paid: u32,
    pub arrears_months: u32,
    pub arrears: i64,
    pub next_due: Option<String>,
    pub lapsed_since: Option<String>,
    /// Uncovered spans `[from, to)` that ended with a reinstatement.
    pub gaps: Vec<(String, String)>,
    pub monthly_amount: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub claim: Claim,
    pub event_label: String,
    pub state_label: String,
    pub missing_documents: Vec<String>,
    pub checklist: Vec<String>,
    /// Paid after the service level's due day, or due and unpaid.
    pub late: bool,
    /// Working days from complete to paid (or to today while unpaid).
    pub working_days: Option<u32>,
    pub sla_working_days: u32,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<selaras_store::askesos::ClaimEvent>,
    /// The actions the caller may take now.
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub member: Member,
    pub lpa_name: String,
    pub product_name: String,
    pub ledger: LedgerView,
    #[schema(value_type = Vec<Object>)]
    pub heirs: Vec<Heir>,
    #[schema(value_type = Vec<Object>)]
    pub payments: Vec<Payment>,
    pub claims: Vec<ClaimView>,
    /// The events the product covers.
    pub events: Vec<String>,
}

pub fn ledger_view(l: &Loaded, on: Date) -> ApiResult<LedgerView> {
    let g = l.ledger(on)?;
    let (status, label) = if l.member.state == "ended" {
        (
            "ended".to_string(),
            format!(
                "berakhir {} ({})",
                l.member.ended_on.as_deref().unwrap_or(""),
                l.member
                    .end_reason
                    .as_deref()
                    .and_then(EndReason::parse)
                    .map_or("", |r| r.label_id())
            ),
        )
    } else {
        (g.status.code().to_string(), g.status.label_id().to_string())
    };
    Ok(LedgerView {
        as_of: on.to_string(),
        status,
        status_label: label,
        months_due: g.months_due,
        subsidy_months: g.subsidy_months,
        subsidy_months_paid: g.subsidy_months_paid,
        member_months_paid: g.member_months_paid,
        arrears_months: g.arrears_months,
        arrears: g.arrears.0,
        next_due: g.next_due.map(|d| d.to_string()),
        lapsed_since: g.lapsed_since.map(|d| d.to_string()),
        gaps: g
            .gaps
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        monthly_amount: l.product.contribution.monthly_amount.0,
    })
}

/// Paid after the service level's due day, or complete, unpaid and past it.
fn is_late(state: ClaimState, due: Option<Date>, paid: Option<Date>) -> bool {
    match (due, paid, state) {
        (Some(d), Some(p), _) => p > d,
        (Some(d), None, ClaimState::Verified | ClaimState::Approved) => today() > d,
        _ => false,
    }
}

/// The steps `caller` may take now on a claim in `state` at `target`.
pub fn claim_steps(caller: &Caller, state: ClaimState, target: Target<'_>) -> Vec<ClaimAction> {
    ClaimAction::ALL
        .iter()
        .copied()
        .filter(|a| claims::next_state(state, *a).is_some())
        .filter(|a| {
            decide(
                &caller.principal,
                selaras_domain::askesos::access::for_claim(*a),
                Some(target),
            ) == Decision::Allow
        })
        .collect()
}

/// A claim waiting for a step the caller may take.
#[derive(Debug, Clone, Serialize)]
pub struct PendingClaim {
    pub claim: Claim,
    pub member_no: String,
    pub member_name: String,
    pub steps: Vec<ClaimAction>,
    pub late: bool,
}

/// The claims of the caller's region (LPA staff: their LPA) that wait for a step the
/// caller may take: received, verified or approved, at most 50 of each, newest first.
pub async fn pending_claims(state: &AppState, caller: &Caller) -> ApiResult<Vec<PendingClaim>> {
    let operators: BTreeMap<String, Operator> = products(state)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.operator()))
        .collect();
    let lpas: BTreeMap<i64, Lpa> = state
        .store
        .lpas("")
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let mut out = Vec::new();
    for st in [
        ClaimState::Received,
        ClaimState::Verified,
        ClaimState::Approved,
    ] {
        let rows = state
            .store
            .claims_for(&AskesosFilter {
                region_prefix: caller.principal.scope.prefix().to_string(),
                lpa_id: caller.principal.lpa,
                state: Some(st.code().into()),
                limit: 50,
                ..Default::default()
            })
            .await?;
        for r in rows {
            let Ok(region) = RegionCode::parse(&r.region) else {
                continue;
            };
            let operator = lpas
                .get(&r.lpa_id)
                .and_then(|l| operators.get(&l.product_code))
                .copied();
            let steps = claim_steps(
                caller,
                st,
                Target {
                    region: &region,
                    lpa_id: Some(r.lpa_id),
                    operator,
                },
            );
            if steps.is_empty() {
                continue;
            }
            let day = |d: &Option<String>| d.as_deref().and_then(|d| Date::parse(d).ok());
            let late = is_late(st, day(&r.claim.due_on), day(&r.claim.paid_on));
            out.push(PendingClaim {
                claim: r.claim,
                member_no: r.member_no,
                member_name: r.member_name,
                steps,
                late,
            });
        }
    }
    Ok(out)
}

pub fn claim_view(
    caller: &Caller,
    l: &Loaded,
    c: &Claim,
    cal: &Calendar,
    events: Vec<selaras_store::askesos::ClaimEvent>,
) -> ClaimView {
    let event = Event::parse(&c.event);
    let state = ClaimState::parse(&c.state);
    let docs = documents_of(c);
    let checklist: Vec<String> = event.map_or(Vec::new(), |e| l.product.documents(e).to_vec());
    let missing = event.map_or(Vec::new(), |e| {
        claims::missing_documents(&l.product, e, &docs)
    });
    let complete = c.complete_on.as_deref().and_then(|d| Date::parse(d).ok());
    let due = c.due_on.as_deref().and_then(|d| Date::parse(d).ok());
    let paid = c.paid_on.as_deref().and_then(|d| Date::parse(d).ok());
    let end = paid.unwrap_or_else(today);
    let late = state.is_some_and(|s| is_late(s, due, paid));
    let actions = match (state, RegionCode::parse(&l.member.region)) {
        (Some(s), Ok(r)) => claim_steps(
            caller,
            s,
            Target {
                region: &r,
                lpa_id: Some(l.member.lpa_id),
                operator: Some(l.product.operator()),
            },
        )
        .iter()
        .map(|a| a.code().to_string())
        .collect(),
        _ => Vec::new(),
    };
    ClaimView {
        claim: c.clone(),
        event_label: event.map_or(c.event.clone(), |e| e.label_id().into()),
        state_label: state.map_or(c.state.clone(), |s| s.label_id().into()),
        missing_documents: missing,
        checklist,
        late,
        working_days: complete.map(|s| cal.working_days_between(s, end)),
        sla_working_days: event.map_or(0, |e| l.product.sla_days(e)),
        events,
        actions,
    }
}

/// A member with its ledger, heirs, payments and claims, as the caller reads it (the
/// read of personal data is audited).
pub async fn read_member(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> ApiResult<(Loaded, MemberView)> {
    let l = load(state, caller, id, Action::ReadMembers).await?;
    let v = member_view(state, caller, &l).await?;
    audit(state, caller, "read.askesos_member", &l.member, "").await?;
    Ok((l, v))
}

/// A claim with its checklist, service level and history, as the caller reads it (it
/// names the claimant: audited).
pub async fn read_claim(
    state: &AppState,
    caller: &Caller,
    id: i64,
) -> ApiResult<(Claim, Loaded, ClaimView)> {
    let (c, l) = load_claim(state, caller, id, Action::ReadMembers).await?;
    let v = claim_view_of(state, caller, &l, &c).await?;
    crate::audit::record(
        state,
        Some(caller),
        "read.askesos_claim",
        &format!("askesos_claim:{}", c.claim_no),
        &l.member.region,
        "",
    )
    .await?;
    Ok((c, l, v))
}

/// [`claim_view`] with the calendar and the claim's history read.
pub async fn claim_view_of(
    state: &AppState,
    caller: &Caller,
    l: &Loaded,
    c: &Claim,
) -> ApiResult<ClaimView> {
    let cal = calendar(state).await?;
    let events = state.store.claim_events(c.id).await?;
    Ok(claim_view(caller, l, c, &cal, events))
}

pub async fn member_view(state: &AppState, caller: &Caller, l: &Loaded) -> ApiResult<MemberView> {
    let cal = calendar(state).await?;
    let mut claims = Vec::new();
    for c in &l.claims {
        let ev = state.store.claim_events(c.id).await?;
        claims.push(claim_view(caller, l, c, &cal, ev));
    }
    Ok(MemberView {
        member: l.member.clone(),
        lpa_name: l.lpa.name.clone(),
        product_name: l.product.name_id.clone(),
        ledger: ledger_view(l, today())?,
        heirs: l.heirs.clone(),
        payments: l.payments.clone(),
        claims,
        events: l
            .product
            .events()
            .iter()
            .map(|e| e.code().to_string())
            .collect(),
    })
}

/// `GET /api/v1/askesos/members` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemberQuery {
    pub lpa: Option<i64>,
    /// `active` or `ended`.
    pub state: Option<String>,
    pub nik: Option<String>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberRowView {
    pub id: i64,
    pub member_no: String,
    pub name: String,
    pub nik: String,
    pub lpa_id: i64,
    pub region: String,
    pub product_code: String,
    pub status: String,
    pub status_label: String,
    pub card_delivered: bool,
    pub arrears: i64,
}

pub const PAGE: i64 = 100;

/// The members the caller may see, with where their policies stand today.
pub async fn list_members(
    state: &AppState,
    caller: &Caller,
    q: &MemberQuery,
) -> ApiResult<Vec<MemberRowView>> {
    let lpa = lpa_param(caller, q.lpa)?;
    if let Some(id) = lpa {
        lpa_for(state, caller, id, Action::ReadMembers).await?;
    }
    // Reading names is ReadMembers at the caller's own place.
    let scope_region = match &caller.principal.scope {
        selaras_domain::RegionScope::Region(r) => Some(*r),
        selaras_domain::RegionScope::National => None,
    };
    allow(decide(
        &caller.principal,
        Action::ReadMembers,
        scope_region.as_ref().map(|r| Target {
            region: r,
            lpa_id: lpa,
            operator: None,
        }),
    ))?;
    if let Some(s) = &q.state {
        if s != "active" && s != "ended" {
            return Err(invalid("state", "expected active or ended"));
        }
    }
    let nik = match &q.nik {
        Some(n) if !n.trim().is_empty() => Some(check_nik(state, "nik", n)?),
        _ => None,
    };
    let f = AskesosFilter {
        region_prefix: caller.principal.scope.prefix().to_string(),
        lpa_id: lpa,
        nik,
        state: q.state.clone(),
        limit: PAGE,
        offset: q.offset.unwrap_or(0).max(0),
        ..Default::default()
    };
    // The page's members and, in one more read, their payments (the same page).
    let members = state.store.members(&f).await?;
    let mut paid: BTreeMap<i64, Vec<PaymentEntry>> = state
        .store
        .member_ledgers(&f)
        .await?
        .into_iter()
        .map(|l| (l.id, ledger_entries(&l.payments)))
        .collect();
    let prods = products(state).await?;
    let on = today();
    let mut out = Vec::new();
    for m in members {
        let Some(p) = product_of(&prods, &m.product_code, m.product_version) else {
            continue;
        };
        let book = paid.remove(&m.id).unwrap_or_default();
        let g = ledger::evaluate(p, stored_date(&m.cover_start)?, &book, on);
        let (status, label) = if m.state == "ended" {
            ("ended".to_string(), "berakhir".to_string())
        } else {
            (g.status.code().to_string(), g.status.label_id().to_string())
        };
        out.push(MemberRowView {
            id: m.id,
            member_no: m.member_no,
            name: m.name,
            nik: m.nik,
            lpa_id: m.lpa_id,
            region: m.region,
            product_code: m.product_code,
            status,
            status_label: label,
            card_delivered: m.card_delivered_on.is_some(),
            arrears: g.arrears.0,
        });
    }
    crate::audit::record(
        state,
        Some(caller),
        "read.askesos_members",
        "askesos_members",
        caller.principal.scope.prefix(),
        &format!("rows={}", out.len()),
    )
    .await?;
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Reports

/// `GET /api/v1/askesos/reports` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// A region inside the caller's (default: the caller's own).
    pub region: Option<String>,
    /// Only this LPA.
    pub lpa: Option<i64>,
    /// `lpa` (default) or `region` (regency).
    pub by: Option<String>,
    /// The period of money and claims, YYYY-MM-DD (default: this calendar year).
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub region: String,
    pub by: String,
    pub from: String,
    pub to: String,
    /// Group code → name (LPA names or region names).
    pub names: BTreeMap<String, String>,
    #[schema(value_type = Vec<Object>)]
    pub members: Vec<reports::MemberCounts>,
    #[schema(value_type = Vec<Object>)]
    pub retention: Vec<reports::Retention>,
    #[schema(value_type = Vec<Object>)]
    pub money: Vec<reports::MoneyRow>,
    #[schema(value_type = Vec<Object>)]
    pub lateness: Vec<reports::Lateness>,
}

pub async fn report(state: &AppState, caller: &Caller, q: &ReportQuery) -> ApiResult<ReportView> {
    // The report's region (422 malformed or unknown), decided by the Askesos authorizer:
    // 404 outside the caller's region or LPA, 403 without reports.
    let lpa = lpa_param(caller, q.lpa)?;
    let scope = crate::views::region_param_by(state, caller, q.region.as_deref(), |r| {
        decide(
            &caller.principal,
            Action::ViewReports,
            r.map(|region| Target {
                region,
                lpa_id: lpa,
                operator: None,
            }),
        )
    })?;
    let prefix = scope.prefix().to_string();
    let by = q.by.clone().unwrap_or_else(|| "lpa".into());
    if by != "lpa" && by != "region" {
        return Err(invalid("by", "expected lpa or region"));
    }
    let year = today().year();
    let from = match &q.from {
        Some(d) => date("from", d)?,
        None => Date::from_ymd(year, 1, 1).expect("1 January"),
    };
    let to = match &q.to {
        Some(d) => date("to", d)?,
        None => Date::from_ymd(year, 12, 31).expect("31 December"),
    };
    if to < from {
        return Err(invalid("to", "before from"));
    }
    let f = AskesosFilter {
        region_prefix: prefix.clone(),
        lpa_id: lpa,
        ..Default::default()
    };
    let lpas: BTreeMap<i64, Lpa> = state
        .store
        .lpas("")
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let group = |lpa_id: i64, region: &str| -> String {
        if by == "lpa" {
            lpa_id.to_string()
        } else {
            region.get(..5).unwrap_or(region).to_string()
        }
    };
    let prods = products(state).await?;
    // Members with their payments (see `member_ledgers`).
    let members = state.store.member_ledgers(&f).await?;
    let on = to.min(today());
    let on_s = on.to_string();
    let mut rows = Vec::with_capacity(members.len());
    let mut money = reports::Money::new(from, to);
    let mut book: Vec<PaymentEntry> = Vec::new();
    for m in &members {
        let Some(p) = product_of(&prods, &m.product_code, m.product_version) else {
            continue;
        };
        let g_key = group(m.lpa_id, &m.region);
        book.clear();
        for x in &m.payments {
            // The old scheme's fund at enrolment is government money.
            let money_payer = match x.payer {
                "enrolment" => Some(Payer::Subsidy),
                code => Payer::parse(code),
            };
            if let Some(mp) = money_payer {
                let fee = if x.payer == "subsidy" {
                    p.fee_bp_on(x.paid_on)
                } else {
                    0
                };
                money.payment(&g_key, x.paid_on, Rupiah(x.amount), mp, fee);
            }
            book.extend(ledger_entry(x));
        }
        let start = stored_date(&m.cover_start)?;
        if start > on {
            continue;
        }
        let g = ledger::evaluate(p, start, &book, on);
        let ended = m.state == "ended" && m.ended_on.as_deref().is_some_and(|e| e <= on_s.as_str());
        let s = p.subsidy_months();
        rows.push(reports::MemberRow {
            group: g_key,
            ended,
            status: if ended { CoverStatus::Lapsed } else { g.status },
            card_delivered: m
                .card_delivered_on
                .as_deref()
                .is_some_and(|d| d <= on_s.as_str()),
            subsidy_ended: s > 0 && s != u32::MAX && g.months_due > s,
        });
    }
    let claims = state.store.claims_for(&f).await?;
    let claim_rows: Vec<reports::ClaimRow> = claims
        .iter()
        .filter_map(|c| {
            Some(reports::ClaimRow {
                group: group(c.lpa_id, &c.region),
                state: ClaimState::parse(&c.claim.state)?,
                amount: c.claim.amount.map(Rupiah),
                complete_on: c
                    .claim
                    .complete_on
                    .as_deref()
                    .and_then(|d| Date::parse(d).ok()),
                due_on: c.claim.due_on.as_deref().and_then(|d| Date::parse(d).ok()),
                paid_on: c.claim.paid_on.as_deref().and_then(|d| Date::parse(d).ok()),
            })
        })
        .collect();
    let mut names = BTreeMap::new();
    for r in &rows {
        names.entry(r.group.clone()).or_insert_with(|| {
            if by == "lpa" {
                r.group
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| lpas.get(&id))
                    .map_or(r.group.clone(), |l| l.name.clone())
            } else {
                RegionCode::parse(&r.group)
                    .ok()
                    .and_then(|c| state.regions.name(&c).map(str::to_string))
                    .unwrap_or_else(|| r.group.clone())
            }
        });
    }
    crate::audit::record(
        state,
        Some(caller),
        "read.askesos_report",
        "askesos_report",
        &prefix,
        "",
    )
    .await?;
    for c in &claim_rows {
        money.claim(c);
    }
    Ok(ReportView {
        region: prefix,
        by,
        from: from.to_string(),
        to: to.to_string(),
        names,
        members: reports::member_counts(&rows),
        retention: reports::retention(&rows),
        money: money.finish(),
        lateness: reports::lateness(&claim_rows, from, to),
    })
}

/// `POST /api/v1/askesos/lpas/{id}/reports`: the LPA sends its report for a period (the
/// figures are frozen as sent).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendReportBody {
    /// `YYYY` or `YYYY-MM`.
    pub period: String,
}

pub async fn send_report(
    state: &AppState,
    caller: &Caller,
    lpa_id: i64,
    req: &SendReportBody,
) -> ApiResult<selaras_store::askesos::LpaReport> {
    let lpa = lpa_for(state, caller, lpa_id, Action::SendReport).await?;
    let p = req.period.trim();
    let (from, to) =
        period_bounds(p).ok_or_else(|| invalid("period", "expected YYYY or YYYY-MM"))?;
    if from > today() {
        return Err(invalid("period", "in the future"));
    }
    let view = report(
        state,
        caller,
        &ReportQuery {
            region: None,
            lpa: Some(lpa.id),
            by: Some("lpa".into()),
            from: Some(from.to_string()),
            to: Some(to.to_string()),
        },
    )
    .await?;
    let body = serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(state
        .store
        .save_lpa_report(lpa.id, p, &body, &caller.principal.username)
        .await?)
}

/// The first and last day of `YYYY` or `YYYY-MM`.
pub fn period_bounds(p: &str) -> Option<(Date, Date)> {
    match p.len() {
        4 => {
            let y: i32 = p.parse().ok()?;
            Some((Date::from_ymd(y, 1, 1)?, Date::from_ymd(y, 12, 31)?))
        }
        7 => {
            let start = Date::parse(&format!("{p}-01")).ok()?;
            Some((start, start.plus_months(1).plus_days(-1)))
        }
        _ => None,
    }
}

/// Runs [`sweep_exits`] every `every` (the first run at once) and [`sweep_ages`] once a day.
pub fn spawn_sweeper(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        let mut ages_done: Option<Date> = None;
        loop {
            tick.tick().await;
            let mut r = SweepReport::default();
            let mut res = sweep_exits(&state, &mut r).await;
            // Age limits move once a day.
            let day = today();
            if res.is_ok() && ages_done != Some(day) {
                res = sweep_ages(&state, day, &mut r).await;
                if res.is_ok() {
                    ages_done = Some(day);
                }
            }
            match res {
                Ok(()) if r.deaths + r.registry_exits + r.age_outs > 0 => {
                    tracing::info!(?r, "askesos memberships ended")
                }
                Ok(()) => {}
                Err(e) => tracing::warn!("askesos sweep: {e:?}"),
            }
        }
    });
}

// ---------------------------------------------------------------------------------------
// Member lists (the CLI's `selaras askesos import`)

/// A bad line of a member list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub loaded: i64,
    pub rejected: i64,
    pub rejects: Vec<Reject>,
}

/// The columns of a member list; `nik` and `occupation` are required, the others may be
/// left out or empty (`cover_start`: today).
pub const LIST_COLUMNS: &[&str] = &[
    "nik",
    "occupation",
    "cover_start",
    "heir_nik",
    "heir_name",
    "heir_relation",
];

/// Enrols every line of a member list (CSV with a header; columns in any order) with
/// an LPA, one line at a time through [`enrol`], so that each line meets the same checks
/// as the desk: a bad line is rejected with its line, column and reason, and the others
/// are enrolled. A line enrolled already (its NIK active with this LPA) is rejected as a
/// duplicate, so running the list again changes nothing.
pub async fn import_members(
    state: &AppState,
    caller: &Caller,
    lpa_id: i64,
    data: &[u8],
) -> ApiResult<ImportReport> {
    lpa_for(state, caller, lpa_id, Action::Enrol).await?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data));
    let headers = rdr
        .headers()
        .map_err(|e| invalid("header", e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    for h in headers.iter() {
        if !LIST_COLUMNS.contains(&h.trim()) {
            return Err(invalid(
                "header",
                format!(
                    "unknown column {h:?} (expected {})",
                    LIST_COLUMNS.join(", ")
                ),
            ));
        }
    }
    for required in ["nik", "occupation"] {
        if col(required).is_none() {
            return Err(invalid("header", format!("column {required} is missing")));
        }
    }
    let mut out = ImportReport::default();
    for rec in rdr.records() {
        let (line, rec) = match rec {
            Ok(r) => (r.position().map_or(0, |p| p.line()), r),
            Err(e) => {
                out.rejected += 1;
                out.rejects.push(Reject {
                    line: e.position().map_or(0, |p| p.line()),
                    column: String::new(),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let get = |name: &str| -> String {
            col(name)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let heir_nik = get("heir_nik");
        let req = EnrolRequest {
            lpa_id,
            nik: get("nik"),
            occupation: get("occupation"),
            cover_start: Some(get("cover_start")).filter(|s| !s.is_empty()),
            heirs: if heir_nik.is_empty() {
                vec![]
            } else {
                vec![HeirRequest {
                    nik: heir_nik,
                    name: get("heir_name"),
                    relation: get("heir_relation"),
                }]
            },
        };
        match enrol(state, caller, &req).await {
            Ok(_) => out.loaded += 1,
            Err(ApiError::Internal(e)) => return Err(ApiError::Internal(e)),
            Err(e) => {
                let column = match &e {
                    ApiError::Invalid { field, .. } => match field.as_str() {
                        "heirs[0].nik" => "heir_nik".into(),
                        "heirs[0].name" => "heir_name".into(),
                        "heirs[0].relation" => "heir_relation".into(),
                        f => f.to_string(),
                    },
                    _ => "nik".into(),
                };
                let reason = match &e {
                    ApiError::Invalid { detail, .. } | ApiError::Conflict(detail) => detail.clone(),
                    ApiError::NotFound => {
                        "not in the registry, or outside the LPA's or your region".into()
                    }
                    other => other.message_en(),
                };
                out.rejected += 1;
                out.rejects.push(Reject {
                    line,
                    column,
                    reason,
                });
            }
        }
    }
    Ok(out)
}
