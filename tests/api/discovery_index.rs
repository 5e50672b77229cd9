//! The indexed discovery path (posting lists, presorted orders, precomputed
//! tenant visibility) against a plain scan that runs the filter predicate
//! and the decision function on every listing: over the whole demo catalog,
//! for staff and tenants under varied policies and holds, every page of
//! many queries must be the same. Each page is also composed as served,
//! from what the discovery cache kept of earlier pages (listings' JSON,
//! facets, rankings), and must be the bytes of serialising it whole.

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::web::Query;
use chrono::Utc;
use modelmart::catalog::cursor::SortValue;
use modelmart::catalog::query::{
    compare, discover, input_price_band, sort_value, DiscoveryParams, DiscoveryQuery, FacetCount, Facets,
    MAX_FACET_VALUES,
};
use modelmart::catalog::search::SearchIndex;
use modelmart::catalog::snapshot::CatalogContent;
use modelmart::catalog::Snapshot;
use modelmart::db::catalog_read;
use modelmart::domain::hold::{HoldScope, HoldView};
use modelmart::domain::policy::TenantPolicy;
use modelmart::routes::discovery_cache::DiscoveryCache;
use modelmart::routes::models::{Model, ModelPage};
use sqlx::PgPool;
use uuid::Uuid;

use crate::helpers::fresh_database;

async fn demo_content() -> Arc<CatalogContent> {
    let database = fresh_database().await;
    let pool = PgPool::connect(&database).await.expect("connect");
    modelmart::seed::seed_demo(&pool).await.expect("seed the demo catalog");
    let snapshot = Snapshot::build(catalog_read::load(&pool).await.expect("load")).expect("build");
    pool.close().await;
    snapshot.content.clone()
}

/// What the scan finds: every match in order, the total and the facets.
struct Expected<'a> {
    ids: Vec<Uuid>,
    facets: Facets<'a>,
}

fn facet<'a>(values: impl Iterator<Item = &'a str>) -> Vec<FacetCount<'a>> {
    let mut counts: HashMap<&str, u64> = HashMap::new();
    for value in values {
        *counts.entry(value).or_insert(0) += 1;
    }
    let mut facet: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    facet.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(b.value)));
    facet.truncate(MAX_FACET_VALUES);
    facet
}

fn scan<'a>(snapshot: &'a Snapshot, query: &DiscoveryQuery, tenant: Option<Uuid>) -> Expected<'a> {
    let listings = &snapshot.content.listings;
    let scores = query.q.as_deref().map(|q| snapshot.content.search_scores(q));
    let policy = tenant.map(|tenant| snapshot.policy_for(tenant));
    let viewer = tenant
        .zip(policy.as_ref())
        .map(|(tenant, policy)| snapshot.viewer(tenant, policy));
    let now = Utc::now();
    let sort = query.effective_sort();
    let mut found: Vec<(SortValue, Uuid, usize)> = Vec::new();
    for (position, listing) in listings.iter().enumerate() {
        let score = match &scores {
            None => 0,
            Some(scores) => match scores.get(&(position as u32)) {
                Some(score) => *score,
                None => continue,
            },
        };
        if !query.matches(listing) {
            continue;
        }
        if let Some(viewer) = &viewer {
            let decision = query.decide(listing, viewer, now);
            if decision.hidden_by.is_some() || !(decision.enableable || query.include_unavailable) {
                continue;
            }
        }
        found.push((sort_value(listing, sort.field, score), listing.id, position));
    }
    found.sort_by(|a, b| compare((&a.0, a.1), (&b.0, b.1), sort));
    let matched = || found.iter().map(|(_, _, position)| &listings[*position]);
    Expected {
        ids: found.iter().map(|(_, id, _)| *id).collect(),
        facets: Facets {
            publisher: facet(matched().map(|l| l.publisher.slug.as_str())),
            task: facet(matched().map(|l| l.task.as_str())),
            license: facet(matched().map(|l| &*l.license)),
            origin_country: facet(matched().filter_map(|l| l.origin_country.as_deref())),
            region: facet(matched().flat_map(|l| l.regions.iter().map(|r| &**r))),
            capability: facet(matched().flat_map(|l| l.capabilities.iter().map(|c| c.as_str()))),
            input_modality: facet(matched().flat_map(|l| l.input_modalities.iter().map(|m| m.as_str()))),
            output_modality: facet(matched().flat_map(|l| l.output_modalities.iter().map(|m| m.as_str()))),
            deployment_type: facet(matched().flat_map(|l| {
                let mut types: Vec<&str> = l.offers.iter().map(|o| o.deployment_type.as_str()).collect();
                types.sort_unstable();
                types.dedup();
                types
            })),
            lifecycle: facet(matched().map(|l| l.lifecycle.as_str())),
            input_price_band: facet(matched().map(|l| input_price_band(l.min_input_price))),
        },
    }
}

