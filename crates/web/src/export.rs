//! Exports (issue #6): every table as CSV and as XLSX, and a printable PDF summary.
//!
//! A table is data ([`Table`]: columns with machine keys and Indonesian and English
//! labels, typed [`Cell`]s); the formats are views of it:
//!
//! - **CSV** (RFC 4180, UTF-8 with a byte-order mark so that Excel reads it as UTF-8): the
//!   header is the column keys, values are raw so that other tools read them — integers as
//!   digits, percents with a dot (`12.5`), dates ISO (`2026-11-21`), rupiah as whole
//!   integers, regions as their codes. A text that a spreadsheet would run as a formula
//!   (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'`.
//!   Large exports stream ([`csv_stream`]): rows are pulled from their source as the client
//!   reads and sent in chunks of about 64 KB, so memory does not grow with the row count.
//! - **XLSX** ([`rust_xlsxwriter`], written row by row through a temporary file — its
//!   "constant memory" mode): one header row with the Indonesian label in bold and the
//!   English label under it in the same cell (so the autofilter sits on the one header
//!   row), frozen, with an autofilter; typed cells — numbers as numbers (`#,##0`), percents
//!   as fractions formatted `0.0%`, rupiah `"Rp "#,##0`, dates as Excel dates `dd/mm/yyyy`,
//!   regions as "Name (code)". Beyond Excel's 1,048,576 rows a sheet continues on the next
//!   one, with the header again.
//! - **PDF** (`selaras_letters::summary_pdf`): the tables of an eligibility run with the
//!   Indonesian formats of [`Cell::display`].
//!
//! The helpers [`thousands`], [`rupiah`], [`percent`], [`date_id`] and [`region_label`]
//! give the Indonesian forms (`1.234.567`, `Rp 1.500.000`, `12,5 %`, `21/11/2026`,
//! `Kabupaten Sragen (33.14)`) for pages as well.
//!
//! Routes ([`routes`]): `GET /exports/eligibility/{id}/{table}.{csv|xlsx}` (`summary`,
//! `gaps`, `combinations`, `quota`), `GET /exports/eligibility/{id}/report.pdf`,
//! `GET /exports/cases.{csv|xlsx}?status=&kind=&region=` and
//! `GET /exports/visits.{csv|xlsx}?region=`. They read through the same functions as the
//! pages and the API (`views::run_view`, `views::visible_quota`, `casework::list`,
//! `casework::list_visits`), so the same authorizer decides: a `region` outside the
//! caller's is 404, a role without the permission 403, an empty region a file with the
//! header only. Signed in by the session cookie or a bearer token; without either, 401
//! problem+json — except a browser's plain navigation (no `Authorization`, `Accept`
//! naming `text/html`), which is sent to `/login`. Errors after sign-in are HTML pages
//! for cookie sessions and problem+json for bearer tokens, as elsewhere.

use std::borrow::Cow;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use futures::{Stream, StreamExt};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use serde::Deserialize;

use selaras_domain::access::Permission;
use selaras_domain::{Date, RegionCode, RegionScope};
use selaras_regions::RegionTable;

use crate::auth::Caller;
use crate::casework::{self, CaseQuery, CaseView};
use crate::error::{ApiError, ApiResult};
use crate::views;
use crate::AppState;

// ---- The table model ------------------------------------------------------------------

/// A table to export: titles, columns and rows of typed cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title_id: String,
    pub title_en: String,
    pub columns: Vec<Col>,
    /// One cell per column (a shorter row is padded with empty cells, extra ones are
    /// ignored).
    pub rows: Vec<Vec<Cell>>,
}

/// A column: its machine key (the CSV header) and its labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Col {
    pub key: &'static str,
    pub label_id: String,
    pub label_en: String,
}

impl Col {
    pub fn new(key: &'static str, label_id: &str, label_en: &str) -> Col {
        Col {
            key,
            label_id: label_id.into(),
            label_en: label_en.into(),
        }
    }
}

/// A typed value; every format shows it its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A percentage, 0 to 100 (not a fraction).
    Percent(f64),
    /// Whole rupiah.
    Rupiah(i64),
    Date(Date),
    /// A region: its code and name (empty when unknown).
    Region {
        code: String,
        name: String,
    },
}

impl Cell {
    /// Text, or [`Cell::Empty`] for an empty string.
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    /// A count, or [`Cell::Empty`] for none.
    pub fn count(n: Option<u64>) -> Cell {
        n.map_or(Cell::Empty, |n| {
            Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
        })
    }

    /// `part` as a percentage of `whole`; empty when `whole` is zero or unknown.
    pub fn share(part: Option<u64>, whole: Option<u64>) -> Cell {
        match (part, whole) {
            (Some(p), Some(w)) if w > 0 => Cell::Percent(p as f64 * 100.0 / w as f64),
            _ => Cell::Empty,
        }
    }

    /// A region by code, named from the region table.
    pub fn region(regions: &RegionTable, code: &str) -> Cell {
        if code.is_empty() {
            return Cell::Empty;
        }
        let name = RegionCode::parse(code)
            .ok()
            .and_then(|c| regions.name(&c).map(String::from))
            .unwrap_or_default();
        Cell::Region {
            code: code.into(),
            name,
        }
    }

    /// The date of a `YYYY-MM-DD…` text (a date or an RFC 3339 time); the text itself
    /// when it is no date, empty when empty.
    pub fn date_of(s: &str) -> Cell {
        match s.get(..10).map(Date::parse) {
            Some(Ok(d)) => Cell::Date(d),
            _ => Cell::text(s),
        }
    }

    /// The Indonesian form: `1.234`, `12,5 %`, `Rp 1.500.000`, `21/11/2026`,
    /// `Kabupaten Sragen (33.14)`.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => thousands(*n),
            Cell::Percent(p) => percent(*p),
            Cell::Rupiah(n) => rupiah(*n),
            Cell::Date(d) => date_id(*d),
            Cell::Region { code, name } => region_label(name, code),
        }
    }

    /// The raw form of CSV: digits, a dot for decimals, ISO dates, region codes.
    pub fn raw(&self) -> Cow<'_, str> {
        match self {
            Cell::Empty => Cow::Borrowed(""),
            Cell::Text(s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
                Cow::Owned(format!("'{s}"))
            }
            Cell::Text(s) => Cow::Borrowed(s),
            Cell::Int(n) | Cell::Rupiah(n) => Cow::Owned(n.to_string()),
            Cell::Percent(p) if p.is_finite() => {
                // Four decimals at most; `+ 0.0` turns -0 into 0.
                Cow::Owned(((p * 10_000.0).round() / 10_000.0 + 0.0).to_string())
            }
            Cell::Percent(_) => Cow::Borrowed(""),
            Cell::Date(d) => Cow::Owned(d.to_string()),
            Cell::Region { code, .. } => Cow::Borrowed(code),
        }
    }
}

// ---- Indonesian formats ---------------------------------------------------------------

/// `1.234.567`, `-1.234`, `0`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `Rp 1.500.000`, `-Rp 30.000`, `Rp 0`.
pub fn rupiah(n: i64) -> String {
    selaras_domain::Rupiah(n).to_string()
}

/// A percentage (0–100) with one decimal and a decimal comma: `12,5 %`, `100 %`, `0 %`,
/// `-2,5 %`, `1.234,5 %`; empty for a value that is not a number.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return String::new();
    }
    let tenths = (p * 10.0).round();
    if tenths.abs() >= 9.0e17 {
        return format!("{p:.0} %");
    }
    let tenths = tenths as i64;
    let whole = thousands((tenths / 10).abs());
    let sign = if tenths < 0 { "-" } else { "" };
    match (tenths % 10).abs() {
        0 => format!("{sign}{whole} %"),
        d => format!("{sign}{whole},{d} %"),
    }
}

