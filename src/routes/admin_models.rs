//! Catalog administration: `POST /v1/admin/models`,
//! `PATCH /v1/admin/models/{id}`, `PUT /v1/admin/models/{id}/offers`.
//!
//! A listing and its offers share one version (the listing's `row_version`,
//! its ETag): changing either needs `If-Match` with it, so two staff members
//! editing the same listing cannot overwrite each other unseen.

use actix_web::http::header;
use actix_web::{patch, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::models::{Model, ModelOffer, ModelOfferList};
use crate::auth::{Authorized, ManageCatalog};
use crate::catalog::Snapshot;
use crate::db::audit::AuditEntry;
use crate::db::catalog_read;
use crate::db::models::{self, ModelFields};
use crate::db::offers::{self, OfferSpec, PriceSpec};
use crate::domain::country::parse_country;
use crate::domain::lifecycle::{allowed_moves, may_move};
use crate::domain::rules::{self, Problems};
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::{etag, if_match, stale, RequestId};
use crate::state::AppState;

const CREATE_ROUTE: &str = "POST /v1/admin/models";

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceInput {
    /// ISO 3166-1 alpha-2 of the maker.
    pub origin_country: Option<String>,
    #[serde(default = "original")]
    pub lineage: Lineage,
    /// The base listing, by id or slug, for fine-tunes, distillations, quantizations and merges.
    pub base_model: Option<String>,
    pub model_card_url: Option<String>,
    pub weights_digest: Option<String>,
    pub release_date: Option<NaiveDate>,
}

fn original() -> Lineage {
    Lineage::Original
}

impl Default for ProvenanceInput {
    fn default() -> Self {
        ProvenanceInput {
            origin_country: None,
            lineage: Lineage::Original,
            base_model: None,
            model_card_url: None,
            weights_digest: None,
            release_date: None,
        }
    }
}

/// A new listing. Lifecycle starts at `preview` or `ga`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "slug": "mistral/mistral-small-3.2",
    "publisher": "mistral",
    "name": "Mistral Small 3.2",
    "description": "A small, fast open-weights chat model.",
    "task": "chat",
    "input_modalities": ["text", "image"],
    "output_modalities": ["text"],
    "context_window": 128000,
    "capabilities": ["function_calling", "vision"],
    "license": "Apache-2.0",
    "open_weights": true,
    "provenance": {"origin_country": "FR", "lineage": "original", "release_date": "2025-06-20"},
    "lifecycle": {"status": "preview"},
    "tags": ["small"]
}))]
pub struct ModelInput {
    /// `publisher/name`, lower-case.
    pub slug: String,
    /// The publisher's slug; it must exist.
    pub publisher: String,
    pub name: String,
    pub family: Option<String>,
    pub version: Option<String>,
    #[serde(default)]
    pub description: String,
    pub task: Task,
    pub input_modalities: Vec<Modality>,
    pub output_modalities: Vec<Modality>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub context_window: Option<i32>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub max_output_tokens: Option<i32>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    pub license: String,
    pub open_weights: bool,
    #[serde(default)]
    pub provenance: ProvenanceInput,
    /// Where the listing starts: `preview` (default) or `ga`.
    pub lifecycle: Option<LifecycleInput>,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Provenance changes; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenancePatch {
    pub origin_country: Option<String>,
    pub lineage: Option<Lineage>,
    pub base_model: Option<String>,
    pub model_card_url: Option<String>,
    pub weights_digest: Option<String>,
    pub release_date: Option<NaiveDate>,
}

/// A new listing's lifecycle: only its status, as later moves (deprecation,
/// retirement) are made with a PATCH.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleInput {
    pub status: LifecycleStatus,
}

/// A lifecycle move, with its dates and successor.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecyclePatch {
    pub status: LifecycleStatus,
    /// When moving to `deprecated`; defaults to today.
    pub deprecation_date: Option<NaiveDate>,
    /// When the listing retires (the `Sunset` date); defaults to today when moving to `retired`.
    pub retirement_date: Option<NaiveDate>,
    /// The replacing listing, by id or slug.
    pub successor: Option<String>,
}

