//! Puts holds in effect at their `effective_at` and ends them at their
//! `expires_at`, on time (each second) and exactly once however many servers
//! run: due holds are claimed with `FOR UPDATE SKIP LOCKED`, and the state
//! each step leaves (activated, expired) is what makes a hold no longer due.

use std::time::Duration;

use sqlx::PgPool;

use crate::catalog::CatalogHandle;
use crate::compliance::{self, Actor};
use crate::db::audit::{self, AuditEntry};
use crate::db::holds;

pub const TICK: Duration = Duration::from_secs(1);
const ACTOR: &str = "system:scheduler";

/// One pass: returns how many holds it activated and ended.
pub async fn run_once(pool: &PgPool) -> Result<(usize, usize), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (activate, expire) = holds::due(&mut tx).await?;
    if activate.is_empty() && expire.is_empty() {
        tx.rollback().await?;
        return Ok((0, 0));
    }
    holds::enter_activation_gate(&mut tx).await?;
    let actor = Actor {
        name: ACTOR,
        roles: Vec::new(),
        request_id: None,
    };
    for id in &activate {
        let Some(hold) = holds::get(&mut tx, *id).await? else {
            continue;
        };
        let suspended = compliance::put_in_effect(&mut tx, &hold, &actor).await?;
        let after = holds::get(&mut tx, *id).await?;
        audit::append(
            &mut tx,
            AuditEntry {
                actor: ACTOR,
                actor_roles: Vec::new(),
                tenant_id: None,
                action: "hold.activated",
                target_type: "hold",
                target_id: id.to_string(),
                before: serde_json::to_value(&hold).ok(),
                after: serde_json::to_value(&after).ok(),
                reason: Some(&format!(
                    "effective_at reached; {} enablements suspended",
                    suspended.len()
                )),
                request_id: None,
            },
        )
        .await?;
    }
    for id in &expire {
        let Some(hold) = holds::get(&mut tx, *id).await? else {
            continue;
        };
        compliance::end(&mut tx, &hold, "expired", &actor, Some("expires_at reached")).await?;
    }
    tx.commit().await?;
    Ok((activate.len(), expire.len()))
}

/// Runs [`run_once`] every second until the process ends.
pub fn spawn(pool: PgPool, catalog: CatalogHandle) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_once(&pool).await {
                Ok((0, 0)) => {}
                Ok((activated, ended)) => {
                    tracing::info!(activated, ended, "scheduled hold changes applied");
                    if let Err(error) = catalog.refresh_if_stale(&pool).await {
                        tracing::warn!(%error, "catalog reload after scheduled hold changes failed");
                    }
                }
                Err(error) => tracing::warn!(%error, "the hold scheduler failed; it will retry"),
            }
        }
    })
}
