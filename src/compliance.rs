//! Putting compliance holds in and out of effect, with everything that must
//! happen in the same transaction: the enablements they suspend or restore,
//! one audit event per state change, one outbox event per tenant notice.
//! Approval (now) and the scheduler (at `effective_at`, at `expires_at`)
//! both come through here.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::audit::{self, AuditEntry};
use crate::db::holds::{self, HoldRow, TouchedEnablement};
use crate::db::outbox;

/// Who is acting, for the audit log.
pub struct Actor<'a> {
    pub name: &'a str,
    pub roles: Vec<String>,
    pub request_id: Option<&'a str>,
}

/// What tenants are told about a hold: never the internal legal basis.
fn notice(hold: &HoldRow) -> serde_json::Value {
    json!({
        "hold_id": hold.id,
        "kind": hold.kind,
        "public_notice": hold.public_notice,
        "public_notice_url": hold.public_notice_url,
        "models": hold.scope_models,
        "publishers": hold.scope_publishers,
        "origin_countries": hold.scope_origin_countries,
        "regions": hold.scope_regions,
        "jurisdictions": hold.scope_jurisdictions,
    })
}

/// The tenants a hold's notices go to: those it names, or everyone.
fn audience(hold: &HoldRow) -> Vec<Option<Uuid>> {
    if hold.scope_tenants.is_empty() {
        vec![None]
    } else {
        hold.scope_tenants.iter().copied().map(Some).collect()
    }
}

async fn record_enablement(
    conn: &mut PgConnection,
    actor: &Actor<'_>,
    enablement: &TouchedEnablement,
    action: &str,
    event_type: &str,
    hold: &HoldRow,
) -> Result<(), sqlx::Error> {
    let before_status = if action == "enablement.suspended" {
        "active"
    } else {
        "suspended"
    };
    audit::append(
        conn,
        AuditEntry {
            actor: actor.name,
            actor_roles: actor.roles.clone(),
            tenant_id: Some(enablement.tenant_id),
            action,
            target_type: "enablement",
            target_id: enablement.id.to_string(),
            before: Some(json!({ "status": before_status })),
            after: Some(
                json!({ "status": enablement.status, "suspended_by_hold_id": enablement.suspended_by_hold_id }),
            ),
            reason: Some(&hold.public_notice),
            request_id: actor.request_id,
        },
    )
    .await?;
    outbox::append(
        conn,
        Some(enablement.tenant_id),
        event_type,
        json!({
            "enablement_id": enablement.id,
            "model_id": enablement.model_id,
            "region": enablement.region_code,
            "deployment_type": enablement.deployment_type,
            "status": enablement.status,
            "hold": notice(hold),
        }),
    )
    .await?;
    Ok(())
}

/// Puts an approved hold in effect now: suspends what it covers and tells
/// the tenants. The caller has changed the hold's status (and audited that).
pub async fn put_in_effect(
    conn: &mut PgConnection,
    hold: &HoldRow,
    actor: &Actor<'_>,
) -> Result<Vec<TouchedEnablement>, sqlx::Error> {
    holds::enter_activation_gate(conn).await?;
    let suspended = holds::activate(conn, hold.id, actor.name).await?;
    for enablement in &suspended {
        record_enablement(
            conn,
            actor,
            enablement,
            "enablement.suspended",
            "enablement.suspended",
            hold,
        )
        .await?;
    }
    if hold.effect_hide || hold.effect_block_new {
        for tenant in audience(hold) {
            outbox::append(conn, tenant, "model.delisted", notice(hold)).await?;
        }
    }
    Ok(suspended)
}

/// Takes a hold out of effect (`lifted` or `expired`): restores what it
/// suspended that no other hold in effect still covers, and tells tenants.
pub async fn end(
    conn: &mut PgConnection,
    hold: &HoldRow,
    status: &str,
    actor: &Actor<'_>,
    reason: Option<&str>,
) -> Result<(HoldRow, Vec<TouchedEnablement>), sqlx::Error> {
    holds::enter_activation_gate(conn).await?;
    let after = holds::set_status(conn, hold.id, status, actor.name, reason).await?;
    audit::append(
        conn,
        AuditEntry {
            actor: actor.name,
            actor_roles: actor.roles.clone(),
            tenant_id: None,
            action: if status == "lifted" {
                "hold.lifted"
            } else {
                "hold.expired"
            },
            target_type: "hold",
            target_id: hold.id.to_string(),
            before: serde_json::to_value(hold).ok(),
            after: serde_json::to_value(&after).ok(),
            reason,
            request_id: actor.request_id,
        },
    )
    .await?;
    let was_in_effect = hold.activated_at.is_some();
    let touched = if was_in_effect {
        holds::release(conn, hold.id, actor.name).await?
    } else {
        Vec::new()
    };
    for enablement in &touched {
        if enablement.status == "active" {
            record_enablement(
                conn,
                actor,
                enablement,
                "enablement.restored",
                "enablement.restored",
                hold,
            )
            .await?;
        } else {
            // Still covered by another hold: it stays suspended, now by that one.
            audit::append(
                conn,
                AuditEntry {
                    actor: actor.name,
                    actor_roles: actor.roles.clone(),
                    tenant_id: Some(enablement.tenant_id),
                    action: "enablement.suspension_transferred",
                    target_type: "enablement",
                    target_id: enablement.id.to_string(),
                    before: Some(json!({ "status": "suspended", "suspended_by_hold_id": hold.id })),
                    after: Some(
                        json!({ "status": "suspended", "suspended_by_hold_id": enablement.suspended_by_hold_id }),
                    ),
                    reason: None,
                    request_id: actor.request_id,
                },
            )
            .await?;
        }
    }
    if was_in_effect && (hold.effect_hide || hold.effect_block_new) {
        for tenant in audience(hold) {
            outbox::append(conn, tenant, "model.relisted", notice(hold)).await?;
        }
    }
    Ok((after, touched))
}
