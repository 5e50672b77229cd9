//! Compliance holds: `/v1/admin/holds` for compliance staff, and the public
//! notice tenants are pointed to (`/v1/holds/{id}/notice`).

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging;
use crate::auth::{Authorized, DiscoverCatalog, ManageHolds, ReadHolds};
use crate::catalog::Snapshot;
use crate::db::holds::{self, HoldRow, NewHold};
use crate::domain::country::parse_country;
use crate::domain::hold::{check_notice_url, HoldScope};
use crate::domain::vocab::{DeploymentType, EnablementStatus, HoldKind, HoldStatus};
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::holds::{transition, Transition, TransitionError};
use crate::http::{etag, if_match, stale, RequestId};
use crate::routes::enablements::EnablementOperator;
use crate::state::AppState;

const CREATE_ROUTE: &str = "POST /v1/admin/holds";
const MAX_SCOPE_ENTRIES: usize = 500;
const IMPACT_SAMPLE: usize = 100;

fn include_derivatives_by_default() -> bool {
    true
}

/// What is held, who serves it, where and for whom. Name at least one of
/// `models`, `publishers`, `origin_countries`, `operators`,
/// `operator_countries`. What is held: any listing matching `models`,
/// `publishers` or `origin_countries` and, with `include_derivatives`
/// (default), any listing derived from one through its base model,
/// transitively; naming none of the three holds every model its operators
/// serve. Served by: `operators` or `operator_countries`, empty meaning
/// whoever serves it. Empty `regions` and `jurisdictions` mean everywhere;
/// empty `tenants` everyone.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeInput {
    /// Listings, by id or slug.
    #[serde(default)]
    pub models: Vec<String>,
    /// Publisher slugs.
    #[serde(default)]
    pub publishers: Vec<String>,
    /// ISO 3166-1 alpha-2 countries of origin.
    #[serde(default)]
    pub origin_countries: Vec<String>,
    /// Whether listings derived from a held one (fine-tunes, distillations,
    /// quantizations, merges, at any depth) are held too. Default true.
    #[serde(default = "include_derivatives_by_default")]
    pub include_derivatives: bool,
    /// Operators (as offers name them) whose offers are held.
    #[serde(default)]
    pub operators: Vec<String>,
    /// ISO 3166-1 alpha-2 countries whose operators' offers are held.
    #[serde(default)]
    pub operator_countries: Vec<String>,
    #[serde(default)]
    pub regions: Vec<String>,
    /// ISO 3166-1 alpha-2 countries whose regions are covered.
    #[serde(default)]
    pub jurisdictions: Vec<String>,
    /// Tenants that exist (have called the API); others are refused.
    #[serde(default)]
    pub tenants: Vec<Uuid>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EffectsInput {
    /// Hide the model from discovery (and answer 451 when asked for).
    #[serde(default)]
    pub hide: bool,
    /// Refuse new enablements.
    #[serde(default)]
    pub block_new: bool,
    /// Suspend existing enablements (without it, existing users keep working).
    #[serde(default)]
    pub suspend_existing: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "export_control",
    "legal_basis": "Internal memo 2026-114: export-control review of model weights of CN origin.",
    "public_notice": "This model is not available in your jurisdiction under export-control rules.",
    "scope": {"models": ["deepseek/deepseek-r1"], "jurisdictions": ["US"]},
    "effects": {"hide": true, "block_new": true, "suspend_existing": true},
    "reason": "Counsel's advice of 2026-11-28"
}))]
pub struct HoldInput {
    pub kind: HoldKind,
    /// Internal: never shown to tenants.
    pub legal_basis: String,
    /// What tenants are told.
    pub public_notice: String,
    /// Where the public notice lives (the `blocked-by` link of 451 answers):
    /// an absolute https URL of at most 2048 characters, without spaces,
    /// control characters or any of `<>"\^`{|}`.
    #[schema(example = "https://trust.example.com/notices/2026-114", max_length = 2048)]
    pub public_notice_url: Option<String>,
    pub scope: ScopeInput,
    pub effects: EffectsInput,
    /// When the hold takes effect once approved (default: on approval).
    pub effective_at: Option<DateTime<Utc>>,
    /// When it ends by itself.
    pub expires_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

/// A hold's scope, named as a proposal names it (listings and publishers by
/// slug), so it can be proposed again as it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeView {
    /// Listings, by their slug.
    #[schema(example = json!(["deepseek/deepseek-r1"]))]
    pub models: Vec<String>,
    /// Publisher slugs.
    #[schema(example = json!(["deepseek"]))]
    pub publishers: Vec<String>,
    pub origin_countries: Vec<String>,
    pub include_derivatives: bool,
    pub operators: Vec<String>,
    pub operator_countries: Vec<String>,
    pub regions: Vec<String>,
    pub jurisdictions: Vec<String>,
    pub tenants: Vec<Uuid>,
}

