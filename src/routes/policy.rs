//! A tenant's guard rails: `GET|PUT|PATCH /v1/tenants/{tenant_id}/policy`.

use actix_web::http::header;
use actix_web::{get, patch, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{TenantAccess, TenantRead, TenantWrite};
use crate::db::audit::AuditEntry;
use crate::db::policies::{self, PolicyRow};
use crate::domain::country::parse_country;
use crate::domain::policy::TenantPolicy;
use crate::error::{ApiError, ErrorCode, FieldError, Problem};
use crate::http::{etag, if_match, stale, RequestId};
use crate::state::AppState;

/// The largest lists a policy may hold (as the schema's CHECKs allow).
const MAX_REGIONS: usize = 200;
const MAX_COUNTRIES: usize = 250;
const MAX_PUBLISHERS: usize = 500;
const MAX_LICENSES: usize = 200;

/// A tenant policy as sent with PUT: the whole policy; absent lists deny
/// nothing, absent allow-lists (or null) allow everything.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "allowed_regions": ["westeurope", "swedencentral"],
    "denied_origin_countries": ["CN"],
    "denied_operator_countries": ["CN"],
    "deny_unknown_operator_country": true,
    "denied_publishers": [],
    "allowed_licenses": null,
    "max_input_price_per_mtok": "5.00",
    "max_output_price_per_mtok": "20.00",
    "ga_only": true
}))]
pub struct PolicyInput {
    /// Region codes the tenant may use; null for any.
    #[serde(default)]
    pub allowed_regions: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 countries whose models are refused.
    #[serde(default)]
    pub denied_origin_countries: Vec<String>,
    /// ISO 3166-1 alpha-2 countries whose operators are refused.
    #[serde(default)]
    pub denied_operator_countries: Vec<String>,
    /// Refuse offers whose operator's country is not known (default false).
    #[serde(default)]
    pub deny_unknown_operator_country: bool,
    /// Publisher slugs that are refused.
    #[serde(default)]
    pub denied_publishers: Vec<String>,
    /// License ids that are accepted; null for any.
    #[serde(default)]
    pub allowed_licenses: Option<Vec<String>>,
    /// Ceiling on an offer's input price, USD per 1M tokens, as a decimal string.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "5.00", pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub max_input_price_per_mtok: Option<Decimal>,
    /// Ceiling on an offer's output price, USD per 1M tokens, as a decimal string.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "20.00", pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    pub max_output_price_per_mtok: Option<Decimal>,
    /// Only generally available listings.
    #[serde(default)]
    pub ga_only: bool,
    /// Output only: accepted, so a policy as read can be sent back, and
    /// ignored (AIP-203).
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<Uuid>, read_only)]
    pub tenant_id: Option<serde::de::IgnoredAny>,
    /// Output only: accepted and ignored.
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<String>, read_only)]
    pub currency: Option<serde::de::IgnoredAny>,
    /// Output only: accepted and ignored.
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<DateTime<Utc>>, read_only)]
    pub updated_at: Option<serde::de::IgnoredAny>,
    /// Output only: accepted and ignored.
    #[serde(default, skip_serializing)]
    #[schema(value_type = Option<String>, read_only)]
    pub updated_by: Option<serde::de::IgnoredAny>,
}

impl PolicyInput {
    /// The writable fields of a stored policy.
    fn of(row: &PolicyRow) -> Self {
        let policy = row.policy();
        PolicyInput {
            allowed_regions: policy.allowed_regions,
            denied_origin_countries: policy.denied_origin_countries,
            denied_operator_countries: policy.denied_operator_countries,
            deny_unknown_operator_country: policy.deny_unknown_operator_country,
            denied_publishers: policy.denied_publishers,
            allowed_licenses: policy.allowed_licenses,
            max_input_price_per_mtok: policy.max_input_price_per_mtok,
            max_output_price_per_mtok: policy.max_output_price_per_mtok,
            ga_only: policy.ga_only,
            ..PolicyInput::default()
        }
    }
}

