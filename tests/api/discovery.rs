use std::collections::HashSet;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

/// The filter tests look at the whole catalog, as staff do; what a tenant's
/// decision hides is tested on its own below and in `tenants`.
async fn app_with_fixtures() -> (TestApp, String) {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    (app, platform_token("catalog.admin"))
}

async fn slugs_for(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, body) = app.get_json(&format!("/v1/models?{query}"), token).await;
    assert_eq!(status, 200, "{query}: {body}");
    let mut found = item_slugs(&body);
    found.sort();
    found
}

#[tokio::test]
async fn each_filter_narrows_the_catalog_to_what_it_names() {
    let (app, token) = app_with_fixtures().await;
    let cases: &[(&str, &[&str])] = &[
        ("publisher=deepseek", &["deepseek/deepseek-r1", "deepseek/deepseek-v3"]),
        ("task=embedding", &["openai/text-embedding-3-small"]),
        ("modality=vector", &["openai/text-embedding-3-small"]),
        ("capability=vision", &["openai/gpt-4o"]),
        ("capability=function_calling,reasoning", &["deepseek/deepseek-r1"]),
        ("region=chinanorth3", &["deepseek/deepseek-r1"]),
        (
            "region=swedencentral,datazone-eu",
            &["meta/llama-3.1-8b-instruct", "openai/gpt-4o"],
        ),
        ("origin_country=FR", &["mistral/mistral-large"]),
        ("origin_country=cn", &["deepseek/deepseek-r1", "deepseek/deepseek-v3"]),
        (
            "license=MIT&open_weights=true&task=chat",
            &["deepseek/deepseek-r1", "deepseek/deepseek-v3", "microsoft/phi-4"],
        ),
        ("lifecycle=deprecated", &["mistral/mistral-large"]),
        ("lifecycle=retired", &["openai/gpt-3.5-turbo"]),
        ("lifecycle=preview", &["microsoft/phi-4"]),
        ("tag=small", &["meta/llama-3.1-8b-instruct", "microsoft/phi-4"]),
        (
            "max_input_price_per_mtok=0.27",
            &[
                "deepseek/deepseek-v3",
                "meta/llama-3.1-8b-instruct",
                "openai/text-embedding-3-small",
            ],
        ),
        (
            "max_output_price_per_mtok=0.5&task=chat",
            &["meta/llama-3.1-8b-instruct"],
        ),
        ("min_context_window=100000&publisher=openai", &["openai/gpt-4o"]),
        ("deployment_type=batch", &[]),
    ];
    for (query, expected) in cases {
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(slugs_for(&app, &token, query).await, expected, "{query}");
    }
}

#[tokio::test]
async fn a_list_filter_may_be_repeated_as_generated_clients_send_it_but_other_parameters_may_not() {
    let (app, token) = app_with_fixtures().await;
    let commas = slugs_for(&app, &token, "publisher=deepseek,mistral").await;
    assert!(commas.iter().any(|s| s.starts_with("deepseek/")) && commas.iter().any(|s| s.starts_with("mistral/")));
    for query in [
        "publisher=deepseek&publisher=mistral",
        "publisher=mistral&open_weights=false&publisher=deepseek",
    ] {
        let expected: Vec<String> = if query.contains("open_weights") {
            slugs_for(&app, &token, "publisher=deepseek,mistral&open_weights=false").await
        } else {
            commas.clone()
        };
        assert_eq!(slugs_for(&app, &token, query).await, expected, "{query}");
    }
    assert_eq!(
        slugs_for(&app, &token, "capability=function_calling&capability=reasoning").await,
        ["deepseek/deepseek-r1"],
        "a repeated all-of filter still requires all"
    );
    let response = app.get("/v1/models?q=deepseek&q=meta", &token).await;
    let problem = assert_problem(response, 400, "invalid_parameter").await;
    assert_eq!(problem["errors"][0]["field"], "q");
    let response = app.get("/v1/models?publisher=deepseek&publisher=", &token).await;
    assert_eq!(response.status(), 200, "an empty repeat adds nothing");
}

