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

/// A presorted order's listings with a known key (the rest sort last): a
/// bound such as a price ceiling keeps a prefix of them. The prefixes ending
/// at every thirty-second of them are kept as sets (400 KB an order at
/// 100,000 listings), so a match set is narrowed to any prefix through the
/// nearest, with at most a sixty-fourth of the listings added or removed
/// one by one, wherever a ceiling falls.
struct KnownPrefix {
    sort: Sort,
    /// `(end, the set of order[..end])`, ascending by end; the first is the
    /// empty prefix and the last every listing with a known key.
    checkpoints: Vec<(usize, Bitset)>,
    /// Each known key as its [`key_number`], in the order's order (4 bytes
    /// a listing): a bound is found among these, side by side in memory,
    /// instead of among the listings behind their pointers, where each step
    /// of the search missed the CPU's caches (two thirds of the time spent
    /// finding a page's candidates).
    numbers: Vec<u32>,
    /// Every [`NUMBER_BLOCK`]th of `numbers`: a bound is searched among
    /// these first (6 KB at 100,000 listings), then within the one block
    /// that can hold it. `numbers` themselves are 400 KB there, and a
    /// binary search over them missed the caches at most of its steps (the
    /// searches were a third of the time finding a page's candidates took).
    sampled: Vec<u32>,
}

/// How many equal parts a known prefix's checkpoints divide it into.
const PREFIX_PARTS: usize = 32;

/// How many numbers lie between two sampled ones: a block is four cache
/// lines.
const NUMBER_BLOCK: usize = 64;

impl KnownPrefix {
    /// `key` gives a listing's key by its position.
    fn of<'k>(sort: Sort, order: &[u32], key: impl Fn(u32) -> &'k SortValue, len: usize) -> Self {
        // Unknown keys sort last in either direction.
        let known = order.partition_point(|&p| *key(p) != SortValue::Null);
        let numbers: Vec<u32> = order[..known]
            .iter()
            .map(|&p| key_number(key(p), sort.descending))
            .collect();
        let sampled = numbers.iter().copied().step_by(NUMBER_BLOCK).collect();
        let mut checkpoints = vec![(0, Bitset::empty(len))];
        let mut set = Bitset::empty(len);
        let mut end = 0;
        for part in 1..=PREFIX_PARTS {
            let next = known * part / PREFIX_PARTS;
            if next == end {
                continue;
            }
            for &position in &order[end..next] {
                set.insert(position);
            }
            end = next;
            checkpoints.push((end, set.clone()));
        }
        KnownPrefix {
            sort,
            checkpoints,
            numbers,
            sampled,
        }
    }

    /// How many numbers are below `number`: found among the sampled numbers,
    /// then within one block.
    fn numbers_below(&self, number: u32) -> usize {
        // Sampled numbers `..block` are below `number`, so the first number
        // that is not lies after the block's sampled number before it, and
        // at the latest at the block's own.
        let block = self.sampled.partition_point(|&n| n < number);
        let from = block.saturating_sub(1) * NUMBER_BLOCK;
        let to = (block * NUMBER_BLOCK).min(self.numbers.len());
        from + self.numbers[from..to].partition_point(|&n| n < number)
    }

    /// How many of the order's first listings lie within `bound`, for a
    /// `within` that holds for a known key exactly when it is `bound` or
    /// comes before it in the order. Numbers below the bound's are within
    /// and numbers above are not ([`key_number`] never orders two keys
    /// against the order); only the listings whose number equals the
    /// bound's are read.
    fn end_within(&self, order: &[u32], bound: &SortValue, within: impl Fn(u32) -> bool) -> usize {
        let number = key_number(bound, self.sort.descending);
        let below = self.numbers_below(number);
        let through = number
            .checked_add(1)
            .map_or(self.numbers.len(), |next| self.numbers_below(next));
        below + order[below..through].partition_point(|&position| within(position))
    }

    /// Narrows `set` to `order[..end]`, for an `end` within the known keys,
    /// through the nearest checkpoint (no set is copied).
    fn narrow(&self, set: &mut Bitset, order: &[u32], end: usize) {
        let (at, checkpoint) = self
            .checkpoints
            .iter()
            .min_by_key(|(at, _)| at.abs_diff(end))
            .expect("the empty prefix is always kept");
        if *at >= end {
            set.intersect_with(checkpoint);
            for &position in &order[end..*at] {
                set.remove(position);
            }
        } else {
            // Past the checkpoint and within the prefix: kept if held. Sized
            // for every one of them up front (grown as found, the vector
            // was reallocated several times a request).
            let between = &order[*at..end];
            let mut held = Vec::with_capacity(between.len());
            held.extend(between.iter().copied().filter(|&position| set.contains(position)));
            set.intersect_with(checkpoint);
            for position in held {
                set.insert(position);
            }
        }
    }

    fn known(&self) -> usize {
        self.numbers.len()
    }
}

/// A price's number counts ten-thousandths of its currency (per 1M tokens,
/// a hundredth of a cent), rounded down. The listings whose price rounds
/// down to the bound's number are read, by a binary search among them.
const PRICE_NUMBER_SCALE: i64 = 10_000;

