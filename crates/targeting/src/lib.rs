//! The targeting engine: proxy-means-test scores and ranks (pmt-model.md) over a data set
//! of any size that fits the machine.
//!
//! Columnar and streaming: households.csv is read once into one vector per variable the
//! model uses (not into records); members.csv is streamed into per-household counters
//! ([`MemberStats`]); then every household is scored and one sort ranks the nation, the
//! provinces and the regencies together (a household's place within its province or
//! regency follows from its national place, since all three orders are by score then id).
//!
//! Households and people with an exit state (moved, deceased, graduated, duplicate) are
//! not ranked and do not count towards household size.

pub mod frame;
pub mod report;
pub mod survey;

use std::io::Write;

use rayon::prelude::*;
use std::path::Path;

pub use frame::{Frame, FrameError, Progress};
use selaras_domain::pmt::{bucket, Model, Unscorable};

/// One household's ranks (all 0 for a household that cannot be scored). `u32`: a
/// nation of 30 M households keeps 20 bytes a household here, not 40.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rank {
    pub national_rank: u32,
    pub national_percentile: u32,
    pub national_decile: u32,
    pub province_decile: u32,
    pub regency_decile: u32,
}

/// Scores and ranks of a frame, in the frame's household order.
pub struct Ranking {
    pub scores: Vec<f64>,
    pub imputed: Vec<bool>,
    pub ranks: Vec<Rank>,
    /// Households that cannot be scored (no members, no head, several heads), by frame
    /// position: listed apart, never ranked, so they shift nobody's place.
    pub unscored: Vec<(u32, Unscorable)>,
}

impl Ranking {
    /// Households ranked.
    pub fn ranked(&self) -> usize {
        self.ranks.len() - self.unscored.len()
    }
}