/// A compliance hold, as compliance staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hold {
    pub id: Uuid,
    pub kind: HoldKind,
    pub status: HoldStatus,
    /// Whether its effects are in force: approved, activated (at approval
    /// or at `effective_at`) and not yet lifted or expired. Read with the
    /// hold, by the test the enablement decision applies.
    pub in_effect: bool,
    /// The hold's version: send it as `If-Match` to approve, reject or lift
    /// (also in the `ETag` header).
    #[schema(example = "\"3\"")]
    pub etag: String,
    pub legal_basis: String,
    pub public_notice: String,
    pub public_notice_url: Option<String>,
    pub scope: ScopeView,
    pub effects: EffectsInput,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// Why it was proposed (the proposal's `reason`).
    pub reason: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rejected_by: Option<String>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
    pub expired_at: Option<DateTime<Utc>>,
}

impl Hold {
    /// The hold as staff see it, its scope's listings and publishers named
    /// by their slugs in `snapshot` (a UUID only for one no longer there).
    pub fn of(row: &HoldRow, snapshot: &Snapshot) -> Self {
        let listing_slug = |id: &Uuid| {
            snapshot
                .find(&id.to_string())
                .map_or_else(|| id.to_string(), |listing| listing.slug.to_string())
        };
        let publisher_slug = |id: &Uuid| {
            snapshot
                .content
                .publishers
                .iter()
                .find(|publisher| publisher.id == *id)
                .map_or_else(|| id.to_string(), |publisher| publisher.slug.clone())
        };
        Hold {
            id: row.id,
            kind: row.kind,
            status: row.status,
            in_effect: row.in_effect,
            etag: etag(row.row_version),
            legal_basis: row.legal_basis.clone(),
            public_notice: row.public_notice.clone(),
            public_notice_url: row.public_notice_url.clone(),
            scope: ScopeView {
                models: row.scope_models.iter().map(listing_slug).collect(),
                publishers: row.scope_publishers.iter().map(publisher_slug).collect(),
                origin_countries: row.scope_origin_countries.clone(),
                include_derivatives: row.scope_include_derivatives,
                operators: row.scope_operators.clone(),
                operator_countries: row.scope_operator_countries.clone(),
                regions: row.scope_regions.clone(),
                jurisdictions: row.scope_jurisdictions.clone(),
                tenants: row.scope_tenants.clone(),
            },
            effects: EffectsInput {
                hide: row.effect_hide,
                block_new: row.effect_block_new,
                suspend_existing: row.effect_suspend_existing,
            },
            effective_at: row.effective_at,
            expires_at: row.expires_at,
            activated_at: row.activated_at,
            proposed_by: row.proposed_by.clone(),
            proposed_at: row.proposed_at,
            reason: row.proposal_reason.clone(),
            approved_by: row.approved_by.clone(),
            approved_at: row.approved_at,
            rejected_by: row.rejected_by.clone(),
            rejected_at: row.rejected_at,
            rejection_reason: row.rejection_reason.clone(),
            lifted_by: row.lifted_by.clone(),
            lifted_at: row.lifted_at,
            lift_reason: row.lift_reason.clone(),
            expired_at: row.expired_at,
        }
    }
}

