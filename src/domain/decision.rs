//! The one answer to "may this tenant see and enable this model, here, and if
//! not, why?". Discovery, the detail view, enablement and recommendations all
//! call it, so a tenant is never shown something it would be refused, and
//! every refusal names its reasons.
//!
//! Rules come in two layers: those about the listing (lifecycle, origin,
//! publisher, licence) and those about one offer (region, operator, status,
//! price). A listing is enableable when its own rules pass and at least one
//! of its offers passes too.

use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::hold::{Ancestor, HoldView, Operator, Placement};
use super::policy::TenantPolicy;
use super::vocab::{DeploymentType, LifecycleStatus, OfferStatus};

/// Why something is not available, as a stable machine-readable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The listing is retired.
    LifecycleRetired,
    /// The tenant accepts generally available listings only.
    PolicyGaOnly,
    /// The tenant refuses models from the listing's origin country.
    PolicyOriginCountryDenied,
    /// The tenant refuses the listing's publisher.
    PolicyPublisherDenied,
    /// The listing's licence is not on the tenant's allow-list.
    PolicyLicenseNotAllowed,
    /// The offer's region is not on the tenant's allow-list.
    PolicyRegionNotAllowed,
    /// The tenant refuses operators from the offer operator's country.
    PolicyOperatorCountryDenied,
    /// The tenant refuses operators whose country is not known.
    PolicyOperatorCountryUnknown,
    /// The offer's input price is above the tenant's ceiling.
    PolicyInputPriceCeiling,
    /// The offer's output price is above the tenant's ceiling.
    PolicyOutputPriceCeiling,
    /// The offer is not available.
    OfferUnavailable,
    /// No offer matches the requested region and deployment type.
    NoMatchingOffer,
    /// A compliance hold covers the model here for this tenant.
    ComplianceHold,
}

/// One reason, with a human message and, for holds, the hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Reason {
    pub code: ReasonCode,
    #[schema(example = "the tenant policy denies models originating in CN")]
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_id: Option<Uuid>,
}

impl Reason {
    fn new(code: ReasonCode, message: String) -> Self {
        Reason {
            code,
            message,
            hold_id: None,
        }
    }
}

/// Who is asking: the tenant, its policy and the holds in effect.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub tenant: Uuid,
    pub policy: &'a TenantPolicy,
    pub holds: &'a [HoldView],
}

/// The facts of a listing the rules read.
#[derive(Debug, Clone, Copy)]
pub struct ListingFacts<'a> {
    pub model_id: Uuid,
    pub publisher_id: Uuid,
    pub publisher_slug: &'a str,
    pub origin_country: Option<&'a str>,
    /// What the listing derives from through its base model, nearest
    /// first: rules on a model, its publisher or its origin follow lineage.
    pub ancestors: &'a [Ancestor],
    pub license: &'a str,
    /// The lifecycle in force (a passed retirement date counts as retired).
    pub lifecycle: LifecycleStatus,
}

/// The facts of one offer the rules read.
#[derive(Debug, Clone, Copy)]
pub struct OfferFacts<'a> {
    pub region: &'a str,
    /// The region's jurisdiction, for holds scoped by jurisdiction.
    pub jurisdiction: Option<&'a str>,
    pub deployment_type: DeploymentType,
    pub operator_name: &'a str,
    pub operator_country: Option<&'a str>,
    pub status: OfferStatus,
    /// Current base-tier USD price per 1M input tokens; `None` when the
    /// offer does not charge for input tokens.
    pub input_price: Option<Decimal>,
    pub output_price: Option<Decimal>,
}

/// What the tenant may do, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Decision {
    pub enableable: bool,
    /// Empty when enableable; otherwise every reason, most fundamental first.
    pub reasons: Vec<Reason>,
    /// The hold that hides the listing (there) from this tenant: it is then
    /// absent from discovery and answers 451 when asked for.
    #[serde(skip)]
    pub hidden_by: Option<Uuid>,
}

impl Decision {
    /// What a listing the tenant may enable is told: nothing stands in the way.
    pub fn enableable() -> Self {
        Decision {
            enableable: true,
            reasons: Vec::new(),
            hidden_by: None,
        }
    }

