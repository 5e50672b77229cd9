//! The closed vocabularies of the catalog. Each is stored as TEXT with a CHECK
//! constraint in PostgreSQL and serialised in snake_case, so the wire, the
//! database and the code agree on one spelling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a string-backed enum with `as_str`, `parse` and `ALL`, so that
/// query parameters, database values and JSON share one spelling.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        /// For mapping stored text at the database boundary: an unknown
        /// spelling is an error, never a default.
        impl TryFrom<String> for $name {
            type Error = String;

            fn try_from(text: String) -> Result<Self, String> {
                Self::parse(&text).ok_or_else(|| {
                    format!("{text:?} is not a {}; expected one of {}", stringify!($name), Self::expected())
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// What a model does.
    Task {
        Chat => "chat",
        Completion => "completion",
        Embedding => "embedding",
        Rerank => "rerank",
        ImageGeneration => "image_generation",
        ImageEdit => "image_edit",
        VideoGeneration => "video_generation",
        AudioTranscription => "audio_transcription",
        AudioSpeech => "audio_speech",
        Realtime => "realtime",
        Moderation => "moderation",
        Ocr => "ocr",
        Search => "search",
    }
);

vocabulary!(
    /// A kind of input or output a model handles.
    Modality {
        Text => "text",
        Image => "image",
        Audio => "audio",
        Video => "video",
        Vector => "vector",
    }
);

vocabulary!(
    /// A feature a model supports.
    Capability {
        FunctionCalling => "function_calling",
        ParallelFunctionCalling => "parallel_function_calling",
        Vision => "vision",
        Reasoning => "reasoning",
        StructuredOutput => "structured_output",
        PromptCaching => "prompt_caching",
        WebSearch => "web_search",
        ComputerUse => "computer_use",
        PdfInput => "pdf_input",
        AudioInput => "audio_input",
        AudioOutput => "audio_output",
        VideoInput => "video_input",
        SystemMessages => "system_messages",
    }
);

vocabulary!(
    /// How a model came to be.
    Lineage {
        Original => "original",
        FineTune => "fine_tune",
        Distillation => "distillation",
        Quantization => "quantization",
        Merge => "merge",
    }
);

vocabulary!(
    /// Where a listing stands in its life.
    LifecycleStatus {
        Preview => "preview",
        Ga => "ga",
        Deprecated => "deprecated",
        Retired => "retired",
    }
);

vocabulary!(
    /// How an offer is deployed.
    DeploymentType {
        Serverless => "serverless",
        Provisioned => "provisioned",
        ManagedCompute => "managed_compute",
        Batch => "batch",
        // A local runtime on the tenant's own hardware (Ollama, Lemonade):
        // nothing to buy, so no price.
        SelfHosted => "self_hosted",
    }
);

vocabulary!(
    /// Where requests to an offer may be processed.
    ProcessingScope {
        Regional => "regional",
        DataZone => "data_zone",
        Global => "global",
    }
);

vocabulary!(
    /// The cloud a region belongs to.
    Cloud {
        Public => "public",
        China => "china",
        Usgov => "usgov",
        Sovereign => "sovereign",
    }
);

vocabulary!(
    /// Whether an offer can be used now.
    OfferStatus {
        Available => "available",
        Limited => "limited",
        Unavailable => "unavailable",
        // No longer carried by the source it came from (a full import of
        // that source left it out): kept for its price history, never
        // shown as an offer and never enableable.
        Withdrawn => "withdrawn",
    }
);

vocabulary!(
    /// What a price component charges for.
    PriceDimension {
        InputTokens => "input_tokens",
        OutputTokens => "output_tokens",
        CachedInputTokens => "cached_input_tokens",
        CacheWriteTokens => "cache_write_tokens",
        ReasoningTokens => "reasoning_tokens",
        InputAudioTokens => "input_audio_tokens",
        OutputAudioTokens => "output_audio_tokens",
        Image => "image",
        InputSecond => "input_second",
        OutputSecond => "output_second",
        Character => "character",
        Page => "page",
        Query => "query",
        Hour => "hour",
    }
);

vocabulary!(
    /// The quantity a price amount is quoted per.
    PriceUnit {
        PerMillionTokens => "1M_tokens",
        PerImage => "image",
        PerSecond => "second",
        PerThousandCharacters => "1K_characters",
        PerThousandPages => "1K_pages",
        PerThousandQueries => "1K_queries",
        PerHour => "hour",
    }
);

vocabulary!(
    /// The kind of legal or policy ground for a compliance hold.
    HoldKind {
        ExportControl => "export_control",
        Sanctions => "sanctions",
        Legal => "legal",
        Security => "security",
        IpDispute => "ip_dispute",
        License => "license",
    }
);

vocabulary!(
    /// Where a compliance hold is in its life.
    HoldStatus {
        Proposed => "proposed",
        Active => "active",
        Lifted => "lifted",
        Rejected => "rejected",
        Expired => "expired",
    }
);

vocabulary!(
    /// The state of a tenant's enablement of a model.
    EnablementStatus {
        Active => "active",
        Suspended => "suspended",
        Disabled => "disabled",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_round_trips_through_parse() {
        for task in Task::ALL {
            assert_eq!(Task::parse(task.as_str()), Some(*task));
        }
        for unit in PriceUnit::ALL {
            assert_eq!(PriceUnit::parse(unit.as_str()), Some(*unit));
        }
        assert_eq!(Capability::parse("telepathy"), None);
    }

    /// The OpenAPI document is what SDKs are generated from: its enums must
    /// list exactly the spellings on the wire. (A macro once passed them to
    /// the schema derive in a form it could not read, and every enum was
    /// documented by its Rust variant names.)
    #[test]
    fn every_vocabulary_documents_exactly_the_spellings_it_serialises() {
        fn documented<T: utoipa::PartialSchema>() -> Vec<String> {
            let schema = serde_json::to_value(T::schema()).unwrap();
            serde_json::from_value(schema["enum"].clone()).unwrap()
        }
        macro_rules! check {
            ($($vocabulary:ty),+) => {$(
                let on_the_wire: Vec<String> = <$vocabulary>::ALL
                    .iter()
                    .map(|v| serde_json::to_value(v).unwrap().as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(documented::<$vocabulary>(), on_the_wire, stringify!($vocabulary));
            )+};
        }
        check!(
            Task,
            Modality,
            Capability,
            Lineage,
            LifecycleStatus,
            DeploymentType,
            ProcessingScope,
            Cloud,
            OfferStatus,
            PriceDimension,
            PriceUnit,
            HoldKind,
            HoldStatus,
            EnablementStatus
        );
    }

    #[test]
    fn serde_uses_the_same_spelling_as_as_str() {
        let json = serde_json::to_string(&Capability::FunctionCalling).unwrap();
        assert_eq!(json, "\"function_calling\"");
        let json = serde_json::to_string(&PriceUnit::PerMillionTokens).unwrap();
        assert_eq!(json, "\"1M_tokens\"");
    }
}
