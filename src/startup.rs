//! Building and running the HTTP application.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{web, App, HttpResponse};
use sqlx::PgPool;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::gate::{Gate, TenantRegistry};
use crate::auth::jwt::{AuthSetupError, Authenticator};
use crate::config::Settings;
use crate::http::{self, RouteTable};
use crate::openapi;
use crate::refresher::{CatalogHandle, ReloadError};
use crate::state::AppState;
use crate::wire::ProblemStream;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Auth(#[from] AuthSetupError),
    #[error("could not load the catalog: {0}")]
    Catalog(#[from] ReloadError),
    #[error("could not listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not connect to the read replica (MODELMART_DATABASE_READ_URL): {0}")]
    ReadReplica(sqlx::Error),
}

/// How long in-flight requests get once the listener has closed; with the
/// default 5 s readiness grace this stays inside Kubernetes' default 30 s
/// termination grace period.
const SHUTDOWN_DRAIN_SECS: u64 = 20;

async fn wait_for_shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(mut terminate), Ok(mut interrupt)) => {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        }
        _ => {
            tracing::error!("cannot listen for shutdown signals; stop the process with SIGKILL");
            std::future::pending::<()>().await;
        }
    }
}

/// Serves `make_app` on `listener` the way `actix_web::HttpServer` would,
/// but over [`ProblemStream`] sockets, so the answers the HTTP/1 codec makes
/// by itself (431, 400, 408) carry problem+json bodies like every other
/// error. Signals are ours (see [`Application::run_until_stopped`]):
/// readiness must fail before the listener closes.
fn serve<F, A, B>(listener: TcpListener, make_app: F) -> std::io::Result<Server>
where
    F: Fn() -> App<A> + Send + Clone + 'static,
    A: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
    B: actix_web::body::MessageBody + 'static,
{
    use actix_http::{HttpService, Protocol};
    use actix_service::{fn_service, map_config, ServiceFactoryExt};
    use actix_web::dev::AppConfig;
    use actix_web::rt::net::TcpStream;

    let local = listener.local_addr()?;
    let builder = actix_server::Server::build();
    let shutdown = builder.graceful_shutdown_signal();
    Ok(builder
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_DRAIN_SECS)
        .listen("modelmart", listener, move || {
            let shutdown = shutdown.clone();
            let http = HttpService::build()
                // Idle keep-alive connections close when shutdown starts.
                .graceful_shutdown_signal(move || {
                    let shutdown = shutdown.clone();
                    async move { shutdown.notified().await }
                })
                .client_disconnect_timeout(std::time::Duration::from_secs(1))
                .local_addr(local)
                .finish(map_config(make_app(), |_| AppConfig::default()));
            fn_service(|io: TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok::<_, actix_http::error::DispatchError>((ProblemStream::new(io), Protocol::Http1, peer))
            })
            .and_then(http)
        })?
        .run())
}

pub struct Application {
    port: u16,
    server: Server,
    state: web::Data<AppState>,
}

impl Application {
    /// Loads the catalog and binds `listener` (port 0 in tests); the server
    /// runs once [`Application::run_until_stopped`] is awaited.
    pub async fn build(settings: Settings, pool: PgPool, listener: TcpListener) -> Result<Self, StartupError> {
        let authenticator = Authenticator::from_settings(&settings.auth).await?;
        let read_replica = match &settings.database_read_url {
            Some(url) => {
                // Full loads are rare and one at a time: a load reads models,
                // offers and prices side by side on three connections.
                let replica_settings = crate::config::DatabaseSettings {
                    max_connections: 3,
                    ..settings.database.clone()
                };
                Some(
                    crate::db::connect(url, &replica_settings)
                        .await
                        .map_err(StartupError::ReadReplica)?,
                )
            }
            None => None,
        };
        let catalog = CatalogHandle::reading_content_from(read_replica);
        catalog.reload(&pool).await?;
        catalog.spawn_refresher(pool.clone());
        crate::scheduler::spawn(pool.clone(), catalog.clone(), settings.scheduler_tick);
        crate::db::audit::spawn_sealer(pool.clone(), settings.audit_seal_interval);
        let metrics = std::sync::Arc::new(crate::metrics::Metrics::default());
        crate::webhooks::spawn(pool.clone(), settings.webhooks_allow_private, metrics.clone());
        let metrics_data = web::Data::new(metrics.clone());
        let settings_rate_limit = settings.rate_limit;
        let cors = web::Data::new(crate::edge::CorsPolicy::new(settings.cors_origins.clone()));
        let pages = web::Data::new(crate::routes::discovery_cache::DiscoveryCache::default());
        let gate = web::Data::new(Gate {
            authenticator,
            limiter: crate::ratelimit::RateLimiter::new(settings_rate_limit),
            tenants: TenantRegistry::default(),
            pool: pool.clone(),
        });
        let enablements = crate::db::enablement_writer::EnablementWriter::spawn(pool.clone());
        let state = web::Data::new(AppState {
            enablements,
            pool,
            settings,
            catalog,
            metrics,
            draining: std::sync::atomic::AtomicBool::new(false),
        });
        let document = openapi::document();
        let route_table = web::Data::new(RouteTable::from_openapi(&document));
        let port = listener.local_addr()?.port();
        let server_state = state.clone();
        let max_body = state.settings.max_body_bytes;
        let max_import = state.settings.max_import_bytes;
        let make_app = move || {
            let (app, _) = crate::routes::router(App::new(), openapi::base()).split_for_parts();
            app.app_data(server_state.clone())
                .app_data(metrics_data.clone())
                .app_data(gate.clone())
                .app_data(pages.clone())
                .app_data(route_table.clone())
                .app_data(cors.clone())
                .app_data(http::json_config(max_body))
                .app_data(http::query_config())
                .app_data(http::path_config())
                .app_data(web::PayloadConfig::new(max_import))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", document.clone()))
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/docs/"))
                            .finish()
                    }),
                )
                // The compliance console: public static assets, a client of the API.
                .configure(crate::console::configure)
                .default_service(web::to(http::fallback))
                .wrap(from_fn(http::head_as_get_middleware))
                .wrap(from_fn(crate::text_guard::text_guard_middleware))
                .wrap(from_fn(crate::auth::authentication_middleware))
                .wrap(from_fn(http::problem_middleware))
                .wrap(from_fn(crate::edge::edge_middleware))
                .wrap(from_fn(crate::metrics::metrics_middleware))
                .wrap(actix_web::middleware::Compress::default())
        };
        let server = serve(listener, make_app)?;
        Ok(Application { port, server, state })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// Serves until SIGTERM or SIGINT, then shuts down in order: `/readyz`
    /// fails at once so load balancers stop sending traffic, requests keep
    /// being served for the grace period while they notice, then the
    /// listener closes and in-flight requests get up to 20 s to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let state = self.state.clone();
        let signals = tokio::spawn(async move {
            wait_for_shutdown_signal().await;
            let grace = state.settings.shutdown_grace;
            state.draining.store(true, std::sync::atomic::Ordering::SeqCst);
            tracing::info!(
                grace_ms = grace.as_millis() as u64,
                "shutting down: readiness now fails"
            );
            tokio::time::sleep(grace).await;
            handle.stop(true).await;
        });
        let outcome = self.server.await;
        signals.abort();
        outcome
    }
}
