//! Serialised discovery pages by (rules, query, page), for the snapshot
//! they were computed on: the same page asked again under the same rules is
//! served without being computed or serialised again. When a new snapshot
//! is served the cache starts over, so a page is never stale.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};

use actix_web::web::Bytes;

use crate::catalog::Snapshot;

/// Past this many bytes of cached pages the cache starts over.
const MAX_CACHED_PAGE_BYTES: usize = 64 << 20;

#[derive(Default)]
pub struct PageCache {
    inner: RwLock<Pages>,
    /// Lookups that found a page, and lookups that did not (for `/metrics`).
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct Pages {
    /// The snapshot the pages were computed on. A `Weak` keeps its
    /// allocation alive, so a later snapshot can never share its address.
    snapshot: Weak<Snapshot>,
    pages: HashMap<String, Bytes>,
    bytes: usize,
}

impl PageCache {
    /// A page served before under `key` on `snapshot`.
    pub fn get(&self, snapshot: &Arc<Snapshot>, key: &str) -> Option<Bytes> {
        let found = {
            let pages = self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner());
            if std::ptr::eq(pages.snapshot.as_ptr(), Arc::as_ptr(snapshot)) {
                pages.pages.get(key).cloned()
            } else {
                None
            }
        };
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// How many lookups found a page and how many did not, since start.
    pub fn lookups(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    pub fn remember(&self, snapshot: &Arc<Snapshot>, key: String, body: Bytes) {
        let mut pages = self.inner.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        let other_snapshot = !std::ptr::eq(pages.snapshot.as_ptr(), Arc::as_ptr(snapshot));
        if other_snapshot
            && pages
                .snapshot
                .upgrade()
                .is_some_and(|cached| cached.version > snapshot.version)
        {
            // A request that began before the last swap: its page is not
            // worth evicting the newer snapshot's.
            return;
        }
        if other_snapshot || pages.bytes + body.len() > MAX_CACHED_PAGE_BYTES {
            *pages = Pages {
                snapshot: Arc::downgrade(snapshot),
                ..Pages::default()
            };
        }
        pages.bytes += body.len();
        if let Some(replaced) = pages.pages.insert(key, body) {
            pages.bytes -= replaced.len();
        }
    }
}
