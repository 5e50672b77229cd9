//! Outbox events, written in the transaction of the change they announce.

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// Appends an event for `tenant` (`None`: every tenant), queues a delivery
/// to every subscribed webhook in the same transaction, and returns the
/// event's id, the stable id receivers deduplicate on.
pub async fn append(
    conn: &mut PgConnection,
    tenant: Option<Uuid>,
    event_type: &str,
    payload: Value,
) -> Result<Uuid, sqlx::Error> {
    let ids = append_all(conn, &[(tenant, event_type, payload)], None).await?;
    Ok(ids[0])
}

/// Appends one event per `(tenant, event type, payload)`, in their order,
/// with every subscribed webhook's delivery: two statements however many
/// events (a hold suspending thousands of enablements tells each tenant).
/// `shared` holds fields every payload carries alike, sent once and merged
/// into each payload by PostgreSQL (`jsonb ||`: both must be objects, or
/// an array would get the object as one more element): the hold's notice
/// in each of ten thousand suspensions was most of the bytes the statement
/// sent and PostgreSQL parsed. Returns the events' ids, in their order.
pub async fn append_all<P: Serialize + Sync>(
    conn: &mut PgConnection,
    events: &[(Option<Uuid>, &str, P)],
    shared: Option<&Value>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = events.iter().map(|_| Uuid::now_v7()).collect();
    let tenants: Vec<Option<Uuid>> = events.iter().map(|e| e.0).collect();
    let types: Vec<String> = events.iter().map(|e| e.1.to_owned()).collect();
    // Encoded from the caller's values, not copies of them: a hold tells
    // thousands of tenants at once.
    let payloads: Vec<sqlx::types::Json<&P>> = events.iter().map(|e| sqlx::types::Json(&e.2)).collect();
    sqlx::query(
        "INSERT INTO outbox_events (id, tenant_id, event_type, payload)
         SELECT e.id, e.tenant_id, e.event_type, coalesce(e.payload || $5::jsonb, e.payload)
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) WITH ORDINALITY
              AS e(id, tenant_id, event_type, payload, position)
         ORDER BY e.position",
    )
    .bind(&ids)
    .bind(&tenants)
    .bind(&types)
    .bind(&payloads)
    .bind(shared.map(sqlx::types::Json))
    .execute(&mut *conn)
    .await?;
    super::webhooks::fan_out(conn, &ids, &tenants, &types).await?;
    Ok(ids)
}
