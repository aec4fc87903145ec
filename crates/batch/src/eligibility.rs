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
//!
//! Each file is read on a thread of its own and parsed, converted and judged in parallel
//! chunks; only the columns the catalogue's rules read are kept per member ([`Reads`]).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::Path;

use selaras_domain::pmt::Model;
use selaras_domain::programs::{apply_quota, Program};
use selaras_domain::registry::{FieldError, Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::rules::{Facts, MemberRow, RankFacts, Reads, RecordFacts, Unit, Val, Var};
use selaras_domain::{Date, Nik};
use selaras_interchange::{self as ix, MappedRow, HOUSEHOLDS_FILE, MEMBERS_FILE};
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
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
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

/// One line of gaps_by_regency.csv (programs with a participation flag).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GapRow {
    pub regency: String,
    pub program: String,
    pub eligible_households: u64,
    pub enrolled_households: u64,
    pub eligible_not_enrolled: u64,
    pub enrolled_not_eligible: u64,
}

/// One line of combinations.csv: how many households of a regency receive exactly this
/// set of flagged programs (`pkh+bpnt`, or `none`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ComboRow {
    pub regency: String,
    pub programs_received: String,
    pub households: u64,
}

/// One line of quota.csv: an eligible unit of a program with a quota, selected or
/// waiting, with its place in that list (1-based).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct QuotaRow {
    pub program: String,
    pub quota_region: String,
    pub household_id: String,
    /// Empty for household programs.
    pub nik: String,
    /// The household's village.
    pub region: String,
    pub national_rank: Option<u64>,
    pub selected: bool,
    pub position: u64,
}

/// Everything a run computes but the list of eligible units (which is streamed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub summary: Vec<Summary>,
    pub gaps: Vec<GapRow>,
    pub combinations: Vec<ComboRow>,
    pub quota: Vec<QuotaRow>,
    /// The same gap counts and combinations per village (`regency` holds the village
    /// code), for dashboards that drill down below the regency.
    pub village_gaps: Vec<GapRow>,
    pub village_combinations: Vec<ComboRow>,
}

/// Bytes kept in blocks of 1 MiB: appending never moves what is stored (eligibility.csv
/// is held until every household is judged, to be written program by program).
#[derive(Default)]
struct Blocks(Vec<Vec<u8>>);

impl Blocks {
    const SIZE: usize = 1 << 20;

    fn push(&mut self, bytes: &[u8]) {
        match self.0.last_mut() {
            Some(b) if b.len() + bytes.len() <= b.capacity() => b.extend_from_slice(bytes),
            _ => {
                let mut b = Vec::with_capacity(Self::SIZE.max(bytes.len()));
                b.extend_from_slice(bytes);
                self.0.push(b);
            }
        }
    }
}

/// A quota unit with the rank it is ordered by.
type RankedRow = (Option<u64>, QuotaRow);

