//! Enablements: a tenant's use of a model in a region under a deployment type.

use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use std::collections::HashMap;
use uuid::Uuid;

use super::catalog_read::Versions;
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

/// An active enablement to write, with its audit event, only if the
/// catalog is still at `basis`: the versions of the snapshot it was decided
/// on.
#[derive(Debug, Clone)]
pub struct PendingEnablement {
    /// The row as it will be stored and answered: its timestamps are chosen
    /// here, at the database's precision, so the row answered and audited
    /// is the row stored.
    pub row: EnablementRow,
    pub audit_id: Uuid,
    pub basis: Versions,
    pub actor: Actor,
}

impl PendingEnablement {
    pub fn new(grant: &Grant<'_>, basis: Versions, actor: &Actor) -> Self {
        let at = Utc::now().trunc_subsecs(6);
        PendingEnablement {
            row: EnablementRow {
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
            },
            audit_id: Uuid::now_v7(),
            basis,
            actor: actor.clone(),
        }
    }
}

/// Writes `grant` as an active enablement, with its audit event, in one
/// statement (`enable_if_current()`), only if the catalog is still at
/// `basis`. Outside a transaction the statement is its own.
pub async fn insert_if_current(
    conn: &mut PgConnection,
    grant: &Grant<'_>,
    basis: Versions,
    actor: &Actor,
) -> Result<ConditionalInsert, sqlx::Error> {
    insert_pending(conn, &PendingEnablement::new(grant, basis, actor)).await
}

/// Writes one pending enablement (`enable_if_current()`).
pub async fn insert_pending(
    conn: &mut PgConnection,
    pending: &PendingEnablement,
) -> Result<ConditionalInsert, sqlx::Error> {
    let PendingEnablement {
        row,
        audit_id,
        basis,
        actor,
    } = pending;
    let after = serde_json::to_value(row).map_err(|error| sqlx::Error::Encode(Box::new(error)))?;
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
    .bind(row.created_at)
    .bind(audit_id)
    .bind(&actor.name)
    .bind(&actor.roles)
    .bind(actor.request_id.as_deref())
    .bind(after)
    .fetch_one(conn)
    .await?;
    Ok(ConditionalInsert::answered(&outcome, id, row))
}

/// Writes many pending enablements in one statement
/// (`enable_all_if_current()`): each is answered, in the order given, what
/// [`insert_pending`] would have answered it alone. An error refuses them
/// all; outside a transaction, nothing was written.
pub async fn insert_all_pending(
    conn: &mut PgConnection,
    pending: &[PendingEnablement],
) -> Result<Vec<ConditionalInsert>, sqlx::Error> {
    let grants: Vec<GrantArgument<'_>> = pending.iter().map(GrantArgument::from).collect();
    let answered: Vec<(Uuid, String, Option<Uuid>)> =
        sqlx::query_as("SELECT grant_id, outcome, enablement_id FROM enable_all_if_current($1)")
            .bind(sqlx::types::Json(&grants))
            .fetch_all(conn)
            .await?;
    let mut by_grant: HashMap<Uuid, (String, Option<Uuid>)> = answered
        .into_iter()
        .map(|(grant, outcome, enablement)| (grant, (outcome, enablement)))
        .collect();
    Ok(pending
        .iter()
        .map(|pending| match by_grant.remove(&pending.row.id) {
            Some((outcome, enablement)) => ConditionalInsert::answered(&outcome, enablement, &pending.row),
            // The function answers every grant; were one left out, its
            // caller would decide it again on rows.
            None => ConditionalInsert::Stale,
        })
        .collect())
}

/// One pending enablement as `enable_all_if_current()` reads it.
#[derive(Serialize)]
struct GrantArgument<'a> {
    version: i64,
    content_version: i64,
    tenant_id: Uuid,
    id: Uuid,
    model_id: Uuid,
    region: &'a str,
    deployment_type: &'a str,
    operator_name: Option<&'a str>,
    operator_country: Option<&'a str>,
    at: DateTime<Utc>,
    audit_id: Uuid,
    actor: &'a str,
    actor_roles: &'a [String],
    request_id: Option<&'a str>,
    /// The audit event's `after`: the row as stored.
    after: &'a EnablementRow,
}

impl<'a> From<&'a PendingEnablement> for GrantArgument<'a> {
    fn from(pending: &'a PendingEnablement) -> Self {
        let row = &pending.row;
        GrantArgument {
            version: pending.basis.version,
            content_version: pending.basis.content_version,
            tenant_id: row.tenant_id,
            id: row.id,
            model_id: row.model_id,
            region: &row.region_code,
            deployment_type: row.deployment_type.as_str(),
            operator_name: row.operator_name.as_deref(),
            operator_country: row.operator_country.as_deref(),
            at: row.created_at,
            audit_id: pending.audit_id,
            actor: &pending.actor.name,
            actor_roles: &pending.actor.roles,
            request_id: pending.actor.request_id.as_deref(),
            after: row,
        }
    }
}

impl ConditionalInsert {
    /// What `enable_if_current()` or `enable_all_if_current()` answered
    /// for `row`.
    fn answered(outcome: &str, enablement_id: Option<Uuid>, row: &EnablementRow) -> Self {
        match (outcome, enablement_id) {
            ("created", _) => ConditionalInsert::Created(row.clone()),
            ("exists", Some(existing)) => ConditionalInsert::Exists(existing),
            _ => ConditionalInsert::Stale,
        }
    }
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
