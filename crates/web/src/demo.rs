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
    let plan: [(&str, Role, RegionScope, Option<&str>); 9] = [
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
                    lpa: None,
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
    Ok(out)
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
            let u = store
                .user_by_name(&name)
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo user {name} missing"))?;
            Ok::<_, anyhow::Error>(auth::Caller {
                principal: selaras_domain::access::Principal {
                    user_id: u.id,
                    username: u.username,
                    role: u.role,
                    scope: u.scope,
                    program: u.program,
                    lpa: u.lpa,
                },
                session: selaras_store::SessionRecord {
                    token_hash: String::new(),
                    user_id: u.id,
                    expires_at: String::new(),
                    csrf: String::new(),
                },
                via_cookie: false,
            })
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
