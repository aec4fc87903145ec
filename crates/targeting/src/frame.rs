//! A data set as columns: the household variables a model uses, one vector each, and the
//! members folded into per-household counters.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::atomic::Ordering;

use hashbrown::{DefaultHashBuilder, HashTable};

use selaras_domain::codes::{Disability, EducationLevel, Relation, Sector, Sex};
use selaras_domain::pmt::{
    age_years, round6, Contribution, MemberFacts, MemberStats, Model, Unscorable, VarValue,
    Variable,
};
use selaras_domain::registry::{Kind, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::{Date, RegionCode};
use selaras_interchange::{self as ix, InterchangeError, HOUSEHOLDS_FILE, MEMBERS_FILE};

/// Bytes read so far and the total, of both files.
pub type Progress = dyn Fn(u64, u64) + Sync;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Files(#[from] InterchangeError),
    #[error("{file} line {line}, column {column}: {reason}")]
    Row {
        file: &'static str,
        line: u64,
        column: &'static str,
        reason: String,
    },
    #[error("{0}: cannot write: {1}")]
    Output(String, std::io::Error),
}

fn row_err(file: &'static str, line: u64, column: &'static str, reason: String) -> FrameError {
    FrameError::Row {
        file,
        line,
        column,
        reason,
    }
}

enum ColumnData {
    /// NaN: unknown.
    Num(Vec<f64>),
    /// Index into `dict`; `u32::MAX`: unknown.
    Cat {
        codes: Vec<u32>,
        dict: Vec<String>,
        lookup: hashbrown::HashMap<Vec<u8>, u32>,
    },
}

/// A household column the model uses, with its place in the file.
struct UsedColumn {
    col: usize,
    pos: usize,
    levels: Option<Vec<&'static str>>,
    data: ColumnData,
}

pub struct Frame {
    ids: Vec<u8>,
    id_ends: Vec<u64>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    /// Segment index, `u16::MAX` for the default.
    segment: Vec<u16>,
    /// Sum of the region effects.
    effect: Vec<f64>,
    regency: Vec<u16>,
    regency_codes: Vec<RegionCode>,
    floor_area: Vec<f64>,
    columns: Vec<UsedColumn>,
    /// Household column index → its place in `columns` (`u8::MAX`: not read).
    slot: Vec<u8>,
    stats: Vec<MemberStats>,
    /// Whether the active households' members came in households.csv's order (each
    /// household's members together, households in file order), as `generate` and
    /// `export` write them: engines may then stream both files side by side.
    in_order: bool,
}

const NO_SEGMENT: u16 = u16::MAX;

fn text<'a>(
    bytes: &'a [u8],
    file: &'static str,
    line: u64,
    column: &'static str,
) -> Result<&'a str, FrameError> {
    std::str::from_utf8(bytes)
        .map(str::trim)
        .map_err(|_| row_err(file, line, column, "not valid UTF-8".into()))
}

/// A code of an enumeration, read from the bytes of a field (no UTF-8 check on the hot
/// path: only an exact code matches), or an error naming the codes.
trait Code: Sized + Copy + 'static {
    fn all() -> &'static [Self];
    fn code_of(&self) -> &'static str;
    fn codes() -> String;
}

macro_rules! codes {
    ($($t:ty),*) => {$(
        impl Code for $t {
            fn all() -> &'static [Self] {
                <$t>::ALL
            }
            fn code_of(&self) -> &'static str {
                self.code()
            }
            fn codes() -> String {
                <$t>::expected()
            }
        }
    )*};
}
codes!(Relation, Sex, EducationLevel, Disability, Sector);

fn code<T: Code>(
    b: &[u8],
    file: &'static str,
    at: u64,
    column: &'static str,
) -> Result<T, FrameError> {
    let b = b.trim_ascii();
    T::all()
        .iter()
        .copied()
        .find(|v| v.code_of().as_bytes() == b)
        .ok_or_else(|| {
            row_err(
                file,
                at,
                column,
                format!(
                    "unknown code {:?} (expected one of: {})",
                    String::from_utf8_lossy(b),
                    T::codes()
                ),
            )
        })
}

