//! Askesos reports over members, payments and claims, grouped by LPA or region: members
//! by status and card delivery, retention after the subsidy ends, contributions against
//! claims paid, claims paid late, LPA fees. Pure sums; the caller loads the rows inside
//! the reader's scope.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::Date;
use crate::money::Rupiah;

use super::claims::ClaimState;
use super::ledger::CoverStatus;
use super::product::Payer;

/// A member as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// The LPA id or region code the member is counted under.
    pub group: String,
    /// `None` while the membership lasts.
    pub ended: bool,
    pub status: CoverStatus,
    pub card_delivered: bool,
    /// The product has a subsidy phase and it ended on or before the report's day.
    pub subsidy_ended: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemberCounts {
    pub group: String,
    pub members: i64,
    pub subsidised: i64,
    pub self_paying: i64,
    pub in_arrears: i64,
    pub lapsed: i64,
    pub ended: i64,
    pub cards_delivered: i64,
    pub cards_not_delivered: i64,
}

/// Members per group by where their policy stands.
pub fn member_counts(rows: &[MemberRow]) -> Vec<MemberCounts> {
    let mut m: BTreeMap<&str, MemberCounts> = BTreeMap::new();
    for r in rows {
        let c = m.entry(&r.group).or_insert_with(|| MemberCounts {
            group: r.group.clone(),
            ..Default::default()
        });
        c.members += 1;
        if r.ended {
            c.ended += 1;
        } else {
            match r.status {
                CoverStatus::Subsidised | CoverStatus::NotStarted => c.subsidised += 1,
                CoverStatus::SelfPaying => c.self_paying += 1,
                CoverStatus::InArrears => c.in_arrears += 1,
                CoverStatus::Lapsed => c.lapsed += 1,
            }
        }
        if r.card_delivered {
            c.cards_delivered += 1;
        } else {
            c.cards_not_delivered += 1;
        }
    }
    m.into_values().collect()
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Retention {
    pub group: String,
    /// Members whose subsidy ended.
    pub subsidy_ended: i64,
    /// Of them, still paying (self-paying or within the grace period).
    pub still_paying: i64,
    /// `still_paying / subsidy_ended` in tenths of a percent (422 = 42,2 %).
    pub permille: i64,
}

/// Retention after the subsidy: of the members whose subsidy phase ended, how many pay
/// their own contributions (Gunung Mas: 600 → 253, 42,2 %).
pub fn retention(rows: &[MemberRow]) -> Vec<Retention> {
    let mut m: BTreeMap<&str, Retention> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.subsidy_ended) {
        let e = m.entry(&r.group).or_insert_with(|| Retention {
            group: r.group.clone(),
            ..Default::default()
        });
        e.subsidy_ended += 1;
        if !r.ended && matches!(r.status, CoverStatus::SelfPaying | CoverStatus::InArrears) {
            e.still_paying += 1;
        }
    }
    m.into_values()
        .map(|mut e| {
            e.permille = permille(e.still_paying, e.subsidy_ended);
            e
        })
        .collect()
}

/// `a / b` in tenths of a percent, rounded half up (0 when `b == 0`).
pub fn permille(a: i64, b: i64) -> i64 {
    if b == 0 {
        0
    } else {
        (a * 2000 + b) / (2 * b)
    }
}

/// A payment as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub group: String,
    pub paid_on: Date,
    pub amount: Rupiah,
    pub payer: Payer,
    /// The LPA's fee rate on the day (basis points of a subsidy payment).
    pub fee_bp: i64,
}

/// A claim as the reports see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    pub group: String,
    pub state: ClaimState,
    pub amount: Option<Rupiah>,
    /// The day the claim was complete (verified), the service level's due day, and the
    /// day it was paid.
    pub complete_on: Option<Date>,
    pub due_on: Option<Date>,
    pub paid_on: Option<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MoneyRow {
    pub group: String,
    pub year: i32,
    pub member_contributions: Rupiah,
    pub lpa_contributions: Rupiah,
    pub subsidy: Rupiah,
    pub total_in: Rupiah,
    pub claims_paid: i64,
    pub claims_paid_amount: Rupiah,
    /// Claims paid against money in, in tenths of a percent (`None` when nothing came in).
    pub claims_permille: Option<i64>,
    pub lpa_fees: Rupiah,
}

