//! Holds that cannot be sidestepped or poisoned: stale decisions, unsafe
//! notice links, unknown tenants, a broken hold due beside a good one, the
//! clock (expiry, retirement) and who serves an enablement.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

async fn model(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn enable(app: &TestApp, tenant: Uuid, slug: &str, region: &str, operator: Option<&str>) -> reqwest::Response {
    let model = model(app, slug).await;
    let mut body = json!({"model_id": model, "region": region, "deployment_type": "serverless"});
    if let Some(operator) = operator {
        body["operator"] = json!(operator);
    }
    app.post_json(
        &format!("/v1/tenants/{tenant}/enablements"),
        &tenant_token("tenant.admin", tenant),
        body,
    )
    .await
}

fn r1_hold(effects: Value) -> Value {
    json!({
        "kind": "export_control",
        "legal_basis": "INTERNAL: memo 114",
        "public_notice": "DeepSeek R1 is not available here under export-control rules.",
        "scope": {"models": ["deepseek/deepseek-r1"]},
        "effects": effects
    })
}

const ALL: &str = r#"{"hide": true, "block_new": true, "suspend_existing": true}"#;

fn all_effects() -> Value {
    serde_json::from_str(ALL).unwrap()
}

async fn audit_count(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_events WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn decide_with(app: &TestApp, hold: &str, action: &str, if_match: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(&format!("/v1/admin/holds/{hold}/{action}")))
        .bearer_auth(officer("bob"))
        .json(&json!({"reason": "review"}));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn hold_decisions_need_the_etag_of_the_version_the_officer_reviewed() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let hold = app.propose_hold(r1_hold(all_effects())).await;
    let response = app.get(&format!("/v1/admin/holds/{hold}"), &officer("bob")).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["etag"], etag.as_str(), "the body carries the ETag too");

    assert_problem(
        decide_with(&app, &hold, "approve", None).await,
        428,
        "precondition_required",
    )
    .await;
    assert_problem(
        decide_with(&app, &hold, "approve", Some("\"junk\"")).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_problem(
        decide_with(&app, &hold, "reject", Some("\"99\"")).await,
        412,
        "precondition_failed",
    )
    .await;
    let (_, unchanged) = app.get_json(&format!("/v1/admin/holds/{hold}"), &officer("bob")).await;
    assert_eq!(unchanged["status"], "proposed", "refused decisions change nothing");

    let response = decide_with(&app, &hold, "approve", Some(&etag)).await;
    assert_eq!(response.status(), 200);
    let approved_tag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_ne!(approved_tag, etag);
    // The tag the approval was made with is stale now: a second officer
    // lifting from an old screen is refused.
    let stale = assert_problem(
        decide_with(&app, &hold, "lift", Some(&etag)).await,
        412,
        "precondition_failed",
    )
    .await;
    assert!(stale["detail"].as_str().unwrap().contains(&approved_tag), "{stale}");
    assert_problem(
        decide_with(&app, &hold, "lift", Some("\"junk\"")).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(
        decide_with(&app, &hold, "lift", Some(&approved_tag)).await.status(),
        200
    );
    assert_eq!(audit_count(&app, "hold.lifted").await, 1);
}

#[tokio::test]
async fn a_public_notice_url_must_be_an_https_url_that_cannot_break_the_link_header() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    for bad in [
        "https://trust.example.com/n>; rel=\"x\", <https://evil.example/",
        "javascript:alert(document.cookie)",
        "http://trust.example.com/notice",
        "https://trust.example.com/a b",
    ] {
        let mut body = r1_hold(all_effects());
        body["public_notice_url"] = json!(bad);
        let problem = assert_problem(
            app.post_json("/v1/admin/holds", &officer("alice"), body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], "public_notice_url", "{bad}: {problem}");
    }
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM compliance_holds")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        0
    );

    let notice = "https://trust.example.com/notices/2026-114?lang=en";
    let mut body = r1_hold(all_effects());
    body["public_notice_url"] = json!(notice);
    app.hold_in_effect(body).await;
    let response = app
        .get(
            "/v1/models/deepseek%2Fdeepseek-r1",
            &tenant_token("catalog.reader", Uuid::new_v4()),
        )
        .await;
    assert_eq!(response.status(), 451);
    let links: Vec<&str> = response
        .headers()
        .get_all("link")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(links, [format!("<{notice}>; rel=\"blocked-by\"")]);
}