/// A `YYYY-MM-DD` date from a field's bytes.
fn date_bytes(b: &[u8]) -> Option<Date> {
    let b = b.trim_ascii();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let mut n = [0u32; 3];
    for (k, r) in [(0, 0..4), (1, 5..7), (2, 8..10)] {
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n[k] = n[k] * 10 + (c - b'0') as u32;
        }
    }
    Date::from_ymd(n[0] as i32, n[1] as u8, n[2] as u8)
}

/// A numeric field of households.csv: plain decimals straight from the bytes (exact: a
/// mantissa below 2^53 over a power of ten up to 10^22 divides to the correctly rounded
/// value, as `str::parse` gives), anything else through [`parse_num`].
fn num_field(b: &[u8], kind: Kind, line: u64, column: &'static str) -> Result<f64, FrameError> {
    let t = b.trim_ascii();
    if let Some(x) = fast_decimal(t, kind) {
        return Ok(x);
    }
    let s = text(b, HOUSEHOLDS_FILE, line, column)?;
    parse_num(s, kind).map_err(|e| row_err(HOUSEHOLDS_FILE, line, column, e))
}

fn fast_decimal(t: &[u8], kind: Kind) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    match (kind, t) {
        (_, []) => return Some(f64::NAN),
        (Kind::Bool, b"0") => return Some(0.0),
        (Kind::Bool, b"1") => return Some(1.0),
        (Kind::Bool, _) => return None,
        _ => {}
    }
    let (neg, digits) = match t.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let (mut m, mut frac, mut dot) = (0u64, 0usize, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + (c - b'0') as u64;
                frac += dot as usize;
            }
            b'.' if !dot && kind == Kind::Real => dot = true,
            _ => return None,
        }
    }
    if dot && frac == 0 {
        return None;
    }
    let x = m as f64 / POW10[frac];
    // `i64` has no negative zero; `f64` has.
    Some(if neg && (m != 0 || kind == Kind::Real) {
        -x
    } else {
        x
    })
}

fn parse_num(s: &str, kind: Kind) -> Result<f64, String> {
    if s.is_empty() {
        return Ok(f64::NAN);
    }
    match kind {
        Kind::Bool => match s {
            "0" => Ok(0.0),
            "1" => Ok(1.0),
            _ => Err(format!("{s:?} is not 0 or 1")),
        },
        Kind::Int => s
            .parse::<i64>()
            .map(|v| v as f64)
            .map_err(|_| format!("{s:?} is not a whole number")),
        _ => match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(format!("{s:?} is not a number")),
        },
    }
}

impl Frame {
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    pub fn id(&self, i: usize) -> &[u8] {
        let start = if i == 0 {
            0
        } else {
            self.id_ends[i - 1] as usize
        };
        &self.ids[start..self.id_ends[i] as usize]
    }

    /// Why household `i` cannot be scored, if it cannot.
    pub fn unscorable(&self, i: usize) -> Option<Unscorable> {
        self.stats[i].unscorable()
    }

    /// The position of a household, by id.
    /// Whether members.csv lists the members of active households grouped by household,
    /// in households.csv's order (see the field).
    pub fn members_in_order(&self) -> bool {
        self.in_order
    }

    pub fn find(&self, id: &[u8]) -> Option<usize> {
        let h = self.hasher.hash_one(id);
        self.index
            .find(h, |&k| self.id(k as usize) == id)
            .map(|&k| k as usize)
    }

    pub fn segment_of(&self, i: usize) -> Option<usize> {
        match self.segment[i] {
            NO_SEGMENT => None,
            s => Some(s as usize),
        }
    }

    pub fn regency_count(&self) -> usize {
        self.regency_codes.len()
    }

    pub fn regency_of(&self, i: usize) -> u16 {
        self.regency[i]
    }

    /// The province as its two-digit number.
    pub fn province_of(&self, i: usize) -> u8 {
        self.province_of_regency(self.regency[i])
    }

    /// The province of a regency (by its index), as its two-digit number.
    pub fn province_of_regency(&self, g: u16) -> u8 {
        let b = self.regency_codes[g as usize].as_str().as_bytes();
        (b[0] - b'0') * 10 + (b[1] - b'0')
    }

