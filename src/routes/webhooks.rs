//! A tenant's notifications: the pull feed `GET /v1/tenants/{tid}/events`
//! and webhooks `GET|POST /v1/tenants/{tid}/webhooks`, `DELETE .../{id}`.

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

const CREATE_ROUTE: &str = "POST /v1/tenants/{tid}/webhooks";
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
    params(("tid" = Uuid, Path, description = "The tenant"), EventParams),
    responses(
        (status = 200, description = "A page of events", body = EventList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tid}/events")]
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
    let next_cursor = rows.last().map(|row| row.seq.to_string()).or(params.cursor.clone());
    Ok(HttpResponse::Ok().json(EventList {
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
    /// Always null: a tenant's webhooks fit one page.
    pub next_cursor: Option<String>,
}

/// List the tenant's webhooks.
#[utoipa::path(
    tag = "notifications",
    operation_id = "list_webhooks",
    params(("tid" = Uuid, Path, description = "The tenant")),
    responses(
        (status = 200, description = "The active webhooks (secrets are not shown)", body = WebhookList),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tid}/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
) -> Result<HttpResponse, ApiError> {
    let rows = webhooks::list(&state.pool, access.tenant_id).await?;
    Ok(HttpResponse::Ok().json(WebhookList {
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
        ("tid" = Uuid, Path, description = "The tenant"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")
    ),
    request_body = WebhookInput,
    responses(
        (status = 201, description = "The webhook, with its signing secret (shown only now)", body = Webhook),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "The URL or an event type is not acceptable", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tid}/webhooks")]
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
    Ok(super::idempotency::created(&location, body))
}

/// Delete a webhook.
///
/// Its pending deliveries are abandoned. Idempotent.
#[utoipa::path(
    tag = "notifications",
    operation_id = "delete_webhook",
    params(("tid" = Uuid, Path, description = "The tenant"), ("id" = Uuid, Path, description = "The webhook")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/tenants/{tid}/webhooks/{id}")]
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
