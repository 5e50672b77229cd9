use super::*;
use crate::domain::country::parse_country;
use crate::domain::regions::REGIONS;
use proptest::prelude::*;
use serde_json::json;
use std::str::FromStr;

fn feed_of(entries: &[(&str, Value)]) -> CatalogBatch {
    let object: Map<String, Value> = entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    map_feed(&Value::Object(object)).expect("an object is a feed")
}

fn one(key: &str, entry: Value) -> CatalogBatch {
    feed_of(&[(key, entry)])
}

fn chat(provider: &str) -> Value {
    json!({"litellm_provider": provider, "mode": "chat",
        "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06})
}

fn with(mut entry: Value, field: &str, value: Value) -> Value {
    entry.as_object_mut().unwrap().insert(field.to_string(), value);
    entry
}

fn reasons(batch: &CatalogBatch, key: &str) -> Vec<String> {
    batch
        .rejected
        .iter()
        .filter(|r| r.key == key)
        .map(|r| r.reason.clone())
        .collect()
}

fn only_reason(batch: &CatalogBatch, key: &str) -> String {
    assert!(
        batch.offers.is_empty(),
        "{key} should make no offer: {:?}",
        batch.offers
    );
    let found = reasons(batch, key);
    assert_eq!(found.len(), 1, "{key}: {found:?}");
    found[0].clone()
}

fn slug_of(key: &str, provider: &str) -> String {
    let batch = one(key, chat(provider));
    assert!(batch.rejected.is_empty(), "{key}: {:?}", batch.rejected);
    batch.models[0].slug.clone()
}

fn price(offer: &OfferRecord, dimension: PriceDimension, tier: Option<i32>) -> Option<&PriceRecord> {
    offer
        .prices
        .iter()
        .find(|p| p.dimension == dimension && p.tier_min_context_tokens == tier)
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

// --- the real feed ------------------------------------------------------

/// The real feed; its absence fails the test rather than passing it
/// unseen (CI always has `../shared` beside the checkout).
fn real_feed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/litellm_model_prices.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("the real feed ../shared/data/litellm_model_prices.json: {error}"));
    serde_json::from_str(&text).expect("the feed is JSON")
}

#[test]
fn the_real_feed_maps_every_key_into_offers_or_rejections() {
    let feed = real_feed();
    let started = std::time::Instant::now();
    let batch = map_feed(&feed).unwrap();
    let elapsed = started.elapsed();

    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for rejection in &batch.rejected {
        let kind = rejection
            .reason
            .split(['\'', '('])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        *by_reason.entry(kind).or_default() += 1;
    }
    println!(
        "models {} offers {} publishers {} rejected {} in {elapsed:?}",
        batch.models.len(),
        batch.offers.len(),
        batch.publishers.len(),
        batch.rejected.len()
    );
    for (reason, count) in &by_reason {
        println!("  {count:5}  {reason}");
    }

    assert!(batch.models.len() >= 1800, "only {} listings", batch.models.len());

    let keys: BTreeSet<&str> = feed.as_object().unwrap().keys().map(String::as_str).collect();
    let offered: BTreeSet<&str> = batch.offers.iter().filter_map(|o| o.source_key.as_deref()).collect();
    let rejected: BTreeSet<&str> = batch.rejected.iter().map(|r| r.key.as_str()).collect();
    let missing: Vec<&&str> = keys
        .iter()
        .filter(|k| !offered.contains(**k) && !rejected.contains(**k))
        .collect();
    assert!(missing.is_empty(), "keys that vanished: {missing:?}");
    assert!(offered.iter().chain(rejected.iter()).all(|k| keys.contains(k)));

    assert_eq!(
        reasons(&batch, "sample_spec"),
        vec!["schema description, not a model".to_string()]
    );

    let r1 = batch
        .models
        .iter()
        .find(|m| m.slug == "deepseek/deepseek-r1")
        .expect("DeepSeek R1 is listed");
    assert_eq!(r1.publisher_slug, "deepseek");
    assert_eq!(r1.provenance.origin_country.as_deref(), Some("CN"));
    let deepseek = batch.publishers.iter().find(|p| p.slug == "deepseek").unwrap();
    assert_eq!(deepseek.country.as_deref(), Some("CN"));
    assert!(batch.offers.iter().filter(|o| o.model_slug == r1.slug).count() >= 5);

    check_batch_integrity(&batch);
    assert_eq!(map_feed(&feed).unwrap(), batch, "mapping twice gives the same batch");
}

/// Invariants every batch must satisfy, real or synthetic.
fn check_batch_integrity(batch: &CatalogBatch) {
    let model_slugs: BTreeSet<&str> = batch.models.iter().map(|m| m.slug.as_str()).collect();
    assert_eq!(model_slugs.len(), batch.models.len(), "duplicate model slugs");
    let publisher_slugs: BTreeSet<&str> = batch.publishers.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(
        publisher_slugs.len(),
        batch.publishers.len(),
        "duplicate publisher slugs"
    );

    assert!(batch.models.windows(2).all(|w| w[0].slug < w[1].slug));
    assert!(batch.publishers.windows(2).all(|w| w[0].slug < w[1].slug));
    assert!(batch
        .rejected
        .windows(2)
        .all(|w| (&w[0].key, &w[0].reason) <= (&w[1].key, &w[1].reason)));
    let offer_key = |o: &OfferRecord| {
        (
            o.model_slug.clone(),
            o.region.clone(),
            o.deployment_type,
            o.operator_name.clone(),
        )
    };
    assert!(
        batch.offers.windows(2).all(|w| offer_key(&w[0]) < offer_key(&w[1])),
        "offers sorted and unique"
    );

    for publisher in &batch.publishers {
        assert!(
            publisher
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{}",
            publisher.slug
        );
        if let Some(country) = &publisher.country {
            assert_eq!(parse_country(country), Some(country.as_str()), "{}", publisher.slug);
        }
    }
    for model in &batch.models {
        let (publisher, name) = model.slug.split_once('/').expect("publisher/name");
        assert_eq!(publisher, model.publisher_slug);
        assert!(
            publisher_slugs.contains(publisher),
            "{} has no publisher record",
            model.slug
        );
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
            "{}",
            model.slug
        );
        for linked in [&model.lifecycle.successor_slug, &model.provenance.base_model_slug]
            .into_iter()
            .flatten()
        {
            assert!(
                model_slugs.contains(linked.as_str()),
                "{} links to missing {linked}",
                model.slug
            );
            assert_ne!(linked, &model.slug);
        }
        if let Some(country) = &model.provenance.origin_country {
            assert!(parse_country(country).is_some());
        }
    }
    for offer in &batch.offers {
        assert!(
            REGIONS.iter().any(|r| r.code == offer.region),
            "unknown region {}",
            offer.region
        );
        assert!(
            model_slugs.contains(offer.model_slug.as_str()),
            "offer for missing {}",
            offer.model_slug
        );
        if let Some(country) = &offer.operator_country {
            assert!(parse_country(country).is_some());
        }
        for price in &offer.prices {
            assert!(price.amount >= Decimal::ZERO);
            assert_eq!(price.currency, "USD");
        }
    }
}

