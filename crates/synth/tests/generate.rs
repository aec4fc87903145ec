//! End-to-end checks of generated data sets: determinism, validity against the domain's
//! row validators and the real region table, and distributions that make the data realistic.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use selaras_domain::codes::{EducationLevel, MaritalStatus, Relation, SchoolParticipation, Sex};
use selaras_domain::region::{RegionCode, RegionLevel, RegionScope};
use selaras_domain::registry::{
    Household, Member, RegionLookup, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS,
};
use selaras_domain::Date;
use selaras_regions::RegionTable;
use selaras_synth::{
    generate_to_dir, generate_to_dir_with_workers, GenConfig, GenError, GenSummary, POVERTY_LINE,
};

/// The region table as the domain's validators ask it.
struct Lookup(&'static RegionTable);

impl RegionLookup for Lookup {
    fn is_known_village(&self, code: &RegionCode) -> bool {
        code.level() == RegionLevel::Village && self.0.contains(code)
    }
    fn is_known_district_digits(&self, digits: &[u8; 6]) -> bool {
        self.0.is_known_district_digits(digits)
    }
}

fn scopes(prefixes: &[&str]) -> Vec<RegionScope> {
    prefixes
        .iter()
        .map(|p| RegionScope::parse(p).unwrap())
        .collect()
}

fn config(households: u64, seed: u64, prefixes: &[&str]) -> GenConfig {
    GenConfig {
        households,
        seed,
        regions: scopes(prefixes),
        ..GenConfig::default()
    }
}

/// The three files' bytes.
struct DataSet {
    summary: GenSummary,
    households: Vec<u8>,
    members: Vec<u8>,
    consumption: Vec<u8>,
}

fn generate(cfg: &GenConfig, workers: Option<usize>) -> DataSet {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/out");
    let summary = match workers {
        Some(w) => generate_to_dir_with_workers(cfg, &out, w, &|_| {}),
        None => generate_to_dir(cfg, &out, &|_| {}),
    }
    .unwrap();
    let read = |name: &str| std::fs::read(out.join(name)).unwrap();
    DataSet {
        summary,
        households: read("households.csv"),
        members: read("members.csv"),
        consumption: read("consumption.csv"),
    }
}

fn rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().from_reader(bytes);
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// A national data set shared by the validity and distribution tests.
fn national() -> &'static DataSet {
    static D: OnceLock<DataSet> = OnceLock::new();
    D.get_or_init(|| generate(&config(4000, 2026, &[]), Some(2)))
}

#[test]
fn same_arguments_same_bytes_any_thread_count() {
    let cfg = config(1500, 7, &["32", "73.71", "94"]);
    let a = generate(&cfg, Some(1));
    let b = generate(&cfg, Some(3));
    let c = generate(&cfg, None);
    for other in [&b, &c] {
        assert_eq!(a.summary, other.summary);
        assert!(a.households == other.households, "households.csv differs");
        assert!(a.members == other.members, "members.csv differs");
        assert!(
            a.consumption == other.consumption,
            "consumption.csv differs"
        );
    }
    let d = generate(&config(1500, 8, &["32", "73.71", "94"]), Some(2));
    assert!(a.households != d.households);
    assert!(a.members != d.members);
    assert!(a.consumption != d.consumption);

    // Another reference date moves every birth date relative to it.
    let mut later = cfg.clone();
    later.reference_date = Date::from_ymd(2030, 6, 1).unwrap();
    assert!(generate(&later, Some(2)).members != a.members);
}

#[test]
fn unknown_prefix_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = generate_to_dir(&config(10, 1, &["32", "99"]), dir.path(), &|_| {}).unwrap_err();
    match &err {
        GenError::NoVillages { prefixes } => assert_eq!(prefixes, &["99".to_string()]),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(err.to_string().contains("99"), "{err}");
    assert!(!err.to_string().contains("32"), "{err}");
    // Nothing is written when the plan fails.
    assert!(!dir.path().join("households.csv").exists());
}

#[test]
fn zero_households_writes_headers_only() {
    let d = generate(&config(0, 1, &["11"]), Some(2));
    assert_eq!(d.summary.households, 0);
    assert_eq!(rows(&d.households).1.len(), 0);
    assert_eq!(d.consumption, b"household_id,per_capita_consumption\n");
}

