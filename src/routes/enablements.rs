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
use crate::db::audit::AuditEntry;
use crate::db::enablements::{self, EnablementRow};
use crate::db::holds;
use crate::db::policies;
use crate::domain::decision::{decide_offer, listing_reasons, ListingFacts, OfferFacts, Reason, ReasonCode, Viewer};
use crate::domain::hold::HoldView;
use crate::domain::lifecycle;
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
            deployment_type: DeploymentType::parse(&row.deployment_type).unwrap_or(DeploymentType::Serverless),
            operator: row.operator_name.as_ref().map(|name| EnablementOperator {
                name: name.clone(),
                country: row.operator_country.clone(),
            }),
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
    let ancestors = enablements::ancestors_for_decision(&mut tx, listing.id).await?;
    let stored_lifecycle = LifecycleStatus::parse(&listing.lifecycle_status)
        .ok_or_else(|| ApiError::internal(std::io::Error::other("unknown lifecycle status")))?;
    let listing_facts = ListingFacts {
        model_id: listing.id,
        publisher_id: listing.publisher_id,
        publisher_slug: &listing.publisher_slug,
        origin_country: listing.origin_country.as_deref(),
        ancestors: &ancestors,
        license: &listing.license,
        lifecycle: lifecycle::in_force(stored_lifecycle, listing.retirement_date, Utc::now().date_naive()),
    };
    let mut offers =
        enablements::offers_for_decision(&mut tx, listing.id, &input.region, input.deployment_type.as_str()).await?;
    if let Some(operator) = &input.operator {
        offers.retain(|offer| offer.operator_name.eq_ignore_ascii_case(operator));
    }
    // Every offer is decided; the grant goes to the cheapest one the
    // tenant may use (input price, then output price, then name; an offer
    // without a token price sorts last).
    let mut reasons = Vec::new();
    let mut allowed: Vec<&enablements::OfferForDecision> = Vec::new();
    for offer in &offers {
        let facts = OfferFacts {
            region: &offer.region_code,
            jurisdiction: offer.jurisdiction.as_deref(),
            deployment_type: input.deployment_type,
            operator_name: &offer.operator_name,
            operator_country: offer.operator_country.as_deref(),
            status: OfferStatus::parse(&offer.status).unwrap_or(OfferStatus::Unavailable),
            input_price: offer.input_price.map(|d| d.normalize()),
            output_price: offer.output_price.map(|d| d.normalize()),
        };
        let decision = decide_offer(&listing_facts, &facts, &viewer);
        if decision.enableable {
            allowed.push(offer);
        } else {
            reasons.extend(decision.reasons);
        }
    }
    let unpriced = |price: Option<rust_decimal::Decimal>| (price.is_none(), price);
    allowed.sort_by(|a, b| {
        (unpriced(a.input_price), unpriced(a.output_price), &a.operator_name).cmp(&(
            unpriced(b.input_price),
            unpriced(b.output_price),
            &b.operator_name,
        ))
    });
    let Some(chosen) = allowed.first() else {
        if offers.is_empty() {
            reasons.extend(listing_reasons(&listing_facts, &policy));
            let by = input
                .operator
                .as_deref()
                .map(|operator| format!(" operated by {operator}"))
                .unwrap_or_default();
            reasons.push(Reason {
                code: ReasonCode::NoMatchingOffer,
                message: format!(
                    "{} has no {} offer in {}{by}",
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
    };

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
    let actor = access.acting(&request_id);
    let grant = enablements::Grant {
        tenant_id: tenant,
        model_id: listing.id,
        region: &input.region,
        deployment_type: deployment,
        operator_name: &chosen.operator_name,
        operator_country: chosen.operator_country.as_deref(),
    };
    let row = enablements::insert_active(&mut tx, &grant, &actor.name).await?;
    let view = Enablement::from(&row);
    AuditEntry::new(&actor, "enablement.created", "enablement", row.id)
        .tenant(tenant)
        .after(&view)
        .append(&mut tx)
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