/// Ranks `dir` with `model`, then judges every active household with `each`, in file
/// order (see the module's notes).
fn judge_dir(
    dir: &Path,
    model: &Model,
    programs: &[Program],
    as_of: Date,
    mut each: impl FnMut(Option<Judged>),
) -> Result<(), EligibilityError> {
    use rayon::prelude::*;
    let frame = Frame::read_dir(dir, model, None)?;
    let ranking = selaras_targeting::score_and_rank(&frame, model);
    let regions = Regions::default();
    // Only the columns the rules and the participation flags read are kept.
    let reads = Reads::with_household_columns(
        programs.iter().map(|p| &p.rule),
        programs.iter().filter_map(|p| p.participation_flag),
    );
    let rank_of = |i: usize| {
        let r = ranking.ranks[i];
        (r.national_rank > 0).then(|| RankFacts {
            score: ranking.scores[i],
            national_rank: r.national_rank as u64,
            national_percentile: r.national_percentile as u64,
            national_decile: r.national_decile as u64,
            province_decile: r.province_decile as u64,
            regency_decile: r.regency_decile as u64,
        })
    };
    // A member with its household's place in the frame; `None` for an exited member or
    // a member of an exited household (the frame has checked that every member's
    // household exists).
    let parse_member = |row: &MappedRow<'_>| {
        let m = Member::from_row(row, &regions)?;
        let at = match m.exit {
            None => frame.find(m.household_id.as_str().as_bytes()),
            Some(_) => None,
        };
        Ok((at, reads.member_row(&m, as_of)))
    };
    // An active household with its place in the frame.
    let parse_household = |row: &MappedRow<'_>| {
        let h = Household::from_row(row, &regions)?;
        if h.exit.is_some() {
            return Ok(None);
        }
        let at = frame.find(h.id.as_str().as_bytes());
        Ok(Some((h, at)))
    };
    let judge_one = |h: &Household, ms: &[MemberRow], at: Option<usize>| {
        judge(h, ms, at.and_then(rank_of), programs, &reads)
    };

    // Judged households are handed in order to `each` on this thread while the next
    // chunks are read and judged (the accumulation overlaps the parallel work).
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Judged>>(2);
        let frame = &frame;
        let (parse_household, parse_member, judge_one) =
            (&parse_household, &parse_member, &judge_one);
        let producer = scope.spawn(move || -> Result<(), EligibilityError> {
            let mut households = Chunks::start(scope, dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
            if frame.members_in_order() {
                // Both files side by side: the members of each chunk of households are taken
                // from the members' stream as it comes; nothing else is kept.
                // Households with their members are assembled on a thread of their own
                // while the chunk before is judged.
                type Batch = Vec<(Household, Vec<MemberRow>, Option<usize>)>;
                let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Batch>(2);
                let assembler = scope.spawn(move || -> Result<(), EligibilityError> {
                    let mut members = Chunks::start(scope, dir, MEMBERS_FILE, MEMBER_COLUMNS)?;
                    let mut next: std::collections::VecDeque<(Option<usize>, MemberRow)> =
                        Default::default();
                    let mut members_done = false;
                    while let Some(chunk) = households.next(&parse_household)? {
                        let mut batch = Vec::with_capacity(chunk.len());
                        for (h, at) in chunk.into_iter().flatten() {
                            let mut ms = Vec::new();
                            if let Some(c) = at {
                                loop {
                                    if next.is_empty() && !members_done {
                                        match members.next(&parse_member)? {
                                            Some(v) => next.extend(v),
                                            None => members_done = true,
                                        }
                                    }
                                    match next.front() {
                                        Some((None, _)) => {
                                            next.pop_front();
                                        }
                                        Some((Some(p), _)) if *p == c => {
                                            if let Some((_, m)) = next.pop_front() {
                                                ms.push(m);
                                            }
                                        }
                                        // Cannot happen when the frame found the members in
                                        // order; said rather than judged wrongly.
                                        Some((Some(p), _)) if *p < c => {
                                            return Err(EligibilityError::Row {
                                                file: MEMBERS_FILE,
                                                line: 0,
                                                column: "household_id".into(),
                                                reason: "members out of households.csv's order"
                                                    .into(),
                                            })
                                        }
                                        _ => break,
                                    }
                                }
                            }
                            batch.push((h, ms, at));
                        }
                        if batch_tx.send(batch).is_err() {
                            return Ok(());
                        }
                    }
                    Ok(())
                });
                for batch in batch_rx {
                    let judged: Vec<Judged> = batch
                        .par_iter()
                        .map(|(h, ms, at)| judge_one(h, ms, *at))
                        .collect();
                    if tx.send(judged).is_err() {
                        break;
                    }
                }
                assembler.join().map_err(|_| {
                    EligibilityError::Output(
                        "eligibility".into(),
                        std::io::Error::other("the reading thread failed"),
                    )
                })??;
            } else {
                // Members out of order: all of them first, at their household's place.
                let mut members = Chunks::start(scope, dir, MEMBERS_FILE, MEMBER_COLUMNS)?;
                let mut by_household: Vec<Vec<MemberRow>> =
                    (0..frame.len()).map(|_| Vec::new()).collect();
                while let Some(chunk) = members.next(&parse_member)? {
                    for (at, m) in chunk {
                        if let Some(i) = at {
                            by_household[i].push(m);
                        }
                    }
                }
                while let Some(chunk) = households.next(&parse_household)? {
                    let judged: Vec<Judged> = chunk
                        .par_iter()
                        .flatten()
                        .map(|(h, at)| {
                            let ms: &[MemberRow] = at.map_or(&[], |i| &by_household[i]);
                            judge_one(h, ms, *at)
                        })
                        .collect();
                    if tx.send(judged).is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        });
        for judged in rx {
            judged.into_iter().for_each(|j| each(Some(j)));
        }
        producer.join().map_err(|_| {
            EligibilityError::Output(
                "eligibility".into(),
                std::io::Error::other("the judging thread failed"),
            )
        })?
    })
}

