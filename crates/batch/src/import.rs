//! `selaras import`: loads a data set into the registry.
//!
//! - Streams both files; memory holds an index of household ids, the NIKs seen and one
//!   chunk of rows.
//! - A household and its members are written in one transaction when the members file
//!   lists them in the households' order (as `generate` and `export` write it). Members
//!   that arrive out of that order are written as member-only units in a later
//!   transaction: the end state is the same.
//! - Every write is an upsert that records a version only when the row changed, so a
//!   re-import changes nothing and an import killed half-way is resumed by running it
//!   again: the chunks already committed are found unchanged, the rest is written.
//! - Parsing runs on a blocking thread, writing on the async side, with two chunks in
//!   flight between them. On PostgreSQL several chunks are written at the same time,
//!   each in its own transaction (the server's index work is the bound, and it uses
//!   more than one core); a chunk with member-only units waits for the chunks before it.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use selaras_domain::registry::{HeadCheck, Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_interchange::{
    self as ix, CountingReader, CsvFile, InterchangeError, MappedRow, ReadItem, RejectWriter,
    HOUSEHOLDS_FILE, MEMBERS_FILE,
};
use selaras_store::{
    Backend, Change, ChangeKind, ImportTotals, NewChange, Storage, StoreError, Unit, UpsertStats,
};

use crate::Regions;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Files(#[from] InterchangeError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("import worker stopped: {0}")]
    Worker(String),
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub actor: String,
    /// Members per transaction (a household is never split).
    pub chunk_members: usize,
    /// Where rejects go; default `DIR/rejects.csv`.
    pub rejects: Option<PathBuf>,
    /// Chunks written at the same time, each in its own transaction; 0: chosen by the
    /// database (PostgreSQL 3, SQLite 1 since it has one writer anyway).
    pub writers: usize,
    /// Drop the search indexes during the load and build them afterwards. `None`: when
    /// households.csv has at least 10,000 lines and more than the registry holds (a first
    /// or resumed large load), where one sort at the end beats random index inserts.
    pub defer_indexes: Option<bool>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            actor: "import".into(),
            chunk_members: 8_000,
            rejects: None,
            writers: 0,
            defer_indexes: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Good rows (loaded or found unchanged).
    pub households: u64,
    pub members: u64,
    /// Rows written as a new version (inserted or changed).
    pub households_changed: u64,
    pub members_changed: u64,
    /// Rows refused (each has one or more lines in rejects.csv).
    pub rejected: u64,
    pub seconds: f64,
    pub change_id: i64,
    pub rejects_path: PathBuf,
}

impl ImportReport {
    /// The machine-readable last line of `selaras import` (interfaces.md).
    pub fn key_values(&self) -> String {
        format!(
            "households={} members={} rejected={} changed={} seconds={:.2}",
            self.households,
            self.members,
            self.rejected,
            self.households_changed + self.members_changed,
            self.seconds
        )
    }
}

/// Bytes read of members.csv and its size, for a progress bar.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Where each row of a chunk came from, to name lines in store-level rejects.
struct ChunkLines {
    household: Vec<Option<u64>>,
    members: Vec<Vec<u64>>,
}

struct Chunk {
    units: Vec<Unit>,
    lines: ChunkLines,
}

struct Shared {
    rejects: Mutex<RejectWriter>,
    rejected_rows: AtomicU64,
}

impl Shared {
    fn reject(
        &self,
        file: &str,
        line: u64,
        problems: &[(&str, String)],
    ) -> Result<(), InterchangeError> {
        self.rejected_rows.fetch_add(1, Ordering::Relaxed);
        let mut w = self.rejects.lock().unwrap_or_else(|p| p.into_inner());
        for (col, reason) in problems {
            w.write(file, line, col, reason)?;
        }
        Ok(())
    }
}