/// A numeric sort key as a `u32` that never orders two keys against the
/// order (ascending, or `descending`): equal keys have equal numbers, and a
/// key that sorts first has a number no larger. Context windows (`i32`) map
/// one to one; prices are counted in ten-thousandths, rounded down, so close
/// prices may share a number. Out of range, a number stops at `0` or
/// `u32::MAX`, which only makes more keys share it.
fn key_number(key: &SortValue, descending: bool) -> u32 {
    let clamp = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    let ascending = match key {
        SortValue::Int(n) => clamp(n.saturating_sub(i64::from(i32::MIN))),
        SortValue::Dec(price) => {
            let beyond = if price.is_sign_negative() { 0 } else { u32::MAX };
            price
                .checked_mul(rust_decimal::Decimal::from(PRICE_NUMBER_SCALE))
                .and_then(|scaled| rust_decimal::prelude::ToPrimitive::to_i64(&scaled.floor()))
                .map_or(beyond, clamp)
        }
        SortValue::Null | SortValue::Text(_) => unreachable!("bounds are kept on numeric keys only"),
    };
    if descending {
        u32::MAX - ascending
    } else {
        ascending
    }
}

/// One facet, kept two ways so either count is cheap: each listing's values
/// (none, one, or several: a listing is offered in several regions), and
/// each value's listings, as runs of consecutive positions when they are
/// few and as a bitset otherwise (a shared count is then a popcount of two
/// bitsets).
struct FacetColumn {
    /// In the order of their text, so a value's index orders as its text
    /// does ([`most_first`]).
    values: Vec<Box<str>>,
    /// Listing `i`'s values are `of[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    of: Vec<u32>,
    /// Value `v`'s listings.
    listings_of: Vec<ValueListings>,
    /// How many values have a bitset, and how many runs the others have in
    /// all: what counting by value costs.
    dense_values: usize,
    runs: usize,
}

/// Listings lie in slug order, publisher by publisher and, within one, the
/// variants of a model side by side; what a publisher's models share (a
/// licence, a country of origin, the regions they are offered in) then
/// covers a few long runs of positions rather than positions scattered
/// across the catalog. A value with few runs is counted from the matching
/// set's rank at either end of each; one with many, as a bitset.
enum ValueListings {
    Runs(Vec<Run>),
    Dense(Bitset),
}

/// The listings `start..end`: positions while its column is built, then
/// indexes into the index's run bounds ([`FacetColumn::bind_runs`]), where
/// the matching set's ranks are computed once for every facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    start: u32,
    end: u32,
}

/// What counting one run costs, in words of a two-set popcount: two reads
/// of the ranks computed at the run bounds (and, spread over the runs, that
/// computation), against a fraction of a word of the vectorised popcount. A
/// value is kept as runs when counting them costs no more than reading a
/// bitset of every listing.
const RUN_COST: usize = 4;

/// A value's listings (ascending positions) as the runs they form.
fn runs_of(positions: &[u32]) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    for &position in positions {
        match runs.last_mut() {
            Some(run) if run.end == position => run.end += 1,
            _ => runs.push(Run {
                start: position,
                end: position + 1,
            }),
        }
    }
    runs.shrink_to_fit();
    runs
}

/// The matching set facets are counted over, with what choosing a way to
/// count needs: its size, and the words it occupies when it is sparse.
struct Counted<'a> {
    set: &'a Bitset,
    count: usize,
    /// `None` when most words are occupied (read them all).
    occupied_words: Option<Vec<u32>>,
    /// Where every facet's runs start and end, ascending.
    run_bounds: &'a [u32],
    /// The set's rank at each run bound: computed at the first value kept
    /// as runs, then shared by every facet.
    ranks: std::cell::OnceCell<Vec<u32>>,
}

