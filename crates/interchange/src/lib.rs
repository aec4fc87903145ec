//! Reading and writing the interchange format (`shared/spec/interchange.md`).
//!
//! Columns are matched by header name in any order; unknown columns are ignored; a
//! missing required column is an error for the whole file, raised before any row is read.
//! A row that cannot be read (wrong number of fields, invalid UTF-8) is a row error, not
//! a stop.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use selaras_domain::registry::{Column, Row, Value, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};

pub const HOUSEHOLDS_FILE: &str = "households.csv";
pub const MEMBERS_FILE: &str = "members.csv";
pub const CONSUMPTION_FILE: &str = "consumption.csv";
pub const REJECTS_FILE: &str = "rejects.csv";

#[derive(Debug, thiserror::Error)]
pub enum InterchangeError {
    #[error("{file}: cannot open: {source}")]
    Open { file: PathBuf, source: io::Error },
    #[error("{file}: missing required column(s): {}", columns.join(", "))]
    MissingColumns {
        file: String,
        columns: Vec<&'static str>,
    },
    #[error("{file}: the header has column {column:?} twice")]
    DuplicateColumn { file: String, column: String },
    #[error("{file}: cannot read the header: {reason}")]
    BadHeader { file: String, reason: String },
    #[error("{file}: {source}")]
    Io { file: String, source: io::Error },
}

/// Positions of the domain's columns in one file's header.
#[derive(Debug, Clone)]
pub struct HeaderMap {
    idx: Vec<Option<usize>>,
    width: usize,
}

impl HeaderMap {
    pub fn new(
        file: &str,
        header: &[String],
        cols: &'static [Column],
    ) -> Result<HeaderMap, InterchangeError> {
        let mut seen = std::collections::HashSet::new();
        for h in header {
            if !seen.insert(h.as_str()) {
                return Err(InterchangeError::DuplicateColumn {
                    file: file.into(),
                    column: h.clone(),
                });
            }
        }
        let idx: Vec<Option<usize>> = cols
            .iter()
            .map(|c| header.iter().position(|h| h == c.name))
            .collect();
        let missing: Vec<&'static str> = cols
            .iter()
            .zip(&idx)
            .filter(|(c, i)| c.required && i.is_none())
            .map(|(c, _)| c.name)
            .collect();
        if !missing.is_empty() {
            return Err(InterchangeError::MissingColumns {
                file: file.into(),
                columns: missing,
            });
        }
        Ok(HeaderMap {
            idx,
            width: header.len(),
        })
    }

    pub fn position(&self, col: usize) -> Option<usize> {
        self.idx.get(col).copied().flatten()
    }
}

/// One record seen through a [`HeaderMap`], as a domain [`Row`].
pub struct MappedRow<'a> {
    pub record: &'a csv::StringRecord,
    pub map: &'a HeaderMap,
}

impl Row for MappedRow<'_> {
    fn field(&self, i: usize) -> &str {
        self.map
            .position(i)
            .and_then(|p| self.record.get(p))
            .unwrap_or("")
    }
}

/// A record or the reason it could not be read; `line` is the 1-based line where the
/// record starts (the header is line 1).
pub enum ReadItem {
    Record {
        line: u64,
        record: csv::StringRecord,
    },
    Unreadable {
        line: u64,
        reason: String,
    },
}

/// A record that could not be read: where (a line, or a byte offset) and why.
pub type Unreadable = (u64, String);

/// Streams the records of one interchange file.
pub struct CsvFile<R: Read> {
    pub name: &'static str,
    reader: csv::Reader<LineTracker<R>>,
    pub map: HeaderMap,
    byte_record: csv::ByteRecord,
    /// The file, for [`CsvFile::line_of`] when lines are not tracked.
    path: Option<PathBuf>,
}

/// Opens `dir/name` like [`open`] but without following line numbers as it reads (a
/// tenth of the time of a scan of a big file): [`CsvFile::line_of`] finds a record's line
/// by reading the file again, which only an error needs.
pub fn open_untracked(
    dir: &Path,
    name: &'static str,
    cols: &'static [Column],
) -> Result<CsvFile<CountingReader<File>>, InterchangeError> {
    let mut f = open(dir, name, cols)?;
    f.reader.get_mut().enabled = false;
    f.reader.get_mut().pending.borrow_mut().clear();
    f.path = Some(dir.join(name));
    Ok(f)
}

