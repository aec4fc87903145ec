//! A printable summary: a title, a subtitle and tables, as an A4 PDF.
//!
//! Written like the referral letter (same Helvetica/WinAnsi text, the same AFM widths and
//! the same wrapping, see the crate's documentation): every cell is wrapped inside its
//! column, a row is kept on one page when it fits on one (a row longer than a page goes on
//! line by line), the table's header is repeated at the top of every page the table runs
//! on, and each page has a footer "title · halaman i dari n". Columns whose cells are all
//! numbers (`1.234`, `12,5 %`, `Rp 1.500.000`, `-3`) are right-aligned. Cells are shown as
//! given: the caller formats numbers, dates and regions.

use super::{encode, render, width, wrap, Font, Layout, Op, LEFT, TEXT_W};

/// One table of a summary; every cell is text, already formatted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportTable {
    pub title: String,
    /// Column labels, the table's header.
    pub columns: Vec<String>,
    /// Rows of cells, one per column (missing cells are empty, extra ones are ignored).
    pub rows: Vec<Vec<String>>,
}

/// Font size and leading of table text.
const CELL: f32 = 8.5;
const CELL_LEADING: f32 = 11.0;
/// Space between columns (points): half on either side of a cell's text.
const PAD: f32 = 6.0;

/// The summary as a PDF document (A4 portrait, one page or more).
pub fn summary_pdf(title: &str, subtitle: &str, tables: &[ReportTable]) -> Vec<u8> {
    render(&layout(title, subtitle, tables), title)
}

fn layout(title: &str, subtitle: &str, tables: &[ReportTable]) -> Vec<Vec<Op>> {
    let mut p = Layout::new();
    p.lines(Font::Bold, 14.0, LEFT, TEXT_W, &encode(title));
    if !subtitle.trim().is_empty() {
        p.lines(Font::Regular, 9.0, LEFT, TEXT_W, &encode(subtitle));
    }
    p.gap(6.0);
    let y = p.y;
    p.push(Op::Rule { y });
    for t in tables {
        table(&mut p, t);
    }
    let count = p.pages.len();
    for (i, page) in p.pages.iter_mut().enumerate() {
        let mut text = encode(&format!(
            "{} · halaman {} dari {count}",
            title.trim(),
            i + 1
        ));
        if width(Font::Regular, 8.0, &text) > TEXT_W {
            text = encode(&format!("Halaman {} dari {count}", i + 1));
        }
        let x = LEFT + (TEXT_W - width(Font::Regular, 8.0, &text)) / 2.0;
        page.push(Op::Text {
            font: Font::Regular,
            size: 8.0,
            x,
            y: super::FOOTER_Y,
            text,
        });
    }
    p.pages
}

/// A laid-out table: column positions and widths, alignment and wrapped header.
struct Grid {
    x: Vec<f32>,
    w: Vec<f32>,
    right: Vec<bool>,
    header: Vec<Vec<Vec<u8>>>,
}

impl Grid {
    fn new(t: &ReportTable) -> Grid {
        let n = t.columns.len().max(1);
        let labels: Vec<Vec<u8>> = (0..n)
            .map(|i| encode(t.columns.get(i).map_or("", String::as_str)))
            .collect();
        let cell = |r: &Vec<String>, i: usize| encode(r.get(i).map_or("", String::as_str));
        // Natural widths: the widest cell (each line of it) or header word, plus padding.
        let natural: Vec<f32> = (0..n)
            .map(|i| {
                let header = labels[i]
                    .split(|&b| b == b' ' || b == b'\n')
                    .map(|w| width(Font::Bold, CELL, w))
                    .fold(0.0, f32::max);
                let cells = t
                    .rows
                    .iter()
                    .flat_map(|r| {
                        cell(r, i)
                            .split(|&b| b == b'\n')
                            .map(|l| width(Font::Regular, CELL, l))
                            .collect::<Vec<_>>()
                    })
                    .fold(0.0, f32::max);
                header.max(cells) + PAD
            })
            .collect();
        let w = share(&natural, TEXT_W);
        let mut x = Vec::with_capacity(n);
        let mut at = LEFT;
        for wi in &w {
            x.push(at);
            at += wi;
        }
        let right = (0..n)
            .map(|i| {
                let mut any = false;
                let all = t.rows.iter().all(|r| {
                    let v = r.get(i).map_or("", |s| s.trim());
                    any |= !v.is_empty();
                    v.is_empty() || numeric(v)
                });
                any && all
            })
            .collect();
        let header = (0..n)
            .map(|i| wrap(&labels[i], Font::Bold, CELL, w[i] - PAD))
            .collect();
        Grid {
            x,
            w,
            right,
            header,
        }
    }

