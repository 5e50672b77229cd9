//! Maps the LiteLLM price feed (`model_prices_and_context_window.json`: one
//! entry per hosting-provider model id) into a [`CatalogBatch`].
//!
//! The feed lists *offers* (a model as sold by one provider, sometimes in one
//! region); the catalog lists *models* once, with every offer hanging off the
//! listing. So each feed key is parsed into (publisher, model name, placement,
//! operator), entries naming the same model are merged into one listing, and
//! every entry that cannot become an offer is reported in `rejected` with the
//! reason: no key silently disappears.
//!
//! The mapper is pure and deterministic: no clock, no I/O, and every choice
//! between competing entries is made by an explicit ranking, so the same feed
//! always yields the same batch whatever the JSON map's iteration order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};

use crate::domain::batch::{
    CatalogBatch, LifecycleRecord, ModelRecord, OfferRecord, PriceRecord, ProvenanceRecord, PublisherRecord, Rejection,
};
use crate::domain::publishers::{find_publisher, publisher_for_model_name, publisher_for_org, KnownPublisher};
use crate::domain::regions::find_region;
use crate::domain::vocab::{
    Capability, DeploymentType, LifecycleStatus, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit,
    ProcessingScope, Task,
};

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("the feed must be a JSON object keyed by model id")]
    NotAnObject,
}

/// Maps the whole feed. Fails only when the document is not an object; every
/// problem with a single entry becomes a [`Rejection`] instead.
pub fn map_feed(feed: &Value) -> Result<CatalogBatch, FeedError> {
    let entries = feed.as_object().ok_or(FeedError::NotAnObject)?;

    let mut rejected = Vec::new();
    let mut parsed = Vec::new();
    for (key, value) in entries {
        match parse_entry(key, value) {
            Ok((entry, partial)) => {
                // Some supported_regions were unknown: the good ones become
                // offers, the unknown ones are still reported.
                if let Some(reason) = partial {
                    rejected.push(Rejection {
                        key: key.clone(),
                        reason,
                    });
                }
                parsed.push(entry);
            }
            Err(reason) => rejected.push(Rejection {
                key: key.clone(),
                reason,
            }),
        }
    }

    adopt_publishers(&mut parsed);
    let survivors = choose_offers(&parsed, &mut rejected);
    let batch = assemble(&parsed, &survivors, rejected);
    Ok(batch)
}

// ---------------------------------------------------------------------------
// Hosting providers (operators)
// ---------------------------------------------------------------------------

/// A hosting provider as an operator of offers, and (when it makes models of
/// its own) as the publisher of last resort.
struct Host {
    ids: &'static [&'static str],
    operator: &'static str,
    country: Option<&'static str>,
    /// Publisher of the host's own models: a `KNOWN_PUBLISHERS` slug, or a
    /// (slug, name) pair for makers the domain table does not know.
    maker: Maker,
}

enum Maker {
    Known(&'static str),
    Named(&'static str, &'static str),
}

const fn host(
    ids: &'static [&'static str],
    operator: &'static str,
    country: Option<&'static str>,
    maker: Maker,
) -> Host {
    Host {
        ids,
        operator,
        country,
        maker,
    }
}

const US: Option<&str> = Some("US");
const CN: Option<&str> = Some("CN");

/// Operators whose name and headquarters are public facts. Service names are
/// kept apart where one company runs several distinct offerings (Azure OpenAI
/// vs Azure AI Foundry, Vertex AI vs the Gemini API), because they are
/// different offers with their own terms and prices. Providers not listed
/// here keep their feed id as name and an unknown country.
#[rustfmt::skip]
const HOSTS: &[Host] = &[
    host(&["openai", "text-completion-openai"], "OpenAI", US, Maker::Known("openai")),
    host(&["chatgpt"], "OpenAI (ChatGPT subscription)", US, Maker::Known("openai")),
    host(&["azure", "azure_text"], "Microsoft Azure (OpenAI)", US, Maker::Known("microsoft")),
    host(&["azure_ai"], "Microsoft Azure (AI Foundry)", US, Maker::Known("microsoft")),
    host(&["microsoft_365_copilot"], "Microsoft 365 Copilot", US, Maker::Known("microsoft")),
    host(&["bing_grounding"], "Microsoft Bing", US, Maker::Known("microsoft")),
    host(&["github_copilot"], "GitHub Copilot", US, Maker::Named("github", "GitHub")),
    host(&["bedrock", "bedrock_converse", "bedrock_mantle"], "Amazon Web Services (Bedrock)", US,
        Maker::Known("amazon")),
    host(&["agentcore"], "Amazon Web Services (Bedrock AgentCore)", US, Maker::Known("amazon")),
    host(&["sagemaker"], "Amazon Web Services (SageMaker)", US, Maker::Known("amazon")),
    host(&["aws_polly"], "Amazon Web Services (Polly)", US, Maker::Known("amazon")),
    host(&["transcribe"], "Amazon Web Services (Transcribe)", US, Maker::Known("amazon")),
    host(&["amazon_nova"], "Amazon (Nova API)", US, Maker::Known("amazon")),
    host(&["vertex_ai"], "Google Cloud (Vertex AI)", US, Maker::Known("google")),
    host(&["gemini"], "Google (Gemini API)", US, Maker::Known("google")),
    host(&["google_pse"], "Google (Programmable Search)", US, Maker::Known("google")),
    host(&["anthropic"], "Anthropic", US, Maker::Known("anthropic")),
    host(&["mistral", "codestral", "text-completion-codestral"], "Mistral AI", Some("FR"), Maker::Known("mistral")),
    host(&["deepseek"], "DeepSeek", CN, Maker::Known("deepseek")),
    host(&["dashscope"], "Alibaba Cloud (DashScope)", CN, Maker::Known("alibaba")),
    host(&["qwen_ai_platform"], "Alibaba Cloud (Qwen AI Platform)", CN, Maker::Known("alibaba")),
    host(&["qwencloud"], "Alibaba Cloud (Qwen Cloud)", CN, Maker::Known("alibaba")),
    host(&["volcengine"], "ByteDance (Volcano Engine)", CN, Maker::Known("bytedance")),
    host(&["moonshot"], "Moonshot AI", CN, Maker::Known("moonshot")),
    host(&["zai"], "Z.ai", CN, Maker::Known("zhipu")),
    host(&["bigmodel"], "Zhipu AI (BigModel)", CN, Maker::Known("zhipu")),
    host(&["minimax"], "MiniMax", CN, Maker::Known("minimax")),
    host(&["tencent"], "Tencent Cloud", CN, Maker::Known("tencent")),
    host(&["xiaomi_mimo"], "Xiaomi MiMo", CN, Maker::Known("xiaomi")),
    host(&["xai"], "xAI", US, Maker::Known("xai")),
    host(&["perplexity"], "Perplexity", US, Maker::Known("perplexity")),
    host(&["cohere", "cohere_chat"], "Cohere", Some("CA"), Maker::Known("cohere")),
    host(&["ai21"], "AI21 Labs", Some("IL"), Maker::Known("ai21")),
    host(&["meta"], "Meta", US, Maker::Known("meta")),
    host(&["meta_llama"], "Meta (Llama API)", US, Maker::Known("meta")),
    host(&["nvidia_nim"], "NVIDIA NIM", US, Maker::Known("nvidia")),
    host(&["databricks"], "Databricks", US, Maker::Known("databricks")),
    host(&["snowflake"], "Snowflake", US, Maker::Known("snowflake")),
    host(&["watsonx"], "IBM watsonx", US, Maker::Known("ibm")),
    host(&["oci"], "Oracle Cloud Infrastructure", US, Maker::Named("oracle", "Oracle")),
    host(&["voyage"], "Voyage AI", US, Maker::Known("voyage")),
    host(&["jina_ai"], "Jina AI", Some("DE"), Maker::Known("jina")),
    host(&["deepgram"], "Deepgram", US, Maker::Known("deepgram")),
    host(&["elevenlabs"], "ElevenLabs", US, Maker::Known("elevenlabs")),
    host(&["assemblyai"], "AssemblyAI", US, Maker::Known("assemblyai")),
    host(&["stability"], "Stability AI", Some("GB"), Maker::Known("stability")),
    host(&["black_forest_labs"], "Black Forest Labs", Some("DE"), Maker::Known("black-forest-labs")),
    host(&["recraft"], "Recraft", US, Maker::Known("recraft")),
    host(&["runwayml"], "Runway", US, Maker::Known("runway")),
    host(&["sarvam"], "Sarvam AI", Some("IN"), Maker::Known("sarvam")),
    host(&["gigachat"], "Sber (GigaChat)", Some("RU"), Maker::Named("sber", "Sber")),
    host(&["fireworks_ai"], "Fireworks AI", US, Maker::Named("fireworks-ai", "Fireworks AI")),
    host(&["together_ai"], "Together AI", US, Maker::Named("together-ai", "Together AI")),
    host(&["deepinfra"], "DeepInfra", US, Maker::Named("deepinfra", "DeepInfra")),
    host(&["groq"], "Groq", US, Maker::Named("groq", "Groq")),
    host(&["cerebras"], "Cerebras", US, Maker::Named("cerebras", "Cerebras")),
    host(&["cloudflare"], "Cloudflare Workers AI", US, Maker::Named("cloudflare", "Cloudflare")),
    host(&["replicate"], "Replicate", US, Maker::Named("replicate", "Replicate")),
    host(&["fal_ai"], "fal.ai", US, Maker::Named("fal-ai", "fal.ai")),
    host(&["novita"], "Novita AI", US, Maker::Named("novita", "Novita AI")),
    host(&["nebius"], "Nebius AI Studio", Some("NL"), Maker::Named("nebius", "Nebius")),
    host(&["openrouter"], "OpenRouter", US, Maker::Named("openrouter", "OpenRouter")),
    host(&["vercel_ai_gateway"], "Vercel AI Gateway", US, Maker::Named("vercel", "Vercel")),
    host(&["v0"], "Vercel v0", US, Maker::Named("vercel", "Vercel")),
    host(&["baseten"], "Baseten", US, Maker::Named("baseten", "Baseten")),
    host(&["sambanova"], "SambaNova", US, Maker::Named("sambanova", "SambaNova")),
    host(&["hyperbolic"], "Hyperbolic", US, Maker::Named("hyperbolic", "Hyperbolic")),
    host(&["lambda_ai"], "Lambda", US, Maker::Named("lambda", "Lambda")),
    host(&["anyscale"], "Anyscale", US, Maker::Named("anyscale", "Anyscale")),
    host(&["ollama"], "Ollama", US, Maker::Named("ollama", "Ollama")),
    host(&["gradient_ai"], "DigitalOcean (Gradient AI)", US, Maker::Named("digitalocean", "DigitalOcean")),
    host(&["heroku"], "Heroku", US, Maker::Named("heroku", "Heroku")),
    host(&["crusoe"], "Crusoe", US, Maker::Named("crusoe", "Crusoe")),
    host(&["wandb"], "Weights & Biases", US, Maker::Named("wandb", "Weights & Biases")),
    host(&["inception", "text-completion-inception"], "Inception Labs", US,
        Maker::Named("inception", "Inception Labs")),
    host(&["cognition"], "Cognition", US, Maker::Named("cognition", "Cognition")),
    host(&["parallel_ai"], "Parallel Web Systems", US, Maker::Named("parallel", "Parallel Web Systems")),
    host(&["exa_ai"], "Exa", US, Maker::Named("exa", "Exa")),
    host(&["duckduckgo"], "DuckDuckGo", US, Maker::Named("duckduckgo", "DuckDuckGo")),
    host(&["you_com"], "You.com", US, Maker::Named("you-com", "You.com")),
    host(&["nscale"], "Nscale", Some("GB"), Maker::Named("nscale", "Nscale")),
    host(&["ovhcloud"], "OVHcloud", Some("FR"), Maker::Named("ovhcloud", "OVHcloud")),
    host(&["scaleway"], "Scaleway", Some("FR"), Maker::Named("scaleway", "Scaleway")),
    host(&["hostinger_router"], "Hostinger", Some("LT"), Maker::Named("hostinger", "Hostinger")),
];

