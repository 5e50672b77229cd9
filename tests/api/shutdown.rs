//! The real binary, stopped the ways production stops it: SIGTERM (readiness
//! fails first, in-flight requests finish, the process exits in time) and
//! SIGKILL right after a commit (the outbox still delivers, after restart).

use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

/// A LiteLLM-style feed of `count` distinct chat models: big enough that its
/// import is still running when the signal arrives.
fn generated_feed(count: usize) -> Vec<u8> {
    let entries: serde_json::Map<String, Value> = (0..count)
        .map(|n| {
            (
                format!("openai/shutdown-test-model-{n}"),
                json!({
                    "litellm_provider": "openai",
                    "mode": "chat",
                    "max_input_tokens": 128000,
                    "max_output_tokens": 4096,
                    "input_cost_per_token": 0.000001 * (1.0 + (n % 7) as f64),
                    "output_cost_per_token": 0.000002,
                    "supports_function_calling": n % 2 == 0
                }),
            )
        })
        .collect();
    serde_json::to_vec(&Value::Object(entries)).unwrap()
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: kill with the pid of a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

#[tokio::test]
async fn sigterm_fails_readiness_first_lets_in_flight_requests_finish_and_exits_in_time() {
    let feed = generated_feed(6_000);
    let database = fresh_database().await;
    let mut process = serve(&database, &[("MODELMART_SHUTDOWN_GRACE_MS", "1500")]).await;
    let app = &process.app;

    // An import of the whole feed takes a while: it is in flight when the
    // signal arrives.
    let import = {
        let client = app.client.clone();
        let url = app.url("/v1/admin/imports?format=litellm");
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(platform_token("catalog.admin"))
                .header("content-type", "application/json")
                .body(feed)
                .send()
                .await
                .map(|response| response.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(150)).await;
    let signalled = Instant::now();
    signal(&process.child, libc::SIGTERM);

    let mut saw_not_ready = false;
    while signalled.elapsed() < Duration::from_millis(1000) {
        if let Ok(response) = app.client.get(app.url("/readyz")).send().await {
            if response.status() == 503 {
                saw_not_ready = true;
                let health = app.client.get(app.url("/healthz")).send().await.unwrap();
                assert_eq!(health.status(), 200, "alive while draining");
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        saw_not_ready,
        "readiness failed within a second of SIGTERM, before the listener closed"
    );
    assert_eq!(import.await.unwrap().expect("the in-flight import was answered"), 200);

    let status = loop {
        if let Some(status) = process.child.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(25), "exited within 25 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit: {status}");
    eprintln!("exited {:?} after SIGTERM", signalled.elapsed());
    let listings: i64 = sqlx::query_scalar("SELECT count(*) FROM models")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(listings > 5_000, "the import committed: {listings} listings");
}

#[tokio::test]
async fn an_event_committed_just_before_a_kill_is_delivered_after_restart() {
    let database = fresh_database().await;
    let mut first = serve(&database, &[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    first.app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    // The receiver refuses the first attempt, so only a later one (made by
    // the restarted process) can succeed.
    let (url, received) = receiver(1).await;
    let webhook: Value = first
        .app
        .client
        .post(first.app.url(&format!("/v1/tenants/{tenant}/webhooks")))
        .bearer_auth(&admin)
        .json(&json!({"url": url, "event_types": ["enablement.suspended"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    enable_r1(&first.app, tenant).await;
    suspend_r1_everywhere(&first.app).await;
    // Killed the instant the approval is acknowledged: no shutdown at all.
    signal(&first.child, libc::SIGKILL);
    first.child.wait().unwrap();

    let pending: Vec<(String, Uuid)> =
        sqlx::query_as("SELECT d.status, d.event_id FROM webhook_deliveries d WHERE d.tenant_id = $1")
            .bind(tenant)
            .fetch_all(&first.app.pool)
            .await
            .unwrap();
    assert_eq!(
        pending.len(),
        1,
        "the event and its delivery committed with the approval"
    );
    assert_eq!(pending[0].0, "pending", "not delivered before the kill");
    let event = pending[0].1;

    let mut second = serve(&database, &[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let started = Instant::now();
    loop {
        let status: String = sqlx::query_scalar("SELECT status FROM webhook_deliveries WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&second.app.pool)
            .await
            .unwrap();
        if status == "delivered" {
            break;
        }
        // A delivery leased by the killed process is retried once its lease
        // (60 s) runs out; otherwise within seconds.
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "delivered after the restart"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let received = received.lock().unwrap().clone();
    let event_id = event.to_string();
    let copies: Vec<_> = received.iter().filter(|(_, id, _, _)| *id == event_id).collect();
    assert!(!copies.is_empty());
    for (signature, _, kind, body) in &copies {
        assert_eq!(kind, "enablement.suspended");
        assert!(signature_is_valid(&secret, signature, body));
    }
    eprintln!(
        "delivered after {:?}, {} attempts in all",
        started.elapsed(),
        copies.len()
    );
    signal(&second.child, libc::SIGTERM);
    second.child.wait().unwrap();
}

#[tokio::test]
async fn logs_are_json_lines_with_the_request_id_and_never_a_token_a_secret_or_a_password() {
    let database = fresh_database().await;
    // Trust authentication ignores the password, so one can be put in the
    // URL to see that it never reaches the log.
    let mut url = url::Url::parse(&database).unwrap();
    url.set_password(Some("db-password-kept-out-of-logs")).unwrap();
    let log_path = std::env::temp_dir().join(format!("modelmart-log-{}.jsonl", Uuid::new_v4()));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut process = serve_logging_to(
        url.as_str(),
        &[("MODELMART_LOG", "info"), ("MODELMART_SHUTDOWN_GRACE_MS", "0")],
        Some(log),
    )
    .await;
    let token = tenant_token("catalog.reader", Uuid::new_v4());
    let response = process
        .app
        .client
        .get(process.app.url("/v1/models"))
        .bearer_auth(&token)
        .header("x-request-id", "portal-req-7f3c2a")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "portal-req-7f3c2a");
    let forged = format!("{token}tampered");
    let refused = process.app.get("/v1/models", &forged).await;
    assert_eq!(refused.status(), 401);
    signal(&process.child, libc::SIGTERM);
    let _ = process.child.wait();

    let text = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    let lines: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON line: {line}")))
        .collect();
    assert!(
        lines.iter().any(|line| line["request_id"] == "portal-req-7f3c2a"
            && line["path"] == "/v1/models"
            && line["status"] == 200),
        "the request is logged with its id:\n{text}"
    );
    for secret in [
        token.as_str(),
        forged.as_str(),
        TEST_SECRET,
        "db-password-kept-out-of-logs",
    ] {
        assert!(
            !text.contains(secret),
            "the log holds a secret ({secret:.12}...):\n{text}"
        );
    }
    // The token's signature alone must not leak either.
    let signature = token.rsplit('.').next().unwrap();
    assert!(!text.contains(signature));
}
