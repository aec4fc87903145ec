//! Line numbers in rejects must be those a person sees in an editor (header = line 1).
use selaras_domain::registry::HOUSEHOLD_COLUMNS;
use selaras_interchange::{open, ReadItem};

#[test]
fn line_numbers_of_the_bad_fixture() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance/bad");
    let mut f = open(&dir, "households.csv", HOUSEHOLD_COLUMNS).unwrap();
    let mut lines = vec![];
    while let Some(i) = f.next_item() {
        match i {
            ReadItem::Record { line, .. } | ReadItem::Unreadable { line, .. } => lines.push(line),
        }
    }
    assert_eq!(lines.first(), Some(&2));
    assert_eq!(lines.last(), Some(&42));
    assert_eq!(lines.len(), 41);
}

#[test]
fn crlf_and_lf_and_embedded_newlines_agree() {
    let lf = "household_id,address\nH1,a\n\nH2,\"two\nlines\"\nH3,c\n";
    let crlf = lf.replace('\n', "\r\n");
    for text in [lf.to_string(), crlf] {
        let cols = &selaras_domain::registry::HOUSEHOLD_COLUMNS[..1];
        let mut f = selaras_interchange::CsvFile::new("h", text.as_bytes(), cols).unwrap();
        let mut lines = vec![];
        while let Some(ReadItem::Record { line, .. } | ReadItem::Unreadable { line, .. }) =
            f.next_item()
        {
            lines.push(line);
        }
        assert_eq!(lines, [2, 4, 6], "{text:?}");
    }
}
