use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

pub(crate) fn alice() -> String {
    officer("alice")
}

pub(crate) fn bob() -> String {
    officer("bob")
}

async fn model_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

impl TestApp {
    async fn enable_model(&self, tenant: Uuid, model: Uuid, region: &str) -> reqwest::Response {
        self.post_json(
            &format!("/v1/tenants/{tenant}/enablements"),
            &tenant_token("tenant.admin", tenant),
            json!({"model_id": model, "region": region, "deployment_type": "serverless"}),
        )
        .await
    }

    async fn propose(&self, body: Value) -> String {
        self.propose_hold(body).await
    }

    async fn decide(&self, hold: &str, action: &str, token: &str, reason: Option<&str>) -> reqwest::Response {
        self.decide_hold(hold, action, token, reason).await
    }

    async fn enablement_status(&self, tenant: Uuid, region: &str) -> (String, Option<Uuid>) {
        sqlx::query_as("SELECT status, suspended_by_hold_id FROM enablements WHERE tenant_id = $1 AND region_code = $2")
            .bind(tenant)
            .bind(region)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

fn export_control(scope: Value, effects: Value) -> Value {
    json!({
        "kind": "export_control",
        "legal_basis": "INTERNAL: counsel memo 114, not for tenants",
        "public_notice": "DeepSeek R1 is not available in your jurisdiction under export-control rules.",
        "scope": scope,
        "effects": effects,
        "reason": "export-control review"
    })
}

const ALL_EFFECTS: &str = r#"{"hide": true, "block_new": true, "suspend_existing": true}"#;

#[tokio::test]
async fn an_export_control_hold_in_one_jurisdiction_delists_there_only_and_lifting_restores_exactly_that() {
    let app = spawn_app_with(&[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let (us_a, us_b, eu) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for (tenant, region) in [
        (us_a, "eastus"),
        (us_b, "eastus"),
        (us_b, "westeurope"),
        (eu, "westeurope"),
    ] {
        assert_eq!(app.enable_model(tenant, r1, region).await.status(), 201);
    }
    // us_a and eu listen on webhooks.
    let mut hooks = Vec::new();
    for tenant in [us_a, eu] {
        let (url, received) = receiver(0).await;
        let response = app
            .post_json(
                &format!("/v1/tenants/{tenant}/webhooks"),
                &tenant_token("tenant.admin", tenant),
                json!({"url": url, "event_types": ["enablement.suspended", "enablement.restored"]}),
            )
            .await;
        let webhook: Value = response.json().await.unwrap();
        hooks.push((webhook["secret"].as_str().unwrap().to_owned(), received));
    }

    let effects: Value = serde_json::from_str(ALL_EFFECTS).unwrap();
    let scope = json!({"models": ["deepseek/deepseek-r1"], "jurisdictions": ["US"]});
    let response = app
        .post_json(
            "/v1/admin/holds/impact",
            &alice(),
            json!({"scope": scope, "effects": effects}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let impact: Value = response.json().await.unwrap();
    assert_eq!(impact["listings_covered"], 1);
    assert_eq!(impact["listings"][0]["regions"], json!(["eastus"]));
    assert_eq!(impact["enablements_to_suspend"], 2);
    assert_eq!(impact["tenants_affected"], 2);
    let changed: i64 = sqlx::query_scalar("SELECT count(*) FROM enablements WHERE status <> 'active'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(changed, 0, "the preview changes nothing");

    let hold = app.propose(export_control(scope, effects)).await;
    let response = app.decide(&hold, "approve", &alice(), None).await;
    let problem = assert_problem(response, 403, "self_approval_forbidden").await;
    assert!(problem["detail"].as_str().unwrap().contains("another officer"));

    let response = app.decide(&hold, "approve", &bob(), Some("concur")).await;
    assert_eq!(response.status(), 200);
    let decision: Value = response.json().await.unwrap();
    assert_eq!(decision["hold"]["status"], "active");
    assert_eq!(decision["hold"]["in_effect"], true);
    assert_eq!(decision["enablements_changed"], 2);

    let hold_id = Uuid::parse_str(&hold).unwrap();
    assert_eq!(
        app.enablement_status(us_a, "eastus").await,
        ("suspended".into(), Some(hold_id))
    );
    assert_eq!(
        app.enablement_status(us_b, "eastus").await,
        ("suspended".into(), Some(hold_id))
    );
    assert_eq!(app.enablement_status(us_b, "westeurope").await, ("active".into(), None));
    assert_eq!(app.enablement_status(eu, "westeurope").await, ("active".into(), None));

    // Enabling in the held jurisdiction: 451, the public notice, never the legal basis.
    let newcomer = Uuid::new_v4();
    let response = app.enable_model(newcomer, r1, "eastus").await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    assert!(link.contains("rel=\"blocked-by\"") && link.contains(&hold), "{link}");
    let problem = assert_problem(response, 451, "unavailable_for_legal_reasons").await;
    assert!(problem["detail"].as_str().unwrap().contains("export-control"));
    assert!(
        !problem.to_string().contains("INTERNAL"),
        "no legal basis leaks: {problem}"
    );
    assert_eq!(app.enable_model(newcomer, r1, "westeurope").await.status(), 201);

    // Discovery: the listing stays (other regions), its eastus offer is gone.
    let reader = tenant_token("catalog.reader", us_a);
    let (_, offers) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1/offers", &reader).await;
    let regions: Vec<&str> = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["chinanorth3", "westeurope"]);
    let (_, page) = app
        .get_json(
            "/v1/models?region=eastus&publisher=deepseek&include_unavailable=true",
            &reader,
        )
        .await;
    let slugs: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["slug"].as_str().unwrap())
        .collect();
    assert_eq!(
        slugs,
        ["deepseek/deepseek-v3"],
        "hidden in eastus even with include_unavailable"
    );
    let (notice_status, notice) = app.get_json(&format!("/v1/holds/{hold}/notice"), &reader).await;
    assert_eq!(notice_status, 200);
    assert!(notice.get("legal_basis").is_none());

    // Events and audit.
    let suspended_events: Vec<Option<Uuid>> = sqlx::query_scalar(
        "SELECT tenant_id FROM outbox_events WHERE event_type = 'enablement.suspended' ORDER BY tenant_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected = vec![Some(us_a), Some(us_b)];
    expected.sort();
    assert_eq!(suspended_events, expected);
    let audits: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'enablement.suspended'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(audits, 2);

    // us_a's webhook got its suspension, signed; eu's got nothing.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while hooks[0].1.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "a webhook delivery expected");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (signature, _, event_type, body) = hooks[0].1.lock().unwrap()[0].clone();
    assert_eq!(event_type, "enablement.suspended");
    assert!(signature_is_valid(&hooks[0].0, &signature, &body));
    let delivered: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(delivered["data"]["hold"]["hold_id"], hold.as_str());
    let data = delivered["data"].as_object().unwrap();
    let mut fields: Vec<&str> = data.keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "deployment_type",
            "enablement_id",
            "hold",
            "model_id",
            "operator",
            "region",
            "status"
        ]
    );
    assert_eq!(data["region"], "eastus");
    assert_eq!(data["status"], "suspended");
    assert!(data["operator"].is_string(), "{data:?}");
    assert!(hooks[1].1.lock().unwrap().is_empty(), "the EU tenant was not touched");

    // Lifting restores exactly those two.
    let response = app.decide(&hold, "lift", &alice(), None).await;
    assert_problem(response, 422, "validation_failed").await;
    let response = app.decide(&hold, "lift", &alice(), Some("rule withdrawn")).await;
    assert_eq!(response.status(), 200);
    let decision: Value = response.json().await.unwrap();
    assert_eq!(decision["hold"]["status"], "lifted");
    assert_eq!(decision["enablements_changed"], 2);
    for tenant in [us_a, us_b] {
        assert_eq!(app.enablement_status(tenant, "eastus").await, ("active".into(), None));
    }
    let restored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE event_type = 'enablement.restored'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(restored, 2);
    assert_eq!(app.enable_model(Uuid::new_v4(), r1, "eastus").await.status(), 201);
}

#[tokio::test]
async fn lifting_one_of_two_covering_holds_keeps_the_enablement_suspended_by_the_other() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let tenant = Uuid::new_v4();
    assert_eq!(app.enable_model(tenant, r1, "eastus").await.status(), 201);
    let effects: Value = serde_json::from_str(ALL_EFFECTS).unwrap();
    let first = app
        .propose(export_control(
            json!({"models": ["deepseek/deepseek-r1"]}),
            effects.clone(),
        ))
        .await;
    let second = app
        .propose(export_control(
            json!({"origin_countries": ["CN"], "regions": ["eastus"]}),
            effects,
        ))
        .await;
    for hold in [&first, &second] {
        assert_eq!(app.decide(hold, "approve", &bob(), None).await.status(), 200);
    }
    let first_id = Uuid::parse_str(&first).unwrap();
    let second_id = Uuid::parse_str(&second).unwrap();
    assert_eq!(
        app.enablement_status(tenant, "eastus").await,
        ("suspended".into(), Some(first_id))
    );
    assert_eq!(app.decide(&first, "lift", &alice(), Some("done")).await.status(), 200);
    assert_eq!(
        app.enablement_status(tenant, "eastus").await,
        ("suspended".into(), Some(second_id))
    );
    assert_eq!(app.decide(&second, "lift", &alice(), Some("done")).await.status(), 200);
    assert_eq!(app.enablement_status(tenant, "eastus").await, ("active".into(), None));
}

#[tokio::test]
async fn block_new_alone_grandfathers_existing_enablements_and_a_tenant_scoped_hide_answers_451() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let (existing, other) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(app.enable_model(existing, r1, "eastus").await.status(), 201);
    let hold = app
        .propose(export_control(
            json!({"publishers": ["deepseek"]}),
            json!({"block_new": true}),
        ))
        .await;
    assert_eq!(app.decide(&hold, "approve", &bob(), None).await.status(), 200);
    assert_eq!(app.enablement_status(existing, "eastus").await, ("active".into(), None));
    assert_problem(
        app.enable_model(other, r1, "westeurope").await,
        451,
        "unavailable_for_legal_reasons",
    )
    .await;
    let (_, page) = app
        .get_json(
            "/v1/models?publisher=deepseek&include_unavailable=true",
            &tenant_token("catalog.reader", other),
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2, "block_new does not hide");
    assert_eq!(
        page["items"][0]["availability"]["reasons"][0]["code"],
        "compliance_hold"
    );
    assert_eq!(page["items"][0]["availability"]["reasons"][0]["hold_id"], hold.as_str());

    let hide = app
        .propose(export_control(
            json!({"models": ["deepseek/deepseek-v3"], "tenants": [other]}),
            json!({"hide": true}),
        ))
        .await;
    assert_eq!(app.decide(&hide, "approve", &bob(), None).await.status(), 200);
    let response = app
        .get(
            "/v1/models/deepseek%2Fdeepseek-v3",
            &tenant_token("catalog.reader", other),
        )
        .await;
    assert_problem(response, 451, "unavailable_for_legal_reasons").await;
    let response = app
        .get(
            "/v1/models/deepseek%2Fdeepseek-v3",
            &tenant_token("catalog.reader", existing),
        )
        .await;
    assert_eq!(response.status(), 200, "other tenants still see it");
}

#[tokio::test]
async fn holds_move_only_along_their_lifecycle_and_reads_are_for_staff() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let effects: Value = serde_json::from_str(ALL_EFFECTS).unwrap();
    let hold = app
        .propose(export_control(json!({"publishers": ["deepseek"]}), effects))
        .await;
    assert_problem(
        app.decide(&hold, "lift", &bob(), Some("x")).await,
        409,
        "invalid_hold_transition",
    )
    .await;
    assert_problem(
        app.decide(&hold, "reject", &bob(), None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        app.decide(&hold, "reject", &bob(), Some("not needed")).await.status(),
        200
    );
    assert_problem(
        app.decide(&hold, "approve", &bob(), None).await,
        409,
        "invalid_hold_transition",
    )
    .await;

    let (status, list) = app
        .get_json("/v1/admin/holds?status=rejected", &platform_token("auditor"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        list["items"][0]["legal_basis"],
        "INTERNAL: counsel memo 114, not for tenants"
    );
    let response = app
        .get("/v1/admin/holds", &tenant_token("tenant.admin", Uuid::new_v4()))
        .await;
    assert_problem(response, 403, "forbidden").await;
    let response = app
        .get(
            &format!("/v1/holds/{hold}/notice"),
            &tenant_token("catalog.reader", Uuid::new_v4()),
        )
        .await;
    assert_problem(response, 404, "not_found").await;

    let response = app
        .post_json(
            "/v1/admin/holds",
            &alice(),
            json!({"kind": "sanctions", "legal_basis": "x", "public_notice": "y", "scope": {"regions": ["eastus"], "models": ["nobody/nothing"]}, "effects": {}}),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["scope.models[0]", "scope", "effects"]);
}

/// The invariant, checked in SQL: no active enablement is covered by a hold
/// in effect that suspends existing enablements.
async fn violations(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM compliance_holds h
         CROSS JOIN LATERAL hold_covered_enablements(h) c
         JOIN enablements e ON e.tenant_id = c.tenant_id AND e.id = c.id
         WHERE hold_in_effect(h) AND h.effect_suspend_existing AND e.status = 'active'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn enablements_racing_a_hold_approval_never_end_up_active_under_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let effects: Value = serde_json::from_str(ALL_EFFECTS).unwrap();
    let rounds = 12;
    let racers = 16;
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..rounds {
        let hold = app
            .propose(export_control(
                json!({"models": ["deepseek/deepseek-r1"]}),
                effects.clone(),
            ))
            .await;
        let tenants: Vec<Uuid> = (0..racers).map(|_| Uuid::new_v4()).collect();
        // Provision the tenants first, so the race is only enable vs approve.
        for tenant in &tenants {
            let _ = app.get("/v1/regions", &tenant_token("tenant.admin", *tenant)).await;
        }
        let enables = futures_util::future::join_all(tenants.iter().map(|t| app.enable_model(*t, r1, "eastus")));
        let approve = async {
            // Let some enables get ahead of the approval, differently each round.
            tokio::time::sleep(std::time::Duration::from_millis((round % 4) * 3)).await;
            app.decide(&hold, "approve", &bob(), None).await
        };
        let (responses, approved) = tokio::join!(enables, approve);
        let status = approved.status();
        assert_eq!(
            status,
            200,
            "round {round}: {}",
            approved.text().await.unwrap_or_default()
        );
        for response in responses {
            *outcomes.entry(response.status().as_u16()).or_insert(0) += 1;
        }
        assert_eq!(violations(&app).await, 0, "round {round}");
        assert_eq!(
            app.decide(&hold, "lift", &alice(), Some("next round")).await.status(),
            200
        );
        sqlx::query(
            "UPDATE enablements SET status = 'disabled', suspended_by_hold_id = NULL WHERE status <> 'disabled'",
        )
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let total: i32 = outcomes.values().sum();
    assert_eq!(total, (rounds * racers) as i32);
    assert!(
        outcomes.keys().all(|status| *status == 201 || *status == 451),
        "{outcomes:?}"
    );
    eprintln!("race outcomes over {rounds} rounds x {racers} enables: {outcomes:?}");
}

#[tokio::test]
async fn a_hold_scheduled_ahead_takes_effect_once_with_two_servers_running() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let second = spawn_app_on(&app.database_url, &[]).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let tenant = Uuid::new_v4();
    assert_eq!(app.enable_model(tenant, r1, "eastus").await.status(), 201);
    let effective_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let mut body = export_control(
        json!({"models": ["deepseek/deepseek-r1"]}),
        serde_json::from_str(ALL_EFFECTS).unwrap(),
    );
    body["effective_at"] = json!(effective_at.to_rfc3339());
    let hold = app.propose(body).await;
    let response = app.decide(&hold, "approve", &bob(), None).await;
    let decision: Value = response.json().await.unwrap();
    assert_eq!(decision["hold"]["in_effect"], false);
    assert_eq!(decision["enablements_changed"], 0);
    assert_eq!(app.enablement_status(tenant, "eastus").await.0, "active");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if app.enablement_status(tenant, "eastus").await.0 == "suspended" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hold did not take effect in time"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let activated_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT activated_at FROM compliance_holds WHERE id = $1::uuid")
            .bind(&hold)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let late = activated_at - effective_at;
    assert!(
        late >= chrono::Duration::zero() && late < chrono::Duration::seconds(3),
        "activated {late} after due"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let activations: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'hold.activated'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let suspensions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'enablement.suspended'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((activations, suspensions), (1, 1), "exactly once across two servers");
    drop(second);
}

#[tokio::test]
async fn an_expiring_hold_ends_by_itself_and_restores_what_it_suspended() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let tenant = Uuid::new_v4();
    assert_eq!(app.enable_model(tenant, r1, "eastus").await.status(), 201);
    let mut body = export_control(
        json!({"models": ["deepseek/deepseek-r1"]}),
        serde_json::from_str(ALL_EFFECTS).unwrap(),
    );
    body["expires_at"] = json!((chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339());
    let hold = app.propose(body).await;
    assert_eq!(app.decide(&hold, "approve", &bob(), None).await.status(), 200);
    assert_eq!(app.enablement_status(tenant, "eastus").await.0, "suspended");

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.enablement_status(tenant, "eastus").await.0 != "active" {
        assert!(std::time::Instant::now() < deadline, "the hold did not expire in time");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (_, view) = app.get_json(&format!("/v1/admin/holds/{hold}"), &alice()).await;
    assert_eq!(view["status"], "expired");
    assert_eq!(view["in_effect"], false);
    let restored: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = 'enablement.restored'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(restored, 1);
    assert_eq!(
        app.enable_model(Uuid::new_v4(), r1, "eastus").await.status(),
        201,
        "available again"
    );
}

/// Has a hold hiding what `scope` covers proposed and approved, then
/// brings `replica` up to date: the snapshot it serves after.
async fn hiding_hold_approved(
    app: &TestApp,
    replica: &modelmart::refresher::CatalogHandle,
    scope: Value,
) -> std::sync::Arc<modelmart::catalog::Snapshot> {
    let hold = app.propose(export_control(scope, json!({"hide": true}))).await;
    assert_eq!(app.decide(&hold, "approve", &bob(), None).await.status(), 200);
    assert!(replica.refresh_if_stale(&app.pool).await.unwrap());
    replica.current()
}

#[tokio::test]
async fn a_hold_swaps_in_new_rules_over_the_same_content_and_a_content_change_rebuilds_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    // A second server's view of the catalog, refreshed by hand.
    let replica = modelmart::refresher::CatalogHandle::default();
    replica.reload(&app.pool).await.unwrap();
    let before = replica.current();
    assert!(before.holds.is_empty());

    let held = hiding_hold_approved(&app, &replica, json!({"models": ["deepseek/deepseek-r1"]})).await;
    assert!(held.version > before.version);
    assert_eq!(held.holds.len(), 1, "the approved hold is in force");
    assert!(
        std::sync::Arc::ptr_eq(&before.content, &held.content),
        "a hold reloads the rules only; the listings and indexes are shared"
    );

    sqlx::query("UPDATE models SET name = 'GPT-4o (renamed)' WHERE slug = 'openai/gpt-4o'")
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(replica.refresh_if_stale(&app.pool).await.unwrap());
    let rebuilt = replica.current();
    assert!(
        !std::sync::Arc::ptr_eq(&held.content, &rebuilt.content),
        "a content change rebuilds"
    );
    assert_eq!(&*rebuilt.find("openai/gpt-4o").unwrap().name, "GPT-4o (renamed)");
    assert_eq!(rebuilt.holds.len(), 1, "and keeps the rules");
    assert!(
        !replica.refresh_if_stale(&app.pool).await.unwrap(),
        "nothing left to reload"
    );
}

#[tokio::test]
async fn a_hold_keeps_the_views_of_tenants_it_does_not_apply_to_and_computes_the_others_afresh() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let replica = modelmart::refresher::CatalogHandle::default();
    replica.reload(&app.pool).await.unwrap();
    let before = replica.current();
    let r1 = before
        .content
        .listings
        .iter()
        .position(|listing| &*listing.slug == "deepseek/deepseek-r1")
        .unwrap() as u32;
    let (bystander, held_tenant) = (Uuid::new_v4(), Uuid::new_v4());
    for tenant in [bystander, held_tenant] {
        let reader = tenant_token("catalog.reader", tenant);
        assert_eq!(app.get("/v1/regions", &reader).await.status(), 200, "provisioned");
    }
    let bystanders_view = before.view_for(bystander);
    assert!(
        std::sync::Arc::ptr_eq(&before.view_for(held_tenant), &bystanders_view),
        "under the same rules, one view"
    );
    assert!(bystanders_view.shown_everywhere(false).contains(r1));

    let scope = json!({"models": ["deepseek/deepseek-r1"], "tenants": [held_tenant]});
    let held = hiding_hold_approved(&app, &replica, scope).await;
    assert!(std::sync::Arc::ptr_eq(&before.content, &held.content));
    assert!(
        std::sync::Arc::ptr_eq(&held.view_for(bystander), &bystanders_view),
        "a tenant the hold does not apply to keeps its view"
    );
    let held_tenants_view = held.view_for(held_tenant);
    assert_ne!(held_tenants_view.fingerprint, bystanders_view.fingerprint);
    assert!(
        !held_tenants_view.shown_everywhere(false).contains(r1),
        "the tenant the hold applies to no longer sees the model"
    );

    // A hold on every tenant applies to the bystander too.
    let after = hiding_hold_approved(&app, &replica, json!({"models": ["deepseek/deepseek-r1"]})).await;
    let bystanders_new_view = after.view_for(bystander);
    assert!(!std::sync::Arc::ptr_eq(&bystanders_new_view, &bystanders_view));
    assert!(!bystanders_new_view.shown_everywhere(false).contains(r1));
    assert!(!after.view_for(held_tenant).shown_everywhere(false).contains(r1));
}

#[tokio::test]
async fn a_suspended_enablement_cannot_be_revived_by_disabling_it_and_enabling_again() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let r1 = model_id(&app, "deepseek/deepseek-r1").await;
    let tenant = Uuid::new_v4();
    let created: Value = app.enable_model(tenant, r1, "eastus").await.json().await.unwrap();
    let hold = app
        .propose(export_control(
            json!({"models": [r1]}),
            json!({"hide": false, "block_new": false, "suspend_existing": true}),
        ))
        .await;
    assert_eq!(app.decide(&hold, "approve", &bob(), None).await.status(), 200);
    assert_eq!(app.enablement_status(tenant, "eastus").await.0, "suspended");

    let response = app
        .client
        .delete(app.url(&format!(
            "/v1/tenants/{tenant}/enablements/{}",
            created["id"].as_str().unwrap()
        )))
        .bearer_auth(tenant_token("tenant.admin", tenant))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let again = app.enable_model(tenant, r1, "eastus").await;
    let problem = assert_problem(again, 451, "unavailable_for_legal_reasons").await;
    assert!(problem.to_string().contains(&hold), "names the hold: {problem}");
    let active: i64 = sqlx::query_scalar("SELECT count(*) FROM enablements WHERE tenant_id = $1 AND status = 'active'")
        .bind(tenant)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(active, 0);
}

#[tokio::test]
async fn the_hold_list_filters_by_whether_a_hold_is_in_effect_and_counts_what_it_filters() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let body = |notice: &str| {
        json!({
            "kind": "sanctions", "legal_basis": "internal", "public_notice": notice,
            "scope": {"models": ["deepseek/deepseek-r1"]}, "effects": {"block_new": true}
        })
    };
    let in_force = app.hold_in_effect(body("in force")).await;
    let proposed = app.propose_hold(body("proposed")).await;
    let lifted = app.hold_in_effect(body("lifted")).await;
    let response = app.decide_hold(&lifted, "lift", &officer("alice"), Some("done")).await;
    assert_eq!(response.status(), 200);
    let auditor = platform_token("auditor");
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    };

    let (status, effective) = app.get_json("/v1/admin/holds?in_effect=true", &auditor).await;
    assert_eq!(status, 200, "{effective}");
    assert_eq!(ids(&effective), [in_force]);
    assert_eq!(effective["total"], 1);
    let (_, not_effective) = app.get_json("/v1/admin/holds?in_effect=false&limit=1", &auditor).await;
    assert_eq!(not_effective["total"], 2, "the proposed and the lifted hold");
    let (_, rest) = app
        .get_json(
            &format!(
                "/v1/admin/holds?in_effect=false&cursor={}",
                not_effective["next_cursor"].as_str().unwrap()
            ),
            &auditor,
        )
        .await;
    let mut seen = [ids(&not_effective), ids(&rest)].concat();
    seen.sort();
    let mut expected = vec![proposed.clone(), lifted.clone()];
    expected.sort();
    assert_eq!(seen, expected);
    let (_, both) = app
        .get_json("/v1/admin/holds?in_effect=false&status=proposed", &auditor)
        .await;
    assert_eq!(ids(&both), [proposed]);
    let response = app.get("/v1/admin/holds?in_effect=maybe", &auditor).await;
    assert_problem(response, 400, "invalid_parameter").await;
}
