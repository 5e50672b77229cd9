use serde_json::Value;

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

/// Sends raw bytes (optionally stopping before the head ends) and reads the
/// whole answer, which the server ends by closing the connection.
async fn raw_exchange(app: &TestApp, request: &[u8]) -> (String, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    // The server may answer and close before all of it is sent.
    let _ = stream.write_all(request).await;
    // Closing with part of the request unread, the server's kernel may
    // reset the connection once the answer is out: keep what arrived.
    let mut response = Vec::new();
    let read = async {
        let mut chunk = [0u8; 4096];
        while let Ok(n @ 1..) = stream.read(&mut chunk).await {
            response.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), read)
        .await
        .expect("the server answers and closes");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("a head and a body: {text:?}"));
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"));
    let declared = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .expect("a content-length");
    assert_eq!(
        declared.parse::<usize>().unwrap(),
        text.len() - head.len() - 4,
        "{text}"
    );
    (head.to_owned(), body)
}

#[tokio::test]
async fn requests_the_http_codec_refuses_itself_are_answered_with_problem_json() {
    let app = spawn_app().await;
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: modelmart\r\nX-Padding: {}\r\n\r\n",
        "a".repeat(200_000)
    );
    let long_uri = format!(
        "GET /v1/models?q={} HTTP/1.1\r\nHost: modelmart\r\n\r\n",
        "a".repeat(70_000)
    );
    let bad_framing = "POST /v1/admin/models HTTP/1.1\r\nHost: modelmart\r\nContent-Length: 5\r\n\
                       Transfer-Encoding: chunked\r\n\r\nhello";
    let slow_head = "GET /healthz HTTP/1.1\r\nHost: modelmart\r\n";
    for (request, status, code) in [
        (huge_header.as_str(), "431", "headers_too_large"),
        (long_uri.as_str(), "400", "malformed_request"),
        (bad_framing, "400", "malformed_request"),
        (slow_head, "408", "request_timeout"),
    ] {
        let (head, body) = raw_exchange(&app, request.as_bytes()).await;
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(head.contains("content-type: application/problem+json"), "{head}");
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"].to_string(), status);
        assert_eq!(body["type"], format!("urn:modelmart:problem:{code}"));
        assert!(!body["detail"].as_str().unwrap().is_empty());
    }
    // And the server goes on answering normally.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}
