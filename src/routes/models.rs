//! Discovery: the catalog as tenants and staff browse it.

use actix_web::http::header::{self, HeaderName};
use std::sync::Arc;

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::discovery_cache::DiscoveryCache;
use crate::auth::{Authorized, DiscoverCatalog, TenantAccess, TenantRead};
use crate::catalog::query::{discover, DiscoveryParams, DiscoveryQuery, FacetCount, Facets};
use crate::catalog::snapshot::{Listing, ModelRef, Offer, PricePeriod, Snapshot};
use crate::domain::decision::{decide_listing, decide_offer, Decision, Reason};
use crate::domain::hold::HoldView;
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};
use crate::error::{ApiError, ErrorCode, Problem};
use crate::http::{if_none_match, not_modified, revalidatable};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherSummary {
    #[schema(example = "deepseek")]
    pub slug: String,
    #[schema(example = "DeepSeek")]
    pub name: String,
    /// Headquarters, ISO 3166-1 alpha-2.
    #[schema(example = "CN")]
    pub country: Option<String>,
}

/// Another listing, by id and slug.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelLink {
    pub id: Uuid,
    #[schema(example = "deepseek/deepseek-v3")]
    pub slug: String,
}

impl From<&ModelRef> for ModelLink {
    fn from(reference: &ModelRef) -> Self {
        ModelLink {
            id: reference.id,
            slug: reference.slug.to_string(),
        }
    }
}

/// Where a model comes from: who made it, and from what.
#[derive(Debug, Serialize, ToSchema)]
pub struct Provenance {
    /// ISO 3166-1 alpha-2 of the maker.
    #[schema(example = "CN")]
    pub origin_country: Option<String>,
    pub lineage: Lineage,
    pub base_model: Option<ModelLink>,
    pub model_card_url: Option<String>,
    pub weights_digest: Option<String>,
    pub release_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lifecycle {
    pub status: LifecycleStatus,
    pub deprecation_date: Option<NaiveDate>,
    pub retirement_date: Option<NaiveDate>,
    pub successor: Option<ModelLink>,
}

/// The cheapest current base-tier prices across the listing's offers, in
/// USD. Prices quoted in another currency are converted at the catalog's
/// rates (`GET /v1/currency-rates`), and the summary says which were.
#[derive(Debug, Serialize, ToSchema)]
pub struct PricingSummary {
    /// USD per 1M input tokens, as a decimal string.
    #[schema(value_type = Option<String>, example = "0.55")]
    pub min_input_price_per_mtok: Option<Decimal>,
    /// USD per 1M output tokens, as a decimal string.
    #[schema(value_type = Option<String>, example = "2.19")]
    pub min_output_price_per_mtok: Option<Decimal>,
    #[schema(example = "USD")]
    pub currency: &'static str,
    /// Currencies of offers' token prices converted into these figures.
    #[schema(example = json!(["EUR"]))]
    pub converted_from: Vec<String>,
    /// Currencies of offers' token prices the catalog has no rate for: those
    /// prices are not in these figures (nor in price filters and sorts).
    #[schema(example = json!([]))]
    pub not_converted: Vec<String>,
}

/// A catalog listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Model {
    pub id: Uuid,
    /// `publisher/name`.
    #[schema(example = "deepseek/deepseek-r1")]
    pub slug: String,
    /// Other spellings of `slug` (punctuation variants hosts use, such as
    /// `meta/llama3.1-8b` for `meta/llama-3.1-8b`); each resolves to this
    /// listing wherever a slug is accepted.
    #[schema(example = json!([]))]
    pub aliases: Vec<String>,
    #[schema(example = "DeepSeek R1")]
    pub name: String,
    pub publisher: PublisherSummary,
    pub family: Option<String>,
    pub version: Option<String>,
    pub description: String,
    pub task: Task,
    pub input_modalities: Vec<Modality>,
    pub output_modalities: Vec<Modality>,
    pub capabilities: Vec<Capability>,
    #[schema(example = 128000)]
    pub context_window: Option<i32>,
    pub max_output_tokens: Option<i32>,
    /// SPDX id or a named proprietary licence.
    #[schema(example = "MIT")]
    pub license: String,
    pub open_weights: bool,
    pub provenance: Provenance,
    pub lifecycle: Lifecycle,
    pub tags: Vec<String>,
    /// Regions with at least one offer.
    pub regions: Vec<String>,
    pub pricing: PricingSummary,
    pub updated_at: DateTime<Utc>,
    /// For tenant principals: whether this tenant may enable the listing,
    /// and if not, every reason. Absent for platform staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<Decision>,
}

