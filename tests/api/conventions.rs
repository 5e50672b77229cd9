//! What a portal developer expects of any REST API: every created resource
//! gettable at its `Location`, a resource read can be written back, partial
//! updates, HEAD wherever GET is.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

async fn r1_id(app: &TestApp) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = 'deepseek/deepseek-r1'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_enablement_is_served_at_the_location_its_create_answered_with_an_etag() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let response = app
        .post_json(
            &format!("/v1/tenants/{tenant}/enablements"),
            &admin,
            json!({"model_id": r1_id(&app).await, "region": "eastus", "deployment_type": "serverless"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created_tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();

    let reader = tenant_token("catalog.reader", tenant);
    let response = app.get(&location, &reader).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"].to_str().unwrap(), created_tag);
    assert_eq!(response.json::<Value>().await.unwrap(), created);

    let unchanged = app
        .client
        .get(app.url(&location))
        .bearer_auth(&reader)
        .header("if-none-match", &created_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), 304);

    // Another tenant cannot see it; platform staff can.
    let stranger = tenant_token("catalog.reader", Uuid::new_v4());
    assert_eq!(app.get(&location, &stranger).await.status(), 404);
    assert_eq!(
        app.get(&location, &platform_token("platform.admin")).await.status(),
        200
    );
    let missing = format!("/v1/tenants/{tenant}/enablements/{}", Uuid::new_v4());
    assert_eq!(app.get(&missing, &reader).await.status(), 404);
}

/// A server that may call webhooks on loopback, with the test catalog, and
/// a tenant admin.
async fn app_with_a_tenant_admin() -> (TestApp, Uuid, String) {
    let app = spawn_app_with(&[("MODELMART_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    (app, tenant, tenant_token("tenant.admin", tenant))
}

/// Creates a webhook for suspensions; its `Location` and the create's body
/// (with the create's `ETag` as `"etag"`).
async fn subscribe_to_suspensions(app: &TestApp, tenant: Uuid, admin: &str, url: &str) -> (String, Value) {
    let response = app
        .post_json(
            &format!("/v1/tenants/{tenant}/webhooks"),
            admin,
            json!({"url": url, "event_types": ["enablement.suspended"]}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let tag = response.headers()["etag"].to_str().unwrap().to_owned();
    let mut created: Value = response.json().await.unwrap();
    created["etag"] = json!(tag);
    (location, created)
}

#[tokio::test]
async fn a_webhook_is_gettable_lists_its_deliveries_and_answers_a_signed_ping() {
    let (app, tenant, admin) = app_with_a_tenant_admin().await;
    let (url, received) = receiver(0).await;
    let (location, created) = subscribe_to_suspensions(&app, tenant, &admin, &url).await;

    let (status, webhook) = app.get_json(&location, &admin).await;
    assert_eq!(status, 200);
    assert_eq!(webhook["id"], created["id"]);
    assert!(webhook.get("secret").is_none(), "the secret is shown only once");

    let (status, ping) = app
        .post_json(&format!("{location}/ping"), &admin, json!({}))
        .await
        .json::<Value>()
        .await
        .map(|body| (200, body))
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(ping["delivered"], true, "{ping}");
    assert_eq!(ping["status_code"], 204);
    let calls = received.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].2, "webhook.ping");
    assert_eq!(calls[0].1, ping["event_id"].as_str().unwrap());
    let body: Value = serde_json::from_slice(&calls[0].3).unwrap();
    assert_eq!(body["data"]["webhook_id"], created["id"]);

    enable_r1(&app, tenant).await;
    suspend_r1_everywhere(&app).await;
    let deliveries = format!("{location}/deliveries");
    assert!(
        eventually(std::time::Duration::from_secs(10), || async {
            let (_, page) = app.get_json(&deliveries, &admin).await;
            page["items"][0]["status"] == "delivered"
        })
        .await,
        "the suspension is delivered and logged"
    );
    let (_, page) = app.get_json(&deliveries, &admin).await;
    assert_eq!(
        page["items"].as_array().unwrap().len(),
        1,
        "the ping is not a delivery: {page}"
    );
    assert_eq!(page["items"][0]["event_type"], "enablement.suspended");
    assert_eq!(page["items"][0]["attempts"], 1);
    assert_eq!(page["items"][0]["last_status_code"], 204);

    let stranger = tenant_token("tenant.admin", Uuid::new_v4());
    assert_eq!(app.get(&location, &stranger).await.status(), 404);
    let response = app.post_json(&format!("{location}/ping"), &stranger, json!({})).await;
    assert_eq!(response.status(), 404);
    assert_eq!(received.lock().unwrap().len(), 2, "no call for a stranger's ping");
}

#[tokio::test]
async fn platform_staff_page_through_tenants_and_no_one_else_sees_the_directory() {
    let app = spawn_app().await;
    let tenants = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    for tenant in tenants {
        let _ = app.get("/v1/regions", &tenant_token("catalog.reader", tenant)).await;
    }
    let staff = platform_token("platform.admin");
    let (status, first) = app.get_json("/v1/admin/tenants?limit=2", &staff).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["total"], 3);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get_json(&format!("/v1/admin/tenants?limit=2&cursor={cursor}"), &staff)
        .await;
    let mut seen: Vec<String> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    seen.sort();
    let mut expected: Vec<String> = tenants.iter().map(Uuid::to_string).collect();
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(second["next_cursor"], Value::Null);

    let (status, one) = app.get_json(&format!("/v1/admin/tenants/{}", tenants[0]), &staff).await;
    assert_eq!(status, 200);
    assert_eq!(one["live_enablements"], 0);
    let unknown = format!("/v1/admin/tenants/{}", Uuid::new_v4());
    assert_eq!(app.get(&unknown, &staff).await.status(), 404);
    let (status, for_officers) = app.get_json("/v1/admin/tenants", &officer("alice")).await;
    assert_eq!(status, 200, "officers name tenants in a hold's scope");
    assert_eq!(for_officers["total"], 3);
    for token in [
        tenant_token("tenant.admin", tenants[0]),
        platform_token("catalog.admin"),
        platform_token("auditor"),
    ] {
        assert_eq!(app.get("/v1/admin/tenants", &token).await.status(), 403);
    }
}

#[tokio::test]
async fn platform_staff_see_the_catalog_as_a_tenant_sees_it_with_every_reason() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let policy = format!("/v1/tenants/{tenant}/policy");
    let etag = app.get(&policy, &admin).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let response = app
        .client
        .put(app.url(&policy))
        .bearer_auth(&admin)
        .header("if-match", etag)
        .json(&json!({"denied_origin_countries": ["CN"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let query = "?publisher=deepseek&include_unavailable=true";
    let as_tenant = format!("/v1/tenants/{tenant}/models{query}");
    let staff = platform_token("platform.admin");
    let (status, seen_for) = app.get_json(&as_tenant, &staff).await;
    assert_eq!(status, 200, "{seen_for}");
    let items = seen_for["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["availability"]["enableable"], false, "{item}");
        let codes: Vec<&str> = item["availability"]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["code"].as_str())
            .collect();
        assert!(codes.iter().any(|c| c.contains("origin")), "{codes:?}");
    }
    let (_, own) = app
        .get_json(&format!("/v1/models{query}"), &tenant_token("catalog.reader", tenant))
        .await;
    assert_eq!(own, seen_for, "the page the tenant itself gets");
    let (_, unscoped) = app.get_json(&format!("/v1/models{query}"), &staff).await;
    assert_eq!(
        unscoped["items"][0]["availability"],
        Value::Null,
        "staff's own discovery decides for no one"
    );

    let stranger = tenant_token("tenant.admin", Uuid::new_v4());
    assert_eq!(app.get(&as_tenant, &stranger).await.status(), 404);
    let unknown = format!("/v1/tenants/{}/models", Uuid::new_v4());
    assert_eq!(app.get(&unknown, &staff).await.status(), 404);
}

#[tokio::test]
async fn a_webhook_and_a_tenant_entry_carry_an_etag_that_revalidates_until_they_change() {
    let (app, tenant, admin) = app_with_a_tenant_admin().await;
    let (url, _received) = receiver(0).await;
    let (webhook, created) = subscribe_to_suspensions(&app, tenant, &admin, &url).await;
    let entry = format!("/v1/admin/tenants/{tenant}");
    let staff = platform_token("platform.admin");
    let revalidate = |path: String, token: String, tag: String| {
        let request = app
            .client
            .get(app.url(&path))
            .bearer_auth(token)
            .header("if-none-match", tag);
        async move { request.send().await.unwrap() }
    };

    for (path, token) in [(webhook.clone(), admin.clone()), (entry.clone(), staff.clone())] {
        let first = app.get(&path, &token).await;
        assert_eq!(first.status(), 200);
        let tag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(tag.starts_with('"') && tag.ends_with('"'), "a strong tag: {tag}");
        if path == webhook {
            assert_eq!(created["etag"], tag.as_str(), "the create sends the GET's tag");
        }
        let again = revalidate(path.clone(), token.clone(), tag.clone()).await;
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    }

    let before = app.get(&entry, &staff).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    enable_r1(&app, tenant).await;
    let after = revalidate(entry.clone(), staff.clone(), before.clone()).await;
    assert_eq!(after.status(), 200, "a new enablement changes the entry");
    assert_ne!(after.headers()["etag"].to_str().unwrap(), before);
    let body: Value = after.json().await.unwrap();
    assert_eq!(body["live_enablements"], 1);
}

#[tokio::test]
async fn a_policy_as_read_can_be_put_back_and_one_rule_changed_with_a_merge_patch() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let path = format!("/v1/tenants/{tenant}/policy");
    let eu_only = app
        .replace_policy(tenant, json!({"allowed_regions": ["westeurope"], "ga_only": true}))
        .await;

    // GET -> PUT of the same document (output-only fields included).
    let read = app.get(&path, &admin).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let mut document: Value = read.json().await.unwrap();
    document["ga_only"] = json!(false);
    let response = app
        .client
        .put(app.url(&path))
        .bearer_auth(&admin)
        .header("if-match", &etag)
        .json(&document)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    let (_, after_put) = app.get_json(&path, &admin).await;
    assert_eq!(after_put["ga_only"], false);
    assert_eq!(after_put["allowed_regions"], eu_only["allowed_regions"]);
    assert_eq!(
        after_put["tenant_id"],
        tenant.to_string(),
        "output-only fields are ignored"
    );

    // PATCH one rule: the others stay.
    let patch = |etag: String, body: &str, content_type: &'static str| {
        app.client
            .patch(app.url(&path))
            .bearer_auth(&admin)
            .header("if-match", etag)
            .header("content-type", content_type)
            .body(body.to_owned())
            .send()
    };
    let etag = app.get(&path, &admin).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let response = patch(
        etag.clone(),
        r#"{"denied_origin_countries": ["cn"]}"#,
        "application/merge-patch+json",
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let patched: Value = response.json().await.unwrap();
    assert_eq!(patched["denied_origin_countries"], json!(["CN"]));
    assert_eq!(
        patched["allowed_regions"],
        json!(["westeurope"]),
        "untouched rules stay"
    );

    // The old ETag is stale now; a patch without If-Match is 428; bad
    // patches change nothing.
    let stale = patch(etag, r#"{"ga_only": true}"#, "application/merge-patch+json")
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let current = app.get(&path, &admin).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    for (body, content_type, status) in [
        (r#"["ga_only"]"#, "application/merge-patch+json", 400),
        (r#"{"ga_only": "yes"}"#, "application/merge-patch+json", 400),
        (
            r#"{"allowed_regions": ["atlantis-1"]}"#,
            "application/merge-patch+json",
            422,
        ),
        (r#"{"ga_only": true}"#, "text/plain", 415),
    ] {
        let response = patch(current.clone(), body, content_type).await.unwrap();
        assert_eq!(response.status(), status, "{body} as {content_type}");
    }
    let no_if_match = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"ga_only": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(no_if_match.status(), 428);
    // `null` resets a rule to its default: any region.
    let response = patch(current, r#"{"allowed_regions": null}"#, "application/merge-patch+json")
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let reset: Value = response.json().await.unwrap();
    assert_eq!(reset["allowed_regions"], Value::Null);
    assert_eq!(reset["denied_origin_countries"], json!(["CN"]));
}

fn r1_hold() -> Value {
    json!({
        "kind": "export_control", "legal_basis": "internal memo",
        "public_notice": "Not available in your jurisdiction.",
        "scope": {"models": ["deepseek/deepseek-r1"]},
        "effects": {"hide": true, "block_new": true, "suspend_existing": true},
        "reason": "counsel's advice"
    })
}

#[tokio::test]
async fn the_preview_takes_the_proposal_body_a_proposed_holds_impact_is_readable_and_approval_needs_no_body() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    enable_r1(&app, tenant).await;

    let response = app
        .post_json("/v1/admin/holds/impact", &officer("alice"), r1_hold())
        .await;
    assert_eq!(response.status(), 200);
    let preview: Value = response.json().await.unwrap();
    assert_eq!(preview["enablements_to_suspend"], 1);

    let hold = app.propose_hold(r1_hold()).await;
    let response = app
        .get(&format!("/v1/admin/holds/{hold}/impact"), &officer("bob"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"].to_str().unwrap(), app.hold_etag(&hold).await);
    assert_eq!(response.json::<Value>().await.unwrap(), preview);
    let auditor = platform_token("auditor");
    assert_eq!(
        app.get(&format!("/v1/admin/holds/{hold}/impact"), &auditor)
            .await
            .status(),
        200
    );
    let unknown = format!("/v1/admin/holds/{}/impact", Uuid::new_v4());
    assert_eq!(app.get(&unknown, &officer("bob")).await.status(), 404);

    let approve = app
        .client
        .post(app.url(&format!("/v1/admin/holds/{hold}/approve")))
        .bearer_auth(officer("bob"))
        .header("if-match", app.hold_etag(&hold).await)
        .send()
        .await
        .unwrap();
    assert_eq!(approve.status(), 200, "{}", approve.text().await.unwrap());
    let (_, after) = app.get_json(&format!("/v1/admin/holds/{hold}"), &officer("bob")).await;
    assert_eq!(after["status"], "active");

    // A body that is sent must still be JSON of the decision's shape.
    let lift = |body: &'static str, content_type: &'static str| {
        let app = &app;
        let hold = hold.clone();
        async move {
            app.client
                .post(app.url(&format!("/v1/admin/holds/{hold}/lift")))
                .bearer_auth(officer("bob"))
                .header("if-match", app.hold_etag(&hold).await)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(lift(r#"{"reason": "x", "extra": 1}"#, "application/json").await, 400);
    assert_eq!(lift(r#"{"reason": "resolved"}"#, "text/plain").await, 415);
    assert_eq!(lift("", "application/json").await, 422, "lifting needs a reason");
    assert_eq!(lift(r#"{"reason": "resolved"}"#, "application/json").await, 200);
}

#[tokio::test]
async fn head_is_answered_wherever_get_is_with_the_gets_headers_and_no_body() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let staff = platform_token("catalog.admin");
    for (path, token) in [
        ("/healthz", None),
        ("/v1/models?task=chat", Some(&staff)),
        ("/v1/models/deepseek%2Fdeepseek-r1", Some(&staff)),
    ] {
        let request = |method: reqwest::Method| {
            let mut request = app.client.request(method, app.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.header("accept-encoding", "identity").send()
        };
        let get = request(reqwest::Method::GET).await.unwrap();
        let head = request(reqwest::Method::HEAD).await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        for name in ["content-type", "content-length", "etag"] {
            assert_eq!(head.headers().get(name), get.headers().get(name), "{path}: {name}");
        }
        assert!(head.bytes().await.unwrap().is_empty(), "{path}: no body");
    }
    let anonymous = app.client.head(app.url("/v1/models")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401, "HEAD is authorised as GET is");
    let post_only = app
        .client
        .head(app.url("/v1/admin/imports"))
        .bearer_auth(&staff)
        .send()
        .await
        .unwrap();
    assert_eq!(post_only.status(), 405);
    assert_eq!(post_only.headers()["allow"], "POST");
}

#[tokio::test]
async fn lists_say_how_many_items_they_hold_in_all() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::catalog()).await;
    let tenant = Uuid::new_v4();
    enable_r1(&app, tenant).await;
    let reader = tenant_token("catalog.reader", tenant);
    let (_, enablements) = app
        .get_json(&format!("/v1/tenants/{tenant}/enablements?limit=1"), &reader)
        .await;
    assert_eq!(enablements["total"], 1);
    let (_, suspended) = app
        .get_json(&format!("/v1/tenants/{tenant}/enablements?status=suspended"), &reader)
        .await;
    assert_eq!(suspended["total"], 0);

    app.propose_hold(r1_hold()).await;
    app.propose_hold(r1_hold()).await;
    let (_, holds) = app.get_json("/v1/admin/holds?limit=1", &officer("bob")).await;
    assert_eq!(holds["total"], 2);
    assert_eq!(holds["items"].as_array().unwrap().len(), 1);

    for path in ["/v1/publishers", "/v1/regions", "/v1/currency-rates"] {
        let (_, list) = app.get_json(path, &reader).await;
        assert_eq!(
            list["total"].as_u64().unwrap() as usize,
            list["items"].as_array().unwrap().len(),
            "{path}"
        );
    }
    let (_, webhooks) = app.get_json(&format!("/v1/tenants/{tenant}/webhooks"), &reader).await;
    assert_eq!(webhooks["total"], 0);
    let (_, events) = app
        .get_json(&format!("/v1/tenants/{tenant}/events?limit=1"), &reader)
        .await;
    assert_eq!(events["total"], 0, "nothing has happened to this tenant yet: {events}");
    let (_, audit) = app
        .get_json(
            "/v1/admin/audit-events?action=hold.proposed&limit=1",
            &platform_token("auditor"),
        )
        .await;
    assert_eq!(audit["total"], 2);
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_patch_of_the_wrong_shape_is_400_before_if_match_is_looked_at() {
    let app = spawn_app().await;
    let tenant = Uuid::new_v4();
    let admin = tenant_token("tenant.admin", tenant);
    let path = format!("/v1/tenants/{tenant}/policy");
    let _ = app.get(&path, &admin).await;
    for if_match in ["", "\"999\""] {
        let response = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&admin)
            .header("if-match", if_match)
            .header("content-type", "application/merge-patch+json")
            .body(r#"{"ga_only": true, "colour": null}"#)
            .send()
            .await
            .unwrap();
        let body = assert_problem(response, 400, "malformed_body").await;
        assert_eq!(body["errors"][0]["field"], "colour");
    }
}
