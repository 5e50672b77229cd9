//! PostgreSQL going away under load: the server answers 503 with
//! Retry-After (and stays alive), readiness fails while liveness holds, it
//! recovers by itself, and no write it acknowledged is lost or doubled: not
//! the enablements, and not a hold approved mid-outage with the
//! suspensions, audit events and outbox events it writes.
//!
//! The test runs its own PostgreSQL, so restarting it disturbs no other test.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use modelmart::embedded_pg::{free_port, EmbeddedOptions, EmbeddedPostgres};
use serde_json::{json, Value};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

async fn start_server(data_dir: std::path::PathBuf, port: u16) -> EmbeddedPostgres {
    EmbeddedPostgres::start(EmbeddedOptions {
        data_dir,
        port,
        durable: false,
    })
    .await
    .expect("start a private PostgreSQL")
}

/// One logical write: enable GPT-4o in eastus for a tenant of its own,
/// retried with the same idempotency key until the answer is definite.
async fn enable_until_definite(app: &TestApp, model: Uuid, refusals: &AtomicUsize) -> Option<(Uuid, Uuid)> {
    let tenant = Uuid::new_v4();
    let token = tenant_token("tenant.admin", tenant);
    let key = Uuid::new_v4().to_string();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        let response = app
            .client
            .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .timeout(Duration::from_secs(10))
            .json(&json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}))
            .send()
            .await;
        match response {
            Ok(response) if response.status() == 201 => {
                let body: Value = response.json().await.unwrap();
                return Some((tenant, body["id"].as_str().unwrap().parse().unwrap()));
            }
            Ok(response) if response.status() == 503 => {
                refusals.fetch_add(1, Ordering::SeqCst);
                assert!(
                    response.headers().contains_key("retry-after"),
                    "a 503 says when to retry"
                );
                let problem: Value = response.json().await.unwrap();
                assert_eq!(problem["code"], "service_unavailable", "{problem}");
            }
            Ok(response) => {
                let status = response.status();
                panic!("a write got {status}: {}", response.text().await.unwrap_or_default());
            }
            // The connection broke mid-request: the outcome is unknown, so
            // the retry with the same key must settle it.
            Err(_) => {
                refusals.fetch_add(1, Ordering::SeqCst);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// Whether a response settles a write: `Some(response)` when the server
/// answered something other than 503, `None` when it must be retried (503
/// with Retry-After, or the connection broke and the outcome is unknown).
async fn definite(response: reqwest::Result<reqwest::Response>) -> Option<reqwest::Response> {
    match response {
        Ok(response) if response.status() == 503 => {
            assert!(response.headers().contains_key("retry-after"));
            None
        }
        Ok(response) => Some(response),
        Err(_) => None,
    }
}

/// Officer alice proposes a hold suspending every enablement of `model`
/// (retried with one Idempotency-Key) and officer bob approves it (a retry
/// after a lost answer meets 409 and reads the hold to learn the outcome).
async fn suspend_until_definite(app: &TestApp, model: Uuid) -> Uuid {
    let deadline = Instant::now() + Duration::from_secs(60);
    let key = Uuid::new_v4().to_string();
    let (hold, etag): (Uuid, String) = loop {
        assert!(Instant::now() < deadline, "the proposal never settled");
        let response = app
            .client
            .post(app.url("/v1/admin/holds"))
            .bearer_auth(officer("alice"))
            .header("idempotency-key", &key)
            .timeout(Duration::from_secs(10))
            .json(&json!({
                "kind": "export_control", "legal_basis": "fault test", "public_notice": "Suspended for the fault test.",
                "scope": {"models": [model]},
                "effects": {"hide": true, "block_new": true, "suspend_existing": true}
            }))
            .send()
            .await;
        if let Some(response) = definite(response).await {
            assert_eq!(response.status(), 201, "proposal: {}", response.text().await.unwrap());
            let body: Value = response.json().await.unwrap();
            break (
                body["id"].as_str().unwrap().parse().unwrap(),
                body["etag"].as_str().unwrap().to_owned(),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    loop {
        assert!(Instant::now() < deadline, "the approval never settled");
        let response = app
            .client
            .post(app.url(&format!("/v1/admin/holds/{hold}/approve")))
            .bearer_auth(officer("bob"))
            .header("if-match", &etag)
            .timeout(Duration::from_secs(10))
            .json(&json!({}))
            .send()
            .await;
        if let Some(response) = definite(response).await {
            match response.status().as_u16() {
                200 => return hold,
                // An earlier try won: the hold has moved on (412) or is no
                // longer proposed (409).
                409 | 412 => {
                    let read = app
                        .client
                        .get(app.url(&format!("/v1/admin/holds/{hold}")))
                        .bearer_auth(officer("bob"))
                        .send()
                        .await;
                    if let Some(read) = definite(read).await {
                        let body: Value = read.json().await.unwrap();
                        assert_eq!(body["status"], "active", "a 409 or 412 only because an earlier try won");
                        return hold;
                    }
                }
                other => panic!("approval got {other}: {}", response.text().await.unwrap()),
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_repeated_database_restarts_exactly_once() {
    let data_dir = std::env::temp_dir().join(format!(
        "modelmart-test-{}-faults-{}",
        std::process::id(),
        Uuid::new_v4()
    ));
    let port = free_port().unwrap();
    let mut postgres = start_server(data_dir.clone(), port).await;
    let url = postgres.url("postgres");
    {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        modelmart::db::migrate(&pool).await.unwrap();
        pool.close().await;
    }
    let app = spawn_app_on(
        &url,
        &[
            ("MODELMART_DB_ACQUIRE_TIMEOUT_MS", "500"),
            ("MODELMART_DB_MAX_CONNECTIONS", "8"),
        ],
    )
    .await;
    app.load_batch(&fixtures::catalog()).await;
    let model: Uuid = sqlx::query_scalar("SELECT id FROM models WHERE slug = 'openai/gpt-4o'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Tenants on DeepSeek R1, which a hold approved mid-outage suspends.
    let r1: Uuid = sqlx::query_scalar("SELECT id FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut on_r1 = Vec::new();
    for _ in 0..24 {
        let unused = AtomicUsize::new(0);
        on_r1.push(
            enable_until_definite(&app, r1, &unused)
                .await
                .expect("enabled before the faults"),
        );
    }

    // A steady write load from four clients while the database restarts.
    let app = Arc::new(app);
    let running = Arc::new(AtomicBool::new(true));
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let refusals = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (app, running, acknowledged, refusals) =
                (app.clone(), running.clone(), acknowledged.clone(), refusals.clone());
            tokio::spawn(async move {
                while running.load(Ordering::SeqCst) {
                    let written = enable_until_definite(&app, model, &refusals)
                        .await
                        .expect("a write settles within a minute");
                    acknowledged.lock().await.push(written);
                }
            })
        })
        .collect();

    let approval = {
        let app = app.clone();
        tokio::spawn(async move {
            // Starts in the first outage, and retries through the others.
            while app.client.get(app.url("/readyz")).send().await.unwrap().status() != 503 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            suspend_until_definite(&app, r1).await
        })
    };
    for round in 0..3 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(
            postgres.stop_and_wait(Duration::from_secs(30)).await,
            "PostgreSQL stops"
        );
        // While it is down: alive, not ready, and writes are 503 (checked by
        // the writers); nothing panics.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
        let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503, "round {round}: not ready without a database");
        assert!(ready.headers().contains_key("retry-after"));
        let discovery = app.get("/v1/models", &platform_token("catalog.admin")).await;
        assert_eq!(discovery.status(), 200, "discovery is served from memory meanwhile");
        let samples = scrape(&app).await;
        assert_eq!(samples["modelmart_database_up"], 0.0, "metrics still answer, saying so");
        tokio::time::sleep(Duration::from_millis(700)).await;
        drop(postgres);
        postgres = start_server(data_dir.clone(), port).await;
    }
    // Recovery needs no help.
    let started = Instant::now();
    while app.client.get(app.url("/readyz")).send().await.unwrap().status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "ready again after the database returns"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::SeqCst);
    for writer in writers {
        writer.await.expect("no writer panicked");
    }
    let hold = approval.await.expect("the approval settled");

    let acknowledged = acknowledged.lock().await.clone();
    let refusals = refusals.load(Ordering::SeqCst);
    eprintln!(
        "{} writes acknowledged; {refusals} attempts refused with 503 or cut off",
        acknowledged.len()
    );
    assert!(acknowledged.len() >= 20, "a steady load: {} writes", acknowledged.len());
    assert!(refusals > 0, "the restarts were felt by the writers");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for (tenant, id) in &acknowledged {
        let rows: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM enablements WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(rows, vec![*id], "tenant {tenant}: its acknowledged enablement, once");
        let audits: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_events WHERE action = 'enablement.created' AND target_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(audits, 1, "enablement {id} has exactly one audit event");
    }
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM enablements e WHERE NOT EXISTS (
             SELECT 1 FROM audit_events a WHERE a.action = 'enablement.created' AND a.target_id = e.id::text)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0, "no enablement lacks its audit event");

    // The hold approved through the outages: once, with every suspension it
    // made audited and announced exactly once.
    let approvals: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'hold.approved'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let holds: i64 = sqlx::query_scalar("SELECT count(*) FROM compliance_holds")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((holds, approvals), (1, 1), "one hold, approved once");
    for (tenant, id) in &on_r1 {
        let (status, by): (String, Option<Uuid>) =
            sqlx::query_as("SELECT status, suspended_by_hold_id FROM enablements WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), by), ("suspended", Some(hold)), "enablement {id}");
        let audits: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM audit_events WHERE action = 'enablement.suspended' AND target_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        let events: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM outbox_events
             WHERE event_type = 'enablement.suspended' AND tenant_id = $1 AND payload->>'enablement_id' = $2",
        )
        .bind(tenant)
        .bind(id.to_string())
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            (audits, events),
            (1, 1),
            "enablement {id}: one audit event, one outbox event"
        );
    }
    let unannounced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM enablements e WHERE e.status = 'suspended' AND NOT EXISTS (
             SELECT 1 FROM outbox_events o WHERE o.event_type = 'enablement.suspended'
                 AND o.tenant_id = e.tenant_id AND o.payload->>'enablement_id' = e.id::text)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(unannounced, 0, "no suspended enablement lacks its outbox event");
    let verify = app
        .get("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    let report: Value = verify.json().await.unwrap();
    assert!(report["verified"] == true, "the audit chains verify: {report}");
    pool.close().await;
    drop(postgres);
    let _ = std::fs::remove_dir_all(&data_dir);
}

#[tokio::test]
async fn a_pooled_connection_the_database_closed_while_it_sat_idle_is_replaced_before_it_is_used() {
    let app = spawn_app().await;
    let settings = test_settings(&app.database_url, &[("MODELMART_DB_MAX_CONNECTIONS", "1")]);
    let pool = modelmart::db::connect(&app.database_url, &settings.database)
        .await
        .unwrap();
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .unwrap();
    let closed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(backend)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(closed);
    // Idle past the point where the pool checks a connection before use.
    tokio::time::sleep(Duration::from_millis(1_200)).await;

    let replaced: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&pool)
        .await
        .expect("the closed connection was handed out");
    assert_ne!(replaced, backend);
}
