//! The enumerations of the interchange format (`shared/spec/interchange.md`), each with its
//! exact lower-case code and an Indonesian label for the UI.

use serde::{Deserialize, Serialize};

/// Declares a code enumeration: `parse` takes the exact code, `code` gives it back, `ALL`
/// lists every value in the spec's order, `label_id` is the Indonesian label.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
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
    Own = "own" / "milik sendiri",
    Rent = "rent" / "sewa/kontrak",
    RentFree = "rent_free" / "bebas sewa",
    Official = "official" / "dinas",
    Other = "other" / "lainnya",
});

code_enum!(FloorType {
    MarbleGranite = "marble_granite" / "marmer/granit",
    Ceramic = "ceramic" / "keramik",
    ParquetVinyl = "parquet_vinyl" / "parket/vinil",
    TerrazzoTile = "terrazzo_tile" / "ubin/tegel/teraso",
    CementBrick = "cement_brick" / "semen/bata merah",
    WoodHigh = "wood_high" / "kayu/papan kualitas tinggi",
    Bamboo = "bamboo" / "bambu",
    WoodLow = "wood_low" / "kayu/papan kualitas rendah",
    Earth = "earth" / "tanah",
});

code_enum!(WallType {
    Masonry = "masonry" / "tembok",
    PlasterBamboo = "plaster_bamboo" / "plesteran anyaman bambu/kawat",
    Wood = "wood" / "kayu",
    Bamboo = "bamboo" / "anyaman bambu",
    Other = "other" / "lainnya",
});

code_enum!(RoofType {
    Concrete = "concrete" / "beton",
    ClayTile = "clay_tile" / "genteng",
    Asbestos = "asbestos" / "asbes",
    Zinc = "zinc" / "seng",
    Bamboo = "bamboo" / "bambu",
    WoodShingle = "wood_shingle" / "sirap",
    Thatch = "thatch" / "jerami/ijuk/rumbia",
    Other = "other" / "lainnya",
});

code_enum!(DrinkingWater {
    Bottled = "bottled" / "air kemasan bermerk",
    Refill = "refill" / "air isi ulang",
    Piped = "piped" / "leding",
    PumpWell = "pump_well" / "sumur bor/pompa",
    ProtectedWell = "protected_well" / "sumur terlindung",
    UnprotectedWell = "unprotected_well" / "sumur tak terlindung",
    ProtectedSpring = "protected_spring" / "mata air terlindung",
    UnprotectedSpring = "unprotected_spring" / "mata air tak terlindung",
    Surface = "surface" / "air permukaan",
    Rain = "rain" / "air hujan",
    Other = "other" / "lainnya",
});

code_enum!(Lighting {
    PlnMetered = "pln_metered" / "listrik PLN dengan meteran",
    PlnUnmetered = "pln_unmetered" / "listrik PLN tanpa meteran",
    NonPln = "non_pln" / "listrik non-PLN",
    None = "none" / "bukan listrik",
});

code_enum!(CookingFuel {
    Electricity = "electricity" / "listrik",
    LpgLarge = "lpg_large" / "elpiji 5,5 kg / 12 kg",
    Lpg3kg = "lpg_3kg" / "elpiji 3 kg",
    Biogas = "biogas" / "biogas",
    Kerosene = "kerosene" / "minyak tanah",
    Charcoal = "charcoal" / "arang/briket",
    Firewood = "firewood" / "kayu bakar",
    None = "none" / "tidak memasak",
});

code_enum!(Toilet {
    Private = "private" / "sendiri",
    Shared = "shared" / "bersama",
    Public = "public" / "umum",
    None = "none" / "tidak ada",
});

code_enum!(Relation {
    Head = "head" / "kepala rumah tangga",
    Spouse = "spouse" / "istri/suami",
    Child = "child" / "anak",
    ChildInLaw = "child_in_law" / "menantu",
    Grandchild = "grandchild" / "cucu",
    Parent = "parent" / "orang tua",
    ParentInLaw = "parent_in_law" / "mertua",
    OtherFamily = "other_family" / "famili lain",
    Other = "other" / "lainnya",
});

code_enum!(Sex {
    M = "M" / "laki-laki",
    F = "F" / "perempuan",
});

code_enum!(MaritalStatus {
    Single = "single" / "belum kawin",
    Married = "married" / "kawin",
    Divorced = "divorced" / "cerai hidup",
    Widowed = "widowed" / "cerai mati",
});

