//! Enabling decided on the served snapshot and written by one conditional
//! statement: it grants only what the catalog still is, and a snapshot the
//! catalog has left behind (a hold, a policy, a listing changed since) is
//! never the basis of a grant.

use serde_json::{json, Value};
use uuid::Uuid;

use modelmart::catalog::Snapshot;
use modelmart::db::catalog_read::{self, Versions};
use modelmart::db::enablements::{self, ConditionalInsert, Grant};
use modelmart::domain::actor::Actor;
use modelmart::domain::vocab::DeploymentType;
use modelmart::enablements::{EnableError, EnableRequest};

use crate::fixtures;
use crate::helpers::*;

async fn r1(app: &TestApp) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn snapshot(app: &TestApp) -> Snapshot {
    Snapshot::build(catalog_read::load(&app.pool).await.unwrap()).unwrap()
}

async fn live_enablements(app: &TestApp, tenant: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM enablements WHERE tenant_id = $1 AND status <> 'disabled'")
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn created_events(app: &TestApp, tenant: Uuid) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT after FROM audit_events WHERE action = 'enablement.created' AND tenant_id = $1 ORDER BY seq",
    )
    .bind(tenant)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

fn tenant_actor(tenant: Uuid) -> Actor {
    Actor {
        name: format!("tenant:{tenant}:test"),
        roles: vec!["tenant.admin".into()],
        request_id: Some("req-test".into()),
    }
}

#[tokio::test]
async fn an_enablement_answers_the_row_it_stored_and_audits_exactly_that_row() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    let model = r1(&app).await;
    let response = app
        .post_json(
            &format!("/v1/tenants/{tenant}/enablements"),
            &tenant_token("tenant.admin", tenant),
            json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();

    let path = format!("/v1/tenants/{tenant}/enablements/{}", created["id"].as_str().unwrap());
    let read = app.get(&path, &tenant_token("tenant.admin", tenant)).await;
    assert_eq!(
        read.headers()["etag"].to_str().unwrap(),
        etag,
        "the stored row is the answered one"
    );
    let stored: Value = read.json().await.unwrap();
    assert_eq!(stored, created);

    let events = created_events(&app, tenant).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], created["id"]);
    assert_eq!(events[0]["created_at"], created["created_at"]);
    assert_eq!(events[0]["operator_name"], created["operator"]["name"]);
}

#[tokio::test]
async fn a_grant_written_against_versions_the_catalog_has_left_writes_nothing() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    let model = r1(&app).await;
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let grant = Grant {
        tenant_id: tenant,
        model_id: model,
        region: "eastus",
        deployment_type: DeploymentType::Serverless,
        operator_name: "Mystery Host",
        operator_country: None,
    };
    sqlx::query("INSERT INTO tenants (id, provisioned_by) VALUES ($1, 'test')")
        .bind(tenant)
        .execute(&app.pool)
        .await
        .unwrap();
    let actor = tenant_actor(tenant);
    let mut conn = app.pool.acquire().await.unwrap();

    for behind in [
        Versions {
            version: current.version - 1,
            content_version: current.content_version,
        },
        Versions {
            version: current.version,
            content_version: current.content_version - 1,
        },
    ] {
        let outcome = enablements::insert_if_current(&mut conn, &grant, behind, &actor)
            .await
            .unwrap();
        assert!(matches!(outcome, ConditionalInsert::Stale), "{behind:?}: {outcome:?}");
    }
    assert_eq!(live_enablements(&app, tenant).await, 0);
    assert!(created_events(&app, tenant).await.is_empty());

    let outcome = enablements::insert_if_current(&mut conn, &grant, current, &actor)
        .await
        .unwrap();
    let ConditionalInsert::Created(row) = outcome else {
        panic!("{outcome:?}")
    };
    let again = enablements::insert_if_current(&mut conn, &grant, current, &actor)
        .await
        .unwrap();
    assert!(
        matches!(again, ConditionalInsert::Exists(id) if id == row.id),
        "{again:?}"
    );
    assert_eq!(live_enablements(&app, tenant).await, 1);
    assert_eq!(created_events(&app, tenant).await.len(), 1);
}

#[tokio::test]
async fn an_enablement_decided_on_a_snapshot_from_before_a_hold_is_decided_again_and_refused_by_the_hold() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    let model = r1(&app).await;
    // Provisioned, so only the hold stands between the tenant and R1.
    let (status, _) = app.get_json("/v1/regions", &tenant_token("tenant.admin", tenant)).await;
    assert_eq!(status, 200);

    let before_hold = snapshot(&app).await;
    let hold = suspend_r1_everywhere(&app).await;

    let request = EnableRequest {
        tenant,
        model_id: model,
        region: "eastus",
        deployment_type: DeploymentType::Serverless,
        operator: None,
    };
    let mut conn = app.pool.acquire().await.unwrap();
    let outcome = modelmart::enablements::enable(&mut conn, &before_hold, &tenant_actor(tenant), &request).await;
    match outcome {
        Err(EnableError::Refused { reasons, .. }) => {
            assert_eq!(reasons[0].hold_id.map(|id| id.to_string()), Some(hold), "{reasons:?}")
        }
        other => panic!("the stale snapshot granted or failed otherwise: {other:?}"),
    }
    assert_eq!(live_enablements(&app, tenant).await, 0);
    assert!(created_events(&app, tenant).await.is_empty());

    // The same request on the snapshot served now is refused the same way.
    let now = snapshot(&app).await;
    let outcome = modelmart::enablements::enable(&mut conn, &now, &tenant_actor(tenant), &request).await;
    assert!(matches!(outcome, Err(EnableError::Refused { .. })), "{outcome:?}");
}

#[tokio::test]
async fn a_model_or_region_the_served_snapshot_does_not_know_yet_is_looked_up_in_the_database() {
    let app = spawn_app().await;
    let tenant = Uuid::new_v4();
    let (status, _) = app.get_json("/v1/regions", &tenant_token("tenant.admin", tenant)).await;
    assert_eq!(status, 200);
    // Taken before the listing existed: it knows neither the model nor its regions.
    let empty = snapshot(&app).await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let request = EnableRequest {
        tenant,
        model_id: r1(&app).await,
        region: "eastus",
        deployment_type: DeploymentType::Serverless,
        operator: None,
    };
    let mut conn = app.pool.acquire().await.unwrap();
    let row = modelmart::enablements::enable(&mut conn, &empty, &tenant_actor(tenant), &request)
        .await
        .expect("granted on the rows");
    assert_eq!(row.model_id, request.model_id);
    assert_eq!(live_enablements(&app, tenant).await, 1);
    assert_eq!(created_events(&app, tenant).await.len(), 1);
}