    fn from_reasons(mut reasons: Vec<Reason>, hidden_by: Option<Uuid>) -> Self {
        reasons.sort_by_key(|r| r.code);
        reasons.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.hold_id == b.hold_id);
        Decision {
            enableable: reasons.is_empty(),
            reasons,
            hidden_by,
        }
    }
}

/// Where the rules put their refusals: a list of reasons with messages, or
/// just the fact that something refused (the discovery fast path, which
/// must not pay for messages it never shows). One definition of the rules
/// serves both, so they cannot drift apart.
pub trait Refusals {
    fn refuse(&mut self, code: ReasonCode, message: impl FnOnce() -> String);
}

impl Refusals for Vec<Reason> {
    fn refuse(&mut self, code: ReasonCode, message: impl FnOnce() -> String) {
        self.push(Reason::new(code, message()));
    }
}

/// Records only whether any rule refused.
#[derive(Debug, Default, Clone, Copy)]
pub struct AnyRefusal(pub bool);

impl Refusals for AnyRefusal {
    fn refuse(&mut self, _code: ReasonCode, _message: impl FnOnce() -> String) {
        self.0 = true;
    }
}

/// The holds that cover a placement and either hide it or block new
/// enablements there; `offer` is `None` for the listing as a whole.
pub fn covering_holds<'a>(
    listing: &ListingFacts<'a>,
    offer: Option<&OfferFacts<'a>>,
    viewer: &Viewer<'a>,
) -> impl Iterator<Item = &'a HoldView> + 'a {
    let placement = Placement {
        model_id: listing.model_id,
        publisher_id: listing.publisher_id,
        origin_country: listing.origin_country,
        ancestors: listing.ancestors,
        operator: offer.map(|o| Operator {
            name: o.operator_name,
            country: o.operator_country,
        }),
        region: offer.map(|o| o.region),
        jurisdiction: offer.and_then(|o| o.jurisdiction),
        tenant: viewer.tenant,
    };
    viewer
        .holds
        .iter()
        // A hold that suspends existing enablements refuses new ones too:
        // otherwise disabling a suspended enablement and enabling again
        // would end active under it.
        .filter(move |hold| (hold.hide || hold.block_new || hold.suspend_existing) && hold.scope.covers(&placement))
}

/// The covering holds' reasons, and the first that hides.
fn hold_reasons<'a>(
    listing: &ListingFacts<'a>,
    offer: Option<&OfferFacts<'a>>,
    viewer: &Viewer<'a>,
) -> (Vec<Reason>, Option<Uuid>) {
    let mut reasons = Vec::new();
    let mut hidden_by = None;
    for hold in covering_holds(listing, offer, viewer) {
        if hold.hide && hidden_by.is_none() {
            hidden_by = Some(hold.id);
        }
        reasons.push(Reason {
            code: ReasonCode::ComplianceHold,
            message: hold.public_notice.clone(),
            hold_id: Some(hold.id),
        });
    }
    (reasons, hidden_by)
}

/// What the covering holds do to a placement, without messages: whether
/// any hides it, and whether any covers it at all (hiding, blocking or
/// suspending).
pub fn hold_effect<'a>(
    listing: &ListingFacts<'a>,
    offer: Option<&OfferFacts<'a>>,
    viewer: &Viewer<'a>,
) -> (bool, bool) {
    let mut hidden = false;
    let mut covered = false;
    for hold in covering_holds(listing, offer, viewer) {
        covered = true;
        hidden |= hold.hide;
    }
    (hidden, covered)
}

fn contains_ignoring_case(list: &[String], value: &str) -> bool {
    list.iter().any(|item| item.eq_ignore_ascii_case(value))
}