impl Model {
    pub fn view(listing: &Listing, availability: Option<Decision>) -> Self {
        Model {
            availability,
            id: listing.id,
            slug: listing.slug.to_string(),
            aliases: listing.aliases.to_vec(),
            name: listing.name.to_string(),
            publisher: PublisherSummary {
                slug: listing.publisher.slug.clone(),
                name: listing.publisher.name.clone(),
                country: listing.publisher.country.clone(),
            },
            family: listing.family.as_deref().map(str::to_owned),
            version: listing.version.as_deref().map(str::to_owned),
            description: listing.description.to_string(),
            task: listing.task,
            input_modalities: listing.input_modalities.to_vec(),
            output_modalities: listing.output_modalities.to_vec(),
            capabilities: listing.capabilities.to_vec(),
            context_window: listing.context_window,
            max_output_tokens: listing.max_output_tokens,
            license: listing.license.to_string(),
            open_weights: listing.open_weights,
            provenance: Provenance {
                origin_country: listing.origin_country.as_deref().map(str::to_owned),
                lineage: listing.lineage,
                base_model: listing.base_model.as_ref().map(ModelLink::from),
                model_card_url: listing.model_card_url.as_deref().map(str::to_owned),
                weights_digest: listing.weights_digest.as_deref().map(str::to_owned),
                release_date: listing.release_date,
            },
            lifecycle: Lifecycle {
                status: listing.lifecycle,
                deprecation_date: listing.deprecation_date,
                retirement_date: listing.retirement_date,
                successor: listing.successor.as_ref().map(ModelLink::from),
            },
            tags: listing.tags.iter().map(|tag| tag.to_string()).collect(),
            regions: listing.regions.iter().map(|r| r.to_string()).collect(),
            pricing: PricingSummary {
                min_input_price_per_mtok: listing.min_input_price,
                min_output_price_per_mtok: listing.min_output_price,
                currency: "USD",
                converted_from: listing.converted_from.to_vec(),
                not_converted: listing.not_converted.to_vec(),
            },
            updated_at: listing.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    #[schema(example = "deepseek")]
    pub value: String,
    #[schema(example = 12)]
    pub count: u64,
}

/// Counts over every listing matching the query (not just this page), at
/// most 50 values per facet, most frequent first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscoveryFacets {
    pub publisher: Vec<FacetValue>,
    pub task: Vec<FacetValue>,
    pub license: Vec<FacetValue>,
    pub origin_country: Vec<FacetValue>,
    /// Regions with an offer (a listing counts once in each).
    pub region: Vec<FacetValue>,
    pub capability: Vec<FacetValue>,
    pub input_modality: Vec<FacetValue>,
    pub output_modality: Vec<FacetValue>,
    pub deployment_type: Vec<FacetValue>,
    pub lifecycle: Vec<FacetValue>,
    /// The cheapest input price, USD per 1M tokens: `0_to_1` (at most 1),
    /// `1_to_5`, `5_to_20`, `over_20` (each over the bound before it), or
    /// `unknown`. A band's upper bound is the `max_input_price_per_mtok` that keeps it.
    pub input_price_band: Vec<FacetValue>,
}

fn facet_values(counts: Vec<FacetCount<'_>>) -> Vec<FacetValue> {
    counts
        .into_iter()
        .map(|c| FacetValue {
            value: c.value.to_owned(),
            count: c.count,
        })
        .collect()
}

impl From<Facets<'_>> for DiscoveryFacets {
    fn from(facets: Facets<'_>) -> Self {
        DiscoveryFacets {
            publisher: facet_values(facets.publisher),
            task: facet_values(facets.task),
            license: facet_values(facets.license),
            origin_country: facet_values(facets.origin_country),
            region: facet_values(facets.region),
            capability: facet_values(facets.capability),
            input_modality: facet_values(facets.input_modality),
            output_modality: facet_values(facets.output_modality),
            deployment_type: facet_values(facets.deployment_type),
            lifecycle: facet_values(facets.lifecycle),
            input_price_band: facet_values(facets.input_price_band),
        }
    }
}

