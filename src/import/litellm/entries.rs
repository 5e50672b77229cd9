//! Entry parsing: one feed entry into a typed entry or a rejection with its reason.

use super::*;

/// How an entry's publisher was inferred, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PublisherSource {
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
pub(super) const GENERIC_NAMES: &[&str] = &[
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

pub(super) fn model_slug_for(publisher: &PublisherInfo, name_slug: &str, fine_tune: bool) -> String {
    if fine_tune {
        format!("{}/ft-{name_slug}", publisher.slug)
    } else {
        format!("{}/{name_slug}", publisher.slug)
    }
}

#[derive(Debug)]
pub(super) struct Entry {
    pub(super) key: String,
    pub(super) provider: String,
    pub(super) operator_name: String,
    pub(super) operator_country: Option<String>,
    pub(super) maker_slug: String,
    pub(super) publisher: PublisherInfo,
    pub(super) publisher_source: PublisherSource,
    /// Slug form of the model name, without publisher or `ft-`.
    pub(super) name_slug: String,
    pub(super) model_slug: String,
    pub(super) raw_name: String,
    pub(super) fine_tune: bool,
    pub(super) task: Task,
    pub(super) inputs: BTreeSet<Modality>,
    pub(super) outputs: BTreeSet<Modality>,
    pub(super) capabilities: BTreeSet<Capability>,
    pub(super) context_window: Option<i32>,
    pub(super) max_output_tokens: Option<i32>,
    pub(super) placements: Vec<Placement>,
    pub(super) explicit_location: bool,
    pub(super) deployment: DeploymentType,
    pub(super) commitment_months: Option<u32>,
    pub(super) variant_score: u32,
    pub(super) prices: Vec<PriceRecord>,
    /// Batch-API prices, when the entry has them (`*_batches` fields).
    pub(super) batch_prices: Option<Vec<PriceRecord>>,
    pub(super) deprecation_date: Option<NaiveDate>,
    pub(super) successor_key: Option<String>,
}

pub(super) fn task_for_mode(mode: &str) -> Option<Task> {
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

pub(super) const CAPABILITY_FIELDS: &[(&str, Capability)] = &[
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
pub(super) fn parse_entry(key: &str, value: &Value) -> Result<(Entry, Option<String>), String> {
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

    let deployment = if is_self_hosted(provider) {
        DeploymentType::SelfHosted
    } else if parts.commitment_months.is_some() {
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
pub(super) fn identify(
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
pub(super) fn validate_numbers(object: &Map<String, Value>) -> Result<(), String> {
    for (field, value) in object {
        if !field.contains("cost") {
            continue;
        }
        check_cost(field, value)?;
    }
    Ok(())
}

pub(super) fn check_cost(field: &str, value: &Value) -> Result<(), String> {
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

pub(super) fn token_limit(object: &Map<String, Value>, field: &str) -> Result<Option<i32>, String> {
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

pub(super) fn supported_regions(listed: &Value) -> Result<(Vec<Placement>, Vec<String>), String> {
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

pub(super) fn modality_of(text: &str) -> Option<Modality> {
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
pub(super) fn modalities(
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
