//! Spawns the real application on a random port against its own fresh
//! database: `DATABASE_URL`'s server when set, otherwise a private temporary
//! cluster started once per test binary. Each test database is cloned from a
//! template that was migrated once, so a test costs one CREATE DATABASE.

mod exposition;
mod hooks;
mod process;

pub use exposition::scrape;
pub use hooks::{receiver, signature_is_valid};
pub use process::{serve, serve_logging_to};

use std::net::TcpListener;
use std::sync::OnceLock;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use modelmart::config::Settings;
use modelmart::db::catalog_write;
use modelmart::domain::actor::Actor;
use modelmart::domain::batch::CatalogBatch;
use modelmart::embedded_pg::{free_port, EmbeddedOptions, EmbeddedPostgres};
use modelmart::startup::Application;
use serde_json::{json, Value};
use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const ISSUER: &str = "modelmart-test";
pub const AUDIENCE: &str = "modelmart";

static SERVER_URL: OnceCell<String> = OnceCell::const_new();
static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static EMBEDDED: OnceLock<EmbeddedPostgres> = OnceLock::new();

/// `postgres://…/` of the server tests use, without a database name.
async fn server_url() -> &'static str {
    SERVER_URL
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("DATABASE_URL") {
                let mut parsed = url::Url::parse(&url).expect("DATABASE_URL is a URL");
                parsed.set_path("/");
                return parsed.to_string();
            }
            remove_clusters_of_finished_runs();
            let dir = std::env::temp_dir().join(format!("modelmart-test-{}-{}", std::process::id(), Uuid::new_v4()));
            let server = EmbeddedPostgres::start(EmbeddedOptions {
                data_dir: dir,
                port: free_port().expect("a free port"),
                durable: false,
            })
            .await
            .expect("start a temporary PostgreSQL (install PostgreSQL or set DATABASE_URL)");
            let url = format!("postgres://postgres@127.0.0.1:{}/", server.port());
            let _ = EMBEDDED.set(server);
            url
        })
        .await
}

/// Temporary clusters live in `modelmart-test-<pid>-<uuid>`; once that
/// process is gone (and its server with it) the folder is only litter.
fn remove_clusters_of_finished_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("modelmart-test-") else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

fn with_database(server: &str, database: &str) -> String {
    format!("{server}{database}")
}

