//! Which composed pages are worth keeping: those asked for a second time.
//! Most pages composed afresh are asked for once (a tenant's own filters,
//! a price ceiling dragged along a slider), and keeping each one cost more
//! than it ever gave back: every page kept pushed out an older one, and the
//! next page was written into that page's memory, long since gone from the
//! CPU's caches (at 100,000 listings a page asked once cost a sixth more
//! CPU, and the process held 60 MiB more under such load). A page asked for
//! again is kept from its second request on.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many keys it remembers having seen once (8 bytes each).
const SLOTS: usize = 4096;

/// The keys seen once, one per slot by hash: a key seen again while its
/// slot still holds it is admitted. Keys whose slots collide push each other
/// out, so a key asked rarely among many others may take more than two
/// requests to be kept; a popular one is kept at its second.
pub struct SecondRequest {
    seen_once: Box<[AtomicU64]>,
    /// Keyed per process: keys are query strings a client chooses.
    hasher: RandomState,
}

impl Default for SecondRequest {
    fn default() -> Self {
        SecondRequest {
            seen_once: (0..SLOTS).map(|_| AtomicU64::new(0)).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl SecondRequest {
    /// Whether the page under `key` is asked for again, and worth keeping;
    /// if not, it is remembered as seen once. Two requests racing may both
    /// see the slot before either writes it: a page is then kept one
    /// request later, or a slot's key replaced, never anything worse.
    pub fn admits(&self, key: &str) -> bool {
        // Never zero, the value of a slot that holds nothing.
        let hash = self.hasher.hash_one(key) | 1;
        let slot = &self.seen_once[(hash >> 32) as usize % SLOTS];
        if slot.load(Ordering::Relaxed) == hash {
            slot.store(0, Ordering::Relaxed);
            true
        } else {
            slot.store(hash, Ordering::Relaxed);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_admitted_at_its_second_request_and_not_at_its_first() {
        let door = SecondRequest::default();
        assert!(!door.admits("a|task=chat"));
        assert!(door.admits("a|task=chat"));
        // Admitted, it is forgotten: the cache holds it from now on.
        assert!(!door.admits("a|task=chat"));
    }

    #[test]
    fn keys_seen_once_are_remembered_side_by_side_until_their_slots_are_taken() {
        let door = SecondRequest::default();
        let keys: Vec<String> = (0..200)
            .map(|n| format!("rules|max_input_price_per_mtok={n}"))
            .collect();
        for key in &keys {
            assert!(!door.admits(key));
        }
        // 200 keys in 4,096 slots: a few share a slot, and the later one
        // took it; every other one is admitted at its second request.
        let admitted = keys.iter().filter(|key| door.admits(key)).count();
        assert!(admitted >= 180, "{admitted} of 200 admitted");
        let pushed_out = keys.iter().filter(|key| door.admits(key)).count();
        assert!(pushed_out <= 20, "{pushed_out} admitted a third time");
    }
}
