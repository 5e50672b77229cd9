//! Work the clock triggers, on time and exactly once however many servers
//! run: holds taking effect at their `effective_at` and ending at their
//! `expires_at`, and listings retired on their retirement date.
//!
//! Each due hold is claimed with `FOR UPDATE SKIP LOCKED` and taken through
//! `holds::transition` in a transaction of its own, and the state that step
//! leaves (activated, expired) is what makes it no longer due. A step that
//! fails is rolled back alone, recorded (audited on its first failure,
//! counted in `/metrics`) and retried with backoff, and never keeps any
//! other hold from taking effect.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::db::audit::AuditEntry;
use crate::db::enablement_gate;
use crate::db::holds::{self, DueStep};
use crate::domain::actor::Actor;
use crate::holds::{transition, Transition, TransitionError, SCHEDULER};
use crate::refresher::CatalogHandle;
use crate::retirement;

pub const TICK: Duration = Duration::from_secs(1);

/// At most this many holds are handled in one pass; the rest wait a tick.
const HOLDS_PER_PASS: usize = 100;

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub activated: usize,
    pub expired: usize,
    /// Holds whose step failed (and will be retried).
    pub failed: usize,
    /// Listings retired because their retirement date came.
    pub retired: usize,
}

impl Pass {
    fn changed_anything(&self) -> bool {
        self.activated + self.expired + self.retired > 0
    }
}

fn scheduler() -> Actor {
    Actor::system(SCHEDULER)
}

/// One pass over everything due now.
pub async fn run_once(pool: &PgPool) -> Result<Pass, sqlx::Error> {
    let mut pass = Pass::default();
    for _ in 0..HOLDS_PER_PASS {
        match step_one_hold(pool).await? {
            None => break,
            Some(Ok(DueStep::Activate)) => pass.activated += 1,
            Some(Ok(DueStep::Expire)) => pass.expired += 1,
            Some(Err(())) => pass.failed += 1,
        }
    }
    let mut tx = pool.begin().await?;
    pass.retired = retirement::retire_due(&mut tx, &scheduler()).await?;
    tx.commit().await?;
    Ok(pass)
}

/// Claims the next due hold and takes its step, in a transaction of its
/// own. `None` when nothing is due; `Some(Err(()))` when the step failed
/// (rolled back and recorded).
async fn step_one_hold(pool: &PgPool) -> Result<Option<Result<DueStep, ()>>, sqlx::Error> {
    // The gate is exclusive and enabling waits for it: look before taking it.
    if !holds::any_due(pool).await? {
        return Ok(None);
    }
    let mut tx = pool.begin().await?;
    // The gate before the hold's row lock, the order every transition
    // takes them in.
    enablement_gate::close(&mut tx).await?;
    let Some((id, step)) = holds::claim_due(&mut tx).await? else {
        tx.rollback().await?;
        return Ok(None);
    };
    let change = match step {
        DueStep::Activate => Transition::Activate,
        DueStep::Expire => Transition::Expire,
    };
    let outcome = match transition(&mut tx, &scheduler(), id, change, None).await {
        Ok(_) => holds::clear_schedule_failure(&mut tx, id)
            .await
            .map_err(TransitionError::from),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => match tx.commit().await {
            Ok(()) => Ok(Some(Ok(step))),
            Err(error) => {
                record_failure(pool, id, step, &error.to_string()).await?;
                Ok(Some(Err(())))
            }
        },
        Err(error) => {
            tx.rollback().await?;
            record_failure(pool, id, step, &error.to_string()).await?;
            Ok(Some(Err(())))
        }
    }
}

/// Records a failed step in its own transaction, auditing the first
/// failure in a row (later ones only count, so a stuck hold does not write
/// an audit event every retry).
async fn record_failure(pool: &PgPool, id: Uuid, step: DueStep, error: &str) -> Result<(), sqlx::Error> {
    tracing::error!(hold_id = %id, step = step.as_str(), %error, "a scheduled hold step failed; it will be retried");
    let mut tx = pool.begin().await?;
    let failures = holds::record_schedule_failure(&mut tx, id, step, error).await?;
    if failures == 1 {
        audit_failure(&mut tx, id, step, error).await?;
    }
    tx.commit().await
}

async fn audit_failure(conn: &mut PgConnection, id: Uuid, step: DueStep, error: &str) -> Result<i64, sqlx::Error> {
    let action = match step {
        DueStep::Activate => "hold.activation_failed",
        DueStep::Expire => "hold.expiry_failed",
    };
    AuditEntry::new(&Actor::system(SCHEDULER), action, "hold", id)
        .reason(Some(&error.chars().take(2_000).collect::<String>()))
        .append(conn)
        .await
}

/// Runs [`run_once`] every `tick` until the process ends.
pub fn spawn(pool: PgPool, catalog: CatalogHandle, tick: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_once(&pool).await {
                Ok(pass) if pass.changed_anything() => {
                    tracing::info!(
                        activated = pass.activated,
                        expired = pass.expired,
                        retired = pass.retired,
                        failed = pass.failed,
                        "scheduled changes applied"
                    );
                    if let Err(error) = catalog.refresh_if_stale(&pool).await {
                        tracing::warn!(%error, "catalog reload after scheduled changes failed");
                    }
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "the scheduler failed; it will retry"),
            }
        }
    })
}
