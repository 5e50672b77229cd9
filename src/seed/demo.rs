//! The project's own demo catalog, written here as pure data.
//!
//! It has two parts:
//!
//! * **Curated listings** (`curated()`): real flagship models with public facts —
//!   publisher, release date, licence, open weights, context sizes, lineage and base
//!   model. Prices are *demo list prices* in USD (per 1M tokens, or per image, second,
//!   1K characters, 1K queries or 1K pages) close to what the first-party API listed
//!   around release; for open-weights models without a first-party API they are a
//!   plausible serverless price on this platform. They are demo data, not a quote.
//!   Lifecycle dates marked `announced` are the publisher's announced dates; all other
//!   deprecations are this demo catalog's own lifecycle decisions (a marketplace may
//!   deprecate a listing before its publisher does), always with a successor listing.
//! * **Synthetic expansion** (`synthesise()`): fictional demo partner publishers with
//!   `.example` websites publish fine-tunes, quantizations, distillations and merges of
//!   the real open-weights listings, plus their own dated model families. Every
//!   synthetic listing is tagged `synthetic` and says "Synthetic demo listing" in its
//!   description; none of them exists.
//!
//! Offers are generated from each listing by a fixed-seed splitmix64 generator keyed by
//! the slug, so the catalog is identical on every call.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use crate::domain::batch::{
    CatalogBatch, LifecycleRecord, ModelRecord, OfferRecord, PriceRecord, ProvenanceRecord, PublisherRecord,
};
use crate::domain::publishers::find_publisher;
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

/// The demo catalog: curated flagship models expanded across versions and regions.
pub fn demo_catalog() -> CatalogBatch {
    let mut listings = curated();
    let mut taken: BTreeSet<String> = listings.iter().map(|l| l.model.slug.clone()).collect();
    let synthetic = synthesise(&listings, &mut taken);
    listings.extend(synthetic);

    let mut batch = CatalogBatch::default();
    let mut publishers_seen = BTreeSet::new();
    for listing in &mut listings {
        finish_tags(&mut listing.model);
        let publisher = listing.model.publisher_slug.clone();
        if publishers_seen.insert(publisher.clone()) {
            batch.publishers.push(publisher_record(&publisher));
        }
    }
    for listing in &listings {
        batch.offers.extend(offers_for(listing));
    }
    batch.models = listings.into_iter().map(|l| l.model).collect();
    batch
}

/// The day the demo catalog describes the market as of: lifecycle states and
/// synthetic release dates are consistent with it.
const AS_OF: (i32, u32, u32) = (2025, 12, 1);

// ---------------------------------------------------------------------------
// Small deterministic helpers
// ---------------------------------------------------------------------------

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| panic!("bad demo date {text}"))
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).expect("valid as-of date")
}

fn plus_days(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days)).expect("demo dates stay in range")
}

fn money(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap_or_else(|_| panic!("bad demo amount {text}"))
}

/// Rounds to at most six decimal places, never to zero, without trailing zeros.
fn round_price(amount: Decimal) -> Decimal {
    let rounded = amount.round_dp(6).normalize();
    if rounded <= Decimal::ZERO {
        Decimal::new(1, 6)
    } else {
        rounded
    }
}

/// FNV-1a, to turn a slug into a seed.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// splitmix64: a tiny fixed-seed generator, so the demo catalog is reproducible.
struct Rng(u64);

