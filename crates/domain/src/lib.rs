//! The pure domain of Selaras: identifiers (NIK, KK, region codes), registry records and
//! their validation, money and dates, roles and access rules. No I/O, no SQL, no HTTP.

#[macro_use]
mod macros;

pub mod access;
pub mod askesos;
pub mod audit;
pub mod cases;
pub mod casework;
pub mod codes;
pub mod date;
pub mod indicators;
pub mod jsonfile;
pub mod money;
pub mod nik;
pub mod participation;
pub mod pmt;
pub mod programs;
pub mod proposal;
pub mod region;
pub mod registry;
pub mod rules;

pub use date::Date;
pub use money::Rupiah;
pub use nik::{KkNumber, Nik, NikError};
pub use region::{RegionCode, RegionLevel, RegionScope};
