//! Prometheus metrics (prometheus-client, one registry per server): request
//! counts and latencies per route, check-in batch sizes, database pool use.
//! Off unless `ZHIBU_METRICS_BIND` names an address; `/metrics` is served
//! there only, never on the public listener.
//!
//! Routes are labelled by their pattern (`/api/v1/orgs/{id}`), never the
//! raw path, and methods outside the standard few by `other`, so the
//! number of series stays bounded whatever clients send.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{App, Error, HttpResponse, HttpServer, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sea_orm::{DatabaseBackend, DatabaseConnection};

use crate::db::Db;
use crate::state::AppState;

/// The OpenMetrics text format, which Prometheus reads.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    checkin_batch: Histogram,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_idle: Family<PoolLabels, Gauge>,
    pool_max: Family<PoolLabels, Gauge>,
    db: Db,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new(db: Db) -> Metrics {
        let mut registry = Registry::with_prefix("zhibu");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route pattern and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 1 ms to about 16 s.
            Histogram::new(exponential_buckets(0.001, 2.0, 15))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route pattern",
            latency.clone(),
        );
        // The writer takes at most 256 rows at once (checkins::batch).
        let checkin_batch = Histogram::new(exponential_buckets(1.0, 2.0, 9));
        registry.register(
            "checkin_batch_rows",
            "Check-ins written per group-committed statement",
            checkin_batch.clone(),
        );
        let pool_connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "Open database connections, by pool (reader, writer)",
            pool_connections.clone(),
        );
        let pool_idle = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections, by pool",
            pool_idle.clone(),
        );
        let pool_max = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_max_connections",
            "The most connections a pool opens",
            pool_max.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            checkin_batch,
            pool_connections,
            pool_idle,
            pool_max,
            db,
        }
    }

    /// The histogram the check-in writer records its batch sizes in.
    pub fn checkin_batch(&self) -> Histogram {
        self.checkin_batch.clone()
    }

    fn observe(&self, method: &'static str, route: String, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.clone(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels { method, route })
            .observe(seconds);
    }

    /// The exposition, with the pool gauges read now.
    pub async fn render(&self) -> String {
        let pools: [(&'static str, &DatabaseConnection); 2] =
            [("reader", self.db.reader()), ("writer", self.db.writer())];
        // On PostgreSQL both handles are one pool: report it once.
        let pools = if self.db.backend() == DatabaseBackend::Postgres {
            &pools[1..]
        } else {
            &pools[..]
        };
        for (name, conn) in pools {
            let (size, idle, max) = pool_use(conn);
            let labels = PoolLabels { pool: name };
            self.pool_connections.get_or_create(&labels).set(size);
            self.pool_idle.get_or_create(&labels).set(idle);
            self.pool_max.get_or_create(&labels).set(max);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode_registry(&mut out, &self.registry);
        if let Some(depth) = job_queue_depth(&self.db).await {
            let mut jobs = Registry::with_prefix("zhibu");
            let gauge = Gauge::<i64>::default();
            gauge.set(depth);
            jobs.register("job_queue_depth", "Jobs waiting to run", gauge);
            let _ = encode_registry(&mut out, &jobs);
        }
        let _ = encode_eof(&mut out);
        out
    }
}

/// Jobs due and not yet done (`zhibu_job_queue_depth`); absent when the
/// database does not answer, rather than a made-up zero.
async fn job_queue_depth(db: &Db) -> Option<i64> {
    crate::notify::jobs::depth(db.reader(), crate::time::now())
        .await
        .ok()
}

/// Open, idle and most connections of the pool behind `conn`.
fn pool_use(conn: &DatabaseConnection) -> (i64, i64, i64) {
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = conn.get_postgres_connection_pool();
            (
                i64::from(pool.size()),
                pool.num_idle() as i64,
                i64::from(pool.options().get_max_connections()),
            )
        }
        _ => {
            let pool = conn.get_sqlite_connection_pool();
            (
                i64::from(pool.size()),
                pool.num_idle() as i64,
                i64::from(pool.options().get_max_connections()),
            )
        }
    }
}

/// A method as a label: the standard ones, or `other`.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts and times every request by its route pattern, when
/// metrics are on.
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| state.metrics.clone());
    let Some(metrics) = metrics else {
        return next.call(req).await;
    };
    let started = Instant::now();
    let method = method_label(req.method());
    // Unmatched paths (the PWA's files, unknown routes) share one label.
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.call(req).await;
    let status = match &res {
        Ok(res) => res.status().as_u16(),
        Err(error) => error.as_response_error().status_code().as_u16(),
    };
    metrics.observe(method, route, status, started.elapsed().as_secs_f64());
    res
}

async fn scrape(metrics: web::Data<Arc<Metrics>>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(CONTENT_TYPE)
        .body(metrics.render().await)
}

/// Serves `/metrics` on `listener`, apart from the API. It stops when the
/// API server does (`Application::run_until_stopped`), not on signals.
pub fn serve(listener: TcpListener, metrics: Arc<Metrics>) -> std::io::Result<Server> {
    let metrics = web::Data::new(metrics);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(metrics.clone())
            .route("/metrics", web::get().to(scrape))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run())
}
