use serde_json::{json, Value};

use crate::fixtures;
use crate::helpers::*;

fn staff() -> String {
    platform_token("catalog.admin")
}

fn new_listing() -> Value {
    json!({
        "slug": "mistral/mistral-small-3.2",
        "publisher": "mistral",
        "name": "Mistral Small 3.2",
        "description": "A small open-weights chat model.",
        "task": "chat",
        "input_modalities": ["text"],
        "output_modalities": ["text"],
        "context_window": 128000,
        "capabilities": ["function_calling"],
        "license": "Apache-2.0",
        "open_weights": true,
        "provenance": {"origin_country": "FR", "release_date": "2025-06-20"},
        "lifecycle": {"status": "ga"},
        "tags": ["small"]
    })
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

impl TestApp {
    async fn create_model(&self, key: Option<&str>, body: &Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/v1/admin/models"))
            .bearer_auth(staff())
            .json(body);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send().await.unwrap()
    }

    async fn patch_model(&self, id: &str, if_match: Option<&str>, body: Value) -> reqwest::Response {
        let mut request = self
            .client
            .patch(self.url(&format!("/v1/admin/models/{id}")))
            .bearer_auth(staff())
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("if-match", tag);
        }
        request.send().await.unwrap()
    }

    async fn put_offers(&self, id: &str, if_match: &str, body: Value) -> reqwest::Response {
        self.client
            .put(self.url(&format!("/v1/admin/models/{id}/offers")))
            .bearer_auth(staff())
            .header("if-match", if_match)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

async fn app_with_new_listing() -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let response = app.create_model(None, &new_listing()).await;
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    (app, body["id"].as_str().unwrap().to_owned(), etag)
}

#[tokio::test]
async fn a_created_listing_is_discoverable_audited_once_and_replayed_for_the_same_key() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let first = app.create_model(Some("create-1"), &new_listing()).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers()["location"].to_str().unwrap().starts_with("/v1/models/"));
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["publisher"]["country"], "FR");
    assert_eq!(first["lifecycle"]["status"], "ga");

    let again = app.create_model(Some("create-1"), &new_listing()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let mut other = new_listing();
    other["name"] = json!("Something else");
    assert_problem(
        app.create_model(Some("create-1"), &other).await,
        422,
        "idempotency_key_reused",
    )
    .await;
    assert_problem(app.create_model(None, &new_listing()).await, 409, "conflict").await;

    let (_, found) = app.get_json("/v1/models/mistral%2Fmistral-small-3.2", &staff()).await;
    assert_eq!(found["id"], first["id"]);
    assert_eq!(audits(&app, "model.created").await, 1);
}

#[tokio::test]
async fn a_listing_with_unknown_references_is_422_naming_each_field() {
    let app = spawn_app().await;
    let mut body = new_listing();
    body["publisher"] = json!("nobody");
    body["slug"] = json!("nobody/Bad Slug");
    body["provenance"]["origin_country"] = json!("XX");
    body["provenance"]["base_model"] = json!("meta/nothing");
    let response = app.create_model(None, &body).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in [
        "publisher",
        "provenance.base_model",
        "slug",
        "provenance.origin_country",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }
    let models: i64 = sqlx::query_scalar("SELECT count(*) FROM models")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(models, 0);
}

#[tokio::test]
async fn an_update_needs_a_current_if_match_and_a_stale_one_changes_nothing() {
    let (app, id, etag) = app_with_new_listing().await;
    let response = app.patch_model(&id, None, json!({"name": "Renamed"})).await;
    assert_problem(response, 428, "precondition_required").await;
    let response = app.patch_model(&id, Some(&etag), json!({"name": "Renamed"})).await;
    assert_eq!(response.status(), 200);
    let new_etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(new_etag, etag);
    let response = app
        .patch_model(&id, Some(&etag), json!({"name": "Renamed again"}))
        .await;
    assert_eq!(response.headers()["etag"].to_str().unwrap(), new_etag);
    assert_problem(response, 412, "precondition_failed").await;

    let response = app.get(&format!("/v1/models/{id}"), &staff()).await;
    let public = response.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        public.starts_with(&format!("{}-", new_etag.trim_end_matches('"'))),
        "the public tag {public} names the row version of {new_etag} first"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Renamed");
    assert_eq!(audits(&app, "model.updated").await, 1);
    let response = app
        .patch_model(&id, Some(&new_etag), json!({"slug": "mistral/other"}))
        .await;
    assert_problem(response, 400, "malformed_body").await;
}

