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

/// The advisory lock key shared by enablement (shared) and activation
/// (exclusive). Whoever takes it must do so before any other lock an
/// enablement takes (the audit chain head, policy rows), or the two can
/// deadlock.
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

/// A hold as proposed.
#[derive(Debug, Clone)]
pub struct NewHold {
    pub kind: String,
    pub legal_basis: String,
    pub public_notice: String,
    pub public_notice_url: Option<String>,
    pub scope: HoldScope,
    pub hide: bool,
    pub block_new: bool,
    pub suspend_existing: bool,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub proposed_by: String,
    pub reason: Option<String>,
}

pub async fn insert(conn: &mut PgConnection, hold: &NewHold) -> Result<HoldRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO compliance_holds (id, kind, legal_basis, public_notice, public_notice_url, scope_models,
             scope_publishers, scope_origin_countries, scope_regions, scope_jurisdictions, scope_tenants,
             effect_hide, effect_block_new, effect_suspend_existing, status, effective_at, expires_at,
             proposed_by, proposal_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'proposed', $15, $16, $17, $18)
         RETURNING {COLUMNS}"
    ))
    .bind(Uuid::now_v7())
    .bind(&hold.kind)
    .bind(&hold.legal_basis)
    .bind(&hold.public_notice)
    .bind(&hold.public_notice_url)
    .bind(&hold.scope.models)
    .bind(&hold.scope.publishers)
    .bind(&hold.scope.origin_countries)
    .bind(&hold.scope.regions)
    .bind(&hold.scope.jurisdictions)
    .bind(&hold.scope.tenants)
    .bind(hold.hide)
    .bind(hold.block_new)
    .bind(hold.suspend_existing)
    .bind(hold.effective_at)
    .bind(hold.expires_at)
    .bind(&hold.proposed_by)
    .bind(&hold.reason)
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM compliance_holds WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The hold, locked for the caller's state change.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM compliance_holds WHERE id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn list(
    conn: &mut PgConnection,
    status: Option<&str>,
    kind: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM compliance_holds
         WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
           AND ($3::uuid IS NULL OR id > $3)
         ORDER BY id LIMIT $4"
    ))
    .bind(status)
    .bind(kind)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Sets the status columns of a decision (approve, reject, lift, expire).
pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    actor: &str,
    reason: Option<&str>,
) -> Result<HoldRow, sqlx::Error> {
    let assignments = match status {
        "active" => "approved_by = $3, approved_at = now()",
        "rejected" => "rejected_by = $3, rejected_at = now(), rejection_reason = $4",
        "lifted" => "lifted_by = $3, lifted_at = now(), lift_reason = $4",
        _ => "expired_at = now()",
    };
    sqlx::query_as(&format!(
        "UPDATE compliance_holds SET status = $2, {assignments}, row_version = row_version + 1, updated_at = now()
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(status)
    .bind(actor)
    .bind(reason)
    .fetch_one(conn)
    .await
}

/// One enablement a hold changed.
#[derive(Debug, Clone, FromRow, Serialize, utoipa::ToSchema)]
pub struct TouchedEnablement {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: String,
    #[schema(value_type = crate::domain::vocab::DeploymentType)]
    pub deployment_type: String,
    #[schema(value_type = crate::domain::vocab::EnablementStatus)]
    pub status: String,
    pub suspended_by_hold_id: Option<Uuid>,
}

/// Puts the hold's effects in force now, in the caller's transaction (which
/// must hold the activation gate): marks it activated and suspends every
/// matching active enablement when it suspends existing ones.
pub async fn activate(conn: &mut PgConnection, id: Uuid, actor: &str) -> Result<Vec<TouchedEnablement>, sqlx::Error> {
    sqlx::query("UPDATE compliance_holds SET activated_at = now(), updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let suspended: Vec<TouchedEnablement> = sqlx::query_as(
        "WITH targets AS (
             SELECT e.tenant_id, e.id
             FROM enablements e
             JOIN models m ON m.id = e.model_id
             JOIN regions r ON r.code = e.region_code
             JOIN compliance_holds h ON h.id = $1
             WHERE e.status = 'active' AND h.effect_suspend_existing
               AND hold_covers(h, m.id, m.publisher_id, m.origin_country, e.region_code, r.jurisdiction, e.tenant_id)
             FOR UPDATE OF e)
         UPDATE enablements e
         SET status = 'suspended', suspended_by_hold_id = $1, updated_at = now(), updated_by = $2,
             row_version = e.row_version + 1
         FROM targets t
         WHERE e.tenant_id = t.tenant_id AND e.id = t.id
         RETURNING e.tenant_id, e.id, e.model_id, e.region_code, e.deployment_type, e.status, e.suspended_by_hold_id",
    )
    .bind(id)
    .bind(actor)
    .fetch_all(&mut *conn)
    .await?;
    record_suspensions(conn, id, &suspended).await?;
    Ok(suspended)
}

async fn record_suspensions(
    conn: &mut PgConnection,
    hold: Uuid,
    touched: &[TouchedEnablement],
) -> Result<(), sqlx::Error> {
    if touched.is_empty() {
        return Ok(());
    }
    let tenants: Vec<Uuid> = touched.iter().map(|e| e.tenant_id).collect();
    let ids: Vec<Uuid> = touched.iter().map(|e| e.id).collect();
    sqlx::query(
        "INSERT INTO enablement_suspensions (tenant_id, enablement_id, hold_id)
         SELECT * , $3 FROM unnest($1::uuid[], $2::uuid[])
         ON CONFLICT (tenant_id, enablement_id, hold_id) DO UPDATE SET suspended_at = now(), released_at = NULL",
    )
    .bind(&tenants)
    .bind(&ids)
    .bind(hold)
    .execute(conn)
    .await?;
    Ok(())
}

/// After the hold stopped being in effect (lifted or expired): every
/// enablement it suspended is restored, unless another hold in effect that
/// suspends still covers it, in which case that hold now holds it.
pub async fn release(conn: &mut PgConnection, id: Uuid, actor: &str) -> Result<Vec<TouchedEnablement>, sqlx::Error> {
    let touched: Vec<TouchedEnablement> = sqlx::query_as(
        "WITH affected AS (
             SELECT e.tenant_id, e.id,
                    (SELECT h2.id FROM compliance_holds h2
                     WHERE h2.id <> $1 AND hold_in_effect(h2, now()) AND h2.effect_suspend_existing
                       AND hold_covers(h2, m.id, m.publisher_id, m.origin_country, e.region_code, r.jurisdiction,
                                       e.tenant_id)
                     ORDER BY h2.id LIMIT 1) AS other
             FROM enablements e
             JOIN models m ON m.id = e.model_id
             JOIN regions r ON r.code = e.region_code
             WHERE e.suspended_by_hold_id = $1 AND e.status = 'suspended'
             FOR UPDATE OF e)
         UPDATE enablements e
         SET status = CASE WHEN a.other IS NULL THEN 'active' ELSE 'suspended' END,
             suspended_by_hold_id = a.other, updated_at = now(), updated_by = $2, row_version = e.row_version + 1
         FROM affected a
         WHERE e.tenant_id = a.tenant_id AND e.id = a.id
         RETURNING e.tenant_id, e.id, e.model_id, e.region_code, e.deployment_type, e.status, e.suspended_by_hold_id",
    )
    .bind(id)
    .bind(actor)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("UPDATE enablement_suspensions SET released_at = now() WHERE hold_id = $1 AND released_at IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for enablement in touched.iter().filter(|e| e.suspended_by_hold_id.is_some()) {
        record_suspensions(
            conn,
            enablement.suspended_by_hold_id.unwrap_or(id),
            std::slice::from_ref(enablement),
        )
        .await?;
    }
    Ok(touched)
}