#[tokio::test]
async fn retired_listings_leave_discovery_unless_asked_for() {
    let (app, token) = app_with_fixtures().await;
    let all = slugs_for(&app, &token, "limit=200").await;
    assert_eq!(all.len(), fixtures::SPECS.len() - 1);
    assert!(!all.contains(&"openai/gpt-3.5-turbo".to_string()));
}

#[tokio::test]
async fn sorting_by_price_ranks_priced_listings_cheapest_first_and_unpriced_ones_only_when_asked() {
    let (app, token) = app_with_fixtures().await;
    let (_, body) = app.get_json("/v1/models?task=chat&sort=input_price", &token).await;
    let order = item_slugs(&body);
    assert_eq!(order.first().unwrap(), "meta/llama-3.1-8b-instruct");
    assert!(
        !order.contains(&"microsoft/phi-4".to_string()),
        "an unknown price is not ranked: {order:?}"
    );
    let (_, body) = app
        .get_json("/v1/models?task=chat&sort=input_price&include_unpriced=true", &token)
        .await;
    let order = item_slugs(&body);
    assert_eq!(order.last().unwrap(), "microsoft/phi-4", "no offers, so no price: last");
    let (_, body) = app
        .get_json("/v1/models?task=chat&sort=-input_price&include_unpriced=true", &token)
        .await;
    let order = item_slugs(&body);
    assert_eq!(order.first().unwrap(), "openai/gpt-4o");
    assert_eq!(
        order.last().unwrap(),
        "microsoft/phi-4",
        "nulls stay last when descending"
    );
    let (_, body) = app.get_json("/v1/models?sort=-release_date&limit=1", &token).await;
    assert_eq!(item_slugs(&body), ["deepseek/deepseek-r1"]);
}

#[tokio::test]
async fn facets_count_every_match_not_just_the_page() {
    let (app, token) = app_with_fixtures().await;
    let (_, body) = app.get_json("/v1/models?limit=1", &token).await;
    assert_eq!(body["total"], 7);
    let publishers = body["facets"]["publisher"].as_array().unwrap();
    let openai = publishers.iter().find(|f| f["value"] == "openai").unwrap();
    assert_eq!(openai["count"], 2);
    let countries = body["facets"]["origin_country"].as_array().unwrap();
    assert_eq!(countries[0]["value"], "US");
    assert_eq!(countries[0]["count"], 4);
}

#[tokio::test]
async fn paging_by_cursor_visits_every_listing_exactly_once() {
    let (app, token) = app_with_fixtures().await;
    for sort in ["name", "-context_window", "input_price", "release_date"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/v1/models?limit=2&sort={sort}&include_unpriced=true");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            let (status, body) = app.get_json(&path, &token).await;
            assert_eq!(status, 200, "{body}");
            seen.extend(item_slugs(&body));
            match body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(seen.len(), 7, "{sort}: {seen:?}");
        assert_eq!(unique.len(), 7, "{sort}: duplicates in {seen:?}");
    }
}

#[tokio::test]
async fn a_search_ranks_the_named_publishers_listings_first() {
    let (app, token) = app_with_fixtures().await;
    let (_, body) = app.get_json("/v1/models?q=deepseek", &token).await;
    assert_eq!(item_slugs(&body).len(), 2);
    let (_, body) = app.get_json("/v1/models?q=deepseek%20r1", &token).await;
    assert_eq!(item_slugs(&body), ["deepseek/deepseek-r1"]);
    let (_, body) = app.get_json("/v1/models?q=llama", &token).await;
    assert_eq!(item_slugs(&body), ["meta/llama-3.1-8b-instruct"]);
    let (_, body) = app.get_json("/v1/models?q=nothing-matches-this", &token).await;
    assert_eq!(body["total"], 0);
}