// --- names and publishers ------------------------------------------------

#[test]
fn provider_route_and_region_prefixes_are_stripped_from_model_names() {
    let cases = [
        (
            "fireworks_ai/accounts/fireworks/models/deepseek-r1",
            "fireworks_ai",
            "deepseek/deepseek-r1",
        ),
        (
            "fireworks_ai/accounts/fireworks/models/glm-4p5",
            "fireworks_ai",
            "zhipu/glm-4.5",
        ),
        ("deepinfra/Qwen/Qwen3-32B", "deepinfra", "alibaba/qwen3-32b"),
        (
            "together_ai/deepseek-ai/DeepSeek-R1",
            "together_ai",
            "deepseek/deepseek-r1",
        ),
        ("baseten/zai-org/GLM-4.7", "baseten", "zhipu/glm-4.7"),
        (
            "bedrock/us-east-1/meta.llama3-70b-instruct-v1:0",
            "bedrock",
            "meta/llama3-70b-instruct",
        ),
        (
            "eu.anthropic.claude-3-5-sonnet-20241022-v2:0",
            "bedrock",
            "anthropic/claude-3-5-sonnet-20241022",
        ),
        ("deepseek.v3.2", "bedrock_converse", "deepseek/deepseek-v3.2"),
        (
            "mistral.mistral-7b-instruct-v0:2",
            "bedrock",
            "mistral/mistral-7b-instruct-v0.2",
        ),
        ("anthropic.claude-v2:1", "bedrock", "anthropic/claude-v2-1"),
        ("gpt-4o-2024-08-06", "openai", "openai/gpt-4o-2024-08-06"),
        ("ibm/granite-guardian-3-2-2b", "watsonx", "ibm/granite-guardian-3.2-2b"),
        ("amazon.titan-embed-text-v2:0", "bedrock", "amazon/titan-embed-text-v2"),
        ("azure/eu/gpt-4o-mini", "azure", "openai/gpt-4o-mini"),
        ("azure/global/gpt-4o-2024-08-06", "azure", "openai/gpt-4o-2024-08-06"),
        (
            "vertex_ai/jamba-1.5-large@001",
            "vertex_ai-ai21_models",
            "ai21/jamba-1.5-large-001",
        ),
        (
            "vertex_ai/claude-3-5-sonnet@20240620",
            "vertex_ai-anthropic_models",
            "anthropic/claude-3-5-sonnet-20240620",
        ),
        (
            "vertex_ai/deepseek-ai/deepseek-r1-0528-maas",
            "vertex_ai-deepseek_models",
            "deepseek/deepseek-r1-0528",
        ),
        ("high/1024-x-1024/gpt-image-1", "openai", "openai/gpt-image-1"),
        (
            "fal_ai/fal-ai/flux-pro/v1.1/edit",
            "fal_ai",
            "black-forest-labs/flux-pro-v1.1-edit",
        ),
        (
            "fal_ai/fal-ai/bytedance/seedream/v3/text-to-image",
            "fal_ai",
            "bytedance/seedream-v3-text-to-image",
        ),
        (
            "cloudflare/@cf/meta/llama-3.2-3b-instruct",
            "cloudflare",
            "meta/llama-3.2-3b-instruct",
        ),
        (
            "databricks/databricks-gpt-5-4-mini",
            "databricks",
            "openai/gpt-5.4-mini",
        ),
        ("snowflake/openai-gpt-4.1", "snowflake", "openai/gpt-4.1"),
        (
            "vercel_ai_gateway/anthropic/claude-4.5-sonnet",
            "vercel_ai_gateway",
            "anthropic/claude-sonnet-4-5",
        ),
        (
            "nebius/meta-llama/Meta-Llama-3.1-8B-Instruct",
            "nebius",
            "meta/llama-3.1-8b-instruct",
        ),
        ("ollama/llama2:13b", "ollama", "meta/llama2-13b"),
        ("perplexity/perplexity/sonar", "perplexity", "perplexity/sonar"),
        ("voyage/rerank-2", "voyage", "voyage/rerank-2"),
        ("deepgram/nova-3", "deepgram", "deepgram/nova-3"),
    ];
    for (key, provider, expected) in cases {
        assert_eq!(slug_of(key, provider), expected, "{key}");
    }
}

