//! The catalog's column rules: what the schema's CHECK constraints (and the
//! text type, which cannot hold NUL) accept, stated once in Rust so a row is
//! judged before it is written. The importer drops and reports a row that
//! breaks one, and catalog staff get a 422 naming the field; neither ever
//! meets the database's own refusal.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::batch::{ModelRecord, OfferRecord, PriceRecord, PublisherRecord};
use super::vocab::LifecycleStatus;

/// One broken rule: the field (in the API's spelling) and what it must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// Problems found so far.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Text of `min..=max` characters (as PostgreSQL counts them) without NUL.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        let count = value.chars().count();
        if value.contains('\0') {
            self.push(field, "must not contain NUL characters");
        } else if count < min || count > max || (min > 0 && value.trim().is_empty()) {
            self.push(field, format!("must be {min} to {max} characters"));
        }
    }

    pub fn optional_text(&mut self, field: &str, value: Option<&str>, min: usize, max: usize) {
        if let Some(value) = value {
            self.text(field, value, min, max);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `field: message; ...`, for a rejection's reason.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A slug part: a lower-case letter or digit, then letters, digits, `.`,
/// `_` or `-` (`models_slug_check`, `publishers_slug_check`).
pub fn is_slug_part(part: &str) -> bool {
    let mut chars = part.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// `publisher/name`, at most 200 characters.
pub fn is_model_slug(slug: &str) -> bool {
    slug.len() <= 200
        && slug
            .split_once('/')
            .is_some_and(|(publisher, name)| is_slug_part(publisher) && is_slug_part(name))
}

pub fn is_publisher_slug(slug: &str) -> bool {
    slug.len() <= 80 && is_slug_part(slug)
}

/// An SPDX id or a named licence: `^[A-Za-z0-9][A-Za-z0-9.+-]{0,63}$`.
pub fn is_license(license: &str) -> bool {
    license.len() <= 64
        && license.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && license
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'))
}

fn is_upper_code(text: &str, length: usize) -> bool {
    text.len() == length && text.chars().all(|c| c.is_ascii_uppercase())
}

/// Dates the catalog holds: from 1900 to 2200, so neither year 0 (which
/// PostgreSQL refuses) nor a typo a century off passes.
pub fn is_plausible_date(date: NaiveDate) -> bool {
    (1900..=2200).contains(&date.year())
}

/// The largest amount `numeric(24, 12)` holds, exclusive.
pub fn max_amount() -> Decimal {
    Decimal::from(1_000_000_000_000_i64)
}

pub fn check_publisher(publisher: &PublisherRecord) -> Problems {
    let mut problems = Problems::default();
    if !is_publisher_slug(&publisher.slug) {
        problems.push(
            "publisher.slug",
            "must be lower-case letters, digits, '.', '_' or '-', at most 80",
        );
    }
    problems.text("publisher.name", &publisher.name, 1, 200);
    if publisher.country.as_deref().is_some_and(|c| !is_upper_code(c, 2)) {
        problems.push("publisher.country", "must be an ISO 3166-1 alpha-2 country code");
    }
    problems.optional_text("publisher.website", publisher.website.as_deref(), 0, 2048);
    problems
}

pub fn check_model(model: &ModelRecord) -> Problems {
    let mut problems = Problems::default();
    if !is_model_slug(&model.slug) {
        problems.push(
            "slug",
            "must be publisher/name in lower-case letters, digits, '.', '_' or '-', at most 200",
        );
    }
    problems.text("name", &model.name, 1, 200);
    problems.optional_text("family", model.family.as_deref(), 1, 100);
    problems.optional_text("version", model.version.as_deref(), 1, 100);
    problems.text("description", &model.description, 0, 10_000);
    if model.input_modalities.is_empty() {
        problems.push("input_modalities", "at least one modality");
    }
    if model.output_modalities.is_empty() {
        problems.push("output_modalities", "at least one modality");
    }
    for (field, value) in [
        ("context_window", model.context_window),
        ("max_output_tokens", model.max_output_tokens),
    ] {
        if value.is_some_and(|v| v <= 0) {
            problems.push(field, "must be a positive number of tokens");
        }
    }
    if !is_license(&model.license) {
        problems.push("license", "must be an SPDX id or a named licence such as proprietary");
    }
    let provenance = &model.provenance;
    if provenance
        .origin_country
        .as_deref()
        .is_some_and(|c| !is_upper_code(c, 2))
    {
        problems.push(
            "provenance.origin_country",
            "must be an ISO 3166-1 alpha-2 country code",
        );
    }
    problems.optional_text(
        "provenance.model_card_url",
        provenance.model_card_url.as_deref(),
        0,
        2048,
    );
    problems.optional_text(
        "provenance.weights_digest",
        provenance.weights_digest.as_deref(),
        0,
        200,
    );
    if provenance.base_model_slug.as_deref() == Some(model.slug.as_str()) {
        problems.push("provenance.base_model", "must be another listing");
    }
    if model.tags.len() > 32 || model.tags.iter().any(|t| t.is_empty() || t.chars().count() > 64) {
        problems.push("tags", "at most 32 tags of 1 to 64 characters");
    } else {
        for (i, tag) in model.tags.iter().enumerate() {
            problems.text(&format!("tags[{i}]"), tag, 1, 64);
        }
    }
    let life = &model.lifecycle;
    for (field, date) in [
        ("provenance.release_date", provenance.release_date),
        ("lifecycle.deprecation_date", life.deprecation_date),
        ("lifecycle.retirement_date", life.retirement_date),
    ] {
        if date.is_some_and(|d| !is_plausible_date(d)) {
            problems.push(field, "must be a date between 1900 and 2200");
        }
    }
    if let (Some(deprecated), Some(retired)) = (life.deprecation_date, life.retirement_date) {
        if retired < deprecated {
            problems.push("lifecycle.retirement_date", "must not be before the deprecation date");
        }
    }
    let dated = life.deprecation_date.is_some() || life.retirement_date.is_some();
    if life.status == LifecycleStatus::Deprecated && !dated {
        problems.push(
            "lifecycle",
            "a deprecated listing needs a deprecation or retirement date",
        );
    }
    if life.successor_slug.as_deref() == Some(model.slug.as_str()) {
        problems.push("lifecycle.successor", "must be another listing");
    }
    problems
}

pub fn check_price(field: &str, price: &PriceRecord, problems: &mut Problems) {
    if price.amount.is_sign_negative() || price.amount >= max_amount() {
        problems.push(
            format!("{field}.amount"),
            "must be at least 0 and below 1,000,000,000,000",
        );
    }
    if !is_upper_code(&price.currency, 3) {
        problems.push(format!("{field}.currency"), "must be an ISO 4217 currency code");
    }
    if price.tier_min_context_tokens.is_some_and(|t| t <= 0) {
        problems.push(format!("{field}.tier"), "must be a positive number of tokens");
    }
}

pub fn check_offer(offer: &OfferRecord) -> Problems {
    let mut problems = Problems::default();
    if super::regions::find_region(&offer.region).is_none() {
        problems.push("region", format!("{:?} is not a known region code", offer.region));
    }
    problems.text("operator.name", &offer.operator_name, 1, 200);
    if offer.operator_country.as_deref().is_some_and(|c| !is_upper_code(c, 2)) {
        problems.push("operator.country", "must be an ISO 3166-1 alpha-2 country code");
    }
    problems.optional_text("source_key", offer.source_key.as_deref(), 0, 500);
    for (i, price) in offer.prices.iter().enumerate() {
        check_price(&format!("prices[{i}]"), price, &mut problems);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules_count_characters_as_postgresql_does_and_refuse_nul() {
        let mut problems = Problems::default();
        problems.text("name", &"é".repeat(200), 1, 200);
        assert!(problems.is_empty(), "200 characters, 400 bytes");
        problems.text("name", &"é".repeat(201), 1, 200);
        problems.text("name", "a\0b", 1, 200);
        problems.text("name", "   ", 1, 200);
        assert_eq!(problems.0.len(), 3, "{problems:?}");
    }

    #[test]
    fn slugs_licences_and_dates_follow_the_schema() {
        assert!(is_model_slug("deepseek/deepseek-r1"));
        for bad in [
            "../../etc/passwd",
            "openai/",
            "/x",
            "Open/x",
            "a/b/c",
            &format!("a/{}", "k".repeat(200)),
        ] {
            assert!(!is_model_slug(bad), "{bad}");
        }
        assert!(is_license("Apache-2.0") && !is_license("MIT license") && !is_license(&"x".repeat(65)));
        assert!(!is_plausible_date(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()));
        assert!(is_plausible_date(NaiveDate::from_ymd_opt(2025, 1, 20).unwrap()));
    }

    use crate::domain::batch::{LifecycleRecord, ProvenanceRecord};
    use crate::domain::vocab::{
        DeploymentType, Lineage, Modality, OfferStatus, PriceDimension, PriceUnit, ProcessingScope, Task,
    };
    use proptest::prelude::*;

    fn valid_model() -> ModelRecord {
        ModelRecord {
            slug: "acme/model-1".into(),
            publisher_slug: "acme".into(),
            name: "Model 1".into(),
            family: Some("model".into()),
            version: Some("1".into()),
            description: "A model.".into(),
            task: Task::Chat,
            input_modalities: vec![Modality::Text],
            output_modalities: vec![Modality::Text],
            context_window: Some(8_192),
            max_output_tokens: Some(1_024),
            capabilities: Vec::new(),
            license: "MIT".into(),
            open_weights: true,
            provenance: ProvenanceRecord {
                origin_country: Some("DE".into()),
                lineage: Lineage::Original,
                base_model_slug: None,
                model_card_url: None,
                weights_digest: None,
                release_date: NaiveDate::from_ymd_opt(2025, 1, 1),
            },
            lifecycle: LifecycleRecord {
                status: LifecycleStatus::Ga,
                deprecation_date: None,
                retirement_date: None,
                successor_slug: None,
            },
            tags: vec!["small".into()],
        }
    }

    fn valid_offer() -> OfferRecord {
        OfferRecord {
            model_slug: "acme/model-1".into(),
            region: "eastus".into(),
            deployment_type: DeploymentType::Serverless,
            processing_scope: ProcessingScope::Regional,
            operator_name: "Acme Cloud".into(),
            operator_country: Some("US".into()),
            status: OfferStatus::Available,
            prices: vec![PriceRecord {
                dimension: PriceDimension::InputTokens,
                unit: PriceUnit::PerMillionTokens,
                amount: Decimal::new(55, 2),
                currency: "USD".into(),
                tier_min_context_tokens: None,
            }],
            source_key: Some("acme/model-1".into()),
        }
    }

    /// Text that breaks a rule of `max` characters: too long, or with NUL.
    fn bad_text(max: usize) -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z]{1,8}".prop_map(move |s| format!("{}{s}", "x".repeat(max))),
            "[a-z ]{0,20}".prop_map(|s| format!("{s}\0{s}")),
        ]
    }

    proptest! {
        #[test]
        fn a_model_breaking_any_column_rule_is_refused_naming_the_field(
            which in 0usize..9,
            text in bad_text(200),
            short in bad_text(100),
            number in i32::MIN..=0,
            year in prop_oneof![0i32..1900, 2201i32..9999],
        ) {
            let mut model = valid_model();
            let field = match which {
                0 => { model.name = text; "name" }
                1 => { model.family = Some(short); "family" }
                2 => { model.version = Some(short); "version" }
                3 => { model.slug = format!("acme/{}", text.replace('\0', "/")); "slug" }
                4 => { model.context_window = Some(number); "context_window" }
                5 => { model.max_output_tokens = Some(number); "max_output_tokens" }
                6 => { model.license = format!("{text} licence"); "license" }
                7 => {
                    model.lifecycle.deprecation_date = NaiveDate::from_ymd_opt(year, 1, 1);
                    model.lifecycle.status = LifecycleStatus::Deprecated;
                    "lifecycle.deprecation_date"
                }
                _ => { model.provenance.model_card_url = Some(format!("https://{}", "u".repeat(2_100))); "provenance.model_card_url" }
            };
            let problems = check_model(&model);
            prop_assert!(problems.0.iter().any(|p| p.field == field), "{field}: {problems:?}");
            prop_assert!(check_model(&valid_model()).is_empty());
        }

        #[test]
        fn an_offer_breaking_any_column_rule_is_refused_naming_the_field(
            which in 0usize..5,
            text in bad_text(200),
            amount in prop_oneof![
                (1_000_000_000_000i64..i64::MAX).prop_map(Decimal::from),
                (i64::MIN..0i64).prop_map(Decimal::from),
            ],
        ) {
            let mut offer = valid_offer();
            let field = match which {
                0 => { offer.operator_name = text; "operator.name" }
                1 => { offer.region = "atlantis-1".into(); "region" }
                2 => { offer.prices[0].amount = amount; "prices[0].amount" }
                3 => { offer.prices[0].currency = "usd".into(); "prices[0].currency" }
                _ => { offer.source_key = Some(format!("{}\0", "k".repeat(600))); "source_key" }
            };
            let problems = check_offer(&offer);
            prop_assert!(problems.0.iter().any(|p| p.field == field), "{field}: {problems:?}");
            prop_assert!(check_offer(&valid_offer()).is_empty());
        }
    }
}
