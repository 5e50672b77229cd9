//! Reads everything the in-memory catalog snapshot is built from, in one
//! repeatable-read transaction so the snapshot is consistent with the version
//! it is labelled with.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::row_values::{CheckedColumns, RowValues};
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

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
/// (`db::models::ModelFields`) and what the database keeps about it. Its
/// vocabulary is parsed and its text is in the form the listing keeps, so
/// building the listing moves the text rather than copying it: a load then
/// never holds a listing's text twice.
#[derive(Debug, Clone)]
pub struct ModelRow {
    pub id: Uuid,
    pub slug: Box<str>,
    pub publisher_id: Uuid,
    pub name: Box<str>,
    pub family: Option<Box<str>>,
    pub version: Option<Box<str>>,
    pub description: Box<str>,
    pub task: Task,
    pub input_modalities: Box<[Modality]>,
    pub output_modalities: Box<[Modality]>,
    pub context_window: Option<i32>,
    pub max_output_tokens: Option<i32>,
    pub capabilities: Box<[Capability]>,
    pub license: SharedText,
    pub open_weights: bool,
    pub origin_country: Option<Box<str>>,
    pub lineage: Lineage,
    pub base_model_id: Option<Uuid>,
    pub model_card_url: Option<Box<str>>,
    pub weights_digest: Option<Box<str>>,
    pub release_date: Option<NaiveDate>,
    pub lifecycle_status: LifecycleStatus,
    pub deprecation_date: Option<NaiveDate>,
    pub retirement_date: Option<NaiveDate>,
    pub successor_id: Option<Uuid>,
    pub tags: Box<[SharedText]>,
    pub row_version: i64,
    pub updated_at: DateTime<Utc>,
}

const MODEL_COLUMNS: &str = "id, slug, publisher_id, name, family, version, description, task, input_modalities, \
     output_modalities, context_window, max_output_tokens, capabilities, license, open_weights, origin_country, \
     lineage, base_model_id, model_card_url, weights_digest, release_date, lifecycle_status, deprecation_date, \
     retirement_date, successor_id, tags, row_version, updated_at";

impl ModelRow {
    /// Decodes a row of [`MODEL_COLUMNS`], in their order.
    fn decode(row: RowValues<'_>, texts: &mut Interner) -> Result<Self, sqlx::Error> {
        let text = |index: usize| row.get::<&str>(index).map(Box::from);
        let optional = |index: usize| row.get::<Option<&str>>(index).map(|text| text.map(Box::from));
        Ok(ModelRow {
            id: row.get(0)?,
            slug: text(1)?,
            publisher_id: row.get(2)?,
            name: text(3)?,
            family: optional(4)?,
            version: optional(5)?,
            description: text(6)?,
            task: known(row, 7, Task::parse)?,
            input_modalities: known_all(row, 8, Modality::parse)?,
            output_modalities: known_all(row, 9, Modality::parse)?,
            context_window: row.get(10)?,
            max_output_tokens: row.get(11)?,
            capabilities: known_all(row, 12, Capability::parse)?,
            license: texts.text(row.get(13)?),
            open_weights: row.get(14)?,
            origin_country: optional(15)?,
            lineage: known(row, 16, Lineage::parse)?,
            base_model_id: row.get(17)?,
            model_card_url: optional(18)?,
            weights_digest: optional(19)?,
            release_date: row.get(20)?,
            lifecycle_status: known(row, 21, LifecycleStatus::parse)?,
            deprecation_date: row.get(22)?,
            retirement_date: row.get(23)?,
            successor_id: row.get(24)?,
            tags: row.get::<Vec<String>>(25)?.iter().map(|tag| texts.text(tag)).collect(),
            row_version: row.get(26)?,
            updated_at: row.get(27)?,
        })
    }
}