/// Resolves a scope against the catalog, naming every bad entry. Tenants
/// are checked against the database by [`check_tenants`].
fn resolve_scope(input: &ScopeInput, snapshot: &Snapshot, errors: &mut Vec<FieldError>) -> HoldScope {
    let mut error = |field: String, message: String| errors.push(FieldError { field, message });
    let mut scope = HoldScope {
        include_derivatives: input.include_derivatives,
        tenants: input.tenants.clone(),
        ..HoldScope::default()
    };
    for (field, len) in [
        ("scope.models", input.models.len()),
        ("scope.publishers", input.publishers.len()),
        ("scope.origin_countries", input.origin_countries.len()),
        ("scope.operators", input.operators.len()),
        ("scope.operator_countries", input.operator_countries.len()),
        ("scope.regions", input.regions.len()),
        ("scope.jurisdictions", input.jurisdictions.len()),
        ("scope.tenants", input.tenants.len()),
    ] {
        if len > MAX_SCOPE_ENTRIES {
            error(field.into(), format!("at most {MAX_SCOPE_ENTRIES} entries"));
        }
    }
    for (i, model) in input.models.iter().enumerate() {
        match snapshot.find(model) {
            Some(listing) => scope.models.push(listing.id),
            None => error(format!("scope.models[{i}]"), format!("{model:?} names no listing")),
        }
    }
    for (i, slug) in input.publishers.iter().enumerate() {
        match snapshot
            .content
            .publishers
            .iter()
            .find(|p| p.slug == slug.to_ascii_lowercase())
        {
            Some(publisher) => scope.publishers.push(publisher.id),
            None => error(
                format!("scope.publishers[{i}]"),
                format!("{slug:?} is not a known publisher"),
            ),
        }
    }
    for (i, name) in input.operators.iter().enumerate() {
        match snapshot.content.operator_named(name) {
            Some(canonical) => scope.operators.push(canonical.to_owned()),
            None => error(
                format!("scope.operators[{i}]"),
                format!("{name:?} operates no offer in the catalog"),
            ),
        }
    }
    let mut countries = |field: &str, values: &[String], out: &mut Vec<String>| {
        for (i, value) in values.iter().enumerate() {
            match parse_country(value) {
                Some(code) => out.push(code.to_owned()),
                None => error(
                    format!("{field}[{i}]"),
                    format!("{value:?} is not an ISO 3166-1 alpha-2 country code"),
                ),
            }
        }
    };
    countries(
        "scope.origin_countries",
        &input.origin_countries,
        &mut scope.origin_countries,
    );
    countries(
        "scope.operator_countries",
        &input.operator_countries,
        &mut scope.operator_countries,
    );
    countries("scope.jurisdictions", &input.jurisdictions, &mut scope.jurisdictions);
    for (i, region) in input.regions.iter().enumerate() {
        if snapshot.content.region(region).is_some() {
            scope.regions.push(region.clone());
        } else {
            errors.push(FieldError {
                field: format!("scope.regions[{i}]"),
                message: format!("{region:?} is not a known region code"),
            });
        }
    }
    for list in [
        &mut scope.origin_countries,
        &mut scope.operators,
        &mut scope.operator_countries,
        &mut scope.regions,
        &mut scope.jurisdictions,
    ] {
        list.sort();
        list.dedup();
    }
    for list in [&mut scope.models, &mut scope.publishers, &mut scope.tenants] {
        list.sort();
        list.dedup();
    }
    if !scope.names_what() && !scope.names_operators() {
        errors.push(FieldError {
            field: "scope".into(),
            message: "name at least one of models, publishers, origin_countries, operators or operator_countries"
                .into(),
        });
    }
    scope
}

/// Refuses scope tenants that do not exist. Tenants come only from the
/// identity provider (a tenant's first token provisions it), so an id no
/// token has carried is a typo or a tenant of another system; storing it
/// would leave a hold that can never notify anyone, and an officer who
/// means to pre-empt a tenant's onboarding can scope by region instead.
async fn check_tenants(
    conn: &mut sqlx::PgConnection,
    tenants: &[Uuid],
    errors: &mut Vec<FieldError>,
) -> Result<(), ApiError> {
    if tenants.is_empty() {
        return Ok(());
    }
    let known = holds::existing_tenants(conn, tenants).await?;
    for (i, tenant) in tenants.iter().enumerate() {
        if !known.contains(tenant) {
            errors.push(FieldError {
                field: format!("scope.tenants[{i}]"),
                message: format!("{tenant} is not a tenant of this platform (tenants exist once they have signed in)"),
            });
        }
    }
    Ok(())
}