/// `21/11/2026`.
pub fn date_id(d: Date) -> String {
    d.to_id_string()
}

/// `Kabupaten Sragen (33.14)`; the code alone when the name is unknown.
pub fn region_label(name: &str, code: &str) -> String {
    if name.is_empty() {
        code.to_string()
    } else {
        format!("{name} ({code})")
    }
}

// ---- CSV ------------------------------------------------------------------------------

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const PDF_TYPE: &str = "application/pdf";
/// The size of a streamed CSV's chunks (a row never splits; a chunk ends after the row
/// that reaches this size).
pub const CSV_CHUNK: usize = 64 * 1024;

fn csv_writer(buf: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buf)
}

/// The byte-order mark and the header (the column keys).
fn csv_start(columns: &[Col]) -> csv::Writer<Vec<u8>> {
    let mut w = csv_writer("\u{FEFF}".as_bytes().to_vec());
    // Writing to memory cannot fail.
    let _ = w.write_record(columns.iter().map(|c| c.key));
    w
}

fn csv_row(w: &mut csv::Writer<Vec<u8>>, n: usize, row: &[Cell]) {
    let empty = Cell::Empty;
    let cells = (0..n).map(|i| row.get(i).unwrap_or(&empty).raw());
    let _ = w.write_record(cells.map(|c| c.into_owned()));
}

/// Takes what the writer has written so far (it goes on with an empty buffer).
fn csv_take(w: &mut csv::Writer<Vec<u8>>) -> Vec<u8> {
    let full = std::mem::replace(w, csv_writer(Vec::new()));
    // Flushing into memory cannot fail.
    full.into_inner().unwrap_or_default()
}

/// A whole table as CSV bytes.
pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut w = csv_start(&table.columns);
    for row in &table.rows {
        csv_row(&mut w, table.columns.len(), row);
    }
    csv_take(&mut w)
}

/// A table as a CSV download.
pub fn csv_response(table: &Table, filename: &str) -> Response {
    download(CSV_TYPE, filename, Body::from(csv_bytes(table)))
}

/// Rows as a streamed CSV download: the rows are pulled as the client reads and sent in
/// chunks of about [`CSV_CHUNK`] bytes.
pub fn csv_stream(
    columns: &[Col],
    rows: impl Stream<Item = Vec<Cell>> + Send + 'static,
    filename: &str,
) -> Response {
    let batches = rows.ready_chunks(256).map(Ok);
    download(CSV_TYPE, filename, csv_body(columns, Box::pin(batches)))
}

/// Batches of rows from a source that may fail part-way.
pub type RowBatches = Pin<Box<dyn Stream<Item = ApiResult<Vec<Vec<Cell>>>> + Send>>;

/// A streamed CSV body. A source that fails part-way ends the body with an error, so the
/// client sees a broken download rather than a silently shorter file.
pub fn csv_body(columns: &[Col], batches: RowBatches) -> Body {
    let n = columns.len();
    let start = Some((batches, csv_start(columns)));
    let chunks = futures::stream::unfold(start, move |st| async move {
        let (mut batches, mut w) = st?;
        loop {
            match batches.next().await {
                Some(Ok(rows)) => {
                    for row in &rows {
                        csv_row(&mut w, n, row);
                    }
                    let _ = w.flush();
                    if w.get_ref().len() >= CSV_CHUNK {
                        let chunk = Bytes::from(csv_take(&mut w));
                        return Some((Ok(chunk), Some((batches, w))));
                    }
                }
                Some(Err(e)) => {
                    tracing::error!(error = ?e, "a streamed export failed part-way");
                    let e = std::io::Error::other("the export failed part-way");
                    return Some((Err(e), None));
                }
                None => return Some((Ok(Bytes::from(csv_take(&mut w))), None)),
            }
        }
    });
    Body::from_stream(chunks)
}

// ---- XLSX -----------------------------------------------------------------------------

/// Excel's rows per sheet; the header takes one.
const XLSX_ROWS: u32 = 1_048_576;
/// Excel's longest text in a cell.
const XLSX_TEXT: usize = 32_767;
/// Rows looked at for the column widths.
const WIDTH_SAMPLE: usize = 1_000;

struct Formats {
    header: Format,
    label_id: Format,
    label_en: Format,
    int: Format,
    percent: Format,
    rupiah: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            label_id: Format::new().set_bold(),
            label_en: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x505050)),
            int: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0.0%"),
            rupiah: Format::new().set_num_format("\"Rp \"#,##0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
        }
    }
}

/// Writes a table into an XLSX workbook row by row (one row in memory at a time).
pub struct XlsxWriter {
    workbook: Workbook,
    done: Vec<Worksheet>,
    sheet: Worksheet,
    /// The next row of the current sheet.
    row: u32,
    columns: Vec<Col>,
    formats: Formats,
    /// Column widths in characters, from the header and the first rows.
    widths: Vec<usize>,
    seen: usize,
    name: String,
}

/// A worksheet name from a title: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(title: &str, part: usize) -> String {
    let clean: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'');
    let suffix = if part > 1 {
        format!(" ({part})")
    } else {
        String::new()
    };
    let keep = 31 - suffix.chars().count();
    let mut name: String = clean.chars().take(keep).collect();
    if name.trim().is_empty() {
        name = "Data".into();
    }
    format!("{}{suffix}", name.trim_end())
}

impl XlsxWriter {
    pub fn new(title_id: &str, title_en: &str, columns: &[Col]) -> Result<XlsxWriter, XlsxError> {
        let mut workbook = Workbook::new();
        let mut title = title_id.to_string();
        if !title_en.is_empty() && title_en != title_id {
            title = format!("{title_id} / {title_en}");
        }
        workbook.set_properties(&DocProperties::new().set_title(title).set_author("Selaras"));
        let name = sheet_name(title_id, 1);
        let sheet = workbook.new_worksheet_with_constant_memory()?;
        let mut w = XlsxWriter {
            workbook,
            done: Vec::new(),
            sheet,
            row: 0,
            columns: columns.to_vec(),
            formats: Formats::new(),
            widths: columns
                .iter()
                .map(|c| {
                    let longest_word = |s: &str| s.split(' ').map(|w| w.chars().count()).max();
                    longest_word(&c.label_id)
                        .max(longest_word(&c.label_en))
                        .unwrap_or(0)
                        .clamp(10, 50)
                })
                .collect(),
            seen: 0,
            name,
        };
        w.sheet.set_name(&w.name)?;
        w.header()?;
        Ok(w)
    }

    fn header(&mut self) -> Result<(), XlsxError> {
        let f = &self.formats;
        for (i, c) in self.columns.iter().enumerate() {
            let col = i as u16;
            if c.label_en.is_empty() || c.label_en == c.label_id {
                self.sheet
                    .write_string_with_format(0, col, &c.label_id, &f.header)?;
            } else {
                let en = format!("\n{}", c.label_en);
                let parts = [
                    (&f.label_id, c.label_id.as_str()),
                    (&f.label_en, en.as_str()),
                ];
                self.sheet
                    .write_rich_string_with_format(0, col, &parts, &f.header)?;
            }
        }
        self.sheet.set_freeze_panes(1, 0)?;
        self.row = 1;
        Ok(())
    }

