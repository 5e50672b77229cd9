use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

struct Tenant {
    id: Uuid,
    admin: String,
    reader: String,
}

fn tenant() -> Tenant {
    let id = Uuid::new_v4();
    Tenant {
        id,
        admin: tenant_token("tenant.admin", id),
        reader: tenant_token("catalog.reader", id),
    }
}

async fn app_with_fixtures() -> TestApp {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    app
}

async fn model_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

impl TestApp {
    async fn get_policy(&self, tenant: &Tenant) -> (String, Value) {
        let response = self
            .get(&format!("/v1/tenants/{}/policy", tenant.id), &tenant.reader)
            .await;
        assert_eq!(response.status(), 200);
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        (etag, response.json().await.unwrap())
    }

    async fn put_policy(&self, tenant: &Tenant, if_match: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self
            .client
            .put(self.url(&format!("/v1/tenants/{}/policy", tenant.id)))
            .bearer_auth(&tenant.admin)
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.unwrap()
    }

    async fn enable(&self, tenant: &Tenant, key: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url(&format!("/v1/tenants/{}/enablements", tenant.id)))
            .bearer_auth(&tenant.admin)
            .json(&body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send().await.unwrap()
    }
}

#[tokio::test]
async fn a_new_tenant_has_an_unrestricted_policy_with_an_etag() {
    let app = spawn_app().await;
    let tenant = tenant();
    let (etag, policy) = app.get_policy(&tenant).await;
    assert_eq!(etag, "\"1\"");
    assert_eq!(policy["allowed_regions"], Value::Null);
    assert_eq!(policy["denied_origin_countries"], json!([]));
    assert_eq!(policy["ga_only"], false);
}

#[tokio::test]
async fn a_policy_update_without_if_match_is_428_and_a_stale_one_is_412_and_neither_changes_anything() {
    let app = spawn_app().await;
    let tenant = tenant();
    let (etag, before) = app.get_policy(&tenant).await;
    let body = json!({"denied_origin_countries": ["CN"]});

    let response = app.put_policy(&tenant, None, body.clone()).await;
    assert_problem(response, 428, "precondition_required").await;
    let response = app.put_policy(&tenant, Some(&etag), body.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let response = app.put_policy(&tenant, Some(&etag), json!({"ga_only": true})).await;
    assert_eq!(response.headers()["etag"], "\"2\"", "412 names the current ETag");
    assert_problem(response, 412, "precondition_failed").await;

    let (etag_after, after) = app.get_policy(&tenant).await;
    assert_eq!(etag_after, "\"2\"");
    assert_eq!(after["denied_origin_countries"], json!(["CN"]));
    assert_eq!(after["ga_only"], before["ga_only"], "the stale update changed nothing");
    assert_eq!(audit_count(&app, "tenant_policy.replaced").await, 1);
}

#[tokio::test]
async fn unknown_region_or_country_codes_are_422_naming_the_field() {
    let app = spawn_app().await;
    let tenant = tenant();
    let (etag, _) = app.get_policy(&tenant).await;
    let response = app
        .put_policy(
            &tenant,
            Some(&etag),
            json!({"allowed_regions": ["westeurope", "atlantis-1"], "denied_operator_countries": ["XX"]}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["denied_operator_countries[0]", "allowed_regions[1]"]);
    let (etag_after, _) = app.get_policy(&tenant).await;
    assert_eq!(etag_after, etag);
}

#[tokio::test]
async fn server_owned_fields_in_a_body_are_never_trusted() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    // A policy's output-only fields are ignored (so a read can be sent
    // back); a field the policy does not have is refused.
    let (etag, _) = app.get_policy(&tenant).await;
    let response = app
        .put_policy(
            &tenant,
            Some(&etag),
            json!({"ga_only": true, "updated_by": "mallory", "tenant_id": Uuid::new_v4()}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let policy: Value = response.json().await.unwrap();
    assert_ne!(policy["updated_by"], "mallory");
    assert_eq!(policy["tenant_id"], tenant.id.to_string());
    let (etag, _) = app.get_policy(&tenant).await;
    let response = app
        .put_policy(&tenant, Some(&etag), json!({"ga_only": true, "colour": "red"}))
        .await;
    let body = assert_problem(response, 400, "malformed_body").await;
    assert_eq!(body["errors"][0]["field"], "colour");
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": model, "region": "eastus", "deployment_type": "serverless", "status": "active"}),
        )
        .await;
    let body = assert_problem(response, 400, "malformed_body").await;
    assert_eq!(body["errors"][0]["field"], "status");
}

#[tokio::test]
async fn a_tenant_denying_cn_origin_neither_sees_nor_enables_deepseek_and_is_told_why() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    let (etag, _) = app.get_policy(&tenant).await;
    let response = app
        .put_policy(&tenant, Some(&etag), json!({"denied_origin_countries": ["cn"]}))
        .await;
    assert_eq!(response.status(), 200);

    let (_, page) = app.get_json("/v1/models?limit=200", &tenant.reader).await;
    let slugs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap())
        .collect();
    assert!(!slugs.iter().any(|s| s.starts_with("deepseek/")), "{slugs:?}");
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["availability"]["enableable"] == true));

    let (_, page) = app
        .get_json("/v1/models?publisher=deepseek&include_unavailable=true", &tenant.reader)
        .await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert_eq!(item["availability"]["enableable"], false);
        assert_eq!(
            item["availability"]["reasons"][0]["code"], "policy_origin_country_denied",
            "{item}"
        );
    }

    let (_, detail) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &tenant.reader).await;
    assert_eq!(
        detail["availability"]["reasons"][0]["code"],
        "policy_origin_country_denied"
    );

    let model = model_id(&app, "deepseek/deepseek-r1").await;
    for region in ["eastus", "westeurope", "chinanorth3"] {
        let response = app
            .enable(
                &tenant,
                None,
                json!({"model_id": model, "region": region, "deployment_type": "serverless"}),
            )
            .await;
        let body = assert_problem(response, 409, "not_enableable").await;
        assert_eq!(body["context"]["reasons"][0]["code"], "policy_origin_country_denied");
    }
    let enablements: i64 = sqlx::query_scalar("SELECT count(*) FROM enablements")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(enablements, 0);
}

