//! Serialised discovery pages by (rules, query, page), for the snapshot
//! they were computed on: the same page asked again under the same rules is
//! served without being computed or serialised again. When a new snapshot
//! is served the cache starts over, so a page is never stale.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};

use actix_web::web::Bytes;

use crate::catalog::Snapshot;

/// Past this many bytes of cached pages the cache starts over.
const MAX_CACHED_PAGE_BYTES: usize = 64 << 20;

#[derive(Default)]
pub struct PageCache {
    inner: RwLock<Pages>,
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
        let pages = self.inner.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !std::ptr::eq(pages.snapshot.as_ptr(), Arc::as_ptr(snapshot)) {
            return None;
        }
        pages.pages.get(key).cloned()
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