    /// Appends a row (padded or cut to the columns).
    pub fn push(&mut self, row: &[Cell]) -> Result<(), XlsxError> {
        if self.row >= XLSX_ROWS {
            self.next_sheet()?;
        }
        let r = self.row;
        let f = &self.formats;
        for (i, cell) in row.iter().take(self.columns.len()).enumerate() {
            let col = i as u16;
            let sheet = &mut self.sheet;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    let s: String = s.chars().take(XLSX_TEXT).collect();
                    sheet.write_string(r, col, s)?;
                }
                Cell::Int(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &f.int)?;
                }
                Cell::Percent(p) if p.is_finite() => {
                    sheet.write_number_with_format(r, col, p / 100.0, &f.percent)?;
                }
                Cell::Percent(_) => {}
                Cell::Rupiah(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &f.rupiah)?;
                }
                Cell::Date(d) => match u16::try_from(d.year())
                    .ok()
                    .and_then(|y| ExcelDateTime::from_ymd(y, d.month(), d.day()).ok())
                {
                    Some(dt) => {
                        sheet.write_datetime_with_format(r, col, &dt, &f.date)?;
                    }
                    // Before 1900: Excel has no such date.
                    None => {
                        sheet.write_string(r, col, date_id(*d))?;
                    }
                },
                Cell::Region { code, name } => {
                    sheet.write_string(r, col, region_label(name, code))?;
                }
            }
            if self.seen < WIDTH_SAMPLE {
                let chars = match cell {
                    Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
                    other => other.display().chars().count(),
                };
                self.widths[i] = self.widths[i].max(chars.min(50));
            }
        }
        self.seen += 1;
        self.row += 1;
        Ok(())
    }

    /// Ends the current sheet (full) and goes on in a new one with the header again.
    fn next_sheet(&mut self) -> Result<(), XlsxError> {
        let part = self.done.len() + 2;
        let next = self.workbook.new_worksheet_with_constant_memory()?;
        let mut full = std::mem::replace(&mut self.sheet, next);
        self.close(&mut full)?;
        self.done.push(full);
        self.sheet.set_name(sheet_name(&self.name, part))?;
        self.header()
    }

    /// The widths and the autofilter of a finished sheet.
    fn close(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (i, w) in self.widths.iter().enumerate() {
            sheet.set_column_width(i as u16, *w as f64 + 2.0)?;
        }
        if !self.columns.is_empty() {
            let last_row = self.row.saturating_sub(1);
            sheet.autofilter(0, 0, last_row, self.columns.len() as u16 - 1)?;
        }
        Ok(())
    }

    /// The workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, XlsxError> {
        let mut last = std::mem::replace(&mut self.sheet, Worksheet::new());
        self.close(&mut last)?;
        for sheet in self.done.drain(..) {
            self.workbook.push_worksheet(sheet);
        }
        self.workbook.push_worksheet(last);
        self.workbook.save_to_buffer()
    }
}

/// A whole table as XLSX bytes.
pub fn xlsx_bytes(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut w = XlsxWriter::new(&table.title_id, &table.title_en, &table.columns)?;
    for row in &table.rows {
        w.push(row)?;
    }
    w.finish()
}

/// A table as an XLSX download (500 when the workbook cannot be written, e.g. no
/// writable temporary folder).
pub fn xlsx_response(table: &Table, filename: &str) -> Response {
    match xlsx_bytes(table) {
        Ok(bytes) => download(XLSX_TYPE, filename, Body::from(bytes)),
        Err(e) => ApiError::Internal(format!("xlsx export: {e}")).into_response(),
    }
}

// ---- PDF ------------------------------------------------------------------------------

/// A table with the Indonesian formats, for the printable summary.
pub fn report_table(table: &Table) -> selaras_letters::ReportTable {
    let n = table.columns.len();
    selaras_letters::ReportTable {
        title: table.title_id.clone(),
        columns: table.columns.iter().map(|c| c.label_id.clone()).collect(),
        rows: table
            .rows
            .iter()
            .map(|r| {
                (0..n)
                    .map(|i| r.get(i).map(Cell::display).unwrap_or_default())
                    .collect()
            })
            .collect(),
    }
}

// ---- Responses ------------------------------------------------------------------------

/// `name` with only the characters safe in a header and a file system.
pub fn safe_filename(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "export".into()
    } else {
        s
    }
}

/// A download: its type, `Content-Disposition: attachment` and no caching (exports may
/// hold personal data).
pub fn download(content_type: &'static str, filename: &str, body: Body) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", safe_filename(filename));
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

// ---- Routes ---------------------------------------------------------------------------

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exports/eligibility/{id}/{file}", get(eligibility_export))
        .route("/exports/{file}", get(list_export))
        .route("/exports/catalogue/{version}/{file}", get(dry_run_export))
        .route("/exports/programs/{file}", get(programs_export))
}

/// Query parameters of every export (each export reads those it needs).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportQuery {
    /// A region inside the caller's: only its rows.
    pub region: Option<String>,
    /// Cases: a case state.
    pub status: Option<String>,
    /// Cases: a case kind.
    pub kind: Option<String>,
    /// Quota lists: one program.
    pub program: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileType {
    Csv,
    Xlsx,
    Pdf,
}

/// `name.ext` → (name, format).
pub(crate) fn split_file(file: &str) -> Option<(&str, FileType)> {
    let (name, ext) = file.rsplit_once('.')?;
    let f = match ext {
        "csv" => FileType::Csv,
        "xlsx" => FileType::Xlsx,
        "pdf" => FileType::Pdf,
        _ => return None,
    };
    Some((name, f))
}

/// The signed-in caller, or the answer to someone who is not.
pub(crate) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    match crate::auth::caller(headers, &*state.store).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => {
            let browser = !headers.contains_key(header::AUTHORIZATION)
                && headers
                    .get(header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|a| a.contains("text/html"));
            Err(if browser {
                Redirect::to("/login").into_response()
            } else {
                ApiError::Unauthorized.into_response()
            })
        }
        Err(e) => Err(e.into_response()),
    }
}

/// An error as the caller's side of the app shows it: a page for the web UI, problem+json
/// for the API.
pub(crate) fn failure(state: &AppState, caller: &Caller, e: ApiError) -> Response {
    if caller.via_cookie {
        crate::pages::error_page(state, Some(caller), e)
    } else {
        e.into_response()
    }
}

/// Whether a regency's row belongs to the narrowed region (they overlap).
fn meets(region: Option<&RegionCode>, regency: &str) -> bool {
    region.is_none_or(|r| {
        let r = r.as_str();
        regency.starts_with(r) || r.starts_with(regency)
    })
}

/// `-33.14` for a narrowed region, empty otherwise (for file names).
fn region_suffix(region: Option<&RegionCode>) -> String {
    region.map(|r| format!("-{r}")).unwrap_or_default()
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(format!("export task: {e}")))
}

/// A table in the format asked for (CSV, XLSX or, for eligibility runs, PDF).
pub(crate) async fn respond(
    table: Table,
    format: FileType,
    filename: String,
) -> ApiResult<Response> {
    match format {
        FileType::Csv => Ok(csv_response(&table, &filename)),
        FileType::Xlsx => {
            let bytes = blocking(move || xlsx_bytes(&table)).await?;
            let bytes = bytes.map_err(|e| ApiError::Internal(format!("xlsx export: {e}")))?;
            Ok(download(XLSX_TYPE, &filename, Body::from(bytes)))
        }
        FileType::Pdf => {
            let title = table.title_id.clone();
            let report = report_table(&table);
            let pdf = blocking(move || selaras_letters::summary_pdf(&title, "", &[report])).await?;
            Ok(download(PDF_TYPE, &filename, Body::from(pdf)))
        }
    }
}

// ---- Eligibility runs -----------------------------------------------------------------

/// `GET /exports/eligibility/{id}/{table}.{csv|xlsx}` and `…/report.pdf`.
async fn eligibility_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match eligibility_file(&state, &caller, &id, &file, query).await {
        Ok(r) => r,
        Err(e) => failure(&state, &caller, e),
    }
}

