//! Indonesia's region table — provinces (*provinsi*), regencies (*kabupaten/kota*), districts
//! (*kecamatan*) and villages (*desa/kelurahan*) — shipped inside the binary.
//!
//! The data is `data/regions.csv`, converted by `tools/convert.py` from the npm package
//! `idn-area-data` (versions 4.0.1 and 3.1.2; data under the ODbL 1.0, see
//! `data/NOTICE.md`). It holds every code present in either version; [`Region::in_v3`] and
//! [`Region::in_v4`] say which.
//!
//! ```
//! use selaras_domain::region::RegionCode;
//! use selaras_regions::RegionTable;
//!
//! let t = RegionTable::embedded();
//! let jabar = RegionCode::parse("32").unwrap();
//! assert_eq!(t.name(&jabar), Some("Jawa Barat"));
//! assert!(t.is_known_district_digits(b"320101"));
//! ```

use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use selaras_domain::region::{RegionCode, RegionLevel, RegionScope};

/// The embedded region table as CSV: header `code,name,versions`, one row per region, sorted
/// by code. `versions` is `3`, `4` or `34`.
pub const EMBEDDED_CSV: &str = include_str!("../data/regions.csv");

/// The levels from the top down; `LEVELS[level_index(l)] == l`.
const LEVELS: [RegionLevel; 4] = [
    RegionLevel::Province,
    RegionLevel::Regency,
    RegionLevel::District,
    RegionLevel::Village,
];

const fn level_index(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 0,
        RegionLevel::Regency => 1,
        RegionLevel::District => 2,
        RegionLevel::Village => 3,
    }
}

/// Number of possible six-digit district numbers (`000000`..=`999999`).
const DISTRICT_DIGITS_SPACE: usize = 1_000_000;

/// One province, regency, district or village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    /// The name as published (from idn-area-data 4.0.1 when the code is there, else 3.1.2).
    pub name: String,
    /// The code is in idn-area-data 3.1.2.
    pub in_v3: bool,
    /// The code is in idn-area-data 4.0.1.
    pub in_v4: bool,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
}

/// All regions, sorted by code, with per-level indexes.
///
/// Every region's parent is in the table (checked by [`RegionTable::from_csv`]), so the
/// children of a region and the regions inside a scope are contiguous runs of the per-level
/// indexes, found by binary search.
#[derive(Clone)]
pub struct RegionTable {
    /// Sorted by code, no duplicates.
    regions: Vec<Region>,
    /// Positions in `regions` of the regions of each level, ascending (hence in code order).
    by_level: [Vec<u32>; 4],
    /// Bit `n` is set when the district whose dot-less code is the six-digit number `n` exists.
    district_bits: Vec<u64>,
}

