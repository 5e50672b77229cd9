//! Catalog imports: a feed format is mapped to a [`CatalogBatch`] by a pure
//! mapper, then reconciled with the database by the one catalog writer.
//!
//! Imports are per source (the format names it). The entries a source sent
//! that became offers are kept (`db::import_entries`); a partial import
//! merges its entries into them and maps the union, so a listing offered by
//! sixteen hosts is still described from all sixteen when one of them is
//! re-imported. A full import is the source's whole catalog: its offers the
//! feed no longer carries are withdrawn. Either way an entry the import
//! rejects does not take away what the source had: its previous version
//! stays in force.

pub mod litellm;

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value};
use sqlx::PgPool;
use utoipa::ToSchema;

use crate::db::catalog_write::{self, ApplyOutcome, ChangeCounts, Missing};
use crate::db::import_entries::{self, StoredEntries};
use crate::domain::actor::Actor;
use crate::domain::batch::CatalogBatch;
use crate::domain::vocab::DeploymentType;

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

/// Whether a feed is everything its source offers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// The feed is the source's whole catalog: the source's offers it no
    /// longer carries are withdrawn.
    #[default]
    Full,
    /// The feed adds or updates some of the source's entries: nothing is
    /// withdrawn, and listings are described from every entry the source
    /// has sent, not only these.
    Partial,
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
    pub mode: ImportMode,
    /// Entries in the feed.
    pub entries: usize,
    pub publishers: ChangeCounts,
    pub listings: ChangeCounts,
    pub offers: ChangeCounts,
    /// Offers whose prices changed (the old period closed, a new one opened).
    pub price_changes: u64,
    /// Listings the source's entries describe.
    pub listings_described: usize,
    /// Other spellings of listings' slugs that differ only in punctuation
    /// (`qwen2.5`/`qwen25`): merged into one listing, each kept as an alias
    /// that resolves to it.
    pub aliases: usize,
    /// The source's offers a full import no longer carries, now withdrawn
    /// (kept with their price history; an `offer.withdrawn` event says so).
    pub offers_withdrawn: u64,
    /// Offers the feed names that another source (staff, a seed) owns:
    /// left as they are.
    pub offers_owned_elsewhere: u64,
    /// Managed offers the feed gives no price for: imported with the price
    /// unknown (never as free), left out of price sorts and estimates.
    pub offers_unpriced: usize,
    /// Local runtimes (Ollama, Lemonade, ...) imported as `self_hosted`.
    pub offers_self_hosted: usize,
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
    let feed = parse(format, bytes)?;
    Ok((feed.len(), map_entries(format, &feed)?))
}

/// The feed document's entries by key.
fn parse(format: FeedFormat, bytes: &[u8]) -> Result<Map<String, Value>, ImportError> {
    let feed: Value = serde_json::from_slice(bytes).map_err(ImportError::InvalidJson)?;
    match (format, feed) {
        (FeedFormat::Litellm, Value::Object(entries)) => Ok(entries),
        (FeedFormat::Litellm, _) => Err(litellm::FeedError::NotAnObject.into()),
    }
}

fn map_entries(format: FeedFormat, entries: &Map<String, Value>) -> Result<CatalogBatch, ImportError> {
    let batch = match format {
        FeedFormat::Litellm => litellm::map_entries(entries),
    };
    // A row the schema would refuse is dropped and reported here, so the
    // write never meets a constraint and one bad row never aborts the rest.
    Ok(batch.without_invalid())
}

/// What an import will write, worked out from the feed and what the source
/// sent before, without touching the database.
#[derive(Debug)]
struct Plan {
    /// The source's catalog as it will stand.
    batch: CatalogBatch,
    /// Every entry `batch` was mapped from, as stored text.
    entries: StoredEntries,
    /// Feed keys the import rejected: their offers are not withdrawn.
    rejected_keys: BTreeSet<String>,
}

