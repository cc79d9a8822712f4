//! Building and running the HTTP server; shared by `main` and the tests.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, Error, HttpServer, ResponseError, web};
use anyhow::Context;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::JwtKeys;
use crate::auth::wechat::WechatClient;
use crate::checkins::batch::CheckinWriter;
use crate::checkins::codes::CodeSigner;
use crate::config::Settings;
use crate::db::{self, Db};
use crate::error::{self, ApiError};
use crate::state::AppState;
use crate::{demo, health, http, meta, openapi::ApiDoc, static_files::StaticAssets};

pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` on its own address, and that address's port.
    metrics: Option<(Server, u16)>,
    db: Db,
    demo_report: Option<demo::SeedReport>,
}

impl Application {
    /// Connects and migrates the database, seeds the demo county when asked,
    /// and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        crate::tls::install_crypto_provider();
        let timezone = settings.timezone()?;
        let jwt_secret = if settings.demo {
            None
        } else {
            Some(settings.production_jwt_secret()?.clone())
        };
        db::ensure_sqlite_dir(&settings.database_url)?;
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        let jwt_secret = match jwt_secret.or_else(|| settings.jwt_secret.clone()) {
            Some(secret) => secret,
            // Demo mode keeps a random secret in the database so that
            // sessions survive a restart without any configuration.
            None => meta::demo_jwt_secret(db.writer()).await?,
        };
        let demo_report = if settings.demo {
            Some(demo::seed(&db, settings.demo_activity).await?)
        } else {
            None
        };
        crate::scheduler::run(db.writer(), timezone).await?;
        tokio::spawn(schedule_every_hour(db.clone(), timezone));
        if settings.run_jobs {
            tokio::spawn(run_jobs_every_minute(db.clone(), settings.clone()));
        }
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let public_url = match settings.public_url()? {
            Some(url) => url,
            None => {
                let url = format!("http://{}", listener.local_addr()?);
                if !settings.demo {
                    tracing::warn!(%url, "ZHIBU_PUBLIC_URL is not set: QR codes and certificates link to the listening address");
                }
                url
            }
        };
        let assets = Arc::new(StaticAssets::load(&settings.public_dir)?);
        if assets.is_empty() {
            tracing::warn!(
                dir = %settings.public_dir.display(),
                "the PWA is not built; run `cargo xtask build-app`"
            );
        }
        let metrics = settings
            .metrics_bind()?
            .map(|bind| {
                let listener = TcpListener::bind(&bind)
                    .with_context(|| format!("binding {bind} for metrics"))?;
                anyhow::Ok((listener, Arc::new(crate::metrics::Metrics::new(db.clone()))))
            })
            .transpose()?;
        let state = web::Data::new(AppState {
            db: db.clone(),
            settings: Arc::new(settings.clone()),
            keys: JwtKeys::new(&jwt_secret),
            codes: CodeSigner::new(&jwt_secret),
            checkin_writes: CheckinWriter::start_measured(
                db.writer().clone(),
                metrics.as_ref().map(|(_, m)| m.checkin_batch()),
            ),
            wechat: WechatClient::new(&settings)?,
            timezone,
            public_url,
            trusted_proxies: settings.trusted_proxies()?,
            files: crate::files::Files::from_settings(&settings)?,
            push: crate::notify::push::PushClient::new(&settings)?,
            metrics: metrics.as_ref().map(|(_, m)| m.clone()),
        });
        let server = run(listener, state, assets, &settings)?;
        let metrics = match metrics {
            Some((listener, metrics)) => {
                let port = listener.local_addr()?.port();
                tracing::info!(port, "serving /metrics on its own address");
                Some((crate::metrics::serve(listener, metrics)?, port))
            }
            None => None,
        };
        Ok(Application {
            port,
            server,
            metrics,
            db,
            demo_report,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port `/metrics` is served on, when metrics are on.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(_, port)| *port)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// What the demo seed did, when demo mode is on.
    pub fn demo_report(&self) -> Option<&demo::SeedReport> {
        self.demo_report.as_ref()
    }

    /// Serves until SIGINT or SIGTERM, then drains requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let Some((metrics, _)) = self.metrics else {
            return self.server.await;
        };
        let handle = metrics.handle();
        let metrics = tokio::spawn(metrics);
        let result = self.server.await;
        handle.stop(true).await;
        let _ = metrics.await;
        result
    }
}

/// Keeps the coming months' theme days in place as the months turn.
async fn schedule_every_hour(db: Db, tz: chrono_tz::Tz) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
    ticks.tick().await;
    loop {
        ticks.tick().await;
        if let Err(error) = crate::scheduler::run(db.writer(), tz).await {
            tracing::error!(%error, "scheduling theme days failed");
        }
    }
}

/// Runs the reminders that have come due, once a minute. Every server may
/// do so: each job is claimed by one of them.
async fn run_jobs_every_minute(db: Db, settings: Settings) {
    let (Ok(tz), Ok(push), Ok(wechat)) = (
        settings.timezone(),
        crate::notify::push::PushClient::new(&settings),
        WechatClient::new(&settings),
    ) else {
        tracing::error!("the job runner could not start");
        return;
    };
    let context = crate::notify::Context {
        tz,
        settings: &settings,
        push: &push,
        wechat: &wechat,
    };
    let runner = crate::notify::jobs::runner_name();
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        ticks.tick().await;
        if let Err(error) =
            crate::notify::jobs::run_due(&db, &context, &runner, crate::time::now()).await
        {
            tracing::error!(error = %format!("{error:#}"), "running due jobs failed");
        }
    }
}

fn run(
    listener: TcpListener,
    state: web::Data<AppState>,
    assets: Arc<StaticAssets>,
    settings: &Settings,
) -> anyhow::Result<Server> {
    let assets = web::Data::new(assets);
    let max_body = settings.max_body_bytes;
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(assets.clone())
            // Bodies are read by `extract::Json` within this limit.
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(
                actix_multipart::form::MultipartFormConfig::default()
                    .total_limit(crate::roster::handlers::MAX_ROSTER_BYTES),
            )
            .app_data(
                web::PathConfig::default().error_handler(|err, _req| error::path_error(err).into()),
            )
            .wrap(from_fn(api_errors_as_json))
            .wrap(from_fn(http::response_headers))
            .wrap(Compress::default())
            .wrap(TracingLogger::default())
            .wrap(from_fn(crate::metrics::record))
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .service(health::healthz)
            .service(health::readyz)
            .service(
                scope::scope("/api/v1")
                    .configure(crate::routes::api_v1)
                    .default_service(web::to(http::api_not_found)),
            )
            .openapi_service(|api| {
                SwaggerUi::new("/api/docs/{_:.*}")
                    .url("/api/openapi.json", crate::openapi::finish(api))
            })
            .into_app()
            .route("/api/docs", web::get().to(http::docs_with_slash))
            .service(web::scope("/api").default_service(web::to(http::api_not_found)))
            .default_service(web::to(crate::static_files::serve))
    })
    .listen(listener)?
    .shutdown_timeout(settings.shutdown_timeout_secs);
    if settings.workers > 0 {
        server = server.workers(settings.workers);
    }
    Ok(server.run())
}

/// Replaces any plain-text error actix produced on its own under `/api`
/// (an extractor without our error handler, say) with the JSON error body.
async fn api_errors_as_json(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_api = req.path().starts_with("/api/") && !req.path().starts_with("/api/docs");
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let replacement = ApiError::from_status(status).error_response();
    Ok(res.into_response(replacement))
}
