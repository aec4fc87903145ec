//! `RegionTable::from_csv` on small hand-written inputs.

use selaras_domain::region::{RegionCode, RegionLevel, RegionScope};
use selaras_regions::RegionTable;

const GOOD: &str = "code,name,versions
11,Aceh,34
11.01,Kabupaten Aceh Selatan,34
11.01.01,Bakongan,34
11.01.01.2001,Keude Bakongan,34
11.01.01.2002,\"Lubuk Pakam I,II\",4
11.01.02,\"Ra\"\"as\",3
";

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

#[test]
fn parses_a_small_table() {
    let t = RegionTable::from_csv(GOOD).unwrap();
    assert_eq!(t.len(), 6);
    assert_eq!(t.count(RegionLevel::Province), 1);
    assert_eq!(t.count(RegionLevel::Regency), 1);
    assert_eq!(t.count(RegionLevel::District), 2);
    assert_eq!(t.count(RegionLevel::Village), 2);
    assert_eq!(t.name(&code("11.01.01.2002")), Some("Lubuk Pakam I,II"));
    let raas = t.get(&code("11.01.02")).unwrap();
    assert_eq!(raas.name, "Ra\"as");
    assert!(raas.in_v3 && !raas.in_v4);
    assert!(t.is_known_district_digits(b"110101"));
    assert!(t.is_known_district_digits(b"110102"));
    assert!(!t.is_known_district_digits(b"110103"));
    let kids: Vec<_> = t
        .children(Some(&code("11.01")))
        .iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(kids, [code("11.01.01"), code("11.01.02")]);
    assert_eq!(
        t.in_scope(&RegionScope::Region(code("11")), RegionLevel::Village)
            .len(),
        2
    );
    // CRLF line ends are accepted too.
    let crlf = GOOD.replace('\n', "\r\n");
    assert_eq!(RegionTable::from_csv(&crlf).unwrap().len(), 6);
}

#[test]
fn empty_table_is_allowed() {
    let t = RegionTable::from_csv("code,name,versions\n").unwrap();
    assert!(t.is_empty());
    assert!(t.children(None).is_empty());
    assert!(!t.is_known_district_digits(b"110101"));
}

/// Replace line `n` (1-based) of GOOD and expect an error that names that line.
fn error_at(n: usize, replacement: &str) -> String {
    let mut lines: Vec<&str> = GOOD.lines().collect();
    lines[n - 1] = replacement;
    let text = lines.join("\n") + "\n";
    let err = RegionTable::from_csv(&text).expect_err(replacement);
    assert!(
        err.starts_with(&format!("line {n}:")),
        "error for {replacement:?} should name line {n}: {err}"
    );
    err
}

#[test]
fn errors_name_the_line() {
    let e = error_at(4, "11.01.0x,Bakongan,34");
    assert!(e.contains("11.01.0x"), "{e}");
    let e = error_at(4, "11.01.01,Bakongan");
    assert!(e.contains("3 fields"), "{e}");
    error_at(4, "11.01.01,Bakongan,34,extra");
    let e = error_at(4, "11.01.01,Bakongan,5");
    assert!(e.contains("versions"), "{e}");
    error_at(4, "11.01.01,,34");
    error_at(4, "11.01.01,   ,34");
    // Out of order / duplicate.
    let e = error_at(4, "11.01,Dup,34");
    assert!(e.contains("sorted"), "{e}");
    // A village whose district is missing.
    let e = error_at(7, "11.01.03.2001,Orphan,34");
    assert!(e.contains("parent"), "{e}");
    let e = error_at(1, "kode,nama,versi");
    assert!(e.contains("header"), "{e}");
    assert!(RegionTable::from_csv("")
        .unwrap_err()
        .starts_with("line 1:"));
}

#[test]
fn error_line_counts_multi_line_records() {
    // A quoted name spanning two lines is rejected (control character), and the error
    // names the line where the record starts.
    let text = "code,name,versions\n11,Aceh,34\n11.01,\"Kabupaten\nAceh\",34\n";
    let err = RegionTable::from_csv(text).unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
    // An unterminated quote swallows the rest of the input into one field.
    let text = "code,name,versions\n11,Aceh,34\n11.01,\"Kabupaten,34\n11.02,X,34\n";
    let err = RegionTable::from_csv(text).unwrap_err();
    assert!(err.starts_with("line 3:"), "{err}");
}
