//! One district's households: composition, welfare, housing, programs, identifiers, and
//! their rows in the interchange format.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use selaras_domain::codes::{
    Disability, EmploymentStatus, MaritalStatus, Pmks, Relation, SchoolParticipation, Sector,
};
use selaras_domain::region::RegionCode;

use crate::dwelling::{self, HeadFacts, Place};
use crate::names::write_name;
use crate::out::{add_years, civil, Out};
use crate::people::{self, edu_rank, Origin, Person, Setting};
use crate::plan::{self, tag, Province, Unit};
use crate::rng::{hash, mix64, unit_of, Rng};
use crate::{GenError, POVERTY_LINE};

/// Intercept of log per-capita consumption, calibrated so that about 10 % of households are
/// below [`POVERTY_LINE`] nationally.
const MU: f64 = 14.51;
/// Transitory part of log consumption (shocks that housing and assets do not show).
const TRANSITORY_SD: f64 = 0.22;
/// Household-specific permanent part not explained by region, education, work or make-up,
/// visible in housing and assets.
const PERMANENT_SD: f64 = 0.15;
/// Household-specific permanent part invisible in housing and assets (income sources,
/// remittances, prices).
const HIDDEN_SD: f64 = 0.28;
/// Centre and spread of the wealth index that drives housing and assets.
const WEALTH_CENTRE: f64 = 0.01;
const WEALTH_SD: f64 = 0.46;

/// Serial ranges of NIKs (see the crate documentation): natives 1–8999, movers from the
/// local partner 9000–9499, movers from the far partner 9500–9999.
const NATIVE_MAX: u32 = 8999;
const LOCAL_BASE: u32 = 9000;
const FAR_BASE: u32 = 9500;
const MOVER_BLOCK: u32 = 500;

/// Rows of a run of households, ready to be written in order.
#[derive(Default)]
pub(crate) struct Chunk {
    pub households: Vec<u8>,
    pub members: Vec<u8>,
    pub consumption: Vec<u8>,
    pub n_households: u64,
    pub n_members: u64,
    pub below: u64,
}

impl Chunk {
    pub fn bytes(&self) -> usize {
        self.households.len() + self.members.len() + self.consumption.len()
    }
}

/// FxHash-style hasher for the serial counters (keys are already well spread).
#[derive(Default)]
struct FastHasher(u64);
impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(5) ^ *b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = mix64(self.0 ^ v);
    }
}
type Counters = HashMap<u64, u32, BuildHasherDefault<FastHasher>>;

fn digits6(code: &RegionCode) -> [u8; 6] {
    let b = code.as_str().as_bytes();
    [b[0], b[1], b[3], b[4], b[6], b[7]]
}

#[derive(Clone, Copy)]
struct Village {
    code: RegionCode,
    urban: bool,
    effect: f64,
    lat: f64,
    lon: f64,
    n_dusun: u64,
    n_rw: u64,
    survey_base: i32,
}

/// The generator of one unit (district).
pub(crate) struct DistrictGen<'u> {
    unit: &'u Unit,
    seed: u64,
    reference: i32,
    rng: Rng,
    district: [u8; 6],
    partners: Option<([u8; 6], [u8; 6])>,
    province: &'static Province,
    remote: bool,
    coastal: bool,
    /// NIK serial counters: key = (birth date, sex, range); KK counters: (issue date).
    niks: Counters,
    kks: Counters,
    village_pos: usize,
    village_left: u64,
    village: Option<Village>,
    next_index: u64,
    people: Vec<Person>,
}

impl<'u> DistrictGen<'u> {
    pub fn new(unit: &'u Unit, seed: u64, reference: i32) -> Self {
        let db = unit.district.as_str().as_bytes();
        let province = plan::province(&db[..2]);
        DistrictGen {
            unit,
            seed,
            reference,
            rng: Rng::new(seed, tag::DISTRICT_STREAM, db),
            district: digits6(&unit.district),
            partners: unit.partners.map(|(l, f)| (digits6(&l), digits6(&f))),
            province,
            remote: unit_of(hash(seed, tag::REMOTE, db)) < province.remote,
            coastal: unit_of(hash(seed, tag::COASTAL, db)) < 0.35,
            niks: Counters::default(),
            kks: Counters::default(),
            village_pos: 0,
            village_left: 0,
            village: None,
            next_index: unit.start,
            people: Vec::with_capacity(people::MAX_MEMBERS),
        }
    }

