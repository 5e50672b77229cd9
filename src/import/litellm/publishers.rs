//! Publishers: who made a model, from an organisation or a model name.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PublisherInfo {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) country: Option<String>,
    pub(super) website: Option<String>,
}

impl PublisherInfo {
    pub(super) fn known(publisher: &KnownPublisher) -> Self {
        PublisherInfo {
            slug: publisher.slug.to_string(),
            name: publisher.name.to_string(),
            country: Some(publisher.country.to_string()),
            website: Some(publisher.website.to_string()),
        }
    }

    /// A publisher we only know by its name in the feed (an organisation
    /// path segment or a provider id): no facts are invented for it.
    pub(super) fn unknown(name: &str, country: Option<&str>) -> Self {
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
pub(super) const LOCAL_ORG_ALIASES: &[(&str, &str)] = &[
    ("meta-models", "meta"),
    ("codellama", "meta"),
    ("kwaipilot", "kuaishou"),
    ("baichuan", "baichuan"),
    ("paddlepaddle", "baidu"),
    ("mistral-ai", "mistral"),
];

pub(super) fn known_org(org: &str) -> Option<&'static KnownPublisher> {
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
pub(super) const LOCAL_STEMS: &[(&str, &str)] = &[
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
pub(super) const HOST_STEMS: &[(&str, &str, &str)] = &[
    ("deepgram", "nova", "deepgram"),
    ("voyage", "rerank", "voyage"),
    // Vertex's `text-embedding-005` is Google's, not OpenAI's.
    ("vertex_ai", "text-embedding", "google"),
];

pub(super) fn publisher_for_name(name: &str, provider: &str) -> Option<&'static KnownPublisher> {
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
pub(super) fn publisher_slug(text: &str) -> String {
    collapse(text, |c| c.is_ascii_lowercase() || c.is_ascii_digit())
}

/// Model-name part of a slug: lowercase `[a-z0-9._-]`, other characters
/// become `-`, runs of `-` collapse.
pub(super) fn model_slug_name(text: &str) -> String {
    collapse(text, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'
    })
}

pub(super) fn collapse(text: &str, keep: impl Fn(char) -> bool) -> String {
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
