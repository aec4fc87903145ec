//! The read floor of `selaras rank` (BENCHMARKS.md): parse every record of households.csv
//! and members.csv with the same CSV reader, one thread per file, and do nothing else.
//! Usage: scan DIR

use selaras_domain::registry::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use selaras_interchange::{self as ix, HOUSEHOLDS_FILE, MEMBERS_FILE};

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: scan DIR"));
    let started = std::time::Instant::now();
    let count = |name: &'static str, cols| {
        let mut f = ix::open_untracked(&dir, name, cols).expect("open");
        let mut n = 0u64;
        while let Some(r) = f.next_bytes() {
            r.expect("record");
            n += 1;
        }
        n
    };
    let (h, m) = std::thread::scope(|s| {
        let h = s.spawn(|| count(HOUSEHOLDS_FILE, HOUSEHOLD_COLUMNS));
        let m = count(MEMBERS_FILE, MEMBER_COLUMNS);
        (h.join().expect("thread"), m)
    });
    println!(
        "households={h} members={m} seconds={:.2}",
        started.elapsed().as_secs_f64()
    );
}
