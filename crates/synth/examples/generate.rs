//! Times the generator: `cargo run --release -p selaras-synth --example generate -- 1000000 42 /tmp/synth [PREFIX,...]`
//! prints the summary, the elapsed time and the rates.

use std::time::Instant;

use selaras_domain::RegionScope;
use selaras_synth::{generate_to_dir, GenConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let households: u64 = args
        .first()
        .map_or(1_000_000, |s| s.parse().expect("households"));
    let seed: u64 = args.get(1).map_or(42, |s| s.parse().expect("seed"));
    let dir = args.get(2).map_or("/tmp/synth", |s| s.as_str()).to_owned();
    let regions: Vec<RegionScope> = args.get(3).map_or(Vec::new(), |s| {
        s.split(',')
            .map(|p| RegionScope::parse(p).expect("region prefix"))
            .collect()
    });
    let cfg = GenConfig {
        households,
        seed,
        regions,
        ..GenConfig::default()
    };
    let start = Instant::now();
    let summary = generate_to_dir(&cfg, dir.as_ref(), &|_| {}).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    let secs = start.elapsed().as_secs_f64();
    println!("{summary:?}");
    println!(
        "{secs:.2} s, {:.0} households/s, {:.0} members/s, below poverty line {:.2} %, mean size {:.3}",
        summary.households as f64 / secs,
        summary.members as f64 / secs,
        100.0 * summary.below_poverty_line as f64 / summary.households.max(1) as f64,
        summary.members as f64 / summary.households.max(1) as f64,
    );
}
