//! Compliance holds: proposal, decision, activation (its effects on
//! enablements in the same transaction), lifting and expiry.
//!
//! Activation and enablement creation serialise on the enablement gate
//! (`db::enablement_gate`): an enablement either commits before an
//! activation begins (and the activation suspends it) or starts after the
//! activation commits (and sees the hold).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection};
use uuid::Uuid;

use crate::domain::hold::{HoldScope, HoldView};
use crate::domain::vocab::{DeploymentType, EnablementStatus, HoldKind, HoldStatus};

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct HoldRow {
    pub id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: HoldKind,
    pub legal_basis: String,
    pub public_notice: String,
    pub public_notice_url: Option<String>,
    pub scope_models: Vec<Uuid>,
    pub scope_publishers: Vec<Uuid>,
    pub scope_origin_countries: Vec<String>,
    pub scope_include_derivatives: bool,
    pub scope_operators: Vec<String>,
    pub scope_operator_countries: Vec<String>,
    pub scope_regions: Vec<String>,
    pub scope_jurisdictions: Vec<String>,
    pub scope_tenants: Vec<Uuid>,
    pub effect_hide: bool,
    pub effect_block_new: bool,
    pub effect_suspend_existing: bool,
    #[sqlx(try_from = "String")]
    pub status: HoldStatus,
    /// Whether its effects are in force: the `IN_EFFECT` expression, read
    /// with the row.
    pub in_effect: bool,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub activated_at: Option<DateTime<Utc>>,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub proposal_reason: Option<String>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub rejected_by: Option<String>,
    pub rejected_at: Option<DateTime<Utc>>,
    pub rejection_reason: Option<String>,
    pub lifted_by: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    pub lift_reason: Option<String>,
    pub expired_at: Option<DateTime<Utc>>,
    pub row_version: i64,
}

/// Whether a hold is in effect: approved, activated and not yet ended (by
/// a lift or by the scheduler's expiry, each of which changes `status` in
/// the transaction that restores what the hold suspended). The same test as
/// SQL's `hold_in_effect`; every reader uses one or the other: the API's
/// `in_effect`, the snapshot's rules and the enablement decision.
const IN_EFFECT: &str = "(status = 'active' AND activated_at IS NOT NULL)";

fn columns() -> String {
    format!(
        "id, kind, legal_basis, public_notice, public_notice_url, scope_models, scope_publishers,
         scope_origin_countries, scope_include_derivatives, scope_operators, scope_operator_countries,
         scope_regions, scope_jurisdictions, scope_tenants, effect_hide, effect_block_new,
         effect_suspend_existing, status, {IN_EFFECT} AS in_effect, effective_at, expires_at, activated_at,
         proposed_by, proposed_at, proposal_reason, approved_by, approved_at, rejected_by, rejected_at,
         rejection_reason, lifted_by, lifted_at, lift_reason, expired_at, row_version"
    )
}

impl HoldRow {
    pub fn scope(&self) -> HoldScope {
        HoldScope {
            models: self.scope_models.clone(),
            publishers: self.scope_publishers.clone(),
            origin_countries: self.scope_origin_countries.clone(),
            include_derivatives: self.scope_include_derivatives,
            operators: self.scope_operators.clone(),
            operator_countries: self.scope_operator_countries.clone(),
            regions: self.scope_regions.clone(),
            jurisdictions: self.scope_jurisdictions.clone(),
            tenants: self.scope_tenants.clone(),
        }
    }

    pub fn view(&self) -> HoldView {
        HoldView {
            id: self.id,
            scope: self.scope(),
            hide: self.effect_hide,
            block_new: self.effect_block_new,
            suspend_existing: self.effect_suspend_existing,
            public_notice: self.public_notice.clone(),
            public_notice_url: self.public_notice_url.clone(),
        }
    }
}

/// The holds in effect now.
pub async fn effective(conn: &mut PgConnection) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM compliance_holds WHERE {IN_EFFECT} ORDER BY id",
        columns()
    ))
    .fetch_all(conn)
    .await
}

