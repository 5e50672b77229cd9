use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::domain::country::parse_country;
use crate::domain::publishers::KNOWN_PUBLISHERS;
use crate::domain::regions::find_region;

fn catalog() -> CatalogBatch {
    demo_catalog()
}

fn models_by_slug(batch: &CatalogBatch) -> BTreeMap<&str, &ModelRecord> {
    batch.models.iter().map(|m| (m.slug.as_str(), m)).collect()
}

#[test]
fn the_demo_catalog_has_at_least_1800_listings_and_no_rejections() {
    let batch = catalog();
    assert!(batch.models.len() >= 1_800, "{} listings", batch.models.len());
    assert!(batch.rejected.is_empty());
    let curated = batch
        .models
        .iter()
        .filter(|m| !m.tags.iter().any(|t| t == "synthetic"))
        .count();
    assert!(curated >= 60, "{curated} curated listings");
}

#[test]
fn slugs_are_unique_lower_case_publisher_slash_name_with_a_listed_publisher() {
    let batch = catalog();
    let publishers: BTreeSet<&str> = batch.publishers.iter().map(|p| p.slug.as_str()).collect();
    let mut seen = BTreeSet::new();
    for model in &batch.models {
        assert!(seen.insert(model.slug.as_str()), "duplicate slug {}", model.slug);
        assert_eq!(model.slug, model.slug.to_lowercase(), "{}", model.slug);
        assert!(!model.slug.contains(char::is_whitespace), "{}", model.slug);
        let (publisher, name) = model.slug.split_once('/').expect("publisher/name");
        assert!(!name.is_empty() && !name.contains('/'), "{}", model.slug);
        assert_eq!(publisher, model.publisher_slug, "{}", model.slug);
        assert!(publishers.contains(publisher), "{} has no publisher record", model.slug);
    }
}

