//! Cost-aware recommendations: `POST /v1/tenants/{tenant_id}/recommendations`.
//!
//! "Route routine work to cheaper models, keep costly ones for hard tasks":
//! given a workload, every offer the tenant may enable is priced for a month
//! with exact decimal arithmetic and ranked. `tier` chooses the ranking:
//! `routine` (the default) is cheapest first; `complex` puts offers of models
//! with the `reasoning` capability first and ranks each group by cost, so the
//! capable models come first but the cheapest capable one leads.

use std::collections::BTreeMap;

use actix_web::{post, web, HttpResponse};
use chrono::Utc;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{TenantAccess, TenantUse};
use crate::domain::decision::{decide_offer, ReasonCode};
use crate::domain::vocab::{Capability, DeploymentType, PriceDimension, Task};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::routes::models::ModelLink;
use crate::state::AppState;

const MAX_ITEMS: usize = 100;
const DEFAULT_ITEMS: usize = 10;
/// Monthly token volumes above this are refused as implausible (a quadrillion).
const MAX_MONTHLY_TOKENS: u64 = 1_000_000_000_000_000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Cheapest first.
    #[default]
    Routine,
    /// Reasoning-capable models first, each group cheapest first.
    Complex,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Money {
    /// A non-negative decimal string.
    #[schema(value_type = String, example = "120.50", pattern = r"^[0-9]{1,20}(\.[0-9]{1,28})?$")]
    pub amount: Decimal,
    #[schema(example = "USD")]
    pub currency: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "task": "chat",
    "required_capabilities": ["function_calling"],
    "min_context_window": 32000,
    "regions": ["westeurope", "swedencentral"],
    "monthly_input_tokens": 500000000,
    "monthly_output_tokens": 100000000,
    "budget": {"amount": "2000.00", "currency": "USD"},
    "tier": "routine"
}))]
pub struct RecommendationRequest {
    pub task: Task,
    #[serde(default)]
    pub required_capabilities: Vec<Capability>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub min_context_window: Option<i32>,
    /// Regions to consider; empty for all the tenant may use.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Deployment types to consider; empty for all.
    #[serde(default)]
    pub deployment_types: Vec<DeploymentType>,
    #[serde(deserialize_with = "crate::whole::required")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_u64)]
    pub monthly_input_tokens: u64,
    #[serde(deserialize_with = "crate::whole::required")]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_u64)]
    pub monthly_output_tokens: u64,
    /// Offers whose estimate exceeds this are excluded.
    #[serde(default)]
    pub budget: Option<Money>,
    #[serde(default)]
    pub tier: Tier,
    /// Also list offers whose price for the workload is not known, after
    /// every priced one, with no estimate (default false: they are left
    /// out and counted as `no_token_price`).
    #[serde(default)]
    pub include_unpriced: bool,
    /// Also consider self-hosted offers (local runtimes on the tenant's own
    /// hardware, with nothing to buy; default false: counted as
    /// `self_hosted`).
    #[serde(default)]
    pub include_self_hosted: bool,
    /// How many recommendations to return, 1 to 100 (default 10).
    #[serde(default, deserialize_with = "crate::whole::optional")]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// One line of an estimate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostLine {
    pub dimension: PriceDimension,
    /// Tokens per month.
    pub tokens: u64,
    /// USD per 1M tokens.
    #[schema(value_type = String, example = "0.55")]
    pub unit_price_per_mtok: Decimal,
    /// tokens / 1,000,000 × unit price, exact.
    #[schema(value_type = String, example = "275.00")]
    pub amount: Decimal,
}

