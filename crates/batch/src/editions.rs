//! Ranking editions over the registry (issue #3): `selaras rank --db`.
//!
//! An edition freezes four things: the model version (stored in the registry), the
//! registry snapshot (the state right after one change, [`Storage::snapshot`]), the row
//! counts, and a SHA-256 digest of the snapshot as exported in the interchange format.
//! The snapshot goes through the same files and the same engine as `rank --data`, so the
//! two cannot disagree; re-running an edition exports the same snapshot again (history
//! is append-only), checks its digest, and must write a byte-identical ranks.csv.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use selaras_domain::pmt::Model;
use selaras_interchange::{HOUSEHOLDS_FILE, MEMBERS_FILE};
use selaras_store::{Edition, HouseholdRank, NewEdition, Storage, StoreError, StoredModel};
use selaras_targeting::{Frame, FrameError};

/// Bytes read and total, as the engine reads the snapshot.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

use crate::export::{export_dir_at, ExportError};

#[derive(Debug, thiserror::Error)]
pub enum EditionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("{0}")]
    NotFound(String),
    #[error("the ranking stopped: {0}")]
    Stopped(String),
    #[error("stored model {id} version {version} no longer loads: {reason}")]
    BadModel {
        id: String,
        version: i64,
        reason: String,
    },
    #[error("the registry snapshot of edition {edition} has changed (digest {stored} then, {now} now): its history was altered")]
    SnapshotChanged {
        edition: i64,
        stored: String,
        now: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EditionError + '_ {
    move |source| EditionError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// SHA-256 of the files, in order, hex.
pub fn digest_files(paths: &[PathBuf]) -> Result<String, EditionError> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    for p in paths {
        let mut f = std::fs::File::open(p).map_err(io(p))?;
        loop {
            let n = f.read(&mut buf).map_err(io(p))?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
    }
    Ok(hex::encode(h.finalize()))
}

/// A model file made ready to store: canonical text and its digest.
pub fn stored_model(model: &Model, author: &str, approved_on: &str) -> StoredModel {
    let body = model.to_json();
    StoredModel {
        id: model.id.clone(),
        version: model.version,
        author: author.to_string(),
        approved_on: approved_on.to_string(),
        stored_at: selaras_store::now_utc(),
        digest: hex::encode(Sha256::digest(body.as_bytes())),
        body,
    }
}

pub(crate) async fn load_model(
    store: &dyn Storage,
    id: &str,
    version: Option<i64>,
) -> Result<Model, EditionError> {
    let stored = store.model(id, version).await?.ok_or_else(|| {
        EditionError::NotFound(match version {
            Some(v) => format!("no model {id} version {v} in the registry"),
            None => {
                format!("no model {id} in the registry: store it first with `selaras model add`")
            }
        })
    })?;
    Model::from_json(&stored.body).map_err(|e| EditionError::BadModel {
        id: stored.id.clone(),
        version: stored.version,
        reason: e.to_string(),
    })
}

/// What a run produced, before it is stored.
struct Run {
    households: i64,
    members: i64,
    input_digest: String,
    output_digest: String,
    ranks: Vec<HouseholdRank>,
}

/// Exports the snapshot next to `out`, ranks it into `out`, digests both.
async fn run(
    store: &dyn Storage,
    model: Model,
    change: i64,
    out: &Path,
    progress: Option<Progress>,
) -> Result<Run, EditionError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let snap = tempfile::Builder::new()
        .prefix(".selaras-snapshot-")
        .tempdir_in(&parent)
        .map_err(io(&parent))?;
    let report = export_dir_at(store, snap.path(), Some(change)).await?;
    let out = out.to_path_buf();
    let dir = snap.path().to_path_buf();
    let (input_digest, output_digest, ranks) = tokio::task::spawn_blocking(move || {
        let input = digest_files(&[dir.join(HOUSEHOLDS_FILE), dir.join(MEMBERS_FILE)])?;
        let progress = progress
            .as_deref()
            .map(|p| p as &selaras_targeting::Progress);
        let frame = Frame::read_dir(&dir, &model, progress)?;
        let ranking = selaras_targeting::score_and_rank(&frame, &model);
        selaras_targeting::write_outputs(&frame, &model, &ranking, &out)?;
        let output = digest_files(std::slice::from_ref(&out))?;
        let ranks = household_ranks(&frame, &model, &ranking);
        Ok::<_, EditionError>((input, output, ranks))
    })
    .await
    .map_err(|e| EditionError::Stopped(e.to_string()))??;
    Ok(Run {
        households: report.households as i64,
        members: report.members as i64,
        input_digest,
        output_digest,
        ranks,
    })
}

