//! Enabling decided on the served snapshot and written by one conditional
//! statement, alone or in a group: it grants only what the catalog still
//! is, and a snapshot the catalog has left behind (a hold, a policy, a
//! listing changed since) is never the basis of a grant. A group answers
//! each grant what it would have been answered alone.

use serde_json::{json, Value};
use uuid::Uuid;

use modelmart::catalog::Snapshot;
use modelmart::db::catalog_read::{self, Versions};
use modelmart::db::enablement_writer::{EnablementWriter, GroupsWritten};
use modelmart::db::enablements::{self, ConditionalInsert, Grant};
use modelmart::domain::actor::Actor;
use modelmart::domain::vocab::DeploymentType;
use modelmart::enablements::{EnableError, EnableRequest, Writing};

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
    let outcome = modelmart::enablements::enable(
        Writing::Joining(&mut conn),
        &before_hold,
        &tenant_actor(tenant),
        &request,
    )
    .await;
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
    let outcome =
        modelmart::enablements::enable(Writing::Joining(&mut conn), &now, &tenant_actor(tenant), &request).await;
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
    let row = modelmart::enablements::enable(Writing::Joining(&mut conn), &empty, &tenant_actor(tenant), &request)
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

/// Approves `hold` while `in_flight` (enablements written, not committed)
/// is open: the approval waits for it, and once it commits, answers its
/// decision.
async fn approved_once_committed(
    app: &TestApp,
    hold: &str,
    etag: String,
    in_flight: sqlx::Transaction<'static, sqlx::Postgres>,
) -> Value {
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
        "the approval ran while enablements it covers were being written"
    );
    in_flight.commit().await.unwrap();
    let response = approval.await.unwrap().unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_hold_approved_while_an_enablement_is_being_written_waits_for_it_and_suspends_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let tenant = Uuid::new_v4();
    provision(&app, tenant).await;
    let hold = app.propose_hold(r1_sanctions_hold()).await;
    let etag = app.hold_etag(&hold).await;
    let (tx, row) = enablement_in_flight(&app, tenant).await;

    let decision = approved_once_committed(&app, &hold, etag, tx).await;
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

async fn provisioned_tenants(app: &TestApp, count: usize) -> Vec<Uuid> {
    let tenants: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
    sqlx::query("INSERT INTO tenants (id, provisioned_by) SELECT unnest($1::uuid[]), 'test'")
        .bind(&tenants)
        .execute(&app.pool)
        .await
        .unwrap();
    tenants
}

async fn stored_row(app: &TestApp, id: Uuid) -> Option<enablements::EnablementRow> {
    let tenant: Option<Uuid> = sqlx::query_scalar("SELECT tenant_id FROM enablements WHERE id = $1")
        .bind(id)
        .fetch_optional(&app.pool)
        .await
        .unwrap();
    enablements::get(&app.pool, tenant?, id).await.unwrap()
}

