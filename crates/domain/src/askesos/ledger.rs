//! A member's contributions: which months are paid, by whom, when cover lapsed and was
//! reinstated. Everything is derived from the cover start and the payments (an
//! append-only list), so the same inputs always give the same answer.
//!
//! Month `k` (1-based) of cover falls due on `cover_start + (k − 1) months`. Months of a
//! subsidy phase are the government's to pay and never lapse a policy (unpaid ones are
//! a receivable); a member's month unpaid `grace_period_days` after it fell due lapses
//! the policy from the next day. Paying the arrears in full within `reinstatement_days`
//! reinstates it from the day of payment; the days in between stay uncovered.

use serde::Serialize;

use crate::date::Date;
use crate::money::Rupiah;

use super::product::{Payer, Product};

/// A recorded payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEntry {
    pub paid_on: Date,
    pub months: u32,
    pub amount: Rupiah,
    pub payer: Payer,
}

labelled_codes!(
    /// Where a policy stands on a day (membership ended is decided by the member's state).
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    CoverStatus {
        NotStarted = "not_started" / "belum berlaku" / "not started",
        Subsidised = "subsidised" / "aktif, iuran dibantu pemerintah" / "active, subsidised",
        SelfPaying = "self_paying" / "aktif, iuran mandiri" / "active, self-paying",
        InArrears = "in_arrears" / "menunggak (masa tenggang)" / "in arrears (grace period)",
        Lapsed = "lapsed" / "lapse (tidak aktif)" / "lapsed",
    }
);

/// The ledger of one member on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ledger {
    pub as_of: Date,
    pub cover_start: Date,
    /// Months of cover that have fallen due on `as_of`.
    pub months_due: u32,
    pub subsidy_months: u32,
    pub subsidy_months_paid: u32,
    pub member_months_paid: u32,
    /// Member months fallen due and unpaid, and what they come to.
    pub arrears_months: u32,
    pub arrears: Rupiah,
    /// The due date of the first unpaid member month.
    pub next_due: Option<Date>,
    /// The current lapse began on this day.
    pub lapsed_since: Option<Date>,
    /// Past uncovered spans `[from, to)`: lapses that ended with a reinstatement.
    pub gaps: Vec<(Date, Date)>,
    pub status: CoverStatus,
}

/// Month `k`'s due date.
pub fn due_date(cover_start: Date, k: u32) -> Date {
    cover_start.plus_months(k.saturating_sub(1))
}

/// Whole months from `start` to `day` (0 before the first monthiversary).
pub fn months_between(start: Date, day: Date) -> u32 {
    if day < start {
        return 0;
    }
    let mut m = (day.year() - start.year()) * 12 + day.month() as i32 - start.month() as i32;
    if m > 0 && start.plus_months(m as u32) > day {
        m -= 1;
    }
    m.max(0) as u32
}

/// The membership year (1, 2, …) `day` falls in.
pub fn membership_year(cover_start: Date, day: Date) -> u32 {
    months_between(cover_start, day) / 12 + 1
}

/// The ledger of a member with `payments` (in the order recorded) on `as_of`; payments
/// dated after `as_of` are ignored.
pub fn evaluate(p: &Product, cover_start: Date, payments: &[PaymentEntry], as_of: Date) -> Ledger {
    let c = &p.contribution;
    let s = p.subsidy_months();
    let months_due = if as_of < cover_start {
        0
    } else {
        months_between(cover_start, as_of) + 1
    };
    // When each member month was paid, in the order the months fall due.
    let mut member_paid: Vec<Date> = Vec::new();
    let mut subsidy_paid = 0u32;
    for pay in payments.iter().filter(|x| x.paid_on <= as_of) {
        match pay.payer {
            Payer::Subsidy => subsidy_paid = subsidy_paid.saturating_add(pay.months),
            Payer::Member | Payer::Lpa => {
                member_paid.extend(std::iter::repeat_n(pay.paid_on, pay.months as usize))
            }
        }
    }
    let grace = c.grace_period_days as i64;
    let mut gaps: Vec<(Date, Date)> = Vec::new();
    let mut lapsed_since = None;
    let mut arrears_months = 0u32;
    let mut next_due = None;
    let first_member = s.saturating_add(1);
    if s != u32::MAX {
        let mut k = first_member;
        loop {
            let due = due_date(cover_start, k);
            let idx = (k - first_member) as usize;
            let paid = member_paid.get(idx).copied();
            if paid.is_none() && next_due.is_none() {
                next_due = Some(due);
            }
            if due > as_of {
                break;
            }
            let lapse_from = due.plus_days(grace + 1);
            match paid {
                Some(pd) if pd < lapse_from => {}
                Some(pd) => {
                    // Reinstated on `pd`; a later month's lapse inside the same span is
                    // the same gap.
                    if gaps.last().is_none_or(|g| g.1 <= lapse_from) {
                        gaps.push((lapse_from, pd));
                    }
                }
                None => {
                    arrears_months += 1;
                    if as_of >= lapse_from && lapsed_since.is_none() {
                        lapsed_since = Some(lapse_from);
                    }
                }
            }
            k += 1;
        }
    }
    let arrears = Rupiah(c.monthly_amount.0 * arrears_months as i64);
    let status = if months_due == 0 {
        CoverStatus::NotStarted
    } else if months_due <= s {
        CoverStatus::Subsidised
    } else if lapsed_since.is_some() {
        CoverStatus::Lapsed
    } else if arrears_months > 0 {
        CoverStatus::InArrears
    } else {
        CoverStatus::SelfPaying
    };
    Ledger {
        as_of,
        cover_start,
        months_due,
        subsidy_months: if s == u32::MAX { months_due } else { s },
        subsidy_months_paid: subsidy_paid,
        member_months_paid: member_paid.len() as u32,
        arrears_months,
        arrears,
        next_due,
        lapsed_since,
        gaps,
        status,
    }
}

