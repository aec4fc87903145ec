//! The registry's import, export, versioning and rejects, against SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use selaras_batch::export::export_dir;
use selaras_batch::import::{import_dir, ImportError, ImportOptions, ImportReport};
use selaras_batch::Regions;
use selaras_domain::RegionScope;
use selaras_store::testing::{another, search_indexes_present, stores, TestStore};
use selaras_store::Storage;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/conformance")
}

/// Copies a fixture folder so that rejects.csv lands in a temp dir.
fn copy_dir(from: &Path) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    d
}

async fn import(store: &Arc<dyn Storage>, dir: &Path) -> Result<ImportReport, ImportError> {
    import_dir(
        store.clone(),
        Regions::default(),
        dir,
        ImportOptions {
            chunk_members: 300,
            ..Default::default()
        },
        None,
    )
    .await
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rejects(dir: &Path) -> Vec<(String, u64, String, String)> {
    let mut r = csv::Reader::from_path(dir.join("rejects.csv")).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            (
                x[0].to_string(),
                x[1].parse().unwrap(),
                x[2].to_string(),
                x[3].to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn conformance_data_loads_and_round_trips() {
    for t in stores().await {
        let src = copy_dir(&fixtures().join("data"));
        let r = import(&t.store, src.path()).await.unwrap();
        assert_eq!(
            (r.households, r.members, r.rejected),
            (600, 1964, 0),
            "{}: {:?}",
            t.name,
            rejects(src.path())
        );
        assert_eq!(r.households_changed + r.members_changed, 2564, "{}", t.name);

        // Re-import: nothing changes, no new version.
        let again = import(&t.store, src.path()).await.unwrap();
        assert_eq!(
            (
                again.households,
                again.members,
                again.households_changed,
                again.members_changed
            ),
            (600, 1964, 0, 0),
            "{}",
            t.name
        );
        let c = t.store.counts().await.unwrap();
        assert_eq!(
            (
                c.households,
                c.members,
                c.household_versions,
                c.member_versions
            ),
            (600, 1964, 0, 0),
            "{}",
            t.name
        );

        // export → import into a fresh database → export: the same files.
        let out1 = tempfile::tempdir().unwrap();
        let e = export_dir(&*t.store, out1.path()).await.unwrap();
        assert_eq!((e.households, e.members), (600, 1964));
        let t2 = another(&t).await;
        let r2 = import(&t2.store, out1.path()).await.unwrap();
        assert_eq!((r2.households, r2.members, r2.rejected), (600, 1964, 0));
        let out2 = tempfile::tempdir().unwrap();
        export_dir(&*t2.store, out2.path()).await.unwrap();
        for f in ["households.csv", "members.csv"] {
            assert_eq!(
                read(&out1.path().join(f)),
                read(&out2.path().join(f)),
                "{}: {f} differs after a round trip",
                t.name
            );
        }
        // And the values equal the source's (columns reordered, same content).
        assert_same_rows(
            &src.path().join("households.csv"),
            &out1.path().join("households.csv"),
            "household_id",
        );
        assert_same_rows(
            &src.path().join("members.csv"),
            &out1.path().join("members.csv"),
            "nik",
        );
    }
}

/// Same set of rows by key, comparing every column the source has.
fn assert_same_rows(a: &Path, b: &Path, key: &str) {
    let load = |p: &Path| {
        let mut r = csv::Reader::from_path(p).unwrap();
        let h = r.headers().unwrap().clone();
        let rows: Vec<std::collections::BTreeMap<String, String>> = r
            .records()
            .map(|x| {
                h.iter()
                    .zip(x.unwrap().iter())
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .collect();
        rows
    };
    let (ra, rb) = (load(a), load(b));
    assert_eq!(ra.len(), rb.len());
    let by_key: std::collections::HashMap<&str, &std::collections::BTreeMap<String, String>> =
        rb.iter().map(|r| (r[key].as_str(), r)).collect();
    for row in &ra {
        let other = by_key[row[key].as_str()];
        for (k, v) in row {
            let w = &other[k];
            let same =
                v == w || matches!((v.parse::<f64>(), w.parse::<f64>()), (Ok(x), Ok(y)) if x == y);
            assert!(same, "{key}={} column {k}: {v:?} became {w:?}", row[key]);
        }
    }
}

#[tokio::test]
async fn conformance_bad_rows_are_rejected_with_lines() {
    let expected: BTreeSet<(String, u64)> = {
        let mut r = csv::ReaderBuilder::new()
            .flexible(true)
            .from_path(fixtures().join("bad/expected_rejects.csv"))
            .unwrap();
        r.records()
            .map(|x| x.unwrap())
            .map(|x| (x[0].to_string(), x[1].parse().unwrap()))
            .collect()
    };
    for t in stores().await {
        let dir = copy_dir(&fixtures().join("bad"));
        let r = import(&t.store, dir.path()).await.unwrap();
        let got: BTreeSet<(String, u64)> = rejects(dir.path())
            .into_iter()
            .map(|(f, l, _, _)| (f, l))
            .collect();
        assert_eq!(got, expected, "{}", t.name);
        assert_eq!(r.rejected, expected.len() as u64);
        assert_eq!(r.households, 40, "{}", t.name);
        let all = rejects(dir.path());
        let why = |line: u64| {
            all.iter()
                .filter(|x| x.1 == line)
                .map(|x| format!("{}: {}", x.2, x.3))
                .collect::<Vec<_>>()
                .join("; ")
        };
        assert!(
            why(42).contains("region_code: unknown region code 99.99.99.9999"),
            "{}",
            why(42)
        );
        assert!(why(42).contains("ownership: unknown code"), "{}", why(42));
        assert!(
            why(148).contains("household HNOPE is not in households.csv"),
            "{}",
            why(148)
        );
        assert!(why(149).contains("NIK is not 16 digits"), "{}", why(149));
        assert!(
            why(150).contains("NIK date part says female, sex is M"),
            "{}",
            why(150)
        );
        assert!(why(151).contains("sex: unknown code \"X\""), "{}", why(151));
    }
}

/// Writes a tiny data set from the conformance data's first households, then lets the
/// test edit the members lines.
fn small_set(edit: impl FnOnce(&mut Vec<String>, &mut Vec<String>)) -> tempfile::TempDir {
    let src = fixtures().join("data");
    let hh: Vec<String> = read(&src.join("households.csv"))
        .lines()
        .map(String::from)
        .collect();
    let mm: Vec<String> = read(&src.join("members.csv"))
        .lines()
        .map(String::from)
        .collect();
    let mut hh: Vec<String> = hh[..6].to_vec();
    let ids: Vec<String> = {
        let header: Vec<&str> = hh[0].split(',').collect();
        let p = header.iter().position(|c| *c == "household_id").unwrap();
        hh[1..].iter().map(|l| split_csv(l)[p].clone()).collect()
    };
    let mut mm: Vec<String> = std::iter::once(mm[0].clone())
        .chain(
            mm[1..]
                .iter()
                .filter(|l| ids.iter().any(|id| l.starts_with(&format!("{id},"))))
                .cloned(),
        )
        .collect();
    edit(&mut hh, &mut mm);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("households.csv"), hh.join("\n") + "\n").unwrap();
    std::fs::write(d.path().join("members.csv"), mm.join("\n") + "\n").unwrap();
    d
}

/// A CSV line from fields (quoting those with commas).
fn join_csv(fields: &[String]) -> String {
    fields
        .iter()
        .map(|x| {
            if x.contains(',') {
                format!("\"{x}\"")
            } else {
                x.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn split_csv(line: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(String::from)
        .collect()
}

#[tokio::test]
async fn every_reject_reason() {
    for t in stores().await {
        let dir = small_set(|hh, mm| {
            // line 7: a duplicate household id (a copy of line 2).
            hh.push(hh[1].clone());
            // A second head in the first household.
            let mut head = split_csv(&mm[1]);
            assert_eq!(head[4], "head");
            head[1] = "1222010101900009".into(); // another valid NIK, male born 1990-01-01
            head[6] = "1990-01-01".into();
            head[5] = "M".into();
            mm.push(head.join(","));
            // A duplicate NIK.
            mm.push(mm[2].clone());
            // A row with too few fields.
            mm.push("H1,2,3".into());
            // An unknown enumeration value.
            let mut odd = split_csv(&mm[2]);
            odd[1] = "1222010101900019".into();
            odd[5] = "M".into();
            odd[6] = "1990-01-01".into();
            odd[7] = "complicated".into();
            mm.push(odd.join(","));
        });
        let r = import(&t.store, dir.path()).await.unwrap();
        let rej = rejects(dir.path());
        let reasons: Vec<String> = rej
            .iter()
            .map(|x| format!("{}:{}:{}:{}", x.0, x.1, x.2, x.3))
            .collect();
        let n = |s: &str| reasons.iter().filter(|r| r.contains(s)).count();
        assert_eq!(
            n("households.csv:7:household_id:duplicate household_id: first at line 2"),
            1,
            "{reasons:?}"
        );
        assert_eq!(
            n("relation:a second head in the household"),
            1,
            "{reasons:?}"
        );
        assert_eq!(n("nik:duplicate NIK: first at line 3"), 1, "{reasons:?}");
        assert_eq!(n("row has 3 fields"), 1, "{reasons:?}");
        assert_eq!(
            n("marital_status:unknown code \"complicated\""),
            1,
            "{reasons:?}"
        );
        assert_eq!(r.rejected, 5, "{}: {reasons:?}", t.name);
        assert_eq!(r.households, 5);
    }
}

#[tokio::test]
async fn missing_required_column_stops_before_writing() {
    for t in stores().await {
        let dir = small_set(|_, mm| {
            for l in mm.iter_mut() {
                // Drop the birth_date column (7th) from every line.
                let mut f = split_csv(l);
                f.remove(6);
                *l = f
                    .iter()
                    .map(|x| {
                        if x.contains(',') {
                            format!("\"{x}\"")
                        } else {
                            x.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",");
            }
        });
        let err = import(&t.store, dir.path()).await.unwrap_err().to_string();
        assert_eq!(err, "members.csv: missing required column(s): birth_date");
        let c = t.store.counts().await.unwrap();
        assert_eq!((c.households, c.members), (0, 0), "{}", t.name);
    }
}

#[tokio::test]
async fn changes_make_versions_and_history_keeps_the_old_ones() {
    for t in stores().await {
        let dir = small_set(|_, _| {});
        import(&t.store, dir.path()).await.unwrap();
        let hh_path = dir.path().join("households.csv");
        let text = read(&hh_path);
        let header = split_csv(text.lines().next().unwrap());
        let col = header.iter().position(|c| c == "floor_area_m2").unwrap();
        let idc = header.iter().position(|c| c == "household_id").unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut f = split_csv(&lines[1]);
        let id = f[idc].clone();
        let old_area = f[col].clone();
        f[col] = "99.5".into();
        lines[1] = f
            .iter()
            .map(|x| {
                if x.contains(',') {
                    format!("\"{x}\"")
                } else {
                    x.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(",");
        std::fs::write(&hh_path, lines.join("\n") + "\n").unwrap();
        let r = import(&t.store, dir.path()).await.unwrap();
        assert_eq!(
            (r.households_changed, r.members_changed),
            (1, 0),
            "{}",
            t.name
        );

        let rec = t.store.household(&id).await.unwrap().unwrap();
        assert_eq!(rec.version, 2);
        assert_eq!(rec.household.floor_area_m2, 99.5);
        assert_eq!(
            rec.change.id, r.change_id,
            "the version names the import batch that made it"
        );
        let hist = t.store.history(&id).await.unwrap();
        let versions: Vec<(i64, Option<String>)> = hist
            .iter()
            .filter(|v| v.subject == "household")
            .map(|v| {
                (
                    v.version,
                    v.fields
                        .iter()
                        .find(|f| f.0 == "floor_area_m2")
                        .map(|f| f.1.clone()),
                )
            })
            .collect();
        assert_eq!(
            versions,
            vec![(2, Some("99.5".into())), (1, Some(old_area.clone()))],
            "{}",
            t.name
        );
        let v1 = hist
            .iter()
            .find(|v| v.subject == "household" && v.version == 1)
            .unwrap();
        assert!(v1.valid_to.is_some());
        assert_eq!(t.store.counts().await.unwrap().household_versions, 1);
    }
}

#[tokio::test]
async fn search_stays_inside_the_scope() {
    for t in stores().await {
        let src = copy_dir(&fixtures().join("data"));
        import(&t.store, src.path()).await.unwrap();
        let rec = t
            .store
            .household("H24114258751b4c83")
            .await
            .unwrap()
            .unwrap();
        let nik = rec.members[0].member.nik.to_string();
        let inside = RegionScope::parse(rec.household.region.parent().unwrap().as_str()).unwrap();
        let outside = RegionScope::parse("11").unwrap();
        assert_eq!(t.store.search(&inside, &nik, 10).await.unwrap().len(), 1);
        assert!(t.store.search(&outside, &nik, 10).await.unwrap().is_empty());
        let kk = rec.members[0].member.kk_number.to_string();
        assert_eq!(
            t.store.search(&inside, &kk, 10).await.unwrap().len(),
            rec.members
                .iter()
                .filter(|m| m.member.kk_number.to_string() == kk)
                .count()
        );
        let name = &rec.members[0].member.name;
        let hits = t
            .store
            .search(&RegionScope::National, &name.to_uppercase(), 10)
            .await
            .unwrap();
        assert!(
            hits.iter().any(|h| h.household_id == "H24114258751b4c83"),
            "{}: case-insensitive name search",
            t.name
        );
        // LIKE wildcards in the query are literal.
        assert!(t
            .store
            .search(&RegionScope::National, "%", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn an_import_cut_off_half_way_resumes_to_the_same_end_state() {
    for t in stores().await {
        // Generated data: 3,000 households in 10 chunks.
        let data = tempfile::tempdir().unwrap();
        let cfg = selaras_synth::GenConfig {
            households: 3_000,
            seed: 7,
            regions: vec![RegionScope::parse("33.14").unwrap()],
            ..Default::default()
        };
        selaras_synth::generate_to_dir(&cfg, data.path(), &|_| {}).unwrap();

        // Cancel the import after its second chunk is committed (the future is dropped
        // mid-flight, as a killed process would stop).
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stop_tx = std::sync::Mutex::new(Some(stop_tx));
        let seen = std::sync::atomic::AtomicU32::new(0);
        let progress: selaras_batch::import::Progress = Arc::new(move |_, _| {
            if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                if let Some(tx) = stop_tx.lock().unwrap().take() {
                    let _ = tx.send(());
                }
            }
        });
        // A large-load import: the search indexes are dropped while it runs.
        let opts = ImportOptions {
            chunk_members: 1_000,
            defer_indexes: Some(true),
            ..Default::default()
        };
        tokio::select! {
            r = import_dir(t.store.clone(), Regions::default(), data.path(), opts.clone(), Some(progress)) => panic!("import finished before the cut: {r:?}"),
            _ = stop_rx => {}
        }
        assert_eq!(
            search_indexes_present(&t.url).await,
            Vec::<String>::new(),
            "{}: dropped during the load",
            t.name
        );
        // From here on, work as a restarted process would: on fresh connections (a
        // connection dropped in the middle of a COPY must not be reused). Opening the
        // store builds the indexes the cut left missing.
        let fresh = selaras_store::connect(&t.url).await.unwrap();
        assert_eq!(
            search_indexes_present(&t.url).await.len(),
            selaras_store::schema::SEARCH_INDEXES.len(),
            "{}: built again on open",
            t.name
        );
        let partial = fresh.counts().await.unwrap();
        assert!(
            partial.households > 0 && partial.households < 3_000,
            "{}: {partial:?}",
            t.name
        );

        let r = import_dir(fresh.clone(), Regions::default(), data.path(), opts, None)
            .await
            .unwrap();
        assert_eq!(
            search_indexes_present(&t.url).await.len(),
            selaras_store::schema::SEARCH_INDEXES.len(),
            "{}: built again after the load",
            t.name
        );
        assert_eq!(r.households, 3_000);
        assert_eq!(r.rejected, 0);
        assert!(
            r.households_changed < 3_000,
            "the committed chunks were found unchanged"
        );

        let clean = another(&t).await;
        import(&clean.store, data.path()).await.unwrap();
        assert_eq!(
            exported_from(&*fresh).await,
            exported(&clean).await,
            "{}: resumed import differs from a clean one",
            t.name
        );
        let c = fresh.counts().await.unwrap();
        assert_eq!(
            (c.household_versions, c.member_versions),
            (0, 0),
            "nothing doubled"
        );
    }
}

async fn exported(t: &TestStore) -> (String, String) {
    exported_from(&*t.store).await
}

async fn exported_from(store: &dyn Storage) -> (String, String) {
    let d = tempfile::tempdir().unwrap();
    export_dir(store, d.path()).await.unwrap();
    (
        read(&d.path().join("households.csv")),
        read(&d.path().join("members.csv")),
    )
}

#[tokio::test]
async fn members_of_a_rejected_household_and_province_moves_are_refused() {
    for t in stores().await {
        // A household row with a bad field takes its members down with it, by name.
        let dir = small_set(|hh, _| {
            let header = split_csv(&hh[0]);
            let p = header.iter().position(|c| c == "floor_area_m2").unwrap();
            let mut f = split_csv(&hh[1]);
            f[p] = "-1".into();
            hh[1] = join_csv(&f);
        });
        let r = import(&t.store, dir.path()).await.unwrap();
        let rej = rejects(dir.path());
        assert!(
            rej.iter()
                .any(|x| x.0 == "households.csv" && x.1 == 2 && x.2 == "floor_area_m2"),
            "{rej:?}"
        );
        let member_rejects: Vec<_> = rej.iter().filter(|x| x.0 == "members.csv").collect();
        assert!(!member_rejects.is_empty());
        assert!(
            member_rejects
                .iter()
                .all(|x| x.3 == "its household (households.csv line 2) was rejected"),
            "{member_rejects:?}"
        );
        assert_eq!(r.rejected as usize, 1 + member_rejects.len());

        // The same household id re-imported in another province: refused, nothing changed.
        let dir = small_set(|_, _| {});
        import(&t.store, dir.path()).await.unwrap();
        let before = t.store.counts().await.unwrap();
        let hh_path = dir.path().join("households.csv");
        let text = read(&hh_path);
        let header = split_csv(text.lines().next().unwrap());
        let p = header.iter().position(|c| c == "region_code").unwrap();
        let mut lines: Vec<String> = text.lines().map(String::from).collect();
        let mut f = split_csv(&lines[1]);
        assert!(!f[p].starts_with("33."));
        f[p] = "33.14.01.2001".into();
        lines[1] = join_csv(&f);
        std::fs::write(&hh_path, lines.join("\n") + "\n").unwrap();
        let r = import(&t.store, dir.path()).await.unwrap();
        let rej = rejects(dir.path());
        assert!(
            rej.iter().any(|x| x.0 == "households.csv"
                && x.1 == 2
                && x.2 == "region_code"
                && x.3.contains("record its exit (moved)")),
            "{}: {rej:?}",
            t.name
        );
        assert!(
            rej.iter()
                .any(|x| x.0 == "members.csv" && x.3.starts_with("its household was refused")),
            "{rej:?}"
        );
        assert_eq!(r.households_changed + r.members_changed, 0);
        let after = t.store.counts().await.unwrap();
        assert_eq!(
            (before.household_versions, before.member_versions),
            (after.household_versions, after.member_versions)
        );
    }
}

#[tokio::test]
async fn an_in_memory_sqlite_database_refuses_imports_by_name() {
    let store = selaras_store::connect("sqlite::memory:").await.unwrap();
    let dir = copy_dir(&fixtures().join("data"));
    let e = import(&store, dir.path()).await.unwrap_err();
    assert!(e.to_string().contains("in-memory"), "{e}");
}
