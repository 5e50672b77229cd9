//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// The catalog snapshot version this process serves.
    #[schema(example = 42)]
    pub catalog_version: i64,
}

/// Whether the process is alive. Never touches the database.
#[utoipa::path(
    tag = "operations",
    operation_id = "healthz",
    responses((status = 200, description = "The process is up", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Whether the process can serve: database reachable, migrations applied.
#[utoipa::path(
    tag = "operations",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "Not ready: database unreachable, schema behind, or shutting down", body = crate::error::Problem,
         content_type = "application/problem+json")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let not_ready = |detail: &str| {
        ApiError::new(ErrorCode::ServiceUnavailable, detail).with_header(actix_web::http::header::RETRY_AFTER, "2")
    };
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(not_ready("This process is shutting down."));
    }
    match db::migrations_applied(&state.pool).await {
        Ok(true) => Ok(HttpResponse::Ok().json(Readiness {
            status: "ready",
            catalog_version: state.catalog.current().version,
        })),
        Ok(false) => Err(not_ready(
            "The database schema is behind this binary: run `modelmart migrate`.",
        )),
        Err(_) => Err(not_ready("The database is unreachable.")),
    }
}

/// Prometheus metrics in the text exposition format: requests and latencies
/// by route and status, database pool use, catalog snapshot version and age,
/// holds by status, outbox backlog and webhook delivery outcomes. Meant for
/// the cluster's scraper; keep it off the public ingress.
#[utoipa::path(
    tag = "operations",
    operation_id = "metrics",
    responses(
        (status = 200, description = "Metrics of this process", body = String,
         content_type = "text/plain; version=0.0.4; charset=utf-8",
         example = json!("# TYPE modelmart_catalog_snapshot_version gauge\nmodelmart_catalog_snapshot_version 42\n"))
    )
)]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    pages: web::Data<super::discovery_cache::DiscoveryCache>,
) -> HttpResponse {
    HttpResponse::Ok().content_type(crate::metrics::CONTENT_TYPE).body(
        crate::metrics::render(
            &state.metrics,
            &state.pool,
            &state.catalog,
            pages.lookups(),
            state.enablements.groups_written(),
        )
        .await,
    )
}
