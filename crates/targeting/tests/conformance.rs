//! `rank` against the conformance vectors (fixtures/conformance, pmt-model.md).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use selaras_domain::pmt::Model;
use selaras_targeting::{rank_dir, FrameError};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

fn model() -> Model {
    Model::from_json(&std::fs::read_to_string(fixtures().join("model.json")).unwrap()).unwrap()
}

fn read_ranks(p: &Path) -> HashMap<String, Vec<String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "household_id",
            "segment",
            "score",
            "predicted_consumption",
            "national_rank",
            "national_percentile",
            "national_decile",
            "province_decile",
            "regency_decile",
            "imputed"
        ]
    );
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x.iter().skip(1).map(String::from).collect(),
            )
        })
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("{s:?}"))
}

#[test]
fn ranks_equal_the_conformance_vectors() {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ranks.csv");
    let n = rank_dir(&fixtures().join("data"), &model(), &path, None).unwrap();
    let got = read_ranks(&path);
    let want = read_ranks(&fixtures().join("expected/ranks.csv"));
    assert_eq!((n.ranked, n.unscored), (want.len(), 0));
    assert_eq!(got.len(), want.len());
    let mut imputed = 0;
    for (id, w) in &want {
        let g = got.get(id).unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(g[0], w[0], "{id}: segment");
        assert!(
            (num(&g[1]) - num(&w[1])).abs() <= 1e-6,
            "{id}: score {} vs {}",
            g[1],
            w[1]
        );
        let rel = (num(&g[2]) - num(&w[2])).abs() / num(&w[2]);
        assert!(
            rel < 1e-5,
            "{id}: predicted consumption {} vs {}",
            g[2],
            w[2]
        );
        for (k, name) in [
            (3, "national_rank"),
            (4, "national_percentile"),
            (5, "national_decile"),
            (6, "province_decile"),
            (7, "regency_decile"),
            (8, "imputed"),
        ] {
            assert_eq!(num(&g[k]), num(&w[k]), "{id}: {name}");
        }
        imputed += (g[8] == "1") as u32;
    }
    assert!(imputed > 0, "the vectors include imputed households");
}

#[test]
fn reruns_are_byte_identical() {
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a.csv"), out.path().join("b.csv"));
    rank_dir(&fixtures().join("data"), &model(), &a, None).unwrap();
    rank_dir(&fixtures().join("data"), &model(), &b, None).unwrap();
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
}

/// A copy of the conformance data with one line of one file replaced.
fn with_line(file: &str, line: usize, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["households.csv", "members.csv"] {
        let text = std::fs::read_to_string(fixtures().join("data").join(f)).unwrap();
        let out: Vec<String> = text
            .lines()
            .enumerate()
            .map(|(i, l)| {
                if f == file && i + 1 == line {
                    edit(l)
                } else {
                    l.to_string()
                }
            })
            .collect();
        std::fs::write(d.path().join(f), out.join("\n") + "\n").unwrap();
    }
    d
}

#[test]
fn bad_rows_stop_the_run_naming_file_line_and_column() {
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("ranks.csv");
    // households.csv line 3: floor type "earth" → "mud" (a column the model uses).
    let d = with_line("households.csv", 3, |l| {
        let header = std::fs::read_to_string(fixtures().join("data/households.csv")).unwrap();
        let cols: Vec<&str> = header.lines().next().unwrap().split(',').collect();
        let at = cols.iter().position(|c| *c == "floor_type").unwrap();
        let mut rec = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(l.as_bytes());
        let r = rec.records().next().unwrap().unwrap();
        let mut w = csv::Writer::from_writer(vec![]);
        w.write_record(
            r.iter()
                .enumerate()
                .map(|(i, v)| if i == at { "mud" } else { v }),
        )
        .unwrap();
        String::from_utf8(w.into_inner().unwrap())
            .unwrap()
            .trim_end()
            .to_string()
    });
    let e = rank_dir(d.path(), &model(), &path, None).unwrap_err();
    match &e {
        FrameError::Row {
            file, line, column, ..
        } => {
            assert_eq!(
                (*file, *line, *column),
                ("households.csv", 3, "floor_type"),
                "{e}"
            )
        }
        other => panic!("{other}"),
    }
    // members.csv line 5: a birth date that is not a date.
    let d = with_line("members.csv", 5, |l| {
        let mut f: Vec<String> = l.split(',').map(String::from).collect();
        let header = std::fs::read_to_string(fixtures().join("data/members.csv")).unwrap();
        let at = header
            .lines()
            .next()
            .unwrap()
            .split(',')
            .position(|c| c == "birth_date")
            .unwrap();
        f[at] = "2001-02-30".into();
        f.join(",")
    });
    let e = rank_dir(d.path(), &model(), &path, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("members.csv line 5, column birth_date:"),
        "{e}"
    );
}