/// The listing-level rules.
pub fn listing_rules(listing: &ListingFacts<'_>, policy: &TenantPolicy, refusals: &mut impl Refusals) {
    if listing.lifecycle == LifecycleStatus::Retired {
        refusals.refuse(ReasonCode::LifecycleRetired, || "the listing is retired".into());
    } else if policy.ga_only && listing.lifecycle != LifecycleStatus::Ga {
        refusals.refuse(ReasonCode::PolicyGaOnly, || {
            format!(
                "the tenant policy allows generally available listings only; this one is {}",
                listing.lifecycle
            )
        });
    }
    // Origin and publisher rules follow lineage: a fine-tune published from
    // DE of a model made in CN originates in CN too.
    if let Some(country) = listing
        .origin_country
        .filter(|c| contains_ignoring_case(&policy.denied_origin_countries, c))
    {
        refusals.refuse(ReasonCode::PolicyOriginCountryDenied, || {
            format!("the tenant policy denies models originating in {country}")
        });
    } else if let Some(ancestor) = listing.ancestors.iter().find(|a| {
        a.origin_country
            .as_deref()
            .is_some_and(|c| contains_ignoring_case(&policy.denied_origin_countries, c))
    }) {
        refusals.refuse(ReasonCode::PolicyOriginCountryDenied, || {
            format!(
                "the tenant policy denies models originating in {}, and this one derives from {}",
                ancestor.origin_country.as_deref().unwrap_or_default(),
                ancestor.slug
            )
        });
    }
    if contains_ignoring_case(&policy.denied_publishers, listing.publisher_slug) {
        refusals.refuse(ReasonCode::PolicyPublisherDenied, || {
            format!("the tenant policy denies the publisher {}", listing.publisher_slug)
        });
    } else if let Some(ancestor) = listing
        .ancestors
        .iter()
        .find(|a| contains_ignoring_case(&policy.denied_publishers, &a.publisher_slug))
    {
        refusals.refuse(ReasonCode::PolicyPublisherDenied, || {
            format!(
                "the tenant policy denies the publisher {}, and this model derives from {}",
                ancestor.publisher_slug, ancestor.slug
            )
        });
    }
    if let Some(allowed) = &policy.allowed_licenses {
        if !contains_ignoring_case(allowed, listing.license) {
            refusals.refuse(ReasonCode::PolicyLicenseNotAllowed, || {
                format!("the tenant policy does not allow the license {}", listing.license)
            });
        }
    }
}

/// The listing-level rules' reasons.
pub fn listing_reasons(listing: &ListingFacts<'_>, policy: &TenantPolicy) -> Vec<Reason> {
    let mut reasons = Vec::new();
    listing_rules(listing, policy, &mut reasons);
    reasons
}

/// The offer-level rules.
pub fn offer_rules(offer: &OfferFacts<'_>, policy: &TenantPolicy, refusals: &mut impl Refusals) {
    if matches!(offer.status, OfferStatus::Unavailable | OfferStatus::Withdrawn) {
        refusals.refuse(ReasonCode::OfferUnavailable, || {
            format!(
                "the {} offer in {} is {}",
                offer.deployment_type, offer.region, offer.status
            )
        });
    }
    if let Some(allowed) = &policy.allowed_regions {
        if !allowed.iter().any(|r| r == offer.region) {
            refusals.refuse(ReasonCode::PolicyRegionNotAllowed, || {
                format!("the tenant policy does not allow the region {}", offer.region)
            });
        }
    }
    match offer.operator_country {
        Some(country) if contains_ignoring_case(&policy.denied_operator_countries, country) => {
            refusals.refuse(ReasonCode::PolicyOperatorCountryDenied, || {
                format!(
                    "the tenant policy denies operators headquartered in {country}, such as {}",
                    offer.operator_name
                )
            });
        }
        None if policy.deny_unknown_operator_country => {
            refusals.refuse(ReasonCode::PolicyOperatorCountryUnknown, || {
                format!(
                    "the tenant policy denies operators whose country is unknown, such as {}",
                    offer.operator_name
                )
            });
        }
        _ => {}
    }
    let ceilings = [
        (
            policy.max_input_price_per_mtok,
            offer.input_price,
            ReasonCode::PolicyInputPriceCeiling,
            "input",
        ),
        (
            policy.max_output_price_per_mtok,
            offer.output_price,
            ReasonCode::PolicyOutputPriceCeiling,
            "output",
        ),
    ];
    for (ceiling, price, code, what) in ceilings {
        if let (Some(ceiling), Some(price)) = (ceiling, price) {
            if price > ceiling {
                refusals.refuse(code, || {
                    format!(
                        "the {what} price {price} USD per 1M tokens in {} is above the tenant's ceiling of {ceiling}",
                        offer.region
                    )
                });
            }
        }
    }
}

