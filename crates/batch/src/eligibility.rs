//! `selaras eligibility --data DIR --model FILE --as-of DATE --out DIR` (programs-default.md,
//! "Output of a batch run"): every program's eligible units (`eligibility.csv`), per
//! program the counts of the gap analysis (`summary.csv`), the same per regency
//! (`gaps_by_regency.csv`), the combinations of programs households receive
//! (`combinations.csv`), and for programs with quotas the selected units and the waiting
//! list in rank order (`quota.csv`).
//!
//! The ranks come from the targeting engine (the same as `rank`); every household is then
//! read through the domain's row parsers and judged by [`Rule::eval`] over
//! [`RecordFacts`] — the very code that answers for one household on demand, so the batch
//! and the household page cannot disagree. Households and people with an exit state are
//! left out, as in ranking; a household that cannot be scored has unknown ranks, so a rule
//! that reads them does not hold for it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use selaras_domain::pmt::Model;
use selaras_domain::programs::{apply_quota, Program};
use selaras_domain::registry::{Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::rules::{Facts, RankFacts, RecordFacts, Unit, Val, Var};
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
    // Members by household, at the household's place in the frame (no keys to hash);
    // households.csv order is the frame's, so they are taken in step below.
    let mut members: Vec<Vec<Member>> = (0..frame.len()).map(|_| Vec::new()).collect();
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
                // Not in the frame: a household with an exit state (the frame has checked
                // that every member's household exists).
                if let (None, Some(i)) = (m.exit, frame.find(m.household_id.as_str().as_bytes())) {
                    members[i].push(m);
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
            unit: p.unit.code(),
            enrolled_households: p.participation_flag.map(|_| 0),
            eligible_not_enrolled: p.participation_flag.map(|_| 0),
            enrolled_not_eligible: p.participation_flag.map(|_| 0),
            ..Default::default()
        })
        .collect();

    // Per regency: the gap counts of flagged programs, and the combinations of programs
    // households receive (their participation flags).
    let mut gaps: BTreeMap<(String, usize), [u64; 4]> = BTreeMap::new();
    let mut combos: BTreeMap<(String, String), u64> = BTreeMap::new();
    // Eligible units of programs with quotas: (program, quota, rank, household, nik).
    let mut quota_units: Vec<(usize, usize, Option<u64>, String, String)> = Vec::new();

    let mut hf = ix::open(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
    let mut batch: Vec<(Household, Vec<Member>, Option<RankFacts>)> = Vec::with_capacity(BATCH);
    let mut merge = |judged: Vec<Judged>| {
        for j in judged {
            let mut received: Vec<&str> = Vec::new();
            for (k, (p, r)) in programs.iter().zip(&j.programs).enumerate() {
                let quota = p.quota_for(&j.region);
                for nik in &r.eligible {
                    let _ = writeln!(rows[k], "{},{},{},{nik}", p.code, p.unit.code(), j.id);
                    if let Some(q) = quota {
                        quota_units.push((k, q, j.national_rank, j.id.clone(), nik.clone()));
                    }
                }
                let s = &mut sums[k];
                s.eligible_units += r.eligible.len() as u64;
                let eligible = !r.eligible.is_empty();
                s.eligible_households += eligible as u64;
                if let Some(enrolled) = r.enrolled {
                    *s.enrolled_households.get_or_insert(0) += enrolled as u64;
                    *s.eligible_not_enrolled.get_or_insert(0) += (eligible && !enrolled) as u64;
                    *s.enrolled_not_eligible.get_or_insert(0) += (enrolled && !eligible) as u64;
                    let g = gaps.entry((j.regency.clone(), k)).or_default();
                    g[0] += eligible as u64;
                    g[1] += enrolled as u64;
                    g[2] += (eligible && !enrolled) as u64;
                    g[3] += (enrolled && !eligible) as u64;
                    if enrolled {
                        received.push(&p.code);
                    }
                }
            }
            let combo = if received.is_empty() {
                "none".to_string()
            } else {
                received.join("+")
            };
            *combos.entry((j.regency, combo)).or_default() += 1;
        }
    };
    let judge_all = |batch: &mut Vec<(Household, Vec<Member>, Option<RankFacts>)>| -> Vec<Judged> {
        use rayon::prelude::*;
        let judged = batch
            .par_iter()
            .map(|(h, ms, rank)| judge(h, ms, *rank, programs, as_of))
            .collect();
        batch.clear();
        judged
    };
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
        let (ms, rank) = match frame.find(h.id.as_str().as_bytes()) {
            None => (Vec::new(), None),
            Some(i) => {
                let r = ranking.ranks[i];
                let rank = (r.national_rank > 0).then(|| RankFacts {
                    score: ranking.scores[i],
                    national_rank: r.national_rank as u64,
                    national_percentile: r.national_percentile as u64,
                    national_decile: r.national_decile as u64,
                    province_decile: r.province_decile as u64,
                    regency_decile: r.regency_decile as u64,
                });
                (std::mem::take(&mut members[i]), rank)
            }
        };
        batch.push((h, ms, rank));
        if batch.len() == BATCH {
            merge(judge_all(&mut batch));
        }
    }
    merge(judge_all(&mut batch));
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

    write_csv(
        &out.join("gaps_by_regency.csv"),
        "regency,program,eligible_households,enrolled_households,eligible_not_enrolled,enrolled_not_eligible",
        gaps.iter().map(|((regency, k), g)| {
            format!(
                "{regency},{},{},{},{},{}",
                programs[*k].code, g[0], g[1], g[2], g[3]
            )
        }),
    )?;
    write_csv(
        &out.join("combinations.csv"),
        "regency,programs_received,households",
        combos
            .iter()
            .map(|((regency, combo), n)| format!("{regency},{combo},{n}")),
    )?;
    if programs.iter().any(|p| !p.quotas.is_empty()) {
        let mut lines = Vec::new();
        let mut by_quota: BTreeMap<(usize, usize), Vec<RankedUnit>> = BTreeMap::new();
        for (k, q, rank, hh, nik) in quota_units {
            by_quota
                .entry((k, q))
                .or_default()
                .push((rank, (rank, hh, nik)));
        }
        for ((k, q), units) in by_quota {
            let (region, quota) = &programs[k].quotas[q];
            let (selected, waiting) = apply_quota(units, *quota);
            let rank = |r: Option<u64>| r.map_or(String::new(), |r| r.to_string());
            for (i, (r, hh, nik)) in selected.into_iter().enumerate() {
                lines.push(format!(
                    "{},{region},{hh},{nik},{},selected,{}",
                    programs[k].code,
                    rank(r),
                    i + 1
                ));
            }
            for (i, (r, hh, nik)) in waiting.into_iter().enumerate() {
                lines.push(format!(
                    "{},{region},{hh},{nik},{},waiting,{}",
                    programs[k].code,
                    rank(r),
                    i + 1
                ));
            }
        }
        write_csv(
            &out.join("quota.csv"),
            "program,quota_region,household_id,nik,national_rank,status,position",
            lines.into_iter(),
        )?;
    }
    Ok(sums)
}

