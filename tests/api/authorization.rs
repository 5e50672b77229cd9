//! The authorization matrix: every documented operation, called by every
//! role, answers exactly as the role table says: 403 for a role it does not
//! admit, and for one it admits the answer the probe request deserves.
//! Another tenant's resources are 404 (a test of its own below).

use uuid::Uuid;

use crate::helpers::*;

const ROLES: &[&str] = &[
    "catalog.reader",
    "tenant.admin",
    "catalog.admin",
    "compliance.officer",
    "auditor",
    "platform.admin",
];

fn is_tenant_role(role: &str) -> bool {
    matches!(role, "catalog.reader" | "tenant.admin")
}

/// The roles each operation admits (on the caller's own tenant for tenant
/// routes). Operations without security are open to everyone.
fn admitted(operation_id: &str) -> &'static [&'static str] {
    match operation_id {
        "list_models"
        | "get_model"
        | "list_model_offers"
        | "list_model_derivatives"
        | "list_publishers"
        | "list_regions"
        | "list_currency_rates" => &[
            "catalog.reader",
            "tenant.admin",
            "catalog.admin",
            "compliance.officer",
            "platform.admin",
        ],
        "get_tenant_policy"
        | "list_tenant_models"
        | "list_enablements"
        | "get_enablement"
        | "list_events"
        | "list_webhooks"
        | "get_webhook"
        | "list_webhook_deliveries" => &["catalog.reader", "tenant.admin", "platform.admin"],
        "create_recommendations" => &["catalog.reader", "tenant.admin"],
        "replace_tenant_policy"
        | "patch_tenant_policy"
        | "create_enablement"
        | "delete_enablement"
        | "create_webhook"
        | "delete_webhook"
        | "ping_webhook" => &["tenant.admin"],
        "list_tenants" | "get_tenant" => &["compliance.officer", "platform.admin"],
        "create_import"
        | "create_model"
        | "update_model"
        | "replace_model_offers"
        | "set_currency_rate"
        | "delete_currency_rate" => &["catalog.admin"],
        "get_hold_notice" => &[
            "catalog.reader",
            "tenant.admin",
            "catalog.admin",
            "compliance.officer",
            "platform.admin",
        ],
        "create_hold" | "approve_hold" | "reject_hold" | "lift_hold" | "preview_hold_impact" => &["compliance.officer"],
        "list_holds" | "get_hold" | "get_hold_impact" => &["compliance.officer", "auditor", "platform.admin"],
        "list_audit_events" | "verify_audit_events" => &["auditor"],
        "healthz" | "readyz" | "metrics" => ROLES,
        other => panic!("the matrix does not know {other}: add it"),
    }
}

/// What an admitted role gets for the matrix's probe: the caller's own
/// tenant, random ids for everything else, `If-Match: "1"` and a body of
/// `{}`. So reads of the tenant answer 200, reads and writes of an object
/// that does not exist 404, and creates 400 (a body missing its fields), or
/// 422 where the body may be empty but a decision needs its reason.
fn probe_answer(operation_id: &str) -> u16 {
    match operation_id {
        "healthz"
        | "readyz"
        | "metrics"
        | "list_models"
        | "list_publishers"
        | "list_regions"
        | "list_currency_rates"
        | "get_tenant_policy"
        | "list_tenant_models"
        | "replace_tenant_policy"
        | "patch_tenant_policy"
        | "list_tenants"
        | "get_tenant"
        | "list_enablements"
        | "list_events"
        | "list_webhooks"
        | "list_holds"
        | "list_audit_events"
        | "verify_audit_events" => 200,
        "get_model"
        | "list_model_offers"
        | "list_model_derivatives"
        | "get_hold_notice"
        | "get_hold"
        | "approve_hold"
        | "delete_enablement"
        | "delete_webhook"
        | "delete_currency_rate"
        | "get_enablement"
        | "get_webhook"
        | "list_webhook_deliveries"
        | "ping_webhook"
        | "get_hold_impact"
        | "update_model" => 404,
        "create_enablement"
        | "create_webhook"
        | "create_recommendations"
        | "create_model"
        | "create_import"
        | "replace_model_offers"
        | "set_currency_rate"
        | "create_hold"
        | "preview_hold_impact" => 400,
        "reject_hold" | "lift_hold" => 422,
        other => panic!("the matrix does not know what {other} answers: add it"),
    }
}

#[tokio::test]
async fn every_operation_answers_every_role_as_the_role_table_says() {
    let app = spawn_app().await;
    let document = app.served_document().await;
    let own_tenant = Uuid::new_v4();
    let (mut checked, mut operations) = (0, 0);
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let operation_id = operation["operationId"].as_str().unwrap();
            // Without a token: 401 wherever the document asks for one.
            let secured = operation["security"].as_array().is_some_and(|s| !s.is_empty());
            let url = app.url(
                &path
                    .replace("{tenant_id}", &own_tenant.to_string())
                    .replace("{id_or_slug}", &Uuid::new_v4().to_string())
                    .replace("{id}", &Uuid::new_v4().to_string())
                    .replace("{currency}", "XTS"),
            );
            let method_name = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let anonymous = app
                .client
                .request(method_name.clone(), &url)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            if secured {
                assert_eq!(anonymous, 401, "{method} {path} without a token");
            } else {
                assert!(
                    anonymous < 500 && anonymous != 401,
                    "{method} {path} is public: {anonymous}"
                );
            }
            for role in ROLES {
                let tenant = is_tenant_role(role).then_some(own_tenant);
                let token = sign_hs256(&claims(&[role], tenant));
                let response = app
                    .client
                    .request(method_name.clone(), &url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .header("if-match", "\"1\"")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let name = format!("{method} {path} as {role}");
                let expected = if admitted(operation_id).contains(role) {
                    probe_answer(operation_id)
                } else {
                    403
                };
                assert_eq!(status, expected, "{name}");
                checked += 1;
            }
            operations += 1;
        }
    }
    assert_eq!(checked, operations * ROLES.len(), "every operation, every role");
    assert_eq!(
        operations, 45,
        "the document's operations (a new one needs its row above)"
    );
}

#[tokio::test]
async fn a_tenant_principal_reaching_for_another_tenant_gets_404_on_every_tenant_route() {
    let app = spawn_app().await;
    let document = app.served_document().await;
    let token = tenant_token("tenant.admin", Uuid::new_v4());
    let other = Uuid::new_v4();
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/v1/tenants/") {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let url = app.url(
                &path
                    .replace("{tenant_id}", &other.to_string())
                    .replace("{id}", &Uuid::new_v4().to_string()),
            );
            let request = match method.as_str() {
                "get" => app.client.get(&url),
                "post" => app.client.post(&url),
                "put" => app.client.put(&url),
                "patch" => app.client.patch(&url),
                "delete" => app.client.delete(&url),
                other => panic!("unexpected method {other}"),
            };
            let response = request
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_problem(response, 404, "not_found").await;
        }
    }
}