/// Changes to a listing, as a JSON Merge Patch (RFC 7396): members left out
/// stay as they are; `null` removes an optional value (`family`,
/// `version`, `context_window`, `max_output_tokens`, a provenance member,
/// the lifecycle's `successor`) or empties a list (`capabilities`, `tags`),
/// and is refused for a value a listing must have. The slug and publisher
/// cannot change.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "lifecycle": {"status": "deprecated", "deprecation_date": "2026-12-01", "retirement_date": "2027-06-01",
                  "successor": "mistral/mistral-small-3.2"}
}))]
pub struct ModelPatch {
    pub name: Option<String>,
    pub family: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub input_modalities: Option<Vec<Modality>>,
    pub output_modalities: Option<Vec<Modality>>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub context_window: Option<i32>,
    #[serde(default, deserialize_with = "crate::whole::optional")]
    pub max_output_tokens: Option<i32>,
    pub capabilities: Option<Vec<Capability>>,
    pub license: Option<String>,
    pub open_weights: Option<bool>,
    pub provenance: Option<ProvenancePatch>,
    pub lifecycle: Option<LifecyclePatch>,
    pub tags: Option<Vec<String>>,
}

fn sorted_strings<T: std::fmt::Display>(items: &[T]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(|i| i.to_string()).collect();
    out.sort();
    out.dedup();
    out
}

/// The checks the schema's constraints make (`domain::rules`), as field
/// errors a client can act on.
fn check(fields: &ModelFields) -> Vec<FieldError> {
    let mut problems = Problems::default();
    if !rules::is_model_slug(&fields.slug) {
        problems.push(
            "slug",
            "must be publisher/name in lower-case letters, digits, '.', '_' or '-'",
        );
    }
    problems.text("name", &fields.name, 1, 200);
    problems.text("description", &fields.description, 0, 10_000);
    problems.optional_text("family", fields.family.as_deref(), 1, 100);
    problems.optional_text("version", fields.version.as_deref(), 1, 100);
    if fields.input_modalities.is_empty() {
        problems.push("input_modalities", "at least one modality");
    }
    if fields.output_modalities.is_empty() {
        problems.push("output_modalities", "at least one modality");
    }
    for (field, value) in [
        ("context_window", fields.context_window),
        ("max_output_tokens", fields.max_output_tokens),
    ] {
        if value.is_some_and(|v| v <= 0) {
            problems.push(field, "must be a positive number of tokens");
        }
    }
    if !rules::is_license(&fields.license) {
        problems.push("license", "must be an SPDX id or a named licence such as proprietary");
    }
    if fields
        .origin_country
        .as_deref()
        .is_some_and(|c| parse_country(c) != Some(c))
    {
        problems.push(
            "provenance.origin_country",
            "must be an ISO 3166-1 alpha-2 country code",
        );
    }
    problems.optional_text("provenance.model_card_url", fields.model_card_url.as_deref(), 0, 2048);
    problems.optional_text("provenance.weights_digest", fields.weights_digest.as_deref(), 0, 200);
    if fields.tags.len() > 32 || fields.tags.iter().any(|t| t.is_empty() || t.chars().count() > 64) {
        problems.push("tags", "at most 32 tags of 1 to 64 characters");
    } else {
        for (i, tag) in fields.tags.iter().enumerate() {
            problems.text(&format!("tags[{i}]"), tag, 1, 64);
        }
    }
    for (field, date) in [
        ("provenance.release_date", fields.release_date),
        ("lifecycle.deprecation_date", fields.deprecation_date),
        ("lifecycle.retirement_date", fields.retirement_date),
    ] {
        if date.is_some_and(|d| !rules::is_plausible_date(d)) {
            problems.push(field, "must be a date between 1900 and 2200");
        }
    }
    if let (Some(deprecated), Some(retired)) = (fields.deprecation_date, fields.retirement_date) {
        if retired < deprecated {
            problems.push("lifecycle.retirement_date", "must not be before the deprecation date");
        }
    }
    problems
        .0
        .into_iter()
        .map(|p| FieldError {
            field: p.field,
            message: p.message,
        })
        .collect()
}

