//! A catalog batch: what an import or the demo seed wants the catalog to hold.
//! Producers (the LiteLLM feed mapper, the demo seed, the synthetic generator)
//! build one of these as pure data; `db::catalog_write` reconciles it with the
//! database in one transaction, so every source of listings shares one writer.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogBatch {
    pub publishers: Vec<PublisherRecord>,
    pub models: Vec<ModelRecord>,
    pub offers: Vec<OfferRecord>,
    /// Other spellings of listings' slugs (`meta/llama3.1-8b` for
    /// `meta/llama-3.1-8b`): each resolves to its listing.
    pub aliases: Vec<AliasRecord>,
    /// Source entries that could not be turned into records, each with why.
    pub rejected: Vec<Rejection>,
}

/// A spelling of a listing's slug that resolves to the listing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AliasRecord {
    pub alias: String,
    pub model_slug: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PublisherRecord {
    /// Lowercase `[a-z0-9-]`, unique: `deepseek`, `meta`, `mistral-ai`.
    pub slug: String,
    pub name: String,
    /// ISO 3166-1 alpha-2 of the headquarters, when known.
    pub country: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    /// `publisher/name`, lowercase, unique across the catalog.
    pub slug: String,
    pub publisher_slug: String,
    /// Display name: `DeepSeek R1`.
    pub name: String,
    pub family: Option<String>,
    pub version: Option<String>,
    pub description: String,
    pub task: Task,
    pub input_modalities: Vec<Modality>,
    pub output_modalities: Vec<Modality>,
    pub context_window: Option<i32>,
    pub max_output_tokens: Option<i32>,
    pub capabilities: Vec<Capability>,
    /// An SPDX id (`MIT`, `Apache-2.0`) or a named proprietary licence
    /// (`proprietary`, `llama-3.1-community`).
    pub license: String,
    pub open_weights: bool,
    pub provenance: ProvenanceRecord,
    pub lifecycle: LifecycleRecord,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProvenanceRecord {
    /// Where the model was made (ISO 3166-1 alpha-2), when known.
    pub origin_country: Option<String>,
    pub lineage: Lineage,
    /// Slug of the model this one derives from, for non-original lineages.
    pub base_model_slug: Option<String>,
    pub model_card_url: Option<String>,
    pub weights_digest: Option<String>,
    pub release_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleRecord {
    pub status: LifecycleStatus,
    pub deprecation_date: Option<NaiveDate>,
    pub retirement_date: Option<NaiveDate>,
    /// Slug of the listing that replaces this one.
    pub successor_slug: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OfferRecord {
    pub model_slug: String,
    /// A code from `domain::regions::REGIONS`.
    pub region: String,
    pub deployment_type: DeploymentType,
    pub processing_scope: ProcessingScope,
    /// Who runs the offer (not who made the model).
    pub operator_name: String,
    /// ISO 3166-1 alpha-2 of the operator's headquarters, when known.
    pub operator_country: Option<String>,
    pub status: OfferStatus,
    pub prices: Vec<PriceRecord>,
    /// The source entry this offer came from (feed key), for traceability.
    pub source_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PriceRecord {
    pub dimension: PriceDimension,
    pub unit: PriceUnit,
    /// Exact decimal amount per `unit`, e.g. 0.55 USD per 1M input tokens.
    pub amount: Decimal,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
    /// Applies only above this many tokens of context ("above 200k"); `None`
    /// is the base tier.
    pub tier_min_context_tokens: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The source entry's key (feed key or seed name).
    pub key: String,
    pub reason: String,
}

impl CatalogBatch {
    /// The batch without the rows the schema would refuse: a publisher, a
    /// listing or an offer breaking a column rule (`domain::rules`) is
    /// dropped with what depends on it (a publisher's listings, a listing's
    /// offers), and each drop is reported in `rejected` under the source
    /// keys of the offers it took, with the rule broken. A link to a dropped
    /// listing (base model, successor) is cleared. What remains can be
    /// written whole.
    pub fn without_invalid(mut self) -> CatalogBatch {
        use super::rules::{check_model, check_offer, check_publisher};
        let bad_publishers: BTreeMap<String, String> = self
            .publishers
            .iter()
            .filter_map(|p| {
                let problems = check_publisher(p);
                (!problems.is_empty()).then(|| (p.slug.clone(), problems.summary()))
            })
            .collect();
        self.publishers.retain(|p| !bad_publishers.contains_key(&p.slug));
        let mut bad_models: BTreeMap<String, String> = BTreeMap::new();
        for model in &self.models {
            let problems = check_model(model);
            let reason = if let Some(why) = bad_publishers.get(&model.publisher_slug) {
                Some(format!("its publisher cannot be stored: {why}"))
            } else {
                (!problems.is_empty()).then(|| problems.summary())
            };
            if let Some(reason) = reason {
                bad_models.insert(model.slug.clone(), reason);
            }
        }
        let mut reported: BTreeSet<String> = BTreeSet::new();
        let mut kept_offers = Vec::with_capacity(self.offers.len());
        for offer in std::mem::take(&mut self.offers) {
            let reason = match bad_models.get(&offer.model_slug) {
                Some(why) => Some(format!("the listing {} cannot be stored: {why}", offer.model_slug)),
                None => {
                    let problems = check_offer(&offer);
                    (!problems.is_empty()).then(|| format!("the offer cannot be stored: {}", problems.summary()))
                }
            };
            match reason {
                Some(reason) => {
                    let key = offer.source_key.clone().unwrap_or_else(|| offer.model_slug.clone());
                    reported.insert(offer.model_slug.clone());
                    self.rejected.push(Rejection { key, reason });
                }
                None => kept_offers.push(offer),
            }
        }
        // A listing that had offers and lost them all is dropped too: it came
        // with them, and its rejections already say why.
        let still_offered: BTreeSet<&str> = kept_offers.iter().map(|o| o.model_slug.as_str()).collect();
        let emptied: Vec<String> = reported
            .iter()
            .filter(|slug| !still_offered.contains(slug.as_str()))
            .cloned()
            .collect();
        self.offers = kept_offers;
        for slug in emptied {
            bad_models.entry(slug).or_default();
        }
        for (slug, why) in &bad_models {
            if !reported.contains(slug) && !why.is_empty() {
                self.rejected.push(Rejection {
                    key: slug.clone(),
                    reason: format!("the listing cannot be stored: {why}"),
                });
            }
        }
        self.models.retain(|m| !bad_models.contains_key(&m.slug));
        // An alias is a convenience: one the schema would refuse, or of a
        // listing that is not written, is left out without a rejection (the
        // entries it came from are imported under the listing's own slug).
        self.aliases.retain(|a| {
            super::rules::is_model_slug(&a.alias) && a.alias != a.model_slug && !bad_models.contains_key(&a.model_slug)
        });
        for model in &mut self.models {
            if model
                .provenance
                .base_model_slug
                .as_ref()
                .is_some_and(|s| bad_models.contains_key(s))
            {
                model.provenance.base_model_slug = None;
            }
            if model
                .lifecycle
                .successor_slug
                .as_ref()
                .is_some_and(|s| bad_models.contains_key(s))
            {
                model.lifecycle.successor_slug = None;
            }
        }
        self
    }
}
