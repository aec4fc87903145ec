//! Each program of the shipped catalogue on hand-built households at the edges of its
//! rule (programs-default.md): ages on their boundaries (whole years at `as_of`),
//! percentile and decile boundaries, unknown flags, exited members, unranked households.

use std::collections::HashMap;
use std::path::Path;

use selaras_batch::Regions;
use selaras_domain::codes::*;
use selaras_domain::programs::Catalogue;
use selaras_domain::registry::{Household, Member, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_domain::rules::{RankFacts, RecordFacts, Unit};
use selaras_domain::Date;

const AS_OF: &str = "2026-01-01";

/// A household and a member read from the conformance files, as templates.
fn templates() -> (Household, Member) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance/data");
    let first = |file: &str, cols: &[selaras_domain::registry::Column]| -> Vec<String> {
        let mut r = csv::Reader::from_path(dir.join(file)).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let row: HashMap<String, String> = header
            .into_iter()
            .zip(
                r.records()
                    .next()
                    .unwrap()
                    .unwrap()
                    .iter()
                    .map(String::from),
            )
            .collect();
        cols.iter()
            .map(|c| row.get(c.name).cloned().unwrap_or_default())
            .collect()
    };
    let h = Household::from_row(
        &first("households.csv", HOUSEHOLD_COLUMNS),
        &Regions::default(),
    )
    .unwrap();
    let m = Member::from_row(&first("members.csv", MEMBER_COLUMNS), &Regions::default()).unwrap();
    (h, m)
}

/// An adult head who does not work, attends no school and has no disability; aged
/// `age` on AS_OF exactly (born that day), or a day short of it with `day_short`.
fn person(t: &Member, age: i32, day_short: bool) -> Member {
    let mut m = t.clone();
    let born = Date::parse(&format!(
        "{}-01-0{}",
        2026 - age,
        if day_short { 2 } else { 1 }
    ))
    .unwrap();
    m.birth_date = born;
    m.relation = Relation::Head;
    m.pregnant = Some(false);
    m.severe_disability = Some(false);
    m.disability = Disability::None;
    m.school_participation = SchoolParticipation::Stopped;
    m.education_level = EducationLevel::Sma;
    m.working = false;
    m.sector = None;
    m.employment_status = None;
    m.exit = None;
    m
}

fn rank(percentile: u64) -> Option<RankFacts> {
    Some(RankFacts {
        score: 12.0,
        national_rank: percentile * 10,
        national_percentile: percentile,
        national_decile: percentile.div_ceil(10),
        province_decile: percentile.div_ceil(10),
        regency_decile: percentile.div_ceil(10),
    })
}

/// The program's verdict: for a household program one value; for a member program
/// whether each active member is eligible.
fn judge(code: &str, h: &Household, ms: &[Member], rank: Option<RankFacts>) -> Vec<bool> {
    let p = Catalogue::shipped().program(code).unwrap();
    let facts = RecordFacts::new(h, ms, Date::parse(AS_OF).unwrap(), rank);
    match p.unit {
        Unit::Household => vec![p.rule.eval(&facts, None) == Some(true)],
        Unit::Member => (0..ms.iter().filter(|m| m.exit.is_none()).count())
            .map(|k| p.rule.eval(&facts, Some(k)) == Some(true))
            .collect(),
    }
}

