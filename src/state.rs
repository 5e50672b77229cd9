//! What every request handler can reach.

use sqlx::PgPool;

use crate::config::Settings;
use crate::refresher::CatalogHandle;

pub struct AppState {
    pub pool: PgPool,
    pub settings: Settings,
    pub catalog: CatalogHandle,
    /// Where enablements decided on the served snapshot are written, in
    /// groups (`db::enablement_writer`).
    pub enablements: crate::db::enablement_writer::EnablementWriter,
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Set on SIGTERM: `/readyz` fails while requests are still served.
    pub draining: std::sync::atomic::AtomicBool,
}