/// Opens `dir/name` and checks its header against `cols`.
pub fn open(
    dir: &Path,
    name: &'static str,
    cols: &'static [Column],
) -> Result<CsvFile<CountingReader<File>>, InterchangeError> {
    let path = dir.join(name);
    let f = File::open(&path).map_err(|source| InterchangeError::Open {
        file: path.clone(),
        source,
    })?;
    CsvFile::new(name, CountingReader::new(f), cols)
}

/// The 1-based line of a record the csv reader reports at byte `offset` of `path`: the
/// line of the first byte at or after `offset` that is not a line end.
pub fn line_at_offset(path: &Path, offset: u64) -> io::Result<u64> {
    let mut r = io::BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut line = 1u64;
    let mut at = 0u64;
    loop {
        let buf = io::BufRead::fill_buf(&mut r)?;
        if buf.is_empty() {
            return Ok(line);
        }
        let n = buf.len();
        for &b in buf {
            if at >= offset && b != b'\n' && b != b'\r' {
                return Ok(line);
            }
            if b == b'\n' {
                line += 1;
            }
            at += 1;
        }
        io::BufRead::consume(&mut r, n);
    }
}

impl<R: Read> CsvFile<R> {
    pub fn new(
        name: &'static str,
        input: R,
        cols: &'static [Column],
    ) -> Result<CsvFile<R>, InterchangeError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(LineTracker::new(input));
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| InterchangeError::BadHeader {
                file: name.into(),
                reason: e.to_string(),
            })?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let map = HeaderMap::new(name, &header, cols)?;
        Ok(CsvFile {
            name,
            reader,
            map,
            byte_record: csv::ByteRecord::new(),
            path: None,
        })
    }

    /// The next record; `None` at the end of the file.
    pub fn next_item(&mut self) -> Option<ReadItem> {
        match self.reader.read_byte_record(&mut self.byte_record) {
            Ok(false) => None,
            Ok(true) => {
                let line = self.line_at(self.byte_record.position().map_or(0, |p| p.byte()));
                if self.byte_record.len() != self.map.width {
                    return Some(ReadItem::Unreadable {
                        line,
                        reason: format!(
                            "row has {} fields, the header has {}",
                            self.byte_record.len(),
                            self.map.width
                        ),
                    });
                }
                match csv::StringRecord::from_byte_record(self.byte_record.clone()) {
                    Ok(record) => Some(ReadItem::Record { line, record }),
                    Err(_) => Some(ReadItem::Unreadable {
                        line,
                        reason: "row is not valid UTF-8".into(),
                    }),
                }
            }
            Err(e) => {
                let line = self.line_at(e.position().map_or(0, |p| p.byte()));
                match e.kind() {
                    csv::ErrorKind::Io(_) => Some(ReadItem::Unreadable {
                        line,
                        reason: format!("read error: {e}"),
                    }),
                    _ => Some(ReadItem::Unreadable {
                        line,
                        reason: format!("malformed CSV: {e}"),
                    }),
                }
            }
        }
    }

    /// The next record as bytes with the byte offset where it starts (see
    /// [`CsvFile::line_of`]), without the copy into a `StringRecord` (for engines that
    /// read a few columns of millions of rows); `Err` gives the offset and the reason a
    /// record could not be read.
    pub fn next_bytes(&mut self) -> Option<Result<(u64, &csv::ByteRecord), Unreadable>> {
        match self.reader.read_byte_record(&mut self.byte_record) {
            Ok(false) => None,
            Ok(true) => {
                let at = self.byte_record.position().map_or(0, |p| p.byte());
                if self.byte_record.len() != self.map.width {
                    return Some(Err((
                        at,
                        format!(
                            "row has {} fields, the header has {}",
                            self.byte_record.len(),
                            self.map.width
                        ),
                    )));
                }
                Some(Ok((at, &self.byte_record)))
            }
            Err(e) => Some(Err((
                e.position().map_or(0, |p| p.byte()),
                format!("malformed CSV: {e}"),
            ))),
        }
    }

    /// The line of the record at byte `offset` (from [`CsvFile::next_bytes`]).
    pub fn line_of(&self, offset: u64) -> u64 {
        match &self.path {
            Some(p) => line_at_offset(p, offset).unwrap_or(0),
            None => self.line_at(offset),
        }
    }

    pub fn get_ref(&self) -> &R {
        &self.reader.get_ref().inner
    }

    fn line_at(&self, byte: u64) -> u64 {
        self.reader.get_ref().line_at(byte)
    }
}