#[tokio::test]
async fn one_listing_is_found_by_id_or_by_slug() {
    let (app, token) = app_with_fixtures().await;
    let (status, by_slug) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &token).await;
    assert_eq!(status, 200, "{by_slug}");
    assert_eq!(by_slug["publisher"]["country"], "CN");
    assert_eq!(by_slug["license"], "MIT");
    assert_eq!(by_slug["provenance"]["origin_country"], "CN");
    assert_eq!(by_slug["pricing"]["min_input_price_per_mtok"], "0.5");
    let id = by_slug["id"].as_str().unwrap();
    let (status, by_id) = app.get_json(&format!("/v1/models/{id}"), &token).await;
    assert_eq!(status, 200);
    assert_eq!(by_id["slug"], "deepseek/deepseek-r1");
    let response = app.get("/v1/models/nobody%2Fnothing", &token).await;
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn offers_list_regions_operators_and_exact_prices() {
    let (app, token) = app_with_fixtures().await;
    let (status, body) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1/offers", &token).await;
    assert_eq!(status, 200, "{body}");
    let items = body["items"].as_array().unwrap();
    let regions: Vec<&str> = items.iter().map(|o| o["region"].as_str().unwrap()).collect();
    assert_eq!(regions, ["chinanorth3", "eastus", "westeurope"]);
    let eastus = &items[1];
    assert_eq!(eastus["operator"]["country"], "US");
    let input = eastus["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["dimension"] == "input_tokens")
        .unwrap();
    assert_eq!(input["amount"], "0.55");
    assert_eq!(input["unit"], "1M_tokens");
    assert_eq!(input["currency"], "USD");
}

#[tokio::test]
async fn publishers_and_regions_are_listed() {
    let (app, token) = app_with_fixtures().await;
    let (status, body) = app.get_json("/v1/publishers", &token).await;
    assert_eq!(status, 200);
    let deepseek = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["slug"] == "deepseek")
        .unwrap();
    assert_eq!(deepseek["listing_count"], 2);
    let (status, body) = app.get_json("/v1/regions", &token).await;
    assert_eq!(status, 200);
    let china = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "chinanorth3")
        .unwrap();
    assert_eq!(
        (china["cloud"].as_str(), china["jurisdiction"].as_str()),
        (Some("china"), Some("CN"))
    );
}

#[tokio::test]
async fn bad_parameters_get_400_naming_each_one() {
    let (app, token) = app_with_fixtures().await;
    let cases = [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("task=painting", "task"),
        ("capability=telepathy", "capability"),
        ("origin_country=USA", "origin_country"),
        ("max_input_price_per_mtok=-1", "max_input_price_per_mtok"),
        ("min_context_window=lots", "min_context_window"),
        ("open_weights=maybe", "open_weights"),
        ("sort=popularity", "sort"),
        ("capabilty=vision", "capabilty"),
    ];
    for (query, field) in cases {
        let response = app.get(&format!("/v1/models?{query}"), &token).await;
        let body = assert_problem(response, 400, "invalid_parameter").await;
        let named: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(named.contains(&field), "{query}: {body}");
        assert!(body["detail"].as_str().unwrap().contains(field), "{query}: {body}");
    }
    let response = app.get("/v1/models?limit=abc&task=painting", &token).await;
    let body = assert_problem(response, 400, "invalid_parameter").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "both named: {body}");
}

#[tokio::test]
async fn an_empty_search_or_cursor_counts_as_absent_and_what_the_document_allows_is_accepted() {
    let (app, token) = app_with_fixtures().await;
    let (_, everything) = app.get_json("/v1/models", &token).await;
    let (status, body) = app.get_json("/v1/models?q=&cursor=", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], everything["total"]);
    let (status, body) = app.get_json("/v1/models?sort=-relevance", &token).await;
    assert_eq!(
        status, 200,
        "relevance without q: every listing scores the same: {body}"
    );
    assert_eq!(body["total"], everything["total"]);
    for typed in [
        "limit=",
        "open_weights=",
        "sort=",
        "max_input_price_per_mtok=",
        "task=",
        "region=,",
    ] {
        let response = app.get(&format!("/v1/models?{typed}"), &token).await;
        assert_problem(response, 400, "invalid_parameter").await;
    }
    let (status, body) = app.get_json("/v1/models?origin_country=zz", &token).await;
    assert_eq!(
        (status, body["total"].as_u64()),
        (200, Some(0)),
        "a well-formed code nothing comes from"
    );
}

