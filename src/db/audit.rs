//! The hash-chained audit log: events appended inside the transaction of
//! the change they record, sealed into the chain by [`spawn_sealer`] shortly
//! after they commit, and verified chain by chain.

use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::audit_hash::{chain_hashes, SealableEvent};
use crate::domain::actor::Actor;

/// One state change, as the audit log records it: who (`actor`) did what
/// (`action`, `resource.verb`) to which target, with the state before and
/// after and why. Built with [`AuditEntry::new`] and the setters, appended
/// with [`AuditEntry::append`] in the transaction of the change.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    actor: &'a Actor,
    action: &'a str,
    target_type: &'a str,
    target_id: String,
    tenant_id: Option<Uuid>,
    before: Option<Value>,
    after: Option<Value>,
    reason: Option<&'a str>,
}

impl<'a> AuditEntry<'a> {
    pub fn new(actor: &'a Actor, action: &'a str, target_type: &'a str, target_id: impl ToString) -> Self {
        AuditEntry {
            actor,
            action,
            target_type,
            target_id: target_id.to_string(),
            tenant_id: None,
            before: None,
            after: None,
            reason: None,
        }
    }

    /// The tenant whose resource changed.
    pub fn tenant(mut self, tenant: Uuid) -> Self {
        self.tenant_id = Some(tenant);
        self
    }

    pub fn before(mut self, state: impl Serialize) -> Self {
        self.before = serde_json::to_value(state).ok();
        self
    }

    pub fn after(mut self, state: impl Serialize) -> Self {
        self.after = serde_json::to_value(state).ok();
        self
    }

    pub fn reason(mut self, reason: Option<&'a str>) -> Self {
        self.reason = reason;
        self
    }

    /// Appends the entry and returns its sequence number. It locks nothing
    /// shared: the sealer chains it once the caller's transaction commits.
    pub async fn append(self, conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT append_audit_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(Uuid::now_v7())
            .bind(&self.actor.name)
            .bind(&self.actor.roles)
            .bind(self.tenant_id)
            .bind(self.action)
            .bind(self.target_type)
            .bind(&self.target_id)
            .bind(&self.before)
            .bind(&self.after)
            .bind(self.reason)
            .bind(self.actor.request_id.as_deref())
            .fetch_one(conn)
            .await
    }
}

/// Appends `entries`, all by one actor, in their order, with one call of
/// `append_audit_events()`: what a hold decision writes for each of
/// thousands of enablements costs one round trip and one INSERT. They are
/// sealed in this order, as that many [`AuditEntry::append`] calls would be.
pub async fn append_all(conn: &mut PgConnection, actor: &Actor, entries: &[AuditEntry<'_>]) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    debug_assert!(
        entries.iter().all(|e| std::ptr::eq(e.actor, actor)),
        "one actor per batch"
    );
    let ids: Vec<Uuid> = entries.iter().map(|_| Uuid::now_v7()).collect();
    let tenants: Vec<Option<Uuid>> = entries.iter().map(|e| e.tenant_id).collect();
    let actions: Vec<&str> = entries.iter().map(|e| e.action).collect();
    let target_types: Vec<&str> = entries.iter().map(|e| e.target_type).collect();
    let target_ids: Vec<&str> = entries.iter().map(|e| e.target_id.as_str()).collect();
    // Encoded from the entries' values, not copies of them.
    let befores: Vec<Option<Json<&Value>>> = entries.iter().map(|e| e.before.as_ref().map(Json)).collect();
    let afters: Vec<Option<Json<&Value>>> = entries.iter().map(|e| e.after.as_ref().map(Json)).collect();
    let reasons: Vec<Option<&str>> = entries.iter().map(|e| e.reason).collect();
    sqlx::query("SELECT append_audit_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(&ids)
        .bind(&actor.name)
        .bind(&actor.roles)
        .bind(&tenants)
        .bind(&actions)
        .bind(&target_types)
        .bind(&target_ids)
        .bind(&befores)
        .bind(&afters)
        .bind(&reasons)
        .bind(actor.request_id.as_deref())
        .execute(conn)
        .await?;
    Ok(())
}

/// One audit event as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub tenant_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// Its seal's columns: all null until the sealer has chained it.
    chain: Option<i16>,
    chain_seq: Option<i64>,
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

/// An event's place in the hash chain, written by the sealer.
#[derive(Debug, Clone)]
pub struct Seal {
    pub chain: i16,
    pub chain_seq: i64,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

impl AuditRow {
    /// Where the sealer chained the event; `None` until it has.
    pub fn seal(&self) -> Option<Seal> {
        Some(Seal {
            chain: self.chain?,
            chain_seq: self.chain_seq?,
            prev_hash: self.prev_hash.clone()?,
            hash: self.hash.clone()?,
        })
    }
}

/// Filters of the audit log listing; all optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub tenant_id: Option<Uuid>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
    pub after_seq: Option<i64>,
}

/// The filter's conditions, on parameters $1 to $7 in the order of
/// [`AuditFilter`]'s fields (its cursor aside): one text for the list and
/// its count, so they cannot disagree.
const MATCHES_FILTER: &str = "($1::text IS NULL OR actor = $1) AND ($2::uuid IS NULL OR tenant_id = $2)
    AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR target_type = $4)
    AND ($5::text IS NULL OR target_id = $5) AND ($6::timestamptz IS NULL OR occurred_at >= $6)
    AND ($7::timestamptz IS NULL OR occurred_at < $7)";

