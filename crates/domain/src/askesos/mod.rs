//! Askesos (*Asuransi Kesejahteraan Sosial*), the social-welfare insurance for informal
//! workers (issue #7): products as versioned data ([`product`]), eligibility against the
//! registry ([`eligibility`]), the contribution ledger with lapse and reinstatement
//! ([`ledger`]), claims and benefits ([`claims`]), working days ([`calendar`]) and
//! reports ([`reports`]). No I/O.

pub mod access;
pub mod calendar;
pub mod claims;
pub mod eligibility;
pub mod ledger;
pub mod product;
pub mod reports;

#[cfg(test)]
mod tests;
