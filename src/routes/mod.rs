//! HTTP routes, one module per resource. Each handler extracts and
//! authorises, converts to domain types, calls the catalog or the database,
//! and maps the result to response types.

pub mod admin_models;
pub mod audit;
pub mod content_cache;
pub mod currency_rates;
pub mod discovery_cache;
pub mod discovery_query;
pub mod enablements;
pub mod health;
pub mod holds;
pub mod idempotency;
pub mod imports;
pub mod merge_patch;
pub mod models;
pub mod paging;
pub mod policy;
pub mod recommendations;
pub mod reference;
pub mod second_request;
pub mod tenants;
pub mod webhooks;

use actix_web::App;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, UtoipaApp};

/// The documented routes on `app`, collected into `base` (the document's
/// info, tags and shared schemas): both the server and the OpenAPI
/// document come from here.
pub fn router<T>(app: App<T>, base: utoipa::openapi::OpenApi) -> UtoipaApp<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    app.into_utoipa_app().openapi(base).configure(configure)
}

/// Every documented operation. The OpenAPI document is collected from
/// exactly these registrations, so it cannot drift from the router.
pub fn configure(config: &mut ServiceConfig) {
    config
        .service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(models::list_models)
        .service(models::list_tenant_models)
        .service(models::list_model_offers)
        .service(models::list_model_derivatives)
        .service(models::get_model)
        .service(reference::list_publishers)
        .service(reference::list_regions)
        .service(currency_rates::list_currency_rates)
        .service(currency_rates::set_currency_rate)
        .service(currency_rates::delete_currency_rate)
        .service(policy::get_tenant_policy)
        .service(policy::replace_tenant_policy)
        .service(policy::patch_tenant_policy)
        .service(enablements::list_enablements)
        .service(enablements::create_enablement)
        .service(enablements::get_enablement)
        .service(enablements::delete_enablement)
        .service(recommendations::create_recommendations)
        .service(admin_models::create_model)
        .service(admin_models::update_model)
        .service(admin_models::replace_model_offers)
        .service(holds::preview_hold_impact)
        .service(holds::create_hold)
        .service(holds::list_holds)
        .service(holds::get_hold)
        .service(holds::get_hold_impact)
        .service(holds::approve_hold)
        .service(holds::reject_hold)
        .service(holds::lift_hold)
        .service(holds::get_hold_notice)
        .service(tenants::list_tenants)
        .service(tenants::get_tenant)
        .service(audit::verify_audit_events)
        .service(audit::list_audit_events)
        .service(webhooks::list_events)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        .service(webhooks::get_webhook)
        .service(webhooks::list_webhook_deliveries)
        .service(webhooks::ping_webhook)
        .service(webhooks::delete_webhook)
        .service(imports::create_import);
}

/// A JSON body that may be left out: an empty body (or `null`) is
/// `T::default()`. A body
/// that is sent must be JSON (415 otherwise) of `T`'s shape (400 naming the
/// field otherwise), as with `web::Json`.
pub(crate) fn optional_json<T: serde::de::DeserializeOwned + Default>(
    req: &actix_web::HttpRequest,
    body: &[u8],
) -> Result<T, crate::error::ApiError> {
    use crate::error::{ApiError, ErrorCode};
    // Bodies these operations take are a few fields; anything larger is
    // not one of them.
    const LIMIT: usize = 64 * 1024;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    if body.len() > LIMIT {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("The body exceeds the limit of {LIMIT} bytes."),
        ));
    }
    if !crate::http::sent_as_json(req) {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "The request body must be sent with Content-Type: application/json.",
        ));
    }
    // `null` is no body too: the document says the body is optional.
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|error| crate::http::body_error(&error))?;
    if value.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(value).map_err(|error| crate::http::body_error(&error))
}