pub async fn import_dir(
    store: Arc<dyn Storage>,
    regions: Regions,
    dir: &Path,
    opts: ImportOptions,
    progress: Option<Progress>,
) -> Result<ImportReport, ImportError> {
    let started = Instant::now();
    // Headers first: a missing required column stops the import before anything is written.
    let households = ix::open(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
    let members = ix::open(dir, MEMBERS_FILE, MEMBER_COLUMNS)?;
    let members_size = std::fs::metadata(dir.join(MEMBERS_FILE))
        .map(|m| m.len())
        .unwrap_or(0);
    let members_read = members.get_ref().counter();
    drop(households);
    let rejects_path = opts
        .rejects
        .clone()
        .unwrap_or_else(|| dir.join(ix::REJECTS_FILE));
    let shared = Arc::new(Shared {
        rejects: Mutex::new(RejectWriter::create(&rejects_path)?),
        rejected_rows: AtomicU64::new(0),
    });

    let change = store
        .record_change(&NewChange {
            actor: opts.actor.clone(),
            kind: ChangeKind::Import,
            reference: Some(dir.display().to_string()),
            note: None,
        })
        .await?;
    store
        .start_import(&change, &dir.display().to_string())
        .await?;

    let defer = match opts.defer_indexes {
        Some(d) => d,
        None => {
            let lines = count_lines(&dir.join(HOUSEHOLDS_FILE))?;
            lines >= 10_000 && lines as i64 > store.counts().await?.households
        }
    };
    if defer {
        store.search_indexes(false).await?;
    }

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(2);
    let parser = {
        let dir = dir.to_path_buf();
        let shared = shared.clone();
        let chunk_members = opts.chunk_members.max(1);
        tokio::task::spawn_blocking(move || {
            parse(&dir, members, regions, &shared, chunk_members, tx)
        })
    };

    let mut report = ImportReport {
        change_id: change.id,
        rejects_path: rejects_path.clone(),
        ..Default::default()
    };
    let writers = match opts.writers {
        0 => match store.backend() {
            Backend::Postgres => 3,
            Backend::Sqlite => 1,
        },
        n => n,
    };
    let mut in_flight: VecDeque<Written> = VecDeque::new();
    let write_result: Result<(), ImportError> = async {
        while let Some(chunk) = rx.recv().await {
            // A member-only unit needs its household committed: let every chunk in
            // flight finish first.
            let after_all = chunk.units.iter().any(|u| u.household().is_none());
            while in_flight.len() >= writers || (after_all && !in_flight.is_empty()) {
                if let Some(w) = in_flight.pop_front() {
                    w.account(&shared, &mut report).await?;
                    if let Some(p) = &progress {
                        p(members_read.load(Ordering::Relaxed), members_size);
                    }
                }
            }
            in_flight.push_back(Written::start(&store, &change, chunk));
        }
        while let Some(w) = in_flight.pop_front() {
            w.account(&shared, &mut report).await?;
            if let Some(p) = &progress {
                p(members_read.load(Ordering::Relaxed), members_size);
            }
        }
        Ok(())
    }
    .await;
    // After a failed chunk, let the ones still in flight end (their transactions commit
    // or roll back on their own) before the import is marked failed.
    for w in in_flight.drain(..) {
        let _ = w.task.wait().await;
    }
    // Stop the parser if writing failed, then surface the first error.
    drop(rx);
    let parsed = parser
        .await
        .map_err(|e| ImportError::Worker(e.to_string()))?;
    let status = if write_result.is_ok() && parsed.is_ok() {
        "done"
    } else {
        "failed"
    };
    report.rejected = shared.rejected_rows.load(Ordering::Relaxed);
    let totals = ImportTotals {
        households: report.households,
        members: report.members,
        unchanged: report.households + report.members
            - report.households_changed
            - report.members_changed,
        rejected: report.rejected,
    };
    // Built again even after a failure: the rows that did load are searchable.
    let indexed = if defer {
        store.search_indexes(true).await
    } else {
        Ok(())
    };
    let finished = store.finish_import(change.id, &totals, status).await;
    write_result?;
    parsed?;
    indexed?;
    finished?;
    if let Ok(w) =
        Arc::try_unwrap(shared).map(|s| s.rejects.into_inner().unwrap_or_else(|p| p.into_inner()))
    {
        w.finish()?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Newline bytes in a file: a cheap upper bound of its rows.
fn count_lines(path: &Path) -> Result<u64, ImportError> {
    use std::io::Read;
    let io = |source| InterchangeError::Io {
        file: path.display().to_string(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let got = f.read(&mut buf).map_err(io)?;
        if got == 0 {
            return Ok(n);
        }
        n += buf[..got].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

/// A chunk handed to the store: its transaction runs as a task of its own, so that
/// several chunks can be written at the same time (PostgreSQL). Results are accounted in
/// the order the chunks were read.
struct Written {
    task: AbortOnDrop,
    lines: ChunkLines,
    households_sent: u64,
    members_sent: u64,
}

/// Dropping the import (a killed or cancelled import) stops its chunks in flight: their
/// transactions roll back, as when the process stops.
struct AbortOnDrop(Option<tokio::task::JoinHandle<Result<UpsertStats, StoreError>>>);

impl AbortOnDrop {
    async fn wait(mut self) -> Result<UpsertStats, ImportError> {
        match self.0.take() {
            Some(task) => task
                .await
                .map_err(|e| ImportError::Worker(e.to_string()))?
                .map_err(ImportError::from),
            None => Err(ImportError::Worker("chunk already accounted".into())),
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

impl Written {
    fn start(store: &Arc<dyn Storage>, change: &Change, chunk: Chunk) -> Written {
        let households_sent = chunk
            .units
            .iter()
            .filter(|u| u.household().is_some())
            .count() as u64;
        let members_sent: u64 = chunk.units.iter().map(|u| u.members().len() as u64).sum();
        let store = store.clone();
        let change = change.clone();
        let units = chunk.units;
        let task = tokio::spawn(async move { store.upsert_units(&change, units).await });
        Written {
            task: AbortOnDrop(Some(task)),
            lines: chunk.lines,
            households_sent,
            members_sent,
        }
    }

    async fn account(self, shared: &Shared, report: &mut ImportReport) -> Result<(), ImportError> {
        let stats = self.task.wait().await?;
        let lines = &self.lines;
        let mut refused_households = 0u64;
        let mut refused_members = 0u64;
        for (unit, member, column, reason) in &stats.rejects {
            match member {
                None => {
                    if let Some(line) = lines.household[*unit] {
                        shared.reject(HOUSEHOLDS_FILE, line, &[(column, reason.clone())])?;
                        refused_households += 1;
                    }
                    for line in &lines.members[*unit] {
                        shared.reject(
                            MEMBERS_FILE,
                            *line,
                            &[(
                                "household_id",
                                format!("its household was refused: {reason}"),
                            )],
                        )?;
                        refused_members += 1;
                    }
                }
                Some(k) => {
                    shared.reject(
                        MEMBERS_FILE,
                        lines.members[*unit][*k],
                        &[(column, reason.clone())],
                    )?;
                    refused_members += 1;
                }
            }
        }
        report.households += self.households_sent - refused_households;
        report.members += self.members_sent - refused_members;
        report.households_changed += stats.households_written;
        report.members_changed += stats.members_written;
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Loaded,
    Rejected,
}

/// Parser state over both files.
struct Parser<'a> {
    households: CsvFile<CountingReader<std::fs::File>>,
    regions: Regions,
    shared: &'a Shared,
    /// household_id → ordinal (row position) of its first row in households.csv.
    index: HashMap<Box<str>, u32>,
    lines: Vec<u64>,
    status: Vec<Status>,
    heads: Vec<HeadCheck>,
    member_count: Vec<u32>,
    next: u32,
    niks: HashMap<u64, u64>,
    chunk: Chunk,
    open_units: HashMap<u32, usize>,
    chunk_members: usize,
    members_in_chunk: usize,
    tx: tokio::sync::mpsc::Sender<Chunk>,
}

fn new_chunk() -> Chunk {
    Chunk {
        units: Vec::new(),
        lines: ChunkLines {
            household: Vec::new(),
            members: Vec::new(),
        },
    }
}

/// Pass 1 over households.csv: the ordinal and line of each id.
/// household_id → ordinal of its first row, and the line of every row.
type HouseholdIndex = (HashMap<Box<str>, u32>, Vec<u64>);

fn index_households(dir: &Path) -> Result<HouseholdIndex, ImportError> {
    let mut f = ix::open(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?;
    let mut index = HashMap::new();
    let mut lines = Vec::new();
    let id_pos = f.map.position(0);
    let mut ordinal = 0u32;
    while let Some(item) = f.next_item() {
        match item {
            ReadItem::Record { line, record } => {
                if let Some(id) = id_pos.and_then(|p| record.get(p)) {
                    index.entry(id.into()).or_insert(ordinal);
                }
                lines.push(line);
            }
            ReadItem::Unreadable { line, .. } => lines.push(line),
        }
        ordinal += 1;
    }
    Ok((index, lines))
}

fn parse(
    dir: &Path,
    mut members: CsvFile<CountingReader<std::fs::File>>,
    regions: Regions,
    shared: &Shared,
    chunk_members: usize,
    tx: tokio::sync::mpsc::Sender<Chunk>,
) -> Result<(), ImportError> {
    let (index, lines) = index_households(dir)?;
    let n = lines.len();
    let mut p = Parser {
        households: ix::open(dir, HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?,
        regions,
        shared,
        index,
        lines,
        status: vec![Status::Pending; n],
        heads: (0..n).map(|_| HeadCheck::default()).collect(),
        member_count: vec![0; n],
        next: 0,
        niks: HashMap::new(),
        chunk: new_chunk(),
        open_units: HashMap::new(),
        chunk_members,
        members_in_chunk: 0,
        tx,
    };
    while let Some(item) = members.next_item() {
        match item {
            ReadItem::Unreadable { line, reason } => {
                shared.reject(MEMBERS_FILE, line, &[("", reason)])?
            }
            ReadItem::Record { line, record } => {
                let parsed = Member::from_row(
                    &MappedRow {
                        record: &record,
                        map: &members.map,
                    },
                    &p.regions,
                );
                match parsed {
                    Err(errs) => {
                        let problems: Vec<(&str, String)> =
                            errs.into_iter().map(|e| (e.column, e.reason)).collect();
                        shared.reject(MEMBERS_FILE, line, &problems)?;
                    }
                    Ok(m) => p.member(line, m)?,
                }
            }
        }
    }
    p.advance_to(n as u32)?;
    p.flush()
}

impl Parser<'_> {
    /// Processes households.csv rows up to (not including) ordinal `end`.
    fn advance_to(&mut self, end: u32) -> Result<(), ImportError> {
        while self.next < end {
            let ordinal = self.next;
            self.next += 1;
            let Some(item) = self.households.next_item() else {
                break;
            };
            match item {
                ReadItem::Unreadable { line, reason } => {
                    self.status[ordinal as usize] = Status::Rejected;
                    self.shared.reject(HOUSEHOLDS_FILE, line, &[("", reason)])?;
                }
                ReadItem::Record { line, record } => {
                    let row = MappedRow {
                        record: &record,
                        map: &self.households.map,
                    };
                    let id = selaras_domain::registry::Row::field(&row, 0);
                    if let Some(&first) = self.index.get(id) {
                        if first != ordinal {
                            self.status[ordinal as usize] = Status::Rejected;
                            let first_line = self.lines[first as usize];
                            self.shared.reject(
                                HOUSEHOLDS_FILE,
                                line,
                                &[(
                                    "household_id",
                                    format!("duplicate household_id: first at line {first_line}"),
                                )],
                            )?;
                            continue;
                        }
                    }
                    match Household::from_row(&row, &self.regions) {
                        Err(errs) => {
                            self.status[ordinal as usize] = Status::Rejected;
                            let problems: Vec<(&str, String)> =
                                errs.into_iter().map(|e| (e.column, e.reason)).collect();
                            self.shared.reject(HOUSEHOLDS_FILE, line, &problems)?;
                        }
                        Ok(h) => {
                            if self.members_in_chunk >= self.chunk_members {
                                self.flush()?;
                            }
                            self.status[ordinal as usize] = Status::Loaded;
                            self.open_units.insert(ordinal, self.chunk.units.len());
                            self.chunk.units.push(Unit::new(Some(h)));
                            self.chunk.lines.household.push(Some(line));
                            self.chunk.lines.members.push(Vec::new());
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn member(&mut self, line: u64, m: Member) -> Result<(), ImportError> {
        let Some(&ordinal) = self.index.get(m.household_id.as_str()) else {
            let reason = format!("household {} is not in households.csv", m.household_id);
            return Ok(self
                .shared
                .reject(MEMBERS_FILE, line, &[("household_id", reason)])?);
        };
        self.advance_to(ordinal + 1)?;
        let o = ordinal as usize;
        if self.status[o] != Status::Loaded {
            let reason = format!(
                "its household (households.csv line {}) was rejected",
                self.lines[o]
            );
            return Ok(self
                .shared
                .reject(MEMBERS_FILE, line, &[("household_id", reason)])?);
        }
        if let Some(first) = self.niks.get(&m.nik.as_u64()) {
            let reason = format!("duplicate NIK: first at line {first}");
            return Ok(self.shared.reject(MEMBERS_FILE, line, &[("nik", reason)])?);
        }
        if let Err(e) = self.heads[o].admit(&m) {
            return Ok(self
                .shared
                .reject(MEMBERS_FILE, line, &[(e.column, e.reason)])?);
        }
        self.niks.insert(m.nik.as_u64(), line);
        let no = self.member_count[o] as i64;
        self.member_count[o] += 1;
        let ui = match self.open_units.get(&ordinal) {
            Some(&ui) => ui,
            None => {
                // Its household went out in an earlier chunk: a member-only unit.
                self.open_units.insert(ordinal, self.chunk.units.len());
                self.chunk.units.push(Unit::new(None));
                self.chunk.lines.household.push(None);
                self.chunk.lines.members.push(Vec::new());
                self.chunk.units.len() - 1
            }
        };
        self.chunk.units[ui].push_member(m, no);
        self.chunk.lines.members[ui].push(line);
        self.members_in_chunk += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ImportError> {
        if self.chunk.units.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, new_chunk());
        self.open_units.clear();
        self.members_in_chunk = 0;
        self.tx
            .blocking_send(chunk)
            .map_err(|_| ImportError::Worker("the writer stopped".into()))
    }
}
