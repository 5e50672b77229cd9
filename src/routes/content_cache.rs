//! A bounded cache of values computed on one catalog content (listings,
//! their indexes). Whatever it holds was computed on the content being
//! served: when newer content is served it starts over, so nothing in it is
//! ever stale. Snapshots that differ only in rules (a hold placed or lifted,
//! a tenant's policy edited) share their content, and so share what is kept
//! here: a value that depends on rules as well carries the rules it was
//! computed under in its key, as discovery's pages do. Past its byte
//! budget the values kept longest leave first, as many as make room: no
//! bookkeeping on a hit, and memory freed a value at a time, reused by the
//! next ones (emptied at once, tens of megabytes went back to the system and
//! were faulted in again a page at a time).

use std::borrow::Borrow;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};

use crate::catalog::snapshot::CatalogContent;
use crate::catalog::Snapshot;

/// `S` hashes the keys: SipHash with a key of its own by default, as for
/// text a client sends; [`IdHash`] for ids the server made.
pub struct ContentCache<K, V, S = RandomState> {
    inner: RwLock<Entries<K, V, S>>,
    /// Bytes of keys and values held, past which the oldest values leave.
    budget: usize,
    /// Lookups that found a value, and lookups that did not (for `/metrics`).
    hits: AtomicU64,
    misses: AtomicU64,
}

struct Entries<K, V, S> {
    /// The content the values were computed on. A `Weak` keeps its
    /// allocation alive, so later content can never share its address.
    content: Weak<CatalogContent>,
    /// The version of the snapshot that first kept a value on `content`.
    version: i64,
    values: HashMap<K, V, S>,
    /// Each key kept, oldest first, with the bytes it was counted for.
    order: VecDeque<(K, usize)>,
    bytes: usize,
}

impl<K, V, S: Default> Entries<K, V, S> {
    fn of(snapshot: &Arc<Snapshot>) -> Self {
        Entries {
            content: Arc::downgrade(&snapshot.content),
            version: snapshot.version,
            values: HashMap::default(),
            order: VecDeque::new(),
            bytes: 0,
        }
    }

    fn computed_on(&self, snapshot: &Arc<Snapshot>) -> bool {
        std::ptr::eq(self.content.as_ptr(), Arc::as_ptr(&snapshot.content))
    }
}

