//! Discovery over a snapshot: validated filters, ranking or sorting, facet
//! counts and keyset pagination. Pure functions of (snapshot, query).

use std::cmp::Ordering;

use chrono::{DateTime, Datelike, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::bitset::Bitset;
use super::cursor::{Cursor, SortValue};
use super::search::Scores;
use super::snapshot::{CatalogContent, Listing, Offer, Snapshot};
use crate::domain::decision::{decide_listing, Decision, Viewer};
use crate::domain::vocab::{Capability, DeploymentType, LifecycleStatus, Modality, Task};
use crate::error::{ApiError, ErrorCode, FieldError};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 200;
pub const MAX_QUERY_CHARS: usize = 200;
pub const MAX_LIST_VALUES: usize = 50;
/// At most this many values are returned per facet.
pub const MAX_FACET_VALUES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Relevance,
    Name,
    ReleaseDate,
    ContextWindow,
    InputPrice,
    OutputPrice,
}

impl SortField {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "relevance" => SortField::Relevance,
            "name" => SortField::Name,
            "release_date" => SortField::ReleaseDate,
            "context_window" => SortField::ContextWindow,
            "input_price" => SortField::InputPrice,
            "output_price" => SortField::OutputPrice,
            _ => return None,
        })
    }
}

pub const SORT_CHOICES: &str =
    "relevance, name, release_date, context_window, input_price, output_price (prefix - for descending)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

/// One value of a free-form filter list: a publisher slug, region code,
/// licence id or tag. (Documentation only: the parser checks the same.)
#[derive(ToSchema)]
#[schema(pattern = r"^[A-Za-z0-9._/+-]{1,100}$")]
#[allow(dead_code)]
pub struct FilterValue(String);

/// An ISO 3166-1 alpha-2 country code.
#[derive(ToSchema)]
#[schema(pattern = "^[A-Za-z]{2}$")]
#[allow(dead_code)]
pub struct CountryCode(String);

/// A sort order: a field, with `-` in front for descending.
#[derive(Serialize, ToSchema)]
#[allow(dead_code)]
pub enum SortChoice {
    #[serde(rename = "relevance")]
    Relevance,
    #[serde(rename = "-relevance")]
    RelevanceDescending,
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "-name")]
    NameDescending,
    #[serde(rename = "release_date")]
    ReleaseDate,
    #[serde(rename = "-release_date")]
    ReleaseDateDescending,
    #[serde(rename = "context_window")]
    ContextWindow,
    #[serde(rename = "-context_window")]
    ContextWindowDescending,
    #[serde(rename = "input_price")]
    InputPrice,
    #[serde(rename = "-input_price")]
    InputPriceDescending,
    #[serde(rename = "output_price")]
    OutputPrice,
    #[serde(rename = "-output_price")]
    OutputPriceDescending,
}

/// Discovery parameters. A list parameter may be repeated
/// (`publisher=a&publisher=b`, as OpenAPI's default `form` style with
/// `explode` has generated clients send it), hold comma-separated values
/// (`publisher=a,b`), or both; a listing matches when it matches every parameter given (any
/// value within one list, except `capability`, `input_modality`,
/// `output_modality` and `tag`, which require all). An empty search or
/// cursor is the same as an absent one; an empty list is refused. The
/// filters carry no examples: Swagger UI's "Try it out" would fill them all
/// in, and every filter at once matches nothing.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiscoveryParams {
    /// Full-text search over name, slug, publisher, family, tags and
    /// description, ranked by relevance (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Publisher slugs.
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub publisher: Option<String>,
    /// Tasks.
    #[param(value_type = Option<Vec<Task>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub task: Option<String>,
    /// Modalities the model takes or produces (any of them).
    #[param(value_type = Option<Vec<Modality>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub modality: Option<String>,
    /// Input modalities the model must all accept.
    #[param(value_type = Option<Vec<Modality>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub input_modality: Option<String>,
    /// Output modalities the model must all produce.
    #[param(value_type = Option<Vec<Modality>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub output_modality: Option<String>,
    /// Capabilities the model must all have.
    #[param(value_type = Option<Vec<Capability>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub capability: Option<String>,
    /// Region codes the model must be offered in (any of them).
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub region: Option<String>,
    /// Deployment types (any of them).
    #[param(value_type = Option<Vec<DeploymentType>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub deployment_type: Option<String>,
    /// ISO 3166-1 alpha-2 countries the model originates from.
    #[param(value_type = Option<Vec<CountryCode>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub origin_country: Option<String>,
    /// License ids, e.g. MIT, Apache-2.0, proprietary (case-insensitive).
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub license: Option<String>,
    /// Lifecycle states. Retired listings appear only when asked for here.
    #[param(value_type = Option<Vec<LifecycleStatus>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub lifecycle: Option<String>,
    /// Listings whose base model is one of these (by id or slug): direct
    /// fine-tunes, distillations, quantizations and merges.
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub base_model: Option<String>,
    /// Listings derived from one of these (by id or slug) at any depth of
    /// their lineage: the derivatives a hold on those models covers.
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub derived_from: Option<String>,
    /// Only open-weights (true) or only closed (false) models.
    #[param(value_type = Option<bool>)]
    pub open_weights: Option<String>,
    /// Tags the listing must all carry.
    #[param(value_type = Option<Vec<FilterValue>>, style = Form, explode = true, min_items = 1, max_items = 50)]
    pub tag: Option<String>,
    /// Ceiling on the cheapest current input price, USD per 1M tokens.
    #[param(pattern = r"^[0-9]{1,12}(\.[0-9]{1,8})?$")]
    pub max_input_price_per_mtok: Option<String>,
    /// Ceiling on the cheapest current output price, USD per 1M tokens.
    #[param(pattern = r"^[0-9]{1,12}(\.[0-9]{1,8})?$")]
    pub max_output_price_per_mtok: Option<String>,
    /// Minimum context window in tokens.
    #[param(value_type = Option<i32>, minimum = 0)]
    pub min_context_window: Option<String>,
    /// The order: relevance (the default with q; without q every listing
    /// scores the same), name (the default otherwise), release_date,
    /// context_window, input_price or output_price; `-` in front for
    /// descending. Listings without a value sort last either way.
    #[param(value_type = Option<SortChoice>)]
    pub sort: Option<String>,
    /// Page size (default 50).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, with the same other parameters.
    #[param(max_length = 1024)]
    pub cursor: Option<String>,
    /// With `sort` by a price: also list listings with no known price for
    /// it, last (default false: they are left out of a price ranking).
    #[param(value_type = Option<bool>, example = false)]
    pub include_unpriced: Option<String>,
    /// For tenant principals: also list models the tenant may not enable,
    /// each with `availability.reasons` (default false: they are left out).
    #[param(value_type = Option<bool>, example = false)]
    pub include_unavailable: Option<String>,
}