    pub fn done(&self) -> bool {
        self.next_index >= self.unit.start + self.unit.households
    }

    /// Generates up to `max` more households into `chunk`.
    pub fn fill(&mut self, chunk: &mut Chunk, max: u64) -> Result<(), GenError> {
        let mut n = 0;
        while n < max && !self.done() {
            if self.village_left == 0 {
                self.enter_village();
            }
            self.household(chunk)?;
            self.village_left -= 1;
            n += 1;
        }
        Ok(())
    }

    fn enter_village(&mut self) {
        let (code, count) = self.unit.villages[self.village_pos];
        self.village_pos += 1;
        self.village_left = count;
        let (lat, lon) = plan::village_position(self.seed, &code);
        let h = hash(self.seed, tag::VILLAGE_LAYOUT, code.as_str().as_bytes());
        self.village = Some(Village {
            code,
            urban: plan::is_urban(&code),
            effect: plan::region_effect(self.seed, &code),
            lat,
            lon,
            n_dusun: 2 + (h % 7),
            n_rw: 2 + (h >> 8) % 11,
            survey_base: self.reference - 30 - ((h >> 20) % 1050) as i32,
        });
    }

    /// The next NIK serial for a person in the given range; falls back to the native range
    /// when a mover block is full. Returns (district digits, serial).
    fn nik(
        &mut self,
        birth: i32,
        female: bool,
        origin: Origin,
    ) -> Result<([u8; 6], u32), GenError> {
        let key =
            |range: u64| ((birth as i64 + 1_000_000) as u64) << 3 | range << 1 | female as u64;
        if let (Some((local, far)), Origin::Local | Origin::Far) = (self.partners, origin) {
            let (range, base, district) = if origin == Origin::Local {
                (1, LOCAL_BASE, local)
            } else {
                (2, FAR_BASE, far)
            };
            let c = self.niks.entry(key(range)).or_insert(0);
            if *c < MOVER_BLOCK {
                *c += 1;
                return Ok((district, base + *c - 1));
            }
        }
        let c = self.niks.entry(key(0)).or_insert(0);
        if *c >= NATIVE_MAX {
            let (y, m, d) = civil(birth);
            return Err(GenError::NikSpaceExhausted {
                district: self.unit.district.to_string(),
                birth_date: format!("{y:04}-{m:02}-{d:02}"),
            });
        }
        *c += 1;
        Ok((self.district, *c))
    }

    /// A KK number (district + DDMMYY of issue + serial), unique within the district.
    fn kk(&mut self, mut issued: i32) -> u64 {
        loop {
            let c = self.kks.entry(issued as i64 as u64).or_insert(0);
            if *c < 9999 {
                *c += 1;
                let (y, m, d) = civil(issued);
                let rest = (d as u64 * 10_000 + m as u64 * 100 + y.rem_euclid(100) as u64) * 10_000
                    + *c as u64;
                let dist = self
                    .district
                    .iter()
                    .fold(0u64, |a, x| a * 10 + (x - b'0') as u64);
                return dist * 10_000_000_000 + rest;
            }
            issued -= 1;
        }
    }