/// The regency part of a village code (`33.14.01.2001` → `33.14`).
fn regency_of(village: &str) -> &str {
    village.get(..5).unwrap_or(village)
}

/// Runs the programs over `dir`: the eligible units go to `units` as eligibility.csv
/// (header included), the rest comes back.
pub fn evaluate(
    dir: &Path,
    model: &Model,
    programs: &[Program],
    as_of: Date,
    units: &mut dyn Write,
) -> Result<Outcome, EligibilityError> {
    // Rows by program (catalogue order), then households in file order.
    let mut rows: Vec<Blocks> = (0..programs.len()).map(|_| Blocks::default()).collect();
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
    // Per village (by first appearance): the gap counts of flagged programs, and the
    // combinations of programs households receive (their participation flags); regency
    // rows are their sums.
    let mut regencies: HashMap<String, usize> = HashMap::new();
    let mut gaps: Vec<Vec<[u64; 4]>> = Vec::new();
    let mut combos: HashMap<(usize, String), u64> = HashMap::new();
    // Eligible units of programs with quotas, by (program, quota): (rank, row).
    let mut quota_units: BTreeMap<(usize, usize), Vec<RankedRow>> = BTreeMap::new();

    judge_dir(dir, model, programs, as_of, |j| {
        let Some(j) = j else { return };
        let g = match regencies.get(&j.region) {
            Some(g) => *g,
            None => {
                regencies.insert(j.region.clone(), gaps.len());
                gaps.push(vec![[0; 4]; programs.len()]);
                gaps.len() - 1
            }
        };
        for (k, (p, r)) in programs.iter().zip(j.programs).enumerate() {
            rows[k].push(&r.lines);
            if let Some(q) = p.quota_for(&j.region) {
                for nik in r.eligible {
                    quota_units.entry((k, q)).or_default().push((
                        j.national_rank,
                        QuotaRow {
                            program: p.code.clone(),
                            quota_region: p.quotas[q].0.to_string(),
                            household_id: j.id.clone(),
                            nik,
                            region: j.region.clone(),
                            national_rank: j.national_rank,
                            selected: false,
                            position: 0,
                        },
                    ));
                }
            }
            let s = &mut sums[k];
            s.eligible_units += r.units as u64;
            let eligible = r.units > 0;
            s.eligible_households += eligible as u64;
            if let Some(enrolled) = r.enrolled {
                *s.enrolled_households.get_or_insert(0) += enrolled as u64;
                *s.eligible_not_enrolled.get_or_insert(0) += (eligible && !enrolled) as u64;
                *s.enrolled_not_eligible.get_or_insert(0) += (enrolled && !eligible) as u64;
                let c = &mut gaps[g][k];
                c[0] += eligible as u64;
                c[1] += enrolled as u64;
                c[2] += (eligible && !enrolled) as u64;
                c[3] += (enrolled && !eligible) as u64;
            }
        }
        *combos.entry((g, j.received)).or_default() += 1;
    })?;

    let io = |e| EligibilityError::Output("eligibility.csv".into(), e);
    units
        .write_all(b"program,unit,household_id,nik\n")
        .map_err(io)?;
    for r in rows.iter().flat_map(|b| &b.0) {
        units.write_all(r).map_err(io)?;
    }
    units.flush().map_err(io)?;

    let mut by_name: Vec<(&str, usize)> = regencies.iter().map(|(r, g)| (r.as_str(), *g)).collect();
    by_name.sort_unstable();
    let gap_rows = |keyed: &[(String, Vec<[u64; 4]>)]| -> Vec<GapRow> {
        keyed
            .iter()
            .flat_map(|(region, counts)| {
                programs
                    .iter()
                    .zip(counts)
                    .filter(|(p, _)| p.participation_flag.is_some())
                    .map(move |(p, c)| GapRow {
                        regency: region.clone(),
                        program: p.code.clone(),
                        eligible_households: c[0],
                        enrolled_households: c[1],
                        eligible_not_enrolled: c[2],
                        enrolled_not_eligible: c[3],
                    })
            })
            .collect()
    };
    let villages: Vec<(String, Vec<[u64; 4]>)> = by_name
        .iter()
        .map(|(v, g)| (v.to_string(), gaps[*g].clone()))
        .collect();
    // Villages are sorted, so a regency's villages are adjacent.
    let mut by_regency: Vec<(String, Vec<[u64; 4]>)> = Vec::new();
    for (v, counts) in &villages {
        let regency = regency_of(v);
        match by_regency.last_mut() {
            Some((r, sum)) if r == regency => {
                for (s, c) in sum.iter_mut().zip(counts) {
                    for i in 0..4 {
                        s[i] += c[i];
                    }
                }
            }
            _ => by_regency.push((regency.to_string(), counts.clone())),
        }
    }
    let village_gaps = gap_rows(&villages);
    let gaps = gap_rows(&by_regency);
    let name_of: HashMap<usize, &str> = by_name.iter().map(|(r, g)| (*g, *r)).collect();
    let mut village_combinations: Vec<ComboRow> = combos
        .into_iter()
        .map(|((g, combo), n)| ComboRow {
            regency: name_of[&g].to_string(),
            programs_received: combo,
            households: n,
        })
        .collect();
    village_combinations.sort_unstable_by(|a, b| {
        (&a.regency, &a.programs_received).cmp(&(&b.regency, &b.programs_received))
    });
    let mut regency_combos: BTreeMap<(String, String), u64> = BTreeMap::new();
    for c in &village_combinations {
        *regency_combos
            .entry((
                regency_of(&c.regency).to_string(),
                c.programs_received.clone(),
            ))
            .or_default() += c.households;
    }
    let combinations: Vec<ComboRow> = regency_combos
        .into_iter()
        .map(|((regency, programs_received), households)| ComboRow {
            regency,
            programs_received,
            households,
        })
        .collect();
    let mut quota = Vec::new();
    for ((k, q), units) in quota_units {
        let (selected, waiting) = apply_quota(units, programs[k].quotas[q].1);
        for (list, is_selected) in [(selected, true), (waiting, false)] {
            for (i, mut row) in list.into_iter().enumerate() {
                row.selected = is_selected;
                row.position = i as u64 + 1;
                quota.push(row);
            }
        }
    }
    Ok(Outcome {
        summary: sums,
        gaps,
        combinations,
        quota,
        village_gaps,
        village_combinations,
    })
}