/// The parameters that hold lists, the only ones that may be repeated.
pub const LIST_PARAMETERS: [&str; 14] = [
    "publisher",
    "task",
    "modality",
    "input_modality",
    "output_modality",
    "capability",
    "region",
    "deployment_type",
    "origin_country",
    "license",
    "lifecycle",
    "tag",
    "base_model",
    "derived_from",
];

#[derive(Debug, Clone, Default)]
pub struct DiscoveryQuery {
    pub q: Option<String>,
    pub publishers: Vec<String>,
    pub tasks: Vec<Task>,
    pub modalities: Vec<Modality>,
    pub input_modalities: Vec<Modality>,
    pub output_modalities: Vec<Modality>,
    pub capabilities: Vec<Capability>,
    pub regions: Vec<String>,
    pub deployment_types: Vec<DeploymentType>,
    pub origin_countries: Vec<String>,
    pub licenses: Vec<String>,
    pub lifecycles: Vec<LifecycleStatus>,
    /// Listing ids or lower-case slugs.
    pub base_models: Vec<String>,
    pub derived_from: Vec<String>,
    /// Only derivatives of this listing (the derivatives view), besides
    /// any `derived_from`.
    pub derivatives_of: Option<Uuid>,
    pub open_weights: Option<bool>,
    pub tags: Vec<String>,
    pub max_input_price_per_mtok: Option<Decimal>,
    pub max_output_price_per_mtok: Option<Decimal>,
    pub min_context_window: Option<i32>,
    pub sort: Option<Sort>,
    pub limit: usize,
    pub cursor: Option<Cursor>,
    pub include_unavailable: bool,
    pub include_unpriced: bool,
    /// A digest of the query as parsed, but for its page position: what a
    /// cursor is bound to and the page cache keyed by. Taken once, before
    /// [`Self::resolve_aliases`] rewrites lineage names, so that the same
    /// query sent again with its cursor is the same query.
    fingerprint: String,
}

/// What [`DiscoveryQuery::digest`] hashes: every value is fed with its
/// length first, so no two different queries feed the same bytes.
struct Canonical(Sha256);

