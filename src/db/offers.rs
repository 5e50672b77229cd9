//! A listing's offers as catalog staff set them: the whole set at once, with
//! effective-dated prices. A price change closes the period in force and
//! opens a new one at the same instant; scheduled prices open later ones; an
//! offer left out of the set is marked unavailable, never deleted, so its
//! price history stays.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{FromRow, PgConnection, PgPool};
use uuid::Uuid;

use super::catalog_read::PriceRow;

/// One price component as staff send it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PriceSpec {
    pub dimension: String,
    pub unit: String,
    pub tier_min_context_tokens: Option<i32>,
    pub amount: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone)]
pub struct OfferSpec {
    pub region: String,
    pub deployment_type: String,
    pub processing_scope: String,
    pub operator_name: String,
    pub operator_country: Option<String>,
    pub status: String,
    /// In force from now.
    pub prices: Vec<PriceSpec>,
    /// Each in force from its instant (after now) on.
    pub scheduled: Vec<(DateTime<Utc>, PriceSpec)>,
}

#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ReplaceOutcome {
    pub created: u64,
    pub updated: u64,
    pub withdrawn: u64,
    pub repriced: u64,
}

#[derive(Debug, FromRow)]
struct ExistingOffer {
    id: Uuid,
    region_code: String,
    deployment_type: String,
    processing_scope: String,
    operator_name: String,
    operator_country: Option<String>,
    status: String,
}

/// A stored price period as the comparison needs it.
#[derive(FromRow)]
struct StoredPrice {
    effective_from: DateTime<Utc>,
    dimension: String,
    unit: String,
    tier_min_context_tokens: Option<i32>,
    amount: Decimal,
    currency: String,
}

impl StoredPrice {
    fn spec(self) -> PriceSpec {
        PriceSpec {
            dimension: self.dimension,
            unit: self.unit,
            tier_min_context_tokens: self.tier_min_context_tokens,
            amount: self.amount.normalize(),
            currency: self.currency,
        }
    }
}

async fn stored_prices(
    conn: &mut PgConnection,
    offer: Uuid,
    sql_filter: &str,
    now: DateTime<Utc>,
) -> Result<Vec<StoredPrice>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT effective_from, dimension, unit, tier_min_context_tokens, amount, currency FROM offer_prices
         WHERE offer_id = $1 AND {sql_filter}"
    ))
    .bind(offer)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// The components in force at `now`.
async fn current_prices(
    conn: &mut PgConnection,
    offer: Uuid,
    now: DateTime<Utc>,
) -> Result<BTreeSet<PriceSpec>, sqlx::Error> {
    let rows = stored_prices(
        conn,
        offer,
        "effective_from <= $2 AND (effective_to IS NULL OR effective_to > $2)",
        now,
    )
    .await?;
    Ok(rows.into_iter().map(StoredPrice::spec).collect())
}

/// The periods that start after `now`.
async fn scheduled_prices(
    conn: &mut PgConnection,
    offer: Uuid,
    now: DateTime<Utc>,
) -> Result<BTreeSet<(DateTime<Utc>, PriceSpec)>, sqlx::Error> {
    let rows = stored_prices(conn, offer, "effective_from > $2", now).await?;
    Ok(rows.into_iter().map(|row| (row.effective_from, row.spec())).collect())
}

