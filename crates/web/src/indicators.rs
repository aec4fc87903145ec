//! The ministry's indicators (issue #6): target against actual per year and region, on
//! the API and on a page (Bahasa Indonesia first), and hand-entered actual values.
//!
//! - The catalogue in force is the newest stored version, else the shipped file
//!   (`selaras_domain::indicators`). Entering the first value stores the shipped file as
//!   version 1, so every value names the catalogue version it was entered under.
//! - Actual values: the SLRT indicators are computed from the cases on every read (never
//!   stored, `source: computed`); the others are the newest hand-entered value for the
//!   indicator, year and region (`source: manual`; corrections are newer rows), else — for
//!   the nation — the realisation the source publishes (`source: published`).
//! - Reading needs `ViewMonitoring`, entering `RecordIndicator`; both only for a region
//!   inside the caller's own (404 outside, decided by `access::authorize`). A value that
//!   does not suit the indicator's unit is refused with 422 naming the field (`value` or
//!   `unit`), on the page as a message above the form; nothing is stored.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use askama::Template;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::access::{authorize, Decision, Permission};
use selaras_domain::indicators::{
    self as ind, Catalogue, Direction, Grade, Indicator, Level, Method, Opinion, Resolved, Unit,
    Value,
};
use selaras_domain::RegionScope;
use selaras_store::indicators::{IndicatorValue, IndicatorValueFilter, NewIndicatorValue};

use crate::api::ApiCaller;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::{self, Tr};
use crate::pages::{error_page, render, ts_label, user_bar, UserBar};
use crate::program_pages::csrf_refused;
use crate::views::RegionView;
use crate::AppState;

/// The API and the pages of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/indicators", get(list_indicators))
        .route("/api/v1/indicators/{code}", get(get_indicator))
        .route("/api/v1/indicators/{code}/values", post(record_value))
        .route("/indicators", get(page))
        .route("/indicators/values", post(page_value))
        .route("/indicators/{code}", get(indicator_page))
        .route("/exports/indicators/{file}", get(export))
}

// ---------------------------------------------------------------------------------------
// The catalogue in force.

static SHIPPED: LazyLock<Arc<Catalogue>> = LazyLock::new(|| Arc::new(Catalogue::shipped().clone()));

/// The catalogue in force: the newest stored version (its number), else the shipped file.
/// A stored version is parsed once per process.
pub async fn in_force(state: &AppState) -> ApiResult<(Option<i64>, Arc<Catalogue>)> {
    static PARSED: Mutex<Option<(i64, String, Arc<Catalogue>)>> = Mutex::new(None);
    let versions = state.store.indicator_catalogues().await?;
    let Some(v) = versions.last() else {
        return Ok((None, SHIPPED.clone()));
    };
    // A poisoned lock only means another thread panicked while holding the cache.
    let mut cache = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((n, digest, c)) = &*cache {
        if *n == v.version && *digest == v.digest {
            return Ok((Some(v.version), c.clone()));
        }
    }
    let c = Arc::new(Catalogue::from_json(&v.body).map_err(|e| {
        ApiError::Internal(format!("indicator catalogue version {}: {e}", v.version))
    })?);
    *cache = Some((v.version, v.digest.clone(), c.clone()));
    Ok((Some(v.version), c))
}

/// The stored version values are entered under: the one in force, storing the shipped
/// file first when none is stored yet.
async fn stored_version(state: &AppState, in_force: Option<i64>) -> ApiResult<i64> {
    if let Some(v) = in_force {
        return Ok(v);
    }
    let body = ind::RENSTRA_2015_2019;
    let v = state
        .store
        .put_indicator_catalogue(&selaras_store::indicators::NewIndicatorCatalogue {
            body: body.into(),
            digest: hex::encode(Sha256::digest(body.as_bytes())),
            note: "katalog bawaan (renstra-2015-2019.json)".into(),
            created_by: "system".into(),
        })
        .await?;
    Ok(v.version)
}

