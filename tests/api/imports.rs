use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn the_real_feed_imports_with_every_bad_entry_reported_and_a_second_import_changes_nothing() {
    let feed = litellm_feed();
    let app = spawn_app().await;
    let started = std::time::Instant::now();
    let (status, first) = app.import_litellm(feed.clone()).await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200, "{first}");
    assert!(
        first["listings"]["created"].as_u64().unwrap() >= 1800,
        "{}",
        first["listings"]
    );
    assert!(elapsed.as_secs_f64() < 5.0, "import took {elapsed:?}");
    let rejections = first["rejections"].as_array().unwrap();
    assert_eq!(first["rejected"].as_u64().unwrap() as usize, rejections.len());
    let rejected: HashSet<&str> = rejections.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert!(rejected.contains("sample_spec"));
    assert!(rejections.iter().all(|r| !r["reason"].as_str().unwrap().is_empty()));

    let (status, second) = app.import_litellm(feed).await;
    assert_eq!(status, 200);
    for kind in ["publishers", "listings", "offers"] {
        assert_eq!(second[kind]["created"], 0, "{kind}: {second}");
        assert_eq!(second[kind]["updated"], 0, "{kind}: {second}");
    }
    assert_eq!(second["price_changes"], 0);
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'catalog.imported'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audits, 1, "only the import that changed something is audited");
}

#[tokio::test]
async fn after_importing_the_real_feed_paging_returns_every_listing_once_and_deepseek_search_is_precise() {
    let feed = litellm_feed();
    let app = spawn_app().await;
    let (status, report) = app.import_litellm(feed).await;
    assert_eq!(status, 200);
    let token = platform_token("catalog.admin");
    // Retired as discovery sees it: by status, or by a retirement date that
    // has come (which the scheduler records within a second).
    let listed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM models
         WHERE lifecycle_status <> 'retired' AND (retirement_date IS NULL OR retirement_date > current_date)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // About 1,820 listings (spellings of one model merged), of which about
    // 140 are past their retirement date.
    assert!(listed >= 1600, "{listed} listings; report {}", report["listings"]);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/models?limit=200&cursor={c}"),
            None => "/v1/models?limit=200".to_owned(),
        };
        let (status, body) = app.get_json(&path, &token).await;
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= 200);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no listing twice");
    assert_eq!(seen.len() as i64, listed, "every listing once");

    let (_, body) = app.get_json("/v1/models?q=deepseek&limit=200", &token).await;
    let items = body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        let text = format!(
            "{} {} {} {}",
            item["slug"], item["name"], item["description"], item["tags"]
        )
        .to_lowercase();
        assert!(text.contains("deepseek"), "not DeepSeek-related: {}", item["slug"]);
    }
    assert_eq!(
        items[0]["publisher"]["slug"], "deepseek",
        "best first: {}",
        items[0]["slug"]
    );
}

