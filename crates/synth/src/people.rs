//! Household composition and each member's demographics, education, work and health.
//!
//! # Rules
//!
//! Ages are whole years at the reference date; all dates are days since 1970-01-01.
//!
//! **Composition.** The head's age (17–89) and sex are drawn first (about 1 in 7 heads is a
//! woman, more at older ages), then a marital status consistent with both (a female head is
//! mostly widowed or divorced). A married male head has his wife at home in 96 % of cases, a
//! married female head her husband in 30 % (migrant husbands). The wife is at most 3 years
//! older than her husband and at least 16. Children are born to one mother (the wife, the
//! female head, or the absent mother of a widowed or divorced father's children): the first
//! at 16–40, then every 1.3 + Exp(2.2) years until 45 or the reference date, so the mother is
//! aged 16–45 at every birth and the head is at least 12 years older than every child. Adult
//! children leave home with rising age. About one household in nine with an adult child
//! keeps a married child with spouse (`child_in_law`) and their children (`grandchild`) as a
//! second family with its own KK; a few hold grandchildren whose parents are away, a parent
//! or parent-in-law of the head (born when the head's mother was 16–45), other relatives
//! (`other_family`) or a helper (`other`, own KK). At most 12 members.
//!
//! **Marital status.** Nobody under 15 is married; children at home are single (a few adult
//! ones divorced or widowed), only the head, the spouse, a parent and the married child with
//! their spouse are married.
//!
//! **School and education.** Each person aged 7 or more has an attainment target drawn
//! from birth cohort (later cohorts more schooling), the household's class, urban residence
//! and sex (women born before 1975 less). Levels are completed at these ages: `sd` 12,
//! `smp` 15, `sma` 18, `diploma` 21, `bachelor` 22, `postgraduate` 24. Someone younger than
//! the completion age of their target is `attending`, with the highest level already
//! completed by their age (a 7-year-old attends with `none`, a 14-year-old with `sd`);
//! someone at or past it has `stopped` with the target as level. A target of `none` means
//! attending until 10 then `stopped` (drop-out) or, for part of the older cohorts, `never`.
//! Aged 5–6: `attending` (kindergarten/first grade) in 45 % of cases, else `never`; under
//! 5: `never`, `none`.
//!
//! **Work.** Nobody under 10 works; 10–14 rarely (unpaid family work); from 15 the share
//! working depends on sex, age and schooling (men 25–54 ≈ 92 %, women ≈ 55 %, students
//! rarely, over 70 rarely). Sector and employment status only for workers, from urban/rural
//! and education patterns.
//!
//! **Health.** Pregnancy only for women 15–49 (mostly married ones); disability rises with
//! age (≈ 2 % of children, 12 % from 60), a fifth of it severe; chronic illness rises with age.

use selaras_domain::codes::{
    Disability, EducationLevel, EmploymentStatus, MaritalStatus, Relation, SchoolParticipation,
    Sector,
};

use crate::out::{add_years, age_years, civil};
use crate::rng::Rng;

const YEAR: f64 = 365.2425;

/// Where a person's NIK was issued, relative to the household's district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Native,
    /// The previous district in code order (a local move).
    Local,
    /// The far partner district (a long-distance move).
    Far,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    pub rel: Relation,
    pub female: bool,
    pub birth: i32,
    pub age: i32,
    pub marital: MaritalStatus,
    /// Index of the family (KK) within the household: 0 the head's, 1 a married child's,
    /// 2 a helper's own.
    pub kk: u8,
    pub origin: Origin,
    pub edu: EducationLevel,
    pub school: SchoolParticipation,
    pub working: bool,
    pub sector: Option<Sector>,
    pub emp: Option<EmploymentStatus>,
    pub pregnant: Option<bool>,
    pub disability: Disability,
    pub severe: Option<bool>,
    pub chronic: Option<bool>,
    /// Bit `i` set = `Pmks::ALL[i]`.
    pub pmks: u32,
}

impl Person {
    fn new(rel: Relation, female: bool, birth: i32, marital: MaritalStatus, kk: u8) -> Person {
        Person {
            rel,
            female,
            birth,
            age: 0,
            marital,
            kk,
            origin: Origin::Native,
            edu: EducationLevel::None,
            school: SchoolParticipation::Never,
            working: false,
            sector: None,
            emp: None,
            pregnant: None,
            disability: Disability::None,
            severe: None,
            chronic: None,
            pmks: 0,
        }
    }
}

