//! The HTTP API of DESIGN §7, and the owner's sign-in and reports (§9). Every handler answers
//! JSON (a report also CSV); every refusal is an [`ApiError`].

pub mod access;
mod auth;
mod bank;
mod enroll;
mod etims;
mod health;
mod maintenance;
mod mpesa;
mod office;
pub mod openapi;
pub mod owner;
mod pull;
mod push;
pub mod reports;
mod review;
pub mod sign_in;
mod users;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::routing::{MethodRouter, get, post};
use chrono_tz::Tz;
use sqlx::PgPool;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;
use crate::metrics::Metrics;
use access::{Access, Guard, Permission};

/// A push of 500 events is well under a megabyte; this leaves room and bounds what a client can
/// make the server hold.
pub const BODY_LIMIT_BYTES: usize = 4 * 1024 * 1024;

/// How long a request may take before it is answered 408 (a push of 500 events merges in
/// well under a second; a year's report in about one).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// argon2 checks at a time (sign-in, new passwords and PINs).
pub const HASHING_AT_ONCE: usize = 4;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub metrics: Arc<Metrics>,
    /// The installation's time zone, for business days (DESIGN §3).
    pub zone: Tz,
    /// Failed sign-ins by account and address.
    pub throttle: Arc<sign_in::Throttle>,
    /// The bounded argon2 work.
    pub hashing: Arc<sign_in::Hashing>,
    /// The hash of the token `/metrics` asks for; none: only callers on this machine.
    pub metrics_token: Option<Arc<Vec<u8>>>,
    /// Where eTIMS communication keys are kept, for the owner's eTIMS set-up; none: set-up is
    /// refused (`etims_not_configured`).
    pub etims_keys: Option<crate::etims::KeyStore>,
}

impl AppState {
    pub fn new(pool: PgPool, zone: Tz) -> AppState {
        AppState {
            pool,
            metrics: Arc::new(Metrics::default()),
            zone,
            throttle: Arc::default(),
            hashing: Arc::new(sign_in::Hashing::new(HASHING_AT_ONCE)),
            metrics_token: None,
            etims_keys: None,
        }
    }

    /// The owner's eTIMS set-up keeps communication keys in `keys`.
    pub fn with_etims_keys(mut self, keys: crate::etims::KeyStore) -> AppState {
        self.etims_keys = Some(keys);
        self
    }

    /// `/metrics` then asks every caller for `token`.
    pub fn with_metrics_token(mut self, token: &str) -> AppState {
        self.metrics_token = Some(Arc::new(crate::secrets::secret_hash(token)));
        self
    }
}

/// One route of the API: who may call it, how many of its requests may run at once, and its
/// handler. The router is built from this list alone, and the access test walks it, so a
/// route cannot be added without saying who may call it.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub at_once: usize,
    handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, access: Access, at_once: usize, handler: MethodRouter<AppState>) -> Route {
    Route { method, path, access, at_once, handler }
}