/// Counts line ends as the CSV reader pulls bytes, so that a record's line number can be
/// derived from its byte offset. (The csv crate's own line numbers are one short in files
/// with CRLF line ends, as the conformance files have.) Only the offsets inside the
/// reader's look-ahead are kept: queries come in increasing order.
pub struct LineTracker<R> {
    inner: R,
    enabled: bool,
    read: u64,
    /// Offsets of `\r` and `\n` bytes not yet passed, with "is `\n`".
    pending: std::cell::RefCell<std::collections::VecDeque<(u64, bool)>>,
    passed: std::cell::Cell<u64>,
}

impl<R> LineTracker<R> {
    fn new(inner: R) -> Self {
        LineTracker {
            inner,
            enabled: true,
            read: 0,
            pending: Default::default(),
            passed: Default::default(),
        }
    }

    /// 1-based line of the first byte at or after `offset` that is not a line end (the
    /// csv reader reports a record as starting before the blank lines or the `\n` of a
    /// CRLF pair that precede it).
    fn line_at(&self, offset: u64) -> u64 {
        let mut pending = self.pending.borrow_mut();
        let mut at = offset;
        while let Some(&(pos, is_nl)) = pending.front() {
            if pos < offset || pos == at {
                pending.pop_front();
                if is_nl {
                    self.passed.set(self.passed.get() + 1);
                }
                if pos == at {
                    at += 1;
                }
            } else {
                break;
            }
        }
        self.passed.get() + 1
    }
}

impl<R: Read> Read for LineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.enabled {
            self.read += n as u64;
            return Ok(n);
        }
        let mut pending = self.pending.borrow_mut();
        for (i, b) in buf[..n].iter().enumerate() {
            if *b == b'\n' || *b == b'\r' {
                pending.push_back((self.read + i as u64, *b == b'\n'));
            }
        }
        self.read += n as u64;
        Ok(n)
    }
}

/// A reader that counts bytes, for progress bars.
pub struct CountingReader<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R> CountingReader<R> {
    pub fn new(inner: R) -> Self {
        CountingReader {
            inner,
            count: Default::default(),
        }
    }
    pub fn counter(&self) -> std::sync::Arc<std::sync::atomic::AtomicU64> {
        self.count.clone()
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// `rejects.csv`: one line per problem, `file,line,column,reason`.
pub struct RejectWriter {
    w: csv::Writer<BufWriter<File>>,
    path: PathBuf,
    pub problems: u64,
}

impl RejectWriter {
    pub fn create(path: &Path) -> Result<RejectWriter, InterchangeError> {
        let f = File::create(path).map_err(|source| InterchangeError::Open {
            file: path.into(),
            source,
        })?;
        let mut w = csv::Writer::from_writer(BufWriter::new(f));
        w.write_record(["file", "line", "column", "reason"])
            .map_err(|e| io_err(path, e))?;
        Ok(RejectWriter {
            w,
            path: path.into(),
            problems: 0,
        })
    }

    pub fn write(
        &mut self,
        file: &str,
        line: u64,
        column: &str,
        reason: &str,
    ) -> Result<(), InterchangeError> {
        self.problems += 1;
        let line = line.to_string();
        self.w
            .write_record([file, &line, column, reason])
            .map_err(|e| io_err(&self.path, e))
    }

    pub fn finish(mut self) -> Result<(), InterchangeError> {
        self.w.flush().map_err(|source| InterchangeError::Io {
            file: self.path.display().to_string(),
            source,
        })
    }
}

fn io_err(path: &Path, e: csv::Error) -> InterchangeError {
    InterchangeError::Io {
        file: path.display().to_string(),
        source: io::Error::other(e.to_string()),
    }
}

/// Writes a data set: `households.csv` and `members.csv` with the project's column order.
pub struct DatasetWriter {
    households: csv::Writer<BufWriter<File>>,
    members: csv::Writer<BufWriter<File>>,
    dir: PathBuf,
    scratch: Vec<String>,
}

impl DatasetWriter {
    pub fn create(dir: &Path) -> Result<DatasetWriter, InterchangeError> {
        std::fs::create_dir_all(dir).map_err(|source| InterchangeError::Open {
            file: dir.into(),
            source,
        })?;
        let open = |name: &str,
                    cols: &[Column]|
         -> Result<csv::Writer<BufWriter<File>>, InterchangeError> {
            let path = dir.join(name);
            let f = File::create(&path).map_err(|source| InterchangeError::Open {
                file: path.clone(),
                source,
            })?;
            let mut w = csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, f));
            w.write_record(cols.iter().map(|c| c.name))
                .map_err(|e| io_err(&path, e))?;
            Ok(w)
        };
        Ok(DatasetWriter {
            households: open(HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS)?,
            members: open(MEMBERS_FILE, MEMBER_COLUMNS)?,
            dir: dir.into(),
            scratch: Vec::new(),
        })
    }