/// The feed splits some providers into catalogue sections
/// (`vertex_ai-anthropic_models`, `fireworks_ai-embedding-models`); they are
/// one service.
fn provider_base(provider: &str) -> &str {
    match provider.split_once('-') {
        Some((base, _)) if base.contains('_') => base,
        _ => provider,
    }
}

fn host_for(provider: &str) -> Option<&'static Host> {
    let base = provider_base(provider);
    HOSTS.iter().find(|host| host.ids.contains(&base))
}

struct Operator {
    name: String,
    country: Option<String>,
    maker: PublisherInfo,
}

fn operator_for(provider: &str) -> Operator {
    match host_for(provider) {
        Some(host) => {
            let maker = match host.maker {
                Maker::Known(slug) => find_publisher(slug).map(PublisherInfo::known),
                Maker::Named(slug, name) => Some(PublisherInfo {
                    slug: slug.to_string(),
                    name: name.to_string(),
                    country: host.country.map(str::to_string),
                    website: None,
                }),
            }
            .unwrap_or_else(|| PublisherInfo::unknown(provider_base(provider), host.country));
            Operator {
                name: host.operator.to_string(),
                country: host.country.map(str::to_string),
                maker,
            }
        }
        None => Operator {
            name: provider_base(provider).to_string(),
            country: None,
            maker: PublisherInfo::unknown(provider_base(provider), None),
        },
    }
}

// ---------------------------------------------------------------------------
// Publishers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct PublisherInfo {
    slug: String,
    name: String,
    country: Option<String>,
    website: Option<String>,
}

impl PublisherInfo {
    fn known(publisher: &KnownPublisher) -> Self {
        PublisherInfo {
            slug: publisher.slug.to_string(),
            name: publisher.name.to_string(),
            country: Some(publisher.country.to_string()),
            website: Some(publisher.website.to_string()),
        }
    }

    /// A publisher we only know by its name in the feed (an organisation
    /// path segment or a provider id): no facts are invented for it.
    fn unknown(name: &str, country: Option<&str>) -> Self {
        let slug = publisher_slug(name);
        if let Some(known) = find_publisher(&slug) {
            return PublisherInfo::known(known);
        }
        PublisherInfo {
            slug,
            name: name.to_string(),
            country: country.map(str::to_string),
            website: None,
        }
    }
}

/// Organisation names used in feed paths that the domain table lacks; each
/// maps to a publisher it does know (the org is that company's own).
const LOCAL_ORG_ALIASES: &[(&str, &str)] = &[
    ("meta-models", "meta"),
    ("codellama", "meta"),
    ("kwaipilot", "kuaishou"),
    ("baichuan", "baichuan"),
    ("paddlepaddle", "baidu"),
    ("mistral-ai", "mistral"),
];

fn known_org(org: &str) -> Option<&'static KnownPublisher> {
    let lower = org.to_ascii_lowercase();
    publisher_for_org(&lower).or_else(|| {
        LOCAL_ORG_ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .and_then(|(_, slug)| find_publisher(slug))
    })
}

/// Model-name stems the domain table lacks, each a well-known product line of
/// a known publisher (Nano Banana is Google's, Hailuo is MiniMax's, ...).
const LOCAL_STEMS: &[(&str, &str)] = &[
    ("nano-banana", "google"),
    ("virtual-try-on", "google"),
    ("semantic-ranker", "google"),
    ("codegemma", "google"),
    ("trellis", "microsoft"),
    ("scribe", "elevenlabs"),
    ("dreamina", "bytedance"),
    ("skylark", "bytedance"),
    ("hailuo", "minimax"),
    ("aleph", "runway"),
    ("sam-", "meta"),
    ("wan3", "alibaba"),
    ("tongyi", "alibaba"),
    ("code-qwen", "alibaba"),
    ("stepaudio", "stepfun"),
    ("codegeex", "zhipu"),
    ("kat-", "kuaishou"),
    ("hy3", "tencent"),
    ("hy4", "tencent"),
];

/// Where a host's own product names collide with another publisher's stem:
/// Deepgram's Nova speech models are not Amazon Nova, Voyage's rerankers are
/// not Cohere's.
const HOST_STEMS: &[(&str, &str, &str)] = &[
    ("deepgram", "nova", "deepgram"),
    ("voyage", "rerank", "voyage"),
    // Vertex's `text-embedding-005` is Google's, not OpenAI's.
    ("vertex_ai", "text-embedding", "google"),
];

fn publisher_for_name(name: &str, provider: &str) -> Option<&'static KnownPublisher> {
    let lower = name.to_ascii_lowercase();
    if let Some((_, _, slug)) = HOST_STEMS
        .iter()
        .find(|(host, stem, _)| *host == provider_base(provider) && lower.starts_with(stem))
    {
        return find_publisher(slug);
    }
    publisher_for_model_name(&lower).or_else(|| {
        LOCAL_STEMS
            .iter()
            .find(|(stem, _)| lower.starts_with(stem))
            .and_then(|(_, slug)| find_publisher(slug))
    })
}

