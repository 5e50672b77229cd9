//! Prometheus metrics. Request counts, latencies and webhook outcomes are
//! counted in process as they happen; gauges (pool, snapshot, holds, outbox
//! backlog) are read when `/metrics` is scraped, so they are never stale.
//!
//! Written by hand in the text exposition format (0.0.4): the handful of
//! series here does not justify a metrics framework and its dependencies.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::web;

use crate::db::webhooks::DeliveryOutcome;
use crate::refresher::CatalogHandle;

pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds: fine below 10 ms where
/// discovery lives, coarse above where only writes and imports go.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The route label of a request no documented route matched: raw paths
/// would let any caller mint new series.
const UNMATCHED_ROUTE: &str = "unmatched";

#[derive(Clone, PartialEq, Eq, Hash)]
struct HttpKey {
    method: Method,
    route: String,
    status: u16,
}

/// A latency histogram with its count and sum.
#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Histogram {
    fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        if let Some(first) = LATENCY_BUCKETS.iter().position(|&bound| seconds <= bound) {
            self.buckets[first].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_nanos
            .fetch_add(u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }
}

/// The process's counters. One per application, shared by its workers.
pub struct Metrics {
    started_at: SystemTime,
    http: RwLock<HashMap<HttpKey, Arc<Histogram>>>,
    deliveries: [AtomicU64; DeliveryOutcome::ALL.len()],
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started_at: SystemTime::now(),
            http: RwLock::default(),
            deliveries: Default::default(),
        }
    }
}

impl Metrics {
    fn observe_request(&self, method: &Method, route: Option<String>, status: u16, elapsed: Duration) {
        // Clients may send any extension method: each would be a new series.
        let known = [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ];
        let method = if known.contains(method) {
            method.clone()
        } else {
            Method::from_bytes(b"OTHER").unwrap_or(Method::GET)
        };
        let key = HttpKey {
            method,
            route: route.unwrap_or_else(|| UNMATCHED_ROUTE.to_owned()),
            status,
        };
        let known = self.http.read().unwrap_or_else(|p| p.into_inner()).get(&key).cloned();
        let histogram = match known {
            Some(histogram) => histogram,
            None => self
                .http
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .entry(key)
                .or_default()
                .clone(),
        };
        histogram.observe(elapsed);
    }

    pub fn record_delivery(&self, outcome: DeliveryOutcome) {
        let slot = DeliveryOutcome::ALL.iter().position(|o| *o == outcome).unwrap_or(0);
        self.deliveries[slot].fetch_add(1, Ordering::Relaxed);
    }

    fn render_http(&self, out: &mut Exposition) {
        let series = self.http.read().unwrap_or_else(|p| p.into_inner());
        let mut keys: Vec<&HttpKey> = series.keys().collect();
        keys.sort_by(|a, b| (&a.route, a.method.as_str(), a.status).cmp(&(&b.route, b.method.as_str(), b.status)));

        out.family(
            "modelmart_http_requests_total",
            "counter",
            "HTTP requests answered, by method, route template and status.",
        );
        for key in &keys {
            let labels = http_labels(key);
            out.sample(
                "modelmart_http_requests_total",
                &labels,
                series[*key].count.load(Ordering::Relaxed) as f64,
            );
        }

        let name = "modelmart_http_request_duration_seconds";
        out.family(
            name,
            "histogram",
            "Time from receiving a request to its response, by method, route template and status.",
        );
        for key in keys {
            let histogram = &series[key];
            let labels = http_labels(key);
            let mut cumulative = 0;
            for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&histogram.buckets) {
                cumulative += bucket.load(Ordering::Relaxed);
                let le = format!("{labels},le=\"{bound}\"");
                out.sample(&format!("{name}_bucket"), &le, cumulative as f64);
            }
            let count = histogram.count.load(Ordering::Relaxed);
            out.sample(
                &format!("{name}_bucket"),
                &format!("{labels},le=\"+Inf\""),
                count as f64,
            );
            let sum = histogram.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            out.sample(&format!("{name}_sum"), &labels, sum);
            out.sample(&format!("{name}_count"), &labels, count as f64);
        }
    }

    fn render_deliveries(&self, out: &mut Exposition) {
        let name = "modelmart_webhook_delivery_attempts_total";
        out.family(
            name,
            "counter",
            "Webhook delivery attempts made by this process, by outcome.",
        );
        for (outcome, count) in DeliveryOutcome::ALL.iter().zip(&self.deliveries) {
            let labels = format!("outcome=\"{}\"", outcome.label());
            out.sample(name, &labels, count.load(Ordering::Relaxed) as f64);
        }
    }
}

