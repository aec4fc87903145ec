//! The letter read back from the PDF bytes: a small reader follows the cross-reference
//! table to the content streams and tokenizes them (literal strings with their escapes,
//! hex strings), so a broken string or offset fails here before it fails in a viewer.

use super::*;

fn letter<'a>(description: &'a str) -> ReferralLetter<'a> {
    ReferralLetter {
        case_number: "SLRT-2026-000042",
        issued_on: "01/12/2026",
        issuer: "SLRT Kabupaten Bantul (3402)",
        family_head: "Sri Rahayu Wulandari",
        nik_masked: "3402••••••••0001",
        household_id: "RT-3402-0000123",
        address: "Desa Panggungharjo (3402160003), Kecamatan Sewon (340216), \
                  Kabupaten Bantul (3402)",
        kind_label: "Kebutuhan",
        category: "Bantuan pendidikan anak",
        description,
        program: "Program Keluarga Harapan (pkh)",
        level: "pusat",
        referred_by: "petugas.sewon (operator SLRT)",
        status_url: "https://selaras.example.go.id/status/SLRT-2026-000042?t=Zk3q9XbT",
    }
}

const SHORT: &str = "Anak kedua (kelas 8) terancam putus sekolah karena biaya seragam dan \
                     transportasi; ibu bekerja sebagai buruh harian.";

/// A text run shown on a page: font resource, size, position and WinAnsi bytes.
#[derive(Debug)]
struct Run {
    font: Font,
    size: f32,
    x: f32,
    y: f32,
    text: Vec<u8>,
}

/// A QR code as drawn: the transformation (module, x, y) and the rectangles in modules.
#[derive(Debug, Default)]
struct DrawnQr {
    module: f32,
    x: f32,
    y: f32,
    rects: Vec<[f32; 4]>,
}

struct Page {
    runs: Vec<Run>,
    qr: Option<DrawnQr>,
}

