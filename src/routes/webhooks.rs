//! A tenant's notifications: the pull feed `GET /v1/tenants/{tenant_id}/events`
//! and webhooks `GET|POST /v1/tenants/{tenant_id}/webhooks`, `GET|DELETE .../{id}`,
//! their delivery log `GET .../{id}/deliveries` and a test `POST .../{id}/ping`.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging;
use crate::auth::{TenantAccess, TenantRead, TenantWrite};
use crate::db::audit::AuditEntry;
use crate::db::webhooks::{self, SubscriptionRow};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::RequestId;
use crate::state::AppState;
use crate::webhooks::target;

const CREATE_ROUTE: &str = "POST /v1/tenants/{tenant_id}/webhooks";
const EVENT_TYPES: &[&str] = &[
    "model.delisted",
    "model.relisted",
    "enablement.suspended",
    "enablement.restored",
    "model.deprecated",
    "model.retired",
    "price.changed",
    "offer.withdrawn",
];

// Documentation only: the server keeps event types as the strings in
// `EVENT_TYPES`, which a test holds equal to these.
/// What an event announces.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub enum EventType {
    #[serde(rename = "model.delisted")]
    ModelDelisted,
    #[serde(rename = "model.relisted")]
    ModelRelisted,
    #[serde(rename = "enablement.suspended")]
    EnablementSuspended,
    #[serde(rename = "enablement.restored")]
    EnablementRestored,
    #[serde(rename = "model.deprecated")]
    ModelDeprecated,
    #[serde(rename = "model.retired")]
    ModelRetired,
    #[serde(rename = "price.changed")]
    PriceChanged,
    #[serde(rename = "offer.withdrawn")]
    OfferWithdrawn,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventParams {
    /// Only this event type.
    #[serde(rename = "type")]
    #[param(value_type = Option<EventType>)]
    pub event_type: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
}

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// Stable: receivers deduplicate on it.
    pub id: Uuid,
    #[serde(rename = "type")]
    #[schema(value_type = EventType, example = "enablement.suspended")]
    pub event_type: String,
    pub occurred_at: DateTime<Utc>,
    /// Null for events every tenant receives.
    pub tenant_id: Option<Uuid>,
    #[schema(value_type = HashMap<String, Value>)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
    /// Every event of the tenant's feed (of `type`, when asked), on every
    /// page: not how many are left after the cursor.
    pub total: i64,
    /// Pass back as `cursor` to read on; present whenever items were
    /// returned, so a poller can resume from the last one it saw.
    pub next_cursor: Option<String>,
}

/// Read the tenant's notifications.
///
/// Oldest first; the tenant's own events and those for every tenant.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_events",
    params(("tenant_id" = Uuid, Path, description = "The tenant"), EventParams),
    responses(
        (status = 200, description = "A page of events", body = EventList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
    params: web::Query<EventParams>,
) -> Result<HttpResponse, ApiError> {
    if let Some(event_type) = params.event_type.as_deref() {
        if !EVENT_TYPES.contains(&event_type) {
            return Err(ApiError::invalid_parameter(
                "type",
                format!("expected one of {}", EVENT_TYPES.join(", ")),
            ));
        }
    }
    let limit = paging::limit(params.limit.as_deref())?;
    let after = paging::decode_seq(params.cursor.as_deref())?;
    let rows = webhooks::events(
        &state.pool,
        access.tenant_id,
        params.event_type.as_deref(),
        after,
        limit,
    )
    .await?;
    let total = webhooks::count_events(&state.pool, access.tenant_id, params.event_type.as_deref()).await?;
    let next_cursor = rows.last().map(|row| row.seq.to_string()).or(params.cursor.clone());
    Ok(HttpResponse::Ok().json(EventList {
        total,
        items: rows
            .into_iter()
            .map(|row| Event {
                id: row.id,
                event_type: row.event_type,
                occurred_at: row.occurred_at,
                tenant_id: row.tenant_id,
                data: row.payload,
            })
            .collect(),
        next_cursor,
    }))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://hooks.contoso.example/modelmart",
    "event_types": ["enablement.suspended", "enablement.restored", "model.delisted"],
    "description": "Compliance pager"
}))]
pub struct WebhookInput {
    /// https, resolving only to public addresses.
    pub url: String,
    #[schema(value_type = Vec<EventType>)]
    pub event_types: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub url: String,
    #[schema(value_type = Vec<EventType>)]
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    /// The HMAC-SHA256 signing secret: returned once, at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Webhook {
    fn from_row(row: &SubscriptionRow, with_secret: bool) -> Self {
        Webhook {
            id: row.id,
            tenant_id: row.tenant_id,
            url: row.url.clone(),
            event_types: row.event_types.clone(),
            description: row.description.clone(),
            created_at: row.created_at,
            created_by: row.created_by.clone(),
            secret: with_secret.then(|| row.secret.clone()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
    pub total: usize,
    /// Always null: a tenant's webhooks fit one page.
    pub next_cursor: Option<String>,
}

/// List the tenant's webhooks.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_webhooks",
    params(("tenant_id" = Uuid, Path, description = "The tenant")),
    responses(
        (status = 200, description = "The active webhooks (secrets are not shown)", body = WebhookList),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
) -> Result<HttpResponse, ApiError> {
    let rows = webhooks::list(&state.pool, access.tenant_id).await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        total: rows.len(),
        items: rows.iter().map(|row| Webhook::from_row(row, false)).collect(),
        next_cursor: None,
    }))
}