/// Rewrites the conformance data into a new folder: `keep` decides for each household
/// id whether it stays; `member` may edit (or drop, `false`) each member row, given the
/// header.
fn rewrite(
    keep: impl Fn(&str) -> bool,
    member: impl Fn(&csv::StringRecord, &mut Vec<String>) -> bool,
) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["households.csv", "members.csv"] {
        let mut r = csv::Reader::from_path(fixtures().join("data").join(f)).unwrap();
        let header = r.headers().unwrap().clone();
        let id_at = header.iter().position(|c| c == "household_id").unwrap();
        let mut w = csv::Writer::from_path(d.path().join(f)).unwrap();
        w.write_record(&header).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            if !keep(&rec[id_at]) {
                continue;
            }
            let mut fields: Vec<String> = rec.iter().map(String::from).collect();
            if f == "members.csv" && !member(&header, &mut fields) {
                continue;
            }
            w.write_record(&fields).unwrap();
        }
        w.flush().unwrap();
    }
    d
}

/// Households with no members, no head or two heads are listed with the reason, not
/// ranked, and everyone else ranks exactly as if they were not there.
#[test]
fn unscorable_households_are_listed_and_shift_nobody() {
    let want = read_ranks(&fixtures().join("expected/ranks.csv"));
    let mut ids: Vec<&String> = want.keys().collect();
    ids.sort();
    let (gone, headless, two_heads) = (ids[10].clone(), ids[20].clone(), ids[30].clone());
    let col = |h: &csv::StringRecord, name: &str| h.iter().position(|c| c == name).unwrap();
    let edited = rewrite(
        |_| true,
        |h, f| {
            let id = f[col(h, "household_id")].clone();
            let rel = col(h, "relation");
            if id == gone {
                return false;
            }
            if id == headless && f[rel] == "head" {
                f[rel] = "other".into();
            }
            if id == two_heads && f[rel] != "head" {
                f[rel] = "head".into();
            }
            true
        },
    );
    let without = rewrite(
        |id| id != gone && id != headless && id != two_heads,
        |_, _| true,
    );
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a.csv"), out.path().join("b.csv"));
    let sa = rank_dir(edited.path(), &model(), &a, None).unwrap();
    let sb = rank_dir(without.path(), &model(), &b, None).unwrap();
    assert_eq!((sa.ranked, sa.unscored), (want.len() - 3, 3));
    assert_eq!((sb.ranked, sb.unscored), (want.len() - 3, 0));
    assert_eq!(read_ranks(&a), read_ranks(&b));
    let listed = std::fs::read_to_string(selaras_targeting::unscored_path(&a)).unwrap();
    let mut lines: Vec<&str> = listed.lines().collect();
    lines.sort();
    let mut expect = vec![
        "household_id,reason".to_string(),
        format!("{gone},no_members"),
        format!("{headless},no_head"),
        format!("{two_heads},several_heads"),
    ];
    expect.sort();
    assert_eq!(lines, expect);
}

/// Members in any order give the same ranks (they are folded in while households.csv is
/// read when they follow its order, and after it otherwise); a member whose household is
/// missing stops the run naming its line.
#[test]
fn member_order_does_not_matter_and_orphans_are_named() {
    let src = fixtures().join("data");
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(src.join("households.csv"), d.path().join("households.csv")).unwrap();
    let text = std::fs::read_to_string(src.join("members.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    std::fs::write(d.path().join("members.csv"), lines.join("\n") + "\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let (a, b) = (out.path().join("a.csv"), out.path().join("b.csv"));
    rank_dir(&src, &model(), &a, None).unwrap();
    rank_dir(d.path(), &model(), &b, None).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    // The household of the last member line (now the first data line) is removed.
    let first_member = csv::Reader::from_path(d.path().join("members.csv"))
        .unwrap()
        .records()
        .next()
        .unwrap()
        .unwrap();
    let header = std::fs::read_to_string(d.path().join("members.csv")).unwrap();
    let id_at = header
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == "household_id")
        .unwrap();
    let gone = first_member[id_at].to_string();
    let hh = std::fs::read_to_string(src.join("households.csv")).unwrap();
    let kept: Vec<&str> = hh.lines().filter(|l| !l.contains(&gone)).collect();
    assert_eq!(kept.len(), hh.lines().count() - 1);
    std::fs::write(d.path().join("households.csv"), kept.join("\n") + "\n").unwrap();
    let e = rank_dir(d.path(), &model(), &b, None)
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("members.csv line 2, column household_id:") && e.contains(&gone),
        "{e}"
    );
}
