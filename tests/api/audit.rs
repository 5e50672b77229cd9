use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

/// Rows whose hash or link does not verify, by `seq`, as the log's own
/// check finds them; a chain whose head names a row it does not end with
/// shows as -1.
async fn broken_links(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar("SELECT coalesce(seq, -1) FROM audit_chain_breaks() ORDER BY seq NULLS LAST")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_state_change_leaves_exactly_one_audit_event_and_the_chain_verifies() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let staff = platform_token("catalog.admin");

    // tenant.provisioned
    let response = app.get(&format!("/v1/tenants/{tenant}/policy"), &admin).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    // tenant_policy.replaced
    let response = app
        .client
        .put(app.url(&format!("/v1/tenants/{tenant}/policy")))
        .bearer_auth(&admin)
        .header("if-match", etag)
        .header("x-request-id", "audit-test-1")
        .json(&json!({"ga_only": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // enablement.created, enablement.disabled
    let model: Uuid = sqlx::query_scalar("SELECT id FROM models WHERE slug = 'openai/gpt-4o'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let created: Value = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
        .bearer_auth(&admin)
        .json(&json!({"model_id": model, "region": "eastus", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = app
        .client
        .delete(app.url(&format!(
            "/v1/tenants/{tenant}/enablements/{}",
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    // model.updated
    let response = app.get(&format!("/v1/models/{model}"), &staff).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let response = app
        .client
        .patch(app.url(&format!("/v1/admin/models/{model}")))
        .bearer_auth(&staff)
        .header("if-match", etag)
        .json(&json!({"description": "Updated."}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // refusals change nothing and leave nothing
    let response = app
        .client
        .post(app.url(&format!("/v1/tenants/{tenant}/enablements")))
        .bearer_auth(&admin)
        .json(&json!({"model_id": Uuid::new_v4(), "region": "eastus", "deployment_type": "serverless"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    let counts: Vec<(String, i64)> =
        sqlx::query_as("SELECT action, count(*) FROM audit_events GROUP BY action ORDER BY action")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let counts: Vec<(&str, i64)> = counts.iter().map(|(a, c)| (a.as_str(), *c)).collect();
    assert_eq!(
        counts,
        [
            ("catalog.imported", 1),
            ("enablement.created", 1),
            ("enablement.disabled", 1),
            ("model.updated", 1),
            ("tenant.provisioned", 1),
            ("tenant_policy.replaced", 1),
        ]
    );
    let request_id: Option<String> =
        sqlx::query_scalar("SELECT request_id FROM audit_events WHERE action = 'tenant_policy.replaced'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(request_id.as_deref(), Some("audit-test-1"));
    assert_eq!(broken_links(&app).await, Vec::<i64>::new());
}

#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_and_a_forced_edit_breaks_the_chain_there() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    for _ in 0..3 {
        let _ = app
            .get("/v1/models", &tenant_token("catalog.reader", Uuid::new_v4()))
            .await;
    }
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 2")
        .execute(&app.pool)
        .await;
    assert!(update.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err(), "deletes are refused");
    assert!(broken_links(&app).await.is_empty());

    // Only by switching the guard off (a superuser's act) can a row change,
    // and then the chain names it.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(broken_links(&app).await, [3]);
}

#[tokio::test]
async fn auditors_list_events_by_filter_and_cursor_and_verify_the_chain_over_http_and_the_cli() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenants: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for tenant in &tenants {
        let _ = app.get("/v1/regions", &tenant_token("catalog.reader", *tenant)).await;
    }
    let auditor = platform_token("auditor");
    let (status, page) = app
        .get_json("/v1/admin/audit-events?action=tenant.provisioned&limit=2", &auditor)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, rest) = app
        .get_json(
            &format!("/v1/admin/audit-events?action=tenant.provisioned&limit=2&cursor={cursor}"),
            &auditor,
        )
        .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], Value::Null);
    let (_, one) = app
        .get_json(&format!("/v1/admin/audit-events?tenant_id={}", tenants[1]), &auditor)
        .await;
    assert_eq!(one["items"][0]["target_id"], tenants[1].to_string());
    assert_eq!(one["items"][0]["hash"].as_str().unwrap().len(), 64);
    let response = app.get("/v1/admin/audit-events?since=yesterday", &auditor).await;
    assert_problem(response, 400, "invalid_parameter").await;

    let (_, report) = app.get_json("/v1/admin/audit-events/verify", &auditor).await;
    assert_eq!(
        report,
        json!({"verified": true, "events": 4, "chains": 16, "first_broken_seq": null, "breaks": []})
    );

    let (chain, place): (i16, i64) = sqlx::query_as("SELECT chain, chain_seq FROM audit_events WHERE seq = 3")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    tamper(
        &app,
        &["UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3".to_owned()],
    )
    .await;
    assert_break_seen(&app, chain, place, Some(3)).await;
}

#[tokio::test]
async fn the_application_role_can_append_to_the_audit_log_but_not_change_or_unguard_it() {
    let app = spawn_app().await;
    let _ = app
        .get("/v1/regions", &tenant_token("catalog.reader", Uuid::new_v4()))
        .await;
    let role = format!("mm_app_test_{}", Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'app-test-password' IN ROLE modelmart_app"
    ))
    .execute(&app.pool)
    .await
    .unwrap();
    let mut url = url::Url::parse(&app.database_url).unwrap();
    url.set_username(&role).unwrap();
    url.set_password(Some("app-test-password")).unwrap();
    let as_app = sqlx::PgPool::connect(url.as_str()).await.unwrap();

    let appended: i64 = sqlx::query_scalar(
        "SELECT append_audit_event(gen_random_uuid(), 'test', '{}', NULL, 'test.appended', 'test', 'x', NULL, NULL, NULL, NULL)",
    )
    .fetch_one(&as_app)
    .await
    .unwrap();
    assert!(appended >= 2);
    let update = sqlx::query("UPDATE audit_events SET actor = 'mallory'")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(update.to_string().contains("permission denied"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_events")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(delete.to_string().contains("permission denied"), "{delete}");
    let unguard = sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&as_app)
        .await
        .unwrap_err();
    assert!(unguard.to_string().contains("must be owner"), "{unguard}");
    as_app.close().await;
    sqlx::query(&format!("DROP ROLE {role}"))
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_service_starts_and_serves_writes_as_the_application_role_once_migrated() {
    let database_url = fresh_database().await;
    let admin = sqlx::PgPool::connect(&database_url).await.unwrap();
    let role = format!("mm_app_serve_{}", Uuid::new_v4().simple());
    sqlx::query(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'app-test-password' IN ROLE modelmart_app"
    ))
    .execute(&admin)
    .await
    .unwrap();
    let mut url = url::Url::parse(&database_url).unwrap();
    url.set_username(&role).unwrap();
    url.set_password(Some("app-test-password")).unwrap();
    let as_app = sqlx::PgPool::connect(url.as_str()).await.unwrap();
    assert!(
        modelmart::db::migrate(&as_app).await.is_err(),
        "the role may not run migrations"
    );
    modelmart::db::prepare(&as_app)
        .await
        .expect("serving needs nothing the role may not do once migrated");
    as_app.close().await;

    let app = spawn_app_on(url.as_str(), &[]).await;
    app.load_batch(&crate::fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    enable_r1(&app, tenant).await;
    suspend_r1_everywhere(&app).await;
    let (status, events) = app
        .get_json(
            &format!("/v1/tenants/{tenant}/events"),
            &tenant_token("catalog.reader", tenant),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(events["items"][0]["type"], "enablement.suspended");
    let verify = app
        .get("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    let report: Value = verify.json().await.unwrap();
    assert_eq!(report["verified"], true, "{report}");
    app.pool.close().await;
    admin.close().await;
}

/// Appends `per_tenant` events for each of `tenants` and two platform-wide
/// ones, each append its own transaction, as the service's writes are.
async fn log_in_several_chains(app: &TestApp, tenants: &[Uuid], per_tenant: usize) {
    let append = |tenant: Option<Uuid>, n: usize| {
        sqlx::query(
            "SELECT append_audit_event(gen_random_uuid(), 'test', '{}', $1, 'test.appended', 'test', $2,
                                       NULL, '{\"n\": 1}', NULL, NULL)",
        )
        .bind(tenant)
        .bind(format!("event-{n}"))
        .execute(&app.pool)
    };
    append(None, 0).await.unwrap();
    for n in 0..per_tenant {
        for tenant in tenants {
            append(Some(*tenant), n).await.unwrap();
        }
    }
    append(None, 1).await.unwrap();
}

/// Runs SQL as the database owner with the log's guard off, as only a
/// superuser could.
async fn tamper(app: &TestApp, statements: &[String]) {
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    for statement in statements {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    sqlx::query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A tenant's rows in its chain, by place: (seq, chain, chain_seq).
async fn chain_rows(app: &TestApp, tenant: Uuid) -> Vec<(i64, i16, i64)> {
    sqlx::query_as("SELECT seq, chain, chain_seq FROM audit_events WHERE tenant_id = $1 ORDER BY chain_seq")
        .bind(tenant)
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Both verifications, HTTP and CLI, see exactly one broken chain, at the
/// place given (`seq` None: at the chain's end).
async fn assert_break_seen(app: &TestApp, chain: i16, chain_seq: i64, seq: Option<i64>) {
    let (status, report) = app
        .get_json("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(report["verified"], false, "{report}");
    assert_eq!(
        report["breaks"],
        json!([{"chain": chain, "chain_seq": chain_seq, "seq": seq}]),
        "{report}"
    );
    assert_eq!(report["first_broken_seq"], json!(seq));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_modelmart"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &app.database_url)
        .env("MODELMART_LOG", "error")
        .output()
        .unwrap();
    assert!(!output.status.success(), "the CLI fails on a broken chain");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected = match seq {
        Some(seq) => format!("audit chain {chain} BROKEN at seq {seq} "),
        None => format!("audit chain {chain} BROKEN at its end"),
    };
    assert!(stdout.contains(&expected), "{expected:?} not in {stdout}");
}

#[tokio::test]
async fn each_tenant_appends_to_its_own_chain_and_every_chain_links_from_its_start() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..8).map(|_| Uuid::new_v4()).collect();
    log_in_several_chains(&app, &tenants, 3).await;
    let mut chains_used = std::collections::BTreeSet::new();
    for tenant in &tenants {
        let rows = chain_rows(&app, *tenant).await;
        let chains: std::collections::BTreeSet<i16> = rows.iter().map(|r| r.1).collect();
        assert_eq!(chains.len(), 1, "a tenant's events share one chain: {rows:?}");
        assert!(rows[0].1 > 0, "tenant events are not in the platform chain");
        chains_used.extend(chains);
    }
    assert!(chains_used.len() >= 3, "8 tenants spread over chains: {chains_used:?}");
    let platform: Vec<(i16, i64)> =
        sqlx::query_as("SELECT chain, chain_seq FROM audit_events WHERE tenant_id IS NULL ORDER BY seq")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(platform, [(0, 1), (0, 2)]);
    let (_, report) = app
        .get_json("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["events"], 26);
    assert_eq!(report["chains"], 16);
}

#[tokio::test]
async fn one_transactions_events_stay_in_the_chain_its_first_event_chose() {
    let app = spawn_app().await;
    let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
    let mut tx = app.pool.begin().await.unwrap();
    for tenant in [Some(first), None, Some(second)] {
        sqlx::query(
            "SELECT append_audit_event(gen_random_uuid(), 'test', '{}', $1, 'test.appended', 'test', 'x',
                                       NULL, NULL, NULL, NULL)",
        )
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let chains: Vec<i16> = sqlx::query_scalar("SELECT chain FROM audit_events ORDER BY seq")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let expected: i16 = sqlx::query_scalar("SELECT audit_chain_for($1)")
        .bind(first)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        chains, [expected; 3],
        "one head locked per transaction, so none waits for two"
    );
    assert!(broken_links(&app).await.is_empty());
}

#[tokio::test]
async fn an_edited_row_breaks_its_chain_there_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_in_several_chains(&app, &tenants, 3).await;
    let (seq, chain, chain_seq) = chain_rows(&app, tenants[2]).await[1];
    tamper(
        &app,
        &[format!(
            "UPDATE audit_events SET after = '{{\"n\": 2}}' WHERE seq = {seq}"
        )],
    )
    .await;
    assert_break_seen(&app, chain, chain_seq, Some(seq)).await;
}

#[tokio::test]
async fn a_deleted_row_breaks_its_chain_at_the_row_after_it_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_in_several_chains(&app, &tenants, 3).await;
    let (gone, chain, place) = chain_rows(&app, tenants[1]).await[1];
    // The next row of the chain (this tenant's, or another's in the same
    // chain) will link to a row that is not there.
    let next: i64 = sqlx::query_scalar("SELECT seq FROM audit_events WHERE chain = $1 AND chain_seq = $2")
        .bind(chain)
        .bind(place + 1)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    tamper(&app, &[format!("DELETE FROM audit_events WHERE seq = {gone}")]).await;
    assert_break_seen(&app, chain, place + 1, Some(next)).await;
}

#[tokio::test]
async fn a_deleted_tail_is_seen_through_the_chain_head_by_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_in_several_chains(&app, &tenants, 3).await;
    let chain: i16 = sqlx::query_scalar("SELECT audit_chain_for($1)")
        .bind(tenants[3])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let last: (i64, i64) =
        sqlx::query_as("SELECT seq, chain_seq FROM audit_events WHERE chain = $1 ORDER BY chain_seq DESC LIMIT 1")
            .bind(chain)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    tamper(&app, &[format!("DELETE FROM audit_events WHERE seq = {}", last.0)]).await;
    assert_break_seen(&app, chain, last.1, None).await;
}

#[tokio::test]
async fn two_rows_swapped_in_a_chain_break_it_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_in_several_chains(&app, &tenants, 3).await;
    let rows = chain_rows(&app, tenants[0]).await;
    let ((a, chain, a_place), (b, _, b_place)) = (rows[0], rows[1]);
    // Each takes the other's place and link, as a reordering would.
    tamper(
        &app,
        &[
            format!("UPDATE audit_events SET chain_seq = -1 WHERE seq = {a}"),
            format!("UPDATE audit_events SET chain_seq = {a_place} WHERE seq = {b}"),
            format!("UPDATE audit_events SET chain_seq = {b_place} WHERE seq = {a}"),
            format!(
                "UPDATE audit_events x SET prev_hash = y.prev_hash FROM audit_events y
                 WHERE (x.seq, y.seq) IN (({a}, {b}), ({b}, {a}))"
            ),
        ],
    )
    .await;
    assert_break_seen(&app, chain, a_place, Some(b)).await;
}
