//! Listings: the surviving entries assembled into publishers, listings and offers.

use super::*;

pub(super) fn assemble(
    parsed: &[Entry],
    survivors: &[Vec<Candidate>],
    aliases: Vec<AliasRecord>,
    mut rejected: Vec<Rejection>,
) -> CatalogBatch {
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
    // else by the same key normalisation under the entry's provider (and
    // then to the spelling the listing is kept under).
    let slug_by_key: HashMap<&str, &str> = parsed.iter().map(|e| (e.key.as_str(), e.model_slug.as_str())).collect();
    let listing_of_alias: HashMap<&str, &str> = aliases
        .iter()
        .map(|a| (a.alias.as_str(), a.model_slug.as_str()))
        .collect();
    let resolve_successor = |entry: &Entry| -> Option<String> {
        let key = entry.successor_key.as_deref()?;
        if let Some(slug) = slug_by_key.get(key) {
            return Some((*slug).to_string());
        }
        let mut parts = parse_key(key, &entry.provider).ok()?;
        let maker = operator_for(&entry.provider).maker;
        let (publisher, _, name_slug) = identify(&mut parts, &entry.provider, &maker).ok()?;
        let slug = model_slug_for(&publisher, &name_slug, parts.fine_tune);
        Some(
            listing_of_alias
                .get(slug.as_str())
                .map_or(slug, |listing| listing.to_string()),
        )
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
        aliases,
        rejected,
    }
}

/// Among spellings of an unknown organisation, prefer the one carrying the
/// maker's own capitalisation (`OpenPipe` over `openpipe`).
pub(super) fn better_publisher_name(candidate: &PublisherInfo, existing: &PublisherInfo) -> bool {
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

pub(super) fn build_model(
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
    // casing, e.g. `DeepSeek-R1` over `deepseek-r1`), ties alphabetically;
    // among entries spelled as the slug is, when some are (others are
    // aliases: `gpt-35-turbo` does not name `gpt-3.5-turbo`).
    let own_spelling = name_part.strip_prefix("ft-").unwrap_or(name_part);
    let named: Vec<&&Entry> = entries.iter().filter(|e| e.name_slug == own_spelling).collect();
    let raw = if named.is_empty() {
        entries.iter().collect()
    } else {
        named
    }
    .into_iter()
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
            release_date: release_date_in(name_part),
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
pub(super) fn lifecycle_for(
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
pub(super) fn license_for(publisher: &str, name: &str) -> (&'static str, bool) {
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
        // Publishers whose other models are sold only through their APIs,
        // under their own terms.
        "openai" | "anthropic" | "google" | "xai" | "amazon" | "cohere" | "ai21" | "perplexity" | "voyage"
        | "mistral" | "microsoft" | "alibaba" | "moonshot" | "minimax" | "zhipu" => ("proprietary", false),
        // The feed says nothing about licences: where this table does not
        // know, the licence is unknown, not assumed proprietary (a tenant
        // allow-listing licences refuses it until someone finds out).
        _ => ("unknown", false),
    }
}

/// Quantisation markers in model names (`-fp8`, `-awq`, `-gguf`).
pub(super) const QUANT_MARKERS: &[&str] = &["fp8", "fp4", "nvfp4", "mxfp4", "mxfp", "int8", "int4", "awq", "gguf"];

/// Lineage from the name: `ft:` is a fine-tune of the named model;
/// `x-distill-y` is distilled from `x` (the teacher the name credits);
/// a quantisation marker derives from the same name without it. The base is
/// linked only when it is itself a listing of this batch.
pub(super) fn lineage_for(
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

/// The date a dated snapshot's name carries (`gpt-4o-2024-08-06`,
/// `claude-haiku-4-5-20251001`): the feed has no release dates, but a
/// snapshot is released on the day it is named for. Dates outside 2015 to
/// 2035 are not taken for one.
pub(super) fn release_date_in(name: &str) -> Option<NaiveDate> {
    let tokens: Vec<&str> = name.split('-').collect();
    let plausible = |date: NaiveDate| (2015..=2035).contains(&date.year());
    for (i, token) in tokens.iter().enumerate() {
        let date = if token.len() == 8 && all_digits(token) {
            NaiveDate::parse_from_str(token, "%Y%m%d").ok()
        } else if token.len() == 4 && all_digits(token) && i + 2 < tokens.len() {
            let (month, day) = (tokens[i + 1], tokens[i + 2]);
            (month.len() == 2 && day.len() == 2 && all_digits(month) && all_digits(day))
                .then(|| NaiveDate::parse_from_str(&format!("{token}-{month}-{day}"), "%Y-%m-%d").ok())
                .flatten()
        } else {
            None
        };
        if let Some(date) = date.filter(|d| plausible(*d)) {
            return Some(date);
        }
    }
    None
}

/// Best-effort family and version: the family is the leading words without
/// digits (`deepseek-r1` → `deepseek`, `claude-opus-4-5` → `claude-opus`, or
/// the letters of `qwen3`), the version the first token with a digit, small
/// numeric tokens joined by dots (`claude-3-5-sonnet` → `3.5`).
pub(super) fn family_and_version(name: &str) -> (Option<String>, Option<String>) {
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

pub(super) fn describe(task: Task, publisher: &str, context_window: Option<i32>, providers: usize) -> String {
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

pub(super) fn short_count(tokens: i32) -> String {
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
pub(super) fn display_name(raw: &str) -> String {
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

pub(super) const WORD_SPELLINGS: &[(&str, &str)] = &[
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

pub(super) fn pretty_word(word: &str) -> String {
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
