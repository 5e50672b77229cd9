//! Prices: the feed's cost fields as effective-dated price components.

use super::*;

/// Feed price fields the catalog imports: (field, dimension, unit, multiplier
/// from the feed's per-unit price to the catalog's unit).
pub(super) const PRICE_FIELDS: &[(&str, PriceDimension, PriceUnit, u32)] = &[
    (
        "input_cost_per_token",
        PriceDimension::InputTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "output_cost_per_token",
        PriceDimension::OutputTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "cache_read_input_token_cost",
        PriceDimension::CachedInputTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "cache_creation_input_token_cost",
        PriceDimension::CacheWriteTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "output_cost_per_reasoning_token",
        PriceDimension::ReasoningTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "input_cost_per_audio_token",
        PriceDimension::InputAudioTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    (
        "output_cost_per_audio_token",
        PriceDimension::OutputAudioTokens,
        PriceUnit::PerMillionTokens,
        1_000_000,
    ),
    ("output_cost_per_image", PriceDimension::Image, PriceUnit::PerImage, 1),
    (
        "input_cost_per_second",
        PriceDimension::InputSecond,
        PriceUnit::PerSecond,
        1,
    ),
    (
        "output_cost_per_second",
        PriceDimension::OutputSecond,
        PriceUnit::PerSecond,
        1,
    ),
    (
        "input_cost_per_character",
        PriceDimension::Character,
        PriceUnit::PerThousandCharacters,
        1_000,
    ),
    (
        "ocr_cost_per_page",
        PriceDimension::Page,
        PriceUnit::PerThousandPages,
        1_000,
    ),
    (
        "input_cost_per_query",
        PriceDimension::Query,
        PriceUnit::PerThousandQueries,
        1_000,
    ),
];

/// Exact decimal of a JSON number, read from its text (`3e-6`), never via
/// floating-point arithmetic.
pub(super) fn decimal_of(number: &Number) -> Option<Decimal> {
    let text = number.to_string();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text).ok()
    } else {
        Decimal::from_str_exact(&text).ok()
    }
}

pub(super) fn amount(field: &str, value: &Value, multiplier: u32) -> Result<Option<Decimal>, String> {
    let Value::Number(number) = value else {
        return Ok(None);
    };
    let exact = decimal_of(number)
        .ok_or_else(|| format!("field '{field}' has an amount that cannot be held exactly ({number})"))?;
    let scaled = exact
        .checked_mul(Decimal::from(multiplier))
        .ok_or_else(|| format!("field '{field}' has an implausibly large amount ({number})"))?;
    Ok(Some(scaled.normalize()))
}

/// Splits `input_cost_per_token_above_200k_tokens` into its base field and
/// context tier (200,000 tokens); fields without a tier have `None`.
pub(super) fn split_tier(field: &str) -> Option<(&str, Option<i32>)> {
    match field.split_once("_above_") {
        None => Some((field, None)),
        Some((base, tail)) => {
            let thousands = tail.strip_suffix("k_tokens").filter(|n| all_digits(n))?;
            let thousands: i32 = thousands.parse().ok()?;
            Some((base, Some(thousands.checked_mul(1000)?)))
        }
    }
}

