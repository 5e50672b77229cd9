//! Reads everything the in-memory catalog snapshot is built from, in one
//! repeatable-read transaction so the snapshot is consistent with the version
//! it is labelled with.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct PublisherRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub country: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub cloud: String,
    pub jurisdiction: Option<String>,
    pub geography: String,
}

/// A listing as the snapshot reads it: its writable columns
/// (`db::models::ModelFields`) and what the database keeps about it.
#[derive(Debug, Clone, FromRow)]
pub struct ModelRow {
    pub id: Uuid,
    pub row_version: i64,
    pub updated_at: DateTime<Utc>,
    #[sqlx(flatten)]
    pub fields: super::models::ModelFields,
}

#[derive(Debug, Clone, FromRow)]
pub struct OfferRow {
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: String,
    pub deployment_type: String,
    pub processing_scope: String,
    pub operator_name: String,
    pub operator_country: Option<String>,
    pub status: String,
    pub row_version: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct PriceRow {
    pub offer_id: Uuid,
    pub dimension: String,
    pub unit: String,
    pub amount: Decimal,
    pub currency: String,
    pub tier_min_context_tokens: Option<i32>,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
}

/// What one unit of a currency is worth in USD.
#[derive(Debug, Clone, FromRow)]
pub struct RateRow {
    pub currency: String,
    pub usd_per_unit: Decimal,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

const RATES: &str = "SELECT currency, usd_per_unit, updated_at, updated_by FROM currency_rates ORDER BY currency";

/// The raw material of one snapshot.
#[derive(Debug, Default)]
pub struct CatalogRows {
    pub version: i64,
    /// The version at which the catalog's content (not its rules) last
    /// changed.
    pub content_version: i64,
    pub read_at: Option<DateTime<Utc>>,
    pub publishers: Vec<PublisherRow>,
    pub regions: Vec<RegionRow>,
    pub models: Vec<ModelRow>,
    /// Other spellings of the models' slugs: (alias, model id).
    pub aliases: Vec<(String, Uuid)>,
    pub offers: Vec<OfferRow>,
    /// Current and future price periods (history is read on demand).
    pub prices: Vec<PriceRow>,
    /// The USD rates other currencies are converted at.
    pub rates: Vec<RateRow>,
    pub policies: Vec<super::policies::PolicyRow>,
    /// The holds in effect when the rows were read.
    pub holds: Vec<super::holds::HoldRow>,
}

/// The rules in force: tenant policies and the holds in effect, read
/// together with the versions they belong to.
#[derive(Debug, Default)]
pub struct RuleRows {
    pub version: i64,
    pub content_version: i64,
    pub policies: Vec<super::policies::PolicyRow>,
    pub holds: Vec<super::holds::HoldRow>,
}

/// The catalog version and the version its content last changed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct Versions {
    pub version: i64,
    pub content_version: i64,
}

/// Whether [`load_listing`] share-locks what it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// A plain read.
    None,
    /// `FOR SHARE` on the listing, its lineage and its offers, so a
    /// concurrent change to them waits for the caller's decision to commit.
    Share,
}

