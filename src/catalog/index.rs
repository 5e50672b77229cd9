//! Precomputed indexes over a snapshot's listings, so discovery never scans
//! the catalog: posting lists per filter value (intersected as bitsets),
//! every sort order presorted (walked from the cursor until a page is full),
//! and facet columns (counted over the matching set).
//!
//! The definitions these must agree with are `DiscoveryQuery::matches` and
//! `query::compare`; the discovery tests check the two against each other
//! over the whole demo catalog.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use super::bitset::Bitset;
use super::cursor::SortValue;
use super::query::{
    compare, input_price_band, sort_value, DiscoveryQuery, FacetCount, Facets, Sort, SortField, MAX_FACET_VALUES,
};
use super::snapshot::Listing;
use crate::domain::vocab::{Capability, DeploymentType, LifecycleStatus, Modality, Task};

/// Listing positions per value, ascending; and for a value carried by many
/// listings (at least one in 64), the same as a bitset, so a filter on it
/// copies a set instead of building one bit by bit. Sparse values stay
/// lists: a catalog can have thousands of tags, and a bitset per tag would
/// cost 12.5 KB each at 100,000 listings.
struct Postings<K> {
    lists: HashMap<K, Vec<u32>>,
    dense: HashMap<K, Bitset>,
}

impl<K: Hash + Eq + Clone> Postings<K> {
    fn new() -> Self {
        Postings {
            lists: HashMap::new(),
            dense: HashMap::new(),
        }
    }

    fn add(&mut self, key: K, position: u32) {
        let list = self.lists.entry(key).or_default();
        // Listings are added in position order; a repeated value within one
        // listing (two offers in one region) is recorded once.
        if list.last() != Some(&position) {
            list.push(position);
        }
    }

    /// The positions of a value kept as a list (not one kept as a bitset).
    fn get<Q>(&self, key: &Q) -> &[u32]
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lists.get(key).map_or(&[], Vec::as_slice)
    }

    /// The listings carrying `key`, as a set over `len` listings.
    fn set_of<Q>(&self, key: &Q, len: usize) -> std::borrow::Cow<'_, Bitset>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self.dense.get(key) {
            Some(set) => std::borrow::Cow::Borrowed(set),
            None => std::borrow::Cow::Owned(Bitset::from_positions(len, self.get(key).iter().copied())),
        }
    }

    /// Turns the lists of the values carried by at least one listing in 64
    /// (the size of a bitset, in positions) into bitsets, and trims the rest.
    fn finish(&mut self, len: usize) {
        let words = len.div_ceil(64).max(1);
        let dense: Vec<K> = self
            .lists
            .iter()
            .filter(|(_, list)| list.len() >= words)
            .map(|(key, _)| key.clone())
            .collect();
        for key in dense {
            if let Some(list) = self.lists.remove(&key) {
                self.dense.insert(key, Bitset::from_positions(len, list));
            }
        }
        for list in self.lists.values_mut() {
            list.shrink_to_fit();
        }
    }
}

/// A presorted order's listings with a known key (the rest sort last), as a
/// set: a bound such as a price ceiling keeps a prefix of them, built from
/// this set minus the part past the bound when that part is the smaller.
struct KnownPrefix {
    sort: Sort,
    known: usize,
    set: Bitset,
}

/// One facet, kept two ways so either count is cheap: each listing's values
/// (none, one, or several: a listing is offered in several regions), and
/// each value's listings, as a bitset when they are many (a shared count is
/// then a popcount of two bitsets) and as positions otherwise.
struct FacetColumn {
    values: Vec<String>,
    /// Listing `i`'s values are `of[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    of: Vec<u32>,
    /// Value `v`'s listings.
    listings_of: Vec<ValueListings>,
    /// How many values have a bitset, and how many positions the others
    /// list in all: what counting by value costs.
    dense_values: usize,
    sparse_positions: usize,
}

enum ValueListings {
    Dense(Bitset),
    Sparse(Vec<u32>),
}

/// The matching set facets are counted over, with what choosing a way to
/// count needs: its size, and the words it occupies when it is sparse.
struct Counted<'a> {
    set: &'a Bitset,
    count: usize,
    /// `None` when most words are occupied (read them all).
    occupied_words: Option<Vec<u32>>,
}

