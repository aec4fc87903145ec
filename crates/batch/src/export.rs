//! `selaras export`: the registry back in the interchange format, streamed.

use std::path::Path;

use selaras_interchange::{DatasetWriter, InterchangeError};
use selaras_store::{ExportItem, Storage, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Files(#[from] InterchangeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub households: u64,
    pub members: u64,
}

pub async fn export_dir(store: &dyn Storage, dir: &Path) -> Result<ExportReport, ExportError> {
    export_dir_at(store, dir, None).await
}

/// The registry as it stood right after change `at` (`None`: now).
pub async fn export_dir_at(
    store: &dyn Storage,
    dir: &Path,
    at: Option<i64>,
) -> Result<ExportReport, ExportError> {
    let mut w = DatasetWriter::create(dir)?;
    let mut report = ExportReport::default();
    store
        .export(at, &mut |item| {
            match item {
                ExportItem::Household(h) => {
                    report.households += 1;
                    w.household(&h.values())
                }
                ExportItem::Member(m) => {
                    report.members += 1;
                    w.member(&m.values())
                }
            }
            .map_err(|e| e.to_string())
        })
        .await?;
    w.finish()?;
    Ok(report)
}