async fn audit_events_of(app: &TestApp, enablement: Uuid) -> Vec<Value> {
    sqlx::query_scalar(
        "SELECT jsonb_build_object('id', id, 'actor', actor, 'actor_roles', actor_roles, 'tenant_id', tenant_id,
                                   'request_id', request_id, 'after', after)
         FROM audit_events WHERE action = 'enablement.created' AND target_id = $1",
    )
    .bind(enablement.to_string())
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_group_of_grants_is_written_in_one_statement_and_each_is_answered_what_it_would_have_been_alone() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let model = r1(&app).await;
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let [first, second, behind, enabled_before]: [Uuid; 4] = provisioned_tenants(&app, 4).await.try_into().unwrap();
    let pending = |tenant: Uuid, basis: Versions| {
        enablements::PendingEnablement::new(&r1_grant(tenant, model), basis, &tenant_actor(tenant))
    };
    // Actors with two roles and with none, with a request id and without:
    // each event carries its own grant's.
    let acting_as = |tenant: Uuid, roles: &[&str], request_id: Option<&str>| {
        let actor = Actor {
            name: format!("tenant:{tenant}:test"),
            roles: roles.iter().map(|role| role.to_string()).collect(),
            request_id: request_id.map(str::to_owned),
        };
        enablements::PendingEnablement::new(&r1_grant(tenant, model), current, &actor)
    };
    let mut conn = app.pool.acquire().await.unwrap();
    let ConditionalInsert::Created(earlier) = enablements::insert_if_current(
        &mut conn,
        &r1_grant(enabled_before, model),
        current,
        &tenant_actor(enabled_before),
    )
    .await
    .unwrap() else {
        panic!("not enabled before")
    };
    let stale_basis = Versions {
        version: current.version - 1,
        ..current
    };
    let group = [
        acting_as(first, &["tenant.admin", "catalog.reader"], Some("req-first")),
        acting_as(second, &[], None),
        // The same tenant, model, region and deployment type as the first.
        pending(first, current),
        pending(behind, stale_basis),
        pending(enabled_before, current),
    ];

    let outcomes = enablements::insert_all_pending(&mut conn, &group).await.unwrap();

    assert_eq!(outcomes.len(), group.len());
    let ConditionalInsert::Created(first_row) = &outcomes[0] else {
        panic!("{outcomes:?}")
    };
    let ConditionalInsert::Created(second_row) = &outcomes[1] else {
        panic!("{outcomes:?}")
    };
    assert!(
        matches!(outcomes[2], ConditionalInsert::Exists(id) if id == first_row.id),
        "the second grant of one key finds the first: {outcomes:?}"
    );
    assert!(matches!(outcomes[3], ConditionalInsert::Stale), "{outcomes:?}");
    assert!(
        matches!(outcomes[4], ConditionalInsert::Exists(id) if id == earlier.id),
        "{outcomes:?}"
    );

    for (row, pending) in [(first_row, &group[0]), (second_row, &group[1])] {
        let stored = stored_row(&app, row.id).await.expect("stored");
        assert_eq!(
            serde_json::to_value(&stored).unwrap(),
            serde_json::to_value(row).unwrap(),
            "the row answered is the row stored"
        );
        let events = audit_events_of(&app, row.id).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["id"], json!(pending.audit_id));
        assert_eq!(events[0]["actor"], json!(pending.actor.name));
        assert_eq!(events[0]["actor_roles"], json!(pending.actor.roles));
        assert_eq!(events[0]["tenant_id"], json!(row.tenant_id));
        assert_eq!(events[0]["request_id"], json!(pending.actor.request_id));
        assert_eq!(events[0]["after"], serde_json::to_value(row).unwrap());
    }
    for pending in [&group[2], &group[3]] {
        assert!(stored_row(&app, pending.row.id).await.is_none());
        assert!(audit_events_of(&app, pending.row.id).await.is_empty());
    }
    assert_eq!(live_enablements(&app, first).await, 1);
    assert_eq!(live_enablements(&app, behind).await, 0);
    assert_eq!(live_enablements(&app, enabled_before).await, 1);
    assert_eq!(created_events(&app, enabled_before).await.len(), 1);
}

#[tokio::test]
async fn a_hold_approved_while_a_group_of_enablements_is_being_written_waits_for_it_and_suspends_them_all() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let model = r1(&app).await;
    let tenants = provisioned_tenants(&app, 3).await;
    let hold = app.propose_hold(r1_sanctions_hold()).await;
    let etag = app.hold_etag(&hold).await;
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let group: Vec<_> = tenants
        .iter()
        .map(|&tenant| enablements::PendingEnablement::new(&r1_grant(tenant, model), current, &tenant_actor(tenant)))
        .collect();
    let mut tx = app.pool.begin().await.unwrap();
    let outcomes = enablements::insert_all_pending(&mut tx, &group).await.unwrap();
    assert!(
        outcomes.iter().all(|o| matches!(o, ConditionalInsert::Created(_))),
        "{outcomes:?}"
    );

    let decision = approved_once_committed(&app, &hold, etag, tx).await;
    assert_eq!(decision["enablements_changed"], 3);
    for pending in &group {
        assert_eq!(enablement_status(&app, pending.row.id).await, "suspended");
    }
}

fn groups(groups: u64, grants: u64) -> GroupsWritten {
    GroupsWritten { groups, grants }
}