/// How many events match `filter` (its cursor aside).
pub async fn count(conn: &mut PgConnection, filter: &AuditFilter) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!("SELECT count(*) FROM audit_events WHERE {MATCHES_FILTER}"))
        .bind(&filter.actor)
        .bind(filter.tenant_id)
        .bind(&filter.action)
        .bind(&filter.target_type)
        .bind(&filter.target_id)
        .bind(filter.since)
        .bind(filter.until)
        .fetch_one(conn)
        .await
}

pub async fn list(conn: &mut PgConnection, filter: &AuditFilter, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type, target_id, before, after,
                reason, request_id, s.chain, s.chain_seq, s.prev_hash, s.hash
         FROM audit_events LEFT JOIN audit_seals s USING (seq)
         WHERE {MATCHES_FILTER} AND ($8::bigint IS NULL OR seq > $8)
         ORDER BY seq LIMIT $9"
    ))
    .bind(&filter.actor)
    .bind(filter.tenant_id)
    .bind(&filter.action)
    .bind(&filter.target_type)
    .bind(&filter.target_id)
    .bind(filter.since)
    .bind(filter.until)
    .bind(filter.after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Where one chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainBreak {
    /// The chain (0 to 15).
    pub chain: i16,
    /// The place in the chain of the first row that does not verify, or
    /// the place the chain's head names when only its tail is missing.
    pub chain_seq: i64,
    /// That row's `seq`; null when the break is the chain's end (its head
    /// does not name its last row: a deleted tail).
    pub seq: Option<i64>,
}

/// The outcome of checking the chains.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// Whether every sealed event's hash and link verify, in every chain.
    pub verified: bool,
    /// How many events the log holds: all but `unsealed` were checked.
    pub events: i64,
    /// Events written but not yet sealed into a chain (the sealer seals
    /// each within about a pass of its commit); not yet tamper-evident.
    pub unsealed: i64,
    /// When the oldest of them was written; null when none waits.
    pub oldest_unsealed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// How many chains were checked, each on its own.
    pub chains: i64,
    /// The first event (lowest `seq`) whose hash or link does not verify;
    /// when the only break is a deleted tail, null, with the chain in
    /// `breaks`.
    pub first_broken_seq: Option<i64>,
    /// Where each broken chain first breaks; empty when all verify.
    pub breaks: Vec<ChainBreak>,
}

/// How many events one sealing pass chains at most: a backlog (a sealer
/// that was down) is worked off in passes of bounded length.
const SEAL_BATCH: i32 = 10_000;

/// Passes take turns on this transaction-scoped advisory lock ("mmseal"),
/// across servers.
const SEAL_LOCK: i64 = 120_316_854_886_764;