/// Enablements a scope would suspend, for the impact preview.
pub async fn enablements_in_scope(
    conn: &mut PgConnection,
    scope: &HoldScope,
    limit: i64,
) -> Result<(i64, i64, Vec<TouchedEnablement>), sqlx::Error> {
    const MATCH: &str = "FROM enablements e
         JOIN models m ON m.id = e.model_id
         JOIN regions r ON r.code = e.region_code
         WHERE e.status = 'active'
           AND scope_covers($1, $2, $3, $4, $5, $6, m.id, m.publisher_id, m.origin_country, e.region_code,
                            r.jurisdiction, e.tenant_id)";
    let (count, tenants): (i64, i64) = sqlx::query_as(&format!("SELECT count(*), count(DISTINCT e.tenant_id) {MATCH}"))
        .bind(&scope.models)
        .bind(&scope.publishers)
        .bind(&scope.origin_countries)
        .bind(&scope.regions)
        .bind(&scope.jurisdictions)
        .bind(&scope.tenants)
        .fetch_one(&mut *conn)
        .await?;
    let sample: Vec<TouchedEnablement> = sqlx::query_as(&format!(
        "SELECT e.tenant_id, e.id, e.model_id, e.region_code, e.deployment_type, e.status, e.suspended_by_hold_id
         {MATCH} ORDER BY e.tenant_id, e.id LIMIT $7"
    ))
    .bind(&scope.models)
    .bind(&scope.publishers)
    .bind(&scope.origin_countries)
    .bind(&scope.regions)
    .bind(&scope.jurisdictions)
    .bind(&scope.tenants)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    Ok((count, tenants, sample))
}

/// Holds due to take effect or to expire, locked without waiting so each is
/// handled by exactly one server.
pub async fn due(conn: &mut PgConnection) -> Result<(Vec<Uuid>, Vec<Uuid>), sqlx::Error> {
    let activate: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM compliance_holds
         WHERE status = 'active' AND activated_at IS NULL AND effective_at <= now()
         ORDER BY effective_at LIMIT 20 FOR UPDATE SKIP LOCKED",
    )
    .fetch_all(&mut *conn)
    .await?;
    let expire: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM compliance_holds
         WHERE status = 'active' AND expires_at <= now()
         ORDER BY expires_at LIMIT 20 FOR UPDATE SKIP LOCKED",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok((activate, expire))
}
