//! `selaras eligibility --data DIR --model FILE --as-of DATE --out DIR` (programs-default.md,
//! "Output of a batch run"): every program's eligible units, and per program the counts of
//! the gap analysis.
//!
//! The ranks come from the targeting engine (the same as `rank`); every household is then
//! read through the domain's row parsers and judged by [`Rule::eval`] over
//! [`RecordFacts`] — the very code that answers for one household on demand, so the batch
//! and the household page cannot disagree. Households and people with an exit state are
//! left out, as in ranking; a household that cannot be scored has unknown ranks, so a rule
//! that reads them does not hold for it.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use selaras_domain::pmt::Model;
use selaras_domain::programs::Program;
use selaras_domain::registry::{Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::rules::{RankFacts, RecordFacts, Unit};
use selaras_domain::Date;
use selaras_interchange::{self as ix, MappedRow, ReadItem, HOUSEHOLDS_FILE, MEMBERS_FILE};
use selaras_targeting::{Frame, FrameError};

use crate::Regions;

#[derive(Debug, thiserror::Error)]
pub enum EligibilityError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error(transparent)]
    Files(#[from] ix::InterchangeError),
    #[error("{file} line {line}, column {column}: {reason}")]
    Row {
        file: &'static str,
        line: u64,
        column: String,
        reason: String,
    },
    #[error("{0}: cannot write: {1}")]
    Output(String, std::io::Error),
}

/// One line of summary.csv.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub program: String,
    pub unit: &'static str,
    pub eligible_units: u64,
    pub eligible_households: u64,
    /// `None` for programs without a participation flag.
    pub enrolled_households: Option<u64>,
    pub eligible_not_enrolled: Option<u64>,
    pub enrolled_not_eligible: Option<u64>,
}

fn unit_name(u: Unit) -> &'static str {
    match u {
        Unit::Household => "household",
        Unit::Member => "member",
    }
}

fn row_error(
    file: &'static str,
    line: u64,
    errs: Vec<selaras_domain::registry::FieldError>,
) -> EligibilityError {
    let first = errs.into_iter().next();
    EligibilityError::Row {
        file,
        line,
        column: first
            .as_ref()
            .map_or(String::new(), |e| e.column.to_string()),
        reason: first.map_or("unreadable".into(), |e| e.reason),
    }
}