async fn eligibility_file(
    state: &AppState,
    caller: &Caller,
    id: &str,
    file: &str,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound)?;
    let (name, format) = split_file(file).ok_or(ApiError::NotFound)?;
    let region = views::narrowed(caller, q.region.as_deref())?;
    let suffix = region_suffix(region.as_ref());
    if name == "report" && format == FileType::Pdf {
        let pdf = run_report(state, caller, id, region.as_ref()).await?;
        return Ok(download(
            PDF_TYPE,
            &format!("eligibility-{id}-report{suffix}.pdf"),
            Body::from(pdf),
        ));
    }
    if format == FileType::Pdf {
        return Err(ApiError::NotFound);
    }
    let table = match name {
        "summary" => {
            if region.is_some() {
                return Err(ApiError::Invalid {
                    field: "region".into(),
                    detail: "the summary is national; export the gaps of a region".into(),
                });
            }
            views::require(caller, Permission::ViewMonitoring)?;
            let view = views::run_view(&views::run_of(state, id).await?, caller)?;
            // National figures only for national callers, as on the page.
            summary_table(view.summary.as_deref().ok_or(ApiError::NotFound)?)
        }
        "gaps" => {
            views::require(caller, Permission::ViewMonitoring)?;
            let view = views::run_view(&views::run_of(state, id).await?, caller)?;
            gaps_table(state.regions, &view.gaps, region.as_ref())
        }
        "combinations" => {
            views::require(caller, Permission::ViewMonitoring)?;
            let view = views::run_view(&views::run_of(state, id).await?, caller)?;
            combinations_table(state.regions, &view.combinations, region.as_ref())
        }
        "quota" => {
            let run = views::run_of(state, id).await?;
            let program = q.program.as_deref().filter(|p| !p.is_empty());
            let units = views::visible_quota(state, caller, run.id, program).await?;
            let filename = format!("eligibility-{id}-quota{suffix}.{}", ext(format));
            crate::audit::record(
                state,
                Some(caller),
                "export.quota",
                &format!("eligibility_run:{id}"),
                region
                    .as_ref()
                    .map_or(caller.principal.scope.prefix(), |r| r.as_str()),
                &filename,
            )
            .await?;
            quota_table(state.regions, &units, region.as_ref())
        }
        _ => return Err(ApiError::NotFound),
    };
    let filename = format!("eligibility-{id}-{name}{suffix}.{}", ext(format));
    respond(table, format, filename).await
}

fn ext(f: FileType) -> &'static str {
    match f {
        FileType::Csv => "csv",
        FileType::Xlsx => "xlsx",
        FileType::Pdf => "pdf",
    }
}

/// The gap counts and their rates, shared by the summary and the regency table.
fn gap_cols() -> [Col; 6] {
    [
        Col::new(
            "eligible_households",
            "Rumah tangga layak",
            "Eligible households",
        ),
        Col::new(
            "enrolled_households",
            "Rumah tangga terdaftar",
            "Enrolled households",
        ),
        Col::new(
            "eligible_not_enrolled",
            "Layak, belum terdaftar (exclusion)",
            "Eligible, not enrolled (exclusion)",
        ),
        Col::new(
            "enrolled_not_eligible",
            "Terdaftar, tidak layak (inclusion)",
            "Enrolled, not eligible (inclusion)",
        ),
        Col::new(
            "exclusion_rate",
            "Persentase layak, belum terdaftar",
            "Exclusion rate (of eligible)",
        ),
        Col::new(
            "inclusion_rate",
            "Persentase terdaftar, tidak layak",
            "Inclusion rate (of enrolled)",
        ),
    ]
}

pub fn summary_table(rows: &[views::SummaryView]) -> Table {
    let mut columns = vec![
        Col::new("program", "Program", "Program"),
        Col::new("unit", "Sasaran", "Unit"),
        Col::new("eligible_units", "Unit layak", "Eligible units"),
    ];
    columns.extend(gap_cols());
    Table {
        title_id: "Ringkasan nasional per program".into(),
        title_en: "National summary per program".into(),
        columns,
        rows: rows
            .iter()
            .map(|s| {
                vec![
                    Cell::text(&s.program),
                    Cell::text(&s.unit),
                    Cell::count(Some(s.eligible_units)),
                    Cell::count(Some(s.eligible_households)),
                    Cell::count(s.enrolled_households),
                    Cell::count(s.eligible_not_enrolled),
                    Cell::count(s.enrolled_not_eligible),
                    Cell::share(s.eligible_not_enrolled, Some(s.eligible_households)),
                    Cell::share(s.enrolled_not_eligible, s.enrolled_households),
                ]
            })
            .collect(),
    }
}

pub fn gaps_table(
    regions: &RegionTable,
    rows: &[views::GapView],
    region: Option<&RegionCode>,
) -> Table {
    let mut columns = vec![
        Col::new("regency", "Kabupaten/kota", "Regency/city"),
        Col::new("program", "Program", "Program"),
    ];
    columns.extend(gap_cols());
    Table {
        title_id: "Kesalahan sasaran per kabupaten/kota".into(),
        title_en: "Exclusion and inclusion per regency".into(),
        columns,
        rows: rows
            .iter()
            .filter(|g| meets(region, &g.regency))
            .map(|g| {
                vec![
                    Cell::region(regions, &g.regency),
                    Cell::text(&g.program),
                    Cell::count(Some(g.eligible_households)),
                    Cell::count(Some(g.enrolled_households)),
                    Cell::count(Some(g.eligible_not_enrolled)),
                    Cell::count(Some(g.enrolled_not_eligible)),
                    Cell::share(Some(g.eligible_not_enrolled), Some(g.eligible_households)),
                    Cell::share(Some(g.enrolled_not_eligible), Some(g.enrolled_households)),
                ]
            })
            .collect(),
    }
}

pub fn combinations_table(
    regions: &RegionTable,
    rows: &[views::ComboView],
    region: Option<&RegionCode>,
) -> Table {
    let rows: Vec<&views::ComboView> = rows.iter().filter(|c| meets(region, &c.regency)).collect();
    let total = |regency: &str| -> u64 {
        rows.iter()
            .filter(|c| c.regency == regency)
            .map(|c| c.households)
            .sum()
    };
    Table {
        title_id: "Kombinasi program yang diterima".into(),
        title_en: "Combinations of programs received".into(),
        columns: vec![
            Col::new("regency", "Kabupaten/kota", "Regency/city"),
            Col::new(
                "programs_received",
                "Program yang diterima",
                "Programs received",
            ),
            Col::new("households", "Rumah tangga", "Households"),
            Col::new(
                "share",
                "Persentase rumah tangga kab/kota",
                "Share of the regency's households",
            ),
        ],
        rows: rows
            .iter()
            .map(|c| {
                vec![
                    Cell::region(regions, &c.regency),
                    Cell::text(&c.programs_received),
                    Cell::count(Some(c.households)),
                    Cell::share(Some(c.households), Some(total(&c.regency))),
                ]
            })
            .collect(),
    }
}

pub fn quota_table(
    regions: &RegionTable,
    units: &[selaras_store::QuotaEntry],
    region: Option<&RegionCode>,
) -> Table {
    Table {
        title_id: "Kuota dan daftar tunggu".into(),
        title_en: "Quotas and waiting lists".into(),
        columns: vec![
            Col::new("program", "Program", "Program"),
            Col::new("quota_region", "Wilayah kuota", "Quota region"),
            Col::new("household_id", "ID rumah tangga", "Household id"),
            Col::new("nik", "NIK", "NIK"),
            Col::new("region", "Desa/kelurahan", "Village"),
            Col::new("national_rank", "Peringkat nasional", "National rank"),
            Col::new("status", "Status", "Status"),
            Col::new("status_label", "Keterangan status", "Status (label)"),
            Col::new("position", "Urutan", "Position"),
        ],
        rows: units
            .iter()
            .filter(|u| region.is_none_or(|r| u.region.starts_with(r.as_str())))
            .map(|u| {
                vec![
                    Cell::text(&u.program),
                    Cell::region(regions, &u.quota_region),
                    Cell::text(&u.household_id),
                    Cell::text(&u.nik),
                    Cell::region(regions, &u.region),
                    u.national_rank.map_or(Cell::Empty, Cell::Int),
                    Cell::text(if u.selected { "selected" } else { "waiting" }),
                    Cell::text(if u.selected {
                        "terpilih"
                    } else {
                        "daftar tunggu"
                    }),
                    Cell::Int(u.position),
                ]
            })
            .collect(),
    }
}