/// One page of discovery results.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelPage {
    pub items: Vec<Model>,
    /// Pass as `cursor` (with the same other parameters) for the next page;
    /// null on the last page.
    pub next_cursor: Option<String>,
    /// How many listings match the query in all.
    pub total: usize,
    pub facets: DiscoveryFacets,
}

/// Discover models.
///
/// Filters, full-text search, sorting, facet counts and cursor pagination
/// over the catalog. Served from the in-memory catalog snapshot.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_models",
    params(
        DiscoveryParams,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a page read before")
    ),
    responses(
        (status = 200, description = "A page of listings", body = ModelPage,
         headers(("ETag" = String, description = "Revalidate with If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A parameter is invalid; `errors` names it", body = Problem,
         content_type = "application/problem+json", example = json!({
            "type": "urn:modelmart:problem:invalid_parameter", "title": "A query or path parameter is invalid",
            "status": 400, "detail": "limit: must be an integer from 1 to 200", "instance": "/v1/models",
            "code": "invalid_parameter", "errors": [{"field": "limit", "message": "must be an integer from 1 to 200"}]
         }))
    ),
    security(("bearer" = []))
)]
#[get("/v1/models")]
pub async fn list_models(
    state: web::Data<AppState>,
    pages: web::Data<DiscoveryCache>,
    principal: Authorized<DiscoverCatalog>,
    req: actix_web::HttpRequest,
    params: DiscoveryParams,
) -> Result<HttpResponse, ApiError> {
    discover_for(&state, &pages, &req, principal.tenant_id, &params)
}

/// The discovery page `params` ask for, under `tenant`'s rules (staff:
/// none), over the current snapshot.
fn discover_for(
    state: &AppState,
    pages: &DiscoveryCache,
    req: &actix_web::HttpRequest,
    tenant: Option<Uuid>,
    params: &DiscoveryParams,
) -> Result<HttpResponse, ApiError> {
    let mut query = DiscoveryQuery::parse(params)?;
    let snapshot = state.catalog.current();
    query.resolve_aliases(&snapshot.content);
    discovery_page(&snapshot, pages, req, tenant, &query)
}