#[test]
fn pkh_percentile_and_member_conditions() {
    let (h, t) = templates();
    let adult = person(&t, 40, false);
    let with = |f: &dyn Fn(&mut Member)| {
        let mut m = person(&t, 40, false);
        m.relation = Relation::Child;
        f(&mut m);
        vec![adult.clone(), m]
    };
    let child6 = with(&|m| *m = person(m, 6, false));
    assert_eq!(judge("pkh", &h, &child6, rank(15)), [true]);
    assert_eq!(
        judge("pkh", &h, &child6, rank(16)),
        [false],
        "percentile 16"
    );
    assert_eq!(judge("pkh", &h, &child6, None), [false], "unranked");
    // 7–18 counts too; 19 does not; 70 does, 69 does not.
    assert_eq!(
        judge("pkh", &h, &with(&|m| *m = person(m, 18, false)), rank(1)),
        [true]
    );
    assert_eq!(
        judge("pkh", &h, &with(&|m| *m = person(m, 19, false)), rank(1)),
        [false]
    );
    assert_eq!(
        judge("pkh", &h, &with(&|m| *m = person(m, 70, false)), rank(1)),
        [true]
    );
    assert_eq!(
        judge("pkh", &h, &with(&|m| *m = person(m, 70, true)), rank(1)),
        [false],
        "a day short of 70"
    );
    // Pregnancy, severe disability; an unknown flag does not qualify.
    assert_eq!(
        judge("pkh", &h, &with(&|m| m.pregnant = Some(true)), rank(1)),
        [true]
    );
    assert_eq!(
        judge("pkh", &h, &with(&|m| m.pregnant = None), rank(1)),
        [false]
    );
    assert_eq!(
        judge(
            "pkh",
            &h,
            &with(&|m| m.severe_disability = Some(true)),
            rank(1)
        ),
        [true]
    );
    assert_eq!(
        judge("pkh", &h, &with(&|m| m.severe_disability = None), rank(1)),
        [false]
    );
    // An exited child does not count.
    let gone = with(&|m| {
        *m = person(m, 3, false);
        m.exit = Some(ExitState::Moved);
    });
    assert_eq!(judge("pkh", &h, &gone, rank(1)), [false]);
}

#[test]
fn bpnt_percentile_boundary() {
    let (h, t) = templates();
    let ms = [person(&t, 40, false)];
    assert_eq!(judge("bpnt", &h, &ms, rank(25)), [true]);
    assert_eq!(judge("bpnt", &h, &ms, rank(26)), [false]);
    assert_eq!(judge("bpnt", &h, &ms, None), [false]);
}

#[test]
fn rs_rtlh_needs_own_house_and_two_of_four() {
    let (mut h, t) = templates();
    let ms = [person(&t, 40, false), person(&t, 38, false)];
    h.ownership = Ownership::Own;
    h.floor_type = FloorType::Earth;
    h.wall_type = WallType::Bamboo;
    h.roof_type = RoofType::ClayTile;
    h.floor_area_m2 = 40.0; // 20 m² each
    assert_eq!(
        judge("rs_rtlh", &h, &ms, rank(40)),
        [true],
        "two of four, decile 4"
    );
    assert_eq!(judge("rs_rtlh", &h, &ms, rank(41)), [false], "decile 5");
    let mut rented = h.clone();
    rented.ownership = Ownership::Rent;
    assert_eq!(judge("rs_rtlh", &rented, &ms, rank(40)), [false]);
    let mut one = h.clone();
    one.wall_type = WallType::Wood;
    assert_eq!(
        judge("rs_rtlh", &one, &ms, rank(40)),
        [false],
        "one of four"
    );
    // Floor area per capita: 8 m² is not below 8; 7.9 is.
    one.floor_area_m2 = 16.0;
    assert_eq!(judge("rs_rtlh", &one, &ms, rank(40)), [false]);
    one.floor_area_m2 = 15.8;
    assert_eq!(judge("rs_rtlh", &one, &ms, rank(40)), [true]);
}

#[test]
fn kis_pbi_every_active_member_of_deciles_one_to_four() {
    let (h, t) = templates();
    let mut gone = person(&t, 30, false);
    gone.exit = Some(ExitState::Deceased);
    let ms = [person(&t, 40, false), person(&t, 2, false), gone];
    assert_eq!(judge("kis_pbi", &h, &ms, rank(40)), [true, true]);
    assert_eq!(judge("kis_pbi", &h, &ms, rank(41)), [false, false]);
    assert_eq!(judge("kis_pbi", &h, &ms, None), [false, false]);
}