/// Publisher slug: lowercase `[a-z0-9-]`.
fn publisher_slug(text: &str) -> String {
    collapse(text, |c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Model-name part of a slug: lowercase `[a-z0-9._-]`, other characters
/// become `-`, runs of `-` collapse.
fn model_slug_name(text: &str) -> String {
    collapse(text, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'
    })
}

fn collapse(text: &str, keep: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().map(|c| c.to_ascii_lowercase()) {
        let c = if keep(c) { c } else { '-' };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
    }
    while out.ends_with(['-', '.', '_']) {
        out.pop();
    }
    while out.starts_with(['.', '_']) {
        out.remove(0);
    }
    out
}

// ---------------------------------------------------------------------------
// Key parsing
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Placement {
    region: &'static str,
    scope: ProcessingScope,
}

const GLOBAL: Placement = Placement {
    region: "global",
    scope: ProcessingScope::Global,
};

fn regional(code: &str) -> Option<Placement> {
    find_region(code).map(|region| Placement {
        region: region.code,
        scope: if region.code == "global" {
            ProcessingScope::Global
        } else if region.code.starts_with("datazone-") {
            ProcessingScope::DataZone
        } else {
            ProcessingScope::Regional
        },
    })
}

fn zone(code: &'static str) -> Placement {
    Placement {
        region: code,
        scope: ProcessingScope::DataZone,
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Cloud {
    Aws,
    Azure,
    Other,
}

fn cloud_of(provider: &str) -> Cloud {
    match provider {
        "bedrock" | "bedrock_converse" | "bedrock_mantle" | "sagemaker" => Cloud::Aws,
        "azure" | "azure_text" | "azure_ai" => Cloud::Azure,
        _ => Cloud::Other,
    }
}

#[derive(Debug, Default)]
struct KeyParts {
    org: Option<String>,
    /// Model name in the feed's own casing, before slugging.
    name: String,
    placements: Vec<Placement>,
    /// The key itself says where the offer runs (a region, data zone or
    /// global segment), which makes it more specific than a bare key.
    explicit_location: bool,
    commitment_months: Option<u32>,
    /// How far the key is from the plain offer: image quality/size variants,
    /// `:variantN` suffixes. Lower wins when two keys describe one offer.
    variant_score: u32,
    fine_tune: bool,
    /// Who runs the offer when the key says it is not the provider itself.
    operator: Option<(&'static str, Option<&'static str>)>,
}

/// Image quality words used as path segments before a size (`high/1024-x-1024/`).
const QUALITY_WORDS: &[&str] = &["low", "medium", "high", "hd", "standard", "xhigh", "max", "auto"];
/// The defaults of the image APIs: the plain offer is priced at these.
const DEFAULT_QUALITIES: &[&str] = &["standard", "medium", "auto"];

/// Path segments that only route a request (API surface, catalogue prefix)
/// and say nothing about the model.
const ROUTE_WORDS: &[&str] = &["invoke", "converse", "claude_platform", "speech", "ranking", "ps"];

/// First path segments that are product words rather than organisations, so
/// `azure_ai/doc-intelligence/prebuilt-read` is not published by "doc-intelligence".
const NON_ORG_WORDS: &[&str] = &["streaming", "preset", "doc-intelligence", "search", "agent"];

/// Provider ids whose key prefix differs from the id.
const ROUTE_ALIASES: &[(&str, &str)] = &[
    ("azure_text", "azure"),
    ("bedrock_converse", "bedrock"),
    ("amazon_nova", "amazon-nova"),
    ("cohere_chat", "cohere"),
];

/// A host's own namespace inside its paths (`fal_ai/fal-ai/flux/dev`,
/// `perplexity/perplexity/sonar`): it claims no authorship of the model.
const HOST_NAMESPACES: &[(&str, &str)] = &[
    ("fal_ai", "fal-ai"),
    ("together_ai", "together"),
    ("together_ai", "togethercomputer"),
    ("gmi", "gmicloud"),
    ("featherless_ai", "featherless-ai"),
    ("perplexity", "perplexity"),
    ("cloudflare", "cloudflare"),
];

/// Bedrock-style vendor prefixes (`anthropic.claude-...`, `deepseek.r1-v1:0`).
const VENDOR_PREFIXES: &[&str] = &[
    "anthropic",
    "meta",
    "mistral",
    "amazon",
    "cohere",
    "ai21",
    "deepseek",
    "openai",
    "qwen",
    "zai",
    "moonshot",
    "moonshotai",
    "minimax",
    "nvidia",
    "google",
    "writer",
    "twelvelabs",
    "stability",
    "xai",
    "luma",
];

fn is_route_prefix(segment: &str, provider: &str) -> bool {
    segment == provider
        || segment == provider_base(provider)
        || ROUTE_ALIASES.iter().any(|(p, s)| *p == provider && *s == segment)
}

fn is_host_namespace(segment: &str, provider: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    HOST_NAMESPACES
        .iter()
        .any(|(p, ns)| *p == provider_base(provider) && *ns == lower)
}

fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `1024-x-1024`, `max-x-max`.
fn is_size_segment(segment: &str) -> bool {
    let dimension = |part: &str| part == "max" || all_digits(part);
    segment
        .split_once("-x-")
        .is_some_and(|(w, h)| dimension(w) && dimension(h))
}

/// `50-steps`, `max-steps`.
fn is_steps_segment(segment: &str) -> bool {
    segment
        .strip_suffix("-steps")
        .is_some_and(|n| n == "max" || all_digits(n))
}

fn commitment_months(segment: &str) -> Option<u32> {
    segment.strip_suffix("-month-commitment").and_then(|n| n.parse().ok())
}

/// AWS region shape: `us-east-1`, `us-gov-west-1`, `ap-southeast-7`.
fn looks_like_aws_region(segment: &str) -> bool {
    let parts: Vec<&str> = segment.split('-').collect();
    (3..=4).contains(&parts.len())
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && all_digits(parts[parts.len() - 1])
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Azure deployment-type path segments (`azure/eu/gpt-4o`): data zones and
/// global standard. Azure Government is its two public US Gov regions.
fn azure_zone(segment: &str) -> Option<Vec<Placement>> {
    Some(match segment {
        "eu" => vec![zone("datazone-eu")],
        "us" => vec![zone("datazone-us")],
        "apac" => vec![zone("datazone-apac")],
        "global" | "global-standard" => vec![GLOBAL],
        "us-gov" => vec![
            Placement {
                region: "usgovarizona",
                scope: ProcessingScope::Regional,
            },
            Placement {
                region: "usgovvirginia",
                scope: ProcessingScope::Regional,
            },
        ],
        other => vec![regional(other)?],
    })
}

/// Bedrock cross-region inference prefixes: the request may be served in any
/// region of the zone. `us-gov.` spans the two GovCloud regions, so it is one
/// data-zone offer in each of them.
fn bedrock_geo(prefix: &str) -> Option<Vec<Placement>> {
    Some(match prefix {
        "us" => vec![zone("datazone-us")],
        "eu" => vec![zone("datazone-eu")],
        "apac" => vec![zone("datazone-apac")],
        "jp" => vec![zone("datazone-jp")],
        "au" => vec![zone("datazone-au")],
        "ca" => vec![zone("datazone-ca")],
        "global" => vec![GLOBAL],
        "us-gov" => vec![zone("us-gov-east-1"), zone("us-gov-west-1")],
        _ => return None,
    })
}

fn parse_key(key: &str, provider: &str) -> Result<KeyParts, String> {
    let mut parts = KeyParts::default();
    let cloud = cloud_of(provider);

    // `ft:` marks OpenAI fine-tuning prices for a base model.
    let rest = match key.strip_prefix("ft:") {
        Some(rest) => {
            parts.fine_tune = true;
            rest
        }
        None => key,
    };

    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err("the key names no model".to_string());
    }
    let last = segments.len() - 1;
    let mut kept: Vec<&str> = Vec::new();
    let mut route_dropped = false;
    let mut quality: Option<&str> = None;
    let mut size: Option<&str> = None;
    let mut steps: Option<&str> = None;
    let mut i = 0;
    while i < segments.len() {
        let segment = segments[i];
        if i == last {
            kept.push(segment);
            break;
        }
        if !route_dropped && kept.is_empty() && is_route_prefix(segment, provider) {
            route_dropped = true;
        } else if segment == "accounts" && i + 2 < last {
            // Fireworks: accounts/<account>/models|routers/<model>; the
            // platform's own account claims nothing.
            let account = segments[i + 1];
            i += 1;
            if matches!(segments[i + 1], "models" | "routers" | "deployments") {
                i += 1;
            }
            if account != "fireworks" {
                kept.push(account);
            }
        } else if segment.starts_with('@') || ROUTE_WORDS.contains(&segment) {
            // Catalogue prefixes (@cf, @hf) and API-surface words.
        } else if QUALITY_WORDS.contains(&segment) && is_size_segment(segments[i + 1]) {
            quality = Some(segment);
        } else if is_size_segment(segment) {
            size = Some(segment);
        } else if is_steps_segment(segment) {
            steps = Some(segment);
        } else if let Some(months) = commitment_months(segment) {
            parts.commitment_months = Some(months);
        } else if cloud == Cloud::Aws && (segment == "*" || looks_like_aws_region(segment)) {
            match regional(segment) {
                Some(placement) if segment != "*" => {
                    parts.placements.push(placement);
                    parts.explicit_location = true;
                }
                _ => return Err(format!("region '{segment}' is not in the region table")),
            }
        } else if cloud == Cloud::Azure && kept.is_empty() {
            match azure_zone(segment) {
                Some(placements) => {
                    parts.placements.extend(placements);
                    parts.explicit_location = true;
                }
                None => kept.push(segment),
            }
        } else {
            kept.push(segment);
        }
        i += 1;
    }

    // Rank image variants so the API defaults (standard/medium, 1024x1024)
    // stand for the offer when the catalog can hold only one image price.
    if quality.is_some() || size.is_some() || steps.is_some() {
        parts.variant_score += 1;
        if quality.is_some_and(|q| !DEFAULT_QUALITIES.contains(&q)) {
            parts.variant_score += 1;
        }
        if size.is_some_and(|s| s != "1024-x-1024") {
            parts.variant_score += 1;
        }
        if steps.is_some_and(|s| s != "50-steps") {
            parts.variant_score += 1;
        }
    }

    // Organisation and model name from what is left of the path.
    let mut host_namespace = false;
    if kept.len() >= 2 && is_host_namespace(kept[0], provider) {
        kept.remove(0);
        host_namespace = true;
    }
    let (org, name) = if kept.len() == 1 {
        (None, kept[0].to_string())
    } else if known_org(kept[0]).is_some() {
        (Some(kept[0].to_string()), kept[1..].join("-"))
    } else if !host_namespace
        && kept.len() == 2
        && !NON_ORG_WORDS.contains(&kept[0])
        && publisher_for_name(kept[0], provider).is_none()
    {
        // Hugging Face convention: `org/model`, the org publishes it.
        (Some(kept[0].to_string()), kept[1].to_string())
    } else {
        // A model path such as `flux-pro/v1.1/edit`: the last segment alone
        // is generic, so the whole path names the model.
        (None, kept.join("-"))
    };
    parts.org = org;
    parts.name = name;

    // Bedrock ids: `[geo.]vendor.model[-vN:M]`.
    if parts.org.is_none() {
        let full = parts.name.clone();
        let pieces: Vec<&str> = full.split('.').collect();
        let mut start = 0;
        if cloud == Cloud::Aws && pieces.len() >= 3 && VENDOR_PREFIXES.contains(&pieces[1]) {
            let geo = pieces[0];
            match bedrock_geo(geo) {
                Some(placements) if parts.placements.is_empty() => {
                    parts.placements = placements;
                    parts.explicit_location = true;
                }
                // A region segment in the key is more specific than the zone.
                Some(_) => {}
                None => {
                    return Err(format!(
                        "cross-region prefix '{geo}' has no data zone in the region table"
                    ))
                }
            }
            start = 1;
        }
        if pieces.len() > start + 1 && VENDOR_PREFIXES.contains(&pieces[start]) {
            let vendor = pieces[start];
            let model = pieces[start + 1..].join(".");
            let vendor_publisher = known_org(vendor).map(|p| p.slug);
            let model_publisher = publisher_for_name(&model, provider).map(|p| p.slug);
            // `deepseek.v3.2` is DeepSeek V3.2: the vendor word is part of
            // the name when the rest does not name the model by itself.
            let mut model = model;
            // Newer Bedrock ids end in a bare `-v1` revision
            // (`anthropic.claude-opus-4-6-v1`); for names without a version of
            // their own (`titan-text-express-v1`) it is the model version.
            if let Some(stem) = model.strip_suffix("-v1") {
                if stem.contains(|c: char| c.is_ascii_digit()) {
                    model = stem.to_string();
                }
            }
            parts.name = if vendor_publisher.is_some() && vendor_publisher == model_publisher {
                model
            } else {
                format!("{vendor}-{model}")
            };
            parts.org = Some(vendor.to_string());
        }
    }

    // Foundry's `FW-` models are served by Fireworks AI on Microsoft's
    // marketplace: a different operator from Azure's own deployments.
    if provider == "azure_ai" {
        if let Some(rest) = parts.name.strip_prefix("FW-") {
            parts.name = rest.to_string();
            parts.operator = Some(("Fireworks AI (on Microsoft Foundry)", US));
        }
    }
    parts.name = clean_name(&parts.name, provider, &mut parts.variant_score);
    if parts.name.is_empty() {
        return Err("the key names no model".to_string());
    }

    // `openai-gpt-4o`, `Meta-Llama-3.1-8B`: a maker prefix glued to a model
    // name that is already the maker's is dropped; `Cohere-parse-v5` keeps its
    // name but still says who made it.
    if let Some((head, tail)) = parts.name.split_once('-') {
        if let Some(by_org) = known_org(head) {
            match publisher_for_name(tail, provider) {
                Some(by_name) if by_name.slug == by_org.slug => {
                    if parts.org.is_none() {
                        parts.org = Some(head.to_string());
                    }
                    parts.name = tail.to_string();
                }
                None if parts.org.is_none() => parts.org = Some(head.to_string()),
                _ => {}
            }
        }
    }

    // `fal_ai/fal-ai/ideogram/v3`: on media routers a bare version under the
    // maker's path needs the maker's word to be a name.
    if let (Some(org), "fal_ai" | "aiml") = (&parts.org, provider_base(provider)) {
        let versionish = parts.name.starts_with(|c: char| c.is_ascii_digit())
            || (parts.name.starts_with(['v', 'V']) && parts.name[1..].starts_with(|c: char| c.is_ascii_digit()));
        if versionish {
            parts.name = format!("{org}-{}", parts.name);
        }
    }

    parts.name = canonical_spelling(&parts.name);

    if parts.placements.is_empty() {
        parts.placements.push(GLOBAL);
    }
    Ok(parts)
}

/// Families whose makers write versions with a dot (`gpt-5.4`, `glm-4.6`,
/// `qwen3.5`); some hosts write `gpt-5-4`, `qwen3-5-27b`.
const DOTTED_FAMILIES: &[&str] = &[
    "gpt-",
    "gemini-",
    "glm-",
    "grok-",
    "kimi-k",
    "qwen3",
    "qwen2",
    "deepseek-v",
    "deepseek-r",
    "minimax-m",
    "mimo-v",
    "step-",
    "stepaudio-",
    "llama-",
    "llama3",
    "nemotron-",
    "seed-",
    "granite-",
    "jamba-",
    "sd3",
    "rerank-v",
];

/// One spelling per model across hosts, where the maker's own spelling is
/// clear: dotted versions for the families above, `qwen3` not `qwen-3`,
/// Anthropic's dashed versions and (from Claude 4 on) tier-first order.
fn canonical_spelling(name: &str) -> String {
    let mut name = name.to_string();
    let lower = name.to_ascii_lowercase();

    if let Some(rest) = lower.strip_prefix("qwen-") {
        if rest.starts_with(|c: char| c.is_ascii_digit()) {
            name = format!("{}{}", &name[..4], &name[5..]);
        }
    }

    let lower = name.to_ascii_lowercase();
    if DOTTED_FAMILIES.iter().any(|f| lower.starts_with(f)) {
        // The version is where digits first appear: `5-4` there is 5.4.
        // Longer digit runs (dates, snapshots) and later tokens are left alone.
        let tokens: Vec<&str> = name.split('-').collect();
        let trailing_digits = |t: &str| t.bytes().rev().take_while(u8::is_ascii_digit).count();
        let first_digits = tokens.iter().position(|t| t.contains(|c: char| c.is_ascii_digit()));
        if let Some(i) = first_digits.filter(|&i| {
            i + 1 < tokens.len()
                && (1..=2).contains(&trailing_digits(tokens[i]))
                && !tokens[i].contains('.')
                && tokens[i + 1].len() <= 2
                && all_digits(tokens[i + 1])
        }) {
            let mut joined: Vec<String> = tokens[..i].iter().map(|t| t.to_string()).collect();
            joined.push(format!("{}.{}", tokens[i], tokens[i + 1]));
            joined.extend(tokens[i + 2..].iter().map(|t| t.to_string()));
            name = joined.join("-");
        }
    }

    if name.to_ascii_lowercase().starts_with("claude") {
        // Anthropic writes versions with dashes (`claude-opus-4-5`).
        name = dots_between_digits(&name, '-');
        // `claude-4-5-sonnet` (resellers' old order) is `claude-sonnet-4-5`.
        let tokens: Vec<&str> = name.split('-').collect();
        if tokens.len() >= 3 && tokens[1].len() == 1 && tokens[1].as_bytes()[0] >= b'4' && all_digits(tokens[1]) {
            let minor = tokens.get(2).filter(|t| t.len() == 1 && all_digits(t)).copied();
            let tier_at = if minor.is_some() { 3 } else { 2 };
            if let Some(tier) = tokens
                .get(tier_at)
                .filter(|t| matches!(t.to_ascii_lowercase().as_str(), "opus" | "sonnet" | "haiku"))
            {
                let mut reordered = vec![tokens[0].to_string(), tier.to_string(), tokens[1].to_string()];
                if let Some(minor) = minor {
                    reordered.push(minor.to_string());
                }
                reordered.extend(tokens[tier_at + 1..].iter().map(|t| t.to_string()));
                name = reordered.join("-");
            }
        }
    }
    name
}

/// Provider-specific spellings of version and route details in the last
/// path segment.
fn clean_name(name: &str, provider: &str, variant_score: &mut u32) -> String {
    let mut name = name.to_string();

    // Vertex `@` versions: `@default` is the plain model, others are a
    // version suffix (`jamba-1.5-large@001` is `jamba-1.5-large-001`).
    if let Some((head, version)) = name.split_once('@') {
        name = match version {
            "default" => {
                *variant_score += 1;
                head.to_string()
            }
            "" => head.to_string(),
            _ => format!("{head}-{version}"),
        };
    }

    if name.contains(':') {
        name = bedrock_revision(&name);
    }
    // Remaining colon suffixes: pricing variants of one offer
    // (`:variant1`, `:priority`) or Ollama tags (`llama2:13b`).
    if let Some((head, tag)) = name.split_once(':') {
        name = if tag == "priority" || tag.strip_prefix("variant").is_some_and(all_digits) {
            *variant_score += 1;
            head.to_string()
        } else {
            format!("{head}-{tag}")
        };
    }

    // `Llama-3_1`, `seedance2_5`: an underscore between digits is a version
    // dot; elsewhere it separates words like a dash.
    name = replace_between_digits(&name, '_', '.').replace('_', "-");

    // Vertex model-as-a-service ids end in `-maas`, a route not a model.
    if let Some(head) = name.strip_suffix("-maas") {
        name = head.to_string();
    }

    match provider_base(provider) {
        // Databricks serving endpoints: `databricks-<model>`, `system.ai.<model>`.
        "databricks" => {
            for prefix in ["system.ai.", "databricks-"] {
                if let Some(rest) = name.strip_prefix(prefix) {
                    if !rest.is_empty() {
                        name = rest.to_string();
                    }
                }
            }
        }
        // SageMaker JumpStart ids: `meta-textgeneration-llama-2-7b`.
        "sagemaker" => {
            if let Some(rest) = name.strip_prefix("meta-textgeneration-") {
                name = rest.to_string();
            }
        }
        // Fireworks writes `3p1` for `3.1` (`llama-v3p1`, `kimi-k2p5`).
        "fireworks_ai" => name = p_between_digits(&name),
        _ => {}
    }
    name
}

/// Bedrock revision suffixes: `-v1:0` is the first revision of the model
/// itself; a dated snapshot's revision is dropped; `-v0:2` is Mistral's v0.2;
/// other `-vN:M` keep the model version (`titan-embed-text-v2`,
/// `stable-image-core-v1.1`).
fn bedrock_revision(name: &str) -> String {
    let Some((head, minor)) = name.rsplit_once(':') else {
        return name.to_string();
    };
    if !all_digits(minor) {
        return name.to_string();
    }
    let Some((stem, major)) = head.rsplit_once('-') else {
        return name.to_string();
    };
    if let Some(number) = major.strip_prefix('v').filter(|n| all_digits(n)) {
        let dated = stem
            .rsplit_once('-')
            .is_some_and(|(_, last)| last.len() == 8 && all_digits(last));
        return if number == "0" {
            format!("{stem}-v0.{minor}")
        } else if dated || (number == "1" && minor == "0") {
            stem.to_string()
        } else if minor == "0" {
            format!("{stem}-v{number}")
        } else {
            format!("{stem}-v{number}.{minor}")
        };
    }
    // `gpt-oss-120b-1:0` is revision 1:0 of the model; `rerank-v3-5:0` is
    // Cohere's Rerank 3.5, revision 0.
    if all_digits(major) {
        return if major == "1" && minor == "0" {
            stem.to_string()
        } else {
            head.to_string()
        };
    }
    name.to_string()
}

fn p_between_digits(name: &str) -> String {
    replace_between_digits(name, 'p', '.')
}

fn dots_between_digits(name: &str, with: char) -> String {
    replace_between_digits(name, '.', with)
}

fn replace_between_digits(name: &str, from: char, to: char) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    for (i, &c) in chars.iter().enumerate() {
        let between =
            c == from && i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        out.push(if between { to } else { c });
    }
    out
}

// ---------------------------------------------------------------------------
// Entry parsing
// ---------------------------------------------------------------------------

/// How an entry's publisher was inferred, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PublisherSource {
    /// An organisation segment or vendor prefix in the key.
    Org,
    /// A model-name stem of a known publisher.
    Stem,
    /// Nothing better: the hosting provider itself.
    Host,
}

/// Names that mean nothing outside their provider (`aws_polly/standard`,
/// `agentcore/search`): under a publisher other than the provider they keep
/// the provider's name in front.
const GENERIC_NAMES: &[&str] = &[
    "search",
    "standard",
    "neural",
    "long-form",
    "generative",
    "chat",
    "chat-latest",
    "best",
    "nano",
    "starttranscriptionjob",
];

fn model_slug_for(publisher: &PublisherInfo, name_slug: &str, fine_tune: bool) -> String {
    if fine_tune {
        format!("{}/ft-{name_slug}", publisher.slug)
    } else {
        format!("{}/{name_slug}", publisher.slug)
    }
}

#[derive(Debug)]
struct Entry {
    key: String,
    provider: String,
    operator_name: String,
    operator_country: Option<String>,
    maker_slug: String,
    publisher: PublisherInfo,
    publisher_source: PublisherSource,
    /// Slug form of the model name, without publisher or `ft-`.
    name_slug: String,
    model_slug: String,
    raw_name: String,
    fine_tune: bool,
    task: Task,
    inputs: BTreeSet<Modality>,
    outputs: BTreeSet<Modality>,
    capabilities: BTreeSet<Capability>,
    context_window: Option<i32>,
    max_output_tokens: Option<i32>,
    placements: Vec<Placement>,
    explicit_location: bool,
    deployment: DeploymentType,
    commitment_months: Option<u32>,
    variant_score: u32,
    prices: Vec<PriceRecord>,
    /// Batch-API prices, when the entry has them (`*_batches` fields).
    batch_prices: Option<Vec<PriceRecord>>,
    deprecation_date: Option<NaiveDate>,
    successor_key: Option<String>,
}

fn task_for_mode(mode: &str) -> Option<Task> {
    Some(match mode {
        // The Responses API serves the same chat models.
        "chat" | "responses" => Task::Chat,
        "completion" => Task::Completion,
        "embedding" => Task::Embedding,
        "rerank" => Task::Rerank,
        "image_generation" => Task::ImageGeneration,
        "image_edit" => Task::ImageEdit,
        "video_generation" => Task::VideoGeneration,
        "audio_transcription" => Task::AudioTranscription,
        "audio_speech" => Task::AudioSpeech,
        "realtime" => Task::Realtime,
        "moderation" => Task::Moderation,
        "ocr" => Task::Ocr,
        "search" => Task::Search,
        _ => return None,
    })
}

const CAPABILITY_FIELDS: &[(&str, Capability)] = &[
    ("supports_function_calling", Capability::FunctionCalling),
    (
        "supports_parallel_function_calling",
        Capability::ParallelFunctionCalling,
    ),
    ("supports_vision", Capability::Vision),
    ("supports_reasoning", Capability::Reasoning),
    ("supports_response_schema", Capability::StructuredOutput),
    ("supports_prompt_caching", Capability::PromptCaching),
    ("supports_web_search", Capability::WebSearch),
    ("supports_computer_use", Capability::ComputerUse),
    ("supports_pdf_input", Capability::PdfInput),
    ("supports_audio_input", Capability::AudioInput),
    ("supports_audio_output", Capability::AudioOutput),
    ("supports_video_input", Capability::VideoInput),
    ("supports_system_messages", Capability::SystemMessages),
];

/// Parses one feed entry. `Ok((entry, Some(reason)))` is an entry kept in
/// part (some listed regions unknown) whose dropped part is still reported.
fn parse_entry(key: &str, value: &Value) -> Result<(Entry, Option<String>), String> {
    let object = value.as_object().ok_or("the entry is not a JSON object")?;
    if key == "sample_spec" {
        return Err("schema description, not a model".to_string());
    }
    // `*-latest` pointers such as `claude-opus-latest` carry no data of their
    // own: the entry they point at is imported under its own key.
    if let Some(target) = object.get("alias_of") {
        return Err(match target.as_str() {
            Some(target) => format!("alias of '{target}', which is imported under its own key"),
            None => "alias entry without a target".to_string(),
        });
    }
    let provider = match object.get("litellm_provider") {
        None | Some(Value::Null) => return Err("missing litellm_provider".to_string()),
        Some(Value::String(provider)) if !provider.trim().is_empty() => provider.as_str(),
        Some(_) => return Err("field 'litellm_provider' must be a provider id".to_string()),
    };
    // `together-ai-8.1b-21b`, `fireworks-ai-up-to-4b`: prices for any model
    // of a size class, not a model.
    if !key.contains('/') && (key.starts_with("together-ai-") || key.starts_with("fireworks-ai-")) {
        return Err("a price class for models by parameter count, not a model".to_string());
    }
    let mode = match object.get("mode") {
        None | Some(Value::Null) => return Err("missing mode".to_string()),
        Some(Value::String(mode)) => mode.as_str(),
        Some(_) => return Err("field 'mode' must be a string".to_string()),
    };
    let task = task_for_mode(mode).ok_or_else(|| format!("mode '{mode}' is not a model task this catalog lists"))?;

    validate_numbers(object)?;
    let context_window = token_limit(object, "max_input_tokens")?.or(token_limit(object, "max_tokens")?);
    let max_output_tokens = token_limit(object, "max_output_tokens")?;

    let mut capabilities = BTreeSet::new();
    for (field, capability) in CAPABILITY_FIELDS {
        match object.get(*field) {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => {
                capabilities.insert(*capability);
            }
            Some(_) => return Err(format!("field '{field}' must be true or false")),
        }
    }

    let deprecation_date = match object.get("deprecation_date") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("field 'deprecation_date' is not a YYYY-MM-DD date: '{text}'"))?,
        ),
        Some(_) => return Err("field 'deprecation_date' must be a YYYY-MM-DD date".to_string()),
    };
    let successor_key = match object.get("successor_model") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err("field 'successor_model' must be a model id".to_string()),
    };

    let (inputs, outputs) = modalities(object, task, &capabilities)?;

    let mut parts = parse_key(key, provider)?;
    let mut partial = None;
    // A key that names its region is more specific than the model's general
    // region list, which then only applies to keys without one.
    if !parts.explicit_location {
        if let Some(listed) = object.get("supported_regions") {
            let (placements, unknown) = supported_regions(listed)?;
            if placements.is_empty() {
                return Err(format!(
                    "supported_regions lists no region of the region table: {}",
                    unknown.join(", ")
                ));
            }
            if !unknown.is_empty() {
                partial = Some(format!(
                    "supported_regions names regions not in the region table ({}); offers kept for {}",
                    unknown.join(", "),
                    placements.iter().map(|p| p.region).collect::<Vec<_>>().join(", ")
                ));
            }
            parts.placements = placements;
            parts.explicit_location = true;
        }
    }

    // Code-interpreter containers are priced per session: a tool, not a model.
    if object.contains_key("code_interpreter_cost_per_session")
        && !object
            .keys()
            .any(|f| f != "code_interpreter_cost_per_session" && f.contains("cost"))
    {
        return Err("prices code-interpreter sessions, a tool rather than a model".to_string());
    }

    let deployment = if parts.commitment_months.is_some() {
        DeploymentType::Provisioned
    } else {
        DeploymentType::Serverless
    };
    let (prices, batch_prices) = prices(object, task, deployment)?;

    let operator = operator_for(provider);
    let (publisher, publisher_source, name_slug) = identify(&mut parts, provider, &operator.maker)?;
    let model_slug = model_slug_for(&publisher, &name_slug, parts.fine_tune);
    let (operator_name, operator_country) = match parts.operator {
        Some((name, country)) => (name.to_string(), country.map(str::to_string)),
        None => (operator.name, operator.country),
    };

    let entry = Entry {
        key: key.to_string(),
        provider: provider_base(provider).to_string(),
        operator_name,
        operator_country,
        maker_slug: operator.maker.slug,
        publisher,
        publisher_source,
        name_slug,
        model_slug,
        raw_name: parts.name,
        fine_tune: parts.fine_tune,
        task,
        inputs,
        outputs,
        capabilities,
        context_window,
        max_output_tokens,
        placements: parts.placements,
        explicit_location: parts.explicit_location,
        deployment,
        commitment_months: parts.commitment_months,
        variant_score: parts.variant_score,
        prices,
        batch_prices,
        deprecation_date,
        successor_key,
    };
    Ok((entry, partial))
}