/// The offer-level rules' reasons.
pub fn offer_reasons(offer: &OfferFacts<'_>, policy: &TenantPolicy) -> Vec<Reason> {
    let mut reasons = Vec::new();
    offer_rules(offer, policy, &mut reasons);
    reasons
}

/// One offer: may the tenant enable the listing there?
pub fn decide_offer(listing: &ListingFacts<'_>, offer: &OfferFacts<'_>, viewer: &Viewer<'_>) -> Decision {
    let mut reasons = listing_reasons(listing, viewer.policy);
    reasons.extend(offer_reasons(offer, viewer.policy));
    let (held, hidden_by) = hold_reasons(listing, Some(offer), viewer);
    reasons.extend(held);
    Decision::from_reasons(reasons, hidden_by)
}

/// The whole listing: enableable when its own rules pass and at least one
/// offer passes. When no offer passes, the reasons are those of every offer.
///
/// A hold that hides the model covers the listing when it covers every
/// offer (or, for a listing without offers, applies everywhere); hidden
/// offers neither count as passing nor contribute reasons.
pub fn decide_listing<'a>(
    listing: &ListingFacts<'_>,
    offers: impl IntoIterator<Item = OfferFacts<'a>>,
    viewer: &Viewer<'_>,
) -> Decision {
    // Each offer: the hold that hides it, or what refuses it there.
    let judged: Vec<(Option<Uuid>, Vec<Reason>)> = offers
        .into_iter()
        .map(|offer| {
            let (held, hiding) = hold_reasons(listing, Some(&offer), viewer);
            if hiding.is_some() {
                return (hiding, Vec::new());
            }
            let mut problems = offer_reasons(&offer, viewer.policy);
            problems.extend(held);
            (None, problems)
        })
        .collect();
    let outcome = OffersOutcome::of(
        judged
            .iter()
            .map(|(hiding, problems)| (hiding.is_some(), problems.is_empty())),
    );
    match outcome {
        OffersOutcome::NoOffers => {
            let (held, hiding) = hold_reasons(listing, None, viewer);
            if hiding.is_some() {
                return Decision::from_reasons(held, hiding);
            }
            let mut reasons = listing_reasons(listing, viewer.policy);
            reasons.extend(held);
            reasons.push(Reason::new(
                ReasonCode::NoMatchingOffer,
                "the listing has no matching offer".into(),
            ));
            Decision::from_reasons(reasons, None)
        }
        OffersOutcome::AllHidden => {
            let hidden_by = judged.iter().find_map(|(hiding, _)| *hiding);
            let notice = viewer
                .holds
                .iter()
                .find(|h| Some(h.id) == hidden_by)
                .map(|h| h.public_notice.clone())
                .unwrap_or_default();
            let reason = Reason {
                code: ReasonCode::ComplianceHold,
                message: notice,
                hold_id: hidden_by,
            };
            Decision::from_reasons(vec![reason], hidden_by)
        }
        OffersOutcome::Shown { one_passes } => {
            let mut reasons = listing_reasons(listing, viewer.policy);
            if !one_passes {
                reasons.extend(judged.into_iter().flat_map(|(_, problems)| problems));
            }
            Decision::from_reasons(reasons, None)
        }
    }
}

/// What a listing's offers add up to: the one combination the decision
/// above and the precomputed tenant views (`catalog::visibility`) share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffersOutcome {
    /// No offer (under consideration): the listing as a whole decides
    /// whether it is hidden, and nothing is enableable.
    NoOffers,
    /// A hiding hold covers every offer: the listing is hidden.
    AllHidden,
    /// Some offer is shown; `one_passes` when one of those passes every
    /// offer rule with no hold covering it.
    Shown { one_passes: bool },
}