enum Token {
    Num(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Op(String),
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn number_after(pdf: &[u8], at: usize) -> usize {
    let digits: Vec<u8> = pdf[at..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    String::from_utf8(digits).unwrap().parse().unwrap()
}

/// The content streams, in object order, found through `startxref` and the xref table;
/// every in-use entry must point at its `N 0 obj`.
fn content_streams(pdf: &[u8]) -> Vec<&[u8]> {
    let start = find(pdf, b"startxref", pdf.len() - 40).expect("startxref");
    let xref = number_after(pdf, start + 9);
    assert!(pdf[xref..].starts_with(b"xref"), "startxref points at xref");
    let table = std::str::from_utf8(&pdf[xref..find(pdf, b"trailer", xref).unwrap()]).unwrap();
    let words: Vec<&str> = table.split_ascii_whitespace().collect();
    assert_eq!(words[1], "0");
    let count: usize = words[2].parse().unwrap();
    let mut streams = Vec::new();
    for id in 1..count {
        let entry = &words[3 + 3 * id..6 + 3 * id];
        assert_eq!(entry[2], "n", "object {id} in use");
        let at: usize = entry[0].parse().unwrap();
        assert!(
            pdf[at..].starts_with(format!("{id} 0 obj").as_bytes()),
            "xref entry of object {id}"
        );
        let end = find(pdf, b"endobj", at).unwrap();
        let Some(length) = find(&pdf[..end], b"/Length", at) else {
            continue;
        };
        let len = number_after(pdf, length + 7);
        let data = find(pdf, b"stream\n", length).unwrap() + 7;
        assert!(
            pdf[data + len..].starts_with(b"\nendstream"),
            "stream length"
        );
        streams.push(&pdf[data..data + len]);
    }
    streams
}

fn tokens(s: &[u8]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b.is_ascii_whitespace() {
            i += 1;
        } else if b == b'(' {
            // A literal string: balanced parentheses, backslash escapes.
            let (mut depth, mut text) = (1, Vec::new());
            i += 1;
            loop {
                let c = *s.get(i).expect("unterminated literal string");
                i += 1;
                match c {
                    b'\\' => {
                        let e = s[i];
                        i += 1;
                        text.push(match e {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 8,
                            b'f' => 12,
                            b'0'..=b'7' => {
                                let mut v = u32::from(e - b'0');
                                for _ in 0..2 {
                                    if matches!(s[i], b'0'..=b'7') {
                                        v = v * 8 + u32::from(s[i] - b'0');
                                        i += 1;
                                    }
                                }
                                v as u8
                            }
                            other => other,
                        });
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
            out.push(Token::Str(text));
        } else if b == b'<' {
            let end = i + s[i..].iter().position(|&c| c == b'>').expect("hex end");
            let hex: Vec<u8> = s[i + 1..end]
                .iter()
                .filter(|c| !c.is_ascii_whitespace())
                .copied()
                .collect();
            assert!(hex.chunks_exact(2).remainder().is_empty());
            assert!(hex.iter().all(u8::is_ascii_hexdigit));
            let bytes = hex
                .chunks(2)
                .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
                .collect();
            out.push(Token::Str(bytes));
            i = end + 1;
        } else {
            let start = i + usize::from(b == b'/');
            let end = start
                + s[start..]
                    .iter()
                    .position(|c| c.is_ascii_whitespace() || b"()<>[]/".contains(c))
                    .unwrap_or(s.len() - start);
            let word = std::str::from_utf8(&s[start..end]).unwrap();
            assert!(!word.is_empty(), "stray {:?}", b as char);
            out.push(if b == b'/' {
                Token::Name(word.as_bytes().to_vec())
            } else if let Ok(n) = word.parse() {
                Token::Num(n)
            } else {
                assert!(
                    word.bytes().all(|c| c.is_ascii_alphabetic() || c == b'*'),
                    "operator {word:?}"
                );
                Token::Op(word.to_string())
            });
            i = end;
        }
    }
    out
}

fn pages(pdf: &[u8]) -> Vec<Page> {
    content_streams(pdf).into_iter().map(page).collect()
}

fn page(stream: &[u8]) -> Page {
    let mut page = Page {
        runs: Vec::new(),
        qr: None,
    };
    let (mut font, mut size, mut at) = (Font::Regular, 0.0, (0.0, 0.0));
    let mut args: Vec<Token> = Vec::new();
    for token in tokens(stream) {
        let Token::Op(op) = token else {
            args.push(token);
            continue;
        };
        let nums: Vec<f32> = args
            .iter()
            .filter_map(|t| match t {
                Token::Num(n) => Some(*n),
                _ => None,
            })
            .collect();
        match op.as_str() {
            "Tf" => {
                font = match &args[0] {
                    Token::Name(n) if n == b"F1" => Font::Regular,
                    Token::Name(n) if n == b"F2" => Font::Bold,
                    _ => panic!("unknown font"),
                };
                size = nums[0];
            }
            "Tm" => at = (nums[4], nums[5]),
            "Tj" => {
                let Some(Token::Str(text)) = args.pop() else {
                    panic!("Tj without a string")
                };
                let (x, y) = at;
                page.runs.push(Run {
                    font,
                    size,
                    x,
                    y,
                    text,
                });
            }
            "cm" => {
                assert!(page.qr.is_none(), "one QR code");
                page.qr = Some(DrawnQr {
                    module: nums[0],
                    x: nums[4],
                    y: nums[5],
                    rects: Vec::new(),
                });
            }
            "re" => {
                let qr = page.qr.as_mut().expect("rectangles only in the QR code");
                qr.rects.push([nums[0], nums[1], nums[2], nums[3]]);
            }
            _ => {}
        }
        args.clear();
    }
    page
}

fn is_footer(run: &Run) -> bool {
    run.y == FOOTER_Y
}

/// The body of the letter as read: every run but the footers, in order, joined by spaces.
fn shown(pages: &[Page]) -> Vec<u8> {
    let runs = pages.iter().flat_map(|p| &p.runs).filter(|r| !is_footer(r));
    runs.map(|r| r.text.as_slice())
        .collect::<Vec<_>>()
        .join(&b' ')
}

fn footers(pages: &[Page]) -> Vec<Vec<u8>> {
    let runs = pages
        .iter()
        .flat_map(|p| p.runs.iter().filter(|r| is_footer(r)));
    runs.map(|r| r.text.clone()).collect()
}

/// `text` as WinAnsi with every run of white space made one space.
fn normalized(text: &str) -> Vec<u8> {
    let words: Vec<Vec<u8>> = text.split_whitespace().map(encode).collect();
    words.join(&b' ')
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_pdf_is_framed_and_the_same_for_the_same_letter() {
    let pdf = referral_letter_pdf(&letter(SHORT));
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
    assert_eq!(pdf, referral_letter_pdf(&letter(SHORT)));
    assert_eq!(pages(&pdf).len(), 1);
    assert!(contains(&pdf, b"/BaseFont /Helvetica"));
    assert!(contains(&pdf, b"/Encoding /WinAnsiEncoding"));
    assert!(contains(&pdf, b"/MediaBox [0 0 595 842]"));
}

#[test]
fn every_field_and_the_fixed_text_appear_in_the_content_stream() {
    let l = letter(SHORT);
    let text = shown(&pages(&referral_letter_pdf(&l)));
    let fields = [
        l.case_number,
        l.issued_on,
        l.issuer,
        l.family_head,
        l.nik_masked,
        l.household_id,
        l.address,
        l.kind_label,
        l.category,
        l.description,
        l.program,
        l.level,
        l.referred_by,
        l.status_url,
    ];
    let fixed = [
        "SURAT RUJUKAN",
        "Nomor: SLRT-2026-000042",
        "Tanggal: 01/12/2026",
        "Kepala keluarga : Sri Rahayu Wulandari",
        "NIK : 3402••••••••0001",
        "ID rumah tangga :",
        "Alamat :",
        "Jenis : Kebutuhan",
        "Kategori :",
        "Uraian kebutuhan/keluhan:",
        "Dirujuk kepada",
        "Program : Program Keluarga Harapan (pkh)",
        "Tingkat : pusat",
        "Dirujuk oleh :",
        "menindaklanjuti rujukan ini dan memberikan umpan balik",
        "Pindai untuk melihat status kasus",
    ];
    for want in fields.iter().chain(&fixed) {
        let want = normalized(want);
        assert!(
            contains(&text, &want),
            "{:?} is not in the letter",
            String::from_utf8_lossy(&want)
        );
    }
    let footer = "Surat rujukan SLRT-2026-000042 · halaman 1 dari 1";
    assert_eq!(footers(&pages(&referral_letter_pdf(&l))), [encode(footer)]);
    // The bullets of the masked NIK are WinAnsi's bullet, not question marks.
    assert!(contains(&text, b"3402\x95\x95\x95\x95\x95\x95\x95\x950001"));
}

#[test]
fn win_ansi_maps_exactly_the_characters_it_has_and_others_to_a_question_mark() {
    assert_eq!(encode("Sri é Ü ß ÿ"), b"Sri \xe9 \xdc \xdf \xff");
    assert_eq!(encode("• – — … € ™ ‘’ “” Š ž Ÿ"), {
        b"\x95 \x96 \x97 \x85 \x80 \x99 \x91\x92 \x93\x94 \x8a \x9e \x9f".to_vec()
    });
    // Outside WinAnsi: Latin Extended-A, CJK, emoji, a combining accent, C1 controls.
    assert_eq!(encode("Ā 日本 🙂 e\u{301} \u{81}\u{9d}"), b"? ?? ? e? ??");
    assert_eq!(encode("a\tb\r\nc\u{7}"), b"a b \nc?");
    assert_eq!(encode("\u{a0}"), b""); // trimmed: no-break space is white space

    // Over all of Unicode: the 218 characters WinAnsi defines besides '?' itself map to
    // distinct codes, each with a width in both fonts; everything else maps to '?'.
    let mut seen = [None::<char>; 256];
    let mut mapped = 0;
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        let b = win_ansi(c);
        if b == b'?' && c != '?' || matches!(c, '\n' | '\t' | '\r') {
            continue;
        }
        assert!(
            seen[usize::from(b)].is_none(),
            "{c:?} and {:?}",
            seen[b as usize]
        );
        seen[usize::from(b)] = Some(c);
        assert!(WIDTHS.iter().all(|t| t[usize::from(b - 0x20)] > 0), "{c:?}");
        mapped += 1;
    }
    assert_eq!(
        mapped,
        224 - 1 - 5,
        "0x20..=0xFF less 0x7F and five undefined codes"
    );
    for b in [0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D] {
        assert!(seen[b].is_none() && WIDTHS[0][b - 0x20] == 0);
    }
}

#[test]
fn widths_are_helveticas() {
    // Spot checks against the AFM files (Helvetica, Helvetica-Bold).
    assert_eq!(
        units(Font::Regular, b"Helvetica"),
        722 + 556 + 222 + 500 + 556 + 278 + 222 + 500 + 556
    );
    assert_eq!(
        units(Font::Regular, b"@'`\x95\xe9"),
        1015 + 191 + 333 + 350 + 556
    );
    assert_eq!(units(Font::Bold, b"SURAT"), 667 + 722 + 722 + 722 + 611);
    assert_eq!(units(Font::Bold, b"@'`\x97"), 975 + 238 + 333 + 1000);
}

#[test]
fn wrapping_keeps_every_word_and_never_passes_the_width() {
    let long_word = "x".repeat(300);
    let text = format!(
        "Keluarga   ini tinggal di rumah semi-permanen {long_word} dengan     empat anak.\n\n\
         WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii \
         Ünïcödé 日本語 ✓ (kurung) \\garis\\ {}",
        "kata ".repeat(120)
    );
    let bytes = encode(&text);
    for font in [Font::Regular, Font::Bold] {
        for max in [
            30.0,
            77.7,
            150.0,
            TEXT_W - LABEL_W,
            TEXT_W - 2.0 * INDENT,
            TEXT_W,
        ] {
            for size in [8.0, 10.0, 16.0] {
                let lines = wrap(&bytes, font, size, max);
                for line in &lines {
                    assert!(width(font, size, line) <= max, "{max}: {line:?}");
                    assert!(!line.starts_with(b" ") && !line.ends_with(b" "));
                }
                let squeeze = |b: &[u8]| -> Vec<u8> {
                    b.iter().filter(|c| !b" \n".contains(c)).copied().collect()
                };
                assert_eq!(squeeze(&lines.concat()), squeeze(&bytes), "no text lost");
                // The blank line between the paragraphs is kept.
                assert!(lines.iter().any(|l| l.is_empty()));
            }
        }
    }
    // Words that fit go whole onto the line.
    let lines = wrap(
        b"aaa bbb ccc",
        Font::Regular,
        10.0,
        width(Font::Regular, 10.0, b"aaa bbb"),
    );
    assert_eq!(lines, [b"aaa bbb".to_vec(), b"ccc".to_vec()]);
}

/// The right edge of every run, checked with the same AFM widths, is within the margin.
fn assert_within_margins(pages: &[Page]) {
    for run in pages.iter().flat_map(|p| &p.runs) {
        let right = run.x + width(run.font, run.size, &run.text);
        assert!(run.x >= LEFT - 0.01, "{run:?}");
        assert!(right <= LEFT + TEXT_W + 0.01, "{run:?} ends at {right}");
        assert!(run.y >= FOOTER_Y - 0.01 && run.y <= TOP, "{run:?}");
    }
}

#[test]
fn a_2000_character_description_goes_on_to_a_second_page() {
    let sentence = "Keluarga membutuhkan bantuan biaya pengobatan rutin untuk anggota lansia \
                    dengan disabilitas, termasuk transportasi ke puskesmas kecamatan. ";
    let description: String = sentence.chars().cycle().take(2000).collect();
    let l = letter(&description);
    let pages = pages(&referral_letter_pdf(&l));
    assert_eq!(pages.len(), 2);
    let text = shown(&pages);
    assert!(
        contains(&text, &normalized(&description)),
        "the whole description"
    );
    let footers = footers(&pages);
    assert!(footers[0].ends_with(b"halaman 1 dari 2") && footers[1].ends_with(b"halaman 2 dari 2"));
    // The rest of the letter follows on the second page, QR code included.
    assert!(pages[1].qr.is_some());
    assert!(contains(
        &shown(&pages[1..]),
        b"Pindai untuk melihat status kasus"
    ));
    assert_within_margins(&pages);

    // One 2000-character word is broken, not cut, and it too goes on.
    let word = "ab(c)\\".repeat(334)[..2000].to_string();
    let pages_of_word = self::pages(&referral_letter_pdf(&letter(&word)));
    assert!(pages_of_word.len() >= 2);
    let text: Vec<u8> = shown(&pages_of_word)
        .into_iter()
        .filter(|&b| b != b' ')
        .collect();
    assert!(contains(&text, word.as_bytes()));
    assert_within_margins(&pages_of_word);
}

#[test]
fn the_qr_code_in_the_pdf_decodes_to_the_status_url_and_has_its_quiet_zone() {
    let l = letter(SHORT);
    let pages = pages(&referral_letter_pdf(&l));
    let qr = pages[0].qr.as_ref().expect("a QR code");
    // The symbol: modules from QR_QUIET to QR_QUIET + n on both axes.
    let q = QR_QUIET as f32;
    let end = qr.rects.iter().map(|r| r[0] + r[2]).fold(0.0, f32::max);
    for r in &qr.rects {
        assert!(r[0] >= q && r[1] >= q && r[0] + r[2] <= end && r[1] + r[3] <= end);
    }
    let n = (end - q) as usize;
    let side = (n + 2 * QR_QUIET) as f32 * qr.module;
    assert!((side - QR_SIDE).abs() < 0.01);

    // Rasterized at 4 pixels a module, white around, it reads back as the URL.
    let px = 4;
    let size = (n + 2 * QR_QUIET) * px;
    let mut luma = vec![255u8; size * size];
    for r in &qr.rects {
        let (x0, w) = (r[0] as usize * px, r[2] as usize * px);
        // PDF y grows upwards, image rows downwards.
        let y0 = size - (r[1] + r[3]) as usize * px;
        for y in y0..y0 + r[3] as usize * px {
            luma[y * size + x0..y * size + x0 + w].fill(0);
        }
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| luma[y * size + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().expect("decodes");
    assert_eq!(content, l.status_url);
    // Module for module the encoder's matrix, the right way up (a reader that accepts
    // mirror images would not notice a flip).
    let code = QrCode::with_error_correction_level(l.status_url, EcLevel::M).unwrap();
    assert_eq!(code.width(), n);
    for (i, color) in code.to_colors().into_iter().enumerate() {
        let (row, col) = (i / n + QR_QUIET, i % n + QR_QUIET);
        let dark = luma[(row * px + px / 2) * size + col * px + px / 2] == 0;
        assert_eq!(dark, color == Color::Dark, "module ({}, {})", i / n, i % n);
    }

    // No text reaches into the code or its quiet zone.
    for run in &pages[0].runs {
        let right = run.x + width(run.font, run.size, &run.text);
        let (bottom, top) = (run.y - 0.25 * run.size, run.y + 0.8 * run.size);
        let apart = right <= qr.x || run.x >= qr.x + side || top <= qr.y || bottom >= qr.y + side;
        assert!(apart, "{run:?} overlaps the QR code");
    }
    // The URL is printed under the caption, under the code.
    let url = pages[0]
        .runs
        .iter()
        .find(|r| r.text == l.status_url.as_bytes());
    assert!(url.expect("the URL").y < qr.y);
}

#[test]
fn parentheses_backslashes_and_other_scripts_keep_the_pdf_well_formed() {
    let nasty = "a)b(c\\d ((x) ) \\) %%EOF endstream endobj (日本語 Ā 🙂) <hex> /Name \u{0}";
    let l = ReferralLetter {
        family_head: nasty,
        address: "))))((((",
        category: "\\",
        description: nasty,
        program: "Ünïcödé (ü)",
        status_url: "https://x.example/s?q=(1)\\",
        ..letter(SHORT)
    };
    let pdf = referral_letter_pdf(&l);
    // The reader walks the xref to each object and tokenizes every stream.
    let pages = pages(&pdf);
    let text = shown(&pages);
    for want in [nasty, "))))((((", "\\", "Ünïcödé (ü)", l.status_url] {
        let want = normalized(want);
        assert!(
            contains(&text, &want),
            "{:?}",
            String::from_utf8_lossy(&want)
        );
    }
    assert!(contains(&text, b"(??? ? ?) <hex> /Name ?"));
    assert_within_margins(&pages);
    let qr = pages[0].qr.as_ref().expect("a QR code");
    assert!(!qr.rects.is_empty());
    // The document title (a text string) survives too.
    assert!(contains(&pdf, b"/Title (Surat rujukan SLRT-2026-000042)"));
}

#[test]
fn an_empty_letter_and_a_url_too_long_for_a_qr_code_still_render() {
    let long_url = format!("https://x.example/{}", "a".repeat(5000));
    let l = ReferralLetter {
        case_number: "",
        issued_on: "",
        issuer: "",
        family_head: "",
        nik_masked: "",
        household_id: "",
        address: "",
        kind_label: "",
        category: "",
        description: "",
        program: "",
        level: "",
        referred_by: "",
        status_url: &long_url,
    };
    let pages = pages(&referral_letter_pdf(&l));
    assert!(pages.iter().all(|p| p.qr.is_none()));
    let text = shown(&pages);
    assert!(contains(&text, b"terlalu panjang untuk kode QR"));
    let printed: Vec<u8> = text.iter().filter(|&&b| b != b' ').copied().collect();
    assert!(contains(&printed, long_url.as_bytes()));
    assert_within_margins(&pages);
}

/// With poppler's `pdftotext` installed, a real PDF reader extracts the text (it skips
/// itself otherwise).
#[test]
fn pdftotext_reads_the_letter_when_installed() {
    let found = std::process::Command::new("pdftotext").arg("-v").output();
    if found.is_err() {
        println!("skipped: pdftotext is not installed");
        return;
    }
    let description: String = "Uraian (panjang) dengan \\ dan é. ".repeat(60);
    let l = ReferralLetter {
        family_head: "Sri Rahayu (Ayu) Wulandari é",
        ..letter(&description)
    };
    let pdf = referral_letter_pdf(&l);
    let path = std::env::temp_dir().join(format!("selaras-letter-{}.pdf", std::process::id()));
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "SURAT RUJUKAN",
        "Nomor: SLRT-2026-000042",
        "Sri Rahayu (Ayu) Wulandari é",
        "3402••••••••0001",
        "Uraian (panjang) dengan \\ dan é.",
        "Pindai untuk melihat status kasus",
        l.status_url,
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    let count = pages(&pdf).len();
    assert!(count >= 2);
    assert_eq!(text.matches('\u{c}').count(), count, "one form feed a page");
}