// A merge patch is applied as JSON to the stored policy's `PolicyInput`;
// this says (in the document, and to the shape check before If-Match)
// what members it may name.
/// A JSON Merge Patch of a tenant policy: the rules to change. A member
/// set to `null` returns that rule to its default; members left out stay.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde's shape check only
#[schema(example = json!({"denied_origin_countries": ["CN", "RU"], "max_input_price_per_mtok": null}))]
pub struct PolicyPatch {
    allowed_regions: Option<Vec<String>>,
    denied_origin_countries: Option<Vec<String>>,
    denied_operator_countries: Option<Vec<String>>,
    deny_unknown_operator_country: Option<bool>,
    denied_publishers: Option<Vec<String>>,
    allowed_licenses: Option<Vec<String>>,
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    max_input_price_per_mtok: Option<Decimal>,
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{1,15}(\.[0-9]{1,12})?$")]
    max_output_price_per_mtok: Option<Decimal>,
    ga_only: Option<bool>,
}

/// A tenant policy, with who changed it last.
#[derive(Debug, Serialize, ToSchema)]
pub struct Policy {
    pub tenant_id: Uuid,
    pub allowed_regions: Option<Vec<String>>,
    pub denied_origin_countries: Vec<String>,
    pub denied_operator_countries: Vec<String>,
    pub deny_unknown_operator_country: bool,
    pub denied_publishers: Vec<String>,
    pub allowed_licenses: Option<Vec<String>>,
    #[schema(value_type = Option<String>, example = "5")]
    pub max_input_price_per_mtok: Option<Decimal>,
    #[schema(value_type = Option<String>, example = "20")]
    pub max_output_price_per_mtok: Option<Decimal>,
    /// Prices are compared in this currency.
    #[schema(example = "USD")]
    pub currency: &'static str,
    pub ga_only: bool,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl From<&PolicyRow> for Policy {
    fn from(row: &PolicyRow) -> Self {
        let policy = row.policy();
        Policy {
            tenant_id: row.tenant_id,
            allowed_regions: policy.allowed_regions,
            denied_origin_countries: policy.denied_origin_countries,
            denied_operator_countries: policy.denied_operator_countries,
            deny_unknown_operator_country: policy.deny_unknown_operator_country,
            denied_publishers: policy.denied_publishers,
            allowed_licenses: policy.allowed_licenses,
            max_input_price_per_mtok: policy.max_input_price_per_mtok,
            max_output_price_per_mtok: policy.max_output_price_per_mtok,
            currency: "USD",
            ga_only: policy.ga_only,
            updated_at: row.updated_at,
            updated_by: row.updated_by.clone(),
        }
    }
}

fn respond(row: &PolicyRow) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(row.row_version)))
        .json(Policy::from(row))
}

