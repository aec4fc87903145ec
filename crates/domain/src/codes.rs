//! The enumerations of the interchange format (`shared/spec/interchange.md`), each with its
//! exact lower-case code and an Indonesian label for the UI.

use serde::{Deserialize, Serialize};

/// Declares a code enumeration: `parse` takes the exact code, `code` gives it back, `ALL`
/// lists every value in the spec's order, `label_id` is the Indonesian label.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal / $en:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The codes, in the order listed.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }

            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Indonesian label for forms and pages.
            pub const fn label_id(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// English label for forms and pages.
            pub const fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }

            /// The codes joined with `, `, for error messages.
            pub fn expected() -> String {
                [$($code),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| serde::de::Error::custom(
                    format!("unknown {} {:?}; expected one of {}", stringify!($name), s, $name::expected())))
            }
        }
    };
}

code_enum!(Ownership {
    Own = "own" / "milik sendiri" / "owned",
    Rent = "rent" / "sewa/kontrak" / "rented",
    RentFree = "rent_free" / "bebas sewa" / "rent-free",
    Official = "official" / "dinas" / "official housing",
    Other = "other" / "lainnya" / "other",
});

code_enum!(FloorType {
    MarbleGranite = "marble_granite" / "marmer/granit" / "marble/granite",
    Ceramic = "ceramic" / "keramik" / "ceramic",
    ParquetVinyl = "parquet_vinyl" / "parket/vinil" / "parquet/vinyl",
    TerrazzoTile = "terrazzo_tile" / "ubin/tegel/teraso" / "tile/terrazzo",
    CementBrick = "cement_brick" / "semen/bata merah" / "cement/red brick",
    WoodHigh = "wood_high" / "kayu/papan kualitas tinggi" / "high-quality wood",
    Bamboo = "bamboo" / "bambu" / "bamboo",
    WoodLow = "wood_low" / "kayu/papan kualitas rendah" / "low-quality wood",
    Earth = "earth" / "tanah" / "earth",
});

code_enum!(WallType {
    Masonry = "masonry" / "tembok" / "masonry",
    PlasterBamboo = "plaster_bamboo" / "plesteran anyaman bambu/kawat" / "plastered bamboo/wire",
    Wood = "wood" / "kayu" / "wood",
    Bamboo = "bamboo" / "anyaman bambu" / "woven bamboo",
    Other = "other" / "lainnya" / "other",
});

code_enum!(RoofType {
    Concrete = "concrete" / "beton" / "concrete",
    ClayTile = "clay_tile" / "genteng" / "clay tile",
    Asbestos = "asbestos" / "asbes" / "asbestos",
    Zinc = "zinc" / "seng" / "zinc",
    Bamboo = "bamboo" / "bambu" / "bamboo",
    WoodShingle = "wood_shingle" / "sirap" / "wood shingle",
    Thatch = "thatch" / "jerami/ijuk/rumbia" / "straw/palm fibre/thatch",
    Other = "other" / "lainnya" / "other",
});

code_enum!(DrinkingWater {
    Bottled = "bottled" / "air kemasan bermerk" / "branded bottled water",
    Refill = "refill" / "air isi ulang" / "refill water",
    Piped = "piped" / "leding" / "piped water",
    PumpWell = "pump_well" / "sumur bor/pompa" / "pumped/bore well",
    ProtectedWell = "protected_well" / "sumur terlindung" / "protected well",
    UnprotectedWell = "unprotected_well" / "sumur tak terlindung" / "unprotected well",
    ProtectedSpring = "protected_spring" / "mata air terlindung" / "protected spring",
    UnprotectedSpring = "unprotected_spring" / "mata air tak terlindung" / "unprotected spring",
    Surface = "surface" / "air permukaan" / "surface water",
    Rain = "rain" / "air hujan" / "rain water",
    Other = "other" / "lainnya" / "other",
});

code_enum!(Lighting {
    PlnMetered = "pln_metered" / "listrik PLN dengan meteran" / "PLN electricity, metered",
    PlnUnmetered = "pln_unmetered" / "listrik PLN tanpa meteran" / "PLN electricity, unmetered",
    NonPln = "non_pln" / "listrik non-PLN" / "non-PLN electricity",
    None = "none" / "bukan listrik" / "no electricity",
});

