//! Offers: who runs each listing where, at what price.

use super::*;

/// An operator other than the platform or the publisher. Operator headquarters are
/// recorded apart from model origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Host {
    pub(super) name: &'static str,
    pub(super) country: &'static str,
}

/// The platform operator of this catalog.
pub(super) const PLATFORM: Host = Host {
    name: "Modelmart Cloud",
    country: "US",
};
/// Fictional partner operators, each in its home jurisdiction.
pub(super) const PROSEWARE: Host = Host {
    name: "Proseware Cloud (demo)",
    country: "CN",
};
pub(super) const LITWARE: Host = Host {
    name: "Litware Compute (demo)",
    country: "JP",
};
pub(super) const ADATUM: Host = Host {
    name: "Adatum Sovereign Cloud (demo)",
    country: "DE",
};
pub(super) const RELECLOUD: Host = Host {
    name: "Relecloud GPU (demo)",
    country: "US",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Platform,
    /// The listing's own publisher (its first-party API or partner endpoint).
    Publisher,
    Partner(Host),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placement {
    pub(super) region: &'static str,
    pub(super) deployment: DeploymentType,
    pub(super) operator: Operator,
}

impl Placement {
    pub(super) const fn new(region: &'static str, deployment: DeploymentType, operator: Operator) -> Self {
        Placement {
            region,
            deployment,
            operator,
        }
    }
}

#[rustfmt::skip]
pub(super) const US_REGIONS: &[&str] = &[
    "eastus", "eastus2", "westus3", "northcentralus", "southcentralus", "centralus", "us-east-1",
    "us-west-2", "us-central1", "us-east4",
];
#[rustfmt::skip]
pub(super) const EU_REGIONS: &[&str] = &[
    "swedencentral", "westeurope", "francecentral", "germanywestcentral", "italynorth",
    "polandcentral", "spaincentral", "northeurope", "eu-west-1", "eu-central-1", "europe-west4",
    "europe-west1",
];
#[rustfmt::skip]
pub(super) const APAC_REGIONS: &[&str] = &[
    "japaneast", "australiaeast", "koreacentral", "southeastasia", "centralindia",
    "ap-northeast-1", "ap-southeast-2", "asia-southeast1", "eastasia",
];
#[rustfmt::skip]
pub(super) const OTHER_REGIONS: &[&str] = &[
    "uksouth", "canadaeast", "brazilsouth", "uaenorth", "southafricanorth", "switzerlandnorth",
    "norwayeast", "qatarcentral", "eu-west-2", "me-central-1", "sa-east-1",
];
pub(super) const CN_REGIONS: &[&str] = &["chinanorth3", "chinaeast2", "cn-north-1", "cn-northwest-1"];
pub(super) const GOV_REGIONS: &[&str] = &["usgovvirginia", "usgovarizona", "us-gov-west-1"];
pub(super) const JP_REGIONS: &[&str] = &["japaneast", "ap-northeast-1", "asia-northeast1"];
pub(super) const DE_REGIONS: &[&str] = &["germanywestcentral", "eu-central-1", "europe-west3"];
#[rustfmt::skip]
pub(super) const GPU_REGIONS: &[&str] = &[
    "us-east-2", "us-west-1", "us-south1", "us-west4", "ca-central-1",
];

pub(super) fn scope_of(region: &str) -> ProcessingScope {
    if region == "global" {
        ProcessingScope::Global
    } else if region.starts_with("datazone-") {
        ProcessingScope::DataZone
    } else {
        ProcessingScope::Regional
    }
}

pub(super) fn is_synthetic(model: &ModelRecord) -> bool {
    model.tags.iter().any(|tag| tag == "synthetic")
}

/// Countries outside the Tencent Hunyuan Community License territory: the European
/// Union, the United Kingdom and South Korea. Derivatives inherit the restriction.
pub(super) const HUNYUAN_EXCLUDED: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "KR",
];

/// Whether the model's licence lets it be used in `country`.
pub(super) fn licence_allows_country(license: &str, country: &str) -> bool {
    license != "tencent-hunyuan-community" || !HUNYUAN_EXCLUDED.contains(&country)
}

