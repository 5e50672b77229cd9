use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

/// Seals whose hash or link does not verify, by `seq`, as the log's own
/// check finds them; a chain whose head names a seal it does not end with
/// shows as -1.
async fn broken_links(app: &TestApp) -> Vec<i64> {
    sqlx::query_scalar("SELECT coalesce(seq, -1) FROM audit_chain_breaks() ORDER BY seq NULLS LAST")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Events committed and not yet sealed.
async fn unsealed(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.seq = e.seq)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Seals every committed event now (a pass of our own, or the server's
/// sealer's if it is running one).
async fn seal_all(app: &TestApp) {
    let sealed = eventually(Duration::from_secs(10), || async {
        modelmart::db::audit::seal(&app.pool).await.unwrap();
        unsealed(app).await == 0
    })
    .await;
    assert!(sealed, "every committed event gets sealed");
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
    seal_all(&app).await;
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
    seal_all(&app).await;
    for refused in [
        "UPDATE audit_seals SET chain_seq = chain_seq + 100",
        "DELETE FROM audit_seals",
    ] {
        let outcome = sqlx::query(refused).execute(&app.pool).await;
        assert!(outcome.is_err(), "{refused} is refused");
    }
    assert!(broken_links(&app).await.is_empty());

    // Only by switching the guard off (a superuser's act) can a sealed row
    // change, and then the chain names it.
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
    seal_all(&app).await;
    let (_, one) = app
        .get_json(&format!("/v1/admin/audit-events?tenant_id={}", tenants[1]), &auditor)
        .await;
    let seal = &one["items"][0]["seal"];
    assert_eq!(seal["hash"].as_str().unwrap().len(), 64, "{seal}");
    assert_eq!(seal["prev_hash"].as_str().unwrap().len(), 64, "{seal}");
    let response = app.get("/v1/admin/audit-events?since=yesterday", &auditor).await;
    assert_problem(response, 400, "invalid_parameter").await;

    let (_, report) = app.get_json("/v1/admin/audit-events/verify", &auditor).await;
    assert_eq!(
        report,
        json!({"verified": true, "events": 4, "unsealed": 0, "oldest_unsealed_at": null, "chains": 16,
               "first_broken_seq": null, "breaks": []})
    );

    let (chain, place): (i16, i64) = sqlx::query_as("SELECT chain, chain_seq FROM audit_seals WHERE seq = 3")
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
    let sealed = modelmart::db::audit::seal(&as_app).await.unwrap();
    assert!(sealed >= 1, "the role seals");
    for (table, statement) in [
        ("audit_seals", "UPDATE audit_seals SET chain = 1"),
        ("audit_seals", "DELETE FROM audit_seals"),
        ("audit_chain_heads", "DELETE FROM audit_chain_heads"),
    ] {
        let refused = sqlx::query(statement).execute(&as_app).await.unwrap_err();
        assert!(refused.to_string().contains("permission denied"), "{table}: {refused}");
    }
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
    let sealed_by_the_server = eventually(Duration::from_secs(10), || async {
        let (_, report) = app
            .get_json("/v1/admin/audit-events/verify", &platform_token("auditor"))
            .await;
        report["unsealed"] == 0 && report["verified"] == true
    })
    .await;
    assert!(
        sealed_by_the_server,
        "the server's sealer seals as the application role"
    );
    app.pool.close().await;
    admin.close().await;
}

/// Appends `per_tenant` events for each of `tenants` and two platform-wide
/// ones, each append its own transaction, as the service's writes are.
async fn log_events(app: &TestApp, tenants: &[Uuid], per_tenant: usize) {
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

/// Runs SQL as the database owner with the log's guards off, as only a
/// superuser could.
async fn tamper(app: &TestApp, statements: &[String]) {
    let mut tx = app.pool.begin().await.unwrap();
    for guard in [
        "audit_events DISABLE TRIGGER audit_events_no_update",
        "audit_seals DISABLE TRIGGER audit_seals_no_update",
    ] {
        sqlx::query(&format!("ALTER TABLE {guard}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    for statement in statements {
        sqlx::query(statement).execute(&mut *tx).await.unwrap();
    }
    for guard in [
        "audit_events ENABLE TRIGGER audit_events_no_update",
        "audit_seals ENABLE TRIGGER audit_seals_no_update",
    ] {
        sqlx::query(&format!("ALTER TABLE {guard}"))
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

/// Every sealed event by its place: (seq, chain, chain_seq).
async fn sealed_rows(app: &TestApp) -> Vec<(i64, i16, i64)> {
    sqlx::query_as("SELECT seq, chain, chain_seq FROM audit_seals ORDER BY chain, chain_seq")
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
async fn the_servers_sealer_chains_every_committed_event_within_a_pass_in_seq_order() {
    let app = spawn_app_with(&[("MODELMART_AUDIT_SEAL_INTERVAL_MS", "100")]).await;
    let tenants: Vec<Uuid> = (0..8).map(|_| Uuid::new_v4()).collect();
    let written = Instant::now();
    log_events(&app, &tenants, 3).await;
    // Nobody but the server's own sealer seals here.
    let sealed = eventually(Duration::from_secs(5), || async { unsealed(&app).await == 0 }).await;
    assert!(sealed, "the sealer chained every event");
    assert!(written.elapsed() < Duration::from_secs(5));

    let rows = sealed_rows(&app).await;
    assert_eq!(rows.len(), 26);
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut in_order = seqs.clone();
    in_order.sort();
    assert_eq!(seqs, in_order, "chained in seq order");
    assert!(rows.iter().all(|r| r.1 == 0), "sealed into chain 0: {rows:?}");
    let places: Vec<i64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(
        places,
        (1..=26).collect::<Vec<i64>>(),
        "from the chain's start, without gaps"
    );
    let (_, report) = app
        .get_json("/v1/admin/audit-events/verify", &platform_token("auditor"))
        .await;
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["events"], 26);
    assert_eq!(report["unsealed"], 0);
    assert_eq!(report["chains"], 16);
}

/// Fields that test the server's rendering of the hashed text against
/// PostgreSQL's: escapes, controls, non-ASCII, nulls, empty and null-bearing
/// role lists, a tenant and none, numbers as jsonb keeps them, a value stored out of line.
const AWKWARD_EVENTS: &str = r#"
    SELECT append_audit_event(gen_random_uuid(), e'say "hi" \\ back\tslash\u00e9\U0001F600', ARRAY['a', NULL, 'b"c'],
                              NULL, 'test.awkward', 'test', e'line\nbreak\rcarriage\u0001\u001f\u007f',
                              '{"n": [1, 1.50, -0, 1e20, 12345678901234567890.1234], "s": "\u00e9\u0007\\\"", "e": {}, "a": []}',
                              jsonb_build_object('long', repeat('xy\n', 5000), 'nested', jsonb_build_object('k', null)),
                              e'why:\b\f\u0002', 'req-\u2028')
    UNION ALL
    SELECT append_audit_event(gen_random_uuid(), 'x', '{}', gen_random_uuid(), 'test.awkward', 'x', '-', 'null',
                              '"a bare string"', NULL, NULL)
    UNION ALL
    SELECT append_audit_event(gen_random_uuid(), 'n', ARRAY[NULL]::text[], NULL, 'test.awkward', 'x', '0', '42', 'true',
                              '', '')"#;

#[tokio::test]
async fn events_with_escapes_controls_and_unicode_are_hashed_by_the_server_as_the_sql_verification_recomputes_them() {
    let app = spawn_app_with(&[("MODELMART_AUDIT_SEAL_INTERVAL_MS", "3600000")]).await;
    let appended: Vec<i64> = sqlx::query_scalar(AWKWARD_EVENTS).fetch_all(&app.pool).await.unwrap();
    assert_eq!(appended.len(), 3);
    seal_all(&app).await;
    let sealed: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_seals WHERE seq = ANY($1)")
        .bind(&appended)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sealed, 3, "the awkward events were sealed");
    assert_eq!(
        broken_links(&app).await,
        Vec::<i64>::new(),
        "each recomputes in SQL to the server's hash"
    );

    // And the check can fail: one character changed in the longest field
    // breaks the chain at that event.
    tamper(
        &app,
        &[format!(
            "UPDATE audit_events SET after = jsonb_set(after, '{{long}}', to_jsonb(repeat('xy\n', 4999) || 'xz\n')) WHERE seq = {}",
            appended[0]
        )],
    )
    .await;
    assert_eq!(broken_links(&app).await, vec![appended[0]]);
}

#[tokio::test]
async fn an_event_committed_after_later_numbered_ones_were_sealed_is_sealed_after_them_and_a_rolled_back_one_never() {
    // The server's sealer makes its first pass at start and then waits: the
    // passes here are the test's own.
    let app = spawn_app_with(&[("MODELMART_AUDIT_SEAL_INTERVAL_MS", "3600000")]).await;
    let append = "SELECT append_audit_event(gen_random_uuid(), 'test', '{}', NULL, 'test.appended', 'test', 'x',
                                            NULL, NULL, NULL, NULL)";
    let mut slow = app.pool.begin().await.unwrap();
    let early: i64 = sqlx::query_scalar(append).fetch_one(&mut *slow).await.unwrap();
    let mut doomed = app.pool.begin().await.unwrap();
    let never: i64 = sqlx::query_scalar(append).fetch_one(&mut *doomed).await.unwrap();
    let late: i64 = sqlx::query_scalar(append).fetch_one(&app.pool).await.unwrap();
    assert!(early < never && never < late);

    modelmart::db::audit::seal(&app.pool).await.unwrap();
    let rows = sealed_rows(&app).await;
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [late],
        "only the committed event"
    );

    slow.commit().await.unwrap();
    doomed.rollback().await.unwrap();
    modelmart::db::audit::seal(&app.pool).await.unwrap();
    let rows = sealed_rows(&app).await;
    assert_eq!(
        rows.iter().map(|r| (r.0, r.2)).collect::<Vec<_>>(),
        [(late, 1), (early, 2)],
        "the late commit goes after what was sealed before it"
    );
    assert_eq!(unsealed(&app).await, 0);
    assert!(broken_links(&app).await.is_empty());
}

#[tokio::test]
async fn an_edited_event_breaks_its_chain_there_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_events(&app, &tenants, 3).await;
    seal_all(&app).await;
    let (seq, chain, chain_seq) = sealed_rows(&app).await[5];
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
async fn a_deleted_event_breaks_its_chain_at_its_seal_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_events(&app, &tenants, 3).await;
    seal_all(&app).await;
    let (gone, chain, place) = sealed_rows(&app).await[4];
    tamper(&app, &[format!("DELETE FROM audit_events WHERE seq = {gone}")]).await;
    assert_break_seen(&app, chain, place, Some(gone)).await;
}

#[tokio::test]
async fn an_event_deleted_with_its_seal_breaks_the_chain_at_the_next_seal_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_events(&app, &tenants, 3).await;
    seal_all(&app).await;
    let rows = sealed_rows(&app).await;
    let ((gone, chain, _), (next, _, next_place)) = (rows[4], rows[5]);
    tamper(
        &app,
        &[
            format!("DELETE FROM audit_events WHERE seq = {gone}"),
            format!("DELETE FROM audit_seals WHERE seq = {gone}"),
        ],
    )
    .await;
    assert_break_seen(&app, chain, next_place, Some(next)).await;
}

#[tokio::test]
async fn a_deleted_tail_is_seen_through_the_chain_head_by_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_events(&app, &tenants, 3).await;
    seal_all(&app).await;
    let (last, chain, place) = *sealed_rows(&app).await.last().unwrap();
    tamper(
        &app,
        &[
            format!("DELETE FROM audit_events WHERE seq = {last}"),
            format!("DELETE FROM audit_seals WHERE seq = {last}"),
        ],
    )
    .await;
    assert_break_seen(&app, chain, place, None).await;
}

#[tokio::test]
async fn two_events_swapped_in_a_chain_break_it_for_the_http_and_cli_verification() {
    let app = spawn_app().await;
    let tenants: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
    log_events(&app, &tenants, 3).await;
    seal_all(&app).await;
    let rows = sealed_rows(&app).await;
    let ((a, chain, a_place), (b, _, b_place)) = (rows[2], rows[3]);
    // Each takes the other's place and link, as a reordering would.
    tamper(
        &app,
        &[
            format!("UPDATE audit_seals SET chain_seq = 1000000 WHERE seq = {a}"),
            format!("UPDATE audit_seals SET chain_seq = {a_place} WHERE seq = {b}"),
            format!("UPDATE audit_seals SET chain_seq = {b_place} WHERE seq = {a}"),
            format!(
                "UPDATE audit_seals x SET prev_hash = y.prev_hash FROM audit_seals y
                 WHERE (x.seq, y.seq) IN (({a}, {b}), ({b}, {a}))"
            ),
        ],
    )
    .await;
    assert_break_seen(&app, chain, a_place, Some(b)).await;
}