code_enum!(CookingFuel {
    Electricity = "electricity" / "listrik" / "electricity",
    LpgLarge = "lpg_large" / "elpiji 5,5 kg / 12 kg" / "LPG 5.5 kg / 12 kg",
    Lpg3kg = "lpg_3kg" / "elpiji 3 kg" / "LPG 3 kg",
    Biogas = "biogas" / "biogas" / "biogas",
    Kerosene = "kerosene" / "minyak tanah" / "kerosene",
    Charcoal = "charcoal" / "arang/briket" / "charcoal/briquettes",
    Firewood = "firewood" / "kayu bakar" / "firewood",
    None = "none" / "tidak memasak" / "does not cook",
});

code_enum!(Toilet {
    Private = "private" / "sendiri" / "own",
    Shared = "shared" / "bersama" / "shared",
    Public = "public" / "umum" / "public",
    None = "none" / "tidak ada" / "none",
});

code_enum!(Relation {
    Head = "head" / "kepala rumah tangga" / "head of household",
    Spouse = "spouse" / "istri/suami" / "wife/husband",
    Child = "child" / "anak" / "child",
    ChildInLaw = "child_in_law" / "menantu" / "child-in-law",
    Grandchild = "grandchild" / "cucu" / "grandchild",
    Parent = "parent" / "orang tua" / "parent",
    ParentInLaw = "parent_in_law" / "mertua" / "parent-in-law",
    OtherFamily = "other_family" / "famili lain" / "other relative",
    Other = "other" / "lainnya" / "other",
});

code_enum!(Sex {
    M = "M" / "laki-laki" / "male",
    F = "F" / "perempuan" / "female",
});

code_enum!(MaritalStatus {
    Single = "single" / "belum kawin" / "single",
    Married = "married" / "kawin" / "married",
    Divorced = "divorced" / "cerai hidup" / "divorced",
    Widowed = "widowed" / "cerai mati" / "widowed",
});

code_enum!(Disability {
    None = "none" / "tidak ada" / "none",
    Physical = "physical" / "fisik" / "physical",
    Visual = "visual" / "netra" / "visual",
    Hearing = "hearing" / "rungu" / "hearing",
    Speech = "speech" / "wicara" / "speech",
    Intellectual = "intellectual" / "intelektual" / "intellectual",
    Mental = "mental" / "mental" / "mental",
    Multiple = "multiple" / "ganda" / "multiple",
});

code_enum!(SchoolParticipation {
    Never = "never" / "tidak/belum pernah sekolah" / "never attended school",
    Attending = "attending" / "masih sekolah" / "attending school",
    Stopped = "stopped" / "tidak bersekolah lagi" / "no longer in school",
});

code_enum!(EducationLevel {
    None = "none" / "tidak punya ijazah" / "no certificate",
    Sd = "sd" / "SD/sederajat" / "primary school",
    Smp = "smp" / "SMP/sederajat" / "junior secondary",
    Sma = "sma" / "SMA/sederajat" / "senior secondary",
    Diploma = "diploma" / "diploma" / "diploma",
    Bachelor = "bachelor" / "S1" / "bachelor's degree",
    Postgraduate = "postgraduate" / "S2/S3" / "master's/doctorate",
});

code_enum!(Sector {
    Agriculture = "agriculture" / "pertanian" / "agriculture",
    Fishery = "fishery" / "perikanan" / "fishery",
    Mining = "mining" / "pertambangan" / "mining",
    Manufacturing = "manufacturing" / "industri pengolahan" / "manufacturing",
    Construction = "construction" / "konstruksi" / "construction",
    Trade = "trade" / "perdagangan" / "trade",
    Transport = "transport" / "transportasi" / "transport",
    Services = "services" / "jasa" / "services",
    PublicAdmin = "public_admin" / "administrasi pemerintahan" / "public administration",
    Other = "other" / "lainnya" / "other",
});

code_enum!(EmploymentStatus {
    SelfEmployed = "self_employed" / "berusaha sendiri" / "self-employed",
    SelfEmployedWithHelpers = "self_employed_with_helpers" / "berusaha dibantu buruh tidak tetap" / "self-employed with temporary workers",
    Employer = "employer" / "berusaha dibantu buruh tetap" / "employer with permanent workers",
    Employee = "employee" / "buruh/karyawan" / "employee",
    Casual = "casual" / "pekerja bebas" / "casual worker",
    UnpaidFamily = "unpaid_family" / "pekerja keluarga/tidak dibayar" / "unpaid family worker",
});