/// Runs the programs over `dir` and writes `out/eligibility.csv` and `out/summary.csv`.
pub fn eligibility_dir(
    dir: &Path,
    model: &Model,
    programs: &[Program],
    as_of: Date,
    out: &Path,
) -> Result<Vec<Summary>, EligibilityError> {
    let frame = Frame::read_dir(dir, model, None)?;
    let ranking = selaras_targeting::score_and_rank(&frame, model);
    let regions = Regions::default();

    // Members by household (active ones; the household's order of the file).
    let mut members: HashMap<String, Vec<Member>> = HashMap::new();
    let mut mf = ix::open(dir, MEMBERS_FILE, MEMBER_COLUMNS)?;
    while let Some(item) = mf.next_item() {
        match item {
            ReadItem::Unreadable { line, reason } => {
                return Err(EligibilityError::Row {
                    file: MEMBERS_FILE,
                    line,
                    column: String::new(),
                    reason,
                })
            }
            ReadItem::Record { line, record } => {
                let m = Member::from_row(
                    &MappedRow {
                        record: &record,
                        map: &mf.map,
                    },
                    &regions,
                )
                .map_err(|e| row_error(MEMBERS_FILE, line, e))?;
                if m.exit.is_none() {
                    members
                        .entry(m.household_id.to_string())
                        .or_default()
                        .push(m);
                }
            }
        }
    }

    std::fs::create_dir_all(out)
        .map_err(|e| EligibilityError::Output(out.display().to_string(), e))?;
    let path = out.join("eligibility.csv");
    let io = |e| EligibilityError::Output(path.display().to_string(), e);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    w.write_all(b"program,unit,household_id,nik\n")
        .map_err(io)?;
    // Rows by program (catalogue order), then households in file order.
    let mut rows: Vec<Vec<u8>> = vec![Vec::new(); programs.len()];
    let mut sums: Vec<Summary> = programs
        .iter()
        .map(|p| Summary {
            program: p.code.clone(),
            unit: unit_name(p.unit),
            enrolled_households: p.participation_flag.map(|_| 0),
            eligible_not_enrolled: p.participation_flag.map(|_| 0),
            enrolled_not_eligible: p.participation_flag.map(|_| 0),
            ..Default::default()
        })
        .collect();

    let mut hf = ix::open(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
    while let Some(item) = hf.next_item() {
        let (line, record) = match item {
            ReadItem::Unreadable { line, reason } => {
                return Err(EligibilityError::Row {
                    file: HOUSEHOLDS_FILE,
                    line,
                    column: String::new(),
                    reason,
                })
            }
            ReadItem::Record { line, record } => (line, record),
        };
        let h = Household::from_row(
            &MappedRow {
                record: &record,
                map: &hf.map,
            },
            &regions,
        )
        .map_err(|e| row_error(HOUSEHOLDS_FILE, line, e))?;
        if h.exit.is_some() {
            continue;
        }
        let id = h.id.to_string();
        let rank = frame.find(id.as_bytes()).and_then(|i| {
            let r = ranking.ranks[i];
            (r.national_rank > 0).then(|| RankFacts {
                score: ranking.scores[i],
                national_rank: r.national_rank as u64,
                national_percentile: r.national_percentile as u64,
                national_decile: r.national_decile as u64,
                province_decile: r.province_decile as u64,
                regency_decile: r.regency_decile as u64,
            })
        });
        let ms = members.remove(&id).unwrap_or_default();
        let facts = RecordFacts::new(&h, &ms, as_of, rank);
        let values = h.values();
        for (k, p) in programs.iter().enumerate() {
            let mut units = 0u64;
            match p.rule.unit {
                Unit::Household => {
                    if p.rule.eval(&facts, None) == Some(true) {
                        units = 1;
                        let _ = writeln!(rows[k], "{},household,{id},", p.code);
                    }
                }
                Unit::Member => {
                    for (m, nik) in facts.niks.iter().enumerate() {
                        if p.rule.eval(&facts, Some(m)) == Some(true) {
                            units += 1;
                            let _ = writeln!(rows[k], "{},member,{id},{nik}", p.code);
                        }
                    }
                }
            }
            let s = &mut sums[k];
            s.eligible_units += units;
            let eligible = units > 0;
            s.eligible_households += eligible as u64;
            if let Some(col) = p.participation_flag {
                let enrolled = matches!(values[col], selaras_domain::registry::Value::Bool(true));
                *s.enrolled_households.get_or_insert(0) += enrolled as u64;
                *s.eligible_not_enrolled.get_or_insert(0) += (eligible && !enrolled) as u64;
                *s.enrolled_not_eligible.get_or_insert(0) += (enrolled && !eligible) as u64;
            }
        }
    }
    for r in &rows {
        w.write_all(r).map_err(io)?;
    }
    w.flush().map_err(io)?;

    let path = out.join("summary.csv");
    let io = |e| EligibilityError::Output(path.display().to_string(), e);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    w.write_all(b"program,unit,eligible_units,eligible_households,enrolled_households,eligible_not_enrolled,enrolled_not_eligible\n")
        .map_err(io)?;
    let opt = |v: Option<u64>| v.map_or(String::new(), |x| x.to_string());
    for s in &sums {
        writeln!(
            w,
            "{},{},{},{},{},{},{}",
            s.program,
            s.unit,
            s.eligible_units,
            s.eligible_households,
            opt(s.enrolled_households),
            opt(s.eligible_not_enrolled),
            opt(s.enrolled_not_eligible)
        )
        .map_err(io)?;
    }
    w.flush().map_err(io)?;
    Ok(sums)
}