#[test]
fn an_organisation_segment_names_the_publisher_even_when_unknown() {
    let batch = one("deepinfra/Gryphe/MythoMax-L2-13b", chat("deepinfra"));
    assert_eq!(batch.models[0].slug, "gryphe/mythomax-l2-13b");
    let gryphe = &batch.publishers[0];
    assert_eq!(
        (gryphe.slug.as_str(), gryphe.name.as_str(), gryphe.country.as_deref()),
        ("gryphe", "Gryphe", None)
    );
    assert_eq!(batch.models[0].provenance.origin_country, None);
}

#[test]
fn a_model_without_a_known_maker_is_published_by_its_host() {
    let batch = one("cerebras/zorblax-9b", chat("cerebras"));
    assert_eq!(batch.models[0].slug, "cerebras/zorblax-9b");
    assert_eq!(batch.publishers[0].country.as_deref(), Some("US"));
    let batch = one("mystery_host/zorblax-9b", chat("mystery_host"));
    assert_eq!(batch.models[0].slug, "mystery-host/zorblax-9b");
    assert_eq!(batch.publishers[0].country, None);
    assert_eq!(batch.offers[0].operator_name, "mystery_host");
}

#[test]
fn a_bare_name_adopts_the_organisation_another_host_files_it_under() {
    let batch = feed_of(&[
        ("baseten/thinkingmachines/inkling", chat("baseten")),
        ("fireworks_ai/accounts/fireworks/models/inkling", chat("fireworks_ai")),
    ]);
    assert_eq!(batch.models.len(), 1);
    assert_eq!(batch.models[0].slug, "thinkingmachines/inkling");
    assert_eq!(batch.offers.len(), 2);
}

#[test]
fn deepseek_r1_is_published_by_deepseek_in_china() {
    let batch = one("hyperbolic/deepseek-ai/DeepSeek-R1", chat("hyperbolic"));
    let model = &batch.models[0];
    assert_eq!(model.slug, "deepseek/deepseek-r1");
    assert_eq!(model.name, "DeepSeek R1");
    assert_eq!(model.provenance.origin_country.as_deref(), Some("CN"));
    assert_eq!(batch.publishers[0].country.as_deref(), Some("CN"));
    assert_eq!(
        batch.offers[0].operator_country.as_deref(),
        Some("US"),
        "the operator is not the maker"
    );
    assert_eq!((model.license.as_str(), model.open_weights), ("MIT", true));
}

#[test]
fn one_model_sold_by_several_providers_is_one_listing_with_an_offer_each() {
    let batch = feed_of(&[
        ("gpt-4o", with(chat("openai"), "max_input_tokens", json!(128000))),
        ("azure/gpt-4o", with(chat("azure"), "supports_vision", json!(true))),
        (
            "vercel_ai_gateway/openai/gpt-4o",
            with(chat("vercel_ai_gateway"), "max_input_tokens", json!(131072)),
        ),
    ]);
    assert_eq!(batch.models.len(), 1);
    let model = &batch.models[0];
    assert_eq!(model.slug, "openai/gpt-4o");
    assert_eq!(model.context_window, Some(131072), "the largest limit seen");
    assert!(
        model.capabilities.contains(&Capability::Vision),
        "capabilities are merged"
    );
    assert!(model.input_modalities.contains(&Modality::Image));
    let operators: Vec<&str> = batch.offers.iter().map(|o| o.operator_name.as_str()).collect();
    assert_eq!(operators, ["Microsoft Azure (OpenAI)", "OpenAI", "Vercel AI Gateway"]);
    assert_eq!(batch.publishers.len(), 1);
    assert_eq!(model.tags, ["azure", "gpt", "openai", "vercel_ai_gateway"]);
}

#[test]
fn names_read_like_product_names() {
    assert_eq!(display_name("DeepSeek-R1"), "DeepSeek R1");
    assert_eq!(display_name("claude-3-5-sonnet-20241022"), "Claude 3.5 Sonnet 20241022");
    assert_eq!(display_name("gpt-4o-2024-08-06"), "GPT 4o 2024-08-06");
    assert_eq!(display_name("qwen3-235b-a22b"), "Qwen3 235B A22B");
    assert_eq!(
        family_and_version("deepseek-r1"),
        (Some("deepseek".into()), Some("r1".into()))
    );
    assert_eq!(
        family_and_version("claude-opus-4-5"),
        (Some("claude-opus".into()), Some("4.5".into()))
    );
    assert_eq!(family_and_version("qwen3-32b"), (Some("qwen".into()), Some("3".into())));
    assert_eq!(
        family_and_version("gpt-4o-mini"),
        (Some("gpt".into()), Some("4o".into()))
    );
    assert_eq!(
        family_and_version("qwen-plus-2025-09-11"),
        (Some("qwen-plus".into()), Some("2025-09-11".into()))
    );
}

// --- placement ------------------------------------------------------------

#[test]
fn a_bedrock_cross_region_key_becomes_a_data_zone_offer() {
    let batch = one("us.anthropic.claude-3-5-haiku-20241022-v1:0", chat("bedrock_converse"));
    let offer = &batch.offers[0];
    assert_eq!(offer.model_slug, "anthropic/claude-3-5-haiku-20241022");
    assert_eq!(
        (offer.region.as_str(), offer.processing_scope),
        ("datazone-us", ProcessingScope::DataZone)
    );
    assert_eq!(offer.operator_name, "Amazon Web Services (Bedrock)");
    let batch = one("global.anthropic.claude-sonnet-4-6", chat("bedrock_converse"));
    assert_eq!(
        (batch.offers[0].region.as_str(), batch.offers[0].processing_scope),
        ("global", ProcessingScope::Global)
    );
}

#[test]
fn a_bedrock_region_segment_becomes_a_regional_offer() {
    let batch = one("bedrock/ap-south-1/meta.llama3-8b-instruct-v1:0", chat("bedrock"));
    let offer = &batch.offers[0];
    assert_eq!(
        (offer.region.as_str(), offer.processing_scope),
        ("ap-south-1", ProcessingScope::Regional)
    );
}