/// The printable summary of a run inside the caller's (or the narrowed) region: the
/// national summary (national callers, no narrowing), the gaps and the combinations.
async fn run_report(
    state: &AppState,
    caller: &Caller,
    id: i64,
    region: Option<&RegionCode>,
) -> ApiResult<Vec<u8>> {
    views::require(caller, Permission::ViewMonitoring)?;
    let run = views::run_of(state, id).await?;
    let view = views::run_view(&run, caller)?;
    let mut tables = Vec::new();
    if let (Some(s), None) = (&view.summary, region) {
        tables.push(report_table(&summary_table(s)));
    }
    tables.push(report_table(&gaps_table(state.regions, &view.gaps, region)));
    tables.push(report_table(&combinations_table(
        state.regions,
        &view.combinations,
        region,
    )));
    let place = match (region, &caller.principal.scope) {
        (Some(r), _) | (None, RegionScope::Region(r)) => {
            views::RegionView::new(state.regions, r).label()
        }
        (None, RegionScope::National) => "Nasional".into(),
    };
    let as_of = Date::parse(&run.as_of).map_or_else(|_| run.as_of.clone(), date_id);
    let catalogue = run
        .catalogue_version
        .map_or_else(|| "bawaan".to_string(), |v| format!("versi {v}"));
    let title = format!("Hasil kelayakan #{id}");
    let subtitle = format!(
        "Wilayah: {place}. Edisi peringkat {}, katalog {catalogue}, umur per {as_of}. \
         Dicetak {} oleh {}.",
        run.edition_id,
        date_id(views::today()),
        caller.principal.username
    );
    blocking(move || selaras_letters::summary_pdf(&title, &subtitle, &tables)).await
}

// ---- Cases and visits -----------------------------------------------------------------

/// `GET /exports/cases.{csv|xlsx}` and `GET /exports/visits.{csv|xlsx}`.
async fn list_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match list_file(&state, &caller, &file, query).await {
        Ok(r) => r,
        Err(e) => failure(&state, &caller, e),
    }
}

async fn list_file(
    state: &AppState,
    caller: &Caller,
    file: &str,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (name, format) = split_file(file).ok_or(ApiError::NotFound)?;
    let (source, title_id, title_en, columns) = match name {
        "cases" => (
            Source::Cases(CaseQuery {
                status: q.status.clone(),
                kind: q.kind.clone(),
                region: q.region.clone(),
                ..CaseQuery::default()
            }),
            "Kasus SLRT",
            "SLRT cases",
            case_columns(),
        ),
        "visits" => (
            Source::Visits(views::narrowed(caller, q.region.as_deref())?),
            "Kunjungan",
            "Visits",
            visit_columns(),
        ),
        _ => return Err(ApiError::NotFound),
    };
    if format == FileType::Pdf {
        return Err(ApiError::NotFound);
    }
    let place = q
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or(match caller.principal.scope.prefix() {
            "" => "nasional",
            p => p,
        })
        .to_string();
    let filename = format!(
        "{}-{place}-{}.{}",
        if name == "cases" {
            "kasus"
        } else {
            "kunjungan"
        },
        views::today(),
        ext(format)
    );
    let mut pager = Pager {
        state: state.clone(),
        caller: caller.clone(),
        source,
        page: 1,
        last: None,
        done: false,
    };
    // The first page before anything is sent: a bad parameter or a region outside the
    // caller's is still an error status.
    let first = pager.next().await?.unwrap_or_default();
    crate::audit::record(
        state,
        Some(caller),
        &format!("export.{name}"),
        name,
        caller.principal.scope.prefix(),
        &filename,
    )
    .await?;
    match format {
        FileType::Csv => {
            let batches =
                futures::stream::unfold((Some(first), pager), |(first, mut pager)| async move {
                    if let Some(rows) = first {
                        return Some((Ok(rows), (None, pager)));
                    }
                    match pager.next().await {
                        Ok(Some(rows)) => Some((Ok(rows), (None, pager))),
                        Ok(None) => None,
                        Err(e) => {
                            pager.done = true;
                            Some((Err(e), (None, pager)))
                        }
                    }
                });
            Ok(download(
                CSV_TYPE,
                &filename,
                csv_body(&columns, Box::pin(batches)),
            ))
        }
        _ => {
            // Pages go to a writer on a blocking thread as they come.
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<Cell>>>(4);
            let writer = tokio::task::spawn_blocking(move || {
                let mut w = XlsxWriter::new(title_id, title_en, &columns)?;
                while let Some(rows) = rx.blocking_recv() {
                    for row in &rows {
                        w.push(row)?;
                    }
                }
                w.finish()
            });
            let mut page = Some(first);
            let mut failed = None;
            while let Some(rows) = page.take() {
                if tx.send(rows).await.is_err() {
                    break; // the writer failed: its error follows
                }
                match pager.next().await {
                    Ok(next) => page = next,
                    Err(e) => failed = Some(e),
                }
            }
            drop(tx);
            let written = writer
                .await
                .map_err(|e| ApiError::Internal(format!("export task: {e}")))?;
            if let Some(e) = failed {
                return Err(e);
            }
            let bytes = written.map_err(|e| ApiError::Internal(format!("xlsx export: {e}")))?;
            Ok(download(XLSX_TYPE, &filename, Body::from(bytes)))
        }
    }
}

enum Source {
    Cases(CaseQuery),
    /// Visits, of this region only when narrowed.
    Visits(Option<RegionCode>),
}

/// Pages of a list as rows, through the same functions as the pages and the API (with
/// their access checks and audit entries). Rows that moved to a later page because new
/// ones were added meanwhile are not repeated: lists are newest first, and a row is kept
/// only when it sorts after the last one sent.
struct Pager {
    state: AppState,
    caller: Caller,
    source: Source,
    page: i64,
    /// The sort key of the last row sent: (day, id) of visits, ("", id) of cases.
    last: Option<(String, i64)>,
    done: bool,
}

/// The pages `casework::list` and `casework::list_visits` accept.
const MAX_PAGE: i64 = 100_000;

impl Pager {
    /// The next page's rows (possibly none, when all were sent already); `None` at the end.
    async fn next(&mut self) -> ApiResult<Option<Vec<Vec<Cell>>>> {
        if self.done || self.page > MAX_PAGE {
            return Ok(None);
        }
        let page = self.page;
        self.page += 1;
        let last = self.last.clone();
        let fresh = |key: (String, i64)| last.as_ref().is_none_or(|l| key < *l);
        match &self.source {
            Source::Cases(q) => {
                let q = CaseQuery {
                    page: Some(page),
                    ..q.clone()
                };
                let recs = casework::list(&self.state, &self.caller, &q).await?;
                if recs.is_empty() {
                    self.done = true;
                    return Ok(None);
                }
                let recs: Vec<_> = recs
                    .into_iter()
                    .filter(|r| fresh((String::new(), r.id)))
                    .collect();
                if let Some(r) = recs.last() {
                    self.last = Some((String::new(), r.id));
                }
                let views = casework::views(&self.state, &self.caller, &recs).await?;
                Ok(Some(views.iter().map(case_row).collect()))
            }
            Source::Visits(region) => {
                let q = casework::VisitQuery {
                    page: Some(page),
                    ..Default::default()
                };
                let visits = casework::list_visits(&self.state, &self.caller, &q).await?;
                if visits.is_empty() {
                    self.done = true;
                    return Ok(None);
                }
                let visits: Vec<_> = visits
                    .into_iter()
                    .filter(|v| fresh((v.visited_on.clone(), v.id)))
                    .collect();
                if let Some(v) = visits.last() {
                    self.last = Some((v.visited_on.clone(), v.id));
                }
                Ok(Some(
                    visits
                        .iter()
                        .filter(|v| {
                            region
                                .as_ref()
                                .is_none_or(|r| v.region.starts_with(r.as_str()))
                        })
                        .map(|v| visit_row(&self.state, v))
                        .collect(),
                ))
            }
        }
    }
}

