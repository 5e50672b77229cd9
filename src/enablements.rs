//! Enabling a model for a tenant, in one place: the decision is made inside
//! the transaction that writes the enablement, from the same facts discovery
//! shows (the listing is built by the snapshot's own conversion from rows
//! share-locked here) and by the same decision function, so what discovery
//! offers is what enablement grants, and a concurrent policy, listing or
//! hold change cannot slip between the decision and the write.

use chrono::Utc;
use rust_decimal::Decimal;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::catalog::snapshot::Offer;
use crate::catalog::Snapshot;
use crate::db::audit::AuditEntry;
use crate::db::catalog_read::{self, Lock};
use crate::db::enablements::{self, EnablementRow, Grant};
use crate::db::{holds, policies};
use crate::domain::actor::Actor;
use crate::domain::decision::{decide_listing, decide_offer, Reason, Viewer};
use crate::domain::hold::HoldView;
use crate::domain::vocab::DeploymentType;

/// What a tenant asks to enable.
#[derive(Debug, Clone, Copy)]
pub struct EnableRequest<'a> {
    pub tenant: Uuid,
    pub model_id: Uuid,
    pub region: &'a str,
    pub deployment_type: DeploymentType,
    /// The operator to be served by, as offers name it; `None` for the
    /// cheapest one the tenant may use.
    pub operator: Option<&'a str>,
}

/// Why nothing was enabled; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum EnableError {
    #[error("no listing has that id")]
    UnknownModel,
    #[error("{0:?} is not a known region code")]
    UnknownRegion(String),
    /// The decision refused every offer there: every reason, most
    /// fundamental first, and the holds in effect (to name the one that
    /// refused, if one did).
    #[error("the decision refused it")]
    Refused { reasons: Vec<Reason>, holds: Vec<HoldView> },
    #[error("already enabled as {existing}")]
    AlreadyEnabled { slug: String, existing: Uuid },
    #[error("the catalog holds a value this version does not know: {0}")]
    Catalog(#[from] crate::catalog::snapshot::UnknownValue),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Decides and, when allowed, writes the enablement with its audit event,
/// in the caller's transaction (the caller commits).
pub async fn enable(
    conn: &mut PgConnection,
    actor: &Actor,
    request: &EnableRequest<'_>,
) -> Result<EnablementRow, EnableError> {
    // Shared side of the hold gate: an activation cannot run between this
    // decision and its commit (see db::holds).
    holds::enter_enablement_gate(conn).await?;
    let rows = catalog_read::load_listing(conn, request.model_id, Lock::Share).await?;
    if !rows.models.iter().any(|m| m.id == request.model_id) {
        return Err(EnableError::UnknownModel);
    }
    if !rows.regions.iter().any(|r| r.code == request.region) {
        return Err(EnableError::UnknownRegion(request.region.to_owned()));
    }
    let snapshot = Snapshot::build(rows)?;
    let listing = snapshot
        .find(&request.model_id.to_string())
        .ok_or(EnableError::UnknownModel)?;
    let policy = policies::get_for_decision(conn, request.tenant)
        .await?
        .map(|row| row.policy())
        .unwrap_or_default();
    let effective: Vec<HoldView> = holds::effective(conn).await?.iter().map(|h| h.view()).collect();
    let viewer = Viewer {
        tenant: request.tenant,
        policy: &policy,
        holds: &effective,
    };

    // Every offer there is decided; the grant goes to the cheapest one the
    // tenant may use (input price, then output price, then name; an offer
    // without a token price sorts last).
    let now = Utc::now();
    let candidates: Vec<&Offer> = listing
        .offers
        .iter()
        .filter(|offer| {
            offer.region == request.region
                && offer.deployment_type == request.deployment_type
                && request
                    .operator
                    .is_none_or(|name| offer.operator_name.eq_ignore_ascii_case(name))
        })
        .collect();
    let facts = listing.facts();
    let mut allowed: Vec<(&Offer, Option<Decimal>, Option<Decimal>)> = candidates
        .iter()
        .map(|offer| (*offer, offer.facts(now)))
        .filter(|(_, offer_facts)| decide_offer(&facts, offer_facts, &viewer).enableable)
        .map(|(offer, offer_facts)| (offer, offer_facts.input_price, offer_facts.output_price))
        .collect();
    let unpriced = |price: Option<Decimal>| (price.is_none(), price);
    allowed.sort_by(|(a, a_in, a_out), (b, b_in, b_out)| {
        (unpriced(*a_in), unpriced(*a_out), &a.operator_name).cmp(&(
            unpriced(*b_in),
            unpriced(*b_out),
            &b.operator_name,
        ))
    });
    let Some((chosen, _, _)) = allowed.first() else {
        // Every reason, from the same combination discovery uses over the
        // offers that were asked for.
        let decision = decide_listing(&facts, candidates.iter().map(|offer| offer.facts(now)), &viewer);
        return Err(EnableError::Refused {
            reasons: decision.reasons,
            holds: effective,
        });
    };

    let deployment = request.deployment_type.as_str();
    if let Some(existing) = enablements::find_live(conn, request.tenant, listing.id, request.region, deployment).await?
    {
        return Err(EnableError::AlreadyEnabled {
            slug: listing.slug.clone(),
            existing,
        });
    }
    let grant = Grant {
        tenant_id: request.tenant,
        model_id: listing.id,
        region: request.region,
        deployment_type: deployment,
        operator_name: &chosen.operator_name,
        operator_country: chosen.operator_country.as_deref(),
    };
    let row = enablements::insert_active(conn, &grant, &actor.name).await?;
    AuditEntry::new(actor, "enablement.created", "enablement", row.id)
        .tenant(request.tenant)
        .after(&row)
        .append(conn)
        .await?;
    Ok(row)
}
