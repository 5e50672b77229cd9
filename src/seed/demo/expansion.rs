//! The synthetic expansion: fictional demo partners and their derivatives.

use super::*;

/// A fictional demo partner publisher (website `https://<slug>.example`).
pub(super) struct Partner {
    pub(super) slug: &'static str,
    pub(super) name: &'static str,
    pub(super) country: &'static str,
    /// Regions where the partner serves its own models.
    pub(super) home: &'static [&'static str],
    /// The language its language-specific fine-tunes target: slug and name.
    pub(super) language: (&'static str, &'static str),
}

#[rustfmt::skip]
pub(super) const PARTNERS: &[Partner] = &[
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
pub(super) const DOMAINS: &[(&str, &str, &str)] = &[
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
pub(super) const QUANTS: &[(&str, &str, &str)] = &[
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
pub(super) const STYLES: &[(&str, &str, &str)] = &[
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
pub(super) const FINE_TUNE_CHANCE: u64 = 56;
pub(super) const QUANTIZE_CHANCE: u64 = 34;
pub(super) const DISTILL_CHANCE: u64 = 16;
pub(super) const MERGE_CHANCE: u64 = 5;

pub(super) fn synthesise(curated: &[Listing], taken: &mut BTreeSet<String>) -> Vec<Listing> {
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
pub(super) fn admit_all(listings: Vec<Listing>, taken: &mut BTreeSet<String>, out: &mut Vec<Listing>) {
    if listings.is_empty() || listings.iter().any(|l| taken.contains(&l.model.slug)) {
        return;
    }
    for listing in listings {
        taken.insert(listing.model.slug.clone());
        out.push(listing);
    }
}

pub(super) fn language_model_derivatives(
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
pub(super) fn stem(name: &str) -> &str {
    ["-instruct", "-it", "-chat"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

pub(super) fn base_name(listing: &Listing) -> &str {
    listing.model.slug.split_once('/').map_or("", |(_, name)| name)
}

/// The last day a synthetic listing may be released on.
pub(super) fn release_cutoff() -> NaiveDate {
    as_of() - Days::new(3)
}

pub(super) fn weights_digest(rng: &mut Rng) -> String {
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
pub(super) fn derivative(
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

pub(super) fn seal(mut listing: Listing, rng: &mut Rng) -> Listing {
    if listing.model.open_weights {
        listing.model.provenance.weights_digest = Some(weights_digest(rng));
    }
    listing
}

/// A release date some weeks after `after`, or `None` when it would pass the cutoff.
pub(super) fn later(after: NaiveDate, min_days: u64, max_days: u64, rng: &mut Rng) -> Option<NaiveDate> {
    let day = plus_days(after, rng.between(min_days, max_days));
    (day <= release_cutoff()).then_some(day)
}

/// Links versions: an older one is deprecated (or retired, once its retirement date
/// has passed) in favour of the next, with `deprecate_percent` chance (otherwise it
/// stays GA alongside its successor); the newest is GA or, if recent, preview.
pub(super) fn link_versions(versions: &mut [Listing], deprecate_percent: u64, rng: &mut Rng) {
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
pub(super) fn fine_tune_chain(
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

pub(super) fn quantization(
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

pub(super) fn distillation(partner: &'static Partner, base: &Listing, rng: &mut Rng) -> Option<Listing> {
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

pub(super) fn merge(partner: &'static Partner, base: &Listing, rng: &mut Rng) -> Listing {
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
pub(super) struct Family {
    pub(super) partner: &'static str,
    pub(super) stem: &'static str,
    pub(super) title: &'static str,
    pub(super) task: Task,
    pub(super) purpose: &'static str,
    pub(super) license: &'static str,
    pub(super) params_b: u32,
    pub(super) context: Option<i32>,
    pub(super) max_output: Option<i32>,
    pub(super) caps: &'static [Capability],
    pub(super) prices: &'static [(PriceDimension, PriceUnit, &'static str)],
}

pub(super) const TOKENS_IN_OUT: PriceUnit = PriceUnit::PerMillionTokens;

#[rustfmt::skip]
pub(super) const FAMILIES: &[Family] = {
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

pub(super) fn own_family(partner: &'static Partner, family: &Family) -> Vec<Listing> {
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