    /// Draws the lines `k` of every cell of a row at the layout's next line.
    fn line(&self, p: &mut Layout, font: Font, cells: &[Vec<Vec<u8>>], k: usize) {
        p.room(CELL_LEADING);
        p.y -= CELL_LEADING;
        for (i, lines) in cells.iter().enumerate() {
            let Some(text) = lines.get(k).filter(|t| !t.is_empty()) else {
                continue;
            };
            let x = if self.right[i] {
                self.x[i] + self.w[i] - PAD / 2.0 - width(font, CELL, text)
            } else {
                self.x[i] + PAD / 2.0
            };
            let y = p.y;
            p.push(Op::Text {
                font,
                size: CELL,
                x,
                y,
                text: text.clone(),
            });
        }
    }

    fn header(&self, p: &mut Layout) {
        let height = self.header.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            self.line(p, Font::Bold, &self.header, k);
        }
        p.gap(3.0);
        let y = p.y;
        p.push(Op::Rule { y });
    }
}

/// Column widths that fill at most `total`: every column its natural width when all fit;
/// otherwise the narrow ones keep theirs and the wide ones share the rest equally.
fn share(natural: &[f32], total: f32) -> Vec<f32> {
    if natural.iter().sum::<f32>() <= total {
        return natural.to_vec();
    }
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by(|&a, &b| natural[a].total_cmp(&natural[b]));
    let mut w = vec![0.0; natural.len()];
    let mut left = total;
    for (k, &i) in order.iter().enumerate() {
        let fair = left / (natural.len() - k) as f32;
        w[i] = natural[i].min(fair);
        left -= w[i];
    }
    w
}

