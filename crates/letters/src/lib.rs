//! The referral letter (*surat rujukan*) of an SLRT case as a PDF.
//!
//! When a case is referred to a program, the family or the officer prints this letter and
//! takes it to the program's manager; its QR code opens the case's public status page, and
//! the letter asks the manager to follow up and answer through the system.
//!
//! Why it is written by hand: the letter is one A4 page of text (a second one when the
//! description is long), so it uses [`pdf_writer`] (no layout engine) and the standard
//! Helvetica fonts, which every PDF reader has: nothing is embedded and a letter weighs a
//! few kilobytes. Text is encoded in WinAnsi (Windows-1252); a character outside it is
//! printed as `?` rather than as bytes the font would misread. Lines are broken with
//! Helvetica's own widths (its AFM metrics), so no line runs past the margin, and text that
//! does not fit a page goes on to the next one, never cut. The QR code ([`qrcode`], error
//! correction M) is drawn as filled rectangles with its four-module quiet zone kept clear.
//! Content streams are not compressed: the tests read them back.
//!
//! The same text machinery prints summaries of tables ([`report::summary_pdf`]).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{Color, EcLevel, QrCode};

pub mod report;
pub use report::{summary_pdf, ReportTable};

/// What the letter says; every field is shown as given (already formatted by the caller).
pub struct ReferralLetter<'a> {
    /// e.g. "SLRT-2026-000042"
    pub case_number: &'a str,
    /// The date, already formatted, e.g. "01/12/2026".
    pub issued_on: &'a str,
    /// e.g. "SLRT Kabupaten Bantul (3402)"
    pub issuer: &'a str,
    /// The name of the head of family.
    pub family_head: &'a str,
    /// e.g. "3402••••••••0001"
    pub nik_masked: &'a str,
    pub household_id: &'a str,
    /// Village, district and regency names with their codes.
    pub address: &'a str,
    /// e.g. "Kebutuhan" / "Pengaduan"
    pub kind_label: &'a str,
    pub category: &'a str,
    /// Free text, up to 2000 characters, any Unicode; line breaks are kept.
    pub description: &'a str,
    /// Program name and code, e.g. "Program Keluarga Harapan (pkh)".
    pub program: &'a str,
    /// e.g. "pusat", "provinsi", "kabupaten/kota", "non-pemerintah"
    pub level: &'a str,
    /// Username/role of who referred.
    pub referred_by: &'a str,
    /// The public status page, encoded in the QR code and printed under it.
    pub status_url: &'a str,
}

/// The letter as a PDF document (A4, one page or more).
pub fn referral_letter_pdf(letter: &ReferralLetter<'_>) -> Vec<u8> {
    let title = format!("Surat rujukan {}", letter.case_number);
    render(&layout(letter), &title)
}

// ---- Page geometry (points; A4 = 595 × 842) -------------------------------------------

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * LEFT;
const TOP: f32 = PAGE_H - 56.0;
/// No baseline of the body goes below this; the footer sits under it.
const BOTTOM: f32 = 60.0;
const FOOTER_Y: f32 = 32.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 14.0;
/// Labels of the fields are indented by this; values start at `LEFT + LABEL_W`.
const INDENT: f32 = 12.0;
const LABEL_W: f32 = 130.0;
/// The side of the QR code, quiet zone included.
const QR_SIDE: f32 = 120.0;
const QR_QUIET: usize = 4;

// ---- Fonts and text -------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }
}

/// Advance widths (1/1000 em) of WinAnsi codes 0x20..=0xFF in Helvetica and Helvetica-Bold,
/// from Adobe's AFM files of the core fonts; 0 marks the five codes WinAnsi leaves undefined
/// (0x81, 0x8D, 0x8F, 0x90, 0x9D) and 0x7F, which [`win_ansi`] never produces.
#[rustfmt::skip]
const WIDTHS: [[u16; 224]; 2] = [[
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 584, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,   // 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,     // 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,    // 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500, // 0xF0
], [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 584, 278, 278, // 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, // 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, // 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, // 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, // 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,   // 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,     // 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,    // 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333, // 0xA0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611, // 0xB0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278, // 0xC0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611, // 0xD0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, // 0xE0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556, // 0xF0
]];