/// A hold as proposed.
#[derive(Debug, Clone)]
pub struct NewHold {
    pub kind: HoldKind,
    pub legal_basis: String,
    pub public_notice: String,
    pub public_notice_url: Option<String>,
    pub scope: HoldScope,
    pub hide: bool,
    pub block_new: bool,
    pub suspend_existing: bool,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub proposed_by: String,
    pub reason: Option<String>,
}

pub async fn insert(conn: &mut PgConnection, hold: &NewHold) -> Result<HoldRow, sqlx::Error> {
    sqlx::query_as(&format!(
        "INSERT INTO compliance_holds (id, kind, legal_basis, public_notice, public_notice_url, scope_models,
             scope_publishers, scope_origin_countries, scope_include_derivatives, scope_operators,
             scope_operator_countries, scope_regions, scope_jurisdictions, scope_tenants,
             effect_hide, effect_block_new, effect_suspend_existing, status, effective_at, expires_at,
             proposed_by, proposal_reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'proposed', $18, $19,
                 $20, $21)
         RETURNING {}",
        columns()
    ))
    .bind(Uuid::now_v7())
    .bind(hold.kind.as_str())
    .bind(&hold.legal_basis)
    .bind(&hold.public_notice)
    .bind(&hold.public_notice_url)
    .bind(&hold.scope.models)
    .bind(&hold.scope.publishers)
    .bind(&hold.scope.origin_countries)
    .bind(hold.scope.include_derivatives)
    .bind(&hold.scope.operators)
    .bind(&hold.scope.operator_countries)
    .bind(&hold.scope.regions)
    .bind(&hold.scope.jurisdictions)
    .bind(&hold.scope.tenants)
    .bind(hold.hide)
    .bind(hold.block_new)
    .bind(hold.suspend_existing)
    .bind(hold.effective_at)
    .bind(hold.expires_at)
    .bind(&hold.proposed_by)
    .bind(&hold.reason)
    .fetch_one(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: Uuid) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {} FROM compliance_holds WHERE id = $1", columns()))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The hold, locked for the caller's state change.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<Option<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM compliance_holds WHERE id = $1 FOR UPDATE",
        columns()
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// How many holds `list` would page through.
/// Which holds a list shows; every part optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct HoldFilter {
    pub status: Option<HoldStatus>,
    pub kind: Option<HoldKind>,
    /// Whether its effects are in force (the API's `in_effect`).
    pub in_effect: Option<bool>,
}

/// The filter's conditions on $1 to $3, shared by the list and its count.
fn matches_filter() -> String {
    format!(
        "($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
         AND ($3::boolean IS NULL OR {IN_EFFECT} = $3)"
    )
}

/// How many holds match `filter`.
pub async fn count(conn: &mut PgConnection, filter: HoldFilter) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM compliance_holds WHERE {}",
        matches_filter()
    ))
    .bind(filter.status.map(HoldStatus::as_str))
    .bind(filter.kind.map(HoldKind::as_str))
    .bind(filter.in_effect)
    .fetch_one(conn)
    .await
}

/// The holds matching `filter` after the cursor, oldest first.
pub async fn list(
    conn: &mut PgConnection,
    filter: HoldFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<HoldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM compliance_holds
         WHERE {} AND ($4::uuid IS NULL OR id > $4)
         ORDER BY id LIMIT $5",
        columns(),
        matches_filter()
    ))
    .bind(filter.status.map(HoldStatus::as_str))
    .bind(filter.kind.map(HoldKind::as_str))
    .bind(filter.in_effect)
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Which tenants of `ids` exist, for checking a scope before it is stored.
pub async fn existing_tenants(conn: &mut PgConnection, ids: &[Uuid]) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM tenants WHERE id = ANY ($1)")
        .bind(ids)
        .fetch_all(conn)
        .await
}

/// A state change of a hold: the new status and who made it, and for
/// activation the instant its effects start. Each names exactly the
/// columns it sets.
#[derive(Debug, Clone, Copy)]
pub enum StatusChange<'a> {
    Approved { by: &'a str },
    Rejected { by: &'a str, reason: &'a str },
    Lifted { by: &'a str, reason: &'a str },
    Expired,
    Activated,
}

