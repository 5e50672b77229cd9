//! Enablements: a tenant's use of a model in a region under a deployment type.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::hold::Ancestor;

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct EnablementRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: String,
    pub deployment_type: String,
    pub operator_name: Option<String>,
    pub operator_country: Option<String>,
    pub status: String,
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
    status: Option<&str>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<EnablementRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM enablements
         WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR id > $3)
         ORDER BY id LIMIT $4"
    ))
    .bind(tenant_id)
    .bind(status)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
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

/// The facts of a listing the decision reads, share-locked so a concurrent
/// change to the listing waits for this decision's transaction.
#[derive(Debug, Clone, FromRow)]
pub struct ListingForDecision {
    pub id: Uuid,
    pub slug: String,
    pub publisher_id: Uuid,
    pub publisher_slug: String,
    pub origin_country: Option<String>,
    pub license: String,
    pub lifecycle_status: String,
    pub retirement_date: Option<chrono::NaiveDate>,
}

pub async fn listing_for_decision(
    conn: &mut PgConnection,
    model_id: Uuid,
) -> Result<Option<ListingForDecision>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.slug, m.publisher_id, p.slug AS publisher_slug, m.origin_country, m.license,
                m.lifecycle_status, m.retirement_date
         FROM models m JOIN publishers p ON p.id = m.publisher_id
         WHERE m.id = $1 FOR SHARE OF m",
    )
    .bind(model_id)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, FromRow)]
struct AncestorRow {
    model_id: Uuid,
    slug: String,
    publisher_id: Uuid,
    publisher_slug: String,
    origin_country: Option<String>,
}

/// What the listing derives from through its base model, nearest first,
/// share-locked: the walk `model_lineage` makes in SQL, as the snapshot
/// makes it in Rust.
pub async fn ancestors_for_decision(conn: &mut PgConnection, model_id: Uuid) -> Result<Vec<Ancestor>, sqlx::Error> {
    let rows: Vec<AncestorRow> = sqlx::query_as(
        "SELECT l.model_id, m.slug, l.publisher_id, p.slug AS publisher_slug, l.origin_country
         FROM model_lineage($1) l
         JOIN models m ON m.id = l.model_id
         JOIN publishers p ON p.id = l.publisher_id
         WHERE l.depth > 0
         ORDER BY l.depth
         FOR SHARE OF m",
    )
    .bind(model_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| Ancestor {
            model_id: row.model_id,
            slug: row.slug,
            publisher_id: row.publisher_id,
            publisher_slug: row.publisher_slug,
            origin_country: row.origin_country,
        })
        .collect())
}

#[derive(Debug, Clone, FromRow)]
pub struct OfferForDecision {
    pub id: Uuid,
    pub region_code: String,
    pub jurisdiction: Option<String>,
    pub deployment_type: String,
    pub operator_name: String,
    pub operator_country: Option<String>,
    pub status: String,
    pub input_price: Option<Decimal>,
    pub output_price: Option<Decimal>,
}

/// The listing's offers in `region` under `deployment_type`, with their
/// current base-tier USD token prices, share-locked.
pub async fn offers_for_decision(
    conn: &mut PgConnection,
    model_id: Uuid,
    region: &str,
    deployment_type: &str,
) -> Result<Vec<OfferForDecision>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.region_code, r.jurisdiction, o.deployment_type, o.operator_name, o.operator_country, o.status,
                (SELECT amount FROM offer_prices p
                 WHERE p.offer_id = o.id AND p.dimension = 'input_tokens' AND p.unit = '1M_tokens'
                   AND p.currency = 'USD' AND p.tier_min_context_tokens IS NULL
                   AND p.effective_from <= now() AND (p.effective_to IS NULL OR p.effective_to > now())) AS input_price,
                (SELECT amount FROM offer_prices p
                 WHERE p.offer_id = o.id AND p.dimension = 'output_tokens' AND p.unit = '1M_tokens'
                   AND p.currency = 'USD' AND p.tier_min_context_tokens IS NULL
                   AND p.effective_from <= now() AND (p.effective_to IS NULL OR p.effective_to > now())) AS output_price
         FROM offers o JOIN regions r ON r.code = o.region_code
         WHERE o.model_id = $1 AND o.region_code = $2 AND o.deployment_type = $3
         ORDER BY o.operator_name
         FOR SHARE OF o",
    )
    .bind(model_id)
    .bind(region)
    .bind(deployment_type)
    .fetch_all(conn)
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
