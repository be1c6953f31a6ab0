//! The Alcove server: an axum application over the [`alcove_store::Store`].
//!
//! [`app`] builds the whole router (API, OpenAPI document, embedded web UI, security headers,
//! cross-site request checks, body limits) from an [`AppState`], so tests drive it with
//! `oneshot` and no socket. [`run`] is what `alcove serve` calls: it opens the store, prints the
//! one-time setup link while no admin exists, listens (optionally with TLS) and shuts down
//! gracefully on SIGTERM or Ctrl-C.
//!
//! Architecture invariants: only this crate knows HTTP; it never holds message plaintext or
//! private keys of users; no identifier, token or content reaches a log line (handlers log
//! roles, kinds and counts only).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit;
pub mod audit_tool;
pub mod auth;
pub mod config;
pub mod consent;
pub mod device_kind;
pub mod error;
pub mod hub;
pub mod limits;
pub mod passkeys;
pub mod relay;
pub mod routes;
pub mod secrets;
pub mod state;
mod web;
pub mod ws;

pub use config::{Config, ConfigOverrides};
pub use consent::require_current_consent;
pub use state::{system_clock, AppState, Clock};

use alcove_audit::{EventKind, ObjectKind};
use alcove_store::{NewInvitation, Store};
use alcove_types::{ErrorCode, InvitationId, InvitationKind, Role};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::trace::TraceLayer;

/// Largest JSON body the API accepts.
pub const MAX_JSON_BODY: usize = 64 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'; object-src 'none'";

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = routes::api_router().split_for_parts();
    let openapi_json = openapi.to_pretty_json().unwrap_or_else(|_| "{}".to_owned());
    let api = api
        .route(
            "/api/openapi.json",
            get(move || async move {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    openapi_json.clone(),
                )
            }),
        )
        .fallback(api_not_found);
    Router::new()
        .merge(api)
        .fallback(web::serve_asset)
        .layer(middleware::from_fn_with_state(state.clone(), check_origin))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    // Only the route pattern is logged: never query strings, tokens or bodies.
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_else(|| "-".to_owned());
                    tracing::info_span!("request", method = %req.method(), route = %route)
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(state)
}

async fn api_not_found(req: Request) -> Response {
    let _ = req;
    error::ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "There is no such API endpoint.",
    )
    .into_response()
}

/// Security headers on every response, HSTS when TLS is on.
async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if is_api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.tls_enabled() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    response
}

/// Refuses state-changing requests that do not come from the configured origin (CSRF defence
/// beside `SameSite=Strict` cookies).
async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe {
        let origin = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok());
        if origin != Some(&*state.origin) {
            tracing::warn!("refused a state-changing request from another origin");
            return error::ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::OriginMismatch,
                "This request did not come from this Alcove site. Reload the page and try again.",
            )
            .into_response();
        }
    }
    next.run(req).await
}

/// Creates a fresh one-time setup link while no admin exists (earlier unused ones stop working).
pub async fn issue_setup_link(state: &AppState) -> anyhow::Result<Option<String>> {
    if state.store.has_admin().await? {
        return Ok(None);
    }
    let token = secrets::new_token();
    let now = state.now();
    let invitation_id = InvitationId::from_random(secrets::random_id_bytes());
    state
        .store
        .replace_setup_invitation(
            &NewInvitation {
                id: invitation_id.clone(),
                token_hash: secrets::hash_token(&token),
                kind: InvitationKind::Setup,
                role: Role::Admin,
                inviter_id: None,
                recovery_user_id: None,
                label: None,
                created_at: now,
                expires_at: now + state.config.setup_ttl_secs * 1000,
            },
            &[audit::Event::new(EventKind::InvitationCreated, now)
                .object(ObjectKind::Invitation, invitation_id.as_str())
                .done()],
        )
        .await?;
    Ok(Some(state.link("setup", &token)))
}

/// Runs the server until SIGTERM or Ctrl-C, then finishes in-flight requests and returns.
pub async fn run(config: Config) -> anyhow::Result<()> {
    // The data directory holds the audit log key even when the database is PostgreSQL.
    create_private_dir(&config.data_dir)?;
    let store = Store::open(&config.database_url()).await?;
    let listen = config.listen;
    let tls = config.tls_cert.clone().zip(config.tls_key.clone());
    let state = AppState::new(config, store.clone(), system_clock())?;
    if let Some(link) = issue_setup_link(&state).await? {
        // Printed to the console on purpose (not logged): the operator opens it once.
        println!("Alcove has no administrator yet. Open this one-time setup link within 1 hour:");
        println!("  {link}");
        println!("(Restarting the server before setup prints a new link and voids this one.)");
    }
    spawn_housekeeping(state.clone());
    audit::spawn_checkpointer(state.clone());
    relay::start(&state).await?;
    let app = app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    match tls {
        None => {
            let listener = tokio::net::TcpListener::bind(listen).await?;
            tracing::info!(address = %listener.local_addr()?, origin = %state.origin, "listening");
            println!(
                "Alcove is listening on {} (open {})",
                listener.local_addr()?,
                state.origin
            );
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown_signal())
                .await?;
        }
        Some((cert, key)) => {
            let _ = rustls::crypto::ring::default_provider().install_default();
            let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key).await?;
            let handle = axum_server::Handle::new();
            let h = handle.clone();
            tokio::spawn(async move {
                shutdown_signal().await;
                h.graceful_shutdown(Some(Duration::from_secs(30)));
            });
            tracing::info!(address = %listen, origin = %state.origin, "listening with TLS");
            println!(
                "Alcove is listening on {listen} with TLS (open {})",
                state.origin
            );
            axum_server::bind_rustls(listen, tls)
                .handle(handle)
                .serve(app)
                .await?;
        }
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Serves `state` on an already bound listener until `shutdown` completes, with the same
/// background tasks as [`run`] (for tests and benchmarks that need a real socket).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    spawn_housekeeping(state.clone());
    audit::spawn_checkpointer(state.clone());
    relay::start(&state).await?;
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = state.store.purge_expired(state.now()).await {
                tracing::warn!(error = %e, "purging expired sessions failed");
            }
            let keep_ms = state.config.delivered_retention_secs.saturating_mul(1000);
            match state
                .store
                .purge_delivered(state.now().saturating_sub(keep_ms))
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(messages = n, "deleted delivered messages past retention"),
                Err(e) => tracing::warn!(error = %e, "purging delivered messages failed"),
            }
            state.limits.shrink();
        }
    });
}

fn create_private_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