    /// The value of `var` for household `i` (unknown when the model did not ask for it).
    pub fn value(&self, i: usize, var: Variable) -> VarValue<'_> {
        match var {
            Variable::Derived(d) => {
                let a = self.floor_area[i];
                self.stats[i].value(d, (!a.is_nan()).then_some(a))
            }
            Variable::Column(c) => match self.columns.get(self.slot[c] as usize) {
                Some(UsedColumn {
                    data: ColumnData::Num(v),
                    ..
                }) => match v[i] {
                    x if x.is_nan() => VarValue::Null,
                    x => VarValue::Num(x),
                },
                Some(UsedColumn {
                    data: ColumnData::Cat { codes, dict, .. },
                    ..
                }) => match codes[i] {
                    u32::MAX => VarValue::Null,
                    k => VarValue::Level(&dict[k as usize]),
                },
                None => VarValue::Null,
            },
        }
    }

    /// Every household's score (rounded) and whether a numeric term was unknown.
    pub fn scores(&self, model: &Model) -> (Vec<f64>, Vec<bool>) {
        use rayon::prelude::*;
        (0..self.len())
            .into_par_iter()
            .map(|i| {
                let seg = model.segment(self.segment_of(i));
                let (s, imp) = seg.sum(|v| self.value(i, v), None);
                (round6(s + self.effect[i]), imp)
            })
            .unzip()
    }

    /// The contribution of every term to household `i`'s score, then the region effect.
    pub fn explain(&self, i: usize, model: &Model) -> Vec<Contribution> {
        let mut out = Vec::new();
        model
            .segment(self.segment_of(i))
            .sum(|v| self.value(i, v), Some(&mut out));
        out.push(Contribution {
            var: "region_effects",
            value: self.regency_codes[self.regency[i] as usize].to_string(),
            amount: self.effect[i],
        });
        out
    }

    /// Reads `dir/households.csv` and `dir/members.csv` for `model`.
    ///
    /// members.csv is parsed on a thread of its own while households.csv is read; its
    /// rows reach this thread in chunks. Errors are found by byte offset and named by
    /// line (the file is read again to count lines, on that path only).
    pub fn read_dir(
        dir: &Path,
        model: &Model,
        progress: Option<&Progress>,
    ) -> Result<Frame, FrameError> {
        Self::read_dir_at(dir, model, progress).map_err(|e| match e {
            FrameError::Row {
                file,
                line: at,
                column,
                reason,
            } => FrameError::Row {
                file,
                line: ix::line_at_offset(&dir.join(file), at).unwrap_or(0),
                column,
                reason,
            },
            other => other,
        })
    }

    /// [`Frame::read_dir`] with errors at byte offsets (in the `line` field).
    fn read_dir_at(
        dir: &Path,
        model: &Model,
        progress: Option<&Progress>,
    ) -> Result<Frame, FrameError> {
        let size = |f: &str| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len());
        let total = size(HOUSEHOLDS_FILE) + size(MEMBERS_FILE);
        let mut households = ix::open_untracked(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
        let members = ix::open_untracked(dir, MEMBERS_FILE, MEMBER_COLUMNS)?;
        let hh_read = households.get_ref().counter();
        let mm_read = members.get_ref().counter();
        let tick = |done: u64| {
            if let Some(p) = progress {
                p(done, total);
            }
        };

        let pos = |name: &str| {
            HOUSEHOLD_COLUMNS
                .iter()
                .position(|c| c.name == name)
                .and_then(|c| households.map.position(c))
        };
        let id_pos = pos("household_id").unwrap_or(0);
        let region_pos = pos("region_code").unwrap_or(0);
        let area_pos = pos("floor_area_m2");
        let exit_pos = pos("exit_state");
        let mut columns: Vec<UsedColumn> = Vec::new();
        for var in model.variables() {
            let Variable::Column(c) = var else { continue };
            let col = &HOUSEHOLD_COLUMNS[c];
            let Some(p) = households.map.position(c) else {
                return Err(InterchangeError::MissingColumns {
                    file: HOUSEHOLDS_FILE.into(),
                    columns: vec![col.name],
                }
                .into());
            };
            columns.push(UsedColumn {
                col: c,
                pos: p,
                levels: var.levels(),
                data: if var.is_categorical() {
                    ColumnData::Cat {
                        codes: Vec::new(),
                        dict: Vec::new(),
                        lookup: hashbrown::HashMap::new(),
                    }
                } else {
                    ColumnData::Num(Vec::new())
                },
            });
        }

        let as_of = model.as_of;
        // The parser runs ahead while households.csv is read: up to ~1 GB of parsed
        // members wait here (all of them for a few million households).
        let (tx, rx) = std::sync::mpsc::sync_channel::<MemberChunk>(MAX_CHUNKS_AHEAD);
        std::thread::scope(|scope| {
            let parser = scope.spawn(move || parse_members(members, as_of, tx));
            let rx_ref = &rx;
            let tick_both =
                || tick(hh_read.load(Ordering::Relaxed) + mm_read.load(Ordering::Relaxed));
            let read = || -> Result<(Frame, HashSet<Vec<u8>>, Folder), FrameError> {
                let mut folder = Folder {
                    last: usize::MAX,
                    pending: None,
                    tick: &tick_both,
                };
                let mut f = Frame {
                    ids: Vec::new(),
                    id_ends: Vec::new(),
                    // About 200 bytes a household line: sized once, no rehashing.
                    index: HashTable::with_capacity((size(HOUSEHOLDS_FILE) / 200) as usize),
                    hasher: DefaultHashBuilder::default(),
                    segment: Vec::new(),
                    effect: Vec::new(),
                    regency: Vec::new(),
                    regency_codes: Vec::new(),
                    floor_area: Vec::new(),
                    slot: {
                        let mut slot = vec![u8::MAX; HOUSEHOLD_COLUMNS.len()];
                        for (k, u) in columns.iter().enumerate() {
                            slot[u.col] = k as u8;
                        }
                        slot
                    },
                    columns,
                    stats: Vec::new(),
                    in_order: true,
                };
                let mut regency_index: HashMap<RegionCode, u16> = HashMap::new();
                let mut villages: hashbrown::HashMap<Vec<u8>, (u16, f64, u16)> =
                    hashbrown::HashMap::new();
                let mut exited: HashSet<Vec<u8>> = HashSet::new();
                const HF: &str = HOUSEHOLDS_FILE;

                let mut rows = 0u64;
                while let Some(item) = households.next_bytes() {
                    let (line, rec) = item.map_err(|(at, reason)| row_err(HF, at, "", reason))?;
                    rows += 1;
                    if rows.is_multiple_of(8_192) {
                        // Members whose households are read by now are folded in as we
                        // go, so that the parser thread never waits long.
                        folder.drain(&mut f, rx_ref, &exited, false)?;
                    }
                    let id = rec.get(id_pos).unwrap_or_default();
                    let id_s = text(id, HF, line, "household_id")?;
                    if id_s.is_empty() {
                        return Err(row_err(HF, line, "household_id", "empty".into()));
                    }
                    let id = id_s.as_bytes();
                    if let Some(p) = exit_pos {
                        if !rec.get(p).unwrap_or_default().trim_ascii().is_empty() {
                            exited.insert(id.to_vec());
                            continue;
                        }
                    }
                    let h = f.hasher.hash_one(id);
                    let n = f.id_ends.len() as u32;
                    let ids = &f.ids;
                    let ends = &f.id_ends;
                    let id_at = |k: u32| {
                        let k = k as usize;
                        let start = if k == 0 { 0 } else { ends[k - 1] as usize };
                        &ids[start..ends[k] as usize]
                    };
                    match f
                        .index
                        .entry(h, |&k| id_at(k) == id, |&k| f.hasher.hash_one(id_at(k)))
                    {
                        hashbrown::hash_table::Entry::Occupied(_) => {
                            return Err(row_err(
                                HF,
                                line,
                                "household_id",
                                format!("duplicate household_id {id_s}"),
                            ));
                        }
                        hashbrown::hash_table::Entry::Vacant(v) => {
                            v.insert(n);
                        }
                    }
                    f.ids.extend_from_slice(id);
                    f.id_ends.push(f.ids.len() as u64);
                    f.stats.push(MemberStats::default());

                    // Segment, region effect and regency are the same for every
                    // household of a village: worked out once per village code.
                    let region_b = rec.get(region_pos).unwrap_or_default().trim_ascii();
                    let place = match villages.get(region_b) {
                        Some(&p) => p,
                        None => {
                            let region_s = text(region_b, HF, line, "region_code")?;
                            let region = RegionCode::parse(region_s)
                                .map_err(|e| row_err(HF, line, "region_code", e.to_string()))?;
                            let regency = region
                                .at_level(selaras_domain::RegionLevel::Regency)
                                .ok_or_else(|| {
                                    row_err(
                                        HF,
                                        line,
                                        "region_code",
                                        format!("{region_s} is not a village code"),
                                    )
                                })?;
                            let next = regency_index.len() as u16;
                            let g = *regency_index.entry(regency).or_insert_with(|| {
                                f.regency_codes.push(regency);
                                next
                            });
                            let seg = model.segment_for(region.as_str());
                            let p = (
                                seg.map_or(NO_SEGMENT, |s| s as u16),
                                model.region_effect(region.as_str()),
                                g,
                            );
                            villages.insert(region_b.to_vec(), p);
                            p
                        }
                    };
                    f.segment.push(place.0);
                    f.effect.push(place.1);
                    f.regency.push(place.2);
                    let area = match area_pos {
                        Some(p) => num_field(
                            rec.get(p).unwrap_or_default(),
                            Kind::Real,
                            line,
                            "floor_area_m2",
                        )?,
                        None => f64::NAN,
                    };
                    f.floor_area.push(area);
                    for u in &mut f.columns {
                        let col = &HOUSEHOLD_COLUMNS[u.col];
                        let b = rec.get(u.pos).unwrap_or_default();
                        match &mut u.data {
                            ColumnData::Num(v) => v.push(num_field(b, col.kind, line, col.name)?),
                            ColumnData::Cat {
                                codes,
                                dict,
                                lookup,
                            } => {
                                // Enumerations have a dozen codes at most: a scan of the
                                // bytes beats hashing (and a UTF-8 check).
                                let bt = b.trim_ascii();
                                if bt.is_empty() {
                                    codes.push(u32::MAX);
                                    continue;
                                }
                                let seen = |x: &[u8]| {
                                    if dict.len() <= 16 {
                                        dict.iter()
                                            .position(|d| d.as_bytes() == x)
                                            .map(|k| k as u32)
                                    } else {
                                        lookup.get(x).copied()
                                    }
                                };
                                let s = match seen(bt) {
                                    Some(k) => {
                                        codes.push(k);
                                        continue;
                                    }
                                    None => text(b, HF, line, col.name)?,
                                };
                                let code = match seen(s.as_bytes()) {
                                    Some(k) => k,
                                    None => {
                                        if let Some(levels) = &u.levels {
                                            if !levels.contains(&s) {
                                                return Err(row_err(
                                                    HF,
                                                    line,
                                                    col.name,
                                                    format!(
                                                        "unknown code {s:?} (expected one of: {})",
                                                        levels.join(", ")
                                                    ),
                                                ));
                                            }
                                        }
                                        let k = dict.len() as u32;
                                        dict.push(s.to_string());
                                        lookup.insert(s.as_bytes().to_vec(), k);
                                        k
                                    }
                                };
                                codes.push(code);
                            }
                        }
                    }
                }
                Ok((f, exited, folder))
            };
            let result = read().and_then(|(mut f, exited, mut folder)| {
                folder.drain(&mut f, &rx, &exited, true)?;
                Ok(f)
            });
            // Stops the parser if reading failed here; then its own error, if any.
            drop(rx);
            let parsed = parser.join().unwrap_or_else(|_| {
                Err(row_err(
                    MEMBERS_FILE,
                    0,
                    "",
                    "parser thread panicked".into(),
                ))
            });
            let f = result?;
            parsed?;
            tick(total);
            Ok(f)
        })
    }
}