impl Canonical {
    fn bytes(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// An absent value apart from an empty one.
    fn maybe(&mut self, value: Option<impl AsRef<[u8]>>) {
        self.0.update([u8::from(value.is_some())]);
        self.bytes(value.as_ref().map_or(&[][..], AsRef::as_ref));
    }

    fn texts(&mut self, texts: &[String]) {
        self.words(texts, String::as_str);
    }

    fn words<T>(&mut self, values: &[T], spelling: impl Fn(&T) -> &str) {
        self.0.update((values.len() as u64).to_le_bytes());
        for value in values {
            self.bytes(spelling(value).as_bytes());
        }
    }
}

/// An optional flag as one byte: absent, false or true.
fn flag(value: Option<bool>) -> u8 {
    match value {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

/// Collects every invalid parameter, so one response names them all.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn push(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    fn list<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl Fn(&str) -> Option<T>,
        expected: Expected,
    ) -> Vec<T> {
        let Some(raw) = raw else { return Vec::new() };
        let values: Vec<&str> = raw.split(',').map(str::trim).filter(|v| !v.is_empty()).collect();
        if values.is_empty() {
            self.push(field, "must not be empty; leave the parameter out instead");
            return Vec::new();
        }
        if values.len() > MAX_LIST_VALUES {
            self.push(field, format!("at most {MAX_LIST_VALUES} comma-separated values"));
            return Vec::new();
        }
        let mut parsed = Vec::with_capacity(values.len());
        for value in values {
            match parse(value) {
                Some(v) => parsed.push(v),
                None => self.push(field, format!("unknown value {value:?}; expected {expected}")),
            }
        }
        parsed
    }

    fn decimal(&mut self, field: &str, raw: Option<&str>) -> Option<Decimal> {
        let raw = raw?;
        match raw.trim().parse::<Decimal>() {
            Ok(value) if value >= Decimal::ZERO => Some(value),
            _ => {
                self.push(
                    field,
                    "must be a non-negative decimal amount in USD per 1M tokens, e.g. 0.5",
                );
                None
            }
        }
    }
}

/// What a list parameter accepts, for its error message: a list of
/// spellings is only built when a value is refused (every request would
/// otherwise join each vocabulary into a string it never shows).
enum Expected {
    Text(&'static str),
    OneOf(fn() -> String),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Text(text) => f.write_str(text),
            Expected::OneOf(spellings) => f.write_str(&spellings()),
        }
    }
}

fn identifier(value: &str) -> Option<String> {
    let valid = !value.is_empty()
        && value.len() <= 100
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '+'));
    valid.then(|| value.to_owned())
}

impl DiscoveryQuery {
    pub fn parse(params: &DiscoveryParams) -> Result<Self, ApiError> {
        Self::parse_within(params, None)
    }

    /// The query of a listing's derivatives view: `params`, narrowed to
    /// listings derived from `listing`.
    pub fn derivatives(params: &DiscoveryParams, listing: Uuid) -> Result<Self, ApiError> {
        Self::parse_within(params, Some(listing))
    }