fn parse(query: &str) -> DiscoveryQuery {
    let params = Query::<DiscoveryParams>::from_query(query).expect("parameters");
    DiscoveryQuery::parse(&params).expect("a valid query")
}

/// Pages through `query` with the indexed path and compares with the scan,
/// and each page as `cache` composes it with the page serialised whole.
fn check(snapshot: &Arc<Snapshot>, cache: &DiscoveryCache, query_text: &str, tenant: Option<Uuid>, who: &str) -> usize {
    let first = parse(query_text);
    let expected = scan(snapshot, &first, tenant);
    let mut served = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let text = match &cursor {
            Some(cursor) => format!("{query_text}&cursor={cursor}"),
            None => query_text.to_owned(),
        };
        let query = parse(&text);
        let ranking = query.q.as_deref().map(|q| cache.ranking(snapshot, q));
        let page = discover(snapshot, &query, tenant, ranking.as_deref());
        assert_eq!(page.total, expected.ids.len(), "total for {who}: {query_text}");
        let facets = snapshot.content.facets(&page.matches, page.total);
        assert_eq!(facets, expected.facets, "facets for {who}: {query_text}");
        let policy = tenant.map(|tenant| (tenant, snapshot.policy_for(tenant)));
        for (listing, decision) in &page.items {
            assert_eq!(decision.is_some(), tenant.is_some(), "decisions go to tenants only");
            // Discovery may take a decision from the tenant's view; it must
            // be the one the decision function makes.
            if let (Some(decision), Some((tenant, policy))) = (decision, &policy) {
                let full = query.decide(listing, &snapshot.viewer(*tenant, policy), Utc::now());
                assert_eq!(decision, &full, "the decision on {} for {who}: {text}", listing.slug);
            }
            served.push(listing.id);
        }
        let whole = serde_json::to_vec(&ModelPage {
            items: page
                .items
                .iter()
                .map(|(listing, decision)| Model::view(listing, decision.clone()))
                .collect(),
            next_cursor: page.next_cursor.clone(),
            total: page.total,
            facets: facets.into(),
        })
        .unwrap();
        let next_cursor = page.next_cursor.clone();
        let composed = cache.compose(snapshot, format!("{who}|{text}"), page).unwrap();
        assert!(
            composed == whole,
            "the page composed for {who} ({text}) differs from it serialised whole:\n{}\n{}",
            String::from_utf8_lossy(&composed),
            String::from_utf8_lossy(&whole)
        );
        match next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(
            served.len() <= expected.ids.len(),
            "paging must end: {who}: {query_text}"
        );
    }
    assert_eq!(served, expected.ids, "listings and order for {who}: {query_text}");
    served.len()
}

