//! What every response carries: security headers, CORS for configured
//! portal origins, and per-caller rate limits.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

const PORTAL: &str = "https://portal.example.com";

#[tokio::test]
async fn every_response_says_nosniff_and_authenticated_answers_are_not_stored() {
    let app = spawn_app().await;
    let staff = platform_token("catalog.admin");
    let cases = [
        ("/healthz", None, 200, None),
        ("/v1/regions", Some(staff.as_str()), 200, Some("no-store")),
        ("/v1/models", Some(staff.as_str()), 200, Some("private, no-cache")),
        ("/v1/models?limit=abc", Some(staff.as_str()), 400, Some("no-store")),
        ("/v1/models", Some("not-a-token"), 401, Some("no-store")),
        ("/v1/nowhere", Some(staff.as_str()), 404, Some("no-store")),
    ];
    for (path, token, status, cache_control) in cases {
        let mut request = app.client.get(app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{path}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            response.headers().get("cache-control").map(|v| v.to_str().unwrap()),
            cache_control,
            "{path}"
        );
    }
}

#[tokio::test]
async fn a_configured_portal_origin_passes_cors_and_any_other_origin_does_not() {
    let app = spawn_app_with(&[(
        "MODELMART_CORS_ORIGINS",
        "https://portal.example.com, https://admin.example.com",
    )])
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/v1/models"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight(PORTAL).await.unwrap();
    assert_eq!(allowed.status(), 204);
    assert_eq!(allowed.headers()["access-control-allow-origin"], PORTAL);
    let headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        headers.contains("Authorization") && headers.contains("If-Match"),
        "{headers}"
    );

    let refused = preflight("https://evil.example.net").await.unwrap();
    assert_problem(refused, 403, "origin_not_allowed").await;

    let response = app
        .client
        .get(app.url("/v1/models"))
        .bearer_auth(platform_token("catalog.admin"))
        .header("origin", PORTAL)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], PORTAL);
    assert!(response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .contains("ETag"));
    let response = app
        .client
        .get(app.url("/v1/models"))
        .bearer_auth(platform_token("catalog.admin"))
        .header("origin", "https://portal.example.com.evil.example.net")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

fn token_for(tenant: Uuid, subject: &str) -> String {
    let mut claims = claims(&["catalog.reader"], Some(tenant));
    claims["sub"] = json!(subject);
    sign_hs256(&claims)
}

#[tokio::test]
async fn a_caller_over_its_rate_gets_429_with_retry_after_and_other_callers_are_unaffected() {
    let app = spawn_app_with(&[
        ("MODELMART_RATE_LIMIT_PER_SECOND", "1"),
        ("MODELMART_RATE_LIMIT_BURST", "3"),
    ])
    .await;
    let tenant = Uuid::new_v4();
    let (alice, bob) = (token_for(tenant, "alice"), token_for(tenant, "bob"));
    for _ in 0..3 {
        assert_eq!(app.get("/v1/regions", &alice).await.status(), 200);
    }
    // Another client address changes nothing: the limit follows the caller.
    let limited = app
        .client
        .get(app.url("/v1/regions"))
        .bearer_auth(&alice)
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "Retry-After {retry_after}");
    assert_problem(limited, 429, "rate_limited").await;
    assert_eq!(
        app.get("/v1/regions", &bob).await.status(),
        200,
        "another user of the same tenant has its own budget"
    );
    // Refused tokens are not counted against anyone, and are still 401.
    assert_eq!(app.get("/v1/regions", "garbage").await.status(), 401);
    assert!(
        eventually(std::time::Duration::from_secs(3), || async {
            app.get("/v1/regions", &alice).await.status() == 200
        })
        .await,
        "the budget refills"
    );
}

/// Sends a chunked JSON body of `total` bytes over a raw connection and
/// returns the status line, so no client library smooths anything over.
async fn post_chunked(app: &TestApp, path: &str, token: &str, total: usize) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = 0;
    while sent < total {
        let frame = format!("{:x}\r\n", chunk.len());
        // The server may answer and close before the body is all sent.
        if stream.write_all(frame.as_bytes()).await.is_err()
            || stream.write_all(&chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_and_changes_nothing() {
    let app = spawn_app_with(&[("MODELMART_MAX_BODY_BYTES", "65536")]).await;
    let tenant = Uuid::new_v4();
    let token = tenant_token("tenant.admin", tenant);
    let status = post_chunked(&app, &format!("/v1/tenants/{tenant}/enablements"), &token, 1024 * 1024).await;
    assert!(status.contains(" 413 "), "{status}");
    let enablements: i64 = sqlx::query_scalar("SELECT count(*) FROM enablements")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(enablements, 0);
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_the_body_is_sent() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app_with(&[("MODELMART_MAX_BODY_BYTES", "65536")]).await;
    let tenant = Uuid::new_v4();
    let token = tenant_token("tenant.admin", tenant);
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Only the head goes out: a server that waited for ten megabytes before
    // judging them would never answer.
    let head = format!(
        "POST /v1/tenants/{tenant}/enablements HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: 10485760\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), stream.read_to_end(&mut response))
        .await
        .expect("the server answers without waiting for the body")
        .unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(response.contains("application/problem+json"), "{response}");
    assert!(response.contains("the limit is 65536"), "{response}");
}