#[test]
fn azure_zone_segments_place_the_offer_in_that_zone() {
    let batch = feed_of(&[
        ("azure/eu/gpt-4o", chat("azure")),
        ("azure/us/gpt-4o", chat("azure")),
        ("azure/gpt-4o", chat("azure")),
    ]);
    let placements: Vec<(&str, ProcessingScope)> = batch
        .offers
        .iter()
        .map(|o| (o.region.as_str(), o.processing_scope))
        .collect();
    assert_eq!(
        placements,
        [
            ("datazone-eu", ProcessingScope::DataZone),
            ("datazone-us", ProcessingScope::DataZone),
            ("global", ProcessingScope::Global)
        ]
    );
}

#[test]
fn supported_regions_give_one_offer_per_known_region() {
    let entry = with(
        chat("vertex_ai-qwen_models"),
        "supported_regions",
        json!(["global", "us-south1"]),
    );
    let batch = one("vertex_ai/qwen/qwen3-235b-a22b-instruct-2507-maas", entry);
    let regions: Vec<&str> = batch.offers.iter().map(|o| o.region.as_str()).collect();
    assert_eq!(regions, ["global", "us-south1"]);
    assert!(batch.rejected.is_empty());
}

#[test]
fn partially_known_supported_regions_keep_the_known_ones_and_report_the_rest() {
    let entry = with(
        chat("vertex_ai"),
        "supported_regions",
        json!(["us-central1", "mars-north1"]),
    );
    let batch = one("vertex_ai/gemini-x", entry);
    assert_eq!(batch.offers.len(), 1);
    assert_eq!(batch.offers[0].region, "us-central1");
    let found = reasons(&batch, "vertex_ai/gemini-x");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("'mars-north1'"), "{found:?}");
}

#[test]
fn unknown_region_tokens_are_rejected_naming_the_token() {
    let batch = one("bedrock/ap-southeast-9/meta.llama3-8b-instruct-v1:0", chat("bedrock"));
    assert!(only_reason(&batch, "bedrock/ap-southeast-9/meta.llama3-8b-instruct-v1:0").contains("'ap-southeast-9'"));
    let batch = one("bedrock/*/1-month-commitment/cohere.command-text-v14", chat("bedrock"));
    assert!(only_reason(&batch, "bedrock/*/1-month-commitment/cohere.command-text-v14").contains("'*'"));
    let batch = one("in.moonshotai.kimi-k3", chat("bedrock_converse"));
    assert!(only_reason(&batch, "in.moonshotai.kimi-k3").contains("'in'"));
    let entry = with(chat("vertex_ai"), "supported_regions", json!(["atlantis-1"]));
    assert!(only_reason(&one("vertex_ai/gemini-x", entry), "vertex_ai/gemini-x").contains("'atlantis-1'"));
}

#[test]
fn a_second_key_for_the_same_offer_is_rejected_naming_the_kept_one() {
    let batch = feed_of(&[
        (
            "azure/standard/1024-x-1024/dall-e-3",
            json!({"litellm_provider": "azure", "mode": "image_generation", "output_cost_per_image": 0.04}),
        ),
        (
            "azure/hd/1024-x-1792/dall-e-3",
            json!({"litellm_provider": "azure", "mode": "image_generation", "output_cost_per_image": 0.12}),
        ),
    ]);
    assert_eq!(batch.offers.len(), 1);
    assert_eq!(
        batch.offers[0].source_key.as_deref(),
        Some("azure/standard/1024-x-1024/dall-e-3")
    );
    assert_eq!(
        price(&batch.offers[0], PriceDimension::Image, None).unwrap().amount,
        dec("0.04")
    );
    let reason = &reasons(&batch, "azure/hd/1024-x-1792/dall-e-3")[0];
    assert!(reason.contains("'azure/standard/1024-x-1024/dall-e-3'"), "{reason}");
}

#[test]
fn a_regional_key_beats_a_zone_key_for_the_same_region() {
    let batch = feed_of(&[
        ("us-gov.anthropic.claude-haiku-5-5", chat("bedrock_converse")),
        ("bedrock/us-gov-east-1/anthropic.claude-haiku-5-5", chat("bedrock")),
    ]);
    let placements: Vec<(&str, ProcessingScope, &str)> = batch
        .offers
        .iter()
        .map(|o| (o.region.as_str(), o.processing_scope, o.source_key.as_deref().unwrap()))
        .collect();
    assert_eq!(
        placements,
        [
            (
                "us-gov-east-1",
                ProcessingScope::Regional,
                "bedrock/us-gov-east-1/anthropic.claude-haiku-5-5"
            ),
            (
                "us-gov-west-1",
                ProcessingScope::DataZone,
                "us-gov.anthropic.claude-haiku-5-5"
            ),
        ]
    );
}

// --- prices -----------------------------------------------------------------

#[test]
fn token_prices_are_exact_decimals_per_million_tokens() {
    let entry = json!({"litellm_provider": "openai", "mode": "chat",
        "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-07,
        "cache_read_input_token_cost": 2.5e-07, "cache_creation_input_token_cost": 3.75e-06,
        "output_cost_per_reasoning_token": 0.0000042, "input_cost_per_token_priority": 9e-06});
    let batch = one("gpt-x", entry);
    let offer = &batch.offers[0];
    let amount = |d| price(offer, d, None).unwrap().amount;
    assert_eq!(amount(PriceDimension::InputTokens).to_string(), "3");
    assert_eq!(amount(PriceDimension::OutputTokens).to_string(), "0.15");
    assert_eq!(amount(PriceDimension::CachedInputTokens).to_string(), "0.25");
    assert_eq!(amount(PriceDimension::CacheWriteTokens).to_string(), "3.75");
    assert_eq!(amount(PriceDimension::ReasoningTokens).to_string(), "4.2");
    assert_eq!(
        offer.prices.len(),
        5,
        "priority prices are a service tier, not imported"
    );
    assert!(offer
        .prices
        .iter()
        .all(|p| p.unit == PriceUnit::PerMillionTokens && p.currency == "USD"));
}