    fn parse_within(params: &DiscoveryParams, derivatives_of: Option<Uuid>) -> Result<Self, ApiError> {
        // An empty search or cursor (`?q=`) is the same as an absent one.
        // Lists (`?task=`) and typed scalars (`?limit=`) must be valid.
        fn present(value: &Option<String>) -> Option<&str> {
            value.as_deref().filter(|v| !v.trim().is_empty())
        }
        let mut problems = Problems::default();
        let mut query = DiscoveryQuery {
            limit: DEFAULT_LIMIT,
            derivatives_of,
            ..Default::default()
        };
        if let Some(q) = present(&params.q) {
            let q = q.trim();
            if q.chars().count() > MAX_QUERY_CHARS {
                problems.push("q", format!("at most {MAX_QUERY_CHARS} characters"));
            } else if !q.is_empty() {
                query.q = Some(q.to_owned());
            }
        }
        let lower = |v: &str| identifier(&v.to_ascii_lowercase());
        query.publishers = problems.list(
            "publisher",
            params.publisher.as_deref(),
            lower,
            Expected::Text("a publisher slug"),
        );
        query.tasks = problems.list(
            "task",
            params.task.as_deref(),
            Task::parse,
            Expected::OneOf(Task::expected),
        );
        query.modalities = problems.list(
            "modality",
            params.modality.as_deref(),
            Modality::parse,
            Expected::OneOf(Modality::expected),
        );
        query.input_modalities = problems.list(
            "input_modality",
            params.input_modality.as_deref(),
            Modality::parse,
            Expected::OneOf(Modality::expected),
        );
        query.output_modalities = problems.list(
            "output_modality",
            params.output_modality.as_deref(),
            Modality::parse,
            Expected::OneOf(Modality::expected),
        );
        query.capabilities = problems.list(
            "capability",
            params.capability.as_deref(),
            Capability::parse,
            Expected::OneOf(Capability::expected),
        );
        query.regions = problems.list(
            "region",
            params.region.as_deref(),
            lower,
            Expected::Text("a region code"),
        );
        query.deployment_types = problems.list(
            "deployment_type",
            params.deployment_type.as_deref(),
            DeploymentType::parse,
            Expected::OneOf(DeploymentType::expected),
        );
        query.origin_countries = problems.list(
            "origin_country",
            params.origin_country.as_deref(),
            // A well-formed code nothing originates from matches nothing.
            |v| (v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic())).then(|| v.to_ascii_uppercase()),
            Expected::Text("an ISO 3166-1 alpha-2 country code"),
        );
        query.licenses = problems.list(
            "license",
            params.license.as_deref(),
            identifier,
            Expected::Text("a license id such as MIT"),
        );
        query.lifecycles = problems.list(
            "lifecycle",
            params.lifecycle.as_deref(),
            LifecycleStatus::parse,
            Expected::OneOf(LifecycleStatus::expected),
        );
        query.tags = problems.list("tag", params.tag.as_deref(), lower, Expected::Text("a tag"));
        // A listing id or slug; a well-formed value naming no listing
        // matches nothing, as other filters do.
        query.base_models = problems.list(
            "base_model",
            params.base_model.as_deref(),
            lower,
            Expected::Text("a listing id or publisher/name slug"),
        );
        query.derived_from = problems.list(
            "derived_from",
            params.derived_from.as_deref(),
            lower,
            Expected::Text("a listing id or publisher/name slug"),
        );
        if let Some(include) = params.include_unavailable.as_deref() {
            match include {
                "true" => query.include_unavailable = true,
                "false" => query.include_unavailable = false,
                _ => problems.push("include_unavailable", "must be true or false"),
            }
        }
        if let Some(include) = params.include_unpriced.as_deref() {
            match include {
                "true" => query.include_unpriced = true,
                "false" => query.include_unpriced = false,
                _ => problems.push("include_unpriced", "must be true or false"),
            }
        }
        if let Some(open) = params.open_weights.as_deref() {
            match open {
                "true" => query.open_weights = Some(true),
                "false" => query.open_weights = Some(false),
                _ => problems.push("open_weights", "must be true or false"),
            }
        }
        query.max_input_price_per_mtok =
            problems.decimal("max_input_price_per_mtok", params.max_input_price_per_mtok.as_deref());
        query.max_output_price_per_mtok =
            problems.decimal("max_output_price_per_mtok", params.max_output_price_per_mtok.as_deref());
        if let Some(min) = params.min_context_window.as_deref() {
            match min.trim().parse::<i32>() {
                Ok(value) if value >= 0 => query.min_context_window = Some(value),
                _ => problems.push("min_context_window", "must be a non-negative integer number of tokens"),
            }
        }
        if let Some(sort) = params.sort.as_deref() {
            let (descending, name) = match sort.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, sort),
            };
            match SortField::parse(name) {
                Some(field) => query.sort = Some(Sort { field, descending }),
                None => problems.push("sort", format!("unknown sort {sort:?}; expected one of {SORT_CHOICES}")),
            }
        }
        if let Some(limit) = params.limit.as_deref() {
            match limit.trim().parse::<usize>() {
                Ok(value) if (1..=MAX_LIMIT).contains(&value) => query.limit = value,
                _ => problems.push("limit", format!("must be an integer from 1 to {MAX_LIMIT}")),
            }
        }
        if !problems.0.is_empty() {
            return Err(ApiError::fields(ErrorCode::InvalidParameter, problems.0));
        }
        query.fingerprint = query.digest();
        if let Some(cursor) = present(&params.cursor) {
            let decoded = Cursor::decode(cursor).filter(|c| c.f == query.fingerprint);
            match decoded {
                Some(cursor) => query.cursor = Some(cursor),
                None => {
                    return Err(ApiError::field(
                        ErrorCode::InvalidCursor,
                        "cursor",
                        "is not a cursor this query returned; start again without it",
                    ))
                }
            }
        }
        Ok(query)
    }

    /// The sort in force: relevance when searching, name otherwise.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(Sort {
            field: if self.q.is_some() {
                SortField::Relevance
            } else {
                SortField::Name
            },
            descending: false,
        })
    }

    /// Names one page of this query: the filters and sort, the page size
    /// and the position.
    pub fn page_key(&self) -> String {
        let position = self.cursor.as_ref().map(Cursor::encode).unwrap_or_default();
        format!("{}|{}|{}", self.fingerprint(), self.limit, position)
    }

    /// A digest of everything but the page position, binding cursors to it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn digest(&self) -> String {
        // Fed field by field, each value with its length, straight into the
        // hash: the query written out with `{:?}` first was 3 % of a
        // discovery request's time, for a string no one reads.
        let sort = self.effective_sort();
        let mut fed = Canonical(Sha256::new());
        fed.maybe(self.q.as_deref());
        fed.texts(&self.publishers);
        fed.words(&self.tasks, |t| t.as_str());
        fed.words(&self.modalities, |m| m.as_str());
        fed.words(&self.input_modalities, |m| m.as_str());
        fed.words(&self.output_modalities, |m| m.as_str());
        fed.words(&self.capabilities, |c| c.as_str());
        fed.texts(&self.regions);
        fed.words(&self.deployment_types, |d| d.as_str());
        fed.texts(&self.origin_countries);
        fed.texts(&self.licenses);
        fed.words(&self.lifecycles, |l| l.as_str());
        fed.texts(&self.base_models);
        fed.texts(&self.derived_from);
        fed.texts(&self.tags);
        fed.maybe(self.derivatives_of.map(Uuid::into_bytes));
        fed.bytes(&[
            flag(self.open_weights),
            sort.field as u8,
            u8::from(sort.descending),
            u8::from(self.include_unavailable),
            u8::from(self.include_unpriced),
        ]);
        for ceiling in [self.max_input_price_per_mtok, self.max_output_price_per_mtok] {
            // Normalised, 0.50 and 0.5 are one ceiling.
            fed.maybe(ceiling.map(|d| d.normalize().serialize()));
        }
        fed.maybe(self.min_context_window.map(i32::to_le_bytes));
        hex::encode(&fed.0.finalize()[..8])
    }

    /// Lineage filters may name a listing by an alias or in another case:
    /// each such name becomes the listing's own slug, which is what
    /// [`Self::matches_lineage`] compares.
    pub fn resolve_aliases(&mut self, content: &super::snapshot::CatalogContent) {
        for wanted in self.base_models.iter_mut().chain(self.derived_from.iter_mut()) {
            if Uuid::parse_str(wanted).is_err() {
                if let Some(listing) = content.find(wanted) {
                    *wanted = listing.slug.to_string();
                }
            }
        }
    }

    /// Whether `listing` passes the lineage filters (`base_model`,
    /// `derived_from`), matched by id or slug.
    pub fn matches_lineage(&self, listing: &Listing) -> bool {
        let names = |id: &Uuid, slug: &str, wanted: &[String]| {
            wanted
                .iter()
                .any(|w| *w == slug || Uuid::parse_str(w).is_ok_and(|w| w == *id))
        };
        (self.base_models.is_empty()
            || listing
                .base_model
                .as_ref()
                .is_some_and(|base| names(&base.id, &base.slug, &self.base_models)))
            && (self.derived_from.is_empty()
                || listing
                    .ancestors
                    .iter()
                    .any(|a| names(&a.model_id, &a.slug, &self.derived_from)))
            && self
                .derivatives_of
                .is_none_or(|of| listing.ancestors.iter().any(|a| a.model_id == of))
    }

    /// Whether `listing` has a price to be ranked by, when the order is a
    /// price (an unknown price is not ranked as if free, nor at all unless
    /// asked for with `include_unpriced`).
    pub fn matches_price_order(&self, listing: &Listing) -> bool {
        if self.include_unpriced {
            return true;
        }
        match self.effective_sort().field {
            SortField::InputPrice => listing.min_input_price.is_some(),
            SortField::OutputPrice => listing.min_output_price.is_some(),
            _ => true,
        }
    }

    /// Whether `listing` passes every filter (not `q`, not the tenant's
    /// decision). The definition the precomputed index must agree with.
    pub fn matches(&self, listing: &Listing) -> bool {
        fn any_of<T: PartialEq>(wanted: &[T], value: &T) -> bool {
            wanted.is_empty() || wanted.contains(value)
        }
        // Retired listings leave discovery unless asked for by lifecycle.
        if self.lifecycles.is_empty() {
            if listing.lifecycle == LifecycleStatus::Retired {
                return false;
            }
        } else if !self.lifecycles.contains(&listing.lifecycle) {
            return false;
        }
        any_of(&self.publishers, &listing.publisher.slug)
            && any_of(&self.tasks, &listing.task)
            && (self.modalities.is_empty()
                || self
                    .modalities
                    .iter()
                    .any(|m| listing.input_modalities.contains(m) || listing.output_modalities.contains(m)))
            && self
                .input_modalities
                .iter()
                .all(|m| listing.input_modalities.contains(m))
            && self
                .output_modalities
                .iter()
                .all(|m| listing.output_modalities.contains(m))
            && self.capabilities.iter().all(|c| listing.capabilities.contains(c))
            && (self.regions.is_empty() || listing.regions.iter().any(|r| self.regions.iter().any(|q| **q == **r)))
            && (self.deployment_types.is_empty()
                || listing
                    .offers
                    .iter()
                    .any(|o| self.deployment_types.contains(&o.deployment_type)))
            && (self.origin_countries.is_empty()
                || listing
                    .origin_country
                    .as_ref()
                    .is_some_and(|c| self.origin_countries.iter().any(|wanted| **wanted == **c)))
            && (self.licenses.is_empty() || self.licenses.iter().any(|l| l.eq_ignore_ascii_case(&listing.license)))
            && self.matches_lineage(listing)
            && self.matches_price_order(listing)
            && self.open_weights.is_none_or(|open| listing.open_weights == open)
            && self.tags.iter().all(|t| listing.tags.iter().any(|tag| **tag == **t))
            && self
                .max_input_price_per_mtok
                .is_none_or(|max| listing.min_input_price.is_some_and(|price| price <= max))
            && self
                .max_output_price_per_mtok
                .is_none_or(|max| listing.min_output_price.is_some_and(|price| price <= max))
            && self
                .min_context_window
                .is_none_or(|min| listing.context_window.is_some_and(|context| context >= min))
    }
}