/// A listing by id or slug, on the write's connection.
async fn resolve(conn: &mut PgConnection, reference: &str) -> Result<Option<Uuid>, sqlx::Error> {
    match Uuid::parse_str(reference) {
        Ok(id) => Ok(models::exists(conn, id).await?.then_some(id)),
        Err(_) => models::id_by_slug_or_alias(conn, &reference.to_ascii_lowercase()).await,
    }
}

/// The listing's view, built inside the transaction with the snapshot's own
/// conversion, so responses are exactly what discovery will show.
async fn view(conn: &mut PgConnection, id: Uuid) -> Result<(Model, ModelOfferList, i64), ApiError> {
    let rows = catalog_read::load_listing(conn, id, catalog_read::Lock::None).await?;
    let snapshot = Snapshot::build(rows).map_err(ApiError::internal)?;
    let listing = snapshot
        .find(&id.to_string())
        .ok_or_else(|| ApiError::internal(std::io::Error::other("a listing just written was not found")))?;
    let now = Utc::now();
    let offers = ModelOfferList {
        items: listing.offers.iter().map(|o| ModelOffer::at(o, now)).collect(),
        next_cursor: None,
    };
    Ok((Model::view(listing, None), offers, listing.row_version))
}

fn lifecycle_conflict(from: LifecycleStatus, to: LifecycleStatus) -> ApiError {
    let allowed: Vec<&str> = allowed_moves(from).iter().map(|s| s.as_str()).collect();
    let detail = if allowed.is_empty() {
        format!("A {from} listing cannot move to {to}; it is final.")
    } else {
        format!("A {from} listing cannot move to {to}; allowed: {}.", allowed.join(", "))
    };
    ApiError::new(ErrorCode::InvalidLifecycleTransition, detail)
        .with_context(serde_json::json!({ "from": from, "to": to, "allowed": allowed }))
}

