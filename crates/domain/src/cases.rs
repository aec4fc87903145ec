//! The life cycle of an SLRT case (interfaces.md, "Case life cycle"), as data and a pure
//! state machine: which action leads from which states to which, who may take it, and
//! which need a note or a program. Region checks are the authorizer's (a case is judged
//! here only once it is visible to the actor).
//!
//! A verified case goes one of two routes: `refer` sends it to a program's officers
//! (complaints and needs), `forward` to the registry's data managers (data changes and
//! new households). From then on the route decides who acts: on a referred case the
//! officers of that program, on a forwarded one the data managers — the table's "program
//! officer of that program, data manager", read per route.

use serde::{Deserialize, Serialize};

use crate::access::{authorize, Decision, Permission, Principal, Role};
use crate::region::RegionCode;

labelled_codes!(
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    CaseKind {
    Complaint = "complaint" / "Pengaduan" / "Complaint",
    Need = "need" / "Kebutuhan program" / "Need",
    Update = "update" / "Perubahan data" / "Data change",
    Registration = "registration" / "Pendaftaran rumah tangga baru" / "New household",
});

labelled_codes!(
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    CaseState {
    Draft = "draft" / "Draf" / "Draft",
    Submitted = "submitted" / "Diajukan" / "Submitted",
    Returned = "returned" / "Dikembalikan" / "Returned",
    Verified = "verified" / "Terverifikasi" / "Verified",
    Referred = "referred" / "Dirujuk" / "Referred",
    Forwarded = "forwarded" / "Diteruskan ke pengelola data" / "Forwarded",
    InReview = "in_review" / "Ditelaah" / "In review",
    Accepted = "accepted" / "Diterima" / "Accepted",
    Rejected = "rejected" / "Ditolak" / "Rejected",
    Resolved = "resolved" / "Diselesaikan" / "Resolved",
    Closed = "closed" / "Ditutup" / "Closed",
});

labelled_codes!(
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    Action {
    Submit = "submit" / "Ajukan" / "Submit",
    Return = "return" / "Kembalikan" / "Return",
    Verify = "verify" / "Verifikasi" / "Verify",
    Refer = "refer" / "Rujuk ke program" / "Refer",
    Forward = "forward" / "Teruskan ke pengelola data" / "Forward",
    Review = "review" / "Telaah" / "Review",
    Accept = "accept" / "Terima" / "Accept",
    Reject = "reject" / "Tolak" / "Reject",
    Resolve = "resolve" / "Selesaikan" / "Resolve",
    Close = "close" / "Tutup dengan umpan balik" / "Close",
});

impl CaseState {
    /// No action leads out of it.
    pub fn is_final(self) -> bool {
        self == CaseState::Closed
    }
}

/// Who may take an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Roles(&'static [Role]),
    /// The route's handlers: the program officers of the referral's program, or the data
    /// managers for a forwarded case.
    RouteHandlers,
}

/// One row of the life-cycle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub action: Action,
    pub from: &'static [CaseState],
    pub to: CaseState,
    pub who: Who,
    /// A note is required (`reject`: why; `close`: the feedback given to the family).
    pub note_required: bool,
}

use CaseState as S;
use Role as R;

/// The life-cycle table of interfaces.md, row by row, one per action in [`Action`]
/// order.
pub const LIFE_CYCLE: &[Rule] = &[
    Rule {
        action: Action::Submit,
        from: &[S::Draft, S::Returned],
        to: S::Submitted,
        who: Who::Roles(&[R::Facilitator, R::FrontOffice]),
        note_required: false,
    },
    Rule {
        action: Action::Return,
        from: &[S::Submitted],
        to: S::Returned,
        who: Who::Roles(&[R::Supervisor, R::BackOffice]),
        note_required: false,
    },
    Rule {
        action: Action::Verify,
        from: &[S::Submitted],
        to: S::Verified,
        who: Who::Roles(&[R::Supervisor, R::BackOffice]),
        note_required: false,
    },
    Rule {
        action: Action::Refer,
        from: &[S::Verified],
        to: S::Referred,
        who: Who::Roles(&[R::Manager, R::BackOffice]),
        note_required: false,
    },
    Rule {
        action: Action::Forward,
        from: &[S::Verified],
        to: S::Forwarded,
        who: Who::Roles(&[R::Manager]),
        note_required: false,
    },
    Rule {
        action: Action::Review,
        from: &[S::Referred, S::Forwarded],
        to: S::InReview,
        who: Who::RouteHandlers,
        note_required: false,
    },
    Rule {
        action: Action::Accept,
        from: &[S::Referred, S::Forwarded, S::InReview],
        to: S::Accepted,
        who: Who::RouteHandlers,
        note_required: false,
    },
    Rule {
        action: Action::Reject,
        from: &[S::Referred, S::Forwarded, S::InReview],
        to: S::Rejected,
        who: Who::RouteHandlers,
        note_required: true,
    },
    Rule {
        action: Action::Resolve,
        from: &[S::Accepted],
        to: S::Resolved,
        who: Who::RouteHandlers,
        note_required: false,
    },
    Rule {
        action: Action::Close,
        from: &[S::Resolved, S::Rejected],
        to: S::Closed,
        who: Who::Roles(&[R::Facilitator, R::FrontOffice]),
        note_required: true,
    },
];