/// A listing's key for `field` (`score` is its relevance, for that sort).
/// Days from the common era fit below this (until the year 2870), so a
/// relevance key holds the score and then the release day.
const RELEVANCE_SCALE: i64 = 1 << 20;

pub fn sort_value(listing: &Listing, field: SortField, score: u32) -> SortValue {
    match field {
        // Ties in relevance go to the newer listing (then by id): searching
        // "claude sonnet" puts the latest Sonnet first.
        SortField::Relevance => SortValue::Int(
            i64::from(score) * RELEVANCE_SCALE + listing.release_date.map_or(0, |d| i64::from(d.num_days_from_ce())),
        ),
        SortField::Name => SortValue::Text(listing.name.to_lowercase()),
        SortField::ReleaseDate => listing
            .release_date
            .map_or(SortValue::Null, |d| SortValue::Int(i64::from(d.num_days_from_ce()))),
        SortField::ContextWindow => listing
            .context_window
            .map_or(SortValue::Null, |c| SortValue::Int(c.into())),
        SortField::InputPrice => listing.min_input_price.map_or(SortValue::Null, SortValue::Dec),
        SortField::OutputPrice => listing.min_output_price.map_or(SortValue::Null, SortValue::Dec),
    }
}

/// Orders two sort values: nulls last in either direction; relevance is
/// always best first.
fn compare_values(a: &SortValue, b: &SortValue, sort: Sort) -> Ordering {
    let descending = sort.descending || sort.field == SortField::Relevance;
    let ordered = |ordering: Ordering| if descending { ordering.reverse() } else { ordering };
    match (a, b) {
        (SortValue::Null, SortValue::Null) => Ordering::Equal,
        (SortValue::Null, _) => Ordering::Greater,
        (_, SortValue::Null) => Ordering::Less,
        (SortValue::Int(x), SortValue::Int(y)) => ordered(x.cmp(y)),
        (SortValue::Text(x), SortValue::Text(y)) => ordered(x.cmp(y)),
        (SortValue::Dec(x), SortValue::Dec(y)) => ordered(x.cmp(y)),
        // Mixed kinds only arise from a forged cursor; any fixed order will do.
        _ => Ordering::Equal,
    }
}

