//! A small hand-made catalog whose facts the filter tests can count on.

use chrono::NaiveDate;
use modelmart::domain::batch::*;
use modelmart::domain::vocab::*;
use rust_decimal::Decimal;

fn publisher(slug: &str, name: &str, country: &str) -> PublisherRecord {
    PublisherRecord {
        slug: slug.into(),
        name: name.into(),
        country: Some(country.into()),
        website: None,
    }
}

pub struct Spec {
    pub slug: &'static str,
    pub name: &'static str,
    pub publisher: &'static str,
    pub country: &'static str,
    pub task: Task,
    pub capabilities: &'static [Capability],
    pub context: i32,
    pub license: &'static str,
    pub open_weights: bool,
    pub lifecycle: LifecycleStatus,
    pub released: (i32, u32, u32),
    /// (region, input price, output price) per offer.
    pub offers: &'static [(&'static str, &'static str, &'static str)],
    pub tags: &'static [&'static str],
}

use Capability::*;

pub const SPECS: &[Spec] = &[
    Spec {
        slug: "deepseek/deepseek-r1",
        name: "DeepSeek R1",
        publisher: "deepseek",
        country: "CN",
        task: Task::Chat,
        capabilities: &[Reasoning, FunctionCalling],
        context: 128_000,
        license: "MIT",
        open_weights: true,
        lifecycle: LifecycleStatus::Ga,
        released: (2025, 1, 20),
        offers: &[
            ("eastus", "0.55", "2.19"),
            ("westeurope", "0.60", "2.40"),
            ("chinanorth3", "0.50", "2.00"),
        ],
        tags: &["reasoning"],
    },
    Spec {
        slug: "deepseek/deepseek-v3",
        name: "DeepSeek V3",
        publisher: "deepseek",
        country: "CN",
        task: Task::Chat,
        capabilities: &[FunctionCalling],
        context: 64_000,
        license: "MIT",
        open_weights: true,
        lifecycle: LifecycleStatus::Ga,
        released: (2024, 12, 26),
        offers: &[("eastus", "0.27", "1.10")],
        tags: &[],
    },
    Spec {
        slug: "meta/llama-3.1-8b-instruct",
        name: "Llama 3.1 8B Instruct",
        publisher: "meta",
        country: "US",
        task: Task::Chat,
        capabilities: &[FunctionCalling],
        context: 128_000,
        license: "llama-3.1-community",
        open_weights: true,
        lifecycle: LifecycleStatus::Ga,
        released: (2024, 7, 23),
        offers: &[("eastus", "0.10", "0.10"), ("swedencentral", "0.12", "0.12")],
        tags: &["small"],
    },
    Spec {
        slug: "mistral/mistral-large",
        name: "Mistral Large",
        publisher: "mistral",
        country: "FR",
        task: Task::Chat,
        capabilities: &[FunctionCalling, StructuredOutput],
        context: 128_000,
        license: "mistral-research",
        open_weights: false,
        lifecycle: LifecycleStatus::Deprecated,
        released: (2024, 2, 26),
        offers: &[("westeurope", "2.00", "6.00")],
        tags: &[],
    },
    Spec {
        slug: "openai/gpt-4o",
        name: "GPT-4o",
        publisher: "openai",
        country: "US",
        task: Task::Chat,
        capabilities: &[FunctionCalling, Vision, StructuredOutput],
        context: 128_000,
        license: "proprietary",
        open_weights: false,
        lifecycle: LifecycleStatus::Ga,
        released: (2024, 5, 13),
        offers: &[("eastus", "2.50", "10.00"), ("datazone-eu", "2.75", "11.00")],
        tags: &[],
    },
    Spec {
        slug: "openai/text-embedding-3-small",
        name: "text-embedding-3-small",
        publisher: "openai",
        country: "US",
        task: Task::Embedding,
        capabilities: &[],
        context: 8_191,
        license: "proprietary",
        open_weights: false,
        lifecycle: LifecycleStatus::Ga,
        released: (2024, 1, 25),
        offers: &[("eastus", "0.02", "0")],
        tags: &[],
    },
    Spec {
        slug: "microsoft/phi-4",
        name: "Phi-4",
        publisher: "microsoft",
        country: "US",
        task: Task::Chat,
        capabilities: &[],
        context: 16_000,
        license: "MIT",
        open_weights: true,
        lifecycle: LifecycleStatus::Preview,
        released: (2024, 12, 12),
        offers: &[],
        tags: &["small"],
    },
    Spec {
        slug: "openai/gpt-3.5-turbo",
        name: "GPT-3.5 Turbo",
        publisher: "openai",
        country: "US",
        task: Task::Chat,
        capabilities: &[FunctionCalling],
        context: 16_385,
        license: "proprietary",
        open_weights: false,
        lifecycle: LifecycleStatus::Retired,
        released: (2023, 3, 1),
        offers: &[("eastus", "0.50", "1.50")],
        tags: &[],
    },
];