fn check_effects(effects: &EffectsInput, errors: &mut Vec<FieldError>) {
    if !(effects.hide || effects.block_new || effects.suspend_existing) {
        errors.push(FieldError {
            field: "effects".into(),
            message: "choose at least one of hide, block_new, suspend_existing".into(),
        });
    }
}

fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() || value.len() > max {
        errors.push(FieldError {
            field: field.into(),
            message: format!("must be 1 to {max} characters"),
        });
    }
}

/// Propose a compliance hold.
///
/// It does nothing until a different officer approves it. Honours
/// `Idempotency-Key`.
#[utoipa::path(
    tag = "compliance",
    operation_id = "create_hold",
    params(("Idempotency-Key" = Option<String>, Header, description = "A key making retries safe: 1 to 255 visible ASCII characters", pattern = "^[!-~]{1,255}$")),
    request_body = HoldInput,
    responses(
        (status = 201, description = "The proposed hold", body = Hold,
         headers(("Location" = String, description = "The hold's URL"),
                 ("ETag" = String, description = "The hold's version, for If-Match"))),
        (status = 422, description = "A field is invalid; `errors` names each", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/admin/holds")]
pub async fn create_hold(
    state: web::Data<AppState>,
    principal: Authorized<ManageHolds>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Json<HoldInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let key = super::idempotency::key(&req)?;
    let snapshot = state.catalog.current();
    let mut errors = Vec::new();
    let scope = resolve_scope(&input.scope, &snapshot, &mut errors);
    check_effects(&input.effects, &mut errors);
    text("legal_basis", &input.legal_basis, 10_000, &mut errors);
    text("public_notice", &input.public_notice, 2_000, &mut errors);
    if let Some(url) = &input.public_notice_url {
        if let Err(message) = check_notice_url(url) {
            errors.push(FieldError {
                field: "public_notice_url".into(),
                message: message.into(),
            });
        }
    }
    if let Some(reason) = &input.reason {
        text("reason", reason, 2_000, &mut errors);
    }
    let now = Utc::now();
    if input
        .expires_at
        .is_some_and(|expires| expires <= now || input.effective_at.is_some_and(|from| expires <= from))
    {
        errors.push(FieldError {
            field: "expires_at".into(),
            message: "must be in the future and after effective_at".into(),
        });
    }
    // By the input's positions, so each error names the entry sent.
    check_tenants(&mut *state.pool.acquire().await?, &input.scope.tenants, &mut errors).await?;
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    let actor = principal.actor();
    let mut tx = state.pool.begin().await?;
    if let Some(replay) = super::idempotency::claim(&mut tx, key.as_deref(), &actor, CREATE_ROUTE, &input).await? {
        return Ok(replay);
    }
    let proposal = NewHold {
        kind: input.kind,
        legal_basis: input.legal_basis.clone(),
        public_notice: input.public_notice.clone(),
        public_notice_url: input.public_notice_url.clone(),
        scope,
        hide: input.effects.hide,
        block_new: input.effects.block_new,
        suspend_existing: input.effects.suspend_existing,
        effective_at: input.effective_at,
        expires_at: input.expires_at,
        proposed_by: actor.clone(),
        reason: input.reason.clone(),
    };
    let row = crate::holds::propose(&mut tx, &principal.acting(&request_id), &proposal).await?;
    let view = Hold::of(&row, &snapshot);
    let body = serde_json::to_vec(&view).map_err(ApiError::internal)?;
    let location = format!("/v1/admin/holds/{}", row.id);
    super::idempotency::remember(&mut tx, key.as_deref(), &actor, CREATE_ROUTE, &location, &body).await?;
    tx.commit().await?;
    let mut response = super::idempotency::created(&location, body);
    if let Ok(value) = header::HeaderValue::from_str(&view.etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoldListParams {
    /// Only holds in this state.
    #[param(value_type = Option<HoldStatus>)]
    pub status: Option<String>,
    /// Only holds of this kind.
    #[param(value_type = Option<HoldKind>)]
    pub kind: Option<String>,
    /// Only holds whose effects are (`true`) or are not (`false`) in force.
    #[param(value_type = Option<bool>)]
    pub in_effect: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HoldList {
    pub items: Vec<Hold>,
    /// Every hold matching the filters, on every page.
    pub total: i64,
    pub next_cursor: Option<String>,
}

/// List compliance holds.
#[utoipa::path(
    tag = "compliance",
    operation_id = "list_holds",
    params(HoldListParams),
    responses(
        (status = 200, description = "A page of holds, oldest first", body = HoldList),
        (status = 400, description = "A parameter is invalid", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/holds")]
pub async fn list_holds(
    state: web::Data<AppState>,
    _principal: Authorized<ReadHolds>,
    params: web::Query<HoldListParams>,
) -> Result<HttpResponse, ApiError> {
    let status = match params.status.as_deref() {
        None => None,
        Some(s) => Some(HoldStatus::parse(s).ok_or_else(|| {
            ApiError::invalid_parameter("status", format!("expected one of {}", HoldStatus::expected()))
        })?),
    };
    let kind =
        match params.kind.as_deref() {
            None => None,
            Some(k) => Some(HoldKind::parse(k).ok_or_else(|| {
                ApiError::invalid_parameter("kind", format!("expected one of {}", HoldKind::expected()))
            })?),
        };
    let in_effect = match params.in_effect.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(ApiError::invalid_parameter("in_effect", "expected true or false")),
    };
    let filter = holds::HoldFilter {
        status,
        kind,
        in_effect,
    };
    let limit = paging::limit(params.limit.as_deref())?;
    let after = paging::decode_id(params.cursor.as_deref())?;
    let mut conn = state.pool.acquire().await?;
    let rows = holds::list(&mut conn, filter, after, limit + 1).await?;
    let total = holds::count(&mut conn, filter).await?;
    let (rows, next_cursor) = paging::page(rows, limit, |row| paging::encode_id(row.id));
    let snapshot = state.catalog.current();
    Ok(HttpResponse::Ok().json(HoldList {
        items: rows.iter().map(|row| Hold::of(row, &snapshot)).collect(),
        total,
        next_cursor,
    }))
}

fn parse_hold_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::not_found("The hold"))
}

/// Get one compliance hold.
#[utoipa::path(
    tag = "compliance",
    operation_id = "get_hold",
    params(("id" = Uuid, Path, description = "The hold")),
    responses(
        (status = 200, description = "The hold", body = Hold,
         headers(("ETag" = String, description = "The hold's version, for If-Match"))),
        (status = 404, description = "No such hold", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/holds/{id}")]
pub async fn get_hold(
    state: web::Data<AppState>,
    _principal: Authorized<ReadHolds>,
    req: actix_web::HttpRequest,
    routes: web::Data<crate::http::RouteTable>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    // `/v1/admin/holds/impact` is its own (POST-only) operation, not a hold
    // named "impact": other methods there are 405.
    if id.as_str() == "impact" {
        return Ok(crate::http::fallback(req, routes).await);
    }
    let id = parse_hold_id(&id)?;
    let mut conn = state.pool.acquire().await?;
    let row = holds::get(&mut conn, id)
        .await?
        .ok_or_else(|| ApiError::not_found("The hold"))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.row_version)))
        .json(Hold::of(&row, &state.catalog.current())))
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// Why; required to reject or lift.
    pub reason: Option<String>,
}

/// A hold after a decision, with the enablements the decision changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldDecision {
    pub hold: Hold,
    /// Enablements suspended (approval) or restored (lift).
    pub enablements_changed: usize,
}

/// Which decision an officer's route makes.
#[derive(Debug, Clone, Copy)]
enum Decision {
    Approve,
    Reject,
    Lift,
}

/// An officer's decision on a hold: checks the reason, then hands the state
/// change to `holds::transition` and maps its refusals to problems.
async fn decide(
    state: &AppState,
    req: &HttpRequest,
    principal: &crate::auth::Principal,
    request_id: &RequestId,
    id: Uuid,
    decision: Decision,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    if let Some(reason) = &reason {
        let mut errors = Vec::new();
        text("reason", reason, 2_000, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
        }
    }
    let required = || ApiError::validation("reason", "is required");
    let transition_to = match decision {
        Decision::Approve => Transition::Approve {
            reason: reason.as_deref(),
        },
        Decision::Reject => Transition::Reject {
            reason: reason.as_deref().ok_or_else(required)?,
        },
        Decision::Lift => Transition::Lift {
            reason: reason.as_deref().ok_or_else(required)?,
        },
    };
    let actor = principal.acting(request_id);
    let mut tx = state.pool.begin().await?;
    let outcome = transition(&mut tx, &actor, id, transition_to, expected)
        .await
        .map_err(|error| match error {
            TransitionError::NotFound => ApiError::not_found("The hold"),
            TransitionError::Stale { current } => stale(current),
            TransitionError::SelfApproval => ApiError::new(
                ErrorCode::SelfApprovalForbidden,
                "The officer who proposed a hold cannot approve it; another officer must.",
            ),
            TransitionError::WrongState { .. } | TransitionError::NotDue => ApiError::new(
                ErrorCode::InvalidHoldTransition,
                format!("{}.", capitalised(&error.to_string())),
            ),
            TransitionError::Database(error) => error.into(),
        })?;
    tx.commit().await?;
    if let Err(error) = state.catalog.refresh_if_stale(&state.pool).await {
        tracing::warn!(%error, "catalog reload after a hold decision failed; the refresher will retry");
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(outcome.hold.row_version)))
        .json(HoldDecision {
            hold: Hold::of(&outcome.hold, &state.catalog.current()),
            enablements_changed: outcome.enablements.len(),
        }))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

