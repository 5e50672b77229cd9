//! Appending to the hash-chained audit log, inside the caller's transaction.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// One state change, as the audit log records it.
#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub actor: &'a str,
    pub actor_roles: Vec<String>,
    pub tenant_id: Option<Uuid>,
    /// `resource.verb`, e.g. `tenant.provisioned`, `catalog.imported`.
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// Appends `entry` and returns its sequence number. The chain head is locked
/// until the caller's transaction ends, which keeps the chain linear.
pub async fn append(conn: &mut PgConnection, entry: AuditEntry<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT append_audit_event($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(Uuid::now_v7())
        .bind(entry.actor)
        .bind(&entry.actor_roles)
        .bind(entry.tenant_id)
        .bind(entry.action)
        .bind(entry.target_type)
        .bind(&entry.target_id)
        .bind(&entry.before)
        .bind(&entry.after)
        .bind(entry.reason)
        .bind(entry.request_id)
        .fetch_one(conn)
        .await
}