/// Where a verified case went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// To the officers of this program.
    Referral { program: String },
    /// To the registry's data managers.
    Forward,
}

/// The part of a case the life cycle reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub kind: CaseKind,
    pub state: CaseState,
    pub route: Option<Route>,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub role: Role,
    /// For program officers: their program.
    pub program: Option<&'a str>,
}

/// An action as asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub action: Action,
    pub note: Option<&'a str>,
    /// For `refer`: the program the case goes to.
    pub program: Option<&'a str>,
}

/// Why an action is refused, in the order it is checked: the role (403), the state
/// (409), then the request's fields (422, naming the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("role {role} may not {action} this case")]
    Forbidden { role: Role, action: Action },
    #[error("cannot {action} a case that is {state}")]
    WrongState { action: Action, state: CaseState },
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
}

/// Whether `actor` handles cases on `route`.
fn handles(actor: &Actor<'_>, route: Option<&Route>) -> bool {
    match route {
        Some(Route::Referral { program }) => {
            actor.role == Role::ProgramOfficer && actor.program == Some(program.as_str())
        }
        Some(Route::Forward) => actor.role == Role::DataManager,
        None => false,
    }
}

/// The table's row for an action (rows are in [`Action`] order; a test holds them so).
pub fn rule_of(action: Action) -> &'static Rule {
    &LIFE_CYCLE[action as usize]
}

/// Whether `actor`'s role (and program) may ever take `action` on `case` — the state
/// aside. What pages use to offer the buttons, with [`allowed_now`].
pub fn may(case: &Case, actor: &Actor<'_>, action: Action) -> bool {
    match rule_of(action).who {
        Who::Roles(roles) => roles.contains(&actor.role),
        Who::RouteHandlers => handles(actor, case.route.as_ref()),
    }
}

/// The actions `actor` may take on `case` now.
pub fn allowed_now(case: &Case, actor: &Actor<'_>) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| may(case, actor, *a) && rule_of(*a).from.contains(&case.state))
        .collect()
}

/// Whether `who` may see a case of village `region` on `route` — the one decision every
/// read of a case goes through, before [`apply`] decides on actions. Outside the caller's
/// region: `NotFound`. Inside it, program officers see only cases referred to their
/// program and data managers only forwarded cases (anything else is `NotFound` to them,
/// as if absent); roles without access to personal data (viewers) get `Forbidden`.
pub fn visible(who: &Principal, region: &RegionCode, route: Option<&Route>) -> Decision {
    match authorize(who, Permission::ReadPersonalData, Some(region)) {
        Decision::NotFound => return Decision::NotFound,
        d if who.role != Role::ProgramOfficer => {
            if who.role == Role::DataManager && route != Some(&Route::Forward) {
                return Decision::NotFound;
            }
            return d;
        }
        _ => {}
    }
    // Program officers have no general access to personal data: only through referrals.
    match route {
        Some(Route::Referral { program }) if who.program.as_deref() == Some(program.as_str()) => {
            Decision::Allow
        }
        _ => Decision::NotFound,
    }
}

/// Longest note accepted, in characters.
pub const NOTE_MAX: usize = 2_000;