macro_rules! hold_decision {
    ($name:ident, $path:literal, $action:expr, $summary:literal, $doc:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $doc]
        #[utoipa::path(
            tag = "compliance",
            operation_id = stringify!($name),
            params(
                ("id" = Uuid, Path, description = "The hold"),
                ("If-Match" = String, Header, description = "The hold's ETag (from a GET, the list's `etag` or the last decision)")
            ),
            request_body(content = Option<DecisionInput>, description = "Optional: an empty body is no reason"),
            responses(
                (status = 200, description = "The hold after the decision", body = HoldDecision,
                 headers(("ETag" = String, description = "The hold's new version"))),
                (status = 403, description = "A role is missing; approving one's own proposal is refused as `self_approval_forbidden`",
                 body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such hold", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The hold is not in a state that allows this", body = Problem,
                 content_type = "application/problem+json"),
                (status = 412, description = "The hold changed since it was read (stale If-Match)", body = Problem,
                 content_type = "application/problem+json"),
                (status = 422, description = "The reason is missing or too long", body = Problem,
                 content_type = "application/problem+json"),
                (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json")
            ),
            security(("bearer" = []))
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            principal: Authorized<ManageHolds>,
            req: HttpRequest,
            request_id: RequestId,
            id: web::Path<String>,
            body: web::Bytes,
        ) -> Result<HttpResponse, ApiError> {
            let id = parse_hold_id(&id)?;
            let input: DecisionInput = super::optional_json(&req, &body)?;
            decide(&state, &req, &principal, &request_id, id, $action, input.reason).await
        }
    };
}

