//! What surrounds the case life cycle ([`crate::cases`]): the configurable settings of a
//! service (categories, service levels), the deadline each state carries, the next step
//! told to the family, the messages the family receives, and who an overdue case is
//! escalated to. Pure: the clock and the storage are the caller's.

use serde::{Deserialize, Serialize};

use crate::access::Role;
use crate::cases::{rule_of, Action, CaseKind, CaseState, Route, Who, LIFE_CYCLE};

/// One entry of a configurable category list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub label_id: String,
    pub label_en: String,
}

fn cat(code: &str, id: &str, en: &str) -> Category {
    Category {
        code: code.into(),
        label_id: id.into(),
        label_en: en.into(),
    }
}

/// Service levels in calendar days (interfaces.md and issue #5 give the first three).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevels {
    /// Verification within this many days of submission.
    pub verify_days: u32,
    /// The referral decision (refer or forward, then accept or reject by the program or
    /// data manager) within this many days of verification.
    pub decide_days: u32,
    /// Closing feedback to the family within this many days of resolution or rejection.
    pub feedback_days: u32,
    /// Not in the sources: an accepted case resolved within this many days.
    pub resolve_days: u32,
    /// Not in the sources: a returned case resubmitted within this many days.
    pub resubmit_days: u32,
}

impl Default for ServiceLevels {
    fn default() -> Self {
        ServiceLevels {
            verify_days: 7,
            decide_days: 14,
            feedback_days: 7,
            resolve_days: 30,
            resubmit_days: 7,
        }
    }
}

/// A service's settings. A `need` names a program of the catalogue as its category, so
/// it has no list here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSettings {
    pub complaint_categories: Vec<Category>,
    pub update_categories: Vec<Category>,
    pub registration_categories: Vec<Category>,
    pub service_levels: ServiceLevels,
}

impl Default for CaseSettings {
    fn default() -> Self {
        CaseSettings {
            complaint_categories: vec![
                cat(
                    "membership",
                    "Kepesertaan (tidak/keliru terdaftar di basis data atau program)",
                    "Membership (not, or wrongly, in the registry or a program)",
                ),
                cat(
                    "implementation",
                    "Pelaksanaan program (penyaluran, besaran, layanan)",
                    "Program implementation (delivery, amount, service)",
                ),
            ],
            update_categories: vec![
                cat("address", "Alamat atau wilayah", "Address or region"),
                cat("housing", "Kondisi rumah", "Housing"),
                cat("assets", "Kepemilikan aset", "Assets"),
                cat(
                    "members",
                    "Anggota rumah tangga (lahir, pindah, data diri)",
                    "Household members",
                ),
                cat("death", "Kematian anggota", "Death of a member"),
                cat("other", "Lainnya", "Other"),
            ],
            registration_categories: vec![
                cat(
                    "self_registration",
                    "Pendaftaran mandiri",
                    "Self-registration",
                ),
                cat(
                    "facilitator_finding",
                    "Temuan fasilitator saat kunjungan",
                    "Found on a home visit",
                ),
            ],
            service_levels: ServiceLevels::default(),
        }
    }
}

/// The longest category list and category code accepted in settings.
pub const CATEGORIES_MAX: usize = 50;
pub const CODE_MAX: usize = 40;

impl CaseSettings {
    /// The configurable list for `kind` (`None` for needs: their category is a program).
    pub fn categories(&self, kind: CaseKind) -> Option<&[Category]> {
        match kind {
            CaseKind::Complaint => Some(&self.complaint_categories),
            CaseKind::Update => Some(&self.update_categories),
            CaseKind::Registration => Some(&self.registration_categories),
            CaseKind::Need => None,
        }
    }