/// Create a listing.
///
/// Honours `Idempotency-Key` (per principal and route, 24 hours). The
/// publisher must exist; a slug already taken is 409.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "create_model",
    params(("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    request_body = ModelInput,
    responses(
        (status = 201, description = "The new listing", body = Model,
         headers(("ETag" = String, description = "Its version, for If-Match"),
                 ("Location" = String, description = "Its URL"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the Idempotency-Key was used with another body",
         body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/admin/models")]
pub async fn create_model(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Json<ModelInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let key = super::idempotency::key(&req)?;
    let scope = principal.actor();
    let mut tx = state.pool.begin().await?;
    if let Some(replay) = super::idempotency::claim(&mut tx, key.as_deref(), &scope, CREATE_ROUTE, &input).await? {
        return Ok(replay);
    }
    let mut errors = Vec::new();
    let publisher_id = models::publisher_id(&mut tx, &input.publisher).await?;
    if publisher_id.is_none() {
        errors.push(FieldError {
            field: "publisher".into(),
            message: format!("{:?} is not a known publisher", input.publisher),
        });
    }
    if input.slug.split('/').next() != Some(input.publisher.as_str()) {
        errors.push(FieldError {
            field: "slug".into(),
            message: "must start with the publisher's slug and a '/'".into(),
        });
    }
    let base_model_id = match &input.provenance.base_model {
        Some(reference) => {
            let found = resolve(&mut tx, reference).await?;
            if found.is_none() {
                errors.push(FieldError {
                    field: "provenance.base_model".into(),
                    message: format!("{reference:?} names no listing"),
                });
            }
            found
        }
        None => None,
    };
    let lifecycle = input.lifecycle.as_ref().map_or(LifecycleStatus::Preview, |l| l.status);
    if !matches!(lifecycle, LifecycleStatus::Preview | LifecycleStatus::Ga) {
        errors.push(FieldError {
            field: "lifecycle.status".into(),
            message: "a new listing starts as preview or ga".into(),
        });
    }
    let fields = ModelFields {
        slug: input.slug.clone(),
        publisher_id: publisher_id.unwrap_or_default(),
        name: input.name.trim().to_owned(),
        family: input.family.clone(),
        version: input.version.clone(),
        description: input.description.clone(),
        task: input.task.as_str().to_owned(),
        input_modalities: sorted_strings(&input.input_modalities),
        output_modalities: sorted_strings(&input.output_modalities),
        context_window: input.context_window,
        max_output_tokens: input.max_output_tokens,
        capabilities: sorted_strings(&input.capabilities),
        license: input.license.clone(),
        open_weights: input.open_weights,
        origin_country: input.provenance.origin_country.as_deref().map(str::to_ascii_uppercase),
        lineage: input.provenance.lineage.as_str().to_owned(),
        base_model_id,
        model_card_url: input.provenance.model_card_url.clone(),
        weights_digest: input.provenance.weights_digest.clone(),
        release_date: input.provenance.release_date,
        lifecycle_status: lifecycle.as_str().to_owned(),
        deprecation_date: None,
        retirement_date: None,
        successor_id: None,
        tags: sorted_strings(&input.tags),
    };
    errors.extend(check(&fields));
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    if models::id_by_slug(&mut tx, &fields.slug).await?.is_some() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("The slug {} is taken.", fields.slug),
        ));
    }
    if let Some(listing) = models::listing_of_alias(&mut tx, &fields.slug).await? {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("The slug {} is another spelling of {listing}.", fields.slug),
        ));
    }
    let row = models::insert(&mut tx, Uuid::now_v7(), &fields).await?;
    let actor = principal.acting(&request_id);
    AuditEntry::new(&actor, "model.created", "model", row.id)
        .after(&row.fields)
        .append(&mut tx)
        .await?;
    let (model, _, version) = view(&mut tx, row.id).await?;
    let body = serde_json::to_vec(&model).map_err(ApiError::internal)?;
    let location = format!("/v1/models/{}", row.id);
    super::idempotency::remember(&mut tx, key.as_deref(), &scope, CREATE_ROUTE, &location, &body).await?;
    tx.commit().await?;
    refresh(&state).await;
    let mut response = super::idempotency::created(&location, body);
    if let Ok(value) = header::HeaderValue::from_str(&etag(version)) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

pub(super) async fn refresh(state: &AppState) {
    if let Err(error) = state.catalog.refresh_if_stale(&state.pool).await {
        tracing::warn!(%error, "catalog reload after an admin change failed; the refresher will retry");
    }
}

fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::not_found(format!("Listing {text:?}")))
}

/// The members a listing merge patch sets to `null`: what it removes.
struct NullMembers(Vec<String>);

impl NullMembers {
    /// `null` members of the patch and of its `provenance` and `lifecycle`
    /// objects, as `provenance.release_date`.
    fn of(patch: &serde_json::Value) -> Self {
        let mut found = Vec::new();
        if let Some(members) = patch.as_object() {
            for (name, value) in members {
                match value {
                    serde_json::Value::Null => found.push(name.clone()),
                    serde_json::Value::Object(inner) if name == "provenance" || name == "lifecycle" => found.extend(
                        inner
                            .iter()
                            .filter(|(_, v)| v.is_null())
                            .map(|(member, _)| format!("{name}.{member}")),
                    ),
                    _ => {}
                }
            }
        }
        NullMembers(found)
    }

    /// Removes what can be removed; each other `null` is an error naming it.
    fn apply(&self, fields: &mut ModelFields) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for member in &self.0 {
            match member.as_str() {
                "family" => fields.family = None,
                "version" => fields.version = None,
                "context_window" => fields.context_window = None,
                "max_output_tokens" => fields.max_output_tokens = None,
                "capabilities" => fields.capabilities.clear(),
                "tags" => fields.tags.clear(),
                "provenance.origin_country" => fields.origin_country = None,
                "provenance.base_model" => fields.base_model_id = None,
                "provenance.model_card_url" => fields.model_card_url = None,
                "provenance.weights_digest" => fields.weights_digest = None,
                "provenance.release_date" => fields.release_date = None,
                "lifecycle.successor" => fields.successor_id = None,
                // A lifecycle change without dates keeps or defaults them.
                "lifecycle.deprecation_date" | "lifecycle.retirement_date" => {}
                other => errors.push(FieldError {
                    field: other.to_owned(),
                    message: "a listing must have it: it can be changed, not removed".into(),
                }),
            }
        }
        errors
    }
}