hold_decision!(
    approve_hold,
    "/v1/admin/holds/{id}/approve",
    Decision::Approve,
    "Approve a proposed hold.",
    "By an officer other than the proposer, with `If-Match` naming the version the officer reviewed (412 if the hold changed since). Unless `effective_at` is later, its effects start at once, in the same transaction: matching active enablements are suspended, each with an audit and an outbox event."
);
hold_decision!(
    reject_hold,
    "/v1/admin/holds/{id}/reject",
    Decision::Reject,
    "Reject a proposed hold.",
    "Needs a reason and `If-Match`."
);
hold_decision!(
    lift_hold,
    "/v1/admin/holds/{id}/lift",
    Decision::Lift,
    "Lift an active hold.",
    "Needs a reason and `If-Match`. Restores exactly the enablements this hold suspended that no other hold in effect still covers."
);

/// What to preview: a scope and effects. The body of a proposal
/// (`POST /v1/admin/holds`) is accepted as it is; its other fields are
/// checked for shape and otherwise not used.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpactInput {
    pub scope: ScopeInput,
    pub effects: EffectsInput,
    /// Not used by the preview.
    #[serde(default)]
    pub kind: Option<HoldKind>,
    /// Not used by the preview.
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// Not used by the preview.
    #[serde(default)]
    pub public_notice: Option<String>,
    /// Not used by the preview.
    #[serde(default)]
    pub public_notice_url: Option<String>,
    /// Not used by the preview (it shows the impact now).
    #[serde(default)]
    pub effective_at: Option<DateTime<Utc>>,
    /// Not used by the preview.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Not used by the preview.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A listing the scope covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct HiddenListing {
    pub id: Uuid,
    pub slug: String,
    /// The regions where the scope covers its offers.
    pub regions: Vec<String>,
    /// When the scope holds the listing only through its lineage: the
    /// nearest ancestor it names (by model, publisher or origin).
    #[schema(example = "deepseek/deepseek-r1")]
    pub derived_from: Option<String>,
}

