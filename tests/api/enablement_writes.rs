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

/// R1 in eastus from the lineage catalog's operator there.
fn r1_grant(tenant: Uuid, r1: Uuid) -> Grant<'static> {
    Grant {
        tenant_id: tenant,
        model_id: r1,
        region: "eastus",
        deployment_type: DeploymentType::Serverless,
        operator_name: "Mystery Host",
        operator_country: None,
    }
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
    let grant = r1_grant(tenant, model);
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

/// An enablement written by the one-statement path and not yet committed:
/// the transaction holds the enablement gate shared, as a request does
/// between its statement and its commit.
async fn enablement_in_flight(
    app: &TestApp,
    tenant: Uuid,
) -> (sqlx::Transaction<'static, sqlx::Postgres>, enablements::EnablementRow) {
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let grant = r1_grant(tenant, r1(app).await);
    let mut tx = app.pool.begin().await.unwrap();
    let outcome = enablements::insert_if_current(&mut tx, &grant, current, &tenant_actor(tenant))
        .await
        .unwrap();
    let ConditionalInsert::Created(row) = outcome else {
        panic!("{outcome:?}")
    };
    (tx, row)
}

async fn provision(app: &TestApp, tenant: Uuid) {
    let response = app.get("/v1/regions", &tenant_token("catalog.reader", tenant)).await;
    assert_eq!(response.status(), 200);
}

async fn enablement_status(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar("SELECT status FROM enablements WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Long enough for a write that does not wait to have finished; short of
/// the pool's lock timeout (3 s), so a write that does wait is still waiting.
const WAIT_THAT_SHOWS_BLOCKING: std::time::Duration = std::time::Duration::from_millis(700);

#[tokio::test]
async fn a_hold_approved_while_an_enablement_is_being_written_waits_for_it_and_suspends_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    provision(&app, tenant).await;
    let hold = app.propose_hold(r1_sanctions_hold()).await;
    let etag = app.hold_etag(&hold).await;
    let (tx, row) = enablement_in_flight(&app, tenant).await;

    let approval = tokio::spawn(
        app.client
            .post(app.url(&format!("/v1/admin/holds/{hold}/approve")))
            .bearer_auth(officer("bob"))
            .header("if-match", etag)
            .json(&json!({}))
            .send(),
    );
    tokio::time::sleep(WAIT_THAT_SHOWS_BLOCKING).await;
    assert!(
        !approval.is_finished(),
        "the approval ran while an enablement it covers was being written"
    );
    tx.commit().await.unwrap();

    let response = approval.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    let decision: Value = response.json().await.unwrap();
    assert_eq!(decision["enablements_changed"], 1);
    assert_eq!(enablement_status(&app, row.id).await, "suspended");
}

#[tokio::test]
async fn a_listing_whose_retirement_comes_while_an_enablement_of_it_is_being_written_is_retired_after_it_and_its_tenant_told(
) {
    let app = spawn_app_with(&[("MODELMART_SCHEDULER_TICK_MS", "50")]).await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    provision(&app, tenant).await;
    let (tx, row) = enablement_in_flight(&app, tenant).await;
    // Announced long ago; the date comes while the enablement is written.
    sqlx::query(
        "UPDATE models SET lifecycle_status = 'deprecated', deprecation_date = current_date - 90,
                retirement_date = current_date
         WHERE slug = 'deepseek/deepseek-r1'",
    )
    .execute(&app.pool)
    .await
    .unwrap();

    let lifecycle = || async {
        sqlx::query_scalar::<_, String>("SELECT lifecycle_status FROM models WHERE slug = 'deepseek/deepseek-r1'")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    tokio::time::sleep(WAIT_THAT_SHOWS_BLOCKING).await;
    assert_ne!(
        lifecycle().await,
        "retired",
        "retired while an enablement of it was being written"
    );
    tx.commit().await.unwrap();

    assert!(
        eventually(std::time::Duration::from_secs(10), || async {
            lifecycle().await == "retired"
        })
        .await,
        "never retired"
    );
    let told: Vec<Value> =
        sqlx::query_scalar("SELECT payload FROM outbox_events WHERE event_type = 'model.retired' AND tenant_id = $1")
            .bind(tenant)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["enablement_ids"], json!([row.id]));
}

#[tokio::test]
async fn a_policy_change_does_not_wait_for_an_enablement_being_written_which_counts_as_granted_before_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    provision(&app, tenant).await;
    let (tx, row) = enablement_in_flight(&app, tenant).await;

    // Short of the pool's lock timeout: a policy change that queued behind
    // the enablement would still be waiting.
    let replaced = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        app.replace_policy(tenant, json!({"denied_origin_countries": ["CN"]})),
    )
    .await;
    assert!(replaced.is_ok(), "the policy change waited for the enablement");
    tx.commit().await.unwrap();

    // Granted under the policy before the change, like any enablement made
    // a moment earlier: a policy governs what is enabled next.
    assert_eq!(enablement_status(&app, row.id).await, "active");
    assert_eq!(created_events(&app, tenant).await.len(), 1);
}