#[test]
fn kip_ages_six_to_twenty_one_in_school_or_dropped_out_early() {
    let (h, t) = templates();
    let school = |age: i32, short: bool, sp: SchoolParticipation, ed: EducationLevel| {
        let mut m = person(&t, age, short);
        m.relation = Relation::Child;
        m.school_participation = sp;
        m.education_level = ed;
        m
    };
    use EducationLevel as E;
    use SchoolParticipation as S;
    let ms = [
        school(6, false, S::Attending, E::Sd),
        school(6, true, S::Attending, E::None),
        school(21, false, S::Attending, E::Sma),
        school(22, false, S::Attending, E::Sma),
        school(15, false, S::Stopped, E::Smp),
        school(15, false, S::Stopped, E::Sma),
        school(10, false, S::Never, E::None),
    ];
    assert_eq!(
        judge("kip", &h, &ms, rank(40)),
        [true, false, true, false, true, false, false]
    );
    assert!(judge("kip", &h, &ms, rank(41)).iter().all(|x| !x));
}

#[test]
fn aslut_sixty_and_over_not_working_deciles_one_to_three() {
    let (h, t) = templates();
    let mut working = person(&t, 75, false);
    working.working = true;
    let ms = [person(&t, 60, false), person(&t, 60, true), working];
    assert_eq!(judge("aslut", &h, &ms, rank(30)), [true, false, false]);
    assert_eq!(judge("aslut", &h, &ms, rank(31)), [false, false, false]);
}

#[test]
fn aspdb_severe_disability_only_when_known() {
    let (h, t) = templates();
    let mut yes = person(&t, 30, false);
    yes.severe_disability = Some(true);
    let mut unknown = person(&t, 30, false);
    unknown.severe_disability = None;
    let ms = [yes, unknown, person(&t, 30, false)];
    assert_eq!(judge("aspdb", &h, &ms, rank(40)), [true, false, false]);
    assert_eq!(judge("aspdb", &h, &ms, rank(41)), [false, false, false]);
}

#[test]
fn kube_heads_aged_eighteen_to_sixty() {
    let (h, t) = templates();
    let mut spouse = person(&t, 30, false);
    spouse.relation = Relation::Spouse;
    for (age, short, want) in [
        (18, false, true),
        (18, true, false),
        (60, false, true),
        (61, false, false),
    ] {
        assert_eq!(
            judge("kube", &h, &[person(&t, age, short)], rank(40)),
            [want],
            "{age} {short}"
        );
    }
    assert_eq!(judge("kube", &h, &[spouse], rank(40)), [false]);
    assert_eq!(
        judge("kube", &h, &[person(&t, 30, false)], rank(41)),
        [false]
    );
}

#[test]
fn askesos_working_informal_heads_aged_eighteen_to_fifty_five() {
    let (h, t) = templates();
    let head = |age: i32, status: Option<EmploymentStatus>, working: bool| {
        let mut m = person(&t, age, false);
        m.working = working;
        m.sector = working.then_some(Sector::Trade);
        m.employment_status = status;
        m
    };
    use EmploymentStatus as E;
    let cases = [
        (head(55, Some(E::SelfEmployed), true), true),
        (head(56, Some(E::SelfEmployed), true), false),
        (head(18, Some(E::Casual), true), true),
        (head(30, Some(E::UnpaidFamily), true), true),
        (head(30, Some(E::Employee), true), false),
        (head(30, None, false), false),
    ];
    for (i, (m, want)) in cases.iter().enumerate() {
        assert_eq!(
            judge("askesos", &h, std::slice::from_ref(m), rank(40)),
            [*want],
            "case {i}"
        );
    }
    assert_eq!(
        judge("askesos", &h, std::slice::from_ref(&cases[0].0), rank(41)),
        [false]
    );
}
