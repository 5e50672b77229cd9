//! Enabling a model for a tenant, in one place, by the decision function
//! discovery uses, so what discovery offers is what enablement grants. The
//! common case is decided on the served snapshot and written only if the
//! catalog is still at that snapshot's versions (one statement, sent alone or
//! in a group by `db::enablement_writer`); anything else is decided again on
//! rows read and share-locked in the transaction that writes it (the listing
//! built by the snapshot's own conversion). Either way a concurrent policy,
//! listing or hold change cannot slip between the decision and the write.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::{Acquire, PgConnection, PgPool};
use uuid::Uuid;

use crate::catalog::snapshot::{Listing, Offer};
use crate::catalog::Snapshot;
use crate::db::audit::AuditEntry;
use crate::db::catalog_read::{self, Lock, Versions};
use crate::db::enablement_writer::EnablementWriter;
use crate::db::enablements::{self, ConditionalInsert, EnablementRow, Grant};
use crate::db::{enablement_gate, holds, policies};
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

/// Where an enablement is written.
pub enum Writing<'a> {
    /// Outside any transaction: a grant decided on the served snapshot goes
    /// in the writer's next group (`db::enablement_writer`); what that
    /// cannot settle is decided again in a transaction of its own.
    Grouped {
        writer: &'a EnablementWriter,
        pool: &'a PgPool,
    },
    /// In the caller's transaction, which the caller commits.
    Joining(&'a mut PgConnection),
}

/// Decides and, when allowed, writes the enablement with its audit event.
///
/// The common case is decided on the served snapshot and written by one
/// statement that holds only while that snapshot is still the catalog
/// (`db::enablements::insert_if_current`, or a group of them). Whatever the
/// snapshot cannot grant (a refusal, an unknown model or region, which a
/// newer catalog might answer otherwise) and any write that finds the
/// catalog moved on is decided again on rows read and locked in a
/// transaction.
pub async fn enable(
    mut writing: Writing<'_>,
    snapshot: &Snapshot,
    actor: &Actor,
    request: &EnableRequest<'_>,
) -> Result<EnablementRow, EnableError> {
    if let Some((listing, chosen)) = grant_on(snapshot, request) {
        let grant = grant(request, listing, chosen);
        let basis = Versions {
            version: snapshot.version,
            content_version: snapshot.content.content_version,
        };
        let outcome = match &mut writing {
            Writing::Grouped { writer, .. } => writer.insert_if_current(&grant, basis, actor).await?,
            Writing::Joining(conn) => enablements::insert_if_current(conn, &grant, basis, actor).await?,
        };
        match outcome {
            ConditionalInsert::Created(row) => return Ok(row),
            ConditionalInsert::Exists(existing) => {
                return Err(EnableError::AlreadyEnabled {
                    slug: listing.slug.to_string(),
                    existing,
                })
            }
            ConditionalInsert::Stale => {}
        }
    }
    let mut tx = match writing {
        Writing::Grouped { pool, .. } => pool.begin().await?,
        Writing::Joining(conn) => conn.begin().await?,
    };
    let row = enable_on_rows(&mut tx, actor, request).await?;
    tx.commit().await?;
    Ok(row)
}

/// The listing and the offer `snapshot` would grant `request` on, if it
/// grants it.
fn grant_on<'s>(snapshot: &'s Snapshot, request: &EnableRequest<'_>) -> Option<(&'s Listing, &'s Offer)> {
    let listing = snapshot.content.find_by_id(request.model_id)?;
    snapshot.content.region(request.region)?;
    let policy = snapshot.policy_for(request.tenant);
    let viewer = snapshot.viewer(request.tenant, &policy);
    let chosen = choose_offer(listing, request, &viewer, Utc::now()).ok()?;
    Some((listing, chosen))
}

fn grant<'a>(request: &EnableRequest<'a>, listing: &Listing, chosen: &'a Offer) -> Grant<'a> {
    Grant {
        tenant_id: request.tenant,
        model_id: listing.id,
        region: request.region,
        deployment_type: request.deployment_type,
        operator_name: &chosen.operator_name,
        operator_country: chosen.operator_country.as_deref(),
    }
}

/// The offer `request` is granted on: of the listing's offers there (only
/// the named operator's, if one is named), the cheapest the viewer may use
/// (input price, then output price, then name; an offer without a token
/// price sorts last). A refusal carries every reason, from the same
/// combination discovery uses over the offers asked for.
fn choose_offer<'l>(
    listing: &'l Listing,
    request: &EnableRequest<'_>,
    viewer: &Viewer<'_>,
    now: DateTime<Utc>,
) -> Result<&'l Offer, Vec<Reason>> {
    let candidates: Vec<&Offer> = listing
        .offers
        .iter()
        .filter(|offer| {
            *offer.region == *request.region
                && offer.deployment_type == request.deployment_type
                && request
                    .operator
                    .is_none_or(|name| offer.operator_name.eq_ignore_ascii_case(name))
        })
        .collect();
    let facts = listing.facts();
    let unpriced = |price: Option<Decimal>| (price.is_none(), price);
    candidates
        .iter()
        .map(|offer| (*offer, offer.facts(now)))
        .filter(|(_, offer_facts)| decide_offer(&facts, offer_facts, viewer).enableable)
        .map(|(offer, offer_facts)| (offer, offer_facts.input_price, offer_facts.output_price))
        .min_by(|(a, a_in, a_out), (b, b_in, b_out)| {
            (unpriced(*a_in), unpriced(*a_out), &a.operator_name).cmp(&(
                unpriced(*b_in),
                unpriced(*b_out),
                &b.operator_name,
            ))
        })
        .map(|(offer, _, _)| offer)
        .ok_or_else(|| decide_listing(&facts, candidates.iter().map(|offer| offer.facts(now)), viewer).reasons)
}

/// Decides on rows read and share-locked in the caller's transaction, and
/// writes the enablement with its audit event there when allowed.
async fn enable_on_rows(
    conn: &mut PgConnection,
    actor: &Actor,
    request: &EnableRequest<'_>,
) -> Result<EnablementRow, EnableError> {
    // The gate, shared: no write that acts on existing enablements (a hold
    // activation, a retirement) can run between this decision and its
    // commit (see db::enablement_gate).
    enablement_gate::enter(conn).await?;
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
    let chosen = match choose_offer(listing, request, &viewer, Utc::now()) {
        Ok(chosen) => chosen,
        Err(reasons) => {
            return Err(EnableError::Refused {
                reasons,
                holds: effective,
            })
        }
    };

    let deployment = request.deployment_type.as_str();
    if let Some(existing) = enablements::find_live(conn, request.tenant, listing.id, request.region, deployment).await?
    {
        return Err(EnableError::AlreadyEnabled {
            slug: listing.slug.to_string(),
            existing,
        });
    }
    let row = enablements::insert_active(conn, &grant(request, listing, chosen), &actor.name).await?;
    AuditEntry::new(actor, "enablement.created", "enablement", row.id)
        .tenant(request.tenant)
        .after(&row)
        .append(conn)
        .await?;
    Ok(row)
}
