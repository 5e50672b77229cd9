//! Maps the LiteLLM price feed (`model_prices_and_context_window.json`: one
//! entry per hosting-provider model id) into a [`CatalogBatch`].
//!
//! The feed lists *offers* (a model as sold by one provider, sometimes in one
//! region); the catalog lists *models* once, with every offer hanging off the
//! listing. So each feed key is parsed into (publisher, model name, placement,
//! operator), entries naming the same model are merged into one listing, and
//! every entry that cannot become an offer is reported in `rejected` with the
//! reason: no key silently disappears.
//!
//! The mapper is pure and deterministic: no clock, no I/O, and every choice
//! between competing entries is made by an explicit ranking, so the same feed
//! always yields the same batch whatever the JSON map's iteration order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use crate::domain::batch::{
    AliasRecord, CatalogBatch, LifecycleRecord, ModelRecord, OfferRecord, PriceRecord, ProvenanceRecord,
    PublisherRecord, Rejection,
};
use crate::domain::publishers::{find_publisher, publisher_for_model_name, publisher_for_org, KnownPublisher};
use crate::domain::regions::find_region;
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the feed must be a JSON object keyed by model id")]
    NotAnObject,
}

/// Maps the whole feed. Fails only when the document is not an object; every
/// problem with a single entry becomes a [`Rejection`] instead.
pub fn map_feed(feed: &Value) -> Result<CatalogBatch, FeedError> {
    Ok(map_entries(feed.as_object().ok_or(FeedError::NotAnObject)?))
}

/// Maps the feed's entries, keyed by model id.
pub fn map_entries(entries: &Map<String, Value>) -> CatalogBatch {
    let mut rejected = Vec::new();
    let mut parsed = Vec::new();
    for (key, value) in entries {
        match parse_entry(key, value) {
            Ok((entry, partial)) => {
                // Some supported_regions were unknown: the good ones become
                // offers, the unknown ones are still reported.
                if let Some(reason) = partial {
                    rejected.push(Rejection {
                        key: key.clone(),
                        reason,
                    });
                }
                parsed.push(entry);
            }
            Err(reason) => rejected.push(Rejection {
                key: key.clone(),
                reason,
            }),
        }
    }

    adopt_publishers(&mut parsed);
    let aliases = merge_spellings(&mut parsed);
    let survivors = choose_offers(&parsed, &mut rejected);
    assemble(&parsed, &survivors, aliases, rejected)
}

// The mapping, one concern a file: who runs each provider's offers
// (`hosts`), who made a model (`publishers`), what a key says (`keys`), what
// an entry says (`entries`) and costs (`prices`), which entry is kept for an
// offer (`offers`), one spelling per model (`spellings`), and the listings
// built from what survives (`listings`).
mod entries;
mod hosts;
mod keys;
mod listings;
mod offers;
mod prices;
mod publishers;
mod spellings;
#[cfg(test)]
mod tests;

use entries::*;
use hosts::*;
use keys::*;
use listings::*;
use offers::*;
use prices::*;
use publishers::*;
use spellings::*;