/// A number as the summaries print them: digits with `.` and `,`, a sign, `%`, `Rp`.
fn numeric(v: &str) -> bool {
    let v = v.strip_prefix("Rp").unwrap_or(v).trim();
    let v = v.strip_suffix('%').unwrap_or(v).trim();
    let v = v.strip_prefix('-').unwrap_or(v);
    !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
        && v.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn table(p: &mut Layout, t: &ReportTable) {
    let grid = Grid::new(t);
    let title = encode(&t.title);
    let title_lines = wrap(&title, Font::Bold, 11.0, TEXT_W).len() as f32;
    let header_h = grid.header.iter().map(Vec::len).max().unwrap_or(1) as f32 * CELL_LEADING + 3.0;
    // The title, the header and the first row (or the "no data" line) on one page.
    p.gap(10.0);
    p.room(title_lines * 15.4 + header_h + CELL_LEADING);
    p.lines(Font::Bold, 11.0, LEFT, TEXT_W, &title);
    p.gap(2.0);
    grid.header(p);
    if t.rows.is_empty() {
        p.lines(
            Font::Regular,
            CELL,
            LEFT + PAD / 2.0,
            TEXT_W,
            b"(tidak ada data)",
        );
        return;
    }
    let body = super::TOP - super::BOTTOM - header_h;
    for row in &t.rows {
        let cells: Vec<Vec<Vec<u8>>> = (0..grid.w.len())
            .map(|i| {
                let text = encode(row.get(i).map_or("", String::as_str));
                wrap(&text, Font::Regular, CELL, grid.w[i] - PAD)
            })
            .collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        let h = height as f32 * CELL_LEADING;
        // Keep the row on one page when a page can hold it.
        if h <= body {
            new_page_with_header(p, &grid, h);
        }
        for k in 0..height {
            new_page_with_header(p, &grid, CELL_LEADING);
            grid.line(p, Font::Regular, &cells, k);
        }
    }
}

/// Goes to a new page, with the table's header at its top, unless `height` fits.
fn new_page_with_header(p: &mut Layout, grid: &Grid, height: f32) {
    let pages = p.pages.len();
    p.room(height);
    if p.pages.len() != pages {
        grid.header(p);
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BOTTOM, FOOTER_Y, TOP};
    use super::*;

    /// A text run of a page: font, size, position and WinAnsi bytes.
    #[derive(Debug)]
    struct Run {
        font: Font,
        size: f32,
        x: f32,
        y: f32,
        text: Vec<u8>,
    }

    fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
        hay[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    }

    fn number_at(pdf: &[u8], at: usize) -> usize {
        let s: String = pdf[at..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| b as char)
            .collect();
        s.parse().unwrap()
    }

    /// The pages' content streams, found through `startxref` and the cross-reference
    /// table, whose every entry must point at its object.
    fn streams(pdf: &[u8]) -> Vec<&[u8]> {
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
        let start = find(pdf, b"startxref", pdf.len() - 40).unwrap();
        let xref = number_at(pdf, start + 9);
        assert!(pdf[xref..].starts_with(b"xref"));
        let end = find(pdf, b"trailer", xref).unwrap();
        let words: Vec<&str> = std::str::from_utf8(&pdf[xref..end])
            .unwrap()
            .split_ascii_whitespace()
            .collect();
        let count: usize = words[2].parse().unwrap();
        let mut out = Vec::new();
        for id in 1..count {
            let at: usize = words[3 + 3 * id].parse().unwrap();
            assert!(pdf[at..].starts_with(format!("{id} 0 obj").as_bytes()));
            let end = find(pdf, b"endobj", at).unwrap();
            if let Some(l) = find(&pdf[..end], b"/Length", at) {
                let len = number_at(pdf, l + 7);
                let data = find(pdf, b"stream\n", l).unwrap() + 7;
                assert!(pdf[data + len..].starts_with(b"\nendstream"));
                out.push(&pdf[data..data + len]);
            }
        }
        out
    }

    /// The text runs of a content stream (`Tf`, `Tm`, `Tj` with literal strings).
    fn runs(s: &[u8]) -> Vec<Run> {
        let (mut out, mut args) = (Vec::new(), Vec::<String>::new());
        let (mut font, mut size, mut at) = (Font::Regular, 0.0, (0.0, 0.0));
        let mut text = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let b = s[i];
            if b.is_ascii_whitespace() {
                i += 1;
            } else if b == b'<' {
                // A hex string.
                let end = find(s, b">", i).unwrap();
                let hex: Vec<u8> = s[i + 1..end]
                    .iter()
                    .filter(|b| !b.is_ascii_whitespace())
                    .copied()
                    .collect();
                text = hex
                    .chunks(2)
                    .map(|h| u8::from_str_radix(std::str::from_utf8(h).unwrap(), 16).unwrap())
                    .collect();
                args.push("(str)".into());
                i = end + 1;
            } else if b == b'(' {
                text.clear();
                let mut depth = 1;
                i += 1;
                loop {
                    let c = s[i];
                    i += 1;
                    match c {
                        b'\\' => {
                            let e = s[i];
                            i += 1;
                            if e.is_ascii_digit() {
                                let mut v = u32::from(e - b'0');
                                while s[i].is_ascii_digit() && s[i] < b'8' {
                                    v = v * 8 + u32::from(s[i] - b'0');
                                    i += 1;
                                }
                                text.push(v as u8);
                            } else {
                                text.push(match e {
                                    b'n' => b'\n',
                                    b'r' => b'\r',
                                    b't' => b'\t',
                                    other => other,
                                });
                            }
                        }
                        b'(' => {
                            depth += 1;
                            text.push(c);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            text.push(c);
                        }
                        _ => text.push(c),
                    }
                }
                args.push("(str)".into());
            } else {
                let start = i;
                while i < s.len() && !s[i].is_ascii_whitespace() && !b"(<".contains(&s[i]) {
                    i += 1;
                }
                let word = std::str::from_utf8(&s[start..i]).unwrap().to_string();
                let is_operand = word.starts_with('/')
                    || word.starts_with('-')
                    || word.starts_with('.')
                    || word.as_bytes()[0].is_ascii_digit();
                if is_operand {
                    args.push(word);
                    continue;
                }
                let nums: Vec<f32> = args.iter().filter_map(|a| a.parse().ok()).collect();
                match word.as_str() {
                    "Tf" => {
                        font = if args[0] == "/F2" {
                            Font::Bold
                        } else {
                            Font::Regular
                        };
                        size = nums[0];
                    }
                    "Tm" => at = (nums[4], nums[5]),
                    "Tj" => out.push(Run {
                        font,
                        size,
                        x: at.0,
                        y: at.1,
                        text: std::mem::take(&mut text),
                    }),
                    _ => {}
                }
                args.clear();
            }
        }
        out
    }

    fn pages(pdf: &[u8]) -> Vec<Vec<Run>> {
        streams(pdf).into_iter().map(runs).collect()
    }

    fn body_text(pages: &[Vec<Run>]) -> Vec<u8> {
        let runs = pages.iter().flatten().filter(|r| r.y != FOOTER_Y);
        runs.map(|r| r.text.as_slice())
            .collect::<Vec<_>>()
            .join(&b' ')
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    fn assert_within_margins(pages: &[Vec<Run>]) {
        for run in pages.iter().flatten() {
            let right = run.x + width(run.font, run.size, &run.text);
            assert!(run.x >= LEFT - 0.01, "{run:?}");
            assert!(right <= LEFT + TEXT_W + 0.01, "{run:?} ends at {right}");
            if run.y != FOOTER_Y {
                assert!(run.y >= BOTTOM - 0.01 && run.y <= TOP, "{run:?}");
            }
        }
    }

    fn gaps_table(rows: usize) -> ReportTable {
        ReportTable {
            title: "Kesenjangan per kabupaten/kota".into(),
            columns: vec![
                "Kabupaten/kota".into(),
                "Program".into(),
                "Layak".into(),
                "Terdaftar".into(),
                "Layak tidak terdaftar (exclusion)".into(),
                "Bantuan per tahun".into(),
            ],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        format!("Kabupaten Sragen (33.{:02})", i % 100),
                        "pkh".into(),
                        format!("{}.{:03}", 1 + i, i % 1000),
                        format!("{i}"),
                        format!("{},5 %", i % 100),
                        format!("Rp {}.500.000", i + 1),
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn a_summary_is_a_well_formed_pdf_with_every_value() {
        let t = gaps_table(12);
        let combos = combinations();
        let pdf = summary_pdf(
            "Ringkasan kelayakan program",
            "Jalur 7 · per 21/11/2026 · Jawa Tengah (33)",
            &[t.clone(), combos.clone()],
        );
        let pages = pages(&pdf);
        assert_eq!(pages.len(), 1);
        let text = body_text(&pages);
        for v in t.rows.iter().flatten().chain(&t.columns) {
            // Header labels may wrap: look for each word.
            for word in v.split(' ') {
                assert!(contains(&text, &encode(word)), "{word:?}");
            }
        }
        for want in [
            "Ringkasan kelayakan program",
            "Kombinasi program",
            "Kota Kupang (53.71)",
            "pkh+bpnt (é)",
        ] {
            assert!(contains(&text, &encode(want)), "{want}");
        }
        let footer: Vec<&Run> = pages[0].iter().filter(|r| r.y == FOOTER_Y).collect();
        assert_eq!(footer.len(), 1);
        assert!(footer[0].text.ends_with(b"halaman 1 dari 1"));
        assert_within_margins(&pages);
        // The numbers are right-aligned: their right edges meet.
        let edges: Vec<f32> = pages[0]
            .iter()
            .filter(|r| r.text.ends_with(b" %") && r.font == Font::Regular)
            .map(|r| r.x + width(r.font, r.size, &r.text))
            .collect();
        assert!(edges.len() == 12 && edges.iter().all(|e| (e - edges[0]).abs() < 0.01));
        // The same input gives the same bytes.
        assert_eq!(
            pdf,
            summary_pdf(
                "Ringkasan kelayakan program",
                "Jalur 7 · per 21/11/2026 · Jawa Tengah (33)",
                &[t, combos]
            )
        );
    }

    fn combinations() -> ReportTable {
        ReportTable {
            title: "Kombinasi program".into(),
            columns: vec!["Kabupaten/kota".into(), "Program diterima".into()],
            rows: vec![vec!["Kota Kupang (53.71)".into(), "pkh+bpnt (é)".into()]],
        }
    }

    #[test]
    fn many_rows_go_on_to_several_pages_with_the_header_on_each() {
        let t = gaps_table(300);
        let pages = pages(&summary_pdf("Ringkasan", "", std::slice::from_ref(&t)));
        assert!(pages.len() >= 4, "{} pages", pages.len());
        let n = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let header = page
                .iter()
                .filter(|r| r.font == Font::Bold && r.text == b"Program")
                .count();
            assert_eq!(header, 1, "the header on page {}", i + 1);
            let footer = page.iter().find(|r| r.y == FOOTER_Y).unwrap();
            let want = format!("Ringkasan · halaman {} dari {n}", i + 1);
            assert_eq!(footer.text, encode(&want));
        }
        // Every row once, in order.
        let text = body_text(&pages);
        let mut from = 0;
        for row in &t.rows {
            let at = find(&text, &encode(&row[5]), from).expect("every row");
            from = at + 1;
        }
        assert_within_margins(&pages);
    }

    #[test]
    fn long_cells_wrap_in_their_column_and_a_huge_one_goes_on_across_pages() {
        let long =
            "Keluarga membutuhkan bantuan biaya pengobatan rutin untuk anggota lansia. ".repeat(3);
        let huge = "kata ".repeat(3000);
        let word = "x".repeat(500);
        let t = ReportTable {
            title: "Kasus".into(),
            columns: vec!["Nomor".into(), "Uraian".into(), "Jumlah".into()],
            rows: vec![
                vec!["SLRT-000001".into(), long.clone(), "1".into()],
                vec!["SLRT-000002".into(), huge.clone(), "2".into()],
                vec!["SLRT-000003".into(), word.clone()],
            ],
        };
        let pages = pages(&summary_pdf("Kasus", "", &[t]));
        assert!(pages.len() >= 3);
        assert_within_margins(&pages);
        let text = body_text(&pages);
        let squeezed: Vec<u8> = text.iter().filter(|&&b| b != b' ').copied().collect();
        // The long cell's lines, read down its column, give the cell back.
        let runs: Vec<&Run> = pages.iter().flatten().collect();
        let column_x = runs
            .iter()
            .find(|r| r.text.starts_with(b"Keluarga"))
            .unwrap()
            .x;
        let column: Vec<&[u8]> = runs
            .iter()
            .filter(|r| r.x == column_x && r.font == Font::Regular)
            .map(|r| r.text.as_slice())
            .collect();
        assert!(column.len() > 2, "wrapped in its column");
        assert!(contains(&column.join(&b' '), &encode(long.trim())));
        assert_eq!(
            text.windows(4).filter(|w| w == b"kata").count(),
            3000,
            "every word of the huge cell"
        );
        assert!(contains(&squeezed, word.as_bytes()));
        // Every page after the first starts with the repeated header.
        for page in &pages[1..] {
            assert!(page
                .iter()
                .any(|r| r.font == Font::Bold && r.text == b"Uraian"));
        }
    }

    #[test]
    fn an_empty_table_and_no_tables_still_render() {
        let empty = ReportTable {
            title: "Daftar kuota".into(),
            columns: vec!["Program".into(), "NIK".into()],
            rows: vec![],
        };
        let pages = pages(&summary_pdf("Kosong", "Wilayah tanpa data", &[empty]));
        assert_eq!(pages.len(), 1);
        let text = body_text(&pages);
        assert!(contains(&text, b"(tidak ada data)"));
        assert!(contains(&text, b"NIK"));
        assert_eq!(self::pages(&summary_pdf("", "", &[])).len(), 1);
    }

    #[test]
    fn column_widths_fill_the_text_width_fairly() {
        assert_eq!(share(&[10.0, 20.0], 100.0), vec![10.0, 20.0]);
        let w = share(&[10.0, 300.0, 400.0], 300.0);
        assert_eq!(w[0], 10.0);
        assert!((w[1] - 145.0).abs() < 0.01 && (w[2] - 145.0).abs() < 0.01);
        assert!((w.iter().sum::<f32>() - 300.0).abs() < 0.01);
        for v in ["1.234", "12,5 %", "Rp 1.500.000", "-3", "0"] {
            assert!(numeric(v), "{v}");
        }
        for v in ["33.14 Sragen", "pkh", "-", "%", "Rp", "SLRT-000001"] {
            assert!(!numeric(v), "{v}");
        }
    }

    /// With poppler's `pdftotext` installed, a real reader extracts the table (skipped
    /// otherwise).
    #[test]
    fn pdftotext_reads_the_summary_when_installed() {
        if std::process::Command::new("pdftotext")
            .arg("-v")
            .output()
            .is_err()
        {
            println!("skipped: pdftotext is not installed");
            return;
        }
        let pdf = summary_pdf("Ringkasan (uji) é", "Sub", &[gaps_table(200)]);
        let path = std::env::temp_dir().join(format!("selaras-report-{}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(["-layout"])
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(out.status.success() && out.stderr.is_empty());
        let text = String::from_utf8(out.stdout).unwrap();
        for want in [
            "Ringkasan (uji) é",
            "Rp 200.500.000",
            "Kabupaten Sragen (33.99)",
        ] {
            assert!(text.contains(want), "{want:?}");
        }
        let n = pages(&pdf).len();
        assert!(text.contains(&format!("halaman {n} dari {n}")));
    }
}