#[tokio::test]
async fn staff_see_the_whole_catalog_without_a_tenant_view() {
    let app = app_with_fixtures().await;
    let (_, page) = app
        .get_json("/v1/models?limit=200", &platform_token("catalog.admin"))
        .await;
    assert_eq!(page["total"], 7);
    assert!(page["items"][0].get("availability").is_none());
}

#[tokio::test]
async fn an_enablement_retried_with_the_same_key_creates_one_row_and_returns_the_same_answer() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let body = json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"});

    let first = app.enable(&tenant, Some("key-1"), body.clone()).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["status"], "active");
    assert!(location.ends_with(first["id"].as_str().unwrap()));

    let second = app.enable(&tenant, Some("key-1"), body.clone()).await;
    assert_eq!(second.status(), 201);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert_eq!(
        second.headers()["location"],
        location.as_str(),
        "the replay says where, too"
    );
    let second: Value = second.json().await.unwrap();
    assert_eq!(second, first);

    let other = json!({"model_id": model, "region": "swedencentral", "deployment_type": "serverless"});
    let response = app.enable(&tenant, Some("key-1"), other).await;
    assert_problem(response, 422, "idempotency_key_reused").await;

    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM enablements")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(audit_count(&app, "enablement.created").await, 1);

    // Keys are scoped per tenant: another tenant's same key is its own.
    let other_tenant = self::tenant();
    let response = app.enable(&other_tenant, Some("key-1"), body).await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn enabling_twice_without_a_key_is_a_conflict_naming_the_existing_enablement() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let body = json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"});
    let first: Value = app.enable(&tenant, None, body.clone()).await.json().await.unwrap();
    let response = app.enable(&tenant, None, body).await;
    let problem = assert_problem(response, 409, "already_enabled").await;
    assert_eq!(problem["context"]["enablement_id"], first["id"]);
}

