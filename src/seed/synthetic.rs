//! Synthetic catalogs for scale tests: `modelmart seed --synthetic N`.
//!
//! Listings are variations of the demo catalog's, so publishers, tasks,
//! capabilities, licences, regions, deployment types and price levels keep
//! realistic proportions; each is tagged `synthetic` and named as such.
//! Deterministic for a given N.

use rust_decimal::Decimal;

use super::demo::demo_catalog;
use crate::domain::batch::{CatalogBatch, LifecycleRecord};
use crate::domain::vocab::LifecycleStatus;

/// A tiny deterministic generator (splitmix64), so catalogs repeat exactly
/// (and tests that want varied data get the same data every run).
pub(crate) struct Mix(pub(crate) u64);

impl Mix {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// `count` synthetic listings with their offers.
pub fn synthetic_catalog(count: usize) -> CatalogBatch {
    let demo = demo_catalog();
    let mut batch = CatalogBatch {
        publishers: demo.publishers.clone(),
        ..Default::default()
    };
    let mut offers_by_model: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (index, offer) in demo.offers.iter().enumerate() {
        offers_by_model
            .entry(offer.model_slug.as_str())
            .or_default()
            .push(index);
    }
    let mut mix = Mix(0x6d6f_6465_6c6d_6172);
    let today = chrono::Utc::now().date_naive();
    for n in 0..count {
        let base = &demo.models[n % demo.models.len()];
        let mut model = base.clone();
        let (publisher, name) = base.slug.split_once('/').unwrap_or(("synthetic", &base.slug));
        model.slug = format!("{publisher}/{name}-syn{n}");
        model.name = format!("{} (synthetic {n})", base.name);
        model.description = format!("Synthetic scale-test listing derived from {}.", base.slug);
        // Lineage references would point at listings of other variations.
        model.provenance.base_model_slug = None;
        model.lifecycle = LifecycleRecord {
            successor_slug: None,
            ..model.lifecycle.clone()
        };
        if model.lifecycle.status == LifecycleStatus::Retired {
            model.lifecycle.status = LifecycleStatus::Deprecated;
        }
        // A listing kept deprecated must not be due for retirement: the
        // scheduler would retire thousands of them, 500 a pass, each pass a
        // full catalog reload, while a benchmark measures.
        if model.lifecycle.retirement_date.is_some_and(|date| date <= today) {
            model.lifecycle.retirement_date = None;
        }
        if !model.tags.iter().any(|t| t == "synthetic") && model.tags.len() < 32 {
            model.tags.push("synthetic".into());
        }
        for &offer_index in offers_by_model.get(base.slug.as_str()).into_iter().flatten() {
            let mut offer = demo.offers[offer_index].clone();
            offer.model_slug = model.slug.clone();
            // Prices vary by up to ±20 % so sorting by price has work to do.
            let factor = Decimal::new(80 + (mix.next() % 41) as i64, 2);
            for price in &mut offer.prices {
                price.amount = (price.amount * factor).round_dp(6).normalize();
            }
            offer.source_key = None;
            batch.offers.push(offer);
        }
        batch.models.push(model);
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synthetic_catalog_has_the_asked_size_unique_slugs_and_repeats_exactly() {
        let one = synthetic_catalog(3_000);
        assert_eq!(one.models.len(), 3_000);
        let mut slugs: Vec<_> = one.models.iter().map(|m| m.slug.as_str()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), 3_000);
        assert!(one.offers.len() > 3_000);
        assert_eq!(one, synthetic_catalog(3_000));
    }

    #[test]
    fn no_synthetic_listing_is_retired_or_due_for_retirement() {
        let today = chrono::Utc::now().date_naive();
        let catalog = synthetic_catalog(3_000);
        assert!(catalog
            .models
            .iter()
            .any(|m| m.lifecycle.status == LifecycleStatus::Deprecated));
        for model in &catalog.models {
            assert_ne!(model.lifecycle.status, LifecycleStatus::Retired, "{}", model.slug);
            assert!(
                model.lifecycle.retirement_date.is_none_or(|date| date > today),
                "{} is due for retirement",
                model.slug
            );
        }
    }
}