code_enum!(
    /// The 26 PMKS categories of Permensos 08/2012 (glossary §10).
    Pmks {
    NeglectedUnderFive = "neglected_under_five" / "anak balita telantar" / "neglected child under five",
    NeglectedChild = "neglected_child" / "anak telantar" / "neglected child",
    ChildInConflictWithLaw = "child_in_conflict_with_law" / "anak berhadapan dengan hukum" / "child in conflict with the law",
    StreetChild = "street_child" / "anak jalanan" / "street child",
    ChildWithDisability = "child_with_disability" / "anak dengan kedisabilitasan" / "child with disability",
    ChildViolenceVictim = "child_violence_victim" / "anak korban tindak kekerasan" / "child victim of violence",
    ChildSpecialProtection = "child_special_protection" / "anak memerlukan perlindungan khusus" / "child needing special protection",
    NeglectedElderly = "neglected_elderly" / "lanjut usia telantar" / "neglected elderly person",
    PersonWithDisability = "person_with_disability" / "penyandang disabilitas" / "person with disability",
    Prostitution = "prostitution" / "tuna susila" / "sex worker",
    Homeless = "homeless" / "gelandangan" / "homeless person",
    Beggar = "beggar" / "pengemis" / "beggar",
    WastePicker = "waste_picker" / "pemulung" / "waste picker",
    MinorityGroup = "minority_group" / "kelompok minoritas" / "minority group",
    FormerPrisoner = "former_prisoner" / "bekas warga binaan lapas" / "former prisoner",
    PersonWithHiv = "person_with_hiv" / "orang dengan HIV/AIDS" / "person with HIV/AIDS",
    DrugAbuseVictim = "drug_abuse_victim" / "korban penyalahgunaan NAPZA" / "victim of drug abuse",
    TraffickingVictim = "trafficking_victim" / "korban trafficking" / "victim of trafficking",
    ViolenceVictim = "violence_victim" / "korban tindak kekerasan" / "victim of violence",
    TroubledMigrantWorker = "troubled_migrant_worker" / "pekerja migran bermasalah sosial" / "migrant worker with social problems",
    NaturalDisasterVictim = "natural_disaster_victim" / "korban bencana alam" / "natural disaster victim",
    SocialDisasterVictim = "social_disaster_victim" / "korban bencana sosial" / "social disaster victim",
    VulnerableWoman = "vulnerable_woman" / "perempuan rawan sosial ekonomi" / "socio-economically vulnerable woman",
    FakirMiskin = "fakir_miskin" / "fakir miskin" / "the poor (fakir miskin)",
    TroubledFamily = "troubled_family" / "keluarga bermasalah sosial psikologis" / "family with psychosocial problems",
    RemoteIndigenousCommunity = "remote_indigenous_community" / "komunitas adat terpencil" / "remote indigenous community",
});

code_enum!(
    /// How a household or person leaves the registry. Nothing is ever deleted.
    ExitState {
    Moved = "moved" / "pindah" / "moved",
    Deceased = "deceased" / "meninggal" / "deceased",
    Graduated = "graduated" / "graduasi" / "graduated",
    Duplicate = "duplicate" / "data ganda" / "duplicate record",
});

/// The codes of an enumerated column of households.csv or members.csv, by column name;
/// `None` for other columns.
pub fn column_codes(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "ownership" => Ownership::CODES,
        "floor_type" => FloorType::CODES,
        "wall_type" => WallType::CODES,
        "roof_type" => RoofType::CODES,
        "drinking_water" => DrinkingWater::CODES,
        "lighting" => Lighting::CODES,
        "cooking_fuel" => CookingFuel::CODES,
        "toilet" => Toilet::CODES,
        "relation" => Relation::CODES,
        "sex" => Sex::CODES,
        "marital_status" => MaritalStatus::CODES,
        "disability" => Disability::CODES,
        "school_participation" => SchoolParticipation::CODES,
        "education_level" => EducationLevel::CODES,
        "sector" => Sector::CODES,
        "employment_status" => EmploymentStatus::CODES,
        "exit_state" => ExitState::CODES,
        _ => return None,
    })
}