#[test]
fn context_tier_prices_carry_their_threshold() {
    let entry = json!({"litellm_provider": "gemini", "mode": "chat",
        "input_cost_per_token": 1.25e-06, "input_cost_per_token_above_200k_tokens": 2.5e-06,
        "output_cost_per_token_above_128k_tokens": 1.5e-05, "cache_read_input_token_cost_above_272k_tokens": 5e-07,
        "cache_creation_input_token_cost_above_1hr": 6e-06});
    let batch = one("gemini/gemini-x", entry);
    let offer = &batch.offers[0];
    assert_eq!(
        price(offer, PriceDimension::InputTokens, None).unwrap().amount,
        dec("1.25")
    );
    assert_eq!(
        price(offer, PriceDimension::InputTokens, Some(200_000)).unwrap().amount,
        dec("2.5")
    );
    assert_eq!(
        price(offer, PriceDimension::OutputTokens, Some(128_000))
            .unwrap()
            .amount,
        dec("15")
    );
    assert_eq!(
        price(offer, PriceDimension::CachedInputTokens, Some(272_000))
            .unwrap()
            .amount,
        dec("0.5")
    );
    assert_eq!(offer.prices.len(), 4, "1-hour cache writes are not a context tier");
}

#[test]
fn batch_prices_make_a_batch_offer_only_when_batch_input_is_priced() {
    let entry = json!({"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05, "input_cost_per_token_batches": 1.25e-06,
        "output_cost_per_token_batches": 5e-06,
        "input_cost_per_token_above_272k_tokens_batches": 2.5e-06});
    let batch = one("gpt-x", entry);
    assert_eq!(batch.offers.len(), 2);
    let batch_offer = batch
        .offers
        .iter()
        .find(|o| o.deployment_type == DeploymentType::Batch)
        .unwrap();
    assert_eq!(
        price(batch_offer, PriceDimension::InputTokens, None).unwrap().amount,
        dec("1.25")
    );
    assert_eq!(
        price(batch_offer, PriceDimension::OutputTokens, None).unwrap().amount,
        dec("5")
    );
    assert_eq!(
        price(batch_offer, PriceDimension::InputTokens, Some(272_000))
            .unwrap()
            .amount,
        dec("2.5")
    );
    assert_eq!(batch_offer.source_key.as_deref(), Some("gpt-x"));

    let entry = json!({"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 2.5e-06,
        "cache_read_input_token_cost_batches": 1e-07});
    assert_eq!(one("gpt-y", entry).offers.len(), 1);
}

#[test]
fn non_token_prices_use_their_own_units() {
    let batch = feed_of(&[
        (
            "black_forest_labs/flux-pro",
            json!({"litellm_provider": "black_forest_labs", "mode": "image_generation",
                "output_cost_per_image": 0.05}),
        ),
        (
            "low/1024-x-1024/gpt-image-9",
            json!({"litellm_provider": "openai", "mode": "image_generation", "input_cost_per_image": 0.011}),
        ),
        (
            "gemini/veo-9",
            json!({"litellm_provider": "gemini", "mode": "video_generation", "output_cost_per_second": 0.4}),
        ),
        (
            "whisper-9",
            json!({"litellm_provider": "openai", "mode": "audio_transcription", "input_cost_per_second": 0.0001}),
        ),
        (
            "azure/speech/azure-tts",
            json!({"litellm_provider": "azure", "mode": "audio_speech", "input_cost_per_character": 1.5e-05}),
        ),
        (
            "mistral/mistral-ocr-9",
            json!({"litellm_provider": "mistral", "mode": "ocr", "ocr_cost_per_page": 0.001}),
        ),
        (
            "tavily/search",
            json!({"litellm_provider": "tavily", "mode": "search", "input_cost_per_query": 0.008}),
        ),
    ]);
    let only = |slug: &str| {
        let offer = batch
            .offers
            .iter()
            .find(|o| o.model_slug == slug)
            .unwrap_or_else(|| panic!("{slug}"));
        assert_eq!(offer.prices.len(), 1, "{slug}");
        (
            offer.prices[0].dimension,
            offer.prices[0].unit,
            offer.prices[0].amount.to_string(),
        )
    };
    assert_eq!(
        only("black-forest-labs/flux-pro"),
        (PriceDimension::Image, PriceUnit::PerImage, "0.05".into())
    );
    assert_eq!(
        only("openai/gpt-image-9"),
        (PriceDimension::Image, PriceUnit::PerImage, "0.011".into())
    );
    assert_eq!(
        only("google/veo-9"),
        (PriceDimension::OutputSecond, PriceUnit::PerSecond, "0.4".into())
    );
    assert_eq!(
        only("openai/whisper-9"),
        (PriceDimension::InputSecond, PriceUnit::PerSecond, "0.0001".into())
    );
    assert_eq!(
        only("microsoft/azure-tts"),
        (
            PriceDimension::Character,
            PriceUnit::PerThousandCharacters,
            "0.015".into()
        )
    );
    assert_eq!(
        only("mistral/mistral-ocr-9"),
        (PriceDimension::Page, PriceUnit::PerThousandPages, "1".into())
    );
    assert_eq!(
        only("tavily/search"),
        (PriceDimension::Query, PriceUnit::PerThousandQueries, "8".into())
    );
}

