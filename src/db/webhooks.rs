//! Webhook subscriptions and their deliveries.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

/// How a webhook delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// The receiver answered 2xx.
    Delivered,
    /// It failed and will be tried again after a backoff.
    Retrying,
    /// It failed for the last time.
    Abandoned,
}

impl DeliveryOutcome {
    pub const ALL: [DeliveryOutcome; 3] = [
        DeliveryOutcome::Delivered,
        DeliveryOutcome::Retrying,
        DeliveryOutcome::Abandoned,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Delivered => "delivered",
            DeliveryOutcome::Retrying => "retrying",
            DeliveryOutcome::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct SubscriptionRow {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub secret: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

const COLUMNS: &str = "tenant_id, id, url, event_types, description, secret, status, created_at, created_by";

pub async fn insert(
    conn: &mut PgConnection,
    tenant: Uuid,
    url: &str,
    event_types: &[String],
    description: Option<&str>,
    secret: &str,
    actor: &str,
) -> Result<SubscriptionRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO webhook_subscriptions (tenant_id, id, url, event_types, description, secret, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ))
    .bind(tenant)
    .bind(Uuid::now_v7())
    .bind(url)
    .bind(event_types)
    .bind(description)
    .bind(secret)
    .bind(actor)
    .fetch_one(conn)
    .await
}

pub async fn list(pool: &PgPool, tenant: Uuid) -> Result<Vec<SubscriptionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND status = 'active' ORDER BY id"
    ))
    .bind(tenant)
    .fetch_all(pool)
    .await
}

/// Stops a subscription; pending deliveries to it are abandoned.
pub async fn disable(conn: &mut PgConnection, tenant: Uuid, id: Uuid) -> Result<Option<SubscriptionRow>, sqlx::Error> {
    let row: Option<SubscriptionRow> = sqlx::query_as(&format!(
        "UPDATE webhook_subscriptions SET status = 'disabled', row_version = row_version + 1
         WHERE tenant_id = $1 AND id = $2 AND status = 'active' RETURNING {COLUMNS}"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if row.is_some() {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = 'abandoned', last_error = 'subscription deleted'
             WHERE tenant_id = $1 AND subscription_id = $2 AND status = 'pending'",
        )
        .bind(tenant)
        .bind(id)
        .execute(conn)
        .await?;
    }
    Ok(row)
}

pub async fn exists(pool: &PgPool, tenant: Uuid, id: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2)")
        .bind(tenant)
        .bind(id)
        .fetch_one(pool)
        .await
}

/// Queues a delivery of each event (`ids`, `tenants` and `types` side by
/// side; a `None` tenant is every tenant) to every active webhook
/// subscribed to its type, in the caller's transaction.
pub async fn fan_out(
    conn: &mut PgConnection,
    ids: &[Uuid],
    tenants: &[Option<Uuid>],
    types: &[String],
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO webhook_deliveries (tenant_id, id, subscription_id, event_id, status)
         SELECT s.tenant_id, gen_random_uuid(), s.id, e.id, 'pending'
         FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS e(id, tenant_id, event_type)
         JOIN webhook_subscriptions s
           ON s.status = 'active' AND e.event_type = ANY (s.event_types)
          AND (e.tenant_id IS NULL OR s.tenant_id = e.tenant_id)",
    )
    .bind(ids)
    .bind(tenants)
    .bind(types)
    .execute(conn)
    .await?
    .rows_affected())
}

/// A delivery claimed for one attempt.
#[derive(Debug, Clone, FromRow)]
pub struct Claimed {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub attempts: i32,
    pub url: String,
    pub secret: String,
    pub event_id: Uuid,
    pub event_type: String,
    pub event_tenant: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

/// What a receiver gets.
#[derive(Debug, Serialize)]
pub struct DeliveryBody<'a> {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub event_type: &'a str,
    pub occurred_at: DateTime<Utc>,
    pub tenant_id: Uuid,
    pub data: &'a serde_json::Value,
}

impl Claimed {
    pub fn body(&self) -> DeliveryBody<'_> {
        DeliveryBody {
            id: self.event_id,
            event_type: &self.event_type,
            occurred_at: self.occurred_at,
            tenant_id: self.event_tenant.unwrap_or(self.tenant_id),
            data: &self.payload,
        }
    }
}