#[tokio::test]
async fn a_hold_scoped_to_a_tenant_that_never_signed_in_is_refused_naming_the_field() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let known = Uuid::new_v4();
    let _ = app.get("/v1/regions", &tenant_token("catalog.reader", known)).await;
    let stranger = Uuid::new_v4();
    let mut body = r1_hold(all_effects());
    body["scope"]["tenants"] = json!([known, stranger]);
    let problem = assert_problem(
        app.post_json("/v1/admin/holds", &officer("alice"), body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "scope.tenants[1]");
    let mut body = r1_hold(all_effects());
    body["scope"]["tenants"] = json!([known]);
    app.hold_in_effect(body).await;
}

#[tokio::test]
async fn a_broken_hold_due_beside_a_good_one_never_delays_it_and_is_reported() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    assert_eq!(
        enable(&app, tenant, "deepseek/deepseek-r1", "eastus", None)
            .await
            .status(),
        201
    );
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);

    // A hold the API would refuse today (its scope names a tenant that does
    // not exist), as rows written before the check exist: its notices
    // cannot be written, so activating it fails every time.
    let r1 = model(&app, "deepseek/deepseek-r1").await;
    let broken = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO compliance_holds (id, kind, legal_basis, public_notice, scope_models, scope_tenants,
             effect_hide, effect_block_new, effect_suspend_existing, status, effective_at, proposed_by, approved_by,
             approved_at)
         VALUES ($1, 'sanctions', 'legacy', 'Legacy hold.', $2, $3, true, true, true, 'active', $4, 'x', 'y', now())",
    )
    .bind(broken)
    .bind(vec![r1])
    .bind(vec![Uuid::new_v4()])
    .bind(due - chrono::Duration::milliseconds(500))
    .execute(&app.pool)
    .await
    .unwrap();

    let mut good = r1_hold(all_effects());
    good["effective_at"] = json!(due.to_rfc3339());
    let good = app.hold_in_effect(good).await;
    let (_, view) = app.get_json(&format!("/v1/admin/holds/{good}"), &officer("bob")).await;
    assert_eq!(view["in_effect"], false, "scheduled, not yet in effect");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, view) = app.get_json(&format!("/v1/admin/holds/{good}"), &officer("bob")).await;
        if view["in_effect"] == true {
            break;
        }
        assert!(Instant::now() < deadline, "the good hold never took effect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let activated_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT activated_at FROM compliance_holds WHERE id = $1::uuid")
            .bind(&good)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let late = activated_at - due;
    assert!(
        late >= chrono::Duration::zero() && late < chrono::Duration::seconds(2),
        "the good hold took effect {late} after it was due"
    );
    let (status, suspended_by): (String, Option<Uuid>) =
        sqlx::query_as("SELECT status, suspended_by_hold_id FROM enablements WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), suspended_by.map(|h| h.to_string())),
        ("suspended", Some(good.clone()))
    );

    // The broken one is rolled back alone, recorded, audited once, counted
    // in /metrics, and retried with backoff rather than every second.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (activated, failures, error): (Option<chrono::DateTime<chrono::Utc>>, i32, String) = sqlx::query_as(
        "SELECT h.activated_at, f.failures, f.last_error FROM compliance_holds h
         JOIN hold_schedule_failures f ON f.hold_id = h.id WHERE h.id = $1",
    )
    .bind(broken)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(activated, None);
    assert!(
        (1..=3).contains(&failures),
        "{failures} attempts in about 5 s: no backoff"
    );
    assert!(error.contains("outbox_events_tenant_id_fkey"), "{error}");
    let audited: Vec<(String, String)> =
        sqlx::query_as("SELECT action, target_id FROM audit_events WHERE action LIKE 'hold.%failed' ORDER BY seq")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, [("hold.activation_failed".to_owned(), broken.to_string())]);
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(platform_token("platform.admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.lines().any(|line| line == "modelmart_holds_schedule_failing 1"),
        "{}",
        metrics
            .lines()
            .filter(|l| l.contains("failing"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test]
async fn in_effect_reads_the_truth_enforcement_uses_until_the_scheduler_ends_the_hold() {
    // A scheduler that has looked once, at start-up, and not again: the
    // window between `expires_at` and the expiry being recorded is held
    // open, and the API must agree with enforcement all through it.
    let app = spawn_app_with(&[("MODELMART_SCHEDULER_TICK_MS", "3600000")]).await;
    app.load_batch(&fixtures::catalog()).await;
    let mut body = r1_hold(all_effects());
    body["expires_at"] = json!((chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339());
    let hold = app.hold_in_effect(body).await;
    let tenant = Uuid::new_v4();
    let reader = tenant_token("catalog.reader", tenant);
    tokio::time::sleep(Duration::from_millis(2000)).await;

    let (_, view) = app.get_json(&format!("/v1/admin/holds/{hold}"), &officer("bob")).await;
    assert_eq!(
        (view["status"].as_str(), view["in_effect"].as_bool()),
        (Some("active"), Some(true))
    );
    let (status, _) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &reader).await;
    assert_eq!(status, 451, "enforced, as in_effect says");
    assert_problem(
        enable(&app, tenant, "deepseek/deepseek-r1", "eastus", None).await,
        451,
        "unavailable_for_legal_reasons",
    )
    .await;

    let pass = modelmart::scheduler::run_once(&app.pool).await.unwrap();
    assert_eq!(pass.expired, 1);
    app.wait_for_catalog().await;
    let (_, view) = app.get_json(&format!("/v1/admin/holds/{hold}"), &officer("bob")).await;
    assert_eq!(
        (view["status"].as_str(), view["in_effect"].as_bool()),
        (Some("expired"), Some(false))
    );
    let (status, _) = app.get_json("/v1/models/deepseek%2Fdeepseek-r1", &reader).await;
    assert_eq!(status, 200);
    assert_eq!(
        enable(&app, tenant, "deepseek/deepseek-r1", "eastus", None)
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn a_listing_past_its_retirement_date_answers_410_refuses_enablement_and_is_retired_once_with_an_event_per_tenant(
) {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let (a, b, bystander) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for (tenant, region) in [(a, "eastus"), (a, "westeurope"), (b, "eastus")] {
        assert_eq!(
            enable(&app, tenant, "deepseek/deepseek-r1", region, None)
                .await
                .status(),
            201
        );
    }
    let _ = app.get("/v1/regions", &tenant_token("catalog.reader", bystander)).await;
    // Announced long ago; the date comes today.
    sqlx::query(
        "UPDATE models SET lifecycle_status = 'deprecated', deprecation_date = current_date - 90,
                retirement_date = current_date, successor_id = (SELECT id FROM models WHERE slug = 'deepseek/deepseek-v3')
         WHERE slug = 'deepseek/deepseek-r1'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.wait_for_catalog().await;

    let reader = tenant_token("catalog.reader", a);
    let response = app.get("/v1/models/deepseek%2Fdeepseek-r1", &reader).await;
    let link = response.headers().get("link").map(|v| v.to_str().unwrap().to_owned());
    assert_problem(response, 410, "gone").await;
    assert!(link.unwrap_or_default().contains("successor-version"));
    let (status, _) = app
        .get_json("/v1/models/deepseek%2Fdeepseek-r1/offers?at=not-a-time", &reader)
        .await;
    assert_eq!(status, 400, "the request's shape is judged before the listing's state");
    let problem = assert_problem(
        enable(&app, bystander, "deepseek/deepseek-r1", "eastus", None).await,
        409,
        "not_enableable",
    )
    .await;
    assert_eq!(problem["context"]["reasons"][0]["code"], "lifecycle_retired");

    // The scheduler records it once, however often it looks.
    let deadline = Instant::now() + Duration::from_secs(10);
    while audit_count(&app, "model.retired").await == 0 {
        assert!(Instant::now() < deadline, "the listing was never retired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(audit_count(&app, "model.retired").await, 1);
    let status: String = sqlx::query_scalar("SELECT lifecycle_status FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "retired");
    let events: Vec<(Option<Uuid>, Value)> = sqlx::query_as(
        "SELECT tenant_id, payload FROM outbox_events WHERE event_type = 'model.retired' ORDER BY tenant_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut expected = vec![(Some(a), 2), (Some(b), 1)];
    expected.sort();
    let got: Vec<(Option<Uuid>, usize)> = events
        .iter()
        .map(|(tenant, payload)| (*tenant, payload["enablement_ids"].as_array().unwrap().len()))
        .collect();
    assert_eq!(got, expected, "one event per tenant using it, naming its enablements");
    assert_eq!(events[0].1["slug"], "deepseek/deepseek-r1");
    // A feed that still says "deprecated" does not bring it back.
    app.load_batch(&fixtures::catalog()).await;
    let status: String = sqlx::query_scalar("SELECT lifecycle_status FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "retired");
}

#[tokio::test]
async fn an_enablement_names_its_operator_and_operator_rules_and_holds_refuse_by_who_serves_it() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let (open, careful, mixed) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let r1 = "deepseek/deepseek-r1";

    // Without a choice, the cheapest offer the tenant may use.
    let response = enable(&app, open, r1, "eastus", None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["operator"], json!({"name": "Mystery Host", "country": null}));

    // A tenant refusing CN operators and operators of unknown country.
    let policy = app
        .replace_policy(
            careful,
            json!({"denied_operator_countries": ["CN"], "deny_unknown_operator_country": true}),
        )
        .await;
    assert_eq!(policy["deny_unknown_operator_country"], true);
    for (operator, code) in [
        ("Dragon Cloud", "policy_operator_country_denied"),
        ("Mystery Host", "policy_operator_country_unknown"),
    ] {
        let problem = assert_problem(
            enable(&app, careful, r1, "eastus", Some(operator)).await,
            409,
            "not_enableable",
        )
        .await;
        assert_eq!(problem["context"]["reasons"][0]["code"], code, "{operator}");
    }
    let problem = assert_problem(
        enable(&app, careful, r1, "eastus", Some("Nobody Hosting")).await,
        409,
        "not_enableable",
    )
    .await;
    assert_eq!(problem["context"]["reasons"][0]["code"], "no_matching_offer");
    let response = enable(&app, careful, r1, "eastus", None).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["operator"], json!({"name": "Modelmart Cloud", "country": "US"}));
    let (_, listed) = app
        .get_json(
            &format!("/v1/tenants/{careful}/enablements"),
            &tenant_token("tenant.admin", careful),
        )
        .await;
    assert_eq!(listed["items"][0]["operator"]["name"], "Modelmart Cloud");

    // Discovery shows availability per operator.
    let (_, offers) = app
        .get_json(
            "/v1/models/deepseek%2Fdeepseek-r1/offers",
            &tenant_token("catalog.reader", careful),
        )
        .await;
    let by_operator: Vec<(String, bool)> = offers["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["region"] == "eastus")
        .map(|o| {
            (
                o["operator"]["name"].as_str().unwrap().to_owned(),
                o["availability"]["enableable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_operator,
        [
            ("Dragon Cloud".to_owned(), false),
            ("Modelmart Cloud".to_owned(), true),
            ("Mystery Host".to_owned(), false)
        ]
    );

    // A hold scoped to CN operators suspends what they serve, and only that.
    assert_eq!(
        enable(&app, mixed, r1, "eastus", Some("Dragon Cloud")).await.status(),
        201
    );
    let mut body = json!({
        "kind": "sanctions", "legal_basis": "INTERNAL", "public_notice": "Offers run from CN are suspended.",
        "scope": {"models": [r1], "operator_countries": ["CN"]},
        "effects": {"hide": false, "block_new": true, "suspend_existing": true}
    });
    let decision_id = app.hold_in_effect(body.clone()).await;
    let statuses: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT tenant_id, status FROM enablements WHERE model_id = $1 ORDER BY tenant_id")
            .bind(model(&app, r1).await)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for (tenant, status) in statuses {
        let wanted = if tenant == mixed { "suspended" } else { "active" };
        assert_eq!(status, wanted, "{tenant}");
    }
    let problem = assert_problem(
        enable(&app, Uuid::new_v4(), r1, "eastus", Some("Dragon Cloud")).await,
        451,
        "unavailable_for_legal_reasons",
    )
    .await;
    assert_eq!(problem["context"]["hold_id"], decision_id.as_str());
    assert_eq!(
        enable(&app, Uuid::new_v4(), r1, "eastus", Some("Modelmart Cloud"))
            .await
            .status(),
        201
    );

    // Operators are checked against the catalog.
    body["scope"] = json!({"operators": ["Nobody Hosting"]});
    let problem = assert_problem(
        app.post_json("/v1/admin/holds", &officer("alice"), body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "scope.operators[0]");
}
