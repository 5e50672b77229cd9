//! Forged, malformed and rotated tokens: every one is 401, never 5xx, and
//! nothing a token says makes the server fetch keys from where it points.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::*;

async fn assert_401(app: &TestApp, token: &str) -> Value {
    let response = app.get("/v1/regions", token).await;
    assert_eq!(response.status(), 401, "token {}", &token[..token.len().min(60)]);
    assert!(response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    response.json().await.unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn jwks_with(kids: &[&str]) -> String {
    let all: Value = serde_json::from_slice(&fixture("test-jwks.json")).unwrap();
    let keys: Vec<Value> = all["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|key| kids.contains(&key["kid"].as_str().unwrap()))
        .cloned()
        .collect();
    json!({ "keys": keys }).to_string()
}

fn rsa_key() -> EncodingKey {
    EncodingKey::from_rsa_pem(&fixture("rsa-test-key.pem")).unwrap()
}

fn ec_key() -> EncodingKey {
    EncodingKey::from_ec_pem(&fixture("ec-test-key.pem")).unwrap()
}

/// Claims unique to this call, so no two tokens are the same string.
fn fresh_claims() -> Value {
    let mut claims = claims(&["catalog.admin"], None);
    claims["jti"] = json!(Uuid::new_v4().to_string());
    claims
}

fn signed(algorithm: Algorithm, kid: &str, key: &EncodingKey) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, &fresh_claims(), key).unwrap()
}

/// A JWKS endpoint whose document the test changes, counting fetches.
struct KeyServer {
    url: String,
    document: Arc<Mutex<String>>,
    fetches: Arc<AtomicUsize>,
}

fn key_server(initial: String) -> KeyServer {
    let document = Arc::new(Mutex::new(initial));
    let fetches = Arc::new(AtomicUsize::new(0));
    let (served, counted) = (document.clone(), fetches.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let server = HttpServer::new(move || {
        let (served, counted) = (served.clone(), counted.clone());
        App::new().default_service(web::to(move || {
            let (served, counted) = (served.clone(), counted.clone());
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                let body = served.lock().unwrap().clone();
                HttpResponse::Ok().content_type("application/json").body(body)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    KeyServer { url, document, fetches }
}

#[tokio::test]
async fn tokens_missing_a_required_claim_get_401() {
    let app = spawn_app().await;
    for claim in ["exp", "iss", "aud", "sub"] {
        let mut claims = fresh_claims();
        claims.as_object_mut().unwrap().remove(claim);
        let body = assert_401(&app, &sign_hs256(&claims)).await;
        assert!(body["detail"].as_str().unwrap().contains(claim), "{claim}: {body}");
    }
}

#[tokio::test]
async fn a_tenant_id_flipped_under_the_old_signature_gets_401() {
    let app = spawn_app().await;
    let token = tenant_token("tenant.admin", Uuid::new_v4());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    payload["tid"] = json!(Uuid::new_v4().to_string());
    parts[1] = URL_SAFE_NO_PAD.encode(payload.to_string());
    assert_401(&app, &parts.join(".")).await;
    assert_eq!(
        app.get("/v1/regions", &token).await.status(),
        200,
        "the genuine one works"
    );
}

#[tokio::test]
async fn malformed_and_oversized_tokens_get_401() {
    let app = spawn_app().await;
    let mut oversized = fresh_claims();
    oversized["padding"] = json!("x".repeat(20_000));
    let huge = sign_hs256(&oversized);
    assert!(huge.len() > 20_000);
    let body = assert_401(&app, &huge).await;
    assert!(body["detail"].as_str().unwrap().contains("longer"), "{body}");
    for garbage in [
        "..",
        "a.b",
        "e30.e30.e30.e30",
        "\u{7f}",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%%%.sig",
    ] {
        let response = app
            .client
            .get(app.url("/v1/regions"))
            .header("authorization", format!("Bearer {garbage}"))
            .send()
            .await;
        // A header a client library refuses to send is not the server's
        // concern; everything that reaches it must be 401.
        if let Ok(response) = response {
            assert_eq!(response.status(), 401, "{garbage:?}");
        }
    }
}

#[tokio::test]
async fn a_token_in_the_query_string_is_refused() {
    let app = spawn_app().await;
    let token = platform_token("catalog.admin");
    for parameter in ["access_token", "token", "jwt"] {
        let response = app
            .client
            .get(app.url(&format!("/v1/regions?{parameter}={token}")))
            .send()
            .await
            .unwrap();
        assert_problem(response, 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn hs256_signed_with_the_rsa_public_key_gets_401_key_confusion() {
    let jwks: Value = serde_json::from_slice(&fixture("test-jwks.json")).unwrap();
    let public_material = jwks["keys"][0].to_string();
    let confused = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &fresh_claims(),
        &EncodingKey::from_secret(public_material.as_bytes()).unwrap(),
    )
    .unwrap();
    let path = format!("{}/tests/fixtures/test-jwks.json", env!("CARGO_MANIFEST_DIR"));
    // With keys from a JWKS only, HS256 is not accepted at all...
    let jwks_only = spawn_app_with(&[("MODELMART_JWKS", &path), ("MODELMART_JWT_SECRET", "")]).await;
    let body = assert_401(&jwks_only, &confused).await;
    assert!(body["detail"].as_str().unwrap().contains("HS256"), "{body}");
    // ...and with both, HS256 verifies against the shared secret only.
    let both = spawn_app_with(&[("MODELMART_JWKS", &path)]).await;
    assert_401(&both, &confused).await;
}

#[tokio::test]
async fn jku_and_x5u_headers_are_ignored_and_never_fetched() {
    let attacker = key_server(jwks_with(&["test-ec-1"]));
    let server_keys = key_server(jwks_with(&["test-rsa-1"]));
    let app = spawn_app_with(&[("MODELMART_JWKS", &server_keys.url), ("MODELMART_JWT_SECRET", "")]).await;
    for use_x5u in [false, true] {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("test-ec-1".into());
        if use_x5u {
            header.x5u = Some(attacker.url.clone());
        } else {
            header.jku = Some(attacker.url.clone());
        }
        let token = jsonwebtoken::encode(&header, &fresh_claims(), &ec_key()).unwrap();
        assert_401(&app, &token).await;
    }
    assert_eq!(
        attacker.fetches.load(Ordering::SeqCst),
        0,
        "the attacker's URL was never fetched"
    );
}

#[tokio::test]
async fn unknown_kids_trigger_at_most_one_jwks_fetch_per_interval() {
    let keys = key_server(jwks_with(&["test-rsa-1"]));
    let app = spawn_app_with(&[
        ("MODELMART_JWKS", &keys.url),
        ("MODELMART_JWT_SECRET", ""),
        ("MODELMART_JWKS_REFRESH_SECS", "2"),
    ])
    .await;
    let at_start = keys.fetches.load(Ordering::SeqCst);
    assert_eq!(at_start, 1, "loaded once at start-up");
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    // A storm of tokens naming kids nobody has.
    let storm: Vec<_> = (0..40)
        .map(|n| {
            let token = signed(Algorithm::RS256, &format!("forged-{n}"), &rsa_key());
            let client = app.client.clone();
            let url = app.url("/v1/regions");
            tokio::spawn(async move { client.get(url).bearer_auth(token).send().await.unwrap().status() })
        })
        .collect();
    for request in storm {
        assert_eq!(request.await.unwrap(), 401);
    }
    assert_eq!(
        keys.fetches.load(Ordering::SeqCst),
        2,
        "forty unknown kids cost one fetch, not forty"
    );
}

#[tokio::test]
async fn keys_rotate_with_an_overlap_and_a_withdrawn_key_stops_verifying() {
    let keys = key_server(jwks_with(&["test-rsa-1"]));
    let app = spawn_app_with(&[
        ("MODELMART_JWKS", &keys.url),
        ("MODELMART_JWT_SECRET", ""),
        ("MODELMART_JWKS_REFRESH_SECS", "1"),
    ])
    .await;
    let old = || signed(Algorithm::RS256, "test-rsa-1", &rsa_key());
    let new = || signed(Algorithm::ES256, "test-ec-1", &ec_key());
    assert_eq!(app.get("/v1/regions", &old()).await.status(), 200);

    // The identity provider publishes the new key beside the old one.
    *keys.document.lock().unwrap() = jwks_with(&["test-rsa-1", "test-ec-1"]);
    // Once the refresh interval allows a fetch, the first token naming the
    // new kid fetches it.
    assert!(
        eventually(std::time::Duration::from_secs(5), || async {
            app.get("/v1/regions", &new()).await.status() == 200
        })
        .await,
        "the new key is fetched on first use"
    );
    assert_eq!(
        app.get("/v1/regions", &old()).await.status(),
        200,
        "the old key still verifies during the overlap"
    );

    // Then withdraws the old one; the next refresh forgets it.
    *keys.document.lock().unwrap() = jwks_with(&["test-ec-1"]);
    // An unknown kid triggers a refresh (once the interval allows one), after
    // which the old key no longer verifies.
    assert!(
        eventually(std::time::Duration::from_secs(5), || async {
            let trigger = signed(Algorithm::RS256, "unknown-kid-triggers-refresh", &rsa_key());
            assert_eq!(app.get("/v1/regions", &trigger).await.status(), 401);
            app.get("/v1/regions", &old()).await.status() == 401
        })
        .await,
        "the withdrawn key still verifies"
    );
    assert_401(&app, &old()).await;
    assert_eq!(app.get("/v1/regions", &new()).await.status(), 200);
}

#[tokio::test]
async fn a_withdrawn_key_stops_verifying_by_the_periodic_refetch_alone() {
    let keys = key_server(jwks_with(&["test-rsa-1", "test-ec-1"]));
    let app = spawn_app_with(&[
        ("MODELMART_JWKS", &keys.url),
        ("MODELMART_JWT_SECRET", ""),
        ("MODELMART_JWKS_REFRESH_SECS", "1"),
        ("MODELMART_JWKS_MAX_AGE_SECS", "1"),
    ])
    .await;
    let old = signed(Algorithm::RS256, "test-rsa-1", &rsa_key());
    assert_eq!(app.get("/v1/regions", &old).await.status(), 200);

    // No request names an unknown kid: only the periodic refetch can learn
    // of the withdrawal.
    *keys.document.lock().unwrap() = jwks_with(&["test-ec-1"]);
    assert!(
        eventually(std::time::Duration::from_secs(5), || async {
            app.get("/v1/regions", &old).await.status() == 401
        })
        .await,
        "the periodic refetch never withdrew the key"
    );
    assert_401(&app, &old).await;
    assert_eq!(
        app.get("/v1/regions", &signed(Algorithm::ES256, "test-ec-1", &ec_key()))
            .await
            .status(),
        200
    );
}