impl<'a> Counted<'a> {
    fn new(set: &'a Bitset, count: usize, run_bounds: &'a [u32]) -> Self {
        // Listed only when few: a dense set is read whole, without the list.
        let occupied_words = (set.occupied_word_count() < set.word_count() / 2).then(|| set.occupied_words());
        Counted {
            set,
            count,
            occupied_words,
            run_bounds,
            ranks: std::cell::OnceCell::new(),
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
            ValueListings::Runs(runs) => {
                let ranks = self.ranks.get_or_init(|| self.set.ranks_at(self.run_bounds));
                // Runs ascend and do not overlap (`runs_of` makes them in
                // position order, and `bind_runs` keeps that order), so the
                // last run's end is the largest index read: checked once
                // here, not twice a run (a page counts about 8,000 runs, and
                // the two checks were a third of the loop's instructions).
                debug_assert!(runs.windows(2).all(|pair| pair[0].end <= pair[1].start));
                let Some(last) = runs.last() else { return 0 };
                assert!((last.end as usize) < ranks.len(), "a run ends within the bounds ranked");
                runs.iter()
                    .map(|run| {
                        debug_assert!(run.start <= run.end);
                        // SAFETY: `run.start <= run.end <= last.end`, which
                        // is within `ranks`, as asserted above.
                        let (start, end) = unsafe {
                            (
                                ranks.get_unchecked(run.start as usize),
                                ranks.get_unchecked(run.end as usize),
                            )
                        };
                        u64::from(end - start)
                    })
                    .sum()
            }
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
        Self::of_values(listings.len(), listings.iter().map(|listing| values_of(listing)))
    }

    /// A facet over `len` listings, from each listing's values in position
    /// order.
    fn of_values<'a>(len: usize, each_listing: impl Iterator<Item = Vec<&'a str>>) -> Self {
        let mut interned: HashMap<&str, u32> = HashMap::new();
        let mut values: Vec<Box<str>> = Vec::new();
        let mut starts = Vec::with_capacity(len + 1);
        let mut of = Vec::with_capacity(len);
        let mut positions: Vec<Vec<u32>> = Vec::new();
        starts.push(0);
        for (position, mut mine) in each_listing.enumerate() {
            mine.sort_unstable();
            mine.dedup();
            for text in mine {
                let value = *interned.entry(text).or_insert_with(|| {
                    values.push(Box::from(text));
                    positions.push(Vec::new());
                    (values.len() - 1) as u32
                });
                of.push(value);
                positions[value as usize].push(position as u32);
            }
            starts.push(of.len() as u32);
        }
        debug_assert_eq!(starts.len(), len + 1);
        // Numbered as first met; renumbered in the order of their text.
        let mut by_text: Vec<u32> = (0..values.len() as u32).collect();
        by_text.sort_unstable_by(|&a, &b| values[a as usize].cmp(&values[b as usize]));
        let mut renumbered = vec![0u32; values.len()];
        for (new, &old) in by_text.iter().enumerate() {
            renumbered[old as usize] = new as u32;
        }
        for value in &mut of {
            *value = renumbered[*value as usize];
        }
        let (values, positions): (Vec<Box<str>>, Vec<Vec<u32>>) = by_text
            .iter()
            .map(|&old| {
                let old = old as usize;
                (std::mem::take(&mut values[old]), std::mem::take(&mut positions[old]))
            })
            .unzip();
        of.shrink_to_fit();
        let words = len.div_ceil(64).max(1);
        let (mut dense_values, mut all_runs) = (0, 0);
        let listings_of = positions
            .into_iter()
            .map(|list| {
                let runs = runs_of(&list);
                if runs.len() * RUN_COST <= words {
                    all_runs += runs.len();
                    ValueListings::Runs(runs)
                } else {
                    dense_values += 1;
                    ValueListings::Dense(Bitset::from_positions(len, list))
                }
            })
            .collect();
        FacetColumn {
            values,
            starts,
            of,
            listings_of,
            dense_values,
            runs: all_runs,
        }
    }

    /// Where this facet's runs start and end, as positions.
    fn run_ends(&self) -> impl Iterator<Item = u32> + '_ {
        self.listings_of
            .iter()
            .flat_map(|value| match value {
                ValueListings::Runs(runs) => runs.as_slice(),
                ValueListings::Dense(_) => &[],
            })
            .flat_map(|run| [run.start, run.end])
    }

    /// Turns this facet's runs from positions into indexes into `bounds`
    /// (ascending, holding every end of every run).
    fn bind_runs(&mut self, bounds: &[u32]) {
        let index_of = |position: u32| bounds.binary_search(&position).expect("every run end is a bound") as u32;
        for value in &mut self.listings_of {
            if let ValueListings::Runs(runs) = value {
                for run in runs {
                    *run = Run {
                        start: index_of(run.start),
                        end: index_of(run.end),
                    };
                }
            }
        }
    }

    /// The most frequent values among `matches`, ties by value. `keys` is
    /// room to sort them in, lent by the caller: a page's eleven facets
    /// share one.
    fn count(&self, matches: &Counted, keys: &mut Vec<u64>) -> Vec<FacetCount<'_>> {
        // Listing by listing costs a few steps per match; value by value, a
        // word per occupied word for each dense value and a few per run of
        // the others (after a pass over the matches for their ranks, shared
        // by every facet). Both count exactly; the cheaper is taken.
        let by_value = self.dense_values * matches.words_read() + RUN_COST * self.runs;
        keys.clear();
        if by_value < 4 * matches.count {
            keys.extend(self.counts_by_value(matches).enumerate().filter_map(most_first));
        } else {
            keys.extend(
                self.counts_by_listing(matches.set)
                    .into_iter()
                    .enumerate()
                    .filter_map(most_first),
            );
        }
        if keys.len() > MAX_FACET_VALUES {
            keys.select_nth_unstable(MAX_FACET_VALUES - 1);
            keys.truncate(MAX_FACET_VALUES);
        }
        keys.sort_unstable();
        keys.iter()
            .map(|&key| {
                let (value, count) = of_most_first(key);
                FacetCount {
                    value: &self.values[value],
                    count,
                }
            })
            .collect()
    }

    /// Each value's count among `matches`, value by value.
    fn counts_by_value<'c>(&'c self, matches: &'c Counted) -> impl Iterator<Item = u64> + 'c {
        self.listings_of.iter().map(|value| matches.shared_with(value))
    }

    /// Each value's count among `matches`, listing by listing.
    fn counts_by_listing(&self, matches: &Bitset) -> Vec<u64> {
        let mut counts = vec![0u64; self.values.len()];
        for position in matches.iter() {
            let (from, to) = (
                self.starts[position as usize] as usize,
                self.starts[position as usize + 1] as usize,
            );
            for value in &self.of[from..to] {
                counts[*value as usize] += 1;
            }
        }
        counts
    }
}