/// Leases due deliveries for one attempt: the lease (next_attempt_at pushed
/// ahead) is committed before any HTTP call, so a crash mid-delivery only
/// delays a retry, and two servers never attempt the same delivery at once.
pub async fn claim_due(pool: &PgPool, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "WITH due AS (
             SELECT tenant_id, id FROM webhook_deliveries
             WHERE status = 'pending' AND next_attempt_at <= now()
             ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED),
         leased AS (
             UPDATE webhook_deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + interval '60 seconds'
             FROM due WHERE d.tenant_id = due.tenant_id AND d.id = due.id
             RETURNING d.tenant_id, d.id, d.attempts, d.subscription_id, d.event_id)
         SELECT l.tenant_id, l.id, l.attempts, s.url, s.secret, e.id AS event_id, e.event_type,
                e.tenant_id AS event_tenant, e.occurred_at, e.payload
         FROM leased l
         JOIN webhook_subscriptions s ON s.tenant_id = l.tenant_id AND s.id = l.subscription_id
         JOIN outbox_events e ON e.id = l.event_id",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Logs an attempt and settles the delivery: delivered on a 2xx, retried
/// after `backoff_secs` otherwise, abandoned after `max_attempts`.
pub async fn record_attempt(
    pool: &PgPool,
    delivery: &Claimed,
    outcome: Result<u16, String>,
    duration_ms: i32,
    max_attempts: i32,
    backoff_secs: i64,
) -> Result<DeliveryOutcome, sqlx::Error> {
    let (status_code, error) = match &outcome {
        Ok(code) => (Some(i32::from(*code)), None),
        Err(message) => (None, Some(message.clone())),
    };
    let delivered = matches!(outcome, Ok(code) if (200..300).contains(&code));
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO webhook_delivery_attempts (tenant_id, delivery_id, attempt, status_code, error, duration_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(delivery.tenant_id)
    .bind(delivery.id)
    .bind(delivery.attempts)
    .bind(status_code)
    .bind(&error)
    .bind(duration_ms)
    .execute(&mut *tx)
    .await?;
    let (status, recorded) = if delivered {
        ("delivered", DeliveryOutcome::Delivered)
    } else if delivery.attempts >= max_attempts {
        ("abandoned", DeliveryOutcome::Abandoned)
    } else {
        ("pending", DeliveryOutcome::Retrying)
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $3, last_status_code = $4, last_error = $5,
                delivered_at = CASE WHEN $3 = 'delivered' THEN now() END,
                next_attempt_at = now() + make_interval(secs => $6)
         WHERE tenant_id = $1 AND id = $2",
    )
    .bind(delivery.tenant_id)
    .bind(delivery.id)
    .bind(status)
    .bind(status_code)
    .bind(&error)
    .bind(backoff_secs as f64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(recorded)
}

/// A tenant's events, newest last, after `after_seq`.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub seq: i64,
    pub id: Uuid,
    pub event_type: String,
    pub tenant_id: Option<Uuid>,
    pub payload: serde_json::Value,
    pub occurred_at: DateTime<Utc>,
}

pub async fn events(
    pool: &PgPool,
    tenant: Uuid,
    event_type: Option<&str>,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, id, event_type, tenant_id, payload, occurred_at FROM outbox_events
         WHERE (tenant_id = $1 OR tenant_id IS NULL) AND ($2::text IS NULL OR event_type = $2)
           AND ($3::bigint IS NULL OR seq > $3)
         ORDER BY seq LIMIT $4",
    )
    .bind(tenant)
    .bind(event_type)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// How many of `tenant`'s events (its own and every tenant's) there are of
/// `event_type`, or of any type.
pub async fn count_events(pool: &PgPool, tenant: Uuid, event_type: Option<&str>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events
         WHERE (tenant_id = $1 OR tenant_id IS NULL) AND ($2::text IS NULL OR event_type = $2)",
    )
    .bind(tenant)
    .bind(event_type)
    .fetch_one(pool)
    .await
}

/// An active subscription of `tenant`.
pub async fn get(pool: &PgPool, tenant: Uuid, id: Uuid) -> Result<Option<SubscriptionRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2 AND status = 'active'"
    ))
    .bind(tenant)
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// A delivery of one event to one subscription, as its log shows it.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub seq: i64,
    pub id: Uuid,
    pub event_id: Uuid,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// How many deliveries a subscription has had.
pub async fn count_deliveries(pool: &PgPool, tenant: Uuid, subscription: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE tenant_id = $1 AND subscription_id = $2")
        .bind(tenant)
        .bind(subscription)
        .fetch_one(pool)
        .await
}

/// A subscription's deliveries in the order of their events, after the
/// event `after_seq`.
pub async fn deliveries(
    pool: &PgPool,
    tenant: Uuid,
    subscription: Uuid,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.seq, d.id, d.event_id, e.event_type, d.status, d.attempts, d.last_status_code, d.last_error,
                d.next_attempt_at, d.delivered_at, d.created_at
         FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
         WHERE d.tenant_id = $1 AND d.subscription_id = $2 AND ($3::bigint IS NULL OR e.seq > $3)
         ORDER BY e.seq LIMIT $4",
    )
    .bind(tenant)
    .bind(subscription)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(pool)
    .await
}