#[actix_web::test]
async fn indexed_discovery_serves_exactly_what_a_full_scan_of_the_decision_function_finds() {
    let content = demo_content().await;
    let publisher = |slug: &str| {
        content
            .publishers
            .iter()
            .find(|p| p.slug == slug)
            .unwrap_or_else(|| panic!("publisher {slug} in the demo catalog"))
            .id
    };
    let model = |slug: &str| content.find(slug).unwrap_or_else(|| panic!("{slug}")).id;
    let (strict, regional, picky, held_apart) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let mut policies = HashMap::new();
    policies.insert(
        strict,
        TenantPolicy {
            ga_only: true,
            denied_origin_countries: vec!["CN".into()],
            allowed_licenses: Some(vec!["MIT".into(), "apache-2.0".into(), "proprietary".into()]),
            ..Default::default()
        },
    );
    policies.insert(
        regional,
        TenantPolicy {
            allowed_regions: Some(vec!["eastus".into(), "westeurope".into(), "swedencentral".into()]),
            max_input_price_per_mtok: Some("1".parse().unwrap()),
            max_output_price_per_mtok: Some("5".parse().unwrap()),
            ..Default::default()
        },
    );
    policies.insert(
        picky,
        TenantPolicy {
            denied_publishers: vec!["meta".into(), "mistral".into()],
            denied_operator_countries: vec!["US".into()],
            ..Default::default()
        },
    );
    let hold = |scope: HoldScope, hide: bool| HoldView {
        id: Uuid::new_v4(),
        scope,
        hide,
        block_new: true,
        suspend_existing: false,
        public_notice: "held for the test".into(),
        public_notice_url: None,
    };
    let holds = vec![
        // Export control: CN-origin models hidden in US regions, for everyone.
        hold(
            HoldScope {
                origin_countries: vec!["CN".into()],
                jurisdictions: vec!["US".into()],
                ..Default::default()
            },
            true,
        ),
        // No new OpenAI enablements anywhere, but still listed.
        hold(
            HoldScope {
                publishers: vec![publisher("openai")],
                ..Default::default()
            },
            false,
        ),
        // One model hidden everywhere, for one tenant only.
        hold(
            HoldScope {
                models: vec![model("deepseek/deepseek-r1")],
                tenants: vec![held_apart],
                ..Default::default()
            },
            true,
        ),
        // A publisher hidden in one region for one tenant.
        hold(
            HoldScope {
                publishers: vec![publisher("mistral")],
                regions: vec!["westeurope".into()],
                tenants: vec![regional],
                ..Default::default()
            },
            true,
        ),
    ];
    let snapshot = Arc::new(Snapshot::with_rules(content.clone(), 1, policies, holds));

    let common_tag = {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for tag in content.listings.iter().flat_map(|l| &l.tags) {
            *counts.entry(&**tag).or_insert(0) += 1;
        }
        let (tag, _) = counts
            .into_iter()
            .max_by_key(|(tag, count)| (*count, *tag))
            .expect("tags");
        tag.to_owned()
    };
    let queries = [
        "limit=97".to_owned(),
        "task=chat&limit=97".into(),
        "task=chat&capability=function_calling&sort=input_price&limit=50".into(),
        "q=deepseek&limit=23".into(),
        "q=llama&sort=-context_window&limit=40".into(),
        "q=gpt&sort=name&limit=40".into(),
        "region=eastus&limit=97".into(),
        "region=eastus,westeurope&deployment_type=serverless&sort=-input_price&limit=97".into(),
        "deployment_type=provisioned&sort=output_price&limit=61".into(),
        "max_input_price_per_mtok=1&sort=-release_date&limit=97".into(),
        "max_output_price_per_mtok=0.5&min_context_window=100000&sort=context_window&limit=29".into(),
        "min_context_window=128000&sort=-context_window&limit=97".into(),
        "lifecycle=retired,deprecated&limit=31".into(),
        "lifecycle=preview&sort=-name&limit=31".into(),
        "license=mit,APACHE-2.0&limit=97".into(),
        "origin_country=CN,US&sort=output_price&limit=97".into(),
        "modality=image&limit=97".into(),
        "input_modality=text,image&output_modality=text&limit=43".into(),
        "publisher=meta,mistral,deepseek&sort=name&limit=19".into(),
        "open_weights=true&sort=-output_price&limit=97".into(),
        "open_weights=false&task=embedding&limit=7".into(),
        format!("tag={common_tag}&sort=-release_date&limit=53"),
    ];
    let viewers = [
        (None, "staff"),
        (Some(Uuid::new_v4()), "an unrestricted tenant"),
        (Some(strict), "a GA-only tenant refusing CN"),
        (Some(regional), "a tenant limited to three regions and price ceilings"),
        (Some(picky), "a tenant refusing two publishers and US operators"),
        (Some(held_apart), "a tenant under its own hold"),
    ];
    let served = check_all(&snapshot, &queries, &viewers);
    assert!(served > 50_000, "the comparison covered {served} listings");
}

