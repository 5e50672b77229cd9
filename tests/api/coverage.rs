//! Hold coverage is written twice, by necessity: in Rust for the snapshot's
//! tenant views and the enablement decision, and in SQL for what approval
//! suspends and the preview counts. This pins the two together over the
//! demo catalog (with its lineages, a lineage cycle added, and every offer
//! enabled by two tenants through different operators) for varied holds.

use std::collections::{BTreeSet, HashMap};

use modelmart::catalog::Snapshot;
use modelmart::db::catalog_read;
use modelmart::domain::hold::HoldScope;
use uuid::Uuid;

use crate::helpers::*;

/// A small deterministic generator, so a failure names a reproducible scope.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn some<T: Clone>(&mut self, from: &[T], most: usize) -> Vec<T> {
        let count = self.below(most + 1);
        (0..count).map(|_| from[self.below(from.len())].clone()).collect()
    }
}

#[derive(sqlx::FromRow)]
struct EnablementRow {
    tenant_id: Uuid,
    id: Uuid,
    model_id: Uuid,
    region_code: String,
    deployment_type: String,
    operator_name: Option<String>,
}

#[tokio::test]
async fn sql_coverage_agrees_with_rust_coverage_over_the_demo_catalog_for_varied_holds() {
    let app = spawn_app().await;
    modelmart::seed::seed_demo(&app.pool).await.unwrap();
    // A cycle in the data: a derivative named as its own ancestor's base.
    // Both walks must end, and agree.
    let (derivative, base): (Uuid, Uuid) =
        sqlx::query_as("SELECT id, base_model_id FROM models WHERE base_model_id IS NOT NULL ORDER BY slug LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    sqlx::query("UPDATE models SET base_model_id = $1 WHERE id = $2")
        .bind(derivative)
        .bind(base)
        .execute(&app.pool)
        .await
        .unwrap();
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    for (tenant, order) in [(first, "ASC"), (second, "DESC")] {
        sqlx::query("INSERT INTO tenants (id, provisioned_by) VALUES ($1, 'test')")
            .bind(tenant)
            .execute(&app.pool)
            .await
            .unwrap();
        // One enablement per placement; the two tenants take different
        // operators where a placement has several.
        sqlx::query(&format!(
            "INSERT INTO enablements (tenant_id, id, model_id, region_code, deployment_type, operator_name,
                                      operator_country, status, created_by, updated_by)
             SELECT DISTINCT ON (model_id, region_code, deployment_type)
                    $1, gen_random_uuid(), model_id, region_code, deployment_type, operator_name, operator_country,
                    'active', 'test', 'test'
             FROM offers ORDER BY model_id, region_code, deployment_type, operator_name {order}"
        ))
        .bind(tenant)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let snapshot = Snapshot::build(catalog_read::load(&app.pool).await.unwrap()).unwrap();
    let enablements: Vec<EnablementRow> =
        sqlx::query_as("SELECT tenant_id, id, model_id, region_code, deployment_type, operator_name FROM enablements")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(enablements.len() > 2_000, "{} enablements", enablements.len());

    // What scopes are drawn from: listings with a lineage weigh more.
    let listings = &snapshot.content.listings;
    let with_lineage: Vec<Uuid> = listings
        .iter()
        .filter(|l| !l.ancestors.is_empty())
        .flat_map(|l| l.ancestors.iter().map(|a| a.model_id))
        .collect();
    assert!(with_lineage.len() > 50, "the demo catalog has lineages");
    let models: Vec<Uuid> = listings.iter().map(|l| l.id).collect();
    let publishers: Vec<Uuid> = snapshot.content.publishers.iter().map(|p| p.id).collect();
    let origins: Vec<String> = listings
        .iter()
        .filter_map(|l| l.origin_country.as_deref().map(str::to_owned))
        .collect();
    let operators = snapshot.content.operators.clone();
    let operator_countries: Vec<String> = listings
        .iter()
        .flat_map(|l| {
            l.offers
                .iter()
                .filter_map(|o| o.operator_country.as_deref().map(str::to_owned))
        })
        .collect();
    let regions: Vec<String> = snapshot.content.regions.iter().map(|r| r.code.clone()).collect();
    let jurisdictions: Vec<String> = snapshot
        .content
        .regions
        .iter()
        .filter_map(|r| r.jurisdiction.clone())
        .collect();
    let by_id: HashMap<Uuid, usize> = listings.iter().enumerate().map(|(i, l)| (l.id, i)).collect();

    let mut dice = Dice(20261204);
    let (mut nonempty, mut through_lineage_only) = (0, 0);
    for round in 0..60 {
        let mut scope = HoldScope {
            models: [dice.some(&with_lineage, 2), dice.some(&models, 2)].concat(),
            publishers: dice.some(&publishers, 1),
            origin_countries: dice.some(&origins, 1),
            include_derivatives: !dice.chance(30),
            operators: if dice.chance(25) {
                dice.some(&operators, 2)
            } else {
                Vec::new()
            },
            operator_countries: if dice.chance(20) {
                dice.some(&operator_countries, 1)
            } else {
                Vec::new()
            },
            regions: if dice.chance(40) {
                dice.some(&regions, 3)
            } else {
                Vec::new()
            },
            jurisdictions: if dice.chance(30) {
                dice.some(&jurisdictions, 2)
            } else {
                Vec::new()
            },
            tenants: if dice.chance(30) {
                vec![[first, second][dice.below(2)]]
            } else {
                Vec::new()
            },
        };
        if round % 10 == 9 {
            // An operator-only hold: every model its operators serve.
            scope.models.clear();
            scope.publishers.clear();
            scope.origin_countries.clear();
            scope.operators = dice.some(&operators, 2);
            scope.operators.push(operators[dice.below(operators.len())].clone());
        }
        let from_sql: BTreeSet<(Uuid, Uuid)> =
            sqlx::query_as("SELECT tenant_id, id FROM scope_covered_enablements($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&scope.models)
                .bind(&scope.publishers)
                .bind(&scope.origin_countries)
                .bind(scope.include_derivatives)
                .bind(&scope.operators)
                .bind(&scope.operator_countries)
                .bind(&scope.regions)
                .bind(&scope.jurisdictions)
                .bind(&scope.tenants)
                .fetch_all(&app.pool)
                .await
                .unwrap()
                .into_iter()
                .collect();
        let without_lineage = HoldScope {
            include_derivatives: false,
            ..scope.clone()
        };
        let mut from_rust = BTreeSet::new();
        for enablement in &enablements {
            let listing = &listings[by_id[&enablement.model_id]];
            let offer = listing
                .offers
                .iter()
                .find(|o| {
                    *o.region == *enablement.region_code
                        && o.deployment_type.as_str() == enablement.deployment_type
                        && Some(&*o.operator_name) == enablement.operator_name.as_deref()
                })
                .expect("every enablement was made from an offer");
            let placement = listing.placement(Some(offer), enablement.tenant_id);
            if scope.covers(&placement) {
                from_rust.insert((enablement.tenant_id, enablement.id));
                if !without_lineage.covers(&placement) {
                    through_lineage_only += 1;
                }
            }
        }
        assert_eq!(
            from_sql.len(),
            from_rust.len(),
            "round {round}: SQL and Rust disagree on {scope:?}: only SQL {:?}, only Rust {:?}",
            from_sql.difference(&from_rust).take(5).collect::<Vec<_>>(),
            from_rust.difference(&from_sql).take(5).collect::<Vec<_>>(),
        );
        assert_eq!(from_sql, from_rust, "round {round}: {scope:?}");
        if !from_sql.is_empty() {
            nonempty += 1;
        }
    }
    // The comparison means something only if the holds cover things, some
    // of them through lineage alone.
    assert!(nonempty >= 30, "only {nonempty} of 60 holds covered anything");
    assert!(through_lineage_only > 0, "no hold covered anything through lineage");
}
