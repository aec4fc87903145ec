//! Dashboards per region level with drill-down (issue #6): nation → province → regency →
//! district → village. The registry and program figures are read from the
//! pre-aggregated tables (`selaras_store::stats`, refreshed in the background and on
//! first use); case figures are read live. A caller sees their own region and what lies
//! below it; asking for another region is 404 on the API and a clear notice on the page.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use selaras_domain::access::{authorize, Decision, Permission};
use selaras_domain::cases::{Action, CaseKind, CaseState};
use selaras_domain::{Date, RegionCode};
use selaras_store::stats::{CaseStats, Period, RegionStats};

use crate::api::ApiCaller;
use crate::auth::Caller;
use crate::charts;
use crate::error::{ApiError, ApiResult, Problem};
use crate::export::{percent, thousands};
use crate::i18n::{self, Tr};
use crate::pages::{error_page, page_caller, render, ts_label, user_bar, UserBar};
use crate::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// A region code inside the caller's region (default: the caller's region; the
    /// nation for national users).
    pub region: Option<String>,
    /// Case figures of cases opened from this day (YYYY-MM-DD; default: all).
    pub from: Option<String>,
    /// … up to and including this day.
    pub to: Option<String>,
}

/// The period of `from`/`to` (422 naming the field for a bad day or an empty period).
pub fn period_of(q: &DashboardQuery) -> ApiResult<Period> {
    let day = |field: &str, v: &Option<String>| -> ApiResult<Option<Date>> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => Date::parse(v).map(Some).map_err(|e| ApiError::Invalid {
                field: field.into(),
                detail: e.to_string(),
            }),
        }
    };
    let (from, to) = (day("from", &q.from)?, day("to", &q.to)?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(ApiError::Invalid {
                field: "to".into(),
                detail: "the period ends before it starts".into(),
            });
        }
    }
    Ok(Period {
        from: from.map(|d| d.to_string()),
        to: to.map(|d| d.to_string()),
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    /// `""` for the nation.
    pub region: String,
    pub name: String,
    pub level: String,
    pub households: i64,
    pub members: i64,
    /// Households surveyed in the 12 months before the last refresh.
    pub verified_12m: i64,
    /// `verified_12m` as a percentage of households.
    pub freshness_pct: f64,
    pub ranked: i64,
    /// Households per national decile 1–10 (newest ranking edition).
    pub deciles: [i64; 10],
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgramFigures {
    pub region: String,
    pub program: String,
    pub name: String,
    pub eligible: i64,
    pub enrolled: i64,
    /// Eligible, not enrolled (exclusion).
    pub excluded: i64,
    /// Enrolled, not eligible (inclusion).
    pub included: i64,
    /// Eligible households enrolled, in percent.
    pub coverage_pct: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComboFigures {
    /// `pkh+bpnt`, or `none`.
    pub programs: String,
    pub households: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindStateFigures {
    pub kind: String,
    pub kind_label: String,
    pub state: String,
    pub state_label: String,
    pub cases: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralFigures {
    pub program: String,
    pub state: String,
    pub state_label: String,
    pub cases: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StepFigures {
    pub action: String,
    pub label: String,
    pub count: i64,
    /// Time since the case's previous step, in hours.
    pub median_hours: f64,
    pub p90_hours: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityFigures {
    pub region: String,
    pub name: String,
    pub cases: i64,
    pub visits: i64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CaseFigures {
    pub total: i64,
    pub open: i64,
    pub overdue: i64,
    pub by_kind_state: Vec<KindStateFigures>,
    pub referrals: Vec<ReferralFigures>,
    pub steps: Vec<StepFigures>,
    /// Per child region (per Puskesos village at the district level).
    pub activity: Vec<ActivityFigures>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub region: String,
    pub name: String,
    pub level: String,
    /// From the nation down to this region: (code, name).
    pub path: Vec<(String, String)>,
    /// When the registry and program figures were computed (none yet: empty registry).
    pub refreshed_at: Option<String>,
    pub registry: Option<Figures>,
    pub children: Vec<Figures>,
    pub programs: Vec<ProgramFigures>,
    /// The same per child region.
    pub child_programs: Vec<ProgramFigures>,
    pub combinations: Vec<ComboFigures>,
    pub cases: CaseFigures,
}

/// The first day of the 12 months that end on `day` (the day after the same date a year
/// earlier; for 29 February, after 28 February).
pub fn twelve_months_before(day: Date) -> Date {
    let (y, m, d) = (day.year() - 1, day.month(), day.day());
    let start = Date::from_ymd(y, m, d)
        .unwrap_or_else(|| Date::from_ymd(y, 2, 28).expect("28 February exists"));
    Date::from_days_since_epoch(start.days_since_epoch() + 1).unwrap_or(start)
}

/// Refreshes the dashboard figures for today.
pub async fn refresh(state: &AppState) -> ApiResult<selaras_store::stats::RefreshReport> {
    let today = selaras_store::today_utc();
    Ok(state
        .store
        .refresh_stats(&today.to_string(), &twelve_months_before(today).to_string())
        .await?)
}

/// Refreshes the figures every `every` until the process ends.
pub fn spawn_refresher(state: AppState, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match refresh(&state).await {
                Ok(r) if r.villages > 0 || r.programs_from_run.is_some() => {
                    tracing::info!(?r, "dashboard figures refreshed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("dashboard refresh: {e:?}"),
            }
        }
    });
}

fn region_name(state: &AppState, code: &str) -> String {
    if code.is_empty() {
        return "Indonesia".into();
    }
    RegionCode::parse(code)
        .ok()
        .and_then(|c| state.regions.name(&c).map(String::from))
        .unwrap_or_else(|| code.to_string())
}

fn pct(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        0.0
    } else {
        (part as f64 * 1000.0 / whole as f64).round() / 10.0
    }
}

fn figures(state: &AppState, s: &RegionStats) -> Figures {
    Figures {
        region: s.region.clone(),
        name: region_name(state, &s.region),
        level: s.level.clone(),
        households: s.households,
        members: s.members,
        verified_12m: s.verified_12m,
        freshness_pct: pct(s.verified_12m, s.households),
        ranked: s.ranked,
        deciles: s.deciles,
    }
}

/// The region the caller asks for (see [`crate::views::region_param`]) as a stored code
/// (`""` for the nation).
fn scoped_region(state: &AppState, caller: &Caller, asked: Option<&str>) -> ApiResult<String> {
    crate::views::region_param(state, caller, asked, Permission::ViewMonitoring)
        .map(|r| r.prefix().to_string())
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn case_figures(state: &AppState, s: CaseStats) -> CaseFigures {
    let mut f = CaseFigures::default();
    for (kind, st, n, overdue) in s.by_kind_state {
        f.total += n;
        if st != "closed" {
            f.open += n;
        }
        f.overdue += overdue;
        f.by_kind_state.push(KindStateFigures {
            kind_label: CaseKind::parse(&kind).map_or(kind.clone(), |k| k.label_id().into()),
            state_label: CaseState::parse(&st).map_or(st.clone(), |k| k.label_id().into()),
            kind,
            state: st,
            cases: n,
            overdue,
        });
    }
    f.referrals = s
        .referrals
        .into_iter()
        .map(|(program, st, cases)| ReferralFigures {
            program,
            state_label: CaseState::parse(&st).map_or(st.clone(), |k| k.label_id().into()),
            state: st,
            cases,
        })
        .collect();
    for a in Action::ALL {
        let mut secs: Vec<i64> = s
            .step_seconds
            .iter()
            .filter(|(act, _)| act == a.code())
            .map(|(_, t)| *t)
            .collect();
        if secs.is_empty() {
            continue;
        }
        secs.sort_unstable();
        let hours = |x: i64| (x as f64 / 360.0).round() / 10.0;
        f.steps.push(StepFigures {
            action: a.code().into(),
            label: a.label_id().into(),
            count: secs.len() as i64,
            median_hours: hours(percentile(&secs, 0.5)),
            p90_hours: hours(percentile(&secs, 0.9)),
        });
    }
    f.activity = s
        .activity
        .into_iter()
        .map(|(region, cases, visits)| ActivityFigures {
            name: region_name(state, &region),
            region,
            cases,
            visits,
        })
        .collect();
    f
}

/// The dashboard of `region` (already checked to lie in the caller's region).
pub async fn dashboard_of(state: &AppState, region: &str, period: &Period) -> ApiResult<Dashboard> {
    let (mut own, mut children) = state.store.region_stats(region).await?;
    if own.is_none() && state.store.region_stats("").await?.0.is_none() {
        // Never computed (a fresh server): compute now rather than show nothing.
        refresh(state).await?;
        (own, children) = state.store.region_stats(region).await?;
    }
    let (_, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
    let program_name = |code: &str| {
        catalogue
            .program(code)
            .map_or_else(|| code.to_string(), |p| p.name_id.clone())
    };
    let mut programs = Vec::new();
    let mut child_programs = Vec::new();
    for p in state.store.program_stats(region).await? {
        let f = ProgramFigures {
            name: program_name(&p.program),
            coverage_pct: pct(p.eligible - p.excluded, p.eligible),
            region: p.region.clone(),
            program: p.program,
            eligible: p.eligible,
            enrolled: p.enrolled,
            excluded: p.excluded,
            included: p.included,
        };
        if p.region == region {
            programs.push(f);
        } else {
            child_programs.push(f);
        }
    }
    let combinations = state
        .store
        .combo_stats(region)
        .await?
        .into_iter()
        .map(|c| ComboFigures {
            programs: c.programs,
            households: c.households,
        })
        .collect();
    let child_len = match region.len() {
        0 => 2,
        2 => 5,
        5 => 8,
        _ => 13,
    };
    let cases = state
        .store
        .case_stats(region, child_len, &selaras_store::now_utc(), period)
        .await?;
    let mut path = vec![(String::new(), "Indonesia".to_string())];
    if let Ok(code) = RegionCode::parse(region) {
        for (c, n) in state.regions.path_names(&code) {
            path.push((c.to_string(), n.to_string()));
        }
    }
    Ok(Dashboard {
        region: region.to_string(),
        name: region_name(state, region),
        level: selaras_store::stats::level_of(region).into(),
        path,
        refreshed_at: own.as_ref().map(|o| o.refreshed_at.clone()),
        registry: own.as_ref().map(|o| figures(state, o)),
        children: children.iter().map(|c| figures(state, c)).collect(),
        programs,
        child_programs,
        combinations,
        cases: case_figures(state, cases),
    })
}

fn monitoring(caller: &Caller) -> ApiResult<()> {
    match authorize(&caller.principal, Permission::ViewMonitoring, None) {
        Decision::Allow => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// The dashboard of a region inside the caller's region: registry coverage and freshness,
/// deciles, program coverage with exclusion and inclusion, combinations, case counts,
/// time per step, overdue cases, referrals and activity — for the region and per child.
#[utoipa::path(get, path = "/api/v1/dashboard", params(DashboardQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Dashboard), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_dashboard(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    query: Result<Query<DashboardQuery>, QueryRejection>,
) -> ApiResult<Json<Dashboard>> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    monitoring(&caller)?;
    let region = scoped_region(&state, &caller, q.region.as_deref())?;
    let period = period_of(&q)?;
    Ok(Json(dashboard_of(&state, &region, &period).await?))
}

struct ChildRow {
    link: String,
    name: String,
    code: String,
    households: String,
    members: String,
    freshness: String,
    ranked: String,
    cases: String,
    visits: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    user: Option<UserBar>,
    t: Tr,
    csrf: String,
    notice: Option<String>,
    /// The period's days as the form shows them, and as a query string for links.
    from: String,
    to: String,
    period_qs: String,
    d: Dashboard,
    crumbs: Vec<(String, String, bool)>,
    refreshed: String,
    totals: Vec<(String, String)>,
    children: Vec<ChildRow>,
    child_level: String,
    deciles_svg: String,
    freshness_svg: String,
    /// The provinces coloured by freshness (national dashboard only).
    map_svg: String,
    programs: Vec<(String, String, String, String, String, String)>,
    coverage_svg: String,
    combinations: Vec<(String, String)>,
    kinds: Vec<(String, String, String, String)>,
    steps: Vec<(String, String, String, String)>,
    referrals: Vec<(String, String, String)>,
    downloads: Vec<(&'static str, String)>,
    /// Roles that read personal data may open the cases behind the figures.
    can_read_cases: bool,
}

/// A region level in lower case, in the page's language.
fn level_label(level: &str) -> String {
    i18n::text(match level {
        "national" => "dash-level-national",
        "province" => "dash-level-province",
        "regency" => "dash-level-regency",
        "district" => "dash-level-district",
        _ => "dash-level-village",
    })
}

fn state_label(code: &str, label: &str) -> String {
    CaseState::parse(code).map_or_else(
        || label.to_string(),
        |s| i18n::pick(s.label_id(), s.label_en()).into(),
    )
}

/// `/dashboard?region=`: the page.
pub async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let c = match page_caller(&state, &headers).await {
        Ok(Some(c)) => c,
        Ok(None) => return Redirect::to("/login").into_response(),
        Err(r) => return r,
    };
    if let Err(e) = monitoring(&c) {
        return error_page(&state, Some(&c), e);
    }
    // A region outside one's own: one's own dashboard, with a clear notice.
    let (region, notice) = match scoped_region(&state, &c, q.region.as_deref()) {
        Ok(r) => (r, None),
        Err(e) => {
            let asked = q.region.clone().unwrap_or_default();
            let why = match e {
                ApiError::Invalid { .. } => {
                    Tr::current().arg("dash-unknown-region", "code", &asked)
                }
                _ => Tr::current().arg("dash-out-of-scope", "code", &asked),
            };
            (c.principal.scope.prefix().to_string(), Some(why))
        }
    };
    // A bad period: all cases, with a notice naming it.
    let (period, notice) = match period_of(&q) {
        Ok(p) => (p, notice),
        Err(e) => (Period::default(), Some(e.message())),
    };
    let d = match dashboard_of(&state, &region, &period).await {
        Ok(d) => d,
        Err(e) => return error_page(&state, Some(&c), e),
    };
    let (from, to) = (
        period.from.clone().unwrap_or_default(),
        period.to.clone().unwrap_or_default(),
    );
    let period_qs = format!(
        "{}{}",
        if from.is_empty() {
            String::new()
        } else {
            format!("&from={from}")
        },
        if to.is_empty() {
            String::new()
        } else {
            format!("&to={to}")
        }
    );
    let catalogue = match selaras_batch::catalogue::in_force(&*state.store).await {
        Ok((_, cat)) => cat,
        Err(e) => return error_page(&state, Some(&c), e.into()),
    };
    // Program names in the page's language (the API keeps Indonesian).
    let program_name = |p: &ProgramFigures| {
        catalogue.program(&p.program).map_or_else(
            || p.name.clone(),
            |x| i18n::pick(&x.name_id, &x.name_en).to_string(),
        )
    };
    let own = c.principal.scope.prefix().to_string();
    let crumbs = d
        .path
        .iter()
        .map(|(code, name)| {
            let label = if code.is_empty() {
                name.clone()
            } else {
                format!("{name} ({code})")
            };
            // Ancestors above the caller's own region are shown, not linked.
            let link = code.starts_with(&own) || own.is_empty();
            (code.clone(), label, link)
        })
        .collect();
    let activity: std::collections::HashMap<&str, (i64, i64)> = d
        .cases
        .activity
        .iter()
        .map(|a| (a.region.as_str(), (a.cases, a.visits)))
        .collect();
    let children = d
        .children
        .iter()
        .map(|f| {
            let (cases, visits) = activity.get(f.region.as_str()).copied().unwrap_or((0, 0));
            ChildRow {
                link: format!("/dashboard?region={}{period_qs}", f.region),
                name: f.name.clone(),
                code: f.region.clone(),
                households: thousands(f.households),
                members: thousands(f.members),
                freshness: percent(f.freshness_pct),
                ranked: thousands(f.ranked),
                cases: thousands(cases),
                visits: thousands(visits),
            }
        })
        .collect();
    let r = d.registry.clone();
    let totals = match &r {
        Some(f) => vec![
            (i18n::text("dash-col-households"), thousands(f.households)),
            (i18n::text("dash-col-people"), thousands(f.members)),
            (
                i18n::text("dash-total-verified"),
                format!(
                    "{} ({})",
                    thousands(f.verified_12m),
                    percent(f.freshness_pct)
                ),
            ),
            (i18n::text("dash-col-ranked"), thousands(f.ranked)),
            (i18n::text("dash-total-open"), thousands(d.cases.open)),
            (i18n::text("dash-total-overdue"), thousands(d.cases.overdue)),
        ],
        None => vec![
            (i18n::text("dash-total-open"), thousands(d.cases.open)),
            (i18n::text("dash-total-overdue"), thousands(d.cases.overdue)),
        ],
    };
    let deciles_svg = charts::deciles(
        &i18n::text("dash-chart-deciles"),
        &r.as_ref().map_or([0; 10], |f| f.deciles),
    );
    let freshness_svg = charts::bars(
        &i18n::text("dash-chart-freshness"),
        &d.children
            .iter()
            .map(|f| (f.name.clone(), f.freshness_pct, percent(f.freshness_pct)))
            .collect::<Vec<_>>(),
        Some(100.0),
    );
    let map_svg = if d.level == "national" {
        crate::map::province_shares(
            &i18n::text("dash-map"),
            &d.children
                .iter()
                .map(|f| (f.region.clone(), f.verified_12m, f.households))
                .collect::<Vec<_>>(),
            |code| region_name(&state, code),
        )
    } else {
        String::new()
    };
    let coverage_svg = charts::bars(
        &i18n::text("dash-chart-coverage"),
        &d.programs
            .iter()
            .map(|p| (program_name(p), p.coverage_pct, percent(p.coverage_pct)))
            .collect::<Vec<_>>(),
        Some(100.0),
    );
    let page = DashboardPage {
        from,
        to,
        period_qs,
        can_read_cases: authorize(&c.principal, Permission::ReadPersonalData, None)
            == Decision::Allow,
        downloads: ["regions", "programs", "cases", "steps"]
            .into_iter()
            .map(|file| (file, i18n::text(&format!("dash-dl-{file}"))))
            .collect(),
        user: Some(user_bar(&state, &c)),
        t: Tr::current(),
        csrf: c.session.csrf.clone(),
        notice,
        crumbs,
        refreshed: d
            .refreshed_at
            .as_deref()
            .map_or_else(|| i18n::text("dash-not-yet"), ts_label),
        totals,
        children,
        child_level: d
            .children
            .first()
            .map_or_else(String::new, |f| level_label(&f.level)),
        deciles_svg,
        freshness_svg,
        map_svg,
        programs: d
            .programs
            .iter()
            .map(|p| {
                (
                    format!("{} ({})", program_name(p), p.program),
                    thousands(p.eligible),
                    thousands(p.enrolled),
                    thousands(p.excluded),
                    thousands(p.included),
                    percent(p.coverage_pct),
                )
            })
            .collect(),
        coverage_svg,
        combinations: d
            .combinations
            .iter()
            .map(|c| (c.programs.replace('+', " + "), thousands(c.households)))
            .collect(),
        kinds: d
            .cases
            .by_kind_state
            .iter()
            .map(|k| {
                (
                    CaseKind::parse(&k.kind).map_or_else(
                        || k.kind_label.clone(),
                        |x| i18n::pick(x.label_id(), x.label_en()).into(),
                    ),
                    state_label(&k.state, &k.state_label),
                    thousands(k.cases),
                    thousands(k.overdue),
                )
            })
            .collect(),
        steps: d
            .cases
            .steps
            .iter()
            .map(|s| {
                (
                    Action::parse(&s.action).map_or_else(
                        || s.label.clone(),
                        |a| i18n::pick(a.label_id(), a.label_en()).into(),
                    ),
                    thousands(s.count),
                    format!("{:.1}", s.median_hours).replace('.', ","),
                    format!("{:.1}", s.p90_hours).replace('.', ","),
                )
            })
            .collect(),
        referrals: d
            .cases
            .referrals
            .iter()
            .map(|r| {
                (
                    r.program.clone(),
                    state_label(&r.state, &r.state_label),
                    thousands(r.cases),
                )
            })
            .collect(),
        d,
    };
    render(&page, StatusCode::OK)
}

// ---- Exports ---------------------------------------------------------------------------

/// The dashboard's tables for download.
pub fn tables(state: &AppState, d: &Dashboard) -> Vec<(&'static str, crate::export::Table)> {
    use crate::export::{Cell, Col, Table};
    let region = |code: &str| {
        if code.is_empty() {
            Cell::Text("Indonesia".into())
        } else {
            Cell::region(state.regions, code)
        }
    };
    let activity: std::collections::HashMap<&str, (i64, i64)> = d
        .cases
        .activity
        .iter()
        .map(|a| (a.region.as_str(), (a.cases, a.visits)))
        .collect();
    let mut cols = vec![
        Col::new("region", "Wilayah", "Region"),
        Col::new("households", "Rumah tangga", "Households"),
        Col::new("members", "Jiwa", "People"),
        Col::new(
            "verified_12m",
            "Diverifikasi 12 bulan",
            "Verified in 12 months",
        ),
        Col::new("freshness", "Kemutakhiran", "Freshness"),
        Col::new("ranked", "Berperingkat", "Ranked"),
    ];
    const DECILES: [&str; 10] = ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"];
    for (i, key) in DECILES.iter().enumerate() {
        let label = format!("Desil {}", i + 1);
        cols.push(Col::new(key, &label, &format!("Decile {}", i + 1)));
    }
    cols.push(Col::new("cases", "Kasus", "Cases"));
    cols.push(Col::new("visits", "Kunjungan", "Visits"));
    let rows = d
        .registry
        .iter()
        .chain(&d.children)
        .map(|f| {
            let (cases, visits) = activity.get(f.region.as_str()).copied().unwrap_or((0, 0));
            let mut row = vec![
                region(&f.region),
                Cell::Int(f.households),
                Cell::Int(f.members),
                Cell::Int(f.verified_12m),
                Cell::Percent(f.freshness_pct),
                Cell::Int(f.ranked),
            ];
            row.extend(f.deciles.iter().map(|n| Cell::Int(*n)));
            if f.region == d.region {
                row.extend([Cell::Int(d.cases.total), Cell::Empty]);
            } else {
                row.extend([Cell::Int(cases), Cell::Int(visits)]);
            }
            row
        })
        .collect();
    let regions = Table {
        title_id: format!("Registri per wilayah — {}", d.name),
        title_en: format!("Registry by region — {}", d.name),
        columns: cols,
        rows,
    };
    let programs = Table {
        title_id: format!("Program per wilayah — {}", d.name),
        title_en: format!("Programs by region — {}", d.name),
        columns: vec![
            Col::new("region", "Wilayah", "Region"),
            Col::new("program", "Program", "Program"),
            Col::new("eligible", "Layak", "Eligible"),
            Col::new("enrolled", "Menerima", "Enrolled"),
            Col::new(
                "excluded",
                "Layak, belum menerima",
                "Eligible, not enrolled",
            ),
            Col::new(
                "included",
                "Menerima, tidak layak",
                "Enrolled, not eligible",
            ),
            Col::new("coverage", "Cakupan", "Coverage"),
        ],
        rows: d
            .programs
            .iter()
            .chain(&d.child_programs)
            .map(|p| {
                vec![
                    region(&p.region),
                    Cell::Text(format!("{} ({})", p.name, p.program)),
                    Cell::Int(p.eligible),
                    Cell::Int(p.enrolled),
                    Cell::Int(p.excluded),
                    Cell::Int(p.included),
                    Cell::Percent(p.coverage_pct),
                ]
            })
            .collect(),
    };
    let cases = Table {
        title_id: format!("Kasus SLRT — {}", d.name),
        title_en: format!("SLRT cases — {}", d.name),
        columns: vec![
            Col::new("kind", "Jenis", "Kind"),
            Col::new("state", "Status", "State"),
            Col::new("cases", "Kasus", "Cases"),
            Col::new("overdue", "Lewat tenggat", "Overdue"),
        ],
        rows: d
            .cases
            .by_kind_state
            .iter()
            .map(|k| {
                vec![
                    Cell::Text(k.kind_label.clone()),
                    Cell::Text(k.state_label.clone()),
                    Cell::Int(k.cases),
                    Cell::Int(k.overdue),
                ]
            })
            .collect(),
    };
    let steps = Table {
        title_id: format!("Waktu per langkah (jam) — {}", d.name),
        title_en: format!("Time per step (hours) — {}", d.name),
        columns: vec![
            Col::new("step", "Langkah", "Step"),
            Col::new("count", "Jumlah", "Count"),
            Col::new("median_hours", "Median (jam)", "Median (hours)"),
            Col::new("p90_hours", "Persentil 90 (jam)", "90th percentile (hours)"),
        ],
        rows: d
            .cases
            .steps
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.label.clone()),
                    Cell::Int(s.count),
                    Cell::Text(format!("{:.1}", s.median_hours)),
                    Cell::Text(format!("{:.1}", s.p90_hours)),
                ]
            })
            .collect(),
    };
    vec![
        ("regions", regions),
        ("programs", programs),
        ("cases", cases),
        ("steps", steps),
    ]
}

/// `GET /exports/dashboard/{table}.{csv|xlsx}?region=` (`regions`, `programs`, `cases`,
/// `steps`) and `/exports/dashboard/summary.pdf?region=` (all of them, printable).
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<DashboardQuery>,
) -> Response {
    let caller = match crate::export::signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match export_file(&state, &caller, &file, &q).await {
        Ok(r) => r,
        Err(e) => crate::export::failure(&state, &caller, e),
    }
}

async fn export_file(
    state: &AppState,
    caller: &Caller,
    file: &str,
    q: &DashboardQuery,
) -> ApiResult<Response> {
    use crate::export::FileType;
    monitoring(caller)?;
    let (name, format) = crate::export::split_file(file).ok_or(ApiError::NotFound)?;
    let region = scoped_region(state, caller, q.region.as_deref())?;
    let period = period_of(q)?;
    let d = dashboard_of(state, &region, &period).await?;
    let suffix = if region.is_empty() {
        "nasional".to_string()
    } else {
        region.clone()
    };
    let mut tables = tables(state, &d);
    if (name, format) == ("summary", FileType::Pdf) {
        let reports: Vec<_> = tables
            .iter()
            .map(|(_, t)| crate::export::report_table(t))
            .collect();
        let title = format!("Ringkasan {}", d.name);
        let day = |d: &Option<String>| {
            d.as_deref()
                .and_then(|d| Date::parse(d).ok())
                .map_or_else(|| "…".to_string(), |d| d.to_id_string())
        };
        let cases_in = if period.from.is_none() && period.to.is_none() {
            "kasus: semua".to_string()
        } else {
            format!("kasus dibuka {} – {}", day(&period.from), day(&period.to))
        };
        let subtitle = format!(
            "Data per {}; {cases_in}; dicetak {}",
            d.refreshed_at
                .as_deref()
                .map_or_else(|| "–".into(), ts_label),
            ts_label(&selaras_store::now_utc())
        );
        let pdf = crate::export::blocking(move || {
            selaras_letters::summary_pdf(&title, &subtitle, &reports)
        })
        .await?;
        return Ok(crate::export::download(
            "application/pdf",
            &format!("ringkasan-{suffix}.pdf"),
            axum::body::Body::from(pdf),
        ));
    }
    if format == FileType::Pdf {
        return Err(ApiError::NotFound);
    }
    let i = tables
        .iter()
        .position(|(n, _)| *n == name)
        .ok_or(ApiError::NotFound)?;
    let (n, table) = tables.swap_remove(i);
    let ext = if format == FileType::Csv {
        "csv"
    } else {
        "xlsx"
    };
    crate::export::respond(table, format, format!("dasbor-{n}-{suffix}.{ext}")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_twelve_months() {
        let d = |s: &str| Date::parse(s).unwrap();
        assert_eq!(twelve_months_before(d("2026-12-01")), d("2025-12-02"));
        assert_eq!(twelve_months_before(d("2028-02-29")), d("2027-03-01"));
        assert_eq!(twelve_months_before(d("2026-01-01")), d("2025-01-02"));
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 0.5), 5);
        assert_eq!(percentile(&v, 0.9), 9);
        assert_eq!(percentile(&[7], 0.9), 7);
        assert_eq!(percentile(&[], 0.5), 0);
        assert_eq!(pct(1, 3), 33.3);
        assert_eq!(pct(1, 0), 0.0);
    }
}
