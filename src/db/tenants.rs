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
