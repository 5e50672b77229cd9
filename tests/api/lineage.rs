//! Coverage that follows lineage: a hold or policy rule on a model reaches
//! its fine-tunes, distillations and quantizations, however deep.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::*;

const R1: &str = "deepseek/deepseek-r1";
const TAX: &str = "acme/deepseek-r1-tax";
const TAX_Q4: &str = "acme/deepseek-r1-tax-q4";
const DISTILL: &str = "stellar/r1-distill-llama-8b";

async fn id_of(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM models WHERE slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn enable(app: &TestApp, tenant: Uuid, slug: &str, region: &str) -> reqwest::Response {
    let model = id_of(app, slug).await;
    app.post_json(
        &format!("/v1/tenants/{tenant}/enablements"),
        &tenant_token("tenant.admin", tenant),
        json!({"model_id": model, "region": region, "deployment_type": "serverless", "operator": "Modelmart Cloud"}),
    )
    .await
}

/// Every enablement's (tenant, slug, region, status), sorted.
async fn enablements(app: &TestApp) -> Vec<(Uuid, String, String, String)> {
    sqlx::query_as(
        "SELECT e.tenant_id, m.slug, e.region_code, e.status FROM enablements e JOIN models m ON m.id = e.model_id
         ORDER BY 1, 2, 3",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// A listing's path segment: a slug's `/` travels as `%2F`.
fn seg(slug: &str) -> String {
    slug.replace('/', "%2F")
}

/// Every slug of `first` (a path with a query) and of the pages its cursors
/// lead to, each page answered 200.
async fn slugs_page_by_page(app: &TestApp, first: &str, token: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut path = first.to_owned();
    loop {
        let (status, page) = app.get_json(&path, token).await;
        assert_eq!(status, 200, "{path}: {page}");
        seen.extend(slugs(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{first}&cursor={cursor}"),
            None => return seen,
        }
    }
}

fn slugs(page: &Value) -> BTreeSet<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["slug"].as_str().unwrap().to_owned())
        .collect()
}

fn r1_hold(scope: Value) -> Value {
    json!({
        "kind": "export_control",
        "legal_basis": "INTERNAL: export-control memo 114",
        "public_notice": "DeepSeek R1 and models derived from it are not available under export-control rules.",
        "scope": scope,
        "effects": {"hide": true, "block_new": true, "suspend_existing": true}
    })
}

#[tokio::test]
async fn a_hold_on_r1_hides_every_derivative_counts_them_in_the_preview_and_lifting_restores_exactly_what_it_suspended()
{
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let (bank, other) = (Uuid::new_v4(), Uuid::new_v4());
    for (tenant, slug, region) in [
        (bank, TAX, "eastus"),
        (bank, DISTILL, "eastus"),
        (bank, "meta/llama-3.1-8b-instruct", "eastus"),
        (other, TAX, "westeurope"),
        (other, R1, "westeurope"),
    ] {
        assert_eq!(
            enable(&app, tenant, slug, region).await.status(),
            201,
            "{slug} in {region}"
        );
    }
    // One the bank disabled itself: lifting must not bring it back.
    let disabled: Uuid = {
        let response = enable(&app, bank, TAX_Q4, "westeurope").await;
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().parse().unwrap()
    };
    let response = app
        .client
        .delete(app.url(&format!("/v1/tenants/{bank}/enablements/{disabled}")))
        .bearer_auth(tenant_token("tenant.admin", bank))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let before = enablements(&app).await;

    // The preview counts the derivatives and names what brings each in.
    let scope = json!({"models": [R1], "tenants": [bank]});
    let body = r1_hold(scope.clone());
    let response = app
        .post_json(
            "/v1/admin/holds/impact",
            &officer("alice"),
            json!({"scope": body["scope"], "effects": body["effects"]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let impact: Value = response.json().await.unwrap();
    assert_eq!(impact["listings_covered"], 4, "{impact}");
    assert_eq!(impact["derivatives_covered"], 3, "{impact}");
    let through: BTreeSet<(String, String)> = impact["listings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| Some((l["slug"].as_str()?.to_owned(), l["derived_from"].as_str()?.to_owned())))
        .collect();
    assert_eq!(
        through,
        BTreeSet::from([
            (TAX.to_owned(), R1.to_owned()),
            (TAX_Q4.to_owned(), R1.to_owned()),
            (DISTILL.to_owned(), R1.to_owned())
        ])
    );
    assert_eq!(
        impact["enablements_to_suspend"], 2,
        "the bank's tax and distill enablements"
    );
    assert_eq!(impact["tenants_affected"], 1);
    // Opting out of derivatives covers R1 alone.
    let mut narrow = body["scope"].clone();
    narrow["include_derivatives"] = json!(false);
    let response = app
        .post_json(
            "/v1/admin/holds/impact",
            &officer("alice"),
            json!({"scope": narrow, "effects": body["effects"]}),
        )
        .await;
    let impact: Value = response.json().await.unwrap();
    assert_eq!(
        (
            impact["listings_covered"].as_i64(),
            impact["derivatives_covered"].as_i64()
        ),
        (Some(1), Some(0))
    );
    assert_eq!(impact["enablements_to_suspend"], 0);

    let hold = app.hold_in_effect(body).await;

    // Every derivative is 451 for the bank, at any depth, and gone from its discovery.
    let bank_reader = tenant_token("catalog.reader", bank);
    for slug in [R1, TAX, TAX_Q4, DISTILL] {
        let response = app.get(&format!("/v1/models/{}", seg(slug)), &bank_reader).await;
        assert_eq!(response.status(), 451, "{slug}");
        let link = response.headers()["link"].to_str().unwrap().to_owned();
        assert!(link.contains(&hold) && link.ends_with("rel=\"blocked-by\""), "{link}");
    }
    let (_, page) = app
        .get_json("/v1/models?limit=200&include_unavailable=true", &bank_reader)
        .await;
    let shown = slugs(&page);
    for slug in [R1, TAX, TAX_Q4, DISTILL] {
        assert!(!shown.contains(slug), "{slug} still discoverable");
    }
    assert!(shown.contains("meta/llama-3.1-8b-instruct"));
    assert_problem(
        enable(&app, bank, TAX_Q4, "westeurope").await,
        451,
        "unavailable_for_legal_reasons",
    )
    .await;
    // The other tenant is not in scope.
    let (status, _) = app
        .get_json(
            &format!("/v1/models/{}", seg(TAX)),
            &tenant_token("catalog.reader", other),
        )
        .await;
    assert_eq!(status, 200);

    let suspended: Vec<(String, String)> = enablements(&app)
        .await
        .into_iter()
        .filter(|(_, _, _, status)| status == "suspended")
        .map(|(_, slug, region, _)| (slug, region))
        .collect();
    assert_eq!(
        suspended,
        [
            (TAX.to_owned(), "eastus".to_owned()),
            (DISTILL.to_owned(), "eastus".to_owned())
        ]
    );

    let response = app
        .decide_hold(&hold, "lift", &officer("carol"), Some("licence review done"))
        .await;
    assert_eq!(response.status(), 200);
    let lifted: Value = response.json().await.unwrap();
    assert_eq!(lifted["enablements_changed"], 2);
    assert_eq!(
        enablements(&app).await,
        before,
        "exactly what was suspended is restored"
    );
    let (status, _) = app.get_json(&format!("/v1/models/{}", seg(TAX_Q4)), &bank_reader).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_tenant_denying_cn_origin_cannot_enable_any_r1_derivative_published_from_elsewhere() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let bank = Uuid::new_v4();
    let policy = app
        .replace_policy(bank, json!({"denied_origin_countries": ["CN"]}))
        .await;
    assert_eq!(policy["denied_origin_countries"], json!(["CN"]));

    for (slug, region) in [
        (TAX, "westeurope"),
        (TAX_Q4, "westeurope"),
        (DISTILL, "eastus"),
        (R1, "eastus"),
    ] {
        let problem = assert_problem(enable(&app, bank, slug, region).await, 409, "not_enableable").await;
        let reason = &problem["context"]["reasons"][0];
        assert_eq!(reason["code"], "policy_origin_country_denied", "{slug}: {problem}");
        if slug != R1 {
            assert!(
                reason["message"].as_str().unwrap().contains("derives from"),
                "{slug}: {reason}"
            );
        }
    }
    // Discovery agrees: left out by default, shown with the reason on request.
    let reader = tenant_token("catalog.reader", bank);
    let (_, page) = app.get_json("/v1/models?limit=200", &reader).await;
    let shown = slugs(&page);
    for slug in [R1, TAX, TAX_Q4, DISTILL] {
        assert!(
            !shown.contains(slug),
            "{slug} offered to a tenant that denies CN origin"
        );
    }
    let (_, page) = app.get_json(&format!("/v1/models/{}", seg(TAX_Q4)), &reader).await;
    assert_eq!(page["availability"]["enableable"], false);
    assert_eq!(
        page["availability"]["reasons"][0]["code"],
        "policy_origin_country_denied"
    );
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM enablements")
            .fetch_one(&app.pool)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn discovery_filters_by_base_model_and_derived_from_and_lists_a_listings_derivatives() {
    let app = spawn_app().await;
    app.load_batch(&fixtures::lineage_catalog()).await;
    let staff = platform_token("catalog.admin");
    let r1 = id_of(&app, R1).await;

    let (status, page) = app.get_json(&format!("/v1/models?base_model={R1}"), &staff).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(slugs(&page), BTreeSet::from([TAX.to_owned(), DISTILL.to_owned()]));
    let (_, page) = app.get_json(&format!("/v1/models?derived_from={r1}"), &staff).await;
    assert_eq!(
        slugs(&page),
        BTreeSet::from([TAX.to_owned(), TAX_Q4.to_owned(), DISTILL.to_owned()])
    );
    let (_, page) = app
        .get_json(
            &format!("/v1/models?derived_from={TAX}&derived_from=meta/llama-3.1-8b-instruct"),
            &staff,
        )
        .await;
    assert_eq!(slugs(&page), BTreeSet::from([TAX_Q4.to_owned()]));
    let (_, page) = app.get_json("/v1/models?derived_from=nobody/nothing", &staff).await;
    assert_eq!(page["total"], 0);
    let (status, problem) = app.get_json("/v1/models?base_model=not%20a%20model", &staff).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (400, Some("base_model"))
    );

    let (status, page) = app
        .get_json("/v1/models/deepseek%2Fdeepseek-r1/derivatives?sort=name", &staff)
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 3);
    assert_eq!(
        slugs(&page),
        BTreeSet::from([TAX.to_owned(), TAX_Q4.to_owned(), DISTILL.to_owned()])
    );
    let (status, _) = app
        .get_json(&format!("/v1/models/{}/derivatives", seg(TAX_Q4)), &staff)
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get_json("/v1/models/nobody%2Fnothing/derivatives", &staff).await;
    assert_eq!(status, 404);
    // Paged by cursor like any list; a bad parameter is 400 before anything else.
    let seen = slugs_page_by_page(&app, &format!("/v1/models/{r1}/derivatives?limit=1"), &staff).await;
    assert_eq!(seen.len(), 3);
    let (status, _) = app
        .get_json("/v1/models/nobody%2Fnothing/derivatives?limit=0", &staff)
        .await;
    assert_eq!(status, 400);
    // Another lineage filter narrows the view further.
    let (status, page) = app
        .get_json(&format!("/v1/models/{r1}/derivatives?derived_from={TAX}"), &staff)
        .await;
    assert_eq!(status, 200);
    assert_eq!(slugs(&page), BTreeSet::from([TAX_Q4.to_owned()]));
    let (_, page) = app
        .get_json(
            &format!("/v1/models/{}/derivatives?derived_from={r1}", seg(DISTILL)),
            &staff,
        )
        .await;
    assert_eq!(page["total"], 0, "derived from R1 and from the distillation: none");
}

#[tokio::test]
async fn a_lineage_filter_naming_a_listing_by_an_alias_pages_through_every_match_by_cursor() {
    let app = spawn_app().await;
    let mut batch = fixtures::lineage_catalog();
    batch.aliases.push(modelmart::domain::batch::AliasRecord {
        alias: "deepseek/r1-original".into(),
        model_slug: R1.into(),
    });
    app.load_batch(&batch).await;
    let staff = platform_token("catalog.admin");

    // By its alias, in another case, and one listing a page: each cursor is
    // bound to the query as the client sends it again.
    for filter in ["derived_from=DeepSeek/R1-Original", "base_model=deepseek/r1-original"] {
        let seen = slugs_page_by_page(&app, &format!("/v1/models?{filter}&limit=1"), &staff).await;
        let expected = match filter.starts_with("derived_from") {
            true => BTreeSet::from([TAX.to_owned(), TAX_Q4.to_owned(), DISTILL.to_owned()]),
            false => BTreeSet::from([TAX.to_owned(), DISTILL.to_owned()]),
        };
        assert_eq!(seen, expected, "{filter}");
    }
}
