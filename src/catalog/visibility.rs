//! What one tenant may see and enable across a snapshot, precomputed once
//! per (snapshot, policy, holds that apply to the tenant) and shared by
//! every tenant with the same rules. Discovery then filters a page's
//! candidates with bit operations instead of running the decision function
//! (and writing every reason's message) for every match.
//!
//! The rules come from `domain::decision`; this module only records their
//! outcomes per listing and per offer, and combines them with the same
//! `OffersOutcome` that `decide_listing` uses.

use chrono::{DateTime, Utc};

use super::bitset::Bitset;
use super::snapshot::{Listing, Offer};
use crate::domain::decision::{hold_effect, listing_rules, offer_rules, AnyRefusal, OffersOutcome, Viewer};

pub struct TenantView {
    /// Names the rules this view was computed from, for ETags.
    pub fingerprint: String,
    /// Per listing: its own rules pass.
    listing_passes: Bitset,
    /// Per listing: a hiding hold covers the listing as a whole.
    whole_hidden: Bitset,
    /// Per offer (by its position in `offer_start` numbering).
    offer_hidden: Bitset,
    offer_passes: Bitset,
    /// The outcome over every offer, the common case of discovery without a
    /// region or deployment-type filter.
    visible: Bitset,
    enableable: Bitset,
    /// Where each listing's offers start in the offer numbering: the same
    /// for every view of one content, so shared with it, not copied.
    offer_start: std::sync::Arc<[u32]>,
}

/// The outcome for one listing over the offers under consideration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub visible: bool,
    pub enableable: bool,
}

impl TenantView {
    /// The memory the view holds of its own (the offer numbering is shared).
    pub fn heap_bytes(&self) -> usize {
        self.fingerprint.len()
            + [
                &self.listing_passes,
                &self.whole_hidden,
                &self.offer_hidden,
                &self.offer_passes,
                &self.visible,
                &self.enableable,
            ]
            .iter()
            .map(|set| set.heap_bytes())
            .sum::<usize>()
    }

    /// Runs the rules for every listing and offer. `viewer.holds` should be
    /// only the holds that apply to the tenant, so the view can be shared.
    pub fn build(
        listings: &[std::sync::Arc<Listing>],
        offer_start: std::sync::Arc<[u32]>,
        viewer: &Viewer<'_>,
        fingerprint: String,
        now: DateTime<Utc>,
    ) -> Self {
        debug_assert_eq!(offer_start.len(), listings.len() + 1);
        let offers_total: usize = listings.iter().map(|l| l.offers.len()).sum();
        let mut view = TenantView {
            fingerprint,
            listing_passes: Bitset::empty(listings.len()),
            whole_hidden: Bitset::empty(listings.len()),
            offer_hidden: Bitset::empty(offers_total),
            offer_passes: Bitset::empty(offers_total),
            visible: Bitset::empty(listings.len()),
            enableable: Bitset::empty(listings.len()),
            offer_start,
        };
        let mut next_offer = 0u32;
        for (position, listing) in listings.iter().enumerate() {
            let position = position as u32;
            debug_assert_eq!(view.offer_start[position as usize], next_offer);
            let facts = listing.facts();
            let mut refused = AnyRefusal::default();
            listing_rules(&facts, viewer.policy, &mut refused);
            if !refused.0 {
                view.listing_passes.insert(position);
            }
            if hold_effect(&facts, None, viewer).0 {
                view.whole_hidden.insert(position);
            }
            for offer in &listing.offers {
                let offer_facts = offer.facts(now);
                let (hidden, covered) = hold_effect(&facts, Some(&offer_facts), viewer);
                if hidden {
                    view.offer_hidden.insert(next_offer);
                } else if !covered {
                    let mut refused = AnyRefusal::default();
                    offer_rules(&offer_facts, viewer.policy, &mut refused);
                    if !refused.0 {
                        view.offer_passes.insert(next_offer);
                    }
                }
                next_offer += 1;
            }
        }
        for (position, listing) in listings.iter().enumerate() {
            let outcome = view.outcome(position as u32, listing, |_| true);
            if outcome.visible {
                view.visible.insert(position as u32);
            }
            if outcome.enableable {
                view.enableable.insert(position as u32);
            }
        }
        view
    }

    /// The outcome for the listing at `position` over its offers that
    /// `considered` selects.
    pub fn outcome(&self, position: u32, listing: &Listing, considered: impl Fn(&Offer) -> bool) -> Outcome {
        let first = self.offer_start[position as usize];
        let offers = listing
            .offers
            .iter()
            .enumerate()
            .filter(|(_, offer)| considered(offer))
            .map(|(offset, _)| {
                let number = first + offset as u32;
                (self.offer_hidden.contains(number), self.offer_passes.contains(number))
            });
        let combined = OffersOutcome::of(offers);
        Outcome {
            visible: combined.visible(self.whole_hidden.contains(position)),
            enableable: combined.enableable(self.listing_passes.contains(position)),
        }
    }

    /// Listings shown over all their offers: those the tenant may enable, or
    /// with `include_unavailable`, every listing no hold hides.
    pub fn shown_everywhere(&self, include_unavailable: bool) -> &Bitset {
        if include_unavailable {
            &self.visible
        } else {
            &self.enableable
        }
    }
}

/// Where each listing's offers start when all offers are numbered listing by
/// listing, with the total at the end: what every [`TenantView`] of these
/// listings indexes its offer sets by.
pub fn offer_starts(listings: &[std::sync::Arc<Listing>]) -> std::sync::Arc<[u32]> {
    let mut starts = Vec::with_capacity(listings.len() + 1);
    let mut next = 0u32;
    for listing in listings {
        starts.push(next);
        next += listing.offers.len() as u32;
    }
    starts.push(next);
    starts.into()
}