/// Change a listing.
///
/// A JSON Merge Patch (`application/merge-patch+json`; `application/json`
/// is read the same way). Needs `If-Match` with the listing's ETag (428 without, 412 when stale).
/// The lifecycle moves only preview → ga → deprecated → retired; any other
/// move is 409 naming the allowed ones.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "update_model",
    params(
        ("id" = Uuid, Path, description = "The listing"),
        ("If-Match" = String, Header, description = "The listing's ETag as last read")
    ),
    request_body(content = ModelPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed listing", body = Model,
         headers(("ETag" = String, description = "Its new version"))),
        (status = 404, description = "No such listing", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A lifecycle move the lifecycle does not allow", body = Problem,
         content_type = "application/problem+json"),
        (status = 412, description = "The listing changed since it was read", body = Problem,
         content_type = "application/problem+json"),
        (status = 400, description = "The patch is not a JSON object of the listing's members", body = Problem,
         content_type = "application/problem+json"),
        (status = 415, description = "Not sent as application/merge-patch+json (or application/json)", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or `null` for a value a listing must have", body = Problem,
         content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[patch("/v1/admin/models/{id}")]
pub async fn update_model(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    req: HttpRequest,
    request_id: RequestId,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let document = super::merge_patch::read(&req, &body)?;
    let patch: ModelPatch =
        serde_json::from_value(document.clone()).map_err(|error| crate::http::body_error(&error))?;
    let removed = NullMembers::of(&document);
    let expected = if_match(&req)?;
    let mut tx = state.pool.begin().await?;
    let current = models::lock(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The listing"))?;
    if expected.is_some_and(|v| v != current.row_version) {
        return Err(stale(current.row_version));
    }
    let before = current.fields.clone();
    let mut fields = current.fields.clone();
    let mut errors = removed.apply(&mut fields);
    if let Some(name) = &patch.name {
        fields.name = name.trim().to_owned();
    }
    if let Some(family) = &patch.family {
        fields.family = Some(family.clone());
    }
    if let Some(version) = &patch.version {
        fields.version = Some(version.clone());
    }
    if let Some(description) = &patch.description {
        fields.description = description.clone();
    }
    if let Some(modalities) = &patch.input_modalities {
        fields.input_modalities = sorted_strings(modalities);
    }
    if let Some(modalities) = &patch.output_modalities {
        fields.output_modalities = sorted_strings(modalities);
    }
    if let Some(context) = patch.context_window {
        fields.context_window = Some(context);
    }
    if let Some(max) = patch.max_output_tokens {
        fields.max_output_tokens = Some(max);
    }
    if let Some(capabilities) = &patch.capabilities {
        fields.capabilities = sorted_strings(capabilities);
    }
    if let Some(license) = &patch.license {
        fields.license = license.clone();
    }
    if let Some(open) = patch.open_weights {
        fields.open_weights = open;
    }
    if let Some(tags) = &patch.tags {
        fields.tags = sorted_strings(tags);
    }
    if let Some(provenance) = &patch.provenance {
        if let Some(country) = &provenance.origin_country {
            fields.origin_country = Some(country.to_ascii_uppercase());
        }
        if let Some(lineage) = provenance.lineage {
            fields.lineage = lineage.as_str().to_owned();
        }
        if let Some(reference) = &provenance.base_model {
            match resolve(&mut tx, reference).await? {
                Some(base) if base != id => fields.base_model_id = Some(base),
                _ => errors.push(FieldError {
                    field: "provenance.base_model".into(),
                    message: format!("{reference:?} names no other listing"),
                }),
            }
        }
        if provenance.model_card_url.is_some() {
            fields.model_card_url = provenance.model_card_url.clone();
        }
        if provenance.weights_digest.is_some() {
            fields.weights_digest = provenance.weights_digest.clone();
        }
        if provenance.release_date.is_some() {
            fields.release_date = provenance.release_date;
        }
    }
    let from = LifecycleStatus::try_from(current.fields.lifecycle_status.clone())
        .map_err(|unknown| ApiError::internal(std::io::Error::other(unknown)))?;
    let mut deprecated_now = false;
    if let Some(lifecycle) = &patch.lifecycle {
        let to = lifecycle.status;
        if !may_move(from, to) {
            return Err(lifecycle_conflict(from, to));
        }
        let today = Utc::now().date_naive();
        fields.lifecycle_status = to.as_str().to_owned();
        match to {
            LifecycleStatus::Deprecated => {
                fields.deprecation_date = lifecycle.deprecation_date.or(fields.deprecation_date).or(Some(today));
                deprecated_now = from != LifecycleStatus::Deprecated;
            }
            LifecycleStatus::Retired => {
                fields.retirement_date = lifecycle.retirement_date.or(fields.retirement_date).or(Some(today));
            }
            _ => {}
        }
        if lifecycle.retirement_date.is_some() {
            fields.retirement_date = lifecycle.retirement_date;
        }
        if let Some(reference) = &lifecycle.successor {
            match resolve(&mut tx, reference).await? {
                Some(successor) if successor != id => fields.successor_id = Some(successor),
                _ => errors.push(FieldError {
                    field: "lifecycle.successor".into(),
                    message: format!("{reference:?} names no other listing"),
                }),
            }
        }
    }
    errors.extend(check(&fields));
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    if fields == before {
        tx.rollback().await?;
        let mut conn = state.pool.acquire().await?;
        let (model, _, version) = view(&mut conn, id).await?;
        return Ok(HttpResponse::Ok()
            .insert_header((header::ETAG, etag(version)))
            .json(model));
    }
    let row = models::update(&mut tx, id, current.row_version, &fields)
        .await?
        .ok_or_else(|| stale(current.row_version))?;
    let actor = principal.acting(&request_id);
    AuditEntry::new(&actor, "model.updated", "model", id)
        .before(&before)
        .after(&row.fields)
        .append(&mut tx)
        .await?;
    if deprecated_now {
        // Every tenant hears of a deprecation; delivery is the outbox's job.
        crate::db::outbox::append(
            &mut tx,
            None,
            "model.deprecated",
            serde_json::json!({
                "model_id": id,
                "slug": row.fields.slug,
                "deprecation_date": row.fields.deprecation_date,
                "retirement_date": row.fields.retirement_date,
                "successor_id": row.fields.successor_id,
            }),
        )
        .await?;
    }
    let (model, _, version) = view(&mut tx, id).await?;
    tx.commit().await?;
    refresh(&state).await;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(model))
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorInput {
    #[schema(example = "Modelmart Cloud")]
    pub name: String,
    /// Headquarters, ISO 3166-1 alpha-2.
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceTierInput {
    #[serde(deserialize_with = "crate::whole::required")]
    pub min_context_tokens: i32,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceInput {
    pub dimension: PriceDimension,
    pub unit: PriceUnit,
    /// A non-negative decimal amount.
    #[schema(value_type = String, example = "0.55", pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub amount: Decimal,
    #[schema(example = "USD")]
    pub currency: String,
    pub tier: Option<PriceTierInput>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduledPriceInput {
    #[serde(flatten)]
    pub price: PriceInput,
    /// When the price takes effect; must be in the future.
    pub effective_from: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub region: String,
    pub deployment_type: DeploymentType,
    pub processing_scope: ProcessingScope,
    pub operator: OperatorInput,
    pub status: OfferStatus,
    /// The prices in force from now.
    pub prices: Vec<PriceInput>,
    /// Future prices; each takes over its component at `effective_from`.
    #[serde(default)]
    pub scheduled_prices: Vec<ScheduledPriceInput>,
}

/// The whole set of a listing's offers.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"offers": [{
    "region": "westeurope", "deployment_type": "serverless", "processing_scope": "regional",
    "operator": {"name": "Modelmart Cloud", "country": "US"}, "status": "available",
    "prices": [
        {"dimension": "input_tokens", "unit": "1M_tokens", "amount": "0.55", "currency": "USD"},
        {"dimension": "output_tokens", "unit": "1M_tokens", "amount": "2.19", "currency": "USD"}
    ],
    "scheduled_prices": [
        {"dimension": "input_tokens", "unit": "1M_tokens", "amount": "0.45", "currency": "USD",
         "effective_from": "2027-01-01T00:00:00Z"}
    ]
}]}))]
pub struct OffersInput {
    pub offers: Vec<OfferInput>,
}