/// Every row passes the domain's validators; identifiers are unique; each household has
/// exactly one head; members belong to existing households; regions are in scope and in
/// both versions of the table.
fn check_valid(d: &DataSet, prefixes: &[&str]) {
    let table = RegionTable::embedded();
    let lookup = Lookup(table);
    let scopes = scopes(prefixes);

    let (hh_header, hh_rows) = rows(&d.households);
    let names: Vec<&str> = HOUSEHOLD_COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(hh_header, names);
    assert_eq!(hh_rows.len() as u64, d.summary.households);
    let mut ids = HashSet::new();
    let mut villages = HashSet::new();
    for row in &hh_rows {
        let h = Household::from_row(row, &lookup)
            .unwrap_or_else(|e| panic!("household row {row:?}: {e:?}"));
        assert!(
            ids.insert(h.id.as_str().to_owned()),
            "duplicate id {}",
            h.id
        );
        let id = h.id.as_str();
        assert!(id.len() == 17 && id.starts_with('H'));
        assert!(id[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let region = table.get(&h.region).unwrap();
        assert!(region.in_v3 && region.in_v4, "{}", h.region);
        assert!(
            scopes.is_empty() || scopes.iter().any(|s| s.contains(&h.region)),
            "{} outside {prefixes:?}",
            h.region
        );
        villages.insert(h.region);
        assert_eq!(h.exit, None);
        if let (Some(lat), Some(lon)) = (h.latitude, h.longitude) {
            assert!((-11.0..=6.0).contains(&lat) && (95.0..=141.0).contains(&lon));
        } else {
            assert_eq!(h.latitude.is_none(), h.longitude.is_none());
        }
        let survey = h.survey_date.map(|s| s.days_since_epoch());
        let reference = GenConfig::default().reference_date.days_since_epoch();
        if let Some(s) = survey {
            assert!(s <= reference && s > reference - 3 * 366, "{row:?}");
        }
        let addr = h.address.as_deref().unwrap();
        assert!(addr.contains(", RT ") && addr.contains("/RW "), "{addr}");
    }
    assert_eq!(villages.len(), d.summary.villages);

    let (c_header, c_rows) = rows(&d.consumption);
    assert_eq!(c_header, ["household_id", "per_capita_consumption"]);
    assert_eq!(c_rows.len(), hh_rows.len());
    for (c, h) in c_rows.iter().zip(&hh_rows) {
        assert_eq!(c[0], h[0], "consumption rows follow households.csv");
        assert!(c[1].parse::<i64>().unwrap() > 0);
    }

    let (m_header, m_rows) = rows(&d.members);
    let names: Vec<&str> = MEMBER_COLUMNS.iter().map(|c| c.name).collect();
    assert_eq!(m_header, names);
    assert_eq!(m_rows.len() as u64, d.summary.members);
    let mut niks = HashSet::new();
    let mut heads: HashMap<String, u32> = HashMap::new();
    let mut kk_household: HashMap<u64, String> = HashMap::new();
    for row in &m_rows {
        let m =
            Member::from_row(row, &lookup).unwrap_or_else(|e| panic!("member row {row:?}: {e:?}"));
        assert!(ids.contains(m.household_id.as_str()), "{row:?}");
        assert!(niks.insert(m.nik), "duplicate NIK {}", m.nik);
        if m.relation == Relation::Head {
            *heads.entry(m.household_id.as_str().to_owned()).or_default() += 1;
        }
        let home = kk_household
            .entry(m.kk_number.as_u64())
            .or_insert_with(|| m.household_id.as_str().to_owned());
        assert_eq!(home, m.household_id.as_str(), "a KK spans two households");
        assert_eq!(m.exit, None);
    }
    assert_eq!(heads.len(), ids.len(), "every household has a head");
    assert!(heads.values().all(|n| *n == 1), "exactly one head each");
}

#[test]
fn national_rows_are_valid() {
    check_valid(national(), &[]);
}

#[test]
fn scoped_rows_are_valid_and_in_scope() {
    let prefixes = ["32.01", "53", "94", "31.71.01"];
    let d = generate(&config(2500, 99, &prefixes), Some(2));
    check_valid(&d, &prefixes);
}

/// Many households in one district: NIK serial counters see many people per birth date.
#[test]
fn niks_unique_in_a_dense_district() {
    let d = generate(&config(6000, 5, &["32.01.01"]), Some(2));
    let (_, m) = rows(&d.members);
    let mut seen = HashSet::new();
    let mut movers = 0;
    for r in &m {
        assert!(seen.insert(r[1].clone()), "duplicate NIK {}", r[1]);
        if !r[1].starts_with("320101") {
            movers += 1;
        }
        assert!(r[2].starts_with("320101"), "KK of the household's district");
    }
    assert!(movers > 0, "some people moved in from other districts");
    assert!(movers < m.len() / 4);
}

fn age_on(birth: &str, on: Date) -> i32 {
    Date::parse(birth).unwrap().age_on(on)
}

#[test]
fn people_are_consistent() {
    let d = national();
    let (_, m) = rows(&d.members);
    let reference = GenConfig::default().reference_date;
    let lookup = Lookup(RegionTable::embedded());
    let members: Vec<Member> = m
        .iter()
        .map(|r| Member::from_row(r, &lookup).unwrap())
        .collect();
    let mut by_household: HashMap<&str, Vec<&Member>> = HashMap::new();
    for x in &members {
        by_household
            .entry(x.household_id.as_str())
            .or_default()
            .push(x);
    }
    let min_age = |e: EducationLevel| match e {
        EducationLevel::None => 0,
        EducationLevel::Sd => 12,
        EducationLevel::Smp => 15,
        EducationLevel::Sma => 18,
        EducationLevel::Diploma => 21,
        EducationLevel::Bachelor => 22,
        EducationLevel::Postgraduate => 24,
    };
    let mut spouses = 0;
    for people in by_household.values() {
        let head = people
            .iter()
            .find(|p| p.relation == Relation::Head)
            .unwrap();
        let head_age = head.age_on(reference);
        assert!(people.len() <= 12);
        // The mother of the head's children: the female head, or the male head's wife.
        let mother = if head.sex == Sex::F {
            Some(head)
        } else {
            people
                .iter()
                .find(|p| p.relation == Relation::Spouse && p.sex == Sex::F)
        };
        if people.iter().any(|p| p.relation == Relation::Spouse) {
            spouses += 1;
        }
        for p in people {
            let age = p.age_on(reference);
            assert!((0..=100).contains(&age), "{p:?}");
            if p.relation == Relation::Child {
                assert!(head_age - age >= 12, "child {p:?} of head {head:?}");
                if let Some(mo) = mother {
                    let gap = mo.age_on(reference) - age;
                    assert!((16..=45).contains(&gap), "mother {mo:?} child {p:?}");
                }
            }
            if age < 15 {
                assert_eq!(p.marital_status, MaritalStatus::Single, "{p:?}");
            }
            if p.pregnant == Some(true) {
                assert_eq!(p.sex, Sex::F);
                assert!((15..=49).contains(&age), "{p:?}");
            }
            assert!(age >= min_age(p.education_level), "{p:?}");
            if age < 5 {
                assert_eq!(p.school_participation, SchoolParticipation::Never);
            }
            if (7..=12).contains(&age) && p.school_participation == SchoolParticipation::Attending {
                assert!(p.education_level <= EducationLevel::Sd, "{p:?}");
            }
            assert_eq!(p.working, p.sector.is_some(), "{p:?}");
            assert_eq!(p.working, p.employment_status.is_some(), "{p:?}");
            if p.working {
                assert!(age >= 10, "{p:?}");
            }
            if p.severe_disability == Some(true) {
                assert_ne!(p.disability, selaras_domain::codes::Disability::None);
            }
        }
        let kks: HashSet<u64> = people.iter().map(|p| p.kk_number.as_u64()).collect();
        assert!((1..=3).contains(&kks.len()));
    }
    assert!(spouses as f64 > 0.6 * by_household.len() as f64);
    let disabled = members
        .iter()
        .filter(|p| p.disability != selaras_domain::codes::Disability::None)
        .count() as f64
        / members.len() as f64;
    assert!((0.01..0.1).contains(&disabled), "{disabled}");
}

/// Least squares by the normal equations, solved with Gauss–Jordan elimination; returns R².
fn r_squared(x: &[Vec<f64>], y: &[f64]) -> f64 {
    let k = x[0].len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (xi, yi) in x.iter().zip(y) {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += xi[i] * xi[j];
            }
            a[i][k] += xi[i] * yi;
        }
    }
    for c in 0..k {
        let p = (c..k)
            .max_by(|r1, r2| a[*r1][c].abs().total_cmp(&a[*r2][c].abs()))
            .unwrap();
        a.swap(c, p);
        assert!(a[c][c].abs() > 1e-9, "singular design");
        let pivot = a[c].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != c {
                let f = row[c] / pivot[c];
                for (x, p) in row[c..].iter_mut().zip(&pivot[c..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let beta: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let sst: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let sse: f64 = x
        .iter()
        .zip(y)
        .map(|(xi, yi)| (yi - xi.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>()).powi(2))
        .sum();
    1.0 - sse / sst
}

#[test]
fn distributions_are_realistic() {
    let d = national();
    let (h_header, h) = rows(&d.households);
    let (_, m) = rows(&d.members);
    let (_, c) = rows(&d.consumption);
    let col = |name: &str| h_header.iter().position(|x| x == name).unwrap();
    let reference = GenConfig::default().reference_date;
    let n = h.len() as f64;

    let pcc: HashMap<&str, i64> = c
        .iter()
        .map(|r| (r[0].as_str(), r[1].parse().unwrap()))
        .collect();
    let poor = |id: &str| pcc[id] < POVERTY_LINE;
    let poor_share = h.iter().filter(|r| poor(&r[0])).count() as f64 / n;
    assert!(
        (0.07..=0.13).contains(&poor_share),
        "poverty share {poor_share}"
    );
    assert_eq!(
        d.summary.below_poverty_line,
        h.iter().filter(|r| poor(&r[0])).count() as u64
    );

    let mut size: HashMap<&str, usize> = HashMap::new();
    let mut school_child: HashSet<&str> = HashSet::new();
    for r in &m {
        *size.entry(r[0].as_str()).or_default() += 1;
        let age = age_on(&r[6], reference);
        if (6..=21).contains(&age) && r[12] == "attending" {
            school_child.insert(r[0].as_str());
        }
    }
    let mean_size = m.len() as f64 / n;
    assert!((3.3..=4.5).contains(&mean_size), "mean size {mean_size}");

    // A small proxy-means test.
    let x: Vec<Vec<f64>> = h
        .iter()
        .map(|r| {
            let s = size[r[0].as_str()] as f64;
            let is =
                |name: &str, codes: &[&str]| codes.contains(&r[col(name)].as_str()) as u8 as f64;
            let flag = |name: &str| (r[col(name)] == "1") as u8 as f64;
            vec![
                1.0,
                s.ln(),
                r[col("floor_area_m2")].parse::<f64>().unwrap() / s,
                is(
                    "floor_type",
                    &["ceramic", "marble_granite", "parquet_vinyl"],
                ),
                is("floor_type", &["earth", "bamboo", "wood_low"]),
                is("wall_type", &["masonry"]),
                is("cooking_fuel", &["firewood", "kerosene", "charcoal"]),
                is("toilet", &["private"]),
                flag("has_refrigerator"),
                flag("has_motorcycle"),
                flag("has_car"),
                flag("has_air_conditioner"),
            ]
        })
        .collect();
    let y: Vec<f64> = h.iter().map(|r| (pcc[r[0].as_str()] as f64).ln()).collect();
    let r2 = r_squared(&x, &y);
    eprintln!("poverty share {poor_share:.4}, mean size {mean_size:.3}, PMT R² {r2:.3}");
    assert!(r2 > 0.3, "R² {r2}");
    assert!(r2 < 0.8, "R² {r2}: too easy to be realistic");

    // Programs.
    let rate = |flag: &str, pick: &dyn Fn(&Vec<String>) -> bool| {
        let sel: Vec<&Vec<String>> = h.iter().filter(|r| pick(r)).collect();
        sel.iter().filter(|r| r[col(flag)] == "1").count() as f64 / sel.len() as f64
    };
    let pkh_poor = rate("in_pkh", &|r| poor(&r[0]));
    let pkh_rich = rate("in_pkh", &|r| !poor(&r[0]));
    assert!(pkh_poor > 2.0 * pkh_rich, "PKH {pkh_poor} vs {pkh_rich}");
    assert!(pkh_poor < 0.8, "PKH misses part of the poor: {pkh_poor}");
    let kis = rate("in_kis_pbi", &|_| true);
    assert!((0.3..=0.5).contains(&kis), "KIS-PBI {kis}");
    for r in &h {
        if r[col("in_kip")] == "1" {
            assert!(school_child.contains(r[0].as_str()), "KIP without a pupil");
        }
    }
    let unknown = h.iter().filter(|r| r[col("in_pkh")].is_empty()).count() as f64 / n;
    assert!(unknown > 0.0 && unknown < 0.1);
}
