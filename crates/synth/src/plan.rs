//! Which villages get how many households, grouped into units of work (one per district, in
//! region-code order), and the region-level facts the generator draws from: province tables,
//! random region effects, and the partner districts that movers' NIKs come from.

use selaras_domain::region::{RegionCode, RegionLevel, RegionScope};
use selaras_regions::RegionTable;

use crate::rng::{hash, normal_of, unit_of};
use crate::GenError;

/// Hash domain tags.
pub(crate) mod tag {
    pub const VILLAGE_WEIGHT: u64 = 1;
    pub const REGENCY_WEIGHT: u64 = 2;
    pub const PROVINCE_EFFECT: u64 = 3;
    pub const REGENCY_EFFECT: u64 = 4;
    pub const DISTRICT_EFFECT: u64 = 5;
    pub const VILLAGE_EFFECT: u64 = 6;
    pub const COASTAL: u64 = 7;
    pub const REMOTE: u64 = 8;
    pub const DISTRICT_STREAM: u64 = 9;
    pub const HOUSEHOLD_ID: u64 = 10;
    pub const GEO: u64 = 11;
    pub const VILLAGE_LAYOUT: u64 = 12;
    pub const APPORTION_OFFSET: u64 = 13;
}

/// Facts about one province, approximate and public: population in millions (2024
/// projections), the share of people under the national poverty line in March 2024 (%),
/// a rough centre (latitude, longitude), and building traditions.
pub(crate) struct Province {
    pub code: &'static str,
    pub pop_m: f64,
    pub poverty_pct: f64,
    pub lat: f64,
    pub lon: f64,
    /// 0–1: how common timber floors and walls are.
    pub wood: f64,
    /// Clay-tile roofs dominate (Java, Bali) rather than zinc.
    pub tile_roofs: bool,
    /// Share of districts that are remote (no grid, springs, firewood).
    pub remote: f64,
}

#[allow(clippy::too_many_arguments)]
const fn p(
    code: &'static str,
    pop_m: f64,
    poverty_pct: f64,
    lat: f64,
    lon: f64,
    wood: f64,
    tile_roofs: bool,
    remote: f64,
) -> Province {
    Province {
        code,
        pop_m,
        poverty_pct,
        lat,
        lon,
        wood,
        tile_roofs,
        remote,
    }
}

