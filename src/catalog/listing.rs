//! A listing as the snapshot holds it: the model with its publisher,
//! lineage, offers and price periods, and what the decision function reads
//! of them.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::domain::decision::{ListingFacts, OfferFacts};
use crate::domain::hold::{Ancestor, Operator, Placement};
use crate::domain::vocab::{
    Capability, Cloud, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

#[derive(Debug, Clone, PartialEq)]
pub struct Publisher {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub country: Option<String>,
    pub website: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub cloud: Cloud,
    pub jurisdiction: Option<String>,
    pub geography: String,
}

/// Another listing, by id and slug.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRef {
    pub id: Uuid,
    pub slug: Box<str>,
}

/// A listing as the snapshot serves it. Built once and never grown, so its
/// lists are boxed slices and its text boxed strings: the snapshot holds
/// every listing in one allocation, and a word saved here is 8 MB at a
/// million listings.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub id: Uuid,
    pub slug: Box<str>,
    /// Other spellings of `slug` that resolve to this listing, sorted.
    pub aliases: Box<[String]>,
    pub name: Box<str>,
    pub publisher: Arc<Publisher>,
    pub family: Option<Box<str>>,
    pub version: Option<Box<str>>,
    pub description: Box<str>,
    pub task: Task,
    pub input_modalities: Box<[Modality]>,
    pub output_modalities: Box<[Modality]>,
    pub capabilities: Box<[Capability]>,
    pub context_window: Option<i32>,
    pub max_output_tokens: Option<i32>,
    /// Shared: a catalog names a few dozen licences.
    pub license: SharedText,
    pub open_weights: bool,
    pub origin_country: Option<Box<str>>,
    pub lineage: Lineage,
    pub base_model: Option<ModelRef>,
    /// What it derives from through `base_model`, nearest first, each once
    /// (a cycle in the data ends the walk).
    pub ancestors: Box<[Ancestor]>,
    pub model_card_url: Option<Box<str>>,
    pub weights_digest: Option<Box<str>>,
    pub release_date: Option<NaiveDate>,
    pub lifecycle: LifecycleStatus,
    pub deprecation_date: Option<NaiveDate>,
    pub retirement_date: Option<NaiveDate>,
    pub successor: Option<ModelRef>,
    /// Shared: tags repeat across listings, and 100,000 listings carry
    /// over half a million of them.
    pub tags: Box<[SharedText]>,
    pub row_version: i64,
    pub updated_at: DateTime<Utc>,
    pub offers: Box<[Offer]>,
    /// Regions with at least one offer, sorted.
    pub regions: Box<[SharedText]>,
    /// Cheapest current base-tier USD price per 1M input / output tokens over
    /// the listing's usable offers; `None` when no offer quotes one.
    pub min_input_price: Option<Decimal>,
    pub min_output_price: Option<Decimal>,
    /// Currencies of usable offers' current token prices that were converted
    /// into USD at the catalog's rates, sorted.
    pub converted_from: Box<[String]>,
    /// Currencies of usable offers' current token prices the catalog has no
    /// rate for: those prices are not in the USD figures, sorted.
    pub not_converted: Box<[String]>,
}

/// Text that repeats across the catalog (a region code, an operator, a
/// currency): the snapshot keeps one copy of each value and every offer and
/// price shares it. At 100,000 listings that is 260,000 offers and twice as
/// many prices naming a few dozen distinct values.
pub type SharedText = Arc<str>;