#[tokio::test]
async fn grants_that_queue_together_are_written_as_one_group_and_each_gets_its_own_answer() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let model = r1(&app).await;
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let tenants = provisioned_tenants(&app, 8).await;
    let writer = EnablementWriter::spawn(app.pool.clone());
    let actors: Vec<Actor> = tenants.iter().map(|&t| tenant_actor(t)).collect();
    let grants: Vec<Grant<'_>> = tenants.iter().map(|&t| r1_grant(t, model)).collect();

    // On this test's single thread, every grant is queued before the
    // writer runs: they make one group.
    let outcomes = futures_util::future::join_all(
        grants
            .iter()
            .zip(&actors)
            .chain([(&grants[0], &actors[0])])
            .map(|(grant, actor)| writer.insert_if_current(grant, current, actor)),
    )
    .await;

    assert_eq!(writer.groups_written(), groups(1, 9));
    let created: Vec<_> = outcomes[..8]
        .iter()
        .map(|outcome| match outcome {
            Ok(ConditionalInsert::Created(row)) => row.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        matches!(outcomes[8], Ok(ConditionalInsert::Exists(id)) if id == created[0].id),
        "{:?}",
        outcomes[8]
    );
    for (row, tenant) in created.iter().zip(&tenants) {
        assert_eq!(row.tenant_id, *tenant);
        assert_eq!(audit_events_of(&app, row.id).await.len(), 1);
        assert_eq!(live_enablements(&app, *tenant).await, 1);
    }
}

#[tokio::test]
async fn a_group_the_database_refuses_is_written_one_grant_at_a_time_so_only_the_bad_grant_fails() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let model = r1(&app).await;
    let current = catalog_read::current_versions(&app.pool).await.unwrap();
    let tenants = provisioned_tenants(&app, 3).await;
    // Never provisioned: its row breaks the tenants foreign key, and with it
    // the group's statement.
    let unknown = Uuid::new_v4();
    let writer = EnablementWriter::spawn(app.pool.clone());
    let everyone = [tenants[0], unknown, tenants[1], tenants[2]];
    let actors: Vec<Actor> = everyone.iter().map(|&t| tenant_actor(t)).collect();
    let grants: Vec<Grant<'_>> = everyone.iter().map(|&t| r1_grant(t, model)).collect();

    let outcomes = futures_util::future::join_all(
        grants
            .iter()
            .zip(&actors)
            .map(|(grant, actor)| writer.insert_if_current(grant, current, actor)),
    )
    .await;

    assert_eq!(writer.groups_written(), groups(1, 4));
    match &outcomes[1] {
        Err(sqlx::Error::Database(error)) => assert_eq!(error.code().as_deref(), Some("23503"), "{error}"),
        other => panic!("the unknown tenant's grant: {other:?}"),
    }
    for (index, tenant) in [(0, tenants[0]), (2, tenants[1]), (3, tenants[2])] {
        let Ok(ConditionalInsert::Created(row)) = &outcomes[index] else {
            panic!("{:?}", outcomes[index])
        };
        assert_eq!(live_enablements(&app, tenant).await, 1);
        assert_eq!(
            audit_events_of(&app, row.id).await.len(),
            1,
            "audited once, after the retry"
        );
    }
    assert_eq!(live_enablements(&app, unknown).await, 0);
}

#[tokio::test]
async fn enablements_requested_at_once_over_http_are_each_answered_their_own_stored_row_and_audited_once() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let model = r1(&app).await;
    let tenants: Vec<Uuid> = (0..12).map(|_| Uuid::new_v4()).collect();
    for &tenant in &tenants {
        provision(&app, tenant).await;
    }
    // Every tenant once, and the first three twice.
    let asked: Vec<Uuid> = tenants.iter().chain(&tenants[..3]).copied().collect();
    let responses = futures_util::future::join_all(asked.iter().map(|&tenant| {
        app.client
            .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
            .bearer_auth(tenant_token("tenant.admin", tenant))
            .json(&json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}))
            .send()
    }))
    .await;

    let mut created: std::collections::HashMap<Uuid, Value> = std::collections::HashMap::new();
    let mut refused = 0;
    for (tenant, response) in asked.iter().zip(responses) {
        let response = response.unwrap();
        match response.status().as_u16() {
            201 => {
                let body: Value = response.json().await.unwrap();
                assert!(created.insert(*tenant, body).is_none(), "two created for {tenant}");
            }
            409 => refused += 1,
            other => panic!("{other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(created.len(), tenants.len(), "one created a tenant");
    assert_eq!(refused, 3, "the repeats are refused as already enabled");
    for (tenant, body) in &created {
        let id: Uuid = body["id"].as_str().unwrap().parse().unwrap();
        let stored = stored_row(&app, id).await.expect("stored");
        assert_eq!(stored.tenant_id, *tenant);
        assert_eq!(json!(stored.created_at), body["created_at"]);
        let events = audit_events_of(&app, id).await;
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0]["after"]["id"], body["id"]);
        assert_eq!(live_enablements(&app, *tenant).await, 1);
    }
}