/// Folds parsed members into their households' counters, while households.csv is still
/// being read (`done == false`: a member whose household is not read yet waits, with its
/// chunk) and after (`done == true`: it is an error).
struct Folder<'a> {
    /// The household of the last member folded: members usually come grouped by
    /// household in households.csv's order (as `generate` and `export` write them), so
    /// this one and the next are tried before hashing (sequential reads, no cache misses).
    last: usize,
    pending: Option<(MemberChunk, usize)>,
    tick: &'a dyn Fn(),
}

impl Folder<'_> {
    fn drain(
        &mut self,
        f: &mut Frame,
        rx: &std::sync::mpsc::Receiver<MemberChunk>,
        exited: &HashSet<Vec<u8>>,
        done: bool,
    ) -> Result<(), FrameError> {
        loop {
            let (chunk, from) = match self.pending.take() {
                Some(p) => p,
                None => {
                    let next = if done {
                        rx.recv().ok()
                    } else {
                        rx.try_recv().ok()
                    };
                    match next {
                        Some(c) => (c, 0),
                        None => return Ok(()),
                    }
                }
            };
            (self.tick)();
            if let Some(k) = self.fold(f, &chunk, from, exited, done)? {
                self.pending = Some((chunk, k));
                return Ok(());
            }
        }
    }

    /// Folds `chunk` from member `from`; `Some(k)`: stopped at member `k`, whose household
    /// is not read yet.
    fn fold(
        &mut self,
        f: &mut Frame,
        chunk: &MemberChunk,
        from: usize,
        exited: &HashSet<Vec<u8>>,
        done: bool,
    ) -> Result<Option<usize>, FrameError> {
        for k in from..chunk.facts.len() {
            let id = chunk.id(k);
            let next = self.last.wrapping_add(1);
            let found = if self.last < f.len() && f.id(self.last) == id {
                Some(self.last)
            } else if next < f.len() && f.id(next) == id {
                Some(next)
            } else {
                f.find(id)
            };
            match found {
                Some(i) => {
                    if self.last != usize::MAX && i < self.last {
                        f.in_order = false;
                    }
                    self.last = i;
                    f.stats[i].add(&chunk.facts[k]);
                }
                None if exited.contains(id) => {}
                None if !done => return Ok(Some(k)),
                None => {
                    return Err(row_err(
                        MEMBERS_FILE,
                        chunk.offsets[k],
                        "household_id",
                        format!(
                            "household {} is not in households.csv",
                            String::from_utf8_lossy(id)
                        ),
                    ))
                }
            }
        }
        Ok(None)
    }
}