/// Who runs a recommended offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecommendedOperator {
    #[schema(example = "Microsoft Azure")]
    pub name: String,
    #[schema(example = "US")]
    pub country: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recommendation {
    /// The recommended listing.
    pub model: ModelLink,
    pub offer_id: Uuid,
    pub region: String,
    pub deployment_type: DeploymentType,
    /// Who runs the offer: what `operator` to name when enabling it.
    pub operator: RecommendedOperator,
    /// The month's estimate, rounded half away from zero to the cent; null
    /// for an offer whose price is not known (listed only with
    /// `include_unpriced`).
    pub estimated_monthly_cost: Option<Money>,
    /// The token dimensions the workload uses that the offer has no price
    /// for; empty when the estimate is complete.
    pub unpriced_dimensions: Vec<PriceDimension>,
    /// Currencies the offer quotes that were converted to USD at the
    /// catalog's rates for this estimate; empty when it quotes USD.
    #[schema(example = json!([]))]
    pub converted_from: Vec<String>,
    pub breakdown: Vec<CostLine>,
    pub capabilities: Vec<Capability>,
    pub context_window: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationList {
    pub items: Vec<Recommendation>,
    /// Offers left out, by reason code (policy rules, lifecycle,
    /// `no_token_price`, `self_hosted`, `over_budget`,
    /// `region_not_requested`, ...).
    pub excluded: BTreeMap<String, u64>,
    /// How many offers fit the workload and were ranked.
    pub ranked: usize,
    pub tier: Tier,
    /// Always null: recommendations fit one page (see `limit`).
    pub next_cursor: Option<String>,
}

fn validate(request: &RecommendationRequest, known_region: impl Fn(&str) -> bool) -> Result<usize, ApiError> {
    let mut errors = Vec::new();
    for (index, region) in request.regions.iter().enumerate() {
        if !known_region(region) {
            errors.push(FieldError {
                field: format!("regions[{index}]"),
                message: format!("{region:?} is not a known region code"),
            });
        }
    }
    for (field, tokens) in [
        ("monthly_input_tokens", request.monthly_input_tokens),
        ("monthly_output_tokens", request.monthly_output_tokens),
    ] {
        if tokens > MAX_MONTHLY_TOKENS {
            errors.push(FieldError {
                field: field.into(),
                message: format!("at most {MAX_MONTHLY_TOKENS}"),
            });
        }
    }
    if let Some(budget) = &request.budget {
        if budget.currency != "USD" {
            errors.push(FieldError {
                field: "budget.currency".into(),
                message: "prices are quoted in USD".into(),
            });
        }
        if budget.amount.is_sign_negative() {
            errors.push(FieldError {
                field: "budget.amount".into(),
                message: "must not be negative".into(),
            });
        }
    }
    if request.min_context_window.is_some_and(|c| c < 0) {
        errors.push(FieldError {
            field: "min_context_window".into(),
            message: "must not be negative".into(),
        });
    }
    let limit = request.limit.unwrap_or(DEFAULT_ITEMS);
    if !(1..=MAX_ITEMS).contains(&limit) {
        errors.push(FieldError {
            field: "limit".into(),
            message: format!("must be from 1 to {MAX_ITEMS}"),
        });
    }
    if request.regions.len() > 200 || request.required_capabilities.len() > 32 {
        errors.push(FieldError {
            field: "regions".into(),
            message: "at most 200 regions and 32 capabilities".into(),
        });
    }
    if errors.is_empty() {
        Ok(limit)
    } else {
        Err(ApiError::fields(ErrorCode::ValidationFailed, errors))
    }
}

/// tokens / 1M × price per 1M tokens, exactly.
pub fn line_cost(tokens: u64, price_per_mtok: Decimal) -> Decimal {
    Decimal::from(tokens) * price_per_mtok / Decimal::from(1_000_000)
}

pub fn to_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn exclude(excluded: &mut BTreeMap<String, u64>, code: &str) {
    *excluded.entry(code.to_owned()).or_insert(0) += 1;
}

fn reason_name(code: ReasonCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Recommend the cheapest compliant offers for a workload.
///
/// Prices every offer the tenant may enable (the same decision as discovery
/// and enablement) for the month's token volumes, exactly, and ranks them.
/// The response counts what was left out, by reason.
#[utoipa::path(
    tag = "tenants",
    operation_id = "create_recommendations",
    params(("tenant_id" = Uuid, Path, description = "The tenant")),
    request_body = RecommendationRequest,
    responses(
        (status = 200, description = "Ranked offers with monthly estimates", body = RecommendationList),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names each", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/tenants/{tenant_id}/recommendations")]
pub async fn create_recommendations(
    state: web::Data<AppState>,
    access: TenantAccess<TenantUse>,
    body: web::Json<RecommendationRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let snapshot = state.catalog.current();
    let limit = validate(&request, |code| snapshot.content.region(code).is_some())?;
    let policy = snapshot.policy_for(access.tenant_id);
    let viewer = snapshot.viewer(access.tenant_id, &policy);
    let now = Utc::now();
    let mut excluded = BTreeMap::new();
    // (priced, reasoning-capable, exact cost, item): unpriced offers rank
    // after every priced one.
    let mut ranked: Vec<(bool, bool, Decimal, Recommendation)> = Vec::new();

    for listing in &snapshot.content.listings {
        let fits = listing.task == request.task
            && request
                .required_capabilities
                .iter()
                .all(|c| listing.capabilities.contains(c))
            && request
                .min_context_window
                .is_none_or(|min| listing.context_window.is_some_and(|c| c >= min));
        if !fits {
            continue;
        }
        for offer in &listing.offers {
            if !request.regions.is_empty() && !request.regions.iter().any(|r| *r == *offer.region) {
                exclude(&mut excluded, "region_not_requested");
                continue;
            }
            if !request.deployment_types.is_empty() && !request.deployment_types.contains(&offer.deployment_type) {
                exclude(&mut excluded, "deployment_type_not_requested");
                continue;
            }
            if offer.deployment_type == DeploymentType::SelfHosted && !request.include_self_hosted {
                exclude(&mut excluded, "self_hosted");
                continue;
            }
            let facts = offer.facts(now);
            let decision = decide_offer(&listing.facts(), &facts, &viewer);
            if let Some(first) = decision.reasons.first() {
                exclude(&mut excluded, &reason_name(first.code));
                continue;
            }
            let mut breakdown = Vec::new();
            let mut unpriced = Vec::new();
            let mut converted_from = Vec::new();
            for (dimension, tokens, price) in [
                (
                    PriceDimension::InputTokens,
                    request.monthly_input_tokens,
                    facts.input_price,
                ),
                (
                    PriceDimension::OutputTokens,
                    request.monthly_output_tokens,
                    facts.output_price,
                ),
            ] {
                if tokens == 0 {
                    continue;
                }
                if let Some(quoted) = offer.base_token_period(dimension, now) {
                    if price.is_some()
                        && &*quoted.currency != "USD"
                        && !converted_from.iter().any(|c| *c == *quoted.currency)
                    {
                        converted_from.push(quoted.currency.to_string());
                    }
                }
                match price {
                    Some(price) => breakdown.push(CostLine {
                        dimension,
                        tokens,
                        unit_price_per_mtok: price,
                        amount: line_cost(tokens, price).normalize(),
                    }),
                    None => unpriced.push(dimension),
                }
            }
            let priced = unpriced.is_empty();
            if !priced && !request.include_unpriced {
                exclude(&mut excluded, "no_token_price");
                continue;
            }
            let exact: Decimal = breakdown.iter().map(|line| line.amount).sum();
            let total = to_cents(exact);
            if priced && request.budget.as_ref().is_some_and(|budget| total > budget.amount) {
                exclude(&mut excluded, "over_budget");
                continue;
            }
            let capable = listing.capabilities.contains(&Capability::Reasoning);
            ranked.push((
                priced,
                capable,
                exact,
                Recommendation {
                    model: ModelLink {
                        id: listing.id,
                        slug: listing.slug.to_string(),
                    },
                    offer_id: offer.id,
                    region: offer.region.to_string(),
                    deployment_type: offer.deployment_type,
                    operator: RecommendedOperator {
                        name: offer.operator_name.to_string(),
                        country: offer.operator_country.as_deref().map(str::to_owned),
                    },
                    estimated_monthly_cost: priced.then(|| Money {
                        amount: total,
                        currency: "USD".into(),
                    }),
                    unpriced_dimensions: unpriced,
                    converted_from,
                    breakdown,
                    capabilities: listing.capabilities.to_vec(),
                    context_window: listing.context_window,
                },
            ));
        }
    }
    let complex = request.tier == Tier::Complex;
    ranked.sort_by(|a, b| {
        let group = if complex {
            b.1.cmp(&a.1)
        } else {
            std::cmp::Ordering::Equal
        };
        b.0.cmp(&a.0)
            .then(group)
            .then_with(|| a.2.cmp(&b.2))
            .then_with(|| a.3.model.slug.cmp(&b.3.model.slug))
            .then_with(|| a.3.offer_id.cmp(&b.3.offer_id))
    });
    let total_ranked = ranked.len();
    Ok(HttpResponse::Ok().json(RecommendationList {
        items: ranked.into_iter().take(limit).map(|(_, _, _, item)| item).collect(),
        excluded,
        ranked: total_ranked,
        tier: request.tier,
        next_cursor: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_of_tokens_costs_exactly_volume_times_price() {
        let cost = line_cost(123_456_789, "0.55".parse().unwrap());
        assert_eq!(cost, "67.90123395".parse::<Decimal>().unwrap());
        assert_eq!(to_cents(cost), "67.90".parse::<Decimal>().unwrap());
    }

    #[test]
    fn cents_round_half_away_from_zero() {
        assert_eq!(to_cents("0.125".parse().unwrap()), "0.13".parse::<Decimal>().unwrap());
        assert_eq!(
            to_cents("0.124999".parse().unwrap()),
            "0.12".parse::<Decimal>().unwrap()
        );
    }
}
