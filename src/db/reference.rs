//! Reference data that ships with the binary (`domain::regions::REGIONS`),
//! written to the database on every migrate so imports can rely on it.

use sqlx::PgPool;

use crate::domain::regions::REGIONS;

pub async fn sync_regions(pool: &PgPool) -> Result<(), sqlx::Error> {
    let codes: Vec<&str> = REGIONS.iter().map(|r| r.code).collect();
    let names: Vec<&str> = REGIONS.iter().map(|r| r.name).collect();
    let clouds: Vec<&str> = REGIONS.iter().map(|r| r.cloud.as_str()).collect();
    let jurisdictions: Vec<Option<&str>> = REGIONS.iter().map(|r| r.jurisdiction).collect();
    let geographies: Vec<&str> = REGIONS.iter().map(|r| r.geography).collect();
    // Only rows that differ are written, and when none does nothing is run:
    // the catalog version triggers fire per statement, even one that
    // changes no row, and each bump makes every replica reload.
    let differs = "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
             AS incoming(code, name, cloud, jurisdiction, geography)
         WHERE NOT EXISTS (
             SELECT 1 FROM regions r
             WHERE r.code = incoming.code AND r.name = incoming.name AND r.cloud = incoming.cloud
               AND r.jurisdiction IS NOT DISTINCT FROM incoming.jurisdiction
               AND r.geography = incoming.geography)";
    let any_differs: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 {differs})"))
        .bind(&codes)
        .bind(&names)
        .bind(&clouds)
        .bind(&jurisdictions)
        .bind(&geographies)
        .fetch_one(pool)
        .await?;
    if !any_differs {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO regions (code, name, cloud, jurisdiction, geography)
         SELECT * {differs}
         ON CONFLICT (code) DO UPDATE
             SET name = excluded.name, cloud = excluded.cloud,
                 jurisdiction = excluded.jurisdiction, geography = excluded.geography"
    ))
    .bind(&codes)
    .bind(&names)
    .bind(&clouds)
    .bind(&jurisdictions)
    .bind(&geographies)
    .execute(pool)
    .await?;
    Ok(())
}