/// Serverless (or provisioned) prices and, when the entry has batch prices,
/// the batch offer's prices.
pub(super) fn prices(
    object: &Map<String, Value>,
    task: Task,
    deployment: DeploymentType,
) -> Result<(Vec<PriceRecord>, Option<Vec<PriceRecord>>), String> {
    let mut standard: BTreeMap<(PriceDimension, Option<i32>), PriceRecord> = BTreeMap::new();
    let mut batch: BTreeMap<(PriceDimension, Option<i32>), PriceRecord> = BTreeMap::new();

    for (field, value) in object {
        // `_batches` fields price the batch API; other qualifiers (priority,
        // flex, 1-hour cache writes) are service tiers the catalog does not
        // model, so they are left out rather than mixed into the base price.
        let (stem, into_batch) = match field.strip_suffix("_batches") {
            Some(stem) => (stem, true),
            None => (field.as_str(), false),
        };
        let Some((base, tier)) = split_tier(stem) else {
            continue;
        };
        let Some((_, dimension, unit, multiplier)) = PRICE_FIELDS.iter().find(|(f, ..)| *f == base) else {
            continue;
        };
        let Some(amount) = amount(field, value, *multiplier)? else {
            continue;
        };
        // The feed writes 0 where it knows no price (unpriced models, local
        // runtimes) and has no way to say "free": a 0 is unknown, and an
        // unknown price is left out rather than quoted as free.
        if amount.is_zero() {
            continue;
        }
        let record = PriceRecord {
            dimension: *dimension,
            unit: *unit,
            amount,
            currency: "USD".to_string(),
            tier_min_context_tokens: tier,
        };
        let target = if into_batch { &mut batch } else { &mut standard };
        target.insert((*dimension, tier), record);
    }

    // For image generation the feed's `input_cost_per_image` is the price of
    // each generated image (LiteLLM bills it per image returned); for chat
    // models it is an input surcharge with no catalog dimension.
    if matches!(task, Task::ImageGeneration | Task::ImageEdit) && !standard.contains_key(&(PriceDimension::Image, None))
    {
        if let Some(value) = object.get("input_cost_per_image") {
            if let Some(amount) = amount("input_cost_per_image", value, 1)? {
                standard.insert(
                    (PriceDimension::Image, None),
                    PriceRecord {
                        dimension: PriceDimension::Image,
                        unit: PriceUnit::PerImage,
                        amount,
                        currency: "USD".to_string(),
                        tier_min_context_tokens: None,
                    },
                );
            }
        }
    }

    // Bedrock provisioned throughput is billed per model-unit second; the
    // catalog quotes capacity per hour (x3600, exact).
    if deployment == DeploymentType::Provisioned {
        let per_second = ["input_cost_per_second", "cost_per_second"]
            .iter()
            .find_map(|f| object.get(*f).map(|v| (*f, v)));
        standard.clear();
        if let Some((field, value)) = per_second {
            if let Some(amount) = amount(field, value, 3600)? {
                standard.insert(
                    (PriceDimension::Hour, None),
                    PriceRecord {
                        dimension: PriceDimension::Hour,
                        unit: PriceUnit::PerHour,
                        amount,
                        currency: "USD".to_string(),
                        tier_min_context_tokens: None,
                    },
                );
            }
        }
        return Ok((standard.into_values().collect(), None));
    }

    // A batch offer exists only when the feed prices batch input tokens:
    // stray batch fields for cached reads alone do not make an offer.
    let batch = batch
        .contains_key(&(PriceDimension::InputTokens, None))
        .then(|| batch.into_values().collect());
    Ok((standard.into_values().collect(), batch))
}

/// A model name that some entry files under an explicit organisation
/// (`baseten/thinkingmachines/inkling`) tells who made it where another host
/// lists it bare (`fireworks_ai/.../inkling`): entries that only had their
/// host as publisher adopt that organisation when it is unambiguous.
pub(super) fn adopt_publishers(parsed: &mut [Entry]) {
    let mut by_name: BTreeMap<String, BTreeMap<String, PublisherInfo>> = BTreeMap::new();
    for entry in parsed.iter().filter(|e| e.publisher_source == PublisherSource::Org) {
        merge_publisher(by_name.entry(entry.name_slug.clone()).or_default(), &entry.publisher);
    }
    for entry in parsed
        .iter_mut()
        .filter(|e| e.publisher_source == PublisherSource::Host)
    {
        let Some(makers) = by_name.get(&entry.name_slug) else {
            continue;
        };
        if makers.len() == 1 {
            if let Some(maker) = makers.values().next() {
                entry.publisher = maker.clone();
                entry.model_slug = model_slug_for(maker, &entry.name_slug, entry.fine_tune);
            }
        }
    }
}

/// Keeps, per publisher slug, the best-documented spelling (deterministic
/// whatever the order entries arrive in).
pub(super) fn merge_publisher(map: &mut BTreeMap<String, PublisherInfo>, info: &PublisherInfo) {
    match map.get(&info.slug) {
        Some(existing) if !better_publisher_name(info, existing) => {}
        _ => {
            map.insert(info.slug.clone(), info.clone());
        }
    }
}
