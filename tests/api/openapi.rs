use serde_json::Value;

use crate::helpers::*;

fn committed() -> Value {
    let path = format!("{}/openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("openapi/openapi.json is committed");
    serde_json::from_str(&text).expect("openapi/openapi.json is JSON")
}

#[test]
fn the_committed_document_matches_the_code() {
    let path = format!("{}/openapi/openapi.json", env!("CARGO_MANIFEST_DIR"));
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = modelmart::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date; regenerate it with:\n    cargo run -- openapi > openapi/openapi.json"
    );
}

#[tokio::test]
async fn the_served_document_equals_the_committed_one() {
    let app = spawn_app().await;
    let response = app.client.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let served: Value = response.json().await.unwrap();
    assert_eq!(served, committed());
}

#[test]
fn every_operation_has_an_id_tag_summary_and_problem_responses() {
    let document = committed();
    let mut ids = std::collections::HashSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: operationId"));
            assert!(ids.insert(id.to_owned()), "{name}: duplicate operationId {id}");
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name}: tag"
            );
            assert!(operation["summary"].is_string(), "{name}: summary");
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{name}: 500");
            if operation.get("security").is_some() {
                for status in ["401", "403", "429", "503"] {
                    assert!(responses.contains_key(status), "{name}: {status}");
                }
            } else {
                // Probes and the scraper: the network keeps them private.
                assert!(
                    ["/healthz", "/readyz", "/metrics"].contains(&path.as_str()),
                    "{name} must be secured"
                );
            }
        }
    }
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
}