/// Publisher and slug name of a parsed key: the key's organisation, else a
/// name stem, else the host itself.
fn identify(
    parts: &mut KeyParts,
    provider: &str,
    host_maker: &PublisherInfo,
) -> Result<(PublisherInfo, PublisherSource, String), String> {
    let (publisher, source) = match &parts.org {
        Some(org) => match known_org(org) {
            Some(known) => (PublisherInfo::known(known), PublisherSource::Org),
            None => (PublisherInfo::unknown(org, None), PublisherSource::Org),
        },
        None => match publisher_for_name(&parts.name, provider) {
            Some(known) => (PublisherInfo::known(known), PublisherSource::Stem),
            None => (host_maker.clone(), PublisherSource::Host),
        },
    };
    let mut name_slug = model_slug_name(&parts.name);
    if name_slug.is_empty() || publisher.slug.is_empty() {
        return Err("the key names no model".to_string());
    }
    let provider_word = publisher_slug(provider_base(provider));
    // A host that is its own publisher under another spelling (`exa_ai` is
    // Exa) needs no prefix; a big maker's many services (Polly, Transcribe,
    // AgentCore are all Amazon) do.
    let host_is_publisher = publisher.slug == host_maker.slug && host_maker.website.is_none();
    if GENERIC_NAMES.contains(&name_slug.as_str()) && publisher.slug != provider_word && !host_is_publisher {
        name_slug = format!("{provider_word}-{name_slug}");
        parts.name = format!("{provider_word}-{}", parts.name);
    }
    Ok((publisher, source, name_slug))
}