#[tokio::test]
async fn the_lifecycle_moves_only_forward_and_deprecation_is_signalled() {
    let (app, id, etag) = app_with_new_listing().await;
    let response = app
        .patch_model(&id, Some(&etag), json!({"lifecycle": {"status": "preview"}}))
        .await;
    let problem = assert_problem(response, 409, "invalid_lifecycle_transition").await;
    assert_eq!(problem["context"]["allowed"], json!(["deprecated"]));

    let successor: String = sqlx::query_scalar("SELECT id::text FROM models WHERE slug = 'openai/gpt-4o'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let response = app
        .patch_model(
            &id,
            Some(&etag),
            json!({"lifecycle": {"status": "deprecated", "deprecation_date": "2026-12-01",
                                 "retirement_date": "2027-06-01", "successor": "openai/gpt-4o"}}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();

    let response = app.get(&format!("/v1/models/{id}"), &staff()).await;
    assert_eq!(response.status(), 200);
    let expected_deprecation = format!(
        "@{}",
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    );
    assert_eq!(
        response.headers()["deprecation"].to_str().unwrap(),
        expected_deprecation
    );
    assert_eq!(response.headers()["sunset"], "Tue, 01 Jun 2027 00:00:00 GMT");
    assert_eq!(
        response.headers()["link"].to_str().unwrap(),
        format!("</v1/models/{successor}>; rel=\"successor-version\"")
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["lifecycle"]["successor"]["slug"], "openai/gpt-4o");
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE event_type = 'model.deprecated'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(events, 1);

    let response = app
        .patch_model(&id, Some(&etag), json!({"lifecycle": {"status": "retired"}}))
        .await;
    assert_eq!(response.status(), 200);
    let response = app.get(&format!("/v1/models/{id}"), &staff()).await;
    assert!(response.headers()["link"].to_str().unwrap().contains(&successor));
    let problem = assert_problem(response, 410, "gone").await;
    assert_eq!(problem["context"]["successor"]["slug"], "openai/gpt-4o");
    let etag = app.get(&format!("/v1/models/{successor}"), &staff()).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!etag.is_empty());
    let response = app
        .patch_model(&id, Some("\"99\""), json!({"lifecycle": {"status": "ga"}}))
        .await;
    assert_problem(response, 412, "precondition_failed").await;
}

fn offers(input: &str, output: &str, scheduled: Option<(&str, &str)>) -> Value {
    let mut offer = json!({
        "region": "westeurope", "deployment_type": "serverless", "processing_scope": "regional",
        "operator": {"name": "Modelmart Cloud", "country": "US"}, "status": "available",
        "prices": [
            {"dimension": "input_tokens", "unit": "1M_tokens", "amount": input, "currency": "USD"},
            {"dimension": "output_tokens", "unit": "1M_tokens", "amount": output, "currency": "USD"}
        ]
    });
    if let Some((amount, from)) = scheduled {
        offer["scheduled_prices"] = json!([{"dimension": "input_tokens", "unit": "1M_tokens", "amount": amount,
                                             "currency": "USD", "effective_from": from}]);
    }
    json!({ "offers": [offer] })
}

fn input_price(offers: &Value) -> Value {
    offers["items"][0]["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["dimension"] == "input_tokens")
        .map(|p| p["amount"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn price_changes_keep_history_and_a_scheduled_price_answers_for_its_time() {
    let (app, id, etag) = app_with_new_listing().await;
    let response = app.put_offers(&id, &etag, offers("0.55", "2.19", None)).await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let before_change = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    let response = app
        .put_offers(
            &id,
            &etag,
            offers("0.45", "2.19", Some(("0.35", "2030-01-01T00:00:00Z"))),
        )
        .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let now: Value = response.json().await.unwrap();
    assert_eq!(input_price(&now), "0.45");
    assert_eq!(now["items"][0]["scheduled_prices"][0]["amount"], "0.35");

    let path = |at: &str| format!("/v1/models/{id}/offers?at={}", at.replace('+', "%2B"));
    let (_, then) = app.get_json(&path(&before_change.to_rfc3339()), &staff()).await;
    assert_eq!(input_price(&then), "0.55", "history kept: {then}");
    let (_, later) = app.get_json(&path("2030-06-01T00:00:00Z"), &staff()).await;
    assert_eq!(input_price(&later), "0.35", "{later}");
    let response = app.get(&format!("/v1/models/{id}/offers?at=yesterday"), &staff()).await;
    assert_problem(response, 400, "invalid_parameter").await;

    // Same set again: nothing changes, the version stays, nothing is audited.
    let response = app
        .put_offers(
            &id,
            &etag,
            offers("0.45", "2.19", Some(("0.35", "2030-01-01T00:00:00Z"))),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["etag"].to_str().unwrap(),
        etag,
        "an identical set changes nothing"
    );
    assert_eq!(audits(&app, "model.offers_replaced").await, 2);

    // A new current price under an unchanged schedule keeps the schedule.
    let response = app
        .put_offers(
            &id,
            &etag,
            offers("0.40", "2.19", Some(("0.35", "2030-01-01T00:00:00Z"))),
        )
        .await;
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(input_price(&body), "0.4", "amounts are normalised decimals");
    let (_, later) = app.get_json(&path("2030-06-01T00:00:00Z"), &staff()).await;
    assert_eq!(input_price(&later), "0.35");

    // Leaving the offer out withdraws it but keeps it.
    let response = app.put_offers(&id, &etag, json!({"offers": []})).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["items"][0]["status"], "unavailable");
}

#[tokio::test]
async fn an_offers_update_is_validated_and_needs_the_listing_etag() {
    let (app, id, etag) = app_with_new_listing().await;
    let response = app
        .client
        .put(app.url(&format!("/v1/admin/models/{id}/offers")))
        .bearer_auth(staff())
        .json(&offers("0.55", "2.19", None))
        .send()
        .await
        .unwrap();
    assert_problem(response, 428, "precondition_required").await;
    let mut bad = offers("-1", "2.19", Some(("0.35", "2001-01-01T00:00:00Z")));
    bad["offers"][0]["region"] = json!("atlantis-1");
    let response = app.put_offers(&id, &etag, bad).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "offers[0].region",
            "offers[0].prices[0].amount",
            "offers[0].scheduled_prices[0].effective_from"
        ]
    );
    // Two scheduled prices of one component at one instant, however the
    // instant is written.
    let mut twice = offers("0.55", "2.19", Some(("0.35", "2030-01-01T00:00:00Z")));
    let mut again = twice["offers"][0]["scheduled_prices"][0].clone();
    again["effective_from"] = json!("2030-01-01T01:00:00+01:00");
    again["amount"] = json!("0.30");
    twice["offers"][0]["scheduled_prices"]
        .as_array_mut()
        .unwrap()
        .push(again);
    let problem = assert_problem(app.put_offers(&id, &etag, twice).await, 422, "validation_failed").await;
    assert_eq!(
        problem["errors"][0]["field"],
        "offers[0].scheduled_prices[1].effective_from"
    );
    let response = app.put_offers(&id, "\"42\"", offers("0.55", "2.19", None)).await;
    assert_problem(response, 412, "precondition_failed").await;
    let offers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM offers o JOIN models m ON m.id = o.model_id WHERE m.slug = 'mistral/mistral-small-3.2'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(offers, 0);
}

#[tokio::test]
async fn tenants_and_other_staff_cannot_administer_the_catalog() {
    let (app, id, etag) = app_with_new_listing().await;
    for token in [
        platform_token("compliance.officer"),
        tenant_token("tenant.admin", uuid::Uuid::new_v4()),
    ] {
        let response = app
            .client
            .patch(app.url(&format!("/v1/admin/models/{id}")))
            .bearer_auth(&token)
            .header("if-match", &etag)
            .json(&json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        assert_problem(response, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn values_postgresql_cannot_store_are_422_and_whole_numbers_may_be_written_as_floats() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    for field in ["publisher", "name", "license"] {
        let mut body = new_listing();
        body[field] = json!("nul\u{0}inside");
        let response = app.create_model(None, &body).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let models: i64 = sqlx::query_scalar("SELECT count(*) FROM models WHERE slug = 'mistral/mistral-small-3.2'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(models, 0, "nothing was written");
    // JSON Schema counts 128000.0 as an integer; so does the API.
    let mut body = new_listing();
    body["context_window"] = json!(128000.0);
    let response = app.create_model(None, &body).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["context_window"], 128000);
}

async fn set_rate(app: &TestApp, currency: &str, body: Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/v1/admin/currency-rates/{currency}")))
        .bearer_auth(staff())
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn prices_in_another_currency_count_at_the_admins_rate_and_say_they_were_converted() {
    let (app, id, etag) = app_with_new_listing().await;
    let mut body = offers("0.50", "1.50", None);
    for price in body["offers"][0]["prices"].as_array_mut().unwrap() {
        price["currency"] = json!("EUR");
    }
    assert_eq!(app.put_offers(&id, &etag, body).await.status(), 200);
    let path = format!("/v1/models/{id}");
    let cheap = "/v1/models?max_input_price_per_mtok=1&q=mistral+small";

    // No rate: the price is not free and not dropped silently.
    let (_, listing) = app.get_json(&path, &staff()).await;
    assert_eq!(listing["pricing"]["min_input_price_per_mtok"], Value::Null);
    assert_eq!(listing["pricing"]["not_converted"], json!(["EUR"]));
    let (_, page) = app.get_json(cheap, &staff()).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "{page}");

    let response = set_rate(&app, "EUR", json!({"usd_per_unit": "1.1"})).await;
    assert_eq!(response.status(), 200);
    let rate: Value = response.json().await.unwrap();
    assert_eq!(rate["usd_per_unit"], "1.1");
    assert_eq!(audits(&app, "currency_rate.set").await, 1);
    let (_, rates) = app.get_json("/v1/currency-rates", &staff()).await;
    assert_eq!(rates["items"][0]["currency"], "EUR");

    let (_, listing) = app.get_json(&path, &staff()).await;
    assert_eq!(listing["pricing"]["min_input_price_per_mtok"], "0.55");
    assert_eq!(listing["pricing"]["min_output_price_per_mtok"], "1.65");
    assert_eq!(listing["pricing"]["converted_from"], json!(["EUR"]));
    assert_eq!(listing["pricing"]["not_converted"], json!([]));
    let (_, offered) = app.get_json(&format!("{path}/offers"), &staff()).await;
    let price = &offered["items"][0]["prices"][0];
    assert_eq!((&price["amount"], &price["currency"]), (&json!("0.5"), &json!("EUR")));
    assert_eq!(price["usd_amount"], "0.55");
    let (_, page) = app.get_json(cheap, &staff()).await;
    assert_eq!(
        page["items"][0]["id"],
        json!(id),
        "the converted price passes the filter: {page}"
    );

    // Bad rates change nothing.
    for (currency, body, status) in [
        ("USD", json!({"usd_per_unit": "1"}), 422),
        ("eur", json!({"usd_per_unit": "1"}), 400),
        ("EUR", json!({"usd_per_unit": "0"}), 422),
        ("EUR", json!({"usd_per_unit": "-1"}), 422),
        ("EUR", json!({"usd_per_unit": "1.0000000000001"}), 422),
        ("EUR", json!({"usd_per_unit": "1", "note": "x"}), 400),
    ] {
        let response = set_rate(&app, currency, body.clone()).await;
        assert_eq!(response.status(), status, "{currency} {body}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    let reader = app
        .client
        .put(app.url("/v1/admin/currency-rates/EUR"))
        .bearer_auth(platform_token("compliance.officer"))
        .json(&json!({"usd_per_unit": "9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reader.status(), 403);
    let (_, rates) = app.get_json("/v1/currency-rates", &staff()).await;
    assert_eq!(rates["items"][0]["usd_per_unit"], "1.1");

    // Removing the rate takes the conversion back out, visibly.
    let removed = app
        .client
        .delete(app.url("/v1/admin/currency-rates/EUR"))
        .bearer_auth(staff())
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(audits(&app, "currency_rate.removed").await, 1);
    let (_, listing) = app.get_json(&path, &staff()).await;
    assert_eq!(listing["pricing"]["min_input_price_per_mtok"], Value::Null);
    assert_eq!(listing["pricing"]["not_converted"], json!(["EUR"]));
}

#[tokio::test]
async fn a_listing_patch_is_a_merge_patch_where_null_removes_what_a_listing_may_lack() {
    let (app, id, etag) = app_with_new_listing().await;
    let patch = |etag: String, body: &'static str| {
        app.client
            .patch(app.url(&format!("/v1/admin/models/{id}")))
            .bearer_auth(staff())
            .header("if-match", etag)
            .header("content-type", "application/merge-patch+json")
            .body(body)
            .send()
    };
    let response = patch(
        etag,
        r#"{"context_window": null, "capabilities": null, "provenance": {"release_date": null}, "tags": ["small", "eu"]}"#,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let listing: Value = response.json().await.unwrap();
    assert_eq!(listing["context_window"], Value::Null);
    assert_eq!(listing["capabilities"], json!([]));
    assert_eq!(listing["provenance"]["release_date"], Value::Null);
    assert_eq!(listing["provenance"]["origin_country"], "FR", "members left out stay");
    assert_eq!(listing["tags"], json!(["eu", "small"]));
    assert_eq!(listing["name"], "Mistral Small 3.2");

    for (body, field) in [
        (r#"{"name": null}"#, "name"),
        (r#"{"input_modalities": null}"#, "input_modalities"),
        (r#"{"provenance": null}"#, "provenance"),
    ] {
        let response = patch(etag.clone(), body).await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
    let version = |tag: &str| tag.trim_matches('"').split('-').next().unwrap().to_owned();
    let unchanged = app.get(&format!("/v1/models/{id}"), &staff()).await;
    assert_eq!(
        version(unchanged.headers()["etag"].to_str().unwrap()),
        version(&etag),
        "a refused patch changes nothing"
    );
}
