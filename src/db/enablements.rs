//! Enablements: a tenant's use of a model in a region under a deployment type.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::vocab::{DeploymentType, EnablementStatus};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct EnablementRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: String,
    #[sqlx(try_from = "String")]
    pub deployment_type: DeploymentType,
    pub operator_name: Option<String>,
    pub operator_country: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: EnablementStatus,
    pub suspended_by_hold_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

const COLUMNS: &str = "tenant_id, id, model_id, region_code, deployment_type, operator_name, operator_country,
    status, suspended_by_hold_id, created_at, created_by, updated_at, updated_by";

pub async fn list(
    pool: &PgPool,
    tenant_id: Uuid,
    status: Option<EnablementStatus>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<EnablementRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM enablements
         WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR id > $3)
         ORDER BY id LIMIT $4"
    ))
    .bind(tenant_id)
    .bind(status.map(EnablementStatus::as_str))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// How many of the tenant's enablements `list` would page through.
pub async fn count(pool: &PgPool, tenant_id: Uuid, status: Option<EnablementStatus>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM enablements WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)")
        .bind(tenant_id)
        .bind(status.map(EnablementStatus::as_str))
        .fetch_one(pool)
        .await
}

pub async fn get(pool: &PgPool, tenant_id: Uuid, id: Uuid) -> Result<Option<EnablementRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM enablements WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant_id)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// The live (active or suspended) enablement of the same model, region and
/// deployment type, if any.
pub async fn find_live(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    model_id: Uuid,
    region: &str,
    deployment_type: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT id FROM enablements
         WHERE tenant_id = $1 AND model_id = $2 AND region_code = $3 AND deployment_type = $4 AND status <> 'disabled'",
    )
    .bind(tenant_id)
    .bind(model_id)
    .bind(region)
    .bind(deployment_type)
    .fetch_optional(conn)
    .await
}

/// What an enablement is granted on: a listing's offer in a region under
/// a deployment type, served by one operator.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    pub tenant_id: Uuid,
    pub model_id: Uuid,
    pub region: &'a str,
    pub deployment_type: &'a str,
    pub operator_name: &'a str,
    pub operator_country: Option<&'a str>,
}

pub async fn insert_active(
    conn: &mut PgConnection,
    grant: &Grant<'_>,
    actor: &str,
) -> Result<EnablementRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO enablements (tenant_id, id, model_id, region_code, deployment_type, operator_name,
                                  operator_country, status, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8)
         RETURNING {COLUMNS}"
    ))
    .bind(grant.tenant_id)
    .bind(Uuid::now_v7())
    .bind(grant.model_id)
    .bind(grant.region)
    .bind(grant.deployment_type)
    .bind(grant.operator_name)
    .bind(grant.operator_country)
    .bind(actor)
    .fetch_one(conn)
    .await
}

/// Disables a live enablement; `None` when there was nothing live to disable.
pub async fn disable(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    id: Uuid,
    actor: &str,
) -> Result<Option<EnablementRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE enablements SET status = 'disabled', suspended_by_hold_id = NULL, updated_at = now(),
                updated_by = $3, row_version = row_version + 1
         WHERE tenant_id = $1 AND id = $2 AND status <> 'disabled'
         RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(id)
    .bind(actor)
    .fetch_optional(conn)
    .await
}