    fn household(&mut self, chunk: &mut Chunk) -> Result<(), GenError> {
        let r = self.reference;
        let v = self.village.expect("entered a village");
        let (urban, effect, vcode) = (v.urban, v.effect, v.code);
        let rng = &mut self.rng;
        let class = rng.normal();
        let setting = Setting {
            reference: r,
            urban,
            class,
        };
        let mut people = std::mem::take(&mut self.people);
        people::compose(rng, &setting, &mut people);
        for p in people.iter_mut() {
            people::health(rng, p);
            people::school(rng, &setting, p);
            people::work(rng, &setting, p);
        }
        let size = people.len();
        let head = people[0];

        // Welfare: permanent and actual log per-capita consumption.
        let dependants = people.iter().filter(|p| p.age < 15 || p.age >= 65).count();
        let workers = people.iter().filter(|p| p.working).count();
        let edu_eff = [-0.22, -0.12, -0.03, 0.08, 0.22, 0.33, 0.5][edu_rank(head.edu)];
        let sector_eff = match head.sector {
            None => -0.08,
            Some(Sector::Agriculture) => -0.12,
            Some(Sector::Fishery) => -0.1,
            Some(Sector::Construction) => -0.05,
            Some(Sector::PublicAdmin) => 0.15,
            Some(Sector::Services) => 0.03,
            Some(Sector::Mining) => 0.05,
            Some(Sector::Other) => -0.03,
            Some(_) => 0.0,
        };
        let emp_eff = match head.emp {
            Some(EmploymentStatus::Casual) => -0.15,
            Some(EmploymentStatus::UnpaidFamily) => -0.1,
            Some(EmploymentStatus::Employer) => 0.3,
            Some(EmploymentStatus::SelfEmployedWithHelpers) => 0.05,
            Some(EmploymentStatus::Employee) => 0.05,
            _ => 0.0,
        };
        let ln_size = (size as f64).ln();
        let permanent =
            effect + if urban { 0.12 } else { 0.0 } + edu_eff + sector_eff + emp_eff + 0.2 * class
                - 0.34 * ln_size
                - 0.25 * dependants as f64 / size as f64
                + 0.05 * (workers.saturating_sub(1)).min(2) as f64
                + PERMANENT_SD * rng.normal();
        let ln_pcc = MU + permanent + HIDDEN_SD * rng.normal() + TRANSITORY_SD * rng.normal();
        let pcc = ln_pcc.exp().round().max(1.0) as u64;
        let poor = (pcc as i64) < POVERTY_LINE;
        let wealth = (permanent + 0.35 * ln_size - WEALTH_CENTRE) / WEALTH_SD;

        let facts = HeadFacts {
            age: head.age,
            agriculture: head.sector == Some(Sector::Agriculture),
            fishery: head.sector == Some(Sector::Fishery),
            public_admin: head.sector == Some(Sector::PublicAdmin),
            size,
            children: people.iter().any(|p| p.age < 15),
            higher_education: people.iter().any(|p| edu_rank(p.edu) >= 4),
        };
        let place = Place {
            urban,
            remote: self.remote && !urban,
            coastal: self.coastal,
            province: self.province,
        };
        let d = dwelling::draw(rng, wealth, &place, &facts);

        // Programs: the registry sees welfare with error (a PMT and stale data).
        let ln_pl = (POVERTY_LINE as f64).ln();
        let seen = ln_pcc + 0.4 * rng.normal();
        let eligible_pkh = people.iter().any(|p| {
            p.age < 18 || p.age >= 60 || p.pregnant == Some(true) || p.severe == Some(true)
        });
        let school_child = people
            .iter()
            .any(|p| (6..=21).contains(&p.age) && p.school == SchoolParticipation::Attending);
        let seen_b = seen + 0.15 * rng.normal();
        let mut flag = |p: f64| -> Option<bool> {
            if rng.chance(0.03) {
                None
            } else {
                Some(rng.chance(p))
            }
        };
        let in_pkh = flag(if !eligible_pkh {
            0.004
        } else if seen < ln_pl + 0.2 {
            0.8
        } else if seen < ln_pl + 0.55 {
            0.08
        } else {
            0.01
        });
        let in_bpnt = flag(if seen_b < ln_pl + 0.35 {
            0.65
        } else if seen_b < ln_pl + 0.7 {
            0.1
        } else {
            0.015
        });
        let in_kis = flag(if seen < ln_pl + 0.6 { 0.8 } else { 0.15 });
        let in_kip = flag(if !school_child {
            0.0
        } else if seen < ln_pl + 0.45 {
            0.55
        } else {
            0.04
        });

        // PMKS.
        let bit = |p: Pmks| 1u32 << Pmks::ALL.iter().position(|x| *x == p).unwrap_or(0);
        let only_elderly = people.iter().all(|p| p.age >= 60);
        for (i, p) in people.iter_mut().enumerate() {
            if p.disability != Disability::None && rng.chance(0.4) {
                p.pmks |= if p.age < 18 {
                    bit(Pmks::ChildWithDisability)
                } else {
                    bit(Pmks::PersonWithDisability)
                };
            }
            if p.age >= 60 && only_elderly && poor && rng.chance(0.35) {
                p.pmks |= bit(Pmks::NeglectedElderly);
            }
            if i == 0 {
                if poor && rng.chance(0.35) || !poor && ln_pcc < ln_pl + 0.3 && rng.chance(0.05) {
                    p.pmks |= bit(Pmks::FakirMiskin);
                }
                if p.female
                    && matches!(p.marital, MaritalStatus::Widowed | MaritalStatus::Divorced)
                    && ln_pcc < ln_pl + 0.4
                    && rng.chance(0.15)
                {
                    p.pmks |= bit(Pmks::VulnerableWoman);
                }
                if rng.chance(0.003) {
                    p.pmks |= bit(Pmks::NaturalDisasterVictim);
                }
                if urban && poor && rng.chance(0.01) {
                    p.pmks |= bit(Pmks::WastePicker);
                }
                if self.remote && !urban && rng.chance(0.01) {
                    p.pmks |= bit(Pmks::RemoteIndigenousCommunity);
                }
                if rng.chance(0.0005) {
                    p.pmks |= bit(Pmks::FormerPrisoner);
                }
            }
            if p.age < 5 && poor && rng.chance(0.005) {
                p.pmks |= bit(Pmks::NeglectedUnderFive);
            }
        }

        // Where people's NIKs come from: a household that moved in brings the NIKs of the
        // head, the spouse and the children born before the move; spouses, parents and
        // relatives may come from elsewhere on their own.
        let moved = rng.chance(0.1);
        let move_date = if moved {
            let earliest = add_years(head.birth, 18).min(r - 1);
            rng.range(earliest as i64, (r - 1) as i64) as i32
        } else {
            i32::MIN
        };
        let far_move = rng.chance(0.3);
        for p in people.iter_mut() {
            let from_elsewhere = match p.rel {
                Relation::Head | Relation::Spouse if moved => true,
                Relation::Child if moved => p.birth < move_date,
                Relation::Spouse => rng.chance(0.1),
                Relation::ChildInLaw => rng.chance(0.4),
                Relation::Parent | Relation::ParentInLaw | Relation::OtherFamily => rng.chance(0.3),
                Relation::Other => rng.chance(0.7),
                _ => false,
            };
            p.origin = if !from_elsewhere {
                Origin::Native
            } else if (moved && far_move) || (!moved && rng.chance(0.2)) {
                Origin::Far
            } else {
                Origin::Local
            };
        }

        // Survey date: the village's visit plus a few days, after every member's birth.
        let youngest = people.iter().map(|p| p.birth).max().unwrap_or(r - 1);
        let survey = if rng.chance(0.03) {
            None
        } else {
            Some(
                (v.survey_base + rng.below(20) as i32)
                    .min(r - 1)
                    .max(youngest + 1)
                    .min(r),
            )
        };

        // KK numbers: issued after the youngest member of each family was born.
        let mut kks = [0u64; 3];
        for (k, slot) in kks.iter_mut().enumerate() {
            let Some(latest_birth) = people
                .iter()
                .filter(|p| p.kk as usize == k)
                .map(|p| p.birth)
                .max()
            else {
                continue;
            };
            let from = latest_birth.max(r - 25 * 365);
            let to = survey.unwrap_or(r - 1).max(from);
            let issued = self.rng.range(from as i64, to as i64) as i32;
            *slot = self.kk(issued);
        }

        // Household row.
        let index = self.next_index;
        self.next_index += 1;
        let id = household_id(self.seed, index);
        let out = &mut chunk.households;
        let rng = &mut self.rng;
        out.b(b'H');
        write_hex16(out, id);
        out.b(b',');
        out.s(vcode.as_str());
        out.s(",\"");
        if urban {
            out.s(rng.choose(STREETS));
            out.s(" No. ");
            out.uint(1 + rng.below(150));
        } else {
            out.s("Dusun ");
            out.uint(1 + rng.below(v.n_dusun));
        }
        out.s(", RT ");
        out.digits2(1 + rng.below(12) as u32);
        out.s("/RW ");
        out.digits2(1 + rng.below(v.n_rw) as u32);
        out.s("\",");
        if rng.chance(0.12) {
            out.b(b',');
        } else {
            let lat = (v.lat * 1e6).round() as i64 + rng.range(-9000, 9000);
            let lon = (v.lon * 1e6).round() as i64 + rng.range(-9000, 9000);
            out.micro(lat.clamp(-10_990_000, 5_990_000));
            out.b(b',');
            out.micro(lon.clamp(95_010_000, 140_990_000));
        }
        out.b(b',');
        if let Some(s) = survey {
            out.date(s);
        }
        out.b(b',');
        out.s(d.ownership.code());
        out.b(b',');
        out.tenths(d.floor_area_tenths);
        for code in [
            d.floor.code(),
            d.wall.code(),
            d.roof.code(),
            d.water.code(),
            d.lighting.code(),
        ] {
            out.b(b',');
            out.s(code);
        }
        out.b(b',');
        if let Some(va) = d.electricity_va {
            out.uint(va as u64);
        }
        out.b(b',');
        out.s(d.cooking.code());
        out.b(b',');
        out.s(d.toilet.code());
        for a in d.assets {
            out.b(b',');
            out.bool01(a);
        }
        for n in [d.cattle, d.goats] {
            out.b(b',');
            if let Some(n) = n {
                out.uint(n as u64);
            }
        }
        for f in [in_pkh, in_bpnt, in_kis, in_kip] {
            out.b(b',');
            out.opt_bool(f);
        }
        out.s(",\n");

        // Consumption row.
        let out = &mut chunk.consumption;
        out.b(b'H');
        write_hex16(out, id);
        out.b(b',');
        out.uint(pcc);
        out.b(b'\n');

        // Member rows.
        for &p in &people {
            let (dist, serial) = self.nik(p.birth, p.female, p.origin)?;
            let out = &mut chunk.members;
            let rng = &mut self.rng;
            out.b(b'H');
            write_hex16(out, id);
            out.b(b',');
            out.extend_from_slice(&dist);
            let (y, m, dd) = civil(p.birth);
            out.digits2(dd as u32 + if p.female { 40 } else { 0 });
            out.digits2(m as u32);
            out.digits2(y.rem_euclid(100) as u32);
            out.digits4(serial);
            out.b(b',');
            let kk = kks[p.kk as usize];
            let mut kb = itoa::Buffer::new();
            let ks = kb.format(kk);
            for _ in ks.len()..16 {
                out.b(b'0');
            }
            out.s(ks);
            out.b(b',');
            write_name(out, rng, p.female);
            out.b(b',');
            out.s(p.rel.code());
            out.s(if p.female { ",F," } else { ",M," });
            out.date(p.birth);
            out.b(b',');
            out.s(p.marital.code());
            out.b(b',');
            out.opt_bool(p.pregnant);
            out.b(b',');
            out.s(p.disability.code());
            out.b(b',');
            out.opt_bool(p.severe);
            out.b(b',');
            out.opt_bool(p.chronic);
            out.b(b',');
            out.s(p.school.code());
            out.b(b',');
            out.s(p.edu.code());
            out.b(b',');
            out.bool01(p.working);
            out.b(b',');
            if let Some(s) = p.sector {
                out.s(s.code());
            }
            out.b(b',');
            if let Some(e) = p.emp {
                out.s(e.code());
            }
            out.b(b',');
            let mut first = true;
            for (k, code) in Pmks::ALL.iter().enumerate() {
                if p.pmks & (1 << k) != 0 {
                    if !first {
                        out.b(b'|');
                    }
                    out.s(code.code());
                    first = false;
                }
            }
            out.s(",\n");
        }

        chunk.n_households += 1;
        chunk.n_members += people.len() as u64;
        chunk.below += poor as u64;
        self.people = people;
        Ok(())
    }
}