#[tokio::test]
async fn a_cursor_is_refused_with_other_filters_or_when_forged() {
    let (app, token) = app_with_fixtures().await;
    let (_, body) = app.get_json("/v1/models?limit=2", &token).await;
    let cursor = body["next_cursor"].as_str().unwrap();
    let response = app
        .get(&format!("/v1/models?limit=2&task=chat&cursor={cursor}"), &token)
        .await;
    assert_problem(response, 400, "invalid_cursor").await;
    let response = app.get("/v1/models?cursor=bm90LWEtY3Vyc29y", &token).await;
    assert_problem(response, 400, "invalid_cursor").await;
}

#[tokio::test]
async fn a_catalog_change_reaches_discovery_without_a_restart() {
    let app = spawn_app().await;
    let token = platform_token("catalog.admin");
    let (_, body) = app.get_json("/v1/models", &token).await;
    assert_eq!(body["total"], 0);
    app.load_batch(&fixtures::catalog()).await;
    let (_, body) = app.get_json("/v1/models", &token).await;
    assert_eq!(body["total"], 7);
}

#[tokio::test]
async fn a_listing_without_offers_is_hidden_from_tenants_but_listed_for_staff() {
    let (app, staff) = app_with_fixtures().await;
    let tenant = tenant_token("catalog.reader", Uuid::new_v4());
    assert!(slugs_for(&app, &staff, "limit=200")
        .await
        .contains(&"microsoft/phi-4".to_string()));
    let seen = slugs_for(&app, &tenant, "limit=200").await;
    assert!(!seen.contains(&"microsoft/phi-4".to_string()));
    assert_eq!(seen.len(), 6);
    let (_, body) = app
        .get_json("/v1/models?include_unavailable=true&publisher=microsoft", &tenant)
        .await;
    assert_eq!(
        body["items"][0]["availability"]["reasons"][0]["code"],
        "no_matching_offer"
    );
}

#[tokio::test]
async fn a_page_revalidates_with_304_until_the_catalog_changes() {
    let (app, staff) = app_with_fixtures().await;
    let first = app.get("/v1/models?task=chat", &staff).await;
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = app
        .client
        .get(app.url("/v1/models?task=chat"))
        .bearer_auth(&staff)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());

    let tenant = tenant_token("catalog.reader", Uuid::new_v4());
    let theirs = app.get("/v1/models?task=chat", &tenant).await;
    assert_ne!(
        theirs.headers()["etag"].to_str().unwrap(),
        tag,
        "another viewer, another tag"
    );

    let mut batch = fixtures::catalog();
    batch.models[0].description = "Changed.".into();
    app.load_batch(&batch).await;
    let after = app
        .client
        .get(app.url("/v1/models?task=chat"))
        .bearer_auth(&staff)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), tag);
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_asks() {
    let (app, staff) = app_with_fixtures().await;
    let response = app
        .client
        .get(app.url("/v1/models?limit=200"))
        .bearer_auth(&staff)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let plain = app.get("/v1/models?limit=200", &staff).await;
    assert!(plain.headers().get("content-encoding").is_none());
}

