use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

async fn recommend(app: &TestApp, tenant: Uuid, body: Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/recommendations")))
        .bearer_auth(tenant_token("catalog.reader", tenant))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn workload() -> Value {
    json!({
        "task": "chat",
        "required_capabilities": ["function_calling"],
        "regions": ["eastus"],
        "monthly_input_tokens": 123_456_789u64,
        "monthly_output_tokens": 9_876_543u64
    })
}

fn slugs_and_costs(body: &Value) -> Vec<(String, String)> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["model"]["slug"].as_str().unwrap().to_owned(),
                i["estimated_monthly_cost"]["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn recommendation_costs_match_a_hand_calculation_to_the_cent_cheapest_first() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let (status, body) = recommend(&app, Uuid::new_v4(), workload()).await;
    assert_eq!(status, 200, "{body}");
    // 123.456789 M input and 9.876543 M output tokens a month:
    //   Llama 3.1 8B  0.10 / 0.10  -> 12.3456789 + 0.9876543   = 13.3333332  -> 13.33
    //   DeepSeek V3   0.27 / 1.10  -> 33.33333303 + 10.8641973 = 44.19753033 -> 44.20
    //   DeepSeek R1   0.55 / 2.19  -> 67.90123395 + 21.62962917 = 89.53086312 -> 89.53
    //   GPT-4o        2.50 / 10.00 -> 308.6419725 + 98.76543   = 407.4074025 -> 407.41
    assert_eq!(
        slugs_and_costs(&body),
        [
            ("meta/llama-3.1-8b-instruct".to_string(), "13.33".to_string()),
            ("deepseek/deepseek-v3".to_string(), "44.20".to_string()),
            ("deepseek/deepseek-r1".to_string(), "89.53".to_string()),
            ("openai/gpt-4o".to_string(), "407.41".to_string()),
        ]
    );
    let first = &body["items"][0];
    assert_eq!(first["estimated_monthly_cost"]["currency"], "USD");
    assert_eq!(first["breakdown"][0]["amount"], "12.3456789");
    assert_eq!(first["breakdown"][1]["amount"], "0.9876543");
    assert_eq!(body["excluded"]["lifecycle_retired"], 1, "{}", body["excluded"]);
    assert!(body["excluded"]["region_not_requested"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn a_budget_excludes_what_it_cannot_afford_and_the_complex_tier_puts_reasoning_first() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let mut request = workload();
    request["budget"] = json!({"amount": "50.00", "currency": "USD"});
    let (_, body) = recommend(&app, tenant, request).await;
    let slugs: Vec<String> = slugs_and_costs(&body).into_iter().map(|(s, _)| s).collect();
    assert_eq!(slugs, ["meta/llama-3.1-8b-instruct", "deepseek/deepseek-v3"]);
    assert_eq!(body["excluded"]["over_budget"], 2);

    let mut request = workload();
    request["tier"] = json!("complex");
    let (_, body) = recommend(&app, tenant, request).await;
    let slugs: Vec<String> = slugs_and_costs(&body).into_iter().map(|(s, _)| s).collect();
    assert_eq!(slugs[0], "deepseek/deepseek-r1", "reasoning-capable first");
    assert_eq!(
        &slugs[1..],
        ["meta/llama-3.1-8b-instruct", "deepseek/deepseek-v3", "openai/gpt-4o"]
    );
}

#[tokio::test]
async fn recommendations_respect_the_tenant_policy_and_count_its_exclusions() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    app.replace_policy(tenant, json!({"denied_origin_countries": ["CN"]}))
        .await;
    let (_, body) = recommend(&app, tenant, workload()).await;
    let slugs: Vec<String> = slugs_and_costs(&body).into_iter().map(|(s, _)| s).collect();
    assert_eq!(slugs, ["meta/llama-3.1-8b-instruct", "openai/gpt-4o"]);
    assert_eq!(body["excluded"]["policy_origin_country_denied"], 2);
}

#[tokio::test]
async fn a_bad_recommendation_request_names_its_fields() {
    let app = spawn_app().await;
    let mut request = workload();
    request["regions"] = json!(["atlantis-1"]);
    request["limit"] = json!(0);
    let (status, body) = recommend(&app, Uuid::new_v4(), request).await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["regions[0]", "limit"]);
    let mut request = workload();
    request["task"] = json!("painting");
    let (status, body) = recommend(&app, Uuid::new_v4(), request).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "malformed_body");
}

