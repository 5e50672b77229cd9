//! Appending to the hash-chained audit log, inside the caller's transaction.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

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

    /// Appends the entry and returns its sequence number. The chain head is
    /// locked until the caller's transaction ends, which keeps the chain
    /// linear.
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
/// `append_audit_events()`: the chain head is locked and written once, so
/// what a hold decision writes for each of thousands of enablements costs
/// one round trip and no more per row than the row itself. They chain
/// exactly as that many [`AuditEntry::append`] calls would.
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
    let befores: Vec<Option<Value>> = entries.iter().map(|e| e.before.clone()).collect();
    let afters: Vec<Option<Value>> = entries.iter().map(|e| e.after.clone()).collect();
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
    pub chain: i16,
    pub chain_seq: i64,
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
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
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
        "SELECT seq, chain, chain_seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type, target_id, before, after,
                reason, request_id, prev_hash, hash
         FROM audit_events
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
    /// Whether every event's hash and link verify, in every chain.
    pub verified: bool,
    /// How many events were checked.
    pub events: i64,
    /// How many chains were checked, each on its own.
    pub chains: i64,
    /// The first event (lowest `seq`) whose hash or link does not verify;
    /// when the only break is a deleted tail, null, with the chain in
    /// `breaks`.
    pub first_broken_seq: Option<i64>,
    /// Where each broken chain first breaks; empty when all verify.
    pub breaks: Vec<ChainBreak>,
}

/// Recomputes every hash and checks every link, chain by chain (in SQL,
/// `audit_chain_breaks()`, the same functions that wrote them): an edited,
/// inserted, deleted or reordered row breaks its chain at that row, and a
/// deleted tail leaves the chain's head naming a row that is gone.
pub async fn verify(conn: &mut PgConnection) -> Result<ChainReport, sqlx::Error> {
    let (events, chains): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM audit_events), (SELECT count(*) FROM audit_chain_heads)")
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
        chains,
        first_broken_seq: breaks.iter().filter_map(|b| b.seq).min(),
        breaks,
    })
}