impl OffersOutcome {
    /// From each offer's (hidden, passes).
    pub fn of(offers: impl IntoIterator<Item = (bool, bool)>) -> Self {
        let mut outcome = OffersOutcome::NoOffers;
        for (hidden, passes) in offers {
            outcome = match (outcome, hidden) {
                (OffersOutcome::NoOffers | OffersOutcome::AllHidden, true) => OffersOutcome::AllHidden,
                (OffersOutcome::Shown { one_passes }, true) => OffersOutcome::Shown { one_passes },
                (OffersOutcome::Shown { one_passes }, false) => OffersOutcome::Shown {
                    one_passes: one_passes || passes,
                },
                (_, false) => OffersOutcome::Shown { one_passes: passes },
            };
        }
        outcome
    }

    /// Whether the listing is visible, given whether a hold hides the
    /// listing as a whole (which counts only without offers).
    pub fn visible(self, whole_hidden: bool) -> bool {
        match self {
            OffersOutcome::NoOffers => !whole_hidden,
            OffersOutcome::AllHidden => false,
            OffersOutcome::Shown { .. } => true,
        }
    }

    /// Whether the tenant may enable the listing, given whether the
    /// listing's own rules pass.
    pub fn enableable(self, listing_passes: bool) -> bool {
        matches!(self, OffersOutcome::Shown { one_passes: true }) && listing_passes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOBODY: Uuid = Uuid::from_u128(7);

    fn viewer(policy: &TenantPolicy) -> Viewer<'_> {
        Viewer {
            tenant: NOBODY,
            policy,
            holds: &[],
        }
    }

