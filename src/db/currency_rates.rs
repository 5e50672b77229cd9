//! The USD rates other currencies are converted at (`currency_rates`).

use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::catalog_read::RateRow;

const COLUMNS: &str = "currency, usd_per_unit, updated_at, updated_by";

/// The rate for `currency`, locked until the caller's transaction ends.
pub async fn lock(conn: &mut PgConnection, currency: &str) -> Result<Option<RateRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM currency_rates WHERE currency = $1 FOR UPDATE"
    ))
    .bind(currency)
    .fetch_optional(conn)
    .await
}

/// Sets the rate for `currency`, recording who set it (shortened to what
/// the column holds).
pub async fn set(
    conn: &mut PgConnection,
    currency: &str,
    usd_per_unit: Decimal,
    by: &str,
) -> Result<RateRow, sqlx::Error> {
    let by: String = by.chars().take(200).collect();
    sqlx::query_as(&format!(
        "INSERT INTO currency_rates (currency, usd_per_unit, updated_by) VALUES ($1, $2, $3)
         ON CONFLICT (currency) DO UPDATE
             SET usd_per_unit = EXCLUDED.usd_per_unit, updated_by = EXCLUDED.updated_by, updated_at = now()
         RETURNING {COLUMNS}"
    ))
    .bind(currency)
    .bind(usd_per_unit)
    .bind(by)
    .fetch_one(conn)
    .await
}

/// Removes the rate for `currency`; returns it, or `None` when none was set.
pub async fn remove(conn: &mut PgConnection, currency: &str) -> Result<Option<RateRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "DELETE FROM currency_rates WHERE currency = $1 RETURNING {COLUMNS}"
    ))
    .bind(currency)
    .fetch_optional(conn)
    .await
}