fn render_enablement_groups(out: &mut Exposition, written: crate::db::enablement_writer::GroupsWritten) {
    out.family(
        "modelmart_enablement_groups_total",
        "counter",
        "Groups of enablements this process wrote, each in one statement (a grant alone is a group of one).",
    );
    out.sample("modelmart_enablement_groups_total", "", written.groups as f64);
    out.family(
        "modelmart_enablement_grants_grouped_total",
        "counter",
        "Enablements written in those groups: divided by the groups, their mean size.",
    );
    out.sample("modelmart_enablement_grants_grouped_total", "", written.grants as f64);
}

fn http_labels(key: &HttpKey) -> String {
    format!(
        "method=\"{}\",route=\"{}\",status=\"{}\"",
        key.method,
        escape_label(&key.route),
        key.status
    )
}

/// A label value as the exposition format wants it.
fn escape_label(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

/// The text being built: families with their HELP and TYPE, then samples.
#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.text, "# HELP {name} {help}");
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &str, value: f64) {
        if labels.is_empty() {
            let _ = writeln!(self.text, "{name} {value}");
        } else {
            let _ = writeln!(self.text, "{name}{{{labels}}} {value}");
        }
    }

    fn gauge(&mut self, name: &str, help: &str, value: f64) {
        self.family(name, "gauge", help);
        self.sample(name, "", value);
    }
}

/// What the database says at scrape time.
struct DatabaseFigures {
    holds_by_status: Vec<(String, i64)>,
    holds_failing: i64,
    pending_deliveries: i64,
    oldest_pending_seconds: f64,
}

