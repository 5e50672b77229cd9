use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

#[tokio::test]
async fn each_tenant_pulls_its_own_events_and_the_broadcasts() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let (affected, bystander) = (Uuid::new_v4(), Uuid::new_v4());
    enable_r1(&app, affected).await;
    let _ = app.get("/v1/regions", &tenant_token("catalog.reader", bystander)).await;
    suspend_r1_everywhere(&app).await;

    let (status, feed) = app
        .get_json(
            &format!("/v1/tenants/{affected}/events"),
            &tenant_token("catalog.reader", affected),
        )
        .await;
    assert_eq!(status, 200);
    let types: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["enablement.suspended", "model.delisted"]);
    assert_eq!(
        feed["items"][0]["data"]["hold"]["public_notice"],
        "Unavailable under sanctions rules."
    );
    assert!(!feed.to_string().contains("internal"), "no legal basis in events");

    let (_, other) = app
        .get_json(
            &format!("/v1/tenants/{bystander}/events"),
            &tenant_token("catalog.reader", bystander),
        )
        .await;
    let types: Vec<&str> = other["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["model.delisted"], "only the broadcast");

    // Resuming from the cursor returns nothing new, and keeps the cursor.
    let cursor = feed["next_cursor"].as_str().unwrap();
    let (_, after) = app
        .get_json(
            &format!("/v1/tenants/{affected}/events?cursor={cursor}"),
            &tenant_token("catalog.reader", affected),
        )
        .await;
    assert_eq!(after["items"].as_array().unwrap().len(), 0);
    assert_eq!(after["next_cursor"], cursor);
}

#[tokio::test]
async fn a_webhook_gets_each_event_signed_and_retried_until_it_is_accepted() {
    let app = spawn_app_with(&[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let (url, received) = receiver(1).await;
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/webhooks")))
        .bearer_auth(&admin)
        .json(&json!({"url": url, "event_types": ["enablement.suspended"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let webhook: Value = response.json().await.unwrap();
    let secret = webhook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let (_, listed) = app.get_json(&format!("/v1/tenants/{tenant}/webhooks"), &admin).await;
    assert!(listed["items"][0].get("secret").is_none(), "the secret is shown once");

    enable_r1(&app, tenant).await;
    suspend_r1_everywhere(&app).await;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while received.lock().unwrap().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "two attempts expected");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let calls = received.lock().unwrap().clone();
    for (signature, event_id, event_type, body) in &calls {
        let (t, v1) = signature.split_once(',').unwrap();
        let timestamp = t.strip_prefix("t=").unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        assert_eq!(
            v1.strip_prefix("v1=").unwrap(),
            hex::encode(mac.finalize().into_bytes()),
            "valid signature"
        );
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["id"].as_str().unwrap(), event_id, "the event id is stable");
        assert_eq!(event_type, "enablement.suspended");
        assert_eq!(payload["tenant_id"], tenant.to_string());
    }
    assert_eq!(calls[0].1, calls[1].1, "a retry carries the same event id");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let (status, attempts): (String, i32) =
            sqlx::query_as("SELECT status, attempts FROM webhook_deliveries WHERE tenant_id = $1")
                .bind(tenant)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        if status == "delivered" {
            assert_eq!(attempts, 2);
            break;
        }
        assert!(std::time::Instant::now() < deadline, "delivery recorded as delivered");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let log: Vec<Option<i32>> =
        sqlx::query_scalar("SELECT status_code FROM webhook_delivery_attempts WHERE tenant_id = $1 ORDER BY attempt")
            .bind(tenant)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(log, [Some(500), Some(204)]);
}

#[tokio::test]
async fn webhook_urls_must_be_https_and_public_outside_development() {
    let app = spawn_app().await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    for url in [
        "http://hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://[::1]/x",
        "https://10.0.0.8/x",
        "https://169.254.169.254/latest",
        // IPv6 forms that embed an IPv4 address reach that address.
        "https://[64:ff9b::7f00:1]/x",
        "https://[2002:7f00:1::]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[::127.0.0.1]/x",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",
        "https://hooks.example.com:0/x",
    ] {
        let response = app
            .client
            .post(app.url(&format!("/v1/tenants/{tenant}/webhooks")))
            .bearer_auth(&admin)
            .json(&json!({"url": url, "event_types": ["model.delisted"]}))
            .send()
            .await
            .unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/webhooks")))
        .bearer_auth(&admin)
        .json(&json!({"url": "https://127.0.0.1/x", "event_types": ["nothing.happened"]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "event_types[0]"]);
}
