//! Who may do what, where. Access rules are data ([`RULES`]); [`authorize`] is the one
//! place that decides, for every layer above (HTTP, UI, CLI).
//!
//! Two questions are asked in this order: is the target inside the caller's region (if not,
//! the answer is `NotFound`, so that existence does not leak), then does the role carry the
//! permission (if not, `Forbidden`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::region::{RegionCode, RegionLevel, RegionScope};

macro_rules! roles {
    ($($v:ident = $code:literal / $label:literal / $en:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role { $($v),+ }
        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$v),+];
            pub fn parse(s: &str) -> Option<Role> { match s { $($code => Some(Role::$v),)+ _ => None } }
            pub const fn code(self) -> &'static str { match self { $(Role::$v => $code),+ } }
            pub const fn label_id(self) -> &'static str { match self { $(Role::$v => $label),+ } }
            pub const fn label_en(self) -> &'static str { match self { $(Role::$v => $en),+ } }
        }
    };
}

roles! {
    Facilitator = "facilitator" / "Fasilitator desa" / "Village facilitator",
    FrontOffice = "front_office" / "Front office" / "Front office",
    BackOffice = "back_office" / "Back office" / "Back office",
    Supervisor = "supervisor" / "Supervisor kecamatan" / "Sub-district supervisor",
    Manager = "manager" / "Manajer SLRT" / "SLRT manager",
    ProgramOfficer = "program_officer" / "Pengelola program" / "Program officer",
    DataManager = "data_manager" / "Pengelola basis data" / "Data manager",
    Viewer = "viewer" / "Pemantau" / "Viewer",
    LpaStaff = "lpa_staff" / "Petugas LPA Askesos" / "Askesos LPA staff",
    Admin = "admin" / "Administrator" / "Administrator",
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See a named person or household (NIK, name, members, history).
    ReadPersonalData,
    /// Search households by NIK, KK number or name.
    SearchRegistry,
    /// Load or export registry files.
    ImportRegistry,
    /// Create and change users.
    ManageUsers,
    /// Aggregated figures without personal data.
    ViewMonitoring,
    /// Draft, dry-run and publish versions of the program catalogue.
    ManageCatalogue,
    /// Record a household's or person's enrolment in or exit from a program.
    RecordParticipation,
    /// Open an SLRT case (a complaint, need, data change or registration) at the desk or
    /// on a home visit; the actions on it follow the case life cycle.
    RecordCase,
    /// Change the service's settings (case categories, service levels).
    ManageService,
    /// Enter an indicator's actual value by hand, for a region inside one's own.
    RecordIndicator,
}

use Permission::*;

/// The permissions of each role. Program officers reach personal data only through the
/// cases referred to them (a later capability), so they have none here.
pub const RULES: &[(Role, &[Permission])] = &[
    (
        Role::Facilitator,
        &[ReadPersonalData, SearchRegistry, ViewMonitoring, RecordCase],
    ),
    (
        Role::FrontOffice,
        &[ReadPersonalData, SearchRegistry, ViewMonitoring, RecordCase],
    ),
    (
        Role::BackOffice,
        &[ReadPersonalData, SearchRegistry, ViewMonitoring],
    ),
    (
        Role::Supervisor,
        &[ReadPersonalData, SearchRegistry, ViewMonitoring],
    ),
    (
        Role::Manager,
        &[
            ReadPersonalData,
            SearchRegistry,
            ViewMonitoring,
            RecordParticipation,
            RecordIndicator,
        ],
    ),
    (Role::ProgramOfficer, &[ViewMonitoring]),
    (
        Role::DataManager,
        &[
            ReadPersonalData,
            SearchRegistry,
            ImportRegistry,
            ViewMonitoring,
            RecordParticipation,
            RecordIndicator,
        ],
    ),
    (Role::Viewer, &[ViewMonitoring]),
    // LPA staff reach Askesos members of their own LPA only, through the Askesos
    // authorizer (`askesos::access`), and nothing of the registry otherwise.
    (Role::LpaStaff, &[]),
    (
        Role::Admin,
        &[
            ReadPersonalData,
            SearchRegistry,
            ImportRegistry,
            ManageUsers,
            ViewMonitoring,
            ManageCatalogue,
            RecordParticipation,
            ManageService,
            RecordIndicator,
        ],
    ),
];