/// Applies `change` to the hold (locked by the caller) and returns it.
pub async fn change_status(
    conn: &mut PgConnection,
    id: Uuid,
    change: StatusChange<'_>,
) -> Result<HoldRow, sqlx::Error> {
    let (assignments, texts): (&str, Vec<&str>) = match change {
        StatusChange::Approved { by } => ("status = 'active', approved_by = $2, approved_at = now()", vec![by]),
        StatusChange::Rejected { by, reason } => (
            "status = 'rejected', rejected_by = $2, rejected_at = now(), rejection_reason = $3",
            vec![by, reason],
        ),
        StatusChange::Lifted { by, reason } => (
            "status = 'lifted', lifted_by = $2, lifted_at = now(), lift_reason = $3",
            vec![by, reason],
        ),
        StatusChange::Expired => ("status = 'expired', expired_at = now()", vec![]),
        StatusChange::Activated => ("activated_at = now()", vec![]),
    };
    let sql = format!(
        "UPDATE compliance_holds SET {assignments}, row_version = row_version + 1, updated_at = now()
         WHERE id = $1 RETURNING {}",
        columns()
    );
    let mut query = sqlx::query_as(&sql).bind(id);
    for text in texts {
        query = query.bind(text);
    }
    query.fetch_one(conn).await
}

/// One enablement a hold changed (or would change).
#[derive(Debug, Clone, FromRow)]
pub struct TouchedEnablement {
    pub tenant_id: Uuid,
    pub id: Uuid,
    pub model_id: Uuid,
    pub region_code: String,
    #[sqlx(try_from = "String")]
    pub deployment_type: DeploymentType,
    /// Who serves it; null for an enablement made before operators were
    /// recorded whose offer is gone.
    pub operator_name: Option<String>,
    pub operator_country: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: EnablementStatus,
    pub suspended_by_hold_id: Option<Uuid>,
}

const TOUCHED: &str = "e.tenant_id, e.id, e.model_id, e.region_code, e.deployment_type, e.operator_name,
    e.operator_country, e.status,
    e.suspended_by_hold_id";

/// Suspends every active enablement the hold covers, in the caller's
/// transaction (which must hold the activation gate), and records which
/// hold suspended each.
pub async fn suspend_covered(
    conn: &mut PgConnection,
    id: Uuid,
    actor: &str,
) -> Result<Vec<TouchedEnablement>, sqlx::Error> {
    let suspended: Vec<TouchedEnablement> = sqlx::query_as(&format!(
        "WITH targets AS (
             SELECT e.tenant_id, e.id
             FROM compliance_holds h
             CROSS JOIN LATERAL hold_covered_enablements(h) c
             JOIN enablements e ON e.tenant_id = c.tenant_id AND e.id = c.id
             WHERE h.id = $1 AND h.effect_suspend_existing AND e.status = 'active'
             FOR UPDATE OF e)
         UPDATE enablements e
         SET status = 'suspended', suspended_by_hold_id = $1, updated_at = now(), updated_by = $2,
             row_version = e.row_version + 1
         FROM targets t
         WHERE e.tenant_id = t.tenant_id AND e.id = t.id
         RETURNING {TOUCHED}"
    ))
    .bind(id)
    .bind(actor)
    .fetch_all(&mut *conn)
    .await?;
    record_suspensions(conn, id, &suspended).await?;
    Ok(suspended)
}

async fn record_suspensions(
    conn: &mut PgConnection,
    hold: Uuid,
    touched: &[TouchedEnablement],
) -> Result<(), sqlx::Error> {
    if touched.is_empty() {
        return Ok(());
    }
    let tenants: Vec<Uuid> = touched.iter().map(|e| e.tenant_id).collect();
    let ids: Vec<Uuid> = touched.iter().map(|e| e.id).collect();
    sqlx::query(
        "INSERT INTO enablement_suspensions (tenant_id, enablement_id, hold_id)
         SELECT * , $3 FROM unnest($1::uuid[], $2::uuid[])
         ON CONFLICT (tenant_id, enablement_id, hold_id) DO UPDATE SET suspended_at = now(), released_at = NULL",
    )
    .bind(&tenants)
    .bind(&ids)
    .bind(hold)
    .execute(conn)
    .await?;
    Ok(())
}