/// The codes of an enumerated column with their Indonesian labels, for forms.
pub fn column_options(name: &str) -> Option<Vec<(&'static str, &'static str)>> {
    fn of<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> Vec<(&'static str, &'static str)> {
        all.iter().map(|v| (code(*v), label(*v))).collect()
    }
    Some(match name {
        "ownership" => of(Ownership::ALL, Ownership::code, Ownership::label_id),
        "floor_type" => of(FloorType::ALL, FloorType::code, FloorType::label_id),
        "wall_type" => of(WallType::ALL, WallType::code, WallType::label_id),
        "roof_type" => of(RoofType::ALL, RoofType::code, RoofType::label_id),
        "drinking_water" => of(
            DrinkingWater::ALL,
            DrinkingWater::code,
            DrinkingWater::label_id,
        ),
        "lighting" => of(Lighting::ALL, Lighting::code, Lighting::label_id),
        "cooking_fuel" => of(CookingFuel::ALL, CookingFuel::code, CookingFuel::label_id),
        "toilet" => of(Toilet::ALL, Toilet::code, Toilet::label_id),
        "relation" => of(Relation::ALL, Relation::code, Relation::label_id),
        "sex" => of(Sex::ALL, Sex::code, Sex::label_id),
        "marital_status" => of(
            MaritalStatus::ALL,
            MaritalStatus::code,
            MaritalStatus::label_id,
        ),
        "disability" => of(Disability::ALL, Disability::code, Disability::label_id),
        "school_participation" => of(
            SchoolParticipation::ALL,
            SchoolParticipation::code,
            SchoolParticipation::label_id,
        ),
        "education_level" => of(
            EducationLevel::ALL,
            EducationLevel::code,
            EducationLevel::label_id,
        ),
        "sector" => of(Sector::ALL, Sector::code, Sector::label_id),
        "employment_status" => of(
            EmploymentStatus::ALL,
            EmploymentStatus::code,
            EmploymentStatus::label_id,
        ),
        "exit_state" => of(ExitState::ALL, ExitState::code, ExitState::label_id),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_roundtrip() {
        for f in FloorType::ALL {
            assert_eq!(FloorType::parse(f.code()), Some(*f));
        }
        assert_eq!(Pmks::ALL.len(), 26);
        assert_eq!(Relation::parse("Head"), None, "codes are exact, lower case");
        assert_eq!(Sex::parse("X"), None);
    }

    #[test]
    fn every_code_has_an_english_label() {
        fn check<T: Copy>(all: &[T], id: fn(T) -> &'static str, en: fn(T) -> &'static str) {
            for v in all {
                assert!(!id(*v).is_empty() && !en(*v).is_empty() && en(*v) != "?");
            }
        }
        check(Ownership::ALL, Ownership::label_id, Ownership::label_en);
        check(FloorType::ALL, FloorType::label_id, FloorType::label_en);
        check(WallType::ALL, WallType::label_id, WallType::label_en);
        check(RoofType::ALL, RoofType::label_id, RoofType::label_en);
        check(
            DrinkingWater::ALL,
            DrinkingWater::label_id,
            DrinkingWater::label_en,
        );
        check(Lighting::ALL, Lighting::label_id, Lighting::label_en);
        check(
            CookingFuel::ALL,
            CookingFuel::label_id,
            CookingFuel::label_en,
        );
        check(Toilet::ALL, Toilet::label_id, Toilet::label_en);
        check(Relation::ALL, Relation::label_id, Relation::label_en);
        check(Sex::ALL, Sex::label_id, Sex::label_en);
        check(
            MaritalStatus::ALL,
            MaritalStatus::label_id,
            MaritalStatus::label_en,
        );
        check(Disability::ALL, Disability::label_id, Disability::label_en);
        check(
            SchoolParticipation::ALL,
            SchoolParticipation::label_id,
            SchoolParticipation::label_en,
        );
        check(
            EducationLevel::ALL,
            EducationLevel::label_id,
            EducationLevel::label_en,
        );
        check(Sector::ALL, Sector::label_id, Sector::label_en);
        check(
            EmploymentStatus::ALL,
            EmploymentStatus::label_id,
            EmploymentStatus::label_en,
        );
        check(Pmks::ALL, Pmks::label_id, Pmks::label_en);
        check(ExitState::ALL, ExitState::label_id, ExitState::label_en);
    }

    #[test]
    fn every_coded_column_has_labelled_options() {
        for c in crate::registry::HOUSEHOLD_COLUMNS
            .iter()
            .chain(crate::registry::MEMBER_COLUMNS)
        {
            let codes = column_codes(c.name);
            let options = column_options(c.name);
            assert_eq!(codes.is_some(), options.is_some(), "{}", c.name);
            if let (Some(codes), Some(options)) = (codes, options) {
                let listed: Vec<&str> = options.iter().map(|o| o.0).collect();
                assert_eq!(codes, listed.as_slice(), "{}", c.name);
            }
        }
    }
}
