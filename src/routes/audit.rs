//! The platform audit log, for auditors: `GET /v1/admin/audit-events` and
//! `GET /v1/admin/audit-events/verify`.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging;
use crate::auth::{Authorized, ReadAudit};
use crate::db::audit::{self, AuditFilter, AuditRow, ChainReport};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Exact actor, e.g. `platform:alice`.
    pub actor: Option<String>,
    /// Only events about this tenant.
    #[param(value_type = Option<Uuid>)]
    pub tenant_id: Option<String>,
    /// Exact action, e.g. `hold.approved`.
    pub action: Option<String>,
    /// Exact target type, e.g. `hold`, `enablement`, `model`.
    pub target_type: Option<String>,
    /// Exact target id (with `target_type`, one resource's history).
    pub target_id: Option<String>,
    /// RFC 3339; events at or after.
    #[param(value_type = Option<DateTime<Utc>>)]
    pub since: Option<String>,
    /// RFC 3339; events before.
    #[param(value_type = Option<DateTime<Utc>>)]
    pub until: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// The log's order (the time of each append; a number a rolled-back
    /// write took is skipped).
    pub seq: i64,
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub actor_roles: Vec<String>,
    pub tenant_id: Option<Uuid>,
    #[schema(example = "hold.approved")]
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    #[schema(value_type = Option<HashMap<String, Value>>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<HashMap<String, Value>>)]
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// Where the event is chained; null for the moment between its commit
    /// and the sealer's next pass (a quarter second by default).
    pub seal: Option<AuditSeal>,
}

/// An event's place in the log's hash chains.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditSeal {
    /// Which of the log's hash chains holds the event (events sealed since
    /// sealing began are all in chain 0; chains 1 to 15 hold older ones).
    pub chain: i16,
    /// Its place in that chain, from 1 without gaps.
    pub chain_seq: i64,
    /// Hex SHA-256 of the previous event in its chain.
    pub prev_hash: String,
    /// Hex SHA-256 of this event, its place and `prev_hash`.
    pub hash: String,
}

impl From<AuditRow> for AuditEvent {
    fn from(row: AuditRow) -> Self {
        let seal = row.seal().map(|seal| AuditSeal {
            chain: seal.chain,
            chain_seq: seal.chain_seq,
            prev_hash: hex::encode(seal.prev_hash),
            hash: hex::encode(seal.hash),
        });
        AuditEvent {
            seq: row.seq,
            id: row.id,
            occurred_at: row.occurred_at,
            actor: row.actor,
            actor_roles: row.actor_roles,
            tenant_id: row.tenant_id,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            before: row.before,
            after: row.after,
            reason: row.reason,
            request_id: row.request_id,
            seal,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEvent>,
    /// Every event matching the filters, on every page (the cursor aside).
    pub total: i64,
    pub next_cursor: Option<String>,
}

fn instant(field: &str, text: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    text.map(|t| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| ApiError::invalid_parameter(field, "must be an RFC 3339 instant"))
    })
    .transpose()
}

/// List audit events.
///
/// In sequence order, filtered by actor, tenant, action, target and time.
#[utoipa::path(
    tag = "audit",
    operation_id = "list_audit_events",
    params(AuditParams),
    responses(
        (status = 200, description = "A page of audit events", body = AuditEventList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    _principal: Authorized<ReadAudit>,
    params: web::Query<AuditParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging::limit(params.limit.as_deref())?;
    let after_seq = paging::decode_seq(params.cursor.as_deref())?;
    let tenant_id = match params.tenant_id.as_deref() {
        None => None,
        Some(text) => {
            Some(Uuid::parse_str(text).map_err(|_| ApiError::invalid_parameter("tenant_id", "must be a UUID"))?)
        }
    };
    let short = |field: &str, value: &Option<String>| -> Result<Option<String>, ApiError> {
        match value {
            Some(v) if v.len() > 256 => Err(ApiError::invalid_parameter(field, "at most 256 characters")),
            other => Ok(other.clone()),
        }
    };
    let filter = AuditFilter {
        actor: short("actor", &params.actor)?,
        tenant_id,
        action: short("action", &params.action)?,
        target_type: short("target_type", &params.target_type)?,
        target_id: short("target_id", &params.target_id)?,
        since: instant("since", params.since.as_deref())?,
        until: instant("until", params.until.as_deref())?,
        after_seq,
    };
    let mut conn = state.pool.acquire().await?;
    let rows = audit::list(&mut conn, &filter, limit + 1).await?;
    let total = audit::count(&mut conn, &filter).await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| row.seq.to_string());
    Ok(HttpResponse::Ok().json(AuditEventList {
        total,
        items: rows.into_iter().map(AuditEvent::from).collect(),
        next_cursor,
    }))
}

/// Verify the audit chain.
///
/// Recomputes every sealed event's hash and checks every link; names where
/// each chain breaks, and counts the events not yet sealed.
#[utoipa::path(
    tag = "audit",
    operation_id = "verify_audit_events",
    responses((status = 200, description = "Whether the chain verifies, and where it breaks", body = ChainReport)),
    security(("bearer" = []))
)]
#[get("/v1/admin/audit-events/verify")]
pub async fn verify_audit_events(
    state: web::Data<AppState>,
    _principal: Authorized<ReadAudit>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.acquire().await?;
    Ok(HttpResponse::Ok().json(audit::verify(&mut conn).await?))
}