/// After the hold stopped being in effect (lifted or expired): every
/// enablement it suspended is restored, unless another hold in effect that
/// suspends still covers it, in which case that hold now holds it.
pub async fn release(conn: &mut PgConnection, id: Uuid, actor: &str) -> Result<Vec<TouchedEnablement>, sqlx::Error> {
    let touched: Vec<TouchedEnablement> = sqlx::query_as(&format!(
        // MATERIALIZED: computed once. Inlined, the planner may rescan it
        // for every suspended enablement (it does, with statistics that do
        // not yet count the rows a big approval just suspended), and a lift
        // of thousands of enablements runs into the statement timeout.
        "WITH still_held AS MATERIALIZED (
             SELECT c.tenant_id, c.id, min(h2.id::text)::uuid AS other
             FROM compliance_holds h2
             CROSS JOIN LATERAL hold_covered_enablements(h2) c
             WHERE h2.id <> $1 AND hold_in_effect(h2) AND h2.effect_suspend_existing
             GROUP BY c.tenant_id, c.id),
         affected AS (
             SELECT e.tenant_id, e.id, s.other
             FROM enablements e
             LEFT JOIN still_held s ON s.tenant_id = e.tenant_id AND s.id = e.id
             WHERE e.suspended_by_hold_id = $1 AND e.status = 'suspended'
             FOR UPDATE OF e)
         UPDATE enablements e
         SET status = CASE WHEN a.other IS NULL THEN 'active' ELSE 'suspended' END,
             suspended_by_hold_id = a.other, updated_at = now(), updated_by = $2, row_version = e.row_version + 1
         FROM affected a
         WHERE e.tenant_id = a.tenant_id AND e.id = a.id
         RETURNING {TOUCHED}"
    ))
    .bind(id)
    .bind(actor)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query("UPDATE enablement_suspensions SET released_at = now() WHERE hold_id = $1 AND released_at IS NULL")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for enablement in &touched {
        if let Some(other) = enablement.suspended_by_hold_id {
            record_suspensions(conn, other, std::slice::from_ref(enablement)).await?;
        }
    }
    Ok(touched)
}

/// What a scope would suspend, for the impact preview: the active
/// enablements it covers (counted, with the tenants they belong to, and a
/// sample), by the same SQL coverage approval uses.
pub async fn enablements_in_scope(
    conn: &mut PgConnection,
    scope: &HoldScope,
    limit: i64,
) -> Result<(i64, i64, Vec<TouchedEnablement>), sqlx::Error> {
    let covered: Vec<TouchedEnablement> = sqlx::query_as(&format!(
        "SELECT {TOUCHED}
         FROM scope_covered_enablements($1, $2, $3, $4, $5, $6, $7, $8, $9) c
         JOIN enablements e ON e.tenant_id = c.tenant_id AND e.id = c.id
         WHERE e.status = 'active'
         ORDER BY e.tenant_id, e.id"
    ))
    .bind(&scope.models)
    .bind(&scope.publishers)
    .bind(&scope.origin_countries)
    .bind(scope.include_derivatives)
    .bind(&scope.operators)
    .bind(&scope.operator_countries)
    .bind(&scope.regions)
    .bind(&scope.jurisdictions)
    .bind(&scope.tenants)
    .fetch_all(&mut *conn)
    .await?;
    let count = covered.len() as i64;
    let mut tenants: Vec<Uuid> = covered.iter().map(|e| e.tenant_id).collect();
    tenants.dedup();
    let sample = covered.into_iter().take(limit.max(0) as usize).collect();
    Ok((count, tenants.len() as i64, sample))
}

/// Which scheduled step a hold is due for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueStep {
    /// Approved with a later `effective_at`, which has come.
    Activate,
    /// In effect with an `expires_at`, which has come.
    Expire,
}

impl DueStep {
    pub fn as_str(self) -> &'static str {
        match self {
            DueStep::Activate => "activate",
            DueStep::Expire => "expire",
        }
    }
}