pub(crate) const MAX_MEMBERS: usize = 12;

/// Inputs of the composition that come from outside the household.
pub(crate) struct Setting {
    pub reference: i32,
    pub urban: bool,
    /// The household's class: a standard normal that shifts schooling, fertility and welfare.
    pub class: f64,
}

fn years(y: f64) -> i32 {
    (y * YEAR).round() as i32
}

fn clampf(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

/// Births of one mother born on `mother`, between her ages `from` and 45 and before the
/// reference date; at most `max` children. Pushes birth dates in order.
fn births(rng: &mut Rng, s: &Setting, mother: i32, from: f64, max: usize, out: &mut Vec<i32>) {
    let by = civil(mother).0;
    let weights: &[f64] = if by < 1965 {
        &[5.0, 8.0, 20.0, 22.0, 18.0, 12.0, 8.0, 7.0]
    } else if by < 1985 {
        &[6.0, 10.0, 32.0, 28.0, 14.0, 6.0, 3.0, 1.0]
    } else {
        &[6.0, 14.0, 38.0, 27.0, 10.0, 3.0, 1.5, 0.5]
    };
    let mut n = rng.pick(weights);
    if s.class < -0.6 && rng.chance(0.35) {
        n += 1;
    }
    let n = n.min(max);
    let mut age = clampf(
        from.max(22.5 + 3.5 * rng.normal() + 1.2 * s.class.max(0.0)),
        16.05,
        40.0,
    );
    for _ in 0..n {
        if age > 44.95 {
            break;
        }
        let b = mother + years(age);
        if b >= s.reference {
            break;
        }
        out.push(b);
        age += 1.3 + -2.2 * (1.0 - rng.f64()).ln();
    }
}

/// Probability that a child of this age still lives with the parents.
fn stays_home(age: i32) -> f64 {
    match age {
        ..=16 => 1.0,
        17..=19 => 0.95,
        20..=24 => 0.78,
        25..=29 => 0.5,
        30..=34 => 0.28,
        _ => 0.14,
    }
}

/// Draws the members of one household into `people` (head first).
pub(crate) fn compose(rng: &mut Rng, s: &Setting, people: &mut Vec<Person>) {
    use MaritalStatus::*;
    use Relation::*;
    people.clear();
    let r = s.reference;

    // Head.
    let group = rng.pick(&[3.0, 17.0, 25.0, 23.0, 18.0, 10.0, 4.0]);
    let (lo, hi) = [
        (17, 24),
        (25, 34),
        (35, 44),
        (45, 54),
        (55, 64),
        (65, 74),
        (75, 89),
    ][group];
    let head_age = lo as f64 + (hi - lo + 1) as f64 * rng.f64();
    let hb = r - years(head_age) - 1;
    let ha = head_age as i32;
    let female_head = rng.chance(match ha {
        ..=34 => 0.08,
        35..=54 => 0.11,
        55..=64 => 0.18,
        _ => 0.3,
    });
    let marital = if female_head {
        let w: [f64; 4] = match ha {
            ..=34 => [30.0, 20.0, 40.0, 10.0],
            35..=54 => [6.0, 15.0, 35.0, 44.0],
            _ => [3.0, 7.0, 15.0, 75.0],
        };
        [Single, Married, Divorced, Widowed][rng.pick(&w)]
    } else {
        let w: [f64; 4] = match ha {
            ..=24 => [28.0, 70.0, 2.0, 0.0],
            25..=54 => [3.0, 94.0, 2.0, 1.0],
            55..=64 => [0.5, 88.0, 3.0, 8.5],
            _ => [0.5, 70.0, 2.0, 27.5],
        };
        [Single, Married, Divorced, Widowed][rng.pick(&w)]
    };
    people.push(Person::new(Head, female_head, hb, marital, 0));

    // Spouse, and the mother of the head's children.
    let mut mother: Option<i32> = None;
    if female_head {
        if marital == Married && rng.chance(0.3) {
            let d = clampf(4.0 + 4.0 * rng.normal(), -3.0, 20.0);
            let b = hb - years(d);
            if age_years(b, r) <= 95 {
                people.push(Person::new(Spouse, false, b, Married, 0));
            }
        }
        if marital != Single || rng.chance(0.15) {
            mother = Some(hb);
        }
    } else if marital != Single {
        // The wife: younger by N(4, 4) years, at most 3 years older, at least 16.
        let d = clampf(4.0 + 4.0 * rng.normal(), -3.0, 25.0);
        let mut wb = hb + years(d);
        let latest = add_years(r, -16) - 1;
        if wb > latest {
            wb = latest.max(hb - years(3.0));
        }
        if marital == Married && rng.chance(0.96) {
            people.push(Person::new(Spouse, true, wb, Married, 0));
        }
        mother = Some(wb);
    }

    // Children.
    let mut born: Vec<i32> = Vec::with_capacity(8);
    if let Some(mb) = mother {
        births(rng, s, mb, 16.05, 9, &mut born);
    }
    let away_factor = if !female_head && (marital == Divorced || marital == Widowed) {
        0.6
    } else {
        1.0
    };
    // One adult child may stay married, with spouse and children, as a second family.
    let adult: Vec<i32> = born
        .iter()
        .copied()
        .filter(|b| age_years(*b, r) >= 20)
        .collect();
    let married_child = if !adult.is_empty() && rng.chance(0.3) {
        Some(adult[rng.below(adult.len() as u64) as usize])
    } else {
        None
    };
    for &b in &born {
        if people.len() >= MAX_MEMBERS {
            break;
        }
        let age = age_years(b, r);
        let female = rng.chance(0.49);
        if Some(b) == married_child {
            continue;
        }
        if age >= 17 && !rng.chance(stays_home(age) * away_factor) {
            continue;
        }
        let m = if age >= 20 {
            [Single, Divorced, Widowed][rng.pick(&[88.0, 10.0, 2.0])]
        } else {
            Single
        };
        people.push(Person::new(Child, female, b, m, 0));
    }
    if let Some(cb) = married_child {
        if people.len() + 2 <= MAX_MEMBERS {
            let female = rng.chance(0.5);
            people.push(Person::new(Child, female, cb, Married, 1));
            // The child's spouse, and the mother of the grandchildren.
            let (sb, mb) = if female {
                let d = clampf(4.0 + 4.0 * rng.normal(), -2.0, 15.0);
                let mut sb = cb - years(d);
                sb = sb.max(hb + years(14.0));
                sb = sb.min(add_years(r, -18) - 1);
                (sb, cb)
            } else {
                let d = clampf(3.0 + 3.0 * rng.normal(), -3.0, 15.0);
                let mut sb = cb + years(d);
                sb = sb.min(add_years(r, -17) - 1);
                sb = sb.max(cb - years(3.0));
                (sb, sb)
            };
            people.push(Person::new(ChildInLaw, !female, sb, Married, 1));
            let mother_age_now = (r - mb) as f64 / YEAR;
            let from = clampf(18.0 + 3.0 * rng.f64(), 16.05, mother_age_now.max(16.05));
            let start = born.len();
            births(rng, s, mb, from, 4, &mut born);
            for &b in &born[start..] {
                if people.len() >= MAX_MEMBERS {
                    break;
                }
                let female = rng.chance(0.49);
                people.push(Person::new(Grandchild, female, b, Single, 1));
            }
        }
    }
    // Grandchildren whose parents are away (migrant workers).
    if ha >= 48 && rng.chance(0.05) {
        let n = 1 + rng.below(2) as usize;
        let earliest = (hb + years(34.0)).max(add_years(r, -16));
        for _ in 0..n {
            if people.len() >= MAX_MEMBERS || earliest >= r - 1 {
                break;
            }
            let b = rng.range(earliest as i64, (r - 1) as i64) as i32;
            let female = rng.chance(0.49);
            people.push(Person::new(Grandchild, female, b, Single, 0));
        }
    }
    // A parent of the head or of the spouse.
    if people.len() < MAX_MEMBERS && ha <= 62 && rng.chance(0.09) {
        let of_spouse = people.len() > 1 && people[1].rel == Spouse && rng.chance(0.35);
        let base = if of_spouse { people[1].birth } else { hb };
        let female = rng.chance(0.7);
        let age_at = if female {
            clampf(27.0 + 5.0 * rng.normal(), 16.05, 44.9)
        } else {
            clampf(31.0 + 6.0 * rng.normal(), 18.0, 60.0)
        };
        let b = base - years(age_at);
        if age_years(b, r) <= 97 {
            let m = [Widowed, Married, Divorced][rng.pick(&[82.0, 13.0, 5.0])];
            let rel = if of_spouse { ParentInLaw } else { Parent };
            people.push(Person::new(rel, female, b, m, 0));
        }
    }
    // Other relatives (nephew, sibling, cousin) and helpers.
    if people.len() < MAX_MEMBERS && rng.chance(0.05) {
        let age = 3.0 + 70.0 * rng.f64();
        let b = r - years(age) - 1;
        let a = age_years(b, r);
        let m = if a < 18 {
            Single
        } else {
            [Single, Married, Divorced, Widowed][rng.pick(&[55.0, 15.0, 15.0, 15.0])]
        };
        let female = rng.chance(0.5);
        people.push(Person::new(OtherFamily, female, b, m, 0));
    }
    if people.len() < MAX_MEMBERS && (s.urban || s.class > 1.0) && rng.chance(0.012) {
        let b = r - years(18.0 + 32.0 * rng.f64()) - 1;
        let m = [Single, Divorced, Widowed][rng.pick(&[70.0, 20.0, 10.0])];
        people.push(Person::new(Other, true, b, m, 2));
    }
    for p in people.iter_mut() {
        p.age = age_years(p.birth, r);
    }
}

const COMPLETION_AGE: [i32; 7] = [10, 12, 15, 18, 21, 22, 24];
const LEVELS: [EducationLevel; 7] = [
    EducationLevel::None,
    EducationLevel::Sd,
    EducationLevel::Smp,
    EducationLevel::Sma,
    EducationLevel::Diploma,
    EducationLevel::Bachelor,
    EducationLevel::Postgraduate,
];

/// Rank of a level in [`LEVELS`] order.
pub(crate) fn edu_rank(e: EducationLevel) -> usize {
    LEVELS.iter().position(|l| *l == e).unwrap_or(0)
}

/// Schooling of one person; see the module documentation.
pub(crate) fn school(rng: &mut Rng, s: &Setting, p: &mut Person) {
    if p.age < 5 {
        p.school = SchoolParticipation::Never;
        p.edu = EducationLevel::None;
        return;
    }
    if p.age < 7 {
        p.school = if rng.chance(0.45) {
            SchoolParticipation::Attending
        } else {
            SchoolParticipation::Never
        };
        p.edu = EducationLevel::None;
        return;
    }
    let by = civil(p.birth).0.min(2008);
    let mut l = 0.4 + 0.029 * (by - 2000) as f64 + 0.55 * s.class + 0.7 * rng.normal();
    l += if s.urban { 0.2 } else { -0.1 };
    if p.female && by < 1975 {
        l -= 0.25;
    }
    const T: [f64; 6] = [-1.39, -0.67, -0.09, 1.04, 1.20, 2.35];
    let target = T.iter().take_while(|t| l >= **t).count();
    if p.age >= COMPLETION_AGE[target] {
        p.edu = LEVELS[target];
        p.school = if target == 0 && rng.chance(if by < 1960 { 0.7 } else { 0.3 }) {
            SchoolParticipation::Never
        } else {
            SchoolParticipation::Stopped
        };
    } else {
        p.school = SchoolParticipation::Attending;
        let done = (1..target)
            .take_while(|i| COMPLETION_AGE[*i] <= p.age)
            .last()
            .unwrap_or(0);
        p.edu = LEVELS[done];
    }
}

/// Work of one person; see the module documentation.
pub(crate) fn work(rng: &mut Rng, s: &Setting, p: &mut Person) {
    let a = p.age;
    let student = p.school == SchoolParticipation::Attending;
    let prob = if a < 10 {
        0.0
    } else if a < 15 {
        if s.class < -0.5 && !s.urban {
            0.04
        } else {
            0.01
        }
    } else if student {
        0.06
    } else {
        let (m, f) = match a {
            15..=24 => (0.62, 0.4),
            25..=54 => (0.93, 0.55),
            55..=64 => (0.8, 0.42),
            65..=70 => (0.6, 0.3),
            _ => (0.25, 0.1),
        };
        if p.female {
            f
        } else {
            m
        }
    };
    let prob = if p.severe == Some(true) {
        prob * 0.2
    } else {
        prob
    };
    p.working = rng.chance(prob);
    if !p.working {
        p.sector = None;
        p.emp = None;
        return;
    }
    use EmploymentStatus as E;
    use Sector as S;
    if a < 15 {
        p.sector = Some(if s.urban { S::Trade } else { S::Agriculture });
        p.emp = Some(E::UnpaidFamily);
        return;
    }
    let higher = edu_rank(p.edu) >= 4;
    let mut w: [f64; 10] = if s.urban {
        [5.0, 1.0, 1.0, 18.0, 9.0, 28.0, 7.0, 22.0, 5.0, 4.0]
    } else {
        [45.0, 3.0, 1.0, 8.0, 8.0, 15.0, 4.0, 10.0, 1.0, 5.0]
    };
    if higher {
        w[0] *= 0.3;
        w[4] *= 0.6;
        w[7] *= 2.5;
        w[8] *= 5.0;
    }
    if p.female {
        w[1] *= 0.3;
        w[2] *= 0.2;
        w[4] *= 0.1;
        w[6] *= 0.1;
        w[5] *= 1.4;
        w[7] *= 1.4;
    }
    let sectors = [
        S::Agriculture,
        S::Fishery,
        S::Mining,
        S::Manufacturing,
        S::Construction,
        S::Trade,
        S::Transport,
        S::Services,
        S::PublicAdmin,
        S::Other,
    ];
    let sector = sectors[rng.pick(&w)];
    // self, with helpers, employer, employee, casual, unpaid family
    let mut e: [f64; 6] = match sector {
        S::Agriculture | S::Fishery => [25.0, 25.0, 2.0, 5.0, 25.0, 18.0],
        S::Mining => [15.0, 0.0, 1.0, 60.0, 25.0, 0.0],
        S::Manufacturing => [15.0, 3.0, 2.0, 65.0, 10.0, 5.0],
        S::Construction => [8.0, 0.0, 2.0, 40.0, 50.0, 0.0],
        S::Trade => [45.0, 15.0, 4.0, 20.0, 2.0, 14.0],
        S::Transport => [50.0, 0.0, 1.0, 40.0, 10.0, 0.0],
        S::Services => [25.0, 5.0, 2.0, 55.0, 5.0, 8.0],
        S::PublicAdmin => [0.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        S::Other => [40.0, 0.0, 0.0, 30.0, 30.0, 0.0],
    };
    if p.female || p.rel != Relation::Head && a < 25 {
        e[5] *= 2.5;
    }
    if p.rel == Relation::Head {
        e[5] *= 0.1;
    }
    if higher {
        e[3] *= 1.8;
        e[2] *= 2.0;
        e[4] *= 0.3;
    }
    e[2] *= (1.0 + s.class).max(0.2);
    let emp = [
        E::SelfEmployed,
        E::SelfEmployedWithHelpers,
        E::Employer,
        E::Employee,
        E::Casual,
        E::UnpaidFamily,
    ][rng.pick(&e)];
    p.sector = Some(sector);
    p.emp = Some(emp);
}

/// Pregnancy, disability and chronic illness of one person.
pub(crate) fn health(rng: &mut Rng, p: &mut Person) {
    let a = p.age;
    p.pregnant = if p.female && (10..=54).contains(&a) {
        let married = p.marital == MaritalStatus::Married;
        let prob = if !(15..=49).contains(&a) {
            0.0
        } else if married {
            match a {
                15..=19 => 0.09,
                20..=34 => 0.075,
                35..=39 => 0.035,
                _ => 0.008,
            }
        } else {
            0.002
        };
        Some(rng.chance(prob))
    } else {
        None
    };
    let pd = match a {
        ..=17 => 0.018,
        18..=44 => 0.025,
        45..=59 => 0.05,
        60..=74 => 0.12,
        _ => 0.25,
    };
    if rng.chance(pd) {
        use Disability as D;
        let w = if a >= 60 {
            [45.0, 25.0, 18.0, 2.0, 2.0, 3.0, 5.0]
        } else {
            [35.0, 15.0, 10.0, 7.0, 13.0, 10.0, 10.0]
        };
        let d = [
            D::Physical,
            D::Visual,
            D::Hearing,
            D::Speech,
            D::Intellectual,
            D::Mental,
            D::Multiple,
        ][rng.pick(&w)];
        p.disability = d;
        p.severe = Some(rng.chance(if d == D::Multiple { 0.5 } else { 0.18 }));
    } else {
        p.disability = Disability::None;
        p.severe = Some(false);
    }
    let pc = 0.015 + 0.4 / (1.0 + (-(a as f64 - 62.0) / 9.0).exp());
    p.chronic = if rng.chance(0.01) {
        None
    } else {
        Some(rng.chance(pc))
    };
}
