//! `selaras participation import FILE`: a program's participant list
//! (`program,household_id,nik,period,status`, columns in any order) into the registry.
//! Rows with an unknown program, NIK or household, or a bad period or status are
//! rejected with reasons (`FILE.rejects.csv`: `file,line,column,reason`); the rest are
//! recorded under one change, appended to each household's participation history.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use selaras_domain::participation::{Participation, PARTICIPATION_COLUMNS};
use selaras_domain::programs::Catalogue;
use selaras_interchange::RejectWriter;
use selaras_store::{ChangeKind, NewChange, NewParticipation, Storage, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ParticipationError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Files(#[from] selaras_interchange::InterchangeError),
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipationReport {
    pub loaded: u64,
    pub rejected: u64,
    pub rejects_path: PathBuf,
}

/// `FILE.rejects.csv` beside the list.
pub fn rejects_path(file: &Path) -> PathBuf {
    let name = file.file_name().map_or("participants.csv".into(), |n| {
        n.to_string_lossy().into_owned()
    });
    file.with_file_name(format!("{name}.rejects.csv"))
}

pub async fn import_participation(
    store: &dyn Storage,
    catalogue: &Catalogue,
    file: &Path,
    actor: &str,
) -> Result<ParticipationReport, ParticipationError> {
    let fname = file
        .file_name()
        .map_or(String::new(), |n| n.to_string_lossy().into_owned());
    let bad = |reason: String| ParticipationError::File {
        file: file.display().to_string(),
        reason,
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut at = [0usize; 5];
    let mut missing = Vec::new();
    for (k, c) in PARTICIPATION_COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h == c) {
            Some(i) => at[k] = i,
            None => missing.push(*c),
        }
    }
    if !missing.is_empty() {
        return Err(bad(format!("missing columns: {}", missing.join(", "))));
    }
    let rejects_path = rejects_path(file);
    let mut rejects = RejectWriter::create(&rejects_path)?;
    let mut rejected = HashSet::new();
    // (line, parsed row) of rows that parsed; the registry is asked next.
    let mut parsed: Vec<(u64, Participation)> = Vec::new();
    for rec in r.records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rejects.write(&fname, line, "", &format!("malformed CSV: {e}"))?;
                rejected.insert(line);
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let fields = at.map(|i| rec.get(i).unwrap_or(""));
        match Participation::parse(&fields, catalogue) {
            Ok(p) => parsed.push((line, p)),
            Err(errs) => {
                for (column, reason) in errs {
                    rejects.write(&fname, line, column, &reason)?;
                }
                rejected.insert(line);
            }
        }
    }
    // Households named directly must exist; people are found with their household.
    let named: Vec<String> = parsed
        .iter()
        .filter_map(|(_, p)| p.household_id.as_ref().map(|h| h.to_string()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let known: HashSet<String> = store
        .existing_households(&named)
        .await?
        .into_iter()
        .collect();
    let mut rows = Vec::with_capacity(parsed.len());
    for (line, p) in parsed {
        let nik = p.nik.map(|n| n.to_string());
        let household = match (&nik, &p.household_id) {
            (Some(n), given) => match store.household_of_person(n).await? {
                None => Err(("nik", format!("NIK {n} is not in the registry"))),
                Some(h) if given.as_ref().is_some_and(|g| g.as_str() != h) => Err((
                    "household_id",
                    format!("the person with NIK {n} belongs to household {h}"),
                )),
                Some(h) => Ok(h),
            },
            (None, Some(h)) if known.contains(h.as_str()) => Ok(h.to_string()),
            (None, Some(h)) => Err((
                "household_id",
                format!("household {h} is not in the registry"),
            )),
            (None, None) => Err(("household_id", "no household or NIK".to_string())),
        };
        match household {
            Ok(household_id) => rows.push(NewParticipation {
                program: p.program,
                household_id,
                nik,
                period: p.period,
                status: p.status,
            }),
            Err((column, reason)) => {
                rejects.write(&fname, line, column, &reason)?;
                rejected.insert(line);
            }
        }
    }
    rejects.finish()?;
    let loaded = if rows.is_empty() {
        0
    } else {
        let change = store
            .record_change(&NewChange {
                actor: actor.to_string(),
                kind: ChangeKind::Import,
                reference: Some(format!("participation:{fname}")),
                note: None,
            })
            .await?;
        store.record_participation(&change, &rows).await?
    };
    Ok(ParticipationReport {
        loaded,
        rejected: rejected.len() as u64,
        rejects_path,
    })
}