pub fn catalog() -> CatalogBatch {
    let mut batch = CatalogBatch {
        publishers: vec![
            publisher("deepseek", "DeepSeek", "CN"),
            publisher("meta", "Meta", "US"),
            publisher("mistral", "Mistral AI", "FR"),
            publisher("openai", "OpenAI", "US"),
            publisher("microsoft", "Microsoft", "US"),
        ],
        ..Default::default()
    };
    for spec in SPECS {
        let (y, m, d) = spec.released;
        let deprecated = matches!(spec.lifecycle, LifecycleStatus::Deprecated | LifecycleStatus::Retired);
        batch.models.push(ModelRecord {
            slug: spec.slug.into(),
            publisher_slug: spec.publisher.into(),
            name: spec.name.into(),
            family: None,
            version: None,
            description: format!("{} by {}", spec.name, spec.publisher),
            task: spec.task,
            input_modalities: vec![Modality::Text],
            output_modalities: vec![if spec.task == Task::Embedding {
                Modality::Vector
            } else {
                Modality::Text
            }],
            context_window: Some(spec.context),
            max_output_tokens: None,
            capabilities: spec.capabilities.to_vec(),
            license: spec.license.into(),
            open_weights: spec.open_weights,
            provenance: ProvenanceRecord {
                origin_country: Some(spec.country.into()),
                lineage: Lineage::Original,
                base_model_slug: None,
                model_card_url: None,
                weights_digest: None,
                release_date: NaiveDate::from_ymd_opt(y, m, d),
            },
            lifecycle: LifecycleRecord {
                status: spec.lifecycle,
                deprecation_date: deprecated.then(|| NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()),
                retirement_date: None,
                successor_slug: None,
            },
            tags: spec.tags.iter().map(|t| t.to_string()).collect(),
        });
        for (region, input, output) in spec.offers {
            batch.offers.push(OfferRecord {
                model_slug: spec.slug.into(),
                region: region.to_string(),
                deployment_type: DeploymentType::Serverless,
                processing_scope: ProcessingScope::Regional,
                operator_name: "Modelmart Cloud".into(),
                operator_country: Some("US".into()),
                status: OfferStatus::Available,
                prices: vec![
                    PriceRecord {
                        dimension: PriceDimension::InputTokens,
                        unit: PriceUnit::PerMillionTokens,
                        amount: input.parse::<Decimal>().unwrap(),
                        currency: "USD".into(),
                        tier_min_context_tokens: None,
                    },
                    PriceRecord {
                        dimension: PriceDimension::OutputTokens,
                        unit: PriceUnit::PerMillionTokens,
                        amount: output.parse::<Decimal>().unwrap(),
                        currency: "USD".into(),
                        tier_min_context_tokens: None,
                    },
                ],
                source_key: None,
            });
        }
    }
    batch
}

fn derivative(
    slug: &str,
    publisher: &str,
    country: &str,
    lineage: Lineage,
    base: &str,
    regions: &[&str],
) -> (ModelRecord, Vec<OfferRecord>) {
    let mut model = catalog()
        .models
        .into_iter()
        .find(|m| m.slug == "deepseek/deepseek-r1")
        .unwrap();
    model.slug = slug.into();
    model.publisher_slug = publisher.into();
    model.name = slug.rsplit('/').next().unwrap().into();
    model.description = format!("{} derived from {base}", model.name);
    model.provenance.origin_country = Some(country.into());
    model.provenance.lineage = lineage;
    model.provenance.base_model_slug = Some(base.into());
    let template = catalog()
        .offers
        .into_iter()
        .find(|o| o.model_slug == "deepseek/deepseek-r1")
        .unwrap();
    let offers = regions
        .iter()
        .map(|region| OfferRecord {
            model_slug: slug.into(),
            region: region.to_string(),
            ..template.clone()
        })
        .collect();
    (model, offers)
}

/// The catalog above plus a lineage under DeepSeek R1, published from
/// outside China:
/// - `acme/deepseek-r1-tax`, a fine-tune of R1 (DE);
/// - `acme/deepseek-r1-tax-q4`, a quantization of that fine-tune (DE);
/// - `stellar/r1-distill-llama-8b`, a distillation of R1 (US);
///
/// and R1 in eastus run by two more operators: "Dragon Cloud" (CN, cheaper)
/// and "Mystery Host" (country unknown, cheapest).
pub fn lineage_catalog() -> CatalogBatch {
    let mut batch = catalog();
    batch.publishers.push(publisher("acme", "Acme Tax AI", "DE"));
    batch.publishers.push(publisher("stellar", "Stellar Labs", "US"));
    for (slug, publisher, country, lineage, base, regions) in [
        (
            "acme/deepseek-r1-tax",
            "acme",
            "DE",
            Lineage::FineTune,
            "deepseek/deepseek-r1",
            &["eastus", "westeurope"][..],
        ),
        (
            "acme/deepseek-r1-tax-q4",
            "acme",
            "DE",
            Lineage::Quantization,
            "acme/deepseek-r1-tax",
            &["westeurope"][..],
        ),
        (
            "stellar/r1-distill-llama-8b",
            "stellar",
            "US",
            Lineage::Distillation,
            "deepseek/deepseek-r1",
            &["eastus"][..],
        ),
    ] {
        let (model, offers) = derivative(slug, publisher, country, lineage, base, regions);
        batch.models.push(model);
        batch.offers.extend(offers);
    }
    let r1_eastus = batch
        .offers
        .iter()
        .find(|o| o.model_slug == "deepseek/deepseek-r1" && o.region == "eastus")
        .unwrap()
        .clone();
    for (operator, country, input) in [("Dragon Cloud", Some("CN"), "0.40"), ("Mystery Host", None, "0.30")] {
        let mut offer = OfferRecord {
            operator_name: operator.into(),
            operator_country: country.map(str::to_owned),
            ..r1_eastus.clone()
        };
        offer.prices[0].amount = input.parse().unwrap();
        batch.offers.push(offer);
    }
    batch
}
