//! Checks of the embedded table against the raw embedded text.

use selaras_domain::region::{RegionCode, RegionLevel, RegionScope};
use selaras_regions::{RegionTable, EMBEDDED_CSV};

const LEVELS: [RegionLevel; 4] = [
    RegionLevel::Province,
    RegionLevel::Regency,
    RegionLevel::District,
    RegionLevel::Village,
];

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn table() -> &'static RegionTable {
    RegionTable::embedded()
}

/// Data rows of the raw text as (code, versions), split by hand: codes contain no commas or
/// quotes, names no newlines, and `versions` is the last field.
fn raw_rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    let mut lines = EMBEDDED_CSV.lines();
    assert_eq!(lines.next(), Some("code,name,versions"));
    lines.map(|l| {
        let (code, _) = l.split_once(',').unwrap();
        let (_, versions) = l.rsplit_once(',').unwrap();
        (code, versions)
    })
}

#[test]
fn counts_per_level_match_the_raw_text() {
    let t = table();
    let mut total = 0;
    for level in LEVELS {
        let expected = raw_rows()
            .filter(|(c, _)| c.len() == level.code_len())
            .count();
        assert!(expected > 0, "{level:?}");
        assert_eq!(t.count(level), expected, "{level:?}");
        assert_eq!(t.in_scope(&RegionScope::National, level).len(), expected);
        total += expected;
    }
    assert_eq!(total, raw_rows().count());
    assert_eq!(t.len(), total);
    assert!(!t.is_empty());
    assert_eq!(t.children(None).len(), t.count(RegionLevel::Province));
}

#[test]
fn known_names() {
    let t = table();
    assert_eq!(t.name(&code("32")), Some("Jawa Barat"));
    assert_eq!(t.name(&code("11")), Some("Aceh"));
    for (c, part) in [
        ("33.14", "Sragen"),
        ("73.03", "Bantaeng"),
        ("19.06", "Belitung Timur"),
        ("34.04", "Sleman"),
    ] {
        let name = t.name(&code(c)).unwrap_or_else(|| panic!("{c} missing"));
        assert!(
            name.contains(part),
            "{c} is {name:?}, expected it to contain {part:?}"
        );
    }
    // Quoted fields: a comma and a doubled quote inside names.
    assert_eq!(t.name(&code("12.07.28.1007")), Some("Lubuk Pakam I,II"));
    assert_eq!(t.name(&code("35.13.15.2017")), Some("Soka\"an"));
    assert_eq!(t.name(&code("99.99")), None);
    assert!(!t.contains(&code("99")));
    assert!(t.contains(&code("32.01.01")));
}

#[test]
fn table_is_sorted_and_every_parent_exists() {
    let t = table();
    let regions: Vec<_> = t.iter().collect();
    assert!(regions.windows(2).all(|w| w[0].code < w[1].code));
    for r in &regions {
        assert!(r.in_v3 || r.in_v4, "{:?}", r.code);
        assert!(!r.name.is_empty());
        assert_eq!(t.get(&r.code).map(|g| g.code), Some(r.code));
        match r.code.parent() {
            None => assert_eq!(r.level(), RegionLevel::Province),
            Some(p) => assert!(t.contains(&p), "parent of {:?} missing", r.code),
        }
    }
}

#[test]
fn children_of_a_regency_are_its_districts() {
    let t = table();
    let bogor = code("32.01");
    let kids = t.children(Some(&bogor));
    assert!(!kids.is_empty());
    for k in &kids {
        assert_eq!(k.level(), RegionLevel::District);
        assert!(bogor.contains(&k.code));
        assert_eq!(k.code.parent(), Some(bogor));
    }
    // Same as a brute-force scan, in code order.
    let brute: Vec<_> = t
        .iter()
        .filter(|r| r.code.parent() == Some(bogor))
        .collect();
    assert_eq!(kids, brute);
    // Every level, everywhere: children match the brute force in number.
    let mut per_parent = std::collections::HashMap::new();
    for r in t.iter() {
        if let Some(p) = r.code.parent() {
            *per_parent.entry(p).or_insert(0usize) += 1;
        }
    }
    for r in t.iter() {
        let n = per_parent.get(&r.code).copied().unwrap_or(0);
        assert_eq!(t.children_iter(Some(&r.code)).len(), n, "{:?}", r.code);
    }
    assert!(t.children(Some(&code("32.01.01.2001"))).is_empty());
    assert!(t.children(Some(&code("99"))).is_empty());
}

