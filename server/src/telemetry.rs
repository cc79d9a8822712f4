//! Structured logs through `tracing`; `RUST_LOG` overrides the default level.
//! `ZHIBU_LOG_FORMAT=json` writes one JSON object per line, for shipping to
//! a log store; secrets never reach either form (`Settings`'s `Debug`).

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber once, as text; later calls are no-ops.
pub fn init_tracing(default_filter: &str) {
    init_tracing_as(default_filter, LogFormat::Text);
}

/// Installs the global subscriber once in `format`; later calls are no-ops.
pub fn init_tracing_as(default_filter: &str, format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        // Span fields (the request id) go on every line, flattened, so a
        // log store can filter by them.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
