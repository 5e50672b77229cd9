//! The immutable in-memory catalog: listings with their offers and price
//! periods, resolved references and precomputed indexes. Built from one
//! consistent read of the database and never mutated; a change builds a new
//! snapshot that replaces this one atomically.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::index::FilterIndex;
pub use super::listing::{in_usd, Listing, ModelRef, Offer, PricePeriod, Publisher, Region, SharedText, UsdRates};
use super::search::{SearchIndex, SearchTokens, Searchable};
use super::visibility::TenantView;
use crate::db::catalog_read::{CatalogRows, Interner, ModelRow, OfferRow, PeriodRow, RuleRows};
use crate::domain::decision::Viewer;
use crate::domain::hold::{Ancestor, HoldView};
use crate::domain::lifecycle;
use crate::domain::policy::TenantPolicy;
use crate::domain::vocab::{Cloud, LifecycleStatus, OfferStatus, PriceDimension};

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
    /// Shared: a listing a reload finds unchanged is the same one in the
    /// content before and after it.
    pub listings: Vec<Arc<Listing>>,
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

/// Tenant views handed out by this snapshot, by tenant and by the rules they
/// were computed from (tenants with the same rules share one): computed on
/// it, or carried from the snapshot of the same content it replaced
/// ([`Snapshot::under_new_rules`]).
struct ViewCache {
    by_tenant: HashMap<Uuid, Arc<TenantView>>,
    by_rules: HashMap<String, Arc<TenantView>>,
    /// For views carried from earlier snapshots: when a tenant was last
    /// handed each (as of the swap after it was).
    asked_before: HashMap<String, Instant>,
    /// What the distinct views in `by_rules` hold.
    bytes: usize,
    limits: ViewLimits,
}