pub fn case_columns() -> Vec<Col> {
    vec![
        Col::new("case", "Nomor kasus", "Case number"),
        Col::new("kind", "Jenis (kode)", "Kind"),
        Col::new("kind_label", "Jenis", "Kind (label)"),
        Col::new("category", "Kategori (kode)", "Category"),
        Col::new("category_label", "Kategori", "Category (label)"),
        Col::new("status", "Status (kode)", "Status"),
        Col::new("status_label", "Status", "Status (label)"),
        Col::new("region", "Desa/kelurahan", "Village"),
        Col::new("household_id", "ID rumah tangga", "Household id"),
        Col::new("nik", "NIK", "NIK"),
        Col::new("channel", "Saluran", "Channel"),
        Col::new(
            "referral_program",
            "Dirujuk ke program",
            "Referred to program",
        ),
        Col::new("description", "Uraian", "Description"),
        Col::new("created_on", "Tanggal dibuat", "Created on"),
        Col::new("created_by", "Dibuat oleh", "Created by"),
        Col::new("due_on", "Batas waktu", "Due on"),
        Col::new("overdue", "Terlambat", "Overdue"),
        Col::new("updated_on", "Terakhir diubah", "Last changed on"),
    ]
}

pub fn case_row(v: &CaseView) -> Vec<Cell> {
    vec![
        Cell::text(&v.number),
        Cell::text(&v.kind),
        Cell::text(&v.kind_label),
        Cell::text(&v.category),
        Cell::text(&v.category_label),
        Cell::text(&v.status),
        Cell::text(&v.status_label),
        Cell::Region {
            code: v.region.code.clone(),
            name: v.region.name.clone().unwrap_or_default(),
        },
        Cell::text(v.household_id.clone().unwrap_or_default()),
        Cell::text(v.nik.clone().unwrap_or_default()),
        Cell::text(&v.channel),
        v.referral
            .as_ref()
            .map_or(Cell::Empty, |r| Cell::text(&r.program)),
        Cell::text(&v.description),
        Cell::date_of(&v.created_at),
        Cell::text(&v.created_by),
        v.due_at.as_deref().map_or(Cell::Empty, Cell::date_of),
        Cell::text(if v.overdue { "ya" } else { "tidak" }),
        Cell::date_of(&v.updated_at),
    ]
}

pub fn visit_columns() -> Vec<Col> {
    vec![
        Col::new("visited_on", "Tanggal kunjungan", "Visited on"),
        Col::new("household_id", "ID rumah tangga", "Household id"),
        Col::new("region", "Desa/kelurahan", "Village"),
        Col::new("purpose", "Keperluan (kode)", "Purpose"),
        Col::new("purpose_label", "Keperluan", "Purpose (label)"),
        Col::new("case", "Nomor kasus", "Case number"),
        Col::new("note", "Catatan", "Note"),
        Col::new("recorded_by", "Dicatat oleh", "Recorded by"),
        Col::new("role", "Peran", "Role"),
        Col::new("recorded_on", "Tanggal dicatat", "Recorded on"),
    ]
}

fn visit_row(state: &AppState, v: &selaras_store::VisitRecord) -> Vec<Cell> {
    let view = casework::visit_view(state, v);
    vec![
        Cell::date_of(&view.visited_on),
        Cell::text(&view.household_id),
        Cell::Region {
            code: view.region.code.clone(),
            name: view.region.name.clone().unwrap_or_default(),
        },
        Cell::text(&view.purpose),
        Cell::text(&view.purpose_label),
        view.case_id.map_or(Cell::Empty, |id| {
            Cell::text(selaras_domain::casework::case_number(id))
        }),
        Cell::text(&view.note),
        Cell::text(&view.recorded_by),
        Cell::text(&view.role),
        Cell::date_of(&view.recorded_at),
    ]
}

/// `GET /exports/catalogue/{version}/dry-run.{csv|xlsx}`: a draft's dry run (households
/// and people gaining and losing eligibility per regency and program; counts only).
async fn dry_run_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((version, file)): Path<(String, String)>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let answer = async {
        let (name, format) = split_file(&file).ok_or(ApiError::NotFound)?;
        if name != "dry-run" || format == FileType::Pdf {
            return Err(ApiError::NotFound);
        }
        let n: i64 = version.parse().map_err(|_| ApiError::NotFound)?;
        let d = views::catalogue_detail(&state, n).await?;
        let rows = d.dry_run.unwrap_or_default();
        let table = Table {
            title_id: format!("Uji coba katalog versi {n}"),
            title_en: format!("Dry run of catalogue version {n}"),
            columns: vec![
                Col::new("regency", "Kabupaten/kota", "Regency/city"),
                Col::new("program", "Program", "Program"),
                Col::new(
                    "households_gaining",
                    "Rumah tangga menjadi layak",
                    "Households gaining",
                ),
                Col::new(
                    "households_losing",
                    "Rumah tangga tidak lagi layak",
                    "Households losing",
                ),
                Col::new("people_gaining", "Jiwa menjadi layak", "People gaining"),
                Col::new("people_losing", "Jiwa tidak lagi layak", "People losing"),
            ],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::region(state.regions, &r.regency),
                        Cell::Text(r.program.clone()),
                        Cell::Int(r.households_gaining as i64),
                        Cell::Int(r.households_losing as i64),
                        Cell::Int(r.people_gaining as i64),
                        Cell::Int(r.people_losing as i64),
                    ]
                })
                .collect(),
        };
        let ext = if format == FileType::Csv {
            "csv"
        } else {
            "xlsx"
        };
        respond(table, format, format!("uji-coba-katalog-{n}.{ext}")).await
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => failure(&state, &caller, e),
    }
}