fn add(a: &mut Rupiah, b: Rupiah) {
    a.0 = a.0.saturating_add(b.0);
}

/// Contributions in, claims paid out and LPA fees, per group and calendar year, over
/// `[from, to]`.
pub fn money(payments: &[PaymentRow], claims: &[ClaimRow], from: Date, to: Date) -> Vec<MoneyRow> {
    let mut acc = Money::new(from, to);
    for p in payments {
        acc.payment(&p.group, p.paid_on, p.amount, p.payer, p.fee_bp);
    }
    for c in claims {
        acc.claim(c);
    }
    acc.finish()
}

/// [`money`] one payment at a time, for callers that fold millions of payments without
/// holding them.
#[derive(Debug, Clone)]
pub struct Money {
    from: Date,
    to: Date,
    // By group, then year: a lookup allocates nothing once the group is there.
    rows: BTreeMap<String, BTreeMap<i32, MoneyRow>>,
}

impl Money {
    pub fn new(from: Date, to: Date) -> Money {
        Money {
            from,
            to,
            rows: BTreeMap::new(),
        }
    }

    fn row(&mut self, g: &str, y: i32) -> &mut MoneyRow {
        if !self.rows.contains_key(g) {
            self.rows.insert(g.to_string(), BTreeMap::new());
        }
        self.rows
            .get_mut(g)
            .expect("inserted above")
            .entry(y)
            .or_insert_with(|| MoneyRow {
                group: g.to_string(),
                year: y,
                ..Default::default()
            })
    }

    /// A payment of `group` (`fee_bp`: the LPA's fee rate that day, for a subsidy).
    pub fn payment(
        &mut self,
        group: &str,
        paid_on: Date,
        amount: Rupiah,
        payer: Payer,
        fee_bp: i64,
    ) {
        if paid_on < self.from || paid_on > self.to {
            return;
        }
        let r = self.row(group, paid_on.year());
        match payer {
            Payer::Member => add(&mut r.member_contributions, amount),
            Payer::Lpa => add(&mut r.lpa_contributions, amount),
            Payer::Subsidy => {
                add(&mut r.subsidy, amount);
                add(&mut r.lpa_fees, Rupiah(amount.0 * fee_bp / 10_000));
            }
        }
        add(&mut r.total_in, amount);
    }

    pub fn claim(&mut self, c: &ClaimRow) {
        let (Some(day), Some(a)) = (c.paid_on, c.amount) else {
            return;
        };
        if c.state != ClaimState::Paid || day < self.from || day > self.to {
            return;
        }
        let r = self.row(&c.group, day.year());
        r.claims_paid += 1;
        add(&mut r.claims_paid_amount, a);
    }

    pub fn finish(self) -> Vec<MoneyRow> {
        self.rows
            .into_values()
            .flat_map(BTreeMap::into_values)
            .map(|mut r| {
                r.claims_permille =
                    (r.total_in.0 > 0).then(|| permille(r.claims_paid_amount.0, r.total_in.0));
                r
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Lateness {
    pub group: String,
    /// Claims paid in the period.
    pub paid: i64,
    /// Of them, paid after the service level's due day.
    pub paid_late: i64,
    /// Complete claims not paid by `to` whose due day has passed.
    pub open_overdue: i64,
}

/// Claims paid late against the service level (working days from a complete claim).
pub fn lateness(claims: &[ClaimRow], from: Date, to: Date) -> Vec<Lateness> {
    let mut m: BTreeMap<&str, Lateness> = BTreeMap::new();
    for c in claims {
        let e = || Lateness {
            group: c.group.clone(),
            ..Default::default()
        };
        match (c.state, c.paid_on, c.due_on) {
            (ClaimState::Paid, Some(paid), Some(due)) if paid >= from && paid <= to => {
                let r = m.entry(&c.group).or_insert_with(e);
                r.paid += 1;
                if paid > due {
                    r.paid_late += 1;
                }
            }
            (ClaimState::Verified | ClaimState::Approved, None, Some(due)) if due < to => {
                m.entry(&c.group).or_insert_with(e).open_overdue += 1;
            }
            _ => {}
        }
    }
    m.into_values().collect()
}