/// Holds due for a scheduled step: approved with an `effective_at` that
/// has come and not yet activated, or with an `expires_at` that has come;
/// those whose last attempt failed wait for their retry time, so they never
/// hold up the others.
const DUE: &str = "h.status = 'active'
    AND ((h.activated_at IS NULL AND h.effective_at <= now()) OR h.expires_at <= now())
    AND (f.next_attempt_at IS NULL OR f.next_attempt_at <= now())";

/// Whether any hold is due, without taking a lock: the scheduler asks this
/// every tick, and closes the enablement gate only when something is.
pub async fn any_due(pool: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM compliance_holds h
                        LEFT JOIN hold_schedule_failures f ON f.hold_id = h.id WHERE {DUE})"
    ))
    .fetch_one(pool)
    .await
}

/// The next hold due for a scheduled step, locked without waiting, so each
/// is handled by exactly one server.
pub async fn claim_due(conn: &mut PgConnection) -> Result<Option<(Uuid, DueStep)>, sqlx::Error> {
    let row: Option<(Uuid, bool)> = sqlx::query_as(&format!(
        "SELECT h.id, h.activated_at IS NULL AS activate
         FROM compliance_holds h
         LEFT JOIN hold_schedule_failures f ON f.hold_id = h.id
         WHERE {DUE}
         ORDER BY least(CASE WHEN h.activated_at IS NULL THEN h.effective_at END, h.expires_at), h.id
         LIMIT 1
         FOR UPDATE OF h SKIP LOCKED"
    ))
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, activate)| (id, if activate { DueStep::Activate } else { DueStep::Expire })))
}

/// Records that a scheduled step of the hold failed and when to try again
/// (backing off from 2 s to 5 min); returns how many times in a row it has
/// failed.
pub async fn record_schedule_failure(
    conn: &mut PgConnection,
    hold: Uuid,
    step: DueStep,
    error: &str,
) -> Result<i32, sqlx::Error> {
    let error: String = error.chars().take(2_000).collect();
    sqlx::query_scalar(
        "INSERT INTO hold_schedule_failures (hold_id, step, failures, last_error, next_attempt_at)
         VALUES ($1, $2, 1, $3, now() + interval '2 seconds')
         ON CONFLICT (hold_id) DO UPDATE SET
             step = excluded.step,
             failures = hold_schedule_failures.failures + 1,
             last_error = excluded.last_error,
             last_failed_at = now(),
             next_attempt_at = now() + least(interval '5 minutes',
                                             interval '2 seconds' * power(2, hold_schedule_failures.failures))
         RETURNING failures",
    )
    .bind(hold)
    .bind(step.as_str())
    .bind(error)
    .fetch_one(conn)
    .await
}

/// Forgets a hold's scheduling failures once a step succeeded.
pub async fn clear_schedule_failure(conn: &mut PgConnection, hold: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM hold_schedule_failures WHERE hold_id = $1")
        .bind(hold)
        .execute(conn)
        .await?;
    Ok(())
}

/// Holds whose scheduled step is failing and still due, for /metrics.
pub async fn failing_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT count(*) FROM hold_schedule_failures f JOIN compliance_holds h ON h.id = f.hold_id
         WHERE h.status = 'active'",
    )
    .fetch_one(conn)
    .await
}

/// The slugs of the listings and publishers a hold's scope names, in the
/// scope's order (a UUID stands in for one that no longer exists).
pub async fn scope_slugs(conn: &mut PgConnection, hold: &HoldRow) -> Result<(Vec<String>, Vec<String>), sqlx::Error> {
    let models: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, slug FROM models WHERE id = ANY($1)")
        .bind(&hold.scope_models)
        .fetch_all(&mut *conn)
        .await?;
    let publishers: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, slug FROM publishers WHERE id = ANY($1)")
        .bind(&hold.scope_publishers)
        .fetch_all(&mut *conn)
        .await?;
    let named = |ids: &[Uuid], found: &[(Uuid, String)]| -> Vec<String> {
        ids.iter()
            .map(|id| {
                found
                    .iter()
                    .find(|(known, _)| known == id)
                    .map_or_else(|| id.to_string(), |(_, slug)| slug.clone())
            })
            .collect()
    };
    Ok((
        named(&hold.scope_models, &models),
        named(&hold.scope_publishers, &publishers),
    ))
}