/// How long a view no tenant asks for is carried from snapshot to snapshot
/// of the same content: rules no tenant has any more (a policy edited since)
/// leave within it, and a tenant asking less often computes its view again.
const VIEW_IDLE: Duration = Duration::from_secs(600);

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
            asked_before: HashMap::new(),
            bytes: 0,
            limits,
        }
    }

    /// This cache's views, found by their rules only, for a snapshot of the
    /// same content under other rules (swapped in at `now`): a tenant
    /// whose rules did not change finds its view again by their
    /// fingerprint, and one whose rules did computes another. A view no
    /// tenant was handed for `VIEW_IDLE` is left behind.
    fn carried(&self, now: Instant) -> ViewCache {
        let asked_here: HashSet<&str> = self.by_tenant.values().map(|view| view.fingerprint.as_str()).collect();
        let mut carried = ViewCache::with_limits(self.limits);
        for (fingerprint, view) in &self.by_rules {
            let asked = match self.asked_before.get(fingerprint) {
                Some(before) if !asked_here.contains(fingerprint.as_str()) => *before,
                _ => now,
            };
            if now.saturating_duration_since(asked) < VIEW_IDLE {
                carried.bytes += view.heap_bytes();
                carried.by_rules.insert(fingerprint.clone(), view.clone());
                carried.asked_before.insert(fingerprint.clone(), asked);
            }
        }
        carried
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
                    Ok(position) => return self.listings.get(position).map(|listing| &**listing),
                    Err(_) => self.by_alias.get(&slug),
                }
            }
        }?;
        self.listings.get(*index as usize).map(|listing| &**listing)
    }

    /// A listing by UUID.
    pub fn find_by_id(&self, id: Uuid) -> Option<&Listing> {
        self.listings
            .get(*self.by_id.get(&id)? as usize)
            .map(|listing| &**listing)
    }

    /// A listing by UUID, to share with the content that replaces this one.
    fn shared(&self, id: Uuid) -> Option<&Arc<Listing>> {
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
    pub fn facets(&self, matches: &super::bitset::Bitset, count: usize) -> super::query::Facets<'_> {
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

    /// `previous`'s content under the rules read at `rules.version`: a hold
    /// placed or lifted, or a policy edited. The tenant views `previous`
    /// handed out come along, found by their rules' fingerprint: a view is a
    /// function of the content and of the tenant's policy and applicable
    /// holds, which the fingerprint names, so a tenant the change does not
    /// apply to keeps its view (at 100,000 listings, 40 ms of computing
    /// each), and one it applies to has another fingerprint and a view
    /// computed under its new rules.
    pub fn under_new_rules(previous: &Snapshot, rules: RuleRows) -> Self {
        let snapshot = Snapshot::with_content(previous.content.clone(), rules);
        let carried = previous
            .views
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .carried(Instant::now());
        *snapshot.views.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = carried;
        snapshot
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

    pub fn build(rows: CatalogRows) -> Result<Self, UnknownValue> {
        Snapshot::build_reusing(rows, None)
    }

    /// A snapshot of `rows` that shares with the content `reuse` was made
    /// of every listing both hold alike: see [`Reuse`].
    pub fn build_reusing(mut rows: CatalogRows, reuse: Option<Reuse>) -> Result<Self, UnknownValue> {
        let rules = RuleRows {
            version: rows.version,
            content_version: rows.content_version,
            policies: std::mem::take(&mut rows.policies),
            holds: std::mem::take(&mut rows.holds),
        };
        let content = CatalogContent::build(rows, reuse)?;
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
    fn new<'a>(models: impl Iterator<Item = ModelFacts<'a>>, publishers: &HashMap<Uuid, Arc<Publisher>>) -> Self {
        let models = models
            .map(|m| {
                let ancestor = Ancestor {
                    model_id: m.id,
                    slug: m.slug.to_owned(),
                    publisher_id: m.publisher_id,
                    publisher_slug: publishers
                        .get(&m.publisher_id)
                        .map(|p| p.slug.clone())
                        .unwrap_or_default(),
                    origin_country: m.origin_country.map(str::to_owned),
                };
                (m.id, (m.base_model_id, ancestor))
            })
            .collect();
        Ancestry { models }
    }

    /// Another listing, by id and slug.
    fn reference(&self, id: Option<Uuid>) -> Option<ModelRef> {
        id.and_then(|id| {
            self.models.get(&id).map(|(_, model)| ModelRef {
                id,
                slug: model.slug.as_str().into(),
            })
        })
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
    /// Builds listings, references and indexes from the content rows, and
    /// from the listings `reuse` found unchanged.
    fn build(rows: CatalogRows, reuse: Option<Reuse>) -> Result<Self, UnknownValue> {
        let now = rows.read_at.unwrap_or_else(Utc::now);
        let CatalogRows {
            content_version,
            publishers,
            regions,
            models,
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

        let (previous, unchanged) = match reuse {
            Some(reuse) => (Some(reuse.previous), reuse.unchanged),
            None => (None, Vec::new()),
        };
        let serving = previous.as_ref().is_some_and(|previous| !previous.listings.is_empty());
        // The offers read only the offer and price rows: they are built on
        // another thread while the listings are drafted and their search
        // index built here (drafted first and the offers after, a start at
        // 100,000 listings had one core idle for a tenth of a second).
        let (built, drafted) = super::parallel::join(
            super::parallel::worth_it(models.len() + unchanged.len()),
            || offers_by_model(prices, offers, &regions, &usd_rates, previous.as_deref(), now),
            || {
                draft_listings(
                    models,
                    unchanged,
                    aliases,
                    &publishers,
                    previous.as_deref(),
                    serving,
                    now,
                )
            },
        );
        let Drafted {
            drafts,
            aliases_by_model,
            ancestry,
            search,
        } = drafted;
        let Offers {
            by_model,
            next_price_change,
            last_price_boundary,
        } = built;
        // The tokens are merged into the search index on another thread while
        // the listings are completed here (one after the other, a start at
        // 100,000 listings merged for 50 ms with a core idle). A reload while
        // serving does one after the other: it holds less at once, and leaves
        // the workers their cores.
        let (search, listings) = super::parallel::join(
            !serving && super::parallel::worth_it(drafts.len()),
            || search.index(),
            || {
                complete_listings(
                    drafts,
                    aliases_by_model,
                    by_model,
                    &ancestry,
                    &publishers,
                    previous.as_deref(),
                    now,
                )
            },
        );
        drop(ancestry);
        drop(previous);
        // The filter index reads only the listings: it is built on another
        // thread while the lookups are built here.
        let (index, (operators, by_id, by_alias)) = super::parallel::join(
            super::parallel::worth_it(listings.len()),
            || FilterIndex::build(&listings),
            || {
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
                (operators, by_id, by_alias)
            },
        );
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

/// `row`'s listing before it is linked to the other listings and given its
/// offers (see [`link`] and [`attach_offers`]).
fn listing_from_row(row: ModelRow, publishers: &HashMap<Uuid, Arc<Publisher>>, now: DateTime<Utc>) -> Listing {
    let ModelRow {
        id,
        slug,
        publisher_id,
        name,
        family,
        version,
        description,
        task,
        input_modalities,
        output_modalities,
        context_window,
        max_output_tokens,
        capabilities,
        license,
        open_weights,
        origin_country,
        lineage,
        base_model_id: _,
        model_card_url,
        weights_digest,
        release_date,
        lifecycle_status,
        deprecation_date,
        retirement_date,
        successor_id: _,
        tags,
        row_version,
        updated_at,
    } = row;
    Listing {
        id,
        aliases: Box::default(),
        task,
        input_modalities,
        output_modalities,
        capabilities,
        lineage,
        lifecycle: lifecycle::in_force(lifecycle_status, retirement_date, now.date_naive()),
        ancestors: Box::default(),
        base_model: None,
        successor: None,
        slug,
        name,
        publisher: publishers[&publisher_id].clone(),
        family,
        version,
        description,
        context_window,
        max_output_tokens,
        license,
        open_weights,
        origin_country,
        model_card_url,
        weights_digest,
        release_date,
        deprecation_date,
        retirement_date,
        tags,
        row_version,
        updated_at,
        offers: Box::default(),
        regions: Box::default(),
        min_input_price: None,
        min_output_price: None,
        converted_from: Box::default(),
        not_converted: Box::default(),
    }
}

/// Whether `listing` holds `row` as it is: every column the listing keeps.
/// A reload does not read such a row twice (see [`Reuse`]).
fn holds_row(listing: &Listing, row: &ModelRow) -> bool {
    let ModelRow {
        id,
        slug,
        publisher_id,
        name,
        family,
        version,
        description,
        task,
        input_modalities,
        output_modalities,
        context_window,
        max_output_tokens,
        capabilities,
        license,
        open_weights,
        origin_country,
        lineage,
        base_model_id,
        model_card_url,
        weights_digest,
        release_date,
        // In force as of the build (`in_force`): compared there.
        lifecycle_status: _,
        deprecation_date,
        retirement_date,
        successor_id,
        tags,
        row_version,
        updated_at,
    } = row;
    listing.id == *id
        && listing.slug == *slug
        && listing.publisher.id == *publisher_id
        && listing.name == *name
        && listing.family == *family
        && listing.version == *version
        && listing.description == *description
        && listing.task == *task
        && listing.input_modalities == *input_modalities
        && listing.output_modalities == *output_modalities
        && listing.context_window == *context_window
        && listing.max_output_tokens == *max_output_tokens
        && listing.capabilities == *capabilities
        && listing.license == *license
        && listing.open_weights == *open_weights
        && listing.origin_country == *origin_country
        && listing.lineage == *lineage
        && listing.base_model.as_ref().map(|m| m.id) == *base_model_id
        && listing.model_card_url == *model_card_url
        && listing.weights_digest == *weights_digest
        && listing.release_date == *release_date
        && listing.deprecation_date == *deprecation_date
        && listing.retirement_date == *retirement_date
        && listing.successor.as_ref().map(|m| m.id) == *successor_id
        && listing.tags == *tags
        && listing.row_version == *row_version
        && listing.updated_at == *updated_at
}

/// What a listing names of other rows, read from its model row.
#[derive(Clone, Copy)]
struct Links {
    base_model_id: Option<Uuid>,
    successor_id: Option<Uuid>,
}

/// Gives `listing` what it takes from other rows (besides its publisher):
/// its other slugs, its lineage and the listings it names.
fn link(listing: &mut Listing, aliases: Vec<String>, links: Links, ancestry: &Ancestry) {
    listing.aliases = aliases.into();
    listing.ancestors = ancestry.of(listing.id).into();
    listing.base_model = ancestry.reference(links.base_model_id);
    listing.successor = ancestry.reference(links.successor_id);
}

/// The listings drafted from the model rows read and the listings a reload
/// kept, in slug order, with each model's aliases (sorted), the ancestry,
/// and the search tokens read from them.
struct Drafted {
    drafts: Vec<Draft>,
    aliases_by_model: HashMap<Uuid, Vec<String>>,
    ancestry: Ancestry,
    search: SearchTokens,
}

fn draft_listings(
    mut models: Vec<ModelRow>,
    unchanged: Vec<(Uuid, LifecycleStatus)>,
    aliases: Vec<(String, Uuid)>,
    publishers: &HashMap<Uuid, Arc<Publisher>>,
    previous: Option<&CatalogContent>,
    serving: bool,
    now: DateTime<Utc>,
) -> Drafted {
    // Each row read becomes its listing, its text moved rather than
    // copied, so a load holds each listing's text once (the rows read as
    // text once doubled the memory a start needed); a row a reload found
    // unchanged is its listing in the previous content. Both take the
    // slug order (byte order): `find` searches it.
    let mut drafts: Vec<Draft> = Vec::with_capacity(models.len() + unchanged.len());
    // Impossible under the foreign key; skipped rather than a panic.
    models.retain(|m| publishers.contains_key(&m.publisher_id));
    // Built in slug order, the listings lie in memory in the order every
    // scan by position walks them (built in the rows' order, a start at
    // 100,000 listings took about a quarter longer).
    models.sort_unstable_by(|a, b| a.slug.cmp(&b.slug));
    for row in models {
        let links = Links {
            base_model_id: row.base_model_id,
            successor_id: row.successor_id,
        };
        drafts.push(Draft::Read(Arc::new(listing_from_row(row, publishers, now)), links));
    }
    if let Some(previous) = previous {
        for (id, status) in unchanged {
            let Some(listing) = previous.shared(id) else { continue };
            if publishers.contains_key(&listing.publisher.id) {
                drafts.push(Draft::Kept(listing.clone(), status));
            }
        }
    }
    drafts.sort_unstable_by(|a, b| a.listing().slug.cmp(&b.listing().slug));
    let mut aliases_by_model: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (alias, model_id) in aliases {
        aliases_by_model.entry(model_id).or_default().push(alias);
    }
    for aliases in aliases_by_model.values_mut() {
        aliases.sort();
    }
    let ancestry = Ancestry::new(drafts.iter().map(Draft::facts), publishers);
    let texts: Vec<DraftText<'_>> = drafts
        .iter()
        .map(|draft| DraftText {
            listing: draft.listing(),
            publisher: match draft {
                Draft::Read(listing, _) => &listing.publisher,
                Draft::Kept(listing, _) => &publishers[&listing.publisher.id],
            },
            aliases: aliases_by_model.get(&draft.listing().id).map_or(&[], Vec::as_slice),
        })
        .collect();
    // A reload runs while the content it replaces is held and served:
    // its search index is read on one thread, whose working memory is
    // less than two halves' at once (a reload of a million listings
    // peaked at 1.87x the resting size with them, 1.77x without) and
    // which leaves the workers their cores. A start has nothing to serve
    // yet, and reads the halves side by side.
    let search = if serving {
        SearchTokens::read_on_one_thread(&texts)
    } else {
        SearchTokens::read(&texts)
    };
    drop(texts);
    Drafted {
        drafts,
        aliases_by_model,
        ancestry,
        search,
    }
}

/// Each listing completed in turn: linked to its ancestry, given its
/// aliases and offers. When the previous content holds one equal to it,
/// that one is kept: a reload while serving holds twice only what changed.
fn complete_listings(
    drafts: Vec<Draft>,
    mut aliases_by_model: HashMap<Uuid, Vec<String>>,
    mut by_model: HashMap<Uuid, ModelOffers>,
    ancestry: &Ancestry,
    publishers: &HashMap<Uuid, Arc<Publisher>>,
    previous: Option<&CatalogContent>,
    now: DateTime<Utc>,
) -> Vec<Arc<Listing>> {
    let mut listings: Vec<Arc<Listing>> = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let aliases = aliases_by_model.remove(&draft.listing().id).unwrap_or_default();
        let facts = draft.facts();
        let links = Links {
            base_model_id: facts.base_model_id,
            successor_id: facts.successor_id,
        };
        // A kept listing is copied whole to be completed and compared; its
        // copied offers serve when they come back as before.
        let (mut listing, before, offers_copied) = match draft {
            Draft::Read(listing, _) => {
                let before = previous.and_then(|p| p.shared(listing.id)).cloned();
                (listing, before, None)
            }
            Draft::Kept(old, status) => {
                let mut listing = Listing::clone(&old);
                let offers = std::mem::take(&mut listing.offers).into_vec();
                listing.publisher = publishers[&listing.publisher.id].clone();
                listing.lifecycle = lifecycle::in_force(status, listing.retirement_date, now.date_naive());
                (Arc::new(listing), Some(old), Some(offers))
            }
        };
        let complete = Arc::get_mut(&mut listing).expect("a listing being built is not shared yet");
        link(complete, aliases, links, ancestry);
        let offers = match by_model.remove(&complete.id) {
            Some(ModelOffers::Built(offers)) => offers,
            Some(ModelOffers::AsBefore) => offers_copied
                .or_else(|| before.as_ref().map(|old| old.offers.to_vec()))
                .unwrap_or_default(),
            None => Vec::new(),
        };
        attach_offers(complete, offers, now);
        listings.push(match before {
            Some(old) if *old == *listing => old,
            _ => listing,
        });
    }
    listings
}

/// A listing on its way into a snapshot.
enum Draft {
    /// Built from a row read now, not yet linked or given its offers.
    Read(Arc<Listing>, Links),
    /// The previous content's listing, whose row a reload found unchanged,
    /// with the lifecycle status stored in that row.
    Kept(Arc<Listing>, LifecycleStatus),
}

/// What the ancestry walk reads of a model.
struct ModelFacts<'a> {
    id: Uuid,
    slug: &'a str,
    publisher_id: Uuid,
    origin_country: Option<&'a str>,
    base_model_id: Option<Uuid>,
    successor_id: Option<Uuid>,
}

impl Draft {
    fn listing(&self) -> &Listing {
        match self {
            Draft::Read(listing, _) | Draft::Kept(listing, _) => listing,
        }
    }

    fn facts(&self) -> ModelFacts<'_> {
        let listing = self.listing();
        let links = match self {
            Draft::Read(_, links) => *links,
            Draft::Kept(listing, _) => Links {
                base_model_id: listing.base_model.as_ref().map(|m| m.id),
                successor_id: listing.successor.as_ref().map(|m| m.id),
            },
        };
        ModelFacts {
            id: listing.id,
            slug: &listing.slug,
            publisher_id: listing.publisher.id,
            origin_country: listing.origin_country.as_deref(),
            base_model_id: links.base_model_id,
            successor_id: links.successor_id,
        }
    }
}

/// A draft's searchable text: its listing's own, under the publisher and
/// aliases read now (a kept listing still names the ones read before).
struct DraftText<'a> {
    listing: &'a Listing,
    publisher: &'a Publisher,
    /// Sorted, as the listing keeps them.
    aliases: &'a [String],
}

impl Searchable for DraftText<'_> {
    fn name(&self) -> &str {
        &self.listing.name
    }

    fn fields(&self, add: &mut dyn FnMut(&str, u16)) {
        let listing = self.listing;
        super::search::listing_fields(
            &listing.name,
            &listing.slug,
            self.aliases.iter().map(String::as_str),
            self.publisher,
            listing.family.as_deref(),
            listing.tags.iter().map(|tag| &**tag),
            &listing.description,
            add,
        );
    }
}