pub(crate) const PROVINCES: &[Province] = &[
    p("11", 5.55, 14.2, 4.4, 96.9, 0.35, false, 0.06),
    p("12", 15.6, 8.0, 2.2, 99.1, 0.4, false, 0.05),
    p("13", 5.8, 6.0, -0.8, 100.6, 0.3, false, 0.04),
    p("14", 6.7, 6.4, 0.5, 101.8, 0.5, false, 0.06),
    p("15", 3.7, 7.3, -1.6, 103.0, 0.5, false, 0.06),
    p("16", 8.8, 11.0, -3.3, 104.2, 0.5, false, 0.06),
    p("17", 2.1, 13.6, -3.6, 102.3, 0.45, false, 0.06),
    p("18", 9.4, 10.7, -4.9, 105.2, 0.35, true, 0.04),
    p("19", 1.5, 4.5, -2.4, 106.3, 0.3, false, 0.04),
    p("21", 2.2, 5.4, 1.0, 104.5, 0.4, false, 0.1),
    p("31", 10.7, 4.3, -6.2, 106.8, 0.0, true, 0.0),
    p("32", 50.3, 7.5, -6.9, 107.6, 0.05, true, 0.0),
    p("33", 37.9, 10.5, -7.2, 110.1, 0.05, true, 0.0),
    p("34", 3.7, 10.8, -7.9, 110.4, 0.05, true, 0.0),
    p("35", 41.6, 9.8, -7.6, 112.5, 0.05, true, 0.0),
    p("36", 12.4, 5.8, -6.4, 106.1, 0.05, true, 0.0),
    p("51", 4.4, 4.0, -8.4, 115.2, 0.05, true, 0.0),
    p("52", 5.6, 11.9, -8.6, 117.4, 0.3, false, 0.05),
    p("53", 5.6, 19.5, -8.9, 121.5, 0.45, false, 0.2),
    p("61", 5.6, 6.3, 0.0, 110.5, 0.85, false, 0.12),
    p("62", 2.8, 5.2, -1.7, 113.4, 0.9, false, 0.15),
    p("63", 4.2, 4.0, -3.1, 115.3, 0.8, false, 0.08),
    p("64", 4.0, 5.8, 0.5, 116.4, 0.75, false, 0.12),
    p("65", 0.73, 6.2, 3.0, 116.3, 0.85, false, 0.2),
    p("71", 2.7, 7.3, 1.2, 124.8, 0.55, false, 0.06),
    p("72", 3.1, 11.8, -1.4, 121.4, 0.6, false, 0.1),
    p("73", 9.4, 8.1, -4.0, 120.0, 0.6, false, 0.05),
    p("74", 2.8, 11.2, -4.1, 122.2, 0.6, false, 0.1),
    p("75", 1.2, 14.6, 0.6, 122.4, 0.55, false, 0.08),
    p("76", 1.5, 11.2, -2.5, 119.3, 0.6, false, 0.1),
    p("81", 1.9, 16.1, -3.2, 129.5, 0.6, false, 0.25),
    p("82", 1.35, 6.3, 1.0, 127.8, 0.6, false, 0.25),
    p("91", 1.06, 17.3, -2.6, 139.5, 0.85, false, 0.4),
    p("92", 0.56, 21.7, -1.3, 133.2, 0.85, false, 0.4),
    p("93", 0.53, 17.4, -7.0, 139.5, 0.85, false, 0.5),
    p("94", 1.45, 29.8, -3.8, 136.3, 0.9, false, 0.6),
    p("95", 1.45, 33.0, -4.1, 138.9, 0.9, false, 0.8),
    p("96", 0.6, 18.1, -1.0, 131.5, 0.85, false, 0.4),
];

/// National poverty share (%) that the province shares are compared with.
const NATIONAL_POVERTY_PCT: f64 = 9.0;
/// Spread of log consumption within a province, used to turn poverty shares into shifts.
const WITHIN_SD: f64 = 0.5;

/// Used for a province missing from [`PROVINCES`] (a future code).
const DEFAULT_PROVINCE: Province = p("00", 2.0, 9.0, -2.5, 118.0, 0.5, false, 0.1);

pub(crate) fn province(code2: &[u8]) -> &'static Province {
    PROVINCES
        .iter()
        .find(|p| p.code.as_bytes() == code2)
        .unwrap_or(&DEFAULT_PROVINCE)
}

/// Inverse of the standard normal distribution function (Acklam's rational approximation,
/// relative error < 1.2e-9).
pub(crate) fn probit(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let plow = 0.02425;
    if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -probit(1.0 - p)
    }
}

/// The structural shift of a province's log consumption: poorer provinces lower.
pub(crate) fn province_shift(p: &Province) -> f64 {
    -WITHIN_SD * (probit(p.poverty_pct / 100.0) - probit(NATIONAL_POVERTY_PCT / 100.0))
}

/// The whole region effect on a village's log consumption: the province's structural
/// shift plus random province, regency, district and village effects drawn from the seed.
pub(crate) fn region_effect(seed: u64, village: &RegionCode) -> f64 {
    let b = village.as_str().as_bytes();
    province_shift(province(&b[..2]))
        + 0.05 * normal_of(hash(seed, tag::PROVINCE_EFFECT, &b[..2]))
        + 0.12 * normal_of(hash(seed, tag::REGENCY_EFFECT, &b[..5]))
        + 0.07 * normal_of(hash(seed, tag::DISTRICT_EFFECT, &b[..8]))
        + 0.08 * normal_of(hash(seed, tag::VILLAGE_EFFECT, b))
}