/// Checks every field, naming each bad one, and returns the canonical policy
/// (country codes upper-case, slugs lower-case, repeats removed).
fn validate(input: PolicyInput, known_region: impl Fn(&str) -> bool) -> Result<TenantPolicy, ApiError> {
    let mut errors = Vec::new();
    let mut error = |field: String, message: String| errors.push(FieldError { field, message });
    let mut check_len = |field: &str, len: usize, max: usize| {
        if len > max {
            error(field.to_owned(), format!("at most {max} entries"));
        }
    };
    if let Some(regions) = &input.allowed_regions {
        check_len("allowed_regions", regions.len(), MAX_REGIONS);
    }
    check_len(
        "denied_origin_countries",
        input.denied_origin_countries.len(),
        MAX_COUNTRIES,
    );
    check_len(
        "denied_operator_countries",
        input.denied_operator_countries.len(),
        MAX_COUNTRIES,
    );
    check_len("denied_publishers", input.denied_publishers.len(), MAX_PUBLISHERS);
    if let Some(licenses) = &input.allowed_licenses {
        check_len("allowed_licenses", licenses.len(), MAX_LICENSES);
    }

    let mut countries = |field: &str, values: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        for (index, value) in values.iter().enumerate() {
            match parse_country(value) {
                Some(code) => out.push(code.to_owned()),
                None => error(
                    format!("{field}[{index}]"),
                    format!("{value:?} is not an ISO 3166-1 alpha-2 country code"),
                ),
            }
        }
        out.sort();
        out.dedup();
        out
    };
    let denied_origin_countries = countries("denied_origin_countries", &input.denied_origin_countries);
    let denied_operator_countries = countries("denied_operator_countries", &input.denied_operator_countries);

    let mut allowed_regions = None;
    if let Some(regions) = &input.allowed_regions {
        let mut out = Vec::new();
        for (index, region) in regions.iter().enumerate() {
            if known_region(region) {
                out.push(region.clone());
            } else {
                error(
                    format!("allowed_regions[{index}]"),
                    format!("{region:?} is not a known region code"),
                );
            }
        }
        out.sort();
        out.dedup();
        allowed_regions = Some(out);
    }
    let identifier = |value: &str| {
        !value.is_empty()
            && value.len() <= 80
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
    };
    let mut denied_publishers = Vec::new();
    for (index, publisher) in input.denied_publishers.iter().enumerate() {
        if identifier(publisher) {
            denied_publishers.push(publisher.to_ascii_lowercase());
        } else {
            error(
                format!("denied_publishers[{index}]"),
                format!("{publisher:?} is not a publisher slug"),
            );
        }
    }
    denied_publishers.sort();
    denied_publishers.dedup();
    let mut allowed_licenses = None;
    if let Some(licenses) = &input.allowed_licenses {
        let mut out = Vec::new();
        for (index, license) in licenses.iter().enumerate() {
            if identifier(license) {
                out.push(license.clone());
            } else {
                error(
                    format!("allowed_licenses[{index}]"),
                    format!("{license:?} is not a license id"),
                );
            }
        }
        out.dedup();
        allowed_licenses = Some(out);
    }
    for (field, price) in [
        ("max_input_price_per_mtok", input.max_input_price_per_mtok),
        ("max_output_price_per_mtok", input.max_output_price_per_mtok),
    ] {
        if let Some(price) = price {
            if price.is_sign_negative() || price.scale() > 12 || price > Decimal::from(1_000_000_000) {
                error(
                    field.to_owned(),
                    "must be a non-negative amount with at most 12 decimals".into(),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::fields(ErrorCode::ValidationFailed, errors));
    }
    Ok(TenantPolicy {
        allowed_regions,
        denied_origin_countries,
        denied_operator_countries,
        deny_unknown_operator_country: input.deny_unknown_operator_country,
        denied_publishers,
        allowed_licenses,
        max_input_price_per_mtok: input.max_input_price_per_mtok.map(|d| d.normalize()),
        max_output_price_per_mtok: input.max_output_price_per_mtok.map(|d| d.normalize()),
        ga_only: input.ga_only,
    })
}

/// Get a tenant's policy.
///
/// The response's `ETag` is what a `PUT` must send as `If-Match`.
#[utoipa::path(
    tag = "tenants",
    operation_id = "get_tenant_policy",
    params(("tenant_id" = Uuid, Path, description = "The tenant")),
    responses(
        (status = 200, description = "The policy", body = Policy,
         headers(("ETag" = String, description = "The policy's version, for If-Match"))),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[get("/v1/tenants/{tenant_id}/policy")]
pub async fn get_tenant_policy(
    state: web::Data<AppState>,
    access: TenantAccess<TenantRead>,
) -> Result<HttpResponse, ApiError> {
    let row = policies::get(&state.pool, access.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant's policy"))?;
    Ok(respond(&row))
}

/// Replace a tenant's policy.
///
/// Needs `If-Match` with the policy's current ETag: 428 without it, 412 when
/// it is stale (and nothing changes). Unknown region or country codes are
/// 422 naming the field. Takes effect in discovery and enablement at once.
/// The policy as read (GET) can be sent back as it is: its output-only
/// fields (`tenant_id`, `currency`, `updated_at`, `updated_by`) are ignored.
#[utoipa::path(
    tag = "tenants",
    operation_id = "replace_tenant_policy",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("If-Match" = String, Header, description = "The ETag of the policy as last read")
    ),
    request_body = PolicyInput,
    responses(
        (status = 200, description = "The new policy", body = Policy,
         headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 412, description = "The policy changed since it was read", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names each", body = Problem,
         content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[put("/v1/tenants/{tenant_id}/policy")]
pub async fn replace_tenant_policy(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Json<PolicyInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    write_policy(&state, &access, &req, &request_id, "tenant_policy.replaced", |_| {
        Ok(input)
    })
    .await
}

/// Change some of a tenant's rules.
///
/// A JSON Merge Patch (RFC 7396, `Content-Type: application/merge-patch+json`)
/// of the policy: the members sent replace the current ones, `null` resets a
/// rule to its default (an allow-list to "any", a deny-list to empty, a
/// ceiling to none), and every other rule stays as it is. Needs `If-Match`
/// like PUT, and is checked like it.
#[utoipa::path(
    tag = "tenants",
    operation_id = "patch_tenant_policy",
    params(
        ("tenant_id" = Uuid, Path, description = "The tenant"),
        ("If-Match" = String, Header, description = "The ETag of the policy as last read")
    ),
    request_body(content = PolicyPatch, content_type = "application/merge-patch+json",
                 description = "The rules to change, as members of the policy"),
    responses(
        (status = 200, description = "The new policy", body = Policy,
         headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "The patch is not a JSON object of the policy's members", body = Problem,
         content_type = "application/problem+json"),
        (status = 404, description = "No such tenant visible to this principal", body = Problem,
         content_type = "application/problem+json"),
        (status = 412, description = "The policy changed since it was read", body = Problem,
         content_type = "application/problem+json"),
        (status = 415, description = "Not sent as application/merge-patch+json (or application/json)", body = Problem,
         content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid; `errors` names each", body = Problem,
         content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json")
    ),
    security(("bearer" = []))
)]
#[patch("/v1/tenants/{tenant_id}/policy")]
pub async fn patch_tenant_policy(
    state: web::Data<AppState>,
    access: TenantAccess<TenantWrite>,
    req: HttpRequest,
    request_id: RequestId,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let patch = super::merge_patch::read(&req, &body)?;
    // The patch's shape first, as PUT's body is: a member the policy does
    // not have, or of the wrong type, is 400 whatever the If-Match says.
    serde_json::from_value::<PolicyPatch>(patch.clone()).map_err(|error| crate::http::body_error(&error))?;
    write_policy(&state, &access, &req, &request_id, "tenant_policy.patched", |before| {
        let mut document = serde_json::to_value(PolicyInput::of(before)).map_err(ApiError::internal)?;
        super::merge_patch::apply(&mut document, &patch);
        serde_json::from_value(document).map_err(|error| crate::http::body_error(&error))
    })
    .await
}

/// Writes the policy `make` builds from the current one, under `If-Match`,
/// audited as `action`.
async fn write_policy(
    state: &AppState,
    access: &TenantAccess<TenantWrite>,
    req: &HttpRequest,
    request_id: &RequestId,
    action: &str,
    make: impl FnOnce(&PolicyRow) -> Result<PolicyInput, ApiError>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(req)?;
    let snapshot = state.catalog.current();

    let mut tx = state.pool.begin().await?;
    let before = policies::get_for_update(&mut tx, access.tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant's policy"))?;
    if expected.is_some_and(|version| version != before.row_version) {
        return Err(stale(before.row_version));
    }
    let policy = validate(make(&before)?, |code| snapshot.content.region(code).is_some())?;
    if policy == before.policy() {
        // Nothing changes: no new version, nothing to audit.
        return Ok(respond(&before));
    }
    let actor = access.acting(request_id);
    let after = policies::replace(&mut tx, access.tenant_id, expected, &policy, &actor.name)
        .await?
        .ok_or_else(|| stale(before.row_version))?;
    AuditEntry::new(&actor, action, "tenant_policy", access.tenant_id)
        .tenant(access.tenant_id)
        .before(Policy::from(&before))
        .after(Policy::from(&after))
        .append(&mut tx)
        .await?;
    tx.commit().await?;
    // Read-your-writes: this server's discovery applies the new policy now.
    if let Err(error) = state.catalog.refresh_if_stale(&state.pool).await {
        tracing::warn!(%error, "catalog reload after a policy change failed; the refresher will retry");
    }
    Ok(respond(&after))
}
