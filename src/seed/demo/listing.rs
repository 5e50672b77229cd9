//! A demo listing and the builder the curated data is written with.

use super::*;

/// A model listing plus what offers are generated from.
#[derive(Clone)]
pub(super) struct Listing {
    pub(super) model: ModelRecord,
    /// The list price components (global, serverless, first-party where there is one).
    pub(super) prices: Vec<PriceRecord>,
    /// Parameter count in billions (total for mixture-of-experts; 1 for sub-billion
    /// models; 0 when undisclosed). Sizes managed-compute prices.
    pub(super) params_b: u32,
    /// Region of the publisher's own endpoint, when it runs one.
    pub(super) own_region: Option<&'static str>,
    /// Fixed offer placements instead of generated ones.
    pub(super) fixed: Option<&'static [Placement]>,
}

pub(super) fn default_modalities(task: Task) -> (Vec<Modality>, Vec<Modality>) {
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
pub(super) fn first_party_region(publisher: &str) -> Option<&'static str> {
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
pub(super) fn docs_page(publisher: &str, name: &str) -> String {
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
pub(super) fn model(task: Task, slug: &str, name: &str, family: &str, released: &str) -> Listing {
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

pub(super) fn chat(slug: &str, name: &str, family: &str, released: &str) -> Listing {
    model(Task::Chat, slug, name, family, released)
}

pub(super) fn price(dimension: PriceDimension, unit: PriceUnit, amount: Decimal, tier: Option<i32>) -> PriceRecord {
    PriceRecord {
        dimension,
        unit,
        amount,
        currency: "USD".to_string(),
        tier_min_context_tokens: tier,
    }
}

impl Listing {
    pub(super) fn about(mut self, text: &str) -> Self {
        self.model.description = text.to_string();
        self
    }

    pub(super) fn ver(mut self, version: &str) -> Self {
        self.model.version = Some(version.to_string());
        self
    }

    pub(super) fn ctx(mut self, context: i32, max_output: i32) -> Self {
        self.model.context_window = Some(context);
        self.model.max_output_tokens = Some(max_output);
        self
    }

    /// Context window only (embeddings, rerankers, moderation).
    pub(super) fn window(mut self, context: i32) -> Self {
        self.model.context_window = Some(context);
        self
    }

    pub(super) fn input(mut self, modalities: &[Modality]) -> Self {
        for modality in modalities {
            if !self.model.input_modalities.contains(modality) {
                self.model.input_modalities.push(*modality);
            }
        }
        self
    }

    pub(super) fn caps(mut self, capabilities: &[Capability]) -> Self {
        for capability in capabilities {
            if !self.model.capabilities.contains(capability) {
                self.model.capabilities.push(*capability);
            }
        }
        self
    }

    /// Function calling, structured output and system messages.
    pub(super) fn tools(self) -> Self {
        self.caps(&[
            Capability::FunctionCalling,
            Capability::StructuredOutput,
            Capability::SystemMessages,
        ])
    }

    pub(super) fn parallel(self) -> Self {
        self.caps(&[Capability::ParallelFunctionCalling])
    }

    pub(super) fn vision(self) -> Self {
        self.input(&[Modality::Image]).caps(&[Capability::Vision])
    }

    pub(super) fn reasoning(self) -> Self {
        self.caps(&[Capability::Reasoning])
    }

    pub(super) fn caching(self) -> Self {
        self.caps(&[Capability::PromptCaching])
    }

    /// Open weights under `license`, with the parameter count in billions.
    pub(super) fn open(mut self, license: &str, params_b: u32) -> Self {
        self.model.license = license.to_string();
        self.model.open_weights = true;
        self.params_b = params_b;
        self
    }

    pub(super) fn params(mut self, params_b: u32) -> Self {
        self.params_b = params_b;
        self
    }

    pub(super) fn from(mut self, lineage: Lineage, base: &str) -> Self {
        self.model.provenance.lineage = lineage;
        self.model.provenance.base_model_slug = Some(base.to_string());
        self
    }

    pub(super) fn card(mut self, url: &str) -> Self {
        self.model.provenance.model_card_url = Some(url.to_string());
        self
    }

    /// The Hugging Face model page `org/Repo` as the model card.
    pub(super) fn hf(self, repo: &str) -> Self {
        let url = format!("https://huggingface.co/{repo}");
        self.card(&url)
    }

    pub(super) fn price(mut self, dimension: PriceDimension, unit: PriceUnit, amount: &str) -> Self {
        self.prices.push(price(dimension, unit, money(amount), None));
        self
    }

    /// USD per 1M input and output tokens.
    pub(super) fn tok(self, input: &str, output: &str) -> Self {
        self.price(PriceDimension::InputTokens, PriceUnit::PerMillionTokens, input)
            .price(PriceDimension::OutputTokens, PriceUnit::PerMillionTokens, output)
    }

    /// USD per 1M input tokens only (embeddings, moderation).
    pub(super) fn tok_in(self, input: &str) -> Self {
        self.price(PriceDimension::InputTokens, PriceUnit::PerMillionTokens, input)
    }

    /// USD per 1M cached input tokens (cache read).
    pub(super) fn cached(self, amount: &str) -> Self {
        self.price(PriceDimension::CachedInputTokens, PriceUnit::PerMillionTokens, amount)
            .caching()
    }

    /// USD per 1M tokens written to the prompt cache.
    pub(super) fn cache_write(self, amount: &str) -> Self {
        self.price(PriceDimension::CacheWriteTokens, PriceUnit::PerMillionTokens, amount)
    }

    /// Input and output prices that apply above `threshold` tokens of context.
    pub(super) fn above(mut self, threshold: i32, input: &str, output: &str) -> Self {
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

    pub(super) fn per_image(self, amount: &str) -> Self {
        self.price(PriceDimension::Image, PriceUnit::PerImage, amount)
    }

    pub(super) fn preview(mut self) -> Self {
        self.model.lifecycle.status = LifecycleStatus::Preview;
        self
    }

    pub(super) fn deprecated(mut self, on: &str, retire: Option<&str>, successor: &str) -> Self {
        self.model.lifecycle = LifecycleRecord {
            status: LifecycleStatus::Deprecated,
            deprecation_date: Some(date(on)),
            retirement_date: retire.map(date),
            successor_slug: Some(successor.to_string()),
        };
        self
    }

    pub(super) fn retired(mut self, deprecated_on: &str, retired_on: &str, successor: &str) -> Self {
        self.model.lifecycle = LifecycleRecord {
            status: LifecycleStatus::Retired,
            deprecation_date: Some(date(deprecated_on)),
            retirement_date: Some(date(retired_on)),
            successor_slug: Some(successor.to_string()),
        };
        self
    }

    pub(super) fn tags(mut self, tags: &[&str]) -> Self {
        self.model.tags.extend(tags.iter().map(|t| t.to_string()));
        self
    }

    pub(super) fn at(mut self, placements: &'static [Placement]) -> Self {
        self.fixed = Some(placements);
        self
    }
}

/// Adds the tags every listing derives from its facts, removes duplicates, and
/// fills a missing model card with the publisher's documentation page.
pub(super) fn finish_tags(model: &mut ModelRecord) {
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

pub(super) fn publisher_record(slug: &str) -> PublisherRecord {
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