fn new_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))?;
    Ok(format!("whsec_{}", hex::encode(bytes)))
}

/// Subscribe a webhook.
///
/// Deliveries are POSTs of `{id, type, occurred_at, tenant_id, data}` with a
/// `Modelmart-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
/// header and `Modelmart-Event-Id`; they are retried with exponential
/// backoff until a 2xx, at least once, so receivers deduplicate on the event
/// id. The URL must be https and resolve to public addresses only.
#[utoipa::path(
    tag = "notifications",
    operation_id = "create_webhook",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")
    ),
    request_body = WebhookInput,
    responses(
        (status = 201, description = "The webhook, with its signing secret (shown only now)", body = Webhook,
         headers(("Location" = String, description = "The webhook's URL"),
                 ("ETag" = String, description = "The webhook's ETag, as its GET (without the secret) sends it"))),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "The URL or an event type is not acceptable", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tenant_id}/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Json<WebhookInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let key = super::idempotency::key(&req)?;
    let allow_private = state.settings.webhooks_allow_private;
    let mut errors = Vec::new();
    if input.url.len() > 2048 {
        errors.push(FieldError {
            field: "url".into(),
            message: "at most 2048 characters".into(),
        });
    } else {
        match target::parse(&input.url, allow_private) {
            Ok(url) => {
                if let Err(problem) = target::resolve(&url, allow_private).await {
                    errors.push(FieldError {
                        field: "url".into(),
                        message: problem.to_string(),
                    });
                }
            }
            Err(problem) => errors.push(FieldError {
                field: "url".into(),
                message: problem.to_string(),
            }),
        }
    }
    if input.event_types.is_empty() || input.event_types.len() > EVENT_TYPES.len() {
        errors.push(FieldError {
            field: "event_types".into(),
            message: format!("1 to {} of: {}", EVENT_TYPES.len(), EVENT_TYPES.join(", ")),
        });
    }
    for (i, event_type) in input.event_types.iter().enumerate() {
        if !EVENT_TYPES.contains(&event_type.as_str()) {
            errors.push(FieldError {
                field: format!("event_types[{i}]"),
                message: format!("{event_type:?} is not an event type"),
            });
        }
    }
    if input.description.as_ref().is_some_and(|d| d.len() > 500) {
        errors.push(FieldError {
            field: "description".into(),
            message: "at most 500 characters".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    let scope = access.tenant_id.to_string();
    let mut tx = state.pool.begin().await?;
    if let Some(replay) = super::idempotency::claim(&mut tx, key.as_deref(), &scope, CREATE_ROUTE, &input).await? {
        return Ok(replay);
    }
    let mut event_types = input.event_types.clone();
    event_types.sort();
    event_types.dedup();
    let actor = access.acting(&request_id);
    let row = webhooks::insert(
        &mut tx,
        access.tenant_id,
        &input.url,
        &event_types,
        input.description.as_deref(),
        &new_secret()?,
        &actor.name,
    )
    .await?;
    AuditEntry::new(&actor, "webhook.created", "webhook", row.id)
        .tenant(access.tenant_id)
        .after(Webhook::from_row(&row, false))
        .append(&mut tx)
        .await?;
    let body = serde_json::to_vec(&Webhook::from_row(&row, true)).map_err(ApiError::internal)?;
    let location = format!("/v1/tenants/{}/webhooks/{}", access.tenant_id, row.id);
    super::idempotency::remember(&mut tx, key.as_deref(), &scope, CREATE_ROUTE, &location, &body).await?;
    tx.commit().await?;
    // The tag of the webhook as a GET shows it (without its secret).
    let shown = serde_json::to_vec(&Webhook::from_row(&row, false)).map_err(ApiError::internal)?;
    let mut response = super::idempotency::created(&location, body);
    if let Ok(tag) = header::HeaderValue::from_str(&crate::http::content_etag(&shown)) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    Ok(response)
}

/// Get one webhook.
///
/// Its secret is not shown (only the create answer has it). Sends an
/// `ETag`; `If-None-Match` with it answers 304 while the webhook is
/// unchanged.
#[utoipa::path(
    tag = "notifications",
    operation_id = "get_webhook",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("id" = Uuid, Path, description = "The webhook"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a representation read before")
    ),
    responses(
        (status = 200, description = "The webhook", body = Webhook,
         headers(("ETag" = String, description = "Changes whenever the webhook does"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such webhook visible to this principal (or it was deleted)", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let row = subscription(&state, access.tenant_id, &path.1).await?;
    crate::http::revalidated_json(&req, &Webhook::from_row(&row, false))
}

/// The tenant's active webhook the path names, or 404.
async fn subscription(state: &AppState, tenant: Uuid, id: &str) -> Result<SubscriptionRow, ApiError> {
    let id = Uuid::parse_str(id).map_err(|_| ApiError::not_found("The webhook"))?;
    webhooks::get(&state.pool, tenant, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The webhook"))
}

/// One event's delivery to a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: Uuid,
    /// The event delivered (the receiver's `Modelmart-Event-Id`).
    pub event_id: Uuid,
    #[schema(value_type = EventType)]
    pub event_type: String,
    /// `pending` (to be tried, or tried again after `next_attempt_at`),
    /// `delivered`, or `abandoned` (after the last attempt failed, or the
    /// webhook was deleted).
    #[schema(example = "delivered")]
    pub status: String,
    pub attempts: i32,
    /// The receiver's HTTP status at the last attempt.
    #[schema(example = 200)]
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, when it did without an HTTP status.
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub items: Vec<Delivery>,
    /// Every delivery of the webhook, on every page.
    pub total: i64,
    pub next_cursor: Option<String>,
}

/// List a webhook's deliveries.
///
/// In the order of their events, oldest first: each event sent to the
/// webhook, how many attempts it took and how the last one ended.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_webhook_deliveries",
    params(("tenant_id" = Uuid, Path, description = "The tenant"), ("id" = Uuid, Path, description = "The webhook"),
           paging::PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = DeliveryList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
    path: web::Path<(String, String)>,
    params: web::Query<paging::PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging::limit(params.limit.as_deref())?;
    let after = paging::decode_seq(params.cursor.as_deref())?;
    let row = subscription(&state, access.tenant_id, &path.1).await?;
    let rows = webhooks::deliveries(&state.pool, access.tenant_id, row.id, after, limit + 1).await?;
    let total = webhooks::count_deliveries(&state.pool, access.tenant_id, row.id).await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| row.seq.to_string());
    Ok(HttpResponse::Ok().json(DeliveryList {
        total,
        items: rows
            .iter()
            .map(|row| Delivery {
                id: row.id,
                event_id: row.event_id,
                event_type: row.event_type.clone(),
                status: row.status.clone(),
                attempts: row.attempts,
                last_status_code: row.last_status_code,
                last_error: row.last_error.clone(),
                next_attempt_at: (row.status == "pending").then_some(row.next_attempt_at),
                delivered_at: row.delivered_at,
                created_at: row.created_at,
            })
            .collect(),
        next_cursor,
    }))
}

/// How a test delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct PingResult {
    /// Whether the receiver answered 2xx.
    pub delivered: bool,
    /// The receiver's HTTP status, when it answered.
    #[schema(example = 200)]
    pub status_code: Option<u16>,
    /// Why it failed, when it did without an HTTP status (refused address,
    /// timeout, TLS, connection).
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The id the test event was sent with (`Modelmart-Event-Id`).
    pub event_id: Uuid,
}

/// Send a webhook a test event.
///
/// One signed delivery of a `webhook.ping` event
/// (`data: {"webhook_id"}`), made now, with the same checks, headers and
/// signature as real deliveries, and answered with how it went. Not
/// retried, not logged as a delivery, not in the event feed.
#[utoipa::path(
    tag = "notifications",
    operation_id = "ping_webhook",
    params(("tenant_id" = Uuid, Path, description = "The tenant"), ("id" = Uuid, Path, description = "The webhook")),
    responses(
        (status = 200, description = "How the test delivery went (a failed delivery is still a 200)", body = PingResult),
        (status = 404, description = "No such webhook visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tenant_id}/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let row = subscription(&state, access.tenant_id, &path.1).await?;
    let event_id = Uuid::now_v7();
    let ping = webhooks::Claimed {
        tenant_id: row.tenant_id,
        id: event_id,
        attempts: 1,
        url: row.url.clone(),
        secret: row.secret.clone(),
        event_id,
        event_type: "webhook.ping".into(),
        event_tenant: Some(row.tenant_id),
        occurred_at: Utc::now(),
        payload: serde_json::json!({ "webhook_id": row.id }),
    };
    let started = std::time::Instant::now();
    let outcome = crate::webhooks::deliver(&ping, state.settings.webhooks_allow_private).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    let (status_code, error) = match outcome {
        Ok(code) => (Some(code), None),
        Err(error) => (None, Some(error)),
    };
    Ok(HttpResponse::Ok().json(PingResult {
        delivered: status_code.is_some_and(|code| (200..300).contains(&code)),
        status_code,
        error,
        duration_ms,
        event_id,
    }))
}

/// Delete a webhook.
///
/// Its pending deliveries are abandoned. Idempotent.
#[utoipa::path(
    tag = "notifications",
    operation_id = "delete_webhook",
    params(("tenant_id" = Uuid, Path, description = "The tenant"), ("id" = Uuid, Path, description = "The webhook")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/tenants/{tenant_id}/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    path: web::Path<(String, String)>,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path.1).map_err(|_| ApiError::not_found("The webhook"))?;
    if !webhooks::exists(&state.pool, access.tenant_id, id).await? {
        return Err(ApiError::not_found("The webhook"));
    }
    let mut tx = state.pool.begin().await?;
    if let Some(row) = webhooks::disable(&mut tx, access.tenant_id, id).await? {
        let actor = access.acting(&request_id);
        AuditEntry::new(&actor, "webhook.deleted", "webhook", id)
            .tenant(access.tenant_id)
            .before(Webhook::from_row(&row, false))
            .append(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_event_types_are_the_ones_the_server_knows() {
        let documented = [
            EventType::ModelDelisted,
            EventType::ModelRelisted,
            EventType::EnablementSuspended,
            EventType::EnablementRestored,
            EventType::ModelDeprecated,
            EventType::ModelRetired,
            EventType::PriceChanged,
            EventType::OfferWithdrawn,
        ]
        .map(|t| serde_json::to_value(t).unwrap().as_str().unwrap().to_owned());
        assert_eq!(documented.as_slice(), EVENT_TYPES);
        let schema = serde_json::to_value(<EventType as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["enum"].as_array().unwrap().len(), EVENT_TYPES.len());
    }
}