/// Whether the model's licence lets it be used in the region.
pub(super) fn licence_allows(license: &str, region: &str) -> bool {
    match crate::domain::regions::find_region(region) {
        Some(info) => match info.jurisdiction {
            Some(country) => licence_allows_country(license, country),
            // Multi-country zones: the EU data zone is out for a territory-limited licence.
            None => license != "tencent-hunyuan-community" || info.geography != "europe",
        },
        None => false,
    }
}

/// Chooses where a listing is offered: the publisher's own endpoint first, then a
/// deterministic selection of platform and partner placements.
pub(super) fn placements(listing: &Listing) -> Vec<Placement> {
    use DeploymentType::{Batch, ManagedCompute, Provisioned, Serverless};
    use Operator::{Partner, Platform, Publisher};
    if let Some(fixed) = listing.fixed {
        return fixed.to_vec();
    }
    let model = &listing.model;
    let mut rng = Rng::keyed(&[&model.slug, "offers"]);
    let synthetic = is_synthetic(model);
    let origin = model.provenance.origin_country.as_deref().unwrap_or("");
    let tokens = listing.prices.iter().any(|p| p.unit == PriceUnit::PerMillionTokens);
    let hostable = model.open_weights && listing.params_b > 0;

    let mut head = Vec::new();
    if let Some(region) = listing.own_region {
        head.push(Placement::new(region, Serverless, Publisher));
    }
    let primary = if tokens && !model.open_weights && !synthetic {
        "global"
    } else {
        rng.pick(US_REGIONS)
    };
    head.push(Placement::new(primary, Serverless, Platform));

    let mut tail = vec![
        Placement::new(rng.pick(EU_REGIONS), Serverless, Platform),
        Placement::new(rng.pick(APAC_REGIONS), Serverless, Platform),
        Placement::new(rng.pick(OTHER_REGIONS), Serverless, Platform),
    ];
    if tokens {
        tail.push(Placement::new("datazone-eu", Serverless, Platform));
        tail.push(Placement::new("datazone-us", Serverless, Platform));
    }
    if tokens && matches!(model.task, Task::Chat | Task::Completion | Task::Embedding) {
        tail.push(Placement::new(
            rng.pick(&["global", "datazone-us", "datazone-eu"]),
            Batch,
            Platform,
        ));
    }
    if tokens && !model.open_weights && model.task == Task::Chat {
        let region = rng.pick(&["global", "datazone-us", "datazone-eu", "eastus2", "swedencentral"]);
        tail.push(Placement::new(region, Provisioned, Platform));
    }
    if hostable {
        let region = if rng.chance(50) {
            rng.pick(US_REGIONS)
        } else {
            rng.pick(EU_REGIONS)
        };
        tail.push(Placement::new(region, ManagedCompute, Platform));
        tail.push(Placement::new(
            rng.pick(GPU_REGIONS),
            ManagedCompute,
            Partner(RELECLOUD),
        ));
        tail.push(Placement::new(rng.pick(JP_REGIONS), Serverless, Partner(LITWARE)));
        tail.push(Placement::new(rng.pick(DE_REGIONS), Serverless, Partner(ADATUM)));
    }
    if hostable || origin == "CN" {
        tail.push(Placement::new(rng.pick(CN_REGIONS), Serverless, Partner(PROSEWARE)));
    }
    if origin == "US" {
        tail.push(Placement::new(rng.pick(GOV_REGIONS), Serverless, Platform));
    }
    rng.shuffle(&mut tail);

    let wanted = if model.lifecycle.status == LifecycleStatus::Retired {
        1
    } else if synthetic {
        rng.between(1, 4)
    } else {
        rng.between(3, 6)
    } as usize;
    let mut chosen: Vec<Placement> = Vec::new();
    for placement in head.into_iter().chain(tail) {
        if chosen.len() == wanted {
            break;
        }
        let clash = chosen
            .iter()
            .any(|c| c.region == placement.region && c.deployment == placement.deployment);
        if !clash && licence_allows(&model.license, placement.region) {
            chosen.push(placement);
        }
    }
    chosen
}