code_enum!(Disability {
    None = "none" / "tidak ada",
    Physical = "physical" / "fisik",
    Visual = "visual" / "netra",
    Hearing = "hearing" / "rungu",
    Speech = "speech" / "wicara",
    Intellectual = "intellectual" / "intelektual",
    Mental = "mental" / "mental",
    Multiple = "multiple" / "ganda",
});

code_enum!(SchoolParticipation {
    Never = "never" / "tidak/belum pernah sekolah",
    Attending = "attending" / "masih sekolah",
    Stopped = "stopped" / "tidak bersekolah lagi",
});

code_enum!(EducationLevel {
    None = "none" / "tidak punya ijazah",
    Sd = "sd" / "SD/sederajat",
    Smp = "smp" / "SMP/sederajat",
    Sma = "sma" / "SMA/sederajat",
    Diploma = "diploma" / "diploma",
    Bachelor = "bachelor" / "S1",
    Postgraduate = "postgraduate" / "S2/S3",
});

code_enum!(Sector {
    Agriculture = "agriculture" / "pertanian",
    Fishery = "fishery" / "perikanan",
    Mining = "mining" / "pertambangan",
    Manufacturing = "manufacturing" / "industri pengolahan",
    Construction = "construction" / "konstruksi",
    Trade = "trade" / "perdagangan",
    Transport = "transport" / "transportasi",
    Services = "services" / "jasa",
    PublicAdmin = "public_admin" / "administrasi pemerintahan",
    Other = "other" / "lainnya",
});

code_enum!(EmploymentStatus {
    SelfEmployed = "self_employed" / "berusaha sendiri",
    SelfEmployedWithHelpers = "self_employed_with_helpers" / "berusaha dibantu buruh tidak tetap",
    Employer = "employer" / "berusaha dibantu buruh tetap",
    Employee = "employee" / "buruh/karyawan",
    Casual = "casual" / "pekerja bebas",
    UnpaidFamily = "unpaid_family" / "pekerja keluarga/tidak dibayar",
});

code_enum!(
    /// The 26 PMKS categories of Permensos 08/2012 (glossary §10).
    Pmks {
    NeglectedUnderFive = "neglected_under_five" / "anak balita telantar",
    NeglectedChild = "neglected_child" / "anak telantar",
    ChildInConflictWithLaw = "child_in_conflict_with_law" / "anak berhadapan dengan hukum",
    StreetChild = "street_child" / "anak jalanan",
    ChildWithDisability = "child_with_disability" / "anak dengan kedisabilitasan",
    ChildViolenceVictim = "child_violence_victim" / "anak korban tindak kekerasan",
    ChildSpecialProtection = "child_special_protection" / "anak memerlukan perlindungan khusus",
    NeglectedElderly = "neglected_elderly" / "lanjut usia telantar",
    PersonWithDisability = "person_with_disability" / "penyandang disabilitas",
    Prostitution = "prostitution" / "tuna susila",
    Homeless = "homeless" / "gelandangan",
    Beggar = "beggar" / "pengemis",
    WastePicker = "waste_picker" / "pemulung",
    MinorityGroup = "minority_group" / "kelompok minoritas",
    FormerPrisoner = "former_prisoner" / "bekas warga binaan lapas",
    PersonWithHiv = "person_with_hiv" / "orang dengan HIV/AIDS",
    DrugAbuseVictim = "drug_abuse_victim" / "korban penyalahgunaan NAPZA",
    TraffickingVictim = "trafficking_victim" / "korban trafficking",
    ViolenceVictim = "violence_victim" / "korban tindak kekerasan",
    TroubledMigrantWorker = "troubled_migrant_worker" / "pekerja migran bermasalah sosial",
    NaturalDisasterVictim = "natural_disaster_victim" / "korban bencana alam",
    SocialDisasterVictim = "social_disaster_victim" / "korban bencana sosial",
    VulnerableWoman = "vulnerable_woman" / "perempuan rawan sosial ekonomi",
    FakirMiskin = "fakir_miskin" / "fakir miskin",
    TroubledFamily = "troubled_family" / "keluarga bermasalah sosial psikologis",
    RemoteIndigenousCommunity = "remote_indigenous_community" / "komunitas adat terpencil",
});

code_enum!(
    /// How a household or person leaves the registry. Nothing is ever deleted.
    ExitState {
    Moved = "moved" / "pindah",
    Deceased = "deceased" / "meninggal",
    Graduated = "graduated" / "graduasi",
    Duplicate = "duplicate" / "data ganda",
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