// ---------------------------------------------------------------------------------------
// Views.

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogueInfoView {
    pub id: String,
    pub title_id: String,
    pub title_en: String,
    pub source: String,
    /// The file's own version.
    pub file_version: i64,
    /// The stored catalogue version in force (`None`: the shipped file, none stored yet).
    pub stored_version: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionRefView {
    /// `national` or a region code.
    pub code: String,
    /// "Jawa Tengah › Kabupaten Sragen (33.14)", or "Nasional".
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlagView {
    /// `target_conflict`, `only_in_body`, `unit_label`, `wording`, `table_header`,
    /// `plan_overshoot`, `baseline_label` or `decimal_separator`.
    pub kind: String,
    pub label_id: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub year: i32,
    /// As printed in the source ("0,20", "2.61", "7,00–8,00", "WTP").
    pub value: String,
    /// Plain decimal with a dot, a band `low–high`, or the code.
    pub canonical: String,
    /// The number, for a single number.
    pub numeric: Option<f64>,
    /// The Indonesian way: `70,00 %`, `15.600.000 jiwa`.
    pub display: String,
    pub unit: String,
    /// Where it is printed ("Tabel 9", "Lampiran B").
    pub source_ref: String,
    pub printed: Option<String>,
    pub authoritative: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActualView {
    /// Plain decimal with a dot, or the code.
    pub value: String,
    pub numeric: Option<f64>,
    pub display: String,
    pub unit: String,
    /// `computed` (by the system from its own data, on reading), `manual` (entered by
    /// hand; the newest counts) or `published` (the realisation printed in the source).
    pub source: String,
    /// `national` or a region code.
    pub region: String,
    pub entered_by: Option<String>,
    pub entered_at: Option<String>,
    pub note: Option<String>,
    /// For a published realisation: where it is printed, and the period.
    pub source_ref: Option<String>,
    /// For a computed value: what it was computed from.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearView {
    pub year: i32,
    /// Every printing of the year's target.
    pub targets: Vec<TargetView>,
    /// The target that counts: the one all sources agree on, or the one marked
    /// authoritative; `None` without a target or while the sources differ.
    pub target: Option<TargetView>,
    /// The sources print different targets for the year.
    pub conflict: bool,
    pub actual: Option<ActualView>,
    /// `met`, `not_met`, `no_actual`, `no_target`, `conflict`, or `not_comparable` (a
    /// national count target against a region's value, or values of different kinds).
    pub status: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    pub code: String,
    /// `strategic`, `program`, `activity` or `context`.
    pub level: String,
    pub parent: Option<String>,
    pub programme: Option<String>,
    pub name_id: String,
    pub name_en: String,
    /// `percent`, `persons`, `families`, `locations`, `units`, `score`, `level`,
    /// `grade`, `opinion` or `index`.
    pub unit: String,
    /// `higher` or `lower` (is better).
    pub direction: String,
    /// The system computes the actual value; it is not entered by hand.
    pub computed: bool,
    pub flags: Vec<FlagView>,
    pub years: Vec<YearView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorListView {
    pub catalogue: CatalogueInfoView,
    pub region: RegionRefView,
    pub year: Option<i32>,
    pub level: Option<String>,
    pub indicators: Vec<IndicatorView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FigureView {
    pub year: i32,
    pub value: String,
    pub display: String,
    pub source_ref: String,
    pub printed: Option<String>,
    pub period: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionActualView {
    pub region: RegionRefView,
    pub year: i32,
    pub actual: ActualView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorValueView {
    pub id: i64,
    pub code: String,
    pub year: i64,
    pub region: String,
    /// Plain decimal with a dot, or the code.
    pub value: String,
    pub numeric: Option<f64>,
    pub display: String,
    pub unit: String,
    /// `manual`.
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
    pub note: String,
    pub catalogue_version: Option<i64>,
    /// The newest value of its indicator, year and region: the one that counts.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorDetailView {
    pub catalogue: CatalogueInfoView,
    pub region: RegionRefView,
    pub indicator: IndicatorView,
    pub strategic_target: Option<String>,
    pub responsible_unit: Option<String>,
    /// From the ministry's key-performance-indicator manual; empty until known.
    pub formula: Option<String>,
    /// How the system computes it (computed indicators).
    pub definition_id: Option<String>,
    pub definition_en: Option<String>,
    pub baseline: Option<FigureView>,
    pub realisations: Vec<FigureView>,
    pub notes: Option<String>,
    /// The actual values of the regions inside the one asked for (computed: per child
    /// region; entered: every region below that has one), by year.
    pub by_region: Vec<RegionActualView>,
    /// Every value entered for the region and those inside it, corrections included,
    /// newest first.
    pub values: Vec<IndicatorValueView>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IndicatorValueRequest {
    /// The year the value is for (2000 up to this year).
    pub year: i32,
    /// `national` or a region code inside the caller's region (default: the caller's
    /// region).
    pub region: Option<String>,
    /// The value as text or number: `12,5` or `12.5` (percent), `15.600.000` (a count),
    /// `WTP`, `A`.
    #[schema(value_type = String)]
    pub value: serde_json::Value,
    /// The unit the value is given in; refused (422, `unit`) when it is not the
    /// indicator's (`percent`, `%`, `persons`, `jiwa`, …).
    pub unit: Option<String>,
    /// Where the figure comes from, or why it corrects an earlier one (up to 500
    /// characters).
    pub note: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// `strategic`, `program`, `activity` or `context`.
    pub level: Option<String>,
    /// Only this year.
    pub year: Option<String>,
    /// `national` or a region code inside the caller's region (default: the caller's).
    pub region: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorRegionQuery {
    /// `national` or a region code inside the caller's region (default: the caller's).
    pub region: Option<String>,
    /// Only this year.
    pub year: Option<String>,
}

fn catalogue_info(v: Option<i64>, c: &Catalogue) -> CatalogueInfoView {
    CatalogueInfoView {
        id: c.id.clone(),
        title_id: c.title_id.clone(),
        title_en: c.title_en.clone(),
        source: c.source.clone(),
        file_version: c.version,
        stored_version: v,
    }
}

fn region_ref(state: &AppState, r: &RegionScope) -> RegionRefView {
    match r {
        RegionScope::National => RegionRefView {
            code: "national".into(),
            label: "Nasional".into(),
        },
        RegionScope::Region(c) => RegionRefView {
            code: c.to_string(),
            label: RegionView::new(state.regions, c).label(),
        },
    }
}

/// A region's label on a page: the nation in the page's language.
fn region_text(r: &RegionRefView) -> String {
    if r.code == "national" {
        i18n::text("base-national")
    } else {
        r.label.clone()
    }
}

fn region_label_of(state: &AppState, code: &str) -> RegionRefView {
    match RegionScope::parse(code) {
        Ok(r) => region_ref(state, &r),
        Err(_) => RegionRefView {
            code: code.into(),
            label: code.into(),
        },
    }
}

fn target_view(t: &ind::Target) -> TargetView {
    TargetView {
        year: t.year,
        value: t.text.clone(),
        canonical: t.value.canonical(),
        numeric: t.value.numeric(),
        display: t.value.display_id(t.unit),
        unit: t.unit.code().into(),
        source_ref: t.source_ref.clone(),
        printed: t.printed.clone(),
        authoritative: t.authoritative,
        note: t.note.clone(),
    }
}

fn figure_view(f: &ind::Figure, unit: Unit) -> FigureView {
    FigureView {
        year: f.year,
        value: f.text.clone(),
        display: f.value.display_id(unit),
        source_ref: f.source_ref.clone(),
        printed: f.printed.clone(),
        period: f.period.clone(),
    }
}

/// A stored value as a domain value (numbers keep the decimals they were entered with).
fn stored_value(v: &IndicatorValue) -> Option<(Value, Unit)> {
    let unit = Unit::parse(&v.unit)?;
    let value = match unit {
        Unit::Opinion => Value::Opinion(Opinion::parse(&v.value_text)?),
        Unit::Grade => Value::Grade(Grade::parse(&v.value_text)?),
        _ => {
            let decimals = v
                .value_text
                .split_once('.')
                .map_or(0, |(_, f)| f.len().min(6) as u8);
            Value::Number(ind::Number {
                value: v.value_num?,
                decimals,
            })
        }
    };
    Some((value, unit))
}

fn value_view(v: &IndicatorValue, current: bool) -> IndicatorValueView {
    IndicatorValueView {
        id: v.id,
        code: v.code.clone(),
        year: v.year,
        region: v.region.clone(),
        value: v.value_text.clone(),
        numeric: v.value_num,
        display: stored_value(v).map_or_else(|| v.value_text.clone(), |(x, u)| x.display_id(u)),
        unit: v.unit.clone(),
        source: v.source.clone(),
        entered_by: v.entered_by.clone(),
        entered_at: v.entered_at.clone(),
        note: v.note.clone(),
        catalogue_version: v.catalogue_version,
        current,
    }
}

/// An actual value with the domain value it holds (for the status).
struct Actual {
    value: Value,
    unit: Unit,
    view: ActualView,
}

fn manual_actual(v: &IndicatorValue) -> Option<Actual> {
    let (value, unit) = stored_value(v)?;
    Some(Actual {
        view: ActualView {
            value: v.value_text.clone(),
            numeric: v.value_num,
            display: value.display_id(unit),
            unit: v.unit.clone(),
            source: "manual".into(),
            region: v.region.clone(),
            entered_by: Some(v.entered_by.clone()),
            entered_at: Some(v.entered_at.clone()),
            note: Some(v.note.clone()).filter(|n| !n.is_empty()),
            source_ref: None,
            detail: None,
        },
        value,
        unit,
    })
}

fn published_actual(i: &Indicator, f: &ind::Figure) -> Actual {
    Actual {
        view: ActualView {
            value: f.value.canonical(),
            numeric: f.value.numeric(),
            display: f.value.display_id(i.unit),
            unit: i.unit.code().into(),
            source: "published".into(),
            region: "national".into(),
            entered_by: None,
            entered_at: None,
            note: f.period.clone(),
            source_ref: Some(f.source_ref.clone()),
            detail: None,
        },
        value: f.value.clone(),
        unit: i.unit,
    }
}

/// The computed SLRT figures of one region group, by year.
#[derive(Default)]
struct Computed {
    /// Families referred and served.
    served: BTreeMap<i32, i64>,
    /// Cases closed, and closed on time.
    closed: BTreeMap<i32, (i64, i64)>,
    feedback_days: u32,
}

impl Computed {
    fn years(&self, m: Method) -> Vec<i32> {
        match m {
            Method::FamiliesReferredServed => self.served.keys().copied().collect(),
            Method::CasesClosedOnTime => self.closed.keys().copied().collect(),
        }
    }

    fn actual(&self, m: Method, year: i32, region: &str) -> Option<Actual> {
        let (value, unit, detail) = match m {
            Method::FamiliesReferredServed => {
                let n = *self.served.get(&year)?;
                (
                    ind::Number {
                        value: n as f64,
                        decimals: 0,
                    },
                    Unit::Families,
                    format!("dihitung dari kasus SLRT: {n} keluarga dirujuk lalu diselesaikan atau ditutup"),
                )
            }
            Method::CasesClosedOnTime => {
                let (closed, on_time) = *self.closed.get(&year)?;
                (
                    ind::Number {
                        value: on_time as f64 * 100.0 / closed as f64,
                        decimals: 1,
                    },
                    Unit::Percent,
                    format!(
                        "dihitung dari kasus SLRT: {on_time} dari {closed} kasus ditutup paling lambat {} hari setelah diselesaikan atau ditolak",
                        self.feedback_days
                    ),
                )
            }
        };
        let value = Value::Number(value);
        Some(Actual {
            view: ActualView {
                value: value.canonical(),
                numeric: value.numeric(),
                display: value.display_id(unit),
                unit: unit.code().into(),
                source: "computed".into(),
                region: region.into(),
                entered_by: None,
                entered_at: None,
                note: None,
                source_ref: None,
                detail: Some(detail),
            },
            value,
            unit,
        })
    }
}

/// The computed figures under `prefix`, grouped by the first `group_len` characters of
/// the village codes (`prefix.len()`: the region as a whole).
async fn computed_groups(
    state: &AppState,
    prefix: &str,
    group_len: usize,
) -> ApiResult<BTreeMap<String, Computed>> {
    let feedback_days = crate::casework::settings(state)
        .await?
        .service_levels
        .feedback_days;
    let mut out: BTreeMap<String, Computed> = BTreeMap::new();
    for r in state
        .store
        .slrt_referred_served(prefix, group_len as i64)
        .await?
    {
        out.entry(r.region)
            .or_default()
            .served
            .insert(r.year as i32, r.count);
    }
    for r in state
        .store
        .slrt_closed_on_time(prefix, group_len as i64, i64::from(feedback_days))
        .await?
    {
        out.entry(r.region)
            .or_default()
            .closed
            .insert(r.year as i32, (r.closed, r.on_time));
    }
    for c in out.values_mut() {
        c.feedback_days = feedback_days;
    }
    Ok(out)
}

fn status(
    i: &Indicator,
    national: bool,
    target: Resolved<'_>,
    actual: Option<&Actual>,
) -> &'static str {
    match target {
        Resolved::Conflict => "conflict",
        Resolved::None => "no_target",
        Resolved::One(t) => match actual {
            None => "no_actual",
            Some(a) if a.unit != t.unit || (t.unit.is_count() && !national) => "not_comparable",
            Some(a) => match ind::met(i.direction, &t.value, &a.value) {
                Some(true) => "met",
                Some(false) => "not_met",
                None => "not_comparable",
            },
        },
    }
}

fn flag_views(i: &Indicator) -> Vec<FlagView> {
    i.flags
        .iter()
        .map(|f| FlagView {
            kind: f.kind.code().into(),
            label_id: f.kind.label_id().into(),
            note: f.note.clone(),
        })
        .collect()
}

/// What the actual values of one region are made of.
struct Actuals<'a> {
    region: &'a RegionScope,
    /// The newest entered value per (indicator, year).
    manual: HashMap<(String, i32), IndicatorValue>,
    computed: Computed,
}

impl Actuals<'_> {
    fn national(&self) -> bool {
        *self.region == RegionScope::National
    }

    fn region_code(&self) -> String {
        self.region.to_string()
    }

    fn years(&self, i: &Indicator) -> BTreeSet<i32> {
        let mut years: BTreeSet<i32> = i.target_years().into_iter().collect();
        match &i.computed {
            Some(c) => years.extend(self.computed.years(c.method)),
            None => {
                years.extend(
                    self.manual
                        .keys()
                        .filter(|(code, _)| *code == i.code)
                        .map(|(_, y)| *y),
                );
                if self.national() {
                    years.extend(i.realisations.iter().map(|r| r.year));
                }
            }
        }
        years
    }

    fn actual(&self, i: &Indicator, year: i32) -> Option<Actual> {
        if let Some(c) = &i.computed {
            return self.computed.actual(c.method, year, &self.region_code());
        }
        if let Some(v) = self.manual.get(&(i.code.clone(), year)) {
            return manual_actual(v);
        }
        if self.national() {
            return i.realisation(year).map(|f| published_actual(i, f));
        }
        None
    }

    fn view(&self, i: &Indicator, only_year: Option<i32>) -> IndicatorView {
        let years: Vec<i32> = match only_year {
            Some(y) => vec![y],
            None => self.years(i).into_iter().collect(),
        };
        let years = years
            .into_iter()
            .map(|y| {
                let resolved = i.target(y);
                let actual = self.actual(i, y);
                YearView {
                    year: y,
                    targets: i.targets_of(y).into_iter().map(target_view).collect(),
                    target: match resolved {
                        Resolved::One(t) => Some(target_view(t)),
                        _ => None,
                    },
                    conflict: i.conflicting(y),
                    status: status(i, self.national(), resolved, actual.as_ref()).into(),
                    actual: actual.map(|a| a.view),
                }
            })
            .collect();
        IndicatorView {
            code: i.code.clone(),
            level: i.level.code().into(),
            parent: i.parent.clone(),
            programme: i.programme.clone(),
            name_id: i.name_id.clone(),
            name_en: i.name_en.clone(),
            unit: i.unit.code().into(),
            direction: i.direction.code().into(),
            computed: i.computed.is_some(),
            flags: flag_views(i),
            years,
        }
    }
}

/// The actual values of `region` (optionally of one year and indicator).
async fn actuals<'a>(
    state: &AppState,
    region: &'a RegionScope,
    year: Option<i32>,
    code: Option<&str>,
    with_computed: bool,
) -> ApiResult<Actuals<'a>> {
    let manual = state
        .store
        .indicator_values(&IndicatorValueFilter {
            code: code.map(String::from),
            year: year.map(i64::from),
            region: Some(region.to_string()),
            region_prefix: String::new(),
            newest_only: true,
        })
        .await?
        .into_iter()
        .map(|v| ((v.code.clone(), v.year as i32), v))
        .collect();
    let prefix = region.prefix();
    let computed = if with_computed {
        computed_groups(state, prefix, prefix.len())
            .await?
            .remove(prefix)
            .unwrap_or_default()
    } else {
        Computed::default()
    };
    Ok(Actuals {
        region,
        manual,
        computed,
    })
}

// ---------------------------------------------------------------------------------------
// Parameters.

use crate::error::invalid;

fn year_param(y: Option<&str>) -> ApiResult<Option<i32>> {
    match y.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .map(Some)
            .ok_or_else(|| invalid("year", format!("{s:?} is not a year from 2000 to 2100"))),
    }
}

fn level_param(l: Option<&str>) -> ApiResult<Option<Level>> {
    match l.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Level::parse(s).map(Some).ok_or_else(|| {
            invalid(
                "level",
                format!("{s:?}: expected strategic, program, activity or context"),
            )
        }),
    }
}

fn this_year() -> i32 {
    selaras_store::today_utc().to_string()[..4]
        .parse()
        .unwrap_or(2100)
}

// ---------------------------------------------------------------------------------------
// What the API and the pages share.

async fn list_of(state: &AppState, c: &Caller, q: &IndicatorQuery) -> ApiResult<IndicatorListView> {
    let level = level_param(q.level.as_deref())?;
    let year = year_param(q.year.as_deref())?;
    let region =
        crate::views::region_param(state, c, q.region.as_deref(), Permission::ViewMonitoring)?;
    let (version, cat) = in_force(state).await?;
    let chosen: Vec<&Indicator> = cat
        .indicators
        .iter()
        .filter(|i| level.is_none_or(|l| i.level == l))
        .collect();
    let with_computed = chosen.iter().any(|i| i.computed.is_some());
    let a = actuals(state, &region, year, None, with_computed).await?;
    Ok(IndicatorListView {
        catalogue: catalogue_info(version, &cat),
        region: region_ref(state, &region),
        year,
        level: level.map(|l| l.code().into()),
        indicators: chosen.into_iter().map(|i| a.view(i, year)).collect(),
    })
}

/// The level of a region's children as a code length (`None`: a village).
fn child_len(region: &RegionScope) -> Option<usize> {
    match region.prefix().len() {
        0 => Some(2),
        2 => Some(5),
        5 => Some(8),
        8 => Some(13),
        _ => None,
    }
}

async fn detail_of(
    state: &AppState,
    c: &Caller,
    code: &str,
    q: &IndicatorRegionQuery,
) -> ApiResult<IndicatorDetailView> {
    let region =
        crate::views::region_param(state, c, q.region.as_deref(), Permission::ViewMonitoring)?;
    let year = year_param(q.year.as_deref())?;
    let (version, cat) = in_force(state).await?;
    let i = cat.indicator(code).ok_or(ApiError::NotFound)?;
    let a = actuals(state, &region, year, Some(code), i.computed.is_some()).await?;
    let prefix = region.prefix();
    let mut by_region = Vec::new();
    let mut values = Vec::new();
    match &i.computed {
        Some(m) => {
            if let Some(len) = child_len(&region) {
                for (group, figures) in computed_groups(state, prefix, len).await? {
                    let mut ys = figures.years(m.method);
                    ys.retain(|y| year.is_none_or(|only| only == *y));
                    for y in ys {
                        if let Some(actual) = figures.actual(m.method, y, &group) {
                            by_region.push(RegionActualView {
                                region: region_label_of(state, &group),
                                year: y,
                                actual: actual.view,
                            });
                        }
                    }
                }
            }
        }
        None => {
            let all = state
                .store
                .indicator_values(&IndicatorValueFilter {
                    code: Some(code.into()),
                    year: year.map(i64::from),
                    region: None,
                    region_prefix: prefix.into(),
                    newest_only: false,
                })
                .await?;
            let mut seen = BTreeSet::new();
            for v in &all {
                // Newest first within each (year, region): the first seen counts.
                let current = seen.insert((v.year, v.region.clone()));
                if current && v.region != region.to_string() {
                    if let Some(actual) = manual_actual(v) {
                        by_region.push(RegionActualView {
                            region: region_label_of(state, &v.region),
                            year: v.year as i32,
                            actual: actual.view,
                        });
                    }
                }
                values.push(value_view(v, current));
            }
            values.sort_by_key(|v| std::cmp::Reverse(v.id));
            values.truncate(500);
        }
    }
    by_region.sort_by(|a, b| (a.year, &a.region.code).cmp(&(b.year, &b.region.code)));
    Ok(IndicatorDetailView {
        catalogue: catalogue_info(version, &cat),
        region: region_ref(state, &region),
        indicator: a.view(i, year),
        strategic_target: i.strategic_target.clone(),
        responsible_unit: i.responsible_unit.clone(),
        formula: i.formula.clone(),
        definition_id: i.computed.as_ref().map(|m| m.definition_id.clone()),
        definition_en: i.computed.as_ref().map(|m| m.definition_en.clone()),
        baseline: i.baseline.as_ref().map(|b| figure_view(b, i.unit)),
        realisations: i
            .realisations
            .iter()
            .map(|r| figure_view(r, i.unit))
            .collect(),
        notes: i.notes.clone(),
        by_region,
        values,
    })
}

/// A value as asked for, before checking.
struct ValueInput<'a> {
    year: Option<i32>,
    region: Option<&'a str>,
    value: String,
    unit: Option<&'a str>,
    note: &'a str,
}

/// Checks and stores a hand-entered value: the region inside the caller's (404), the
/// indicator not computed (409), the year, the value for the indicator's unit, the note
/// (422 naming the field). Nothing is stored when anything fails.
async fn enter_value(
    state: &AppState,
    c: &Caller,
    code: &str,
    input: ValueInput<'_>,
) -> ApiResult<IndicatorValue> {
    let (version, cat) = in_force(state).await?;
    let i = cat.indicator(code).ok_or(ApiError::NotFound)?;
    if authorize(&c.principal, Permission::RecordIndicator, None) == Decision::Forbidden {
        return Err(ApiError::Forbidden);
    }
    let region = crate::views::region_param(state, c, input.region, Permission::RecordIndicator)?;
    if let Some(m) = &i.computed {
        return Err(ApiError::Conflict(format!(
            "{code} is computed by the system from the SLRT cases ({}); it is not entered by hand",
            m.method.label_en()
        )));
    }
    let now = this_year();
    let year = input
        .year
        .filter(|y| (2000..=now).contains(y))
        .ok_or_else(|| invalid("year", format!("give a year from 2000 to {now}")))?;
    let value = i
        .check_value(&input.value, input.unit)
        .map_err(|e| invalid(e.field, e.reason))?;
    let note = input.note.trim();
    if note.chars().count() > 500 {
        return Err(invalid("note", "at most 500 characters"));
    }
    let catalogue_version = stored_version(state, version).await?;
    Ok(state
        .store
        .record_indicator_value(&NewIndicatorValue {
            code: i.code.clone(),
            year: i64::from(year),
            region: region.to_string(),
            value_text: value.canonical(),
            value_num: value.numeric(),
            unit: i.unit.code().into(),
            source: "manual".into(),
            entered_by: c.principal.username.clone(),
            note: note.into(),
            catalogue_version: Some(catalogue_version),
        })
        .await?)
}

// ---------------------------------------------------------------------------------------
// API.

/// Every indicator of the catalogue in force with, per year, its targets (each with
/// where it is printed), the target that counts, the actual value of the region
/// (computed, entered by hand or published) and whether the target is met. `region`
/// defaults to the caller's; a region outside it is 404.
#[utoipa::path(get, path = "/api/v1/indicators", params(IndicatorQuery),
    security(("bearer" = [])),
    responses((status = 200, body = IndicatorListView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_indicators(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    query: Result<Query<IndicatorQuery>, QueryRejection>,
) -> ApiResult<Json<IndicatorListView>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(list_of(&state, &caller, &q).await?))
}

/// One indicator: what it is, its flags, targets and baseline, target against actual
/// per year for the region, the actual values of the regions inside it, and every value
/// entered (corrections included). 404 for an unknown code or a region outside the
/// caller's.
#[utoipa::path(get, path = "/api/v1/indicators/{code}", params(("code" = String, Path, description = "indicator code, e.g. ikk.pkh.kesehatan"), IndicatorRegionQuery),
    security(("bearer" = [])),
    responses((status = 200, body = IndicatorDetailView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_indicator(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(code): Path<String>,
    query: Result<Query<IndicatorRegionQuery>, QueryRejection>,
) -> ApiResult<Json<IndicatorDetailView>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(detail_of(&state, &caller, &code, &q).await?))
}

/// Enters an actual value by hand (administrators, managers, data managers) for a year
/// and a region inside the caller's. Appended: a correction is a newer value, the newest
/// counts. 422 names the field: a value outside the unit's range (percent and score
/// 0–100, counts whole and ≥ 0, level 1–5, index 0–1, an opinion WTP/WDP/TW/TMP, a grade
/// AA/A/BB/B/CC/C/D), a unit that is not the indicator's, a bad year or note. 409 for a
/// computed indicator; 404 outside the caller's region.
#[utoipa::path(post, path = "/api/v1/indicators/{code}/values", params(("code" = String, Path, description = "indicator code, e.g. ikk.pkh.kesehatan")),
    request_body = IndicatorValueRequest,
    security(("bearer" = [])),
    responses((status = 201, body = IndicatorValueView), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_value(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(code): Path<String>,
    body: Result<Json<IndicatorValueRequest>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IndicatorValueView>)> {
    // The indicator and the role first, so that a malformed body does not tell a role
    // that may not enter values more than 403.
    let (_, cat) = in_force(&state).await?;
    if cat.indicator(&code).is_none() {
        return Err(ApiError::NotFound);
    }
    if authorize(&caller.principal, Permission::RecordIndicator, None) == Decision::Forbidden {
        return Err(ApiError::Forbidden);
    }
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let value = match &req.value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err(invalid("value", "give the value as a text or a number")),
    };
    let v = enter_value(
        &state,
        &caller,
        &code,
        ValueInput {
            year: Some(req.year),
            region: req.region.as_deref(),
            value,
            unit: req.unit.as_deref(),
            note: req.note.as_deref().unwrap_or(""),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(value_view(&v, true))))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_indicators, get_indicator, record_value),
    components(schemas(
        IndicatorListView,
        IndicatorDetailView,
        IndicatorView,
        YearView,
        TargetView,
        ActualView,
        FlagView,
        FigureView,
        RegionActualView,
        RegionRefView,
        CatalogueInfoView,
        IndicatorValueView,
        IndicatorValueRequest
    ))
)]
pub struct IndicatorDoc;

