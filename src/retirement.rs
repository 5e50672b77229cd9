//! Listings retired by the clock: on its retirement date (a UTC day) a
//! listing becomes retired, once, however many servers run; the change is
//! audited and every tenant with a live enablement of it is told with a
//! `model.retired` event. Readers treat the date as final from its first
//! instant (`domain::lifecycle::in_force`), so the second before the
//! scheduler records it enables nothing either.
//!
//! Live enablements stay as they are: the tenant is told and moves to the
//! successor; modelmart does not switch a tenant's traffic off by itself.

use serde_json::json;
use sqlx::PgConnection;

use crate::db::audit::AuditEntry;
use crate::db::{enablement_gate, models, outbox};
use crate::domain::actor::Actor;

/// At most this many listings are retired in one transaction.
const PER_PASS: i64 = 500;

/// Retires every listing whose date has come (up to [`PER_PASS`]), in the
/// caller's transaction; returns how many.
pub async fn retire_due(conn: &mut PgConnection, actor: &Actor) -> Result<usize, sqlx::Error> {
    if !models::retirement_due(conn).await? {
        return Ok(0);
    }
    // Closed before the listings are claimed: an enablement in flight
    // commits first and is among the live ones read below, and one after
    // finds the catalog moved and decides again on the retired listing
    // (db::enablement_gate).
    enablement_gate::close(conn).await?;
    let retired = models::retire_due(conn, PER_PASS).await?;
    if retired.is_empty() {
        return Ok(0);
    }
    let entries: Vec<AuditEntry> = retired
        .iter()
        .map(|listing| {
            AuditEntry::new(actor, "model.retired", "model", listing.id)
                .before(json!({ "lifecycle_status": listing.previous_status }))
                .after(json!({ "lifecycle_status": "retired", "row_version": listing.row_version }))
                .reason(Some("retirement_date reached"))
        })
        .collect();
    crate::db::audit::append_all(conn, actor, &entries).await?;
    let ids: Vec<_> = retired.iter().map(|l| l.id).collect();
    let live = models::live_enablements_of(conn, &ids).await?;
    // One event per tenant and listing, naming that tenant's enablements.
    let mut start = 0;
    while start < live.len() {
        let (tenant, model, _) = live[start];
        let end = start
            + live[start..]
                .iter()
                .take_while(|(t, m, _)| (*t, *m) == (tenant, model))
                .count();
        let enablements: Vec<_> = live[start..end].iter().map(|(_, _, id)| *id).collect();
        if let Some(listing) = retired.iter().find(|l| l.id == model) {
            outbox::append(
                conn,
                Some(tenant),
                "model.retired",
                json!({
                    "model_id": listing.id,
                    "slug": listing.slug,
                    "retirement_date": listing.retirement_date,
                    "successor_id": listing.successor_id,
                    "enablement_ids": enablements,
                }),
            )
            .await?;
        }
        start = end;
    }
    Ok(retired.len())
}
