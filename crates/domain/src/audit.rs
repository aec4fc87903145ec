//! The audit log (issue #5): every change and every read of a person's data — who, what,
//! when, from where — as entries chained by SHA-256. Each entry's hash covers its fields
//! and the previous entry's hash, so changing, removing, reordering or inserting an entry
//! breaks the chain from that entry on; [`verify`] finds the first break.
//!
//! The chain is unkeyed: someone who can rewrite the whole table can also recompute every
//! hash after the entries they changed. What detects that is the newest hash kept outside
//! the database (`selaras audit verify` prints it): a rewritten chain no longer ends in it.
//!
//! Pure: hashing and checking only; storing (one appender at a time) is the store's.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The seq of the first entry.
pub const FIRST_SEQ: i64 = 1;

/// One stored entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, … without gaps.
    pub seq: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The username, or `system`.
    pub actor: String,
    pub role: String,
    /// What was done, e.g. `read.person`, `case.create`, `case.action.verify`.
    pub action: String,
    /// To what, e.g. `household:3402…`, `case:12`, `person:NIK`.
    pub target: String,
    /// The village or region code of the target (`""` if none).
    pub region: String,
    /// From where: the client's IP address, or `cli`.
    pub origin: String,
    /// A short JSON object or text.
    pub detail: String,
    /// The previous entry's `hash` (hex); [`GENESIS`] for the first.
    pub prev_hash: String,
    /// [`entry_hash`] of this entry (hex).
    pub hash: String,
}

/// An entry to append: the store gives it its seq, time and place in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub region: String,
    pub origin: String,
    pub detail: String,
}

impl NewAuditEntry {
    /// The entry as the `seq`-th of the chain, after the entry whose hash is `prev_hash`.
    pub fn seal(&self, seq: i64, at: &str, prev_hash: &str) -> AuditEntry {
        let hash = entry_hash(
            prev_hash,
            seq,
            at,
            &self.actor,
            &self.role,
            &self.action,
            &self.target,
            &self.region,
            &self.origin,
            &self.detail,
        );
        AuditEntry {
            seq,
            at: at.to_string(),
            actor: self.actor.clone(),
            role: self.role.clone(),
            action: self.action.clone(),
            target: self.target.clone(),
            region: self.region.clone(),
            origin: self.origin.clone(),
            detail: self.detail.clone(),
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }
}

impl AuditEntry {
    /// The hash this entry's fields call for (equal to `hash` unless it was tampered with).
    pub fn computed_hash(&self) -> String {
        entry_hash(
            &self.prev_hash,
            self.seq,
            &self.at,
            &self.actor,
            &self.role,
            &self.action,
            &self.target,
            &self.region,
            &self.origin,
            &self.detail,
        )
    }
}

/// Hex SHA-256 of a version tag, then every field as its length (8 bytes, big-endian)
/// and bytes (`seq` as 8 bytes). The lengths make the encoding unambiguous: moving a
/// character from one field to the next changes the hash.
// The fields one by one, so that callers cannot hash a different set by mistake.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: &str,
    actor: &str,
    role: &str,
    action: &str,
    target: &str,
    region: &str,
    origin: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"selaras-audit-v1");
    field(prev_hash.as_bytes());
    field(&seq.to_be_bytes());
    for f in [at, actor, role, action, target, region, origin, detail] {
        field(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Where and why a chain stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The seq the first bad entry has, or should have had.
    pub seq: i64,
    pub reason: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {}: {}", self.seq, self.reason)
    }
}

impl std::error::Error for Broken {}

/// Checks a chain one entry at a time, so that a long log can be read in pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    next_seq: i64,
    prev_hash: String,
    count: u64,
}

impl ChainCheck {
    /// A check of the whole log, from its first entry.
    pub fn new() -> ChainCheck {
        ChainCheck::after(GENESIS, FIRST_SEQ)
    }

    /// A check that starts at entry `start_seq`, whose `prev_hash` must be `start_prev`
    /// (the hash of an entry already trusted).
    pub fn after(start_prev: &str, start_seq: i64) -> ChainCheck {
        ChainCheck {
            next_seq: start_seq,
            prev_hash: start_prev.to_string(),
            count: 0,
        }
    }