/// The discovery order: by sort key, then by id, so it is total.
pub fn compare(a: (&SortValue, Uuid), b: (&SortValue, Uuid), sort: Sort) -> Ordering {
    compare_values(a.0, b.0, sort).then_with(|| a.1.cmp(&b.1))
}

/// Past this many listings a search's ranking is not kept in order: sorting
/// them all costs more than picking each page's best from its matches.
const MAX_ORDERED: usize = 100_000;

/// What a search text finds in one catalog content: the same for every
/// query with that text, whatever its filters, sort or page, so discovery
/// keeps it between requests (`DiscoveryCache`) and pages through a
/// relevance order like any presorted one.
pub struct Ranking {
    /// Relevance scores by position of the listings the search finds.
    pub scores: Scores,
    /// Those listings, as a set.
    pub found: Bitset,
    /// Those listings in relevance order (best first, ties to the newer
    /// listing, then by id); `None` past `MAX_ORDERED`.
    pub order: Option<Vec<u32>>,
}

impl Ranking {
    pub fn of(content: &CatalogContent, q: &str) -> Self {
        let scores = content.search_scores(q);
        let listings = &content.listings;
        let found = Bitset::from_positions(listings.len(), scores.keys().copied());
        let order = (scores.len() <= MAX_ORDERED).then(|| {
            let relevance = Sort {
                field: SortField::Relevance,
                descending: false,
            };
            let mut keyed: Vec<(SortValue, Uuid, u32)> = scores
                .iter()
                .map(|(&position, &score)| {
                    let listing = &listings[position as usize];
                    (sort_value(listing, SortField::Relevance, score), listing.id, position)
                })
                .collect();
            keyed.sort_unstable_by(|a, b| compare((&a.0, a.1), (&b.0, b.1), relevance));
            keyed.into_iter().map(|(_, _, position)| position).collect()
        });
        Ranking { scores, found, order }
    }

