//! What a compliance hold covers and does, as the decision function reads it.

use uuid::Uuid;

/// What is held (models, publishers or origin countries: any match) × where
/// (regions or jurisdictions; both empty means everywhere) × for whom
/// (tenants; empty means everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HoldScope {
    pub models: Vec<Uuid>,
    pub publishers: Vec<Uuid>,
    pub origin_countries: Vec<String>,
    pub regions: Vec<String>,
    pub jurisdictions: Vec<String>,
    pub tenants: Vec<Uuid>,
}

/// Where a model is being looked at: which model, in which region, for whom.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub model_id: Uuid,
    pub publisher_id: Uuid,
    pub origin_country: Option<&'a str>,
    /// `None` when asking about the listing as a whole (no region).
    pub region: Option<&'a str>,
    pub jurisdiction: Option<&'a str>,
    pub tenant: Uuid,
}

impl HoldScope {
    pub fn is_everywhere(&self) -> bool {
        self.regions.is_empty() && self.jurisdictions.is_empty()
    }

    /// Whether the hold covers `placement`. Without a region, only holds
    /// that apply everywhere cover it.
    pub fn covers(&self, placement: &Placement<'_>) -> bool {
        let what = self.models.contains(&placement.model_id)
            || self.publishers.contains(&placement.publisher_id)
            || placement
                .origin_country
                .is_some_and(|c| self.origin_countries.iter().any(|o| o == c));
        let place = self.is_everywhere()
            || placement
                .region
                .is_some_and(|r| self.regions.iter().any(|held| held == r))
            || placement
                .jurisdiction
                .is_some_and(|j| self.jurisdictions.iter().any(|held| held == j));
        let whom = self.tenants.is_empty() || self.tenants.contains(&placement.tenant);
        what && place && whom
    }
}

/// An effective hold: approved, active now, not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldView {
    pub id: Uuid,
    pub scope: HoldScope,
    pub hide: bool,
    pub block_new: bool,
    pub suspend_existing: bool,
    /// What tenants are told; never the internal legal basis.
    pub public_notice: String,
    pub public_notice_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placement(region: Option<&'static str>, jurisdiction: Option<&'static str>, tenant: Uuid) -> Placement<'static> {
        Placement {
            model_id: Uuid::from_u128(1),
            publisher_id: Uuid::from_u128(2),
            origin_country: Some("CN"),
            region,
            jurisdiction,
            tenant,
        }
    }

    #[test]
    fn a_jurisdiction_scoped_hold_covers_only_regions_of_that_jurisdiction() {
        let scope = HoldScope {
            models: vec![Uuid::from_u128(1)],
            jurisdictions: vec!["US".into()],
            ..Default::default()
        };
        let tenant = Uuid::from_u128(9);
        assert!(scope.covers(&placement(Some("eastus"), Some("US"), tenant)));
        assert!(!scope.covers(&placement(Some("westeurope"), Some("NL"), tenant)));
        assert!(
            !scope.covers(&placement(None, None, tenant)),
            "not the listing as a whole"
        );
    }

    #[test]
    fn an_origin_country_hold_everywhere_covers_every_region_and_the_listing() {
        let scope = HoldScope {
            origin_countries: vec!["CN".into()],
            ..Default::default()
        };
        let tenant = Uuid::from_u128(9);
        assert!(scope.covers(&placement(Some("westeurope"), Some("NL"), tenant)));
        assert!(scope.covers(&placement(None, None, tenant)));
    }

    #[test]
    fn a_tenant_scoped_hold_covers_only_those_tenants() {
        let scope = HoldScope {
            publishers: vec![Uuid::from_u128(2)],
            tenants: vec![Uuid::from_u128(9)],
            ..Default::default()
        };
        assert!(scope.covers(&placement(Some("eastus"), Some("US"), Uuid::from_u128(9))));
        assert!(!scope.covers(&placement(Some("eastus"), Some("US"), Uuid::from_u128(8))));
    }
}
