//! Currency rates: what one unit of a currency is worth in USD. Prices stay
//! in the currency they are quoted in; summaries, price filters and sorts,
//! policy ceilings and cost estimates compare in USD at these rates and say
//! which currencies they converted.

use actix_web::{delete, get, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Authorized, DiscoverCatalog, ManageCatalog};
use crate::db::audit::AuditEntry;
use crate::db::catalog_read::RateRow;
use crate::db::currency_rates;
use crate::error::{ApiError, Problem};
use crate::http::RequestId;
use crate::state::AppState;

/// What one unit of `currency` is worth in USD.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyRate {
    /// ISO 4217 code.
    #[schema(example = "EUR")]
    pub currency: String,
    /// USD per unit, as a decimal string.
    #[schema(value_type = String, example = "1.08")]
    pub usd_per_unit: Decimal,
    pub updated_at: DateTime<Utc>,
    /// Who set it.
    pub updated_by: String,
}

impl From<&RateRow> for CurrencyRate {
    fn from(row: &RateRow) -> Self {
        CurrencyRate {
            currency: row.currency.clone(),
            usd_per_unit: row.usd_per_unit.normalize(),
            updated_at: row.updated_at,
            updated_by: row.updated_by.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CurrencyRateList {
    /// By currency code.
    pub items: Vec<CurrencyRate>,
    pub total: usize,
    /// Always null: the rates fit one page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrencyRateInput {
    /// USD per unit: positive, at most 12 decimals.
    #[schema(value_type = String, example = "1.08", pattern = r"^[0-9]{1,12}(\.[0-9]{1,12})?$")]
    pub usd_per_unit: Decimal,
}

/// List currency rates.
///
/// The rates prices in other currencies are converted to USD at, as the
/// catalog serves them now.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_currency_rates",
    responses((status = 200, description = "Every rate, by currency", body = CurrencyRateList)),
    security(("bearer" = []))
)]
#[get("/v1/currency-rates")]
pub async fn list_currency_rates(
    state: web::Data<AppState>,
    _principal: Authorized<DiscoverCatalog>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.catalog.current();
    Ok(HttpResponse::Ok().json(CurrencyRateList {
        total: snapshot.content.rates.len(),
        items: snapshot.content.rates.iter().map(CurrencyRate::from).collect(),
        next_cursor: None,
    }))
}

/// The path's currency, when it is one a rate can be set for.
fn currency_of(path: &str) -> Result<String, ApiError> {
    if path == "USD" {
        // A well-formed code, but not one a rate can be set for.
        return Err(ApiError::validation(
            "currency",
            "USD is what other currencies are converted to",
        ));
    }
    if path.len() != 3 || !path.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::invalid_parameter(
            "currency",
            "must be an ISO 4217 code: three capital letters",
        ));
    }
    Ok(path.to_owned())
}

/// Set a currency rate.
///
/// Takes effect on every summary, filter and estimate at once (within the
/// catalog's reload, under a second). Audited as `currency_rate.set` with
/// the rate before and after.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "set_currency_rate",
    params(("currency" = String, Path, description = "ISO 4217 code, not USD", example = "EUR", pattern = "^[A-Z]{3}$")),
    request_body = CurrencyRateInput,
    responses(
        (status = 200, description = "The rate in force", body = CurrencyRate),
        (status = 400, description = "Not a currency code", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "USD, or a rate that is not positive or has more than 12 decimals", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/admin/currency-rates/{currency}")]
pub async fn set_currency_rate(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    path: web::Path<String>,
    body: web::Json<CurrencyRateInput>,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let currency = currency_of(&path)?;
    let rate = body.usd_per_unit.normalize();
    if rate <= Decimal::ZERO || rate.scale() > 12 || rate >= crate::domain::rules::max_amount() {
        return Err(ApiError::validation(
            "usd_per_unit",
            "must be a positive amount below 10^12 with at most 12 decimals",
        ));
    }
    let actor = principal.acting(&request_id);
    let mut tx = state.pool.begin().await?;
    let before = currency_rates::lock(&mut tx, &currency).await?;
    let row = currency_rates::set(&mut tx, &currency, rate, &actor.name).await?;
    AuditEntry::new(&actor, "currency_rate.set", "currency_rate", &currency)
        .before(before.as_ref().map(CurrencyRate::from))
        .after(CurrencyRate::from(&row))
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    super::admin_models::refresh(&state).await;
    Ok(HttpResponse::Ok().json(CurrencyRate::from(&row)))
}

/// Remove a currency rate.
///
/// Prices in that currency are then no longer converted: summaries name
/// the currency under `not_converted` and filters and sorts leave those
/// prices out. Audited as `currency_rate.removed`.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "delete_currency_rate",
    params(("currency" = String, Path, description = "ISO 4217 code", example = "EUR", pattern = "^[A-Z]{3}$")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No rate is set for that currency", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[delete("/v1/admin/currency-rates/{currency}")]
pub async fn delete_currency_rate(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    path: web::Path<String>,
    request_id: RequestId,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::not_found(format!("A rate for {:?}", path.as_str()));
    let currency = currency_of(&path).map_err(|_| not_found())?;
    let actor = principal.acting(&request_id);
    let mut tx = state.pool.begin().await?;
    let Some(before) = currency_rates::remove(&mut tx, &currency).await? else {
        return Err(not_found());
    };
    AuditEntry::new(&actor, "currency_rate.removed", "currency_rate", &currency)
        .before(CurrencyRate::from(&before))
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    super::admin_models::refresh(&state).await;
    Ok(HttpResponse::NoContent().finish())
}