/// Discover models as a tenant sees them.
///
/// The same page as `GET /v1/models` for a principal of this tenant: what
/// its policy and the holds that apply to it let it see, each listing with
/// its `availability` (whether the tenant may enable it, and every reason
/// why not). For platform staff supporting a tenant, and for the tenant's
/// own principals.
#[utoipa::path(
    tag = "tenants",
    operation_id = "list_tenant_models",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        DiscoveryParams,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a page read before")
    ),
    responses(
        (status = 200, description = "A page of listings as the tenant sees them", body = ModelPage,
         headers(("ETag" = String, description = "Revalidate with If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A parameter is invalid; `errors` names it", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/models")]
pub async fn list_tenant_models(
    state: web::Data<AppState>,
    pages: web::Data<DiscoveryCache>,
    access: TenantAccess<TenantRead>,
    req: actix_web::HttpRequest,
    params: DiscoveryParams,
) -> Result<HttpResponse, ApiError> {
    discover_for(&state, &pages, &req, Some(access.tenant_id), &params)
}

/// A page of discovery under the asker's rules, with its ETag, from the
/// page cache when it was served before under the same rules.
fn discovery_page(
    snapshot: &Arc<Snapshot>,
    pages: &DiscoveryCache,
    req: &actix_web::HttpRequest,
    tenant: Option<Uuid>,
    query: &DiscoveryQuery,
) -> Result<HttpResponse, ApiError> {
    // The page is a function of the catalog's content, the query and the
    // rules the asker is under (staff: none), so a client revalidating the
    // same URL gets a 304 until the content, its tenant's policy or a hold
    // that applies to it changes; another tenant's policy does not count.
    let rules = rules_of(snapshot, tenant);
    let tag = format!("W/\"{}-{}\"", snapshot.content.etag_seed, rules);
    if if_none_match(req, &tag) {
        return Ok(not_modified(tag));
    }
    let key = format!("{rules}|{}", query.page_key());
    let body = match pages.page(snapshot, &key) {
        Some(body) => body,
        None => {
            let ranking = query.q.as_deref().map(|q| pages.ranking(snapshot, q));
            let page = discover(snapshot, query, tenant, ranking.as_deref());
            pages.compose(snapshot, key, page).map_err(ApiError::internal)?
        }
    };
    Ok(revalidatable(&tag).content_type("application/json").body(body))
}

/// List a listing's derivatives.
///
/// The listings derived from this one at any depth of their lineage
/// (fine-tunes, distillations, quantizations and merges of it, and of
/// those): what a hold on it covers by default. The same page as
/// `GET /v1/models?derived_from={id}`, with every other discovery
/// parameter (a `derived_from` here narrows further); a tenant sees only
/// what discovery shows it.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_model_derivatives",
    params(
        ("id_or_slug" = String, Path, description = "Listing UUID or `publisher/name` slug", example = "deepseek/deepseek-r1"),
        DiscoveryParams,
        ("If-None-Match" = Option<String>, Header, description = "The ETag of a page read before")
    ),
    responses(
        (status = 200, description = "A page of the listing's derivatives", body = ModelPage,
         headers(("ETag" = String, description = "Revalidate with If-None-Match"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "A parameter is invalid", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such listing", body = Problem, content_type = "application/problem+json"),
        (status = 451, description = "A compliance hold hides the listing from this tenant", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/models/{id_or_slug}/derivatives")]
pub async fn list_model_derivatives(
    state: web::Data<AppState>,
    pages: web::Data<DiscoveryCache>,
    principal: Authorized<DiscoverCatalog>,
    req: actix_web::HttpRequest,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // The request's own shape first: bad parameters are 400 whatever the
    // listing's state.
    let params = super::discovery_query::read(req.query_string())?;
    // (The cursor is checked once the listing is known: it is bound to it.)
    DiscoveryQuery::parse(&DiscoveryParams {
        cursor: None,
        ..params.clone()
    })?;
    let snapshot = state.catalog.current();
    let listing = find(&snapshot, &id_or_slug)?;
    if let Some(tenant) = principal.tenant_id {
        tenant_decision(&snapshot, listing, tenant)?;
    }
    let mut query = DiscoveryQuery::derivatives(&params, listing.id)?;
    query.resolve_aliases(&snapshot.content);
    discovery_page(&snapshot, &pages, &req, principal.tenant_id, &query)
}

/// Whether `tenant` may enable the listing, and why not; 451 when a hold
/// hides it (everywhere it is offered) from the tenant.
fn tenant_decision(snapshot: &Snapshot, listing: &Listing, tenant: Uuid) -> Result<Decision, ApiError> {
    let policy = snapshot.policy_for(tenant);
    let viewer = snapshot.viewer(tenant, &policy);
    let now = Utc::now();
    let decision = decide_listing(&listing.facts(), listing.offers.iter().map(|o| o.facts(now)), &viewer);
    match decision.hidden_by {
        Some(hold) => Err(blocked_by(&snapshot.holds, hold, &[])),
        None => Ok(decision),
    }
}

/// Names the rules a representation was computed under: the tenant's
/// (policy and the holds that apply to it), or none for staff.
fn rules_of(snapshot: &Snapshot, tenant: Option<Uuid>) -> String {
    match tenant {
        Some(tenant) => snapshot.view_for(tenant).fingerprint.clone(),
        None => "staff".to_owned(),
    }
}

/// The ETag of a listing's detail or offers as served under `rules`: the
/// row version first (admin updates take it in `If-Match`), then the
/// catalog content and the rules, on which availability and prices depend.
fn listing_etag(snapshot: &Snapshot, listing: &Listing, rules: &str) -> String {
    format!("\"{}-{}-{}\"", listing.row_version, snapshot.content.etag_seed, rules)
}

/// The start of a listing's 200 response (ETag, caching, lifecycle headers),
/// or, as the error, 304 when the caller's copy is still current.
fn listing_response(
    req: &actix_web::HttpRequest,
    snapshot: &Snapshot,
    listing: &Listing,
    tenant: Option<Uuid>,
) -> Result<actix_web::HttpResponseBuilder, Box<HttpResponse>> {
    let tag = listing_etag(snapshot, listing, &rules_of(snapshot, tenant));
    if if_none_match(req, &tag) {
        return Err(Box::new(not_modified(tag)));
    }
    let mut response = revalidatable(&tag);
    lifecycle_headers(&mut response, listing);
    Ok(response)
}

/// RFC 9745 `Deprecation` and RFC 8594 `Sunset` on a deprecated listing,
/// with a `successor-version` link when it has a successor.
fn lifecycle_headers(response: &mut actix_web::HttpResponseBuilder, listing: &Listing) {
    if listing.lifecycle != LifecycleStatus::Deprecated {
        return;
    }
    let midnight = |date: NaiveDate| date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    match listing.deprecation_date.and_then(midnight) {
        Some(at) => response.insert_header((DEPRECATION, format!("@{}", at.timestamp()))),
        None => response.insert_header((DEPRECATION, "@0")),
    };
    if let Some(at) = listing.retirement_date.and_then(midnight) {
        response.insert_header((SUNSET, at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()));
    }
    if let Some(successor) = &listing.successor {
        response.insert_header((
            header::LINK,
            format!("</v1/models/{}>; rel=\"successor-version\"", successor.id),
        ));
    }
}

const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
const SUNSET: HeaderName = HeaderName::from_static("sunset");

/// 451 Unavailable For Legal Reasons (RFC 7725), naming the hold's public
/// notice (from `holds`, the holds in effect) and never its internal legal
/// basis; `reasons` are the decision's, when there was one.
pub fn blocked_by(holds: &[HoldView], hold_id: uuid::Uuid, reasons: &[Reason]) -> ApiError {
    let hold = holds.iter().find(|h| h.id == hold_id);
    let notice = hold.map(|h| h.public_notice.clone()).unwrap_or_default();
    // A stored URL is checked again before it goes into a header, so a row
    // written before the check existed cannot split the Link header.
    let link = hold
        .and_then(|h| h.public_notice_url.clone())
        .filter(|url| crate::domain::hold::check_notice_url(url).is_ok())
        .unwrap_or_else(|| format!("/v1/holds/{hold_id}/notice"));
    ApiError::new(ErrorCode::UnavailableForLegalReasons, notice.clone())
        .with_header(header::LINK, format!("<{link}>; rel=\"blocked-by\""))
        .with_context(serde_json::json!({ "hold_id": hold_id, "public_notice": notice, "reasons": reasons }))
}

/// A retired listing answers 410, naming its successor.
fn refuse_retired(listing: &Listing) -> Result<(), ApiError> {
    if listing.lifecycle != LifecycleStatus::Retired {
        return Ok(());
    }
    let mut error = ApiError::new(
        ErrorCode::Gone,
        match &listing.successor {
            Some(successor) => format!("{} is retired; its successor is {}.", listing.slug, successor.slug),
            None => format!("{} is retired.", listing.slug),
        },
    );
    if let Some(successor) = &listing.successor {
        error = error
            .with_header(
                header::LINK,
                format!("</v1/models/{}>; rel=\"successor-version\"", successor.id),
            )
            .with_context(serde_json::json!({ "successor": { "id": successor.id, "slug": successor.slug } }));
    }
    Err(error)
}

fn find<'s>(snapshot: &'s Snapshot, id_or_slug: &str) -> Result<&'s Listing, ApiError> {
    if id_or_slug.is_empty() || id_or_slug.len() > 200 {
        return Err(ApiError::invalid_parameter(
            "id_or_slug",
            "must be a listing id or a publisher/name slug",
        ));
    }
    snapshot
        .find(id_or_slug)
        .ok_or_else(|| ApiError::not_found(format!("Listing {id_or_slug:?}")))
}

/// Get one listing.
///
/// By UUID or by slug; a slug's `/` may be sent as `%2F`
/// (`/v1/models/deepseek%2Fdeepseek-r1`).
#[utoipa::path(
    tag = "discovery",
    operation_id = "get_model",
    params(("id_or_slug" = String, Path, description = "Listing UUID, `publisher/name` slug, or an alias of the slug",
            example = "deepseek/deepseek-r1"),
           ("If-None-Match" = Option<String>, Header, description = "The ETag of a representation read before")),
    responses(
        (status = 200, description = "The listing; deprecated ones carry `Deprecation`, `Sunset` and a successor `Link`. Asked by an alias (another spelling of its slug), the listing itself, with `Content-Location` naming its own path",
         body = Model, headers(("ETag" = String, description = "Changes with the listing, the catalog and the rules the caller is under; its leading number is the row version, and admin changes accept the whole tag in If-Match"),
                               ("Content-Location" = Option<String>, description = "When asked by an alias: the listing's own path"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such listing", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The listing is retired; `Link` names its successor", body = Problem,
         content_type = "application/problem+json"),
        (status = 451, description = "A compliance hold hides it from this tenant; `Link` names the public notice",
         body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/models/{id_or_slug}")]
pub async fn get_model(
    state: web::Data<AppState>,
    principal: Authorized<DiscoverCatalog>,
    req: actix_web::HttpRequest,
    id_or_slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.catalog.current();
    let listing = find(&snapshot, &id_or_slug)?;
    refuse_retired(listing)?;
    let availability = match principal.tenant_id {
        None => None,
        Some(tenant) => Some(tenant_decision(&snapshot, listing, tenant)?),
    };
    let mut response = match listing_response(&req, &snapshot, listing, principal.tenant_id) {
        Ok(response) => response,
        Err(not_modified) => return Ok(*not_modified),
    };
    if Uuid::parse_str(&id_or_slug).is_err() && !listing.slug.eq_ignore_ascii_case(&id_or_slug) {
        // Asked by an alias: the answer is the listing, and says where it lives.
        response.insert_header((
            header::CONTENT_LOCATION,
            format!("/v1/models/{}", listing.slug.replace('/', "%2F")),
        ));
    }
    Ok(response.json(Model::view(listing, availability)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Operator {
    #[schema(example = "Microsoft Azure")]
    pub name: String,
    /// Headquarters of the operator, ISO 3166-1 alpha-2 (apart from the model's origin).
    #[schema(example = "US")]
    pub country: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Price {
    pub dimension: PriceDimension,
    pub unit: PriceUnit,
    /// Exact decimal amount per unit.
    #[schema(value_type = String, example = "0.55")]
    pub amount: Decimal,
    #[schema(example = "USD")]
    pub currency: String,
    /// `amount` in USD: the same for USD, converted at the catalog's rate
    /// for another currency, null when the catalog has no rate for it.
    #[schema(value_type = Option<String>, example = "0.55")]
    pub usd_amount: Option<Decimal>,
    /// Applies only above this many tokens of context; absent for the base tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<PriceTier>,
    pub effective_from: DateTime<Utc>,
    pub effective_to: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PriceTier {
    #[schema(example = 200000)]
    pub min_context_tokens: i32,
}

impl From<&PricePeriod> for Price {
    fn from(period: &PricePeriod) -> Self {
        Price {
            dimension: period.dimension,
            unit: period.unit,
            amount: period.amount,
            currency: period.currency.to_string(),
            usd_amount: period.usd_amount,
            tier: period
                .tier_min_context_tokens
                .map(|min_context_tokens| PriceTier { min_context_tokens }),
            effective_from: period.effective_from,
            effective_to: period.effective_to,
        }
    }
}

/// A model in a region under a deployment type, with its current prices.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOffer {
    pub id: Uuid,
    #[schema(example = "eastus")]
    pub region: String,
    pub deployment_type: DeploymentType,
    pub processing_scope: ProcessingScope,
    pub operator: Operator,
    pub status: OfferStatus,
    pub prices: Vec<Price>,
    /// Price periods scheduled to start later.
    pub scheduled_prices: Vec<Price>,
    /// For tenant principals: whether this tenant may enable the model on
    /// this offer (this operator, here), and if not, every reason. Absent
    /// for platform staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability: Option<Decision>,
}

impl ModelOffer {
    pub fn at(offer: &Offer, now: DateTime<Utc>) -> Self {
        ModelOffer {
            id: offer.id,
            region: offer.region.to_string(),
            deployment_type: offer.deployment_type,
            processing_scope: offer.processing_scope,
            operator: Operator {
                name: offer.operator_name.to_string(),
                country: offer.operator_country.as_deref().map(str::to_owned),
            },
            status: offer.status,
            prices: offer.prices_at(now).map(Price::from).collect(),
            scheduled_prices: offer
                .prices
                .iter()
                .filter(|p| p.effective_from > now)
                .map(Price::from)
                .collect(),
            availability: None,
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OffersParams {
    /// An RFC 3339 instant: the prices in force then (past or scheduled)
    /// instead of now.
    #[param(value_type = Option<String>, format = DateTime, example = "2027-01-01T00:00:00Z")]
    pub at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelOfferList {
    pub items: Vec<ModelOffer>,
    /// Always null: a listing's offers fit one page.
    pub next_cursor: Option<String>,
}

/// List a listing's offers.
///
/// Regions, deployment types, operators and current prices.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_model_offers",
    params(("id_or_slug" = String, Path, description = "Listing UUID or `publisher/name` slug"), OffersParams,
           ("If-None-Match" = Option<String>, Header, description = "The ETag of a representation read before")),
    responses(
        (status = 200, description = "The listing's offers", body = ModelOfferList,
         headers(("ETag" = String, description = "Changes with the listing, the catalog and the rules the caller is under; its leading number is the row version"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 400, description = "`at` is not an RFC 3339 instant", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such listing", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "The listing is retired; `Link` names its successor", body = Problem,
         content_type = "application/problem+json"),
        (status = 451, description = "A compliance hold hides it from this tenant; `Link` names the public notice",
         body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/models/{id_or_slug}/offers")]
pub async fn list_model_offers(
    state: web::Data<AppState>,
    principal: Authorized<DiscoverCatalog>,
    req: actix_web::HttpRequest,
    id_or_slug: web::Path<String>,
    params: web::Query<OffersParams>,
) -> Result<HttpResponse, ApiError> {
    // The request's own shape first: a bad `at` is 400 whatever the listing's state.
    let at = params
        .at
        .as_deref()
        .map(|at| {
            DateTime::parse_from_rfc3339(at)
                .map(|at| at.with_timezone(&Utc))
                .map_err(|_| {
                    ApiError::invalid_parameter("at", "must be an RFC 3339 instant such as 2027-01-01T00:00:00Z")
                })
        })
        .transpose()?;
    let snapshot = state.catalog.current();
    let listing = find(&snapshot, &id_or_slug)?;
    refuse_retired(listing)?;
    // A tenant does not see offers a hold hides from it, and sees for each
    // other offer (each operator, in each region) whether it may enable it.
    let mut visible: Vec<(&Offer, Option<Decision>)> = listing.offers.iter().map(|offer| (offer, None)).collect();
    if let Some(tenant) = principal.tenant_id {
        let policy = snapshot.policy_for(tenant);
        let viewer = snapshot.viewer(tenant, &policy);
        let now = Utc::now();
        let mut hidden_by = None;
        visible = visible
            .into_iter()
            .filter_map(|(offer, _)| {
                let decision = decide_offer(&listing.facts(), &offer.facts(now), &viewer);
                match decision.hidden_by {
                    Some(hold) => {
                        hidden_by.get_or_insert(hold);
                        None
                    }
                    None => Some((offer, Some(decision))),
                }
            })
            .collect();
        if let (true, Some(hold)) = (visible.is_empty(), hidden_by) {
            return Err(blocked_by(&snapshot.holds, hold, &[]));
        }
    }
    let mut response = match listing_response(&req, &snapshot, listing, principal.tenant_id) {
        Ok(response) => response,
        Err(not_modified) => return Ok(*not_modified),
    };
    let Some(at) = at else {
        let now = Utc::now();
        return Ok(response.json(ModelOfferList {
            items: visible
                .into_iter()
                .map(|(offer, availability)| ModelOffer {
                    availability,
                    ..ModelOffer::at(offer, now)
                })
                .collect(),
            next_cursor: None,
        }));
    };
    // The snapshot holds current and scheduled prices; history is read here.
    let rows = crate::db::offers::prices_from(&state.pool, listing.id, at).await?;
    let items = visible
        .into_iter()
        .map(|(offer, availability)| {
            let mut then = offer.clone();
            then.prices = rows
                .iter()
                .filter(|row| row.offer_id == offer.id)
                .filter_map(|row| PricePeriod::from_row(row, &snapshot.content.usd_rates))
                .collect();
            ModelOffer {
                availability,
                ..ModelOffer::at(&then, at)
            }
        })
        .collect();
    Ok(response.json(ModelOfferList {
        items,
        next_cursor: None,
    }))
}
