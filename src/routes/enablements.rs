//! A tenant's enablements: `GET|POST /v1/tenants/{tid}/enablements`,
//! `DELETE /v1/tenants/{tid}/enablements/{id}`.
//!
//! Creating one decides inside the database transaction that writes it,
//! with the same decision function discovery uses, fed from rows it has
//! share-locked: what discovery shows, enablement grants, and a concurrent
//! policy or listing change cannot slip between the decision and the write.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging;
use crate::auth::{TenantAccess, TenantRead, TenantWrite};
use crate::db::audit::{self, AuditEntry};
use crate::db::enablements::{self, EnablementRow};
use crate::db::holds;
use crate::db::policies;
use crate::domain::decision::{
    decide_offer, listing_reasons, Decision, ListingFacts, OfferFacts, Reason, ReasonCode, Viewer,
};
use crate::domain::hold::HoldView;
use crate::domain::vocab::{DeploymentType, EnablementStatus, LifecycleStatus, OfferStatus};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::RequestId;
use crate::state::AppState;

const ROUTE: &str = "POST /v1/tenants/{tid}/enablements";

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
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Enablement {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub model_id: Uuid,
    #[schema(example = "westeurope")]
    pub region: String,
    pub deployment_type: DeploymentType,
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
            deployment_type: DeploymentType::parse(&row.deployment_type).unwrap_or(DeploymentType::Serverless),
            status: EnablementStatus::parse(&row.status).unwrap_or(EnablementStatus::Disabled),
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
    params(("tid" = Uuid, Path, description = "The tenant"), EnablementListParams),
    responses(
        (status = 200, description = "A page of enablements", body = EnablementList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tid}/enablements")]
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
    let rows = enablements::list(
        &state.pool,
        access.tenant_id,
        status.map(|s| s.as_str()),
        after,
        limit + 1,
    )
    .await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| paging::encode_id(row.id));
    Ok(HttpResponse::Ok().json(EnablementList {
        items: rows.iter().map(Enablement::from).collect(),
        next_cursor,
    }))
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
/// availability, compliance holds): a refusal is 409 `not_enableable` with
/// every reason in `context.reasons`, or 451 when a compliance hold refuses,
/// with `Link: <notice>; rel="blocked-by"` and the hold's public notice. Honours `Idempotency-Key` (scoped to the tenant and
/// this route, kept 24 hours): the same key and body replay the first
/// response without a second enablement; the same key with another body is
/// 422 `idempotency_key_reused`.
#[utoipa::path(
    tag = "tenants",
    operation_id = "create_enablement",
    params(
        ("tid" = Uuid, Path, description = "The tenant"),
        ("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")
    ),
    request_body = EnablementInput,
    responses(
        (status = 201, description = "Enabled", body = Enablement,
         headers(("Location" = String, description = "The enablement's URL"))),
        (status = 400, description = "The body is not an enablement request", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 409, description = "Refused by the decision (`not_enableable`, with reasons) or already enabled",
         body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 451, description = "A compliance hold refuses it here; `Link` names the public notice", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "Unknown model or region, or an Idempotency-Key reused with another body",
         body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tid}/enablements")]
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
    let mut tx = state.pool.begin().await?;

    if let Some(replay) = super::idempotency::claim(&mut tx, key.as_deref(), &scope, ROUTE, &input).await? {
        return Ok(replay);
    }

    // Shared side of the hold gate: an activation cannot run between this
    // decision and its commit (see db::holds).
    holds::enter_enablement_gate(&mut tx).await?;
    let listing = enablements::listing_for_decision(&mut tx, input.model_id)
        .await?
        .ok_or_else(|| ApiError::validation("model_id", "names no listing"))?;
    if state.catalog.current().content.region(&input.region).is_none() {
        return Err(ApiError::validation(
            "region",
            format!("{:?} is not a known region code", input.region),
        ));
    }
    let policy = policies::get_for_decision(&mut tx, tenant)
        .await?
        .map(|row| row.policy())
        .unwrap_or_default();
    let effective: Vec<HoldView> = holds::effective(&mut tx).await?.iter().map(|h| h.view()).collect();
    let viewer = Viewer {
        tenant,
        policy: &policy,
        holds: &effective,
    };
    let listing_facts = ListingFacts {
        model_id: listing.id,
        publisher_id: listing.publisher_id,
        publisher_slug: &listing.publisher_slug,
        origin_country: listing.origin_country.as_deref(),
        license: &listing.license,
        lifecycle: LifecycleStatus::parse(&listing.lifecycle_status).unwrap_or(LifecycleStatus::Retired),
    };
    let offers =
        enablements::offers_for_decision(&mut tx, listing.id, &input.region, input.deployment_type.as_str()).await?;
    let mut reasons = Vec::new();
    let mut decided: Option<Decision> = None;
    for offer in &offers {
        let facts = OfferFacts {
            region: &offer.region_code,
            jurisdiction: offer.jurisdiction.as_deref(),
            deployment_type: input.deployment_type,
            operator_country: offer.operator_country.as_deref(),
            status: OfferStatus::parse(&offer.status).unwrap_or(OfferStatus::Unavailable),
            input_price: offer.input_price.map(|d| d.normalize()),
            output_price: offer.output_price.map(|d| d.normalize()),
        };
        let decision = decide_offer(&listing_facts, &facts, &viewer);
        if decision.enableable {
            decided = Some(decision);
            break;
        }
        reasons.extend(decision.reasons);
    }
    if decided.is_none() {
        if offers.is_empty() {
            reasons.extend(listing_reasons(&listing_facts, &policy));
            reasons.push(Reason {
                code: ReasonCode::NoMatchingOffer,
                message: format!(
                    "{} has no {} offer in {}",
                    listing.slug, input.deployment_type, input.region
                ),
                hold_id: None,
            });
        }
        reasons.sort_by_key(|r| r.code);
        reasons.dedup();
        if let Some(hold) = reasons.iter().find_map(|r| r.hold_id) {
            return Err(super::models::blocked_by(&effective, hold, &reasons));
        }
        return Err(refusal(reasons));
    }

    let deployment = input.deployment_type.as_str();
    if let Some(existing) = enablements::find_live(&mut tx, tenant, listing.id, &input.region, deployment).await? {
        return Err(ApiError::new(
            ErrorCode::AlreadyEnabled,
            format!(
                "{} is already enabled in {} ({deployment}) as {existing}.",
                listing.slug, input.region
            ),
        )
        .with_context(serde_json::json!({ "enablement_id": existing })));
    }
    let actor = access.actor();
    let row = enablements::insert_active(&mut tx, tenant, listing.id, &input.region, deployment, &actor).await?;
    let view = Enablement::from(&row);
    audit::append(
        &mut tx,
        AuditEntry {
            actor: &actor,
            actor_roles: access.roles.names(),
            tenant_id: Some(tenant),
            action: "enablement.created",
            target_type: "enablement",
            target_id: row.id.to_string(),
            before: None,
            after: serde_json::to_value(&view).ok(),
            reason: None,
            request_id: Some(request_id.as_str()),
        },
    )
    .await?;
    let body = serde_json::to_vec(&view).map_err(ApiError::internal)?;
    let location = format!("/v1/tenants/{tenant}/enablements/{}", row.id);
    super::idempotency::remember(&mut tx, key.as_deref(), &scope, ROUTE, &location, &body).await?;
    tx.commit().await?;
    Ok(super::idempotency::created(&location, body))
}

/// Disable an enablement.
///
/// Idempotent: disabling one that is already disabled changes nothing.
#[utoipa::path(
    tag = "tenants",
    operation_id = "delete_enablement",
    params(
        ("tid" = Uuid, Path, description = "The tenant"),
        ("id" = Uuid, Path, description = "The enablement")
    ),
    responses(
        (status = 204, description = "Disabled"),
        (status = 404, description = "No such enablement visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/tenants/{tid}/enablements/{id}")]
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
    let actor = access.actor();
    if let Some(after) = enablements::disable(&mut tx, tenant, id, &actor).await? {
        audit::append(
            &mut tx,
            AuditEntry {
                actor: &actor,
                actor_roles: access.roles.names(),
                tenant_id: Some(tenant),
                action: "enablement.disabled",
                target_type: "enablement",
                target_id: id.to_string(),
                before: serde_json::to_value(Enablement::from(&before)).ok(),
                after: serde_json::to_value(Enablement::from(&after)).ok(),
                reason: None,
                request_id: Some(request_id.as_str()),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::NoContent().finish())
}
