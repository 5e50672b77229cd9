//! The tenant directory for platform staff: `GET /v1/admin/tenants` and
//! `GET /v1/admin/tenants/{tenant_id}`. A tenant's own resources live under
//! `/v1/tenants/{tenant_id}/...`, which platform staff may also read.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::paging;
use crate::auth::{Authorized, ReadTenants};
use crate::db::tenants::{self, TenantRow};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A tenant, as the identity provider's first token for it provisioned it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tenant {
    /// The identity provider's `tid`.
    pub id: Uuid,
    pub display_name: Option<String>,
    /// The subject whose first token provisioned it.
    pub provisioned_by: String,
    pub created_at: DateTime<Utc>,
    /// Enablements that are active or suspended.
    pub live_enablements: i64,
    /// Of those, the ones a compliance hold suspends.
    pub suspended_enablements: i64,
    pub policy_updated_at: Option<DateTime<Utc>>,
}

impl From<&TenantRow> for Tenant {
    fn from(row: &TenantRow) -> Self {
        Tenant {
            id: row.id,
            display_name: row.display_name.clone(),
            provisioned_by: row.provisioned_by.clone(),
            created_at: row.created_at,
            live_enablements: row.live_enablements,
            suspended_enablements: row.suspended_enablements,
            policy_updated_at: row.policy_updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantList {
    pub items: Vec<Tenant>,
    /// Every tenant, on every page.
    pub total: i64,
    pub next_cursor: Option<String>,
}

/// List tenants.
///
/// By id. For platform staff.
#[utoipa::path(
    tag = "tenants",
    operation_id = "list_tenants",
    params(paging::PageParams),
    responses(
        (status = 200, description = "A page of tenants", body = TenantList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/tenants")]
pub async fn list_tenants(
    state: web::Data<AppState>,
    _principal: Authorized<ReadTenants>,
    params: web::Query<paging::PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging::limit(params.limit.as_deref())?;
    let after = paging::decode_id(params.cursor.as_deref())?;
    let rows = tenants::list(&state.pool, after, limit + 1).await?;
    let total = tenants::count(&state.pool).await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| paging::encode_id(row.id));
    Ok(HttpResponse::Ok().json(TenantList {
        items: rows.iter().map(Tenant::from).collect(),
        total,
        next_cursor,
    }))
}

/// Get one tenant.
///
/// Its policy, enablements, events and webhooks are under
/// `/v1/tenants/{tenant_id}/...`. Sends an `ETag`; `If-None-Match` with it
/// answers 304 while the entry (its counts and policy date included) is
/// unchanged.
#[utoipa::path(
    tag = "tenants",
    operation_id = "get_tenant",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a representation read before")
    ),
    responses(
        (status = 200, description = "The tenant", body = Tenant,
         headers(("ETag" = String, description = "Changes whenever the entry does"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such tenant", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/tenants/{tenant_id}")]
pub async fn get_tenant(
    state: web::Data<AppState>,
    _principal: Authorized<ReadTenants>,
    tenant_id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&tenant_id).map_err(|_| ApiError::not_found("The tenant"))?;
    let row = tenants::get(&state.pool, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant"))?;
    crate::http::revalidated_json(&req, &Tenant::from(&row))
}
