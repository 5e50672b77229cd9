//! Feed imports by catalog staff.

use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{Authorized, ManageCatalog};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::RequestId;
use crate::import::{self, FeedFormat, ImportError, ImportMode, ImportReport};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// The feed's format.
    pub format: FeedFormat,
    /// `full` (the default): the feed is the source's whole catalog, and
    /// the source's offers it no longer carries are withdrawn. `partial`:
    /// the feed adds or updates some entries and withdraws nothing.
    pub mode: Option<ImportMode>,
}

/// Import a catalog feed.
///
/// The body is the feed document itself (for `litellm`, the JSON object of
/// model entries). Every good entry is imported, every bad one is listed with
/// its reason (its previous version, if any, stays in force), and importing
/// the same feed again changes nothing. An import touches only its own
/// source's offers; a full import withdraws the source's offers the feed no
/// longer carries (each listing's tenants hear of it by an `offer.withdrawn`
/// event). Runs in one transaction; the catalog snapshot is reloaded before
/// the response.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "create_import",
    params(ImportParams),
    request_body(content = Object, content_type = "application/json",
                 description = "The feed document (up to MODELMART_MAX_IMPORT_BYTES, 32 MiB by default)"),
    responses(
        (status = 200, description = "What the import created, updated, left unchanged and rejected", body = ImportReport),
        (status = 400, description = "The body is not JSON, or not a feed of this format", body = Problem,
         content_type = "application/problem+json"),
        (status = 413, description = "The feed is larger than the import limit (MODELMART_MAX_IMPORT_BYTES)", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/admin/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    params: web::Query<ImportParams>,
    request_id: RequestId,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = principal.acting(&request_id);
    let mode = params.mode.unwrap_or_default();
    let report = import::import(&state.pool, params.format, mode, &body, &actor)
        .await
        .map_err(|error| match error {
            ImportError::InvalidJson(inner) => {
                ApiError::new(ErrorCode::MalformedBody, format!("The feed is not valid JSON: {inner}"))
            }
            ImportError::Feed(inner) => ApiError::new(ErrorCode::MalformedBody, inner.to_string()),
            ImportError::Database(inner) => ApiError::from(inner),
        })?;
    // Read-your-writes on this server; other servers follow by NOTIFY.
    if let Err(error) = state.catalog.refresh_if_stale(&state.pool).await {
        tracing::warn!(%error, "catalog reload after import failed; the refresher will retry");
    }
    Ok(HttpResponse::Ok().json(report))
}
