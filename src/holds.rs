//! The life of a compliance hold, in one place: `propose` records a
//! proposal, and `transition` takes a hold from one state to the next with
//! everything that must happen in the same transaction: the state checks,
//! the two-person rule, the audit event, the enablements the hold suspends
//! or restores (each with its audit and outbox event), and the tenants'
//! notices. The officers' routes and the scheduler both call it.
//!
//! ```text
//! proposed --approve--> active --(effective_at)--> in effect --lift/expire--> lifted / expired
//!    \--reject--> rejected         \--lift--> lifted
//! ```
//!
//! Activation and enablement creation serialise on the enablement gate
//! (`db::enablement_gate`): enabling enters it shared, every transition that
//! changes what is in effect closes it, so no race can leave an active
//! enablement under a hold in effect.

use chrono::Utc;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::audit::AuditEntry;
use crate::db::holds::{self, HoldRow, NewHold, StatusChange, TouchedEnablement};
use crate::db::{enablement_gate, outbox};
use crate::domain::actor::Actor;
use crate::domain::vocab::{EnablementStatus, HoldStatus};

/// The scheduler, as the audit log names it.
pub const SCHEDULER: &str = "system:scheduler";

/// A step in a hold's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition<'a> {
    /// A second officer approves a proposal; its effects start now unless
    /// `effective_at` is later.
    Approve { reason: Option<&'a str> },
    /// An officer turns a proposal down.
    Reject { reason: &'a str },
    /// An officer ends an approved hold (in effect or still scheduled).
    Lift { reason: &'a str },
    /// The scheduler: an approved hold's `effective_at` has come.
    Activate,
    /// The scheduler: a hold's `expires_at` has come.
    Expire,
}

impl Transition<'_> {
    fn name(&self) -> &'static str {
        match self {
            Transition::Approve { .. } => "approved",
            Transition::Reject { .. } => "rejected",
            Transition::Lift { .. } => "lifted",
            Transition::Activate => "activated",
            Transition::Expire => "expired",
        }
    }

    /// The state the hold must be in.
    fn from(&self) -> HoldStatus {
        match self {
            Transition::Approve { .. } | Transition::Reject { .. } => HoldStatus::Proposed,
            Transition::Lift { .. } | Transition::Activate | Transition::Expire => HoldStatus::Active,
        }
    }
}

/// Why a transition did not happen; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    #[error("no such hold")]
    NotFound,
    #[error("the hold has changed since it was read; its version is {current}")]
    Stale { current: i64 },
    #[error("only a {wanted} hold can be {action}; this one is {actual}")]
    WrongState {
        wanted: HoldStatus,
        actual: HoldStatus,
        action: &'static str,
    },
    #[error("the hold is not due for this step")]
    NotDue,
    #[error("the officer who proposed a hold cannot approve it")]
    SelfApproval,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The hold after a transition, and the enablements it suspended or
/// restored.
#[derive(Debug)]
pub struct TransitionOutcome {
    pub hold: HoldRow,
    pub enablements: Vec<TouchedEnablement>,
}

