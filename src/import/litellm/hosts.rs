//! Hosting providers (operators): who runs each provider's offers, and from where.

use super::*;

/// A hosting provider as an operator of offers, and (when it makes models of
/// its own) as the publisher of last resort.
pub(super) struct Host {
    pub(super) ids: &'static [&'static str],
    pub(super) operator: &'static str,
    pub(super) country: Option<&'static str>,
    /// Publisher of the host's own models: a `KNOWN_PUBLISHERS` slug, or a
    /// (slug, name) pair for makers the domain table does not know.
    pub(super) maker: Maker,
}

pub(super) enum Maker {
    Known(&'static str),
    Named(&'static str, &'static str),
}

pub(super) const fn host(
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

/// Providers that are local runtimes: the model runs on the user's own
/// hardware, so their entries are `self_hosted` offers, not managed ones
/// (the feed writes their prices as 0, which means "nothing to buy").
const SELF_HOSTED: &[&str] = &[
    "ollama",
    "ollama_chat",
    "lemonade",
    "lm_studio",
    "llamafile",
    "llamacpp",
    "hosted_vllm",
    "vllm",
    "xinference",
    "oobabooga",
    "triton",
];

pub(super) fn is_self_hosted(provider: &str) -> bool {
    SELF_HOSTED.contains(&provider_base(provider))
}

pub(super) const US: Option<&str> = Some("US");
pub(super) const CN: Option<&str> = Some("CN");

/// Operators whose name and headquarters are public facts. Service names are
/// kept apart where one company runs several distinct offerings (Azure OpenAI
/// vs Azure AI Foundry, Vertex AI vs the Gemini API), because they are
/// different offers with their own terms and prices. Providers not listed
/// here keep their feed id as name and an unknown country.
#[rustfmt::skip]
pub(super) const HOSTS: &[Host] = &[
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
pub(super) fn provider_base(provider: &str) -> &str {
    match provider.split_once('-') {
        Some((base, _)) if base.contains('_') => base,
        _ => provider,
    }
}

pub(super) fn host_for(provider: &str) -> Option<&'static Host> {
    let base = provider_base(provider);
    HOSTS.iter().find(|host| host.ids.contains(&base))
}

pub(super) struct Operator {
    pub(super) name: String,
    pub(super) country: Option<String>,
    pub(super) maker: PublisherInfo,
}

pub(super) fn operator_for(provider: &str) -> Operator {
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
