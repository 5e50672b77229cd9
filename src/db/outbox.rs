//! Outbox events, written in the transaction of the change they announce.

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
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO outbox_events (id, tenant_id, event_type, payload) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(tenant)
        .bind(event_type)
        .bind(payload)
        .execute(&mut *conn)
        .await?;
    super::webhooks::fan_out(conn, id, tenant, event_type).await?;
    Ok(id)
}