/// Applies `req` to `case` for `actor`: the case after the action, or why not (nothing
/// changes on refusal).
pub fn apply(case: &Case, actor: &Actor<'_>, req: &Request<'_>) -> Result<Case, CaseError> {
    let rule = rule_of(req.action);
    if !may(case, actor, req.action) {
        return Err(CaseError::Forbidden {
            role: actor.role,
            action: req.action,
        });
    }
    if !rule.from.contains(&case.state) {
        return Err(CaseError::WrongState {
            action: req.action,
            state: case.state,
        });
    }
    let note = req.note.map(str::trim).filter(|n| !n.is_empty());
    if rule.note_required && note.is_none() {
        return Err(CaseError::Invalid {
            field: "note",
            reason: match req.action {
                Action::Close => "say what the family was told".into(),
                _ => "say why".into(),
            },
        });
    }
    if note.is_some_and(|n| n.chars().count() > NOTE_MAX) {
        return Err(CaseError::Invalid {
            field: "note",
            reason: format!("longer than {NOTE_MAX} characters"),
        });
    }
    let route = match req.action {
        Action::Refer => {
            let program = req.program.map(str::trim).filter(|p| !p.is_empty());
            let Some(program) = program else {
                return Err(CaseError::Invalid {
                    field: "program",
                    reason: "name the program the case is referred to".into(),
                });
            };
            Some(Route::Referral {
                program: program.to_string(),
            })
        }
        Action::Forward => Some(Route::Forward),
        _ => case.route.clone(),
    };
    Ok(Case {
        kind: case.kind,
        state: rule.to,
        route,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn new_case(kind: CaseKind) -> Case {
        Case {
            kind,
            state: CaseState::Draft,
            route: None,
        }
    }

    fn actor(role: Role) -> Actor<'static> {
        Actor {
            role,
            program: (role == Role::ProgramOfficer).then_some("pkh"),
        }
    }

    fn act(case: &Case, role: Role, action: Action, note: Option<&str>) -> Result<Case, CaseError> {
        apply(
            case,
            &actor(role),
            &Request {
                action,
                note,
                program: Some("pkh"),
            },
        )
    }

    #[test]
    fn a_need_walks_to_closed_through_a_referral() {
        let mut c = new_case(CaseKind::Need);
        for (role, action, note) in [
            (Role::FrontOffice, Action::Submit, None),
            (Role::Supervisor, Action::Verify, None),
            (Role::Manager, Action::Refer, None),
            (Role::ProgramOfficer, Action::Review, None),
            (Role::ProgramOfficer, Action::Accept, None),
            (Role::ProgramOfficer, Action::Resolve, None),
            (
                Role::Facilitator,
                Action::Close,
                Some("Keluarga sudah dikabari"),
            ),
        ] {
            c = act(&c, role, action, note).unwrap();
        }
        assert_eq!(c.state, CaseState::Closed);
        assert_eq!(
            c.route,
            Some(Route::Referral {
                program: "pkh".into()
            })
        );
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let c = new_case(CaseKind::Update);
        assert!(matches!(
            act(&c, Role::Manager, Action::Submit, None),
            Err(CaseError::Forbidden { .. })
        ));
        assert!(matches!(
            act(&c, Role::Supervisor, Action::Verify, None),
            Err(CaseError::WrongState { .. })
        ));
        let c = act(&c, Role::Facilitator, Action::Submit, None).unwrap();
        let c = act(&c, Role::BackOffice, Action::Verify, None).unwrap();
        let c = act(&c, Role::Manager, Action::Forward, None).unwrap();
        // Forwarded: data managers act, program officers do not.
        assert!(matches!(
            act(&c, Role::ProgramOfficer, Action::Accept, None),
            Err(CaseError::Forbidden { .. })
        ));
        assert_eq!(
            act(&c, Role::DataManager, Action::Reject, Some("  ")),
            Err(CaseError::Invalid {
                field: "note",
                reason: "say why".into()
            })
        );
        let r = act(
            &c,
            Role::DataManager,
            Action::Reject,
            Some("Data sudah benar"),
        )
        .unwrap();
        assert_eq!(r.state, CaseState::Rejected);
        // A referral needs a program; an officer of another program is refused.
        let v = Case {
            kind: CaseKind::Complaint,
            state: CaseState::Verified,
            route: None,
        };
        let req = Request {
            action: Action::Refer,
            note: None,
            program: None,
        };
        assert!(matches!(
            apply(&v, &actor(Role::Manager), &req),
            Err(CaseError::Invalid {
                field: "program",
                ..
            })
        ));
        let referred = act(&v, Role::Manager, Action::Refer, None).unwrap();
        let other = Actor {
            role: Role::ProgramOfficer,
            program: Some("bpnt"),
        };
        assert!(matches!(
            apply(
                &referred,
                &other,
                &Request {
                    action: Action::Accept,
                    note: None,
                    program: None
                }
            ),
            Err(CaseError::Forbidden { .. })
        ));
    }

    #[test]
    fn codes_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(*a));
            assert_eq!(rule_of(*a).action, *a, "every action has its row");
        }
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.code()), Some(*s));
        }
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::parse(k.code()), Some(*k));
        }
    }

    /// Every state is reachable from `draft` by some sequence of allowed actions, the
    /// graph of reachable cases is closed under every action by every actor (each result
    /// is again a case of the table), and nothing leads out of `closed`.
    #[test]
    fn the_reachable_cases_are_exactly_the_table() {
        let actors: Vec<Actor<'static>> = Role::ALL
            .iter()
            .flat_map(|r| {
                [
                    Actor {
                        role: *r,
                        program: None,
                    },
                    Actor {
                        role: *r,
                        program: Some("pkh"),
                    },
                ]
            })
            .collect();
        let mut seen = vec![new_case(CaseKind::Complaint)];
        let mut i = 0;
        while i < seen.len() {
            let c = seen[i].clone();
            i += 1;
            for who in &actors {
                for action in Action::ALL {
                    for note in [None, Some("catatan")] {
                        let req = Request {
                            action: *action,
                            note,
                            program: Some("pkh"),
                        };
                        if let Ok(next) = apply(&c, who, &req) {
                            assert!(!c.state.is_final(), "{c:?} left by {action}");
                            if !seen.contains(&next) {
                                seen.push(next);
                            }
                        }
                    }
                }
            }
        }
        let states: std::collections::BTreeSet<CaseState> = seen.iter().map(|c| c.state).collect();
        assert_eq!(states.len(), CaseState::ALL.len(), "{states:?}");
    }

    #[test]
    fn who_sees_which_case() {
        let village = RegionCode::parse("33.14.01.2001").unwrap();
        let who = |role: Role, scope: &str, program: Option<&str>| Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: crate::RegionScope::parse(scope).unwrap(),
            program: program.map(String::from),
            lpa: None,
        };
        let pkh = Some(Route::Referral {
            program: "pkh".into(),
        });
        let cases = [None, pkh.clone(), Some(Route::Forward)];
        let seen = |p: &Principal| -> Vec<Decision> {
            cases
                .iter()
                .map(|r| visible(p, &village, r.as_ref()))
                .collect()
        };
        use Decision::*;
        assert_eq!(
            seen(&who(Role::Facilitator, "33.14.01.2001", None)),
            [Allow, Allow, Allow]
        );
        assert_eq!(
            seen(&who(Role::Facilitator, "33.14.01.2002", None)),
            [NotFound; 3]
        );
        assert_eq!(seen(&who(Role::Supervisor, "33.14.01", None)), [Allow; 3]);
        assert_eq!(seen(&who(Role::Manager, "33.14", None)), [Allow; 3]);
        assert_eq!(seen(&who(Role::Manager, "73.03", None)), [NotFound; 3]);
        assert_eq!(
            seen(&who(Role::ProgramOfficer, "33", Some("pkh"))),
            [NotFound, Allow, NotFound]
        );
        assert_eq!(
            seen(&who(Role::ProgramOfficer, "33", Some("bpnt"))),
            [NotFound; 3]
        );
        assert_eq!(
            seen(&who(Role::ProgramOfficer, "73", Some("pkh"))),
            [NotFound; 3]
        );
        assert_eq!(
            seen(&who(Role::DataManager, "33.14", None)),
            [NotFound, NotFound, Allow]
        );
        assert_eq!(seen(&who(Role::Viewer, "national", None)), [Forbidden; 3]);
        assert_eq!(seen(&who(Role::Admin, "national", None)), [Allow; 3]);
    }

    fn step() -> impl Strategy<Value = (usize, usize, bool, bool)> {
        (
            0..Action::ALL.len(),
            0..Role::ALL.len(),
            any::<bool>(),
            any::<bool>(),
        )
    }

    proptest! {
        /// Any sequence of actions by any roles, with or without notes and programs:
        /// every accepted step follows a row of the table (from one of its states, to
        /// its state, by an allowed actor, with a note where required); every refused
        /// step changes nothing; closed stays closed; a route is set exactly when the
        /// case has been referred or forwarded.
        #[test]
        fn every_step_follows_the_table(kind in 0..CaseKind::ALL.len(), steps in proptest::collection::vec(step(), 0..40)) {
            let mut c = new_case(CaseKind::ALL[kind]);
            for (a, r, with_note, with_program) in steps {
                let action = Action::ALL[a];
                let role = Role::ALL[r];
                let program = with_program.then_some("pkh");
                let who = Actor { role, program: (role == Role::ProgramOfficer).then_some("pkh") };
                let req = Request { action, note: with_note.then_some("catatan"), program };
                let before = c.clone();
                match apply(&c, &who, &req) {
                    Ok(next) => {
                        let rule = rule_of(action);
                        prop_assert!(rule.from.contains(&before.state));
                        prop_assert_eq!(next.state, rule.to);
                        prop_assert!(!rule.note_required || with_note);
                        prop_assert!(!before.state.is_final());
                        prop_assert!(allowed_now(&before, &who).contains(&action));
                        c = next;
                    }
                    Err(_) => prop_assert_eq!(&c, &before),
                }
                // Routed exactly once past verification, and the route fits the state.
                let before_routing = matches!(
                    c.state,
                    CaseState::Draft | CaseState::Submitted | CaseState::Returned | CaseState::Verified
                );
                prop_assert_eq!(c.route.is_some(), !before_routing);
                if c.state == CaseState::Referred {
                    let referral = matches!(c.route, Some(Route::Referral { .. }));
                    prop_assert!(referral, "a referred case has a referral");
                }
                if c.state == CaseState::Forwarded {
                    prop_assert_eq!(&c.route, &Some(Route::Forward));
                }
                prop_assert!(CaseState::ALL.contains(&c.state));
            }
        }
    }
}
