//! Reading `/metrics`: the Prometheus text exposition, checked line by line.

use std::collections::HashMap;

use super::TestApp;

/// Every sample of a scrape, keyed by name and labels as written
/// (`name{a="b"}`). Panics on a line that is not valid exposition text, so
/// the format itself is checked by every test that scrapes.
pub fn parse_exposition(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in {line:?}"
        );
        if name_end < series.len() {
            assert!(series.ends_with('}'), "unterminated labels in {line:?}");
        }
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            other => other.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        assert!(samples.insert(series.to_owned(), value).is_none(), "{series} repeated");
    }
    samples
}

pub async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let response = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    parse_exposition(&response.text().await.unwrap())
}