async fn database_figures(pool: &sqlx::PgPool) -> Result<DatabaseFigures, sqlx::Error> {
    let holds_by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM compliance_holds GROUP BY status ORDER BY status")
            .fetch_all(pool)
            .await?;
    let holds_failing = crate::db::holds::failing_count(&mut *pool.acquire().await?).await?;
    let (pending_deliveries, oldest_pending_seconds): (i64, f64) = sqlx::query_as(
        "SELECT count(*),
                COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
         FROM webhook_deliveries WHERE status = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    Ok(DatabaseFigures {
        holds_by_status,
        holds_failing,
        pending_deliveries,
        oldest_pending_seconds,
    })
}

/// Every hold status, so a status with no holds is a 0 rather than absent
/// (an alert on `active` must not go quiet when the last hold is lifted).
const HOLD_STATUSES: [&str; 5] = ["proposed", "active", "lifted", "rejected", "expired"];

/// Lookups of each part of the discovery cache since start, each as
/// (found, not found).
pub struct DiscoveryCacheLookups {
    pub pages: (u64, u64),
    pub listings: (u64, u64),
    pub facets: (u64, u64),
    pub rankings: (u64, u64),
}

/// The whole exposition for this process.
pub async fn render(
    metrics: &Metrics,
    pool: &sqlx::PgPool,
    catalog: &CatalogHandle,
    discovery_cache: DiscoveryCacheLookups,
    enablement_groups: crate::db::enablement_writer::GroupsWritten,
) -> String {
    let mut out = Exposition::default();

    out.family("modelmart_build_info", "gauge", "The running build; always 1.");
    out.sample(
        "modelmart_build_info",
        &format!("version=\"{}\"", env!("CARGO_PKG_VERSION")),
        1.0,
    );
    let started = metrics.started_at.duration_since(UNIX_EPOCH).unwrap_or_default();
    out.gauge(
        "modelmart_process_start_time_seconds",
        "When this process started, in Unix seconds.",
        started.as_secs_f64(),
    );

    metrics.render_http(&mut out);

    for (name, help, (hits, misses)) in [
        (
            "modelmart_discovery_page_cache_lookups_total",
            "Discovery pages looked up in the page cache, by whether one was found.",
            discovery_cache.pages,
        ),
        (
            "modelmart_discovery_listing_cache_lookups_total",
            "Listings of discovery pages composed afresh looked up as JSON kept from earlier pages, by whether it was found.",
            discovery_cache.listings,
        ),
        (
            "modelmart_discovery_facet_cache_lookups_total",
            "Discovery pages composed afresh whose match set's facet counts were looked up, by whether they were found.",
            discovery_cache.facets,
        ),
        (
            "modelmart_discovery_ranking_cache_lookups_total",
            "Searches of discovery pages composed afresh whose ranking was looked up by text, by whether it was found.",
            discovery_cache.rankings,
        ),
    ] {
        out.family(name, "counter", help);
        out.sample(name, "outcome=\"hit\"", hits as f64);
        out.sample(name, "outcome=\"miss\"", misses as f64);
    }

    let size = f64::from(pool.size());
    let idle = pool.num_idle() as f64;
    out.family(
        "modelmart_db_pool_connections",
        "gauge",
        "Database connections held by this process's pool, by state.",
    );
    out.sample(
        "modelmart_db_pool_connections",
        "state=\"in_use\"",
        (size - idle).max(0.0),
    );
    out.sample("modelmart_db_pool_connections", "state=\"idle\"", idle);
    out.gauge(
        "modelmart_db_pool_max_connections",
        "The most connections the pool opens.",
        f64::from(pool.options().get_max_connections()),
    );

    let snapshot = catalog.current();
    let stats = catalog.stats();
    out.gauge(
        "modelmart_catalog_snapshot_version",
        "Catalog version (content and rules) of the snapshot being served.",
        snapshot.version as f64,
    );
    out.gauge(
        "modelmart_catalog_content_version",
        "Content version (listings, offers, prices) of the snapshot being served.",
        snapshot.content.content_version as f64,
    );
    out.gauge(
        "modelmart_catalog_snapshot_age_seconds",
        "Seconds since the snapshot being served was swapped in.",
        stats.swapped_at().elapsed().as_secs_f64(),
    );
    out.gauge(
        "modelmart_catalog_verified_age_seconds",
        "Seconds since the database last confirmed the snapshot is current; \
         a rising value means changes are not reaching this process.",
        stats
            .verified_at()
            .map_or(f64::INFINITY, |at| at.elapsed().as_secs_f64()),
    );
    out.gauge(
        "modelmart_catalog_listings",
        "Listings in the snapshot being served.",
        snapshot.content.listings.len() as f64,
    );
    out.gauge(
        "modelmart_catalog_holds_enforced",
        "Compliance holds the snapshot being served enforces.",
        snapshot.holds.len() as f64,
    );
    out.family(
        "modelmart_catalog_reloads_total",
        "counter",
        "Snapshots built: full (content changed) or rules (holds or policies changed).",
    );
    let (full, rules, failed) = stats.reloads();
    out.sample("modelmart_catalog_reloads_total", "kind=\"full\"", full as f64);
    out.sample("modelmart_catalog_reloads_total", "kind=\"rules\"", rules as f64);
    out.family(
        "modelmart_catalog_refresh_failures_total",
        "counter",
        "Version checks or reloads that failed (the previous snapshot kept serving).",
    );
    out.sample("modelmart_catalog_refresh_failures_total", "", failed as f64);

    metrics.render_deliveries(&mut out);
    render_enablement_groups(&mut out, enablement_groups);

    match database_figures(pool).await {
        Ok(figures) => {
            out.gauge(
                "modelmart_database_up",
                "Whether this scrape could read the database.",
                1.0,
            );
            out.family(
                "modelmart_holds",
                "gauge",
                "Compliance holds in the database, by status.",
            );
            for status in HOLD_STATUSES {
                let count = figures
                    .holds_by_status
                    .iter()
                    .find(|(s, _)| s == status)
                    .map_or(0, |(_, n)| *n);
                out.sample("modelmart_holds", &format!("status=\"{status}\""), count as f64);
            }
            out.gauge(
                "modelmart_holds_schedule_failing",
                "Approved holds whose scheduled activation or expiry last failed; the scheduler retries \
                 them with backoff (the hold's audit trail has the first failure, hold_schedule_failures the last).",
                figures.holds_failing as f64,
            );
            out.gauge(
                "modelmart_outbox_pending_deliveries",
                "Webhook deliveries waiting to be made (the outbox backlog), across all processes.",
                figures.pending_deliveries as f64,
            );
            out.gauge(
                "modelmart_outbox_oldest_pending_age_seconds",
                "Age of the oldest webhook delivery still waiting; 0 when none waits.",
                figures.oldest_pending_seconds,
            );
        }
        Err(error) => {
            tracing::warn!(%error, "metrics could not read the database");
            out.gauge(
                "modelmart_database_up",
                "Whether this scrape could read the database.",
                0.0,
            );
        }
    }
    out.text
}

/// Middleware: counts each request and times it, labelled by the route
/// template it matched (never the raw path).
pub async fn metrics_middleware(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    // Registered as its own app data, so counting needs nothing else.
    let metrics = req.app_data::<web::Data<Arc<Metrics>>>().cloned();
    let outcome = next.call(req).await;
    if let Some(metrics) = metrics {
        let (route, status) = match &outcome {
            Ok(response) => (response.request().match_pattern(), response.status().as_u16()),
            Err(error) => (None, error.as_response_error().status_code().as_u16()),
        };
        metrics.observe_request(&method, route, status, started.elapsed());
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_lands_in_the_first_bucket_that_holds_it_and_in_the_sum() {
        let histogram = Histogram::default();
        histogram.observe(Duration::from_micros(700));
        histogram.observe(Duration::from_secs(30));
        let counts: Vec<u64> = histogram.buckets.iter().map(|b| b.load(Ordering::Relaxed)).collect();
        assert_eq!(counts[1], 1, "0.7 ms is in the le=0.001 bucket");
        assert_eq!(counts.iter().sum::<u64>(), 1, "30 s is only in +Inf");
        assert_eq!(histogram.count.load(Ordering::Relaxed), 2);
        assert_eq!(histogram.sum_nanos.load(Ordering::Relaxed), 30_000_700_000);
    }

    #[test]
    fn requests_render_as_cumulative_buckets_per_route_and_status() {
        let metrics = Metrics::default();
        let route = Some("/v1/models/{id_or_slug}".to_owned());
        metrics.observe_request(&Method::GET, route.clone(), 200, Duration::from_millis(3));
        metrics.observe_request(&Method::GET, route.clone(), 200, Duration::from_millis(30));
        metrics.observe_request(&Method::GET, route, 404, Duration::from_millis(1));
        metrics.observe_request(&Method::GET, None, 404, Duration::from_millis(1));
        let mut out = Exposition::default();
        metrics.render_http(&mut out);
        let text = out.text;
        let labels = r#"method="GET",route="/v1/models/{id_or_slug}",status="200""#;
        for line in [
            format!("modelmart_http_requests_total{{{labels}}} 2"),
            format!("modelmart_http_request_duration_seconds_bucket{{{labels},le=\"0.005\"}} 1"),
            format!("modelmart_http_request_duration_seconds_bucket{{{labels},le=\"0.05\"}} 2"),
            format!("modelmart_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} 2"),
            format!("modelmart_http_request_duration_seconds_count{{{labels}}} 2"),
            r#"modelmart_http_requests_total{method="GET",route="unmatched",status="404"} 1"#.to_owned(),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert_eq!(text.matches("# TYPE modelmart_http_requests_total counter").count(), 1);
    }

    #[test]
    fn an_unknown_method_is_counted_as_other_so_callers_cannot_mint_series() {
        let metrics = Metrics::default();
        for name in ["FOO", "BAR", "BAZ"] {
            let method = Method::from_bytes(name.as_bytes()).unwrap();
            metrics.observe_request(&method, None, 405, Duration::from_millis(1));
        }
        let mut out = Exposition::default();
        metrics.render_http(&mut out);
        assert!(out
            .text
            .lines()
            .any(|l| l == r#"modelmart_http_requests_total{method="OTHER",route="unmatched",status="405"} 3"#));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape_label("a\"b\\c\nd"), r#"a\"b\\c\nd"#);
    }
}