    /// Checks settings as given by an administrator; the error names the field.
    pub fn check(&self) -> Result<(), (String, String)> {
        for (name, list) in [
            ("complaint_categories", &self.complaint_categories),
            ("update_categories", &self.update_categories),
            ("registration_categories", &self.registration_categories),
        ] {
            if list.is_empty() || list.len() > CATEGORIES_MAX {
                return Err((
                    name.into(),
                    format!("give 1 to {CATEGORIES_MAX} categories"),
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for (i, c) in list.iter().enumerate() {
                let ok = !c.code.is_empty()
                    && c.code.len() <= CODE_MAX
                    && c.code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !ok {
                    return Err((
                        format!("{name}[{i}].code"),
                        format!("1 to {CODE_MAX} characters of a-z, 0-9 and _"),
                    ));
                }
                if !seen.insert(&c.code) {
                    return Err((format!("{name}[{i}].code"), "appears twice".into()));
                }
                for (f, v) in [("label_id", &c.label_id), ("label_en", &c.label_en)] {
                    if v.trim().is_empty() || v.chars().count() > 200 {
                        return Err((format!("{name}[{i}].{f}"), "1 to 200 characters".into()));
                    }
                }
            }
        }
        let l = &self.service_levels;
        for (f, d) in [
            ("verify_days", l.verify_days),
            ("decide_days", l.decide_days),
            ("feedback_days", l.feedback_days),
            ("resolve_days", l.resolve_days),
            ("resubmit_days", l.resubmit_days),
        ] {
            if !(1..=365).contains(&d) {
                return Err((format!("service_levels.{f}"), "1 to 365 days".into()));
            }
        }
        Ok(())
    }
}

/// What happens to a case's due time when it enters a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Due this many days from now.
    Days(u32),
    /// The clock started earlier keeps running (a referral decision is one clock from
    /// verification to accept or reject).
    Keep,
    /// No clock (a draft, a closed case).
    None,
}

/// The deadline a case gets on entering `state`.
pub fn deadline(state: CaseState, levels: &ServiceLevels) -> Deadline {
    use CaseState as S;
    match state {
        S::Draft | S::Closed => Deadline::None,
        S::Submitted => Deadline::Days(levels.verify_days),
        S::Returned => Deadline::Days(levels.resubmit_days),
        S::Verified => Deadline::Days(levels.decide_days),
        S::Referred | S::Forwarded | S::InReview => Deadline::Keep,
        S::Accepted => Deadline::Days(levels.resolve_days),
        S::Resolved | S::Rejected => Deadline::Days(levels.feedback_days),
    }
}

/// The next step, as told to the family on the public status page and in messages.
pub fn next_step_id(state: CaseState) -> &'static str {
    use CaseState as S;
    match state {
        S::Draft => "Sedang dicatat oleh petugas.",
        S::Submitted => "Menunggu pemeriksaan oleh supervisor atau back office.",
        S::Returned => "Dikembalikan kepada petugas untuk dilengkapi.",
        S::Verified => "Menunggu keputusan rujukan oleh manajer SLRT.",
        S::Referred => "Dirujuk ke pengelola program; menunggu keputusan.",
        S::Forwarded => "Diteruskan ke pengelola basis data; menunggu keputusan.",
        S::InReview => "Sedang ditelaah oleh pengelola program atau data.",
        S::Accepted => "Diterima dan sedang ditindaklanjuti.",
        S::Rejected => "Tidak dapat dipenuhi; petugas akan menyampaikan alasannya.",
        S::Resolved => "Sudah ditindaklanjuti; petugas akan menyampaikan hasilnya.",
        S::Closed => "Selesai. Tidak ada langkah berikutnya.",
    }
}

pub fn next_step_en(state: CaseState) -> &'static str {
    use CaseState as S;
    match state {
        S::Draft => "Being recorded by staff.",
        S::Submitted => "Waiting for review by the supervisor or back office.",
        S::Returned => "Returned to staff to be completed.",
        S::Verified => "Waiting for the SLRT manager's referral decision.",
        S::Referred => "Referred to the program manager; waiting for a decision.",
        S::Forwarded => "Forwarded to the registry's data manager; waiting for a decision.",
        S::InReview => "Being reviewed by the program or data manager.",
        S::Accepted => "Accepted and being acted on.",
        S::Rejected => "Cannot be granted; staff will explain why.",
        S::Resolved => "Acted on; staff will tell you the result.",
        S::Closed => "Done. No further step.",
    }
}