/// Households judged in parallel at a time (in file order, merged in order).
const BATCH: usize = 4_096;

/// One household's verdicts under every program.
struct Judged {
    id: String,
    region: String,
    regency: String,
    national_rank: Option<u64>,
    programs: Vec<ProgramResult>,
}

struct ProgramResult {
    /// Eligible units: NIKs (member programs) or one empty NIK (the household).
    eligible: Vec<String>,
    /// The participation flag, for programs that have one.
    enrolled: Option<bool>,
}

fn judge(
    h: &Household,
    ms: &[Member],
    rank: Option<RankFacts>,
    programs: &[Program],
    as_of: Date,
) -> Judged {
    let facts = RecordFacts::new(h, ms, as_of, rank);
    let region = h.region.as_str();
    Judged {
        id: h.id.to_string(),
        region: region.to_string(),
        regency: region.get(..5).unwrap_or(region).to_string(),
        national_rank: rank.map(|r| r.national_rank),
        programs: programs
            .iter()
            .map(|p| ProgramResult {
                eligible: match p.unit {
                    Unit::Household => {
                        if p.rule.eval(&facts, None) == Some(true) {
                            vec![String::new()]
                        } else {
                            Vec::new()
                        }
                    }
                    Unit::Member => facts
                        .niks
                        .iter()
                        .enumerate()
                        .filter(|(m, _)| p.rule.eval(&facts, Some(*m)) == Some(true))
                        .map(|(_, nik)| nik.clone())
                        .collect(),
                },
                enrolled: p
                    .participation_flag
                    .map(|c| facts.value(Var::Household(c), None) == Val::Bool(true)),
            })
            .collect(),
    }
}

/// An eligible unit under a quota: its national rank, household and NIK (empty for a
/// household program).
type QuotaUnit = (Option<u64>, String, String);
/// A unit with the rank it is ordered by.
type RankedUnit = (Option<u64>, QuotaUnit);

fn write_csv(
    path: &Path,
    header: &str,
    lines: impl Iterator<Item = String>,
) -> Result<(), EligibilityError> {
    let io = |e| EligibilityError::Output(path.display().to_string(), e);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    writeln!(w, "{header}").map_err(io)?;
    for l in lines {
        writeln!(w, "{l}").map_err(io)?;
    }
    w.flush().map_err(io)
}
