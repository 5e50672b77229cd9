//! The catalog refresher: the current [`Snapshot`] behind an atomically
//! swapped pointer, rebuilt when the database's catalog version moves
//! (`LISTEN modelmart_catalog`, with a periodic version check as the
//! fallback).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::PgPool;

use crate::catalog::snapshot::{self, CatalogContent, Reuse};
use crate::catalog::Snapshot;
use crate::db::catalog_read;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Swap {
    IfNotOlder,
    Always,
}

/// How often the version is checked when no notification arrives.
pub const VERSION_CHECK_INTERVAL: Duration = Duration::from_secs(2);

/// Shared access to the current snapshot.
#[derive(Clone)]
pub struct CatalogHandle {
    current: Arc<RwLock<Arc<Snapshot>>>,
    stats: Arc<RefreshStats>,
    /// Where full loads read the catalog: a read replica when configured.
    /// Rules loads and version checks always ask the primary, so a hold is
    /// enforced without waiting for replication.
    content_source: Option<PgPool>,
}

/// How the snapshot has been kept fresh, for `/metrics`.
pub struct RefreshStats {
    swapped_at: Mutex<Instant>,
    verified_at: Mutex<Option<Instant>>,
    full_reloads: AtomicU64,
    rules_reloads: AtomicU64,
    failures: AtomicU64,
}

impl Default for RefreshStats {
    fn default() -> Self {
        RefreshStats {
            swapped_at: Mutex::new(Instant::now()),
            verified_at: Mutex::new(None),
            full_reloads: AtomicU64::new(0),
            rules_reloads: AtomicU64::new(0),
            failures: AtomicU64::new(0),
        }
    }
}

