//! Database access: plain async functions over a connection or transaction,
//! with typed rows. No repository traits: tests use the real database.

pub mod audit;
pub mod audit_hash;
pub mod catalog_read;
pub mod catalog_write;
pub mod currency_rates;
pub mod enablement_gate;
pub mod enablement_writer;
pub mod enablements;
pub mod holds;
pub mod idempotency;
pub mod import_entries;
pub mod models;
pub mod offers;
pub mod outbox;
pub mod policies;
pub mod reference;
pub mod row_values;
pub mod tenants;
pub mod webhooks;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;

use crate::config::DatabaseSettings;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A pool whose connections carry short statement and lock timeouts, so a
/// stuck query or a held lock turns into a quick 503 instead of a hung request.
pub async fn connect(url: &str, settings: &DatabaseSettings) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?
        .application_name("modelmart")
        .options([
            ("statement_timeout", settings.statement_timeout.as_millis().to_string()),
            ("lock_timeout", settings.lock_timeout.as_millis().to_string()),
            ("idle_in_transaction_session_timeout", "60000".to_string()),
            ("timezone", "UTC".to_string()),
        ])
        .log_statements(tracing::log::LevelFilter::Trace);
    PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        // A connection back from a request moments ago is used as it is; one
        // that sat idle longer (when a restarted or failed-over server, or an
        // idle cut on the way, may have closed it) is pinged first and
        // replaced if it does not answer. Pinging on every acquire, the
        // default, cost each request a round trip to PostgreSQL.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_AFTER_IDLE {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
}

/// How long a pooled connection may sit idle before it is pinged on its
/// next acquire.
const PING_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Applies pending migrations and refreshes the reference data they rely on.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::Error> {
    MIGRATOR.run(pool).await?;
    reference::sync_regions(pool).await?;
    Ok(())
}

/// Gets the schema ready to serve. When every migration is applied (as
/// after the migrate job of a release) it writes nothing, so the service
/// can run as `modelmart_app`, which may not create or change tables;
/// otherwise it migrates (development, compose). Region reference data
/// follows the binary on `modelmart migrate`.
pub async fn prepare(pool: &PgPool) -> Result<(), sqlx::Error> {
    if migrations_applied(pool).await.unwrap_or(false) {
        return Ok(());
    }
    migrate(pool).await
}

/// Whether every migration this binary knows has been applied.
pub async fn migrations_applied(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(pool)
        .await?;
    Ok(MIGRATOR.iter().all(|migration| applied.contains(&migration.version)))
}
