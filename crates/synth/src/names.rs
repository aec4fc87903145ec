//! Small embedded lists of common Indonesian given names. Names are one or two words from
//! these lists; none contains a comma, a quote or a control character, so they need no CSV
//! quoting.

use crate::rng::Rng;

pub const MALE: &[&str] = &[
    "Agus",
    "Ahmad",
    "Andi",
    "Arif",
    "Bambang",
    "Budi",
    "Dedi",
    "Dian",
    "Eko",
    "Fajar",
    "Hadi",
    "Hendra",
    "Heru",
    "Imam",
    "Irfan",
    "Joko",
    "Kurniawan",
    "Made",
    "Muhammad",
    "Nyoman",
    "Putu",
    "Rahmat",
    "Rizki",
    "Rudi",
    "Slamet",
    "Sugeng",
    "Suparman",
    "Supriyadi",
    "Teguh",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Asep",
    "Ujang",
    "Yohanes",
    "Markus",
    "Daniel",
    "Ilham",
    "Bayu",
    "Dimas",
    "Galih",
    "Hasan",
    "Ketut",
    "La Ode",
    "Mulyadi",
    "Nur",
    "Samsul",
    "Syahrul",
    "Taufik",
    "Wayan",
];

pub const FEMALE: &[&str] = &[
    "Aminah",
    "Ani",
    "Ayu",
    "Dewi",
    "Dwi",
    "Eka",
    "Endang",
    "Fitri",
    "Indah",
    "Kartini",
    "Lestari",
    "Maria",
    "Nur",
    "Nurul",
    "Puji",
    "Putri",
    "Rina",
    "Ratna",
    "Sari",
    "Siti",
    "Sri",
    "Suryani",
    "Tri",
    "Utami",
    "Wati",
    "Wulan",
    "Yuliana",
    "Yanti",
    "Rahmawati",
    "Kurniasih",
    "Nining",
    "Komang",
    "Ni Luh",
    "Fatimah",
    "Halimah",
    "Hartini",
    "Intan",
    "Juwita",
    "Lina",
    "Mega",
    "Novi",
    "Rosmawati",
    "Salmah",
    "Tuti",
    "Umi",
    "Wahyuni",
    "Yohana",
    "Zahra",
    "Nia",
    "Desi",
];

/// Second words: family names and common second given names, used by either sex.
pub const SECOND: &[&str] = &[
    "Santoso",
    "Saputra",
    "Wijaya",
    "Hidayat",
    "Setiawan",
    "Nugroho",
    "Pratama",
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Sinaga",
    "Simanjuntak",
    "Situmorang",
    "Hutapea",
    "Tambunan",
    "Manurung",
    "Pohan",
    "Sembiring",
    "Ginting",
    "Tarigan",
    "Wibowo",
    "Susanto",
    "Hartono",
    "Purnomo",
    "Gunawan",
    "Halim",
    "Rahman",
    "Hakim",
    "Kusuma",
    "Permana",
    "Ramadhan",
    "Firmansyah",
    "Hasibuan",
    "Pane",
    "Tanjung",
    "Rumbiak",
    "Wanggai",
    "Manuhutu",
    "Pattinama",
    "Mandagi",
    "Lumban Gaol",
    "Daeng",
    "Sulistyo",
    "Handayani",
    "Rahayu",
    "Anggraini",
    "Puspitasari",
    "Safitri",
    "Maharani",
];

/// Writes a plausible name for a person of the given sex.
pub fn write_name(out: &mut Vec<u8>, rng: &mut Rng, female: bool) {
    let first = if female {
        rng.choose(FEMALE)
    } else {
        rng.choose(MALE)
    };
    out.extend_from_slice(first.as_bytes());
    if rng.chance(0.8) {
        out.push(b' ');
        out.extend_from_slice(rng.choose(SECOND).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_need_no_quoting() {
        for n in MALE.iter().chain(FEMALE).chain(SECOND) {
            assert!(!n.is_empty() && n.trim() == *n);
            assert!(!n.contains([',', '"', '\n', '\r']), "{n}");
        }
    }
}
