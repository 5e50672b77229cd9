//! Publishers the catalog knows by name: who makes models, where they are
//! headquartered, and the model-name stems that identify their models in
//! third-party feeds. Facts are public company information.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownPublisher {
    pub slug: &'static str,
    pub name: &'static str,
    /// Headquarters, ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub website: &'static str,
    /// Lower-case prefixes of model names (after any vendor prefix is removed)
    /// that identify this publisher's models, e.g. `claude` for Anthropic.
    pub model_stems: &'static [&'static str],
    /// Lower-case organisation names used for this publisher in feed keys and
    /// Hugging Face style paths, e.g. `deepseek-ai`, `meta-llama`.
    pub org_aliases: &'static [&'static str],
}

const fn publisher(
    slug: &'static str,
    name: &'static str,
    country: &'static str,
    website: &'static str,
    model_stems: &'static [&'static str],
    org_aliases: &'static [&'static str],
) -> KnownPublisher {
    KnownPublisher {
        slug,
        name,
        country,
        website,
        model_stems,
        org_aliases,
    }
}

pub const KNOWN_PUBLISHERS: &[KnownPublisher] = &[
    publisher(
        "openai",
        "OpenAI",
        "US",
        "https://openai.com",
        &[
            "gpt",
            "o1",
            "o3",
            "o4",
            "chatgpt",
            "dall-e",
            "whisper",
            "tts-",
            "text-embedding",
            "davinci",
            "babbage",
            "sora",
            "codex",
            "omni-moderation",
            "text-moderation",
            "computer-use",
        ],
        &["openai"],
    ),
    publisher(
        "anthropic",
        "Anthropic",
        "US",
        "https://www.anthropic.com",
        &["claude"],
        &["anthropic"],
    ),
    publisher(
        "google",
        "Google",
        "US",
        "https://ai.google",
        &[
            "gemini",
            "gemma",
            "palm",
            "imagen",
            "veo",
            "lyria",
            "chirp",
            "text-bison",
            "chat-bison",
            "code-bison",
            "codechat-bison",
            "text-unicorn",
            "medlm",
            "multimodalembedding",
            "textembedding-gecko",
            "text-multilingual-embedding",
            "learnlm",
        ],
        &["google", "gemini"],
    ),
    publisher(
        "meta",
        "Meta",
        "US",
        "https://ai.meta.com",
        &["llama", "meta-llama", "codellama", "code-llama", "muse"],
        &["meta", "meta-llama", "facebook"],
    ),
    publisher(
        "mistral",
        "Mistral AI",
        "FR",
        "https://mistral.ai",
        &[
            "mistral",
            "mixtral",
            "codestral",
            "pixtral",
            "ministral",
            "magistral",
            "devstral",
            "voxtral",
            "open-mistral",
            "open-mixtral",
            "open-codestral",
        ],
        &["mistralai", "mistral"],
    ),
    publisher(
        "deepseek",
        "DeepSeek",
        "CN",
        "https://www.deepseek.com",
        &["deepseek"],
        &["deepseek-ai", "deepseek"],
    ),
    publisher(
        "alibaba",
        "Alibaba Cloud (Qwen)",
        "CN",
        "https://qwenlm.github.io",
        &["qwen", "qwq", "qvq", "wan2", "wan-", "wanx"],
        &["qwen", "alibaba", "alibaba-nlp"],
    ),
    publisher(
        "microsoft",
        "Microsoft",
        "US",
        "https://www.microsoft.com/ai",
        &["phi-", "phi3", "phi4", "mai-", "wizardlm"],
        &["microsoft"],
    ),
    publisher("xai", "xAI", "US", "https://x.ai", &["grok"], &["xai", "x-ai"]),
    publisher(
        "cohere",
        "Cohere",
        "CA",
        "https://cohere.com",
        &[
            "command",
            "embed-english",
            "embed-multilingual",
            "embed-v",
            "rerank-",
            "c4ai-aya",
            "aya-",
        ],
        &["cohere", "cohereforai", "coherelabs"],
    ),
    publisher(
        "amazon",
        "Amazon",
        "US",
        "https://aws.amazon.com/ai",
        &["titan", "nova-", "nova2"],
        &["amazon"],
    ),
    publisher(
        "ai21",
        "AI21 Labs",
        "IL",
        "https://www.ai21.com",
        &["jamba", "j2-", "jurassic"],
        &["ai21", "ai21labs"],
    ),
    publisher(
        "zhipu",
        "Zhipu AI (Z.ai)",
        "CN",
        "https://z.ai",
        &["glm", "chatglm", "cogview", "cogvideo"],
        &["zai-org", "thudm", "zhipuai", "z-ai", "zai"],
    ),
    publisher(
        "moonshot",
        "Moonshot AI",
        "CN",
        "https://www.moonshot.ai",
        &["kimi", "moonshot"],
        &["moonshotai", "moonshot"],
    ),
    publisher(
        "minimax",
        "MiniMax",
        "CN",
        "https://www.minimax.io",
        &["minimax", "abab"],
        &["minimaxai", "minimax"],
    ),
    publisher(
        "perplexity",
        "Perplexity",
        "US",
        "https://www.perplexity.ai",
        &["sonar", "r1-1776", "pplx"],
        &["perplexity", "perplexity-ai"],
    ),
    publisher(
        "black-forest-labs",
        "Black Forest Labs",
        "DE",
        "https://bfl.ai",
        &["flux"],
        &["black-forest-labs"],
    ),
    publisher(
        "stability",
        "Stability AI",
        "GB",
        "https://stability.ai",
        &[
            "stable-diffusion",
            "sd3",
            "sdxl",
            "stable-image",
            "stable-audio",
            "stable-",
        ],
        &["stabilityai", "stability-ai", "stability"],
    ),
    publisher(
        "voyage",
        "Voyage AI",
        "US",
        "https://www.voyageai.com",
        &["voyage"],
        &["voyageai", "voyage"],
    ),
    publisher(
        "jina",
        "Jina AI",
        "DE",
        "https://jina.ai",
        &["jina"],
        &["jinaai", "jina"],
    ),
    publisher(
        "nvidia",
        "NVIDIA",
        "US",
        "https://www.nvidia.com",
        &["nemotron", "nv-", "llama-nemotron", "nemo"],
        &["nvidia"],
    ),
    publisher(
        "ibm",
        "IBM",
        "US",
        "https://www.ibm.com/granite",
        &["granite"],
        &["ibm", "ibm-granite"],
    ),
    publisher("01-ai", "01.AI", "CN", "https://www.01.ai", &["yi-"], &["01-ai"]),
    publisher(
        "tencent",
        "Tencent",
        "CN",
        "https://hunyuan.tencent.com",
        &["hunyuan"],
        &["tencent"],
    ),
    publisher(
        "baidu",
        "Baidu",
        "CN",
        "https://yiyan.baidu.com",
        &["ernie"],
        &["baidu"],
    ),
    publisher(
        "bytedance",
        "ByteDance",
        "CN",
        "https://seed.bytedance.com",
        &["doubao", "seed-", "seedream", "seedance", "seededit", "ui-tars"],
        &["bytedance", "bytedance-seed", "bytedance-research"],
    ),
    publisher(
        "stepfun",
        "StepFun",
        "CN",
        "https://www.stepfun.com",
        &["step-"],
        &["stepfun", "stepfun-ai"],
    ),
    publisher(
        "baichuan",
        "Baichuan",
        "CN",
        "https://www.baichuan-ai.com",
        &["baichuan"],
        &["baichuan-inc"],
    ),
    publisher(
        "xiaomi",
        "Xiaomi",
        "CN",
        "https://www.mi.com",
        &["mimo"],
        &["xiaomimimo", "xiaomi"],
    ),
    publisher(
        "meituan",
        "Meituan",
        "CN",
        "https://www.meituan.com",
        &["longcat"],
        &["meituan-longcat", "meituan"],
    ),
    publisher(
        "nous-research",
        "Nous Research",
        "US",
        "https://nousresearch.com",
        &["hermes", "nous-hermes"],
        &["nousresearch"],
    ),
    publisher(
        "allenai",
        "Allen Institute for AI",
        "US",
        "https://allenai.org",
        &["olmo", "tulu", "molmo"],
        &["allenai"],
    ),
    publisher(
        "databricks",
        "Databricks",
        "US",
        "https://www.databricks.com",
        &["dbrx"],
        &["databricks"],
    ),
    publisher(
        "snowflake",
        "Snowflake",
        "US",
        "https://www.snowflake.com",
        &["arctic"],
        &["snowflake"],
    ),
    publisher(
        "writer",
        "Writer",
        "US",
        "https://writer.com",
        &["palmyra"],
        &["writer"],
    ),
    publisher(
        "liquid",
        "Liquid AI",
        "US",
        "https://www.liquid.ai",
        &["lfm"],
        &["liquidai", "liquid"],
    ),
    publisher(
        "deepgram",
        "Deepgram",
        "US",
        "https://deepgram.com",
        &["aura-"],
        &["deepgram"],
    ),
    publisher(
        "elevenlabs",
        "ElevenLabs",
        "US",
        "https://elevenlabs.io",
        &["eleven"],
        &["elevenlabs"],
    ),
    publisher(
        "assemblyai",
        "AssemblyAI",
        "US",
        "https://www.assemblyai.com",
        &["slam-1"],
        &["assemblyai"],
    ),
    publisher(
        "recraft",
        "Recraft",
        "US",
        "https://www.recraft.ai",
        &["recraft"],
        &["recraft-ai", "recraft"],
    ),
    publisher(
        "ideogram",
        "Ideogram",
        "CA",
        "https://ideogram.ai",
        &["ideogram"],
        &["ideogram-ai", "ideogram"],
    ),
    publisher(
        "luma",
        "Luma AI",
        "US",
        "https://lumalabs.ai",
        &["luma", "ray-", "ray2", "photon"],
        &["luma", "lumalabs"],
    ),
    publisher(
        "runway",
        "Runway",
        "US",
        "https://runwayml.com",
        &["gen4", "gen-4", "gen3", "runway"],
        &["runwayml", "runway"],
    ),
    publisher(
        "kuaishou",
        "Kuaishou (Kling)",
        "CN",
        "https://klingai.com",
        &["kling"],
        &["kwaivgi", "kuaishou", "kling"],
    ),
    publisher(
        "twelvelabs",
        "TwelveLabs",
        "US",
        "https://www.twelvelabs.io",
        &["marengo", "pegasus"],
        &["twelvelabs"],
    ),
    publisher(
        "upstage",
        "Upstage",
        "KR",
        "https://www.upstage.ai",
        &["solar"],
        &["upstage"],
    ),
    publisher(
        "lg-ai",
        "LG AI Research",
        "KR",
        "https://www.lgresearch.ai",
        &["exaone"],
        &["lgai-exaone", "lg-ai"],
    ),
    publisher(
        "sarvam",
        "Sarvam AI",
        "IN",
        "https://www.sarvam.ai",
        &["sarvam"],
        &["sarvamai", "sarvam"],
    ),
    publisher(
        "reka",
        "Reka AI",
        "US",
        "https://reka.ai",
        &["reka"],
        &["reka", "rekaai"],
    ),
    publisher(
        "inflection",
        "Inflection AI",
        "US",
        "https://inflection.ai",
        &["inflection"],
        &["inflection"],
    ),
    publisher(
        "mixedbread",
        "Mixedbread",
        "DE",
        "https://www.mixedbread.ai",
        &["mxbai"],
        &["mixedbread-ai"],
    ),
    publisher(
        "baai",
        "Beijing Academy of Artificial Intelligence",
        "CN",
        "https://www.baai.ac.cn",
        &["bge-", "bge_"],
        &["baai"],
    ),
    publisher(
        "nomic",
        "Nomic AI",
        "US",
        "https://www.nomic.ai",
        &["nomic"],
        &["nomic-ai"],
    ),
    publisher(
        "ant-group",
        "Ant Group (inclusionAI)",
        "CN",
        "https://www.antgroup.com",
        &["ling-"],
        &["inclusionai", "antgroup"],
    ),
    publisher(
        "bria",
        "Bria AI",
        "IL",
        "https://bria.ai",
        &["bria"],
        &["bria", "briaai"],
    ),
    publisher(
        "shanghai-ai-lab",
        "Shanghai AI Laboratory",
        "CN",
        "https://www.shlab.org.cn",
        &["internlm", "internvl"],
        &["internlm", "opengvlab"],
    ),
    publisher(
        "huggingface",
        "Hugging Face",
        "US",
        "https://huggingface.co",
        &["zephyr", "smollm"],
        &["huggingface", "huggingfaceh4", "huggingfacetb"],
    ),
    publisher(
        "arcee",
        "Arcee AI",
        "US",
        "https://www.arcee.ai",
        &["arcee", "trinity-"],
        &["arcee-ai"],
    ),
    publisher(
        "salesforce",
        "Salesforce",
        "US",
        "https://www.salesforce.com",
        &["xgen"],
        &["salesforce"],
    ),
    publisher(
        "g42",
        "G42 (Inception)",
        "AE",
        "https://www.g42.ai",
        &["jais"],
        &["core42", "inceptionai", "g42"],
    ),
    publisher(
        "sdaia",
        "Saudi Data and AI Authority",
        "SA",
        "https://sdaia.gov.sa",
        &["allam"],
        &["sdaia"],
    ),
    publisher(
        "aisingapore",
        "AI Singapore",
        "SG",
        "https://aisingapore.org",
        &["sea-lion"],
        &["aisingapore"],
    ),
    publisher(
        "swiss-ai",
        "Swiss AI Initiative",
        "CH",
        "https://www.swiss-ai.org",
        &["apertus"],
        &["swiss-ai"],
    ),
    publisher(
        "bsc",
        "Barcelona Supercomputing Center",
        "ES",
        "https://www.bsc.es",
        &["salamandra"],
        &["bsc-lt"],
    ),
];