/// An offer as the snapshot reads it: its vocabulary parsed and its repeated
/// text (region, operator, country) shared, so the rows of a bulk read hold
/// no text of their own. At 100,000 listings a load reads 260,000 offers and
/// twice as many prices; read as a string per column they took more memory
/// than the snapshot built from them.
#[derive(Debug, Clone)]
pub struct OfferRow {
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: SharedText,
    pub deployment_type: DeploymentType,
    pub processing_scope: ProcessingScope,
    pub operator_name: SharedText,
    pub operator_country: Option<SharedText>,
    pub status: OfferStatus,
    pub row_version: i64,
}

const OFFER_COLUMNS: &str = "id, model_id, region_code, deployment_type, processing_scope, operator_name, \
                             operator_country, status, row_version";

impl OfferRow {
    /// Decodes a row of [`OFFER_COLUMNS`], in their order.
    fn decode(row: RowValues<'_>, texts: &mut Interner) -> Result<Self, sqlx::Error> {
        Ok(OfferRow {
            id: row.get(0)?,
            model_id: row.get(1)?,
            region_code: texts.text(row.get(2)?),
            deployment_type: known(row, 3, DeploymentType::parse)?,
            processing_scope: known(row, 4, ProcessingScope::parse)?,
            operator_name: texts.text(row.get(5)?),
            operator_country: row.get::<Option<&str>>(6)?.map(|country| texts.text(country)),
            status: known(row, 7, OfferStatus::parse)?,
            row_version: row.get(8)?,
        })
    }
}

/// A current or future price period as the snapshot reads it (see
/// [`OfferRow`]).
#[derive(Debug, Clone)]
pub struct PeriodRow {
    pub offer_id: Uuid,
    pub dimension: PriceDimension,
    pub unit: PriceUnit,
    pub amount: Decimal,
    pub currency: SharedText,
    pub tier_min_context_tokens: Option<i32>,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
}

const PERIOD_COLUMNS: &str = "p.offer_id, p.dimension, p.unit, p.amount, p.currency, p.tier_min_context_tokens, \
                              p.effective_from, p.effective_to";

impl PeriodRow {
    /// Decodes a row of [`PERIOD_COLUMNS`], in their order.
    fn decode(row: RowValues<'_>, texts: &mut Interner) -> Result<Self, sqlx::Error> {
        Ok(PeriodRow {
            offer_id: row.get(0)?,
            dimension: known(row, 1, PriceDimension::parse)?,
            unit: known(row, 2, PriceUnit::parse)?,
            amount: row.get(3)?,
            currency: texts.text(row.get(4)?),
            tier_min_context_tokens: row.get(5)?,
            effective_from: row.get(6)?,
            effective_to: row.get(7)?,
        })
    }
}

/// Column `index` of `row` as a value of a closed vocabulary. A value this
/// binary does not know (a newer schema, a hand edit) fails the read rather
/// than being guessed at.
fn known<T>(row: RowValues<'_>, index: usize, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parsed(row, index, row.get(index)?, parse)
}

/// Column `index` of `row`, an array, as values of a closed vocabulary.
fn known_all<T>(row: RowValues<'_>, index: usize, parse: fn(&str) -> Option<T>) -> Result<Box<[T]>, sqlx::Error> {
    row.get::<Vec<String>>(index)?
        .iter()
        .map(|text| parsed(row, index, text, parse))
        .collect()
}

fn parsed<T>(row: RowValues<'_>, index: usize, text: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    parse(text).ok_or_else(|| {
        row.undecodable(
            index,
            format!("{text:?} is not a value this version of modelmart knows").into(),
        )
    })
}

/// Text that repeats across the catalog, kept once and shared.
pub type SharedText = Arc<str>;

/// One shared copy of each distinct value seen.
#[derive(Default)]
pub struct Interner(HashSet<SharedText>);

impl Interner {
    pub fn text(&mut self, value: &str) -> SharedText {
        if let Some(existing) = self.0.get(value) {
            return existing.clone();
        }
        let text: SharedText = value.into();
        self.0.insert(text.clone());
        text
    }
}

