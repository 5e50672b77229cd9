//! Group commit for enablements decided on the served snapshot.
//!
//! Written one at a time, each enablement is its own transaction: a round
//! trip, a gate entry, a read of the catalog's versions, a function call and
//! a commit with its WAL flush, for two rows. Under a burst, those were most
//! of what PostgreSQL did per enablement (pgbench, four clients: 2,242
//! grants a second one at a time, 7,176 in groups of eight), and with every
//! request holding a connection, the backends queued for two cores
//! (`bench/RESULTS.md`, thirteenth round).
//!
//! The writer queues each grant and writes what has queued as one group, in
//! one statement (`enable_all_if_current()`). A lone grant is written at
//! once, alone: nothing waits for a group to fill. While [`GROUPS_IN_FLIGHT`]
//! groups are being written, the next grants queue, and the first group to
//! finish takes all of them (up to [`MOST_IN_A_GROUP`]). So a group's size
//! follows the load, and a grant waits for at most the groups ahead of it.
//!
//! Each grant is answered what `enable_if_current()` would have answered it
//! alone, once its group has committed. A group the database refuses as a
//! whole (a foreign key a concurrent delete broke, a value it cannot store,
//! a deadlock, a lost connection) is written again grant by grant, so each
//! is answered its own outcome or error; a group that finds no connection
//! in the pool answers every grant so (503), as each request would have.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::catalog_read::Versions;
use super::enablements::{self, ConditionalInsert, Grant, PendingEnablement};
use crate::domain::actor::Actor;

/// Groups written at once: enough to keep PostgreSQL busy while one group
/// commits, few enough that grants wait in the queue, where they join a
/// group, rather than as backends contending for the cores (on two cores, 3,
/// 4 and 6 gave no more enablements a second than 2, and longer tails).
pub const GROUPS_IN_FLIGHT: usize = 2;

/// The most grants in one group: a bound on one statement's size (about a
/// kilobyte a grant) and on how long the grants in it wait for each other.
pub const MOST_IN_A_GROUP: usize = 64;

/// Grants waiting beyond this many make the next ones wait to queue.
const QUEUE_BOUND: usize = 4096;

/// The handle requests write through; cloning it shares the writer.
#[derive(Clone)]
pub struct EnablementWriter {
    queue: mpsc::Sender<Queued>,
    written: Arc<Counters>,
}

/// How many groups were written, and how many grants were in them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupsWritten {
    pub groups: u64,
    pub grants: u64,
}

#[derive(Default)]
struct Counters {
    groups: AtomicU64,
    grants: AtomicU64,
}

type Answer = oneshot::Sender<Result<ConditionalInsert, sqlx::Error>>;

/// A grant waiting for its group, and where its answer goes.
struct Queued {
    pending: PendingEnablement,
    answer: Answer,
}

impl EnablementWriter {
    /// Starts the writer on the current runtime; it stops once every handle
    /// is dropped and the groups in flight are written.
    pub fn spawn(pool: PgPool) -> Self {
        let (queue, queued) = mpsc::channel(QUEUE_BOUND);
        let written = Arc::new(Counters::default());
        tokio::spawn(write_groups(pool, written.clone(), queued));
        EnablementWriter { queue, written }
    }

    /// The groups this writer formed so far (each is written, or being
    /// written), and the grants in them.
    pub fn groups_written(&self) -> GroupsWritten {
        GroupsWritten {
            groups: self.written.groups.load(Ordering::Relaxed),
            grants: self.written.grants.load(Ordering::Relaxed),
        }
    }

    /// Writes `grant` as an active enablement, with its audit event, only if
    /// the catalog is still at `basis`: `db::enablements::insert_if_current`,
    /// in the next group.
    pub async fn insert_if_current(
        &self,
        grant: &Grant<'_>,
        basis: Versions,
        actor: &Actor,
    ) -> Result<ConditionalInsert, sqlx::Error> {
        let (answer, answered) = oneshot::channel();
        let pending = PendingEnablement::new(grant, basis, actor);
        self.queue
            .send(Queued { pending, answer })
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        // The writer answers every grant it takes, unless the process is
        // shutting down under it.
        answered.await.map_err(|_| sqlx::Error::PoolClosed)?
    }
}

async fn write_groups(pool: PgPool, written: Arc<Counters>, mut queued: mpsc::Receiver<Queued>) {
    let slots = Arc::new(Semaphore::new(GROUPS_IN_FLIGHT));
    while let Some(first) = queued.recv().await {
        // While every slot is busy, the grants behind `first` keep queueing:
        // they join its group below.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut group = vec![first];
        while group.len() < MOST_IN_A_GROUP {
            match queued.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        written.groups.fetch_add(1, Ordering::Relaxed);
        written.grants.fetch_add(group.len() as u64, Ordering::Relaxed);
        let pool = pool.clone();
        tokio::spawn(async move {
            write_group(&pool, group).await;
            drop(slot);
        });
    }
}

async fn write_group(pool: &PgPool, group: Vec<Queued>) {
    let (pending, answers): (Vec<PendingEnablement>, Vec<Answer>) =
        group.into_iter().map(|queued| (queued.pending, queued.answer)).unzip();
    // A grant alone takes the statement made for one.
    if pending.len() > 1 {
        match insert_all(pool, &pending).await {
            Ok(outcomes) => {
                for (answer, outcome) in answers.into_iter().zip(outcomes) {
                    let _ = answer.send(Ok(outcome));
                }
                return;
            }
            // No connection to be had: one grant at a time would wait as
            // long again for each.
            Err(error @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed)) => {
                let busy = matches!(error, sqlx::Error::PoolTimedOut);
                for answer in answers {
                    let _ = answer.send(Err(if busy {
                        sqlx::Error::PoolTimedOut
                    } else {
                        sqlx::Error::PoolClosed
                    }));
                }
                return;
            }
            Err(error) => {
                tracing::warn!(%error, grants = pending.len(), "a group of enablements was refused; writing them one by one");
            }
        }
    }
    for (pending, answer) in pending.iter().zip(answers) {
        let _ = answer.send(insert_one(pool, pending).await);
    }
}

async fn insert_all(pool: &PgPool, pending: &[PendingEnablement]) -> Result<Vec<ConditionalInsert>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    enablements::insert_all_pending(&mut conn, pending).await
}

/// One grant in its own statement. A grant whose group failed after it
/// committed (the connection lost before the answer came back) finds its
/// own row, and is answered that it was created.
async fn insert_one(pool: &PgPool, pending: &PendingEnablement) -> Result<ConditionalInsert, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    Ok(match enablements::insert_pending(&mut conn, pending).await? {
        ConditionalInsert::Exists(existing) if existing == pending.row.id => {
            ConditionalInsert::Created(pending.row.clone())
        }
        outcome => outcome,
    })
}