pub fn find_publisher(slug: &str) -> Option<&'static KnownPublisher> {
    KNOWN_PUBLISHERS.iter().find(|publisher| publisher.slug == slug)
}

/// The publisher an organisation name in a feed path stands for.
pub fn publisher_for_org(org: &str) -> Option<&'static KnownPublisher> {
    let org = org.to_ascii_lowercase();
    KNOWN_PUBLISHERS
        .iter()
        .find(|publisher| publisher.slug == org || publisher.org_aliases.contains(&org.as_str()))
}

/// The publisher whose model-name stem begins `model_name`, preferring the
/// longest matching stem so `llama-nemotron` is NVIDIA's, not Meta's.
pub fn publisher_for_model_name(model_name: &str) -> Option<&'static KnownPublisher> {
    let name = model_name.to_ascii_lowercase();
    KNOWN_PUBLISHERS
        .iter()
        .flat_map(|publisher| publisher.model_stems.iter().map(move |stem| (publisher, *stem)))
        .filter(|(_, stem)| name.starts_with(stem))
        .max_by_key(|(_, stem)| stem.len())
        .map(|(publisher, _)| publisher)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::country::parse_country;

    #[test]
    fn well_known_models_map_to_their_makers() {
        let maker = |name| publisher_for_model_name(name).map(|p| p.slug);
        assert_eq!(maker("DeepSeek-R1"), Some("deepseek"));
        assert_eq!(maker("claude-sonnet-4-5"), Some("anthropic"));
        assert_eq!(maker("llama-3.1-70b-instruct"), Some("meta"));
        assert_eq!(maker("llama-nemotron-super-49b"), Some("nvidia"));
        assert_eq!(maker("gpt-4o"), Some("openai"));
        assert_eq!(maker("qwen3-235b-a22b"), Some("alibaba"));
        assert_eq!(maker("no-such-model"), None);
    }

    #[test]
    fn organisation_aliases_resolve() {
        assert_eq!(publisher_for_org("deepseek-ai").map(|p| p.slug), Some("deepseek"));
        assert_eq!(publisher_for_org("Meta-Llama").map(|p| p.slug), Some("meta"));
    }

    #[test]
    fn slugs_are_unique_and_countries_are_assigned_codes() {
        let mut slugs: Vec<_> = KNOWN_PUBLISHERS.iter().map(|p| p.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), KNOWN_PUBLISHERS.len());
        for publisher in KNOWN_PUBLISHERS {
            assert!(parse_country(publisher.country).is_some(), "{}", publisher.slug);
        }
    }
}