impl Role {
    pub fn has(self, perm: Permission) -> bool {
        RULES
            .iter()
            .any(|(r, perms)| *r == self && perms.contains(&perm))
    }

    /// The region levels a user of this role may be scoped to (`None` = national).
    pub fn allowed_scopes(self) -> &'static [Option<RegionLevel>] {
        use RegionLevel::*;
        match self {
            Role::Facilitator => &[Some(Village)],
            Role::FrontOffice | Role::BackOffice => &[Some(Village), Some(Regency)],
            Role::Supervisor => &[Some(District)],
            Role::Manager => &[Some(Regency)],
            Role::DataManager => &[Some(Regency), Some(Province), None],
            Role::LpaStaff => &[Some(Regency), Some(District), Some(Village)],
            Role::ProgramOfficer | Role::Viewer | Role::Admin => &[
                None,
                Some(Province),
                Some(Regency),
                Some(District),
                Some(Village),
            ],
        }
    }

    /// Checks that `scope` suits this role; the message names what is expected.
    pub fn check_scope(self, scope: &RegionScope) -> Result<(), String> {
        let level = match scope {
            RegionScope::National => None,
            RegionScope::Region(r) => Some(r.level()),
        };
        if self.allowed_scopes().contains(&level) {
            Ok(())
        } else {
            let names: Vec<&str> = self
                .allowed_scopes()
                .iter()
                .map(|l| l.map_or("national", |l| l.code()))
                .collect();
            Err(format!(
                "role {} needs a region of level {}",
                self.code(),
                names.join(" or ")
            ))
        }
    }
}

/// The signed-in caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub scope: RegionScope,
    /// For program officers: the program they manage.
    pub program: Option<String>,
    /// For Askesos LPA staff: their LPA.
    pub lpa: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Visible to the caller, but the role may not do this (HTTP 403).
    Forbidden,
    /// Outside the caller's region, or absent: the same answer (HTTP 404).
    NotFound,
}

/// Decides whether `who` may use `perm` on something located in `target` (a region code;
/// `None` for actions without a place, such as managing users).
pub fn authorize(who: &Principal, perm: Permission, target: Option<&RegionCode>) -> Decision {
    if let Some(t) = target {
        if !who.scope.contains(t) {
            return Decision::NotFound;
        }
    }
    if who.role.has(perm) {
        Decision::Allow
    } else {
        Decision::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role, scope: &str) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: RegionScope::parse(scope).unwrap(),
            program: None,
            lpa: None,
        }
    }

    #[test]
    fn region_decides_before_role() {
        let inside = RegionCode::parse("32.01.01.2001").unwrap();
        let outside = RegionCode::parse("32.01.02.2001").unwrap();
        let f = who(Role::Facilitator, "32.01.01.2001");
        assert_eq!(
            authorize(&f, ReadPersonalData, Some(&inside)),
            Decision::Allow
        );
        assert_eq!(
            authorize(&f, ReadPersonalData, Some(&outside)),
            Decision::NotFound
        );
        let v = who(Role::Viewer, "32");
        assert_eq!(
            authorize(&v, ReadPersonalData, Some(&inside)),
            Decision::Forbidden
        );
        assert_eq!(
            authorize(
                &v,
                ReadPersonalData,
                Some(&RegionCode::parse("33.01.01.2001").unwrap())
            ),
            Decision::NotFound
        );
        assert_eq!(authorize(&f, ManageUsers, None), Decision::Forbidden);
        assert_eq!(
            authorize(&who(Role::Admin, "national"), ManageUsers, None),
            Decision::Allow
        );
    }

    #[test]
    fn every_role_has_rules_and_codes() {
        for r in Role::ALL {
            assert!(RULES.iter().any(|(x, _)| x == r), "{r} missing from RULES");
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
    }

    #[test]
    fn scope_levels() {
        assert!(Role::Facilitator
            .check_scope(&RegionScope::parse("32.01.01.2001").unwrap())
            .is_ok());
        assert!(Role::Facilitator
            .check_scope(&RegionScope::parse("32.01").unwrap())
            .is_err());
        assert!(Role::Supervisor
            .check_scope(&RegionScope::parse("32.01.01").unwrap())
            .is_ok());
        assert!(Role::Manager.check_scope(&RegionScope::National).is_err());
        assert!(Role::Admin.check_scope(&RegionScope::National).is_ok());
    }
}