/// Rejects nonsense amounts anywhere in the entry, including fields this
/// catalog does not import: a negative or non-numeric price means the entry
/// cannot be trusted.
fn validate_numbers(object: &Map<String, Value>) -> Result<(), String> {
    for (field, value) in object {
        if !field.contains("cost") {
            continue;
        }
        check_cost(field, value)?;
    }
    Ok(())
}

fn check_cost(field: &str, value: &Value) -> Result<(), String> {
    match value {
        Value::Null => Ok(()),
        Value::Number(number) => {
            if number.as_f64().is_some_and(|n| n < 0.0) {
                Err(format!("field '{field}' is negative ({number})"))
            } else {
                Ok(())
            }
        }
        // Structured prices (search context sizes, guardrail units).
        Value::Object(inner) => inner.values().try_for_each(|v| check_cost(field, v)),
        Value::String(_) | Value::Bool(_) | Value::Array(_) => Err(format!("field '{field}' must be a number")),
    }
}

fn token_limit(object: &Map<String, Value>, field: &str) -> Result<Option<i32>, String> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match number.as_u64() {
            Some(0) | None => Err(format!(
                "field '{field}' must be a positive whole number of tokens, not {number}"
            )),
            Some(n) => i32::try_from(n)
                .map(Some)
                .map_err(|_| format!("field '{field}' is implausibly large ({n})")),
        },
        Some(_) => Err(format!("field '{field}' must be a number")),
    }
}