/// The WinAnsi (Windows-1252) code of a character, `?` for any character the encoding
/// lacks (and for control characters); a line break stays `\n` (the wrapper breaks there),
/// a tab or carriage return becomes a space.
fn win_ansi(c: char) -> u8 {
    match c {
        '\n' => b'\n',
        '\t' | '\r' => b' ',
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '\u{2018}' => 0x91,
        '\u{2019}' => 0x92,
        '\u{201C}' => 0x93,
        '\u{201D}' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => b'?',
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.trim().chars().map(win_ansi).collect()
}

/// Width of WinAnsi text in 1/1000 of the font size.
fn units(font: Font, text: &[u8]) -> u32 {
    let table = &WIDTHS[font as usize];
    text.iter()
        .map(|&b| u32::from(table[usize::from(b.max(0x20) - 0x20)]))
        .sum()
}

fn width(font: Font, size: f32, text: &[u8]) -> f32 {
    units(font, text) as f32 * size / 1000.0
}

/// Breaks WinAnsi text into lines no wider than `max` points: at line breaks, between words
/// (runs of spaces count as one), and inside a word only when the word alone is too wide.
/// An empty paragraph gives an empty line.
fn wrap(text: &[u8], font: Font, size: f32, max: f32) -> Vec<Vec<u8>> {
    let max = (max * 1000.0 / size) as u32;
    let space = units(font, b" ");
    let mut lines = Vec::new();
    for paragraph in text.split(|&b| b == b'\n') {
        let mut line: Vec<u8> = Vec::new();
        for mut word in paragraph.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
            if !line.is_empty() {
                if units(font, &line) + space + units(font, word) <= max {
                    line.push(b' ');
                    line.extend_from_slice(word);
                    continue;
                }
                lines.push(std::mem::take(&mut line));
            }
            while units(font, word) > max {
                // The longest head that fits, one byte at least.
                let mut n = 0;
                let mut w = 0;
                while n < word.len() && w + units(font, &word[n..=n]) <= max {
                    w += units(font, &word[n..=n]);
                    n += 1;
                }
                let n = n.max(1);
                lines.push(word[..n].to_vec());
                word = &word[n..];
            }
            line.extend_from_slice(word);
        }
        lines.push(line);
    }
    lines
}

// ---- Layout ---------------------------------------------------------------------------

/// One thing drawn on a page; `y` of a text is its baseline.
#[derive(Debug)]
enum Op {
    Text {
        font: Font,
        size: f32,
        x: f32,
        y: f32,
        text: Vec<u8>,
    },
    /// A thin horizontal line across the text width.
    Rule { y: f32 },
    /// A QR code whose quiet zone has its lower left corner at (x, y); `dark` is row-major
    /// from the top row, `n` × `n` modules.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        n: usize,
        dark: Vec<bool>,
    },
}

