//! Claims: whether a claim may be made, and the benefit the product's table gives.
//! A refusal names the field and says why, in Indonesian.

use serde::Serialize;

use crate::date::Date;
use crate::money::Rupiah;

use super::ledger::{membership_year, Ledger};
use super::product::{Amount, Event, Product};

labelled_codes!(
    /// What the insured was doing when an accident happened.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    Activity {
        Work = "work" / "bekerja" / "at work",
        Commute = "commute" / "perjalanan pergi atau pulang kerja" / "commuting",
        Other = "other" / "lainnya" / "other",
    }
);

labelled_codes!(
    /// A claim's state.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    ClaimState {
        Received = "received" / "diterima" / "received",
        Verified = "verified" / "diverifikasi LPA" / "verified by the LPA",
        Approved = "approved" / "disetujui" / "approved",
        Rejected = "rejected" / "ditolak" / "rejected",
        Paid = "paid" / "dibayar" / "paid",
    }
);

labelled_codes!(
    /// How a membership ended.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    EndReason {
        AgeOut = "age_out" / "melewati batas umur" / "over the age limit",
        Ineligible = "ineligible" / "tidak memenuhi syarat" / "no longer eligible",
        Request = "request" / "atas permintaan" / "on request",
        Death = "death" / "meninggal dunia" / "death",
        RegistryExit = "registry_exit" / "keluar dari registri" / "left the registry",
    }
);

/// An heir of a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeirRef {
    pub nik: String,
    pub relation: String,
}

/// A claim already made on the membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorClaim {
    pub event: Event,
    pub state: ClaimState,
}

/// The member a claim is made on.
#[derive(Debug, Clone)]
pub struct Insured<'a> {
    pub nik: &'a str,
    pub occupation: &'a str,
    /// The day membership ended and why, if it has.
    pub ended: Option<(Date, EndReason)>,
    pub heirs: &'a [HeirRef],
    pub ledger: &'a Ledger,
    pub prior: &'a [PriorClaim],
}

/// A claim as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimInput {
    pub event: Event,
    pub event_date: Date,
    pub filed_on: Date,
    /// The member (illness, accident) or an heir (death); `None` for a claim the system
    /// opened from the registry before an heir came forward.
    pub claimant_nik: Option<String>,
    pub activity: Activity,
    /// The occupation at the time of an accident.
    pub occupation: Option<String>,
    pub illness_days: Option<u32>,
    /// What treatment cost (for benefits paid up to a cap).
    pub cost: Option<Rupiah>,
}

/// What the product gives for an admissible claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    pub amount: Rupiah,
    pub membership_year: u32,
    /// How the amount was found, in Indonesian.
    pub basis: String,
    pub sla_working_days: u32,
}

