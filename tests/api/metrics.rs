use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::json;
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

fn value(samples: &HashMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no {series} among {:#?}", samples.keys().collect::<Vec<_>>()))
}

#[tokio::test]
async fn requests_are_counted_and_timed_by_route_template_and_status() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let reader = tenant_token("catalog.reader", Uuid::new_v4());
    for _ in 0..3 {
        assert_eq!(app.get("/v1/models?publisher=deepseek", &reader).await.status(), 200);
    }
    assert_eq!(app.get("/v1/models/no-such-model", &reader).await.status(), 404);
    assert_eq!(
        app.get("/v1/models/deepseek%2Fdeepseek-r1", &reader).await.status(),
        200
    );
    assert_eq!(app.get("/v1/models", "not-a-token").await.status(), 401);
    assert_eq!(app.get("/wp-admin/secret-path", &reader).await.status(), 404);

    let samples = scrape(&app).await;
    // The same page three times, on one snapshot: computed at the first
    // request, computed and kept at the second, found at the third.
    assert_eq!(
        value(
            &samples,
            r#"modelmart_discovery_page_cache_lookups_total{outcome="hit"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            r#"modelmart_discovery_page_cache_lookups_total{outcome="miss"}"#
        ),
        2.0
    );
    let listing = r#"method="GET",route="/v1/models",status="200""#;
    assert_eq!(
        value(&samples, &format!("modelmart_http_requests_total{{{listing}}}")),
        3.0
    );
    assert_eq!(
        value(
            &samples,
            &format!("modelmart_http_request_duration_seconds_count{{{listing}}}")
        ),
        3.0
    );
    assert_eq!(
        value(
            &samples,
            &format!("modelmart_http_request_duration_seconds_bucket{{{listing},le=\"+Inf\"}}")
        ),
        3.0
    );
    assert!(
        value(
            &samples,
            &format!("modelmart_http_request_duration_seconds_sum{{{listing}}}")
        ) > 0.0
    );
    let detail = r#"route="/v1/models/{id_or_slug}""#;
    assert_eq!(
        value(
            &samples,
            &format!("modelmart_http_requests_total{{method=\"GET\",{detail},status=\"404\"}}")
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            &format!("modelmart_http_requests_total{{method=\"GET\",{detail},status=\"200\"}}")
        ),
        1.0,
        "an encoded slug is still the one route template"
    );
    assert_eq!(
        value(
            &samples,
            r#"modelmart_http_requests_total{method="GET",route="/v1/models",status="401"}"#
        ),
        1.0,
        "a request refused before its handler still counts under its route"
    );
    assert_eq!(
        value(
            &samples,
            r#"modelmart_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        1.0
    );
    assert!(
        samples.keys().all(|series| !series.contains("wp-admin")),
        "raw paths never become labels"
    );
}

#[tokio::test]
async fn metrics_report_the_pool_the_snapshot_holds_and_the_outbox() {
    let app = spawn_app_with(&[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    app.load_batch(&fixtures::catalog()).await;
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "modelmart_database_up"), 1.0);
    let (_, ready) = app.get_json("/readyz", "").await;
    assert_eq!(
        value(&samples, "modelmart_catalog_snapshot_version"),
        ready["catalog_version"].as_f64().unwrap()
    );
    assert_eq!(
        value(&samples, "modelmart_catalog_listings"),
        fixtures::catalog().models.len() as f64
    );
    assert!(value(&samples, "modelmart_catalog_verified_age_seconds") < 10.0);
    assert!(value(&samples, "modelmart_catalog_snapshot_age_seconds") < 30.0);
    assert!(value(&samples, r#"modelmart_catalog_reloads_total{kind="full"}"#) >= 2.0);
    assert!(value(&samples, "modelmart_db_pool_max_connections") >= 1.0);
    let connections = value(&samples, r#"modelmart_db_pool_connections{state="in_use"}"#)
        + value(&samples, r#"modelmart_db_pool_connections{state="idle"}"#);
    assert!(connections >= 1.0, "the scrape itself used a connection");
    assert_eq!(value(&samples, r#"modelmart_holds{status="active"}"#), 0.0);
    assert_eq!(value(&samples, "modelmart_outbox_pending_deliveries"), 0.0);
    assert_eq!(value(&samples, "modelmart_catalog_holds_enforced"), 0.0);

    // A tenant with a webhook whose receiver fails once, then a hold that
    // suspends the tenant's enablement.
    let tenant = Uuid::new_v4();
    let (url, received) = receiver(1).await;
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/webhooks")))
        .bearer_auth(tenant_token("tenant.admin", tenant))
        .json(&json!({"url": url, "event_types": ["enablement.suspended"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    enable_r1(&app, tenant).await;
    let version_before = value(&samples, "modelmart_catalog_snapshot_version");
    suspend_r1_everywhere(&app).await;

    let samples = scrape(&app).await;
    assert_eq!(value(&samples, r#"modelmart_holds{status="active"}"#), 1.0);
    assert_eq!(value(&samples, r#"modelmart_holds{status="proposed"}"#), 0.0);
    assert_eq!(
        value(&samples, "modelmart_outbox_pending_deliveries"),
        1.0,
        "the suspension waits for its webhook (the first attempt fails, the retry is 2 s away)"
    );
    assert!(value(&samples, "modelmart_catalog_snapshot_version") > version_before);
    assert_eq!(value(&samples, "modelmart_catalog_holds_enforced"), 1.0);
    assert!(value(&samples, r#"modelmart_catalog_reloads_total{kind="rules"}"#) >= 1.0);

    let deadline = Instant::now() + Duration::from_secs(15);
    while received.lock().unwrap().len() < 2 {
        assert!(Instant::now() < deadline, "the retry never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The attempt is recorded just after the receiver answers.
    let deadline = Instant::now() + Duration::from_secs(5);
    let samples = loop {
        let samples = scrape(&app).await;
        if value(
            &samples,
            r#"modelmart_webhook_delivery_attempts_total{outcome="delivered"}"#,
        ) == 1.0
            || Instant::now() > deadline
        {
            break samples;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        value(
            &samples,
            r#"modelmart_webhook_delivery_attempts_total{outcome="delivered"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            r#"modelmart_webhook_delivery_attempts_total{outcome="retrying"}"#
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            r#"modelmart_webhook_delivery_attempts_total{outcome="abandoned"}"#
        ),
        0.0
    );
    assert_eq!(value(&samples, "modelmart_outbox_pending_deliveries"), 0.0);
    assert_eq!(value(&samples, "modelmart_outbox_oldest_pending_age_seconds"), 0.0);
}
