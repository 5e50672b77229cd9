//! The enablement gate: one advisory lock that orders enablements against
//! the writes that act on existing enablements.
//!
//! Every enablement holds the gate shared from before it compares the
//! catalog's versions (or reads its rows) until it commits. A write that
//! reads enablements to change or report them closes the gate first: a hold
//! transition that changes what is in effect (it suspends or restores them)
//! and retirement by date (it tells each tenant with a live enablement).
//! Such a write therefore waits for the enablements in flight to commit and
//! sees them, and any enablement after it waits for its commit and then
//! finds the catalog's version moved, so it is decided again on what the
//! write left. No interleaving leaves an active enablement under a hold in
//! effect, or a tenant with a retired listing it was not told about.
//!
//! Retirement has a second guard: the enablement's foreign key holds the
//! listing's row `FOR KEY SHARE` until commit, and retirement's claim
//! (`FOR UPDATE SKIP LOCKED`) passes over it. The gate is what the rule
//! rests on; the test of the race
//! (`tests/api/enablement_writes.rs`) fails only without both.
//!
//! Whoever takes the gate does so before any row lock the other side takes
//! (policies, holds, listings), so the two can never deadlock.

use sqlx::PgConnection;

/// The advisory lock key ("mmhold", from when holds were its only writer;
/// `enable_if_current()` names the same number).
const ENABLEMENT_GATE: i64 = 0x6d6d_686f_6c64;

/// Enters the gate shared, until the transaction ends: what an enablement
/// takes.
pub async fn enter(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(ENABLEMENT_GATE)
        .execute(conn)
        .await?;
    Ok(())
}

/// Closes the gate until the transaction ends: waits for the enablements in
/// flight to commit and holds new ones back.
pub async fn close(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ENABLEMENT_GATE)
        .execute(conn)
        .await?;
    Ok(())
}