impl<'a> Counted<'a> {
    fn new(set: &'a Bitset, count: usize) -> Self {
        // Listed only when few: a dense set is read whole, without the list.
        let occupied_words = (set.occupied_word_count() < set.word_count() / 2).then(|| set.occupied_words());
        Counted {
            set,
            count,
            occupied_words,
        }
    }

    fn words_read(&self) -> usize {
        self.occupied_words.as_ref().map_or(self.set.word_count(), Vec::len)
    }

    /// How many of `value`'s listings match.
    fn shared_with(&self, value: &ValueListings) -> u64 {
        match value {
            ValueListings::Dense(listings) => match &self.occupied_words {
                Some(words) => self.set.intersection_count_within(listings, words) as u64,
                None => self.set.intersection_count(listings) as u64,
            },
            ValueListings::Sparse(positions) => positions.iter().filter(|&&p| self.set.contains(p)).count() as u64,
        }
    }
}

impl FacetColumn {
    /// A facet with at most one value per listing.
    fn build<'a>(listings: &'a [Arc<Listing>], value: impl Fn(&'a Listing) -> Option<&'a str>) -> Self {
        Self::build_many(listings, |listing| value(listing).into_iter().collect())
    }

    /// A facet with any number of values per listing (each counted once).
    fn build_many<'a>(listings: &'a [Arc<Listing>], values_of: impl Fn(&'a Listing) -> Vec<&'a str>) -> Self {
        let mut interned: HashMap<&str, u32> = HashMap::new();
        let mut values = Vec::new();
        let mut starts = Vec::with_capacity(listings.len() + 1);
        let mut of = Vec::with_capacity(listings.len());
        let mut positions: Vec<Vec<u32>> = Vec::new();
        starts.push(0);
        for (position, listing) in listings.iter().enumerate() {
            let mut mine = values_of(listing);
            mine.sort_unstable();
            mine.dedup();
            for text in mine {
                let value = *interned.entry(text).or_insert_with(|| {
                    values.push(text.to_owned());
                    positions.push(Vec::new());
                    (values.len() - 1) as u32
                });
                of.push(value);
                positions[value as usize].push(position as u32);
            }
            starts.push(of.len() as u32);
        }
        of.shrink_to_fit();
        // A bitset costs a word per 64 listings: worth it once a value has
        // at least that many positions.
        let words = listings.len().div_ceil(64);
        let (mut dense_values, mut sparse_positions) = (0, 0);
        let listings_of = positions
            .into_iter()
            .map(|mut list| {
                if list.len() >= words.max(1) {
                    dense_values += 1;
                    ValueListings::Dense(Bitset::from_positions(listings.len(), list))
                } else {
                    sparse_positions += list.len();
                    list.shrink_to_fit();
                    ValueListings::Sparse(list)
                }
            })
            .collect();
        FacetColumn {
            values,
            starts,
            of,
            listings_of,
            dense_values,
            sparse_positions,
        }
    }

    /// The most frequent values among `matches`, ties by value.
    fn count(&self, matches: &Counted) -> Vec<FacetCount> {
        // Listing by listing costs a few steps per match; value by value, a
        // word per occupied word for each dense value and a probe per
        // position of the others. Both count exactly; the cheaper is taken.
        let by_value = self.dense_values * matches.words_read() + 2 * self.sparse_positions;
        let counts: Vec<u64> = if by_value < 4 * matches.count {
            self.listings_of
                .iter()
                .map(|value| matches.shared_with(value))
                .collect()
        } else {
            let mut counts = vec![0u64; self.values.len()];
            for position in matches.set.iter() {
                let (from, to) = (
                    self.starts[position as usize] as usize,
                    self.starts[position as usize + 1] as usize,
                );
                for value in &self.of[from..to] {
                    counts[*value as usize] += 1;
                }
            }
            counts
        };
        let mut nonzero: Vec<(usize, u64)> = counts.into_iter().enumerate().filter(|(_, count)| *count > 0).collect();
        nonzero.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| self.values[a.0].cmp(&self.values[b.0])));
        nonzero.truncate(MAX_FACET_VALUES);
        nonzero
            .into_iter()
            .map(|(value, count)| FacetCount {
                value: self.values[value].clone(),
                count,
            })
            .collect()
    }
}

/// The sorts that have a presorted order (relevance depends on the query).
const ORDERED_FIELDS: [SortField; 5] = [
    SortField::Name,
    SortField::ReleaseDate,
    SortField::ContextWindow,
    SortField::InputPrice,
    SortField::OutputPrice,
];