#[tokio::test]
async fn bad_entries_are_rejected_with_reasons_while_good_ones_import() {
    let app = spawn_app().await;
    let feed = json!({
        "sample_spec": {"litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "chat"},
        "no-provider-model": {"mode": "chat", "input_cost_per_token": 1e-6},
        "openai/no-mode-model": {"litellm_provider": "openai"},
        "openai/negative-price": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": -1},
        "deepseek/deepseek-chat": {
            "litellm_provider": "deepseek", "mode": "chat", "max_input_tokens": 65536,
            "input_cost_per_token": 2.7e-7, "output_cost_per_token": 1.1e-6, "supports_function_calling": true
        }
    });
    let (status, report) = app.import_litellm(feed.to_string().into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["listings"]["created"], 1, "{report}");
    let rejected: Vec<&str> = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    for key in [
        "sample_spec",
        "no-provider-model",
        "openai/no-mode-model",
        "openai/negative-price",
    ] {
        assert!(rejected.contains(&key), "{key} rejected: {report}");
    }
    let (_, offers) = app
        .get_json(
            "/v1/models/deepseek%2Fdeepseek-chat/offers",
            &platform_token("catalog.admin"),
        )
        .await;
    let input = offers["items"][0]["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["dimension"] == "input_tokens")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(input["amount"], "0.27", "exact per-1M price: {offers}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_problem_and_changes_nothing() {
    let app = spawn_app().await;
    let (status, body) = app.import_litellm(b"{not json".to_vec()).await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "malformed_body");
    let (status, body) = app.import_litellm(b"[1, 2, 3]".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    let models: i64 = sqlx::query_scalar("SELECT count(*) FROM models")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(models, 0);
}

#[tokio::test]
async fn an_unknown_import_format_is_a_400_naming_format() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/v1/admin/imports?format=csv"))
        .bearer_auth(platform_token("catalog.admin"))
        .body("{}")
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 400, "invalid_parameter").await;
    assert!(
        body["detail"].as_str().unwrap().contains("format") || body["detail"].as_str().unwrap().contains("csv"),
        "{body}"
    );
}

#[tokio::test]
async fn the_cli_imports_a_feed_and_prints_json_counts() {
    let app = spawn_app().await;
    let dir = std::env::temp_dir().join(format!("modelmart-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("feed.json");
    std::fs::write(
        &file,
        json!({"sample_spec": {}, "mistral/mistral-small-latest": {
            "litellm_provider": "mistral", "mode": "chat", "input_cost_per_token": 1e-7, "output_cost_per_token": 3e-7}})
        .to_string(),
    )
    .unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
            .args(["import", "--format", "litellm", "--json"])
            .arg(&file)
            .env("DATABASE_URL", &app.database_url)
            .env("MODELMART_LOG", "error")
            .output()
            .unwrap()
    };
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let report: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(report["listings"]["created"], 1);
    assert_eq!(report["rejected"], 1);
    let second: Value = serde_json::from_slice(&run().stdout).unwrap();
    assert_eq!(second["listings"]["created"], 0);
    assert_eq!(second["listings"]["unchanged"], 1);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_cli_seeds_a_synthetic_catalog_that_discovery_serves() {
    let app = spawn_app().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
        .args(["seed", "--synthetic", "1500"])
        .env("DATABASE_URL", &app.database_url)
        .env("MODELMART_LOG", "error")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("seeded 1500 synthetic listings"));
    app.wait_for_catalog().await;
    let (_, page) = app
        .get_json(
            "/v1/models?tag=synthetic&limit=1&lifecycle=preview,ga,deprecated,retired",
            &platform_token("catalog.admin"),
        )
        .await;
    assert_eq!(page["total"], 1500);
}

/// A good entry, and entries that each break one of the database's rules
/// for a listing, an offer or a price.
fn hostile_feed() -> Value {
    let chat = |provider: &str| json!({"litellm_provider": provider, "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6});
    let mut feed = serde_json::Map::new();
    feed.insert("mistral/mistral-small-latest".into(), chat("mistral"));
    feed.insert(format!("openai/{}", "very-long-model-name-".repeat(8)), chat("openai"));
    feed.insert("longprovider/some-model".into(), chat(&"p".repeat(250)));
    feed.insert("../../etc/passwd".into(), chat("openai"));
    feed.insert(format!("openai/{}", "k".repeat(5_000)), chat("openai"));
    feed.insert("openai/gpt\u{0}null".into(), chat("openai"));
    let mut overflow = chat("openai");
    overflow["input_cost_per_token"] = json!(123456789012345.0);
    feed.insert("openai/overflowing-price".into(), overflow);
    let mut ancient = chat("openai");
    ancient["deprecation_date"] = json!("0000-01-01");
    feed.insert("openai/ancient-deprecation".into(), ancient);
    Value::Object(feed)
}

#[tokio::test]
async fn a_row_breaking_a_database_rule_is_rejected_alone_and_the_rest_imports() {
    let app = spawn_app().await;
    let (status, report) = app.import_litellm(hostile_feed().to_string().into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["listings"]["created"], 1, "only the good listing: {report}");
    let rejections = report["rejections"].as_array().unwrap();
    assert_eq!(report["rejected"], 7, "{report}");
    for rejection in rejections {
        let key = rejection["key"].as_str().unwrap();
        assert!(
            key.chars().count() <= 201,
            "keys are shortened for display: {}",
            key.len()
        );
        assert!(!rejection["reason"].as_str().unwrap().is_empty());
    }
    let listed: Vec<String> = sqlx::query_scalar("SELECT slug FROM models")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(listed, ["mistral/mistral-small-latest"]);
}

#[tokio::test]
async fn the_cli_prints_json_in_every_outcome() {
    let app = spawn_app().await;
    let dir = std::env::temp_dir().join(format!("modelmart-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |name: &str, content: &str| {
        let file = dir.join(name);
        std::fs::write(&file, content).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
            .args(["import", "--format", "litellm", "--json"])
            .arg(&file)
            .env("DATABASE_URL", &app.database_url)
            .env("MODELMART_LOG", "error")
            .output()
            .unwrap()
    };
    let hostile = run("hostile.json", &hostile_feed().to_string());
    assert!(hostile.status.success(), "{}", String::from_utf8_lossy(&hostile.stderr));
    let report: Value = serde_json::from_slice(&hostile.stdout).expect("a JSON report");
    assert_eq!(report["rejected"], 7);
    for broken in ["{not json", "[1, 2, 3]"] {
        let failed = run("broken.json", broken);
        assert!(!failed.status.success());
        let error: Value = serde_json::from_slice(&failed.stdout)
            .unwrap_or_else(|_| panic!("not JSON: {:?}", String::from_utf8_lossy(&failed.stdout)));
        assert!(
            error["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{error}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn a_row_the_database_still_refuses_is_rejected_alone_naming_the_constraint() {
    let app = spawn_app().await;
    // A rule the importer does not know: the database's refusal must cost
    // only the row that breaks it.
    sqlx::query("ALTER TABLE models ADD CONSTRAINT test_no_forbidden_models CHECK (name NOT LIKE '%Forbidden%')")
        .execute(&app.pool)
        .await
        .unwrap();
    let chat = json!({"litellm_provider": "mistral", "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6});
    let mut feed = serde_json::Map::new();
    for name in [
        "mistral-small-latest",
        "forbidden-model",
        "mistral-large-latest",
        "codestral-latest",
        "ministral-8b",
    ] {
        feed.insert(format!("mistral/{name}"), chat.clone());
    }
    let (status, report) = app.import_litellm(Value::Object(feed).to_string().into_bytes()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["listings"]["created"], 4, "{report}");
    let rejection = report["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "mistral/forbidden-model")
        .unwrap_or_else(|| panic!("{report}"));
    assert!(
        rejection["reason"]
            .as_str()
            .unwrap()
            .contains("test_no_forbidden_models"),
        "{rejection}"
    );
    let imported: i64 = sqlx::query_scalar("SELECT count(*) FROM models")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imported, 4);
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'catalog.imported'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audits, 1, "one import, one audit event");
}

/// Rows the column rules accept are rows the database accepts: random
/// listings and offers (any Unicode but NUL, lengths and numbers anywhere
/// the rules allow, some rows broken on purpose) are filtered by
/// `without_invalid` and written; the write never fails, and exactly the
/// rows kept are stored.
#[tokio::test]
async fn rows_the_column_rules_accept_are_rows_the_database_accepts() {
    use modelmart::domain::batch::*;
    use modelmart::domain::vocab::*;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    // Any Unicode, with a NUL now and then (about one string in fifty).
    let text = |max: usize| {
        (
            proptest::collection::vec(any::<char>().prop_filter("NUL comes apart", |c| *c != '\0'), 0..max),
            0u8..50,
        )
            .prop_map(|(chars, roll)| {
                let mut text: String = chars.into_iter().collect();
                if roll == 0 {
                    text.push('\0');
                }
                text
            })
    };
    let strategy = proptest::collection::vec(
        (
            "[a-z0-9][a-z0-9._-]{0,30}",
            text(210),
            proptest::option::of(text(105)),
            text(300),
            proptest::option::of(-5i32..2_000_000),
            "[A-Za-z0-9][A-Za-z0-9.+-]{0,66}",
            proptest::option::of("[A-Z]{2}|[a-z]{2}|[A-Z]{3}"),
            (-10i64..2_000_000_000_000_000i64, 0u32..14),
            text(210),
            proptest::collection::vec(text(66), 0..4),
        ),
        30..60,
    );
    let app = spawn_app().await;
    let mut runner = TestRunner::deterministic();
    for round in 0..4 {
        let rows = strategy.new_tree(&mut runner).unwrap().current();
        let mut batch = CatalogBatch {
            publishers: vec![PublisherRecord {
                slug: "fuzz".into(),
                name: "Fuzz Labs".into(),
                country: Some("DE".into()),
                website: None,
            }],
            ..Default::default()
        };
        for (i, (slug, name, family, description, context, license, country, (mantissa, scale), operator, tags)) in
            rows.into_iter().enumerate()
        {
            let slug = format!("fuzz/{slug}-{round}-{i}");
            batch.models.push(ModelRecord {
                slug: slug.clone(),
                publisher_slug: "fuzz".into(),
                name,
                family,
                version: None,
                description,
                task: Task::Chat,
                input_modalities: vec![Modality::Text],
                output_modalities: vec![Modality::Text],
                context_window: context,
                max_output_tokens: None,
                capabilities: Vec::new(),
                license,
                open_weights: false,
                provenance: ProvenanceRecord {
                    origin_country: country,
                    lineage: Lineage::Original,
                    base_model_slug: None,
                    model_card_url: None,
                    weights_digest: None,
                    release_date: None,
                },
                lifecycle: LifecycleRecord {
                    status: LifecycleStatus::Ga,
                    deprecation_date: None,
                    retirement_date: None,
                    successor_slug: None,
                },
                tags,
            });
            batch.offers.push(OfferRecord {
                model_slug: slug.clone(),
                region: "eastus".into(),
                deployment_type: DeploymentType::Serverless,
                processing_scope: ProcessingScope::Regional,
                operator_name: operator,
                operator_country: None,
                status: OfferStatus::Available,
                prices: vec![PriceRecord {
                    dimension: PriceDimension::InputTokens,
                    unit: PriceUnit::PerMillionTokens,
                    amount: rust_decimal::Decimal::new(mantissa, scale),
                    currency: "USD".into(),
                    tier_min_context_tokens: None,
                }],
                source_key: Some(slug),
            });
        }
        let offered = batch.models.len();
        let kept = batch.without_invalid();
        assert!(
            !kept.models.is_empty() && kept.models.len() < offered,
            "round {round}: {} of {offered} rows kept ({:?}); the rounds should mix kept and refused rows",
            kept.models.len(),
            kept.rejected.iter().take(3).collect::<Vec<_>>()
        );
        let mut tx = app.pool.begin().await.unwrap();
        let outcome = modelmart::db::catalog_write::apply(
            &mut tx,
            &kept,
            &modelmart::domain::actor::Actor::system("test"),
            "fuzz",
        )
        .await
        .unwrap_or_else(|error| panic!("round {round}: the database refused a row the rules accepted: {error}"));
        tx.commit().await.unwrap();
        assert_eq!(outcome.listings.created as usize, kept.models.len());
        assert_eq!(outcome.offers.created as usize, kept.offers.len());
    }
}

impl TestApp {
    async fn import_litellm_mode(&self, mode: &str, feed: &Value) -> Value {
        let response = self
            .client
            .post(self.url(&format!("/v1/admin/imports?format=litellm&mode={mode}")))
            .bearer_auth(platform_token("catalog.admin"))
            .header("content-type", "application/json")
            .body(feed.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn offer_statuses(&self, slug: &str) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT o.source_key, o.status FROM offers o JOIN models m ON m.id = o.model_id
             WHERE m.slug = $1 ORDER BY o.source_key, o.region_code, o.deployment_type",
        )
        .bind(slug)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }
}

/// The real feed's entries, and the keys of those that became R1's offers.
async fn real_feed_with_r1_keys(app: &TestApp) -> (serde_json::Map<String, Value>, Vec<String>) {
    let feed: Value = serde_json::from_slice(&litellm_feed()).unwrap();
    let (status, _) = app.import_litellm(litellm_feed()).await;
    assert_eq!(status, 200);
    let mut keys: Vec<String> = app
        .offer_statuses("deepseek/deepseek-r1")
        .await
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    keys.dedup();
    assert!(keys.len() >= 5, "R1 has many hosts in the real feed: {keys:?}");
    (feed.as_object().unwrap().clone(), keys)
}

#[tokio::test]
async fn a_partial_import_of_a_few_hosts_keeps_the_listing_described_from_all_of_them() {
    let app = spawn_app().await;
    let (feed, r1_keys) = real_feed_with_r1_keys(&app).await;
    let token = platform_token("catalog.admin");
    let (_, before) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &token).await;
    let offers_before = app.offer_statuses("deepseek/deepseek-r1").await;

    // Five entries, one of them an R1 host with a new price.
    let mut few = serde_json::Map::new();
    for key in feed.keys().filter(|k| !r1_keys.contains(k)).take(4) {
        few.insert(key.clone(), feed[key].clone());
    }
    let host = &r1_keys[0];
    let mut repriced = feed[host].clone();
    repriced["input_cost_per_token"] = json!(0.000001234);
    few.insert(host.clone(), repriced);
    let report = app.import_litellm_mode("partial", &Value::Object(few)).await;
    assert_eq!(report["mode"], "partial");
    assert_eq!(report["offers_withdrawn"], 0, "{report}");
    assert_eq!(
        report["listings"]["updated"], 0,
        "no listing is rewritten from five entries: {report}"
    );
    assert!(report["price_changes"].as_u64().unwrap() >= 1, "{report}");

    let (_, after) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &token).await;
    for field in [
        "name",
        "description",
        "capabilities",
        "tags",
        "context_window",
        "input_modalities",
    ] {
        assert_eq!(after[field], before[field], "{field}");
    }
    assert_eq!(app.offer_statuses("deepseek/deepseek-r1").await, offers_before);
    let repriced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM offer_prices p JOIN offers o ON o.id = p.offer_id
         WHERE o.source_key = $1 AND p.dimension = 'input_tokens' AND p.amount = 1.234 AND p.effective_to IS NULL",
    )
    .bind(host)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(repriced >= 1, "the host's new price is in force");
}

#[tokio::test]
async fn a_full_import_withdraws_what_its_source_no_longer_carries_and_announces_it() {
    let app = spawn_app().await;
    let (feed, r1_keys) = real_feed_with_r1_keys(&app).await;
    let token = platform_token("catalog.admin");
    let (_, offers_before) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1/offers", &token).await;

    // The source now carries one R1 host only (one not being deprecated,
    // or the listing would be described as retiring).
    let kept = r1_keys
        .iter()
        .find(|key| feed[key.as_str()].get("deprecation_date").is_none())
        .unwrap();
    let only = json!({ kept.as_str(): feed[kept].clone() });
    let report = app.import_litellm_mode("full", &only).await;
    let withdrawn = report["offers_withdrawn"].as_u64().unwrap();
    assert!(withdrawn > 1000, "everything else the feed had is withdrawn: {report}");
    let statuses = app.offer_statuses("deepseek/deepseek-r1").await;
    assert!(
        statuses
            .iter()
            .all(|(key, status)| (key == kept) == (status != "withdrawn")),
        "{statuses:?}"
    );

    // Kept with their history, no longer offered, and announced.
    app.wait_for_catalog().await;
    let (_, offers_after) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1/offers", &token).await;
    let shown = offers_after["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{offers_after}"));
    assert!(!shown.is_empty() && shown.len() < offers_before["items"].as_array().unwrap().len());
    assert!(shown.iter().all(|o| o["status"] != "withdrawn"), "{offers_after}");
    let history: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM offer_prices p JOIN offers o ON o.id = p.offer_id WHERE o.status = 'withdrawn'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(history > 0, "withdrawn offers keep their prices");
    let event: Value = sqlx::query_scalar(
        "SELECT payload FROM outbox_events WHERE event_type = 'offer.withdrawn' AND payload->>'slug' = 'deepseek/deepseek-r1'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(event["source"], "litellm");
    let announced = event["offers"].as_array().unwrap().len();
    let withdrawn_r1 = statuses.iter().filter(|(_, s)| s == "withdrawn").count();
    assert_eq!(announced, withdrawn_r1, "{event}");

    // The whole feed again brings every offer back; nothing was deleted.
    let (_, again) = app.import_litellm(litellm_feed()).await;
    assert_eq!(again["offers"]["created"], 0, "{again}");
    assert_eq!(again["offers_withdrawn"], 0);
    assert!(app
        .offer_statuses("deepseek/deepseek-r1")
        .await
        .iter()
        .all(|(_, status)| status != "withdrawn"));
}

#[tokio::test]
async fn a_rejected_entry_keeps_its_previous_version_and_its_offer() {
    let app = spawn_app().await;
    let good = json!({"mistral/mistral-small-latest": {
        "litellm_provider": "mistral", "mode": "chat",
        "input_cost_per_token": 1e-6, "output_cost_per_token": 3e-6, "supports_function_calling": true
    }});
    app.import_litellm_mode("full", &good).await;
    let mut bad = good.clone();
    bad["mistral/mistral-small-latest"]["input_cost_per_token"] = json!(-1);
    for mode in ["full", "partial"] {
        let report = app.import_litellm_mode(mode, &bad).await;
        assert_eq!(report["rejected"], 1, "{report}");
        assert!(
            report["rejections"][0]["reason"]
                .as_str()
                .unwrap()
                .ends_with("the entry's previous version stays in force"),
            "{report}"
        );
        assert_eq!(report["offers_withdrawn"], 0, "{mode}: {report}");
        assert_eq!(report["price_changes"], 0, "{mode}: {report}");
        assert_eq!(report["listings"]["updated"], 0, "{mode}: {report}");
    }
    let statuses = app.offer_statuses("mistral/mistral-small-latest").await;
    assert!(
        !statuses.is_empty() && statuses.iter().all(|(_, s)| s == "available"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_import_never_rewrites_or_withdraws_another_sources_offers() {
    use modelmart::db::catalog_write::{apply_isolating_refusals, Missing};
    let app = spawn_app().await;
    let batch = crate::fixtures::catalog();
    app.load_batch(&batch).await;
    let offers: i64 = sqlx::query_scalar("SELECT count(*) FROM offers")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // The fixture's own offers, sent by another source: none is its to change.
    let mut tx = app.pool.begin().await.unwrap();
    let mut repriced = batch.clone();
    for offer in &mut repriced.offers {
        for price in &mut offer.prices {
            price.amount += rust_decimal::Decimal::ONE;
        }
    }
    let none = std::collections::BTreeSet::new();
    let actor = modelmart::domain::actor::Actor::system("test");
    let (outcome, _) = apply_isolating_refusals(
        &mut tx,
        &repriced,
        &actor,
        "litellm",
        Missing::Withdraw { except_keys: &none },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outcome.offers_owned_elsewhere as i64, offers);
    assert_eq!((outcome.price_changes, outcome.offers_withdrawn), (0, 0));

    // A full import of the feed source: the fixture's offers stay as they were.
    let report = app.import_litellm_mode("full", &json!({})).await;
    assert_eq!(report["offers_withdrawn"], 0, "{report}");
    let available: i64 = sqlx::query_scalar("SELECT count(*) FROM offers WHERE status <> 'withdrawn'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(available, offers);
}

#[tokio::test]
async fn the_cli_imports_part_of_a_feed_with_partial_and_withdraws_nothing() {
    let app = spawn_app().await;
    let chat = json!({"litellm_provider": "mistral", "mode": "chat", "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6});
    app.import_litellm_mode(
        "full",
        &json!({"mistral/mistral-small-latest": chat, "mistral/codestral-latest": chat}),
    )
    .await;
    let file = std::env::temp_dir().join(format!("modelmart-partial-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&file, json!({"mistral/mistral-large-latest": chat}).to_string()).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
        .args(["import", "--format", "litellm", "--partial", "--json"])
        .arg(&file)
        .env("DATABASE_URL", &app.database_url)
        .env("MODELMART_LOG", "error")
        .output()
        .unwrap();
    std::fs::remove_file(&file).ok();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["mode"], "partial");
    assert_eq!(report["offers"]["created"], 1, "{report}");
    assert_eq!(report["offers_withdrawn"], 0, "{report}");
    let withdrawn: i64 = sqlx::query_scalar("SELECT count(*) FROM offers WHERE status = 'withdrawn'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(withdrawn, 0);
}

#[tokio::test]
async fn spellings_of_one_model_that_differ_in_punctuation_are_one_listing_and_each_spelling_finds_it() {
    let app = spawn_app().await;
    // Azure spells GPT-3.5 Turbo `gpt-35-turbo`, OpenAI `gpt-3.5-turbo`;
    // Fireworks writes Llama 3.1 as `llama-v3p1` (`llama-v3.1`), Groq as
    // `llama3.1`: the version `v` is punctuation too.
    let feed = json!({
        "gpt-3.5-turbo": {"litellm_provider": "openai", "mode": "chat", "max_input_tokens": 16385,
                          "input_cost_per_token": 5e-07, "output_cost_per_token": 1.5e-06},
        "azure/gpt-35-turbo": {"litellm_provider": "azure", "mode": "chat", "max_input_tokens": 4097,
                               "input_cost_per_token": 5e-07, "output_cost_per_token": 1.5e-06,
                               "supports_function_calling": true},
        "fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct": {
            "litellm_provider": "fireworks_ai", "mode": "chat",
            "input_cost_per_token": 2e-07, "output_cost_per_token": 2e-07},
        "groq/llama3.1-8b-instruct": {"litellm_provider": "groq", "mode": "chat",
                                      "input_cost_per_token": 5e-08, "output_cost_per_token": 8e-08}
    });
    let (status, report) = app.import_litellm(serde_json::to_vec(&feed).unwrap()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["listings_described"], 2, "{report}");
    assert_eq!(report["aliases"], 2, "{report}");

    let token = platform_token("catalog.admin");
    let (_, page) = app.get_json("/v1/models?q=turbo", &token).await;
    let slugs: Vec<&str> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|m| m["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["openai/gpt-3.5-turbo"]);
    assert_eq!(page["items"][0]["aliases"], json!(["openai/gpt-35-turbo"]));
    assert_eq!(
        page["items"][0]["capabilities"],
        json!(["function_calling"]),
        "described from both hosts"
    );

    let response = app.get("/v1/models/openai%2Fgpt-35-turbo", &token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-location"],
        "/v1/models/openai%2Fgpt-3.5-turbo"
    );
    let listing: Value = response.json().await.unwrap();
    assert_eq!(listing["slug"], "openai/gpt-3.5-turbo");
    let (_, offers) = app.get_json("/v1/models/openai%2Fgpt-35-turbo/offers", &token).await;
    let operators: HashSet<&str> = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operator"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(operators.len(), 2, "both hosts offer the one listing: {offers}");

    let (status, llama) = app.get_json("/v1/models/meta%2Fllama-v3.1-8b-instruct", &token).await;
    assert_eq!(status, 200, "{llama}");
    assert_eq!(llama["slug"], "meta/llama3.1-8b-instruct");
    assert_eq!(llama["aliases"], json!(["meta/llama-v3.1-8b-instruct"]));
    let (_, found) = app.get_json("/v1/models?q=gpt-35-turbo", &token).await;
    assert_eq!(
        found["items"][0]["slug"], "openai/gpt-3.5-turbo",
        "search finds a listing by its aliases: {found}"
    );

    // A listing cannot be created under another listing's alias.
    let response = app
        .post_json(
            "/v1/admin/models",
            &platform_token("catalog.admin"),
            json!({
                "slug": "openai/gpt-35-turbo", "publisher": "openai", "name": "Duplicate",
                "task": "chat", "input_modalities": ["text"], "output_modalities": ["text"],
                "license": "unknown", "open_weights": false, "lifecycle": {"status": "ga"}
            }),
        )
        .await;
    assert_eq!(response.status(), 409);
    let refused: Value = response.json().await.unwrap();
    assert!(
        refused["detail"].as_str().unwrap().contains("openai/gpt-3.5-turbo"),
        "{refused}"
    );
}

#[tokio::test]
async fn search_ties_go_to_the_newer_model_dated_by_its_snapshot_name() {
    let app = spawn_app().await;
    let entry = json!({"litellm_provider": "anthropic", "mode": "chat",
                       "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05});
    let feed = json!({
        "claude-3-5-sonnet-20240620": entry.clone(),
        "claude-sonnet-4-5-20250929": entry,
    });
    let (status, report) = app.import_litellm(serde_json::to_vec(&feed).unwrap()).await;
    assert_eq!(status, 200, "{report}");
    let token = platform_token("catalog.admin");
    let (_, found) = app.get_json("/v1/models?q=claude+sonnet", &token).await;
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{found}");
    assert_eq!(items[0]["provenance"]["release_date"], "2025-09-29");
    assert_eq!(items[1]["provenance"]["release_date"], "2024-06-20");
    let (_, by_date) = app.get_json("/v1/models?sort=-release_date", &token).await;
    assert_eq!(by_date["items"][0]["slug"], items[0]["slug"]);
}

/// A batch reads back only the listings it writes or points at, and their
/// offers: the listings of earlier batches must still be found when a new
/// batch links to them or writes them again.
#[tokio::test]
async fn a_batch_links_and_aliases_listings_of_earlier_batches_and_rewriting_one_changes_nothing() {
    use modelmart::db::catalog_write::apply;
    use modelmart::domain::actor::Actor;
    use modelmart::domain::batch::CatalogBatch;

    let app = spawn_app().await;
    let catalog = modelmart::seed::synthetic::synthetic_catalog(4);
    let part = |models: &[usize]| CatalogBatch {
        publishers: catalog.publishers.clone(),
        models: models.iter().map(|&n| catalog.models[n].clone()).collect(),
        offers: catalog
            .offers
            .iter()
            .filter(|offer| models.iter().any(|&n| catalog.models[n].slug == offer.model_slug))
            .cloned()
            .collect(),
        ..Default::default()
    };
    let write = |batch: CatalogBatch| {
        let pool = app.pool.clone();
        async move {
            let mut tx = pool.begin().await.unwrap();
            let outcome = apply(&mut tx, &batch, &Actor::system("test"), "batches").await.unwrap();
            tx.commit().await.unwrap();
            outcome
        }
    };
    let first = part(&[0, 1, 3]);
    let first_offers = first.offers.len() as u64;
    assert!(first_offers > 0);
    write(first.clone()).await;

    let mut linked = part(&[2]);
    linked.models[0].provenance.base_model_slug = Some(catalog.models[0].slug.clone());
    linked.models[0].lifecycle.successor_slug = Some(catalog.models[1].slug.clone());
    // An alias of a listing the batch neither writes nor links to.
    let alias = format!("{}-other-spelling", catalog.models[3].slug);
    linked.aliases.push(modelmart::domain::batch::AliasRecord {
        alias: alias.clone(),
        model_slug: catalog.models[3].slug.clone(),
    });
    write(linked).await;
    let aliased: String =
        sqlx::query_scalar("SELECT m.slug FROM model_aliases a JOIN models m ON m.id = a.model_id WHERE a.alias = $1")
            .bind(&alias)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(aliased, catalog.models[3].slug);
    let (base, successor): (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT b.slug, s.slug FROM models m
         LEFT JOIN models b ON b.id = m.base_model_id LEFT JOIN models s ON s.id = m.successor_id
         WHERE m.slug = $1",
    )
    .bind(&catalog.models[2].slug)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(base.as_deref(), Some(catalog.models[0].slug.as_str()));
    assert_eq!(successor.as_deref(), Some(catalog.models[1].slug.as_str()));

    let prices_before: i64 = sqlx::query_scalar("SELECT count(*) FROM offer_prices")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let again = write(first).await;
    assert_eq!(again.listings.unchanged, 3, "{again:?}");
    assert_eq!(again.offers.unchanged, first_offers, "{again:?}");
    assert_eq!(
        (again.listings.created, again.offers.created, again.price_changes),
        (0, 0, 0),
        "{again:?}"
    );
    let prices_after: i64 = sqlx::query_scalar("SELECT count(*) FROM offer_prices")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        prices_after, prices_before,
        "rewriting unchanged offers opened new price periods"
    );
}