/// The migrated template, named after the migrations so a schema change gets
/// a new one; built once per server under an advisory lock.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let server = server_url().await;
            let fingerprint: String = modelmart::db::MIGRATOR
                .iter()
                .map(|m| format!("{}:{}", m.version, hex::encode(&m.checksum)))
                .collect::<Vec<_>>()
                .join(",");
            let digest = sha2::Sha256::digest(fingerprint.as_bytes());
            let name = format!("modelmart_tpl_{}", hex::encode(&digest[..6]));
            let mut admin = PgConnection::connect(&with_database(server, "postgres"))
                .await
                .expect("connect");
            sqlx::query("SELECT pg_advisory_lock(7201)")
                .execute(&mut admin)
                .await
                .unwrap();
            drop_stale_test_databases(&mut admin).await;
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(&name)
                .fetch_one(&mut admin)
                .await
                .unwrap();
            if !exists {
                let building = format!("{name}_building");
                sqlx::query(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                sqlx::query(&format!("CREATE DATABASE {building}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                let pool = PgPool::connect(&with_database(server, &building)).await.unwrap();
                modelmart::db::migrate(&pool).await.expect("migrations apply");
                pool.close().await;
                sqlx::query(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            sqlx::query("SELECT pg_advisory_unlock(7201)")
                .execute(&mut admin)
                .await
                .unwrap();
            name
        })
        .await
}

use sha2::Digest;

/// Test databases carry their creation time; those over an hour old belong
/// to runs that are long over.
async fn drop_stale_test_databases(admin: &mut PgConnection) {
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'mm_test_%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    let now = chrono::Utc::now().timestamp();
    for name in names {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<i64>().ok()).unwrap_or(0);
        if now - created > 3600 {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

/// A database a test made: dropped (connections and all) when the guard
/// goes, so runs leave nothing behind. Derefs to its URL.
pub struct TestDatabase {
    url: String,
}

impl std::ops::Deref for TestDatabase {
    type Target = str;
    fn deref(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.url.clone();
        // Drop runs inside the test's runtime, which must not block on
        // itself: the DROP goes through a runtime of its own on a thread.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let (server, name) = url.rsplit_once('/')?;
                let name = name.split('?').next()?;
                let mut admin = PgConnection::connect(&format!("{server}/postgres")).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the test database {}", self.url);
        }
    }
}

/// A fresh, migrated, empty database.
pub async fn fresh_database() -> TestDatabase {
    let name = format!("mm_test_{}_{}", chrono::Utc::now().timestamp(), Uuid::new_v4().simple());
    create_database(&name, template().await).await
}

/// A copy of the database at `url` as it is now (nothing may be connected
/// to it).
pub async fn copy_of_database(url: &str) -> TestDatabase {
    let source = url.rsplit('/').next().unwrap().split('?').next().unwrap();
    create_database(&format!("{source}_copy"), source).await
}

/// Creates `name` as a copy of `template` on the test server.
async fn create_database(name: &str, template: &str) -> TestDatabase {
    let server = server_url().await;
    let mut admin = PgConnection::connect(&with_database(server, "postgres"))
        .await
        .expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("create {name} from {template}: {e}"));
    TestDatabase {
        url: with_database(server, name),
    }
}

pub fn test_settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut pairs = vec![
        ("DATABASE_URL".to_string(), database_url.to_string()),
        ("MODELMART_JWT_SECRET".to_string(), TEST_SECRET.to_string()),
        ("MODELMART_JWT_ISSUER".to_string(), ISSUER.to_string()),
        ("MODELMART_JWT_AUDIENCE".to_string(), AUDIENCE.to_string()),
        ("MODELMART_JWT_LEEWAY_SECS".to_string(), "5".to_string()),
        // Room for the race and concurrency tests on a loaded CI machine.
        ("MODELMART_DB_MAX_CONNECTIONS".to_string(), "20".to_string()),
        // Limiting stays on, at a rate no test reaches unless it asks for less.
        ("MODELMART_RATE_LIMIT_PER_SECOND".to_string(), "100000".to_string()),
        ("MODELMART_RATE_LIMIT_BURST".to_string(), "100000".to_string()),
    ];
    for (k, v) in extra {
        pairs.retain(|(name, _)| name != k);
        pairs.push((k.to_string(), v.to_string()));
    }
    Settings::from_lookup(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap()
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub pool: PgPool,
    pub database_url: String,
    /// The database this app was given to own, dropped with it.
    database: Option<TestDatabase>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    let database = fresh_database().await;
    let mut app = spawn_app_on(&database, extra).await;
    app.database = Some(database);
    app
}

/// Another server on an existing database, as a second replica would be.
pub async fn spawn_app_on(database_url: &str, extra: &[(&str, &str)]) -> TestApp {
    // Quiet unless asked: TEST_LOG=1 shows the server's logs (MODELMART_LOG filters).
    if std::env::var_os("TEST_LOG").is_some() {
        modelmart::telemetry::init("info,sqlx=warn");
    }
    let database_url = database_url.to_owned();
    let settings = test_settings(&database_url, extra);
    let pool = modelmart::db::connect(&database_url, &settings.database)
        .await
        .expect("pool");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let application = Application::build(settings, pool.clone(), listener)
        .await
        .expect("build the app");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        pool,
        database_url,
        database: None,
    }
}

/// Claims for a token; tests change what they need.
pub fn claims(roles: &[&str], tenant: Option<Uuid>) -> Value {
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "sub": "test-user",
        "roles": roles,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "exp": now + 600,
        "iat": now,
        "nbf": now,
    });
    if let Some(tenant) = tenant {
        claims["tid"] = json!(tenant.to_string());
    }
    claims
}