/// Takes hold `id` through `transition` in the caller's transaction, when
/// its row version is still `expected_version` (if given). The caller
/// commits.
pub async fn transition(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    transition: Transition<'_>,
    expected_version: Option<i64>,
) -> Result<TransitionOutcome, TransitionError> {
    if !matches!(transition, Transition::Reject { .. }) {
        // The gate first, before any lock an enablement also takes, so the
        // two can never deadlock.
        enablement_gate::close(conn).await?;
    }
    let before = holds::lock(conn, id).await?.ok_or(TransitionError::NotFound)?;
    if expected_version.is_some_and(|version| version != before.row_version) {
        return Err(TransitionError::Stale {
            current: before.row_version,
        });
    }
    if before.status != transition.from() {
        return Err(TransitionError::WrongState {
            wanted: transition.from(),
            actual: before.status,
            action: transition.name(),
        });
    }
    let now = Utc::now();
    match transition {
        Transition::Approve { reason } => {
            if before.proposed_by == actor.name {
                return Err(TransitionError::SelfApproval);
            }
            let approved = holds::change_status(conn, id, StatusChange::Approved { by: &actor.name }).await?;
            record(conn, actor, "hold.approved", &before, &approved, reason).await?;
            if approved.effective_at.is_none_or(|at| at <= now) {
                return put_in_effect(conn, actor, approved).await;
            }
            Ok(TransitionOutcome {
                hold: approved,
                enablements: Vec::new(),
            })
        }
        Transition::Reject { reason } => {
            let rejected = holds::change_status(
                conn,
                id,
                StatusChange::Rejected {
                    by: &actor.name,
                    reason,
                },
            )
            .await?;
            record(conn, actor, "hold.rejected", &before, &rejected, Some(reason)).await?;
            Ok(TransitionOutcome {
                hold: rejected,
                enablements: Vec::new(),
            })
        }
        Transition::Lift { reason } => {
            let lifted = holds::change_status(
                conn,
                id,
                StatusChange::Lifted {
                    by: &actor.name,
                    reason,
                },
            )
            .await?;
            record(conn, actor, "hold.lifted", &before, &lifted, Some(reason)).await?;
            take_out_of_effect(conn, actor, &before, lifted).await
        }
        Transition::Activate => {
            if before.activated_at.is_some() || before.effective_at.is_some_and(|at| at > now) {
                return Err(TransitionError::NotDue);
            }
            let outcome = put_in_effect(conn, actor, before.clone()).await?;
            let reason = format!(
                "effective_at reached; {} enablements suspended",
                outcome.enablements.len()
            );
            record(conn, actor, "hold.activated", &before, &outcome.hold, Some(&reason)).await?;
            Ok(outcome)
        }
        Transition::Expire => {
            if before.expires_at.is_none_or(|at| at > now) {
                return Err(TransitionError::NotDue);
            }
            let expired = holds::change_status(conn, id, StatusChange::Expired).await?;
            record(
                conn,
                actor,
                "hold.expired",
                &before,
                &expired,
                Some("expires_at reached"),
            )
            .await?;
            take_out_of_effect(conn, actor, &before, expired).await
        }
    }
}

/// Records a proposal, which changes nothing until another officer
/// approves it, with its audit event, in the caller's transaction.
pub async fn propose(conn: &mut PgConnection, actor: &Actor, proposal: &NewHold) -> Result<HoldRow, sqlx::Error> {
    let row = holds::insert(conn, proposal).await?;
    AuditEntry::new(actor, "hold.proposed", "hold", row.id)
        .after(&row)
        .reason(proposal.reason.as_deref())
        .append(conn)
        .await?;
    Ok(row)
}

/// The audit event of a change to the hold itself, before and after.
async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    action: &str,
    before: &HoldRow,
    after: &HoldRow,
    reason: Option<&str>,
) -> Result<i64, sqlx::Error> {
    AuditEntry::new(actor, action, "hold", before.id)
        .before(before)
        .after(after)
        .reason(reason)
        .append(conn)
        .await
}

/// Starts an approved hold's effects now: marks it activated, suspends what
/// it covers and tells the tenants.
async fn put_in_effect(
    conn: &mut PgConnection,
    actor: &Actor,
    hold: HoldRow,
) -> Result<TransitionOutcome, TransitionError> {
    let activated = holds::change_status(conn, hold.id, StatusChange::Activated).await?;
    let suspended = holds::suspend_covered(conn, hold.id, &actor.name).await?;
    let data = notice(conn, &activated).await?;
    let changes: Vec<_> = suspended.iter().map(|e| (e, EnablementChange::Suspended)).collect();
    record_enablements(conn, actor, &changes, &activated, &data).await?;
    if activated.effect_hide || activated.effect_block_new {
        for tenant in audience(&activated) {
            outbox::append(conn, tenant, "model.delisted", data.clone()).await?;
        }
    }
    Ok(TransitionOutcome {
        hold: activated,
        enablements: suspended,
    })
}

/// Ends a hold's effects (it was lifted or expired): restores what it
/// suspended that no other hold in effect still covers, and tells tenants.
async fn take_out_of_effect(
    conn: &mut PgConnection,
    actor: &Actor,
    before: &HoldRow,
    after: HoldRow,
) -> Result<TransitionOutcome, TransitionError> {
    if !before.in_effect {
        // Lifted before its effective_at: nothing was ever suspended.
        return Ok(TransitionOutcome {
            hold: after,
            enablements: Vec::new(),
        });
    }
    let touched = holds::release(conn, before.id, &actor.name).await?;
    let data = notice(conn, &after).await?;
    let changes: Vec<_> = touched
        .iter()
        .map(|enablement| {
            let change = if enablement.status == EnablementStatus::Active {
                EnablementChange::Restored
            } else {
                EnablementChange::Transferred
            };
            (enablement, change)
        })
        .collect();
    record_enablements(conn, actor, &changes, &after, &data).await?;
    if after.effect_hide || after.effect_block_new {
        for tenant in audience(&after) {
            outbox::append(conn, tenant, "model.relisted", data.clone()).await?;
        }
    }
    Ok(TransitionOutcome {
        hold: after,
        enablements: touched,
    })
}