async fn insert_price(
    conn: &mut PgConnection,
    offer: Uuid,
    price: &PriceSpec,
    from: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO offer_prices (id, offer_id, dimension, unit, amount, currency, tier_min_context_tokens,
                                   effective_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(offer)
    .bind(&price.dimension)
    .bind(&price.unit)
    .bind(price.amount)
    .bind(&price.currency)
    .bind(price.tier_min_context_tokens)
    .bind(from)
    .execute(conn)
    .await?;
    Ok(())
}

/// Closes the open period of `price`'s component at `at`.
async fn close_component(
    conn: &mut PgConnection,
    offer: Uuid,
    price: &PriceSpec,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE offer_prices SET effective_to = $5
         WHERE offer_id = $1 AND dimension = $2 AND unit = $3
           AND tier_min_context_tokens IS NOT DISTINCT FROM $4
           AND effective_from < $5 AND (effective_to IS NULL OR effective_to > $5)",
    )
    .bind(offer)
    .bind(&price.dimension)
    .bind(&price.unit)
    .bind(price.tier_min_context_tokens)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces `model`'s offers with `specs` in the caller's transaction.
pub async fn replace(
    conn: &mut PgConnection,
    model: Uuid,
    specs: &[OfferSpec],
    now: DateTime<Utc>,
) -> Result<ReplaceOutcome, sqlx::Error> {
    let existing: Vec<ExistingOffer> = sqlx::query_as(
        "SELECT id, region_code, deployment_type, processing_scope, operator_name, operator_country, status
         FROM offers WHERE model_id = $1 FOR UPDATE",
    )
    .bind(model)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_key: HashMap<(String, String, String), ExistingOffer> = existing
        .into_iter()
        .map(|o| {
            (
                (
                    o.region_code.clone(),
                    o.deployment_type.clone(),
                    o.operator_name.clone(),
                ),
                o,
            )
        })
        .collect();
    let mut outcome = ReplaceOutcome::default();

    for spec in specs {
        let key = (
            spec.region.clone(),
            spec.deployment_type.clone(),
            spec.operator_name.clone(),
        );
        let offer_id = match by_key.remove(&key) {
            Some(old) => {
                let changed = old.processing_scope != spec.processing_scope
                    || old.operator_country != spec.operator_country
                    || old.status != spec.status;
                if changed {
                    sqlx::query(
                        "UPDATE offers SET processing_scope = $2, operator_country = $3, status = $4,
                                row_version = row_version + 1, updated_at = now()
                         WHERE id = $1",
                    )
                    .bind(old.id)
                    .bind(&spec.processing_scope)
                    .bind(&spec.operator_country)
                    .bind(&spec.status)
                    .execute(&mut *conn)
                    .await?;
                    outcome.updated += 1;
                }
                old.id
            }
            None => {
                let id = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO offers (id, model_id, region_code, deployment_type, processing_scope, operator_name,
                                         operator_country, status)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id)
                .bind(model)
                .bind(&spec.region)
                .bind(&spec.deployment_type)
                .bind(&spec.processing_scope)
                .bind(&spec.operator_name)
                .bind(&spec.operator_country)
                .bind(&spec.status)
                .execute(&mut *conn)
                .await?;
                outcome.created += 1;
                id
            }
        };

        let wanted: BTreeSet<PriceSpec> = spec.prices.iter().cloned().collect();
        let current = current_prices(conn, offer_id, now).await?;
        let wanted_schedule: BTreeSet<(DateTime<Utc>, PriceSpec)> = spec.scheduled.iter().cloned().collect();
        let schedule = scheduled_prices(conn, offer_id, now).await?;
        let reprice = wanted != current;
        // A new current price is open-ended until the schedule takes over, so
        // a repriced offer has its (unchanged) schedule laid again after it.
        let reschedule = wanted_schedule != schedule || (reprice && !schedule.is_empty());
        let repriced = reprice || reschedule;
        if reschedule {
            // The schedule is replaced whole: periods that had not started go,
            // and what they had closed is open again.
            sqlx::query("DELETE FROM offer_prices WHERE offer_id = $1 AND effective_from > $2")
                .bind(offer_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
            sqlx::query("UPDATE offer_prices SET effective_to = NULL WHERE offer_id = $1 AND effective_to > $2")
                .bind(offer_id)
                .bind(now)
                .execute(&mut *conn)
                .await?;
        }
        if reprice {
            sqlx::query(
                "UPDATE offer_prices SET effective_to = $2
                 WHERE offer_id = $1 AND effective_from <= $2 AND (effective_to IS NULL OR effective_to > $2)",
            )
            .bind(offer_id)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            for price in &wanted {
                insert_price(conn, offer_id, price, now).await?;
            }
        }
        if reschedule {
            for (from, price) in &wanted_schedule {
                close_component(conn, offer_id, price, *from).await?;
                insert_price(conn, offer_id, price, *from).await?;
            }
        }
        if repriced {
            outcome.repriced += 1;
        }
    }

    // Offers not in the new set are withdrawn, keeping their history.
    for old in by_key.into_values() {
        if old.status != "unavailable" && old.status != "withdrawn" {
            sqlx::query(
                "UPDATE offers SET status = 'unavailable', row_version = row_version + 1, updated_at = now()
                 WHERE id = $1",
            )
            .bind(old.id)
            .execute(&mut *conn)
            .await?;
            outcome.withdrawn += 1;
        }
    }
    Ok(outcome)
}

/// Every price period of `model`'s offers in force at `at` or later.
pub async fn prices_from(pool: &PgPool, model: Uuid, at: DateTime<Utc>) -> Result<Vec<PriceRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.offer_id, p.dimension, p.unit, p.amount, p.currency, p.tier_min_context_tokens,
                p.effective_from, p.effective_to
         FROM offer_prices p JOIN offers o ON o.id = p.offer_id
         WHERE o.model_id = $1 AND (p.effective_to IS NULL OR p.effective_to > $2)
         ORDER BY p.effective_from",
    )
    .bind(model)
    .bind(at)
    .fetch_all(pool)
    .await
}
