//! What a compliance hold covers and does, as the decision function reads it.

use uuid::Uuid;

/// What is held × who serves it × where × for whom:
/// - what: models, publishers or origin countries (any match); with
///   `include_derivatives`, a listing derived from a held one through its
///   base model (transitively) is held too. Naming none of them holds every
///   model (an operator-only hold).
/// - served by: operators by name or operator countries (any match); both
///   empty means whoever serves it.
/// - where: regions or jurisdictions (any match); both empty means everywhere.
/// - for whom: tenants; empty means everyone.
///
/// Its SQL twin is `scope_covered_enablements` (migrations); a test pins
/// the two together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldScope {
    pub models: Vec<Uuid>,
    pub publishers: Vec<Uuid>,
    pub origin_countries: Vec<String>,
    pub include_derivatives: bool,
    pub operators: Vec<String>,
    pub operator_countries: Vec<String>,
    pub regions: Vec<String>,
    pub jurisdictions: Vec<String>,
    pub tenants: Vec<Uuid>,
}

impl Default for HoldScope {
    fn default() -> Self {
        HoldScope {
            models: Vec::new(),
            publishers: Vec::new(),
            origin_countries: Vec::new(),
            include_derivatives: true,
            operators: Vec::new(),
            operator_countries: Vec::new(),
            regions: Vec::new(),
            jurisdictions: Vec::new(),
            tenants: Vec::new(),
        }
    }
}

/// A model a listing derives from, through `base_model` (transitively).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ancestor {
    pub model_id: Uuid,
    pub slug: String,
    pub publisher_id: Uuid,
    pub publisher_slug: String,
    pub origin_country: Option<String>,
}

/// Who serves an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator<'a> {
    pub name: &'a str,
    pub country: Option<&'a str>,
}

/// Where a model is being looked at: which model (and what it derives
/// from), served by whom, in which region, for whom.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub model_id: Uuid,
    pub publisher_id: Uuid,
    pub origin_country: Option<&'a str>,
    /// The listing's ancestors, nearest first.
    pub ancestors: &'a [Ancestor],
    /// `None` when asking about the listing as a whole (no offer).
    pub operator: Option<Operator<'a>>,
    /// `None` when asking about the listing as a whole (no region).
    pub region: Option<&'a str>,
    pub jurisdiction: Option<&'a str>,
    pub tenant: Uuid,
}

impl HoldScope {
    pub fn is_everywhere(&self) -> bool {
        self.regions.is_empty() && self.jurisdictions.is_empty()
    }

    /// Whether the scope names what it holds by model, publisher or origin.
    pub fn names_what(&self) -> bool {
        !(self.models.is_empty() && self.publishers.is_empty() && self.origin_countries.is_empty())
    }

    /// Whether the scope names who serves what it holds.
    pub fn names_operators(&self) -> bool {
        !(self.operators.is_empty() && self.operator_countries.is_empty())
    }

    /// Whether the "what" names this model by itself, its publisher or its
    /// origin (lineage aside).
    pub fn holds_model(&self, model: Uuid, publisher: Uuid, origin: Option<&str>) -> bool {
        self.models.contains(&model)
            || self.publishers.contains(&publisher)
            || origin.is_some_and(|c| self.origin_countries.iter().any(|o| o == c))
    }

    /// Whether the "what" covers the listing: by its own facts, or (with
    /// derivatives) by an ancestor's.
    pub fn covers_model(&self, placement: &Placement<'_>) -> bool {
        !self.names_what()
            || self.holds_model(placement.model_id, placement.publisher_id, placement.origin_country)
            || (self.include_derivatives
                && placement
                    .ancestors
                    .iter()
                    .any(|a| self.holds_model(a.model_id, a.publisher_id, a.origin_country.as_deref())))
    }

    /// The nearest ancestor that brings the listing under the scope when
    /// the scope does not name the listing itself; `None` otherwise.
    pub fn held_through<'p>(&self, placement: &Placement<'p>) -> Option<&'p Ancestor> {
        if !self.names_what()
            || !self.include_derivatives
            || self.holds_model(placement.model_id, placement.publisher_id, placement.origin_country)
        {
            return None;
        }
        placement
            .ancestors
            .iter()
            .find(|a| self.holds_model(a.model_id, a.publisher_id, a.origin_country.as_deref()))
    }

    /// Whether the hold covers `placement`. Without a region (the listing
    /// as a whole), only holds that apply everywhere and to every operator
    /// cover it.
    pub fn covers(&self, placement: &Placement<'_>) -> bool {
        let served_by = !self.names_operators()
            || placement.operator.is_some_and(|operator| {
                self.operators.iter().any(|o| o == operator.name)
                    || operator
                        .country
                        .is_some_and(|c| self.operator_countries.iter().any(|o| o == c))
            });
        let place = self.is_everywhere()
            || placement
                .region
                .is_some_and(|r| self.regions.iter().any(|held| held == r))
            || placement
                .jurisdiction
                .is_some_and(|j| self.jurisdictions.iter().any(|held| held == j));
        let whom = self.tenants.is_empty() || self.tenants.contains(&placement.tenant);
        served_by && place && whom && self.covers_model(placement)
    }
}