/// The content a reload replaces, and the model rows the reload found as
/// that content holds them. Those rows are not kept while the rest is read
/// (each is compared and dropped as it is decoded), and their listings are
/// the previous content's when nothing else about them changed: a reload
/// while serving then holds twice only what changed, where it held the
/// whole catalog twice and its rows besides.
pub struct Reuse {
    previous: Arc<CatalogContent>,
    /// With the lifecycle status each row stores (its listing keeps the
    /// status in force, which a retirement date changes with the day).
    unchanged: Vec<(Uuid, LifecycleStatus)>,
}

impl Reuse {
    pub fn of(previous: Arc<CatalogContent>) -> Self {
        Reuse {
            previous,
            unchanged: Vec::new(),
        }
    }

    /// Takes `row` (`None`) when the previous content's listing holds it as
    /// it is; gives it back otherwise.
    pub fn take(&mut self, row: ModelRow) -> Option<ModelRow> {
        match self.previous.find_by_id(row.id) {
            Some(listing) if holds_row(listing, &row) => {
                self.unchanged.push((row.id, row.lifecycle_status));
                None
            }
            _ => Some(row),
        }
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
    by_model: HashMap<Uuid, ModelOffers>,
    /// The next instant a price takes or leaves effect after `now`.
    next_price_change: Option<DateTime<Utc>>,
    /// The last instant a price took effect at or before `now`.
    last_price_boundary: Option<DateTime<Utc>>,
}

/// A model's offers as built from the rows, or as the previous content's
/// listing holds them (then they are not kept twice while the listings are
/// completed).
enum ModelOffers {
    Built(Vec<Offer>),
    AsBefore,
}

fn offers_by_model(
    mut price_rows: Vec<PeriodRow>,
    mut offer_rows: Vec<OfferRow>,
    regions: &[Region],
    usd_rates: &UsdRates,
    previous: Option<&CatalogContent>,
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
    let mut by_model: HashMap<Uuid, ModelOffers> = HashMap::new();
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
        let model_id = model_offers[0].model_id;
        let as_before = previous
            .and_then(|content| content.find_by_id(model_id))
            .is_some_and(|listing| same_offers(&listing.offers, &offers));
        let offers = if as_before {
            ModelOffers::AsBefore
        } else {
            ModelOffers::Built(offers)
        };
        by_model.insert(model_id, offers);
    }
    Offers {
        by_model,
        next_price_change,
        last_price_boundary,
    }
}

