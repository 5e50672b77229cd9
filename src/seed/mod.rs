//! The demo data `serve --demo` loads: the project's own demo catalog and a
//! few tenants with different guard rails. Applying it again changes nothing.

pub mod demo;
pub mod synthetic;

use sqlx::PgPool;
use uuid::Uuid;

use crate::db::catalog_write;
use crate::db::tenants;
use crate::domain::actor::Actor;

pub struct DemoTenant {
    pub id: Uuid,
    pub name: &'static str,
}

pub struct DemoSummary {
    pub listings: usize,
    pub offers: usize,
    pub tenants: Vec<DemoTenant>,
}

/// Fixed ids, so tokens printed by one run work against the next.
const DEMO_TENANTS: &[(u128, &str, &str)] = &[
    (0x0193_0000_0000_7000_8000_0000_0000_0001, "Contoso Bank (EU)", "eu"),
    (0x0193_0000_0000_7000_8000_0000_0000_0002, "Fabrikam Health (US)", "us"),
    (
        0x0193_0000_0000_7000_8000_0000_0000_0003,
        "Northwind Traders (global)",
        "open",
    ),
];

pub async fn seed_demo(pool: &PgPool) -> Result<DemoSummary, sqlx::Error> {
    let batch = demo::demo_catalog();
    let mut tx = pool.begin().await?;
    let actor = Actor::system("system:demo-seed");
    catalog_write::apply(&mut tx, &batch, &actor, "demo-seed").await?;
    tx.commit().await?;

    let mut tenants_out = Vec::new();
    for (id, name, policy) in DEMO_TENANTS {
        let id = Uuid::from_u128(*id);
        let created = tenants::provision(pool, id, &actor, "demo-seed").await?;
        if created {
            sqlx::query("UPDATE tenants SET display_name = $2 WHERE id = $1")
                .bind(id)
                .bind(name)
                .execute(pool)
                .await?;
            apply_demo_policy(pool, id, policy).await?;
        }
        tenants_out.push(DemoTenant { id, name });
    }
    Ok(DemoSummary {
        listings: batch.models.len(),
        offers: batch.offers.len(),
        tenants: tenants_out,
    })
}

/// Guard rails that make the demo tenants differ: an EU bank that keeps data
/// in the EU and uses GA models only; a US health company that avoids models
/// from some origins and caps prices.
async fn apply_demo_policy(pool: &PgPool, tenant: Uuid, kind: &str) -> Result<(), sqlx::Error> {
    let sql = match kind {
        "eu" => {
            "UPDATE tenant_policies SET ga_only = true,
                 allowed_regions = ARRAY['westeurope','northeurope','swedencentral','francecentral',
                                         'germanywestcentral','datazone-eu']
             WHERE tenant_id = $1"
        }
        "us" => {
            "UPDATE tenant_policies SET denied_origin_countries = ARRAY['CN'],
                 max_input_price_per_mtok = 5, max_output_price_per_mtok = 20
             WHERE tenant_id = $1"
        }
        _ => return Ok(()),
    };
    sqlx::query(sql).bind(tenant).execute(pool).await?;
    Ok(())
}

/// Writes `count` synthetic listings in batches, one transaction each, and
/// returns how many listings and offers were written.
pub async fn seed_synthetic(pool: &PgPool, count: usize) -> Result<(usize, usize), sqlx::Error> {
    const CHUNK: usize = 10_000;
    let catalog = synthetic::synthetic_catalog(count);
    let actor = Actor::system("system:synthetic-seed");
    let mut written_offers = 0;
    // Each listing's offers, found once: picking them out of every offer for
    // each chunk made seeding a million listings take half an hour.
    let mut offers_of: std::collections::HashMap<&str, Vec<&_>> = std::collections::HashMap::new();
    for offer in &catalog.offers {
        offers_of.entry(offer.model_slug.as_str()).or_default().push(offer);
    }
    for models in catalog.models.chunks(CHUNK) {
        let offers: Vec<_> = models
            .iter()
            .flat_map(|m| offers_of.get(m.slug.as_str()).into_iter().flatten())
            .map(|offer| (*offer).clone())
            .collect();
        written_offers += offers.len();
        let chunk = crate::domain::batch::CatalogBatch {
            publishers: catalog.publishers.clone(),
            models: models.to_vec(),
            offers,
            aliases: Vec::new(),
            rejected: Vec::new(),
        };
        let mut tx = pool.begin().await?;
        catalog_write::apply(&mut tx, &chunk, &actor, "synthetic-seed").await?;
        tx.commit().await?;
    }
    Ok((catalog.models.len(), written_offers))
}
