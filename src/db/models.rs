//! Listings as catalog staff change them, one at a time, under optimistic
//! concurrency (`row_version`).

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

/// Every writable column of a listing.
#[derive(Debug, Clone, PartialEq, FromRow, Serialize)]
pub struct ModelFields {
    pub slug: String,
    pub publisher_id: Uuid,
    pub name: String,
    pub family: Option<String>,
    pub version: Option<String>,
    pub description: String,
    pub task: String,
    pub input_modalities: Vec<String>,
    pub output_modalities: Vec<String>,
    pub context_window: Option<i32>,
    pub max_output_tokens: Option<i32>,
    pub capabilities: Vec<String>,
    pub license: String,
    pub open_weights: bool,
    pub origin_country: Option<String>,
    pub lineage: String,
    pub base_model_id: Option<Uuid>,
    pub model_card_url: Option<String>,
    pub weights_digest: Option<String>,
    pub release_date: Option<NaiveDate>,
    pub lifecycle_status: String,
    pub deprecation_date: Option<NaiveDate>,
    pub retirement_date: Option<NaiveDate>,
    pub successor_id: Option<Uuid>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct ModelRow {
    pub id: Uuid,
    pub row_version: i64,
    #[sqlx(flatten)]
    pub fields: ModelFields,
}

const COLUMNS: &str = "id, row_version, slug, publisher_id, name, family, version, description, task,
    input_modalities, output_modalities, context_window, max_output_tokens, capabilities, license, open_weights,
    origin_country, lineage, base_model_id, model_card_url, weights_digest, release_date, lifecycle_status,
    deprecation_date, retirement_date, successor_id, tags";

/// The listing, locked for the caller's update.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<ModelRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM models WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn id_by_slug(conn: &mut PgConnection, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = $1")
        .bind(slug)
        .fetch_optional(conn)
        .await
}

/// The listing a slug or an alias names (a listing's own slug first).
pub async fn id_by_slug_or_alias(conn: &mut PgConnection, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT coalesce((SELECT id FROM models WHERE slug = $1),
                         (SELECT model_id FROM model_aliases WHERE alias = $1))",
    )
    .bind(slug)
    .fetch_one(conn)
    .await
}

/// The slug of the listing `alias` resolves to, when it is an alias.
pub async fn listing_of_alias(conn: &mut PgConnection, alias: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT m.slug FROM model_aliases a JOIN models m ON m.id = a.model_id WHERE a.alias = $1")
        .bind(alias)
        .fetch_optional(conn)
        .await
}

pub async fn exists(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM models WHERE id = $1)")
        .bind(id)
        .fetch_one(conn)
        .await
}

pub async fn publisher_id(conn: &mut PgConnection, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM publishers WHERE slug = $1")
        .bind(slug)
        .fetch_optional(conn)
        .await
}

fn bind_fields<'q>(
    query: sqlx::query::QueryAs<'q, sqlx::Postgres, ModelRow, sqlx::postgres::PgArguments>,
    f: &'q ModelFields,
) -> sqlx::query::QueryAs<'q, sqlx::Postgres, ModelRow, sqlx::postgres::PgArguments> {
    query
        .bind(&f.slug)
        .bind(f.publisher_id)
        .bind(&f.name)
        .bind(&f.family)
        .bind(&f.version)
        .bind(&f.description)
        .bind(&f.task)
        .bind(&f.input_modalities)
        .bind(&f.output_modalities)
        .bind(f.context_window)
        .bind(f.max_output_tokens)
        .bind(&f.capabilities)
        .bind(&f.license)
        .bind(f.open_weights)
        .bind(&f.origin_country)
        .bind(&f.lineage)
        .bind(f.base_model_id)
        .bind(&f.model_card_url)
        .bind(&f.weights_digest)
        .bind(f.release_date)
        .bind(&f.lifecycle_status)
        .bind(f.deprecation_date)
        .bind(f.retirement_date)
        .bind(f.successor_id)
        .bind(&f.tags)
}

