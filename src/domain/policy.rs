//! A tenant's own guard rails, as the decision function reads them.

use rust_decimal::Decimal;

/// `None` allow-lists mean "no restriction"; empty deny-lists deny nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantPolicy {
    /// Region codes the tenant may use.
    pub allowed_regions: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 countries whose models the tenant refuses.
    pub denied_origin_countries: Vec<String>,
    /// ISO 3166-1 alpha-2 countries whose operators the tenant refuses.
    pub denied_operator_countries: Vec<String>,
    /// Refuse offers whose operator's country is not known.
    pub deny_unknown_operator_country: bool,
    /// Publisher slugs the tenant refuses.
    pub denied_publishers: Vec<String>,
    /// License ids the tenant accepts (case-insensitive).
    pub allowed_licenses: Option<Vec<String>>,
    /// Ceiling on an offer's input price, USD per 1M tokens.
    pub max_input_price_per_mtok: Option<Decimal>,
    /// Ceiling on an offer's output price, USD per 1M tokens.
    pub max_output_price_per_mtok: Option<Decimal>,
    /// Only generally available listings.
    pub ga_only: bool,
}
