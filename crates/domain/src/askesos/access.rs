//! Who may do what in Askesos. Rules are data ([`RULES`]); [`decide`] is the one place
//! that answers, asked by the API, the pages and the CLI alike.
//!
//! As everywhere: the place first (outside the caller's region, or for LPA staff another
//! LPA: `NotFound`), then the role (`Forbidden`). LPA staff act for their own LPA;
//! the district social office (the regency's SLRT manager) proposes LPAs, records the
//! subsidy and decides claims of insurer-run products; the ministry's Askesos officers
//! (program officers of `askesos`) and administrators designate LPAs; viewers and the
//! other monitoring roles read the aggregated reports.

use crate::access::{Decision, Principal, Role};
use crate::region::{RegionCode, RegionLevel, RegionScope};

use super::claims::ClaimAction;
use super::product::Operator;

labelled_codes!(
    /// An Askesos action.
    Action {
        ReadMembers = "read_members" / "melihat peserta" / "see members",
        Enrol = "enrol" / "mendaftarkan peserta, kartu, ahli waris" / "enrol members, cards, heirs",
        RecordPayment = "record_payment" / "mencatat iuran" / "record contributions",
        RecordSubsidy = "record_subsidy" / "mencatat bantuan iuran" / "record the subsidy",
        FileClaim = "file_claim" / "mengajukan klaim" / "file claims",
        VerifyClaim = "verify_claim" / "memverifikasi klaim" / "verify claims",
        DecideClaim = "decide_claim" / "memutus dan membayar klaim" / "decide and pay claims",
        ProposeLpa = "propose_lpa" / "mengusulkan LPA" / "propose LPAs",
        DesignateLpa = "designate_lpa" / "menetapkan dan mengakreditasi LPA" / "designate and accredit LPAs",
        SendReport = "send_report" / "mengirim laporan LPA" / "send LPA reports",
        ViewReports = "view_reports" / "melihat laporan" / "see reports",
        ManageSettings = "manage_settings" / "mengatur produk dan kalender" / "manage products and calendar",
    }
);

use Action::*;

/// The actions of each role (program officers: only those of the `askesos` program).
pub const RULES: &[(Role, &[Action])] = &[
    (
        Role::LpaStaff,
        &[
            ReadMembers,
            Enrol,
            RecordPayment,
            FileClaim,
            VerifyClaim,
            SendReport,
            ViewReports,
        ],
    ),
    (
        Role::Manager,
        &[
            ReadMembers,
            ProposeLpa,
            RecordSubsidy,
            DecideClaim,
            ViewReports,
        ],
    ),
    (
        Role::ProgramOfficer,
        &[
            ReadMembers,
            RecordSubsidy,
            DecideClaim,
            DesignateLpa,
            ViewReports,
        ],
    ),
    (
        Role::Admin,
        &[
            ReadMembers,
            Enrol,
            RecordPayment,
            RecordSubsidy,
            FileClaim,
            VerifyClaim,
            DecideClaim,
            ProposeLpa,
            DesignateLpa,
            ViewReports,
            ManageSettings,
        ],
    ),
    (Role::Viewer, &[ViewReports]),
    (Role::DataManager, &[ViewReports]),
    (Role::Supervisor, &[ViewReports]),
];

/// The action a claim step needs: the LPA verifies, the decider does the rest.
pub fn for_claim(step: ClaimAction) -> Action {
    match step {
        ClaimAction::Verify => VerifyClaim,
        ClaimAction::Approve | ClaimAction::Reject | ClaimAction::Pay => DecideClaim,
    }
}

/// Where an action happens: the LPA's region and id (or the member's region and LPA),
/// and who runs the product's claim fund.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub region: &'a RegionCode,
    pub lpa_id: Option<i64>,
    pub operator: Option<Operator>,
}