fn price_spec(price: &PriceInput, field: &str, errors: &mut Vec<FieldError>) -> PriceSpec {
    if price.amount.is_sign_negative() || price.amount.scale() > 12 || price.amount > Decimal::from(1_000_000_000) {
        errors.push(FieldError {
            field: format!("{field}.amount"),
            message: "must be a non-negative amount with at most 12 decimals".into(),
        });
    }
    if price.currency.len() != 3 || !price.currency.chars().all(|c| c.is_ascii_uppercase()) {
        errors.push(FieldError {
            field: format!("{field}.currency"),
            message: "must be an ISO 4217 code such as USD".into(),
        });
    }
    if price.tier.as_ref().is_some_and(|t| t.min_context_tokens <= 0) {
        errors.push(FieldError {
            field: format!("{field}.tier.min_context_tokens"),
            message: "must be positive".into(),
        });
    }
    PriceSpec {
        dimension: price.dimension.as_str().to_owned(),
        unit: price.unit.as_str().to_owned(),
        tier_min_context_tokens: price.tier.as_ref().map(|t| t.min_context_tokens),
        amount: price.amount.normalize(),
        currency: price.currency.clone(),
    }
}

fn offer_specs(
    input: &OffersInput,
    known_region: impl Fn(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<OfferSpec>, ApiError> {
    let mut errors = Vec::new();
    let mut specs = Vec::new();
    let mut keys = std::collections::HashSet::new();
    if input.offers.len() > 500 {
        errors.push(FieldError {
            field: "offers".into(),
            message: "at most 500 offers".into(),
        });
    }
    for (i, offer) in input.offers.iter().enumerate() {
        let at = format!("offers[{i}]");
        if !known_region(&offer.region) {
            errors.push(FieldError {
                field: format!("{at}.region"),
                message: format!("{:?} is not a known region code", offer.region),
            });
        }
        let mut problems = Problems::default();
        problems.text(&format!("{at}.operator.name"), &offer.operator.name, 1, 200);
        errors.extend(problems.0.into_iter().map(|p| FieldError {
            field: p.field,
            message: p.message,
        }));
        let country = offer.operator.country.as_deref().map(str::to_ascii_uppercase);
        if country.as_deref().is_some_and(|c| parse_country(c).is_none()) {
            errors.push(FieldError {
                field: format!("{at}.operator.country"),
                message: "must be an ISO 3166-1 alpha-2 country code".into(),
            });
        }
        if !keys.insert((offer.region.clone(), offer.deployment_type, offer.operator.name.clone())) {
            errors.push(FieldError {
                field: at.clone(),
                message: "repeats the region, deployment type and operator of an earlier offer".into(),
            });
        }
        let mut components = std::collections::HashSet::new();
        let mut prices = Vec::new();
        for (j, price) in offer.prices.iter().enumerate() {
            let field = format!("{at}.prices[{j}]");
            let spec = price_spec(price, &field, &mut errors);
            if !components.insert((spec.dimension.clone(), spec.unit.clone(), spec.tier_min_context_tokens)) {
                errors.push(FieldError {
                    field,
                    message: "repeats a price component".into(),
                });
            }
            prices.push(spec);
        }
        let mut scheduled = Vec::new();
        let mut starts = std::collections::HashSet::new();
        for (j, price) in offer.scheduled_prices.iter().enumerate() {
            let field = format!("{at}.scheduled_prices[{j}]");
            if price.effective_from <= now {
                errors.push(FieldError {
                    field: format!("{field}.effective_from"),
                    message: "must be in the future".into(),
                });
            }
            let spec = price_spec(&price.price, &field, &mut errors);
            // One component cannot take two prices at one instant (however
            // the instant is written: offsets are compared in UTC).
            let component = (
                spec.dimension.clone(),
                spec.unit.clone(),
                spec.tier_min_context_tokens,
                price.effective_from,
            );
            if !starts.insert(component) {
                errors.push(FieldError {
                    field: format!("{field}.effective_from"),
                    message: "another scheduled price of this component starts at the same instant".into(),
                });
            }
            scheduled.push((price.effective_from, spec));
        }
        specs.push(OfferSpec {
            region: offer.region.clone(),
            deployment_type: offer.deployment_type.as_str().to_owned(),
            processing_scope: offer.processing_scope.as_str().to_owned(),
            operator_name: offer.operator.name.trim().to_owned(),
            operator_country: country,
            status: offer.status.as_str().to_owned(),
            prices,
            scheduled,
        });
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(ApiError::fields(ErrorCode::ValidationFailed, errors))
    }
}

/// Replace a listing's offers.
///
/// The body is the whole set. A changed price closes the period in force
/// and opens a new one now, so history is kept; `scheduled_prices` take over
/// at their `effective_from`; offers left out are marked unavailable. Needs
/// `If-Match` with the listing's ETag, which this bumps.
#[utoipa::path(
    tag = "catalog administration",
    operation_id = "replace_model_offers",
    params(
        ("id" = Uuid, Path, description = "The listing"),
        ("If-Match" = String, Header, description = "The listing's ETag as last read")
    ),
    request_body = OffersInput,
    responses(
        (status = 200, description = "The listing's offers now", body = ModelOfferList,
         headers(("ETag" = String, description = "The listing's new version"))),
        (status = 404, description = "No such listing", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The listing changed since it was read", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/admin/models/{id}/offers")]
pub async fn replace_model_offers(
    state: web::Data<AppState>,
    principal: Authorized<ManageCatalog>,
    req: HttpRequest,
    request_id: RequestId,
    id: web::Path<String>,
    body: web::Json<OffersInput>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let expected = if_match(&req)?;
    let now = Utc::now();
    let snapshot = state.catalog.current();
    let specs = offer_specs(&body, |code| snapshot.content.region(code).is_some(), now)?;
    let mut tx = state.pool.begin().await?;
    let current = models::lock(&mut tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The listing"))?;
    if expected.is_some_and(|v| v != current.row_version) {
        return Err(stale(current.row_version));
    }
    let (_, before, _) = view(&mut tx, id).await?;
    let outcome = offers::replace(&mut tx, id, &specs, now).await?;
    let changed = outcome.created + outcome.updated + outcome.withdrawn + outcome.repriced > 0;
    if changed {
        models::touch(&mut tx, id, current.row_version)
            .await?
            .ok_or_else(|| stale(current.row_version))?;
        let (_, after, _) = view(&mut tx, id).await?;
        let actor = principal.acting(&request_id);
        let summary = serde_json::to_string(&outcome).unwrap_or_default();
        if outcome.repriced > 0 {
            crate::db::outbox::append(
                &mut tx,
                None,
                "price.changed",
                serde_json::json!({ "model_id": id, "slug": current.fields.slug, "effective_from": now }),
            )
            .await?;
        }
        AuditEntry::new(&actor, "model.offers_replaced", "model", id)
            .before(&before)
            .after(&after)
            .reason(Some(&summary))
            .append(&mut tx)
            .await?;
    }
    let (_, offers_now, version) = view(&mut tx, id).await?;
    tx.commit().await?;
    refresh(&state).await;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(offers_now))
}