/// One sealing pass: chains the committed events not yet sealed, in `seq`
/// order, onto chain 0, and answers how many. Passes take turns (another
/// server's running pass is waited for), so when one returns every event
/// committed before it began is sealed, up to the batch.
///
/// The database finds the events and stores the seals; the hashes are
/// computed here ([`audit_hash`](super::audit_hash)), as
/// `audit_event_hash_v2()` would, so the database does not hash.
///
/// Which events wait: each records the transaction that wrote it (`xact`).
/// A watermark (`audit_sealing.sealed_below`) lies below every transaction
/// still running and every event not sealed; the pass looks only above it,
/// and a pass that did not fill its batch raises it to the horizon it read
/// before looking, below which every transaction had ended.
pub async fn seal(pool: &sqlx::PgPool) -> Result<i32, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SEAL_LOCK)
        .execute(&mut *tx)
        .await?;
    // The horizon is read by a statement before the one that looks for
    // events: every transaction below it has ended, so what they committed
    // is visible to the later statement's snapshot.
    let (horizon, since, last_chain_seq, last_hash): (String, String, i64, Vec<u8>) = sqlx::query_as(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text, s.sealed_below::text, h.last_chain_seq, h.last_hash
         FROM audit_sealing s, audit_chain_heads h WHERE h.chain = 0
         FOR UPDATE",
    )
    .fetch_one(&mut *tx)
    .await?;
    let events: Vec<SealableEvent> = sqlx::query_as(
        "SELECT ev.seq, ev.id, (extract(epoch FROM ev.occurred_at) * 1000000)::bigint AS occurred_at_micros,
                ev.actor, ev.actor_roles, ev.tenant_id, ev.action, ev.target_type, ev.target_id,
                ev.before::text AS before, ev.after::text AS after, ev.reason, ev.request_id
         FROM audit_events ev
         WHERE ev.xact >= $1::xid8 AND NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.seq = ev.seq)
         ORDER BY ev.seq
         LIMIT $2",
    )
    .bind(&since)
    .bind(i64::from(SEAL_BATCH))
    .fetch_all(&mut *tx)
    .await?;
    let sealed = events.len() as i32;
    if !events.is_empty() {
        let previous: [u8; 32] = last_hash
            .try_into()
            .map_err(|_| sqlx::Error::Protocol("the audit chain head's hash is not 32 bytes".into()))?;
        let seqs: Vec<i64> = events.iter().map(|event| event.seq).collect();
        // Hashing a batch is CPU work of milliseconds (tens of them for a
        // hold's ten thousand events): on the blocking pool, not on a
        // runtime worker, where it would stall the enablement writer's
        // groups and every other task queued behind it.
        let hashes = tokio::task::spawn_blocking(move || chain_hashes(0, last_chain_seq + 1, &events, previous))
            .await
            .map_err(|error| sqlx::Error::Protocol(format!("hashing the audit events failed: {error}")))?;
        let last = *hashes.last().expect("one hash an event, and there are events");
        let prev_hashes: Vec<Vec<u8>> = std::iter::once(previous)
            .chain(hashes[..hashes.len() - 1].iter().copied())
            .map(|hash| hash.to_vec())
            .collect();
        let hashes: Vec<Vec<u8>> = hashes.iter().map(|hash| hash.to_vec()).collect();
        sqlx::query(
            "INSERT INTO audit_seals (seq, chain, chain_seq, hash_version, prev_hash, hash)
             SELECT u.seq, 0, $4 + u.k, 2, u.prev, u.hash
             FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) WITH ORDINALITY AS u(seq, prev, hash, k)",
        )
        .bind(&seqs)
        .bind(&prev_hashes)
        .bind(&hashes)
        .bind(last_chain_seq)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE audit_chain_heads SET last_chain_seq = $1, last_hash = $2 WHERE chain = 0")
            .bind(last_chain_seq + i64::from(sealed))
            .bind(last.to_vec())
            .execute(&mut *tx)
            .await?;
    }
    // A pass not cut short sealed everything below the horizon.
    if sealed < SEAL_BATCH {
        sqlx::query("UPDATE audit_sealing SET sealed_below = $1::xid8 WHERE $1::xid8 > sealed_below")
            .bind(&horizon)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(sealed)
}

/// Seals in the background, a pass every `interval` (and again at once
/// while a pass fills its batch), so every event is chained shortly after
/// it commits. Every server runs one; their passes take turns.
pub fn spawn_sealer(pool: sqlx::PgPool, interval: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            loop {
                match seal(&pool).await {
                    Ok(sealed) if sealed == SEAL_BATCH => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(%error, "sealing the audit log failed; the next pass retries");
                        break;
                    }
                }
            }
        }
    })
}

/// Recomputes every sealed event's hash and checks every link, chain by
/// chain (in SQL, `audit_chain_breaks()`, with the functions that sealed
/// them): an edited, deleted or reordered event, or a deleted seal, breaks
/// its chain there, and a deleted tail leaves the chain's head naming a
/// seal that is gone. Events not yet sealed are counted, not checked.
pub async fn verify(conn: &mut PgConnection) -> Result<ChainReport, sqlx::Error> {
    let (events, chains, unsealed, oldest_unsealed_at): (i64, i64, i64, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as(
            "SELECT (SELECT count(*) FROM audit_events), (SELECT count(*) FROM audit_chain_heads), count(*),
                    min(e.occurred_at)
             FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.seq = e.seq)",
        )
        .fetch_one(&mut *conn)
        .await?;
    let broken: Vec<(i16, i64, Option<i64>)> =
        sqlx::query_as("SELECT chain, chain_seq, seq FROM audit_chain_breaks() ORDER BY chain, chain_seq")
            .fetch_all(&mut *conn)
            .await?;
    let mut breaks: Vec<ChainBreak> = Vec::new();
    for (chain, chain_seq, seq) in broken {
        if breaks.last().is_none_or(|last| last.chain != chain) {
            breaks.push(ChainBreak { chain, chain_seq, seq });
        }
    }
    Ok(ChainReport {
        verified: breaks.is_empty(),
        events,
        unsealed,
        oldest_unsealed_at,
        chains,
        first_broken_seq: breaks.iter().filter_map(|b| b.seq).min(),
        breaks,
    })
}
