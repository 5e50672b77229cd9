//! Offer selection: among entries naming the same offer, the one kept.

use super::*;

pub(super) type OfferIdentity = (String, &'static str, DeploymentType, String);

pub(super) struct Candidate {
    pub(super) entry: usize,
    pub(super) placement: Placement,
    pub(super) deployment: DeploymentType,
}

/// Preference between feed entries that describe the same offer: a key that
/// states its location beats an implicit one; plain offers beat image
/// variants; shorter commitments beat longer; then the shorter, then the
/// alphabetically first key, so the choice never depends on feed order.
pub(super) fn rank(entry: &Entry) -> (bool, u32, u32, usize, &str) {
    (
        !entry.explicit_location,
        entry.variant_score,
        entry.commitment_months.unwrap_or(0),
        entry.key.len(),
        entry.key.as_str(),
    )
}

pub(super) fn scope_order(scope: ProcessingScope) -> u8 {
    match scope {
        ProcessingScope::Regional => 0,
        ProcessingScope::DataZone => 1,
        ProcessingScope::Global => 2,
    }
}

/// Picks one entry per offer identity (model, region, deployment type,
/// operator); returns, per entry, the offers it won. Entries that win none
/// are rejected as duplicates, naming the entry that was kept.
pub(super) fn choose_offers(parsed: &[Entry], rejected: &mut Vec<Rejection>) -> Vec<Vec<Candidate>> {
    let mut by_identity: BTreeMap<OfferIdentity, Vec<Candidate>> = BTreeMap::new();
    for (index, entry) in parsed.iter().enumerate() {
        let mut deployments = vec![entry.deployment];
        if entry.batch_prices.is_some() {
            deployments.push(DeploymentType::Batch);
        }
        for placement in &entry.placements {
            for deployment in &deployments {
                let identity = (
                    entry.model_slug.clone(),
                    placement.region,
                    *deployment,
                    entry.operator_name.clone(),
                );
                by_identity.entry(identity).or_default().push(Candidate {
                    entry: index,
                    placement: *placement,
                    deployment: *deployment,
                });
            }
        }
    }

    let mut won: Vec<Vec<Candidate>> = parsed.iter().map(|_| Vec::new()).collect();
    let mut lost_to: Vec<Option<(usize, OfferIdentity)>> = parsed.iter().map(|_| None).collect();
    for (identity, candidates) in by_identity {
        // A regional entry beats a data-zone or global one placed in the
        // same region: it is the more specific statement about that region.
        let best = candidates
            .iter()
            .min_by(|a, b| {
                (scope_order(a.placement.scope), rank(&parsed[a.entry]))
                    .cmp(&(scope_order(b.placement.scope), rank(&parsed[b.entry])))
            })
            .map(|c| c.entry)
            .unwrap_or(candidates[0].entry);
        for candidate in candidates {
            if candidate.entry == best {
                won[best].push(candidate);
            } else if lost_to[candidate.entry].is_none() {
                lost_to[candidate.entry] = Some((best, identity.clone()));
            }
        }
    }
    for (index, entry) in parsed.iter().enumerate() {
        if !won[index].is_empty() {
            continue;
        }
        if let Some((winner, (model, region, deployment, operator))) = &lost_to[index] {
            rejected.push(Rejection {
                key: entry.key.clone(),
                reason: format!(
                    "same offer as '{}' ({model} in {region}, {deployment}, run by {operator}); that entry was kept",
                    parsed[*winner].key
                ),
            });
        }
    }
    won
}