/// `^[a-z0-9][a-z0-9._-]*$`, the slug part pattern of the `models` table.
fn slug_part(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

#[test]
fn every_listing_fits_the_database_constraints() {
    let batch = catalog();
    for model in &batch.models {
        let (publisher, name) = model.slug.split_once('/').expect("publisher/name");
        assert!(
            slug_part(publisher) && slug_part(name) && model.slug.len() <= 200,
            "{}",
            model.slug
        );
        assert!((1..=200).contains(&model.name.len()), "{}", model.slug);
        assert!(model.family.as_ref().is_none_or(|f| f.len() <= 100));
        assert!(model.version.as_ref().is_none_or(|v| v.len() <= 100));
        assert!(model.description.len() <= 10_000);
        let license = &model.license;
        assert!(
            license.len() <= 64
                && license.starts_with(|c: char| c.is_ascii_alphanumeric())
                && license
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')),
            "{license}"
        );
        assert!(!model.input_modalities.is_empty() && !model.output_modalities.is_empty());
        assert!(model.context_window.is_none_or(|c| c > 0), "{}", model.slug);
        assert!(model.max_output_tokens.is_none_or(|m| m > 0), "{}", model.slug);
        assert!(model.tags.len() <= 32, "{}", model.slug);
        assert!(model.provenance.release_date.is_some(), "{}", model.slug);
    }
    for publisher in &batch.publishers {
        assert!(slug_part(&publisher.slug) && publisher.slug.len() <= 80);
        assert!((1..=200).contains(&publisher.name.len()));
    }
    for offer in &batch.offers {
        assert!(offer.source_key.as_ref().is_some_and(|k| k.len() <= 500));
    }
}

#[test]
fn every_publisher_appears_once_and_known_ones_keep_their_reference_facts() {
    let batch = catalog();
    let mut seen = BTreeSet::new();
    for publisher in &batch.publishers {
        assert!(
            seen.insert(publisher.slug.as_str()),
            "duplicate publisher {}",
            publisher.slug
        );
        assert!(publisher
            .slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        match KNOWN_PUBLISHERS.iter().find(|k| k.slug == publisher.slug) {
            Some(known) => {
                assert_eq!(publisher.name, known.name);
                assert_eq!(publisher.country.as_deref(), Some(known.country));
            }
            None => {
                let website = publisher.website.as_deref().unwrap_or_default();
                assert!(
                    website.ends_with(".example"),
                    "{} is neither known nor a demo partner",
                    publisher.slug
                );
            }
        }
    }
    let used: BTreeSet<&str> = batch.models.iter().map(|m| m.publisher_slug.as_str()).collect();
    assert_eq!(used, seen, "every listed publisher has listings");
}

#[test]
fn real_listings_take_their_origin_from_the_publisher_country() {
    let batch = catalog();
    for model in &batch.models {
        if let Some(known) = KNOWN_PUBLISHERS.iter().find(|k| k.slug == model.publisher_slug) {
            assert_eq!(
                model.provenance.origin_country.as_deref(),
                Some(known.country),
                "{}",
                model.slug
            );
        }
    }
}

#[test]
fn every_offer_names_an_existing_model_and_a_known_region_with_a_matching_scope() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for offer in &batch.offers {
        assert!(
            models.contains_key(offer.model_slug.as_str()),
            "offer for unknown {}",
            offer.model_slug
        );
        assert!(find_region(&offer.region).is_some(), "unknown region {}", offer.region);
        assert_eq!(offer.processing_scope, scope_of(&offer.region), "{}", offer.region);
        assert!(!offer.operator_name.is_empty());
        assert!(
            !offer.prices.is_empty(),
            "{} in {} has no price",
            offer.model_slug,
            offer.region
        );
    }
}

#[test]
fn every_listing_has_one_to_six_offers_without_duplicate_region_and_deployment() {
    let batch = catalog();
    let mut per_model: BTreeMap<&str, Vec<(&str, DeploymentType)>> = BTreeMap::new();
    for offer in &batch.offers {
        per_model
            .entry(offer.model_slug.as_str())
            .or_default()
            .push((offer.region.as_str(), offer.deployment_type));
    }
    for model in &batch.models {
        let offers = per_model.get(model.slug.as_str()).cloned().unwrap_or_default();
        assert!(
            (1..=6).contains(&offers.len()),
            "{} has {} offers",
            model.slug,
            offers.len()
        );
        let distinct: BTreeSet<_> = offers.iter().collect();
        assert_eq!(
            distinct.len(),
            offers.len(),
            "{} repeats a region and deployment",
            model.slug
        );
    }
}

#[test]
fn managed_compute_is_offered_only_for_open_weights() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for offer in batch
        .offers
        .iter()
        .filter(|o| o.deployment_type == DeploymentType::ManagedCompute)
    {
        assert!(models[offer.model_slug.as_str()].open_weights, "{}", offer.model_slug);
    }
}

#[test]
fn every_base_model_and_successor_exists() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for model in &batch.models {
        match model.provenance.lineage {
            Lineage::Original => {
                assert!(model.provenance.base_model_slug.is_none(), "{}", model.slug)
            }
            _ => {
                let base = model
                    .provenance
                    .base_model_slug
                    .as_deref()
                    .expect("derived models name a base");
                assert!(models.contains_key(base), "{} derives from missing {base}", model.slug);
                assert_ne!(base, model.slug);
            }
        }
        if let Some(successor) = model.lifecycle.successor_slug.as_deref() {
            assert!(
                models.contains_key(successor),
                "{} succeeded by missing {successor}",
                model.slug
            );
            assert_ne!(successor, model.slug);
        }
    }
}

#[test]
fn deprecated_and_retired_listings_have_dates_and_an_existing_successor() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for model in &batch.models {
        let life = &model.lifecycle;
        match life.status {
            LifecycleStatus::Deprecated | LifecycleStatus::Retired => {
                let deprecated = life
                    .deprecation_date
                    .unwrap_or_else(|| panic!("{} lacks a deprecation date", model.slug));
                let successor = life
                    .successor_slug
                    .as_deref()
                    .unwrap_or_else(|| panic!("{} lacks a successor", model.slug));
                assert!(models.contains_key(successor), "{}", model.slug);
                if let Some(retirement) = life.retirement_date {
                    assert!(retirement >= deprecated, "{}", model.slug);
                }
                if life.status == LifecycleStatus::Retired {
                    let retired = life.retirement_date.expect("retired listings have a retirement date");
                    assert!(retired <= as_of(), "{}", model.slug);
                }
            }
            LifecycleStatus::Ga | LifecycleStatus::Preview => {
                assert!(
                    life.deprecation_date.is_none() && life.successor_slug.is_none(),
                    "{}",
                    model.slug
                );
            }
        }
        if let (Some(released), Some(deprecated)) = (model.provenance.release_date, life.deprecation_date) {
            assert!(deprecated >= released, "{} deprecated before release", model.slug);
        }
    }
}

