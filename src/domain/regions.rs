//! The reference table of regions offers may be placed in: Azure, AWS and
//! Google Cloud region codes, plus honest pseudo-regions for deployments whose
//! processing spans a data zone or the globe. `migrate` writes it to the
//! `regions` table, so imports and the demo seed can rely on every code here.

use super::vocab::Cloud;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub cloud: Cloud,
    /// The country whose law governs the region (ISO 3166-1 alpha-2); `None`
    /// for multi-country zones such as the EU data zone or `global`.
    pub jurisdiction: Option<&'static str>,
    pub geography: &'static str,
}

const fn region(
    code: &'static str,
    name: &'static str,
    cloud: Cloud,
    jurisdiction: Option<&'static str>,
    geography: &'static str,
) -> RegionInfo {
    RegionInfo {
        code,
        name,
        cloud,
        jurisdiction,
        geography,
    }
}

pub const REGIONS: &[RegionInfo] = &[
    region("eastus", "Azure East US", Cloud::Public, Some("US"), "united_states"),
    region("eastus2", "Azure East US 2", Cloud::Public, Some("US"), "united_states"),
    region(
        "centralus",
        "Azure Central US",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "northcentralus",
        "Azure North Central US",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "southcentralus",
        "Azure South Central US",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region("westus", "Azure West US", Cloud::Public, Some("US"), "united_states"),
    region("westus3", "Azure West US 3", Cloud::Public, Some("US"), "united_states"),
    region("canadaeast", "Azure Canada East", Cloud::Public, Some("CA"), "canada"),
    region("brazilsouth", "Azure Brazil South", Cloud::Public, Some("BR"), "brazil"),
    region("westeurope", "Azure West Europe", Cloud::Public, Some("NL"), "europe"),
    region("northeurope", "Azure North Europe", Cloud::Public, Some("IE"), "europe"),
    region(
        "swedencentral",
        "Azure Sweden Central",
        Cloud::Public,
        Some("SE"),
        "europe",
    ),
    region(
        "francecentral",
        "Azure France Central",
        Cloud::Public,
        Some("FR"),
        "europe",
    ),
    region(
        "germanywestcentral",
        "Azure Germany West Central",
        Cloud::Public,
        Some("DE"),
        "europe",
    ),
    region("italynorth", "Azure Italy North", Cloud::Public, Some("IT"), "europe"),
    region(
        "spaincentral",
        "Azure Spain Central",
        Cloud::Public,
        Some("ES"),
        "europe",
    ),
    region(
        "polandcentral",
        "Azure Poland Central",
        Cloud::Public,
        Some("PL"),
        "europe",
    ),
    region("norwayeast", "Azure Norway East", Cloud::Public, Some("NO"), "europe"),
    region(
        "switzerlandnorth",
        "Azure Switzerland North",
        Cloud::Public,
        Some("CH"),
        "europe",
    ),
    region("uksouth", "Azure UK South", Cloud::Public, Some("GB"), "united_kingdom"),
    region("japaneast", "Azure Japan East", Cloud::Public, Some("JP"), "japan"),
    region(
        "koreacentral",
        "Azure Korea Central",
        Cloud::Public,
        Some("KR"),
        "korea",
    ),
    region(
        "australiaeast",
        "Azure Australia East",
        Cloud::Public,
        Some("AU"),
        "australia",
    ),
    region("southindia", "Azure South India", Cloud::Public, Some("IN"), "india"),
    region(
        "centralindia",
        "Azure Central India",
        Cloud::Public,
        Some("IN"),
        "india",
    ),
    region(
        "southeastasia",
        "Azure Southeast Asia",
        Cloud::Public,
        Some("SG"),
        "asia_pacific",
    ),
    region("eastasia", "Azure East Asia", Cloud::Public, Some("HK"), "asia_pacific"),
    region("uaenorth", "Azure UAE North", Cloud::Public, Some("AE"), "middle_east"),
    region(
        "qatarcentral",
        "Azure Qatar Central",
        Cloud::Public,
        Some("QA"),
        "middle_east",
    ),
    region(
        "southafricanorth",
        "Azure South Africa North",
        Cloud::Public,
        Some("ZA"),
        "africa",
    ),
    region("chinanorth3", "Azure China North 3", Cloud::China, Some("CN"), "china"),
    region("chinaeast2", "Azure China East 2", Cloud::China, Some("CN"), "china"),
    region(
        "usgovvirginia",
        "Azure US Gov Virginia",
        Cloud::Usgov,
        Some("US"),
        "united_states",
    ),
    region(
        "usgovarizona",
        "Azure US Gov Arizona",
        Cloud::Usgov,
        Some("US"),
        "united_states",
    ),
    region(
        "us-east-1",
        "AWS N. Virginia",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region("us-east-2", "AWS Ohio", Cloud::Public, Some("US"), "united_states"),
    region(
        "us-west-1",
        "AWS N. California",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region("us-west-2", "AWS Oregon", Cloud::Public, Some("US"), "united_states"),
    region(
        "ca-central-1",
        "AWS Canada Central",
        Cloud::Public,
        Some("CA"),
        "canada",
    ),
    region("ca-west-1", "AWS Calgary", Cloud::Public, Some("CA"), "canada"),
    region("sa-east-1", "AWS Sao Paulo", Cloud::Public, Some("BR"), "brazil"),
    region(
        "mx-central-1",
        "AWS Mexico Central",
        Cloud::Public,
        Some("MX"),
        "mexico",
    ),
    region("eu-west-1", "AWS Ireland", Cloud::Public, Some("IE"), "europe"),
    region("eu-west-2", "AWS London", Cloud::Public, Some("GB"), "united_kingdom"),
    region("eu-west-3", "AWS Paris", Cloud::Public, Some("FR"), "europe"),
    region("eu-central-1", "AWS Frankfurt", Cloud::Public, Some("DE"), "europe"),
    region("eu-central-2", "AWS Zurich", Cloud::Public, Some("CH"), "europe"),
    region("eu-north-1", "AWS Stockholm", Cloud::Public, Some("SE"), "europe"),
    region("eu-south-1", "AWS Milan", Cloud::Public, Some("IT"), "europe"),
    region("eu-south-2", "AWS Spain", Cloud::Public, Some("ES"), "europe"),
    region("ap-northeast-1", "AWS Tokyo", Cloud::Public, Some("JP"), "japan"),
    region("ap-northeast-2", "AWS Seoul", Cloud::Public, Some("KR"), "korea"),
    region("ap-northeast-3", "AWS Osaka", Cloud::Public, Some("JP"), "japan"),
    region("ap-south-1", "AWS Mumbai", Cloud::Public, Some("IN"), "india"),
    region("ap-south-2", "AWS Hyderabad", Cloud::Public, Some("IN"), "india"),
    region(
        "ap-southeast-1",
        "AWS Singapore",
        Cloud::Public,
        Some("SG"),
        "asia_pacific",
    ),
    region("ap-southeast-2", "AWS Sydney", Cloud::Public, Some("AU"), "australia"),
    region(
        "ap-southeast-3",
        "AWS Jakarta",
        Cloud::Public,
        Some("ID"),
        "asia_pacific",
    ),
    region(
        "ap-southeast-4",
        "AWS Melbourne",
        Cloud::Public,
        Some("AU"),
        "australia",
    ),
    region(
        "ap-southeast-5",
        "AWS Malaysia",
        Cloud::Public,
        Some("MY"),
        "asia_pacific",
    ),
    region(
        "ap-southeast-7",
        "AWS Thailand",
        Cloud::Public,
        Some("TH"),
        "asia_pacific",
    ),
    region("ap-east-1", "AWS Hong Kong", Cloud::Public, Some("HK"), "asia_pacific"),
    region("me-central-1", "AWS UAE", Cloud::Public, Some("AE"), "middle_east"),
    region("me-south-1", "AWS Bahrain", Cloud::Public, Some("BH"), "middle_east"),
    region("il-central-1", "AWS Tel Aviv", Cloud::Public, Some("IL"), "middle_east"),
    region("af-south-1", "AWS Cape Town", Cloud::Public, Some("ZA"), "africa"),
    region(
        "us-gov-west-1",
        "AWS GovCloud (US-West)",
        Cloud::Usgov,
        Some("US"),
        "united_states",
    ),
    region(
        "us-gov-east-1",
        "AWS GovCloud (US-East)",
        Cloud::Usgov,
        Some("US"),
        "united_states",
    ),
    region("cn-north-1", "AWS Beijing", Cloud::China, Some("CN"), "china"),
    region("cn-northwest-1", "AWS Ningxia", Cloud::China, Some("CN"), "china"),
    region(
        "us-central1",
        "Google Cloud Iowa",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-east1",
        "Google Cloud South Carolina",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-east4",
        "Google Cloud N. Virginia",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-east5",
        "Google Cloud Columbus",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-south1",
        "Google Cloud Dallas",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-west1",
        "Google Cloud Oregon",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "us-west4",
        "Google Cloud Las Vegas",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region(
        "northamerica-northeast1",
        "Google Cloud Montreal",
        Cloud::Public,
        Some("CA"),
        "canada",
    ),
    region(
        "southamerica-east1",
        "Google Cloud Sao Paulo",
        Cloud::Public,
        Some("BR"),
        "brazil",
    ),
    region(
        "europe-west1",
        "Google Cloud Belgium",
        Cloud::Public,
        Some("BE"),
        "europe",
    ),
    region(
        "europe-west2",
        "Google Cloud London",
        Cloud::Public,
        Some("GB"),
        "united_kingdom",
    ),
    region(
        "europe-west3",
        "Google Cloud Frankfurt",
        Cloud::Public,
        Some("DE"),
        "europe",
    ),
    region(
        "europe-west4",
        "Google Cloud Netherlands",
        Cloud::Public,
        Some("NL"),
        "europe",
    ),
    region(
        "europe-west8",
        "Google Cloud Milan",
        Cloud::Public,
        Some("IT"),
        "europe",
    ),
    region(
        "europe-west9",
        "Google Cloud Paris",
        Cloud::Public,
        Some("FR"),
        "europe",
    ),
    region(
        "europe-north1",
        "Google Cloud Finland",
        Cloud::Public,
        Some("FI"),
        "europe",
    ),
    region(
        "europe-southwest1",
        "Google Cloud Madrid",
        Cloud::Public,
        Some("ES"),
        "europe",
    ),
    region(
        "europe-central2",
        "Google Cloud Warsaw",
        Cloud::Public,
        Some("PL"),
        "europe",
    ),
    region(
        "asia-east1",
        "Google Cloud Taiwan",
        Cloud::Public,
        Some("TW"),
        "asia_pacific",
    ),
    region(
        "asia-northeast1",
        "Google Cloud Tokyo",
        Cloud::Public,
        Some("JP"),
        "japan",
    ),
    region(
        "asia-northeast3",
        "Google Cloud Seoul",
        Cloud::Public,
        Some("KR"),
        "korea",
    ),
    region("asia-south1", "Google Cloud Mumbai", Cloud::Public, Some("IN"), "india"),
    region(
        "asia-southeast1",
        "Google Cloud Singapore",
        Cloud::Public,
        Some("SG"),
        "asia_pacific",
    ),
    region(
        "australia-southeast1",
        "Google Cloud Sydney",
        Cloud::Public,
        Some("AU"),
        "australia",
    ),
    region(
        "me-central2",
        "Google Cloud Dammam",
        Cloud::Public,
        Some("SA"),
        "middle_east",
    ),
    region(
        "me-west1",
        "Google Cloud Tel Aviv",
        Cloud::Public,
        Some("IL"),
        "middle_east",
    ),
    region("global", "Global (any region)", Cloud::Public, None, "global"),
    region(
        "datazone-us",
        "United States data zone",
        Cloud::Public,
        Some("US"),
        "united_states",
    ),
    region("datazone-eu", "European Union data zone", Cloud::Public, None, "europe"),
    region(
        "datazone-apac",
        "Asia Pacific data zone",
        Cloud::Public,
        None,
        "asia_pacific",
    ),
    region("datazone-jp", "Japan data zone", Cloud::Public, Some("JP"), "japan"),
    region(
        "datazone-au",
        "Australia data zone",
        Cloud::Public,
        Some("AU"),
        "australia",
    ),
    region("datazone-ca", "Canada data zone", Cloud::Public, Some("CA"), "canada"),
];

pub fn find_region(code: &str) -> Option<&'static RegionInfo> {
    REGIONS.iter().find(|region| region.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::country::parse_country;

    #[test]
    fn region_codes_are_unique_and_jurisdictions_are_assigned_countries() {
        let mut codes: Vec<_> = REGIONS.iter().map(|r| r.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), REGIONS.len());
        for region in REGIONS {
            if let Some(country) = region.jurisdiction {
                assert_eq!(parse_country(country), Some(country), "{}", region.code);
            }
        }
    }
}