    fn deepseek() -> ListingFacts<'static> {
        ListingFacts {
            model_id: Uuid::from_u128(1),
            publisher_id: Uuid::from_u128(2),
            publisher_slug: "deepseek",
            origin_country: Some("CN"),
            ancestors: &[],
            license: "MIT",
            lifecycle: LifecycleStatus::Ga,
        }
    }

    fn offer(region: &'static str, input: &str) -> OfferFacts<'static> {
        OfferFacts {
            region,
            jurisdiction: None,
            deployment_type: DeploymentType::Serverless,
            operator_name: "Azure",
            operator_country: Some("US"),
            status: OfferStatus::Available,
            input_price: Some(input.parse().unwrap()),
            output_price: Some("2.19".parse().unwrap()),
        }
    }

    #[test]
    fn an_unrestricted_tenant_may_enable_an_available_offer() {
        let decision = decide_offer(&deepseek(), &offer("eastus", "0.55"), &viewer(&TenantPolicy::default()));
        assert!(decision.enableable);
        assert!(decision.reasons.is_empty());
    }

    #[test]
    fn a_denied_origin_country_refuses_every_offer_with_its_reason() {
        let policy = TenantPolicy {
            denied_origin_countries: vec!["CN".into()],
            ..Default::default()
        };
        let decision = decide_listing(
            &deepseek(),
            [offer("eastus", "0.55"), offer("westeurope", "0.6")],
            &viewer(&policy),
        );
        assert!(!decision.enableable);
        assert_eq!(decision.reasons.len(), 1);
        assert_eq!(decision.reasons[0].code, ReasonCode::PolicyOriginCountryDenied);
    }

    #[test]
    fn a_listing_is_enableable_when_one_offer_passes_the_offer_rules() {
        let policy = TenantPolicy {
            allowed_regions: Some(vec!["westeurope".into()]),
            ..Default::default()
        };
        let decision = decide_listing(
            &deepseek(),
            [offer("eastus", "0.55"), offer("westeurope", "0.6")],
            &viewer(&policy),
        );
        assert!(decision.enableable);
        let only_eastus = decide_listing(&deepseek(), [offer("eastus", "0.55")], &viewer(&policy));
        assert_eq!(only_eastus.reasons[0].code, ReasonCode::PolicyRegionNotAllowed);
    }

    #[test]
    fn a_price_above_the_ceiling_is_refused_and_an_equal_price_is_not() {
        let policy = TenantPolicy {
            max_input_price_per_mtok: Some("0.55".parse().unwrap()),
            ..Default::default()
        };
        assert!(decide_offer(&deepseek(), &offer("eastus", "0.55"), &viewer(&policy)).enableable);
        let refused = decide_offer(&deepseek(), &offer("eastus", "0.56"), &viewer(&policy));
        assert_eq!(refused.reasons[0].code, ReasonCode::PolicyInputPriceCeiling);
    }

    #[test]
    fn ga_only_refuses_previews_and_every_tenant_refuses_retired_listings() {
        let policy = TenantPolicy {
            ga_only: true,
            ..Default::default()
        };
        let preview = ListingFacts {
            lifecycle: LifecycleStatus::Preview,
            ..deepseek()
        };
        assert_eq!(listing_reasons(&preview, &policy)[0].code, ReasonCode::PolicyGaOnly);
        let retired = ListingFacts {
            lifecycle: LifecycleStatus::Retired,
            ..deepseek()
        };
        assert_eq!(
            listing_reasons(&retired, &TenantPolicy::default())[0].code,
            ReasonCode::LifecycleRetired
        );
    }

    fn hold(hide: bool, regions: &[&str]) -> HoldView {
        HoldView {
            id: Uuid::from_u128(42),
            scope: crate::domain::hold::HoldScope {
                models: vec![Uuid::from_u128(1)],
                regions: regions.iter().map(|r| r.to_string()).collect(),
                ..Default::default()
            },
            hide,
            block_new: true,
            suspend_existing: true,
            public_notice: "Export controls restrict this model here.".into(),
            public_notice_url: None,
        }
    }

    #[test]
    fn a_hold_in_one_region_hides_only_that_offer() {
        let policy = TenantPolicy::default();
        let holds = [hold(true, &["eastus"])];
        let viewer = Viewer {
            tenant: NOBODY,
            policy: &policy,
            holds: &holds,
        };
        let in_eastus = decide_offer(&deepseek(), &offer("eastus", "0.55"), &viewer);
        assert_eq!(in_eastus.hidden_by, Some(Uuid::from_u128(42)));
        assert_eq!(in_eastus.reasons[0].code, ReasonCode::ComplianceHold);
        assert_eq!(in_eastus.reasons[0].hold_id, Some(Uuid::from_u128(42)));
        let listing = decide_listing(
            &deepseek(),
            [offer("eastus", "0.55"), offer("westeurope", "0.6")],
            &viewer,
        );
        assert!(listing.enableable);
        assert_eq!(listing.hidden_by, None);
        let only_eastus = decide_listing(&deepseek(), [offer("eastus", "0.55")], &viewer);
        assert!(!only_eastus.enableable);
        assert_eq!(only_eastus.hidden_by, Some(Uuid::from_u128(42)));
    }

    #[test]
    fn a_block_new_hold_refuses_with_its_public_notice_but_does_not_hide() {
        let policy = TenantPolicy::default();
        let holds = [hold(false, &[])];
        let viewer = Viewer {
            tenant: NOBODY,
            policy: &policy,
            holds: &holds,
        };
        let decision = decide_listing(&deepseek(), [offer("eastus", "0.55")], &viewer);
        assert!(!decision.enableable);
        assert_eq!(decision.hidden_by, None);
        assert_eq!(decision.reasons[0].message, "Export controls restrict this model here.");
    }

    #[test]
    fn a_suspend_only_hold_refuses_new_enablements_so_re_enabling_cannot_undo_it() {
        let policy = TenantPolicy::default();
        let holds = [HoldView {
            block_new: false,
            ..hold(false, &[])
        }];
        let viewer = Viewer {
            tenant: NOBODY,
            policy: &policy,
            holds: &holds,
        };
        let decision = decide_listing(&deepseek(), [offer("eastus", "0.55")], &viewer);
        assert!(!decision.enableable);
        assert_eq!(decision.hidden_by, None, "shown, with the hold as the reason");
        assert_eq!(decision.reasons[0].hold_id, Some(Uuid::from_u128(42)));
    }

    #[test]
    fn licences_and_publishers_compare_without_case() {
        let policy = TenantPolicy {
            allowed_licenses: Some(vec!["mit".into()]),
            denied_publishers: vec!["DeepSeek".into()],
            ..Default::default()
        };
        let reasons = listing_reasons(&deepseek(), &policy);
        assert_eq!(reasons.len(), 1);
        assert_eq!(reasons[0].code, ReasonCode::PolicyPublisherDenied);
    }
}