pub struct FilterIndex {
    len: usize,
    publishers: Postings<String>,
    tasks: Postings<Task>,
    input_modalities: Postings<Modality>,
    output_modalities: Postings<Modality>,
    capabilities: Postings<Capability>,
    regions: Postings<String>,
    deployment_types: Postings<DeploymentType>,
    origin_countries: Postings<String>,
    /// By lower-case licence id: the filter ignores case.
    licenses: Postings<String>,
    lifecycles: Postings<LifecycleStatus>,
    open_weights: Vec<u32>,
    tags: Postings<String>,
    /// Listing positions in each sort order, both directions.
    orders: Vec<(Sort, Vec<u32>)>,
    /// For the orders bounds are found in.
    known_prefixes: Vec<KnownPrefix>,
    /// Every listing not retired: what discovery starts from.
    not_retired: Bitset,
    facet_publisher: FacetColumn,
    facet_task: FacetColumn,
    facet_license: FacetColumn,
    facet_origin_country: FacetColumn,
    facet_region: FacetColumn,
    facet_capability: FacetColumn,
    facet_input_modality: FacetColumn,
    facet_output_modality: FacetColumn,
    facet_deployment_type: FacetColumn,
    facet_lifecycle: FacetColumn,
    facet_input_price_band: FacetColumn,
}

impl FilterIndex {
    pub fn build(listings: &[Arc<Listing>]) -> Self {
        let mut index = FilterIndex {
            len: listings.len(),
            publishers: Postings::new(),
            tasks: Postings::new(),
            input_modalities: Postings::new(),
            output_modalities: Postings::new(),
            capabilities: Postings::new(),
            regions: Postings::new(),
            deployment_types: Postings::new(),
            origin_countries: Postings::new(),
            licenses: Postings::new(),
            lifecycles: Postings::new(),
            open_weights: Vec::new(),
            tags: Postings::new(),
            orders: Vec::new(),
            known_prefixes: Vec::new(),
            not_retired: Bitset::full(listings.len()),
            facet_publisher: FacetColumn::build(listings, |l| Some(l.publisher.slug.as_str())),
            facet_task: FacetColumn::build(listings, |l| Some(l.task.as_str())),
            facet_license: FacetColumn::build(listings, |l| Some(&*l.license)),
            facet_origin_country: FacetColumn::build(listings, |l| l.origin_country.as_deref()),
            facet_region: FacetColumn::build_many(listings, |l| l.regions.iter().map(|r| &**r).collect()),
            facet_capability: FacetColumn::build_many(listings, |l| {
                l.capabilities.iter().map(|c| c.as_str()).collect()
            }),
            facet_input_modality: FacetColumn::build_many(listings, |l| {
                l.input_modalities.iter().map(|m| m.as_str()).collect()
            }),
            facet_output_modality: FacetColumn::build_many(listings, |l| {
                l.output_modalities.iter().map(|m| m.as_str()).collect()
            }),
            facet_deployment_type: FacetColumn::build_many(listings, |l| {
                l.offers.iter().map(|o| o.deployment_type.as_str()).collect()
            }),
            facet_lifecycle: FacetColumn::build(listings, |l| Some(l.lifecycle.as_str())),
            facet_input_price_band: FacetColumn::build(listings, |l| Some(input_price_band(l.min_input_price))),
        };
        for (position, listing) in listings.iter().enumerate() {
            let position = position as u32;
            index.publishers.add(listing.publisher.slug.clone(), position);
            index.tasks.add(listing.task, position);
            for modality in &listing.input_modalities {
                index.input_modalities.add(*modality, position);
            }
            for modality in &listing.output_modalities {
                index.output_modalities.add(*modality, position);
            }
            for capability in &listing.capabilities {
                index.capabilities.add(*capability, position);
            }
            for region in &listing.regions {
                index.regions.add(region.to_string(), position);
            }
            for offer in &listing.offers {
                index.deployment_types.add(offer.deployment_type, position);
            }
            if let Some(country) = &listing.origin_country {
                index.origin_countries.add(country.to_string(), position);
            }
            index.licenses.add(listing.license.to_ascii_lowercase(), position);
            index.lifecycles.add(listing.lifecycle, position);
            if listing.open_weights {
                index.open_weights.push(position);
            }
            for tag in &listing.tags {
                index.tags.add(tag.to_string(), position);
            }
        }
        let len = listings.len();
        index.publishers.finish(len);
        index.tasks.finish(len);
        index.input_modalities.finish(len);
        index.output_modalities.finish(len);
        index.capabilities.finish(len);
        index.regions.finish(len);
        index.deployment_types.finish(len);
        index.origin_countries.finish(len);
        index.licenses.finish(len);
        index.lifecycles.finish(len);
        index.tags.finish(len);
        index
            .not_retired
            .subtract(&index.lifecycles.set_of(&LifecycleStatus::Retired, len));
        for field in ORDERED_FIELDS {
            // The keys (and the ids that break ties) are read once per field,
            // not once per comparison: each listing is behind a pointer.
            let keys: Vec<_> = listings.iter().map(|l| (sort_value(l, field, 0), l.id)).collect();
            for descending in [false, true] {
                let sort = Sort { field, descending };
                let mut order: Vec<u32> = (0..listings.len() as u32).collect();
                order.sort_by(|&a, &b| {
                    let (a, b) = (&keys[a as usize], &keys[b as usize]);
                    compare((&a.0, a.1), (&b.0, b.1), sort)
                });
                index.orders.push((sort, order));
            }
        }
        for sort in [
            Sort {
                field: SortField::InputPrice,
                descending: false,
            },
            Sort {
                field: SortField::OutputPrice,
                descending: false,
            },
            Sort {
                field: SortField::ContextWindow,
                descending: true,
            },
        ] {
            let order = index.order(sort).unwrap_or(&[]);
            // Unknown keys sort last in either direction.
            let known = order.partition_point(|&p| sort_value(&listings[p as usize], sort.field, 0) != SortValue::Null);
            let set = Bitset::from_positions(len, order[..known].iter().copied());
            index.known_prefixes.push(KnownPrefix { sort, known, set });
        }
        index
    }