/// Whether `who` may do `action` at `target` (`None`: an action without a place, such as
/// the calendar or a national report).
pub fn decide(who: &Principal, action: Action, target: Option<Target<'_>>) -> Decision {
    if let Some(t) = &target {
        // An LPA's region may be a regency that contains the staff's scope or lies
        // inside it; LPA staff are bound to their LPA rather than to villages.
        let inside = who.scope.contains(t.region)
            || (who.role == Role::LpaStaff
                && matches!(&who.scope, RegionScope::Region(r) if t.region.contains(r)));
        if !inside {
            return Decision::NotFound;
        }
        if who.role == Role::LpaStaff && t.lpa_id.is_some() && t.lpa_id != who.lpa {
            return Decision::NotFound;
        }
    }
    if who.role == Role::LpaStaff && who.lpa.is_none() {
        return Decision::Forbidden;
    }
    if who.role == Role::ProgramOfficer && who.program.as_deref() != Some("askesos") {
        return if action == ViewReports {
            Decision::Allow
        } else {
            Decision::Forbidden
        };
    }
    let mut allowed = RULES
        .iter()
        .any(|(r, acts)| *r == who.role && acts.contains(&action));
    // Under the old scheme the LPA ran the claim fund and paid claims itself.
    if action == DecideClaim
        && who.role == Role::LpaStaff
        && target.and_then(|t| t.operator) == Some(Operator::LpaFund)
    {
        allowed = true;
    }
    // Designation is the ministry's or the province's, not a regency officer's.
    if action == DesignateLpa
        && who.role == Role::ProgramOfficer
        && matches!(&who.scope, RegionScope::Region(r) if r.level() != RegionLevel::Province)
    {
        allowed = false;
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, scope: &str, program: Option<&str>, lpa: Option<i64>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: RegionScope::parse(scope).unwrap(),
            program: program.map(String::from),
            lpa,
        }
    }

    #[test]
    fn lpa_staff_act_for_their_own_lpa_only() {
        let regency = RegionCode::parse("62.11").unwrap();
        let t = |lpa, op| {
            Some(Target {
                region: &regency,
                lpa_id: Some(lpa),
                operator: op,
            })
        };
        let staff = who(Role::LpaStaff, "62.11", None, Some(7));
        assert_eq!(decide(&staff, Enrol, t(7, None)), Decision::Allow);
        assert_eq!(decide(&staff, Enrol, t(8, None)), Decision::NotFound);
        assert_eq!(
            decide(
                &staff,
                DecideClaim,
                t(7, Some(Operator::BpjsKetenagakerjaan))
            ),
            Decision::Forbidden
        );
        assert_eq!(
            decide(&staff, DecideClaim, t(7, Some(Operator::LpaFund))),
            Decision::Allow
        );
        assert_eq!(
            decide(&staff, DesignateLpa, t(7, None)),
            Decision::Forbidden
        );
        let other = RegionCode::parse("62.12").unwrap();
        let outside = Some(Target {
            region: &other,
            lpa_id: Some(7),
            operator: None,
        });
        assert_eq!(decide(&staff, ReadMembers, outside), Decision::NotFound);
        let no_lpa = who(Role::LpaStaff, "62.11", None, None);
        assert_eq!(decide(&no_lpa, Enrol, t(7, None)), Decision::NotFound);
    }

    #[test]
    fn offices_and_ministry() {
        let regency = RegionCode::parse("62.11").unwrap();
        let t = Some(Target {
            region: &regency,
            lpa_id: Some(1),
            operator: None,
        });
        let manager = who(Role::Manager, "62.11", None, None);
        assert_eq!(decide(&manager, ProposeLpa, t), Decision::Allow);
        assert_eq!(decide(&manager, DesignateLpa, t), Decision::Forbidden);
        assert_eq!(decide(&manager, Enrol, t), Decision::Forbidden);
        let ministry = who(Role::ProgramOfficer, "national", Some("askesos"), None);
        assert_eq!(decide(&ministry, DesignateLpa, t), Decision::Allow);
        let regency_officer = who(Role::ProgramOfficer, "62.11", Some("askesos"), None);
        assert_eq!(
            decide(&regency_officer, DesignateLpa, t),
            Decision::Forbidden
        );
        let pkh = who(Role::ProgramOfficer, "national", Some("pkh"), None);
        assert_eq!(decide(&pkh, ReadMembers, t), Decision::Forbidden);
        assert_eq!(decide(&pkh, ViewReports, t), Decision::Allow);
        let viewer = who(Role::Viewer, "62", None, None);
        assert_eq!(decide(&viewer, ViewReports, t), Decision::Allow);
        assert_eq!(decide(&viewer, ReadMembers, t), Decision::Forbidden);
        let facilitator = who(Role::Facilitator, "62.11.01.2001", None, None);
        assert_eq!(decide(&facilitator, ReadMembers, t), Decision::NotFound);
        let admin = who(Role::Admin, "national", None, None);
        assert_eq!(decide(&admin, ManageSettings, None), Decision::Allow);
    }
}
