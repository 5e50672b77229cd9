//! A tenant's enablements: `GET|POST /v1/tenants/{tenant_id}/enablements`,
//! `GET|DELETE /v1/tenants/{tenant_id}/enablements/{id}`.
//!
//! Creating one is `crate::enablements::enable`; these handlers extract,
//! call and map.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging;
use crate::auth::{TenantAccess, TenantRead, TenantWrite};
use crate::db::audit::AuditEntry;
use crate::db::enablements::{self, EnablementRow};
use crate::domain::decision::Reason;
use crate::domain::vocab::{DeploymentType, EnablementStatus};
use crate::enablements::{EnableError, EnableRequest, Writing};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::RequestId;
use crate::state::AppState;

const ROUTE: &str = "POST /v1/tenants/{tenant_id}/enablements";

/// What to enable. Server-owned fields (status, tenant, timestamps) are not
/// accepted here.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "model_id": "0193a1b2-0000-7000-8000-000000000001",
    "region": "westeurope",
    "deployment_type": "serverless"
}))]
pub struct EnablementInput {
    pub model_id: Uuid,
    #[schema(example = "westeurope")]
    pub region: String,
    pub deployment_type: DeploymentType,
    /// Who should serve it, by the operator name its offers give; without
    /// it, the cheapest offer the tenant may use there.
    #[schema(example = "Microsoft Azure", max_length = 200)]
    pub operator: Option<String>,
}

/// Who serves an enablement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EnablementOperator {
    #[schema(example = "Microsoft Azure")]
    pub name: String,
    /// ISO 3166-1 alpha-2 headquarters country; null when not known.
    #[schema(example = "US")]
    pub country: Option<String>,
}