    /// The listing positions in `sort` order; `None` for relevance.
    pub fn order(&self, sort: Sort) -> Option<&[u32]> {
        self.orders
            .iter()
            .find(|(candidate, _)| *candidate == sort)
            .map(|(_, order)| order.as_slice())
    }

    fn set(&self, positions: &[u32]) -> Bitset {
        Bitset::from_positions(self.len, positions.iter().copied())
    }

    /// Listings carrying any of `values`.
    fn any_of<'k, K, Q>(&self, postings: &Postings<K>, values: impl IntoIterator<Item = &'k Q>) -> Bitset
    where
        K: Hash + Eq + Clone + std::borrow::Borrow<Q> + 'k,
        Q: Hash + Eq + ?Sized + 'k,
    {
        let mut set: Option<Bitset> = None;
        for value in values {
            match (&mut set, postings.dense.get(value)) {
                (None, _) => set = Some(postings.set_of(value, self.len).into_owned()),
                (Some(set), Some(dense)) => set.union_with(dense),
                (Some(set), None) => {
                    for &position in postings.get(value) {
                        set.insert(position);
                    }
                }
            }
        }
        set.unwrap_or_else(|| Bitset::empty(self.len))
    }

    /// Narrows `set` to listings carrying every one of `values`.
    fn keep_all_of<K: Hash + Eq + Clone>(&self, set: &mut Bitset, postings: &Postings<K>, values: &[K]) {
        for value in values {
            set.intersect_with(&postings.set_of(value, self.len));
        }
    }

    /// Listings whose key is in the first `count` positions of `sort`'s
    /// order, found by `within` (true for a prefix of that order).
    fn prefix_of(&self, sort: Sort, listings: &[Arc<Listing>], within: impl Fn(&Listing) -> bool) -> Bitset {
        let order = self.order(sort).unwrap_or(&[]);
        let end = order.partition_point(|&position| within(&listings[position as usize]));
        match self.known_prefixes.iter().find(|prefix| prefix.sort == sort) {
            // Most of the known keys are within: remove the few past the bound.
            Some(prefix) if end <= prefix.known && end * 2 > prefix.known => {
                let mut set = prefix.set.clone();
                for &position in &order[end..prefix.known] {
                    set.remove(position);
                }
                set
            }
            _ => self.set(&order[..end]),
        }
    }

    /// Every listing matching the query's filters (not `q`, not the
    /// tenant's decision): the same set as `DiscoveryQuery::matches`.
    pub fn candidates(&self, query: &DiscoveryQuery, listings: &[Arc<Listing>]) -> Bitset {
        // Retired listings leave discovery unless asked for by lifecycle.
        let mut set = if query.lifecycles.is_empty() {
            self.not_retired.clone()
        } else {
            self.any_of(&self.lifecycles, &query.lifecycles)
        };
        if !query.publishers.is_empty() {
            set.intersect_with(&self.any_of(&self.publishers, query.publishers.iter().map(String::as_str)));
        }
        if !query.tasks.is_empty() {
            set.intersect_with(&self.any_of(&self.tasks, &query.tasks));
        }
        if !query.modalities.is_empty() {
            let mut either = self.any_of(&self.input_modalities, &query.modalities);
            either.union_with(&self.any_of(&self.output_modalities, &query.modalities));
            set.intersect_with(&either);
        }
        if !query.regions.is_empty() {
            set.intersect_with(&self.any_of(&self.regions, query.regions.iter().map(String::as_str)));
        }
        if !query.deployment_types.is_empty() {
            set.intersect_with(&self.any_of(&self.deployment_types, &query.deployment_types));
        }
        if !query.origin_countries.is_empty() {
            set.intersect_with(&self.any_of(
                &self.origin_countries,
                query.origin_countries.iter().map(String::as_str),
            ));
        }
        if !query.licenses.is_empty() {
            let lower: Vec<String> = query.licenses.iter().map(|l| l.to_ascii_lowercase()).collect();
            set.intersect_with(&self.any_of(&self.licenses, lower.iter().map(String::as_str)));
        }
        if let Some(open) = query.open_weights {
            let open_set = self.set(&self.open_weights);
            if open {
                set.intersect_with(&open_set);
            } else {
                set.subtract(&open_set);
            }
        }
        if !(query.base_models.is_empty() && query.derived_from.is_empty() && query.derivatives_of.is_none()) {
            // Few listings have a lineage, and these filters are rare: a
            // scan of the candidates left, by the same test `matches` uses.
            let keep: Vec<u32> = set
                .iter()
                .filter(|&position| query.matches_lineage(&listings[position as usize]))
                .collect();
            set = self.set(&keep);
        }
        let field = query.effective_sort().field;
        if matches!(field, SortField::InputPrice | SortField::OutputPrice) && !query.include_unpriced {
            // Unknown prices sort last in the price order: the priced
            // listings are its prefix.
            let ascending = Sort {
                field,
                descending: false,
            };
            let priced = self.prefix_of(ascending, listings, |l| query.matches_price_order(l));
            set.intersect_with(&priced);
        }
        self.keep_all_of(&mut set, &self.input_modalities, &query.input_modalities);
        self.keep_all_of(&mut set, &self.output_modalities, &query.output_modalities);
        self.keep_all_of(&mut set, &self.capabilities, &query.capabilities);
        self.keep_all_of(&mut set, &self.tags, &query.tags);
        let ascending = |field| Sort {
            field,
            descending: false,
        };
        if let Some(max) = query.max_input_price_per_mtok {
            let cheap = self.prefix_of(ascending(SortField::InputPrice), listings, |l| {
                l.min_input_price.is_some_and(|price| price <= max)
            });
            set.intersect_with(&cheap);
        }
        if let Some(max) = query.max_output_price_per_mtok {
            let cheap = self.prefix_of(ascending(SortField::OutputPrice), listings, |l| {
                l.min_output_price.is_some_and(|price| price <= max)
            });
            set.intersect_with(&cheap);
        }
        if let Some(min) = query.min_context_window {
            let largest_first = Sort {
                field: SortField::ContextWindow,
                descending: true,
            };
            let large = self.prefix_of(largest_first, listings, |l| {
                l.context_window.is_some_and(|context| context >= min)
            });
            set.intersect_with(&large);
        }
        set
    }

    /// Facet counts over `matches`, which hold `count` listings.
    pub fn facets(&self, matches: &Bitset, count: usize) -> Facets {
        let matches = &Counted::new(matches, count);
        Facets {
            publisher: self.facet_publisher.count(matches),
            task: self.facet_task.count(matches),
            license: self.facet_license.count(matches),
            origin_country: self.facet_origin_country.count(matches),
            region: self.facet_region.count(matches),
            capability: self.facet_capability.count(matches),
            input_modality: self.facet_input_modality.count(matches),
            output_modality: self.facet_output_modality.count(matches),
            deployment_type: self.facet_deployment_type.count(matches),
            lifecycle: self.facet_lifecycle.count(matches),
            input_price_band: self.facet_input_price_band.count(matches),
        }
    }
}
