//! Catalog imports: a feed format is mapped to a [`CatalogBatch`] by a pure
//! mapper, then reconciled with the database by the one catalog writer.

pub mod litellm;

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db::catalog_write::{self, Actor, ApplyOutcome, ChangeCounts};
use crate::domain::batch::CatalogBatch;

/// Feed formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// The LiteLLM model price and context window JSON.
    Litellm,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the feed is not valid JSON: {0}")]
    InvalidJson(serde_json::Error),
    #[error(transparent)]
    Feed(#[from] litellm::FeedError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// An entry of the feed that was not imported, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RejectedEntry {
    #[schema(example = "sample_spec")]
    pub key: String,
    #[schema(example = "schema description, not a model")]
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub format: FeedFormat,
    /// Entries in the feed.
    pub entries: usize,
    pub publishers: ChangeCounts,
    pub listings: ChangeCounts,
    pub offers: ChangeCounts,
    /// Offers whose prices changed (the old period closed, a new one opened).
    pub price_changes: u64,
    /// How many entries were rejected; each is listed in `rejections`.
    pub rejected: usize,
    pub rejections: Vec<RejectedEntry>,
}

/// Parses `bytes` as `format` without touching the database.
pub fn map(format: FeedFormat, bytes: &[u8]) -> Result<(usize, CatalogBatch), ImportError> {
    let feed: serde_json::Value = serde_json::from_slice(bytes).map_err(ImportError::InvalidJson)?;
    let entries = feed.as_object().map_or(0, |o| o.len());
    let batch = match format {
        FeedFormat::Litellm => litellm::map_feed(&feed)?,
    };
    Ok((entries, batch))
}

/// Imports a feed in one transaction.
pub async fn import(
    pool: &PgPool,
    format: FeedFormat,
    bytes: &[u8],
    actor: &Actor<'_>,
) -> Result<ImportReport, ImportError> {
    let (entries, batch) = map(format, bytes)?;
    let mut tx = pool.begin().await?;
    let outcome = catalog_write::apply(&mut tx, &batch, actor).await?;
    tx.commit().await?;
    Ok(report(format, entries, outcome, batch))
}

fn report(format: FeedFormat, entries: usize, outcome: ApplyOutcome, batch: CatalogBatch) -> ImportReport {
    ImportReport {
        format,
        entries,
        publishers: outcome.publishers,
        listings: outcome.listings,
        offers: outcome.offers,
        price_changes: outcome.price_changes,
        rejected: batch.rejected.len(),
        rejections: batch
            .rejected
            .into_iter()
            .map(|r| RejectedEntry {
                key: r.key,
                reason: r.reason,
            })
            .collect(),
    }
}
