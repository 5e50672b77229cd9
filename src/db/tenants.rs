//! Tenants come from the identity provider: the first valid token with a new
//! `tid` provisions the tenant with a default (unrestricted) policy.

use sqlx::PgPool;
use uuid::Uuid;

use super::audit::AuditEntry;
use crate::domain::actor::Actor;

/// Creates the tenant and its default policy if it does not exist yet, with
/// one audit event. Returns whether it was created by this call.
pub async fn provision(pool: &PgPool, tenant_id: Uuid, actor: &Actor, subject: &str) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let created = sqlx::query("INSERT INTO tenants (id, provisioned_by) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .bind(tenant_id)
        .bind(subject)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if created {
        sqlx::query("INSERT INTO tenant_policies (tenant_id, updated_by) VALUES ($1, $2)")
            .bind(tenant_id)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        AuditEntry::new(actor, "tenant.provisioned", "tenant", tenant_id)
            .tenant(tenant_id)
            .after(serde_json::json!({ "id": tenant_id, "provisioned_by": subject }))
            .reason(Some("first valid token carrying this tid"))
            .append(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(created)
}

pub async fn exists(pool: &PgPool, tenant_id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)")
        .bind(tenant_id)
        .fetch_one(pool)
        .await
}

/// A tenant with what platform staff look at first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TenantRow {
    pub id: Uuid,
    pub display_name: Option<String>,
    pub provisioned_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Enablements that are active or suspended.
    pub live_enablements: i64,
    pub suspended_enablements: i64,
    pub policy_updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

const TENANT_COLUMNS: &str = "t.id, t.display_name, t.provisioned_by, t.created_at,
    (SELECT count(*) FROM enablements e WHERE e.tenant_id = t.id AND e.status <> 'disabled') AS live_enablements,
    (SELECT count(*) FROM enablements e WHERE e.tenant_id = t.id AND e.status = 'suspended') AS suspended_enablements,
    (SELECT p.updated_at FROM tenant_policies p WHERE p.tenant_id = t.id) AS policy_updated_at";

/// Tenants by id, after `after`.
pub async fn list(pool: &PgPool, after: Option<Uuid>, limit: i64) -> Result<Vec<TenantRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {TENANT_COLUMNS} FROM tenants t WHERE ($1::uuid IS NULL OR t.id > $1) ORDER BY t.id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<TenantRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

pub async fn count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM tenants").fetch_one(pool).await
}
