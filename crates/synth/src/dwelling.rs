//! Housing and assets drawn from a household's latent wealth.
//!
//! Every variable is a noisy function of the standardised wealth index `s` (from the
//! household's permanent log consumption and size), urban residence, remoteness and the
//! province's building traditions, so that a proxy-means-test regression recovers part,
//! not all, of consumption.

use selaras_domain::codes::{
    CookingFuel, DrinkingWater, FloorType, Lighting, Ownership, RoofType, Toilet, WallType,
};

use crate::plan::Province;
use crate::rng::{logistic, Rng};

pub(crate) struct Place<'a> {
    pub urban: bool,
    pub remote: bool,
    pub coastal: bool,
    pub province: &'a Province,
}

pub(crate) struct HeadFacts {
    pub age: i32,
    pub agriculture: bool,
    pub fishery: bool,
    pub public_admin: bool,
    pub size: usize,
    pub children: bool,
    pub higher_education: bool,
}

pub(crate) struct Dwelling {
    pub ownership: Ownership,
    /// Tenths of a square metre.
    pub floor_area_tenths: u32,
    pub floor: FloorType,
    pub wall: WallType,
    pub roof: RoofType,
    pub water: DrinkingWater,
    pub lighting: Lighting,
    pub electricity_va: Option<u32>,
    pub cooking: CookingFuel,
    pub toilet: Toilet,
    pub assets: [bool; 15],
    pub cattle: Option<u32>,
    pub goats: Option<u32>,
}

fn b(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}

/// 1 + a geometric count with the given mean excess.
fn count(rng: &mut Rng, mean_excess: f64) -> u32 {
    let p = 1.0 / (1.0 + mean_excess);
    let mut n = 1;
    while n < 60 && !rng.chance(p) {
        n += 1;
    }
    n
}

