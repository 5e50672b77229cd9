use serde_json::{json, Value};

use crate::fixtures;
use crate::helpers::*;

async fn name_on(app: &TestApp, slug: &str) -> String {
    let (_, body) = app
        .get_json(
            &format!("/v1/models/{}", slug.replace('/', "%2F")),
            &platform_token("catalog.admin"),
        )
        .await;
    body["name"].as_str().unwrap_or_default().to_owned()
}

async fn wait_for_name(app: &TestApp, slug: &str, wanted: &str, within: std::time::Duration) -> std::time::Duration {
    let started = std::time::Instant::now();
    loop {
        if name_on(app, slug).await == wanted {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{slug} did not become {wanted:?} within {within:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_change_made_through_one_server_is_served_by_another_within_a_second() {
    let a = spawn_app().await;
    a.load_batch(&fixtures::catalog()).await;
    let b = spawn_app_on(&a.database_url, &[]).await;
    b.wait_for_catalog().await;
    let response = a
        .get("/v1/models/openai%2Fgpt-4o", &platform_token("catalog.admin"))
        .await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = a
        .client
        .patch(a.url(&format!("/v1/admin/models/{id}")))
        .bearer_auth(platform_token("catalog.admin"))
        .header("if-match", etag)
        .json(&json!({"name": "GPT-4o (renamed)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let took = wait_for_name(
        &b,
        "openai/gpt-4o",
        "GPT-4o (renamed)",
        std::time::Duration::from_secs(1),
    )
    .await;
    eprintln!("server B served the change after {took:?}");
}

#[tokio::test]
async fn a_change_whose_notification_is_lost_is_found_by_the_version_check() {
    let a = spawn_app().await;
    a.load_batch(&fixtures::catalog()).await;
    // A change that sends no notification: triggers off for this session,
    // the version bumped by hand, as if the NOTIFY had been lost.
    let mut tx = a.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE models SET name = 'Quietly renamed', row_version = row_version + 1 WHERE slug = 'openai/gpt-4o'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("UPDATE catalog_state SET version = version + 1, content_version = version + 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let within = modelmart::catalog::VERSION_CHECK_INTERVAL * 3;
    let took = wait_for_name(&a, "openai/gpt-4o", "Quietly renamed", within).await;
    eprintln!("the version check found the change after {took:?}");
}
