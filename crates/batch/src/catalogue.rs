//! The program catalogue in the registry (issue #4): versions, dry runs, publication,
//! and eligibility runs stored beside a ranking edition.
//!
//! - The catalogue in force is the newest published version; before any is published it
//!   is the shipped one (`programs-default.md`).
//! - A change is saved as a draft only when it parses and type-checks (the error names
//!   the program and the column of its rule), and is published only after a dry run: the
//!   draft and the catalogue in force, judged over the snapshot and model of the newest
//!   ranking edition, with the households and people gaining or losing eligibility per
//!   regency and program.
//! - An eligibility run judges the snapshot of an edition with the catalogue in force and
//!   stores the summary, gap and combination tables and the quota lists.

use std::path::Path;

use sha2::{Digest, Sha256};

use selaras_domain::pmt::Model;
use selaras_domain::programs::Catalogue;
use selaras_domain::Date;
use selaras_store::{
    CatalogueVersion, Edition, EligibilityRun, NewCatalogueVersion, NewEligibilityRun, QuotaEntry,
    Storage, StoreError,
};

use crate::editions::{load_model, EditionError};
use crate::eligibility::{DryRunRow, EligibilityError, Outcome};
use crate::export::{export_dir_at, ExportError};

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Edition(#[from] EditionError),
    #[error(transparent)]
    Eligibility(#[from] EligibilityError),
    /// The text of a draft, with the place (`programs[2].rule`) and why.
    #[error("{place}: {reason}")]
    Invalid { place: String, reason: String },
    #[error("{0}")]
    NotFound(String),
    /// A dry run or a run needs a ranking edition, and there is none yet.
    #[error("no ranking edition yet: rank the registry first (selaras rank --db)")]
    NoEdition,
    #[error("{0}")]
    Conflict(String),
    #[error("the run stopped: {0}")]
    Stopped(String),
    #[error("stored catalogue version {0} no longer loads: {1}")]
    Corrupt(i64, String),
}

/// The catalogue in force: the newest published version (with its number), else the
/// shipped one (`None`).
pub async fn in_force(store: &dyn Storage) -> Result<(Option<i64>, Catalogue), CatalogueError> {
    in_force_of(&store.catalogues().await?)
}

/// The catalogue in force among `versions` (all stored ones). The version in force is
/// parsed once per process, not on every request that reads it.
pub fn in_force_of(
    versions: &[CatalogueVersion],
) -> Result<(Option<i64>, Catalogue), CatalogueError> {
    static PARSED: std::sync::Mutex<Option<(i64, String, Catalogue)>> = std::sync::Mutex::new(None);
    let Some(v) = versions
        .iter()
        .filter(|v| v.published_at.is_some())
        .max_by(|a, b| (&a.published_at, a.version).cmp(&(&b.published_at, b.version)))
    else {
        return Ok((None, Catalogue::shipped().clone()));
    };
    // A poisoned lock only means another thread panicked while holding the cache.
    let mut cache = PARSED.lock().unwrap_or_else(|p| p.into_inner());
    match &*cache {
        // Keyed by the digest too: tests open many databases in one process.
        Some((n, digest, c)) if *n == v.version && *digest == v.digest => {
            Ok((Some(v.version), c.clone()))
        }
        _ => {
            let c = parse(v)?;
            *cache = Some((v.version, v.digest.clone(), c.clone()));
            Ok((Some(v.version), c))
        }
    }
}

fn parse(v: &CatalogueVersion) -> Result<Catalogue, CatalogueError> {
    Catalogue::from_json(&v.body).map_err(|e| CatalogueError::Corrupt(v.version, e.to_string()))
}

fn version(versions: &[CatalogueVersion], n: i64) -> Result<&CatalogueVersion, CatalogueError> {
    versions
        .iter()
        .find(|v| v.version == n)
        .ok_or_else(|| CatalogueError::NotFound(format!("no catalogue version {n}")))
}

/// Saves `text` as a draft after it parses and type-checks.
pub async fn save_draft(
    store: &dyn Storage,
    text: &str,
    note: &str,
    by: &str,
) -> Result<CatalogueVersion, CatalogueError> {
    let c = Catalogue::from_json(text).map_err(|e| CatalogueError::Invalid {
        place: e.place,
        reason: e.reason,
    })?;
    let body = c.to_json();
    let (based_on, _) = in_force(store).await?;
    Ok(store
        .put_catalogue(&NewCatalogueVersion {
            digest: hex::encode(Sha256::digest(body.as_bytes())),
            body,
            note: note.to_string(),
            created_by: by.to_string(),
            based_on,
        })
        .await?)
}

/// The newest ranking edition and its model: what dry runs and runs judge by default.
async fn newest_edition(
    store: &dyn Storage,
    id: Option<i64>,
) -> Result<(Edition, Model), CatalogueError> {
    let editions = store.editions().await?;
    let e = match id {
        Some(id) => editions.into_iter().find(|e| e.id == id),
        None => editions.into_iter().last(),
    }
    .ok_or(match id {
        Some(id) => CatalogueError::NotFound(format!("no ranking edition {id}")),
        None => CatalogueError::NoEdition,
    })?;
    let model = load_model(store, &e.model_id, Some(e.model_version)).await?;
    Ok((e, model))
}

/// Exports an edition's snapshot to a temporary directory and runs `f` over it on a
/// blocking thread.
async fn over_snapshot<T: Send + 'static>(
    store: &dyn Storage,
    edition: &Edition,
    f: impl FnOnce(&Path) -> Result<T, EligibilityError> + Send + 'static,
) -> Result<T, CatalogueError> {
    let snap = tempfile::Builder::new()
        .prefix(".selaras-snapshot-")
        .tempdir()
        .map_err(|e| CatalogueError::Stopped(format!("no temporary directory: {e}")))?;
    export_dir_at(store, snap.path(), Some(edition.snapshot_change)).await?;
    let dir = snap.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || f(&dir))
        .await
        .map_err(|e| CatalogueError::Stopped(e.to_string()))??;
    drop(snap);
    Ok(out)
}