/// A *kelurahan* (urban village, `DDDD` starting with 1) or any village of a *kota* (regency
/// number 71 and above).
pub(crate) fn is_urban(village: &RegionCode) -> bool {
    let b = village.as_str().as_bytes();
    b.len() == 13 && (b[9] == b'1' || b[3] >= b'7')
}

/// One district's share of the data set.
pub(crate) struct Unit {
    pub district: RegionCode,
    /// Global index of the unit's first household.
    pub start: u64,
    pub households: u64,
    /// Villages with at least one household, in code order, with their counts.
    pub villages: Vec<(RegionCode, u64)>,
    /// The districts that movers' NIKs come from: the previous district in code order (local
    /// moves) and the one half-way round the national list (long-distance moves). Both maps
    /// are bijections of the national district list, so each district is the local partner of
    /// exactly one district and the far partner of exactly one district. `None` when the
    /// unit's district is not in that list.
    pub partners: Option<(RegionCode, RegionCode)>,
}

pub(crate) struct Plan {
    pub units: Vec<Unit>,
    pub villages_used: usize,
}

/// Eligible villages (in both idn-area-data versions, inside one of the scopes; empty scopes
/// = the whole country) in code order, or the error naming the scopes that match none.
pub(crate) fn villages<'t>(
    table: &'t RegionTable,
    scopes: &[RegionScope],
) -> Result<Vec<&'t RegionCode>, GenError> {
    let national = [RegionScope::National];
    let scopes = if scopes.is_empty() {
        &national[..]
    } else {
        scopes
    };
    let mut out: Vec<&RegionCode> = Vec::new();
    let mut unmatched = Vec::new();
    for s in scopes {
        let before = out.len();
        out.extend(
            table
                .in_scope_iter(s, RegionLevel::Village)
                .filter(|r| r.in_v3 && r.in_v4)
                .map(|r| &r.code),
        );
        if out.len() == before {
            unmatched.push(s.to_string());
        }
    }
    if !unmatched.is_empty() {
        return Err(GenError::NoVillages {
            prefixes: unmatched,
        });
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Deterministic apportionment of `total` households over `villages`: each village's
/// weight is its province's people per village (all versions' villages counted), times 3 for
/// an urban village, times log-normal regency and village factors drawn from the seed. The
/// total is split by systematic sampling proportional to weight: `total` equally spaced
/// points, with an offset drawn from the seed, over the villages' cumulative weights in code
/// order; a village gets the points that fall in its stretch. Every village gets the floor or
/// the ceiling of its exact share (so small totals are an unbiased spread, not the heaviest
/// villages), the counts add up exactly, and they depend only on (seed, villages, total).
pub(crate) fn apportion(
    table: &RegionTable,
    villages: &[&RegionCode],
    total: u64,
    seed: u64,
) -> Vec<u64> {
    // Villages per province over the whole table, for people per village.
    let mut per_province: Vec<(&[u8], f64)> = Vec::new();
    for r in table.in_scope_iter(&RegionScope::National, RegionLevel::Province) {
        let n = table
            .in_scope_iter(&RegionScope::Region(r.code), RegionLevel::Village)
            .len();
        per_province.push((r.code.as_str().as_bytes(), n.max(1) as f64));
    }
    let weights: Vec<f64> = villages
        .iter()
        .map(|v| {
            let b = v.as_str().as_bytes();
            let prov = province(&b[..2]);
            let n = per_province
                .iter()
                .find(|(c, _)| *c == &b[..2])
                .map_or(1.0, |x| x.1);
            let urban = if is_urban(v) { 3.0 } else { 1.0 };
            let reg = (0.3 * normal_of(hash(seed, tag::REGENCY_WEIGHT, &b[..5]))).exp();
            let vil = (0.45 * normal_of(hash(seed, tag::VILLAGE_WEIGHT, b))).exp();
            prov.pop_m / n * urban * reg * vil
        })
        .collect();
    let sum: f64 = weights.iter().sum();
    if total == 0 || villages.is_empty() {
        return vec![0; villages.len()];
    }
    let step = sum / total as f64;
    let offset = unit_of(hash(seed, tag::APPORTION_OFFSET, b"")) * step;
    // Points offset + k·step (k = 0..total) strictly below x.
    let points_below =
        |x: f64| -> u64 { (((x - offset) / step).ceil().max(0.0) as u64).min(total) };
    let mut counts = Vec::with_capacity(villages.len());
    let mut cum = 0.0;
    let mut before = 0u64;
    for (i, w) in weights.iter().enumerate() {
        cum += w;
        let upto = if i + 1 == weights.len() {
            total
        } else {
            points_below(cum).max(before)
        };
        counts.push(upto - before);
        before = upto;
    }
    counts
}

/// The national list of districts present in both versions, in code order (the domain of
/// the partner maps).
pub(crate) fn national_districts(table: &RegionTable) -> Vec<RegionCode> {
    table
        .in_scope_iter(&RegionScope::National, RegionLevel::District)
        .filter(|r| r.in_v3 && r.in_v4)
        .map(|r| r.code)
        .collect()
}

pub(crate) fn plan(
    table: &RegionTable,
    scopes: &[RegionScope],
    total: u64,
    seed: u64,
) -> Result<Plan, GenError> {
    let villages = villages(table, scopes)?;
    let counts = apportion(table, &villages, total, seed);
    let districts = national_districts(table);
    let n = districts.len();
    let partners_of = |d: &RegionCode| {
        let i = districts.binary_search(d).ok()?;
        (n >= 2).then(|| (districts[(i + n - 1) % n], districts[(i + n / 2) % n]))
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut start = 0u64;
    let mut villages_used = 0;
    for (v, c) in villages.iter().zip(&counts) {
        if *c == 0 {
            continue;
        }
        villages_used += 1;
        let d = v
            .at_level(RegionLevel::District)
            .expect("a village has a district");
        match units.last_mut() {
            Some(u) if u.district == d => {
                u.villages.push((**v, *c));
                u.households += c;
            }
            _ => units.push(Unit {
                district: d,
                start,
                households: *c,
                villages: vec![(**v, *c)],
                partners: partners_of(&d),
            }),
        }
        start += c;
    }
    Ok(Plan {
        units,
        villages_used,
    })
}

/// A plausible position for a village: the province centre moved by regency, district and
/// village offsets from the seed, kept inside Indonesia's box (−11..6, 95..141).
pub(crate) fn village_position(seed: u64, village: &RegionCode) -> (f64, f64) {
    let b = village.as_str().as_bytes();
    let prov = province(&b[..2]);
    let off = |len: usize, spread: f64, k: u64| {
        let h = hash(seed, tag::GEO + k, &b[..len]);
        (unit_of(h) * 2.0 - 1.0) * spread
    };
    let lat = prov.lat + off(5, 0.8, 0) + off(8, 0.15, 1) + off(13, 0.03, 2);
    let lon = prov.lon + off(5, 1.2, 3) + off(8, 0.2, 4) + off(13, 0.04, 5);
    (lat.clamp(-10.9, 5.9), lon.clamp(95.1, 140.9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probit_known_values() {
        assert!((probit(0.5)).abs() < 1e-9);
        assert!((probit(0.975) - 1.959_963_985).abs() < 1e-6);
        assert!((probit(0.01) + 2.326_347_874).abs() < 1e-6);
    }

    #[test]
    fn apportionment_adds_up() {
        let t = RegionTable::embedded();
        let scope = [RegionScope::parse("32.01").unwrap()];
        let v = villages(t, &scope).unwrap();
        for total in [0, 1, 7, 1000, 123_457] {
            let c = apportion(t, &v, total, 5);
            assert_eq!(c.iter().sum::<u64>(), total);
        }
        // Proportional shares: with 10 per village on average, none is far off and few are
        // empty.
        let total = 10 * v.len() as u64;
        let c = apportion(t, &v, total, 5);
        assert!(c.iter().all(|n| *n < 200), "{:?}", c.iter().max());
        assert!(c.iter().filter(|n| **n == 0).count() * 20 < c.len());
    }
}
