//! The project's own demo catalog, written here as pure data.
//!
//! It has two parts:
//!
//! * **Curated listings** (`curated()`): real flagship models with public facts —
//!   publisher, release date, licence, open weights, context sizes, lineage and base
//!   model. Prices are *demo list prices* in USD (per 1M tokens, or per image, second,
//!   1K characters, 1K queries or 1K pages) close to what the first-party API listed
//!   around release; for open-weights models without a first-party API they are a
//!   plausible serverless price on this platform. They are demo data, not a quote.
//!   Lifecycle dates marked `announced` are the publisher's announced dates; all other
//!   deprecations are this demo catalog's own lifecycle decisions (a marketplace may
//!   deprecate a listing before its publisher does), always with a successor listing.
//! * **Synthetic expansion** (`synthesise()`): fictional demo partner publishers with
//!   `.example` websites publish fine-tunes, quantizations, distillations and merges of
//!   the real open-weights listings, plus their own dated model families. Every
//!   synthetic listing is tagged `synthetic` and says "Synthetic demo listing" in its
//!   description; none of them exists.
//!
//! Offers are generated from each listing by a fixed-seed splitmix64 generator keyed by
//! the slug, so the catalog is identical on every call.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::domain::batch::{
    CatalogBatch, LifecycleRecord, ModelRecord, OfferRecord, PriceRecord, ProvenanceRecord, PublisherRecord,
};
use crate::domain::publishers::find_publisher;
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

/// The demo catalog: curated flagship models expanded across versions and regions.
pub fn demo_catalog() -> CatalogBatch {
    let mut listings = curated();
    let mut taken: BTreeSet<String> = listings.iter().map(|l| l.model.slug.clone()).collect();
    let synthetic = synthesise(&listings, &mut taken);
    listings.extend(synthetic);

    let mut batch = CatalogBatch::default();
    let mut publishers_seen = BTreeSet::new();
    for listing in &mut listings {
        finish_tags(&mut listing.model);
        let publisher = listing.model.publisher_slug.clone();
        if publishers_seen.insert(publisher.clone()) {
            batch.publishers.push(publisher_record(&publisher));
        }
    }
    for listing in &listings {
        batch.offers.extend(offers_for(listing));
    }
    batch.models = listings.into_iter().map(|l| l.model).collect();
    batch
}

/// The day the demo catalog describes the market as of: lifecycle states and
/// synthetic release dates are consistent with it.
const AS_OF: (i32, u32, u32) = (2025, 12, 1);

mod helpers;
mod listing;
// The curated data (`curated`, written with the builder in `listing`), the
// offers generated for every listing (`offers`), the synthetic expansion
// (`expansion`), shared helpers, and the tests apart.
mod curated;
mod expansion;
mod offers;
#[cfg(test)]
mod tests;

use curated::*;
use expansion::*;
use helpers::*;
use listing::*;
use offers::*;
