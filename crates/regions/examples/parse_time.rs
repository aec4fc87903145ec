//! Measures how long the embedded table takes to parse.
//!
//! `cargo run --release -p selaras-regions --example parse_time`

use std::hint::black_box;
use std::time::Instant;

use selaras_regions::{RegionTable, EMBEDDED_CSV};

fn main() {
    let t0 = Instant::now();
    let table = RegionTable::embedded();
    let first = t0.elapsed();
    println!(
        "first RegionTable::embedded(): {:.2} ms ({} regions, {} bytes of CSV)",
        first.as_secs_f64() * 1e3,
        table.len(),
        EMBEDDED_CSV.len()
    );

    let t0 = Instant::now();
    let _ = black_box(RegionTable::embedded());
    println!("second call: {:?}", t0.elapsed());

    let runs = 20;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t0 = Instant::now();
            let t = RegionTable::from_csv(black_box(EMBEDDED_CSV)).unwrap();
            let dt = t0.elapsed().as_secs_f64() * 1e3;
            drop(black_box(t));
            dt
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "from_csv over {runs} runs: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        times[0],
        times[runs / 2],
        times[runs - 1]
    );

    // District-digit lookups, as done for every row of an import.
    let n = 10_000_000u32;
    let t0 = Instant::now();
    let mut hits = 0u32;
    let mut buf = *b"110101";
    for i in 0..n {
        let v = (i * 7919) % 1_000_000;
        let mut x = v;
        for b in buf.iter_mut().rev() {
            *b = b'0' + (x % 10) as u8;
            x /= 10;
        }
        hits += u32::from(table.is_known_district_digits(black_box(&buf)));
    }
    let dt = t0.elapsed();
    println!(
        "is_known_district_digits: {:.1} ns/call ({hits} hits of {n})",
        dt.as_secs_f64() * 1e9 / f64::from(n)
    );
}
