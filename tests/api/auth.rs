use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

async fn assert_refused(app: &TestApp, token: &str) -> Value {
    let response = app.get("/v1/models", token).await;
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned())
        .expect("a WWW-Authenticate challenge");
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert_problem(response, 401, "invalid_token").await
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn a_request_without_a_token_gets_401_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/v1/models")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer realm=\"modelmart\"");
    assert_problem(response, 401, "unauthenticated").await;
}

#[tokio::test]
async fn a_malformed_token_gets_401() {
    let app = spawn_app().await;
    for token in ["not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"] {
        assert_refused(&app, token).await;
    }
    let response = app
        .client
        .get(app.url("/v1/models"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_problem(response, 401, "invalid_token").await;
}

#[tokio::test]
async fn a_tampered_token_gets_401() {
    let app = spawn_app().await;
    let token = sign_hs256(&claims(&["catalog.admin"], None));
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Swap the payload for one claiming more, keeping the old signature.
    use base64::Engine;
    let mut forged = claims(&["catalog.admin", "platform.admin"], None);
    forged["sub"] = json!("mallory");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
    let body = assert_refused(&app, &parts.join(".")).await;
    assert!(body["detail"].as_str().unwrap().contains("signature"));
    // And a token signed with another secret.
    let other = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims(&["catalog.admin"], None),
        &EncodingKey::from_secret(b"another-secret-another-secret-0123456789").unwrap(),
    )
    .unwrap();
    assert_refused(&app, &other).await;
}

#[tokio::test]
async fn an_expired_token_gets_401() {
    let app = spawn_app().await;
    let mut expired = claims(&["catalog.admin"], None);
    expired["exp"] = json!(now() - 3600);
    expired["iat"] = json!(now() - 7200);
    expired["nbf"] = json!(now() - 7200);
    let body = assert_refused(&app, &sign_hs256(&expired)).await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn a_token_without_exp_gets_401() {
    let app = spawn_app().await;
    let mut claims = claims(&["catalog.admin"], None);
    claims.as_object_mut().unwrap().remove("exp");
    assert_refused(&app, &sign_hs256(&claims)).await;
}

#[tokio::test]
async fn a_token_that_is_not_yet_valid_gets_401() {
    let app = spawn_app().await;
    let mut early = claims(&["catalog.admin"], None);
    early["nbf"] = json!(now() + 3600);
    let body = assert_refused(&app, &sign_hs256(&early)).await;
    assert!(body["detail"].as_str().unwrap().contains("not valid yet"));
}

#[tokio::test]
async fn a_token_issued_in_the_future_gets_401() {
    let app = spawn_app().await;
    let mut future = claims(&["catalog.admin"], None);
    future["iat"] = json!(now() + 3600);
    future.as_object_mut().unwrap().remove("nbf");
    assert_refused(&app, &sign_hs256(&future)).await;
}

#[tokio::test]
async fn a_token_from_another_issuer_gets_401() {
    let app = spawn_app().await;
    let mut foreign = claims(&["catalog.admin"], None);
    foreign["iss"] = json!("https://evil.example");
    let body = assert_refused(&app, &sign_hs256(&foreign)).await;
    assert!(body["detail"].as_str().unwrap().contains("issuer"));
}

#[tokio::test]
async fn a_token_for_another_audience_gets_401() {
    let app = spawn_app().await;
    let mut foreign = claims(&["catalog.admin"], None);
    foreign["aud"] = json!("another-api");
    let body = assert_refused(&app, &sign_hs256(&foreign)).await;
    assert!(body["detail"].as_str().unwrap().contains("audience"));
}

#[tokio::test]
async fn an_unsigned_alg_none_token_gets_401() {
    let app = spawn_app().await;
    use base64::Engine;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let header = json!({"alg": "none", "typ": "JWT"});
    let token = format!("{}.{}.", b64(&header), b64(&claims(&["catalog.admin"], None)));
    let body = assert_refused(&app, &token).await;
    assert!(body["detail"].as_str().unwrap().contains("none"), "{body}");
}

#[tokio::test]
async fn an_algorithm_the_server_does_not_pin_gets_401() {
    let app = spawn_app().await;
    let token = jsonwebtoken::encode(
        &Header::new(Algorithm::HS512),
        &claims(&["catalog.admin"], None),
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap(),
    )
    .unwrap();
    assert_refused(&app, &token).await;
}

#[tokio::test]
async fn a_valid_token_without_the_role_gets_403() {
    let app = spawn_app().await;
    let response = app.get("/v1/models", &platform_token("auditor")).await;
    let body = assert_problem(response, 403, "forbidden").await;
    assert!(body["detail"].as_str().unwrap().contains("catalog.reader"));
    let tenant = Uuid::new_v4();
    let response = app
        .client
        .post(app.url("/v1/admin/imports?format=litellm"))
        .bearer_auth(tenant_token("tenant.admin", tenant))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn a_tenant_token_cannot_claim_platform_roles() {
    let app = spawn_app().await;
    let token = sign_hs256(&claims(&["catalog.admin"], Some(Uuid::new_v4())));
    let response = app
        .client
        .post(app.url("/v1/admin/imports?format=litellm"))
        .bearer_auth(token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn the_first_token_with_a_new_tid_provisions_the_tenant_once() {
    let app = spawn_app().await;
    let tenant = Uuid::new_v4();
    for _ in 0..3 {
        let (status, _) = app
            .get_json("/v1/models", &tenant_token("catalog.reader", tenant))
            .await;
        assert_eq!(status, 200);
    }
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants WHERE id = $1")
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let policies: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_policies WHERE tenant_id = $1")
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'tenant.provisioned' AND tenant_id = $1")
            .bind(tenant)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((tenants, policies, audits), (1, 1, 1));
}

#[tokio::test]
async fn a_refused_token_provisions_no_tenant() {
    let app = spawn_app().await;
    let tenant = Uuid::new_v4();
    let mut expired = claims(&["catalog.reader"], Some(tenant));
    expired["exp"] = json!(now() - 3600);
    assert_refused(&app, &sign_hs256(&expired)).await;
    let tenants: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tenants, 0);
}

fn jwks_path() -> String {
    format!("{}/tests/fixtures/test-jwks.json", env!("CARGO_MANIFEST_DIR"))
}

fn sign_with(algorithm: Algorithm, kid: &str, key: EncodingKey, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_against_the_jwks_key_named_by_kid() {
    let app = spawn_app_with(&[("MODELMART_JWKS", &jwks_path()), ("MODELMART_JWT_SECRET", "")]).await;
    let claims = claims(&["catalog.admin"], None);
    let rsa = EncodingKey::from_rsa_pem(&fixture("rsa-test-key.pem")).unwrap();
    let ec = EncodingKey::from_ec_pem(&fixture("ec-test-key.pem")).unwrap();
    let rs256 = sign_with(Algorithm::RS256, "test-rsa-1", rsa.clone(), &claims);
    let es256 = sign_with(Algorithm::ES256, "test-ec-1", ec, &claims);
    assert_eq!(app.get("/v1/models", &rs256).await.status(), 200);
    assert_eq!(app.get("/v1/models", &es256).await.status(), 200);

    // An unknown kid, a kid naming a key of another algorithm, and HS256
    // (not configured here) are all refused.
    assert_refused(&app, &sign_with(Algorithm::RS256, "no-such-key", rsa.clone(), &claims)).await;
    assert_refused(&app, &sign_with(Algorithm::RS256, "test-ec-1", rsa, &claims)).await;
    assert_refused(&app, &sign_hs256(&claims)).await;
}

#[tokio::test]
async fn provisioning_a_tenant_does_not_make_servers_reload_the_catalog() {
    let app = spawn_app().await;
    let version = || async {
        sqlx::query_scalar::<_, i64>("SELECT version FROM catalog_state")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = version().await;
    let (status, _) = app
        .get_json("/v1/regions", &tenant_token("catalog.reader", Uuid::new_v4()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        version().await,
        before,
        "a default policy changes nothing the snapshot shows"
    );
}
