//! Compliance holds: proposal, decision, activation (its effects on
//! enablements in the same transaction), lifting and expiry.
//!
//! Activation and enablement creation serialise on one advisory lock:
//! enabling takes it shared, activating takes it exclusive. An enablement
//! therefore either commits before an activation begins (and the activation
//! suspends it) or starts after the activation commits (and sees the hold),
//! so no race can leave an active enablement under an effective hold.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::domain::hold::{HoldScope, HoldView};

/// The advisory lock key shared by enablement (shared) and activation (exclusive).
const HOLD_GATE: i64 = 0x6d6d_686f_6c64; // "mmhold"

pub async fn enter_enablement_gate(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(HOLD_GATE)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn enter_activation_gate(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(HOLD_GATE)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HoldRow {
    pub id: Uuid,
    pub kind: String,
    pub legal_basis: String,
    pub public_notice: String,
    pub public_notice_url: Option<String>,
    pub scope_models: Vec<Uuid>,
    pub scope_publishers: Vec<Uuid>,
    pub scope_origin_countries: Vec<String>,
    pub scope_regions: Vec<String>,
    pub scope_jurisdictions: Vec<String>,
    pub scope_tenants: Vec<Uuid>,
    pub effect_hide: bool,
    pub effect_block_new: bool,
    pub effect_suspend_existing: bool,
    pub status: String,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub proposal_reason: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rejected_by: Option<String>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
    pub expired_at: Option<DateTime<Utc>>,
    pub row_version: i64,
}

pub const COLUMNS: &str = "id, kind, legal_basis, public_notice, public_notice_url, scope_models, scope_publishers,
    scope_origin_countries, scope_regions, scope_jurisdictions, scope_tenants, effect_hide, effect_block_new,
    effect_suspend_existing, status, effective_at, expires_at, activated_at, proposed_by, proposed_at,
    proposal_reason, approved_by, approved_at, rejected_by, rejected_at, rejection_reason, lifted_by, lifted_at,
    lift_reason, expired_at, row_version";

impl HoldRow {
    pub fn scope(&self) -> HoldScope {
        HoldScope {
            models: self.scope_models.clone(),
            publishers: self.scope_publishers.clone(),
            origin_countries: self.scope_origin_countries.clone(),
            regions: self.scope_regions.clone(),
            jurisdictions: self.scope_jurisdictions.clone(),
            tenants: self.scope_tenants.clone(),
        }
    }

    pub fn view(&self) -> HoldView {
        HoldView {
            id: self.id,
            scope: self.scope(),
            hide: self.effect_hide,
            block_new: self.effect_block_new,
            suspend_existing: self.effect_suspend_existing,
            public_notice: self.public_notice.clone(),
            public_notice_url: self.public_notice_url.clone(),
        }
    }
}

/// The holds in effect now: approved, activated and not expired.
pub async fn effective(conn: &mut PgConnection) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM compliance_holds
         WHERE status = 'active' AND activated_at IS NOT NULL AND (expires_at IS NULL OR expires_at > now())
         ORDER BY id"
    ))
    .fetch_all(conn)
    .await
}