impl RegionTable {
    /// The table embedded in the binary ([`EMBEDDED_CSV`]), parsed on first use and shared.
    ///
    /// The first call parses 91,716 rows (2.5 MB of CSV). Measured in a release build with
    /// `cargo run --release -p selaras-regions --example parse_time` on the development VM
    /// (2 vCPU Xeon): first call about 30 ms (26–32 ms over fresh processes, up to ~60 ms
    /// while the machine was busy compiling); repeated `from_csv` of the same text about
    /// 25 ms, of which about 10 ms is CSV tokenising. Later calls are a pointer load (< 1 µs).
    pub fn embedded() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RegionTable::from_csv(EMBEDDED_CSV)
                .unwrap_or_else(|e| panic!("embedded data/regions.csv is invalid: {e}"))
        })
    }

    /// Parse a table in the format of [`EMBEDDED_CSV`]: header `code,name,versions`, rows
    /// sorted by code without duplicates, each region's parent present, `versions` one of
    /// `3`, `4`, `34`. The error names the offending line (1-based, header = line 1).
    pub fn from_csv(text: &str) -> Result<RegionTable, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        // Byte records: `text` is UTF-8 and fields end at ASCII bytes, so each field is UTF-8;
        // only the name is converted (checked) to `str`. Measurably faster than StringRecord.
        let mut rec = csv::ByteRecord::new();
        let line_of = |rec: &csv::ByteRecord| rec.position().map_or(0, |p| p.line());
        let field = |rec: &csv::ByteRecord, i: usize| String::from_utf8_lossy(&rec[i]).into_owned();
        let read = |reader: &mut csv::Reader<&[u8]>, rec: &mut csv::ByteRecord| {
            reader
                .read_byte_record(rec)
                .map_err(|e| match e.position() {
                    Some(p) => format!("line {}: {e}", p.line()),
                    None => e.to_string(),
                })
        };

        if !read(&mut reader, &mut rec)? {
            return Err("line 1: empty input, expected the header code,name,versions".into());
        }
        if rec.iter().ne([&b"code"[..], b"name", b"versions"]) {
            let got: Vec<String> = (0..rec.len()).map(|i| field(&rec, i)).collect();
            return Err(format!(
                "line {}: header is {:?}, expected code,name,versions",
                line_of(&rec),
                got.join(",")
            ));
        }

        // Rows are about 27 bytes on average; a slight over-estimate avoids regrowing.
        let mut regions: Vec<Region> = Vec::with_capacity(text.len() / 24);
        let mut by_level: [Vec<u32>; 4] = Default::default();
        let mut district_bits = vec![0u64; DISTRICT_DIGITS_SPACE / 64];
        // The last code seen at each level. As rows are sorted, a region's parent, if present,
        // is the last code seen at the parent's level.
        let mut last_at_level: [Option<RegionCode>; 4] = [None; 4];

        while read(&mut reader, &mut rec)? {
            let line = line_of(&rec);
            if rec.len() != 3 {
                return Err(format!(
                    "line {line}: expected 3 fields (code,name,versions), found {}",
                    rec.len()
                ));
            }
            let code = std::str::from_utf8(&rec[0])
                .map_err(|_| format!("line {line}: code is not UTF-8"))
                .and_then(|c| RegionCode::parse(c).map_err(|e| format!("line {line}: {e}")))?;
            let name = std::str::from_utf8(&rec[1])
                .map_err(|_| format!("line {line}: {code}: name is not UTF-8"))?;
            if name.trim().is_empty() || name.bytes().any(|b| b < 0x20 || b == 0x7f) {
                return Err(format!("line {line}: {code}: bad name {name:?}"));
            }
            let (in_v3, in_v4) = match &rec[2] {
                b"3" => (true, false),
                b"4" => (false, true),
                b"34" => (true, true),
                _ => {
                    return Err(format!(
                        "line {line}: {code}: versions is {:?}, expected 3, 4 or 34",
                        field(&rec, 2)
                    ))
                }
            };
            if let Some(prev) = regions.last() {
                if code <= prev.code {
                    return Err(format!(
                        "line {line}: {code} comes after {}: rows must be sorted by code, \
                         without duplicates",
                        prev.code
                    ));
                }
            }
            if let Some(parent) = code.parent() {
                if last_at_level[level_index(parent.level())] != Some(parent) {
                    return Err(format!(
                        "line {line}: {code}: its parent {parent} is not in the table"
                    ));
                }
            }
            let li = level_index(code.level());
            last_at_level[li] = Some(code);
            if code.level() == RegionLevel::District {
                let n = district_number(code.as_str().as_bytes())
                    .ok_or_else(|| format!("line {line}: {code}: not a district code"))?;
                district_bits[n / 64] |= 1 << (n % 64);
            }
            let pos = u32::try_from(regions.len())
                .map_err(|_| format!("line {line}: too many regions"))?;
            by_level[li].push(pos);
            regions.push(Region {
                code,
                name: name.to_owned(),
                in_v3,
                in_v4,
            });
        }

        regions.shrink_to_fit();
        Ok(RegionTable {
            regions,
            by_level,
            district_bits,
        })
    }

    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.regions
            .binary_search_by(|r| r.code.cmp(code))
            .ok()
            .map(|i| &self.regions[i])
    }

    pub fn contains(&self, code: &RegionCode) -> bool {
        self.get(code).is_some()
    }

    pub fn name(&self, code: &RegionCode) -> Option<&str> {
        self.get(code).map(|r| r.name.as_str())
    }

    /// Children of a region, or the provinces when `parent` is None; in code order. Empty for
    /// a village or a code not in the table.
    pub fn children(&self, parent: Option<&RegionCode>) -> Vec<&Region> {
        self.children_iter(parent).collect()
    }

    /// [`children`](Self::children) without collecting.
    pub fn children_iter(&self, parent: Option<&RegionCode>) -> RegionIter<'_> {
        match parent {
            None => self.level_iter(RegionLevel::Province, 0..self.by_level[0].len()),
            Some(p) => match LEVELS.get(level_index(p.level()) + 1) {
                Some(&child_level) => self.in_scope_iter(&RegionScope::Region(*p), child_level),
                None => self.level_iter(RegionLevel::Village, 0..0),
            },
        }
    }

    /// All regions of one level inside a scope, in code order (e.g. every village in "32.01").
    /// A region counts as inside its own scope; a level coarser than the scope's region gives
    /// nothing.
    pub fn in_scope(&self, scope: &RegionScope, level: RegionLevel) -> Vec<&Region> {
        self.in_scope_iter(scope, level).collect()
    }

    /// [`in_scope`](Self::in_scope) without collecting; exact-size and double-ended, so
    /// `.len()` and `.nth(i)` are O(1).
    pub fn in_scope_iter(&self, scope: &RegionScope, level: RegionLevel) -> RegionIter<'_> {
        let idx = &self.by_level[level_index(level)];
        let range = match scope {
            RegionScope::National => 0..idx.len(),
            RegionScope::Region(prefix) => {
                // Codes at this level sort as: those before `prefix`, then those inside it,
                // then those after it and not inside it.
                let code_at = |i: u32| &self.regions[i as usize].code;
                let lo = idx.partition_point(|&i| code_at(i) < prefix);
                let hi = lo + idx[lo..].partition_point(|&i| prefix.contains(code_at(i)));
                lo..hi
            }
        };
        self.level_iter(level, range)
    }

    fn level_iter(&self, level: RegionLevel, range: Range<usize>) -> RegionIter<'_> {
        RegionIter {
            regions: &self.regions,
            positions: self.by_level[level_index(level)][range].iter(),
        }
    }

    /// Fast check for the first 6 digits of a NIK/KK number (e.g. b"320101"): is it a known
    /// district (kecamatan)? O(1) and allocation-free (a bit set over all six-digit numbers).
    #[inline]
    pub fn is_known_district_digits(&self, digits: &[u8; 6]) -> bool {
        let mut n = 0usize;
        for &b in digits {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                return false;
            }
            n = n * 10 + d as usize;
        }
        self.district_bits[n / 64] >> (n % 64) & 1 == 1
    }

    /// "Jawa Barat › Kabupaten Bogor › Cibinong › …" from the province down to the code:
    /// one entry per level down to the code's own. Levels missing from the table (only
    /// possible when `code` itself is unknown) are skipped.
    pub fn path_names(&self, code: &RegionCode) -> Vec<(RegionCode, &str)> {
        LEVELS
            .iter()
            .filter_map(|&l| code.at_level(l))
            .filter_map(|c| self.name(&c).map(|n| (c, n)))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    pub fn count(&self, level: RegionLevel) -> usize {
        self.by_level[level_index(level)].len()
    }

    /// All regions in code order (a province is followed by its regencies, each followed by
    /// its districts, …).
    pub fn iter(&self) -> std::slice::Iter<'_, Region> {
        self.regions.iter()
    }
}