/// Price periods as the price history reads them, in the words stored.
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
    pub prices: Vec<PeriodRow>,
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
    let mut texts = Interner::default();
    let sql = format!(
        "SELECT {MODEL_COLUMNS}
         FROM models
         WHERE id = ANY (ARRAY(SELECT model_id FROM model_lineage($1))
                         || ARRAY(SELECT successor_id FROM models WHERE id = $1 AND successor_id IS NOT NULL))
         {for_share}"
    );
    let models = decoded(
        &mut *conn,
        sqlx::query(&sql).bind(id),
        &mut texts,
        ModelRow::decode,
        Some,
    )
    .await?;
    let model_ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let aliases = sqlx::query_as("SELECT alias, model_id FROM model_aliases WHERE model_id = ANY($1)")
        .bind(&model_ids)
        .fetch_all(&mut *conn)
        .await?;
    let publisher_ids: Vec<Uuid> = models.iter().map(|m| m.publisher_id).collect();
    let publishers = sqlx::query_as("SELECT id, slug, name, country, website FROM publishers WHERE id = ANY($1)")
        .bind(&publisher_ids)
        .fetch_all(&mut *conn)
        .await?;
    let regions = sqlx::query_as("SELECT code, name, cloud, jurisdiction, geography FROM regions ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let sql = format!("SELECT {OFFER_COLUMNS} FROM offers WHERE model_id = $1 AND status <> 'withdrawn' {for_share}");
    let offers = decoded(
        &mut *conn,
        sqlx::query(&sql).bind(id),
        &mut texts,
        OfferRow::decode,
        Some,
    )
    .await?;
    let sql = format!(
        "SELECT {PERIOD_COLUMNS}
         FROM offer_prices p JOIN offers o ON o.id = p.offer_id
         WHERE o.model_id = $1 AND (p.effective_to IS NULL OR p.effective_to > now())"
    );
    let prices = decoded(
        &mut *conn,
        sqlx::query(&sql).bind(id),
        &mut texts,
        PeriodRow::decode,
        Some,
    )
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

/// What a bulk read does with each model row as it is decoded: `Some` keeps
/// it in [`CatalogRows::models`], `None` means the caller took it (a reload
/// that finds a row as its snapshot already holds it does not keep it).
pub type ModelRowHook<'h> = dyn FnMut(ModelRow) -> Option<ModelRow> + Send + 'h;

async fn read_models(conn: &mut sqlx::PgConnection, hook: &mut ModelRowHook<'_>) -> Result<ModelsSide, sqlx::Error> {
    let publishers = sqlx::query_as("SELECT id, slug, name, country, website FROM publishers")
        .fetch_all(&mut *conn)
        .await?;
    let regions = sqlx::query_as("SELECT code, name, cloud, jurisdiction, geography FROM regions ORDER BY code")
        .fetch_all(&mut *conn)
        .await?;
    let mut texts = Interner::default();
    let sql = format!("SELECT {MODEL_COLUMNS} FROM models");
    let models = decoded(conn, sqlx::query(&sql), &mut texts, ModelRow::decode, hook).await?;
    let aliases = sqlx::query_as("SELECT alias, model_id FROM model_aliases")
        .fetch_all(&mut *conn)
        .await?;
    Ok((publishers, regions, models, aliases))
}

/// The rows `query` returns on `conn` that `keep` gives back, each decoded
/// as it arrives: no row is held as text. Each column's type is checked
/// once for the result ([`RowValues`]).
async fn decoded<T>(
    conn: &mut sqlx::PgConnection,
    query: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    texts: &mut Interner,
    decode: fn(RowValues<'_>, &mut Interner) -> Result<T, sqlx::Error>,
    mut keep: impl FnMut(T) -> Option<T>,
) -> Result<Vec<T>, sqlx::Error> {
    let mut decoded = Vec::new();
    let checked = CheckedColumns::default();
    let mut rows = query.fetch(conn);
    while let Some(row) = rows.try_next().await? {
        decoded.extend(keep(decode(RowValues::new(&row, &checked), texts)?));
    }
    Ok(decoded)
}

/// The offers still offered.
async fn read_offers(conn: &mut sqlx::PgConnection) -> Result<Vec<OfferRow>, sqlx::Error> {
    let sql = format!("SELECT {OFFER_COLUMNS} FROM offers WHERE status <> 'withdrawn'");
    decoded(
        conn,
        sqlx::query(&sql),
        &mut Interner::default(),
        OfferRow::decode,
        Some,
    )
    .await
}

/// The prices current or still to come as of `read_at`, the reading
/// transaction's start.
async fn read_prices(conn: &mut sqlx::PgConnection, read_at: DateTime<Utc>) -> Result<Vec<PeriodRow>, sqlx::Error> {
    let sql =
        format!("SELECT {PERIOD_COLUMNS} FROM offer_prices p WHERE p.effective_to IS NULL OR p.effective_to > $1");
    decoded(
        conn,
        sqlx::query(&sql).bind(read_at),
        &mut Interner::default(),
        PeriodRow::decode,
        Some,
    )
    .await
}

/// A bulk-reading transaction in the snapshot `exported` by the reading
/// transaction, so it sees the same committed state.
async fn in_snapshot(pool: &PgPool, exported: &str) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    let mut tx = begin_bulk_read(pool).await?;
    // The snapshot id comes from the server; quoted as a literal all the same.
    sqlx::query(&format!("SET TRANSACTION SNAPSHOT '{}'", exported.replace('\'', "''")))
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// The offers and prices read in the snapshot `exported`: each on a
/// connection and a task of its own, so that their rows are decoded on
/// other threads too, not only read on other connections; with `apart`
/// false (a pool of two connections), both on one, one after the other.
async fn read_offers_and_prices_in_snapshot(
    pool: PgPool,
    exported: String,
    read_at: DateTime<Utc>,
    apart: bool,
) -> Result<(Vec<OfferRow>, Vec<PeriodRow>), sqlx::Error> {
    let prices = apart.then(|| {
        let (pool, exported) = (pool.clone(), exported.clone());
        tokio::spawn(async move { read_prices(&mut *in_snapshot(&pool, &exported).await?, read_at).await })
    });
    let mut tx = in_snapshot(&pool, &exported).await?;
    let offers = read_offers(&mut tx).await?;
    let prices = match prices {
        Some(task) => task
            .await
            .map_err(|error| sqlx::Error::Protocol(format!("reading prices: {error}")))??,
        None => read_prices(&mut tx, read_at).await?,
    };
    Ok((offers, prices))
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
    load_with(pool, &mut |row| Some(row)).await
}

/// [`load`], each model row passed through `hook` as it is decoded.
pub async fn load_with(pool: &PgPool, hook: &mut ModelRowHook<'_>) -> Result<CatalogRows, sqlx::Error> {
    let mut tx = begin_bulk_read(pool).await?;
    let (version, content_version, read_at): (i64, i64, DateTime<Utc>) =
        sqlx::query_as("SELECT version, content_version, now() FROM catalog_state")
            .fetch_one(&mut *tx)
            .await?;
    // Offers and prices (most of the rows) are read on connections of their
    // own while this one reads the listings: a start at 100,000 listings read
    // for 1.3 s one query after the other, and with offers and prices on one
    // second connection, the listings were read 0.2 s before the prices
    // (500,000 rows), with a core idle. The other transactions import this
    // one's snapshot, so all see the same committed state (a standby exports
    // snapshots too). A pool of one connection reads everything here, one
    // query after the other.
    let connections = pool.options().get_max_connections();
    let exported: Option<String> = if connections > 1 {
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
            let offers = tokio::spawn(read_offers_and_prices_in_snapshot(
                pool.clone(),
                snapshot,
                read_at,
                connections > 2,
            ));
            let models_side = read_models(&mut tx, hook).await?;
            let offers_side = offers
                .await
                .map_err(|error| sqlx::Error::Protocol(format!("reading offers: {error}")))??;
            (models_side, offers_side)
        }
        None => {
            let models_side = read_models(&mut tx, hook).await?;
            (
                models_side,
                (read_offers(&mut tx).await?, read_prices(&mut tx, read_at).await?),
            )
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