impl EnablementOperator {
    /// The operator an enablement row recorded, if it recorded one.
    pub fn recorded(name: &Option<String>, country: &Option<String>) -> Option<Self> {
        name.as_ref().map(|name| EnablementOperator {
            name: name.clone(),
            country: country.clone(),
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enablement {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub model_id: Uuid,
    #[schema(example = "westeurope")]
    pub region: String,
    pub deployment_type: DeploymentType,
    /// Who serves it: the operator of the offer it was granted on. Null only
    /// for enablements made before operators were recorded whose offer is
    /// gone.
    pub operator: Option<EnablementOperator>,
    pub status: EnablementStatus,
    /// The hold that suspended it, while suspended.
    pub suspended_by_hold_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl From<&EnablementRow> for Enablement {
    fn from(row: &EnablementRow) -> Self {
        Enablement {
            id: row.id,
            tenant_id: row.tenant_id,
            model_id: row.model_id,
            region: row.region_code.clone(),
            deployment_type: row.deployment_type,
            operator: EnablementOperator::recorded(&row.operator_name, &row.operator_country),
            status: row.status,
            suspended_by_hold_id: row.suspended_by_hold_id,
            created_at: row.created_at,
            created_by: row.created_by.clone(),
            updated_at: row.updated_at,
            updated_by: row.updated_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnablementList {
    pub items: Vec<Enablement>,
    /// Every enablement matching the filter, on every page.
    pub total: i64,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EnablementListParams {
    /// Only enablements in this state.
    #[param(value_type = Option<EnablementStatus>)]
    pub status: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
}

/// List a tenant's enablements.
///
/// Oldest first. `platform.admin` may read any tenant's.
#[utoipa::path(
    tag = "tenants",
    operation_id = "list_enablements",
    params(("tenant_id" = Uuid, Path, description = "The tenant"), EnablementListParams),
    responses(
        (status = 200, description = "A page of enablements", body = EnablementList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/enablements")]
pub async fn list_enablements(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
    params: web::Query<EnablementListParams>,
) -> Result<HttpResponse, ApiError> {
    let status = match params.status.as_deref() {
        None => None,
        Some(text) => Some(EnablementStatus::parse(text).ok_or_else(|| {
            ApiError::invalid_parameter("status", format!("expected one of {}", EnablementStatus::expected()))
        })?),
    };
    let limit = paging::limit(params.limit.as_deref())?;
    let after = paging::decode_id(params.cursor.as_deref())?;
    let rows = enablements::list(&state.pool, access.tenant_id, status, after, limit + 1).await?;
    let total = enablements::count(&state.pool, access.tenant_id, status).await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| paging::encode_id(row.id));
    Ok(HttpResponse::Ok().json(EnablementList {
        items: rows.iter().map(Enablement::from).collect(),
        total,
        next_cursor,
    }))
}

/// An enablement's ETag: it changes whenever the enablement does (every
/// change sets `updated_at`).
fn enablement_etag(row: &EnablementRow) -> String {
    format!("\"{}\"", row.updated_at.timestamp_micros())
}

/// Get one enablement.
///
/// The URL a create answers in `Location`. `platform.admin` may read any
/// tenant's. Sends an `ETag`; `If-None-Match` with it answers 304 while the
/// enablement is unchanged.
#[utoipa::path(
    tag = "tenants",
    operation_id = "get_enablement",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("id" = Uuid, Path, description = "The enablement"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a representation read before")
    ),
    responses(
        (status = 200, description = "The enablement", body = Enablement,
         headers(("ETag" = String, description = "Changes whenever the enablement does"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such enablement visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/enablements/{id}")]
pub async fn get_enablement(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path.1).map_err(|_| ApiError::not_found("The enablement"))?;
    let row = enablements::get(&state.pool, access.tenant_id, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The enablement"))?;
    let tag = enablement_etag(&row);
    if crate::http::if_none_match(&req, &tag) {
        return Ok(crate::http::not_modified(tag));
    }
    Ok(crate::http::revalidatable(&tag).json(Enablement::from(&row)))
}

fn refusal(reasons: Vec<Reason>) -> ApiError {
    let detail = reasons
        .iter()
        .map(|r| r.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let context = serde_json::json!({ "reasons": reasons });
    ApiError::new(
        ErrorCode::NotEnableable,
        format!("The model cannot be enabled there: {detail}."),
    )
    .with_context(context)
}

/// Enable a model for the tenant.
///
/// Decided with the same rules discovery applies (lifecycle, tenant policy,
/// lineage, operator, availability, compliance holds) for every offer of
/// the model there (only `operator`'s when named), and granted on the
/// cheapest one the tenant may use, which the enablement then names as its
/// `operator`. A refusal is 409 `not_enableable` with
/// every reason in `context.reasons`, or 451 when a compliance hold refuses,
/// with `Link: <notice>; rel="blocked-by"` and the hold's public notice. Honours `Idempotency-Key` (scoped to the tenant and
/// this route, kept 24 hours): the same key and body replay the first
/// response without a second enablement; the same key with another body is
/// 422 `idempotency_key_reused`.
#[utoipa::path(
    tag = "tenants",
    operation_id = "create_enablement",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")
    ),
    request_body = EnablementInput,
    responses(
        (status = 201, description = "Enabled", body = Enablement,
         headers(("Location" = String, description = "The enablement's URL"),
                 ("ETag" = String, description = "The enablement's version"))),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 409, description = "Refused by the decision (`not_enableable`, with reasons) or already enabled",
         body = Problem, content_type = "application/problem+json"),
        (status = 451, description = "A compliance hold refuses it here; `Link` names the public notice", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "Unknown model or region, or an Idempotency-Key reused with another body",
         body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tenant_id}/enablements")]
pub async fn create_enablement(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Json<EnablementInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let key = super::idempotency::key(&req)?;
    let tenant = access.tenant_id;
    let scope = tenant.to_string();
    let actor = access.acting(&request_id);
    let request = EnableRequest {
        tenant,
        model_id: input.model_id,
        region: &input.region,
        deployment_type: input.deployment_type,
        operator: input.operator.as_deref(),
    };
    let snapshot = state.catalog.current();

    // Without a key there is nothing to claim or remember: the common case
    // is written in the enablement writer's next group, outside any
    // transaction of this request's.
    let Some(key) = key.as_deref() else {
        let writing = Writing::Grouped {
            writer: &state.enablements,
            pool: &state.pool,
        };
        let row = crate::enablements::enable(writing, &snapshot, &actor, &request)
            .await
            .map_err(|error| enable_error(error, &input))?;
        let (location, body) = created_body(&row)?;
        return Ok(created(&location, body, &row));
    };
    let mut tx = state.pool.begin().await?;
    if let Some(replay) = super::idempotency::claim(&mut tx, Some(key), &scope, ROUTE, &input).await? {
        return Ok(replay);
    }
    let row = crate::enablements::enable(Writing::Joining(&mut tx), &snapshot, &actor, &request)
        .await
        .map_err(|error| enable_error(error, &input))?;
    let (location, body) = created_body(&row)?;
    super::idempotency::remember(&mut tx, Some(key), &scope, ROUTE, &location, &body).await?;
    tx.commit().await?;
    Ok(created(&location, body, &row))
}

/// The enablement's URL and its representation.
fn created_body(row: &EnablementRow) -> Result<(String, Vec<u8>), ApiError> {
    let body = serde_json::to_vec(&Enablement::from(row)).map_err(ApiError::internal)?;
    Ok((format!("/v1/tenants/{}/enablements/{}", row.tenant_id, row.id), body))
}

fn created(location: &str, body: Vec<u8>, row: &EnablementRow) -> HttpResponse {
    let mut response = super::idempotency::created(location, body);
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&enablement_etag(row)) {
        response.headers_mut().insert(actix_web::http::header::ETAG, value);
    }
    response
}

fn enable_error(error: EnableError, input: &EnablementInput) -> ApiError {
    match error {
        EnableError::UnknownModel => ApiError::validation("model_id", "names no listing"),
        EnableError::UnknownRegion(region) => {
            ApiError::validation("region", format!("{region:?} is not a known region code"))
        }
        EnableError::Refused { reasons, holds } => match reasons.iter().find_map(|r| r.hold_id) {
            Some(hold) => super::models::blocked_by(&holds, hold, &reasons),
            None => refusal(reasons),
        },
        EnableError::AlreadyEnabled { slug, existing } => ApiError::new(
            ErrorCode::AlreadyEnabled,
            format!(
                "{slug} is already enabled in {} ({}) as {existing}.",
                input.region, input.deployment_type
            ),
        )
        .with_context(serde_json::json!({ "enablement_id": existing })),
        EnableError::Catalog(error) => ApiError::internal(error),
        EnableError::Database(error) => error.into(),
    }
}

/// Disable an enablement.
///
/// Idempotent: disabling one that is already disabled changes nothing.
#[utoipa::path(
    tag = "tenants",
    operation_id = "delete_enablement",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("id" = Uuid, Path, description = "The enablement")
    ),
    responses(
        (status = 204, description = "Disabled"),
        (status = 404, description = "No such enablement visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/tenants/{tenant_id}/enablements/{id}")]
pub async fn delete_enablement(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    path: web::Path<(String, String)>,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&path.1).map_err(|_| ApiError::not_found("The enablement"))?;
    let tenant = access.tenant_id;
    let before = enablements::get(&state.pool, tenant, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The enablement"))?;
    let mut tx = state.pool.begin().await?;
    let actor = access.acting(&request_id);
    if let Some(after) = enablements::disable(&mut tx, tenant, id, &actor.name).await? {
        AuditEntry::new(&actor, "enablement.disabled", "enablement", id)
            .tenant(tenant)
            .before(Enablement::from(&before))
            .after(Enablement::from(&after))
            .append(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
