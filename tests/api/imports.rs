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
    // About 1,880 listings, of which about 140 are past their retirement date.
    assert!(listed >= 1700, "{listed} listings; report {}", report["listings"]);

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