/// Whether the family is told of an action (an outbox message): the case was received,
/// where it went, the decision and the outcome. Internal steps (return, verify, review)
/// are not sent.
pub fn notifies_family(action: Action) -> bool {
    !matches!(action, Action::Return | Action::Verify | Action::Review)
}

/// The text sent to the family after `action` led to `state` (Indonesian; SMS-sized
/// where the note allows).
pub fn family_message(case_number: &str, state: CaseState, note: Option<&str>) -> String {
    let mut s = format!(
        "{case_number}: status {}. {}",
        state.label_id(),
        next_step_id(state)
    );
    if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
        s.push_str(" Catatan: ");
        s.push_str(n.trim());
    }
    s.push_str(" Cek status: situs SLRT, menu Status Kasus.");
    s
}

/// The case number shown to families and on letters.
pub fn case_number(id: i64) -> String {
    format!("SLRT-{id:06}")
}

/// Reads a case number as printed (`SLRT-000042`, any case) or a bare id.
pub fn parse_case_number(s: &str) -> Option<i64> {
    let s = s.trim();
    let digits = match s.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("slrt-") => &s[5..],
        _ => s,
    };
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

/// The roles that act on a case in `state` on `route` (whose work queue holds it).
pub fn responsible(state: CaseState, route: Option<&Route>) -> Vec<Role> {
    let mut out = Vec::new();
    for rule in LIFE_CYCLE.iter().filter(|r| r.from.contains(&state)) {
        let roles: &[Role] = match rule.who {
            Who::Roles(r) => r,
            Who::RouteHandlers => match route {
                Some(Route::Referral { .. }) => &[Role::ProgramOfficer],
                Some(Route::Forward) => &[Role::DataManager],
                None => &[],
            },
        };
        for r in roles {
            if !out.contains(r) {
                out.push(*r);
            }
        }
    }
    out
}

/// Who an overdue case goes up to, per responsible role: the desk and the facilitator to
/// the sub-district supervisor, the supervisor and back office to the regency's SLRT
/// manager, the manager to the administrators; program officers and data managers to
/// their own kind at a wider level (province, then the centre).
pub const ESCALATION: &[(Role, Role)] = &[
    (Role::Facilitator, Role::Supervisor),
    (Role::FrontOffice, Role::Supervisor),
    (Role::Supervisor, Role::Manager),
    (Role::BackOffice, Role::Manager),
    (Role::Manager, Role::Admin),
    (Role::ProgramOfficer, Role::ProgramOfficer),
    (Role::DataManager, Role::DataManager),
];

/// The roles an overdue case in `state` is escalated to.
pub fn escalated_to(state: CaseState, route: Option<&Route>) -> Vec<Role> {
    let mut out = Vec::new();
    for r in responsible(state, route) {
        for (from, to) in ESCALATION {
            if *from == r && !out.contains(to) {
                out.push(*to);
            }
        }
    }
    out
}