#[test]
fn retired_listings_are_unavailable_everywhere() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for offer in &batch.offers {
        if models[offer.model_slug.as_str()].lifecycle.status == LifecycleStatus::Retired {
            assert_eq!(offer.status, OfferStatus::Unavailable, "{}", offer.model_slug);
        }
    }
}

#[test]
fn deepseek_r1_is_an_mit_open_weights_chinese_model_offered_in_three_jurisdictions_including_china() {
    let batch = catalog();
    let r1 = batch
        .models
        .iter()
        .find(|m| m.slug == "deepseek/deepseek-r1")
        .expect("DeepSeek R1 is listed");
    assert_eq!(r1.publisher_slug, "deepseek");
    assert_eq!(r1.license, "MIT");
    assert!(r1.open_weights);
    assert_eq!(r1.provenance.origin_country.as_deref(), Some("CN"));
    assert_eq!(r1.provenance.lineage, Lineage::Original);
    assert!(r1.capabilities.contains(&Capability::Reasoning));
    let jurisdictions: BTreeSet<&str> = batch
        .offers
        .iter()
        .filter(|o| o.model_slug == r1.slug)
        .filter_map(|o| find_region(&o.region).and_then(|r| r.jurisdiction))
        .collect();
    assert!(jurisdictions.len() >= 3, "{jurisdictions:?}");
    assert!(
        jurisdictions.contains("CN") && jurisdictions.contains("US"),
        "{jurisdictions:?}"
    );
}

#[test]
fn the_r1_llama_distill_derives_from_llama_3_3_70b() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    let distill = models["deepseek/deepseek-r1-distill-llama-70b"];
    assert_eq!(distill.provenance.lineage, Lineage::Distillation);
    assert_eq!(
        distill.provenance.base_model_slug.as_deref(),
        Some("meta/llama-3.3-70b-instruct")
    );
    assert_eq!(distill.license, "llama-3.3-community");
}

#[test]
fn every_price_is_a_positive_usd_amount_with_at_most_six_decimals() {
    let batch = catalog();
    for offer in &batch.offers {
        for price in &offer.prices {
            assert!(price.amount > Decimal::ZERO, "{} {:?}", offer.model_slug, price);
            assert!(price.amount.scale() <= 6, "{} {:?}", offer.model_slug, price);
            assert_eq!(price.currency, "USD");
            if let Some(tier) = price.tier_min_context_tokens {
                assert!(tier > 0);
            }
        }
    }
}

#[test]
fn regional_and_batch_prices_follow_the_list_price() {
    let batch = catalog();
    let input = |region: &str, deployment: DeploymentType| {
        batch
            .offers
            .iter()
            .find(|o| o.model_slug == "deepseek/deepseek-r1" && o.region == region && o.deployment_type == deployment)
            .and_then(|o| o.prices.iter().find(|p| p.dimension == PriceDimension::InputTokens))
            .map(|p| p.amount)
    };
    assert_eq!(input("global", DeploymentType::Serverless), Some(money("0.55")));
    assert_eq!(input("eastus", DeploymentType::Serverless), Some(money("0.605")));
    let long_context = batch
        .offers
        .iter()
        .filter(|o| o.model_slug == "anthropic/claude-sonnet-4-5-20250929")
        .flat_map(|o| o.prices.iter())
        .any(|p| p.tier_min_context_tokens == Some(200_000));
    assert!(long_context, "Claude Sonnet 4.5 has an above-200k tier");
    let batched = batch
        .offers
        .iter()
        .filter(|o| o.deployment_type == DeploymentType::Batch)
        .count();
    assert!(batched > 0);
}

