//! The shipped rules of the default catalogue (programs-default.md), evaluated on demand
//! for every household of the conformance data with the ranks of `expected/ranks.csv`,
//! give exactly the eligible units of `expected/eligibility.csv`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use selaras_batch::Regions;
use selaras_domain::programs::Catalogue;
use selaras_domain::registry::{Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::rules::{RankFacts, RecordFacts, Rule, Unit};
use selaras_domain::Date;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

/// Rows of a CSV file as maps by column name.
fn rows(p: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            header
                .iter()
                .cloned()
                .zip(x.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// A row in the column order of `cols`.
fn aligned(
    row: &HashMap<String, String>,
    cols: &[selaras_domain::registry::Column],
) -> Vec<String> {
    cols.iter()
        .map(|c| row.get(c.name).cloned().unwrap_or_default())
        .collect()
}

#[test]
fn default_rules_give_the_expected_eligible_units() {
    let data = fixtures().join("data");
    let as_of = Date::parse("2026-01-01").unwrap();
    let mut members: HashMap<String, Vec<Member>> = HashMap::new();
    for r in rows(&data.join("members.csv")) {
        let m = Member::from_row(&aligned(&r, MEMBER_COLUMNS), &Regions::default()).unwrap();
        members
            .entry(m.household_id.to_string())
            .or_default()
            .push(m);
    }
    let ranks: HashMap<String, RankFacts> = rows(&fixtures().join("expected/ranks.csv"))
        .into_iter()
        .map(|r| {
            let n = |k: &str| r[k].parse::<f64>().unwrap();
            (
                r["household_id"].clone(),
                RankFacts {
                    score: n("score"),
                    national_rank: n("national_rank") as u64,
                    national_percentile: n("national_percentile") as u64,
                    national_decile: n("national_decile") as u64,
                    province_decile: n("province_decile") as u64,
                    regency_decile: n("regency_decile") as u64,
                },
            )
        })
        .collect();
    let catalogue = Catalogue::shipped();
    let rules: Vec<(&str, Rule)> = catalogue
        .programs
        .iter()
        .map(|p| (p.code.as_str(), p.rule.clone()))
        .collect();

    let mut got = BTreeSet::new();
    let households = rows(&data.join("households.csv"));
    assert_eq!(households.len(), 600);
    for r in &households {
        let h = Household::from_row(&aligned(r, HOUSEHOLD_COLUMNS), &Regions::default()).unwrap();
        let id = h.id.to_string();
        let ms = members.remove(&id).unwrap_or_default();
        let facts = RecordFacts::new(&h, &ms, as_of, ranks.get(&id).copied());
        for (code, rule) in &rules {
            match rule.unit {
                Unit::Household => {
                    if rule.eval(&facts, None) == Some(true) {
                        got.insert((
                            code.to_string(),
                            "household".to_string(),
                            id.clone(),
                            String::new(),
                        ));
                    }
                }
                Unit::Member => {
                    for (k, nik) in facts.niks().iter().enumerate() {
                        if rule.eval(&facts, Some(k)) == Some(true) {
                            got.insert((
                                code.to_string(),
                                "member".to_string(),
                                id.clone(),
                                nik.clone(),
                            ));
                        }
                    }
                }
            }
        }
    }
    let want: BTreeSet<(String, String, String, String)> =
        rows(&fixtures().join("expected/eligibility.csv"))
            .into_iter()
            .map(|r| {
                (
                    r["program"].clone(),
                    r["unit"].clone(),
                    r["household_id"].clone(),
                    r["nik"].clone(),
                )
            })
            .collect();
    let missing: Vec<_> = want.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&want).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{} expected, {} got; missing e.g. {missing:?}; extra e.g. {extra:?}",
        want.len(),
        got.len()
    );
    // Every program has eligible units in the vectors: none is trivially empty.
    for (code, _) in &rules {
        assert!(got.iter().any(|g| g.0 == *code), "{code}");
    }
}

/// `selaras eligibility`'s engine on the conformance data writes exactly the expected
/// summary.csv and the expected eligible units.
#[test]
fn batch_run_writes_the_expected_files() {
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    let programs = Catalogue::shipped().programs.clone();
    let out = tempfile::tempdir().unwrap();
    let sums = selaras_batch::eligibility::eligibility_dir(
        &fixtures().join("data"),
        &model,
        &programs,
        Date::parse("2026-01-01").unwrap(),
        out.path(),
    )
    .unwrap();
    assert_eq!(sums.len(), 9);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap().replace("\r\n", "\n");
    assert_eq!(
        read(&out.path().join("summary.csv")),
        read(&fixtures().join("expected/summary.csv"))
    );
    // As records: the expected file quotes some empty NIKs (`""`), not others.
    let set = |p: &Path| -> BTreeSet<Vec<String>> {
        rows(p)
            .into_iter()
            .map(|r| {
                ["program", "unit", "household_id", "nik"]
                    .iter()
                    .map(|k| r[*k].clone())
                    .collect()
            })
            .collect()
    };
    let (got, want) = (
        set(&out.path().join("eligibility.csv")),
        set(&fixtures().join("expected/eligibility.csv")),
    );
    assert_eq!(got.len(), want.len());
    assert!(
        got == want,
        "{:?}",
        got.symmetric_difference(&want).take(5).collect::<Vec<_>>()
    );
}

/// Batch and on-demand evaluation agree on every household of a generated set: the batch
/// over the files, on demand over each household read back from the registry with its
/// ranks from a stored ranking edition (SQLite and, when configured, PostgreSQL).
#[tokio::test]
async fn batch_and_on_demand_agree_on_a_generated_set() {
    use selaras_batch::editions::{rank_registry, stored_model};
    use selaras_batch::import::{import_dir, ImportOptions};

    let d = tempfile::tempdir().unwrap();
    let cfg = selaras_synth::GenConfig {
        households: 400,
        seed: 9,
        regions: vec![selaras_domain::RegionScope::parse("33.14").unwrap()],
        ..Default::default()
    };
    selaras_synth::generate_to_dir(&cfg, d.path(), &|_| {}).unwrap();
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    let as_of = Date::parse("2026-01-01").unwrap();
    let catalogue = Catalogue::shipped();
    let out = tempfile::tempdir().unwrap();
    selaras_batch::eligibility::eligibility_dir(
        d.path(),
        &model,
        &catalogue.programs,
        as_of,
        out.path(),
    )
    .unwrap();
    let batch: BTreeSet<Vec<String>> = rows(&out.path().join("eligibility.csv"))
        .into_iter()
        .map(|r| {
            ["program", "unit", "household_id", "nik"]
                .iter()
                .map(|k| r[*k].clone())
                .collect()
        })
        .collect();
    assert!(batch.len() > 100, "{}", batch.len());

    for t in selaras_store::testing::stores().await {
        let r = import_dir(
            t.store.clone(),
            Regions::default(),
            d.path(),
            ImportOptions::default(),
            None,
        )
        .await
        .unwrap();
        assert_eq!(r.rejected, 0);
        t.store
            .put_model(&stored_model(&model, "uji", "2026-01-01"))
            .await
            .unwrap();
        let e = rank_registry(
            &*t.store,
            &model.id,
            None,
            &out.path().join("r.csv"),
            "uji",
            None,
        )
        .await
        .unwrap();
        let mut on_demand = BTreeSet::new();
        let ids: Vec<String> = rows(&d.path().join("households.csv"))
            .into_iter()
            .map(|r| r["household_id"].clone())
            .collect();
        for id in &ids {
            let rec = t.store.household(id).await.unwrap().unwrap();
            let rank = t
                .store
                .household_ranks(id)
                .await
                .unwrap()
                .into_iter()
                .find(|(ed, _)| ed.id == e.id)
                .and_then(|(_, r)| r.rank_facts());
            let members: Vec<Member> = rec.members.iter().map(|m| m.member.clone()).collect();
            let facts = RecordFacts::new(&rec.household, &members, as_of, rank);
            for p in &catalogue.programs {
                match p.unit {
                    Unit::Household => {
                        if p.rule.eval(&facts, None) == Some(true) {
                            on_demand.insert(vec![
                                p.code.clone(),
                                "household".into(),
                                id.clone(),
                                String::new(),
                            ]);
                        }
                    }
                    Unit::Member => {
                        for (k, nik) in facts.niks().iter().enumerate() {
                            if p.rule.eval(&facts, Some(k)) == Some(true) {
                                on_demand.insert(vec![
                                    p.code.clone(),
                                    "member".into(),
                                    id.clone(),
                                    nik.clone(),
                                ]);
                            }
                        }
                    }
                }
            }
        }
        assert!(
            on_demand == batch,
            "{}: {} on demand vs {} batch; differ e.g. {:?}",
            t.name,
            on_demand.len(),
            batch.len(),
            on_demand
                .symmetric_difference(&batch)
                .take(3)
                .collect::<Vec<_>>()
        );
    }
}

/// The regency gaps add up to the national summary, every household has one combination,
/// and a quota selects the poorest eligible households first, the rest waiting in order.
#[test]
fn gaps_by_regency_combinations_and_quotas() {
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    let text = selaras_domain::programs::DEFAULT_CATALOGUE.replacen(
        "\"quotas\": {}",
        "\"quotas\": {\"33\": 5}",
        2,
    );
    let catalogue = Catalogue::from_json(&text).unwrap();
    assert_eq!(catalogue.programs[1].code, "bpnt");
    let out = tempfile::tempdir().unwrap();
    let sums = selaras_batch::eligibility::eligibility_dir(
        &fixtures().join("data"),
        &model,
        &catalogue.programs,
        Date::parse("2026-01-01").unwrap(),
        out.path(),
    )
    .unwrap();

    let gaps = rows(&out.path().join("gaps_by_regency.csv"));
    for s in sums.iter().filter(|s| s.enrolled_households.is_some()) {
        let total = |col: &str| -> u64 {
            gaps.iter()
                .filter(|g| g["program"] == s.program)
                .map(|g| g[col].parse::<u64>().unwrap())
                .sum()
        };
        assert_eq!(
            total("eligible_households"),
            s.eligible_households,
            "{}",
            s.program
        );
        assert_eq!(
            Some(total("eligible_not_enrolled")),
            s.eligible_not_enrolled
        );
        assert_eq!(
            Some(total("enrolled_not_eligible")),
            s.enrolled_not_eligible
        );
    }
    let combos = rows(&out.path().join("combinations.csv"));
    let households: u64 = combos
        .iter()
        .map(|c| c["households"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(households, 600);
    assert!(combos.iter().any(|c| c["programs_received"] == "none"));
    assert!(combos.iter().any(|c| c["programs_received"].contains('+')));

    // BPNT in province 33, quota 5: the 5 lowest national ranks among its eligible households.
    let ranks: HashMap<String, u64> = rows(&fixtures().join("expected/ranks.csv"))
        .into_iter()
        .map(|r| {
            (
                r["household_id"].clone(),
                r["national_rank"].parse::<f64>().unwrap() as u64,
            )
        })
        .collect();
    let regions: HashMap<String, String> = rows(&fixtures().join("data/households.csv"))
        .into_iter()
        .map(|r| (r["household_id"].clone(), r["region_code"].clone()))
        .collect();
    let mut eligible: Vec<(u64, String)> = rows(&fixtures().join("expected/eligibility.csv"))
        .into_iter()
        .filter(|r| r["program"] == "bpnt" && regions[&r["household_id"]].starts_with("33."))
        .map(|r| (ranks[&r["household_id"]], r["household_id"].clone()))
        .collect();
    eligible.sort();
    assert!(eligible.len() > 5, "{}", eligible.len());
    let quota: Vec<HashMap<String, String>> = rows(&out.path().join("quota.csv"))
        .into_iter()
        .filter(|q| q["program"] == "bpnt")
        .collect();
    assert_eq!(quota.len(), eligible.len());
    for (i, q) in quota.iter().enumerate() {
        assert_eq!(q["household_id"], eligible[i].1, "row {i}");
        let (status, pos) = if i < 5 {
            ("selected", i + 1)
        } else {
            ("waiting", i - 4)
        };
        assert_eq!(
            (
                q["status"].as_str(),
                q["position"].parse::<usize>().unwrap()
            ),
            (status, pos)
        );
    }
}

/// A bad value in a column only the rules' reading sees (not the ranking) stops the run
/// with the first bad row in file order, its line and its column, though rows are parsed
/// in parallel.
#[test]
fn a_bad_row_is_named_by_line_and_column() {
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    for f in ["households.csv", "members.csv"] {
        std::fs::copy(fixtures().join("data").join(f), data.path().join(f)).unwrap();
    }
    let path = data.path().join("members.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|c| *c == "marital_status").unwrap();
    for line in [900usize, 40] {
        // Lines are 1-based; the conformance rows have no quoted commas before the column.
        let mut fields: Vec<String> = lines[line - 1].split(',').map(String::from).collect();
        fields[col] = "bujang".into();
        lines[line - 1] = fields.join(",");
    }
    std::fs::write(&path, lines.join("\r\n") + "\r\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let err = selaras_batch::eligibility::eligibility_dir(
        data.path(),
        &model,
        &Catalogue::shipped().programs,
        Date::parse("2026-01-01").unwrap(),
        out.path(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("members.csv line 40, column marital_status:"),
        "{err}"
    );
}

/// Members grouped in households.csv's order are streamed beside the households;
/// shuffled, they are gathered first: both give the same files, byte for byte.
#[test]
fn members_in_any_order_give_the_same_files() {
    let d = tempfile::tempdir().unwrap();
    let cfg = selaras_synth::GenConfig {
        households: 300,
        seed: 12,
        ..Default::default()
    };
    selaras_synth::generate_to_dir(&cfg, d.path(), &|_| {}).unwrap();
    let model = selaras_domain::pmt::Model::from_json(
        &std::fs::read_to_string(fixtures().join("model.json")).unwrap(),
    )
    .unwrap();
    // A quota, so that quota.csv is compared too.
    let mut programs = Catalogue::shipped().programs.clone();
    programs[1].quotas = vec![(selaras_domain::RegionCode::parse("33").unwrap(), 3)];
    let as_of = Date::parse("2026-01-01").unwrap();
    let run = |dir: &Path| {
        let frame = selaras_targeting::Frame::read_dir(dir, &model, None).unwrap();
        let out = tempfile::tempdir().unwrap();
        selaras_batch::eligibility::eligibility_dir(dir, &model, &programs, as_of, out.path())
            .unwrap();
        (frame.members_in_order(), out)
    };
    let (in_order, a) = run(d.path());
    assert!(in_order);

    let shuffled = tempfile::tempdir().unwrap();
    std::fs::copy(
        d.path().join("households.csv"),
        shuffled.path().join("households.csv"),
    )
    .unwrap();
    let text = std::fs::read_to_string(d.path().join("members.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    // A fixed permutation: every seventh line first, then the rest reversed.
    let (mut first, mut rest): (Vec<_>, Vec<_>) =
        lines.iter().enumerate().partition(|(i, _)| i % 7 == 0);
    rest.reverse();
    first.append(&mut rest);
    let body: Vec<&str> = first.into_iter().map(|(_, l)| *l).collect();
    std::fs::write(
        shuffled.path().join("members.csv"),
        format!("{header}\n{}\n", body.join("\n")),
    )
    .unwrap();
    let (in_order, b) = run(shuffled.path());
    assert!(!in_order);
    let read = |d: &tempfile::TempDir, f: &str| std::fs::read_to_string(d.path().join(f)).unwrap();
    // Within a household, members are listed in the order given: compare as sets.
    let sorted = |t: String| {
        let mut l: Vec<String> = t.lines().map(String::from).collect();
        l.sort();
        l
    };
    let x = sorted(read(&a, "eligibility.csv"));
    assert!(x.len() > 100, "{}", x.len());
    assert!(x == sorted(read(&b, "eligibility.csv")));
    for f in [
        "summary.csv",
        "gaps_by_regency.csv",
        "combinations.csv",
        "quota.csv",
    ] {
        let x = read(&a, f);
        assert!(x.lines().count() > 2, "{f} is empty");
        assert!(x == read(&b, f), "{f} differs");
    }
}