#[tokio::test]
async fn unknown_models_regions_and_missing_offers_are_refused_with_reasons() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": Uuid::new_v4(), "region": "eastus", "deployment_type": "serverless"}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "model_id");
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": model, "region": "atlantis-1", "deployment_type": "serverless"}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "region");
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": model, "region": "japaneast", "deployment_type": "serverless"}),
        )
        .await;
    let body = assert_problem(response, 409, "not_enableable").await;
    assert_eq!(body["context"]["reasons"][0]["code"], "no_matching_offer");
    let retired = model_id(&app, "openai/gpt-3.5-turbo").await;
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": retired, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await;
    let body = assert_problem(response, 409, "not_enableable").await;
    assert_eq!(body["context"]["reasons"][0]["code"], "lifecycle_retired");
}

#[tokio::test]
async fn disabling_an_enablement_is_audited_once_and_idempotent() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let created: Value = app
        .enable(
            &tenant,
            None,
            json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/v1/tenants/{}/enablements/{}",
        tenant.id,
        created["id"].as_str().unwrap()
    );
    for _ in 0..2 {
        let response = app
            .client
            .delete(app.url(&path))
            .bearer_auth(&tenant.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }
    let (_, list) = app
        .get_json(&format!("/v1/tenants/{}/enablements", tenant.id), &tenant.reader)
        .await;
    assert_eq!(list["items"][0]["status"], "disabled");
    assert_eq!(audit_count(&app, "enablement.disabled").await, 1);
    // Once disabled, the same model can be enabled again.
    let response = app
        .enable(
            &tenant,
            None,
            json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn another_tenants_resources_answer_404_and_platform_admin_may_only_read() {
    let app = app_with_fixtures().await;
    let (a, b) = (tenant(), tenant());
    let model = model_id(&app, "meta/llama-3.1-8b-instruct").await;
    let created: Value = app
        .enable(
            &b,
            None,
            json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let b_enablement = format!("/v1/tenants/{}/enablements/{}", b.id, created["id"].as_str().unwrap());

    for path in [
        format!("/v1/tenants/{}/policy", b.id),
        format!("/v1/tenants/{}/enablements", b.id),
    ] {
        let response = app.get(&path, &a.admin).await;
        assert_problem(response, 404, "not_found").await;
    }
    let response = app
        .client
        .delete(app.url(&b_enablement))
        .bearer_auth(&a.admin)
        .send()
        .await
        .unwrap();
    assert_problem(response, 404, "not_found").await;
    let response = app
        .client
        .put(app.url(&format!("/v1/tenants/{}/policy", b.id)))
        .bearer_auth(&a.admin)
        .header("if-match", "\"1\"")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 404, "not_found").await;
    // A's own enablement id under B's path, and B's under A's, are 404 too.
    let response = app
        .client
        .delete(app.url(&format!(
            "/v1/tenants/{}/enablements/{}",
            a.id,
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(&a.admin)
        .send()
        .await
        .unwrap();
    assert_problem(response, 404, "not_found").await;

    let support = platform_token("platform.admin");
    let (status, list) = app
        .get_json(&format!("/v1/tenants/{}/enablements", b.id), &support)
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let response = app
        .client
        .delete(app.url(&b_enablement))
        .bearer_auth(&support)
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
    let response = app
        .get(&format!("/v1/tenants/{}/policy", Uuid::new_v4()), &support)
        .await;
    assert_problem(response, 404, "not_found").await;

    // A reader of B may read but not change B's resources.
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{}/enablements", b.id)))
        .bearer_auth(&b.reader)
        .json(&json!({"model_id": model, "region": "swedencentral", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn enablements_page_by_cursor() {
    let app = app_with_fixtures().await;
    let tenant = tenant();
    for slug in ["meta/llama-3.1-8b-instruct", "openai/gpt-4o", "deepseek/deepseek-v3"] {
        let model = model_id(&app, slug).await;
        let response = app
            .enable(
                &tenant,
                None,
                json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}),
            )
            .await;
        assert_eq!(response.status(), 201);
    }
    let base = format!("/v1/tenants/{}/enablements?limit=2", tenant.id);
    let (_, first) = app.get_json(&base, &tenant.reader).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.get_json(&format!("{base}&cursor={cursor}"), &tenant.reader).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
}