#[test]
fn bedrock_commitments_are_provisioned_offers_priced_per_hour() {
    let entry = json!({"litellm_provider": "bedrock", "mode": "chat",
        "input_cost_per_second": 0.0175, "cost_per_second": 0.0175});
    let batch = feed_of(&[
        (
            "bedrock/us-east-1/1-month-commitment/anthropic.claude-v1",
            entry.clone(),
        ),
        ("bedrock/us-east-1/6-month-commitment/anthropic.claude-v1", entry),
    ]);
    assert_eq!(batch.offers.len(), 1);
    let offer = &batch.offers[0];
    assert_eq!(
        (offer.deployment_type, offer.region.as_str()),
        (DeploymentType::Provisioned, "us-east-1")
    );
    assert_eq!(offer.prices.len(), 1);
    assert_eq!(
        (offer.prices[0].dimension, offer.prices[0].amount),
        (PriceDimension::Hour, dec("63"))
    );
    assert_eq!(batch.rejected.len(), 1, "the 6-month commitment is the same offer");
}

// --- rejections ---------------------------------------------------------------

#[test]
fn the_feed_must_be_an_object() {
    assert!(matches!(map_feed(&json!([1, 2])), Err(FeedError::NotAnObject)));
    assert_eq!(
        FeedError::NotAnObject.to_string(),
        "the feed must be a JSON object keyed by model id"
    );
    assert_eq!(map_feed(&json!({})).unwrap(), CatalogBatch::default());
}