impl RefreshStats {
    /// When the snapshot being served was swapped in.
    pub fn swapped_at(&self) -> Instant {
        *self.swapped_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// When the database last confirmed the snapshot is current.
    pub fn verified_at(&self) -> Option<Instant> {
        *self.verified_at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Full reloads, rules reloads and failed refreshes so far.
    pub fn reloads(&self) -> (u64, u64, u64) {
        (
            self.full_reloads.load(Ordering::Relaxed),
            self.rules_reloads.load(Ordering::Relaxed),
            self.failures.load(Ordering::Relaxed),
        )
    }

    fn verified(&self) {
        *self.verified_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    UnknownValue(#[from] snapshot::UnknownValue),
    #[error("building the snapshot failed: {0}")]
    Build(#[from] tokio::task::JoinError),
}

impl Default for CatalogHandle {
    fn default() -> Self {
        CatalogHandle {
            current: Arc::new(RwLock::new(Arc::new(Snapshot::empty()))),
            stats: Arc::default(),
            content_source: None,
        }
    }
}

impl CatalogHandle {
    /// A handle whose full loads read from `replica` instead of the pool
    /// they are given.
    pub fn reading_content_from(replica: Option<PgPool>) -> Self {
        CatalogHandle {
            content_source: replica,
            ..CatalogHandle::default()
        }
    }

    /// The snapshot in force now. Cheap: one lock-protected pointer clone.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn stats(&self) -> &RefreshStats {
        &self.stats
    }

    /// Swaps in `snapshot` unless a newer one is already in place: two
    /// reloads can overlap (a write's own reload and the background one),
    /// and the one that read older rows must not win by finishing last.
    /// `Swap::Always` is for a database that went back (a restore).
    fn replace(&self, snapshot: Snapshot, swap: Swap) -> bool {
        let mut current = self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if swap == Swap::IfNotOlder && snapshot.version < current.version {
            return false;
        }
        *current = Arc::new(snapshot);
        *self.stats.swapped_at.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
        true
    }

    /// Loads and swaps in a fresh snapshot: content, indexes and rules.
    pub async fn reload(&self, pool: &PgPool) -> Result<i64, ReloadError> {
        self.load_full(pool, Swap::IfNotOlder).await
    }

    async fn load_full(&self, pool: &PgPool, swap: Swap) -> Result<i64, ReloadError> {
        let started = Instant::now();
        // Rows that come back as the content in force holds them are not
        // kept while the rest is read, and their listings are shared.
        let mut reuse = Reuse::of(self.current().content.clone());
        let rows =
            catalog_read::load_with(self.content_source.as_ref().unwrap_or(pool), &mut |row| reuse.take(row)).await?;
        let read_ms = started.elapsed().as_millis() as u64;
        // Building indexes 100,000 listings takes seconds of CPU: keep it off
        // the threads that serve requests.
        let snapshot = tokio::task::spawn_blocking(move || {
            let snapshot = Snapshot::build_reusing(rows, Some(reuse))?;
            snapshot.warm();
            // The rows are freed by now: their memory goes back before the
            // snapshot is served, so a server that reports ready is at its
            // resting size (at 100,000 listings it was 40 MiB over it for a
            // moment after the start, until the trim below ran).
            release_free_memory();
            Ok::<_, ReloadError>(snapshot)
        })
        .await??;
        let built_ms = started.elapsed().as_millis() as u64 - read_ms;
        let version = snapshot.version;
        let listings = snapshot.content.listings.len();
        self.stats.full_reloads.fetch_add(1, Ordering::Relaxed);
        let replaced = Arc::downgrade(&self.current().content);
        if self.replace(snapshot, swap) {
            release_once_freed(replaced);
            tracing::info!(version, listings, read_ms, built_ms, "catalog snapshot loaded");
        } else {
            // A replica behind a snapshot already built from the primary's
            // rules: the next check tries again.
            tracing::debug!(
                version,
                "catalog load older than the snapshot in force; kept the snapshot"
            );
        }
        Ok(version)
    }

    /// Loads only the rules (holds and policies) and swaps in a snapshot
    /// that shares the current content. When the content moved too, a full
    /// reload follows instead, unless `over_older_content`: then the
    /// primary's rules go over the content in force while a read replica
    /// catches up, so holds are not held back by replication.
    async fn reload_rules(&self, pool: &PgPool, over_older_content: bool) -> Result<i64, ReloadError> {
        let rules = catalog_read::load_rules(pool).await?;
        let current = self.current();
        if rules.content_version != current.content.content_version && !over_older_content {
            return self.reload(pool).await;
        }
        let snapshot = tokio::task::spawn_blocking(move || {
            let snapshot = Snapshot::under_new_rules(&current, rules);
            snapshot.warm();
            snapshot
        })
        .await?;
        let version = snapshot.version;
        self.stats.rules_reloads.fetch_add(1, Ordering::Relaxed);
        if self.replace(snapshot, Swap::IfNotOlder) {
            tracing::info!(version, "catalog rules reloaded");
        }
        Ok(version)
    }

    /// Brings the snapshot up to the database: a full reload when the
    /// content moved (or a scheduled price came due), a rules reload when
    /// only holds or policies did.
    pub async fn refresh_if_stale(&self, pool: &PgPool) -> Result<bool, ReloadError> {
        let outcome = self.bring_up_to_date(pool).await;
        match &outcome {
            Ok((_, wanted)) if self.serves(wanted) => self.stats.verified(),
            // Reloaded, but from a replica still behind the primary.
            Ok(_) => {}
            Err(_) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
        outcome.map(|(reloaded, _)| reloaded)
    }

    /// Whether the snapshot in force has caught up with `versions`.
    fn serves(&self, versions: &catalog_read::Versions) -> bool {
        let current = self.current();
        current.version >= versions.version && current.content.content_version >= versions.content_version
    }

    /// Whether it reloaded, and the primary's versions it aimed for.
    async fn bring_up_to_date(&self, pool: &PgPool) -> Result<(bool, catalog_read::Versions), ReloadError> {
        // What the snapshot in force serves, read and let go: holding the
        // snapshot across a reload kept it alive past the swap, and past the
        // trim that returns its memory (the process then stayed at about
        // twice its resting size until the next reload).
        let (serving, serving_content, price_due) = {
            let current = self.current();
            let price_due = current.content.next_price_change.is_some_and(|at| at <= Utc::now());
            (current.version, current.content.content_version, price_due)
        };
        let versions = catalog_read::current_versions(pool).await?;
        if versions.version < serving {
            // Versions only grow, unless the database was restored from a
            // backup (or failed over to a standby that was behind): what it
            // holds now is the truth, older or not.
            tracing::warn!(
                database = versions.version,
                serving,
                "the catalog version went back; reloading the database as it is"
            );
            self.load_full(pool, Swap::Always).await?;
            return Ok((true, versions));
        }
        if versions.content_version != serving_content || price_due {
            if self.content_source.is_some() && versions.version != serving {
                self.reload_rules(pool, true).await?;
            }
            self.reload(pool).await?;
            return Ok((true, versions));
        }
        if versions.version != serving {
            self.reload_rules(pool, false).await?;
            return Ok((true, versions));
        }
        Ok((false, versions))
    }

    /// Keeps the snapshot fresh until the process ends: a PostgreSQL
    /// LISTEN on the catalog channel for prompt reloads, and a periodic
    /// version check that covers lost notifications and reconnects.
    pub fn spawn_refresher(&self, pool: PgPool) -> tokio::task::JoinHandle<()> {
        let handle = self.clone();
        tokio::spawn(async move {
            let mut listener = None;
            loop {
                if listener.is_none() {
                    listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                        Ok(mut l) => match l.listen("modelmart_catalog").await {
                            Ok(()) => Some(l),
                            Err(error) => {
                                tracing::warn!(%error, "could not LISTEN for catalog changes");
                                None
                            }
                        },
                        Err(error) => {
                            tracing::warn!(%error, "could not connect a catalog listener");
                            None
                        }
                    };
                    // Anything may have changed while we were not listening.
                    if let Err(error) = handle.refresh_if_stale(&pool).await {
                        tracing::warn!(%error, "catalog refresh failed");
                    }
                }
                let notified = match listener.as_mut() {
                    Some(l) => match tokio::time::timeout(VERSION_CHECK_INTERVAL, l.try_recv()).await {
                        Ok(Ok(Some(_))) => true,
                        Ok(Ok(None)) | Ok(Err(_)) => {
                            // Connection lost: notifications may have been missed.
                            listener = None;
                            false
                        }
                        Err(_) => false,
                    },
                    None => {
                        tokio::time::sleep(VERSION_CHECK_INTERVAL).await;
                        false
                    }
                };
                if notified {
                    // One reload answers a burst of notifications (an
                    // import's statements all notify at its commit).
                    if let Some(l) = listener.as_mut() {
                        while l.next_buffered().is_some() {}
                    }
                }
                if let Err(error) = handle.refresh_if_stale(&pool).await {
                    tracing::warn!(%error, "catalog refresh failed");
                }
            }
        })
    }
}

/// Hands the memory of `replaced` back to the system once it is freed: when
/// the swap drops it, or when the last request still serving it ends. A
/// trim that ran before then found nothing to return, and the process kept
/// the peak of the reload (twice its resting size) until the next one.
fn release_once_freed(replaced: Weak<CatalogContent>) {
    tokio::spawn(async move {
        // A request holds a snapshot for milliseconds; a minute is plenty.
        for _ in 0..600 {
            if replaced.strong_count() == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::task::spawn_blocking(release_free_memory);
    });
}

/// Maps every block of 1 MiB and more on its own, unmapped when freed,
/// whatever was freed before. glibc starts at 128 KiB and raises that
/// threshold each time such a block is freed (up to 32 MiB), so after the
/// first reload the large arrays of a snapshot's indexes came from the
/// heap, among longer-lived memory, and the next reload could return them
/// only in part: at 100,000 listings a server at 275 MiB after its start sat
/// at 323 to 378 MiB after a few reloads; with the threshold fixed it stays
/// at 275. At 1 MiB, what a request allocates (pages, match sets of a
/// million listings) still comes from the heap. Call once, at the start.
pub fn map_large_blocks_on_their_own() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; setting the
    // threshold also stops its adjustment.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Returns the heap's free memory to the system (glibc keeps what was freed
/// for reuse, so a process that once built two catalogs at once would stay
/// that size). Elsewhere, nothing to do.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_version(version: i64) -> Snapshot {
        let rules = catalog_read::RuleRows {
            version,
            ..Default::default()
        };
        Snapshot::with_content(Arc::new(snapshot::CatalogContent::empty()), rules)
    }

    #[test]
    fn an_older_snapshot_never_replaces_a_newer_one_unless_the_database_went_back() {
        let handle = CatalogHandle::default();
        assert!(handle.replace(at_version(5), Swap::IfNotOlder));
        assert!(
            !handle.replace(at_version(4), Swap::IfNotOlder),
            "a slow reload of older rows loses"
        );
        assert_eq!(handle.current().version, 5);
        assert!(
            handle.replace(at_version(5), Swap::IfNotOlder),
            "the same version may be rebuilt (a price came due)"
        );
        assert!(handle.replace(at_version(6), Swap::IfNotOlder));
        assert_eq!(handle.current().version, 6);
        assert!(handle.replace(at_version(2), Swap::Always), "a restore");
        assert_eq!(handle.current().version, 2);
    }
}
