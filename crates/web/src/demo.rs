//! `serve --demo`: a small synthetic registry (two pilot districts of SLRT, Sragen and
//! Bantaeng) and one user per role, so that a newcomer sees a working system at once.

use std::sync::Arc;

use selaras_batch::editions::{rank_registry, stored_model};
use selaras_batch::import::{import_dir, ImportOptions};
use selaras_batch::Regions;
use selaras_domain::access::Role;
use selaras_domain::{RegionCode, RegionScope};
use selaras_store::{NewUser, Storage};

use crate::auth;

pub const DEMO_REGIONS: [&str; 2] = ["33.14", "73.03"];
pub const DEMO_HOUSEHOLDS: u64 = 3_000;
/// The example PMT model of the conformance vectors (pmt-model.md), as the demo's model.
pub const DEMO_MODEL: &str = include_str!("../../../fixtures/conformance/model.json");

pub struct DemoUser {
    pub username: String,
    pub password: String,
    pub role: &'static str,
    pub region: String,
}

/// Loads the demo registry when the registry is empty, and (re)sets the demo users'
/// passwords, returning them for printing.
pub async fn load(store: &Arc<dyn Storage>) -> anyhow::Result<Vec<DemoUser>> {
    if store.counts().await?.households == 0 {
        let dir = tempfile::tempdir()?;
        let cfg = selaras_synth::GenConfig {
            households: DEMO_HOUSEHOLDS,
            seed: 2026,
            regions: DEMO_REGIONS
                .iter()
                .map(|r| RegionScope::parse(r))
                .collect::<Result<_, _>>()?,
            ..Default::default()
        };
        let path = dir.path().to_path_buf();
        tokio::task::spawn_blocking(move || selaras_synth::generate_to_dir(&cfg, &path, &|_| {}))
            .await??;
        let opts = ImportOptions {
            actor: "demo".into(),
            ..Default::default()
        };
        let r = import_dir(store.clone(), Regions::default(), dir.path(), opts, None).await?;
        tracing::info!(
            households = r.households,
            members = r.members,
            "demo registry loaded"
        );
    }
    // A first ranking edition, so that household pages show ranks and explanations.
    if store.editions().await?.is_empty() {
        let model = selaras_domain::pmt::Model::from_json(DEMO_MODEL)?;
        store
            .put_model(&stored_model(&model, "demo", "2026-01-01"))
            .await?;
        let dir = tempfile::tempdir()?;
        let e = rank_registry(
            &**store,
            &model.id,
            None,
            &dir.path().join("ranks.csv"),
            "demo",
            None,
        )
        .await?;
        tracing::info!(
            edition = e.id,
            households = e.ranked,
            "demo ranking edition"
        );
    }
    // A published catalogue version with a BPNT quota in the first demo regency, and
    // an eligibility run, so that the program pages show gaps and a waiting list.
    if store.catalogues().await?.is_empty() {
        use selaras_batch::catalogue as cat;
        let mut json: serde_json::Value =
            serde_json::from_str(&selaras_domain::programs::Catalogue::shipped().to_json())?;
        if let Some(p) = json["programs"]
            .as_array_mut()
            .and_then(|ps| ps.iter_mut().find(|p| p["code"] == "bpnt"))
        {
            p["quotas"] = serde_json::json!({ DEMO_REGIONS[0]: 100 });
        }
        let v = cat::save_draft(&**store, &json.to_string(), "Kuota BPNT (demo)", "demo").await?;
        cat::dry_run_draft(&**store, v.version, crate::views::today()).await?;
        cat::publish(&**store, v.version, "demo").await?;
    }
    if store.eligibility_runs().await?.is_empty() {
        let (run, _) = selaras_batch::catalogue::run_eligibility(
            &**store,
            None,
            crate::views::today(),
            "demo",
        )
        .await?;
        tracing::info!(run = run.id, "demo eligibility run");
    }
    // The demo village: where the first household of Sragen lives.
    let hit = store
        .search(&RegionScope::parse(DEMO_REGIONS[0])?, "a", 1)
        .await?;
    let village = match hit.first() {
        Some(h) => RegionCode::parse(&h.region_code)?,
        None => RegionCode::parse("33.14.01.2001")?,
    };
    let district = village.parent().unwrap_or(village);
    let regency = district.parent().unwrap_or(district);
    let lpa_ids = demo_lpas(store, regency).await?;
    let plan: [(&str, Role, RegionScope, Option<&str>); 11] = [
        (
            "fasilitator",
            Role::Facilitator,
            RegionScope::Region(village),
            None,
        ),
        (
            "frontoffice",
            Role::FrontOffice,
            RegionScope::Region(village),
            None,
        ),
        (
            "backoffice",
            Role::BackOffice,
            RegionScope::Region(regency),
            None,
        ),
        (
            "supervisor",
            Role::Supervisor,
            RegionScope::Region(district),
            None,
        ),
        ("manajer", Role::Manager, RegionScope::Region(regency), None),
        (
            "pengelola.pkh",
            Role::ProgramOfficer,
            RegionScope::Region(regency),
            Some("pkh"),
        ),
        (
            "pengelola.data",
            Role::DataManager,
            RegionScope::Region(regency),
            None,
        ),
        ("pemantau", Role::Viewer, RegionScope::National, None),
        ("admin", Role::Admin, RegionScope::National, None),
        (
            "pengelola.askesos",
            Role::ProgramOfficer,
            RegionScope::National,
            Some("askesos"),
        ),
        (
            "petugas.lpa",
            Role::LpaStaff,
            RegionScope::Region(regency),
            None,
        ),
    ];
    let mut out = Vec::new();
    for (username, role, scope, program) in plan {
        let password: String = auth::random_token()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        let hash = auth::hash_password(&password)?;
        if !store.set_password(username, &hash).await? {
            store
                .create_user(&NewUser {
                    username: username.into(),
                    password_hash: hash,
                    role,
                    scope,
                    program: program.map(String::from),
                    lpa: (role == Role::LpaStaff).then_some(lpa_ids.0),
                })
                .await?;
        }
        out.push(DemoUser {
            username: username.into(),
            password,
            role: role.code(),
            region: scope.to_string(),
        });
    }
    if let Some(h) = hit.first() {
        demo_cases(store, &h.household_id).await?;
    }
    demo_members(store, regency, lpa_ids).await?;
    Ok(out)
}

