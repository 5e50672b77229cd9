//! The compliance console is public static assets served beside the API:
//! the page and every file it loads answer without a token, with their
//! content type, a strict Content-Security-Policy and an ETag; nothing
//! under `/console` reaches data, and the console is not an API operation.

use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn the_console_page_and_its_assets_are_served_without_a_token_with_their_type_and_csp() {
    let app = spawn_app().await;
    let cases = [
        ("/console/", "text/html; charset=utf-8"),
        ("/console/app.js", "text/javascript; charset=utf-8"),
        ("/console/holds.js", "text/javascript; charset=utf-8"),
        ("/console/console.css", "text/css; charset=utf-8"),
        ("/console/favicon.svg", "image/svg+xml"),
    ];
    for (path, content_type) in cases {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], content_type, "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        let etag = headers["etag"].to_str().unwrap().to_owned();
        let body = response.text().await.unwrap();
        assert!(!body.is_empty(), "{path}");
        let again = app
            .client
            .get(app.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} revalidated by its ETag");
    }
    // HEAD answers as GET does, without the body; a stale ETag gets the asset.
    let head = app
        .client
        .head(app.url("/console/app.js"))
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "text/javascript; charset=utf-8");
    assert!(head.headers().contains_key("etag"));
    assert!(head.bytes().await.unwrap().is_empty());
    let stale = app
        .client
        .get(app.url("/console/app.js"))
        .header("if-none-match", "\"0000000000000000\"")
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);

    let page = app
        .client
        .get(app.url("/console/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<script type="module" src="/console/app.js"></script>"#));
    assert!(!page.contains("<script>"), "no inline script: the CSP would refuse it");
}

#[tokio::test]
async fn console_without_its_slash_redirects_like_the_docs() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(app.url("/console")).send().await.unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/console/");
}

#[tokio::test]
async fn no_console_path_reaches_data_with_or_without_a_token() {
    let app = spawn_app().await;
    let officer = platform_token("compliance.officer");
    let paths = [
        "/console/v1/models",
        "/console/v1/admin/holds",
        "/console/openapi.json",
        "/console/..%2Fv1%2Fmodels",
        "/console/app.js/v1/models",
        "/console/nothing.js",
    ];
    for path in paths {
        for token in [None, Some(officer.as_str())] {
            let mut request = app.client.get(app.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
            let body = response.text().await.unwrap();
            assert_eq!(status, 404, "{path} (token: {})", token.is_some());
            assert_eq!(content_type, "application/problem+json", "{path}");
            let problem: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(problem["code"], "route_not_found", "{path}");
            assert!(!body.contains("\"items\""), "{path} answered data: {body}");
        }
    }
    // Dot segments, sent as they are (an HTTP client library would resolve
    // them before sending), are not resolved by the server either.
    let address = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let raw = format!(
        "GET /console/../v1/admin/holds HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {officer}\r\nConnection: close\r\n\r\n"
    );
    let answer = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(!answer.contains("\"items\""), "{answer}");

    // A token changes nothing about the page: it holds no data.
    let anonymous = app
        .client
        .get(app.url("/console/"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let signed_in = app
        .client
        .get(app.url("/console/"))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(anonymous, signed_in);
}

#[tokio::test]
async fn the_console_is_not_an_operation_of_the_api_document() {
    let app = spawn_app().await;
    let document = app.served_document().await;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.keys().all(|path| !path.starts_with("/console")));
}