fn supported_regions(listed: &Value) -> Result<(Vec<Placement>, Vec<String>), String> {
    let items = listed
        .as_array()
        .ok_or("field 'supported_regions' must be a list of region codes")?;
    let mut placements = Vec::new();
    let mut unknown = Vec::new();
    for item in items {
        let code = item
            .as_str()
            .ok_or("field 'supported_regions' must be a list of region codes")?;
        match regional(code) {
            Some(placement) if !placements.contains(&placement) => placements.push(placement),
            Some(_) => {}
            None => unknown.push(format!("'{code}'")),
        }
    }
    Ok((placements, unknown))
}

fn modality_of(text: &str) -> Option<Modality> {
    match text {
        "text" | "code" => Some(Modality::Text),
        "image" => Some(Modality::Image),
        "audio" => Some(Modality::Audio),
        "video" => Some(Modality::Video),
        _ => None,
    }
}

/// Modalities follow from the task; the feed's modality lists and `supports_*`
/// flags add to them.
fn modalities(
    object: &Map<String, Value>,
    task: Task,
    capabilities: &BTreeSet<Capability>,
) -> Result<(BTreeSet<Modality>, BTreeSet<Modality>), String> {
    use Modality::{Audio, Image, Text, Vector, Video};
    let (inputs, outputs): (&[Modality], &[Modality]) = match task {
        Task::Chat | Task::Completion | Task::Search | Task::Rerank | Task::Moderation => (&[Text], &[Text]),
        Task::Embedding => (&[Text], &[Vector]),
        Task::ImageGeneration => (&[Text], &[Image]),
        Task::ImageEdit => (&[Text, Image], &[Image]),
        Task::VideoGeneration => (&[Text], &[Video]),
        Task::AudioTranscription => (&[Audio], &[Text]),
        Task::AudioSpeech => (&[Text], &[Audio]),
        Task::Realtime => (&[Text, Audio], &[Text, Audio]),
        Task::Ocr => (&[Image], &[Text]),
    };
    let mut inputs: BTreeSet<Modality> = inputs.iter().copied().collect();
    let mut outputs: BTreeSet<Modality> = outputs.iter().copied().collect();

    for (field, set) in [
        ("supported_modalities", &mut inputs),
        ("supported_output_modalities", &mut outputs),
    ] {
        match object.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let text = item
                        .as_str()
                        .ok_or_else(|| format!("field '{field}' must be a list of modality names"))?;
                    // Unknown words are not fatal: the list is descriptive.
                    if let Some(modality) = modality_of(text) {
                        set.insert(modality);
                    }
                }
            }
            Some(_) => return Err(format!("field '{field}' must be a list of modality names")),
        }
    }
    if capabilities.contains(&Capability::Vision) || capabilities.contains(&Capability::PdfInput) {
        inputs.insert(Image);
    }
    if capabilities.contains(&Capability::AudioInput) {
        inputs.insert(Audio);
    }
    if capabilities.contains(&Capability::VideoInput) {
        inputs.insert(Video);
    }
    if capabilities.contains(&Capability::AudioOutput) {
        outputs.insert(Audio);
    }
    if task == Task::Embedding && object.get("supports_embedding_image_input") == Some(&Value::Bool(true)) {
        inputs.insert(Image);
    }
    Ok((inputs, outputs))
}

// ---------------------------------------------------------------------------
// Prices
// ---------------------------------------------------------------------------

/// Feed price fields the catalog imports: (field, dimension, unit, multiplier
/// from the feed's per-unit price to the catalog's unit).
const PRICE_FIELDS: &[(&str, PriceDimension, PriceUnit, u32)] = &[
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
fn decimal_of(number: &Number) -> Option<Decimal> {
    let text = number.to_string();
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text).ok()
    } else {
        Decimal::from_str_exact(&text).ok()
    }
}