/// Members parsed off the main thread: ids (concatenated), where each row starts, and
/// what the derived variables need of it.
struct MemberChunk {
    ids: Vec<u8>,
    ends: Vec<u32>,
    offsets: Vec<u64>,
    facts: Vec<MemberFacts>,
}

const CHUNK_ROWS: usize = 16_384;
/// Chunks of ~0.9 MB each.
const MAX_CHUNKS_AHEAD: usize = 1_024;

impl MemberChunk {
    fn new() -> MemberChunk {
        MemberChunk {
            ids: Vec::with_capacity(CHUNK_ROWS * 20),
            ends: Vec::with_capacity(CHUNK_ROWS),
            offsets: Vec::with_capacity(CHUNK_ROWS),
            facts: Vec::with_capacity(CHUNK_ROWS),
        }
    }

    fn id(&self, k: usize) -> &[u8] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.ids[start..self.ends[k] as usize]
    }
}

/// Parses members.csv into chunks sent on `tx`; stops early when the receiver is gone.
fn parse_members(
    mut members: ix::CsvFile<ix::CountingReader<std::fs::File>>,
    as_of: Date,
    tx: std::sync::mpsc::SyncSender<MemberChunk>,
) -> Result<(), FrameError> {
    let mpos = |name: &str| {
        MEMBER_COLUMNS
            .iter()
            .position(|c| c.name == name)
            .and_then(|c| members.map.position(c))
    };
    let want = |name: &'static str| {
        mpos(name).ok_or(FrameError::Files(InterchangeError::MissingColumns {
            file: MEMBERS_FILE.into(),
            columns: vec![name],
        }))
    };
    let m_id = want("household_id")?;
    let m_rel = want("relation")?;
    let m_sex = want("sex")?;
    let m_birth = want("birth_date")?;
    let m_work = want("working")?;
    let m_edu = want("education_level")?;
    let m_dis = want("disability")?;
    let m_sector = mpos("sector");
    let m_exit = mpos("exit_state");
    const MF: &str = MEMBERS_FILE;
    let mut chunk = MemberChunk::new();
    while let Some(item) = members.next_bytes() {
        let (line, rec) = item.map_err(|(at, reason)| row_err(MF, at, "", reason))?;
        if let Some(p) = m_exit {
            if !rec.get(p).unwrap_or_default().trim_ascii().is_empty() {
                continue;
            }
        }
        let field = |p: usize| rec.get(p).unwrap_or_default();
        let id = field(m_id).trim_ascii();
        let rel: Relation = code(field(m_rel), MF, line, "relation")?;
        let sex: Sex = code(field(m_sex), MF, line, "sex")?;
        let birth = date_bytes(field(m_birth)).ok_or_else(|| {
            row_err(
                MF,
                line,
                "birth_date",
                format!(
                    "{:?} is not a date of the form YYYY-MM-DD",
                    String::from_utf8_lossy(field(m_birth))
                ),
            )
        })?;
        let working = match field(m_work).trim_ascii() {
            b"1" => true,
            b"0" => false,
            other => {
                return Err(row_err(
                    MF,
                    line,
                    "working",
                    format!("{:?} is not 0 or 1", String::from_utf8_lossy(other)),
                ))
            }
        };
        let education: EducationLevel = code(field(m_edu), MF, line, "education_level")?;
        let disability: Disability = code(field(m_dis), MF, line, "disability")?;
        let sector = match m_sector.map(field).map(<[u8]>::trim_ascii) {
            None | Some(b"") => None,
            Some(b) => Some(code::<Sector>(b, MF, line, "sector")?),
        };
        chunk.ids.extend_from_slice(id);
        chunk.ends.push(chunk.ids.len() as u32);
        chunk.offsets.push(line);
        chunk.facts.push(MemberFacts {
            head: rel == Relation::Head,
            age: age_years(birth, as_of),
            female: sex == Sex::F,
            working,
            sector,
            education,
            disabled: disability != Disability::None,
        });
        if chunk.facts.len() == CHUNK_ROWS {
            let full = std::mem::replace(&mut chunk, MemberChunk::new());
            if tx.send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !chunk.facts.is_empty() {
        let _ = tx.send(chunk);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte fast path gives the same bits as `str::parse`, and leaves the rest to it.
    #[test]
    fn fast_decimals_equal_str_parse() {
        for t in [
            "0",
            "1",
            "7",
            "59.8",
            "0.1",
            "123456.789",
            "-4.69982",
            "97.645332",
            "450",
            "2200",
            "0.000001",
            "999999999999999",
            "12.30",
            ".5",
        ] {
            let want: f64 = t.parse().unwrap();
            let got = fast_decimal(t.as_bytes(), Kind::Real).unwrap();
            assert_eq!(got.to_bits(), want.to_bits(), "{t}");
        }
        assert_eq!(fast_decimal(b"450", Kind::Int), Some(450.0));
        for t in ["1e3", "1.", "1.2.3", "x", "1234567890123456", "+1"] {
            assert_eq!(fast_decimal(t.as_bytes(), Kind::Real), None, "{t}");
        }
        assert_eq!(fast_decimal(b"1.5", Kind::Int), None);
        assert_eq!(fast_decimal(b"2", Kind::Bool), None);
        assert_eq!(
            fast_decimal(b"-0", Kind::Int).unwrap().to_bits(),
            0f64.to_bits()
        );
        assert_eq!(
            fast_decimal(b"-0", Kind::Real).unwrap().to_bits(),
            (-0f64).to_bits()
        );
        assert!(fast_decimal(b"", Kind::Int).unwrap().is_nan());
    }
}
