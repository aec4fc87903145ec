//! `selaras`: the command line (shared/spec/interfaces.md). Every command exits non-zero
//! with a one-line reason on bad arguments or bad input; long commands show progress on a
//! terminal; commands whose result tools read end stdout with one `key=value` line.

// glibc's malloc serialises threads that free what others allocated (the batch engines
// hand parsed rows between threads): mimalloc does not (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::access::Role;
use selaras_domain::{Date, RegionScope};
use selaras_regions::RegionTable;
use selaras_store::NewUser;

const DEFAULT_DB: &str = "sqlite://selaras.db";

#[derive(Parser)]
#[command(
    name = "selaras",
    version,
    about = "Selaras — Sistem Layanan dan Rujukan Terpadu (SLRT)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Web UI and HTTP API.
    Serve {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Load a small synthetic registry and one user per role (printed).
        #[arg(long)]
        demo: bool,
    },
    /// A synthetic data set in the interchange format.
    Generate {
        #[arg(long)]
        households: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Region prefixes, comma separated (e.g. 33.14,73.03).
        #[arg(long, value_delimiter = ',')]
        regions: Vec<String>,
        /// "Today" of the data set (YYYY-MM-DD).
        #[arg(long)]
        reference_date: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Load a data set (households.csv, members.csv); bad rows go to DIR/rejects.csv.
    Import {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        /// Members per transaction.
        #[arg(long, default_value_t = 8000)]
        chunk: usize,
        dir: PathBuf,
    },
    /// Write the registry in the interchange format.
    Export {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// PMT scores and national/provincial/regency ranks (ranks.csv). With --db: a
    /// ranking edition of the registry, stored (or, with --edition, re-run and checked).
    Rank {
        /// A data set folder (households.csv, members.csv).
        #[arg(long, conflicts_with = "db", required_unless_present = "db")]
        data: Option<PathBuf>,
        /// The registry (e.g. sqlite://selaras.db).
        #[arg(long)]
        db: Option<String>,
        /// The model file (JSON). With --db also a stored model, ID or ID@VERSION
        /// (default: its highest version); a file not yet stored is stored first.
        #[arg(long, required_unless_present = "edition")]
        model: Option<String>,
        /// With --db: re-run this edition on its snapshot instead of making a new one.
        #[arg(long, requires = "db", conflicts_with = "model")]
        edition: Option<i64>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Program eligibility (programs-default.md). With --data: DIR/eligibility.csv,
    /// summary.csv, gaps_by_regency.csv, combinations.csv (and quota.csv). With --db: an
    /// eligibility run over the snapshot of a ranking edition with the catalogue in
    /// force, stored in the registry.
    Eligibility {
        /// A data set folder (households.csv, members.csv).
        #[arg(long, conflicts_with = "db", required_unless_present = "db")]
        data: Option<PathBuf>,
        /// The registry (e.g. sqlite://selaras.db).
        #[arg(long)]
        db: Option<String>,
        /// With --data: the PMT model file (JSON) whose ranks the rules read.
        #[arg(long, required_unless_present = "db")]
        model: Option<PathBuf>,
        /// With --db: the ranking edition (default: the newest).
        #[arg(long, requires = "db")]
        edition: Option<i64>,
        /// The date ages are counted at (YYYY-MM-DD).
        #[arg(long)]
        as_of: String,
        /// With --data: a program catalogue (JSON; default: the shipped one).
        #[arg(long, conflicts_with = "db")]
        catalogue: Option<PathBuf>,
        /// With --data: the output folder.
        #[arg(long, required_unless_present = "db")]
        out: Option<PathBuf>,
    },
    /// Program catalogue versions in the registry.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Program participant lists.
    Participation {
        #[command(subcommand)]
        command: ParticipationCommand,
    },
    /// PMT models stored in the registry.
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Fit a PMT model (OLS of log per-capita consumption) from a data set with
    /// consumption.csv; writes the model file.
    Fit {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Variables, comma separated (default: make-up, head, housing and assets).
        #[arg(long, value_delimiter = ',')]
        vars: Vec<String>,
        /// The date ages are counted at (default: the latest survey_date in the data).
        #[arg(long)]
        as_of: Option<String>,
        /// The model id written in the file.
        #[arg(long, default_value = "pmt-fitted")]
        id: String,
        /// Also write an HTML report (coefficients, errors, predicted vs. true chart).
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Inclusion and exclusion errors of a model at a coverage, from consumption.csv.
    Backtest {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        model: PathBuf,
        /// Percent of households covered (1–100).
        #[arg(long)]
        coverage: u32,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The dashboards' pre-aggregated figures.
    Stats {
        #[command(subcommand)]
        command: StatsCommand,
    },
    /// Askesos, the social-welfare insurance for informal workers.
    Askesos {
        #[command(subcommand)]
        command: AskesosCommand,
    },
}

#[derive(Subcommand)]
enum AskesosCommand {
    /// Enrols an LPA's member list (CSV: nik, occupation and optionally cover_start,
    /// heir_nik, heir_name, heir_relation; columns in any order) as USER, each line
    /// checked as at the desk; bad lines to FILE.rejects.csv (`file,line,column,reason`);
    /// last line `loaded=… rejected=…`. Running it again enrols nothing twice.
    Import {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        /// The LPA's id.
        #[arg(long)]
        lpa: i64,
        /// The user who enrols (LPA staff or an administrator).
        #[arg(long)]
        user: String,
        file: PathBuf,
    },
    /// Ends the memberships the registry ended (deaths open the heirs' claim; other
    /// exits) and those past the product's age limit; `selaras serve` does this every
    /// minute. Last line `deaths=… death_claims_opened=… registry_exits=… age_outs=…`.
    Sweep {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand)]
enum StatsCommand {
    /// Bring the dashboard figures up to date (villages whose households changed; all of
    /// them on a new day or ranking edition; programs from the newest eligibility run);
    /// ends with `villages=… full=… programs_from_run=… seconds=…`. `selaras serve` does
    /// this every minute.
    Refresh {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the audit log's hash chain from its first entry; ends with
    /// `entries=N last_seq=S hash=H` (keep H elsewhere: a later run must still pass
    /// through it), or fails naming the first broken entry.
    Verify {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand)]
enum ParticipationCommand {
    /// Load a participant list (`program,household_id,nik,period,status`); bad rows go
    /// to FILE.rejects.csv with line, column and reason.
    Import {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Validate a model file and store it as a new version (frozen once stored).
    Add {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        #[arg(long)]
        file: PathBuf,
        /// Who built the model.
        #[arg(long)]
        author: String,
        /// The date it was approved (YYYY-MM-DD).
        #[arg(long)]
        approved: String,
    },
    /// The stored models and versions.
    List {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// The stored versions, and which is in force.
    List {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
    },
    /// Check a catalogue file and store it as a draft.
    Draft {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        #[arg(long)]
        file: PathBuf,
        /// Why it changes.
        #[arg(long)]
        note: String,
    },
    /// Households and people per regency and program that would gain or lose eligibility
    /// if draft VERSION replaced the catalogue in force (stored with the draft).
    DryRun {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        version: i64,
        /// The date ages are counted at (YYYY-MM-DD; default: today).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Put draft VERSION in force (it needs a dry run).
    Publish {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        version: i64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        #[arg(long, default_value = DEFAULT_DB)]
        db: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        /// Region code the user works in (e.g. 33.14.01.2001); omit for national.
        #[arg(long)]
        region: Option<String>,
        /// Program code (program officers).
        #[arg(long)]
        program: Option<String>,
        /// The Askesos LPA id (LPA staff).
        #[arg(long)]
        lpa: Option<i64>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("bad arguments")
                .trim_start_matches("error: ");
            eprintln!("selaras: {first} (see `selaras --help`)");
            return ExitCode::from(2);
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("selaras: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line: the chain of causes joined.
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("selaras: {}", msg.join(": ").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

fn bar(len: u64, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% {elapsed_precise} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// The latest `survey_date` in DIR/households.csv: the default date of a fit.
fn latest_survey_date(dir: &std::path::Path) -> Result<Date> {
    use selaras_domain::registry::HOUSEHOLD_COLUMNS;
    let mut f = selaras_interchange::open_untracked(dir, "households.csv", HOUSEHOLD_COLUMNS)?;
    let col = HOUSEHOLD_COLUMNS
        .iter()
        .position(|c| c.name == "survey_date")
        .and_then(|c| f.map.position(c));
    let Some(col) = col else {
        bail!("households.csv has no survey_date: give --as-of");
    };
    let mut latest: Option<Vec<u8>> = None;
    while let Some(item) = f.next_bytes() {
        let Ok((_, rec)) = item else { continue };
        let d = rec.get(col).unwrap_or_default();
        if d.len() == 10 && latest.as_deref().is_none_or(|l| d > l) {
            latest = Some(d.to_vec());
        }
    }
    let latest =
        latest.ok_or_else(|| anyhow!("households.csv has no survey dates: give --as-of"))?;
    Date::parse(&String::from_utf8_lossy(&latest))
        .map_err(|e| anyhow!("households.csv survey_date: {e}; give --as-of"))
}

/// Checks `--data` and reads the `--model` file.
fn data_and_model(
    data: &std::path::Path,
    model: &std::path::Path,
) -> Result<selaras_domain::pmt::Model> {
    if !data.is_dir() {
        bail!("--data: {} is not a folder", data.display());
    }
    load_model(model)
}

/// Reads and validates a model file; its warnings go to stderr.
fn load_model(path: &std::path::Path) -> Result<selaras_domain::pmt::Model> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--model: cannot read {}", path.display()))?;
    let model = selaras_domain::pmt::Model::from_json(&text)
        .map_err(|e| anyhow!("--model {}: {e}", path.display()))?;
    for w in model.warnings() {
        eprintln!("warning: --model {}: {w}", path.display());
    }
    Ok(model)
}

fn parse_scopes(list: &[String]) -> Result<Vec<RegionScope>> {
    list.iter()
        .filter(|s| !s.is_empty())
        .map(|s| RegionScope::parse(s).map_err(|e| anyhow!("--regions: {e}")))
        .collect()
}

async fn run(cmd: Command) -> Result<()> {
    match cmd {
        Command::Serve { db, addr, demo } => {
            let addr = addr
                .parse()
                .map_err(|_| anyhow!("--addr: {addr:?} is not HOST:PORT"))?;
            selaras_web::serve(selaras_web::ServeOptions { db, addr, demo }).await
        }
        Command::Generate {
            households,
            seed,
            regions,
            reference_date,
            out,
        } => {
            if households == 0 {
                bail!("--households must be at least 1");
            }
            let mut cfg = selaras_synth::GenConfig {
                households,
                seed,
                regions: parse_scopes(&regions)?,
                ..Default::default()
            };
            if let Some(d) = reference_date {
                cfg.reference_date =
                    Date::parse(&d).map_err(|e| anyhow!("--reference-date: {e}"))?;
            }
            let pb = bar(households, "generate");
            let started = Instant::now();
            let summary = tokio::task::spawn_blocking(move || {
                let r = selaras_synth::generate_to_dir(&cfg, &out, &|n| pb.set_position(n));
                pb.finish_and_clear();
                r
            })
            .await??;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "households={} members={} below_poverty_line={} villages={} seconds={secs:.2}",
                summary.households, summary.members, summary.below_poverty_line, summary.villages
            );
            Ok(())
        }
        Command::Import { db, chunk, dir } => {
            if !dir.is_dir() {
                bail!("{} is not a folder", dir.display());
            }
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let pb = bar(0, "import");
            let pb2 = pb.clone();
            let progress: selaras_batch::import::Progress = Arc::new(move |done, total| {
                pb2.set_length(total);
                pb2.set_position(done);
            });
            let opts = ImportOptions {
                chunk_members: chunk,
                actor: whoami(),
                ..Default::default()
            };
            let report = import_dir(
                store,
                Regions(RegionTable::embedded()),
                &dir,
                opts,
                Some(progress),
            )
            .await?;
            pb.finish_and_clear();
            if report.rejected > 0 {
                eprintln!(
                    "{} rows rejected: see {}",
                    report.rejected,
                    report.rejects_path.display()
                );
            }
            println!("{}", report.key_values());
            Ok(())
        }
        Command::Export { db, out } => {
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let started = Instant::now();
            let r = selaras_batch::export::export_dir(&*store, &out).await?;
            println!(
                "households={} members={} seconds={:.2}",
                r.households,
                r.members,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Rank {
            data: Some(data),
            model,
            out,
            ..
        } => {
            let model = data_and_model(&data, &PathBuf::from(model.unwrap_or_default()))?;
            let started = Instant::now();
            let pb = bar(0, "rank");
            let pb2 = pb.clone();
            let unscored = selaras_targeting::unscored_path(&out);
            let n = tokio::task::spawn_blocking(move || {
                let progress = move |done: u64, total: u64| {
                    pb2.set_length(total);
                    pb2.set_position(done);
                };
                selaras_targeting::rank_dir(&data, &model, &out, Some(&progress))
            })
            .await??;
            pb.finish_and_clear();
            warn_unscored(n.unscored as i64, &unscored);
            println!(
                "households={} unscored={} seconds={:.2}",
                n.ranked,
                n.unscored,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Rank {
            db: Some(db),
            model,
            edition,
            out,
            ..
        } => {
            use selaras_batch::editions;
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let started = Instant::now();
            let pb = bar(0, "rank");
            let pb2 = pb.clone();
            let progress: editions::Progress = Arc::new(move |done, total| {
                pb2.set_length(total);
                pb2.set_position(done);
            });
            if let Some(id) = edition {
                let (e, same) = editions::rerun_edition(&*store, id, &out, Some(progress)).await?;
                pb.finish_and_clear();
                println!(
                    "edition={} snapshot_change={} households={} identical={} seconds={:.2}",
                    e.id,
                    e.snapshot_change,
                    e.ranked,
                    if same { "yes" } else { "no" },
                    started.elapsed().as_secs_f64()
                );
                if !same {
                    bail!("edition {id}: the re-run's ranks.csv differs from the stored edition's");
                }
                return Ok(());
            }
            let mut spec = model.unwrap_or_default();
            if std::path::Path::new(&spec).is_file() {
                // interfaces.md: `rank --db URL --model FILE`. The file becomes a stored
                // version unless it is one already (`model add` records the real author
                // and approval date).
                let m = load_model(std::path::Path::new(&spec))?;
                let now = selaras_store::now_utc();
                let today = &now[..10];
                let stored = selaras_batch::editions::stored_model(&m, &whoami(), today);
                if store.put_model(&stored).await? {
                    eprintln!(
                        "model {} version {} stored in the registry (author {}, approved {today})",
                        m.id,
                        m.version,
                        whoami()
                    );
                }
                spec = format!("{}@{}", m.id, m.version);
            }
            let (id, version) = match spec.split_once('@') {
                Some((id, v)) => (
                    id.to_string(),
                    Some(v.parse::<i64>().map_err(|_| {
                        anyhow!("--model: {v:?} is not a version number (ID@VERSION)")
                    })?),
                ),
                None => (spec, None),
            };
            let e = editions::rank_registry(&*store, &id, version, &out, &whoami(), Some(progress))
                .await?;
            pb.finish_and_clear();
            warn_unscored(e.unscored, &selaras_targeting::unscored_path(&out));
            println!(
                "edition={} model={}@{} snapshot_change={} snapshot_at={} households={} unscored={} input_digest={} seconds={:.2}",
                e.id,
                e.model_id,
                e.model_version,
                e.snapshot_change,
                e.snapshot_at,
                e.ranked,
                e.unscored,
                e.input_digest,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Rank { .. } => bail!("give --data or --db"),
        Command::Eligibility {
            data,
            db,
            model,
            edition,
            as_of,
            catalogue,
            out,
        } => {
            use selaras_domain::programs::Catalogue;
            let as_of = Date::parse(&as_of).map_err(|e| anyhow!("--as-of: {e}"))?;
            let started = Instant::now();
            if let Some(db) = db {
                let store = selaras_store::connect(&db)
                    .await
                    .with_context(|| format!("cannot open {db}"))?;
                let (run, outcome) =
                    selaras_batch::catalogue::run_eligibility(&*store, edition, as_of, &whoami())
                        .await?;
                println!(
                    "run={} edition={} catalogue={} programs={} eligible_units={} quota_units={} seconds={:.2}",
                    run.id,
                    run.edition_id,
                    run.catalogue_version
                        .map_or("shipped".to_string(), |v| v.to_string()),
                    outcome.summary.len(),
                    outcome.summary.iter().map(|s| s.eligible_units).sum::<u64>(),
                    outcome.quota.len(),
                    started.elapsed().as_secs_f64()
                );
                return Ok(());
            }
            let (Some(data), Some(model), Some(out)) = (data, model, out) else {
                bail!("--data needs --model and --out");
            };
            let model = data_and_model(&data, &model)?;
            let catalogue = match catalogue {
                None => Catalogue::shipped().clone(),
                Some(path) => {
                    let text = std::fs::read_to_string(&path)
                        .with_context(|| format!("--catalogue: cannot read {}", path.display()))?;
                    Catalogue::from_json(&text)
                        .map_err(|e| anyhow!("--catalogue {}: {e}", path.display()))?
                }
            };
            let sums = tokio::task::spawn_blocking(move || {
                selaras_batch::eligibility::eligibility_dir(
                    &data,
                    &model,
                    &catalogue.programs,
                    as_of,
                    &out,
                )
            })
            .await??;
            println!(
                "programs={} eligible_units={} seconds={:.2}",
                sums.len(),
                sums.iter().map(|s| s.eligible_units).sum::<u64>(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Catalogue { command } => catalogue_command(command).await,
        Command::Model {
            command:
                ModelCommand::Add {
                    db,
                    file,
                    author,
                    approved,
                },
        } => {
            let approved = Date::parse(&approved).map_err(|e| anyhow!("--approved: {e}"))?;
            if author.trim().is_empty() {
                bail!("--author: empty");
            }
            let model = load_model(&file)?;
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let stored =
                selaras_batch::editions::stored_model(&model, author.trim(), &approved.to_string());
            let new = store.put_model(&stored).await?;
            println!(
                "model={} version={} stored={} digest={}",
                stored.id,
                stored.version,
                if new { "yes" } else { "already" },
                stored.digest
            );
            Ok(())
        }
        Command::Participation {
            command: ParticipationCommand::Import { db, file },
        } => {
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let (_, catalogue) = selaras_batch::catalogue::in_force(&*store).await?;
            let r = selaras_batch::participation::import_participation(
                &*store,
                &catalogue,
                &file,
                &whoami(),
            )
            .await?;
            if r.rejected > 0 {
                eprintln!(
                    "{} rows rejected: see {}",
                    r.rejected,
                    r.rejects_path.display()
                );
            }
            println!("loaded={} rejected={}", r.loaded, r.rejected);
            Ok(())
        }
        Command::Model {
            command: ModelCommand::List { db },
        } => {
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            println!("model\tversion\tauthor\tapproved_on\tstored_at");
            for m in store.models().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    m.id, m.version, m.author, m.approved_on, m.stored_at
                );
            }
            Ok(())
        }
        Command::Fit {
            data,
            out,
            vars,
            as_of,
            id,
            report,
        } => {
            use selaras_targeting::survey;
            if !data.is_dir() {
                bail!("--data: {} is not a folder", data.display());
            }
            let names: Vec<String> = if vars.iter().all(|v| v.is_empty()) {
                survey::DEFAULT_FIT_VARS
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            } else {
                vars
            };
            let vars = survey::parse_vars(&names).map_err(|e| anyhow!("--vars: {e}"))?;
            let as_of = match as_of {
                Some(d) => Date::parse(&d).map_err(|e| anyhow!("--as-of: {e}"))?,
                None => latest_survey_date(&data)?,
            };
            let started = Instant::now();
            let fitted = tokio::task::spawn_blocking(move || {
                let design = survey::design_model(&vars, as_of);
                let frame = selaras_targeting::Frame::read_dir(&data, &design, None)?;
                let consumption = survey::read_consumption(&data, &frame)?;
                let fitted = survey::fit(&frame, &consumption, &vars, &id, as_of)?;
                if let Some(path) = &report {
                    let html = selaras_targeting::report::html(&fitted, &frame, &consumption);
                    std::fs::write(path, html)
                        .with_context(|| format!("--report: cannot write {}", path.display()))?;
                }
                Ok::<_, anyhow::Error>(fitted)
            })
            .await??;
            std::fs::write(&out, fitted.model.to_json() + "\n")
                .with_context(|| format!("--out: cannot write {}", out.display()))?;
            println!("{:<40} {:>12} {:>12}", "term", "coef", "std_error");
            println!(
                "{:<40} {:>12.6} {:>12.6}",
                "intercept", fitted.intercept, fitted.intercept_se
            );
            for r in &fitted.regressors {
                let name = match &r.level {
                    Some(l) => format!("{}={l}", r.var.name()),
                    None => r.var.name().to_string(),
                };
                println!("{name:<40} {:>12.6} {:>12.6}", r.coef, r.std_error);
            }
            println!(
                "households={} parameters={} r_squared={:.4} seconds={:.2}",
                fitted.households,
                fitted.regressors.len() + 1,
                fitted.r_squared,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backtest {
            data,
            model,
            coverage,
        } => {
            use selaras_targeting::survey;
            if !(1..=100).contains(&coverage) {
                bail!("--coverage: {coverage} is not a percentage from 1 to 100");
            }
            let model = data_and_model(&data, &model)?;
            let (national, provinces) = tokio::task::spawn_blocking(move || {
                let frame = selaras_targeting::Frame::read_dir(&data, &model, None)?;
                let consumption = survey::read_consumption(&data, &frame)?;
                let (scores, _) = frame.scores(&model);
                Ok::<_, anyhow::Error>(survey::backtest(&frame, &scores, &consumption, coverage))
            })
            .await??;
            for (p, e) in &provinces {
                println!(
                    "province={p:02} households={} poor={} selected={} exclusion_error={:.4} inclusion_error={:.4}",
                    e.households, e.poor, e.selected, e.exclusion_error, e.inclusion_error
                );
            }
            println!(
                "coverage={coverage} exclusion_error={:.4} inclusion_error={:.4} households={}",
                national.exclusion_error, national.inclusion_error, national.households
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    db,
                    username,
                    role,
                    region,
                    program,
                    lpa,
                },
        } => {
            let role = Role::parse(&role).ok_or_else(|| {
                let all: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                anyhow!(
                    "--role: unknown role {role:?}; expected one of {}",
                    all.join(", ")
                )
            })?;
            let scope = match region.as_deref() {
                None | Some("") => RegionScope::National,
                Some(r) => {
                    let scope = RegionScope::parse(r).map_err(|e| anyhow!("--region: {e}"))?;
                    if let RegionScope::Region(code) = &scope {
                        if !RegionTable::embedded().contains(code) {
                            bail!("--region: unknown region code {code}");
                        }
                    }
                    scope
                }
            };
            role.check_scope(&scope)
                .map_err(|e| anyhow!("--region: {e}"))?;
            if role == Role::ProgramOfficer && program.is_none() {
                bail!("--program is required for a program_officer");
            }
            if (role == Role::LpaStaff) != lpa.is_some() {
                bail!("--lpa is given for lpa_staff, and only for them");
            }
            if !selaras_web::auth::valid_username(&username) {
                bail!("--username: use 3 to 64 letters, digits, '.', '_' or '-'");
            }
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            if password.chars().count() < 8 {
                bail!("the password (standard input) must have at least 8 characters");
            }
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let hash = selaras_web::auth::hash_password(password)?;
            let id = store
                .create_user(&NewUser {
                    username: username.clone(),
                    password_hash: hash,
                    role,
                    scope,
                    program,
                    lpa,
                })
                .await?;
            println!(
                "user_id={id} username={username} role={} region={scope}",
                role.code()
            );
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => audit_verify(&db).await,
        Command::Askesos { command } => askesos_command(command).await,
        Command::Stats {
            command: StatsCommand::Refresh { db },
        } => {
            let store = selaras_store::connect(&db)
                .await
                .with_context(|| format!("cannot open {db}"))?;
            let started = std::time::Instant::now();
            let today = selaras_store::today_utc();
            let r = store
                .refresh_stats(
                    &today.to_string(),
                    &selaras_web::dashboard::twelve_months_before(today).to_string(),
                )
                .await?;
            println!(
                "villages={} full={} programs_from_run={} seconds={:.3}",
                r.villages,
                r.full,
                r.programs_from_run.map_or("-".into(), |r| r.to_string()),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

async fn askesos_command(command: AskesosCommand) -> Result<()> {
    let db = match &command {
        AskesosCommand::Import { db, .. } | AskesosCommand::Sweep { db } => db.clone(),
    };
    let store = selaras_store::connect(&db)
        .await
        .with_context(|| format!("cannot open {db}"))?;
    let state = selaras_web::AppState::new(store, false);
    let fail = |e: selaras_web::error::ApiError| anyhow!("{}", e.message_en());
    selaras_web::askesos::seed(&state).await.map_err(fail)?;
    match command {
        AskesosCommand::Import {
            lpa, user, file, ..
        } => {
            let caller = selaras_web::auth::offline_caller(&*state.store, &user)
                .await
                .map_err(fail)?;
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let r = selaras_web::askesos::import_members(&state, &caller, lpa, &data)
                .await
                .map_err(fail)?;
            let rejects = PathBuf::from(format!("{}.rejects.csv", file.display()));
            if r.rejected > 0 {
                let mut w = csv::Writer::from_path(&rejects)
                    .with_context(|| format!("cannot write {}", rejects.display()))?;
                w.write_record(["file", "line", "column", "reason"])?;
                let name = file.display().to_string();
                for x in &r.rejects {
                    w.write_record([name.as_str(), &x.line.to_string(), &x.column, &x.reason])?;
                }
                w.flush()?;
                eprintln!("{} rows rejected: see {}", r.rejected, rejects.display());
            }
            println!("loaded={} rejected={}", r.loaded, r.rejected);
        }
        AskesosCommand::Sweep { .. } => {
            let r = selaras_web::askesos::sweep(&state, selaras_web::askesos::today())
                .await
                .map_err(fail)?;
            println!(
                "deaths={} death_claims_opened={} registry_exits={} age_outs={}",
                r.deaths, r.death_claims_opened, r.registry_exits, r.age_outs
            );
        }
    }
    Ok(())
}

/// `selaras audit verify`: the whole chain, read in pages so that memory stays flat.
async fn audit_verify(db: &str) -> Result<()> {
    const PAGE: i64 = 10_000;
    let store = selaras_store::connect(db)
        .await
        .with_context(|| format!("cannot open {db}"))?;
    let mut check = selaras_domain::audit::ChainCheck::new();
    loop {
        let page = store.audit_entries(check.last_seq(), PAGE).await?;
        for e in &page {
            check
                .push(e)
                .map_err(|b| anyhow!("audit chain broken at seq {}: {}", b.seq, b.reason))?;
        }
        if (page.len() as i64) < PAGE {
            break;
        }
    }
    println!(
        "entries={} last_seq={} hash={}",
        check.count(),
        check.last_seq(),
        check.last_hash()
    );
    Ok(())
}

fn warn_unscored(n: i64, list: &std::path::Path) {
    if n > 0 {
        eprintln!(
            "{n} households cannot be scored (no members, no head or several heads): see {}",
            list.display()
        );
    }
}

fn whoami() -> String {
    std::env::var("USER")
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".into())
}

async fn catalogue_command(command: CatalogueCommand) -> Result<()> {
    use selaras_batch::catalogue as cat;
    let db = match &command {
        CatalogueCommand::List { db }
        | CatalogueCommand::Draft { db, .. }
        | CatalogueCommand::DryRun { db, .. }
        | CatalogueCommand::Publish { db, .. } => db.clone(),
    };
    let store = selaras_store::connect(&db)
        .await
        .with_context(|| format!("cannot open {db}"))?;
    match command {
        CatalogueCommand::List { .. } => {
            let (in_force, _) = cat::in_force(&*store).await?;
            if in_force.is_none() {
                println!("in force: the shipped catalogue");
            }
            for v in store.catalogues().await? {
                println!(
                    "version={} created={} by={} dry_run={} published={}{} note={:?}",
                    v.version,
                    v.created_at,
                    v.created_by,
                    v.dry_run_at.as_deref().unwrap_or("no"),
                    v.published_at.as_deref().unwrap_or("no"),
                    if in_force == Some(v.version) {
                        " (in force)"
                    } else {
                        ""
                    },
                    v.note
                );
            }
        }
        CatalogueCommand::Draft { file, note, .. } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("--file: cannot read {}", file.display()))?;
            let v = cat::save_draft(&*store, &text, note.trim(), &whoami())
                .await
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            println!("version={} digest={}", v.version, v.digest);
        }
        CatalogueCommand::DryRun { version, as_of, .. } => {
            let as_of = match as_of {
                Some(d) => Date::parse(&d).map_err(|e| anyhow!("--as-of: {e}"))?,
                None => selaras_store::today_utc(),
            };
            let rows = cat::dry_run_draft(&*store, version, as_of).await?;
            println!(
                "regency,program,households_gaining,households_losing,people_gaining,people_losing"
            );
            for r in &rows {
                println!(
                    "{},{},{},{},{},{}",
                    r.regency,
                    r.program,
                    r.households_gaining,
                    r.households_losing,
                    r.people_gaining,
                    r.people_losing
                );
            }
        }
        CatalogueCommand::Publish { version, .. } => {
            cat::publish(&*store, version, &whoami()).await?;
            println!("version={version} published");
        }
    }
    Ok(())
}
