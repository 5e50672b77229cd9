//! What discovery keeps between pages it computes afresh (each listing's
//! JSON, facet counts by match set, search rankings by text) answers exactly
//! as computing it again would, whoever asks next.

use std::time::Duration;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

async fn text(app: &TestApp, path: &str, token: &str) -> String {
    let response = app.get(path, token).await;
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

fn items(page: &str) -> Vec<Value> {
    let page: Value = serde_json::from_str(page).expect("a page is JSON");
    page["items"].as_array().expect("items").clone()
}

fn availability_of<'a>(items: &'a [Value], slug: &str) -> &'a Value {
    &items.iter().find(|item| item["slug"] == slug).expect(slug)["availability"]
}

#[tokio::test]
async fn each_listing_on_a_page_is_the_bytes_of_its_own_representation_with_the_askers_availability() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let (open, restricted) = (Uuid::new_v4(), Uuid::new_v4());
    let readers = [
        (tenant_token("catalog.reader", open), true),
        (tenant_token("catalog.reader", restricted), false),
    ];
    for (reader, _) in &readers {
        assert_eq!(app.get("/v1/regions", reader).await.status(), 200, "provisioned");
    }
    app.replace_policy(restricted, json!({"denied_origin_countries": ["CN"]}))
        .await;
    let path = "/v1/models?include_unavailable=true&limit=50";
    assert!(
        eventually(Duration::from_secs(5), || async {
            let page = text(&app, path, &readers[1].0).await;
            availability_of(&items(&page), "deepseek/deepseek-r1")["enableable"] == false
        })
        .await,
        "the policy reached discovery"
    );

    // Staff first (no availability), then each tenant: every page after the
    // first is made of listings whose JSON was kept from it.
    let staff = platform_token("catalog.admin");
    for (token, enableable) in [
        (&staff, None),
        (&readers[0].0, Some(true)),
        (&readers[1].0, Some(false)),
    ] {
        // A page this asker has not asked for before.
        let page = text(&app, &format!("{path}&sort=-release_date"), token).await;
        let listed = items(&page);
        assert!(listed.len() >= 5, "{page}");
        for item in &listed {
            let own = text(&app, &format!("/v1/models/{}", item["id"].as_str().unwrap()), token).await;
            assert!(
                page.contains(&own),
                "{}: on the page as its own representation says, byte for byte:\n{own}",
                item["slug"]
            );
        }
        match enableable {
            None => assert!(listed.iter().all(|item| item.get("availability").is_none())),
            Some(enableable) => {
                let r1 = availability_of(&listed, "deepseek/deepseek-r1");
                assert_eq!(r1["enableable"], enableable, "{r1}");
                assert_eq!(availability_of(&listed, "openai/gpt-4o")["enableable"], true);
            }
        }
    }
}

#[tokio::test]
async fn facet_counts_follow_the_listings_matched_even_when_another_match_set_has_as_many() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let staff = platform_token("catalog.admin");
    let facets_of = |query: &'static str| {
        let (app, staff) = (&app, &staff);
        async move {
            let (status, body) = app.get_json(&format!("/v1/models?{query}"), staff).await;
            assert_eq!(status, 200, "{query}: {body}");
            (body["total"].clone(), body["facets"]["publisher"].clone())
        }
    };
    let deepseek = facets_of("publisher=deepseek&sort=name").await;
    assert_eq!(deepseek.0, 2);
    assert_eq!(deepseek.1, json!([{"value": "deepseek", "count": 2}]));
    // Two listings as well, of another publisher: counted as they are.
    let meta_and_mistral = facets_of("publisher=meta&publisher=mistral").await;
    assert_eq!(meta_and_mistral.0, 2);
    assert_eq!(
        meta_and_mistral.1,
        json!([{"value": "meta", "count": 1}, {"value": "mistral", "count": 1}])
    );
    // The same listings asked for in another order and page size: the same counts.
    assert_eq!(
        facets_of("publisher=deepseek&sort=-context_window&limit=1").await,
        deepseek
    );
}

#[tokio::test]
async fn a_search_pages_by_cursor_in_the_order_of_its_first_page_whatever_else_narrows_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let staff = platform_token("catalog.admin");
    let (_, whole) = app.get_json("/v1/models?q=openai&limit=50", &staff).await;
    let ranked = item_slugs(&whole);
    assert!(ranked.len() >= 2, "{ranked:?}");

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/models?q=openai&limit=1".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, body) = app.get_json(&path, &staff).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["total"], ranked.len());
        paged.extend(item_slugs(&body));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(paged, ranked, "each listing once, in relevance order");

    // A filter narrows the same ranking: what is left keeps its order.
    let chat: Vec<String> = whole["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["task"] == "chat")
        .map(|item| item["slug"].as_str().unwrap().to_owned())
        .collect();
    assert!(!chat.is_empty() && chat.len() < ranked.len(), "{ranked:?}");
    let (_, narrowed) = app.get_json("/v1/models?q=openai&task=chat", &staff).await;
    assert_eq!(item_slugs(&narrowed), chat);
    // Sorted another way, the search still decides what matches.
    let (_, by_name) = app.get_json("/v1/models?q=openai&sort=name", &staff).await;
    let mut found = item_slugs(&by_name);
    found.sort();
    let mut expected = ranked.clone();
    expected.sort();
    assert_eq!(found, expected);
}

/// The page cache's hits so far.
async fn pages_found(app: &TestApp) -> f64 {
    scrape(app).await[r#"modelmart_discovery_page_cache_lookups_total{outcome="hit"}"#]
}

fn slugs(page: &str) -> Vec<String> {
    items(page)
        .iter()
        .map(|item| item["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_hold_on_one_tenant_delists_for_it_at_once_and_leaves_the_pages_kept_for_everyone_else() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let (bystander, held) = (Uuid::new_v4(), Uuid::new_v4());
    let (bystanders, helds) = (
        tenant_token("catalog.reader", bystander),
        tenant_token("catalog.reader", held),
    );
    for reader in [&bystanders, &helds] {
        assert_eq!(app.get("/v1/regions", reader).await.status(), 200, "provisioned");
    }
    let path = "/v1/models?publisher=deepseek&limit=50";
    // Composed at the first request, kept at the second.
    let page = text(&app, path, &bystanders).await;
    assert!(slugs(&page).contains(&"deepseek/deepseek-r1".to_owned()));
    assert_eq!(text(&app, path, &bystanders).await, page);

    let hold = |scope: Value| {
        json!({
            "kind": "export_control",
            "legal_basis": "INTERNAL: counsel memo 114",
            "public_notice": "DeepSeek R1 is not available to you under export-control rules.",
            "scope": scope,
            "effects": {"hide": true},
            "reason": "export-control review"
        })
    };
    // The server that approves a hold serves it from its answer on.
    let r1 = "deepseek/deepseek-r1".to_owned();
    app.hold_in_effect(hold(json!({"models": [r1], "tenants": [held]})))
        .await;
    assert!(
        !slugs(&text(&app, path, &helds).await).contains(&r1),
        "the hold applies to this tenant from the approval on"
    );
    // The bystander's rules did not change: its page is the one kept
    // before the hold, found, not composed again.
    let found = pages_found(&app).await;
    assert_eq!(text(&app, path, &bystanders).await, page);
    assert_eq!(pages_found(&app).await, found + 1.0);

    // A hold on everyone changes the bystander's rules too.
    app.hold_in_effect(hold(json!({"models": [r1]}))).await;
    assert!(
        !slugs(&text(&app, path, &bystanders).await).contains(&r1),
        "the hold on everyone applies to the bystander from the approval on"
    );
}
