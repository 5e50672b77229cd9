//! Key parsing: a feed key into publisher, model name, placement and variant, and the cleaning of model names.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placement {
    pub(super) region: &'static str,
    pub(super) scope: ProcessingScope,
}

pub(super) const GLOBAL: Placement = Placement {
    region: "global",
    scope: ProcessingScope::Global,
};

pub(super) fn regional(code: &str) -> Option<Placement> {
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

pub(super) fn zone(code: &'static str) -> Placement {
    Placement {
        region: code,
        scope: ProcessingScope::DataZone,
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Cloud {
    Aws,
    Azure,
    Other,
}

pub(super) fn cloud_of(provider: &str) -> Cloud {
    match provider {
        "bedrock" | "bedrock_converse" | "bedrock_mantle" | "sagemaker" => Cloud::Aws,
        "azure" | "azure_text" | "azure_ai" => Cloud::Azure,
        _ => Cloud::Other,
    }
}

#[derive(Debug, Default)]
pub(super) struct KeyParts {
    pub(super) org: Option<String>,
    /// Model name in the feed's own casing, before slugging.
    pub(super) name: String,
    pub(super) placements: Vec<Placement>,
    /// The key itself says where the offer runs (a region, data zone or
    /// global segment), which makes it more specific than a bare key.
    pub(super) explicit_location: bool,
    pub(super) commitment_months: Option<u32>,
    /// How far the key is from the plain offer: image quality/size variants,
    /// `:variantN` suffixes. Lower wins when two keys describe one offer.
    pub(super) variant_score: u32,
    pub(super) fine_tune: bool,
    /// Who runs the offer when the key says it is not the provider itself.
    pub(super) operator: Option<(&'static str, Option<&'static str>)>,
}

/// Image quality words used as path segments before a size (`high/1024-x-1024/`).
pub(super) const QUALITY_WORDS: &[&str] = &["low", "medium", "high", "hd", "standard", "xhigh", "max", "auto"];
/// The defaults of the image APIs: the plain offer is priced at these.
pub(super) const DEFAULT_QUALITIES: &[&str] = &["standard", "medium", "auto"];

/// Path segments that only route a request (API surface, catalogue prefix)
/// and say nothing about the model.
pub(super) const ROUTE_WORDS: &[&str] = &["invoke", "converse", "claude_platform", "speech", "ranking", "ps"];

/// First path segments that are product words rather than organisations, so
/// `azure_ai/doc-intelligence/prebuilt-read` is not published by "doc-intelligence".
pub(super) const NON_ORG_WORDS: &[&str] = &["streaming", "preset", "doc-intelligence", "search", "agent"];

/// Provider ids whose key prefix differs from the id.
pub(super) const ROUTE_ALIASES: &[(&str, &str)] = &[
    ("azure_text", "azure"),
    ("bedrock_converse", "bedrock"),
    ("amazon_nova", "amazon-nova"),
    ("cohere_chat", "cohere"),
];

/// A host's own namespace inside its paths (`fal_ai/fal-ai/flux/dev`,
/// `perplexity/perplexity/sonar`): it claims no authorship of the model.
pub(super) const HOST_NAMESPACES: &[(&str, &str)] = &[
    ("fal_ai", "fal-ai"),
    ("together_ai", "together"),
    ("together_ai", "togethercomputer"),
    ("gmi", "gmicloud"),
    ("featherless_ai", "featherless-ai"),
    ("perplexity", "perplexity"),
    ("cloudflare", "cloudflare"),
];

/// Bedrock-style vendor prefixes (`anthropic.claude-...`, `deepseek.r1-v1:0`).
pub(super) const VENDOR_PREFIXES: &[&str] = &[
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

pub(super) fn is_route_prefix(segment: &str, provider: &str) -> bool {
    segment == provider
        || segment == provider_base(provider)
        || ROUTE_ALIASES.iter().any(|(p, s)| *p == provider && *s == segment)
}

pub(super) fn is_host_namespace(segment: &str, provider: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    HOST_NAMESPACES
        .iter()
        .any(|(p, ns)| *p == provider_base(provider) && *ns == lower)
}

pub(super) fn all_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// `1024-x-1024`, `max-x-max`.
pub(super) fn is_size_segment(segment: &str) -> bool {
    let dimension = |part: &str| part == "max" || all_digits(part);
    segment
        .split_once("-x-")
        .is_some_and(|(w, h)| dimension(w) && dimension(h))
}

/// `50-steps`, `max-steps`.
pub(super) fn is_steps_segment(segment: &str) -> bool {
    segment
        .strip_suffix("-steps")
        .is_some_and(|n| n == "max" || all_digits(n))
}

pub(super) fn commitment_months(segment: &str) -> Option<u32> {
    segment.strip_suffix("-month-commitment").and_then(|n| n.parse().ok())
}

/// AWS region shape: `us-east-1`, `us-gov-west-1`, `ap-southeast-7`.
pub(super) fn looks_like_aws_region(segment: &str) -> bool {
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
pub(super) fn azure_zone(segment: &str) -> Option<Vec<Placement>> {
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
pub(super) fn bedrock_geo(prefix: &str) -> Option<Vec<Placement>> {
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

pub(super) fn parse_key(key: &str, provider: &str) -> Result<KeyParts, String> {
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
pub(super) const DOTTED_FAMILIES: &[&str] = &[
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
pub(super) fn canonical_spelling(name: &str) -> String {
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
pub(super) fn clean_name(name: &str, provider: &str, variant_score: &mut u32) -> String {
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
pub(super) fn bedrock_revision(name: &str) -> String {
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

pub(super) fn p_between_digits(name: &str) -> String {
    replace_between_digits(name, 'p', '.')
}

pub(super) fn dots_between_digits(name: &str, with: char) -> String {
    replace_between_digits(name, '.', with)
}

pub(super) fn replace_between_digits(name: &str, from: char, to: char) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len());
    for (i, &c) in chars.iter().enumerate() {
        let between =
            c == from && i > 0 && chars[i - 1].is_ascii_digit() && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        out.push(if between { to } else { c });
    }
    out
}