impl<'a> IntoIterator for &'a RegionTable {
    type Item = &'a Region;
    type IntoIter = std::slice::Iter<'a, Region>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl fmt::Debug for RegionTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegionTable")
            .field("provinces", &self.count(RegionLevel::Province))
            .field("regencies", &self.count(RegionLevel::Regency))
            .field("districts", &self.count(RegionLevel::District))
            .field("villages", &self.count(RegionLevel::Village))
            .finish()
    }
}

/// Regions of one level in code order; from [`RegionTable::children_iter`] and
/// [`RegionTable::in_scope_iter`].
#[derive(Clone)]
pub struct RegionIter<'a> {
    regions: &'a [Region],
    positions: std::slice::Iter<'a, u32>,
}

impl<'a> Iterator for RegionIter<'a> {
    type Item = &'a Region;

    fn next(&mut self) -> Option<&'a Region> {
        self.positions.next().map(|&i| &self.regions[i as usize])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.positions.size_hint()
    }

    fn nth(&mut self, n: usize) -> Option<&'a Region> {
        self.positions.nth(n).map(|&i| &self.regions[i as usize])
    }
}

impl DoubleEndedIterator for RegionIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.positions
            .next_back()
            .map(|&i| &self.regions[i as usize])
    }
}

impl ExactSizeIterator for RegionIter<'_> {}

impl std::iter::FusedIterator for RegionIter<'_> {}

/// `PP.KK.CC` → the number `PPKKCC`.
fn district_number(code: &[u8]) -> Option<usize> {
    match code {
        [a, b, b'.', c, d, b'.', e, f] => [a, b, c, d, e, f].iter().try_fold(0usize, |n, &&x| {
            x.is_ascii_digit().then(|| n * 10 + usize::from(x - b'0'))
        }),
        _ => None,
    }
}

/// The region table as the domain's row parsers ask for it.
impl selaras_domain::registry::RegionLookup for RegionTable {
    fn is_known_village(&self, code: &RegionCode) -> bool {
        code.level() == RegionLevel::Village && self.contains(code)
    }
    fn is_known_district_digits(&self, digits: &[u8; 6]) -> bool {
        RegionTable::is_known_district_digits(self, digits)
    }
}