/// Whether `built` (in row order) are the offers `listed` holds (in the
/// listing's order).
fn same_offers(listed: &[Offer], built: &[Offer]) -> bool {
    listed.len() == built.len()
        && built
            .iter()
            .all(|offer| listed.iter().any(|kept| kept.id == offer.id && kept == offer))
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
    fn views_carried_to_new_rules_are_found_by_their_rules_until_no_tenant_asked_for_them_a_while() {
        let start = Instant::now();
        let mut cache = ViewCache::with_limits(VIEW_LIMITS);
        let (asked, idle) = (view("asked"), view("idle"));
        cache.keep(Uuid::now_v7(), "asked".into(), &asked);
        cache.keep(Uuid::now_v7(), "asked".into(), &asked);
        cache.keep(Uuid::now_v7(), "idle".into(), &idle);
        let mut carried = cache.carried(start);
        // A tenant's rules may be what changed: it finds its view again by
        // the fingerprint of its rules as they are now, or computes one.
        assert!(carried.by_tenant.is_empty());
        assert_eq!(carried.by_rules.len(), 2);
        assert!(Arc::ptr_eq(&carried.by_rules["asked"], &asked));
        assert_eq!(carried.bytes, asked.heap_bytes() + idle.heap_bytes());
        // Swaps in quick succession carry a view no one asks for between them.
        let later = carried.carried(start + VIEW_IDLE / 2);
        assert_eq!(later.by_rules.len(), 2);
        // Asked for again under the new rules, a view is carried on; one no
        // tenant asked for since `VIEW_IDLE` is left behind.
        carried.keep(Uuid::now_v7(), "asked".into(), &asked);
        let mut much_later = carried.carried(start + VIEW_IDLE / 2).carried(start + VIEW_IDLE);
        assert_eq!(much_later.by_rules.keys().collect::<Vec<_>>(), ["asked"]);
        assert_eq!(much_later.bytes, asked.heap_bytes());
        much_later = much_later.carried(start + VIEW_IDLE * 2);
        assert!(much_later.by_rules.is_empty());
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