#[test]
fn the_schema_description_entry_is_rejected() {
    let batch = one(
        "sample_spec",
        json!({"litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "one of: chat"}),
    );
    assert_eq!(only_reason(&batch, "sample_spec"), "schema description, not a model");
}

#[test]
fn entries_that_are_not_objects_are_rejected() {
    for value in [json!(1), json!("gpt-4o"), json!(null), json!([chat("openai")])] {
        assert_eq!(only_reason(&one("odd", value), "odd"), "the entry is not a JSON object");
    }
}

#[test]
fn entries_without_provider_or_mode_are_rejected() {
    assert_eq!(
        only_reason(&one("x", json!({"mode": "chat"})), "x"),
        "missing litellm_provider"
    );
    assert_eq!(
        only_reason(&one("x", json!({"litellm_provider": "openai"})), "x"),
        "missing mode"
    );
    assert_eq!(
        only_reason(&one("x", json!({"litellm_provider": 7, "mode": "chat"})), "x"),
        "field 'litellm_provider' must be a provider id"
    );
}

#[test]
fn modes_that_are_not_model_tasks_are_rejected() {
    for mode in [
        "evaluation",
        "decisions",
        "extraction",
        "guardrail",
        "vector_store",
        "telepathy",
    ] {
        let batch = one("x", json!({"litellm_provider": "openai", "mode": mode}));
        assert_eq!(
            only_reason(&batch, "x"),
            format!("mode '{mode}' is not a model task this catalog lists")
        );
    }
    for (mode, task) in [
        ("responses", Task::Chat),
        ("rerank", Task::Rerank),
        ("ocr", Task::Ocr),
        ("realtime", Task::Realtime),
    ] {
        let batch = one("x", json!({"litellm_provider": "openai", "mode": mode}));
        assert_eq!(batch.models[0].task, task);
    }
}

#[test]
fn nonsense_numbers_are_rejected_naming_the_field() {
    let cases = [
        (
            "input_cost_per_token",
            json!(-1e-06),
            "field 'input_cost_per_token' is negative (-1e-6)",
        ),
        (
            "output_cost_per_token",
            json!("0.000002"),
            "field 'output_cost_per_token' must be a number",
        ),
        (
            "input_cost_per_token_priority",
            json!(true),
            "field 'input_cost_per_token_priority' must be a number",
        ),
        (
            "max_input_tokens",
            json!(0),
            "field 'max_input_tokens' must be a positive whole number of tokens, not 0",
        ),
        (
            "max_output_tokens",
            json!(-5),
            "field 'max_output_tokens' must be a positive whole number of tokens, not -5",
        ),
        (
            "max_input_tokens",
            json!(1000.5),
            "field 'max_input_tokens' must be a positive whole number of tokens, not 1000.5",
        ),
        (
            "max_input_tokens",
            json!("128k"),
            "field 'max_input_tokens' must be a number",
        ),
        (
            "max_output_tokens",
            json!(1_u64 << 40),
            "field 'max_output_tokens' is implausibly large (1099511627776)",
        ),
        (
            "deprecation_date",
            json!("next year"),
            "field 'deprecation_date' is not a YYYY-MM-DD date: 'next year'",
        ),
        (
            "supports_vision",
            json!("yes"),
            "field 'supports_vision' must be true or false",
        ),
        (
            "input_cost_per_token",
            json!(1e-40),
            "field 'input_cost_per_token' has an amount that cannot be held exactly (1e-40)",
        ),
    ];
    for (field, value, expected) in cases {
        let batch = one("gpt-x", with(chat("openai"), field, value));
        assert_eq!(only_reason(&batch, "gpt-x"), expected);
    }
}

#[test]
fn aliases_and_price_classes_and_tools_are_rejected() {
    let batch = one("claude-opus-latest", json!({"alias_of": "claude-opus-5-5"}));
    assert_eq!(
        only_reason(&batch, "claude-opus-latest"),
        "alias of 'claude-opus-5-5', which is imported under its own key"
    );
    let batch = one("together-ai-4.1b-8b", chat("together_ai"));
    assert_eq!(
        only_reason(&batch, "together-ai-4.1b-8b"),
        "a price class for models by parameter count, not a model"
    );
    let batch = one(
        "openai/container",
        json!({"litellm_provider": "openai", "mode": "chat", "code_interpreter_cost_per_session": 0.03}),
    );
    assert_eq!(
        only_reason(&batch, "openai/container"),
        "prices code-interpreter sessions, a tool rather than a model"
    );
}

// --- lifecycle, licence, lineage ---------------------------------------------

#[test]
fn a_publisher_announced_retirement_deprecates_the_listing_with_its_successor() {
    let old = with(
        with(chat("openai"), "deprecation_date", json!("2027-01-14")),
        "successor_model",
        json!("gpt-6"),
    );
    let batch = feed_of(&[
        ("gpt-5", old),
        ("gpt-6", chat("openai")),
        ("azure/gpt-5", chat("azure")),
    ]);
    let model = batch.models.iter().find(|m| m.slug == "openai/gpt-5").unwrap();
    let date = NaiveDate::from_ymd_opt(2027, 1, 14);
    assert_eq!(model.lifecycle.status, LifecycleStatus::Deprecated);
    assert_eq!(
        (model.lifecycle.deprecation_date, model.lifecycle.retirement_date),
        (date, date)
    );
    assert_eq!(model.lifecycle.successor_slug.as_deref(), Some("openai/gpt-6"));
}

#[test]
fn a_reseller_retiring_a_model_does_not_deprecate_it() {
    let azure = with(chat("azure"), "deprecation_date", json!("2026-06-01"));
    let batch = feed_of(&[("gpt-5", chat("openai")), ("azure/gpt-5", azure)]);
    assert_eq!(batch.models[0].lifecycle.status, LifecycleStatus::Ga);
    // Without a first-party offer, the model goes when its last host retires it.
    let a = with(chat("deepinfra"), "deprecation_date", json!("2026-06-01"));
    let b = with(chat("novita"), "deprecation_date", json!("2026-09-01"));
    let batch = feed_of(&[
        ("deepinfra/meta-llama/Llama-9-8B", a),
        ("novita/meta-llama/llama-9-8b", b),
    ]);
    assert_eq!(
        batch.models[0].lifecycle.deprecation_date,
        NaiveDate::from_ymd_opt(2026, 9, 1)
    );
}

#[test]
fn a_successor_missing_from_the_batch_is_dropped() {
    let old = with(
        with(chat("openai"), "deprecation_date", json!("2027-01-14")),
        "successor_model",
        json!("gpt-99"),
    );
    let batch = one("gpt-5", old);
    assert_eq!(batch.models[0].lifecycle.status, LifecycleStatus::Deprecated);
    assert_eq!(batch.models[0].lifecycle.successor_slug, None);
}

#[test]
fn preview_and_experimental_names_are_previews() {
    assert_eq!(
        one("gemini/gemini-9-pro-preview", chat("gemini")).models[0]
            .lifecycle
            .status,
        LifecycleStatus::Preview
    );
    assert_eq!(
        one("gemini/gemini-exp-1206", chat("gemini")).models[0].lifecycle.status,
        LifecycleStatus::Preview
    );
    assert_eq!(
        one("gemini/gemini-9-pro", chat("gemini")).models[0].lifecycle.status,
        LifecycleStatus::Ga
    );
}

#[test]
fn open_weight_families_get_their_licence_and_others_are_proprietary() {
    let licence = |key: &str, provider: &str| {
        let model = &one(key, chat(provider)).models[0];
        (model.license.clone(), model.open_weights)
    };
    assert_eq!(
        licence("together_ai/meta-llama/Llama-3.3-70B-Instruct", "together_ai"),
        ("llama-community".into(), true)
    );
    assert_eq!(
        licence("deepinfra/Qwen/Qwen3-32B", "deepinfra"),
        ("Apache-2.0".into(), true)
    );
    assert_eq!(
        licence("dashscope/qwen-max", "dashscope"),
        ("proprietary".into(), false)
    );
    assert_eq!(licence("groq/openai/gpt-oss-120b", "groq"), ("Apache-2.0".into(), true));
    assert_eq!(licence("gemini/gemma-3-27b-it", "gemini"), ("gemma".into(), true));
    assert_eq!(licence("azure_ai/Phi-4", "azure_ai"), ("MIT".into(), true));
    assert_eq!(licence("gpt-4o", "openai"), ("proprietary".into(), false));
    // Nobody knows: unknown, not assumed proprietary.
    assert_eq!(
        licence("deepinfra/acme-labs/Acme-Chat-7B", "deepinfra"),
        ("unknown".into(), false)
    );
}

#[test]
fn fine_tunes_distillations_and_quantisations_link_their_base_model() {
    let batch = feed_of(&[
        ("gpt-4o-2024-08-06", chat("openai")),
        ("ft:gpt-4o-2024-08-06", chat("openai")),
        ("deepinfra/deepseek-ai/DeepSeek-R1", chat("deepinfra")),
        ("deepinfra/deepseek-ai/DeepSeek-R1-Distill-Llama-70B", chat("deepinfra")),
        ("gmi/Qwen/Qwen3-235B-A22B-FP8", chat("gmi")),
        ("gmi/Qwen/Qwen3-235B-A22B", chat("gmi")),
    ]);
    let lineage = |slug: &str| {
        let model = batch
            .models
            .iter()
            .find(|m| m.slug == slug)
            .unwrap_or_else(|| panic!("{slug}"));
        (model.provenance.lineage, model.provenance.base_model_slug.clone())
    };
    assert_eq!(
        lineage("openai/ft-gpt-4o-2024-08-06"),
        (Lineage::FineTune, Some("openai/gpt-4o-2024-08-06".into()))
    );
    assert_eq!(
        lineage("deepseek/deepseek-r1-distill-llama-70b"),
        (Lineage::Distillation, Some("deepseek/deepseek-r1".into()))
    );
    assert_eq!(
        lineage("alibaba/qwen3-235b-a22b-fp8"),
        (Lineage::Quantization, Some("alibaba/qwen3-235b-a22b".into()))
    );
    assert_eq!(lineage("openai/gpt-4o-2024-08-06"), (Lineage::Original, None));
}

#[test]
fn every_operator_and_publisher_country_is_an_assigned_code() {
    for host in HOSTS {
        if let Some(country) = host.country {
            assert_eq!(parse_country(country), Some(country), "{}", host.operator);
        }
        if let Maker::Known(slug) = host.maker {
            assert!(find_publisher(slug).is_some(), "{slug}");
        }
    }
    for (_, slug) in LOCAL_ORG_ALIASES.iter().chain(LOCAL_STEMS) {
        assert!(find_publisher(slug).is_some(), "{slug}");
    }
}

#[test]
fn mapping_does_not_depend_on_feed_order() {
    let entries = [
        ("deepinfra/OpenPipe/Qwen3-14B-Instruct", chat("deepinfra")),
        ("wandb/openpipe/qwen3-14b-instruct", chat("wandb")),
        ("deepseek-chat", chat("deepseek")),
        ("deepseek/deepseek-chat", chat("deepseek")),
        ("azure/gpt-4o", chat("azure")),
        ("azure/global/gpt-4o", chat("azure")),
    ];
    let forward = feed_of(&entries);
    let mut reversed = entries.to_vec();
    reversed.reverse();
    assert_eq!(feed_of(&reversed), forward);
    assert_eq!(
        forward.publishers.iter().find(|p| p.slug == "openpipe").unwrap().name,
        "OpenPipe"
    );
    check_batch_integrity(&forward);
}

// --- robustness -----------------------------------------------------------------

const FIELDS: &[&str] = &[
    "litellm_provider",
    "mode",
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "input_cost_per_token_batches",
    "input_cost_per_token_above_200k_tokens",
    "output_cost_per_image",
    "input_cost_per_image",
    "input_cost_per_second",
    "cost_per_second",
    "input_cost_per_character",
    "ocr_cost_per_page",
    "input_cost_per_query",
    "max_input_tokens",
    "max_output_tokens",
    "max_tokens",
    "supports_vision",
    "supports_reasoning",
    "supported_modalities",
    "supported_output_modalities",
    "supported_regions",
    "deprecation_date",
    "successor_model",
    "alias_of",
    "code_interpreter_cost_per_session",
];
const WORDS: &[&str] = &[
    "chat",
    "responses",
    "embedding",
    "image_generation",
    "ocr",
    "openai",
    "bedrock",
    "bedrock_converse",
    "azure",
    "azure_ai",
    "fal_ai",
    "fireworks_ai",
    "vertex_ai-language-models",
    "deepgram",
    "global",
    "us-east-1",
    "mars-1",
    "2026-01-01",
    "text",
    "image",
    "gpt-4o",
    "",
];
const KEYS: &[&str] = &[
    "sample_spec",
    "gpt-4o",
    "azure/eu/gpt-4o",
    "us.anthropic.claude-v2:1",
    "bedrock/*/x",
    "in.meta.llama",
    "high/1024-x-1024/gpt-image-1",
    "fal_ai/fal-ai/flux/dev",
    "ft:",
    "/",
    "@",
    ":",
    "a.b.c",
    "x@default",
    "claude-4-5-sonnet",
    "qwen-3",
    "databricks-",
    "FW-",
    "accounts/a/models/b",
    "1-month-commitment/x",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (-1.0e-3..1.0e-3f64).prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(field(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn field() -> impl Strategy<Value = String> {
    prop_oneof![prop::sample::select(FIELDS).prop_map(String::from), "[a-z_]{0,10}"]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(KEYS).prop_map(String::from),
        "[a-zA-Z0-9_./:@*-]{0,30}",
        (prop::sample::select(KEYS), prop::sample::select(KEYS)).prop_map(|(a, b)| format!("{a}/{b}")),
    ]
}

fn entry() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(WORDS),
        prop::sample::select(WORDS),
        prop::collection::btree_map(field(), value(), 0..8),
    )
        .prop_map(|(provider, mode, mut fields)| {
            fields
                .entry("litellm_provider".into())
                .or_insert_with(|| Value::from(provider));
            fields.entry("mode".into()).or_insert_with(|| Value::from(mode));
            Value::Object(fields.into_iter().collect())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_json_objects_never_panic_the_mapper(
        entries in prop::collection::btree_map(key(), prop_oneof![3 => entry(), 1 => value()], 0..8)
    ) {
        let feed = Value::Object(entries.into_iter().collect());
        let batch = map_feed(&feed).expect("an object is a feed");
        let keys: BTreeSet<&str> = feed.as_object().unwrap().keys().map(String::as_str).collect();
        for key in &keys {
            prop_assert!(
                batch.offers.iter().any(|o| o.source_key.as_deref() == Some(*key))
                    || batch.rejected.iter().any(|r| r.key == *key),
                "{key} vanished"
            );
        }
        check_batch_integrity(&batch);
    }

    #[test]
    fn arbitrary_documents_never_panic_the_mapper(document in value()) {
        let _ = map_feed(&document);
    }
}

#[test]
fn a_dated_snapshot_is_released_on_the_day_its_name_carries() {
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    assert_eq!(release_date_in("gpt-4o-2024-08-06"), day(2024, 8, 6));
    assert_eq!(release_date_in("claude-haiku-4-5-20251001"), day(2025, 10, 1));
    assert_eq!(release_date_in("gpt-3.5-turbo-instruct-0914"), None, "no year");
    assert_eq!(release_date_in("model-12345678"), None, "not a date");
    assert_eq!(release_date_in("model-19991231"), None, "implausible for a model");
    assert_eq!(release_date_in("deepseek-r1"), None);
}