impl Rng {
    fn keyed(parts: &[&str]) -> Self {
        Rng(parts
            .iter()
            .fold(0x5eed, |seed, part| seed.rotate_left(17) ^ fnv1a(part)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------
// Listings and their builder
// ---------------------------------------------------------------------------

/// A model listing plus what offers are generated from.
#[derive(Clone)]
struct Listing {
    model: ModelRecord,
    /// The list price components (global, serverless, first-party where there is one).
    prices: Vec<PriceRecord>,
    /// Parameter count in billions (total for mixture-of-experts; 1 for sub-billion
    /// models; 0 when undisclosed). Sizes managed-compute prices.
    params_b: u32,
    /// Region of the publisher's own endpoint, when it runs one.
    own_region: Option<&'static str>,
    /// Fixed offer placements instead of generated ones.
    fixed: Option<&'static [Placement]>,
}

fn default_modalities(task: Task) -> (Vec<Modality>, Vec<Modality>) {
    use Modality::{Audio, Image, Text, Vector, Video};
    match task {
        Task::Chat | Task::Completion | Task::Moderation | Task::Rerank | Task::Search => (vec![Text], vec![Text]),
        Task::Embedding => (vec![Text], vec![Vector]),
        Task::ImageGeneration => (vec![Text], vec![Image]),
        Task::ImageEdit => (vec![Text, Image], vec![Image]),
        Task::VideoGeneration => (vec![Text, Image], vec![Video]),
        Task::AudioTranscription => (vec![Audio], vec![Text]),
        Task::AudioSpeech => (vec![Text], vec![Audio]),
        Task::Realtime => (vec![Text, Audio], vec![Text, Audio]),
        Task::Ocr => (vec![Image], vec![Text]),
    }
}

/// Where each first-party publisher serves its own API in this demo (`None`: it has
/// no first-party API, the model is reached through hosts).
fn first_party_region(publisher: &str) -> Option<&'static str> {
    match publisher {
        "openai" | "anthropic" | "google" | "deepseek" | "xai" | "cohere" | "ai21" | "alibaba" | "zhipu"
        | "moonshot" | "minimax" | "black-forest-labs" | "stability" | "perplexity" | "voyage" | "jina" => {
            Some("global")
        }
        // La Plateforme processes in the EU.
        "mistral" => Some("datazone-eu"),
        // Bedrock is Amazon's first-party API.
        "amazon" => Some("us-east-1"),
        _ => None,
    }
}

/// The publisher's model documentation, used when a listing names no model card.
fn docs_page(publisher: &str, name: &str) -> String {
    match publisher {
        "openai" => format!("https://platform.openai.com/docs/models/{name}"),
        "anthropic" => "https://docs.anthropic.com/en/docs/about-claude/models/overview".into(),
        "google" => "https://ai.google.dev/gemini-api/docs/models".into(),
        "mistral" => "https://docs.mistral.ai/getting-started/models/".into(),
        "xai" => "https://docs.x.ai/docs/models".into(),
        "cohere" => "https://docs.cohere.com/docs/models".into(),
        "amazon" => "https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html".into(),
        "alibaba" => "https://www.alibabacloud.com/help/en/model-studio/models".into(),
        "black-forest-labs" => "https://docs.bfl.ai/".into(),
        "perplexity" => "https://docs.perplexity.ai/models/model-cards".into(),
        "voyage" => "https://docs.voyageai.com/docs/embeddings".into(),
        other => find_publisher(other).map_or_else(String::new, |p| p.website.to_string()),
    }
}

/// Starts a curated listing: `publisher/name` slug, display name, family, release
/// date (`YYYY-MM-DD`). Defaults: proprietary, closed weights, original, GA.
fn model(task: Task, slug: &str, name: &str, family: &str, released: &str) -> Listing {
    let (publisher, _) = slug.split_once('/').expect("slug is publisher/name");
    let (input, output) = default_modalities(task);
    Listing {
        model: ModelRecord {
            slug: slug.to_string(),
            publisher_slug: publisher.to_string(),
            name: name.to_string(),
            family: Some(family.to_string()),
            version: None,
            description: String::new(),
            task,
            input_modalities: input,
            output_modalities: output,
            context_window: None,
            max_output_tokens: None,
            capabilities: Vec::new(),
            license: "proprietary".to_string(),
            open_weights: false,
            provenance: ProvenanceRecord {
                origin_country: find_publisher(publisher).map(|p| p.country.to_string()),
                lineage: Lineage::Original,
                base_model_slug: None,
                model_card_url: None,
                weights_digest: None,
                release_date: Some(date(released)),
            },
            lifecycle: LifecycleRecord {
                status: LifecycleStatus::Ga,
                deprecation_date: None,
                retirement_date: None,
                successor_slug: None,
            },
            tags: Vec::new(),
        },
        prices: Vec::new(),
        params_b: 0,
        own_region: first_party_region(publisher),
        fixed: None,
    }
}

fn chat(slug: &str, name: &str, family: &str, released: &str) -> Listing {
    model(Task::Chat, slug, name, family, released)
}

fn price(dimension: PriceDimension, unit: PriceUnit, amount: Decimal, tier: Option<i32>) -> PriceRecord {
    PriceRecord {
        dimension,
        unit,
        amount,
        currency: "USD".to_string(),
        tier_min_context_tokens: tier,
    }
}

impl Listing {
    fn about(mut self, text: &str) -> Self {
        self.model.description = text.to_string();
        self
    }

    fn ver(mut self, version: &str) -> Self {
        self.model.version = Some(version.to_string());
        self
    }

    fn ctx(mut self, context: i32, max_output: i32) -> Self {
        self.model.context_window = Some(context);
        self.model.max_output_tokens = Some(max_output);
        self
    }

    /// Context window only (embeddings, rerankers, moderation).
    fn window(mut self, context: i32) -> Self {
        self.model.context_window = Some(context);
        self
    }

    fn input(mut self, modalities: &[Modality]) -> Self {
        for modality in modalities {
            if !self.model.input_modalities.contains(modality) {
                self.model.input_modalities.push(*modality);
            }
        }
        self
    }

    fn caps(mut self, capabilities: &[Capability]) -> Self {
        for capability in capabilities {
            if !self.model.capabilities.contains(capability) {
                self.model.capabilities.push(*capability);
            }
        }
        self
    }

    /// Function calling, structured output and system messages.
    fn tools(self) -> Self {
        self.caps(&[
            Capability::FunctionCalling,
            Capability::StructuredOutput,
            Capability::SystemMessages,
        ])
    }

    fn parallel(self) -> Self {
        self.caps(&[Capability::ParallelFunctionCalling])
    }

    fn vision(self) -> Self {
        self.input(&[Modality::Image]).caps(&[Capability::Vision])
    }

    fn reasoning(self) -> Self {
        self.caps(&[Capability::Reasoning])
    }

    fn caching(self) -> Self {
        self.caps(&[Capability::PromptCaching])
    }

    /// Open weights under `license`, with the parameter count in billions.
    fn open(mut self, license: &str, params_b: u32) -> Self {
        self.model.license = license.to_string();
        self.model.open_weights = true;
        self.params_b = params_b;
        self
    }

    fn params(mut self, params_b: u32) -> Self {
        self.params_b = params_b;
        self
    }

    fn from(mut self, lineage: Lineage, base: &str) -> Self {
        self.model.provenance.lineage = lineage;
        self.model.provenance.base_model_slug = Some(base.to_string());
        self
    }

    fn card(mut self, url: &str) -> Self {
        self.model.provenance.model_card_url = Some(url.to_string());
        self
    }

    /// The Hugging Face model page `org/Repo` as the model card.
    fn hf(self, repo: &str) -> Self {
        let url = format!("https://huggingface.co/{repo}");
        self.card(&url)
    }

    fn price(mut self, dimension: PriceDimension, unit: PriceUnit, amount: &str) -> Self {
        self.prices.push(price(dimension, unit, money(amount), None));
        self
    }

    /// USD per 1M input and output tokens.
    fn tok(self, input: &str, output: &str) -> Self {
        self.price(PriceDimension::InputTokens, PriceUnit::PerMillionTokens, input)
            .price(PriceDimension::OutputTokens, PriceUnit::PerMillionTokens, output)
    }

    /// USD per 1M input tokens only (embeddings, moderation).
    fn tok_in(self, input: &str) -> Self {
        self.price(PriceDimension::InputTokens, PriceUnit::PerMillionTokens, input)
    }

    /// USD per 1M cached input tokens (cache read).
    fn cached(self, amount: &str) -> Self {
        self.price(PriceDimension::CachedInputTokens, PriceUnit::PerMillionTokens, amount)
            .caching()
    }

    /// USD per 1M tokens written to the prompt cache.
    fn cache_write(self, amount: &str) -> Self {
        self.price(PriceDimension::CacheWriteTokens, PriceUnit::PerMillionTokens, amount)
    }

    /// Input and output prices that apply above `threshold` tokens of context.
    fn above(mut self, threshold: i32, input: &str, output: &str) -> Self {
        let unit = PriceUnit::PerMillionTokens;
        self.prices
            .push(price(PriceDimension::InputTokens, unit, money(input), Some(threshold)));
        self.prices.push(price(
            PriceDimension::OutputTokens,
            unit,
            money(output),
            Some(threshold),
        ));
        self
    }

    fn per_image(self, amount: &str) -> Self {
        self.price(PriceDimension::Image, PriceUnit::PerImage, amount)
    }

    fn preview(mut self) -> Self {
        self.model.lifecycle.status = LifecycleStatus::Preview;
        self
    }

    fn deprecated(mut self, on: &str, retire: Option<&str>, successor: &str) -> Self {
        self.model.lifecycle = LifecycleRecord {
            status: LifecycleStatus::Deprecated,
            deprecation_date: Some(date(on)),
            retirement_date: retire.map(date),
            successor_slug: Some(successor.to_string()),
        };
        self
    }

    fn retired(mut self, deprecated_on: &str, retired_on: &str, successor: &str) -> Self {
        self.model.lifecycle = LifecycleRecord {
            status: LifecycleStatus::Retired,
            deprecation_date: Some(date(deprecated_on)),
            retirement_date: Some(date(retired_on)),
            successor_slug: Some(successor.to_string()),
        };
        self
    }

    fn tags(mut self, tags: &[&str]) -> Self {
        self.model.tags.extend(tags.iter().map(|t| t.to_string()));
        self
    }

    fn at(mut self, placements: &'static [Placement]) -> Self {
        self.fixed = Some(placements);
        self
    }
}

/// Adds the tags every listing derives from its facts, removes duplicates, and
/// fills a missing model card with the publisher's documentation page.
fn finish_tags(model: &mut ModelRecord) {
    let mut tags = std::mem::take(&mut model.tags);
    if model.open_weights {
        tags.push("open-weights".into());
    }
    if model.capabilities.contains(&Capability::Reasoning) {
        tags.push("reasoning".into());
    }
    if model.capabilities.contains(&Capability::Vision) {
        tags.push("vision".into());
    }
    if model.input_modalities.len() > 1 {
        tags.push("multimodal".into());
    }
    if model.context_window.is_some_and(|c| c >= 200_000) {
        tags.push("long-context".into());
    }
    if model.provenance.lineage != Lineage::Original {
        tags.push(model.provenance.lineage.as_str().to_string());
    }
    let mut seen = BTreeSet::new();
    tags.retain(|tag| seen.insert(tag.clone()));
    model.tags = tags;
    if model.provenance.model_card_url.is_none() {
        let name = model.slug.split_once('/').map_or("", |(_, name)| name).to_string();
        model.provenance.model_card_url = Some(docs_page(&model.publisher_slug, &name));
    }
}

fn publisher_record(slug: &str) -> PublisherRecord {
    if let Some(known) = find_publisher(slug) {
        return PublisherRecord {
            slug: known.slug.to_string(),
            name: known.name.to_string(),
            country: Some(known.country.to_string()),
            website: Some(known.website.to_string()),
        };
    }
    let partner = PARTNERS
        .iter()
        .find(|p| p.slug == slug)
        .expect("every publisher is known or a demo partner");
    PublisherRecord {
        slug: partner.slug.to_string(),
        name: format!("{} (demo)", partner.name),
        country: Some(partner.country.to_string()),
        website: Some(format!("https://{}.example", partner.slug)),
    }
}

// ---------------------------------------------------------------------------
// Curated flagship listings (real models, public facts, demo list prices)
// ---------------------------------------------------------------------------

/// DeepSeek R1 is offered in several jurisdictions (US, Sweden, Germany, Japan,
/// China, and DeepSeek's own global API) so a hold scoped to one has something to act on.
#[rustfmt::skip]
const R1_PLACEMENTS: &[Placement] = &[
    Placement::new("global", DeploymentType::Serverless, Operator::Publisher),
    Placement::new("eastus", DeploymentType::Serverless, Operator::Platform),
    Placement::new("swedencentral", DeploymentType::Serverless, Operator::Platform),
    Placement::new("germanywestcentral", DeploymentType::ManagedCompute, Operator::Partner(ADATUM)),
    Placement::new("japaneast", DeploymentType::Serverless, Operator::Partner(LITWARE)),
    Placement::new("chinanorth3", DeploymentType::Serverless, Operator::Partner(PROSEWARE)),
];

/// The Tencent Hunyuan Community License excludes the EU, the UK and South Korea, so
/// the demo places Hunyuan-Large only outside them.
#[rustfmt::skip]
const HUNYUAN_PLACEMENTS: &[Placement] = &[
    Placement::new("chinaeast2", DeploymentType::Serverless, Operator::Partner(PROSEWARE)),
    Placement::new("eastus2", DeploymentType::ManagedCompute, Operator::Platform),
    Placement::new("japaneast", DeploymentType::Serverless, Operator::Partner(LITWARE)),
    Placement::new("southeastasia", DeploymentType::Serverless, Operator::Platform),
];

#[rustfmt::skip]
fn curated() -> Vec<Listing> {
    use Capability as C;
    use Lineage as L;
    use Modality as M;
    use PriceDimension as D;
    use PriceUnit as U;
    vec![
        // --- DeepSeek (CN). First-party prices: DeepSeek API, cache miss / hit / output.
        chat("deepseek/deepseek-v3", "DeepSeek V3", "deepseek-v3", "2024-12-26")
            .about("671B-parameter mixture-of-experts chat model (37B active per token) trained with multi-token prediction.")
            .open("deepseek-license", 671).hf("deepseek-ai/DeepSeek-V3").ctx(128_000, 8_192).tools()
            .tok("0.27", "1.10").cached("0.07").tags(&["moe"])
            .deprecated("2025-03-24", None, "deepseek/deepseek-v3-0324"),
        chat("deepseek/deepseek-v3-0324", "DeepSeek V3 0324", "deepseek-v3", "2025-03-24").ver("0324")
            .about("March 2025 update of DeepSeek V3 with stronger reasoning and coding; weights re-licensed under MIT.")
            .open("MIT", 671).hf("deepseek-ai/DeepSeek-V3-0324").ctx(128_000, 8_192).tools()
            .tok("0.27", "1.10").cached("0.07").tags(&["moe"])
            .deprecated("2025-08-21", None, "deepseek/deepseek-v3.1"),
        chat("deepseek/deepseek-v3.1", "DeepSeek V3.1", "deepseek-v3", "2025-08-21").ver("3.1")
            .about("Hybrid model that switches between thinking and non-thinking modes, with improved tool use.")
            .open("MIT", 671).hf("deepseek-ai/DeepSeek-V3.1").ctx(128_000, 8_192).tools().reasoning()
            .tok("0.56", "1.68").cached("0.07").tags(&["moe"]),
        chat("deepseek/deepseek-r1", "DeepSeek R1", "deepseek-r1", "2025-01-20")
            .about("Reasoning model trained with large-scale reinforcement learning on top of DeepSeek V3; MIT-licensed weights.")
            .open("MIT", 671).hf("deepseek-ai/DeepSeek-R1").ctx(128_000, 32_768).reasoning()
            .tok("0.55", "2.19").cached("0.14").tags(&["moe", "flagship"]).at(R1_PLACEMENTS),
        chat("deepseek/deepseek-r1-0528", "DeepSeek R1 0528", "deepseek-r1", "2025-05-28").ver("0528")
            .about("May 2025 update of DeepSeek R1 with deeper reasoning, JSON output and function calling.")
            .open("MIT", 671).hf("deepseek-ai/DeepSeek-R1-0528").ctx(128_000, 32_768).reasoning().tools()
            .tok("0.55", "2.19").cached("0.14").tags(&["moe"]),
        chat("deepseek/deepseek-r1-distill-llama-70b", "DeepSeek R1 Distill Llama 70B", "deepseek-r1", "2025-01-20")
            .about("Llama 3.3 70B Instruct fine-tuned on reasoning samples generated by DeepSeek R1.")
            .open("llama-3.3-community", 70).from(L::Distillation, "meta/llama-3.3-70b-instruct")
            .hf("deepseek-ai/DeepSeek-R1-Distill-Llama-70B").ctx(128_000, 32_768).reasoning()
            .tok("0.75", "0.99"),
        chat("deepseek/deepseek-r1-distill-qwen-32b", "DeepSeek R1 Distill Qwen 32B", "deepseek-r1", "2025-01-20")
            .about("Qwen2.5 32B fine-tuned on reasoning samples generated by DeepSeek R1.")
            .open("MIT", 32).from(L::Distillation, "alibaba/qwen2.5-32b")
            .hf("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B").ctx(128_000, 32_768).reasoning()
            .tok("0.30", "0.60"),
        chat("deepseek/deepseek-r1-distill-llama-8b", "DeepSeek R1 Distill Llama 8B", "deepseek-r1", "2025-01-20")
            .about("Llama 3.1 8B fine-tuned on reasoning samples generated by DeepSeek R1.")
            .open("llama-3.1-community", 8).from(L::Distillation, "meta/llama-3.1-8b")
            .hf("deepseek-ai/DeepSeek-R1-Distill-Llama-8B").ctx(128_000, 32_768).reasoning()
            .tok("0.06", "0.12"),

        // --- Meta (US). No first-party API: platform serverless demo prices.
        model(Task::Completion, "meta/llama-3.1-8b", "Llama 3.1 8B", "llama-3.1", "2024-07-23")
            .about("Pretrained (base) 8B Llama 3.1 model for further fine-tuning; 128K context.")
            .open("llama-3.1-community", 8).hf("meta-llama/Llama-3.1-8B").ctx(131_072, 4_096)
            .tok("0.30", "0.61"),
        chat("meta/llama-3.1-8b-instruct", "Llama 3.1 8B Instruct", "llama-3.1", "2024-07-23")
            .about("Instruction-tuned 8B Llama 3.1 with multilingual support and tool use.")
            .open("llama-3.1-community", 8).hf("meta-llama/Llama-3.1-8B-Instruct").ctx(131_072, 8_192).tools()
            .tok("0.30", "0.61"),
        chat("meta/llama-3.1-70b-instruct", "Llama 3.1 70B Instruct", "llama-3.1", "2024-07-23")
            .about("Instruction-tuned 70B Llama 3.1 with multilingual support and tool use.")
            .open("llama-3.1-community", 70).hf("meta-llama/Llama-3.1-70B-Instruct").ctx(131_072, 8_192).tools()
            .tok("2.68", "3.54").deprecated("2025-06-01", Some("2026-06-01"), "meta/llama-3.3-70b-instruct"),
        chat("meta/llama-3.1-405b-instruct", "Llama 3.1 405B Instruct", "llama-3.1", "2024-07-23")
            .about("Meta's largest dense Llama 3.1 model, instruction-tuned, 128K context.")
            .open("llama-3.1-community", 405).hf("meta-llama/Llama-3.1-405B-Instruct").ctx(131_072, 8_192).tools()
            .tok("5.33", "16.00").tags(&["flagship"]),
        chat("meta/llama-3.2-11b-vision-instruct", "Llama 3.2 11B Vision Instruct", "llama-3.2", "2024-09-25")
            .about("Image-and-text-in, text-out Llama 3.2 model for visual question answering and captioning.")
            .open("llama-3.2-community", 11).hf("meta-llama/Llama-3.2-11B-Vision-Instruct").ctx(131_072, 8_192).vision()
            .tok("0.37", "0.37"),
        chat("meta/llama-3.2-90b-vision-instruct", "Llama 3.2 90B Vision Instruct", "llama-3.2", "2024-09-25")
            .about("Larger multimodal Llama 3.2 model for document and chart understanding.")
            .open("llama-3.2-community", 90).hf("meta-llama/Llama-3.2-90B-Vision-Instruct").ctx(131_072, 8_192).vision()
            .tok("2.04", "2.04"),
        chat("meta/llama-3.3-70b-instruct", "Llama 3.3 70B Instruct", "llama-3.3", "2024-12-06")
            .about("Text-only 70B Llama that approaches Llama 3.1 405B quality at a fraction of the cost.")
            .open("llama-3.3-community", 70).hf("meta-llama/Llama-3.3-70B-Instruct").ctx(131_072, 8_192).tools()
            .tok("0.71", "0.71"),
        chat("meta/llama-4-scout-17b-16e-instruct", "Llama 4 Scout 17B 16E Instruct", "llama-4", "2025-04-05")
            .about("Natively multimodal mixture-of-experts model (17B active, 16 experts) with a 10M-token context window.")
            .open("llama-4-community", 109).hf("meta-llama/Llama-4-Scout-17B-16E-Instruct").ctx(10_000_000, 8_192)
            .vision().tools().tok("0.20", "0.78").tags(&["moe"]),
        chat("meta/llama-4-maverick-17b-128e-instruct", "Llama 4 Maverick 17B 128E Instruct", "llama-4", "2025-04-05")
            .about("Natively multimodal mixture-of-experts model (17B active, 128 experts) with a 1M-token context window.")
            .open("llama-4-community", 400).hf("meta-llama/Llama-4-Maverick-17B-128E-Instruct").ctx(1_000_000, 8_192)
            .vision().tools().tok("0.25", "1.00").tags(&["moe", "flagship"]),

        // --- Mistral AI (FR). First-party prices: La Plateforme.
        chat("mistral/mistral-large-2407", "Mistral Large 2 (24.07)", "mistral-large", "2024-07-24").ver("24.07")
            .about("123B dense flagship with 128K context, strong code, math and function calling.")
            .open("mistral-research", 123).hf("mistralai/Mistral-Large-Instruct-2407").ctx(131_072, 8_192).tools()
            .tok("3.00", "9.00").deprecated("2024-11-18", None, "mistral/mistral-large-2411"),
        chat("mistral/mistral-large-2411", "Mistral Large 24.11", "mistral-large", "2024-11-18").ver("24.11")
            .about("Update of Mistral Large 2 with better long-context handling, system prompts and function calling.")
            .open("mistral-research", 123).hf("mistralai/Mistral-Large-Instruct-2411").ctx(131_072, 8_192).tools()
            .tok("2.00", "6.00").tags(&["flagship"]),
        chat("mistral/mistral-small-2501", "Mistral Small 3", "mistral-small", "2025-01-30").ver("25.01")
            .about("24B latency-optimised model released under Apache 2.0.")
            .open("Apache-2.0", 24).hf("mistralai/Mistral-Small-24B-Instruct-2501").ctx(32_768, 8_192).tools()
            .tok("0.10", "0.30").deprecated("2025-03-17", None, "mistral/mistral-small-2503"),
        chat("mistral/mistral-small-2503", "Mistral Small 3.1", "mistral-small", "2025-03-17").ver("25.03")
            .about("Mistral Small 3 with image understanding and a 128K context window, Apache 2.0.")
            .open("Apache-2.0", 24).hf("mistralai/Mistral-Small-3.1-24B-Instruct-2503").ctx(131_072, 8_192).vision().tools()
            .tok("0.10", "0.30"),
        chat("mistral/mixtral-8x7b-instruct-v0.1", "Mixtral 8x7B Instruct v0.1", "mixtral", "2023-12-11").ver("0.1")
            .about("Sparse mixture-of-experts model with 8 experts of 7B (about 47B total, 13B active).")
            .open("Apache-2.0", 47).hf("mistralai/Mixtral-8x7B-Instruct-v0.1").ctx(32_768, 4_096)
            .tok("0.70", "0.70").tags(&["moe"]).deprecated("2024-11-30", Some("2026-03-31"), "mistral/mistral-small-2501"),
        chat("mistral/mixtral-8x22b-instruct-v0.1", "Mixtral 8x22B Instruct v0.1", "mixtral", "2024-04-17").ver("0.1")
            .about("Sparse mixture-of-experts model with 141B total and 39B active parameters, 64K context.")
            .open("Apache-2.0", 141).hf("mistralai/Mixtral-8x22B-Instruct-v0.1").ctx(65_536, 4_096).tools()
            .tok("2.00", "6.00").tags(&["moe"]).deprecated("2024-11-30", Some("2026-03-31"), "mistral/mistral-large-2411"),
        chat("mistral/codestral-2405", "Codestral 22B (24.05)", "codestral", "2024-05-29").ver("24.05")
            .about("22B code model trained on 80+ programming languages, with fill-in-the-middle.")
            .open("mnpl-0.1", 22).hf("mistralai/Codestral-22B-v0.1").ctx(32_768, 4_096)
            .tok("1.00", "3.00").tags(&["code"]).deprecated("2025-01-13", None, "mistral/codestral-2501"),
        chat("mistral/codestral-2501", "Codestral 25.01", "codestral", "2025-01-13").ver("25.01")
            .about("Faster Codestral with a 256K context for code completion and fill-in-the-middle.")
            .ctx(262_144, 8_192).tok("0.30", "0.90").tags(&["code"]),
        chat("mistral/pixtral-12b-2409", "Pixtral 12B", "pixtral", "2024-09-17").ver("24.09")
            .about("12B multimodal model with a new vision encoder, Apache 2.0.")
            .open("Apache-2.0", 12).hf("mistralai/Pixtral-12B-2409").ctx(131_072, 8_192).vision()
            .tok("0.15", "0.15"),
        chat("mistral/pixtral-large-2411", "Pixtral Large", "pixtral", "2024-11-18").ver("24.11")
            .about("124B multimodal model built on Mistral Large 2 for documents, charts and images.")
            .open("mistral-research", 124).hf("mistralai/Pixtral-Large-Instruct-2411").ctx(131_072, 8_192).vision().tools()
            .tok("2.00", "6.00"),
        chat("mistral/ministral-8b-2410", "Ministral 8B", "ministral", "2024-10-16").ver("24.10")
            .about("Edge-oriented 8B model with 128K context and function calling.")
            .open("mistral-research", 8).hf("mistralai/Ministral-8B-Instruct-2410").ctx(131_072, 8_192).tools()
            .tok("0.10", "0.10"),
        chat("mistral/ministral-3b-2410", "Ministral 3B", "ministral", "2024-10-16").ver("24.10")
            .about("Smallest Ministral for on-device and edge use; weights not released.")
            .params(3).ctx(131_072, 8_192).tools().tok("0.04", "0.04"),
        chat("mistral/mistral-nemo-2407", "Mistral NeMo", "mistral-nemo", "2024-07-18").ver("24.07")
            .about("12B model built with NVIDIA, 128K context, multilingual, Apache 2.0.")
            .open("Apache-2.0", 12).hf("mistralai/Mistral-Nemo-Instruct-2407").ctx(131_072, 8_192).tools()
            .tok("0.15", "0.15"),
        chat("mistral/magistral-small-2506", "Magistral Small", "magistral", "2025-06-10").ver("25.06")
            .about("24B reasoning model built on Mistral Small 3.1 with reinforcement learning.")
            .open("Apache-2.0", 24).from(L::FineTune, "mistral/mistral-small-2503")
            .hf("mistralai/Magistral-Small-2506").ctx(40_000, 40_000).reasoning().tok("0.50", "1.50"),
        chat("mistral/magistral-medium-2506", "Magistral Medium", "magistral", "2025-06-10").ver("25.06")
            .about("Mistral's proprietary reasoning model with transparent multilingual chains of thought.")
            .ctx(40_000, 40_000).reasoning().tok("2.00", "5.00"),
        model(Task::Embedding, "mistral/mistral-embed", "Mistral Embed", "mistral-embed", "2023-12-11")
            .about("1024-dimension text embedding model for retrieval.").window(8_192).tok_in("0.10"),
        model(Task::Moderation, "mistral/mistral-moderation-2411", "Mistral Moderation", "mistral-moderation", "2024-11-07")
            .about("Classifier for nine policy categories of harmful text, multilingual.").window(32_768).tok_in("0.10"),
        model(Task::Ocr, "mistral/mistral-ocr-2503", "Mistral OCR", "mistral-ocr", "2025-03-06")
            .about("Document understanding API that extracts text, tables and images from PDFs and images.")
            .caps(&[C::PdfInput]).price(D::Page, U::PerThousandPages, "1.00"),

        // --- Microsoft (US). Phi: platform serverless demo prices.
        chat("microsoft/phi-3-mini-4k-instruct", "Phi-3 mini 4K Instruct", "phi-3", "2024-04-23")
            .about("3.8B small language model trained on heavily filtered and synthetic data, 4K context.")
            .open("MIT", 4).hf("microsoft/Phi-3-mini-4k-instruct").ctx(4_096, 4_096)
            .tok("0.13", "0.52").tags(&["small"]).deprecated("2025-02-01", Some("2025-08-01"), "microsoft/phi-3.5-mini-instruct"),
        chat("microsoft/phi-3-mini-128k-instruct", "Phi-3 mini 128K Instruct", "phi-3", "2024-04-23")
            .about("3.8B Phi-3 mini with a 128K context window.")
            .open("MIT", 4).hf("microsoft/Phi-3-mini-128k-instruct").ctx(131_072, 4_096)
            .tok("0.13", "0.52").tags(&["small"]).deprecated("2025-02-01", Some("2026-02-01"), "microsoft/phi-3.5-mini-instruct"),
        chat("microsoft/phi-3-medium-128k-instruct", "Phi-3 medium 128K Instruct", "phi-3", "2024-05-21")
            .about("14B Phi-3 model with a 128K context window.")
            .open("MIT", 14).hf("microsoft/Phi-3-medium-128k-instruct").ctx(131_072, 4_096)
            .tok("0.17", "0.68").deprecated("2025-02-01", Some("2026-02-01"), "microsoft/phi-4"),
        chat("microsoft/phi-3-vision-128k-instruct", "Phi-3 vision 128K Instruct", "phi-3", "2024-05-21")
            .about("4.2B multimodal Phi-3 for charts, diagrams and OCR-style questions.")
            .open("MIT", 4).hf("microsoft/Phi-3-vision-128k-instruct").ctx(131_072, 4_096).vision()
            .tok("0.13", "0.52").deprecated("2025-02-01", Some("2026-02-01"), "microsoft/phi-3.5-vision-instruct"),
        chat("microsoft/phi-3.5-mini-instruct", "Phi-3.5 mini Instruct", "phi-3.5", "2024-08-20")
            .about("3.8B Phi-3.5 with improved multilingual ability and 128K context.")
            .open("MIT", 4).hf("microsoft/Phi-3.5-mini-instruct").ctx(131_072, 4_096)
            .tok("0.13", "0.52").tags(&["small"]),
        chat("microsoft/phi-3.5-moe-instruct", "Phi-3.5 MoE Instruct", "phi-3.5", "2024-08-20")
            .about("Mixture-of-experts Phi with 16 experts (42B total, 6.6B active), 128K context.")
            .open("MIT", 42).hf("microsoft/Phi-3.5-MoE-instruct").ctx(131_072, 4_096)
            .tok("0.16", "0.64").tags(&["moe"]),
        chat("microsoft/phi-3.5-vision-instruct", "Phi-3.5 vision Instruct", "phi-3.5", "2024-08-20")
            .about("4.2B multimodal Phi-3.5 with multi-frame image understanding.")
            .open("MIT", 4).hf("microsoft/Phi-3.5-vision-instruct").ctx(131_072, 4_096).vision()
            .tok("0.13", "0.52"),
        chat("microsoft/phi-4", "Phi-4", "phi-4", "2024-12-12")
            .about("14B small language model focused on complex reasoning and math, 16K context.")
            .open("MIT", 14).hf("microsoft/phi-4").ctx(16_384, 16_384).tok("0.125", "0.50"),
        chat("microsoft/phi-4-mini-instruct", "Phi-4 mini Instruct", "phi-4", "2025-02-26")
            .about("3.8B Phi-4 mini with function calling and 128K context.")
            .open("MIT", 4).hf("microsoft/Phi-4-mini-instruct").ctx(131_072, 4_096).tools()
            .tok("0.075", "0.30").tags(&["small"]),
        chat("microsoft/phi-4-multimodal-instruct", "Phi-4 multimodal Instruct", "phi-4", "2025-02-26")
            .about("5.6B model taking text, image and audio input in one network.")
            .open("MIT", 6).hf("microsoft/Phi-4-multimodal-instruct").ctx(131_072, 4_096).vision()
            .input(&[M::Audio]).caps(&[C::AudioInput]).tok("0.08", "0.32"),
        chat("microsoft/phi-4-reasoning", "Phi-4 reasoning", "phi-4", "2025-04-30")
            .about("Phi-4 fine-tuned on curated reasoning demonstrations to produce long chains of thought.")
            .open("MIT", 14).from(L::FineTune, "microsoft/phi-4").hf("microsoft/Phi-4-reasoning")
            .ctx(32_768, 32_768).reasoning().tok("0.125", "0.50"),
        chat("microsoft/phi-4-mini-reasoning", "Phi-4 mini reasoning", "phi-4", "2025-04-30")
            .about("Phi-4 mini fine-tuned for step-by-step mathematical reasoning.")
            .open("MIT", 4).from(L::FineTune, "microsoft/phi-4-mini-instruct").hf("microsoft/Phi-4-mini-reasoning")
            .ctx(131_072, 32_768).reasoning().tok("0.08", "0.32"),
        // Month only: released April 2025, day 1 used.
        chat("microsoft/mai-ds-r1", "MAI-DS-R1", "deepseek-r1", "2025-04-01")
            .about("DeepSeek R1 post-trained by Microsoft AI to respond to previously blocked topics and reduce risk.")
            .open("MIT", 671).from(L::FineTune, "deepseek/deepseek-r1").hf("microsoft/MAI-DS-R1")
            .ctx(128_000, 32_768).reasoning().tok("1.35", "5.40").tags(&["moe"]),

        // --- Alibaba Cloud / Qwen (CN). First-party prices: Model Studio (international).
        chat("alibaba/qwen2.5-7b-instruct", "Qwen2.5 7B Instruct", "qwen2.5", "2024-09-19")
            .about("7.6B instruction-tuned Qwen2.5 with 128K context and structured output.")
            .open("Apache-2.0", 8).hf("Qwen/Qwen2.5-7B-Instruct").ctx(131_072, 8_192).tools()
            .tok("0.175", "0.70"),
        model(Task::Completion, "alibaba/qwen2.5-32b", "Qwen2.5 32B", "qwen2.5", "2024-09-19")
            .about("Pretrained (base) 32.5B Qwen2.5 model for further fine-tuning.")
            .open("Apache-2.0", 32).hf("Qwen/Qwen2.5-32B").ctx(131_072, 8_192).tok("0.35", "1.40"),
        chat("alibaba/qwen2.5-32b-instruct", "Qwen2.5 32B Instruct", "qwen2.5", "2024-09-19")
            .about("Instruction-tuned 32.5B Qwen2.5 with 128K context.")
            .open("Apache-2.0", 32).hf("Qwen/Qwen2.5-32B-Instruct").ctx(131_072, 8_192).tools()
            .tok("0.70", "2.80"),
        chat("alibaba/qwen2.5-72b-instruct", "Qwen2.5 72B Instruct", "qwen2.5", "2024-09-19")
            .about("Largest Qwen2.5 open model, under the Qwen licence (not Apache 2.0).")
            .open("qwen", 72).hf("Qwen/Qwen2.5-72B-Instruct").ctx(131_072, 8_192).tools()
            .tok("1.40", "5.60"),
        chat("alibaba/qwen2.5-coder-7b-instruct", "Qwen2.5 Coder 7B Instruct", "qwen2.5-coder", "2024-09-19")
            .about("Code-specialised 7B Qwen2.5 trained on 5.5T tokens of code-heavy data.")
            .open("Apache-2.0", 8).hf("Qwen/Qwen2.5-Coder-7B-Instruct").ctx(131_072, 8_192)
            .tok("0.10", "0.30").tags(&["code"]),
        chat("alibaba/qwen2.5-coder-32b-instruct", "Qwen2.5 Coder 32B Instruct", "qwen2.5-coder", "2024-11-12")
            .about("Code-specialised 32B Qwen2.5 competitive with frontier models on code benchmarks.")
            .open("Apache-2.0", 32).hf("Qwen/Qwen2.5-Coder-32B-Instruct").ctx(131_072, 8_192)
            .tok("0.35", "1.40").tags(&["code"]),
        chat("alibaba/qwen2.5-vl-72b-instruct", "Qwen2.5 VL 72B Instruct", "qwen2.5-vl", "2025-01-28")
            .about("Vision-language Qwen2.5 for documents, charts, long video and visual agents.")
            .open("qwen", 72).hf("Qwen/Qwen2.5-VL-72B-Instruct").ctx(131_072, 8_192).vision()
            .input(&[M::Video]).caps(&[C::VideoInput]).tok("2.20", "6.60"),
        chat("alibaba/qwq-32b-preview", "QwQ 32B Preview", "qwq", "2024-11-28")
            .about("Experimental reasoning model from the Qwen team.")
            .open("Apache-2.0", 32).hf("Qwen/QwQ-32B-Preview").ctx(32_768, 16_384).reasoning()
            .tok("0.20", "0.60").deprecated("2025-03-06", Some("2025-09-06"), "alibaba/qwq-32b"),
        chat("alibaba/qwq-32b", "QwQ 32B", "qwq", "2025-03-06")
            .about("32B reasoning model trained with reinforcement learning, 131K context.")
            .open("Apache-2.0", 32).hf("Qwen/QwQ-32B").ctx(131_072, 32_768).reasoning().tools()
            .tok("0.20", "0.60"),
        chat("alibaba/qwen3-8b", "Qwen3 8B", "qwen3", "2025-04-29")
            .about("Dense 8B Qwen3 with switchable thinking and non-thinking modes.")
            .open("Apache-2.0", 8).hf("Qwen/Qwen3-8B").ctx(131_072, 16_384).reasoning().tools()
            .tok("0.18", "0.70"),
        chat("alibaba/qwen3-30b-a3b", "Qwen3 30B A3B", "qwen3", "2025-04-29")
            .about("Mixture-of-experts Qwen3 with 30B total and 3B active parameters.")
            .open("Apache-2.0", 30).hf("Qwen/Qwen3-30B-A3B").ctx(131_072, 16_384).reasoning().tools()
            .tok("0.20", "0.80").tags(&["moe"]),
        chat("alibaba/qwen3-32b", "Qwen3 32B", "qwen3", "2025-04-29")
            .about("Dense 32B Qwen3 with switchable thinking and non-thinking modes.")
            .open("Apache-2.0", 32).hf("Qwen/Qwen3-32B").ctx(131_072, 16_384).reasoning().tools()
            .tok("0.70", "2.80"),
        chat("alibaba/qwen3-235b-a22b", "Qwen3 235B A22B", "qwen3", "2025-04-29")
            .about("Flagship Qwen3 mixture-of-experts model, 235B total and 22B active parameters.")
            .open("Apache-2.0", 235).hf("Qwen/Qwen3-235B-A22B").ctx(131_072, 16_384).reasoning().tools()
            .tok("0.70", "2.80").tags(&["moe", "flagship"]),
        chat("alibaba/qwen3-coder-480b-a35b-instruct", "Qwen3 Coder 480B A35B Instruct", "qwen3-coder", "2025-07-22")
            .about("Agentic coding mixture-of-experts model, 480B total and 35B active, 256K native context.")
            .open("Apache-2.0", 480).hf("Qwen/Qwen3-Coder-480B-A35B-Instruct").ctx(262_144, 65_536).tools()
            .tok("1.00", "5.00").tags(&["moe", "code"]),
        chat("alibaba/qwen-max-2025-01-25", "Qwen2.5-Max", "qwen-max", "2025-01-28").ver("2025-01-25")
            .about("Alibaba's large proprietary mixture-of-experts model, served through Model Studio.")
            .ctx(32_768, 8_192).tools().tok("1.60", "6.40").tags(&["moe"]),
        model(Task::Embedding, "alibaba/qwen3-embedding-8b", "Qwen3 Embedding 8B", "qwen3-embedding", "2025-06-05")
            .about("Multilingual text embedding model built on Qwen3, up to 4096 dimensions.")
            .open("Apache-2.0", 8).hf("Qwen/Qwen3-Embedding-8B").window(32_768).tok_in("0.07"),

        // --- OpenAI (US). First-party prices: OpenAI API.
        chat("openai/gpt-3.5-turbo-0125", "GPT-3.5 Turbo (0125)", "gpt-3.5-turbo", "2024-01-25").ver("0125")
            .about("Fast, inexpensive GPT-3.5 chat model with 16K context.")
            .ctx(16_385, 4_096).tools().tok("0.50", "1.50")
            .deprecated("2024-07-18", Some("2026-01-31"), "openai/gpt-4o-mini"),
        chat("openai/gpt-4-turbo-2024-04-09", "GPT-4 Turbo (2024-04-09)", "gpt-4-turbo", "2024-04-09").ver("2024-04-09")
            .about("GPT-4 Turbo with vision, 128K context.")
            .ctx(128_000, 4_096).vision().tools().parallel().tok("10.00", "30.00")
            .deprecated("2024-11-20", Some("2026-04-30"), "openai/gpt-4o"),
        chat("openai/gpt-4o-2024-05-13", "GPT-4o (2024-05-13)", "gpt-4o", "2024-05-13").ver("2024-05-13")
            .about("First GPT-4o snapshot: natively multimodal, faster and cheaper than GPT-4 Turbo.")
            .ctx(128_000, 4_096).vision().tools().parallel().tok("5.00", "15.00")
            .deprecated("2024-11-20", Some("2026-03-31"), "openai/gpt-4o"),
        chat("openai/gpt-4o-2024-08-06", "GPT-4o (2024-08-06)", "gpt-4o", "2024-08-06").ver("2024-08-06")
            .about("GPT-4o snapshot introducing structured outputs and 16K output tokens.")
            .ctx(128_000, 16_384).vision().tools().parallel().tok("2.50", "10.00").cached("1.25")
            .deprecated("2025-06-01", Some("2026-06-01"), "openai/gpt-4o"),
        chat("openai/gpt-4o", "GPT-4o", "gpt-4o", "2024-11-20").ver("2024-11-20")
            .about("OpenAI's multimodal flagship of 2024 (snapshot 2024-11-20) with improved creative writing.")
            .ctx(128_000, 16_384).vision().tools().parallel().tok("2.50", "10.00").cached("1.25").tags(&["flagship"]),
        chat("openai/gpt-4o-mini", "GPT-4o mini", "gpt-4o", "2024-07-18").ver("2024-07-18")
            .about("Small, inexpensive GPT-4o model for high-volume tasks.")
            .ctx(128_000, 16_384).vision().tools().parallel().tok("0.15", "0.60").cached("0.075"),
        chat("openai/gpt-4.1", "GPT-4.1", "gpt-4.1", "2025-04-14").ver("2025-04-14")
            .about("GPT-4.1 with a 1M-token context window and stronger instruction following and coding.")
            .ctx(1_047_576, 32_768).vision().tools().parallel().tok("2.00", "8.00").cached("0.50"),
        chat("openai/gpt-4.1-mini", "GPT-4.1 mini", "gpt-4.1", "2025-04-14").ver("2025-04-14")
            .about("Smaller GPT-4.1 with the same 1M-token context window.")
            .ctx(1_047_576, 32_768).vision().tools().parallel().tok("0.40", "1.60").cached("0.10"),
        chat("openai/gpt-4.1-nano", "GPT-4.1 nano", "gpt-4.1", "2025-04-14").ver("2025-04-14")
            .about("Fastest and cheapest GPT-4.1 model for classification and autocompletion.")
            .ctx(1_047_576, 32_768).vision().tools().tok("0.10", "0.40").cached("0.025"),
        // announced: deprecated 2025-04-14, removed from the API 2025-07-14.
        chat("openai/gpt-4.5-preview", "GPT-4.5 Preview", "gpt-4.5", "2025-02-27").ver("2025-02-27")
            .about("Research preview of OpenAI's largest GPT model of early 2025.")
            .ctx(128_000, 16_384).vision().tools().tok("75.00", "150.00").cached("37.50")
            .retired("2025-04-14", "2025-07-14", "openai/gpt-4.1"),
        chat("openai/o1-preview", "o1-preview", "o1", "2024-09-12").ver("2024-09-12")
            .about("Preview of OpenAI's first reasoning model series.")
            .ctx(128_000, 32_768).reasoning().tok("15.00", "60.00").cached("7.50")
            .retired("2025-04-28", "2025-07-28", "openai/o3"),
        chat("openai/o1-mini", "o1-mini", "o1", "2024-09-12").ver("2024-09-12")
            .about("Smaller, faster o1 reasoning model for code and math.")
            .ctx(128_000, 65_536).reasoning().tok("3.00", "12.00").cached("1.50")
            .deprecated("2025-04-28", Some("2026-04-28"), "openai/o4-mini"),
        chat("openai/o1", "o1", "o1", "2024-12-17").ver("2024-12-17")
            .about("Reasoning model that thinks before answering; vision, tools and structured outputs.")
            .ctx(200_000, 100_000).reasoning().vision().tools().tok("15.00", "60.00").cached("7.50"),
        chat("openai/o3-mini", "o3-mini", "o3", "2025-01-31").ver("2025-01-31")
            .about("Small reasoning model with adjustable reasoning effort, strong at STEM.")
            .ctx(200_000, 100_000).reasoning().tools().tok("1.10", "4.40").cached("0.55"),
        chat("openai/o3", "o3", "o3", "2025-04-16").ver("2025-04-16")
            .about("OpenAI's reasoning model of spring 2025 with agentic tool use and image reasoning.")
            .ctx(200_000, 100_000).reasoning().vision().tools().tok("10.00", "40.00").cached("2.50"),
        chat("openai/o4-mini", "o4-mini", "o4", "2025-04-16").ver("2025-04-16")
            .about("Small, cost-efficient reasoning model with vision and tool use.")
            .ctx(200_000, 100_000).reasoning().vision().tools().tok("1.10", "4.40").cached("0.275"),
        chat("openai/gpt-5", "GPT-5", "gpt-5", "2025-08-07").ver("2025-08-07")
            .about("OpenAI's unified reasoning flagship for coding and agentic tasks.")
            .ctx(400_000, 128_000).reasoning().vision().tools().parallel().tok("1.25", "10.00").cached("0.125")
            .tags(&["flagship"]),
        chat("openai/gpt-5-mini", "GPT-5 mini", "gpt-5", "2025-08-07").ver("2025-08-07")
            .about("Faster, cheaper GPT-5 for well-defined tasks.")
            .ctx(400_000, 128_000).reasoning().vision().tools().tok("0.25", "2.00").cached("0.025"),
        chat("openai/gpt-5-nano", "GPT-5 nano", "gpt-5", "2025-08-07").ver("2025-08-07")
            .about("Smallest GPT-5 for summarisation and classification.")
            .ctx(400_000, 128_000).reasoning().vision().tools().tok("0.05", "0.40").cached("0.005"),
        chat("openai/gpt-oss-120b", "gpt-oss-120b", "gpt-oss", "2025-08-05")
            .about("Open-weight mixture-of-experts reasoning model (117B total, 5.1B active) under Apache 2.0.")
            .open("Apache-2.0", 117).hf("openai/gpt-oss-120b").ctx(131_072, 32_768).reasoning().tools()
            .tok("0.15", "0.60").tags(&["moe"]),
        chat("openai/gpt-oss-20b", "gpt-oss-20b", "gpt-oss", "2025-08-05")
            .about("Open-weight mixture-of-experts reasoning model (21B total, 3.6B active) for local use.")
            .open("Apache-2.0", 21).hf("openai/gpt-oss-20b").ctx(131_072, 32_768).reasoning().tools()
            .tok("0.07", "0.30").tags(&["moe"]),
        model(Task::Embedding, "openai/text-embedding-ada-002", "text-embedding-ada-002", "text-embedding", "2022-12-15")
            .about("Second-generation OpenAI embedding model, 1536 dimensions.").window(8_191).tok_in("0.10")
            .deprecated("2024-01-25", None, "openai/text-embedding-3-small"),
        model(Task::Embedding, "openai/text-embedding-3-small", "text-embedding-3-small", "text-embedding", "2024-01-25")
            .about("Efficient third-generation embedding model, 1536 dimensions, shortenable.").window(8_191).tok_in("0.02"),
        model(Task::Embedding, "openai/text-embedding-3-large", "text-embedding-3-large", "text-embedding", "2024-01-25")
            .about("Most capable OpenAI embedding model, 3072 dimensions, shortenable.").window(8_191).tok_in("0.13"),
        // $0.006 per minute of audio.
        model(Task::AudioTranscription, "openai/whisper-1", "Whisper (API)", "whisper", "2023-03-01")
            .about("Hosted Whisper large-v2 speech recognition and translation.")
            // Parameter count 0: served only as OpenAI's API here; hosts and partners use large-v3.
            .open("MIT", 0).caps(&[C::AudioInput]).price(D::InputSecond, U::PerSecond, "0.0001"),
        model(Task::AudioTranscription, "openai/whisper-large-v3", "Whisper large-v3", "whisper", "2023-11-06")
            .about("1.55B-parameter open speech recognition model with improved multilingual accuracy.")
            .open("MIT", 2).hf("openai/whisper-large-v3").caps(&[C::AudioInput]).price(D::InputSecond, U::PerSecond, "0.0001"),
        // $15 / $30 per 1M characters.
        model(Task::AudioSpeech, "openai/tts-1", "TTS-1", "tts", "2023-11-06")
            .about("Text-to-speech model optimised for low latency, six preset voices.")
            .caps(&[C::AudioOutput]).price(D::Character, U::PerThousandCharacters, "0.015"),
        model(Task::AudioSpeech, "openai/tts-1-hd", "TTS-1 HD", "tts", "2023-11-06")
            .about("Text-to-speech model optimised for quality.")
            .caps(&[C::AudioOutput]).price(D::Character, U::PerThousandCharacters, "0.030"),
        model(Task::ImageGeneration, "openai/dall-e-3", "DALL-E 3", "dall-e", "2023-11-06")
            .about("Text-to-image model with strong prompt adherence; price is per standard 1024x1024 image.")
            .per_image("0.04"),
        model(Task::ImageGeneration, "openai/gpt-image-1", "GPT Image 1", "gpt-image", "2025-04-23")
            .about("Natively multimodal image generation and editing model; priced per text and image token.")
            .input(&[M::Image]).tok("5.00", "40.00"),
        model(Task::Realtime, "openai/gpt-4o-realtime-preview", "GPT-4o Realtime Preview", "gpt-4o", "2024-10-01").ver("2024-10-01")
            .about("Low-latency speech-to-speech GPT-4o over WebSocket for voice agents.")
            .ctx(128_000, 4_096).tools().caps(&[C::AudioInput, C::AudioOutput]).preview()
            .tok("5.00", "20.00").price(D::InputAudioTokens, U::PerMillionTokens, "100.00")
            .price(D::OutputAudioTokens, U::PerMillionTokens, "200.00"),

        // --- Anthropic (US). First-party prices: Anthropic API (cache write / cache read).
        chat("anthropic/claude-3-haiku-20240307", "Claude 3 Haiku", "claude-3", "2024-03-13").ver("20240307")
            .about("Fastest and most compact Claude 3 model.")
            .ctx(200_000, 4_096).vision().tools().tok("0.25", "1.25").cache_write("0.30").cached("0.03"),
        // announced: deprecated 2025-06-30, retirement 2026-01-05.
        chat("anthropic/claude-3-opus-20240229", "Claude 3 Opus", "claude-3", "2024-03-04").ver("20240229")
            .about("Most capable Claude 3 model for complex analysis.")
            .ctx(200_000, 4_096).vision().tools().tok("15.00", "75.00").cache_write("18.75").cached("1.50")
            .deprecated("2025-06-30", Some("2026-01-05"), "anthropic/claude-opus-4-1-20250805"),
        // announced: deprecated 2025-08-13, retired 2025-10-22.
        chat("anthropic/claude-3-5-sonnet-20240620", "Claude 3.5 Sonnet", "claude-3.5", "2024-06-20").ver("20240620")
            .about("First Claude 3.5 model: Opus-level intelligence at Sonnet speed and price.")
            .ctx(200_000, 8_192).vision().tools().caps(&[C::PdfInput]).tok("3.00", "15.00").cache_write("3.75").cached("0.30")
            .retired("2025-08-13", "2025-10-22", "anthropic/claude-sonnet-4-5-20250929"),
        chat("anthropic/claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet (new)", "claude-3.5", "2024-10-22").ver("20241022")
            .about("Upgraded Claude 3.5 Sonnet that introduced computer use in beta.")
            .ctx(200_000, 8_192).vision().tools().caps(&[C::PdfInput, C::ComputerUse]).tok("3.00", "15.00").cache_write("3.75").cached("0.30")
            .retired("2025-08-13", "2025-10-22", "anthropic/claude-sonnet-4-5-20250929"),
        chat("anthropic/claude-3-5-haiku-20241022", "Claude 3.5 Haiku", "claude-3.5", "2024-11-04").ver("20241022")
            .about("Fast Claude 3.5 model for coding, sub-agents and real-time tasks.")
            .ctx(200_000, 8_192).tools().tok("0.80", "4.00").cache_write("1.00").cached("0.08"),
        chat("anthropic/claude-3-7-sonnet-20250219", "Claude 3.7 Sonnet", "claude-3.7", "2025-02-24").ver("20250219")
            .about("First hybrid reasoning Claude with optional extended thinking.")
            .ctx(200_000, 64_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("3.00", "15.00").cache_write("3.75").cached("0.30"),
        chat("anthropic/claude-sonnet-4-20250514", "Claude Sonnet 4", "claude-4", "2025-05-22").ver("20250514")
            .about("Claude 4 generation Sonnet for coding and agents; 1M-token context in beta at long-context prices.")
            .ctx(200_000, 64_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("3.00", "15.00").cache_write("3.75").cached("0.30").above(200_000, "6.00", "22.50"),
        chat("anthropic/claude-opus-4-20250514", "Claude Opus 4", "claude-4", "2025-05-22").ver("20250514")
            .about("Claude 4 generation Opus for long-running agentic coding.")
            .ctx(200_000, 32_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("15.00", "75.00").cache_write("18.75").cached("1.50")
            .deprecated("2025-08-05", None, "anthropic/claude-opus-4-1-20250805"),
        chat("anthropic/claude-opus-4-1-20250805", "Claude Opus 4.1", "claude-4", "2025-08-05").ver("20250805")
            .about("Opus 4 upgrade with better agentic tasks, real-world coding and reasoning.")
            .ctx(200_000, 32_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("15.00", "75.00").cache_write("18.75").cached("1.50"),
        chat("anthropic/claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "claude-4.5", "2025-09-29").ver("20250929")
            .about("Sonnet 4.5 for coding, long-running agents and computer use.")
            .ctx(200_000, 64_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("3.00", "15.00").cache_write("3.75").cached("0.30").above(200_000, "6.00", "22.50").tags(&["flagship"]),
        chat("anthropic/claude-haiku-4-5-20251001", "Claude Haiku 4.5", "claude-4.5", "2025-10-15").ver("20251001")
            .about("Small, fast Claude with near-frontier coding ability and extended thinking.")
            .ctx(200_000, 64_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("1.00", "5.00").cache_write("1.25").cached("0.10"),
        chat("anthropic/claude-opus-4-5-20251101", "Claude Opus 4.5", "claude-4.5", "2025-11-24").ver("20251101")
            .about("Opus 4.5 for complex agents and coding at a lower price than earlier Opus models.")
            .ctx(200_000, 64_000).vision().tools().reasoning().caps(&[C::PdfInput, C::ComputerUse])
            .tok("5.00", "25.00").cache_write("6.25").cached("0.50"),

        // --- Google (US). First-party prices: Gemini API (paid tier).
        // announced: no new projects from 2025-04-29, shut down 2025-09-24.
        chat("google/gemini-1.5-pro-002", "Gemini 1.5 Pro (002)", "gemini-1.5", "2024-09-24").ver("002")
            .about("Mid-size multimodal Gemini with a 2M-token context window.")
            .ctx(2_097_152, 8_192).vision().tools().input(&[M::Audio, M::Video]).caps(&[C::AudioInput, C::VideoInput, C::PdfInput])
            .tok("1.25", "5.00").above(128_000, "2.50", "10.00")
            .retired("2025-04-29", "2025-09-24", "google/gemini-2.5-pro"),
        chat("google/gemini-1.5-flash-002", "Gemini 1.5 Flash (002)", "gemini-1.5", "2024-09-24").ver("002")
            .about("Fast multimodal Gemini with a 1M-token context window.")
            .ctx(1_048_576, 8_192).vision().tools().input(&[M::Audio, M::Video]).caps(&[C::AudioInput, C::VideoInput, C::PdfInput])
            .tok("0.075", "0.30").above(128_000, "0.15", "0.60")
            .retired("2025-04-29", "2025-09-24", "google/gemini-2.0-flash-001"),
        chat("google/gemini-2.0-flash-001", "Gemini 2.0 Flash", "gemini-2.0", "2025-02-05").ver("001")
            .about("Gemini 2.0 workhorse model with native tool use and 1M-token context.")
            .ctx(1_048_576, 8_192).vision().tools().input(&[M::Audio, M::Video]).caps(&[C::AudioInput, C::VideoInput, C::PdfInput])
            .tok("0.10", "0.40").cached("0.025"),
        chat("google/gemini-2.0-flash-lite-001", "Gemini 2.0 Flash-Lite", "gemini-2.0", "2025-02-25").ver("001")
            .about("Cost-efficient Gemini 2.0 model for high-volume tasks.")
            .ctx(1_048_576, 8_192).vision().tools().input(&[M::Audio, M::Video]).tok("0.075", "0.30"),
        chat("google/gemini-2.5-pro", "Gemini 2.5 Pro", "gemini-2.5", "2025-06-17")
            .about("Google's thinking model for complex reasoning and coding, 1M-token context.")
            .ctx(1_048_576, 65_536).vision().tools().reasoning().input(&[M::Audio, M::Video])
            .caps(&[C::AudioInput, C::VideoInput, C::PdfInput, C::WebSearch])
            .tok("1.25", "10.00").cached("0.31").above(200_000, "2.50", "15.00").tags(&["flagship"]),
        chat("google/gemini-2.5-flash", "Gemini 2.5 Flash", "gemini-2.5", "2025-06-17")
            .about("Price-performance thinking model with a controllable thinking budget.")
            .ctx(1_048_576, 65_536).vision().tools().reasoning().input(&[M::Audio, M::Video])
            .caps(&[C::AudioInput, C::VideoInput, C::PdfInput, C::WebSearch]).tok("0.30", "2.50").cached("0.075"),
        chat("google/gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", "gemini-2.5", "2025-07-22")
            .about("Fastest, lowest-cost Gemini 2.5 model.")
            .ctx(1_048_576, 65_536).vision().tools().reasoning().input(&[M::Audio, M::Video]).tok("0.10", "0.40").cached("0.025"),
        chat("google/gemini-3-pro-preview", "Gemini 3 Pro Preview", "gemini-3", "2025-11-18")
            .about("Preview of Google's Gemini 3 reasoning model for agentic and multimodal tasks.")
            .ctx(1_048_576, 65_536).vision().tools().reasoning().input(&[M::Audio, M::Video])
            .caps(&[C::AudioInput, C::VideoInput, C::PdfInput, C::WebSearch])
            .tok("2.00", "12.00").above(200_000, "4.00", "18.00").preview(),
        chat("google/gemma-2-9b-it", "Gemma 2 9B IT", "gemma-2", "2024-06-27")
            .about("Instruction-tuned 9B Gemma 2 open model.")
            .open("gemma", 9).hf("google/gemma-2-9b-it").ctx(8_192, 8_192).tok("0.20", "0.20"),
        chat("google/gemma-2-27b-it", "Gemma 2 27B IT", "gemma-2", "2024-06-27")
            .about("Instruction-tuned 27B Gemma 2 open model.")
            .open("gemma", 27).hf("google/gemma-2-27b-it").ctx(8_192, 8_192).tok("0.80", "0.80")
            .deprecated("2025-06-01", Some("2026-06-01"), "google/gemma-3-27b-it"),
        chat("google/gemma-3-4b-it", "Gemma 3 4B IT", "gemma-3", "2025-03-12")
            .about("Small multimodal Gemma 3 with 128K context and 140+ languages.")
            .open("gemma", 4).hf("google/gemma-3-4b-it").ctx(131_072, 8_192).vision().tok("0.04", "0.08"),
        chat("google/gemma-3-27b-it", "Gemma 3 27B IT", "gemma-3", "2025-03-12")
            .about("Largest Gemma 3 open model: multimodal, 128K context, function calling.")
            .open("gemma", 27).hf("google/gemma-3-27b-it").ctx(131_072, 8_192).vision().tools().tok("0.10", "0.20"),
        model(Task::Embedding, "google/gemini-embedding-001", "Gemini Embedding", "gemini-embedding", "2025-07-14")
            .about("Multilingual text embedding model, up to 3072 dimensions.").window(2_048).tok_in("0.15"),
        model(Task::ImageGeneration, "google/imagen-3.0-generate-002", "Imagen 3", "imagen", "2025-02-06").ver("002")
            .about("Google's text-to-image model, priced per generated image.").per_image("0.03"),
        model(Task::VideoGeneration, "google/veo-2.0-generate-001", "Veo 2", "veo", "2025-04-09").ver("001")
            .about("Text- and image-to-video model generating 8-second clips; priced per second of video.")
            .price(D::OutputSecond, U::PerSecond, "0.35"),

        // --- xAI (US). First-party prices: xAI API.
        model(Task::Completion, "xai/grok-1", "Grok-1", "grok-1", "2024-03-17")
            .about("314B-parameter mixture-of-experts base model, open weights under Apache 2.0.")
            .open("Apache-2.0", 314).hf("xai-org/grok-1").ctx(8_192, 8_192).tok("1.00", "3.00").tags(&["moe"]),
        chat("xai/grok-2-1212", "Grok 2 (1212)", "grok-2", "2024-12-12").ver("1212")
            .about("Grok 2 with improved accuracy, instruction following and multilingual ability.")
            .ctx(131_072, 32_768).tools().tok("2.00", "10.00")
            .deprecated("2025-04-09", Some("2026-04-09"), "xai/grok-3"),
        chat("xai/grok-3", "Grok 3", "grok-3", "2025-02-17")
            .about("xAI's flagship of early 2025 for enterprise tasks such as data extraction and coding.")
            .ctx(131_072, 32_768).tools().tok("3.00", "15.00").cached("0.75"),
        chat("xai/grok-3-mini", "Grok 3 Mini", "grok-3", "2025-02-17")
            .about("Lightweight reasoning model that shows its thinking.")
            .ctx(131_072, 32_768).tools().reasoning().tok("0.30", "0.50").cached("0.075"),
        chat("xai/grok-4-0709", "Grok 4", "grok-4", "2025-07-09").ver("0709")
            .about("xAI's reasoning flagship with native tool use and real-time search; 256K context.")
            .ctx(256_000, 32_768).vision().tools().reasoning().caps(&[C::WebSearch])
            .tok("3.00", "15.00").cached("0.75").above(128_000, "6.00", "30.00"),

        // --- Cohere (CA). First-party prices: Cohere API. Command R weights: CC-BY-NC 4.0.
        chat("cohere/command-r-03-2024", "Command R (03-2024)", "command-r", "2024-03-11").ver("03-2024")
            .about("35B retrieval-augmented generation model with citations and tool use.")
            .open("CC-BY-NC-4.0", 35).hf("CohereForAI/c4ai-command-r-v01").ctx(128_000, 4_096).tools()
            .tok("0.50", "1.50").deprecated("2024-08-30", Some("2025-12-31"), "cohere/command-r-08-2024"),
        chat("cohere/command-r-plus-04-2024", "Command R+ (04-2024)", "command-r", "2024-04-04").ver("04-2024")
            .about("104B model for complex retrieval-augmented generation and multi-step tool use.")
            .open("CC-BY-NC-4.0", 104).hf("CohereForAI/c4ai-command-r-plus").ctx(128_000, 4_096).tools()
            .tok("3.00", "15.00").deprecated("2024-08-30", Some("2025-12-31"), "cohere/command-r-plus-08-2024"),
        chat("cohere/command-r-08-2024", "Command R (08-2024)", "command-r", "2024-08-30").ver("08-2024")
            .about("Updated Command R with better math, code and reasoning, at a lower price.")
            .open("CC-BY-NC-4.0", 32).hf("CohereForAI/c4ai-command-r-08-2024").ctx(128_000, 4_096).tools()
            .tok("0.15", "0.60"),
        chat("cohere/command-r-plus-08-2024", "Command R+ (08-2024)", "command-r", "2024-08-30").ver("08-2024")
            .about("Updated Command R+ with higher throughput and lower latency.")
            .open("CC-BY-NC-4.0", 104).hf("CohereForAI/c4ai-command-r-plus-08-2024").ctx(128_000, 4_096).tools()
            .tok("2.50", "10.00"),
        chat("cohere/command-a-03-2025", "Command A", "command-a", "2025-03-13").ver("03-2025")
            .about("111B enterprise model for agents and RAG that runs on two GPUs, 256K context.")
            .open("CC-BY-NC-4.0", 111).hf("CohereLabs/c4ai-command-a-03-2025").ctx(256_000, 8_192).tools()
            .tok("2.50", "10.00").tags(&["flagship"]),
        model(Task::Embedding, "cohere/embed-english-v3.0", "Embed English v3", "embed-v3", "2023-11-02").ver("3.0")
            .about("English text embedding model, 1024 dimensions, with compression-aware training.").window(512).tok_in("0.10"),
        model(Task::Embedding, "cohere/embed-multilingual-v3.0", "Embed Multilingual v3", "embed-v3", "2023-11-02").ver("3.0")
            .about("Text embedding model for 100+ languages, 1024 dimensions.").window(512).tok_in("0.10"),
        model(Task::Embedding, "cohere/embed-v4.0", "Embed v4", "embed-v4", "2025-04-15").ver("4.0")
            .about("Multimodal embedding model for text, images and interleaved documents, 128K context.")
            .input(&[M::Image]).window(128_000).tok_in("0.12"),
        // $2.00 per 1,000 searches.
        model(Task::Rerank, "cohere/rerank-english-v3.0", "Rerank English v3", "rerank-v3", "2024-04-11").ver("3.0")
            .about("Reranker for English search results, semi-structured data and code.").window(4_096)
            .price(D::Query, U::PerThousandQueries, "2.00").deprecated("2024-12-02", Some("2026-03-31"), "cohere/rerank-v3.5"),
        model(Task::Rerank, "cohere/rerank-v3.5", "Rerank v3.5", "rerank-v3", "2024-12-02").ver("3.5")
            .about("Multilingual reranker with stronger reasoning over complex queries.").window(4_096)
            .price(D::Query, U::PerThousandQueries, "2.00"),

        // --- AI21 Labs (IL). First-party prices: AI21 Studio.
        chat("ai21/jamba-1.5-large", "Jamba 1.5 Large", "jamba", "2024-08-22").ver("1.5")
            .about("Hybrid SSM-Transformer mixture-of-experts model (398B total, 94B active) with 256K context.")
            .open("jamba-open-model", 398).hf("ai21labs/AI21-Jamba-1.5-Large").ctx(256_000, 4_096).tools()
            .tok("2.00", "8.00").tags(&["moe"]).deprecated("2025-03-06", Some("2026-03-06"), "ai21/jamba-1.6-large"),
        chat("ai21/jamba-1.5-mini", "Jamba 1.5 Mini", "jamba", "2024-08-22").ver("1.5")
            .about("Hybrid SSM-Transformer model (52B total, 12B active) with 256K context.")
            .open("jamba-open-model", 52).hf("ai21labs/AI21-Jamba-1.5-Mini").ctx(256_000, 4_096).tools()
            .tok("0.20", "0.40").tags(&["moe"]).deprecated("2025-03-06", Some("2026-03-06"), "ai21/jamba-1.6-mini"),
        chat("ai21/jamba-1.6-large", "Jamba 1.6 Large", "jamba", "2025-03-06").ver("1.6")
            .about("Jamba 1.6 Large, tuned for enterprise RAG and long-context question answering.")
            .open("jamba-open-model", 398).hf("ai21labs/AI21-Jamba-Large-1.6").ctx(256_000, 4_096).tools()
            .tok("2.00", "8.00").tags(&["moe"]),
        chat("ai21/jamba-1.6-mini", "Jamba 1.6 Mini", "jamba", "2025-03-06").ver("1.6")
            .about("Jamba 1.6 Mini for efficient long-context workloads.")
            .open("jamba-open-model", 52).hf("ai21labs/AI21-Jamba-Mini-1.6").ctx(256_000, 4_096).tools()
            .tok("0.20", "0.40").tags(&["moe"]),

        // --- Amazon (US). First-party prices: Amazon Bedrock on-demand, us-east-1.
        chat("amazon/titan-text-express-v1", "Titan Text G1 - Express", "titan", "2023-11-29").ver("v1")
            .about("Amazon Titan text model for open-ended generation and chat, 8K context.")
            .ctx(8_192, 8_192).tok("0.20", "0.60").deprecated("2025-04-30", Some("2026-04-30"), "amazon/nova-lite-v1"),
        model(Task::Embedding, "amazon/titan-embed-text-v2", "Titan Text Embeddings V2", "titan", "2024-04-30").ver("v2")
            .about("Text embeddings with selectable 256, 512 or 1024 dimensions.").window(8_192).tok_in("0.02"),
        model(Task::ImageGeneration, "amazon/titan-image-generator-v2", "Titan Image Generator G1 v2", "titan", "2024-08-06").ver("v2")
            .about("Image generation with image conditioning and invisible watermarking.").per_image("0.01"),
        chat("amazon/nova-micro-v1", "Amazon Nova Micro", "nova", "2024-12-03").ver("v1")
            .about("Text-only Nova model with the lowest latency and cost.")
            .ctx(128_000, 5_000).tools().tok("0.035", "0.14"),
        chat("amazon/nova-lite-v1", "Amazon Nova Lite", "nova", "2024-12-03").ver("v1")
            .about("Low-cost multimodal Nova model for image, video and text input.")
            .ctx(300_000, 5_000).vision().tools().input(&[M::Video]).caps(&[C::VideoInput]).tok("0.06", "0.24"),
        chat("amazon/nova-pro-v1", "Amazon Nova Pro", "nova", "2024-12-03").ver("v1")
            .about("Capable multimodal Nova model balancing accuracy, speed and cost.")
            .ctx(300_000, 5_000).vision().tools().input(&[M::Video]).caps(&[C::VideoInput]).tok("0.80", "3.20"),
        chat("amazon/nova-premier-v1", "Amazon Nova Premier", "nova", "2025-04-30").ver("v1")
            .about("Most capable Nova model, also a teacher for distilling custom models; 1M context.")
            .ctx(1_000_000, 32_000).vision().tools().input(&[M::Video]).caps(&[C::VideoInput]).tok("2.50", "12.50"),
        model(Task::ImageGeneration, "amazon/nova-canvas-v1", "Amazon Nova Canvas", "nova", "2024-12-03").ver("v1")
            .about("Image generation and editing with watermarking; price per standard 1024x1024 image.").per_image("0.04"),
        model(Task::VideoGeneration, "amazon/nova-reel-v1", "Amazon Nova Reel", "nova", "2024-12-03").ver("v1")
            .about("Studio-quality 6-second video generation; priced per second of video.")
            .price(D::OutputSecond, U::PerSecond, "0.08"),

        // --- Zhipu AI / Z.ai (CN). First-party prices: Z.ai API.
        chat("zhipu/glm-4-9b-chat", "GLM-4 9B Chat", "glm-4", "2024-06-05")
            .about("Open 9B GLM-4 chat model with 128K context and tool calling.")
            .open("glm-4", 9).hf("THUDM/glm-4-9b-chat").ctx(131_072, 8_192).tools().tok("0.10", "0.10"),
        chat("zhipu/glm-4.5", "GLM-4.5", "glm-4.5", "2025-07-28")
            .about("Agent-oriented mixture-of-experts model (355B total, 32B active) with hybrid reasoning, MIT.")
            .open("MIT", 355).hf("zai-org/GLM-4.5").ctx(131_072, 98_304).tools().reasoning()
            .tok("0.60", "2.20").cached("0.11").tags(&["moe"]),
        chat("zhipu/glm-4.5-air", "GLM-4.5-Air", "glm-4.5", "2025-07-28")
            .about("Compact GLM-4.5 (106B total, 12B active) with hybrid reasoning, MIT.")
            .open("MIT", 106).hf("zai-org/GLM-4.5-Air").ctx(131_072, 98_304).tools().reasoning()
            .tok("0.20", "1.10").cached("0.03").tags(&["moe"]),
        chat("zhipu/glm-4.6", "GLM-4.6", "glm-4.6", "2025-09-30")
            .about("GLM-4.5 successor with a 200K context window and stronger coding.")
            .open("MIT", 355).hf("zai-org/GLM-4.6").ctx(200_000, 128_000).tools().reasoning()
            .tok("0.60", "2.20").cached("0.11").tags(&["moe"]),

        // --- Moonshot AI (CN). First-party prices: Moonshot platform.
        chat("moonshot/kimi-k2-instruct", "Kimi K2 Instruct", "kimi-k2", "2025-07-11")
            .about("1T-parameter mixture-of-experts model (32B active) tuned for agentic tool use.")
            .open("modified-mit", 1000).hf("moonshotai/Kimi-K2-Instruct").ctx(131_072, 16_384).tools()
            .tok("0.60", "2.50").cached("0.15").tags(&["moe"])
            .deprecated("2025-09-05", None, "moonshot/kimi-k2-instruct-0905"),
        chat("moonshot/kimi-k2-instruct-0905", "Kimi K2 Instruct 0905", "kimi-k2", "2025-09-05").ver("0905")
            .about("Kimi K2 update with 256K context and better agentic coding.")
            .open("modified-mit", 1000).hf("moonshotai/Kimi-K2-Instruct-0905").ctx(262_144, 16_384).tools()
            .tok("0.60", "2.50").cached("0.15").tags(&["moe"]),
        chat("moonshot/kimi-k2-thinking", "Kimi K2 Thinking", "kimi-k2", "2025-11-06")
            .about("Thinking variant of Kimi K2 that interleaves reasoning with hundreds of tool calls.")
            .open("modified-mit", 1000).hf("moonshotai/Kimi-K2-Thinking").ctx(262_144, 16_384).tools().reasoning()
            .tok("0.60", "2.50").cached("0.15").tags(&["moe"]),

        // --- MiniMax (CN).
        chat("minimax/minimax-m1", "MiniMax-M1", "minimax-m1", "2025-06-16")
            .about("Hybrid-attention reasoning model (456B total, 45.9B active) with a 1M-token context.")
            .open("Apache-2.0", 456).hf("MiniMaxAI/MiniMax-M1-80k").ctx(1_000_000, 80_000).reasoning().tools()
            .tok("0.40", "2.20").tags(&["moe"]),

        // --- Stability AI (GB). First-party prices: Stability API credits converted to USD.
        model(Task::ImageGeneration, "stability/stable-diffusion-3.5-large", "Stable Diffusion 3.5 Large", "stable-diffusion-3.5", "2024-10-22")
            .about("8.1B multimodal diffusion transformer for high-quality 1-megapixel images.")
            .open("stabilityai-community", 8).hf("stabilityai/stable-diffusion-3.5-large").per_image("0.065"),
        model(Task::ImageGeneration, "stability/stable-diffusion-3.5-large-turbo", "Stable Diffusion 3.5 Large Turbo", "stable-diffusion-3.5", "2024-10-22")
            .about("Adversarial-diffusion-distilled SD 3.5 Large that generates in four steps.")
            .open("stabilityai-community", 8).from(L::Distillation, "stability/stable-diffusion-3.5-large")
            .hf("stabilityai/stable-diffusion-3.5-large-turbo").per_image("0.04"),
        model(Task::ImageGeneration, "stability/stable-diffusion-3.5-medium", "Stable Diffusion 3.5 Medium", "stable-diffusion-3.5", "2024-10-29")
            .about("2.5B MMDiT-X model for consumer hardware.")
            .open("stabilityai-community", 3).hf("stabilityai/stable-diffusion-3.5-medium").per_image("0.035"),

        // --- Black Forest Labs (DE). First-party prices: BFL API.
        model(Task::ImageGeneration, "black-forest-labs/flux.1-pro", "FLUX.1 [pro]", "flux.1", "2024-08-01")
            .about("12B rectified-flow transformer, BFL's first API-only text-to-image model.")
            .params(12).per_image("0.05").deprecated("2024-10-02", Some("2026-01-31"), "black-forest-labs/flux-1.1-pro"),
        model(Task::ImageGeneration, "black-forest-labs/flux-1.1-pro", "FLUX1.1 [pro]", "flux.1", "2024-10-02")
            .about("Faster FLUX pro model with improved image quality and prompt adherence.").per_image("0.04"),
        model(Task::ImageGeneration, "black-forest-labs/flux.1-dev", "FLUX.1 [dev]", "flux.1", "2024-08-01")
            .about("Open-weight guidance-distilled FLUX.1 for non-commercial use.")
            .open("flux-1-dev-non-commercial", 12).from(L::Distillation, "black-forest-labs/flux.1-pro")
            .hf("black-forest-labs/FLUX.1-dev").per_image("0.025"),
        model(Task::ImageGeneration, "black-forest-labs/flux.1-schnell", "FLUX.1 [schnell]", "flux.1", "2024-08-01")
            .about("Timestep-distilled FLUX.1 that generates in one to four steps, Apache 2.0.")
            .open("Apache-2.0", 12).from(L::Distillation, "black-forest-labs/flux.1-pro")
            .hf("black-forest-labs/FLUX.1-schnell").per_image("0.003"),
        model(Task::ImageEdit, "black-forest-labs/flux.1-kontext-pro", "FLUX.1 Kontext [pro]", "flux.1-kontext", "2025-05-29")
            .about("In-context image generation and editing from text and reference images.").per_image("0.04"),
        model(Task::ImageEdit, "black-forest-labs/flux.1-kontext-dev", "FLUX.1 Kontext [dev]", "flux.1-kontext", "2025-06-26")
            .about("Open-weight 12B image editing model distilled from FLUX.1 Kontext [pro], non-commercial licence.")
            .open("flux-1-dev-non-commercial", 12).from(L::Distillation, "black-forest-labs/flux.1-kontext-pro")
            .hf("black-forest-labs/FLUX.1-Kontext-dev").per_image("0.025"),

        // --- NVIDIA (US).
        // Month only: released October 2024, day 1 used.
        chat("nvidia/llama-3.1-nemotron-70b-instruct", "Llama 3.1 Nemotron 70B Instruct", "nemotron", "2024-10-01")
            .about("Llama 3.1 70B Instruct aligned with RLHF (REINFORCE) to improve helpfulness.")
            .open("llama-3.1-community", 70).from(L::FineTune, "meta/llama-3.1-70b-instruct")
            .hf("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF").ctx(131_072, 8_192).tok("1.20", "1.20"),
        chat("nvidia/llama-3.3-nemotron-super-49b-v1", "Llama 3.3 Nemotron Super 49B v1", "nemotron", "2025-03-18").ver("v1")
            .about("Llama 3.3 70B compressed by neural architecture search and distillation, then trained for reasoning.")
            .open("nvidia-open-model", 49).from(L::Distillation, "meta/llama-3.3-70b-instruct")
            .hf("nvidia/Llama-3_3-Nemotron-Super-49B-v1").ctx(131_072, 16_384).reasoning().tools().tok("0.40", "0.40"),

        // --- Other publishers.
        chat("ibm/granite-3.3-8b-instruct", "Granite 3.3 8B Instruct", "granite-3.3", "2025-04-16")
            .about("IBM's 8B enterprise model with reasoning and fill-in-the-middle, Apache 2.0.")
            .open("Apache-2.0", 8).hf("ibm-granite/granite-3.3-8b-instruct").ctx(131_072, 8_192).tools().reasoning()
            .tok("0.10", "0.20"),
        chat("perplexity/r1-1776", "R1 1776", "deepseek-r1", "2025-02-18")
            .about("DeepSeek R1 post-trained by Perplexity to remove CCP censorship while keeping reasoning.")
            .open("MIT", 671).from(L::FineTune, "deepseek/deepseek-r1").hf("perplexity-ai/r1-1776")
            .ctx(128_000, 32_768).reasoning().tok("2.00", "8.00").tags(&["moe"]),
        // Plus $5 per 1,000 search requests.
        model(Task::Search, "perplexity/sonar-pro", "Sonar Pro", "sonar", "2025-01-21")
            .about("Search-grounded answer engine API with citations for multi-step queries.")
            .ctx(200_000, 8_000).caps(&[C::WebSearch]).tok("3.00", "15.00").price(D::Query, U::PerThousandQueries, "5.00"),
        model(Task::Embedding, "baai/bge-m3", "BGE-M3", "bge", "2024-01-30")
            .about("Multilingual embedding model with dense, sparse and multi-vector retrieval, 8K input.")
            .open("MIT", 1).hf("BAAI/bge-m3").window(8_192).tok_in("0.01"),
        // Month only: released March 2024, day 1 used.
        model(Task::Rerank, "baai/bge-reranker-v2-m3", "BGE Reranker v2 M3", "bge", "2024-03-01")
            .about("Lightweight multilingual cross-encoder reranker built on BGE-M3.")
            .open("Apache-2.0", 1).hf("BAAI/bge-reranker-v2-m3").window(8_192).price(D::Query, U::PerThousandQueries, "0.50"),
        model(Task::Embedding, "jina/jina-embeddings-v3", "jina-embeddings-v3", "jina-embeddings", "2024-09-18")
            .about("570M-parameter multilingual embedding model with task-specific LoRA adapters, 8K input.")
            .open("CC-BY-NC-4.0", 1).hf("jinaai/jina-embeddings-v3").window(8_192).tok_in("0.02"),
        model(Task::Embedding, "voyage/voyage-3", "voyage-3", "voyage-3", "2024-09-18")
            .about("General-purpose retrieval embedding model, 1024 dimensions, 32K input.").window(32_000).tok_in("0.06"),
        model(Task::Embedding, "voyage/voyage-3-large", "voyage-3-large", "voyage-3", "2025-01-07")
            .about("Voyage's most capable general-purpose embedding model with Matryoshka dimensions.").window(32_000).tok_in("0.18"),
        chat("01-ai/yi-1.5-34b-chat", "Yi-1.5 34B Chat", "yi-1.5", "2024-05-13")
            .about("34B bilingual (English and Chinese) chat model, Apache 2.0.")
            .open("Apache-2.0", 34).hf("01-ai/Yi-1.5-34B-Chat").ctx(4_096, 4_096).tok("0.30", "0.30"),
        chat("tencent/hunyuan-large", "Hunyuan-Large", "hunyuan", "2024-11-05")
            .about("Mixture-of-experts model (389B total, 52B active); licence excludes the EU, UK and South Korea.")
            .open("tencent-hunyuan-community", 389).hf("tencent/Tencent-Hunyuan-Large").ctx(131_072, 8_192)
            .tok("0.60", "1.80").tags(&["moe"]).at(HUNYUAN_PLACEMENTS),
        chat("lg-ai/exaone-3.5-32b-instruct", "EXAONE 3.5 32B Instruct", "exaone-3.5", "2024-12-09")
            .about("Bilingual (English and Korean) 32B model under a non-commercial research licence.")
            .open("exaone", 32).hf("LGAI-EXAONE/EXAONE-3.5-32B-Instruct").ctx(32_768, 4_096).tok("0.30", "0.60"),
        chat("sarvam/sarvam-m", "Sarvam-M", "sarvam-m", "2025-05-23")
            .about("Mistral Small based hybrid reasoning model post-trained for Indian languages and math.")
            .open("Apache-2.0", 24).from(L::FineTune, "mistral/mistral-small-2503").hf("sarvamai/sarvam-m")
            .ctx(32_768, 8_192).reasoning().tok("0.20", "0.60"),
        chat("allenai/olmo-2-1124-13b-instruct", "OLMo 2 13B Instruct", "olmo-2", "2024-11-26")
            .about("Fully open 13B model: weights, data, code and training recipe released.")
            .open("Apache-2.0", 13).hf("allenai/OLMo-2-1124-13B-Instruct").ctx(4_096, 4_096).tok("0.10", "0.20"),
        chat("databricks/dbrx-instruct", "DBRX Instruct", "dbrx", "2024-03-27")
            .about("Fine-grained mixture-of-experts model (132B total, 36B active).")
            .open("databricks-open-model", 132).hf("databricks/dbrx-instruct").ctx(32_768, 4_096)
            .tok("0.75", "2.25").tags(&["moe"]).deprecated("2025-01-31", Some("2026-01-31"), "meta/llama-3.3-70b-instruct"),
        chat("snowflake/snowflake-arctic-instruct", "Snowflake Arctic Instruct", "arctic", "2024-04-24")
            .about("Dense-MoE hybrid (480B total, 17B active) tuned for enterprise SQL and code, Apache 2.0.")
            .open("Apache-2.0", 480).hf("Snowflake/snowflake-arctic-instruct").ctx(4_096, 4_096)
            .tok("2.40", "2.40").tags(&["moe"]),
    ]
}

// ---------------------------------------------------------------------------
// Offers: who runs each listing where, at what price
// ---------------------------------------------------------------------------

/// An operator other than the platform or the publisher. Operator headquarters are
/// recorded apart from model origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Host {
    name: &'static str,
    country: &'static str,
}

/// The platform operator of this catalog.
const PLATFORM: Host = Host {
    name: "Modelmart Cloud",
    country: "US",
};
/// Fictional partner operators, each in its home jurisdiction.
const PROSEWARE: Host = Host {
    name: "Proseware Cloud (demo)",
    country: "CN",
};
const LITWARE: Host = Host {
    name: "Litware Compute (demo)",
    country: "JP",
};
const ADATUM: Host = Host {
    name: "Adatum Sovereign Cloud (demo)",
    country: "DE",
};
const RELECLOUD: Host = Host {
    name: "Relecloud GPU (demo)",
    country: "US",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    Platform,
    /// The listing's own publisher (its first-party API or partner endpoint).
    Publisher,
    Partner(Host),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placement {
    region: &'static str,
    deployment: DeploymentType,
    operator: Operator,
}

impl Placement {
    const fn new(region: &'static str, deployment: DeploymentType, operator: Operator) -> Self {
        Placement {
            region,
            deployment,
            operator,
        }
    }
}

#[rustfmt::skip]
const US_REGIONS: &[&str] = &[
    "eastus", "eastus2", "westus3", "northcentralus", "southcentralus", "centralus", "us-east-1",
    "us-west-2", "us-central1", "us-east4",
];
#[rustfmt::skip]
const EU_REGIONS: &[&str] = &[
    "swedencentral", "westeurope", "francecentral", "germanywestcentral", "italynorth",
    "polandcentral", "spaincentral", "northeurope", "eu-west-1", "eu-central-1", "europe-west4",
    "europe-west1",
];
#[rustfmt::skip]
const APAC_REGIONS: &[&str] = &[
    "japaneast", "australiaeast", "koreacentral", "southeastasia", "centralindia",
    "ap-northeast-1", "ap-southeast-2", "asia-southeast1", "eastasia",
];
#[rustfmt::skip]
const OTHER_REGIONS: &[&str] = &[
    "uksouth", "canadaeast", "brazilsouth", "uaenorth", "southafricanorth", "switzerlandnorth",
    "norwayeast", "qatarcentral", "eu-west-2", "me-central-1", "sa-east-1",
];
const CN_REGIONS: &[&str] = &["chinanorth3", "chinaeast2", "cn-north-1", "cn-northwest-1"];
const GOV_REGIONS: &[&str] = &["usgovvirginia", "usgovarizona", "us-gov-west-1"];
const JP_REGIONS: &[&str] = &["japaneast", "ap-northeast-1", "asia-northeast1"];
const DE_REGIONS: &[&str] = &["germanywestcentral", "eu-central-1", "europe-west3"];
#[rustfmt::skip]
const GPU_REGIONS: &[&str] = &[
    "us-east-2", "us-west-1", "us-south1", "us-west4", "ca-central-1",
];

fn scope_of(region: &str) -> ProcessingScope {
    if region == "global" {
        ProcessingScope::Global
    } else if region.starts_with("datazone-") {
        ProcessingScope::DataZone
    } else {
        ProcessingScope::Regional
    }
}

fn is_synthetic(model: &ModelRecord) -> bool {
    model.tags.iter().any(|tag| tag == "synthetic")
}

/// Countries outside the Tencent Hunyuan Community License territory: the European
/// Union, the United Kingdom and South Korea. Derivatives inherit the restriction.
const HUNYUAN_EXCLUDED: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "KR",
];

/// Whether the model's licence lets it be used in `country`.
fn licence_allows_country(license: &str, country: &str) -> bool {
    license != "tencent-hunyuan-community" || !HUNYUAN_EXCLUDED.contains(&country)
}

/// Whether the model's licence lets it be used in the region.
fn licence_allows(license: &str, region: &str) -> bool {
    match crate::domain::regions::find_region(region) {
        Some(info) => match info.jurisdiction {
            Some(country) => licence_allows_country(license, country),
            // Multi-country zones: the EU data zone is out for a territory-limited licence.
            None => license != "tencent-hunyuan-community" || info.geography != "europe",
        },
        None => false,
    }
}

/// Chooses where a listing is offered: the publisher's own endpoint first, then a
/// deterministic selection of platform and partner placements.
fn placements(listing: &Listing) -> Vec<Placement> {
    use DeploymentType::{Batch, ManagedCompute, Provisioned, Serverless};
    use Operator::{Partner, Platform, Publisher};
    if let Some(fixed) = listing.fixed {
        return fixed.to_vec();
    }
    let model = &listing.model;
    let mut rng = Rng::keyed(&[&model.slug, "offers"]);
    let synthetic = is_synthetic(model);
    let origin = model.provenance.origin_country.as_deref().unwrap_or("");
    let tokens = listing.prices.iter().any(|p| p.unit == PriceUnit::PerMillionTokens);
    let hostable = model.open_weights && listing.params_b > 0;

    let mut head = Vec::new();
    if let Some(region) = listing.own_region {
        head.push(Placement::new(region, Serverless, Publisher));
    }
    let primary = if tokens && !model.open_weights && !synthetic {
        "global"
    } else {
        rng.pick(US_REGIONS)
    };
    head.push(Placement::new(primary, Serverless, Platform));

    let mut tail = vec![
        Placement::new(rng.pick(EU_REGIONS), Serverless, Platform),
        Placement::new(rng.pick(APAC_REGIONS), Serverless, Platform),
        Placement::new(rng.pick(OTHER_REGIONS), Serverless, Platform),
    ];
    if tokens {
        tail.push(Placement::new("datazone-eu", Serverless, Platform));
        tail.push(Placement::new("datazone-us", Serverless, Platform));
    }
    if tokens && matches!(model.task, Task::Chat | Task::Completion | Task::Embedding) {
        tail.push(Placement::new(
            rng.pick(&["global", "datazone-us", "datazone-eu"]),
            Batch,
            Platform,
        ));
    }
    if tokens && !model.open_weights && model.task == Task::Chat {
        let region = rng.pick(&["global", "datazone-us", "datazone-eu", "eastus2", "swedencentral"]);
        tail.push(Placement::new(region, Provisioned, Platform));
    }
    if hostable {
        let region = if rng.chance(50) {
            rng.pick(US_REGIONS)
        } else {
            rng.pick(EU_REGIONS)
        };
        tail.push(Placement::new(region, ManagedCompute, Platform));
        tail.push(Placement::new(
            rng.pick(GPU_REGIONS),
            ManagedCompute,
            Partner(RELECLOUD),
        ));
        tail.push(Placement::new(rng.pick(JP_REGIONS), Serverless, Partner(LITWARE)));
        tail.push(Placement::new(rng.pick(DE_REGIONS), Serverless, Partner(ADATUM)));
    }
    if hostable || origin == "CN" {
        tail.push(Placement::new(rng.pick(CN_REGIONS), Serverless, Partner(PROSEWARE)));
    }
    if origin == "US" {
        tail.push(Placement::new(rng.pick(GOV_REGIONS), Serverless, Platform));
    }
    rng.shuffle(&mut tail);

    let wanted = if model.lifecycle.status == LifecycleStatus::Retired {
        1
    } else if synthetic {
        rng.between(1, 4)
    } else {
        rng.between(3, 6)
    } as usize;
    let mut chosen: Vec<Placement> = Vec::new();
    for placement in head.into_iter().chain(tail) {
        if chosen.len() == wanted {
            break;
        }
        let clash = chosen
            .iter()
            .any(|c| c.region == placement.region && c.deployment == placement.deployment);
        if !clash && licence_allows(&model.license, placement.region) {
            chosen.push(placement);
        }
    }
    chosen
}

/// Demo GPU-hour price of a managed-compute deployment sized for the model.
fn gpu_hour(params_b: u32) -> Decimal {
    let amount = match params_b {
        0..=2 => "1.20",     // one small GPU
        3..=15 => "3.67",    // one 80 GB GPU
        16..=40 => "7.35",   // two 80 GB GPUs
        41..=80 => "14.69",  // four 80 GB GPUs
        81..=150 => "29.39", // eight 80 GB GPUs
        _ => "98.32",        // a node of eight high-memory GPUs
    };
    money(amount)
}

fn scaled(prices: &[PriceRecord], factor: Decimal) -> Vec<PriceRecord> {
    prices
        .iter()
        .map(|p| PriceRecord {
            amount: round_price(p.amount * factor),
            ..p.clone()
        })
        .collect()
}

/// Prices an offer from the listing's list price: data-zone and regional
/// processing +10 %, batch -50 %, managed compute and provisioned by the hour.
fn offer_prices(listing: &Listing, placement: &Placement) -> Vec<PriceRecord> {
    let scope = scope_of(placement.region);
    let uplift = match scope {
        ProcessingScope::Global => Decimal::ONE,
        ProcessingScope::DataZone | ProcessingScope::Regional => Decimal::new(110, 2),
    };
    let hour = |amount: Decimal| {
        vec![price(
            PriceDimension::Hour,
            PriceUnit::PerHour,
            round_price(amount),
            None,
        )]
    };
    match placement.deployment {
        DeploymentType::ManagedCompute => {
            let jurisdiction = crate::domain::regions::find_region(placement.region).and_then(|r| r.jurisdiction);
            let factor = if jurisdiction == Some("US") {
                Decimal::ONE
            } else {
                Decimal::new(110, 2)
            };
            hour(gpu_hour(listing.params_b) * factor)
        }
        // Per provisioned throughput unit and hour.
        DeploymentType::Provisioned => hour(match scope {
            ProcessingScope::Global => Decimal::ONE,
            ProcessingScope::DataZone => Decimal::new(110, 2),
            ProcessingScope::Regional => Decimal::TWO,
        }),
        DeploymentType::Batch => scaled(&listing.prices, uplift * Decimal::new(5, 1)),
        DeploymentType::Serverless if placement.operator == Operator::Publisher => {
            scaled(&listing.prices, Decimal::ONE)
        }
        DeploymentType::Serverless => scaled(&listing.prices, uplift),
    }
}

fn offers_for(listing: &Listing) -> Vec<OfferRecord> {
    let model = &listing.model;
    let mut rng = Rng::keyed(&[&model.slug, "status"]);
    let publisher = publisher_record(&model.publisher_slug);
    placements(listing)
        .into_iter()
        .map(|placement| {
            let (operator_name, operator_country) = match placement.operator {
                Operator::Platform => (PLATFORM.name.to_string(), Some(PLATFORM.country.to_string())),
                Operator::Publisher => (publisher.name.clone(), publisher.country.clone()),
                Operator::Partner(host) => (host.name.to_string(), Some(host.country.to_string())),
            };
            let status = match model.lifecycle.status {
                LifecycleStatus::Retired => OfferStatus::Unavailable,
                LifecycleStatus::Preview if rng.chance(50) => OfferStatus::Limited,
                _ if rng.chance(6) => OfferStatus::Limited,
                _ => OfferStatus::Available,
            };
            OfferRecord {
                model_slug: model.slug.clone(),
                region: placement.region.to_string(),
                deployment_type: placement.deployment,
                processing_scope: scope_of(placement.region),
                operator_name,
                operator_country,
                status,
                prices: offer_prices(listing, &placement),
                source_key: Some(format!(
                    "demo:{}:{}:{}",
                    model.slug,
                    placement.region,
                    placement.deployment.as_str()
                )),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Synthetic expansion: fictional demo partners and their derivatives
// ---------------------------------------------------------------------------

/// A fictional demo partner publisher (website `https://<slug>.example`).
struct Partner {
    slug: &'static str,
    name: &'static str,
    country: &'static str,
    /// Regions where the partner serves its own models.
    home: &'static [&'static str],
    /// The language its language-specific fine-tunes target: slug and name.
    language: (&'static str, &'static str),
}

#[rustfmt::skip]
const PARTNERS: &[Partner] = &[
    Partner { slug: "contoso-ai", name: "Contoso AI", country: "US", home: &["eastus2", "westus3", "us-east-1"], language: ("spanish", "Spanish") },
    Partner { slug: "fabrikam-labs", name: "Fabrikam Labs", country: "DE", home: &["germanywestcentral", "eu-central-1", "europe-west3"], language: ("german", "German") },
    Partner { slug: "northwind-ml", name: "Northwind ML", country: "SG", home: &["southeastasia", "ap-southeast-1", "asia-southeast1"], language: ("malay", "Malay and Indonesian") },
    Partner { slug: "tailspin-research", name: "Tailspin Research", country: "CN", home: &["chinanorth3", "chinaeast2", "cn-north-1"], language: ("chinese", "Mandarin Chinese") },
    Partner { slug: "woodgrove-ai", name: "Woodgrove AI", country: "IN", home: &["centralindia", "southindia", "ap-south-1"], language: ("hindi", "Hindi") },
    Partner { slug: "adventure-works-ai", name: "Adventure Works AI", country: "FR", home: &["francecentral", "eu-west-3", "europe-west9"], language: ("french", "French") },
    Partner { slug: "lucerne-nlp", name: "Lucerne NLP", country: "CH", home: &["switzerlandnorth", "eu-central-2"], language: ("swiss-german", "Swiss German") },
    Partner { slug: "trey-research", name: "Trey Research", country: "BR", home: &["brazilsouth", "sa-east-1", "southamerica-east1"], language: ("portuguese", "Brazilian Portuguese") },
    Partner { slug: "fourth-coffee-ai", name: "Fourth Coffee AI", country: "KR", home: &["koreacentral", "ap-northeast-2", "asia-northeast3"], language: ("korean", "Korean") },
    Partner { slug: "wide-world-ai", name: "Wide World AI", country: "AE", home: &["uaenorth", "me-central-1"], language: ("arabic", "Arabic") },
    Partner { slug: "coho-vision", name: "Coho Vision", country: "CA", home: &["canadaeast", "ca-central-1", "northamerica-northeast1"], language: ("canadian-french", "Canadian French") },
    Partner { slug: "lamna-health", name: "Lamna Health AI", country: "IL", home: &["il-central-1", "me-west1"], language: ("hebrew", "Hebrew") },
    Partner { slug: "margie-speech", name: "Margie Speech", country: "JP", home: &["japaneast", "ap-northeast-1", "asia-northeast1"], language: ("japanese", "Japanese") },
];

/// Specialisations of synthetic fine-tunes: slug, title, what it is tuned for.
const DOMAINS: &[(&str, &str, &str)] = &[
    ("legal", "Legal", "legal research and contract review"),
    ("clinical", "Clinical", "clinical note summarisation"),
    ("finance", "Finance", "financial filings analysis"),
    ("support", "Support", "customer-support conversations"),
    ("sql", "SQL", "text-to-SQL over enterprise schemas"),
    ("code-review", "Code Review", "code review comments"),
    ("retail", "Retail", "retail product questions"),
    ("claims", "Claims", "insurance claims triage"),
    ("telecom", "Telecom", "telecom network operations"),
    ("energy", "Energy", "energy-sector maintenance logs"),
    ("hr", "HR", "HR policy questions"),
    ("tutor", "Tutor", "step-by-step tutoring"),
    ("secops", "SecOps", "security alert triage"),
    ("manufacturing", "Manufacturing", "manufacturing quality reports"),
    ("travel", "Travel", "travel booking assistance"),
    ("public-sector", "Public Sector", "public-sector document drafting"),
    ("pharma", "Pharma", "pharmacovigilance case intake"),
    ("patents", "Patents", "patent prior-art search"),
    ("logistics", "Logistics", "logistics exception handling"),
    ("agronomy", "Agronomy", "agronomy advisory"),
    ("automotive", "Automotive", "automotive service manuals"),
    ("tax", "Tax", "tax guidance"),
    ("agents", "Agents", "tool use and function calling"),
    ("extraction", "Extraction", "structured data extraction from documents"),
];

/// Quantization formats: slug, title, what it is.
const QUANTS: &[(&str, &str, &str)] = &[
    ("awq", "AWQ", "4-bit AWQ weight quantization"),
    ("gptq-int4", "GPTQ INT4", "4-bit GPTQ weight quantization"),
    ("fp8", "FP8", "FP8 weight and activation quantization"),
    ("int8", "INT8", "8-bit integer weight quantization"),
    (
        "gguf-q4-k-m",
        "GGUF Q4_K_M",
        "4-bit GGUF (Q4_K_M) quantization for llama.cpp",
    ),
    ("gguf-q8-0", "GGUF Q8_0", "8-bit GGUF (Q8_0) quantization for llama.cpp"),
    ("mlx-4bit", "MLX 4-bit", "4-bit MLX quantization for Apple silicon"),
];

/// Styles of synthetic image-model fine-tunes.
const STYLES: &[(&str, &str, &str)] = &[
    ("product-photos", "Product Photos", "e-commerce product photography"),
    ("architecture", "Architecture", "architectural visualisation"),
    ("fashion", "Fashion", "fashion lookbook imagery"),
    ("watercolor", "Watercolor", "watercolour illustration"),
    ("packaging", "Packaging", "packaging mock-ups"),
    ("interiors", "Interiors", "interior design renders"),
    ("technical", "Technical", "technical illustration"),
    ("storyboard", "Storyboard", "film storyboards"),
];

/// Percent chances that a partner builds each kind of derivative on a base model.
const FINE_TUNE_CHANCE: u64 = 56;
const QUANTIZE_CHANCE: u64 = 34;
const DISTILL_CHANCE: u64 = 16;
const MERGE_CHANCE: u64 = 5;

fn synthesise(curated: &[Listing], taken: &mut BTreeSet<String>) -> Vec<Listing> {
    let mut out = Vec::new();
    for partner in PARTNERS {
        let usable = |b: &&Listing| {
            b.model.open_weights && b.params_b > 0 && licence_allows_country(&b.model.license, partner.country)
        };
        for base in curated.iter().filter(usable) {
            let mut rng = Rng::keyed(&[partner.slug, &base.model.slug]);
            match base.model.task {
                Task::Chat | Task::Completion => language_model_derivatives(partner, base, &mut rng, taken, &mut out),
                Task::Embedding | Task::Rerank => {
                    for _ in 0..2 {
                        if rng.chance(60) {
                            let domain = rng.pick(DOMAINS);
                            let versions = fine_tune_chain(partner, base, domain, 2, &mut rng);
                            admit_all(versions, taken, &mut out);
                        }
                    }
                }
                Task::ImageGeneration | Task::ImageEdit => {
                    if rng.chance(75) {
                        let style = rng.pick(STYLES);
                        let versions = fine_tune_chain(partner, base, style, 2, &mut rng);
                        admit_all(versions, taken, &mut out);
                    }
                    if rng.chance(20) {
                        admit_all(vec![quantization(partner, base, QUANTS[2], &mut rng)], taken, &mut out);
                    }
                }
                Task::AudioTranscription if rng.chance(90) => {
                    let (slug, name) = partner.language;
                    let purpose = format!("speech recognition in {name}");
                    let versions = fine_tune_chain(partner, base, (slug, name, &purpose), 3, &mut rng);
                    admit_all(versions, taken, &mut out);
                }
                _ => {}
            }
        }
        for family in FAMILIES.iter().filter(|f| f.partner == partner.slug) {
            admit_all(own_family(partner, family), taken, &mut out);
        }
    }
    out
}

/// Adds listings whose slugs are still free; a clashing chain is skipped whole.
fn admit_all(listings: Vec<Listing>, taken: &mut BTreeSet<String>, out: &mut Vec<Listing>) {
    if listings.is_empty() || listings.iter().any(|l| taken.contains(&l.model.slug)) {
        return;
    }
    for listing in listings {
        taken.insert(listing.model.slug.clone());
        out.push(listing);
    }
}

fn language_model_derivatives(
    partner: &'static Partner,
    base: &Listing,
    rng: &mut Rng,
    taken: &mut BTreeSet<String>,
    out: &mut Vec<Listing>,
) {
    if rng.chance(FINE_TUNE_CHANCE) {
        let (slug, name) = partner.language;
        let purpose = format!("conversations in {name}");
        let domain = if rng.chance(20) {
            (slug, name, purpose.as_str())
        } else {
            rng.pick(DOMAINS)
        };
        let versions = fine_tune_chain(partner, base, domain, 3, rng);
        let newest = versions.last().cloned();
        admit_all(versions, taken, out);
        if let Some(newest) = newest.filter(|n| n.model.open_weights && taken.contains(&n.model.slug)) {
            if rng.chance(20) {
                let format = rng.pick(QUANTS);
                admit_all(vec![quantization(partner, &newest, format, rng)], taken, out);
            }
        }
    }
    if rng.chance(QUANTIZE_CHANCE) {
        let format = rng.pick(QUANTS);
        admit_all(vec![quantization(partner, base, format, rng)], taken, out);
    }
    let distilled = base.model.provenance.lineage == Lineage::Distillation;
    if base.params_b >= 30 && !distilled && rng.chance(DISTILL_CHANCE) {
        admit_all(distillation(partner, base, rng).into_iter().collect(), taken, out);
    }
    if rng.chance(MERGE_CHANCE) {
        admit_all(vec![merge(partner, base, rng)], taken, out);
    }
}

/// The model name without a trailing `-instruct`, `-it` or `-chat`.
fn stem(name: &str) -> &str {
    ["-instruct", "-it", "-chat"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

fn base_name(listing: &Listing) -> &str {
    listing.model.slug.split_once('/').map_or("", |(_, name)| name)
}

/// The last day a synthetic listing may be released on.
fn release_cutoff() -> NaiveDate {
    as_of() - Days::new(3)
}

fn weights_digest(rng: &mut Rng) -> String {
    format!(
        "sha256:{:016x}{:016x}{:016x}{:016x}",
        rng.next(),
        rng.next(),
        rng.next(),
        rng.next()
    )
}

/// A synthetic derivative of `base` published by `partner`.
#[allow(clippy::too_many_arguments)]
fn derivative(
    partner: &'static Partner,
    base: &Listing,
    name: &str,
    display: String,
    lineage: Lineage,
    released: NaiveDate,
    about: String,
    price_percent: u64,
    rng: &mut Rng,
) -> Listing {
    let mut listing = base.clone();
    listing.fixed = None;
    listing.own_region = Some(rng.pick(partner.home));
    listing.prices = scaled(&base.prices, Decimal::new(price_percent as i64, 2));
    let model = &mut listing.model;
    model.slug = format!("{}/{}", partner.slug, name);
    model.publisher_slug = partner.slug.to_string();
    model.name = display;
    model.version = None;
    model.description = about;
    model.provenance = ProvenanceRecord {
        origin_country: Some(partner.country.to_string()),
        lineage,
        base_model_slug: Some(base.model.slug.clone()),
        model_card_url: Some(format!("https://{}.example/models/{}", partner.slug, name)),
        weights_digest: None,
        release_date: Some(released),
    };
    model.lifecycle = LifecycleRecord {
        status: LifecycleStatus::Ga,
        deprecation_date: None,
        retirement_date: None,
        successor_slug: None,
    };
    let inherited = std::mem::take(&mut model.tags);
    model.tags = vec!["synthetic".to_string(), "demo-partner".to_string()];
    model.tags.extend(
        inherited
            .into_iter()
            .filter(|t| t != "flagship" && t != "synthetic" && t != "demo-partner"),
    );
    listing
}

fn seal(mut listing: Listing, rng: &mut Rng) -> Listing {
    if listing.model.open_weights {
        listing.model.provenance.weights_digest = Some(weights_digest(rng));
    }
    listing
}

/// A release date some weeks after `after`, or `None` when it would pass the cutoff.
fn later(after: NaiveDate, min_days: u64, max_days: u64, rng: &mut Rng) -> Option<NaiveDate> {
    let day = plus_days(after, rng.between(min_days, max_days));
    (day <= release_cutoff()).then_some(day)
}

/// Links versions: an older one is deprecated (or retired, once its retirement date
/// has passed) in favour of the next, with `deprecate_percent` chance (otherwise it
/// stays GA alongside its successor); the newest is GA or, if recent, preview.
fn link_versions(versions: &mut [Listing], deprecate_percent: u64, rng: &mut Rng) {
    for i in 0..versions.len().saturating_sub(1) {
        if !rng.chance(deprecate_percent) {
            continue;
        }
        let next_release = versions[i + 1]
            .model
            .provenance
            .release_date
            .expect("synthetic releases are dated");
        let successor = versions[i + 1].model.slug.clone();
        let retirement = plus_days(next_release, rng.between(180, 400));
        versions[i].model.lifecycle = LifecycleRecord {
            status: if retirement <= as_of() {
                LifecycleStatus::Retired
            } else {
                LifecycleStatus::Deprecated
            },
            deprecation_date: Some(next_release),
            retirement_date: Some(retirement),
            successor_slug: Some(successor),
        };
    }
    if let Some(newest) = versions.last_mut() {
        let released = newest
            .model
            .provenance
            .release_date
            .expect("synthetic releases are dated");
        if plus_days(released, 120) > as_of() && rng.chance(40) {
            newest.model.lifecycle.status = LifecycleStatus::Preview;
        }
    }
}

/// One to `max_versions` successive fine-tunes of `base` for one domain.
fn fine_tune_chain(
    partner: &'static Partner,
    base: &Listing,
    domain: (&str, &str, &str),
    max_versions: u64,
    rng: &mut Rng,
) -> Vec<Listing> {
    let (slug, title, purpose) = domain;
    // Most fine-tunes have one version; a few have been revised once or twice.
    let wanted = rng.pick(&[1, 1, 1, 2, 2, 3]).min(max_versions);
    let base_release = base.model.provenance.release_date.expect("curated releases are dated");
    let closed = matches!(base.model.license.as_str(), "MIT" | "Apache-2.0") && rng.chance(30);
    let short_context = rng.chance(25);
    let price_percent = rng.between(100, 150);
    let mut versions: Vec<Listing> = Vec::new();
    let mut previous = base_release;
    for n in 1..=wanted {
        let released = match later(
            previous,
            if n == 1 { 20 } else { 45 },
            if n == 1 { 200 } else { 160 },
            rng,
        ) {
            Some(day) => day,
            None => break,
        };
        previous = released;
        let name = format!("{}-{slug}-v{n}", stem(base_name(base)));
        let about = format!(
            "Synthetic demo listing: {}'s fine-tune of {} for {purpose} (version {n}). Not a real model.",
            partner.name, base.model.name
        );
        let display = format!("{} {title} v{n}", base.model.name);
        let mut listing = derivative(
            partner,
            base,
            &name,
            display,
            Lineage::FineTune,
            released,
            about,
            price_percent,
            rng,
        );
        listing.model.version = Some(format!("v{n}"));
        listing.model.tags.push(slug.to_string());
        if closed {
            listing.model.license = "proprietary".to_string();
            listing.model.open_weights = false;
        }
        if short_context {
            listing.model.context_window = listing.model.context_window.map(|c| c.min(32_768));
            listing.model.max_output_tokens = listing.model.max_output_tokens.map(|m| m.min(8_192)).filter(|m| *m > 0);
        }
        if matches!(slug, "agents" | "sql" | "extraction") && listing.model.task == Task::Chat {
            listing = listing.tools();
        }
        versions.push(seal(listing, rng));
    }
    link_versions(&mut versions, 55, rng);
    versions
}

fn quantization(
    partner: &'static Partner,
    base: &Listing,
    format: (&'static str, &'static str, &'static str),
    rng: &mut Rng,
) -> Listing {
    let (slug, title, what) = format;
    let base_release = base.model.provenance.release_date.expect("releases are dated");
    let released = later(base_release, 3, 90, rng).unwrap_or(base_release.max(release_cutoff()));
    let name = format!("{}-{slug}", base_name(base));
    let about = format!(
        "Synthetic demo listing: {}'s {what} of {}, for cheaper serving. Not a real model.",
        partner.name, base.model.name
    );
    let display = format!("{} {title}", base.model.name);
    let percent = rng.between(55, 80);
    let mut listing = derivative(
        partner,
        base,
        &name,
        display,
        Lineage::Quantization,
        released,
        about,
        percent,
        rng,
    );
    listing.model.version = Some(slug.to_string());
    listing.model.tags.push("quantized".to_string());
    listing.model.tags.push(slug.to_string());
    seal(listing, rng)
}

fn distillation(partner: &'static Partner, base: &Listing, rng: &mut Rng) -> Option<Listing> {
    let sizes: Vec<u32> = [1, 3, 7, 8, 14]
        .into_iter()
        .filter(|s| s * 4 <= base.params_b)
        .collect();
    if sizes.is_empty() {
        return None;
    }
    let size = rng.pick(&sizes);
    let released = later(base.model.provenance.release_date?, 30, 240, rng)?;
    let name = format!("{}-distill-{size}b", stem(base_name(base)));
    let about = format!(
        "Synthetic demo listing: a {size}B student model distilled by {} from {}'s outputs. Not a real model.",
        partner.name, base.model.name
    );
    let display = format!("{} Distill {size}B", base.model.name);
    let percent = rng.between(15, 30);
    let mut listing = derivative(
        partner,
        base,
        &name,
        display,
        Lineage::Distillation,
        released,
        about,
        percent,
        rng,
    );
    listing.params_b = size;
    listing.model.context_window = listing.model.context_window.map(|c| c.min(131_072));
    listing.model.tags.push("small".to_string());
    Some(seal(listing, rng))
}

fn merge(partner: &'static Partner, base: &Listing, rng: &mut Rng) -> Listing {
    let (slug, title, purpose) = rng.pick(DOMAINS);
    let base_release = base.model.provenance.release_date.expect("releases are dated");
    let released = later(base_release, 30, 200, rng).unwrap_or(base_release.max(release_cutoff()));
    let name = format!("{}-{slug}-merge", stem(base_name(base)));
    let about = format!(
        "Synthetic demo listing: {} merged {} with its own {purpose} fine-tunes (weight averaging). Not a real model.",
        partner.name, base.model.name
    );
    let display = format!("{} {title} Merge", base.model.name);
    let mut listing = derivative(partner, base, &name, display, Lineage::Merge, released, about, 100, rng);
    listing.model.tags.push(slug.to_string());
    seal(listing, rng)
}

/// A partner's own (original) model family, published as dated versions.
struct Family {
    partner: &'static str,
    stem: &'static str,
    title: &'static str,
    task: Task,
    purpose: &'static str,
    license: &'static str,
    params_b: u32,
    context: Option<i32>,
    max_output: Option<i32>,
    caps: &'static [Capability],
    prices: &'static [(PriceDimension, PriceUnit, &'static str)],
}

const TOKENS_IN_OUT: PriceUnit = PriceUnit::PerMillionTokens;

#[rustfmt::skip]
const FAMILIES: &[Family] = {
    use Capability as C;
    use PriceDimension as D;
    use PriceUnit as U;
    &[
        Family { partner: "contoso-ai", stem: "contoso-chat", title: "Contoso Chat", task: Task::Chat, purpose: "general enterprise chat", license: "proprietary", params_b: 0, context: Some(128_000), max_output: Some(8_192), caps: &[C::FunctionCalling, C::StructuredOutput, C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "1.00"), (D::OutputTokens, TOKENS_IN_OUT, "4.00")] },
        Family { partner: "contoso-ai", stem: "contoso-guard", title: "Contoso Guard", task: Task::Moderation, purpose: "prompt and response safety classification", license: "proprietary", params_b: 0, context: Some(8_192), max_output: None, caps: &[], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.20")] },
        Family { partner: "fabrikam-labs", stem: "fabrikam-docread", title: "Fabrikam DocRead", task: Task::Ocr, purpose: "invoice and form OCR", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[C::PdfInput], prices: &[(D::Page, U::PerThousandPages, "1.50")] },
        Family { partner: "fabrikam-labs", stem: "fabrikam-embed-de", title: "Fabrikam Embed DE", task: Task::Embedding, purpose: "German-language retrieval embeddings", license: "Apache-2.0", params_b: 1, context: Some(8_192), max_output: None, caps: &[], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.03")] },
        Family { partner: "northwind-ml", stem: "northwind-sea", title: "Northwind SEA", task: Task::Chat, purpose: "Southeast Asian languages chat", license: "Apache-2.0", params_b: 9, context: Some(32_768), max_output: Some(4_096), caps: &[C::FunctionCalling, C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.15"), (D::OutputTokens, TOKENS_IN_OUT, "0.45")] },
        Family { partner: "northwind-ml", stem: "northwind-rerank", title: "Northwind Rerank", task: Task::Rerank, purpose: "multilingual search reranking", license: "proprietary", params_b: 0, context: Some(4_096), max_output: None, caps: &[], prices: &[(D::Query, U::PerThousandQueries, "1.50")] },
        Family { partner: "tailspin-research", stem: "tailspin-chat", title: "Tailspin Chat", task: Task::Chat, purpose: "bilingual Chinese and English reasoning chat", license: "MIT", params_b: 34, context: Some(131_072), max_output: Some(8_192), caps: &[C::Reasoning, C::FunctionCalling, C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.30"), (D::OutputTokens, TOKENS_IN_OUT, "1.20")] },
        Family { partner: "tailspin-research", stem: "tailspin-video", title: "Tailspin Video", task: Task::VideoGeneration, purpose: "short text-to-video clips", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[], prices: &[(D::OutputSecond, U::PerSecond, "0.12")] },
        Family { partner: "woodgrove-ai", stem: "woodgrove-indic-asr", title: "Woodgrove Indic ASR", task: Task::AudioTranscription, purpose: "speech recognition for 11 Indian languages", license: "Apache-2.0", params_b: 1, context: None, max_output: None, caps: &[C::AudioInput], prices: &[(D::InputSecond, U::PerSecond, "0.00008")] },
        Family { partner: "woodgrove-ai", stem: "woodgrove-indic-tts", title: "Woodgrove Indic TTS", task: Task::AudioSpeech, purpose: "speech synthesis for Indian languages", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[C::AudioOutput], prices: &[(D::Character, U::PerThousandCharacters, "0.012")] },
        Family { partner: "adventure-works-ai", stem: "adventure-works-search", title: "Adventure Works Search", task: Task::Search, purpose: "web-grounded answers with citations", license: "proprietary", params_b: 0, context: Some(128_000), max_output: Some(4_096), caps: &[C::WebSearch], prices: &[(D::InputTokens, TOKENS_IN_OUT, "1.00"), (D::OutputTokens, TOKENS_IN_OUT, "1.00"), (D::Query, U::PerThousandQueries, "4.00")] },
        Family { partner: "adventure-works-ai", stem: "adventure-works-canvas", title: "Adventure Works Canvas", task: Task::ImageGeneration, purpose: "marketing image generation", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[], prices: &[(D::Image, U::PerImage, "0.03")] },
        Family { partner: "lucerne-nlp", stem: "lucerne-translate", title: "Lucerne Translate", task: Task::Chat, purpose: "translation between German, French and Italian", license: "Apache-2.0", params_b: 7, context: Some(32_768), max_output: Some(8_192), caps: &[C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.10"), (D::OutputTokens, TOKENS_IN_OUT, "0.30")] },
        Family { partner: "lucerne-nlp", stem: "lucerne-embed", title: "Lucerne Embed", task: Task::Embedding, purpose: "multilingual retrieval embeddings", license: "proprietary", params_b: 0, context: Some(8_192), max_output: None, caps: &[], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.05")] },
        Family { partner: "trey-research", stem: "trey-assist", title: "Trey Assist", task: Task::Chat, purpose: "long-document assistant", license: "proprietary", params_b: 0, context: Some(1_000_000), max_output: Some(16_384), caps: &[C::FunctionCalling, C::StructuredOutput, C::PromptCaching, C::PdfInput], prices: &[(D::InputTokens, TOKENS_IN_OUT, "2.00"), (D::OutputTokens, TOKENS_IN_OUT, "8.00"), (D::CachedInputTokens, TOKENS_IN_OUT, "0.50")] },
        Family { partner: "trey-research", stem: "trey-realtime", title: "Trey Realtime", task: Task::Realtime, purpose: "low-latency voice agents", license: "proprietary", params_b: 0, context: Some(32_000), max_output: Some(4_096), caps: &[C::AudioInput, C::AudioOutput, C::FunctionCalling], prices: &[(D::InputTokens, TOKENS_IN_OUT, "4.00"), (D::OutputTokens, TOKENS_IN_OUT, "16.00"), (D::InputAudioTokens, TOKENS_IN_OUT, "40.00"), (D::OutputAudioTokens, TOKENS_IN_OUT, "80.00")] },
        Family { partner: "fourth-coffee-ai", stem: "fourth-coffee-edit", title: "Fourth Coffee Edit", task: Task::ImageEdit, purpose: "instruction-based photo editing", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[], prices: &[(D::Image, U::PerImage, "0.035")] },
        Family { partner: "fourth-coffee-ai", stem: "fourth-coffee-ko", title: "Fourth Coffee KO", task: Task::Chat, purpose: "Korean-first enterprise chat", license: "Apache-2.0", params_b: 10, context: Some(32_768), max_output: Some(4_096), caps: &[C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.12"), (D::OutputTokens, TOKENS_IN_OUT, "0.36")] },
        Family { partner: "wide-world-ai", stem: "wide-world-arabic", title: "Wide World Arabic", task: Task::Chat, purpose: "Arabic and English chat", license: "Apache-2.0", params_b: 13, context: Some(32_768), max_output: Some(4_096), caps: &[C::FunctionCalling, C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "0.20"), (D::OutputTokens, TOKENS_IN_OUT, "0.60")] },
        Family { partner: "wide-world-ai", stem: "wide-world-ocr", title: "Wide World OCR", task: Task::Ocr, purpose: "Arabic-script document OCR", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[C::PdfInput], prices: &[(D::Page, U::PerThousandPages, "1.20")] },
        Family { partner: "coho-vision", stem: "coho-image", title: "Coho Image", task: Task::ImageGeneration, purpose: "open text-to-image generation", license: "CreativeML-OpenRAIL-M", params_b: 3, context: None, max_output: None, caps: &[], prices: &[(D::Image, U::PerImage, "0.02")] },
        Family { partner: "coho-vision", stem: "coho-video", title: "Coho Video", task: Task::VideoGeneration, purpose: "image-to-video animation", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[], prices: &[(D::OutputSecond, U::PerSecond, "0.20")] },
        Family { partner: "lamna-health", stem: "lamna-clinical", title: "Lamna Clinical", task: Task::Chat, purpose: "clinical documentation assistance", license: "proprietary", params_b: 0, context: Some(65_536), max_output: Some(8_192), caps: &[C::FunctionCalling, C::StructuredOutput, C::SystemMessages], prices: &[(D::InputTokens, TOKENS_IN_OUT, "3.00"), (D::OutputTokens, TOKENS_IN_OUT, "12.00")] },
        Family { partner: "lamna-health", stem: "lamna-scribe", title: "Lamna Scribe", task: Task::AudioTranscription, purpose: "medical dictation transcription", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[C::AudioInput], prices: &[(D::InputSecond, U::PerSecond, "0.0002")] },
        Family { partner: "margie-speech", stem: "margie-voice", title: "Margie Voice", task: Task::AudioSpeech, purpose: "expressive Japanese and English speech synthesis", license: "proprietary", params_b: 0, context: None, max_output: None, caps: &[C::AudioOutput], prices: &[(D::Character, U::PerThousandCharacters, "0.020")] },
        Family { partner: "margie-speech", stem: "margie-realtime", title: "Margie Realtime", task: Task::Realtime, purpose: "speech-to-speech interpretation", license: "proprietary", params_b: 0, context: Some(16_000), max_output: Some(2_048), caps: &[C::AudioInput, C::AudioOutput], prices: &[(D::InputAudioTokens, TOKENS_IN_OUT, "32.00"), (D::OutputAudioTokens, TOKENS_IN_OUT, "64.00")] },
    ]
};

fn own_family(partner: &'static Partner, family: &Family) -> Vec<Listing> {
    let mut rng = Rng::keyed(&[partner.slug, family.stem, "family"]);
    let wanted = rng.between(2, 4);
    let mut released = plus_days(date("2023-09-01"), rng.between(0, 420));
    let mut versions: Vec<Listing> = Vec::new();
    for n in 0..wanted {
        if n > 0 {
            match later(released, 100, 220, &mut rng) {
                Some(day) => released = day,
                None => break,
            }
        }
        let stamp = released.format("%Y-%m-%d").to_string();
        let slug = format!("{}/{}-{stamp}", partner.slug, family.stem);
        let (input, output) = default_modalities(family.task);
        let open_weights = family.license != "proprietary";
        // Older versions of a family list slightly higher prices.
        let percent = 100 + 8 * (wanted - 1 - n);
        let prices: Vec<PriceRecord> = family
            .prices
            .iter()
            .map(|(dimension, unit, amount)| price(*dimension, *unit, money(amount), None))
            .collect();
        let listing = Listing {
            model: ModelRecord {
                slug: slug.clone(),
                publisher_slug: partner.slug.to_string(),
                name: format!("{} ({stamp})", family.title),
                family: Some(family.stem.to_string()),
                version: Some(stamp.clone()),
                description: format!(
                    "Synthetic demo listing: {}'s own model for {}, snapshot {stamp}. Not a real model.",
                    partner.name, family.purpose
                ),
                task: family.task,
                input_modalities: input,
                output_modalities: output,
                context_window: family.context,
                max_output_tokens: family.max_output,
                capabilities: family.caps.to_vec(),
                license: family.license.to_string(),
                open_weights,
                provenance: ProvenanceRecord {
                    origin_country: Some(partner.country.to_string()),
                    lineage: Lineage::Original,
                    base_model_slug: None,
                    model_card_url: Some(format!(
                        "https://{}.example/models/{}-{stamp}",
                        partner.slug, family.stem
                    )),
                    weights_digest: None,
                    release_date: Some(released),
                },
                lifecycle: LifecycleRecord {
                    status: LifecycleStatus::Ga,
                    deprecation_date: None,
                    retirement_date: None,
                    successor_slug: None,
                },
                tags: vec![
                    "synthetic".to_string(),
                    "demo-partner".to_string(),
                    "partner-original".to_string(),
                ],
            },
            prices: scaled(&prices, Decimal::new(percent as i64, 2)),
            params_b: family.params_b,
            own_region: Some(rng.pick(partner.home)),
            fixed: None,
        };
        versions.push(seal(listing, &mut rng));
    }
    link_versions(&mut versions, 100, &mut rng);
    versions
}

#[cfg(test)]
mod tests {
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
                .find(|o| {
                    o.model_slug == "deepseek/deepseek-r1" && o.region == region && o.deployment_type == deployment
                })
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
        let deployments: BTreeSet<DeploymentType> = batch.offers.iter().map(|o| o.deployment_type).collect();
        assert_eq!(deployments.len(), DeploymentType::ALL.len());
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
}
