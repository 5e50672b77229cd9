//! Publishers and regions: the reference lists portals filter by.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{Authorized, DiscoverCatalog};
use crate::domain::vocab::Cloud;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Publisher {
    pub id: Uuid,
    #[schema(example = "mistral")]
    pub slug: String,
    #[schema(example = "Mistral AI")]
    pub name: String,
    /// Headquarters, ISO 3166-1 alpha-2.
    #[schema(example = "FR")]
    pub country: Option<String>,
    pub website: Option<String>,
    /// Listings by this publisher in the catalog (retired included).
    pub listing_count: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublisherList {
    pub items: Vec<Publisher>,
    pub total: usize,
    /// Always null: the publisher list fits one page.
    pub next_cursor: Option<String>,
}

/// List publishers.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_publishers",
    responses((status = 200, description = "Every publisher, by slug", body = PublisherList)),
    security(("bearer" = []))
)]
#[get("/v1/publishers")]
pub async fn list_publishers(
    state: web::Data<AppState>,
    _principal: Authorized<DiscoverCatalog>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.catalog.current();
    let mut counts = std::collections::HashMap::new();
    for listing in &snapshot.content.listings {
        *counts.entry(listing.publisher.id).or_insert(0usize) += 1;
    }
    let items = snapshot
        .content
        .publishers
        .iter()
        .map(|p| Publisher {
            id: p.id,
            slug: p.slug.clone(),
            name: p.name.clone(),
            country: p.country.clone(),
            website: p.website.clone(),
            listing_count: counts.get(&p.id).copied().unwrap_or(0),
        })
        .collect();
    let items: Vec<Publisher> = items;
    Ok(HttpResponse::Ok().json(PublisherList {
        total: items.len(),
        items,
        next_cursor: None,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    #[schema(example = "westeurope")]
    pub code: String,
    #[schema(example = "Azure West Europe")]
    pub name: String,
    pub cloud: Cloud,
    /// The country whose law governs the region; null for multi-country zones.
    #[schema(example = "NL")]
    pub jurisdiction: Option<String>,
    #[schema(example = "europe")]
    pub geography: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<Region>,
    pub total: usize,
    /// Always null: the region list fits one page.
    pub next_cursor: Option<String>,
}

/// List regions.
#[utoipa::path(
    tag = "discovery",
    operation_id = "list_regions",
    responses((status = 200, description = "Every region, by code", body = RegionList)),
    security(("bearer" = []))
)]
#[get("/v1/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
    _principal: Authorized<DiscoverCatalog>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.catalog.current();
    let items = snapshot
        .content
        .regions
        .iter()
        .map(|r| Region {
            code: r.code.clone(),
            name: r.name.clone(),
            cloud: r.cloud,
            jurisdiction: r.jurisdiction.clone(),
            geography: r.geography.clone(),
        })
        .collect();
    let items: Vec<Region> = items;
    Ok(HttpResponse::Ok().json(RegionList {
        total: items.len(),
        items,
        next_cursor: None,
    }))
}