impl Ledger {
    /// Whether the policy covered `day` (membership end is the caller's to check).
    pub fn covers(&self, day: Date) -> bool {
        day >= self.cover_start
            && !self.gaps.iter().any(|(a, b)| *a <= day && day < *b)
            && self.lapsed_since.is_none_or(|l| day < l)
    }
}

/// A payment to record, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRequest {
    pub paid_on: Date,
    pub months: u32,
    pub amount: Rupiah,
    pub payer: Payer,
    /// Pays the arrears of a lapsed policy in full and reinstates it.
    pub reinstate: bool,
}

/// Member months that may be paid ahead of time.
pub const MAX_MONTHS_AHEAD: u32 = 12;

/// Checks a payment against the product and the ledger on its day (`before`: the ledger
/// on `paid_on` from the payments stored so far). The error names the field.
pub fn check_payment(
    p: &Product,
    before: &Ledger,
    last_paid_on: Option<Date>,
    r: &PaymentRequest,
) -> Result<(), (&'static str, String)> {
    let monthly = p.contribution.monthly_amount;
    if r.months == 0 {
        return Err(("months", "paling sedikit 1 bulan".into()));
    }
    if r.paid_on < before.cover_start {
        return Err((
            "paid_on",
            format!("sebelum kepesertaan berlaku ({})", before.cover_start),
        ));
    }
    if last_paid_on.is_some_and(|l| r.paid_on < l) {
        return Err((
            "paid_on",
            format!(
                "sebelum pembayaran terakhir ({}); pembayaran dicatat berurutan",
                last_paid_on.expect("checked")
            ),
        ));
    }
    let expected = monthly.checked_mul(r.months as i64);
    if expected != Some(r.amount) {
        return Err((
            "amount",
            format!(
                "{} bulan × {} = {}, bukan {}",
                r.months,
                monthly,
                expected.map_or("?".into(), |e| e.to_string()),
                r.amount
            ),
        ));
    }
    match r.payer {
        Payer::Subsidy => {
            if r.reinstate {
                return Err(("reinstate", "pemulihan dibayar peserta atau LPA".into()));
            }
            let left =
                before.subsidy_months - before.subsidy_months_paid.min(before.subsidy_months);
            if r.months > left {
                return Err((
                    "months",
                    format!(
                        "bantuan iuran tinggal {left} bulan dari {} bulan",
                        before.subsidy_months
                    ),
                ));
            }
        }
        Payer::Member | Payer::Lpa => {
            if p.subsidy_months() == u32::MAX {
                return Err(("payer", "produk ini seluruhnya dibayar bantuan".into()));
            }
            match (before.lapsed_since, r.reinstate) {
                (Some(since), false) => {
                    return Err((
                        "reinstate",
                        format!(
                            "polis lapse sejak {}; tunggakan {} bulan ({}) harus dilunasi sekaligus sebagai pemulihan",
                            since.to_id_string(),
                            before.arrears_months,
                            before.arrears
                        ),
                    ))
                }
                (Some(since), true) => {
                    let days = (r.paid_on.days_since_epoch() - since.days_since_epoch()) as u32;
                    if days > p.contribution.reinstatement_days {
                        return Err((
                            "reinstate",
                            format!(
                                "lapse sejak {} sudah {days} hari, lebih dari batas pemulihan {} hari: daftar ulang",
                                since.to_id_string(),
                                p.contribution.reinstatement_days
                            ),
                        ));
                    }
                    if r.months < before.arrears_months {
                        return Err((
                            "months",
                            format!(
                                "pemulihan harus melunasi tunggakan {} bulan ({})",
                                before.arrears_months, before.arrears
                            ),
                        ));
                    }
                }
                (None, true) => {
                    return Err(("reinstate", "polis tidak lapse".into()));
                }
                (None, false) => {}
            }
            let due_member = before.months_due.saturating_sub(before.subsidy_months);
            if before.member_months_paid + r.months > due_member + MAX_MONTHS_AHEAD {
                return Err((
                    "months",
                    format!("paling banyak {MAX_MONTHS_AHEAD} bulan dibayar di muka"),
                ));
            }
        }
    }
    Ok(())
}