#[derive(Debug, Clone, PartialEq)]
pub struct Offer {
    pub id: Uuid,
    pub region: SharedText,
    /// The region's jurisdiction.
    pub jurisdiction: Option<SharedText>,
    pub deployment_type: DeploymentType,
    pub processing_scope: ProcessingScope,
    pub operator_name: SharedText,
    pub operator_country: Option<SharedText>,
    pub status: OfferStatus,
    pub row_version: i64,
    /// Current and scheduled price periods.
    pub prices: Box<[PricePeriod]>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PricePeriod {
    pub dimension: PriceDimension,
    pub unit: PriceUnit,
    pub amount: Decimal,
    pub currency: SharedText,
    /// `amount` in USD: itself for USD, converted at the catalog's rate for
    /// another currency, `None` when the catalog has no rate for it.
    pub usd_amount: Option<Decimal>,
    pub tier_min_context_tokens: Option<i32>,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
}

/// USD per unit of each currency the catalog converts (`EUR` → 1.08).
pub type UsdRates = std::collections::HashMap<String, Decimal>;

/// `amount` of `currency` in USD at `rates`; `None` without a rate.
pub fn in_usd(amount: Decimal, currency: &str, rates: &UsdRates) -> Option<Decimal> {
    if currency == "USD" {
        return Some(amount);
    }
    // numeric(24, 12) holds every stored amount and rate; the product is
    // rounded to the same scale, and a product beyond it is no price.
    let usd = amount.checked_mul(*rates.get(currency)?)?;
    Some(usd.round_dp(12).normalize())
}

impl PricePeriod {
    /// A stored period; `None` for a value outside this binary's vocabulary.
    pub fn from_row(row: &crate::db::catalog_read::PriceRow, rates: &UsdRates) -> Option<Self> {
        Some(PricePeriod {
            dimension: PriceDimension::parse(&row.dimension)?,
            unit: PriceUnit::parse(&row.unit)?,
            amount: row.amount.normalize(),
            usd_amount: in_usd(row.amount.normalize(), &row.currency, rates),
            currency: row.currency.as_str().into(),
            tier_min_context_tokens: row.tier_min_context_tokens,
            effective_from: row.effective_from,
            effective_to: row.effective_to,
        })
    }

    pub fn is_in_effect(&self, at: DateTime<Utc>) -> bool {
        self.effective_from <= at && self.effective_to.is_none_or(|to| at < to)
    }
}

impl Listing {
    /// Where hold coverage looks: this listing served by `offer` (in its
    /// region), or the listing as a whole without one, for `tenant`.
    pub fn placement<'a>(&'a self, offer: Option<&'a Offer>, tenant: Uuid) -> Placement<'a> {
        Placement {
            model_id: self.id,
            publisher_id: self.publisher.id,
            origin_country: self.origin_country.as_deref(),
            ancestors: &self.ancestors,
            operator: offer.map(|o| Operator {
                name: &o.operator_name,
                country: o.operator_country.as_deref(),
            }),
            region: offer.map(|o| &*o.region),
            jurisdiction: offer.and_then(|o| o.jurisdiction.as_deref()),
            tenant,
        }
    }

    /// What the decision function reads of the listing.
    pub fn facts(&self) -> ListingFacts<'_> {
        ListingFacts {
            model_id: self.id,
            publisher_id: self.publisher.id,
            publisher_slug: &self.publisher.slug,
            origin_country: self.origin_country.as_deref(),
            ancestors: &self.ancestors,
            license: &self.license,
            lifecycle: self.lifecycle,
        }
    }
}

impl Offer {
    /// What the decision function reads of the offer, with prices at `at`.
    pub fn facts(&self, at: DateTime<Utc>) -> OfferFacts<'_> {
        OfferFacts {
            region: &self.region,
            jurisdiction: self.jurisdiction.as_deref(),
            deployment_type: self.deployment_type,
            operator_name: &self.operator_name,
            operator_country: self.operator_country.as_deref(),
            status: self.status,
            input_price: self.token_price(PriceDimension::InputTokens, at),
            output_price: self.token_price(PriceDimension::OutputTokens, at),
        }
    }

    /// The price components in effect at `at`.
    pub fn prices_at(&self, at: DateTime<Utc>) -> impl Iterator<Item = &PricePeriod> {
        self.prices.iter().filter(move |p| p.is_in_effect(at))
    }

    /// The base-tier price per 1M tokens of `dimension` in effect at `at`,
    /// in USD (converted at the catalog's rate when quoted in another
    /// currency; `None` when there is no rate for it).
    pub fn token_price(&self, dimension: PriceDimension, at: DateTime<Utc>) -> Option<Decimal> {
        self.base_token_period(dimension, at)?.usd_amount
    }

    /// The base-tier per-1M-token period of `dimension` in effect at `at`.
    pub fn base_token_period(&self, dimension: PriceDimension, at: DateTime<Utc>) -> Option<&PricePeriod> {
        self.prices_at(at).find(|p| {
            p.dimension == dimension && p.unit == PriceUnit::PerMillionTokens && p.tier_min_context_tokens.is_none()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The snapshot holds one `Listing` per listing in a single allocation:
    /// at 1,000,000 listings each byte of it is a megabyte of the process.
    #[test]
    fn a_listing_stays_within_its_memory_budget() {
        let size = std::mem::size_of::<Listing>();
        assert!(size <= 488, "Listing grew to {size} bytes");
    }
}