/// Value `value` counted `count` times as one number that sorts most
/// frequent first and, among equal counts, by value (values are kept in the
/// order of their text): a facet's values are sorted as numbers, not by
/// comparing their text. `None` for a value no match has.
fn most_first((value, count): (usize, u64)) -> Option<u64> {
    // A count never exceeds the listings, which are numbered in `u32`.
    let count = u32::try_from(count).expect("a count of listings fits a u32");
    (count > 0).then(|| (u64::from(u32::MAX - count) << 32) | value as u64)
}

/// The value and count [`most_first`] made `key` of.
fn of_most_first(key: u64) -> (usize, u64) {
    (
        (key & u64::from(u32::MAX)) as usize,
        u64::from(u32::MAX - (key >> 32) as u32),
    )
}

/// The sorts that have a presorted order (relevance depends on the query).
const ORDERED_FIELDS: [SortField; 5] = [
    SortField::Name,
    SortField::ReleaseDate,
    SortField::ContextWindow,
    SortField::InputPrice,
    SortField::OutputPrice,
];

/// Every facet's column, in the order of `FilterIndex`'s facet fields, with
/// their runs bound to the run ends they share.
struct FacetColumns {
    columns: [FacetColumn; 11],
    run_bounds: Vec<u32>,
}

impl FacetColumns {
    fn build(listings: &[Arc<Listing>]) -> Self {
        let mut columns = [
            FacetColumn::build(listings, |l| Some(l.publisher.slug.as_str())),
            FacetColumn::build(listings, |l| Some(l.task.as_str())),
            FacetColumn::build(listings, |l| Some(&*l.license)),
            FacetColumn::build(listings, |l| l.origin_country.as_deref()),
            FacetColumn::build_many(listings, |l| l.regions.iter().map(|r| &**r).collect()),
            FacetColumn::build_many(listings, |l| l.capabilities.iter().map(|c| c.as_str()).collect()),
            FacetColumn::build_many(listings, |l| l.input_modalities.iter().map(|m| m.as_str()).collect()),
            FacetColumn::build_many(listings, |l| l.output_modalities.iter().map(|m| m.as_str()).collect()),
            FacetColumn::build_many(listings, |l| {
                l.offers.iter().map(|o| o.deployment_type.as_str()).collect()
            }),
            FacetColumn::build(listings, |l| Some(l.lifecycle.as_str())),
            FacetColumn::build(listings, |l| Some(input_price_band(l.min_input_price))),
        ];
        let mut run_bounds: Vec<u32> = columns.iter().flat_map(|c| c.run_ends()).collect();
        run_bounds.sort_unstable();
        run_bounds.dedup();
        run_bounds.shrink_to_fit();
        for column in &mut columns {
            column.bind_runs(&run_bounds);
        }
        FacetColumns { columns, run_bounds }
    }
}

/// Listing positions in each presorted order, both directions, and the
/// known prefixes of the orders bounds are found in.
struct SortedOrders {
    orders: Vec<(Sort, Vec<u32>)>,
    known_prefixes: Vec<KnownPrefix>,
}

/// The sorts a query can bound (price ceilings, a least context window):
/// each keeps its [`KnownPrefix`].
const BOUNDED_SORTS: [Sort; 3] = [
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
];

impl SortedOrders {
    fn build(listings: &[Arc<Listing>]) -> Self {
        let len = listings.len();
        let mut orders = Vec::with_capacity(2 * ORDERED_FIELDS.len());
        let mut known_prefixes = Vec::with_capacity(BOUNDED_SORTS.len());
        for field in ORDERED_FIELDS {
            // The keys (and the ids that break ties) are read once per field,
            // not once per comparison: each listing is behind a pointer.
            let keys: Vec<_> = listings.iter().map(|l| (sort_value(l, field, 0), l.id)).collect();
            let ascending = Sort {
                field,
                descending: false,
            };
            let mut order: Vec<u32> = (0..len as u32).collect();
            // The comparison is total (ties go by id): an unstable sort
            // gives the one order there is.
            order.sort_unstable_by(|&a, &b| {
                let (a, b) = (&keys[a as usize], &keys[b as usize]);
                compare((&a.0, a.1), (&b.0, b.1), ascending)
            });
            let descending = descending_from(&order, |position| &keys[position as usize].0);
            let descending = (
                Sort {
                    field,
                    descending: true,
                },
                descending,
            );
            for (sort, order) in [(ascending, &order), (descending.0, &descending.1)] {
                if BOUNDED_SORTS.contains(&sort) {
                    known_prefixes.push(KnownPrefix::of(sort, order, |p| &keys[p as usize].0, len));
                }
            }
            orders.push((ascending, order));
            orders.push(descending);
        }
        SortedOrders { orders, known_prefixes }
    }
}

/// The descending order from the ascending one, without sorting again: the
/// known keys from the largest down, listings with equal keys still by id
/// (`compare` breaks ties so in either direction), then the unknown keys,
/// which sort last either way, as they were.
fn descending_from<'k>(ascending: &[u32], key: impl Fn(u32) -> &'k SortValue) -> Vec<u32> {
    let known = ascending.partition_point(|&position| *key(position) != SortValue::Null);
    let mut order = Vec::with_capacity(ascending.len());
    let mut end = known;
    while end > 0 {
        let largest = key(ascending[end - 1]);
        let start = ascending[..end - 1]
            .iter()
            .rposition(|&position| key(position) != largest)
            .map_or(0, |before| before + 1);
        order.extend_from_slice(&ascending[start..end]);
        end = start;
    }
    order.extend_from_slice(&ascending[known..]);
    order
}