/// [`check`]s every query for every viewer, with and without unavailable
/// listings, through one discovery cache (so later pages are composed of
/// what earlier ones kept); answers how many listings were compared.
fn check_all(snapshot: &Arc<Snapshot>, queries: &[String], viewers: &[(Option<Uuid>, &str)]) -> usize {
    let cache = DiscoveryCache::default();
    let mut served = 0;
    for query in queries {
        for include in ["false", "true"] {
            let text = format!("{query}&include_unavailable={include}");
            for (tenant, who) in viewers {
                served += check(snapshot, &cache, &text, *tenant, who);
            }
        }
    }
    served
}

/// At a few thousand listings the index counts facets value by value
/// (bitsets for common values, positions for rare ones, only the occupied
/// words of a sparse match), and builds a bound's prefix by removing what is
/// past it from the set of known keys: the demo catalog is too small for
/// either. The same comparison with the scan, there.
#[actix_web::test]
async fn indexed_discovery_over_thousands_of_listings_counts_and_bounds_exactly_as_a_full_scan() {
    let database = fresh_database().await;
    let pool = PgPool::connect(&database).await.expect("connect");
    modelmart::seed::seed_synthetic(&pool, 4_000)
        .await
        .expect("seed a synthetic catalog");
    let loaded = Snapshot::build(catalog_read::load(&pool).await.expect("load")).expect("build");
    pool.close().await;
    let content = loaded.content.clone();
    let median_price = |price: fn(&modelmart::catalog::snapshot::Listing) -> Option<rust_decimal::Decimal>| {
        let mut prices: Vec<_> = content.listings.iter().filter_map(|listing| price(listing)).collect();
        prices.sort();
        prices[prices.len() * 3 / 4]
    };
    let input = median_price(|l| l.min_input_price);
    let output = median_price(|l| l.min_output_price);
    let tenant = Uuid::new_v4();
    let mut policies = HashMap::new();
    policies.insert(
        tenant,
        TenantPolicy {
            denied_origin_countries: vec!["CN".into()],
            max_output_price_per_mtok: Some(output),
            ..Default::default()
        },
    );
    let snapshot = Arc::new(Snapshot::with_rules(content.clone(), 1, policies, Vec::new()));
    let queries = [
        "limit=200".to_owned(),
        "task=chat&capability=function_calling&sort=input_price&limit=200".into(),
        "q=deepseek&limit=200".into(),
        "q=llama%203&sort=-input_price&limit=200".into(),
        format!("max_input_price_per_mtok={input}&sort=-release_date&limit=200"),
        format!("max_output_price_per_mtok={output}&sort=output_price&limit=200"),
        "max_output_price_per_mtok=100000&sort=output_price&limit=200".into(),
        "min_context_window=8000&sort=-context_window&limit=200".into(),
        "region=eastus,westeurope&deployment_type=serverless&limit=200".into(),
    ];
    let viewers = [
        (None, "staff"),
        (Some(Uuid::new_v4()), "an unrestricted tenant"),
        (Some(tenant), "a tenant refusing CN under an output price ceiling"),
    ];
    let served = check_all(&snapshot, &queries, &viewers);
    assert!(served > 20_000, "the comparison covered {served} listings");
}

/// The snapshot builds its search index while it builds the offers, before
/// they are attached to the listings: it must score every search as an index
/// of the finished listings, position for position.
#[actix_web::test]
async fn the_search_index_built_before_the_offers_are_attached_scores_every_search_as_one_of_the_finished_listings() {
    let content = demo_content().await;
    let from_listings = SearchIndex::build(&content.listings);
    let mut searches: Vec<String> = [
        "deepseek",
        "llama 3",
        "gpt-4o",
        "mistral large",
        "open weights",
        "emb",
        "r1",
    ]
    .map(str::to_owned)
    .to_vec();
    // Every listing's own name, and each word of its slug and tags.
    for listing in &content.listings {
        searches.push(listing.name.to_string());
        searches.extend(listing.slug.split(['/', '-']).map(str::to_owned));
        searches.extend(listing.tags.iter().map(|tag| tag.to_string()));
        searches.extend(listing.aliases.iter().cloned());
    }
    searches.sort();
    searches.dedup();
    let mut found = 0;
    for q in &searches {
        let served = content.search_scores(q);
        assert_eq!(served, from_listings.search(q, &content.listings), "scores for {q:?}");
        found += served.len();
    }
    assert!(
        searches.len() > 500 && found > 5_000,
        "{} searches found {found}",
        searches.len()
    );
}
