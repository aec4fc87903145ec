//! The batch engine: streaming import and export of the registry in the interchange
//! format, and ranking editions over the registry. (Eligibility runs join here later.)

pub mod catalogue;
pub mod editions;
pub mod eligibility;
pub mod export;
pub mod import;
pub mod participation;

use selaras_domain::registry::RegionLookup;
use selaras_domain::RegionCode;
use selaras_regions::RegionTable;

/// The region table as the domain's parsers ask for it.
#[derive(Clone, Copy)]
pub struct Regions(pub &'static RegionTable);

impl RegionLookup for Regions {
    fn is_known_village(&self, code: &RegionCode) -> bool {
        self.0.is_known_village(code)
    }
    fn is_known_district_digits(&self, digits: &[u8; 6]) -> bool {
        RegionLookup::is_known_district_digits(self.0, digits)
    }
}

impl Default for Regions {
    fn default() -> Self {
        Regions(RegionTable::embedded())
    }
}