impl<K: Hash + Eq + Clone, V: Clone, S: BuildHasher + Default> ContentCache<K, V, S> {
    pub fn with_budget(budget: usize) -> Self {
        ContentCache {
            inner: RwLock::new(Entries {
                content: Weak::new(),
                version: i64::MIN,
                values: HashMap::default(),
                order: VecDeque::new(),
                bytes: 0,
            }),
            budget,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The value kept under `key` for `snapshot`'s content.
    pub fn get<Q>(&self, snapshot: &Arc<Snapshot>, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let found = {
            let entries = self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            if entries.computed_on(snapshot) {
                entries.values.get(key).cloned()
            } else {
                None
            }
        };
        self.count(found.is_some(), 1);
        found
    }

    /// Hands `visit` the value kept under each of `keys` for `snapshot`'s
    /// content (`None` where there is none), in their order, under one read
    /// lock and without cloning them: the values of popular keys are read by
    /// every worker at once, and a clone of a shared value (a `Bytes`) is a
    /// write to a count all of them touch. Stops at `visit`'s first error.
    pub fn visit_each<'k, Q, E>(
        &self,
        snapshot: &Arc<Snapshot>,
        keys: impl IntoIterator<Item = &'k Q>,
        mut visit: impl FnMut(Option<&V>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized + 'k,
    {
        let (mut hits, mut misses) = (0, 0);
        let visited = {
            let entries = self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            let current = entries.computed_on(snapshot);
            keys.into_iter().try_for_each(|key| {
                let found = if current { entries.values.get(key) } else { None };
                match found {
                    Some(_) => hits += 1,
                    None => misses += 1,
                }
                visit(found)
            })
        };
        self.count(true, hits);
        self.count(false, misses);
        visited
    }

    /// Keeps each `(key, value, bytes)` for `snapshot`'s content, `bytes`
    /// being what the key and value hold, under one lock.
    pub fn remember(&self, snapshot: &Arc<Snapshot>, computed: impl IntoIterator<Item = (K, V, usize)>) {
        let mut computed = computed.into_iter().peekable();
        if computed.peek().is_none() {
            // A page made only of kept listings: no need to hold up readers.
            return;
        }
        let mut entries = self.inner.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !entries.computed_on(snapshot) {
            if entries.version > snapshot.version && entries.content.strong_count() > 0 {
                // A request that began before the last swap to other
                // content: its values are not worth evicting the newer
                // content's. (Once no snapshot holds that content, as after
                // a restore went back to an older version, they are.)
                return;
            }
            *entries = Entries::of(snapshot);
        }
        for (key, value, bytes) in computed {
            if bytes > self.budget {
                continue;
            }
            while entries.bytes + bytes > self.budget {
                let Some((oldest, counted)) = entries.order.pop_front() else {
                    break;
                };
                // A value computed twice at once is kept once and counted
                // twice: its first count leaves with it, the second later;
                // the bound only errs on the safe side.
                entries.values.remove(&oldest);
                entries.bytes -= counted;
            }
            entries.bytes += bytes;
            entries.order.push_back((key.clone(), bytes));
            entries.values.insert(key, value);
        }
    }

    /// How many lookups found a value and how many did not, since start.
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    fn count(&self, found: bool, lookups: u64) {
        if lookups > 0 {
            let counter = if found { &self.hits } else { &self.misses };
            counter.fetch_add(lookups, Ordering::Relaxed);
        }
    }
}

/// Hashes keys the server made, such as listing ids: a word at a time, by
/// one multiplication, and mixed once at the end. The listings' cache looks
/// up each of a page's fifty listings, and SipHash over each id was about
/// 3 % of an uncached page. No client picks these keys, so none can choose
/// them to collide, which is what SipHash's secret key is for.
pub type IdHash = BuildHasherDefault<IdHasher>;

#[derive(Default)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        }
        for &byte in words.remainder() {
            self.add(u64::from(byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.add(word);
    }

    fn write_usize(&mut self, word: usize) {
        self.add(word as u64);
    }

    fn finish(&self) -> u64 {
        // A full mix (SplitMix64's): the table takes its buckets from the
        // low bits and its tags from the high ones.
        let mut x = self.0;
        x ^= x >> 30;
        x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x ^= x >> 27;
        x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^ (x >> 31)
    }
}

impl IdHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(version: i64) -> Arc<Snapshot> {
        let mut snapshot = Snapshot::empty();
        snapshot.version = version;
        Arc::new(snapshot)
    }

    /// What `visit_each` hands over for `keys`, cloned.
    fn each<K: Hash + Eq + Clone, V: Clone, S: BuildHasher + Default>(
        cache: &ContentCache<K, V, S>,
        snapshot: &Arc<Snapshot>,
        keys: &[K],
    ) -> Vec<Option<V>> {
        let mut found = Vec::new();
        cache
            .visit_each(snapshot, keys, |value| {
                found.push(value.cloned());
                Ok::<_, ()>(())
            })
            .unwrap();
        found
    }

    #[test]
    fn a_visit_stops_at_its_first_error_and_counts_what_it_looked_up() {
        let cache: ContentCache<u32, u32> = ContentCache::with_budget(100);
        let current = snapshot(1);
        cache.remember(&current, [(1, 10, 10), (2, 20, 10)]);
        let mut seen = Vec::new();
        let outcome = cache.visit_each(&current, &[1, 3, 2], |value| {
            seen.push(value.copied());
            value.map(|_| ()).ok_or("missing")
        });
        assert_eq!(outcome, Err("missing"));
        assert_eq!(seen, vec![Some(10), None]);
        assert_eq!(cache.lookups(), (1, 1));
    }

    /// A snapshot of `of`'s content under other rules, as a hold or a
    /// policy edit swaps in.
    fn under_other_rules(of: &Arc<Snapshot>, version: i64) -> Arc<Snapshot> {
        Arc::new(Snapshot::with_rules(
            of.content.clone(),
            version,
            Default::default(),
            Vec::new(),
        ))
    }

    #[test]
    fn a_value_is_found_under_every_snapshot_of_the_content_it_was_computed_on() {
        let cache: ContentCache<u32, &str> = ContentCache::with_budget(100);
        let first = snapshot(1);
        let (second, third) = (under_other_rules(&first, 2), under_other_rules(&first, 3));
        cache.remember(&second, [(7, "seven", 10)]);
        assert_eq!(cache.get(&first, &7), Some("seven"));
        assert_eq!(cache.get(&third, &7), Some("seven"));
        // A request that began on an older snapshot of the same content
        // keeps what it computed: it holds for the newer ones too.
        cache.remember(&first, [(8, "eight", 10)]);
        assert_eq!(each(&cache, &third, &[7, 8]), vec![Some("seven"), Some("eight")]);
        // Other content starts over.
        let other = snapshot(4);
        assert_eq!(cache.get(&other, &7), None);
        cache.remember(&other, [(9, "nine", 10)]);
        assert_eq!(each(&cache, &third, &[7, 9]), vec![None, None]);
    }

    #[test]
    fn a_value_is_found_only_for_the_content_it_was_computed_on() {
        let cache: ContentCache<u32, &str> = ContentCache::with_budget(100);
        let (first, second) = (snapshot(1), snapshot(2));
        cache.remember(&first, [(7, "seven", 10)]);
        assert_eq!(cache.get(&first, &7), Some("seven"));
        assert_eq!(cache.get(&second, &7), None);
        assert_eq!(each(&cache, &first, &[7, 8]), vec![Some("seven"), None]);
        assert_eq!(cache.lookups(), (2, 2));
    }

    #[test]
    fn past_its_budget_the_oldest_values_leave_first_and_what_could_never_fit_is_skipped() {
        let cache: ContentCache<u32, u32> = ContentCache::with_budget(100);
        let current = snapshot(1);
        cache.remember(&current, [(1, 1, 40), (2, 2, 40), (3, 3, 101)]);
        assert_eq!(each(&cache, &current, &[1, 2, 3]), vec![Some(1), Some(2), None]);
        cache.remember(&current, [(4, 4, 40)]);
        assert_eq!(each(&cache, &current, &[1, 2, 4]), vec![None, Some(2), Some(4)]);
        // Room for a large value is made from the oldest on.
        cache.remember(&current, [(5, 5, 90)]);
        assert_eq!(each(&cache, &current, &[2, 4, 5]), vec![None, None, Some(5)]);
        // A value kept twice leaves with its first count, and its second
        // count is held until it is the oldest: the bound errs on the safe
        // side, and the bytes counted come back to what is kept.
        cache.remember(&current, [(6, 6, 5), (6, 6, 5)]);
        cache.remember(&current, [(7, 7, 95)]);
        assert_eq!(each(&cache, &current, &[5, 6, 7]), vec![None, None, Some(7)]);
        assert_eq!(cache.inner.read().unwrap().bytes, 100);
        cache.remember(&current, [(8, 8, 5)]);
        assert_eq!(each(&cache, &current, &[7, 8]), vec![Some(7), Some(8)]);
        assert_eq!(cache.inner.read().unwrap().bytes, 100);
    }

    #[test]
    fn ids_made_one_after_another_spread_over_a_tables_buckets_and_tags() {
        // Time-ordered ids share most of their bytes: a hash that kept
        // their likeness would crowd them into a few buckets.
        let ids: Vec<uuid::Uuid> = (0..4096).map(|_| uuid::Uuid::now_v7()).collect();
        let hashes: Vec<u64> = ids.iter().map(|id| IdHash::default().hash_one(id)).collect();
        let buckets: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        let tags: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        // 4,096 random hashes leave about 2 % of 1,024 buckets empty.
        assert!(buckets.len() > 950, "{} of 1024 buckets used", buckets.len());
        assert_eq!(tags.len(), 128);
        let distinct: std::collections::HashSet<u64> = hashes.iter().copied().collect();
        assert_eq!(distinct.len(), ids.len());
    }

    #[test]
    fn values_of_older_content_do_not_evict_the_newer_contents_while_it_is_served() {
        let cache: ContentCache<u32, u32> = ContentCache::with_budget(100);
        let (older, newer) = (snapshot(1), snapshot(2));
        cache.remember(&newer, [(1, 2, 10)]);
        cache.remember(&older, [(1, 1, 10)]);
        assert_eq!(cache.get(&newer, &1), Some(2));
        assert_eq!(cache.get(&older, &1), None);
        // Gone, as when a restore swaps an older version back in: the
        // content served then is what the cache is for.
        drop(newer);
        cache.remember(&older, [(1, 1, 10)]);
        assert_eq!(cache.get(&older, &1), Some(1));
    }
}