    fn write_values(
        w: &mut csv::Writer<BufWriter<File>>,
        scratch: &mut Vec<String>,
        values: &[Value<'_>],
        path: PathBuf,
    ) -> Result<(), InterchangeError> {
        use std::fmt::Write as _;
        scratch.resize(values.len(), String::new());
        for (s, v) in scratch.iter_mut().zip(values) {
            s.clear();
            let _ = write!(s, "{v}");
        }
        w.write_record(scratch.iter()).map_err(|e| io_err(&path, e))
    }

    pub fn household(&mut self, values: &[Value<'_>]) -> Result<(), InterchangeError> {
        let path = self.dir.join(HOUSEHOLDS_FILE);
        Self::write_values(&mut self.households, &mut self.scratch, values, path)
    }

    pub fn member(&mut self, values: &[Value<'_>]) -> Result<(), InterchangeError> {
        let path = self.dir.join(MEMBERS_FILE);
        Self::write_values(&mut self.members, &mut self.scratch, values, path)
    }

    pub fn finish(mut self) -> Result<(), InterchangeError> {
        for (w, name) in [
            (&mut self.households, HOUSEHOLDS_FILE),
            (&mut self.members, MEMBERS_FILE),
        ] {
            w.flush().map_err(|source| InterchangeError::Io {
                file: self.dir.join(name).display().to_string(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Flushes a writer, naming the file on failure.
pub fn flush(w: &mut impl Write, file: &str) -> Result<(), InterchangeError> {
    w.flush().map_err(|source| InterchangeError::Io {
        file: file.into(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_required_column_is_named() {
        let data = "household_id,region_code\nH1,32.01.01.2001\n";
        let err = CsvFile::new("households.csv", data.as_bytes(), HOUSEHOLD_COLUMNS)
            .err()
            .unwrap();
        let msg = err.to_string();
        assert!(
            msg.starts_with("households.csv: missing required column(s): ownership, floor_area_m2"),
            "{msg}"
        );
        assert!(
            !msg.contains("address"),
            "optional columns are not required: {msg}"
        );
    }

    #[test]
    fn columns_in_any_order_and_unknown_ignored() {
        let mut cols: Vec<&str> = MEMBER_COLUMNS.iter().map(|c| c.name).collect();
        cols.reverse();
        cols.push("favourite_colour");
        let header = cols.join(",");
        let mut row = vec![""; cols.len()];
        row[cols.iter().position(|c| *c == "name").unwrap()] = "Siti";
        let data = format!("{header}\n{}\n1,2\n", row.join(","));
        let mut f = CsvFile::new("members.csv", data.as_bytes(), MEMBER_COLUMNS).unwrap();
        let ReadItem::Record { line, record } = f.next_item().unwrap() else {
            panic!()
        };
        assert_eq!(line, 2);
        let r = MappedRow {
            record: &record,
            map: &f.map,
        };
        assert_eq!(r.field(3), "Siti");
        let ReadItem::Unreadable { line, reason } = f.next_item().unwrap() else {
            panic!()
        };
        assert_eq!(line, 3);
        assert!(reason.contains("2 fields"), "{reason}");
        assert!(f.next_item().is_none());
    }

    #[test]
    fn invalid_utf8_is_a_row_error() {
        let mut data = b"household_id,nik\n".to_vec();
        data.extend_from_slice(b"H\xff1,123\n");
        let cols: &'static [Column] = &MEMBER_COLUMNS[..0];
        let mut f = CsvFile::new("members.csv", &data[..], cols).unwrap();
        assert!(matches!(
            f.next_item(),
            Some(ReadItem::Unreadable { line: 2, .. })
        ));
    }

    #[test]
    fn duplicate_header_is_an_error() {
        let e = CsvFile::new("members.csv", "nik,nik\n".as_bytes(), &MEMBER_COLUMNS[..0])
            .err()
            .unwrap();
        assert!(e.to_string().contains("twice"));
    }
}
