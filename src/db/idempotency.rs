//! Idempotency-Key records. The key is claimed inside the same transaction as
//! the work, so a concurrent retry with the same key waits on the unique
//! index until the first commits, then replays its stored response. A request
//! that fails rolls back its claim too, so a retry after an error runs again.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

pub enum Claim {
    /// The key is new: do the work, then [`store`] the response.
    Fresh,
    /// The same key and body were seen: answer with this stored response.
    Replay {
        status: u16,
        location: Option<String>,
        body: Vec<u8>,
    },
    /// The same key came with a different body.
    Mismatch,
}

pub fn request_hash(canonical_body: &[u8]) -> Vec<u8> {
    Sha256::digest(canonical_body).to_vec()
}

/// Claims `key` for (`scope`, `route`) in the caller's transaction.
pub async fn claim(
    conn: &mut PgConnection,
    scope: &str,
    route: &str,
    key: &str,
    hash: &[u8],
) -> Result<Claim, sqlx::Error> {
    // A key past its retention is forgotten, as if never used.
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND route = $2 AND key = $3 AND expires_at <= now()")
        .bind(scope)
        .bind(route)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (scope, route, key, request_hash, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))
         ON CONFLICT (scope, route, key) DO NOTHING",
    )
    .bind(scope)
    .bind(route)
    .bind(key)
    .bind(hash)
    .bind(RETENTION_HOURS as i32)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    type Stored = (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>, DateTime<Utc>);
    let (stored_hash, status, location, body, _expires): Stored = sqlx::query_as(
        "SELECT request_hash, response_status, response_headers->>'location', response_body, expires_at
         FROM idempotency_keys WHERE scope = $1 AND route = $2 AND key = $3",
    )
    .bind(scope)
    .bind(route)
    .bind(key)
    .fetch_one(&mut *conn)
    .await?;
    if stored_hash != hash {
        return Ok(Claim::Mismatch);
    }
    Ok(Claim::Replay {
        status: status.unwrap_or(200) as u16,
        location,
        body: body.unwrap_or_default(),
    })
}

/// Records the response the claimed key must replay: status, `Location`
/// and body.
pub async fn store(
    conn: &mut PgConnection,
    scope: &str,
    route: &str,
    key: &str,
    status: u16,
    location: &str,
    body: &[u8],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE idempotency_keys
         SET response_status = $4, response_headers = jsonb_build_object('location', $5::text), response_body = $6
         WHERE scope = $1 AND route = $2 AND key = $3",
    )
    .bind(scope)
    .bind(route)
    .bind(key)
    .bind(status as i16)
    .bind(location)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}