/// Runs the programs over `dir` and writes eligibility.csv, summary.csv,
/// gaps_by_regency.csv, combinations.csv and (for programs with quotas) quota.csv.
pub fn eligibility_dir(
    dir: &Path,
    model: &Model,
    programs: &[Program],
    as_of: Date,
    out: &Path,
) -> Result<Vec<Summary>, EligibilityError> {
    std::fs::create_dir_all(out)
        .map_err(|e| EligibilityError::Output(out.display().to_string(), e))?;
    let path = out.join("eligibility.csv");
    let io = |e| EligibilityError::Output(path.display().to_string(), e);
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(io)?);
    let outcome = evaluate(dir, model, programs, as_of, &mut w)?;
    drop(w);

    let opt = |v: Option<u64>| v.map_or(String::new(), |x| x.to_string());
    write_csv(
        &out.join("summary.csv"),
        "program,unit,eligible_units,eligible_households,enrolled_households,eligible_not_enrolled,enrolled_not_eligible",
        outcome.summary.iter().map(|s| {
            format!(
                "{},{},{},{},{},{},{}",
                s.program,
                s.unit,
                s.eligible_units,
                s.eligible_households,
                opt(s.enrolled_households),
                opt(s.eligible_not_enrolled),
                opt(s.enrolled_not_eligible)
            )
        }),
    )?;
    write_csv(
        &out.join("gaps_by_regency.csv"),
        "regency,program,eligible_households,enrolled_households,eligible_not_enrolled,enrolled_not_eligible",
        outcome.gaps.iter().map(|g| {
            format!(
                "{},{},{},{},{},{}",
                g.regency,
                g.program,
                g.eligible_households,
                g.enrolled_households,
                g.eligible_not_enrolled,
                g.enrolled_not_eligible
            )
        }),
    )?;
    write_csv(
        &out.join("combinations.csv"),
        "regency,programs_received,households",
        outcome
            .combinations
            .iter()
            .map(|c| format!("{},{},{}", c.regency, c.programs_received, c.households)),
    )?;
    if programs.iter().any(|p| !p.quotas.is_empty()) {
        write_csv(
            &out.join("quota.csv"),
            "program,quota_region,household_id,nik,national_rank,status,position",
            outcome.quota.iter().map(|q| {
                format!(
                    "{},{},{},{},{},{},{}",
                    q.program,
                    q.quota_region,
                    q.household_id,
                    q.nik,
                    q.national_rank.map_or(String::new(), |r| r.to_string()),
                    if q.selected { "selected" } else { "waiting" },
                    q.position
                )
            }),
        )?;
    }
    Ok(outcome.summary)
}