#[test]
fn in_scope_of_a_province_is_its_villages_only() {
    let t = table();
    let jabar = code("32");
    let villages = t.in_scope(&RegionScope::Region(jabar), RegionLevel::Village);
    let brute: Vec<_> = t
        .iter()
        .filter(|r| r.level() == RegionLevel::Village && jabar.contains(&r.code))
        .collect();
    assert!(villages.len() > 5000, "{}", villages.len());
    assert_eq!(villages, brute);
    assert!(villages
        .iter()
        .all(|r| r.level() == RegionLevel::Village && r.code.as_str().starts_with("32.")));

    // The scope's own level gives the region itself; a coarser level gives nothing.
    let bogor = code("32.01");
    let own = t.in_scope(&RegionScope::Region(bogor), RegionLevel::Regency);
    assert_eq!(own.iter().map(|r| r.code).collect::<Vec<_>>(), [bogor]);
    assert!(t
        .in_scope(&RegionScope::Region(bogor), RegionLevel::Province)
        .is_empty());
    // Scopes at the edges of the code space.
    assert_eq!(
        t.in_scope(&RegionScope::Region(code("11")), RegionLevel::Regency)
            .first()
            .map(|r| r.code),
        Some(code("11.01"))
    );
    assert!(t
        .in_scope(&RegionScope::Region(code("00")), RegionLevel::Village)
        .is_empty());
    assert!(t
        .in_scope(&RegionScope::Region(code("99")), RegionLevel::Village)
        .is_empty());
    // Per-province village counts add up to the national count.
    let sum: usize = t
        .children(None)
        .iter()
        .map(|p| {
            t.in_scope_iter(&RegionScope::Region(p.code), RegionLevel::Village)
                .len()
        })
        .sum();
    assert_eq!(sum, t.count(RegionLevel::Village));
}

#[test]
fn district_digits() {
    let t = table();
    assert!(t.is_known_district_digits(b"320101"));
    assert!(!t.is_known_district_digits(b"999999"));
    assert!(!t.is_known_district_digits(b"000000"));
    assert!(!t.is_known_district_digits(b"32010a"));
    assert!(!t.is_known_district_digits(b"32.101"));
    for d in t.in_scope_iter(&RegionScope::National, RegionLevel::District) {
        let digits: [u8; 6] = d.code.digits().into_bytes().try_into().unwrap();
        assert!(t.is_known_district_digits(&digits), "{:?}", d.code);
        assert_eq!(RegionCode::from_district_digits(&digits).unwrap(), d.code);
    }
    // Exactly the districts, nothing else, over the whole six-digit space.
    let mut known = 0;
    for n in 0..1_000_000u32 {
        let s = format!("{n:06}");
        let digits: &[u8; 6] = s.as_bytes().try_into().unwrap();
        if t.is_known_district_digits(digits) {
            known += 1;
            assert!(t.contains(&RegionCode::from_district_digits(digits).unwrap()));
        }
    }
    assert_eq!(known, t.count(RegionLevel::District));
}

#[test]
fn codes_in_only_one_version_keep_their_flag() {
    let t = table();
    let only3 = raw_rows()
        .find(|(_, v)| *v == "3")
        .expect("a 3.1.2-only row");
    let only4 = raw_rows()
        .find(|(_, v)| *v == "4")
        .expect("a 4.0.1-only row");
    let both = raw_rows().find(|(_, v)| *v == "34").unwrap();
    let r3 = t.get(&code(only3.0)).unwrap();
    assert!(r3.in_v3 && !r3.in_v4, "{r3:?}");
    let r4 = t.get(&code(only4.0)).unwrap();
    assert!(!r4.in_v3 && r4.in_v4, "{r4:?}");
    let rb = t.get(&code(both.0)).unwrap();
    assert!(rb.in_v3 && rb.in_v4, "{rb:?}");
    // Flags agree with the raw text row for row.
    for ((c, v), r) in raw_rows().zip(t.iter()) {
        assert_eq!(c, r.code.as_str());
        assert_eq!(
            (v.contains('3'), v.contains('4')),
            (r.in_v3, r.in_v4),
            "{c}"
        );
    }
}

#[test]
fn path_names_go_from_province_down() {
    let t = table();
    let v = code("32.01.01.1001");
    let path = t.path_names(&v);
    let codes: Vec<_> = path.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(codes, ["32", "32.01", "32.01.01", "32.01.01.1001"]);
    assert_eq!(path[0].1, "Jawa Barat");
    assert!(path[1].1.contains("Bogor"), "{path:?}");
    assert_eq!(path[2].1, "Cibinong");
    assert_eq!(path[3].1, t.name(&v).unwrap());
    assert_eq!(t.path_names(&code("32")), [(code("32"), "Jawa Barat")]);
    // An unknown village still shows its known ancestors.
    assert_eq!(t.path_names(&code("32.01.01.9999")).len(), 3);
    assert!(t.path_names(&code("99.01")).is_empty());
}

#[test]
fn embedded_is_shared() {
    assert!(std::ptr::eq(
        RegionTable::embedded(),
        RegionTable::embedded()
    ));
}