/// The longest public notice URL accepted.
pub const MAX_NOTICE_URL: usize = 2_048;

/// Checks a hold's public notice URL, which tenants are sent to in the
/// `Link: <…>; rel="blocked-by"` header of a 451: an absolute https URL
/// with a host, no credentials, and no character that could end the link
/// or the header (controls, spaces, `<>"` and the other characters a URL
/// may not carry unescaped). Returns why not.
pub fn check_notice_url(text: &str) -> Result<(), &'static str> {
    if text.is_empty() || text.len() > MAX_NOTICE_URL {
        return Err("must be 1 to 2048 characters");
    }
    if text
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || !c.is_ascii() || "<>\"\\^`{|}".contains(c))
    {
        return Err("must be a URL without spaces, control characters or any of <>\"\\^`{|} (percent-encode them)");
    }
    let url = url::Url::parse(text).map_err(|_| "must be an absolute URL")?;
    if url.scheme() != "https" {
        return Err("must use https");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials");
    }
    Ok(())
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

    #[test]
    fn a_notice_url_is_an_https_url_that_cannot_break_out_of_a_link_header() {
        assert_eq!(check_notice_url("https://trust.example.com/notices/2026-114"), Ok(()));
        assert_eq!(check_notice_url("https://trust.example.com/n?id=1&lang=en#top"), Ok(()));
        for bad in [
            "https://a.example/>; rel=\"x\", <https://evil.example/",
            "https://a.example/\r\nSet-Cookie: x=1",
            "https://a.example/ with space",
            "https://a.example/\"quoted\"",
            "https://a.example/caf\u{e9}",
            "javascript:alert(1)",
            "http://a.example/notice",
            "data:text/html,hi",
            "https://user:pw@a.example/",
            "/v1/holds/x/notice",
            "",
        ] {
            assert!(check_notice_url(bad).is_err(), "{bad:?} accepted");
        }
        assert!(check_notice_url(&format!("https://a.example/{}", "x".repeat(2_100))).is_err());
    }

    fn placement(region: Option<&'static str>, jurisdiction: Option<&'static str>, tenant: Uuid) -> Placement<'static> {
        Placement {
            model_id: Uuid::from_u128(1),
            publisher_id: Uuid::from_u128(2),
            origin_country: Some("CN"),
            ancestors: &[],
            operator: region.map(|_| Operator {
                name: "Azure",
                country: Some("US"),
            }),
            region,
            jurisdiction,
            tenant,
        }
    }

    fn r1_ancestry() -> Vec<Ancestor> {
        vec![Ancestor {
            model_id: Uuid::from_u128(1),
            slug: "deepseek/deepseek-r1".into(),
            publisher_id: Uuid::from_u128(2),
            publisher_slug: "deepseek".into(),
            origin_country: Some("CN".into()),
        }]
    }

    #[test]
    fn a_hold_on_a_model_covers_its_derivatives_unless_the_officer_opts_out() {
        let ancestors = r1_ancestry();
        let fine_tune = Placement {
            model_id: Uuid::from_u128(11),
            publisher_id: Uuid::from_u128(12),
            origin_country: Some("DE"),
            ancestors: &ancestors,
            ..placement(Some("westeurope"), Some("NL"), Uuid::from_u128(9))
        };
        let on_r1 = HoldScope {
            models: vec![Uuid::from_u128(1)],
            ..Default::default()
        };
        assert!(on_r1.covers(&fine_tune));
        let r1_only = HoldScope {
            include_derivatives: false,
            ..on_r1.clone()
        };
        assert!(!r1_only.covers(&fine_tune));
        let on_cn = HoldScope {
            origin_countries: vec!["CN".into()],
            ..Default::default()
        };
        assert!(on_cn.covers(&fine_tune), "origin follows lineage");
        let on_deepseek = HoldScope {
            publishers: vec![Uuid::from_u128(2)],
            ..Default::default()
        };
        assert!(on_deepseek.covers(&fine_tune), "publisher follows lineage");
        let unrelated = HoldScope {
            models: vec![Uuid::from_u128(3)],
            ..Default::default()
        };
        assert!(!unrelated.covers(&fine_tune));
    }

    #[test]
    fn an_operator_scoped_hold_covers_only_offers_of_those_operators() {
        let tenant = Uuid::from_u128(9);
        let cn_operators = HoldScope {
            models: vec![Uuid::from_u128(1)],
            operator_countries: vec!["CN".into()],
            ..Default::default()
        };
        let by_cn = Placement {
            operator: Some(Operator {
                name: "Alibaba Cloud",
                country: Some("CN"),
            }),
            ..placement(Some("eastus"), Some("US"), tenant)
        };
        assert!(cn_operators.covers(&by_cn));
        assert!(!cn_operators.covers(&placement(Some("eastus"), Some("US"), tenant)));
        assert!(
            !cn_operators.covers(&placement(None, None, tenant)),
            "not the listing as a whole"
        );
        let sanctioned = HoldScope {
            operators: vec!["Alibaba Cloud".into()],
            ..Default::default()
        };
        assert!(
            sanctioned.covers(&by_cn),
            "an operator-only hold covers every model it serves"
        );
        assert!(!sanctioned.covers(&placement(Some("eastus"), Some("US"), tenant)));
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