    /// What it holds besides itself, in bytes.
    pub fn heap_bytes(&self) -> usize {
        // A score entry is two u32s and a control byte.
        self.scores.capacity() * 9 + self.found.heap_bytes() + self.order.as_ref().map_or(0, |o| o.capacity() * 4)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount<'a> {
    /// Borrowed from the index: a page's facets hold a hundred or more
    /// values, and counting them should neither allocate nor share each.
    pub value: &'a str,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets<'a> {
    pub publisher: Vec<FacetCount<'a>>,
    pub task: Vec<FacetCount<'a>>,
    pub license: Vec<FacetCount<'a>>,
    pub origin_country: Vec<FacetCount<'a>>,
    pub region: Vec<FacetCount<'a>>,
    pub capability: Vec<FacetCount<'a>>,
    pub input_modality: Vec<FacetCount<'a>>,
    pub output_modality: Vec<FacetCount<'a>>,
    pub deployment_type: Vec<FacetCount<'a>>,
    pub lifecycle: Vec<FacetCount<'a>>,
    pub input_price_band: Vec<FacetCount<'a>>,
}

/// The band a listing's cheapest input price (USD per 1M tokens) falls in,
/// as the `input_price_band` facet names it: `0_to_1` (at most 1),
/// `1_to_5` (over 1, at most 5), `5_to_20`, `over_20`, or `unknown`. A
/// band's upper bound is the `max_input_price_per_mtok` that keeps it.
pub fn input_price_band(price: Option<Decimal>) -> &'static str {
    let Some(price) = price else { return "unknown" };
    if price <= Decimal::ONE {
        "0_to_1"
    } else if price <= Decimal::from(5) {
        "1_to_5"
    } else if price <= Decimal::from(20) {
        "5_to_20"
    } else {
        "over_20"
    }
}

pub struct DiscoveryPage<'s> {
    /// Each listing with the viewing tenant's decision (none for staff).
    pub items: Vec<(&'s Listing, Option<Decision>)>,
    pub total: usize,
    /// Every listing matching the query, not just this page's: what facets
    /// are counted over (`CatalogContent::facets`).
    pub matches: Bitset,
    pub next_cursor: Option<String>,
}

impl DiscoveryQuery {
    /// The tenant's decision on `listing`, over the offers this query is
    /// about (those in the requested regions and deployment types), so a
    /// listing is never shown for a region the tenant could not use it in.
    pub fn decide(&self, listing: &Listing, viewer: &Viewer<'_>, now: DateTime<Utc>) -> Decision {
        let offers = listing
            .offers
            .iter()
            .filter(|o| self.regions.is_empty() || self.regions.iter().any(|q| *q == *o.region))
            .filter(|o| self.deployment_types.is_empty() || self.deployment_types.contains(&o.deployment_type))
            .map(|o| o.facts(now));
        decide_listing(&listing.facts(), offers, viewer)
    }
}

/// Runs `query` against `snapshot` for a tenant (or `None` for platform
/// staff, who see the whole catalog): the filters as an intersection of
/// posting lists, the tenant's precomputed visibility (the match set,
/// which facets are counted over), then the page after the cursor, walked
/// in a presorted order (a search's from its `ranking`). The full decision,
/// with its reasons, is computed for the page's listings only, and only
/// when unavailable listings are asked for.
pub fn discover<'s>(
    snapshot: &'s Snapshot,
    query: &DiscoveryQuery,
    tenant: Option<Uuid>,
    ranking: Option<&Ranking>,
) -> DiscoveryPage<'s> {
    debug_assert_eq!(
        query.q.is_some(),
        ranking.is_some(),
        "a search is ranked, and only a search"
    );
    let content = &snapshot.content;
    let listings = &content.listings;
    let mut matches = content.index.candidates(query, listings);
    let scores = ranking.map(|ranking| &ranking.scores);
    if let Some(ranking) = ranking {
        matches.intersect_with(&ranking.found);
    }
    let view = tenant.map(|tenant| snapshot.view_for(tenant));
    if let Some(view) = &view {
        if query.regions.is_empty() && query.deployment_types.is_empty() {
            matches.intersect_with(view.shown_everywhere(query.include_unavailable));
        } else {
            // The decision is about the offers in the asked regions and
            // deployment types: combine the per-offer outcomes for those.
            let considered = |offer: &Offer| {
                (query.regions.is_empty() || query.regions.iter().any(|q| *q == *offer.region))
                    && (query.deployment_types.is_empty() || query.deployment_types.contains(&offer.deployment_type))
            };
            let mut shown = Bitset::empty(listings.len());
            for position in matches.iter() {
                let outcome = view.outcome(position, &listings[position as usize], considered);
                // What a hold hides is absent, whatever the caller asks for.
                if outcome.visible && (outcome.enableable || query.include_unavailable) {
                    shown.insert(position);
                }
            }
            matches = shown;
        }
    }
    let total = matches.count();

    let sort = query.effective_sort();
    let key = |position: u32| {
        let listing = &listings[position as usize];
        let score = scores.and_then(|s| s.get(&position)).copied().unwrap_or(0);
        (sort_value(listing, sort.field, score), listing.id)
    };
    let after_cursor = |position: u32| match &query.cursor {
        None => true,
        Some(cursor) => {
            let (value, id) = key(position);
            compare((&value, id), (&cursor.k, cursor.id), sort) == Ordering::Greater
        }
    };
    // One more than a page, to know whether another page follows.
    let wanted = query.limit + 1;
    let mut page: Vec<u32> = Vec::with_capacity(wanted);
    let presorted = match (sort.field, ranking) {
        (SortField::Relevance, Some(ranking)) => ranking.order.as_deref(),
        _ => content.index.order(sort),
    };
    match presorted {
        Some(order) => {
            let start = order.partition_point(|&position| !after_cursor(position));
            page.extend(
                order[start..]
                    .iter()
                    .copied()
                    .filter(|&position| matches.contains(position))
                    .take(wanted),
            );
        }
        None => {
            // Relevance: the order depends on the query, so sort the matches.
            let mut ranked: Vec<(SortValue, Uuid, u32)> = matches
                .iter()
                .filter(|&position| after_cursor(position))
                .map(|position| {
                    let (value, id) = key(position);
                    (value, id, position)
                })
                .collect();
            let cut = wanted.min(ranked.len());
            if cut > 0 && cut < ranked.len() {
                ranked.select_nth_unstable_by(cut - 1, |a, b| compare((&a.0, a.1), (&b.0, b.1), sort));
                ranked.truncate(cut);
            }
            ranked.sort_by(|a, b| compare((&a.0, a.1), (&b.0, b.1), sort));
            page.extend(ranked.into_iter().map(|(_, _, position)| position));
        }
    }
    let next_cursor = if page.len() > query.limit {
        page.truncate(query.limit);
        page.last().map(|&position| {
            let (value, id) = key(position);
            Cursor {
                v: 1,
                f: query.fingerprint.clone(),
                k: value,
                id,
            }
            .encode()
        })
    } else {
        None
    };
    // Without unavailable listings, the match set holds only listings the
    // tenant's view finds enableable over the offers considered; the view
    // and the decision function run the same rules, so the decision on each
    // is known without running it again: enableable, nothing to tell.
    let reasons_wanted = tenant.filter(|_| query.include_unavailable);
    let now = Utc::now();
    let policy = reasons_wanted.map(|tenant| (tenant, snapshot.policy_for(tenant)));
    let viewer = policy.as_ref().map(|(tenant, policy)| snapshot.viewer(*tenant, policy));
    DiscoveryPage {
        items: page
            .into_iter()
            .map(|position| {
                let listing = &*listings[position as usize];
                let decision = match &viewer {
                    Some(viewer) => Some(query.decide(listing, viewer, now)),
                    None => tenant.map(|_| Decision::enableable()),
                };
                (listing, decision)
            })
            .collect(),
        total,
        matches,
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint_of(set: impl FnOnce(&mut DiscoveryParams)) -> String {
        let mut params = DiscoveryParams::default();
        set(&mut params);
        DiscoveryQuery::parse(&params).expect("a valid query").fingerprint
    }

    #[test]
    fn queries_that_differ_in_any_one_filter_or_sort_have_different_fingerprints() {
        let some = |text: &str| Some(text.to_owned());
        let variants: Vec<(&str, String)> = vec![
            ("nothing", fingerprint_of(|_| {})),
            ("empty search", fingerprint_of(|p| p.q = some("  "))),
            ("search", fingerprint_of(|p| p.q = some("deepseek"))),
            ("publisher", fingerprint_of(|p| p.publisher = some("a"))),
            ("two publishers", fingerprint_of(|p| p.publisher = some("a,b"))),
            ("one joined publisher", fingerprint_of(|p| p.publisher = some("ab"))),
            (
                "region named as the publisher was",
                fingerprint_of(|p| p.region = some("a")),
            ),
            ("tag named as the publisher was", fingerprint_of(|p| p.tag = some("a"))),
            ("task", fingerprint_of(|p| p.task = some("chat"))),
            ("modality", fingerprint_of(|p| p.modality = some("text"))),
            ("input modality", fingerprint_of(|p| p.input_modality = some("text"))),
            ("output modality", fingerprint_of(|p| p.output_modality = some("text"))),
            ("capability", fingerprint_of(|p| p.capability = some("reasoning"))),
            (
                "deployment type",
                fingerprint_of(|p| p.deployment_type = some("serverless")),
            ),
            ("origin country", fingerprint_of(|p| p.origin_country = some("CH"))),
            ("licence", fingerprint_of(|p| p.license = some("MIT"))),
            ("lifecycle", fingerprint_of(|p| p.lifecycle = some("ga"))),
            ("base model", fingerprint_of(|p| p.base_model = some("a/b"))),
            ("derived from", fingerprint_of(|p| p.derived_from = some("a/b"))),
            ("open weights", fingerprint_of(|p| p.open_weights = some("true"))),
            ("closed weights", fingerprint_of(|p| p.open_weights = some("false"))),
            (
                "input ceiling",
                fingerprint_of(|p| p.max_input_price_per_mtok = some("2")),
            ),
            (
                "output ceiling",
                fingerprint_of(|p| p.max_output_price_per_mtok = some("2")),
            ),
            ("context floor", fingerprint_of(|p| p.min_context_window = some("2"))),
            ("sort", fingerprint_of(|p| p.sort = some("input_price"))),
            ("descending sort", fingerprint_of(|p| p.sort = some("-input_price"))),
            ("unpriced", fingerprint_of(|p| p.include_unpriced = some("true"))),
            ("unavailable", fingerprint_of(|p| p.include_unavailable = some("true"))),
        ];
        for (n, (name, fingerprint)) in variants.iter().enumerate() {
            for (other, other_fingerprint) in &variants[n + 1..] {
                let same_query = *name == "nothing" && *other == "empty search";
                assert_eq!(fingerprint == other_fingerprint, same_query, "{name} against {other}");
            }
        }
        let derivatives = DiscoveryQuery::derivatives(&DiscoveryParams::default(), Uuid::nil()).unwrap();
        assert!(variants.iter().all(|(_, f)| *f != derivatives.fingerprint));
    }

    #[test]
    fn a_page_size_a_position_or_another_spelling_of_a_ceiling_leave_the_fingerprint_as_it_is() {
        let ceiling = |text: &str| fingerprint_of(|p| p.max_input_price_per_mtok = Some(text.to_owned()));
        assert_eq!(ceiling("0.5"), ceiling("0.50"));
        assert_eq!(ceiling("2"), ceiling(" 2.000 "));
        assert_ne!(ceiling("0.5"), ceiling("0.05"));
        assert_eq!(
            fingerprint_of(|_| {}),
            fingerprint_of(|p| p.limit = Some("7".to_owned()))
        );
    }
}