pub(crate) fn draw(rng: &mut Rng, s: f64, pl: &Place, h: &HeadFacts) -> Dwelling {
    let u = b(pl.urban);
    let r = b(pl.remote);
    let wood = pl.province.wood * (1.0 - 0.6 * u);

    let ownership = {
        let own = if pl.urban { 0.66 } else { 0.86 } + if h.age < 30 { -0.2 } else { 0.0 };
        let x = rng.f64();
        if h.public_admin && rng.chance(0.06) {
            Ownership::Official
        } else if x < own {
            Ownership::Own
        } else if x < own + (1.0 - own) * if pl.urban { 0.65 } else { 0.35 } {
            Ownership::Rent
        } else if rng.chance(0.92) {
            Ownership::RentFree
        } else {
            Ownership::Other
        }
    };

    let ln_size = (h.size as f64).ln();
    let ln_area =
        48f64.ln() + 0.3 * s + 0.3 * (ln_size - 4f64.ln()) - 0.15 * u + 0.32 * rng.normal();
    let floor_area_tenths = (ln_area.exp().clamp(9.0, 600.0) * 10.0).round() as u32;

    let floor = {
        let z = 1.1 * s + 0.5 * u - 0.7 * r + 0.85 * rng.normal();
        if rng.chance(wood * 0.55) {
            if z > 0.9 {
                FloorType::WoodHigh
            } else if z < -1.2 && rng.chance(0.3) {
                FloorType::Bamboo
            } else {
                FloorType::WoodLow
            }
        } else if z < -2.0 {
            FloorType::Earth
        } else if z < -1.75 {
            FloorType::Bamboo
        } else if z < -0.55 {
            FloorType::CementBrick
        } else if z < -0.1 {
            FloorType::TerrazzoTile
        } else if z < 2.4 {
            if rng.chance(0.03) {
                FloorType::ParquetVinyl
            } else {
                FloorType::Ceramic
            }
        } else {
            FloorType::MarbleGranite
        }
    };

    let wall = {
        let z = 1.0 * s + 0.5 * u - 0.5 * r + 0.85 * rng.normal();
        if rng.chance(0.004) {
            WallType::Other
        } else if rng.chance(wood * 0.65) {
            if z > 1.1 {
                WallType::Masonry
            } else if z < -1.6 {
                WallType::Bamboo
            } else {
                WallType::Wood
            }
        } else if z < -1.9 {
            WallType::Bamboo
        } else if z < -1.35 {
            WallType::PlasterBamboo
        } else if z < -1.1 {
            WallType::Wood
        } else {
            WallType::Masonry
        }
    };

    let roof = {
        let z = 0.9 * s + 0.4 * u - 0.6 * r + 0.8 * rng.normal();
        if z < -2.1 {
            [RoofType::Thatch, RoofType::Bamboo, RoofType::WoodShingle]
                [rng.pick(&[60.0, 25.0, 15.0])]
        } else if rng.chance(0.003) {
            RoofType::Other
        } else if z > 1.8 && rng.chance(if pl.urban { 0.35 } else { 0.12 }) {
            RoofType::Concrete
        } else if pl.province.tile_roofs {
            if z < -0.9 {
                [RoofType::ClayTile, RoofType::Asbestos, RoofType::Zinc]
                    [rng.pick(&[50.0, 30.0, 20.0])]
            } else if rng.chance(0.15 * u) {
                RoofType::Asbestos
            } else {
                RoofType::ClayTile
            }
        } else if pl.province.wood > 0.7 && rng.chance(0.05) {
            RoofType::WoodShingle
        } else {
            [RoofType::Zinc, RoofType::Asbestos, RoofType::ClayTile][rng.pick(&[82.0, 12.0, 6.0])]
        }
    };

    let water = {
        use DrinkingWater as W;
        let z = 1.0 * s + 0.6 * u - 0.8 * r + 0.85 * rng.normal();
        if rng.chance(0.004) {
            W::Other
        } else if pl.urban {
            if z > 1.8 {
                W::Bottled
            } else if z > -0.5 {
                [W::Refill, W::Piped, W::PumpWell][rng.pick(&[50.0, 30.0, 20.0])]
            } else if z > -1.5 {
                [W::PumpWell, W::ProtectedWell, W::Piped][rng.pick(&[40.0, 40.0, 20.0])]
            } else {
                [W::UnprotectedWell, W::Surface, W::Rain][rng.pick(&[70.0, 15.0, 15.0])]
            }
        } else if z > 2.3 {
            W::Bottled
        } else if z > 0.3 {
            [W::Refill, W::PumpWell, W::Piped][rng.pick(&[40.0, 35.0, 25.0])]
        } else if z > -0.8 {
            [W::ProtectedWell, W::PumpWell, W::ProtectedSpring, W::Piped]
                [rng.pick(&[45.0, 25.0, 20.0, 10.0])]
        } else if z > -1.8 {
            [
                W::UnprotectedWell,
                W::UnprotectedSpring,
                W::Rain,
                W::Surface,
            ][rng.pick(&[45.0, 35.0, 10.0, 10.0])]
        } else {
            [W::Surface, W::UnprotectedSpring, W::Rain][rng.pick(&[40.0, 40.0, 20.0])]
        }
    };

    let z_light = 1.2 * s + 0.8 * u + 0.9 * rng.normal();
    let lighting = if pl.remote && rng.chance(0.35 - 0.1 * s.clamp(-1.0, 1.5)) {
        if rng.chance(0.12) {
            Lighting::None
        } else {
            Lighting::NonPln
        }
    } else if rng.chance(0.004) {
        Lighting::None
    } else if rng.chance(0.01) {
        Lighting::NonPln
    } else if z_light < -2.5 {
        Lighting::PlnUnmetered
    } else {
        Lighting::PlnMetered
    };
    let electricity_va = if rng.chance(0.04) {
        None
    } else {
        Some(match lighting {
            Lighting::PlnMetered => {
                let z = 1.25 * s + 0.5 * u + 0.65 * rng.normal();
                if z < -0.5 {
                    450
                } else if z < 0.6 {
                    900
                } else if z < 1.4 {
                    1300
                } else if z < 2.2 {
                    2200
                } else if z < 3.0 {
                    3500
                } else {
                    5500
                }
            }
            Lighting::PlnUnmetered => {
                if rng.chance(0.7) {
                    450
                } else {
                    900
                }
            }
            Lighting::NonPln | Lighting::None => 0,
        })
    };

    let cooking = {
        use CookingFuel as C;
        let z = 1.1 * s + 0.9 * u - 0.8 * r + 0.85 * rng.normal();
        if h.size == 1 && pl.urban && rng.chance(0.15) {
            C::None
        } else if pl.urban {
            if z > 2.3 {
                [C::Electricity, C::LpgLarge][rng.pick(&[30.0, 70.0])]
            } else if z > 1.3 {
                [C::LpgLarge, C::Lpg3kg][rng.pick(&[40.0, 60.0])]
            } else if z > -1.9 {
                C::Lpg3kg
            } else {
                [C::Kerosene, C::Firewood, C::Charcoal][rng.pick(&[40.0, 45.0, 15.0])]
            }
        } else if z > 1.8 {
            [C::LpgLarge, C::Lpg3kg][rng.pick(&[50.0, 50.0])]
        } else if z > -0.6 {
            C::Lpg3kg
        } else if z > -1.1 {
            [C::Lpg3kg, C::Firewood][rng.pick(&[50.0, 50.0])]
        } else if rng.chance(0.01) {
            C::Biogas
        } else if pl.remote {
            [C::Firewood, C::Kerosene][rng.pick(&[65.0, 35.0])]
        } else {
            [C::Firewood, C::Kerosene, C::Charcoal][rng.pick(&[85.0, 10.0, 5.0])]
        }
    };

    let toilet = {
        let z = 1.0 * s + 0.4 * u - 0.6 * r + 0.85 * rng.normal();
        if z > -1.05 {
            Toilet::Private
        } else if z > -1.6 {
            Toilet::Shared
        } else if z > -2.0 || (pl.urban && rng.chance(0.5)) {
            Toilet::Public
        } else {
            Toilet::None
        }
    };

    // The 15 asset flags, in `ASSET_COLUMNS` order.
    let fish = b(h.fishery);
    let coast = b(pl.coastal);
    let p: [f64; 15] = [
        logistic(-2.6 + 1.2 * s + 0.3 * u),
        logistic(0.1 + 1.5 * s + 0.4 * u - 1.5 * r),
        logistic(-3.4 + 1.6 * s + 1.0 * u),
        logistic(-4.0 + 1.6 * s + 0.6 * u),
        logistic(-4.6 + 1.2 * s + 0.8 * u),
        logistic(2.2 + 1.2 * s - 1.5 * r),
        logistic(-1.6 + 1.1 * s),
        logistic(-2.3 + 1.4 * s + 0.5 * u + 0.6 * b(h.higher_education)),
        logistic(-1.1 + 0.3 * s + 0.5 * b(h.children)),
        logistic(1.6 + 1.1 * s - 0.7 * r),
        logistic(-3.0 + 1.6 * s + 0.3 * u),
        if pl.coastal {
            logistic(-2.6 + 2.0 * fish + 0.2 * s)
        } else {
            0.003
        },
        logistic(-6.0 + 2.8 * coast + 2.0 * fish + 0.6 * s),
        logistic(0.0 - 1.6 * u + 1.5 * b(h.agriculture) + 0.5 * s),
        logistic(-3.0 + 1.3 * s),
    ];
    let mut assets = [false; 15];
    for (a, p) in assets.iter_mut().zip(p) {
        *a = rng.chance(p);
    }

    let livestock_unknown = rng.chance(0.03);
    let cattle = if livestock_unknown {
        None
    } else if !pl.urban && rng.chance(logistic(-3.0 + 1.3 * b(h.agriculture) + 0.4 * s)) {
        Some(count(rng, 1.5))
    } else {
        Some(0)
    };
    let goats = if livestock_unknown {
        None
    } else if rng.chance(logistic(-3.2 - 1.0 * u + 1.0 * b(h.agriculture) + 0.2 * s)) {
        Some(count(rng, 2.5))
    } else {
        Some(0)
    };

    Dwelling {
        ownership,
        floor_area_tenths,
        floor,
        wall,
        roof,
        water,
        lighting,
        electricity_va,
        cooking,
        toilet,
        assets,
        cattle,
        goats,
    }
}