/// Whether the action's rule asks for a note.
pub fn note_required(action: Action) -> bool {
    rule_of(action).note_required
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass_their_own_check() {
        assert_eq!(CaseSettings::default().check(), Ok(()));
        let l = ServiceLevels::default();
        assert_eq!((l.verify_days, l.decide_days, l.feedback_days), (7, 14, 7));
    }

    #[test]
    fn bad_settings_name_the_field() {
        let mut s = CaseSettings::default();
        s.update_categories[1].code = "Housing!".into();
        assert_eq!(s.check().unwrap_err().0, "update_categories[1].code");
        let mut s = CaseSettings::default();
        s.complaint_categories
            .push(s.complaint_categories[0].clone());
        assert_eq!(s.check().unwrap_err().0, "complaint_categories[2].code");
        let mut s = CaseSettings::default();
        s.service_levels.decide_days = 0;
        assert_eq!(s.check().unwrap_err().0, "service_levels.decide_days");
        let mut s = CaseSettings::default();
        s.registration_categories.clear();
        assert_eq!(s.check().unwrap_err().0, "registration_categories");
    }

    #[test]
    fn every_state_has_a_deadline_rule_and_a_next_step() {
        let l = ServiceLevels::default();
        assert_eq!(deadline(CaseState::Submitted, &l), Deadline::Days(7));
        assert_eq!(deadline(CaseState::Verified, &l), Deadline::Days(14));
        assert_eq!(deadline(CaseState::Referred, &l), Deadline::Keep);
        assert_eq!(deadline(CaseState::Resolved, &l), Deadline::Days(7));
        assert_eq!(deadline(CaseState::Closed, &l), Deadline::None);
        for s in CaseState::ALL {
            assert!(!next_step_id(*s).is_empty() && !next_step_en(*s).is_empty());
            // A state someone must act in carries a clock; only draft and closed do not.
            let clock = deadline(*s, &l) != Deadline::None;
            assert_eq!(clock, !matches!(s, CaseState::Draft | CaseState::Closed));
        }
    }

    #[test]
    fn case_numbers_round_trip() {
        assert_eq!(case_number(42), "SLRT-000042");
        for n in [1, 42, 999_999, 1_234_567] {
            assert_eq!(parse_case_number(&case_number(n)), Some(n));
        }
        assert_eq!(parse_case_number("slrt-7"), Some(7));
        assert_eq!(parse_case_number(" 12 "), Some(12));
        for bad in [
            "",
            "SLRT-",
            "SLRT-0",
            "x12",
            "12a",
            "SLRT-99999999999999",
            "-3",
        ] {
            assert_eq!(parse_case_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn responsibility_follows_the_table_and_the_route() {
        use Role as R;
        assert_eq!(
            responsible(CaseState::Draft, None),
            vec![R::Facilitator, R::FrontOffice]
        );
        assert_eq!(
            responsible(CaseState::Verified, None),
            vec![R::Manager, R::BackOffice]
        );
        let referral = Route::Referral {
            program: "pkh".into(),
        };
        assert_eq!(
            responsible(CaseState::InReview, Some(&referral)),
            vec![R::ProgramOfficer]
        );
        assert_eq!(
            responsible(CaseState::Forwarded, Some(&Route::Forward)),
            vec![R::DataManager]
        );
        assert!(responsible(CaseState::Closed, None).is_empty());
        assert_eq!(escalated_to(CaseState::Submitted, None), vec![R::Manager]);
        assert_eq!(escalated_to(CaseState::Resolved, None), vec![R::Supervisor]);
        assert_eq!(
            escalated_to(CaseState::Verified, None),
            vec![R::Admin, R::Manager]
        );
        // Every state but closed has someone responsible and someone above.
        for s in CaseState::ALL.iter().filter(|s| !s.is_final()) {
            let route = match s {
                CaseState::Referred | CaseState::InReview | CaseState::Accepted => Some(&referral),
                CaseState::Forwarded => Some(&Route::Forward),
                _ => None,
            };
            assert!(!escalated_to(*s, route).is_empty(), "{s}");
        }
    }

    #[test]
    fn messages_carry_number_status_and_note() {
        let m = family_message(
            "SLRT-000042",
            CaseState::Closed,
            Some(" Bantuan cair bulan depan "),
        );
        assert!(m.starts_with("SLRT-000042: status Ditutup."));
        assert!(m.contains("Catatan: Bantuan cair bulan depan Cek"));
        assert!(notifies_family(Action::Close) && !notifies_family(Action::Verify));
        assert!(note_required(Action::Reject) && !note_required(Action::Accept));
    }
}
