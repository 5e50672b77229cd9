//! Catalog imports: a feed format is mapped to a [`CatalogBatch`] by a pure
//! mapper, then reconciled with the database by the one catalog writer.

pub mod litellm;

use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db::catalog_write::{self, ApplyOutcome, ChangeCounts};
use crate::domain::actor::Actor;
use crate::domain::batch::CatalogBatch;

/// Feed formats the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormat {
    /// The LiteLLM model price and context window JSON.
    Litellm,
}

impl FeedFormat {
    /// The source an import of this format is recorded under.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedFormat::Litellm => "litellm",
        }
    }
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
    /// How many entries were rejected.
    pub rejected: usize,
    /// The first rejections (at most 1,000; keys and reasons shortened to
    /// 200 and 500 characters), so a hostile feed cannot make the report
    /// as large as itself.
    pub rejections: Vec<RejectedEntry>,
    /// Rejections counted in `rejected` but not listed.
    pub rejections_omitted: usize,
}

/// At most this many rejections are listed in a report.
pub const MAX_LISTED_REJECTIONS: usize = 1_000;
const MAX_KEY_CHARS: usize = 200;
const MAX_REASON_CHARS: usize = 500;

/// `text` cut to `limit` characters, marked with an ellipsis when cut.
fn shortened(text: String, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        None => text,
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// Parses `bytes` as `format` without touching the database.
pub fn map(format: FeedFormat, bytes: &[u8]) -> Result<(usize, CatalogBatch), ImportError> {
    let feed: serde_json::Value = serde_json::from_slice(bytes).map_err(ImportError::InvalidJson)?;
    let entries = feed.as_object().map_or(0, |o| o.len());
    let batch = match format {
        FeedFormat::Litellm => litellm::map_feed(&feed)?,
    };
    // A row the schema would refuse is dropped and reported here, so the
    // write never meets a constraint and one bad row never aborts the rest.
    Ok((entries, batch.without_invalid()))
}

/// Imports a feed in one transaction.
pub async fn import(
    pool: &PgPool,
    format: FeedFormat,
    bytes: &[u8],
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let (entries, mut batch) = map(format, bytes)?;
    let mut tx = pool.begin().await?;
    let (outcome, refused) = catalog_write::apply_isolating_refusals(&mut tx, &batch, actor, format.as_str()).await?;
    tx.commit().await?;
    batch.rejected.extend(refused);
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
        rejections_omitted: batch.rejected.len().saturating_sub(MAX_LISTED_REJECTIONS),
        rejections: batch
            .rejected
            .into_iter()
            .take(MAX_LISTED_REJECTIONS)
            .map(|r| RejectedEntry {
                key: shortened(r.key, MAX_KEY_CHARS),
                reason: shortened(r.reason, MAX_REASON_CHARS),
            })
            .collect(),
    }
}

#[cfg(test)]
mod report_tests {
    use super::*;
    use proptest::prelude::*;

    fn report_of(feed: &serde_json::Value) -> ImportReport {
        let bytes = serde_json::to_vec(feed).unwrap();
        let (entries, batch) = map(FeedFormat::Litellm, &bytes).unwrap();
        report(FeedFormat::Litellm, entries, ApplyOutcome::default(), batch)
    }

    #[test]
    fn a_feed_of_junk_gets_a_report_of_bounded_size_that_still_counts_everything() {
        let feed: serde_json::Map<String, serde_json::Value> = (0..5_000)
            .map(|n| {
                (
                    format!("{n}-{}", "k".repeat(1_000)),
                    serde_json::json!({"mode": "x".repeat(2_000)}),
                )
            })
            .collect();
        let report = report_of(&serde_json::Value::Object(feed));
        assert_eq!(report.rejected, 5_000);
        assert_eq!(report.rejections.len(), MAX_LISTED_REJECTIONS);
        assert_eq!(report.rejections_omitted, 5_000 - MAX_LISTED_REJECTIONS);
        for rejection in &report.rejections {
            assert!(rejection.key.chars().count() <= MAX_KEY_CHARS + 1);
            assert!(rejection.reason.chars().count() <= MAX_REASON_CHARS + 1);
        }
        let size = serde_json::to_vec(&report).unwrap().len();
        assert!(size < 1_000_000, "report of {size} bytes");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_bytes_never_panic_the_importer(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
            let _ = map(FeedFormat::Litellm, &bytes);
        }

        #[test]
        fn any_feed_gets_a_report_no_larger_than_the_limits(
            keys in prop::collection::vec(".{0,400}", 0..50),
            mode in ".{0,900}",
        ) {
            let feed: serde_json::Map<String, serde_json::Value> =
                keys.into_iter().map(|k| (k, serde_json::json!({"mode": mode.clone()}))).collect();
            let report = report_of(&serde_json::Value::Object(feed));
            prop_assert!(report.rejections.len() <= MAX_LISTED_REJECTIONS);
            for rejection in &report.rejections {
                prop_assert!(rejection.key.chars().count() <= MAX_KEY_CHARS + 1);
                prop_assert!(rejection.reason.chars().count() <= MAX_REASON_CHARS + 1);
            }
        }
    }
}
