//! What authentication needs at request time, registered as its own app
//! data so the auth layer depends on nothing above it: the token verifier,
//! the per-caller rate limiter, the registry of tenants already provisioned,
//! and the pool provisioning writes through.

use std::collections::HashSet;
use std::sync::Mutex;

use sqlx::PgPool;
use uuid::Uuid;

use super::jwt::Authenticator;
use super::Principal;
use crate::db;
use crate::error::ApiError;
use crate::http::RequestId;
use crate::ratelimit::RateLimiter;

pub struct Gate {
    pub authenticator: Authenticator,
    pub limiter: RateLimiter,
    pub tenants: TenantRegistry,
    pub pool: PgPool,
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
        let created =
            db::tenants::provision(pool, tenant_id, &principal.acting(request_id), &principal.subject).await?;
        if created {
            tracing::info!(%tenant_id, "tenant provisioned from its first token");
        }
        self.known.lock().unwrap_or_else(|p| p.into_inner()).insert(tenant_id);
        Ok(())
    }
}