/// Listing positions per filter value, for the filters a query narrows by.
struct PostingLists {
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
    /// Every listing not retired: what discovery starts from.
    not_retired: Bitset,
}

impl PostingLists {
    fn build(listings: &[Arc<Listing>]) -> Self {
        let len = listings.len();
        let mut lists = PostingLists {
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
            not_retired: Bitset::full(len),
        };
        for (position, listing) in listings.iter().enumerate() {
            let position = position as u32;
            lists.publishers.add(listing.publisher.slug.clone(), position);
            lists.tasks.add(listing.task, position);
            for modality in &listing.input_modalities {
                lists.input_modalities.add(*modality, position);
            }
            for modality in &listing.output_modalities {
                lists.output_modalities.add(*modality, position);
            }
            for capability in &listing.capabilities {
                lists.capabilities.add(*capability, position);
            }
            for region in &listing.regions {
                lists.regions.add(region.to_string(), position);
            }
            for offer in &listing.offers {
                lists.deployment_types.add(offer.deployment_type, position);
            }
            if let Some(country) = &listing.origin_country {
                lists.origin_countries.add(country.to_string(), position);
            }
            lists.licenses.add(listing.license.to_ascii_lowercase(), position);
            lists.lifecycles.add(listing.lifecycle, position);
            if listing.open_weights {
                lists.open_weights.push(position);
            }
            for tag in &listing.tags {
                lists.tags.add(tag.to_string(), position);
            }
        }
        lists.publishers.finish(len);
        lists.tasks.finish(len);
        lists.input_modalities.finish(len);
        lists.output_modalities.finish(len);
        lists.capabilities.finish(len);
        lists.regions.finish(len);
        lists.deployment_types.finish(len);
        lists.origin_countries.finish(len);
        lists.licenses.finish(len);
        lists.lifecycles.finish(len);
        lists.tags.finish(len);
        lists
            .not_retired
            .subtract(&lists.lifecycles.set_of(&LifecycleStatus::Retired, len));
        lists
    }
}

pub struct FilterIndex {
    len: usize,
    /// Each filter's listings by value.
    lists: PostingLists,
    /// Listing positions in each sort order, both directions.
    orders: Vec<(Sort, Vec<u32>)>,
    /// For the orders bounds are found in.
    known_prefixes: Vec<KnownPrefix>,
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
    /// Every facet's run ends, ascending and each once.
    run_bounds: Vec<u32>,
    /// The most values one facet has: the room its count sorts in.
    most_facet_values: usize,
}