/// An active enablement a hold would suspend, named as enablements are.
#[derive(Debug, Serialize, ToSchema)]
pub struct TouchedEnablement {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub model_id: Uuid,
    #[schema(example = "westeurope")]
    pub region: String,
    pub deployment_type: DeploymentType,
    /// Who serves it; null for an enablement made before operators were
    /// recorded whose offer is gone.
    pub operator: Option<EnablementOperator>,
    pub status: EnablementStatus,
    pub suspended_by_hold_id: Option<Uuid>,
}

impl From<&holds::TouchedEnablement> for TouchedEnablement {
    fn from(row: &holds::TouchedEnablement) -> Self {
        TouchedEnablement {
            tenant_id: row.tenant_id,
            id: row.id,
            model_id: row.model_id,
            region: row.region_code.clone(),
            deployment_type: row.deployment_type,
            operator: EnablementOperator::recorded(&row.operator_name, &row.operator_country),
            status: row.status,
            suspended_by_hold_id: row.suspended_by_hold_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactReport {
    /// Listings with at least one offer the scope covers (for every tenant,
    /// or for the named ones).
    pub listings_covered: usize,
    /// Of those, the listings covered only through their lineage
    /// (derivatives of what the scope names).
    pub derivatives_covered: usize,
    /// At most 100 of them.
    pub listings: Vec<HiddenListing>,
    /// Active enablements the hold would suspend (with `suspend_existing`).
    pub enablements_to_suspend: i64,
    pub tenants_affected: i64,
    /// At most 100 of them.
    pub enablements: Vec<TouchedEnablement>,
}

/// Preview a hold's impact.
///
/// What a scope and effects would hide and suspend, now, without changing
/// anything. The body of a proposal is accepted as it is.
#[utoipa::path(
    tag = "compliance",
    operation_id = "preview_hold_impact",
    request_body = ImpactInput,
    responses(
        (status = 200, description = "What the hold would touch", body = ImpactReport),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[post("/v1/admin/holds/impact")]
pub async fn preview_hold_impact(
    state: web::Data<AppState>,
    _principal: Authorized<ManageHolds>,
    body: web::Json<ImpactInput>,
) -> Result<HttpResponse, ApiError> {
    let snapshot = state.catalog.current();
    let mut errors = Vec::new();
    let scope = resolve_scope(&body.scope, &snapshot, &mut errors);
    check_effects(&body.effects, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    let report = impact(&state, &snapshot, &scope, body.effects.suspend_existing).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Preview the impact of a hold already proposed.
///
/// What the hold's scope and effects would hide and suspend if it took
/// effect now: what the second officer reviews before approving. For a
/// hold in effect, what it covers now.
#[utoipa::path(
    tag = "compliance",
    operation_id = "get_hold_impact",
    params(("id" = Uuid, Path, description = "The hold")),
    responses(
        (status = 200, description = "What the hold touches or would touch", body = ImpactReport,
         headers(("ETag" = String, description = "The version of the hold this impact is of"))),
        (status = 404, description = "No such hold", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/admin/holds/{id}/impact")]
pub async fn get_hold_impact(
    state: web::Data<AppState>,
    _principal: Authorized<ReadHolds>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_hold_id(&id)?;
    let row = {
        let mut conn = state.pool.acquire().await?;
        holds::get(&mut conn, id)
            .await?
            .ok_or_else(|| ApiError::not_found("The hold"))?
    };
    let snapshot = state.catalog.current();
    let report = impact(&state, &snapshot, &row.scope(), row.effect_suspend_existing).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.row_version)))
        .json(report))
}

/// What `scope` covers in the catalog now, and the enablements it would
/// suspend when `suspend_existing`.
async fn impact(
    state: &AppState,
    snapshot: &Snapshot,
    scope: &HoldScope,
    suspend_existing: bool,
) -> Result<ImpactReport, ApiError> {
    // For the listing count any tenant in scope will do: tenant scope only
    // narrows who, not what or where.
    let probe = scope.tenants.first().copied().unwrap_or_default();
    let mut listings = Vec::new();
    let (mut covered, mut derivatives) = (0, 0);
    for listing in &snapshot.content.listings {
        let covered_offers: Vec<&crate::catalog::snapshot::Offer> = listing
            .offers
            .iter()
            .filter(|offer| scope.covers(&listing.placement(Some(offer), probe)))
            .collect();
        let Some(first) = covered_offers.first() else {
            continue;
        };
        covered += 1;
        let derived_from = scope
            .held_through(&listing.placement(Some(first), probe))
            .map(|a| a.slug.clone());
        if derived_from.is_some() {
            derivatives += 1;
        }
        if listings.len() < IMPACT_SAMPLE {
            let mut regions: Vec<String> = covered_offers.iter().map(|o| o.region.to_string()).collect();
            regions.dedup();
            listings.push(HiddenListing {
                id: listing.id,
                slug: listing.slug.to_string(),
                regions,
                derived_from,
            });
        }
    }
    let mut conn = state.pool.acquire().await?;
    let (count, tenants, sample) = if suspend_existing {
        holds::enablements_in_scope(&mut conn, scope, IMPACT_SAMPLE as i64).await?
    } else {
        (0, 0, Vec::new())
    };
    Ok(ImpactReport {
        listings_covered: covered,
        derivatives_covered: derivatives,
        listings,
        enablements_to_suspend: count,
        tenants_affected: tenants,
        enablements: sample.iter().map(TouchedEnablement::from).collect(),
    })
}

/// A hold's public notice, as tenants are told it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HoldNotice {
    pub id: Uuid,
    pub kind: HoldKind,
    pub status: HoldStatus,
    pub public_notice: String,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Read a hold's public notice.
///
/// The `blocked-by` link of a 451 answer points here. Only holds that were
/// approved are visible; the internal legal basis never is.
#[utoipa::path(
    tag = "discovery",
    operation_id = "get_hold_notice",
    params(("id" = Uuid, Path, description = "The hold")),
    responses(
        (status = 200, description = "The public notice", body = HoldNotice),
        (status = 404, description = "No such notice", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/holds/{id}/notice")]
pub async fn get_hold_notice(
    state: web::Data<AppState>,
    _principal: Authorized<DiscoverCatalog>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_hold_id(&id)?;
    let mut conn = state.pool.acquire().await?;
    let row = holds::get(&mut conn, id)
        .await?
        .filter(|row| row.approved_by.is_some())
        .ok_or_else(|| ApiError::not_found("The notice"))?;
    Ok(HttpResponse::Ok().json(HoldNotice {
        id: row.id,
        kind: row.kind,
        status: row.status,
        public_notice: row.public_notice,
        effective_at: row.effective_at.or(row.activated_at),
        expires_at: row.expires_at,
    }))
}