    /// Checks the next entry: its seq follows, it links to the one before, and its hash
    /// matches its fields.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), Broken> {
        let broken = |reason: String| {
            Err(Broken {
                seq: self.next_seq,
                reason,
            })
        };
        if e.seq > self.next_seq {
            return broken(format!("entry missing (the next entry has seq {})", e.seq));
        }
        if e.seq < self.next_seq {
            return broken(format!("entry out of order (seq {} found)", e.seq));
        }
        if e.prev_hash != self.prev_hash {
            return broken("prev_hash is not the hash of the entry before".into());
        }
        if e.computed_hash() != e.hash {
            return broken("hash does not match the entry's fields".into());
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        self.count += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The seq of the last entry checked (`start_seq - 1` before any).
    pub fn last_seq(&self) -> i64 {
        self.next_seq - 1
    }

    /// The hash of the last entry checked (the start's before any).
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck::new()
    }
}

/// Checks `entries` (in seq order) as the chain from entry `start_seq`, whose `prev_hash`
/// must be `start_prev` ([`GENESIS`] and [`FIRST_SEQ`] for the whole log); the number of
/// entries, or the first break.
pub fn verify(
    entries: impl IntoIterator<Item = AuditEntry>,
    start_prev: &str,
    start_seq: i64,
) -> Result<u64, Broken> {
    let mut check = ChainCheck::after(start_prev, start_seq);
    for e in entries {
        check.push(&e)?;
    }
    Ok(check.count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn new(actor: &str, action: &str, target: &str) -> NewAuditEntry {
        NewAuditEntry {
            actor: actor.into(),
            role: "supervisor".into(),
            action: action.into(),
            target: target.into(),
            region: "33.14.01.2001".into(),
            origin: "10.0.0.7".into(),
            detail: r#"{"page":"household"}"#.into(),
        }
    }

    /// A chain of `news`, sealed one after another.
    fn chain(news: &[NewAuditEntry]) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        news.iter()
            .enumerate()
            .map(|(i, n)| {
                let e = n.seal(i as i64 + 1, "2026-01-05T08:00:00Z", &prev);
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn sample() -> Vec<AuditEntry> {
        chain(&[
            new("sup.a", "read.person", "person:3314010101800001"),
            new("sup.a", "case.create", "case:12"),
            new("fo", "case.action.verify", "case:12"),
            new("system", "read.household", "household:3314010001"),
        ])
    }

    #[test]
    fn the_hash_is_sha256_hex_and_fixed() {
        let e = &sample()[0];
        assert_eq!(e.hash.len(), 64);
        assert!(e.hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(e.hash, e.computed_hash());
        assert_eq!(e.prev_hash, GENESIS);
        assert_eq!(GENESIS.len(), 64);
        // The encoding is part of the stored data: it must never change.
        assert_eq!(
            entry_hash(
                GENESIS,
                1,
                "2026-01-05T08:00:00Z",
                "a",
                "b",
                "c",
                "d",
                "e",
                "f",
                "g"
            ),
            "c3a55c1d2ebb7328a73ce2d0c4750fdae03c1d14c59c152250a6fd6f224a009e"
        );
    }

    #[test]
    fn moving_a_character_between_fields_changes_the_hash() {
        let at = "2026-01-05T08:00:00Z";
        let a = entry_hash(GENESIS, 1, at, "ab", "c", "x", "t", "r", "o", "d");
        let b = entry_hash(GENESIS, 1, at, "a", "bc", "x", "t", "r", "o", "d");
        let c = entry_hash(GENESIS, 1, at, "abc", "", "x", "t", "r", "o", "d");
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_ne!(b, c);
        let d = entry_hash(GENESIS, 1, at, "a", "b", "c", "d", "e", "f", "");
        let e = entry_hash(GENESIS, 1, at, "a", "b", "c", "d", "e", "", "f");
        assert_ne!(d, e);
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = sample();
        assert_eq!(verify(c.clone(), GENESIS, FIRST_SEQ), Ok(4));
        assert_eq!(verify(Vec::new(), GENESIS, FIRST_SEQ), Ok(0));
        // From the middle, trusting entry 2.
        assert_eq!(verify(c[2..].to_vec(), &c[1].hash, 3), Ok(2));
        let mut check = ChainCheck::new();
        assert_eq!((check.last_seq(), check.last_hash()), (0, GENESIS));
        for e in &c {
            check.push(e).unwrap();
        }
        assert_eq!(
            (check.count(), check.last_seq(), check.last_hash()),
            (4, 4, c[3].hash.as_str())
        );
    }

    #[test]
    fn a_changed_field_is_found_at_its_entry() {
        let mut c = sample();
        c[2].actor = "sup.b".into();
        let b = verify(c, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("hash"), "{b}");
    }

    #[test]
    fn a_removed_entry_is_a_gap() {
        let mut c = sample();
        c.remove(1);
        let b = verify(c, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 2);
        assert!(b.reason.contains("missing"), "{b}");
        // The newest removed: nothing after it to show the gap; only a hash kept
        // elsewhere would (see the module's comment).
        let mut c = sample();
        c.pop();
        assert_eq!(verify(c, GENESIS, FIRST_SEQ), Ok(3));
    }

    #[test]
    fn reordered_and_inserted_entries_are_found() {
        // Swapped in place, seqs renumbered to look gap-free.
        let mut c = sample();
        c.swap(1, 2);
        c[1].seq = 2;
        c[2].seq = 3;
        assert_eq!(verify(c, GENESIS, FIRST_SEQ).unwrap_err().seq, 2);
        // Swapped with their seqs.
        let mut c = sample();
        c.swap(1, 2);
        let b = verify(c, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 2);
        // An entry sealed onto entry 1 and put after it, the rest renumbered.
        let mut c = sample();
        let forged =
            new("x", "read.person", "person:1").seal(2, "2026-01-05T08:00:00Z", &c[0].hash);
        c.insert(1, forged);
        for (i, e) in c.iter_mut().enumerate() {
            e.seq = i as i64 + 1;
        }
        let b = verify(c, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 3);
        // The same entry twice.
        let mut c = sample();
        c.insert(2, c[1].clone());
        let b = verify(c, GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("out of order"), "{b}");
    }

    #[test]
    fn a_wrong_link_is_found() {
        let mut c = sample();
        // Resealed on another predecessor: its own hash is consistent, the link is not.
        c[3] = new("system", "read.household", "household:3314010001").seal(
            4,
            "2026-01-05T08:00:00Z",
            &c[1].hash,
        );
        let b = verify(c.clone(), GENESIS, FIRST_SEQ).unwrap_err();
        assert_eq!(b.seq, 4);
        assert!(b.reason.contains("prev_hash"), "{b}");
        // A wrong start.
        assert_eq!(verify(c, &"1".repeat(64), 1).unwrap_err().seq, 1);
    }

    fn field_text() -> impl Strategy<Value = String> {
        "[a-z0-9.:{}\" -]{0,12}"
    }

    prop_compose! {
        fn new_entry()(actor in field_text(), role in field_text(), action in field_text(),
                       target in field_text(), region in field_text(), origin in field_text(),
                       detail in field_text()) -> NewAuditEntry {
            NewAuditEntry { actor, role, action, target, region, origin, detail }
        }
    }

    proptest! {
        /// Any change of one field of one entry of a random chain is found at that
        /// entry's seq, and the entries before it still verify.
        #[test]
        fn any_single_field_change_is_found_at_its_entry(
            news in proptest::collection::vec(new_entry(), 1..12),
            pick in any::<prop::sample::Index>(),
            field in 0usize..11,
            seq_delta in prop_oneof![-5i64..0, 1i64..5],
            extra in "[a-z0-9]{1,3}",
        ) {
            let mut c = chain(&news);
            prop_assert_eq!(verify(c.clone(), GENESIS, FIRST_SEQ), Ok(c.len() as u64));
            let i = pick.index(c.len());
            let e = &mut c[i];
            let text = |s: &mut String| s.push_str(&extra);
            match field {
                0 => e.seq += seq_delta,
                1 => text(&mut e.at),
                2 => text(&mut e.actor),
                3 => text(&mut e.role),
                4 => text(&mut e.action),
                5 => text(&mut e.target),
                6 => text(&mut e.region),
                7 => text(&mut e.origin),
                8 => text(&mut e.detail),
                9 => e.prev_hash = entry_hash(&e.prev_hash, 0, &extra, "", "", "", "", "", "", ""),
                _ => e.hash = entry_hash(&e.hash, 0, &extra, "", "", "", "", "", "", ""),
            }
            let b = verify(c.clone(), GENESIS, FIRST_SEQ).unwrap_err();
            prop_assert_eq!(b.seq, i as i64 + 1, "{}", b);
            prop_assert_eq!(verify(c[..i].to_vec(), GENESIS, FIRST_SEQ), Ok(i as u64));
        }
    }
}