/// A refused claim: the field and the reason.
pub type Refusal = (&'static str, String);

/// Decides whether `c` is admissible on `m` under `p`, and the benefit.
pub fn assess(p: &Product, m: &Insured<'_>, c: &ClaimInput) -> Result<Assessment, Refusal> {
    let Some(benefit) = p.benefit(c.event) else {
        let names: Vec<&str> = p.events().iter().map(|e| e.code()).collect();
        return Err((
            "event",
            format!(
                "{} tidak ditanggung {} (ditanggung: {})",
                c.event.label_id(),
                p.code,
                names.join(", ")
            ),
        ));
    };
    if c.event_date > c.filed_on {
        return Err(("event_date", "setelah tanggal pengajuan".into()));
    }
    let ledger = m.ledger;
    if c.event_date < ledger.cover_start {
        return Err((
            "event_date",
            format!(
                "sebelum perlindungan mulai ({})",
                ledger.cover_start.to_id_string()
            ),
        ));
    }
    if let Some((end, why)) = m.ended {
        // A death that ended the membership is claimable on its own day.
        let ok = c.event_date < end || (c.event_date == end && why == EndReason::Death);
        if !ok {
            return Err((
                "event_date",
                format!(
                    "kepesertaan berakhir {} ({})",
                    end.to_id_string(),
                    why.label_id()
                ),
            ));
        }
    }
    if let Some((a, b)) = ledger
        .gaps
        .iter()
        .find(|(a, b)| *a <= c.event_date && c.event_date < *b)
    {
        return Err((
            "event_date",
            format!(
                "polis lapse {} sampai {} (sebelum pemulihan)",
                a.to_id_string(),
                b.to_id_string()
            ),
        ));
    }
    if let Some(l) = ledger.lapsed_since.filter(|l| c.event_date >= *l) {
        return Err((
            "event_date",
            format!("polis lapse sejak {}", l.to_id_string()),
        ));
    }
    let deadline = c.event_date.plus_days(p.claims.deadline_days as i64);
    if c.filed_on > deadline {
        return Err((
            "filed_on",
            format!(
                "lewat batas pengajuan {} hari setelah kejadian",
                p.claims.deadline_days
            ),
        ));
    }
    match (&c.claimant_nik, c.event.is_death()) {
        (Some(nik), true) if !m.heirs.iter().any(|h| &h.nik == nik) => {
            return Err((
                "claimant_nik",
                "bukan ahli waris yang tercatat untuk peserta ini".into(),
            ))
        }
        (Some(nik), false) if nik != m.nik => {
            return Err((
                "claimant_nik",
                "klaim sakit atau kecelakaan diajukan oleh peserta sendiri".into(),
            ))
        }
        _ => {}
    }
    if c.event.is_death()
        && m.prior
            .iter()
            .any(|x| x.event.is_death() && x.state != ClaimState::Rejected)
    {
        return Err(("event", "klaim kematian peserta ini sudah ada".into()));
    }
    if benefit.work_related {
        match c.activity {
            Activity::Commute => {}
            Activity::Work => {
                let at = c.occupation.as_deref().unwrap_or(m.occupation);
                if at != m.occupation {
                    return Err((
                        "occupation",
                        format!(
                            "kecelakaan kerja hanya untuk pekerjaan yang tercatat saat pendaftaran ({}), bukan {at}",
                            m.occupation
                        ),
                    ));
                }
            }
            Activity::Other => {
                return Err((
                    "activity",
                    format!(
                        "{} ditanggung hanya saat bekerja atau dalam perjalanan kerja",
                        c.event.label_id()
                    ),
                ))
            }
        }
    }
    if let (Some(lo), Some(hi)) = (benefit.min_days, benefit.max_days) {
        match c.illness_days {
            Some(d) if (lo..=hi).contains(&d) => {}
            Some(d) => {
                return Err((
                    "illness_days",
                    format!("sakit {d} hari; ditanggung {lo}–{hi} hari"),
                ))
            }
            None => return Err(("illness_days", format!("wajib diisi ({lo}–{hi} hari)"))),
        }
    }
    if let Some(g) = &benefit.cap_group {
        let cap = p.caps.get(g).copied().unwrap_or(u32::MAX);
        let used = m
            .prior
            .iter()
            .filter(|x| x.state != ClaimState::Rejected)
            .filter(|x| p.benefit(x.event).and_then(|b| b.cap_group.as_ref()) == Some(g))
            .count() as u32;
        if used >= cap {
            return Err((
                "event",
                format!("sudah {used} klaim {g}; paling banyak {cap} kali"),
            ));
        }
    }
    let year = membership_year(ledger.cover_start, c.event_date);
    let (amount, basis) = match &benefit.amount {
        Amount::Fixed(r) => (*r, format!("tetap {r}")),
        Amount::UpTo(cap) => match c.cost {
            Some(cost) if cost.0 > 0 => {
                let a = cost.min(*cap);
                (a, format!("biaya {cost}, paling banyak {cap}"))
            }
            _ => {
                return Err((
                    "cost",
                    format!("biaya perawatan wajib diisi (paling banyak {cap})"),
                ))
            }
        },
        Amount::ByMembershipYear(v) => {
            let a = v[(year as usize - 1).min(v.len() - 1)];
            (a, format!("tahun kepesertaan ke-{year}: {a}"))
        }
        Amount::WageMonths { percent_bp, months } => {
            let wage = p.declared_wage.unwrap_or_default();
            let a = Rupiah(wage.0 * percent_bp * months / 10_000);
            (
                a,
                format!(
                    "{},{:02} % × {months} bulan × upah {wage}",
                    percent_bp / 100,
                    percent_bp % 100
                ),
            )
        }
    };
    Ok(Assessment {
        amount,
        membership_year: year,
        basis,
        sla_working_days: p.sla_days(c.event),
    })
}

/// The documents of `p`'s checklist for `event` that `have` lacks.
pub fn missing_documents(p: &Product, event: Event, have: &[String]) -> Vec<String> {
    p.documents(event)
        .iter()
        .filter(|d| !have.contains(d))
        .cloned()
        .collect()
}

labelled_codes!(
    /// What can be done to a claim.
    #[derive(Serialize)]
    #[serde(rename_all = "snake_case")]
    ClaimAction {
        Verify = "verify" / "verifikasi kelengkapan" / "verify documents",
        Approve = "approve" / "setujui" / "approve",
        Reject = "reject" / "tolak" / "reject",
        Pay = "pay" / "catat pembayaran" / "record payment",
    }
);

/// The claim life cycle: received → verified (documents complete; the service-level
/// clock starts) → approved | rejected → paid.
pub fn next_state(from: ClaimState, action: ClaimAction) -> Option<ClaimState> {
    use ClaimAction as A;
    use ClaimState as S;
    match (from, action) {
        (S::Received, A::Verify) => Some(S::Verified),
        (S::Received | S::Verified, A::Reject) => Some(S::Rejected),
        (S::Verified, A::Approve) => Some(S::Approved),
        (S::Approved, A::Pay) => Some(S::Paid),
        _ => None,
    }
}
