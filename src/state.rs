//! What every request handler can reach.

use std::collections::HashSet;
use std::sync::Mutex;

use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::jwt::Authenticator;
use crate::auth::Principal;
use crate::catalog::CatalogHandle;
use crate::config::Settings;
use crate::db;
use crate::error::ApiError;
use crate::http::RequestId;

pub struct AppState {
    pub pool: PgPool,
    pub settings: Settings,
    pub authenticator: Authenticator,
    pub catalog: CatalogHandle,
    pub tenants: TenantRegistry,
    pub limiter: crate::ratelimit::RateLimiter,
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    /// Set on SIGTERM: `/readyz` fails while requests are still served.
    pub draining: std::sync::atomic::AtomicBool,
}

/// Remembers which tenants exist, so provisioning costs a database round
/// trip only the first time this process sees a `tid`.
#[derive(Default)]
pub struct TenantRegistry {
    known: Mutex<HashSet<Uuid>>,
}

impl TenantRegistry {
    pub async fn ensure_provisioned(
        &self,
        pool: &PgPool,
        tenant_id: Uuid,
        principal: &Principal,
        request_id: &RequestId,
    ) -> Result<(), ApiError> {
        if self
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&tenant_id)
        {
            return Ok(());
        }
        let created = db::tenants::provision(
            pool,
            tenant_id,
            &principal.actor(),
            principal.roles.names(),
            &principal.subject,
            Some(request_id.as_str()),
        )
        .await?;
        if created {
            tracing::info!(%tenant_id, "tenant provisioned from its first token");
        }
        self.known.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant_id);
        Ok(())
    }
}