/// Two designated Askesos LPAs in the demo regency: one of the reformulated scheme (the
/// LPA staff's), one of the New Initiative with members since 2013, so that the reports
/// show retention after the subsidy. Returns their ids (reform, NI).
async fn demo_lpas(store: &Arc<dyn Storage>, regency: RegionCode) -> anyhow::Result<(i64, i64)> {
    use selaras_store::askesos::{LpaChange, NewLpa};
    let state = crate::AppState::new(store.clone(), false);
    crate::askesos::seed(&state)
        .await
        .map_err(|e| anyhow::anyhow!("askesos products: {e:?}"))?;
    let existing = store.lpas(regency.as_str()).await?;
    let find = |code: &str| {
        existing
            .iter()
            .find(|l| l.product_code == code)
            .map(|l| l.id)
    };
    let mut ids = Vec::new();
    for (name, form, product, on) in [
        (
            "Yayasan Peduli Pekerja Sragen",
            "yayasan",
            "askesos_reform",
            "2025-01-06",
        ),
        ("Orsos Karya Bersama", "orsos", "askesos_ni", "2012-03-01"),
    ] {
        if let Some(id) = find(product) {
            ids.push(id);
            continue;
        }
        let l = store
            .create_lpa(&NewLpa {
                name: name.into(),
                legal_form: form.into(),
                region: regency.to_string(),
                address: "Jl. Raya Sukowati".into(),
                product_code: product.into(),
                proposed_by: "demo".into(),
            })
            .await?;
        let l = store
            .change_lpa(
                l.id,
                l.version,
                &LpaChange {
                    status: "designated".into(),
                    designated_by: Some("kemensos".into()),
                    designated_on: Some(on.into()),
                    accreditation: "b".into(),
                },
            )
            .await?;
        ids.push(l.id);
    }
    Ok((ids[0], ids[1]))
}