/// A score's bits mapped so that unsigned order is `f64::total_cmp` order.
fn order_bits(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// What the sort moves: the score's order bits, the household and its regency, 16 bytes.
/// Comparing two keys touches nothing else unless scores tie (then the ids decide), so the
/// sort streams through memory instead of chasing `scores[i]` for every comparison.
#[derive(Clone, Copy)]
struct Key {
    score: u64,
    household: u32,
    regency: u16,
}

/// Ranks the scored households (`skip[i]`: not ranked): by score ascending, ties by
/// household id (byte order), nationally and within each province and regency.
pub fn rank(frame: &Frame, scores: &[f64], skip: &[bool]) -> Vec<Rank> {
    let mut keys: Vec<Key> = (0..scores.len())
        .into_par_iter()
        .filter(|&i| !skip[i])
        .map(|i| Key {
            score: order_bits(scores[i]),
            household: i as u32,
            regency: frame.regency_of(i),
        })
        .collect();
    keys.par_sort_unstable_by(|a, b| {
        a.score.cmp(&b.score).then_with(|| {
            frame
                .id(a.household as usize)
                .cmp(frame.id(b.household as usize))
        })
    });
    let n = keys.len() as u64;
    let regencies = frame.regency_count();
    let province: Vec<usize> = (0..regencies)
        .map(|g| frame.province_of_regency(g as u16) as usize)
        .collect();
    let mut reg_n = vec![0u64; regencies];
    let mut prov_n = vec![0u64; 100];
    for k in &keys {
        reg_n[k.regency as usize] += 1;
        prov_n[province[k.regency as usize]] += 1;
    }
    let mut reg_seen = vec![0u64; regencies];
    let mut prov_seen = vec![0u64; 100];
    let mut out = vec![Rank::default(); scores.len()];
    for (pos, k) in keys.iter().enumerate() {
        let r = pos as u64 + 1;
        let g = k.regency as usize;
        let p = province[g];
        reg_seen[g] += 1;
        prov_seen[p] += 1;
        out[k.household as usize] = Rank {
            national_rank: r as u32,
            national_percentile: bucket(r, n, 100) as u32,
            national_decile: bucket(r, n, 10) as u32,
            province_decile: bucket(prov_seen[p], prov_n[p], 10) as u32,
            regency_decile: bucket(reg_seen[g], reg_n[g], 10) as u32,
        };
    }
    out
}

/// Scores and ranks a frame.
pub fn score_and_rank(frame: &Frame, model: &Model) -> Ranking {
    let (scores, imputed) = frame.scores(model);
    let mut skip = vec![false; frame.len()];
    let mut unscored = Vec::new();
    for (i, s) in skip.iter_mut().enumerate() {
        if let Some(why) = frame.unscorable(i) {
            *s = true;
            unscored.push((i as u32, why));
        }
    }
    let ranks = rank(frame, &scores, &skip);
    Ranking {
        scores,
        imputed,
        ranks,
        unscored,
    }
}

/// Writes ranks.csv (pmt-model.md, "Output") in the frame's household order. Rows are
/// formatted in parallel blocks, written in order.
pub fn write_ranks(
    frame: &Frame,
    model: &Model,
    ranking: &Ranking,
    out: &mut impl Write,
) -> std::io::Result<()> {
    out.write_all(b"household_id,segment,score,predicted_consumption,national_rank,national_percentile,national_decile,province_decile,regency_decile,imputed\n")?;
    const BLOCK: usize = 1 << 16;
    let blocks: Vec<usize> = (0..frame.len()).step_by(BLOCK).collect();
    for group in blocks.chunks(8) {
        let texts: Vec<Vec<u8>> = group
            .par_iter()
            .map(|&start| {
                let mut buf = Vec::with_capacity(BLOCK * 90);
                for i in start..(start + BLOCK).min(frame.len()) {
                    let s = ranking.scores[i];
                    let r = &ranking.ranks[i];
                    if r.national_rank == 0 {
                        continue;
                    }
                    buf.extend_from_slice(frame.id(i));
                    // Writing to a Vec cannot fail.
                    let _ = writeln!(
                        buf,
                        ",{},{:.6},{},{},{},{},{},{},{}",
                        model.segment(frame.segment_of(i)).label(),
                        s,
                        s.exp(),
                        r.national_rank,
                        r.national_percentile,
                        r.national_decile,
                        r.province_decile,
                        r.regency_decile,
                        ranking.imputed[i] as u8
                    );
                }
                buf
            })
            .collect();
        for t in texts {
            out.write_all(&t)?;
        }
    }
    Ok(())
}

/// Writes the households that cannot be scored: `household_id,reason`.
pub fn write_unscored(
    frame: &Frame,
    ranking: &Ranking,
    out: &mut impl Write,
) -> std::io::Result<()> {
    out.write_all(b"household_id,reason\n")?;
    for &(i, why) in &ranking.unscored {
        out.write_all(frame.id(i as usize))?;
        writeln!(out, ",{}", why.code())?;
    }
    Ok(())
}

/// What `rank_dir` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankSummary {
    pub ranked: usize,
    pub unscored: usize,
}

/// Where the unscored list of `ranks` goes: beside it, `NAME.unscored.csv`.
pub fn unscored_path(ranks: &Path) -> std::path::PathBuf {
    let stem = ranks
        .file_stem()
        .map_or("ranks".into(), |s| s.to_string_lossy().into_owned());
    ranks.with_file_name(format!("{stem}.unscored.csv"))
}

fn write_file(
    path: &Path,
    body: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), FrameError> {
    let f = std::fs::File::create(path)
        .map_err(|e| FrameError::Output(path.display().to_string(), e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    body(&mut w)
        .and_then(|_| w.flush())
        .map_err(|e| FrameError::Output(path.display().to_string(), e))
}

/// Writes ranks.csv and, beside it, the unscored list (see [`unscored_path`]).
pub fn write_outputs(
    frame: &Frame,
    model: &Model,
    ranking: &Ranking,
    out: &Path,
) -> Result<RankSummary, FrameError> {
    write_file(out, |w| write_ranks(frame, model, ranking, w))?;
    write_file(&unscored_path(out), |w| write_unscored(frame, ranking, w))?;
    Ok(RankSummary {
        ranked: ranking.ranked(),
        unscored: ranking.unscored.len(),
    })
}

/// `selaras rank --data DIR --model FILE --out FILE`.
pub fn rank_dir(
    dir: &Path,
    model: &Model,
    out: &Path,
    progress: Option<&Progress>,
) -> Result<RankSummary, FrameError> {
    let frame = Frame::read_dir(dir, model, progress)?;
    let ranking = score_and_rank(&frame, model);
    write_outputs(&frame, model, &ranking, out)
}
