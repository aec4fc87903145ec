//! The `selaras` binary as scripts use it: arguments, exit codes, one-line errors,
//! machine-readable last lines, and an import killed mid-way and run again.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn selaras() -> Command {
    Command::new(env!("CARGO_BIN_EXE_selaras"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = selaras().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `selaras generate` of `households` in Sragen (33.14) into `dir`.
fn generate(households: &str, seed: &str, dir: &Path) {
    let (code, _, err) = run(&[
        "generate",
        "--households",
        households,
        "--seed",
        seed,
        "--regions",
        "33.14",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn wrong_arguments_give_one_line_and_nonzero_exit() {
    for args in [
        &["frobnicate"][..],
        &["generate", "--households", "x", "--out", "/tmp/x"],
        &["generate", "--out", "/tmp/x"],
        &[
            "generate",
            "--households",
            "10",
            "--regions",
            "99",
            "--out",
            "/tmp/selaras-never",
        ],
        &[
            "generate",
            "--households",
            "10",
            "--regions",
            "3.1",
            "--out",
            "/tmp/selaras-never",
        ],
        &["import", "/definitely/not/here"],
        &["export", "--db", "mysql://x", "--out", "/tmp/x"],
        &["serve", "--addr", "not-an-address"],
        &[
            "user",
            "add",
            "--db",
            "sqlite::memory:",
            "--username",
            "u1",
            "--role",
            "king",
        ],
        &[
            "user",
            "add",
            "--db",
            "sqlite::memory:",
            "--username",
            "u1",
            "--role",
            "facilitator",
            "--region",
            "33.14",
        ],
    ] {
        let (code, stdout, stderr) = run(args);
        assert_ne!(code, 0, "{args:?}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("selaras: "), "{args:?}: {stderr}");
    }
    let (_, _, e) = run(&[
        "user",
        "add",
        "--db",
        "sqlite::memory:",
        "--username",
        "u1",
        "--role",
        "facilitator",
        "--region",
        "33.14",
    ]);
    assert!(
        e.contains("role facilitator needs a region of level village"),
        "{e}"
    );
    let (_, _, e) = run(&[
        "generate",
        "--households",
        "10",
        "--regions",
        "99",
        "--out",
        "/tmp/selaras-never",
    ]);
    assert!(e.contains("99"), "{e}");
}

fn export(db: &str, out: &Path) -> (String, String) {
    let (code, _, err) = run(&["export", "--db", db, "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    (
        std::fs::read_to_string(out.join("households.csv")).unwrap(),
        std::fs::read_to_string(out.join("members.csv")).unwrap(),
    )
}

#[test]
fn generate_is_deterministic_and_import_prints_key_values() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    for d in [&a, &b] {
        let (code, out, err) = run(&[
            "generate",
            "--households",
            "300",
            "--seed",
            "5",
            "--regions",
            "73.03",
            "--out",
            d.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(
            last_line(&out).starts_with("households=300 members="),
            "{out}"
        );
    }
    for f in ["households.csv", "members.csv", "consumption.csv"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let db = format!("sqlite://{}", t.path().join("r.db").display());
    let (code, out, err) = run(&["import", "--db", &db, a.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let kv: std::collections::HashMap<&str, &str> = last_line(&out)
        .split(' ')
        .filter_map(|p| p.split_once('='))
        .collect();
    assert_eq!(kv["households"], "300");
    assert_eq!(kv["rejected"], "0");
    assert!(kv["seconds"].parse::<f64>().is_ok());
    assert!(kv.contains_key("members"));
    // Again: nothing changes.
    let (_, out, _) = run(&["import", "--db", &db, a.to_str().unwrap()]);
    assert!(last_line(&out).contains("changed=0"), "{out}");
    // The dashboard figures: every village the first time, none when nothing changed.
    let (code, out, err) = run(&["stats", "refresh", "--db", &db]);
    assert_eq!(code, 0, "{err}");
    let villages: i64 = keys(last_line(&out))["villages"].parse().unwrap();
    assert!(
        villages > 0 && last_line(&out).contains("full=true"),
        "{out}"
    );
    assert_eq!(
        query(
            &t.path().join("r.db"),
            "SELECT households FROM region_stats WHERE region = ''"
        ),
        300
    );
    let (_, out, _) = run(&["stats", "refresh", "--db", &db]);
    assert!(
        last_line(&out).starts_with("villages=0 full=false"),
        "{out}"
    );
}

#[test]
fn user_add_reads_the_password_from_stdin() {
    let t = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", t.path().join("u.db").display());
    let add = |name: &str, pw: &str| {
        let mut child = selaras()
            .args([
                "user",
                "add",
                "--db",
                &db,
                "--username",
                name,
                "--role",
                "supervisor",
                "--region",
                "33.14.01",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(pw.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = add("sup.sragen", "rahasia-sekali\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("role=supervisor region=33.14.01"), "{out}");
    let (code, _, err) = add("sup.sragen", "rahasia-sekali\n");
    assert_ne!(code, 0);
    assert!(err.contains("exists already"), "{err}");
    let (code, _, err) = add("sup.lain", "pendek\n");
    assert_ne!(code, 0);
    assert!(err.contains("at least 8"), "{err}");
}

/// Kill -9 an import half-way, run it again: the same registry as a clean import, with no
/// doubled rows and no extra versions.
#[test]
fn a_killed_import_resumes_to_the_same_end_state() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    generate("6000", "9", &data);
    let db_path = t.path().join("killed.db");
    let db = format!("sqlite://{}", db_path.display());

    let mut child = selaras()
        .args([
            "import",
            "--db",
            &db,
            "--chunk",
            "400",
            data.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until some chunks are committed, then kill without warning.
    let started = Instant::now();
    let mut killed_midway = false;
    while started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
        if child.try_wait().unwrap().is_some() {
            break;
        }
        let n = count_households(&db_path);
        if n > 0 {
            child.kill().unwrap();
            let _ = child.wait();
            killed_midway = n < 6000;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(killed_midway, "the import should have been killed half-way");

    let (code, out, err) = run(&["import", "--db", &db, data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(last_line(&out).starts_with("households=6000 "), "{out}");

    let clean = format!("sqlite://{}", t.path().join("clean.db").display());
    let (code, _, err) = run(&["import", "--db", &clean, data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        export(&db, &t.path().join("e1")),
        export(&clean, &t.path().join("e2"))
    );
    let versions = query(
        &db_path,
        "SELECT (SELECT COUNT(*) FROM households_history) + (SELECT COUNT(*) FROM members_history)",
    );
    assert_eq!(versions, 0);
}

fn query(db: &Path, sql: &str) -> i64 {
    // A plain second reader (WAL lets it read while the import writes).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", db.display());
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap_or(0);
        pool.close().await;
        n
    })
}

fn count_households(db: &Path) -> i64 {
    if !db.exists() {
        return 0;
    }
    query(db, "SELECT COUNT(*) FROM households")
}

#[test]
fn rank_writes_ranks_and_names_a_bad_model_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let out = tempfile::tempdir().unwrap();
    let ranks = out.path().join("ranks.csv");
    let (code, stdout, stderr) = run(&[
        "rank",
        "--data",
        root.join("data").to_str().unwrap(),
        "--model",
        root.join("model.json").to_str().unwrap(),
        "--out",
        ranks.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        last_line(&stdout).starts_with("households=600 "),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(&ranks).unwrap().lines().count(),
        601
    );

    let bad = out.path().join("bad.json");
    let text = std::fs::read_to_string(root.join("model.json")).unwrap();
    std::fs::write(&bad, text.replace("\"log_hh_size\"", "\"log_size\"")).unwrap();
    let (code, stdout, stderr) = run(&[
        "rank",
        "--data",
        root.join("data").to_str().unwrap(),
        "--model",
        bad.to_str().unwrap(),
        "--out",
        ranks.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("default.terms[0].var: unknown variable \"log_size\""),
        "{stderr}"
    );
}

#[test]
fn fit_then_backtest_end_with_key_values() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    generate("1500", "3", &data);
    let model = d.path().join("model.json");
    let report = d.path().join("report.html");
    let (code, out, e) = run(&[
        "fit",
        "--data",
        data.to_str().unwrap(),
        "--out",
        model.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{e}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<svg") && html.contains("<circle"), "a chart");
    assert!(html.contains("R² = 0."), "the fit");
    assert!(html.contains("<td>40 %</td>"), "errors at 40 %");
    let last = last_line(&out);
    assert!(
        last.starts_with("households=") && last.contains(" r_squared=0."),
        "{last}"
    );
    let (code, out, e) = run(&[
        "backtest",
        "--data",
        data.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--coverage",
        "40",
    ]);
    assert_eq!(code, 0, "{e}");
    let kv: std::collections::HashMap<&str, &str> = last_line(&out)
        .split(' ')
        .filter_map(|p| p.split_once('='))
        .collect();
    assert_eq!(kv.get("coverage"), Some(&"40"), "{out}");
    assert_eq!(kv.get("households"), Some(&"1500"), "{out}");
    for k in ["exclusion_error", "inclusion_error"] {
        let v: f64 = kv[k].parse().unwrap();
        assert!((0.0..1.0).contains(&v) && v > 0.0, "{k}={v}");
    }
    let (code, _, e) = run(&[
        "backtest",
        "--data",
        data.to_str().unwrap(),
        "--model",
        model.to_str().unwrap(),
        "--coverage",
        "0",
    ]);
    assert_ne!(code, 0);
    assert!(e.contains("--coverage"), "{e}");
}

/// `key=value` pairs of a line.
fn keys(line: &str) -> std::collections::HashMap<String, String> {
    line.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn sorted_lines(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn model_add_then_rank_over_the_registry_makes_editions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let model = root.join("model.json");
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    generate("400", "5", &data);
    let db = format!("sqlite://{}", d.path().join("r.db").display());
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let (code, _, err) = run(&["import", "--db", &db, &p(&data)]);
    assert_eq!(code, 0, "{err}");

    // Not stored yet.
    let a = d.path().join("a.csv");
    let (code, _, err) = run(&[
        "rank",
        "--db",
        &db,
        "--model",
        "pmt-example",
        "--out",
        &p(&a),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("selaras model add"), "{err}");

    let add = |file: &Path, approved: &str| {
        run(&[
            "model",
            "add",
            "--db",
            &db,
            "--file",
            &p(file),
            "--author",
            "Tim PMT",
            "--approved",
            approved,
        ])
    };
    let (code, out, err) = add(&model, "2026-01-15");
    assert_eq!(code, 0, "{err}");
    assert_eq!(keys(last_line(&out))["stored"], "yes", "{out}");
    assert_eq!(
        keys(last_line(&add(&model, "2026-01-15").1))["stored"],
        "already"
    );
    let (code, _, err) = add(&model, "15/01/2026");
    assert_ne!(code, 0);
    assert!(
        err.starts_with("selaras: --approved: \"15/01/2026\" is not a date"),
        "{err}"
    );
    let (_, out, _) = run(&["model", "list", "--db", &db]);
    assert!(out.contains("pmt-example\t1\tTim PMT\t2026-01-15"), "{out}");

    let (code, out, err) = run(&[
        "rank",
        "--db",
        &db,
        "--model",
        "pmt-example@1",
        "--out",
        &p(&a),
    ]);
    assert_eq!(code, 0, "{err}");
    let k = keys(last_line(&out));
    assert_eq!(
        (k["edition"].as_str(), k["model"].as_str()),
        ("1", "pmt-example@1"),
        "{out}"
    );
    assert_eq!(k["households"], "400", "{out}");

    let b = d.path().join("b.csv");
    let (code, _, err) = run(&[
        "rank",
        "--data",
        &p(&data),
        "--model",
        &p(&model),
        "--out",
        &p(&b),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(sorted_lines(&a), sorted_lines(&b), "--db and --data differ");

    let again = d.path().join("again.csv");
    let (code, out, err) = run(&["rank", "--db", &db, "--edition", "1", "--out", &p(&again)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(keys(last_line(&out))["identical"], "yes", "{out}");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&again).unwrap());

    // interfaces.md's form, `--db URL --model FILE`: the same (stored) model version.
    let c = d.path().join("c.csv");
    let (code, out, err) = run(&["rank", "--db", &db, "--model", &p(&model), "--out", &p(&c)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(keys(last_line(&out))["model"], "pmt-example@1", "{out}");
    assert_eq!(keys(last_line(&out))["edition"], "2", "{out}");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&c).unwrap());

    let (code, _, err) = run(&["rank", "--db", &db, "--edition", "7", "--out", &p(&again)]);
    assert_ne!(code, 0);
    assert!(err.contains("no ranking edition 7"), "{err}");
}

#[test]
fn eligibility_writes_both_files_and_ends_with_key_values() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let out = tempfile::tempdir().unwrap();
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let args = |as_of: &str| {
        vec![
            "eligibility".to_string(),
            "--data".into(),
            p(&root.join("data")),
            "--model".into(),
            p(&root.join("model.json")),
            "--as-of".into(),
            as_of.into(),
            "--out".into(),
            p(out.path()),
        ]
    };
    let a = args("2026-01-01");
    let (code, stdout, err) = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 0, "{err}");
    let k = keys(last_line(&stdout));
    assert_eq!(k["programs"], "9", "{stdout}");
    assert_eq!(k["eligible_units"], "2316", "{stdout}");
    let summary = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 10);
    assert!(out.path().join("eligibility.csv").exists());
    let b = args("01/01/2026");
    let (code, stdout, err) = run(&b.iter().map(String::as_str).collect::<Vec<_>>());
    assert_ne!(code, 0);
    assert!(stdout.is_empty());
    assert!(err.starts_with("selaras: --as-of:"), "{err}");
}

#[test]
fn participation_import_loads_good_rows_and_rejects_bad_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in ["households.csv", "members.csv"] {
        std::fs::copy(root.join("data").join(f), data.join(f)).unwrap();
    }
    let db = format!("sqlite://{}", d.path().join("p.db").display());
    let (code, _, err) = run(&["import", "--db", &db, data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let list = d.path().join("pkh.csv");
    std::fs::write(
        &list,
        "program,household_id,nik,period,status\npkh,H24114258751b4c83,,2026-01,enrolled\npkh,H24114258751b4c83,,2026-01,maybe\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "participation",
        "import",
        "--db",
        &db,
        list.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(last_line(&out), "loaded=1 rejected=1");
    assert!(err.contains("pkh.csv.rejects.csv"), "{err}");
    let rejects = std::fs::read_to_string(d.path().join("pkh.csv.rejects.csv")).unwrap();
    assert!(rejects.contains("pkh.csv,3,status,"), "{rejects}");
}

/// `selaras askesos import`: an LPA's member list over the ranked conformance registry;
/// eligible lines enrolled, bad ones named by line and column; a second run enrols
/// nothing twice. `selaras askesos sweep` ends with key values.
#[test]
fn askesos_import_enrols_eligible_lines_and_names_the_rest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance");
    let d = tempfile::tempdir().unwrap();
    let dbfile = d.path().join("a.db");
    let db = format!("sqlite://{}", dbfile.display());
    let p = |x: &Path| x.to_str().unwrap().to_string();
    // A copy: the import writes its rejects beside the files.
    let data = d.path().join("data");
    std::fs::create_dir(&data).unwrap();
    for f in ["households.csv", "members.csv"] {
        std::fs::copy(root.join("data").join(f), data.join(f)).unwrap();
    }
    let (code, _, err) = run(&["import", "--db", &db, &p(&data)]);
    assert_eq!(code, 0, "{err}");
    let ranks = d.path().join("ranks.csv");
    let (code, _, err) = run(&[
        "rank",
        "--db",
        &db,
        "--model",
        &p(&root.join("model.json")),
        "--out",
        &p(&ranks),
    ]);
    assert_eq!(code, 0, "{err}");
    // Without a web page to designate it, the LPA is written as the ministry would leave it.
    let (code, out, err) = run(&["askesos", "sweep", "--db", &db]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        last_line(&out),
        "deaths=0 death_claims_opened=0 registry_exits=0 age_outs=0"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
        sqlx::query(
            "INSERT INTO askesos_lpas (name, legal_form, region, address, product_code, status, proposed_by, proposed_at, designated_by, designated_on, accreditation, version) \
             VALUES ('Orsos Uji', 'orsos', '33.08', '', 'askesos_ni', 'designated', 'uji', '2012-01-01T00:00:00Z', 'kemensos', '2012-01-02', 'none', 1)",
        )
        .execute(&pool)
        .await
        .unwrap();
    });
    let mut child = selaras()
        .args([
            "user",
            "add",
            "--db",
            &db,
            "--username",
            "lpa.uji",
            "--role",
            "lpa_staff",
            "--region",
            "33.08",
            "--lpa",
            "1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"kata-sandi-uji\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let list = d.path().join("peserta.csv");
    std::fs::write(
        &list,
        "nik,occupation,cover_start,heir_nik,heir_name,heir_relation\n\
         3308172001885444,tukang_ojek,2013-01-01,3308175806858005,Istri,spouse\n\
         3308181406893856,buruh_tani,2013-02-01,,,\n\
         3308015110790045,buruh_tani,2013-01-01,,,\n\
         3308011804789824,buruh_tani,2013-01-01,3308015110790045,Istri,wife\n\
         9999999999999999,buruh_tani,2013-01-01,,,\n\
         3308011804789824,,2013-01-01,,,\n",
    )
    .unwrap();
    let import = || {
        run(&[
            "askesos",
            "import",
            "--db",
            &db,
            "--lpa",
            "1",
            "--user",
            "lpa.uji",
            &p(&list),
        ])
    };
    let (code, out, err) = import();
    assert_eq!(code, 0, "{err}");
    assert_eq!(last_line(&out), "loaded=2 rejected=4", "{err}");
    let rejects = std::fs::read_to_string(d.path().join("peserta.csv.rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines[0], "file,line,column,reason");
    let cols: Vec<(String, String)> = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.splitn(4, ',').collect();
            (f[1].to_string(), f[2].to_string())
        })
        .collect();
    assert_eq!(
        cols,
        [
            ("4".into(), "nik".into()),
            ("5".into(), "heir_relation".into()),
            ("6".into(), "nik".into()),
            ("7".into(), "occupation".into()),
        ],
        "{rejects}"
    );
    assert!(lines[1].contains("role:"), "{rejects}");
    // Again: the two enrolled are duplicates now, nothing else changes.
    let (code, out, _) = import();
    assert_eq!(code, 0);
    assert_eq!(last_line(&out), "loaded=0 rejected=6");
    assert_eq!(query(&dbfile, "SELECT COUNT(*) FROM askesos_members"), 2);
    // An unknown user or column is one line and a non-zero exit.
    let (code, _, err) = run(&[
        "askesos",
        "import",
        "--db",
        &db,
        "--lpa",
        "1",
        "--user",
        "nobody",
        &p(&list),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("nobody"), "{err}");
}
