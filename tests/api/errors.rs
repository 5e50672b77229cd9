use crate::helpers::*;

#[tokio::test]
async fn an_unknown_route_answers_404_problem_json() {
    let app = spawn_app().await;
    let response = app.get("/v1/nothing-here", &platform_token("catalog.admin")).await;
    let body = assert_problem(response, 404, "route_not_found").await;
    assert_eq!(body["instance"], "/v1/nothing-here");
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_answers_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/v1/models"))
        .bearer_auth(platform_token("catalog.admin"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET, HEAD");
    assert_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn responses_carry_the_callers_request_id_or_a_fresh_one() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-123");
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.headers()["x-request-id"].len(), 36);
}

#[tokio::test]
async fn health_holds_and_readiness_reports_the_catalog_version() {
    let app = spawn_app().await;
    let (status, body) = app.get_json("/healthz", "").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    assert!(body["catalog_version"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn readiness_fails_when_the_schema_is_behind() {
    let app = spawn_app().await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT max(version) FROM _sqlx_migrations)")
        .execute(&app.pool)
        .await
        .unwrap();
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "2");
    assert_problem(response, 503, "service_unavailable").await;
}

#[tokio::test]
async fn the_docs_ui_is_served() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn text_postgresql_cannot_store_is_refused_at_the_edge_naming_where_it_was() {
    let app = spawn_app().await;
    // A query parameter: 400, whichever operation.
    let response = app
        .get("/v1/admin/audit-events?actor=%00", &platform_token("auditor"))
        .await;
    let problem = assert_problem(response, 400, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["field"], "actor");
    // A body: 422 naming the field, deep in it.
    let response = app
        .post_json(
            "/v1/admin/holds",
            &officer("alice"),
            serde_json::json!({
                "kind": "legal", "legal_basis": "basis", "public_notice": "notice",
                "scope": {"models": ["deepseek/deepseek-r1", "bad\u{0}slug"]},
                "effects": {"hide": true}
            }),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "scope.models[1]");
    let tenant = uuid::Uuid::new_v4();
    let response = app
        .post_json(
            &format!("/v1/tenants/{tenant}/webhooks"),
            &tenant_token("tenant.admin", tenant),
            serde_json::json!({"url": "https://hooks.example.com/x", "event_types": ["model.delisted"], "description": "a\u{0}b"}),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "description");
    // A token whose subject the audit log could not store: 401, not a 500
    // at its first write.
    let mut claims = claims(&["tenant.admin"], Some(tenant));
    claims["sub"] = serde_json::json!("mallory\u{0}");
    let response = app.get("/v1/regions", &sign_hs256(&claims)).await;
    assert_problem(response, 401, "invalid_token").await;
    for table in ["compliance_holds", "webhook_subscriptions"] {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(rows, 0, "{table}: nothing changed");
    }
}
