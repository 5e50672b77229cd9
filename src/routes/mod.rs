//! HTTP routes, one module per resource. Each handler extracts and
//! authorises, converts to domain types, calls the catalog or the database,
//! and maps the result to response types.

pub mod admin_models;
pub mod audit;
pub mod currency_rates;
pub mod discovery_query;
pub mod enablements;
pub mod health;
pub mod holds;
pub mod idempotency;
pub mod imports;
pub mod models;
pub mod page_cache;
pub mod paging;
pub mod policy;
pub mod recommendations;
pub mod reference;
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
        .service(enablements::list_enablements)
        .service(enablements::create_enablement)
        .service(enablements::delete_enablement)
        .service(recommendations::create_recommendations)
        .service(admin_models::create_model)
        .service(admin_models::update_model)
        .service(admin_models::replace_model_offers)
        .service(holds::preview_hold_impact)
        .service(holds::create_hold)
        .service(holds::list_holds)
        .service(holds::get_hold)
        .service(holds::approve_hold)
        .service(holds::reject_hold)
        .service(holds::lift_hold)
        .service(holds::get_hold_notice)
        .service(audit::verify_audit_events)
        .service(audit::list_audit_events)
        .service(webhooks::list_events)
        .service(webhooks::list_webhooks)
        .service(webhooks::create_webhook)
        .service(webhooks::delete_webhook)
        .service(imports::create_import);
}
