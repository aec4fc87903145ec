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
use selaras_domain::pmt::{bucket, Model};

/// One household's ranks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rank {
    pub national_rank: u64,
    pub national_percentile: u64,
    pub national_decile: u64,
    pub province_decile: u64,
    pub regency_decile: u64,
}

/// Scores and ranks of a frame, in the frame's household order.
pub struct Ranking {
    pub scores: Vec<f64>,
    pub imputed: Vec<bool>,
    pub ranks: Vec<Rank>,
}

/// Ranks the scored households: by score ascending, ties by household id (byte order),
/// nationally and within each province and regency.
pub fn rank(frame: &Frame, scores: &[f64]) -> Vec<Rank> {
    let n = scores.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.par_sort_unstable_by(|&a, &b| {
        scores[a as usize]
            .total_cmp(&scores[b as usize])
            .then_with(|| frame.id(a as usize).cmp(frame.id(b as usize)))
    });
    let regencies = frame.regency_count();
    let mut reg_n = vec![0u64; regencies];
    let mut prov_n = vec![0u64; 100];
    for i in 0..n {
        reg_n[frame.regency_of(i) as usize] += 1;
        prov_n[frame.province_of(i) as usize] += 1;
    }
    let mut reg_seen = vec![0u64; regencies];
    let mut prov_seen = vec![0u64; 100];
    let mut out = vec![
        Rank {
            national_rank: 0,
            national_percentile: 0,
            national_decile: 0,
            province_decile: 0,
            regency_decile: 0,
        };
        n
    ];
    for (pos, &i) in order.iter().enumerate() {
        let i = i as usize;
        let r = pos as u64 + 1;
        let g = frame.regency_of(i) as usize;
        let p = frame.province_of(i) as usize;
        reg_seen[g] += 1;
        prov_seen[p] += 1;
        out[i] = Rank {
            national_rank: r,
            national_percentile: bucket(r, n as u64, 100),
            national_decile: bucket(r, n as u64, 10),
            province_decile: bucket(prov_seen[p], prov_n[p], 10),
            regency_decile: bucket(reg_seen[g], reg_n[g], 10),
        };
    }
    out
}

/// Scores and ranks a frame.
pub fn score_and_rank(frame: &Frame, model: &Model) -> Ranking {
    let (scores, imputed) = frame.scores(model);
    let ranks = rank(frame, &scores);
    Ranking {
        scores,
        imputed,
        ranks,
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

/// `selaras rank --data DIR --model FILE --out FILE`.
pub fn rank_dir(
    dir: &Path,
    model: &Model,
    out: &Path,
    progress: Option<&Progress>,
) -> Result<usize, FrameError> {
    let frame = Frame::read_dir(dir, model, progress)?;
    let ranking = score_and_rank(&frame, model);
    let f =
        std::fs::File::create(out).map_err(|e| FrameError::Output(out.display().to_string(), e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    write_ranks(&frame, model, &ranking, &mut w)
        .and_then(|_| w.flush())
        .map_err(|e| FrameError::Output(out.display().to_string(), e))?;
    Ok(frame.len())
}