fn plan(
    format: FeedFormat,
    feed: &Map<String, Value>,
    stored: &StoredEntries,
    mode: ImportMode,
) -> Result<Plan, ImportError> {
    // Stored entries were written from parsed JSON, so they parse; one that
    // somehow does not is treated as never sent.
    let previous: Map<String, Value> = stored
        .iter()
        .filter_map(|(key, text)| Some((key.clone(), serde_json::from_str(text).ok()?)))
        .collect();
    let mut entries = match mode {
        ImportMode::Partial => previous.clone(),
        ImportMode::Full => Map::new(),
    };
    entries.extend(feed.iter().map(|(key, value)| (key.clone(), value.clone())));
    let mapped = map_entries(format, &entries)?;

    // An entry of this feed rejected outright, whose previous version the
    // source had: that version stays in force.
    let offered: BTreeSet<&str> = mapped.offers.iter().filter_map(|o| o.source_key.as_deref()).collect();
    let restored: BTreeSet<String> = mapped
        .rejected
        .iter()
        .map(|r| r.key.clone())
        .filter(|key| feed.contains_key(key) && !offered.contains(key.as_str()) && previous.contains_key(key))
        .collect();
    let mut rejected = mapped.rejected.clone();
    let mut batch = if restored.is_empty() {
        mapped
    } else {
        for key in &restored {
            entries.insert(key.clone(), previous[key].clone());
        }
        map_entries(format, &entries)?
    };
    // The rejections are the feed's own: those of entries the source sent
    // before and this feed did not mention are not this import's news.
    rejected.retain(|r| feed.contains_key(&r.key));
    for rejection in &mut rejected {
        if restored.contains(&rejection.key) {
            rejection
                .reason
                .push_str("; the entry's previous version stays in force");
        }
    }
    batch.rejected = rejected;
    let rejected_keys = batch.rejected.iter().map(|r| r.key.clone()).collect();
    let entries = entries
        .into_iter()
        .map(|(key, value)| (key, value.to_string()))
        .collect();
    Ok(Plan {
        batch,
        entries,
        rejected_keys,
    })
}

/// Imports a feed in one transaction.
pub async fn import(
    pool: &PgPool,
    format: FeedFormat,
    mode: ImportMode,
    bytes: &[u8],
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let feed = parse(format, bytes)?;
    let source = format.as_str();
    let mut tx = pool.begin().await?;
    // Taken before the source's entries are read, so two imports of one
    // source never merge into the same stale copy.
    catalog_write::lock_writer(&mut tx).await?;
    let stored = import_entries::load(&mut tx, source).await?;
    let Plan {
        mut batch,
        entries,
        rejected_keys,
    } = plan(format, &feed, &stored, mode)?;
    let missing = match mode {
        ImportMode::Full => Missing::Withdraw {
            except_keys: &rejected_keys,
        },
        ImportMode::Partial => Missing::Keep,
    };
    let (outcome, refused) = catalog_write::apply_isolating_refusals(&mut tx, &batch, actor, source, missing).await?;
    // Kept: the entries that became offers the database took.
    let refused_keys: BTreeSet<&str> = refused.iter().map(|r| r.key.as_str()).collect();
    let written: BTreeSet<&str> = batch
        .offers
        .iter()
        .filter_map(|o| o.source_key.as_deref())
        .filter(|key| !refused_keys.contains(key))
        .collect();
    let kept: StoredEntries = entries
        .into_iter()
        .filter(|(key, _)| written.contains(key.as_str()))
        .collect();
    import_entries::save(&mut tx, source, &stored, &kept, mode == ImportMode::Full).await?;
    tx.commit().await?;
    batch.rejected.extend(refused);
    Ok(report(format, mode, feed.len(), outcome, batch))
}

fn report(
    format: FeedFormat,
    mode: ImportMode,
    entries: usize,
    outcome: ApplyOutcome,
    batch: CatalogBatch,
) -> ImportReport {
    let self_hosted = |o: &&crate::domain::batch::OfferRecord| o.deployment_type == DeploymentType::SelfHosted;
    ImportReport {
        format,
        mode,
        entries,
        publishers: outcome.publishers,
        listings: outcome.listings,
        offers: outcome.offers,
        price_changes: outcome.price_changes,
        listings_described: batch.models.len(),
        aliases: batch.aliases.len(),
        offers_withdrawn: outcome.offers_withdrawn,
        offers_owned_elsewhere: outcome.offers_owned_elsewhere,
        offers_unpriced: batch
            .offers
            .iter()
            .filter(|o| !self_hosted(o) && o.prices.is_empty())
            .count(),
        offers_self_hosted: batch.offers.iter().filter(self_hosted).count(),
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
        report(
            FeedFormat::Litellm,
            ImportMode::Full,
            entries,
            ApplyOutcome::default(),
            batch,
        )
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
