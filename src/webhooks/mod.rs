//! Webhook deliveries: signed, retried with exponential backoff, logged,
//! at least once, with the event id as the receiver's deduplication key.

pub mod target;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::PgPool;

use crate::db::webhooks::{self, Claimed};
use crate::metrics::Metrics;

/// The signature header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub const SIGNATURE_HEADER: &str = "modelmart-signature";
pub const EVENT_ID_HEADER: &str = "modelmart-event-id";
pub const EVENT_TYPE_HEADER: &str = "modelmart-event-type";

/// Attempts before a delivery is abandoned: backoffs of 2 s, 4 s, ... 2048 s,
/// about 68 minutes in all.
pub const MAX_ATTEMPTS: i32 = 12;
const TIMEOUT: Duration = Duration::from_secs(10);
const TICK: Duration = Duration::from_millis(500);

/// The signature of `body` at `timestamp` with `secret`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Seconds to wait before attempt `attempt + 1`: 2, 4, 8, ... capped at an hour.
pub fn backoff_secs(attempt: i32) -> i64 {
    2_i64.saturating_pow(attempt.clamp(1, 12) as u32).min(3600)
}

/// One signed POST of `claimed`'s event to its URL, checked against SSRF
/// first; the receiver's status, or why there is none.
pub async fn deliver(claimed: &Claimed, allow_private: bool) -> Result<u16, String> {
    let url = target::parse(&claimed.url, allow_private).map_err(|e| format!("the URL {e}"))?;
    let address = target::resolve(&url, allow_private)
        .await
        .map_err(|e| format!("the URL {e}"))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    // Connect only to the address just checked, whatever DNS says next.
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&host, address)
        .build()
        .map_err(|e| e.to_string())?;
    let body = serde_json::to_vec(&claimed.body()).map_err(|e| e.to_string())?;
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, sign(&claimed.secret, timestamp, &body))
        .header(EVENT_ID_HEADER, claimed.event_id.to_string())
        .header(EVENT_TYPE_HEADER, &claimed.event_type)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    Ok(response.status().as_u16())
}

/// One pass over due deliveries; returns how many were attempted.
pub async fn run_once(pool: &PgPool, allow_private: bool, metrics: &Metrics) -> Result<usize, sqlx::Error> {
    let claimed = webhooks::claim_due(pool, 20).await?;
    for delivery in &claimed {
        let started = std::time::Instant::now();
        let outcome = deliver(delivery, allow_private).await;
        let elapsed = started.elapsed().as_millis() as i32;
        let recorded = webhooks::record_attempt(
            pool,
            delivery,
            outcome,
            elapsed,
            MAX_ATTEMPTS,
            backoff_secs(delivery.attempts),
        )
        .await?;
        metrics.record_delivery(recorded);
    }
    Ok(claimed.len())
}

/// Delivers until the process ends.
pub fn spawn(pool: PgPool, allow_private: bool, metrics: Arc<Metrics>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(TICK);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(error) = run_once(&pool, allow_private, &metrics).await {
                tracing::warn!(%error, "webhook delivery pass failed; it will retry");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let one = sign("whsec_test", 1_700_000_000, b"{}");
        assert!(one.starts_with("t=1700000000,v1="));
        assert_ne!(one, sign("whsec_test", 1_700_000_001, b"{}"));
        assert_ne!(one, sign("whsec_test", 1_700_000_000, b"{ }"));
        assert_ne!(one, sign("whsec_other", 1_700_000_000, b"{}"));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_secs(1), 2);
        assert_eq!(backoff_secs(2), 4);
        assert_eq!(backoff_secs(5), 32);
        assert_eq!(backoff_secs(12), 3600);
        assert_eq!(backoff_secs(40), 3600);
    }
}