async fn revalidate(app: &TestApp, path: &str, token: &str, tag: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth(token)
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_tenants_tags_change_with_its_own_policy_and_not_with_another_tenants() {
    let (app, _staff) = app_with_fixtures().await;
    let (changing, steady) = (Uuid::new_v4(), Uuid::new_v4());
    let (changing_token, steady_token) = (
        tenant_token("catalog.reader", changing),
        tenant_token("catalog.reader", steady),
    );
    let paths = [
        "/v1/models?task=chat",
        "/v1/models/openai%2Fgpt-4o",
        "/v1/models/openai%2Fgpt-4o/offers",
    ];
    let mut tags = Vec::new();
    for path in paths {
        for token in [&changing_token, &steady_token] {
            let response = app.get(path, token).await;
            assert_eq!(response.status(), 200, "{path}");
            assert_eq!(response.headers()["cache-control"], "private, no-cache");
            let tag = response.headers()["etag"].to_str().unwrap().to_owned();
            let again = revalidate(&app, path, token, &tag).await;
            assert_eq!(again.status(), 304, "{path} revalidates");
            assert_eq!(
                again.headers()["cache-control"],
                "private, no-cache",
                "a 304 keeps the stored page's caching policy"
            );
            tags.push((path, token.clone(), tag));
        }
    }

    sqlx::query("UPDATE tenant_policies SET denied_origin_countries = '{CN}' WHERE tenant_id = $1")
        .bind(changing)
        .execute(&app.pool)
        .await
        .unwrap();
    // The servers learn of the change through NOTIFY within milliseconds.
    let started = std::time::Instant::now();
    while revalidate(&app, paths[0], &changing_token, &tags[0].2).await.status() == 304 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the policy change was never seen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    for (path, token, tag) in &tags {
        let status = revalidate(&app, path, token, tag).await.status();
        if *token == changing_token {
            assert_eq!(
                status, 200,
                "{path}: the tenant whose policy changed gets a fresh representation"
            );
        } else {
            assert_eq!(
                status, 304,
                "{path}: another tenant's policy does not invalidate this one"
            );
        }
    }
}

#[tokio::test]
async fn a_listings_public_tag_is_accepted_by_an_admin_update() {
    let (app, staff) = app_with_fixtures().await;
    let admin = platform_token("catalog.admin");
    let response = app.get("/v1/models/openai%2Fgpt-4o", &staff).await;
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let update = |tag: String| {
        app.client
            .patch(app.url(&format!("/v1/admin/models/{id}")))
            .bearer_auth(&admin)
            .header("if-match", tag)
            .json(&json!({"description": "Updated through the public tag."}))
            .send()
    };
    assert_eq!(update(tag.clone()).await.unwrap().status(), 200);
    assert_eq!(update(tag).await.unwrap().status(), 412, "the same tag is stale now");
}

#[tokio::test]
async fn a_portal_sidebar_gets_a_facet_for_every_bounded_filter_and_each_count_is_what_the_filter_returns() {
    let (app, token) = app_with_fixtures().await;
    let (_, body) = app.get_json("/v1/models?limit=1", &token).await;
    let facets = &body["facets"];
    for (facet, filter) in [
        ("region", "region"),
        ("capability", "capability"),
        ("input_modality", "input_modality"),
        ("output_modality", "output_modality"),
        ("deployment_type", "deployment_type"),
        ("lifecycle", "lifecycle"),
        ("publisher", "publisher"),
        ("task", "task"),
    ] {
        let values = facets[facet].as_array().unwrap_or_else(|| panic!("{facet}: {facets}"));
        assert!(!values.is_empty(), "{facet}");
        for value in values {
            let path = format!("/v1/models?limit=1&{filter}={}", value["value"].as_str().unwrap());
            let (status, filtered) = app.get_json(&path, &token).await;
            assert_eq!(status, 200, "{path}: {filtered}");
            assert_eq!(filtered["total"], value["count"], "{path}");
        }
    }
    // Price bands: a band's upper bound as max_input_price_per_mtok keeps it and
    // every band below it.
    let bands = facets["input_price_band"].as_array().unwrap();
    let count = |band: &str| {
        bands
            .iter()
            .find(|b| b["value"] == band)
            .map_or(0, |b| b["count"].as_u64().unwrap())
    };
    assert!(
        bands.iter().map(|b| b["count"].as_u64().unwrap()).sum::<u64>() == 7,
        "{bands:?}"
    );
    let (_, upto5) = app
        .get_json("/v1/models?limit=1&max_input_price_per_mtok=5", &token)
        .await;
    assert_eq!(upto5["total"].as_u64().unwrap(), count("0_to_1") + count("1_to_5"));
}