#[tokio::test]
async fn on_the_real_feed_no_recommendation_is_free_because_its_price_is_unknown() {
    let app = spawn_app().await;
    let (status, report) = app.import_litellm(litellm_feed()).await;
    assert_eq!(status, 200, "{}", report["listings"]);
    // Unknown prices are not stored as 0, and local runtimes are self-hosted.
    let zeros: i64 = sqlx::query_scalar("SELECT count(*) FROM offer_prices WHERE amount = 0")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(zeros, 0, "no price is a made-up zero");
    let self_hosted: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT operator_name FROM offers WHERE deployment_type = 'self_hosted' ORDER BY 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(self_hosted.iter().any(|o| o == "Ollama"), "{self_hosted:?}");

    let tenant = Uuid::new_v4();
    let common = json!({
        "task": "chat", "monthly_input_tokens": 200_000_000u64, "monthly_output_tokens": 50_000_000u64, "limit": 100
    });
    let (status, body) = recommend(&app, tenant, common.clone()).await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    for item in items {
        let cost: rust_decimal::Decimal = item["estimated_monthly_cost"]["amount"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(cost > rust_decimal::Decimal::ZERO, "a $0 recommendation: {item}");
        assert_ne!(item["deployment_type"], "self_hosted");
        assert!(
            item["operator"]["name"].as_str().is_some_and(|n| !n.is_empty()),
            "{item}"
        );
    }
    assert!(
        body["excluded"]["no_token_price"].as_u64().unwrap() > 0,
        "{}",
        body["excluded"]
    );
    assert!(
        body["excluded"]["self_hosted"].as_u64().unwrap() > 0,
        "{}",
        body["excluded"]
    );

    // Asked for, unpriced and self-hosted offers come after every priced one,
    // without an estimate.
    let mut everything = common;
    everything["include_unpriced"] = json!(true);
    everything["include_self_hosted"] = json!(true);
    everything["limit"] = json!(100);
    everything["required_capabilities"] = json!(["function_calling"]);
    let (_, body) = recommend(&app, tenant, everything).await;
    let items = body["items"].as_array().unwrap();
    let first_unpriced = items.iter().position(|i| i["estimated_monthly_cost"].is_null());
    if let Some(first) = first_unpriced {
        assert!(
            items[first..].iter().all(|i| i["estimated_monthly_cost"].is_null()),
            "unpriced last"
        );
        assert!(!items[first]["unpriced_dimensions"].as_array().unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_offer_quoted_in_another_currency_is_estimated_at_the_admins_rate_and_says_so() {
    let app = spawn_app().await;
    let mut catalog = fixtures::catalog();
    let llama = "meta/llama-3.1-8b-instruct";
    for offer in catalog.offers.iter_mut().filter(|o| o.model_slug == llama) {
        for price in &mut offer.prices {
            price.currency = "EUR".into();
        }
    }
    app.load_batch(&catalog).await;
    let tenant = Uuid::new_v4();

    // Without a rate the EUR price is unknown: never $0, never first.
    let (_, body) = recommend(&app, tenant, workload()).await;
    assert!(slugs_and_costs(&body).iter().all(|(slug, _)| slug != llama), "{body}");
    assert!(body["excluded"]["no_token_price"].as_u64().unwrap() >= 1, "{body}");

    let response = app
        .client
        .put(app.url("/v1/admin/currency-rates/EUR"))
        .bearer_auth(platform_token("catalog.admin"))
        .json(&json!({"usd_per_unit": "1.1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, body) = recommend(&app, tenant, workload()).await;
    // (12.3456789 + 0.9876543) EUR × 1.1 = 14.66666652 USD -> 14.67
    assert_eq!(slugs_and_costs(&body)[0], (llama.to_string(), "14.67".to_string()));
    assert_eq!(body["items"][0]["converted_from"], json!(["EUR"]));
    assert_eq!(body["items"][1]["converted_from"], json!([]));
}