/// Demo GPU-hour price of a managed-compute deployment sized for the model.
pub(super) fn gpu_hour(params_b: u32) -> Decimal {
    let amount = match params_b {
        0..=2 => "1.20",     // one small GPU
        3..=15 => "3.67",    // one 80 GB GPU
        16..=40 => "7.35",   // two 80 GB GPUs
        41..=80 => "14.69",  // four 80 GB GPUs
        81..=150 => "29.39", // eight 80 GB GPUs
        _ => "98.32",        // a node of eight high-memory GPUs
    };
    money(amount)
}

pub(super) fn scaled(prices: &[PriceRecord], factor: Decimal) -> Vec<PriceRecord> {
    prices
        .iter()
        .map(|p| PriceRecord {
            amount: round_price(p.amount * factor),
            ..p.clone()
        })
        .collect()
}

/// Prices an offer from the listing's list price: data-zone and regional
/// processing +10 %, batch -50 %, managed compute and provisioned by the hour.
pub(super) fn offer_prices(listing: &Listing, placement: &Placement) -> Vec<PriceRecord> {
    let scope = scope_of(placement.region);
    let uplift = match scope {
        ProcessingScope::Global => Decimal::ONE,
        ProcessingScope::DataZone | ProcessingScope::Regional => Decimal::new(110, 2),
    };
    let hour = |amount: Decimal| {
        vec![price(
            PriceDimension::Hour,
            PriceUnit::PerHour,
            round_price(amount),
            None,
        )]
    };
    match placement.deployment {
        DeploymentType::ManagedCompute => {
            let jurisdiction = crate::domain::regions::find_region(placement.region).and_then(|r| r.jurisdiction);
            let factor = if jurisdiction == Some("US") {
                Decimal::ONE
            } else {
                Decimal::new(110, 2)
            };
            hour(gpu_hour(listing.params_b) * factor)
        }
        // Per provisioned throughput unit and hour.
        DeploymentType::Provisioned => hour(match scope {
            ProcessingScope::Global => Decimal::ONE,
            ProcessingScope::DataZone => Decimal::new(110, 2),
            ProcessingScope::Regional => Decimal::TWO,
        }),
        DeploymentType::Batch => scaled(&listing.prices, uplift * Decimal::new(5, 1)),
        DeploymentType::Serverless if placement.operator == Operator::Publisher => {
            scaled(&listing.prices, Decimal::ONE)
        }
        DeploymentType::Serverless => scaled(&listing.prices, uplift),
        // The demo places no self-hosted offers; one would have nothing to buy.
        DeploymentType::SelfHosted => Vec::new(),
    }
}

pub(super) fn offers_for(listing: &Listing) -> Vec<OfferRecord> {
    let model = &listing.model;
    let mut rng = Rng::keyed(&[&model.slug, "status"]);
    let publisher = publisher_record(&model.publisher_slug);
    placements(listing)
        .into_iter()
        .map(|placement| {
            let (operator_name, operator_country) = match placement.operator {
                Operator::Platform => (PLATFORM.name.to_string(), Some(PLATFORM.country.to_string())),
                Operator::Publisher => (publisher.name.clone(), publisher.country.clone()),
                Operator::Partner(host) => (host.name.to_string(), Some(host.country.to_string())),
            };
            let status = match model.lifecycle.status {
                LifecycleStatus::Retired => OfferStatus::Unavailable,
                LifecycleStatus::Preview if rng.chance(50) => OfferStatus::Limited,
                _ if rng.chance(6) => OfferStatus::Limited,
                _ => OfferStatus::Available,
            };
            OfferRecord {
                model_slug: model.slug.clone(),
                region: placement.region.to_string(),
                deployment_type: placement.deployment,
                processing_scope: scope_of(placement.region),
                operator_name,
                operator_country,
                status,
                prices: offer_prices(listing, &placement),
                source_key: Some(format!(
                    "demo:{}:{}:{}",
                    model.slug,
                    placement.region,
                    placement.deployment.as_str()
                )),
            }
        })
        .collect()
}
