//! Tracing setup: JSON lines by default (what log pipelines ingest), pretty
//! text with `MODELMART_LOG_FORMAT=pretty`, filter from `MODELMART_LOG`.

use tracing_subscriber::{fmt, EnvFilter};

pub fn init(default_filter: &str) {
    let filter = EnvFilter::try_from_env("MODELMART_LOG").unwrap_or_else(|_| EnvFilter::new(default_filter));
    let pretty = std::env::var("MODELMART_LOG_FORMAT").is_ok_and(|format| format == "pretty");
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // try_init: tests may initialise more than once per process.
    let _ = if pretty {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).with_current_span(false).try_init()
    };
}