/// A dry run's line: how a program's eligible households and people in one regency
/// change from one catalogue to another.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DryRunRow {
    pub regency: String,
    pub program: String,
    pub households_gaining: u64,
    pub households_losing: u64,
    pub people_gaining: u64,
    pub people_losing: u64,
}

/// What changes if catalogue `new` replaces `old` over the households of `dir`: per
/// regency and program (by code; a program only in one of them gains or loses all its
/// units), the households that become or stop being eligible, and the people: the
/// members who become or stop being eligible units, or for household programs the
/// members of such households. Rows without any change are left out.
pub fn dry_run(
    dir: &Path,
    model: &Model,
    old: &[Program],
    new: &[Program],
    as_of: Date,
) -> Result<Vec<DryRunRow>, EligibilityError> {
    let both: Vec<Program> = old.iter().chain(new).cloned().collect();
    let mut codes: Vec<&str> = new.iter().map(|p| p.code.as_str()).collect();
    for p in old {
        if !codes.contains(&p.code.as_str()) {
            codes.push(&p.code);
        }
    }
    let old_at = |c: &str| old.iter().position(|p| p.code == c);
    let new_at = |c: &str| new.iter().position(|p| p.code == c).map(|i| i + old.len());
    let mut rows: BTreeMap<(String, usize), DryRunRow> = BTreeMap::new();
    judge_dir(dir, model, &both, as_of, |j| {
        let Some(j) = j else { return };
        for (c, code) in codes.iter().enumerate() {
            let before = old_at(code).map(|k| &j.programs[k]);
            let after = new_at(code).map(|k| &j.programs[k]);
            let (was, is) = (
                before.is_some_and(|r| r.units > 0),
                after.is_some_and(|r| r.units > 0),
            );
            let people = |r: Option<&ProgramResult>| -> Vec<usize> {
                match r {
                    Some(r) if r.household_unit && r.units > 0 => (0..j.people).collect(),
                    Some(r) => r.members.clone(),
                    None => Vec::new(),
                }
            };
            let (p0, p1) = (people(before), people(after));
            let gaining = p1.iter().filter(|m| !p0.contains(m)).count() as u64;
            let losing = p0.iter().filter(|m| !p1.contains(m)).count() as u64;
            if was == is && gaining == 0 && losing == 0 {
                continue;
            }
            let row = rows
                .entry((j.regency.clone(), c))
                .or_insert_with(|| DryRunRow {
                    regency: j.regency.clone(),
                    program: code.to_string(),
                    ..Default::default()
                });
            row.households_gaining += (is && !was) as u64;
            row.households_losing += (was && !is) as u64;
            row.people_gaining += gaining;
            row.people_losing += losing;
        }
    })?;
    Ok(rows.into_values().collect())
}

/// Records parsed in parallel at a time (in file order, handed on in order).
const CHUNK: usize = 4_096;

type RawItem = Result<(u64, csv::ByteRecord), ix::Unreadable>;

/// A file read on a thread of its own (bytes only: no line counting, no text check),
/// its records decoded and parsed in parallel chunks by [`Chunks::next`], in file order.
/// The first bad row (in file order) stops the run with its line, found by reading the
/// file again, and column. Dropping it stops the reader.
struct Chunks {
    rx: std::sync::mpsc::Receiver<Vec<RawItem>>,
    map: ix::HeaderMap,
    name: &'static str,
    path: std::path::PathBuf,
}

