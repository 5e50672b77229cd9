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
    let within = modelmart::refresher::VERSION_CHECK_INTERVAL * 3;
    let took = wait_for_name(&a, "openai/gpt-4o", "Quietly renamed", within).await;
    eprintln!("the version check found the change after {took:?}");
}

/// The catalog rows a fixture batch writes, applied to the database at
/// `pool` without going through any server.
async fn apply_fixtures(pool: &sqlx::PgPool) {
    let mut tx = pool.begin().await.unwrap();
    let actor = modelmart::domain::actor::Actor::system("test");
    modelmart::db::catalog_write::apply(&mut tx, &fixtures::catalog(), &actor, "test-fixture")
        .await
        .expect("apply the batch");
    tx.commit().await.unwrap();
}

/// Waits until a full load from the replica has brought `slug` in:
/// `wait_for_catalog` is not enough, as the primary's rules may already be
/// served over the replica's older content at the primary's version.
async fn wait_until_listed(app: &TestApp, slug: &str) {
    let staff = platform_token("catalog.admin");
    let started = std::time::Instant::now();
    while !listed(app, &staff).await.iter().any(|s| s == slug) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{slug} never arrived from the replica"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Waits until `token`'s discovery on `app` no longer lists `slug`, and
/// returns how long after `since` that was; fails past one second.
async fn delisted_within_a_second(
    app: &TestApp,
    token: &str,
    slug: &str,
    since: std::time::Instant,
) -> std::time::Duration {
    loop {
        if !listed(app, token).await.iter().any(|s| s == slug) {
            return since.elapsed();
        }
        assert!(
            since.elapsed() < std::time::Duration::from_secs(1),
            "{slug} was still listed a second after the hold's approval began"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

async fn listed(app: &TestApp, token: &str) -> Vec<String> {
    let (status, body) = app.get_json("/v1/models?limit=200", token).await;
    assert_eq!(status, 200);
    item_slugs(&body)
}

#[tokio::test]
async fn with_a_read_replica_the_catalog_comes_from_it_and_holds_from_the_primary_at_once() {
    let primary = fresh_database().await;
    // The "replica" is a copy of the primary; the test replicates by hand.
    let replica = copy_of_database(&primary).await;
    let app = spawn_app_on(&primary, &[("MODELMART_DATABASE_READ_URL", &replica)]).await;
    let staff = platform_token("catalog.admin");
    apply_fixtures(&app.pool).await;

    // The primary has the catalog, the replica not yet: the server keeps
    // serving what the replica has, and its metrics say it is behind.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert!(
        listed(&app, &staff).await.is_empty(),
        "catalog content is read from the replica"
    );
    let samples = scrape(&app).await;
    assert!(
        samples["modelmart_catalog_verified_age_seconds"] >= 2.0,
        "lag shows: {samples:?}"
    );

    // Replication catches up: the next check loads it.
    let replica_pool = sqlx::PgPool::connect(&replica).await.unwrap();
    apply_fixtures(&replica_pool).await;
    wait_until_listed(&app, "deepseek/deepseek-r1").await;
    let tenant = uuid::Uuid::new_v4();
    let reader = tenant_token("catalog.reader", tenant);
    assert!(listed(&app, &reader).await.contains(&"deepseek/deepseek-r1".to_owned()));

    // A hold approved on the primary is enforced at once, though the
    // replica never sees it: rules are read from the primary.
    let approved = std::time::Instant::now();
    suspend_r1_everywhere(&app).await;
    delisted_within_a_second(&app, &reader, "deepseek/deepseek-r1", approved).await;
    let holds_on_replica: i64 = sqlx::query_scalar("SELECT count(*) FROM compliance_holds")
        .fetch_one(&replica_pool)
        .await
        .unwrap();
    assert_eq!(holds_on_replica, 0);
}

#[tokio::test]
async fn a_database_restored_to_older_versions_is_served_as_it_now_is() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    // A restore, as the server sees it: other content under versions lower
    // than the ones it serves.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("UPDATE models SET name = 'GPT-4o (restored)' WHERE slug = 'openai/gpt-4o'")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE catalog_state SET version = 1, content_version = 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    wait_for_name(
        &app,
        "openai/gpt-4o",
        "GPT-4o (restored)",
        std::time::Duration::from_secs(5),
    )
    .await;
    app.wait_for_catalog().await;
}

#[tokio::test]
async fn with_a_read_replica_behind_on_content_a_hold_is_still_enforced_at_once() {
    let primary = fresh_database().await;
    let replica = copy_of_database(&primary).await;
    let app = spawn_app_on(&primary, &[("MODELMART_DATABASE_READ_URL", &replica)]).await;
    apply_fixtures(&app.pool).await;
    let replica_pool = sqlx::PgPool::connect(&replica).await.unwrap();
    apply_fixtures(&replica_pool).await;
    wait_until_listed(&app, "deepseek/deepseek-r1").await;

    // A content change reaches the primary but not the replica...
    sqlx::query("UPDATE models SET name = 'Renamed on the primary' WHERE slug = 'openai/gpt-4o'")
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // ...and then a hold is approved: it must not wait for the replica.
    let reader = tenant_token("catalog.reader", uuid::Uuid::new_v4());
    let approved = std::time::Instant::now();
    suspend_r1_everywhere(&app).await;
    delisted_within_a_second(&app, &reader, "deepseek/deepseek-r1", approved).await;
    assert_ne!(
        name_on(&app, "openai/gpt-4o").await,
        "Renamed on the primary",
        "content still from the replica"
    );
}

#[tokio::test]
async fn migrating_again_leaves_the_catalog_version_alone_so_no_replica_reloads() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let before: (i64, i64) = sqlx::query_as("SELECT version, content_version FROM catalog_state")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Every `modelmart serve` and `migrate` runs this at start.
    modelmart::db::migrate(&app.pool).await.unwrap();
    let after: (i64, i64) = sqlx::query_as("SELECT version, content_version FROM catalog_state")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_hold_approved_through_one_server_process_is_enforced_by_another_within_a_second() {
    let database = fresh_database().await;
    let a = serve(&database, &[("MODELMART_SHUTDOWN_GRACE_MS", "0")]).await;
    let b = serve(&database, &[("MODELMART_SHUTDOWN_GRACE_MS", "0")]).await;
    a.app.load_batch(&fixtures::catalog()).await;
    b.app.wait_for_catalog().await;
    // A tenant with R1 enabled, working through server B.
    let tenant = uuid::Uuid::new_v4();
    let reader = tenant_token("catalog.reader", tenant);
    enable_r1(&b.app, tenant).await;
    assert!(listed(&b.app, &reader)
        .await
        .contains(&"deepseek/deepseek-r1".to_owned()));

    // Officers approve a hold through server A.
    let approved = std::time::Instant::now();
    let hold = suspend_r1_everywhere(&a.app).await;
    let took = delisted_within_a_second(&b.app, &reader, "deepseek/deepseek-r1", approved).await;
    eprintln!("server B enforced the hold {took:?} after the approval on A");
    let (_, enablements) = b
        .app
        .get_json(&format!("/v1/tenants/{tenant}/enablements"), &reader)
        .await;
    assert_eq!(enablements["items"][0]["status"], "suspended");
    assert_eq!(enablements["items"][0]["suspended_by_hold_id"], hold.as_str());
}