/// One listing with what its view and its decisions need (its lineage to
/// the original, its successor, their publishers, its offers and prices),
/// read on `conn`, so a write can decide on and answer with the snapshot's
/// own conversion inside its transaction.
pub async fn load_listing(conn: &mut sqlx::PgConnection, id: Uuid, lock: Lock) -> Result<CatalogRows, sqlx::Error> {
    let for_share = match lock {
        Lock::None => "",
        Lock::Share => "FOR SHARE",
    };
    let (version, content_version, read_at): (i64, i64, DateTime<Utc>) =
        sqlx::query_as("SELECT version, content_version, now() FROM catalog_state")
            .fetch_one(&mut *conn)
            .await?;
    let models: Vec<ModelRow> = sqlx::query_as(&format!(
        "SELECT id, slug, publisher_id, name, family, version, description, task, input_modalities,
                output_modalities, context_window, max_output_tokens, capabilities, license, open_weights,
                origin_country, lineage, base_model_id, model_card_url, weights_digest, release_date,
                lifecycle_status, deprecation_date, retirement_date, successor_id, tags, row_version, updated_at
         FROM models
         WHERE id = ANY (ARRAY(SELECT model_id FROM model_lineage($1))
                         || ARRAY(SELECT successor_id FROM models WHERE id = $1 AND successor_id IS NOT NULL))
         {for_share}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let model_ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let aliases = sqlx::query_as("SELECT alias, model_id FROM model_aliases WHERE model_id = ANY($1)")
        .bind(&model_ids)
        .fetch_all(&mut *conn)
        .await?;
    let publisher_ids: Vec<Uuid> = models.iter().map(|m| m.fields.publisher_id).collect();
    let publishers = sqlx::query_as("SELECT id, slug, name, country, website FROM publishers WHERE id = ANY($1)")
        .bind(&publisher_ids)
        .fetch_all(&mut *conn)
        .await?;
    let regions = sqlx::query_as("SELECT code, name, cloud, jurisdiction, geography FROM regions ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let offers = sqlx::query_as(&format!(
        "SELECT id, model_id, region_code, deployment_type, processing_scope, operator_name, operator_country,
                status, row_version
         FROM offers WHERE model_id = $1 AND status <> 'withdrawn' {for_share}"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let prices = sqlx::query_as(
        "SELECT p.offer_id, p.dimension, p.unit, p.amount, p.currency, p.tier_min_context_tokens,
                p.effective_from, p.effective_to
         FROM offer_prices p JOIN offers o ON o.id = p.offer_id
         WHERE o.model_id = $1 AND (p.effective_to IS NULL OR p.effective_to > now())",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let rates = sqlx::query_as(RATES).fetch_all(&mut *conn).await?;
    Ok(CatalogRows {
        version,
        content_version,
        read_at: Some(read_at),
        publishers,
        regions,
        models,
        aliases,
        offers,
        prices,
        rates,
        policies: Vec::new(),
        holds: Vec::new(),
    })
}

/// A read-only, repeatable-read transaction for reading the whole catalog.
/// It lifts the pool's statement timeout (10 s by default, meant for
/// requests): reading a million listings takes one statement 7 s on an idle
/// machine, and more while the machine is busy, and a timed-out read left a
/// starting server without a catalog. The bound that remains is generous,
/// so a read stuck behind a lock still ends.
async fn begin_bulk_read(pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    sqlx::query("SET LOCAL statement_timeout = '10min'")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

type ModelsSide = (Vec<PublisherRow>, Vec<RegionRow>, Vec<ModelRow>, Vec<(String, Uuid)>);

async fn read_models(conn: &mut sqlx::PgConnection) -> Result<ModelsSide, sqlx::Error> {
    let publishers = sqlx::query_as("SELECT id, slug, name, country, website FROM publishers")
        .fetch_all(&mut *conn)
        .await?;
    let regions = sqlx::query_as("SELECT code, name, cloud, jurisdiction, geography FROM regions ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let models = sqlx::query_as(
        "SELECT id, slug, publisher_id, name, family, version, description, task, input_modalities,
                output_modalities, context_window, max_output_tokens, capabilities, license, open_weights,
                origin_country, lineage, base_model_id, model_card_url, weights_digest, release_date,
                lifecycle_status, deprecation_date, retirement_date, successor_id, tags, row_version, updated_at
         FROM models",
    )
    .fetch_all(&mut *conn)
    .await?;
    let aliases = sqlx::query_as("SELECT alias, model_id FROM model_aliases")
        .fetch_all(&mut *conn)
        .await?;
    Ok((publishers, regions, models, aliases))
}

/// The offers still offered, and their current and future prices (as of
/// `read_at`, the reading transaction's start).
async fn read_offers(
    conn: &mut sqlx::PgConnection,
    read_at: DateTime<Utc>,
) -> Result<(Vec<OfferRow>, Vec<PriceRow>), sqlx::Error> {
    let offers = sqlx::query_as(
        "SELECT id, model_id, region_code, deployment_type, processing_scope, operator_name, operator_country,
                status, row_version
         FROM offers WHERE status <> 'withdrawn'",
    )
    .fetch_all(&mut *conn)
    .await?;
    let prices = sqlx::query_as(
        "SELECT offer_id, dimension, unit, amount, currency, tier_min_context_tokens, effective_from, effective_to
         FROM offer_prices WHERE effective_to IS NULL OR effective_to > $1",
    )
    .bind(read_at)
    .fetch_all(&mut *conn)
    .await?;
    Ok((offers, prices))
}

/// [`read_offers`] on another connection, in the snapshot `exported` by
/// the reading transaction.
async fn read_offers_in_snapshot(
    pool: &PgPool,
    exported: &str,
    read_at: DateTime<Utc>,
) -> Result<(Vec<OfferRow>, Vec<PriceRow>), sqlx::Error> {
    let mut tx = begin_bulk_read(pool).await?;
    // The snapshot id comes from the server; quoted as a literal all the same.
    sqlx::query(&format!("SET TRANSACTION SNAPSHOT '{}'", exported.replace('\'', "''")))
        .execute(&mut *tx)
        .await?;
    let rows = read_offers(&mut tx, read_at).await?;
    tx.commit().await?;
    Ok(rows)
}

pub async fn current_versions(pool: &PgPool) -> Result<Versions, sqlx::Error> {
    sqlx::query_as("SELECT version, content_version FROM catalog_state")
        .fetch_one(pool)
        .await
}

/// Reads only the rules, for a change to holds or policies: a few rows
/// where a full load reads the whole catalog.
pub async fn load_rules(pool: &PgPool) -> Result<RuleRows, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .execute(&mut *tx)
        .await?;
    let versions: Versions = sqlx::query_as("SELECT version, content_version FROM catalog_state")
        .fetch_one(&mut *tx)
        .await?;
    let policies = super::policies::all(&mut tx).await?;
    let holds = super::holds::effective(&mut tx).await?;
    tx.commit().await?;
    Ok(RuleRows {
        version: versions.version,
        content_version: versions.content_version,
        policies,
        holds,
    })
}

pub async fn load(pool: &PgPool) -> Result<CatalogRows, sqlx::Error> {
    let mut tx = begin_bulk_read(pool).await?;
    let (version, content_version, read_at): (i64, i64, DateTime<Utc>) =
        sqlx::query_as("SELECT version, content_version, now() FROM catalog_state")
            .fetch_one(&mut *tx)
            .await?;
    // Offers and prices (most of the rows) are read on a second connection
    // while this one reads the listings: a start at 100,000 listings read
    // for 1.3 s one query after the other. The second transaction imports
    // this one's snapshot, so both see the same committed state (a standby
    // exports snapshots too). A pool of one connection reads everything
    // here, one query after the other.
    let exported: Option<String> = if pool.options().get_max_connections() > 1 {
        Some(
            sqlx::query_scalar("SELECT pg_export_snapshot()")
                .fetch_one(&mut *tx)
                .await?,
        )
    } else {
        None
    };
    let (models_side, offers_side) = match exported {
        Some(snapshot) => {
            // A task of its own, so the rows are decoded on another thread
            // too, not only read on another connection.
            let offers = tokio::spawn({
                let pool = pool.clone();
                async move { read_offers_in_snapshot(&pool, &snapshot, read_at).await }
            });
            let models_side = read_models(&mut tx).await?;
            let offers_side = offers
                .await
                .map_err(|error| sqlx::Error::Protocol(format!("reading offers: {error}")))??;
            (models_side, offers_side)
        }
        None => {
            let models_side = read_models(&mut tx).await?;
            (models_side, read_offers(&mut tx, read_at).await?)
        }
    };
    let (publishers, regions, models, aliases) = models_side;
    let (offers, prices) = offers_side;
    let rates = sqlx::query_as(RATES).fetch_all(&mut *tx).await?;
    let policies = super::policies::all(&mut tx).await?;
    let holds = super::holds::effective(&mut tx).await?;
    tx.commit().await?;
    Ok(CatalogRows {
        version,
        content_version,
        read_at: Some(read_at),
        publishers,
        regions,
        models,
        aliases,
        offers,
        prices,
        rates,
        policies,
        holds,
    })
}