/// Every route of the API.
pub fn routes() -> Vec<Route> {
    use Access::{Device, Metrics as Monitoring, Public, User};
    use Permission::*;
    let (get_, post_) = (Method::GET, Method::POST);
    vec![
        route(post_.clone(), "/api/v1/devices/enroll", Public, 8, post(enroll::enroll)),
        route(post_.clone(), "/api/v1/sync/push", Device, 32, post(push::push)),
        route(get_.clone(), "/api/v1/sync/pull", Device, 64, get(pull::pull)),
        route(post_.clone(), "/api/v1/owner/login", Public, 16, post(owner::login)),
        route(post_.clone(), "/api/v1/owner/logout", User(Own), 16, post(owner::logout)),
        route(post_.clone(), "/api/v1/owner/logout-everywhere", User(Own), 16, post(owner::logout_everywhere)),
        route(get_.clone(), "/api/v1/owner/sessions", User(Own), 16, get(owner::sessions)),
        route(post_.clone(), "/api/v1/owner/password", User(Own), 8, post(owner::change_password)),
        route(get_.clone(), "/api/v1/reports/{report}", User(Report), 16, get(reports::report)),
        route(post_.clone(), "/api/v1/review/resolve", User(Resolve), 8, post(review::resolve)),
        route(post_.clone(), "/api/v1/mpesa/statements", User(Reconcile), 4, post(mpesa::import)),
        route(post_.clone(), "/api/v1/office/documents", User(Record), 8, post(office::documents)),
        route(post_.clone(), "/api/v1/bank/statements", User(Reconcile), 4, post(bank::import)),
        route(post_.clone(), "/api/v1/admin/products", User(Maintain), 8, post(maintenance::product)),
        route(post_.clone(), "/api/v1/admin/staff", User(Maintain), 8, post(maintenance::staff)),
        route(post_.clone(), "/api/v1/admin/businesses", User(Setup), 8, post(maintenance::business)),
        route(post_.clone(), "/api/v1/admin/laundry-services", User(Maintain), 8, post(maintenance::laundry_service)),
        route(post_.clone(), "/api/v1/admin/cylinder-types", User(Maintain), 8, post(maintenance::cylinder_type)),
        route(post_.clone(), "/api/v1/admin/customers", User(Maintain), 8, post(maintenance::customer)),
        route(post_.clone(), "/api/v1/admin/suppliers", User(Maintain), 8, post(maintenance::supplier)),
        route(post_.clone(), "/api/v1/admin/tills", User(Enrol), 8, post(maintenance::enrol_till)),
        route(post_.clone(), "/api/v1/admin/etims", User(Setup), 2, post(etims::set_up)),
        route(post_.clone(), "/api/v1/admin/tills/revoke", User(Enrol), 8, post(maintenance::revoke_till)),
        route(post_.clone(), "/api/v1/admin/tills/reenrol", User(Enrol), 8, post(maintenance::reenrol_till)),
        route(get_.clone(), "/api/v1/admin/users", User(Users), 8, get(users::list)),
        route(post_, "/api/v1/admin/users/save", User(Users), 8, post(users::save)),
        route(get_.clone(), "/api/v1/health", Public, 16, get(health::health)),
        route(get_.clone(), "/api/v1/openapi.json", Public, 4, get(openapi::document)),
        route(get_, "/metrics", Monitoring, 4, get(health::metrics)),
    ]
}

/// Headers on every answer: nothing is sniffed, framed, cached or referred onwards (the API
/// answers tokens and the books).
fn security_headers() -> [(HeaderName, HeaderValue); 5] {
    [
        (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'")),
    ]
}

pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let mut router = Router::new();
    for route in routes() {
        let guard = Guard::new(route.access, route.at_once, state.clone());
        let guarded = route.handler.route_layer(axum::middleware::from_fn_with_state(guard, access::guard));
        router = router.route(route.path, guarded);
    }
    let mut router = router.fallback(|| async { ApiError::not_found("no such endpoint") });
    for (name, value) in security_headers() {
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(move |panic| answer_panic(&metrics, panic)))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The last resort: no panic should be reachable from a request (amounts are checked, content
/// faults are quarantined), but if one is, the client gets a JSON 500 instead of a dropped
/// connection, the log says what it was, and `/metrics` counts it.
fn answer_panic(metrics: &Metrics, panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    Metrics::add(&metrics.panics, 1);
    ApiError::internal(format!("a request handler panicked: {what}")).into_response()
}

/// Serves plain HTTP (on loopback, or behind a reverse proxy that terminates TLS) until
/// `shutdown` resolves; then stops accepting and lets the requests in flight finish (each is
/// bounded by [`REQUEST_TIMEOUT`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown).await
}

/// The certificate chain and private key head office serves HTTPS with (PEM files).
pub struct Tls {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Serves HTTPS (rustls) until `shutdown` resolves; then stops accepting and gives the
/// requests in flight up to [`REQUEST_TIMEOUT`] to finish.
pub async fn serve_tls(
    listener: std::net::TcpListener,
    state: AppState,
    tls: &Tls,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let config = axum_server::tls_rustls::RustlsConfig::from_pem_file(&tls.cert, &tls.key).await?;
    let handle = axum_server::Handle::new();
    let draining = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        draining.graceful_shutdown(Some(REQUEST_TIMEOUT));
    });
    let service = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum_server::from_tcp_rustls(listener, config)?.handle(handle).serve(service).await
}
