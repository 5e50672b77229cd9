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
        "SELECT seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type, target_id, before, after,
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

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// Whether every event's hash and link verify.
    pub verified: bool,
    /// How many events were checked.
    pub events: i64,
    /// The first event whose hash or link does not verify.
    pub first_broken_seq: Option<i64>,
}

/// Recomputes every hash and checks every link, in sequence order: an edited,
/// inserted or deleted row breaks the chain at that row.
pub async fn verify(conn: &mut PgConnection) -> Result<ChainReport, sqlx::Error> {
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events")
        .fetch_one(&mut *conn)
        .await?;
    let first_broken_seq: Option<i64> = sqlx::query_scalar(
        "SELECT min(seq) FROM (
             SELECT seq, hash, prev_hash,
                    lag(hash) OVER (ORDER BY seq) AS previous_hash,
                    lag(seq) OVER (ORDER BY seq) AS previous_seq,
                    audit_event_hash(seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                                     target_id, before, after, reason, request_id, prev_hash) AS recomputed
             FROM audit_events) chain
         WHERE hash <> recomputed
            OR (previous_seq IS NULL AND (seq <> 1 OR prev_hash <> decode(repeat('00', 32), 'hex')))
            OR (previous_seq IS NOT NULL AND (prev_hash <> previous_hash OR seq <> previous_seq + 1))",
    )
    .fetch_one(&mut *conn)
    .await?;
    // A deleted tail leaves the chain head pointing past the last row.
    let head: (i64, Vec<u8>) = sqlx::query_as("SELECT last_seq, last_hash FROM audit_chain_head")
        .fetch_one(&mut *conn)
        .await?;
    let last: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let tail_broken = match &last {
        Some((seq, hash)) => *seq != head.0 || *hash != head.1,
        None => head.0 != 0,
    };
    let first_broken_seq = first_broken_seq.or(tail_broken.then(|| last.map_or(1, |(seq, _)| seq + 1)));
    Ok(ChainReport {
        verified: first_broken_seq.is_none(),
        events,
        first_broken_seq,
    })
}