fn amount(field: &str, value: &Value, multiplier: u32) -> Result<Option<Decimal>, String> {
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
fn split_tier(field: &str) -> Option<(&str, Option<i32>)> {
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
fn prices(
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
fn adopt_publishers(parsed: &mut [Entry]) {
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
fn merge_publisher(map: &mut BTreeMap<String, PublisherInfo>, info: &PublisherInfo) {
    match map.get(&info.slug) {
        Some(existing) if !better_publisher_name(info, existing) => {}
        _ => {
            map.insert(info.slug.clone(), info.clone());
        }
    }
}

// ---------------------------------------------------------------------------
// Offer selection
// ---------------------------------------------------------------------------

type OfferIdentity = (String, &'static str, DeploymentType, String);

struct Candidate {
    entry: usize,
    placement: Placement,
    deployment: DeploymentType,
}

/// Preference between feed entries that describe the same offer: a key that
/// states its location beats an implicit one; plain offers beat image
/// variants; shorter commitments beat longer; then the shorter, then the
/// alphabetically first key, so the choice never depends on feed order.
fn rank(entry: &Entry) -> (bool, u32, u32, usize, &str) {
    (
        !entry.explicit_location,
        entry.variant_score,
        entry.commitment_months.unwrap_or(0),
        entry.key.len(),
        entry.key.as_str(),
    )
}

fn scope_order(scope: ProcessingScope) -> u8 {
    match scope {
        ProcessingScope::Regional => 0,
        ProcessingScope::DataZone => 1,
        ProcessingScope::Global => 2,
    }
}

/// Picks one entry per offer identity (model, region, deployment type,
/// operator); returns, per entry, the offers it won. Entries that win none
/// are rejected as duplicates, naming the entry that was kept.
fn choose_offers(parsed: &[Entry], rejected: &mut Vec<Rejection>) -> Vec<Vec<Candidate>> {
    let mut by_identity: BTreeMap<OfferIdentity, Vec<Candidate>> = BTreeMap::new();
    for (index, entry) in parsed.iter().enumerate() {
        let mut deployments = vec![entry.deployment];
        if entry.batch_prices.is_some() {
            deployments.push(DeploymentType::Batch);
        }
        for placement in &entry.placements {
            for deployment in &deployments {
                let identity = (
                    entry.model_slug.clone(),
                    placement.region,
                    *deployment,
                    entry.operator_name.clone(),
                );
                by_identity.entry(identity).or_default().push(Candidate {
                    entry: index,
                    placement: *placement,
                    deployment: *deployment,
                });
            }
        }
    }

    let mut won: Vec<Vec<Candidate>> = parsed.iter().map(|_| Vec::new()).collect();
    let mut lost_to: Vec<Option<(usize, OfferIdentity)>> = parsed.iter().map(|_| None).collect();
    for (identity, candidates) in by_identity {
        // A regional entry beats a data-zone or global one placed in the
        // same region: it is the more specific statement about that region.
        let best = candidates
            .iter()
            .min_by(|a, b| {
                (scope_order(a.placement.scope), rank(&parsed[a.entry]))
                    .cmp(&(scope_order(b.placement.scope), rank(&parsed[b.entry])))
            })
            .map(|c| c.entry)
            .unwrap_or(candidates[0].entry);
        for candidate in candidates {
            if candidate.entry == best {
                won[best].push(candidate);
            } else if lost_to[candidate.entry].is_none() {
                lost_to[candidate.entry] = Some((best, identity.clone()));
            }
        }
    }
    for (index, entry) in parsed.iter().enumerate() {
        if !won[index].is_empty() {
            continue;
        }
        if let Some((winner, (model, region, deployment, operator))) = &lost_to[index] {
            rejected.push(Rejection {
                key: entry.key.clone(),
                reason: format!(
                    "same offer as '{}' ({model} in {region}, {deployment}, run by {operator}); that entry was kept",
                    parsed[*winner].key
                ),
            });
        }
    }
    won
}

// ---------------------------------------------------------------------------
// Listings
// ---------------------------------------------------------------------------

fn assemble(parsed: &[Entry], survivors: &[Vec<Candidate>], mut rejected: Vec<Rejection>) -> CatalogBatch {
    let mut offers = Vec::new();
    let mut by_model: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, won) in survivors.iter().enumerate() {
        if won.is_empty() {
            continue;
        }
        let entry = &parsed[index];
        by_model.entry(entry.model_slug.as_str()).or_default().push(index);
        for candidate in won {
            let prices = if candidate.deployment == DeploymentType::Batch {
                entry.batch_prices.clone().unwrap_or_default()
            } else {
                entry.prices.clone()
            };
            offers.push(OfferRecord {
                model_slug: entry.model_slug.clone(),
                region: candidate.placement.region.to_string(),
                deployment_type: candidate.deployment,
                processing_scope: candidate.placement.scope,
                operator_name: entry.operator_name.clone(),
                operator_country: entry.operator_country.clone(),
                status: OfferStatus::Available,
                prices,
                source_key: Some(entry.key.clone()),
            });
        }
    }

    // Successors are feed keys: resolve them through the feed when present,
    // else by the same key normalisation under the entry's provider.
    let slug_by_key: HashMap<&str, &str> = parsed.iter().map(|e| (e.key.as_str(), e.model_slug.as_str())).collect();
    let resolve_successor = |entry: &Entry| -> Option<String> {
        let key = entry.successor_key.as_deref()?;
        if let Some(slug) = slug_by_key.get(key) {
            return Some((*slug).to_string());
        }
        let mut parts = parse_key(key, &entry.provider).ok()?;
        let maker = operator_for(&entry.provider).maker;
        let (publisher, _, name_slug) = identify(&mut parts, &entry.provider, &maker).ok()?;
        Some(model_slug_for(&publisher, &name_slug, parts.fine_tune))
    };

    let model_slugs: BTreeSet<&str> = by_model.keys().copied().collect();
    let mut publishers: BTreeMap<String, PublisherInfo> = BTreeMap::new();
    let mut models = Vec::new();
    for (slug, members) in &by_model {
        let entries: Vec<&Entry> = members.iter().map(|i| &parsed[*i]).collect();
        for entry in &entries {
            merge_publisher(&mut publishers, &entry.publisher);
        }
        models.push(build_model(
            slug,
            &entries,
            &publishers,
            &model_slugs,
            &resolve_successor,
        ));
    }

    offers.sort_by(|a, b| {
        (&a.model_slug, &a.region, a.deployment_type, &a.operator_name).cmp(&(
            &b.model_slug,
            &b.region,
            b.deployment_type,
            &b.operator_name,
        ))
    });
    rejected.sort_by(|a, b| (&a.key, &a.reason).cmp(&(&b.key, &b.reason)));

    CatalogBatch {
        publishers: publishers
            .into_values()
            .map(|p| PublisherRecord {
                slug: p.slug,
                name: p.name,
                country: p.country,
                website: p.website,
            })
            .collect(),
        models,
        offers,
        rejected,
    }
}

/// Among spellings of an unknown organisation, prefer the one carrying the
/// maker's own capitalisation (`OpenPipe` over `openpipe`).
fn better_publisher_name(candidate: &PublisherInfo, existing: &PublisherInfo) -> bool {
    let score = |p: &PublisherInfo| {
        (
            p.website.is_some(),
            p.country.is_some(),
            p.name.chars().filter(char::is_ascii_uppercase).count(),
        )
    };
    match score(candidate).cmp(&score(existing)) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => candidate.name < existing.name,
    }
}

fn build_model(
    slug: &str,
    entries: &[&Entry],
    publishers: &BTreeMap<String, PublisherInfo>,
    model_slugs: &BTreeSet<&str>,
    resolve_successor: &dyn Fn(&Entry) -> Option<String>,
) -> ModelRecord {
    let publisher = publishers
        .get(&entries[0].publisher.slug)
        .unwrap_or(&entries[0].publisher);
    let (_, name_part) = slug.split_once('/').unwrap_or(("", slug));

    // Display name from the spelling with the most capitals (the maker's own
    // casing, e.g. `DeepSeek-R1` over `deepseek-r1`), ties alphabetically.
    let raw = entries
        .iter()
        .map(|e| e.raw_name.as_str())
        .max_by(|a, b| {
            let caps = |s: &str| s.chars().filter(char::is_ascii_uppercase).count();
            caps(a).cmp(&caps(b)).then_with(|| b.cmp(a))
        })
        .unwrap_or(name_part);
    let fine_tune = entries[0].fine_tune;
    let name = if fine_tune {
        format!("{} (fine-tuned)", display_name(raw))
    } else {
        display_name(raw)
    };

    // Task: the one most entries agree on, ties to the vocabulary order.
    let mut task_votes: BTreeMap<Task, usize> = BTreeMap::new();
    for entry in entries {
        *task_votes.entry(entry.task).or_default() += 1;
    }
    let task = task_votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(task, _)| *task)
        .unwrap_or(Task::Chat);

    let mut inputs = BTreeSet::new();
    let mut outputs = BTreeSet::new();
    let mut capabilities = BTreeSet::new();
    let mut providers = BTreeSet::new();
    for entry in entries {
        inputs.extend(entry.inputs.iter().copied());
        outputs.extend(entry.outputs.iter().copied());
        capabilities.extend(entry.capabilities.iter().copied());
        providers.insert(entry.provider.as_str());
    }
    // Different providers quote different limits; the largest is what the
    // model supports somewhere.
    let context_window = entries.iter().filter_map(|e| e.context_window).max();
    let max_output_tokens = entries.iter().filter_map(|e| e.max_output_tokens).max();

    let (family, version) = family_and_version(name_part.strip_prefix("ft-").unwrap_or(name_part));
    let (license, open_weights) = license_for(&publisher.slug, name_part);
    let (lineage, base_model_slug) = lineage_for(slug, &publisher.slug, name_part, fine_tune, model_slugs);
    let lifecycle = lifecycle_for(slug, name_part, entries, model_slugs, resolve_successor);

    let mut tags: BTreeSet<String> = providers.iter().map(|p| p.to_string()).collect();
    if let Some(family) = &family {
        tags.insert(family.clone());
    }
    if capabilities.contains(&Capability::Reasoning) {
        tags.insert("reasoning".to_string());
    }
    if open_weights {
        tags.insert("open-weights".to_string());
    }

    let description = describe(task, &publisher.name, context_window, providers.len());

    ModelRecord {
        slug: slug.to_string(),
        publisher_slug: publisher.slug.clone(),
        name,
        family,
        version,
        description,
        task,
        input_modalities: inputs.into_iter().collect(),
        output_modalities: outputs.into_iter().collect(),
        context_window,
        max_output_tokens,
        capabilities: capabilities.into_iter().collect(),
        license: license.to_string(),
        open_weights,
        provenance: ProvenanceRecord {
            origin_country: publisher.country.clone(),
            lineage,
            base_model_slug,
            model_card_url: None,
            weights_digest: None,
            release_date: None,
        },
        lifecycle,
        tags: tags.into_iter().collect(),
    }
}

/// A listing is deprecated when its publisher's own service announces a
/// retirement date (other hosts retiring a model on their own schedule do not
/// retire the model), or, for models with no first-party offer here, when
/// every host announces one (then the last date is when it disappears).
/// The feed's date comes from retirement schedules, so it is both the
/// announced deprecation and the retirement date.
fn lifecycle_for(
    slug: &str,
    name: &str,
    entries: &[&Entry],
    model_slugs: &BTreeSet<&str>,
    resolve_successor: &dyn Fn(&Entry) -> Option<String>,
) -> LifecycleRecord {
    let first_party: Vec<&&Entry> = entries.iter().filter(|e| e.maker_slug == e.publisher.slug).collect();
    let announcing: Option<(NaiveDate, Vec<&&Entry>)> = if !first_party.is_empty() {
        let dated: Vec<&&Entry> = first_party
            .iter()
            .copied()
            .filter(|e| e.deprecation_date.is_some())
            .collect();
        dated
            .iter()
            .filter_map(|e| e.deprecation_date)
            .min()
            .map(|date| (date, dated.clone()))
    } else if entries.iter().all(|e| e.deprecation_date.is_some()) {
        entries
            .iter()
            .filter_map(|e| e.deprecation_date)
            .max()
            .map(|date| (date, entries.iter().collect()))
    } else {
        None
    };

    match announcing {
        Some((date, mut announcers)) => {
            // The successor comes from the announcing entries, most specific
            // first, and only if it is itself a listing of this batch (a
            // dangling slug would break the catalog's successor link).
            announcers.sort_by(|a, b| rank(a).cmp(&rank(b)));
            let successor_slug = announcers
                .iter()
                .filter_map(|e| resolve_successor(e))
                .find(|s| s != slug && model_slugs.contains(s.as_str()));
            LifecycleRecord {
                status: LifecycleStatus::Deprecated,
                deprecation_date: Some(date),
                retirement_date: Some(date),
                successor_slug,
            }
        }
        None => LifecycleRecord {
            status: if name.contains("preview") || name.contains("-exp") {
                LifecycleStatus::Preview
            } else {
                LifecycleStatus::Ga
            },
            deprecation_date: None,
            retirement_date: None,
            successor_slug: None,
        },
    }
}

/// Known open-weights families and their licences. Everything else is
/// `proprietary`: the feed says nothing about licences, so only families
/// whose weights are public under a well-known licence are marked open.
fn license_for(publisher: &str, name: &str) -> (&'static str, bool) {
    let has_size = name.split(['-', '_']).any(|t| {
        t.len() > 1 && t.ends_with('b') && t[..t.len() - 1].replace('.', "").bytes().all(|b| b.is_ascii_digit())
    });
    match publisher {
        "meta" if name.starts_with("llama") || name.starts_with("codellama") || name.starts_with("code-llama") => {
            ("llama-community", true)
        }
        "mistral"
            if [
                "mistral-7b",
                "mixtral",
                "open-mistral",
                "open-mixtral",
                "mistral-nemo",
                "pixtral-12b",
                "codestral-mamba",
                "mamba-codestral",
                "devstral-small",
                "magistral-small",
                "mistral-small-24b",
                "mistral-small-3.1",
                "mistral-small-3.2",
                "ministral-3-",
                "mistral-large-3",
            ]
            .iter()
            .any(|p| name.starts_with(p)) =>
        {
            ("Apache-2.0", true)
        }
        "deepseek" if name.starts_with("deepseek") => ("MIT", true),
        "alibaba" if (name.starts_with("qwen") || name.starts_with("qwq")) && has_size => {
            // Qwen2.5 72B and 3B ship under the Qwen licence; the rest of the
            // sized Qwen2.5/Qwen3/QwQ releases under Apache 2.0.
            if name.starts_with("qwen2.5") && (name.contains("-72b") || name.contains("-3b")) {
                ("qwen", true)
            } else {
                ("Apache-2.0", true)
            }
        }
        "google" if name.starts_with("gemma") || name.starts_with("codegemma") => ("gemma", true),
        "microsoft" if name.starts_with("phi") => ("MIT", true),
        "openai" if name.starts_with("gpt-oss") => ("Apache-2.0", true),
        "openai"
            if name.starts_with("whisper-large")
                || name.starts_with("whisper-tiny")
                || name.starts_with("whisper-base")
                || name.starts_with("whisper-small")
                || name.starts_with("whisper-medium") =>
        {
            ("MIT", true)
        }
        "zhipu" if ["glm-4.5", "glm-4.6", "glm-4.7"].iter().any(|p| name.starts_with(p)) => ("MIT", true),
        "moonshot" if name.starts_with("kimi-k2") => ("modified-mit", true),
        "ibm" if name.starts_with("granite") => ("Apache-2.0", true),
        "allenai" if name.starts_with("olmo") => ("Apache-2.0", true),
        _ => ("proprietary", false),
    }
}

/// Quantisation markers in model names (`-fp8`, `-awq`, `-gguf`).
const QUANT_MARKERS: &[&str] = &["fp8", "fp4", "nvfp4", "mxfp4", "mxfp", "int8", "int4", "awq", "gguf"];

/// Lineage from the name: `ft:` is a fine-tune of the named model;
/// `x-distill-y` is distilled from `x` (the teacher the name credits);
/// a quantisation marker derives from the same name without it. The base is
/// linked only when it is itself a listing of this batch.
fn lineage_for(
    slug: &str,
    publisher: &str,
    name: &str,
    fine_tune: bool,
    model_slugs: &BTreeSet<&str>,
) -> (Lineage, Option<String>) {
    let existing = |base_name: &str| -> Option<String> {
        let same = format!("{publisher}/{base_name}");
        if same != slug && model_slugs.contains(same.as_str()) {
            return Some(same);
        }
        let maker = publisher_for_model_name(base_name)?;
        let other = format!("{}/{base_name}", maker.slug);
        (other != slug && model_slugs.contains(other.as_str())).then_some(other)
    };
    if fine_tune {
        let base = name.strip_prefix("ft-").unwrap_or(name);
        return (Lineage::FineTune, existing(base));
    }
    if let Some((teacher, _)) = name.split_once("-distill-") {
        return (Lineage::Distillation, existing(teacher));
    }
    let tokens: Vec<&str> = name.split('-').collect();
    if let Some(position) = tokens.iter().position(|t| QUANT_MARKERS.contains(t)) {
        if position > 0 {
            return (Lineage::Quantization, existing(&tokens[..position].join("-")));
        }
    }
    (Lineage::Original, None)
}

/// Best-effort family and version: the family is the leading words without
/// digits (`deepseek-r1` → `deepseek`, `claude-opus-4-5` → `claude-opus`, or
/// the letters of `qwen3`), the version the first token with a digit, small
/// numeric tokens joined by dots (`claude-3-5-sonnet` → `3.5`).
fn family_and_version(name: &str) -> (Option<String>, Option<String>) {
    let tokens: Vec<&str> = name.split(['-', '_']).filter(|t| !t.is_empty()).collect();
    let alphabetic = |t: &str| t.bytes().all(|b| b.is_ascii_alphabetic());
    let leading = tokens.iter().take_while(|t| alphabetic(t)).count();
    let (family, version_start) = if leading > 0 {
        (Some(tokens[..leading].join("-")), leading)
    } else {
        let first = tokens.first().copied().unwrap_or("");
        let letters: String = first.chars().take_while(char::is_ascii_alphabetic).collect();
        (if letters.is_empty() { None } else { Some(letters) }, 0)
    };
    let version = tokens.get(version_start).map(|first| {
        let mut version = if version_start == 0 {
            first.trim_start_matches(|c: char| c.is_ascii_alphabetic()).to_string()
        } else {
            first.to_string()
        };
        let rest = &tokens[version_start + 1..];
        // A dated snapshot's version is its date (`qwen-plus-2025-09-11`).
        if version.len() == 4
            && all_digits(&version)
            && rest.len() >= 2
            && rest[..2].iter().all(|t| t.len() == 2 && all_digits(t))
        {
            return format!("{version}-{}-{}", rest[0], rest[1]);
        }
        if version.len() <= 2 && all_digits(&version) {
            for next in rest {
                if next.len() == 1 && all_digits(next) {
                    version.push('.');
                    version.push_str(next);
                } else {
                    break;
                }
            }
        }
        version
    });
    (family, version.filter(|v| !v.is_empty()))
}

fn describe(task: Task, publisher: &str, context_window: Option<i32>, providers: usize) -> String {
    let what = match task {
        Task::Chat => "Chat",
        Task::Completion => "Text completion",
        Task::Embedding => "Embedding",
        Task::Rerank => "Reranking",
        Task::ImageGeneration => "Image generation",
        Task::ImageEdit => "Image editing",
        Task::VideoGeneration => "Video generation",
        Task::AudioTranscription => "Speech-to-text",
        Task::AudioSpeech => "Text-to-speech",
        Task::Realtime => "Realtime voice",
        Task::Moderation => "Moderation",
        Task::Ocr => "Document OCR",
        Task::Search => "Web search",
    };
    let context = match context_window {
        Some(tokens) => format!(" with a {}-token context window", short_count(tokens)),
        None => String::new(),
    };
    let hosts = if providers == 1 {
        "1 hosting provider".to_string()
    } else {
        format!("{providers} hosting providers")
    };
    format!("{what} model by {publisher}{context}, offered by {hosts}.")
}

fn short_count(tokens: i32) -> String {
    if tokens >= 1_000_000 && tokens % 1_000_000 == 0 {
        format!("{}M", tokens / 1_000_000)
    } else if tokens >= 1_048_576 && tokens % 1_048_576 == 0 {
        format!("{}M", tokens / 1_048_576)
    } else if tokens >= 1000 && tokens % 1000 == 0 {
        format!("{}K", tokens / 1000)
    } else if tokens >= 1024 && tokens % 1024 == 0 {
        format!("{}K", tokens / 1024)
    } else {
        tokens.to_string()
    }
}

/// Human name from a model id: words split on `-`/`_`, the maker's casing
/// kept, well-known acronyms and sizes capitalised, `3-5` read as `3.5` and
/// `2024-08-06` kept as a date.
fn display_name(raw: &str) -> String {
    let tokens: Vec<&str> = raw.split(['-', '_', ' ']).filter(|t| !t.is_empty()).collect();
    let digits = |t: &str, n: usize| t.len() == n && all_digits(t);
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = tokens[i];
        if digits(token, 4) && i + 2 < tokens.len() && digits(tokens[i + 1], 2) && digits(tokens[i + 2], 2) {
            words.push(format!("{token}-{}-{}", tokens[i + 1], tokens[i + 2]));
            i += 3;
            continue;
        }
        if token.len() <= 2 && all_digits(token) {
            let mut version = token.to_string();
            while i + 1 < tokens.len() && digits(tokens[i + 1], 1) {
                version.push('.');
                version.push_str(tokens[i + 1]);
                i += 1;
            }
            words.push(version);
            i += 1;
            continue;
        }
        words.push(pretty_word(token));
        i += 1;
    }
    if words.is_empty() {
        raw.to_string()
    } else {
        words.join(" ")
    }
}

const WORD_SPELLINGS: &[(&str, &str)] = &[
    ("gpt", "GPT"),
    ("glm", "GLM"),
    ("oss", "OSS"),
    ("tts", "TTS"),
    ("ocr", "OCR"),
    ("vl", "VL"),
    ("ai", "AI"),
    ("it", "IT"),
    ("hd", "HD"),
    ("api", "API"),
    ("deepseek", "DeepSeek"),
    ("openai", "OpenAI"),
    ("minimax", "MiniMax"),
    ("qwq", "QwQ"),
    ("xai", "xAI"),
    ("mimo", "MiMo"),
];

fn pretty_word(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_uppercase()) {
        return word.to_string();
    }
    if let Some((_, spelling)) = WORD_SPELLINGS.iter().find(|(w, _)| *w == word) {
        return spelling.to_string();
    }
    // Sizes and short versions: `70b` → `70B`, `a22b` → `A22B`, `r1` → `R1`.
    let body = word.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let lead = word.len() - body.len();
    if lead <= 1 && !body.is_empty() {
        let core = body.trim_end_matches(['b', 'm', 'k', 't']);
        if core.replace('.', "").bytes().all(|b| b.is_ascii_digit()) && !core.is_empty() {
            return word.to_ascii_uppercase();
        }
    }
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(
            only_reason(&batch, "bedrock/ap-southeast-9/meta.llama3-8b-instruct-v1:0").contains("'ap-southeast-9'")
        );
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
}