#[test]
fn every_country_is_an_assigned_iso_code() {
    let batch = catalog();
    let check = |country: Option<&str>, what: &str| {
        let country = country.unwrap_or_else(|| panic!("{what} has no country"));
        assert_eq!(parse_country(country), Some(country), "{what}: {country}");
    };
    for publisher in &batch.publishers {
        check(publisher.country.as_deref(), &publisher.slug);
    }
    for model in &batch.models {
        check(model.provenance.origin_country.as_deref(), &model.slug);
    }
    for offer in &batch.offers {
        check(offer.operator_country.as_deref(), &offer.operator_name);
    }
}

#[test]
fn synthetic_listings_are_clearly_marked() {
    let batch = catalog();
    let partners: BTreeSet<&str> = PARTNERS.iter().map(|p| p.slug).collect();
    for model in &batch.models {
        let synthetic = model.tags.iter().any(|t| t == "synthetic");
        assert_eq!(
            synthetic,
            partners.contains(model.publisher_slug.as_str()),
            "{}",
            model.slug
        );
        if synthetic {
            assert!(
                model.description.starts_with("Synthetic demo listing"),
                "{}",
                model.slug
            );
            let card = model.provenance.model_card_url.as_deref().unwrap_or_default();
            assert!(card.contains(".example/"), "{}", model.slug);
        } else {
            assert!(
                model.provenance.weights_digest.is_none(),
                "real listings carry no invented digest"
            );
        }
        assert!(!model.description.is_empty(), "{}", model.slug);
    }
}

#[test]
fn facets_have_a_spread_of_tasks_lifecycles_lineages_and_deployments() {
    let batch = catalog();
    let tasks: BTreeSet<Task> = batch.models.iter().map(|m| m.task).collect();
    assert_eq!(tasks.len(), Task::ALL.len(), "every task has a listing");
    let lifecycles: BTreeSet<LifecycleStatus> = batch.models.iter().map(|m| m.lifecycle.status).collect();
    assert_eq!(lifecycles.len(), LifecycleStatus::ALL.len());
    let lineages: BTreeSet<Lineage> = batch.models.iter().map(|m| m.provenance.lineage).collect();
    assert_eq!(lineages.len(), Lineage::ALL.len());
    // Every managed deployment type; the demo is a marketplace of managed
    // offers and places nothing self-hosted.
    let deployments: BTreeSet<DeploymentType> = batch.offers.iter().map(|o| o.deployment_type).collect();
    let managed: BTreeSet<DeploymentType> = DeploymentType::ALL
        .iter()
        .copied()
        .filter(|d| *d != DeploymentType::SelfHosted)
        .collect();
    assert_eq!(deployments, managed);
    let origins: BTreeSet<&str> = batch
        .models
        .iter()
        .filter_map(|m| m.provenance.origin_country.as_deref())
        .collect();
    assert!(origins.len() >= 10, "{origins:?}");
    let ga = batch
        .models
        .iter()
        .filter(|m| m.lifecycle.status == LifecycleStatus::Ga)
        .count();
    assert!(ga * 2 > batch.models.len(), "most listings are GA");
    let available = batch
        .offers
        .iter()
        .filter(|o| o.status == OfferStatus::Available)
        .count();
    assert!(available * 2 > batch.offers.len(), "most offers are available");
}

#[test]
fn hunyuan_and_its_derivatives_stay_inside_their_licence_territory() {
    let batch = catalog();
    let models = models_by_slug(&batch);
    for offer in &batch.offers {
        let model = models[offer.model_slug.as_str()];
        if model.license == "tencent-hunyuan-community" {
            assert!(
                licence_allows(&model.license, &offer.region),
                "{} in {}",
                model.slug,
                offer.region
            );
            let origin = model.provenance.origin_country.as_deref().unwrap_or_default();
            assert!(licence_allows_country(&model.license, origin), "{}", model.slug);
        }
    }
    assert!(!licence_allows("tencent-hunyuan-community", "westeurope"));
    assert!(!licence_allows("tencent-hunyuan-community", "datazone-eu"));
    assert!(licence_allows("tencent-hunyuan-community", "japaneast"));
}

#[test]
fn the_output_is_identical_across_two_calls() {
    assert_eq!(demo_catalog(), demo_catalog());
}