pub async fn insert(conn: &mut PgConnection, id: Uuid, fields: &ModelFields) -> Result<ModelRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO models (id, slug, publisher_id, name, family, version, description, task, input_modalities,
             output_modalities, context_window, max_output_tokens, capabilities, license, open_weights,
             origin_country, lineage, base_model_id, model_card_url, weights_digest, release_date,
             lifecycle_status, deprecation_date, retirement_date, successor_id, tags)
         VALUES ($26, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                 $21, $22, $23, $24, $25)
         RETURNING {COLUMNS}"
    );
    bind_fields(sqlx::query_as(&sql), fields).bind(id).fetch_one(conn).await
}

/// Writes `fields` when the row is still at `expected_version`.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    expected_version: i64,
    fields: &ModelFields,
) -> Result<Option<ModelRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE models SET slug = $1, publisher_id = $2, name = $3, family = $4, version = $5, description = $6,
             task = $7, input_modalities = $8, output_modalities = $9, context_window = $10,
             max_output_tokens = $11, capabilities = $12, license = $13, open_weights = $14,
             origin_country = $15, lineage = $16, base_model_id = $17, model_card_url = $18,
             weights_digest = $19, release_date = $20, lifecycle_status = $21, deprecation_date = $22,
             retirement_date = $23, successor_id = $24, tags = $25,
             row_version = row_version + 1, updated_at = now()
         WHERE id = $26 AND row_version = $27
         RETURNING {COLUMNS}"
    );
    bind_fields(sqlx::query_as(&sql), fields)
        .bind(id)
        .bind(expected_version)
        .fetch_optional(conn)
        .await
}

/// Bumps the listing's version without other change (its offers changed).
pub async fn touch(conn: &mut PgConnection, id: Uuid, expected_version: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE models SET row_version = row_version + 1, updated_at = now()
         WHERE id = $1 AND row_version = $2 RETURNING row_version",
    )
    .bind(id)
    .bind(expected_version)
    .fetch_optional(conn)
    .await
}

/// A listing the clock retired.
#[derive(Debug, Clone, FromRow)]
pub struct RetiredListing {
    pub id: Uuid,
    pub slug: String,
    pub previous_status: String,
    pub retirement_date: Option<NaiveDate>,
    pub successor_id: Option<Uuid>,
    pub row_version: i64,
}

/// The UTC day, as retirement dates are read.
const TODAY: &str = "(now() AT TIME ZONE 'UTC')::date";

/// Whether any listing's retirement date has come and it is not retired yet:
/// a read, so a tick with nothing due writes nothing (an empty UPDATE would
/// still fire the catalog's statement trigger and reload every server).
pub async fn retirement_due(conn: &mut PgConnection) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM models WHERE lifecycle_status <> 'retired' AND retirement_date <= {TODAY})"
    ))
    .fetch_one(conn)
    .await
}

/// Retires up to `limit` listings whose retirement date has come, claimed
/// with `SKIP LOCKED` so two servers never retire the same one.
pub async fn retire_due(conn: &mut PgConnection, limit: i64) -> Result<Vec<RetiredListing>, sqlx::Error> {
    sqlx::query_as(&format!(
        "WITH due AS (
             SELECT id, lifecycle_status AS previous_status FROM models
             WHERE lifecycle_status <> 'retired' AND retirement_date <= {TODAY}
             ORDER BY retirement_date, id LIMIT $1
             FOR UPDATE SKIP LOCKED)
         UPDATE models m SET lifecycle_status = 'retired', row_version = m.row_version + 1, updated_at = now()
         FROM due WHERE m.id = due.id
         RETURNING m.id, m.slug, due.previous_status, m.retirement_date, m.successor_id, m.row_version"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// The live (active or suspended) enablements of `models`, by tenant.
pub async fn live_enablements_of(
    conn: &mut PgConnection,
    models: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, Uuid)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tenant_id, model_id, id FROM enablements
         WHERE model_id = ANY ($1) AND status <> 'disabled' ORDER BY tenant_id, model_id, id",
    )
    .bind(models)
    .fetch_all(conn)
    .await
}