impl Chunks {
    fn start<'s>(
        scope: &'s std::thread::Scope<'s, '_>,
        dir: &Path,
        name: &'static str,
        cols: &'static [selaras_domain::registry::Column],
    ) -> Result<Chunks, EligibilityError> {
        let mut file = ix::open_untracked(dir, name, cols)?;
        let map = file.map.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RawItem>>(4);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            while let Some(item) = file.next_bytes() {
                chunk.push(item.map(|(at, r)| (at, r.clone())));
                if chunk.len() == CHUNK
                    && tx
                        .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                        .is_err()
                {
                    return;
                }
            }
            if !chunk.is_empty() {
                let _ = tx.send(chunk);
            }
        });
        Ok(Chunks {
            rx,
            map,
            name,
            path: dir.join(name),
        })
    }

    /// The next chunk parsed by `parse`; `None` at the end of the file.
    fn next<T: Send>(
        &mut self,
        parse: &(impl Fn(&MappedRow<'_>) -> Result<T, Vec<FieldError>> + Sync),
    ) -> Result<Option<Vec<T>>, EligibilityError> {
        use rayon::prelude::*;
        let Ok(chunk) = self.rx.recv() else {
            return Ok(None);
        };
        let bad = |at: u64, column: String, reason: String| EligibilityError::Row {
            file: self.name,
            line: ix::line_at_offset(&self.path, at).unwrap_or(0),
            column,
            reason,
        };
        chunk
            .into_par_iter()
            .map(|item| {
                let (at, bytes) = item.map_err(|(at, why)| bad(at, String::new(), why))?;
                let record = csv::StringRecord::from_byte_record(bytes)
                    .map_err(|_| bad(at, String::new(), "row is not valid UTF-8".into()))?;
                parse(&MappedRow {
                    record: &record,
                    map: &self.map,
                })
                .map_err(|errs| {
                    let first = errs.into_iter().next();
                    bad(
                        at,
                        first
                            .as_ref()
                            .map_or(String::new(), |e| e.column.to_string()),
                        first.map_or("unreadable".into(), |e| e.reason),
                    )
                })
            })
            // Collected in order first: the error reported is the first in the file.
            .collect::<Vec<Result<T, _>>>()
            .into_iter()
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }
}

/// One household's verdicts under every program.
struct Judged {
    id: String,
    /// Active members.
    people: usize,
    region: String,
    regency: String,
    national_rank: Option<u64>,
    programs: Vec<ProgramResult>,
    /// The flagged programs the household receives, joined by `+` (`none`).
    received: String,
}

struct ProgramResult {
    units: usize,
    household_unit: bool,
    /// The eligible members (their places among the active ones), for member programs.
    members: Vec<usize>,
    /// The eligible units' lines of eligibility.csv.
    lines: Vec<u8>,
    /// Eligible units' NIKs (empty for the household), for programs with quotas only.
    eligible: Vec<String>,
    /// The participation flag, for programs that have one.
    enrolled: Option<bool>,
}

fn judge(
    h: &Household,
    ms: &[MemberRow],
    rank: Option<RankFacts>,
    programs: &[Program],
    reads: &Reads,
) -> Judged {
    let facts = RecordFacts::of_rows(h, ms.into(), rank, reads);
    let region = h.region.as_str();
    let mut received: Vec<&str> = Vec::new();
    let programs = programs
        .iter()
        .map(|p| {
            // Eligible units: NIKs, or `None` for the household.
            let members: Vec<usize> = match p.unit {
                Unit::Household => Vec::new(),
                Unit::Member => (0..facts.members())
                    .filter(|m| p.rule.eval(&facts, Some(*m)) == Some(true))
                    .collect(),
            };
            let niks: Vec<Option<Nik>> = match p.unit {
                Unit::Household if p.rule.eval(&facts, None) == Some(true) => vec![None],
                Unit::Household => Vec::new(),
                Unit::Member => members.iter().map(|m| Some(facts.nik(*m))).collect(),
            };
            let mut lines = Vec::new();
            for nik in &niks {
                let _ = write!(lines, "{},{},{},", p.code, p.unit.code(), h.id);
                let _ = match nik {
                    Some(n) => writeln!(lines, "{n}"),
                    None => writeln!(lines),
                };
            }
            let enrolled = p
                .participation_flag
                .map(|c| facts.value(Var::Household(c), None) == Val::Bool(true));
            if enrolled == Some(true) {
                received.push(&p.code);
            }
            ProgramResult {
                units: niks.len(),
                household_unit: p.unit == Unit::Household,
                members,
                lines,
                eligible: if p.quotas.is_empty() {
                    Vec::new()
                } else {
                    niks.iter()
                        .map(|n| n.map_or(String::new(), |n| n.to_string()))
                        .collect()
                },
                enrolled,
            }
        })
        .collect();
    Judged {
        id: h.id.to_string(),
        people: facts.members(),
        region: region.to_string(),
        regency: region.get(..5).unwrap_or(region).to_string(),
        national_rank: rank.map(|r| r.national_rank),
        programs,
        received: if received.is_empty() {
            "none".into()
        } else {
            received.join("+")
        },
    }
}

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