/// Members for the demo LPAs, enrolled through the service as their staff would:
/// eligible heads of the demo regency; the NI members' subsidy year paid, four of them
/// paying on for a year; a claim waiting for each LPA.
async fn demo_members(
    store: &Arc<dyn Storage>,
    regency: RegionCode,
    (reform, ni): (i64, i64),
) -> anyhow::Result<()> {
    use crate::askesos as svc;
    use selaras_store::askesos::AskesosFilter;
    let some = store
        .members(&AskesosFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !some.is_empty() {
        return Ok(());
    }
    let state = crate::AppState::new(store.clone(), false);
    let err = |e: crate::error::ApiError| anyhow::anyhow!("demo askesos: {e:?}");
    let staff = auth::offline_caller(&**store, "petugas.lpa")
        .await
        .map_err(err)?;
    let admin = auth::offline_caller(&**store, "admin").await.map_err(err)?;
    let manager = auth::offline_caller(&**store, "manajer")
        .await
        .map_err(err)?;
    // Working heads in informal work in the regency, from the registry.
    let mut heads: Vec<(String, String)> = Vec::new();
    let prefix = format!("{}.", regency.as_str());
    let mut villages = std::collections::HashMap::new();
    store
        .export(None, &mut |item| {
            match item {
                selaras_store::ExportItem::Household(h) => {
                    villages.insert(h.id.to_string(), h.region.as_str().starts_with(&prefix));
                }
                selaras_store::ExportItem::Member(m) => {
                    if villages.get(&m.household_id.to_string()) == Some(&true)
                        && m.relation.code() == "head"
                        && m.working
                        && m.exit.is_none()
                    {
                        heads.push((m.nik.to_string(), m.name.clone()));
                    }
                }
            }
            Ok(())
        })
        .await?;
    let occupations = [
        "buruh_tani",
        "tukang_ojek",
        "pedagang_keliling",
        "buruh_bangunan",
    ];
    let (mut n_reform, mut n_ni) = (0, 0);
    for (i, (nik, _)) in heads.iter().enumerate() {
        if n_reform >= 12 && n_ni >= 10 {
            break;
        }
        let (who, lpa, start) = if n_reform < 12 {
            (&staff, reform, "2025-01-06")
        } else {
            (&admin, ni, "2013-01-01")
        };
        let req = svc::EnrolRequest {
            lpa_id: lpa,
            nik: nik.clone(),
            occupation: occupations[i % occupations.len()].into(),
            cover_start: Some(start.into()),
            heirs: vec![],
        };
        if svc::enrol(&state, who, &req).await.is_ok() {
            if lpa == reform {
                n_reform += 1;
            } else {
                n_ni += 1;
            }
        }
    }
    for (lpa, on, months) in [(ni, "2013-01-07", 12), (reform, "2025-01-13", 24)] {
        svc::pay_subsidy(
            &state,
            &manager,
            lpa,
            &svc::SubsidyBody {
                paid_on: Some(on.into()),
                months,
                reference: "BIP (demo)".into(),
            },
        )
        .await
        .map_err(err)?;
    }
    let ni_members = store
        .members(&AskesosFilter {
            lpa_id: Some(ni),
            ..Default::default()
        })
        .await?;
    for m in ni_members.iter().take(4) {
        let p = svc::PaymentBody {
            version: store.member(m.id).await?.map_or(0, |x| x.version),
            paid_on: Some("2014-01-02".into()),
            months: 12,
            amount: 124_800,
            payer: "member".into(),
            reinstate: false,
            reference: "iuran mandiri (demo)".into(),
        };
        svc::pay(&state, &admin, m.id, &p).await.map_err(err)?;
    }
    let reform_members = store
        .members(&AskesosFilter {
            lpa_id: Some(reform),
            ..Default::default()
        })
        .await?;
    if let Some(m) = reform_members.first() {
        let c = svc::ClaimBody {
            version: store.member(m.id).await?.map_or(0, |x| x.version),
            event: "accident".into(),
            event_date: "2025-09-15".into(),
            filed_on: Some("2025-09-20".into()),
            claimant_nik: m.nik.clone(),
            activity: Some("commute".into()),
            cost: Some(3_750_000),
            documents: vec!["kartu_peserta".into(), "ktp".into()],
            ..Default::default()
        };
        svc::file_claim(&state, &staff, m.id, &c)
            .await
            .map_err(err)?;
    }
    tracing::info!(reform = n_reform, ni = n_ni, "demo askesos members");
    Ok(())
}

/// A few cases of the demo village at different steps, so that every role's queue has
/// work: a complaint waiting for the supervisor, a need referred to PKH, a data change
/// forwarded to the data manager, and a draft at the desk. Only on a registry without
/// cases.
async fn demo_cases(store: &Arc<dyn Storage>, household: &str) -> anyhow::Result<()> {
    use crate::casework::{act, create, ActionRequest, NewCaseRequest};
    let any = store
        .cases(&selaras_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !any.is_empty() {
        return Ok(());
    }
    let state = crate::AppState::new(store.clone(), false);
    let as_user = |name: &str| {
        let store = store.clone();
        let name = name.to_string();
        async move {
            auth::offline_caller(&*store, &name)
                .await
                .map_err(|e| anyhow::anyhow!("demo user {name}: {e:?}"))
        }
    };
    let fas = as_user("fasilitator").await?;
    let fo = as_user("frontoffice").await?;
    let sup = as_user("supervisor").await?;
    let man = as_user("manajer").await?;
    let new = |kind: &str,
               category: &str,
               description: &str,
               proposed: Option<serde_json::Value>| NewCaseRequest {
        kind: kind.into(),
        household_id: Some(household.into()),
        nik: None,
        category: category.into(),
        description: description.into(),
        channel: "home_visit".into(),
        contact: Some("081200000001".into()),
        proposed,
    };
    let step = |action: &str, program: Option<&str>| ActionRequest {
        action: action.into(),
        note: None,
        program: program.map(String::from),
        version: None,
    };
    let e = |e: crate::error::ApiError| anyhow::anyhow!("demo case: {}", e.message_id());
    let c = create(
        &state,
        &fas,
        &new(
            "complaint",
            "implementation",
            "Bantuan sembako bulan ini belum diterima.",
            None,
        ),
    )
    .await
    .map_err(e)?;
    act(&state, &fas, c.id, &step("submit", None))
        .await
        .map_err(e)?;
    let c = create(
        &state,
        &fo,
        &new(
            "need",
            "pkh",
            "Ibu hamil dan dua anak sekolah; meminta PKH.",
            None,
        ),
    )
    .await
    .map_err(e)?;
    for (who, action, program) in [
        (&fo, "submit", None),
        (&sup, "verify", None),
        (&man, "refer", Some("pkh")),
    ] {
        act(&state, who, c.id, &step(action, program))
            .await
            .map_err(e)?;
    }
    // A change that is one: the other of "private" and "shared".
    let current = store
        .household(household)
        .await?
        .map(|h| h.household.toilet.code());
    let toilet = if current == Some("private") {
        "shared"
    } else {
        "private"
    };
    let change = serde_json::json!({"household": {"toilet": toilet}});
    let c = create(
        &state,
        &fas,
        &new(
            "update",
            "housing",
            "Sudah punya jamban sendiri.",
            Some(change),
        ),
    )
    .await
    .map_err(e)?;
    for (who, action) in [(&fas, "submit"), (&sup, "verify"), (&man, "forward")] {
        act(&state, who, c.id, &step(action, None))
            .await
            .map_err(e)?;
    }
    create(
        &state,
        &fo,
        &new(
            "complaint",
            "membership",
            "Anak bungsu belum tercatat di KK.",
            None,
        ),
    )
    .await
    .map_err(e)?;
    tracing::info!("demo cases recorded");
    Ok(())
}
