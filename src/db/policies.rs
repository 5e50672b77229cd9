//! Tenant policies: read, and replaced under optimistic concurrency.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::policy::TenantPolicy;

#[derive(Debug, Clone, FromRow)]
pub struct PolicyRow {
    pub tenant_id: Uuid,
    pub allowed_regions: Option<Vec<String>>,
    pub denied_origin_countries: Vec<String>,
    pub denied_operator_countries: Vec<String>,
    pub deny_unknown_operator_country: bool,
    pub denied_publishers: Vec<String>,
    pub allowed_licenses: Option<Vec<String>>,
    pub max_input_price_per_mtok: Option<Decimal>,
    pub max_output_price_per_mtok: Option<Decimal>,
    pub ga_only: bool,
    pub row_version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl PolicyRow {
    pub fn policy(&self) -> TenantPolicy {
        TenantPolicy {
            allowed_regions: self.allowed_regions.clone(),
            denied_origin_countries: self.denied_origin_countries.clone(),
            denied_operator_countries: self.denied_operator_countries.clone(),
            deny_unknown_operator_country: self.deny_unknown_operator_country,
            denied_publishers: self.denied_publishers.clone(),
            allowed_licenses: self.allowed_licenses.clone(),
            max_input_price_per_mtok: self.max_input_price_per_mtok.map(|d| d.normalize()),
            max_output_price_per_mtok: self.max_output_price_per_mtok.map(|d| d.normalize()),
            ga_only: self.ga_only,
        }
    }
}

const COLUMNS: &str = "tenant_id, allowed_regions, denied_origin_countries, denied_operator_countries,
    deny_unknown_operator_country, denied_publishers, allowed_licenses, max_input_price_per_mtok, max_output_price_per_mtok, ga_only,
    row_version, updated_at, updated_by";

pub async fn get(pool: &PgPool, tenant_id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenant_policies WHERE tenant_id = $1"))
        .bind(tenant_id)
        .fetch_optional(pool)
        .await
}

/// The policy row, share-locked until the transaction ends, so a concurrent
/// policy change waits for a decision made under the old one to commit.
pub async fn get_for_decision(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tenant_policies WHERE tenant_id = $1 FOR SHARE"
    ))
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

/// The policy row, locked for the caller's update.
pub async fn get_for_update(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tenant_policies WHERE tenant_id = $1 FOR UPDATE"
    ))
    .bind(tenant_id)
    .fetch_optional(conn)
    .await
}

pub async fn all(conn: &mut PgConnection) -> Result<Vec<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM tenant_policies"))
        .fetch_all(conn)
        .await
}

/// Replaces the policy when its row version is still `expected_version`;
/// `None` when it has moved on (or the tenant has no policy).
pub async fn replace(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    expected_version: Option<i64>,
    policy: &TenantPolicy,
    actor: &str,
) -> Result<Option<PolicyRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE tenant_policies SET allowed_regions = $3, denied_origin_countries = $4,
                denied_operator_countries = $5, denied_publishers = $6, allowed_licenses = $7,
                max_input_price_per_mtok = $8, max_output_price_per_mtok = $9, ga_only = $10,
                deny_unknown_operator_country = $12,
                row_version = row_version + 1, updated_at = now(), updated_by = $11
         WHERE tenant_id = $1 AND ($2::bigint IS NULL OR row_version = $2)
         RETURNING {COLUMNS}"
    ))
    .bind(tenant_id)
    .bind(expected_version)
    .bind(&policy.allowed_regions)
    .bind(&policy.denied_origin_countries)
    .bind(&policy.denied_operator_countries)
    .bind(&policy.denied_publishers)
    .bind(&policy.allowed_licenses)
    .bind(policy.max_input_price_per_mtok)
    .bind(policy.max_output_price_per_mtok)
    .bind(policy.ga_only)
    .bind(actor)
    .bind(policy.deny_unknown_operator_country)
    .fetch_optional(conn)
    .await
}
