//! The `Idempotency-Key` header as routes read and answer it.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::db::idempotency::{self as store, MAX_KEY_LEN};
use crate::error::{ApiError, ErrorCode};

const HEADER: &str = "idempotency-key";
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The request's key, if it sent one; 400 when it is malformed.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            ErrorCode::InvalidHeader,
            "Idempotency-Key",
            format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// The stored first response, marked as a replay.
pub fn replay(status: u16, location: Option<String>, body: Vec<u8>) -> HttpResponse {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response
        .content_type("application/json")
        .insert_header((REPLAYED, HeaderValue::from_static("true")));
    if let Some(location) = location {
        response.insert_header((actix_web::http::header::LOCATION, location));
    }
    response.body(body)
}

/// A create's 201: what the first request gets and a retry replays.
pub fn created(location: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .content_type("application/json")
        .body(body)
}

pub fn reused() -> ApiError {
    ApiError::field(
        ErrorCode::IdempotencyKeyReused,
        "Idempotency-Key",
        "was already used with a different request body",
    )
}

/// Claims the request's key (when it sent one) for `route` within `scope`,
/// in the transaction that will do the work. `Some(response)` is the first
/// response again (the caller returns it, dropping the transaction); a key
/// already used with another body is an error.
pub async fn claim<T: serde::Serialize>(
    conn: &mut sqlx::PgConnection,
    key: Option<&str>,
    scope: &str,
    route: &str,
    input: &T,
) -> Result<Option<HttpResponse>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    let hash = store::request_hash(&serde_json::to_vec(input).unwrap_or_default());
    match store::claim(conn, scope, route, key, &hash).await? {
        store::Claim::Fresh => Ok(None),
        store::Claim::Replay { status, location, body } => Ok(Some(replay(status, location, body))),
        store::Claim::Mismatch => Err(reused()),
    }
}

/// Records the 201 a claimed key replays, with its `Location` (no-op
/// without a key).
pub async fn remember(
    conn: &mut sqlx::PgConnection,
    key: Option<&str>,
    scope: &str,
    route: &str,
    location: &str,
    body: &[u8],
) -> Result<(), ApiError> {
    if let Some(key) = key {
        store::store(conn, scope, route, key, StatusCode::CREATED.as_u16(), location, body).await?;
    }
    Ok(())
}