/// What a hold did to one enablement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EnablementChange {
    Suspended,
    Restored,
    /// Still covered by another hold in effect: it stays suspended, now by
    /// that one. Audited; the tenant is not told (nothing changed for it).
    Transferred,
}

/// Audits what a hold did to each enablement and tells each tenant whose
/// enablement changed (a transferred suspension changes nothing for it), in
/// three statements whatever the number of enablements.
async fn record_enablements(
    conn: &mut PgConnection,
    actor: &Actor,
    changes: &[(&TouchedEnablement, EnablementChange)],
    hold: &HoldRow,
    hold_notice: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let mut entries = Vec::with_capacity(changes.len());
    let mut events = Vec::with_capacity(changes.len());
    for (enablement, change) in changes {
        let (action, before) = match change {
            EnablementChange::Suspended => ("enablement.suspended", json!({ "status": "active" })),
            EnablementChange::Restored => (
                "enablement.restored",
                json!({ "status": "suspended", "suspended_by_hold_id": hold.id }),
            ),
            EnablementChange::Transferred => (
                "enablement.suspension_transferred",
                json!({ "status": "suspended", "suspended_by_hold_id": hold.id }),
            ),
        };
        entries.push(
            AuditEntry::new(actor, action, "enablement", enablement.id)
                .tenant(enablement.tenant_id)
                .before(before)
                .after(json!({ "status": enablement.status, "suspended_by_hold_id": enablement.suspended_by_hold_id }))
                .reason(Some(&hold.public_notice)),
        );
        if *change != EnablementChange::Transferred {
            events.push((
                Some(enablement.tenant_id),
                action,
                EnablementNotice {
                    enablement_id: enablement.id,
                    model_id: enablement.model_id,
                    region: &enablement.region_code,
                    deployment_type: enablement.deployment_type,
                    operator: enablement.operator_name.as_deref(),
                    status: enablement.status,
                },
            ));
        }
    }
    crate::db::audit::append_all(conn, actor, &entries).await?;
    // Every notice names the hold alike: sent once, merged in by the insert.
    let shared = serde_json::json!({ "hold": hold_notice });
    outbox::append_all(conn, &events, Some(&shared)).await?;
    Ok(())
}

/// What a tenant is told about one of its enablements a hold changed,
/// besides the hold's notice (`hold`), which the outbox merges into each.
/// A struct that borrows, not a `json!` value: it is built per enablement.
#[derive(serde::Serialize)]
struct EnablementNotice<'a> {
    enablement_id: Uuid,
    model_id: Uuid,
    region: &'a str,
    deployment_type: crate::domain::vocab::DeploymentType,
    operator: Option<&'a str>,
    status: EnablementStatus,
}

/// What tenants are told about a hold: never the internal legal basis.
/// Listings and publishers are named by slug, as a hold's scope is.
async fn notice(conn: &mut PgConnection, hold: &HoldRow) -> Result<serde_json::Value, sqlx::Error> {
    let (models, publishers) = holds::scope_slugs(conn, hold).await?;
    Ok(json!({
        "hold_id": hold.id,
        "kind": hold.kind,
        "public_notice": hold.public_notice,
        "public_notice_url": hold.public_notice_url,
        "models": models,
        "include_derivatives": hold.scope_include_derivatives,
        "publishers": publishers,
        "origin_countries": hold.scope_origin_countries,
        "operators": hold.scope_operators,
        "operator_countries": hold.scope_operator_countries,
        "regions": hold.scope_regions,
        "jurisdictions": hold.scope_jurisdictions,
    }))
}

/// The tenants a hold's notices go to: those it names, or everyone.
fn audience(hold: &HoldRow) -> Vec<Option<Uuid>> {
    if hold.scope_tenants.is_empty() {
        vec![None]
    } else {
        hold.scope_tenants.iter().copied().map(Some).collect()
    }
}