/// `GET /exports/programs/catalogue.{csv|xlsx}`: the program catalogue in force (public
/// policy: every signed-in user), with benefits in rupiah.
async fn programs_export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Response {
    let caller = match signed_in(&state, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let answer = async {
        let (name, format) = split_file(&file).ok_or(ApiError::NotFound)?;
        if name != "catalogue" || format == FileType::Pdf {
            return Err(ApiError::NotFound);
        }
        let (version, catalogue) = selaras_batch::catalogue::in_force(&*state.store).await?;
        let programs: Vec<views::CatalogueProgramView> =
            catalogue.programs.iter().map(Into::into).collect();
        let table = Table {
            title_id: format!(
                "Katalog program {}",
                version.map_or_else(|| "bawaan".to_string(), |v| format!("versi {v}"))
            ),
            title_en: "Program catalogue".into(),
            columns: vec![
                Col::new("code", "Kode", "Code"),
                Col::new("name", "Program", "Program"),
                Col::new("owner_level", "Tingkat pengelola", "Owner level"),
                Col::new("owner", "Pengelola", "Owner"),
                Col::new("unit", "Sasaran", "Unit"),
                Col::new("benefit_kind", "Jenis manfaat", "Benefit kind"),
                Col::new("benefit_rupiah", "Manfaat (Rp)", "Benefit (Rp)"),
                Col::new("benefit_period", "Periode manfaat", "Benefit period"),
                Col::new("quotas", "Kuota", "Quotas"),
                Col::new("rule", "Aturan kelayakan", "Eligibility rule"),
            ],
            rows: programs
                .iter()
                .map(|p| {
                    vec![
                        Cell::Text(p.code.clone()),
                        Cell::Text(p.name_id.clone()),
                        Cell::Text(p.owner_level.clone()),
                        Cell::Text(p.owner.clone()),
                        Cell::Text(p.unit.clone()),
                        Cell::Text(p.benefit_kind.clone()),
                        p.benefit_amount_rupiah.map_or(Cell::Empty, Cell::Rupiah),
                        p.benefit_period.clone().map_or(Cell::Empty, Cell::Text),
                        Cell::Text(
                            p.quotas
                                .iter()
                                .map(|(r, n)| format!("{r}:{n}"))
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                        Cell::Text(p.rule.clone()),
                    ]
                })
                .collect(),
        };
        let ext = if format == FileType::Csv {
            "csv"
        } else {
            "xlsx"
        };
        respond(table, format, format!("katalog-program.{ext}")).await
    };
    match answer.await {
        Ok(r) => r,
        Err(e) => failure(&state, &caller, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn indonesian_numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1.000");
        assert_eq!(thousands(1_234_567), "1.234.567");
        assert_eq!(thousands(-1_234), "-1.234");
        assert_eq!(thousands(-999), "-999");
        assert_eq!(thousands(i64::MAX), "9.223.372.036.854.775.807");
        assert_eq!(thousands(i64::MIN), "-9.223.372.036.854.775.808");
        assert_eq!(rupiah(1_500_000), "Rp 1.500.000");
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(rupiah(-30_000), "-Rp 30.000");
        assert_eq!(rupiah(12_000_000_000), "Rp 12.000.000.000");
    }

    #[test]
    fn indonesian_percents() {
        assert_eq!(percent(12.5), "12,5 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(100.0), "100 %");
        assert_eq!(percent(33.333), "33,3 %");
        assert_eq!(percent(66.66), "66,7 %");
        assert_eq!(percent(0.04), "0 %");
        assert_eq!(percent(-0.04), "0 %");
        assert_eq!(percent(-2.5), "-2,5 %");
        assert_eq!(percent(1234.56), "1.234,6 %");
        assert_eq!(percent(f64::NAN), "");
        assert_eq!(percent(f64::INFINITY), "");
    }

    #[test]
    fn dates_and_regions() {
        let d = Date::parse("2026-11-21").unwrap();
        assert_eq!(date_id(d), "21/11/2026");
        assert_eq!(date_id(Date::parse("0999-01-02").unwrap()), "02/01/0999");
        assert_eq!(
            region_label("Kabupaten Sragen", "33.14"),
            "Kabupaten Sragen (33.14)"
        );
        assert_eq!(region_label("", "33.14"), "33.14");
        let t = RegionTable::embedded();
        assert_eq!(
            Cell::region(t, "33.14").display(),
            "Kabupaten Sragen (33.14)"
        );
        assert_eq!(Cell::region(t, "99.99").display(), "99.99");
        assert_eq!(Cell::region(t, ""), Cell::Empty);
        assert_eq!(Cell::date_of("2026-11-21T08:00:00Z"), Cell::Date(d));
        assert_eq!(Cell::date_of(""), Cell::Empty);
        assert_eq!(Cell::date_of("kemarin"), Cell::Text("kemarin".into()));
    }

    #[test]
    fn cells_display_and_raw() {
        let d = Date::parse("2026-11-21").unwrap();
        let cases = [
            (Cell::Empty, "", ""),
            (Cell::Int(-1_234_567), "-1.234.567", "-1234567"),
            (Cell::Int(0), "0", "0"),
            (Cell::Percent(12.5), "12,5 %", "12.5"),
            (Cell::Percent(100.0 / 3.0), "33,3 %", "33.3333"),
            (Cell::Percent(-0.0), "0 %", "0"),
            (Cell::Percent(f64::NAN), "", ""),
            (Cell::Rupiah(1_500_000), "Rp 1.500.000", "1500000"),
            (Cell::Rupiah(-5), "-Rp 5", "-5"),
            (Cell::Date(d), "21/11/2026", "2026-11-21"),
            (
                Cell::Region {
                    code: "33.14".into(),
                    name: "Kabupaten Sragen".into(),
                },
                "Kabupaten Sragen (33.14)",
                "33.14",
            ),
            (Cell::text("pkh+bpnt"), "pkh+bpnt", "pkh+bpnt"),
            (Cell::text("=1+1"), "=1+1", "'=1+1"),
            (Cell::text("-3 anak"), "-3 anak", "'-3 anak"),
            (Cell::text("@x"), "@x", "'@x"),
        ];
        for (cell, display, raw) in cases {
            assert_eq!(cell.display(), display, "{cell:?}");
            assert_eq!(cell.raw(), raw, "{cell:?}");
        }
        assert_eq!(Cell::share(Some(1), Some(8)), Cell::Percent(12.5));
        assert_eq!(Cell::share(Some(1), Some(0)), Cell::Empty);
        assert_eq!(Cell::share(None, Some(3)), Cell::Empty);
        assert_eq!(Cell::count(None), Cell::Empty);
        assert_eq!(Cell::count(Some(u64::MAX)), Cell::Int(i64::MAX));
    }

    fn sample() -> Table {
        Table {
            title_id: "Kesalahan sasaran: uji/coba".into(),
            title_en: "Gaps".into(),
            columns: vec![
                Col::new("regency", "Kabupaten/kota", "Regency/city"),
                Col::new("program", "Program", "Program"),
                Col::new("households", "Rumah tangga", "Households"),
                Col::new("rate", "Persentase", "Rate"),
                Col::new("benefit", "Bantuan", "Benefit"),
                Col::new("as_of", "Per tanggal", "As of"),
                Col::new("note", "Catatan", "Note"),
            ],
            rows: vec![
                vec![
                    Cell::Region {
                        code: "33.14".into(),
                        name: "Kabupaten Sragen".into(),
                    },
                    Cell::text("pkh"),
                    Cell::Int(1_234_567),
                    Cell::Percent(12.5),
                    Cell::Rupiah(1_500_000),
                    Cell::Date(Date::parse("2026-11-21").unwrap()),
                    Cell::text("koma, \"kutip\"\nbaris baru; é"),
                ],
                // Short row: padded.
                vec![Cell::Empty, Cell::text("bpnt"), Cell::Int(-3)],
            ],
        }
    }

    #[test]
    fn csv_is_rfc_4180_utf8_with_a_bom_and_raw_values() {
        let bytes = csv_bytes(&sample());
        assert!(bytes.starts_with("\u{FEFF}".as_bytes()));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert_eq!(
            text,
            "regency,program,households,rate,benefit,as_of,note\r\n\
             33.14,pkh,1234567,12.5,1500000,2026-11-21,\"koma, \"\"kutip\"\"\nbaris baru; é\"\r\n\
             ,bpnt,-3,,,,\r\n"
        );
        // A reader gets the values back.
        let mut r = csv::Reader::from_reader(&bytes[3..]);
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][6], "koma, \"kutip\"\nbaris baru; é");
        // An empty table: the header only.
        let empty = Table {
            rows: vec![],
            ..sample()
        };
        assert_eq!(
            csv_bytes(&empty),
            "\u{FEFF}regency,program,households,rate,benefit,as_of,note\r\n".as_bytes()
        );
    }

    async fn body_chunks(resp: Response) -> Vec<Bytes> {
        let mut s = resp.into_body().into_data_stream();
        let mut out = Vec::new();
        while let Some(c) = s.next().await {
            out.push(c.unwrap());
        }
        out
    }

    #[tokio::test]
    async fn a_csv_of_200_000_rows_streams_in_chunks_as_it_is_read() {
        const N: usize = 200_000;
        let pulled = Arc::new(AtomicUsize::new(0));
        let counter = pulled.clone();
        let rows = futures::stream::iter(0..N).map(move |i| {
            counter.fetch_add(1, Ordering::Relaxed);
            vec![
                Cell::Int(i as i64),
                Cell::text(format!("SLRT-{i:06}")),
                Cell::Percent(i as f64 / 2_000.0),
            ]
        });
        let columns = [
            Col::new("n", "Nomor", "Number"),
            Col::new("case", "Kasus", "Case"),
            Col::new("p", "Persen", "Percent"),
        ];
        let resp = csv_stream(&columns, rows, "besar.csv");
        assert_eq!(resp.headers()[header::CONTENT_TYPE], CSV_TYPE);
        assert_eq!(
            resp.headers()[header::CONTENT_DISPOSITION],
            "attachment; filename=\"besar.csv\""
        );
        assert!(resp.headers().get(header::CONTENT_LENGTH).is_none());
        // Nothing is read before the body is.
        assert_eq!(pulled.load(Ordering::Relaxed), 0);
        let mut s = resp.into_body().into_data_stream();
        let first = s.next().await.unwrap().unwrap();
        let after_first = pulled.load(Ordering::Relaxed);
        assert!(
            after_first < 10_000,
            "the first chunk came after {after_first} rows"
        );
        let mut chunks = vec![first];
        while let Some(c) = s.next().await {
            chunks.push(c.unwrap());
        }
        assert!(chunks.len() > 50, "{} chunks", chunks.len());
        for c in &chunks[..chunks.len() - 1] {
            assert!(
                c.len() >= CSV_CHUNK && c.len() < CSV_CHUNK + 64 * 256,
                "chunk of {}",
                c.len()
            );
        }
        let body: Vec<u8> = chunks.concat();
        assert!(body.starts_with("\u{FEFF}n,case,p\r\n".as_bytes()));
        let mut r = csv::Reader::from_reader(&body[3..]);
        let mut count = 0;
        for (i, rec) in r.records().enumerate() {
            let rec = rec.unwrap();
            assert_eq!(rec[0].parse::<usize>().unwrap(), i);
            assert_eq!(&rec[1], format!("SLRT-{i:06}"));
            count += 1;
        }
        assert_eq!(count, N);
        assert_eq!(
            std::str::from_utf8(&body).unwrap().lines().last().unwrap(),
            "199999,SLRT-199999,99.9995"
        );
    }

    #[tokio::test]
    async fn a_stream_that_fails_part_way_breaks_the_body() {
        let batches: RowBatches = Box::pin(futures::stream::iter(vec![
            Ok(vec![vec![Cell::Int(1)]]),
            Err(ApiError::Internal("database gone".into())),
        ]));
        let mut s = csv_body(&[Col::new("n", "N", "N")], batches).into_data_stream();
        let mut failed = false;
        while let Some(c) = s.next().await {
            failed |= c.is_err();
        }
        assert!(failed);
        // An empty stream: the header only.
        let resp = csv_stream(&[Col::new("n", "N", "N")], futures::stream::empty(), "x");
        assert_eq!(body_chunks(resp).await.concat(), b"\xEF\xBB\xBFn\r\n");
    }

    /// The cells of an XLSX sheet: (reference, type attribute, value or inline text).
    fn sheet_cells(xml: &str) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for c in xml.split("<c ").skip(1) {
            let attr = |name: &str| {
                c.split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("")
                    .to_string()
            };
            let head = c.split('>').next().unwrap_or("");
            let t = if head.contains(" t=\"") || head.starts_with("t=\"") {
                attr("t")
            } else {
                String::new()
            };
            let body = c.split("</c>").next().unwrap_or("");
            let value = if let Some(v) = body.split("<v>").nth(1) {
                v.split("</v>").next().unwrap().to_string()
            } else {
                body.split("<t")
                    .skip(1)
                    .filter_map(|s| s.split_once('>').map(|(_, r)| r))
                    .map(|s| s.split("</t>").next().unwrap())
                    .collect()
            };
            out.push((attr("r"), t, value));
        }
        out
    }

    fn unzip(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn xlsx_has_typed_cells_a_bilingual_frozen_header_and_an_autofilter() {
        let bytes = xlsx_bytes(&sample()).unwrap();
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        let cells = sheet_cells(&sheet);
        let get = |r: &str| cells.iter().find(|c| c.0 == r).unwrap().clone();
        // The header: Indonesian, a line break, English.
        assert_eq!(get("A1").2, "Kabupaten/kota\nRegency/city");
        assert_eq!(get("B1").2, "Program");
        // Typed values.
        assert_eq!(get("A2").2, "Kabupaten Sragen (33.14)");
        assert_eq!(
            (get("C2").1.as_str(), get("C2").2.as_str()),
            ("", "1234567")
        );
        assert_eq!(get("D2").2, "0.125");
        assert_eq!(get("E2").2, "1500000");
        assert_eq!(get("F2").2, "46347"); // 2026-11-21 as an Excel serial day
        assert_eq!(get("G2").2, "koma, \"kutip\"\nbaris baru; é");
        assert_eq!(get("C3").2, "-3");
        assert!(
            sheet.contains("<pane ySplit=\"1\" topLeftCell=\"A2\""),
            "frozen"
        );
        assert!(sheet.contains("<autoFilter ref=\"A1:G3\"/>"), "{sheet}");
        assert!(sheet.contains("<col "), "widths");
        let styles = unzip(&bytes, "xl/styles.xml");
        for f in ["#,##0", "0.0%", "&quot;Rp &quot;#,##0", "dd/mm/yyyy"] {
            assert!(styles.contains(f), "{f} in {styles}");
        }
        let book = unzip(&bytes, "xl/workbook.xml");
        assert!(
            book.contains("name=\"Kesalahan sasaran  uji coba\""),
            "{book}"
        );
        // An empty table: the header row only.
        let empty = xlsx_bytes(&Table {
            rows: vec![],
            ..sample()
        })
        .unwrap();
        let cells = sheet_cells(&unzip(&empty, "xl/worksheets/sheet1.xml"));
        assert_eq!(cells.len(), 7);
        assert!(cells.iter().all(|c| c.0.ends_with('1')));
    }

    #[test]
    fn sheet_names_follow_excels_rules() {
        assert_eq!(sheet_name("Kasus SLRT", 1), "Kasus SLRT");
        assert_eq!(sheet_name("a/b:c*d?e[f]g\\h", 1), "a b c d e f g h");
        assert_eq!(sheet_name(&"x".repeat(40), 1).chars().count(), 31);
        assert_eq!(
            sheet_name(&"x".repeat(40), 2),
            format!("{} (2)", "x".repeat(27))
        );
        assert_eq!(sheet_name("''", 1), "Data");
        assert_eq!(
            safe_filename("kasus 33.14/../é.csv"),
            "kasus_33.14_..__.csv"
        );
        assert_eq!(safe_filename("..."), "export");
    }

    #[test]
    fn a_large_xlsx_is_written_row_by_row() {
        let rows: Vec<Vec<Cell>> = (0..30_000)
            .map(|i| vec![Cell::Int(i), Cell::text(format!("baris {i}"))])
            .collect();
        let t = Table {
            title_id: "Besar".into(),
            title_en: "Large".into(),
            columns: vec![Col::new("n", "N", "N"), Col::new("t", "Teks", "Text")],
            rows,
        };
        let bytes = xlsx_bytes(&t).unwrap();
        let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<autoFilter ref=\"A1:B30001\"/>"));
        // Constant memory mode writes strings inline.
        assert!(sheet.contains("baris 29999"));
        assert_eq!(sheet_cells(&sheet).len(), 2 * 30_001);
    }
}