pub fn sign_hs256(claims: &Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

pub fn platform_token(role: &str) -> String {
    sign_hs256(&claims(&[role], None))
}

pub fn tenant_token(role: &str, tenant: Uuid) -> String {
    sign_hs256(&claims(&[role], Some(tenant)))
}

impl TestApp {
    /// A server started some other way (a child process) on `database_url`.
    pub fn at(address: String, pool: PgPool, database_url: &str) -> TestApp {
        TestApp {
            address,
            client: reqwest::Client::new(),
            pool,
            database_url: database_url.to_owned(),
            database: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self.get(path, token).await;
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Writes `batch` with the same writer imports use, then reloads the
    /// snapshot through the admin import path's refresh.
    pub async fn load_batch(&self, batch: &CatalogBatch) {
        let mut tx = self.pool.begin().await.unwrap();
        catalog_write::apply(&mut tx, batch, &Actor::system("test"), "test-fixture")
            .await
            .expect("apply the batch");
        tx.commit().await.unwrap();
        self.wait_for_catalog().await;
    }

    /// Waits until the server's snapshot has caught up with the database.
    pub async fn wait_for_catalog(&self) {
        let wanted: i64 = sqlx::query_scalar("SELECT version FROM catalog_state")
            .fetch_one(&self.pool)
            .await
            .unwrap();
        for _ in 0..100 {
            let response = self.client.get(self.url("/readyz")).send().await.unwrap();
            let body: Value = response.json().await.unwrap();
            // At least: the scheduler (a retirement coming due) may have
            // moved the catalog on since.
            if body["catalog_version"].as_i64().is_some_and(|served| served >= wanted) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the catalog snapshot did not reach version {wanted}");
    }

    pub async fn import_litellm(&self, bytes: Vec<u8>) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/v1/admin/imports?format=litellm"))
            .bearer_auth(platform_token("catalog.admin"))
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

/// The real LiteLLM feed from `../shared/data`. Its absence fails the test
/// that needs it, rather than letting it pass unseen: CI always has
/// `../shared` beside the checkout.
pub fn litellm_feed() -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/litellm_model_prices.json");
    std::fs::read(&path)
        .unwrap_or_else(|error| panic!("the real feed ../shared/data/litellm_model_prices.json: {error}"))
}

/// Asserts a response is an RFC 9457 problem with `code`, returning its body.
/// The slugs of a page's items, in order.
pub fn item_slugs(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["slug"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
    body
}

/// A compliance officer's token, named `name` (the two-person rule tells
/// officers apart by `sub`).
pub fn officer(name: &str) -> String {
    let mut c = claims(&["compliance.officer"], None);
    c["sub"] = json!(name);
    sign_hs256(&c)
}

impl TestApp {
    pub async fn post_json(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The OpenAPI document the server serves.
    pub async fn served_document(&self) -> Value {
        let response = self.client.get(self.url("/openapi.json")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Officer alice proposes a hold; returns its id.
    pub async fn propose_hold(&self, body: Value) -> String {
        let response = self.post_json("/v1/admin/holds", &officer("alice"), body).await;
        assert_eq!(response.status(), 201, "proposal refused");
        let hold: Value = response.json().await.unwrap();
        assert_eq!(hold["status"], "proposed");
        hold["id"].as_str().unwrap().to_owned()
    }

    /// The hold's current ETag, as an officer reads it before deciding.
    pub async fn hold_etag(&self, hold: &str) -> String {
        let response = self.get(&format!("/v1/admin/holds/{hold}"), &officer("reader")).await;
        assert_eq!(response.status(), 200, "read hold {hold}");
        response.headers()["etag"].to_str().unwrap().to_owned()
    }

    /// `action` (approve, reject, lift) on a hold, as `token`, with the
    /// hold's current ETag in If-Match.
    pub async fn decide_hold(&self, hold: &str, action: &str, token: &str, reason: Option<&str>) -> reqwest::Response {
        let etag = self.hold_etag(hold).await;
        self.client
            .post(self.url(&format!("/v1/admin/holds/{hold}/{action}")))
            .bearer_auth(token)
            .header("if-match", etag)
            .json(&json!({ "reason": reason }))
            .send()
            .await
            .unwrap()
    }

    /// Proposes a hold as alice and has bob approve it; returns its id.
    pub async fn hold_in_effect(&self, body: Value) -> String {
        let hold = self.propose_hold(body).await;
        let response = self.decide_hold(&hold, "approve", &officer("bob"), None).await;
        assert_eq!(response.status(), 200, "approval refused");
        hold
    }
}

/// Waits until `check` holds, polling every 20 ms, for at most `within`;
/// returns whether it came to hold. For behaviour that happens on its own
/// clock (a refill, a refresh), so a test waits for the outcome rather than
/// for a guessed time.
pub async fn eventually<F, Fut>(within: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if std::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

impl TestApp {
    /// Replaces `tenant`'s policy as its admin would: read the ETag, PUT
    /// with If-Match; returns the new policy.
    pub async fn replace_policy(&self, tenant: Uuid, policy: Value) -> Value {
        let admin = tenant_token("tenant.admin", tenant);
        let path = format!("/v1/tenants/{tenant}/policy");
        let etag = self.get(&path, &admin).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_owned();
        let response = self
            .client
            .put(self.url(&path))
            .bearer_auth(&admin)
            .header("if-match", etag)
            .json(&policy)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "policy replaced");
        response.json().await.unwrap()
    }
}

/// A hold on DeepSeek R1 everywhere with every effect, as proposed.
pub fn r1_sanctions_hold() -> Value {
    json!({
        "kind": "sanctions", "legal_basis": "internal", "public_notice": "Unavailable under sanctions rules.",
        "scope": {"models": ["deepseek/deepseek-r1"]},
        "effects": {"hide": true, "block_new": true, "suspend_existing": true}
    })
}

pub async fn suspend_r1_everywhere(app: &TestApp) -> String {
    app.hold_in_effect(r1_sanctions_hold()).await
}

pub async fn enable_r1(app: &TestApp, tenant: Uuid) {
    let model: Uuid = sqlx::query_scalar("SELECT id FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
        .bearer_auth(tenant_token("tenant.admin", tenant))
        .json(&json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}