/// Pages of drawing operations and the baseline of the last line written.
struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Layout {
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn push(&mut self, op: Op) {
        self.pages.last_mut().expect("a page").push(op);
    }

    /// Goes to a new page unless `height` more points fit above the bottom margin.
    fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn gap(&mut self, height: f32) {
        self.y -= height;
    }

    /// Writes text wrapped to `w` points from `x`, one line below the other.
    fn lines(&mut self, font: Font, size: f32, x: f32, w: f32, text: &[u8]) {
        for line in wrap(text, font, size, w) {
            self.line(font, size, x, line);
        }
    }

    fn line(&mut self, font: Font, size: f32, x: f32, text: Vec<u8>) {
        let leading = size * 1.4;
        self.room(leading);
        self.y -= leading;
        let y = self.y;
        self.push(Op::Text {
            font,
            size,
            x,
            y,
            text,
        });
    }

    fn centered(&mut self, font: Font, size: f32, text: &str) {
        for line in wrap(&encode(text), font, size, TEXT_W) {
            let x = LEFT + (TEXT_W - width(font, size, &line)) / 2.0;
            self.line(font, size, x, line);
        }
    }

    fn heading(&mut self, text: &str) {
        self.gap(6.0);
        self.room(2.0 * LEADING); // not alone at the foot of a page
        self.lines(Font::Bold, 11.0, LEFT, TEXT_W, &encode(text));
    }

    /// `label : value`, the value wrapped in its column.
    fn field(&mut self, label: &str, value: &str) {
        let value_x = LEFT + LABEL_W;
        for (i, line) in wrap(&encode(value), Font::Regular, BODY, TEXT_W - LABEL_W)
            .into_iter()
            .enumerate()
        {
            self.room(LEADING);
            if i == 0 {
                let y = self.y - LEADING;
                for (x, text) in [(LEFT + INDENT, label), (value_x - 8.0, ":")] {
                    let (font, size, text) = (Font::Regular, BODY, encode(text));
                    self.push(Op::Text {
                        font,
                        size,
                        x,
                        y,
                        text,
                    });
                }
            }
            self.line(Font::Regular, BODY, value_x, line);
        }
    }

    /// The QR code of `url`, its caption and the URL under it, kept together on one page.
    fn qr(&mut self, url: &str) {
        let url_lines = wrap(&encode(url), Font::Regular, 8.0, TEXT_W);
        let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok();
        let side = if code.is_some() { QR_SIDE } else { 0.0 };
        self.gap(8.0);
        self.room(side + 2.0 * LEADING + url_lines.len() as f32 * 11.2);
        if let Some(code) = code {
            let n = code.width();
            let module = QR_SIDE / (n + 2 * QR_QUIET) as f32;
            // The dark modules line up with the text; the quiet zone lies in the margin.
            let x = LEFT - QR_QUIET as f32 * module;
            self.y -= QR_SIDE;
            let y = self.y;
            let dark = code.to_colors().into_iter().map(|c| c == Color::Dark);
            let dark = dark.collect();
            self.push(Op::Qr {
                x,
                y,
                module,
                n,
                dark,
            });
            self.lines(
                Font::Bold,
                BODY,
                LEFT,
                TEXT_W,
                b"Pindai untuk melihat status kasus",
            );
        } else {
            let text = b"Alamat status kasus (terlalu panjang untuk kode QR):";
            self.lines(Font::Bold, BODY, LEFT, TEXT_W, text);
        }
        for line in url_lines {
            self.line(Font::Regular, 8.0, LEFT, line);
        }
    }
}