// ---------------------------------------------------------------------------------------
// Pages.

/// A small bullet chart: the actual value as a bar, the target as a tick (a band for a
/// range), on the unit's scale. Server-rendered SVG with presentation attributes only
/// (the pages' CSP allows no inline styles).
pub fn bullet_svg(
    unit: Unit,
    direction: Direction,
    target: Option<&Value>,
    actual: Option<&Value>,
    status: &str,
) -> String {
    // The bar's length; the scale's end is written after it.
    const W: f64 = 150.0;
    let ordinal = |v: &Value| -> Option<f64> {
        match v {
            Value::Opinion(o) => Opinion::ALL
                .iter()
                .position(|x| x == o)
                .map(|p| p as f64 + 1.0),
            Value::Grade(g) => Grade::ALL
                .iter()
                .position(|x| x == g)
                .map(|p| p as f64 + 1.0),
            _ => None,
        }
    };
    let high = |v: &Value| match v {
        Value::Number(n) => n.value,
        Value::Range(_, b) => b.value,
        other => ordinal(other).unwrap_or(0.0),
    };
    let peak = target
        .map(high)
        .into_iter()
        .chain(actual.map(high))
        .fold(0.0_f64, f64::max);
    // A round scale end a little above the larger of target and actual (1, 2, 5, 10, …),
    // so that 0,20 % is not a hair on a scale of 100.
    let nice = |cap: f64| {
        let want = peak * 1.05;
        let mut decade = 1.0_f64;
        loop {
            for m in [1.0, 2.0, 5.0] {
                let end = m * decade;
                if end >= want || end >= cap {
                    return end.min(cap);
                }
            }
            decade *= 10.0;
        }
    };
    let max = match unit {
        Unit::Percent | Unit::Score => nice(100.0),
        Unit::Index => 1.0,
        Unit::Level => 5.0,
        Unit::Opinion => Opinion::ALL.len() as f64,
        Unit::Grade => Grade::ALL.len() as f64,
        _ => nice(f64::MAX),
    };
    let scale = match unit {
        Unit::Percent => format!("{} %", ind::format_number_id(max, 0)),
        Unit::Opinion | Unit::Grade => String::new(),
        Unit::Index => "1".into(),
        _ => ind::format_number_id(max, 0),
    };
    let x = |v: f64| {
        if max > 0.0 {
            (v / max * W).clamp(0.0, W)
        } else {
            0.0
        }
    };
    let colour = match status {
        "met" => "#1a7f37",
        "not_met" => "#b35900",
        _ => "#4a5560",
    };
    let describe = |v: Option<&Value>| v.map_or("–".to_string(), |v| v.display_id(unit));
    let title = format!(
        "{} {}, {} {} ({}; {} 0–{})",
        i18n::pick("Target", "Target"),
        describe(target),
        i18n::pick("capaian", "actual"),
        describe(actual),
        i18n::pick(direction.label_id(), direction.label_en()),
        i18n::pick("skala", "scale"),
        if scale.is_empty() {
            "AA/WTP".to_string()
        } else {
            scale.clone()
        }
    );
    let width = W + 8.0 + 7.0 * scale.chars().count() as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"20\" viewBox=\"0 0 {width} 20\" role=\"img\" aria-label=\"{t}\"><title>{t}</title><rect x=\"0\" y=\"4\" width=\"{W}\" height=\"12\" fill=\"#e6e9ec\"/>",
        t = askama_escape(&title)
    );
    if !scale.is_empty() {
        s.push_str(&format!(
            "<text x=\"{:.0}\" y=\"14\" font-size=\"10\" fill=\"#4a5560\">{}</text>",
            W + 4.0,
            askama_escape(&scale)
        ));
    }
    if let Some(Value::Range(a, b)) = target {
        s.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"4\" width=\"{:.1}\" height=\"12\" fill=\"#c4ccd3\"/>",
            x(a.value),
            (x(b.value) - x(a.value)).max(1.0)
        ));
    }
    if let Some(a) = actual {
        let v = match a {
            Value::Number(n) => Some(n.value),
            other => ordinal(other),
        };
        if let Some(v) = v {
            s.push_str(&format!(
                "<rect x=\"0\" y=\"7\" width=\"{:.1}\" height=\"6\" fill=\"{colour}\"/>",
                x(v)
            ));
        }
    }
    let tick = match target {
        Some(Value::Number(n)) => Some(n.value),
        Some(Value::Range(..)) | None => None,
        Some(other) => ordinal(other),
    };
    if let Some(t) = tick {
        let tx = x(t).clamp(1.0, W - 1.0);
        s.push_str(&format!(
            "<line x1=\"{tx:.1}\" y1=\"1\" x2=\"{tx:.1}\" y2=\"19\" stroke=\"#1b1f24\" stroke-width=\"2\"/>"
        ));
    }
    s.push_str("</svg>");
    s
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn status_label(s: &str) -> String {
    i18n::text(match s {
        "met" => "ind-status-met",
        "not_met" => "ind-status-not-met",
        "no_actual" => "ind-status-no-actual",
        "no_target" => "ind-status-no-target",
        "conflict" => "ind-status-conflict",
        _ => "ind-status-national",
    })
}