/// Dry-runs draft `n` against the catalogue in force and stores the result with it.
pub async fn dry_run_draft(
    store: &dyn Storage,
    n: i64,
    as_of: Date,
) -> Result<Vec<DryRunRow>, CatalogueError> {
    let versions = store.catalogues().await?;
    let draft = version(&versions, n)?;
    if draft.published_at.is_some() {
        return Err(CatalogueError::Conflict(format!(
            "catalogue version {n} is published already"
        )));
    }
    let new = parse(draft)?;
    let (_, old) = in_force_of(&versions)?;
    let (edition, model) = newest_edition(store, None).await?;
    let rows = over_snapshot(store, &edition, move |dir| {
        crate::eligibility::dry_run(dir, &model, &old.programs, &new.programs, as_of)
    })
    .await?;
    let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into());
    store.set_dry_run(n, &json).await?;
    Ok(rows)
}

/// Publishes draft `n` (which must have a dry run).
pub async fn publish(store: &dyn Storage, n: i64, by: &str) -> Result<(), CatalogueError> {
    let versions = store.catalogues().await?;
    let v = version(&versions, n)?;
    if v.dry_run.is_none() {
        return Err(CatalogueError::Conflict(format!(
            "catalogue version {n} has no dry run: run one before publishing"
        )));
    }
    store.publish_catalogue(n, by).await.map_err(|e| match e {
        StoreError::Conflict(m) => CatalogueError::Conflict(m),
        e => e.into(),
    })
}

/// Judges the snapshot of edition `edition` (the newest by default) with the catalogue
/// in force, and stores the run.
pub async fn run_eligibility(
    store: &dyn Storage,
    edition: Option<i64>,
    as_of: Date,
    by: &str,
) -> Result<(EligibilityRun, Outcome), CatalogueError> {
    let (e, model) = newest_edition(store, edition).await?;
    let (catalogue_version, catalogue) = in_force(store).await?;
    let outcome = over_snapshot(store, &e, move |dir| {
        crate::eligibility::evaluate(
            dir,
            &model,
            &catalogue.programs,
            as_of,
            &mut std::io::sink(),
        )
    })
    .await?;
    let quota: Vec<QuotaEntry> = outcome
        .quota
        .iter()
        .map(|q| QuotaEntry {
            run_id: 0,
            program: q.program.clone(),
            quota_region: q.quota_region.clone(),
            household_id: q.household_id.clone(),
            nik: q.nik.clone(),
            region: q.region.clone(),
            national_rank: q.national_rank.map(|r| r as i64),
            selected: q.selected,
            position: q.position as i64,
        })
        .collect();
    let run = store
        .save_eligibility_run(
            &NewEligibilityRun {
                edition_id: e.id,
                catalogue_version,
                as_of: as_of.to_string(),
                created_by: by.to_string(),
                summary: json(&outcome.summary),
                gaps: json(&outcome.gaps),
                combinations: json(&outcome.combinations),
            },
            &quota,
        )
        .await?;
    let gaps: Vec<selaras_store::stats::VillageGap> = outcome
        .village_gaps
        .iter()
        .map(|g| selaras_store::stats::VillageGap {
            village: g.regency.clone(),
            program: g.program.clone(),
            counts: [
                g.eligible_households as i64,
                g.enrolled_households as i64,
                g.eligible_not_enrolled as i64,
                g.enrolled_not_eligible as i64,
            ],
        })
        .collect();
    let combos: Vec<(String, String, i64)> = outcome
        .village_combinations
        .iter()
        .map(|c| {
            (
                c.regency.clone(),
                c.programs_received.clone(),
                c.households as i64,
            )
        })
        .collect();
    store.save_village_rows(run.id, &gaps, &combos).await?;
    Ok((run, outcome))
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}