/// Every household's row as stored with an edition.
fn household_ranks(
    frame: &Frame,
    model: &Model,
    ranking: &selaras_targeting::Ranking,
) -> Vec<HouseholdRank> {
    (0..frame.len())
        .map(|i| {
            let r = ranking.ranks[i];
            let unscored = frame.unscorable(i);
            let rank = |v: u32| unscored.is_none().then_some(v as i64);
            HouseholdRank {
                household_id: String::from_utf8_lossy(frame.id(i)).into_owned(),
                segment: model.segment(frame.segment_of(i)).label().to_string(),
                score: unscored.is_none().then_some(ranking.scores[i]),
                national_rank: rank(r.national_rank),
                national_percentile: rank(r.national_percentile),
                national_decile: rank(r.national_decile),
                province_decile: rank(r.province_decile),
                regency_decile: rank(r.regency_decile),
                imputed: ranking.imputed[i],
                unscored: unscored.map(|u| u.code().to_string()),
            }
        })
        .collect()
}

/// Ranks the registry's current snapshot with a stored model (`version: None`: its
/// highest), writes `out` (and its unscored list) and stores the edition.
pub async fn rank_registry(
    store: &dyn Storage,
    model_id: &str,
    version: Option<i64>,
    out: &Path,
    actor: &str,
    progress: Option<Progress>,
) -> Result<Edition, EditionError> {
    let model = load_model(store, model_id, version).await?;
    let (change, at) = store
        .snapshot()
        .await?
        .ok_or_else(|| EditionError::NotFound("the registry is empty: nothing to rank".into()))?;
    let (id, model_version) = (model.id.clone(), model.version);
    let r = run(store, model, change, out, progress).await?;
    let ranked = r.ranks.iter().filter(|x| x.unscored.is_none()).count() as i64;
    let edition = NewEdition {
        model_id: id,
        model_version,
        snapshot_change: change,
        snapshot_at: at,
        households: r.households,
        members: r.members,
        ranked,
        unscored: r.ranks.len() as i64 - ranked,
        input_digest: r.input_digest,
        output_digest: r.output_digest,
        created_by: actor.to_string(),
    };
    Ok(store.save_edition(&edition, &r.ranks).await?)
}

/// Runs a stored edition again on its snapshot into `out`; `true` when ranks.csv is
/// byte-identical to the edition's (by digest).
pub async fn rerun_edition(
    store: &dyn Storage,
    edition: i64,
    out: &Path,
    progress: Option<Progress>,
) -> Result<(Edition, bool), EditionError> {
    let e = store
        .edition(edition)
        .await?
        .ok_or_else(|| EditionError::NotFound(format!("no ranking edition {edition}")))?;
    let model = load_model(store, &e.model_id, Some(e.model_version)).await?;
    let r = run(store, model, e.snapshot_change, out, progress).await?;
    if r.input_digest != e.input_digest {
        return Err(EditionError::SnapshotChanged {
            edition,
            stored: e.input_digest,
            now: r.input_digest,
        });
    }
    let same = r.output_digest == e.output_digest;
    Ok((e, same))
}
