//! Enablements: a tenant's use of a model in a region under a deployment type.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::actor::Actor;
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
    pub deployment_type: DeploymentType,
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
    .bind(grant.deployment_type.as_str())
    .bind(grant.operator_name)
    .bind(grant.operator_country)
    .bind(actor)
    .fetch_one(conn)
    .await
}

/// What [`insert_if_current`] did.
#[derive(Debug)]
pub enum ConditionalInsert {
    /// Written, with its audit event.
    Created(EnablementRow),
    /// Nothing written: this live enablement is already there.
    Exists(Uuid),
    /// Nothing written: the catalog is no longer at the versions given.
    Stale,
}

/// Writes `grant` as an active enablement, with its audit event, in one
/// statement (`enable_if_current()`), only if the catalog is still at
/// `basis`: the versions of the snapshot the grant was decided on. Outside a
/// transaction the statement is its own.
pub async fn insert_if_current(
    conn: &mut PgConnection,
    grant: &Grant<'_>,
    basis: super::catalog_read::Versions,
    actor: &Actor,
) -> Result<ConditionalInsert, sqlx::Error> {
    // Timestamps are chosen here, at the database's precision, so the row
    // answered and audited is the row stored.
    let at = Utc::now().trunc_subsecs(6);
    let row = EnablementRow {
        tenant_id: grant.tenant_id,
        id: Uuid::now_v7(),
        model_id: grant.model_id,
        region_code: grant.region.to_owned(),
        deployment_type: grant.deployment_type,
        operator_name: Some(grant.operator_name.to_owned()),
        operator_country: grant.operator_country.map(str::to_owned),
        status: EnablementStatus::Active,
        suspended_by_hold_id: None,
        created_at: at,
        created_by: actor.name.clone(),
        updated_at: at,
        updated_by: actor.name.clone(),
    };
    let after = serde_json::to_value(&row).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
    let (outcome, id): (String, Option<Uuid>) = sqlx::query_as(
        "SELECT outcome, enablement_id
         FROM enable_if_current($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(basis.version)
    .bind(basis.content_version)
    .bind(row.tenant_id)
    .bind(row.id)
    .bind(row.model_id)
    .bind(&row.region_code)
    .bind(row.deployment_type.as_str())
    .bind(&row.operator_name)
    .bind(&row.operator_country)
    .bind(at)
    .bind(Uuid::now_v7())
    .bind(&actor.name)
    .bind(&actor.roles)
    .bind(actor.request_id.as_deref())
    .bind(after)
    .fetch_one(conn)
    .await?;
    Ok(match (outcome.as_str(), id) {
        ("created", _) => ConditionalInsert::Created(row),
        ("exists", Some(existing)) => ConditionalInsert::Exists(existing),
        _ => ConditionalInsert::Stale,
    })
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
