use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

/// Rows whose hash or link does not verify, by sequence number.
async fn broken_links(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT seq FROM (
             SELECT seq, hash, prev_hash, lag(hash) OVER (ORDER BY seq) AS previous, lag(seq) OVER (ORDER BY seq) AS previous_seq,
                    audit_event_hash(seq, id, occurred_at, actor, actor_roles, tenant_id, action, target_type,
                                     target_id, before, after, reason, request_id, prev_hash) AS recomputed
             FROM audit_events) chain
         WHERE hash <> recomputed
            OR (previous IS NULL AND (seq <> 1 OR prev_hash <> decode(repeat('00', 32), 'hex')))
            OR (previous IS NOT NULL AND (prev_hash <> previous OR seq <> previous_seq + 1))
         ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn each_state_change_leaves_exactly_one_audit_event_and_the_chain_verifies() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let staff = platform_token("catalog.admin");

    // tenant.provisioned
    let response = app.get(&format!("/v1/tenants/{tenant}/policy"), &admin).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    // tenant_policy.replaced
    let response = app
        .client
        .put(app.url(&format!("/v1/tenants/{tenant}/policy")))
        .bearer_auth(&admin)
        .header("if-match", etag)
        .header("x-request-id", "audit-test-1")
        .json(&json!({"ga_only": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // enablement.created, enablement.disabled
    let model: Uuid = sqlx::query_scalar("SELECT id FROM models WHERE slug = 'openai/gpt-4o'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let created: Value = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
        .bearer_auth(&admin)
        .json(&json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .delete(app.url(&format!(
            "/v1/tenants/{tenant}/enablements/{}",
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    // model.updated
    let response = app.get(&format!("/v1/models/{model}"), &staff).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .patch(app.url(&format!("/v1/admin/models/{model}")))
        .bearer_auth(&staff)
        .header("if-match", etag)
        .json(&json!({"description": "Updated."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // refusals change nothing and leave nothing
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
        .bearer_auth(&admin)
        .json(&json!({"model_id": Uuid::new_v4(), "region": "eastus", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT action, count(*) FROM audit_events GROUP BY action ORDER BY action")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let counts: Vec<(&str, i64)> = counts.iter().map(|(a, c)| (a.as_str(), *c)).collect();
    assert_eq!(
        counts,
        [
            ("catalog.imported", 1),
            ("enablement.created", 1),
            ("enablement.disabled", 1),
            ("model.updated", 1),
            ("tenant.provisioned", 1),
            ("tenant_policy.replaced", 1),
        ]
    );
    let request_id: Option<String> =
        sqlx::query_scalar("SELECT request_id FROM audit_events WHERE action = 'tenant_policy.replaced'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(request_id.as_deref(), Some("audit-test-1"));
    assert_eq!(broken_links(&app).await, Vec::<i64>::new());
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_and_a_forced_edit_breaks_the_chain_there() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    for _ in 0..3 {
        let _ = app
            .get("/v1/models", &tenant_token("catalog.reader", Uuid::new_v4()))
            .await;
    }
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
        .execute(&app.pool)
        .await;
    assert!(update.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err(), "deletes are refused");
    assert!(broken_links(&app).await.is_empty());

    // Only by switching the guard off (a superuser's act) can a row change,
    // and then the chain names it.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(broken_links(&app).await, [3]);
}

#[tokio::test]
async fn auditors_list_events_by_filter_and_cursor_and_verify_the_chain_over_http_and_the_cli() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenants: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for tenant in &tenants {
        let _ = app.get("/v1/regions", &tenant_token("catalog.reader", *tenant)).await;
    }
    let auditor = platform_token("auditor");
    let (status, page) = app
        .get_json("/v1/admin/audit-events?action=tenant.provisioned&limit=2", &auditor)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = app
        .get_json(
            &format!("/v1/admin/audit-events?action=tenant.provisioned&limit=2&cursor={cursor}"),
            &auditor,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    let (_, one) = app
        .get_json(&format!("/v1/admin/audit-events?tenant_id={}", tenants[1]), &auditor)
        .await;
    assert_eq!(one["items"][0]["target_id"], tenants[1].to_string());
    assert_eq!(one["items"][0]["hash"].as_str().unwrap().len(), 64);
    let response = app.get("/v1/admin/audit-events?since=yesterday", &auditor).await;
    assert_problem(response, 400, "invalid_parameter").await;

    let (_, report) = app.get_json("/v1/admin/audit-events/verify", &auditor).await;
    assert_eq!(report, json!({"verified": true, "events": 4, "first_broken_seq": null}));

    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (_, report) = app.get_json("/v1/admin/audit-events/verify", &auditor).await;
    assert_eq!(report["verified"], false);
    assert_eq!(report["first_broken_seq"], 3);

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.database_url)
        .env("MODELMART_LOG", "error")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("BROKEN at seq 3"), "{stdout}");
}

#[tokio::test]
async fn the_application_role_can_append_to_the_audit_log_but_not_change_or_unguard_it() {
    let app = spawn_app().await;
    let _ = app
        .get("/v1/regions", &tenant_token("catalog.reader", Uuid::new_v4()))
        .await;
    let role = format!("mm_app_test_{}", Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'app-test-password' IN ROLE modelmart_app"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
    let mut url = url::Url::parse(&app.database_url).unwrap();
    url.set_username(&role).unwrap();
    url.set_password(Some("app-test-password")).unwrap();
    let as_app = sqlx::PgPool::connect(url.as_str()).await.unwrap();

    let appended: i64 = sqlx::query_scalar(
        "SELECT append_audit_event(gen_random_uuid(), 'test', '{}', NULL, 'test.appended', 'test', 'x', NULL, NULL, NULL, NULL)",
    )
    .fetch_one(&as_app)
    .await
    .unwrap();
    assert!(appended >= 2);
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory'")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(update.to_string().contains("permission denied"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_events")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("permission denied"), "{delete}");
    let unguard = sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(unguard.to_string().contains("must be owner"), "{unguard}");
    as_app.close().await;
    sqlx::query(&format!("DROP ROLE {role}"))
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_service_starts_and_serves_writes_as_the_application_role_once_migrated() {
    let database_url = fresh_database().await;
    let admin = sqlx::PgPool::connect(&database_url).await.unwrap();
    let role = format!("mm_app_serve_{}", Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'app-test-password' IN ROLE modelmart_app"
    ))
    .execute(&admin)
    .await
    .unwrap();
    let mut url = url::Url::parse(&database_url).unwrap();
    url.set_username(&role).unwrap();
    url.set_password(Some("app-test-password")).unwrap();
    let as_app = sqlx::PgPool::connect(url.as_str()).await.unwrap();
    assert!(
        modelmart::db::migrate(&as_app).await.is_err(),
        "the role may not run migrations"
    );
    modelmart::db::prepare(&as_app)
        .await
        .expect("serving needs nothing the role may not do once migrated");
    as_app.close().await;

    let app = spawn_app_on(url.as_str(), &[]).await;
    app.load_batch(&crate::fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    enable_r1(&app, tenant).await;
    suspend_r1_everywhere(&app).await;
    let (status, events) = app
        .get_json(
            &format!("/v1/tenants/{tenant}/events"),
            &tenant_token("catalog.reader", tenant),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(events["items"][0]["type"], "enablement.suspended");
    let verify = app
        .get("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    let report: Value = verify.json().await.unwrap();
    assert!(report["first_broken_seq"].is_null(), "{report}");
    app.pool.close().await;
    admin.close().await;
}