fn layout(l: &ReferralLetter<'_>) -> Vec<Vec<Op>> {
    let mut p = Layout::new();
    p.lines(Font::Bold, 12.0, LEFT, TEXT_W, &encode(l.issuer));
    p.lines(
        Font::Regular,
        9.0,
        LEFT,
        TEXT_W,
        b"Sistem Layanan dan Rujukan Terpadu (SLRT)",
    );
    p.gap(6.0);
    let y = p.y;
    p.push(Op::Rule { y });
    p.gap(10.0);
    p.centered(Font::Bold, 16.0, "SURAT RUJUKAN");
    p.centered(Font::Regular, BODY, &format!("Nomor: {}", l.case_number));
    p.centered(Font::Regular, BODY, &format!("Tanggal: {}", l.issued_on));

    p.heading("A. Data keluarga");
    p.field("Kepala keluarga", l.family_head);
    p.field("NIK", l.nik_masked);
    p.field("ID rumah tangga", l.household_id);
    p.field("Alamat", l.address);

    p.heading("B. Kasus");
    p.field("Jenis", l.kind_label);
    p.field("Kategori", l.category);
    p.lines(
        Font::Regular,
        BODY,
        LEFT + INDENT,
        TEXT_W - INDENT,
        b"Uraian kebutuhan/keluhan:",
    );
    let x = LEFT + 2.0 * INDENT;
    p.lines(
        Font::Regular,
        BODY,
        x,
        TEXT_W - 2.0 * INDENT,
        &encode(l.description),
    );

    p.heading("C. Dirujuk kepada");
    p.field("Program", l.program);
    p.field("Tingkat", l.level);
    p.field("Dirujuk oleh", l.referred_by);

    p.gap(8.0);
    let request = format!(
        "Dengan ini kami merujuk keluarga tersebut di atas. Mohon pengelola program yang \
         dituju menindaklanjuti rujukan ini dan memberikan umpan balik atas hasilnya melalui \
         sistem SLRT dengan menyebutkan nomor kasus {}.",
        l.case_number.trim()
    );
    p.lines(Font::Regular, BODY, LEFT, TEXT_W, &encode(&request));
    p.qr(l.status_url);

    // A footer on every page.
    let count = p.pages.len();
    for (i, page) in p.pages.iter_mut().enumerate() {
        let mut text = encode(&format!(
            "Surat rujukan {} · halaman {} dari {count}",
            l.case_number,
            i + 1
        ));
        if width(Font::Regular, 8.0, &text) > TEXT_W {
            text = encode(&format!("Halaman {} dari {count}", i + 1));
        }
        let x = LEFT + (TEXT_W - width(Font::Regular, 8.0, &text)) / 2.0;
        let (font, size, y) = (Font::Regular, 8.0, FOOTER_Y);
        page.push(Op::Text {
            font,
            size,
            x,
            y,
            text,
        });
    }
    p.pages
}

// ---- PDF ------------------------------------------------------------------------------

/// The pages as a PDF whose document title is `title`.
fn render(pages: &[Vec<Op>], title: &str) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let fonts = [Ref::new(3), Ref::new(4)];
    let info = Ref::new(5);
    let page_ref = |i: usize| Ref::new(6 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(7 + 2 * i as i32);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    for (font, base) in [(Font::Regular, "Helvetica"), (Font::Bold, "Helvetica-Bold")] {
        pdf.type1_font(fonts[font as usize])
            .base_font(Name(base.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Selaras"));

    for (i, ops) in pages.iter().enumerate() {
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(content_ref(i));
        let mut resources = page.resources();
        let mut names = resources.fonts();
        for font in [Font::Regular, Font::Bold] {
            names.pair(font.resource(), fonts[font as usize]);
        }
        names.finish();
        resources.finish();
        page.finish();
        pdf.stream(content_ref(i), &content(ops).finish());
    }
    pdf.finish()
}

fn content(ops: &[Op]) -> Content {
    let mut c = Content::new();
    for op in ops {
        match op {
            Op::Text {
                font,
                size,
                x,
                y,
                text,
            } => {
                c.begin_text()
                    .set_font(font.resource(), *size)
                    .set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, *y])
                    .show(Str(text))
                    .end_text();
            }
            Op::Rule { y } => {
                c.set_line_width(0.5)
                    .move_to(LEFT, *y)
                    .line_to(LEFT + TEXT_W, *y)
                    .stroke();
            }
            Op::Qr {
                x,
                y,
                module,
                n,
                dark,
            } => {
                // In module units from the quiet zone's lower left corner; one rectangle
                // per run of dark modules in a row.
                c.save_state()
                    .transform([*module, 0.0, 0.0, *module, *x, *y]);
                for (row, cells) in dark.chunks(*n).enumerate() {
                    let y = (QR_QUIET + n - 1 - row) as f32;
                    let mut col = 0;
                    while col < *n {
                        let run = cells[col..].iter().take_while(|&&d| d).count();
                        if run > 0 {
                            c.rect((QR_QUIET + col) as f32, y, run as f32, 1.0);
                        }
                        col += run.max(1);
                    }
                }
                c.fill_nonzero().restore_state();
            }
        }
    }
    c
}

#[cfg(test)]
mod tests;