/// A source flag's label in the page's language.
fn flag_label(f: &FlagView) -> String {
    selaras_domain::indicators::FlagKind::parse(&f.kind).map_or_else(
        || f.label_id.clone(),
        |k| i18n::pick(k.label_id(), k.label_en()).to_string(),
    )
}

fn source_label(a: &ActualView) -> String {
    match a.source.as_str() {
        "computed" => i18n::text("ind-computed"),
        "published" => format!(
            "{}: {}{}",
            i18n::text("ind-source-published"),
            a.source_ref.as_deref().unwrap_or(""),
            a.note
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default()
        ),
        _ => format!(
            "{} {} {}",
            i18n::text("ind-source-entered"),
            a.entered_by.as_deref().unwrap_or(""),
            a.entered_at.as_deref().map(ts_label).unwrap_or_default()
        ),
    }
}

/// The targets of a year as one line per distinct value: "70,00 % (Tabel 13, Lampiran B)".
fn targets_lines(y: &YearView) -> Vec<String> {
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    for t in &y.targets {
        let mut refs = t.source_ref.clone();
        if let Some(n) = &t.note {
            refs.push_str(&format!(" — {n}"));
        }
        if t.authoritative {
            refs.push_str(" ✔");
        }
        match lines.iter_mut().find(|(d, _)| *d == t.display) {
            Some((_, r)) => r.push(refs),
            None => lines.push((t.display.clone(), vec![refs])),
        }
    }
    lines
        .into_iter()
        .map(|(d, r)| format!("{d} ({})", r.join(", ")))
        .collect()
}

