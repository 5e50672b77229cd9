//! The immutable in-memory catalog: listings with their offers and price
//! periods, resolved references and precomputed indexes. Built from one
//! consistent read of the database and never mutated; a change builds a new
//! snapshot that replaces this one atomically.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::index::FilterIndex;
pub use super::listing::{in_usd, Listing, ModelRef, Offer, PricePeriod, Publisher, Region, SharedText, UsdRates};
use super::search::SearchIndex;
use super::visibility::TenantView;
use crate::db::catalog_read::{CatalogRows, Interner, ModelRow, OfferRow, PeriodRow, RuleRows};
use crate::domain::decision::Viewer;
use crate::domain::hold::{Ancestor, HoldView};
use crate::domain::policy::TenantPolicy;
use crate::domain::vocab::{Cloud, OfferStatus, PriceDimension};

/// What the catalog offers: listings, references and their indexes. It
/// changes with the catalog's content only; snapshots that differ in rules
/// (holds, policies) share it.
pub struct CatalogContent {
    /// The catalog version this content was read at.
    pub content_version: i64,
    pub built_at: DateTime<Utc>,
    pub publishers: Vec<Arc<Publisher>>,
    pub regions: Vec<Region>,
    /// Every operator that runs an offer, sorted.
    pub operators: Vec<String>,
    /// The rates other currencies are converted to USD at, by currency.
    pub rates: Vec<crate::db::catalog_read::RateRow>,
    pub usd_rates: UsdRates,
    /// Sorted by slug (byte order): `find` looks a slug up by binary search.
    pub listings: Vec<Listing>,
    pub(super) by_id: HashMap<Uuid, u32>,
    /// Other spellings of listings' slugs; a listing's own slug wins.
    pub(super) by_alias: HashMap<String, u32>,
    pub(super) search: SearchIndex,
    pub(super) index: FilterIndex,
    /// The next instant a scheduled price takes or leaves effect; the snapshot
    /// is rebuilt then so precomputed prices stay true.
    pub next_price_change: Option<DateTime<Utc>>,
    /// The offer numbering every tenant view of this content shares.
    pub(super) offer_starts: Arc<[u32]>,
    /// Identifies what this content serves, the same on every replica that
    /// read the same database state: the content version and the last price
    /// boundary passed (a scheduled price coming due changes content
    /// without a version bump).
    pub etag_seed: String,
}

/// The catalog as served at one version: its content and the rules in force
/// (tenant policies and the holds in effect).
pub struct Snapshot {
    pub version: i64,
    pub content: Arc<CatalogContent>,
    /// Tenant policies by tenant; a tenant without one (just provisioned) is
    /// unrestricted, as its default policy is.
    policies: HashMap<Uuid, TenantPolicy>,
    /// The compliance holds in effect.
    pub holds: Vec<HoldView>,
    views: RwLock<ViewCache>,
}

/// Tenant views computed on this snapshot, by tenant and by the rules they
/// were computed from (tenants with the same rules share one).
struct ViewCache {
    by_tenant: HashMap<Uuid, Arc<TenantView>>,
    by_rules: HashMap<String, Arc<TenantView>>,
    /// What the distinct views in `by_rules` hold.
    bytes: usize,
    limits: ViewLimits,
}

/// Bounds on the view cache: past one of them it starts over, which costs a
/// recomputation per tenant and never a wrong answer. Memory is bounded as
/// well as counts: a view is six bitsets over the listings and offers,
/// 115 KB at 100,000 listings and ten times that at a million, where 2,000
/// rule sets would hold 2.3 GB.
#[derive(Debug, Clone, Copy)]
struct ViewLimits {
    tenants: usize,
    rule_sets: usize,
    bytes: usize,
}

const VIEW_LIMITS: ViewLimits = ViewLimits {
    tenants: 100_000,
    rule_sets: 2_000,
    bytes: 256 << 20,
};