const STREETS: &[&str] = &[
    "Jl. Merdeka",
    "Jl. Sudirman",
    "Jl. Diponegoro",
    "Jl. Kartini",
    "Jl. Melati",
    "Jl. Mawar",
    "Jl. Pahlawan",
    "Jl. Veteran",
    "Jl. Gajah Mada",
    "Jl. Hasanuddin",
    "Jl. Ahmad Yani",
    "Jl. Imam Bonjol",
    "Gg. Masjid",
    "Jl. Pemuda",
    "Jl. Cempaka",
];

/// The 64-bit number behind a household's id: a bijection of `key(seed) + index`, so that
/// two indices of one data set never share an id.
pub(crate) fn household_id(seed: u64, index: u64) -> u64 {
    let key = hash(seed, tag::HOUSEHOLD_ID, b"");
    mix64(key.wrapping_add(index))
}

fn write_hex16(out: &mut Vec<u8>, v: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    for (i, slot) in buf.iter_mut().enumerate() {
        *slot = HEX[((v >> (60 - 4 * i)) & 0xf) as usize];
    }
    out.extend_from_slice(&buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use selaras_regions::RegionTable;
    use std::collections::HashSet;

    /// Every district of the country as a host, each issuing native, local-mover and
    /// far-mover NIKs for the same birth dates and sex: the partner maps never let two hosts
    /// produce the same NIK. Overflowing a mover block falls back to native serials.
    #[test]
    fn niks_unique_across_all_districts() {
        let table = RegionTable::embedded();
        let districts = plan::national_districts(table);
        let n = districts.len();
        let mut seen: HashSet<([u8; 6], u32, i32, bool)> = HashSet::new();
        let births = [days(1990, 5, 17), days(2001, 1, 1)];
        for (i, d) in districts.iter().enumerate() {
            let unit = Unit {
                district: *d,
                start: 0,
                households: 1,
                villages: Vec::new(),
                partners: Some((districts[(i + n - 1) % n], districts[(i + n / 2) % n])),
            };
            let mut g = DistrictGen::new(&unit, 1, days(2026, 1, 1));
            // The first host overflows its local block (500) and falls back.
            let locals = if i == 0 { 600 } else { 3 };
            for &birth in &births {
                for female in [false, true] {
                    let mut issue = |origin: Origin, count: usize| {
                        for _ in 0..count {
                            let (dist, serial) = g.nik(birth, female, origin).unwrap();
                            assert!((1..=9999).contains(&serial));
                            assert!(
                                seen.insert((dist, serial, birth, female)),
                                "duplicate NIK {:?} {serial} from host {d}",
                                std::str::from_utf8(&dist)
                            );
                        }
                    };
                    issue(Origin::Native, 3);
                    issue(Origin::Local, locals);
                    issue(Origin::Far, 3);
                }
            }
        }
        assert!(seen.len() > n * 30);
    }

    fn days(y: i32, m: u8, d: u8) -> i32 {
        crate::out::days_of(y, m, d)
    }

    #[test]
    fn household_ids_are_unique() {
        let mut seen = HashSet::new();
        for i in 0..300_000u64 {
            assert!(seen.insert(household_id(42, i)));
        }
        assert_ne!(household_id(1, 0), household_id(2, 0));
        let mut s = Vec::new();
        write_hex16(&mut s, 0x0123_4567_89ab_cdef);
        assert_eq!(s, b"0123456789abcdef");
    }

    #[test]
    fn kk_numbers_are_unique_per_issue_date() {
        let table = RegionTable::embedded();
        let d = plan::national_districts(table)[0];
        let unit = Unit {
            district: d,
            start: 0,
            households: 1,
            villages: Vec::new(),
            partners: None,
        };
        let mut g = DistrictGen::new(&unit, 1, days(2026, 1, 1));
        let mut seen = HashSet::new();
        for _ in 0..12_000 {
            let kk = g.kk(days(2020, 3, 4));
            assert!(seen.insert(kk));
            assert_eq!(kk / 10_000_000_000, 110101);
        }
    }
}