/// The value an actual view shows (numbers with the decimals they were given with).
fn actual_value(a: &ActualView) -> Option<Value> {
    match Unit::parse(&a.unit)? {
        Unit::Opinion => Opinion::parse(&a.value).map(Value::Opinion),
        Unit::Grade => Grade::parse(&a.value).map(Value::Grade),
        _ => a.numeric.map(|n| {
            Value::Number(ind::Number {
                value: n,
                decimals: a
                    .value
                    .split_once('.')
                    .map_or(0, |(_, f)| f.len().min(6) as u8),
            })
        }),
    }
}

struct Row {
    code: String,
    first: bool,
    name: String,
    flags: Vec<FlagView>,
    computed: bool,
    year: i32,
    targets: Vec<String>,
    conflict: bool,
    actual: String,
    actual_source: String,
    svg: String,
    status: String,
}

struct Group {
    code: String,
    label_id: String,
    label_en: String,
    rows: Vec<Row>,
}

fn rows_of(cat: &Catalogue, v: &IndicatorView) -> Vec<Row> {
    let Some(i) = cat.indicator(&v.code) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let years: Vec<&YearView> = v.years.iter().collect();
    let empty = YearView {
        year: 0,
        targets: Vec::new(),
        target: None,
        conflict: false,
        actual: None,
        status: "no_target".into(),
    };
    let years = if years.is_empty() {
        vec![&empty]
    } else {
        years
    };
    for (k, y) in years.into_iter().enumerate() {
        let target = match i.target(y.year) {
            Resolved::One(t) => Some(&t.value),
            _ => None,
        };
        let actual_value = y.actual.as_ref().and_then(actual_value);
        out.push(Row {
            code: v.code.clone(),
            first: k == 0,
            name: i18n::pick(&v.name_id, &v.name_en).to_string(),
            flags: if k == 0 { v.flags.clone() } else { Vec::new() },
            computed: v.computed,
            year: y.year,
            targets: targets_lines(y),
            conflict: y.conflict,
            actual: y.actual.as_ref().map_or("–".into(), |a| a.display.clone()),
            actual_source: y.actual.as_ref().map(source_label).unwrap_or_default(),
            svg: if y.year == 0 {
                String::new()
            } else {
                bullet_svg(
                    i.unit,
                    i.direction,
                    target,
                    actual_value.as_ref(),
                    &y.status,
                )
            },
            status: status_label(&y.status),
        });
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    level: Option<String>,
    year: Option<String>,
    region: Option<String>,
    saved: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ValueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    note: String,
    /// The list's filters, kept across the post.
    #[serde(default)]
    level: String,
}

struct Choice {
    code: String,
    label: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    title: String,
    catalogue_note: String,
    region: String,
    region_label: String,
    year: String,
    level: String,
    levels: Vec<(String, String)>,
    notice: Option<String>,
    saved: Option<String>,
    groups: Vec<Group>,
    can_enter: bool,
    enterable: Vec<Choice>,
    units: Vec<(String, String)>,
    form: ValueForm,
    error: Option<String>,
}

impl IndicatorsPage {
    fn flag(&self, f: &FlagView) -> String {
        flag_label(f)
    }
}

fn may_enter(c: &Caller) -> bool {
    authorize(&c.principal, Permission::RecordIndicator, None) == Decision::Allow
}

/// The list page for `q`; a bad filter or a region outside the caller's shows the
/// caller's own region with a message (not an error page).
async fn list_page(
    state: &AppState,
    c: &Caller,
    q: PageQuery,
    form: Option<ValueForm>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    if authorize(&c.principal, Permission::ViewMonitoring, None) != Decision::Allow {
        return error_page(state, Some(c), ApiError::Forbidden);
    }
    let mut query = IndicatorQuery {
        level: q.level.clone(),
        year: q.year.clone(),
        region: q.region.clone(),
    };
    let mut notice = None;
    let mut status = status;
    let list = match list_of(state, c, &query).await {
        Ok(l) => l,
        Err(e @ (ApiError::NotFound | ApiError::Invalid { .. } | ApiError::Forbidden)) => {
            notice = Some(match &e {
                ApiError::NotFound => Tr::current().arg(
                    "ind-out-of-region",
                    "code",
                    q.region.as_deref().unwrap_or(""),
                ),
                ApiError::Invalid { field, detail } => {
                    Tr::current().args("ind-bad-filter", &[("field", field), ("detail", detail)])
                }
                _ => e.message(),
            });
            if status == StatusCode::OK {
                status = e.status();
            }
            query = IndicatorQuery::default();
            match list_of(state, c, &query).await {
                Ok(l) => l,
                Err(e) => return error_page(state, Some(c), e),
            }
        }
        Err(e) => return error_page(state, Some(c), e),
    };
    let Ok((_, cat)) = in_force(state).await else {
        return error_page(state, Some(c), ApiError::Internal("catalogue".into()));
    };
    let mut groups: Vec<Group> = Level::ALL
        .iter()
        .map(|l| Group {
            code: l.code().into(),
            label_id: l.label_id().into(),
            label_en: l.label_en().into(),
            rows: Vec::new(),
        })
        .collect();
    for v in &list.indicators {
        if let Some(g) = groups.iter_mut().find(|g| g.code == v.level) {
            g.rows.extend(rows_of(&cat, v));
        }
    }
    groups.retain(|g| !g.rows.is_empty());
    let form = form.unwrap_or_else(|| ValueForm {
        region: list.region.code.clone(),
        year: list.year.unwrap_or_else(this_year).to_string(),
        ..ValueForm::default()
    });
    let page = IndicatorsPage {
        user: Some(user_bar(state, c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        title: i18n::pick(&list.catalogue.title_id, &list.catalogue.title_en).to_string(),
        catalogue_note: match list.catalogue.stored_version {
            Some(v) => Tr::current().arg("ind-stored-version", "n", v),
            None => i18n::text("ind-default-catalogue"),
        },
        region: list.region.code.clone(),
        region_label: region_text(&list.region),
        year: list.year.map(|y| y.to_string()).unwrap_or_default(),
        level: list.level.clone().unwrap_or_default(),
        levels: Level::ALL
            .iter()
            .map(|l| {
                (
                    l.code().to_string(),
                    i18n::pick(l.label_id(), l.label_en()).to_string(),
                )
            })
            .collect(),
        notice,
        saved: q.saved.as_deref().and_then(|s| cat.indicator(s)).map(|i| {
            let name = format!("{} ({})", i18n::pick(&i.name_id, &i.name_en), i.code);
            Tr::current().arg("ind-saved", "name", name)
        }),
        groups,
        can_enter: may_enter(c),
        enterable: cat
            .indicators
            .iter()
            .filter(|i| i.computed.is_none())
            .map(|i| Choice {
                code: i.code.clone(),
                label: format!(
                    "{} — {} [{}]",
                    i.code,
                    i18n::pick(&i.name_id, &i.name_en),
                    i18n::pick(i.unit.label_id(), i.unit.label_en())
                ),
            })
            .collect(),
        units: Unit::ALL
            .iter()
            .map(|u| {
                (
                    u.code().to_string(),
                    i18n::pick(u.label_id(), u.label_en()).to_string(),
                )
            })
            .collect(),
        form,
        error,
    };
    render(&page, status)
}

/// `GET /indicators`: target against actual per indicator and year for a region, and
/// (administrators, managers, data managers) a form to enter a value.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    list_page(&state, &c, q, None, None, StatusCode::OK).await
}

/// `POST /indicators/values`: the form's value, stored when it checks; otherwise the page
/// again with the message and the form as sent (422), nothing stored.
pub async fn page_value(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ValueForm>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if let Some(r) = csrf_refused(&state, &c, &f.csrf) {
        return r;
    }
    if !may_enter(&c) {
        return error_page(&state, Some(&c), ApiError::Forbidden);
    }
    let year = f.year.trim().parse::<i32>().ok();
    let result = if year.is_none() {
        Err(invalid("year", "give a year such as 2025"))
    } else {
        enter_value(
            &state,
            &c,
            &f.code,
            ValueInput {
                year,
                region: Some(f.region.as_str()),
                value: f.value.clone(),
                unit: Some(f.unit.as_str()),
                note: &f.note,
            },
        )
        .await
    };
    let back = PageQuery {
        level: Some(f.level.clone()).filter(|l| !l.is_empty()),
        year: None,
        region: Some(f.region.clone()),
        saved: None,
    };
    let cat = in_force(&state).await.ok().map(|(_, c)| c);
    match result {
        Ok(v) => Redirect::to(&format!(
            "/indicators?region={}&year={}&saved={}#{}",
            v.region, v.year, v.code, v.code
        ))
        .into_response(),
        Err(e) => {
            let message = match &e {
                ApiError::Invalid { field, detail } => {
                    format!(
                        "{} — {}: {}",
                        i18n::text("ind-not-saved"),
                        field_label(field),
                        page_detail(cat.as_deref(), &f, field, detail)
                    )
                }
                ApiError::NotFound => {
                    Tr::current().args("ind-not-found", &[("code", &f.code), ("region", &f.region)])
                }
                ApiError::Conflict(_) => Tr::current().arg("ind-computed-refused", "code", &f.code),
                ApiError::Forbidden => i18n::text("ind-forbidden"),
                ApiError::Internal(_) => return error_page(&state, Some(&c), e),
                other => other.message(),
            };
            let status = e.status();
            let back = if matches!(e, ApiError::NotFound) {
                PageQuery::default()
            } else {
                back
            };
            list_page(&state, &c, back, Some(f), Some(message), status).await
        }
    }
}

fn field_label(field: &str) -> String {
    i18n::text(match field {
        "value" => "ind-field-value",
        "unit" => "ind-field-unit",
        "year" => "ind-field-year",
        "region" => "ind-field-region",
        "note" => "ind-field-note",
        _ => "ind-field-other",
    })
}

/// The reason for a refused form field in the page's language (the API's English one
/// otherwise).
fn page_detail(cat: Option<&Catalogue>, f: &ValueForm, field: &str, detail: &str) -> String {
    if let (Some(i), "value" | "unit") = (cat.and_then(|c| c.indicator(&f.code)), field) {
        if let Err(e) = i.check_value(&f.value, Some(f.unit.as_str())) {
            return match i18n::current() {
                i18n::Lang::Id => e.reason_id,
                i18n::Lang::En => e.reason,
            };
        }
    }
    match field {
        "year" => Tr::current().arg("ind-year-range", "year", this_year()),
        "region" => i18n::text("ind-region-hint"),
        "note" => i18n::text("ind-note-long"),
        _ => detail.into(),
    }
}

struct DetailRow {
    year: i32,
    targets: Vec<String>,
    conflict: bool,
    actual: String,
    actual_source: String,
    svg: String,
    status: String,
}

struct RegionRow {
    region: String,
    year: i32,
    actual: String,
    source: String,
}

struct HistoryRow {
    year: i64,
    region: String,
    value: String,
    entered: String,
    note: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    code: String,
    name_id: String,
    name_en: String,
    level: String,
    unit: String,
    direction: String,
    programme: String,
    parent: String,
    responsible_unit: String,
    strategic_target: String,
    formula: String,
    definition: String,
    baseline: String,
    notes: String,
    region: String,
    region_label: String,
    notice: Option<String>,
    flags: Vec<FlagView>,
    rows: Vec<DetailRow>,
    by_region: Vec<RegionRow>,
    history: Vec<HistoryRow>,
    can_enter: bool,
    computed: bool,
}

impl IndicatorPage {
    fn flag(&self, f: &FlagView) -> String {
        flag_label(f)
    }
}

/// `GET /indicators/{code}`: one indicator with its sources and flags, target against
/// actual per year for the region, the regions inside it, and who entered what.
pub async fn indicator_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let c = match crate::pages::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let mut notice = None;
    let asked = IndicatorRegionQuery {
        region: q.region.clone(),
        year: q.year.clone(),
    };
    let d = match detail_of(&state, &c, &code, &asked).await {
        Ok(d) => d,
        Err(ApiError::NotFound) if q.region.is_some() => {
            notice = Some(Tr::current().arg(
                "ind-out-of-region",
                "code",
                q.region.as_deref().unwrap_or(""),
            ));
            match detail_of(&state, &c, &code, &IndicatorRegionQuery::default()).await {
                Ok(d) => d,
                Err(e) => return error_page(&state, Some(&c), e),
            }
        }
        Err(ApiError::Invalid { field, detail }) => {
            notice = Some(
                Tr::current().args("ind-bad-filter", &[("field", &field), ("detail", &detail)]),
            );
            match detail_of(&state, &c, &code, &IndicatorRegionQuery::default()).await {
                Ok(d) => d,
                Err(e) => return error_page(&state, Some(&c), e),
            }
        }
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let Ok((_, cat)) = in_force(&state).await else {
        return error_page(&state, Some(&c), ApiError::Internal("catalogue".into()));
    };
    let Some(i) = cat.indicator(&code) else {
        return error_page(&state, Some(&c), ApiError::NotFound);
    };
    let v = &d.indicator;
    let rows = rows_of(&cat, v)
        .into_iter()
        .filter(|r| r.year != 0)
        .map(|r| DetailRow {
            year: r.year,
            targets: r.targets,
            conflict: r.conflict,
            actual: r.actual,
            actual_source: r.actual_source,
            svg: r.svg,
            status: r.status,
        })
        .collect();
    let page = IndicatorPage {
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        code: v.code.clone(),
        name_id: v.name_id.clone(),
        name_en: v.name_en.clone(),
        level: i18n::pick(i.level.label_id(), i.level.label_en()).into(),
        unit: i18n::pick(i.unit.label_id(), i.unit.label_en()).into(),
        direction: i18n::pick(i.direction.label_id(), i.direction.label_en()).into(),
        programme: i.programme.clone().unwrap_or_else(|| "–".into()),
        parent: i.parent.clone().unwrap_or_default(),
        responsible_unit: d.responsible_unit.clone().unwrap_or_else(|| "–".into()),
        strategic_target: d.strategic_target.clone().unwrap_or_default(),
        formula: d
            .formula
            .clone()
            .unwrap_or_else(|| i18n::text("ind-formula-unknown")),
        definition: match i18n::current() {
            i18n::Lang::Id => d.definition_id.clone(),
            i18n::Lang::En => d.definition_en.clone(),
        }
        .unwrap_or_default(),
        baseline: d.baseline.as_ref().map_or(String::new(), |b| {
            format!(
                "{} {} {}{} ({}{})",
                b.display,
                i18n::text("ind-baseline-in"),
                b.year,
                b.period
                    .as_deref()
                    .map(|p| format!(", {p}"))
                    .unwrap_or_default(),
                b.source_ref,
                b.printed
                    .as_deref()
                    .map(|p| format!("; {} \u{201c}{p}\u{201d}", i18n::text("ind-printed")))
                    .unwrap_or_default()
            )
        }),
        notes: d.notes.clone().unwrap_or_default(),
        region: d.region.code.clone(),
        region_label: region_text(&d.region),
        notice,
        flags: v.flags.clone(),
        rows,
        by_region: d
            .by_region
            .iter()
            .map(|r| RegionRow {
                region: region_text(&r.region),
                year: r.year,
                actual: r.actual.display.clone(),
                source: source_label(&r.actual),
            })
            .collect(),
        history: d
            .values
            .iter()
            .map(|h| HistoryRow {
                year: h.year,
                region: region_text(&region_label_of(&state, &h.region)),
                value: h.display.clone(),
                entered: format!("{} · {}", h.entered_by, ts_label(&h.entered_at)),
                note: h.note.clone(),
                current: h.current,
            })
            .collect(),
        can_enter: may_enter(&c) && !v.computed,
        computed: v.computed,
    };
    render(&page, StatusCode::OK)
}

/// `GET /exports/indicators/targets.{csv|xlsx}?level=&year=&region=`: target against actual
/// per indicator and year, as the page shows them.
async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<IndicatorQuery>,
) -> Response {
    let caller = match crate::export::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let answer = async {
        use crate::export::{Cell, Col, FileType, Table};
        let (name, format) = crate::export::split_file(&file).ok_or(ApiError::NotFound)?;
        if name != "targets" || format == FileType::Pdf {
            return Err(ApiError::NotFound);
        }
        let list = list_of(&state, &caller, &q).await?;
        let text = |s: &str| Cell::Text(s.to_string());
        let mut rows = Vec::new();
        for i in &list.indicators {
            for y in &i.years {
                rows.push(vec![
                    text(&i.code),
                    text(&i.name_id),
                    text(&i.level),
                    text(&i.unit),
                    Cell::Int(y.year.into()),
                    y.target.as_ref().map_or(Cell::Empty, |t| text(&t.display)),
                    y.target
                        .as_ref()
                        .map_or(Cell::Empty, |t| text(&t.source_ref)),
                    y.actual.as_ref().map_or(Cell::Empty, |a| text(&a.display)),
                    y.actual.as_ref().map_or(Cell::Empty, |a| text(&a.source)),
                    text(&y.status),
                ]);
            }
        }
        let table = Table {
            title_id: format!("Indikator kinerja — {}", list.region.label),
            title_en: format!("Performance indicators — {}", list.region.label),
            columns: vec![
                Col::new("code", "Kode", "Code"),
                Col::new("name", "Indikator", "Indicator"),
                Col::new("level", "Tingkat", "Level"),
                Col::new("unit", "Satuan", "Unit"),
                Col::new("year", "Tahun", "Year"),
                Col::new("target", "Target", "Target"),
                Col::new("target_source", "Sumber target", "Target source"),
                Col::new("actual", "Capaian", "Actual"),
                Col::new("actual_source", "Sumber capaian", "Actual source"),
                Col::new("status", "Status", "Status"),
            ],
            rows,
        };
        let ext = if format == FileType::Csv {
            "csv"
        } else {
            "xlsx"
        };
        crate::export::respond(
            table,
            format,
            format!("indikator-{}.{ext}", list.region.code),
        )
        .await
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => crate::export::failure(&state, &caller, e),
    }
}