impl FilterIndex {
    /// Built in three parts side by side (the facet columns, the posting
    /// lists, the presorted orders): each is about a tenth of a second at
    /// 100,000 listings, and a start waits for the whole index.
    pub fn build(listings: &[Arc<Listing>]) -> Self {
        let side_by_side = super::parallel::worth_it(listings.len());
        let (facets, (sorted, lists)) = super::parallel::join(
            side_by_side,
            || FacetColumns::build(listings),
            || {
                super::parallel::join(
                    side_by_side,
                    || SortedOrders::build(listings),
                    || PostingLists::build(listings),
                )
            },
        );
        let most_facet_values = facets
            .columns
            .iter()
            .map(|column| column.values.len())
            .max()
            .unwrap_or(0);
        let FacetColumns {
            columns:
                [publisher, task, license, origin_country, region, capability, input_modality, output_modality, deployment_type, lifecycle, input_price_band],
            run_bounds,
        } = facets;
        FilterIndex {
            len: listings.len(),
            lists,
            orders: sorted.orders,
            known_prefixes: sorted.known_prefixes,
            facet_publisher: publisher,
            facet_task: task,
            facet_license: license,
            facet_origin_country: origin_country,
            facet_region: region,
            facet_capability: capability,
            facet_input_modality: input_modality,
            facet_output_modality: output_modality,
            facet_deployment_type: deployment_type,
            facet_lifecycle: lifecycle,
            facet_input_price_band: input_price_band,
            run_bounds,
            most_facet_values,
        }
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

    /// Narrows `set` to the first `end(prefix, order)` listings of `sort`'s
    /// order, `prefix` being the sort's known prefix.
    fn keep_prefix(&self, set: &mut Bitset, sort: Sort, end: impl Fn(&KnownPrefix, &[u32]) -> usize) {
        let prefix = self
            .known_prefixes
            .iter()
            .find(|prefix| prefix.sort == sort)
            .expect("every bounded sort keeps its known prefix");
        let order = self.order(sort).expect("a bounded sort has an order");
        prefix.narrow(set, order, end(prefix, order));
    }

    /// Narrows `set` to the listings whose key in `sort` is known.
    fn keep_known(&self, set: &mut Bitset, sort: Sort) {
        self.keep_prefix(set, sort, |prefix, _| prefix.known());
    }

    /// Narrows `set` to the listings whose key in `sort` is `bound` or
    /// comes before it; `within` says so of one listing, as the query does.
    fn keep_within(
        &self,
        set: &mut Bitset,
        sort: Sort,
        bound: &SortValue,
        listings: &[Arc<Listing>],
        within: impl Fn(&Listing) -> bool,
    ) {
        self.keep_prefix(set, sort, |prefix, order| {
            prefix.end_within(order, bound, |position| within(&listings[position as usize]))
        });
    }

    /// Narrows `set` to listings carrying any of `values`; with one value,
    /// without building a set when the value has one.
    fn keep_any_of<K: Hash + Eq + Clone>(&self, set: &mut Bitset, postings: &Postings<K>, values: &[K]) {
        match values {
            [one] => set.intersect_with(&postings.set_of(one, self.len)),
            _ => set.intersect_with(&self.any_of(postings, values)),
        }
    }

    /// Every listing matching the query's filters (not `q`, not the
    /// tenant's decision): the same set as `DiscoveryQuery::matches`.
    pub fn candidates(&self, query: &DiscoveryQuery, listings: &[Arc<Listing>]) -> Bitset {
        // Retired listings leave discovery unless asked for by lifecycle.
        let mut set = if query.lifecycles.is_empty() {
            self.lists.not_retired.clone()
        } else {
            self.any_of(&self.lists.lifecycles, &query.lifecycles)
        };
        if !query.publishers.is_empty() {
            self.keep_any_of(&mut set, &self.lists.publishers, &query.publishers);
        }
        if !query.tasks.is_empty() {
            self.keep_any_of(&mut set, &self.lists.tasks, &query.tasks);
        }
        if !query.modalities.is_empty() {
            let mut either = self.any_of(&self.lists.input_modalities, &query.modalities);
            either.union_with(&self.any_of(&self.lists.output_modalities, &query.modalities));
            set.intersect_with(&either);
        }
        if !query.regions.is_empty() {
            self.keep_any_of(&mut set, &self.lists.regions, &query.regions);
        }
        if !query.deployment_types.is_empty() {
            self.keep_any_of(&mut set, &self.lists.deployment_types, &query.deployment_types);
        }
        if !query.origin_countries.is_empty() {
            self.keep_any_of(&mut set, &self.lists.origin_countries, &query.origin_countries);
        }
        if !query.licenses.is_empty() {
            let lower: Vec<String> = query.licenses.iter().map(|l| l.to_ascii_lowercase()).collect();
            self.keep_any_of(&mut set, &self.lists.licenses, &lower);
        }
        if let Some(open) = query.open_weights {
            let open_set = self.set(&self.lists.open_weights);
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
            self.keep_known(&mut set, ascending);
        }
        self.keep_all_of(&mut set, &self.lists.input_modalities, &query.input_modalities);
        self.keep_all_of(&mut set, &self.lists.output_modalities, &query.output_modalities);
        self.keep_all_of(&mut set, &self.lists.capabilities, &query.capabilities);
        self.keep_all_of(&mut set, &self.lists.tags, &query.tags);
        let ascending = |field| Sort {
            field,
            descending: false,
        };
        let ceilings = [
            (SortField::InputPrice, query.max_input_price_per_mtok),
            (SortField::OutputPrice, query.max_output_price_per_mtok),
        ];
        for (field, ceiling) in ceilings {
            if let Some(max) = ceiling {
                self.keep_within(
                    &mut set,
                    ascending(field),
                    &SortValue::Dec(max),
                    listings,
                    |l| matches!(sort_value(l, field, 0), SortValue::Dec(price) if price <= max),
                );
            }
        }
        if let Some(min) = query.min_context_window {
            let largest_first = Sort {
                field: SortField::ContextWindow,
                descending: true,
            };
            self.keep_within(&mut set, largest_first, &SortValue::Int(min.into()), listings, |l| {
                l.context_window.is_some_and(|context| context >= min)
            });
        }
        set
    }

    /// Facet counts over `matches`, which hold `count` listings.
    pub fn facets(&self, matches: &Bitset, count: usize) -> Facets<'_> {
        let matches = &Counted::new(matches, count, &self.run_bounds);
        let keys = &mut Vec::with_capacity(self.most_facet_values);
        Facets {
            publisher: self.facet_publisher.count(matches, keys),
            task: self.facet_task.count(matches, keys),
            license: self.facet_license.count(matches, keys),
            origin_country: self.facet_origin_country.count(matches, keys),
            region: self.facet_region.count(matches, keys),
            capability: self.facet_capability.count(matches, keys),
            input_modality: self.facet_input_modality.count(matches, keys),
            output_modality: self.facet_output_modality.count(matches, keys),
            deployment_type: self.facet_deployment_type.count(matches, keys),
            lifecycle: self.facet_lifecycle.count(matches, keys),
            input_price_band: self.facet_input_price_band.count(matches, keys),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::synthetic::Mix;
    use uuid::Uuid;

    const NAMES: [&str; 12] = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];

    /// 20,000 listings with a value clustered in blocks (as a publisher's
    /// listings are), one scattered at random, and a rare one on a few
    /// listings, several per listing at times.
    fn column() -> (FacetColumn, Vec<u32>) {
        let mut mix = Mix(7);
        let len = 20_000;
        let each = (0..len).map(|position| {
            let mut mine = vec![NAMES[(position / 700) % 6]];
            if mix.next().is_multiple_of(3) {
                mine.push(NAMES[6 + (mix.next() % 5) as usize]);
            }
            if position % 997 == 0 {
                mine.push(NAMES[11]);
            }
            mine
        });
        bound(FacetColumn::of_values(len, each))
    }

    /// `column` with its runs bound to its own run ends, as an index binds
    /// them to every facet's.
    fn bound(mut column: FacetColumn) -> (FacetColumn, Vec<u32>) {
        let mut bounds: Vec<u32> = column.run_ends().collect();
        bounds.sort_unstable();
        bounds.dedup();
        column.bind_runs(&bounds);
        (column, bounds)
    }

    fn naive(column: &FacetColumn, matches: &Bitset) -> Vec<u64> {
        let mut counts = vec![0u64; column.values.len()];
        for (value, name) in column.values.iter().enumerate() {
            for position in matches.iter() {
                let (from, to) = (column.starts[position as usize], column.starts[position as usize + 1]);
                if column.of[from as usize..to as usize]
                    .iter()
                    .any(|&v| column.values[v as usize] == *name)
                {
                    counts[value] += 1;
                }
            }
        }
        counts
    }

    #[test]
    fn a_descending_order_taken_from_the_ascending_one_is_the_order_a_descending_sort_gives() {
        let mut mix = Mix(11);
        for len in [0usize, 1, 2, 7, 500] {
            // Few distinct keys, so most have ties, and some unknown.
            let keys: Vec<(SortValue, Uuid)> = (0..len)
                .map(|_| {
                    let key = match mix.next() % 6 {
                        0 => SortValue::Null,
                        k => SortValue::Int(k as i64),
                    };
                    (key, Uuid::from_u64_pair(mix.next(), mix.next()))
                })
                .collect();
            let sorted = |descending| {
                let sort = Sort {
                    field: SortField::ContextWindow,
                    descending,
                };
                let mut order: Vec<u32> = (0..len as u32).collect();
                order.sort_by(|&a, &b| {
                    let (a, b) = (&keys[a as usize], &keys[b as usize]);
                    compare((&a.0, a.1), (&b.0, b.1), sort)
                });
                order
            };
            let derived = descending_from(&sorted(false), |position| &keys[position as usize].0);
            assert_eq!(derived, sorted(true), "{len} listings");
        }
    }

    #[test]
    fn narrowing_to_a_prefix_of_an_order_keeps_the_same_listings_whichever_checkpoint_it_passes_through() {
        let len = 1_000;
        let mut mix = Mix(3);
        let mut order: Vec<u32> = (0..len as u32).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, (mix.next() % (i as u64 + 1)) as usize);
        }
        let sort = Sort {
            field: SortField::InputPrice,
            descending: false,
        };
        let some = Bitset::from_positions(len, (0..len as u32).filter(|_| mix.next().is_multiple_of(2)));
        for known in [0, 1, 15, 16, 17, 700, len] {
            // The first `known` listings of the order have prices, rising.
            let mut keys = vec![SortValue::Null; len];
            for (rank, &position) in order[..known].iter().enumerate() {
                keys[position as usize] = SortValue::Dec(rank.into());
            }
            let prefix = KnownPrefix::of(sort, &order, |p| &keys[p as usize], len);
            assert_eq!(prefix.known(), known);
            for end in 0..=known {
                for start in [Bitset::full(len), some.clone()] {
                    let mut expected = start.clone();
                    expected.intersect_with(&Bitset::from_positions(len, order[..end].iter().copied()));
                    let mut narrowed = start;
                    prefix.narrow(&mut narrowed, &order, end);
                    assert_eq!(narrowed, expected, "known {known}, end {end}");
                }
            }
        }
    }

    /// `end_within` against the listings read one by one, over keys that
    /// often tie and often differ by less than a price number tells apart,
    /// with bounds on the keys, between them, and past either end.
    #[test]
    fn a_bound_found_among_key_numbers_ends_where_reading_every_listing_ends() {
        let len = 3_000;
        let mut mix = Mix(5);
        let prices: Vec<SortValue> = (0..len)
            .map(|_| match mix.next() % 10 {
                0 => SortValue::Null,
                // A few prices on a coarse grid (many equal), and prices
                // a hundred-thousandth apart (many sharing a number).
                1..=4 => SortValue::Dec(rust_decimal::Decimal::new((mix.next() % 8) as i64 * 25, 2)),
                _ => SortValue::Dec(rust_decimal::Decimal::new(10_000 + (mix.next() % 40) as i64, 5)),
            })
            .collect();
        let contexts: Vec<SortValue> = (0..len)
            .map(|_| match mix.next() % 6 {
                0 => SortValue::Null,
                1 => SortValue::Int(i64::from(i32::MAX)),
                2 => SortValue::Int(0),
                _ => SortValue::Int(1 << (10 + mix.next() % 8)),
            })
            .collect();
        let decimal = |text: &str| SortValue::Dec(text.parse().unwrap());
        let price_bounds = [
            decimal("-1"),
            decimal("0"),
            decimal("0.1"),
            decimal("0.10003"),
            decimal("0.100035"),
            decimal("0.1004"),
            decimal("0.5"),
            decimal("1.75"),
            decimal("79228162514264337593543950335"),
        ];
        let context_bounds =
            [i64::from(i32::MIN), -1, 0, 1, 1024, 5000, 131_072, i64::from(i32::MAX)].map(SortValue::Int);
        let cases = [
            (SortField::InputPrice, false, &prices, &price_bounds[..]),
            (SortField::ContextWindow, true, &contexts, &context_bounds[..]),
        ];
        for (field, descending, keys, bounds) in cases {
            let sort = Sort { field, descending };
            let mut order: Vec<u32> = (0..len as u32).collect();
            order.sort_by(|&a, &b| {
                let id = |p: u32| Uuid::from_u128(u128::from(p));
                compare((&keys[a as usize], id(a)), (&keys[b as usize], id(b)), sort)
            });
            let prefix = KnownPrefix::of(sort, &order, |p| &keys[p as usize], len);
            for bound in bounds {
                // As the query tests a listing: at most a ceiling, at
                // least a least context window.
                let within = |position: u32| match (&keys[position as usize], bound) {
                    (SortValue::Dec(price), SortValue::Dec(ceiling)) => price <= ceiling,
                    (SortValue::Int(context), SortValue::Int(least)) => context >= least,
                    _ => false,
                };
                let read_one_by_one = order.partition_point(|&position| within(position));
                assert_eq!(
                    prefix.end_within(&order, bound, within),
                    read_one_by_one,
                    "{field:?} within {bound:?}"
                );
            }
            // Searched through the sampled numbers, as among them all.
            let numbers = prefix
                .numbers
                .iter()
                .flat_map(|&n| [n.saturating_sub(1), n, n.saturating_add(1)]);
            for number in numbers.chain([0, u32::MAX]) {
                assert_eq!(
                    prefix.numbers_below(number),
                    prefix.numbers.partition_point(|&n| n < number),
                    "{field:?}: numbers below {number}"
                );
            }
        }
    }

    #[test]
    fn clustered_values_are_kept_as_runs_and_scattered_ones_as_bitsets() {
        let (column, _) = column();
        let kept_as = |name: &str| {
            let value = column.values.iter().position(|v| &**v == name).expect("a value");
            match &column.listings_of[value] {
                ValueListings::Runs(runs) => format!("{} runs", runs.len()),
                ValueListings::Dense(_) => "dense".to_owned(),
            }
        };
        // "a" covers positions 0..700, 4200..4900, ...: five blocks.
        assert_eq!(kept_as("a"), "5 runs");
        assert_eq!(kept_as("g"), "dense");
        assert_eq!(kept_as("l"), "21 runs");
        assert_eq!(column.dense_values, 5);
    }

    #[test]
    fn facet_counts_by_run_by_bitset_and_by_listing_agree_with_a_count_of_each_match() {
        let (column, bounds) = column();
        let len = 20_000;
        let mut mix = Mix(11);
        let sets = [
            Bitset::empty(len),
            Bitset::full(len),
            Bitset::from_positions(len, (0..len as u32).filter(|_| mix.next().is_multiple_of(2))),
            Bitset::from_positions(len, (0..len as u32).filter(|_| mix.next().is_multiple_of(50))),
            // Sparse in words: most words empty, so only the occupied are read.
            Bitset::from_positions(len, (0..len as u32).filter(|p| p % 640 < 3)),
            Bitset::from_positions(len, (650..1500).chain([19_999, 0])),
        ];
        for (n, set) in sets.iter().enumerate() {
            let counted = Counted::new(set, set.count(), &bounds);
            let expected = naive(&column, set);
            assert_eq!(
                column.counts_by_value(&counted).collect::<Vec<_>>(),
                expected,
                "set {n} by value"
            );
            assert_eq!(column.counts_by_listing(set), expected, "set {n} by listing");
            let top = column.count(&counted, &mut Vec::new());
            let total: u64 = top.iter().map(|facet| facet.count).sum();
            assert_eq!(total, expected.iter().sum::<u64>(), "set {n} as served");
        }
    }

    #[test]
    fn a_served_facet_lists_its_most_frequent_values_first_ties_by_value_and_at_most_fifty() {
        // 120 values, first met in an order other than their text's, with
        // counts that often tie.
        let names: Vec<String> = (0..120).map(|v| format!("v{:03}", (v * 37) % 120)).collect();
        let len = 6_000;
        let each = (0..len).map(|position| {
            let mut mine = vec![names[position % 120].as_str()];
            if position % 3 == 0 {
                mine.push(names[(position * 7) % 113].as_str());
            }
            mine
        });
        let (column, bounds) = bound(FacetColumn::of_values(len, each));
        let mut mix = Mix(5);
        let sets = [
            Bitset::full(len),
            Bitset::from_positions(len, (0..len as u32).filter(|_| mix.next().is_multiple_of(2))),
            // Few matches: counted listing by listing.
            Bitset::from_positions(len, (0..len as u32).filter(|p| p % 97 == 0)),
            Bitset::empty(len),
        ];
        let keys = &mut Vec::new();
        for (n, set) in sets.iter().enumerate() {
            let mut expected: Vec<(&str, u64)> = column
                .values
                .iter()
                .map(|value| &**value)
                .zip(naive(&column, set))
                .filter(|(_, count)| *count > 0)
                .collect();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            expected.truncate(MAX_FACET_VALUES);
            let served: Vec<(&str, u64)> = column
                .count(&Counted::new(set, set.count(), &bounds), keys)
                .into_iter()
                .map(|facet| (facet.value, facet.count))
                .collect();
            assert_eq!(served, expected, "set {n}");
        }
        assert!(
            column.values.windows(2).all(|pair| pair[0] < pair[1]),
            "kept in the order of their text"
        );
    }
}