impl Default for ViewCache {
    fn default() -> Self {
        ViewCache::with_limits(VIEW_LIMITS)
    }
}

impl ViewCache {
    fn with_limits(limits: ViewLimits) -> Self {
        ViewCache {
            by_tenant: HashMap::new(),
            by_rules: HashMap::new(),
            bytes: 0,
            limits,
        }
    }

    /// Keeps `view` as `tenant`'s and as the one for its rules, starting
    /// over first when keeping it would pass a bound.
    fn keep(&mut self, tenant: Uuid, fingerprint: String, view: &Arc<TenantView>) {
        let bytes = view.heap_bytes();
        let new_rules = !self.by_rules.contains_key(&fingerprint);
        if self.by_tenant.len() >= self.limits.tenants
            || new_rules && (self.by_rules.len() >= self.limits.rule_sets || self.bytes + bytes > self.limits.bytes)
        {
            *self = ViewCache::with_limits(self.limits);
        }
        if let std::collections::hash_map::Entry::Vacant(entry) = self.by_rules.entry(fingerprint) {
            self.bytes += bytes;
            entry.insert(view.clone());
        }
        self.by_tenant.insert(tenant, view.clone());
    }
}

/// A database value outside the vocabulary this binary knows: a newer schema
/// or a hand edit. The snapshot refuses it rather than guessing.
#[derive(Debug, thiserror::Error)]
#[error("{table}.{column} holds {value:?}, which this version of modelmart does not know")]
pub struct UnknownValue {
    table: &'static str,
    column: &'static str,
    value: String,
}

fn known<T>(
    parse: fn(&str) -> Option<T>,
    value: &str,
    table: &'static str,
    column: &'static str,
) -> Result<T, UnknownValue> {
    parse(value).ok_or_else(|| UnknownValue {
        table,
        column,
        value: value.to_owned(),
    })
}

impl CatalogContent {
    pub fn empty() -> Self {
        CatalogContent {
            content_version: 0,
            built_at: Utc::now(),
            publishers: Vec::new(),
            regions: Vec::new(),
            operators: Vec::new(),
            rates: Vec::new(),
            usd_rates: UsdRates::new(),
            listings: Vec::new(),
            by_id: HashMap::new(),
            by_alias: HashMap::new(),
            search: SearchIndex::default(),
            index: FilterIndex::build(&[]),
            next_price_change: None,
            offer_starts: Arc::from(vec![0u32]),
            etag_seed: "0".into(),
        }
    }

    /// A listing by UUID, by `publisher/name` slug, or by another spelling
    /// of its slug (an alias).
    pub fn find(&self, id_or_slug: &str) -> Option<&Listing> {
        let index = match Uuid::parse_str(id_or_slug) {
            Ok(id) => self.by_id.get(&id),
            Err(_) => {
                let slug = id_or_slug.to_ascii_lowercase();
                // Listings are in slug order: no map of 100,000 slugs.
                match self.listings.binary_search_by(|l| (*l.slug).cmp(&slug)) {
                    Ok(position) => return self.listings.get(position),
                    Err(_) => self.by_alias.get(&slug),
                }
            }
        }?;
        self.listings.get(*index as usize)
    }

    /// A listing by UUID.
    pub fn find_by_id(&self, id: Uuid) -> Option<&Listing> {
        self.listings.get(*self.by_id.get(&id)? as usize)
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// An operator's name as offers spell it, found without regard to case.
    pub fn operator_named(&self, name: &str) -> Option<&str> {
        self.operators
            .iter()
            .find(|known| known.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }

    /// Facet counts over `matches`, which hold `count` listings.
    pub fn facets(&self, matches: &super::bitset::Bitset, count: usize) -> super::query::Facets {
        self.index.facets(matches, count)
    }

    /// Relevance scores of the listings matching the search `q`, by position.
    pub fn search_scores(&self, q: &str) -> super::search::Scores {
        self.search.search(q, &self.listings)
    }
}

impl Snapshot {
    pub fn empty() -> Self {
        Snapshot::with_content(Arc::new(CatalogContent::empty()), RuleRows::default())
    }

    /// A snapshot of `content` under the rules read at `rules.version`.
    pub fn with_content(content: Arc<CatalogContent>, rules: RuleRows) -> Self {
        Snapshot {
            version: rules.version,
            content,
            policies: rules.policies.iter().map(|row| (row.tenant_id, row.policy())).collect(),
            holds: rules.holds.iter().map(|row| row.view()).collect(),
            views: RwLock::new(ViewCache::default()),
        }
    }

    /// The same content under other rules: for tests and for what-if views.
    pub fn with_rules(
        content: Arc<CatalogContent>,
        version: i64,
        policies: HashMap<Uuid, TenantPolicy>,
        holds: Vec<HoldView>,
    ) -> Self {
        Snapshot {
            version,
            content,
            policies,
            holds,
            views: RwLock::new(ViewCache::default()),
        }
    }

    pub fn build(mut rows: CatalogRows) -> Result<Self, UnknownValue> {
        let rules = RuleRows {
            version: rows.version,
            content_version: rows.content_version,
            policies: std::mem::take(&mut rows.policies),
            holds: std::mem::take(&mut rows.holds),
        };
        let content = CatalogContent::build(rows)?;
        Ok(Snapshot::with_content(Arc::new(content), rules))
    }

    /// A listing by UUID or by `publisher/name` slug.
    pub fn find(&self, id_or_slug: &str) -> Option<&Listing> {
        self.content.find(id_or_slug)
    }

    /// Who `tenant` is to the decision function: its policy (passed in, as
    /// the caller holds it) and the holds in effect.
    pub fn viewer<'a>(&'a self, tenant: Uuid, policy: &'a TenantPolicy) -> Viewer<'a> {
        Viewer {
            tenant,
            policy,
            holds: &self.holds,
        }
    }

    /// The policy discovery applies for `tenant`.
    pub fn policy_for(&self, tenant: Uuid) -> TenantPolicy {
        self.policies.get(&tenant).cloned().unwrap_or_default()
    }

    /// What `tenant` may see and enable here, computed on first use and
    /// shared with every tenant under the same rules.
    pub fn view_for(&self, tenant: Uuid) -> Arc<TenantView> {
        let cached = self
            .views
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_tenant
            .get(&tenant)
            .cloned();
        if let Some(view) = cached {
            return view;
        }
        let policy = self.policy_for(tenant);
        let holds: Vec<HoldView> = self
            .holds
            .iter()
            .filter(|hold| hold.scope.tenants.is_empty() || hold.scope.tenants.contains(&tenant))
            .cloned()
            .collect();
        let fingerprint = rules_fingerprint(&policy, &holds);
        let shared = self
            .views
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .by_rules
            .get(&fingerprint)
            .cloned();
        let view = shared.unwrap_or_else(|| {
            let viewer = Viewer {
                tenant,
                policy: &policy,
                holds: &holds,
            };
            Arc::new(TenantView::build(
                &self.content.listings,
                self.content.offer_starts.clone(),
                &viewer,
                fingerprint.clone(),
                Utc::now(),
            ))
        });
        self.views
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .keep(tenant, fingerprint, &view);
        view
    }

    /// Computes the view most tenants share (the default policy under the
    /// holds that apply to everyone) before the snapshot is served, so the
    /// first requests after a swap do not pay for it.
    pub fn warm(&self) {
        let nobody = Uuid::nil();
        if !self.policies.contains_key(&nobody) {
            self.view_for(nobody);
        }
    }
}

/// Names a (policy, applicable holds) pair, the same on every replica.
fn rules_fingerprint(policy: &TenantPolicy, holds: &[HoldView]) -> String {
    let digest = Sha256::digest(format!("{policy:?}|{holds:?}").as_bytes());
    hex::encode(&digest[..8])
}

/// Every model's base model and the facts lineage rules read, to walk a
/// listing's ancestry.
struct Ancestry {
    models: HashMap<Uuid, (Option<Uuid>, Ancestor)>,
}

impl Ancestry {
    fn new(models: &[ModelRow], publishers: &HashMap<Uuid, Arc<Publisher>>) -> Self {
        let models = models
            .iter()
            .map(|m| {
                let ancestor = Ancestor {
                    model_id: m.id,
                    slug: m.slug.to_string(),
                    publisher_id: m.publisher_id,
                    publisher_slug: publishers
                        .get(&m.publisher_id)
                        .map(|p| p.slug.clone())
                        .unwrap_or_default(),
                    origin_country: m.origin_country.as_deref().map(str::to_owned),
                };
                (m.id, (m.base_model_id, ancestor))
            })
            .collect();
        Ancestry { models }
    }

    /// The ancestors of `id`, nearest first, each once: the same walk as
    /// the SQL `model_lineage` the enablement decision reads.
    fn of(&self, id: Uuid) -> Vec<Ancestor> {
        let mut ancestors: Vec<Ancestor> = Vec::new();
        let mut next = self.models.get(&id).and_then(|(base, _)| *base);
        while let Some(base) = next {
            if base == id || ancestors.iter().any(|a| a.model_id == base) {
                break;
            }
            let Some((further, ancestor)) = self.models.get(&base) else {
                break;
            };
            ancestors.push(ancestor.clone());
            next = *further;
        }
        ancestors
    }
}

impl CatalogContent {
    /// Builds listings, references and indexes from the content rows.
    fn build(rows: CatalogRows) -> Result<Self, UnknownValue> {
        let now = rows.read_at.unwrap_or_else(Utc::now);
        let CatalogRows {
            content_version,
            publishers,
            regions,
            mut models,
            aliases,
            offers,
            prices,
            rates,
            ..
        } = rows;
        let publishers: HashMap<Uuid, Arc<Publisher>> = publishers
            .into_iter()
            .map(|p| {
                let publisher = Arc::new(Publisher {
                    id: p.id,
                    slug: p.slug,
                    name: p.name,
                    country: p.country,
                    website: p.website,
                });
                (p.id, publisher)
            })
            .collect();
        let regions = regions
            .into_iter()
            .map(|r| {
                Ok(Region {
                    cloud: known(Cloud::parse, &r.cloud, "regions", "cloud")?,
                    code: r.code,
                    name: r.name,
                    jurisdiction: r.jurisdiction,
                    geography: r.geography,
                })
            })
            .collect::<Result<Vec<_>, UnknownValue>>()?;
        let usd_rates: UsdRates = rates
            .iter()
            .map(|r| (r.currency.clone(), r.usd_per_unit.normalize()))
            .collect();

        // Impossible under the foreign key; skipped rather than a panic.
        models.retain(|m| publishers.contains_key(&m.publisher_id));
        // Listings take the slug order (byte order): `find` searches it.
        models.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
        let mut aliases_by_model: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (alias, model_id) in aliases {
            aliases_by_model.entry(model_id).or_default().push(alias);
        }
        let ancestry = Ancestry::new(&models, &publishers);
        // Each row becomes its listing, its text moved rather than copied,
        // so a load holds each listing's text once (the rows read as text
        // once doubled the memory a start needed). Offers come next.
        let mut listings = Vec::with_capacity(models.len());
        for row in models {
            let mut aliases = aliases_by_model.remove(&row.id).unwrap_or_default();
            aliases.sort();
            listings.push(listing_without_offers(row, aliases, &publishers, &ancestry, now));
        }
        drop(ancestry);
        // The search index reads only the listings' text: it is built on
        // another thread while the offers are built here.
        let (search, built) = std::thread::scope(|scope| {
            let search = scope.spawn(|| SearchIndex::build(&listings));
            let built = offers_by_model(prices, offers, &regions, &usd_rates, now);
            (search.join().expect("the search index build does not panic"), built)
        });
        let Offers {
            mut by_model,
            next_price_change,
            last_price_boundary,
        } = built;
        for listing in &mut listings {
            attach_offers(listing, by_model.remove(&listing.id).unwrap_or_default(), now);
        }
        drop(by_model);
        // The filter index reads only the listings: it is built on another
        // thread while the lookups are built here.
        let (index, (operators, by_id, by_alias)) = std::thread::scope(|scope| {
            let index = scope.spawn(|| FilterIndex::build(&listings));
            let operators: BTreeSet<&str> = listings
                .iter()
                .flat_map(|l| l.offers.iter().map(|o| &*o.operator_name))
                .collect();
            let operators: Vec<String> = operators.into_iter().map(str::to_owned).collect();
            let by_id: HashMap<Uuid, u32> = listings.iter().enumerate().map(|(i, l)| (l.id, i as u32)).collect();
            let by_alias: HashMap<String, u32> = listings
                .iter()
                .enumerate()
                .flat_map(|(i, l)| l.aliases.iter().map(move |alias| (alias.clone(), i as u32)))
                .collect();
            let index = index.join().expect("the filter index build does not panic");
            (index, (operators, by_id, by_alias))
        });
        let offer_starts = super::visibility::offer_starts(&listings);
        let mut publishers: Vec<Arc<Publisher>> = publishers.into_values().collect();
        publishers.sort_by(|a, b| a.slug.cmp(&b.slug));
        let etag_seed = format!(
            "{}.{}",
            content_version,
            last_price_boundary.map_or(0, |at| at.timestamp_micros())
        );
        Ok(CatalogContent {
            content_version,
            etag_seed,
            built_at: now,
            publishers,
            regions,
            operators,
            rates,
            usd_rates,
            listings,
            by_id,
            by_alias,
            search,
            index,
            next_price_change,
            offer_starts,
        })
    }
}

/// `row`'s listing before its offers are attached: no offers, regions or
/// prices yet.
fn listing_without_offers(
    row: ModelRow,
    aliases: Vec<String>,
    publishers: &HashMap<Uuid, Arc<Publisher>>,
    ancestry: &Ancestry,
    now: DateTime<Utc>,
) -> Listing {
    let reference = |id: Option<Uuid>| {
        id.and_then(|id| {
            ancestry.models.get(&id).map(|(_, model)| ModelRef {
                id,
                slug: model.slug.as_str().into(),
            })
        })
    };
    Listing {
        id: row.id,
        aliases: aliases.into(),
        task: row.task,
        input_modalities: row.input_modalities,
        output_modalities: row.output_modalities,
        capabilities: row.capabilities,
        lineage: row.lineage,
        lifecycle: crate::domain::lifecycle::in_force(row.lifecycle_status, row.retirement_date, now.date_naive()),
        ancestors: ancestry.of(row.id).into(),
        base_model: reference(row.base_model_id),
        successor: reference(row.successor_id),
        slug: row.slug,
        name: row.name,
        publisher: publishers[&row.publisher_id].clone(),
        family: row.family,
        version: row.version,
        description: row.description,
        context_window: row.context_window,
        max_output_tokens: row.max_output_tokens,
        license: row.license,
        open_weights: row.open_weights,
        origin_country: row.origin_country,
        model_card_url: row.model_card_url,
        weights_digest: row.weights_digest,
        release_date: row.release_date,
        deprecation_date: row.deprecation_date,
        retirement_date: row.retirement_date,
        tags: row.tags,
        row_version: row.row_version,
        updated_at: row.updated_at,
        offers: Box::default(),
        regions: Box::default(),
        min_input_price: None,
        min_output_price: None,
        converted_from: Box::default(),
        not_converted: Box::default(),
    }
}

/// Gives `listing` its `offers` and what is computed from them: its
/// regions, its cheapest current token prices and their currencies.
fn attach_offers(listing: &mut Listing, mut offers: Vec<Offer>, now: DateTime<Utc>) {
    offers.sort_by(|a, b| {
        (&a.region, a.deployment_type, &a.operator_name).cmp(&(&b.region, b.deployment_type, &b.operator_name))
    });
    let mut regions: Vec<SharedText> = offers.iter().map(|o| o.region.clone()).collect();
    regions.dedup();
    let usable = || {
        offers
            .iter()
            .filter(|o| !matches!(o.status, OfferStatus::Unavailable | OfferStatus::Withdrawn))
    };
    let min_input_price = usable()
        .filter_map(|o| o.token_price(PriceDimension::InputTokens, now))
        .min();
    let min_output_price = usable()
        .filter_map(|o| o.token_price(PriceDimension::OutputTokens, now))
        .min();
    let mut converted_from = BTreeSet::new();
    let mut not_converted = BTreeSet::new();
    for period in usable().flat_map(|o| {
        [PriceDimension::InputTokens, PriceDimension::OutputTokens]
            .into_iter()
            .filter_map(move |d| o.base_token_period(d, now))
    }) {
        if &*period.currency != "USD" {
            match period.usd_amount {
                Some(_) => converted_from.insert(period.currency.to_string()),
                None => not_converted.insert(period.currency.to_string()),
            };
        }
    }
    listing.offers = offers.into();
    listing.regions = regions.into();
    listing.min_input_price = min_input_price;
    listing.min_output_price = min_output_price;
    listing.converted_from = converted_from.into_iter().collect();
    listing.not_converted = not_converted.into_iter().collect();
}

/// Every model's offers with their price periods, and the price boundaries
/// around `now`.
struct Offers {
    by_model: HashMap<Uuid, Vec<Offer>>,
    /// The next instant a price takes or leaves effect after `now`.
    next_price_change: Option<DateTime<Utc>>,
    /// The last instant a price took effect at or before `now`.
    last_price_boundary: Option<DateTime<Utc>>,
}

fn offers_by_model(
    mut price_rows: Vec<PeriodRow>,
    mut offer_rows: Vec<OfferRow>,
    regions: &[Region],
    usd_rates: &UsdRates,
    now: DateTime<Utc>,
) -> Offers {
    let mut shared = Interner::default();
    let jurisdictions: HashMap<&str, Option<SharedText>> = regions
        .iter()
        .map(|r| (r.code.as_str(), r.jurisdiction.as_deref().map(|j| shared.text(j))))
        .collect();
    // Rows are grouped by sorting, and each offer's prices and each
    // listing's offers are allocated once at their exact size: vectors
    // grown by pushing kept a quarter of their room spare, and shrinking
    // them afterwards left the freed tails as holes the allocator could
    // not return between the snapshot's long-lived allocations.
    price_rows.sort_unstable_by_key(|p| p.offer_id);
    let mut next_price_change: Option<DateTime<Utc>> = None;
    let mut last_price_boundary: Option<DateTime<Utc>> = None;
    for price in &price_rows {
        if price.effective_from <= now && last_price_boundary.is_none_or(|last| price.effective_from > last) {
            last_price_boundary = Some(price.effective_from);
        }
        for instant in [Some(price.effective_from), price.effective_to].into_iter().flatten() {
            if instant > now && next_price_change.is_none_or(|next| instant < next) {
                next_price_change = Some(instant);
            }
        }
    }
    let prices_by_offer: HashMap<Uuid, &[PeriodRow]> = runs(&price_rows, |p| p.offer_id);
    offer_rows.sort_unstable_by_key(|o| o.model_id);
    let mut by_model: HashMap<Uuid, Vec<Offer>> = HashMap::new();
    for model_offers in offer_rows.chunk_by(|a, b| a.model_id == b.model_id) {
        let mut offers = Vec::with_capacity(model_offers.len());
        for offer in model_offers {
            let rows = prices_by_offer.get(&offer.id).copied().unwrap_or_default();
            let mut prices: Vec<PricePeriod> = rows
                .iter()
                .map(|price| PricePeriod {
                    dimension: price.dimension,
                    unit: price.unit,
                    amount: price.amount.normalize(),
                    usd_amount: in_usd(price.amount.normalize(), &price.currency, usd_rates),
                    currency: price.currency.clone(),
                    tier_min_context_tokens: price.tier_min_context_tokens,
                    effective_from: price.effective_from,
                    effective_to: price.effective_to,
                })
                .collect();
            // The rows came in no particular order: the unit breaks ties, so
            // every replica lists an offer's prices alike.
            prices.sort_by(|a, b| {
                (a.dimension, a.tier_min_context_tokens, a.effective_from, a.unit).cmp(&(
                    b.dimension,
                    b.tier_min_context_tokens,
                    b.effective_from,
                    b.unit,
                ))
            });
            offers.push(Offer {
                id: offer.id,
                deployment_type: offer.deployment_type,
                processing_scope: offer.processing_scope,
                status: offer.status,
                jurisdiction: jurisdictions.get(&*offer.region_code).cloned().flatten(),
                region: offer.region_code.clone(),
                operator_name: offer.operator_name.clone(),
                operator_country: offer.operator_country.clone(),
                row_version: offer.row_version,
                prices: prices.into_boxed_slice(),
            });
        }
        by_model.insert(model_offers[0].model_id, offers);
    }
    Offers {
        by_model,
        next_price_change,
        last_price_boundary,
    }
}

/// `rows` (sorted by `key`) by key, each key's rows side by side.
fn runs<T, K: Eq + std::hash::Hash>(rows: &[T], key: impl Fn(&T) -> K) -> HashMap<K, &[T]> {
    rows.chunk_by(|a, b| key(a) == key(b))
        .map(|run| (key(&run[0]), run))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decision::Viewer;
    use crate::domain::policy::TenantPolicy;

    /// A view over no listings: it holds its fingerprint and nothing else.
    fn view(fingerprint: &str) -> Arc<TenantView> {
        let policy = TenantPolicy::default();
        let viewer = Viewer {
            tenant: Uuid::nil(),
            policy: &policy,
            holds: &[],
        };
        Arc::new(TenantView::build(
            &[],
            Arc::from(vec![0u32]),
            &viewer,
            fingerprint.into(),
            Utc::now(),
        ))
    }

    #[test]
    fn the_view_cache_starts_over_before_its_views_pass_their_memory_bound() {
        let mut cache = ViewCache::with_limits(ViewLimits {
            tenants: 100,
            rule_sets: 100,
            bytes: 250,
        });
        for n in 0..4 {
            let fingerprint = format!("{n:0>100}");
            cache.keep(Uuid::now_v7(), fingerprint.clone(), &view(&fingerprint));
            assert!(cache.bytes <= 250, "{} bytes kept", cache.bytes);
        }
        // Two 100-byte views fit; the third started the cache over.
        assert_eq!((cache.by_rules.len(), cache.by_tenant.len(), cache.bytes), (2, 2, 200));
    }

    #[test]
    fn tenants_under_the_same_rules_share_one_view_and_its_memory_is_counted_once() {
        let mut cache = ViewCache::with_limits(VIEW_LIMITS);
        let shared = view("same rules");
        for _ in 0..3 {
            cache.keep(Uuid::now_v7(), "same rules".into(), &shared);
        }
        assert_eq!((cache.by_rules.len(), cache.by_tenant.len()), (1, 3));
        assert_eq!(cache.bytes, shared.heap_bytes());
    }
}
